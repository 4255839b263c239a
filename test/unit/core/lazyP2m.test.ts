/**
 * Issue 13 item 5: declared guest RAM costs its level-2 tables, not its level-3 pages. The p2m's
 * level-3 tables are allocated (their MFNs are Xen's order) but filled only when first touched.
 * Expected values by hand from the model's frame rule (src/core/p2m.ts header, doc [A]):
 * mfn = mfnBase + (gfn − ramBase/4 KiB), mfnBase 0x1000000 for d1 (host PA 64 GiB).
 */
import { describe, expect, it } from 'vitest';
import {
  buildGuest,
  createSession,
  p2mLeaf,
  p2mLookup,
  PhysMem,
  prepareVlpt,
  resolveGpa,
  XenSystem,
  InputError,
} from '../../../src/core';
import { readSettings } from '../../../src/extension/settings';

const GiB = 2 ** 30;

describe('PhysMem.defer: frames produced on first use', () => {
  const run = (first: number, count: number) => ({
    first,
    count,
    fill: (i: number, out: Uint32Array) => {
      out[0] = 0x1000 + i; // entry 0 lo
      out[1023] = 0xabc; // entry 511 hi
    },
  });

  it('reads as written, counts in framesInUse, takes memory only when touched', () => {
    const m = new PhysMem();
    m.defer(run(100, 10));
    expect(m.framesInUse).toBe(10);
    expect(m.framesResident).toBe(0);
    expect(m.readLo(103, 0)).toBe(0x1003);
    expect(m.readHi(103, 511)).toBe(0xabc);
    expect(m.readLo(99, 0)).toBe(0); // outside the run: never written
    expect(m.readLo(110, 0)).toBe(0);
    expect(m.framesResident).toBe(1);
    expect(m.framesInUse).toBe(10);
    // a write to an untouched frame keeps the rest of its contents
    m.write(107, 1, 0, 5);
    expect(m.readLo(107, 0)).toBe(0x1007);
    expect(m.readLo(107, 1)).toBe(5);
    expect(m.framesResident).toBe(2);
    expect(m.framesInUse).toBe(10);
    // clear_page of a declared frame zeroes it
    m.clear(108);
    expect(m.readLo(108, 0)).toBe(0);
    expect(m.framesInUse).toBe(10);
  });

  it('a frame written before it is declared keeps its writes and gets the run on top', () => {
    const m = new PhysMem();
    m.write(5, 3, 0, 7);
    m.defer(run(4, 3));
    expect(m.framesInUse).toBe(3);
    expect(m.readLo(5, 3)).toBe(7);
    expect(m.readLo(5, 0)).toBe(0x1001);
  });

  it('refuses overlapping runs and runs past the 28-bit frame space, in one line', () => {
    const m = new PhysMem();
    m.defer(run(100, 10));
    m.defer(run(10, 10)); // before it: sorted in
    expect(m.readLo(15, 0)).toBe(0x1005);
    expect(() => m.defer(run(109, 2))).toThrow(InputError);
    expect(() => m.defer(run(95, 6))).toThrow(/overlap another deferred run/);
    expect(() => m.defer(run(0x0fffffff, 2))).toThrow(/past the 28-bit frame space/);
  });
});

describe('a lazily built guest p2m answers exactly like the formula', () => {
  it('960 GiB on 9a80d50: built without its level-3 pages; lookups at the edges are exact', () => {
    const sys = new XenSystem({ tree: '9a80d50' });
    const before = sys.mem.framesResident;
    const d = buildGuest(sys, { ramBase: 0x80000000, ramSize: 960 * GiB });
    // 960 level-2 tables + the 2-page root resident; 960 × 512 level-3 tables declared
    expect(d.tables).toEqual({ l2: 960, l3: 960 * 512 });
    expect(sys.mem.framesResident - before).toBe(960 + 2);
    expect(sys.mem.framesInUse - before).toBe(960 + 2 + 960 * 512);
    // frames: 0xF000000 of them from 0x1000000 (0x1000000 + 0xF000000 = 2^28 fits exactly)
    const cases: Array<[number, number]> = [
      [0x80000000, 0x1000000000], // first page
      [0x80001234, 0x1000001234], // gfn 0x80001 → mfn 0x1000001
      [0xf07ffff000 + 0xff8, 0xfffffffff8], // last page: gfn 0xF07FFFF → mfn 0xFFFFFFF
      [0x4080201000, 0x5000201000], // a middle one: gfn 0x4080201 → mfn 0x1000000 + 0x4000201
    ];
    for (const [gpa, pa] of cases) expect(p2mLookup(sys, d, 0, gpa).pa, gpa.toString(16)).toBe(pa);
    expect(p2mLookup(sys, d, 0, 0x7ffff000).pa).toBe(-1); // below RAM
    // each lookup touched one level-3 table (the two first-page cases share one)
    expect(sys.mem.framesResident - before).toBe(960 + 2 + 3);
  });

  it('an unaligned bank plus the magic pages: every leaf of every table as the eager build wrote it', () => {
    const sys = new XenSystem();
    // starts 1 page into a 2 MiB chunk, ends 3 pages into one; the magic pages share RAM's last table
    const ramBase = 0x80001000;
    const ramSize = 2 * GiB + 3 * 4096 - 4096;
    const d = buildGuest(sys, { ramBase, ramSize, magicPages: true });
    const firstGfn = ramBase / 4096;
    const lastGfn = firstGfn + ramSize / 4096 + 2; // exclusive, magic pages included
    const out = new Uint32Array(2);
    let mapped = 0;
    for (let gfn = firstGfn - 512; gfn < lastGfn + 512; gfn++) {
      const level = p2mLeaf(sys, d, gfn * 4096, out);
      if (gfn >= firstGfn && gfn < lastGfn) {
        expect(level).toBe(3);
        const mfn = (out[0]! & 0xff) * 0x100000 + (out[1]! >>> 12);
        if (mfn !== 0x1000000 + (gfn - firstGfn)) expect([gfn, mfn]).toEqual([gfn, 0x1000000 + (gfn - firstGfn)]);
        if ((out[1]! & 3) !== 3) expect([gfn, out[1]! & 3]).toEqual([gfn, 3]);
        mapped++;
      } else if (level === 3 && out[1] !== 0) expect([gfn, out[1]]).toEqual([gfn, 0]);
    }
    expect(mapped).toBe(ramSize / 4096 + 2);
  });

  it('resolve through the VLPT materialises only the tables its walk reads', () => {
    const s = createSession({ ramSize: 62 * GiB });
    const resident = s.sys.mem.framesResident;
    const r = resolveGpa(s.sys, s.dom, 0, 0x80001000);
    expect(r.fault).toBeNull();
    expect([r.descriptor.pa, r.vlptEntry]).toEqual(['0x1000001000', '0x00000010000016ff']);
    expect(s.sys.mem.framesResident - resident).toBeLessThanOrEqual(1);
    // prepare_vlpt for a second 62 GiB guest reads only its root pages
    const b = buildGuest(s.sys, { ramBase: 0x80000000, ramSize: 62 * GiB }, 2);
    const r2 = s.sys.mem.framesResident;
    prepareVlpt(s.sys, b, 0);
    expect(s.sys.mem.framesResident - r2).toBeLessThan(8);
  });

  it('the same for RAM from the VS Code settings: 960 GiB builds and prepares without its level-3 pages', () => {
    const raw: Record<string, unknown> = { ramBase: '0x80000000', ramSize: '960G', tree: '9a80d50' };
    const { settings, warnings } = readSettings((k) => raw[k]);
    expect(warnings).toEqual([]);
    expect(settings.ramSize).toBe(960 * GiB);
    // what state.ts does with them
    const s = createSession({ ramBase: settings.ramBase, ramSize: settings.ramSize, tree: settings.tree });
    // 960 GiB needs 960 GiB / 4 KiB × 8 = 0x78000000 bytes of PTEs; the window has 0x8000000: -ENOMEM
    expect(s.prepare?.result).toBe(-12);
    expect(s.sys.mem.framesInUse - s.sys.mem.framesResident).toBeGreaterThan(960 * 500);
  });
});
