/**
 * Issue 13 item 1: a path-valued setting (xenMemory.layoutSource) cannot read outside the
 * workspace, cannot block on a FIFO, cannot stream /dev/zero, cannot read past the size cap.
 * On a real temp dir: files, a directory, a FIFO (mkfifo), symlinks in, out and in a loop.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core';
import { isInside, readWorkspaceFile, resolveSettingPath } from '../../../src/extension/workspaceFile';
import { settingPath } from '../../../scripts/fuzz';
import { Rng } from '../../../scripts/lib/rng';

const CAP = 4096;
let base: string;
let ws: string;
let out: string;

/** what the extension does with a setting value: resolve lexically, then read safely */
async function load(value: string): Promise<string> {
  const path = resolveSettingPath(value, [ws], 'xenMemory.layoutSource');
  return readWorkspaceFile(path, { folders: [ws], maxBytes: CAP, label: 'xenMemory.layoutSource' });
}

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    const m = (e as Error).message;
    expect(m).not.toContain('\n');
    return m;
  }
  throw new Error('expected an InputError');
}

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'xenlens-wsfile-')));
  ws = join(base, 'ws');
  out = join(base, 'outside');
  mkdirSync(join(ws, 'xen/include/asm-arm'), { recursive: true });
  mkdirSync(out);
  writeFileSync(join(ws, 'xen/include/asm-arm/config.h'), '#define A_VIRT_START 0x1000\n');
  writeFileSync(join(ws, 'exact.h'), 'x'.repeat(CAP));
  writeFileSync(join(ws, 'big.h'), 'x'.repeat(CAP + 1));
  writeFileSync(join(out, 'secret.h'), 'SECRET\n');
  symlinkSync(join(out, 'secret.h'), join(ws, 'out.h'));
  symlinkSync('xen/include/asm-arm/config.h', join(ws, 'in.h'));
  symlinkSync('/dev/zero', join(ws, 'zero.h'));
  symlinkSync(out, join(ws, 'outdir'));
  symlinkSync('loop2.h', join(ws, 'loop1.h'));
  symlinkSync('loop1.h', join(ws, 'loop2.h'));
  execFileSync('mkfifo', [join(ws, 'fifo.h')]);
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('path-valued settings stay inside the workspace', () => {
  it('reads a regular file by relative path, by absolute path inside, and through a symlink that stays inside', async () => {
    const want = '#define A_VIRT_START 0x1000\n';
    expect(await load('xen/include/asm-arm/config.h')).toBe(want);
    expect(await load(join(ws, 'xen/include/asm-arm/config.h'))).toBe(want);
    expect(await load('./xen/../xen/include/asm-arm/config.h')).toBe(want);
    expect(await load('in.h')).toBe(want);
  });

  it('refuses an absolute path outside and a `..` escape before touching the file system', async () => {
    expect(await errorOf(load('/etc/passwd'))).toMatch(/"\/etc\/passwd" is outside the workspace folder/);
    expect(await errorOf(load('../outside/secret.h'))).toMatch(/outside the workspace folder/);
    expect(await errorOf(load('xen/../../outside/secret.h'))).toMatch(/outside the workspace folder/);
    expect(await errorOf(load('/dev/zero'))).toMatch(/outside the workspace folder/);
    expect(() => resolveSettingPath('a.h', [], 'L')).toThrow(/no workspace folder is open/);
    expect(() => resolveSettingPath('a\0.h', [ws], 'L')).toThrow(/NUL/);
  });

  it('refuses symlinks that resolve outside (a file, /dev/zero, a directory)', async () => {
    expect(await errorOf(load('out.h'))).toBe(
      `xenMemory.layoutSource: resolves to ${join(out, 'secret.h')}, outside the workspace; expected a file inside it`,
    );
    expect(await errorOf(load('zero.h'))).toMatch(/resolves to \/dev\/zero, outside the workspace/);
    expect(await errorOf(load('outdir/secret.h'))).toMatch(/outside the workspace/);
    expect(await errorOf(load('loop1.h'))).toMatch(/too many levels of symbolic links/);
    expect(await errorOf(load('missing.h'))).toMatch(/no such file/);
  });

  it('refuses a FIFO, a directory and a device by their type, without opening them', async () => {
    // a FIFO opened for reading would block until a writer comes: the test would hang
    expect(await errorOf(load('fifo.h'))).toBe(
      'xenMemory.layoutSource: is a FIFO (named pipe); expected a regular file',
    );
    expect(await errorOf(load('xen'))).toBe('xenMemory.layoutSource: is a directory; expected a regular file');
    // /dev/zero has size 0 and never ends: refused by type (no containment check here)
    expect(await errorOf(readWorkspaceFile('/dev/zero', { maxBytes: CAP, label: 'L' }))).toBe(
      'L: is a character device; expected a regular file',
    );
  });

  it('enforces the size cap before reading (4096 bytes pass, 4097 do not)', async () => {
    expect((await load('exact.h')).length).toBe(CAP);
    expect(await errorOf(load('big.h'))).toBe('xenMemory.layoutSource: 4097 bytes is larger than the 4096 bytes cap');
  });

  it('isInside is by path segment, not by string prefix', () => {
    expect(isInside('/a/ws', '/a/ws')).toBe(true);
    expect(isInside('/a/ws', '/a/ws/x/y.h')).toBe(true);
    expect(isInside('/a/ws', '/a/ws2/y.h')).toBe(false);
    expect(isInside('/a/ws', '/a')).toBe(false);
    expect(isInside('/a/ws', '/a/ws/..foo')).toBe(true); // a file named "..foo" is inside
  });
});

describe('fuzz: hostile setting values (scripts/fuzz.ts settingPath)', () => {
  it('2,000 generated paths: text of a file inside, or a one-line InputError, never a hang', async () => {
    const names = [
      'xen',
      'xen/include/asm-arm/config.h',
      'in.h',
      'out.h',
      'zero.h',
      'fifo.h',
      'outdir',
      'loop1.h',
      'big.h',
    ];
    const rng = new Rng(13);
    let read = 0;
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      const value = settingPath(rng, names, ws, out);
      try {
        const text = await load(value);
        expect(text, value).not.toContain('SECRET');
        const real = realpathSync(resolveSettingPath(value, [ws], 'L'));
        expect(isInside(ws, real), value).toBe(true);
        read++;
      } catch (e) {
        if (!(e instanceof InputError)) throw new Error(`${JSON.stringify(value)}: ${String(e)}`, { cause: e });
        expect(e.message).not.toContain('\n');
        refused++;
      }
    }
    expect(read).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
