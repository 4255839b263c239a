/**
 * Layout and lint output shared by the CLI and the extension: JSON with lower-case `0x` hex
 * strings for addresses and sizes, integers for line numbers; text tables for 80 columns.
 */
import { hex, humanSize } from '../numbers';
import { textTable } from '../format/table';
import type { LintFinding } from './lint';
import type { CommentMapRow, Layout, Region } from './types';

export interface RegionJson {
  name: string;
  start: string;
  end: string;
  size: string;
  startMacro: string | null;
  endMacro: string | null;
  endForm: Region['endForm'];
  line: number | null;
  file: string | null;
  description: string;
  /** the build config the region depends on (`CONFIG_LIVEPATCH`), null when unconditional */
  condition: string | null;
}

export interface LayoutJson {
  arch: Layout['arch'];
  source: string;
  regions: RegionJson[];
  commentMap: Array<{
    start: string;
    end: string;
    text: string;
    line: number | null;
    kind: NonNullable<CommentMapRow['kind']>;
  }>;
  warnings: string[];
}

export function regionJson(r: Region): RegionJson {
  return {
    name: r.name,
    start: hex(r.start),
    end: hex(r.end),
    size: hex(Math.max(0, r.size)),
    startMacro: r.startMacro,
    endMacro: r.endMacro,
    endForm: r.endForm,
    line: r.line,
    file: r.file,
    description: r.description,
    condition: r.condition ?? null,
  };
}

export function layoutJson(l: Layout): LayoutJson {
  return {
    arch: l.arch,
    source: l.source,
    regions: l.regions.map(regionJson),
    commentMap: l.commentMap.map((c) => ({
      start: hex(c.start),
      end: hex(c.end),
      text: c.text,
      line: c.line,
      kind: c.kind ?? 'range',
    })),
    warnings: [...l.warnings],
  };
}

export function lintJson(findings: LintFinding[]): { findings: LintFinding[] } {
  return {
    findings: findings.map((f) => ({ id: f.id, severity: f.severity, file: f.file, line: f.line, message: f.message })),
  };
}

/** `end` column: exclusive end; the form says how the header wrote it. */
/** A Xen VA of the layout's arch, padded so it reads as a column: 0x08000000 (arm32), 0x0a0000200000 (arm64). */
export function layoutVa(arch: Layout['arch'], va: number): string {
  return hex(va, arch === 'arm32' ? 8 : 12);
}

export function layoutText(l: Layout): string {
  const w = l.arch === 'arm32' ? 8 : 12; // the width of layoutVa's hex
  // a conditional region (LIVEPATCH_VMAP under CONFIG_LIVEPATCH) is starred, with a note below
  const rows = l.regions.map((r) => [
    r.condition ? `${r.name}*` : r.name,
    layoutVa(l.arch, r.start),
    layoutVa(l.arch, r.end),
    r.size > 0 ? humanSize(r.size) : hex(r.size),
    r.endForm,
    r.line === null ? '' : String(r.line),
  ]);
  const parts = [
    `${l.arch} layout from ${l.source}`,
    textTable(
      [
        { title: 'region' },
        { title: 'start' },
        { title: 'end (excl.)' },
        { title: 'size', align: 'right' },
        { title: 'end form' },
        { title: 'line', align: 'right' },
      ],
      rows,
    ),
  ];
  const conds = [...new Set(l.regions.filter((r) => r.condition).map((r) => r.condition!))];
  if (conds.length) parts.push(`* only when ${conds.join(', ')} is configured (assumed on to read the region)`);
  if (l.commentMap.length) {
    parts.push('', 'comment map:');
    for (const c of l.commentMap)
      parts.push(
        `  ${layoutVa(l.arch, c.start).padEnd(w + 3)} ${layoutVa(l.arch, c.end).padEnd(w + 3)} ${c.kind && c.kind !== 'range' ? `[${c.kind}] ` : ''}${c.text}`.slice(
          0,
          100,
        ),
      );
  }
  if (l.warnings.length) {
    parts.push('', 'warnings:');
    for (const w of l.warnings) parts.push(`  ${w}`);
  }
  return parts.join('\n');
}

export function findingsText(
  findings: Array<{ id: string; severity: string; file: string | null; line?: number | null; message: string }>,
): string {
  if (findings.length === 0) return 'no findings';
  return findings
    .map(
      (f) =>
        `${f.severity.padEnd(7)} ${f.id}  ${f.file ?? ''}${f.line !== null && f.line !== undefined ? `:${f.line}` : ''}\n        ${f.message}`,
    )
    .join('\n');
}
