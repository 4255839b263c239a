/** The 1024 xen_second slots as the CLI, trees and map show them. */
import { hex, hex64 } from '../numbers';
import type { Session } from '../session';

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
    const replaced =
      boot && (boot[0] !== info.hi || boot[1] !== info.lo) && boot[1] & 1 ? hex64(boot[0], boot[1]) : null;
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
