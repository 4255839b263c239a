/**
 * Live Xen in VS Code (issue 14): the `xen-live` debug type (cdt-gdb-adapter + gdb-multiarch against QEMU's
 * gdbstub), the "Attach to Live Xen…" / "Detach" commands, joining a debug session the user already has, and
 * the one current LiveSession the Live view and the hovers read. The DAP requests themselves are in
 * liveSession.ts.
 */
import * as vscode from 'vscode';
import { hex, InputError, usedEntries, readTable, type LiveArch } from '../core/index';
import type { SlotJson } from '../core/format/slots';
import { compareSlots, type LiveSlotRow } from '../core/live/report';
import { Disposable } from './dispose';
import { CTX_LIVE, DEBUG_TYPE, LIVE_CMD, VIEW } from './ids';
import { LiveSession, type DapSession, type LiveXenSecond } from './liveSession';
export type { LiveXenSecond } from './liveSession';
import { adapterConfig, checkHostPort, type TargetJson, type XenLiveConfig } from './liveConfig';
import { log, registerReportingCommand, reportError } from './output';
import { readUri } from './workspaceRead';

/** A DAP message as the tracker sees it (the fields read here). */
interface DapMessage {
  type?: string;
  event?: string;
  command?: string;
  success?: boolean;
  message?: string;
  body?: { supportsConfigurationDoneRequest?: boolean };
}

/** What the adapter's messages said of one debug session. */
interface SessionState {
  /** from `continued` / `stopped` events; undefined before the first */
  running: boolean | undefined;
  /** the adapter takes `configurationDone` (from its `initialize` response) */
  configDone: boolean;
  /** configured: `configurationDone` answered (or `attach`, when the adapter takes no configurationDone) */
  ready: boolean;
  /** the adapter refused `attach` or `configurationDone`: its message */
  failure: string | undefined;
}

export class Live extends Disposable {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** fires on attach, detach, re-read, and when the target runs or stops */
  readonly onDidChange = this.changed.event;
  current: LiveSession | undefined;
  /** the current session's target is running (a `continued` event): reads would fail */
  running = false;
  /** `error` of the last attach, for the view */
  lastError: string | undefined;
  private readonly sessions = new Map<string, vscode.DebugSession>();
  /** what the adapter messages said of each debug session (the tracker sees them all) */
  private readonly states = new Map<string, SessionState>();
  /** our own sessions waiting to be configured (see SessionState.ready) */
  private readonly waiting = new Map<string, (failure: string | undefined) => void>();
  private ownConfigs = new Map<string, XenLiveConfig>();
  /** >0 while an operation of ours runs the target (its continued/stopped events are not the user's) */
  private quiet = 0;
  /** the session being adopted (its refused requests are logged before it is current) */
  private adopting: string | undefined;
  /** the last requests VS Code or we sent to the current session (the log of a refused one names them) */
  private readonly lastRequests: string[] = [];

  constructor(private readonly extensionUri: vscode.Uri) {
    super();
    const own = this.ownConfigs;
    this._register(
      vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
        createDebugAdapterDescriptor: () =>
          // node running cdt-gdb-adapter's gdb-target entry (bundled by scripts/build.mjs); it starts gdb itself.
          // ELECTRON_RUN_AS_NODE: in desktop VS Code execPath is the Electron binary.
          new vscode.DebugAdapterExecutable(
            process.execPath,
            [vscode.Uri.joinPath(this.extensionUri, 'dist', 'gdbAdapter.js').fsPath],
            { env: { ELECTRON_RUN_AS_NODE: '1' } },
          ),
      }),
    );
    this._register(
      vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, {
        resolveDebugConfiguration: async (_folder, config: XenLiveConfig) => {
          if (!config.type && !config.request && !config.name) {
            // F5 without launch.json: the target `npm run live:target` started, if any
            const t = await findTargetJson();
            if (!t) {
              void vscode.window.showErrorMessage(
                'Xen Memory: no .live-cache/<arch>/run/target.json in the workspace; run `npm run live:target -- armhf` or add a "xen-live" launch configuration',
              );
              return undefined;
            }
            return targetConfig(t);
          }
          return config;
        },
        resolveDebugConfigurationWithSubstitutedVariables: (_folder, config: XenLiveConfig) => {
          const bad =
            (typeof config.gdbstub !== 'string' && typeof config.target !== 'object'
              ? 'gdbstub: expected "host:port" of QEMU\'s gdbstub (-gdb tcp:127.0.0.1:1234)'
              : typeof config.gdbstub === 'string'
                ? checkHostPort(config.gdbstub)
                : null) ??
            (config.arch !== undefined && config.arch !== 'armhf' && config.arch !== 'arm64'
              ? `arch: "${String(config.arch).slice(0, 20)}" is not armhf or arm64`
              : null) ??
            (config.gdb !== undefined && typeof config.gdb !== 'string' ? 'gdb: expected a path' : null) ??
            (config.xenSyms !== undefined && typeof config.xenSyms !== 'string'
              ? 'xenSyms: expected the path of xen-syms'
              : null);
          if (bad) {
            void vscode.window.showErrorMessage(`Xen Memory: launch configuration "${config.name}": ${bad}`);
            return undefined;
          }
          const out = adapterConfig(config);
          return out;
        },
      }),
    );
    this._register(
      vscode.debug.registerDebugAdapterTrackerFactory('*', {
        createDebugAdapterTracker: (session) => ({
          onWillReceiveMessage: (m: { type?: string; command?: string }) => {
            if (m.type !== 'request' || !this.watched(session.id)) return;
            this.lastRequests.push(m.command ?? '?');
            if (this.lastRequests.length > 12) this.lastRequests.shift();
          },
          onDidSendMessage: (m: DapMessage) => this.onAdapterMessage(session.id, m),
        }),
      }),
    );
    this._register(
      vscode.debug.onDidStartDebugSession((s) => {
        this.sessions.set(s.id, s);
        if (s.type === DEBUG_TYPE) {
          own.set(s.id, s.configuration as XenLiveConfig);
          void this.attachOwn(s);
        }
      }),
    );
    this._register(
      vscode.debug.onDidTerminateDebugSession((s) => {
        this.sessions.delete(s.id);
        this.states.delete(s.id);
        this.waiting.get(s.id)?.(`the debug session "${s.name}" ended`);
        own.delete(s.id);
        if (this.current?.dap.id === s.id) {
          this.current.detached = true;
          this.current = undefined;
          this.fire();
        }
      }),
    );
    const cmds: [string, (arg: unknown) => Promise<unknown>][] = [
      [LIVE_CMD.attach, () => this.attachCommand()],
      [LIVE_CMD.detach, () => this.detach()],
      [LIVE_CMD.refresh, () => this.reread()],
      [LIVE_CMD.guestEntry, () => this.catchGuestEntry()],
    ];
    for (const [id, fn] of cmds) this._register(registerReportingCommand(id, fn));
    this._register({ dispose: () => void this.current?.detach(this.isOwn(this.current)) });
  }

  private state(id: string): SessionState {
    let st = this.states.get(id);
    if (!st) {
      st = { running: undefined, configDone: false, ready: false, failure: undefined };
      this.states.set(id, st);
    }
    return st;
  }

  /** the current session, the one being adopted, and our own `xen-live` sessions */
  private watched(id: string): boolean {
    return this.current?.dap.id === id || this.adopting === id || this.ownConfigs.has(id);
  }

  private onAdapterMessage(id: string, m: DapMessage): void {
    const st = this.state(id);
    if (m.type === 'response') {
      if (m.success === false && this.watched(id))
        log(`live: the adapter refused ${m.command}: ${m.message ?? ''} (requests: ${this.lastRequests.join(' ')})`);
      if (m.command === 'initialize') st.configDone = !!m.body?.supportsConfigurationDoneRequest;
      const configured =
        m.command === 'configurationDone' || (m.command === 'attach' && (!st.configDone || m.success === false));
      if (configured && !st.ready) {
        st.ready = true;
        st.failure = m.success === false ? `${m.command}: ${m.message ?? 'refused'}` : undefined;
        this.waiting.get(id)?.(st.failure);
      }
      return;
    }
    if (m.type !== 'event') return;
    if (m.event === 'continued') st.running = true;
    else if (m.event === 'stopped') st.running = false;
    else return;
    if (this.current?.dap.id === id) this.setRunning(st.running);
  }

  private wasLive = false;

  private fire(): void {
    const live = !!this.current;
    void vscode.commands.executeCommand('setContext', CTX_LIVE, live);
    // the Live view starts collapsed (the emulation's views keep their room): open it on attach
    if (live && !this.wasLive) void vscode.commands.executeCommand(`${VIEW.live}.focus`);
    this.wasLive = live;
    this.changed.fire();
  }

  private setRunning(running: boolean): void {
    if (this.running === running) return;
    this.running = running;
    if (this.quiet) {
      // our own continue/stop (catchGuestEntry) re-reads once when it is done
      this.current?.cache.clear();
      return;
    }
    if (!running && this.current) {
      // stopped somewhere new: the registers (another vCPU/guest) and memory may differ
      void this.current.readRegisters().then(
        () => this.fire(),
        (err) => log(`live: re-reading after a stop: ${err instanceof Error ? err.message : String(err)}`),
      );
    } else {
      this.current?.cache.clear();
      this.fire();
    }
  }

  private isOwn(s: LiveSession | undefined): boolean {
    return !!s && s.dap.type === DEBUG_TYPE && this.ownConfigs.has(s.dap.id);
  }

  /** Our own `xen-live` session started (from the command or launch.json): attach once the adapter did. */
  private async attachOwn(s: vscode.DebugSession): Promise<void> {
    const c = s.configuration as XenLiveConfig;
    const label = c.gdbstub ?? s.name;
    try {
      await this.withProgress(`attaching to ${label}`, async (step) => {
        step('gdb connects to the gdbstub');
        const st = this.state(s.id);
        // after `configurationDone` (cdt-gdb-adapter then resumes the target): pausing earlier would race it
        const failure = st.ready
          ? st.failure
          : await new Promise<string | undefined>((resolve) => {
              const t = setTimeout(
                () => resolve(`the adapter did not attach within 60 s (is QEMU's gdbstub there?)`),
                60_000,
              );
              this.waiting.set(s.id, (f) => {
                clearTimeout(t);
                resolve(f);
              });
            }).finally(() => this.waiting.delete(s.id));
        if (failure) throw new InputError(`${label}: ${failure}`);
        await this.adopt(s, c.arch, label, true, step);
      });
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      reportError(`attach to ${label}`, err);
      this.fire();
    }
  }

  private async withProgress(title: string, fn: (step: (m: string) => void) => Promise<void>): Promise<void> {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Xen Memory: ${title}` },
      async (progress) => fn((message) => progress.report({ message })),
    );
  }

  /** Make `s` the current live session: pause, registers, the first tables. */
  private async adopt(
    s: DapSession,
    arch: LiveArch | undefined,
    label: string,
    ownAdapter: boolean,
    step: (m: string) => void,
  ): Promise<void> {
    if (this.current && this.current.dap.id !== s.id) await this.detach();
    step('pausing the target');
    const live = new LiveSession(s, { arch, label }, log, undefined, () => this.states.get(s.id)?.running);
    this.adopting = s.id;
    try {
      // our adapter's initCommands switched QEMU to physical memory; a joined session needs the packet now
      await live.attach({ pause: true, phys: !ownAdapter });
      step('reading the p2m root and Xen’s root table');
      if (live.stage2)
        await readTable(live.read, 'p2m', live.stage2.rootPa, live.stage2.startLevel, 0, live.stage2.rootPages);
    } finally {
      this.adopting = undefined;
    }
    const detected = live.arch;
    this.current = live;
    this.running = false;
    this.lastError = undefined;
    log(`live: attached to ${label} (${detected}, session "${s.name}", ${s.type})`);
    this.fire();
  }

  /** "Xen Memory: Attach to Live Xen…": a gdbstub (default from target.json) or a running debug session. */
  async attachCommand(): Promise<void> {
    const others = [...this.sessions.values()].filter((s) => s.id !== this.current?.dap.id);
    let join: vscode.DebugSession | undefined;
    if (others.length) {
      const NEW = '$(plug) Attach to a QEMU gdbstub (host:port)…';
      const pick = await vscode.window.showQuickPick(
        [
          { label: NEW },
          ...others.map((s) => ({ label: `$(debug) Join "${s.name}"`, description: s.type, session: s })),
        ],
        {
          title: 'Xen Memory: Attach to Live Xen',
          placeHolder: 'a new gdbstub connection, or a running debug session',
        },
      );
      if (!pick) return;
      join = 'session' in pick ? pick.session : undefined;
    }
    if (join) {
      const s = join;
      await this.withProgress(`joining "${s.name}"`, (step) => this.adopt(s, undefined, s.name, false, step));
      return;
    }
    const t = await findTargetJson();
    const value = await vscode.window.showInputBox({
      title: 'Xen Memory: Attach to Live Xen',
      prompt: t
        ? `QEMU gdbstub host:port (default: the ${t.arch} target of npm run live:target)`
        : 'QEMU gdbstub host:port (qemu … -gdb tcp:127.0.0.1:1234)',
      value: t ? `${t.host}:${t.port}` : '127.0.0.1:1234',
      validateInput: (v) => checkHostPort(v),
    });
    if (value === undefined) return;
    const fromTarget = t && value.trim() === `${t.host}:${t.port}`;
    const config: XenLiveConfig = fromTarget
      ? targetConfig(t)
      : { type: DEBUG_TYPE, request: 'attach', name: `Live Xen ${value.trim()}`, gdbstub: value.trim() };
    const folder = vscode.workspace.workspaceFolders?.[0];
    const ok = await vscode.debug.startDebugging(folder, config);
    if (!ok) throw new InputError(`could not start the ${DEBUG_TYPE} debug session for ${value.trim()}`);
  }

  /** "Detach": resume the target (our sessions) and end the debug session; a joined session is left running. */
  async detach(): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    const own = this.isOwn(cur);
    this.current = undefined;
    await cur.detach(own);
    if (own) {
      // the adapter answers `disconnect` and exits; VS Code then ends the session (stopDebugSession is 1.104+)
      await Promise.resolve(cur.dap.customRequest('disconnect', { terminateDebuggee: false })).catch((err: unknown) =>
        log(`live: disconnect: ${err instanceof Error ? err.message : String(err)}`),
      );
    }
    log(`live: detached from ${cur.info.label}${own ? ' (target resumed)' : ''}`);
    this.fire();
  }

  /** Re-read the registers (after the user stepped or stopped elsewhere). */
  async reread(): Promise<void> {
    if (!this.current) throw new InputError('not attached to a live Xen');
    await this.current.readRegisters();
    this.fire();
  }

  /** arm64 idle pitfall: break at leave_hypervisor_to_guest, then read the guest's p2m root. */
  async catchGuestEntry(): Promise<void> {
    const cur = this.current;
    if (!cur) throw new InputError('not attached to a live Xen');
    const c = this.ownConfigs.get(cur.dap.id);
    let addr = c?.guestEntry;
    if (!addr) {
      const v = await cur.evaluate('(unsigned long)&leave_hypervisor_to_guest').catch(() => '');
      if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(v)) addr = hex(Number(v));
    }
    if (!addr) {
      throw new InputError(
        'the address of leave_hypervisor_to_guest is unknown: add "xenSyms" (or "guestEntry") to the launch configuration',
      );
    }
    const at = addr;
    this.quiet++;
    try {
      await this.withProgress(`waiting for a guest entry (break at ${at})`, async () => {
        await cur.breakAtGuestEntry(at);
      });
    } finally {
      this.quiet--;
      this.running = false;
    }
    this.fire();
  }

  /**
   * The current session's xen_second (LiveSession.xenSecond: decoded once per register read, shared by the tree,
   * the map and the hover). undefined when not attached or while the target runs (gdb reads nothing then).
   */
  xenSecond(): Promise<LiveXenSecond> | undefined {
    const cur = this.current;
    if (!cur?.regs || this.running) return undefined;
    return cur.xenSecond();
  }

  /**
   * Emulation against reality: the emulated 2013 xen_second slots beside the running Xen's entries at the same
   * VAs (core compareSlots, through the session's page cache). armhf only: the model is arm32.
   */
  async slotReport(emulated: readonly SlotJson[]): Promise<{ label: string; rows: LiveSlotRow[] }> {
    const cur = this.current;
    const regs = cur?.regs;
    if (!cur || !regs) throw new InputError('not attached to a live Xen: run "Xen Memory: Attach to Live Xen…" first');
    if (this.running) throw new InputError(`${cur.info.label} is running: pause it to read its tables`);
    if (cur.arch !== 'armhf')
      throw new InputError(
        `${cur.info.label} is ${cur.arch}: the emulated model is the 2013 arm32 Xen, so only an armhf target compares`,
      );
    return { label: cur.info.label, rows: await compareSlots(cur.read, regs.ttbr, emulated) };
  }

  /** non-empty entries of the current p2m root (the arm64 idle check) */
  async p2mRootUsed(): Promise<number> {
    const cur = this.current;
    if (!cur?.stage2) return 0;
    const t = await readTable(cur.read, 'p2m', cur.stage2.rootPa, cur.stage2.startLevel, 0, cur.stage2.rootPages);
    return usedEntries(t).length;
  }
}

/** The newest .live-cache/<arch>/run/target.json of the workspace folders. */
export async function findTargetJson(): Promise<TargetJson | undefined> {
  let best: { t: TargetJson; mtime: number } | undefined;
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    for (const arch of ['armhf', 'arm64'] as const) {
      const uri = vscode.Uri.joinPath(f.uri, '.live-cache', arch, 'run', 'target.json');
      try {
        const st = await vscode.workspace.fs.stat(uri);
        const t = JSON.parse(await readUri(uri, 'target.json', 64 * 1024)) as TargetJson;
        if ((t.arch !== 'armhf' && t.arch !== 'arm64') || typeof t.port !== 'number' || typeof t.host !== 'string')
          continue;
        if (!best || st.mtime > best.mtime) best = { t, mtime: st.mtime };
      } catch {
        // no target of this arch
      }
    }
  }
  return best?.t;
}

function targetConfig(t: TargetJson): XenLiveConfig {
  return {
    type: DEBUG_TYPE,
    request: 'attach',
    name: `Live Xen ${t.arch} ${t.host}:${t.port}`,
    gdbstub: `${t.host}:${t.port}`,
    arch: t.arch,
    ...(t.xenSyms ? { xenSyms: t.xenSyms } : {}),
    ...(t.symbols?.leave_hypervisor_to_guest ? { guestEntry: t.symbols.leave_hypervisor_to_guest } : {}),
  };
}
