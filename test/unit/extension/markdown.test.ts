import { describe, expect, it } from 'vitest';
import { createSession, describeVa, embeddedLayout, resolveGpa, type Region } from '../../../src/core/index';
import {
  codeLensTitle,
  escapeMd,
  hoverMarkdown,
  layoutCommentMap,
  layoutMarkdown,
  resolutionMarkdown,
} from '../../../src/extension/markdown';
import { CMD } from '../../../src/extension/ids';

const s = createSession();

describe('hover markdown', () => {
  const md = hoverMarkdown({
    text: '0x80001000',
    value: 0x80001000,
    guest: { name: 'd1', ramBase: 0x80000000, ramSize: 512 * 2 ** 20 },
    gpa: resolveGpa(s.sys, s.dom, 0, 0x80001000),
    va: describeVa(s.sys, s.dom, 0, 0x80001000),
  });
  it('shows the VLPT PTE address, slot, p2m indices and the decoded leaf (reference doc §7 arithmetic)', () => {
    // PTE VA = 0x08000000 + (0x80001000 >> 12) * 8 = 0x08400008, slot 0x08400008 >> 21 = 66
    expect(md).toContain('`0x08400008`');
    expect(md).toContain('xen_second slot 66');
    expect(md).toContain('L1 2 (root page 0 entry 2) · L2 0 · L3 1');
    expect(md).toContain('mfn 0x1000001');
    expect(md).toContain('As a Xen VA');
    expect(md).toContain('DOMHEAP');
  });
  it('command links name only our commands, with JSON args', () => {
    const links = [...md.matchAll(/\(command:([\w.]+)\?([^ )]*)/g)];
    expect(links.length).toBeGreaterThanOrEqual(3);
    for (const [, id, args] of links) {
      expect(Object.values(CMD)).toContain(id);
      expect(Array.isArray(JSON.parse(decodeURIComponent(args!)))).toBe(true);
    }
  });
  it('file text is escaped', () => {
    expect(escapeMd('[x](command:evil) <img> `a`')).toBe('\\[x\\]\\(command:evil\\) \\<img\\> \\`a\\`');
    const evil = hoverMarkdown({
      text: '[0x1](command:workbench.action.terminal.new)',
      value: 0x1000,
      guest: { name: 'd1', ramBase: 0, ramSize: 4096 },
      gpa: null,
      va: null,
    });
    expect(evil).not.toContain('command:workbench');
  });
});

describe('copy as Markdown / comment map / CodeLens', () => {
  const layout = embeddedLayout();
  it('resolution table has the walk', () => {
    const md = resolutionMarkdown(resolveGpa(s.sys, s.dom, 0, 0x80001000), 'd1');
    expect(md).toMatch(/^\| what \| value \|/);
    expect(md).toContain('| VLPT PTE VA | 0x08400008 (xen_second slot 66, VIRT_LIN_P2M) |');
    expect(md).toContain('xen_second[66] = copy of d1 L1[2]');
  });
  it('layout table and config.h comment map', () => {
    expect(layoutMarkdown(layout)).toContain('| VIRT_LIN_P2M | 0x08000000 | 0x10000000 | 128 MiB | slots 64–127 |');
    const cm = layoutCommentMap(layout);
    expect(cm.startsWith('/*\n')).toBe(true);
    expect(cm).toContain(' 128M - 256M   Virtual-linear mapping to P2M table');
    expect(cm).toContain('   2G - 4G   Domheap');
  });
  it('CodeLens title as in the issue', () => {
    const w = layout.regions.find((r) => r.name === 'VIRT_LIN_P2M')!;
    expect(codeLensTitle(w, 'VIRT_LIN_P2M')).toBe('VIRT_LIN_P2M · 128 MiB · slots 64–127 · PTEs for GPA 0–64 GiB');
  });
  it('arm64: 48-bit VAs and root (L0) slots of 512 GiB, as Xen’s layout comment counts them — no arm32 slot', () => {
    const r = (name: string, start: number, end: number) =>
      ({ name, start, end, size: end - start, description: '' }) as unknown as Region;
    // FIXMAP 0x0a0000a00000: 0x0a0000000000 = 10 × 2^40 = 20 × 2^39 → L0 slot 20 ("L0 slot [20]")
    expect(codeLensTitle(r('FIXMAP', 0x0a0000a00000, 0x0a0000c00000), null, 'arm64')).toBe(
      'FIXMAP · 2 MiB · L0 slot 20',
    );
    // DIRECTMAP 0x800000000000–0x850000000000: 2^47 / 2^39 = 256, 0x850000000000 / 2^39 = 266 (exclusive)
    expect(codeLensTitle(r('DIRECTMAP', 0x800000000000, 0x850000000000), null, 'arm64')).toBe(
      'DIRECTMAP · 5 TiB · L0 slots 256–265',
    );
    const l64 = { ...layout, arch: 'arm64' as const, regions: [r('FIXMAP', 0x0a0000a00000, 0x0a0000c00000)] };
    expect(layoutMarkdown(l64)).toContain('| FIXMAP | 0x0a0000a00000 | 0x0a0000c00000 | 2 MiB | L0 slot 20 |');
  });
});
