/**
 * CI's slice of `npm run soak` and `npm run fuzz` (issue 8): fixed seeds, a few thousand cases,
 * the same contract. A failure names the case to rerun with the full script.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runSoak } from '../../../scripts/soak';
import { emptyTally, fuzzRange, loadSeeds, READERS } from '../../../scripts/fuzz';

describe('soak (20,000 GPAs, seed 8)', () => {
  it('VlptResolver, p2m_lookup, resolveGpa and the oracle agree', () => {
    const r = runSoak({ gpas: 20_000, seed: 8, perLayout: 2_000 });
    const shown = r.mismatches.map((m) => `${m.check} ${m.detail}\n  ${m.command}`).join('\n');
    expect(r.mismatchCount, shown).toBe(0);
    expect(r.gpas).toBe(20_000);
    expect(r.layouts).toBe(10);
    // every outcome and class was reached
    expect(r.outcomes.mapped).toBeGreaterThan(1000);
    expect(r.outcomes.fault).toBeGreaterThan(1000);
    expect(r.outcomes.invalidEntry).toBeGreaterThan(100);
    for (const v of Object.values(r.gpasByClass)) expect(v).toBeGreaterThan(0);
  });
});

describe('fuzz (2,000 cases, seed 8)', () => {
  it('only InputError escapes the readers, within time', () => {
    const seeds = loadSeeds(join(__dirname, '../../..'));
    const t = fuzzRange(8, seeds, 0, 2_000, 1, undefined, true); // light: few deep generated inputs, no 10 MiB lines
    const shown = t.crashes
      .map(
        (c) =>
          `${c.reader} case ${c.index} (${c.how}): ${c.error} — rerun: npm run fuzz -- --seed 8 --case ${c.index} --light`,
      )
      .join('\n');
    expect(t.crashes, shown).toEqual([]);
    expect(t.cases).toBe(2_000);
    for (const r of READERS) {
      const x = t.byReader[r]!;
      expect(x.cases).toBe(500);
      // both answers occur (the header parser reports problems as diagnostics, never throws
      // below its size cap, so it only returns)
      expect(x.ok, r).toBeGreaterThan(0);
      if (r !== 'header') expect(x.inputError, r).toBeGreaterThan(0);
    }
    expect(emptyTally().cases).toBe(0);
  });
});
