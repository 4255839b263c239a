// Issue 8, "Security": each rule below has a test that fails when the rule is broken.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, nonce, webviewShell, WEBVIEW_ROOTS } from '../../../src/extension/webviewHtml';
import { CMD, HOVER_COMMANDS } from '../../../src/extension/ids';
import { hoverMarkdown } from '../../../src/extension/markdown';
import { isFromWebview } from '../../../src/webview/protocol';
import { isFromScenarioWebview } from '../../../src/webview/scenarioProtocol';
import { parseHeaders } from '../../../src/core/layout/header';

const root = new URL('../../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

describe('webview HTML and CSP', () => {
  const shell = webviewShell({
    cspSource: 'https://x.vscode-cdn.net',
    nonce: 'N0nce',
    css: 'https://x.vscode-cdn.net/media/map.css',
    script: 'https://x.vscode-cdn.net/dist/webview/map.js',
    title: 'T',
    body: '<main id="map"></main>',
  });
  const csp = /Content-Security-Policy" content="([^"]*)"/.exec(shell)![1]!;

  it("starts from default-src 'none' and allows scripts only by nonce", () => {
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k!, v]),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'nonce-N0nce'"]);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*|data:|http:/);
    expect(contentSecurityPolicy('S', 'n')).toBe(
      csp.replace(/https:\/\/x\.vscode-cdn\.net/g, 'S').replace('N0nce', 'n'),
    );
  });

  it('has no inline script, no inline style, no event-handler attribute', () => {
    const scripts = [...shell.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]![1]).toMatch(/nonce="N0nce"/);
    expect(scripts[0]![1]).toMatch(/src="/);
    expect(scripts[0]![2]).toBe('');
    expect(shell).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });

  it('escapes what it puts in attributes', () => {
    const evil = webviewShell({
      cspSource: 's',
      nonce: 'n',
      css: '"><script>x</script>',
      script: 'a"b',
      title: '</title><script>',
      body: '',
    });
    expect(evil).not.toContain('"><script>x');
    expect(evil).not.toContain('</title><script>');
    expect(evil.match(/<script/g)).toHaveLength(1);
  });

  it('nonces come from crypto.getRandomValues: fresh, 128-bit, hex only', () => {
    const seen = new Set(Array.from({ length: 200 }, () => nonce()));
    expect(seen.size).toBe(200);
    for (const n of seen) expect(n).toMatch(/^[0-9a-f]{32}$/);
    const src = readFileSync(join(root, 'src/extension/webviewHtml.ts'), 'utf8');
    expect(src).toMatch(/crypto\.getRandomValues/); // and never Math.random: eslint.config.mjs (no-restricted-properties)
  });

  it('resource roots are media/ and dist/ only, and every webview uses them', () => {
    expect([...WEBVIEW_ROOTS]).toEqual(['media', 'dist']);
    for (const f of ['src/extension/mapPanel.ts', 'src/extension/scenarioView.ts']) {
      const text = readFileSync(join(root, f), 'utf8');
      expect(text, f).toMatch(/localResourceRoots: WEBVIEW_ROOTS\.map/);
      expect(text, f).toMatch(/webviewShell\(/);
      expect(text, f).not.toMatch(/Content-Security-Policy/);
    }
  });
});

// Webview code builds the DOM with text only (no innerHTML, insertAdjacentHTML, document.write, DOMParser, ...):
// kept by eslint.config.mjs, proved in test/unit/tooling/eslint.test.ts.

describe('messages from webviews are validated by type; unknown ones are ignored', () => {
  it('map messages', () => {
    for (const bad of [
      null,
      1,
      'openRegion',
      {},
      { type: 'nope' },
      { type: 'openRegion' },
      { type: 'openRegion', name: 1 },
      { type: '__proto__' },
    ])
      expect(isFromWebview(bad)).toBe(false);
  });
  it('scenario messages', () => {
    for (const bad of [null, 'step', {}, { type: 'nope' }, { type: 'step', delta: 'x' }, { type: 'constructor' }])
      expect(isFromScenarioWebview(bad)).toBe(false);
  });
});

describe('hover command links', () => {
  it('trust only our own commands, by name', () => {
    const ours = new Set<string>(Object.values(CMD));
    expect(HOVER_COMMANDS.length).toBeGreaterThan(0);
    for (const c of HOVER_COMMANDS) expect(ours.has(c)).toBe(true);
    const hovers = readFileSync(join(root, 'src/extension/hovers.ts'), 'utf8');
    expect(hovers).toMatch(/isTrusted = \{ enabledCommands: \[\.\.\.HOVER_COMMANDS\] \}/);
    expect(hovers).not.toMatch(/isTrusted = true|supportHtml = true/);
  });
  it('a file cannot smuggle a command link or HTML into a hover', () => {
    const md = hoverMarkdown({
      text: '[x](command:workbench.action.terminal.new) <img src=x onerror=alert(1)>',
      value: 0x1000,
      guest: { name: 'd1', ramBase: 0, ramSize: 4096 },
      gpa: null,
      va: null,
    });
    for (const m of md.matchAll(/\(command:([\w.]+)/g)) expect(HOVER_COMMANDS as readonly string[]).toContain(m[1]);
    expect(md).not.toMatch(/<img/);
  });
});

describe('nothing from the workspace is executed', () => {
  // no eval / new Function / vm / child_process in the shipped code: eslint.config.mjs, proved in
  // test/unit/tooling/eslint.test.ts
  it('the macro evaluator is a parser: JavaScript in a #define is an unknown macro, not code', () => {
    const layout = parseHeaders(
      [
        {
          path: 'x.h',
          text: '#define FOO_VIRT_START (process.exit(1), 0x1000)\n#define BAR_VIRT_START constructor\n#define BAR_VIRT_END (BAR_VIRT_START + 1)\n',
        },
      ],
      { arch: 'arm32' },
    );
    expect(layout.regions.find((r) => r.name === 'FOO')).toBeUndefined();
    expect(layout.warnings.join('\n')).toMatch(/FOO_VIRT_START/);
    expect(layout.warnings.join('\n')).toMatch(/constructor/);
  });
  it('macro names that are Object.prototype keys are plain names (once crashed the evaluator)', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      const l = parseHeaders(
        [{ path: 'x.h', text: `#define Q_VIRT_START ${name}\n#define Q_VIRT_END (Q_VIRT_START + 0x1000)\n` }],
        { arch: 'arm32' },
      );
      expect(l.regions.find((r) => r.name === 'Q')).toBeUndefined();
      expect(l.warnings.join('\n')).toContain(name);
    }
  });
});

describe('workspace trust', () => {
  it('declares limited Restricted Mode support: path-valued settings come from user settings only', () => {
    const trust = pkg.capabilities.untrustedWorkspaces;
    expect(trust.supported).toBe('limited');
    expect(trust.description).toMatch(/Restricted Mode/);
    // every setting that names a file (a string setting described as a path) is restricted
    const props = pkg.contributes.configuration.properties as Record<
      string,
      { type: string; markdownDescription?: string; description?: string }
    >;
    const paths = Object.entries(props)
      .filter(([, p]) => p.type === 'string' && /\bpath\b/i.test(p.markdownDescription ?? p.description ?? ''))
      .map(([k]) => k);
    expect(paths).toEqual(['xenMemory.layoutSource']);
    expect(trust.restrictedConfigurations).toEqual(paths);
  });
  it('activates on its views, commands and languages only, never on *', () => {
    expect(pkg.activationEvents ?? []).not.toContain('*');
    expect(pkg.activationEvents ?? []).not.toContain('onStartupFinished');
  });
});
