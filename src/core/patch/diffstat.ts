/**
 * The mail's own diffstat (` path | N ++--`, `K files changed, X insertions(+), Y deletions(-)`)
 * against the hunks. Real mails get it wrong: the seed claims `arm32/page.h | 41` and
 * 174/11 while its hunks give 38 and 172/10 (reference doc §6, §10 `diffstat-mismatch`).
 */
import type { FileDiff } from './diff';
import type { PatchFinding } from './types';

export interface Diffstat {
  files: Array<{ path: string; changed: number; line: number }>;
  summary: { files: number; insertions: number; deletions: number; line: number } | null;
}

/** matched against the line without trailing blanks: `\s*\+*-*\s*$` backtracked quadratically on a long blank run */
const STAT_RE = /^\s*(\S+?)\s*\|\s*(\d+)\s*\+*-*$/;
/** a rename (no nested braces, so each part has one possible place: linear): ` {xen/include/asm-arm => xen/arch/arm/include/asm}/config.h | 0` or ` a.h => b.h | 2 +-` */
const RENAME_RE = /^\s*([^\s{]*)\{([^\s{}]*) => ([^\s{}]*)\}(\S*)\s*\|\s*(\d+)|^\s*(\S+) => (\S+)\s*\|\s*(\d+)/;
const SUMMARY_RE = /^\s*(\d+) files? changed(?:, (\d+) insertions?\(\+\))?(?:, (\d+) deletions?\(-\))?/;

/** Diffstat lines before the first diff header; null when the mail has none. */
export function parseDiffstat(text: string): Diffstat | null {
  const lines = text.split('\n');
  const files: Diffstat['files'] = [];
  let summary: Diffstat['summary'] = null;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^(diff --git |--- \S|@@ -\d)/.test(l)) break;
    const s = SUMMARY_RE.exec(l);
    if (s) {
      summary = { files: Number(s[1]), insertions: Number(s[2] ?? 0), deletions: Number(s[3] ?? 0), line: i + 1 };
      continue;
    }
    const r = RENAME_RE.exec(l);
    if (r) {
      // the post-image path, as the FileDiff names a renamed file
      const path = r[6] !== undefined ? r[7]! : `${r[1]}${r[3]}${r[4]}`.replace(/\/\//g, '/');
      files.push({ path, changed: Number(r[5] ?? r[8]), line: i + 1 });
      continue;
    }
    const m = STAT_RE.exec(l.trimEnd());
    if (m && /[/.]/.test(m[1]!)) files.push({ path: m[1]!, changed: Number(m[2]), line: i + 1 });
  }
  return files.length || summary ? { files, summary } : null;
}

const reverse = (s: string): string => {
  let r = '';
  for (let i = s.length - 1; i >= 0; i--) r += s[i];
  return r;
};

/**
 * The files of a patch found by diffstat path in O(1) or O(log n) each (issue 13 item 6: a
 * `find` per row made n rows against n files quadratic). A row names a file by its path, or,
 * starting with `...` (a long path abbreviated, `.../arm32/page.h`), by a tail the path ends
 * with; the first not yet matched file in patch order wins. Whole paths: a map to each path's
 * files in patch order. Tails (built on the first one): the paths reversed and sorted, so a
 * tail is a prefix and its files one contiguous range, under a min-tree of the unmatched
 * files' patch order.
 */
class FileFinder {
  private readonly taken: boolean[];
  private readonly exact = new Map<string, { at: number; list: number[] }>();
  private revs: string[] = [];
  /** sorted position of each patch index */
  private pos: number[] = [];
  private size = 0;
  private tree: number[] | null = null;

  constructor(private readonly files: readonly FileDiff[]) {
    this.taken = new Array<boolean>(files.length).fill(false);
    files.forEach((f, i) => {
      const e = this.exact.get(f.path);
      if (e) e.list.push(i);
      else this.exact.set(f.path, { at: 0, list: [i] });
    });
  }

  private buildTree(): number[] {
    const items = this.files.map((f, i) => ({ r: reverse(f.path), i }));
    items.sort((a, b) => (a.r < b.r ? -1 : a.r > b.r ? 1 : a.i - b.i));
    this.revs = items.map((x) => x.r);
    this.pos = new Array<number>(items.length);
    items.forEach((x, p) => (this.pos[x.i] = p));
    let size = 1;
    while (size < Math.max(1, items.length)) size *= 2;
    this.size = size;
    const tree = new Array<number>(2 * size).fill(Infinity);
    items.forEach((x, p) => (tree[size + p] = this.taken[x.i] ? Infinity : x.i));
    for (let k = size - 1; k >= 1; k--) tree[k] = Math.min(tree[2 * k]!, tree[2 * k + 1]!);
    return tree;
  }

  /** first sorted position from `from` on where `below` is false */
  private bound(from: number, below: (r: string) => boolean): number {
    let lo = from;
    let hi = this.revs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (below(this.revs[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private take(i: number): number {
    this.taken[i] = true;
    const tree = this.tree;
    if (tree)
      for (let k = this.size + this.pos[i]!; k >= 1; k >>= 1)
        tree[k] = k >= this.size ? Infinity : Math.min(tree[2 * k]!, tree[2 * k + 1]!);
    return i;
  }

  /** the first unmatched file the diffstat path `stat` names, now matched; -1 if none */
  find(stat: string): number {
    if (!stat.startsWith('...')) {
      const e = this.exact.get(stat);
      if (!e) return -1;
      while (e.at < e.list.length && this.taken[e.list[e.at]!]) e.at++;
      return e.at < e.list.length ? this.take(e.list[e.at]!) : -1;
    }
    const tree = (this.tree ??= this.buildTree());
    const key = reverse(stat.replace(/^\.\.\.\/?/, ''));
    const lo = this.bound(0, (r) => r < key);
    const hi = this.bound(lo, (r) => r.startsWith(key));
    let best = Infinity;
    for (let l = lo + this.size, h = hi + this.size; l < h; l >>= 1, h >>= 1) {
      if (l & 1) best = Math.min(best, tree[l++]!);
      if (h & 1) best = Math.min(best, tree[--h]!);
    }
    return best === Infinity ? -1 : this.take(best);
  }
}

export function compareDiffstat(stat: Diffstat, files: FileDiff[], patchName: string): PatchFinding[] {
  const out: PatchFinding[] = [];
  const f = (file: string, message: string): void => {
    out.push({ id: 'diffstat-mismatch', severity: 'warning', file, line: null, message });
  };
  const matched = new Set<FileDiff>();
  const finder = new FileFinder(files);
  for (const s of stat.files) {
    const k = finder.find(s.path);
    if (k < 0) {
      f(s.path, `diffstat lists ${s.path} (${s.changed} lines) but the patch has no diff for it`);
      continue;
    }
    const d = files[k]!;
    matched.add(d);
    const got = d.added + d.removed;
    if (got !== s.changed)
      f(d.path, `diffstat says ${s.changed} lines changed, the hunks give ${got} (+${d.added} -${d.removed})`);
  }
  if (stat.files.length) {
    for (const d of files)
      if (!matched.has(d))
        f(d.path, `the patch changes ${d.path} (+${d.added} -${d.removed}) but the diffstat does not list it`);
  }
  if (stat.summary) {
    const ins = files.reduce((a, d) => a + d.added, 0);
    const del = files.reduce((a, d) => a + d.removed, 0);
    const s = stat.summary;
    if (s.files !== files.length || s.insertions !== ins || s.deletions !== del) {
      f(
        patchName,
        `diffstat says ${s.files} files changed, ${s.insertions} insertions(+), ${s.deletions} deletions(-); the hunks give ${files.length} files, ${ins} insertions, ${del} deletions`,
      );
    }
  }
  return out;
}
