/**
 * xenlens: argv → command → exit code. Exit 0 when the emulation ran (whatever the emulated
 * function returned), 2 on bad input with one stderr line; anything else is a bug (exit 1).
 */
import { nodeIo, type CliIo } from './io';
import { isInputError } from '../core/errors';
import { visibleControls } from '../core/format/controls';
import * as resolve from './resolve';
import * as va from './va';
import * as prepare from './prepare';
import * as slots from './slots';
import * as findings from './findings';
import * as demo from './demo';
import * as layout from './layout';
import * as patch from './patch';
import * as lint from './lint';
import * as trace from './trace';
import * as liveReport from './liveReport';

type Command = { run(args: string[], io: CliIo): Promise<number>; HELP: string };

export const COMMANDS: Record<string, Command> = {
  resolve,
  va,
  prepare,
  slots,
  findings,
  trace,
  demo,
  layout,
  patch,
  lint,
  'live-report': liveReport,
};

export const USAGE = `xenlens — Xen ARM32 memory layout and the seed's VLPT, emulated

usage: xenlens <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(9)} ${c.HELP.split('\n')[1]?.trim() ?? ''}`)
  .join('\n')}

Numbers: hex (0x8000_0000, 0x80000000ULL) or decimal; sizes also 512M, 1G, 64G.
Add --json for machine output; --help after a command for its options.`;

export async function main(argv: string[], rawIo: CliIo = nodeIo): Promise<number> {
  // every text the CLI prints goes through one filter: control characters from files (ESC
  // sequences, C1, bidi overrides) are shown as escapes, never sent to the terminal (issue 13 item 8)
  const io: CliIo = {
    out: (s) => rawIo.out(visibleControls(s)),
    err: (s) => rawIo.err(visibleControls(s)),
    readFile: (p) => rawIo.readFile(p),
  };
  const [cmd, ...rest] = argv;
  if (cmd === undefined) {
    // no command: the usage goes to stderr (stdout stays empty for a pipe) and the exit is 2
    io.err(USAGE);
    return 2;
  }
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.out(USAGE);
    return 0;
  }
  const c = Object.prototype.hasOwnProperty.call(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!c) {
    io.err(`xenlens: unknown command "${cmd}" (expected one of: ${Object.keys(COMMANDS).join(', ')})`);
    return 2;
  }
  try {
    return await c.run(rest, io);
  } catch (e) {
    if (isInputError(e)) {
      io.err(`xenlens ${cmd}: ${e.message}`);
      return 2;
    }
    const msg = e instanceof Error ? e.message : String(e);
    io.err(`xenlens ${cmd}: internal error: ${msg.split('\n')[0]} (please report)`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = 1;
    },
  );
}
