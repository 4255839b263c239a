/**
 * Emulation against reality: the emulated 2013 boot tables' xen_second slots beside what a live Xen 4.17
 * (armhf) maps at the same VAs, read through `readPhys`. The 4.17 arm32 regions are the layout comment of
 * 4.17's xen/arch/arm/include/asm/config.h (facts: names and bounds).
 */
import { hex } from '../numbers';
import type { SlotJson } from '../format/slots';
import {
  decodeXenRoot,
  readTable,
  tableEntry,
  type EntryState,
  type LiveTable,
  type ReadPhys,
  type Reg64,
} from './decode';

/** Xen 4.17 arm32 virtual layout (config.h), [start, end) in bytes. */
export const LAYOUT_417_ARM32: readonly { name: string; start: number; end: number }[] = [
  { name: 'unmapped', start: 0, end: 0x00200000 },
  { name: 'Xen image', start: 0x00200000, end: 0x00400000 },
  { name: 'fixmap', start: 0x00400000, end: 0x00600000 },
  { name: 'early FDT', start: 0x00600000, end: 0x00a00000 },
  { name: 'livepatch vmap', start: 0x00a00000, end: 0x00c00000 },
  { name: 'frametable', start: 0x02000000, end: 0x08000000 },
  { name: 'vmap', start: 0x10000000, end: 0x40000000 },
  { name: 'xenheap', start: 0x40000000, end: 0x80000000 },
  { name: 'domheap', start: 0x80000000, end: 0x1_0000_0000 },
];

export function region417(va: number): string | null {
  return LAYOUT_417_ARM32.find((r) => va >= r.start && va < r.end)?.name ?? null;
}

export interface LiveSlotRow {
  slot: number;
  va: string;
  emulatedRegion: string | null;
  emulatedValid: boolean;
  liveRegion: string | null;
  liveState: EntryState | 'no table';
  liveRaw: string;
  /** the level-2 table the live entry sits in: `xen_second` (root entry 0) or `root[n]` */
  liveTable: string;
}

/** One row per emulated xen_second slot (2 MiB each), with the live 4.17 entry for the same VA. */
export async function compareSlots(read: ReadPhys, ttbr: Reg64, emulated: readonly SlotJson[]): Promise<LiveSlotRow[]> {
  const root = decodeXenRoot('armhf', ttbr);
  const top = await readTable(read, 'xen', root.rootPa, 1, 0);
  const seconds = new Map<number, LiveTable | null>();
  const rows: LiveSlotRow[] = [];
  for (const s of emulated) {
    const va = s.slot * 0x200000;
    const r = Math.floor(va / 0x40000000);
    if (!seconds.has(r)) {
      const e = tableEntry(top, r);
      seconds.set(r, e.shape === 'table' ? await readTable(read, 'xen', e.pa, 2, r * 0x40000000) : null);
    }
    const t = seconds.get(r) ?? null;
    const e = t ? tableEntry(t, s.slot % 512) : null;
    rows.push({
      slot: s.slot,
      va: hex(va),
      emulatedRegion: s.region,
      emulatedValid: s.valid,
      liveRegion: region417(va),
      liveState: e ? e.state : 'no table',
      liveRaw: e ? e.raw : '—',
      liveTable: r === 0 ? 'xen_second' : `root[${r}]`,
    });
  }
  return rows;
}
