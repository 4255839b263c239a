/**
 * The `xen-live` debug adapter process (bundled to dist/gdbAdapter.js; it runs beside the extension host, not in
 * it): cdt-gdb-adapter's gdb-target session with one change.
 *
 * cdt-gdb-adapter 1.7 keeps "the target runs" from its own thread list. Attached to QEMU's gdbstub it resumes the
 * target after `configurationDone`, and when gdb's `*running` arrives before any thread is known it believes the
 * target stopped: VS Code's `threads` (sent right after `configurationDone`) then reaches gdb, which refuses with
 * "Cannot execute this command while the target is running", and that error response (showUser) is an error toast
 * on every attach. Such a refusal only says that the target runs, so it is answered as cdt answers a request while
 * it knows the target runs: an empty success (VS Code asks again on the next `stopped`). Every other error is
 * reported as before.
 */
import { logger } from '@vscode/debugadapter';
import { GDBTargetDebugSession } from 'cdt-gdb-adapter/dist/desktop/GDBTargetDebugSession';

/** gdb's refusals of a request while the target runs (MI error messages of GDB 13) */
export const TARGET_RUNNING = /while the target is running|Selected thread is running/i;

class XenLiveDebugSession extends GDBTargetDebugSession {
  // DebugSession.run constructs the session without arguments (cdt's own entry does the same)
  constructor() {
    super();
  }

  protected override shouldReportError(error: unknown): boolean {
    if (error instanceof Error && TARGET_RUNNING.test(error.message)) return false;
    return super.shouldReportError(error);
  }
}

process.on('uncaughtException', (err) => logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err)));
XenLiveDebugSession.run(XenLiveDebugSession);
