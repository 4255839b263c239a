/**
 * Browser side of the map webview: draws the layout as SVG from the host's `model` message.
 * DOM built with createElement(NS)/textContent only; colours come from media/map.css, which
 * uses `--vscode-*` variables; no inline styles. Keyboard: Tab/arrows move between regions,
 * Enter/Space opens the region's #define.
 */
import {
  FOUR_GIB,
  GRID_CELL,
  MIN_WIDTH,
  SLOT,
  WIDE,
  abbreviate,
  hex,
  human,
  mapGeometry,
  textWidth,
} from './mapGeometry';
import { slotRanges } from '../core/format/ranges';
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

interface ViewState {
  scale?: MapScale;
  focus?: string;
}
const saved = (vscode.getState() ?? {}) as ViewState;
let model: MapModel | undefined;
/** slots the Scenario view highlights, drawn over every render */
let highlight: { slots: number[]; label: string } = { slots: [], label: '' };
/** the width the map was last laid out for (a resize to another width lays it out again) */
let laidOutFor = 0;

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

/**
 * The geometry estimates text widths; where the real font is wider than the estimate, shorten
 * the text with "…" until it fits (the full text stays in the region's tooltip).
 */
function fitText(t: SVGTextElement, maxWidth: number): void {
  const full = t.textContent ?? '';
  if (!full || t.getComputedTextLength() <= maxWidth) return;
  let lo = 0;
  let hi = full.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    t.textContent = full.slice(0, mid) + '…';
    if (t.getComputedTextLength() <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  t.textContent = lo > 0 ? full.slice(0, lo) + '…' : '';
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
  const live = m.live ?? null;
  const liveSet = new Set(live?.slots ?? []);
  const win = m.vlpt;
  const liveInWindow = win ? (live?.slots ?? []).filter((k) => k * SLOT >= win.start && k * SLOT < win.end) : [];
  const legendItems: (readonly [string, string])[] = live
    ? [
        ['sw live', 'slot used in the live xen_second'],
        ['sw window', liveInWindow.length ? 'seed VLPT window (in use live)' : 'seed VLPT window (free live)'],
      ]
    : [
        ['sw used', 'VLPT slot in use'],
        ['sw finding', 'slot touched by a finding'],
        ['sw window', 'VLPT window'],
      ];
  for (const [cls, label] of legendItems) {
    // swatch and words in one unbreakable item, so a narrow panel wraps between items only
    const item = document.createElement('span');
    item.className = 'item';
    const sw = document.createElement('span');
    sw.className = cls;
    const l = document.createElement('span');
    l.textContent = label;
    item.append(sw, l);
    legend.append(item);
  }
  bar.append(toggle, legend);
  head.append(title, meta, bar);
  for (const n of m.notices ?? []) {
    const p = document.createElement('p');
    p.className = 'notice';
    p.setAttribute('role', 'status');
    p.textContent = `⚠ ${n}`;
    head.append(p);
  }
  if (live) {
    // said in words, not only by the colour of the cells: which slots the running Xen uses
    title.textContent = `Xen virtual memory map · ${live.label}`;
    const note = document.createElement('p');
    note.className = 'live-note';
    note.setAttribute('role', 'status');
    const w = win ? `${Math.floor(win.start / SLOT)}–${Math.ceil(win.end / SLOT) - 1}` : '';
    note.textContent = live.note
      ? `${live.label}: ${live.note}`
      : `${live.label}: slots used in the running Xen's xen_second: ${slotRanges(live.slots) || 'none'}${
          win
            ? liveInWindow.length
              ? ` · seed VLPT window ${w}: ${liveInWindow.length} used live`
              : ` · seed VLPT window ${w} free`
            : ''
        } · regions: the emulated layout`;
    head.append(note);
  }
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
    laidOutFor = main.clientWidth;
    renderCompare(m.compare, scale, main, m.top);
    return;
  }

  const width = main.clientWidth;
  laidOutFor = width;
  const g = mapGeometry({ regions: m.regions, vlpt: m.vlpt, width, scale, top: m.top });
  const svg = el('svg', {
    viewBox: `0 0 ${g.width} ${g.height}`,
    width: g.width,
    height: g.height,
    role: 'group',
    class: `map ${g.mode}`,
    'aria-label': `memory map of ${m.source}`,
  });
  main.appendChild(svg);
  const used = new Set(m.usedSlots);
  const flagged = new Set(m.findingSlots);
  const lit = new Set(highlight.slots);
  for (const t of g.ticks) el('line', { x1: g.barX - 6, x2: g.barX, y1: t.y, y2: t.y, class: 'tick' }, svg);
  const groups: Array<SVGGElement | null> = [];
  const regionEls: SVGGElement[] = [];
  g.rows.forEach((row, i) => {
    const { y, h } = row;
    if (row.region < 0) {
      groups.push(null);
      if (h >= 1) {
        const gap = el('rect', { x: g.barX, y, width: g.barW, height: h, class: 'gap' }, svg);
        el('title', {}, gap).textContent =
          `unused: ${hex(row.start, g.digits)}–${hex(row.end, g.digits)} (${human(row.end - row.start)})`;
      }
      return;
    }
    const r = m.regions[row.region]!;
    const grp = el(
      'g',
      {
        class: `region${row.window ? ' window' : ''}`,
        tabindex: 0,
        role: 'button',
        'data-name': r.name,
        'aria-label': `${r.name}, ${hex(r.start, g.digits)} to ${hex(r.end, g.digits)}, ${human(r.end - r.start)}: ${r.description}. Press Enter to open its define.`,
      },
      svg,
    );
    groups.push(grp);
    const tip = el('title', {}, grp);
    tip.textContent = `${r.name}: ${hex(r.start, g.digits)}–${hex(r.end, g.digits)} (${human(r.end - r.start)})\n${r.description}\n${r.startMacro ?? ''}${r.where ? ` · ${r.where}` : ''}`;
    el('rect', { x: g.barX, y, width: g.barW, height: Math.max(h, 1), class: 'box' }, grp);
    // hit area so tiny regions stay clickable
    el(
      'rect',
      {
        x: g.barX,
        y: y + h / 2 - Math.max(h, 8) / 2,
        width: g.width - g.barX - 2,
        height: Math.max(h, 8),
        class: 'hit',
      },
      grp,
    );
    // slot cells: every slot of the window (a grid), and marked slots elsewhere below 2 GiB (a strip)
    const first = Math.floor(r.start / SLOT);
    const last = Math.ceil(Math.min(r.end, 0x80000000) / SLOT);
    const count = last - first;
    const grid = g.grids.find((x) => x.row === i);
    const marked =
      count > 0 && count <= 1024 && [...used, ...flagged, ...lit, ...liveSet].some((n) => n >= first && n < last);
    if (grid || (marked && h >= 14)) {
      const perRow = grid ? grid.perRow : count;
      const cw = grid ? GRID_CELL : (g.barW - 20) / count;
      // a strip in a short row (a 2 MiB region) stays thin, under the region's name
      const ch = grid ? GRID_CELL - 2 : h < 32 ? 4 : 8;
      const x0 = grid ? grid.x : g.barX + 10;
      const sy = grid ? grid.y : y + h - ch - 4;
      for (let k = first; k < last; k++) {
        const cls =
          used.has(k) || flagged.has(k) || lit.has(k) || liveSet.has(k)
            ? `cell${used.has(k) ? ' used' : ''}${flagged.has(k) ? ' finding' : ''}${lit.has(k) ? ' lit' : ''}${liveSet.has(k) ? ' live' : ''}`
            : grid
              ? 'cell'
              : '';
        if (!cls) continue;
        const col = (k - first) % perRow;
        const rr = Math.floor((k - first) / perRow);
        const c = el(
          'rect',
          {
            x: x0 + col * cw,
            y: sy + rr * GRID_CELL,
            width: Math.max(cw - (cw > 3 ? 2 : 0), 1),
            height: ch,
            class: cls,
            'data-slot': k,
          },
          grp,
        );
        const t = el('title', {}, c);
        t.textContent = `xen_second slot ${k} (VA ${hex(k * SLOT)})${used.has(k) ? ' · written by prepare_vlpt' : ''}${flagged.has(k) ? ' · touched by a finding' : ''}${liveSet.has(k) ? ` · used in the running Xen's xen_second (${live!.label})` : live ? ' · free in the running Xen' : ''} · click to reveal it in the slots tree`;
        c.addEventListener('click', (e) => {
          e.stopPropagation();
          post({ type: 'revealSlot', slot: k });
        });
      }
    }
    grp.addEventListener('click', () => post({ type: 'openRegion', name: r.name }));
    grp.addEventListener('focus', () => {
      saved.focus = r.name;
      vscode.setState(saved);
    });
    regionEls.push(grp);
  });
  for (const l of g.leaders)
    el(
      'polyline',
      { points: `${l.x1},${l.y1} ${l.x2 - 6},${l.y2} ${l.x2},${l.y2}`, class: 'leader' },
      groups[l.row] ?? svg,
    );
  for (const t of g.texts) {
    const parent = t.row >= 0 ? (groups[t.row] ?? svg) : svg;
    fitText(text(parent, t.x, t.y, t.text, t.kind, t.anchor), t.maxWidth);
  }
  keyboard(regionEls);
  if (saved.focus) regionEls.find((x) => x.dataset.name === saved.focus)?.focus({ preventScroll: true });
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

/**
 * Before/after of a patch, side by side on one address axis: every start/end of either side
 * is a boundary, so a region sits at the same height in both columns. Changed regions are
 * highlighted (and listed above, for screen readers and copy-paste); an added region leaves a
 * dashed ghost in the before column, a removed one in the after column.
 */
function renderCompare(c: MapCompare, scale: MapScale, main: HTMLElement, top: number | undefined): void {
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
  // as wide as the panel: two columns of at most 240 px, labels shortened to fit (never below 11 px)
  const TOP = [...before, ...after].reduce((t, r) => Math.max(t, r.end), Math.max(FOUR_GIB, top ?? 0));
  const digits = Math.max(8, (TOP - 1).toString(16).length);
  const CMP_ADDR_W = Math.ceil(textWidth(hex(TOP, digits), 11, 'addr')) + 10;
  const avail = Math.max(MIN_WIDTH, main.clientWidth);
  const CMP_GAP = avail >= WIDE ? 24 : 10;
  const CMP_COL_W = Math.max(70, Math.min(240, Math.floor((avail - CMP_ADDR_W - CMP_GAP - 8) / 2)));
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
  const fit = (t: SVGTextElement, w: number): void => {
    t.textContent = abbreviate(t.textContent ?? '', w, 11, 'desc');
    fitText(t, w);
  };
  fit(text(svg, xBefore, 28, c.beforeLabel, 'desc'), CMP_COL_W - 4);
  text(svg, xAfter, 14, 'After', 'colhead');
  fit(text(svg, xAfter, 28, c.afterLabel, 'desc'), CMP_COL_W - 4);
  let lastLabel = -100;
  for (const e of edges) {
    const yy = ys.get(e)!;
    el('line', { x1: CMP_ADDR_W - 6, x2: width - 8, y1: yy, y2: yy, class: 'tick faint' }, svg);
    if (yy - lastLabel < 14) continue;
    lastLabel = yy;
    text(svg, 2, yy + 4, hex(e, digits), 'addr');
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
      tip.textContent = `${side}: ${r.name}${what}: ${hex(r.start, digits)}–${hex(r.end, digits)} (${human(r.end - r.start)})
${r.description}${
        r.where
          ? `
${r.startMacro ?? ''} · ${r.where}`
          : ''
      }`;
      el('rect', { x, y: y0, width: CMP_COL_W, height: Math.max(h, 1), class: 'box' }, g);
      el('rect', { x, y: y0 + h / 2 - Math.max(h, 8) / 2, width: CMP_COL_W, height: Math.max(h, 8), class: 'hit' }, g);
      const label = `${r.name}${mark ? ` · ${ch}` : ''}`;
      const lw = CMP_COL_W - 12;
      if (h >= 30) {
        fit(text(g, x + 8, y0 + 16, label, 'name'), lw);
        fit(text(g, x + 8, y0 + 30, human(r.end - r.start), 'size'), lw);
      } else if (h >= 14) fit(text(g, x + 8, y0 + h / 2 + 4, `${label} · ${human(r.end - r.start)}`, 'name small'), lw);
      if (side === 'after') {
        g.setAttribute('tabindex', '0');
        g.setAttribute('role', 'button');
        g.setAttribute(
          'aria-label',
          `after the patch: ${r.name}${what}, ${hex(r.start, digits)} to ${hex(r.end, digits)}, ${human(r.end - r.start)}. Press Enter to open its define in the patch.`,
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
          fit(
            text(
              g,
              x + CMP_COL_W / 2,
              y0 + Math.min(h / 2 + 4, 20),
              side === 'before' ? `no ${r.name} before` : `${r.name} removed`,
              'gaptext',
              'middle',
            ),
            CMP_COL_W - 12,
          );
      }
    }
  };
  column(before, xBefore, 'before', after);
  column(after, xAfter, 'after', before);
  keyboard(regionEls);
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (!isToWebview(e.data)) {
    // say so instead of leaving the panel blank
    const head = document.getElementById('head');
    if (head && e.data && typeof e.data === 'object') {
      const p = document.createElement('p');
      p.className = 'notice';
      p.textContent =
        '⚠ The map received a layout it cannot draw (a value out of range or too many regions); see the Xen Memory output.';
      head.replaceChildren(p);
    }
    return;
  }
  if (e.data.type === 'highlightSlots') highlight = { slots: e.data.slots, label: e.data.label };
  else model = e.data.model;
  render();
});
// lay the map out again when the panel's width changes (a side panel, a split editor)
let pending = 0;
new ResizeObserver(() => {
  if (pending) return;
  pending = requestAnimationFrame(() => {
    pending = 0;
    const w = document.getElementById('map')?.clientWidth ?? 0;
    if (model && w !== laidOutFor) render();
  });
}).observe(document.getElementById('map')!);
post({ type: 'ready' });
