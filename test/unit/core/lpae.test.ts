/**
 * Descriptor formats (reference doc §4) in both views, the constants Xen builds, and the
 * cross-interpretation VLPT relies on (§7). Every expected value is a constant of the doc or
 * hand arithmetic on the bit table of §4, written next to it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeP2m,
  decodePt,
  encodeP2m,
  encodePt,
  mfnToXenEntry,
  xenEntry,
  p2mLeafEntry,
  p2mTableEntry,
  dommapEntry,
  MT_WRITEALLOC,
  MT_DEV_SHARED,
  MATTR_MEM,
  type LpaePt,
  type LpaeP2m,
} from '../../../src/core';

/** hi/lo pair → BigInt, for readable comparisons with the doc's 64-bit constants */
const big = (e: ArrayLike<number>): bigint => (BigInt(e[0]! >>> 0) << 32n) | BigInt(e[1]! >>> 0);
const hiOf = (x: bigint): number => Number(x >> 32n);
const loOf = (x: bigint): number => Number(x & 0xffffffffn);

/** a stage-1 view with every field zero, to be overridden */
function pt(f: Partial<LpaePt>): LpaePt {
  return {
    valid: false,
    table: false,
    ai: 0,
    ns: false,
    user: false,
    ro: false,
    sh: 0,
    af: false,
    ng: false,
    base: 0,
    sbz: 0,
    contig: false,
    pxn: false,
    xn: false,
    avail: 0,
    pxnt: false,
    xnt: false,
    apt: 0,
    nst: false,
    ...f,
  };
}
function p2m(f: Partial<LpaeP2m>): LpaeP2m {
  return {
    valid: false,
    table: false,
    mattr: 0,
    read: false,
    write: false,
    sh: 0,
    af: false,
    sbz4: false,
    base: 0,
    sbz3: 0,
    contig: false,
    sbz2: false,
    xn: false,
    type: 0,
    sbz1: 0,
    ...f,
  };
}

describe('Xen stage-1 descriptor constants (doc §4, raw = constant | pa)', () => {
  // mfn_to_xen_entry: valid(1) | ai 7 << 2 (0x1c) | ns (0x20) | user (0x40) | sh 2 << 8 (0x200)
  //                   | af (0x400) | ng (0x800) = 0xE7D; xn = bit 54 → hi 0x00400000
  it('mfn_to_xen_entry(mfn) is 0x0040000000000E7D | pa', () => {
    expect(big(mfnToXenEntry(0, MT_WRITEALLOC))).toBe(0x0040000000000e7dn);
    expect(big(xenEntry('DATA_BLOCK', 0))).toBe(0x0040000000000e7dn);
    expect(big(encodePt(pt({ valid: true, ai: 7, ns: true, user: true, sh: 2, af: true, ng: true, xn: true })))).toBe(
      0x0040000000000e7dn,
    );
    // with a frame: pa = 0x80102 << 12 = 0x80102000
    expect(big(mfnToXenEntry(0x80102, MT_WRITEALLOC))).toBe(0x0040000080102e7dn);
  });
  it('… + table=1 (table link or 4 KiB page) is 0x0040000000000E7F', () => {
    expect(big(xenEntry('TABLE', 0))).toBe(0x0040000000000e7fn);
    expect(
      big(encodePt(pt({ valid: true, table: true, ai: 7, ns: true, user: true, sh: 2, af: true, ng: true, xn: true }))),
    ).toBe(0x0040000000000e7fn);
  });
  it('root entries 0/1 (table, xn 0) are 0x0000000000000E7F | pa (doc §3)', () => {
    expect(big(xenEntry('ROOT_TO_SECOND', 0x80102))).toBe(0x0000000080102e7fn);
  });
  it('Xen text page (xn 0, ro 1, table 1) is 0x0000000000000EFF', () => {
    // 0xE7F | ro (0x80) = 0xEFF
    expect(big(xenEntry('TEXT_PAGE', 0))).toBe(0x0000000000000effn);
    expect(
      big(encodePt(pt({ valid: true, table: true, ai: 7, ns: true, user: true, ro: true, sh: 2, af: true, ng: true }))),
    ).toBe(0x0000000000000effn);
  });
  it('Xen rodata page (ro 1, xn) is 0x0040000000000EFF', () => {
    expect(big(xenEntry('RODATA_PAGE', 0))).toBe(0x0040000000000effn);
  });
  it('fixmap device page (ai DEV_SHARED 4, table 1) is 0x0040000000000E73', () => {
    // 0xE61 | 4 << 2 (0x10) | table (2) = 0xE73
    expect(big(xenEntry('DEV_PAGE', 0))).toBe(0x0040000000000e73n);
    expect(
      big(
        encodePt(
          pt({
            valid: true,
            table: true,
            ai: MT_DEV_SHARED,
            ns: true,
            user: true,
            sh: 2,
            af: true,
            ng: true,
            xn: true,
          }),
        ),
      ),
    ).toBe(0x0040000000000e73n);
  });
  it('head.S PT_PT / PT_MEM / PT_DEV / PT_DEV_L3 low 12 bits are 0xE7F / 0xE7D / 0xE71 / 0xE73', () => {
    expect(loOf(big(xenEntry('TABLE', 0))) & 0xfff).toBe(0xe7f);
    expect(loOf(big(xenEntry('PT_MEM', 0))) & 0xfff).toBe(0xe7d);
    expect(hiOf(big(xenEntry('PT_MEM', 0)))).toBe(0); // no xn in head.S
    // PT_DEV: block, ai 4 → 0xE61 | 0x10 = 0xE71; PT_DEV_L3 = + table = 0xE73
    expect(loOf(big(mfnToXenEntry(0, MT_DEV_SHARED))) & 0xfff).toBe(0xe71);
    expect(loOf(big(xenEntry('DEV_PAGE', 0))) & 0xfff).toBe(0xe73);
  });
  it('frametable/xenheap 2 MiB blocks with the contiguous hint are 0x0050000000000E7D (doc §3)', () => {
    // contig = bit 52 → hi 0x00100000; | xn 0x00400000 = 0x00500000
    expect(big(xenEntry('CONTIG_BLOCK', 0))).toBe(0x0050000000000e7dn);
  });
  it('a refcount-1 xen_dommap slot is 0x00C0000000000E7D | pa (doc §3)', () => {
    // avail = 1 → bit 55 → hi 0x00800000; | xn 0x00400000 = 0x00C00000
    expect(big(dommapEntry(0, 1))).toBe(0x00c0000000000e7dn);
    expect(big(dommapEntry(0x80000, 1))).toBe(0x00c0000080000e7dn);
    // avail = 2 → 0x01000000 | 0x00400000
    expect(big(dommapEntry(0, 2))).toBe(0x0140000000000e7dn);
  });
});

describe('p2m descriptor constants (doc §4)', () => {
  // mfn_to_p2m_entry(mfn, MATTR_MEM) @ ac6e1ae: valid 1 | table 2 | mattr 0xF << 2 (0x3C)
  //   | read 0x40 | write 0x80 | sh 2 << 8 (0x200) | af 0x400 = 0x6FF
  it('ac6e1ae: table links and leaves alike are 0x00000000000006FF', () => {
    expect(big(p2mTableEntry('ac6e1ae', 0))).toBe(0x00000000000006ffn);
    expect(big(p2mLeafEntry('ac6e1ae', 'p2m_ram_rw', 0))).toBe(0x00000000000006ffn);
    expect(
      big(encodeP2m(p2m({ valid: true, table: true, mattr: MATTR_MEM, read: true, write: true, sh: 2, af: true }))),
    ).toBe(0x00000000000006ffn);
  });
  it('ac6e1ae MATTR_DEV (mmio) is 0x00000000000006C7', () => {
    // mattr 1 << 2 = 0x04: 0x6FF - 0x3C + 0x04 = 0x6C7
    expect(big(p2mLeafEntry('ac6e1ae', 'p2m_mmio_direct', 0))).toBe(0x00000000000006c7n);
  });
  it('9a80d50 table link (type invalid, write 0, xn 1) is 0x004000000000067F', () => {
    expect(big(p2mTableEntry('9a80d50', 0))).toBe(0x004000000000067fn);
  });
  // type t at bits 55..58 → hi (t << 23); xn bit 54 → hi 0x00400000; write 0 → lo 0x67F
  it.each([
    ['p2m_ram_rw', 0x00800000000006ffn], // type 1 → 0x00800000
    ['p2m_ram_ro', 0x010000000000067fn], // type 2 → 0x01000000, write 0
    ['p2m_mmio_direct', 0x01c00000000006c7n], // type 3 → 0x01800000 | xn; MATTR_DEV
    ['p2m_map_foreign', 0x02400000000006ffn], // type 4 → 0x02000000 | xn
    ['p2m_grant_map_rw', 0x02c00000000006ffn], // type 5 → 0x02800000 | xn
    ['p2m_grant_map_ro', 0x034000000000067fn], // type 6 → 0x03000000 | xn, write 0
  ] as const)('9a80d50 %s leaf is %s', (t, expected) => {
    expect(big(p2mLeafEntry('9a80d50', t, 0))).toBe(expected);
  });
  it('leaves carry the frame in bits 39..12 (mfn 0x1000001 → pa 0x1000001000)', () => {
    expect(big(p2mLeafEntry('ac6e1ae', 'p2m_ram_rw', 0x1000001))).toBe(0x00000010000016ffn);
    expect(big(p2mLeafEntry('9a80d50', 'p2m_ram_rw', 0x1000001))).toBe(0x00800010000016ffn);
    // largest 28-bit frame: pa 0xFFFFFFF000
    expect(big(p2mLeafEntry('ac6e1ae', 'p2m_ram_rw', 0xfffffff))).toBe(0x000000fffffff6ffn);
  });
});

describe('decode vectors (doc §9.4)', () => {
  it('0x00000000000006FF read as stage-1: valid, table, ai 7, ns, user, ro, sh 2, af, ng 0, xn 0', () => {
    expect(decodePt(0, 0x6ff)).toMatchObject({
      valid: true,
      table: true,
      ai: 7,
      ns: true,
      user: true,
      ro: true,
      sh: 2,
      af: true,
      ng: false,
      xn: false,
      base: 0,
    });
  });
  it('0x004000000000067F read as stage-1: valid, table, ai 7, ns, user, ro 0, sh 2, af, xn 1', () => {
    expect(decodePt(0x00400000, 0x67f)).toMatchObject({
      valid: true,
      table: true,
      ai: 7,
      ns: true,
      user: true,
      ro: false,
      sh: 2,
      af: true,
      ng: false,
      xn: true,
    });
  });
  it('0x00800000000006FF read as p2m: valid leaf, mattr 0xF, read, write, sh 2, af, type 1 (ram_rw)', () => {
    expect(decodeP2m(0x00800000, 0x6ff)).toMatchObject({
      valid: true,
      table: true,
      mattr: 0xf,
      read: true,
      write: true,
      sh: 2,
      af: true,
      xn: false,
      type: 1,
    });
  });
  it('the base field spans both halves: hi bits 0..7 are frame bits 20..27', () => {
    // 0x000000fedcba9000 → base 0xfedcba9
    expect(decodePt(0xfe, 0xdcba9000).base).toBe(0xfedcba9);
    expect(decodeP2m(0xfe, 0xdcba9000).base).toBe(0xfedcba9);
  });
  it('high attribute bits of the stage-1 view: contig 52, pxn 53, xn 54, avail 55-58, pxnt 59, xnt 60, apt 61-62, nst 63', () => {
    expect(decodePt(1 << 20, 0)).toMatchObject({ contig: true, pxn: false, xn: false });
    expect(decodePt(1 << 21, 0)).toMatchObject({ pxn: true });
    expect(decodePt(0xf << 23, 0).avail).toBe(0xf);
    expect(decodePt(1 << 27, 0)).toMatchObject({ pxnt: true, xnt: false });
    expect(decodePt(1 << 28, 0)).toMatchObject({ xnt: true });
    expect(decodePt(3 << 29, 0).apt).toBe(3);
    expect(decodePt(0x80000000, 0).nst).toBe(true);
    // bits 40..51 are sbz
    expect(decodePt(0x000fff00, 0).sbz).toBe(0xfff);
  });
});

describe('decode/encode round trip (fast-check)', () => {
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  it('encodePt(decodePt(hi, lo)) === (hi, lo) for every 64-bit value', () => {
    fc.assert(
      fc.property(u32, u32, (hi, lo) => {
        const out = encodePt(decodePt(hi, lo));
        return out[0] === hi && out[1] === lo;
      }),
      { seed: 0x5eed, numRuns: 2000 },
    );
  });
  it('encodeP2m(decodeP2m(hi, lo)) === (hi, lo) for every 64-bit value', () => {
    fc.assert(
      fc.property(u32, u32, (hi, lo) => {
        const out = encodeP2m(decodeP2m(hi, lo));
        return out[0] === hi && out[1] === lo;
      }),
      { seed: 0x5eed, numRuns: 2000 },
    );
  });
  it('both views agree on the shared fields (valid, table, sh, af, base, contig, xn, bits 55-58)', () => {
    fc.assert(
      fc.property(u32, u32, (hi, lo) => {
        const a = decodePt(hi, lo);
        const b = decodeP2m(hi, lo);
        return (
          a.valid === b.valid &&
          a.table === b.table &&
          a.sh === b.sh &&
          a.af === b.af &&
          a.base === b.base &&
          a.contig === b.contig &&
          a.xn === b.xn &&
          a.avail === b.type
        );
      }),
      { seed: 0x5eed, numRuns: 1000 },
    );
  });
});

describe('cross-interpretation: p2m entries read by the MMU as Xen stage-1 (doc §7)', () => {
  it('ac6e1ae guest L2 entry 0x6FF (write=1) reads as ai 7 WRITEALLOC, ns, user, ro 1, sh 2, af, ng 0, xn 0: read-only, executable', () => {
    const e = p2mTableEntry('ac6e1ae', 0x1234);
    // p2m write (S2AP[1], bit 7) is the stage-1 AP[2] = ro bit
    expect(decodeP2m(e[0]!, e[1]!).write).toBe(true);
    expect(decodePt(e[0]!, e[1]!)).toMatchObject({
      valid: true,
      table: true,
      ai: 7,
      ns: true,
      user: true,
      ro: true,
      sh: 2,
      af: true,
      ng: false,
      xn: false,
      base: 0x1234,
    });
  });
  it('9a80d50 guest L2 entry 0x004000000000067F (write=0, xn=1) reads as ro 0, xn 1: read-write, never executable', () => {
    const e = p2mTableEntry('9a80d50', 0x1234);
    expect(decodeP2m(e[0]!, e[1]!).write).toBe(false);
    expect(decodePt(e[0]!, e[1]!)).toMatchObject({
      valid: true,
      table: true,
      ai: 7,
      ns: true,
      user: true,
      ro: false,
      sh: 2,
      af: true,
      ng: false,
      xn: true,
      base: 0x1234,
    });
  });
  it('a guest L1 entry copied into xen_second has zero table attributes (bits 59-63) in both trees', () => {
    for (const tree of ['ac6e1ae', '9a80d50'] as const) {
      const e = p2mTableEntry(tree, 0xa4002);
      expect(decodePt(e[0]!, e[1]!)).toMatchObject({
        pxnt: false,
        xnt: false,
        apt: 0,
        nst: false,
        valid: true,
        table: true,
        base: 0xa4002,
      });
    }
  });
  it('a 9a80d50 ram_rw leaf read as stage-1 shows the type in avail (1) and write=1 as ro 1', () => {
    // 0x00800000000006FF: bits 55..58 = 1; bit 7 (write) = AP[2]
    const e = p2mLeafEntry('9a80d50', 'p2m_ram_rw', 0);
    expect(decodePt(e[0]!, e[1]!)).toMatchObject({ avail: 1, ro: true, xn: false });
  });
});
