// E2E: the memory map at the width of a side panel (300, 400 px) and of an editor (1000 px), in the
// dark and the light theme, in a real VS Code (code-server) + Chromium. Inside the webview frame:
// every label of the SVG is at least 11 px and no two labels' boxes overlap (getBoundingClientRect).
// Screenshots: test/e2e/artifacts/map-<theme>-<width>.png
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, startCodeServer } from '../../scripts/code-server.mjs';
import { launchBrowser, openWorkbench, runCommand, sel, setColorTheme } from './vscode.mjs';

const SHOTS = path.join(ROOT, 'test/e2e/artifacts');

describe('the map at 300, 400 and 1000 px', { timeout: 300_000 }, () => {
  let server, browser, page, tmp;

  const view = () =>
    page
      .frameLocator(`${sel.webviewFrame(server.extensionId)}:not([src*="purpose=webviewView"])`)
      .frameLocator('iframe#active-frame');

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xen-map-e2e-'));
    const workspace = path.join(tmp, 'demo');
    fs.cpSync(path.join(ROOT, 'demo'), workspace, {
      recursive: true,
      filter: (s) => !s.includes(`${path.sep}.vscode`),
    });
    server = await startCodeServer({
      dir: tmp,
      workspace,
      settings: { 'workbench.colorTheme': 'Default Dark Modern', 'workbench.editor.enablePreview': false },
    });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await openWorkbench(page, server.workbenchUrl, { readySelector: sel.activityItem('Xen Memory') });
    await runCommand(page, 'View: Close Primary Side Bar');
    await runCommand(page, 'Xen Memory: Show Memory Map');
    await view().locator('g.region[data-name="VMAP"]').waitFor({ timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** the map's width inside the webview */
  const mapWidth = () =>
    view()
      .locator('main#map')
      .evaluate((m) => m.clientWidth);

  /** resize the browser until the webview's body is `target` px wide (the map fills the editor) */
  async function resizeTo(target) {
    let vw = page.viewportSize().width;
    for (let i = 0; i < 4; i++) {
      const body = await view()
        .locator('body')
        .evaluate((b) => b.getBoundingClientRect().width);
      if (Math.abs(body - target) <= 2) break;
      vw = Math.max(200, Math.round(vw + target - body));
      await page.setViewportSize({ width: vw, height: 900 });
      await page.waitForTimeout(600);
    }
  }

  /** every SVG text: font size and box; pairs that overlap */
  async function measure() {
    return view()
      .locator('main#map > svg')
      .evaluate((svg) => {
        const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent);
        const boxes = texts.map((t) => {
          const r = t.getBoundingClientRect();
          return {
            text: t.textContent,
            px: parseFloat(getComputedStyle(t).fontSize),
            x0: r.left,
            x1: r.right,
            y0: r.top,
            y1: r.bottom,
          };
        });
        const svgBox = svg.getBoundingClientRect();
        const overlaps = [];
        for (let i = 0; i < boxes.length; i++)
          for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i];
            const b = boxes[j];
            // 0.5 px of slack: glyph boxes of adjacent lines may touch
            if (a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5)
              overlaps.push(`${a.text} × ${b.text}`);
          }
        const small = boxes.filter((b) => b.px < 11).map((b) => `${b.text} ${b.px}px`);
        const outside = boxes.filter((b) => b.x1 > svgBox.right + 1 || b.x0 < svgBox.left - 1).map((b) => b.text);
        return {
          count: boxes.length,
          overlaps,
          small,
          outside,
          scale: svgBox.width / Number(svg.getAttribute('width')),
        };
      });
  }

  for (const theme of ['Default Dark Modern', 'Default Light Modern']) {
    const short = theme.includes('Dark') ? 'dark' : 'light';
    test(`${short}: labels ≥ 11 px, none overlapping, at 300, 400 and 1000 px`, async () => {
      if (short === 'light') {
        await page.setViewportSize({ width: 1100, height: 900 });
        await setColorTheme(page, theme);
      }
      for (const width of [1000, 400, 300]) {
        await resizeTo(width);
        const w = await mapWidth();
        const m = await measure();
        fs.mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SHOTS, `map-${short}-${width}.png`) });
        if (width === 300) {
          // the webview alone, for docs/screenshots (README)
          const frame = page.locator(`${sel.webviewFrame(server.extensionId)}:not([src*="purpose=webviewView"])`);
          const b = await frame.boundingBox();
          const clip = { x: b.x, y: b.y, width: b.width, height: Math.min(b.height, 760) };
          await page.screenshot({ path: path.join(SHOTS, `readme-map-narrow-${short}.png`), clip });
        }
        assert.ok(m.count > 20, `labels drawn at ${width} px: ${m.count}`);
        assert.ok(Math.abs(m.scale - 1) < 0.01, `the SVG is drawn 1:1 at ${width} px (scale ${m.scale}, map ${w} px)`);
        assert.deepEqual(m.small, [], `labels under 11 px at ${width} px`);
        assert.deepEqual(m.overlaps, [], `overlapping labels at ${width} px`);
        assert.deepEqual(m.outside, [], `labels outside the map at ${width} px`);
      }
    });
  }
});
