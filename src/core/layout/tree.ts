/**
 * Which files of a Xen checkout hold its Arm hypervisor layout (reference doc §11), found by
 * their real paths in every era — never by scanning headers:
 * - until 2021: `xen/include/asm-arm/config.h` (arm32 and arm64 in `#ifdef CONFIG_ARM_32/64`);
 * - since 2021: `xen/arch/arm/include/asm/config.h`, which since 2023 `#include`s
 *   `asm/mmu/layout.h` (under `CONFIG_MMU`; `mpu/layout.h` is another system, not followed).
 * From the entry `config.h`, `#include <asm/…>` / `"…"` are followed when the target exists
 * and itself defines a region start; a target under `arm32/` or `arm64/` belongs to that
 * arch only. Pure: the caller reads the files (sync or async) through the walk's generator.
 */
import type { Arch } from './types';

/** entry headers, newest era first (a tree has one of them) */
export const ARM_LAYOUT_ENTRIES = ['xen/arch/arm/include/asm/config.h', 'xen/include/asm-arm/config.h'] as const;

/** at most this many files per tree and this include depth: a pathological tree stays bounded */
export const MAX_TREE_FILES = 16;
export const MAX_INCLUDE_DEPTH = 4;

export interface LayoutHeaderSet {
  arch: Arch;
  /** the tree's root as a prefix of the given paths ('' or 'some/dir/'), ending in '/' when not empty */
  root: string;
  /** the entry config.h, root-relative paths joined with the root (as given) */
  entry: string;
  /** entry first, then the included layout headers in include order */
  files: string[];
}

export interface TreeLayout {
  root: string;
  /** `asm-arm` (2013–2021 `xen/include/asm-arm/`) or `arch-arm` (2021+ `xen/arch/arm/include/asm/`) */
  era: 'asm-arm' | 'arch-arm';
  arm32: LayoutHeaderSet;
  arm64: LayoutHeaderSet;
  /** include targets that were not found or not layout headers (for the log) */
  notes: string[];
}

const ENTRY_RE = /(^|\/)xen\/(include\/asm-arm|arch\/arm\/include\/asm)\/config\.h$/;
const INCLUDE_RE = /^[ \t]*#[ \t]*include[ \t]*(<([^>\n]+)>|"([^"\n]+)")/gm;
/** a header that defines a start of a region of Xen's virtual map */
const REGION_DEFINE_RE = /^[ \t]*#[ \t]*define[ \t]+\w*(_VIRT_START|VIRT_LIN_P2M_START)\b/m;

/** The tree roots among `paths` (the prefix before `xen/…/config.h`), shortest first. */
export function findTreeEntries(paths: readonly string[]): Array<{ root: string; entry: string }> {
  const out: Array<{ root: string; entry: string }> = [];
  for (const p of paths) {
    const m = ENTRY_RE.exec(p.replace(/\\/g, '/'));
    if (!m) continue;
    const entry = p.replace(/\\/g, '/');
    out.push({ root: entry.slice(0, m.index + m[1]!.length), entry });
  }
  // the top-level tree first; of two eras in one root (a half-moved tree) the newer entry
  const era = (e: string): number => (e.includes('/arch/arm/include/asm/') ? 0 : 1);
  return out.sort(
    (a, b) => a.root.length - b.root.length || era(a.entry) - era(b.entry) || a.root.localeCompare(b.root),
  );
}

/** The folder `<asm/x>` names in this tree's era, root-relative. */
function asmDir(entry: string, root: string): string {
  return entry.slice(root.length).startsWith('xen/include/asm-arm/')
    ? 'xen/include/asm-arm/'
    : 'xen/arch/arm/include/asm/';
}

/** The root-joined paths an `#include` line of `from` may name (pure; no existence check). */
export function includeTargets(from: string, text: string, root: string, entry: string): string[] {
  const out: string[] = [];
  const dir = from.slice(0, from.lastIndexOf('/') + 1);
  INCLUDE_RE.lastIndex = 0;
  for (let m = INCLUDE_RE.exec(text); m; m = INCLUDE_RE.exec(text)) {
    const angled = m[2];
    const quoted = m[3];
    let target: string | null = null;
    if (angled !== undefined) {
      // <asm/...> is the arch's include dir (2013: the asm-arm symlink); <xen/...> holds no layout
      if (angled.startsWith('asm/')) target = root + asmDir(entry, root) + angled.slice(4);
    } else if (quoted !== undefined) target = normalise(dir + quoted);
    if (target === null || /(^|\/)mpu\//.test(target) || out.includes(target)) continue;
    out.push(target);
  }
  return out;
}

function normalise(p: string): string {
  const parts: string[] = [];
  for (const s of p.split('/')) {
    if (s === '..') parts.pop();
    else if (s !== '.' && s !== '') parts.push(s);
  }
  return parts.join('/');
}

/** arm32/arm64 subfolder of a path, null when common */
function archOf(path: string): Arch | null {
  if (/(^|\/)arm32\//.test(path)) return 'arm32';
  if (/(^|\/)arm64\//.test(path)) return 'arm64';
  return null;
}

/**
 * The walk as a generator: it yields each path it wants read and receives the text (null when
 * the file does not exist). Drive it with `discoverTree` (sync) or `discoverTreeAsync`.
 */
export function* walkTree(root: string, entry: string): Generator<string, TreeLayout | null, string | null> {
  const entryText = yield entry;
  if (entryText === null) return null;
  const files: string[] = [entry];
  const notes: string[] = [];
  const seen = new Set<string>([entry]);
  let frontier: Array<{ path: string; text: string }> = [{ path: entry, text: entryText }];
  for (let depth = 0; depth < MAX_INCLUDE_DEPTH && frontier.length; depth++) {
    const next: Array<{ path: string; text: string }> = [];
    for (const f of frontier)
      for (const t of includeTargets(f.path, f.text, root, entry)) {
        if (seen.has(t)) continue;
        seen.add(t);
        if (seen.size > MAX_TREE_FILES * 8) break;
        const text = yield t;
        if (text === null) continue; // an include of another header set (xen/…, public/…) or absent
        if (!REGION_DEFINE_RE.test(text)) continue;
        if (files.length >= MAX_TREE_FILES) {
          notes.push(`${t}: more than ${MAX_TREE_FILES} layout headers in one tree; not read`);
          continue;
        }
        files.push(t);
        next.push({ path: t, text });
      }
    frontier = next;
  }
  const set = (arch: Arch): LayoutHeaderSet => ({
    arch,
    root,
    entry,
    files: files.filter((f) => f === entry || archOf(f.slice(root.length)) !== (arch === 'arm32' ? 'arm64' : 'arm32')),
  });
  return {
    root,
    era: asmDir(entry, root) === 'xen/include/asm-arm/' ? 'asm-arm' : 'arch-arm',
    arm32: set('arm32'),
    arm64: set('arm64'),
    notes,
  };
}

/** The layout of the first tree among `paths` whose entry can be read (sync reader). */
export function discoverTree(paths: readonly string[], read: (path: string) => string | null): TreeLayout | null {
  for (const { root, entry } of findTreeEntries(paths)) {
    const walk = walkTree(root, entry);
    let step = walk.next();
    while (!step.done) step = walk.next(read(step.value));
    if (step.value) return step.value;
  }
  return null;
}

/** Same as `discoverTree` with an async reader (VS Code's workspace.fs). */
export async function discoverTreeAsync(
  paths: readonly string[],
  read: (path: string) => Promise<string | null>,
): Promise<TreeLayout | null> {
  for (const { root, entry } of findTreeEntries(paths)) {
    const walk = walkTree(root, entry);
    let step = walk.next();
    while (!step.done) step = walk.next(await read(step.value));
    if (step.value) return step.value;
  }
  return null;
}

/**
 * Which arch branches a header path is an Arm layout header for, by its path alone (when no
 * tree was discovered, or for a file outside it): the entry `config.h` of either era and
 * `mmu/layout.h` → both; their `arm32/` / `arm64/` subfolders → that arch; anything else —
 * other arches' `config.h`, vendored copies under `stubdom/`, `tools/`, `extras/` — null.
 */
export function armLayoutArches(path: string): Arch[] | null {
  const p = path.replace(/\\/g, '/');
  if (/(^|\/)(stubdom|tools|extras|dist|node_modules)\//.test(p)) return null;
  const m =
    /(^|\/)(include\/asm-arm|arch\/arm\/include\/asm)\/((arm32|arm64)\/)?(config\.h|mmu\/layout\.h|[\w-]*layout\.h)$/.exec(
      p,
    );
  if (!m) return null;
  if (m[4] === 'arm32') return ['arm32'];
  if (m[4] === 'arm64') return ['arm64'];
  return ['arm32', 'arm64'];
}

/** Is `path` one of the tree's layout headers for `arch`? */
export function inTree(tree: TreeLayout, arch: Arch, path: string): boolean {
  return tree[arch].files.includes(path.replace(/\\/g, '/'));
}
