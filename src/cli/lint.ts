import type { CliIo } from './io';
import { json, parse } from './common';
import { guarded, readInput } from './layoutArgs';
import { InputError } from '../core/errors';
import { lintHeaders, type LintFinding } from '../core/layout/lint';
import { findingsText, lintJson } from '../core/layout/format';

export const HELP = `xenlens lint FILE... [--json]
  Lint Xen ARM layout headers, each FILE on its own, both arm32 and arm64 branches. Exit 0 whatever it finds.`;

export async function run(args: string[], io: CliIo): Promise<number> {
  return guarded('lint', io, () => {
    const { values, positionals } = parse(
      'lint',
      args,
      { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      true,
    );
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    if (positionals.length === 0)
      throw new InputError('FILE: expected at least one header file (see xenlens lint --help)');
    // read everything first: an unreadable file is bad input (exit 2), whatever the others hold
    const files = positionals.map((p) => ({ path: p, text: readInput(io, p, 'FILE') }));
    const findings: LintFinding[] = [];
    for (const f of files) for (const x of lintHeaders([f])) findings.push(x); // never spread: 10^5 arguments overflow the stack
    io.out(values.json ? json(lintJson(findings)) : findingsText(findings));
    return 0;
  });
}
