/**
 * Browser side of the map webview: draws the layout as SVG from the host's `model` message.
 * DOM built with createElement(NS)/textContent only; colours come from media/map.css, which
 * uses `--vscode-*` variables; no inline styles. Keyboard: Tab/arrows move between regions,
 * Enter/Space opens the region's #define.
 */
import {
  isToWebview,
  type FromWebview,
  type MapCompare,
  type MapModel,
  type MapRegion,
  type MapScale,
} from './protocol';

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
/** a slot cell of the window's grid, px (big enough to click) */
const GRID_CELL = 11;

interface ViewState {
  scale?: MapScale;
  focus?: string;
}
const saved = (vscode.getState() ?? {}) as ViewState;
let model: MapModel | undefined;
/** slots the Scenario view highlights, drawn over every render */
let highlight: { slots: number[]; label: string } = { slots: [], label: '' };

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  parent?: Element,
): SVGElementTagNameMap[K] {
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
  for (const [u, s] of [
    [2 ** 40, 'TiB'],
    [2 ** 30, 'GiB'],
    [2 ** 20, 'MiB'],
    [2 ** 10, 'KiB'],
  ] as const)
    if (n >= u && n % (u / 1024) === 0) return `${+(n / u).toFixed(2)} ${s}`;
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
  toggle.textContent =
    scale === 'readable' ? 'Scale: readable (log) — switch to linear' : 'Scale: linear (to scale) — switch to readable';
  toggle.setAttribute('aria-pressed', String(scale === 'linear'));
  toggle.addEventListener('click', () => {
    saved.scale = scale === 'readable' ? 'linear' : 'readable';
    vscode.setState(saved);
    render();
  });
  const legend = document.createElement('span');
  legend.className = 'legend';
  for (const [cls, label] of [
    ['sw used', 'VLPT slot in use'],
    ['sw finding', 'slot touched by a finding'],
    ['sw window', 'VLPT window'],
  ] as const) {
    const sw = document.createElement('span');
    sw.className = cls;
    const l = document.createElement('span');
    l.textContent = label;
    legend.append(sw, l);
  }
  bar.append(toggle, legend);
  head.append(title, meta, bar);
  if (highlight.slots.length) {
    // said in words too, not only by the dashed outline of the cells
    const note = document.createElement('p');
    note.className = 'lit-note';
    note.textContent = `◆ ${highlight.label}: xen_second slot${highlight.slots.length > 1 ? 's' : ''} ${highlight.slots.join(', ')} (dashed outline)`;
    head.append(note);
  }
  if (m.compare) {
    title.textContent = 'Xen virtual memory map: before/after a patch';
    meta.textContent = `${m.compare.patch}${m.compare.subject ? ` · ${m.compare.subject}` : ''}`;
    legend.replaceChildren();
    for (const [cls, label] of [
      ['sw added', 'added'],
      ['sw removed', 'removed'],
      ['sw moved', 'moved or resized'],
    ] as const) {
      const sw = document.createElement('span');
      sw.className = cls;
      const l = document.createElement('span');
      l.textContent = label;
      legend.append(sw, l);
    }
    renderCompare(m.compare, scale, main);
    return;
  }

  const segs = segments(m);
  const heights = segs.map((s) => heightOf(s, scale));
  const total = heights.reduce((a, b) => a + b, 0);
  const svg = el('svg', {
    viewBox: `0 0 ${W} ${Math.ceil(total) + 40}`,
    width: W,
    height: Math.ceil(total) + 40,
    role: 'group',
    'aria-label': `memory map of ${m.source}`,
  });
  main.appendChild(svg);
  const used = new Set(m.usedSlots);
  const flagged = new Set(m.findingSlots);
  const lit = new Set(highlight.slots);
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
    if (addr <= 0x80000000)
      text(svg, RULER_X, yy + 4, addr === 0x80000000 ? 'end (1024)' : `slot ${addr / SLOT}`, 'slot');
  };
  segs.forEach((s, i) => {
    const h = heights[i]!;
    boundary(s.start, y);
    if (!s.region) {
      if (h >= 1) el('rect', { x: BAR_X, y, width: BAR_W, height: h, class: 'gap' }, svg);
      if (h >= 12)
        text(svg, BAR_X + BAR_W / 2, y + h / 2 + 4, `unused · ${human(s.end - s.start)}`, 'gaptext', 'middle');
    } else {
      const r = s.region;
      const isWin = m.vlpt !== null && r.start === m.vlpt.start && r.end === m.vlpt.end;
      const g = el(
        'g',
        {
          class: `region${isWin ? ' window' : ''}`,
          tabindex: 0,
          role: 'button',
          'data-name': r.name,
          'aria-label': `${r.name}, ${hex(r.start)} to ${hex(r.end)}, ${human(r.end - r.start)}: ${r.description}. Press Enter to open its define.`,
        },
        svg,
      );
      const tip = el('title', {}, g);
      tip.textContent = `${r.name}: ${hex(r.start)}–${hex(r.end)} (${human(r.end - r.start)})\n${r.description}\n${r.startMacro ?? ''}${r.where ? ` · ${r.where}` : ''}`;
      el('rect', { x: BAR_X, y, width: BAR_W, height: Math.max(h, 1), class: 'box' }, g);
      // hit area so tiny regions stay clickable
      el(
        'rect',
        { x: BAR_X, y: y + h / 2 - Math.max(h, 8) / 2, width: W - BAR_X - 8, height: Math.max(h, 8), class: 'hit' },
        g,
      );
      if (h >= 16) text(g, BAR_X + 10, y + Math.min(h / 2 + 5, 20), r.name, 'name');
      const desc = text(
        g,
        DESC_X,
        y + Math.min(h / 2 + 4, 18),
        `${h < 16 ? `${r.name} · ` : ''}${human(r.end - r.start)}`,
        'size',
      );
      desc.setAttribute('dominant-baseline', 'auto');
      const maxLines = Math.floor((h - 22) / 14);
      wrap(r.description, DESC_CHARS, maxLines).forEach((ln, k) => text(g, DESC_X, y + 34 + k * 14, ln, 'desc'));
      // slot strip: every slot of the window, and marked slots elsewhere below 2 GiB
      const first = Math.floor(r.start / SLOT);
      const last = Math.ceil(Math.min(r.end, 0x80000000) / SLOT);
      const count = last - first;
      const marked = [...used, ...flagged, ...lit].some((n) => n >= first && n < last);
      if (count > 0 && (isWin || marked) && h >= 14) {
        // the window gets a grid of 16 slots a row when it is tall enough, else one strip
        const grid = isWin && h >= 34 + Math.ceil(count / 16) * GRID_CELL;
        const perRow = grid ? 16 : count;
        const cw = grid ? GRID_CELL : (BAR_W - 20) / count;
        const ch = grid ? GRID_CELL - 2 : 8;
        const sy = grid ? y + h - 6 - Math.ceil(count / 16) * GRID_CELL : y + h - 12;
        for (let k = first; k < last; k++) {
          const cls =
            used.has(k) || flagged.has(k) || lit.has(k)
              ? `cell${used.has(k) ? ' used' : ''}${flagged.has(k) ? ' finding' : ''}${lit.has(k) ? ' lit' : ''}`
              : isWin
                ? 'cell'
                : '';
          if (!cls) continue;
          const col = (k - first) % perRow;
          const row = Math.floor((k - first) / perRow);
          const c = el(
            'rect',
            {
              x: BAR_X + 10 + col * cw,
              y: sy + row * GRID_CELL,
              width: Math.max(cw - (cw > 3 ? 2 : 0), 1),
              height: ch,
              class: cls,
              'data-slot': k,
            },
            g,
          );
          const t = el('title', {}, c);
          t.textContent = `xen_second slot ${k} (VA ${hex(k * SLOT)})${used.has(k) ? ' · written by prepare_vlpt' : ''}${flagged.has(k) ? ' · touched by a finding' : ''} · click to reveal it in the slots tree`;
          c.addEventListener('click', (e) => {
            e.stopPropagation();
            post({ type: 'revealSlot', slot: k });
          });
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
  keyboard(regionEls);
  if (saved.focus) regionEls.find((g) => g.dataset.name === saved.focus)?.focus({ preventScroll: true });
}

/** keyboard: arrows/Home/End move between the regions, Enter/Space opens the #define */
function keyboard(regionEls: SVGGElement[]): void {
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
}

const CMP_ADDR_W = 84;
const CMP_COL_W = 240;
const CMP_GAP = 24;

/**
 * Before/after of a patch, side by side on one address axis: every start/end of either side
 * is a boundary, so a region sits at the same height in both columns. Changed regions are
 * highlighted (and listed above, for screen readers and copy-paste); an added region leaves a
 * dashed ghost in the before column, a removed one in the after column.
 */
function renderCompare(c: MapCompare, scale: MapScale, main: HTMLElement): void {
  const changes = document.createElement('ul');
  changes.id = 'changes';
  changes.setAttribute('aria-label', 'layout changes');
  const span = (r: { start: number; end: number } | null): string =>
    r ? `${hex(r.start)}–${hex(r.end)} (${human(r.end - r.start)})` : '';
  for (const ch of c.changes) {
    const li = document.createElement('li');
    li.className = `change ${ch.change}`;
    const b = document.createElement('strong');
    b.textContent = `${ch.name} ${ch.change}`;
    const rest =
      ch.change === 'added'
        ? span(ch.after)
        : ch.change === 'removed'
          ? span(ch.before)
          : `${span(ch.before)} → ${span(ch.after)}`;
    li.append(b, document.createTextNode(`: ${rest}`));
    changes.appendChild(li);
  }
  if (c.changes.length === 0) {
    const li = document.createElement('li');
    li.textContent = 'The patch moves, adds or removes no region of the layout.';
    changes.appendChild(li);
  }
  main.appendChild(changes);

  const live = (rs: MapRegion[]): MapRegion[] => rs.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const before = live(c.before);
  const after = live(c.after);
  const edges = [...new Set([0, TOP, ...[...before, ...after].flatMap((r) => [r.start, r.end])])].sort((a, b) => a - b);
  const ys = new Map<number, number>();
  let y = 40;
  for (let i = 0; i < edges.length; i++) {
    ys.set(edges[i]!, y);
    if (i + 1 === edges.length) break;
    const a = edges[i]!;
    const b = edges[i + 1]!;
    const covered = [...before, ...after].some((r) => r.start <= a && r.end >= b);
    const lg = Math.log2(Math.max(b - a, SLOT) / SLOT);
    y += scale === 'linear' ? ((b - a) / TOP) * 1600 : covered ? 24 + 12 * lg : 14 + 4 * lg;
  }
  const width = CMP_ADDR_W + 2 * CMP_COL_W + CMP_GAP + 8;
  const svg = el('svg', {
    viewBox: `0 0 ${width} ${Math.ceil(y) + 20}`,
    width,
    height: Math.ceil(y) + 20,
    role: 'group',
    'aria-label': `memory map before and after ${c.patch}`,
  });
  main.appendChild(svg);
  const xBefore = CMP_ADDR_W;
  const xAfter = CMP_ADDR_W + CMP_COL_W + CMP_GAP;
  text(svg, 2, 14, 'Xen VA', 'colhead');
  text(svg, xBefore, 14, 'Before', 'colhead');
  const fit = (l: string): string => (l.length > 34 ? l.slice(0, 33) + '…' : l);
  text(svg, xBefore, 28, fit(c.beforeLabel), 'desc');
  text(svg, xAfter, 14, 'After', 'colhead');
  text(svg, xAfter, 28, fit(c.afterLabel), 'desc');
  let lastLabel = -100;
  for (const e of edges) {
    const yy = ys.get(e)!;
    el('line', { x1: CMP_ADDR_W - 6, x2: width - 8, y1: yy, y2: yy, class: 'tick faint' }, svg);
    if (yy - lastLabel < 11) continue;
    lastLabel = yy;
    text(svg, 2, yy + 4, hex(e), 'addr');
  }
  const kind = new Map(c.changes.map((ch) => [ch.name, ch.change] as const));
  const regionEls: SVGGElement[] = [];
  const column = (regs: MapRegion[], x: number, side: 'before' | 'after', other: MapRegion[]): void => {
    let at = 0;
    for (const r of regs) {
      if (r.start < at) continue; // time-shared start (BOOT_RELOC): the first one is drawn
      at = r.end;
      const y0 = ys.get(r.start)!;
      const h = ys.get(r.end)! - y0;
      const ch = kind.get(r.name);
      const mark =
        ch === 'added'
          ? side === 'after'
            ? 'added'
            : ''
          : ch === 'removed'
            ? side === 'before'
              ? 'removed'
              : ''
            : ch
              ? 'moved'
              : '';
      const g = el(
        'g',
        { class: `region${mark ? ` changed ${mark}` : ''}`, 'data-name': r.name, 'data-side': side },
        svg,
      );
      const what = mark ? ` (${ch})` : '';
      const tip = el('title', {}, g);
      tip.textContent = `${side}: ${r.name}${what}: ${hex(r.start)}–${hex(r.end)} (${human(r.end - r.start)})
${r.description}${
        r.where
          ? `
${r.startMacro ?? ''} · ${r.where}`
          : ''
      }`;
      el('rect', { x, y: y0, width: CMP_COL_W, height: Math.max(h, 1), class: 'box' }, g);
      el('rect', { x, y: y0 + h / 2 - Math.max(h, 8) / 2, width: CMP_COL_W, height: Math.max(h, 8), class: 'hit' }, g);
      const label = `${r.name}${mark ? ` · ${ch}` : ''}`;
      if (h >= 30) {
        text(g, x + 8, y0 + 16, label, 'name');
        text(g, x + 8, y0 + 30, human(r.end - r.start), 'size');
      } else if (h >= 12) text(g, x + 8, y0 + h / 2 + 4, `${label} · ${human(r.end - r.start)}`, 'name small');
      if (side === 'after') {
        g.setAttribute('tabindex', '0');
        g.setAttribute('role', 'button');
        g.setAttribute(
          'aria-label',
          `after the patch: ${r.name}${what}, ${hex(r.start)} to ${hex(r.end)}, ${human(r.end - r.start)}. Press Enter to open its define in the patch.`,
        );
        g.addEventListener('click', () => post({ type: 'openRegion', name: r.name }));
        regionEls.push(g);
      }
    }
    // ghosts: where a region of the other side is missing on this one
    for (const r of other) {
      const ch = kind.get(r.name);
      if ((side === 'before' && ch === 'added') || (side === 'after' && ch === 'removed')) {
        const y0 = ys.get(r.start)!;
        const h = ys.get(r.end)! - y0;
        const g = el('g', { class: 'ghost' }, svg);
        el('rect', { x: x + 2, y: y0 + 1, width: CMP_COL_W - 4, height: Math.max(h - 2, 1), class: 'ghostbox' }, g);
        if (h >= 16)
          text(
            g,
            x + CMP_COL_W / 2,
            y0 + Math.min(h / 2 + 4, 20),
            side === 'before' ? `no ${r.name} before` : `${r.name} removed`,
            'gaptext',
            'middle',
          );
      }
    }
  };
  column(before, xBefore, 'before', after);
  column(after, xAfter, 'after', before);
  keyboard(regionEls);
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (!isToWebview(e.data)) return;
  if (e.data.type === 'highlightSlots') highlight = { slots: e.data.slots, label: e.data.label };
  else model = e.data.model;
  render();
});
post({ type: 'ready' });
