// `npm start`: open this extension in a real VS Code (code-server) that you use from a browser.
// Env: PORT (default 8080), HOST (default 127.0.0.1), WORKSPACE (default demo),
//      PROFILE_DIR (default .vscode-test/dev; kept between runs so your UI state survives restarts).
import path from 'node:path';
import { ROOT, startCodeServer } from './code-server.mjs';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8080);
const workspace = path.resolve(ROOT, process.env.WORKSPACE ?? 'demo');
const dir = path.resolve(ROOT, process.env.PROFILE_DIR ?? '.vscode-test/dev');

if (host !== '127.0.0.1' && host !== 'localhost') {
  console.warn(`warning: binding ${host} with --auth none exposes a full VS Code (terminal included) to that network`);
}

const t0 = Date.now();
const server = await startCodeServer({ dir, workspace, host, port, stdio: 'inherit' });
console.log(`
VS Code (code-server) with this extension is up after ${Date.now() - t0} ms.

  Extension Development Host (picks up code AND package.json changes on "Developer: Reload Window"):
  ${server.devWorkbenchUrl}

  As installed (code changes need Reload Window, package.json changes need a restart of npm start):
  ${server.workbenchUrl}

Ctrl+C stops the server.`);

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, shutdown);
// code-server runs in its own process group; if whoever started us (npm, a shell) dies without
// forwarding a signal, we are re-parented: take the server down with us.
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) shutdown(); }, 1000).unref();
