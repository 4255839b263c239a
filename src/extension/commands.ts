/**
 * The "Xen Memory" commands. Each runs through `run()`: untrusted args are validated, and any
 * error becomes one message + a log line, so the extension stays usable.
 */
import * as vscode from 'vscode';
import { describeVa, hex, humanSize, InputError, resolveGpa, va8, type ResolveReport } from '../core/index';
import { Disposable } from './dispose';
import { CMD, CONFIG_SECTION, SETTING, type CommandId } from './ids';
import { parseGuestRam, parseQuery, parseTarget, validateQuery, type Target } from './args';
import { bareHexLanguage, numberAt } from './detect';
import { layoutCommentMap, layoutMarkdown, resolutionMarkdown } from './markdown';
import { log, registerReportingCommand } from './output';
import { AUTO, EMBEDDED, isPatchSource, sourceUri } from './layoutSource';
import { readUri } from './workspaceRead';
import { discoverOpenTree, uriOf } from './treeDiscovery';
import { openRegionDefinition } from './regionDefinition';
import { isPatchFile } from './patchText';
import { EXCLUDE_GLOB } from './lintFiles';
import type { Model, State } from './state';
import type { XenSecondTree } from './xenSecondTree';
import type { VlptTree } from './vlptTree';

export interface CommandDeps {
  state: State;
  xenSecond: XenSecondTree;
  vlpt: VlptTree;
  /** the map of the active layout, or the before/after of `patch` */
  showMap(patch?: vscode.Uri): Promise<void>;
}

function guestLine(m: Model): string {
  return `${m.session.dom.name} RAM ${hex(m.session.dom.ramBase)} + ${humanSize(m.session.dom.ramSize)} (tree ${m.settings.tree}, layout ${m.layout.source})`;
}

export class Commands extends Disposable {
  private last: Target | undefined;

  constructor(private readonly d: CommandDeps) {
    super();
    const table: Record<CommandId, (arg: unknown) => Promise<unknown>> = {
      [CMD.resolveAtCursor]: () => this.resolveAtCursor(),
      [CMD.resolve]: (arg) => this.resolve(arg),
      [CMD.reveal]: (arg) => this.reveal(arg),
      [CMD.showMap]: () => d.showMap(),
      [CMD.copyResolution]: (arg) => this.copyResolution(arg),
      [CMD.copyLayoutMarkdown]: async () =>
        this.copy('layout as Markdown', layoutMarkdown((await d.state.get()).layout)),
      [CMD.copyLayoutCommentMap]: async () =>
        this.copy('layout as a config.h comment map', layoutCommentMap((await d.state.get()).layout)),
      [CMD.selectLayoutSource]: () => this.selectLayoutSource(),
      [CMD.setGuestRam]: () => this.setGuestRam(),
      [CMD.refresh]: async () => d.state.invalidate(),
      [CMD.openRegion]: (arg) => this.openRegion(arg),
      [CMD.showPatchMap]: (arg) => this.showPatchMap(arg),
      [CMD.switchArch]: () => this.update(SETTING.arch, d.state.settings.arch === 'arm32' ? 'arm64' : 'arm32'),
    };
    for (const [id, fn] of Object.entries(table)) this._register(registerReportingCommand(id, fn));
  }

  private async resolveAtCursor(): Promise<void> {
    const ed = vscode.window.activeTextEditor;
    if (!ed) throw new InputError('no active editor');
    const pos = ed.selection.active;
    const found = numberAt(ed.document.lineAt(pos.line).text, pos.character, bareHexLanguage(ed.document.languageId));
    if (!found) throw new InputError('no GPA-looking number (hex like 0x80001000) under the cursor');
    await this.show({ kind: 'gpa', value: found.value });
  }

  private async resolve(arg: unknown): Promise<void> {
    let target = parseTarget(arg);
    if (!target) {
      const text = await vscode.window.showInputBox({
        title: 'Xen Memory: Resolve',
        prompt: 'A GPA (0x80001000), a Xen VA (va 0x08400008) or a xen_second slot (slot 66)',
        placeHolder: '0x80001000',
        value: this.last?.kind === 'gpa' ? hex(this.last.value) : '',
        validateInput: (t) => (t.trim() === '' ? null : validateQuery(t)),
      });
      if (!text || text.trim() === '') return;
      target = parseQuery(text);
    }
    await this.show(target);
  }

  /** Resolve, log the full report, show a one-line answer with follow-up actions. */
  private async show(target: Target): Promise<void> {
    const m = await this.d.state.get();
    const { sys, dom } = m.session;
    this.last = target;
    let line: string;
    if (target.kind === 'gpa') {
      const r: ResolveReport = resolveGpa(sys, dom, 0, target.value);
      log(`resolve GPA ${r.gpa}\n${resolutionMarkdown(r, guestLine(m))}`);
      const leaf = r.descriptor.valid
        ? `mfn ${r.descriptor.mfn}${r.descriptor.type ? ` ${r.descriptor.type}` : ''}`
        : 'not mapped';
      line = `GPA ${r.gpa} → PTE ${va8(parseInt(r.vlptVa, 16))} (slot ${r.xenSecondSlot ?? '—'}, ${r.region ?? 'no region'}) → ${leaf} · ${r.agrees ? 'agrees with p2m_lookup' : `DISAGREES: ${r.verdict}`}`;
    } else {
      const va = target.kind === 'slot' ? target.value * 0x200000 : target.value;
      const v = describeVa(sys, dom, 0, va);
      log(`resolve VA ${v.va}: ${JSON.stringify(v, null, 1)}`);
      line = `VA ${va8(va)} → ${v.region ?? 'no region'}${v.xenSecondSlot !== null ? `, slot ${v.xenSecondSlot}` : ''}: ${v.meaning}`;
    }
    const actions = target.kind === 'gpa' ? ['Reveal', 'Copy as Markdown'] : ['Reveal'];
    const pick = await vscode.window.showInformationMessage(line, ...actions);
    if (pick === 'Reveal') await this.reveal(target);
    else if (pick === 'Copy as Markdown') await this.copyResolution(target);
  }

  private async reveal(arg: unknown): Promise<void> {
    const target =
      (arg && typeof arg === 'object' && 'kind' in arg && 'value' in arg ? (arg as Target) : parseTarget(arg)) ??
      this.last;
    if (!target) throw new InputError('nothing to reveal: resolve a GPA first');
    if (target.kind === 'gpa') {
      const node = await this.d.vlpt.nodeForGpa(target.value);
      if (!node) throw new InputError(`GPA ${hex(target.value)} is not covered by a VLPT slot of the guest`);
      await this.d.vlpt.view.reveal(node, { select: true, focus: true, expand: true });
      return;
    }
    const slot = target.kind === 'slot' ? target.value : target.value >>> 21;
    const node = target.kind === 'va' && target.value >= 0x80000000 ? undefined : await this.d.xenSecond.slotNode(slot);
    if (!node)
      throw new InputError(
        `VA ${va8(target.value)} is not mapped through xen_second (DOMHEAP uses the per-pCPU xen_dommap)`,
      );
    await this.d.xenSecond.view.reveal(node, { select: true, focus: true, expand: true });
  }

  private async copyResolution(arg: unknown): Promise<void> {
    const target = parseTarget(arg) ?? this.last;
    if (!target || target.kind !== 'gpa') throw new InputError('nothing to copy: resolve a GPA first');
    const m = await this.d.state.get();
    await this.copy(
      `resolution of ${hex(target.value)}`,
      resolutionMarkdown(resolveGpa(m.session.sys, m.session.dom, 0, target.value), guestLine(m)),
    );
  }

  private async copy(what: string, text: string): Promise<void> {
    await vscode.env.clipboard.writeText(text);
    log(`copied ${what}:\n${text}`);
    void vscode.window.showInformationMessage(`Xen Memory: copied ${what}`);
  }

  /** patches of the workspace: .patch/.diff/.mbox/.eml, and .txt files holding a list-archive patch */
  private async workspacePatches(): Promise<vscode.Uri[]> {
    const [patches, texts] = await Promise.all([
      vscode.workspace.findFiles('**/*.{patch,diff,mbox,eml}', EXCLUDE_GLOB, 200),
      vscode.workspace.findFiles('**/*.txt', EXCLUDE_GLOB, 50),
    ]);
    const archives: vscode.Uri[] = [];
    for (const u of texts) {
      const text = await readUri(u, vscode.workspace.asRelativePath(u, false), 2 * 1024 * 1024).catch(() => null);
      if (text !== null && isPatchFile(u.path, text)) archives.push(u);
    }
    return [...patches, ...archives];
  }

  /** before/after map of a patch: the menu's file, else the active editor's patch, else a pick */
  private async showPatchMap(arg: unknown): Promise<void> {
    let uri: vscode.Uri | undefined = arg instanceof vscode.Uri ? arg : undefined;
    if (arg !== undefined && !uri) throw new InputError('showPatchMap: expected the URI of a patch file');
    const doc = vscode.window.activeTextEditor?.document;
    if (!uri && doc && isPatchFile(doc.uri.path, doc.getText(new vscode.Range(0, 0, 20_000, 0)))) uri = doc.uri;
    if (!uri) {
      const patches = await this.workspacePatches();
      if (patches.length === 0)
        throw new InputError('no patch (.patch, .diff, .mbox, .eml or a saved archive .txt) in the workspace');
      const pick = await vscode.window.showQuickPick(
        patches.map((u) => ({ label: `$(diff) ${vscode.workspace.asRelativePath(u, false)}`, uri: u })),
        { title: 'Xen Memory: Show Patch Before/After', placeHolder: 'a patch that changes config.h / mmu/layout.h' },
      );
      if (!pick) return;
      uri = pick.uri;
    }
    await this.d.showMap(uri);
  }

  private async selectLayoutSource(): Promise<void> {
    // the open tree's layout headers (by their real paths), else Arm layout headers by path
    const [open, patches] = await Promise.all([discoverOpenTree(), this.workspacePatches()]);
    const headers = open
      ? [...new Set([...open.tree.arm32.files, ...open.tree.arm64.files])].map((f) => uriOf(open, f))
      : await vscode.workspace.findFiles(
          '**/{include/asm-arm,arch/arm/include/asm}/{config,mmu/layout}.h',
          EXCLUDE_GLOB,
          20,
        );
    const rel = (u: vscode.Uri): string => vscode.workspace.asRelativePath(u, false);
    const byPath = (a: vscode.Uri, b: vscode.Uri): number => rel(a).localeCompare(rel(b));
    const current = this.d.state.settings.layoutSource;
    type Item = vscode.QuickPickItem & { source?: string };
    const item = (label: string, description: string, source: string): Item => ({
      label,
      description: source === current ? `${description} · current` : description,
      source,
    });
    const items: Item[] = [
      item(
        '$(folder) Auto: the open Xen tree',
        open ? `${open.tree.arm32.files.join(' + ')}` : 'no Xen tree open: the embedded map',
        AUTO,
      ),
      item('$(package) Embedded', '2013 arm32 config.h (ac6e1ae) + seed patch', EMBEDDED),
      { label: 'Headers', kind: vscode.QuickPickItemKind.Separator },
      ...headers.sort(byPath).map((u) => item(`$(file-code) ${rel(u)}`, 'Arm layout header', rel(u))),
      {
        label: 'Patches (layout after the patch; the map shows before/after)',
        kind: vscode.QuickPickItemKind.Separator,
      },
      ...patches.sort(byPath).map((u) => item(`$(diff) ${rel(u)}`, 'patch', rel(u))),
    ];
    const pick = await vscode.window.showQuickPick(items, {
      title: 'Xen Memory: Select Layout Source',
      placeHolder: `current: ${current}`,
      matchOnDescription: true,
    });
    if (!pick?.source) return;
    await this.update(SETTING.layoutSource, pick.source);
  }

  private async setGuestRam(): Promise<void> {
    const s = this.d.state.settings;
    const text = await vscode.window.showInputBox({
      title: 'Xen Memory: Set Guest RAM',
      prompt: 'Guest RAM base and size, e.g. "0x80000000 512M" (2013 GUEST_RAM_BASE) or "0x80000000 62G"',
      value: `${hex(s.ramBase)} ${humanSize(s.ramSize)
        .replace(/ (.)iB$/, '$1')
        .replace(' B', '')}`,
      validateInput: (t) => {
        try {
          parseGuestRam(t);
          return null;
        } catch (e) {
          return e instanceof Error ? e.message : String(e);
        }
      },
    });
    if (!text) return;
    const { base, size } = parseGuestRam(text);
    await this.update(SETTING.ramBase, hex(base));
    await this.update(SETTING.ramSize, hex(size));
  }

  private async update(key: string, value: unknown): Promise<void> {
    const target = vscode.workspace.workspaceFolders?.length
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration(CONFIG_SECTION).update(key, value, target);
    log(`setting ${CONFIG_SECTION}.${key} = ${JSON.stringify(value)}`);
  }

  private async openRegion(arg: unknown): Promise<void> {
    if (!arg || typeof arg !== 'object' || typeof (arg as { name?: unknown }).name !== 'string')
      throw new InputError('openRegion: expected {"name": "<region>"}');
    const name = (arg as { name: string }).name;
    const m = await this.d.state.get();
    const reg = m.layout.regions.find((r) => r.name === name);
    if (!reg) throw new InputError(`no region ${JSON.stringify(name.slice(0, 64))} in layout ${m.layout.source}`);
    const src = m.settings.layoutSource;
    await openRegionDefinition(reg, isPatchSource(src) ? (sourceUri(src) ?? undefined) : undefined);
  }
}
