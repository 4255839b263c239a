/**
 * The layout object: Xen's hypervisor virtual map as regions. The embedded default is the
 * seed's patched 2013 arm32 `config.h` (reference doc §2); the header parser (layout/header.ts)
 * produces the same shape from real headers.
 */
export type Arch = 'arm32' | 'arm64';

/**
 * How the file expressed the region's end:
 * - `exclusive`: an `_END` macro that is one past the last byte (`VMAP_VIRT_END = XENHEAP_VIRT_START`)
 * - `inclusive`: an `_END` macro naming the last byte (`XENHEAP_VIRT_END 0x7fffffff`)
 * - `size`: a `_SIZE` macro
 * - `next`: no end macro; the end is the next region's start
 * - `comment`: no end macro; the end comes from the header's comment map
 * - `fixed`: the region's size is a fact of the code, not of a macro (e.g. a 2 MiB slot)
 */
export type EndForm = 'exclusive' | 'inclusive' | 'size' | 'next' | 'comment' | 'fixed';

export interface Region {
  /** macro stem, e.g. `VIRT_LIN_P2M`, `FRAMETABLE`, `VMAP`, `XENHEAP`, `DOMHEAP` */
  name: string;
  /** first byte */
  start: number;
  /** exclusive end (normalised, whatever the file used) */
  end: number;
  /** end - start */
  size: number;
  startMacro: string | null;
  endMacro: string | null;
  endForm: EndForm;
  /** 1-based line of the start macro's #define in its file, null when not from a file */
  line: number | null;
  /** file the start macro came from (as given to the parser), null for the embedded layout */
  file: string | null;
  /** short human description, from the comment map when there is one */
  description: string;
  /**
   * the optional build config the region exists under (`CONFIG_LIVEPATCH` for LIVEPATCH_VMAP,
   * which the parser assumes on), absent for unconditional regions
   */
  condition?: string;
}

export interface CommentMapRow {
  start: number;
  /** exclusive end */
  end: number;
  text: string;
  line: number | null;
  /**
   * `range` (a region of the map), `reference` (`0 - 8M <COMMON>`: points at another
   * section), `container` (a hex row whose unit rows are relative offsets, arm64 2023+).
   * Absent means `range`.
   */
  kind?: 'range' | 'reference' | 'container';
  /** file the row came from (header parser only) */
  file?: string | null;
}

export interface Layout {
  arch: Arch;
  /** where it came from: "embedded (2013 ac6e1ae + seed)", a file path, or "patch:<path>" */
  source: string;
  /** sorted by start */
  regions: Region[];
  commentMap: CommentMapRow[];
  warnings: string[];
  /**
   * Guest RAM banks the given files define (`GUEST_RAM_BASE`/`_SIZE`, `GUEST_RAM0_*`,
   * `GUEST_RAM1_*`), exclusive ends; header parser only. Used by the `window-capacity` lint.
   */
  guestRam?: Array<{ name: string; start: number; end: number }>;
  /** structured form of `warnings` (header parser only), for lints */
  diagnostics?: Array<{ kind: string; file: string; line: number | null; message: string }>;
}
