/**
 * Where a core finding belongs in a file of the workspace (pure): the line of the seed's code
 * (in a patch) or of the window's #define (in a header) that the finding is about.
 */
import type { Finding } from '../core/index';

/** finding id → the code line it is about, most specific first */
const PATCH_ANCHORS: Record<string, RegExp[]> = {
  'window-overrun': [/gp2m_end_index\s*=\s*\(/, /int\s+prepare_vlpt\s*\(/],
  'extra-slot': [/gp2m_end_index\s*=\s*\(/],
  'second-check-array': [/LPAE_ENTRIES\s*\*\s*2/],
  'shared-table-local-flush': [/flush_xen_data_tlb_range_va\s*\(\s*d->arch\.dirty\.second_lvl_start/],
  'readonly-window': [/\(lpae_t\s*\*\)\s*VIRT_LIN_P2M_START/, /get_vlpt_3lvl_pte/],
  'restore-skip-stale-tlb': [/void\s+restore_vlpt\s*\(/],
  'restore-partial-range': [/void\s+restore_vlpt\s*\(/],
  'cleanup-leak': [/cleanup_vlpt\s*\(/],
  'cleanup-stale-slots': [/cleanup_vlpt\s*\(/],
};
const HEADER_ANCHORS: Record<string, RegExp[]> = {
  'window-overrun': [/^\s*#\s*define\s+VIRT_LIN_P2M_END\b/, /^\s*#\s*define\s+VIRT_LIN_P2M_START\b/],
  'extra-slot': [/^\s*#\s*define\s+VIRT_LIN_P2M_END\b/],
  'frametable-collision': [/^\s*#\s*define\s+FRAMETABLE_VIRT_START\b/, /^\s*#\s*define\s+VIRT_LIN_P2M_START\b/],
  'readonly-window': [/^\s*#\s*define\s+VIRT_LIN_P2M_START\b/],
};
const PATCH_FALLBACK = /int\s+prepare_vlpt\s*\(\s*struct\s+domain/;

export interface Anchor {
  /** 0-based line */
  line: number;
  finding: Finding;
}

export type FileKind = 'patch' | 'header';

/** Lines of `text` for each finding (a finding without an anchor is placed on the fallback, or dropped for headers). */
export function findingAnchors(
  text: string,
  kind: FileKind,
  findings: readonly Finding[],
  maxLines = 50_000,
): Anchor[] {
  const lines = text.split(/\r?\n/, maxLines);
  const find = (res: RegExp[]): number => {
    for (const re of res) {
      const i = lines.findIndex((l) => re.test(l));
      if (i >= 0) return i;
    }
    return -1;
  };
  const out: Anchor[] = [];
  for (const f of findings) {
    let line = find((kind === 'patch' ? PATCH_ANCHORS : HEADER_ANCHORS)[f.id] ?? []);
    if (line < 0 && kind === 'patch') line = find([PATCH_FALLBACK]);
    if (line >= 0) out.push({ line, finding: f });
  }
  return out;
}

/** is this text a patch of the VLPT series (worth anchoring findings in)? */
export function isVlptPatch(text: string): boolean {
  return /^(diff --git|\+\+\+ |--- )/m.test(text) && text.includes('prepare_vlpt');
}
