/**
 * Patch reader (issue 4 "Patch reader"): any of a web-archive page, an mbox / format-patch mail
 * or a bare diff → subject, author, date, per-file counts from the hunks, `diffstat-mismatch`
 * findings, and the layout before/after the hunks that touch an ARM layout header.
 */
import { InputError } from '../errors';
import { parseHeaders } from '../layout/header';
import { lintLayout } from '../layout/lint';
import { SEED_BASE_CONFIG_H, SEED_BASE_PATH } from '../layout/seedHeader';
import type { Arch, Layout, Region } from '../layout/types';
import { applyHunks, newSide, oldSide } from './apply';
import { parseDiff, type FileDiff } from './diff';
import { compareDiffstat, parseDiffstat } from './diffstat';
import { decodeHeaderWords, unwrapMail, type MailParts } from './mail';
import type { LayoutDiff, PatchFinding, PatchInfo, RegionChange } from './types';

export interface ReadPatchOptions {
  /** header to apply config.h hunks to; default the embedded 2013 config.h (ac6e1ae) */
  base?: { path: string; text: string };
  arch?: Arch;
  /** cap in characters (default 32 MiB) */
  maxChars?: number;
}

export const DEFAULT_MAX_PATCH_CHARS = 32 * 1024 * 1024;

const LAYOUT_HEADER = /(^|\/)(config\.h|mmu\/layout\.h)$/;

const stripTag = (s: string): string =>
  s
    .replace(/\[xen-devel\]\s*/gi, '')
    .replace(/\s+/g, ' ')
    .trim();

function meta(m: MailParts): { subject: string | null; author: string | null; date: string | null } {
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
  const arch = opts.arch ?? 'arm32';
  const max = opts.maxChars ?? DEFAULT_MAX_PATCH_CHARS;
  if (typeof text !== 'string') throw new InputError(`${name}: expected the text of a patch`);
  if (text.length > max)
    throw new InputError(`${name}: ${text.length} characters is larger than the ${max}-character cap for a patch`);
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
  const layout = layoutDiff(files, name, arch, opts.base, findings);
  return { name, format: mail.format, ...meta(mail), files, diffstat, findings, layout };
}

function layoutDiff(
  files: FileDiff[],
  name: string,
  arch: Arch,
  base: ReadPatchOptions['base'],
  findings: PatchFinding[],
): LayoutDiff {
  const baseFile = base ?? { path: SEED_BASE_PATH, text: SEED_BASE_CONFIG_H };
  const baseLabel = base ? base.path : `embedded: 2013 ${arch} config.h (ac6e1ae)`;
  const headers = files.filter((f) => LAYOUT_HEADER.test(f.path) && /arm/.test(f.path));
  const baseName = baseFile.path.split('/').pop()!;
  const sameKind = headers.filter((f) => f.path.split('/').pop() === baseName);
  const targets = sameKind.length ? sameKind : headers;
  let beforeText = baseFile.text;
  let afterText = baseFile.text;
  const fallbackOld: string[] = [];
  const fallbackNew: string[] = [];
  for (const f of targets) {
    const r = applyHunks(afterText, f.hunks);
    afterText = r.text;
    for (const i of r.failed) {
      const h = f.hunks[i]!;
      findings.push({
        id: 'hunk-not-applied',
        severity: 'warning',
        file: f.path,
        line: h.at,
        message: `hunk ${i + 1} (${h.header.replace(/ @@.*$/, ' @@')}) does not apply to ${baseLabel}; the layout uses the hunk's own lines instead`,
      });
      for (const l of oldSide(h)) fallbackOld.push(l); // no spread: huge hunks
      for (const l of newSide(h)) fallbackNew.push(l);
    }
  }
  // the fallback: the failed hunks' own pre- and post-image lines, after the base
  if (fallbackOld.length || fallbackNew.length) {
    beforeText += `\n${fallbackOld.join('\n')}\n`;
    afterText += `\n${fallbackNew.join('\n')}\n`;
  }
  const before = parseHeaders([{ path: baseFile.path, text: beforeText }], { arch, source: baseLabel });
  const afterPath = targets[0]?.path ?? baseFile.path;
  const after = targets.length
    ? parseHeaders([{ path: afterPath, text: afterText }], { arch, source: `patch:${name}` })
    : before;
  if (targets.length) {
    const key = (f: { id: string; message: string }): string => `${f.id}|${f.message}`;
    const old = new Set(lintLayout(before).map(key));
    for (const f of lintLayout(after)) {
      if (!old.has(key(f)))
        findings.push({ id: f.id, severity: f.severity, file: afterPath, line: f.line, message: f.message });
    }
  }
  return { base: baseLabel, applied: targets.map((f) => f.path), before, after, changes: regionChanges(before, after) };
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
  }
  return out.sort((p, q) => (p.after ?? p.before)!.start - (q.after ?? q.before)!.start);
}
