/**
 * Open the header at a region's `#define`: the file and line the parser recorded, or (for the
 * embedded layout) the first workspace header that defines the start macro. For a layout read
 * from a patch, the patch's own `+#define` line comes first.
 */
import * as vscode from 'vscode';
import { InputError, type Region } from '../core/index';
import { readUri } from './workspaceRead';
import { defineLineInPatch } from './patchText';
import { EXCLUDE_GLOB } from './lintFiles';

const MAX_FILES = 200;
const MAX_BYTES = 1024 * 1024;

export function defineRegExp(macro: string): RegExp {
  return new RegExp(`^\\s*#\\s*define\\s+${macro.replace(/[^A-Za-z0-9_]/g, '')}\\b`);
}

/** first (uri, 0-based line) in the workspace headers that #defines `macro` */
export async function findDefine(macro: string): Promise<{ uri: vscode.Uri; line: number } | undefined> {
  const re = defineRegExp(macro);
  const files = await vscode.workspace.findFiles('**/*.h', EXCLUDE_GLOB, MAX_FILES);
  files.sort((a, b) => a.path.localeCompare(b.path));
  for (const uri of files) {
    const text = await readUri(uri, vscode.workspace.asRelativePath(uri, false), MAX_BYTES).catch(() => null);
    if (text === null) continue; // not a regular file of the workspace, or too big
    const lines = text.split(/\r?\n/);
    const i = lines.findIndex((l) => re.test(l));
    if (i >= 0) return { uri, line: i };
  }
  return undefined;
}

/** (uri, 0-based line) of `macro`'s #define inside a patch file, or undefined */
async function findDefineInPatch(
  patch: vscode.Uri,
  macro: string,
): Promise<{ uri: vscode.Uri; line: number } | undefined> {
  const text = await readUri(patch, vscode.workspace.asRelativePath(patch, false), 4 * MAX_BYTES).catch(() => null);
  if (text === null) return undefined;
  const line = defineLineInPatch(text.split(/\r?\n/), macro);
  return line >= 0 ? { uri: patch, line } : undefined;
}

/** `patch`: the patch the layout was read from (its region files are paths inside the patch) */
export async function openRegionDefinition(reg: Region, patch?: vscode.Uri): Promise<void> {
  let target: { uri: vscode.Uri; line: number } | undefined;
  if (patch && reg.startMacro)
    target = (await findDefineInPatch(patch, reg.startMacro)) ?? (await findDefine(reg.startMacro));
  else if (reg.file && reg.line) {
    // header sources record workspace-relative paths (the open tree's), older ones absolute paths
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = reg.file.startsWith('/') || !folder ? vscode.Uri.file(reg.file) : vscode.Uri.joinPath(folder, reg.file);
    target = { uri, line: reg.line - 1 };
  } else if (reg.startMacro) target = await findDefine(reg.startMacro);
  if (!target)
    throw new InputError(
      `no header in the workspace defines ${reg.startMacro ?? reg.name} (the layout is ${reg.file ? reg.file : 'embedded'})`,
    );
  const doc = await vscode.workspace.openTextDocument(target.uri);
  const range = new vscode.Range(target.line, 0, target.line, doc.lineAt(target.line).text.length);
  await vscode.window.showTextDocument(doc, { selection: range, preview: false });
}
