// Issue 11: the layering and security rules are kept by ESLint (eslint.config.mjs), not by regular expressions
// over the source. Each ban is proved here: a small snippet, linted with the project's own config as if it were
// a file in the folder named, must get exactly the error expected, and an allowed import must get none.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
const eslint = new ESLint({ cwd: root });

/** Lint `code` as the (not existing) file `filePath`; returns "ruleId: message" per problem. */
async function lint(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const use = (name: string) => `export const used = ${name};\n`;

describe('src/core imports neither vscode nor Node built-ins', () => {
  it.each([
    [`import { readFileSync } from 'node:fs';\n${use('readFileSync')}`, 'node:fs'],
    [`import * as fs from 'fs';\n${use('fs')}`, 'fs'],
    [`export { join } from 'path';\n`, 'path'],
    [`import { Worker } from 'node:worker_threads';\n${use('Worker')}`, 'node:worker_threads'],
  ])('%s', async (code, mod) => {
    const errors = await lint('src/core/snippet.ts', code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^no-restricted-imports: /);
    expect(errors[0]).toContain(
      mod.startsWith('node:') ? 'Node built-ins are not available here: src/core is pure' : `Node built-in \`${mod}\``,
    );
  });
  it('vscode', async () => {
    expect(await lint('src/core/deep/snippet.ts', `import * as vscode from 'vscode';\n${use('vscode')}`)).toEqual([
      "no-restricted-imports: 'vscode' import is restricted from being used. `vscode` is not available here: src/core is pure TypeScript (it also runs in the browser); let the caller do I/O and pass data in",
    ]);
  });
  it('console (the core reports, never prints)', async () => {
    expect(await lint('src/core/snippet.ts', `console.log('x');\n`)).toEqual([
      'no-console: Unexpected console statement.',
    ]);
  });
  it('its own modules are fine', async () => {
    expect(await lint('src/core/snippet.ts', `import { InputError } from './errors';\n${use('InputError')}`)).toEqual(
      [],
    );
  });
});

describe('src/webview: no Node built-ins, no vscode, DOM from text only', () => {
  it('Node built-ins', async () => {
    const errors = await lint('src/webview/snippet.ts', `import path from 'node:path';\n${use('path')}`);
    expect(errors).toEqual([
      "no-restricted-imports: 'node:path' import is restricted from being used by a pattern. Node built-ins are not available here: src/webview runs in the webview (a browser); ask the extension host by message",
    ]);
  });
  it('vscode', async () => {
    const errors = await lint('src/webview/snippet.ts', `import { window } from 'vscode';\n${use('window')}`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^no-restricted-imports: .*`vscode` is not available here: src\/webview/);
  });
  it.each([
    ['el.innerHTML = s', 'innerHTML'],
    ['el.outerHTML = s', 'outerHTML'],
    ["el.insertAdjacentHTML('beforeend', s)", 'insertAdjacentHTML'],
    ['document.createRange().createContextualFragment(s)', 'createContextualFragment'],
    ['document.write(s)', 'document.write'],
  ])('%s', async (stmt, what) => {
    const errors = await lint(
      'src/webview/snippet.ts',
      `export function f(el: HTMLElement, s: string) {\n  ${stmt};\n  return el;\n}\n`,
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^no-restricted-properties: /);
    expect(errors[0]).toContain(`Webviews build the DOM with text only (issue 8): no ${what}`);
  });
  it('new DOMParser()', async () => {
    expect(await lint('src/webview/snippet.ts', `export const d = new DOMParser();\n`)).toEqual([
      "no-restricted-globals: Unexpected use of 'DOMParser'. Webviews build the DOM with text only (issue 8): no DOMParser",
    ]);
  });
  it('textContent is fine', async () => {
    expect(
      await lint(
        'src/webview/snippet.ts',
        `export function f(el: HTMLElement, s: string) {\n  el.textContent = s;\n}\n`,
      ),
    ).toEqual([]);
  });
});

describe('src/cli: no vscode (Node built-ins are fine)', () => {
  it('vscode', async () => {
    const errors = await lint('src/cli/snippet.ts', `import * as vscode from 'vscode';\n${use('vscode')}`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^no-restricted-imports: .*src\/cli is a Node program/);
  });
  it('node:fs is fine', async () => {
    expect(await lint('src/cli/snippet.ts', `import { readFileSync } from 'node:fs';\n${use('readFileSync')}`)).toEqual(
      [],
    );
  });
});

describe('shipped code executes nothing from the workspace (issue 8)', () => {
  it.each(['src/extension', 'src/cli', 'src/core', 'src/webview'])('%s: no vm, no child_process', async (dir) => {
    for (const mod of ['node:vm', 'child_process']) {
      const errors = await lint(`${dir}/snippet.ts`, `import * as m from '${mod}';\n${use('m')}`);
      expect(errors.length, `${dir} ${mod}`).toBeGreaterThanOrEqual(1);
      expect(errors.join('\n'), `${dir} ${mod}`).toMatch(
        /no-restricted-imports: .*(Nothing from the workspace is executed|Node built-in)/,
      );
    }
  });
  it.each([
    ["eval('1')", 'no-eval'],
    ["new Function('return 1')", 'no-new-func'],
    ["setTimeout('alert(1)', 0)", 'no-implied-eval'],
  ])('%s', async (expr, rule) => {
    const errors = await lint('src/extension/snippet.ts', `export const x = ${expr};\n`);
    expect(errors.map((e) => e.split(':')[0])).toEqual([rule]);
  });
  it('Math.random (nonces come from crypto.getRandomValues)', async () => {
    expect(await lint('src/extension/webviewHtml.ts', `export const n = Math.random();\n`)).toEqual([
      "no-restricted-properties: 'Math.random' is restricted from being used. Not for nonces or ids: use crypto.getRandomValues (issue 8)",
    ]);
  });
  it('vscode is fine in src/extension', async () => {
    expect(await lint('src/extension/snippet.ts', `import * as vscode from 'vscode';\n${use('vscode')}`)).toEqual([]);
  });
});
