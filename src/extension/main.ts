/**
 * Entry point: wiring only. The emulated system is built on first use (a view expanding, a
 * hover, a command), never here, so activation stays in the tens of milliseconds.
 */
import * as vscode from 'vscode';
import { createOutput, log, reportError } from './output';
import { State } from './state';
import { XenSecondTree } from './xenSecondTree';
import { VlptTree } from './vlptTree';
import { StatusBar } from './statusBar';
import { Commands } from './commands';
import { Hovers } from './hovers';
import { MapPanel } from './mapPanel';
import { RegionCodeLens } from './codeLens';
import { Diagnostics } from './diagnostics';
import { ScenarioView } from './scenarioView';
import { Live } from './live';
import { LiveTree } from './liveTree';
import { registerLiveReport } from './liveReport';

export function activate(context: vscode.ExtensionContext): void {
  const t0 = performance.now();
  const own = <T extends vscode.Disposable | { dispose(): void }>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };
  own(createOutput());
  try {
    const state = own(new State());
    const live = own(new Live(context.extensionUri));
    const xenSecond = own(new XenSecondTree(state, live));
    const vlpt = own(new VlptTree(state));
    own(new StatusBar(state));
    own(
      new Commands({ state, xenSecond, vlpt, showMap: (patch) => MapPanel.show(context.extensionUri, state, patch) }),
    );
    own(new LiveTree(live));
    own(registerLiveReport(live, state));
    own(new Hovers(state, live));
    own(MapPanel.register(context.extensionUri, state));
    own(MapPanel.watchLive(live));
    own({ dispose: () => MapPanel.disposeCurrent() });
    own(new RegionCodeLens(state));
    own(new Diagnostics(state));
    own(new ScenarioView(context.extensionUri, context.workspaceState));
    log(`activated in ${(performance.now() - t0).toFixed(1)} ms (VS Code ${vscode.version})`);
  } catch (err) {
    // show why instead of failing silently (rust-analyzer does the same)
    reportError('activation failed', err);
  }
}

export function deactivate(): void {
  // everything is in context.subscriptions
}
