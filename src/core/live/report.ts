/**
 * Emulation against reality: the emulated 2013 boot tables' xen_second slots beside what a live Xen 4.17
 * (armhf) maps at the same VAs, read through `readPhys`. The 4.17 arm32 regions are the layout comment of
 * 4.17's xen/arch/arm/include/asm/config.h (facts: names and bounds).
 */
import { hex } from '../numbers';
import { va8 } from '../format/table';
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

/** Why the 2013 model and the live 4.17 armhf xen_second differ (said under every report). */
export const WHY_SLOTS_DIFFER =
  'Why they differ: 4.17 arm32 has one xen_second page for the first GiB only (image, fixmap, FDT, frametable, vmap); the xenheap (1-2 GiB) and the per-CPU domheap (2-4 GiB) have their own level-2 tables under root entries 1-3. The 2013 tree kept a 2-page xen_second for the first 2 GiB (xenheap included), and the seed put the VLPT at 0x08000000 (slots 64-127).';

/** The report's columns, shared by `xenlens live-report` (text) and VS Code (Markdown). */
export const SLOT_REPORT_COLUMNS = [
  { title: 'slot', align: 'right' as const },
  { title: 'VA' },
  { title: '2013 (emulated)' },
  { title: 'entry' },
  { title: '4.17 (live)' },
  { title: 'entry' },
  { title: '' },
];

/** Runs of slots with the same emulated and live state, one row each, in SLOT_REPORT_COLUMNS order. */
export function slotReportRows(rows: readonly LiveSlotRow[]): string[][] {
  const emu = (r: LiveSlotRow) => (r.emulatedValid ? 'mapped' : 'empty');
  const key = (r: LiveSlotRow) => `${r.emulatedRegion}|${emu(r)}|${r.liveRegion}|${r.liveState}|${r.liveTable}`;
  const out: string[][] = [];
  for (let i = 0; i < rows.length;) {
    let j = i;
    while (j + 1 < rows.length && key(rows[j + 1]!) === key(rows[i]!)) j++;
    const r = rows[i]!;
    const same = (r.emulatedValid ? 1 : 0) === (r.liveState === 'empty' || r.liveState === 'no table' ? 0 : 1);
    out.push([
      j > i ? `${r.slot}-${rows[j]!.slot}` : `${r.slot}`,
      va8(r.slot * 0x200000),
      r.emulatedRegion ?? '—',
      emu(r),
      r.liveRegion ?? '—',
      `${r.liveState} (${r.liveTable})`,
      same ? '' : 'differs',
    ]);
    i = j + 1;
  }
  return out;
}
