// One esbuild script, several entries (see ../shared/docs/style.md §8).
// node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  target: 'node20',
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
  },
];
if (existsSync('src/extension/main.ts')) {
  builds.push({
    ...common,
    entryPoints: ['src/extension/main.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
  });
}
// The DAP adapter the `xen-live` debug type runs (issue 14): cdt-gdb-adapter's gdb-target session (with the change in
// src/extension/gdbAdapter.ts: a refusal because the target runs is not an error toast) as one file, so the
// .vsix ships it while `vsce package --no-dependencies` keeps node_modules out. Its native parts stay out: the pty
// addon is loaded only for "run in terminal" (never used here), serialport is replaced (scripts/lib/serialport-unsupported.cjs).
const ADAPTER_ENTRY = 'node_modules/cdt-gdb-adapter/dist/desktop/GDBTargetDebugSession.js';
if (!existsSync(ADAPTER_ENTRY)) {
  // without it the xen-live debug type cannot start: a build that leaves it out must not pass
  process.stderr.write(`build: ${ADAPTER_ENTRY} is missing (the DAP adapter of the live attach): run npm install\n`);
  process.exit(1);
}
{
  builds.push({
    ...common,
    entryPoints: ['src/extension/gdbAdapter.ts'],
    outfile: 'dist/gdbAdapter.js',
    platform: 'node',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    alias: { serialport: './scripts/lib/serialport-unsupported.cjs' },
    external: ['*.node'],
  });
  // EPL-2.0 (cdt-gdb-adapter) and MIT (@vscode/debugadapter): their licences ship beside the bundle
  mkdirSync('dist', { recursive: true });
  const adapterPkg = JSON.parse(readFileSync('node_modules/cdt-gdb-adapter/package.json', 'utf8'));
  writeFileSync(
    'dist/gdbAdapter.LICENSE.txt',
    [
      `dist/gdbAdapter.js bundles cdt-gdb-adapter ${adapterPkg.version} (Eclipse CDT.cloud, EPL-2.0; source:`,
      'https://github.com/eclipse-cdt-cloud/cdt-gdb-adapter) and @vscode/debugadapter (MIT).',
      '',
      '=== cdt-gdb-adapter NOTICE ===',
      readFileSync('node_modules/cdt-gdb-adapter/NOTICE', 'utf8'),
      '=== cdt-gdb-adapter LICENSE ===',
      readFileSync('node_modules/cdt-gdb-adapter/LICENSE', 'utf8'),
      '=== @vscode/debugadapter License.txt ===',
      readFileSync('node_modules/@vscode/debugadapter/License.txt', 'utf8'),
    ].join('\n'),
  );
}
if (existsSync('src/webview/map.ts')) {
  builds.push({
    ...common,
    entryPoints: ['src/webview/map.ts'],
    outfile: 'dist/webview/map.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  });
}
if (existsSync('src/webview/scenario.ts')) {
  builds.push({
    ...common,
    entryPoints: ['src/webview/scenario.ts'],
    outfile: 'dist/webview/scenario.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  });
}

if (watch) {
  // `npm run watch`: rebuild every bundle on change. The "[watch] build started/finished" lines and the
  // "file:line:col: error: text" lines are what the problem matcher in .vscode/tasks.json reads.
  /** @type {import('esbuild').Plugin} */
  const report = {
    name: 'watch-report',
    setup(build) {
      const out = build.initialOptions.outfile;
      build.onStart(() => console.log(`[watch] build started (${out})`));
      build.onEnd((r) => {
        for (const { text, location: l } of r.errors)
          console.error(l ? `${l.file}:${l.line}:${l.column + 1}: error: ${text}` : `error: ${text}`);
        console.log(`[watch] build finished (${out}, ${r.errors.length} errors)`);
      });
    },
  };
  for (const b of builds) {
    const ctx = await esbuild.context({ ...b, plugins: [report] });
    await ctx.watch();
  }
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
