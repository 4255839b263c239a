/**
 * Reference doc §9.1 (get_vlpt_3lvl_pte / resolve, guest RAM at 0x80000000) and §9.2 (reverse),
 * plus the walk of 0x08400008. Expected values are the doc's table or hand arithmetic:
 *   vlptVa = 0x08000000 + gfn * 8 (mod 2^32); slot = vlptVa >> 21; Xen L3 idx = (vlptVa >> 12) & 511;
 *   byte off = vlptVa & 0xfff; guest L1 = gpa >> 30 (page = L1 >> 9, idx = L1 & 511);
 *   L2 = (gpa >> 21) & 511; L3 = (gpa >> 12) & 511.
 * Guest RAM frames follow the model's rule (src/core/p2m.ts header): mfn = 0x1000000 + (gfn − 0x80000).
 */
import { describe, expect, it } from 'vitest';
import {
  createSession,
  resolveGpa,
  describeVa,
  getVlpt3lvlPte,
  p2mLookup,
  VlptResolver,
  WalkRecord,
  XEN_SECOND_MFN,
  CPU0_PGTABLE_MFN,
} from '../../../src/core';
import { naiveVlptResolve, naiveP2mLookup } from '../../oracle/naiveWalk';

const n = (s: string): number => Number(s); // '0x…' → number (all < 2^53 here)
const b = (s: string): bigint => BigInt(s);

type Behaviour = { mapped: true } | { fault: 2 | 3 } | { outside: true };
interface Row {
  gpa: number;
  gfn: number;
  va: number;
  region: string;
  /** xen_second slot, or null for DOMHEAP (dommap slot in `dommap`) */
  slot: number | null;
  dommap?: number;
  xenL3: number;
  off: number;
  l1: number;
  l1Page: number;
  l1Idx: number;
  l2: number;
  l3: number;
  b: Behaviour;
}

// doc §9.1, row by row; behaviour for the 512 MiB guest at 0x80000000 (prepare wrote slot 66 only):
// RAM 0x80000000..0x9fffffff → guest L2[0..255] of L1[2] valid, L2[256..511] invalid.
const ROWS: Row[] = [
  // slot 64 never written for a guest at 2 GiB → Xen level-2 translation fault (doc)
  {
    gpa: 0x0,
    gfn: 0x0,
    va: 0x08000000,
    region: 'VIRT_LIN_P2M',
    slot: 64,
    xenL3: 0,
    off: 0x000,
    l1: 0,
    l1Page: 0,
    l1Idx: 0,
    l2: 0,
    l3: 0,
    b: { fault: 2 },
  },
  // vGIC distributor: 0x2c001 * 8 = 0x160008 → 0x08160008; level-2 fault (doc)
  {
    gpa: 0x2c001000,
    gfn: 0x2c001,
    va: 0x08160008,
    region: 'VIRT_LIN_P2M',
    slot: 64,
    xenL3: 352,
    off: 0x008,
    l1: 0,
    l1Page: 0,
    l1Idx: 0,
    l2: 352,
    l3: 1,
    b: { fault: 2 },
  },
  {
    gpa: 0x80000000,
    gfn: 0x80000,
    va: 0x08400000,
    region: 'VIRT_LIN_P2M',
    slot: 66,
    xenL3: 0,
    off: 0x000,
    l1: 2,
    l1Page: 0,
    l1Idx: 2,
    l2: 0,
    l3: 0,
    b: { mapped: true },
  },
  {
    gpa: 0x80001000,
    gfn: 0x80001,
    va: 0x08400008,
    region: 'VIRT_LIN_P2M',
    slot: 66,
    xenL3: 0,
    off: 0x008,
    l1: 2,
    l1Page: 0,
    l1Idx: 2,
    l2: 0,
    l3: 1,
    b: { mapped: true },
  },
  {
    gpa: 0x9ffff000,
    gfn: 0x9ffff,
    va: 0x084ffff8,
    region: 'VIRT_LIN_P2M',
    slot: 66,
    xenL3: 255,
    off: 0xff8,
    l1: 2,
    l1Page: 0,
    l1Idx: 2,
    l2: 255,
    l3: 511,
    b: { mapped: true },
  },
  // guest L2[256] invalid → Xen level-3 fault (doc)
  {
    gpa: 0xa0000000,
    gfn: 0xa0000,
    va: 0x08500000,
    region: 'VIRT_LIN_P2M',
    slot: 66,
    xenL3: 256,
    off: 0x000,
    l1: 2,
    l1Page: 0,
    l1Idx: 2,
    l2: 256,
    l3: 0,
    b: { fault: 3 },
  },
  // L2[384], L2[511] invalid for the same reason → level-3 fault [hand]
  {
    gpa: 0xb0000000,
    gfn: 0xb0000,
    va: 0x08580000,
    region: 'VIRT_LIN_P2M',
    slot: 66,
    xenL3: 384,
    off: 0x000,
    l1: 2,
    l1Page: 0,
    l1Idx: 2,
    l2: 384,
    l3: 0,
    b: { fault: 3 },
  },
  {
    gpa: 0xbffff000,
    gfn: 0xbffff,
    va: 0x085ffff8,
    region: 'VIRT_LIN_P2M',
    slot: 66,
    xenL3: 511,
    off: 0xff8,
    l1: 2,
    l1Page: 0,
    l1Idx: 2,
    l2: 511,
    l3: 511,
    b: { fault: 3 },
  },
  {
    gpa: 0xbfffffff,
    gfn: 0xbffff,
    va: 0x085ffff8,
    region: 'VIRT_LIN_P2M',
    slot: 66,
    xenL3: 511,
    off: 0xff8,
    l1: 2,
    l1Page: 0,
    l1Idx: 2,
    l2: 511,
    l3: 511,
    b: { fault: 3 },
  },
  // slot 67 is written only when RAM reaches L1 index 3 (or by the +1): not for 512 MiB → level 2 [hand]
  {
    gpa: 0xc0000000,
    gfn: 0xc0000,
    va: 0x08600000,
    region: 'VIRT_LIN_P2M',
    slot: 67,
    xenL3: 0,
    off: 0x000,
    l1: 3,
    l1Page: 0,
    l1Idx: 3,
    l2: 0,
    l3: 0,
    b: { fault: 2 },
  },
  // 0xffffff * 8 = 0x7fffff8 → 0x0ffffff8; slot 127 unwritten → level 2 [hand]
  {
    gpa: 0xffffff000,
    gfn: 0xffffff,
    va: 0x0ffffff8,
    region: 'VIRT_LIN_P2M',
    slot: 127,
    xenL3: 511,
    off: 0xff8,
    l1: 63,
    l1Page: 0,
    l1Idx: 63,
    l2: 511,
    l3: 511,
    b: { fault: 2 },
  },
  {
    gpa: 0xfffffffff,
    gfn: 0xffffff,
    va: 0x0ffffff8,
    region: 'VIRT_LIN_P2M',
    slot: 127,
    xenL3: 511,
    off: 0xff8,
    l1: 63,
    l1Page: 0,
    l1Idx: 63,
    l2: 511,
    l3: 511,
    b: { fault: 2 },
  },
  // outside the window: 0x1000000 * 8 = 0x8000000 → 0x10000000 …
  {
    gpa: 0x1000000000,
    gfn: 0x1000000,
    va: 0x10000000,
    region: 'VMAP',
    slot: 128,
    xenL3: 0,
    off: 0,
    l1: 64,
    l1Page: 0,
    l1Idx: 64,
    l2: 0,
    l3: 0,
    b: { outside: true },
  },
  // 0x7000000 * 8 = 0x38000000 → 0x40000000
  {
    gpa: 0x7000000000,
    gfn: 0x7000000,
    va: 0x40000000,
    region: 'XENHEAP',
    slot: 512,
    xenL3: 0,
    off: 0,
    l1: 448,
    l1Page: 0,
    l1Idx: 448,
    l2: 0,
    l3: 0,
    b: { outside: true },
  },
  // 0x8000000 * 8 = 0x40000000 → 0x48000000; guest root page 1
  {
    gpa: 0x8000000000,
    gfn: 0x8000000,
    va: 0x48000000,
    region: 'XENHEAP',
    slot: 576,
    xenL3: 0,
    off: 0,
    l1: 512,
    l1Page: 1,
    l1Idx: 0,
    l2: 0,
    l3: 0,
    b: { outside: true },
  },
  // 0xc800000 * 8 = 0x64000000 → 0x6c000000; 0x6c000000 >> 21 = 864; L1 800 = 1:288
  {
    gpa: 0xc800000000,
    gfn: 0xc800000,
    va: 0x6c000000,
    region: 'XENHEAP',
    slot: 864,
    xenL3: 0,
    off: 0,
    l1: 800,
    l1Page: 1,
    l1Idx: 288,
    l2: 0,
    l3: 0,
    b: { outside: true },
  },
  // 0xf000000 * 8 = 0x78000000 → 0x80000000: DOMHEAP, dommap slot 0
  {
    gpa: 0xf000000000,
    gfn: 0xf000000,
    va: 0x80000000,
    region: 'DOMHEAP',
    slot: null,
    dommap: 0,
    xenL3: 0,
    off: 0,
    l1: 960,
    l1Page: 1,
    l1Idx: 448,
    l2: 0,
    l3: 0,
    b: { outside: true },
  },
  // 0xfffffff * 8 = 0x7ffffff8 → 0x87fffff8; (0x87fffff8 - 0x80000000) >> 21 = 63
  {
    gpa: 0xfffffff000,
    gfn: 0xfffffff,
    va: 0x87fffff8,
    region: 'DOMHEAP',
    slot: null,
    dommap: 63,
    xenL3: 511,
    off: 0xff8,
    l1: 1023,
    l1Page: 1,
    l1Idx: 511,
    l2: 511,
    l3: 511,
    b: { outside: true },
  },
];

const hx = (x: number): string => '0x' + x.toString(16);

describe('doc §9.1: get_vlpt_3lvl_pte and resolve for a 512 MiB guest at 0x80000000', () => {
  for (const tree of ['ac6e1ae', '9a80d50'] as const) {
    describe(`tree ${tree}`, () => {
      const s = createSession({ tree });
      it.each(ROWS.map((r) => [hx(r.gpa), r] as const))('GPA %s', (_name, row) => {
        const r = resolveGpa(s.sys, s.dom, 0, row.gpa);
        expect(getVlpt3lvlPte(s.sys, row.gpa)).toBe(row.va);
        expect(n(r.gpa)).toBe(row.gpa);
        expect(n(r.gfn)).toBe(row.gfn);
        expect(n(r.vlptVa)).toBe(row.va);
        expect(r.region).toBe(row.region);
        expect(r.xenSecondSlot).toBe(row.slot);
        // Xen level-3 index and byte offset follow from the VA
        expect((row.va >>> 12) & 511).toBe(row.xenL3);
        expect(row.va & 0xfff).toBe(row.off);
        expect(r.p2mIndex).toEqual({
          first: row.l1,
          second: row.l2,
          third: row.l3,
          firstPage: row.l1Page,
          firstEntry: row.l1Idx,
        });
        // the walk's first step is the root entry VA[31:30]
        expect(r.steps[0]!.level).toBe(1);
        expect(r.steps[0]!.index).toBe(row.va >>> 30);
        if (row.slot !== null && r.steps.length >= 2) {
          // level 2 reads xen_second page slot>>9 at index slot (page:idx of the doc)
          expect(n(r.steps[1]!.table)).toBe((XEN_SECOND_MFN + (row.slot >>> 9)) * 4096);
          expect(r.steps[1]!.index).toBe(row.slot);
        }
        if (row.dommap !== undefined) {
          // root entries 2/3 → this pCPU's dommap pages; level-2 index = dommap slot
          expect(r.steps[0]!.index).toBe(2);
          if (r.steps.length >= 2) expect(r.steps[1]!.index).toBe(row.dommap);
        }
        if ('fault' in row.b) {
          expect(r.fault).toEqual({ level: row.b.fault, kind: 'translation' });
          expect(r.descriptor.valid).toBe(false);
          expect(r.p2mLookup.pa).toBeNull();
          expect(r.agrees).toBe(true); // both unmapped
          expect(naiveVlptResolve(s.sys, row.gpa)).toBeNull();
          expect(naiveP2mLookup(s.sys, s.dom, row.gpa)).toBeNull();
        }
        if ('mapped' in row.b) {
          const mfn = 0x1000000 + (row.gfn - 0x80000); // model rule
          const pa = mfn * 4096 + (row.gpa % 4096);
          const constant = tree === 'ac6e1ae' ? 0x6ffn : 0x00800000000006ffn;
          const raw = constant | (BigInt(mfn) << 12n);
          expect(r.fault).toBeNull();
          expect(r.steps).toHaveLength(3);
          expect(r.steps[2]!.index).toBe(row.xenL3);
          expect(b(r.descriptor.raw)).toBe(raw);
          expect(r.descriptor.valid).toBe(true);
          expect(n(r.descriptor.mfn)).toBe(mfn);
          expect(r.descriptor.type).toBe(tree === 'ac6e1ae' ? null : 'p2m_ram_rw');
          expect(b(r.vlptEntry!)).toBe(raw); // the VLPT load returns the leaf itself
          expect(n(r.p2mLookup.pa!)).toBe(pa);
          expect(r.agrees).toBe(true);
          // the independent oracle and the software lookup say the same
          expect(naiveVlptResolve(s.sys, row.gpa)).toBe(raw);
          expect(naiveP2mLookup(s.sys, s.dom, row.gpa)).toBe(raw);
          const look = p2mLookup(s.sys, s.dom, 1, row.gpa);
          expect(look.pa).toBe(pa);
          expect((BigInt(look.leafHi) << 32n) | BigInt(look.leafLo)).toBe(raw);
        }
      });
    });
  }
});

describe('doc §9.1: the walk of 0x08400008 after prepare (512 MiB guest, pCPU0)', () => {
  // Modelled host (src/core/xenPageTables.ts header), 4 GiB host RAM [hand]:
  //   xenheap = max(ceil(4 GiB / 8 / 32 MiB) * 32 MiB, 128 MiB) = 512 MiB at 0x82000000
  //   frametable at 0x82000000 + 0x20000000 = 0xA2000000, 1 Mi pages * 24 B = 24 MiB → 32 MiB
  //   domheap from (0xA2000000 + 0x2000000) >> 12 = 0xA4000
  //   guest p2m: root (order 1) 0xA4000–0xA4001, then L2 of L1[2] = 0xA4002, L3 of L2[0] = 0xA4003
  const ROOT = 0xa4000;
  const L2 = 0xa4002;
  const L3 = 0xa4003;
  for (const tree of ['ac6e1ae', '9a80d50'] as const) {
    it(`tree ${tree}: root entry → xen_second[66] = guest L1[2] → guest L2[0] as a page → guest L3[1]`, () => {
      const s = createSession({ tree });
      expect(s.dom.rootMfn).toBe(ROOT);
      const link = tree === 'ac6e1ae' ? 0x6ffn : 0x004000000000067fn; // §4 table links
      const leaf = tree === 'ac6e1ae' ? 0x6ffn : 0x00800000000006ffn; // §4 ram_rw leaves
      const r = resolveGpa(s.sys, s.dom, 0, 0x80001000);
      expect(r.steps).toHaveLength(3);
      // 1. xen_pgtable[0] of pCPU0 (cpu0_pgtable, mfn 0x80100): 0x0000000000000E7F | xen_second page 0 (0x80102000)
      expect(r.steps[0]).toMatchObject({
        level: 1,
        index: 0,
        table: hx(CPU0_PGTABLE_MFN * 4096),
        raw: '0x0000000080102e7f',
        kind: 'table',
      });
      // 2. xen_second[66] (entry address 0x80102000 + 66 * 8 = 0x80102210) holds guest L1[2]
      expect(r.steps[1]).toMatchObject({
        level: 2,
        index: 66,
        table: '0x80102000',
        entryAddress: '0x80102210',
        kind: 'table',
      });
      expect(b(r.steps[1]!.raw)).toBe(link | (BigInt(L2) << 12n));
      // … which is exactly the guest's root page 0 entry 2 (read raw from memory)
      const l1raw = (BigInt(s.sys.mem.readHi(ROOT, 2)) << 32n) | BigInt(s.sys.mem.readLo(ROOT, 2));
      expect(b(r.steps[1]!.raw)).toBe(l1raw);
      // 3. Xen level 3 = the guest L2 table, index (0x08400008 >> 12) & 511 = 0: guest L2[0], a "page"
      expect(r.steps[2]).toMatchObject({
        level: 3,
        index: 0,
        table: hx(L2 * 4096),
        entryAddress: hx(L2 * 4096),
        kind: 'page',
      });
      expect(b(r.steps[2]!.raw)).toBe(link | (BigInt(L3) << 12n));
      expect(r.steps[2]!.fields).toMatchObject({ ro: tree === 'ac6e1ae', xn: tree === '9a80d50' });
      expect(r.steps[2]!.asP2m).not.toBeNull();
      // 4. data word at L3 table PA + 0x008 = guest L3[1] = leaf of 0x80001000 (mfn 0x1000001)
      expect(n(r.vlptEntryPa!)).toBe(L3 * 4096 + 0x008);
      expect(b(r.vlptEntry!)).toBe(leaf | (0x1000001n << 12n));
      const l3raw = (BigInt(s.sys.mem.readHi(L3, 1)) << 32n) | BigInt(s.sys.mem.readLo(L3, 1));
      expect(b(r.vlptEntry!)).toBe(l3raw);
    });
  }
  it('the MMU marks the VLPT page read-only on ac6e1ae and writable, never-executable on 9a80d50 (doc §7)', () => {
    for (const tree of ['ac6e1ae', '9a80d50'] as const) {
      const s = createSession({ tree });
      const rec = s.sys.cpu(0).mmu.walk(0x08400008, false, new WalkRecord());
      expect(rec.fault).toBe(0);
      expect(rec.readOnly).toBe(tree === 'ac6e1ae');
      expect(rec.xn).toBe(tree === '9a80d50');
    }
  });
});

describe('VlptResolver.resolveInto agrees with the vectors', () => {
  it('returns the leaf for 0x80001000 and false for the level-2 fault at 0x0', () => {
    const s = createSession();
    const res = new VlptResolver(s.sys, 0);
    const out = new Uint32Array(2);
    expect(res.resolveInto(0x80001000, out)).toBe(true);
    expect((BigInt(out[0]!) << 32n) | BigInt(out[1]!)).toBe(0x00000010000016ffn);
    expect(res.resolveInto(0x0, out)).toBe(false);
    expect(res.resolveInto(0xa0000000, out)).toBe(false);
  });
});

describe('doc §9.2: reverse (Xen VA → meaning)', () => {
  const s = createSession();
  it.each([
    [0x00403000, 'FIXMAP', 2],
    [0x01000000, null, 8],
    [0x07ffffff, 'FRAMETABLE', 63],
    [0x08000000, 'VIRT_LIN_P2M', 64],
    [0x08400008, 'VIRT_LIN_P2M', 66],
    [0x085fffff, 'VIRT_LIN_P2M', 66],
    [0x0ffffff8, 'VIRT_LIN_P2M', 127],
    [0x10000000, 'VMAP', 128],
    [0x7fffffff, 'XENHEAP', 1023],
    [0x80000000, 'DOMHEAP', null],
  ] as const)('VA 0x%s', (va, region, slot) => {
    const r = describeVa(s.sys, s.dom, 0, va);
    expect(n(r.va)).toBe(va);
    expect(r.region).toBe(region);
    expect(r.xenSecondSlot).toBe(slot);
  });
  it('0x00403000 is FIXMAP_ADDR(FIXMAP_GICD) = FIXMAP_ADDR(3)', () => {
    expect(describeVa(s.sys, s.dom, 0, 0x00403000).meaning).toContain('FIXMAP_GICD');
  });
  it('0x01000000 maps nothing', () => {
    const r = describeVa(s.sys, s.dom, 0, 0x01000000);
    expect(r.gpa).toBeNull();
    expect(r.fault).not.toBeNull();
    expect(r.pa).toBeNull();
  });
  it('window VAs name the GPA whose PTE lives there: gfn = (va − 0x08000000) >> 3', () => {
    // 0x08000000: gfn 0, GPA 0x0–0xFFF
    expect(describeVa(s.sys, s.dom, 0, 0x08000000).gpa).toEqual({
      start: '0x0',
      end: '0x1000',
      gfn: '0x0',
      byteInPte: 0,
    });
    // 0x08400008: 0x400008 >> 3 = 0x80001
    expect(describeVa(s.sys, s.dom, 0, 0x08400008).gpa).toEqual({
      start: '0x80001000',
      end: '0x80002000',
      gfn: '0x80001',
      byteInPte: 0,
    });
    // 0x085FFFFF: 0x5fffff >> 3 = 0xbffff, byte 7 inside the PTE
    const inside = describeVa(s.sys, s.dom, 0, 0x085fffff);
    expect(inside.gpa).toEqual({ start: '0xbffff000', end: '0xc0000000', gfn: '0xbffff', byteInPte: 7 });
    expect(inside.meaning).toMatch(/^inside the PTE of gfn 0xbffff/);
    // 0x0FFFFFF8: 0x7fffff8 >> 3 = 0xffffff
    expect(describeVa(s.sys, s.dom, 0, 0x0ffffff8).gpa!.gfn).toBe('0xffffff');
  });
  it('0x10000000 is the vmap bitmap (first page)', () => {
    expect(describeVa(s.sys, s.dom, 0, 0x10000000).meaning).toMatch(/vmap bitmap \(page 0/);
  });
  it('0x80000000 is xen_dommap slot 0 of the executing pCPU', () => {
    const r = describeVa(s.sys, s.dom, 0, 0x80000000);
    expect(r.dommapSlot).toBe(0);
    expect(r.meaning).toContain('xen_dommap slot 0');
  });
});
