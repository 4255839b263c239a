/**
 * Regression tests for the crashes `npm run fuzz` found (issue 8 "Fuzzed readers"). Each input
 * is the saved reproducer in test/fixtures/fuzz-crashes/<hash>.txt; the contract is the
 * fuzzer's: a normal return or an InputError, never another exception, and no time blow-up.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, parseHeaders, lintLayout } from '../../../src/core';

const dir = join(__dirname, '../../fixtures/fuzz-crashes');
const input = (hash: string): string => readFileSync(join(dir, `${hash}.txt`), 'utf8');

/** run `fn`; an InputError is allowed, anything else fails; returns the result and the time */
function contract<T>(fn: () => T): { value: T | null; ms: number } {
  const t0 = performance.now();
  try {
    const value = fn();
    return { value, ms: performance.now() - t0 };
  } catch (e) {
    if (e instanceof InputError) return { value: null, ms: performance.now() - t0 };
    throw e;
  }
}

const header = (text: string) => parseHeaders([{ path: 'fuzz/config.h', text }], { arch: 'arm32' });

describe('lints: a header of 25,000 disjoint regions lints in linear time', () => {
  it('lintLayout stops comparing once regions no longer touch', () => {
    const layout = header(input('9be233e916ce3181'));
    expect(layout.regions.length).toBe(25000);
    const { value, ms } = contract(() => lintLayout(layout));
    // the quadratic pair loop took > 1 s here; the broken-off loop takes a few ms
    expect(ms).toBeLessThan(400);
    expect(value!.filter((f) => f.id === 'overlap' || f.id === 'off-by-one')).toEqual([]);
  });
});
