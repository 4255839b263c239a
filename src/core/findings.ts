/**
 * The seed's defects and hazards as findings with stable ids (reference doc §10 [D]/[P]/[V]).
 * The catalogue explains each; `analyzePrepare` turns one emulated run into concrete findings.
 */
import type { Layout } from './layout/types';
import { regionOf } from './layout/embedded';
import type { VlptCallResult } from './vlpt';
import type { Domain } from './p2m';
import type { XenSystem } from './xenPageTables';
import { hex, humanSize } from './numbers';
import { slotRanges } from './format/ranges';

export type Severity = 'error' | 'warning' | 'info';

export interface FindingDef {
  id: string;
  severity: Severity;
  title: string;
  explanation: string;
}

export const FINDINGS: readonly FindingDef[] = [
  {
    id: 'window-overrun',
    severity: 'error',
    title: 'prepare_vlpt writes xen_second slots outside the VIRT_LIN_P2M window',
    explanation:
      'The size check is relative (required = RAM size / 512) but the window is indexed by absolute GPA, and the RAM position is never checked. Slots past 127 belong to VMAP (128–511) or XENHEAP (512–1023): they are overwritten with guest first-level entries. An invalid entry unmaps 2 MiB of VMAP starting with the vmap bitmap, so the next vmap/ioremap/vunmap takes a HYP data abort ("Unexpected Trap: Data Abort", then Xen spins); a valid one aliases Xen’s VA onto a guest p2m level-2 table. At GUEST_RAM_BASE 0x80000000 the RAM stays inside up to 62 GiB − 4 KiB; with exactly 62 GiB its last PTE (VA 0x0FFFFFF8, slot 127) still fits and slot 128 is written only by the “+ 1” of gp2m_end_index (see extra-slot).',
  },
  {
    id: 'second-check-array',
    severity: 'warning',
    title: 'the second check compares with the end of xen_second, not with the window',
    explanation:
      'prepare_vlpt rejects only `64 + end_index >= LPAE_ENTRIES*2` (slot 1023, the end of the array) instead of the window’s end (slot 127). Every overrun that stays below slot 1024 passes (e.g. RAM at 894 GiB + 64 GiB); with the 2013 fixed GUEST_RAM_BASE the check can never fire.',
  },
  {
    id: 'extra-slot',
    severity: 'warning',
    title: 'gp2m_end_index = (end >> 30) + 1 copies one first-level entry too many',
    explanation:
      '`end` is exclusive, so when it is 1 GiB-aligned the `+1` copies the L1 entry of a gigabyte with no guest RAM (usually an invalid entry) into xen_second and the shadow. At the window’s top edge the `+1` alone overruns into VMAP. Correct: DIV_ROUND_UP(end, 1 GiB). The safe RAM limit at 2 GiB is 62 GiB − 4 KiB, not 64 GiB.',
  },
  {
    id: 'shared-table-local-flush',
    severity: 'error',
    title: 'xen_second is shared by all pCPUs, but prepare/restore flush only the local TLB and take no lock',
    explanation:
      'xen_second, xen_fixmap and xen_xenmap are shared between all pCPUs; the VLPT slots are rewritten by whichever pCPU runs prepare_vlpt or restore_vlpt, with local TLBIMVAH only. Another pCPU running a different log-dirty domain walks the new domain’s p2m on its next TLB miss (or keeps stale entries on a hit): its write fault updates the wrong domain’s PTE.',
  },
  {
    id: 'restore-skip-stale-tlb',
    severity: 'warning',
    title: 'restore_vlpt skips slots whose shared entry already matches, without flushing',
    explanation:
      'When another pCPU switched a slot to a second domain and back, this pCPU may still cache the second domain’s translation; restore_vlpt sees an equal entry and flushes nothing, so the stale translation survives.',
  },
  {
    id: 'restore-partial-range',
    severity: 'warning',
    title: 'restore_vlpt covers only the incoming domain’s [start, end)',
    explanation:
      'Slots of a previous, larger domain outside the incoming domain’s range are neither checked nor cleared: a lookup outside the new domain’s RAM resolves through the old domain’s p2m.',
  },
  {
    id: 'no-range-check',
    severity: 'warning',
    title: 'get_vlpt_3lvl_pte accepts any GPA',
    explanation:
      'The pointer is VIRT_LIN_P2M_START + (gpa >> 12) * 8 with no bound: GPAs from 64 GiB land in VMAP, from 448 GiB in XENHEAP, from 960 GiB in DOMHEAP, and GPAs in slots prepare never filled take a HYP data abort. The caller reads (or writes) an unrelated Xen word as a PTE.',
  },
  {
    id: 'barrier-gap',
    severity: 'warning',
    title: 'restore_vlpt stores with __write_pte and invalidates with no dsb in between',
    explanation:
      'The wrapper the patch split had "dsb: Ensure preceding are visible" before the TLBIMVAH loop; restore_vlpt uses the barrier-free variants back to back, so the invalidate can complete before the table walker observes the new entry and the old translation can be re-cached.',
  },
  {
    id: 'cleanup-leak',
    severity: 'warning',
    title: 'cleanup_vlpt never frees the order-1 shadow allocation',
    explanation:
      'cleanup_vlpt only unmaps the two shadow pages; the pages from alloc_domheap_pages(NULL, 1, 0) are never freed, and a second prepare_vlpt overwrites the pointers: 8 KiB of domheap per prepare/cleanup cycle (and vmap space when cleanup is skipped).',
  },
  {
    id: 'cleanup-stale-slots',
    severity: 'error',
    title: 'cleanup_vlpt leaves the xen_second slots and start/end/pointers in place',
    explanation:
      'After cleanup Xen keeps live mappings of the guest’s p2m tables at VIRT_LIN_P2M_START+; when the domain dies its p2m pages return to the heap while still mapped. restore_vlpt after cleanup reads through unmapped (fault) or reused vmap addresses and can copy garbage into xen_second; a second cleanup unmaps whatever vmap now holds there.',
  },
  {
    id: 'stale-snapshot',
    severity: 'warning',
    title: 'first-level entries are copied once',
    explanation:
      'Later first-level tables (a gigabyte whose L1 entry was invalid at prepare time) are invisible through VLPT, and restore_vlpt puts the old copy back: the VLPT access faults although p2m_lookup succeeds.',
  },
  {
    id: 'unchecked-vmap',
    severity: 'warning',
    title: 'map_domain_page_global results are not checked',
    explanation:
      'When vmap is exhausted it returns NULL; prepare_vlpt then stores shadow entries at NULL + index and takes a data abort.',
  },
  {
    id: 'readonly-window',
    severity: 'warning',
    title: 'on the ac6e1ae base the VLPT window is read-only for Xen',
    explanation:
      'At ac6e1ae every p2m table link is mfn_to_p2m_entry(.., MATTR_MEM) with write=1; read as a Xen stage-1 page descriptor, bit 7 is AP[2] = read-only. Any store through a get_vlpt_3lvl_pte pointer (the dirty-page handler’s purpose) takes a permission fault in HYP. From 9a80d50 table links have write=0 and the window is writable.',
  },
  {
    id: 'block-entry',
    severity: 'warning',
    title: 'a block entry in the guest p2m is misread',
    explanation:
      'An L1 1 GiB block copied into xen_second becomes a 2 MiB Xen block over guest RAM data (data pages read as PTEs); an L2 2 MiB block (bits[1:0] = 01) is invalid at Xen level 3 → translation fault. No blocks exist in 2013; p2m superpages arrived in 2014.',
  },
  {
    id: 'frametable-collision',
    severity: 'error',
    title: 'nothing reserves the window against frametable growth',
    explanation:
      'setup_frametable_mappings has no upper bound in 2013: a host with more than 16 GiB of RAM maps the frametable into slots 64+ (20 GiB → 128 MiB → slots 16–79), and prepare_vlpt overwrites page_info mappings.',
  },
  {
    id: 'arm64-build',
    severity: 'error',
    title: 'arm64 does not build',
    explanation:
      'arm64 has no VIRT_LIN_P2M_*, __write_pte or __flush_xen_data_tlb_range_va (only a TODO comment), yet the new mm.c/mm.h code is unconditional: compile error.',
  },
  {
    id: 'diffstat-mismatch',
    severity: 'info',
    title: 'the mail’s diffstat disagrees with its hunks',
    explanation:
      'The seed claims arm32/page.h | 41 and 174 insertions, 11 deletions; the hunks add up to 38 for that file and 172/10 overall.',
  },
];

export function findingDef(id: string): FindingDef {
  const f = FINDINGS.find((x) => x.id === id);
  if (!f) throw new Error(`unknown finding id ${id}`);
  return f;
}

export interface Finding {
  id: string;
  severity: Severity;
  /** xen_second slots involved */
  slots: number[];
  /** layout regions involved (macro stems) */
  regions: string[];
  /** addresses involved (hex strings) */
  addresses: string[];
  message: string;
}

export function makeFinding(
  id: string,
  message: string,
  slots: number[] = [],
  regions: string[] = [],
  addresses: string[] = [],
): Finding {
  return { id, severity: findingDef(id).severity, slots, regions, addresses, message };
}

export function slotRegion(layout: Layout, slot: number): string {
  const r = regionOf(layout, slot * 0x200000);
  return r ? r.name : '(unnamed)';
}

const plural = (xs: readonly unknown[], word: string): string => (xs.length > 1 ? `${word}s` : word);

/** Where the PTEs of the domain's RAM [gma_start, gma_end) live: first/last VLPT VA and slot. */
export interface RamPtes {
  firstVa: number;
  lastVa: number;
  /** xen_second slots of those VAs (null in DOMHEAP, which xen_second does not map) */
  firstSlot: number | null;
  lastSlot: number | null;
}

/** `get_vlpt_3lvl_pte` of the first and the last page of [gma_start, gma_end) (doc §7 formulas) [D] */
export function ramPtes(sys: XenSystem, d: Domain): RamPtes {
  const [gmaStart, gmaEnd] = d.gmaStartEnd();
  const firstVa = (sys.vlptStart + Math.floor(gmaStart / 4096) * 8) % 0x1_0000_0000;
  const lastVa = (sys.vlptStart + Math.floor((gmaEnd - 1) / 4096) * 8) % 0x1_0000_0000;
  const slot = (va: number): number | null => (va < 0x80000000 ? va >>> 21 : null);
  return { firstVa, lastVa, firstSlot: slot(firstVa), lastSlot: slot(lastVa) };
}

/** does the 1 GiB of GPA behind xen_second slot `s` (guest L1 index s − 64) hold any of the RAM? */
function slotHoldsRam(sys: XenSystem, d: Domain, s: number): boolean {
  const [gmaStart, gmaEnd] = d.gmaStartEnd();
  const lo = (s - (sys.vlptStart >>> 21)) * 0x40000000;
  return gmaStart < lo + 0x40000000 && gmaEnd > lo;
}

/**
 * Slots `prepare_vlpt` wrote for a gigabyte with no RAM: written only because of the `+ 1` in
 * `gp2m_end_index = (gma_end >> FIRST_SHIFT) + 1` (doc §10 extra-slot) [D].
 */
export function plusOneSlots(sys: XenSystem, d: Domain, r: VlptCallResult): number[] {
  return r.slotsWritten.filter((s) => !slotHoldsRam(sys, d, s));
}

/** Findings of one prepare_vlpt run on a fresh system. */
export function analyzePrepare(sys: XenSystem, d: Domain, r: VlptCallResult): Finding[] {
  const out: Finding[] = [];
  const winLo = sys.vlptStart >>> 21;
  const winHi = Math.ceil(sys.vlptEnd / 0x200000);
  const [gmaStart, gmaEnd] = d.gmaStartEnd();
  const outside = r.slotsWritten.filter((s) => s < winLo || s >= winHi);
  if (outside.length) {
    const regions = [...new Set(outside.map((s) => slotRegion(sys.layout, s)))];
    const ptes = ramPtes(sys, d);
    const plusOne = outside.filter((s) => !slotHoldsRam(sys, d, s));
    const withRam = outside.filter((s) => slotHoldsRam(sys, d, s));
    const lastWhere =
      ptes.lastSlot === null ? 'DOMHEAP' : `slot ${ptes.lastSlot}, ${slotRegion(sys.layout, ptes.lastSlot)}`;
    // Which part of the overrun the RAM's own PTEs need, and which only the `+ 1` of
    // gp2m_end_index = (gma_end >> FIRST_SHIFT) + 1 writes (doc §8 step 5, §10 extra-slot) [P]/[D]
    const why =
      withRam.length === 0
        ? `the RAM ${hex(gmaStart)}–${hex(gmaEnd)} itself fits: its last PTE is at VA ${hex(ptes.lastVa, 8)} (${lastWhere}); ${plural(plusOne, 'slot')} ${slotRanges(plusOne)} (guest L1 ${slotRanges(plusOne.map((s) => s - winLo))}, no RAM) ${plusOne.length > 1 ? 'are' : 'is'} written only by the "+ 1" in gp2m_end_index = (end >> 30) + 1`
        : `the RAM ${hex(gmaStart)}–${hex(gmaEnd)} has PTEs up to VA ${hex(ptes.lastVa, 8)} (${lastWhere}), past the window end ${hex(sys.vlptEnd, 8)}${plusOne.length ? `; ${plural(plusOne, 'slot')} ${slotRanges(plusOne)} ${plusOne.length > 1 ? 'are' : 'is'} written only by the "+ 1" in gp2m_end_index = (end >> 30) + 1` : ''}`;
    out.push(
      makeFinding(
        'window-overrun',
        `prepare_vlpt wrote xen_second ${plural(outside, 'slot')} ${slotRanges(outside)} outside VIRT_LIN_P2M (slots ${winLo}–${winHi - 1}), clobbering ${regions.join(', ')}: ${why}`,
        outside,
        regions,
        outside.map((s) => hex(s * 0x200000)),
      ),
    );
    if (r.result === 0)
      out.push(
        makeFinding(
          'second-check-array',
          `the check "${winLo} + end_index >= 1024" passed although slot${outside.length > 1 ? 's' : ''} ${slotRanges(outside)} ${outside.length > 1 ? 'lie' : 'lies'} past the window's last slot ${winHi - 1}`,
          outside,
          [...new Set(outside.map((s) => slotRegion(sys.layout, s)))],
        ),
      );
  }
  if (r.result !== 0 && r.message === 'xen second page is small for VLPT for domU') {
    const endIdx = Math.floor(gmaEnd / 0x40000000) + 1;
    out.push(
      makeFinding(
        'second-check-array',
        `rejected only because ${winLo} + ${endIdx} reaches the end of xen_second (1024); any end index up to ${1023 - winLo} would have passed although the window ends at slot ${winHi - 1}`,
        [],
        [],
      ),
    );
  }
  const extra = plusOneSlots(sys, d, r);
  if (extra.length) {
    out.push(
      makeFinding(
        'extra-slot',
        `slot${extra.length > 1 ? 's' : ''} ${slotRanges(extra)} written for first-level ind${extra.length > 1 ? 'ices' : 'ex'} ${slotRanges(extra.map((s) => s - winLo))} with no guest RAM (RAM ends at ${hex(gmaEnd)}, exclusive; end_index = (end >> 30) + 1)`,
        extra,
        [...new Set(extra.map((s) => slotRegion(sys.layout, s)))],
      ),
    );
  }
  const [ftLo, ftHi] = sys.frametableSlots();
  const ftHit = r.slotsWritten.filter((s) => s >= ftLo && s < ftHi);
  if (ftHi > winLo) {
    out.push(
      makeFinding(
        'frametable-collision',
        `host RAM ${humanSize(sys.hostRamSize)} needs a ${humanSize(sys.frametableSize)} frametable mapped in slots ${ftLo}–${ftHi - 1}, reaching into the window (slot ${winLo}+)${ftHit.length ? `; prepare_vlpt overwrote frametable slots ${slotRanges(ftHit)}` : ''}`,
        ftHit,
        ['FRAMETABLE', 'VIRT_LIN_P2M'],
      ),
    );
  }
  const inWindow = r.slotsWritten.filter((s) => s >= winLo && s < winHi);
  if (r.result === 0 && sys.tree === 'ac6e1ae' && inWindow.length) {
    out.push(
      makeFinding(
        'readonly-window',
        'on the ac6e1ae tree the guest L2 entries (0x6FF: write=1) read as Xen page descriptors with AP[2]=1: stores through get_vlpt_3lvl_pte pointers take a HYP permission fault (use --tree 9a80d50 for the writable variant)',
        inWindow,
        ['VIRT_LIN_P2M'],
      ),
    );
  }
  if (r.result === 0 && sys.cpus.length > 1 && r.slotsWritten.length) {
    const others = sys.cpus.filter((c) => c.id !== r.cpu).map((c) => `pCPU${c.id}`);
    out.push(
      makeFinding(
        'shared-table-local-flush',
        `slots ${slotRanges(r.slotsWritten)} of the shared xen_second were rewritten and flushed on pCPU${r.cpu} only; ${others.join(', ')} ${others.length > 1 ? 'keep' : 'keeps'} whatever ${others.length > 1 ? 'they' : 'it'} cached, and no lock serialises writers`,
        r.slotsWritten,
        [...new Set(r.slotsWritten.map((s) => slotRegion(sys.layout, s)))],
      ),
    );
  }
  // doc §10 unchecked-vmap: a NULL shadow pointer makes the loop store to NULL + index → data abort
  const nullShadow = d.dirty.secondLvl.some((va) => va === 0);
  if (r.trap && nullShadow && r.trap.va < 2 * 4096) {
    out.push(
      makeFinding(
        'unchecked-vmap',
        `map_domain_page_global returned NULL (vmap exhausted) and prepare_vlpt stored a shadow entry at NULL + ${r.trap.va}: ${r.trap.message}`,
        [r.trap.va >>> 21],
        ['VMAP'],
        [hex(r.trap.va)],
      ),
    );
  } else if (r.trap) {
    out.push(
      makeFinding(
        'window-overrun',
        `Xen took a HYP data abort inside prepare_vlpt: ${r.trap.message}`,
        [r.trap.va >>> 21],
        [slotRegion(sys.layout, r.trap.va >>> 21)],
        [hex(r.trap.va)],
      ),
    );
  }
  if (nullShadow && r.result === 0) {
    out.push(
      makeFinding('unchecked-vmap', 'map_domain_page_global returned NULL and prepare_vlpt used it', [], ['VMAP']),
    );
  }
  return out;
}
