import type { EndForm, Layout, Region } from '../layout/types';
import type { FileDiff } from './diff';
import type { Diffstat } from './diffstat';
import type { PatchFormat } from './mail';

export type Severity = 'error' | 'warning' | 'info';

/** A finding about a patch or a header: stable `id`, where, and one line of text. */
export interface PatchFinding {
  id: string;
  severity: Severity;
  /** a path inside the patch, or the patch's own name for whole-mail findings */
  file: string;
  line: number | null;
  message: string;
}

/** `end`: same start and bytes, but the end macro's name, form or own value changed */
export type ChangeKind = 'added' | 'removed' | 'moved' | 'resized' | 'end';

/** A region's end as its header wrote it. */
export interface EndInfo {
  /** `VMAP_VIRT_END`, `FRAMETABLE_SIZE`; null when no macro gives the end */
  macro: string | null;
  form: EndForm;
  /** the macro's own value: the last byte (inclusive), one past it (exclusive), the size; else null */
  value: number | null;
}

export interface RegionChange {
  name: string;
  change: ChangeKind;
  before: Region | null;
  after: Region | null;
  /** for `end` changes: the end before and after */
  end?: { before: EndInfo; after: EndInfo };
}

export interface LayoutDiff {
  /** the header the hunks were applied to, e.g. "embedded: 2013 arm32 config.h (ac6e1ae)" */
  base: string;
  /** patched header files whose hunks were applied */
  applied: string[];
  /** which base each applied file went to (`how`: `path`, `basename`, `only-base`, `new-file`; null: no base) */
  targets: Array<{ path: string; base: string | null; how: 'path' | 'basename' | 'only-base' | 'new-file' | null }>;
  /** files of the patch that are not Arm layout headers (other arches' config.h, C files, …) */
  ignored: Array<{ path: string; reason: string }>;
  before: Layout;
  after: Layout;
  changes: RegionChange[];
}

export interface PatchInfo {
  name: string;
  format: PatchFormat;
  /** without the list's `[Xen-devel]` tag; null when the input has none (a bare diff) */
  subject: string | null;
  /** `From:`, else the first `Signed-off-by:` */
  author: string | null;
  date: string | null;
  files: FileDiff[];
  diffstat: Diffstat | null;
  findings: PatchFinding[];
  layout: LayoutDiff;
}
