/**
 * Issue 13 item 1 follow-up: the tree-header reader (readHeader, used by tree discovery, the
 * layout, CodeLens and the Problems panel) reads through the one bounded reader (readUri): a FIFO
 * named like a layout header, a header over the cap, a symlink out of the workspace and a
 * directory give null (not a hang, not a huge read); an open document's text wins over the disk.
 * `vscode` is replaced by the few members these functions use; the files are real (temp dir).
 */
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const state = vi.hoisted(() => ({
  folders: [] as Array<{ uri: { scheme: string; fsPath: string; toString(): string } }>,
  docs: [] as Array<{ uri: { toString(): string }; getText(): string }>,
  fsReads: 0,
}));

vi.mock('vscode', () => {
  const file = (p: string) => ({ scheme: 'file', fsPath: p, path: p, toString: () => `file://${p}` });
  return {
    Uri: { file },
    FileType: { File: 1, Directory: 2, SymbolicLink: 64 },
    workspace: {
      get workspaceFolders() {
        return state.folders;
      },
      get textDocuments() {
        return state.docs;
      },
      asRelativePath: (u: { fsPath: string }) => relative(state.folders[0]!.uri.fsPath, u.fsPath),
      fs: {
        stat: () => {
          state.fsReads++;
          throw new Error('a file: URI must not go through workspace.fs');
        },
        readFile: () => {
          state.fsReads++;
          throw new Error('a file: URI must not go through workspace.fs');
        },
      },
    },
  };
});

import { readHeader, readUri } from '../../../src/extension/workspaceRead';
import { MAX_HEADER_BYTES } from '../../../src/extension/lintFiles';

let base: string;
let ws: string;
const uri = (p: string) =>
  ({ scheme: 'file', fsPath: p, path: p, toString: () => `file://${p}` }) as unknown as import('vscode').Uri;

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'xenlens-wsread-')));
  ws = join(base, 'ws');
  mkdirSync(join(ws, 'xen/include/asm-arm'), { recursive: true });
  writeFileSync(join(ws, 'xen/include/asm-arm/config.h'), '#define XEN_VIRT_START 0x00200000\n');
  execFileSync('mkfifo', [join(ws, 'xen/include/asm-arm/fifo.h')]);
  writeFileSync(join(ws, 'xen/include/asm-arm/big.h'), 'x'.repeat(MAX_HEADER_BYTES + 1));
  writeFileSync(join(ws, 'xen/include/asm-arm/at-cap.h'), 'y'.repeat(MAX_HEADER_BYTES));
  writeFileSync(join(base, 'secret.h'), '#define SECRET 1\n');
  symlinkSync(join(base, 'secret.h'), join(ws, 'xen/include/asm-arm/out.h'));
  mkdirSync(join(ws, 'xen/include/asm-arm/dir.h'));
  state.folders = [{ uri: uri(ws) }];
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('readHeader reads through the bounded readUri', () => {
  const h = (name: string) => uri(join(ws, 'xen/include/asm-arm', name));

  it('reads a regular header inside the workspace, up to and including the cap', async () => {
    expect(await readHeader(h('config.h'))).toBe('#define XEN_VIRT_START 0x00200000\n');
    expect((await readHeader(h('at-cap.h')))?.length).toBe(MAX_HEADER_BYTES);
  });

  it('gives null for a FIFO (without blocking), a header over the cap, a directory, a symlink out, a missing file', async () => {
    for (const n of ['fifo.h', 'big.h', 'dir.h', 'out.h', 'missing.h']) expect(await readHeader(h(n)), n).toBeNull();
  });

  it('prefers an open document, unsaved text included, even where the disk holds a FIFO', async () => {
    state.docs = [{ uri: h('fifo.h'), getText: () => '#define EDITED 1\n' }];
    try {
      expect(await readHeader(h('fifo.h'))).toBe('#define EDITED 1\n');
    } finally {
      state.docs = [];
    }
  });

  it('readUri says why, in one line naming the file', async () => {
    await expect(readUri(h('fifo.h'), 'xen/include/asm-arm/fifo.h')).rejects.toThrow(
      'xen/include/asm-arm/fifo.h: is a FIFO (named pipe); expected a regular file',
    );
    await expect(readUri(h('big.h'), 'big.h', MAX_HEADER_BYTES)).rejects.toThrow(/larger than the 1 MiB cap/);
    expect(state.fsReads).toBe(0);
  });
});

describe('one reader of workspace files', () => {
  it('no extension module but workspaceRead.ts reads files itself (vscode fs.readFile or node fs)', () => {
    const dir = new URL('../../../src/extension/', import.meta.url).pathname;
    const readers = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) =>
        /workspace\.fs\.readFile|\breadFile(Sync)?\(|from 'node:fs/.test(readFileSync(join(dir, f), 'utf8')),
      )
      .sort();
    // workspaceFile.ts is the node-side bounded read readUri delegates to; scenarioView.ts reads a
    // scenario the user picked (possibly outside the workspace) after its own stat and 4 MiB check
    expect(readers).toEqual(['scenarioView.ts', 'workspaceFile.ts', 'workspaceRead.ts']);
  });
});
