/**
 * Regression tests for the crashes `npm run fuzz` found (issue 8 "Fuzzed readers"). Each input
 * is the saved reproducer in test/fixtures/fuzz-crashes/<hash>.txt; the contract is the
 * fuzzer's: a normal return or an InputError, never another exception, and no time blow-up.
 */
import { describe, expect, it } from 'vitest';
import { parseHeaders } from '../../../src/core';
import { contract, input } from './contract';

const header = (text: string) => parseHeaders([{ path: 'fuzz/config.h', text }], { arch: 'arm32' });

describe('header parser: deep nesting is a limit diagnostic, not a stack overflow', () => {
  it('macro calls nested 2,000 deep in arguments: F(F(F(…1…)))', () => {
    const { value } = contract(() => header(input('a49de64ce2bff804')));
    expect(value!.regions).toEqual([]);
    expect(value!.warnings.join('\n')).toMatch(/CALL_VIRT_START: macro calls nested in arguments deeper than 32/);
  });

  it('5,000 nested parentheses', () => {
    const { value } = contract(() => header(input('05cb4662973728c4')));
    expect(value!.warnings.join('\n')).toMatch(/PAREN_VIRT_START: expression nested deeper than 256/);
  });

  it('3,000 nested ?: in an #if', () => {
    const { value } = contract(() => header(input('fae6358295961778')));
    expect(value!.warnings.join('\n')).toMatch(/#if .*expression nested deeper than 256; taken as false/);
    expect(value!.regions).toEqual([]);
  });

  it('a macro body of 300,000 tokens (was a spread-argument RangeError)', () => {
    const { value } = contract(() => header(input('970bf27cd45e1054')));
    expect(value!.warnings.join('\n')).toMatch(/LONG_VIRT_START: expansion longer than 200000 tokens/);
  });

  it('nesting limits leave real headers alone', () => {
    const l = header(
      '#define F(x) (x)\n#define A_VIRT_START F(F(F((((0x1000))))))\n#define A_VIRT_SIZE (1 ? (2 ? 0x2000 : 1) : 0)\n',
    );
    expect(l.regions.map((r) => [r.name, r.start, r.end])).toEqual([['A', 0x1000, 0x3000]]);
  });
});
