/** The "Xen Memory" output channel and the one way errors reach the user. */
import * as vscode from 'vscode';
import { OUTPUT_NAME } from './ids';

let channel: vscode.OutputChannel | undefined;

export function createOutput(): vscode.OutputChannel {
  channel = vscode.window.createOutputChannel(OUTPUT_NAME);
  return channel;
}

export function log(line: string): void {
  channel?.appendLine(`[${new Date().toISOString().slice(11, 23)}] ${line}`);
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * One clear message for the user, the details (stack) in the output channel. Never throws, so
 * a failing command leaves the extension usable.
 */
export function reportError(context: string, err: unknown): void {
  const msg = messageOf(err);
  log(`error: ${context}: ${msg}`);
  if (err instanceof Error && err.stack && err.name !== 'InputError') log(err.stack);
  void vscode.window.showErrorMessage(`Xen Memory: ${context}: ${msg}`, 'Show Log').then((pick) => {
    if (pick) channel?.show(true);
  });
}

/**
 * Register a command whose failure is reported (reportError, named after the command) instead of
 * thrown into VS Code's generic "command failed" toast: the extension stays usable after any error.
 */
export function registerReportingCommand(id: string, fn: (arg: unknown) => Promise<unknown>): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (arg: unknown) => {
    try {
      return await fn(arg);
    } catch (err) {
      reportError(id.replace('xenMemory.', ''), err);
      return undefined;
    }
  });
}

export function warn(message: string): void {
  log(`warning: ${message}`);
  void vscode.window.showWarningMessage(`Xen Memory: ${message}`);
}
