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

/** a `+++` file header line and a `@@ -a,b +c,d @@` hunk line (whitespace and NBSP before them) */
const PLUS_LINE = /^[ \u00a0]*\+\+\+ \S/;
const HUNK_LINE = /^[ \u00a0]*@@ -\d+(,\d+)? \+\d+(,\d+)? @@/;
/** marks of a mail or of a xen-devel archive page */
const MAIL_MARK = /^(Subject:|From:|Date:)|\[Xen-devel\]|\[PATCH\b|Thread Index|Signed-off-by:/im;
/** the line terminators at which a multiline `^` matches */
const LINE_BREAK = /\r\n?|[\n\u2028\u2029]/;

/**
 * A unified diff: a `+++` file header line followed, on a later line, by a hunk header. One
 * sweep over the lines (issue 13 item 6): the former `+++ …[^]*?^@@` regex rescanned the rest
 * of the text from every `+++` line without a hunk after it (976 KiB: 12 s on every edit).
 */
export function hasDiff(text: string): boolean {
  let plus = false;
  for (const line of text.split(LINE_BREAK)) {
    if (plus && HUNK_LINE.test(line)) return true;
    if (!plus && PLUS_LINE.test(line)) plus = true;
  }
  return false;
}

/** Is `text` (of a file named `path`) a patch worth reading? .txt files only when they look like a list-archive patch. */
export function isPatchFile(path: string, text: string): boolean {
  if (!MAYBE_PATCH_FILE.test(path)) return false;
  const head = text.length > 1_000_000 ? text.slice(0, 1_000_000) : text;
  if (PATCH_FILE.test(path)) return hasDiff(head);
  return MAIL_MARK.test(head) && hasDiff(head);
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** 0-based line of the first line matching `re` at or after `from`, or -1 */
function findLine(lines: readonly string[], re: RegExp, from = 0): number {
  for (let i = Math.max(0, from); i < lines.length; i++) if (re.test(lines[i]!)) return i;
  return -1;
}

/** the first entry of the sorted `list` at or after `from`, or -1 */
function firstFrom(list: readonly number[] | undefined, from: number): number {
  if (!list) return -1;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length ? list[lo]! : -1;
}

function push(map: Map<string, number[]>, key: string, line: number): void {
  const l = map.get(key);
  if (l) {
    if (l[l.length - 1] !== line) l.push(line);
  } else map.set(key, [line]);
}

/** text up to the first whitespace */
const firstToken = (s: string): string => /^\S*/.exec(s)![0];

const GIT_LINE = /^\s*diff --git a\//;
const PLUS_PATH = /^\s*\+\+\+ /;
const HUNK_KEY = /^\s*(@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@)/;
const DEFINE_ANY = /^\s*([+ ]?)\s*#\s*define\s+(\w+)/;
const STAT_ROW = /^\s*(\S+)\s*\|\s*\d/;
const WORD = /^\w+$/;

/**
 * The lines of a written patch, indexed once (issue 13 item 6): each lookup is a map hit and a
 * binary search, not a scan of every line per finding, so placing n findings on an n-line
 * patch is linear. Each lookup answers what the line regex it replaces answers (first match
 * at or after `from`); a query outside the indexed shapes falls back to that scan, memoised.
 */
export class PatchLines {
  private git: Map<string, number[]> | null = null;
  private plus: Map<string, number[]> | null = null;
  private hunks: Map<string, number[]> | null = null;
  private added: Map<string, number[]> | null = null;
  private defines: Map<string, number[]> | null = null;
  private stats: Map<string, number[]> | null = null;
  private readonly memo = new Map<string, number>();

  constructor(readonly lines: readonly string[]) {}

  /** first line at or after `from` matching `re`, memoised by `key` */
  private scan(key: string, re: RegExp, from = 0): number {
    const k = `${key}\u0000${from}`;
    let r = this.memo.get(k);
    if (r === undefined) {
      r = findLine(this.lines, re, from);
      this.memo.set(k, r);
    }
    return r;
  }

  private buildHeaders(): void {
    this.git = new Map();
    this.plus = new Map();
    this.lines.forEach((l, i) => {
      if (GIT_LINE.test(l)) push(this.git!, firstToken(l.slice(l.indexOf('a/') + 2)), i);
      else if (PLUS_PATH.test(l)) {
        const t = firstToken(l.slice(l.indexOf('+++ ') + 4));
        push(this.plus!, t, i);
        if (t.startsWith('b/')) push(this.plus!, t.slice(2), i);
      }
    });
  }

  /** 0-based line of the diff header of `path` (`diff --git a/path `, else `+++ b/path`), or -1 */
  fileHeader(path: string): number {
    if (!this.git) this.buildHeaders();
    const key = firstToken(path);
    const git = (this.git!.get(key) ?? []).find((i) => {
      const l = this.lines[i]!;
      return l.startsWith(`${path} `, l.indexOf('a/') + 2);
    });
    if (git !== undefined) return git;
    const plus = (this.plus!.get(key) ?? []).find((i) => {
      const l = this.lines[i]!;
      const at = l.indexOf('+++ ') + 4;
      const ok = (p: number): boolean =>
        l.startsWith(path, p) && (p + path.length === l.length || /\s/.test(l[p + path.length]!));
      return ok(at) || (l.startsWith('b/', at) && ok(at + 2));
    });
    return plus ?? -1;
  }

  /** 0-based line at or after `from` that starts (after blanks) with the hunk header `head` (`@@ -a,b +c,d @@`) */
  hunk(head: string, from: number): number {
    if (HUNK_KEY.exec(head)?.[1] !== head) return this.scan(`hunk ${head}`, new RegExp(`^\\s*${esc(head)}`), from);
    if (!this.hunks) {
      this.hunks = new Map();
      this.lines.forEach((l, i) => {
        const m = HUNK_KEY.exec(l);
        if (m) push(this.hunks!, m[1]!, i);
      });
    }
    return firstFrom(this.hunks.get(head), Math.max(0, from));
  }

  /** 0-based line of `#define MACRO` as the patch adds it (`+#define`), else keeps it, at or after `from`; -1 */
  define(macro: string, from = 0): number {
    if (!WORD.test(macro)) {
      const added = this.scan(`+def ${macro}`, new RegExp(`^\\s*\\+\\s*#\\s*define\\s+${esc(macro)}\\b`), from);
      return added >= 0
        ? added
        : this.scan(`def ${macro}`, new RegExp(`^\\s*[+ ]?\\s*#\\s*define\\s+${esc(macro)}\\b`), from);
    }
    if (!this.defines) {
      this.added = new Map();
      this.defines = new Map();
      this.lines.forEach((l, i) => {
        const m = DEFINE_ANY.exec(l);
        if (!m) return;
        push(this.defines!, m[2]!, i);
        // after the leading blanks a `+` is always taken by `[+ ]?`: the `+#define` form
        if (m[1] === '+') push(this.added!, m[2]!, i);
      });
    }
    const added = firstFrom(this.added!.get(macro), Math.max(0, from));
    return added >= 0 ? added : firstFrom(this.defines.get(macro), Math.max(0, from));
  }

  /**
   * 0-based line of the diffstat row (` path | N`) of a file whose last two path parts are
   * `tail`: a row whose path ends with them as whole parts (`.../arm32/page.h` for
   * `arm32/page.h`; not `xarm32/page.h`, another file), or -1
   */
  statRow(tail: string): number {
    if (!/^[^\s/]+(\/[^\s/]+)?$/.test(tail))
      return this.scan(`stat ${tail}`, new RegExp(`^\\s*(\\.\\.\\.)?\\S*${esc(tail)}\\s*\\|\\s*\\d+`));
    if (!this.stats) {
      this.stats = new Map();
      this.lines.forEach((l, i) => {
        const m = STAT_ROW.exec(l);
        if (!m) return;
        const parts = m[1]!.split('/');
        push(this.stats!, parts[parts.length - 1]!, i);
        if (parts.length > 1) push(this.stats!, parts.slice(-2).join('/'), i);
      });
    }
    return firstFrom(this.stats.get(tail), 0);
  }

  /** first line matching `re` (a fixed pattern named `key`), memoised */
  first(key: string, re: RegExp): number {
    return this.scan(key, re);
  }
}

/** 0-based line of the diff header of `path` (`diff --git a/path`, else `+++ b/path`), or -1 */
export function fileHeaderLine(lines: readonly string[], path: string): number {
  return new PatchLines(lines).fileHeader(path);
}

/** 0-based line of `#define MACRO` as the patch adds or keeps it (`+#define`, ` #define`), or -1 */
export function defineLineInPatch(lines: readonly string[], macro: string, from = 0): number {
  return new PatchLines(lines).define(macro, from);
}

/** the first line of the file that names the patch (its Subject), else 0 */
function subjectLine(at: PatchLines, info: PatchInfo): number {
  const s = at.first('subject', /^\s*(Subject:|\[Xen-devel\])/i);
  if (s >= 0) return s;
  if (info.subject) {
    const i = at.first(`subject-text`, new RegExp(esc(info.subject.slice(0, 40))));
    if (i >= 0) return i;
  }
  return 0;
}

/**
 * The 0-based line of the written file for each finding of `readPatch`, from one index of the
 * lines (see patchFindingLine for where each kind goes): linear in lines + findings.
 */
export function patchFindingLines(lines: readonly string[], info: PatchInfo): (f: PatchFinding) => number {
  const at = new PatchLines(lines);
  const files = new Map<string, PatchInfo['files'][number]>();
  for (const x of info.files) if (!files.has(x.path)) files.set(x.path, x);
  const regions = info.layout.after.regions;
  const byLine = new Map<number, (typeof regions)[number]>();
  const byName = new Map<string, { r: (typeof regions)[number]; i: number }>();
  regions.forEach((r, i) => {
    if (r.startMacro && r.line !== null && !byLine.has(r.line)) byLine.set(r.line, r);
    if (!byName.has(r.name)) byName.set(r.name, { r, i });
  });
  const applied = new Set(info.layout.applied);
  return (f) => {
    const whole = f.file === info.name;
    if (f.id === 'diffstat-mismatch') {
      const row = whole
        ? at.first('summary', /^\s*\d+ files? changed/)
        : at.statRow(f.file.split('/').slice(-2).join('/'));
      if (row >= 0) return row;
    }
    if (whole) return subjectLine(at, info);
    const fileAt = at.fileHeader(f.file);
    const hunk = /^hunk (\d+) /.exec(f.message);
    if (hunk) {
      const h = files.get(f.file)?.hunks[Number(hunk[1]) - 1];
      if (h) {
        const line = at.hunk(h.header.replace(/ @@.*$/, ' @@'), fileAt);
        if (line >= 0) return line;
      }
    }
    if (f.line !== null && applied.has(f.file)) {
      // the region the finding's line defines, else the first region the message starts with ("NAME " / "NAME:")
      let reg = byLine.get(f.line);
      if (!reg) {
        const cands = [f.message.indexOf(' '), f.message.indexOf(':')]
          .filter((k) => k > 0)
          .map((k) => byName.get(f.message.slice(0, k)))
          .filter(
            (c) => c !== undefined && f.message.startsWith(c.r.name) && /^[ :]/.test(f.message.slice(c.r.name.length)),
          );
        reg = cands.sort((a, b) => a!.i - b!.i)[0]?.r;
      }
      if (reg?.startMacro) {
        const d = at.define(reg.startMacro, Math.max(0, fileAt));
        if (d >= 0) return d;
      }
    }
    return fileAt >= 0 ? fileAt : subjectLine(at, info);
  };
}

/**
 * The 0-based line of the written file for a finding of `readPatch`:
 * - a hunk finding (`hunk N (@@ … @@)`) → that hunk's `@@` line after its file's header;
 * - `diffstat-mismatch` → the diffstat row of the file, or the "N files changed" summary;
 * - a lint of the patched layout header (line = line in that header) → the `+#define` of the
 *   region that line defines, else the header's diff line;
 * - whole-mail findings (`archive-repaired`, …) → the Subject line.
 * For many findings use patchFindingLines (one index for all).
 */
export function patchFindingLine(lines: readonly string[], info: PatchInfo, f: PatchFinding): number {
  return patchFindingLines(lines, info)(f);
}
