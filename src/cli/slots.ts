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
  // humans: runs of slots that map the same kind of thing fold into one row (--all: one per slot)
  const kind = (sl: (typeof slots)[number]): string =>
    sl.vlpt ? `vlpt:${sl.slot}` : `${sl.region}|${sl.valid ? sl.what : 'invalid'}`;
  const rows: string[][] = [];
  for (let i = 0; i < slots.length;) {
    const sl = slots[i]!;
    let j = i;
    if (!values.all) while (j + 1 < slots.length && kind(slots[j + 1]!) === kind(sl)) j++;
    const what = sl.vlpt
      ? `* ${sl.what.replace(/ \(.*\)$/, '')}`
      : sl.valid
        ? sl.what.replace(/^(table|block) → /, '$1 → ')
        : 'invalid';
    const label = `${what}${j > i && sl.valid ? ` ×${j - i + 1}` : ''}`;
    rows.push([
      j > i ? `${i}-${j}` : `${i}`,
      va8(i * 0x200000),
      sl.region ?? '—',
      sl.valid ? sl.raw : '0',
      label.length > 24 ? label.slice(0, 23) + '…' : label,
    ]);
    i = j + 1;
  }
  io.out(
    textTable(
      [
        { title: 'slot', align: 'right' },
        { title: 'VA' },
        { title: 'region' },
        { title: 'entry' },
        { title: 'maps (*: VLPT)' },
      ],
      rows,
    ),
  );
  return 0;
}
