/**
 * `lpae_t` descriptors: one 64-bit value, two views (reference doc §4).
 * Source of the layout: [V] xen/include/asm-arm/page.h @ ac6e1ae and @ 9a80d50.
 *
 *   bits   lpae_pt_t (Xen stage-1)   lpae_p2m_t (stage-2)
 *   0      valid                     valid
 *   1      table                     table        (1 for table links and level-3 pages)
 *   2-4    ai                        mattr[0..2]
 *   5      ns                        mattr[3]
 *   6      user   (AP[1])            read  (S2AP[0])
 *   7      ro     (AP[2])            write (S2AP[1])
 *   8-9    sh                        sh
 *   10     af                        af
 *   11     ng                        sbz4
 *   12-39  base                      base
 *   40-51  sbz                       sbz
 *   52     contig                    contig
 *   53     pxn                       sbz2
 *   54     xn                        xn
 *   55-58  avail                     avail @ ac6e1ae, `type` @ 9a80d50
 *   59     pxnt                      sbz1
 *   60     xnt                       |
 *   61-62  apt                       |
 *   63     nst                       |
 *
 * Values are held as hi/lo u32 halves; nothing here uses BigInt.
 */
import { hex, hex64, join64 } from './numbers';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
export const LPAE_SHIFT = 9;
export const LPAE_ENTRIES = 512;
export const LPAE_ENTRY_MASK = 511;
export const THIRD_SHIFT = 12;
export const SECOND_SHIFT = 21;
export const FIRST_SHIFT = 30;
export const ZEROETH_SHIFT = 39;
export const SECOND_SIZE = 0x200000;
export const FIRST_SIZE = 0x40000000;
export const PADDR_BITS = 40;
export const PADDR_MASK = 0xff_ffff_ffff;
export const ENOMEM = 12;

/** MAIR attribute indices [V] page.h */
export const MT_UNCACHED = 0;
export const MT_BUFFERABLE = 1;
export const MT_WRITETHROUGH = 2;
export const MT_WRITEBACK = 3;
export const MT_DEV_SHARED = 4;
export const MT_WRITEALLOC = 7;
export const MAIR_NAMES = [
  'UNCACHED',
  'BUFFERABLE',
  'WRITETHROUGH',
  'WRITEBACK',
  'DEV_SHARED',
  '5 (unused)',
  '6 (unused)',
  'WRITEALLOC',
];
/** HMAIR0/HMAIR1 as set by head.S: attr bytes per index [V] */
export const HMAIR_ATTR = [0x00, 0x44, 0xaa, 0xee, 0x04, 0x00, 0x00, 0xff];

export const MATTR_DEV = 0x1;
export const MATTR_MEM = 0xf;

/** p2m types, enum of 9a80d50 [V] p2m.h */
export const P2M_TYPES = [
  'p2m_invalid',
  'p2m_ram_rw',
  'p2m_ram_ro',
  'p2m_mmio_direct',
  'p2m_map_foreign',
  'p2m_grant_map_rw',
  'p2m_grant_map_ro',
] as const;
export type P2mType = (typeof P2M_TYPES)[number];
export function p2mTypeIndex(t: P2mType): number {
  return P2M_TYPES.indexOf(t);
}

// ---- field access on hi/lo (no allocation) -------------------------------------------------

export function lpaeValid(lo: number): boolean {
  return (lo & 1) !== 0;
}
export function lpaeTable(lo: number): boolean {
  return (lo & 2) !== 0;
}
/** base field (bits 12..39) = the frame number of the next table or the output page */
export function lpaeBase(hi: number, lo: number): number {
  return (hi & 0xff) * 0x100000 + (lo >>> 12);
}
/** bits 55..58 (avail / p2m type) */
export function lpaeAvail(hi: number): number {
  return (hi >>> 23) & 0xf;
}
export function lpaeXn(hi: number): boolean {
  return (hi & (1 << 22)) !== 0;
}

// ---- decoded views ----------------------------------------------------------------------------

/** `lpae_pt_t`: the entry as Xen's stage-1 (HYP) translation reads it. */
export interface LpaePt {
  valid: boolean;
  table: boolean;
  ai: number;
  ns: boolean;
  user: boolean;
  ro: boolean;
  sh: number;
  af: boolean;
  ng: boolean;
  base: number;
  sbz: number;
  contig: boolean;
  pxn: boolean;
  xn: boolean;
  avail: number;
  pxnt: boolean;
  xnt: boolean;
  apt: number;
  nst: boolean;
}

/** `lpae_p2m_t`: the entry as the stage-2 (guest p2m) translation reads it. */
export interface LpaeP2m {
  valid: boolean;
  table: boolean;
  mattr: number;
  read: boolean;
  write: boolean;
  sh: number;
  af: boolean;
  sbz4: boolean;
  base: number;
  sbz3: number;
  contig: boolean;
  sbz2: boolean;
  xn: boolean;
  /** bits 55..58: `avail` at ac6e1ae, `type` at 9a80d50 */
  type: number;
  sbz1: number;
}

export function decodePt(hi: number, lo: number): LpaePt {
  return {
    valid: (lo & 1) !== 0,
    table: (lo & 2) !== 0,
    ai: (lo >>> 2) & 7,
    ns: (lo & 0x20) !== 0,
    user: (lo & 0x40) !== 0,
    ro: (lo & 0x80) !== 0,
    sh: (lo >>> 8) & 3,
    af: (lo & 0x400) !== 0,
    ng: (lo & 0x800) !== 0,
    base: lpaeBase(hi, lo),
    sbz: (hi >>> 8) & 0xfff,
    contig: (hi & (1 << 20)) !== 0,
    pxn: (hi & (1 << 21)) !== 0,
    xn: (hi & (1 << 22)) !== 0,
    avail: (hi >>> 23) & 0xf,
    pxnt: (hi & (1 << 27)) !== 0,
    xnt: (hi & (1 << 28)) !== 0,
    apt: (hi >>> 29) & 3,
    nst: (hi & (1 << 31)) !== 0,
  };
}

export function decodeP2m(hi: number, lo: number): LpaeP2m {
  return {
    valid: (lo & 1) !== 0,
    table: (lo & 2) !== 0,
    mattr: (lo >>> 2) & 0xf,
    read: (lo & 0x40) !== 0,
    write: (lo & 0x80) !== 0,
    sh: (lo >>> 8) & 3,
    af: (lo & 0x400) !== 0,
    sbz4: (lo & 0x800) !== 0,
    base: lpaeBase(hi, lo),
    sbz3: (hi >>> 8) & 0xfff,
    contig: (hi & (1 << 20)) !== 0,
    sbz2: (hi & (1 << 21)) !== 0,
    xn: (hi & (1 << 22)) !== 0,
    type: (hi >>> 23) & 0xf,
    sbz1: (hi >>> 27) & 0x1f,
  };
}

/** Encode a stage-1 view back into hi/lo. `encodePt(decodePt(x)) === x` for every x. */
export function encodePt(p: LpaePt, out: Uint32Array | number[] = [0, 0]): Uint32Array | number[] {
  const lo =
    (p.valid ? 1 : 0) |
    (p.table ? 2 : 0) |
    ((p.ai & 7) << 2) |
    (p.ns ? 0x20 : 0) |
    (p.user ? 0x40 : 0) |
    (p.ro ? 0x80 : 0) |
    ((p.sh & 3) << 8) |
    (p.af ? 0x400 : 0) |
    (p.ng ? 0x800 : 0) |
    ((p.base & 0xfffff) << 12);
  const hi =
    (Math.floor(p.base / 0x100000) & 0xff) |
    ((p.sbz & 0xfff) << 8) |
    (p.contig ? 1 << 20 : 0) |
    (p.pxn ? 1 << 21 : 0) |
    (p.xn ? 1 << 22 : 0) |
    ((p.avail & 0xf) << 23) |
    (p.pxnt ? 1 << 27 : 0) |
    (p.xnt ? 1 << 28 : 0) |
    ((p.apt & 3) << 29) |
    (p.nst ? 1 << 31 : 0);
  out[0] = hi >>> 0;
  out[1] = lo >>> 0;
  return out;
}

export function encodeP2m(p: LpaeP2m, out: Uint32Array | number[] = [0, 0]): Uint32Array | number[] {
  const lo =
    (p.valid ? 1 : 0) |
    (p.table ? 2 : 0) |
    ((p.mattr & 0xf) << 2) |
    (p.read ? 0x40 : 0) |
    (p.write ? 0x80 : 0) |
    ((p.sh & 3) << 8) |
    (p.af ? 0x400 : 0) |
    (p.sbz4 ? 0x800 : 0) |
    ((p.base & 0xfffff) << 12);
  const hi =
    (Math.floor(p.base / 0x100000) & 0xff) |
    ((p.sbz3 & 0xfff) << 8) |
    (p.contig ? 1 << 20 : 0) |
    (p.sbz2 ? 1 << 21 : 0) |
    (p.xn ? 1 << 22 : 0) |
    ((p.type & 0xf) << 23) |
    ((p.sbz1 & 0x1f) << 27);
  out[0] = hi >>> 0;
  out[1] = lo >>> 0;
  return out;
}

// ---- the constructors Xen uses (reference doc §4 "Descriptor constants") -------------------

/** raw = constant | (mfn << 12), split so that mfn up to 28 bits works without BigInt */
function withBase(constHi: number, constLo: number, mfn: number, out: Uint32Array | number[], at = 0): void {
  out[at] = (constHi | (Math.floor(mfn / 0x100000) & 0xff)) >>> 0;
  out[at + 1] = (constLo | ((mfn & 0xfffff) << 12)) >>> 0;
}

/** `mfn_to_xen_entry(mfn)` with its attribute index: valid, ns, user, sh=2 (outer), af, ng, xn [V] mm.c */
export function mfnToXenEntry(
  mfn: number,
  ai: number,
  out: Uint32Array | number[] = [0, 0],
  at = 0,
): Uint32Array | number[] {
  // 0x00400000_00000E61 | ai << 2 ; with ai = 7 → 0x...E7D
  withBase(0x00400000, 0xe61 | ((ai & 7) << 2), mfn, out, at);
  return out;
}

export const XEN_ENTRY = {
  /** valid, ai=7, ns, user, sh=2, af, ng, xn: `mfn_to_xen_entry(mfn)` */
  DATA_BLOCK: [0x00400000, 0x00000e7d],
  /** … + table=1: a table link, or a 4 KiB data page at level 3 */
  TABLE: [0x00400000, 0x00000e7f],
  /** root entries 0/1 → xen_second: table=1, xn=0 */
  ROOT_TO_SECOND: [0x00000000, 0x00000e7f],
  /** Xen text page: xn=0, ro=1, table=1 */
  TEXT_PAGE: [0x00000000, 0x00000eff],
  /** Xen rodata page: ro=1, xn */
  RODATA_PAGE: [0x00400000, 0x00000eff],
  /** fixmap device page (set_fixmap, ai=DEV_SHARED, table=1) */
  DEV_PAGE: [0x00400000, 0x00000e73],
  /** frametable / xenheap 2 MiB blocks with the contiguous hint */
  CONTIG_BLOCK: [0x00500000, 0x00000e7d],
  /** head.S PT_MEM block for the boot FDT mapping (no xn) */
  PT_MEM: [0x00000000, 0x00000e7d],
} as const;

export function xenEntry(
  kind: keyof typeof XEN_ENTRY,
  mfn: number,
  out: Uint32Array | number[] = [0, 0],
  at = 0,
): Uint32Array | number[] {
  const c = XEN_ENTRY[kind];
  withBase(c[0], c[1], mfn, out, at);
  return out;
}

/** `xen_dommap` slot entry with refcount `count` in `avail` (a 2 MiB block) [V] mm.c map_domain_page */
export function dommapEntry(
  mfn: number,
  count: number,
  out: Uint32Array | number[] = [0, 0],
  at = 0,
): Uint32Array | number[] {
  withBase(0x00400000 | ((count & 0xf) << 23), 0xe7d, mfn, out, at);
  return out;
}

/** Which Xen tree the p2m encoding follows. */
export type XenTree = 'ac6e1ae' | '9a80d50';
export const XEN_TREES: readonly XenTree[] = ['ac6e1ae', '9a80d50'];

/**
 * A p2m table link (`p2m_create_table`):
 * ac6e1ae: `mfn_to_p2m_entry(mfn, MATTR_MEM)` = 0x6FF (read, write, table, …) [V];
 * 9a80d50: type invalid, write 0, xn 1 = 0x0040_0000_0000_067F [V].
 */
export function p2mTableEntry(
  tree: XenTree,
  mfn: number,
  out: Uint32Array | number[] = [0, 0],
  at = 0,
): Uint32Array | number[] {
  if (tree === 'ac6e1ae') withBase(0, 0x6ff, mfn, out, at);
  else withBase(0x00400000, 0x67f, mfn, out, at);
  return out;
}

/**
 * A p2m level-3 leaf of type `t` for `mfn` (reference doc §4):
 * ac6e1ae stores no type: MATTR_MEM leaves are 0x6FF, MMIO 0x6C7.
 * 9a80d50: write/xn from the type, type in bits 55..58.
 */
export function p2mLeafEntry(
  tree: XenTree,
  t: P2mType,
  mfn: number,
  out: Uint32Array | number[] = [0, 0],
  at = 0,
): Uint32Array | number[] {
  const mmio = t === 'p2m_mmio_direct';
  const attrLo = mmio ? 0x6c7 : 0x6ff; // mattr DEV (1) or MEM (0xF); read, write, table, valid, sh=2, af
  if (tree === 'ac6e1ae') {
    withBase(0, attrLo, mfn, out, at);
    return out;
  }
  let write = true;
  let xn = false;
  switch (t) {
    case 'p2m_ram_rw':
      break;
    case 'p2m_ram_ro':
      write = false;
      break;
    case 'p2m_mmio_direct':
    case 'p2m_map_foreign':
    case 'p2m_grant_map_rw':
      xn = true;
      break;
    case 'p2m_grant_map_ro':
      write = false;
      xn = true;
      break;
    case 'p2m_invalid':
      write = false;
      xn = true;
      break;
  }
  const lo = write ? attrLo : attrLo & ~0x80;
  const hi = (xn ? 1 << 22 : 0) | (p2mTypeIndex(t) << 23);
  withBase(hi, lo, mfn, out, at);
  return out;
}

// ---- JSON-facing summaries ------------------------------------------------------------------

export type DescriptorKind = 'invalid' | 'table' | 'block' | 'page' | 'reserved';

/** What an entry is at a given level (1..3) of a walk, in hardware terms. */
export function kindAt(level: number, lo: number): DescriptorKind {
  if ((lo & 1) === 0) return 'invalid';
  const t = (lo & 2) !== 0;
  if (level === 3) return t ? 'page' : 'reserved';
  return t ? 'table' : 'block';
}

export interface DescriptorJson {
  raw: string;
  valid: boolean;
  kind: DescriptorKind;
  /** output or next-table frame */
  mfn: string;
  /** output/next-table physical address */
  pa: string;
}

export function describeRaw(level: number, hi: number, lo: number): DescriptorJson {
  const base = lpaeBase(hi, lo);
  return {
    raw: hex64(hi, lo),
    valid: (lo & 1) !== 0,
    kind: kindAt(level, lo),
    mfn: hex(base),
    pa: hex(base * 4096),
  };
}

/** Stage-1 fields for humans and JSON: the names Xen uses. */
export function ptFieldsJson(hi: number, lo: number): Record<string, unknown> {
  const p = decodePt(hi, lo);
  return {
    valid: p.valid,
    table: p.table,
    ai: p.ai,
    aiName: MAIR_NAMES[p.ai],
    ns: p.ns,
    user: p.user,
    ro: p.ro,
    sh: p.sh,
    af: p.af,
    ng: p.ng,
    base: hex(p.base),
    contig: p.contig,
    pxn: p.pxn,
    xn: p.xn,
    avail: p.avail,
    pxnt: p.pxnt,
    xnt: p.xnt,
    apt: p.apt,
    nst: p.nst,
  };
}

export function p2mFieldsJson(tree: XenTree, hi: number, lo: number): Record<string, unknown> {
  const p = decodeP2m(hi, lo);
  return {
    valid: p.valid,
    table: p.table,
    mattr: p.mattr,
    read: p.read,
    write: p.write,
    sh: p.sh,
    af: p.af,
    base: hex(p.base),
    contig: p.contig,
    xn: p.xn,
    [tree === 'ac6e1ae' ? 'avail' : 'type']: p.type,
  };
}

/** the p2m type name stored in a leaf, or null when the tree stores none (ac6e1ae) */
export function p2mTypeName(tree: XenTree, hi: number): P2mType | string | null {
  if (tree === 'ac6e1ae') return null;
  const t = lpaeAvail(hi);
  return P2M_TYPES[t] ?? `unknown (${t})`;
}

export { join64 };
