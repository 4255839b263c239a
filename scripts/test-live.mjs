// `npm run test:live`: the live Xen E2E (test/e2e/live.test.mjs) — boots the armhf target (scripts/live-target.mjs),
// attaches from the real VS Code, checks against gdb. Needs qemu-system-arm and gdb-multiarch: installed with apt when
// missing; when they cannot be installed, one "skipped: …" line and exit 0. Prints the total time.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { aptInstall, SetupError } from './setup-code-server.mjs';

const T0 = Date.now();
const ARCH = process.argv[2] ?? 'armhf'; // npm run test:live -- arm64
if (ARCH !== 'armhf' && ARCH !== 'arm64') {
  process.stderr.write(`test:live: arch "${ARCH}" is not armhf or arm64\n`);
  process.exit(2);
}
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** @param {string} cmd */
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

const missing = [
  ['qemu-system-arm', 'qemu-system-arm'],
  ['gdb-multiarch', 'gdb-multiarch'],
  ['dtc', 'device-tree-compiler'],
  ['cpio', 'cpio'],
].filter(([bin]) => !has(bin));
if (missing.length) {
  try {
    fs.mkdirSync(path.join(ROOT, '.live-cache'), { recursive: true });
    await aptInstall(['--no-install-recommends', ...missing.map(([, pkg]) => pkg)], {
      log: path.join(ROOT, '.live-cache', 'apt.log'),
    });
  } catch (e) {
    const why = (e instanceof SetupError ? e.message : String(e)).replace(
      /, then run `npm run setup:vscode` again$/,
      '',
    );
    process.stdout.write(
      `skipped: test:live needs ${missing.map(([b]) => b).join(', ')}, which could not be installed (${why})\n`,
    );
    process.exit(0);
  }
}
/** @param {string} cmd @param {string[]} args @param {NodeJS.ProcessEnv} [env] */
const step = (cmd, args, env) => {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
};
// the target's .debs come from the Debian archive: when it cannot be reached, the live E2E cannot run here
const fetch = spawnSync(process.execPath, ['scripts/live-target.mjs', ARCH, '--fetch-only'], {
  cwd: ROOT,
  stdio: ['ignore', 'inherit', 'pipe'],
  encoding: 'utf8',
});
if (fetch.status !== 0) {
  const why = (fetch.stderr ?? '').trim().split('\n').pop() || `exit ${fetch.status}`;
  process.stdout.write(`skipped: test:live could not fetch the ${ARCH} target (${why})\n`);
  process.exit(0);
}
let code = step(process.execPath, ['scripts/setup-code-server.mjs', '--for=e2e']);
if (code === 0) code = step(process.execPath, ['scripts/build.mjs']);
if (code === 0)
  code = step(process.execPath, ['--test', 'test/e2e/live.test.mjs'], { XEN_LIVE_E2E: '1', XEN_LIVE_ARCH: ARCH });
process.stdout.write(
  `test:live (${ARCH}) ${code === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - T0) / 1000).toFixed(1)} s\n`,
);
process.exit(code);
