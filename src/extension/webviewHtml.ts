/**
 * The one HTML shell and CSP of every webview (map, scenario): `default-src 'none'`, styles,
 * images and fonts only from the webview's own origin, scripts only with a fresh nonce (from
 * crypto.getRandomValues), no inline script or style, no data in the HTML (everything comes by
 * validated messages), and resource roots limited to media/ and dist/. The string builders are
 * pure so that test/unit/extension/security.test.ts can check every rule.
 */

/** 16 random bytes as 32 hex digits (128 bits; only [0-9a-f], so it needs no escaping anywhere) */
export function nonce(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** the folders a webview may load from, relative to the extension root */
export const WEBVIEW_ROOTS = ['media', 'dist'] as const;

export function contentSecurityPolicy(cspSource: string, n: string): string {
  return [
    `default-src 'none'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${n}'`,
  ].join('; ');
}

export interface ShellParts {
  cspSource: string;
  nonce: string;
  /** webview URI of the stylesheet under media/ */
  css: string;
  /** webview URI of the script bundle under dist/webview/ */
  script: string;
  title: string;
  /** static skeleton markup written by us (no data, no attributes from files) */
  body: string;
}

const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function webviewShell(p: ShellParts): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(p.css)}">
<title>${attr(p.title)}</title>
</head>
<body>
${p.body}
<script nonce="${attr(p.nonce)}" src="${attr(p.script)}"></script>
</body>
</html>`;
}
