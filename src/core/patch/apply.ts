/**
 * Apply rebuilt hunks to a base text, as `patch` would with offset search. Lines are compared
 * with whitespace collapsed, because the archive turned spaces into NBSPs and dropped leading
 * spaces (issue 4). A hunk that does not match is reported by the caller, which then falls
 * back to the hunk's own lines.
 */
import type { Hunk } from './diff';

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

export interface ApplyResult {
  /** the patched text */
  text: string;
  /** indices of hunks that did not apply */
  failed: number[];
}

export function oldSide(h: Hunk): string[] {
  return h.lines.filter((l) => l[0] === ' ' || l[0] === '-').map((l) => l.slice(1));
}

export function newSide(h: Hunk): string[] {
  return h.lines.filter((l) => l[0] === ' ' || l[0] === '+').map((l) => l.slice(1));
}

export function applyHunks(base: string, hunks: Hunk[]): ApplyResult {
  // the current text is out[0 …] (hunks applied) followed by src[cur …] (not reached yet): a
  // hunk at or after the end of `out` appends, so n hunks cost O(lines), not O(n × lines)
  const out: string[] = [];
  let src = base.split('\n');
  let cur = 0;
  const size = (): number => out.length + src.length - cur;
  const at = (p: number): string => (p < out.length ? out[p]! : src[cur + p - out.length]!);
  const failed: number[] = [];
  let offset = 0;
  hunks.forEach((h, idx) => {
    if (!h.complete) {
      failed.push(idx);
      return;
    }
    const want = oldSide(h).map(norm);
    // pure insertion: `@@ -N,0` inserts after line N
    const expected = (want.length === 0 ? h.oldStart : h.oldStart - 1) + offset;
    const n = size();
    const fits = (pos: number): boolean => {
      if (pos < 0 || pos + want.length > n) return false;
      for (let k = 0; k < want.length; k++) if (norm(at(pos + k)) !== want[k]) return false;
      return true;
    };
    let pos = -1;
    if (want.length === 0) pos = Math.min(Math.max(expected, 0), n);
    else {
      for (let d = 0; d <= n; d++) {
        if (fits(expected - d)) {
          pos = expected - d;
          break;
        }
        if (d > 0 && fits(expected + d)) {
          pos = expected + d;
          break;
        }
        if (expected - d < 0 && expected + d > n) break;
      }
    }
    if (pos < 0) {
      failed.push(idx);
      return;
    }
    if (pos < out.length) {
      // found before the previous hunk (rare): put the tail of `out` back in front of `src`
      src = out.slice(pos).concat(src.slice(cur));
      out.length = pos;
      cur = 0;
    }
    // copy the untouched lines up to the hunk, one by one (no spread: 300k-line hunks)
    while (out.length < pos) out.push(src[cur++]!);
    // keep the base's own spelling of context lines; take added lines from the hunk
    let added = 0;
    for (const l of h.lines) {
      if (l[0] === ' ') {
        out.push(src[cur++]!);
        added++;
      } else if (l[0] === '-') cur++;
      else if (l[0] === '+') {
        out.push(l.slice(1));
        added++;
      }
    }
    offset = pos - (h.oldStart - 1) + (added - want.length);
  });
  while (cur < src.length) out.push(src[cur++]!);
  return { text: out.join('\n'), failed };
}
