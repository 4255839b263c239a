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

/** the first index of the ascending `list` whose value is at least `v` */
function lowerBound(list: readonly number[], v: number, from = 0): number {
  let lo = from;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function indexLines(norms: readonly string[], from = 0): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (let i = from; i < norms.length; i++) {
    const l = m.get(norms[i]!);
    if (l) l.push(i);
    else m.set(norms[i]!, [i]);
  }
  return m;
}

export function applyHunks(base: string, hunks: Hunk[]): ApplyResult {
  // the current text is out[0 …] (hunks applied) followed by src[cur …] (not reached yet): a
  // hunk at or after the end of `out` appends, so n hunks cost O(lines), not O(n × lines)
  const out: string[] = [];
  let src = base.split('\n');
  let cur = 0;
  // each line's normalised form (computed when first compared), and, once a hunk does not fit
  // where expected, where each form occurs (issue 13 item 6: the offset search compared every
  // position of the text for a hunk that matches nowhere, so n such hunks on a text growing with
  // them were quadratic; now it tries only where the hunk's rarest line is)
  const outNorm: string[] = [];
  let srcNorm: Array<string | undefined> = new Array<string | undefined>(src.length);
  let outAt: Map<string, number[]> | null = null;
  let srcAt: Map<string, number[]> | null = null;
  const srcN = (i: number): string => (srcNorm[i] ??= norm(src[i]!));
  const size = (): number => out.length + src.length - cur;
  const normAt = (p: number): string => (p < out.length ? outNorm[p]! : srcN(cur + p - out.length));
  const emit = (line: string, n: string): void => {
    if (outAt) {
      const l = outAt.get(n);
      if (l) l.push(out.length);
      else outAt.set(n, [out.length]);
    }
    out.push(line);
    outNorm.push(n);
  };
  const index = (): void => {
    outAt = indexLines(outNorm);
    for (let i = cur; i < src.length; i++) srcN(i);
    srcAt = indexLines(srcNorm as string[], cur);
  };
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
      for (let k = 0; k < want.length; k++) if (normAt(pos + k) !== want[k]) return false;
      return true;
    };
    let pos = -1;
    if (want.length === 0) pos = Math.min(Math.max(expected, 0), n);
    else if (fits(expected)) pos = expected;
    else {
      if (!outAt || !srcAt) index();
      const oAt = outAt!;
      const sAt = srcAt!;
      // `patch`'s order: the fitting position nearest `expected`, the lower one on a tie. Only
      // positions where the hunk's rarest line falls on its own line can fit: those, outward.
      let j = 0;
      let fewest = Infinity;
      const count = (v: string): number => {
        const o = oAt.get(v)?.length ?? 0;
        const l = sAt.get(v);
        return o + (l ? l.length - lowerBound(l, cur) : 0);
      };
      for (let k = 0; k < want.length && fewest > 0; k++) {
        const c = count(want[k]!);
        if (c < fewest) {
          fewest = c;
          j = k;
        }
      }
      const ol = oAt.get(want[j]!) ?? [];
      const sl = sAt.get(want[j]!) ?? [];
      const s0 = lowerBound(sl, cur);
      const total = ol.length + sl.length - s0;
      // the i-th occurrence (ascending) as a text position
      const occ = (i: number): number => (i < ol.length ? ol[i]! : out.length + sl[s0 + i - ol.length]! - cur);
      const target = expected + j;
      let lo = 0;
      let hi = total;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (occ(mid) <= target) lo = mid + 1;
        else hi = mid;
      }
      let left = lo - 1; // occurrences at or before the target, nearest first
      let right = lo;
      while (left >= 0 || right < total) {
        const dl = left >= 0 ? target - occ(left) : Infinity;
        const dr = right < total ? occ(right) - target : Infinity;
        if (Math.min(dl, dr) > n) break; // `patch` looks no further than the text's length
        const q = dl <= dr ? occ(left--) : occ(right++);
        if (fits(q - j)) {
          pos = q - j;
          break;
        }
      }
    }
    if (pos < 0) {
      failed.push(idx);
      return;
    }
    if (pos < out.length) {
      // found before the previous hunk (rare): put the tail of `out` back in front of `src`
      src = out.slice(pos).concat(src.slice(cur));
      srcNorm = (outNorm.slice(pos) as Array<string | undefined>).concat(srcNorm.slice(cur));
      out.length = pos;
      outNorm.length = pos;
      cur = 0;
      outAt = null;
      srcAt = null;
    }
    // copy the untouched lines up to the hunk, one by one (no spread: 300k-line hunks)
    while (out.length < pos) {
      emit(src[cur]!, srcN(cur));
      cur++;
    }
    // keep the base's own spelling of context lines; take added lines from the hunk
    let added = 0;
    for (const l of h.lines) {
      if (l[0] === ' ') {
        emit(src[cur]!, srcN(cur));
        cur++;
        added++;
      } else if (l[0] === '-') cur++;
      else if (l[0] === '+') {
        emit(l.slice(1), norm(l.slice(1)));
        added++;
      }
    }
    offset = pos - (h.oldStart - 1) + (added - want.length);
  });
  while (cur < src.length) out.push(src[cur++]!);
  return { text: out.join('\n'), failed };
}
