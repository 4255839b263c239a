/**
 * The live model: settings → layout → emulated session (Xen + one guest + prepare_vlpt).
 * Built lazily on first use, rebuilt when a setting changes; one `onDidChange` event for all
 * views. A failed rebuild keeps the previous good session and reports once.
 */
import * as vscode from 'vscode';
import { createSession, embeddedLayout, slotsJson, type Layout, type Session, type SlotJson } from '../core/index';
import { CONFIG_SECTION, CTX_ERROR } from './ids';
import { Disposable } from './dispose';
import { readSettings, sameSettings, DEFAULT_SETTINGS, type Settings } from './settings';
import { loadLayout, type LoadedLayout } from './layoutSource';
import { log, reportError, warn } from './output';

export interface Model {
  settings: Settings;
  /** the layout the views show: the open tree's (or the chosen source's) for the selected arch */
  layout: Layout;
  /** where `layout` came from: files, arch, label, the discovered tree */
  loaded: LoadedLayout;
  /**
   * true when the emulated session runs on `layout` (an arm32 layout with the seed's VLPT
   * window); false when the core could not model it and the session is the 2013+seed one
   */
  emulated: boolean;
  /** the plain statement the views show when `emulated` is false */
  note: string | null;
  session: Session;
  /** slotsJson(session), computed once per model */
  slots: SlotJson[];
  /** slot -> messages of the findings that touch it */
  findingSlots: Map<number, string[]>;
}

export class State extends Disposable {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** fires once per effective change of the model (settings or layout source) */
  readonly onDidChange = this.changed.event;
  private current: Settings;
  private model: Model | undefined;
  private building: Promise<Model> | undefined;
  private generation = 0;

  constructor() {
    super();
    this.current = this.readConfig(DEFAULT_SETTINGS);
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(CONFIG_SECTION)) return;
        const next = this.readConfig(this.current);
        if (sameSettings(next, this.current)) return;
        this.current = next;
        this.invalidate();
      }),
    );
  }

  get settings(): Settings {
    return this.current;
  }

  /** drop the model (e.g. the layout file changed) and tell the views */
  invalidate(): void {
    this.generation++;
    this.model = undefined;
    this.building = undefined;
    this.changed.fire();
  }

  private readConfig(previous: Settings): Settings {
    const cfg = vscode.workspace.getConfiguration(CONFIG_SECTION);
    const { settings, warnings } = readSettings((k) => cfg.get(k), previous);
    for (const w of warnings) warn(`${w}; keeping the previous value`);
    return settings;
  }

  /** The model, built on first use. Never rejects once a model was built. */
  async get(): Promise<Model> {
    if (this.model) return this.model;
    if (!this.building) {
      const gen = this.generation;
      this.building = this.build(this.current).then(
        (m) => {
          if (gen === this.generation) this.model = m;
          return m;
        },
        (err: unknown) => {
          this.building = undefined;
          throw err;
        },
      );
    }
    return this.building;
  }

  /** the model when already built (for synchronous callers such as the status bar) */
  peek(): Model | undefined {
    return this.model;
  }

  private lastGood: Model | undefined;

  private async build(settings: Settings): Promise<Model> {
    const t0 = Date.now();
    let loaded: LoadedLayout;
    try {
      loaded = await loadLayout(settings.layoutSource, settings.arch);
    } catch (err) {
      reportError(`layout source "${settings.layoutSource}"`, err);
      loaded = { layout: embeddedLayout(), arch: 'arm32', files: [], label: '2013+seed', tree: null };
    }
    const layout = loaded.layout;
    // the emulation core models the 2013 arm32 map with the seed's VIRT_LIN_P2M window only
    const emulated = layout.arch === 'arm32' && layout.regions.some((r) => r.name === 'VIRT_LIN_P2M');
    const note = emulated
      ? null
      : `The emulation models only the 2013 arm32 map with the seed's VLPT window (VIRT_LIN_P2M); ${loaded.label} (${loaded.arch}) has none, so xen_second slots, the VLPT and GPA resolution are not shown for it.`;
    try {
      const session = createSession({
        ramBase: settings.ramBase,
        ramSize: settings.ramSize,
        tree: settings.tree,
        layout: emulated ? layout : embeddedLayout(),
      });
      const findingSlots = new Map<number, string[]>();
      for (const f of session.findings)
        for (const s of f.slots) {
          const list = findingSlots.get(s) ?? [];
          list.push(`${f.severity} ${f.id}: ${f.message}`);
          findingSlots.set(s, list);
        }
      const model: Model = {
        settings,
        layout,
        loaded,
        emulated,
        note,
        session,
        slots: slotsJson(session),
        findingSlots,
      };
      this.lastGood = model;
      void vscode.commands.executeCommand('setContext', CTX_ERROR, false);
      log(
        `session built in ${Date.now() - t0} ms: ${layout.source}${emulated ? '' : ' (not emulated: session on the 2013+seed map)'}, guest ${session.dom.name} RAM 0x${settings.ramBase.toString(16)} + 0x${settings.ramSize.toString(16)}, ${session.findings.length} finding(s)`,
      );
      return model;
    } catch (err) {
      reportError('building the emulated system', err);
      void vscode.commands.executeCommand('setContext', CTX_ERROR, true);
      if (this.lastGood) return this.lastGood;
      throw err;
    }
  }
}
