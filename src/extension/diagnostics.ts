/**
 * Problems panel, for the layout headers and patches of the workspace:
 * - headers: the layout lints (`lintHeaders`: overlap, misaligned, window-capacity, the
 *   parser's own problems) at the line of the region's #define;
 * - patches: the patch reader's findings (`diffstat-mismatch`, `archive-repaired`, hunk and
 *   layout findings) at the line of the file as written (patchText.ts);
 * - both: the core's findings for the active guest anchored at the seed's code or the window's
 *   #define (findingAnchors.ts), and the parser's warnings for a header layout source.
 * A full scan runs after activation (not during it) and when the model changes; a save or an
 * edit re-reads that one file. Files are size-capped and the scan yields between files.
 */
import * as vscode from 'vscode';
import { InputError, type Arch, type Finding, type HeaderFile, type TreeLayout } from '../core/index';
import { Disposable } from './dispose';
import { DIAGNOSTIC_SOURCE } from './ids';
import { findingAnchors, isVlptPatch } from './findingAnchors';
import {
  EXCLUDE_GLOB,
  HEADER_GLOBS,
  isHeaderPath,
  MAX_FILES,
  MAX_PATCH_BYTES,
  PATCH_GLOB,
  WatchBudget,
} from './lintFiles';
import { MAYBE_PATCH_FILE, patchFindingLines } from './patchText';
import { headerFindings, lintPlan, readTreePatch } from './treeLint';
import { uriOf } from './treeDiscovery';
import { sourceUri } from './layoutSource';
import { readHeader, readUri } from './workspaceRead';
import { log } from './output';
import type { Model, State } from './state';

function severity(s: string): vscode.DiagnosticSeverity {
  return s === 'error'
    ? vscode.DiagnosticSeverity.Error
    : s === 'warning'
      ? vscode.DiagnosticSeverity.Warning
      : vscode.DiagnosticSeverity.Information;
}

function diagnostic(line: number, message: string, sev: string, code: string): vscode.Diagnostic {
  const l = Math.max(0, line);
  const d = new vscode.Diagnostic(new vscode.Range(l, 0, l, Number.MAX_SAFE_INTEGER), message, severity(sev));
  d.source = DIAGNOSTIC_SOURCE;
  d.code = code;
  return d;
}

const yieldToHost = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** Diagnostics of one file from its text (the tree's other headers through `set`). */
export function diagnose(
  rel: string,
  text: string,
  findings: readonly Finding[],
  tree: TreeLayout | null,
  set: (arch: Arch) => HeaderFile[],
  arch: Arch,
): vscode.Diagnostic[] {
  const out: vscode.Diagnostic[] = [];
  const plan = lintPlan(rel, tree);
  if (plan.kind === 'skip') return out;
  if (plan.kind === 'header') {
    for (const f of headerFindings(rel, text, plan.arches, set))
      out.push(diagnostic((f.line ?? 1) - 1, `${f.id}: ${f.message}`, f.severity, f.id));
    for (const a of findingAnchors(text, 'header', findings))
      out.push(diagnostic(a.line, `${a.finding.id}: ${a.finding.message}`, a.finding.severity, a.finding.id));
    return out;
  }
  const lines = text.split(/\r?\n/);
  try {
    const info = readTreePatch(rel, text, arch);
    if (!info) return out;
    const lineOf = patchFindingLines(lines, info);
    for (const f of info.findings) out.push(diagnostic(lineOf(f), `${f.id}: ${f.message}`, f.severity, f.id));
  } catch (err) {
    out.push(diagnostic(0, err instanceof Error ? err.message : String(err), 'warning', 'patch-unreadable'));
  }
  if (isVlptPatch(text))
    for (const a of findingAnchors(text, 'patch', findings))
      out.push(diagnostic(a.line, `${a.finding.id}: ${a.finding.message}`, a.finding.severity, a.finding.id));
  return out;
}

export class Diagnostics extends Disposable {
  private readonly collection = this._register(vscode.languages.createDiagnosticCollection('xenMemory'));
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly fileTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private running = false;
  private again = false;
  private readonly budget = new WatchBudget();

  constructor(private readonly state: State) {
    super();
    this._register(state.onDidChange(() => this.schedule(200)));
    const watched = (u: vscode.Uri): boolean =>
      u.scheme === 'file' && (isHeaderPath(u.path) || MAYBE_PATCH_FILE.test(u.path));
    this._register(vscode.workspace.onDidSaveTextDocument((d) => watched(d.uri) && this.scheduleFile(d.uri, 100)));
    this._register(
      vscode.workspace.onDidChangeTextDocument(
        (e) => watched(e.document.uri) && e.contentChanges.length > 0 && this.scheduleFile(e.document.uri, 600),
      ),
    );
    // the watchers keep to the full scan's exclusions and file cap (WatchBudget)
    const onDisk = (u: vscode.Uri): void => {
      const what = this.budget.admit(vscode.workspace.asRelativePath(u, false), u.toString(), this.fileTimers.size);
      if (what === 'file') this.scheduleFile(u, 500);
      else if (what === 'rescan') this.schedule(500);
    };
    for (const glob of [...HEADER_GLOBS, PATCH_GLOB]) {
      const watcher = this._register(vscode.workspace.createFileSystemWatcher(glob));
      this._register(watcher.onDidCreate(onDisk));
      this._register(watcher.onDidChange(onDisk));
      this._register(
        watcher.onDidDelete((u) => {
          this.budget.forget(u.toString());
          this.collection.delete(u);
        }),
      );
    }
    this._register({
      dispose: () => {
        if (this.timer) clearTimeout(this.timer);
        for (const t of this.fileTimers.values()) clearTimeout(t);
      },
    });
    // after activation, off the activation path
    this.schedule(1500);
  }

  private schedule(ms: number): void {
    if (this.isDisposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), ms);
  }

  private scheduleFile(uri: vscode.Uri, ms: number): void {
    if (this.isDisposed) return;
    const key = uri.toString();
    const t = this.fileTimers.get(key);
    if (t) clearTimeout(t);
    this.fileTimers.set(
      key,
      setTimeout(() => {
        this.fileTimers.delete(key);
        void this.runFile(uri);
      }, ms),
    );
  }

  /** the text of `uri`: the open document's (unsaved edits included), else the file's; null when too big */
  private async textOf(uri: vscode.Uri): Promise<string | null> {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc) return doc.getText();
    try {
      return await readUri(uri, vscode.workspace.asRelativePath(uri, false), MAX_PATCH_BYTES);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      log(`diagnostics: skipped ${e.message}`);
      return null;
    }
  }

  private async runFile(uri: vscode.Uri): Promise<void> {
    try {
      const m = await this.state.get();
      const text = await this.textOf(uri);
      if (this.isDisposed) return;
      const set = await this.headerSet(m);
      const diags =
        text === null
          ? []
          : diagnose(
              vscode.workspace.asRelativePath(uri, false),
              text,
              m.session.findings,
              m.loaded.tree?.tree ?? null,
              set,
              m.settings.arch,
            );
      this.addLayoutDiagnostics(m, (u, d) => u.toString() === uri.toString() && diags.push(d));
      this.collection.set(uri, dedupe(diags));
    } catch (err) {
      log(`diagnostics of ${uri.fsPath} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
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
      const found = await Promise.all(
        [...HEADER_GLOBS, PATCH_GLOB].map((g) => vscode.workspace.findFiles(g, EXCLUDE_GLOB, MAX_FILES)),
      );
      const set = await this.headerSet(m);
      const tree = m.loaded.tree;
      const treeUris = tree
        ? [...new Set([...tree.tree.arm32.files, ...tree.tree.arm64.files])].map((f) => uriOf(tree, f))
        : [];
      const uris = [...new Map([...treeUris, ...found.flat()].map((u) => [u.toString(), u] as const)).values()];
      this.budget.reset(uris.map((u) => u.toString()));
      for (const uri of uris) {
        if (this.isDisposed) return;
        const text = await this.textOf(uri);
        if (text === null) continue;
        for (const d of diagnose(
          vscode.workspace.asRelativePath(uri, false),
          text,
          m.session.findings,
          m.loaded.tree?.tree ?? null,
          set,
          m.settings.arch,
        ))
          add(uri, d);
        await yieldToHost();
      }
      this.addLayoutDiagnostics(m, add);
      this.collection.clear();
      for (const { uri, diags } of next.values()) this.collection.set(uri, dedupe(diags));
      log(
        `diagnostics: ${[...next.values()].reduce((n, e) => n + e.diags.length, 0)} in ${next.size} of ${uris.length} file(s) (${Date.now() - t0} ms)`,
      );
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

  /** the open tree's header set per arch, read once per run (the file's own text replaces its entry) */
  private async headerSet(m: Model): Promise<(arch: Arch) => HeaderFile[]> {
    const open = m.loaded.tree;
    if (!open) return () => [];
    const texts = new Map<string, string>();
    for (const f of new Set([...open.tree.arm32.files, ...open.tree.arm64.files])) {
      const t = await readHeader(uriOf(open, f));
      if (t !== null) texts.set(f, t);
    }
    return (arch) => open.tree[arch].files.filter((f) => texts.has(f)).map((f) => ({ path: f, text: texts.get(f)! }));
  }

  /** the header parser's own diagnostics when the layout comes from a header */
  private addLayoutDiagnostics(m: Model, add: (uri: vscode.Uri, d: vscode.Diagnostic) => void): void {
    const src = sourceUri(m.settings.layoutSource);
    if (!src || !/\.h$/i.test(src.path)) return;
    for (const w of m.layout.diagnostics ?? []) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const uri = !w.file
        ? src
        : w.file.startsWith('/') || !folder
          ? vscode.Uri.file(w.file)
          : vscode.Uri.joinPath(folder, w.file);
      add(uri, diagnostic((w.line ?? 1) - 1, w.message, 'warning', w.kind));
    }
  }
}

/** one diagnostic per line and code (a header source's parser warnings repeat the lints') */
function dedupe(diags: vscode.Diagnostic[]): vscode.Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const k = `${d.range.start.line}|${String(d.code)}|${d.message.replace(/^\S+: /, '').replace(/^arm(32|64): /, '')}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
