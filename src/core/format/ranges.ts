/**
 * Slot lists in words, shared by the core, the CLI and the map webview (which imports this module alone: it has
 * no imports of its own).
 */

/** compress [66,67,68,70] → "66–68, 70" */
/** compress [66,67,68,70] → "66–68, 70" */
export function slotRanges(slots: number[]): string {
  const s = [...new Set(slots)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < s.length;) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    out.push(i === j ? `${s[i]}` : `${s[i]}–${s[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}
