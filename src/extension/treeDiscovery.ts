/**
 * The Xen tree open in the workspace: its Arm layout headers found by their real paths
 * (core/layout/tree.ts), read through workspace.fs. First the two entry paths at each
 * folder's root (two stats), then a glob of exactly those two paths one or more folders down
 * (a workspace holding a checkout in a subfolder) — never a scan of every header.
 */
import * as vscode from 'vscode';
import { ARM_LAYOUT_ENTRIES, discoverTreeAsync, type TreeLayout } from '../core/index';
import { EXCLUDE_GLOB } from './lintFiles';
import { readHeader } from './workspaceRead';

export interface OpenTree {
  tree: TreeLayout;
  /** the workspace folder the tree's paths are relative to */
  folder: vscode.Uri;
}

const ENTRY_GLOB = '**/xen/{include/asm-arm,arch/arm/include/asm}/config.h';

export function uriOf(t: OpenTree, rel: string): vscode.Uri {
  return vscode.Uri.joinPath(t.folder, rel);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    return (await vscode.workspace.fs.stat(uri)).type === vscode.FileType.File;
  } catch {
    return false;
  }
}

export async function discoverOpenTree(): Promise<OpenTree | null> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  for (const f of folders) {
    const found: string[] = [];
    for (const e of ARM_LAYOUT_ENTRIES) if (await exists(vscode.Uri.joinPath(f.uri, e))) found.push(e);
    if (found.length === 0) {
      const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(f, ENTRY_GLOB), EXCLUDE_GLOB, 20);
      for (const u of uris) found.push(vscode.workspace.asRelativePath(u, false));
    }
    const tree = await discoverTreeAsync(found, (rel) => readHeader(vscode.Uri.joinPath(f.uri, rel)));
    if (tree) return { tree, folder: f.uri };
  }
  return null;
}
