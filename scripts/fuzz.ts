/**
 * npm run fuzz -- [--cases N] [--seed S]   (issue 8 "Fuzzed readers", style.md §6)
 *
 * Generated and mutated inputs for the number parser, the header parser (+ lints), the patch
 * reader and the scenario reader: truncations, random bytes, huge numbers, deep macro
 * recursion and cycles, 10 MiB lines (a few cases), NUL bytes, CRLF, invalid UTF-8 (bytes
 * decoded with TextDecoder as an editor would), seeds from test/fixtures/**.
 *
 * Contract (after msgpack's fuzz target): only InputError may escape, or a normal return; after
 * an InputError the same reader still answers a good input as before. Anything else, or a case
 * that takes far longer than its size allows, is a crash: it is minimized, written to
 * test/fixtures/fuzz-crashes/<hash>.txt and the run exits 1. A hung case is caught by a watchdog
 * in the main thread (cases run in a worker). Then time per MiB is measured on growing inputs of
 * each reader and the worst case is reported.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { InputError } from '../src/core/errors';
import { parseNumber } from '../src/core/numbers';
import { parseHeaders } from '../src/core/layout/header';
import { lintHeaders, lintLayout } from '../src/core/layout/lint';
import { SEED_BASE_CONFIG_H, seededConfigH } from '../src/core/layout/seedHeader';
import { readPatch } from '../src/core/patch/readPatch';
import { isPatchFile, patchFindingLines } from '../src/extension/patchText';
import { parseScenario } from '../src/core/scenario/parse';
import { BUILTINS } from '../src/core/scenario/builtins';
import { DEFAULT_COSTS } from '../src/core/scenario/types';
import { hash32, intArg, Rng } from './lib/rng';

export const READERS = ['number', 'header', 'patch', 'scenario'] as const;
export type Reader = (typeof READERS)[number];

const MiB = 1024 * 1024;

/** One fuzz input: the text a reader gets, plus the options that go with it. */
export interface FuzzCase {
  index: number;
  reader: Reader;
  /** how it was made, for the report */
  how: string;
  text: string;
  /** number parser: its options; header: the arch */
  opts: { size?: boolean; max?: number; arch?: 'arm32' | 'arm64'; lintBoth?: boolean; json?: boolean };
}

export type Outcome = { kind: 'ok' } | { kind: 'input-error' } | { kind: 'crash'; error: string; stack: string };

// ---------------------------------------------------------------------------------------------
// Seeds

export interface Seeds {
  header: string[];
  patch: string[];
  scenario: string[];
  number: string[];
}

function readDir(dir: string): string[] {
  if (!existsSync(dir)) return [];
  // files only: subdirectories (test/fixtures/patches/history/) hold suites of their own
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

/** Seeds from test/fixtures/** (headers, patches) plus the embedded header and built-in scenarios. */
export function loadSeeds(root: string): Seeds {
  const header = [SEED_BASE_CONFIG_H, seededConfigH(), ...readDir(join(root, 'test/fixtures/headers'))];
  const patch = readDir(join(root, 'test/fixtures/patches'));
  const scenario = Object.values(BUILTINS).map((b) => JSON.stringify(b.json, null, 2));
  const number = [
    '0x80000000',
    '0x8000_0000',
    '0x80000000ULL',
    '2147483648',
    '512M',
    '62G',
    '64GiB',
    '4K',
    '1T',
    '0x1p3',
    '0',
    '0x',
    '1_000',
    ' 12 ',
    '0X7fffffffffffff',
    '9007199254740991',
    '9007199254740992',
    '0x20000000000000',
    '12ul',
    '3LL',
    '0x10M',
    '1.5G',
    '-1',
    '+4',
  ];
  return { header, patch, scenario, number };
}

// ---------------------------------------------------------------------------------------------
// Mutations

const HUGE = [
  '0xffffffffffffffffffffffffffffffff',
  '99999999999999999999999999',
  '1e400',
  '-0x8000000000000000',
  '0x' + 'f'.repeat(200),
  '9'.repeat(400),
  '1' + '0'.repeat(30) + 'ULL',
  '(1 << 127)',
  '1 << 129',
];

const DICT: Record<Reader, string[]> = {
  number: [
    '0x',
    '_',
    'ULL',
    'u',
    'L',
    'K',
    'M',
    'G',
    'T',
    'i',
    'B',
    'iB',
    ' ',
    '\t',
    '٣',
    '０',
    '\u00a0',
    'e',
    '.',
    '-',
    '+',
    'x',
  ],
  header: [
    '#define ',
    '#if ',
    '#ifdef X\n',
    '#else\n',
    '#elif 1\n',
    '#endif\n',
    '#undef ',
    '#include <x.h>\n',
    '/*',
    '*/',
    '//',
    '\\\n',
    '(',
    ')',
    ',',
    '<<',
    '>>',
    '?',
    ':',
    'defined(',
    '_AT(vaddr_t, ',
    '_AC(',
    'MB(',
    'GB(',
    'SLOT0(',
    '_VIRT_START',
    '_VIRT_END',
    '_SIZE',
    'FIXMAP_ADDR(',
    '0x',
    ' - ',
    'ARM32 layout:\n',
    ' *  32M - 128M   Frametable\n',
    ' * 0x0000800000000000 - 0x000084ffffffffff (5TB) Direct\n',
    '"',
    "'",
    '##',
    '#',
  ],
  patch: [
    '\n@@ -1,3 +1,4 @@\n',
    '\n--- a/xen/include/asm-arm/config.h\n+++ b/xen/include/asm-arm/config.h\n',
    '\ndiff --git a/x b/x\n',
    '\n+',
    '\n-',
    '\n ',
    '\n\\ No newline at end of file\n',
    'From: ',
    'Subject: ',
    'Content-Transfer-Encoding: quoted-printable\n',
    'Content-Transfer-Encoding: base64\n',
    'Content-Type: multipart/mixed; boundary="b"\n',
    '\n--b\n',
    '=?UTF-8?Q?=F4=90=80=80?=',
    '=?utf-8?B?9JCAgA==?=',
    '=F4=90=80=80',
    '=\n',
    '\u00a0',
    ' | 12 ++--\n',
    ' 3 files changed, 1 insertion(+), 2 deletions(-)\n',
    '[xen-devel]',
    'Signed-off-by: ',
    '\r',
  ],
  scenario: [
    '{',
    '}',
    '[',
    ']',
    '"',
    ':',
    ',',
    'null',
    'true',
    '"__proto__"',
    '"constructor"',
    '"toString"',
    '"0x80000000"',
    '"512M"',
    '1e400',
    '-0',
    '"op"',
    '"write"',
    '"gpas"',
    '"domains"',
    '"steps"',
    '"costs"',
    '"cpus"',
    '\\u0000',
    '\\ud800',
  ],
};

function randomChar(rng: Rng): string {
  switch (rng.weighted([50, 10, 10, 8, 8, 6, 4, 4])) {
    case 0:
      return String.fromCharCode(rng.range(0x20, 0x7e));
    case 1:
      return rng.pick(['\n', '\r\n', '\r', '\t', ' ']);
    case 2:
      return '\0';
    case 3:
      return String.fromCharCode(rng.range(0x80, 0xff));
    case 4:
      return String.fromCharCode(rng.range(0x100, 0xffff)); // includes lone surrogates
    case 5:
      return '\ufffd';
    case 6:
      return '\ufeff';
    default:
      return String.fromCodePoint(rng.range(0x10000, 0x10ffff));
  }
}

/** bytes → string as an editor opens a file (invalid UTF-8 becomes U+FFFD) */
function decodeBytes(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

function mutateOnce(rng: Rng, s: string, reader: Reader, seeds: Seeds): [string, string] {
  const n = s.length;
  const at = (): number => rng.below(n + 1);
  switch (rng.below(17)) {
    case 0: {
      const p = at();
      return [s.slice(0, p), 'truncate'];
    }
    case 1: {
      const p = at();
      const q = Math.min(n, p + rng.range(1, 64));
      return [s.slice(0, p) + s.slice(q), 'delete'];
    }
    case 2: {
      const p = at();
      const q = Math.min(n, p + rng.range(1, 256));
      return [s.slice(0, q) + s.slice(p, q).repeat(rng.range(1, 50)) + s.slice(q), 'duplicate'];
    }
    case 3: {
      let ins = '';
      for (let k = rng.range(1, 16); k > 0; k--) ins += randomChar(rng);
      const p = at();
      return [s.slice(0, p) + ins + s.slice(p), 'random-chars'];
    }
    case 4: {
      const p = at();
      return [s.slice(0, p) + rng.pick(DICT[reader]) + s.slice(p), 'token'];
    }
    case 5:
      return [s.replace(/0x[0-9a-fA-F]+|\b\d+\b/, () => rng.pick(HUGE)), 'huge-number'];
    case 6: {
      const p = at();
      return [s.slice(0, p) + '\0'.repeat(rng.range(1, 8)) + s.slice(p), 'nul'];
    }
    case 7:
      return [s.replace(/\r?\n/g, '\r\n'), 'crlf'];
    case 8:
      return [s.replace(/\r?\n/g, '\r'), 'cr-only'];
    case 9: {
      // invalid UTF-8: flip, cut or inject bytes in the encoded text, then decode as an editor would
      const bytes = Buffer.from(s, 'utf8');
      const out = Buffer.alloc(bytes.length + 8);
      bytes.copy(out);
      let len = bytes.length;
      for (let k = rng.range(1, 4); k > 0; k--) {
        const bad = rng.pick([
          [0xff],
          [0xc0, 0x80],
          [0xed, 0xa0, 0x80],
          [0xf4, 0x90, 0x80, 0x80],
          [0xe2, 0x82],
          [0x80],
        ]);
        const p = rng.below(len + 1);
        if (len + bad.length > out.length) break;
        out.copy(out, p + bad.length, p, len);
        for (let b = 0; b < bad.length; b++) out[p + b] = bad[b]!;
        len += bad.length;
      }
      return [decodeBytes(out.subarray(0, len)), 'invalid-utf8'];
    }
    case 10: {
      const o = rng.pick(seeds[reader]);
      const p = at();
      return [s.slice(0, p) + o.slice(rng.below(o.length + 1)), 'splice'];
    }
    case 11: {
      const lines = s.split('\n');
      const i = rng.below(lines.length);
      lines.splice(i, 0, ...Array(rng.range(1, 30)).fill(lines[rng.below(lines.length)] ?? ''));
      return [lines.join('\n'), 'repeat-line'];
    }
    case 12: {
      const lines = s.split('\n');
      for (let k = 0; k < lines.length; k++) if (rng.chance(0.1)) lines[k] = '';
      return [lines.join('\n'), 'blank-lines'];
    }
    case 13: {
      const lines = s.split('\n');
      const i = rng.below(lines.length);
      const j = rng.below(lines.length);
      const t = lines[i]!;
      lines[i] = lines[j]!;
      lines[j] = t;
      return [lines.join('\n'), 'swap-lines'];
    }
    case 14: {
      const p = at();
      return [s.slice(0, p) + ' '.repeat(rng.range(100, 5000)) + s.slice(p), 'whitespace-run'];
    }
    case 15:
      return [s.replace(/ /g, () => (rng.chance(0.3) ? '\u00a0' : ' ')), 'nbsp'];
    default: {
      const p = at();
      return [s.slice(0, p) + rng.pick(HUGE) + s.slice(p), 'huge-number'];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Generators of hostile inputs that mutation alone rarely reaches

function deepHeader(rng: Rng): [string, string] {
  const depth = [10, 100, 500, 2000, 10_000, 50_000][rng.weighted([30, 30, 20, 12, 6, 2])]!;
  switch (rng.below(12)) {
    case 11:
      return [addrMacros(Math.min(depth, 20_000) * 52), `addr-macros(${Math.min(depth, 20_000)})`];
    case 10:
      return [overlappingRegions(Math.min(depth, 2000) * 60), `overlapping-regions(${Math.min(depth, 2000)})`];
    case 9:
      // one expensive macro referenced by many regions or #if lines (issue 13 item 2)
      return [
        expensiveMacro(rng.pick(['#define R{i}_VIRT_START A14\n', '#if A14\n#endif\n']), Math.min(depth, 5000) * 20),
        `expensive-macro-reused(${Math.min(depth, 5000)})`,
      ];
    case 0: {
      // a chain of macros M0 → M1 → … → Mdepth
      const lines = [`#define CHAIN_VIRT_START M0`];
      for (let i = 0; i < depth; i++) lines.push(`#define M${i} (M${i + 1} + 1)`);
      lines.push(`#define M${depth} 0x1000`);
      return [lines.join('\n'), `macro-chain(${depth})`];
    }
    case 1: {
      // cycles: self, pairs, long rings, function-like
      const k = Math.min(depth, 5000);
      const lines = [
        `#define SELF_VIRT_START SELF_VIRT_START`,
        `#define A_VIRT_START B_X`,
        `#define B_X A_VIRT_START`,
        `#define F(x) G(x)`,
        `#define G(x) F(x)`,
        `#define FN_VIRT_START F(1)`,
        `#define RING_VIRT_START R0`,
      ];
      for (let i = 0; i < k; i++) lines.push(`#define R${i} R${(i + 1) % k}`);
      return [lines.join('\n'), `macro-cycles(${k})`];
    }
    case 2:
      return [`#define PAREN_VIRT_START ${'('.repeat(depth)}1${')'.repeat(depth)}`, `deep-parens(${depth})`];
    case 3:
      return [
        `#define UNARY_VIRT_START ${rng.pick(['-', '~', '!', '+', '- '])!.repeat(depth)}1`,
        `deep-unary(${depth})`,
      ];
    case 4:
      return [
        `#define F(x) (x)\n#define CALL_VIRT_START ${'F('.repeat(depth)}1${')'.repeat(depth)}`,
        `nested-calls(${depth})`,
      ];
    case 5:
      return [
        `${'#if 1\n'.repeat(depth)}#define IF_VIRT_START 0x1000\n${'#endif\n'.repeat(rng.chance(0.5) ? depth : 0)}`,
        `nested-if(${depth})`,
      ];
    case 6: {
      // many regions
      const lines: string[] = [];
      for (let i = 0; i < depth; i++)
        lines.push(
          `#define R${i}_VIRT_START ${rng.chance(0.5) ? '0x' + (i * 0x200000).toString(16) : String(rng.below(2 ** 32))}`,
        );
      return [lines.join('\n'), `many-regions(${depth})`];
    }
    case 7: {
      // a long macro body and a long expression
      const body = Array.from({ length: depth }, () => String(rng.below(100))).join(
        rng.pick([' + ', ' << 0 + ', ' * 1 + ', ' | ']),
      );
      return [`#define LONG_VIRT_START (${body})\n#define LONG_VIRT_SIZE LONG_VIRT_START`, `long-body(${depth})`];
    }
    default: {
      // a comment map with many rows and long whitespace runs
      const rows: string[] = ['/*', ' * ARM32 layout:'];
      for (let i = 0; i < Math.min(depth, 5000); i++)
        rows.push(` *  ${i}M${' '.repeat(rng.range(1, 200))}-${' '.repeat(rng.range(0, 200))}${i + 1}M   Row ${i}`);
      rows.push(' */');
      for (let i = 0; i < Math.min(depth, 5000); i++) rows.push(`#define ROW${i}_VIRT_START ${i * MiB}`);
      return [rows.join('\n'), `comment-map(${depth})`];
    }
  }
}

/**
 * Issue 13 item 2: `A14` costs 32,767 expansions (A(i) = A(i-1) + A(i-1)), over the per-evaluation
 * limit; `use` (with `{i}` numbered) references it until the text is `bytes` long.
 */
export function expensiveMacro(use: string, bytes: number): string {
  let s = '#define A0 1\n';
  for (let i = 1; i <= 14; i++) s += `#define A${i} (A${i - 1}+A${i - 1})\n`;
  const parts = [s];
  let len = s.length;
  for (let i = 0; len < bytes; i++) {
    const u = use.replace('{i}', String(i));
    parts.push(u);
    len += u.length;
  }
  return parts.join('');
}

/**
 * Issue 13 item 3: regions that all overlap (each starts 2 MiB after the previous one, all end
 * at 0xFFE00000), `bytes` long: the number of overlapping pairs is quadratic.
 */
export function overlappingRegions(bytes: number): string {
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < bytes && i < 2046; i++) {
    const u = `#define R${i}_VIRT_START 0x${(i * 0x200000).toString(16)}\n#define R${i}_VIRT_END 0xffe00000\n`;
    parts.push(u);
    len += u.length;
  }
  return parts.join('');
}

/**
 * Issue 13 item 6: `n`-ish files in a diffstat whose every row disagrees with its diff (one
 * `diffstat-mismatch` finding each, placed on its row), `bytes` long.
 */
export function diffstatRows(bytes: number): string {
  const n = Math.max(1, Math.floor(bytes / 110));
  const rows: string[] = [];
  const diffs: string[] = [];
  for (let i = 0; i < n; i++) {
    rows.push(` xen/arch/arm/f${i}.c | 3 ++-\n`);
    diffs.push(`--- a/xen/arch/arm/f${i}.c\n+++ b/xen/arch/arm/f${i}.c\n@@ -1 +1 @@\n-a\n+b\n`);
  }
  return `Subject: [PATCH] many files\n\n---\n${rows.join('')} ${n} files changed, ${2 * n} insertions(+), ${n} deletions(-)\n\n${diffs.join('')}`;
}

/** Issue 13 item 6: `+++` file headers with no hunk after any of them (the detection scan), `bytes` long */
export const plusWithoutHunks = (bytes: number): string =>
  'Subject: [PATCH] x\n' + '+++ b/xen/include/asm-arm/config.h\n'.repeat(Math.max(1, Math.floor(bytes / 36)));

/** Issue 13 item 6: `bytes` of `<STEM>_ADDR(n)` macros (each a FIXMAP-style region start) */
export const addrMacros = (bytes: number): string =>
  Array.from(
    { length: Math.max(1, Math.floor(bytes / 52)) },
    (_, i) => `#define R${i}_ADDR(n) (0x${(i * 0x1000).toString(16)} + (n) * 4096)\n`,
  ).join('');

function hunkLines(rng: Rng, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++)
    out += rng.pick([
      '+#define X_VIRT_START 0x1000\n',
      '-#define XENHEAP_VIRT_START  _AT(vaddr_t,0x40000000)\n',
      ' \n',
      '\n',
      '+\n',
    ]);
  return out;
}

function deepPatch(rng: Rng, seeds: Seeds): [string, string] {
  const n = [10, 100, 1000, 20_000, 200_000][rng.weighted([30, 30, 25, 12, 3])]!;
  const head = '--- a/xen/include/asm-arm/config.h\n+++ b/xen/include/asm-arm/config.h\n';
  switch (rng.below(10)) {
    case 8:
      return [diffstatRows(Math.min(n, 20_000) * 110), `diffstat-rows(${Math.min(n, 20_000)})`];
    case 9:
      return [plusWithoutHunks(Math.min(n, 50_000) * 36), `plus-without-hunks(${Math.min(n, 50_000)})`];
    case 0:
      return [`${head}@@ -0,0 +1,${n} @@\n${'+#define X 1\n'.repeat(n)}`, `big-insertion(${n})`];
    case 1: {
      let s = head;
      for (let i = 0; i < Math.min(n, 20000); i++)
        s += `@@ -${i + 1},1 +${i + 1},1 @@\n-#define A${i} 1\n+#define A${i} 2\n`;
      return [s, `many-hunks(${Math.min(n, 20000)})`];
    }
    case 2: {
      // nested multipart
      const d = Math.min(n, 50_000);
      let s = 'From x@y Mon Sep 17 00:00:00 2001\nFrom: a\nSubject: s\n';
      for (let i = 0; i < d; i++) s += `Content-Type: multipart/mixed; boundary="b${i}"\n\n--b${i}\n`;
      s += `Content-Type: text/plain\n\n${head}@@ -1 +1 @@\n-a\n+b\n`;
      return [s, `nested-multipart(${d})`];
    }
    case 3: {
      // encoded words and QP bytes that decode to invalid code points
      const bad = rng.pick(['=F4=90=80=80', '=F7=BF=BF=BF', '=ED=A0=80', '=C0=80', '=FF', '=E2=82']);
      const s = `From x@y Mon Sep 17 00:00:00 2001\nFrom: =?UTF-8?Q?${bad}?= <a@b>\nSubject: =?utf-8?q?${bad}?=\nContent-Transfer-Encoding: quoted-printable\n\n${head}@@ -1 +1 @@\n-a${bad}\n+b${bad}\n`;
      return [s, `qp-invalid(${bad})`];
    }
    case 4:
      return [`${head}@@ -1,${n} +1,${n} @@\n${hunkLines(rng, n)}`, `mangled-hunk(${n})`];
    case 5:
      return [`${rng.pick(seeds.patch)}${'\n'.repeat(n)}Signed-off-by: ${' '.repeat(n)}x`, `blank-runs(${n})`];
    case 6:
      return [
        `${head}@@ -${rng.pick(HUGE)},${rng.pick(HUGE)} +1,${rng.pick(['0', '99999999999', '1'])} @@\n+x\n`,
        'huge-counts',
      ];
    default: {
      // a web-archive page: every line doubled, NBSPs
      const seed = rng.pick(seeds.patch);
      return [
        `[Xen-devel] page\n\n${seed
          .split('\n')
          .map((l) => l.replace(/ /g, '\u00a0'))
          .join('\n\n')
          .repeat(rng.range(1, Math.max(1, Math.floor(n / 100))))}`,
        'archive',
      ];
    }
  }
}

function deepScenario(rng: Rng): [string, string] {
  const n = [10, 1000, 50_000, 200_000][rng.weighted([40, 40, 15, 5])]!;
  switch (rng.below(8)) {
    case 0:
      return ['['.repeat(n) + ']'.repeat(n), `deep-array(${n})`];
    case 5:
      // issue 13 items 7 and 9: a byte-order mark, a name past the view's 64 characters
      return [
        `\ufeff{"name":"${'N'.repeat(rng.range(60, 70 + (n % 5000)))}","domains":[{"name":"A","ramSize":"16M"}],"steps":[{"op":"schedule","domain":"A"}]}`,
        `bom-long-name(${n})`,
      ];
    case 6:
      // issue 13 item 5: domains declaring far more guest RAM than the model can back
      return [
        `{"domains":[{"name":"A","ramSize":"960G","ramBase":"0x0"},{"name":"B","ramSize":"${rng.range(64, 200)}G","ramBase":"0x4000000000"},{"name":"C","ramSize":"512G","ramBase":"0x8000000000"}],"steps":[]}`,
        'huge-domains',
      ];
    case 1:
      return ['{"domains":'.repeat(Math.min(n, 100000)) + '1' + '}'.repeat(Math.min(n, 100000)), `deep-object(${n})`];
    case 2: {
      const gpas = Array.from({ length: n }, (_, i) => `"0x${(0x80000000 + i * 4096).toString(16)}"`).join(',');
      return [
        `{"domains":[{"name":"A","ramSize":"512M"}],"steps":[{"op":"write","domain":"A","gpas":[${gpas}]}]}`,
        `many-writes(${n})`,
      ];
    }
    case 3: {
      const steps = Array.from(
        { length: Math.min(n, 20_000) },
        () =>
          `{"op":"${rng.pick(['round', 'schedule', 'write', 'vmap', 'destroy'])}","domain":"A","cpu":${rng.pick(['0', '1', '"0x1"', '7', '1e400', '-1'])}}`,
      ).join(',');
      return [
        `{"cpus":2,"domains":[{"name":"A","ramSize":"512M"}],"steps":[${steps}]}`,
        `many-steps(${Math.min(n, 20000)})`,
      ];
    }
    case 4: {
      const key = rng.pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']);
      const where = rng.below(3);
      const obj =
        where === 0
          ? `{"${key}":{"x":1},"domains":[{"name":"A","ramSize":"512M"}],"steps":[]}`
          : where === 1
            ? `{"domains":[{"name":"A","ramSize":"512M","${key}":1}],"steps":[]}`
            : `{"domains":[{"name":"A","ramSize":"512M"}],"steps":[],"costs":{"${key}":1}}`;
      return [obj, `prototype-key(${key})`];
    }
    default:
      return [
        `{"name":"${'x'.repeat(n * 10)}","domains":[{"name":"${'\\u0000'.repeat(3)}","ramSize":"${'9'.repeat(rng.range(1, 80))}"}],"steps":[]}`,
        `long-strings(${n})`,
      ];
  }
}

/**
 * A hostile value for a path-valued setting (issue 13 item 1), for a workspace whose entries are
 * `names` (files, a directory, a FIFO, symlinks in and out, a loop): `..` climbs, absolute paths
 * in and out (`outside` is a directory beside the workspace, `root` the workspace itself),
 * device files, doubled and trailing slashes, `.` segments, NUL and encoded dots.
 */
export function settingPath(rng: Rng, names: readonly string[], root: string, outside: string): string {
  const parts: string[] = [];
  const n = rng.range(1, 6);
  for (let i = 0; i < n; i++)
    parts.push(
      rng.pick([...names, ...names, '..', '..', '.', '', '%2e%2e', '..\\', 'a\0b', '~', 'nope', names[0]! + '/'])!,
    );
  const rel = parts.join(rng.chance(0.9) ? '/' : '//');
  switch (rng.below(6)) {
    case 0:
      return `${root}/${rel}`;
    case 1:
      return `${outside}/${rng.pick(['secret.h', '', '../' + rel])}`;
    case 2:
      return rng.pick([
        '/dev/zero',
        '/dev/null',
        '/dev/stdin',
        '/proc/self/mem',
        '/',
        '/etc/passwd',
        `${root}/../${rel}`,
      ]);
    default:
      return rel;
  }
}

function randomNumber(rng: Rng): string {
  const alphabet = '0123456789abcdefABCDEFxX_kKmMgGtTiIbBuUlL \t.+-';
  let s = '';
  const len = rng.weighted([40, 30, 20, 10]);
  const n = [rng.range(0, 8), rng.range(8, 24), rng.range(24, 70), rng.range(70, 5000)][len]!;
  for (let i = 0; i < n; i++) s += rng.chance(0.9) ? alphabet[rng.below(alphabet.length)]! : randomChar(rng);
  if (rng.chance(0.3)) s = rng.pick(['0x', '', '0X']) + s;
  return s;
}

/** A 10 MiB line (a few cases only): the reader must refuse or read it in linear time. */
function tenMiBLine(rng: Rng, reader: Reader): string {
  const unit = rng.pick(['a', ' ', '0', '(', '\u00a0', '=', '\t', '-']);
  const line = unit.repeat(10 * MiB);
  switch (reader) {
    case 'header':
      return `#define BIG_VIRT_START ${line}\n`;
    case 'patch':
      return `--- a/xen/include/asm-arm/config.h\n+++ b/xen/include/asm-arm/config.h\n@@ -1 +1 @@\n-a\n+${line}\n`;
    case 'scenario':
      return `{"name":"${line.replace(/[^a0 ]/g, 'a')}","domains":[],"steps":[]}`;
    default:
      return line;
  }
}

/** Case `index` of `seed` (deterministic: the watchdog regenerates a hung case from its index). */
export function makeCase(seed: number, index: number, seeds: Seeds, light = false): FuzzCase {
  const rng = new Rng(hash32(`fuzz/${seed}/${index}`));
  const reader = READERS[index % READERS.length]!;
  const opts: FuzzCase['opts'] = {};
  if (reader === 'number') {
    opts.size = rng.chance(0.5);
    if (rng.chance(0.5)) opts.max = rng.pick([0, 8, 2 ** 32, 2 ** 40, 2 ** 40 - 1, Number.MAX_SAFE_INTEGER]);
  }
  if (reader === 'header') {
    opts.arch = rng.chance(0.5) ? 'arm32' : 'arm64';
    opts.lintBoth = rng.chance(0.1);
  }
  if (reader === 'scenario') opts.json = rng.chance(0.1);
  let text: string;
  const hows: string[] = [];
  if (!light && index % 25_000 === 24_999 - (index % 4)) {
    // every 25,000th case of each reader: a 10 MiB line
    text = tenMiBLine(rng, reader);
    hows.push('10MiB-line');
  } else if (rng.chance(light ? 0.04 : 0.12)) {
    let how: string;
    if (reader === 'header') [text, how] = deepHeader(rng);
    else if (reader === 'patch') [text, how] = deepPatch(rng, seedsOf(seeds));
    else if (reader === 'scenario') [text, how] = deepScenario(rng);
    else [text, how] = [randomNumber(rng), 'random-number'];
    hows.push(how);
  } else {
    text = reader === 'number' && rng.chance(0.5) ? randomNumber(rng) : rng.pick(seeds[reader]);
    hows.push('seed');
  }
  for (let k = rng.weighted([10, 40, 25, 15, 10]); k > 0 && text.length < 4 * MiB; k--) {
    const [t, how] = mutateOnce(rng, text, reader, seeds);
    text = t;
    hows.push(how);
  }
  return { index, reader, how: hows.join('+'), text, opts };
}

const seedsOf = (s: Seeds): Seeds => s;

// ---------------------------------------------------------------------------------------------
// Running a case under the contract

/** Baselines: what each reader answers for a good input (checked again after errors). */
const GOOD: Record<Reader, () => string> = {
  number: () => String(parseNumber('0x8000_0000', 'n', { size: true })),
  header: () =>
    JSON.stringify(
      parseHeaders([{ path: 'config.h', text: SEED_BASE_CONFIG_H }], { arch: 'arm32' }).regions.map((r) => [
        r.name,
        r.start,
        r.end,
      ]),
    ),
  patch: () =>
    JSON.stringify(
      readPatch(
        '--- a/xen/include/asm-arm/config.h\n+++ b/xen/include/asm-arm/config.h\n@@ -1 +1 @@\n-a\n+b\n',
        'good.diff',
      ).files.map((f) => [f.path, f.added, f.removed]),
    ),
  scenario: () => JSON.stringify(parseScenario(JSON.stringify(Object.values(BUILTINS)[0]!.json), 'good.json')),
};
const baseline = new Map<Reader, string>();

/** Post-conditions on a normal return: what the reader promises about its result. */
function checkResult(c: FuzzCase, result: unknown): void {
  const bad = (why: string): never => {
    throw new Error(`contract: ${why}`);
  };
  if (c.reader === 'number') {
    const v = result as number;
    if (!Number.isSafeInteger(v) || v < 0 || v > (c.opts.max ?? Number.MAX_SAFE_INTEGER))
      bad(`parseNumber returned ${v}`);
  } else if (c.reader === 'scenario') {
    const s = result as { costs: Record<string, unknown>; cpus: number; domains: unknown[] };
    for (const k of Object.keys(s.costs))
      if (!Object.prototype.hasOwnProperty.call(DEFAULT_COSTS, k))
        bad(`costs accepted the unknown field ${JSON.stringify(k)}`);
    if (Object.getPrototypeOf(s.costs) !== Object.prototype) bad('costs lost its prototype');
    if (!(s.cpus >= 1 && s.cpus <= 8)) bad(`cpus ${s.cpus}`);
  } else if (c.reader === 'header') {
    const l = result as { regions: Array<{ start: number; end: number; name: string }> };
    for (const r of l.regions)
      if (!Number.isSafeInteger(r.start) || !Number.isSafeInteger(r.end))
        bad(`region ${r.name} has start ${r.start} end ${r.end}`);
  }
}

/** The reader call itself (returns what checkResult looks at). */
export function callReader(c: FuzzCase): unknown {
  switch (c.reader) {
    case 'number':
      return parseNumber(c.text, 'fuzz', {
        ...(c.opts.size ? { size: true } : {}),
        ...(c.opts.max !== undefined ? { max: c.opts.max } : {}),
      });
    case 'header': {
      const files = [{ path: 'fuzz/config.h', text: c.text }];
      const layout = parseHeaders(files, { arch: c.opts.arch ?? 'arm32' });
      lintLayout(layout);
      if (c.opts.lintBoth) lintHeaders(files);
      return layout;
    }
    case 'patch': {
      // what the Problems panel does with a workspace patch (extension/patchText.ts, vscode-free):
      // detect it, read it, put each finding on a line of the file
      isPatchFile('fuzz.patch', c.text);
      isPatchFile('fuzz.txt', c.text);
      const info = readPatch(c.text, 'fuzz.patch');
      const lineOf = patchFindingLines(c.text.split(/\r?\n/), info);
      for (const f of info.findings) lineOf(f);
      return info;
    }
    case 'scenario': {
      let input: unknown = c.text;
      if (c.opts.json) {
        try {
          input = JSON.parse(c.text);
        } catch {
          input = c.text;
        }
      }
      return parseScenario(input, 'fuzz.json');
    }
  }
}

/** Run one case under the contract. */
export function runCase(c: FuzzCase): Outcome {
  try {
    checkResult(c, callReader(c));
    return { kind: 'ok' };
  } catch (e) {
    if (e instanceof InputError) {
      // msgpack's check: an error must leave the reader working
      if (c.index % 97 === 0) {
        if (!baseline.has(c.reader)) baseline.set(c.reader, GOOD[c.reader]());
        const again = GOOD[c.reader]();
        if (again !== baseline.get(c.reader))
          return {
            kind: 'crash',
            error: `after an InputError the ${c.reader} reader answers a good input differently`,
            stack: '',
          };
      }
      if (typeof e.message !== 'string' || e.message.length === 0 || e.message.includes('\n'))
        return {
          kind: 'crash',
          error: `InputError without a one-line message: ${JSON.stringify(e.message)}`,
          stack: e.stack ?? '',
        };
      return { kind: 'input-error' };
    }
    const err = e as Error;
    return {
      kind: 'crash',
      error: `${err?.name ?? typeof e}: ${String(err?.message ?? e)
        .split('\n')[0]!
        .slice(0, 200)}`,
      stack: (err?.stack ?? '').split('\n').slice(0, 8).join('\n'),
    };
  }
}

/** Allowed time for a case: generous (two busy cores, GC pauses), so only a blow-up counts; linearity is measured separately. */
export function budgetMs(c: FuzzCase): number {
  return 5000 + 3000 * (c.text.length / MiB);
}

/** A crash's identity: its first line without numbers, plus the top frame. */
function signature(reader: Reader, error: string, stack: string): string {
  const frame = stack.split('\n').find((l) => /^\s+at /.test(l)) ?? '';
  return `${reader}|${error
    .replace(/"[^"]*"/g, 'S')
    .replace(/0x[0-9a-f]+|\d+/gi, 'N')
    .slice(0, 120)}|${frame.trim().replace(/:\d+:\d+\)?$/, '')}`;
}

/** Shrink `c.text` while the same crash signature persists (delta debugging on lines, then chars). */
export function minimize(c: FuzzCase, sig: string, budget = { tries: 400, ms: 15_000 }): string {
  const t0 = performance.now();
  let tries = 0;
  const same = (text: string): boolean => {
    tries++;
    const o = runCase({ ...c, text });
    return o.kind === 'crash' && signature(c.reader, o.error, o.stack) === sig;
  };
  let best = c.text;
  for (const unit of ['\n', '']) {
    let parts = unit === '\n' ? best.split('\n') : [...best];
    if (unit === '' && parts.length > 4096) break; // char-level only for small inputs
    let chunk = Math.max(1, Math.floor(parts.length / 2));
    while (chunk >= 1 && tries < budget.tries && performance.now() - t0 < budget.ms) {
      let changed = false;
      for (let i = 0; i < parts.length && tries < budget.tries;) {
        const cand = [...parts.slice(0, i), ...parts.slice(i + chunk)];
        if (cand.length < parts.length && same(cand.join(unit))) {
          parts = cand;
          changed = true;
        } else i += chunk;
      }
      if (!changed) chunk = Math.floor(chunk / 2);
    }
    best = parts.join(unit);
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Linearity: time per MiB on growing inputs

export interface ScalePoint {
  reader: Reader;
  shape: string;
  bytes: number;
  ms: number;
  msPerMiB: number;
}

/** Input shapes that grow with n (roughly n bytes). */
export function shapes(seeds: Seeds): Record<Reader, Array<{ shape: string; make: (bytes: number) => string }>> {
  const rep = (unit: string, bytes: number): string => unit.repeat(Math.max(1, Math.floor(bytes / unit.length)));
  const realHeader = seeds.header[0]!;
  const mbox = seeds.patch.find((p) => p.startsWith('From ')) ?? seeds.patch[0]!;
  const head = '--- a/xen/include/asm-arm/config.h\n+++ b/xen/include/asm-arm/config.h\n';
  return {
    number: [
      { shape: 'long digits', make: (b) => '1'.repeat(b) },
      { shape: 'long spaces', make: (b) => ' '.repeat(b) + '1' },
    ],
    header: [
      { shape: 'real header repeated', make: (b) => rep(realHeader + '\n', b) },
      {
        shape: 'distinct regions',
        make: (b) =>
          Array.from(
            { length: Math.floor(b / 40) },
            (_, i) => `#define R${i}_VIRT_START 0x${(i * 0x200000).toString(16)}`,
          ).join('\n'),
      },
      {
        shape: 'macro chain',
        make: (b) =>
          Array.from({ length: Math.floor(b / 30) }, (_, i) => `#define M${i} (M${i + 1} + 1)`).join('\n') +
          '\n#define C_VIRT_START M0',
      },
      {
        shape: 'comment map rows',
        make: (b) => '/*\n * ARM32 layout:\n' + rep(' *  0M - 2M   row\n', b) + ' */\n#define X_VIRT_START 0',
      },
      { shape: 'nested #if', make: (b) => rep('#if 1\n', b / 2) + rep('#endif\n', b / 2) },
      { shape: 'one long line', make: (b) => '#define L_VIRT_START ' + rep('1+', b) + '1' },
      { shape: 'whitespace in comment', make: (b) => '/*\n * 1' + ' '.repeat(b) + 'x\n */' },
      { shape: 'overlapping regions', make: (b) => overlappingRegions(b) },
      { shape: '_ADDR(n) macros', make: (b) => addrMacros(b) },
      { shape: 'expensive macro reused', make: (b) => expensiveMacro('#define R{i}_VIRT_START A14\n', b) },
      { shape: 'expensive #if reused', make: (b) => expensiveMacro('#if A14\n#endif\n', b) },
    ],
    patch: [
      { shape: 'mbox repeated', make: (b) => mbox + rep(mbox.slice(mbox.indexOf('\n---')), b) },
      {
        shape: 'many hunks',
        make: (b) =>
          head +
          Array.from(
            { length: Math.floor(b / 60) },
            (_, i) => `@@ -${i + 1},1 +${i + 1},1 @@\n-#define A${i} 1\n+#define A${i} 2\n`,
          ).join(''),
      },
      {
        shape: 'one big insertion',
        make: (b) => `${head}@@ -0,0 +1,${Math.floor(b / 13)} @@\n` + rep('+#define X 1\n', b),
      },
      { shape: 'blank lines', make: (b) => `${head}@@ -1 +1 @@\n-a\n+b\n` + '\n'.repeat(b) + 'x' },
      { shape: 'diffstat rows', make: (b) => diffstatRows(b) },
      { shape: '+++ without hunks', make: (b) => plusWithoutHunks(b) },
      { shape: 'long line', make: (b) => `${head}@@ -1 +1 @@\n-a\n+` + 'a '.repeat(b / 2) + '\n' },
      {
        shape: 'quoted-printable',
        make: (b) =>
          'From x@y Mon Sep 17 00:00:00 2001\nFrom: a\nSubject: s\nContent-Transfer-Encoding: quoted-printable\n\n' +
          head +
          '@@ -1 +1 @@\n-a\n+' +
          rep('=C3=A9=\n', b) +
          '\n',
      },
    ],
    scenario: [
      {
        shape: 'many writes',
        make: (b) =>
          `{"domains":[{"name":"A","ramSize":"512M"}],"steps":[{"op":"write","domain":"A","gpas":[${Array.from({ length: Math.min(99_000, Math.floor(b / 13)) }, () => '"0x80001000"').join(',')}]}]}`,
      },
      {
        shape: 'long string',
        make: (b) => `{"name":"${'x'.repeat(b)}","domains":[{"name":"A","ramSize":"512M"}],"steps":[]}`,
      },
      { shape: 'deep nesting', make: (b) => '['.repeat(b / 2) + ']'.repeat(b / 2) },
    ],
  };
}

const SCALE_SIZES = [256 * 1024, 1 * MiB, 3.5 * MiB, 8 * MiB];

export function measureScaling(
  seeds: Seeds,
  sizes = SCALE_SIZES,
  only?: Reader,
  onPoint?: (p: ScalePoint) => void,
): ScalePoint[] {
  const out: ScalePoint[] = [];
  const sh = shapes(seeds);
  for (const reader of READERS) {
    if (only && reader !== only) continue;
    for (const { shape, make } of sh[reader]) {
      for (const bytes of sizes) {
        const text = make(bytes);
        const c: FuzzCase = { index: -1, reader, how: shape, text, opts: { arch: 'arm32' } };
        runCase(c); // warm
        let best = Infinity;
        for (let k = 0; k < 2; k++) {
          const t0 = performance.now();
          const o = runCase(c);
          best = Math.min(best, performance.now() - t0);
          if (o.kind === 'crash')
            throw new Error(`scaling input ${reader}/${shape} (${bytes} bytes) crashed: ${o.error}`);
        }
        const pt = { reader, shape, bytes: text.length, ms: best, msPerMiB: best / (text.length / MiB) };
        out.push(pt);
        onPoint?.(pt);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Driver

export interface CrashReport {
  index: number;
  reader: Reader;
  how: string;
  error: string;
  stack: string;
  signature: string;
  ms: number;
  bytes: number;
}

export interface FuzzTally {
  cases: number;
  byReader: Record<
    string,
    { cases: number; ok: number; inputError: number; crash: number; maxMs: number; bytes: number }
  >;
  crashes: CrashReport[];
}

export function emptyTally(): FuzzTally {
  return {
    cases: 0,
    byReader: Object.fromEntries(
      READERS.map((r) => [r, { cases: 0, ok: 0, inputError: 0, crash: 0, maxMs: 0, bytes: 0 }]),
    ),
    crashes: [],
  };
}

/** Run cases `from` … `to − 1` (step `step`) in this thread. `progress` sees each case start. */
export function fuzzRange(
  seed: number,
  seeds: Seeds,
  from: number,
  to: number,
  step = 1,
  progress?: (index: number) => void,
  light = false,
): FuzzTally {
  const tally = emptyTally();
  const seen = new Set<string>();
  for (let i = from; i < to; i += step) {
    const c = makeCase(seed, i, seeds, light);
    progress?.(i);
    const t0 = performance.now();
    let o = runCase(c);
    const ms = performance.now() - t0;
    if (o.kind !== 'crash' && ms > budgetMs(c))
      o = {
        kind: 'crash',
        error: `time blow-up: ${ms.toFixed(0)} ms for ${c.text.length} characters (budget ${budgetMs(c).toFixed(0)} ms)`,
        stack: '',
      };
    const t = tally.byReader[c.reader]!;
    tally.cases++;
    t.cases++;
    t.bytes += c.text.length;
    t.maxMs = Math.max(t.maxMs, ms);
    if (o.kind === 'ok') t.ok++;
    else if (o.kind === 'input-error') t.inputError++;
    else {
      t.crash++;
      const sig = signature(c.reader, o.error, o.stack);
      if (!seen.has(sig)) {
        seen.add(sig);
        tally.crashes.push({
          index: i,
          reader: c.reader,
          how: c.how,
          error: o.error,
          stack: o.stack,
          signature: sig,
          ms,
          bytes: c.text.length,
        });
      }
    }
  }
  return tally;
}

function mergeTally(a: FuzzTally, b: FuzzTally): FuzzTally {
  a.cases += b.cases;
  for (const r of READERS) {
    const x = a.byReader[r]!;
    const y = b.byReader[r]!;
    x.cases += y.cases;
    x.ok += y.ok;
    x.inputError += y.inputError;
    x.crash += y.crash;
    x.bytes += y.bytes;
    x.maxMs = Math.max(x.maxMs, y.maxMs);
  }
  for (const c of b.crashes) if (!a.crashes.some((d) => d.signature === c.signature)) a.crashes.push(c);
  return a;
}

const CRASH_DIR = 'test/fixtures/fuzz-crashes';

/** Minimize and save a crash's input; returns the path. */
function saveCrash(root: string, seed: number, seeds: Seeds, cr: CrashReport, hung: boolean): string {
  const c = makeCase(seed, cr.index, seeds);
  const text = hung || cr.error.startsWith('time blow-up') ? c.text : minimize(c, cr.signature);
  const hash = createHash('sha256').update(cr.reader).update('\0').update(text).digest('hex').slice(0, 16);
  const dir = join(root, CRASH_DIR);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${hash}.txt`);
  writeFileSync(path, text);
  return path;
}

interface WorkerJob {
  seed: number;
  root: string;
  from: number;
  to: number;
  step: number;
  progress: SharedArrayBuffer;
  slot: number;
}

/** Hang limit for the watchdog (a case that never returns). */
const HANG_MS = 30_000;

async function main(argv: readonly string[]): Promise<number> {
  const cases = intArg(argv, 'cases', 100_000);
  const seed = intArg(argv, 'seed', 1);
  const nWorkers = Math.max(1, intArg(argv, 'workers', 2));
  const skipScaling = argv.includes('--no-scaling');
  const root = process.cwd();
  const seeds = loadSeeds(root);
  const t0 = performance.now();
  // per worker: [case index in flight (−1: none), Date.now() when it started]
  const progress = new SharedArrayBuffer(16 * nWorkers);
  const prog = new Float64Array(progress);
  prog.fill(-1);
  let tally = emptyTally();
  const hung: number[] = [];
  const died: CrashReport[] = [];
  /** run cases from, from+step, … in a worker; a hung or dead worker is replaced after the case */
  const lane = (w: number, from: number): Promise<void> =>
    new Promise<void>((resolve) => {
      if (from >= cases) return resolve();
      const job: WorkerJob = { seed, root, from, to: cases, step: nWorkers, progress, slot: w };
      prog[2 * w] = -1;
      const worker = new Worker(__filename, { workerData: job, resourceLimits: { maxOldGenerationSizeMb: 4096 } });
      let settled = false;
      const next = (after: number): void => {
        if (settled) return;
        settled = true;
        clearInterval(timer);
        void worker.terminate().then(() => lane(w, after + nWorkers).then(resolve));
      };
      const timer = setInterval(() => {
        const idx = prog[2 * w]!;
        if (idx >= 0 && Date.now() - prog[2 * w + 1]! > HANG_MS) {
          hung.push(idx);
          next(idx);
        }
      }, 250);
      worker.on('message', (m: { tally: FuzzTally; done: boolean }) => {
        tally = mergeTally(tally, m.tally);
        if (m.done && !settled) {
          settled = true;
          clearInterval(timer);
          resolve();
        }
      });
      worker.once('error', (e) => {
        // an uncatchable failure (e.g. out of memory) in the worker: the case in flight
        const idx = prog[2 * w]!;
        if (idx < 0 || settled) return;
        const c = makeCase(seed, idx, seeds);
        died.push({
          index: idx,
          reader: c.reader,
          how: c.how,
          error: `worker died: ${(e as Error).message}`,
          stack: '',
          signature: `${c.reader}|worker died|${c.how}`,
          ms: 0,
          bytes: c.text.length,
        });
        next(idx);
      });
    });
  await Promise.all(Array.from({ length: nWorkers }, (_, w) => lane(w, w)));
  for (const idx of hung) {
    const c = makeCase(seed, idx, seeds);
    tally.crashes.push({
      index: idx,
      reader: c.reader,
      how: c.how,
      error: `time blow-up: no answer after ${HANG_MS / 1000} s (${c.text.length} characters)`,
      stack: '',
      signature: `${c.reader}|hang|${c.how}`,
      ms: HANG_MS,
      bytes: c.text.length,
    });
    tally.byReader[c.reader]!.crash++;
    tally.byReader[c.reader]!.cases++;
    tally.cases++;
  }
  tally.crashes.push(...died);
  const fuzzMs = performance.now() - t0;

  // summary table
  const pad = (s: string | number, n: number): string => String(s).padStart(n);
  console.log(
    `seed ${seed}, ${tally.cases} cases in ${(fuzzMs / 1000).toFixed(1)} s on ${nWorkers} worker(s)${hung.length ? ` (${hung.length} hung case(s) stopped by the watchdog)` : ''}`,
  );
  console.log(
    `${'reader'.padEnd(10)}${pad('cases', 9)}${pad('ok', 9)}${pad('InputError', 12)}${pad('crashes', 9)}${pad('MiB read', 10)}${pad('slowest', 10)}`,
  );
  for (const r of READERS) {
    const t = tally.byReader[r]!;
    console.log(
      `${r.padEnd(10)}${pad(t.cases, 9)}${pad(t.ok, 9)}${pad(t.inputError, 12)}${pad(t.crash, 9)}${pad((t.bytes / MiB).toFixed(1), 10)}${pad(t.maxMs.toFixed(0) + ' ms', 10)}`,
    );
  }

  let nonlinear = 0;
  if (!skipScaling) {
    console.log(
      '\ntime per MiB on growing inputs (best of 2; sizes 256 KiB → 8 MiB; headers above their 4 MiB cap are refused):',
    );
    const pts = measureScaling(seeds);
    const worst: Record<string, ScalePoint> = {};
    for (const r of READERS) {
      for (const shape of [...new Set(pts.filter((p) => p.reader === r).map((p) => p.shape))]) {
        const row = pts.filter((p) => p.reader === r && p.shape === shape);
        // linear: ms/MiB at the largest size stays within 4× of the 1 MiB figure (plus a 5 ms floor)
        const ref = row[1] ?? row[0]!;
        const last = row[row.length - 1]!;
        const flag = last.ms > 50 && last.msPerMiB > 4 * ref.msPerMiB + 5;
        if (flag) nonlinear++;
        console.log(
          `  ${r.padEnd(9)} ${shape.padEnd(24)} ${row.map((p) => `${(p.bytes / MiB).toFixed(2)} MiB ${p.msPerMiB.toFixed(1)} ms/MiB`).join(' | ')}${flag ? '  NOT LINEAR' : ''}`,
        );
        for (const p of row) if (p.bytes >= 256 * 1024 && (!worst[r] || p.msPerMiB > worst[r]!.msPerMiB)) worst[r] = p;
      }
    }
    console.log('worst case per reader:');
    for (const r of READERS) {
      const w = worst[r];
      if (w)
        console.log(
          `  ${r.padEnd(9)} ${w.msPerMiB.toFixed(1)} ms/MiB (${w.shape}, ${(w.bytes / MiB).toFixed(2)} MiB in ${w.ms.toFixed(0)} ms)`,
        );
    }
    if (nonlinear) console.log(`non-linear shapes: ${nonlinear}`);
  }

  for (const cr of tally.crashes) {
    const path = saveCrash(
      root,
      seed,
      seeds,
      cr,
      cr.error.includes('no answer after') || cr.error.startsWith('worker died'),
    );
    const c = makeCase(seed, cr.index, seeds);
    console.log(
      `\nCRASH in ${cr.reader} reader, case ${cr.index} (${cr.how}, ${cr.bytes} characters, ${cr.ms.toFixed(0)} ms): ${cr.error}`,
    );
    if (cr.stack) console.log(cr.stack.split('\n').slice(1, 5).join('\n'));
    console.log(
      `  input (minimized): ${path}${cr.reader === 'number' ? `  options ${JSON.stringify(c.opts)}` : cr.reader === 'header' ? `  arch ${c.opts.arch}${c.opts.lintBoth ? ' + lintHeaders' : ''}` : ''}`,
    );
    console.log(`  rerun: npm run fuzz -- --seed ${seed} --case ${cr.index}`);
  }
  console.log(`crashes: ${tally.crashes.length}`);
  return tally.crashes.length === 0 && nonlinear === 0 ? 0 : 1;
}

function workerMain(job: WorkerJob): void {
  const prog = new Float64Array(job.progress);
  const seeds = loadSeeds(job.root);
  // report in chunks, so a case that hangs loses only its own chunk's counts
  const CHUNK = 200 * job.step;
  for (let from = job.from; from < job.to; from += CHUNK) {
    const t = fuzzRange(job.seed, seeds, from, Math.min(job.to, from + CHUNK), job.step, (i) => {
      prog[2 * job.slot + 1] = Date.now();
      prog[2 * job.slot] = i;
    });
    parentPort!.postMessage({ tally: t, done: from + CHUNK >= job.to });
  }
  prog[2 * job.slot] = -1;
}

/** `--case K`: run one case in this thread and show what it does. */
function single(argv: readonly string[]): number {
  const seed = intArg(argv, 'seed', 1);
  const index = intArg(argv, 'case', 0);
  const c = makeCase(seed, index, loadSeeds(process.cwd()), argv.includes('--light'));
  const t0 = performance.now();
  const o = runCase(c);
  console.log(
    `case ${index}: ${c.reader} (${c.how}), ${c.text.length} characters → ${o.kind}${o.kind === 'crash' ? `: ${o.error}\n${o.stack}` : ''} in ${(performance.now() - t0).toFixed(0)} ms`,
  );
  return o.kind === 'crash' ? 1 : 0;
}

if (!isMainThread && (workerData as WorkerJob | null)?.progress) workerMain(workerData as WorkerJob);
else if (isMainThread && /fuzz\.(c?js|ts)$/.test(process.argv[1] ?? '')) {
  const argv = process.argv.slice(2);
  if (argv.some((a) => a === '--case' || a.startsWith('--case='))) process.exitCode = single(argv);
  else if (argv.includes('--scaling-only')) {
    const kb = intArg(argv, 'max-kib', 8192);
    measureScaling(
      loadSeeds(process.cwd()),
      SCALE_SIZES.filter((b) => b <= kb * 1024).concat(kb * 1024 < SCALE_SIZES[0]! ? [kb * 1024] : []),
      undefined,
      (p) => console.log(`${p.reader} ${p.shape} ${p.bytes} ${p.ms.toFixed(0)} ms`),
    );
  } else
    main(argv).then(
      (code) => {
        process.exitCode = code;
      },
      (e: unknown) => {
        console.error(e);
        process.exitCode = 1;
      },
    );
}
