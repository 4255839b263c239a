import type { CliIo } from './io';
import { json, parse } from './common';
import { FINDINGS } from '../core/findings';

export const HELP = `xenlens findings [--json]
  The catalogue of the seed patch's defects and hazards: stable id, severity, explanation.`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(
    'findings',
    args,
    { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    false,
  );
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (values.json) io.out(json(FINDINGS));
  else io.out(FINDINGS.map((f) => `${f.id} (${f.severity}): ${f.title}\n  ${f.explanation}`).join('\n\n'));
  return 0;
}
