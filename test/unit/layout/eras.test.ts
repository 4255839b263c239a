/**
 * Every era of reference doc §11, both branches: no unknown macro, and the regions of the
 * doc's tables (exclusive ends and sizes by hand: MB(2) = 0x200000, GB(1) = 0x40000000,
 * SLOT0(n) = n << 39).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHeaders } from '../../../src/core/layout/header';
import { lintHeaders } from '../../../src/core/layout/lint';
import { layoutJson, layoutText } from '../../../src/core/layout/format';
import type { Arch } from '../../../src/core/layout/types';

const dir = new URL('../../fixtures/headers/', import.meta.url);
const file = (name: string) => ({ path: name, text: readFileSync(new URL(name, dir), 'utf8') });
type Row = [name: string, start: number, end: number, form: string];
const regions = (files: string[], arch: Arch) => {
  const l = parseHeaders(files.map(file), { arch });
  return { l, rows: l.regions.map((r): Row => [r.name, r.start, r.end, r.endForm]) };
};
const noUnknown = (w: string[]) =>
  expect(w.filter((x) => /unknown macro|cycle|cannot evaluate|#if|#endif|directive/.test(x))).toEqual([]);

const MiB = 0x100000;
const GiB = 0x40000000;
const S4 = 4 * 2 ** 39; // SLOT0(4) = 0x20000000000
const S20 = 20 * 2 ** 39; // SLOT0(20) = 0xA0000000000

// 2013-2021 arm32 tail (FRAMETABLE form varies): VMAP exclusive, XENHEAP/DOMHEAP inclusive
const ARM32_TAIL: Row[] = [
  ['VMAP', 0x10000000, 0x40000000, 'exclusive'],
  ['XENHEAP', 0x40000000, 0x80000000, 'inclusive'],
  ['DOMHEAP', 0x80000000, 0x100000000, 'inclusive'],
];
const COMMON_2013: Row[] = [
  ['XEN', 0x00200000, 0x00400000, 'comment'],
  ['FIXMAP', 0x00400000, 0x00600000, 'comment'],
  ['BOOT_FDT', 0x00600000, 0x00800000, 'comment'],
  ['BOOT_RELOC', 0x00800000, 0x00a00000, 'comment'],
];
const COMMON_2019: Row[] = [
  ['XEN', 0x00200000, 0x00400000, 'comment'],
  ['FIXMAP', 0x00400000, 0x00600000, 'comment'],
  ['BOOT_FDT', 0x00600000, 0x00a00000, 'exclusive'],
  ['BOOT_RELOC', 0x00a00000, 0x00c00000, 'comment'],
  ['LIVEPATCH_VMAP', 0x00a00000, 0x00c00000, 'exclusive'],
];
const DIRECTMAP_9: Row = ['DIRECTMAP', 0x800000000000, 0x848000000000, 'inclusive'];
const DIRECTMAP_10: Row = ['DIRECTMAP', 0x800000000000, 0x850000000000, 'inclusive'];

describe('2013 ac6e1ae', () => {
  it('arm32', () => {
    const { l, rows } = regions(['2013-ac6e1ae-config.h'], 'arm32');
    noUnknown(l.warnings);
    expect(rows).toEqual([...COMMON_2013, ['FRAMETABLE', 0x02000000, 0x08000000, 'comment'], ...ARM32_TAIL]);
  });
  it('arm64: VMAP, FRAMETABLE inclusive; DIRECTMAP 9 slots', () => {
    const { l, rows } = regions(['2013-ac6e1ae-config.h'], 'arm64');
    noUnknown(l.warnings);
    expect(rows).toEqual([
      ...COMMON_2013,
      ['VMAP', GiB, 2 * GiB, 'inclusive'],
      ['FRAMETABLE', 32 * GiB, 64 * GiB, 'inclusive'],
      DIRECTMAP_9,
    ]);
  });
});

describe('2015 47ec25a', () => {
  it('arm32: FRAMETABLE_VIRT_END 0x07FFFFFF inclusive', () => {
    const { l, rows } = regions(['2015-47ec25a-config.h'], 'arm32');
    noUnknown(l.warnings);
    expect(rows).toEqual([...COMMON_2013, ['FRAMETABLE', 0x02000000, 0x08000000, 'inclusive'], ...ARM32_TAIL]);
  });
  it('arm64: XENHEAP is the run-time xenheap_virt_start, reported', () => {
    const { l, rows } = regions(['2015-47ec25a-config.h'], 'arm64');
    noUnknown(l.warnings);
    expect(rows).toEqual([
      ...COMMON_2013,
      ['VMAP', GiB, 2 * GiB, 'inclusive'],
      ['FRAMETABLE', 32 * GiB, 64 * GiB, 'inclusive'],
      DIRECTMAP_9,
    ]);
    expect(l.warnings.some((w) => /XENHEAP_VIRT_START is a run-time value \(xenheap_virt_start\)/.test(w))).toBe(true);
  });
});

for (const [era, name] of [
  ['2019 0e623fa', '2019-0e623fa-config.h'],
  ['2021 f1e268b', '2021-f1e268b-config.h'],
] as const) {
  describe(era, () => {
    it('arm32: BOOT_FDT 4 MiB; BOOT_RELOC and LIVEPATCH_VMAP time-share 0x00A00000', () => {
      const { l, rows } = regions([name], 'arm32');
      noUnknown(l.warnings);
      expect(rows).toEqual([...COMMON_2019, ['FRAMETABLE', 0x02000000, 0x08000000, 'inclusive'], ...ARM32_TAIL]);
    });
    it('arm64: VMAP end exclusive since 2016', () => {
      const { l, rows } = regions([name], 'arm64');
      noUnknown(l.warnings);
      expect(rows).toEqual([
        ...COMMON_2019,
        ['VMAP', GiB, 2 * GiB, 'exclusive'],
        ['FRAMETABLE', 32 * GiB, 64 * GiB, 'inclusive'],
        DIRECTMAP_9,
      ]);
    });
  });
}

describe('2021: PAGE_SIZE comes from another header', () => {
  it('uses the 4096 default and says so', () => {
    const l = parseHeaders([file('2021-f1e268b-config.h')], { arch: 'arm32' });
    expect(l.warnings.some((w) => /PAGE_SIZE = 4096/.test(w))).toBe(true);
    const l19 = parseHeaders([file('2019-0e623fa-config.h')], { arch: 'arm32' });
    expect(l19.warnings.some((w) => /PAGE_SIZE/.test(w))).toBe(false);
  });
});

describe('2023 dc98fa7 (_SIZE idiom)', () => {
  it('arm32: DOMHEAP GB(2) + GB(2) = 2^32; TEMPORARY_* is not a region', () => {
    const { l, rows } = regions(['2023-dc98fa7-config.h'], 'arm32');
    noUnknown(l.warnings);
    expect(rows).toEqual([
      ['XEN', 0x00200000, 0x00400000, 'size'],
      ['FIXMAP', 0x00400000, 0x00600000, 'size'],
      ['BOOT_FDT', 0x00600000, 0x00a00000, 'size'],
      ['LIVEPATCH_VMAP', 0x00a00000, 0x00c00000, 'size'],
      ['FRAMETABLE', 0x02000000, 0x08000000, 'size'],
      ['VMAP', 0x10000000, 0x40000000, 'size'],
      ['XENHEAP', 0x40000000, 0x80000000, 'size'],
      ['DOMHEAP', 0x80000000, 2 ** 32, 'size'],
    ]);
  });
  it('arm64: Xen in L0 slot 4, DIRECTMAP 10 slots', () => {
    const { l, rows } = regions(['2023-dc98fa7-config.h'], 'arm64');
    noUnknown(l.warnings);
    expect(rows).toEqual([
      ['XEN', S4 + 2 * MiB, S4 + 4 * MiB, 'size'],
      ['FIXMAP', S4 + 4 * MiB, S4 + 6 * MiB, 'size'],
      ['BOOT_FDT', S4 + 6 * MiB, S4 + 10 * MiB, 'size'],
      ['LIVEPATCH_VMAP', S4 + 10 * MiB, S4 + 12 * MiB, 'size'],
      ['VMAP', S4 + GiB, S4 + 2 * GiB, 'size'],
      ['FRAMETABLE', S4 + 32 * GiB, S4 + 64 * GiB, 'size'],
      DIRECTMAP_10,
    ]);
    expect(S4).toBe(0x20000000000);
  });
});

describe('current c447b73 (config.h + mmu/layout.h)', () => {
  const pair = ['c447b73-config.h', 'c447b73-mmu-layout.h'];
  it('arm32: XEN 8 MiB; BOOT_RELOC and LIVEPATCH_VMAP at BOOT_FDT end', () => {
    const { l, rows } = regions(pair, 'arm32');
    noUnknown(l.warnings);
    expect(rows).toEqual([
      ['XEN', 0x00200000, 0x00a00000, 'size'],
      ['FIXMAP', 0x00a00000, 0x00c00000, 'size'],
      ['BOOT_FDT', 0x00c00000, 0x01000000, 'size'],
      ['BOOT_RELOC', 0x01000000, 0x01200000, 'comment'],
      ['LIVEPATCH_VMAP', 0x01000000, 0x01200000, 'size'],
      ['FRAMETABLE', 0x02000000, 0x08000000, 'size'],
      ['VMAP', 0x10000000, 0x40000000, 'size'],
      ['XENHEAP', 0x40000000, 0x80000000, 'size'],
      ['DOMHEAP', 0x80000000, 2 ** 32, 'size'],
    ]);
    // FIXMAP_ADDR(3) at c447b73 arm32 is 0x00A03000 (doc §9.4): FIXMAP starts at 0x00A00000
  });
  it('arm64: XEN_VM_MAPPING = SLOT0(20), SLOT0 defined below its use (lazy expansion)', () => {
    const { l, rows } = regions(pair, 'arm64');
    noUnknown(l.warnings);
    expect(S20).toBe(0xa0000000000);
    expect(rows).toEqual([
      ['XEN', S20 + 2 * MiB, S20 + 10 * MiB, 'size'],
      ['FIXMAP', S20 + 10 * MiB, S20 + 12 * MiB, 'size'],
      ['BOOT_FDT', S20 + 12 * MiB, S20 + 16 * MiB, 'size'],
      ['BOOT_RELOC', S20 + 16 * MiB, S20 + 18 * MiB, 'comment'],
      ['LIVEPATCH_VMAP', S20 + 16 * MiB, S20 + 18 * MiB, 'size'],
      ['VMAP', S20 + GiB, S20 + 2 * GiB, 'size'],
      ['FRAMETABLE', S20 + 32 * GiB, S20 + 64 * GiB, 'size'],
      DIRECTMAP_10,
    ]);
    expect(l.warnings.some((w) => /run-time value \(directmap_virt_start\)/.test(w))).toBe(true);
  });
});

describe('lint on the real-era fixtures', () => {
  it('finds only the arm64 DIRECTMAP comment-vs-macro mismatch of 2013-2022 (doc §11)', () => {
    for (const name of [
      '2013-ac6e1ae-config.h',
      '2015-47ec25a-config.h',
      '2019-0e623fa-config.h',
      '2021-f1e268b-config.h',
    ]) {
      const f = lintHeaders([file(name)]);
      expect(f.map((x) => [x.id, x.message.slice(0, 17)])).toEqual([['comment-map-mismatch', 'arm64: DIRECTMAP:']]);
    }
  });
  it('finds nothing on 2023 and current (the macro was fixed to 266 - 256)', () => {
    expect(lintHeaders([file('2023-dc98fa7-config.h')])).toEqual([]);
    expect(lintHeaders([file('c447b73-mmu-layout.h')])).toEqual([]);
    expect(lintHeaders([file('c447b73-config.h')])).toEqual([]);
    expect(lintHeaders([file('c447b73-config.h'), file('c447b73-mmu-layout.h')])).toEqual([]);
  });
});

describe('LIVEPATCH_VMAP is conditional (issue 13): the parser assumes CONFIG_LIVEPATCH and says so', () => {
  // 2019 0e623fa config.h: `#ifdef CONFIG_LIVEPATCH` around LIVEPATCH_VMAP_START/_END (doc §11)
  const text = readFileSync(new URL('../../fixtures/headers/2019-0e623fa-config.h', import.meta.url), 'utf8');
  const l = parseHeaders([{ path: 'config.h', text }], { arch: 'arm32' });
  it('marks LIVEPATCH_VMAP with its condition and leaves the others unconditional', () => {
    const lp = l.regions.find((r) => r.name === 'LIVEPATCH_VMAP')!;
    expect(lp.condition).toBe('CONFIG_LIVEPATCH');
    for (const r of l.regions.filter((x) => x.name !== 'LIVEPATCH_VMAP')) expect(r.condition).toBeUndefined();
  });
  it('layout JSON carries `condition`; the text table names it', () => {
    const j = layoutJson(l);
    expect(j.regions.find((r) => r.name === 'LIVEPATCH_VMAP')!.condition).toBe('CONFIG_LIVEPATCH');
    expect(j.regions.find((r) => r.name === 'VMAP')!.condition).toBeNull();
    expect(layoutText(l)).toMatch(/^LIVEPATCH_VMAP\*\s+0x00a00000/m);
    expect(layoutText(l)).toContain('* only when CONFIG_LIVEPATCH is configured');
  });
  it('a define after the #endif (or in the #else) is not conditional', () => {
    const h =
      '#ifdef CONFIG_LIVEPATCH\n#define A_VIRT_START 0x00200000\n#else\n#define B_VIRT_START 0x00400000\n#endif\n#define C_VIRT_START 0x00600000\n#if defined(CONFIG_LIVEPATCH)\n#define D_VIRT_START 0x00800000\n#endif\n';
    const r = parseHeaders([{ path: 'h.h', text: h }], { arch: 'arm32' }).regions;
    expect(Object.fromEntries(r.map((x) => [x.name, x.condition ?? null]))).toEqual({
      A: 'CONFIG_LIVEPATCH',
      C: null,
      D: 'CONFIG_LIVEPATCH',
    });
  });
});
