/**
 * The chat view's HTML: strict CSP with a fresh nonce, resources only from the webview's own
 * source, nothing inline.
 */
import * as assert from 'node:assert/strict';
import { contentSecurityPolicy, makeNonce, renderChatHtml } from '../../src/extension/chatHtml';

const cspSource = 'https://*.vscode-cdn.net';

describe('extension/chatHtml', () => {
  it('makes unpredictable base64 nonces of 128 bits', () => {
    const a = makeNonce();
    const b = makeNonce();
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9+/]{22}==$/);
  });

  it('allows nothing by default, scripts only by nonce, styles and fonts only from the webview source', () => {
    const csp = contentSecurityPolicy(cspSource, 'N0nce');
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    assert.deepEqual(directives['default-src'], ["'none'"]);
    assert.deepEqual(directives['script-src'], ["'nonce-N0nce'"]);
    assert.deepEqual(directives['style-src'], [cspSource, "'nonce-N0nce'"]);
    assert.deepEqual(directives['font-src'], [cspSource]);
    assert.ok(!csp.includes('unsafe'), 'no unsafe-inline or unsafe-eval');
  });

  it('loads the bundled script with the nonce and the stylesheet, and has no inline script or style', () => {
    const html = renderChatHtml({ cspSource, nonce: 'abc123', scriptUri: 'https://x/dist/webview.js', styleUri: 'https://x/dist/webview.css' });
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; [^"]*">/);
    assert.match(html, /<meta property="csp-nonce" content="abc123">/);
    assert.match(html, /<script nonce="abc123" src="https:\/\/x\/dist\/webview\.js"><\/script>/);
    assert.match(html, /<link href="https:\/\/x\/dist\/webview\.css" rel="stylesheet">/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.ok(!/<style|style="/.test(html));
    assert.match(html, /id="app"/);
  });

  it('escapes what it puts into attributes', () => {
    const html = renderChatHtml({ cspSource, nonce: 'n', scriptUri: 'https://x/a.js?"><script>', styleUri: 'https://x/a.css' });
    assert.ok(!html.includes('"><script>'));
  });
});
