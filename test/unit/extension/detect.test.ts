import { describe, expect, it } from 'vitest';
import { findNumbers, numberAt, MAX_LINE } from '../../../src/extension/detect';

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
