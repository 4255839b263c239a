import type { CliIo } from './io';
import { json, makeSession, parse, SYSTEM_OPTIONS } from './common';
import { hex, humanSize } from '../core/numbers';
import { plusOneSlots, ramPtes } from '../core/findings';
import { slotRanges } from '../core/format/ranges';
import { va8, wrap } from '../core/format/table';
import type { Session } from '../core/session';

export const HELP = `xenlens prepare [--ram-base B] [--ram-size S] [--tree ac6e1ae|9a80d50] [--host-ram S] [--json]
  Run the seed's prepare_vlpt on a fresh system (pCPU0) and report its result, dprintk text,
  the xen_second slots it wrote, the flush, and the findings (window-overrun, extra-slot, …).`;

export function prepareJson(s: Session): Record<string, unknown> {
  const p = s.prepare!;
  return {
    result: p.result,
    message: p.message,
    console: p.printk.map((x) => x.text),
    trap: p.trap
      ? {
          cpu: p.trap.cpu,
          va: hex(p.trap.va),
          write: p.trap.write,
          kind: p.trap.kind,
          level: p.trap.level,
          message: p.trap.message,
        }
      : null,
    ramBase: hex(s.dom.ramBase),
    ramSize: hex(s.dom.ramSize),
    maxPages: s.dom.maxPages,
    tree: s.sys.tree,
    secondLvlStart: s.dom.dirty.secondLvlStart,
    secondLvlEnd: s.dom.dirty.secondLvlEnd,
    slotsWritten: p.slotsWritten,
    ramPtes: ramPtesJson(s),
    slotsFromPlusOne: p.result === 0 ? plusOneSlots(s.sys, s.dom, p) : [],
    secondLvl: s.dom.dirty.secondLvl.map((v) => hex(v)),
    flush: p.flushes.length ? { va: hex(p.flushes[0]!.va), size: hex(p.flushes[0]!.size) } : null,
    cost: {
      loads: p.stats.loads,
      stores: p.stats.stores,
      tlbiMva: p.stats.tlbiMva,
      dsb: p.stats.dsb,
      isb: p.stats.isb,
      tlbMisses: p.stats.tlbMisses,
    },
    findings: s.findings.map((f) => ({
      id: f.id,
      severity: f.severity,
      slots: f.slots,
      regions: f.regions,
      message: f.message,
    })),
    warnings: [...s.sys.warnings],
  };
}

/** VLPT VAs of the first and last PTE of the domain's RAM (what the RAM itself needs) */
function ramPtesJson(s: Session): {
  firstVa: string;
  lastVa: string;
  firstSlot: number | null;
  lastSlot: number | null;
} {
  const r = ramPtes(s.sys, s.dom);
  return { firstVa: hex(r.firstVa), lastVa: hex(r.lastVa), firstSlot: r.firstSlot, lastSlot: r.lastSlot };
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parse('prepare', args, SYSTEM_OPTIONS, false);
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const s = makeSession(values);
  if (values.json) {
    io.out(json(prepareJson(s)));
    return 0;
  }
  const p = s.prepare!;
  const lines: string[] = [];
  lines.push(
    wrap(
      `prepare_vlpt(d1) on pCPU0, guest RAM ${hex(s.dom.ramBase)} + ${humanSize(s.dom.ramSize)} (max_pages ${hex(s.dom.maxPages)}), tree ${s.sys.tree}`,
      80,
      2,
    ),
  );
  for (const x of p.printk)
    lines.push(
      wrap(
        `(XEN) ${x.text.replace(/\n$/, '')}${x.text.endsWith('\n') ? '' : '   [no newline: the next printk continues this line]'}`,
        80,
        6,
      ),
    );
  if (p.trap) lines.push(wrap(`(XEN) ${p.trap.message} — Xen spins forever here`, 80, 6));
  lines.push(`result: ${p.result === null ? 'none (trapped)' : p.result === 0 ? '0' : `${p.result} (-ENOMEM)`}`);
  if (p.result === 0) {
    lines.push(
      `second_lvl_start/end: ${s.dom.dirty.secondLvlStart}/${s.dom.dirty.secondLvlEnd}   slots written: ${slotRanges(p.slotsWritten)}`,
    );
    const f = p.flushes[0]!;
    lines.push(`flush_vlpt: VA ${hex(f.va)} + ${hex(f.size)} (${f.size / 4096} TLBIMVAH, pCPU0 only)`);
    const rp = ramPtesJson(s);
    const plus = plusOneSlots(s.sys, s.dom, p);
    lines.push(
      wrap(
        `RAM PTEs: VA ${va8(parseInt(rp.firstVa, 16))}–${va8(parseInt(rp.lastVa, 16))} (${rp.firstSlot === rp.lastSlot ? `slot ${rp.firstSlot ?? 'DOMHEAP'}` : `slots ${rp.firstSlot ?? 'DOMHEAP'}–${rp.lastSlot ?? 'DOMHEAP'}`})${plus.length ? `; written only by the "+ 1" of gp2m_end_index: slot${plus.length > 1 ? 's' : ''} ${slotRanges(plus)}` : ''}`,
        80,
        2,
        0,
      ),
    );
  }
  for (const w of s.sys.warnings) lines.push(wrap(w, 80, 2, 0));
  if (s.findings.length) {
    lines.push('');
    lines.push('findings:');
    for (const f of s.findings) lines.push(wrap(`${f.severity} ${f.id}: ${f.message}`, 80, 4, 2));
  }
  io.out(lines.join('\n'));
  return 0;
}
