/**
 * The seed's patched 2013 arm32 map, as `xen/include/asm-arm/config.h` @ ac6e1ae plus the
 * seed's hunk (reference doc §2). Values [V]/[P]; exclusive ends [D].
 */
import type { Layout, Region } from './types';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function r(
  name: string,
  start: number,
  end: number,
  startMacro: string | null,
  endMacro: string | null,
  endForm: Region['endForm'],
  description: string,
): Region {
  return { name, start, end, size: end - start, startMacro, endMacro, endForm, line: null, file: null, description };
}

export const EMBEDDED_SOURCE = 'embedded: 2013 arm32 config.h (ac6e1ae) + seed';

/** A fresh copy each call, so callers may not corrupt the default. */
export function embeddedLayout(): Layout {
  return {
    arch: 'arm32',
    source: EMBEDDED_SOURCE,
    regions: [
      r('XEN', 0x00200000, 0x00400000, 'XEN_VIRT_START', null, 'comment', 'Xen text, data, bss (2M - 4M)'),
      r(
        'FIXMAP',
        0x00400000,
        0x00600000,
        'FIXMAP_ADDR',
        null,
        'comment',
        'Fixmap: special-purpose 4K mapping slots (4M - 6M)',
      ),
      r(
        'BOOT_FDT',
        0x00600000,
        0x00800000,
        'BOOT_FDT_VIRT_START',
        null,
        'comment',
        'Early boot mapping of FDT (6M - 8M)',
      ),
      r(
        'BOOT_RELOC',
        0x00800000,
        0x00a00000,
        'BOOT_RELOC_VIRT_START',
        null,
        'comment',
        'Early boot mapping for relocating Xen (8M - 10M)',
      ),
      r(
        'FRAMETABLE',
        0x02000000,
        0x08000000,
        'FRAMETABLE_VIRT_START',
        null,
        'comment',
        'Frametable: 24 bytes per page for 16GB of RAM (32M - 128M)',
      ),
      r(
        'VIRT_LIN_P2M',
        0x08000000,
        0x10000000,
        'VIRT_LIN_P2M_START',
        'VIRT_LIN_P2M_END',
        'exclusive',
        'Virtual-linear mapping to P2M table (128M - 256M, seed)',
      ),
      r(
        'VMAP',
        0x10000000,
        0x40000000,
        'VMAP_VIRT_START',
        'VMAP_VIRT_END',
        'exclusive',
        'VMAP: ioremap and early_ioremap (256M - 1G)',
      ),
      r(
        'XENHEAP',
        0x40000000,
        0x80000000,
        'XENHEAP_VIRT_START',
        'XENHEAP_VIRT_END',
        'inclusive',
        'Xenheap: always-mapped memory (1G - 2G)',
      ),
      r(
        'DOMHEAP',
        0x80000000,
        4 * GiB,
        'DOMHEAP_VIRT_START',
        'DOMHEAP_VIRT_END',
        'inclusive',
        'Domheap: on-demand-mapped, per-pCPU xen_dommap (2G - 4G)',
      ),
    ],
    commentMap: [
      { start: 0, end: 8 * MiB, text: '<COMMON>', line: null },
      { start: 32 * MiB, end: 128 * MiB, text: 'Frametable: 24 bytes per page for 16GB of RAM', line: null },
      { start: 128 * MiB, end: 256 * MiB, text: 'Virtual-linear mapping to P2M table', line: null },
      {
        start: 256 * MiB,
        end: 1 * GiB,
        text: 'VMAP: ioremap and early_ioremap use this virtual address space',
        line: null,
      },
      { start: 1 * GiB, end: 2 * GiB, text: 'Xenheap: always-mapped memory', line: null },
      { start: 2 * GiB, end: 4 * GiB, text: 'Domheap: on-demand-mapped', line: null },
    ],
    warnings: [],
  };
}

/** The region containing `va`, or null. Regions are sorted and (in a sane layout) disjoint. */
export function regionOf(layout: Layout, va: number): Region | null {
  for (const reg of layout.regions) if (va >= reg.start && va < reg.end) return reg;
  return null;
}

export function findRegion(layout: Layout, name: string): Region | null {
  for (const reg of layout.regions) if (reg.name === name) return reg;
  return null;
}
