/**
 * Status-bar items: the layout in use (which files, e.g. "config.h + mmu/layout.h") and the
 * guest — click to set the guest RAM —, and the arch of the layout — click to switch
 * arm32/arm64. The text follows the model once built (discovery + parse, no emulation needed
 * for the label); until then it shows the settings.
 */
import * as vscode from 'vscode';
import { hex, humanSize } from '../core/index';
import { Disposable } from './dispose';
import { CMD } from './ids';
import type { State } from './state';

export class StatusBar extends Disposable {
  private readonly item = this._register(
    vscode.window.createStatusBarItem('xenMemory.status', vscode.StatusBarAlignment.Left, 10),
  );
  private readonly archItem = this._register(
    vscode.window.createStatusBarItem('xenMemory.arch', vscode.StatusBarAlignment.Left, 9),
  );

  constructor(private readonly state: State) {
    super();
    this.item.name = 'Xen Memory';
    this.item.command = CMD.setGuestRam;
    this.archItem.name = 'Xen Memory arch';
    this.archItem.command = CMD.switchArch;
    this._register(state.onDidChange(() => this.update()));
    this.update();
    this.item.show();
    this.archItem.show();
  }

  private update(): void {
    const s = this.state.settings;
    const m = this.state.peek();
    const label = m
      ? m.loaded.label
      : s.layoutSource === 'embedded'
        ? '2013+seed'
        : s.layoutSource === 'auto'
          ? 'finding the Xen tree…'
          : s.layoutSource.split('/').pop()!;
    const files = m && m.loaded.files.length ? m.loaded.files.join('\n  ') : s.layoutSource;
    this.item.text = `$(server-environment) Xen: ${label} · d1 ${hex(s.ramBase)}+${humanSize(s.ramSize)}`;
    this.item.tooltip = `Xen Memory Lens\nlayout (${s.arch}): ${files}${m?.note ? `\n${m.note}` : ''}\nguest d1 RAM ${hex(s.ramBase)} + ${humanSize(s.ramSize)}, tree ${s.tree}\nClick to set the guest RAM`;
    this.item.accessibilityInformation = {
      label: `Xen Memory: layout ${label}, guest RAM ${hex(s.ramBase)} plus ${humanSize(s.ramSize)}`,
    };
    this.archItem.text = `$(chip) ${s.arch}`;
    this.archItem.tooltip = `Xen Memory: the ${s.arch} branch of the layout headers. Click to switch to ${s.arch === 'arm32' ? 'arm64' : 'arm32'}`;
    if (!m)
      void this.state.get().then(
        () => this.update(),
        () => undefined,
      );
  }
}
