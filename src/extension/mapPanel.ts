/**
 * The map webview (`xenMemory.showMap`): SVG of the active layout, drawn by dist/webview/map.js
 * from a typed model message. Strict CSP with a nonce, roots media/ and dist/ only, no data in
 * the HTML; every incoming message is validated. Restored after reload by the serializer.
 */
import * as vscode from 'vscode';
import { hex, humanSize } from '../core/index';
import { isFromWebview, type MapModel, type ToWebview } from '../webview/protocol';
import { Disposable } from './dispose';
import { CMD, MAP_VIEW_TYPE } from './ids';
import { log, reportError } from './output';
import type { Model, State } from './state';

export function nonce(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(18));
  return Buffer.from(bytes).toString('base64').replace(/[+/=]/g, '');
}

export function mapModel(m: Model): MapModel {
  const win = m.layout.regions.find((r) => r.name === 'VIRT_LIN_P2M');
  return {
    source: m.layout.source,
    guest: `${m.session.dom.name}: RAM ${hex(m.session.dom.ramBase)} + ${humanSize(m.session.dom.ramSize)}`,
    regions: m.layout.regions.map((r) => ({
      name: r.name,
      start: r.start,
      end: r.end,
      description: r.description,
      startMacro: r.startMacro,
      where: r.file && r.line ? `${vscode.workspace.asRelativePath(r.file)}:${r.line}` : null,
    })),
    vlpt: win ? { start: win.start, end: win.end } : null,
    usedSlots: [...(m.session.prepare?.slotsWritten ?? [])],
    findingSlots: [...m.findingSlots.keys()],
    scale: m.settings.mapScale,
  };
}

export class MapPanel extends Disposable {
  private static current: MapPanel | undefined;

  static async show(extensionUri: vscode.Uri, state: State): Promise<void> {
    if (MapPanel.current) {
      MapPanel.current.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(MAP_VIEW_TYPE, 'Xen Memory Map', vscode.ViewColumn.Beside, MapPanel.options(extensionUri));
    MapPanel.current = new MapPanel(panel, extensionUri, state);
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
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist')],
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
    const n = nonce();
    const css = w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'map.css'));
    const js = w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'map.js'));
    const csp = [`default-src 'none'`, `style-src ${w.cspSource}`, `img-src ${w.cspSource}`, `font-src ${w.cspSource}`, `script-src 'nonce-${n}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css.toString()}">
<title>Xen Memory Map</title>
</head>
<body>
<header id="head"></header>
<main id="map" aria-label="Xen virtual memory map"></main>
<script nonce="${n}" src="${js.toString()}"></script>
</body>
</html>`;
  }

  private async post(): Promise<void> {
    try {
      const msg: ToWebview = { type: 'model', model: mapModel(await this.state.get()) };
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
    if (msg.type === 'ready') await this.post();
    else if (msg.type === 'openRegion') await vscode.commands.executeCommand(CMD.openRegion, { name: msg.name });
  }
}
