/**
 * Messages between the map webview and the extension host, shared by both sides (no `vscode`
 * and no DOM import). Each side validates what it receives with the guards below.
 */
export type MapScale = 'linear' | 'readable';

export interface MapRegion {
  name: string;
  start: number;
  /** exclusive */
  end: number;
  description: string;
  startMacro: string | null;
  /** where the #define is, shown in the tooltip ("config.h:42"), null when unknown */
  where: string | null;
}

export interface MapModel {
  source: string;
  guest: string;
  regions: MapRegion[];
  /** the VIRT_LIN_P2M window, null when the layout has none */
  vlpt: { start: number; end: number } | null;
  /** xen_second slots prepare_vlpt wrote */
  usedSlots: number[];
  /** slots a finding touches */
  findingSlots: number[];
  scale: MapScale;
  /** before/after of a patch (side by side); absent or null for a single layout */
  compare?: MapCompare | null;
  /** top of the VA space drawn: 2^32 for arm32, 2^48 for arm64 (absent: 4 GiB) */
  top?: number;
  /** what the map leaves out and why (over MAX_MAP_REGIONS regions), shown above it */
  notices?: string[];
  /**
   * While a live Xen is attached (issue 14): the slots used in its real xen_second, drawn instead of the
   * emulated ones (usedSlots and findingSlots are then empty). `note` says why there are none (target running,
   * read failed, arm64). Absent or null: the emulated model.
   */
  live?: MapLive | null;
}

export interface MapLive {
  /** "live · 127.0.0.1:1234" */
  label: string;
  slots: number[];
  /** empty, or why `slots` is empty */
  note: string;
}

/** the most regions the map draws per layout; the host leaves out the rest and says so */
export const MAX_MAP_REGIONS = 256;

/** `end`: same bytes, another end macro, form or value (the map shows it like a resize) */
export type ChangeKind = 'added' | 'removed' | 'moved' | 'resized' | 'end';

export interface MapChange {
  name: string;
  change: ChangeKind;
  before: { start: number; end: number } | null;
  after: { start: number; end: number } | null;
}

/** a patch's layout before and after its layout-header hunks */
export interface MapCompare {
  /** workspace-relative path of the patch */
  patch: string;
  subject: string | null;
  /** e.g. "embedded: 2013 arm32 config.h (ac6e1ae)" */
  beforeLabel: string;
  afterLabel: string;
  before: MapRegion[];
  after: MapRegion[];
  changes: MapChange[];
}

/** host → webview */
export type ToWebview =
  | { type: 'model'; model: MapModel }
  /** xen_second slots the Scenario view's current step involves (empty clears), with what to say about them */
  | { type: 'highlightSlots'; slots: number[]; label: string };

/** webview → host */
export type FromWebview =
  /** the script is loaded and wants the model */
  | { type: 'ready' }
  /** the user activated a region: open its #define */
  | { type: 'openRegion'; name: string }
  /** the user clicked a xen_second slot cell: reveal it in the slots tree */
  | { type: 'revealSlot'; slot: number };

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export function isFromWebview(x: unknown): x is FromWebview {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const o = x as Record<string, unknown>;
  const keys = Object.keys(o);
  if (o.type === 'ready') return keys.length === 1;
  if (o.type === 'openRegion') return keys.length === 2 && typeof o.name === 'string' && NAME.test(o.name);
  if (o.type === 'revealSlot')
    return keys.length === 2 && Number.isInteger(o.slot) && (o.slot as number) >= 0 && (o.slot as number) < 1024;
  return false;
}

/** an address: arm64 layouts reach 2^48 and the header reader allows any exact (safe) integer */
function isAddr(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function isSlots(a: unknown): a is number[] {
  return Array.isArray(a) && a.length <= 1024 && a.every((s) => Number.isInteger(s) && s >= 0 && s < 1024);
}

function isRegions(a: unknown): a is MapRegion[] {
  return (
    Array.isArray(a) &&
    a.length <= MAX_MAP_REGIONS &&
    a.every((r: unknown) => {
      const g = r as Record<string, unknown>;
      return (
        typeof r === 'object' &&
        r !== null &&
        typeof g.name === 'string' &&
        isAddr(g.start) &&
        isAddr(g.end) &&
        typeof g.description === 'string'
      );
    })
  );
}

function isRange(r: unknown): boolean {
  return (
    r === null ||
    (typeof r === 'object' && isAddr((r as { start?: unknown }).start) && isAddr((r as { end?: unknown }).end))
  );
}

const CHANGES: readonly unknown[] = ['added', 'removed', 'moved', 'resized', 'end'];

function isCompare(c: unknown): c is MapCompare | null | undefined {
  if (c === null || c === undefined) return true;
  if (typeof c !== 'object' || Array.isArray(c)) return false;
  const o = c as Record<string, unknown>;
  return (
    typeof o.patch === 'string' &&
    (o.subject === null || typeof o.subject === 'string') &&
    typeof o.beforeLabel === 'string' &&
    typeof o.afterLabel === 'string' &&
    isRegions(o.before) &&
    isRegions(o.after) &&
    Array.isArray(o.changes) &&
    o.changes.length <= 512 &&
    o.changes.every((ch: unknown) => {
      const g = ch as Record<string, unknown>;
      return (
        typeof ch === 'object' &&
        ch !== null &&
        typeof g.name === 'string' &&
        CHANGES.includes(g.change) &&
        isRange(g.before) &&
        isRange(g.after)
      );
    })
  );
}

function isLive(l: unknown): l is MapLive | null | undefined {
  if (l === null || l === undefined) return true;
  if (typeof l !== 'object' || Array.isArray(l)) return false;
  const o = l as Record<string, unknown>;
  return (
    Object.keys(o).length === 3 &&
    typeof o.label === 'string' &&
    o.label.length <= 200 &&
    isSlots(o.slots) &&
    typeof o.note === 'string' &&
    o.note.length <= 400
  );
}

export function isToWebview(x: unknown): x is ToWebview {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as { type?: unknown; model?: unknown };
  if (o.type === 'highlightSlots') {
    const h = x as { slots?: unknown; label?: unknown };
    return Object.keys(x).length === 3 && isSlots(h.slots) && typeof h.label === 'string' && h.label.length <= 200;
  }
  if (o.type !== 'model' || typeof o.model !== 'object' || o.model === null) return false;
  const m = o.model as Record<string, unknown>;
  return (
    typeof m.source === 'string' &&
    typeof m.guest === 'string' &&
    (m.scale === 'linear' || m.scale === 'readable') &&
    isSlots(m.usedSlots) &&
    isSlots(m.findingSlots) &&
    (m.vlpt === null ||
      (typeof m.vlpt === 'object' &&
        isAddr((m.vlpt as { start?: unknown }).start) &&
        isAddr((m.vlpt as { end?: unknown }).end))) &&
    isRegions(m.regions) &&
    isCompare(m.compare) &&
    (m.top === undefined || isAddr(m.top)) &&
    isLive(m.live) &&
    (m.notices === undefined ||
      (Array.isArray(m.notices) &&
        m.notices.length <= 8 &&
        m.notices.every((n) => typeof n === 'string' && n.length <= 400)))
  );
}

/**
 * Keep a layout's regions within what the map draws: the first MAX_MAP_REGIONS by start address,
 * with a notice saying how many were left out and why (the map was blank, with no error, before).
 */
export function limitRegions(
  regions: readonly MapRegion[],
  what = 'the layout',
): { regions: MapRegion[]; notice: string | null } {
  if (regions.length <= MAX_MAP_REGIONS) return { regions: [...regions], notice: null };
  const sorted = [...regions].sort((a, b) => a.start - b.start || a.end - b.end);
  const kept = sorted.slice(0, MAX_MAP_REGIONS);
  const last = kept[kept.length - 1]!;
  return {
    regions: kept,
    notice: `${what} has ${regions.length} regions; the map draws the first ${MAX_MAP_REGIONS} by address (up to 0x${last.start.toString(16)}) and leaves out ${regions.length - MAX_MAP_REGIONS}, to stay responsive. The trees and the CLI (xenlens layout) list them all.`,
  };
}
