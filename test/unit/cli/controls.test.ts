// Issue 13 item 8: text from files (a patch's Subject/From, header macro names and comment rows,
// scenario names) must not reach the terminal as control sequences. Every command's text output
// and every error line goes through main's filter; JSON stays valid JSON with the same strings.
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import type { CliIo } from '../../../src/cli/io';
import { visibleControls, jsonVisible } from '../../../src/core';

const ESC = '\x1b';
const CSI8 = '\x9b'; // C1 CSI
const RLO = '\u202e';
const HOSTILE = `${ESC}[2J${ESC}]0;pwned\x07${CSI8}31m${RLO}evil\r`;
// anything a terminal acts on: C0 but \t and \n, DEL, C1, bidi controls; a CR not part of CRLF
// eslint-disable-next-line no-control-regex -- the test looks for control characters
const RAW = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/;

function io(files: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const x: CliIo = {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    readFile: (p) => {
      if (!(p in files)) throw new Error(`no ${p}`);
      return files[p]!;
    },
  };
  return { io: x, out, err, all: () => [...out, ...err].join('\n') };
}

const patchText = [
  'From 1234 Mon Sep 17 00:00:00 2001',
  `From: Mallory ${HOSTILE} <m@example.org>`,
  `Subject: [PATCH] ${HOSTILE}`,
  '',
  '---',
  '--- a/xen/include/asm-arm/config.h',
  '+++ b/xen/include/asm-arm/config.h',
  '@@ -1,1 +1,2 @@',
  ' #define A 1',
  `+#define EVIL${ESC}[31m_VIRT_START 0x10000000 /* ${HOSTILE} */`,
  '',
].join('\n');
const header = `/* ${HOSTILE} */\n#define FOO_VIRT_START 0x00200000\n#define FOO_VIRT_END 0x${'1'}0000000 /* ${HOSTILE} */\n#define BAD${ESC}[31m_VIRT_START 0x${RLO}\n`;
const scenario = JSON.stringify({
  name: `x${HOSTILE}`,
  description: HOSTILE,
  domains: [{ name: 'A', ramSize: '16M' }],
  steps: [{ op: 'schedule', domain: 'A' }],
});

describe('visibleControls', () => {
  it('turns ESC, BEL, C1 CSI, RLO and a lone CR into visible escapes; keeps \\n, \\t and CRLF', () => {
    expect(visibleControls(`a${ESC}[2Jb`)).toBe('a\\x1b[2Jb');
    expect(visibleControls('\x07\x9b\u202e\u2066')).toBe('\\x07\\x9b\\u202e\\u2066');
    expect(visibleControls('a\rb')).toBe('a\\x0db');
    expect(visibleControls('l1\r\nl2\n\tx')).toBe('l1\r\nl2\n\tx');
    expect(visibleControls('é ü 日本 0x8000_0000')).toBe('é ü 日本 0x8000_0000');
  });
  it('jsonVisible keeps JSON parseable to the same string', () => {
    const s = `${CSI8}${RLO}x${ESC}`;
    const j = jsonVisible(JSON.stringify({ s }));
    expect(j).not.toMatch(RAW);
    expect(JSON.parse(j).s).toBe(s);
  });
});

describe('every command prints hostile file text escaped', () => {
  const files = { 'p.mbox': patchText, 'config.h': header, 's.json': scenario };
  const cases: Array<[string, string[]]> = [
    ['patch', ['patch', 'p.mbox']],
    ['patch --json', ['patch', 'p.mbox', '--json']],
    ['layout', ['layout', 'config.h']],
    ['layout --json', ['layout', 'config.h', '--json']],
    ['lint', ['lint', 'config.h']],
    ['lint --json', ['lint', 'config.h', '--json']],
    ['trace', ['trace', '--scenario', 's.json']],
    ['trace --json', ['trace', '--scenario', 's.json', '--json']],
    ['an error naming a hostile argument', ['resolve', `0x${ESC}[31m`]],
    ['an unknown command', [`x${ESC}[31m`]],
  ];
  it.each(cases)('%s', async (_name, argv) => {
    const f = io(files);
    const code = await main(argv, f.io);
    const text = f.all();
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toMatch(RAW);
    if (argv.includes('--json') && code === 0) expect(() => JSON.parse(f.out.join(''))).not.toThrow();
  });
  it('the hostile text is still there, visibly (trace names the scenario)', async () => {
    const f = io(files);
    expect(await main(['trace', '--scenario', 's.json'], f.io)).toBe(0);
    expect(f.out.join('\n')).toContain('x\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m\\u202eevil\\x0d');
  });
});

describe('xenlens with no arguments (issue 13 item 9)', () => {
  it('prints the usage on stderr, nothing on stdout, exit 2', async () => {
    const f = io({});
    expect(await main([], f.io)).toBe(2);
    expect(f.out).toEqual([]);
    expect(f.err.join('')).toMatch(/^xenlens — .*\n\nusage: xenlens <command>/);
  });
  it('--help prints it on stdout, exit 0', async () => {
    const f = io({});
    expect(await main(['--help'], f.io)).toBe(0);
    expect(f.err).toEqual([]);
    expect(f.out.join('')).toMatch(/usage: xenlens <command>/);
  });
});

describe('host RAM errors name the argument (issue 13 item 9)', () => {
  it.each(['128K', '3M', '513M'])('--host-ram %s', async (v) => {
    const f = io({});
    expect(await main(['resolve', '0x80001000', '--host-ram', v], f.io)).toBe(2);
    expect(f.err.join('')).toMatch(
      /^xenlens resolve: --host-ram: \d+ is not a multiple of 2 MiB from 512 MiB to 64 GiB/,
    );
  });
  it('a scenario names its hostRam field', async () => {
    const s = JSON.stringify({ hostRam: '3M', domains: [{ name: 'A', ramSize: '16M' }], steps: [] });
    const f = io({ 's.json': s });
    expect(await main(['trace', '--scenario', 's.json'], f.io)).toBe(2);
    expect(f.err.join('')).toMatch(/s\.json: hostRam: 3145728 is not a multiple of 2 MiB/);
  });
});

describe('layout: an evaluator limit is named, not reported as "no region macros" (issue 13 item 9)', () => {
  it('a macro doubling 40 times (2^40 expansions) hits the expansion limit', async () => {
    const lines = ['#define A0 1'];
    for (let i = 1; i < 40; i++) lines.push(`#define A${i} (A${i - 1}+A${i - 1})`);
    lines.push('#define XEN_VIRT_START A39');
    const f = io({ 'lim.h': lines.join('\n') + '\n' });
    expect(await main(['layout', '--config', 'lim.h'], f.io)).toBe(2);
    const e = f.err.join('');
    expect(e).toMatch(
      /no region could be evaluated, an evaluator limit was hit: .*XEN_VIRT_START: more than \d+ macro expansions/,
    );
    expect(e).not.toMatch(/no region macros/);
  });
});
