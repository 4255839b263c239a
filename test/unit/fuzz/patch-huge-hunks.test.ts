/**
 * Regression (npm run fuzz, growing-input check of the patch reader): a config.h hunk of
 * 200,000 lines threw "RangeError: Maximum call stack size exceeded", because its lines were
 * spread as arguments (`lines.splice(pos, n, ...repl)` when applying, `push(...oldSide(h))` for
 * the fallback of a hunk that does not apply).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPatch } from '../../../src/core';

const input = readFileSync(join(__dirname, '../../fixtures/fuzz-crashes/800a8cbf5cb746b7.txt'), 'utf8');

describe('patch reader: huge hunks', () => {
  it('a 200,000-line insertion applies and a 400,000-line hunk that does not apply falls back', () => {
    const p = readPatch(input, 'huge.diff');
    expect(p.files).toHaveLength(1);
    expect(p.files[0]!.hunks.map((h) => [h.added, h.removed, h.complete])).toEqual([
      [200000, 0, true],
      [200000, 200000, true],
    ]);
    expect(p.layout.applied).toEqual(['xen/include/asm-arm/config.h']);
    expect(p.findings.filter((f) => f.id === 'hunk-not-applied')).toHaveLength(1);
  });

  it('applying still splices in place for ordinary hunks', () => {
    const p = readPatch(
      '--- a/xen/include/asm-arm/config.h\n+++ b/xen/include/asm-arm/config.h\n@@ -0,0 +1,1 @@\n+#define NEW_VIRT_START 0x7000\n',
      'small.diff',
    );
    expect(p.layout.after.regions.some((r) => r.name === 'NEW' && r.start === 0x7000)).toBe(true);
  });
});
