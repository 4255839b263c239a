/**
 * The hangs `npm run fuzz` saved while issue 13 item 6 was fixed (test/fixtures/fuzz-crashes): four xen-devel
 * archive pages whose one config.h diff repeats thousands of times (applyHunks reread the growing file for every
 * copy), and a header naming an expensive macro from many regions. The fuzzer's contract (a result or an
 * InputError), and the answer that ended the hang: the per-patch work cap's one `apply-cap` finding, and the
 * per-header expansion budget. No timing here: the fuzz's growing-input check measures that.
 */
import { describe, expect, it } from 'vitest';
import { parseHeaders, readPatch } from '../../../src/core';
import { contract, input } from './contract';

describe('saved fuzz hangs', () => {
  for (const hash of ['179e060197739354', '29341127600f6396', '4805b84dca6dcaf7', 'e395c6dc1f311191'])
    it(`archive page ${hash}: read, with the apply-cap finding`, { timeout: 60_000 }, () => {
      const { value } = contract(() => readPatch(input(hash), 'archive.html'));
      expect(value!.format).toBe('archive');
      expect(value!.findings.filter((f) => f.id === 'apply-cap')).toHaveLength(1);
    });

  it('header 3c716631e9cba5db: the regions naming the expensive macro hit the limit, VMAP still reads', () => {
    const { value } = contract(() =>
      parseHeaders([{ path: 'config.h', text: input('3c716631e9cba5db') }], { arch: 'arm32' }),
    );
    // its last lines: VMAP_VIRT_START _AT(vaddr_t, 0x10000000), VMAP_VIRT_END _AT(vaddr_t, 0x40000000)
    expect(value!.regions.map((r) => [r.name, r.start, r.end])).toEqual([['VMAP', 0x10000000, 0x40000000]]);
    expect(value!.warnings[0]).toBe('config.h:16: R0_VIRT_START: more than 20000 macro expansions');
  });
});
