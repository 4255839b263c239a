/**
 * Error paths of the seed's functions (doc §8) and the defects of doc §10: each finding the
 * single-domain `analyzePrepare` can emit gets a run that triggers it and one that does not;
 * the hazards that are not emitted as findings are shown as behaviour.
 */
import { describe, expect, it } from 'vitest';
import {
  createSession,
  buildGuest,
  mapRange,
  prepareVlpt,
  restoreVlpt,
  cleanupVlpt,
  analyzePrepare,
  resolveGpa,
  p2mLookup,
  p2mLeaf,
  VlptResolver,
  WalkRecord,
  HypTrap,
  FINDINGS,
  type Session,
} from '../../../src/core';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

const ids = (s: Session): string[] => s.findings.map((f) => f.id);
const leafOf = (out: Uint32Array): bigint => (BigInt(out[0]!) << 32n) | BigInt(out[1]!);
function vlptRead(s: Session, cpu: number, gpa: number): bigint | null {
  const out = new Uint32Array(2);
  return new VlptResolver(s.sys, cpu).resolveInto(gpa, out) ? leafOf(out) : null;
}
function xenSecond(s: Session, slot: number): bigint {
  const e = new Uint32Array(2);
  s.sys.xenSecondRead(slot, e);
  return leafOf(e);
}

describe('error paths of prepare_vlpt (doc §8 steps 3, 6, 7)', () => {
  it('required > avail → -12 with "Available VLPT is small…"', () => {
    const s = createSession({ ramSize: 64 * GiB + 4 * KiB });
    expect(s.prepare!.result).toBe(-12);
    expect(s.prepare!.message).toBe('Available VLPT is small for domU guest(avail: 8000000, required: 8000008)');
  });
  it('64 + end_index >= 1024 → -12 with "xen second page is small for VLPT for domU"', () => {
    // 959 GiB + 4 KiB: end_idx = 959 + 1 = 960; 64 + 960 = 1024 (tree 9a80d50: ac6e1ae cannot map RAM ≥ 512 GiB)
    const s = createSession({ ramBase: 959 * GiB, ramSize: 4 * KiB, tree: '9a80d50' });
    expect(s.prepare!.result).toBe(-12);
    expect(s.prepare!.message).toBe('xen second page is small for VLPT for domU');
  });
  it('alloc_domheap_pages failure → -12 with no message, nothing written', () => {
    const s = createSession({ noPrepare: true });
    s.sys.domheap.failNext = true;
    const r = prepareVlpt(s.sys, s.dom, 0);
    expect(r.result).toBe(-12);
    expect(r.message).toBeNull();
    expect(r.printk).toEqual([]);
    expect(r.slotsWritten).toEqual([]);
    expect(r.flushes).toEqual([]);
    expect(s.dom.dirty).toMatchObject({ secondLvlStart: 0, secondLvlEnd: 0, secondLvl: [0, 0] });
    expect(xenSecond(s, 66)).toBe(0n);
    // the failure is one-shot: the next prepare succeeds
    expect(prepareVlpt(s.sys, s.dom, 0).result).toBe(0);
  });
});

describe('cleanup_vlpt and restore_vlpt after it (doc §8, §10 cleanup-*)', () => {
  it('cleanup leaves slots, start/end and pointers in place (cleanup-stale-slots) and frees nothing (cleanup-leak)', () => {
    const s = createSession();
    const l1 = xenSecond(s, 66);
    const ptrs = [...s.dom.dirty.secondLvl];
    const allocated = s.sys.domheap.framesAllocated;
    cleanupVlpt(s.sys, s.dom, 0);
    expect(xenSecond(s, 66)).toBe(l1);
    expect(s.dom.dirty.secondLvlStart).toBe(66);
    expect(s.dom.dirty.secondLvlEnd).toBe(67);
    expect(s.dom.dirty.secondLvl).toEqual(ptrs);
    expect(s.sys.domheap.framesFreed).toBe(0);
    // the guest's p2m is still reachable through VLPT after cleanup
    expect(vlptRead(s, 0, 0x80001000)).toBe(0x00000010000016ffn);
    // prepare, cleanup, prepare: 2 more frames (order 1) each cycle, none freed (8 KiB leaked per cycle)
    expect(prepareVlpt(s.sys, s.dom, 0).result).toBe(0);
    expect(s.sys.domheap.framesAllocated - allocated).toBe(2);
    expect(s.sys.domheap.framesFreed).toBe(0);
  });
  it('the shadow pages are vmap pages 7 and 9 (guard pages 6 and 8): 0x10007000 and 0x10009000, unmapped by cleanup', () => {
    // vmap.c vm_init: vm_low = PFN_UP((196608 + 7) / 8) = 6 (bits 0–5 set). vm_alloc(1, 1) from
    // start = vm_low = 6: find_next_bit(…, 7) = vm_top, start = 6 + 1 = 7 ("skips the first bit,
    // making the corresponding page a guard one"), bit 7 set, vm_low = 8; the next: 8 + 1 = 9.
    const s = createSession();
    expect(s.dom.dirty.secondLvl).toEqual([0x10007000, 0x10009000]);
    // the guard pages are not mapped
    expect(s.sys.cpu(0).mmu.walk(0x10006000, false, new WalkRecord()).fault).not.toBe(0);
    expect(s.sys.cpu(0).mmu.walk(0x10008000, false, new WalkRecord()).fault).not.toBe(0);
    cleanupVlpt(s.sys, s.dom, 0);
    const rec = new WalkRecord();
    expect(s.sys.cpu(0).mmu.walk(0x10007000, false, rec).fault).not.toBe(0);
    expect(rec.faultLevel).toBe(3);
  });
  it('restore after cleanup reads the unmapped shadow: HYP data abort at 0x10007000 + 66 * 8 = 0x10007210', () => {
    const s = createSession();
    cleanupVlpt(s.sys, s.dom, 0);
    const r = restoreVlpt(s.sys, s.dom, 0);
    expect(r.trap).toBeInstanceOf(HypTrap);
    expect(r.trap).toMatchObject({ cpu: 0, va: 0x10007210, write: false, kind: 'translation', level: 3 });
    expect(r.trap!.message).toMatch(/^CPU0: Unexpected Trap: Data Abort/);
    expect(r.slotsWritten).toEqual([]);
  });
  it('cleanup twice: the second vunmap finds nothing of its own', () => {
    const s = createSession();
    cleanupVlpt(s.sys, s.dom, 0);
    expect(s.sys.log).toEqual([]);
    const r = cleanupVlpt(s.sys, s.dom, 0);
    expect(r.trap).toBeNull();
    // vm_index(0x10007000): bit 7 is clear now → 0: vm_size 0, nothing unmapped, vm_free WARN_ONs (va != NULL)
    expect(s.sys.log).toEqual([
      'vunmap(0x10007000): nothing mapped there by vmap',
      'vm_free(0x10007000): not the start of a vmap allocation — WARN_ON(va != NULL)',
      'vunmap(0x10009000): nothing mapped there by vmap',
      'vm_free(0x10009000): not the start of a vmap allocation — WARN_ON(va != NULL)',
    ]);
  });
  it('cleanup twice after another domain reused the vmap pages unmaps that domain’s shadow', () => {
    const s = createSession();
    cleanupVlpt(s.sys, s.dom, 0);
    const d2 = buildGuest(s.sys, { ramBase: 0x80000000, ramSize: 512 * MiB }, 2);
    expect(prepareVlpt(s.sys, d2, 0).result).toBe(0);
    // vm_free(0x10007000): bit 7 < vm_low 10 → vm_low = 6 (bit 5 set stops the walk down); both freed VAs are reused
    expect(d2.dirty.secondLvl).toEqual([0x10007000, 0x10009000]);
    cleanupVlpt(s.sys, s.dom, 0); // d1 again: unmaps d2's shadow
    const r1 = restoreVlpt(s.sys, d2, 0);
    expect(r1.trap).toMatchObject({ va: 0x10007210, kind: 'translation' });
  });
});

describe('findings of a single-domain prepare (analyzePrepare)', () => {
  it('the catalogue has stable ids with a severity and an explanation', () => {
    expect(FINDINGS.map((f) => f.id)).toEqual([
      'window-overrun',
      'second-check-array',
      'extra-slot',
      'shared-table-local-flush',
      'restore-skip-stale-tlb',
      'restore-partial-range',
      'no-range-check',
      'barrier-gap',
      'cleanup-leak',
      'cleanup-stale-slots',
      'stale-snapshot',
      'unchecked-vmap',
      'readonly-window',
      'block-entry',
      'frametable-collision',
      'arm64-build',
      'diffstat-mismatch',
    ]);
    for (const f of FINDINGS) {
      expect(['error', 'warning', 'info']).toContain(f.severity);
      expect(f.explanation.length).toBeGreaterThan(40);
    }
  });

  describe('window-overrun', () => {
    it('triggered: 62 GiB at 2 GiB writes slot 128 (VMAP)', () => {
      const s = createSession({ ramSize: 62 * GiB });
      const f = s.findings.find((x) => x.id === 'window-overrun')!;
      expect(f).toMatchObject({ severity: 'error', slots: [128], regions: ['VMAP'] });
    });
    it('triggered by the +1 alone: 1 GiB at 63 GiB writes slot 128', () => {
      const s = createSession({ ramBase: 63 * GiB, ramSize: 1 * GiB });
      expect(s.findings.find((x) => x.id === 'window-overrun')).toMatchObject({ slots: [128], regions: ['VMAP'] });
    });
    it('not triggered: 62 GiB − 4 KiB at 2 GiB ends at 64 GiB − 4 KiB → end_idx 64 → last slot 127', () => {
      const s = createSession({ ramSize: 62 * GiB - 4 * KiB });
      expect(s.prepare!.slotsWritten.at(-1)).toBe(127);
      expect(ids(s)).not.toContain('window-overrun');
    });
    it('the overwritten VMAP slot 128 held vmap’s level-3 table: the vmap bitmap page is unmapped for a cold TLB', () => {
      // 62 GiB: guest L1[64] is invalid (RAM ends at 64 GiB) → xen_second[128] = 0
      const s = createSession({ ramSize: 62 * GiB, cpus: 2 });
      expect(xenSecond(s, 128)).toBe(0n);
      const rec = new WalkRecord();
      s.sys.cpu(1).mmu.walk(0x10000000, false, rec);
      expect(rec).toMatchObject({ fault: 1, faultLevel: 2 });
    });
  });

  describe('extra-slot', () => {
    it('triggered: 1 GiB at 2 GiB → slot 67 for L1[3], no RAM', () => {
      const s = createSession({ ramSize: 1 * GiB });
      expect(s.findings.find((x) => x.id === 'extra-slot')).toMatchObject({
        severity: 'warning',
        slots: [67],
        regions: ['VIRT_LIN_P2M'],
      });
    });
    it('not triggered: 512 MiB at 2 GiB (end 0xA0000000 is not 1 GiB-aligned)', () => {
      expect(ids(createSession())).not.toContain('extra-slot');
    });
  });

  describe('second-check-array', () => {
    it('triggered (passes an overrun): 1 GiB at 800 GiB writes XENHEAP slots 864–865 with result 0', () => {
      const s = createSession({ ramBase: 800 * GiB, ramSize: 1 * GiB, tree: '9a80d50' });
      expect(s.prepare!.result).toBe(0);
      expect(s.findings.find((x) => x.id === 'second-check-array')).toMatchObject({
        slots: [864, 865],
        regions: ['XENHEAP'],
      });
    });
    it('triggered (fires only at the array end): 4 KiB at 959 GiB', () => {
      const s = createSession({ ramBase: 959 * GiB, ramSize: 4 * KiB, tree: '9a80d50' });
      expect(ids(s)).toContain('second-check-array');
    });
    it('not triggered: 512 MiB at 2 GiB', () => {
      expect(ids(createSession())).not.toContain('second-check-array');
    });
  });

  describe('readonly-window', () => {
    it('triggered on ac6e1ae: a store through get_vlpt_3lvl_pte(0x80001000) takes a permission fault at level 3', () => {
      const s = createSession({ tree: 'ac6e1ae' });
      expect(s.findings.find((x) => x.id === 'readonly-window')).toMatchObject({
        slots: [66],
        regions: ['VIRT_LIN_P2M'],
      });
      expect(() => s.sys.cpu(0).mmu.store64(0x08400008, 0, 0x6ff)).toThrow(HypTrap);
      try {
        s.sys.cpu(0).mmu.store64(0x08400008, 0, 0x6ff);
      } catch (e) {
        expect(e).toMatchObject({ kind: 'permission', write: true, va: 0x08400008 });
      }
    });
    it('not triggered on 9a80d50: the store lands in the guest L3 table (what the dirty-page handler wants)', () => {
      const s = createSession({ tree: '9a80d50' });
      expect(ids(s)).not.toContain('readonly-window');
      // clear write (bit 7) of the leaf of 0x80001000: 0x00800010000016FF → …167F
      s.sys.cpu(0).mmu.store64(0x08400008, 0x00800010, 0x0000167f);
      const out = new Uint32Array(2);
      expect(p2mLeaf(s.sys, s.dom, 0x80001000, out)).toBe(3);
      expect(leafOf(out)).toBe(0x008000100000167fn);
    });
  });

  describe('frametable-collision', () => {
    it('triggered: 20 GiB host → frametable slots 16–79; prepare overwrote slot 66', () => {
      const s = createSession({ hostRamSize: 20 * GiB });
      expect(s.findings.find((x) => x.id === 'frametable-collision')).toMatchObject({
        severity: 'error',
        slots: [66],
        regions: ['FRAMETABLE', 'VIRT_LIN_P2M'],
      });
      // slot 66 was a frametable block (0x0050…E7D) at boot; now it is guest L1[2]
      const boot = s.sys.bootEntry(66)!;
      expect(boot[1] & 0xfff).toBe(0xe7d);
      expect(xenSecond(s, 66) & 0xfffn).toBe(0x6ffn);
    });
    it('not triggered: 16 GiB host → 96 MiB frametable → slots 16–63, just below the window', () => {
      const s = createSession({ hostRamSize: 16 * GiB });
      expect(s.sys.frametableSlots()).toEqual([16, 64]);
      expect(ids(s)).not.toContain('frametable-collision');
    });
  });

  describe('shared-table-local-flush', () => {
    it('triggered with 2 pCPUs: pCPU1 is named as not flushed', () => {
      const s = createSession({ cpus: 2 });
      const f = s.findings.find((x) => x.id === 'shared-table-local-flush')!;
      expect(f).toMatchObject({ severity: 'error', slots: [66] });
      expect(f.message).toContain('pCPU1');
    });
    it('not triggered with 1 pCPU', () => {
      expect(ids(createSession({ cpus: 1 }))).not.toContain('shared-table-local-flush');
    });
  });

  describe('no-range-check (resolve, not analyzePrepare)', () => {
    it('triggered: GPA 0x1000000000 reads the vmap bitmap at 0x10000000 as a valid PTE → agrees:false', () => {
      const s = createSession();
      const r = resolveGpa(s.sys, s.dom, 0, 0x1000000000);
      expect(r.region).toBe('VMAP');
      expect(r.fault).toBeNull();
      // bitmap word 0: the 6 pages vm_init reserves (bits 0–5 = 0x3F) + the 2 shadow pages at 7 and 9
      // (guard pages 6 and 8 clear): 0x3F | 0x80 | 0x200 = 0x2BF, whose bits[1:0] = 11 make it look
      // like a valid level-3 page entry (base 0)
      expect(BigInt(r.vlptEntry!)).toBe(0x2bfn);
      expect(r.p2mLookup.pa).toBeNull(); // L1[64] invalid
      expect(r.agrees).toBe(false);
    });
    it('into an unfilled slot: 0x2c001000 → slot 64 → level-2 fault (both say unmapped)', () => {
      const s = createSession();
      const r = resolveGpa(s.sys, s.dom, 0, 0x2c001000);
      expect(r.xenSecondSlot).toBe(64);
      expect(r.fault).toEqual({ level: 2, kind: 'translation' });
    });
    it('not triggered: 0x80001000 agrees', () => {
      const s = createSession();
      expect(resolveGpa(s.sys, s.dom, 0, 0x80001000).agrees).toBe(true);
    });
  });

  describe('unchecked-vmap', () => {
    it('triggered when vmap is exhausted: NULL + 66 * 8 is stored to → data abort, reported as unchecked-vmap', () => {
      const s = createSession({ noPrepare: true });
      // 2013 vmap on ARM cannot grow its bitmap (vm_init already mapped VMAP pages 1–5), so it holds
      // vm_top = 4096 * 8 = 32768 pages; one-page allocations with a guard page each sit at pages
      // 7, 9, …, 32767: (32767 − 7) / 2 + 1 = 16381 of them.
      for (let k = 0; k < 16381; k++)
        expect(s.sys.mapDomainPageGlobal(0, 0x90000)).toBe(0x10000000 + (7 + 2 * k) * 4096);
      expect(s.sys.mapDomainPageGlobal(0, 0x90000)).toBe(0);
      // the growth attempt: map_pages_to_xen(VMAP_VIRT_START + 32768 / 8 = 0x10001000) finds vm_init's mapping
      expect(s.sys.log.at(-1)).toMatch(
        /^create_xen_entries: trying to replace an existing mapping addr=10001000 mfn=[0-9a-f]+$/,
      );
      const r = prepareVlpt(s.sys, s.dom, 0);
      expect(s.dom.dirty.secondLvl).toEqual([0, 0]);
      expect(r.trap).toMatchObject({ va: 66 * 8, write: true, kind: 'translation' });
      const f = analyzePrepare(s.sys, s.dom, r);
      expect(f.map((x) => x.id)).toContain('unchecked-vmap');
      expect(f.map((x) => x.id)).not.toContain('window-overrun');
    });
    it('not triggered on a normal run', () => {
      expect(ids(createSession())).not.toContain('unchecked-vmap');
    });
  });
});

describe('hazards shown as behaviour (not emitted by analyzePrepare)', () => {
  it('restore-partial-range: A (3 GiB, slots 66–69) then B (512 MiB, slot 66) on one pCPU: B’s VLPT reaches A’s p2m', () => {
    const s = createSession({ ramSize: 3 * GiB, cpus: 1 });
    const b = buildGuest(s.sys, { ramBase: 0x80000000, ramSize: 512 * MiB }, 2);
    expect(prepareVlpt(s.sys, b, 0).result).toBe(0);
    const r = restoreVlpt(s.sys, b, 0);
    expect(r.slotsWritten).toEqual([]); // prepare already put B in slot 66
    // GPA 0xC0001000 is outside B's RAM; slot 67 still links A's L2 table:
    // A's frame for gfn 0xC0001 = 0x1000000 + (0xC0001 − 0x80000) = 0x1040001
    expect(vlptRead(s, 0, 0xc0001000)).toBe(0x6ffn | (0x1040001n << 12n));
    expect(p2mLookup(s.sys, b, 0, 0xc0001000).pa).toBe(-1);
  });

  it('restore-skip-stale-tlb: pCPU1 switches slot 66 to B and back; pCPU0 keeps B’s translation', () => {
    const s = createSession({ cpus: 2 }); // A prepared on pCPU0
    const b = buildGuest(s.sys, { ramBase: 0x80000000, ramSize: 512 * MiB }, 2); // frames from 0x2000000
    prepareVlpt(s.sys, b, 1); // slot 66 = B, flushed on pCPU1 only
    restoreVlpt(s.sys, s.dom, 1); // slot 66 = A again (pCPU1)
    restoreVlpt(s.sys, b, 1); // slot 66 = B
    expect(vlptRead(s, 0, 0x80001000)).toBe(0x6ffn | (0x2000001n << 12n)); // pCPU0 caches B
    restoreVlpt(s.sys, s.dom, 1); // pCPU1 puts A back
    const r = restoreVlpt(s.sys, s.dom, 0); // pCPU0 restores A: entry already equal → skipped, no flush
    expect(r.slotsWritten).toEqual([]);
    expect(r.flushes).toEqual([]);
    expect(vlptRead(s, 0, 0x80001000)).toBe(0x6ffn | (0x2000001n << 12n)); // still B's leaf
    expect(vlptRead(s, 1, 0x80001000)).toBe(0x6ffn | (0x1000001n << 12n)); // pCPU1 walks A
  });

  it('barrier-gap: restore stores with __write_pte and invalidates with no dsb between (2 dsb in total)', () => {
    const s = createSession({ cpus: 1 });
    const b = buildGuest(s.sys, { ramBase: 0x80000000, ramSize: 512 * MiB }, 2);
    prepareVlpt(s.sys, b, 0);
    const r = restoreVlpt(s.sys, s.dom, 0);
    expect(r.slotsWritten).toEqual([66]);
    expect(r.flushes).toEqual([{ va: 66 << 21, size: 0x200000 }]);
    expect(r.stats.stores).toBe(1);
    expect(r.stats.tlbiMva).toBe(512);
    expect(r.stats.dsb).toBe(2); // the leading dsb() and the trailing dsb(); nothing around the strd
    expect(r.stats.isb).toBe(1);
  });

  it('stale-snapshot: a GiB mapped after prepare is invisible through VLPT although p2m_lookup finds it', () => {
    const s = createSession({ ramSize: 1 * GiB }); // slot 67 = copy of invalid L1[3]
    mapRange(s.sys, s.dom, 0xc0000000, 1, 0x3000000, 'p2m_ram_rw');
    expect(p2mLookup(s.sys, s.dom, 0, 0xc0000000).pa).toBe(0x3000000 * 4096);
    const r = resolveGpa(s.sys, s.dom, 0, 0xc0000000);
    expect(r.fault).toEqual({ level: 2, kind: 'translation' });
    expect(r.agrees).toBe(false);
    // and restore_vlpt puts the old (invalid) copy back
    expect(restoreVlpt(s.sys, s.dom, 0).slotsWritten).toEqual([]);
    expect(xenSecond(s, 67)).toBe(0n);
  });

  it('block-entry: an L2 2 MiB block (bits[1:0] = 01) is invalid at Xen level 3 → translation fault', () => {
    const s = createSession();
    const l2 = Number((xenSecond(s, 66) >> 12n) & 0xfffffffn);
    // guest L2[0] as a block over frame 0x1000000: 0x6FD | pa (table bit cleared)
    s.sys.mem.write(l2, 0, 0x00000010, 0x000006fd);
    s.sys.cpu(0).mmu.tlbiAll();
    const rec = s.sys.cpu(0).mmu.walk(0x08400008, false, new WalkRecord());
    expect(rec).toMatchObject({ fault: 1, faultLevel: 3 });
  });

  it('block-entry: an L1 1 GiB block copied into xen_second becomes a 2 MiB Xen block over guest data', () => {
    const s = createSession({ noPrepare: true });
    // guest L1[2] as a 1 GiB block over frame 0x1000000 (pa 0x1000000000): 0x6FD | pa
    s.sys.mem.write(s.dom.rootMfn, 2, 0x00000010, 0x000006fd);
    expect(prepareVlpt(s.sys, s.dom, 0).result).toBe(0);
    const rec = s.sys.cpu(0).mmu.walk(0x08400008, false, new WalkRecord());
    expect(rec.fault).toBe(0);
    expect(rec.n).toBe(2); // stops at Xen level 2: a block
    expect(rec.pa).toBe(0x1000000000 + 0x8); // guest RAM data read as a PTE
  });
});
