// The extension's DAP side of Live Xen (src/extension/liveSession.ts, liveHover.ts, liveConfig.ts) against a debug
// session that answers like cdt-gdb-adapter over QEMU (FEASIBILITY.md: `threads`/`stackTrace` give nothing until
// `pause`; evaluate of a gdb expression; readMemory in physical mode) and serves the memory image recorded from
// Debian Xen 4.17 armhf (test/fixtures/live/armhf-running.*). Expected values: the entries gdb printed during the
// capture and hand arithmetic (as in test/unit/live/decode.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LiveSession, PageCache, type DapSession } from '../../../src/extension/liveSession';
import { liveHover } from '../../../src/extension/liveHover';
import { adapterConfig, checkHostPort } from '../../../src/extension/liveConfig';
import { readTable, usedEntries } from '../../../src/core/index';

const dir = join(__dirname, '../../fixtures/live');
const meta = JSON.parse(readFileSync(join(dir, 'armhf-running.json'), 'utf8'));
const bin = readFileSync(join(dir, 'armhf-running.bin'));
const pages = new Map<number, number>(meta.pages.map((p: string, i: number) => [Number(p), i]));

/** gdb's answers for the expressions the session sends, from the captured registers (decimal, as gdb prints) */
function gdbValues(regs: Record<string, string>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [name, v] of Object.entries(regs)) {
    const n = BigInt(v);
    m.set(`(unsigned int)($${name} >> 32)`, String(n >> 32n));
    m.set(`(unsigned int)$${name}`, String(n & 0xffffffffn));
  }
  return m;
}

class FakeAdapter implements DapSession {
  readonly id = 's1';
  readonly name = 'fake QEMU';
  running = true;
  log: string[] = [];
  readMemoryCalls = 0;
  constructor(
    readonly type: string,
    private readonly values = gdbValues(meta.registers),
  ) {}
  async customRequest(command: string, args?: any): Promise<unknown> {
    this.log.push(command === 'evaluate' ? `evaluate ${args.context} ${args.expression}` : command);
    switch (command) {
      case 'threads':
        if (this.running) throw new Error('Cannot execute this command while the target is running.');
        return { threads: [{ id: 1, name: 'CPU#0' }] };
      case 'stackTrace':
        return this.running ? undefined : { stackFrames: [{ id: 1000, instructionPointerReference: '0x002594d8' }] };
      case 'pause':
        this.running = false;
        return undefined;
      case 'evaluate': {
        if (args.context === 'repl') return { result: '' };
        const v = this.values.get(args.expression);
        if (v === undefined) throw new Error(`No symbol "${args.expression}" in current context.`);
        return { result: v };
      }
      case 'readMemory': {
        this.readMemoryCalls++;
        const addr = Number(args.memoryReference);
        const i = pages.get(addr - (addr % 4096));
        // gdb: an unreadable range comes back short
        if (i === undefined || addr % 4096 !== 0)
          return { address: args.memoryReference, data: '', unreadableBytes: args.count };
        return {
          address: args.memoryReference,
          data: bin.subarray(i * 4096, i * 4096 + args.count).toString('base64'),
        };
      }
      default:
        throw new Error(`unexpected request ${command}`);
    }
  }
}

describe('attach', () => {
  it('pauses a running target, switches QEMU to physical reads (`>` for cdt types), finds armhf, decodes the roots', async () => {
    const dap = new FakeAdapter('gdbtarget');
    const s = new LiveSession(dap, { arch: undefined, label: 'fake' });
    await s.attach({ pause: true, phys: true });
    expect(dap.log).toContain('pause');
    expect(dap.log).toContain('evaluate repl >maint packet Qqemu.PhyMemMode:1');
    expect(s.arch).toBe('armhf');
    expect(s.regs!.raw.map((r) => `${r.name}=${r.value}`)).toEqual([
      'HTTBR=0x4012a000',
      'VTTBR=0x10000bbffa000',
      'VTCR=0x80003558',
    ]);
    expect(s.regs!.pc).toBe('0x002594d8');
    expect(s.stage2).toMatchObject({ vmid: 1, rootPa: 0xbbffa000, ipaBits: 40, startLevel: 1, rootPages: 2 });
    expect(s.xenRoot).toEqual({ rootPa: 0x4012a000, startLevel: 1, rootPages: 1 });
  });
  it('no threads/stackTrace while the target is known to run: pause first, frames once the `stopped` event came', async () => {
    // cdt-gdb-adapter answers `threads` while running with its cached list, each thread flagged `running`; gdb
    // refuses `stackTrace` then ("Cannot execute this command while the target is running"), an error toast in VS Code
    const dap = new FakeAdapter('xen-live');
    let events: boolean | undefined = true; // a `continued` event was seen
    const refused: string[] = [];
    const answer = dap.customRequest.bind(dap);
    dap.customRequest = async (c, a) => {
      if (c === 'pause') setTimeout(() => (events = false), 250); // the adapter's `stopped` event, a little later
      if ((c === 'threads' || c === 'stackTrace') && dap.running) refused.push(c);
      if (c === 'pause') {
        dap.log.push('pause');
        return undefined;
      }
      return answer(c, a);
    };
    // the fake stops when its `stopped` event is sent
    const s = new LiveSession(dap, { arch: 'armhf', label: 'fake' }, undefined, 2000, () => {
      if (events === false) dap.running = false;
      return events;
    });
    await s.attach({ pause: true, phys: false });
    expect(refused).toEqual([]);
    expect(dap.log.slice(0, 3)).toEqual(['pause', 'threads', 'stackTrace']);
    expect(s.regs!.raw[0]).toEqual({ name: 'HTTBR', value: '0x4012a000' });
  });
  it('a thread flagged running (cdt-gdb-adapter) gets no stackTrace; the target is paused', async () => {
    const dap = new FakeAdapter('xen-live');
    const answer = dap.customRequest.bind(dap);
    const sent: string[] = [];
    dap.customRequest = async (c, a) => {
      sent.push(c);
      if (c === 'threads') return { threads: [{ id: 1, name: 'CPU#0', running: dap.running }] };
      if (c === 'stackTrace' && dap.running)
        throw new Error('Cannot execute this command while the target is running.');
      return answer(c, a);
    };
    const s = new LiveSession(dap, { arch: 'armhf', label: 'fake' });
    await s.attach({ pause: true, phys: false });
    expect(sent.slice(0, 4)).toEqual(['threads', 'pause', 'threads', 'stackTrace']);
    expect(s.regs!.pc).toBe('0x002594d8');
  });
  it('the arch comes from gdb’s pointer size first: no probe that the adapter refuses (arm64 gdb: "Invalid cast.")', async () => {
    const values = gdbValues(meta.registers);
    values.set('sizeof(void *)', '4');
    const dap = new FakeAdapter('xen-live', values);
    const s = new LiveSession(dap, { arch: undefined, label: 'fake' });
    await s.attach({ pause: true, phys: false });
    expect(s.arch).toBe('armhf');
    expect(dap.log.filter((l) => l.startsWith('evaluate ')).slice(0, 2)).toEqual([
      'evaluate watch sizeof(void *)',
      'evaluate watch (unsigned int)($HTTBR >> 32)',
    ]);
    expect(dap.log.some((l) => l.includes('TTBR0_EL2'))).toBe(false);
  });
  it('a target with neither HTTBR nor TTBR0_EL2 is one clear error', async () => {
    const s = new LiveSession(new FakeAdapter('xen-live', new Map()), { arch: undefined, label: 'x86' });
    await expect(s.attach({ pause: true, phys: false })).rejects.toThrow(/neither HTTBR nor TTBR0_EL2/);
  });
  it('a target that never stops: "did not stop", not a hang', async () => {
    const dap = new FakeAdapter('xen-live');
    dap.customRequest = async (c) => {
      if (c === 'threads') throw new Error('running');
      return undefined;
    };
    const s = new LiveSession(dap, { arch: 'armhf', label: 'stuck' }, undefined, 500);
    await expect(s.attach({ pause: true, phys: false })).rejects.toThrow(/did not stop/);
  });
});

describe('arm64 idle pitfall: break at the next guest entry', () => {
  it('continues to the instruction breakpoint, asks for no frame until the `stopped` event, clears the breakpoint, re-reads', async () => {
    const dap = new FakeAdapter('xen-live');
    let runs: boolean | undefined = false;
    const answer = dap.customRequest.bind(dap);
    const whileRunning: string[] = [];
    dap.customRequest = async (c, a) => {
      if (runs && c !== 'setInstructionBreakpoints') whileRunning.push(c);
      if (c === 'setInstructionBreakpoints') {
        dap.log.push(`${c} ${a.breakpoints.map((b: { instructionReference: string }) => b.instructionReference)}`);
        return { breakpoints: [] };
      }
      if (c === 'continue') {
        dap.log.push(c);
        dap.running = true;
        runs = true; // the `continued` event
        setTimeout(() => {
          dap.running = false; // the breakpoint hits: the `stopped` event
          runs = false;
        }, 600);
        return {};
      }
      return answer(c, a);
    };
    const s = new LiveSession(dap, { arch: 'armhf', label: 'fake' }, undefined, 2000, () => runs);
    await s.attach({ pause: true, phys: false });
    const gen = s.generation;
    await s.breakAtGuestEntry('0x0025a000');
    expect(whileRunning).toEqual([]);
    const from = dap.log.indexOf('setInstructionBreakpoints 0x0025a000');
    expect(dap.log.slice(from, from + 4)).toEqual([
      'setInstructionBreakpoints 0x0025a000',
      'continue',
      'threads',
      'stackTrace',
    ]);
    expect(dap.log).toContain('setInstructionBreakpoints ');
    expect(s.generation).toBe(gen + 1);
  });
});

describe('reads', () => {
  it('the 2-page p2m root is two readMemory requests once, then cached', async () => {
    const dap = new FakeAdapter('xen-live');
    const s = new LiveSession(dap, { arch: 'armhf', label: 'fake' });
    await s.attach({ pause: true, phys: false });
    const root = await readTable(s.read, 'p2m', 0xbbffa000, 1, 0, 2);
    expect(usedEntries(root).map((e) => e.raw)).toEqual(['0x00800000bbfe97ff', '0x00800000bbfe67ff']);
    expect(dap.readMemoryCalls).toBe(2);
    await readTable(s.read, 'p2m', 0xbbffa000, 1, 0, 2);
    expect(dap.readMemoryCalls).toBe(2);
  });
  it('an unreadable page is an error naming the address; above 4 GiB on armhf is refused before asking', async () => {
    const s = new LiveSession(new FakeAdapter('xen-live'), { arch: 'armhf', label: 'fake' });
    await s.attach({ pause: true, phys: false });
    await expect(s.read(0x1000, 8)).rejects.toThrow(/readMemory at 0x1000: 0 of 4096 bytes readable/);
    await expect(s.read(0x1_0000_0000, 8)).rejects.toThrow(/above 4 GiB: an arm32 gdb/);
  });
  it('PageCache: LRU bounded by its capacity, concurrent misses share one request, oversize reads refused', async () => {
    let fetches = 0;
    const c = new PageCache(async (p) => {
      fetches++;
      return new Uint8Array(4096).fill(p / 4096);
    }, 2);
    const [a, b] = await Promise.all([c.read(0x1000, 4), c.read(0x1004, 4)]);
    expect([a[0], b[0], fetches]).toEqual([1, 1, 1]);
    // a read across a page boundary takes the tail of one page and the head of the next
    expect([...(await c.read(0x2ffe, 4))]).toEqual([2, 2, 3, 3]);
    expect(c.size).toBe(2); // 0x1000 evicted
    await c.read(0x1000, 1);
    expect(fetches).toBe(4);
    await expect(c.read(0, 16 * 4096 + 1)).rejects.toThrow(/at most 65536 bytes/);
  });
});

describe('live hover', () => {
  it('GPA 0x60200000: L1[1] table, L2[257] 2 MiB block, machine address 0x60200000; seed VLPT slot 65 is free', async () => {
    const s = new LiveSession(new FakeAdapter('xen-live'), { arch: 'armhf', label: '127.0.0.1:1234' });
    await s.attach({ pause: true, phys: false });
    const md = (await liveHover(s, '0x60200000', 0x60200000))!;
    expect(md).toContain('**Xen Memory · live**');
    expect(md).toContain('| L1 | 0xbbffa000 | 1 | `0x00800000bbfe67ff` | table |');
    expect(md).toContain('| L2 | 0xbbfe6000 | 257 | `0x00800000602007fd` | block 2 MiB, p2m\\_ram\\_rw |');
    expect(md).toContain('live: MFN **0x60200**, machine address **0x60200000**');
    // 0x08000000 + 0x60200 * 8 = 0x08301000, slot 0x08301000 >> 21 = 65
    expect(md).toContain('seed VLPT: PTE at Xen VA 0x08301000, xen_second slot 65 — free in the live xen_second');
  });
  it('an invalidated entry on the way is said; an unmapped GPA gives the reason', async () => {
    const s = new LiveSession(new FakeAdapter('xen-live'), { arch: 'armhf', label: 'x' });
    await s.attach({ pause: true, phys: false });
    expect(await liveHover(s, 'g', 0x60001234)).toMatch(
      /invalidated block[\s\S]*machine address \*\*0x60001234\*\*[\s\S]*revalidates/,
    );
    expect(await liveHover(s, 'g', 0x90000000)).toContain('live: not mapped — level 1 entry 2 is empty');
  });
});

describe('detach', () => {
  it('our session: gdb `detach` (resumes QEMU) before anything else; a joined session is left alone', async () => {
    const own = new FakeAdapter('xen-live');
    const s = new LiveSession(own, { arch: 'armhf', label: 'x' });
    await s.attach({ pause: true, phys: false });
    await s.detach(true);
    expect(own.log.at(-1)).toBe('evaluate repl >detach');
    await expect(s.read(0xbbffa000, 8)).rejects.toThrow(/detached/);
    const joined = new FakeAdapter('cppdbg');
    const j = new LiveSession(joined, { arch: 'armhf', label: 'y' });
    await j.attach({ pause: true, phys: false });
    const n = joined.log.length;
    await j.detach(false);
    expect(joined.log.length).toBe(n);
  });
});

describe('launch configuration', () => {
  it('host:port is checked with one line', () => {
    expect(checkHostPort('127.0.0.1:1234')).toBeNull();
    expect(checkHostPort('[::1]:1234')).toBeNull();
    expect(checkHostPort('localhost')).toMatch(/"localhost" is not host:port/);
    expect(checkHostPort('h:70000')).toMatch(/port 70000 is outside 1–65535/);
  });
  it('becomes cdt-gdb-adapter attach arguments; the physical-memory packet always comes first', () => {
    expect(
      adapterConfig({
        type: 'xen-live',
        request: 'attach',
        name: 'n',
        gdbstub: ' 127.0.0.1:1234 ',
        xenSyms: '/x/xen-syms',
        initCommands: ['set debug remote 1'],
      }),
    ).toMatchObject({
      gdb: 'gdb-multiarch',
      target: { type: 'remote', parameters: ['127.0.0.1:1234'] },
      program: '/x/xen-syms',
      initCommands: ['maint packet Qqemu.PhyMemMode:1', 'set debug remote 1'],
    });
  });
});
