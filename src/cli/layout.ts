import type { CliIo } from './io';
import { json, parse } from './common';
import { archOption, guarded, readInput } from './layoutArgs';
import { InputError } from '../core/errors';
import { embeddedLayout } from '../core/layout/embedded';
import { parseHeaders } from '../core/layout/header';
import { layoutJson, layoutText } from '../core/layout/format';
import { parsedEmbeddedLayout } from '../core/layout/seedHeader';

export const HELP = `xenlens layout [--config FILE]... [--arch arm32|arm64] [--json]
  Xen's hypervisor VA map from config.h / mmu/layout.h files (several --config are read together), else the embedded 2013 seed map.`;

export async function run(args: string[], io: CliIo): Promise<number> {
  return guarded('layout', io, () => {
    const { values } = parse(
      'layout',
      args,
      {
        config: { type: 'string', multiple: true },
        arch: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      false,
    );
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    const arch = archOption(values.arch);
    const configs = (values.config as string[] | undefined) ?? [];
    let layout;
    if (configs.length === 0) {
      // the literal table is the reference for arm32; arm64 comes from the same embedded text
      layout = arch === 'arm32' ? embeddedLayout() : parsedEmbeddedLayout('arm64');
    } else {
      const files = configs.map((p) => ({ path: p, text: readInput(io, p, '--config') }));
      layout = parseHeaders(files, { arch });
      if (layout.regions.length === 0) {
        // an evaluator limit, not an empty header: say which limit (issue 13 item 9)
        const limit = layout.diagnostics?.find((d) => d.kind === 'limit');
        if (limit)
          throw new InputError(
            `--config ${configs.join(' ')}: no region could be evaluated, an evaluator limit was hit: ${limit.message}`,
          );
        throw new InputError(
          `--config ${configs.join(' ')}: no region macros (<STEM>_VIRT_START / <STEM>_START) for ${arch}; expected a Xen ARM config.h (current trees: also pass asm/mmu/layout.h)`,
        );
      }
    }
    io.out(values.json ? json(layoutJson(layout)) : layoutText(layout));
    return 0;
  });
}
