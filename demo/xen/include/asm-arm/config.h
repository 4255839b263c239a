/*
 * Demo layout header for Xen Memory Lens, written for this demo from the
 * facts of the 2013 ARM32 hypervisor map (Xen tree ac6e1ae) plus the
 * virtual-linear p2m window that the seed patch adds. Not a copy of Xen.
 *
 * ARM32 hypervisor virtual memory map (VA of the Xen address space):
 *
 *   0  -   2M   Unmapped
 *   2M -   4M   Xen text, data, bss
 *   4M -   6M   Fixmap: special-purpose 4K mapping slots
 *   6M -   8M   Early boot mapping of FDT
 *   8M -  10M   Early boot mapping for relocating Xen
 *
 *  32M - 128M   Frametable: 24 bytes per page for 16GB of RAM
 * 128M - 256M   Virtual-linear mapping to P2M table
 * 256M -   1G   VMAP: ioremap and early_ioremap use this virtual address space
 *
 *   1G -   2G   Xenheap: always-mapped memory
 *   2G -   4G   Domheap: on-demand-mapped
 */
#ifndef DEMO_ASM_ARM_CONFIG_H
#define DEMO_ASM_ARM_CONFIG_H

#define XEN_VIRT_START         _AT(vaddr_t,0x00200000)
#define FIXMAP_ADDR(n)        (_AT(vaddr_t,0x00400000) + (n) * PAGE_SIZE)
#define BOOT_FDT_VIRT_START    _AT(vaddr_t,0x00600000)
#define BOOT_RELOC_VIRT_START  _AT(vaddr_t,0x00800000)
#define FRAMETABLE_VIRT_START  _AT(vaddr_t,0x02000000)

/* the seed's window: one 8-byte PTE per guest page, 128 MiB = 64 GiB of GPA */
#define VIRT_LIN_P2M_START     _AT(vaddr_t,0x08000000)
#define VIRT_LIN_P2M_END       VMAP_VIRT_START

#define VMAP_VIRT_START        _AT(vaddr_t,0x10000000)
#define XENHEAP_VIRT_START     _AT(vaddr_t,0x40000000)
#define XENHEAP_VIRT_END       _AT(vaddr_t,0x7fffffff)
#define DOMHEAP_VIRT_START     _AT(vaddr_t,0x80000000)
#define DOMHEAP_VIRT_END       _AT(vaddr_t,0xffffffff)

#define VMAP_VIRT_END          XENHEAP_VIRT_START
#define HYPERVISOR_VIRT_START  XEN_VIRT_START

#define DOMHEAP_ENTRIES        1024  /* 1024 2MB mapping slots */

#endif /* DEMO_ASM_ARM_CONFIG_H */
