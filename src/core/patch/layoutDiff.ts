/**
 * A patch's effect on the Arm layout (issue 12 item 4): each file of the patch goes to its own
 * base (by path, then by file name), new files join the layout when a layout header includes
 * them, renames and deletions move the files, and every other file is ignored as "not a layout
 * header". The state is a list of files, so a series applies patch after patch (series.ts).
 */
import { parseHeaders, type HeaderFile } from '../layout/header';
import { lintLayout } from '../layout/lint';
import type { Arch, Layout, Region } from '../layout/types';
import { applyHunks, newSide, oldSide } from './apply';
import {
  bestBase,
  includeRefersTo,
  includesOf,
  isArmHeaderPath,
  isArmLayoutPath,
  isOtherArchPath,
  type BaseMatch,
} from './bases';
import type { FileDiff } from './diff';
import type { EndInfo, LayoutDiff, PatchFinding, RegionChange } from './types';

/** One file of the tree as the layout sees it. */
export interface StateFile {
  /** path used to match patch paths: the user's `--base` path, or a repository path */
  path: string;
  /** how reports name it (the user's path; the patch's path once the patch touched it) */
  label: string;
  text: string;
  /** given by the user as a layout file (`--base`), whatever its name */
  root: boolean;
}

/** Files of a tree the layout follows past this many `#include`s is a bug in the input, not a layout. */
const MAX_LAYOUT_FILES = 32;

export interface StepResult {
  before: StateFile[];
  after: StateFile[];
  /** patch paths whose hunks were applied to a layout file, in patch order */
  applied: string[];
  targets: Array<{ path: string; base: string | null; how: BaseMatch | 'new-file' | null }>;
  ignored: Array<{ path: string; reason: string }>;
}

/** The files of `state` that make the layout: roots and Arm layout paths, then what they `#include`. */
export function layoutFiles(state: readonly StateFile[]): StateFile[] {
  const inSet = new Set<StateFile>();
  const queue: StateFile[] = [];
  for (const f of state)
    if (f.root || isArmLayoutPath(f.path)) {
      inSet.add(f);
      queue.push(f);
    }
  while (queue.length && inSet.size < MAX_LAYOUT_FILES) {
    const f = queue.shift()!;
    for (const inc of includesOf(f.text)) {
      for (const g of state) {
        if (inSet.has(g) || !includeRefersTo(inc, f.path, g.path)) continue;
        inSet.add(g);
        queue.push(g);
      }
    }
  }
  return state.filter((f) => inSet.has(f)); // state order: config.h before what it includes
}

/**
 * Apply one patch's files to `state`. Hunks that do not apply are reported and their own lines
 * appended (pre-image lines to the before text, post-image lines to the after text), as before.
 */
/**
 * Characters of layout text `applyHunks` may walk in one step, as a multiple of the step's input
 * (the state's texts and the hunks' lines), at least APPLY_FLOOR: each diff of a file rereads the
 * whole file, so a mail repeating a diff of config.h thousands of times (a saved archive page
 * duplicated, a fuzzed mbox) was quadratic (issue 13 item 6). Real series stay far below it.
 */
export const APPLY_FACTOR = 32;
export const APPLY_FLOOR = 64 * 1024 * 1024;

export function applyStep(files: FileDiff[], state: readonly StateFile[], findings: PatchFinding[]): StepResult {
  let input = 0;
  for (const s of state) input += s.text.length;
  for (const f of files) for (const h of f.hunks) for (const l of h.lines) input += l.length + 1;
  let budget = Math.max(APPLY_FLOOR, APPLY_FACTOR * input);
  let skipped = 0;
  let firstSkipped: FileDiff | null = null;
  const before = state.map((f) => ({ ...f }));
  const after = state.map((f) => ({ ...f }));
  const applied: string[] = [];
  const targets: StepResult['targets'] = [];
  const ignored: StepResult['ignored'] = [];
  const candidates: FileDiff[] = [];
  /** patch files that went into the state, for the "not a layout header" pass below */
  const touched = new Map<StateFile, FileDiff>();
  for (const f of files) {
    const key = f.oldPath ?? f.path;
    if (isOtherArchPath(key) || isOtherArchPath(f.path)) {
      ignored.push({ path: f.path, reason: 'not a layout header' });
      continue;
    }
    const exact = after.some((s) => s.path === key);
    if (isArmLayoutPath(key) || isArmLayoutPath(f.path) || exact || (f.status === 'added' && isArmHeaderPath(f.path)))
      candidates.push(f);
    else ignored.push({ path: f.path, reason: 'not a layout header' });
  }
  const userRoots = after.filter((s) => s.root);
  const matchedRoots = new Set<StateFile>();
  const plan = candidates.map((f) => {
    if (f.status === 'added') return { f, i: -1, how: 'new-file' as const };
    const m = bestBase(after, f.oldPath ?? f.path);
    if (m) matchedRoots.add(after[m.index]!);
    return { f, i: m ? m.index : -1, how: m ? m.how : null };
  });
  // one --base and a layout file no base names: apply it there (the single-base reading of old)
  const only = userRoots.length === 1 && !matchedRoots.has(userRoots[0]!) ? after.indexOf(userRoots[0]!) : -1;
  for (const p of plan) {
    if (p.i < 0 && p.how === null && only >= 0 && isArmLayoutPath(p.f.path)) {
      p.i = only;
      (p as { how: BaseMatch | 'new-file' | null }).how = 'only-base';
    }
  }
  for (const { f, i, how } of plan) {
    if (i < 0 && how === null) {
      // a layout header with no base: its hunks' own lines are all there is
      findings.push({
        id: 'no-base',
        severity: 'warning',
        file: f.path,
        line: f.hunks[0]?.at ?? null,
        message: `no base file for ${f.oldPath ?? f.path}${after.length ? ` (bases: ${after.map((s) => s.label).join(', ')})` : ''}; the layout uses the hunks' own lines`,
      });
      const oldText = f.hunks.flatMap((h) => oldSide(h)).join('\n');
      const newText = f.hunks.flatMap((h) => newSide(h)).join('\n');
      const b: StateFile = { path: f.oldPath ?? f.path, label: f.path, text: oldText, root: false };
      const a: StateFile = { path: f.path, label: f.path, text: newText, root: false };
      if (f.status !== 'added') before.push(b);
      if (f.status !== 'deleted') after.push(a);
      touched.set(a, f);
      touched.set(b, f);
      targets.push({ path: f.path, base: null, how: null });
      continue;
    }
    const cost = (how === 'new-file' ? 0 : after[i]!.text.length) + f.hunks.length;
    if (cost > budget) {
      skipped++;
      firstSkipped ??= f;
      continue;
    }
    budget -= cost;
    let target: StateFile;
    if (how === 'new-file') {
      const existing = after.findIndex((s) => s.path === f.path);
      target = { path: f.path, label: f.path, text: '', root: false };
      if (existing >= 0) after[existing] = target;
      else after.push(target);
    } else target = after[i]!;
    targets.push({ path: f.path, base: how === 'new-file' ? null : target.label, how });
    const baseLabel = target.label;
    const r = applyHunks(target.text, f.hunks);
    let text = r.text;
    if (r.failed.length) {
      const fallbackOld: string[] = [];
      const fallbackNew: string[] = [];
      for (const k of r.failed) {
        const h = f.hunks[k]!;
        findings.push({
          id: 'hunk-not-applied',
          severity: 'warning',
          file: f.path,
          line: h.at,
          message: `hunk ${k + 1} (${h.header.replace(/ @@.*$/, ' @@')}) does not apply to ${baseLabel}; the layout uses the hunk's own lines instead`,
        });
        for (const l of oldSide(h)) fallbackOld.push(l); // no spread: huge hunks
        for (const l of newSide(h)) fallbackNew.push(l);
      }
      text += `\n${fallbackNew.join('\n')}\n`;
      if (i >= 0) before[i]!.text += `\n${fallbackOld.join('\n')}\n`;
    }
    target.text = text;
    if (f.status === 'deleted') after.splice(after.indexOf(target), 1);
    else {
      // a rename moves the file: later patches (and includes) find it at its new path
      if (f.newPath && f.newPath !== target.path) target.path = f.newPath;
      target.label = target.root && f.status !== 'renamed' ? target.label : f.path;
    }
    touched.set(target, f);
    if (i >= 0) touched.set(before[i]!, f);
  }
  if (firstSkipped)
    findings.push({
      id: 'apply-cap',
      severity: 'warning',
      file: firstSkipped.path,
      line: firstSkipped.hunks[0]?.at ?? null,
      message: `${skipped} diff(s) of layout headers from this one on were not applied: together the patch's diffs reread the layout files more than ${APPLY_FACTOR}× the size of the patch and its bases (a diff repeated many times?); the layout after is the one before them`,
    });
  // a candidate that no layout header includes (before or after) was not a layout header
  const inLayout = new Set([...layoutFiles(before), ...layoutFiles(after)]);
  const seen = new Set<FileDiff>();
  for (const [s, f] of touched) {
    if (!inLayout.has(s) || seen.has(f)) continue;
    seen.add(f);
  }
  for (const f of candidates) {
    if (seen.has(f)) applied.push(f.path);
    else ignored.push({ path: f.path, reason: 'not a layout header' });
  }
  const order = new Map(files.map((f, k) => [f.path, k] as const));
  ignored.sort((x, y) => (order.get(x.path) ?? 0) - (order.get(y.path) ?? 0));
  return { before, after, applied, targets: targets.filter((t) => applied.includes(t.path)), ignored };
}

export interface DiffOptions {
  arch: Arch;
  /** the patch's name, for the after layout's `source` */
  name: string;
  /** LayoutDiff.base */
  baseLabel: string;
}

/** Parse before and after, compare them, and add the layout lints the patch makes new. */
export function diffLayouts(step: StepResult, opts: DiffOptions, findings: PatchFinding[]): LayoutDiff {
  const asHeaders = (fs: StateFile[]): HeaderFile[] => layoutFiles(fs).map((f) => ({ path: f.label, text: f.text }));
  const beforeFiles = asHeaders(step.before);
  const before = parseHeaders(beforeFiles, { arch: opts.arch, source: opts.baseLabel });
  const changed = step.applied.length > 0;
  const after = changed
    ? parseHeaders(asHeaders(step.after), { arch: opts.arch, source: `patch:${opts.name}` })
    : before;
  if (changed) {
    const key = (f: { id: string; message: string }): string => `${f.id}|${f.message}`;
    const old = new Set(lintLayout(before).map(key));
    for (const f of lintLayout(after)) {
      if (!old.has(key(f)))
        findings.push({
          id: f.id,
          severity: f.severity,
          file: f.file ?? step.applied[0]!,
          line: f.line,
          message: f.message,
        });
    }
  }
  return {
    base: opts.baseLabel,
    applied: step.applied,
    targets: step.targets,
    ignored: step.ignored,
    before,
    after,
    changes: regionChanges(before, after),
  };
}

/** The end macro of a region as the file wrote it: its name, its form and its own value. */
export function endInfo(r: Region): EndInfo {
  const value =
    r.endForm === 'inclusive' ? r.end - 1 : r.endForm === 'size' ? r.size : r.endForm === 'exclusive' ? r.end : null;
  return { macro: r.endMacro, form: r.endForm, value };
}

export function regionChanges(before: Layout, after: Layout): RegionChange[] {
  const b = new Map(before.regions.map((r) => [r.name, r] as const));
  const a = new Map(after.regions.map((r) => [r.name, r] as const));
  const out: RegionChange[] = [];
  const names = [...new Set([...a.keys(), ...b.keys()])];
  for (const n of names) {
    const x: Region | null = b.get(n) ?? null;
    const y: Region | null = a.get(n) ?? null;
    if (!x && y) out.push({ name: n, change: 'added', before: null, after: y });
    else if (x && !y) out.push({ name: n, change: 'removed', before: x, after: null });
    else if (x && y && x.start !== y.start) out.push({ name: n, change: 'moved', before: x, after: y });
    else if (x && y && x.end !== y.end) out.push({ name: n, change: 'resized', before: x, after: y });
    else if (x && y) {
      // same bytes, another end macro, form or value: 2016 arm64 VMAP_VIRT_END
      // `+ GB(1) - 1` (inclusive, 0x7fffffff) → `+ GB(1)` (exclusive, 0x80000000)
      const e0 = endInfo(x);
      const e1 = endInfo(y);
      if (e0.macro !== e1.macro || e0.form !== e1.form || e0.value !== e1.value)
        out.push({ name: n, change: 'end', before: x, after: y, end: { before: e0, after: e1 } });
    }
  }
  return out.sort((p, q) => (p.after ?? p.before)!.start - (q.after ?? q.before)!.start);
}
