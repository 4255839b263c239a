/**
 * Geometry of the memory map, pure (no DOM): where each row, address tick, label and leader line
 * goes for a given panel width, so the map reads in a 300 px side panel as well as in a wide
 * editor. The SVG is drawn at 1:1 (its width is the panel's width, never scaled down), so the
 * font sizes below are the sizes on screen: no text is ever smaller than 11 px.
 *
 * Three widths: wide (≥ 560 px: address, xen_second slot, 200 px bar with the names inside, label
 * lane), medium (≥ 380 px: no slot column, 100 px bar) and narrow (56 px bar); below 560 px the
 * names move out of the bar to the label lane, and the window's slot grid gets fewer cells a row.
 * A label that does not fit its lane is abbreviated with "…" (the full name is in the region's
 * tooltip); labels that would overlap are pushed down and joined to their row by a leader line.
 *
 * Addresses are plain numbers: exact up to 2^53, which covers arm64's 48-bit VA (no BigInt).
 * Text widths are estimated from the font size (see `textWidth`); the webview also measures the
 * drawn text and shortens what the estimate let through.
 */
import type { MapRegion, MapScale } from './protocol';

/** a 2 MiB xen_second slot */
export const SLOT = 0x200000;
export const FOUR_GIB = 0x1_0000_0000;

/** smallest font anywhere on the map, px */
export const MIN_FONT = 11;
export const NAME_PX = 12;
export const SIZE_PX = 12;
export const DESC_PX = 11;
export const ADDR_PX = 11;
/** line pitch of a 12 px and an 11 px line in the label lane */
const LINE12 = 16;
const LINE11 = 15;
/** text box above/below the baseline, in em (DejaVu Sans: ascent 0.928, descent 0.236, rounded up) */
export const ASCENT = 0.95;
export const DESCENT = 0.25;
/** narrowest width the geometry lays out for; a narrower panel scrolls */
export const MIN_WIDTH = 240;
/** at and above this width: slot column, 200 px bar with the names inside */
export const WIDE = 560;
/** a slot cell of the window's grid, px (big enough to click) */
export const GRID_CELL = 11;
/** first row's top: below the column heads */
const TOP_Y = 24;

export type TextKind = 'name' | 'size' | 'desc' | 'addr' | 'slot' | 'gaptext' | 'colhead';

export interface Text {
  /** index into `rows` the text belongs to (drawn inside the region's group), -1 for none */
  row: number;
  kind: TextKind;
  x: number;
  /** baseline */
  y: number;
  text: string;
  px: number;
  anchor: 'start' | 'middle';
  /** widest the text may be drawn, px (the webview shortens it further if the real font is wider) */
  maxWidth: number;
}

export interface Row {
  start: number;
  end: number;
  y: number;
  h: number;
  /** index into the input regions, -1 for an unused gap */
  region: number;
  /** the VIRT_LIN_P2M window */
  window: boolean;
}

export interface Leader {
  row: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** the window's grid of slot cells */
export interface Grid {
  row: number;
  x: number;
  y: number;
  perRow: number;
}

export interface Geometry {
  width: number;
  height: number;
  mode: 'wide' | 'medium' | 'narrow';
  top: number;
  /** hex digits of an address label */
  digits: number;
  addrX: number;
  /** null when there is no slot column (narrow, or addresses above 4 GiB) */
  slotX: number | null;
  barX: number;
  barW: number;
  laneX: number;
  laneW: number;
  rows: Row[];
  /** address tick lines, one per shown address label */
  ticks: Array<{ y: number; addr: number }>;
  texts: Text[];
  leaders: Leader[];
  grids: Grid[];
}

export interface GeometryInput {
  regions: readonly MapRegion[];
  vlpt: { start: number; end: number } | null;
  /** the width available to the SVG, CSS px */
  width: number;
  scale: MapScale;
  /** the top of the VA space drawn (4 GiB for arm32, 2^48 for arm64); raised to the highest region end */
  top?: number;
}

export function hex(n: number, digits = 8): string {
  return '0x' + n.toString(16).padStart(digits, '0');
}

export function human(n: number): string {
  for (const [u, s] of [
    [2 ** 50, 'PiB'],
    [2 ** 40, 'TiB'],
    [2 ** 30, 'GiB'],
    [2 ** 20, 'MiB'],
    [2 ** 10, 'KiB'],
  ] as const)
    if (n >= u && n % (u / 1024) === 0) return `${+(n / u).toFixed(2)} ${s}`;
  return `${n} B`;
}

/**
 * Estimated width of `s` drawn at `px`: a conservative average advance per character (DejaVu
 * Sans Bold capitals: 0.66 em for VIRT_LIN_P2M, 0.83 em for FRAMETABLE as measured in the E2E;
 * regular text 0.55 em, DejaVu Sans Mono 0.602 em).
 */
export function textWidth(s: string, px: number, kind: TextKind): number {
  const em = kind === 'addr' || kind === 'slot' ? 0.62 : kind === 'name' || kind === 'colhead' ? 0.8 : 0.6;
  return s.length * em * px;
}

/** `s`, or its longest prefix + "…" that fits `maxWidth`; '' when not even one character fits */
export function abbreviate(s: string, maxWidth: number, px: number, kind: TextKind): string {
  if (textWidth(s, px, kind) <= maxWidth) return s;
  const per = textWidth('m', px, kind);
  const n = Math.floor(maxWidth / per + 1e-9) - 1;
  return n >= 1 ? s.slice(0, n) + '…' : '';
}

/** word-wrap to at most `lines` lines of `width` characters, with an ellipsis when cut */
export function wrap(s: string, width: number, lines: number): string[] {
  if (lines <= 0 || width < 2) return [];
  const out: string[] = [];
  let cur = '';
  for (const w of s.split(/\s+/)) {
    if (!w) continue;
    if (cur && (cur + ' ' + w).length > width) {
      out.push(cur);
      cur = w;
      if (out.length > lines) break;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur && out.length <= lines) out.push(cur);
  if (out.length > lines) {
    out.length = lines;
    out[lines - 1] = out[lines - 1]!.slice(0, width - 1) + '…';
  }
  return out.map((l) => (l.length > width ? l.slice(0, width - 1) + '…' : l));
}

/** the vertical extent of a text's box */
export function textBox(t: Text): { x0: number; x1: number; y0: number; y1: number } {
  const w = Math.min(textWidth(t.text, t.px, t.kind), t.maxWidth);
  const x0 = t.anchor === 'middle' ? t.x - w / 2 : t.x;
  return { x0, x1: x0 + w, y0: t.y - ASCENT * t.px, y1: t.y + DESCENT * t.px };
}

interface Segment {
  start: number;
  end: number;
  region: number;
}

/** regions sorted by start, with the unused gaps between them; a region starting inside another is skipped */
function segments(regions: readonly MapRegion[], top: number): Segment[] {
  const order = regions
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.end > r.start)
    .sort((a, b) => a.r.start - b.r.start || a.r.end - b.r.end);
  const out: Segment[] = [];
  let at = 0;
  for (const { r, i } of order) {
    if (r.start > at) out.push({ start: at, end: r.start, region: -1 });
    if (r.start >= at) out.push({ start: r.start, end: r.end, region: i });
    at = Math.max(at, r.end);
  }
  if (at < top) out.push({ start: at, end: top, region: -1 });
  return out;
}

/** slots of xen_second (below 2 GiB) a range covers */
function slotCount(start: number, end: number): number {
  return Math.max(0, Math.ceil(Math.min(end, 0x80000000) / SLOT) - Math.floor(start / SLOT));
}

interface Line {
  kind: TextKind;
  text: string;
  px: number;
  pitch: number;
}

export function mapGeometry(input: GeometryInput): Geometry {
  const width = Math.max(MIN_WIDTH, Math.floor(input.width));
  const maxEnd = input.regions.reduce((m, r) => Math.max(m, r.end), 0);
  const top = Math.max(input.top ?? FOUR_GIB, maxEnd, FOUR_GIB);
  const digits = Math.max(8, (top - 1).toString(16).length);
  const addrLabelW = textWidth(hex(top, digits), ADDR_PX, 'addr');
  const mode = width >= WIDE ? 'wide' : width >= 380 ? 'medium' : 'narrow';
  const addrX = 2;
  // the slot column names xen_second slots: arm32 addresses only
  const slotX = mode === 'wide' && top <= FOUR_GIB ? Math.ceil(addrX + addrLabelW + 8) : null;
  const slotW = Math.max(textWidth('end (1024)', ADDR_PX, 'slot'), textWidth('xen_second', ADDR_PX, 'colhead'));
  const barX = Math.ceil((slotX !== null ? slotX + slotW : addrX + addrLabelW) + 6);
  /** cells a row of the window's slot grid: 16, 8 or 4 */
  const perRow = mode === 'wide' ? 16 : mode === 'medium' ? 8 : 4;
  const barW = mode === 'wide' ? 200 : perRow * GRID_CELL + 12;
  const laneX = barX + barW + 8;
  const laneW = width - laneX - 2;

  /** the name goes in the bar (wide only, and when the row is tall enough) */
  const nameInBar = (name: string, h: number): boolean =>
    mode === 'wide' && textWidth(name, NAME_PX, 'name') <= barW - 20 && h >= 18;
  /** first lines of a region's lane block: [name] and size; `inline` puts the size after the name */
  const head = (name: string, size: string, inBar: boolean): { lines: Line[]; inline: boolean } => {
    if (inBar) return { lines: [{ kind: 'size', text: size, px: SIZE_PX, pitch: LINE12 }], inline: false };
    const inline = textWidth(name, NAME_PX, 'name') + 8 + textWidth(size, SIZE_PX, 'size') <= laneW;
    const lines: Line[] = [];
    const short = abbreviate(name, laneW, NAME_PX, 'name');
    if (short) lines.push({ kind: 'name', text: short, px: NAME_PX, pitch: LINE12 });
    const sz = abbreviate(size, laneW, SIZE_PX, 'size');
    if (!inline && sz) lines.push({ kind: 'size', text: sz, px: SIZE_PX, pitch: LINE12 });
    return { lines, inline };
  };

  const segs = segments(input.regions, top);
  const win = input.vlpt;
  const rows: Row[] = [];
  let y = TOP_Y;
  for (const s of segs) {
    const size = s.end - s.start;
    const isWin = s.region >= 0 && win !== null && s.start === win.start && s.end === win.end;
    let h: number;
    if (input.scale === 'linear') h = (size / top) * 1600;
    else {
      const lg = Math.log2(Math.max(size, SLOT) / SLOT);
      h = s.region >= 0 ? 30 + 16 * lg : 14 + 6 * lg;
      if (s.region >= 0) {
        // room for the lane block's head, and for the window's grid of slot cells
        const name = input.regions[s.region]!.name;
        const hd = head(name, human(size), nameInBar(name, h));
        h = Math.max(h, 6 + hd.lines.reduce((a, l) => a + l.pitch, 0));
        const slots = slotCount(s.start, s.end);
        if (isWin && slots > 0 && slots <= 1024)
          h = Math.max(h, (mode === 'wide' ? 32 : 12) + Math.ceil(slots / perRow) * GRID_CELL);
      }
    }
    rows.push({ start: s.start, end: s.end, y, h, region: s.region, window: isWin });
    y += h;
  }
  const rowsBottom = y;

  const texts: Text[] = [];
  const leaders: Leader[] = [];
  const grids: Grid[] = [];
  texts.push(mkText(-1, 'colhead', addrX, 12, 'Xen VA', ADDR_PX, (slotX ?? barX) - addrX - 4));
  if (slotX !== null) texts.push(mkText(-1, 'colhead', slotX, 12, 'xen_second', ADDR_PX, barX - slotX - 4));

  // address ticks: one per row start and the top; a label closer than 14 px to the last one is left out
  const ticks: Array<{ y: number; addr: number }> = [];
  let lastTick = -100;
  let lastTickTexts = 0;
  const tick = (addr: number, yy: number, force: boolean): void => {
    if (yy - lastTick < 14) {
      if (!force) return;
      // the top of the map always gets its label: the previous one gives way
      ticks.pop();
      texts.length -= lastTickTexts;
    }
    lastTick = yy;
    ticks.push({ y: yy, addr });
    texts.push(mkText(-1, 'addr', addrX, yy + 4, hex(addr, digits), ADDR_PX, addrLabelW + 1));
    lastTickTexts = 1;
    if (slotX !== null && addr <= 0x80000000) {
      const label = addr === 0x80000000 ? 'end (1024)' : `slot ${addr / SLOT}`;
      texts.push(mkText(-1, 'slot', slotX, yy + 4, label, ADDR_PX, slotW + 1));
      lastTickTexts = 2;
    }
  };
  rows.forEach((r) => tick(r.start, r.y, false));
  tick(top, rowsBottom, true);

  // labels: the name in the bar when it fits, the rest in the lane, pushed below the previous block
  let laneFree = TOP_Y - 4;
  rows.forEach((r, i) => {
    if (r.region < 0) {
      if (r.h >= 14) {
        const size = human(r.end - r.start);
        const t = [`unused · ${size}`, size].find((s) => textWidth(s, DESC_PX, 'gaptext') <= barW - 8);
        if (t)
          texts.push({
            ...mkText(i, 'gaptext', barX + barW / 2, r.y + r.h / 2 + 4, t, DESC_PX, barW - 8),
            anchor: 'middle',
          });
      }
      return;
    }
    const reg = input.regions[r.region]!;
    const size = human(r.end - r.start);
    const inBar = nameInBar(reg.name, r.h);
    if (inBar) texts.push(mkText(i, 'name', barX + 10, r.y + Math.min(r.h / 2 + 5, 20), reg.name, NAME_PX, barW - 20));
    const slots = slotCount(r.start, r.end);
    if (r.window && slots > 0 && slots <= 1024) {
      const gh = Math.ceil(slots / perRow) * GRID_CELL;
      if (r.h >= gh + (inBar ? 28 : 8))
        grids.push({ row: i, x: barX + (barW - perRow * GRID_CELL) / 2, y: r.y + r.h - 4 - gh, perRow });
    }

    const { lines, inline } = head(reg.name, size, inBar);
    const want = r.y + 4;
    const blockTop = Math.max(want, laneFree);
    const headH = lines.reduce((a, l) => a + l.pitch, 0);
    // description lines: as many as fit in the row below the head (none when the block was pushed out of it)
    const room = r.y + r.h - (blockTop + headH) - 2;
    const chars = Math.floor(laneW / textWidth('m', DESC_PX, 'desc'));
    for (const ln of wrap(reg.description, chars, Math.floor(room / LINE11)))
      lines.push({ kind: 'desc', text: ln, px: DESC_PX, pitch: LINE11 });
    let by = blockTop;
    lines.forEach((l, k) => {
      const t = mkText(i, l.kind, laneX, by + ASCENT * l.px + 1, l.text, l.px, laneW);
      texts.push(t);
      if (k === 0 && inline) {
        const x = laneX + textWidth(l.text, l.px, l.kind) + 8;
        texts.push(mkText(i, 'size', x, t.y, size, SIZE_PX, laneX + laneW - x));
      }
      by += l.pitch;
    });
    laneFree = by;
    // a leader when the block's first line is not level with its row
    const firstMid = blockTop + LINE12 / 2;
    if (firstMid > r.y + r.h || blockTop - want > 2) {
      const ry = r.y + Math.max(r.h, 1) / 2;
      leaders.push({ row: i, x1: barX + barW, y1: ry, x2: laneX - 2, y2: firstMid });
    }
  });

  const height = Math.ceil(Math.max(rowsBottom + 12, laneFree + 4));
  return {
    width,
    height,
    mode,
    top,
    digits,
    addrX,
    slotX,
    barX,
    barW,
    laneX,
    laneW,
    rows,
    ticks,
    texts,
    leaders,
    grids,
  };
}

function mkText(row: number, kind: TextKind, x: number, y: number, text: string, px: number, maxWidth: number): Text {
  return { row, kind, x, y, text, px, anchor: 'start', maxWidth };
}
