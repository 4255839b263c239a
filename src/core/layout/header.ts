/**
 * Header parser: Xen ARM `config.h` (2013 `xen/include/asm-arm/config.h` through today's
 * `asm/config.h` + `asm/mmu/layout.h`) → Layout. Pure: no I/O. Reference doc §2, §11.
 *
 * Regions follow the STEM rules of §11: `<STEM>_VIRT_START` / `<STEM>_START` with an end from
 * `_VIRT_END`/`_END` (inclusive or exclusive, by value), else `_VIRT_SIZE`/`_SIZE`/`_SLOT_SIZE`,
 * else the comment map row at the same start, else the next region's start. Aliases and
 * umbrellas (`HYPERVISOR_*`, `XENHEAP_VIRT_START = DIRECTMAP_VIRT_START`, `TEMPORARY_*`) are
 * not regions. Unknown macros and run-time starts are reported, never guessed.
 */
import { InputError } from '../errors';
import { hex } from '../numbers';
import { parseCommentMap } from './commentMap';
import { preprocess, type Diagnostic, type DiagKind } from './cpp';
import {
  DEFAULT_LIMITS,
  EvalError,
  evaluate,
  expand,
  tokenize,
  workBudget,
  type ExpandLimits,
  type MacroDef,
} from './expr';
import type { Arch, CommentMapRow, EndForm, Layout, Region } from './types';

export interface HeaderFile {
  path: string;
  text: string;
}

export interface ParseHeadersOptions {
  arch: Arch;
  /** per-file cap in characters (default 4 MiB): larger input is an InputError, never a hang */
  maxChars?: number;
  limits?: ExpandLimits;
  /** Layout.source; default the file paths joined with " + " */
  source?: string;
}

export const DEFAULT_MAX_HEADER_CHARS = 4 * 1024 * 1024;

/**
 * Macros from `xen/config.h` / `xen/macros.h` / `xen/const.h` that a layout header uses but does
 * not define itself (doc §1, §11). Used only when the input does not define them; each use is
 * reported in `warnings`.
 */
const BUILTINS: Record<string, { params: string[] | null; body: string; note: string }> = {
  KB: { params: ['x'], body: '((x) << 10)', note: 'KB(x) = x << 10 (xen/config.h, later xen/macros.h)' },
  MB: { params: ['x'], body: '((x) << 20)', note: 'MB(x) = x << 20 (xen/config.h, later xen/macros.h)' },
  GB: { params: ['x'], body: '((x) << 30)', note: 'GB(x) = x << 30 (xen/config.h, later xen/macros.h)' },
  _AT: { params: ['T', 'X'], body: '(X)', note: '_AT(T, X) = X (xen/const.h; the cast keeps the value)' },
  _AC: { params: ['X', 'Y'], body: '(X)', note: '_AC(X, Y) = X (xen/const.h; the suffix keeps the value)' },
  SLOT0: { params: ['slot'], body: '((slot) << 39)', note: 'SLOT0(n) = n << 39 (arm64 L0 slot, SLOT0_ENTRY_BITS 39)' },
  PAGE_SIZE: { params: null, body: '4096', note: 'PAGE_SIZE = 4096 (default; from xen/page-size.h since 2021) [A]' },
};

/** Stems that are umbrellas or deliberate aliases, never regions (doc §11). */
const NOT_REGION = /^(HYPERVISOR|TEMPORARY_.*)$/;
const START_RE = /^([A-Z0-9_]+?)(_VIRT)?_START$/;

const VA_TOP: Record<Arch, number> = { arm32: 2 ** 32, arm64: 2 ** 48 };

export function parseHeaders(files: HeaderFile[], opts: ParseHeadersOptions): Layout {
  const arch = opts.arch;
  if (arch !== 'arm32' && arch !== 'arm64') throw new InputError(`arch: ${JSON.stringify(arch)} is not arm32 or arm64`);
  const maxChars = opts.maxChars ?? DEFAULT_MAX_HEADER_CHARS;
  for (const f of files) {
    if (typeof f.text !== 'string') throw new InputError(`${f.path}: expected header text`);
    if (f.text.length > maxChars)
      throw new InputError(
        `${f.path}: ${f.text.length} characters is larger than the ${maxChars}-character cap for a header`,
      );
  }
  const limits = opts.limits ?? DEFAULT_LIMITS;
  // CONFIG_MMU: the MMU layout (mpu/layout.h is another system); CONFIG_LIVEPATCH: its area
  // is a real region; __ASSEMBLY__ stays undefined (we read the C view).
  const predefined: Record<string, string> =
    arch === 'arm32'
      ? { CONFIG_ARM_32: '1', __arm__: '1', CONFIG_MMU: '1', CONFIG_LIVEPATCH: '1' }
      : { CONFIG_ARM_64: '1', __aarch64__: '1', CONFIG_MMU: '1', CONFIG_LIVEPATCH: '1' };
  // one expansion budget for the whole parse: #if lines and every macro value draw on it
  const total = workBudget(limits);
  const pre = preprocess(files, { predefined, limits, total, optional: ['CONFIG_LIVEPATCH'] });
  const diags: Diagnostic[] = [...pre.diagnostics];
  const { macros } = pre;
  const usedBuiltins = new Set<string>();
  const builtinDefs = new Map<string, MacroDef>();
  const lookup = (n: string): MacroDef | undefined => {
    const d = macros.get(n);
    if (d) return d;
    // own keys only: a macro named constructor, toString or __proto__ is not a builtin
    const b = Object.prototype.hasOwnProperty.call(BUILTINS, n) ? BUILTINS[n] : undefined;
    if (!b) return undefined;
    let def = builtinDefs.get(n);
    if (!def)
      builtinDefs.set(
        n,
        (def = { name: n, params: b.params, body: b.body, file: '<builtin>', line: 0, builtin: true }),
      );
    return def;
  };
  const reported = new Set<string>();
  const note = (kind: DiagKind, file: string, line: number | null, message: string): void => {
    const key = `${kind}|${message}`;
    if (reported.has(key)) return;
    reported.add(key);
    diags.push({ kind, file, line, message });
  };

  /** Value of `expr` (a macro name or call) as a JS number, or null with a diagnostic. */
  const value = (expr: string, def: MacroDef, what: string): number | null => {
    let v: bigint;
    try {
      const toks = expand(tokenize(expr), {
        lookup,
        limits,
        total,
        used: (d) => {
          if (d.builtin) usedBuiltins.add(d.name);
        },
      });
      v = evaluate(toks);
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      const at = `${def.file}:${def.line}`;
      const p = e.problem;
      if (p.kind === 'unknown')
        note(
          'unknown-macro',
          def.file,
          def.line,
          `${at}: ${what}: unknown macro ${p.name} (not defined in the given files; not guessed)`,
        );
      else if (p.kind === 'runtime')
        note(
          'runtime',
          def.file,
          def.line,
          `${at}: ${what} is a run-time value (${p.name}), not a constant: no region`,
        );
      else if (p.kind === 'cycle')
        note('macro-cycle', def.file, def.line, `${at}: ${what}: macro ${p.name} refers to itself (cycle)`);
      else if (p.kind === 'limit') note('limit', def.file, def.line, `${at}: ${what}: ${p.detail}`);
      else note('bad-expression', def.file, def.line, `${at}: ${what}: cannot evaluate (${p.detail})`);
      return null;
    }
    if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) {
      note(
        'range',
        def.file,
        def.line,
        `${def.file}:${def.line}: ${what} = ${v < 0n ? '-' : ''}0x${(v < 0n ? -v : v).toString(16)} is not an address`,
      );
      return null;
    }
    return Number(v);
  };

  // 1. candidate starts
  interface Start {
    stem: string;
    def: MacroDef;
    expr: string;
    startMacro: string;
    virt: boolean;
  }
  const starts: Start[] = [];
  const startNames = new Set<string>();
  for (const def of macros.values()) {
    const m = def.params ? null : START_RE.exec(def.name);
    if (m) startNames.add(def.name);
  }
  for (const def of macros.values()) {
    if (def.file === '<predefined>') continue;
    const m = def.params ? null : START_RE.exec(def.name);
    if (!m) continue;
    const stem = m[1]!;
    if (NOT_REGION.test(stem)) continue;
    const bare = def.body
      .replace(/^\(+|\)+$/g, '')
      .replace(/^_AT\s*\(\s*\w+\s*,\s*(\w+)\s*\)$/, '$1')
      .trim();
    if (startNames.has(bare) && bare !== def.name) {
      note(
        'alias',
        def.file,
        def.line,
        `${def.file}:${def.line}: ${def.name} is an alias of ${bare}: not a region of its own`,
      );
      continue;
    }
    starts.push({ stem, def, expr: def.name, startMacro: def.name, virt: !!m[2] });
  }
  // `FIXMAP_ADDR(n)` is the only start of FIXMAP before 2023 (doc §2): region = `<STEM>_ADDR(0)`
  // (a set of the stems: one `some` over the starts per `_ADDR` macro was quadratic, issue 13 item 6)
  const stems = new Set(starts.map((s) => s.stem));
  for (const def of macros.values()) {
    const m = /^([A-Z0-9_]+)_ADDR$/.exec(def.name);
    if (!m || !def.params || def.params.length !== 1 || NOT_REGION.test(m[1]!)) continue;
    if (stems.has(m[1]!)) continue;
    stems.add(m[1]!);
    starts.push({ stem: m[1]!, def, expr: `${def.name}(0)`, startMacro: def.name, virt: false });
  }

  // 2. evaluate starts and end macros
  interface Partial {
    s: Start;
    start: number;
    end: number | null;
    endMacro: string | null;
    endForm: EndForm | null;
  }
  const parts: Partial[] = [];
  for (const s of starts) {
    const start = value(s.expr, s.def, s.startMacro);
    if (start === null) continue;
    if (arch === 'arm32' && start >= 2 ** 32)
      note(
        'range',
        s.def.file,
        s.def.line,
        `${s.def.file}:${s.def.line}: ${s.startMacro} = ${hex(start)} does not fit arm32's 32-bit vaddr_t`,
      );
    const ends = s.virt ? [`${s.stem}_VIRT_END`, `${s.stem}_END`] : [`${s.stem}_END`, `${s.stem}_VIRT_END`];
    const sizes = [`${s.stem}_VIRT_SIZE`, `${s.stem}_SIZE`, `${s.stem}_SLOT_SIZE`];
    let end: number | null = null;
    let endMacro: string | null = null;
    let endForm: EndForm | null = null;
    const endName = ends.find((n) => macros.get(n) && !macros.get(n)!.params);
    const sizeName = sizes.find((n) => macros.get(n) && !macros.get(n)!.params);
    if (endName) {
      const v = value(endName, macros.get(endName)!, endName);
      if (v !== null) {
        // Xen mixes forms (doc §11): an end naming the last byte ends in ...fff
        endMacro = endName;
        if ((v + 1) % 4096 === 0) {
          end = v + 1;
          endForm = 'inclusive';
        } else {
          end = v;
          endForm = 'exclusive';
        }
      }
    } else if (sizeName) {
      const v = value(sizeName, macros.get(sizeName)!, sizeName);
      if (v !== null) {
        end = start + v;
        endMacro = sizeName;
        endForm = 'size';
      }
    }
    parts.push({ s, start, end, endMacro, endForm });
  }

  // 3. comment map, then ends for regions without end macros
  const commentMap: CommentMapRow[] = parseCommentMap(pre.comments, arch);
  const allStarts = [...new Set(parts.map((p) => p.start))].sort((a, b) => a - b);
  /** the smallest start above `x` (binary search: a huge header stays n log n) */
  const nextStart = (x: number): number | null => {
    let lo = 0;
    let hi = allStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (allStarts[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo < allStarts.length ? allStarts[lo]! : null;
  };
  const regions: Region[] = [];
  for (const p of parts) {
    let { end, endForm } = p;
    const row = bestRow(commentMap, p.s.stem, p.start);
    if (end === null || endForm === null) {
      if (row && row.start === p.start) {
        end = row.end;
        endForm = 'comment';
      } else {
        const later = nextStart(p.start);
        end = later ?? VA_TOP[arch];
        endForm = 'next';
        if (later === null)
          note(
            'range',
            p.s.def.file,
            p.s.def.line,
            `${p.s.def.file}:${p.s.def.line}: ${p.s.stem} has no end macro and no region after it: end taken as the top of the ${arch} VA space`,
          );
      }
    }
    regions.push({
      name: p.s.stem,
      start: p.start,
      end,
      size: end - p.start,
      startMacro: p.s.startMacro,
      endMacro: p.endMacro,
      endForm,
      line: p.s.def.line,
      file: p.s.def.file,
      description: row ? row.text : '',
      ...(p.s.def.conditions ? { condition: p.s.def.conditions.join(' && ') } : {}),
    });
  }
  regions.sort((a, b) => a.start - b.start || a.end - b.end || a.name.localeCompare(b.name));

  // 4. guest RAM banks (public arch-arm.h), for the window-capacity lint
  const guestRam: Array<{ name: string; start: number; end: number }> = [];
  for (const bank of ['GUEST_RAM', 'GUEST_RAM0', 'GUEST_RAM1']) {
    const b = macros.get(`${bank}_BASE`);
    const z = macros.get(`${bank}_SIZE`);
    if (!b || !z) continue;
    const bv = value(`${bank}_BASE`, b, `${bank}_BASE`);
    const zv = value(`${bank}_SIZE`, z, `${bank}_SIZE`);
    if (bv !== null && zv !== null) guestRam.push({ name: bank, start: bv, end: bv + zv });
  }

  for (const n of [...usedBuiltins].sort())
    diags.push({
      kind: 'builtin',
      file: '<builtin>',
      line: null,
      message: `builtin: ${BUILTINS[n]!.note}; not defined in the given files`,
    });
  return {
    arch,
    source: opts.source ?? files.map((f) => f.path).join(' + '),
    regions,
    commentMap,
    warnings: diags.map((d) => d.message),
    guestRam,
    diagnostics: diags,
  };
}

/** Words by which a comment row names a region (doc §2 comment rows); other stems by their words. */
const ROW_WORDS: Record<string, RegExp> = {
  XEN: /xen text|text, data/i,
  FIXMAP: /fixmap/i,
  BOOT_FDT: /\bfdt\b/i,
  // 2013–2021 "Early relocation address"; since 2024 "Cache-colored Xen text, data, bss (temporary…)"
  BOOT_RELOC: /relocat|cache-colou?red/i,
  LIVEPATCH_VMAP: /livepatch/i,
  FRAMETABLE: /frame ?table/i,
  VMAP: /^vmap\b/i,
  XENHEAP: /xenheap/i,
  DOMHEAP: /domheap/i,
  DIRECTMAP: /1:1 mapping|direct ?map/i,
  VIRT_LIN_P2M: /virtual-linear|\bvlpt\b/i,
};

export function rowWords(stem: string): RegExp {
  return (
    (Object.prototype.hasOwnProperty.call(ROW_WORDS, stem) ? ROW_WORDS[stem] : undefined) ??
    new RegExp(
      stem
        .split('_')
        .map((w) => w.replace(/[^A-Za-z0-9]/g, ''))
        .join('.?'),
      'i',
    )
  );
}

/** The comment row describing `stem`: by its words, else a range row at the same start. */
export function bestRow(rows: CommentMapRow[], stem: string, start: number): CommentMapRow | null {
  const ranges = rows.filter((r) => (r.kind ?? 'range') === 'range');
  const re = rowWords(stem);
  const named = ranges.filter((r) => re.test(r.text));
  if (named.length) return named.find((r) => r.start === start) ?? named[0]!;
  // a row at the same start that names another region (a time-shared slot: today's arm32
  // map lists "Livepatch vmap" at BOOT_RELOC's start) is that region's, not this one's
  return ranges.find((r) => r.start === start && !isFreeRow(r.text) && !namesOtherStem(r.text, stem)) ?? null;
}

function namesOtherStem(text: string, stem: string): boolean {
  for (const [s, re] of Object.entries(ROW_WORDS)) if (s !== stem && re.test(text)) return true;
  return false;
}

/** Rows that describe no region: "Unmapped", "(125TB, L0 slots [5..255]) Unused", "Reserved …". */
export function isFreeRow(text: string): boolean {
  return /^(unmapped|unused|reserved)\b/i.test(text.replace(/^(\([^)]*\)\s*)+/, ''));
}
