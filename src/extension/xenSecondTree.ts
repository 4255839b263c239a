/**
 * View `xenMemory.xenSecond`: the 1024 xen_second slots grouped by region (collapsed). VLPT
 * slots written by prepare_vlpt are marked, slots a finding touches carry a warning icon and
 * the finding text in their tooltip. Ids are stable (region name, slot number) so expansion
 * survives a refresh.
 */
import * as vscode from 'vscode';
import { hex, humanSize, va8, type SlotJson } from '../core/index';
import { Disposable } from './dispose';
import { VIEW } from './ids';
import type { Model, State } from './state';

export type XenSecondNode =
  { kind: 'group'; name: string; first: number; last: number } | { kind: 'slot'; slot: number };

export class XenSecondTree extends Disposable implements vscode.TreeDataProvider<XenSecondNode> {
  private readonly emitter = this._register(new vscode.EventEmitter<XenSecondNode | undefined>());
  readonly onDidChangeTreeData = this.emitter.event;
  readonly view: vscode.TreeView<XenSecondNode>;
  private groups: XenSecondNode[] = [];
  private groupOfSlot: XenSecondNode[] = [];
  private model: Model | undefined;

  constructor(private readonly state: State) {
    super();
    this.view = this._register(
      vscode.window.createTreeView(VIEW.xenSecond, { treeDataProvider: this, showCollapseAll: true }),
    );
    this._register(state.onDidChange(() => this.refresh()));
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
    // say plainly when the core cannot model the open tree, instead of 2013 numbers
    this.view.message = m.emulated ? undefined : (m.note ?? undefined);
    if (!node) return m.emulated ? this.groups : [];
    if (node.kind === 'slot') return [];
    const out: XenSecondNode[] = [];
    for (let i = node.first; i <= node.last; i++) out.push({ kind: 'slot', slot: i });
    return out;
  }

  getParent(node: XenSecondNode): XenSecondNode | undefined {
    return node.kind === 'slot' ? this.groupOfSlot[node.slot] : undefined;
  }

  /** the node of one slot, for reveal */
  async slotNode(slot: number): Promise<XenSecondNode | undefined> {
    await this.ensure();
    return slot >= 0 && slot < 1024 ? { kind: 'slot', slot } : undefined;
  }

  getTreeItem(node: XenSecondNode): vscode.TreeItem {
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
