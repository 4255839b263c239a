/**
 * Reference doc §9.4 and §3: map_domain_page on the per-pCPU xen_dommap, DOMHEAP_SECOND_PAGES,
 * FIXMAP_ADDR(3), and the boot-time root entries.
 */
import { describe, expect, it } from 'vitest';
import { XenSystem, WalkRecord, embeddedLayout, findRegion, XEN_SECOND_MFN } from '../../../src/core';

const big = (hi: number, lo: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

function dommapEntry(sys: XenSystem, cpu: number, slot: number): bigint {
  const page = sys.cpu(cpu).dommapMfn + (slot >>> 9);
  return big(sys.mem.readHi(page, slot & 511), sys.mem.readLo(page, slot & 511));
}

describe('doc §9.4: map_domain_page (hash of (mfn & ~511) >> 9 mod 1024, linear probing)', () => {
  it('0x80000 on an empty dommap → slot 0, VA 0x80000000', () => {
    // (0x80000 >> 9) % 1024 = 0x400 % 1024 = 0
    const sys = new XenSystem();
    expect(sys.mapDomainPage(0, 0x80000)).toBe(0x80000000);
    // refcount-1 slot: 0x00C0000000000E7D | 0x80000000
    expect(dommapEntry(sys, 0, 0)).toBe(0x00c0000080000e7dn);
  });
  it('0x80123 → same 2 MiB slot 0, VA 0x80123000, refcount 2', () => {
    const sys = new XenSystem();
    sys.mapDomainPage(0, 0x80000);
    // 0x80000000 + (0x80123 & 511) * 4 KiB = 0x80000000 + 0x123000
    expect(sys.mapDomainPage(0, 0x80123)).toBe(0x80123000);
    // avail 2 → bit 56: 0x0100… | xn 0x0040…
    expect(dommapEntry(sys, 0, 0)).toBe(0x0140000080000e7dn);
  });
  it('0x12345 → slot 145, VA 0x92345000', () => {
    // slot_mfn 0x12200, >> 9 = 0x91 = 145; VA = 0x80000000 + 145 * 2 MiB (0x12200000) + 0x145 * 4 KiB (0x145000)
    const sys = new XenSystem();
    expect(sys.mapDomainPage(0, 0x12345)).toBe(0x92345000);
  });
  it('0x100000 while 0x80000 is held → hash slot 0 busy with another base → slot 1, VA 0x80200000', () => {
    // (0x100000 >> 9) % 1024 = 0x800 % 1024 = 0 (collision)
    const sys = new XenSystem();
    sys.mapDomainPage(0, 0x80000);
    expect(sys.mapDomainPage(0, 0x100000)).toBe(0x80200000);
    expect(dommapEntry(sys, 0, 1)).toBe(0x00c0000100000e7dn);
  });
  it('after unmap the refcount returns to 0 and the slot can be taken by another base', () => {
    const sys = new XenSystem();
    const va = sys.mapDomainPage(0, 0x80000);
    sys.unmapDomainPage(0, va);
    expect(dommapEntry(sys, 0, 0)).toBe(0x0040000080000e7dn); // count 0, still valid
    expect(sys.mapDomainPage(0, 0x100000)).toBe(0x80000000);
  });
  it('the dommap is per pCPU: mapping on pCPU0 leaves pCPU1 unmapped there', () => {
    const sys = new XenSystem({ cpus: 2 });
    sys.mapDomainPage(0, 0x80000);
    const rec = new WalkRecord();
    expect(sys.cpu(0).mmu.walk(0x80000000, false, rec).fault).toBe(0);
    expect(rec.pa).toBe(0x80000000);
    expect(sys.cpu(1).mmu.walk(0x80000000, false, rec).fault).not.toBe(0);
  });
  it('each map flushes exactly its own 4 KiB VA, locally', () => {
    const sys = new XenSystem({ cpus: 2 });
    const before0 = sys.cpu(0).mmu.stats.tlbiMva;
    const before1 = sys.cpu(1).mmu.stats.tlbiMva;
    sys.mapDomainPage(0, 0x80000);
    expect(sys.cpu(0).mmu.stats.tlbiMva - before0).toBe(1);
    expect(sys.cpu(1).mmu.stats.tlbiMva - before1).toBe(0);
  });
});

describe('doc §9.4 / §2 / §3: layout constants and boot tables', () => {
  it('DOMHEAP_SECOND_PAGES (2013) = (0xffffffff − 0x80000000 + 1) >> 30 = 2, and root entries 2/3 link the two dommap pages', () => {
    const dom = findRegion(embeddedLayout(), 'DOMHEAP')!;
    expect(Math.floor(dom.size / 2 ** 30)).toBe(2);
    const sys = new XenSystem({ cpus: 2 });
    for (const c of sys.cpus) {
      // table=1, xn left at 1: 0x0040000000000E7F | pa (doc §3)
      expect(big(sys.mem.readHi(c.rootMfn, 2), sys.mem.readLo(c.rootMfn, 2))).toBe(
        0x0040000000000e7fn | (BigInt(c.dommapMfn) << 12n),
      );
      expect(big(sys.mem.readHi(c.rootMfn, 3), sys.mem.readLo(c.rootMfn, 3))).toBe(
        0x0040000000000e7fn | (BigInt(c.dommapMfn + 1) << 12n),
      );
      // entries 0/1 → the shared xen_second pages: 0x0000000000000E7F | pa
      expect(big(sys.mem.readHi(c.rootMfn, 0), sys.mem.readLo(c.rootMfn, 0))).toBe(
        0xe7fn | (BigInt(XEN_SECOND_MFN) << 12n),
      );
      expect(big(sys.mem.readHi(c.rootMfn, 1), sys.mem.readLo(c.rootMfn, 1))).toBe(
        0xe7fn | (BigInt(XEN_SECOND_MFN + 1) << 12n),
      );
    }
    // roots are per pCPU, dommaps too
    expect(sys.cpu(0).rootMfn).not.toBe(sys.cpu(1).rootMfn);
    expect(sys.cpu(0).dommapMfn).not.toBe(sys.cpu(1).dommapMfn);
  });
  it('FIXMAP_ADDR(3) @ ac6e1ae = 0x00400000 + 3 * 4 KiB = 0x00403000, mapped as a device page', () => {
    const fix = findRegion(embeddedLayout(), 'FIXMAP')!;
    expect(fix.start + 3 * 4096).toBe(0x00403000);
    const sys = new XenSystem();
    const rec = sys.cpu(0).mmu.walk(0x00403000, false, new WalkRecord());
    expect(rec.fault).toBe(0);
    expect(rec.n).toBe(3);
    // level 3 entry: fixmap device page constant 0x0040000000000E73 | pa
    expect(big(rec.hi[2]!, rec.lo[2]!) & 0xfff0000000000fffn).toBe(0x0040000000000e73n);
  });
  it('the 2013 region table: VIRT_LIN_P2M [0x08000000, 0x10000000) = slots 64–127, VMAP 128–511, XENHEAP 512–1023 (doc §2)', () => {
    const l = embeddedLayout();
    const slots = (name: string): [number, number] => {
      const r = findRegion(l, name)!;
      return [r.start / 0x200000, r.end / 0x200000 - 1];
    };
    expect(slots('VIRT_LIN_P2M')).toEqual([64, 127]);
    expect(slots('VMAP')).toEqual([128, 511]);
    expect(slots('XENHEAP')).toEqual([512, 1023]);
    expect(slots('FRAMETABLE')).toEqual([16, 63]);
  });
  it('frametable for 20 GiB of host RAM: 20 GiB / 4 KiB × 24 B = 120 MiB → 128 MiB → slots 16–79 (doc §2)', () => {
    const sys = new XenSystem({ hostRamSize: 20 * 2 ** 30 });
    expect(sys.frametableSize).toBe(128 * 2 ** 20);
    expect(sys.frametableSlots()).toEqual([16, 80]);
  });
});
