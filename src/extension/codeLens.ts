/**
 * CodeLens on a region's #define in C headers:
 * "VIRT_LIN_P2M · 128 MiB · slots 64–127 · PTEs for GPA 0–64 GiB" → show the map.
 * Matching is by macro name against the active layout, bounded per document.
 */
import * as vscode from 'vscode';
import { Disposable } from './dispose';
import { CMD } from './ids';
import { codeLensTitle } from './markdown';
import type { State } from './state';

const DEFINE = /^\s*#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)/;
const MAX_LINES = 20_000;

export class RegionCodeLens extends Disposable implements vscode.CodeLensProvider {
  private readonly emitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.emitter.event;

  constructor(private readonly state: State) {
    super();
    this._register(vscode.languages.registerCodeLensProvider([{ language: 'c' }, { language: 'cpp' }], this));
    this._register(state.onDidChange(() => this.emitter.fire()));
  }

  async provideCodeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!/\.h$/i.test(doc.uri.path)) return [];
    const text = doc.getText();
    if (!text.includes('_START')) return [];
    const m = await this.state.get();
    if (token.isCancellationRequested) return [];
    const byMacro = new Map(m.layout.regions.filter((r) => r.startMacro).map((r) => [r.startMacro!, r]));
    const vlpt = m.layout.regions.find((r) => r.name === 'VIRT_LIN_P2M')?.name ?? null;
    const out: vscode.CodeLens[] = [];
    const n = Math.min(doc.lineCount, MAX_LINES);
    for (let i = 0; i < n; i++) {
      const mm = DEFINE.exec(doc.lineAt(i).text);
      const reg = mm ? byMacro.get(mm[1]!) : undefined;
      if (!reg) continue;
      out.push(
        new vscode.CodeLens(new vscode.Range(i, 0, i, 0), {
          title: codeLensTitle(reg, vlpt),
          command: CMD.showMap,
          tooltip: `Show ${reg.name} on the Xen memory map`,
        }),
      );
    }
    return out;
  }
}
