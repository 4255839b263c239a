import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintHeaders, lintLayout } from '../../../src/core/layout/lint';
import { parseHeaders } from '../../../src/core/layout/header';
import { parsedEmbeddedLayout, SEED_BASE_CONFIG_H } from '../../../src/core/layout/seedHeader';

const ids = (text: string) => lintHeaders([{ path: 't.h', text }], ['arm32']).map((f) => f.id);
const dir = new URL('../../fixtures/headers/', import.meta.url);
const fixture = (name: string) => ({ path: name, text: readFileSync(new URL(name, dir), 'utf8') });

describe('overlap', () => {
  it('triggers when VMAP runs into XENHEAP', () => {
    expect(
      ids(
        '#define VMAP_VIRT_START 0x10000000\n#define VMAP_VIRT_END 0x48000000\n#define XENHEAP_VIRT_START 0x40000000\n#define XENHEAP_VIRT_END 0x7fffffff\n',
      ),
    ).toEqual(['overlap']);
  });
  it('does not flag time-shared starts (BOOT_RELOC without an end, LIVEPATCH_VMAP)', () => {
    expect(
      ids(
        '#define BOOT_RELOC_VIRT_START 0x00a00000\n#define LIVEPATCH_VMAP_START 0x00a00000\n#define LIVEPATCH_VMAP_END (LIVEPATCH_VMAP_START + 0x200000)\n#define FRAMETABLE_VIRT_START 0x02000000\n#define FRAMETABLE_VIRT_END 0x07ffffff\n',
      ),
    ).toEqual([]);
  });
});

describe('misaligned', () => {
  it('triggers on a start that is not a multiple of 2 MiB', () => {
    expect(ids('#define VMAP_VIRT_START 0x10100000\n#define VMAP_VIRT_END 0x40000000\n')).toEqual(['misaligned']);
  });
  it('accepts slot-aligned starts', () => {
    expect(ids('#define VMAP_VIRT_START 0x10200000\n#define VMAP_VIRT_END 0x40000000\n')).toEqual([]);
  });
});

describe('end-before-start', () => {
  it('triggers when _END is below _START', () => {
    expect(ids('#define VMAP_VIRT_START 0x40000000\n#define VMAP_VIRT_END 0x10000000\n')).toEqual(['end-before-start']);
  });
  it('is quiet for a proper range', () => {
    expect(ids('#define VMAP_VIRT_START 0x10000000\n#define VMAP_VIRT_END 0x40000000\n')).toEqual([]);
  });
});

describe('off-by-one', () => {
  it('triggers on a start defined as an exclusive end + 1 (one-byte gap)', () => {
    const f = lintHeaders(
      [
        {
          path: 't.h',
          text: '#define FRAMETABLE_VIRT_START 0x02000000\n#define FRAMETABLE_VIRT_END 0x08000000\n#define VMAP_VIRT_START (FRAMETABLE_VIRT_END + 1)\n#define VMAP_VIRT_END 0x40000000\n',
        },
      ],
      ['arm32'],
    );
    expect(f.map((x) => x.id).sort()).toEqual(['misaligned', 'off-by-one']);
    expect(f.find((x) => x.id === 'off-by-one')!.message).toMatch(/gap of one byte/);
  });
  it('is quiet when an inclusive end meets the next start (0x7fffffff then 0x80000000)', () => {
    expect(
      ids(
        '#define XENHEAP_VIRT_START 0x40000000\n#define XENHEAP_VIRT_END 0x7fffffff\n#define DOMHEAP_VIRT_START 0x80000000\n#define DOMHEAP_VIRT_END 0xffffffff\n',
      ),
    ).toEqual([]);
  });
});

describe('comment-map-mismatch', () => {
  const map = (row: string) =>
    `/*\n * ARM32 layout:\n${row}\n */\n#define VMAP_VIRT_START 0x10000000\n#define VMAP_VIRT_END 0x40000000\n`;
  it('triggers when the comment and the macros disagree on bounds', () => {
    expect(ids(map(' * 256M -   2G   VMAP: ioremap'))).toEqual(['comment-map-mismatch']);
  });
  it('triggers on a row with no macro', () => {
    expect(ids(map(' * 256M -   1G   VMAP: ioremap\n *   1G -   2G   Xenheap: always-mapped'))).toEqual([
      'comment-map-mismatch',
    ]);
  });
  it('is quiet when they agree', () => {
    expect(ids(map(' * 256M -   1G   VMAP: ioremap\n *   2G -   4G   Unused'))).toEqual([]);
  });
  it('finds the real arm64 DIRECTMAP 9-vs-10-slot mismatch of 2013 (doc §2)', () => {
    const f = lintLayout(parsedEmbeddedLayout('arm64'));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ id: 'comment-map-mismatch', severity: 'warning' });
    expect(f[0]!.message).toMatch(/0x848000000000.*0x850000000000/);
  });
});

describe('window-capacity', () => {
  it('triggers for the seed: 128 MiB covers GPAs 0-64 GiB, the 2013 guest may reach 1 TiB (doc §7)', () => {
    const f = lintLayout(parsedEmbeddedLayout('arm32'));
    expect(f.map((x) => x.id)).toEqual(['window-capacity']);
    expect(f[0]!.message).toMatch(/0x1000000000 \(64 GiB\).*0x10000000000/);
  });
  it('triggers for the 2014 two-bank guest (RAM1 up to 1 TiB)', () => {
    const l = parseHeaders(
      [
        {
          path: 'c.h',
          text: '#define VIRT_LIN_P2M_START 0x08000000\n#define VIRT_LIN_P2M_END 0x10000000\n#define GUEST_RAM1_BASE 0x0200000000ULL\n#define GUEST_RAM1_SIZE 0xfe00000000ULL\n',
        },
      ],
      { arch: 'arm32' },
    );
    expect(lintLayout(l).map((x) => x.id)).toEqual(['window-capacity']);
  });
  it('is quiet when the guest RAM (1 GiB at 2 GiB) ends below 64 GiB', () => {
    const l = parseHeaders(
      [
        {
          path: 'c.h',
          text: '#define VIRT_LIN_P2M_START 0x08000000\n#define VIRT_LIN_P2M_END 0x10000000\n#define GUEST_RAM_BASE 0x80000000ULL\n#define GUEST_RAM_SIZE 0x40000000ULL\n',
        },
      ],
      { arch: 'arm32' },
    );
    expect(lintLayout(l)).toEqual([]);
  });
  it('states the real limit at GUEST_RAM_BASE: 62 GiB − 4 KiB (issue 13)', () => {
    // end_index = (end >> 30) + 1 ≤ 64 slots ⇔ end ≤ 64 GiB − 4 KiB = 0xFFFFFF000; from 0x80000000:
    // 0xFFFFFF000 − 0x80000000 = 0xF7FFFF000 = 62 GiB − 4 KiB; the size check accepts 128 MiB × 512 = 64 GiB
    const f = lintLayout(parsedEmbeddedLayout('arm32'));
    expect(f[0]!.message).toContain(
      'ends at or below 0xffffff000: from 0x80000000 at most 62 GiB − 4 KiB (0xf7ffff000)',
    );
    expect(f[0]!.message).toContain('accepts 64 GiB');
  });
  it('flags RAM ending exactly at 64 GiB (62 GiB at 2 GiB: the +1 writes slot 128) and not 4 KiB less', () => {
    const hdr = (size: string): string =>
      `#define VIRT_LIN_P2M_START 0x08000000\n#define VIRT_LIN_P2M_END 0x10000000\n#define GUEST_RAM_BASE 0x80000000ULL\n#define GUEST_RAM_SIZE ${size}\n`;
    // 62 GiB = 0xF80000000: end 0x1000000000 → (end >> 30) + 1 = 65 → slot 64 + 64 = 128
    const f = lintLayout(parseHeaders([{ path: 'c.h', text: hdr('0xF80000000ULL') }], { arch: 'arm32' }));
    expect(f.map((x) => x.id)).toEqual(['window-capacity']);
    expect(f[0]!.message).toContain('its PTEs fit, but the "+ 1" copies one more L1 entry');
    // 62 GiB − 4 KiB = 0xF7FFFF000: end 0xFFFFFF000 → 63 + 1 = 64 → last slot 127
    expect(lintLayout(parseHeaders([{ path: 'c.h', text: hdr('0xF7FFFF000ULL') }], { arch: 'arm32' }))).toEqual([]);
  });
  it('has nothing to say without a VLPT window (the unpatched 2013 header)', () => {
    expect(lintHeaders([{ path: 'c.h', text: SEED_BASE_CONFIG_H }], ['arm32'])).toEqual([]);
  });
});

describe('broken headers become findings, never exceptions', () => {
  it('cycle', () => {
    const f = lintHeaders([fixture('broken-cycle.h')]);
    expect(f.map((x) => x.id)).toEqual(['macro-cycle']);
    expect(f[0]!.line).toBe(2);
  });
  it('unknown macro (reported, not guessed)', () => {
    const l = parseHeaders([fixture('broken-unknown.h')], { arch: 'arm32' });
    expect(l.regions.map((r) => r.name)).toEqual(['VMAP']);
    expect(l.warnings.some((w) => /unknown macro FRAMETABLE_BASE/.test(w))).toBe(true);
  });
  it('unterminated #if', () => {
    const f = lintHeaders([fixture('broken-unterminated-if.h')]);
    expect(f.map((x) => [x.id, x.line])).toEqual([['preprocessor', 4]]);
  });
  it('garbage', () => {
    const f = lintHeaders([fixture('broken-garbage.h')]);
    expect(f.length).toBeGreaterThan(3);
    expect(f.every((x) => ['preprocessor', 'bad-expression'].includes(x.id))).toBe(true);
  });
});
