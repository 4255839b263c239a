import { describe, expect, it } from 'vitest';
import { parseHeaders } from '../../../src/core/layout/header';
import { InputError } from '../../../src/core/errors';

const one = (text: string, arch: 'arm32' | 'arm64' = 'arm32') => parseHeaders([{ path: 'h.h', text }], { arch });

describe('expression evaluator', () => {
  it('evaluates the idioms of doc §11 exactly (MB(128-32), GB(1) - MB(256), SLOT0(256))', () => {
    const l = one(
      '#define FRAMETABLE_VIRT_START MB(32)\n#define FRAMETABLE_SIZE MB(128-32)\n#define VMAP_VIRT_START _AT(vaddr_t, MB(256))\n#define VMAP_VIRT_SIZE _AT(vaddr_t, GB(1) - MB(256))\n#define DIRECTMAP_VIRT_START SLOT0(256)\n#define DIRECTMAP_VIRT_END (DIRECTMAP_VIRT_START + 0x1ffffffULL)\n',
    );
    expect(l.regions.map((r) => [r.name, r.start, r.size])).toEqual([
      ['FRAMETABLE', 0x2000000, 0x6000000],
      ['VMAP', 0x10000000, 0x30000000],
      ['DIRECTMAP', 0x800000000000, 0x2000000],
    ]);
  });
  it('handles casts, suffixes, | & ~ and the ternary', () => {
    const l = one(
      '#define A_VIRT_START ((unsigned long)0x10000000UL | 0x0)\n#define A_VIRT_END ((1 ? 0x20000000 : 0) & ~0xfffULL)\n',
    );
    expect(l.regions[0]).toMatchObject({ start: 0x10000000, end: 0x20000000, endForm: 'exclusive' });
  });
  it('picks #if/#elif/#else branches per arch, with defined()', () => {
    const t =
      '#if defined(CONFIG_ARM_64)\n#define X_VIRT_START 0x40000000\n#elif defined CONFIG_ARM_32\n#define X_VIRT_START 0x10000000\n#else\n#define X_VIRT_START 0x1\n#endif\n#define X_VIRT_SIZE 0x200000\n';
    expect(one(t, 'arm32').regions[0]!.start).toBe(0x10000000);
    expect(one(t, 'arm64').regions[0]!.start).toBe(0x40000000);
  });
  it('joins line continuations and ignores comments inside definitions', () => {
    const l = one(
      '#define A_VIRT_START /* base */ \\\n   (0x10000000 + \\\n    0x200000) // slot 129\n#define A_VIRT_SIZE 0x200000\n',
    );
    expect(l.regions[0]).toMatchObject({ start: 0x10200000, line: 1 });
  });
  it('is never eval: a JS expression is a syntax error, not code', () => {
    const l = one('#define A_VIRT_START (globalThis.process.exit(1))\n');
    expect(l.regions).toEqual([]);
    expect(l.warnings.join('\n')).toMatch(/unknown macro globalThis|run-time value|cannot evaluate/);
  });
});

describe('limits: a hostile header cannot hang the parser', () => {
  it('stops an exponential macro bomb with a limit warning', () => {
    let t = '#define M0 1\n';
    for (let i = 1; i <= 40; i++) t += `#define M${i} (M${i - 1} + M${i - 1})\n`;
    t += '#define BOMB_VIRT_START M40\n';
    const l = one(t);
    expect(l.regions).toEqual([]);
    expect(l.warnings.some((w) => /more than \d+ macro expansions|longer than/.test(w))).toBe(true);
  });
  it('refuses input above the size cap with one InputError line', () => {
    expect(() => parseHeaders([{ path: 'big.h', text: 'x'.repeat(2000) }], { arch: 'arm32', maxChars: 1000 })).toThrow(
      InputError,
    );
  });
  it('reads 20000 defines (their speed is in npm run bench and the fuzz)', () => {
    let t = '';
    for (let i = 0; i < 20000; i++)
      t += `#define R${i}_VIRT_START 0x${(i * 0x200000).toString(16)}\n#define R${i}_VIRT_SIZE 0x200000\n`;
    const l = one(t, 'arm64');
    expect(l.regions).toHaveLength(20000);
  });
});
