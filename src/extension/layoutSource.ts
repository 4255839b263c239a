/**
 * Where the active layout comes from: the embedded 2013+seed map, a header in the workspace
 * parsed by core/layout/header.ts, or a patch in the workspace read by core/patch (the layout
 * after its config.h hunks, applied to the embedded 2013 config.h).
 */
import * as vscode from 'vscode';
import { embeddedLayout, InputError, readPatch, type Layout, type PatchInfo } from '../core/index';
import { parseHeaders } from '../core/layout/header';
import { MAYBE_PATCH_FILE } from './patchText';
import { readWorkspaceFile, resolveSettingPath } from './workspaceFile';

export const EMBEDDED = 'embedded';
/** headers larger than this are not layouts (and must not hang the host) */
const MAX_BYTES = 4 * 1024 * 1024;

/**
 * The workspace file a layout source names, or null for the embedded one. The path must stay
 * inside a workspace folder (no absolute path elsewhere, no `..` escape); symlinks are checked
 * when the file is read (readUri).
 */
export function sourceUri(source: string): vscode.Uri | null {
  if (source === EMBEDDED) return null;
  const folders = vscode.workspace.workspaceFolders ?? [];
  const label = `xenMemory.layoutSource ${JSON.stringify(source)}`;
  if (folders.length > 0 && folders.every((f) => f.uri.scheme === 'file'))
    return vscode.Uri.file(
      resolveSettingPath(
        source,
        folders.map((f) => f.uri.fsPath),
        label,
      ),
    );
  // a virtual workspace: relative paths only, without `..`
  if (folders.length === 0) throw new InputError(`${label}: no workspace folder is open to resolve it in`);
  if (source.startsWith('/') || source.split(/[\\/]/).includes('..'))
    throw new InputError(`${label}: expected a path relative to the workspace folder, without ".."`);
  return vscode.Uri.joinPath(folders[0]!.uri, source);
}

/** is this layout source (a setting value) a patch? */
export function isPatchSource(source: string): boolean {
  return source !== EMBEDDED && MAYBE_PATCH_FILE.test(source);
}

/**
 * The text of a workspace file, read safely (see workspaceFile.ts): inside a workspace folder
 * after symlinks, a regular file, at most `maxBytes`, bounded read. Files of a virtual
 * workspace go through vscode.workspace.fs with the same type and size checks.
 */
export async function readUri(uri: vscode.Uri, label: string, maxBytes = MAX_BYTES): Promise<string> {
  if (uri.scheme === 'file') {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
    return readWorkspaceFile(uri.fsPath, { folders: folders.map((f) => f.uri.fsPath), maxBytes, label });
  }
  const stat = await vscode.workspace.fs.stat(uri);
  if ((stat.type & vscode.FileType.File) === 0 || (stat.type & vscode.FileType.SymbolicLink) !== 0)
    throw new InputError(`${label}: expected a regular file`);
  if (stat.size > maxBytes)
    throw new InputError(`${label}: ${stat.size} bytes is larger than the ${maxBytes} byte cap`);
  const bytes = await vscode.workspace.fs.readFile(uri);
  if (bytes.length > maxBytes) throw new InputError(`${label}: grew past the ${maxBytes} byte cap while it was read`);
  return new TextDecoder('utf-8').decode(bytes);
}

/** A patch of the workspace read by the core: subject, findings, layout before/after. */
export async function loadPatch(uri: vscode.Uri): Promise<{ info: PatchInfo; text: string }> {
  const name = vscode.workspace.asRelativePath(uri, false);
  const text = await readUri(uri, name);
  return { info: readPatch(text, name, { arch: 'arm32' }), text };
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
  const text = await readUri(uri, source);
  if (/\.(h|hh|hpp)$/i.test(uri.path)) return parseHeaders([{ path: uri.fsPath, text }], { arch: 'arm32', source });
  throw new InputError(
    `${source}: expected a C header (.h) or a patch (.patch, .diff, .mbox, .eml, a saved archive .txt)`,
  );
}
