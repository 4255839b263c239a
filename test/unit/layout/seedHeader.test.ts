import { describe, expect, it } from 'vitest';
import { embeddedLayout } from '../../../src/core/layout/embedded';
import { parsedEmbeddedLayout, SEED_BASE_CONFIG_H, SEED_BASE_PATH } from '../../../src/core/layout/seedHeader';
import { parseHeaders } from '../../../src/core/layout/header';

const pick = (r: {
  name: string;
  start: number;
  end: number;
  startMacro: string | null;
  endMacro: string | null;
  endForm: string;
}) => ({
  name: r.name,
  start: r.start,
  end: r.end,
  startMacro: r.startMacro,
  endMacro: r.endMacro,
  endForm: r.endForm,
});

describe('embedded 2013 + seed header text', () => {
  it('parses to exactly the regions of embeddedLayout() (doc §2)', () => {
    const parsed = parsedEmbeddedLayout('arm32');
    expect(parsed.regions.map(pick)).toEqual(embeddedLayout().regions.map(pick));
    expect(parsed.warnings.filter((w) => /unknown macro|cycle|cannot evaluate/.test(w))).toEqual([]);
  });

  it('without the seed has no VIRT_LIN_P2M and the 128M-256M hole (doc §2)', () => {
    const l = parseHeaders([{ path: SEED_BASE_PATH, text: SEED_BASE_CONFIG_H }], { arch: 'arm32' });
    expect(l.regions.map((r) => r.name)).toEqual([
      'XEN',
      'FIXMAP',
      'BOOT_FDT',
      'BOOT_RELOC',
      'FRAMETABLE',
      'VMAP',
      'XENHEAP',
      'DOMHEAP',
    ]);
    expect(l.commentMap.some((r) => r.start === 0x08000000)).toBe(false);
  });

  it('arm64 branch: VMAP, FRAMETABLE inclusive; DIRECTMAP 9 slots; XENHEAP an alias (doc §2)', () => {
    const l = parsedEmbeddedLayout('arm64');
    const by = Object.fromEntries(l.regions.map((r) => [r.name, r]));
    expect(by.VMAP).toMatchObject({ start: 0x40000000, end: 0x80000000, endForm: 'inclusive' });
    expect(by.FRAMETABLE).toMatchObject({ start: 0x800000000, end: 0x1000000000, endForm: 'inclusive' });
    expect(by.DIRECTMAP).toMatchObject({ start: 0x800000000000, end: 0x848000000000, endForm: 'inclusive' });
    expect(by.XENHEAP).toBeUndefined();
    expect(by.VIRT_LIN_P2M).toBeUndefined();
    expect(l.warnings.some((w) => /XENHEAP_VIRT_START is an alias of DIRECTMAP_VIRT_START/.test(w))).toBe(true);
  });
});
