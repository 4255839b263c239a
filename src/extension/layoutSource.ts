/**
 * Where the active layout comes from: the embedded 2013+seed map, a header in the workspace
 * parsed by core/layout/header.ts, or a patch in the workspace read by core/patch (the layout
 * after its config.h hunks, applied to the embedded 2013 config.h).
 */
import * as vscode from 'vscode';
import { embeddedLayout, InputError, readPatch, type Layout, type PatchInfo } from '../core/index';
import { parseHeaders } from '../core/layout/header';
import { armHeaderPaths } from '../core/patch/series';
import { MAYBE_PATCH_FILE } from './patchText';

export const EMBEDDED = 'embedded';
/** headers larger than this are not layouts (and must not hang the host) */
const MAX_BYTES = 4 * 1024 * 1024;

/** The workspace file a layout source names, or null for the embedded one. */
export function sourceUri(source: string): vscode.Uri | null {
  if (source === EMBEDDED) return null;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (source.startsWith('/')) return vscode.Uri.file(source);
  if (folders.length === 0)
    throw new InputError(`layout source ${JSON.stringify(source)}: no workspace folder is open to resolve it in`);
  return vscode.Uri.joinPath(folders[0]!.uri, source);
}

/** is this layout source (a setting value) a patch? */
export function isPatchSource(source: string): boolean {
  return source !== EMBEDDED && MAYBE_PATCH_FILE.test(source);
}

async function readCapped(uri: vscode.Uri, label: string): Promise<string> {
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > MAX_BYTES)
    throw new InputError(`${label}: ${stat.size} bytes is larger than the 4 MiB cap for a layout file`);
  return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
}

/** A patch of the workspace read by the core: subject, findings, layout before/after. */
export async function loadPatch(uri: vscode.Uri): Promise<{ info: PatchInfo; text: string }> {
  const name = vscode.workspace.asRelativePath(uri, false);
  const text = await readCapped(uri, name);
  // the base is the open tree: each Arm header the patch names, read at its own path in the workspace
  const folder = vscode.workspace.workspaceFolders?.[0];
  const files: Array<{ path: string; text: string }> = [];
  if (folder)
    for (const p of armHeaderPaths(text))
      try {
        files.push({ path: p, text: await readCapped(vscode.Uri.joinPath(folder.uri, p), p) });
      } catch {
        // not in this workspace: that file falls back to the hunks' own lines
      }
  const tree = files.length ? { label: `workspace ${folder!.name}`, files } : undefined;
  return { info: readPatch(text, name, tree ? { arch: 'arm32', tree } : { arch: 'arm32' }), text };
}

export async function loadLayout(source: string): Promise<Layout> {
  const uri = sourceUri(source);
  if (uri === null) return embeddedLayout();
  if (isPatchSource(source)) {
    const { info } = await loadPatch(uri);
    if (info.layout.applied.length === 0)
      throw new InputError(
        `${source}: the patch changes no ARM layout header (config.h / mmu/layout.h), so it has no layout of its own`,
      );
    return info.layout.after;
  }
  const text = await readCapped(uri, source);
  if (/\.(h|hh|hpp)$/i.test(uri.path)) return parseHeaders([{ path: uri.fsPath, text }], { arch: 'arm32', source });
  throw new InputError(
    `${source}: expected a C header (.h) or a patch (.patch, .diff, .mbox, .eml, a saved archive .txt)`,
  );
}
