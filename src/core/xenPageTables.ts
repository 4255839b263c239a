/**
 * Xen's own arm32 page tables after boot (reference doc §3), on a modelled host:
 * per-pCPU root `xen_pgtable`, the shared `xen_second` (2 pages, 1024 slots), `xen_xenmap`,
 * `xen_fixmap`, the per-pCPU `xen_dommap` and VMAP's level-3 tables, populated as Xen does.
 *
 * Physical placement is a model choice [A], documented in the README ("The modelled host"):
 *   host RAM        PA 0x80000000, size `hostRamSize` (default 4 GiB)
 *   Xen image       PA 0x80000000 .. +2 MiB (mapped at XEN_VIRT_START through xen_xenmap);
 *                   static tables inside it: cpu0_pgtable 0x80100, xen_second 0x80102-3,
 *                   xen_fixmap 0x80104, xen_xenmap 0x80105, cpu0_dommap 0x80106-7 (MFNs)
 *   xenheap         PA 0x82000000 .. (max(RAM/8 rounded up to 32 MiB, 128 MiB), capped at 1 GiB
 *                   with a warning in `warnings`: 2013 Xen had no cap)
 *   frametable      next 32 MiB-aligned PA, RAM/4 KiB * 24 B rounded up to 32 MiB
 *   domheap         the rest of host RAM (p2m tables, VLPT shadow pages, vmap'd pages)
 */
import { InputError } from './errors';
import { FrameAllocator, PhysMem } from './memory';
import { Mmu } from './mmu';
import { XEN_ENTRY, xenEntry, dommapEntry, lpaeValid, lpaeBase, lpaeAvail } from './lpae';
import type { Layout, Region } from './layout/types';
import { embeddedLayout, findRegion, regionOf } from './layout/embedded';
import type { XenTree } from './lpae';

const MiB = 0x100000;
const GiB = 0x40000000;

export const XEN_IMAGE_MFN = 0x80000;
export const CPU0_PGTABLE_MFN = 0x80100;
export const XEN_SECOND_MFN = 0x80102;
export const XEN_FIXMAP_MFN = 0x80104;
export const XEN_XENMAP_MFN = 0x80105;
export const CPU0_DOMMAP_MFN = 0x80106;
/** pages of the Xen image that are text / rodata [A] */
const TEXT_PAGES = 0x40;
const RODATA_PAGES = 0x20;

/** Fixmap slots [V] config.h @ ac6e1ae, and the host devices they map on the model [A] (vexpress) */
export const FIXMAP_SLOTS: Array<{ slot: number; name: string; pa: number }> = [
  { slot: 0, name: 'FIXMAP_CONSOLE', pa: 0x1c090000 },
  { slot: 3, name: 'FIXMAP_GICD', pa: 0x2c001000 },
  { slot: 4, name: 'FIXMAP_GICC1', pa: 0x2c002000 },
  { slot: 5, name: 'FIXMAP_GICC2', pa: 0x2c003000 },
  { slot: 6, name: 'FIXMAP_GICH', pa: 0x2c004000 },
];

/** Pages `vm_init` reserves for the vmap bitmap: 768 MiB / 4 KiB bits = 24 KiB [V]/[D] */
export const VMAP_BITMAP_PAGES = 6;

export interface SystemOptions {
  layout?: Layout;
  /** number of pCPUs (default 2) */
  cpus?: number;
  tree?: XenTree;
  hostRamSize?: number;
}

export interface PCpu {
  id: number;
  mmu: Mmu;
  rootMfn: number;
  /** first of the two dommap pages */
  dommapMfn: number;
}

/** What a `xen_second` slot maps, for views and the CLI. */
export interface SlotInfo {
  slot: number;
  va: number;
  region: string | null;
  hi: number;
  lo: number;
  what: string;
}

/** Host RAM the model accepts; `name` is what the user wrote it as (`--host-ram`, `hostRam`). */
export function checkHostRam(size: number, name: string): void {
  if (!(size >= 512 * MiB && size <= 64 * GiB && size % (2 * MiB) === 0))
    throw new InputError(`${name}: ${size} is not a multiple of 2 MiB from 512 MiB to 64 GiB`);
}

export class XenSystem {
  readonly mem = new PhysMem();
  readonly layout: Layout;
  readonly tree: XenTree;
  readonly hostRamBase = 0x80000000;
  readonly hostRamSize: number;
  readonly xenheap: FrameAllocator;
  readonly domheap: FrameAllocator;
  readonly cpus: PCpu[] = [];
  readonly xenheapPa: number;
  readonly xenheapSize: number;
  readonly frametablePa: number;
  readonly frametableSize: number;
  readonly warnings: string[] = [];
  /** VIRT_LIN_P2M window (from the layout) */
  readonly vlptStart: number;
  readonly vlptEnd: number;
  /** labels of what the boot code put in each slot, for `describeSlot` */
  private readonly slotLabel = new Map<number, string>();
  /** vmap.c state [V]: vm_end (bits), vm_top (bits the mapped bitmap covers), vm_low (lowest known clear bit) */
  private vmEnd = 0;
  private vmTop = 0;
  private vmLow = 0;
  /** bitmap pages vm_init allocated (`nr`) */
  private vmBitmapPages = 0;
  /** frame behind each allocated vmap page (for views) */
  private readonly vmapMfn = new Map<number, number>();
  readonly vmapL3 = new Map<number, number>(); // slot -> L3 table mfn
  readonly vmapStart: number;
  readonly vmapEnd: number;
  private bitmapMfn = 0;
  /** events Xen would print or that the model notes (vunmap through a clobbered slot, …) */
  readonly log: string[] = [];

  constructor(opts: SystemOptions = {}) {
    this.layout = opts.layout ?? embeddedLayout();
    this.tree = opts.tree ?? 'ac6e1ae';
    const ncpu = opts.cpus ?? 2;
    if (!Number.isInteger(ncpu) || ncpu < 1 || ncpu > 8)
      throw new InputError(`cpus: ${ncpu} is not a pCPU count from 1 to 8`);
    this.hostRamSize = opts.hostRamSize ?? 4 * GiB;
    checkHostRam(this.hostRamSize, 'host RAM size');
    const win = findRegion(this.layout, 'VIRT_LIN_P2M');
    if (!win)
      throw new InputError(
        `layout ${this.layout.source}: has no VIRT_LIN_P2M_START/END (the seed's window); VLPT cannot be modelled on it`,
      );
    this.vlptStart = win.start;
    this.vlptEnd = win.end;
    const vmap = findRegion(this.layout, 'VMAP');
    this.vmapStart = vmap ? vmap.start : 0x10000000;
    this.vmapEnd = vmap ? vmap.end : 0x40000000;

    // xenheap size in 2013: max(RAM/8 rounded up to 32 MiB, 128 MiB) [V] setup.c; capped at the 1 GiB window [A]
    let xh = Math.max(Math.ceil(this.hostRamSize / 8 / (32 * MiB)) * 32 * MiB, 128 * MiB);
    if (xh > GiB) {
      // [V] setup.c/mm.c @ ac6e1ae: setup_xenheap_mappings → create_32mb_mappings(xen_second,
      // XENHEAP_VIRT_START, …) writes one entry per 2 MiB with no bound; the cap came in 2015 (67c7e46c7c)
      this.warnings.push(
        `model: host RAM ${this.hostRamSize / GiB} GiB gives a ${xh / MiB} MiB xenheap by the 2013 rule max(RAM/8 rounded up to 32 MiB, 128 MiB), more than the 1 GiB XENHEAP window (slots 512–1023); 2013 setup_xenheap_mappings has no cap (added in 2015, 67c7e46c7c) and would write xen_second entries past slot 1023, beyond the array; the model maps only the first 1 GiB`,
      );
      xh = GiB;
    }
    this.xenheapPa = 0x82000000;
    this.xenheapSize = xh;
    // frametable: 24 B per page, rounded up to 32 MiB, no upper bound in 2013 [V] mm.c
    this.frametableSize = Math.ceil(((this.hostRamSize / 4096) * 24) / (32 * MiB)) * 32 * MiB;
    this.frametablePa = this.xenheapPa + xh;
    const domheapFirst = (this.frametablePa + this.frametableSize) / 4096;
    this.xenheap = new FrameAllocator('xenheap', this.xenheapPa / 4096, (this.xenheapPa + xh) / 4096);
    this.domheap = new FrameAllocator('domheap', domheapFirst, (this.hostRamBase + this.hostRamSize) / 4096);

    this.bootTables();
    for (let i = 0; i < ncpu; i++) this.addCpu(i);
    this.removeEarlyMappings();
    this.snapshotBoot();
  }

  // ---- boot ------------------------------------------------------------------------------

  private put(mfn: number, index: number, e: Uint32Array | number[]): void {
    this.mem.write(mfn, index, e[0]!, e[1]!);
  }

  /** the two halves of `xen_second[slot]` (read physically: for views and analysis) */
  secondHi(slot: number): number {
    return this.mem.readHi(XEN_SECOND_MFN + (slot >>> 9), slot & 511);
  }
  secondLo(slot: number): number {
    return this.mem.readLo(XEN_SECOND_MFN + (slot >>> 9), slot & 511);
  }
  /** `xen_second[slot]` into out[0]=hi, out[1]=lo */
  xenSecondRead(slot: number, out: Uint32Array): void {
    out[0] = this.secondHi(slot);
    out[1] = this.secondLo(slot);
  }

  /** boot-time write of a shared `xen_second` slot (physical; boot code runs before the MMU model) */
  private setSecond(slot: number, e: Uint32Array | number[], label: string): void {
    this.put(XEN_SECOND_MFN + (slot >>> 9), slot & 511, e);
    this.slotLabel.set(slot, label);
  }

  private bootTables(): void {
    const e = [0, 0];
    // the Xen image: text, rodata, data pages in xen_xenmap (slot 1)
    for (let i = 0; i < 512; i++) {
      const kind = i < TEXT_PAGES ? 'TEXT_PAGE' : i < TEXT_PAGES + RODATA_PAGES ? 'RODATA_PAGE' : 'TABLE';
      this.put(XEN_XENMAP_MFN, i, xenEntry(kind, XEN_IMAGE_MFN + i, e));
    }
    const xenVa = this.regionStart('XEN', 0x00200000);
    const fixVa = this.regionStart('FIXMAP', 0x00400000);
    const fdtVa = this.regionStart('BOOT_FDT', 0x00600000);
    this.setSecond(xenVa >>> 21, xenEntry('TABLE', XEN_XENMAP_MFN, e), 'table → xen_xenmap');
    for (const f of FIXMAP_SLOTS) this.put(XEN_FIXMAP_MFN, f.slot, xenEntry('DEV_PAGE', f.pa / 4096, e));
    this.setSecond(fixVa >>> 21, xenEntry('TABLE', XEN_FIXMAP_MFN, e), 'table → xen_fixmap');
    // boot FDT: a 2 MiB PT_MEM block [A] at the top of the first 32 MiB of RAM
    this.setSecond(fdtVa >>> 21, xenEntry('PT_MEM', 0x81e00, e), 'block → boot FDT');
    // frametable: 2 MiB blocks with the contiguous hint
    const ft = this.regionStart('FRAMETABLE', 0x02000000);
    for (let off = 0; off < this.frametableSize; off += 2 * MiB) {
      const slot = (ft + off) / (2 * MiB);
      if (slot >= 1024) break;
      this.setSecond(slot, xenEntry('CONTIG_BLOCK', (this.frametablePa + off) / 4096, e), 'block → frametable');
    }
    // xenheap: 2 MiB blocks with the contiguous hint
    const xh = this.regionStart('XENHEAP', 0x40000000);
    for (let off = 0; off < this.xenheapSize; off += 2 * MiB) {
      const slot = (xh + off) / (2 * MiB);
      if (slot >= 1024) break;
      this.setSecond(slot, xenEntry('CONTIG_BLOCK', (this.xenheapPa + off) / 4096, e), 'block → xenheap');
    }
    this.vmInit();
    // cpu0's root: 0,1 → xen_second; 2,3 → its dommap (added in addCpu)
  }

  /**
   * `vm_init()` [V] xen/common/vmap.c (2013): vm_end = 768 MiB / 4 KiB = 196608 bits;
   * vm_low = PFN_UP((196608 + 7) / 8) = PFN_UP(24576) = 6 pages reserved for the bitmap;
   * nr = PFN_UP((6 + 7) / 8) = 1 bitmap page allocated and mapped at VMAP_VIRT_START;
   * vm_top = 1 * 4096 * 8 = 32768 bits; bits 0–5 set. Then
   * `map_pages_to_xen(va, 0, vm_low - nr, MAP_SMALL_PAGES)` for pages 1–5: on x86 that only
   * builds the intermediate tables, but ARM's create_xen_entries(INSERT) writes valid leaves,
   * so 2013 ARM maps VMAP pages 1–5 to MFNs 0–4 [V] Xen commit c2453291b1 ("xen: Add
   * populate_pt_range interface…", 2015): "On arm for the pages mapped with PAGE_HYPERVISOR and
   * MAP_SMALL_PAGES both non-leaf and leaf level page table are allocated with valid bit". The
   * attribute index of those leaves (MAP_SMALL_PAGES truncated to the 3-bit ai field) is taken as
   * PAGE_HYPERVISOR's [A]. vmap.c takes the bitmap page from the domheap; the model takes it from
   * the xenheap so that guest frames keep their numbers [A] (only its physical address differs).
   */
  private vmInit(): void {
    this.vmEnd = (this.vmapEnd - this.vmapStart) / 4096;
    // unsigned int arithmetic: (x + 7) / 8 truncates, then PFN_UP rounds up to pages
    this.vmLow = Math.ceil(Math.floor((this.vmEnd + 7) / 8) / 4096);
    const nr = Math.ceil(Math.floor((this.vmLow + 7) / 8) / 4096);
    this.vmTop = nr * 4096 * 8;
    this.vmBitmapPages = nr;
    const bm = this.xenheap.alloc(0);
    if (bm === null) throw new Error('xenheap exhausted at boot');
    this.bitmapMfn = bm;
    this.mem.frameForWrite(bm); // clear_page
    this.vmapMapPage(this.vmapStart, bm);
    for (let i = 0; i < this.vmLow; i++) this.vmSet(i, true); // bitmap_fill(vm_bitmap, vm_low)
    for (let i = 0; i < this.vmLow - nr; i++) this.vmapMapPage(this.vmapStart + (nr + i) * 4096, i); // MAP_SMALL_PAGES: mfn 0, 1, …
  }

  /**
   * The early FDT mapping does not survive boot: construct_dom0 calls discard_initial_modules,
   * which ends with remove_early_mappings(): `write_pte(xen_second +
   * second_table_offset(BOOT_FDT_VIRT_START), 0)` and a flush of that 2 MiB [V]
   * xen/arch/arm/setup.c, domain_build.c, mm.c (late-2013 versions: the FDT is copied to the
   * xenheap by setup_mm first). The state the tools show is after dom0 is built.
   */
  private removeEarlyMappings(): void {
    const fdtSlot = this.regionStart('BOOT_FDT', 0x00600000) >>> 21;
    this.put(XEN_SECOND_MFN + (fdtSlot >>> 9), fdtSlot & 511, [0, 0]);
    this.slotLabel.delete(fdtSlot);
    this.earlyFdtRemoved = fdtSlot;
  }
  /** the xen_second slot remove_early_mappings cleared */
  earlyFdtRemoved = -1;

  private regionStart(name: string, dflt: number): number {
    const r = findRegion(this.layout, name);
    return r ? r.start : dflt;
  }

  private addCpu(id: number): void {
    const e = [0, 0];
    let root: number;
    let dommap: number;
    if (id === 0) {
      root = CPU0_PGTABLE_MFN;
      dommap = CPU0_DOMMAP_MFN;
    } else {
      // a xenheap page copied from cpu0's root; a cleared 2-page dommap [V] mm.c init_secondary_pagetables
      const r = this.xenheap.alloc(0);
      const d = this.xenheap.alloc(1);
      if (r === null || d === null) throw new Error('xenheap exhausted at boot');
      root = r;
      dommap = d;
    }
    this.mem.frameForWrite(root);
    this.mem.frameForWrite(dommap);
    this.mem.frameForWrite(dommap + 1);
    this.put(root, 0, xenEntry('ROOT_TO_SECOND', XEN_SECOND_MFN, e));
    this.put(root, 1, xenEntry('ROOT_TO_SECOND', XEN_SECOND_MFN + 1, e));
    this.put(root, 2, xenEntry('TABLE', dommap, e));
    this.put(root, 3, xenEntry('TABLE', dommap + 1, e));
    this.cpus.push({ id, mmu: new Mmu(id, this.mem, root), rootMfn: root, dommapMfn: dommap });
  }

  cpu(id: number): PCpu {
    const c = this.cpus[id];
    if (!c) throw new InputError(`pCPU: ${id} is not a pCPU of this system (0..${this.cpus.length - 1})`);
    return c;
  }

  /** VA of `xen_second[slot]`: the static array inside the Xen image */
  xenSecondVa(slot: number): number {
    return this.regionStart('XEN', 0x00200000) + (XEN_SECOND_MFN - XEN_IMAGE_MFN) * 4096 + slot * 8;
  }

  // ---- vmap (xen/common/vmap.c, map_domain_page_global) -------------------------------------
  //
  // A port of the 2013 allocator [V] xen/common/vmap.c (vm_init, vm_alloc, vm_index, vm_size,
  // vm_free, vmap, vunmap), on the ARM 2013 page-table code [V] xen/arch/arm/mm.c
  // (create_xen_entries INSERT/REMOVE: write_pte per page, then flush_xen_data_tlb_range_va).
  // The bitmap bits live in the bitmap frame mapped at VMAP_VIRT_START (bit i = VMAP page i).

  /** bits set = pages in use; bit i is word i >> 5 of the bitmap frame */
  private vmTest(i: number): boolean {
    if (i < 0 || i >= this.vmTop) return false;
    const f = this.mem.frame(this.bitmapMfn);
    return f !== undefined && (f[i >>> 5]! & (1 << (i & 31))) !== 0;
  }
  private vmSet(i: number, on: boolean): void {
    const f = this.mem.frameForWrite(this.bitmapMfn);
    const bit = 1 << (i & 31);
    f[i >>> 5] = on ? (f[i >>> 5]! | bit) >>> 0 : (f[i >>> 5]! & ~bit) >>> 0;
  }
  /** find_next_bit / find_next_zero_bit over [from, size): size when none */
  private vmFind(size: number, from: number, set: boolean): number {
    const f = this.mem.frame(this.bitmapMfn);
    const lim = Math.min(size, this.vmTop);
    for (let i = Math.max(0, from); i < lim;) {
      const w = f === undefined ? 0 : f[i >>> 5]!;
      const x = set ? w : ~w >>> 0;
      const rest = (x >>> (i & 31)) >>> 0;
      if (rest === 0) {
        i = (i | 31) + 1; // nothing in this word from bit i on
        continue;
      }
      const hit = i + (31 - Math.clz32(rest & -rest));
      return hit < lim ? hit : size;
    }
    return size;
  }

  /** boot-time / vmap level-3 mapping of one page at `va` (physical writes, as create_xen_entries) */
  private vmapMapPage(va: number, mfn: number): void {
    const slot = va >>> 21;
    let l3 = this.vmapL3.get(slot);
    const e = [0, 0];
    if (l3 === undefined) {
      // create_xen_table: alloc_xenheap_page, clear_page, write_pte of the table link
      const t = this.xenheap.alloc(0);
      if (t === null) throw new Error('xenheap exhausted');
      l3 = t;
      this.mem.frameForWrite(l3);
      this.vmapL3.set(slot, l3);
      this.setSecond(slot, xenEntry('TABLE', l3, e), 'table → vmap L3');
    }
    this.put(l3, (va >>> 12) & 511, xenEntry('TABLE', mfn, e));
  }

  /** is the level-3 entry of a vmap VA valid (create_xen_entries' INSERT/REMOVE test) */
  private vmapMapped(va: number): boolean {
    const l3 = this.vmapL3.get(va >>> 21);
    return l3 !== undefined && lpaeValid(this.mem.readLo(l3, (va >>> 12) & 511));
  }

  /** write_pte (dsb; strd; dsb) of one entry on `cpu`, counted: the barriers are part of the cost */
  private countedWritePte(cpu: number): void {
    const m = this.cpu(cpu).mmu;
    m.dsb();
    m.stats.stores++;
    m.dsb();
  }

  /**
   * `vm_alloc(nr, 1)` [V] vmap.c: first fit from `vm_low`; the `start + 1` skips one clear bit
   * so every allocation is preceded by a guard page; when nothing fits below `vm_top` it grows
   * the bitmap by one page mapped at VMAP_VIRT_START + vm_top / 8. Returns the page index, or -1.
   */
  private vmAlloc(cpu: number, nr: number): number {
    for (;;) {
      let start = this.vmLow;
      while (start < this.vmTop) {
        let bit = this.vmFind(this.vmTop, start + 1, true);
        if (bit > this.vmTop) bit = this.vmTop;
        start = start + 1; // (start + align) & ~(align - 1) with align 1: the guard page
        if (bit < this.vmTop) {
          if (start + nr < bit) break;
          start = this.vmFind(this.vmTop, bit + 1, false);
        } else {
          if (start + nr <= bit) break;
          start = bit;
        }
      }
      if (start < this.vmTop) {
        for (let b = start; b < start + nr; b++) this.vmSet(b, true);
        if (start <= this.vmLow + 2) this.vmLow = start + nr;
        return start;
      }
      if (this.vmTop >= this.vmEnd) return -1;
      const pg = this.domheap.alloc(0);
      if (pg === null) return -1;
      // map_pages_to_xen(VMAP_VIRT_START + vm_top / 8, pg, 1, PAGE_HYPERVISOR). On 2013 ARM the
      // page is already mapped by vm_init's MAP_SMALL_PAGES call (a valid leaf), so
      // create_xen_entries refuses and vm_alloc frees the page and returns NULL: vmap cannot grow
      // past vm_top = 32768 pages (128 MiB) [V] Xen commit c2453291b1 message (2015 fix).
      const va = this.vmapStart + this.vmTop / 8;
      if (this.vmapMapped(va)) {
        this.log.push(
          `create_xen_entries: trying to replace an existing mapping addr=${va.toString(16)} mfn=${pg.toString(16)}`,
        );
        this.domheap.free(pg, 0);
        return -1;
      }
      this.vmapMapPage(va, pg);
      this.countedWritePte(cpu);
      this.mem.frameForWrite(pg).fill(0);
      this.vmTop = Math.min(this.vmTop + 4096 * 8, this.vmEnd);
    }
  }

  /** `vm_index(va)` [V]: the allocation's first page (its guard bit clear, its own bit set), else 0 */
  private vmIndex(va: number): number {
    const addr = va - (va % 4096);
    if (addr < this.vmapStart + this.vmEnd / 8 || addr >= this.vmapStart + this.vmTop * 4096) return 0;
    const idx = (va - this.vmapStart) >>> 12;
    return !this.vmTest(idx - 1) && this.vmTest(idx) ? idx : 0;
  }
  /** `vm_size(va)` [V] */
  private vmSize(va: number): number {
    const start = this.vmIndex(va);
    if (!start) return 0;
    return Math.min(this.vmFind(this.vmTop, start + 1, false), this.vmTop) - start;
  }
  /** `vm_free(va)` [V] */
  private vmFree(va: number): void {
    let bit = this.vmIndex(va);
    if (!bit) {
      if (va !== 0)
        this.log.push(`vm_free(0x${va.toString(16)}): not the start of a vmap allocation — WARN_ON(va != NULL)`);
      return;
    }
    if (bit < this.vmLow) {
      this.vmLow = bit - 1;
      while (!this.vmTest(this.vmLow - 1)) --this.vmLow;
    }
    while (this.vmTest(bit)) {
      this.vmSet(bit, false);
      if (++bit === this.vmTop) break;
    }
  }

  /**
   * `map_domain_page_global(mfn)` = `vmap(&mfn, 1)`: `vm_alloc` (guard page, then the page),
   * `map_pages_to_xen` with PAGE_HYPERVISOR (write_pte: dsb, store, dsb), then
   * `flush_xen_data_tlb_range_va` (dsb, TLBIMVAH, dsb, isb) on `cpu` only. Returns the VA, or 0
   * (NULL) when vmap is exhausted. The seed does not check the result (finding `unchecked-vmap`).
   */
  mapDomainPageGlobal(cpu: number, mfn: number): number {
    const p = this.vmAlloc(cpu, 1);
    if (p < 0) return 0;
    const va = this.vmapStart + p * 4096;
    // create_xen_entries reads xen_second[slot]; if the slot no longer holds one of vmap's own
    // L3 tables (e.g. VLPT overwrote it), the 2013 code would follow whatever is there.
    const slot = va >>> 21;
    const l3 = this.vmapL3.get(slot);
    if (l3 !== undefined && !this.slotHoldsTable(slot, l3)) {
      this.log.push(
        `vmap: xen_second[${slot}] no longer links vmap's level-3 table; map_pages_to_xen(0x${va.toString(16)}) would write through a foreign table`,
      );
    }
    const hadTable = l3 !== undefined;
    this.vmapMapPage(va, mfn);
    if (!hadTable) this.countedWritePte(cpu); // create_xen_table's write_pte of the new link
    this.countedWritePte(cpu);
    this.vmapMfn.set(p, mfn);
    const c = this.cpu(cpu);
    c.mmu.dsb();
    c.mmu.tlbiMvaRange(va, 4096);
    c.mmu.dsb();
    c.mmu.isb();
    return va;
  }

  /**
   * `unmap_domain_page_global(va)` = `vunmap(va)`: `destroy_xen_mappings` over `vm_size(va)`
   * pages (write_pte of 0 each, then a local flush), then `vm_free`.
   */
  unmapDomainPageGlobal(cpu: number, va: number): void {
    const n = this.vmSize(va);
    const c = this.cpu(cpu);
    if (n === 0) {
      if (va !== 0) this.log.push(`vunmap(0x${va.toString(16)}): nothing mapped there by vmap`);
    }
    for (let i = 0; i < n; i++) {
      const pva = va - (va % 4096) + i * 4096;
      const slot = pva >>> 21;
      const l3 = this.vmapL3.get(slot);
      if (l3 === undefined || !this.slotHoldsTable(slot, l3)) {
        this.log.push(
          `vunmap(0x${pva.toString(16)}): xen_second[${slot}] no longer links vmap's level-3 table (it holds a guest p2m entry now); destroy_xen_mappings would clear an entry of a foreign table — the model leaves memory untouched`,
        );
      } else {
        this.mem.write(l3, (pva >>> 12) & 511, 0, 0);
      }
      this.countedWritePte(cpu);
      this.vmapMfn.delete((pva - this.vmapStart) >>> 12);
    }
    c.mmu.dsb();
    if (n > 0) c.mmu.tlbiMvaRange(va - (va % 4096), n * 4096);
    c.mmu.dsb();
    c.mmu.isb();
    this.vmFree(va);
  }

  private slotHoldsTable(slot: number, mfn: number): boolean {
    const hi = this.secondHi(slot);
    const lo = this.secondLo(slot);
    return lpaeValid(lo) && (lo & 2) !== 0 && lpaeBase(hi, lo) === mfn;
  }

  /** the vmap bitmap frame (its words are what an out-of-window VLPT read at 0x10000000 sees) */
  get vmapBitmapMfn(): number {
    return this.bitmapMfn;
  }

  /**
   * What vmap.c holds at VMAP page `p` (for views): the bitmap page, the pages vm_init reserved
   * for bitmap growth (2013 ARM: mapped to MFN p − 1 by its MAP_SMALL_PAGES call), an allocation
   * (with its frame), the guard page before one, or free.
   */
  vmapPage(p: number): { kind: 'bitmap' | 'bitmap-reserved' | 'allocated' | 'guard' | 'free'; mfn: number | null } {
    if (p < VMAP_BITMAP_PAGES)
      return {
        kind: p < this.vmBitmapPages ? 'bitmap' : 'bitmap-reserved',
        mfn: p < this.vmBitmapPages ? this.bitmapMfn : p - this.vmBitmapPages,
      };
    if (this.vmTest(p)) return { kind: 'allocated', mfn: this.vmapMfn.get(p) ?? null };
    if (this.vmTest(p + 1) && !this.vmTest(p) && this.vmIndex(this.vmapStart + (p + 1) * 4096) === p + 1)
      return { kind: 'guard', mfn: null };
    return { kind: 'free', mfn: null };
  }

  // ---- map_domain_page (per-pCPU xen_dommap) ------------------------------------------------

  /**
   * `map_domain_page(mfn)` on `cpu` [V] mm.c @ ac6e1ae: probe the dommap as an open-addressed
   * hash from `(slot_mfn >> 9) % 1024`, reuse a slot with the same 2 MiB base and refcount < 15,
   * else take the first free slot and write a 2 MiB block with refcount 1; then a local flush of
   * the one 4 KiB VA. Returns the VA (0x80000000 + slot * 2 MiB + (mfn & 511) * 4 KiB).
   */
  mapDomainPage(cpu: number, mfn: number): number {
    const c = this.cpu(cpu);
    const slotMfn = mfn - (mfn % 512);
    const domheapVa = this.regionStart('DOMHEAP', 0x80000000);
    let slot = (slotMfn / 512) % 1024;
    let chosen = -1;
    for (let probes = 0; probes < 1024; probes++, slot = (slot + 1) % 1024) {
      const page = c.dommapMfn + (slot >>> 9);
      const hi = this.mem.readHi(page, slot & 511);
      const lo = this.mem.readLo(page, slot & 511);
      const count = lpaeAvail(hi);
      if (lpaeValid(lo) && lpaeBase(hi, lo) === slotMfn && count < 15) {
        // reuse: refcount++ (a plain store into the entry; no TLB work)
        this.mem.write(page, slot & 511, ((hi & ~(0xf << 23)) | ((count + 1) << 23)) >>> 0, lo);
        chosen = slot;
        break;
      }
      if (count === 0) {
        const e = dommapEntry(slotMfn, 1);
        c.mmu.dsb(); // write_pte: dsb; strd; dsb
        this.mem.write(page, slot & 511, e[0]!, e[1]!);
        c.mmu.dsb();
        c.mmu.stats.stores++;
        chosen = slot;
        break;
      }
    }
    if (chosen < 0) throw new Error('BUG_ON: xen_dommap exhausted (all 1024 slots busy)');
    const va = (domheapVa + chosen * 0x200000 + (mfn % 512) * 4096) >>> 0;
    // flush_xen_data_tlb_range_va(va, PAGE_SIZE): dsb; TLBIMVAH; dsb; isb (local)
    c.mmu.dsb();
    c.mmu.tlbiMvaRange(va, 4096);
    c.mmu.dsb();
    c.mmu.isb();
    return va;
  }

  /** `unmap_domain_page(va)`: only the refcount goes down [V]. */
  unmapDomainPage(cpu: number, va: number): void {
    const c = this.cpu(cpu);
    const domheapVa = this.regionStart('DOMHEAP', 0x80000000);
    const slot = Math.floor((va - domheapVa) / 0x200000);
    if (slot < 0 || slot >= 1024) return;
    const page = c.dommapMfn + (slot >>> 9);
    const hi = this.mem.readHi(page, slot & 511);
    const lo = this.mem.readLo(page, slot & 511);
    const count = lpaeAvail(hi);
    if (count === 0) return;
    this.mem.write(page, slot & 511, ((hi & ~(0xf << 23)) | ((count - 1) << 23)) >>> 0, lo);
  }

  // ---- description -------------------------------------------------------------------------

  /** Region and boot-time meaning of every slot, with the slot's current raw entry. */
  describeSlot(slot: number): SlotInfo {
    const va = slot * 0x200000;
    const reg: Region | null = regionOf(this.layout, va);
    const hi = this.secondHi(slot);
    const lo = this.secondLo(slot);
    let what: string;
    if (!lpaeValid(lo)) what = 'invalid';
    else {
      const label = this.slotLabel.get(slot);
      const base = lpaeBase(hi, lo);
      if (label && this.bootEntryStillThere(slot, hi, lo)) what = label;
      else what = `${(lo & 2) !== 0 ? 'table' : 'block'} → mfn 0x${base.toString(16)}`;
    }
    return { slot, va, region: reg ? reg.name : null, hi, lo, what };
  }

  private readonly bootValue = new Map<number, [number, number]>();
  /** remember boot values so descriptions can tell "still what boot put there" from "overwritten" */
  snapshotBoot(): void {
    for (let s = 0; s < 1024; s++) {
      this.bootValue.set(s, [this.secondHi(s), this.secondLo(s)]);
    }
  }
  private bootEntryStillThere(slot: number, hi: number, lo: number): boolean {
    const b = this.bootValue.get(slot);
    return b === undefined || (b[0] === hi && b[1] === lo);
  }
  bootEntry(slot: number): [number, number] | undefined {
    return this.bootValue.get(slot);
  }

  /** xen_second slots occupied by the frametable mapping */
  frametableSlots(): [number, number] {
    const ft = this.regionStart('FRAMETABLE', 0x02000000) >>> 21;
    return [ft, Math.min(1024, ft + this.frametableSize / (2 * MiB))];
  }
}

export { XEN_ENTRY };
