/**
 * npm run soak -- [--gpas N] [--seed S]   (issue 8 "Correctness at scale")
 *
 * Random guest layouts that fit the VLPT window (page-aligned base and size, base + size ≤
 * 62 GiB − 4 KiB so the patch's `+1` never overruns, both trees, 1–4 pCPUs) and random GPAs
 * inside RAM, at its edges, on table boundaries, in the holes of the 64 GiB window and just
 * past it. Every GPA is answered by VlptResolver (TLB + MMU, on pCPU0 and on another pCPU),
 * p2mLookup (software walk through map_domain_page) and the independent BigInt oracle
 * (test/oracle/naiveWalk.ts); resolveGpa is checked on a sample. Deterministic for a seed.
 *
 * Prints the counts and `mismatches: 0`; any mismatch prints a reproducer command and exits 1.
 */
import { createSession, p2mLookup, resolveGpa, VlptResolver, type Session } from '../src/core/index';
import type { XenTree } from '../src/core/lpae';
import { naiveLeafPa, naiveP2mLookup, naiveVlptResolve } from '../test/oracle/naiveWalk';
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { hash32, intArg, Rng } from './lib/rng';

const PAGE = 4096;
const MiB = 2 ** 20;
const GiB = 2 ** 30;
/** largest base + size without the window overrun (reference doc §9.3, §10) */
export const SOAK_RAM_LIMIT = 62 * GiB - PAGE;
/** the window covers GPAs 0 … 64 GiB − 1 absolutely (doc §7) */
const WINDOW = 64 * GiB;
/** GPAs past the window stay below 512 GiB (ac6e1ae's p2m_lookup aliases above, doc §5) */
const BEYOND_TOP = 512 * GiB;

export interface SoakLayout {
  ramBase: number;
  ramSize: number;
  tree: XenTree;
  cpus: number;
  kind: LayoutKind;
}

const LAYOUT_KINDS = ['tiny', 'medium', 'few-GiB', 'GiB-multiple', 'large', 'at-limit'] as const;
type LayoutKind = (typeof LAYOUT_KINDS)[number];
const LAYOUT_WEIGHTS = [28, 24, 24, 10, 9, 5];

const GPA_CLASSES = [
  'in-ram',
  'near-base',
  'near-end',
  'just-outside',
  'table-boundary',
  'hole',
  'past-window',
] as const;
type GpaClass = (typeof GPA_CLASSES)[number];
const GPA_WEIGHTS = [35, 8, 8, 10, 9, 25, 5];

export interface SoakMismatch {
  check: string;
  gpa: number;
  cpu: number;
  layout: SoakLayout;
  layoutIndex: number;
  detail: string;
  command: string;
}

export interface SoakResult {
  seed: number;
  gpas: number;
  layouts: number;
  layoutsByKind: Record<string, number>;
  layoutsByTree: Record<string, number>;
  gpasByClass: Record<string, number>;
  /** what the VLPT load on pCPU0 met: a valid PTE, an invalid entry read, a fault */
  outcomes: { mapped: number; invalidEntry: number; fault: number };
  /** loads on a second pCPU (layouts with 2–4 pCPUs) */
  otherCpuLoads: number;
  p2mLookups: number;
  resolveGpaSampled: number;
  mismatches: SoakMismatch[];
  /** total mismatches (only the first `maxReported` are kept) */
  mismatchCount: number;
  ms: number;
}

export interface SoakOptions {
  gpas: number;
  seed: number;
  /** GPAs per layout (a fresh session each time) */
  perLayout?: number;
  /** every Nth GPA also gets a full resolveGpa report */
  reportEvery?: number;
  maxReported?: number;
  /** progress lines */
  log?: (line: string) => void;
}

const PER_LAYOUT = 10_000;
const hexn = (n: number): string => '0x' + n.toString(16);

export function randomLayout(rng: Rng): SoakLayout {
  const kind = LAYOUT_KINDS[rng.weighted(LAYOUT_WEIGHTS)]!;
  const tree: XenTree = rng.chance(0.5) ? 'ac6e1ae' : '9a80d50';
  const cpus = rng.range(1, 4);
  const maxPages = SOAK_RAM_LIMIT / PAGE;
  let sizePages: number;
  let basePages: number;
  switch (kind) {
    case 'tiny':
      sizePages = rng.range(1, 2048);
      break;
    case 'medium':
      sizePages = rng.range(1, GiB / PAGE);
      break;
    case 'few-GiB':
      sizePages = rng.range(1, (4 * GiB) / PAGE);
      break;
    case 'GiB-multiple':
      sizePages = (rng.range(1, 4) * GiB) / PAGE + (rng.chance(0.3) ? rng.pick([-1, 1, 256]) : 0);
      break;
    case 'large':
    case 'at-limit': {
      // base first (often low, like a real guest), then a size up to the limit
      basePages = rng.chance(0.5) ? rng.below((4 * GiB) / PAGE) : rng.below(maxPages);
      if (rng.chance(0.3)) basePages -= basePages % (rng.chance(0.5) ? GiB / PAGE : 512);
      const room = maxPages - basePages;
      sizePages =
        kind === 'at-limit' ? room : rng.chance(0.5) ? room - rng.below(Math.min(room, 1024)) : rng.range(1, room);
      return { ramBase: basePages * PAGE, ramSize: sizePages * PAGE, tree, cpus, kind };
    }
  }
  const room = maxPages - sizePages;
  switch (rng.weighted([40, 20, 20, 15, 5])) {
    case 0:
      basePages = rng.range(0, room);
      break;
    case 1:
      basePages = rng.range(0, Math.floor(room / 512)) * 512;
      break;
    case 2:
      basePages = rng.range(0, Math.floor(room / (GiB / PAGE))) * (GiB / PAGE);
      break;
    case 3:
      basePages = 0x80000000 / PAGE <= room ? 0x80000000 / PAGE : 0;
      break;
    default:
      basePages = 0;
  }
  return { ramBase: basePages * PAGE, ramSize: sizePages * PAGE, tree, cpus, kind };
}

/** a GPA of class `cls` for layout `g` */
export function randomGpa(rng: Rng, g: SoakLayout, cls: GpaClass): number {
  const end = g.ramBase + g.ramSize;
  const clamp = (x: number): number => Math.min(Math.max(x, 0), WINDOW - 1);
  const off = (): number => rng.below(PAGE);
  switch (cls) {
    case 'in-ram':
      return g.ramBase + rng.below(g.ramSize);
    case 'near-base':
      return clamp(g.ramBase + rng.range(-3, 3) * PAGE + off());
    case 'near-end':
      return clamp(end + rng.range(-3, 3) * PAGE + off());
    case 'just-outside':
      return rng.chance(0.5) ? clamp(end + rng.below(4 * MiB)) : clamp(g.ramBase - 1 - rng.below(4 * MiB));
    case 'table-boundary': {
      const step = rng.chance(0.5) ? 2 * MiB : GiB;
      const lo = Math.max(0, g.ramBase - GiB);
      const k = Math.floor(lo / step) + rng.below(Math.floor((end + GiB - lo) / step) + 1);
      return clamp(k * step + rng.range(-2, 1) * PAGE + off());
    }
    case 'hole':
      return rng.below(WINDOW);
    case 'past-window':
      return WINDOW + rng.below(BEYOND_TOP - WINDOW);
  }
}

function command(g: SoakLayout, gpa: number): string {
  return `xenlens resolve ${hexn(gpa)} --ram-base ${hexn(g.ramBase)} --ram-size ${hexn(g.ramSize)} --tree ${g.tree} --cpus ${g.cpus}`;
}

const show = (v: bigint | null): string => (v === null ? 'null' : '0x' + v.toString(16));

function emptyResult(seed: number): SoakResult {
  return {
    seed,
    gpas: 0,
    layouts: 0,
    layoutsByKind: Object.fromEntries(LAYOUT_KINDS.map((k) => [k, 0])),
    layoutsByTree: { ac6e1ae: 0, '9a80d50': 0 },
    gpasByClass: Object.fromEntries(GPA_CLASSES.map((k) => [k, 0])),
    outcomes: { mapped: 0, invalidEntry: 0, fault: 0 },
    otherCpuLoads: 0,
    p2mLookups: 0,
    resolveGpaSampled: 0,
    mismatches: [],
    mismatchCount: 0,
    ms: 0,
  };
}

/** Add `b`'s counts into `a` (results of disjoint layout sets). */
export function mergeResults(a: SoakResult, b: SoakResult, maxReported = 10): SoakResult {
  const add = (x: Record<string, number>, y: Record<string, number>): void => {
    for (const [k, v] of Object.entries(y)) x[k] = (x[k] ?? 0) + v;
  };
  a.gpas += b.gpas;
  a.layouts += b.layouts;
  add(a.layoutsByKind, b.layoutsByKind);
  add(a.layoutsByTree, b.layoutsByTree);
  add(a.gpasByClass, b.gpasByClass);
  add(a.outcomes, b.outcomes);
  a.otherCpuLoads += b.otherCpuLoads;
  a.p2mLookups += b.p2mLookups;
  a.resolveGpaSampled += b.resolveGpaSampled;
  a.mismatchCount += b.mismatchCount;
  a.mismatches = [...a.mismatches, ...b.mismatches].sort((x, y) => x.layoutIndex - y.layoutIndex).slice(0, maxReported);
  return a;
}

/** The layout indices of a run of `gpas` GPAs and how many GPAs each gets. */
export function plan(gpas: number, perLayout = PER_LAYOUT): Array<{ index: number; gpas: number }> {
  const out: Array<{ index: number; gpas: number }> = [];
  for (let done = 0, k = 0; done < gpas; k++) {
    const n = Math.min(perLayout, gpas - done);
    out.push({ index: k, gpas: n });
    done += n;
  }
  return out;
}

/**
 * Soak one layout: layout `index` of `seed` draws from its own PRNG stream, so any layout can
 * be rerun alone (`--layout K`) and workers may split the layouts in any way.
 */
export function soakLayout(
  seed: number,
  index: number,
  n: number,
  opts: Omit<SoakOptions, 'gpas' | 'seed'> = {},
): SoakResult {
  const t0 = performance.now();
  const reportEvery = opts.reportEvery ?? 64;
  const maxReported = opts.maxReported ?? 10;
  const rng = new Rng(hash32(`soak/${seed}/${index}`));
  const res = emptyResult(seed);
  const out = new Uint32Array(2);
  const load = (r: VlptResolver, gpa: number): bigint | null =>
    r.resolveInto(gpa, out) ? (BigInt(out[0]!) << 32n) | BigInt(out[1]!) : null;

  const g = randomLayout(rng);
  res.layouts = 1;
  res.layoutsByKind[g.kind]!++;
  res.layoutsByTree[g.tree]!++;
  const s: Session = createSession({ ramBase: g.ramBase, ramSize: g.ramSize, tree: g.tree, cpus: g.cpus });
  const fail = (check: string, gpa: number, cpu: number, detail: string): void => {
    res.mismatchCount++;
    if (res.mismatches.length < maxReported)
      res.mismatches.push({ check, gpa, cpu, layout: g, layoutIndex: index, detail, command: command(g, gpa) });
  };
  if (s.prepare?.result !== 0 || s.findings.some((f) => f.id === 'window-overrun')) {
    fail(
      'prepare',
      g.ramBase,
      0,
      `prepare_vlpt returned ${s.prepare?.result}, findings ${s.findings.map((f) => f.id).join(',')}`,
    );
  }
  const r0 = new VlptResolver(s.sys, 0);
  const other = g.cpus > 1 ? new VlptResolver(s.sys, rng.range(1, g.cpus - 1)) : null;
  for (let i = 0; i < n; i++) {
    const cls = GPA_CLASSES[rng.weighted(GPA_WEIGHTS)]!;
    const gpa = randomGpa(rng, g, cls);
    res.gpasByClass[cls]!++;
    const inWindow = gpa < WINDOW;
    const oracleV = naiveVlptResolve(s.sys, gpa);
    const oracleP = naiveP2mLookup(s.sys, s.dom, gpa);
    // 1. the MMU/TLB path reads what the tables say, on pCPU0 and on another pCPU
    const got = load(r0, gpa);
    if (got !== oracleV) fail('vlpt-vs-oracle', gpa, 0, `VlptResolver ${show(got)}, oracle ${show(oracleV)}`);
    if (other) {
      res.otherCpuLoads++;
      const got1 = load(other, gpa);
      if (got1 !== oracleV)
        fail(
          'vlpt-vs-oracle (other pCPU)',
          gpa,
          other.cpu,
          `VlptResolver on pCPU${other.cpu} ${show(got1)}, oracle ${show(oracleV)}`,
        );
    }
    const vlptMapped = oracleV !== null && (oracleV & 3n) === 3n;
    if (vlptMapped) res.outcomes.mapped++;
    else if (oracleV === null) res.outcomes.fault++;
    else res.outcomes.invalidEntry++;
    // 2. inside the window: a valid VLPT PTE iff the p2m maps the GPA, with the same leaf
    if (inWindow && (vlptMapped ? oracleV : null) !== oracleP)
      fail('vlpt-vs-p2m', gpa, 0, `VLPT ${show(oracleV)}, p2m leaf ${show(oracleP)}`);
    // 3. a RAM-only guest: mapped exactly inside RAM, mfn = base frame + (gfn − base gfn)
    const inRam = gpa >= g.ramBase && gpa < g.ramBase + g.ramSize;
    if ((oracleP !== null) !== inRam)
      fail('p2m-vs-ram', gpa, 0, `p2m leaf ${show(oracleP)} but GPA is ${inRam ? 'inside' : 'outside'} RAM`);
    else if (inRam) {
      const mfn = BigInt(s.dom.mfnBase + Math.floor(gpa / PAGE) - g.ramBase / PAGE);
      if (((oracleP! >> 12n) & 0xfffffffn) !== mfn)
        fail('p2m-mfn', gpa, 0, `leaf ${show(oracleP)}, expected mfn ${show(mfn)}`);
    }
    // 4. the software p2m_lookup, alternating between pCPU0 and the other pCPU
    const cpu = other && i & 1 ? other.cpu : 0;
    const look = p2mLookup(s.sys, s.dom, cpu, gpa);
    res.p2mLookups++;
    const want = oracleP === null ? null : naiveLeafPa(oracleP, gpa);
    if ((look.pa === -1 ? null : BigInt(look.pa)) !== want)
      fail(
        'p2m_lookup-vs-oracle',
        gpa,
        cpu,
        `p2m_lookup ${look.pa === -1 ? 'INVALID_PADDR' : hexn(look.pa)}, oracle ${show(want)}`,
      );
    // 5. the full report, on a sample
    if (i % reportEvery === 0) {
      res.resolveGpaSampled++;
      const rep = resolveGpa(s.sys, s.dom, 0, gpa);
      const repV = rep.vlptEntry === null ? null : BigInt(rep.vlptEntry);
      if (repV !== oracleV)
        fail('resolveGpa-entry', gpa, 0, `report vlptEntry ${rep.vlptEntry}, oracle ${show(oracleV)}`);
      if (inWindow && !rep.agrees) fail('resolveGpa-agrees', gpa, 0, `report says ${rep.verdict}`);
      if (rep.descriptor.valid !== (oracleP !== null))
        fail(
          'resolveGpa-descriptor',
          gpa,
          0,
          `report descriptor valid=${rep.descriptor.valid}, oracle leaf ${show(oracleP)}`,
        );
    }
  }
  res.gpas = n;
  res.ms = performance.now() - t0;
  opts.log?.(
    `layout ${index}: ${g.kind} ${hexn(g.ramBase)} + ${hexn(g.ramSize)} ${g.tree} ${g.cpus} pCPU(s); ${n} GPAs, ${res.mismatchCount} mismatches`,
  );
  return res;
}

/** The whole soak in this thread (tests; the script splits the same plan over workers). */
export function runSoak(opts: SoakOptions): SoakResult {
  const t0 = performance.now();
  let total = emptyResult(opts.seed);
  for (const p of plan(opts.gpas, opts.perLayout))
    total = mergeResults(total, soakLayout(opts.seed, p.index, p.gpas, opts), opts.maxReported);
  total.ms = performance.now() - t0;
  return total;
}

function print(r: SoakResult, workers: number): void {
  const line = (k: string, v: string | number): void => console.log(`${k.padEnd(22)} ${v}`);
  const kv = (o: Record<string, number>): string =>
    Object.entries(o)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  line('seed', r.seed);
  line('GPAs', r.gpas);
  line('layouts', `${r.layouts} (${kv(r.layoutsByKind)})`);
  line('trees', kv(r.layoutsByTree));
  line('GPA classes', kv(r.gpasByClass));
  line('VLPT outcomes (pCPU0)', kv(r.outcomes));
  line('loads on other pCPUs', r.otherCpuLoads);
  line('p2m_lookup calls', r.p2mLookups);
  line('resolveGpa reports', r.resolveGpaSampled);
  line('time', `${(r.ms / 1000).toFixed(1)} s on ${workers} worker(s) (${Math.round((r.gpas / r.ms) * 1000)} GPAs/s)`);
  for (const m of r.mismatches) {
    console.log(
      `\nMISMATCH ${m.check} at GPA ${hexn(m.gpa)} on pCPU${m.cpu} (layout #${m.layoutIndex}, ${m.layout.kind}): ${m.detail}`,
    );
    console.log(`  reproduce: ${m.command}`);
    console.log(`  rerun this layout: npm run soak -- --seed ${r.seed} --layout ${m.layoutIndex}`);
  }
  if (r.mismatchCount > r.mismatches.length)
    console.log(`(${r.mismatchCount - r.mismatches.length} more mismatches not shown)`);
  console.log(`mismatches: ${r.mismatchCount}`);
}

interface Job {
  seed: number;
  items: Array<{ index: number; gpas: number }>;
  verbose: boolean;
}

async function main(argv: readonly string[]): Promise<number> {
  const gpas = intArg(argv, 'gpas', 1_000_000);
  const seed = intArg(argv, 'seed', 1);
  const only = argv.some((a) => a === '--layout' || a.startsWith('--layout=')) ? intArg(argv, 'layout', 0) : null;
  const verbose = argv.includes('--verbose');
  const items = only === null ? plan(gpas) : [{ index: only, gpas: Math.min(gpas, PER_LAYOUT) }];
  const t0 = performance.now();
  const nWorkers = Math.max(1, Math.min(intArg(argv, 'workers', Math.min(2, availableParallelism())), items.length));
  // workers take every nWorkers-th layout; each layout has its own PRNG stream, so the counts
  // do not depend on the split
  const parts = await Promise.all(
    Array.from({ length: nWorkers }, (_, w) => {
      const job: Job = { seed, items: items.filter((_, k) => k % nWorkers === w), verbose };
      return new Promise<SoakResult>((resolve, reject) => {
        const worker = new Worker(__filename, { workerData: job, argv: ['--soak-worker'] });
        worker.once('message', (r: SoakResult) => resolve(r));
        worker.once('error', reject);
        worker.once('exit', (code) => {
          if (code !== 0) reject(new Error(`soak worker ${w} exited with ${code}`));
        });
      });
    }),
  );
  let total = emptyResult(seed);
  for (const p of parts) total = mergeResults(total, p);
  total.ms = performance.now() - t0;
  print(total, nWorkers);
  return total.mismatchCount === 0 ? 0 : 1;
}

function workerMain(job: Job): void {
  let total = emptyResult(job.seed);
  for (const it of job.items) {
    total = mergeResults(
      total,
      soakLayout(job.seed, it.index, it.gpas, job.verbose ? { log: (l) => console.log(l) } : {}),
    );
  }
  parentPort!.postMessage(total);
}

if (!isMainThread && (workerData as Job | null)?.items) workerMain(workerData as Job);
else if (isMainThread && /soak\.(c?js|ts)$/.test(process.argv[1] ?? '')) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
