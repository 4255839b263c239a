/**
 * Issue 13 item 6, `apply.ts`: a hunk that matches nowhere was searched for at every position of
 * the text (`mbox repeated` in the fuzz's growing-input check: 256 KiB 1.3 s, 1 MiB 24 s).
 * The offset search now tries only the positions where the hunk's rarest line falls. Checked
 * against the search it replaces (`reference` below: every offset outward from the expected
 * line, the lower one first on a tie, no further than the text's length), on random texts
 * and hunks over a tiny alphabet (many ties, repeats, blank lines, hunks that fit nowhere).
 */
import { describe, expect, it } from 'vitest';
import { applyHunks } from '../../../src/core/patch/apply';
import type { Hunk } from '../../../src/core/patch/diff';
import { hunk } from './contract';
import { Rng } from '../../../scripts/lib/rng';

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** the former search, kept as the oracle: the text rebuilt per hunk, every offset tried */
function reference(base: string, hunks: Hunk[]): { text: string; failed: number[] } {
  let lines = base.split('\n');
  const failed: number[] = [];
  let offset = 0;
  hunks.forEach((h, idx) => {
    if (!h.complete) return void failed.push(idx);
    const old = h.lines.filter((l) => l[0] === ' ' || l[0] === '-').map((l) => norm(l.slice(1)));
    const expected = (old.length === 0 ? h.oldStart : h.oldStart - 1) + offset;
    const n = lines.length;
    const fits = (p: number) => p >= 0 && p + old.length <= n && old.every((w, k) => norm(lines[p + k]!) === w);
    let pos = -1;
    if (old.length === 0) pos = Math.min(Math.max(expected, 0), n);
    else
      for (let d = 0; d <= n; d++) {
        if (fits(expected - d)) {
          pos = expected - d;
          break;
        }
        if (d > 0 && fits(expected + d)) {
          pos = expected + d;
          break;
        }
      }
    if (pos < 0) return void failed.push(idx);
    const repl: string[] = [];
    let k = pos;
    let added = 0;
    for (const l of h.lines) {
      if (l[0] === ' ') {
        repl.push(lines[k++]!);
        added++;
      } else if (l[0] === '-') k++;
      else if (l[0] === '+') {
        repl.push(l.slice(1));
        added++;
      }
    }
    lines = lines.slice(0, pos).concat(repl, lines.slice(k));
    offset = pos - (h.oldStart - 1) + (added - old.length);
  });
  return { text: lines.join('\n'), failed };
}

describe('applyHunks offset search from a line index', () => {
  it('matches the every-offset search on 3,000 random texts and hunk lists', () => {
    const rng = new Rng(13);
    const word = () => ['a', 'b', 'c', ' a', 'a  ', '', 'd\u00a0e', 'd e'][rng.below(8)]!;
    for (let t = 0; t < 3000; t++) {
      const base = Array.from({ length: rng.range(0, 30) }, word).join('\n');
      const hunks = Array.from({ length: rng.range(1, 8) }, () => {
        const lines = Array.from({ length: rng.range(0, 5) }, () => ['-', ' ', '+'][rng.below(3)]! + word());
        return hunk(rng.range(0, 40), lines, rng.below(20) > 0);
      });
      const got = applyHunks(base, hunks);
      const want = reference(base, hunks);
      if (got.text !== want.text || got.failed.join() !== want.failed.join())
        expect({ t, base, hunks: hunks.map((h) => [h.oldStart, h.lines]), got }).toEqual({
          t,
          base,
          hunks: hunks.map((h) => [h.oldStart, h.lines]),
          got: want,
        });
    }
  });

  it('a hunk whose lines are nowhere fails; one found 5 lines above the expected line (no more than the text length) still applies', () => {
    const base = ['x', 'y', 'z', 'a', 'b'].join('\n');
    const r = applyHunks(base, [hunk(5, ['-b', '+B']), hunk(1, ['-q', '+Q']), hunk(6, [' x', '-y', '+Y'])]);
    expect(r.failed).toEqual([1]);
    expect(r.text).toBe(['x', 'Y', 'z', 'a', 'B'].join('\n'));
  });

  it('hunks that match nowhere on a text that grows with the hunks that do: same result as the reference', () => {
    // per pair: one hunk appending a line, one hunk whose removed line exists nowhere
    const make = (n: number) => {
      const hunks: Hunk[] = [];
      for (let i = 0; i < n; i++) {
        hunks.push(hunk(i + 1, [`+#define A${i} 1`]));
        hunks.push(hunk(i + 1, [`-#define MISSING${i} 1`, `+#define B${i} 2`]));
      }
      hunks.forEach((h) => (h.oldCount = h.lines.filter((l) => l[0] !== '+').length));
      return hunks.map((h, k) => (k % 2 === 0 ? { ...h, oldStart: k / 2, oldCount: 0 } : h));
    };
    const small = applyHunks('', make(3));
    expect(small).toEqual(reference('', make(3)));
    expect(small.failed).toEqual([1, 3, 5]);
  });
});

describe('a diff of a layout header repeated many times', () => {
  it('stops at the work cap with one finding, instead of rereading the growing file for every copy', async () => {
    const { loadSeeds } = await import('../../../scripts/fuzz');
    const { readPatch } = await import('../../../src/core');
    const seeds = loadSeeds(new URL('../../../', import.meta.url).pathname);
    const mbox = seeds.patch.find((p) => p.startsWith('From '))!;
    const tail = mbox.slice(mbox.indexOf('\n---'));
    // the fuzz's `mbox repeated` shape at 2 MiB (before: 1 MiB took 24 s, growing as the square)
    const text = mbox + tail.repeat(Math.floor((2 * 1024 * 1024) / tail.length));
    const info = readPatch(text, 'x.mbox');
    const cap = info.findings.filter((f) => f.id === 'apply-cap');
    expect(cap).toHaveLength(1);
    expect(cap[0]!.message).toMatch(/^\d+ diff\(s\) of layout headers from this one on were not applied: /);
    // one copy is far below the cap
    expect(readPatch(mbox, 'x.mbox').findings.some((f) => f.id === 'apply-cap')).toBe(false);
  });
});
