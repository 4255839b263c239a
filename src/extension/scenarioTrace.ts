/**
 * The Scenario view's data, without `vscode`: a scenario runs once through the engine one step
 * at a time, keeping what each step changed (a journal of deltas: TLB entries, dirty bitmap,
 * truth and stalled pages, who runs where). Showing step N moves one replay state there by
 * applying deltas forwards or undoing them backwards, so any step is shown again exactly and
 * memory is linear in the number of changes (a copy per step cost 2.3 GB at 300 steps).
 * `nextPosition` is the debugger-like state machine.
 */
import {
  hex,
  humanSize,
  tlbEntryOf,
  tlbKeyOf,
  TraceEngine,
  SET_BITMAP,
  SET_STALLED,
  SET_TRUTH,
  type EngineSnapshot,
  type Scenario,
  type StepDelta,
  type TlbEntry,
  type RoundReport,
  type TraceResult,
} from '../core/index';
import type { CpuView, DomainView, PageState, StepModel, TlbLine } from '../webview/scenarioProtocol';

/** pages per domain grid; more are counted, not drawn */
export const GRID_CAP = 256;
/** notes, findings and TLB lines per step (the webview guard allows a little more) */
export const LIST_CAP = 200;

/** `s` cut to `max` characters, the last one an ellipsis when something was cut */
export function ellipsis(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function capped<T>(a: readonly T[], more: (n: number) => T): T[] {
  return a.length <= LIST_CAP ? [...a] : [...a.slice(0, LIST_CAP - 1), more(a.length - LIST_CAP + 1)];
}

/** words per xen_second slot in a window bitmap: 16 × 32 page bits, then the 2 MiB block bit */
const SLOT_WORDS = 17;

/**
 * Which VLPT-window slots of one pCPU's TLB hold an entry: one bit per 4 KiB page and per 2 MiB
 * block inside the window, so the view lists the window's entries in VA order by visiting set
 * bits only (cost bounded by the window, not by the TLB, whatever else the TLB caches).
 */
class WindowIndex {
  readonly bits: Uint32Array;
  readonly firstSlot: number;
  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    this.firstSlot = Math.floor(start / 0x200000);
    const slots = Math.max(0, Math.ceil(end / 0x200000) - this.firstSlot);
    this.bits = new Uint32Array(slots * SLOT_WORDS);
  }
  /** set or clear the bit of a page or block key; keys outside the window are ignored */
  mark(key: number, present: boolean): void {
    let slot: number;
    let word: number;
    let bit: number;
    if (key < 0x100000) {
      const va = key * 4096;
      if (va >= this.end || va + 4096 <= this.start) return;
      slot = Math.floor(key / 512) - this.firstSlot;
      word = (key % 512) >>> 5;
      bit = key & 31;
    } else if (key < 0x200000) {
      const va = (key - 0x100000) * 0x200000;
      if (va >= this.end || va + 0x200000 <= this.start) return;
      slot = key - 0x100000 - this.firstSlot;
      word = 16;
      bit = 0;
    } else return; // 1 GiB entries: at most 4, looked up directly
    const i = slot * SLOT_WORDS + word;
    this.bits[i] = present ? (this.bits[i]! | (1 << bit)) >>> 0 : (this.bits[i]! & ~(1 << bit)) >>> 0;
  }
  /** the window's page and block keys in VA order (a page before the block at the same VA), at most `max` */
  keys(max: number): number[] {
    const out: number[] = [];
    const slots = this.bits.length / SLOT_WORDS;
    for (let s = 0; s < slots && out.length < max; s++) {
      const b = s * SLOT_WORDS;
      const slot = this.firstSlot + s;
      const block = this.bits[b + 16] !== 0;
      // a page sorts before the block at the same VA (the slot's first page), the block before the rest
      const blockAfterFirst = block && (this.bits[b]! & 1) !== 0;
      if (block && !blockAfterFirst) out.push(0x100000 + slot);
      for (let w = 0; w < 16 && out.length < max; w++) {
        let x = this.bits[b + w]!;
        while (x !== 0 && out.length < max) {
          const low = x & -x;
          const bit = 31 - Math.clz32(low);
          out.push(slot * 512 + w * 32 + bit);
          x = (x ^ low) >>> 0;
          if (w === 0 && bit === 0 && blockAfterFirst && out.length < max) out.push(0x100000 + slot);
        }
      }
    }
    return out;
  }
}

/** The state shown at one position, moved by applying or undoing step deltas. */
class Replay {
  pos = -1;
  readonly tlb: Array<Map<number, number>>;
  /** per pCPU: the entries inside the VLPT window, by slot (kept with `tlb`) */
  readonly windows: WindowIndex[];
  /** per domain × 3: bitmap, truth, stalled (gfns) */
  readonly sets: Array<Set<number>>;
  running: Array<string | null>;
  flags: Uint8Array;

  constructor(
    engine: TraceEngine,
    private readonly deltas: readonly StepDelta[],
    private readonly initialRunning: Array<string | null>,
    private readonly initialFlags: Uint8Array,
  ) {
    this.tlb = engine.sys.cpus.map((c) => new Map(c.mmu.tlb.keys().map((k) => [k, c.mmu.tlb.get(k)])));
    this.windows = this.tlb.map((m) => {
      const w = new WindowIndex(engine.sys.vlptStart, engine.sys.vlptEnd);
      for (const k of m.keys()) w.mark(k, true);
      return w;
    });
    this.sets = Array.from({ length: engine.sc.domains.length * 3 }, () => new Set<number>());
    this.running = initialRunning;
    this.flags = initialFlags;
  }

  /** move to `p` (-1 = before the first step): cost linear in the changes between */
  seek(p: number): void {
    while (this.pos < p) this.apply(this.deltas[++this.pos]!, 1);
    while (this.pos > p) this.apply(this.deltas[this.pos--]!, -1);
    const d = this.pos >= 0 ? this.deltas[this.pos]! : null;
    this.running = d ? d.running : this.initialRunning;
    this.flags = d ? d.flags : this.initialFlags;
  }

  /** the TLB entries of `cpu` overlapping the VLPT window [start, end), sorted by VA then size, at most `max` */
  windowEntries(cpu: number, start: number, end: number, max: number): TlbEntry[] {
    const m = this.tlb[cpu]!;
    const out = this.windows[cpu]!.keys(max).map((k) => tlbEntryOf(k, m.get(k)!));
    for (let g = 0; g < 4; g++) {
      const v = m.get(0x200000 + g);
      if (v === undefined) continue;
      const e = tlbEntryOf(0x200000 + g, v);
      if (e.va < end && e.va + e.size > start) out.push(e);
    }
    return out.sort((a, b) => a.va - b.va || a.size - b.size).slice(0, max);
  }

  private apply(d: StepDelta, dir: 1 | -1): void {
    d.tlb.forEach((t, cpu) => {
      const m = this.tlb[cpu]!;
      const w = this.windows[cpu]!;
      for (let j = 0; j < t.length; j += 3) {
        const v = dir > 0 ? t[j + 2]! : t[j + 1]!;
        if (v < 0) m.delete(t[j]!);
        else m.set(t[j]!, v);
        w.mark(t[j]!, v >= 0);
      }
    });
    const s = d.sets;
    const n = s.length / 3;
    for (let i = 0; i < n; i++) {
      const j = dir > 0 ? i * 3 : (n - 1 - i) * 3;
      const set = this.sets[s[j]!]!;
      if (s[j + 2]! * dir > 0) set.add(s[j + 1]!);
      else set.delete(s[j + 1]!);
    }
  }
}

export interface ScenarioTrace {
  scenario: Scenario;
  /** "built-in" or a workspace-relative path */
  source: string;
  result: TraceResult;
  /** how many steps ran (fewer than the scenario's when Xen halted) */
  count: number;
  /** VLPT window */
  window: { start: number; end: number };
  /** per domain: every page the scenario touches (sorted GPAs) */
  interest: Map<string, number[]>;
  /** the replay state (private to this module) */
  replay: Replay;
  /** steps where a finding fires, sorted, each once */
  findingSteps: number[];
  /** the round that ran at a step */
  roundAt: Map<number, RoundReport>;
}

export function traceScenario(scenario: Scenario, source: string): ScenarioTrace {
  const engine = new TraceEngine(scenario, { record: true });
  const initial = engine.snapshot();
  const replay0 = {
    running: initial.running,
    flags: Uint8Array.from(initial.domains, (d) => (d.logdirty ? 1 : 0) | (d.destroyed ? 2 : 0)),
  };
  const deltas: StepDelta[] = [];
  const interest = new Map<string, Set<number>>(scenario.domains.map((d) => [d.name, new Set<number>()]));
  const names = scenario.domains.map((d) => d.name);
  // a replay built before the run: its TLB maps start from the engine's initial TLB
  const replay = new Replay(engine, deltas, replay0.running, replay0.flags);
  while (engine.next()) {
    const d = engine.lastDelta!;
    deltas.push(d);
    // every page that was ever in a bitmap, truth or stalled set
    for (let j = 0; j < d.sets.length; j += 3)
      if (d.sets[j + 2]! > 0) interest.get(names[Math.floor(d.sets[j]! / 3)]!)!.add(d.sets[j + 1]! * 4096);
  }
  const result = engine.result();
  const add = (dom: string, gpa: number): void => void interest.get(dom)?.add(gpa - (gpa % 4096));
  for (const r of result.rounds)
    for (const d of r.domains) for (const g of [...d.reported, ...d.truth]) add(d.domain, Number(g));
  for (const s of scenario.steps) if (s.op === 'write') for (const g of s.gpas) add(s.domain, g);
  for (const f of result.findings)
    for (const p of f.pages)
      for (const d of scenario.domains) {
        const g = Number(p);
        if (g >= d.ramBase && g < d.ramBase + d.ramSize) add(d.name, g);
      }
  return {
    scenario,
    source,
    result,
    count: deltas.length,
    window: initial.window,
    interest: new Map([...interest].map(([k, v]) => [k, [...v].sort((a, b) => a - b)])),
    replay,
    findingSteps: [...new Set(result.findings.map((f) => f.step))].sort((a, b) => a - b),
    roundAt: new Map(result.rounds.map((r) => [r.step, r])),
  };
}

/** index of the first finding at a step ≥ `step` (findings are recorded in step order) */
function firstFindingAt(t: ScenarioTrace, step: number): number {
  const f = t.result.findings;
  let lo = 0;
  let hi = f.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (f[mid]!.step < step) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What an engine stopped after step `pos` holds (for tests and tools: built from the replay). */
export function snapshotAt(t: ScenarioTrace, pos: number): EngineSnapshot {
  const r = t.replay;
  r.seek(Math.max(-1, Math.min(pos, t.count - 1)));
  const sorted = (s: Set<number>): number[] => [...s].sort((a, b) => a - b).map((g) => g * 4096);
  return {
    window: { ...t.window },
    running: [...r.running],
    domains: t.scenario.domains.map((d, i) => ({
      name: d.name,
      ramBase: d.ramBase,
      ramSize: d.ramSize,
      logdirty: (r.flags[i]! & 1) !== 0,
      destroyed: (r.flags[i]! & 2) !== 0,
      bitmap: sorted(r.sets[i * 3 + SET_BITMAP]!),
      truth: sorted(r.sets[i * 3 + SET_TRUTH]!),
      stalled: sorted(r.sets[i * 3 + SET_STALLED]!),
    })),
    tlb: r.tlb.map((m) => [...m].map(([k, v]) => tlbEntryOf(k, v)).sort((a, b) => a.va - b.va || a.size - b.size)),
  };
}

export type StepAction = 'back' | 'forward' | 'continue' | 'restart' | 'end';

/**
 * Where an action leads, from `pos` (-1 = before the first step) among `count` steps that ran.
 * `continue` runs to the next step where a finding fires, or to the last step.
 */
export function nextPosition(pos: number, count: number, action: StepAction, findingSteps: readonly number[]): number {
  const last = count - 1;
  const at = Math.max(-1, Math.min(pos, last));
  switch (action) {
    case 'back':
      return Math.max(-1, at - 1);
    case 'forward':
      return Math.min(last, at + 1);
    case 'restart':
      return -1;
    case 'end':
      return last;
    case 'continue': {
      const next = findingSteps.filter((s) => s > at && s <= last).sort((a, b) => a - b)[0];
      return next ?? last;
    }
  }
}

function tlbLine(e: TlbEntry): TlbLine {
  return { va: hex(e.va), size: hex(e.size), pa: hex(e.mfn * 4096), readOnly: e.readOnly };
}

function pageState(reported: boolean, written: boolean): PageState {
  if (reported && written) return 'ok';
  if (written) return 'lost';
  if (reported) return 'phantom';
  return 'clean';
}

/** everything the view shows at `pos` (clamped to the steps that ran) */
export function stepModel(t: ScenarioTrace, pos: number): StepModel {
  const count = t.count;
  const p = Math.max(-1, Math.min(pos, count - 1));
  const step = p >= 0 ? t.result.steps[p]! : null;
  const r = t.replay;
  r.seek(p);
  const win = t.window;
  const round = step?.event === 'round' ? t.roundAt.get(p) : undefined;

  const cpus: CpuView[] = r.tlb.map((entries, cpu) => {
    const changes = step?.changes.tlb.filter((c) => c.cpu === cpu) ?? [];
    const line = (va: string, size: string): TlbLine => {
      const v = entries.get(tlbKeyOf(Number(va), Number(size)));
      return v !== undefined
        ? tlbLine(tlbEntryOf(tlbKeyOf(Number(va), Number(size)), v))
        : { va, size, pa: '', readOnly: false };
    };
    return {
      cpu,
      running: r.running[cpu] ?? null,
      added: changes
        .filter((c) => c.change === 'added')
        .slice(0, LIST_CAP)
        .map((c) => line(c.va, c.size)),
      removed: changes
        .filter((c) => c.change === 'removed')
        .slice(0, LIST_CAP)
        .map((c) => ({ va: c.va, size: c.size, pa: '', readOnly: false })),
      window: r.windowEntries(cpu, win.start, win.end, LIST_CAP).map(tlbLine),
    };
  });

  const domains: DomainView[] = t.scenario.domains.map((d, i) => {
    const pages = t.interest.get(d.name) ?? [];
    const rep = round?.domains.find((x) => x.domain === d.name);
    const bitmap = r.sets[i * 3 + SET_BITMAP]!;
    const truth = r.sets[i * 3 + SET_TRUTH]!;
    const flags = r.flags[i]!;
    let reported: (gpa: number) => boolean;
    let written: (gpa: number) => boolean;
    let caption: string;
    if (rep) {
      const rs = new Set(rep.reported.map(Number));
      const ws = new Set(rep.truth.map(Number));
      reported = (g) => rs.has(g);
      written = (g) => ws.has(g);
      caption = `round ${round!.round} read ${rep.reported.length} reported, ${rep.truth.length} written, ${rep.lost.length} lost, ${rep.phantom.length} phantom — then cleaned`;
    } else {
      reported = (g) => bitmap.has(g / 4096);
      written = (g) => truth.has(g / 4096);
      caption =
        flags & 2
          ? 'destroyed'
          : flags & 1
            ? `log-dirty on · ${bitmap.size} in the bitmap · ${truth.size} written`
            : 'log-dirty off';
    }
    caption = `RAM ${hex(d.ramBase)} + ${humanSize(d.ramSize)} · ${caption}`;
    return {
      name: d.name,
      caption,
      pages: pages.slice(0, GRID_CAP).map((g) => ({ gpa: hex(g), state: pageState(reported(g), written(g)) })),
      more: Math.max(0, pages.length - GRID_CAP),
    };
  });

  const at = firstFindingAt(t, p);
  const after = firstFindingAt(t, p + 1);
  const findings = t.result.findings
    .slice(at, Math.min(after, at + LIST_CAP))
    .map((f) => ({ id: f.id, severity: f.severity, step: f.step, message: f.message, pages: f.pages, slots: f.slots }));
  const slots = step?.changes.slots ?? [];
  const highlight = [...new Set([...slots.map((s) => s.slot), ...findings.flatMap((f) => f.slots)])]
    .filter((s) => s >= 0 && s < 1024)
    .sort((a, b) => a - b);
  return {
    scenario: ellipsis(t.result.scenario, 64),
    scenarioTitle: ellipsis(t.result.scenario, 4000),
    source: ellipsis(t.source, 1000),
    description: ellipsis(t.result.description, 4000),
    pos: p,
    count,
    total: t.scenario.steps.length,
    halted: t.result.halted,
    step: step ? { index: step.index, cpu: step.cpu, domain: step.domain, event: step.event } : null,
    slots: slots.map((s) => ({ ...s })),
    cpus,
    domains,
    notes: capped(step?.notes ?? [], (n) => `… and ${n} more notes (xenlens trace --json has them all)`),
    findings,
    earlier: t.result.findings
      .slice(Math.max(0, at - LIST_CAP), at)
      .map((f) => ({ id: f.id, severity: f.severity, step: f.step })),
    highlight,
    findingSteps: [...t.findingSteps],
  };
}
