import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPatch } from '../../../src/core/patch/readPatch';

const SEED = '/work/shared/seed/000_974eeb85a7679583.txt';
const seedPath = new URL('../../../../shared/seed/000_974eeb85a7679583.txt', import.meta.url);

function seedText(): string {
  try {
    return readFileSync(seedPath, 'utf8');
  } catch {
    return readFileSync(SEED, 'utf8');
  }
}

describe('the seed patch (xen-devel web-archive page)', () => {
  const p = readPatch(seedText(), 'seed.txt');

  it('names the subject without [Xen-devel], the author from Signed-off-by, no date', () => {
    expect(p.format).toBe('archive');
    expect(p.subject).toBe(
      '[PATCH v5 4/6] xen/arm: Implement virtual-linear page table for guest p2m mapping in live migration',
    );
    expect(p.author).toBe('Jaeyong Yoo <jaeyong.yoo@xxxxxxxxxxx>');
    expect(p.date).toBeNull();
  });

  it('counts the six files from the hunks (doc §6)', () => {
    expect(p.files.map((f) => [f.path, f.added, f.removed])).toEqual([
      ['xen/arch/arm/domain.c', 5, 0],
      ['xen/arch/arm/mm.c', 112, 0],
      ['xen/include/asm-arm/arm32/page.h', 28, 10],
      ['xen/include/asm-arm/config.h', 5, 0],
      ['xen/include/asm-arm/domain.h', 7, 0],
      ['xen/include/asm-arm/mm.h', 15, 0],
    ]);
    expect(p.files.every((f) => f.hunks.every((h) => h.complete))).toBe(true);
  });

  it('reports where the diffstat disagrees: page.h 41 vs 38, totals 174/11 vs 172/10 (doc §10)', () => {
    const ds = p.findings.filter((f) => f.id === 'diffstat-mismatch');
    expect(ds).toHaveLength(2);
    expect(ds[0]).toMatchObject({ file: 'xen/include/asm-arm/arm32/page.h', severity: 'warning' });
    expect(ds[0]!.message).toMatch(/41.*38/);
    expect(ds[1]!.message).toMatch(/174 insertions.*11 deletions.*172 insertions, 10 deletions/);
  });

  it('shows VIRT_LIN_P2M 0x08000000-0x10000000 added, nothing else changed', () => {
    expect(p.layout.changes).toHaveLength(1);
    expect(p.layout.changes[0]).toMatchObject({ name: 'VIRT_LIN_P2M', change: 'added', before: null });
    expect(p.layout.changes[0]!.after).toMatchObject({
      start: 0x08000000,
      end: 0x10000000,
      endForm: 'exclusive',
      endMacro: 'VIRT_LIN_P2M_END',
    });
    expect(p.findings.some((f) => f.id === 'hunk-not-applied')).toBe(false);
  });

  it('flags the window that covers GPAs 0-64 GiB only (doc §7, §10 window-overrun)', () => {
    const w = p.findings.find((f) => f.id === 'window-capacity');
    expect(w?.message).toMatch(/0x1000000000/);
  });
});
