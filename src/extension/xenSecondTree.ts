/**
 * View `xenMemory.xenSecond`: the 1024 xen_second slots grouped by region (collapsed). VLPT
 * slots written by prepare_vlpt are marked, slots a finding touches carry a warning icon and
 * the finding text in their tooltip. Ids are stable (region name, slot number) so expansion
 * survives a refresh.
 *
 * While a live Xen is attached (issue 14) the view shows that Xen's real xen_second instead, its used slots
 * grouped by Xen 4.17's regions, labelled "live · host:port"; the emulated model comes back on detach. The
 * table is read once per register read (Live.xenSecond), only when the view asks.
 */
import * as vscode from 'vscode';
import { hex, humanSize, region417, usedEntries, va8, type LiveEntry, type SlotJson } from '../core/index';
import { Disposable } from './dispose';
import { VIEW } from './ids';
import type { Live, LiveXenSecond } from './live';
import type { Model, State } from './state';

export type XenSecondNode =
  | { kind: 'group'; name: string; first: number; last: number }
  | { kind: 'slot'; slot: number }
  /** the live xen_second: used slots of one 4.17 region */
  | { kind: 'liveGroup'; name: string; first: number; last: number; slots: number[] }
  | { kind: 'liveSlot'; slot: number };

export class XenSecondTree extends Disposable implements vscode.TreeDataProvider<XenSecondNode> {
  private readonly emitter = this._register(new vscode.EventEmitter<XenSecondNode | undefined>());
  readonly onDidChangeTreeData = this.emitter.event;
  readonly view: vscode.TreeView<XenSecondNode>;
  private groups: XenSecondNode[] = [];
  private groupOfSlot: XenSecondNode[] = [];
  private model: Model | undefined;
  /** the live xen_second the root children were built from (undefined: the model is shown) */
  private liveX: LiveXenSecond | undefined;
  private liveEntries = new Map<number, LiveEntry>();
  private liveGroupOfSlot = new Map<number, XenSecondNode>();

  constructor(
    private readonly state: State,
    private readonly live?: Live,
  ) {
    super();
    this.view = this._register(
      vscode.window.createTreeView(VIEW.xenSecond, { treeDataProvider: this, showCollapseAll: true }),
    );
    this._register(state.onDidChange(() => this.refresh()));
    if (live) this._register(live.onDidChange(() => this.refresh()));
  }

  refresh(): void {
    this.model = undefined;
    this.emitter.fire(undefined);
  }

  private async ensure(): Promise<Model> {
    const m = await this.state.get();
    if (m !== this.model) {
      this.model = m;
      this.groups = [];
      this.groupOfSlot = [];
      let cur: { kind: 'group'; name: string; first: number; last: number } | undefined;
      for (const s of m.slots) {
        const name = s.region ?? '(unnamed)';
        if (!cur || cur.name !== name) {
          cur = { kind: 'group', name, first: s.slot, last: s.slot };
          this.groups.push(cur);
        }
        cur.last = s.slot;
        this.groupOfSlot[s.slot] = cur;
      }
    }
    return m;
  }

  async getChildren(node?: XenSecondNode): Promise<XenSecondNode[]> {
    const m = await this.ensure();
    if (node?.kind === 'liveGroup') return node.slots.map((slot) => ({ kind: 'liveSlot', slot }));
    if (node?.kind === 'liveSlot') return [];
    if (!node && this.live?.current) return this.liveRoot();
    this.liveX = undefined;
    this.view.description = undefined;
    // say plainly when the core cannot model the open tree, instead of 2013 numbers
    this.view.message = m.emulated ? undefined : (m.note ?? undefined);
    if (!node) return m.emulated ? this.groups : [];
    if (node.kind === 'slot') return [];
    const out: XenSecondNode[] = [];
    for (let i = node.first; i <= node.last; i++) out.push({ kind: 'slot', slot: i });
    return out;
  }

  /** The attached Xen's xen_second: its used slots, grouped by 4.17 region (contiguous runs of one region). */
  private async liveRoot(): Promise<XenSecondNode[]> {
    const label = `live · ${this.live!.current!.info.label}`;
    this.view.description = label;
    this.liveX = undefined;
    const pending = this.live!.xenSecond();
    if (!pending) {
      this.view.message = `${label} · the target runs: pause it to read its xen_second`;
      return [];
    }
    let x: LiveXenSecond;
    try {
      x = await pending;
    } catch (err) {
      this.view.message = `${label} · could not read xen_second: ${err instanceof Error ? err.message : String(err)}`;
      return [];
    }
    this.liveX = x;
    this.liveEntries = new Map();
    this.liveGroupOfSlot = new Map();
    const groups: (XenSecondNode & { kind: 'liveGroup' })[] = [];
    for (const e of usedEntries(x.table)) {
      const name = (x.arch === 'armhf' ? region417(e.input) : null) ?? 'Xen';
      let g = groups.at(-1);
      if (!g || g.name !== name || g.last !== e.index - 1) {
        g = { kind: 'liveGroup', name, first: e.index, last: e.index, slots: [] };
        groups.push(g);
      }
      g.last = e.index;
      g.slots.push(e.index);
      this.liveEntries.set(e.index, e);
      this.liveGroupOfSlot.set(e.index, g);
    }
    // the seed's VLPT (2013 arm32 layout) would write slots 64–127: are they free in this Xen?
    const vlptUsed = x.arch === 'armhf' ? [...this.liveEntries.keys()].filter((i) => i >= 64 && i < 128).length : -1;
    const vlpt =
      vlptUsed < 0
        ? ''
        : vlptUsed
          ? ` · ${vlptUsed} of the seed VLPT's slots 64–127 in use`
          : ' · seed VLPT slots 64–127 free';
    this.view.message = `${label}: the running Xen's xen_second (table at PA ${hex(x.pa)}, found from ${x.from}) · ${this.liveEntries.size} of 512 slots used${vlpt} · the emulated model returns on detach`;
    return groups;
  }

  getParent(node: XenSecondNode): XenSecondNode | undefined {
    if (node.kind === 'liveSlot') return this.liveGroupOfSlot.get(node.slot);
    return node.kind === 'slot' ? this.groupOfSlot[node.slot] : undefined;
  }

  /** the node of one slot, for reveal (while attached: a used slot of the live xen_second) */
  async slotNode(slot: number): Promise<XenSecondNode | undefined> {
    await this.ensure();
    if (this.liveX) return this.liveEntries.has(slot) ? { kind: 'liveSlot', slot } : undefined;
    return slot >= 0 && slot < 1024 ? { kind: 'slot', slot } : undefined;
  }

  private liveItem(node: XenSecondNode & { kind: 'liveGroup' | 'liveSlot' }): vscode.TreeItem {
    const x = this.liveX;
    if (node.kind === 'liveGroup') {
      const count = node.last - node.first + 1;
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `live:${node.name}:${node.first}`;
      item.description = `${count === 1 ? `slot ${node.first}` : `slots ${node.first}–${node.last}`} · ${humanSize(count * 0x200000)} · live`;
      item.iconPath = new vscode.ThemeIcon('pulse');
      item.tooltip = `${node.name} (Xen 4.17): live xen_second slots ${node.first}–${node.last}, VA ${hex((x?.base ?? 0) + node.first * 0x200000)}–${hex((x?.base ?? 0) + (node.last + 1) * 0x200000)}${
        x
          ? `
${x.label}`
          : ''
      }`;
      item.accessibilityInformation = { label: `${node.name} live slots ${node.first} to ${node.last}` };
      return item;
    }
    const e = this.liveEntries.get(node.slot);
    const item = new vscode.TreeItem(`slot ${node.slot}`, vscode.TreeItemCollapsibleState.None);
    item.id = `live:slot:${node.slot}`;
    if (!e || !x) return item;
    const va = va8(e.input);
    const inval = e.state === 'invalidated';
    const target = e.shape === 'table' ? `table → ${hex(e.pa)}` : `${e.shape} ${humanSize(e.size)} → MA ${hex(e.pa)}`;
    item.description = `${va} · ${inval ? 'invalidated · ' : ''}${target}`;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**live xen_second[${node.slot}]** · VA \`${va}\`–\`${va8(e.input + e.size)}\` · `);
    md.appendText(`${x.label}\n\n`);
    md.appendMarkdown(`entry \`${e.raw}\` — ${e.shape}${inval ? ' (valid bit clear, rest intact)' : ''}\n\n`);
    md.appendText(`table at PA ${hex(x.pa)}, found from ${x.from}`);
    const model = x.arch === 'armhf' && x.base === 0 ? this.model?.slots[node.slot] : undefined;
    if (model) {
      md.appendMarkdown(`\n\nthe emulated 2013 model's slot ${node.slot}: `);
      md.appendText(`${model.region ?? '(unnamed)'} — ${model.what}`);
    }
    item.tooltip = md;
    item.contextValue = 'liveSlot';
    item.iconPath = new vscode.ThemeIcon(inval ? 'warning' : e.shape === 'table' ? 'list-tree' : 'symbol-field');
    item.accessibilityInformation = { label: `live slot ${node.slot} ${va} ${item.description}` };
    return item;
  }

  getTreeItem(node: XenSecondNode): vscode.TreeItem {
    if (node.kind === 'liveGroup' || node.kind === 'liveSlot') return this.liveItem(node);
    const m = this.model!;
    if (node.kind === 'group') {
      const count = node.last - node.first + 1;
      const vlpt = m.slots.slice(node.first, node.last + 1).filter((s) => s.vlpt).length;
      const flagged = m.slots.slice(node.first, node.last + 1).filter((s) => m.findingSlots.has(s.slot)).length;
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `group:${node.name}:${node.first}`;
      item.description = `${count === 1 ? `slot ${node.first}` : `slots ${node.first}–${node.last}`} · ${humanSize(count * 0x200000)}${vlpt ? ` · ${vlpt} VLPT` : ''}`;
      item.iconPath = new vscode.ThemeIcon(
        flagged ? 'warning' : 'symbol-namespace',
        flagged ? new vscode.ThemeColor('list.warningForeground') : undefined,
      );
      item.tooltip = `${node.name}: xen_second slots ${node.first}–${node.last}, VA ${hex(node.first * 0x200000)}–${hex((node.last + 1) * 0x200000)}${flagged ? `\n${flagged} slot(s) touched by findings` : ''}`;
      item.accessibilityInformation = { label: `${node.name} slots ${node.first} to ${node.last}` };
      return item;
    }
    const s: SlotJson = m.slots[node.slot]!;
    const findings = m.findingSlots.get(s.slot);
    const item = new vscode.TreeItem(`slot ${s.slot}`, vscode.TreeItemCollapsibleState.None);
    item.id = `slot:${s.slot}`;
    const va = va8(s.slot * 0x200000);
    item.description = `${va} · ${s.what}`;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(
      `**xen_second[${s.slot}]** · VA \`${va}\`–\`${va8((s.slot + 1) * 0x200000)}\` · ${s.region ?? '(unnamed)'}\n\n`,
    );
    md.appendMarkdown(`entry \`${s.raw}\` — `);
    md.appendText(s.what);
    if (s.replaced) md.appendMarkdown(`\n\nboot-time entry \`${s.replaced}\` was replaced by prepare_vlpt`);
    for (const f of findings ?? []) {
      md.appendMarkdown('\n\n$(warning) ');
      md.appendText(f);
    }
    md.supportThemeIcons = true;
    item.tooltip = md;
    item.contextValue = s.vlpt ? 'vlptSlot' : 'slot';
    item.iconPath = findings
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
      : s.vlpt
        ? new vscode.ThemeIcon('references', new vscode.ThemeColor('charts.blue'))
        : new vscode.ThemeIcon(s.valid ? 'circle-filled' : 'circle-outline');
    item.accessibilityInformation = {
      label: `slot ${s.slot} ${va} ${s.vlpt ? 'VLPT ' : ''}${findings ? 'finding ' : ''}${s.what}`,
    };
    return item;
  }
}
