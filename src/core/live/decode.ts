/**
 * Live Xen: decode a running hypervisor's translation registers and page tables, read through a caller's
 * `readPhys` (a DAP `readMemory`, a gdb, a memory image). Pure: no I/O here, the caller does the reading.
 *
 * Registers (ARM ARM, "VTCR"/"VTTBR"/"HTTBR"; arm64: VTCR_EL2/VTTBR_EL2/TTBR0_EL2):
 *   VTTBR   VMID bits [55:48], BADDR bits [47:1] (the p2m root, 4 KiB aligned here).
 *   VTCR    arm32: T0SZ bits [3:0] (signed 4-bit), SL0 bits [7:6] (0: start level 2, 1: level 1);
 *           arm64: T0SZ bits [5:0], SL0 bits [7:6] (0: level 2, 1: level 1, 2: level 0) for a 4 KiB granule.
 *   The IPA size is 32 − T0SZ (arm32) / 64 − T0SZ (arm64); a root that must cover more than 512 entries is
 *   2^n concatenated pages (arm32 Xen 4.17: 40-bit IPA from level 1 = 2 pages).
 * Entries: the core's lpae.ts decoders. An entry whose valid bit is clear but whose other bits are not all zero
 * is "invalidated" (Xen's p2m_invalidate_root clears only the valid bit; Xen revalidates on the next fault).
 */
import { InputError } from '../errors';
import { hex, hex64, join64 } from '../numbers';
import { lpaeBase } from '../lpae';

export type ReadPhys = (addr: number, len: number) => Promise<Uint8Array>;
export type LiveArch = 'armhf' | 'arm64';
export interface Reg64 {
  hi: number;
  lo: number;
}

/** p2m types of Xen 4.17's `p2m_type_t` (xen/arch/arm/include/asm/p2m.h), stored in bits [58:55]. */
export const P2M_TYPES_417 = [
  'p2m_invalid',
  'p2m_ram_rw',
  'p2m_ram_ro',
  'p2m_mmio_direct_dev',
  'p2m_mmio_direct_nc',
  'p2m_mmio_direct_c',
  'p2m_map_foreign_rw',
  'p2m_map_foreign_ro',
  'p2m_grant_map_rw',
  'p2m_grant_map_ro',
  'p2m_iommu_map_rw',
  'p2m_iommu_map_ro',
] as const;

/** A register value as gdb/DAP prints it (`0x10000bbffa000`, decimal, or sign-extended on arm32). */
export function parseReg64(text: string, what: string, bits = 64): Reg64 {
  const t = String(text).trim().split(/\s+/)[0] ?? '';
  let hi: number;
  let lo: number;
  if (/^0x[0-9a-f]{1,16}$/i.test(t)) {
    const h = t.slice(2).padStart(16, '0');
    hi = parseInt(h.slice(0, 8), 16) >>> 0;
    lo = parseInt(h.slice(8), 16) >>> 0;
  } else if (/^-?[0-9]{1,20}$/.test(t)) {
    // decimal: exact only below 2^53, which every register read here is once masked
    let n = Number(t);
    if (n < 0) n += 2 ** 64;
    if (!Number.isSafeInteger(n)) throw new InputError(`${what}: ${JSON.stringify(t)} is too large for a decimal`);
    hi = Math.floor(n / 0x1_0000_0000) >>> 0;
    lo = n >>> 0;
  } else {
    throw new InputError(`${what}: ${JSON.stringify(t.slice(0, 40))} is not a register value (hex 0x… or decimal)`);
  }
  if (bits <= 32) hi = 0; // gdb sign-extends 32-bit registers on arm32
  return { hi, lo };
}

export interface Stage2 {
  vmid: number;
  /** PA of the p2m root (first of the concatenated pages) */
  rootPa: number;
  t0sz: number;
  ipaBits: number;
  sl0: number;
  startLevel: number;
  rootPages: number;
}

/** Level shift: 39 (level 0), 30, 21, 12 (level 3). */
export function levelShift(level: number): number {
  return 39 - 9 * level;
}

/** VTTBR + VTCR → where the domain's p2m root is and how it is walked. */
export function decodeStage2(arch: LiveArch, vttbr: Reg64, vtcr: number): Stage2 {
  const vmid = (vttbr.hi >>> 16) & 0xff;
  const rootPa = join64(vttbr.hi & 0xffff, vttbr.lo & 0xfffff000);
  const sl0 = (vtcr >>> 6) & 3;
  let t0sz: number;
  let startLevel: number;
  let ipaBits: number;
  if (arch === 'armhf') {
    t0sz = vtcr & 0xf;
    if (t0sz & 8) t0sz -= 16;
    ipaBits = 32 - t0sz;
    if (sl0 > 1) throw new InputError(`VTCR ${hex(vtcr >>> 0)}: SL0=${sl0} is reserved on arm32 (expected 0 or 1)`);
    startLevel = sl0 === 0 ? 2 : 1;
  } else {
    t0sz = vtcr & 0x3f;
    ipaBits = 64 - t0sz;
    if (sl0 > 2) throw new InputError(`VTCR_EL2 ${hex(vtcr >>> 0)}: SL0=3 is reserved for a 4 KiB granule`);
    startLevel = 2 - sl0;
  }
  const span = ipaBits - levelShift(startLevel); // bits the root level resolves
  if (span < 1 || span > 13) {
    throw new InputError(
      `VTCR ${hex(vtcr >>> 0)}: a ${ipaBits}-bit IPA cannot start at level ${startLevel} (expected at most 16 concatenated root pages)`,
    );
  }
  const rootPages = span > 9 ? 2 ** (span - 9) : 1;
  return { vmid, rootPa, t0sz, ipaBits, sl0, startLevel, rootPages };
}

/** HTTBR / TTBR0_EL2 → Xen's root table; arm32 Xen (HTCR.T0SZ = 0) starts at level 1, arm64 at level 0. */
export function decodeXenRoot(arch: LiveArch, ttbr: Reg64): { rootPa: number; startLevel: number; rootPages: number } {
  return { rootPa: join64(ttbr.hi & 0xffff, ttbr.lo & 0xfffff000), startLevel: arch === 'armhf' ? 1 : 0, rootPages: 1 };
}

export type EntryState = 'empty' | 'invalidated' | 'table' | 'block' | 'page' | 'reserved';

export interface LiveEntry {
  index: number;
  level: number;
  hi: number;
  lo: number;
  raw: string;
  state: EntryState;
  /** what the entry would be with its valid bit set (for invalidated entries), else = state */
  shape: EntryState;
  /** first input address (VA or IPA) the entry covers */
  input: number;
  /** bytes it covers */
  size: number;
  /** the frame number in bits [39:12] (next table or output) */
  mfn: number;
  /** the physical address of the next table or the output */
  pa: number;
  /** p2m type name (stage 2) from bits [58:55] */
  p2mType: string | null;
}

function shapeOf(level: number, lo: number): EntryState {
  const t = (lo & 2) !== 0;
  if (level === 3) return t ? 'page' : 'reserved';
  return t ? 'table' : level === 0 ? 'reserved' : 'block';
}

/** Decode entry `index` of a table at `level` whose first entry covers `base`. */
export function decodeLiveEntry(
  stage: 'xen' | 'p2m',
  level: number,
  base: number,
  index: number,
  hi: number,
  lo: number,
): LiveEntry {
  const size = 2 ** levelShift(level);
  const shape = shapeOf(level, lo);
  const empty = hi === 0 && lo === 0;
  const state: EntryState = empty ? 'empty' : (lo & 1) === 0 ? 'invalidated' : shape;
  const mfn = lpaeBase(hi, lo);
  const typeIdx = (hi >>> 23) & 0xf;
  return {
    index,
    level,
    hi: hi >>> 0,
    lo: lo >>> 0,
    raw: hex64(hi, lo),
    state,
    shape: empty ? 'empty' : shape,
    input: base + index * size,
    size,
    mfn,
    pa: mfn * 4096,
    p2mType: stage === 'p2m' && !empty ? (P2M_TYPES_417[typeIdx] ?? `type ${typeIdx}`) : null,
  };
}

export interface LiveTable {
  stage: 'xen' | 'p2m';
  pa: number;
  level: number;
  base: number;
  count: number;
  words: Uint32Array;
}

/** Read one table (`pages` concatenated 4 KiB pages) through `read`; a short read is an InputError. */
export async function readTable(
  read: ReadPhys,
  stage: 'xen' | 'p2m',
  pa: number,
  level: number,
  base: number,
  pages = 1,
): Promise<LiveTable> {
  const len = 4096 * pages;
  const bytes = await read(pa, len);
  if (!bytes || bytes.length < len) {
    throw new InputError(
      `reading ${len} bytes at ${hex(pa)}: got ${bytes ? bytes.length : 0} (expected a whole table)`,
    );
  }
  const words = new Uint32Array(len / 4);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, len);
  for (let i = 0; i < words.length; i++) words[i] = dv.getUint32(i * 4, true);
  return { stage, pa, level, base, count: len / 8, words };
}

export function tableEntry(t: LiveTable, i: number): LiveEntry {
  return decodeLiveEntry(t.stage, t.level, t.base, i, t.words[2 * i + 1]!, t.words[2 * i]!);
}

/** The non-empty entries of a table. */
export function usedEntries(t: LiveTable): LiveEntry[] {
  const out: LiveEntry[] = [];
  for (let i = 0; i < t.count; i++) if (t.words[2 * i] !== 0 || t.words[2 * i + 1] !== 0) out.push(tableEntry(t, i));
  return out;
}

export interface LiveStep {
  level: number;
  tablePa: number;
  index: number;
  entry: LiveEntry;
}

export interface LiveWalk {
  input: number;
  steps: LiveStep[];
  /** the output address, when the walk reached a block/page (through invalidated entries too) */
  output: number | null;
  /** the output frame */
  mfn: number | null;
  /** some entry on the way had its valid bit clear with the rest intact: the MMU faults until Xen revalidates */
  throughInvalidated: boolean;
  /** why the walk stopped without an output */
  stop: string | null;
}

/**
 * Walk `input` (a GPA for the p2m, a Xen VA for stage 1) from a root; reads one table per level.
 * Invalidated entries are followed (their descriptor is intact) and flagged.
 */
export async function translate(
  read: ReadPhys,
  stage: 'xen' | 'p2m',
  root: { rootPa: number; startLevel: number; rootPages: number },
  input: number,
  inputBits: number,
): Promise<LiveWalk> {
  if (!Number.isSafeInteger(input) || input < 0 || input >= 2 ** inputBits) {
    throw new InputError(
      `${stage === 'p2m' ? 'GPA' : 'Xen VA'} ${hex(input)}: outside the ${inputBits}-bit input range`,
    );
  }
  const steps: LiveStep[] = [];
  let tablePa = root.rootPa;
  let pages = root.rootPages;
  let through = false;
  for (let level = root.startLevel; level <= 3; level++) {
    const shift = levelShift(level);
    const index = Math.floor(input / 2 ** shift) % (512 * pages);
    const base = input - (input % 2 ** (shift + 9 + Math.log2(pages)));
    const bytes = await read(tablePa + index * 8, 8);
    if (!bytes || bytes.length < 8)
      throw new InputError(`reading the entry at ${hex(tablePa + index * 8)}: short read`);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, 8);
    const entry = decodeLiveEntry(stage, level, base, index, dv.getUint32(4, true), dv.getUint32(0, true));
    steps.push({ level, tablePa, index, entry });
    if (entry.state === 'empty')
      return {
        input,
        steps,
        output: null,
        mfn: null,
        throughInvalidated: through,
        stop: `level ${level} entry ${index} is empty`,
      };
    if (entry.state === 'invalidated') through = true;
    if (entry.shape === 'reserved')
      return {
        input,
        steps,
        output: null,
        mfn: null,
        throughInvalidated: through,
        stop: `level ${level} entry ${index} is a reserved descriptor`,
      };
    if (entry.shape === 'table') {
      tablePa = entry.pa;
      pages = 1;
      continue;
    }
    const off = input % entry.size;
    return {
      input,
      steps,
      output: entry.pa + off,
      mfn: entry.mfn + Math.floor(off / 4096),
      throughInvalidated: through,
      stop: null,
    };
  }
  return { input, steps, output: null, mfn: null, throughInvalidated: through, stop: 'no leaf by level 3' };
}

/** Xen's image is linked at 0x00200000 on both arm32 and arm64 Xen 4.17 (XEN_VIRT_START). */
export const XEN_VIRT_START_417 = 0x00200000;

/**
 * `xen_second`: the level-2 table that maps XEN_VIRT_START, found by walking Xen's own root.
 * Returns its PA, or null with the reason.
 */
export async function findXenSecond(
  read: ReadPhys,
  arch: LiveArch,
  ttbr: Reg64,
): Promise<{ pa: number | null; walk: LiveWalk; why: string | null }> {
  const root = decodeXenRoot(arch, ttbr);
  const walk = await translate(read, 'xen', root, XEN_VIRT_START_417, arch === 'armhf' ? 32 : 48);
  const l2 = walk.steps.find((s) => s.level === 2);
  if (!l2) return { pa: null, walk, why: `Xen's walk of ${hex(XEN_VIRT_START_417)} never reached level 2` };
  return { pa: l2.tablePa, walk, why: null };
}

/** The seed patch's VLPT (armhf): where `get_vlpt_3lvl_pte(gpa)` would read, and the slot it needs. */
export const SEED_VIRT_LIN_P2M_START = 0x08000000;
export function seedVlpt(gpa: number): { va: number; wrapped: boolean; slot: number } {
  const full = SEED_VIRT_LIN_P2M_START + Math.floor(gpa / 4096) * 8;
  const va = full % 0x1_0000_0000;
  return { va, wrapped: full !== va, slot: Math.floor(va / 0x200000) };
}
