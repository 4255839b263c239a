/**
 * Command arguments are untrusted: a command runs from the palette (no args), a tree item, a
 * hover link (JSON) or another extension. These guards turn any input into a typed target or a
 * one-line InputError. Pure.
 */
import { GPA_LIMIT, InputError, parseNumber } from '../core/index';

export type Target = { kind: 'gpa'; value: number } | { kind: 'va'; value: number } | { kind: 'slot'; value: number };

const VA_LIMIT = 0xffffffff;

function num(v: unknown, what: string, max: number): number {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0 || v > max) throw new InputError(`${what}: ${String(v)} is out of range`);
    return v;
  }
  if (typeof v === 'string') return parseNumber(v, what, { max });
  throw new InputError(`${what}: expected a number or a hex string`);
}

/**
 * Accepts undefined (→ undefined), `{gpa}`, `{va}`, `{slot}` (hover links, other extensions) and
 * tree nodes (`{kind:'slot', slot}`, `{kind:'l3', slot, i, j}` …). Anything else is an InputError.
 */
export function parseTarget(arg: unknown): Target | undefined {
  if (arg === undefined || arg === null) return undefined;
  if (typeof arg !== 'object' || Array.isArray(arg))
    throw new InputError('command argument: expected an object like {"gpa": "0x80001000"}');
  const o = arg as Record<string, unknown>;
  if ('gpa' in o) return { kind: 'gpa', value: num(o.gpa, 'gpa', GPA_LIMIT - 1) };
  if ('va' in o) return { kind: 'va', value: num(o.va, 'va', VA_LIMIT) };
  if ('slot' in o && (o.kind === undefined || o.kind === 'slot'))
    return { kind: 'slot', value: num(o.slot, 'slot', 1023) };
  throw new InputError('command argument: expected {"gpa": …}, {"va": …} or {"slot": …}');
}

/**
 * What the user typed in the resolve box: `0x80001000` or `gpa 0x80001000` (a GPA),
 * `va 0x08400008` / `va:0x08400008` (a Xen VA), `slot 66`.
 */
export function parseQuery(text: string): Target {
  const t = text.trim();
  const m = /^(gpa|va|slot)\s*[:=]?\s*(.*)$/i.exec(t);
  const kind = (m ? m[1]!.toLowerCase() : 'gpa') as Target['kind'];
  const body = m ? m[2]! : t;
  if (kind === 'va')
    return {
      kind,
      value: parseNumber(body, 'Xen VA', {
        max: VA_LIMIT,
        expected: 'a 32-bit Xen virtual address (hex like 0x08400008)',
      }),
    };
  if (kind === 'slot')
    return { kind, value: parseNumber(body, 'slot', { max: 1023, expected: 'a xen_second slot 0–1023' }) };
  return {
    kind,
    value: parseNumber(body, 'GPA', { max: GPA_LIMIT - 1, expected: 'a guest physical address (hex like 0x80001000)' }),
  };
}

/** the validateInput callback's answer: null when fine, else the message */
export function validateQuery(text: string): string | null {
  try {
    parseQuery(text);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Guest RAM as typed: "0x80000000 512M" or "0x80000000+512M" (base then size). */
export function parseGuestRam(text: string): { base: number; size: number } {
  const parts = text
    .trim()
    .split(/\s*[+,\s]\s*/)
    .filter(Boolean);
  if (parts.length !== 2) throw new InputError('guest RAM: expected "<base> <size>", e.g. "0x80000000 512M"');
  const base = parseNumber(parts[0]!, 'guest RAM base', { max: GPA_LIMIT - 1 });
  const size = parseNumber(parts[1]!, 'guest RAM size', { size: true, max: GPA_LIMIT });
  if (base % 4096 !== 0) throw new InputError(`guest RAM base: 0x${base.toString(16)} is not 4 KiB-aligned`);
  if (size === 0 || size % 4096 !== 0) throw new InputError('guest RAM size: expected a non-zero multiple of 4 KiB');
  if (base + size > GPA_LIMIT) throw new InputError('guest RAM: base + size passes the 40-bit IPA space (1 TiB)');
  return { base, size };
}
