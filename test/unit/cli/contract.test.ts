/**
 * The CLI contract of issue 3: exit codes (0 when the emulation ran, whatever it returned; 2 on
 * bad input with exactly one stderr line naming the argument), and the JSON keys and value
 * formats of resolve, va, prepare and slots. Expected values from the reference doc (§9).
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function run(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    readFile: () => {
      throw new Error('no files in these tests');
    },
  });
  return { code, out, err };
}
async function runJson(...argv: string[]): Promise<unknown> {
  const r = await run(...argv);
  expect(r.err).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.out).toHaveLength(1);
  return JSON.parse(r.out[0]!);
}

const HEX = /^0x[0-9a-f]+$/;
const RAW = /^0x[0-9a-f]{16}$/;

/** exactly one stderr line, naming `arg`, nothing on stdout, exit 2 */
function expectBadInput(r: Run, arg: string): void {
  expect(r.code).toBe(2);
  expect(r.out).toEqual([]);
  expect(r.err).toHaveLength(1);
  const line = r.err[0]!.replace(/\n$/, '');
  expect(line).not.toContain('\n');
  expect(line).toContain(arg);
  expect(line).not.toMatch(/\bat .*\(.*:\d+:\d+\)/); // no stack trace
}

describe('exit 2 with one stderr line naming the bad argument', () => {
  it('a GPA ≥ 2^40', async () => {
    expectBadInput(await run('resolve', '0x10000000000'), '0x10000000000');
    expectBadInput(await run('resolve', '0x10000000000'), 'GPA');
  });
  it('a malformed GPA 0xZZ', async () => {
    expectBadInput(await run('resolve', '0xZZ'), '0xZZ');
  });
  it('a malformed GPA among good ones', async () => {
    expectBadInput(await run('resolve', '0x80001000', '0x8000_0000_', '--json'), '0x8000_0000_');
  });
  it('--ram-size 0', async () => {
    expectBadInput(await run('resolve', '0x80001000', '--ram-size', '0'), '--ram-size');
    expectBadInput(await run('prepare', '--ram-size', '0'), '--ram-size');
  });
  it('--ram-size 4097 (not a multiple of 4 KiB)', async () => {
    expectBadInput(await run('prepare', '--ram-size', '4097'), '--ram-size');
  });
  it('a RAM range past 40 bits', async () => {
    // 0xFF00000000 + 8 GiB = 0x10100000000 > 2^40
    const r = await run('prepare', '--ram-base', '0xff00000000', '--ram-size', '8G');
    expectBadInput(r, '--ram-base');
    expect(r.err[0]).toContain('--ram-size');
  });
  it('guest RAM reaching past 512 GiB on tree ac6e1ae (create_p2m_entries BUG_ONs on GPA bit 39, doc §5)', async () => {
    // 511 GiB + 2 GiB = 513 GiB > 512 GiB = 0x8000000000
    const r = await run('prepare', '--ram-base', '511G', '--ram-size', '2G');
    expectBadInput(r, '--ram-base/--ram-size');
    expect(r.err[0]).toContain('512 GiB');
    expect(r.err[0]).toContain('ac6e1ae');
    // BUG_ON(end_gpaddr & 0x8000000000ULL) on the exclusive end: 511 GiB + 1 GiB ends at 0x8000000000 → refused;
    // 511 GiB + (1 GiB − 4 KiB) ends at 0x7FFFFFF000 → mappable (L1 index 511 is the last entry of root page 0)
    expectBadInput(await run('prepare', '--ram-base', '511G', '--ram-size', '1G'), '--ram-base/--ram-size');
    expect((await run('prepare', '--ram-base', '511G', '--ram-size', '0x3FFFF000', '--json')).code).toBe(0);
    // … and 9a80d50 maps all 40 bits
    expect((await run('prepare', '--ram-base', '511G', '--ram-size', '2G', '--tree', '9a80d50', '--json')).code).toBe(
      0,
    );
  });
  it('an unknown option', async () => {
    expectBadInput(await run('resolve', '0x80001000', '--frobnicate'), '--frobnicate');
    expectBadInput(await run('prepare', '--frobnicate'), '--frobnicate');
  });
  it('an unknown command', async () => {
    expectBadInput(await run('frobnicate'), 'frobnicate');
  });
  it('a --ram-size given as 0xZZ', async () => {
    expectBadInput(await run('slots', '--ram-size', '0xZZ'), '--ram-size');
  });
  it('a VA past 32 bits', async () => {
    expectBadInput(await run('va', '0x100000000'), '0x100000000');
  });
});

describe('numbers in: hex with underscores and ULL, decimal, K/M/G sizes', () => {
  it('0x8000_1000ULL and 2147487744 are GPA 0x80001000; 512M is 0x20000000', async () => {
    const a = (await runJson('resolve', '0x8000_1000ULL', '2147487744', '--ram-size', '512M', '--json')) as Array<{
      gpa: string;
    }>;
    expect(a.map((x) => x.gpa)).toEqual(['0x80001000', '0x80001000']);
  });
});

describe('resolve --json', () => {
  it('one object per GPA with the contract keys, for 0x80001000 (doc §9.1)', async () => {
    const a = (await runJson('resolve', '0x80001000', '0x0', '--json')) as Array<Record<string, any>>;
    expect(a).toHaveLength(2);
    const r = a[0]!;
    for (const k of [
      'gpa',
      'gfn',
      'vlptVa',
      'xenSecondSlot',
      'region',
      'p2mIndex',
      'steps',
      'descriptor',
      'fault',
      'agrees',
    ])
      expect(r).toHaveProperty(k);
    expect(r.gpa).toBe('0x80001000');
    expect(r.gfn).toBe('0x80001');
    expect(r.vlptVa).toBe('0x8400008');
    expect(r.xenSecondSlot).toBe(66);
    expect(r.region).toBe('VIRT_LIN_P2M');
    expect(r.p2mIndex).toMatchObject({ first: 2, second: 0, third: 1 });
    for (const v of [r.p2mIndex.first, r.p2mIndex.second, r.p2mIndex.third, r.xenSecondSlot])
      expect(Number.isInteger(v)).toBe(true);
    expect(r.steps).toHaveLength(3);
    for (const st of r.steps) {
      expect(Number.isInteger(st.level)).toBe(true);
      expect(Number.isInteger(st.index)).toBe(true);
      expect(st.raw).toMatch(RAW);
      expect(st.table).toMatch(HEX);
      expect(st.entryAddress).toMatch(HEX);
    }
    // leaf 0x6FF | 0x1000001 << 12 (model: mfn = 0x1000000 + gfn − 0x80000)
    expect(r.descriptor).toMatchObject({ raw: '0x00000010000016ff', valid: true, mfn: '0x1000001' });
    expect(r.descriptor).toHaveProperty('type');
    expect(r.fault).toBeNull();
    expect(r.agrees).toBe(true);
    for (const k of ['gpa', 'gfn', 'vlptVa']) expect(r[k]).toMatch(HEX);
    // 0x0: slot 64 never written → level-2 translation fault; unmapped leaf
    const z = a[1]!;
    expect(z.fault).toEqual({ level: 2, kind: 'translation' });
    expect(z.descriptor.valid).toBe(false);
    expect(z.vlptVa).toBe('0x8000000');
    expect(z.agrees).toBe(true);
  });
  it('--tree 9a80d50 gives the typed leaf 0x00800000000006FF | pa', async () => {
    const [r] = (await runJson('resolve', '0x80001000', '--tree', '9a80d50', '--json')) as Array<Record<string, any>>;
    expect(r!.descriptor).toMatchObject({ raw: '0x00800010000016ff', valid: true, type: 'p2m_ram_rw' });
  });
  it('0x1000000000 is outside the window: VMAP, slot 128, agrees false (no-range-check)', async () => {
    const [r] = (await runJson('resolve', '0x1000000000', '--json')) as Array<Record<string, any>>;
    expect(r).toMatchObject({ vlptVa: '0x10000000', xenSecondSlot: 128, region: 'VMAP', agrees: false });
  });
  it('without --json: exit 0 and a human table', async () => {
    const r = await run('resolve', '0x80001000');
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out.join('\n')).toContain('0x80001000');
  });
});

describe('va --json', () => {
  it('0x08400008: VIRT_LIN_P2M, slot 66, PTE of gfn 0x80001 (doc §9.2)', async () => {
    const r = (await runJson('va', '0x08400008', '--json')) as Record<string, any>;
    expect(r.region).toBe('VIRT_LIN_P2M');
    expect(r.xenSecondSlot).toBe(66);
    expect(r.gpa).toMatchObject({ start: '0x80001000', end: '0x80002000', gfn: '0x80001' });
  });
  it('0x10000000: VMAP slot 128, no GPA; 0x80000000: DOMHEAP, no xen_second slot', async () => {
    expect(await runJson('va', '0x10000000', '--json')).toMatchObject({
      region: 'VMAP',
      xenSecondSlot: 128,
      gpa: null,
    });
    expect(await runJson('va', '0x80000000', '--json')).toMatchObject({
      region: 'DOMHEAP',
      xenSecondSlot: null,
      gpa: null,
    });
  });
});

describe('prepare --json', () => {
  it('default 512 MiB at 2 GiB (doc §9.3 row 1)', async () => {
    const r = (await runJson('prepare', '--json')) as Record<string, any>;
    expect(r).toMatchObject({
      result: 0,
      message: null,
      secondLvlStart: 66,
      secondLvlEnd: 67,
      slotsWritten: [66],
      flush: { va: '0x8400000', size: '0x200000' },
    });
    expect(Array.isArray(r.findings)).toBe(true);
    for (const f of r.findings) {
      expect(Object.keys(f).sort()).toEqual(['id', 'message', 'regions', 'severity', 'slots']);
      expect(typeof f.id).toBe('string');
      expect(['error', 'warning', 'info']).toContain(f.severity);
      for (const s of f.slots) expect(Number.isInteger(s)).toBe(true);
      for (const g of f.regions) expect(typeof g).toBe('string');
      expect(typeof f.message).toBe('string');
    }
  });
  it('62 GiB at 2 GiB: the RAM fits (last PTE 0x0FFFFFF8, slot 127); slot 128 comes from the +1 alone (issue 13 item 10)', async () => {
    // RAM 0x80000000–0x1000000000: last gfn 0xFFFFFF → VA 0x08000000 + 0xFFFFFF * 8 = 0x0FFFFFF8 (doc §9.1);
    // end_index = (0x1000000000 >> 30) + 1 = 65 → slots 66–128; guest L1[64] holds no RAM
    const r = (await runJson('prepare', '--ram-size', '62G', '--json')) as Record<string, any>;
    expect(r.ramPtes).toEqual({ firstVa: '0x8400000', lastVa: '0xffffff8', firstSlot: 66, lastSlot: 127 });
    expect(r.slotsFromPlusOne).toEqual([128]);
    const over = (r.findings as Array<any>).find((f) => f.id === 'window-overrun');
    expect(over.slots).toEqual([128]);
    expect(over.message).toContain('its last PTE is at VA 0x0ffffff8 (slot 127, VIRT_LIN_P2M)');
    expect(over.message).toContain('written only by the "+ 1" in gp2m_end_index');
    expect(over.message).not.toMatch(/needs PTEs up to VA 0x10000000/);
    const text = await run('prepare', '--ram-size', '62G');
    expect(text.out.join('\n')).toContain(
      'RAM PTEs: VA 0x08400000–0x0ffffff8 (slots 66–127); written only by the "+ 1" of',
    );
  });
  it('63 GiB at 2 GiB: the RAM itself needs slot 128, only slot 129 comes from the +1', async () => {
    // end 65 GiB: last gfn (0x1040000000 − 1) >> 12 = 0x103FFFF → VA 0x08000000 + 0x81FFFF8 = 0x101FFFF8 (slot 128)
    const r = (await runJson('prepare', '--ram-size', '63G', '--json')) as Record<string, any>;
    expect(r.ramPtes).toMatchObject({ lastVa: '0x101ffff8', lastSlot: 128 });
    expect(r.slotsFromPlusOne).toEqual([129]);
    const over = (r.findings as Array<any>).find((f) => f.id === 'window-overrun');
    expect(over.message).toContain(
      'has PTEs up to VA 0x101ffff8 (slot 128, VMAP), past the window end 0x10000000; slot 129 is written only by the "+ 1"',
    );
  });
  it('1 GiB at 63 GiB: window-overrun into VMAP by the +1 alone, extra-slot 128 (doc §9.3)', async () => {
    const r = (await runJson('prepare', '--ram-base', '63G', '--ram-size', '1G', '--json')) as Record<string, any>;
    expect(r).toMatchObject({
      result: 0,
      secondLvlStart: 127,
      secondLvlEnd: 129,
      slotsWritten: [127, 128],
      flush: { va: '0xfe00000', size: '0x400000' },
    });
    const byId = Object.fromEntries((r.findings as Array<any>).map((f) => [f.id, f]));
    expect(byId['window-overrun']).toMatchObject({ severity: 'error', slots: [128], regions: ['VMAP'] });
    expect(byId['extra-slot']).toMatchObject({ slots: [128] });
  });
  it('-12 is a run, not an error: exit 0 with the message (4 KiB at 959 GiB: 64 + 960 = 1024; tree 9a80d50)', async () => {
    const r = (await runJson(
      'prepare',
      '--ram-base',
      '959G',
      '--ram-size',
      '4K',
      '--tree',
      '9a80d50',
      '--json',
    )) as Record<string, any>;
    expect(r).toMatchObject({
      result: -12,
      message: 'xen second page is small for VLPT for domU',
      secondLvlStart: 0,
      secondLvlEnd: 0,
      slotsWritten: [],
      flush: null,
    });
    expect((r.findings as Array<any>).map((f) => f.id)).toContain('second-check-array');
  });
  it('-12 from the size check: exit 0 with "Available VLPT is small…" (64 GiB + 4 KiB)', async () => {
    const r = (await runJson('prepare', '--ram-size', '0x10_0000_1000', '--json')) as Record<string, any>;
    expect(r).toMatchObject({
      result: -12,
      message: 'Available VLPT is small for domU guest(avail: 8000000, required: 8000008)',
    });
  });
  it('without --json: exit 0', async () => {
    const r = await run('prepare', '--ram-base', '959G', '--ram-size', '4K', '--tree', '9a80d50');
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
  });
});

describe('slots --json', () => {
  it('1024 entries, slot k at VA k × 2 MiB; slot 66 written by prepare, slot 128 VMAP', async () => {
    const a = (await runJson('slots', '--json')) as Array<Record<string, any>>;
    expect(a).toHaveLength(1024);
    a.forEach((s, k) => {
      expect(s.slot).toBe(k);
      expect(s.va).toBe('0x' + (k * 0x200000).toString(16));
      expect(s.raw).toMatch(RAW);
    });
    expect(a[66]).toMatchObject({ region: 'VIRT_LIN_P2M', vlpt: true, valid: true });
    expect(a[67]).toMatchObject({ vlpt: false, valid: false });
    expect(a[128]!.region).toBe('VMAP');
    expect(a[1023]!.region).toBe('XENHEAP');
    expect(a.filter((s) => s.vlpt).map((s) => s.slot)).toEqual([66]);
  });
});
