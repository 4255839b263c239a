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

/** `.../arm32/page.h` in a diffstat abbreviates a long path. */
function samePath(stat: string, path: string): boolean {
  if (stat === path) return true;
  const tail = stat.replace(/^\.\.\.\/?/, '');
  return stat.startsWith('...') && (path.endsWith('/' + tail) || path.endsWith(tail));
}

export function compareDiffstat(stat: Diffstat, files: FileDiff[], patchName: string): PatchFinding[] {
  const out: PatchFinding[] = [];
  const f = (file: string, message: string): void => {
    out.push({ id: 'diffstat-mismatch', severity: 'warning', file, line: null, message });
  };
  const matched = new Set<FileDiff>();
  for (const s of stat.files) {
    const d = files.find((x) => !matched.has(x) && samePath(s.path, x.path));
    if (!d) {
      f(s.path, `diffstat lists ${s.path} (${s.changed} lines) but the patch has no diff for it`);
      continue;
    }
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
