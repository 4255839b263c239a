/**
 * Terminal-safe text (issue 13 item 8): a patch's Subject/From, comment rows, scenario and macro
 * names come from files and may hold ESC sequences, other C0/C1 controls or bidi overrides that
 * a terminal would obey (recolour, move the cursor, reverse the text). Each becomes a visible
 * escape: `\x1b` for C0, DEL and C1; `\u202e` for the bidi controls. Newline and tab are kept,
 * and a carriage return only as part of CRLF. The escapes are also valid inside JSON strings
 * (`\u202e`), and JSON.stringify already escapes every C0 character, so JSON stays JSON.
 */

// C0 except \t \n, a CR not followed by LF, DEL, C1, ALM, LRM/RLM, LRE..RLO, LRI..PDI
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g;

function visible(c: string): string {
  const n = c.charCodeAt(0);
  return n <= 0x9f ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** `s` with every control character a terminal would act on replaced by a visible escape. */
export function visibleControls(s: string): string {
  return s.replace(CONTROLS, visible);
}

/** JSON text with C1 and bidi controls (which JSON.stringify leaves raw) as `\uXXXX` escapes. */
export function jsonVisible(text: string): string {
  return text.replace(
    /[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
