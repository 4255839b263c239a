/** Status-bar item: the active layout and guest; click to set the guest RAM. */
import * as vscode from 'vscode';
import { hex, humanSize } from '../core/index';
import { Disposable } from './dispose';
import { CMD } from './ids';
import type { State } from './state';

export class StatusBar extends Disposable {
  private readonly item = this._register(
    vscode.window.createStatusBarItem('xenMemory.status', vscode.StatusBarAlignment.Left, 10),
  );

  constructor(private readonly state: State) {
    super();
    this.item.name = 'Xen Memory';
    this.item.command = CMD.setGuestRam;
    this._register(state.onDidChange(() => this.update()));
    this.update();
    this.item.show();
  }

  /** Cheap: settings only, no session build. */
  private update(): void {
    const s = this.state.settings;
    const layout = s.layoutSource === 'embedded' ? '2013+seed' : s.layoutSource.split('/').pop()!;
    this.item.text = `$(server-environment) Xen: ${layout} · d1 ${hex(s.ramBase)}+${humanSize(s.ramSize)}`;
    this.item.tooltip = `Xen Memory Lens\nlayout: ${s.layoutSource}\nguest d1 RAM ${hex(s.ramBase)} + ${humanSize(s.ramSize)}, tree ${s.tree}\nClick to set the guest RAM`;
    this.item.accessibilityInformation = {
      label: `Xen Memory: layout ${layout}, guest RAM ${hex(s.ramBase)} plus ${humanSize(s.ramSize)}`,
    };
  }
}
