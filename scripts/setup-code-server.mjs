// Install what `npm start` and the E2E tests need: code-server (a real VS Code 1.100.3: web workbench + node
// extension host) in .vscode-test/code-server, and for the tests Debian's Chromium. Only the npm registry and
// Debian packages are used (nothing from GitHub). Idempotent: a no-op in well under a second when all is there.
//
//   node scripts/setup-code-server.mjs [--for=e2e|start]
//
// --for=e2e (default) also needs Chromium; --for=start does not (you bring the browser).
// Env: CODE_SERVER_VERSION (4.100.3), CODE_SERVER_BIN (use that code-server, install none),
//      CHROMIUM_PATH (use that Chromium), APT_GET (the apt-get command; tests point it at a fake one).
// A step that fails ends with one line: what failed and what to do. Long steps print progress.

/** @typedef {{ write(text: string): unknown, isTTY?: boolean }} Out */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CODE_SERVER_VERSION = process.env.CODE_SERVER_VERSION ?? '4.100.3'; // last release whose engines.node is 20
// @vscode/ripgrep as pinned by code-server 4.100.3 (lib/vscode/npm-shrinkwrap.json) and the ripgrep-prebuilt
// tag its postinstall downloads (VERSION in @vscode/ripgrep/lib/postinstall.js).
const RG_PKG_VERSION = process.env.RG_PKG_VERSION ?? '1.15.11';
const RG_TAG = process.env.RG_TAG ?? 'v13.0.0-10';
const DEST = path.join(ROOT, '.vscode-test', 'code-server');
const LOG = path.join(ROOT, '.vscode-test', 'setup.log');
const RERUN = 'then run `npm run setup:vscode` again';

/** A failure the user can act on: `message` is the one line printed, without a stack trace. */
export class SetupError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'SetupError';
  }
}

/** @param {string} cmd */
function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** @param {string} dir @returns {number} bytes under dir (files only; symlinks not followed) */
export function dirBytes(dir) {
  let total = 0;
  /** @type {string[]} */
  const stack = [dir];
  while (stack.length) {
    const d = /** @type {string} */ (stack.pop());
    let entries;
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue; // removed while npm works
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) {
        try {
          total += fs.statSync(p).size;
        } catch {
          /* removed while npm works */
        }
      }
    }
  }
  return total;
}

/**
 * Run a command with its output going to `log`, printing `label: <progress>, <elapsed> s` every `everyMs`
 * (on one rewritten line on a terminal, one line per tick elsewhere). Resolves with the exit code.
 * @param {string} label
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, log: string, progress?: () => string, everyMs?: number,
 *           out?: Out }} opts
 * @returns {Promise<number>}
 */
export function runWithProgress(label, cmd, args, { cwd, env, log, progress, everyMs, out = process.stdout }) {
  const t0 = Date.now();
  const fd = fs.openSync(log, 'a');
  fs.writeSync(fd, `\n$ ${cmd} ${args.join(' ')}\n`);
  const tty = Boolean(out.isTTY);
  everyMs ??= tty ? 2000 : 15_000; // a rewritten line can tick often; a CI log should not fill up
  const line = () => {
    const what = progress ? `${progress()}, ` : '';
    return `${label}: ${what}${Math.round((Date.now() - t0) / 1000)} s`;
  };
  const tick = () => out.write(tty ? `\r${line()}\x1b[K` : `${line()}\n`);
  const timer = setInterval(tick, everyMs);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', fd, fd] });
    const done = (/** @type {number} */ code) => {
      clearInterval(timer);
      fs.closeSync(fd);
      if (tty) out.write(`\r${line()}\x1b[K\n`);
      resolve(code);
    };
    child.on('error', (err) => {
      fs.appendFileSync(log, `${err.message}\n`);
      done(127);
    });
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

/** The last lines of the log, indented, so the one-line error has its cause right above it. */
function tail(log, lines = 8) {
  try {
    const text = fs.readFileSync(log, 'utf8').trimEnd().split('\n').slice(-lines);
    return text.map((l) => `  | ${l}`).join('\n');
  } catch {
    return '';
  }
}

/**
 * Install Debian packages. A failed `apt-get update` (one index mid-sync on a mirror, an unrelated broken
 * source) is a warning: the install is tried with the indexes apt already has. Only a failed install stops.
 * @param {string[]} packages
 * @param {{ aptGet?: string, log: string, out?: Out, everyMs?: number, root?: boolean }} opts
 */
export async function aptInstall(
  packages,
  { aptGet = process.env.APT_GET ?? 'apt-get', log, out = process.stdout, everyMs, root = process.getuid?.() === 0 },
) {
  const list = packages.join(' ');
  const manual = `install them yourself (apt-get install ${list}) or with your package manager`;
  if (!root && !has('sudo')) {
    throw new SetupError(
      `setup: need Debian packages ${list}, and I am not root and there is no sudo: ${manual}, ${RERUN}`,
    );
  }
  if (aptGet === 'apt-get' && !has('apt-get'))
    throw new SetupError(`setup: need ${list} and there is no apt-get here: ${manual}, ${RERUN}`);
  const cmd = root ? aptGet : 'sudo';
  const pre = root ? [] : ['DEBIAN_FRONTEND=noninteractive', aptGet]; // sudo drops the environment
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  out.write(`installing Debian packages: ${list}\n`);
  const update = await runWithProgress('apt-get update', cmd, [...pre, ...lock, 'update', '-qq'], {
    log,
    out,
    everyMs,
  });
  if (update !== 0) {
    out.write(
      `warning: apt-get update exited ${update} (an index could not be refreshed; details in ${path.relative(ROOT, log)}); installing from the indexes apt already has\n`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const args = [...pre, ...lock, 'install', '-y', '-qq', ...packages];
  const install = await runWithProgress(`installing ${list}`, cmd, args, { log, env, out, everyMs });
  if (install !== 0) {
    out.write(`${tail(log)}\n`);
    const hint =
      update !== 0 ? `apt-get update failed too (exit ${update}): fix the apt sources, or ${manual}` : manual;
    throw new SetupError(
      `setup: apt-get install ${list} exited ${install} (log: ${path.relative(ROOT, log)}); ${hint}, ${RERUN}`,
    );
  }
}

/** Where code-server is, if it is there: $CODE_SERVER_BIN, or our pinned install. */
function installedCodeServer() {
  if (process.env.CODE_SERVER_BIN) {
    if (fs.existsSync(process.env.CODE_SERVER_BIN)) return process.env.CODE_SERVER_BIN;
    throw new SetupError(
      `setup: CODE_SERVER_BIN=${process.env.CODE_SERVER_BIN} does not exist; unset it to let setup install code-server, or point it at a code-server launcher`,
    );
  }
  const bin = path.join(DEST, 'node_modules', '.bin', 'code-server');
  let version = '';
  try {
    version = fs.readFileSync(path.join(DEST, '.installed-version'), 'utf8').trim();
  } catch {
    /* not installed */
  }
  return fs.existsSync(bin) && version === CODE_SERVER_VERSION ? bin : null;
}

function chromiumInstalled() {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].some(
    (p) => p && fs.existsSync(p),
  );
}

/** @param {{ forE2e: boolean }} opts */
export async function setup({ forE2e }) {
  const t0 = Date.now();
  const codeServer = installedCodeServer();
  /** @type {string[]} */
  const need = [];
  if (!codeServer) {
    // a C/C++ toolchain for VS Code's native modules (node-pty, spdlog, kerberos, ...), Kerberos headers
    // (kerberos), ripgrep (replaces the GitHub download of @vscode/ripgrep)
    if (!has('make') || !has('g++')) need.push('build-essential');
    if (!has('python3')) need.push('python3');
    if (!has('pkg-config')) need.push('pkg-config');
    if (!fs.existsSync('/usr/include/gssapi/gssapi.h')) need.push('libkrb5-dev');
    if (!has('rg')) need.push('ripgrep');
  }
  if (forE2e && !chromiumInstalled()) need.push('chromium');
  if (!codeServer || need.length) fs.mkdirSync(path.dirname(LOG), { recursive: true });
  if (need.length) await aptInstall(need, { log: LOG });
  if (codeServer) {
    if (!need.length)
      console.log(`setup: code-server ${CODE_SERVER_VERSION}${forE2e ? ' and Chromium' : ''} already installed`);
    return;
  }
  seedRipgrepCache();
  await installCodeServer();
  console.log(`setup: done in ${Math.round((Date.now() - t0) / 1000)} s`);
}

// @vscode/ripgrep's postinstall downloads rg from GitHub; give it a cached "download" made from Debian's rg
// (same 13.x line), which it unpacks instead. Cache dir and asset name from its lib/postinstall.js.
function seedRipgrepCache() {
  const cache = path.join(os.tmpdir(), `vscode-ripgrep-cache-${RG_PKG_VERSION}`);
  const asset = path.join(cache, `ripgrep-${RG_TAG}-x86_64-unknown-linux-musl.tar.gz`);
  if (fs.existsSync(asset) && fs.statSync(asset).size > 0) return;
  const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
  if (!rg) throw new SetupError(`setup: ripgrep (rg) is not on PATH: apt-get install ripgrep, ${RERUN}`);
  fs.mkdirSync(cache, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-'));
  fs.copyFileSync(rg, path.join(tmp, 'rg'));
  fs.chmodSync(path.join(tmp, 'rg'), 0o755);
  const tar = spawnSync('tar', ['-C', tmp, '-czf', asset, 'rg'], { encoding: 'utf8' });
  fs.rmSync(tmp, { recursive: true, force: true });
  if (tar.status !== 0)
    throw new SetupError(
      `setup: could not pack rg into ${asset} (${tar.stderr.trim()}); check that ${cache} is writable, ${RERUN}`,
    );
}

async function installCodeServer() {
  fs.rmSync(DEST, { recursive: true, force: true });
  fs.mkdirSync(DEST, { recursive: true });
  fs.writeFileSync(
    path.join(DEST, 'package.json'),
    JSON.stringify(
      { name: 'code-server-install', private: true, allowScripts: { 'code-server': true, argon2: true } },
      null,
      2,
    ) + '\n',
  );
  // code-server's postinstall refuses to run as root unless npm_config_unsafe_perm=true (npm >= 7 no longer
  // sets it), and node-pty's postinstall runs `npx node-gyp`, which needs yes=true.
  const env = { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true' };
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const what = `code-server ${CODE_SERVER_VERSION}`;
  console.log(
    `installing ${what} into .vscode-test/code-server (about 300 MB, a few minutes: native modules are compiled)`,
  );
  const code = await runWithProgress(
    `installing ${what}`,
    npm,
    ['install', '--no-audit', '--no-fund', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`],
    {
      cwd: DEST,
      env,
      log: LOG,
      progress: () => `${Math.round(dirBytes(DEST) / 1e6)} MB`,
    },
  );
  if (code !== 0) {
    console.log(tail(LOG));
    throw new SetupError(
      `setup: npm install ${what} exited ${code} (log: ${path.relative(ROOT, LOG)}); check the npm registry is reachable and the build tools above are installed, ${RERUN}`,
    );
  }
  // npm 11 may skip unreviewed install scripts; without them VS Code's server has no terminal and fails oddly
  const pty = path.join(DEST, 'node_modules/code-server/lib/vscode/node_modules/node-pty/build/Release/pty.node');
  if (!fs.existsSync(pty)) {
    throw new SetupError(
      `setup: ${what} installed without its native modules (no ${path.relative(ROOT, pty)}; npm skipped install scripts?) — see ${path.relative(ROOT, LOG)}, ${RERUN}`,
    );
  }
  fs.writeFileSync(path.join(DEST, '.installed-version'), `${CODE_SERVER_VERSION}\n`);
  console.log(`${what} installed (${Math.round(dirBytes(DEST) / 1e6)} MB)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const forArg = process.argv.find((a) => a.startsWith('--for='))?.slice('--for='.length) ?? 'e2e';
  if (forArg !== 'e2e' && forArg !== 'start') {
    console.error(`setup: --for=${forArg}: expected --for=e2e or --for=start`);
    process.exit(2);
  }
  try {
    await setup({ forE2e: forArg === 'e2e' });
  } catch (err) {
    if (err instanceof SetupError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
