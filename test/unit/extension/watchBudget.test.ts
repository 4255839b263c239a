/**
 * Issue 13 item 9: the file watchers of the Problems panel keep to the full scan's exclusions
 * and file cap. One definition of the excluded folders feeds the scan's glob and the watchers'
 * path test; a watcher event reads a file only if the scan could have read it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EXCLUDE_GLOB,
  EXCLUDED_DIRS,
  HEADER_GLOBS,
  isExcludedPath,
  MAX_FILES,
  MAX_SCAN_FILES,
  WatchBudget,
} from '../../../src/extension/lintFiles';

describe('excluded folders', () => {
  it('the scan glob is built from the same list the watchers test', () => {
    expect(EXCLUDE_GLOB).toBe('**/{node_modules,.git,.vscode-test,dist,out,build}/**');
    for (const d of EXCLUDED_DIRS) {
      expect(isExcludedPath(`${d}/x.patch`)).toBe(true);
      expect(isExcludedPath(`a/b/${d}/c/config.h`)).toBe(true);
      expect(isExcludedPath(`a/${d}`)).toBe(false); // a file of that name is no folder
    }
    expect(isExcludedPath('xen/include/asm-arm/config.h')).toBe(false);
    expect(isExcludedPath('builder/config.h')).toBe(false);
    expect(isExcludedPath('my.git/x.patch')).toBe(false);
    expect(isExcludedPath('a\\node_modules\\x.patch')).toBe(true);
  });

  it('the cap is the full scan’s: MAX_FILES for each header glob and the patch glob', () => {
    expect(MAX_SCAN_FILES).toBe(MAX_FILES * (HEADER_GLOBS.length + 1));
  });

  it('no extension module keeps its own exclude glob', () => {
    const dir = new URL('../../../src/extension/', import.meta.url).pathname;
    const own = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'lintFiles.ts')
      .filter((f) =>
        /findFiles\([^)]*'\*\*\/[^']*node_modules|const EXCLUDE\b/.test(readFileSync(join(dir, f), 'utf8')),
      );
    expect(own).toEqual([]);
  });
});

describe('WatchBudget', () => {
  it('skips excluded paths, reads known files, admits new ones up to the cap', () => {
    const b = new WatchBudget(3, 100);
    b.reset(['u:a', 'u:b']);
    expect(b.admit('node_modules/p/config.h', 'u:n', 0)).toBe('skip');
    expect(b.admit('.git/x.patch', 'u:g', 0)).toBe('skip');
    expect(b.admit('a', 'u:a', 0)).toBe('file');
    expect(b.admit('c', 'u:c', 0)).toBe('file'); // third file: at the cap now
    expect(b.admit('d', 'u:d', 0)).toBe('skip'); // the scan would not have read a fourth
    expect(b.admit('c', 'u:c', 0)).toBe('file'); // a known one still is
    b.forget('u:a');
    expect(b.admit('d', 'u:d', 0)).toBe('file');
    expect(b.size).toBe(3);
  });

  it('a burst of events becomes one full scan', () => {
    const b = new WatchBudget(1000, 64);
    b.reset([]);
    const out = Array.from({ length: 100 }, (_, i) => b.admit(`p${i}.patch`, `u:${i}`, i));
    expect(out.filter((x) => x === 'file')).toHaveLength(64);
    expect(out.slice(64).every((x) => x === 'rescan')).toBe(true);
  });

  it('reset keeps at most the cap (the scan itself never returns more)', () => {
    const b = new WatchBudget(5);
    b.reset(Array.from({ length: 50 }, (_, i) => `u:${i}`));
    expect(b.size).toBe(5);
    expect(b.admit('new.patch', 'u:new', 0)).toBe('skip');
  });
});
