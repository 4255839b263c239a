/**
 * The Problems panel on a real tree shape (fixture trees written from the facts of 2013 with
 * the seed applied, and of today): every file goes through the same plan the extension uses;
 * only true findings remain. The expected true findings are the reference doc's: the seed's
 * window-capacity (doc §10) and the 2013 arm64 DIRECTMAP comment/macro mismatch (doc §2, §11).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { discoverTree, lintHeaders, type Arch, type TreeLayout } from '../../../src/core/index';
import { isHeaderPath, isLayoutHeader } from '../../../src/extension/lintFiles';
import { headerFindings, isForeignPatch, lintPlan, readTreePatch } from '../../../src/extension/treeLint';

const TREES = fileURLToPath(new URL('../../fixtures/trees/', import.meta.url));

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? listFiles(p, base) : [relative(base, p)];
  });
}

/** what the Problems panel would hold for the tree: "file:line id message" */
function problems(name: string): { tree: TreeLayout | null; found: string[] } {
  const base = join(TREES, name);
  const read = (p: string): string | null => {
    try {
      return readFileSync(join(base, p), 'utf8');
    } catch {
      return null;
    }
  };
  const paths = listFiles(base);
  const tree = discoverTree(paths, read);
  const set = (arch: Arch) => (tree ? tree[arch].files.map((p) => ({ path: p, text: read(p)! })) : []);
  const found: string[] = [];
  for (const rel of paths) {
    const plan = lintPlan(rel, tree);
    const text = read(rel)!;
    if (plan.kind === 'header')
      for (const f of headerFindings(rel, text, plan.arches, set)) found.push(`${rel}:${f.line} ${f.id} ${f.message}`);
    if (plan.kind === 'patch')
      for (const f of readTreePatch(rel, text, 'arm32')?.findings ?? []) found.push(`${rel} ${f.id} ${f.message}`);
  }
  return { tree, found };
}

describe('Problems panel on a Xen tree: no false finding', () => {
  it('2013 tree with the seed: only the two true findings of the Arm config.h', () => {
    const { found } = problems('xen-2013');
    expect(found.map((f) => f.split(' ').slice(0, 3).join(' '))).toEqual([
      'xen/include/asm-arm/config.h:75 window-capacity arm32:',
      'xen/include/asm-arm/config.h:103 comment-map-mismatch arm64:',
    ]);
    // the seed's window: 128 MiB of PTEs cover GPAs 0–64 GiB only (doc §10)
    expect(found[0]).toContain('VIRT_LIN_P2M (128 MiB) holds the PTEs of GPAs 0–0x1000000000 (64 GiB)');
    // 2013 arm64: 9 L0 slots by macro, 10 by comment (doc §2)
    expect(found[1]).toContain('DIRECTMAP: the macros give 0x800000000000–0x848000000000');
  });

  it("today's tree: nothing at all (BOOT_RELOC is the Cache-colored Xen row)", () => {
    expect(problems('xen-today').found).toEqual([]);
  });

  it('the noise would be flagged if it were linted as before (the test can fail)', () => {
    const x86 = readFileSync(join(TREES, 'xen-today/xen/arch/x86/include/asm/config.h'), 'utf8');
    expect(lintHeaders([{ path: 'x86.h', text: x86 }], ['arm32']).length).toBeGreaterThan(0);
    const tools = readFileSync(join(TREES, 'xen-today/tools/include/xen-foreign/config.h'), 'utf8');
    expect(lintHeaders([{ path: 'tools.h', text: tools }], ['arm32']).map((f) => f.id)).toContain('misaligned');
    // the old scope (any config.h defining a *_VIRT_START) took the ppc header too
    const ppcPath = 'xen/arch/ppc/include/asm/config.h';
    const ppc = readFileSync(join(TREES, 'xen-today', ppcPath), 'utf8');
    expect(isHeaderPath(ppcPath) && isLayoutHeader(ppc)).toBe(true);
    for (const p of ['xen-2013/stubdom/newlib.patch', 'xen-2013/tools/firmware/etherboot/patches/build-fix.patch']) {
      const text = readFileSync(join(TREES, p), 'utf8');
      expect(isForeignPatch(text)).toBe(true);
    }
  });
});

describe('lintPlan', () => {
  const tree = discoverTree(['xen/arch/arm/include/asm/config.h'], (p) =>
    p.endsWith('config.h') ? '#include <asm/mmu/layout.h>\n' : '#define XEN_VIRT_START 0x200000\n',
  );
  it.each([
    ['xen/arch/arm/include/asm/config.h', { kind: 'header', arches: ['arm32', 'arm64'] }],
    ['xen/arch/arm/include/asm/mmu/layout.h', { kind: 'header', arches: ['arm32', 'arm64'] }],
    ['xen/arch/arm/include/asm/mpu/layout.h', { kind: 'skip' }],
    ['xen/arch/x86/include/asm/config.h', { kind: 'skip' }],
    ['stubdom/vtpm.patch', { kind: 'skip' }],
    ['tools/firmware/etherboot/patches/a.patch', { kind: 'skip' }],
    ['0001-xen-arm-layout.patch', { kind: 'patch' }],
  ])('%s', (rel, want) => {
    expect(lintPlan(rel, tree)).toEqual(want);
  });
  it('outside a tree, by path: an Arm config.h is a header for both arches, a bare config.h is not', () => {
    expect(lintPlan('demo/xen/include/asm-arm/config.h', null)).toEqual({ kind: 'header', arches: ['arm32', 'arm64'] });
    expect(lintPlan('config.h', null)).toEqual({ kind: 'skip' });
  });
});
