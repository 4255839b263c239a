import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../core/errors';

export interface CliIo {
  out(s: string): void;
  err(s: string): void;
  readFile(path: string): string;
}

/** Largest file the CLI reads (headers, patches); beyond it is bad input, not a hang. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

export const nodeIo: CliIo = {
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
  err: (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
  readFile(path: string): string {
    let size: number;
    try {
      const st = statSync(path);
      if (!st.isFile()) throw new InputError(`${path}: is not a regular file`);
      size = st.size;
    } catch (e) {
      if (e instanceof InputError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new InputError(`${path}: cannot read (${code === 'ENOENT' ? 'no such file' : (code ?? 'error')})`);
    }
    if (size > MAX_INPUT_BYTES)
      throw new InputError(
        `${path}: ${size} bytes is larger than the ${MAX_INPUT_BYTES / 1024 / 1024} MiB the reader accepts`,
      );
    return readFileSync(path, 'utf8');
  },
};
