/**
 * Live Xen over the Debug Adapter Protocol (issue 14): every request the extension sends to a debug adapter is in
 * this file. Registers come from DAP `evaluate` (gdb expressions on QEMU's EL2 registers), memory only from DAP
 * `readMemory`, so any adapter that implements it works (cdt-gdb-adapter through the `xen-live` type, or a
 * session the user already has). No `vscode` import: the session is anything with `customRequest`
 * (vscode.DebugSession is), which keeps this file unit-testable against a captured memory image.
 *
 * QEMU specifics (../shared/live-xen/FEASIBILITY.md): `maint packet Qqemu.PhyMemMode:1` makes gdb's memory
 * accesses physical; after attach cdt-gdb-adapter believes the target runs until it is paused; its `disconnect`
 * leaves QEMU paused, so `detach()` sends the gdb command `detach` first (repl `>detach`).
 */
import {
  decodeStage2,
  decodeXenRoot,
  findXenSecond,
  hex,
  InputError,
  parseReg64,
  readTable,
  type LiveArch,
  type LiveTable,
  type ReadPhys,
  type Reg64,
  type Stage2,
} from '../core/index';

/** The part of vscode.DebugSession used here. */
export interface DapSession {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  customRequest(command: string, args?: unknown): Thenable<unknown>;
}

/** The gdb expressions of the translation registers, per arch. QEMU 7.2 names them so (group cp_regs). */
export const REGISTERS: Record<LiveArch, { ttbr: string; vttbr: string; vtcr: string }> = {
  armhf: { ttbr: 'HTTBR', vttbr: 'VTTBR', vtcr: 'VTCR' },
  arm64: { ttbr: 'TTBR0_EL2', vttbr: 'VTTBR_EL2', vtcr: 'VTCR_EL2' },
};

/** gdb CLI commands through cdt-gdb-adapter's repl take a `>` prefix; gdb's own DAP (GDB ≥ 14) takes none. */
export function cliPrefix(sessionType: string): string {
  return sessionType === 'xen-live' || sessionType === 'gdbtarget' || sessionType === 'gdb' ? '>' : '';
}

export const PAGE = 4096;
/** pages kept (1 MiB): a p2m walk touches ≤ 4 tables, the Live view a few dozen */
export const CACHE_PAGES = 256;
/** the largest single read accepted (a 16-page concatenated root) */
export const MAX_READ = 16 * PAGE;

/** A bounded LRU of 4 KiB physical pages read through `fetch`; concurrent misses of a page share one request. */
export class PageCache {
  private readonly pages = new Map<number, Promise<Uint8Array>>();
  requests = 0;

  constructor(
    private readonly fetch: (pageAddr: number) => Promise<Uint8Array>,
    private readonly capacity = CACHE_PAGES,
  ) {}

  clear(): void {
    this.pages.clear();
  }

  get size(): number {
    return this.pages.size;
  }

  private page(pageAddr: number): Promise<Uint8Array> {
    const hit = this.pages.get(pageAddr);
    if (hit) {
      this.pages.delete(pageAddr); // most recently used goes last
      this.pages.set(pageAddr, hit);
      return hit;
    }
    this.requests++;
    const p = this.fetch(pageAddr);
    this.pages.set(pageAddr, p);
    p.catch(() => this.pages.delete(pageAddr)); // a failed read is retried next time
    while (this.pages.size > this.capacity) this.pages.delete(this.pages.keys().next().value as number);
    return p;
  }

  /** `len` bytes at physical `addr` (any alignment, at most MAX_READ). */
  readonly read: ReadPhys = async (addr, len) => {
    if (!Number.isSafeInteger(addr) || addr < 0 || !Number.isInteger(len) || len < 0 || len > MAX_READ) {
      throw new InputError(`read of ${len} bytes at ${hex(addr)}: expected an address and at most ${MAX_READ} bytes`);
    }
    const out = new Uint8Array(len);
    for (let done = 0; done < len;) {
      const at = addr + done;
      const off = at % PAGE;
      const n = Math.min(len - done, PAGE - off);
      const page = await this.page(at - off);
      out.set(page.subarray(off, off + n), done);
      done += n;
    }
    return out;
  };
}

export interface LiveRegisters {
  ttbr: Reg64;
  vttbr: Reg64;
  vtcr: number;
  /** the registers as read, for display: name → hex */
  raw: { name: string; value: string }[];
  pc: string | null;
}

export interface AttachInfo {
  /** undefined: found on attach (HTTBR exists only on an arm32 target, TTBR0_EL2 only on arm64) */
  arch: LiveArch | undefined;
  /** what the view says the session is (host:port, or the joined session's name) */
  label: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The attached Xen's xen_second, as the xen_second tree, the map and the live hover use it. */
export interface LiveXenSecond {
  /** "live · host:port" */
  label: string;
  arch: LiveArch;
  /** the root register it was found from (HTTBR / TTBR0_EL2) */
  from: string;
  pa: number;
  /** first VA the table maps (0 on arm32) */
  base: number;
  table: LiveTable;
}

/** One attached target: registers, stage-2 and Xen roots, and a page cache over DAP readMemory. */
export class LiveSession {
  readonly cache: PageCache;
  regs: LiveRegisters | undefined;
  stage2: Stage2 | undefined;
  xenRoot: { rootPa: number; startLevel: number; rootPages: number } | undefined;
  private frameId: number | undefined;
  private threadId: number | undefined;
  /** bumps on every re-read, so views can tell stale nodes from current ones */
  generation = 0;
  detached = false;

  constructor(
    readonly dap: DapSession,
    readonly info: AttachInfo,
    private readonly log: (line: string) => void = () => {},
    /** how long a paused target may take to report a stack frame */
    private readonly pauseWaitMs = 10_000,
    /**
     * Whether the target runs, from the adapter's `continued` / `stopped` events (undefined: no event yet). While it
     * runs, `threads` / `stackTrace` are not sent: gdb refuses them, and an adapter's refusal is an error toast.
     */
    private readonly targetRuns: () => boolean | undefined = () => undefined,
  ) {
    this.cache = new PageCache((pageAddr) => this.readMemory(pageAddr, PAGE));
  }

  get arch(): LiveArch {
    return this.info.arch ?? 'armhf';
  }

  private xs: { gen: number; p: Promise<LiveXenSecond> } | undefined;

  /**
   * Xen's xen_second (found by walking Xen's root for XEN_VIRT_START), decoded once per register read: the walk
   * and the one 4 KiB table go through the page cache, and the tree, the map and the hover share the result.
   * Rejects (with the reason) when it cannot be found or read; a failure is tried again on the next call.
   */
  xenSecond(): Promise<LiveXenSecond> {
    const regs = this.regs;
    if (!regs) return Promise.reject(new InputError('the live registers are not read yet'));
    if (this.xs?.gen !== this.generation) {
      const p = (async (): Promise<LiveXenSecond> => {
        const found = await findXenSecond(this.read, this.arch, regs.ttbr);
        if (found.pa === null) throw new InputError(found.why ?? 'xen_second not found');
        const l2 = found.walk.steps.find((st) => st.level === 2);
        const base = l2 ? l2.entry.input - (l2.entry.input % 0x40000000) : 0;
        const table = await readTable(this.read, 'xen', found.pa, 2, base, 1);
        return {
          label: `live · ${this.info.label}`,
          arch: this.arch,
          from: regs.raw[0]!.name,
          pa: found.pa,
          base,
          table,
        };
      })();
      p.catch(() => {
        if (this.xs?.p === p) this.xs = undefined; // a failed read is tried again on the next call
      });
      this.xs = { gen: this.generation, p };
    }
    return this.xs.p;
  }

  get read(): ReadPhys {
    return this.cache.read;
  }

  private async request<T>(command: string, args: unknown): Promise<T> {
    if (this.detached) throw new InputError(`the live session "${this.dap.name}" is detached`);
    try {
      return (await this.dap.customRequest(command, args)) as T;
    } catch (err) {
      throw new InputError(`DAP ${command} to "${this.dap.name}" failed: ${messageOf(err)}`);
    }
  }

  private async readMemory(addr: number, count: number): Promise<Uint8Array> {
    if (this.arch === 'armhf' && addr + count > 0x1_0000_0000) {
      throw new InputError(
        `physical address ${hex(addr)} is above 4 GiB: an arm32 gdb reads only a 32-bit address space (QEMU's "monitor xp" can read it)`,
      );
    }
    const body = await this.request<{ address?: string; data?: string; unreadableBytes?: number } | undefined>(
      'readMemory',
      { memoryReference: `0x${addr.toString(16)}`, count },
    );
    const bytes = body?.data ? Buffer.from(body.data, 'base64') : Buffer.alloc(0);
    if (bytes.length < count) {
      throw new InputError(
        `readMemory at ${hex(addr)}: ${bytes.length} of ${count} bytes readable (is the target paused, and is QEMU in physical memory mode?)`,
      );
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset, count);
  }

  /**
   * The first thread's top frame, pausing the target when it runs (`pause`), or waiting up to `waitMs` for it to
   * stop. A frame is asked for only while the target is not known to run: from the adapter's events, and from
   * cdt-gdb-adapter's `running` flag on each thread.
   */
  private async stoppedFrame(pause: boolean, waitMs = 0): Promise<number> {
    type Thread = { id: number; name: string; running?: boolean };
    type Stack = { stackFrames?: { id: number; instructionPointerReference?: string }[] } | undefined;
    let list: Thread[] | null = null;
    let frame: { id: number; instructionPointerReference?: string } | undefined;
    let asked = false;
    const probe = async () => {
      asked = true;
      list = await this.request<{ threads?: Thread[] } | undefined>('threads', {}).then(
        (t) => t?.threads ?? [],
        () => null,
      );
      const t = list?.[0];
      frame =
        t && t.running !== true && this.targetRuns() !== true
          ? await this.request<Stack>('stackTrace', { threadId: t.id, startFrame: 0, levels: 1 }).then(
              (st) => st?.stackFrames?.[0],
              () => undefined,
            )
          : undefined;
    };
    if (this.targetRuns() !== true) await probe();
    if (!frame && pause) {
      this.log(`live: "${this.dap.name}" runs; sending pause`);
      await this.request('pause', { threadId: (list as Thread[] | null)?.[0]?.id ?? 1 });
      waitMs = Math.max(waitMs, this.pauseWaitMs);
    }
    for (const end = Date.now() + waitMs; !frame && Date.now() < end;) {
      await sleep(100);
      if (this.targetRuns() !== true) await probe();
    }
    const found = list as Thread[] | null;
    if (asked && found && found.length === 0)
      throw new InputError(`"${this.dap.name}" reports no threads (is the gdbstub attached?)`);
    if (!frame || !found?.[0]) throw new InputError(`"${this.dap.name}" did not stop (no stack frame after pause)`);
    this.threadId = found[0].id;
    this.pcText = frame.instructionPointerReference ?? null;
    return frame.id;
  }

  private pcText: string | null = null;

  /** Evaluate a gdb expression in the stopped frame; the result's first word. */
  async evaluate(expression: string, context: 'watch' | 'repl' = 'watch'): Promise<string> {
    const body = await this.request<{ result?: string } | undefined>('evaluate', {
      expression,
      frameId: this.frameId,
      context,
    });
    return String(body?.result ?? '').trim();
  }

  /** A 64-bit register as two 32-bit halves: gdb prints a whole 64-bit value in decimal, beyond 2^53. */
  private async reg64(name: string): Promise<Reg64> {
    const hi = parseReg64(await this.evaluate(`(unsigned int)($${name} >> 32)`), name, 32).lo;
    const lo = parseReg64(await this.evaluate(`(unsigned int)$${name}`), name, 32).lo;
    return { hi, lo };
  }

  /**
   * Attach: physical-memory mode (when `phys`), pause, read the registers, decode the roots.
   * `phys` is false when the adapter's initCommands already sent the packet.
   */
  async attach(opts: { pause: boolean; phys: boolean }): Promise<void> {
    this.frameId = await this.stoppedFrame(opts.pause);
    if (opts.phys) {
      try {
        await this.evaluate(`${cliPrefix(this.dap.type)}maint packet Qqemu.PhyMemMode:1`, 'repl');
      } catch (err) {
        this.log(`live: could not switch QEMU to physical memory mode (${messageOf(err)}); reads may be virtual`);
      }
    }
    if (!this.info.arch) this.info.arch = await this.detectArch();
    await this.readRegisters();
  }

  private async detectArch(): Promise<LiveArch> {
    // gdb answers this on every target (no refused request in the adapter's log): 4 on arm, 8 on aarch64
    const size = (await this.evaluate('sizeof(void *)').catch(() => '')).trim();
    if (size === '4') return 'armhf';
    if (size === '8') return 'arm64';
    // an adapter that does not evaluate C expressions: probe the EL2 translation registers
    for (const arch of ['armhf', 'arm64'] as const) {
      const v = await this.evaluate(`(unsigned int)$${REGISTERS[arch].ttbr}`).catch(() => '');
      if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(v)) return arch;
    }
    throw new InputError(
      `"${this.dap.name}" has neither HTTBR nor TTBR0_EL2: not an ARM target with EL2 (QEMU -machine virt,virtualization=on)`,
    );
  }

  /** Re-read the registers (the target stopped elsewhere): new generation, empty cache. */
  async readRegisters(): Promise<void> {
    this.cache.clear();
    this.frameId = await this.stoppedFrame(false);
    const R = REGISTERS[this.arch];
    const ttbr = await this.reg64(R.ttbr);
    const vttbr = await this.reg64(R.vttbr);
    const vtcr = parseReg64(await this.evaluate(`(unsigned int)$${R.vtcr}`), R.vtcr, 32).lo;
    const h64 = (r: Reg64) => `0x${r.hi ? r.hi.toString(16) + r.lo.toString(16).padStart(8, '0') : r.lo.toString(16)}`;
    this.regs = {
      ttbr,
      vttbr,
      vtcr,
      raw: [
        { name: R.ttbr, value: h64(ttbr) },
        { name: R.vttbr, value: h64(vttbr) },
        { name: R.vtcr, value: hex(vtcr) },
      ],
      pc: this.pcText,
    };
    this.stage2 = decodeStage2(this.arch, vttbr, vtcr);
    this.xenRoot = decodeXenRoot(this.arch, ttbr);
    this.generation++;
    this.log(
      `live: ${this.regs.raw.map((r) => `${r.name}=${r.value}`).join(' ')} → VMID ${this.stage2.vmid}, ${this.stage2.ipaBits}-bit IPA from level ${this.stage2.startLevel}, p2m root ${hex(this.stage2.rootPa)} (${this.stage2.rootPages} page${this.stage2.rootPages > 1 ? 's' : ''}), Xen root ${hex(this.xenRoot.rootPa)}`,
    );
  }

  /**
   * arm64 idle pitfall: Xen loads VMID 0 with an empty root while no guest runs. Stop at the next guest entry
   * (an instruction breakpoint at `address`), then re-read the registers.
   */
  async breakAtGuestEntry(address: string): Promise<void> {
    if (this.threadId === undefined) throw new InputError('not attached');
    await this.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: address }] });
    try {
      await this.request('continue', { threadId: this.threadId });
      // the breakpoint's `stopped` event (or, for an adapter without events, a frame) within 30 s
      await sleep(200);
      await this.stoppedFrame(false, 30_000).catch(() => {
        throw new InputError(`no guest entry at ${address} within 30 s`);
      });
    } finally {
      await this.request('setInstructionBreakpoints', { breakpoints: [] }).catch(() => undefined);
    }
    await this.readRegisters();
  }

  /**
   * Stop reading. `resume` (our own `xen-live` sessions): send gdb's `detach` first, because cdt-gdb-adapter's
   * `disconnect` leaves QEMU paused; a joined session is the user's and is left as it is.
   */
  async detach(resume: boolean): Promise<void> {
    if (this.detached) return;
    if (resume) {
      try {
        await this.evaluate(`${cliPrefix(this.dap.type)}detach`, 'repl');
      } catch (err) {
        this.log(`live: detach: ${messageOf(err)}`);
      }
    }
    this.detached = true;
    this.cache.clear();
  }
}
