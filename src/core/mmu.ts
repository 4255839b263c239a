/**
 * Xen's stage-1 (HYP) translation on one pCPU: the hardware walk of the per-pCPU root
 * (`xen_pgtable`), and a TLB that only that pCPU's own invalidations touch (reference doc §3:
 * TLB maintenance in the 2013 tree is local; the broadcast forms are used nowhere [V]).
 *
 * Hot path (`translate`) is allocation-free: results go into caller-owned typed arrays.
 * Levels are ARM's: the arm32 HYP walk with T0SZ = 0 starts at level 1 (VA[31:30]).
 */
import type { PhysMem } from './memory';

export const FAULT_NONE = 0;
export const FAULT_TRANSLATION = 1;
export const FAULT_ACCESS_FLAG = 2;
export const FAULT_PERMISSION = 3;
export const FAULT_NAMES = ['none', 'translation', 'access-flag', 'permission'] as const;
export type FaultKind = (typeof FAULT_NAMES)[number];

/** flag bits kept in a TLB entry next to the output frame */
const TLB_RO = 1;
const TLB_XN = 2;
const TLB_FLAGS = 4; // multiplier: value = mfn * 4 + flags

export interface TlbEntry {
  va: number;
  size: number;
  mfn: number;
  readOnly: boolean;
}

/** A TLB slot (key: page = va>>>12, block = 0x100000 + va>>>21, 1 GiB = 0x200000 + va>>>30) and its value (mfn*4+flags) as a view entry. */
export function tlbEntryOf(key: number, value: number): TlbEntry {
  const flags = value % TLB_FLAGS;
  const mfn = (value - flags) / TLB_FLAGS;
  const readOnly = (flags & TLB_RO) !== 0;
  if (key < 0x100000) return { va: key * 4096, size: 4096, mfn, readOnly };
  if (key < 0x200000) return { va: (key - 0x100000) * 0x200000, size: 0x200000, mfn, readOnly };
  return { va: (key - 0x200000) * 0x40000000, size: 0x40000000, mfn, readOnly };
}

/** The TLB key of an entry of `size` bytes at `va` (the inverse of `tlbEntryOf`'s va and size). */
export function tlbKeyOf(va: number, size: number): number {
  if (size === 4096) return Math.floor(va / 4096);
  if (size === 0x200000) return 0x100000 + Math.floor(va / 0x200000);
  return 0x200000 + Math.floor(va / 0x40000000);
}

/** Do two TLB values show the same entry (same frame and read-only bit; XN is not shown)? */
export function sameTlbView(a: number, b: number): boolean {
  if (a < 0 || b < 0) return a === b;
  const fa = a % TLB_FLAGS;
  const fb = b % TLB_FLAGS;
  return a - fa === b - fb && (fa & TLB_RO) === (fb & TLB_RO);
}

/** A caller-owned walk record (up to 3 steps). */
export class WalkRecord {
  /** number of steps taken (entries read) */
  n = 0;
  readonly level = new Uint8Array(3);
  readonly tableMfn = new Float64Array(3);
  readonly index = new Uint16Array(3);
  readonly hi = new Uint32Array(3);
  readonly lo = new Uint32Array(3);
  /** FAULT_* */
  fault = FAULT_NONE;
  faultLevel = 0;
  /** output physical address when no fault */
  pa = 0;
  /** true when the translation came from the TLB (then n = 0) */
  tlbHit = false;
  readOnly = false;
  xn = false;
}

export interface CpuStats {
  loads: number;
  stores: number;
  tlbHits: number;
  tlbMisses: number;
  /** table entries read by hardware walks */
  walkReads: number;
  /** TLBIMVAH executed */
  tlbiMva: number;
  /** TLBIALLH executed */
  tlbiAll: number;
  dsb: number;
  isb: number;
}

export function zeroStats(): CpuStats {
  return { loads: 0, stores: 0, tlbHits: 0, tlbMisses: 0, walkReads: 0, tlbiMva: 0, tlbiAll: 0, dsb: 0, isb: 0 };
}

export function diffStats(after: CpuStats, before: CpuStats): CpuStats {
  const d = zeroStats();
  for (const k of Object.keys(d) as Array<keyof CpuStats>) d[k] = after[k] - before[k];
  return d;
}

/** A HYP data abort raised by emulated Xen code (2013: "Unexpected Trap: Data Abort", then spin). */
export class HypTrap extends Error {
  constructor(
    readonly cpu: number,
    readonly va: number,
    readonly write: boolean,
    readonly kind: FaultKind,
    readonly level: number,
  ) {
    super(
      `CPU${cpu}: Unexpected Trap: Data Abort (HYP ${write ? 'write' : 'read'} of ${'0x' + va.toString(16)}: level ${level} ${kind} fault)`,
    );
    Object.setPrototypeOf(this, HypTrap.prototype);
  }
}

/** 4096 page entries (16 MiB of VA), allocated when first used */
export class TlbChunk {
  readonly value = new Float64Array(4096).fill(-1);
  /**
   * For cached 4 KiB pages whose frame exists: the frame itself (an emulator's host-pointer
   * TLB, as QEMU's softmmu keeps an addend), so a hit reads memory with no further lookup.
   * Frames are never replaced once created, so the reference cannot go stale; a page whose
   * frame did not exist yet keeps null and takes the normal path.
   */
  readonly frame: Array<Uint32Array | null> = new Array<Uint32Array | null>(4096).fill(null);
}

/**
 * The TLB as typed arrays, fully indexed by VA: one slot per 4 KiB page of the 32-bit space
 * (in 256 lazily allocated chunks of 16 MiB), per 2 MiB block (2048) and per 1 GiB block (4).
 * A slot holds mfn*4+flags or -1. Being fully indexed it never evicts (no conflict can hide a
 * stale entry), and a hit is two array loads. `used` lists the filled keys so that a flush
 * touches only what is there. Keys: page = va>>>12, block = 0x100000 + va>>>21,
 * 1 GiB = 0x200000 + va>>>30.
 */
class Tlb {
  readonly pages: Array<TlbChunk | null> = new Array<TlbChunk | null>(256).fill(null);
  readonly block = new Float64Array(2048).fill(-1);
  readonly giga = new Float64Array(4).fill(-1);
  private used: number[] = [];
  private live = 0;
  /**
   * When set, every change is appended as (key, value before, value after), -1 meaning absent:
   * the scenario engine reads what a step changed from it instead of comparing whole TLBs.
   */
  journal: number[] | null = null;

  get size(): number {
    return this.live;
  }
  get(key: number): number {
    if (key < 0x100000) {
      const c = this.pages[key >>> 12]!;
      return c === null ? -1 : c.value[key & 4095]!;
    }
    return key < 0x200000 ? this.block[key - 0x100000]! : this.giga[key - 0x200000]!;
  }
  private put(key: number, value: number): void {
    if (this.journal !== null) {
      const old = this.get(key);
      if (old !== value) this.journal.push(key, old, value);
    }
    if (key < 0x100000) {
      let c = this.pages[key >>> 12]!;
      if (c === null) {
        c = new TlbChunk();
        this.pages[key >>> 12] = c;
      }
      c.value[key & 4095] = value;
      if (value < 0) c.frame[key & 4095] = null;
    } else if (key < 0x200000) this.block[key - 0x100000] = value;
    else this.giga[key - 0x200000] = value;
  }
  set(key: number, value: number): void {
    if (this.get(key) < 0) {
      this.live++;
      this.used.push(key);
    }
    this.put(key, value);
  }
  setFrame(vpage: number, frame: Uint32Array | null): void {
    const c = this.pages[vpage >>> 12]!;
    if (c !== null) c.frame[vpage & 4095] = frame;
  }
  delete(key: number): void {
    if (this.get(key) >= 0) {
      this.put(key, -1);
      this.live--;
    }
    if (this.used.length > 4 * this.live + 64) this.used = this.used.filter((k) => this.get(k) >= 0);
  }
  clear(): void {
    for (const k of this.used) this.put(k, -1);
    this.used = [];
    this.live = 0;
  }
  /** the filled keys (deduplicated) */
  keys(): number[] {
    const out: number[] = [];
    const seen = new Set<number>();
    for (const k of this.used)
      if (!seen.has(k) && this.get(k) >= 0) {
        seen.add(k);
        out.push(k);
      }
    return out;
  }
}

export class Mmu {
  readonly tlb = new Tlb();
  readonly stats: CpuStats = zeroStats();
  private readonly scratch = new WalkRecord();

  constructor(
    readonly cpu: number,
    readonly mem: PhysMem,
    /** frame of this pCPU's root table (HTTBR) */
    public rootMfn: number,
  ) {}

  /**
   * The hardware walk, bypassing the TLB. Fills `out` with every step. `va` is a 32-bit VA.
   */
  walk(va: number, write: boolean, out: WalkRecord): WalkRecord {
    va = va >>> 0;
    out.n = 0;
    out.fault = FAULT_NONE;
    out.faultLevel = 0;
    out.pa = 0;
    out.tlbHit = false;
    out.readOnly = false;
    out.xn = false;
    let tableMfn = this.rootMfn;
    let readOnly = false;
    let xn = false;
    const mem = this.mem;
    for (let level = 1; level <= 3; level++) {
      const shift = level === 1 ? 30 : level === 2 ? 21 : 12;
      const index = level === 1 ? va >>> 30 : (va >>> shift) & 511;
      const frame = mem.frame(tableMfn);
      const lo = frame === undefined ? 0 : frame[index << 1]!;
      const hi = frame === undefined ? 0 : frame[(index << 1) | 1]!;
      const s = out.n++;
      out.level[s] = level;
      out.tableMfn[s] = tableMfn;
      out.index[s] = index;
      out.hi[s] = hi;
      out.lo[s] = lo;
      this.stats.walkReads++;
      if ((lo & 1) === 0 || (level === 3 && (lo & 2) === 0)) {
        out.fault = FAULT_TRANSLATION;
        out.faultLevel = level;
        return out;
      }
      const base = (hi & 0xff) * 0x100000 + (lo >>> 12);
      if (level < 3 && (lo & 2) !== 0) {
        // table descriptor: APTable[1] (bit 62) forbids writes below, XNTable (bit 60) execution
        if ((hi & 0x40000000) !== 0) readOnly = true;
        if ((hi & 0x10000000) !== 0) xn = true;
        tableMfn = base;
        continue;
      }
      // block (level 1 or 2) or page (level 3)
      if ((lo & 0x400) === 0) {
        out.fault = FAULT_ACCESS_FLAG;
        out.faultLevel = level;
        return out;
      }
      if ((lo & 0x80) !== 0) readOnly = true;
      if ((hi & 0x400000) !== 0) xn = true;
      out.readOnly = readOnly;
      out.xn = xn;
      if (write && readOnly) {
        out.fault = FAULT_PERMISSION;
        out.faultLevel = level;
        return out;
      }
      const offMask = level === 1 ? 0x3fffffff : level === 2 ? 0x1fffff : 0xfff;
      // blocks: base is aligned, so base*4096 + (va & offMask) is exact
      out.pa = base * 4096 + (va & offMask);
      return out;
    }
    return out;
  }

  /**
   * TLB-first translation as the CPU does it. Returns the PA, or -1 with `out` holding the
   * fault. On a miss the walk's result is cached (4 KiB pages per page, blocks per block).
   */
  translate(va: number, write: boolean, out: WalkRecord = this.scratch): number {
    va = va >>> 0;
    const tlb = this.tlb;
    let v = tlb.get(va >>> 12);
    let offMask = 0xfff;
    if (v < 0) {
      v = tlb.block[va >>> 21]!;
      offMask = 0x1fffff;
      if (v < 0) {
        v = tlb.giga[va >>> 30]!;
        offMask = 0x3fffffff;
      }
    }
    if (v >= 0) {
      const flags = v % TLB_FLAGS;
      this.stats.tlbHits++;
      out.n = 0;
      out.tlbHit = true;
      if (write && (flags & TLB_RO) !== 0) {
        // a write hitting a read-only entry faults without a walk on real hardware as well
        out.fault = FAULT_PERMISSION;
        out.faultLevel = 0;
        return -1;
      }
      out.fault = FAULT_NONE;
      out.readOnly = (flags & TLB_RO) !== 0;
      out.xn = (flags & TLB_XN) !== 0;
      out.pa = ((v - flags) / TLB_FLAGS) * 4096 + (va & offMask);
      return out.pa;
    }
    this.stats.tlbMisses++;
    this.walk(va, write, out);
    if (out.fault !== FAULT_NONE) return -1; // faults are never cached
    const last = out.n - 1;
    const level = out.level[last]!;
    const hi = out.hi[last]!;
    const lo = out.lo[last]!;
    const base = (hi & 0xff) * 0x100000 + (lo >>> 12);
    const flags = (out.readOnly ? TLB_RO : 0) | (out.xn ? TLB_XN : 0);
    if (level === 3) {
      tlb.set(va >>> 12, base * TLB_FLAGS + flags);
      tlb.setFrame(va >>> 12, this.mem.frame(base) ?? null);
    } else if (level === 2) tlb.set(0x100000 + (va >>> 21), base * TLB_FLAGS + flags);
    else tlb.set(0x200000 + (va >>> 30), base * TLB_FLAGS + flags);
    return out.pa;
  }

  /** `TLBIMVAH va`: drop every entry translating `va` (pages and blocks covering it). */
  tlbiMva(va: number): void {
    va = va >>> 0;
    this.stats.tlbiMva++;
    const t = this.tlb;
    if (t.size === 0) return;
    t.delete(va >>> 12);
    t.delete(0x100000 + (va >>> 21));
    t.delete(0x200000 + (va >>> 30));
  }

  /**
   * `__flush_xen_data_tlb_range_va(va, size)`: one TLBIMVAH per 4 KiB with `unsigned long`
   * (32-bit) arithmetic, exactly: `end = va + size; while (va < end) { TLBIMVAH; va += PAGE_SIZE; }`.
   */
  tlbiMvaRange(va: number, size: number): void {
    let v = va >>> 0;
    const end = (v + (size >>> 0)) >>> 0;
    const pages = v < end ? Math.ceil((end - v) / 4096) : 0;
    if (pages === 0) return;
    const t = this.tlb;
    if (t.size < pages) {
      // same effect as `pages` single invalidations, computed over the (smaller) TLB
      this.stats.tlbiMva += pages;
      const last = v + (pages - 1) * 4096;
      for (const key of t.keys()) {
        let lo: number;
        let hi: number;
        if (key < 0x100000) {
          lo = key * 4096;
          hi = lo + 4095;
        } else if (key < 0x200000) {
          lo = (key - 0x100000) * 0x200000;
          hi = lo + 0x1fffff;
        } else {
          lo = (key - 0x200000) * 0x40000000;
          hi = lo + 0x3fffffff;
        }
        // an entry is hit when one of the invalidated page addresses v + 4096*j falls inside it
        if (hi >= v && lo <= last) {
          const firstJ = lo <= v ? 0 : Math.ceil((lo - v) / 4096);
          if (v + firstJ * 4096 <= hi) t.delete(key);
        }
      }
      return;
    }
    for (let i = 0; i < pages; i++, v += 4096) this.tlbiMva(v);
  }

  /** `TLBIALLH` */
  tlbiAll(): void {
    this.stats.tlbiAll++;
    this.tlb.clear();
  }

  /** Is `va` currently cached? (for views and tests) */
  tlbLookup(va: number): { mfn: number; readOnly: boolean; size: number } | null {
    va = va >>> 0;
    const probes: Array<[number, number]> = [
      [va >>> 12, 4096],
      [0x100000 + (va >>> 21), 0x200000],
      [0x200000 + (va >>> 30), 0x40000000],
    ];
    for (const [key, size] of probes) {
      const v = this.tlb.get(key);
      if (v >= 0) {
        const flags = v % TLB_FLAGS;
        return { mfn: (v - flags) / TLB_FLAGS, readOnly: (flags & TLB_RO) !== 0, size };
      }
    }
    return null;
  }

  /** All TLB entries, for views: [{va, size, mfn, readOnly}] sorted by VA (then size). */
  tlbEntries(): TlbEntry[] {
    return this.tlb
      .keys()
      .map((key) => tlbEntryOf(key, this.tlb.get(key)))
      .sort((a, b) => a.va - b.va || a.size - b.size);
  }

  // ---- accesses made by emulated Xen code ---------------------------------------------------

  private readonly accessRec = new WalkRecord();

  /** 64-bit load through the MMU; throws HypTrap on a fault. Result in `out[0]=hi, out[1]=lo`. */
  load64(va: number, out: Uint32Array): void {
    const pa = this.translate(va, false, this.accessRec);
    if (pa < 0)
      throw new HypTrap(this.cpu, va >>> 0, false, FAULT_NAMES[this.accessRec.fault], this.accessRec.faultLevel);
    this.stats.loads++;
    const mfn = Math.floor(pa / 4096);
    const idx = (pa & 0xfff) >>> 3;
    const f = this.mem.frame(mfn);
    out[0] = f === undefined ? 0 : f[(idx << 1) | 1]!;
    out[1] = f === undefined ? 0 : f[idx << 1]!;
  }

  /** 64-bit store (`strd`) through the MMU; throws HypTrap on a fault. */
  store64(va: number, hi: number, lo: number): void {
    const pa = this.translate(va, true, this.accessRec);
    if (pa < 0)
      throw new HypTrap(this.cpu, va >>> 0, true, FAULT_NAMES[this.accessRec.fault], this.accessRec.faultLevel);
    this.stats.stores++;
    this.mem.write(Math.floor(pa / 4096), (pa & 0xfff) >>> 3, hi >>> 0, lo >>> 0);
  }

  dsb(): void {
    this.stats.dsb++;
  }
  isb(): void {
    this.stats.isb++;
  }
}
