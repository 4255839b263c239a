/**
 * A guest's stage-2 p2m in late 2013 (reference doc §5): 3 levels, 4 KiB granule, 40-bit IPA,
 * a 2-page concatenated first level (1024 entries, IPA[39:30]), level 2 IPA[29:21], level 3
 * IPA[20:12]; every leaf a 4 KiB page with table=1; no blocks. Plus `p2m_lookup`, the software
 * reference, with its cost counted.
 *
 * Guest RAM is one bank [ramBase, ramBase + ramSize). Its frames are synthetic [A]:
 * mfn = mfnBase + (gfn - ramBase/4 KiB), mfnBase = 0x1000000 (host PA 64 GiB) for the first
 * domain and +0x1000000 per further domain; the p2m's own tables come from the domheap.
 */
import { InputError } from './errors';
import { hex, humanSize } from './numbers';
import { p2mLeafEntry, p2mTableEntry, lpaeBase, lpaeValid, type P2mType, type XenTree } from './lpae';
import type { XenSystem } from './xenPageTables';
import { diffStats, type CpuStats } from './mmu';

const GiB = 0x40000000;
export const IPA_LIMIT = 0x100_0000_0000; // 2^40
export const DEFAULT_RAM_BASE = 0x80000000; // GUEST_RAM_BASE [V] libxc / public header @ 9a80d50
export const DEFAULT_RAM_SIZE = 512 * 1024 * 1024;
export const FIRST_MFN_BASE = 0x1000000;

export interface GuestOptions {
  ramBase?: number;
  ramSize?: number;
  /** pages of `max_pages` beyond RAM that are not mapped (libxl's 1 MiB slack = 256) */
  slackPages?: number;
  /** map libxc's 2 magic pages (console, xenstore) right after RAM */
  magicPages?: boolean;
  name?: string;
  /** first backing frame; default FIRST_MFN_BASE + domid * 0x1000000 */
  mfnBase?: number;
}

/** `d->arch.dirty` of the seed [P] */
export interface DirtyState {
  secondLvlStart: number;
  secondLvlEnd: number;
  /** VAs of the two shadow pages (0 = NULL) */
  secondLvl: [number, number];
  /** the order-1 allocation behind them (not in Xen's struct; kept to show the leak) */
  secondLvlMfn: number | null;
}

export class Domain {
  readonly dirty: DirtyState = { secondLvlStart: 0, secondLvlEnd: 0, secondLvl: [0, 0], secondLvlMfn: null };
  /** every p2m table frame: level -> mfns */
  readonly tables = { l2: 0, l3: 0 };
  constructor(
    readonly domid: number,
    readonly name: string,
    readonly ramBase: number,
    readonly ramSize: number,
    readonly maxPages: number,
    readonly mfnBase: number,
    /** first of the two root pages (`p2m->first_level`) */
    readonly rootMfn: number,
    readonly tree: XenTree,
  ) {}

  /** `get_gma_start_end` [P context]: start = GUEST_RAM_BASE, end = start + max_pages << 12 */
  gmaStartEnd(): [number, number] {
    return [this.ramBase, this.ramBase + this.maxPages * 4096];
  }

  /** the backing frame of a RAM gfn (model) */
  mfnOfGfn(gfn: number): number {
    return this.mfnBase + (gfn - this.ramBase / 4096);
  }
}

/**
 * On ac6e1ae `create_p2m_entries` uses only root page 0, indexed with `first_table_offset`,
 * and `BUG_ON`s a start or exclusive end with bit 39 set (p2m.c @ ac6e1ae; doc §5 "ac6e1ae quirk")
 * [V]: no guest RAM can exist at or above 512 GiB on that tree, and RAM cannot end at it either. 9a80d50 picks the root page with
 * `zeroeth_table_offset` (commit 6c5b00aae9) and maps all 40 bits [V].
 */
export const AC6E1AE_GPA_LIMIT = 0x80_0000_0000; // 2^39 = 512 GiB

/**
 * Validate guest RAM as the CLI contract wants: page-multiple, non-zero, inside 40 bits, and
 * (given a tree) mappable by that tree's `create_p2m_entries`.
 */
export function checkGuestRam(ramBase: number, ramSize: number, tree?: XenTree): void {
  if (!Number.isSafeInteger(ramBase) || ramBase < 0 || ramBase % 4096 !== 0)
    throw new InputError(`--ram-base: ${hex(ramBase)} is not a 4 KiB-aligned guest physical address`);
  if (!Number.isSafeInteger(ramSize) || ramSize <= 0 || ramSize % 4096 !== 0)
    throw new InputError(`--ram-size: ${hex(ramSize)} is not a non-zero multiple of 4 KiB`);
  if (ramBase + ramSize > IPA_LIMIT)
    throw new InputError(
      `--ram-base/--ram-size: RAM ${hex(ramBase)}..${hex(ramBase + ramSize)} does not fit in the 40-bit IPA space (ends past 0x10000000000)`,
    );
  // create_p2m_entries @ ac6e1ae: BUG_ON(start_gpaddr & 0x8000000000ULL); BUG_ON(end_gpaddr &
  // 0x8000000000ULL) with an exclusive end, so even RAM ending exactly at 512 GiB trips it [V]
  if (tree === 'ac6e1ae' && ramBase + ramSize >= AC6E1AE_GPA_LIMIT)
    throw new InputError(
      `--ram-base/--ram-size: RAM ${hex(ramBase)}..${hex(ramBase + ramSize)} reaches 512 GiB (0x8000000000); on tree ac6e1ae create_p2m_entries BUG_ONs when the start or the exclusive end has GPA bit 39 set (only p2m root page 0 is used), so guest RAM must end below 0x8000000000 (use --tree 9a80d50)`,
    );
}

/**
 * First backing frame of a domain's RAM [A]: 64 GiB up (+64 GiB per further domain), or, when
 * that would pass the 40-bit physical space (a guest over 960 GiB), the top of it, above the
 * host's RAM. A guest whose frames cannot fit beside the host RAM at all cannot be modelled:
 * the error names `--ram-size` and the limit. (Xen itself only needs `max_pages` for
 * `prepare_vlpt`; the model backs every RAM page with a frame.)
 */
export function guestMfnBase(sys: XenSystem, domid: number, frames: number): number {
  const preferred = FIRST_MFN_BASE + (domid - 1) * 0x1000000;
  if (preferred + frames <= 0x10000000) return preferred;
  const hostEnd = (sys.hostRamBase + sys.hostRamSize) / 4096;
  const top = 0x10000000 - frames;
  if (top >= hostEnd) return top;
  const maxBytes = (0x10000000 - hostEnd) * 4096;
  throw new InputError(
    `--ram-size: ${humanSize(frames * 4096)} of guest RAM needs ${hex(frames)} backing frames, but the 40-bit physical space has ${hex(0x10000000 - hostEnd)} above this host's RAM (${hex(sys.hostRamBase)}..${hex(sys.hostRamBase + sys.hostRamSize)}): the model can back at most ${humanSize(maxBytes)} (${hex(maxBytes)}) of guest RAM`,
  );
}

/**
 * Build a guest p2m as `p2m_alloc_table` + `create_p2m_entries` leave it: the order-1 root
 * cleared, one level-2 table per 1 GiB and one level-3 table per 2 MiB that holds RAM.
 * Written physically (the build is set-up, not the subject); the walks are emulated.
 */
export function buildGuest(sys: XenSystem, opts: GuestOptions = {}, domid = 1): Domain {
  const ramBase = opts.ramBase ?? DEFAULT_RAM_BASE;
  const ramSize = opts.ramSize ?? DEFAULT_RAM_SIZE;
  checkGuestRam(ramBase, ramSize, sys.tree);
  const slack = opts.slackPages ?? 0;
  const magic = opts.magicPages ? 2 : 0;
  const maxPages = ramSize / 4096 + slack;
  const mfnBase = opts.mfnBase ?? guestMfnBase(sys, domid, ramSize / 4096 + magic);
  if (mfnBase + ramSize / 4096 + magic > 0x10000000)
    throw new InputError(`guest d${domid}: backing frames pass the 40-bit physical space`);
  const root = sys.domheap.alloc(1);
  if (root === null)
    throw new InputError(
      `guest d${domid}: domheap exhausted allocating the p2m root (host RAM ${hex(sys.hostRamSize)} too small)`,
    );
  sys.mem.frameForWrite(root).fill(0);
  sys.mem.frameForWrite(root + 1).fill(0);
  const d = new Domain(domid, opts.name ?? `d${domid}`, ramBase, ramSize, maxPages, mfnBase, root, sys.tree);
  mapRange(sys, d, ramBase, ramSize / 4096, d.mfnOfGfn(ramBase / 4096), 'p2m_ram_rw');
  if (magic) mapRange(sys, d, ramBase + ramSize, 2, mfnBase + ramSize / 4096, 'p2m_ram_rw');
  return d;
}

/**
 * Map `count` pages from `gpa` to consecutive frames from `mfn`, creating tables as needed.
 * Table frames are allocated here, in Xen's order (so every MFN is what the eager build gives),
 * but a new level-3 table's 512 leaves are declared to memory (PhysMem.defer) and written only
 * when a walk, a lookup or a store first touches that table (issue 13 item 5): 960 GiB of
 * declared RAM costs its level-2 tables, not 491,520 level-3 pages.
 */
export function mapRange(sys: XenSystem, d: Domain, gpa: number, count: number, mfn: number, type: P2mType): void {
  const mem = sys.mem;
  const tree = d.tree;
  const e = new Uint32Array(2);
  p2mLeafEntry(tree, type, 0, e);
  const hiConst = e[0]!;
  const loConst = e[1]!;
  const startGfn = gpa / 4096;
  const endGfn = startGfn + count;
  /** leaves of gfns [from, to) of one level-3 table into `frame` */
  const fillLeaves = (frame: Uint32Array, from: number, to: number): void => {
    let m = mfn + (from - startGfn);
    for (let i = from % 512, end = i + (to - from); i < end; i++, m++) {
      frame[i << 1] = (loConst | ((m & 0xfffff) << 12)) >>> 0;
      frame[(i << 1) | 1] = (hiConst | ((m / 0x100000) & 0xff)) >>> 0;
    }
  };
  // the open run of new, consecutive level-3 tables for consecutive 2 MiB chunks
  let runFirst = -1;
  let runCount = 0;
  let runChunk = 0; // gfn of the run's first 2 MiB chunk
  const closeRun = (): void => {
    if (runCount === 0) return;
    const chunk0 = runChunk;
    mem.defer({
      first: runFirst,
      count: runCount,
      fill: (index, out) => {
        const chunk = chunk0 + index * 512;
        fillLeaves(out, Math.max(chunk, startGfn), Math.min(chunk + 512, endGfn));
      },
    });
    runCount = 0;
  };
  let gfn = startGfn;
  while (gfn < endGfn) {
    const l1 = Math.floor(gfn / 0x40000); // 1 GiB = 0x40000 pages
    const l2 = Math.floor(gfn / 512) % 512;
    const rootPage = d.rootMfn + (l1 >>> 9);
    let l2Mfn: number;
    if (!lpaeValid(mem.readLo(rootPage, l1 & 511))) {
      const t = sys.domheap.alloc(0);
      if (t === null) {
        closeRun();
        throw new InputError(
          `guest ${d.name}: domheap exhausted building the p2m (host RAM ${hex(sys.hostRamSize)} too small)`,
        );
      }
      mem.frameForWrite(t);
      p2mTableEntry(tree, t, e);
      mem.write(rootPage, l1 & 511, e[0]!, e[1]!);
      d.tables.l2++;
      l2Mfn = t;
    } else l2Mfn = lpaeBase(mem.readHi(rootPage, l1 & 511), mem.readLo(rootPage, l1 & 511));
    const n = Math.min(512 - (gfn % 512), endGfn - gfn);
    if (!lpaeValid(mem.readLo(l2Mfn, l2))) {
      const t = sys.domheap.alloc(0);
      if (t === null) {
        closeRun();
        throw new InputError(
          `guest ${d.name}: domheap exhausted building the p2m (host RAM ${hex(sys.hostRamSize)} too small)`,
        );
      }
      p2mTableEntry(tree, t, e);
      mem.write(l2Mfn, l2, e[0]!, e[1]!);
      d.tables.l3++;
      const chunk = gfn - (gfn % 512);
      if (runCount > 0 && t === runFirst + runCount && chunk === runChunk + runCount * 512) runCount++;
      else {
        closeRun();
        runFirst = t;
        runChunk = chunk;
        runCount = 1;
      }
    } else {
      // an existing level-3 table (RAM's last chunk, then the magic pages): written now
      fillLeaves(mem.frameForWrite(lpaeBase(mem.readHi(l2Mfn, l2), mem.readLo(l2Mfn, l2))), gfn, gfn + n);
    }
    gfn += n;
  }
  closeRun();
}

/** Result of the software lookup */
export interface P2mLookupResult {
  /** output PA, or -1 for INVALID_PADDR */
  pa: number;
  /** raw leaf (hi, lo) when one was reached */
  leafHi: number;
  leafLo: number;
  /** level where the walk stopped (1..3), 3 when a leaf was read */
  level: number;
  cost: P2mCost;
}

export interface P2mCost {
  mapDomainPage: number;
  unmapDomainPage: number;
  entryLoads: number;
  tlbInvalidations: number;
  /** full CPU counters for the lookup on that pCPU */
  cpu: CpuStats;
  lock: number;
}

/**
 * `p2m_lookup(d, gpa)` [V] p2m.c: lock; map the root page; read L1; unless valid+table stop;
 * map L2; read; stop unless valid+table; map L3; read; a level-3 entry with table=0 is
 * invalid; result `(pte & PADDR_MASK & PAGE_MASK) | (gpa & 0xFFF)`; unmap all; unlock.
 * Every map goes through the pCPU's `xen_dommap` and every read through its MMU, so the cost is
 * what the code does. ac6e1ae quirk: only root page 0 is mapped and indexed with
 * `first_table_offset` (masked to 511), so a GPA ≥ 512 GiB aliases GPA − 512 GiB [V].
 */
export function p2mLookup(sys: XenSystem, d: Domain, cpu: number, gpa: number): P2mLookupResult {
  const c = sys.cpu(cpu);
  const before = { ...c.mmu.stats };
  const val = new Uint32Array(2);
  let maps = 0;
  let unmaps = 0;
  let loads = 0;
  const l1 = Math.floor(gpa / GiB) % 1024;
  const l2 = Math.floor(gpa / 0x200000) % 512;
  const l3 = Math.floor(gpa / 4096) % 512;
  const rootPage = d.tree === 'ac6e1ae' ? d.rootMfn : d.rootMfn + (l1 >>> 9);
  const l1Index = l1 & 511;
  const result: P2mLookupResult = { pa: -1, leafHi: 0, leafLo: 0, level: 1, cost: undefined as unknown as P2mCost };
  const first = sys.mapDomainPage(cpu, rootPage);
  maps++;
  c.mmu.load64(first + l1Index * 8, val);
  loads++;
  let ok = (val[1]! & 3) === 3;
  let second = 0;
  let third = 0;
  if (ok) {
    result.level = 2;
    second = sys.mapDomainPage(cpu, lpaeBase(val[0]!, val[1]!));
    maps++;
    c.mmu.load64(second + l2 * 8, val);
    loads++;
    ok = (val[1]! & 3) === 3;
    if (ok) {
      result.level = 3;
      third = sys.mapDomainPage(cpu, lpaeBase(val[0]!, val[1]!));
      maps++;
      c.mmu.load64(third + l3 * 8, val);
      loads++;
      result.leafHi = val[0]!;
      result.leafLo = val[1]!;
      if ((val[1]! & 3) === 3) result.pa = lpaeBase(val[0]!, val[1]!) * 4096 + (gpa % 4096);
    }
  }
  if (third) {
    sys.unmapDomainPage(cpu, third);
    unmaps++;
  }
  if (second) {
    sys.unmapDomainPage(cpu, second);
    unmaps++;
  }
  sys.unmapDomainPage(cpu, first);
  unmaps++;
  const delta = diffStats(c.mmu.stats, before);
  result.cost = {
    mapDomainPage: maps,
    unmapDomainPage: unmaps,
    entryLoads: loads,
    tlbInvalidations: delta.tlbiMva + delta.tlbiAll,
    cpu: delta,
    lock: 1,
  };
  return result;
}

/**
 * Read the true leaf for `gpa` straight from the tables (no MMU, no cost): the model's ground
 * truth for views. Both root pages are used (as the hardware's stage-2 walk does).
 */
export function p2mLeaf(sys: XenSystem, d: Domain, gpa: number, out: Uint32Array): number {
  const mem = sys.mem;
  const l1 = Math.floor(gpa / GiB) % 1024;
  let hi = mem.readHi(d.rootMfn + (l1 >>> 9), l1 & 511);
  let lo = mem.readLo(d.rootMfn + (l1 >>> 9), l1 & 511);
  out[0] = hi;
  out[1] = lo;
  if ((lo & 3) !== 3) return 1;
  const l2 = Math.floor(gpa / 0x200000) % 512;
  let t = lpaeBase(hi, lo);
  hi = mem.readHi(t, l2);
  lo = mem.readLo(t, l2);
  out[0] = hi;
  out[1] = lo;
  if ((lo & 3) !== 3) return 2;
  const l3 = Math.floor(gpa / 4096) % 512;
  t = lpaeBase(hi, lo);
  out[0] = mem.readHi(t, l3);
  out[1] = mem.readLo(t, l3);
  return 3;
}
