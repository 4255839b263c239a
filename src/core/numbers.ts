/**
 * Numbers in and out, and 64-bit values as hi/lo 32-bit halves.
 *
 * A 40-bit GPA is exact in a JS number, but `>>`, `<<`, `&`, `|` cut to 32 bits, so every
 * operation on a value that may exceed 32 bits uses division/multiplication or hi/lo halves.
 */
import { InputError } from './errors';

export type u32 = number;
export type u64num = number; // an integer < 2^53 held in a JS number

export const TWO32 = 0x1_0000_0000;

/** hi*2^32 + lo as a number (exact while hi < 2^21). */
export function join64(hi: u32, lo: u32): number {
  return hi * TWO32 + (lo >>> 0);
}
export function hiOf(n: number): u32 {
  return Math.floor(n / TWO32) >>> 0;
}
export function loOf(n: number): u32 {
  return n >>> 0; // ToUint32 is "modulo 2^32" for integers up to 2^53
}

const HEX_RE = /^0x([0-9a-f_]+)$/i;
const DEC_RE = /^([0-9][0-9_]*)$/;
const SIZE_RE = /^([0-9][0-9_]*|0x[0-9a-f_]+)\s*([kmgt])(?:i?b)?$/i;

export interface ParseNumberOptions {
  /** allow K/M/G/T suffixes (sizes) */
  size?: boolean;
  /** largest accepted value (inclusive); default 2^53 - 1 */
  max?: number;
  /** what the user should have given, for the error line, e.g. "a GPA (hex like 0x80001000)" */
  expected?: string;
}

/**
 * Parse a number as a user writes it: `0x8000_0000`, `0x80000000ULL`, `2147483648`,
 * and with `size`, `512M`, `1G`, `64GiB`, `4K`. Throws InputError naming `what`.
 */
export function parseNumber(text: string, what: string, opts: ParseNumberOptions = {}): number {
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  const expected =
    opts.expected ?? (opts.size ? 'a size (hex 0x…, decimal, or with K/M/G suffix)' : 'a number (hex 0x… or decimal)');
  const fail = (why?: string): never => {
    const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
    throw new InputError(`${what}: ${JSON.stringify(shown)} is not ${expected}${why ? ` (${why})` : ''}`);
  };
  if (typeof text !== 'string') fail();
  let t = text.trim();
  if (t.length === 0 || t.length > 64) fail();
  // C integer suffixes: U, UL, ULL, L, LL (any case) on hex or decimal
  const m = /^(.*?)(u?ll?|u)$/i.exec(t);
  if (m && m[1] && /^(0x[0-9a-f_]+|[0-9][0-9_]*)$/i.test(m[1])) t = m[1];
  let value: number;
  let match: RegExpExecArray | null;
  if ((match = HEX_RE.exec(t))) {
    value = digits(match[1]!, 16, fail);
  } else if ((match = DEC_RE.exec(t))) {
    value = digits(match[1]!, 10, fail);
  } else if (opts.size && (match = SIZE_RE.exec(t))) {
    const base = match[1]!.toLowerCase().startsWith('0x')
      ? digits(match[1]!.slice(2), 16, fail)
      : digits(match[1]!, 10, fail);
    const unit = match[2]!.toLowerCase();
    const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1024 ** 4;
    value = base * mult;
  } else {
    return fail();
  }
  if (!Number.isSafeInteger(value) || value > max) fail(`larger than ${hex(max)}`);
  return value;
}

function digits(s: string, radix: 10 | 16, fail: (why?: string) => never): number {
  if (s.startsWith('_') || s.endsWith('_') || s.includes('__')) fail('misplaced underscore');
  const clean = s.replace(/_/g, '');
  if (clean.length === 0) fail();
  // More than 14 hex / 16 decimal digits cannot be a safe integer.
  if ((radix === 16 && clean.replace(/^0+/, '').length > 14) || (radix === 10 && clean.replace(/^0+/, '').length > 16))
    fail('too large');
  const v = parseInt(clean, radix);
  if (!Number.isSafeInteger(v)) fail('too large');
  return v;
}

/** Lower-case hex with 0x, minimal digits (or padded to `width` digits). */
export function hex(n: number, width = 0): string {
  if (!Number.isFinite(n) || n < 0) return String(n);
  let s = n.toString(16);
  if (s.length < width) s = '0'.repeat(width - s.length) + s;
  return '0x' + s;
}

/** A 64-bit descriptor as 0x + 16 lower-case hex digits. */
export function hex64(hi: u32, lo: u32): string {
  return '0x' + (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

/** 0x0000_0000_0000_06ff style for humans. */
export function hex64Grouped(hi: u32, lo: u32): string {
  const h = (hi >>> 0).toString(16).padStart(8, '0');
  const l = (lo >>> 0).toString(16).padStart(8, '0');
  return `0x${h.slice(0, 4)}_${h.slice(4)}_${l.slice(0, 4)}_${l.slice(4)}`;
}

/** Human size: 2 MiB, 128 MiB, 64 GiB, 4 KiB, 3 B; exact units only, else the hex. */
export function humanSize(n: number): string {
  if (n === 0) return '0 B';
  const units: Array<[number, string]> = [
    [1024 ** 4, 'TiB'],
    [1024 ** 3, 'GiB'],
    [1024 ** 2, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [u, name] of units) {
    if (n >= u) {
      const v = n / u;
      if (Number.isInteger(v)) return `${v} ${name}`;
      if (Number.isInteger(v * 2) || Number.isInteger(v * 4)) return `${v} ${name}`;
    }
  }
  if (n < 1024) return `${n} B`;
  // two exact terms when they describe it ("64 GiB + 4 KiB"), else two decimals
  for (const [u, name] of units) {
    if (n >= u) {
      const whole = Math.floor(n / u);
      const rest = n - whole * u;
      for (const [u2, name2] of units) {
        if (u2 < u && rest % u2 === 0 && rest / u2 < 1024) return `${whole} ${name} + ${rest / u2} ${name2}`;
      }
      if (rest > 0 && rest < 1024) return `${whole} ${name} + ${rest} B`;
      return `${(n / u).toFixed(2)} ${name}`;
    }
  }
  return `${n} B`;
}
