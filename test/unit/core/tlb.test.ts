/**
 * TLB staleness on a second pCPU (doc §3 "TLB maintenance is local", §10 shared-table-local-flush).
 * Two domains with 512 MiB at 0x80000000: A = d1 (frames from 0x1000000), B = d2 (frames from
 * 0x2000000, src/core/p2m.ts: +0x1000000 per further domain). The leaf of GPA 0x80001000 is
 * 0x6FF | (base + 1) << 12 for each: A 0x00000010000016FF, B 0x00000020000016FF.
 */
import { describe, expect, it } from 'vitest';
import { createSession, buildGuest, prepareVlpt, restoreVlpt, VlptResolver } from '../../../src/core';

const MiB = 1024 * 1024;
const GPA = 0x80001000;
const VA = 0x08400008; // 0x08000000 + 0x80001 * 8
const LEAF_A = 0x00000010000016ffn;
const LEAF_B = 0x00000020000016ffn;

function setup() {
  const s = createSession({ cpus: 2 }); // A prepared on pCPU0: slot 66 = A's L1[2]
  const b = buildGuest(s.sys, { ramBase: 0x80000000, ramSize: 512 * MiB }, 2);
  const out = new Uint32Array(2);
  const read = (cpu: number): bigint | null =>
    new VlptResolver(s.sys, cpu).resolveInto(GPA, out) ? (BigInt(out[0]!) << 32n) | BigInt(out[1]!) : null;
  return { s, b, read };
}

describe('TLB staleness on a second pCPU', () => {
  it('prepare_vlpt(B) on pCPU0: pCPU1 keeps A’s translation until it flushes locally', () => {
    const { s, b, read } = setup();
    const mmu1 = s.sys.cpu(1).mmu;
    // warm pCPU1 on the VLPT page of 0x80001000
    expect(read(1)).toBe(LEAF_A);
    const cachedA = mmu1.tlbLookup(VA);
    expect(cachedA).not.toBeNull();
    // pCPU0 rewrites the shared slot 66 and flushes its own TLB only
    const r = prepareVlpt(s.sys, b, 0);
    expect(r.result).toBe(0);
    expect(r.slotsWritten).toEqual([66]);
    expect(read(0)).toBe(LEAF_B);
    // pCPU1: TLB hit on A's L3 table
    expect(mmu1.tlbLookup(VA)).toEqual(cachedA);
    const hits = mmu1.stats.tlbHits;
    expect(read(1)).toBe(LEAF_A);
    expect(mmu1.stats.tlbHits).toBe(hits + 1);
    // a VLPT page pCPU1 never touched walks the shared table and sees B at once
    // (GPA 0x80200000 → VA 0x08401000, another 4 KiB page of the same slot; B's frame 0x2000200)
    const out = new Uint32Array(2);
    expect(new VlptResolver(s.sys, 1).resolveInto(0x80200000, out)).toBe(true);
    expect((BigInt(out[0]!) << 32n) | BigInt(out[1]!)).toBe(0x6ffn | (0x2000200n << 12n));
    // local TLBIMVAH on pCPU1 ends the staleness
    mmu1.tlbiMva(VA);
    expect(mmu1.tlbLookup(VA)).toBeNull();
    expect(read(1)).toBe(LEAF_B);
  });

  it('restore_vlpt(A) on pCPU0 after B: pCPU1, warmed on B, still sees B until its own flush', () => {
    const { s, b, read } = setup();
    prepareVlpt(s.sys, b, 0); // slot 66 = B
    expect(read(1)).toBe(LEAF_B); // warm pCPU1 on B
    const r = restoreVlpt(s.sys, s.dom, 0); // slot 66 = A, flushed on pCPU0
    expect(r.slotsWritten).toEqual([66]);
    expect(r.flushes).toEqual([{ va: 0x08400000, size: 0x200000 }]);
    expect(read(0)).toBe(LEAF_A);
    expect(read(1)).toBe(LEAF_B); // stale
    s.sys.cpu(1).mmu.tlbiMva(VA);
    expect(read(1)).toBe(LEAF_A);
  });

  it('the stale translation is what the oracle of the shared tables would not give', async () => {
    const { naiveVlptResolve } = await import('../../oracle/naiveWalk');
    const { s, b, read } = setup();
    expect(read(1)).toBe(LEAF_A);
    prepareVlpt(s.sys, b, 0);
    // tables say B (the oracle walks memory, no TLB); pCPU1 says A
    expect(naiveVlptResolve(s.sys, GPA)).toBe(LEAF_B);
    expect(read(1)).toBe(LEAF_A);
  });

  it('with one pCPU there is nobody left stale: prepare_vlpt(B) flushes the only TLB', () => {
    const s = createSession({ cpus: 1 });
    const b = buildGuest(s.sys, { ramBase: 0x80000000, ramSize: 512 * MiB }, 2);
    const out = new Uint32Array(2);
    const res = new VlptResolver(s.sys, 0);
    res.resolveInto(GPA, out);
    prepareVlpt(s.sys, b, 0);
    expect(s.sys.cpu(0).mmu.tlbLookup(VA)).toBeNull();
    res.resolveInto(GPA, out);
    expect((BigInt(out[0]!) << 32n) | BigInt(out[1]!)).toBe(LEAF_B);
  });
});
