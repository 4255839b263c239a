/**
 * The `xen-live` launch configuration (no `vscode` import: unit-tested): its checks, and the attach arguments
 * cdt-gdb-adapter gets from it.
 */
import type { LiveArch } from '../core/index';

/** launch.json attributes of a `xen-live` configuration (package.json `debuggers` documents them). */
export interface XenLiveConfig {
  type: string;
  request: string;
  name: string;
  [key: string]: unknown;
  gdbstub?: string;
  gdb?: string;
  arch?: LiveArch;
  xenSyms?: string;
  initCommands?: string[];
  /** address of leave_hypervisor_to_guest (the arm64 idle pitfall); from target.json or `&symbol` with xenSyms */
  guestEntry?: string;
}

/** What `npm run live:target` writes (.live-cache/<arch>/run/target.json). */
export interface TargetJson {
  arch: LiveArch;
  host: string;
  port: number;
  xenSyms?: string;
  symbols?: Record<string, string>;
}

const HOSTPORT = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):([0-9]{1,5})$/;

/** `host:port` of a gdbstub, or one line saying what was expected. */
export function checkHostPort(text: string): string | null {
  const m = HOSTPORT.exec(text.trim());
  if (!m) return `"${text.slice(0, 60)}" is not host:port (e.g. 127.0.0.1:1234)`;
  const port = Number(m[1]);
  if (port < 1 || port > 65535) return `port ${port} is outside 1–65535`;
  return null;
}

/** The configuration cdt-gdb-adapter gets: our attributes → its `target`, `gdb`, `program`, `initCommands`. */
export function adapterConfig(c: XenLiveConfig): XenLiveConfig {
  const out: XenLiveConfig = { ...c, request: 'attach', gdb: c.gdb || 'gdb-multiarch' };
  if (c.gdbstub) out.target = { type: 'remote', parameters: [c.gdbstub.trim()] };
  if (c.xenSyms) out.program = c.xenSyms;
  // physical reads for the table walks (QEMU's gdbstub); the user's own commands after it
  out.initCommands = ['maint packet Qqemu.PhyMemMode:1', ...(Array.isArray(c.initCommands) ? c.initCommands : [])];
  return out;
}
