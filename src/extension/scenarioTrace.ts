/**
 * The Scenario view's data, without `vscode`: a scenario runs once through the engine one step
 * at a time, keeping a snapshot after every step, so any step can be shown again exactly (Step
 * Back is a lookup, never an undo). `nextPosition` is the debugger-like state machine.
 */
import { hex, humanSize, TraceEngine, type EngineSnapshot, type Scenario, type TraceResult } from '../core/index';
import type { CpuView, DomainView, PageState, StepModel, TlbLine } from '../webview/scenarioProtocol';

/** pages per domain grid; more are counted, not drawn */
export const GRID_CAP = 256;
/** notes, findings and TLB lines per step (the webview guard allows a little more) */
export const LIST_CAP = 200;

function capped<T>(a: readonly T[], more: (n: number) => T): T[] {
  return a.length <= LIST_CAP ? [...a] : [...a.slice(0, LIST_CAP - 1), more(a.length - LIST_CAP + 1)];
}

export interface ScenarioTrace {
  scenario: Scenario;
  /** "built-in" or a workspace-relative path */
  source: string;
  result: TraceResult;
  /** before the first step */
  initial: EngineSnapshot;
  /** snapshots[i]: after step i */
  snapshots: EngineSnapshot[];
  /** per domain: every page the scenario touches (sorted GPAs) */
  interest: Map<string, number[]>;
}

export function traceScenario(scenario: Scenario, source: string): ScenarioTrace {
  const engine = new TraceEngine(scenario);
  const initial = engine.snapshot();
  const snapshots: EngineSnapshot[] = [];
  while (engine.next()) snapshots.push(engine.snapshot());
  const result = engine.result();

  const interest = new Map<string, Set<number>>(scenario.domains.map((d) => [d.name, new Set<number>()]));
  const add = (dom: string, gpa: number): void => void interest.get(dom)?.add(gpa - (gpa % 4096));
  for (const snap of snapshots)
    for (const d of snap.domains) for (const g of [...d.bitmap, ...d.truth, ...d.stalled]) add(d.name, g);
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
    initial,
    snapshots,
    interest: new Map([...interest].map(([k, v]) => [k, [...v].sort((a, b) => a - b)])),
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

function tlbLine(e: { va: number; size: number; mfn: number; readOnly: boolean }): TlbLine {
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
  const count = t.snapshots.length;
  const p = Math.max(-1, Math.min(pos, count - 1));
  const step = p >= 0 ? t.result.steps[p]! : null;
  const snap = p >= 0 ? t.snapshots[p]! : t.initial;
  const round = step?.event === 'round' ? t.result.rounds.find((r) => r.step === p) : undefined;

  const cpus: CpuView[] = snap.tlb.map((entries, cpu) => {
    const changes = step?.changes.tlb.filter((c) => c.cpu === cpu) ?? [];
    const line = (va: string, size: string): TlbLine => {
      const e = entries.find((x) => hex(x.va) === va && hex(x.size) === size);
      return e ? tlbLine(e) : { va, size, pa: '', readOnly: false };
    };
    return {
      cpu,
      running: snap.running[cpu] ?? null,
      added: changes
        .filter((c) => c.change === 'added')
        .slice(0, LIST_CAP)
        .map((c) => line(c.va, c.size)),
      removed: changes
        .filter((c) => c.change === 'removed')
        .slice(0, LIST_CAP)
        .map((c) => ({ va: c.va, size: c.size, pa: '', readOnly: false })),
      window: entries
        .filter((e) => e.va < snap.window.end && e.va + e.size > snap.window.start)
        .slice(0, LIST_CAP)
        .map(tlbLine),
    };
  });

  const domains: DomainView[] = snap.domains.map((d) => {
    const pages = t.interest.get(d.name) ?? [];
    const rep = round?.domains.find((x) => x.domain === d.name);
    let reported: Set<number>;
    let written: Set<number>;
    let caption: string;
    if (rep) {
      reported = new Set(rep.reported.map(Number));
      written = new Set(rep.truth.map(Number));
      caption = `round ${round!.round} read ${rep.reported.length} reported, ${rep.truth.length} written, ${rep.lost.length} lost, ${rep.phantom.length} phantom — then cleaned`;
    } else {
      reported = new Set(d.bitmap);
      written = new Set(d.truth);
      caption = d.destroyed
        ? 'destroyed'
        : d.logdirty
          ? `log-dirty on · ${d.bitmap.length} in the bitmap · ${d.truth.length} written`
          : 'log-dirty off';
    }
    caption = `RAM ${hex(d.ramBase)} + ${humanSize(d.ramSize)} · ${caption}`;
    return {
      name: d.name,
      caption,
      pages: pages.slice(0, GRID_CAP).map((g) => ({ gpa: hex(g), state: pageState(reported.has(g), written.has(g)) })),
      more: Math.max(0, pages.length - GRID_CAP),
    };
  });

  const findings = t.result.findings
    .filter((f) => f.step === p)
    .slice(0, LIST_CAP)
    .map((f) => ({ id: f.id, severity: f.severity, step: f.step, message: f.message, pages: f.pages, slots: f.slots }));
  const slots = step?.changes.slots ?? [];
  const highlight = [...new Set([...slots.map((s) => s.slot), ...findings.flatMap((f) => f.slots)])]
    .filter((s) => s >= 0 && s < 1024)
    .sort((a, b) => a - b);
  return {
    scenario: t.result.scenario,
    source: t.source,
    description: t.result.description,
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
      .filter((f) => f.step < p)
      .slice(-LIST_CAP)
      .map((f) => ({ id: f.id, severity: f.severity, step: f.step })),
    highlight,
    findingSteps: [...new Set(t.result.findings.map((f) => f.step))].sort((a, b) => a - b),
  };
}
