/**
 * Finding GPA/VA-looking numbers in one line of text (pure: used by hovers and "resolve under
 * cursor"). Work is bounded to the line, and the line to MAX_LINE characters.
 */
export const MAX_LINE = 4000;
/** 40-bit guest physical space: numbers at or above are neither a GPA nor an arm32 VA */
export const ADDRESS_LIMIT = 0x100_0000_0000;

export interface FoundNumber {
  /** offsets in the line, end exclusive */
  start: number;
  end: number;
  text: string;
  value: number;
}

// 0x-prefixed hex with optional `_` separators and C suffixes (0x80000000ULL)
const HEX = /(?<![\w.$])0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*(?:[uU]?[lL]{0,2})?(?![\w.])/g;
// bare hex as Xen's printk prints PRIpaddr/%08x: 8..16 digits with at least one decimal digit
const BARE = /(?<![\w.$])(?=[0-9a-fA-F]*[0-9])[0-9a-fA-F]{8,16}(?![\w.])/g;

function valueOf(text: string, bare: boolean): number | null {
  const digits = (bare ? text : text.slice(2))
    .replace(/[uUlL]+$/, '')
    .replace(/_/g, '')
    .replace(/^0+(?=.)/, '');
  if (digits.length > 11) return null;
  const v = parseInt(digits, 16);
  return Number.isSafeInteger(v) && v < ADDRESS_LIMIT ? v : null;
}

/** Every address-like number of the line; `bare` also accepts 8–16 hex digits without 0x (logs). */
export function findNumbers(line: string, bare = false): FoundNumber[] {
  const text = line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line;
  const out: FoundNumber[] = [];
  for (const re of bare ? [HEX, BARE] : [HEX]) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const value = valueOf(m[0], re === BARE);
      if (value !== null) out.push({ start: m.index, end: m.index + m[0].length, text: m[0], value });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The number whose span contains `character` (cursor before its last char or just after it). */
export function numberAt(line: string, character: number, bare = false): FoundNumber | undefined {
  if (character > MAX_LINE) return undefined;
  return findNumbers(line, bare).find((n) => character >= n.start && character <= n.end);
}

/** languages whose text prints addresses without 0x */
export function bareHexLanguage(languageId: string): boolean {
  return languageId === 'log' || languageId === 'plaintext';
}

/** names and words that say a number is an address a user would resolve */
const ADDRESS_WORD =
  /^(gpa|ipa|gfn|mfn|pfn|gmfn|paddr|maddr|vaddr|gaddr|va|pa|addr|address|phys|physical|virt|ram|p2m|pte)$/i;
/** a `#define` of a region's bounds (`VMAP_VIRT_START`, `GUEST_RAM0_BASE`, `XENHEAP_VIRT_END`) */
const REGION_DEFINE = /^\s*[+-]?\s*#\s*define\s+\w*(_START|_END|_BASE|_ADDR|_SIZE)\b/;
/** a Xen or guest console line: `(XEN) …`, `(d1) …`, `[    1.234] …` */
const LOG_LINE = /^\s*[+-]?\s*(\((XEN|d\d+)\)|\[\s*\d+\.\d+\])/;

/**
 * Does the line say `found` is an address (contextual hover rule, README "Hovers")? Yes for a
 * log line (and every line of a log file), a `#define` of a region, and a line with an
 * address-like word anywhere in it — an identifier part (`kernel_text_gpa`, `p2m_lookup`,
 * `dtb_paddr`) or a word of a comment (`GPA`, `IPA`, `VA`). `WRITE_SYSREG(0x80002558, VTCR_EL2)`
 * has none: its literal is a register value.
 */
export function isAddressContext(line: string, languageId: string): boolean {
  const text = line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line;
  if (languageId === 'log' || LOG_LINE.test(text) || REGION_DEFINE.test(text)) return true;
  for (const word of text.match(/[A-Za-z][A-Za-z0-9_]*/g) ?? [])
    for (const part of word.split('_')) if (ADDRESS_WORD.test(part)) return true;
  return false;
}
