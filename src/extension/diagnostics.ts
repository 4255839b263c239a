/**
 * Problems panel: the core's findings for the active guest, anchored in the VLPT patches and
 * layout headers of the workspace, plus the header parser's warnings for a header layout.
 * Computed after activation (not during it) and again when the model or those files change.
 */
import * as vscode from 'vscode';
import { Disposable } from './dispose';
import { DIAGNOSTIC_SOURCE } from './ids';
import { findingAnchors, isVlptPatch, type FileKind } from './findingAnchors';
import { sourceUri } from './layoutSource';
import { log } from './output';
import type { Model, State } from './state';

const GLOB = '**/*.{patch,diff,h,txt,eml,mbox}';
const MAX_FILES = 100;
const MAX_BYTES = 2 * 1024 * 1024;

function severity(s: string): vscode.DiagnosticSeverity {
  return s === 'error' ? vscode.DiagnosticSeverity.Error : s === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

export class Diagnostics extends Disposable {
  private readonly collection = this._register(vscode.languages.createDiagnosticCollection('xenMemory'));
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private again = false;

  constructor(private readonly state: State) {
    super();
    this._register(state.onDidChange(() => this.schedule(200)));
    this._register(vscode.workspace.onDidSaveTextDocument((d) => /\.(patch|diff|h|txt|eml|mbox)$/i.test(d.uri.path) && this.schedule(300)));
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(GLOB));
    this._register(watcher.onDidCreate(() => this.schedule(500)));
    this._register(watcher.onDidDelete((u) => this.collection.delete(u)));
    this._register({ dispose: () => this.timer && clearTimeout(this.timer) });
    // after activation, off the activation path
    this.schedule(1500);
  }

  private schedule(ms: number): void {
    if (this.isDisposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), ms);
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      const m = await this.state.get();
      const t0 = Date.now();
      const next = new Map<string, { uri: vscode.Uri; diags: vscode.Diagnostic[] }>();
      const add = (uri: vscode.Uri, d: vscode.Diagnostic): void => {
        const e = next.get(uri.toString()) ?? { uri, diags: [] };
        e.diags.push(d);
        next.set(uri.toString(), e);
      };
      for (const uri of await vscode.workspace.findFiles(GLOB, '**/{node_modules,.git,.vscode-test,dist}/**', MAX_FILES)) {
        if (this.isDisposed) return;
        const stat = await vscode.workspace.fs.stat(uri);
        if (stat.size > MAX_BYTES) continue;
        const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        const kind: FileKind | null = /\.h$/i.test(uri.path) ? 'header' : isVlptPatch(text) ? 'patch' : null;
        if (!kind) continue;
        for (const a of findingAnchors(text, kind, m.session.findings)) {
          const d = new vscode.Diagnostic(new vscode.Range(a.line, 0, a.line, Number.MAX_SAFE_INTEGER), `${a.finding.id}: ${a.finding.message}`, severity(a.finding.severity));
          d.source = DIAGNOSTIC_SOURCE;
          d.code = a.finding.id;
          add(uri, d);
        }
      }
      this.addLayoutDiagnostics(m, add);
      this.collection.clear();
      for (const { uri, diags } of next.values()) this.collection.set(uri, diags);
      log(`diagnostics: ${[...next.values()].reduce((n, e) => n + e.diags.length, 0)} in ${next.size} file(s) (${Date.now() - t0} ms)`);
    } catch (err) {
      log(`diagnostics failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.schedule(100);
      }
    }
  }

  /** the header parser's own diagnostics when the layout comes from a header */
  private addLayoutDiagnostics(m: Model, add: (uri: vscode.Uri, d: vscode.Diagnostic) => void): void {
    const src = sourceUri(m.settings.layoutSource);
    if (!src) return;
    for (const w of m.layout.diagnostics ?? []) {
      const line = Math.max(0, (w.line ?? 1) - 1);
      const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), w.message, vscode.DiagnosticSeverity.Warning);
      d.source = DIAGNOSTIC_SOURCE;
      d.code = w.kind;
      add(w.file ? vscode.Uri.file(w.file) : src, d);
    }
  }
}
