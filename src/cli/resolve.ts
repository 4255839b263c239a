import type { CliIo } from './io';
import { json, makeSession, parse, SYSTEM_OPTIONS } from './common';
import { InputError } from '../core/errors';
import { hex, humanSize, parseNumber } from '../core/numbers';
import { resolveGpa, GPA_LIMIT, type ResolveReport } from '../core/resolve';
import { textTable, va8, wrap } from '../core/format/table';
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
  if (positionals.length === 0)
    throw new InputError('resolve: missing <gpa> (give one or more guest physical addresses, e.g. 0x80001000)');
  const gpas = positionals.map(parseGpa);
  const s = makeSession(values);
  const reports = gpas.map((g) => resolveGpa(s.sys, s.dom, 0, g));
  if (values.json) io.out(json(reports));
  else io.out([...reports.map((r) => human(s, r)), ...s.sys.warnings.map((w) => wrap(w, 80, 2, 0))].join('\n\n'));
  if (values.json) for (const w of s.sys.warnings) io.err(w);
  return 0;
}

/** Short name of the entry a walk step read, for an 80-column table. */
function entryName(r: ResolveReport, i: number): string {
  const st = r.steps[i]!;
  if (st.level === 1) return `xen_pgtable[${st.index}]`;
  if (st.tableName.startsWith('xen_second')) return `xen_second[${st.index}]`;
  const m = /^(\S+) p2m level-2 table/.exec(st.tableName);
  if (m) return `${m[1]} L2[${st.index}]`;
  return `L${st.level} table[${st.index}]`;
}

function entryMeaning(r: ResolveReport, i: number): string {
  const st = r.steps[i]!;
  if (st.kind === 'invalid') return 'invalid → translation fault';
  const copy = /= copy of (.*)$/.exec(st.meaning);
  if (copy) return `= ${copy[1]} (table)`;
  if (st.asP2m && st.level === 3) return `read as a Xen page${st.fields.ro ? ' (ro)' : ''}`;
  return st.kind;
}

export function human(s: Session, r: ResolveReport): string {
  const lines: string[] = [];
  const p = r.p2mIndex;
  lines.push(`GPA ${r.gpa} (gfn ${r.gfn}) → PTE at Xen VA ${va8(parseInt(r.vlptVa, 16))}`);
  lines.push(
    `  ${r.region ?? 'no region'}, xen_second slot ${r.xenSecondSlot ?? '— (per-pCPU xen_dommap)'}; guest p2m L1 ${p.first} (root page ${p.firstPage}), L2 ${p.second}, L3 ${p.third}`,
  );
  lines.push(
    `  guest RAM ${hex(s.dom.ramBase)} + ${humanSize(s.dom.ramSize)}, tree ${s.sys.tree}, walk on pCPU${r.cpu}`,
  );
  lines.push('');
  lines.push(
    textTable(
      [{ title: 'lvl' }, { title: 'entry read' }, { title: 'raw' }, { title: 'means' }],
      r.steps.map((st, i) => [`L${st.level}`, entryName(r, i), st.raw, entryMeaning(r, i)]),
    ),
  );
  lines.push('');
  if (r.fault) lines.push(`VLPT load:  level ${r.fault.level} ${r.fault.kind} fault (a HYP data abort in Xen)`);
  else lines.push(`VLPT load:  ${r.vlptEntry} from PA ${r.vlptEntryPa}${r.tlbHit ? ' (TLB hit)' : ''}`);
  const d = r.descriptor;
  lines.push(
    d.valid
      ? `p2m leaf:   ${d.raw} → mfn ${d.mfn}${d.type ? ` (${d.type})` : ''}`
      : `p2m leaf:   none (the guest walk stops at level ${d.level})`,
  );
  const c = r.p2mLookup.cost;
  lines.push(
    `p2m_lookup: ${r.p2mLookup.pa ?? 'INVALID_PADDR'} (${c.mapDomainPage} maps, ${c.entryLoads} loads, ${c.tlbInvalidations} TLBIs)`,
  );
  // a p2m_lookup alias (ac6e1ae, GPA ≥ 512 GiB) is a fault of the reference, not a VLPT misread
  const label = r.agrees
    ? 'agree'
    : r.p2mLookup.aliasOf !== null && r.p2mLookup.pa !== r.descriptor.pa
      ? 'p2m_lookup ALIASES'
      : 'DISAGREE';
  lines.push(wrap(`${label}: ${r.verdict}`, 80, 2));
  return lines.join('\n');
}
