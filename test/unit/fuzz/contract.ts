/**
 * Shared by the fuzz regression tests: the saved reproducers and the fuzzer's contract — a
 * normal return or an InputError, never another exception — with the time it took.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../../src/core';
import type { Hunk } from '../../../src/core/patch/diff';

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

/** A parsed hunk of `lines` (' ', '-', '+' prefixed) at old line `oldStart`, counts derived from the lines. */
export const hunk = (oldStart: number, lines: string[], complete = true): Hunk => ({
  oldStart,
  oldCount: lines.filter((l) => l[0] !== '+').length,
  newStart: oldStart,
  newCount: lines.filter((l) => l[0] !== '-').length,
  header: '',
  lines,
  added: lines.filter((l) => l[0] === '+').length,
  removed: lines.filter((l) => l[0] === '-').length,
  complete,
  restored: 0,
  repaired: 0,
  at: 1,
});
