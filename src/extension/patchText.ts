/**
 * Patches in the workspace (pure: no `vscode` import, unit-tested): which files are patches,
 * and on which line of the file as written (a mail, a web-archive page, a bare diff) a
 * finding of the patch reader belongs. The reader reports lines of the decoded body or of the
 * patched header; the Problems panel needs lines of the file the user opens.
 */
import type { PatchFinding, PatchInfo } from '../core/index';

/** extensions that are patches whatever their text */
export const PATCH_FILE = /\.(patch|diff|mbox|eml)$/i;
/** extensions that may hold a patch (a saved list-archive page) */
export const MAYBE_PATCH_FILE = /\.(patch|diff|mbox|eml|txt)$/i;

/** a unified diff: a `+++` file header followed somewhere by a `@@ -a,b +c,d @@` hunk */
const HAS_DIFF = /^[ \u00a0]*\+\+\+ \S[^]*?^[ \u00a0]*@@ -\d+(,\d+)? \+\d+(,\d+)? @@/m;
/** marks of a mail or of a xen-devel archive page */
const MAIL_MARK = /^(Subject:|From:|Date:)|\[Xen-devel\]|\[PATCH\b|Thread Index|Signed-off-by:/im;

/** Is `text` (of a file named `path`) a patch worth reading? .txt files only when they look like a list-archive patch. */
export function isPatchFile(path: string, text: string): boolean {
  if (!MAYBE_PATCH_FILE.test(path)) return false;
  const head = text.length > 1_000_000 ? text.slice(0, 1_000_000) : text;
  if (PATCH_FILE.test(path)) return HAS_DIFF.test(head);
  return MAIL_MARK.test(head) && HAS_DIFF.test(head);
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** 0-based line of the first line matching `re` at or after `from`, or -1 */
function findLine(lines: readonly string[], re: RegExp, from = 0): number {
  for (let i = Math.max(0, from); i < lines.length; i++) if (re.test(lines[i]!)) return i;
  return -1;
}

/** 0-based line of the diff header of `path` (`diff --git a/path`, else `+++ b/path`), or -1 */
export function fileHeaderLine(lines: readonly string[], path: string): number {
  const p = esc(path);
  const git = findLine(lines, new RegExp(`^\\s*diff --git a/${p} `));
  return git >= 0 ? git : findLine(lines, new RegExp(`^\\s*\\+\\+\\+ (b/)?${p}(\\s|$)`));
}

/** 0-based line of `#define MACRO` as the patch adds or keeps it (`+#define`, ` #define`), or -1 */
export function defineLineInPatch(lines: readonly string[], macro: string, from = 0): number {
  const re = new RegExp(`^\\s*[+ ]?\\s*#\\s*define\\s+${esc(macro)}\\b`);
  const added = findLine(lines, new RegExp(`^\\s*\\+\\s*#\\s*define\\s+${esc(macro)}\\b`), from);
  return added >= 0 ? added : findLine(lines, re, from);
}

/** the first line of the file that names the patch (its Subject), else 0 */
function subjectLine(lines: readonly string[], info: PatchInfo): number {
  const s = findLine(lines, /^\s*(Subject:|\[Xen-devel\])/i);
  if (s >= 0) return s;
  if (info.subject) {
    const i = findLine(lines, new RegExp(esc(info.subject.slice(0, 40))));
    if (i >= 0) return i;
  }
  return 0;
}

/**
 * The 0-based line of the written file for a finding of `readPatch`:
 * - a hunk finding (`hunk N (@@ … @@)`) → that hunk's `@@` line after its file's header;
 * - `diffstat-mismatch` → the diffstat row of the file, or the "N files changed" summary;
 * - a lint of the patched layout header (line = line in that header) → the `+#define` of the
 *   region that line defines, else the header's diff line;
 * - whole-mail findings (`archive-repaired`, …) → the Subject line.
 */
export function patchFindingLine(lines: readonly string[], info: PatchInfo, f: PatchFinding): number {
  const whole = f.file === info.name;
  if (f.id === 'diffstat-mismatch') {
    const row = whole
      ? findLine(lines, /^\s*\d+ files? changed/)
      : findLine(
          lines,
          new RegExp(`^\\s*(\\.\\.\\.)?\\S*${esc(f.file.split('/').slice(-2).join('/'))}\\s*\\|\\s*\\d+`),
        );
    if (row >= 0) return row;
  }
  if (whole) return subjectLine(lines, info);
  const fileAt = fileHeaderLine(lines, f.file);
  const hunk = /^hunk (\d+) /.exec(f.message);
  if (hunk) {
    const fd = info.files.find((x) => x.path === f.file);
    const h = fd?.hunks[Number(hunk[1]) - 1];
    if (h) {
      const at = findLine(lines, new RegExp(`^\\s*${esc(h.header.replace(/ @@.*$/, ' @@'))}`), fileAt);
      if (at >= 0) return at;
    }
  }
  if (f.line !== null && info.layout.applied.includes(f.file)) {
    const reg =
      info.layout.after.regions.find((r) => r.line === f.line && r.startMacro) ??
      info.layout.after.regions.find((r) => f.message.startsWith(`${r.name} `) || f.message.startsWith(`${r.name}:`));
    if (reg?.startMacro) {
      const d = defineLineInPatch(lines, reg.startMacro, Math.max(0, fileAt));
      if (d >= 0) return d;
    }
  }
  return fileAt >= 0 ? fileAt : subjectLine(lines, info);
}
