// Patch review on real history (issue 12 items 4 and 6): fixtures in test/fixtures/patches/history/
// are written from the facts of each era (macro names and values, reference doc §11), not copied.
// Expected values are hand arithmetic: GB(1) = 0x40000000, MB(4) = 0x400000.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run as patch } from '../../../src/cli/patch';
import type { CliIo } from '../../../src/cli/io';

const fixtures = new URL('../../fixtures/', import.meta.url);
/** a Xen tree of 2015 (xen/include/asm-arm/config.h) made of the project's header fixture */
const TREE: Record<string, string> = {
  'tree2015/xen/include/asm-arm/config.h': 'headers/2015-47ec25a-config.h',
  'tree2019/xen/include/asm-arm/config.h': 'headers/2019-0e623fa-config.h',
  'tree2023/xen/arch/arm/include/asm/config.h': 'headers/2023-dc98fa7-config.h',
};
function fakeIo() {
  const out: string[] = [];
  const err: string[] = [];
  const reads: string[] = [];
  const io: CliIo = {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    readFile: (p) => {
      reads.push(p);
      if (p.startsWith('tree')) {
        if (!TREE[p]) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        return readFileSync(new URL(TREE[p]!, fixtures), 'utf8');
      }
      return readFileSync(new URL(p, fixtures), 'utf8');
    },
  };
  return { io, out, err, reads };
}
async function json(args: string[]) {
  const f = fakeIo();
  const code = await patch([...args, '--json'], f.io);
  expect(f.err).toEqual([]);
  expect(code).toBe(0);
  return { j: JSON.parse(f.out.join('')), reads: f.reads };
}
const H = 'patches/history/';
type Change = { name: string; change: string };
const kinds = (j: { layout: { changes: Change[] } }) => j.layout.changes.map((c) => [c.name, c.change]);

describe('end-convention change (2016, arm64 VMAP_VIRT_END)', () => {
  it('inclusive GB(1) + GB(1) - 1 = 0x7fffffff → exclusive GB(1) + GB(1) = 0x80000000: change "end", same bytes', async () => {
    const { j } = await json([
      `${H}2016-arm64-vmap-end.patch`,
      '--base',
      'headers/2015-47ec25a-config.h',
      '--arch',
      'arm64',
    ]);
    expect(j.layout.changes).toEqual([
      {
        name: 'VMAP',
        change: 'end',
        before: { start: '0x40000000', end: '0x80000000', size: '0x40000000' },
        after: { start: '0x40000000', end: '0x80000000', size: '0x40000000' },
        end: {
          before: { macro: 'VMAP_VIRT_END', form: 'inclusive', value: '0x7fffffff' },
          after: { macro: 'VMAP_VIRT_END', form: 'exclusive', value: '0x80000000' },
        },
      },
    ]);
  });
  it('the text names both forms and both values', async () => {
    const f = fakeIo();
    await patch([`${H}2016-arm64-vmap-end.patch`, '--base', 'headers/2015-47ec25a-config.h', '--arch', 'arm64'], f.io);
    const t = f.out.join('\n');
    expect(t).toMatch(
      /VMAP\s+end\s+VMAP_VIRT_END 0x00007fffffff \(inclusive\)\s+VMAP_VIRT_END 0x000080000000 \(exclusive\)/,
    );
  });
  it('--tree takes the base from the checkout by the patch path', async () => {
    const { j, reads } = await json([`${H}2016-arm64-vmap-end.patch`, '--tree', 'tree2015', '--arch', 'arm64']);
    expect(reads).toContain('tree2015/xen/include/asm-arm/config.h');
    expect(j.layout.base).toBe('tree tree2015');
    expect(j.layout.targets).toEqual([
      { path: 'xen/include/asm-arm/config.h', base: 'xen/include/asm-arm/config.h', how: 'path' },
    ]);
    expect(kinds(j)).toEqual([['VMAP', 'end']]);
  });
});

describe('treewide patch touching x86 and ppc config.h', () => {
  it('other arches are ignored as not layout headers; the Arm layout does not change', async () => {
    const { j, reads } = await json([`${H}treewide-config.patch`, '--tree', 'tree2023']);
    expect(j.layout.ignored).toEqual([
      { path: 'xen/arch/ppc/include/asm/config.h', reason: 'not a layout header' },
      { path: 'xen/arch/x86/include/asm/config.h', reason: 'not a layout header' },
    ]);
    expect(reads.filter((r) => /x86|ppc/.test(r))).toEqual([]); // other arches are not even read
    expect(j.layout.applied).toEqual(['xen/arch/arm/include/asm/config.h']);
    expect(j.layout.changes).toEqual([]);
    expect(j.findings.map((x: { id: string }) => x.id)).toEqual([]);
  });
});

describe('two bases: config.h and mmu/layout.h', () => {
  it('a config.h hunk goes to config.h (by file name), never to layout.h; no hunk-not-applied', async () => {
    const { j } = await json([
      `${H}two-bases-config.patch`,
      '--base',
      'headers/c447b73-mmu-layout.h',
      '--base',
      'headers/c447b73-config.h',
    ]);
    expect(j.layout.targets).toEqual([
      { path: 'xen/arch/arm/include/asm/config.h', base: 'headers/c447b73-config.h', how: 'basename' },
    ]);
    expect(j.findings.map((x: { id: string }) => x.id)).not.toContain('hunk-not-applied');
    expect(j.layout.changes).toEqual([]);
    // the layout is both files: arm32 VMAP MB(256) + GB(1) - MB(256) = 0x10000000–0x40000000 (from layout.h)
    const vmap = j.layout.after.regions.find((r: { name: string }) => r.name === 'VMAP');
    expect([vmap.start, vmap.end]).toEqual(['0x10000000', '0x40000000']);
  });
});

describe('split into a new header (2023 shape: asm/mmu/layout.h)', () => {
  it('the new file is followed through #include <asm/mmu/layout.h>: VMAP stays, nothing changes', async () => {
    const { j } = await json([`${H}2023-split-mmu-layout.patch`, '--base', 'headers/2023-dc98fa7-config.h']);
    expect(j.files.map((f: { status: string }) => f.status)).toEqual(['modified', 'added']);
    expect(j.layout.applied).toEqual(['xen/arch/arm/include/asm/config.h', 'xen/arch/arm/include/asm/mmu/layout.h']);
    expect(j.layout.targets[1]).toEqual({ path: 'xen/arch/arm/include/asm/mmu/layout.h', base: null, how: 'new-file' });
    expect(j.layout.changes).toEqual([]);
    const vmap = j.layout.after.regions.find((r: { name: string }) => r.name === 'VMAP');
    expect(vmap).toMatchObject({
      start: '0x10000000',
      end: '0x40000000',
      file: 'xen/arch/arm/include/asm/mmu/layout.h',
    });
    expect(j.findings).toEqual([]); // the diffstat matches the hunks
  });
  it('reads the same whatever the base file is called (tree path or fixture name)', async () => {
    const a = await json([`${H}2023-split-mmu-layout.patch`, '--tree', 'tree2023']);
    expect(a.j.layout.changes).toEqual([]);
    expect(a.j.layout.applied).toHaveLength(2);
  });
});

describe('rename (2021 shape: asm-arm/config.h → arch/arm/include/asm/config.h)', () => {
  it('the renamed file keeps its base; its one hunk resizes BOOT_FDT 4 → 8 MiB (0x600000 + 0x800000 = 0xe00000)', async () => {
    const { j } = await json([`${H}2021-rename-config.patch`, '--tree', 'tree2019']);
    expect(j.files).toEqual([
      {
        path: 'xen/arch/arm/include/asm/config.h',
        oldPath: 'xen/include/asm-arm/config.h',
        status: 'renamed',
        added: 1,
        removed: 1,
      },
    ]);
    expect(j.layout.targets[0].how).toBe('path');
    expect(kinds(j)).toEqual([['BOOT_FDT', 'resized']]);
    expect(j.layout.changes[0].after).toEqual({ start: '0x600000', end: '0xe00000', size: '0x800000' });
    expect(j.findings.map((x: { id: string }) => x.id)).not.toContain('diffstat-mismatch');
  });
  it('a pure rename (similarity 100%, no hunks) changes no region', async () => {
    const pure = readFileSync(new URL(`${H}2021-rename-config.patch`, fixtures), 'utf8')
      .replace('similarity index 99%', 'similarity index 100%')
      .replace(/^index [\s\S]*?(?=^-- $)/m, '');
    const f = fakeIo();
    const io: CliIo = { ...f.io, readFile: (p) => (p === 'pure' ? pure : f.io.readFile(p)) };
    expect(await patch(['pure', '--tree', 'tree2019', '--json'], io)).toBe(0);
    const j = JSON.parse(f.out.join(''));
    expect(j.files[0]).toMatchObject({ status: 'renamed', added: 0, removed: 0 });
    expect(j.layout.changes).toEqual([]);
  });
});

describe('series (cover letter 0/2 + two patches in one mbox)', () => {
  it('one result per patch, each on the layout the previous left, plus the cumulative layout', async () => {
    const { j } = await json([`${H}series-split-then-vmap.mbox`, '--base', 'headers/2023-dc98fa7-config.h']);
    expect(Object.keys(j)).toEqual(['cover', 'patches', 'cumulative']);
    expect(j.cover.subject).toBe('[PATCH 0/2] xen/arm: split the layout, then move VMAP');
    expect(j.patches).toHaveLength(2);
    expect(j.patches[0].layout.changes).toEqual([]); // the split moves no byte
    // patch 2 edits the header patch 1 created: VMAP MB(128) = 0x8000000, + GB(1) - MB(128) = 0x40000000
    const moved = { start: '0x8000000', end: '0x40000000', size: '0x38000000' };
    expect(j.patches[1].layout.changes).toEqual([
      {
        name: 'VMAP',
        change: 'moved',
        before: { start: '0x10000000', end: '0x40000000', size: '0x30000000' },
        after: moved,
      },
    ]);
    expect(j.patches[1].findings.map((x: { id: string }) => x.id)).not.toContain('no-base');
    expect(j.cumulative.changes.map((c: Change) => [c.name, c.change])).toEqual([['VMAP', 'moved']]);
    expect(j.cumulative.applied).toEqual([
      'xen/arch/arm/include/asm/config.h',
      'xen/arch/arm/include/asm/mmu/layout.h',
    ]);
  });
  it('a single mail keeps the single-patch JSON shape', async () => {
    const { j } = await json([`${H}2023-split-mmu-layout.patch`, '--base', 'headers/2023-dc98fa7-config.h']);
    expect(Object.keys(j)).toEqual(['subject', 'author', 'date', 'format', 'files', 'findings', 'layout']);
  });
});

describe('--base / --tree input errors', () => {
  it.each([
    [['x', '--base', 'a', '--tree', 'b'], /--tree and --base: give one of them/],
    [[`${H}treewide-config.patch`, '--base', 'missing-file.h'], /--base missing-file.h: cannot read/],
  ])('exit 2 with one line for %j', async (args, re) => {
    const f = fakeIo();
    const io: CliIo = { ...f.io, readFile: (p) => (p === 'x' ? 'diff' : f.io.readFile(p)) };
    expect(await patch(args, io)).toBe(2);
    expect(f.err).toHaveLength(1);
    expect(f.err[0]).toMatch(re);
  });
});
