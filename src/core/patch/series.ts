/**
 * A series in one mbox (`git format-patch --stdout`, b4): one report per mail, in order, each
 * against the layout the previous ones left, plus the cumulative layout (issue 12 item 4).
 */
import { InputError } from '../errors';
import { isArmHeaderPath } from './bases';
import { parseDiff } from './diff';
import { diffLayouts, type StateFile } from './layoutDiff';
import { unwrapMail } from './mail';
import { DEFAULT_MAX_PATCH_CHARS, initialState, meta, readOnePatch, type ReadPatchOptions } from './readPatch';
import type { LayoutDiff, PatchInfo } from './types';

/** mbox separator: `From <sha> Mon Sep 17 00:00:00 2001` (format-patch), `From git@z Thu Jan  1 00:00:00 1970` (b4) */
const FROM_LINE =
  /^From \S+ +(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d\d:\d\d:\d\d \d{4}$/;
/** more mails than this in one file is not a series a reviewer reads */
export const MAX_SERIES_MAILS = 500;

/** The mails of an mbox, each from its `From ` line; a single mail (or no separator) gives one. */
export function splitMbox(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const starts: number[] = [];
  for (let i = 0; i < lines.length; i++) if (FROM_LINE.test(lines[i]!)) starts.push(i);
  if (starts.length < 2) return [text];
  if (starts.length > MAX_SERIES_MAILS)
    throw new InputError(`${starts.length} mails in one mbox is more than the ${MAX_SERIES_MAILS} the reader takes`);
  return starts.map((s, k) => lines.slice(s, starts[k + 1] ?? lines.length).join('\n'));
}

export interface SeriesInfo {
  /** the 0/N mail (a mail without a diff), null when the series has none */
  cover: { subject: string | null; author: string | null; date: string | null } | null;
  patches: PatchInfo[];
  /** the layout before the first patch and after the last */
  cumulative: LayoutDiff;
}

export function readSeries(text: string, name: string, opts: ReadPatchOptions = {}): SeriesInfo {
  const max = opts.maxChars ?? DEFAULT_MAX_PATCH_CHARS;
  if (text.length > max)
    throw new InputError(`${name}: ${text.length} characters is larger than the ${max}-character cap for a patch`);
  const arch = opts.arch ?? 'arm32';
  const mails = splitMbox(text);
  const { state: state0, label } = initialState(opts);
  let state: StateFile[] = state0;
  let cover: SeriesInfo['cover'] = null;
  const patches: PatchInfo[] = [];
  mails.forEach((m, k) => {
    const mail = unwrapMail(m);
    if (parseDiff(mail.body, mail.doubleSpaced).length === 0) {
      if (cover === null && patches.length === 0) {
        cover = meta(mail); // the cover letter: subject, author, date
        return;
      }
      throw new InputError(
        `${name}: mail ${k + 1} of ${mails.length} has no unified diff (only a 0/N cover letter may)`,
      );
    }
    const r = readOnePatch(m, `${name} [${k + 1}/${mails.length}]`, arch, state, label);
    patches.push(r.info);
    state = r.after;
  });
  if (patches.length === 0) throw new InputError(`${name}: no mail of the mbox has a unified diff`);
  const applied = [...new Set(patches.flatMap((p) => p.layout.applied))];
  const ignored = [
    ...new Map(patches.flatMap((p) => p.layout.ignored).map((x) => [x.path, x] as const)).values(),
  ].filter((x) => !applied.includes(x.path));
  const cumulative = diffLayouts(
    { before: state0, after: state, applied, targets: patches.flatMap((p) => p.layout.targets), ignored },
    { arch, name, baseLabel: label },
    [],
  );
  return { cover, patches, cumulative };
}

/** The Arm headers a patch (or series) names at their pre-image paths: what a tree must supply as bases. */
export function armHeaderPaths(text: string, max = 64): string[] {
  const paths = new Set<string>();
  for (const m of splitMbox(text)) {
    const mail = unwrapMail(m);
    for (const f of parseDiff(mail.body, mail.doubleSpaced)) {
      const p = f.oldPath ?? f.path;
      if (f.status !== 'added' && isArmHeaderPath(p) && !p.split('/').includes('..') && !p.startsWith('/'))
        paths.add(p);
    }
  }
  if (paths.size > max)
    throw new InputError(`the patch names ${paths.size} Arm headers, more than the ${max} read from a tree as bases`);
  return [...paths];
}
