import type { CliIo } from './io';
import { json, parse } from './common';
import { archOption, guarded, readInput } from './layoutArgs';
import { InputError } from '../core/errors';
import { readPatch, type ReadPatchOptions } from '../core/patch/readPatch';
import { patchJson, patchText, seriesJson, seriesText } from '../core/patch/format';
import { armHeaderPaths, readSeries, splitMbox } from '../core/patch/series';

export const HELP = `xenlens patch FILE [--base FILE]... [--tree DIR] [--arch arm32|arm64] [--json]
  Read a patch (xen-devel archive page, mbox, or diff): files, diffstat check, layout before/after.
  An mbox of several mails (a series) gives one report per patch plus the cumulative layout.
  --base FILE  a layout header (repeatable: config.h and mmu/layout.h); each patched file goes to
               the base with the same path, else the same file name
  --tree DIR   a Xen checkout: the Arm headers the patch names are read from DIR by their paths`;

/** A patch names at most this many Arm headers that --tree reads (each under the reader's size cap). */
export const MAX_TREE_FILES = 64;

export async function run(args: string[], io: CliIo): Promise<number> {
  return guarded('patch', io, () => {
    const { values, positionals } = parse(
      'patch',
      args,
      {
        base: { type: 'string', multiple: true },
        tree: { type: 'string' },
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
    const baseArgs = Array.isArray(values.base) ? values.base : [];
    const opts: ReadPatchOptions = { arch };
    if (typeof values.tree === 'string' && baseArgs.length)
      throw new InputError('--tree and --base: give one of them (the tree is the base)');
    if (baseArgs.length) opts.bases = baseArgs.map((b) => ({ path: b, text: readInput(io, b, '--base') }));
    if (typeof values.tree === 'string') opts.tree = readTree(io, values.tree, text);
    if (splitMbox(text).length > 1) {
      // a series: one report per mail plus the cumulative layout
      const series = readSeries(text, file, opts);
      io.out(values.json ? json(seriesJson(series)) : seriesText(series));
      return 0;
    }
    const info = readPatch(text, file, opts);
    io.out(values.json ? json(patchJson(info)) : patchText(info));
    return 0;
  });
}

/** Only the Arm headers the patch itself names (pre-image paths), read from the tree if present. */
function readTree(io: CliIo, dir: string, text: string): NonNullable<ReadPatchOptions['tree']> {
  const files: Array<{ path: string; text: string }> = [];
  for (const p of armHeaderPaths(text, MAX_TREE_FILES)) {
    let t: string;
    try {
      t = io.readFile(`${dir.replace(/\/+$/, '')}/${p}`); // regular files only, size-capped (io.ts)
    } catch {
      continue; // not in this tree: the file gets no base and its hunks' own lines are used
    }
    files.push({ path: p, text: t });
  }
  return { label: `tree ${dir}`, files };
}
