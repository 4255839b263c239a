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
