/** Helpers shared by `xenlens layout`, `patch` and `lint` (issue 4): reading, --arch, exit 2. */
import { InputError, isInputError } from '../core/errors';
import type { Arch } from '../core/layout/types';
import type { CliIo } from './io';

/** Read a file through the io; any failure becomes one InputError line naming the path. */
export function readInput(io: CliIo, path: string, what: string): string {
  try {
    return io.readFile(path);
  } catch (e) {
    if (isInputError(e)) throw e;
    const code = (e as { code?: unknown }).code;
    throw new InputError(
      `${what} ${path}: cannot read (${typeof code === 'string' ? code : e instanceof Error ? e.message.split('\n')[0] : 'error'})`,
    );
  }
}

export function archOption(v: unknown): Arch {
  if (v === undefined) return 'arm32';
  if (v === 'arm32' || v === 'arm64') return v;
  throw new InputError(`--arch: ${JSON.stringify(v)} is not arm32 or arm64`);
}

/** Run a command body; bad input → one stderr line and exit 2, never a stack trace. */
export async function guarded(cmd: string, io: CliIo, body: () => number): Promise<number> {
  try {
    return body();
  } catch (e) {
    if (!isInputError(e)) throw e;
    io.err(`xenlens ${cmd}: ${e.message}`);
    return 2;
  }
}
