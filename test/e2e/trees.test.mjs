// E2E (issue 12): a workspace shaped like a Xen tree — 2013 with the seed applied, and today's —
// opened in the real VS Code shows its own layout: the status bar names the tree's Arm layout
// files and the arch, the Problems panel holds no false finding (no x86/ppc config.h, no
// vendored stubdom/tools patch), and CodeLens on today's mmu/layout.h shows that file's values.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { ROOT, startCodeServer } from '../../scripts/code-server.mjs';
import { launchBrowser, openFile, openWorkbench, runCommand, screenshot, sel } from './vscode.mjs';

const SHOTS = path.join(ROOT, 'test/e2e/artifacts/trees');

/** one fixture tree in its own VS Code; `theme` for the screenshots */
function treeSuite(name, theme, body) {
  describe(`the ${name} tree`, { timeout: 400_000 }, () => {
    const ctx = /** @type {{ server: any, browser: any, page: any, tmp: string }} */ ({});

    before(async () => {
      ctx.tmp = fs.mkdtempSync(path.join(os.tmpdir(), `xen-${name}-`));
      const ws = path.join(ctx.tmp, name);
      fs.cpSync(path.join(ROOT, 'test/fixtures/trees', name), ws, { recursive: true });
      ctx.server = await startCodeServer({
        dir: ctx.tmp,
        workspace: ws,
        settings: {
          'workbench.colorTheme': theme,
          'editor.hover.delay': 150,
          'workbench.editor.enablePreview': false,
        },
      });
      ctx.browser = await launchBrowser();
      ctx.page = await ctx.browser.newPage({ viewport: { width: 1440, height: 900 } });
      await openWorkbench(ctx.page, ctx.server.workbenchUrl, { readySelector: sel.activityItem('Xen Memory') });
    });

    afterEach(async (t) => {
      if (ctx.page && 'passed' in t && t.passed === false)
        await screenshot(ctx.page, SHOTS, `failed-${name}-${t.name.replace(/[^\w]+/g, '-').slice(0, 50)}`).catch(
          () => {},
        );
    });

    after(async () => {
      await ctx.browser?.close();
      await ctx.server?.stop();
      if (ctx.tmp) fs.rmSync(ctx.tmp, { recursive: true, force: true });
    });

    body(ctx);
  });
}

/** scroll the active editor to a line (CodeLens renders only on visible lines) */
async function gotoLine(page, line) {
  await page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+G');
  await page.locator(sel.quickInputBox).waitFor();
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
}

/** the Problems panel's text once the extension's scan ran (it starts 1.5 s after activation) */
async function problemsText(page) {
  await page.waitForTimeout(6000);
  await runCommand(page, 'Problems: Focus on Problems View');
  const panel = page.locator('.markers-panel-container, .markers-panel').first();
  await panel.waitFor({ timeout: 20_000 });
  await page.waitForTimeout(500);
  return (await panel.textContent()) ?? '';
}

treeSuite('xen-2013', 'Default Dark Modern', (ctx) => {
  test('status bar: xen/include/asm-arm/config.h, arm32', async () => {
    await openFile(ctx.page, 'xen/include/asm-arm/config.h');
    await ctx.page.locator(sel.statusItem('Xen: asm-arm/config.h')).waitFor({ timeout: 60_000 });
    await ctx.page.locator(sel.statusItem('arm32')).waitFor({ timeout: 20_000 });
  });
  test('Problems: only the two true findings of the Arm config.h', async () => {
    const text = await problemsText(ctx.page);
    assert.match(text, /window-capacity/);
    assert.match(text, /comment-map-mismatch: arm64: DIRECTMAP/);
    assert.doesNotMatch(text, /diffstat-mismatch|asm-x86|newlib|etherboot|hvmloader|unknown-macro|overlap/);
    await screenshot(ctx.page, SHOTS, 'dark-2013-problems');
  });
  test('CodeLens shows the file’s own VIRT_LIN_P2M (the seed’s window)', async () => {
    await openFile(ctx.page, 'xen/include/asm-arm/config.h');
    await gotoLine(ctx.page, 75);
    const lens = ctx.page.locator('.contentWidgets .codelens-decoration', { hasText: 'VIRT_LIN_P2M · 0x08000000' });
    await lens.first().waitFor({ timeout: 60_000 });
    assert.match((await lens.first().textContent()) ?? '', /128 MiB/);
    await runCommand(ctx.page, 'Xen Memory: Show Memory Map');
    await ctx.page.waitForTimeout(3000);
    await screenshot(ctx.page, SHOTS, 'dark-2013-map');
  });
});

treeSuite('xen-today', 'Default Light Modern', (ctx) => {
  test('status bar: config.h + mmu/layout.h, arm32', async () => {
    await openFile(ctx.page, 'xen/arch/arm/include/asm/mmu/layout.h');
    await ctx.page.locator(sel.statusItem('Xen: config.h + mmu/layout.h')).waitFor({ timeout: 60_000 });
    await ctx.page.locator(sel.statusItem('arm32')).waitFor({ timeout: 20_000 });
  });
  test('CodeLens on mmu/layout.h: BOOT_FDT 0x00c00000, 4 MiB (the file’s values, not 2013’s)', async () => {
    await gotoLine(ctx.page, 75);
    const lens = ctx.page.locator('.contentWidgets .codelens-decoration', { hasText: 'BOOT_FDT' });
    await lens.first().waitFor({ timeout: 60_000 });
    const t = (await lens.first().textContent()) ?? '';
    assert.match(t, /BOOT_FDT · 0x00c00000 · 4 MiB/);
    await screenshot(ctx.page, SHOTS, 'light-today-codelens');
  });
  test('Problems: nothing (no x86/ppc config.h, no stubdom patch, no Cache-colored row)', async () => {
    const text = await problemsText(ctx.page);
    assert.doesNotMatch(text, /comment-map-mismatch|diffstat|overlap|misaligned|unknown-macro|window-capacity/);
    await screenshot(ctx.page, SHOTS, 'light-today-problems');
  });
  test('the trees say the core cannot model this tree; arm64 switch', async () => {
    await ctx.page.locator(sel.activityItem('Xen Memory')).click();
    await ctx.page.getByText('The emulation models only the 2013 arm32 map').first().waitFor({ timeout: 30_000 });
    await screenshot(ctx.page, SHOTS, 'light-today-trees');
    await runCommand(ctx.page, 'Xen Memory: Switch Layout Arch (arm32/arm64)');
    await ctx.page.locator(sel.statusItem('arm64')).waitFor({ timeout: 20_000 });
    await openFile(ctx.page, 'xen/arch/arm/include/asm/mmu/layout.h');
    await gotoLine(ctx.page, 75);
    await ctx.page
      .locator('.contentWidgets .codelens-decoration', { hasText: 'arm64 · BOOT_FDT' })
      .first()
      .waitFor({ timeout: 30_000 });
    // the arm64 value in full (48-bit), and its root slot as Xen's comment counts it — not an arm32 xen_second slot
    assert.match(
      (await ctx.page
        .locator('.contentWidgets .codelens-decoration', { hasText: 'arm64 · BOOT_FDT' })
        .first()
        .textContent()) ?? '',
      /arm64 · BOOT_FDT · 0x0a0000c00000 · 4 MiB · L0 slot 20/,
    );
    // every lens of the file follows the switch (LIVEPATCH_VMAP, under #ifdef CONFIG_LIVEPATCH, too)
    await ctx.page
      .locator('.contentWidgets .codelens-decoration', { hasText: 'arm64 · LIVEPATCH_VMAP' })
      .first()
      .waitFor({ timeout: 30_000 });
    assert.equal(await ctx.page.locator('.contentWidgets .codelens-decoration', { hasText: 'arm32 ·' }).count(), 0);
    await screenshot(ctx.page, SHOTS, 'light-today-arm64');
  });
});
