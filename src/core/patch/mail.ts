/**
 * Mail container formats a patch reaches a reviewer in: mbox / `git format-patch` (RFC 5322
 * headers, folded lines, RFC 2047 encoded words, quoted-printable or base64 bodies, simple
 * multipart), a xen-devel web-archive page saved as text, or a bare unified diff (issue 4).
 * Pure: ES2022 only, so UTF-8 and base64 are decoded here rather than with TextDecoder/atob.
 */

export type PatchFormat = 'mbox' | 'archive' | 'diff';

export interface MailParts {
  format: PatchFormat;
  headers: Map<string, string>;
  /** the decoded body (archive: the whole page) with LF line ends and NBSPs as spaces */
  body: string;
  /** true when the page doubles every line (web archive) */
  doubleSpaced: boolean;
  /** NBSPs replaced (web archive mangling) */
  nbsp: number;
}

/** UTF-8 bytes to a string; invalid sequences become U+FFFD. */
export function utf8Decode(bytes: number[]): string {
  let s = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    let cp = 0xfffd;
    let n = 1;
    if (b < 0x80) cp = b;
    else if (b >= 0xc2 && b < 0xe0 && (bytes[i + 1]! & 0xc0) === 0x80) {
      cp = ((b & 0x1f) << 6) | (bytes[i + 1]! & 0x3f);
      n = 2;
    } else if (b >= 0xe0 && b < 0xf0 && (bytes[i + 1]! & 0xc0) === 0x80 && (bytes[i + 2]! & 0xc0) === 0x80) {
      cp = ((b & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
      n = 3;
    } else if (
      b >= 0xf0 &&
      b < 0xf5 &&
      (bytes[i + 1]! & 0xc0) === 0x80 &&
      (bytes[i + 2]! & 0xc0) === 0x80 &&
      (bytes[i + 3]! & 0xc0) === 0x80
    ) {
      cp = ((b & 0x07) << 18) | ((bytes[i + 1]! & 0x3f) << 12) | ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f);
      n = 4;
      if (cp > 0x10ffff) {
        cp = 0xfffd;
        n = 1;
      } // F4 90.. and up: past Unicode (fromCodePoint would throw)
    }
    s += String.fromCodePoint(cp);
    i += n;
  }
  return s;
}

/** A JS string read as UTF-8 holds code points; re-encode them to bytes (chars > 0xff → UTF-8). */
function toBytes(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return out;
}

/** Quoted-printable (RFC 2045 §6.7): `=XX` bytes, `=` soft line breaks. */
export function decodeQuotedPrintable(s: string, underscoreIsSpace = false): string {
  const bytes: number[] = [];
  const src = toBytes(s.replace(/=[ \t]*\n/g, ''));
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (
      c === 0x3d &&
      i + 2 < src.length + 0 &&
      /^[0-9A-Fa-f]{2}$/.test(String.fromCharCode(src[i + 1]!, src[i + 2]!))
    ) {
      bytes.push(parseInt(String.fromCharCode(src[i + 1]!, src[i + 2]!), 16));
      i += 2;
    } else if (underscoreIsSpace && c === 0x5f) bytes.push(0x20);
    else bytes.push(c);
  }
  return utf8Decode(bytes);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function decodeBase64(s: string): string {
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of s) {
    const v = B64.indexOf(ch);
    if (v < 0) continue; // whitespace, padding
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((acc >> bits) & 0xff);
    }
  }
  return utf8Decode(bytes);
}

/** RFC 2047 encoded words in a header: `=?UTF-8?q?...?=`, `=?utf-8?B?...?=`. */
export function decodeHeaderWords(v: string): string {
  return v
    .replace(/(=\?[^?]+\?[qQbB]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([qQbB])\?([^?]*)\?=/g, (_m, _cs: string, enc: string, data: string) =>
      enc.toLowerCase() === 'q' ? decodeQuotedPrintable(data, true) : decodeBase64(data),
    );
}

const HEADER_LINE = /^([A-Za-z][A-Za-z0-9-]*):[ \t]?(.*)$/;

/** Split an RFC 5322 message into unfolded headers (lower-case names, first wins) and body. */
export function splitMessage(text: string): { headers: Map<string, string>; body: string } {
  const lines = text.split('\n');
  let i = 0;
  if (lines[0]?.startsWith('From ')) i = 1; // mbox separator line
  const headers = new Map<string, string>();
  let last: string | null = null; // header being unfolded; null for a repeated one (first wins)
  let inHeader = false;
  for (; i < lines.length; i++) {
    const l = lines[i]!;
    if (l === '') {
      i++;
      break;
    }
    if (/^[ \t]/.test(l) && inHeader) {
      if (last) headers.set(last, `${headers.get(last)!} ${l.trim()}`);
      continue;
    }
    const m = HEADER_LINE.exec(l);
    if (!m) break; // not a header: body starts here
    const name = m[1]!.toLowerCase();
    inHeader = true;
    last = headers.has(name) ? null : name;
    if (last) headers.set(last, m[2]!.trim());
  }
  return { headers, body: lines.slice(i).join('\n') };
}

/** Real mails nest multiparts two or three deep; deeper parts are read as text (no quadratic rescans). */
const MAX_MULTIPART_DEPTH = 8;

function decodeBody(headers: Map<string, string>, body: string, depth = 0): string {
  const ctype = headers.get('content-type') ?? '';
  const boundary = /boundary="?([^";]+)"?/i.exec(ctype)?.[1];
  if (/^multipart\//i.test(ctype) && boundary && depth < MAX_MULTIPART_DEPTH) {
    // text parts in order (git send-email attachments, Thunderbird); others are skipped
    const parts = body.split(new RegExp(`^--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*$`, 'm'));
    const texts: string[] = [];
    for (const p of parts.slice(1)) {
      const sub = splitMessage(p.replace(/^\n/, ''));
      const t = sub.headers.get('content-type') ?? 'text/plain';
      if (/^text\//i.test(t) || /^multipart\//i.test(t)) texts.push(decodeBody(sub.headers, sub.body, depth + 1));
    }
    return texts.join('\n');
  }
  const cte = (headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (cte === 'quoted-printable') return decodeQuotedPrintable(body);
  if (cte === 'base64') return decodeBase64(body);
  return body;
}

/** Detect the container and unwrap it. Input may have CRLF, NBSP, a BOM. */
export function unwrapMail(raw: string): MailParts {
  let text = raw.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const nbsp = (text.match(/\u00a0/g) ?? []).length;
  const firstLines = text.split('\n', 20);
  const looksMail =
    /^From \S+/.test(firstLines[0] ?? '') ||
    (HEADER_LINE.test(firstLines[0] ?? '') &&
      firstLines.slice(0, 20).some((l) => /^(subject|from|date):/i.test(l)) &&
      !/^(diff|index|---) /i.test(firstLines[0] ?? ''));
  if (looksMail) {
    const { headers, body } = splitMessage(text);
    const decoded = decodeBody(headers, body)
      .replace(/\r\n?/g, '\n')
      .replace(/\u00a0/g, ' ');
    return { format: 'mbox', headers, body: decoded, doubleSpaced: false, nbsp };
  }
  text = text.replace(/\u00a0/g, ' ');
  const doubleSpaced = isDoubleSpaced(text);
  const archive = doubleSpaced || nbsp > 0 || /\[Date Prev\]|\[Xen-devel\]|lists\.xen/i.test(firstLines.join('\n'));
  return { format: archive ? 'archive' : 'diff', headers: new Map(), body: text, doubleSpaced, nbsp };
}

/** A web-archive page doubles lines: most non-empty lines of the diff part are followed by "". */
function isDoubleSpaced(text: string): boolean {
  const lines = text.split('\n');
  const from = Math.max(
    0,
    lines.findIndex((l) => /^(diff --git |--- |@@ -)/.test(l)),
  );
  let content = 0;
  let followed = 0;
  for (let i = from; i < lines.length - 1; i++) {
    if (lines[i]!.trim() === '') continue;
    content++;
    if (lines[i + 1] === '') followed++;
  }
  return content >= 4 && followed / content >= 0.8;
}
