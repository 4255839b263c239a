/**
 * Pure text builders for the editor: hover Markdown, "copy as Markdown" (a table fit for a
 * xen-devel reply), the config.h-style comment map and CodeLens titles. Every string that may
 * come from a file (region names, descriptions, the hovered text) is escaped.
 */
import {
  hex,
  humanSize,
  layoutVa,
  markdownTable,
  va8,
  type Arch,
  type Layout,
  type Region,
  type ResolveReport,
  type VaReport,
} from '../core/index';
import { CMD } from './ids';

/** Escape Markdown (and HTML) specials in text from a file. */
export function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`);
}

/** A command: link with JSON args (only our ids; isTrusted.enabledCommands enforces it). */
export function commandLink(title: string, command: string, args: unknown[]): string {
  return `[${escapeMd(title)}](command:${command}?${encodeURIComponent(JSON.stringify(args))} "${title.replace(/"/g, "'")}")`;
}

export interface HoverInput {
  /** the text under the mouse, from the file */
  text: string;
  value: number;
  guest: { name: string; ramBase: number; ramSize: number };
  gpa: ResolveReport | null;
  va: VaReport | null;
}

export function hoverMarkdown(h: HoverInput): string {
  const lines: string[] = [];
  const { guest } = h;
  if (h.gpa) {
    const r = h.gpa;
    const inRam = h.value >= guest.ramBase && h.value < guest.ramBase + guest.ramSize;
    lines.push(
      `**Xen Memory · \`${escapeMd(h.text).replace(/`/g, '')}\` as a GPA** · gfn ${r.gfn} · ${inRam ? `in ${guest.name} RAM` : `outside ${guest.name} RAM`} (${hex(guest.ramBase)} + ${humanSize(guest.ramSize)})`,
    );
    lines.push('');
    const p = r.p2mIndex;
    const rows = [
      [
        'VLPT PTE',
        `\`${va8(parseInt(r.vlptVa, 16))}\` · xen_second slot ${r.xenSecondSlot ?? '—'} · ${escapeMd(r.region ?? 'no region')}`,
      ],
      [
        'p2m indices',
        `L1 ${p.first} (root page ${p.firstPage} entry ${p.firstEntry}) · L2 ${p.second} · L3 ${p.third}`,
      ],
      [
        'descriptor',
        r.descriptor.valid
          ? `\`${r.descriptor.raw}\` page → mfn ${r.descriptor.mfn}${r.descriptor.type ? ` · ${r.descriptor.type}` : ''} · PA ${r.descriptor.pa}`
          : `\`${r.descriptor.raw}\` not mapped (leaf level ${r.descriptor.level})`,
      ],
      ['VLPT load', r.fault ? `faults: level ${r.fault.level} ${r.fault.kind}` : `reads \`${r.vlptEntry}\``],
      ['vs p2m_lookup', `${r.agrees ? '✓' : '✗'} ${escapeMd(r.verdict)}`],
    ];
    lines.push('| | |', '|---|---|', ...rows.map(([a, b]) => `| ${a} | ${b!.replace(/\|/g, '\\|')} |`));
  }
  if (h.va) {
    const v = h.va;
    lines.push('');
    const where = v.region ? `${escapeMd(v.region)} (${v.regionRange?.start}–${v.regionRange?.end})` : 'no region';
    lines.push(
      `**As a Xen VA** \`${va8(h.value)}\`: ${where}${v.xenSecondSlot !== null ? ` · xen_second slot ${v.xenSecondSlot}` : ''}${v.dommapSlot !== null ? ` · xen_dommap slot ${v.dommapSlot}` : ''}`,
    );
    lines.push('');
    lines.push(escapeMd(v.meaning));
  }
  lines.push('');
  const links: string[] = [];
  if (h.gpa) {
    links.push(commandLink('Reveal in VLPT tree', CMD.reveal, [{ gpa: hex(h.value) }]));
    links.push(commandLink('Copy as Markdown', CMD.copyResolution, [{ gpa: hex(h.value) }]));
  }
  if (h.va && h.va.xenSecondSlot !== null)
    links.push(commandLink(`Reveal slot ${h.va.xenSecondSlot}`, CMD.reveal, [{ slot: h.va.xenSecondSlot }]));
  links.push(commandLink('Show map', CMD.showMap, []));
  lines.push(links.join(' · '));
  return lines.join('\n');
}

/** A resolution as Markdown for a xen-devel reply. */
export function resolutionMarkdown(r: ResolveReport, guestLine: string): string {
  const head = markdownTable(
    [{ title: 'what' }, { title: 'value' }],
    [
      ['GPA', `${r.gpa} (gfn ${r.gfn})`],
      ['guest', guestLine],
      [
        'VLPT PTE VA',
        `${va8(parseInt(r.vlptVa, 16))} (xen_second slot ${r.xenSecondSlot ?? '—'}, ${r.region ?? 'no region'})`,
      ],
      ['p2m indices', `L1 ${r.p2mIndex.first}, L2 ${r.p2mIndex.second}, L3 ${r.p2mIndex.third}`],
      [
        'p2m leaf',
        r.descriptor.valid
          ? `${r.descriptor.raw} → mfn ${r.descriptor.mfn}${r.descriptor.type ? `, ${r.descriptor.type}` : ''}`
          : `${r.descriptor.raw} (not mapped)`,
      ],
      [
        'VLPT load',
        r.fault ? `fault: level ${r.fault.level} ${r.fault.kind}` : `${r.vlptEntry} at PA ${r.vlptEntryPa}`,
      ],
      ['p2m_lookup', r.p2mLookup.pa ?? 'INVALID_PADDR'],
      ['verdict', `${r.agrees ? 'agree' : 'DISAGREE'}: ${r.verdict}`],
    ],
  );
  const steps = markdownTable(
    [
      { title: 'lvl', align: 'right' },
      { title: 'table' },
      { title: 'idx', align: 'right' },
      { title: 'entry' },
      { title: 'meaning' },
    ],
    r.steps.map((s) => [String(s.level), s.tableName, String(s.index), s.raw, s.meaning]),
  );
  return `${head}\n\nVLPT walk on pCPU${r.cpu}:\n\n${steps}\n`;
}

/**
 * Where a region sits in Xen's page tables. arm32: its 2 MiB entries of `xen_second` (below 2 GiB;
 * above is the per-pCPU `xen_dommap`). arm64: its 512 GiB root (L0) slots, as Xen's own layout comment
 * counts them ("L0 slot [20]").
 */
function slotsOf(reg: Region, arch: Arch): string {
  if (arch === 'arm64') {
    const L0 = 2 ** 39;
    const a = Math.floor(reg.start / L0);
    const b = Math.floor((Math.max(reg.end, reg.start + 1) - 1) / L0);
    return a === b ? `L0 slot ${a}` : `L0 slots ${a}–${b}`;
  }
  if (reg.start >= 0x80000000) return 'xen_dommap (per pCPU)';
  const a = Math.floor(reg.start / 0x200000);
  const b = Math.ceil(Math.min(reg.end, 0x80000000) / 0x200000) - 1;
  return a === b ? `slot ${a}` : `slots ${a}–${b}`;
}

export function layoutMarkdown(layout: Layout): string {
  return `Layout: ${layout.source}\n\n${markdownTable(
    [
      { title: 'region' },
      { title: 'start' },
      { title: 'end (excl.)' },
      { title: 'size', align: 'right' },
      { title: layout.arch === 'arm32' ? 'xen_second' : 'root (L0)' },
      { title: 'description' },
    ],
    layout.regions.map((r) => [
      r.name,
      layoutVa(layout.arch, r.start),
      layoutVa(layout.arch, r.end),
      humanSize(r.size),
      slotsOf(r, layout.arch),
      r.description,
    ]),
  )}\n`;
}

/** 128M, 2G, 4K: the unit Xen's config.h comment map uses */
export function shortSize(n: number): string {
  if (n === 0) return '0';
  for (const [u, s] of [
    [0x40000000, 'G'],
    [0x100000, 'M'],
    [0x400, 'K'],
  ] as const)
    if (n % u === 0) return `${n / u}${s}`;
  return hex(n);
}

/** The layout as the comment block at the top of Xen's arm32 config.h. */
export function layoutCommentMap(layout: Layout): string {
  const rows = layout.regions.map((r) => [
    `${shortSize(r.start)} - ${shortSize(r.end)}`,
    r.description.replace(/\s*\([^)]*\)\s*$/, ''),
  ]);
  const w = Math.max(...rows.map((r) => r[0]!.length));
  const body = rows.map(([a, b]) => ` * ${a!.padStart(w)}   ${b!.replace(/\*\//g, '* /')}`);
  return ['/*', ` * Xen virtual memory map (${layout.source.replace(/\*\//g, '* /')})`, ' *', ...body, ' */', ''].join(
    '\n',
  );
}

/** "VIRT_LIN_P2M · 128 MiB · slots 64–127 · PTEs for GPA 0–64 GiB" */
export function codeLensTitle(reg: Region, vlptRegion: string | null, arch: Arch = 'arm32'): string {
  const parts = [reg.name, humanSize(reg.size), slotsOf(reg, arch)];
  if (reg.name === vlptRegion) parts.push(`PTEs for GPA 0–${humanSize((reg.size / 8) * 4096)}`);
  return parts.join(' · ');
}
