/**
 * Reading a file that a setting or a workspace scan names (issue 13 item 1), without `vscode`
 * so it is unit-tested on a real temp dir: the path must resolve inside a workspace folder
 * (absolute paths elsewhere, `..` escapes and symlinks pointing out are refused, checked on the
 * realpath), must be a regular file (a FIFO would block the open, /dev/zero never ends, a
 * directory is not a layout) under the size cap, and is then read with a bounded read of the
 * descriptor that was checked (fstat again after open: the file cannot be swapped in between).
 */
import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { InputError } from '../core/index';

const MiB = 1024 * 1024;

/** `child` is `parent` or below it (both absolute, normalised) */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The absolute path a setting value names, checked lexically: relative paths resolve against
 * the first folder and may not climb out with `..`; an absolute path must lie in one of the
 * folders. Symlinks are checked later, on the realpath (see readWorkspaceFile).
 */
export function resolveSettingPath(value: string, folders: readonly string[], label: string): string {
  if (value.includes('\0')) throw new InputError(`${label}: a path cannot contain a NUL character`);
  if (folders.length === 0)
    throw new InputError(`${label}: no workspace folder is open to resolve ${JSON.stringify(value)} in`);
  const path = isAbsolute(value) ? resolve(value) : resolve(folders[0]!, value);
  if (!folders.some((f) => isInside(resolve(f), path)))
    throw new InputError(
      `${label}: ${JSON.stringify(value)} is outside the workspace folder${folders.length > 1 ? 's' : ''}; expected a path inside ${folders.length > 1 ? 'one of them' : JSON.stringify(folders[0])}`,
    );
  return path;
}

function sizeText(bytes: number): string {
  return bytes >= MiB ? `${+(bytes / MiB).toFixed(2)} MiB` : `${bytes} bytes`;
}

/** what a stat says the thing is, for the message */
function kindOf(s: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Read `path` if, after resolving symlinks, it is a regular file inside one of `folders` (all
 * folders, resolved too; none given = no containment check) and at most `maxBytes` long.
 * Everything else is an InputError of one line naming `label`.
 */
export async function readWorkspaceFile(
  path: string,
  opts: { folders?: readonly string[]; maxBytes: number; label: string },
): Promise<string> {
  const { label, maxBytes } = opts;
  let real: string;
  try {
    real = await realpath(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(
      `${label}: ${code === 'ENOENT' ? 'no such file' : code === 'ELOOP' ? 'too many levels of symbolic links' : `cannot be read (${code ?? 'error'})`}`,
    );
  }
  if (opts.folders) {
    const roots = await Promise.all(opts.folders.map((f) => realpath(f).catch(() => resolve(f))));
    if (!roots.some((r) => isInside(r, real)))
      throw new InputError(`${label}: resolves to ${real}, outside the workspace; expected a file inside it`);
  }
  // stat before open: opening a FIFO for reading blocks until a writer appears
  const before = await stat(real);
  if (!before.isFile()) throw new InputError(`${label}: is ${kindOf(before)}; expected a regular file`);
  if (before.size > maxBytes)
    throw new InputError(`${label}: ${sizeText(before.size)} is larger than the ${sizeText(maxBytes)} cap`);
  const fh = await open(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0));
  try {
    const now = await fh.stat();
    if (!now.isFile() || now.ino !== before.ino || now.dev !== before.dev)
      throw new InputError(`${label}: the file changed while it was opened; expected a regular file`);
    // bounded read: never more than maxBytes + 1, whatever the file grows to meanwhile
    const buf = Buffer.allocUnsafe(Math.min(maxBytes, now.size) + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n === buf.length) break;
    }
    if (n > now.size) throw new InputError(`${label}: the file grew while it was read; expected a stable file`);
    return new TextDecoder('utf-8').decode(buf.subarray(0, n));
  } finally {
    await fh.close();
  }
}
