/**
 * Browser side of the map webview: draws the layout as SVG from the host's `model` message.
 * DOM built with createElement(NS)/textContent only; colours come from media/map.css, which
 * uses `--vscode-*` variables; no inline styles. Keyboard: Tab/arrows move between regions,
 * Enter/Space opens the region's #define.
 */
import { isToWebview, type FromWebview, type MapModel, type MapRegion, type MapScale } from './protocol';

interface VsCodeApi {
  postMessage(msg: FromWebview): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
const SLOT = 0x200000;
const TOP = 0x1_0000_0000;
const W = 600;
const ADDR_X = 2;
const RULER_X = 82;
const BAR_X = 140;
const BAR_W = 200;
const DESC_X = 350;
const DESC_CHARS = 40;

interface ViewState {
  scale?: MapScale;
  focus?: string;
}
const saved = (vscode.getState() ?? {}) as ViewState;
let model: MapModel | undefined;

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}
function text(parent: Element, x: number, y: number, s: string, cls: string, anchor = 'start'): SVGTextElement {
  const t = el('text', { x, y, class: cls, 'text-anchor': anchor }, parent);
  t.textContent = s;
  return t;
}
function hex(n: number, width = 8): string {
  return '0x' + n.toString(16).padStart(width, '0');
}
function human(n: number): string {
  for (const [u, s] of [[2 ** 40, 'TiB'], [2 ** 30, 'GiB'], [2 ** 20, 'MiB'], [2 ** 10, 'KiB']] as const) if (n >= u && n % (u / 1024) === 0) return `${+(n / u).toFixed(2)} ${s}`;
  return `${n} B`;
}

/** word-wrap to at most `lines` lines of `width` characters, with an ellipsis when cut */
function wrap(s: string, width: number, lines: number): string[] {
  if (lines <= 0) return [];
  const out: string[] = [];
  let cur = '';
  for (const w of s.split(/\s+/)) {
    if (cur && (cur + ' ' + w).length > width) {
      out.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) out.push(cur);
  if (out.length > lines) {
    out.length = lines;
    out[lines - 1] = out[lines - 1]!.slice(0, width - 1) + '…';
  }
  return out.map((l) => (l.length > width ? l.slice(0, width - 1) + '…' : l));
}

interface Segment {
  start: number;
  end: number;
  region: MapRegion | null;
}

function segments(m: MapModel): Segment[] {
  const regs = [...m.regions].filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const out: Segment[] = [];
  let at = 0;
  for (const r of regs) {
    if (r.start > at) out.push({ start: at, end: r.start, region: null });
    if (r.start >= at) out.push({ start: r.start, end: r.end, region: r });
    at = Math.max(at, r.end);
  }
  if (at < TOP) out.push({ start: at, end: TOP, region: null });
  return out;
}

function heightOf(s: Segment, scale: MapScale): number {
  const size = s.end - s.start;
  if (scale === 'linear') return (size / TOP) * 1600;
  const lg = Math.log2(Math.max(size, SLOT) / SLOT);
  return s.region ? 30 + 16 * lg : 14 + 6 * lg;
}

function post(msg: FromWebview): void {
  vscode.postMessage(msg);
}

function render(): void {
  const m = model;
  if (!m) return;
  const scale: MapScale = saved.scale ?? m.scale;
  const head = document.getElementById('head')!;
  const main = document.getElementById('map')!;
  head.replaceChildren();
  main.replaceChildren();

  const title = document.createElement('h1');
  title.textContent = 'Xen virtual memory map';
  const meta = document.createElement('p');
  meta.className = 'meta';
  meta.textContent = `${m.source} · ${m.guest}`;
  const bar = document.createElement('div');
  bar.className = 'toolbar';
  const toggle = document.createElement('button');
  toggle.id = 'scale';
  toggle.textContent = scale === 'readable' ? 'Scale: readable (log) — switch to linear' : 'Scale: linear (to scale) — switch to readable';
  toggle.setAttribute('aria-pressed', String(scale === 'linear'));
  toggle.addEventListener('click', () => {
    saved.scale = scale === 'readable' ? 'linear' : 'readable';
    vscode.setState(saved);
    render();
  });
  const legend = document.createElement('span');
  legend.className = 'legend';
  for (const [cls, label] of [['sw used', 'VLPT slot in use'], ['sw finding', 'slot touched by a finding'], ['sw window', 'VLPT window']] as const) {
    const sw = document.createElement('span');
    sw.className = cls;
    const l = document.createElement('span');
    l.textContent = label;
    legend.append(sw, l);
  }
  bar.append(toggle, legend);
  head.append(title, meta, bar);

  const segs = segments(m);
  const heights = segs.map((s) => heightOf(s, scale));
  const total = heights.reduce((a, b) => a + b, 0);
  const svg = el('svg', { viewBox: `0 0 ${W} ${Math.ceil(total) + 40}`, width: W, height: Math.ceil(total) + 40, role: 'group', 'aria-label': `memory map of ${m.source}` });
  main.appendChild(svg);
  const used = new Set(m.usedSlots);
  const flagged = new Set(m.findingSlots);
  text(svg, ADDR_X, 12, 'Xen VA', 'colhead');
  text(svg, RULER_X, 12, 'xen_second', 'colhead');
  const regionEls: SVGGElement[] = [];
  let y = 22;
  let lastLabel = -100;
  const boundary = (addr: number, yy: number): void => {
    if (yy - lastLabel < 11) return;
    lastLabel = yy;
    text(svg, ADDR_X, yy + 4, hex(addr), 'addr');
    el('line', { x1: RULER_X - 4, x2: BAR_X, y1: yy, y2: yy, class: 'tick' }, svg);
    if (addr <= 0x80000000) text(svg, RULER_X, yy + 4, addr === 0x80000000 ? 'end (1024)' : `slot ${addr / SLOT}`, 'slot');
  };
  segs.forEach((s, i) => {
    const h = heights[i]!;
    boundary(s.start, y);
    if (!s.region) {
      if (h >= 1) el('rect', { x: BAR_X, y, width: BAR_W, height: h, class: 'gap' }, svg);
      if (h >= 12) text(svg, BAR_X + BAR_W / 2, y + h / 2 + 4, `unused · ${human(s.end - s.start)}`, 'gaptext', 'middle');
    } else {
      const r = s.region;
      const isWin = m.vlpt !== null && r.start === m.vlpt.start && r.end === m.vlpt.end;
      const g = el('g', { class: `region${isWin ? ' window' : ''}`, tabindex: 0, role: 'button', 'data-name': r.name, 'aria-label': `${r.name}, ${hex(r.start)} to ${hex(r.end)}, ${human(r.end - r.start)}: ${r.description}. Press Enter to open its define.` }, svg);
      const tip = el('title', {}, g);
      tip.textContent = `${r.name}: ${hex(r.start)}–${hex(r.end)} (${human(r.end - r.start)})\n${r.description}\n${r.startMacro ?? ''}${r.where ? ` · ${r.where}` : ''}`;
      el('rect', { x: BAR_X, y, width: BAR_W, height: Math.max(h, 1), class: 'box' }, g);
      // hit area so tiny regions stay clickable
      el('rect', { x: BAR_X, y: y + h / 2 - Math.max(h, 8) / 2, width: W - BAR_X - 8, height: Math.max(h, 8), class: 'hit' }, g);
      if (h >= 16) text(g, BAR_X + 10, y + Math.min(h / 2 + 5, 20), r.name, 'name');
      const desc = text(g, DESC_X, y + Math.min(h / 2 + 4, 18), `${h < 16 ? `${r.name} · ` : ''}${human(r.end - r.start)}`, 'size');
      desc.setAttribute('dominant-baseline', 'auto');
      const maxLines = Math.floor((h - 22) / 14);
      wrap(r.description, DESC_CHARS, maxLines).forEach((ln, k) => text(g, DESC_X, y + 34 + k * 14, ln, 'desc'));
      // slot strip: every slot of the window, and marked slots elsewhere below 2 GiB
      const first = Math.floor(r.start / SLOT);
      const last = Math.ceil(Math.min(r.end, 0x80000000) / SLOT);
      const count = last - first;
      const marked = [...used, ...flagged].some((n) => n >= first && n < last);
      if (count > 0 && (isWin || marked) && h >= 14) {
        const sy = y + h - 12;
        const cw = (BAR_W - 20) / count;
        for (let k = first; k < last; k++) {
          const cls = used.has(k) || flagged.has(k) ? `cell${used.has(k) ? ' used' : ''}${flagged.has(k) ? ' finding' : ''}` : isWin ? 'cell' : '';
          if (!cls) continue;
          const c = el('rect', { x: BAR_X + 10 + (k - first) * cw, y: sy, width: Math.max(cw - (cw > 3 ? 1 : 0), 1), height: 8, class: cls }, g);
          const t = el('title', {}, c);
          t.textContent = `xen_second slot ${k}${used.has(k) ? ' · written by prepare_vlpt' : ''}${flagged.has(k) ? ' · touched by a finding' : ''}`;
        }
      }
      g.addEventListener('click', () => post({ type: 'openRegion', name: r.name }));
      g.addEventListener('focus', () => {
        saved.focus = r.name;
        vscode.setState(saved);
      });
      regionEls.push(g);
    }
    y += h;
  });
  lastLabel = -100;
  boundary(TOP, y);
  regionEls.forEach((g, i) => {
    g.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        post({ type: 'openRegion', name: g.dataset.name ?? '' });
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        regionEls[Math.max(0, Math.min(regionEls.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)))]!.focus();
      } else if (e.key === 'Home' || e.key === 'End') {
        e.preventDefault();
        regionEls[e.key === 'Home' ? 0 : regionEls.length - 1]!.focus();
      }
    });
  });
  if (saved.focus) regionEls.find((g) => g.dataset.name === saved.focus)?.focus({ preventScroll: true });
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (!isToWebview(e.data)) return;
  model = e.data.model;
  render();
});
post({ type: 'ready' });
