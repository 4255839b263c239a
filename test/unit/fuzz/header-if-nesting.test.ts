/**
 * Regression (npm run fuzz, header reader): 50,000 nested `#if` lines took 11 s because every
 * line asked whether all enclosing conditions were true (O(depth) per line).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHeaders } from '../../../src/core';

const input = readFileSync(join(__dirname, '../../fixtures/fuzz-crashes/9b25c045c35deb76.txt'), 'utf8');

describe('preprocessor: nested #if stays linear', () => {
  it('50,000 nested #if (fuzz case nested-if(50000)+huge-number+delete)', () => {
    const l = parseHeaders([{ path: 'fuzz/config.h', text: input }], { arch: 'arm64' });
    // the outermost #if is a huge literal (true); the mangled last #endif leaves one #if open
    expect(l.regions.map((r) => [r.name, r.start])).toEqual([['IF', 0x1000]]);
    expect(l.warnings.some((w) => /unterminated #if/.test(w))).toBe(true);
  });

  it('#elif/#else still track the enclosing branches', () => {
    const text = [
      '#if 0',
      '#if 1',
      '#define A_VIRT_START 0x1000',
      '#else',
      '#define A_VIRT_START 0x2000',
      '#endif',
      '#elif 1',
      '#if 0',
      '#define B_VIRT_START 0x3000',
      '#elif 1',
      '#define B_VIRT_START 0x4000',
      '#endif',
      '#else',
      '#define C_VIRT_START 0x5000',
      '#endif',
      '#define D_VIRT_START 0x6000',
    ].join('\n');
    const l = parseHeaders([{ path: 'x.h', text }], { arch: 'arm32' });
    expect(l.regions.map((r) => [r.name, r.start])).toEqual([
      ['B', 0x4000],
      ['D', 0x6000],
    ]);
  });
});
