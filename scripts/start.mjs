// `npm start`: open this extension in a real VS Code (code-server) that you use from a browser.
// Env: PORT (default 8080), HOST (default 127.0.0.1), WORKSPACE (default demo),
//      PROFILE_DIR (default .vscode-test/dev; kept between runs so your UI state survives restarts).
import net from 'node:net';
import path from 'node:path';
import { ROOT, startCodeServer } from './code-server.mjs';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8080);
const workspace = path.resolve(ROOT, process.env.WORKSPACE ?? 'demo');
const dir = path.resolve(ROOT, process.env.PROFILE_DIR ?? '.vscode-test/dev');

if (host !== '127.0.0.1' && host !== 'localhost') {
  console.warn(`warning: binding ${host} with --auth none exposes a full VS Code (terminal included) to that network`);
}

/** @param {string} h @param {number} p @returns {Promise<boolean>} */
function portFree(h, p) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(p, h, () => srv.close(() => resolve(true)));
  });
}

const t0 = Date.now();
/** @type {Awaited<ReturnType<typeof startCodeServer>>} */
let server;
try {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`PORT=${process.env.PORT}: expected a port number 1-65535`);
  if (!(await portFree(host, port)))
    throw new Error(
      `port ${port} on ${host} is in use (another npm start?): stop that, or run PORT=${port + 1} npm start`,
    );
  // code-server's own log (it prints URLs of its own) goes to a file, so the one URL below is the only one
  server = await startCodeServer({ dir, workspace, host, port });
} catch (err) {
  console.error(`npm start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
// The Extension Development Host: the extension is loaded straight from this folder, and a
// "Developer: Reload Window" picks up a rebuild (npm run watch) and package.json changes alike.
console.log(`
Xen Memory Lens in VS Code (code-server) is up after ${Date.now() - t0} ms. Open in a browser:

  ${server.devWorkbenchUrl}

Rebuild with \`npm run watch\` in another terminal, then run "Developer: Reload Window" in that tab.
Server log: ${path.relative(process.cwd(), server.logFile)}. Press Ctrl+C to stop.
`);

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
setInterval(() => {
  if (process.ppid !== parent) shutdown();
}, 1000).unref();
