/**
 * The chat webview's HTML (model: vscode-extension-samples `webview-view-sample`): one
 * document, a strict Content Security Policy, the script allowed by a nonce, resources from the
 * extension's `dist/` through `asWebviewUri`. Pure: the caller passes the URIs as strings.
 *
 * CSP notes. `default-src 'none'` blocks everything not listed. Scripts run only with the nonce.
 * Styles come from our stylesheet (`cspSource`); the toolkit's components style themselves with
 * constructable stylesheets (adoptedStyleSheets), which CSP does not govern. The toolkit also
 * inserts one empty `<style>` element once, to test `:focus-visible` support; it reads the nonce
 * from `<meta property="csp-nonce">`, so the same nonce is allowed in `style-src` and that probe
 * works instead of being refused (which would leave focus rings on plain `:focus`).
 */
import { randomBytes } from 'node:crypto';

export interface ChatHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** asWebviewUri(dist/webview.js). */
  scriptUri: string;
  /** asWebviewUri(dist/webview.css). */
  styleUri: string;
  nonce: string;
}

/** 128 bits from the OS's CSPRNG, base64 (allowed in a CSP nonce source). */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ');
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderChatHtml(o: ChatHtmlOptions): string {
  const nonce = attr(o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce))}">
  <meta property="csp-nonce" content="${nonce}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link href="${attr(o.styleUri)}" rel="stylesheet">
  <title>Peer Chat</title>
</head>
<body>
  <div id="app" data-testid="chat-app">
    <noscript>Peer Chat needs scripts enabled in this view.</noscript>
  </div>
  <script nonce="${nonce}" src="${attr(o.scriptUri)}"></script>
</body>
</html>`;
}
