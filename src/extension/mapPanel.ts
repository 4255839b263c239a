/**
 * The map webview (`xenMemory.showMap`): SVG of the active layout, drawn by dist/webview/map.js
 * from a typed model message. Strict CSP with a nonce, roots media/ and dist/ only, no data in
 * the HTML; every incoming message is validated. Restored after reload by the serializer.
 */
import * as vscode from 'vscode';
import { hex, humanSize, usedEntries, type PatchInfo, type Region } from '../core/index';
import {
  isFromWebview,
  limitRegions,
  type MapCompare,
  type MapLive,
  type MapModel,
  type MapRegion,
  type ToWebview,
} from '../webview/protocol';
import { Disposable } from './dispose';
import { nonce, webviewShell, WEBVIEW_ROOTS } from './webviewHtml';
import { CMD, MAP_VIEW_TYPE } from './ids';
import { isPatchSource, loadPatch, sourceUri } from './layoutSource';
import { log, reportError } from './output';
import { openRegionDefinition } from './regionDefinition';
import type { Live } from './live';
import type { Model, State } from './state';

function mapRegion(r: Region): MapRegion {
  return {
    name: r.name,
    start: r.start,
    end: r.end,
    description: r.description,
    startMacro: r.startMacro,
    where: r.file && r.line ? `${vscode.workspace.asRelativePath(r.file)}:${r.line}` : null,
  };
}

/** the before/after part of the model for a patch read by the core */
export function mapCompare(info: PatchInfo): MapCompare {
  const range = (r: Region | null): { start: number; end: number } | null =>
    r ? { start: r.start, end: r.end } : null;
  return {
    patch: info.name,
    subject: info.subject,
    beforeLabel: info.layout.base,
    afterLabel: info.layout.applied.length
      ? `after ${info.layout.applied.join(', ')}`
      : 'after (no layout header changed)',
    before: info.layout.before.regions.map(mapRegion),
    after: info.layout.after.regions.map(mapRegion),
    changes: info.layout.changes.map((c) => ({
      name: c.name,
      change: c.change,
      before: range(c.before),
      after: range(c.after),
    })),
  };
}

export function mapModel(m: Model, compare: MapCompare | null = null, live: MapLive | null = null): MapModel {
  const win = m.layout.regions.find((r) => r.name === 'VIRT_LIN_P2M');
  // the map draws at most MAX_MAP_REGIONS per layout: the rest is left out with a notice, never a blank map
  const notices: string[] = [];
  const limit = (rs: MapRegion[], what: string): MapRegion[] => {
    const l = limitRegions(rs, what);
    if (l.notice) notices.push(l.notice);
    return l.regions;
  };
  const regions = limit(m.layout.regions.map(mapRegion), 'The layout');
  if (compare) {
    compare = {
      ...compare,
      before: limit(compare.before, 'The layout before the patch'),
      after: limit(compare.after, 'The layout after the patch'),
      changes: compare.changes.slice(0, 512),
    };
  }
  for (const n of notices) log(`map: ${n}`);
  return {
    top: m.layout.arch === 'arm64' ? 2 ** 48 : 2 ** 32,
    notices,
    source: `${m.loaded.arch} · ${m.loaded.files.length ? m.loaded.files.join(' + ') : m.layout.source}${m.note ? ` · ${m.note}` : ''}`,
    guest: `${m.session.dom.name}: RAM ${hex(m.session.dom.ramBase)} + ${humanSize(m.session.dom.ramSize)}`,
    regions,
    vlpt: win ? { start: win.start, end: win.end } : null,
    // while attached the slots are the live Xen's, not the emulated prepare_vlpt's
    usedSlots: m.emulated && !live ? [...(m.session.prepare?.slotsWritten ?? [])] : [],
    findingSlots: m.emulated && !live ? [...m.findingSlots.keys()] : [],
    scale: m.settings.mapScale,
    compare,
    live,
  };
}

/**
 * The attached Xen's used xen_second slots for the map (one table read per register read, shared with the
 * xen_second tree), or null when none is attached. The map's slots are arm32 VA / 2 MiB from 0: an arm64
 * xen_second (another base) is not drawn, and the note says so.
 */
export async function liveSlots(live: Live | undefined): Promise<MapLive | null> {
  const cur = live?.current;
  if (!live || !cur) return null;
  const label = `live · ${cur.info.label}`;
  const pending = live.xenSecond();
  if (!pending) return { label, slots: [], note: 'the target runs: pause it to read its xen_second' };
  try {
    const x = await pending;
    if (x.arch !== 'armhf' || x.base !== 0)
      return {
        label,
        slots: [],
        note: `${x.arch}: its xen_second is not the arm32 one the map draws (see the xen_second tree)`,
      };
    return { label, slots: usedEntries(x.table).map((e) => e.index), note: '' };
  } catch (err) {
    return {
      label,
      slots: [],
      note: `could not read xen_second: ${(err instanceof Error ? err.message : String(err)).slice(0, 300)}`,
    };
  }
}

export class MapPanel extends Disposable {
  private static current: MapPanel | undefined;
  /** xen_second slots the Scenario view highlights (kept while the map is closed) */
  private static highlighted: { slots: number[]; label: string } = { slots: [], label: '' };
  /** the live session whose xen_second the map shows while attached */
  private static live: Live | undefined;

  /** Show the attached Xen's xen_second slots (and the model again on detach). */
  static watchLive(live: Live): vscode.Disposable {
    MapPanel.live = live;
    return live.onDidChange(() => void MapPanel.current?.post());
  }

  /** Highlight xen_second slots on the map (the Scenario view's current step); [] clears. */
  static highlight(slots: number[], label: string): void {
    MapPanel.highlighted = { slots: [...slots], label };
    void MapPanel.current?.postHighlight();
  }
  /** a patch shown before/after on request (Show Patch Before/After), over the active layout */
  private patch: vscode.Uri | undefined;
  /** the patch of the last posted compare (for openRegion) */
  private shown: { uri: vscode.Uri; info: PatchInfo } | undefined;

  /** Show the map of the active layout (before/after when the layout source is a patch). */
  static async show(extensionUri: vscode.Uri, state: State, patch?: vscode.Uri): Promise<void> {
    if (MapPanel.current) {
      const cur = MapPanel.current;
      const changed = cur.patch?.toString() !== patch?.toString();
      cur.patch = patch;
      cur.panel.reveal();
      if (changed) await cur.post();
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      MAP_VIEW_TYPE,
      'Xen Memory Map',
      vscode.ViewColumn.Beside,
      MapPanel.options(extensionUri),
    );
    MapPanel.current = new MapPanel(panel, extensionUri, state);
    MapPanel.current.patch = patch;
  }

  static register(extensionUri: vscode.Uri, state: State): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(MAP_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => {
        panel.webview.options = MapPanel.options(extensionUri);
        MapPanel.current?.dispose();
        MapPanel.current = new MapPanel(panel, extensionUri, state);
      },
    });
  }

  static disposeCurrent(): void {
    MapPanel.current?.dispose();
  }

  private static options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: WEBVIEW_ROOTS.map((r) => vscode.Uri.joinPath(extensionUri, r)),
    };
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly state: State,
  ) {
    super();
    this._register(panel);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((msg: unknown) => void this.onMessage(msg)));
    this._register(state.onDidChange(() => void this.post()));
    panel.webview.html = this.html();
  }

  override dispose(): void {
    if (MapPanel.current === this) MapPanel.current = undefined;
    super.dispose();
  }

  private html(): string {
    const w = this.panel.webview;
    return webviewShell({
      cspSource: w.cspSource,
      nonce: nonce(),
      css: w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'map.css')).toString(),
      script: w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'map.js')).toString(),
      title: 'Xen Memory Map',
      body: '<header id="head"></header>\n<main id="map" aria-label="Xen virtual memory map"></main>',
    });
  }

  /** the patch to show before/after: the requested one, else the layout source when it is a patch */
  private comparedPatch(m: Model): vscode.Uri | undefined {
    if (this.patch) return this.patch;
    return isPatchSource(m.settings.layoutSource) ? (sourceUri(m.settings.layoutSource) ?? undefined) : undefined;
  }

  private async post(): Promise<void> {
    try {
      const m = await this.state.get();
      const uri = this.comparedPatch(m);
      let compare: MapCompare | null = null;
      this.shown = undefined;
      if (uri) {
        const { info } = await loadPatch(uri);
        this.shown = { uri, info };
        compare = mapCompare(info);
        this.panel.title = `Xen Memory Map: ${uri.path.split('/').pop()}`;
      } else this.panel.title = `Xen Memory Map: ${m.loaded.label} (${m.loaded.arch})`;
      const msg: ToWebview = { type: 'model', model: mapModel(m, compare, await liveSlots(MapPanel.live)) };
      await this.panel.webview.postMessage(msg);
    } catch (err) {
      reportError('map', err);
    }
  }

  private async postHighlight(): Promise<void> {
    try {
      const msg: ToWebview = { type: 'highlightSlots', ...MapPanel.highlighted };
      await this.panel.webview.postMessage(msg);
    } catch (err) {
      reportError('map', err);
    }
  }

  private async onMessage(msg: unknown): Promise<void> {
    if (!isFromWebview(msg)) {
      log(`map: ignored an invalid message from the webview: ${JSON.stringify(msg)?.slice(0, 200)}`);
      return;
    }
    if (msg.type === 'ready') {
      await this.post();
      await this.postHighlight();
    } else if (msg.type === 'revealSlot') await vscode.commands.executeCommand(CMD.reveal, { slot: msg.slot });
    else if (msg.type === 'openRegion') {
      const reg =
        this.shown?.info.layout.after.regions.find((r) => r.name === msg.name) ??
        this.shown?.info.layout.before.regions.find((r) => r.name === msg.name);
      if (this.shown && reg) {
        try {
          await openRegionDefinition(reg, this.shown.uri);
        } catch (err) {
          reportError('map', err);
        }
      } else await vscode.commands.executeCommand(CMD.openRegion, { name: msg.name });
    }
  }
}
