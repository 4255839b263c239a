/**
 * View `xenMemory.live` (issue 14): the attached Xen's translation registers decoded, Xen's root table, the real
 * `xen_second` (found by walking Xen's own root for XEN_VIRT_START) and the domain's p2m root from VTTBR. Every
 * table is read only when its node expands (DAP readMemory through the session's page cache); entries are
 * decoded by the core (src/core/live/decode.ts), invalidated ones (valid bit clear, rest intact) are marked.
 */
import * as vscode from 'vscode';
import {
  findXenSecond,
  hex,
  humanSize,
  readTable,
  region417,
  usedEntries,
  type LiveEntry,
  type LiveTable,
} from '../core/index';
import { Disposable } from './dispose';
import { LIVE_CMD, VIEW } from './ids';
import type { Live } from './live';

interface TableRef {
  stage: 'xen' | 'p2m';
  pa: number;
  level: number;
  base: number;
  pages: number;
}

export type LiveNode =
  | { kind: 'group'; gen: number; group: 'regs' | 'xenRoot' | 'xenSecond' | 'p2m' }
  | {
      kind: 'info';
      gen: number;
      id: string;
      label: string;
      description?: string;
      tooltip?: string;
      icon?: string;
      command?: vscode.Command;
    }
  /** key: the path from the group (a table can show under two parents: xen_second is also under Xen's root) */
  | { kind: 'entry'; gen: number; table: TableRef; e: LiveEntry; key: string };

const STATE_TEXT: Record<string, string> = {
  table: 'table',
  block: 'block',
  page: 'page',
  reserved: 'reserved',
  invalidated: 'invalidated',
  empty: 'empty',
};

export class LiveTree extends Disposable implements vscode.TreeDataProvider<LiveNode> {
  private readonly emitter = this._register(new vscode.EventEmitter<LiveNode | undefined>());
  readonly onDidChangeTreeData = this.emitter.event;
  readonly view: vscode.TreeView<LiveNode>;

  constructor(private readonly live: Live) {
    super();
    this.view = this._register(
      vscode.window.createTreeView(VIEW.live, { treeDataProvider: this, showCollapseAll: true }),
    );
    this._register(live.onDidChange(() => this.emitter.fire(undefined)));
  }

  async getChildren(node?: LiveNode): Promise<LiveNode[]> {
    const cur = this.live.current;
    if (!cur || !cur.regs || !cur.stage2 || !cur.xenRoot) {
      this.view.message = this.live.lastError ? `Last attach failed: ${this.live.lastError}` : undefined;
      return [];
    }
    const gen = cur.generation;
    this.view.message = `${cur.info.label} · ${cur.arch}${this.live.running ? ' · running (pause to read)' : ' · paused'}`;
    if (!node) {
      return (['regs', 'xenRoot', 'xenSecond', 'p2m'] as const).map((group) => ({ kind: 'group', gen, group }));
    }
    if (node.gen !== gen) return [];
    if (this.live.running)
      return [
        info(gen, `${nodeId(node)}/running`, 'The target is running: pause it to read its tables', 'debug-pause'),
      ];
    try {
      if (node.kind === 'group') return await this.groupChildren(node.group, gen);
      if (node.kind === 'entry' && node.e.shape === 'table' && node.e.level < 3) {
        return await this.entries(
          { stage: node.table.stage, pa: node.e.pa, level: node.e.level + 1, base: node.e.input, pages: 1 },
          gen,
          node.key,
        );
      }
      return [];
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      return [info(gen, `${nodeId(node)}/error`, `could not read: ${msg}`, 'error')];
    }
  }

  private async groupChildren(group: 'regs' | 'xenRoot' | 'xenSecond' | 'p2m', gen: number): Promise<LiveNode[]> {
    const cur = this.live.current!;
    const s2 = cur.stage2!;
    const root = cur.xenRoot!;
    const regs = cur.regs!;
    if (group === 'regs') {
      const [ttbr, vttbr, vtcr] = regs.raw;
      return [
        info(
          gen,
          'r:ttbr',
          `${ttbr!.name} ${ttbr!.value}`,
          'symbol-variable',
          `Xen's root table at PA ${hex(root.rootPa)}, level ${root.startLevel}`,
        ),
        info(
          gen,
          'r:vttbr',
          `${vttbr!.name} ${vttbr!.value}`,
          'symbol-variable',
          `VMID ${s2.vmid} · p2m root PA ${hex(s2.rootPa)}`,
        ),
        info(
          gen,
          'r:vtcr',
          `${vtcr!.name} ${vtcr!.value}`,
          'symbol-variable',
          `${s2.ipaBits}-bit IPA (T0SZ ${s2.t0sz}) · start level ${s2.startLevel} (SL0 ${s2.sl0}) · root ${s2.rootPages} page${s2.rootPages > 1 ? 's' : ''}`,
        ),
        ...(regs.pc ? [info(gen, 'r:pc', `pc ${regs.pc}`, 'debug-stackframe', 'where the vCPU stopped')] : []),
      ];
    }
    if (group === 'xenRoot') {
      return this.entries({ stage: 'xen', pa: root.rootPa, level: root.startLevel, base: 0, pages: 1 }, gen, group);
    }
    if (group === 'xenSecond') {
      const found = await findXenSecond(cur.read, cur.arch, regs.ttbr);
      if (found.pa === null) return [info(gen, 'xs:none', found.why ?? 'xen_second not found', 'warning')];
      // xen_second maps VA 0 – 1 GiB on arm32; on arm64 it is the level-2 table of XEN_VIRT_START's GiB
      const l1 = found.walk.steps.find((s) => s.level === 2);
      const base = l1 ? l1.entry.input - (l1.entry.input % 0x40000000) : 0;
      const where = info(
        gen,
        'xs:pa',
        `table at PA ${hex(found.pa)}`,
        'location',
        `Xen's level-2 table of VA ${hex(base)}–${hex(base + 0x40000000)}, from ${regs.raw[0]!.name}`,
      );
      return [where, ...(await this.entries({ stage: 'xen', pa: found.pa, level: 2, base, pages: 1 }, gen, group))];
    }
    const entries = await this.entries(
      { stage: 'p2m', pa: s2.rootPa, level: s2.startLevel, base: 0, pages: s2.rootPages },
      gen,
      group,
    );
    if (entries.length === 0) {
      const idle =
        cur.arch === 'arm64'
          ? info(
              gen,
              'p2m:idle',
              'p2m root empty while idle — break at leave_hypervisor_to_guest',
              'debug-breakpoint-function',
              `VMID ${s2.vmid}: Xen 4.17 on arm64 loads an empty root while no guest runs (Cortex-A57 erratum 1319367 workaround). Click to continue to the next guest entry and read that guest's p2m.`,
              { command: LIVE_CMD.guestEntry, title: 'Break at the next guest entry' },
            )
          : info(gen, 'p2m:empty', `p2m root of VMID ${s2.vmid} has no entries`, 'warning');
      return [idle];
    }
    return entries;
  }

  private async entries(t: TableRef, gen: number, parentKey: string): Promise<LiveNode[]> {
    const cur = this.live.current!;
    const table: LiveTable = await readTable(cur.read, t.stage, t.pa, t.level, t.base, t.pages);
    return usedEntries(table).map((e) => ({
      kind: 'entry' as const,
      gen,
      table: t,
      e,
      key: `${parentKey}/${e.index}`,
    }));
  }

  getTreeItem(node: LiveNode): vscode.TreeItem {
    const cur = this.live.current;
    if (node.kind === 'group') {
      const s2 = cur?.stage2;
      const root = cur?.xenRoot;
      const ttbr = cur?.regs?.raw[0]?.name ?? 'TTBR';
      const labels = {
        regs: ['Registers', s2 ? `VMID ${s2.vmid} · ${s2.ipaBits}-bit IPA · start level ${s2.startLevel}` : ''],
        xenRoot: [`Xen root table (${ttbr})`, root ? `L${root.startLevel} @ ${hex(root.rootPa)}` : ''],
        xenSecond: ['xen_second', `L2 that maps XEN_VIRT_START (found from ${ttbr})`],
        p2m: [
          `p2m root (VMID ${s2?.vmid ?? '?'})`,
          s2
            ? `L${s2.startLevel} @ ${hex(s2.rootPa)}${s2.rootPages > 1 ? ` · ${s2.rootPages} concatenated pages` : ''}`
            : '',
        ],
      } as const;
      const [label, description] = labels[node.group];
      const item = new vscode.TreeItem(
        label,
        node.group === 'regs' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
      );
      item.id = `live:${node.gen}:${node.group}`;
      item.description = description;
      item.iconPath = new vscode.ThemeIcon(node.group === 'regs' ? 'chip' : node.group === 'p2m' ? 'vm' : 'list-tree');
      item.accessibilityInformation = { label: `${label} ${description}` };
      return item;
    }
    if (node.kind === 'info') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.id = `live:${node.gen}:${node.id}`;
      item.description = node.description;
      item.tooltip = node.tooltip ?? node.description;
      if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon);
      if (node.command) item.command = node.command;
      item.accessibilityInformation = { label: node.description ? `${node.label} ${node.description}` : node.label };
      return item;
    }
    const e = node.e;
    const p2m = node.table.stage === 'p2m';
    const expandable = e.shape === 'table' && e.level < 3;
    const what = p2m ? 'GPA' : 'VA';
    const region = !p2m && cur?.arch === 'armhf' ? region417(e.input) : null;
    const item = new vscode.TreeItem(
      `L${e.level}[${e.index}] ${what} ${hex(e.input)}`,
      expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = `live:${node.gen}:${nodeId(node)}`;
    const inval = e.state === 'invalidated';
    const target =
      e.shape === 'table'
        ? `table → ${hex(e.pa)}`
        : e.shape === 'block' || e.shape === 'page'
          ? `${e.shape} ${humanSize(e.size)} → MA ${hex(e.pa)}`
          : STATE_TEXT[e.shape];
    item.description = [
      inval ? 'invalidated' : '',
      target,
      p2m && e.shape !== 'table' && e.p2mType ? e.p2mType : '',
      region ? `(${region})` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    item.tooltip = new vscode.MarkdownString(
      [
        `**${p2m ? 'p2m' : 'Xen'} L${e.level}[${e.index}]** = \`${e.raw}\``,
        `${what} ${hex(e.input)}–${hex(e.input + e.size)} (${humanSize(e.size)})`,
        `${e.shape}${e.shape === 'table' ? ` at PA ${hex(e.pa)}` : `, MFN ${hex(e.mfn)}, machine address ${hex(e.pa)}`}`,
        ...(e.p2mType ? [`p2m type ${e.p2mType} (bits 58:55)`] : []),
        ...(inval
          ? [
              'Invalidated: the valid bit is clear but the descriptor is intact (Xen p2m_invalidate_root); the MMU faults and Xen revalidates it on the next access.',
            ]
          : []),
        `table at PA ${hex(node.table.pa)}`,
      ].join('\n\n'),
    );
    item.iconPath = new vscode.ThemeIcon(
      inval ? 'warning' : e.shape === 'table' ? 'list-tree' : e.shape === 'reserved' ? 'error' : 'symbol-field',
    );
    item.accessibilityInformation = { label: `${item.label as string} ${item.description}` };
    return item;
  }
}

function info(
  gen: number,
  id: string,
  label: string,
  icon?: string,
  description?: string,
  command?: vscode.Command,
): LiveNode {
  return { kind: 'info', gen, id, label, icon, description, tooltip: description, command };
}

function nodeId(node: LiveNode): string {
  if (node.kind === 'group') return node.group;
  if (node.kind === 'info') return node.id;
  return node.key;
}
