/**
 * What the Problems panel reads in a Xen tree, and how (pure, unit-tested over the fixture
 * trees of several eras). Findings only where they are true:
 * - headers: only the tree's Arm layout headers (core/layout/tree.ts), each parsed with the
 *   rest of its set and linted for the arch branches it belongs to; outside a discovered tree,
 *   only files whose path is an Arm layout header's. Other arches' `config.h` (x86, ppc) and
 *   tools/stubdom copies are not layouts;
 * - patches: Xen patches only. A patch under `stubdom/`, `tools/` or `extras/` of the tree, or
 *   one whose diffs touch no path of a Xen tree (newlib, etherboot, tpm emulator: vendored
 *   patches of other projects), is not read.
 */
import {
  armLayoutArches,
  lintHeaders,
  readPatch,
  type Arch,
  type HeaderFile,
  type PatchInfo,
  type TreeLayout,
} from '../core/index';
import { MAX_HEADER_BYTES, MAX_PATCH_BYTES, isLayoutHeader } from './lintFiles';
import { isPatchFile, MAYBE_PATCH_FILE } from './patchText';

export type LintPlan = { kind: 'header'; arches: Arch[] } | { kind: 'patch' } | { kind: 'skip' };

/** top-level entries of a Xen checkout: a diff path starting with one of them is Xen's */
const XEN_TOP =
  /^(xen|tools|docs|config|stubdom|extras|m4|scripts|automation|misc|MAINTAINERS|Config\.mk|Makefile|README|CHANGELOG\.md|COPYING|CREDITS|INSTALL|SUPPORT\.md|configure(\.ac)?|autogen\.sh|\.gitignore|\.gitlab-ci\.yml)(\/|$)/;
const VENDORED_DIR = /(^|\/)(stubdom|tools|extras)\//;

/** the tree-relative part of a workspace path ('' root: the path itself), null when outside the tree */
function underRoot(rel: string, tree: TreeLayout | null): string | null {
  if (!tree) return null;
  return rel.startsWith(tree.root) ? rel.slice(tree.root.length) : null;
}

/** Which arches `rel` is a layout header of: the tree's sets, else by its path alone. */
export function headerArchesOf(rel: string, tree: TreeLayout | null): Arch[] | null {
  if (tree && underRoot(rel, tree) !== null) {
    const arches = (['arm32', 'arm64'] as const).filter((a) => tree[a].files.includes(rel));
    return arches.length ? arches : null;
  }
  return armLayoutArches(rel);
}

export function lintPlan(rel: string, tree: TreeLayout | null): LintPlan {
  if (/\.h$/i.test(rel)) {
    const arches = headerArchesOf(rel, tree);
    return arches ? { kind: 'header', arches } : { kind: 'skip' };
  }
  if (!MAYBE_PATCH_FILE.test(rel)) return { kind: 'skip' };
  const inTree = underRoot(rel, tree);
  if (VENDORED_DIR.test(inTree ?? rel)) return { kind: 'skip' };
  return { kind: 'patch' };
}

/** paths a unified diff touches (`+++`/`---` lines, a/ b/ prefixes dropped; /dev/null skipped) */
export function diffPaths(text: string): string[] {
  const out = new Set<string>();
  const re = /^(?:\+\+\+|---) (\S+)/gm;
  for (let m = re.exec(text); m && out.size < 1000; m = re.exec(text)) {
    const p = m[1]!;
    if (p === '/dev/null') continue;
    out.add(p.replace(/^[ab]\//, ''));
  }
  return [...out];
}

/** a patch of another project kept in the tree (its diffs touch no path of a Xen tree) */
export function isForeignPatch(text: string): boolean {
  const paths = diffPaths(text);
  return paths.length > 0 && !paths.some((p) => XEN_TOP.test(p));
}

export interface FileFinding {
  id: string;
  severity: string;
  /** 1-based line, null when the finding has none */
  line: number | null;
  message: string;
}

/**
 * Lint one header of a plan: parsed with `set(arch)` (the other files of its set; the file's
 * own text wins), findings of this file only, the arch named when both are linted.
 */
export function headerFindings(
  rel: string,
  text: string,
  arches: Arch[],
  set: (arch: Arch) => HeaderFile[],
): FileFinding[] {
  if (text.length > MAX_HEADER_BYTES || !isLayoutHeader(text)) return [];
  const seen = new Set<string>();
  const out: FileFinding[] = [];
  for (const arch of arches) {
    const files = set(arch).map((f) => (f.path === rel ? { path: rel, text } : f));
    if (!files.some((f) => f.path === rel)) files.push({ path: rel, text });
    for (const f of lintHeaders(files, [arch])) {
      if (f.file !== rel && f.file !== null) continue;
      const key = `${f.id}|${f.line}|${f.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        id: f.id,
        severity: f.severity,
        line: f.line,
        message: arches.length > 1 ? `${arch}: ${f.message}` : f.message,
      });
    }
  }
  return out;
}

/** Read one patch of a plan: null for a foreign (vendored) patch or a non-patch. */
export function readTreePatch(rel: string, text: string, arch: Arch): PatchInfo | null {
  if (text.length > MAX_PATCH_BYTES || !isPatchFile(rel, text) || isForeignPatch(text)) return null;
  return readPatch(text, rel, { arch });
}
