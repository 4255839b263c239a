/*
 * Demo: guest physical addresses as they appear in log-dirty code.
 * Hover a hex number to see its VLPT PTE, xen_second slot, p2m indices and
 * the decoded descriptor; run "Xen Memory: Resolve GPA Under Cursor".
 */
#include <stdint.h>

#define GUEST_RAM_BASE   0x80000000ULL   /* 2013 fixed guest RAM base */
#define GUEST_RAM_SIZE   0x20000000ULL   /* 512 MiB demo guest */

/* a page the guest dirties right after boot */
static const uint64_t kernel_text_gpa = 0x80008000;
/* the last page of guest RAM */
static const uint64_t last_page_gpa = 0x9ffff000;
/* just above RAM: no p2m leaf (unmapped) */
static const uint64_t hole_gpa = 0xa0000000;

/* Xen VA of the PTE of GPA 0x80001000 inside VIRT_LIN_P2M (slot 66) */
static const uint32_t vlpt_pte_va = 0x08400008;

uint64_t gfn_of(uint64_t gpa)
{
    return gpa >> 12; /* gfn 0x80001 for GPA 0x80001000 */
}
