/**
 * Which workspace files the Problems panel reads, and how (pure, unit-tested): layout headers
 * (`config.h`, `layout.h`, headers under `asm-arm/` or `asm/`) that define a region macro, and
 * patches (see patchText.ts). Caps keep a big tree from stalling the extension host.
 */
import type { Arch } from '../core/index';

/** header files worth linting, by path */
export const HEADER_GLOBS = ['**/{config,layout}.h', '**/{asm-arm,asm}/**/*.h'] as const;
export const PATCH_GLOB = '**/*.{patch,diff,mbox,eml,txt}';
/** folders no scan or watcher reads (dependencies, VCS data, build output) */
export const EXCLUDED_DIRS = ['node_modules', '.git', '.vscode-test', 'dist', 'out', 'build'] as const;
/** the same folders as a findFiles exclude glob */
export const EXCLUDE_GLOB = `**/{${EXCLUDED_DIRS.join(',')}}/**`;
/** files the full scan reads per glob */
export const MAX_FILES = 300;
/** files the full scan reads at most (MAX_FILES per glob): the watchers keep to it too */
export const MAX_SCAN_FILES = MAX_FILES * (HEADER_GLOBS.length + 1);
export const MAX_HEADER_BYTES = 1024 * 1024;
export const MAX_PATCH_BYTES = 2 * 1024 * 1024;

/** path test matching HEADER_GLOBS (for saves and edits) */
export function isHeaderPath(path: string): boolean {
  return /(^|\/)(config|layout)\.h$/i.test(path) || /(^|\/)(asm-arm|asm)\/(.+\/)?[^/]+\.h$/i.test(path);
}

/** a header that defines a region of Xen's virtual map (others, like page.h, have nothing to lint) */
export function isLayoutHeader(text: string): boolean {
  return /^[ \t]*#[ \t]*define[ \t]+\w*(_VIRT_START|VIRT_LIN_P2M_START)\b/m.test(text);
}

/** the arches a header is read for: its arm32/arm64 folder, else both (the 2013 config.h has both) */
export function headerArches(path: string): Arch[] {
  if (/(^|\/)arm64\//.test(path)) return ['arm64'];
  if (/(^|\/)arm32\//.test(path)) return ['arm32'];
  return ['arm32', 'arm64'];
}

const EXCLUDED = new Set<string>(EXCLUDED_DIRS);

/** Is the workspace-relative `rel` inside an excluded folder (what EXCLUDE_GLOB matches)? */
export function isExcludedPath(rel: string): boolean {
  const parts = rel.split(/[\\/]/);
  for (let i = 0; i < parts.length - 1; i++) if (EXCLUDED.has(parts[i]!)) return true;
  return false;
}

/**
 * What a file watcher event may do (issue 13 item 9): the full scan's exclusions and file cap
 * apply to it. A file the last scan read is read again; a new file only while fewer than `cap`
 * files are known (past the cap the scan would not have read it either); a burst of events
 * (a checkout, an unpacked archive) past `burst` pending files becomes one capped full scan.
 */
export class WatchBudget {
  private readonly known = new Set<string>();

  constructor(
    readonly cap = MAX_SCAN_FILES,
    readonly burst = 64,
  ) {}

  /** the files the full scan just read (keys: URI strings) */
  reset(keys: Iterable<string>): void {
    this.known.clear();
    for (const k of keys) if (this.known.size < this.cap) this.known.add(k);
  }

  /** `rel` (workspace-relative) with `key` changed, `pending` per-file runs already waiting */
  admit(rel: string, key: string, pending: number): 'file' | 'rescan' | 'skip' {
    if (isExcludedPath(rel)) return 'skip';
    if (!this.known.has(key)) {
      if (this.known.size >= this.cap) return 'skip';
      this.known.add(key);
    }
    return pending >= this.burst ? 'rescan' : 'file';
  }

  /** a deleted file frees its place */
  forget(key: string): void {
    this.known.delete(key);
  }

  get size(): number {
    return this.known.size;
  }
}
