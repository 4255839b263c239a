/**
 * Reference doc §9.3: prepare_vlpt on a fresh system (max_pages = size / 4 KiB), every row, and
 * the dprintk texts. Arithmetic per row [hand, doc §8]:
 *   end = base + size; required = size >> 9; start_idx = base >> 30; end_idx = (end >> 30) + 1;
 *   slots written = 64 + [start_idx, end_idx); flush VA = (64 + start_idx) << 21,
 *   size = (end_idx − start_idx) << 21; a slot is "extra" when its GiB holds no RAM;
 *   a slot ≥ 128 is outside VIRT_LIN_P2M (128–511 VMAP, 512–1023 XENHEAP).
 */
import { describe, expect, it } from 'vitest';
import { createSession, flushVlpt, type Session } from '../../../src/core';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

interface Row {
  name: string;
  base: number;
  size: number;
  ok: boolean;
  /** first/last slot written, start/end */
  slots?: [number, number];
  flush?: [number, number];
  overrun?: { slots: number[]; region: string };
  extra?: number[];
  message?: string;
  /** rows with RAM at or above 512 GiB cannot exist on ac6e1ae (create_p2m_entries BUG_ONs on GPA bit 39, doc §5): run on 9a80d50 */
  tree?: '9a80d50';
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

const ROWS: Row[] = [
  // end 0xA0000000 → end_idx 2 + 1 = 3; slot 66
  {
    name: '512 MiB at 2 GiB',
    base: 0x80000000,
    size: 512 * MiB,
    ok: true,
    slots: [66, 66],
    flush: [0x08400000, 0x200000],
  },
  // libxl's +1 MiB changes nothing: end 0xA0100000 → 3
  {
    name: '512 MiB + 1 MiB at 2 GiB',
    base: 0x80000000,
    size: 513 * MiB,
    ok: true,
    slots: [66, 66],
    flush: [0x08400000, 0x200000],
  },
  // end 3 GiB → end_idx 4: slot 67 for L1[3], which has no RAM
  {
    name: '1 GiB at 2 GiB',
    base: 0x80000000,
    size: 1 * GiB,
    ok: true,
    slots: [66, 67],
    flush: [0x08400000, 0x400000],
    extra: [67],
  },
  // end 3 GiB + 1 MiB → 4: slot 67 holds the tail, not extra
  {
    name: '1 GiB + 1 MiB at 2 GiB',
    base: 0x80000000,
    size: 1 * GiB + 1 * MiB,
    ok: true,
    slots: [66, 67],
    flush: [0x08400000, 0x400000],
  },
  // end 5 GiB → 6: slots 66–69, 69 extra
  {
    name: '3 GiB at 2 GiB',
    base: 0x80000000,
    size: 3 * GiB,
    ok: true,
    slots: [66, 69],
    flush: [0x08400000, 0x800000],
    extra: [69],
  },
  // end 64 GiB − 1 MiB → 63 + 1 = 64: slots 66–127, 62 slots = 0x7C00000
  {
    name: '62 GiB − 1 MiB at 2 GiB',
    base: 0x80000000,
    size: 62 * GiB - 1 * MiB,
    ok: true,
    slots: [66, 127],
    flush: [0x08400000, 0x7c00000],
  },
  // end 64 GiB → 65: slots 66–128, 63 slots = 0x7E00000; 128 is VMAP and has no RAM
  {
    name: '62 GiB at 2 GiB',
    base: 0x80000000,
    size: 62 * GiB,
    ok: true,
    slots: [66, 128],
    flush: [0x08400000, 0x7e00000],
    overrun: { slots: [128], region: 'VMAP' },
    extra: [128],
  },
  // end 65 GiB → 66: slots 66–129 (64 slots = 0x8000000); 128 holds RAM 64–65 GiB, 129 extra
  {
    name: '63 GiB at 2 GiB',
    base: 0x80000000,
    size: 63 * GiB,
    ok: true,
    slots: [66, 129],
    flush: [0x08400000, 0x8000000],
    overrun: { slots: [128, 129], region: 'VMAP' },
    extra: [129],
  },
  // end 66 GiB → 67: slots 66–130 (65 slots = 0x8200000)
  {
    name: '64 GiB at 2 GiB',
    base: 0x80000000,
    size: 64 * GiB,
    ok: true,
    slots: [66, 130],
    flush: [0x08400000, 0x8200000],
    overrun: { slots: [128, 129, 130], region: 'VMAP' },
    extra: [130],
  },
  // required = (64 GiB + 4 KiB) >> 9 = 0x8000000 + 8 = 0x8000008 > avail 0x8000000
  {
    name: '64 GiB + 4 KiB at 2 GiB',
    base: 0x80000000,
    size: 64 * GiB + 4 * KiB,
    ok: false,
    message: 'Available VLPT is small for domU guest(avail: 8000000, required: 8000008)',
  },
  // what-if bases [A]
  { name: '1 GiB at 0', base: 0, size: 1 * GiB, ok: true, slots: [64, 65], flush: [0x08000000, 0x400000], extra: [65] },
  // start 62, end 63 GiB → 64: slots 126–127; 126 << 21 = 0x0FC00000
  {
    name: '1 GiB at 62 GiB',
    base: 62 * GiB,
    size: 1 * GiB,
    ok: true,
    slots: [126, 127],
    flush: [0x0fc00000, 0x400000],
    extra: [127],
  },
  // start 63 → slot 127 (0x0FE00000); end 64 GiB → 65: slot 128 by the +1 alone
  {
    name: '1 GiB at 63 GiB',
    base: 63 * GiB,
    size: 1 * GiB,
    ok: true,
    slots: [127, 128],
    flush: [0x0fe00000, 0x400000],
    overrun: { slots: [128], region: 'VMAP' },
    extra: [128],
  },
  // start 800 → slot 864 (864 << 21 = 0x6C000000); end 801 GiB → 802: slots 864–865
  {
    name: '1 GiB at 800 GiB',
    base: 800 * GiB,
    size: 1 * GiB,
    ok: true,
    slots: [864, 865],
    flush: [0x6c000000, 0x400000],
    overrun: { slots: [864, 865], region: 'XENHEAP' },
    extra: [865],
    tree: '9a80d50',
  },
  // start 894 → 958 (0x77C00000); end 958 GiB → 959; 64 + 959 = 1023 < 1024 passes; 65 slots
  {
    name: '64 GiB at 894 GiB',
    base: 894 * GiB,
    size: 64 * GiB,
    ok: true,
    slots: [958, 1022],
    flush: [0x77c00000, 0x8200000],
    overrun: { slots: range(958, 1022), region: 'XENHEAP' },
    extra: [1022],
    tree: '9a80d50',
  },
  // end 959 GiB → 960: 64 + 960 = 1024 >= 1024
  {
    name: '64 GiB at 895 GiB',
    base: 895 * GiB,
    size: 64 * GiB,
    ok: false,
    message: 'xen second page is small for VLPT for domU',
    tree: '9a80d50',
  },
  // end 960 GiB → 961: 1025
  {
    name: '64 GiB at 896 GiB',
    base: 896 * GiB,
    size: 64 * GiB,
    ok: false,
    message: 'xen second page is small for VLPT for domU',
    tree: '9a80d50',
  },
];

function xenSecond(s: Session, slot: number): bigint {
  const e = new Uint32Array(2);
  s.sys.xenSecondRead(slot, e);
  return (BigInt(e[0]!) << 32n) | BigInt(e[1]!);
}
function guestL1(s: Session, i: number): bigint {
  const m = s.dom.rootMfn + (i >>> 9);
  return (BigInt(s.sys.mem.readHi(m, i & 511)) << 32n) | BigInt(s.sys.mem.readLo(m, i & 511));
}

describe('doc §9.3: prepare_vlpt rows', () => {
  it.each(ROWS.map((r) => [r.name, r] as const))('%s', (_n, row) => {
    const s = createSession({ ramBase: row.base, ramSize: row.size, ...(row.tree ? { tree: row.tree } : {}) });
    const p = s.prepare!;
    expect(p.trap).toBeNull();
    if (!row.ok) {
      expect(p.result).toBe(-12);
      expect(p.message).toBe(row.message);
      expect(p.slotsWritten).toEqual([]);
      expect(p.flushes).toEqual([]);
      // start/end unchanged (0/0), no allocation, xen_second exactly as booted
      expect([s.dom.dirty.secondLvlStart, s.dom.dirty.secondLvlEnd]).toEqual([0, 0]);
      expect(s.dom.dirty.secondLvl).toEqual([0, 0]);
      for (let slot = 0; slot < 1024; slot++) {
        const boot = s.sys.bootEntry(slot)!;
        expect(xenSecond(s, slot)).toBe((BigInt(boot[0]) << 32n) | BigInt(boot[1]));
      }
      expect(s.findings.find((f) => f.id === 'window-overrun')).toBeUndefined();
      expect(s.findings.find((f) => f.id === 'extra-slot')).toBeUndefined();
      return;
    }
    const [a, z] = row.slots!;
    expect(p.result).toBe(0);
    expect(p.message).toBeNull();
    expect(p.printk).toEqual([]);
    expect(p.slotsWritten).toEqual(range(a, z));
    expect(p.shadowWritten).toEqual(range(a, z));
    expect([s.dom.dirty.secondLvlStart, s.dom.dirty.secondLvlEnd]).toEqual([a, z + 1]);
    expect(p.flushes).toEqual([{ va: row.flush![0], size: row.flush![1] }]);
    // xen_second[64 + i] = guest L1[i]
    for (let slot = a; slot <= z; slot++) expect(xenSecond(s, slot)).toBe(guestL1(s, slot - 64));
    // findings
    const over = s.findings.find((f) => f.id === 'window-overrun');
    if (row.overrun) {
      expect(over).toBeDefined();
      expect(over!.severity).toBe('error');
      expect(over!.slots).toEqual(row.overrun.slots);
      expect(over!.regions).toEqual([row.overrun.region]);
    } else expect(over).toBeUndefined();
    const extra = s.findings.find((f) => f.id === 'extra-slot');
    if (row.extra) {
      expect(extra).toBeDefined();
      expect(extra!.slots).toEqual(row.extra);
      // an extra slot copies an invalid L1 entry (no RAM in that GiB)
      for (const slot of row.extra) expect(xenSecond(s, slot) & 1n).toBe(0n);
    } else expect(extra).toBeUndefined();
  });
});

describe('doc §9.3: dprintk texts', () => {
  it('first check: message without newline, printk keeps "\\n", file:line prefix, no space before "("', () => {
    const s = createSession({ ramSize: 64 * GiB + 4 * KiB });
    const p = s.prepare!;
    expect(p.message).toBe('Available VLPT is small for domU guest(avail: 8000000, required: 8000008)');
    expect(p.printk).toHaveLength(1);
    expect(p.printk[0]!.level).toBe('<0>'); // XENLOG_ERR
    // mm.c line 1384: the hunk @@ +1328,118 puts the dprintk on its 57th line (1328 + 56)
    expect(p.printk[0]!.text).toBe(
      'mm.c:1384: Available VLPT is small for domU guest(avail: 8000000, required: 8000008)\n',
    );
  });
  it('second check: no newline anywhere', () => {
    const s = createSession({ ramBase: 895 * GiB, ramSize: 64 * GiB, tree: '9a80d50' });
    const p = s.prepare!;
    expect(p.result).toBe(-12);
    expect(p.message).toBe('xen second page is small for VLPT for domU');
    // mm.c line 1397 (1328 + 69)
    expect(p.printk).toEqual([{ level: '<0>', text: 'mm.c:1397: xen second page is small for VLPT for domU' }]);
  });
  it('the second check is also reached with a tiny guest at 959 GiB (64 + 960 = 1024)', () => {
    const s = createSession({ ramBase: 959 * GiB, ramSize: 4 * KiB, tree: '9a80d50' });
    expect(s.prepare!.result).toBe(-12);
    expect(s.prepare!.message).toBe('xen second page is small for VLPT for domU');
  });
  it('and a 4 KiB guest at 958 GiB still passes (end_idx 959: 64 + 959 = 1023 < 1024)', () => {
    // start_idx 958 → slots [64 + 958, 64 + 959) = [1022]
    const s = createSession({ ramBase: 958 * GiB, ramSize: 4 * KiB, tree: '9a80d50' });
    expect(s.prepare!.result).toBe(0);
    expect(s.prepare!.slotsWritten).toEqual([1022]);
  });
});

describe('doc §9.3: 800 GiB row index pairs and the shadow', () => {
  it('first (l,k,l2,k2) = 1,288,1,352 and last = 1,289,1,353: shadow page 1 mirrors guest root page 1', () => {
    const s = createSession({ ramBase: 800 * GiB, ramSize: 1 * GiB, tree: '9a80d50' });
    const shadow1 = s.dom.dirty.secondLvlMfn! + 1;
    const rootPage1 = s.dom.rootMfn + 1;
    for (const [k, k2] of [
      [288, 352],
      [289, 353],
    ] as const) {
      expect(s.sys.mem.readLo(shadow1, k2)).toBe(s.sys.mem.readLo(rootPage1, k));
      expect(s.sys.mem.readHi(shadow1, k2)).toBe(s.sys.mem.readHi(rootPage1, k));
    }
    // entry 288 of root page 1 is L1[800]: valid (RAM), 289 invalid (the +1)
    expect(s.sys.mem.readLo(rootPage1, 288) & 3).toBe(3);
    expect(s.sys.mem.readLo(rootPage1, 289) & 1).toBe(0);
  });
});

describe('flush_vlpt: one TLBIMVAH per 4 KiB, on the executing pCPU only (doc §8)', () => {
  it('512 MiB guest: 0x200000 / 4 KiB = 512 invalidations on pCPU0, none on pCPU1', () => {
    const s = createSession({ cpus: 2 });
    const before1 = s.sys.cpu(1).mmu.stats.tlbiMva;
    const r = flushVlpt(s.sys, s.dom, 0);
    expect(r.flushes).toEqual([{ va: 0x08400000, size: 0x200000 }]);
    expect(r.stats.tlbiMva).toBe(512);
    expect(r.stats.dsb).toBe(2);
    expect(r.stats.isb).toBe(1);
    expect(s.sys.cpu(1).mmu.stats.tlbiMva).toBe(before1);
  });
  it('64 GiB guest: 65 slots × 512 = 33280 invalidations', () => {
    const s = createSession({ ramSize: 64 * GiB });
    expect(flushVlpt(s.sys, s.dom, 0).stats.tlbiMva).toBe(65 * 512);
  });
});
