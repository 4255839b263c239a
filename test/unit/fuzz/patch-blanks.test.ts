/**
 * Regression tests for the crashes `npm run fuzz` found (issue 8 "Fuzzed readers"). Each input
 * is the saved reproducer in test/fixtures/fuzz-crashes/<hash>.txt; the contract is the
 * fuzzer's: a normal return or an InputError, never another exception, and no time blow-up.
 */
import { describe, expect, it } from 'vitest';
import { readPatch } from '../../../src/core';
import { contract, input } from './contract';

describe('patch reader: long blank runs stay linear', () => {
  it('100,000 blank lines after the diff: the Signed-off-by scan is not quadratic', () => {
    const { value } = contract(() => readPatch(input('6f530f00ab979de8'), 'blank.diff'));
    expect(value!.files.length).toBeGreaterThan(0);
    expect(value!.author).toBeNull();
    expect(readPatch('--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n\n\n  Signed-off-by: A B <a@b>  \n', 'p').author).toBe(
      'A B <a@b>',
    );
  });

  it('a diffstat-like line with a long blank run is not quadratic', () => {
    const { value } = contract(() => readPatch(input('a18fb427c896527c'), 'stat.diff'));
    expect(value!.diffstat).toBeNull();
    expect(
      readPatch(' xen/a.h | 3 ++-   \n--- a/xen/a.h\n+++ b/xen/a.h\n@@ -1 +1 @@\n-a\n+b\n', 'p').diffstat!.files,
    ).toEqual([{ path: 'xen/a.h', changed: 3, line: 1 }]);
  });

  it('a 200,000-blank preamble line is not quadratic (Subject/From/Date scan)', () => {
    const { value } = contract(() => readPatch(input('b4d1c3c657bc0a07'), 'pre.diff'));
    expect(value!.subject).toBeNull();
    expect(readPatch(' * Subject: [xen-devel] x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n', 'p').subject).toBe('x');
  });
});
