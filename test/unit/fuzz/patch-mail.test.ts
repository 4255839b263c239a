/**
 * Regression tests for the crashes `npm run fuzz` found (issue 8 "Fuzzed readers"). Each input
 * is the saved reproducer in test/fixtures/fuzz-crashes/<hash>.txt; the contract is the
 * fuzzer's: a normal return or an InputError, never another exception, and no time blow-up.
 */
import { describe, expect, it } from 'vitest';
import { readPatch } from '../../../src/core';
import { contract, input } from './contract';

describe('patch reader: hostile mail containers', () => {
  it('quoted-printable bytes F4 90 80 80 (past U+10FFFF) decode to U+FFFD instead of throwing', () => {
    const { value } = contract(() => readPatch(input('1a2630d40355e053'), 'qp.mbox'));
    // the minimized input has no diff left: a reported InputError is the right answer
    expect(value).toBeNull();
    const p = readPatch(
      'From x@y Mon Sep 17 00:00:00 2001\nFrom: =?UTF-8?Q?=F4=90=80=80?= <a@b>\nSubject: s\nContent-Transfer-Encoding: quoted-printable\n\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a=F4=90=80=80\n+b\n',
      'qp.mbox',
    );
    expect(p.author).toBe('\ufffd\ufffd\ufffd\ufffd <a@b>');
    expect(p.files[0]!.hunks[0]!.lines[0]).toBe('-a\ufffd\ufffd\ufffd\ufffd');
  });

  it('5,000 nested multiparts read in linear time (depth capped at 8)', () => {
    const { value } = contract(() => readPatch(input('5484feaa3d9e3381'), 'nested.mbox'));
    expect(value === null || value.format === 'mbox').toBe(true);
  });
});
