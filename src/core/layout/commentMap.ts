/**
 * The ASCII map in a Xen ARM header comment (reference doc §2, §11 "Comment maps"):
 *   `  32M - 128M   Frametable: …`            (exclusive end, unit sizes)
 *   `0x0000800000000000 - 0x000084ffffffffff (5TB, L0 slots [256..265])` (inclusive hex end)
 *   `  0  -   8M   <COMMON>`                    (a reference to another section, not a range)
 * Sections "Common ARM32 and ARM64 layout:", "ARM32 layout:", "ARM64 layout:" pick the arch.
 * Unit rows after a hex row that contains them are offsets from its start ("(Relative
 * offsets)", arm64 2023+), which is also right for 2013's slot 0 at 0.
 */
import type { Arch, CommentMapRow } from './types';
import type { CommentBlock } from './cpp';

const UNIT: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };
/**
 * `32M - 128M  text`, `0 - 8 MB  text`. The unit sits in an optional group so that no two `\s*`
 * are ever adjacent: `\s*([KMGT]?)B?\s*` backtracked quadratically on a long run of blanks.
 */
const UNIT_ROW = /^\s*(\d+(?:\.\d+)?)(?:\s*([KMGT])B?|\s*B)?\s*-\s*(\d+(?:\.\d+)?)(?:\s*([KMGT])B?|\s*B)?\s+(\S.*)$/;
const HEX_ROW = /^\s*(0x[0-9a-fA-F]+)\s*-\s*(0x[0-9a-fA-F]+)\s*(.*)$/;
const SECTION = /^\s*(common\b.*|arm32|arm64|aarch32|aarch64)\s+layout\s*:\s*$/i;

function stripStar(s: string): string {
  return s.replace(/^\s*\*(?!\/)/, '');
}

function sizeOf(num: string, unit: string): number | null {
  const v = Number(num) * UNIT[unit.toUpperCase()]!;
  return Number.isSafeInteger(v) ? v : null;
}

/** A real map has a few dozen rows; the cap keeps row-by-region matching cheap on hostile input. */
export const MAX_COMMENT_ROWS = 2000;

/** Rows for `arch` from every active comment of the given files, in file order. */
export function parseCommentMap(blocks: CommentBlock[], arch: Arch): CommentMapRow[] {
  const rows: CommentMapRow[] = [];
  for (const b of blocks) {
    if (rows.length >= MAX_COMMENT_ROWS) break;
    if (!b.active) continue;
    let section: 'common' | Arch = 'common';
    let container: CommentMapRow | null = null;
    let last: CommentMapRow | null = null;
    let lastKind: 'hex' | 'unit' | null = null;
    let blankSince = false;
    for (let k = 0; k < b.lines.length; k++) {
      const line = stripStar(b.lines[k]!);
      const no = b.line + k;
      const sec = SECTION.exec(line);
      if (sec) {
        const w = sec[1]!.toLowerCase();
        section = w.startsWith('common') ? 'common' : w.endsWith('64') ? 'arm64' : 'arm32';
        container = null;
        last = null;
        continue;
      }
      const mine = section === 'common' || section === arch;
      const hex = HEX_ROW.exec(line);
      const unit = hex ? null : UNIT_ROW.exec(line);
      if (hex) {
        const start = Number(BigInt(hex[1]!));
        const endRaw = Number(BigInt(hex[2]!));
        if (!Number.isSafeInteger(start) || !Number.isSafeInteger(endRaw)) continue;
        // an end ending in ...fff is the last byte [V] (e.g. 0x000084ffffffffff)
        const end = (endRaw + 1) % 4096 === 0 ? endRaw + 1 : endRaw;
        const row: CommentMapRow = { start, end, text: hex[3]!.trim(), line: no, kind: 'range', file: b.file };
        if (mine) rows.push(row);
        container = row;
        last = row;
        lastKind = 'hex';
        blankSince = false;
        continue;
      }
      if (unit) {
        const a = sizeOf(unit[1]!, unit[2] ?? '');
        const z = sizeOf(unit[3]!, unit[4] ?? '');
        if (a === null || z === null) continue;
        let base = 0;
        if (container && z <= container.end - container.start) {
          base = container.start;
          container.kind = 'container';
        }
        const text = unit[5]!.trim();
        const row: CommentMapRow = {
          start: base + a,
          end: base + z,
          text,
          line: no,
          kind: /^<[^>]+>$/.test(text) ? 'reference' : 'range',
          file: b.file,
        };
        if (mine) rows.push(row);
        last = row;
        lastKind = 'unit';
        blankSince = false;
        continue;
      }
      const t = line.trim();
      if (t === '' || t === '/') {
        blankSince = true;
        continue;
      }
      if (!last) continue;
      // continuation text: the next lines of a row; a hex row's description may follow a blank
      const bare = last.text.replace(/^\([^)]*\)\s*/, '');
      if (!blankSince || (lastKind === 'hex' && bare === '')) {
        last.text = last.text ? `${last.text} ${t}` : t;
        blankSince = false;
      }
    }
  }
  return rows.slice(0, MAX_COMMENT_ROWS);
}
