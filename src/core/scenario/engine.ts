/**
 * The job VLPT exists for (reference doc §6, §10): log-dirty tracing during live migration on
 * several pCPUs and domains. The stage-2 write-fault handler finds the faulting page's leaf
 * through `get_vlpt_3lvl_pte` — a load and a store through Xen's own tables on the faulting
 * pCPU, with that pCPU's TLB — sets its write bit and marks the page in the domain's dirty
 * bitmap, as the series intends [P commit message / A details]. The engine knows what each
 * guest really wrote, so every round's bitmap is checked against the truth.
 */
import { InputError } from '../errors';
import { hex, hex64 } from '../numbers';
import { lpaeBase, FIRST_SIZE } from '../lpae';
import { diffStats, HypTrap, sameTlbView, tlbEntryOf, type CpuStats, type Mmu } from '../mmu';
import { XenSystem } from '../xenPageTables';
import { buildGuest, p2mLookup, type Domain } from '../p2m';
import { prepareVlpt, restoreVlpt, cleanupVlpt, getVlpt3lvlPte, type VlptCallResult } from '../vlpt';
import { analyzePrepare, findingDef, type Severity } from '../findings';
import { slotRanges } from '../format/ranges';
import type { Scenario, StepOp, CostTable } from './types';

const LIST_CAP = 64;

export interface SlotChange {
  slot: number;
  before: string;
  after: string;
}
export interface TlbChange {
  cpu: number;
  va: string;
  size: string;
  change: 'added' | 'removed';
}
export interface LeafChange {
  domain: string;
  gpa: string;
  before: string;
  after: string;
}
export interface BitChange {
  domain: string;
  gpa: string;
  set: boolean;
}

export interface TraceStep {
  index: number;
  cpu: number | null;
  domain: string | null;
  event: string;
  changes: {
    slots: SlotChange[];
    tlb: TlbChange[];
    leaves: LeafChange[];
    leavesChanged: number;
    bitmap: BitChange[];
    bitmapChanged: number;
  };
  notes: string[];
}

export interface RoundReport {
  round: number;
  step: number;
  domains: Array<{ domain: string; reported: string[]; truth: string[]; lost: string[]; phantom: string[] }>;
}

export interface TraceFinding {
  id: string;
  severity: Severity;
  step: number;
  message: string;
  /** the page(s) lost or wrongly written (GPAs), and slots involved */
  pages: string[];
  slots: number[];
}

export interface CostSide {
  faults: number;
  counts: Record<string, number>;
  cycles: { perFault: number; faults: number; oneOff: number; total: number };
}

export interface TraceResult {
  scenario: string;
  description: string;
  tree: string;
  cpus: number;
  halted: string | null;
  steps: TraceStep[];
  rounds: RoundReport[];
  findings: TraceFinding[];
  cost: { vlpt: CostSide; p2mLookup: CostSide; table: CostTable; breakEvenFaults: number | null; verdict: string };
}

/** `TraceEngine.snapshot()`: GPAs and VAs as numbers */
export interface EngineSnapshot {
  window: { start: number; end: number };
  running: Array<string | null>;
  domains: Array<{
    name: string;
    ramBase: number;
    ramSize: number;
    logdirty: boolean;
    destroyed: boolean;
    bitmap: number[];
    truth: number[];
    stalled: number[];
  }>;
  /** per pCPU, sorted by VA */
  tlb: Array<Array<{ va: number; size: number; mfn: number; readOnly: boolean }>>;
}

/**
 * What one step changed, in full, so that a viewer can move to any step by applying deltas
 * forwards or undoing them backwards (memory linear in the number of changes, not steps × state).
 */
export interface StepDelta {
  /** per pCPU: (TLB key, value before, value after) triples, -1 = absent; net of the step */
  tlb: Float64Array[];
  /** (domain index × 3 + set, gfn, +1 added | -1 removed) in order; set 0 bitmap, 1 truth, 2 stalled */
  sets: Float64Array;
  /** after the step: the domain each pCPU runs */
  running: Array<string | null>;
  /** after the step, per domain: bit 0 log-dirty, bit 1 destroyed */
  flags: Uint8Array;
}

/** set indexes in `StepDelta.sets` */
export const SET_BITMAP = 0;
export const SET_TRUTH = 1;
export const SET_STALLED = 2;

/** A set of gfns that appends each real change to a shared journal (when one is open). */
class LoggedSet extends Set<number> {
  constructor(
    private readonly sink: { log: number[] | null },
    private readonly tag: number,
  ) {
    super();
  }
  override add(g: number): this {
    if (this.sink.log && !this.has(g)) this.sink.log.push(this.tag, g, 1);
    return super.add(g);
  }
  override delete(g: number): boolean {
    const had = super.delete(g);
    if (had && this.sink.log) this.sink.log.push(this.tag, g, -1);
    return had;
  }
  override clear(): void {
    if (this.sink.log) for (const g of this) this.sink.log.push(this.tag, g, -1);
    super.clear();
  }
}

interface DomState {
  dom: Domain;
  logdirty: boolean;
  prepared: boolean;
  cleaned: boolean;
  destroyed: boolean;
  bitmap: Set<number>;
  truth: Set<number>;
  /** pages whose write stalled in a refault loop (never completed) */
  stalled: Set<number>;
}

export class TraceEngine {
  readonly sys: XenSystem;
  private readonly doms = new Map<string, DomState>();
  private readonly running: Array<string | null>;
  readonly steps: TraceStep[] = [];
  readonly rounds: RoundReport[] = [];
  readonly findings: TraceFinding[] = [];
  halted: string | null = null;
  private cur!: TraceStep;
  private readonly vlptCounts = {
    faults: 0,
    loads: 0,
    stores: 0,
    tlbHits: 0,
    tlbMisses: 0,
    walkReads: 0,
    prepareCalls: 0,
    restoreCalls: 0,
    restoreSlotWrites: 0,
    tlbiMva: 0,
    dsb: 0,
    isb: 0,
  };
  private vlptOneOff = 0;
  private vlptFaultCycles = 0;
  private readonly p2mCounts = {
    faults: 0,
    mapDomainPage: 0,
    unmapDomainPage: 0,
    loads: 0,
    tlbInvalidations: 0,
    locks: 0,
  };
  private p2mFaultCycles = 0;
  /** the open journal of set changes (only while a step runs with `record`) */
  private readonly sink: { log: number[] | null } = { log: null };
  /** with `record`: what the last step changed (see `StepDelta`) */
  lastDelta: StepDelta | null = null;

  constructor(
    readonly sc: Scenario,
    private readonly opts: { record?: boolean } = {},
  ) {
    this.sys = new XenSystem({ cpus: sc.cpus, tree: sc.tree, hostRamSize: sc.hostRamSize });
    this.running = new Array(sc.cpus).fill(null);
    sc.domains.forEach((d, i) => {
      const dom = buildGuest(this.sys, { ramBase: d.ramBase, ramSize: d.ramSize, name: d.name }, i + 1);
      this.doms.set(d.name, {
        dom,
        logdirty: false,
        prepared: false,
        cleaned: false,
        destroyed: false,
        bitmap: new LoggedSet(this.sink, i * 3 + SET_BITMAP),
        truth: new LoggedSet(this.sink, i * 3 + SET_TRUTH),
        stalled: new LoggedSet(this.sink, i * 3 + SET_STALLED),
      });
    });
  }

  run(): TraceResult {
    this.sc.steps.forEach((s, i) => {
      if (this.halted) return;
      this.step(i, s);
    });
    return this.result();
  }

  /** Run the next step only (a UI stepping through); false once every step ran or Xen halted. */
  next(): boolean {
    const i = this.steps.length;
    if (this.halted || i >= this.sc.steps.length) return false;
    this.step(i, this.sc.steps[i]!);
    return true;
  }

  /** What a UI shows after a step: each domain's dirty bitmap, truth and stalled pages, each pCPU's TLB. */
  snapshot(): EngineSnapshot {
    return {
      window: { start: this.sys.vlptStart, end: this.sys.vlptEnd },
      running: [...this.running],
      domains: [...this.doms.values()].map((d) => ({
        name: d.dom.name,
        ramBase: d.dom.ramBase,
        ramSize: d.dom.ramSize,
        logdirty: d.logdirty,
        destroyed: d.destroyed,
        bitmap: [...d.bitmap].sort((a, b) => a - b).map((g) => g * 4096),
        truth: [...d.truth].sort((a, b) => a - b).map((g) => g * 4096),
        stalled: [...d.stalled].sort((a, b) => a - b).map((g) => g * 4096),
      })),
      tlb: this.sys.cpus.map((c) => c.mmu.tlbEntries()),
    };
  }

  private domain(name: string): DomState {
    const d = this.doms.get(name);
    if (!d) throw new InputError(`scenario: unknown domain "${name}"`);
    return d;
  }

  private finding(id: string, message: string, pages: string[] = [], slots: number[] = []): void {
    this.findings.push({ id, severity: findingDef(id).severity, step: this.cur.index, message, pages, slots });
  }

  // ---- snapshots for "what changed" ----------------------------------------------------------

  private snapSlots(): Uint32Array {
    const s = new Uint32Array(2048);
    for (let i = 0; i < 1024; i++) {
      s[2 * i] = this.sys.secondHi(i);
      s[2 * i + 1] = this.sys.secondLo(i);
    }
    return s;
  }
  private step(index: number, s: StepOp): void {
    const cpu = 'cpu' in s ? s.cpu : null;
    const domain = 'domain' in s ? s.domain : null;
    this.cur = {
      index,
      cpu,
      domain,
      event: s.op,
      changes: { slots: [], tlb: [], leaves: [], leavesChanged: 0, bitmap: [], bitmapChanged: 0 },
      notes: [],
    };
    this.steps.push(this.cur);
    const slotsBefore = this.snapSlots();
    // every TLB change of the step is journaled (cost linear in the changes, not in the TLB size)
    const journals = this.sys.cpus.map((c) => (c.mmu.tlb.journal = []));
    const setLog: number[] = [];
    if (this.opts.record) this.sink.log = setLog;
    try {
      this.exec(s);
    } catch (e) {
      if (!(e instanceof HypTrap)) throw e;
      this.halted = `step ${index}: ${e.message} — Xen spins forever`;
      this.cur.notes.push(this.halted);
    } finally {
      for (const c of this.sys.cpus) c.mmu.tlb.journal = null;
      this.sink.log = null;
    }
    const slotsAfter = this.snapSlots();
    for (let i = 0; i < 1024; i++) {
      if (slotsBefore[2 * i] !== slotsAfter[2 * i] || slotsBefore[2 * i + 1] !== slotsAfter[2 * i + 1])
        this.cur.changes.slots.push({
          slot: i,
          before: hex64(slotsBefore[2 * i]!, slotsBefore[2 * i + 1]!),
          after: hex64(slotsAfter[2 * i]!, slotsAfter[2 * i + 1]!),
        });
    }
    const nets = journals.map(netTlbChanges);
    nets.forEach((net, c) => {
      const removed: Array<{ va: number; size: number }> = [];
      const added: Array<{ va: number; size: number }> = [];
      for (let j = 0; j < net.length; j += 3) {
        const [key, before, after] = [net[j]!, net[j + 1]!, net[j + 2]!];
        if (sameTlbView(before, after)) continue;
        if (before >= 0) removed.push(tlbEntryOf(key, before));
        if (after >= 0) added.push(tlbEntryOf(key, after));
      }
      const byVa = (a: { va: number; size: number }, b: { va: number; size: number }): number =>
        a.va - b.va || a.size - b.size;
      for (const e of removed.sort(byVa))
        this.cur.changes.tlb.push({ cpu: c, va: hex(e.va), size: hex(e.size), change: 'removed' });
      for (const e of added.sort(byVa))
        this.cur.changes.tlb.push({ cpu: c, va: hex(e.va), size: hex(e.size), change: 'added' });
    });
    if (this.opts.record) {
      const doms = [...this.doms.values()];
      this.lastDelta = {
        tlb: nets,
        sets: Float64Array.from(setLog),
        running: [...this.running],
        flags: Uint8Array.from(doms, (d) => (d.logdirty ? 1 : 0) | (d.destroyed ? 2 : 0)),
      };
    }
  }

  private leafChange(d: DomState, gfn: number, bh: number, bl: number, ah: number, al: number): void {
    this.cur.changes.leavesChanged++;
    if (this.cur.changes.leaves.length < LIST_CAP)
      this.cur.changes.leaves.push({
        domain: d.dom.name,
        gpa: hex(gfn * 4096),
        before: hex64(bh, bl),
        after: hex64(ah, al),
      });
  }
  private bitChange(d: DomState, gfn: number, set: boolean): void {
    this.cur.changes.bitmapChanged++;
    if (this.cur.changes.bitmap.length < LIST_CAP)
      this.cur.changes.bitmap.push({ domain: d.dom.name, gpa: hex(gfn * 4096), set });
  }

  /** physical address of `gfn`'s leaf in d's p2m, or -1 */
  private leafPa(d: Domain, gfn: number): number {
    const mem = this.sys.mem;
    const l1 = Math.floor(gfn / 0x40000) % 1024;
    const hi1 = mem.readHi(d.rootMfn + (l1 >>> 9), l1 & 511);
    const lo1 = mem.readLo(d.rootMfn + (l1 >>> 9), l1 & 511);
    if ((lo1 & 3) !== 3) return -1;
    const t2 = lpaeBase(hi1, lo1);
    const l2 = Math.floor(gfn / 512) % 512;
    const lo2 = mem.readLo(t2, l2);
    if ((lo2 & 3) !== 3) return -1;
    return lpaeBase(mem.readHi(t2, l2), lo2) * 4096 + (gfn % 512) * 8;
  }

  /** set (protect=false) or clear (protect=true) the write bit of every RAM leaf, physically (p2m code) */
  private protectAll(d: DomState, protect: boolean): void {
    // one level-3 table at a time (a 62 GiB guest has 16M leaves)
    const firstGfn = d.dom.ramBase / 4096;
    const endGfn = firstGfn + d.dom.ramSize / 4096;
    for (let g = firstGfn; g < endGfn;) {
      const pa = this.leafPa(d.dom, g);
      const n = Math.min(512 - (g % 512), endGfn - g);
      if (pa >= 0) {
        const f = this.sys.mem.frameForWrite(Math.floor(pa / 4096));
        const first = g % 512;
        for (let i = first; i < first + n; i++) {
          const lo = f[i << 1]!;
          const nlo = (protect ? lo & ~0x80 : lo | 0x80) >>> 0;
          if (nlo !== lo) {
            f[i << 1] = nlo;
            const gfn = g + (i - first);
            this.leafChange(d, gfn, f[(i << 1) | 1]!, lo, f[(i << 1) | 1]!, nlo);
          }
        }
      }
      g += n;
    }
  }
  private setWrite(d: DomState, gfn: number, write: boolean): void {
    const pa = this.leafPa(d.dom, gfn);
    if (pa < 0) return;
    const mfn = Math.floor(pa / 4096);
    const idx = (pa % 4096) / 8;
    const hi = this.sys.mem.readHi(mfn, idx);
    const lo = this.sys.mem.readLo(mfn, idx);
    const nlo = (write ? lo | 0x80 : lo & ~0x80) >>> 0;
    if (nlo !== lo) {
      this.sys.mem.write(mfn, idx, hi, nlo);
      this.leafChange(d, gfn, hi, lo, hi, nlo);
    }
  }

  private accountVlpt(r: VlptCallResult, kind: 'prepare' | 'restore'): void {
    const c = this.sc.costs;
    if (kind === 'prepare') this.vlptCounts.prepareCalls++;
    else {
      this.vlptCounts.restoreCalls++;
      this.vlptCounts.restoreSlotWrites += r.slotsWritten.length;
    }
    this.vlptCounts.tlbiMva += r.stats.tlbiMva;
    this.vlptOneOff += statsCycles(r.stats, c);
  }

  private exec(s: StepOp): void {
    const sys = this.sys;
    switch (s.op) {
      case 'logdirty-start': {
        const d = this.domain(s.domain);
        const r = prepareVlpt(sys, d.dom, s.cpu);
        this.accountVlpt(r, 'prepare');
        this.cur.notes.push(
          `prepare_vlpt(${d.dom.name}) on pCPU${s.cpu} → ${r.result}${r.message ? ` ("${r.message}")` : ''}; slots ${slotRanges(r.slotsWritten) || 'none'}`,
        );
        for (const f of analyzePrepare(sys, d.dom, r)) {
          if (f.id === 'shared-table-local-flush' || f.id === 'readonly-window') continue; // reported when they bite
          this.finding(f.id, `${d.dom.name}: ${f.message}`, [], f.slots);
        }
        if (r.trap) throw r.trap;
        if (r.result !== 0) {
          this.cur.notes.push(`log-dirty not enabled for ${d.dom.name}: prepare_vlpt failed`);
          return;
        }
        d.prepared = true;
        d.cleaned = false;
        d.logdirty = true;
        this.protectAll(d, true);
        return;
      }
      case 'logdirty-stop': {
        const d = this.domain(s.domain);
        const live = sys.domheap.framesLive;
        cleanupVlpt(sys, d.dom, s.cpu);
        d.logdirty = false;
        d.cleaned = true;
        this.protectAll(d, false);
        this.cur.notes.push(
          `cleanup_vlpt(${d.dom.name}) on pCPU${s.cpu}: shadow pages unmapped; ${sys.domheap.framesLive - live === 0 ? 'their 2 frames stay allocated' : ''}`,
        );
        if (d.dom.dirty.secondLvlMfn !== null)
          this.finding(
            'cleanup-leak',
            `cleanup_vlpt(${d.dom.name}) left the order-1 shadow allocation (mfn ${hex(d.dom.dirty.secondLvlMfn)}, 8 KiB) allocated: nothing frees it`,
            [],
            [],
          );
        const slots = this.slotsHolding(d.dom);
        if (slots.length)
          this.finding(
            'cleanup-stale-slots',
            `after cleanup_vlpt(${d.dom.name}) xen_second slots ${slotRanges(slots)} still link ${d.dom.name}'s p2m level-2 tables, and second_lvl_start/end (${d.dom.dirty.secondLvlStart}/${d.dom.dirty.secondLvlEnd}) and the shadow pointers are unchanged`,
            [],
            slots,
          );
        return;
      }
      case 'schedule': {
        const d = this.domain(s.domain);
        if (d.destroyed) throw new InputError(`scenario step ${this.cur.index}: domain "${s.domain}" was destroyed`);
        for (let c = 0; c < this.running.length; c++) if (this.running[c] === s.domain) this.running[c] = null;
        this.running[s.cpu] = s.domain;
        if (d.prepared) {
          const r = restoreVlpt(sys, d.dom, s.cpu);
          this.accountVlpt(r, 'restore');
          this.cur.notes.push(
            `context switch to ${d.dom.name} on pCPU${s.cpu}: restore_vlpt rewrote ${r.slotsWritten.length ? `slots ${slotRanges(r.slotsWritten)}` : 'no slot (all equal: no flush either)'}`,
          );
          if (r.slotsWritten.length)
            this.finding(
              'barrier-gap',
              `restore_vlpt(${d.dom.name}) on pCPU${s.cpu} stored slots ${slotRanges(r.slotsWritten)} with __write_pte and invalidated with no dsb in between`,
              [],
              r.slotsWritten,
            );
          if (r.trap) {
            if (d.cleaned)
              this.finding(
                'cleanup-stale-slots',
                `restore_vlpt(${d.dom.name}) after cleanup_vlpt read its unmapped shadow: ${r.trap.message}`,
                [],
                [r.trap.va >>> 21],
              );
            throw r.trap;
          }
        } else this.cur.notes.push(`context switch to ${d.dom.name} on pCPU${s.cpu}`);
        return;
      }
      case 'write': {
        const d = this.domain(s.domain);
        const cpu = this.running.indexOf(s.domain);
        if (cpu < 0)
          throw new InputError(
            `scenario step ${this.cur.index}: domain "${s.domain}" writes while not scheduled on any pCPU (add a "schedule" step)`,
          );
        this.cur.cpu = cpu;
        for (const gpa of s.gpas) {
          this.guestWrite(d, cpu, gpa);
          if (this.halted) return;
        }
        return;
      }
      case 'round':
        this.round();
        return;
      case 'destroy': {
        const d = this.domain(s.domain);
        d.destroyed = true;
        d.logdirty = false;
        for (let c = 0; c < this.running.length; c++) if (this.running[c] === s.domain) this.running[c] = null;
        // relinquish: the p2m's pages go back to the heap (counted; the model keeps their bytes)
        sys.domheap.free(d.dom.rootMfn, 1);
        const slots = this.slotsHolding(d.dom);
        this.cur.notes.push(`${d.dom.name} destroyed: its p2m tables return to the domheap`);
        if (slots.length)
          this.finding(
            'cleanup-stale-slots',
            `${d.dom.name} is destroyed but xen_second slots ${slotRanges(slots)} still map its freed p2m tables at ${hex(slots[0]! * 0x200000)}+: Xen keeps live mappings of pages the heap will hand out again`,
            [],
            slots,
          );
        return;
      }
      case 'access': {
        // Xen reads the VLPT PTE of a GPA for the domain it runs (its fault handler's first load)
        const d = this.domain(s.domain);
        const mmu = sys.cpu(s.cpu).mmu;
        const va = getVlpt3lvlPte(sys, s.gpa);
        const slot = va >>> 21;
        const gfn = Math.floor(s.gpa / 4096);
        const e = new Uint32Array(2);
        let entryPa: number;
        try {
          entryPa = vlptLoad(mmu, va, e);
        } catch (err) {
          if (!(err instanceof HypTrap)) throw err;
          this.cur.notes.push(
            `${d.dom.name}: VLPT read of ${hex(s.gpa)} on pCPU${s.cpu} faults (${err.kind}, level ${err.level}): no mapping, as p2m_lookup would say`,
          );
          return;
        }
        const own = this.leafPa(d.dom, gfn);
        if (entryPa === own) {
          this.cur.notes.push(
            `${d.dom.name}: VLPT read of ${hex(s.gpa)} on pCPU${s.cpu} → its own leaf ${hex64(e[0]!, e[1]!)}`,
          );
          return;
        }
        const other = this.owner(entryPa, gfn);
        const inRange = slot >= d.dom.dirty.secondLvlStart && slot < d.dom.dirty.secondLvlEnd;
        this.cur.notes.push(
          `${d.dom.name}: VLPT read of ${hex(s.gpa)} on pCPU${s.cpu} → ${other ? `${other}'s leaf` : 'a foreign word'} ${hex64(e[0]!, e[1]!)}`,
        );
        if (other && !inRange)
          this.finding(
            'restore-partial-range',
            `${d.dom.name}'s VLPT read of GPA ${hex(s.gpa)} on pCPU${s.cpu} went through xen_second[${slot}], outside ${d.dom.name}'s range [${d.dom.dirty.secondLvlStart}, ${d.dom.dirty.secondLvlEnd}) that restore_vlpt rewrites: it still holds ${other}'s first-level entry, so Xen read ${other}'s leaf (${hex64(e[0]!, e[1]!)}) for a GPA ${d.dom.name} does not have`,
            [hex(s.gpa)],
            [slot],
          );
        else if (other)
          this.finding(
            'shared-table-local-flush',
            `${d.dom.name}'s VLPT read of GPA ${hex(s.gpa)} on pCPU${s.cpu} returned ${other}'s leaf through xen_second[${slot}]`,
            [hex(s.gpa)],
            [slot],
          );
        return;
      }
      case 'vmap': {
        // a Xen vmap allocation (ioremap, map_domain_page_global): vm_alloc reads and writes the bitmap at VMAP_VIRT_START
        const mmu = sys.cpu(s.cpu).mmu;
        const w = new Uint32Array(2);
        try {
          mmu.load64(sys.vmapStart, w);
          mmu.store64(sys.vmapStart, w[0]!, w[1]!);
        } catch (e) {
          if (e instanceof HypTrap) {
            this.finding(
              'window-overrun',
              `vm_alloc on pCPU${s.cpu} touched the vmap bitmap at ${hex(sys.vmapStart)} (xen_second slot ${sys.vmapStart >>> 21}, overwritten by prepare_vlpt): ${e.message}`,
              [hex(sys.vmapStart)],
              [sys.vmapStart >>> 21],
            );
          }
          throw e;
        }
        this.cur.notes.push(`vmap allocation on pCPU${s.cpu}: bitmap at ${hex(sys.vmapStart)} read and written`);
        return;
      }
    }
  }

  /** xen_second slots that hold one of d's first-level entries (table links to its L2 tables) */
  private slotsHolding(d: Domain): number[] {
    const l2 = new Set<number>();
    for (let i = 0; i < 1024; i++) {
      const lo = this.sys.mem.readLo(d.rootMfn + (i >>> 9), i & 511);
      if ((lo & 3) === 3) l2.add(lpaeBase(this.sys.mem.readHi(d.rootMfn + (i >>> 9), i & 511), lo));
    }
    const out: number[] = [];
    for (let s = 0; s < 1024; s++) {
      const lo = this.sys.secondLo(s);
      if ((lo & 3) === 3 && l2.has(lpaeBase(this.sys.secondHi(s), lo))) out.push(s);
    }
    return out;
  }

  private owner(pa: number, gfn: number): string | null {
    for (const d of this.doms.values()) if (this.leafPa(d.dom, gfn) === pa) return d.dom.name;
    return null;
  }

  private guestWrite(d: DomState, cpu: number, gpa: number): void {
    const sys = this.sys;
    const gfn = Math.floor(gpa / 4096);
    const pa = this.leafPa(d.dom, gfn);
    if (pa < 0) {
      this.cur.notes.push(
        `${d.dom.name} write to ${hex(gpa)}: not RAM (stage-2 translation fault, handled as MMIO/abort; ignored)`,
      );
      return;
    }
    const writable = (sys.mem.readLo(Math.floor(pa / 4096), (pa % 4096) / 8) & 0x80) !== 0;
    if (writable) {
      if (d.logdirty) {
        d.truth.add(gfn);
        if (!d.bitmap.has(gfn))
          this.cur.notes.push(
            `${d.dom.name} writes ${hex(gpa)}: its leaf is already writable although the page is not in the dirty bitmap — no fault, the write is not logged`,
          );
      }
      return;
    }
    if (!d.logdirty) {
      this.cur.notes.push(`${d.dom.name} write to read-only ${hex(gpa)} outside log-dirty: injected abort`);
      return;
    }
    // stage-2 permission fault → Xen's handler on this pCPU
    const mmu = sys.cpu(cpu).mmu;
    const before: CpuStats = { ...mmu.stats };
    const va = getVlpt3lvlPte(sys, gpa);
    const slot = va >>> 21;
    const cachedBefore = mmu.tlbLookup(va) !== null;
    const e = new Uint32Array(2);
    try {
      const entryPa = vlptLoad(mmu, va, e); // pte = *get_vlpt_3lvl_pte(gpa)
      mmu.store64(va, e[0]!, (e[1]! | 0x80) >>> 0); // pte.p2m.write = 1; write_pte
      mmu.dsb();
      // then: mark dirty and flush the guest's stage-2 TLB entry for this IPA (not Xen's stage-1)
      d.bitmap.add(gfn);
      this.bitChange(d, gfn, true);
      const delta = diffStats(mmu.stats, before);
      this.accountFault(delta);
      this.accountP2mLookup(d.dom, cpu, gpa);
      if (entryPa === pa) {
        this.leafChange(d, gfn, e[0]!, e[1]!, e[0]!, (e[1]! | 0x80) >>> 0);
        d.truth.add(gfn);
        this.cur.notes.push(
          `${d.dom.name} write fault at ${hex(gpa)} on pCPU${cpu}: leaf found through VLPT ${hex(va)} (${cachedBefore ? 'TLB hit' : 'walk'}), made writable, page marked dirty`,
        );
        return;
      }
      const other = this.owner(entryPa, gfn);
      const od = other ? this.doms.get(other)! : null;
      if (od) this.leafChange(od, gfn, e[0]!, e[1]!, e[0]!, (e[1]! | 0x80) >>> 0);
      d.stalled.add(gfn);
      const how = cachedBefore
        ? `a stale TLB entry on pCPU${cpu} (xen_second[${slot}] ${this.slotsHolding(d.dom).includes(slot) ? `is ${d.dom.name}'s again, but restore_vlpt skipped the equal slot and flushed nothing` : `was changed by another pCPU`})`
        : `xen_second[${slot}], which another pCPU rewrote for ${other ?? 'another domain'} (local flush only)`;
      const id =
        cachedBefore && this.slotsHolding(d.dom).includes(slot) ? 'restore-skip-stale-tlb' : 'shared-table-local-flush';
      this.finding(
        id,
        `${d.dom.name}'s write fault at GPA ${hex(gpa)} on pCPU${cpu} resolved through ${how}: the handler made ${other ?? 'a foreign'}'s leaf for ${hex(gpa)} (PA ${hex(entryPa)}) writable instead of ${d.dom.name}'s; ${d.dom.name} refaults forever and ${other ?? 'that domain'}'s writes to that page will not be logged`,
        [hex(gpa)],
        [slot],
      );
      this.cur.notes.push(
        `${d.dom.name} write fault at ${hex(gpa)} on pCPU${cpu}: VLPT led to ${other ?? 'a foreign'} p2m — wrong-domain access`,
      );
    } catch (err) {
      if (!(err instanceof HypTrap)) throw err;
      const outside = va < sys.vlptStart || va >= sys.vlptEnd;
      if (err.kind === 'permission')
        this.finding(
          'readonly-window',
          `${d.dom.name}'s write fault at ${hex(gpa)}: the store through VLPT ${hex(va)} takes a HYP permission fault (ac6e1ae table links read as AP[2]=1)`,
          [hex(gpa)],
          [slot],
        );
      else if (outside)
        this.finding(
          'no-range-check',
          `${d.dom.name}'s fault at ${hex(gpa)}: get_vlpt_3lvl_pte points outside the window (${hex(va)})`,
          [hex(gpa)],
          [slot],
        );
      else if (d.cleaned)
        this.finding(
          'cleanup-stale-slots',
          `${d.dom.name}'s fault at ${hex(gpa)} after cleanup: ${err.message}`,
          [hex(gpa)],
          [slot],
        );
      else
        this.finding(
          'stale-snapshot',
          `${d.dom.name}'s fault at ${hex(gpa)}: VLPT slot ${slot} holds no table for it although p2m_lookup finds the page`,
          [hex(gpa)],
          [slot],
        );
      throw err;
    }
  }

  private accountFault(delta: CpuStats): void {
    const c = this.sc.costs;
    const v = this.vlptCounts;
    v.faults++;
    v.loads += delta.loads;
    v.stores += delta.stores;
    v.tlbHits += delta.tlbHits;
    v.tlbMisses += delta.tlbMisses;
    v.walkReads += delta.walkReads;
    v.dsb += delta.dsb;
    this.vlptFaultCycles += statsCycles(delta, c);
  }

  /** what the classic path would have cost for the same fault (run for real, counted) */
  private accountP2mLookup(d: Domain, cpu: number, gpa: number): void {
    const c = this.sc.costs;
    const r = p2mLookup(this.sys, d, cpu, gpa);
    const p = this.p2mCounts;
    p.faults++;
    p.mapDomainPage += r.cost.mapDomainPage;
    p.unmapDomainPage += r.cost.unmapDomainPage;
    p.loads += r.cost.entryLoads;
    p.tlbInvalidations += r.cost.tlbInvalidations;
    p.locks += r.cost.lock;
    this.p2mFaultCycles +=
      r.cost.mapDomainPage * c.mapDomainPage +
      r.cost.unmapDomainPage * c.unmapDomainPage +
      r.cost.entryLoads * c.load +
      r.cost.cpu.walkReads * c.tlbMissWalkPerLevel +
      r.cost.tlbInvalidations * c.tlbiMva +
      r.cost.cpu.dsb * c.dsb +
      r.cost.cpu.isb * c.isb +
      r.cost.lock * c.lockPair +
      c.store; // the leaf update itself
  }

  private round(): void {
    const rep: RoundReport = { round: this.rounds.length + 1, step: this.cur.index, domains: [] };
    for (const d of this.doms.values()) {
      if (!d.logdirty) continue;
      const reported = [...d.bitmap].sort((a, b) => a - b);
      const truth = [...d.truth].sort((a, b) => a - b);
      const lost = truth.filter((g) => !d.bitmap.has(g));
      const phantom = reported.filter((g) => !d.truth.has(g));
      rep.domains.push({
        domain: d.dom.name,
        reported: reported.map((g) => hex(g * 4096)),
        truth: truth.map((g) => hex(g * 4096)),
        lost: lost.map((g) => hex(g * 4096)),
        phantom: phantom.map((g) => hex(g * 4096)),
      });
      if (lost.length)
        this.cur.notes.push(
          `${d.dom.name}: ${lost.length} dirty page(s) LOST this round: ${lost
            .slice(0, 8)
            .map((g) => hex(g * 4096))
            .join(', ')}`,
        );
      if (phantom.length)
        this.cur.notes.push(
          `${d.dom.name}: ${phantom.length} phantom dirty page(s): ${phantom
            .slice(0, 8)
            .map((g) => hex(g * 4096))
            .join(', ')}`,
        );
      // clean: clear the bitmap and write-protect the reported pages again
      for (const g of reported) {
        this.setWrite(d, g, false);
        this.bitChange(d, g, false);
      }
      d.bitmap.clear();
      d.truth.clear();
    }
    this.rounds.push(rep);
  }

  /** the result so far (after `run()`, or after the last `next()`) */
  result(): TraceResult {
    const c = this.sc.costs;
    const vf = this.vlptCounts.faults;
    const pf = this.p2mCounts.faults;
    const vPer = vf ? this.vlptFaultCycles / vf : 0;
    const pPer = pf ? this.p2mFaultCycles / pf : 0;
    const breakEven = pPer > vPer ? Math.ceil(this.vlptOneOff / (pPer - vPer)) : null;
    const vTotal = this.vlptOneOff + this.vlptFaultCycles;
    const verdict =
      vf === 0
        ? 'no write faults: VLPT only cost its set-up'
        : vTotal < this.p2mFaultCycles
          ? `VLPT wins: ${vTotal} vs ${this.p2mFaultCycles} cycles (${vf} faults; break-even after ${breakEven} faults)`
          : `p2m_lookup wins: VLPT's set-up and context-switch restores (${this.vlptOneOff} cycles) are not paid back by ${vf} faults (break-even after ${breakEven ?? '∞'})`;
    return {
      scenario: this.sc.name,
      description: this.sc.description,
      tree: this.sc.tree,
      cpus: this.sc.cpus,
      halted: this.halted,
      steps: this.steps,
      rounds: this.rounds,
      findings: this.findings,
      cost: {
        vlpt: {
          faults: vf,
          counts: { ...this.vlptCounts },
          cycles: { perFault: round2(vPer), faults: this.vlptFaultCycles, oneOff: this.vlptOneOff, total: vTotal },
        },
        p2mLookup: {
          faults: pf,
          counts: { ...this.p2mCounts },
          cycles: { perFault: round2(pPer), faults: this.p2mFaultCycles, oneOff: 0, total: this.p2mFaultCycles },
        },
        table: c,
        breakEvenFaults: breakEven,
        verdict,
      },
    };
  }
}

/** A step's TLB journal (key, before, after)… reduced to one triple per key: first before, last after. */
function netTlbChanges(journal: number[]): Float64Array {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  for (let j = 0; j < journal.length; j += 3) {
    const key = journal[j]!;
    if (!first.has(key)) first.set(key, journal[j + 1]!);
    last.set(key, journal[j + 2]!);
  }
  const out: number[] = [];
  for (const [key, before] of first) {
    const after = last.get(key)!;
    if (before !== after) out.push(key, before, after);
  }
  return Float64Array.from(out);
}

/** Load the VLPT PTE at `va` into `e` through the MMU and return the physical address it came
 * from (the translation the load just cached), to tell whose p2m table was read. */
function vlptLoad(mmu: Mmu, va: number, e: Uint32Array): number {
  mmu.load64(va, e);
  const hit = mmu.tlbLookup(va)!;
  return hit.mfn * 4096 + (va % hit.size);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export function statsCycles(s: CpuStats, c: CostTable): number {
  return (
    s.loads * c.load +
    s.stores * c.store +
    s.walkReads * c.tlbMissWalkPerLevel +
    s.tlbiMva * c.tlbiMva +
    s.tlbiAll * c.tlbiAll +
    s.dsb * c.dsb +
    s.isb * c.isb
  );
}

export function runScenario(sc: Scenario): TraceResult {
  return new TraceEngine(sc).run();
}

export { FIRST_SIZE };
