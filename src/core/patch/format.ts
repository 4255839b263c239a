/** `xenlens patch` output shared by the CLI and the extension (issue 4 CLI contract). */
import { hex, humanSize } from '../numbers';
import { textTable } from '../format/table';
import { findingsText, layoutJson, type LayoutJson } from '../layout/format';
import type { Region } from '../layout/types';
import type { SeriesInfo } from './series';
import type { EndInfo, LayoutDiff, PatchInfo } from './types';

type Bounds = { start: string; end: string; size: string } | null;
/** an end macro as written: `{macro: "VMAP_VIRT_END", form: "inclusive", value: "0x7fffffff"}` */
type EndJson = { macro: string | null; form: string; value: string | null };

export interface PatchJson {
  subject: string | null;
  author: string | null;
  date: string | null;
  format: PatchInfo['format'];
  files: Array<{ path: string; oldPath: string | null; status: string; added: number; removed: number }>;
  findings: Array<{ id: string; severity: string; file: string; line: number | null; message: string }>;
  layout: {
    base: string;
    applied: string[];
    targets: PatchInfo['layout']['targets'];
    ignored: PatchInfo['layout']['ignored'];
    before: LayoutJson;
    after: LayoutJson;
    changes: Array<{
      name: string;
      change: string;
      before: Bounds;
      after: Bounds;
      end?: { before: EndJson; after: EndJson };
    }>;
  };
}

const bounds = (r: Region | null): Bounds => (r ? { start: hex(r.start), end: hex(r.end), size: hex(r.size) } : null);
const endJson = (e: EndInfo): EndJson => ({
  macro: e.macro,
  form: e.form,
  value: e.value === null ? null : hex(e.value),
});

export function layoutDiffJson(l: LayoutDiff): PatchJson['layout'] {
  return {
    base: l.base,
    applied: l.applied,
    targets: l.targets,
    ignored: l.ignored,
    before: layoutJson(l.before),
    after: layoutJson(l.after),
    changes: l.changes.map((c) => ({
      name: c.name,
      change: c.change,
      before: bounds(c.before),
      after: bounds(c.after),
      ...(c.end ? { end: { before: endJson(c.end.before), after: endJson(c.end.after) } } : {}),
    })),
  };
}

/** `{cover, patches, cumulative}`: each patch as `patchJson`, the cumulative layout as its `layout` */
export function seriesJson(s: SeriesInfo): {
  cover: SeriesInfo['cover'];
  patches: PatchJson[];
  cumulative: PatchJson['layout'];
} {
  return { cover: s.cover, patches: s.patches.map(patchJson), cumulative: layoutDiffJson(s.cumulative) };
}

export function seriesText(s: SeriesInfo): string {
  const out: string[] = [];
  if (s.cover) out.push(`series: ${s.cover.subject ?? '(no subject)'} (${s.patches.length} patches)`, '');
  s.patches.forEach((p, k) => out.push(`=== patch ${k + 1}/${s.patches.length}`, patchText(p), ''));
  out.push('=== cumulative', ...layoutLines(s.cumulative, s.cumulative.after.arch === 'arm32' ? 8 : 12));
  return out.join('\n');
}

export function patchJson(p: PatchInfo): PatchJson {
  return {
    subject: p.subject,
    author: p.author,
    date: p.date,
    format: p.format,
    files: p.files.map((f) => ({
      path: f.path,
      oldPath: f.oldPath,
      status: f.status,
      added: f.added,
      removed: f.removed,
    })),
    findings: p.findings.map((f) => ({
      id: f.id,
      severity: f.severity,
      file: f.file,
      line: f.line,
      message: f.message,
    })),
    layout: layoutDiffJson(p.layout),
  };
}

const span = (r: Region | null, w: number): string =>
  r ? `${hex(r.start, w)}–${hex(r.end, w)} (${humanSize(r.size)})` : '—';
/** `VMAP_VIRT_END 0x7fffffff (inclusive)` */
const endText = (e: EndInfo, w: number): string =>
  `${e.macro ?? '(no end macro)'}${e.value === null ? '' : ` ${hex(e.value, w)}`} (${e.form})`;

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
  ];
  out.push(...layoutLines(p.layout, w));
  out.push('', 'findings:', findingsText(p.findings));
  return out.join('\n');
}

function layoutLines(l: LayoutDiff, w: number): string[] {
  const out = [
    `layout (${l.base}${l.applied.length ? ` + hunks of ${l.applied.join(', ')}` : '; the patch touches no layout header'}):`,
  ];
  for (const t of l.targets)
    if (t.how !== 'path' && t.how !== null)
      out.push(`  ${t.path} → ${t.how === 'new-file' ? 'new file' : `${t.base} (by ${t.how})`}`);
  if (l.ignored.length) out.push(`  ignored: not a layout header: ${l.ignored.map((x) => x.path).join(', ')}`);
  if (l.changes.length === 0) out.push('  no region changes');
  else
    out.push(
      textTable(
        [{ title: 'region' }, { title: 'change' }, { title: 'before' }, { title: 'after' }],
        l.changes.map((c) =>
          c.end
            ? [c.name, c.change, endText(c.end.before, w), endText(c.end.after, w)]
            : [c.name, c.change, span(c.before, w), span(c.after, w)],
        ),
      ),
    );
  return out;
}
