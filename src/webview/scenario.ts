/**
 * Browser side of the Scenario view: renders one step from the host's validated `step` message.
 * DOM built with createElement/textContent only; no inline styles (classes from
 * media/scenario.css, `--vscode-*` colours only); every state is told by a glyph or a pattern as
 * well as a colour. The last model is kept with setState so a reload shows it at once.
 */
import {
  isToScenarioWebview,
  type FromScenarioWebview,
  type PageState,
  type StepCommand,
  type StepModel,
  type TlbLine,
  type ToScenarioWebview,
} from './scenarioProtocol';

interface VsCodeApi {
  postMessage(msg: FromScenarioWebview): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const PAGE: Record<PageState, { glyph: string; short: string; label: string }> = {
  ok: { glyph: '✓', short: 'reported + written', label: 'reported and written' },
  lost: { glyph: '✗', short: 'lost', label: 'lost: written, not in the bitmap' },
  phantom: { glyph: '?', short: 'phantom', label: 'phantom: in the bitmap, never written' },
  clean: { glyph: '·', short: 'clean', label: 'clean' },
};
const SEVERITY = { error: '✖', warning: '⚠', info: 'ℹ' } as const;

function post(msg: FromScenarioWebview): void {
  vscode.postMessage(msg);
}

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: string,
  parent?: Element,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  parent?.appendChild(e);
  return e;
}

function button(label: string, title: string, cmd: StepCommand, parent: Element, disabled = false): HTMLButtonElement {
  const b = h('button', 'tb', label, parent);
  b.title = title;
  b.setAttribute('aria-label', title);
  b.dataset.cmd = cmd;
  b.disabled = disabled;
  b.addEventListener('click', () => post({ type: 'command', command: cmd }));
  return b;
}

function section(parent: Element, title: string, count?: string): HTMLElement {
  const s = h('section', undefined, undefined, parent);
  const t = h('h2', undefined, title, s);
  if (count) h('span', 'count', count, t);
  return s;
}

function sizeOf(hexSize: string): string {
  const n = Number(hexSize);
  if (n >= 2 ** 30) return `${n / 2 ** 30} GiB`;
  if (n >= 2 ** 20) return `${n / 2 ** 20} MiB`;
  return `${n / 1024} KiB`;
}

function tlbRow(list: HTMLElement, glyph: string, cls: string, e: TlbLine, what: string): void {
  const li = h('li', cls, undefined, list);
  li.setAttribute('aria-label', `${what} ${e.va} ${sizeOf(e.size)}${e.pa ? ` maps ${e.pa}` : ''}`);
  h('span', 'glyph', glyph, li);
  h('code', undefined, e.va, li);
  h('span', 'dim', ` ${sizeOf(e.size)}`, li);
  if (e.pa) {
    h('span', 'dim', ' → ', li);
    h('code', undefined, e.pa, li);
    h('span', 'dim', e.readOnly ? ' ro' : ' rw', li);
  }
}

function renderEmpty(builtins: string[]): void {
  const bar = document.getElementById('bar')!;
  const root = document.getElementById('root')!;
  bar.replaceChildren();
  root.replaceChildren();
  button('Pick a scenario…', 'Pick a built-in or a scenario JSON file', 'pick', bar);
  h(
    'p',
    'dim',
    'Step through log-dirty tracing on several pCPUs like a debugger: xen_second slots, each pCPU’s TLB, the dirty bitmaps and the findings, step by step.',
    root,
  );
  const s = section(root, 'Built-in scenarios');
  const ul = h('ul', 'builtins', undefined, s);
  for (const name of builtins) {
    const li = h('li', undefined, undefined, ul);
    const b = h('button', 'link', name, li);
    b.addEventListener('click', () => post({ type: 'builtin', name }));
  }
}

function renderStep(m: StepModel): void {
  const bar = document.getElementById('bar')!;
  const root = document.getElementById('root')!;
  bar.replaceChildren();
  root.replaceChildren();
  const last = m.count - 1;
  button('Pick…', 'Pick a scenario', 'pick', bar);
  button('Restart', 'Restart: before the first step (Ctrl+Shift+F5)', 'restart', bar, m.pos < 0);
  button('◀ Back', 'Step Back (Alt+F10)', 'back', bar, m.pos < 0);
  button('Step ▶', 'Step Forward (F10)', 'forward', bar, m.pos >= last);
  button('Continue ▶▶', 'Continue to the next finding (F5)', 'continue', bar, m.pos >= last);
  button('Map', 'Show the memory map with this step’s slots highlighted', 'showMap', bar);

  const head = h('header', 'head', undefined, root);
  const title = h('h1', undefined, m.scenario, head);
  title.title = m.scenarioTitle;
  h('span', 'source', ` · ${m.source}`, title);
  const where = h('p', 'where', undefined, head);
  where.id = 'where';
  if (m.step) {
    h('strong', undefined, `Step #${m.step.index}`, where);
    h(
      'span',
      undefined,
      ` of ${m.count} · ${m.step.event}${m.step.cpu !== null ? ` · pCPU${m.step.cpu}` : ''}${m.step.domain ? ` · ${m.step.domain}` : ''}`,
      where,
    );
  } else {
    h('strong', undefined, 'Before the first step', where);
    h(
      'span',
      undefined,
      ` · ${m.count} step${m.count === 1 ? '' : 's'}${m.count < m.total ? ` of ${m.total} (Xen halted)` : ''}`,
      where,
    );
  }
  // the step strip: one cell per step; ! marks where a finding fires
  const strip = h('ol', 'strip', undefined, head);
  strip.setAttribute('aria-label', 'steps');
  const fsteps = new Set(m.findingSteps);
  for (let i = 0; i < m.count; i++) {
    const li = h('li', undefined, undefined, strip);
    const b = h(
      'button',
      `s${i === m.pos ? ' cur' : ''}${i < m.pos ? ' past' : ''}${fsteps.has(i) ? ' f' : ''}`,
      fsteps.has(i) ? `${i}!` : String(i),
      li,
    );
    b.title = `go to step #${i}${fsteps.has(i) ? ' (a finding fires)' : ''}`;
    if (i === m.pos) b.setAttribute('aria-current', 'step');
    b.addEventListener('click', () => post({ type: 'goto', step: i }));
  }
  if (!m.step) h('p', 'desc', m.description, head);

  for (const f of m.findings) {
    const box = h('div', `finding ${f.severity}`, undefined, root);
    box.setAttribute('role', 'alert');
    const t = h('div', 'ftitle', undefined, box);
    h('span', 'sev', SEVERITY[f.severity], t);
    h('span', undefined, ` ${f.severity} · ${f.id}`, t);
    h('p', 'fmsg', f.message, box);
    if (f.pages.length || f.slots.length) {
      const chips = h('p', 'chips', undefined, box);
      for (const p of f.pages) h('code', 'chip page', `page ${p}`, chips);
      for (const s of f.slots) h('code', 'chip', `xen_second[${s}]`, chips);
    }
  }
  if (m.halted && m.pos === last) h('p', 'halted', `⛔ ${m.halted}`, root);

  if (m.notes.length) {
    const s = section(root, 'What happened');
    const ul = h('ul', 'notes', undefined, s);
    for (const n of m.notes) h('li', undefined, n, ul);
  }

  const bm = section(root, 'Dirty bitmap');
  const legend = h('p', 'legend', undefined, bm);
  for (const st of ['ok', 'lost', 'phantom', 'clean'] as const) {
    const item = h('span', 'li', undefined, legend);
    item.title = PAGE[st].label;
    h('span', `page ${st}`, PAGE[st].glyph, item);
    h('span', undefined, ` ${PAGE[st].short}`, item);
  }
  for (const d of m.domains) {
    const box = h('div', 'dom', undefined, bm);
    h('h3', undefined, d.name, box);
    h('p', 'dim caption', d.caption, box);
    const grid = h('div', 'grid', undefined, box);
    grid.setAttribute('role', 'list');
    grid.setAttribute('aria-label', `${d.name} pages`);
    if (!d.pages.length) h('p', 'dim', 'no page touched', box);
    for (const p of d.pages) {
      const cell = h('div', `page ${p.state}`, undefined, grid);
      cell.setAttribute('role', 'listitem');
      cell.setAttribute('aria-label', `${p.gpa}: ${PAGE[p.state].label}`);
      cell.title = `GPA ${p.gpa}: ${PAGE[p.state].label}`;
      h('span', 'g', PAGE[p.state].glyph, cell);
      h('span', 'a', p.gpa, cell);
    }
    if (d.more) h('p', 'dim', `… and ${d.more} more pages`, box);
  }

  const slots = section(root, 'xen_second slots changed', String(m.slots.length));
  if (!m.slots.length) h('p', 'dim', m.step ? 'none this step' : '—', slots);
  else {
    const tbl = h('table', 'slots', undefined, slots);
    const hr = h('tr', undefined, undefined, h('thead', undefined, undefined, tbl));
    for (const c of ['slot', 'before → after']) h('th', undefined, c, hr);
    const tb = h('tbody', undefined, undefined, tbl);
    for (const s of m.slots) {
      const tr = h('tr', undefined, undefined, tb);
      h('td', 'num', String(s.slot), tr);
      const td = h('td', undefined, undefined, tr);
      h('code', 'before', s.before, td);
      h('span', 'dim', ' → ', td);
      h('code', 'after', s.after, td);
    }
  }

  const tlb = section(root, 'TLB per pCPU');
  for (const c of m.cpus) {
    const box = h('div', 'cpu', undefined, tlb);
    const t = h('h3', undefined, `pCPU${c.cpu}`, box);
    h('span', 'dim', c.running ? ` · running ${c.running}` : ' · idle', t);
    if (c.added.length || c.removed.length) {
      const ul = h('ul', 'tlb', undefined, box);
      for (const e of c.added) tlbRow(ul, '+', 'add', e, 'added');
      for (const e of c.removed) tlbRow(ul, '−', 'rem', e, 'removed');
    }
    const w = h('p', 'wlabel', `VLPT window: ${c.window.length ? `${c.window.length} cached` : 'nothing cached'}`, box);
    w.setAttribute('role', 'heading');
    w.setAttribute('aria-level', '4');
    if (c.window.length) {
      const ul = h('ul', 'tlb window', undefined, box);
      for (const e of c.window) tlbRow(ul, '▣', 'win', e, 'cached');
    }
  }

  if (m.earlier.length) {
    const s = section(root, 'Earlier findings', String(m.earlier.length));
    const ul = h('ul', 'earlier', undefined, s);
    for (const f of m.earlier) {
      const b = h('button', 'link', `${SEVERITY[f.severity]} #${f.step} ${f.id}`, h('li', undefined, undefined, ul));
      b.addEventListener('click', () => post({ type: 'goto', step: f.step }));
    }
  }
}

function render(msg: ToScenarioWebview): void {
  if (msg.type === 'empty') renderEmpty(msg.builtins);
  else renderStep(msg.model);
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (!isToScenarioWebview(e.data)) return;
  vscode.setState(e.data);
  render(e.data);
});
// the host turns these into the context key the F10/Alt+F10/F5 keybindings check
// (a click also says so: the window focus event does not fire when VS Code gave focus back first)
window.addEventListener('focus', () => post({ type: 'focus', focused: true }));
window.addEventListener('pointerdown', () => post({ type: 'focus', focused: true }));
window.addEventListener('blur', () => post({ type: 'focus', focused: false }));
const saved = vscode.getState();
if (isToScenarioWebview(saved)) render(saved);
post({ type: 'ready' });
