/**
 * Unified-diff reader that rebuilds hunks by their `@@ -a,b +c,d @@` counts (issue 4): web
 * archives double every line, turn spaces into NBSPs, drop the leading space of context lines
 * and can lose blank context lines. The counts say where a hunk ends and how many blank
 * context lines went missing; a hunk whose counts cannot be met is reported, not guessed.
 */

export interface Hunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  /** the `@@ … @@` line as read */
  header: string;
  /** rebuilt lines, each with its ' ', '+' or '-' prefix */
  lines: string[];
  added: number;
  removed: number;
  /** counts met (possibly after restoring blank context lines) */
  complete: boolean;
  /** blank context lines restored at guessed places */
  restored: number;
  /** context lines that had lost their leading space */
  repaired: number;
  /** 1-based line of the `@@` in the (unwrapped) input */
  at: number;
}

/** What git's extended header lines say happened to the file (`modified` when they say nothing). */
export type FileStatus = 'modified' | 'added' | 'deleted' | 'renamed';

export interface FileDiff {
  /** the post-image path (pre-image for a deletion), without a/ b/ */
  path: string;
  /** pre-image path; null for a new file (`--- /dev/null`, `new file mode`) */
  oldPath: string | null;
  /** post-image path; null for a deleted file (`+++ /dev/null`, `deleted file mode`) */
  newPath: string | null;
  status: FileStatus;
  /** `similarity index N%` of a rename or copy, else null */
  similarity: number | null;
  hunks: Hunk[];
  added: number;
  removed: number;
}

const HUNK_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
/** restoring more blank lines than this is no longer a repair but a guess */
const MAX_RESTORED = 4;

function nextNonEmpty(lines: string[], j: number): string | undefined {
  for (let k = j + 1; k < lines.length && k < j + 4; k++) if (lines[k]!.trim() !== '') return lines[k];
  return undefined;
}

function isTerminator(lines: string[], j: number): boolean {
  const l = lines[j]!;
  if (/^(diff --git |Index: |@@ -\d)/.test(l)) return true;
  return l.startsWith('--- ') && (nextNonEmpty(lines, j) ?? '').startsWith('+++ ');
}

function stripPath(p: string): string | null {
  const t = p.replace(/\t.*$/, '').trim();
  if (t === '/dev/null') return null;
  return t.replace(/^[ab]\//, '');
}

type Item = { kind: 'line'; text: string } | { kind: 'gap'; possible: number };

/** Read one hunk body starting at `i0`; returns the hunk lines and the next line index. */
export function readHunk(
  lines: string[],
  i0: number,
  oldCount: number,
  newCount: number,
  doubleSpaced: boolean,
): { lines: string[]; next: number; complete: boolean; restored: number; repaired: number } {
  const items: Item[] = [];
  let o = 0;
  let n = 0;
  let repaired = 0;
  let possible = 0;
  // states after each item: where a rebuilt hunk could end
  const marks: Array<{ items: number; next: number; o: number; n: number; possible: number }> = [
    { items: 0, next: i0, o: 0, n: 0, possible: 0 },
  ];
  let j = i0;
  while (j < lines.length && !(o === oldCount && n === newCount)) {
    if (isTerminator(lines, j)) break;
    const l = lines[j]!;
    if (l === '' && doubleSpaced) {
      // a run of k empty lines: k = 1 is the page's separator, each further pair a blank line;
      // a blank context line may also have vanished into a separator (counted as possible)
      let k = 0;
      while (j + k < lines.length && lines[j + k] === '') k++;
      let definite = Math.floor((k - 1) / 2);
      while (definite > 0 && o < oldCount && n < newCount) {
        items.push({ kind: 'line', text: ' ' });
        o++;
        n++;
        definite--;
      }
      items.push({ kind: 'gap', possible: 1 });
      possible++;
      j += k;
      marks.push({ items: items.length, next: j, o, n, possible });
      continue;
    }
    if (l.startsWith('\\')) {
      items.push({ kind: 'line', text: l });
      j++;
      continue;
    } // "\ No newline at end of file"
    let text: string;
    if (l.startsWith('+')) text = l;
    else if (l.startsWith('-')) text = l;
    else if (l.startsWith(' ') || l === '') text = l === '' ? ' ' : l;
    else {
      text = ' ' + l;
      repaired++;
    }
    const isAdd = text[0] === '+';
    const isDel = text[0] === '-';
    const no = o + (isAdd ? 0 : 1);
    const nn = n + (isDel ? 0 : 1);
    if (no > oldCount || nn > newCount) break; // belongs to what follows the hunk
    o = no;
    n = nn;
    items.push({ kind: 'line', text });
    j++;
    marks.push({ items: items.length, next: j, o, n, possible });
  }
  // after a complete hunk, a "\ No newline" line still belongs to it
  if (o === oldCount && n === newCount && lines[j]?.startsWith('\\')) {
    items.push({ kind: 'line', text: lines[j]! });
    j++;
  }
  const finish = (upto: number, restore: number, next: number, complete: boolean) => {
    // where a vanished blank context line most likely was: between two context lines, then
    // between any two lines, then at either end of the hunk (in that order, first come first)
    const rank = (k: number): number => {
      let a = k - 1;
      while (a >= 0 && items[a]!.kind !== 'line') a--;
      let b = k + 1;
      while (b < upto && items[b]!.kind !== 'line') b++;
      if (a < 0 || b >= upto) return 2;
      const ctx = (it: Item): boolean => it.kind === 'line' && it.text[0] === ' ';
      return ctx(items[a]!) && ctx(items[b]!) ? 0 : 1;
    };
    const gaps: number[] = [];
    for (let k = 0; k < upto; k++) if (items[k]!.kind === 'gap') gaps.push(k);
    const chosen = new Set(
      gaps
        .map((k) => [rank(k), k] as const)
        .sort((x, y) => x[0] - y[0] || x[1] - y[1])
        .slice(0, restore)
        .map(([, k]) => k),
    );
    const out: string[] = [];
    for (let k = 0; k < upto; k++) {
      const it = items[k]!;
      if (it.kind === 'line') out.push(it.text);
      else if (chosen.has(k)) out.push(' ');
    }
    return { lines: out, next, complete, restored: restore, repaired };
  };
  if (o === oldCount && n === newCount) return finish(items.length, 0, j, true);
  // blank context lines went missing: the latest end where both counts lack the same number
  for (let m = marks.length - 1; m >= 0; m--) {
    const mk = marks[m]!;
    const x = oldCount - mk.o;
    if (x > 0 && x === newCount - mk.n && x <= Math.min(mk.possible, MAX_RESTORED))
      return finish(mk.items, x, mk.next, true);
  }
  return finish(items.length, 0, j, false);
}

/** Every file diff in `text` (already unwrapped: LF, NBSPs as spaces). */
export function parseDiff(text: string, doubleSpaced: boolean): FileDiff[] {
  const lines = text.split('\n');
  const files: FileDiff[] = [];
  let cur: FileDiff | null = null;
  /** the file a `diff --git` line opened, until its ---/+++ or first hunk: extended headers go to it */
  let gitFile: FileDiff | null = null;
  for (let i = 0; i < lines.length;) {
    const l = lines[i]!;
    const git = /^diff --git a\/(\S+) b\/(\S+)/.exec(l);
    if (git) {
      // a git diff names its file even without ---/+++ (a pure rename, a mode change)
      cur = gitFile = {
        path: git[2]!,
        oldPath: git[1]!,
        newPath: git[2]!,
        status: 'modified',
        similarity: null,
        hunks: [],
        added: 0,
        removed: 0,
      };
      files.push(cur);
      i++;
      continue;
    }
    if (gitFile && extendedHeader(l, gitFile)) {
      i++;
      continue;
    }
    if (l.startsWith('--- ') && (nextNonEmpty(lines, i) ?? '').startsWith('+++ ')) {
      let k = i + 1;
      while (lines[k]!.trim() === '') k++;
      const oldPath = stripPath(l.slice(4));
      const newPath = stripPath(lines[k]!.slice(4));
      if (gitFile && gitFile.hunks.length === 0) {
        // the ---/+++ pair of the git header's own file: /dev/null says added or deleted
        cur = gitFile;
        if (oldPath === null) cur.status = 'added';
        if (newPath === null) cur.status = 'deleted';
        cur.oldPath = oldPath ?? (cur.status === 'added' ? null : cur.oldPath);
        cur.newPath = newPath ?? (cur.status === 'deleted' ? null : cur.newPath);
        cur.path = cur.newPath ?? cur.oldPath ?? cur.path;
      } else {
        const status = oldPath === null ? 'added' : newPath === null ? 'deleted' : 'modified';
        cur = {
          path: newPath ?? oldPath ?? '(unknown)',
          oldPath,
          newPath,
          status,
          similarity: null,
          hunks: [],
          added: 0,
          removed: 0,
        };
        files.push(cur);
      }
      gitFile = null;
      i = k + 1;
      continue;
    }
    const h = HUNK_RE.exec(l);
    if (h && cur) {
      gitFile = null;
      const oldCount = h[2] === undefined ? 1 : Number(h[2]);
      const newCount = h[4] === undefined ? 1 : Number(h[4]);
      const r = readHunk(lines, i + 1, oldCount, newCount, doubleSpaced);
      const added = r.lines.filter((x) => x[0] === '+').length;
      const removed = r.lines.filter((x) => x[0] === '-').length;
      cur.hunks.push({
        oldStart: Number(h[1]),
        oldCount,
        newStart: Number(h[3]),
        newCount,
        header: l.trim(),
        lines: r.lines,
        added,
        removed,
        complete: r.complete,
        restored: r.restored,
        repaired: r.repaired,
        at: i + 1,
      });
      cur.added += added;
      cur.removed += removed;
      i = Math.max(r.next, i + 1);
      continue;
    }
    i++;
  }
  return files;
}

/**
 * git's extended header lines between `diff --git` and `---` (git-diff(1) "extended header
 * lines"): new/deleted file mode, rename from/to, similarity index. True when `l` was one.
 */
function extendedHeader(l: string, f: FileDiff): boolean {
  let m: RegExpExecArray | null;
  if (/^new file mode /.test(l)) {
    f.status = 'added';
    f.oldPath = null;
  } else if (/^deleted file mode /.test(l)) {
    f.status = 'deleted';
    f.newPath = null;
    f.path = f.oldPath ?? f.path;
  } else if ((m = /^rename from (\S.*)$/.exec(l))) {
    f.status = 'renamed';
    f.oldPath = m[1]!.trimEnd();
  } else if ((m = /^rename to (\S.*)$/.exec(l))) {
    f.status = 'renamed';
    f.newPath = f.path = m[1]!.trimEnd();
  } else if ((m = /^(?:similarity|dissimilarity) index (\d{1,3})%/.exec(l))) {
    f.similarity = Number(m[1]);
  } else if (!/^(index [0-9a-f]+\.\.|old mode |new mode |copy from |copy to |Binary files )/.test(l)) return false;
  return true;
}
