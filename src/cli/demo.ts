import type { CliIo } from './io';
import { run as resolve } from './resolve';
import { run as prepare } from './prepare';
import { parse } from './common';

export const HELP = `xenlens demo
  A guided tour: prepare_vlpt for the default 512 MiB guest, then three GPAs resolved.`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parse('demo', args, { help: { type: 'boolean', short: 'h' } }, false);
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  io.out('$ xenlens prepare\n');
  await prepare([], io);
  io.out('\n$ xenlens resolve 0x80001000\n');
  await resolve(['0x80001000'], io);
  io.out('\n$ xenlens resolve 0x1000000000   # outside the window: no range check\n');
  await resolve(['0x1000000000'], io);
  io.out('\n$ xenlens prepare --ram-size 62G   # the window overrun\n');
  await prepare(['--ram-size', '62G'], io);
  return 0;
}
