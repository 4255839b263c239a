/**
 * The "Scenario" webview view: pick a built-in or a workspace scenario file, step through it
 * like a debugger (commands, view title buttons, keybindings while the view is focused) and see
 * per step the xen_second slots that changed, each pCPU's TLB, the dirty bitmaps and the finding
 * when it fires; the map highlights the step's slots. Same rules as the map: strict CSP with a
 * nonce, roots media/ and dist/ only, data only by validated messages. The pick and the position
 * survive a reload (workspace state).
 */
import * as vscode from 'vscode';
import { BUILTINS, builtinScenario, parseScenario, type Scenario } from '../core/index';
import {
  isFromScenarioWebview,
  isStepModel,
  type StepCommand,
  type ToScenarioWebview,
} from '../webview/scenarioProtocol';
import { Disposable, DisposableValue } from './dispose';
import { CMD, CTX_SCENARIO, SCENARIO_CMD, VIEW } from './ids';
import { MapPanel } from './mapPanel';
import { nonce, webviewShell, WEBVIEW_ROOTS } from './webviewHtml';
import { log, registerReportingCommand, reportError } from './output';
import { EXCLUDE_GLOB } from './lintFiles';
import { nextPosition, stepModel, traceScenario, type ScenarioTrace, type StepAction } from './scenarioTrace';

type Pick = { kind: 'builtin'; name: string } | { kind: 'file'; uri: string };
interface Saved {
  pick: Pick;
  pos: number;
}
const MEMENTO_KEY = 'xenMemory.scenario';
const SCENARIO_CAP = 4 * 1024 * 1024;
const FILE_GLOB = '**/*scenario*.json';

function isSaved(x: unknown): x is Saved {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as { pick?: { kind?: unknown; name?: unknown; uri?: unknown }; pos?: unknown };
  const p = o.pick;
  return (
    typeof o.pos === 'number' &&
    Number.isInteger(o.pos) &&
    typeof p === 'object' &&
    p !== null &&
    ((p.kind === 'builtin' && typeof p.name === 'string' && Object.prototype.hasOwnProperty.call(BUILTINS, p.name)) ||
      (p.kind === 'file' && typeof p.uri === 'string'))
  );
}

export class ScenarioView extends Disposable implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private trace: ScenarioTrace | undefined;
  private pick: Pick | undefined;
  private pos = -1;
  private readonly watcher = this._register(new DisposableValue<vscode.Disposable>());
  private restored = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly memento: vscode.Memento,
  ) {
    super();
    this._register(vscode.window.registerWebviewViewProvider(VIEW.scenario, this));
    const table: Record<(typeof SCENARIO_CMD)[keyof typeof SCENARIO_CMD], (arg: unknown) => Promise<void>> = {
      [SCENARIO_CMD.pick]: (arg) => this.pickScenario(arg),
      [SCENARIO_CMD.stepForward]: async () => this.act('forward'),
      [SCENARIO_CMD.stepBack]: async () => this.act('back'),
      [SCENARIO_CMD.continue]: async () => this.act('continue'),
      [SCENARIO_CMD.restart]: async () => this.act('restart'),
    };
    for (const [id, fn] of Object.entries(table)) this._register(registerReportingCommand(id, fn));
    this._register({ dispose: () => MapPanel.highlight([], '') });
    void this.setContext();
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: WEBVIEW_ROOTS.map((r) => vscode.Uri.joinPath(this.extensionUri, r)),
    };
    view.webview.html = this.html(view.webview);
    const subs = [
      view.webview.onDidReceiveMessage((msg: unknown) => void this.onMessage(msg)),
      view.onDidChangeVisibility(() => {
        if (view.visible) void this.post();
      }),
    ];
    view.onDidDispose(() => {
      subs.forEach((s) => s.dispose());
      void vscode.commands.executeCommand('setContext', CTX_SCENARIO.focused, false);
      if (this.view === view) this.view = undefined;
    });
  }

  private html(w: vscode.Webview): string {
    return webviewShell({
      cspSource: w.cspSource,
      nonce: nonce(),
      css: w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'scenario.css')).toString(),
      script: w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'scenario.js')).toString(),
      title: 'Scenario',
      body: '<nav id="bar" aria-label="Scenario stepping"></nav>\n<main id="root" aria-live="polite"></main>',
    });
  }

  /** the last pick and position, re-run after a reload */
  private async restore(): Promise<void> {
    if (this.restored) return;
    this.restored = true;
    const saved = this.memento.get<unknown>(MEMENTO_KEY);
    if (!isSaved(saved)) return;
    try {
      await this.load(saved.pick, saved.pos);
    } catch (err) {
      log(
        `scenario: could not restore ${JSON.stringify(saved.pick)}: ${err instanceof Error ? err.message : String(err)}`,
      );
      await this.memento.update(MEMENTO_KEY, undefined);
    }
  }

  private async onMessage(msg: unknown): Promise<void> {
    if (!isFromScenarioWebview(msg)) {
      log(`scenario: ignored an invalid message from the webview: ${JSON.stringify(msg)?.slice(0, 200)}`);
      return;
    }
    try {
      if (msg.type === 'ready') {
        await this.restore();
        await this.post();
      } else if (msg.type === 'builtin') await this.pickScenario(msg.name);
      else if (msg.type === 'goto') await this.goto(msg.step);
      else if (msg.type === 'focus')
        await vscode.commands.executeCommand('setContext', CTX_SCENARIO.focused, msg.focused);
      else await this.command(msg.command);
    } catch (err) {
      reportError('scenario', err);
    }
  }

  private async command(c: StepCommand): Promise<void> {
    if (c === 'pick') await this.pickScenario(undefined);
    else if (c === 'showMap') {
      await vscode.commands.executeCommand(CMD.showMap);
      this.highlight();
    } else await this.act(c);
  }

  private async pickScenario(arg: unknown): Promise<void> {
    if (typeof arg === 'string') {
      if (!Object.prototype.hasOwnProperty.call(BUILTINS, arg))
        throw new Error(`no built-in scenario "${arg.slice(0, 64)}" (built-ins: ${Object.keys(BUILTINS).join(', ')})`);
      await this.load({ kind: 'builtin', name: arg }, -1);
      return;
    }
    const files = await vscode.workspace.findFiles(FILE_GLOB, EXCLUDE_GLOB, 100);
    type Item = vscode.QuickPickItem & { pick?: Pick; browse?: true };
    const rel = (u: vscode.Uri): string => vscode.workspace.asRelativePath(u, false);
    const items: Item[] = [
      { label: 'Built-in', kind: vscode.QuickPickItemKind.Separator },
      ...Object.entries(BUILTINS).map(([name, b]) => ({
        label: `$(beaker) ${name}`,
        detail: b.summary,
        pick: { kind: 'builtin', name } as Pick,
      })),
      { label: 'Workspace', kind: vscode.QuickPickItemKind.Separator },
      ...files
        .sort((a, b) => rel(a).localeCompare(rel(b)))
        .map((u) => ({
          label: `$(json) ${rel(u)}`,
          description: 'scenario file',
          pick: { kind: 'file', uri: u.toString() } as Pick,
        })),
      { label: '$(folder-opened) Open a scenario file…', browse: true },
    ];
    const chosen = await vscode.window.showQuickPick(items, {
      title: 'Xen Memory: Pick a Scenario',
      placeHolder: 'a built-in or a scenario JSON file (*scenario*.json)',
      matchOnDetail: true,
    });
    if (!chosen) return;
    if (chosen.browse) {
      const uris = await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { 'Scenario JSON': ['json'] },
        openLabel: 'Run Scenario',
      });
      if (uris?.[0]) await this.load({ kind: 'file', uri: uris[0].toString() }, -1);
    } else if (chosen.pick) await this.load(chosen.pick, -1);
  }

  private async scenarioOf(p: Pick): Promise<{ scenario: Scenario; source: string }> {
    if (p.kind === 'builtin') return { scenario: builtinScenario(p.name), source: 'built-in' };
    const uri = vscode.Uri.parse(p.uri, true);
    const source = vscode.workspace.asRelativePath(uri, false);
    // stat first: a FIFO, a directory or a huge file is refused before anything is read
    const st = await vscode.workspace.fs.stat(uri);
    if ((st.type & vscode.FileType.File) === 0) throw new Error(`${source}: not a regular file`);
    if (st.size > SCENARIO_CAP) throw new Error(`${source}: larger than 4 MiB (${st.size} bytes)`);
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (bytes.byteLength > SCENARIO_CAP) throw new Error(`${source}: larger than 4 MiB (it grew while read)`);
    return { scenario: parseScenario(new TextDecoder().decode(bytes), source), source };
  }

  /** run the scenario (errors leave the previous one in place) */
  private async load(p: Pick, pos: number): Promise<void> {
    const { scenario, source } = await this.scenarioOf(p);
    const t0 = performance.now();
    const trace = traceScenario(scenario, source);
    log(
      `scenario ${scenario.name} (${source}): ${trace.count}/${scenario.steps.length} steps, ${trace.result.findings.length} finding(s) in ${(performance.now() - t0).toFixed(0)} ms`,
    );
    this.trace = trace;
    this.pick = p;
    this.pos = Math.max(-1, Math.min(pos, trace.count - 1));
    this.watch(p);
    await this.changed();
    if (this.view && !this.view.visible) this.view.show(true);
  }

  /** a picked file that changes on disk is run again at the same step */
  private watch(p: Pick): void {
    if (p.kind !== 'file') {
      this.watcher.value = undefined;
      return;
    }
    const uri = vscode.Uri.parse(p.uri, true);
    const w = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), uri.path.split('/').pop() ?? ''),
      true,
      false,
      true,
    );
    w.onDidChange(async () => {
      if (this.pick !== p) return;
      try {
        await this.load(p, this.pos);
      } catch (err) {
        reportError('scenario', err);
      }
    });
    this.watcher.value = w;
  }

  private async act(a: StepAction): Promise<void> {
    if (!this.trace) {
      await this.pickScenario(undefined);
      return;
    }
    const pos = nextPosition(this.pos, this.trace.count, a, this.trace.findingSteps);
    if (pos === this.pos) return;
    this.pos = pos;
    await this.changed();
  }

  private async goto(step: number): Promise<void> {
    if (!this.trace) return;
    this.pos = Math.max(-1, Math.min(step, this.trace.count - 1));
    await this.changed();
  }

  private async changed(): Promise<void> {
    if (this.pick) await this.memento.update(MEMENTO_KEY, { pick: this.pick, pos: this.pos } satisfies Saved);
    await this.setContext();
    this.highlight();
    await this.post();
  }

  private highlight(): void {
    if (!this.trace) return;
    const m = stepModel(this.trace, this.pos);
    MapPanel.highlight(m.highlight, m.step ? `${m.scenario} step ${m.step.index} (${m.step.event})` : '');
  }

  private async setContext(): Promise<void> {
    const count = this.trace?.count ?? 0;
    await vscode.commands.executeCommand('setContext', CTX_SCENARIO.loaded, this.trace !== undefined);
    await vscode.commands.executeCommand('setContext', CTX_SCENARIO.canBack, this.trace !== undefined && this.pos > -1);
    await vscode.commands.executeCommand(
      'setContext',
      CTX_SCENARIO.canForward,
      this.trace !== undefined && this.pos < count - 1,
    );
  }

  private async post(): Promise<void> {
    const view = this.view;
    if (!view) return;
    const msg: ToScenarioWebview = this.trace
      ? { type: 'step', model: stepModel(this.trace, this.pos) }
      : { type: 'empty', builtins: Object.keys(BUILTINS) };
    // the webview drops what fails its guard: say so here instead of showing nothing
    if (msg.type === 'step' && !isStepModel(msg.model)) {
      reportError(
        'scenario',
        new Error(
          `${this.trace?.source ?? 'scenario'}: step ${this.pos} cannot be shown (a field is longer than the view accepts)`,
        ),
      );
      return;
    }
    await view.webview.postMessage(msg);
  }
}
