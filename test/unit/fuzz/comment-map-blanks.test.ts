/**
 * Regression (npm run fuzz, growing-input check of the header reader): a comment line
 * ` * 1<200,000 blanks>x` took minutes, because the comment-map row pattern had two `\s*` side
 * by side around an optional unit and backtracked quadratically.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHeaders } from '../../../src/core';

const input = readFileSync(join(__dirname, '../../fixtures/fuzz-crashes/23d71b306a16746f.txt'), 'utf8');

describe('comment map: long blank runs stay linear', () => {
  it('a comment line of 200,000 blanks', () => {
    const l = parseHeaders([{ path: 'fuzz/config.h', text: input }], { arch: 'arm32' });
    expect(l.commentMap).toEqual([]);
    expect(l.regions.map((r) => r.name)).toEqual(['X']);
  });

  it('rows with and without units, spaced units and a B suffix still read', () => {
    const text = [
      '/*',
      ' *  32M - 128M   Frametable',
      ' *  0  -   8M   <COMMON>',
      ' * 1 MB - 2 MB spaced',
      ' * 5 - 6   bytes',
      ' */',
      '#define X_VIRT_START 0',
    ].join('\n');
    const rows = parseHeaders([{ path: 'x.h', text }], { arch: 'arm32' }).commentMap.map((r) => [
      r.start,
      r.end,
      r.text,
    ]);
    expect(rows).toEqual([
      [32 * 2 ** 20, 128 * 2 ** 20, 'Frametable'],
      [0, 8 * 2 ** 20, '<COMMON>'],
      [2 ** 20, 2 * 2 ** 20, 'spaced'],
      [5, 6, 'bytes'],
    ]);
  });
});
