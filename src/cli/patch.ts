import type { CliIo } from './io';
import { json, parse } from './common';
import { archOption, guarded, readInput } from './layoutArgs';
import { InputError } from '../core/errors';
import { readPatch } from '../core/patch/readPatch';
import { patchJson, patchText } from '../core/patch/format';

export const HELP = `xenlens patch FILE [--base FILE] [--arch arm32|arm64] [--json]
  Read a patch (xen-devel archive page, mbox, or diff): files, diffstat check, layout before/after.`;

export async function run(args: string[], io: CliIo): Promise<number> {
  return guarded('patch', io, () => {
    const { values, positionals } = parse(
      'patch',
      args,
      {
        base: { type: 'string' },
        arch: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      true,
    );
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    if (positionals.length !== 1)
      throw new InputError(
        `FILE: expected exactly one patch file, got ${positionals.length} (see xenlens patch --help)`,
      );
    const arch = archOption(values.arch);
    const file = positionals[0]!;
    const text = readInput(io, file, 'FILE');
    const base =
      typeof values.base === 'string' ? { path: values.base, text: readInput(io, values.base, '--base') } : undefined;
    const info = readPatch(text, file, base ? { arch, base } : { arch });
    io.out(values.json ? json(patchJson(info)) : patchText(info));
    return 0;
  });
}
