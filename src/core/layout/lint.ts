/**
 * Layout lints (issue 4): `overlap`, `misaligned`, `end-before-start`, `off-by-one`,
 * `comment-map-mismatch`, `window-capacity`, plus the parser's own problems (`preprocessor`,
 * `unknown-macro`, `macro-cycle`, `bad-expression`, `limit`). A correct real header yields no
 * finding: time-shared starts (BOOT_RELOC / LIVEPATCH_VMAP, doc §11) are not overlaps, and
 * run-time starts and builtins are parser notes, not findings.
 * Messages carry no line numbers (the `line` field does), so findings of two layouts compare.
 */
import { hex, humanSize } from '../numbers';
import { bestRow, isFreeRow, parseHeaders, type HeaderFile } from './header';
import type { Arch, Layout, Region } from './types';

export type Severity = 'error' | 'warning' | 'info';

export interface LintFinding {
  id: string;
  severity: Severity;
  file: string | null;
  line: number | null;
  message: string;
}

export const LINT_IDS = [
  'overlap',
  'misaligned',
  'end-before-start',
  'off-by-one',
  'comment-map-mismatch',
  'window-capacity',
] as const;

/**
 * Findings listed per file (issue 13 item 3): overlapping regions give a quadratic number of
 * pairs (133 KB header: 523,710 findings in 43 s). Past the cap one `too-many-findings` summary
 * says how many more there are.
 */
export const MAX_FINDINGS_PER_FILE = 200;

/** xen_second maps 2 MiB per slot (doc §3); arm64 maps by 2 MiB blocks as well. */
export const SLOT_SIZE = 0x200000;
/** 2013 arm32 guest: RAM from GUEST_RAM_BASE 0x80000000, 40-bit IPA (VTCR T0SZ -8) [V]/[A] */
const DEFAULT_GUEST_RAM = {
  name: 'GUEST_RAM_BASE 0x80000000 up to the 40-bit IPA limit (no RAM size macro in 2013)',
  start: 0x80000000,
  end: 2 ** 40,
};

const range = (r: { start: number; end: number }): string => `${hex(r.start)}–${hex(r.end)}`;

/** Same start, and one of them has no end macro: a slot shared in time (doc §11). */
function timeShared(a: Region, b: Region): boolean {
  return a.start === b.start && (a.endMacro === null || b.endMacro === null);
}

export function lintLayout(layout: Layout): LintFinding[] {
  const out: LintFinding[] = [];
  const add: Add = (id, severity, r, message) => {
    out.push({ id, severity, file: r?.file ?? null, line: r?.line ?? null, message });
  };
  const regs = [...layout.regions].sort((a, b) => a.start - b.start || a.end - b.end);

  for (const r of regs) {
    if (r.end <= r.start)
      add(
        'end-before-start',
        'error',
        r,
        `${r.name}: end ${hex(r.end)} (${r.endMacro ?? r.endForm}) is not after start ${hex(r.start)}`,
      );
    if (r.start % SLOT_SIZE !== 0)
      add(
        'misaligned',
        'warning',
        r,
        `${r.name}: start ${hex(r.start)} is not aligned to the 2 MiB xen_second slot size`,
      );
  }

  // pairs: at most MAX_FINDINGS_PER_FILE are reported, then the comparison stops (nested or
  // overlapping regions make the number of pairs quadratic)
  let pairs = 0;
  let stoppedAt = -1;
  pairLoop: for (let i = 0; i < regs.length; i++) {
    for (let j = i + 1; j < regs.length; j++) {
      if (pairs >= MAX_FINDINGS_PER_FILE) {
        stoppedAt = i;
        break pairLoop;
      }
      const a = regs[i]!;
      const b = regs[j]!;
      // sorted by start: once b starts past a's end + 1, no later region touches a (keeps a
      // header of 50,000 disjoint regions linear instead of quadratic)
      if (a.end <= a.start || b.start > a.end + 1) break;
      if (b.end <= b.start) continue;
      const gapOrOverlap = b.start - a.end;
      if (Math.abs(gapOrOverlap) === 1) {
        add(
          'off-by-one',
          'warning',
          b,
          gapOrOverlap > 0
            ? `${a.name} ends at ${hex(a.end)} but ${b.name} starts at ${hex(b.start)}: a gap of one byte (inclusive/exclusive mix)`
            : `${a.name} ends at ${hex(a.end)} but ${b.name} starts at ${hex(b.start)}: one byte overlaps (inclusive/exclusive mix)`,
        );
        pairs++;
        continue;
      }
      if (b.start < a.end && !timeShared(a, b)) {
        const ov = Math.min(a.end, b.end) - b.start;
        add('overlap', 'error', b, `${a.name} ${range(a)} and ${b.name} ${range(b)} overlap by ${humanSize(ov)}`);
        pairs++;
      }
    }
  }
  if (stoppedAt >= 0)
    add(
      'too-many-findings',
      'warning',
      regs[stoppedAt]!,
      `${MAX_FINDINGS_PER_FILE} overlapping or off-by-one pairs listed; the ${regs.length - stoppedAt} regions from ${regs[stoppedAt]!.name} on were not compared further (fix these first)`,
    );

  lintCommentMap(layout, regs, add);

  // window-capacity: a VLPT window of size S holds S/8 PTEs, i.e. GPAs 0 .. S/8*4096
  // absolutely, whatever the RAM base (doc §7, §10 window-overrun)
  const ram = layout.guestRam && layout.guestRam.length ? layout.guestRam : [DEFAULT_GUEST_RAM];
  for (const w of regs.filter((r) => r.name === 'VIRT_LIN_P2M' && r.end > r.start)) {
    const covers = (w.size / 8) * 4096;
    const top = ram.reduce((m, b) => (b.end > m.end ? b : m));
    // end = covers is already one slot too far: (covers >> 30) + 1 indexes past the window
    if (top.end > covers - 4096) {
      // the real limit: prepare_vlpt's gp2m_end_index = (end >> 30) + 1 on the exclusive end must stay
      // within the window's covers / 1 GiB slots, so end ≤ covers − 4 KiB (doc §10 extra-slot) [D];
      // from the lowest RAM base b below it, the largest guest is covers − 4 KiB − b
      const low = ram
        .filter((b) => b.start < covers - 4096)
        .reduce<(typeof ram)[number] | null>((m, b) => (m === null || b.start < m.start ? b : m), null);
      const limit = low
        ? `; prepare_vlpt's end_index = (end >> 30) + 1 keeps RAM in the window only while it ends at or below ${hex(covers - 4096)}: from ${hex(low.start)} at most ${minusPage(covers - low.start)} (${hex(covers - 4096 - low.start)}), although its size check (RAM / 512 ≤ ${humanSize(w.size)}) accepts ${humanSize(w.size * 512)}`
        : '';
      const what =
        top.end > covers
          ? `only, but guest RAM reaches ${hex(top.end)} (${top.name})`
          : `and guest RAM ends at ${hex(top.end)} (${top.name}): its PTEs fit, but the "+ 1" copies one more L1 entry into the slot past the window`;
      add(
        'window-capacity',
        'warning',
        w,
        `${w.name} (${humanSize(w.size)}) holds the PTEs of GPAs 0–${hex(covers)} (${humanSize(covers)}) ${what}${limit}`,
      );
    }
  }
  return capFindings(out);
}

/** `x − 4 KiB` written as a person would: "62 GiB − 4 KiB" */
const minusPage = (x: number): string => `${humanSize(x)} − 4 KiB`;

type Add = (
  id: string,
  severity: Severity,
  at: { file?: string | null; line: number | null } | null,
  message: string,
) => void;

function lintCommentMap(layout: Layout, regs: Region[], add: Add): void {
  const rows = layout.commentMap.filter((r) => (r.kind ?? 'range') === 'range' && !isFreeRow(r.text));
  if (rows.length === 0) return; // a header without a map says nothing to disagree with
  const used = new Set<(typeof rows)[number]>();
  for (const r of regs) {
    const row = bestRow(rows, r.name, r.start);
    // a time-shared start without a row of its own (today's arm32 BOOT_RELOC shares the
    // livepatch slot, which has the row): the slot is described, nothing disagrees
    if (!row && regs.some((o) => o !== r && timeShared(o, r) && bestRow(rows, o.name, o.start))) continue;
    if (!row) {
      add('comment-map-mismatch', 'warning', r, `${r.name} ${range(r)} has no row in the header's comment map`);
      continue;
    }
    used.add(row);
    if (r.endForm === 'comment') continue;
    const endKnown = r.endForm !== 'next';
    if (row.start !== r.start || (endKnown && row.end !== r.end)) {
      add(
        'comment-map-mismatch',
        'warning',
        r,
        `${r.name}: the macros give ${endKnown ? range(r) : `start ${hex(r.start)}`}, the comment map says ${range(row)} ("${row.text.slice(0, 50)}")`,
      );
    }
  }
  for (const row of rows) {
    if (!used.has(row))
      add(
        'comment-map-mismatch',
        'warning',
        row,
        `the comment map's row ${range(row)} "${row.text.slice(0, 50)}" has no region macro`,
      );
  }
}

/**
 * At most MAX_FINDINGS_PER_FILE findings per file, then one `too-many-findings` summary per
 * file saying how many more (summaries already in the list are kept and not counted).
 */
export function capFindings(list: readonly LintFinding[], max = MAX_FINDINGS_PER_FILE): LintFinding[] {
  const kept: LintFinding[] = [];
  const perFile = new Map<string | null, { n: number; more: number; first: LintFinding }>();
  for (const f of list) {
    let c = perFile.get(f.file);
    if (!c) perFile.set(f.file, (c = { n: 0, more: 0, first: f }));
    if (f.id === 'too-many-findings')
      kept.push(f); // an earlier summary (one per lintLayout) always stays
    else if (c.n < max) {
      kept.push(f);
      c.n++;
    } else c.more++;
  }
  for (const [file, c] of perFile)
    if (c.more > 0)
      kept.push({
        id: 'too-many-findings',
        severity: 'warning',
        file,
        line: c.first.line,
        message: `${c.more} more finding${c.more === 1 ? '' : 's'} not listed (the first ${max} are)`,
      });
  return kept;
}

const DIAG_FINDING: Record<string, Severity> = {
  preprocessor: 'error',
  'unknown-macro': 'warning',
  'macro-cycle': 'error',
  'bad-expression': 'warning',
  limit: 'error',
};

/** Parse `files` for both arches and lint both; parser problems become findings too. */
export function lintHeaders(files: HeaderFile[], arches: Arch[] = ['arm32', 'arm64']): LintFinding[] {
  const seen = new Set<string>();
  const out: LintFinding[] = [];
  for (const arch of arches) {
    const layout = parseHeaders(files, { arch });
    const found: LintFinding[] = [];
    for (const d of layout.diagnostics ?? []) {
      const sev = DIAG_FINDING[d.kind];
      if (sev)
        found.push({
          id: d.kind,
          severity: sev,
          file: d.file,
          line: d.line,
          message: d.message.replace(/^[^:]*:\d+: /, ''),
        });
    }
    for (const f of lintLayout(layout)) {
      // row-only findings have no region: place them at their comment line
      found.push({
        ...f,
        message: arches.length > 1 ? `${arch}: ${f.message}` : f.message,
        file: f.file ?? files[0]?.path ?? null,
      });
    }
    for (const f of found) {
      const key = `${f.id}|${f.file}|${f.line}|${f.message.replace(/^arm(32|64): /, '')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(f);
    }
  }
  return capFindings(out);
}
