/**
 * Property (issue 3 "Tests", style.md §6 "one spec, several implementations"): for random guest
 * RAM that fits the window without overrun (page-aligned base and size, base + size ≤
 * 62 GiB − 4 KiB, size ≤ 4 GiB) and random GPAs inside and around it, four answers agree:
 *   VlptResolver.resolveInto (TLB + MMU), resolveGpa (report), p2mLookup (software walk through
 *   map_domain_page) and the independent BigInt oracle (test/oracle/naiveWalk.ts).
 * Deterministic seed; a disagreement prints both walks.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createSession, resolveGpa, p2mLookup, VlptResolver, type Session } from '../../../src/core';
import { naiveVlptResolve, naiveP2mLookup, naiveLeafPa } from '../../oracle/naiveWalk';

const PAGE = 4096;
const GiB = 2 ** 30;
const LIMIT = 62 * GiB - PAGE; // largest base + size
const MAX_SIZE_PAGES = (4 * GiB) / PAGE;

/** a guest: size in pages (biased towards small and towards 1 GiB multiples), then a base that fits */
const guestArb = fc
  .oneof(
    fc.integer({ min: 1, max: 2048 }),
    fc.integer({ min: 1, max: MAX_SIZE_PAGES }),
    fc.integer({ min: 1, max: 4 }).map((g) => (g * GiB) / PAGE),
  )
  .chain((sizePages) =>
    fc
      .oneof(
        fc.integer({ min: 0, max: LIMIT / PAGE - sizePages }),
        // 1 GiB- and 2 MiB-aligned bases exercise the +1 and table boundaries
        fc.integer({ min: 0, max: Math.floor((LIMIT - sizePages * PAGE) / GiB) }).map((g) => (g * GiB) / PAGE),
        fc
          .integer({ min: 0, max: Math.floor((LIMIT - sizePages * PAGE) / 0x200000) })
          .map((m) => (m * 0x200000) / PAGE),
      )
      .map((basePages) => ({ ramBase: basePages * PAGE, ramSize: sizePages * PAGE })),
  );

/** GPAs relative to a guest: inside, at and around both edges, and anywhere in the window's 64 GiB */
function gpasFor(g: { ramBase: number; ramSize: number }) {
  const end = g.ramBase + g.ramSize;
  const W = 64 * GiB;
  const clamp = (x: number): number => Math.min(Math.max(x, 0), W - 1);
  return fc.array(
    fc.oneof(
      fc.integer({ min: 0, max: g.ramSize - 1 }).map((o) => g.ramBase + o),
      fc.integer({ min: -3 * PAGE, max: 3 * PAGE }).map((d) => clamp(g.ramBase + d)),
      fc.integer({ min: -3 * PAGE, max: 3 * PAGE }).map((d) => clamp(end + d)),
      fc.integer({ min: -0x400000, max: 0x400000 }).map((d) => clamp(end + d)),
      fc.integer({ min: 0, max: W - 1 }),
    ),
    { minLength: 8, maxLength: 16 },
  );
}

function explain(s: Session, gpa: number, extra: Record<string, unknown>): string {
  const r = resolveGpa(s.sys, s.dom, 0, gpa, { useTlb: false });
  return JSON.stringify(
    {
      ram: [s.dom.ramBase.toString(16), s.dom.ramSize.toString(16)],
      gpa: gpa.toString(16),
      steps: r.steps.map((x) => [x.level, x.index, x.raw]),
      fault: r.fault,
      descriptor: r.descriptor.raw,
      p2mLookup: r.p2mLookup.pa,
      ...extra,
    },
    (_k, v) => (typeof v === 'bigint' ? '0x' + v.toString(16) : v),
  );
}

describe('VLPT, p2m_lookup and the oracle agree for random guests and GPAs (no overrun)', () => {
  it('fast-check, seed 20131107', () => {
    const out = new Uint32Array(2);
    const seen = { mapped: 0, invalidEntry: 0, fault: 0 };
    fc.assert(
      fc.property(
        guestArb.chain((g) =>
          fc.tuple(fc.constant(g), gpasFor(g), fc.constantFrom('ac6e1ae' as const, '9a80d50' as const)),
        ),
        ([g, gpas, tree]) => {
          const s = createSession({ ...g, tree, cpus: 1 });
          expect(s.prepare!.result).toBe(0);
          expect(s.findings.map((f) => f.id)).not.toContain('window-overrun');
          const res = new VlptResolver(s.sys, 0);
          for (const gpa of gpas) {
            const oracleV = naiveVlptResolve(s.sys, gpa);
            const oracleP = naiveP2mLookup(s.sys, s.dom, gpa);
            const ctx = () => explain(s, gpa, { oracleV, oracleP });
            // 1. the MMU/TLB path reads what the tables say
            const ok = res.resolveInto(gpa, out);
            const got = ok ? (BigInt(out[0]!) << 32n) | BigInt(out[1]!) : null;
            expect(got, ctx()).toBe(oracleV);
            // 2. VLPT "mapped" (a valid level-3 page entry) iff the p2m maps it, with the same leaf
            const vlptMapped = oracleV !== null && (oracleV & 3n) === 3n;
            if (vlptMapped) seen.mapped++;
            else if (oracleV === null) seen.fault++;
            else seen.invalidEntry++;
            expect(vlptMapped ? oracleV : null, ctx()).toBe(oracleP);
            // 3. inside RAM it is always mapped, outside never (a RAM-only guest)
            const inRam = gpa >= g.ramBase && gpa < g.ramBase + g.ramSize;
            expect(oracleP !== null, ctx()).toBe(inRam);
            if (inRam) {
              // model rule: mfn = base frame + (gfn − ramBase / 4 KiB)
              const mfn = BigInt(s.dom.mfnBase + Math.floor(gpa / PAGE) - g.ramBase / PAGE);
              expect((oracleP! >> 12n) & 0xfffffffn).toBe(mfn);
            }
            // 4. the software p2m_lookup
            const look = p2mLookup(s.sys, s.dom, 0, gpa);
            expect(look.pa === -1 ? null : BigInt(look.pa), ctx()).toBe(
              oracleP === null ? null : naiveLeafPa(oracleP, gpa),
            );
            // 5. the report
            const r = resolveGpa(s.sys, s.dom, 0, gpa);
            expect(r.agrees, ctx()).toBe(true);
            expect(r.vlptEntry === null ? null : BigInt(r.vlptEntry), ctx()).toBe(oracleV);
            expect(r.descriptor.valid).toBe(oracleP !== null);
          }
        },
      ),
      { seed: 20131107, numRuns: 150 },
    );
    // the generators reach all three outcomes: mapped, an invalid entry read, a fault
    expect(seen.mapped).toBeGreaterThan(100);
    expect(seen.invalidEntry).toBeGreaterThan(20);
    expect(seen.fault).toBeGreaterThan(100);
  });
});
