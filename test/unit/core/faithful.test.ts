/**
 * Issue 13, items 10–13: the explanations follow Xen's source. Expected values come from the
 * reference doc and from hand arithmetic on the 2013 sources (written next to each value):
 * xen/common/vmap.c (vm_init, vm_alloc, vm_free), xen/arch/arm/mm.c (create_xen_entries,
 * remove_early_mappings), xen/arch/arm/p2m.c @ ac6e1ae (first_table_offset, BUG_ON on bit 39).
 */
import { describe, expect, it } from 'vitest';
import { createSession, describeVa, resolveGpa, WalkRecord, XenSystem, InputError } from '../../../src/core';
import { guestMfnBase } from '../../../src/core/p2m';
import { main } from '../../../src/cli/main';
import { parseScenario } from '../../../src/core/scenario/parse';

const GiB = 2 ** 30;

describe('item 13: va meanings agree with the walk', () => {
  it('0x7fffffff: beyond the 512 MiB xenheap of a 4 GiB host, and the walk faults there', () => {
    // xenheap = max(ceil(4 GiB / 8 / 32 MiB) * 32 MiB, 128 MiB) = 512 MiB → mapped 0x40000000–0x60000000 (slots 512–767)
    const s = createSession();
    const r = describeVa(s.sys, s.dom, 0, 0x7fffffff);
    expect(r.xenSecondSlot).toBe(1023);
    expect(r.fault).toEqual({ level: 2, kind: 'translation' });
    expect(r.meaning).toContain("beyond this host's xenheap: 512 MiB mapped at 0x40000000–0x60000000");
    expect(r.meaning).not.toContain('direct map of PA');
    // the last xenheap byte is mapped: 0x5fffffff → PA 0x82000000 + 0x1fffffff = 0xa1ffffff
    const last = describeVa(s.sys, s.dom, 0, 0x5fffffff);
    expect(last.pa).toBe('0xa1ffffff');
    expect(last.meaning).toBe('xenheap direct map of PA 0xa1ffffff');
  });
  it('0x10000000 with 62 GiB: the vmap bitmap page is gone, slot 128 holds d1 L1[64] (invalid)', () => {
    const s = createSession({ ramSize: 62 * GiB });
    const r = describeVa(s.sys, s.dom, 0, 0x10000000);
    expect(r.fault).toEqual({ level: 2, kind: 'translation' });
    expect(r.meaning).toContain(
      'xen_second[128] now holds a copy of d1 L1[64] written by prepare_vlpt (window-overrun)',
    );
    expect(r.meaning).toContain('nothing is mapped here any more');
    // with 512 MiB the bitmap page is mapped and the meaning has no such clause
    const ok = createSession();
    const b = describeVa(ok.sys, ok.dom, 0, 0x10000000);
    expect(b.fault).toBeNull();
    expect(b.meaning).not.toContain('prepare_vlpt');
  });
  it('0x07ffffff: beyond the 32 MiB frametable of a 4 GiB host', () => {
    // 4 GiB / 4 KiB * 24 B = 24 MiB → rounded to 32 MiB: 0x02000000–0x04000000
    const s = createSession();
    const r = describeVa(s.sys, s.dom, 0, 0x07ffffff);
    expect(r.fault).not.toBeNull();
    expect(r.meaning).toContain("beyond this host's frametable: 32 MiB mapped at 0x02000000–0x04000000");
  });
  it('a VLPT window VA whose slot prepare_vlpt did not fill says it is not mapped now', () => {
    const s = createSession();
    const r = describeVa(s.sys, s.dom, 0, 0x08000000);
    expect(r.meaning).toBe('PTE of gfn 0x0 (GPA 0x0–0xfff) (not mapped now: level 2 translation fault)');
  });
});

describe('item 13: the early FDT mapping is removed when dom0 is built', () => {
  it('xen_second[3] is empty after boot; 0x00600000 faults and the meaning says why', () => {
    // remove_early_mappings: write_pte(xen_second + second_table_offset(0x00600000) = 3, 0)
    const sys = new XenSystem();
    const e = new Uint32Array(2);
    sys.xenSecondRead(3, e);
    expect([e[0], e[1]]).toEqual([0, 0]);
    expect(sys.cpu(0).mmu.walk(0x00600000, false, new WalkRecord()).fault).not.toBe(0);
    const s = createSession();
    const r = describeVa(s.sys, s.dom, 0, 0x00600000);
    expect(r.region).toBe('BOOT_FDT');
    expect(r.meaning).toContain('removed after boot');
    expect(r.meaning).toContain('remove_early_mappings');
    expect(r.slotEntry).toEqual({ raw: '0x0000000000000000', what: 'invalid' });
  });
});

describe('item 13: vmap as xen/common/vmap.c (2013, ARM)', () => {
  it('vm_init: page 0 = the bitmap frame, pages 1–5 mapped to MFNs 0–4 (MAP_SMALL_PAGES on ARM), page 6 unmapped', () => {
    // vm_end = 768 MiB / 4 KiB = 196608; vm_low = PFN_UP((196608 + 7) / 8 = 24576) = 6; nr = PFN_UP((6 + 7) / 8 = 1) = 1
    const sys = new XenSystem();
    const rec = new WalkRecord();
    expect(sys.cpu(0).mmu.walk(0x10000000, false, rec).fault).toBe(0);
    expect(rec.pa).toBe(sys.vmapBitmapMfn * 4096);
    for (let p = 1; p <= 5; p++) {
      expect(sys.cpu(0).mmu.walk(0x10000000 + p * 4096, false, rec).fault).toBe(0);
      expect(rec.pa).toBe((p - 1) * 4096); // map_pages_to_xen(va, mfn 0, 5, …): mfn 0, 1, 2, 3, 4
    }
    expect(sys.cpu(0).mmu.walk(0x10006000, false, rec).fault).not.toBe(0);
    expect(sys.vmapPage(1)).toEqual({ kind: 'bitmap-reserved', mfn: 0 });
    // bitmap word 0 after vm_init: bitmap_fill(vm_bitmap, 6) = 0x3F
    expect(sys.mem.readLo(sys.vmapBitmapMfn, 0)).toBe(0x3f);
  });
  it('each allocation is preceded by a guard page: 7, 9, 11; a freed one is reused', () => {
    // vm_alloc: start = vm_low; start = start + 1 (the guard); vm_low = start + nr when start <= vm_low + 2
    const sys = new XenSystem();
    const a = sys.mapDomainPageGlobal(0, 0x90000);
    const b = sys.mapDomainPageGlobal(0, 0x90001);
    const c = sys.mapDomainPageGlobal(0, 0x90002);
    expect([a, b, c]).toEqual([0x10007000, 0x10009000, 0x1000b000]);
    expect(sys.vmapPage(8)).toEqual({ kind: 'guard', mfn: null });
    expect(sys.vmapPage(9)).toEqual({ kind: 'allocated', mfn: 0x90001 });
    // bits 0–5, 7, 9, 11: 0x3F | 0x80 | 0x200 | 0x800 = 0xABF
    expect(sys.mem.readLo(sys.vmapBitmapMfn, 0)).toBe(0xabf);
    sys.unmapDomainPageGlobal(0, b);
    expect(sys.vmapPage(9).kind).toBe('free');
    // vm_free(0x10009000): bit 9 < vm_low 12 → vm_low = 8, then down while bit vm_low − 1 is clear: bit 7 set → 8;
    // vm_alloc from 8: 8 + 1 = 9 < next set bit 11 with 9 + 1 < 11 → page 9 again
    expect(sys.mapDomainPageGlobal(0, 0x90003)).toBe(0x10009000);
    const rec = new WalkRecord();
    expect(sys.cpu(0).mmu.walk(0x10009000, false, rec).fault).toBe(0);
    expect(rec.pa).toBe(0x90003 * 4096);
  });
  it('vmap and vunmap pay write_pte and the flush: 4 dsb, 1 isb, 1 TLBIMVAH, 1 store each (L3 table present)', () => {
    // create_xen_entries: write_pte = dsb; strd; dsb; then flush_xen_data_tlb_range_va(va, 4 KiB) = dsb; TLBIMVAH; dsb; isb
    const sys = new XenSystem();
    const m = sys.cpu(0).mmu.stats;
    const before = { ...m };
    const va = sys.mapDomainPageGlobal(0, 0x90000);
    expect({
      dsb: m.dsb - before.dsb,
      isb: m.isb - before.isb,
      tlbi: m.tlbiMva - before.tlbiMva,
      st: m.stores - before.stores,
    }).toEqual({ dsb: 4, isb: 1, tlbi: 1, st: 1 });
    const mid = { ...m };
    sys.unmapDomainPageGlobal(0, va);
    expect({
      dsb: m.dsb - mid.dsb,
      isb: m.isb - mid.isb,
      tlbi: m.tlbiMva - mid.tlbiMva,
      st: m.stores - mid.stores,
    }).toEqual({ dsb: 4, isb: 1, tlbi: 1, st: 1 });
  });
  it('prepare_vlpt cost includes the two vmaps of its shadow pages', () => {
    // 512 MiB guest: main had 14 dsb (issue 13: vmap's write_pte barriers were missing); now 18
    const s = createSession();
    const c = s.prepare!.stats;
    // flush_vlpt: 512 TLBIMVAH for slot 66; the 2 shadow vmaps: 1 each; map_domain_page of the 2 root pages: 1 each
    expect(c.tlbiMva).toBe(512 + 2 + 2);
    // dsb: vmaps 2 × 4 = 8; map_domain_page of root pages 0xa4000/0xa4001 (same 2 MiB slot): the first
    // takes a free dommap slot (write_pte 2 + flush 2), the second reuses it (avail++ is a plain store;
    // flush 2) = 6; write_pte(slot 66) 2; flush_vlpt 2
    expect(c.dsb).toBe(8 + 6 + 2 + 2);
    expect(c.isb).toBe(2 + 2 + 1);
  });
});

describe('item 13: the xenheap cap is the model’s, and it says so', () => {
  it('20 GiB host: 2560 MiB by the 2013 rule, mapped 1 GiB, with a warning', () => {
    // 20 GiB / 8 = 2560 MiB (already a multiple of 32 MiB) > 1 GiB
    const sys = new XenSystem({ hostRamSize: 20 * GiB });
    expect(sys.xenheapSize).toBe(GiB);
    expect(sys.warnings).toHaveLength(1);
    expect(sys.warnings[0]).toContain('2560 MiB xenheap');
    expect(sys.warnings[0]).toContain('no cap');
    expect(new XenSystem().warnings).toEqual([]);
  });
});

describe('item 11: on ac6e1ae no guest RAM exists at or above 512 GiB', () => {
  it('createSession refuses it, naming --ram-base/--ram-size and the rule; 9a80d50 accepts it', () => {
    expect(() => createSession({ ramBase: 600 * GiB, ramSize: GiB })).toThrow(InputError);
    expect(() => createSession({ ramBase: 600 * GiB, ramSize: GiB })).toThrow(
      /--ram-base\/--ram-size: .*reaches 512 GiB.*ac6e1ae.*BUG_ON/,
    );
    // create_p2m_entries BUG_ONs on bit 39 of the exclusive end too: RAM must end below 512 GiB
    expect(() => createSession({ ramBase: 511 * GiB, ramSize: GiB })).toThrow(/must end below 0x8000000000/);
    expect(createSession({ ramBase: 511 * GiB, ramSize: GiB - 4096 }).prepare!.result).toBe(0);
    expect(createSession({ ramBase: 600 * GiB, ramSize: GiB, tree: '9a80d50' }).prepare!.result).toBe(0);
  });
  it('a scenario on ac6e1ae with such a domain is refused with the field named', () => {
    const text = JSON.stringify({
      tree: 'ac6e1ae',
      domains: [{ name: 'big', ramBase: 600 * GiB, ramSize: GiB }],
      steps: [{ op: 'logdirty-start', domain: 'big', cpu: 0 }],
    });
    expect(() => parseScenario(text, 'x.scenario.json')).toThrow(/domains\[0\]: .*512 GiB.*"tree": "9a80d50"/);
  });
  it('resolve 0x8080001000 with 8 GiB: p2m_lookup aliases GPA − 512 GiB; the verdict says so instead of "VLPT gives -1"', () => {
    // 0x8080001000 − 0x8000000000 = 0x80001000: the first RAM page + 4 KiB → mfn 0x1000001 → 0x1000001000
    const s = createSession({ ramSize: 8 * GiB });
    const r = resolveGpa(s.sys, s.dom, 0, 0x8080001000);
    // VLPT VA: 0x08000000 + 0x8080001 * 8 = 0x48400008 (XENHEAP, slot 578): xenheap memory, not a PTE
    expect(r.vlptVa).toBe('0x48400008');
    expect(r.region).toBe('XENHEAP');
    expect(r.p2mLookup.pa).toBe('0x1000001000');
    expect(r.p2mLookup.aliasOf).toBe('0x80001000');
    expect(r.descriptor.valid).toBe(false); // the guest's L1[514] (root page 1) is invalid
    expect(r.agrees).toBe(false);
    expect(r.verdict).not.toContain('-1');
    expect(r.verdict).toContain('not a valid level-3 entry (VLPT says unmapped), but p2m_lookup finds 0x1000001000');
    expect(r.verdict).toContain('GPA 0x8080001000 is looked up as 0x80001000');
    expect(r.verdict).toContain('maps nothing there');
    // below 512 GiB there is no alias
    expect(resolveGpa(s.sys, s.dom, 0, 0x80001000).p2mLookup.aliasOf).toBeNull();
  });
});

describe('item 12: guests over 960 GiB are emulated (prepare_vlpt returns -12), not refused', () => {
  it('backing frames: 64 GiB up when they fit, else the top of the 40-bit space above host RAM', () => {
    const sys = new XenSystem(); // host RAM 0x80000000..0x180000000 → frames 0x80000..0x180000
    // 960 GiB = 0xF000000 frames: 0x1000000 + 0xF000000 = 0x10000000 fits exactly
    expect(guestMfnBase(sys, 1, 960 * 2 ** 18)).toBe(0x1000000);
    // 961 GiB = 0xF040000 frames: 0x1000000 + 0xF040000 > 0x10000000 → 0x10000000 − 0xF040000 = 0xFC0000 (≥ 0x180000)
    expect(guestMfnBase(sys, 1, 961 * 2 ** 18)).toBe(0xfc0000);
    // 1018 GiB = 0xFE80000 frames: 0x10000000 − 0xFE80000 = 0x180000, the host's end: the largest that fits
    expect(guestMfnBase(sys, 1, 1018 * 2 ** 18)).toBe(0x180000);
    expect(() => guestMfnBase(sys, 1, 1018 * 2 ** 18 + 1)).toThrow(/^--ram-size: .*at most 1018 GiB/);
  });
  it('what cannot be modelled names --ram-size and the limit (exit 2)', async () => {
    const err: string[] = [];
    const code = await main(['prepare', '--ram-base', '0', '--ram-size', '1T', '--tree', '9a80d50'], {
      out: () => undefined,
      err: (x) => err.push(x),
      readFile: () => '',
    });
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(
      /^xenlens prepare: --ram-size: 1 TiB of guest RAM needs 0x10000000 backing frames.*at most 1018 GiB/,
    );
  });
});
