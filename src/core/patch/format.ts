/** `xenlens patch` output shared by the CLI and the extension (issue 4 CLI contract). */
import { hex, humanSize } from '../numbers';
import { textTable } from '../format/table';
import { findingsText, layoutJson, type LayoutJson } from '../layout/format';
import type { Region } from '../layout/types';
import type { PatchInfo } from './types';

type Bounds = { start: string; end: string; size: string } | null;

export interface PatchJson {
  subject: string | null;
  author: string | null;
  date: string | null;
  format: PatchInfo['format'];
  files: Array<{ path: string; added: number; removed: number }>;
  findings: Array<{ id: string; severity: string; file: string; line: number | null; message: string }>;
  layout: {
    base: string;
    applied: string[];
    before: LayoutJson;
    after: LayoutJson;
    changes: Array<{ name: string; change: string; before: Bounds; after: Bounds }>;
  };
}

const bounds = (r: Region | null): Bounds => (r ? { start: hex(r.start), end: hex(r.end), size: hex(r.size) } : null);

export function patchJson(p: PatchInfo): PatchJson {
  return {
    subject: p.subject,
    author: p.author,
    date: p.date,
    format: p.format,
    files: p.files.map((f) => ({ path: f.path, added: f.added, removed: f.removed })),
    findings: p.findings.map((f) => ({
      id: f.id,
      severity: f.severity,
      file: f.file,
      line: f.line,
      message: f.message,
    })),
    layout: {
      base: p.layout.base,
      applied: p.layout.applied,
      before: layoutJson(p.layout.before),
      after: layoutJson(p.layout.after),
      changes: p.layout.changes.map((c) => ({
        name: c.name,
        change: c.change,
        before: bounds(c.before),
        after: bounds(c.after),
      })),
    },
  };
}

const span = (r: Region | null, w: number): string =>
  r ? `${hex(r.start, w)}–${hex(r.end, w)} (${humanSize(r.size)})` : '—';

export function patchText(p: PatchInfo): string {
  const w = p.layout.after.arch === 'arm32' ? 8 : 12;
  const out = [
    `subject: ${p.subject ?? '(none)'}`,
    `author:  ${p.author ?? '(none)'}`,
    `date:    ${p.date ?? '(none)'}`,
    `format:  ${p.format}`,
    '',
    textTable(
      [{ title: 'file' }, { title: '+', align: 'right' }, { title: '-', align: 'right' }],
      [
        ...p.files.map((f) => [f.path, String(f.added), String(f.removed)]),
        ['total', String(p.files.reduce((a, f) => a + f.added, 0)), String(p.files.reduce((a, f) => a + f.removed, 0))],
      ],
    ),
    '',
    `layout (${p.layout.base}${p.layout.applied.length ? ` + hunks of ${p.layout.applied.join(', ')}` : '; the patch touches no layout header'}):`,
  ];
  if (p.layout.changes.length === 0) out.push('  no region changes');
  else
    out.push(
      textTable(
        [{ title: 'region' }, { title: 'change' }, { title: 'before' }, { title: 'after' }],
        p.layout.changes.map((c) => [c.name, c.change, span(c.before, w), span(c.after, w)]),
      ),
    );
  out.push('', 'findings:', findingsText(p.findings));
  return out.join('\n');
}
