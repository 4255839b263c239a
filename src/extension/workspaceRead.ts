/**
 * The one reader of workspace files for the extension (issue 13 item 1): every layout header,
 * patch and setting-named file goes through readUri — inside a workspace folder after symlinks,
 * a regular file, stat before a bounded read (workspaceFile.ts) — so a FIFO, /dev/zero or a
 * huge file can neither block nor exhaust the extension host. readHeader is its lenient form
 * for tree headers: an open document's text first, null on any refusal.
 */
import * as vscode from 'vscode';
import { InputError } from '../core/index';
import { MAX_HEADER_BYTES } from './lintFiles';
import { readWorkspaceFile } from './workspaceFile';

/** files larger than this are not layouts (and must not hang the host) */
export const MAX_READ_BYTES = 4 * 1024 * 1024;

/**
 * The text of a workspace file, read safely (see workspaceFile.ts): inside a workspace folder
 * after symlinks, a regular file, at most `maxBytes`, bounded read. Files of a virtual
 * workspace go through vscode.workspace.fs with the same type and size checks.
 */
export async function readUri(uri: vscode.Uri, label: string, maxBytes = MAX_READ_BYTES): Promise<string> {
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

/**
 * Text of a workspace header: the open document's (unsaved edits included) when it is open,
 * else readUri bounded to MAX_HEADER_BYTES; null when missing, outside the workspace, not a
 * regular file or over the header cap.
 */
export async function readHeader(uri: vscode.Uri): Promise<string | null> {
  const key = uri.toString();
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
  if (open) return open.getText();
  try {
    return await readUri(uri, vscode.workspace.asRelativePath(uri, false), MAX_HEADER_BYTES);
  } catch {
    return null;
  }
}
