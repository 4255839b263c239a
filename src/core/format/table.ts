/**
 * Plain-text tables with aligned columns, shared by the CLI and "copy as text" in the editor,
 * and Markdown tables for xen-devel replies.
 */
export type Align = 'left' | 'right';

export interface Column {
  title: string;
  align?: Align;
}

export function textTable(columns: Column[], rows: string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]): string =>
    cells
      .map((cell, i) => {
        const w = widths[i]!;
        return columns[i]!.align === 'right' ? cell.padStart(w) : cell.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  const lines = [fmt(columns.map((c) => c.title)), fmt(widths.map((w) => '-'.repeat(w)))];
  for (const r of rows) lines.push(fmt(columns.map((_, i) => r[i] ?? '')));
  return lines.join('\n');
}

/** Escape a cell for a Markdown table. */
export function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function markdownTable(columns: Column[], rows: string[][]): string {
  const head = `| ${columns.map((c) => mdCell(c.title)).join(' | ')} |`;
  const sep = `| ${columns.map((c) => (c.align === 'right' ? '---:' : '---')).join(' | ')} |`;
  const body = rows.map((r) => `| ${columns.map((_, i) => mdCell(r[i] ?? '')).join(' | ')} |`);
  return [head, sep, ...body].join('\n');
}

/** 0x08400008: Xen VAs padded to 8 digits for human columns */
export function va8(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

/** Wrap `text` to `width` columns, continuation lines indented by `indent` spaces. */
export function wrap(text: string, width = 80, indent = 0, firstIndent = indent): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = ' '.repeat(firstIndent);
  let empty = true;
  for (const w of words) {
    if (!empty && line.length + 1 + w.length > width) {
      lines.push(line);
      line = ' '.repeat(indent) + w;
    } else {
      line += (empty ? '' : ' ') + w;
    }
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}
