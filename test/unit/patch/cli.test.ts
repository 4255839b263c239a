import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run as patch } from '../../../src/cli/patch';
import type { CliIo } from '../../../src/cli/io';

const SEED = '/work/shared/seed/000_974eeb85a7679583.txt';
const fixtures = new URL('../../fixtures/', import.meta.url);
function fakeIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    readFile: (p) => {
      if (p === 'seed') return readFileSync(SEED, 'utf8');
      if (p === 'missing') throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return readFileSync(new URL(p, fixtures), 'utf8');
    },
  };
  return { io, out, err };
}

describe('xenlens patch', () => {
  it('--json on the seed: the contract keys, six files, two diffstat findings, VIRT_LIN_P2M added', async () => {
    const f = fakeIo();
    expect(await patch(['seed', '--json'], f.io)).toBe(0);
    const j = JSON.parse(f.out.join(''));
    expect(Object.keys(j)).toEqual(
      expect.arrayContaining(['subject', 'author', 'date', 'files', 'findings', 'layout']),
    );
    expect(j.date).toBeNull();
    expect(j.files).toHaveLength(6);
    expect(j.files[2]).toEqual({
      path: 'xen/include/asm-arm/arm32/page.h',
      oldPath: 'xen/include/asm-arm/arm32/page.h',
      status: 'modified',
      added: 28,
      removed: 10,
    });
    expect(j.findings.filter((x: { id: string }) => x.id === 'diffstat-mismatch')).toHaveLength(2);
    for (const x of j.findings)
      expect(Object.keys(x)).toEqual(expect.arrayContaining(['id', 'severity', 'file', 'message']));
    expect(Object.keys(j.layout)).toEqual(expect.arrayContaining(['before', 'after', 'changes']));
    expect(j.layout.changes).toEqual([
      {
        name: 'VIRT_LIN_P2M',
        change: 'added',
        before: null,
        after: { start: '0x8000000', end: '0x10000000', size: '0x8000000' },
      },
    ]);
  });
  it('--base applies the hunks to a given header (2015 fixture: the context of both hunks differs, so their own lines are used)', async () => {
    const f = fakeIo();
    expect(await patch(['patches/vlpt-config.mbox', '--base', 'headers/2015-47ec25a-config.h', '--json'], f.io)).toBe(
      0,
    );
    const j = JSON.parse(f.out.join(''));
    expect(j.layout.base).toBe('headers/2015-47ec25a-config.h');
    expect(j.layout.changes.map((c: { name: string; change: string }) => [c.name, c.change])).toEqual([
      ['VIRT_LIN_P2M', 'added'],
    ]);
    expect(
      j.findings
        .filter((x: { id: string }) => x.id === 'hunk-not-applied')
        .map((x: { message: string }) => x.message.slice(0, 6)),
    ).toEqual(['hunk 1', 'hunk 2']);
  });
  it('human output names the subject and the change', async () => {
    const f = fakeIo();
    expect(await patch(['seed'], f.io)).toBe(0);
    const t = f.out.join('\n');
    expect(t).toMatch(/subject: \[PATCH v5 4\/6\] xen\/arm: Implement virtual-linear page table/);
    expect(t).toMatch(/VIRT_LIN_P2M\s+added\s+—\s+0x08000000–0x10000000/);
  });
  it.each([
    [[], /FILE: expected exactly one patch file, got 0/],
    [['a', 'b'], /got 2/],
    [['missing'], /FILE missing: cannot read \(ENOENT\)/],
    [['seed', '--base', 'missing'], /--base missing: cannot read/],
    [['seed', '--arch', 'x86'], /--arch/],
    [['headers/broken-garbage.h'], /no unified diff found/],
  ])('exit 2 with one stderr line for %j', async (args, re) => {
    const f = fakeIo();
    expect(await patch(args, f.io)).toBe(2);
    expect(f.err).toHaveLength(1);
    expect(f.err[0]).toMatch(re);
  });
});
