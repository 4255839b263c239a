/**
 * Which workspace files the Problems panel reads, and how (pure, unit-tested): layout headers
 * (`config.h`, `layout.h`, headers under `asm-arm/` or `asm/`) that define a region macro, and
 * patches (see patchText.ts). Caps keep a big tree from stalling the extension host.
 */
import type { Arch } from '../core/index';

/** header files worth linting, by path */
export const HEADER_GLOBS = ['**/{config,layout}.h', '**/{asm-arm,asm}/**/*.h'] as const;
export const PATCH_GLOB = '**/*.{patch,diff,mbox,eml,txt}';
export const EXCLUDE_GLOB = '**/{node_modules,.git,.vscode-test,dist,out,build}/**';
export const MAX_FILES = 300;
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
