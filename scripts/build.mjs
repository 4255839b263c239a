// One esbuild script, several entries (see ../shared/docs/style.md §8).
// node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  target: 'node20',
};

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
  for (const b of builds) {
    const ctx = await esbuild.context(b);
    await ctx.watch();
  }
  console.log('[watch] build started');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
