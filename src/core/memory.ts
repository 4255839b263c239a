/**
 * Sparse physical memory of 4 KiB frames, allocated on first write, plus a deterministic
 * frame allocator. A frame is a `Uint32Array(1024)`: 512 eight-byte entries, lo/hi interleaved
 * (entry i: lo at [2i], hi at [2i+1]), the little-endian order `strd` stores in.
 *
 * Frames live in a two-level directory indexed by MFN (top 14 bits / low 14 bits of a 28-bit
 * frame number), so a lookup is two array loads, and a 64 GiB guest's ~32k table frames cost
 * only their own 4 KiB each.
 */
import { InputError } from './errors';

const DIR_BITS = 14;
const DIR_SIZE = 1 << DIR_BITS;
const DIR_MASK = DIR_SIZE - 1;
/** 40-bit physical addresses: 28-bit frame numbers */
export const MAX_MFN = 0x0fff_ffff;

export class PhysMem {
  private readonly dir: Array<Array<Uint32Array | undefined> | undefined> = new Array(DIR_SIZE);
  private count = 0;

  /** the frame or undefined when never written (reads as zeros) */
  frame(mfn: number): Uint32Array | undefined {
    const d = this.dir[mfn >>> DIR_BITS];
    return d === undefined ? undefined : d[mfn & DIR_MASK];
  }

  /** the frame, allocated (zeroed) if absent */
  frameForWrite(mfn: number): Uint32Array {
    const hiIdx = mfn >>> DIR_BITS;
    let d = this.dir[hiIdx];
    if (d === undefined) {
      d = new Array(DIR_SIZE);
      this.dir[hiIdx] = d;
    }
    let f = d[mfn & DIR_MASK];
    if (f === undefined) {
      f = new Uint32Array(1024);
      d[mfn & DIR_MASK] = f;
      this.count++;
    }
    return f;
  }

  /** Frames that hold data (were written). */
  get framesInUse(): number {
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
