/**
 * The 2013 arm32/arm64 layout header as text, written for this project from the facts of the
 * reference doc §1, §2 and §11 (macro names and values; the comment-map rows the seed's hunks
 * quote as context). It is not a copy of Xen's file: only what a layout parser reads is here.
 * `SEED_BASE_CONFIG_H` is the pre-image the seed patches (xen/include/asm-arm/config.h @
 * ac6e1ae); `seededConfigH()` adds the seed's five lines [P].
 */
import { parseHeaders } from './header';
import type { Arch, Layout } from './types';

export const SEED_BASE_PATH = 'xen/include/asm-arm/config.h';

export const SEED_BASE_CONFIG_H = `/*
 * config.h: layout part of xen/include/asm-arm/config.h as of ac6e1ae (2013-11-07),
 * restated for Xen Memory Lens from its macro values (reference doc section 2).
 */

#ifndef __ARM_CONFIG_H__
#define __ARM_CONFIG_H__

#if defined(__aarch64__)
# define CONFIG_ARM_64 1
#elif defined(__arm__)
# define CONFIG_ARM_32 1
#endif

#define CONFIG_PAGING_LEVELS 3
#define CONFIG_DOMAIN_PAGE 1

#ifdef __ASSEMBLY__
#define ALIGN .align 2
#endif

#include <xen/const.h>

/*
 * Common ARM32 and ARM64 layout:
 *   0  -   2M   Unmapped
 *   2M -   4M   Xen text, data, bss
 *   4M -   6M   Fixmap: special-purpose 4K mapping slots
 *   6M -   8M   Early boot mapping of FDT
 *   8M -  10M   Early relocation address (used when relocating Xen)
 *
 * ARM32 layout:
 *   0  -   8M   <COMMON>
 *
 *  32M - 128M   Frametable: 24 bytes per page for 16GB of RAM
 * 256M -   1G   VMAP: ioremap and early_ioremap use this virtual address
 *                    space
 *
 *   1G -   2G   Xenheap: always-mapped memory
 *   2G -   4G   Domheap: on-demand-mapped
 *
 * ARM64 layout:
 * 0x0000000000000000 - 0x0000007fffffffff (512GB, L0 slot [0])
 *   0  -   8M   <COMMON>
 *
 *   1G -   2G   VMAP: ioremap and early_ioremap
 *
 *  32G -  64G   Frametable: 24 bytes per page for 5.3TB of RAM
 *
 * 0x0000008000000000 - 0x00007fffffffffff (127.5TB, L0 slots [1..255])
 *  Unused
 *
 * 0x0000800000000000 - 0x000084ffffffffff (5TB, L0 slots [256..265])
 *  1:1 mapping of RAM
 *
 * 0x0000850000000000 - 0x0000ffffffffffff (123TB, L0 slots [266..511])
 *  Unused
 */

#define XEN_VIRT_START         _AT(vaddr_t,0x00200000)
#define FIXMAP_ADDR(n)        (_AT(vaddr_t,0x00400000) + (n) * PAGE_SIZE)
#define BOOT_FDT_VIRT_START    _AT(vaddr_t,0x00600000)
#define BOOT_RELOC_VIRT_START  _AT(vaddr_t,0x00800000)

#define HYPERVISOR_VIRT_START  XEN_VIRT_START

#ifdef CONFIG_ARM_32

#define CONFIG_DOMAIN_PAGE 1
#define CONFIG_SEPARATE_XENHEAP 1

#define FRAMETABLE_VIRT_START  _AT(vaddr_t,0x02000000)
#define VMAP_VIRT_START  _AT(vaddr_t,0x10000000)
#define XENHEAP_VIRT_START     _AT(vaddr_t,0x40000000)
#define XENHEAP_VIRT_END       _AT(vaddr_t,0x7fffffff)
#define DOMHEAP_VIRT_START     _AT(vaddr_t,0x80000000)
#define DOMHEAP_VIRT_END       _AT(vaddr_t,0xffffffff)

#define VMAP_VIRT_END    XENHEAP_VIRT_START

#define DOMHEAP_ENTRIES        1024  /* 2 MB slots */
#define DOMHEAP_SECOND_PAGES ((DOMHEAP_VIRT_END - DOMHEAP_VIRT_START + 1) >> FIRST_SHIFT)

#else /* ARM_64 */

#define SLOT0_ENTRY_BITS  39
#define SLOT0(slot) (_AT(vaddr_t,slot) << SLOT0_ENTRY_BITS)
#define SLOT0_ENTRY_SIZE  SLOT0(1)
#define GB(_gb)     (_AC(_gb, UL) << 30)

#define VMAP_VIRT_START  GB(1)
#define VMAP_VIRT_END    (VMAP_VIRT_START + GB(1) - 1)

#define FRAMETABLE_VIRT_START  GB(32)
#define FRAMETABLE_VIRT_END    (FRAMETABLE_VIRT_START + GB(32) - 1)

#define DIRECTMAP_VIRT_START   SLOT0(256)
#define DIRECTMAP_SIZE         (SLOT0_ENTRY_SIZE * (265-256))
#define DIRECTMAP_VIRT_END     (DIRECTMAP_VIRT_START + DIRECTMAP_SIZE - 1)

#define XENHEAP_VIRT_START     DIRECTMAP_VIRT_START

#define HYPERVISOR_VIRT_END    DIRECTMAP_VIRT_END

#endif

/* Fixmap slots */
#define FIXMAP_CONSOLE  0
#define FIXMAP_PT       1
#define FIXMAP_MISC     2
#define FIXMAP_GICD     3
#define FIXMAP_GICC1    4
#define FIXMAP_GICC2    5
#define FIXMAP_GICH     6

#define PAGE_SHIFT              12

#ifndef __ASSEMBLY__
#define PAGE_SIZE           (1L << PAGE_SHIFT)
#else
#define PAGE_SIZE           (1 << PAGE_SHIFT)
#endif
#define PAGE_MASK           (~(PAGE_SIZE-1))

#endif /* __ARM_CONFIG_H__ */
`;

/** The seed's five added lines [P], each after the line it follows in the seed's hunks. */
const SEED_INSERTS: Array<[RegExp, string[]]> = [
  [/^ \*\s+32M - 128M\s+Frametable/, [' * 128M - 256M   Virtual-linear mapping to P2M table']],
  [
    /^#define FRAMETABLE_VIRT_START\s+_AT\(vaddr_t,0x02000000\)/,
    ['#define VIRT_LIN_P2M_START     _AT(vaddr_t,0x08000000)'],
  ],
  [/^#define VMAP_VIRT_START\s+_AT\(vaddr_t,0x10000000\)/, ['#define VIRT_LIN_P2M_END       VMAP_VIRT_START']],
  [
    /^#define HYPERVISOR_VIRT_END\s+DIRECTMAP_VIRT_END/,
    ['', '/*TODO (ARM_64): define VIRT_LIN_P2M_START VIRT_LIN_P2M_END */'],
  ],
];

/** The base with the seed's config.h hunks applied (what the seed's post-image blob 15ad56d holds). */
export function seededConfigH(base: string = SEED_BASE_CONFIG_H): string {
  const lines = base.split('\n');
  for (const [anchor, add] of SEED_INSERTS) {
    const at = lines.findIndex((l) => anchor.test(l));
    if (at < 0) throw new Error(`seed anchor ${anchor} missing from the embedded header`);
    lines.splice(at + 1, 0, ...add);
  }
  return lines.join('\n');
}

/** embeddedLayout() derived by the header parser from the embedded text (same regions). */
export function parsedEmbeddedLayout(arch: Arch = 'arm32'): Layout {
  return parseHeaders([{ path: SEED_BASE_PATH, text: seededConfigH() }], {
    arch,
    source: `embedded: 2013 ${arch} config.h (ac6e1ae) + seed`,
  });
}
