/**
 * View `xenMemory.vlpt`: the guest's VLPT slots (xen_second entries written by prepare_vlpt)
 * → the guest p2m level-2 entries they point at → level-3 leaves. Children are read from the
 * emulated memory on expand, so a 64 GiB guest opens instantly. `nodeForGpa` + `getParent`
 * make `reveal` work.
 */
import * as vscode from 'vscode';
import { hex, hex64, lpaeBase, p2mTypeName, va8 } from '../core/index';
import { Disposable } from './dispose';
import { CMD, CTX_VLPT_EMPTY, VIEW } from './ids';
import type { Model, State } from './state';

export type VlptNode =
  | { kind: 'slot'; slot: number }
  | { kind: 'l2'; slot: number; i: number }
  | { kind: 'l3'; slot: number; i: number; j: number };

const GiB = 0x40000000;

export class VlptTree extends Disposable implements vscode.TreeDataProvider<VlptNode> {
  private readonly emitter = this._register(new vscode.EventEmitter<VlptNode | undefined>());
  readonly onDidChangeTreeData = this.emitter.event;
  readonly view: vscode.TreeView<VlptNode>;
  private model: Model | undefined;

  constructor(private readonly state: State) {
    super();
    this.view = this._register(
      vscode.window.createTreeView(VIEW.vlpt, { treeDataProvider: this, showCollapseAll: true }),
    );
    this._register(state.onDidChange(() => this.refresh()));
  }

  refresh(): void {
    this.model = undefined;
    this.emitter.fire(undefined);
  }

  private async ensure(): Promise<Model> {
    this.model = await this.state.get();
    return this.model;
  }

  /** raw entry [hi, lo] of a node (slot: the xen_second entry; l2/l3: the guest table entry) */
  private entry(m: Model, n: VlptNode): [number, number] {
    const { sys } = m.session;
    if (n.kind === 'slot') {
      const info = sys.describeSlot(n.slot);
      return [info.hi, info.lo];
    }
    const parent = this.entry(
      m,
      n.kind === 'l2' ? { kind: 'slot', slot: n.slot } : { kind: 'l2', slot: n.slot, i: n.i },
    );
    if ((parent[1] & 3) !== 3) return [0, 0];
    const mfn = lpaeBase(parent[0], parent[1]);
    const idx = n.kind === 'l2' ? n.i : n.j;
    return [sys.mem.readHi(mfn, idx), sys.mem.readLo(mfn, idx)];
  }

  private gpaOf(m: Model, n: VlptNode): number {
    const l1 = n.slot - (m.session.sys.vlptStart >>> 21);
    return l1 * GiB + (n.kind === 'slot' ? 0 : n.i * 0x200000) + (n.kind === 'l3' ? n.j * 4096 : 0);
  }

  async getChildren(node?: VlptNode): Promise<VlptNode[]> {
    const m = await this.ensure();
    this.view.message = m.emulated ? undefined : (m.note ?? undefined);
    if (!node) {
      if (!m.emulated) return [];
      const slots = [...(m.session.prepare?.slotsWritten ?? [])].sort((a, b) => a - b);
      // the welcome text explains an empty view (package.json viewsWelcome)
      void vscode.commands.executeCommand('setContext', CTX_VLPT_EMPTY, slots.length === 0);
      return slots.map((slot) => ({ kind: 'slot' as const, slot }));
    }
    if (node.kind === 'l3') return [];
    const out: VlptNode[] = [];
    for (let k = 0; k < 512; k++) {
      const child: VlptNode =
        node.kind === 'slot' ? { kind: 'l2', slot: node.slot, i: k } : { kind: 'l3', slot: node.slot, i: node.i, j: k };
      if ((this.entry(m, child)[1] & 1) === 1) out.push(child);
    }
    return out;
  }

  getParent(node: VlptNode): VlptNode | undefined {
    if (node.kind === 'l3') return { kind: 'l2', slot: node.slot, i: node.i };
    if (node.kind === 'l2') return { kind: 'slot', slot: node.slot };
    return undefined;
  }

  /** The deepest node that shows `gpa` (the leaf when its tables are valid), or undefined. */
  async nodeForGpa(gpa: number): Promise<VlptNode | undefined> {
    const m = await this.ensure();
    const slot = (m.session.sys.vlptStart >>> 21) + Math.floor(gpa / GiB);
    if (!(m.session.prepare?.slotsWritten ?? []).includes(slot)) return undefined;
    const i = Math.floor(gpa / 0x200000) % 512;
    const j = Math.floor(gpa / 4096) % 512;
    const l2: VlptNode = { kind: 'l2', slot, i };
    if ((this.entry(m, l2)[1] & 1) === 0) return { kind: 'slot', slot };
    const l3: VlptNode = { kind: 'l3', slot, i, j };
    return (this.entry(m, l3)[1] & 1) === 1 ? l3 : l2;
  }

  getTreeItem(node: VlptNode): vscode.TreeItem {
    const m = this.model!;
    const [hi, lo] = this.entry(m, node);
    const raw = hex64(hi, lo);
    const gpa = this.gpaOf(m, node);
    const dom = m.session.dom.name;
    const l1 = node.slot - (m.session.sys.vlptStart >>> 21);
    let item: vscode.TreeItem;
    if (node.kind === 'slot') {
      item = new vscode.TreeItem(`slot ${node.slot} → ${dom} L1[${l1}]`, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `vlpt:${node.slot}`;
      item.description = `GPA ${hex(gpa)}–${hex(gpa + GiB)} · PTEs at ${va8(node.slot * 0x200000)}`;
      item.tooltip = `xen_second[${node.slot}] = ${raw}: copy of ${dom}'s first-level entry ${l1}; its 512 level-2 entries read as Xen level-3 page descriptors, so VA ${va8(node.slot * 0x200000)}–${va8((node.slot + 1) * 0x200000)} shows the PTEs of GPA ${hex(gpa)}–${hex(gpa + GiB)}`;
      item.iconPath = new vscode.ThemeIcon('references');
    } else if (node.kind === 'l2') {
      item = new vscode.TreeItem(`L2[${node.i}] GPA ${hex(gpa)}`, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `vlpt:${node.slot}:${node.i}`;
      const pteVa = node.slot * 0x200000 + node.i * 4096;
      item.description = `PTE page ${va8(pteVa)} · ${(lo & 3) === 3 ? `table → mfn ${hex(lpaeBase(hi, lo))}` : 'block'}`;
      item.tooltip = `${dom} L2[${node.i}] = ${raw}: the level-3 table of GPA ${hex(gpa)}–${hex(gpa + 0x200000)}, visible through the VLPT as the 4 KiB page at Xen VA ${va8(pteVa)}`;
      item.iconPath = new vscode.ThemeIcon('list-tree');
    } else {
      item = new vscode.TreeItem(`GPA ${hex(gpa)}`, vscode.TreeItemCollapsibleState.None);
      item.id = `vlpt:${node.slot}:${node.i}:${node.j}`;
      const pteVa = node.slot * 0x200000 + node.i * 4096 + node.j * 8;
      const type = p2mTypeName(m.session.sys.tree, hi) ?? '?';
      const mfn = lpaeBase(hi, lo);
      item.description = `PTE ${va8(pteVa)} · ${raw} · mfn ${hex(mfn)} ${type}`;
      item.tooltip = `GPA ${hex(gpa)} (gfn ${hex(gpa / 4096)}): PTE at Xen VA ${va8(pteVa)} = ${raw}, ${type}, machine address ${hex(mfn * 4096)}`;
      item.iconPath = new vscode.ThemeIcon('symbol-field');
      item.command = { command: CMD.resolve, title: 'Resolve', arguments: [{ gpa: hex(gpa) }] };
    }
    item.accessibilityInformation = { label: `${item.label as string} ${item.description as string}` };
    return item;
  }
}
