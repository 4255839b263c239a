/**
 * The seed's four functions and its `get_vlpt_3lvl_pte`, as written [P] (reference doc §8),
 * with the patch's integer widths, checks, return codes and dprintk texts — defects included.
 * Every memory access Xen makes goes through the executing pCPU's MMU and TLB, so what the
 * hardware would do with the patch's writes (aliases, stale TLB entries, traps) falls out.
 */
import { ENOMEM, LPAE_ENTRIES, LPAE_SHIFT, SECOND_SHIFT, FIRST_SHIFT } from './lpae';
import { HypTrap, diffStats, type CpuStats } from './mmu';
import type { Domain } from './p2m';
import type { XenSystem } from './xenPageTables';

/** `dprintk` prefix: `__FILE__ ":" __LINE__ ": "` with mm.c's line numbers after the seed applies [D] */
export const DPRINTK_FILE = 'mm.c';
export const LINE_VLPT_SMALL = 1384;
export const LINE_SECOND_SMALL = 1397;

export interface Printk {
  /** XENLOG_ERR ("<0>") */
  level: string;
  /** exactly the formatted text, newline included when the format has one */
  text: string;
}

export interface VlptCallResult {
  fn: 'prepare_vlpt' | 'restore_vlpt' | 'flush_vlpt' | 'cleanup_vlpt';
  cpu: number;
  /** return value (prepare_vlpt) or null for void functions; null also when Xen trapped */
  result: number | null;
  /** the dprintk text without its trailing newline, or null */
  message: string | null;
  printk: Printk[];
  /** set when an access took a HYP data abort: Xen 2013 prints and spins forever */
  trap: HypTrap | null;
  /** xen_second slots stored to, in order */
  slotsWritten: number[];
  /** shadow entries stored (xen_second index) */
  shadowWritten: number[];
  /** ranges flushed on the executing pCPU */
  flushes: Array<{ va: number; size: number }>;
  stats: CpuStats;
}

function begin(fn: VlptCallResult['fn'], sys: XenSystem, cpu: number): [VlptCallResult, CpuStats] {
  const c = sys.cpu(cpu);
  return [
    {
      fn,
      cpu,
      result: null,
      message: null,
      printk: [],
      trap: null,
      slotsWritten: [],
      shadowWritten: [],
      flushes: [],
      stats: undefined as unknown as CpuStats,
    },
    { ...c.mmu.stats },
  ];
}

function finish(r: VlptCallResult, sys: XenSystem, before: CpuStats): VlptCallResult {
  r.stats = diffStats(sys.cpu(r.cpu).mmu.stats, before);
  return r;
}

function dprintk(r: VlptCallResult, line: number, text: string): void {
  r.printk.push({ level: '<0>', text: `${DPRINTK_FILE}:${line}: ${text}` });
  r.message = text.endsWith('\n') ? text.slice(0, -1) : text;
}

/** C `int` conversion of a value that fits (the seed's index variables) */
const toInt = (n: number): number => n | 0;

/** `second_linear_offset(va)` = va >> SECOND_SHIFT, not masked */
export function secondLinearOffset(va: number): number {
  return (va >>> 0) >>> SECOND_SHIFT;
}

/**
 * `get_vlpt_3lvl_pte(addr)` = `&((lpae_t *)VIRT_LIN_P2M_START)[addr >> PAGE_SHIFT]`:
 * 32-bit pointer arithmetic, no range check [P].
 */
export function getVlpt3lvlPte(sys: XenSystem, gpa: number): number {
  return (sys.vlptStart + Math.floor(gpa / 4096) * 8) % 0x1_0000_0000;
}

/** flush_vlpt(d) [P] */
export function flushVlpt(sys: XenSystem, d: Domain, cpu: number): VlptCallResult {
  const [r, before] = begin('flush_vlpt', sys, cpu);
  doFlush(sys, d, cpu, r);
  return finish(r, sys, before);
}

function doFlush(sys: XenSystem, d: Domain, cpu: number, r: VlptCallResult): void {
  const mmu = sys.cpu(cpu).mmu;
  // int flush_size = (end - start) << SECOND_SHIFT;   (int arithmetic)
  const flushSize = toInt((d.dirty.secondLvlEnd - d.dirty.secondLvlStart) << SECOND_SHIFT);
  // flush_xen_data_tlb_range_va(start << SECOND_SHIFT, flush_size): unsigned long (32-bit) args
  const va = (d.dirty.secondLvlStart << SECOND_SHIFT) >>> 0;
  const size = flushSize >>> 0;
  mmu.dsb();
  mmu.tlbiMvaRange(va, size);
  mmu.dsb();
  mmu.isb();
  r.flushes.push({ va, size });
}

/** restore_vlpt(d) [P]: copy the shadow back into xen_second where it differs (local flush). */
export function restoreVlpt(sys: XenSystem, d: Domain, cpu: number): VlptCallResult {
  const [r, before] = begin('restore_vlpt', sys, cpu);
  const mmu = sys.cpu(cpu).mmu;
  const cur = new Uint32Array(2);
  const saved = new Uint32Array(2);
  try {
    mmu.dsb();
    for (let i = d.dirty.secondLvlStart; i < d.dirty.secondLvlEnd; ++i) {
      const k = toInt(i % LPAE_ENTRIES);
      const l = toInt(i / LPAE_ENTRIES);
      mmu.load64(sys.xenSecondVa(i), cur);
      mmu.load64(d.dirty.secondLvl[l]! + k * 8, saved);
      if (cur[0] !== saved[0] || cur[1] !== saved[1]) {
        // __write_pte: strd only — no dsb before the invalidate (finding barrier-gap)
        mmu.store64(sys.xenSecondVa(i), saved[0]!, saved[1]!);
        r.slotsWritten.push(i);
        // __flush_xen_data_tlb_range_va(i << SECOND_SHIFT, 1 << SECOND_SHIFT)
        const va = (i << SECOND_SHIFT) >>> 0;
        mmu.tlbiMvaRange(va, 1 << SECOND_SHIFT);
        r.flushes.push({ va, size: 1 << SECOND_SHIFT });
      }
    }
    mmu.dsb();
    mmu.isb();
  } catch (e) {
    if (!(e instanceof HypTrap)) throw e;
    r.trap = e;
  }
  return finish(r, sys, before);
}

/**
 * prepare_vlpt(d) [P]. Returns 0 or -ENOMEM, with the dprintk texts exactly as the patch
 * formats them (note the missing space before "(" and the missing newline of the second).
 */
export function prepareVlpt(sys: XenSystem, d: Domain, cpu: number): VlptCallResult {
  const [r, before] = begin('prepare_vlpt', sys, cpu);
  const mmu = sys.cpu(cpu).mmu;
  const [gmaStart, gmaEnd] = d.gmaStartEnd();
  // uint64_t required = (gma_end - gma_start) >> LPAE_SHIFT;  avail = END - START
  const required = Math.floor((gmaEnd - gmaStart) / 2 ** LPAE_SHIFT);
  const avail = sys.vlptEnd - sys.vlptStart;
  if (required > avail) {
    dprintk(
      r,
      LINE_VLPT_SMALL,
      `Available VLPT is small for domU guest(avail: ${avail.toString(16)}, required: ${required.toString(16)})\n`,
    );
    r.result = -ENOMEM;
    return finish(r, sys, before);
  }
  const xenSecondLinearBase = toInt(secondLinearOffset(sys.vlptStart));
  const gp2mStartIndex = toInt(Math.floor(gmaStart / 2 ** FIRST_SHIFT));
  const gp2mEndIndex = toInt(Math.floor(gmaEnd / 2 ** FIRST_SHIFT) + 1);
  if (xenSecondLinearBase + gp2mEndIndex >= LPAE_ENTRIES * 2) {
    dprintk(r, LINE_SECOND_SMALL, 'xen second page is small for VLPT for domU');
    r.result = -ENOMEM;
    return finish(r, sys, before);
  }
  const page = sys.domheap.alloc(1);
  if (page === null) {
    r.result = -ENOMEM; // no message on this path
    return finish(r, sys, before);
  }
  // alloc_domheap_pages does not clear: the shadow starts as stale heap content
  sys.mem.scribble(page, page);
  sys.mem.scribble(page + 1, page + 1);
  d.dirty.secondLvlMfn = page;
  d.dirty.secondLvl[0] = sys.mapDomainPageGlobal(cpu, page);
  d.dirty.secondLvl[1] = sys.mapDomainPageGlobal(cpu, page + 1);
  const first0 = sys.mapDomainPage(cpu, d.rootMfn);
  const first1 = sys.mapDomainPage(cpu, d.rootMfn + 1);
  const first = [first0, first1];
  const e = new Uint32Array(2);
  try {
    for (let i = gp2mStartIndex; i < gp2mEndIndex; ++i) {
      const k = toInt(i % LPAE_ENTRIES);
      const l = toInt(i / LPAE_ENTRIES);
      const k2 = toInt((xenSecondLinearBase + i) % LPAE_ENTRIES);
      const l2 = toInt((xenSecondLinearBase + i) / LPAE_ENTRIES);
      // write_pte(&xen_second[base + i], first[l][k]): dsb; strd; dsb
      mmu.load64(first[l]! + k * 8, e);
      mmu.dsb();
      mmu.store64(sys.xenSecondVa(xenSecondLinearBase + i), e[0]!, e[1]!);
      mmu.dsb();
      r.slotsWritten.push(xenSecondLinearBase + i);
      // d->arch.dirty.second_lvl[l2][k2] = first[l][k];  (reloaded: write_pte clobbers memory)
      mmu.load64(first[l]! + k * 8, e);
      mmu.store64(d.dirty.secondLvl[l2]! + k2 * 8, e[0]!, e[1]!);
      r.shadowWritten.push(xenSecondLinearBase + i);
    }
  } catch (err) {
    if (!(err instanceof HypTrap)) throw err;
    r.trap = err;
    return finish(r, sys, before);
  }
  sys.unmapDomainPage(cpu, first0);
  sys.unmapDomainPage(cpu, first1);
  d.dirty.secondLvlStart = xenSecondLinearBase + gp2mStartIndex;
  d.dirty.secondLvlEnd = xenSecondLinearBase + gp2mEndIndex;
  doFlush(sys, d, cpu, r);
  r.result = 0;
  return finish(r, sys, before);
}

/** cleanup_vlpt(d) [P]: unmap the two shadow pages; nothing else (no free, no slot clearing). */
export function cleanupVlpt(sys: XenSystem, d: Domain, cpu: number): VlptCallResult {
  const [r, before] = begin('cleanup_vlpt', sys, cpu);
  sys.unmapDomainPageGlobal(cpu, d.dirty.secondLvl[0]);
  sys.unmapDomainPageGlobal(cpu, d.dirty.secondLvl[1]);
  return finish(r, sys, before);
}
