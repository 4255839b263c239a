import type { CliIo } from './io';
import { json, makeSession, parse, SYSTEM_OPTIONS } from './common';
import { InputError } from '../core/errors';
import { hex, parseNumber } from '../core/numbers';
import { resolveGpa, GPA_LIMIT, type ResolveReport } from '../core/resolve';
import { textTable, va8 } from '../core/format/table';
import type { Session } from '../core/session';

export const HELP = `xenlens resolve <gpa>... [--ram-base B] [--ram-size S] [--tree ac6e1ae|9a80d50] [--json]
  Resolve guest physical addresses through the seed's VLPT on pCPU0 after prepare_vlpt:
  the PTE's Xen VA, its xen_second slot and region, the MMU walk, the backing p2m leaf, and
  whether p2m_lookup agrees.`;

export function parseGpa(text: string): number {
  return parseNumber(text, 'GPA', {
    max: GPA_LIMIT - 1,
    expected: 'a guest physical address below 2^40 (hex like 0x80001000, or decimal)',
  });
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('resolve', args, SYSTEM_OPTIONS, true);
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new InputError('resolve: missing <gpa> (give one or more guest physical addresses, e.g. 0x80001000)');
  const gpas = positionals.map(parseGpa);
  const s = makeSession(values);
  const reports = gpas.map((g) => resolveGpa(s.sys, s.dom, 0, g));
  if (values.json) io.out(json(reports));
  else io.out(reports.map((r) => human(s, r)).join('\n\n'));
  return 0;
}

export function human(s: Session, r: ResolveReport): string {
  const lines: string[] = [];
  const p = r.p2mIndex;
  lines.push(`GPA ${r.gpa}  gfn ${r.gfn}  →  PTE at Xen VA ${va8(parseInt(r.vlptVa, 16))}  (${r.region ?? 'no region'}, xen_second slot ${r.xenSecondSlot ?? '—'})`);
  lines.push(`guest p2m indices: L1 ${p.first} (root page ${p.firstPage} entry ${p.firstEntry}), L2 ${p.second}, L3 ${p.third}   guest RAM ${hex(s.dom.ramBase)}+${hex(s.dom.ramSize)}`);
  lines.push('');
  lines.push(
    textTable(
      [{ title: 'lvl' }, { title: 'table' }, { title: 'idx', align: 'right' }, { title: 'entry', align: 'left' }, { title: 'meaning' }],
      r.steps.map((st) => [String(st.level), st.tableName, String(st.index), st.raw, st.meaning]),
    ),
  );
  lines.push('');
  if (r.fault) lines.push(`VLPT access: level ${r.fault.level} ${r.fault.kind} fault (Xen would take a HYP data abort)`);
  else lines.push(`VLPT access: reads ${r.vlptEntry} at PA ${r.vlptEntryPa}${r.tlbHit ? ' (TLB hit)' : ''}`);
  const d = r.descriptor;
  lines.push(`p2m leaf:    ${d.valid ? `${d.raw}  valid page → mfn ${d.mfn}${d.type ? `, ${d.type}` : ''}, PA ${d.pa}` : `not mapped (walk stops at level ${d.level}: ${d.raw})`}`);
  const c = r.p2mLookup.cost;
  lines.push(`p2m_lookup:  ${r.p2mLookup.pa ?? 'INVALID_PADDR'}  (cost: ${c.mapDomainPage} map_domain_page, ${c.entryLoads} loads, ${c.tlbInvalidations} TLB invalidations, lock+unlock)`);
  lines.push(`${r.agrees ? 'agree' : 'DISAGREE'}: ${r.verdict}`);
  return lines.join('\n');
}
