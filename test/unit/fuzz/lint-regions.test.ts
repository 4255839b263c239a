/**
 * Regression tests for the crashes `npm run fuzz` found (issue 8 "Fuzzed readers"). Each input
 * is the saved reproducer in test/fixtures/fuzz-crashes/<hash>.txt; the contract is the
 * fuzzer's: a normal return or an InputError, never another exception, and no time blow-up.
 */
import { describe, expect, it } from 'vitest';
import { parseHeaders, lintLayout } from '../../../src/core';
import { contract, input } from './contract';

const header = (text: string) => parseHeaders([{ path: 'fuzz/config.h', text }], { arch: 'arm32' });

describe('lints: a header of 25,000 disjoint regions lints in linear time', () => {
  it('lintLayout stops comparing once regions no longer touch', () => {
    const layout = header(input('9be233e916ce3181'));
    expect(layout.regions.length).toBe(25000);
    const { value } = contract(() => lintLayout(layout));
    // the quadratic pair loop took > 1 s here; the broken-off loop takes a few ms
    expect(value!.filter((f) => f.id === 'overlap' || f.id === 'off-by-one')).toEqual([]);
  });
});
