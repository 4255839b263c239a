/**
 * The map's geometry at the widths of a side panel (300, 400 px) and an editor (1000 px): no text
 * under 11 px, no two labels overlapping, labels outside the bar or abbreviated when the bar is
 * narrow. Regions are the 2013 + seed arm32 layout of the reference doc (§2 table) and an arm64
 * layout with 48-bit addresses (SLOT0(n) = n << 39).
 */
import { describe, expect, it } from 'vitest';
import {
  abbreviate,
  hex,
  human,
  mapGeometry,
  textBox,
  textWidth,
  wrap,
  type Geometry,
} from '../../../src/webview/mapGeometry';
import { isToWebview, limitRegions, MAX_MAP_REGIONS, type MapRegion } from '../../../src/webview/protocol';

const R = (name: string, start: number, end: number, description = ''): MapRegion => ({
  name,
  start,
  end,
  description,
  startMacro: null,
  where: null,
});
// reference doc §2: the 2013 ac6e1ae config.h with the seed's VIRT_LIN_P2M
const ARM32 = [
  R('XEN', 0x00200000, 0x00400000, 'Xen text, data, bss'),
  R('FIXMAP', 0x00400000, 0x00600000, 'Fixmap'),
  R('BOOT_FDT', 0x00600000, 0x00800000, 'Early boot device tree'),
  R('BOOT_RELOC', 0x00800000, 0x00a00000, 'Boot relocation'),
  R('FRAMETABLE', 0x02000000, 0x08000000, 'Frametable: 24 bytes per page for 16GB of RAM (32M - 128M)'),
  R('VIRT_LIN_P2M', 0x08000000, 0x10000000, 'Virtual-linear mapping to P2M table (128M - 256M, seed)'),
  R('VMAP', 0x10000000, 0x40000000, 'VMAP: ioremap and early_ioremap (256M - 1G)'),
  R('XENHEAP', 0x40000000, 0x80000000, 'Xenheap: always-mapped memory (1G - 2G)'),
  R('DOMHEAP', 0x80000000, 0x1_0000_0000, 'Domheap: on-demand-mapped (2G - 4G)'),
];
const WINDOW = { start: 0x08000000, end: 0x10000000 };
const SLOT0 = (n: number): number => n * 2 ** 39;
const ARM64 = [
  R('XEN', SLOT0(0) + 0x00200000, SLOT0(0) + 0x00400000, 'Xen'),
  R('VMAP', SLOT0(0) + 2 ** 30, SLOT0(0) + 2 ** 31, 'vmap'),
  R('FRAMETABLE', SLOT0(0) + 32 * 2 ** 30, SLOT0(0) + 64 * 2 ** 30, 'frame table'),
  R('DIRECTMAP', SLOT0(256), SLOT0(266), 'direct map of all RAM'),
];

function overlaps(g: Geometry): string[] {
  const boxes = g.texts.map((t) => ({ t, b: textBox(t) }));
  const out: string[] = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!.b;
      const b = boxes[j]!.b;
      if (a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1)
        out.push(`${boxes[i]!.t.text} @${boxes[i]!.t.y} × ${boxes[j]!.t.text} @${boxes[j]!.t.y}`);
    }
  return out;
}

describe('map geometry: readable at 300, 400 and 1000 px', () => {
  for (const width of [300, 400, 1000])
    for (const scale of ['readable', 'linear'] as const)
      for (const [arch, regions, vlpt] of [
        ['arm32', ARM32, WINDOW],
        ['arm64', ARM64, null],
      ] as const)
        it(`${arch} ${scale} at ${width} px: no text under 11 px, none overlapping, all inside the width`, () => {
          const g = mapGeometry({ regions, vlpt, width, scale, top: arch === 'arm64' ? 2 ** 48 : 2 ** 32 });
          expect(g.width).toBe(width);
          for (const t of g.texts) expect(t.px, t.text).toBeGreaterThanOrEqual(11);
          expect(overlaps(g)).toEqual([]);
          for (const t of g.texts) {
            const b = textBox(t);
            expect(b.x0, t.text).toBeGreaterThanOrEqual(0);
            expect(b.x1, t.text).toBeLessThanOrEqual(width);
          }
          // every region is named (whole or abbreviated) exactly once
          for (const r of regions) {
            const names = g.texts.filter(
              (t) =>
                t.kind === 'name' &&
                (t.text === r.name || (t.text.endsWith('…') && r.name.startsWith(t.text.slice(0, -1)))),
            );
            expect(names.length, r.name).toBe(1);
          }
        });

  it('at 400 px the first two regions (XEN, FIXMAP) have separate label lines', () => {
    const g = mapGeometry({ regions: ARM32, vlpt: WINDOW, width: 400, scale: 'readable' });
    const xen = textBox(g.texts.find((t) => t.kind === 'name' && t.text === 'XEN')!);
    const fix = textBox(g.texts.find((t) => t.kind === 'name' && t.text === 'FIXMAP')!);
    expect(xen.y1).toBeLessThanOrEqual(fix.y0);
  });

  it('below 560 px the names move out of the bar into the label lane; at 1000 px they sit in the bar', () => {
    for (const width of [300, 400]) {
      const g = mapGeometry({ regions: ARM32, vlpt: WINDOW, width, scale: 'readable' });
      for (const t of g.texts.filter((x) => x.kind === 'name')) expect(t.x).toBe(g.laneX);
      expect(g.slotX).toBeNull();
    }
    const wide = mapGeometry({ regions: ARM32, vlpt: WINDOW, width: 1000, scale: 'readable' });
    expect(wide.texts.find((t) => t.text === 'VMAP')!.x).toBe(wide.barX + 10);
    expect(wide.slotX).not.toBeNull();
  });

  it('a name longer than the lane is abbreviated to fit', () => {
    const long = 'LIVEPATCH_VMAP_WITH_A_VERY_LONG_MACRO_NAME';
    const g = mapGeometry({
      regions: [...ARM32, R(long, 0x00a00000, 0x00c00000)],
      vlpt: WINDOW,
      width: 300,
      scale: 'readable',
    });
    const t = g.texts.find((x) => x.kind === 'name' && x.text.startsWith('LIVEPATCH'))!;
    expect(t.text.endsWith('…')).toBe(true);
    expect(textWidth(t.text, t.px, 'name')).toBeLessThanOrEqual(g.laneW);
  });

  it('the window grid of 64 slots (16, 8, 4 a row) fits inside the window row and the bar', () => {
    for (const [width, perRow] of [
      [1000, 16],
      [400, 8],
      [300, 4],
    ] as const) {
      const g = mapGeometry({ regions: ARM32, vlpt: WINDOW, width, scale: 'readable' });
      expect(g.grids.length).toBe(1);
      const grid = g.grids[0]!;
      const row = g.rows[grid.row]!;
      expect(grid.perRow).toBe(perRow);
      expect(grid.y).toBeGreaterThanOrEqual(row.y);
      expect(grid.y + (64 / perRow) * 11).toBeLessThanOrEqual(row.y + row.h);
      expect(grid.x + perRow * 11).toBeLessThanOrEqual(g.barX + g.barW);
    }
  });

  it('linear scale: 2 MiB rows (under 1 px) get their labels pushed down with a leader line', () => {
    const g = mapGeometry({ regions: ARM32, vlpt: WINDOW, width: 300, scale: 'linear' });
    const fixRow = g.rows.findIndex((r) => r.start === 0x00400000);
    expect(g.rows[fixRow]!.h).toBeLessThan(1); // 2 MiB of 4 GiB over 1600 px = 0.78 px
    expect(g.leaders.some((l) => l.row === fixRow)).toBe(true);
  });

  it('48-bit addresses: 12 hex digits, the direct map at SLOT0(256) = 0x800000000000 labelled', () => {
    const g = mapGeometry({ regions: ARM64, vlpt: null, width: 300, scale: 'readable', top: 2 ** 48 });
    expect(g.top).toBe(2 ** 48);
    expect(g.digits).toBe(12);
    expect(g.texts.some((t) => t.kind === 'addr' && t.text === '0x800000000000')).toBe(true);
    expect(g.texts.some((t) => t.kind === 'addr' && t.text === '0x1000000000000')).toBe(true);
    for (const r of g.rows) expect(Number.isFinite(r.h) && r.h > 0).toBe(true);
  });

  it('a region ending above 4 GiB in an arm32 layout raises the top instead of vanishing', () => {
    const g = mapGeometry({
      regions: [...ARM32.slice(0, 8), R('BIG', 0x80000000, 0x2_0000_0000)],
      vlpt: WINDOW,
      width: 400,
      scale: 'readable',
    });
    expect(g.top).toBe(0x2_0000_0000);
    expect(g.rows.some((r) => r.end === 0x2_0000_0000 && r.region === 8)).toBe(true);
  });
});

describe('map geometry helpers', () => {
  it('hex, human, wrap, abbreviate', () => {
    expect(hex(0x08000000)).toBe('0x08000000');
    expect(hex(2 ** 47, 12)).toBe('0x800000000000');
    expect(human(128 * 2 ** 20)).toBe('128 MiB');
    expect(human(5 * 2 ** 40)).toBe('5 TiB');
    expect(wrap('aaa bbb ccc ddd', 7, 2)).toEqual(['aaa bbb', 'ccc ddd']);
    expect(wrap('aaa bbb ccc ddd eee', 7, 2)).toEqual(['aaa bbb', 'ccc dd…']);
    expect(abbreviate('ABCDEFGHIJ', 10 * 0.8 * 12, 12, 'name')).toBe('ABCDEFGHIJ');
    expect(abbreviate('ABCDEFGHIJ', 5 * 0.8 * 12, 12, 'name')).toBe('ABCD…');
  });
});

describe('map limits: never a blank map', () => {
  const many = Array.from({ length: 300 }, (_, i) => R(`R${i}`, i * 0x1000, i * 0x1000 + 0x1000));
  it('past 256 regions: the first 256 by address are kept, with a notice saying 44 were left out and why', () => {
    const l = limitRegions([...many].reverse());
    expect(l.regions.length).toBe(MAX_MAP_REGIONS);
    expect(l.regions[0]!.name).toBe('R0');
    expect(l.regions[255]!.name).toBe('R255');
    expect(l.notice).toMatch(/has 300 regions/);
    expect(l.notice).toMatch(/leaves out 44/);
    expect(l.notice).toMatch(/up to 0xff000/);
    const model = {
      source: 's',
      guest: 'g',
      scale: 'readable',
      usedSlots: [],
      findingSlots: [],
      vlpt: null,
      regions: l.regions,
      notices: [l.notice],
    };
    expect(isToWebview({ type: 'model', model })).toBe(true);
    expect(isToWebview({ type: 'model', model: { ...model, regions: many } })).toBe(false);
  });
  it('at most 256 regions: kept as they are, no notice', () => {
    expect(limitRegions(many.slice(0, 256)).notice).toBeNull();
  });
  it('regions above 4 GiB (arm64, 48-bit) pass the message guard; negative or inexact ones do not', () => {
    const model = {
      source: 's',
      guest: 'g',
      scale: 'readable',
      usedSlots: [],
      findingSlots: [],
      vlpt: null,
      top: 2 ** 48,
      regions: ARM64,
    };
    expect(isToWebview({ type: 'model', model })).toBe(true);
    expect(isToWebview({ type: 'model', model: { ...model, regions: [R('X', -1, 5)] } })).toBe(false);
    expect(isToWebview({ type: 'model', model: { ...model, regions: [R('X', 0, 2 ** 64)] } })).toBe(false);
  });
});
