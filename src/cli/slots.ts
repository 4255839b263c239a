import type { CliIo } from './io';
import { json, makeSession, parse, SYSTEM_OPTIONS } from './common';
import { slotsJson } from '../core/format/slots';
import { textTable, va8 } from '../core/format/table';

export const HELP = `xenlens slots [--ram-base B] [--ram-size S] [--json]
  All 1024 xen_second slots after prepare_vlpt: slot, VA range, region, raw entry, what it maps.`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parse('slots', args, { ...SYSTEM_OPTIONS, all: { type: 'boolean' } }, false);
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const s = makeSession(values);
  const slots = slotsJson(s);
  if (values.json) {
    io.out(json(slots));
    return 0;
  }
  // humans: valid slots and VLPT slots, invalid runs folded into one line (--all shows each)
  const rows: string[][] = [];
  for (let i = 0; i < slots.length; ) {
    const sl = slots[i]!;
    if (!values.all && !sl.valid && !sl.vlpt) {
      let j = i;
      while (j + 1 < slots.length && !slots[j + 1]!.valid && !slots[j + 1]!.vlpt && slots[j + 1]!.region === sl.region) j++;
      rows.push([j > i ? `${i}-${j}` : `${i}`, `${va8(i * 0x200000)}`, sl.region ?? '—', '0 (invalid)', j > i ? `${j - i + 1} invalid slots` : 'invalid']);
      i = j + 1;
      continue;
    }
    rows.push([String(i), va8(i * 0x200000), sl.region ?? '—', sl.raw, (sl.vlpt ? '* ' : '') + sl.what]);
    i++;
  }
  io.out(textTable([{ title: 'slot', align: 'right' }, { title: 'VA' }, { title: 'region' }, { title: 'entry' }, { title: 'maps (* = written by prepare_vlpt)' }], rows));
  return 0;
}
