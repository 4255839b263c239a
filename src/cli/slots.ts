import type { CliIo } from './io';
import { json, makeSession, parse, SYSTEM_OPTIONS } from './common';
import { hex, hex64 } from '../core/numbers';
import { textTable, va8 } from '../core/format/table';
import type { Session } from '../core/session';

export const HELP = `xenlens slots [--ram-base B] [--ram-size S] [--json]
  All 1024 xen_second slots after prepare_vlpt: slot, VA range, region, raw entry, what it maps.`;

export interface SlotJson {
  slot: number;
  va: string;
  vaEnd: string;
  region: string | null;
  raw: string;
  valid: boolean;
  what: string;
  /** written by prepare_vlpt */
  vlpt: boolean;
  /** the boot-time entry, when prepare_vlpt replaced it */
  replaced: string | null;
}

export function slotsJson(s: Session): SlotJson[] {
  const written = new Set(s.prepare?.slotsWritten ?? []);
  const out: SlotJson[] = [];
  for (let i = 0; i < 1024; i++) {
    const info = s.sys.describeSlot(i);
    const boot = s.sys.bootEntry(i);
    const replaced = boot && (boot[0] !== info.hi || boot[1] !== info.lo) && (boot[1] & 1) ? hex64(boot[0], boot[1]) : null;
    out.push({
      slot: i,
      va: hex(info.va),
      vaEnd: hex(info.va + 0x200000),
      region: info.region,
      raw: hex64(info.hi, info.lo),
      valid: (info.lo & 1) === 1,
      what: written.has(i) ? `VLPT: ${s.dom.name} L1[${i - (s.sys.vlptStart >>> 21)}] (${info.what})` : info.what,
      vlpt: written.has(i),
      replaced,
    });
  }
  return out;
}

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
