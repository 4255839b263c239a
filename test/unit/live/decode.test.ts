// The live decoder on a memory image recorded from Debian Xen 4.17.7 armhf in QEMU (scripts/live-capture.py,
// test/fixtures/live/armhf-running.*). Expected values: the raw entries as gdb printed them during the capture
// (x/gx in physical mode), and hand arithmetic on them (index = GPA >> shift & 511, output = base + offset).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeStage2,
  findXenSecond,
  parseReg64,
  readTable,
  seedVlpt,
  tableEntry,
  translate,
  usedEntries,
  type ReadPhys,
} from '../../../src/core/live/decode';
import { InputError } from '../../../src/core/errors';

const dir = join(__dirname, '../../fixtures/live');
const meta = JSON.parse(readFileSync(join(dir, 'armhf-running.json'), 'utf8'));
const bin = readFileSync(join(dir, 'armhf-running.bin'));
const pages = new Map<number, number>(meta.pages.map((p: string, i: number) => [Number(p), i]));
const read: ReadPhys = async (addr, len) => {
  const out = new Uint8Array(len);
  for (let done = 0; done < len;) {
    const at = addr + done;
    const off = at % 4096;
    const i = pages.get(at - off);
    if (i === undefined) throw new InputError(`no page ${(at - off).toString(16)} in the image`);
    const n = Math.min(len - done, 4096 - off);
    out.set(bin.subarray(i * 4096 + off, i * 4096 + off + n), done);
    done += n;
  }
  return out;
};
const vttbr = parseReg64(meta.registers.VTTBR, 'VTTBR');
const vtcr = parseReg64(meta.registers.VTCR, 'VTCR', 32).lo;
const s2 = decodeStage2('armhf', vttbr, vtcr);

describe('registers', () => {
  it('VTTBR 0x10000bbffa000 + VTCR 0x80003558: VMID 1, 40-bit IPA from level 1, root of 2 pages', () => {
    expect(s2).toEqual({ vmid: 1, rootPa: 0xbbffa000, t0sz: -8, ipaBits: 40, sl0: 1, startLevel: 1, rootPages: 2 });
  });
  it('arm64 VTCR_EL2 0x80043594 (FEASIBILITY.md): T0SZ 20, 44-bit IPA from level 0, one root page', () => {
    const a = decodeStage2('arm64', parseReg64('0x10000bffc4000', 'VTTBR_EL2'), 0x80043594);
    expect(a).toEqual({ vmid: 1, rootPa: 0xbffc4000, t0sz: 20, ipaBits: 44, sl0: 2, startLevel: 0, rootPages: 1 });
  });
  it('a sign-extended arm32 register is masked; junk is one InputError line', () => {
    expect(parseReg64('0xffffffff800f005a', 'cpsr', 32)).toEqual({ hi: 0, lo: 0x800f005a });
    expect(() => parseReg64('<unavailable>', 'VTTBR')).toThrow(/VTTBR: "<unavailable>" is not a register value/);
  });
});

describe('Xen stage 1', () => {
  it('xen_second is found from HTTBR: symbol 0x319000 + phys_offset (HTTBR 0x4012a000 - cpu0_pgtable 0x31a000)', async () => {
    const r = await findXenSecond(read, 'armhf', parseReg64(meta.registers.HTTBR, 'HTTBR'));
    expect(r.pa).toBe(0x319000 + (0x4012a000 - 0x31a000));
    expect(r.walk.steps[0]!.entry.raw).toBe('0x0000000040129f7f');
    // Xen's image (VA 0x00200000) is slot 1 of xen_second, a table of 4 KiB pages
    expect(r.walk.steps[1]!.index).toBe(1);
    expect(r.walk.steps[1]!.entry.state).toBe('table');
    const second = await readTable(read, 'xen', r.pa!, 2, 0);
    expect(usedEntries(second).map((e) => e.index)).toEqual([1, 2, 16, 17, 18, 19, 20, 21, 22, 23, 128, 129, 130]);
    // slot 16: a 2 MiB frametable block at 32 MiB mapping 0xba000000
    const e16 = tableEntry(second, 16);
    expect([e16.state, e16.input, e16.pa]).toEqual(['block', 0x02000000, 0xba000000]);
  });
});

describe('the live p2m', () => {
  it('root entries are level-1 tables of type p2m_ram_rw (bits 58:55 = 1)', async () => {
    const root = await readTable(read, 'p2m', s2.rootPa, 1, 0, 2);
    expect(root.count).toBe(1024);
    const used = usedEntries(root);
    expect(used.map((e) => [e.index, e.raw, e.state, e.pa])).toEqual([
      [0, '0x00800000bbfe97ff', 'table', 0xbbfe9000],
      [1, '0x00800000bbfe67ff', 'table', 0xbbfe6000],
    ]);
    expect(used[0]!.p2mType).toBe('p2m_ram_rw');
  });
  it('dom0 GPA 0x60200000: L1[1] table, L2[257] valid 2 MiB block, machine address 0x60200000 (1:1)', async () => {
    const w = await translate(read, 'p2m', s2, 0x60200000, s2.ipaBits);
    expect(w.steps.map((s) => [s.level, s.index, s.entry.raw])).toEqual([
      [1, 1, '0x00800000bbfe67ff'],
      [2, 257, '0x00800000602007fd'],
    ]);
    expect([w.output, w.mfn, w.throughInvalidated]).toEqual([0x60200000, 0x60200, false]);
  });
  it('GPA 0x60000000: L2[256] 0x...600007fc is invalidated (valid clear, rest intact), not empty', async () => {
    const w = await translate(read, 'p2m', s2, 0x60001234, s2.ipaBits);
    const e = w.steps[1]!.entry;
    expect([e.index, e.state, e.shape, e.p2mType]).toEqual([256, 'invalidated', 'block', 'p2m_ram_rw']);
    expect([w.output, w.throughInvalidated]).toEqual([0x60001234, true]);
  });
  it('a level-3 page: GPA 0x62001234 through L2[272] -> L3[1] 0x...620017ff -> 0x62001234', async () => {
    const w = await translate(read, 'p2m', s2, 0x62001234, s2.ipaBits);
    expect(w.steps.map((s) => [s.level, s.index, s.tablePa])).toEqual([
      [1, 1, 0xbbffa000],
      [2, 272, 0xbbfe6000],
      [3, 1, 0xbbe6a000],
    ]);
    expect(w.steps[2]!.entry.state).toBe('page');
    expect(w.output).toBe(0x62001234);
  });
  it('not 1:1: GPA 0x40010000 (L3[16] of the table at 0xbbe69000) is machine 0xbc011000', async () => {
    const w = await translate(read, 'p2m', s2, 0x40010008, s2.ipaBits);
    expect([w.steps[2]!.entry.raw, w.output, w.mfn]).toEqual(['0x00800000bc0117ff', 0xbc011008, 0xbc011]);
  });
  it('GIC: GPA 0x08011000 is an invalidated p2m_mmio_direct_dev page onto 0x08041000 (xn set)', async () => {
    const w = await translate(read, 'p2m', s2, 0x08011000, s2.ipaBits);
    const e = w.steps[2]!.entry;
    expect([w.steps[1]!.index, e.index, e.raw, e.state, e.p2mType]).toEqual([
      64,
      17,
      '0x01c00000080416c6',
      'invalidated',
      'p2m_mmio_direct_dev',
    ]);
    expect(w.output).toBe(0x08041000);
  });
  it('an empty root entry stops the walk with its reason; a GPA past 40 bits is an InputError', async () => {
    const w = await translate(read, 'p2m', s2, 0x90000000, s2.ipaBits);
    expect([w.output, w.stop]).toEqual([null, 'level 1 entry 2 is empty']);
    await expect(translate(read, 'p2m', s2, 2 ** 40, s2.ipaBits)).rejects.toThrow(/outside the 40-bit input range/);
  });
});

describe("the seed's VLPT against the live xen_second", () => {
  it('GPA 0x60000000 -> 0x08000000 + 0x60000 * 8 = 0x08300000, slot 65, which is free in 4.17', async () => {
    const v = seedVlpt(0x60000000);
    expect(v).toEqual({ va: 0x08300000, wrapped: false, slot: 65 });
    const second = await readTable(read, 'xen', 0x40129000, 2, 0);
    expect(tableEntry(second, v.slot).state).toBe('empty');
  });
});

describe('arm64 (captured at leave_hypervisor_to_guest, so VTTBR_EL2 holds dom0 and not the idle VMID 0 root)', () => {
  const m64 = JSON.parse(readFileSync(join(dir, 'arm64-guest-entry.json'), 'utf8'));
  const b64 = readFileSync(join(dir, 'arm64-guest-entry.bin'));
  const idx = new Map<number, number>(m64.pages.map((p: string, i: number) => [Number(p), i]));
  const read64: ReadPhys = async (addr, len) => {
    const off = addr % 4096;
    const i = idx.get(addr - off);
    if (i === undefined || off + len > 4096) throw new InputError(`no page for ${addr.toString(16)} in the image`);
    return new Uint8Array(b64.subarray(i * 4096 + off, i * 4096 + off + len));
  };
  const s = decodeStage2('arm64', parseReg64(m64.registers.VTTBR_EL2, 'VTTBR_EL2'), 0x80043594);
  it('xen_second = symbol 0x329000 + phys_offset 0x40000000 (TTBR0_EL2 0x4032b000 - xen_pgtable 0x32b000)', async () => {
    const r = await findXenSecond(read64, 'arm64', parseReg64(m64.registers.TTBR0_EL2, 'TTBR0_EL2'));
    expect(r.pa).toBe(0x40329000);
    expect(r.walk.steps.map((x) => x.level)).toEqual([0, 1, 2, 3]);
  });
  it('dom0 GPA 0x60200000: L0[0], L1[1], L2[257] 0x...602007fd, machine 0x60200000', async () => {
    const w = await translate(read64, 'p2m', s, 0x60200000, s.ipaBits);
    expect(w.steps.map((x) => [x.level, x.index, x.entry.raw])).toEqual([
      [0, 0, '0x00800000bffa17ff'],
      [1, 1, '0x00800000bffa07ff'],
      [2, 257, '0x00800000602007fd'],
    ]);
    expect(w.output).toBe(0x60200000);
  });
});
