/**
 * Which files of a patch are Arm layout headers, and which base file each one applies to
 * (issue 12 item 4). Paths are the patch's own (`xen/arch/arm/include/asm/config.h`), bases are
 * what the user gave (`--base FILE`, any name) or files of a Xen tree read by the patch's paths.
 *
 * The Arm layout headers by era (reference doc §11): `xen/include/asm-arm/config.h` (to 2021),
 * `xen/arch/arm/include/asm/config.h` (2021 on), `xen/arch/arm/include/asm/mmu/layout.h`
 * (2023 on, included from config.h under `CONFIG_MMU`).
 */

/** The Arm include directory of any era: `xen/include/asm-arm/`, `xen/arch/arm/include/asm/`. */
const ARM_INCLUDE = /(^|\/)(include\/asm-arm|arch\/arm\/include\/asm)\//;
const ARM_LAYOUT = /(^|\/)(include\/asm-arm|arch\/arm\/include\/asm)\/(config\.h|mmu\/layout\.h)$/;
/** another architecture's tree: `xen/include/asm-x86/`, `xen/arch/ppc/`, `xen/arch/riscv/` … */
const OTHER_ARCH = /(^|\/)(include\/asm-(?!arm\/)[\w-]+|arch\/(?!arm\/)[\w-]+)\//;

/** `xen/include/asm-arm/config.h`, `xen/arch/arm/include/asm/{config.h,mmu/layout.h}` */
export function isArmLayoutPath(p: string): boolean {
  return ARM_LAYOUT.test(p);
}

/** a header under the Arm include directory (a file an Arm layout header may include) */
export function isArmHeaderPath(p: string): boolean {
  return ARM_INCLUDE.test(p) && /\.h$/.test(p) && !OTHER_ARCH.test(p);
}

export function isOtherArchPath(p: string): boolean {
  return OTHER_ARCH.test(p);
}

const parts = (p: string): string[] => p.split('/').filter((x) => x !== '' && x !== '.');

/** How a base was chosen for a patch path: the strongest match wins. */
export type BaseMatch = 'path' | 'basename' | 'only-base';

/**
 * Score of `base` for the patch path `path`: 100 + the number of trailing path components the
 * two share (`/tmp/xen/arch/arm/include/asm/config.h` ~ `xen/arch/arm/include/asm/config.h`),
 * else 1 when the base's file name ends with the path's file name after a `-`, `_` or `.`
 * (`2015-47ec25a-config.h` ~ `config.h`; `c447b73-mmu-layout.h` ~ `mmu/layout.h`), else 0.
 */
export function matchScore(base: string, path: string): number {
  const b = parts(base);
  const p = parts(path);
  let n = 0;
  while (n < b.length && n < p.length && b[b.length - 1 - n] === p[p.length - 1 - n]) n++;
  if (n > 0) return 100 + n;
  const name = b[b.length - 1] ?? '';
  for (let k = Math.min(p.length, 2); k >= 1; k--) {
    // `mmu/layout.h` is spelled `mmu-layout.h` in a flat fixture directory
    const tail = p.slice(p.length - k).join('-');
    if (name.length > tail.length && name.endsWith(tail) && /[-_.]/.test(name[name.length - tail.length - 1]!))
      return k;
  }
  return 0;
}

/** The best base for `path` (index into `bases`), or null; ties go to the first given. */
export function bestBase(bases: readonly { path: string }[], path: string): { index: number; how: BaseMatch } | null {
  let best = -1;
  let score = 0;
  bases.forEach((b, i) => {
    const s = matchScore(b.path, path);
    if (s > score) {
      score = s;
      best = i;
    }
  });
  if (best < 0) return null;
  return { index: best, how: score >= 100 ? 'path' : 'basename' };
}

/** `#include <asm/mmu/layout.h>` / `#include "x.h"` names in a header's text (capped). */
export function includesOf(text: string, max = 64): string[] {
  const out: string[] = [];
  const re = /^[ \t]*#[ \t]*include[ \t]*[<"]([^>"\n]{1,200})[>"]/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && out.length < max) out.push(m[1]!);
  return out;
}

/**
 * Does `#include` name `inc`, seen from the file at `from`, refer to the file at `candidate`?
 * `<asm/X>` is the Arm include directory of either era; `"X"` is relative to `from`'s directory.
 */
export function includeRefersTo(inc: string, from: string, candidate: string): boolean {
  const c = parts(candidate);
  const i = parts(inc);
  const endsWith = (tail: string[]): boolean =>
    tail.length <= c.length && tail.every((x, k) => c[c.length - tail.length + k] === x);
  if (i[0] === 'asm') {
    const rest = i.slice(1);
    return isArmHeaderPath(candidate) && (endsWith(['asm', ...rest]) || endsWith(['asm-arm', ...rest]));
  }
  const dir = parts(from).slice(0, -1);
  const joined: string[] = [];
  for (const x of [...dir, ...i]) {
    if (x === '..') joined.pop();
    else joined.push(x);
  }
  // compare the shared tail: `from` may be a user path and `candidate` a patch path
  const n = Math.min(i.length + 1, joined.length);
  return endsWith(joined.slice(joined.length - n));
}
