/**
 * GPA → VLPT PTE → descriptor, and Xen VA → meaning: the answers the CLI, hovers and trees
 * show. `VlptResolver.resolveInto` is the allocation-free hot path; `resolveGpa` and
 * `describeVa` build the full, friendly reports on top of it.
 */
import { hex, hex64, humanSize } from './numbers';
import {
  describeRaw,
  kindAt,
  lpaeBase,
  lpaeValid,
  p2mFieldsJson,
  p2mTypeName,
  ptFieldsJson,
  type DescriptorKind,
} from './lpae';
import { FAULT_NAMES, FAULT_NONE, WalkRecord, type CpuStats, type Mmu, type TlbChunk } from './mmu';
import { AC6E1AE_GPA_LIMIT, p2mLeaf, p2mLookup, type Domain, type P2mCost } from './p2m';
import { getVlpt3lvlPte } from './vlpt';
import { regionOf } from './layout/embedded';
import { FIXMAP_SLOTS, VMAP_BITMAP_PAGES, XEN_SECOND_MFN, type XenSystem } from './xenPageTables';

export const GPA_LIMIT = 0x100_0000_0000; // 40 bits

/** Allocation-free resolver for one domain on one pCPU. */
export class VlptResolver {
  private readonly rec = new WalkRecord();
  private readonly mmu: Mmu;
  private readonly pages: Array<TlbChunk | null>;
  private readonly stats: CpuStats;
  private readonly base: number;
  constructor(
    readonly sys: XenSystem,
    readonly cpu: number,
  ) {
    this.mmu = sys.cpu(cpu).mmu;
    this.pages = this.mmu.tlb.pages;
    this.stats = this.mmu.stats;
    this.base = sys.vlptStart;
  }
  /**
   * Load the VLPT PTE of `gpa` through the pCPU's TLB and tables (what the fault handler does).
   * Returns true and the raw entry in out[0]=hi, out[1]=lo; false on a fault. The warm path
   * (a TLB hit on a page whose frame exists) is two array loads, counted as a TLB hit like
   * every other access; misses go through `Mmu.translate`.
   */
  resolveInto(gpa: number, out: Uint32Array): boolean {
    const va = (this.base + Math.floor(gpa / 4096) * 8) >>> 0;
    const c = this.pages[va >>> 24]!;
    const f0 = c === null ? null : c.frame[(va >>> 12) & 4095]!;
    if (f0 !== null) {
      this.stats.tlbHits++;
      const i = (va & 0xfff) >>> 2;
      out[0] = f0[i | 1]!;
      out[1] = f0[i]!;
      return true;
    }
    const pa = this.mmu.translate(va, false, this.rec);
    if (pa < 0) return false;
    const f = this.sys.mem.frame(Math.floor(pa / 4096));
    const idx = (pa & 0xfff) >>> 3;
    out[0] = f === undefined ? 0 : f[(idx << 1) | 1]!;
    out[1] = f === undefined ? 0 : f[idx << 1]!;
    return true;
  }
}

export interface StepJson {
  level: number;
  /** physical address of the table read */
  table: string;
  /** what that table is */
  tableName: string;
  index: number;
  entryAddress: string;
  raw: string;
  kind: DescriptorKind;
  /** the entry decoded as the MMU reads it here (Xen stage-1 view) */
  fields: Record<string, unknown>;
  /** for guest entries read by Xen's MMU: the same bits in the p2m view (cross-interpretation) */
  asP2m: Record<string, unknown> | null;
  meaning: string;
}

export interface ResolveReport {
  gpa: string;
  gfn: string;
  vlptVa: string;
  xenSecondSlot: number | null;
  region: string | null;
  p2mIndex: { first: number; second: number; third: number; firstPage: number; firstEntry: number };
  cpu: number;
  steps: StepJson[];
  /** the backing p2m leaf (from the guest's tables), valid:false when unmapped */
  descriptor: {
    raw: string;
    valid: boolean;
    kind: DescriptorKind;
    type: string | null;
    mfn: string;
    pa: string | null;
    level: number;
    fields: Record<string, unknown>;
  };
  /** what the VLPT load returned (null when it faulted) */
  vlptEntry: string | null;
  /** PA of the word the VLPT access reads, null on a fault */
  vlptEntryPa: string | null;
  fault: { level: number; kind: string } | null;
  tlbHit: boolean;
  p2mLookup: {
    pa: string | null;
    level: number;
    cost: Omit<P2mCost, 'cpu'> & { tlbHits: number; tlbMisses: number };
    /** ac6e1ae only: the GPA p2m_lookup really walks for a GPA ≥ 512 GiB (GPA − 512 GiB), else null */
    aliasOf: string | null;
  };
  agrees: boolean;
  /** why it (dis)agrees, in words */
  verdict: string;
}

function tableLabel(sys: XenSystem, d: Domain | null, level: number, mfn: number, cpu: number): string {
  if (level === 1) return `xen_pgtable (pCPU${cpu})`;
  if (mfn === XEN_SECOND_MFN || mfn === XEN_SECOND_MFN + 1) return `xen_second page ${mfn - XEN_SECOND_MFN}`;
  const c = sys.cpus[cpu];
  if (c && (mfn === c.dommapMfn || mfn === c.dommapMfn + 1)) return `xen_dommap page ${mfn - c.dommapMfn} (pCPU${cpu})`;
  if (d) {
    for (let l1 = 0; l1 < 1024; l1++) {
      const lo = sys.mem.readLo(d.rootMfn + (l1 >>> 9), l1 & 511);
      if ((lo & 3) === 3 && lpaeBase(sys.mem.readHi(d.rootMfn + (l1 >>> 9), l1 & 511), lo) === mfn)
        return `${d.name} p2m level-2 table of GPA ${hex(l1 * 0x40000000)}–${hex((l1 + 1) * 0x40000000)}`;
    }
  }
  for (const [slot, l3] of sys.vmapL3) if (l3 === mfn) return `vmap level-3 table (slot ${slot})`;
  return `table at mfn ${hex(mfn)}`;
}

/** Walk steps as JSON, naming each table and giving the cross-interpretation for guest entries. */
export function stepsJson(sys: XenSystem, d: Domain | null, cpu: number, va: number, rec: WalkRecord): StepJson[] {
  const steps: StepJson[] = [];
  const inWindow = va >= sys.vlptStart && va < sys.vlptEnd;
  for (let s = 0; s < rec.n; s++) {
    const level = rec.level[s]!;
    const mfn = rec.tableMfn[s]!;
    const index = rec.index[s]!;
    const hi = rec.hi[s]!;
    const lo = rec.lo[s]!;
    const tableName = tableLabel(sys, d, level, mfn, cpu);
    const isSecond = mfn === XEN_SECOND_MFN || mfn === XEN_SECOND_MFN + 1;
    const slotIndex = isSecond ? (mfn - XEN_SECOND_MFN) * 512 + index : index;
    let meaning: string;
    const guestEntry = inWindow && d !== null && level >= 2;
    if (level === 1) meaning = `root entry ${index} (VA[31:30])`;
    else if (level === 2 && isSecond)
      meaning = `xen_second[${slotIndex}]${guestEntry ? ` = copy of ${d!.name} L1[${slotIndex - (sys.vlptStart >>> 21)}]` : ''}`;
    else if (level === 3 && guestEntry) meaning = `${d!.name} L2[${index}] read as a Xen level-3 page descriptor`;
    else meaning = `entry ${index}`;
    steps.push({
      level,
      table: hex(mfn * 4096),
      tableName,
      index: isSecond ? slotIndex : index,
      entryAddress: hex(mfn * 4096 + index * 8),
      raw: hex64(hi, lo),
      kind: kindAt(level, lo),
      fields: ptFieldsJson(hi, lo),
      asP2m: guestEntry ? p2mFieldsJson(sys.tree, hi, lo) : null,
      meaning,
    });
  }
  return steps;
}

export interface ResolveOptions {
  /** walk with the TLB (default true: what the CPU does) */
  useTlb?: boolean;
}

/** Full report for one GPA: VLPT walk on `cpu`, the true leaf, and `p2m_lookup` as reference. */
export function resolveGpa(
  sys: XenSystem,
  d: Domain,
  cpu: number,
  gpa: number,
  opts: ResolveOptions = {},
): ResolveReport {
  const va = getVlpt3lvlPte(sys, gpa);
  const mmu = sys.cpu(cpu).mmu;
  const rec = new WalkRecord();
  // the steps always show the table walk; the access itself uses the TLB when asked
  mmu.walk(va, false, rec);
  const steps = stepsJson(sys, d, cpu, va, rec);
  const access = new WalkRecord();
  const pa =
    opts.useTlb === false
      ? (mmu.walk(va, false, access), access.fault === FAULT_NONE ? access.pa : -1)
      : mmu.translate(va, false, access);
  let vlptEntry: string | null = null;
  let vHi = 0;
  let vLo = 0;
  if (pa >= 0) {
    vHi = sys.mem.readHi(Math.floor(pa / 4096), (pa & 0xfff) >>> 3);
    vLo = sys.mem.readLo(Math.floor(pa / 4096), (pa & 0xfff) >>> 3);
    vlptEntry = hex64(vHi, vLo);
  }
  const leaf = new Uint32Array(2);
  const level = p2mLeaf(sys, d, gpa, leaf);
  const leafValid = level === 3 && (leaf[1]! & 3) === 3;
  const desc = describeRaw(3, leaf[0]!, leaf[1]!);
  const look = p2mLookup(sys, d, cpu, gpa);
  // Agreement: VLPT "says" mapped when it loaded a valid level-3 page entry; then its output
  // must equal p2m_lookup's. A fault or an invalid entry must meet INVALID_PADDR.
  const vlptPa = pa >= 0 && (vLo & 3) === 3 ? lpaeBase(vHi, vLo) * 4096 + (gpa % 4096) : -1;
  const agrees = vlptPa === look.pa;
  const slot = va < 0x80000000 ? va >>> 21 : null;
  const reg = regionOf(sys.layout, va);
  // ac6e1ae's p2m_lookup maps root page 0 only and indexes it with first_table_offset (masked
  // to 511): a GPA ≥ 512 GiB is looked up as GPA − 512 GiB (p2m.c @ ac6e1ae, doc §5) [V]
  const alias = sys.tree === 'ac6e1ae' && gpa >= AC6E1AE_GPA_LIMIT ? gpa - AC6E1AE_GPA_LIMIT : null;
  const truthPa = leafValid ? lpaeBase(leaf[0]!, leaf[1]!) * 4096 + (gpa % 4096) : -1;
  const inWindow = va >= sys.vlptStart && va < sys.vlptEnd;
  // outside the window the pointer lands in other Xen memory (no range check, finding no-range-check)
  const where = inWindow
    ? `${reg ? reg.name : 'an unnamed area'} at VA ${hex(va, 8)}`
    : `${reg ? reg.name : 'unnamed'} memory at VA ${hex(va, 8)} (not a PTE: get_vlpt_3lvl_pte has no range check)`;
  let verdict: string;
  if (agrees) verdict = look.pa >= 0 ? 'VLPT and p2m_lookup give the same machine address' : 'both say unmapped';
  else if (pa < 0)
    verdict = `VLPT faults (level ${access.faultLevel} ${FAULT_NAMES[access.fault]}) but p2m_lookup finds ${hex(look.pa)}`;
  else if (look.pa < 0)
    verdict = `VLPT reads ${hex64(vHi, vLo)} from ${where} as a valid PTE, but p2m_lookup says unmapped`;
  else if (vlptPa < 0)
    // the load worked but read no valid level-3 entry: the dirty-page handler would take the GPA as unmapped
    verdict = `VLPT reads ${hex64(vHi, vLo)} from ${where}, not a valid level-3 entry (VLPT says unmapped), but p2m_lookup finds ${hex(look.pa)}`;
  else
    verdict = `VLPT reads ${hex64(vHi, vLo)} from ${where}: machine address ${hex(vlptPa)}, but p2m_lookup gives ${hex(look.pa)}`;
  if (alias !== null && look.pa >= 0 && look.pa !== truthPa)
    verdict += `; and p2m_lookup is no reference here: on ac6e1ae it uses only p2m root page 0 indexed with first_table_offset (masked to 511), so GPA ${hex(gpa)} is looked up as ${hex(alias)}; the guest's own p2m (L1[${Math.floor(gpa / 0x40000000) % 1024}], root page 1) ${truthPa >= 0 ? `maps it to ${hex(truthPa)}` : 'maps nothing there'}`;
  return {
    gpa: hex(gpa),
    gfn: hex(Math.floor(gpa / 4096)),
    vlptVa: hex(va),
    xenSecondSlot: slot,
    region: reg ? reg.name : null,
    p2mIndex: {
      first: Math.floor(gpa / 0x40000000) % 1024,
      second: Math.floor(gpa / 0x200000) % 512,
      third: Math.floor(gpa / 4096) % 512,
      firstPage: Math.floor(gpa / 0x40000000 / 512) % 2,
      firstEntry: Math.floor(gpa / 0x40000000) % 512,
    },
    cpu,
    steps,
    descriptor: {
      raw: desc.raw,
      valid: leafValid,
      kind: level === 3 ? desc.kind : 'invalid',
      type: leafValid ? p2mTypeName(sys.tree, leaf[0]!) : null,
      mfn: desc.mfn,
      pa: leafValid ? hex(lpaeBase(leaf[0]!, leaf[1]!) * 4096 + (gpa % 4096)) : null,
      level,
      fields: p2mFieldsJson(sys.tree, leaf[0]!, leaf[1]!),
    },
    vlptEntry,
    vlptEntryPa: pa >= 0 ? hex(pa) : null,
    fault: pa < 0 ? { level: access.faultLevel, kind: FAULT_NAMES[access.fault] } : null,
    tlbHit: access.tlbHit,
    p2mLookup: {
      pa: look.pa >= 0 ? hex(look.pa) : null,
      level: look.level,
      cost: {
        mapDomainPage: look.cost.mapDomainPage,
        unmapDomainPage: look.cost.unmapDomainPage,
        entryLoads: look.cost.entryLoads,
        tlbInvalidations: look.cost.tlbInvalidations,
        lock: look.cost.lock,
        tlbHits: look.cost.cpu.tlbHits,
        tlbMisses: look.cost.cpu.tlbMisses,
      },
      aliasOf: alias !== null ? hex(alias) : null,
    },
    agrees,
    verdict,
  };
}

/** What vmap.c holds at VMAP page `p` (doc §2; src/core/xenPageTables.ts vmap port) */
function vmapMeaning(sys: XenSystem, p: number): string {
  const v = sys.vmapPage(p);
  switch (v.kind) {
    case 'bitmap':
      return `vmap bitmap (page ${p} of ${VMAP_BITMAP_PAGES} reserved: vm_init's bitmap page, bits for VMAP pages 0–32767)`;
    case 'bitmap-reserved':
      return `vmap bitmap (page ${p} of ${VMAP_BITMAP_PAGES} reserved for bitmap growth); on 2013 ARM vm_init's map_pages_to_xen(…, 0, 5, MAP_SMALL_PAGES) mapped it to MFN ${hex(v.mfn!)} (PA ${hex(v.mfn! * 4096)}) as a valid page, fixed in 2015 by populate_pt_range`;
    case 'allocated':
      return `vmap page ${p}: allocated (vmap of mfn ${v.mfn === null ? '?' : hex(v.mfn)}, e.g. map_domain_page_global)`;
    case 'guard':
      return `vmap page ${p}: guard page before the allocation at page ${p + 1} (vm_alloc leaves one clear bit), nothing mapped`;
    default:
      return `vmap page ${p}: free (not allocated), nothing mapped`;
  }
}

export interface VaReport {
  va: string;
  region: string | null;
  regionRange: { start: string; end: string } | null;
  xenSecondSlot: number | null;
  /** for DOMHEAP: the per-pCPU xen_dommap slot */
  dommapSlot: number | null;
  /** in the VLPT window: the GPA range whose PTE lives at this VA */
  gpa: { start: string; end: string; gfn: string; byteInPte: number } | null;
  meaning: string;
  cpu: number;
  steps: StepJson[];
  pa: string | null;
  fault: { level: number; kind: string } | null;
  slotEntry: { raw: string; what: string } | null;
}

/** Xen VA → region, slot, meaning, and (inside the VLPT window) the GPA whose PTE is there. */
export function describeVa(sys: XenSystem, d: Domain | null, cpu: number, vaIn: number): VaReport {
  const va = vaIn >>> 0;
  const reg = regionOf(sys.layout, va);
  const slot = va < 0x80000000 ? va >>> 21 : null;
  let gpa: VaReport['gpa'] = null;
  let meaning = reg ? reg.description : 'nothing mapped (unused hole of the map)';
  if (va >= sys.vlptStart && va < sys.vlptEnd) {
    const gfn = Math.floor((va - sys.vlptStart) / 8);
    gpa = { start: hex(gfn * 4096), end: hex(gfn * 4096 + 4096), gfn: hex(gfn), byteInPte: (va - sys.vlptStart) % 8 };
    meaning = `${(va - sys.vlptStart) % 8 === 0 ? 'PTE' : 'inside the PTE'} of gfn ${hex(gfn)} (GPA ${hex(gfn * 4096)}–${hex(gfn * 4096 + 4095)})`;
  } else if (reg?.name === 'FIXMAP') {
    const n = Math.floor((va - reg.start) / 4096);
    const f = FIXMAP_SLOTS.find((x) => x.slot === n);
    meaning = f ? `FIXMAP_ADDR(${f.name}) = FIXMAP_ADDR(${n})` : `FIXMAP_ADDR(${n}) (unused fixmap slot)`;
  } else if (reg?.name === 'BOOT_FDT' && slot === sys.earlyFdtRemoved) {
    meaning = `${reg.description}: removed after boot (construct_dom0 → discard_initial_modules → remove_early_mappings cleared xen_second[${slot}]; the FDT was copied to the xenheap)`;
  } else if (reg?.name === 'VMAP') {
    meaning = vmapMeaning(sys, Math.floor((va - reg.start) / 4096));
  } else if (reg?.name === 'XENHEAP') {
    const off = va - reg.start;
    meaning =
      off < sys.xenheapSize
        ? `xenheap direct map of PA ${hex(sys.xenheapPa + off)}`
        : `beyond this host's xenheap: ${humanSize(sys.xenheapSize)} mapped at ${hex(reg.start, 8)}–${hex(reg.start + sys.xenheapSize, 8)} (xenheap_virt_end), nothing above`;
  } else if (reg?.name === 'FRAMETABLE') {
    const idx = Math.floor((va - reg.start) / 24);
    const pages = sys.hostRamSize / 4096;
    meaning =
      va - reg.start < sys.frametableSize
        ? `frametable: page_info of frame index ${hex(idx)} (24 B each)${idx >= pages ? `, past the ${hex(pages)} host frames (padding of the 32 MiB rounding, memset to 0xff)` : ''}`
        : `beyond this host's frametable: ${humanSize(sys.frametableSize)} mapped at ${hex(reg.start, 8)}–${hex(reg.start + sys.frametableSize, 8)} for ${humanSize(sys.hostRamSize)} of RAM, nothing above`;
  } else if (reg?.name === 'DOMHEAP') {
    meaning = `xen_dommap slot ${Math.floor((va - reg.start) / 0x200000)} of the executing pCPU (map_domain_page)`;
  }
  const rec = new WalkRecord();
  sys.cpu(cpu).mmu.walk(va, false, rec);
  let slotEntry: VaReport['slotEntry'] = null;
  if (slot !== null) {
    const info = sys.describeSlot(slot);
    slotEntry = { raw: hex64(info.hi, info.lo), what: info.what };
    // a slot prepare_vlpt copied a guest L1 entry into, outside the window (finding window-overrun)
    const winLo = sys.vlptStart >>> 21;
    const winHi = Math.ceil(sys.vlptEnd / 0x200000);
    const boot = sys.bootEntry(slot);
    const rewritten = boot !== undefined && (boot[0] !== info.hi || boot[1] !== info.lo);
    if (
      d !== null &&
      (slot < winLo || slot >= winHi) &&
      slot >= d.dirty.secondLvlStart &&
      slot < d.dirty.secondLvlEnd &&
      rewritten
    )
      meaning += ` — but xen_second[${slot}] now holds a copy of ${d.name} L1[${slot - winLo}] written by prepare_vlpt (window-overrun), ${lpaeValid(info.lo) ? 'so Xen reads the guest p2m here' : 'an invalid entry: nothing is mapped here any more'}`;
  }
  // the meaning names what the design puts here; say when the walk finds nothing there now
  if (
    rec.fault !== FAULT_NONE &&
    !/nothing (is )?mapped|not allocated|removed after boot|beyond this host|unused fixmap|guard page|free \(/.test(
      meaning,
    )
  )
    meaning += ` (not mapped now: level ${rec.faultLevel} ${FAULT_NAMES[rec.fault]} fault)`;
  return {
    va: hex(va),
    region: reg ? reg.name : null,
    regionRange: reg ? { start: hex(reg.start), end: hex(reg.end) } : null,
    xenSecondSlot: slot,
    dommapSlot: reg?.name === 'DOMHEAP' ? Math.floor((va - reg.start) / 0x200000) : null,
    gpa,
    meaning,
    cpu,
    steps: stepsJson(sys, d, cpu, va, rec),
    pa: rec.fault === FAULT_NONE ? hex(rec.pa) : null,
    fault: rec.fault === FAULT_NONE ? null : { level: rec.faultLevel, kind: FAULT_NAMES[rec.fault] },
    slotEntry,
  };
}
