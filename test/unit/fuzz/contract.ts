/**
 * Shared by the fuzz regression tests: the saved reproducers and the fuzzer's contract — a
 * normal return or an InputError, never another exception — with the time it took.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../../src/core';

const dir = join(__dirname, '../../fixtures/fuzz-crashes');

/** the saved reproducer test/fixtures/fuzz-crashes/<hash>.txt */
export const input = (hash: string): string => readFileSync(join(dir, `${hash}.txt`), 'utf8');

/** run `fn`; an InputError is allowed, anything else fails; returns the result and the time */
export function contract<T>(fn: () => T): { value: T | null; ms: number } {
  const t0 = performance.now();
  try {
    const value = fn();
    return { value, ms: performance.now() - t0 };
  } catch (e) {
    if (e instanceof InputError) return { value: null, ms: performance.now() - t0 };
    throw e;
  }
}

/**
 * The growing-input check as a unit test: best-of-3 time of `run(make(n))` and of
 * `run(make(2n))`, and their ratio. Linear work gives about 2, quadratic about 4; absolute times
 * are never compared (a busy machine slows both sizes alike).
 */
export function doublingRatio<T>(make: (n: number) => T, run: (input: T) => unknown, n: number): number {
  const best = (input: T): number => {
    run(input); // warm
    let b = Infinity;
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      run(input);
      b = Math.min(b, performance.now() - t0);
    }
    return b;
  };
  const small = best(make(n));
  const big = best(make(2 * n));
  return big / Math.max(small, 0.5);
}
