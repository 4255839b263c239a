import type { CliIo } from './io';
import { json, makeSession, parse, SYSTEM_OPTIONS } from './common';
import { InputError } from '../core/errors';
import { parseNumber } from '../core/numbers';
import { describeVa } from '../core/resolve';
import { textTable, va8 } from '../core/format/table';

export const HELP = `xenlens va <address> [--ram-base B] [--ram-size S] [--json]
  What a Xen (arm32 hypervisor) virtual address is: its region, xen_second slot, the walk on
  pCPU0, and inside the VLPT window the GPA range whose PTE lives there.`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('va', args, SYSTEM_OPTIONS, true);
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (positionals.length !== 1)
    throw new InputError('va: expected exactly one <address> (a 32-bit Xen virtual address, e.g. 0x08400008)');
  const va = parseNumber(positionals[0]!, 'address', {
    max: 0xffffffff,
    expected: 'a 32-bit Xen virtual address (hex like 0x08400008)',
  });
  const s = makeSession(values);
  const r = describeVa(s.sys, s.dom, 0, va);
  if (values.json) {
    io.out(json({ ...r, warnings: [...s.sys.warnings] }));
    return 0;
  }
  const lines = [
    `Xen VA ${va8(va)}: ${r.region ?? 'no region'}${r.regionRange ? ` [${r.regionRange.start}, ${r.regionRange.end})` : ''}, ${r.xenSecondSlot !== null ? `xen_second slot ${r.xenSecondSlot}` : `xen_dommap slot ${r.dommapSlot}`}`,
    r.meaning,
  ];
  if (r.slotEntry) lines.push(`slot entry: ${r.slotEntry.raw}  ${r.slotEntry.what}`);
  lines.push('');
  lines.push(
    textTable(
      [{ title: 'lvl' }, { title: 'table' }, { title: 'idx', align: 'right' }, { title: 'entry' }],
      r.steps.map((st) => [String(st.level), st.tableName, String(st.index), st.raw]),
    ),
  );
  lines.push(r.fault ? `walk: level ${r.fault.level} ${r.fault.kind} fault` : `walk: PA ${r.pa}`);
  for (const w of s.sys.warnings) lines.push(w);
  io.out(lines.join('\n'));
  return 0;
}
