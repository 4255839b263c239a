// E2E: F5 works. Reads .vscode/launch.json and .vscode/tasks.json, runs the preLaunchTask's npm script, and
// opens an Extension Development Host in code-server with the same paths the launch config names
// (--extensionDevelopmentPath and the folder). The extension is NOT in the extensions dir, so it can only have
// been loaded through extensionDevelopmentPath; opening a C file must activate it (its status bar item).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, startCodeServer } from '../../scripts/code-server.mjs';
import { launchBrowser, openFile, openWorkbench, screenshot, sel } from './vscode.mjs';

const SHOTS = path.join(ROOT, 'test/e2e/artifacts');

/** launch.json and tasks.json are JSONC: drop // comments (none of ours sit inside a string) */
function readJsonc(file) {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''));
}
/** @param {string} s */
const resolveVars = (s) => s.replaceAll('${workspaceFolder}', ROOT);

describe('F5: the launch config opens an Extension Development Host', { timeout: 240_000 }, () => {
  const launch = readJsonc('.vscode/launch.json');
  const tasks = readJsonc('.vscode/tasks.json');
  const config = launch.configurations.find((/** @type {{ type: string }} */ c) => c.type === 'extensionHost');
  /** @type {Awaited<ReturnType<typeof startCodeServer>> | undefined} */
  let server;
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  /** @type {string} */
  let tmp;

  test('launch.json: an extensionHost config with a development path, a folder and a build first', () => {
    assert.ok(config, 'no configuration of type extensionHost in .vscode/launch.json');
    const dev = config.args.find((/** @type {string} */ a) => a.startsWith('--extensionDevelopmentPath='));
    assert.ok(dev, 'launch.json args lack --extensionDevelopmentPath=');
    assert.equal(resolveVars(dev.slice('--extensionDevelopmentPath='.length)), ROOT);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    // the bundle the extension host loads (package.json main) is among the debugger's outFiles
    assert.ok(config.outFiles.some((/** @type {string} */ g) => resolveVars(g) === path.join(ROOT, 'dist/**/*.js')));
    assert.match(pkg.main, /^\.\/dist\/[^/]+\.js$/);
    const task = tasks.tasks.find((/** @type {{ label: string }} */ t) => t.label === config.preLaunchTask);
    assert.ok(task, `preLaunchTask "${config.preLaunchTask}" is not a task label in .vscode/tasks.json`);
    assert.equal(task.type, 'npm');
    assert.ok(pkg.scripts[task.script], `tasks.json runs npm script "${task.script}", which package.json lacks`);
    const watch = tasks.tasks.find((/** @type {{ script: string }} */ t) => t.script === 'watch');
    assert.ok(watch?.isBackground && pkg.scripts.watch, 'a background "npm: watch" task and a watch script');
  });

  before(async () => {
    // the preLaunchTask, as VS Code runs it
    const task = tasks.tasks.find((/** @type {{ label: string }} */ t) => t.label === config.preLaunchTask);
    const r = spawnSync('npm', ['run', task.script], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, `preLaunchTask npm run ${task.script} failed:\n${r.stdout}\n${r.stderr}`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xen-e2e-launch-'));
    const args = config.args.map(resolveVars);
    const extensionPath = args
      .find((/** @type {string} */ a) => a.startsWith('--extensionDevelopmentPath='))
      .split('=')[1];
    const folder = args.find((/** @type {string} */ a) => !a.startsWith('--'));
    server = await startCodeServer({ dir: tmp, workspace: folder, extensionPath, installExtension: false });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (tmp && !process.env.KEEP_E2E_TMP) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the Development Host opens the folder and activates the extension from the working tree', async () => {
    assert.ok(server && browser);
    const extensionsDir = path.join(tmp, 'extensions');
    assert.deepEqual(
      fs.readdirSync(extensionsDir).filter((e) => e.startsWith('xen-memory-lens')),
      [],
      'the extension must not be installed',
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await openWorkbench(page, server.devWorkbenchUrl, { readySelector: sel.activityItem('Xen Memory') });
    // the title VS Code gives a development window
    await page.waitForFunction(() => document.title.includes('[Extension Development Host]'), null, {
      timeout: 30_000,
    });
    await openFile(page, 'dirty_log.c');
    await page.locator(sel.statusItem('Xen: asm-arm/config.h')).waitFor({ timeout: 60_000 });
    await page.locator('.monaco-editor .view-lines', { hasText: 'dirty' }).first().waitFor();
    await screenshot(page, SHOTS, 'launch-extension-development-host');
  });
});
