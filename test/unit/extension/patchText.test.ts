import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintHeaders, readPatch } from '../../../src/core/index';
import { defineLineInPatch, fileHeaderLine, isPatchFile, patchFindingLine } from '../../../src/extension/patchText';
import { headerArches, isHeaderPath, isLayoutHeader } from '../../../src/extension/lintFiles';

const SEED = readFileSync(new URL('../../../demo/seed-vlpt.patch', import.meta.url), 'utf8');
const CONFIG_H = readFileSync(new URL('../../../demo/xen/include/asm-arm/config.h', import.meta.url), 'utf8');

describe('patches in the workspace', () => {
  it('knows a patch by extension, and a .txt only when it is a list-archive patch', () => {
    expect(isPatchFile('a/seed.patch', SEED)).toBe(true);
    expect(isPatchFile('a/seed.txt', SEED)).toBe(true);
    expect(isPatchFile('a/notes.txt', 'diff notes\n+++ nothing here\n')).toBe(false);
    expect(isPatchFile('a/plain.txt', '--- a/x\n+++ b/x\n@@ -1,1 +1,1 @@\n-a\n+b\n')).toBe(false);
    expect(isPatchFile('a/plain.diff', '--- a/x\n+++ b/x\n@@ -1,1 +1,1 @@\n-a\n+b\n')).toBe(true);
    expect(isPatchFile('a/x.h', SEED)).toBe(false);
  });

  it('puts each finding of the seed archive page on its line of the page (0-based)', () => {
    const info = readPatch(SEED, 'seed-vlpt.patch');
    const lines = SEED.split(/\r?\n/);
    const at = (id: string, file?: string): number => {
      const f = info.findings.find((x) => x.id === id && (file === undefined || x.file === file))!;
      return patchFindingLine(lines, info, f);
    };
    // "[Xen-devel] [PATCH v5 4/6] …" is line 3 of the page
    expect(at('archive-repaired')).toBe(2);
    expect(lines[at('diffstat-mismatch', 'xen/include/asm-arm/arm32/page.h')]).toMatch(
      /^xen\/include\/asm-arm\/arm32\/page\.h\s*\|\s*41/,
    );
    expect(lines[at('diffstat-mismatch', 'seed-vlpt.patch')]).toMatch(/^6 files changed/);
    // the window-capacity lint of the patched config.h sits on the +#define of the window
    expect(lines[at('window-capacity')]).toMatch(/^\+#define\s+VIRT_LIN_P2M_START/);
    expect(at('window-capacity')).toBe(522);
  });

  it('finds file headers and #defines inside a patch', () => {
    const lines = SEED.split('\n');
    expect(lines[fileHeaderLine(lines, 'xen/include/asm-arm/config.h')]).toMatch(
      /^diff --git a\/xen\/include\/asm-arm\/config\.h/,
    );
    expect(defineLineInPatch(lines, 'VIRT_LIN_P2M_START')).toBe(522);
    expect(defineLineInPatch(lines, 'NO_SUCH_MACRO')).toBe(-1);
  });
});

describe('layout headers in the workspace', () => {
  it('selects headers by path and content', () => {
    expect(isHeaderPath('xen/include/asm-arm/config.h')).toBe(true);
    expect(isHeaderPath('xen/arch/arm/include/asm/mmu/layout.h')).toBe(true);
    expect(isHeaderPath('xen/arch/arm/include/asm/page.h')).toBe(true);
    expect(isHeaderPath('tools/libxc/xc_dom.h')).toBe(false);
    expect(isLayoutHeader(CONFIG_H)).toBe(true);
    expect(isLayoutHeader('#define PAGE_SHIFT 12\n')).toBe(false);
    expect(headerArches('xen/include/asm-arm/arm64/config.h')).toEqual(['arm64']);
    expect(headerArches('xen/include/asm-arm/config.h')).toEqual(['arm32', 'arm64']);
  });

  it('the demo header lints window-capacity at the #define of VIRT_LIN_P2M_START', () => {
    const f = lintHeaders([{ path: 'config.h', text: CONFIG_H }], ['arm32']).find((x) => x.id === 'window-capacity')!;
    expect(CONFIG_H.split('\n')[f.line! - 1]).toMatch(/#define\s+VIRT_LIN_P2M_START/);
  });
});
