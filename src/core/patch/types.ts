import type { Layout, Region } from '../layout/types';
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

export type ChangeKind = 'added' | 'removed' | 'moved' | 'resized';

export interface RegionChange {
  name: string;
  change: ChangeKind;
  before: Region | null;
  after: Region | null;
}

export interface LayoutDiff {
  /** the header the hunks were applied to, e.g. "embedded: 2013 arm32 config.h (ac6e1ae)" */
  base: string;
  /** patched header files whose hunks were applied */
  applied: string[];
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
