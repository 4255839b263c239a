import { describe, expect, it } from 'vitest';
import { parseGuestRam, parseQuery, parseTarget, validateQuery } from '../../../src/extension/args';
import { InputError } from '../../../src/core/index';

describe('command arguments are validated', () => {
  it('accepts the shapes hover links and trees send', () => {
    expect(parseTarget(undefined)).toBeUndefined();
    expect(parseTarget({ gpa: '0x80001000' })).toEqual({ kind: 'gpa', value: 0x80001000 });
    expect(parseTarget({ gpa: 0x80001000 })).toEqual({ kind: 'gpa', value: 0x80001000 });
    expect(parseTarget({ va: '0x08400008' })).toEqual({ kind: 'va', value: 0x08400008 });
    expect(parseTarget({ kind: 'slot', slot: 66 })).toEqual({ kind: 'slot', value: 66 });
  });
  it('rejects anything else with an InputError', () => {
    for (const bad of [
      '0x1',
      42,
      [],
      { gpa: -1 },
      { gpa: 2 ** 40 },
      { va: 0x1_0000_0000 },
      { slot: 1024 },
      { gpa: { toString: 1 } },
      { other: 1 },
      { gpa: '0x1; rm -rf' },
    ])
      expect(() => parseTarget(bad), JSON.stringify(bad)).toThrow(InputError);
  });
  it('the input box: GPA by default, va/slot prefixes, messages as you type', () => {
    expect(parseQuery(' 0x80001000 ')).toEqual({ kind: 'gpa', value: 0x80001000 });
    expect(parseQuery('va 0x08400008')).toEqual({ kind: 'va', value: 0x08400008 });
    expect(parseQuery('VA:0x08400008')).toEqual({ kind: 'va', value: 0x08400008 });
    expect(parseQuery('slot 66')).toEqual({ kind: 'slot', value: 66 });
    expect(validateQuery('0x80001000')).toBeNull();
    expect(validateQuery('0x8000zz')).toMatch(/GPA/);
    expect(validateQuery('va 0x100000000')).toMatch(/Xen VA/);
  });
  it('guest RAM "base size"', () => {
    expect(parseGuestRam('0x80000000 512M')).toEqual({ base: 0x80000000, size: 512 * 2 ** 20 });
    expect(parseGuestRam('0x80000000+62G')).toEqual({ base: 0x80000000, size: 62 * 2 ** 30 });
    expect(() => parseGuestRam('0x80000001 4K')).toThrow(/aligned/);
    expect(() => parseGuestRam('0xff00000000 8G')).toThrow(/40-bit/);
    expect(() => parseGuestRam('512M')).toThrow(/expected/);
  });
});
