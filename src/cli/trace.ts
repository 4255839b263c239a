import type { CliIo } from './io';
import { json, parse } from './common';
import { InputError } from '../core/errors';
import { BUILTINS, builtinScenario } from '../core/scenario/builtins';
import { parseScenario } from '../core/scenario/parse';
import { runScenario } from '../core/scenario/engine';

export const HELP = `xenlens trace [--scenario FILE | --builtin NAME] [--list] [--json]
  Run a log-dirty scenario (domains, pCPUs, context switches, guest writes, migration rounds)
  through the seed's VLPT and report steps, rounds (lost/phantom dirty pages), findings and cost.`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(
    'trace',
    args,
    {
      scenario: { type: 'string' },
      builtin: { type: 'string' },
      list: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    false,
  );
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (values.list) {
    if (values.json) io.out(json(Object.entries(BUILTINS).map(([name, b]) => ({ name, summary: b.summary }))));
    else
      io.out(
        Object.entries(BUILTINS)
          .map(([name, b]) => `${name.padEnd(24)} ${b.summary}`)
          .join('\n'),
      );
    return 0;
  }
  if ((values.scenario === undefined) === (values.builtin === undefined))
    throw new InputError('trace: give exactly one of --scenario FILE or --builtin NAME (see --list)');
  const sc =
    typeof values.builtin === 'string'
      ? builtinScenario(values.builtin)
      : parseScenario(io.readFile(values.scenario as string), values.scenario as string);
  const r = runScenario(sc);
  if (values.json) {
    io.out(json(r));
    return 0;
  }
  const lines: string[] = [`scenario ${r.scenario} (tree ${r.tree}, ${r.cpus} pCPUs)`, r.description, ''];
  for (const st of r.steps) {
    const ch = st.changes;
    const bits = [
      ch.slots.length ? `slots ${ch.slots.map((x) => x.slot).join(',')}` : '',
      ch.tlb.length ? `tlb ${ch.tlb.length}` : '',
      ch.leavesChanged ? `leaves ${ch.leavesChanged}` : '',
      ch.bitmapChanged ? `bits ${ch.bitmapChanged}` : '',
    ].filter(Boolean);
    lines.push(
      `#${String(st.index).padEnd(3)} ${(st.cpu === null ? '' : `pCPU${st.cpu}`).padEnd(6)} ${(st.domain ?? '').padEnd(4)} ${st.event.padEnd(15)} ${bits.join('  ')}`,
    );
    for (const n of st.notes) lines.push(`       ${n}`);
  }
  lines.push('');
  for (const rd of r.rounds)
    for (const d of rd.domains)
      lines.push(
        `round ${rd.round} ${d.domain}: reported ${d.reported.length}, written ${d.truth.length}, lost ${d.lost.length}${d.lost.length ? ` (${d.lost.join(', ')})` : ''}, phantom ${d.phantom.length}${d.phantom.length ? ` (${d.phantom.join(', ')})` : ''}`,
      );
  if (r.findings.length) {
    lines.push('', 'findings:');
    for (const f of r.findings) lines.push(`  step ${f.step} ${f.severity} ${f.id}: ${f.message}`);
  }
  const c = r.cost;
  lines.push(
    '',
    `cost (cycles, model): VLPT ${c.vlpt.cycles.total} (${c.vlpt.faults} faults × ${c.vlpt.cycles.perFault} + set-up/restores ${c.vlpt.cycles.oneOff}); p2m_lookup ${c.p2mLookup.cycles.total} (${c.p2mLookup.faults} × ${c.p2mLookup.cycles.perFault})`,
  );
  lines.push(c.verdict);
  if (r.halted) lines.push('', `HALTED: ${r.halted}`);
  io.out(lines.join('\n'));
  return 0;
}
