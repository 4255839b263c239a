/**
 * Issue 13 item 6: the steps between a workspace patch and its Problems entries, each linear.
 * Measured before the fix (best of one, this machine): the patch-detection regex on 20k / 40k
 * `+++` lines without a hunk 789 ms / 2,846 ms; placing 2k / 4k hunk findings 1,127 ms /
 * 2,774 ms; comparing a diffstat of 2k / 4k rows 317 ms / 1,375 ms; `_ADDR(n)` macros rose
 * too (one `some` over the region starts per macro). Each check here: the result on a small
 * hand-checked input, then time(2n) / time(n) from the fuzz's own growing-input shapes.
 */
import { describe, expect, it } from 'vitest';
import { parseHeaders, readPatch, type PatchInfo } from '../../../src/core';
import { compareDiffstat, parseDiffstat } from '../../../src/core/patch/diffstat';
import type { FileDiff } from '../../../src/core/patch/diff';
import { hasDiff, isPatchFile, PatchLines, patchFindingLines } from '../../../src/extension/patchText';
import { addrMacros, diffstatRows, plusWithoutHunks } from '../../../scripts/fuzz';

const head = '--- a/xen/include/asm-arm/config.h\n+++ b/xen/include/asm-arm/config.h\n';
const file = (path: string, added: number, removed: number) => ({ path, added, removed }) as unknown as FileDiff;

describe('patch detection: one sweep over the lines', () => {
  it('a +++ header line and a later hunk line, at any line break a multiline ^ knows', () => {
    expect(hasDiff('+++ b/x\n@@ -1 +1 @@\n')).toBe(true);
    expect(hasDiff('+++ b/x\r@@ -1,2 +1,3 @@')).toBe(true);
    expect(hasDiff(' \u00a0+++ b/x\r\n  @@ -10 +10,0 @@ f()')).toBe(true);
    expect(hasDiff('@@ -1 +1 @@\n+++ b/x\n')).toBe(false); // hunk before the file header
    expect(hasDiff('+++ b/x @@ -1 +1 @@\n')).toBe(false); // same line
    expect(hasDiff('+++ \n@@ -1 +1 @@\n')).toBe(false); // no file name
    expect(hasDiff('+++ b/x\n@@ -1 +a @@\n')).toBe(false);
    expect(isPatchFile('x.txt', plusWithoutHunks(10_000))).toBe(false);
    expect(isPatchFile('x.txt', plusWithoutHunks(1_000) + '@@ -1 +1 @@\n')).toBe(true);
  });
});

describe('findings placed on lines from one index', () => {
  /** n hunks on config.h that apply nowhere: one hunk-not-applied finding each */
  const manyHunkFindings = (n: number): { lines: string[]; info: PatchInfo } => {
    let t = head;
    for (let i = 0; i < n; i++)
      t += `@@ -${i * 3 + 1000},1 +${i * 3 + 1000},1 @@\n-#define A${i} 1\n+#define A${i} 2\n`;
    return { lines: t.split('\n'), info: readPatch(t, 'x.patch') };
  };

  it('each hunk finding on its own @@ line (hand-counted: 2 header lines, then 3 per hunk)', () => {
    const { lines, info } = manyHunkFindings(5);
    const at = patchFindingLines(lines, info);
    const hunks = info.findings.filter((f) => f.id === 'hunk-not-applied');
    expect(hunks.map((f) => at(f))).toEqual([2, 5, 8, 11, 14]);
  });

  it('PatchLines answers like the line regexes it replaces', () => {
    const lines = [
      'Subject: [PATCH] x', // 0
      ' xen/include/asm-arm/xarm32/page.h | 2 +-', // 1: another file, same last characters
      ' .../asm-arm/arm32/page.h | 41 ++--', // 2
      'diff --git a/dir name/a b.h b/dir name/a b.h', // 3: a path with spaces
      '+++ b/dir name/a b.h', // 4
      '+++ b/xen/x.h', // 5
      '  #define FOO_VIRT_START 1', // 6: kept
      '@@ -1,2 +1,3 @@ ctx', // 7
      '+ #define FOO_VIRT_START 2', // 8: added
      '  @@ -1,2 +1,3 @@', // 9
      '+#define FOO_VIRT_STARTX 3', // 10: another macro
    ];
    const at = new PatchLines(lines);
    expect(at.fileHeader('dir name/a b.h')).toBe(3);
    expect(at.fileHeader('dir name/a')).toBe(3); // `diff --git a/dir name/a ` is a prefix of line 3, as the regex said
    expect(at.fileHeader('dir name')).toBe(-1);
    expect(at.fileHeader('xen/x.h')).toBe(5);
    expect(at.fileHeader('b/xen/x.h')).toBe(5); // `+++ (b/)?b/xen/x.h`: the `b/` is optional
    expect(at.statRow('arm32/page.h')).toBe(2);
    expect(at.statRow('xarm32/page.h')).toBe(1);
    expect(at.statRow('page.h')).toBe(1);
    expect(at.define('FOO_VIRT_START')).toBe(8);
    expect(at.define('FOO_VIRT_START', 9)).toBe(-1);
    expect(at.define('FOO_VIRT_STARTX', 9)).toBe(10);
    expect(new PatchLines(lines.slice(0, 8)).define('FOO_VIRT_START')).toBe(6);
    expect(at.hunk('@@ -1,2 +1,3 @@', 0)).toBe(7);
    expect(at.hunk('@@ -1,2 +1,3 @@', 8)).toBe(9);
    expect(at.hunk('@@ -1,2 +1,3 @@', 10)).toBe(-1);
    expect(at.hunk('@@ -1 +1 @@', 0)).toBe(-1);
    // and against the line regexes themselves (the code before the index), on every query above
    const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const first = (re: RegExp, from = 0) => {
      for (let i = from; i < lines.length; i++) if (re.test(lines[i]!)) return i;
      return -1;
    };
    for (const p of ['dir name/a b.h', 'dir name/a', 'dir name', 'xen/x.h', 'b/xen/x.h', 'x.h']) {
      const git = first(new RegExp(`^\\s*diff --git a/${esc(p)} `));
      expect(at.fileHeader(p), p).toBe(git >= 0 ? git : first(new RegExp(`^\\s*\\+\\+\\+ (b/)?${esc(p)}(\\s|$)`)));
    }
    for (const m of ['FOO_VIRT_START', 'FOO_VIRT_STARTX', 'FOO'])
      for (const from of [0, 7, 9]) {
        const added = first(new RegExp(`^\\s*\\+\\s*#\\s*define\\s+${m}\\b`), from);
        const any = first(new RegExp(`^\\s*[+ ]?\\s*#\\s*define\\s+${m}\\b`), from);
        expect(at.define(m, from), `${m} from ${from}`).toBe(added >= 0 ? added : any);
      }
    for (const from of [0, 7, 8, 10])
      expect(at.hunk('@@ -1,2 +1,3 @@', from)).toBe(first(/^\s*@@ -1,2 \+1,3 @@/, from));
  });

  it('diffstat rows: each mismatch finding sits on its own row', () => {
    const t = diffstatRows(3 * 110);
    const info = readPatch(t, 'x.patch');
    const at = patchFindingLines(t.split('\n'), info);
    // 0-based lines of the mail: Subject, blank, ---, then the three rows (3 lines changed each,
    // the hunks give 2) and the summary (6 insertions claimed, the hunks give 3)
    expect(info.findings.filter((f) => f.id === 'diffstat-mismatch').map((f) => at(f))).toEqual([3, 4, 5, 6]);
  });
});

describe('diffstat against the hunks', () => {
  it('a row names a file by path, or by the tail after "..."; the first unmatched file in patch order wins', () => {
    const stat = parseDiffstat(
      [' .../arm32/page.h | 2 +-', ' .../arm32/page.h | 4 ++--', ' xen/a.c | 1 +', ' xen/gone.c | 3 +++', ''].join(
        '\n',
      ),
    )!;
    const files = [
      file('xen/include/asm-arm/arm64/page.h', 1, 1),
      file('xen/include/asm-arm/arm32/page.h', 1, 1),
      file('xen/a.c', 1, 0),
      file('xen/arch/arm32/page.h', 2, 2),
      file('xen/new.c', 5, 0),
    ];
    expect(compareDiffstat(stat, files, 'x.patch').map((f) => `${f.file}: ${f.message}`)).toEqual([
      'xen/gone.c: diffstat lists xen/gone.c (3 lines) but the patch has no diff for it',
      'xen/include/asm-arm/arm64/page.h: the patch changes xen/include/asm-arm/arm64/page.h (+1 -1) but the diffstat does not list it',
      'xen/new.c: the patch changes xen/new.c (+5 -0) but the diffstat does not list it',
    ]);
  });
});

describe('`_ADDR(n)` region starts', () => {
  it('each `<STEM>_ADDR(n)` is a region at `_ADDR(0)`', () => {
    const l = parseHeaders([{ path: 'config.h', text: addrMacros(3 * 52) }], { arch: 'arm32', source: 'x' });
    expect(l.regions.map((r) => [r.name, r.start])).toEqual([
      ['R0', 0],
      ['R1', 0x1000],
      ['R2', 0x2000],
    ]);
  });
});
