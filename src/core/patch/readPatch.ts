/**
 * Patch reader (issue 4 "Patch reader"): any of a web-archive page, an mbox / format-patch mail
 * or a bare diff → subject, author, date, per-file counts from the hunks, `diffstat-mismatch`
 * findings, and the layout before/after the hunks that touch an ARM layout header.
 */
import { InputError } from '../errors';
import { SEED_BASE_CONFIG_H, SEED_BASE_PATH } from '../layout/seedHeader';
import type { Arch } from '../layout/types';
import { oldSide, newSide } from './apply';
import { parseDiff } from './diff';
import { compareDiffstat, parseDiffstat } from './diffstat';
import { applyStep, diffLayouts, type StateFile } from './layoutDiff';
import { decodeHeaderWords, unwrapMail, type MailParts } from './mail';
import type { PatchFinding, PatchInfo } from './types';

export { regionChanges } from './layoutDiff';

export interface ReadPatchOptions {
  /** one header to apply layout hunks to (kept for callers of one base); same as `bases: [base]` */
  base?: { path: string; text: string };
  /**
   * layout files given by the user (`--base`): each patch file goes to the base with the same
   * path (longest shared path tail), else the same file name; default the embedded 2013
   * config.h (ac6e1ae)
   */
  bases?: Array<{ path: string; text: string }>;
  /**
   * files of a Xen tree at their repository paths (`--tree`): layout files by their path or by an
   * `#include` from one; used instead of `bases`
   */
  tree?: { label: string; files: Array<{ path: string; text: string }> };
  arch?: Arch;
  /** cap in characters (default 32 MiB) */
  maxChars?: number;
}

/** The starting files of the layout and the label the report gives them. */
export function initialState(opts: ReadPatchOptions): { state: StateFile[]; label: string } {
  const arch = opts.arch ?? 'arm32';
  if (opts.tree) {
    const state = opts.tree.files.map((f) => ({ path: f.path, label: f.path, text: f.text, root: false }));
    return { state, label: opts.tree.label };
  }
  const bases = opts.bases?.length ? opts.bases : opts.base ? [opts.base] : [];
  if (bases.length === 0)
    return {
      state: [{ path: SEED_BASE_PATH, label: SEED_BASE_PATH, text: SEED_BASE_CONFIG_H, root: true }],
      label: `embedded: 2013 ${arch} config.h (ac6e1ae)`,
    };
  return {
    state: bases.map((b) => ({ path: b.path, label: b.path, text: b.text, root: true })),
    label: bases.map((b) => b.path).join(' + '),
  };
}

export const DEFAULT_MAX_PATCH_CHARS = 32 * 1024 * 1024;

const stripTag = (s: string): string =>
  s
    .replace(/\[xen-devel\]\s*/gi, '')
    .replace(/\s+/g, ' ')
    .trim();

export function meta(m: MailParts): { subject: string | null; author: string | null; date: string | null } {
  let subject: string | null = null;
  let author: string | null = null;
  let date: string | null = null;
  if (m.format === 'mbox') {
    const s = m.headers.get('subject');
    subject = s ? stripTag(decodeHeaderWords(s)) : null;
    const f = m.headers.get('from');
    author = f ? decodeHeaderWords(f).trim() : null;
    date = m.headers.get('date')?.trim() || null;
    // git format-patch puts the real author first in the body when the sender differs
    const bodyFrom = /^\s*From:\s*(\S.*)$/.exec(m.body.split('\n').find((l) => l.trim() !== '') ?? '');
    if (bodyFrom) author = decodeHeaderWords(bodyFrom[1]!).trim();
  } else {
    const top = m.body.split('\n');
    const end = top.findIndex((l) => /^(diff --git |---\s*$|--- \S)/.test(l));
    for (const l of top.slice(0, end < 0 ? Math.min(top.length, 200) : end)) {
      const h = /^\s*(?:[*•]\s*)?(Subject|From|Date)\s*:\s*(\S.*)$/i.exec(l); // no two \s* side by side: linear
      if (h) {
        const k = h[1]!.toLowerCase();
        if (k === 'subject' && subject === null) subject = stripTag(h[2]!);
        else if (k === 'from' && author === null) author = h[2]!.trim();
        else if (k === 'date' && date === null) date = h[2]!.trim();
        continue;
      }
      if (subject === null && /^\s*\[xen-devel\]/i.test(l)) subject = stripTag(l);
    }
  }
  // [ \t]* (not \s*) at the line start: \s* spans newlines and made a run of blank lines quadratic
  if (author === null) author = /^[ \t]*Signed-off-by:[ \t]*(\S.*)$/m.exec(m.body)?.[1]?.trimEnd() ?? null;
  return { subject: subject || null, author, date };
}

export function readPatch(text: string, name: string, opts: ReadPatchOptions = {}): PatchInfo {
  const max = opts.maxChars ?? DEFAULT_MAX_PATCH_CHARS;
  if (typeof text !== 'string') throw new InputError(`${name}: expected the text of a patch`);
  if (text.length > max)
    throw new InputError(`${name}: ${text.length} characters is larger than the ${max}-character cap for a patch`);
  const { state, label } = initialState(opts);
  return readOnePatch(text, name, opts.arch ?? 'arm32', state, label).info;
}

/** One mail against a layout state: the report and the state after it (for a series). */
export function readOnePatch(
  text: string,
  name: string,
  arch: Arch,
  state: readonly StateFile[],
  baseLabel: string,
): { info: PatchInfo; after: StateFile[] } {
  const mail = unwrapMail(text);
  const files = parseDiff(mail.body, mail.doubleSpaced);
  if (files.length === 0) {
    throw new InputError(
      `${name}: no unified diff found (expected a mail, a xen-devel archive page or a diff with ---/+++ headers and @@ hunks)`,
    );
  }
  const findings: PatchFinding[] = [];
  for (const f of files) {
    f.hunks.forEach((h, i) => {
      const where = `hunk ${i + 1} (${h.header.replace(/ @@.*$/, ' @@')})`;
      if (!h.complete) {
        const o = oldSide(h).length;
        const n = newSide(h).length;
        findings.push({
          id: 'hunk-unrebuildable',
          severity: 'warning',
          file: f.path,
          line: h.at,
          message: `${where} cannot be rebuilt: its counts want ${h.oldCount} old / ${h.newCount} new lines, the text gives ${o} / ${n} (truncated or mangled); counted as read`,
        });
      } else if (h.restored > 0) {
        findings.push({
          id: 'hunk-rebuilt',
          severity: 'info',
          file: f.path,
          line: h.at,
          message: `${where}: restored ${h.restored} blank context line(s) the page had dropped, at guessed places`,
        });
      }
    });
  }
  if (mail.format === 'archive') {
    const repaired = files.reduce((a, f) => a + f.hunks.reduce((b, h) => b + h.repaired, 0), 0);
    findings.push({
      id: 'archive-repaired',
      severity: 'info',
      file: name,
      line: null,
      message: `web-archive page${mail.doubleSpaced ? ' (double-spaced)' : ''}: ${mail.nbsp} NBSPs read as spaces, ${repaired} context line(s) had lost their leading space; hunks rebuilt from their @@ counts`,
    });
  }
  const diffstat = parseDiffstat(mail.body);
  if (diffstat) findings.push(...compareDiffstat(diffstat, files, name));
  const step = applyStep(files, state, findings);
  const layout = diffLayouts(step, { arch, name, baseLabel }, findings);
  return { info: { name, format: mail.format, ...meta(mail), files, diffstat, findings, layout }, after: step.after };
}
