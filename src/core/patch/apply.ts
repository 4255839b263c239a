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
  let lines = base.split('\n');
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
    const fits = (pos: number): boolean => {
      if (pos < 0 || pos + want.length > lines.length) return false;
      for (let k = 0; k < want.length; k++) if (norm(lines[pos + k]!) !== want[k]) return false;
      return true;
    };
    let pos = -1;
    if (want.length === 0) pos = Math.min(Math.max(expected, 0), lines.length);
    else {
      for (let d = 0; d <= lines.length; d++) {
        if (fits(expected - d)) {
          pos = expected - d;
          break;
        }
        if (d > 0 && fits(expected + d)) {
          pos = expected + d;
          break;
        }
        if (expected - d < 0 && expected + d > lines.length) break;
      }
    }
    if (pos < 0) {
      failed.push(idx);
      return;
    }
    // keep the base's own spelling of context lines; take added lines from the hunk
    const repl: string[] = [];
    let k = pos;
    for (const l of h.lines) {
      if (l[0] === ' ') repl.push(lines[k++]!);
      else if (l[0] === '-') k++;
      else if (l[0] === '+') repl.push(l.slice(1));
    }
    // no spread: a hunk of 300k lines would overflow the call stack as splice arguments
    lines = lines.slice(0, pos).concat(repl, lines.slice(pos + want.length));
    offset = pos - (h.oldStart - 1) + (repl.length - want.length);
  });
  return { text: lines.join('\n'), failed };
}
