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
}

/** host → webview */
export type ToWebview = { type: 'model'; model: MapModel };

/** webview → host */
export type FromWebview =
  /** the script is loaded and wants the model */
  | { type: 'ready' }
  /** the user activated a region: open its #define */
  | { type: 'openRegion'; name: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export function isFromWebview(x: unknown): x is FromWebview {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const o = x as Record<string, unknown>;
  const keys = Object.keys(o);
  if (o.type === 'ready') return keys.length === 1;
  if (o.type === 'openRegion') return keys.length === 2 && typeof o.name === 'string' && NAME.test(o.name);
  return false;
}

function isU32(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= 0x1_0000_0000;
}

function isSlots(a: unknown): a is number[] {
  return Array.isArray(a) && a.length <= 1024 && a.every((s) => Number.isInteger(s) && s >= 0 && s < 1024);
}

export function isToWebview(x: unknown): x is ToWebview {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as { type?: unknown; model?: unknown };
  if (o.type !== 'model' || typeof o.model !== 'object' || o.model === null) return false;
  const m = o.model as Record<string, unknown>;
  return (
    typeof m.source === 'string' &&
    typeof m.guest === 'string' &&
    (m.scale === 'linear' || m.scale === 'readable') &&
    isSlots(m.usedSlots) &&
    isSlots(m.findingSlots) &&
    (m.vlpt === null || (typeof m.vlpt === 'object' && isU32((m.vlpt as { start?: unknown }).start) && isU32((m.vlpt as { end?: unknown }).end))) &&
    Array.isArray(m.regions) &&
    m.regions.length <= 256 &&
    m.regions.every((r: unknown) => {
      const g = r as Record<string, unknown>;
      return typeof r === 'object' && r !== null && typeof g.name === 'string' && isU32(g.start) && isU32(g.end) && typeof g.description === 'string';
    })
  );
}
