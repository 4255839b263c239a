/**
 * Regression (npm run fuzz, header reader, case long-body(50000)+repeat-line): a macro body
 * `31 << 0 + 2 << 0 + 74 << 0 + …` of 50,000 terms (and 14 sizes naming it) took ~30 s, because each `<<` widened an
 * unbounded BigInt and every later operation copied it (quadratic). Values wider than 128 bits
 * are now a limit diagnostic.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHeaders } from '../../../src/core';

const input = readFileSync(join(__dirname, '../../fixtures/fuzz-crashes/a94cb3667167b85a.txt'), 'utf8');

describe('header evaluator: values stay below 128 bits', () => {
  it('50,000 chained shifts end in a limit diagnostic, fast', () => {
    const l = parseHeaders([{ path: 'fuzz/config.h', text: input }], { arch: 'arm64' });
    expect(l.regions).toEqual([]);
    expect(l.warnings.join('\n')).toMatch(/LONG_VIRT_START: a value wider than 128 bits/);
  });

  it('64-bit layout arithmetic is untouched', () => {
    const l = parseHeaders(
      [
        {
          path: 'x.h',
          text: '#define A_VIRT_START (0xffffffffffffffff - (1 << 63) + 1 - (1 << 63))\n#define B_VIRT_START ((1 << 47) * 2 / 2)\n',
        },
      ],
      { arch: 'arm64' },
    );
    expect(l.regions.map((r) => [r.name, r.start])).toEqual([
      ['A', 0],
      ['B', 2 ** 47],
    ]);
  });
});
