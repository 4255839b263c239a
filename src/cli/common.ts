import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../core/errors';
import { parseNumber } from '../core/numbers';
import { XEN_TREES, type XenTree } from '../core/lpae';
import { createSession, type Session, type SessionOptions } from '../core/session';
import { IPA_LIMIT } from '../core/p2m';
import { checkHostRam } from '../core/xenPageTables';
import { jsonVisible } from '../core/format/controls';

/** Options every emulation command accepts. */
export const SYSTEM_OPTIONS = {
  'ram-base': { type: 'string' },
  'ram-size': { type: 'string' },
  tree: { type: 'string' },
  cpus: { type: 'string' },
  'host-ram': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** util.parseArgs with its errors turned into one-line InputErrors. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  cmd: string,
  args: string[],
  options: T,
  allowPositionals: boolean,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args, options, allowPositionals, strict: true });
    return { values: r.values as Record<string, string | boolean | string[] | undefined>, positionals: r.positionals };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '');
    throw new InputError(`${msg} (see xenlens ${cmd} --help)`);
  }
}

export function sessionOptions(v: Record<string, unknown>): SessionOptions {
  const o: SessionOptions = {};
  if (typeof v['ram-base'] === 'string')
    o.ramBase = parseNumber(v['ram-base'], '--ram-base', {
      size: true,
      max: IPA_LIMIT - 1,
      expected: 'a guest physical address below 2^40 (hex 0x…, decimal, or with K/M/G)',
    });
  if (typeof v['ram-size'] === 'string') {
    o.ramSize = parseNumber(v['ram-size'], '--ram-size', {
      size: true,
      max: IPA_LIMIT,
      expected: 'a RAM size (hex 0x…, decimal, or with K/M/G suffix, e.g. 512M)',
    });
    if (o.ramSize === 0 || o.ramSize % 4096 !== 0)
      throw new InputError(`--ram-size: "${v['ram-size']}" is not a non-zero multiple of 4 KiB`);
  }
  if (typeof v.tree === 'string') {
    if (!(XEN_TREES as readonly string[]).includes(v.tree))
      throw new InputError(`--tree: "${v.tree}" is not one of ${XEN_TREES.join(', ')}`);
    o.tree = v.tree as XenTree;
  }
  if (typeof v.cpus === 'string') {
    const n = parseNumber(v.cpus, '--cpus', { max: 8, expected: 'a pCPU count from 1 to 8' });
    if (n < 1) throw new InputError(`--cpus: "${v.cpus}" is not a pCPU count from 1 to 8`);
    o.cpus = n;
  }
  if (typeof v['host-ram'] === 'string') {
    o.hostRamSize = parseNumber(v['host-ram'], '--host-ram', {
      size: true,
      expected: 'a host RAM size from 512M to 64G (e.g. 20G)',
    });
    checkHostRam(o.hostRamSize, '--host-ram');
  }
  return o;
}

export function makeSession(v: Record<string, unknown>): Session {
  return createSession(sessionOptions(v));
}

export function json(value: unknown): string {
  // C1 and bidi controls from files as \uXXXX (JSON.stringify already escapes C0)
  return jsonVisible(JSON.stringify(value, null, 2));
}
