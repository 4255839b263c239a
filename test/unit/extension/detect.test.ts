import { describe, expect, it } from 'vitest';
import { findNumbers, isAddressContext, numberAt, MAX_LINE } from '../../../src/extension/detect';

describe('GPA/VA detection in a line', () => {
  it('finds 0x numbers with separators and C suffixes', () => {
    const line = 'p2m_lookup(d, 0x8000_1000ULL, &t); va = 0x08400008;';
    expect(findNumbers(line).map((n) => [n.text, n.value])).toEqual([
      ['0x8000_1000ULL', 0x80001000],
      ['0x08400008', 0x08400008],
    ]);
  });
  it('a 40-bit GPA is exact (no 32-bit truncation)', () => {
    expect(findNumbers('gpa 0xdf80001000')[0]!.value).toBe(0xdf80001000);
  });
  it('ignores numbers past the 40-bit space, identifiers and hex inside words', () => {
    expect(findNumbers('0x10000000000 foo0x1234 x0x12 abc_0x80001000 1.0x5')).toEqual([]);
  });
  it('bare hex (Xen printk PRIpaddr) only when asked, and only with a decimal digit', () => {
    const line = '(XEN) p2m: gpa 0000000080001000 -> deadbeef cafebabe1';
    expect(findNumbers(line)).toEqual([]);
    expect(findNumbers(line, true).map((n) => n.value)).toEqual([0x80001000, 0xcafebabe1]);
  });
  it('numberAt: the cursor inside or just after the number', () => {
    const line = 'x = 0x80001000;';
    expect(numberAt(line, 4)?.value).toBe(0x80001000);
    expect(numberAt(line, 14)?.value).toBe(0x80001000);
    expect(numberAt(line, 2)).toBeUndefined();
  });
  it('work is bounded to MAX_LINE characters', () => {
    const long = 'a'.repeat(MAX_LINE) + ' 0x80001000';
    expect(findNumbers(long)).toEqual([]);
    expect(numberAt(long, MAX_LINE + 3)).toBeUndefined();
  });
});

describe('contextual hover rule (isAddressContext)', () => {
  it('a VTCR value written to the register is not an address', () => {
    expect(isAddressContext('    WRITE_SYSREG(0x80002558, VTCR_EL2);', 'c')).toBe(false);
  });
  it('gpa = 0x80001000 is', () => {
    expect(isAddressContext('    gpa = 0x80001000;', 'c')).toBe(true);
  });
  it.each([
    ['static const uint64_t kernel_text_gpa = 0x80008000;', 'c'],
    ['/* Xen VA of the PTE of GPA 0x80001000 */', 'c'],
    ['mfn = p2m_lookup(d, 0x80001000, NULL);', 'c'],
    ['#define VMAP_VIRT_START  _AT(vaddr_t,0x10000000)', 'c'],
    ['+#define VIRT_LIN_P2M_START _AT(vaddr_t,0x08000000)', 'diff'],
    ['(XEN) d1v0: dirty fault 0x80008000', 'plaintext'],
    ['anything 0x80008000', 'log'],
  ])('address: %s', (line, lang) => {
    expect(isAddressContext(line, lang)).toBe(true);
  });
  it.each([
    ['#define HCR_VM 0x00000001', 'c'],
    ['    WRITE_SYSREG32(0x80000000 | 0x25, HMAIR0);', 'c'],
    ['return 0x80000000 & mask;', 'c'],
  ])('not an address: %s', (line, lang) => {
    expect(isAddressContext(line, lang)).toBe(false);
  });
});
