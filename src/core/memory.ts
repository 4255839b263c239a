/**
 * Sparse physical memory of 4 KiB frames, allocated on first write, plus a deterministic
 * frame allocator. A frame is a `Uint32Array(1024)`: 512 eight-byte entries, lo/hi interleaved
 * (entry i: lo at [2i], hi at [2i+1]), the little-endian order `strd` stores in.
 *
 * Frames live in a two-level directory indexed by MFN (top 14 bits / low 14 bits of a 28-bit
 * frame number), so a lookup is two array loads, and a 64 GiB guest's ~32k table frames cost
 * only their own 4 KiB each.
 *
 * Frames may also be declared lazily (`defer`): a run of frames whose contents a function can
 * produce (a guest p2m's level-3 tables, issue 13 item 5). Such a frame reads exactly as if it
 * had been written, counts in `framesInUse`, and takes memory only when something reads or
 * writes it: declared guest RAM costs its level-2 tables (4 KiB per GiB), not 2 MiB per GiB.
 */
import { InputError } from './errors';

const DIR_BITS = 14;
const DIR_SIZE = 1 << DIR_BITS;
const DIR_MASK = DIR_SIZE - 1;
/** 40-bit physical addresses: 28-bit frame numbers */
export const MAX_MFN = 0x0fff_ffff;

/** a run of frames whose contents are produced on first use (PhysMem.defer) */
export interface LazyFrames {
  first: number;
  count: number;
  /** write frame `first + index`'s contents into `out` (zeroed, or holding earlier writes) */
  fill(index: number, out: Uint32Array): void;
}

export class PhysMem {
  private readonly dir: Array<Array<Uint32Array | undefined> | undefined> = new Array(DIR_SIZE);
  private count = 0;
  /** deferred runs, sorted by first frame, disjoint */
  private readonly lazy: LazyFrames[] = [];
  /** frames of `lazy` not materialised yet */
  private lazyPending = 0;
  /** bounds of every deferred run: outside them a miss needs no search */
  private lazyLo = Infinity;
  private lazyHi = -Infinity;

  /** the frame or undefined when never written (reads as zeros); a deferred frame is produced now */
  frame(mfn: number): Uint32Array | undefined {
    const d = this.dir[mfn >>> DIR_BITS];
    const f = d === undefined ? undefined : d[mfn & DIR_MASK];
    if (f !== undefined || mfn < this.lazyLo || mfn >= this.lazyHi) return f;
    return this.materialise(mfn);
  }

  /** the frame, allocated (zeroed, or produced when deferred) if absent */
  frameForWrite(mfn: number): Uint32Array {
    const hiIdx = mfn >>> DIR_BITS;
    let d = this.dir[hiIdx];
    if (d === undefined) {
      d = new Array(DIR_SIZE);
      this.dir[hiIdx] = d;
    }
    let f = d[mfn & DIR_MASK];
    if (f === undefined) {
      const made = mfn >= this.lazyLo && mfn < this.lazyHi ? this.materialise(mfn) : undefined;
      if (made !== undefined) return made;
      f = new Uint32Array(1024);
      d[mfn & DIR_MASK] = f;
      this.count++;
    }
    return f;
  }

  /**
   * Declare `run.count` frames from `run.first` whose contents `run.fill` produces on first use.
   * The frames must be fresh (never written, not in another run): a frame already written is
   * filled now, on top of what it holds.
   */
  defer(run: LazyFrames): void {
    if (!(Number.isInteger(run.first) && Number.isInteger(run.count) && run.count > 0 && run.first >= 0))
      throw new InputError(`deferred frames ${run.first}+${run.count}: not a valid frame run`);
    if (run.first + run.count > MAX_MFN + 1)
      throw new InputError(`deferred frames ${run.first}+${run.count}: past the 28-bit frame space`);
    let at = this.lazy.length;
    while (at > 0 && this.lazy[at - 1]!.first > run.first) at--;
    const prev = this.lazy[at - 1];
    const next = this.lazy[at];
    if ((prev && prev.first + prev.count > run.first) || (next && run.first + run.count > next.first))
      throw new InputError(`deferred frames ${run.first}+${run.count}: overlap another deferred run`);
    this.lazy.splice(at, 0, run);
    this.lazyLo = Math.min(this.lazyLo, run.first);
    this.lazyHi = Math.max(this.lazyHi, run.first + run.count);
    this.lazyPending += run.count;
    // a frame written before it was declared keeps its place and gets the run's contents now
    for (let i = 0; i < run.count; i++) {
      const d = this.dir[(run.first + i) >>> DIR_BITS];
      const f = d === undefined ? undefined : d[(run.first + i) & DIR_MASK];
      if (f !== undefined) {
        run.fill(i, f);
        this.lazyPending--;
      }
    }
  }

  /** the deferred frame `mfn` produced and stored, or undefined when no run declares it */
  private materialise(mfn: number): Uint32Array | undefined {
    const runs = this.lazy;
    let lo = 0;
    let hi = runs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const r = runs[mid]!;
      if (mfn < r.first) hi = mid - 1;
      else if (mfn >= r.first + r.count) lo = mid + 1;
      else {
        const f = new Uint32Array(1024);
        r.fill(mfn - r.first, f);
        const hiIdx = mfn >>> DIR_BITS;
        let d = this.dir[hiIdx];
        if (d === undefined) {
          d = new Array(DIR_SIZE);
          this.dir[hiIdx] = d;
        }
        d[mfn & DIR_MASK] = f;
        this.count++;
        this.lazyPending--;
        return f;
      }
    }
    return undefined;
  }

  /** Frames that hold data (were written, or declared with contents). */
  get framesInUse(): number {
    return this.count + this.lazyPending;
  }

  /** Frames that take memory now (declared frames only once used). */
  get framesResident(): number {
    return this.count;
  }

  /** Read the 64-bit entry `index` (0..511) of frame `mfn`: lo, then hi via readHi. */
  readLo(mfn: number, index: number): number {
    const f = this.frame(mfn);
    return f === undefined ? 0 : f[index << 1]!;
  }
  readHi(mfn: number, index: number): number {
    const f = this.frame(mfn);
    return f === undefined ? 0 : f[(index << 1) | 1]!;
  }
  write(mfn: number, index: number, hi: number, lo: number): void {
    const f = this.frameForWrite(mfn);
    f[index << 1] = lo;
    f[(index << 1) | 1] = hi;
  }
  /** Zero a frame (clear_page). */
  clear(mfn: number): void {
    const f = this.frame(mfn);
    if (f !== undefined) f.fill(0);
  }
  /** Fill a frame with a deterministic non-zero pattern: what an uncleared heap page holds. */
  scribble(mfn: number, seed: number): void {
    const f = this.frameForWrite(mfn);
    let x = (seed * 2654435761) >>> 0 || 1;
    for (let i = 0; i < 1024; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      f[i] = x >>> 0;
    }
  }
}

/**
 * A bump allocator over a range of frames, deterministic by construction (the same calls give
 * the same MFNs), with `order` alignment as Xen's buddy allocator gives (2^order frames,
 * 2^order aligned). Freed frames are counted, not reused, so leaks are visible.
 */
export class FrameAllocator {
  private next: number;
  private allocated = 0;
  private freed = 0;
  /** set to make the next allocation fail (the -ENOMEM path of alloc_domheap_pages) */
  failNext = false;

  constructor(
    readonly name: string,
    readonly first: number,
    readonly limit: number,
  ) {
    if (!(first >= 0 && limit > first && limit <= MAX_MFN + 1))
      throw new InputError(`${name}: frame range ${first}..${limit} is not a valid 28-bit MFN range`);
    this.next = first;
  }

  /** 2^order contiguous frames, or null when exhausted (or `failNext`). */
  alloc(order = 0): number | null {
    if (this.failNext) {
      this.failNext = false;
      return null;
    }
    const n = 2 ** order;
    const start = Math.ceil(this.next / n) * n;
    if (start + n > this.limit) return null;
    this.next = start + n;
    this.allocated += n;
    return start;
  }

  free(_mfn: number, order = 0): void {
    this.freed += 2 ** order;
  }

  get framesAllocated(): number {
    return this.allocated;
  }
  get framesFreed(): number {
    return this.freed;
  }
  get framesLive(): number {
    return this.allocated - this.freed;
  }
}
