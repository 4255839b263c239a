import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run as layout } from '../../../src/cli/layout';
import { run as lint } from '../../../src/cli/lint';
import type { CliIo } from '../../../src/cli/io';

const dir = new URL('../../fixtures/headers/', import.meta.url);
function fakeIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    readFile: (p) => {
      if (p === 'missing.h') throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: 'ENOENT' });
      return readFileSync(new URL(p, dir), 'utf8');
    },
  };
  return { io, out, err };
}

describe('xenlens layout', () => {
  it('--json without --config: the embedded seed layout with the contract keys, hex strings', async () => {
    const f = fakeIo();
    expect(await layout(['--json'], f.io)).toBe(0);
    const j = JSON.parse(f.out.join(''));
    expect(Object.keys(j).sort()).toEqual(['arch', 'commentMap', 'regions', 'source', 'warnings']);
    const v = j.regions.find((r: { name: string }) => r.name === 'VIRT_LIN_P2M');
    expect(v).toMatchObject({
      start: '0x8000000',
      end: '0x10000000',
      size: '0x8000000',
      startMacro: 'VIRT_LIN_P2M_START',
      endMacro: 'VIRT_LIN_P2M_END',
      endForm: 'exclusive',
    });
    expect(Object.keys(v)).toEqual(
      expect.arrayContaining(['name', 'start', 'end', 'size', 'startMacro', 'endMacro', 'endForm', 'line']),
    );
    expect(f.err).toEqual([]);
  });
  it('reads several --config files together (current config.h + mmu/layout.h), arm64', async () => {
    const f = fakeIo();
    expect(
      await layout(
        ['--config', 'c447b73-config.h', '--config', 'c447b73-mmu-layout.h', '--arch', 'arm64', '--json'],
        f.io,
      ),
    ).toBe(0);
    const j = JSON.parse(f.out.join(''));
    expect(j.arch).toBe('arm64');
    expect(j.regions.find((r: { name: string }) => r.name === 'XEN')).toMatchObject({
      start: '0xa0000200000',
      end: '0xa0000a00000',
      line: 55,
    });
  });
  it('human table fits 80 columns', async () => {
    const f = fakeIo();
    expect(await layout(['--config', '2019-0e623fa-config.h'], f.io)).toBe(0);
    const table = f.out.join('\n').split('\n\ncomment map:')[0]!;
    expect(Math.max(...table.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
  });
  it.each([
    [['--arch', 'arm65'], /--arch: "arm65" is not arm32 or arm64/],
    [['--bogus'], /bogus/],
    [['--config', 'missing.h'], /--config missing.h: cannot read \(ENOENT\)/],
    [['--config', 'broken-garbage.h'], /no region macros/],
  ])('exit 2 with one stderr line for %j', async (args, re) => {
    const f = fakeIo();
    expect(await layout(args, f.io)).toBe(2);
    expect(f.err).toHaveLength(1);
    expect(f.err[0]).toMatch(re);
    expect(f.err[0]).not.toMatch(/\n|at .*\.ts/);
    expect(f.out).toEqual([]);
  });
});

describe('xenlens lint', () => {
  it('--json: findings with id, severity, file, line, message; exit 0 even with findings', async () => {
    const f = fakeIo();
    expect(await lint(['2013-ac6e1ae-config.h', 'broken-unterminated-if.h', '--json'], f.io)).toBe(0);
    const j = JSON.parse(f.out.join(''));
    expect(Object.keys(j)).toEqual(['findings']);
    expect(j.findings.map((x: { id: string; file: string; line: number }) => [x.id, x.file, x.line])).toEqual([
      ['comment-map-mismatch', '2013-ac6e1ae-config.h', 97],
      ['preprocessor', 'broken-unterminated-if.h', 4],
    ]);
    expect(Object.keys(j.findings[0]).sort()).toEqual(['file', 'id', 'line', 'message', 'severity']);
  });
  it('exit 2 on unreadable input or no file', async () => {
    const f = fakeIo();
    expect(await lint(['2013-ac6e1ae-config.h', 'missing.h'], f.io)).toBe(2);
    expect(f.err).toEqual(['xenlens lint: FILE missing.h: cannot read (ENOENT)']);
    const g = fakeIo();
    expect(await lint(['--json'], g.io)).toBe(2);
    expect(g.err[0]).toMatch(/FILE: expected at least one header file/);
  });
});
