/**
 * CodeLens on a region's #define in an Arm layout header, with the values of that file:
 * "BOOT_FDT · 0x00c00000 · 4 MiB · slots 6–7" → show the map. The document itself is parsed
 * (with the rest of its tree's header set, for the selected arch when the file has that
 * branch), never matched by macro name against the active layout. Other headers get none.
 */
import * as vscode from 'vscode';
import { layoutVa, parseHeaders, type Arch, type HeaderFile } from '../core/index';
import { Disposable } from './dispose';
import { CMD } from './ids';
import { codeLensTitle } from './markdown';
import { MAX_HEADER_BYTES } from './lintFiles';
import { headerArchesOf } from './treeLint';
import { uriOf } from './treeDiscovery';
import { readHeader } from './workspaceRead';
import { log } from './output';
import type { State } from './state';

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
    if (!text.includes('_START') || text.length > MAX_HEADER_BYTES) return [];
    const m = await this.state.get();
    if (token.isCancellationRequested) return [];
    const open = m.loaded.tree;
    const rel = vscode.workspace.asRelativePath(doc.uri, false);
    const arches = headerArchesOf(rel, open?.tree ?? null);
    if (!arches) return [];
    const arch: Arch = arches.includes(m.settings.arch) ? m.settings.arch : arches[0]!;
    const files: HeaderFile[] = [];
    try {
      for (const f of open && open.tree[arch].files.includes(rel) ? open.tree[arch].files : [rel]) {
        const t = f === rel ? text : await readHeader(uriOf(open!, f));
        if (t !== null) files.push({ path: f, text: t });
      }
      const layout = parseHeaders(files, { arch });
      const vlpt = layout.regions.some((r) => r.name === 'VIRT_LIN_P2M') ? 'VIRT_LIN_P2M' : null;
      return layout.regions
        .filter((r) => r.file === rel && r.line !== null)
        .map(
          (r) =>
            new vscode.CodeLens(new vscode.Range(r.line! - 1, 0, r.line! - 1, 0), {
              title: `${arch} · ${codeLensTitle(r, vlpt, arch).replace(' · ', ` · ${layoutVa(arch, r.start)} · `)}`,
              command: CMD.showMap,
              tooltip: `Show ${r.name} on the Xen memory map (values of ${rel}, ${arch})`,
            }),
        );
    } catch (err) {
      log(`CodeLens of ${rel}: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
  }
}
