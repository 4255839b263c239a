import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  armLayoutArches,
  discoverTree,
  discoverTreeAsync,
  findTreeEntries,
  includeTargets,
} from '../../../src/core/layout/tree';

const TREES = fileURLToPath(new URL('../../fixtures/trees/', import.meta.url));

/** every file of a fixture tree, relative to `base` */
function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? listFiles(p, base) : [relative(base, p)];
  });
}
const reader = (base: string) => (p: string) => {
  try {
    return readFileSync(join(base, p), 'utf8');
  } catch {
    return null;
  }
};

describe('discoverTree on the fixture trees', () => {
  it('2013 tree: xen/include/asm-arm/config.h for both arches, nothing else', () => {
    const base = join(TREES, 'xen-2013');
    const t = discoverTree(listFiles(base), reader(base));
    expect(t?.era).toBe('asm-arm');
    expect(t?.arm32.files).toEqual(['xen/include/asm-arm/config.h']);
    expect(t?.arm64.files).toEqual(['xen/include/asm-arm/config.h']);
  });
  it('today: asm/config.h + the mmu/layout.h it includes (not mpu/, not arm32/arm64 page.h, not x86/ppc)', () => {
    const base = join(TREES, 'xen-today');
    const t = discoverTree(listFiles(base), reader(base));
    expect(t?.era).toBe('arch-arm');
    const want = ['xen/arch/arm/include/asm/config.h', 'xen/arch/arm/include/asm/mmu/layout.h'];
    expect(t?.arm32.files).toEqual(want);
    expect(t?.arm64.files).toEqual(want);
  });
  it('a tree nested one folder down is found with its root prefix; the async driver agrees', async () => {
    const paths = listFiles(TREES);
    const read = reader(TREES);
    const t = await discoverTreeAsync(paths, async (p) => read(p));
    expect(t?.root).toMatch(/^xen-(2013|today)\/$/);
    expect(t?.arm32.files[0]).toBe(
      t?.era === 'asm-arm' ? 'xen-2013/xen/include/asm-arm/config.h' : 'xen-today/xen/arch/arm/include/asm/config.h',
    );
  });
  it('no Arm entry → null', () => {
    expect(discoverTree(['xen/arch/x86/include/asm/config.h', 'tools/include/xen-foreign/config.h'], () => '')).toBe(
      null,
    );
  });
});

describe('includes', () => {
  it('<asm/x> resolves into the era folder; <xen/…> and mpu/ are not followed; "x" is relative', () => {
    const text =
      '#include <xen/const.h>\n# include <asm/mmu/layout.h>\n# include <asm/mpu/layout.h>\n#include "arm64/x.h"\n';
    expect(includeTargets('xen/arch/arm/include/asm/config.h', text, '', 'xen/arch/arm/include/asm/config.h')).toEqual([
      'xen/arch/arm/include/asm/mmu/layout.h',
      'xen/arch/arm/include/asm/arm64/x.h',
    ]);
    expect(
      includeTargets('xen/include/asm-arm/config.h', '#include <asm/arm32/cfg.h>', '', 'xen/include/asm-arm/config.h'),
    ).toEqual(['xen/include/asm-arm/arm32/cfg.h']);
  });
  it('an arm64/ layout header belongs to the arm64 set only', () => {
    const files: Record<string, string> = {
      'xen/arch/arm/include/asm/config.h': '#include <asm/arm64/layout.h>\n#include <asm/arm32/layout.h>\n',
      'xen/arch/arm/include/asm/arm64/layout.h': '#define VMAP_VIRT_START 0x40000000\n',
      'xen/arch/arm/include/asm/arm32/layout.h': '#define VMAP_VIRT_START 0x10000000\n',
    };
    const t = discoverTree(Object.keys(files), (p) => files[p] ?? null);
    expect(t?.arm64.files).toEqual(['xen/arch/arm/include/asm/config.h', 'xen/arch/arm/include/asm/arm64/layout.h']);
    expect(t?.arm32.files).toEqual(['xen/arch/arm/include/asm/config.h', 'xen/arch/arm/include/asm/arm32/layout.h']);
  });
  it('an include cycle ends', () => {
    const files: Record<string, string> = {
      'xen/arch/arm/include/asm/config.h': '#include <asm/a.h>\n',
      'xen/arch/arm/include/asm/a.h': '#include <asm/config.h>\n#include <asm/a.h>\n#define X_VIRT_START 0\n',
    };
    expect(discoverTree(Object.keys(files), (p) => files[p] ?? null)?.arm32.files).toEqual([
      'xen/arch/arm/include/asm/config.h',
      'xen/arch/arm/include/asm/a.h',
    ]);
  });
  it('top-level tree first', () => {
    expect(
      findTreeEntries(['a/xen/include/asm-arm/config.h', 'xen/arch/arm/include/asm/config.h']).map((e) => e.root),
    ).toEqual(['', 'a/']);
  });
});

describe('armLayoutArches (by path)', () => {
  it.each([
    ['xen/include/asm-arm/config.h', ['arm32', 'arm64']],
    ['xen/arch/arm/include/asm/config.h', ['arm32', 'arm64']],
    ['xen/arch/arm/include/asm/mmu/layout.h', ['arm32', 'arm64']],
    ['xen/include/asm-arm/arm64/layout.h', ['arm64']],
    ['xen/arch/x86/include/asm/config.h', null],
    ['xen/include/asm-x86/config.h', null],
    ['xen/arch/ppc/include/asm/config.h', null],
    ['tools/include/xen-foreign/config.h', null],
    ['stubdom/include/asm-arm/config.h', null],
    ['xen/arch/arm/include/asm/page.h', null],
  ])('%s → %j', (path, want) => {
    expect(armLayoutArches(path)).toEqual(want);
  });
});
