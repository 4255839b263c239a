/**
 * An independent oracle for VLPT and p2m_lookup: plain BigInt arithmetic over the raw words of
 * `sys.mem`, sharing no code with src/core/mmu.ts, src/core/resolve.ts or src/core/p2m.ts.
 *
 * What it relies on from the model (documented data, not code):
 * - `sys.mem.frame(mfn)` is a Uint32Array(1024) or undefined (reads as zeros); entry i of a
 *   table frame is lo at word 2i, hi at word 2i+1 (src/core/memory.ts header);
 * - `sys.cpus[0].rootMfn` is pCPU0's `xen_pgtable`, `sys.vlptStart` is VIRT_LIN_P2M_START;
 * - `dom.rootMfn` is the first of the two concatenated p2m root pages.
 *
 * The rules are the reference doc's (§3, §5, §7), written out again here:
 * Xen stage-1 (arm32 HYP, T0SZ 0): level 1 index VA[31:30], level 2 VA[29:21], level 3
 * VA[20:12]; an entry with bit 0 clear faults; at levels 1–2 bit 1 set is a table link,
 * bit 1 clear a block; at level 3 bit 1 clear is reserved (faults); a block/page with AF
 * (bit 10) clear takes an access-flag fault; output = base (bits 39:12) + offset.
 * Stage 2 (guest p2m): level 1 index IPA[39:30] over two pages (1024 entries), level 2
 * IPA[29:21], level 3 IPA[20:12]; every entry must be valid and table (no blocks in 2013).
 *
 * Allocation: a handful of BigInts per call, no arrays or objects.
 */
import type { XenSystem } from '../../src/core/xenPageTables';
import type { Domain } from '../../src/core/p2m';

const M32 = 0xffffffffn;
const BASE_MASK = 0xfffffff000n; // bits 39..12
const PAGE_MASK = 0xfffn;

/** the raw 64-bit entry `index` of frame `mfn` (zeros when the frame was never written) */
function readEntry(sys: XenSystem, mfn: bigint, index: bigint): bigint {
  const f = sys.mem.frame(Number(mfn));
  if (f === undefined) return 0n;
  const i = Number(index) * 2;
  return (BigInt(f[i + 1]!) << 32n) | BigInt(f[i]!);
}

/** the 64-bit word at physical address `pa` (8-byte aligned) */
function readPa(sys: XenSystem, pa: bigint): bigint {
  return readEntry(sys, pa >> 12n, (pa & PAGE_MASK) >> 3n);
}

/**
 * Xen stage-1 walk of a 32-bit VA from pCPU0's root, ignoring any TLB.
 * Returns the output physical address, or -1n on a fault.
 */
export function naiveXenWalk(sys: XenSystem, vaIn: bigint): bigint {
  const va = vaIn & M32;
  let table = BigInt(sys.cpus[0]!.rootMfn);
  for (let level = 1; level <= 3; level++) {
    const shift = level === 1 ? 30n : level === 2 ? 21n : 12n;
    const index = level === 1 ? va >> 30n : (va >> shift) & 511n;
    const e = readEntry(sys, table, index);
    if ((e & 1n) === 0n) return -1n;
    const isTable = (e & 2n) !== 0n;
    if (level < 3 && isTable) {
      table = (e & BASE_MASK) >> 12n;
      continue;
    }
    if (level === 3 && !isTable) return -1n; // reserved encoding at level 3
    if ((e & 0x400n) === 0n) return -1n; // access flag
    const offMask = (1n << shift) - 1n;
    return (e & BASE_MASK & ~offMask) | (va & offMask);
  }
  return -1n;
}

/**
 * What a load through `get_vlpt_3lvl_pte(gpa)` returns on an emulated pCPU with a clean TLB:
 * the raw 64-bit word at VA = VIRT_LIN_P2M_START + (gpa >> 12) * 8 (32-bit arithmetic), or
 * null when the Xen walk of that VA faults.
 */
export function naiveVlptResolve(sys: XenSystem, gpa: bigint | number): bigint | null {
  const g = BigInt(gpa);
  const va = (BigInt(sys.vlptStart) + (g >> 12n) * 8n) & M32;
  const pa = naiveXenWalk(sys, va);
  if (pa < 0n) return null;
  return readPa(sys, pa & ~7n);
}

/**
 * The guest's stage-2 walk of `gpa` (both root pages, as the hardware walks them): the raw
 * level-3 entry when every level is valid+table, else null. For GPAs ≥ 512 GiB this is the
 * hardware view, not the ac6e1ae `p2m_lookup` quirk (root page 0 only, reference doc §5).
 */
export function naiveP2mLookup(sys: XenSystem, dom: Domain, gpa: bigint | number): bigint | null {
  const g = BigInt(gpa);
  const l1 = (g >> 30n) & 1023n;
  let e = readEntry(sys, BigInt(dom.rootMfn) + (l1 >> 9n), l1 & 511n);
  if ((e & 3n) !== 3n) return null;
  e = readEntry(sys, (e & BASE_MASK) >> 12n, (g >> 21n) & 511n);
  if ((e & 3n) !== 3n) return null;
  e = readEntry(sys, (e & BASE_MASK) >> 12n, (g >> 12n) & 511n);
  if ((e & 3n) !== 3n) return null;
  return e;
}

/** output PA of a valid level-3 p2m leaf for `gpa` (base | page offset) */
export function naiveLeafPa(leaf: bigint, gpa: bigint | number): bigint {
  return (leaf & BASE_MASK) | (BigInt(gpa) & PAGE_MASK);
}
