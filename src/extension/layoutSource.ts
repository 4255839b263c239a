/**
 * Where the active layout comes from: the embedded 2013+seed map, or a header in the workspace
 * parsed by core/layout/header.ts. Patch sources go through the patch reader once it exists
 * (core/patch); until then they are refused with a clear message.
 */
import * as vscode from 'vscode';
import { embeddedLayout, InputError, type Layout } from '../core/index';
import { parseHeaders } from '../core/layout/header';

export const EMBEDDED = 'embedded';
/** headers larger than this are not layouts (and must not hang the host) */
const MAX_BYTES = 4 * 1024 * 1024;

/** The workspace file a layout source names, or null for the embedded one. */
export function sourceUri(source: string): vscode.Uri | null {
  if (source === EMBEDDED) return null;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (source.startsWith('/')) return vscode.Uri.file(source);
  if (folders.length === 0) throw new InputError(`layout source ${JSON.stringify(source)}: no workspace folder is open to resolve it in`);
  return vscode.Uri.joinPath(folders[0]!.uri, source);
}

export async function loadLayout(source: string): Promise<Layout> {
  const uri = sourceUri(source);
  if (uri === null) return embeddedLayout();
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > MAX_BYTES) throw new InputError(`${source}: ${stat.size} bytes is larger than the 4 MiB cap for a layout file`);
  const text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
  if (/\.(h|hh|hpp)$/i.test(uri.path)) return parseHeaders([{ path: uri.fsPath, text }], { arch: 'arm32', source });
  throw new InputError(`${source}: only C headers (.h) can be a layout source in this version`);
}
