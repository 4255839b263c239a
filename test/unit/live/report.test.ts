// xenlens live-report on the armhf capture. Expected: the live xen_second's non-empty slots as gdb read them
// (1, 2, 16-23, 128-130) and the emulated VLPT slot of the default guest (512 MiB at 0x80000000):
// 0x08000000 + (0x80000000 >> 12) * 8 = 0x08400000, slot 66.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';

const prefix = join(__dirname, '../../fixtures/live/armhf-running');
async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    readFile: (p) => readFileSync(p, 'utf8'),
  });
  return { code, out, err };
}

describe('xenlens live-report', () => {
  it('puts each emulated slot beside the live 4.17 entry at the same VA', async () => {
    const r = await run('live-report', '--image', prefix, '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out[0]!);
    expect(rows).toHaveLength(1024);
    const liveUsed = rows
      .filter((x: any) => x.liveTable === 'xen_second' && x.liveState !== 'empty')
      .map((x: any) => x.slot);
    expect(liveUsed).toEqual([1, 2, 16, 17, 18, 19, 20, 21, 22, 23, 128, 129, 130]);
    const s66 = rows[66];
    expect([s66.emulatedRegion, s66.emulatedValid, s66.liveState]).toEqual(['VIRT_LIN_P2M', true, 'empty']);
    expect([rows[512].liveTable, rows[512].liveRegion, rows[512].liveState]).toEqual(['root[1]', 'xenheap', 'block']);
  });
  it('a missing capture is one InputError line (exit 2)', async () => {
    const r = await run('live-report', '--image', '/nonexistent/cap');
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(/live-report: \/nonexistent\/cap\.json\/\.bin: .*expected a capture/);
  });
});
