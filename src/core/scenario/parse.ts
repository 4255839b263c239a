import { InputError } from '../errors';
import { parseNumber } from '../numbers';
import { XEN_TREES, type XenTree } from '../lpae';
import { checkGuestRam, IPA_LIMIT } from '../p2m';
import { checkHostRam } from '../xenPageTables';
import { DEFAULT_COSTS, type CostTable, type Scenario, type ScenarioDomain, type StepOp } from './types';

const MAX_STEPS = 10_000;
const MAX_DEPTH = 32;

/** nesting depth of [ and { outside strings, scanning stops once it passes `limit` */
function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}
const MAX_WRITES = 100_000;
/** total guest RAM of one scenario's domains */
export const MAX_SCENARIO_RAM = 128 * 2 ** 30;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** numbers may be JSON numbers or strings in the CLI's syntax ("0x80000000", "512M") */
function num(v: unknown, where: string, size = false, max = IPA_LIMIT): number {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0 || v > max)
      throw new InputError(`${where}: ${v} is not a non-negative integer up to ${max}`);
    return v;
  }
  if (typeof v === 'string') return parseNumber(v, where, { size, max });
  throw new InputError(
    `${where}: expected a number or a string like "0x80000000"${size ? ' or "512M"' : ''}, got ${v === null ? 'null' : typeof v}`,
  );
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 64)
    throw new InputError(`${where}: expected a non-empty string (≤ 64 characters)`);
  return v;
}

function onlyKeys(o: Obj, allowed: string[], where: string): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) throw new InputError(`${where}: unknown field "${k}" (expected ${allowed.join(', ')})`);
}

/** Parse and validate a scenario (already JSON-decoded, or its text). */
export function parseScenario(input: unknown, file = 'scenario'): Scenario {
  // a byte-order mark (Notepad, some editors) is not part of the JSON text
  if (typeof input === 'string' && input.charCodeAt(0) === 0xfeff) input = input.slice(1);
  let data = input;
  if (typeof input === 'string') {
    // a scenario nests 4 levels; refuse deep nesting before JSON.parse, whose cost grows
    // faster than linearly with it (fuzz: 8 MiB of nested brackets)
    const depth = jsonDepth(input, MAX_DEPTH);
    if (depth > MAX_DEPTH)
      throw new InputError(`${file}: JSON nested deeper than ${MAX_DEPTH} levels (a scenario needs 4)`);
    try {
      data = JSON.parse(input);
    } catch (e) {
      throw new InputError(`${file}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
    }
  }
  if (!isObj(data)) throw new InputError(`${file}: expected a JSON object with "domains" and "steps"`);
  onlyKeys(data, ['$schema', 'name', 'description', 'tree', 'cpus', 'hostRam', 'domains', 'steps', 'costs'], file);
  const tree = (data.tree ?? '9a80d50') as XenTree;
  if (!XEN_TREES.includes(tree))
    throw new InputError(`${file}: tree: "${String(data.tree)}" is not one of ${XEN_TREES.join(', ')}`);
  const cpus = data.cpus === undefined ? 2 : num(data.cpus, `${file}: cpus`, false, 8);
  if (cpus < 1) throw new InputError(`${file}: cpus: expected 1 to 8`);
  const hostRamSize =
    data.hostRam === undefined ? 4 * 2 ** 30 : num(data.hostRam, `${file}: hostRam`, true, 64 * 2 ** 30);
  checkHostRam(hostRamSize, `${file}: hostRam`);
  if (!Array.isArray(data.domains) || data.domains.length === 0 || data.domains.length > 8)
    throw new InputError(`${file}: domains: expected an array of 1 to 8 domains`);
  const domains: ScenarioDomain[] = data.domains.map((d, i) => {
    const w = `${file}: domains[${i}]`;
    if (!isObj(d)) throw new InputError(`${w}: expected an object {name, ramBase, ramSize}`);
    onlyKeys(d, ['name', 'ramBase', 'ramSize'], w);
    const dom = {
      name: str(d.name, `${w}.name`),
      ramBase: num(d.ramBase ?? 0x80000000, `${w}.ramBase`, true),
      ramSize: num(d.ramSize, `${w}.ramSize`, true),
    };
    try {
      checkGuestRam(dom.ramBase, dom.ramSize, tree);
    } catch (e) {
      throw new InputError(
        `${w}: ${(e as Error).message.replace(/^--ram-[a-z/-]+: /, '').replace('use --tree 9a80d50', 'use "tree": "9a80d50"')}`,
      );
    }
    return dom;
  });
  // the model backs every guest page with p2m tables (about 2.3 MB of memory per GiB): three
  // 200 GiB domains took 30 s and 1.4 GB, larger ones crashed; one scenario declares at most this
  const total = domains.reduce((s, d) => s + d.ramSize, 0);
  if (total > MAX_SCENARIO_RAM)
    throw new InputError(
      `${file}: domains: ${total / 2 ** 30} GiB of guest RAM in total is more than the ${MAX_SCENARIO_RAM / 2 ** 30} GiB a scenario may declare (sum of the domains' ramSize)`,
    );
  const names = new Set<string>();
  for (const d of domains) {
    if (names.has(d.name)) throw new InputError(`${file}: domains: the name "${d.name}" is used twice`);
    names.add(d.name);
  }
  if (!Array.isArray(data.steps) || data.steps.length > MAX_STEPS)
    throw new InputError(`${file}: steps: expected an array of at most ${MAX_STEPS} steps`);
  let writes = 0;
  const steps: StepOp[] = data.steps.map((s, i) => {
    const w = `${file}: steps[${i}]`;
    if (!isObj(s)) throw new InputError(`${w}: expected an object with "op"`);
    const domain = (): string => {
      const n = str(s.domain, `${w}.domain`);
      if (!names.has(n))
        throw new InputError(`${w}.domain: "${n}" is not one of the scenario's domains (${[...names].join(', ')})`);
      return n;
    };
    const cpu = (): number => {
      const c = s.cpu === undefined ? 0 : num(s.cpu, `${w}.cpu`, false, 7);
      if (c >= cpus) throw new InputError(`${w}.cpu: ${c} is not a pCPU of this scenario (0..${cpus - 1})`);
      return c;
    };
    switch (s.op) {
      case 'logdirty-start':
      case 'logdirty-stop':
      case 'schedule':
      case 'destroy':
        onlyKeys(s, ['op', 'domain', 'cpu', 'note'], w);
        return { op: s.op, domain: domain(), cpu: cpu() };
      case 'write': {
        onlyKeys(s, ['op', 'domain', 'gpa', 'gpas', 'note'], w);
        const list = s.gpas !== undefined ? s.gpas : s.gpa !== undefined ? [s.gpa] : undefined;
        if (!Array.isArray(list) || list.length === 0)
          throw new InputError(`${w}: a write needs "gpa" or a non-empty "gpas" array`);
        writes += list.length;
        if (writes > MAX_WRITES) throw new InputError(`${w}: more than ${MAX_WRITES} guest writes in one scenario`);
        return {
          op: 'write',
          domain: domain(),
          gpas: list.map((g, j) => num(g, `${w}.gpas[${j}]`, false, IPA_LIMIT - 1)),
        };
      }
      case 'round':
        onlyKeys(s, ['op', 'note'], w);
        return { op: 'round' };
      case 'vmap':
        onlyKeys(s, ['op', 'cpu', 'note'], w);
        return { op: 'vmap', cpu: cpu() };
      case 'access':
        onlyKeys(s, ['op', 'domain', 'cpu', 'gpa', 'note'], w);
        return { op: 'access', domain: domain(), cpu: cpu(), gpa: num(s.gpa, `${w}.gpa`, false, IPA_LIMIT - 1) };
      default:
        throw new InputError(
          `${w}.op: "${String(s.op)}" is not one of logdirty-start, logdirty-stop, schedule, write, round, destroy, vmap, access`,
        );
    }
  });
  const costs: CostTable = { ...DEFAULT_COSTS };
  if (data.costs !== undefined) {
    if (!isObj(data.costs)) throw new InputError(`${file}: costs: expected an object of cycle counts`);
    for (const [k, v] of Object.entries(data.costs)) {
      // own keys only: `in` also accepted "constructor", "__proto__", "toString"…
      if (!Object.prototype.hasOwnProperty.call(DEFAULT_COSTS, k))
        throw new InputError(
          `${file}: costs: unknown field "${k}" (expected ${Object.keys(DEFAULT_COSTS).join(', ')})`,
        );
      (costs as unknown as Record<string, number>)[k] = num(v, `${file}: costs.${k}`, false, 1e6);
    }
  }
  return {
    name: typeof data.name === 'string' ? data.name : file,
    description: typeof data.description === 'string' ? data.description : '',
    tree,
    cpus,
    hostRamSize,
    domains,
    steps,
    costs,
  };
}
