/**
 * The "live" part of a GPA hover while a Xen is attached (issue 14): the GPA walked through the domain's real p2m
 * (each level's entry, the MFN, the machine address) and, on armhf, what the seed patch's VLPT would give for it
 * (`VIRT_LIN_P2M_START + (gpa >> 12) * 8`, the xen_second slot that needs, and whether the live xen_second has
 * that slot free). The reads go through the session's page cache; the Markdown is built by a pure function.
 */
import {
  hex,
  humanSize,
  region417,
  seedVlpt,
  tableEntry,
  translate,
  va8,
  type LiveEntry,
  type LiveWalk,
} from '../core/index';
import { escapeMd } from './markdown';
import type { LiveSession } from './liveSession';

export interface LiveVlpt {
  va: number;
  wrapped: boolean;
  slot: number;
  /** the live xen_second entry of that slot; null when the slot is not in xen_second (VA ≥ 1 GiB) or unreadable */
  entry: LiveEntry | null;
  /** why `entry` is null */
  note: string | null;
}

export interface LiveHoverInput {
  text: string;
  gpa: number;
  label: string;
  arch: string;
  vmid: number;
  ipaBits: number;
  walk: LiveWalk | null;
  /** why there is no walk (outside the IPA range, a read failed) */
  error: string | null;
  vlpt: LiveVlpt | null;
}

export function liveHoverMarkdown(h: LiveHoverInput): string {
  const lines: string[] = [];
  const what = escapeMd(h.text).replace(/`/g, '');
  lines.push(
    `**Xen Memory · live** \`${what}\` as a GPA of VMID ${h.vmid} (${escapeMd(h.label)}, ${escapeMd(h.arch)}, read from the running Xen)`,
  );
  if (h.walk) {
    lines.push('', '| level | table PA | index | entry | |', '|---|---|---|---|---|');
    for (const s of h.walk.steps) {
      const e = s.entry;
      const kind =
        e.state === 'invalidated'
          ? `invalidated ${e.shape}`
          : e.shape === 'block' || e.shape === 'page'
            ? `${e.shape} ${humanSize(e.size)}${e.p2mType ? `, ${e.p2mType}` : ''}`
            : e.state;
      lines.push(`| L${s.level} | ${hex(s.tablePa)} | ${s.index} | \`${e.raw}\` | ${escapeMd(kind)} |`);
    }
    lines.push('');
    if (h.walk.output !== null && h.walk.mfn !== null) {
      lines.push(`live: MFN **${hex(h.walk.mfn)}**, machine address **${hex(h.walk.output)}**`);
      if (h.walk.throughInvalidated)
        lines.push(
          '',
          'An entry on the way is invalidated (valid bit clear, descriptor intact): the MMU faults and Xen revalidates it on the next access.',
        );
    } else {
      lines.push(`live: not mapped — ${escapeMd(h.walk.stop ?? 'no leaf')}`);
    }
  } else {
    lines.push('', `live: ${escapeMd(h.error ?? 'no walk')}`);
  }
  if (h.vlpt) {
    const v = h.vlpt;
    const slotState = !v.entry
      ? escapeMd(v.note ?? 'xen_second not read')
      : v.entry.state === 'empty'
        ? `free in the live xen_second`
        : `**used** in the live xen_second: ${v.entry.state} \`${v.entry.raw}\`${region417(v.va) ? ` (Xen 4.17 ${escapeMd(region417(v.va)!)})` : ''}`;
    lines.push(
      '',
      `seed VLPT: PTE at Xen VA ${va8(v.va)}${v.wrapped ? ' (wrapped past 4 GiB)' : ''}, xen_second slot ${v.slot} — ${slotState}`,
    );
  }
  return lines.join('\n');
}

/** Walk `gpa` through the session's live p2m (and the seed VLPT's slot on armhf). */
export async function liveHover(live: LiveSession, text: string, gpa: number): Promise<string | null> {
  const s2 = live.stage2;
  const regs = live.regs;
  if (!s2 || !regs) return null;
  let walk: LiveWalk | null = null;
  let error: string | null = null;
  try {
    walk = await translate(live.read, 'p2m', s2, gpa, s2.ipaBits);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  let vlpt: LiveVlpt | null = null;
  if (live.arch === 'armhf') {
    const v = seedVlpt(gpa);
    let entry: LiveEntry | null = null;
    let note: string | null = null;
    if (v.slot >= 512) note = 'not in xen_second (VA ≥ 1 GiB)';
    else {
      try {
        entry = tableEntry((await live.xenSecond()).table, v.slot);
      } catch (err) {
        note = `xen_second unreadable: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    vlpt = { ...v, entry, note };
  }
  return liveHoverMarkdown({
    text,
    gpa,
    label: live.info.label,
    arch: live.arch,
    vmid: s2.vmid,
    ipaBits: s2.ipaBits,
    walk,
    error,
    vlpt,
  });
}
