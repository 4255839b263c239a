/**
 * Messages between the Scenario webview view and the extension host, shared by both sides (no
 * `vscode` and no DOM import). Each side validates what it receives with the guards below; the
 * webview renders only what passed `isToScenarioWebview`.
 */

/** a page of a domain's dirty-bitmap grid */
export type PageState =
  /** in the bitmap and really written */
  | 'ok'
  /** really written, missing from the bitmap */
  | 'lost'
  /** in the bitmap, never (successfully) written */
  | 'phantom'
  /** neither (a page the scenario touches, clean now) */
  | 'clean';
export const PAGE_STATES: readonly PageState[] = ['ok', 'lost', 'phantom', 'clean'];

export type Severity = 'error' | 'warning' | 'info';

export interface TlbLine {
  va: string;
  size: string;
  /** physical address it maps, '' for removed entries */
  pa: string;
  readOnly: boolean;
}

export interface CpuView {
  cpu: number;
  running: string | null;
  added: TlbLine[];
  removed: TlbLine[];
  /** the translations this pCPU caches for the VLPT window after the step */
  window: TlbLine[];
}

export interface DomainView {
  name: string;
  /** "log-dirty on", "as read by round 1, then cleaned", … */
  caption: string;
  pages: Array<{ gpa: string; state: PageState }>;
  /** pages of interest not shown (grid cap) */
  more: number;
}

export interface FindingView {
  id: string;
  severity: Severity;
  step: number;
  message: string;
  pages: string[];
  slots: number[];
}

export interface StepModel {
  /** the scenario's name, cut to 64 characters with an ellipsis */
  scenario: string;
  /** the name in full (up to 4000 characters), for the tooltip */
  scenarioTitle: string;
  /** "built-in" or the workspace-relative path */
  source: string;
  description: string;
  /** -1: before the first step */
  pos: number;
  /** steps that ran (fewer than `total` when Xen halted) */
  count: number;
  total: number;
  halted: string | null;
  step: { index: number; cpu: number | null; domain: string | null; event: string } | null;
  slots: Array<{ slot: number; before: string; after: string }>;
  cpus: CpuView[];
  domains: DomainView[];
  notes: string[];
  /** the findings that fire at this step */
  findings: FindingView[];
  /** findings that fired earlier */
  earlier: Array<{ id: string; severity: Severity; step: number }>;
  /** xen_second slots this step involves (changed, or named by its findings) */
  highlight: number[];
  findingSteps: number[];
}

export type StepCommand = 'pick' | 'back' | 'forward' | 'continue' | 'restart' | 'showMap';
export const STEP_COMMANDS: readonly StepCommand[] = ['pick', 'back', 'forward', 'continue', 'restart', 'showMap'];

/** host → webview */
export type ToScenarioWebview =
  /** nothing picked yet */
  { type: 'empty'; builtins: string[] } | { type: 'step'; model: StepModel };

/** webview → host */
export type FromScenarioWebview =
  | { type: 'ready' }
  /** a toolbar button */
  | { type: 'command'; command: StepCommand }
  /** a built-in picked in the empty view */
  | { type: 'builtin'; name: string }
  /** a step clicked in the finding list */
  | { type: 'goto'; step: number }
  /** the view's document gained or lost focus (drives the keybindings' context key) */
  | { type: 'focus'; focused: boolean };

const MAX_STEPS = 10_000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const HEX = /^0x[0-9a-f]{1,16}$/;

type Obj = Record<string, unknown>;
function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
function hasKeys(o: Obj, keys: string[]): boolean {
  const k = Object.keys(o);
  return k.length === keys.length && keys.every((x) => k.includes(x));
}
function isInt(n: unknown, min: number, max: number): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
}
function isStr(s: unknown, max = 4000): s is string {
  return typeof s === 'string' && s.length <= max;
}
function isArr<T>(a: unknown, max: number, each: (x: unknown) => x is T): a is T[] {
  return Array.isArray(a) && a.length <= max && a.every((x) => each(x));
}
const isHex = (s: unknown): s is string => typeof s === 'string' && HEX.test(s);
const isSlot = (n: unknown): n is number => isInt(n, 0, 1023);
const isStep = (n: unknown): n is number => isInt(n, 0, MAX_STEPS - 1);
const isSeverity = (s: unknown): s is Severity => s === 'error' || s === 'warning' || s === 'info';
const isNote = (s: unknown): s is string => isStr(s);

export function isFromScenarioWebview(x: unknown): x is FromScenarioWebview {
  if (!isObj(x)) return false;
  if (x.type === 'ready') return hasKeys(x, ['type']);
  if (x.type === 'command') return hasKeys(x, ['type', 'command']) && STEP_COMMANDS.includes(x.command as StepCommand);
  if (x.type === 'builtin') return hasKeys(x, ['type', 'name']) && typeof x.name === 'string' && NAME.test(x.name);
  if (x.type === 'goto') return hasKeys(x, ['type', 'step']) && isStep(x.step);
  if (x.type === 'focus') return hasKeys(x, ['type', 'focused']) && typeof x.focused === 'boolean';
  return false;
}

function isTlbLine(x: unknown): x is TlbLine {
  return isObj(x) && isHex(x.va) && isHex(x.size) && (x.pa === '' || isHex(x.pa)) && typeof x.readOnly === 'boolean';
}
function isCpuView(x: unknown): x is CpuView {
  return (
    isObj(x) &&
    isInt(x.cpu, 0, 7) &&
    (x.running === null || isStr(x.running, 64)) &&
    isArr(x.added, 4096, isTlbLine) &&
    isArr(x.removed, 4096, isTlbLine) &&
    isArr(x.window, 4096, isTlbLine)
  );
}
function isPage(x: unknown): x is { gpa: string; state: PageState } {
  return isObj(x) && isHex(x.gpa) && PAGE_STATES.includes(x.state as PageState);
}
function isDomainView(x: unknown): x is DomainView {
  return (
    isObj(x) && isStr(x.name, 64) && isStr(x.caption, 200) && isArr(x.pages, 1024, isPage) && isInt(x.more, 0, 2 ** 32)
  );
}
function isFindingView(x: unknown): x is FindingView {
  return (
    isObj(x) &&
    isStr(x.id, 64) &&
    isSeverity(x.severity) &&
    isStep(x.step) &&
    isStr(x.message) &&
    isArr(x.pages, 64, isHex) &&
    isArr(x.slots, 1024, isSlot)
  );
}
function isSlotChange(x: unknown): x is { slot: number; before: string; after: string } {
  return isObj(x) && isSlot(x.slot) && isHex(x.before) && isHex(x.after);
}

export function isStepModel(m: unknown): m is StepModel {
  if (!isObj(m)) return false;
  const s = m.step;
  return (
    isStr(m.scenario, 64) &&
    isStr(m.scenarioTitle, 4000) &&
    isStr(m.source, 1000) &&
    isStr(m.description) &&
    isInt(m.count, 0, MAX_STEPS) &&
    isInt(m.total, 0, MAX_STEPS) &&
    isInt(m.pos, -1, m.count - 1) &&
    (m.halted === null || isStr(m.halted)) &&
    (s === null
      ? m.pos === -1
      : isObj(s) &&
        s.index === m.pos &&
        (s.cpu === null || isInt(s.cpu, 0, 7)) &&
        (s.domain === null || isStr(s.domain, 64)) &&
        isStr(s.event, 32)) &&
    isArr(m.slots, 1024, isSlotChange) &&
    isArr(m.cpus, 8, isCpuView) &&
    isArr(m.domains, 8, isDomainView) &&
    isArr(m.notes, 256, isNote) &&
    isArr(m.findings, 256, isFindingView) &&
    isArr(
      m.earlier,
      1024,
      (e): e is { id: string; severity: Severity; step: number } =>
        isObj(e) && isStr(e.id, 64) && isSeverity(e.severity) && isStep(e.step),
    ) &&
    isArr(m.highlight, 1024, isSlot) &&
    isArr(m.findingSteps, MAX_STEPS, isStep)
  );
}

export function isToScenarioWebview(x: unknown): x is ToScenarioWebview {
  if (!isObj(x)) return false;
  if (x.type === 'empty')
    return (
      hasKeys(x, ['type', 'builtins']) &&
      isArr(x.builtins, 64, (n): n is string => typeof n === 'string' && NAME.test(n))
    );
  if (x.type === 'step') return hasKeys(x, ['type', 'model']) && isStepModel(x.model);
  return false;
}
