import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPatch } from '../../../src/core/patch/readPatch';
import { decodeQuotedPrintable, decodeHeaderWords } from '../../../src/core/patch/mail';
import { InputError } from '../../../src/core/errors';

const dir = new URL('../../fixtures/patches/', import.meta.url);
const read = (name: string) => readPatch(readFileSync(new URL(name, dir), 'utf8'), name);
const files = (p: ReturnType<typeof read>) => p.files.map((f) => [f.path, f.added, f.removed]);

describe('mbox / git format-patch', () => {
  const p = read('vlpt-config.mbox');
  it('reads the folded subject without [Xen-devel], From, Date', () => {
    expect(p.format).toBe('mbox');
    expect(p.subject).toBe('[PATCH v5 4/6] xen/arm: reserve the VLPT window in config.h');
    expect(p.author).toBe('Jaeyong Yoo <jaeyong.yoo@example.com>');
    expect(p.date).toBe('Thu, 14 Nov 2013 11:05:23 +0900');
  });
  it('counts +3 from two hunks; its diffstat agrees', () => {
    expect(files(p)).toEqual([['xen/include/asm-arm/config.h', 3, 0]]);
    expect(p.files[0]!.hunks.map((h) => [h.added, h.complete])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(p.findings.filter((f) => f.id === 'diffstat-mismatch')).toEqual([]);
  });
  it('adds VIRT_LIN_P2M 0x08000000-0x10000000 (exclusive end = VMAP_VIRT_START)', () => {
    expect(p.layout.changes.map((c) => [c.name, c.change, c.after?.start, c.after?.end])).toEqual([
      ['VIRT_LIN_P2M', 'added', 0x08000000, 0x10000000],
    ]);
  });
});

describe('CRLF mail', () => {
  it('reads the same as the LF one', () => {
    const a = read('vlpt-config.mbox');
    const b = read('vlpt-config-crlf.mbox');
    expect(readFileSync(new URL('vlpt-config-crlf.mbox', dir), 'utf8')).toContain('\r\n');
    expect([b.subject, b.author, b.date, files(b)]).toEqual([a.subject, a.author, a.date, files(a)]);
    expect(b.layout.changes).toEqual(a.layout.changes);
  });
});

describe('quoted-printable mail', () => {
  const p = read('xenheap-qp.mbox');
  it('decodes RFC 2047 subject and author, and the QP body (=3D, soft breaks)', () => {
    expect(p.subject).toBe('[PATCH] xen/arm: shrink the xenheap to 512M — fixture');
    expect(p.author).toBe('Jörg Müller <jm@example.com>');
    expect(files(p)).toEqual([['xen/include/asm-arm/config.h', 2, 1]]);
    expect(p.files[0]!.hunks[0]!.lines).toContain('+#define XENHEAP_VIRT_END       _AT(vaddr_t,0x5fffffff)');
    expect(p.files[0]!.hunks[0]!.lines).toContain('+/* xenheap shrunk: end = 1.5G */');
  });
  it('shows XENHEAP resized to end at 0x60000000 and the comment map now disagreeing', () => {
    expect(p.layout.changes.map((c) => [c.name, c.change, c.before?.end, c.after?.end])).toEqual([
      ['XENHEAP', 'resized', 0x80000000, 0x60000000],
    ]);
    expect(p.findings.map((f) => f.id)).toEqual(['comment-map-mismatch']);
  });
  it('decoders: QP bytes are UTF-8; encoded words join', () => {
    expect(decodeQuotedPrintable('a=3Db =C3=A9=\nc')).toBe('a=b éc');
    expect(decodeHeaderWords('=?utf-8?B?SsO2cmc=?= <j@x>')).toBe('Jörg <j@x>');
  });
});

describe('truncated mail', () => {
  const p = read('vlpt-config-truncated.mbox');
  it('says hunk 2 cannot be rebuilt, counts what it read, and the diffstat disagrees', () => {
    expect(files(p)).toEqual([['xen/include/asm-arm/config.h', 2, 0]]);
    const ids = p.findings.map((f) => f.id);
    expect(ids).toContain('hunk-unrebuildable');
    expect(ids).toContain('hunk-not-applied');
    expect(p.findings.filter((f) => f.id === 'diffstat-mismatch')).toHaveLength(2);
    expect(p.findings.find((f) => f.id === 'hunk-unrebuildable')!.message).toMatch(/hunk 2 .*7 old \/ 9 new.*4 \/ 5/);
  });
  it("falls back to the hunk's own lines: VIRT_LIN_P2M still appears, ended by the comment row", () => {
    const c = p.layout.changes.find((x) => x.name === 'VIRT_LIN_P2M');
    expect(c?.after).toMatchObject({ start: 0x08000000, end: 0x10000000, endForm: 'comment' });
  });
});

describe('plain unified diff', () => {
  const p = read('vmap-move.diff');
  it('has no mail metadata; a stripped blank context line still counts', () => {
    expect([p.format, p.subject, p.author, p.date]).toEqual(['diff', null, null, null]);
    expect(files(p)).toEqual([['xen/include/asm-arm/config.h', 1, 1]]);
    expect(p.files[0]!.hunks[0]!.complete).toBe(true);
  });
  it('moves VMAP to 0x18000000', () => {
    expect(p.layout.changes.map((c) => [c.name, c.change, c.before?.start, c.after?.start])).toEqual([
      ['VMAP', 'moved', 0x10000000, 0x18000000],
    ]);
  });
});

describe('web-archive repairs', () => {
  const mbox = readFileSync(new URL('vlpt-config.mbox', dir), 'utf8');
  // render like the archive: NBSP for leading spaces, every line doubled, context lines
  // that start with a space lose it, and the blank context line of hunk 2 vanishes entirely
  const diff = mbox.slice(mbox.indexOf('diff --git'), mbox.indexOf('-- \n'));
  const page =
    '[Date Prev][Date Next]\n\n[Xen-devel] [PATCH] vlpt window\n\n\n' +
    diff
      .split('\n')
      .filter((l) => l !== ' ')
      .map((l) => (l.startsWith(' ') ? l.slice(1) : l).replace(/^( +)/, (s) => '\u00a0'.repeat(s.length)))
      .join('\n\n');
  const p = readPatch(page, 'page.txt');
  it('restores the vanished blank context line from the @@ counts and says so', () => {
    expect(p.format).toBe('archive');
    expect(p.subject).toBe('[PATCH] vlpt window');
    expect(files(p)).toEqual([['xen/include/asm-arm/config.h', 3, 0]]);
    expect(p.findings.find((f) => f.id === 'hunk-rebuilt')?.message).toMatch(/hunk 2 .*restored 1 blank/);
    expect(p.findings.some((f) => f.id === 'hunk-not-applied')).toBe(false);
    expect(p.layout.changes.map((c) => c.name)).toEqual(['VIRT_LIN_P2M']);
  });
  it('reports a hunk whose context does not match the base and uses its own lines', () => {
    const q = readPatch(diff.replace(/CONFIG_SEPARATE_XENHEAP 1/, 'CONFIG_SOMETHING_ELSE 1'), 'x.diff');
    expect(q.findings.filter((f) => f.id === 'hunk-not-applied').map((f) => f.message.slice(0, 6))).toEqual(['hunk 2']);
    expect(q.layout.changes.find((c) => c.name === 'VIRT_LIN_P2M')?.after).toMatchObject({
      start: 0x08000000,
      end: 0x10000000,
    });
  });
  it('a text without a diff is bad input', () => {
    expect(() => readPatch('hello\nworld\n', 'notes.txt')).toThrow(InputError);
    expect(() => readPatch('hello\nworld\n', 'notes.txt')).toThrow(/notes.txt: no unified diff found/);
  });
});
