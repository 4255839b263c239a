/**
 * Where the active layout comes from, for the selected arch:
 * - `auto` (default): the Xen tree open in the workspace (treeDiscovery.ts): its Arm layout
 *   headers by their real paths, parsed together; the embedded map when no tree is open;
 * - `embedded`: the 2013 config.h + seed, built in;
 * - a header of the workspace, parsed with the layout headers it `#include`s;
 * - a patch of the workspace read by core/patch (the layout after its layout-header hunks).
 */
import * as vscode from 'vscode';
import {
  embeddedLayout,
  findTreeEntries,
  InputError,
  parsedEmbeddedLayout,
  readPatch,
  walkTree,
  type Arch,
  type Layout,
  type PatchInfo,
} from '../core/index';
import { parseHeaders } from '../core/layout/header';
import { armHeaderPaths } from '../core/patch/series';
import { MAYBE_PATCH_FILE } from './patchText';
import { log } from './output';
import { resolveSettingPath } from './workspaceFile';
import { discoverOpenTree, type OpenTree } from './treeDiscovery';
import { readHeader, readUri } from './workspaceRead';

export const EMBEDDED = 'embedded';
export const AUTO = 'auto';

/** the active layout and what it was read from */
export interface LoadedLayout {
  layout: Layout;
  arch: Arch;
  /** workspace-relative files the layout was parsed from ([] for the embedded map) */
  files: string[];
  /** short name for the status bar: "asm-arm/config.h", "config.h + mmu/layout.h", "2013+seed" */
  label: string;
  /** the discovered tree (auto), null otherwise */
  tree: OpenTree | null;
}

/** "config.h + mmu/layout.h": each file by its name under the asm folder */
export function filesLabel(files: readonly string[]): string {
  return files
    .map((f) => {
      const m = /(?:^|\/)(?:include\/(asm-arm)|arch\/arm\/include\/asm)\/(.+)$/.exec(f);
      return m ? (m[1] ? `${m[1]}/${m[2]}` : m[2]!) : f.split('/').pop()!;
    })
    .join(' + ');
}
/**
 * The workspace file a layout source names, or null for the embedded one. The path must stay
 * inside a workspace folder (no absolute path elsewhere, no `..` escape); symlinks are checked
 * when the file is read (readUri).
 */
export function sourceUri(source: string): vscode.Uri | null {
  if (source === EMBEDDED || source === AUTO) return null;
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

/** A patch of the workspace read by the core: subject, findings, layout before/after. */
export async function loadPatch(uri: vscode.Uri): Promise<{ info: PatchInfo; text: string }> {
  const name = vscode.workspace.asRelativePath(uri, false);
  const text = await readUri(uri, name);
  // the base is the open tree: each Arm header the patch names, read at its own path in the workspace
  const folder = vscode.workspace.workspaceFolders?.[0];
  const files: Array<{ path: string; text: string }> = [];
  if (folder)
    for (const p of armHeaderPaths(text))
      try {
        files.push({ path: p, text: await readUri(vscode.Uri.joinPath(folder.uri, p), p) });
      } catch {
        // not in this workspace: that file falls back to the hunks' own lines
      }
  const tree = files.length ? { label: `workspace ${folder!.name}`, files } : undefined;
  const info = readPatch(text, name, tree ? { arch: 'arm32', tree } : { arch: 'arm32' });
  // a tree where the patch is already applied (or another era's): its hunks do not apply there, so the
  // review falls back to the embedded 2013 base the patch was written against, and says so in the log
  if (tree && info.findings.some((f) => f.id === 'hunk-not-applied')) {
    log(
      `${name}: its hunks do not apply to the open tree's headers (already applied?); reviewed against the embedded 2013 base`,
    );
    return { info: readPatch(text, name, { arch: 'arm32' }), text };
  }
  return { info, text };
}

function embedded(arch: Arch): LoadedLayout {
  const layout = arch === 'arm32' ? embeddedLayout() : parsedEmbeddedLayout('arm64');
  return { layout, arch, files: [], label: '2013+seed', tree: null };
}

async function parseSet(files: string[], read: (rel: string) => Promise<string | null>, arch: Arch): Promise<Layout> {
  const texts = [];
  for (const f of files) {
    const text = await read(f);
    if (text === null) throw new InputError(`${f}: cannot be read (missing, or larger than the header cap)`);
    texts.push({ path: f, text });
  }
  return parseHeaders(texts, { arch, source: `${files.join(' + ')} (${arch})` });
}

export async function loadLayout(source: string, arch: Arch): Promise<LoadedLayout> {
  if (source === AUTO) {
    const open = await discoverOpenTree();
    if (!open) return embedded(arch);
    const files = open.tree[arch].files;
    const layout = await parseSet(files, (rel) => readHeader(vscode.Uri.joinPath(open.folder, rel)), arch);
    return { layout, arch, files, label: filesLabel(files), tree: open };
  }
  const uri = sourceUri(source);
  if (uri === null) return embedded(arch);
  if (isPatchSource(source)) {
    const name = vscode.workspace.asRelativePath(uri, false);
    const info = readPatch(await readUri(uri, name), name, { arch });
    if (info.layout.applied.length === 0)
      throw new InputError(
        `${source}: the patch changes no ARM layout header (config.h / mmu/layout.h), so it has no layout of its own`,
      );
    return { layout: info.layout.after, arch, files: [name], label: name.split('/').pop()!, tree: null };
  }
  if (!/\.(h|hh|hpp)$/i.test(uri.path))
    throw new InputError(
      `${source}: expected a C header (.h) or a patch (.patch, .diff, .mbox, .eml, a saved archive .txt)`,
    );
  // a header: with the layout headers it includes (an entry config.h of a tree: by its era's paths)
  const rel = vscode.workspace.asRelativePath(uri, false);
  const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri;
  const read = async (p: string): Promise<string | null> =>
    p === rel ? readUri(uri, source) : folder ? readHeader(vscode.Uri.joinPath(folder, p)) : null;
  const entry = findTreeEntries([rel])[0];
  let files = [rel];
  if (entry && folder) {
    const walk = walkTree(entry.root, entry.entry);
    let step = walk.next();
    while (!step.done) step = walk.next(await read(step.value));
    if (step.value) files = step.value[arch].files;
  }
  const layout = await parseSet(files, read, arch);
  return { layout, arch, files, label: filesLabel(files), tree: null };
}
