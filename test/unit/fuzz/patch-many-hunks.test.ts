/**
 * Issue 13 item 6: applying hunks rebuilt the whole line array for each hunk
 * (`slice(0, pos).concat(repl, slice(pos + n))`), so n hunks on an n-line file were quadratic.
 * Hunks now append to the output as they go (a hunk matching before the previous one, which
 * patch would refuse, falls back to one rebuild).
 */
import { describe, expect, it } from 'vitest';
import { applyHunks } from '../../../src/core/patch/apply';
import type { Hunk } from '../../../src/core/patch/diff';
import { hunk } from './contract';

/** n base lines `#define A<i> 1`; every other one changed to 2 by its own hunk, with one context line */
export function manyHunks(n: number): { base: string; hunks: Hunk[] } {
  const base = Array.from({ length: n }, (_, i) => `#define A${i} 1`).join('\n');
  const hunks: Hunk[] = [];
  for (let i = 1; i < n; i += 2) hunks.push(hunk(i, [` #define A${i - 1} 1`, `-#define A${i} 1`, `+#define A${i} 2`]));
  return { base, hunks };
}

describe('applyHunks is linear in the number of hunks', () => {
  it('changes every other line of 6 lines (hand-checked result)', () => {
    const { base, hunks } = manyHunks(6);
    const r = applyHunks(base, hunks);
    expect(r.failed).toEqual([]);
    expect(r.text.split('\n')).toEqual([
      '#define A0 1',
      '#define A1 2',
      '#define A2 1',
      '#define A3 2',
      '#define A4 1',
      '#define A5 2',
    ]);
  });

  it('offsets, insertions, a failing hunk and a hunk found before the previous one', () => {
    const base = ['a', 'b', 'c', 'd', 'e'].join('\n');
    const r = applyHunks(base, [
      hunk(0, ['+top']), // pure insertion after line 0
      hunk(3, [' c', '-d', '+D']), // offset search finds c at line 3 of the original
      hunk(1, ['-zzz']), // matches nowhere
      hunk(1, ['-a', '+A']), // before the previous hunk: patch's backward search still finds it
    ]);
    expect(r.failed).toEqual([2]);
    expect(r.text.split('\n')).toEqual(['top', 'A', 'b', 'c', 'D', 'e']);
  });
});
