/**
 * Markdown in messages: what renders, and what a hostile peer cannot make it do. Every output
 * is also checked structurally: only the allowed elements and attributes, `href` only on links
 * and only http(s)/mailto, text only as text.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { findMentions, hasCode, isSafeLinkUrl, mentionsNick } from '../../src/shared/chatMarkdown';
import { highlightCode, languageOf, readHighlighted } from '../../webview/highlight';
import { ALLOWED_ATTRS, ALLOWED_TAGS, MAX_RENDER_DEPTH, nodesToHtml, renderChatMarkdown, snippetCodeBlock, textOfNodes, type MdNode } from '../../webview/markdown';

const html = (text: string, self?: string) => nodesToHtml(renderChatMarkdown(text, { self }));

/** Throws unless every node is allowed; returns the links' targets. */
function checkTree(nodes: readonly MdNode[], depth = 0): string[] {
  assert.ok(depth <= MAX_RENDER_DEPTH + 2, 'the tree is not absurdly deep');
  const hrefs: string[] = [];
  for (const n of nodes) {
    if (typeof n === 'string') continue;
    assert.ok((ALLOWED_TAGS as readonly string[]).includes(n.tag), `tag ${n.tag}`);
    for (const [k, v] of Object.entries(n.attrs ?? {})) {
      assert.ok((ALLOWED_ATTRS as readonly string[]).includes(k), `attribute ${k}`);
      assert.equal(typeof v, 'string');
      if (k === 'href') {
        assert.equal(n.tag, 'a', 'href only on links');
        assert.match(v!, /^(https?:\/\/|mailto:)/i, `href ${v}`);
        assert.ok(isSafeLinkUrl(v!), `href ${v} is safe`);
        hrefs.push(v!);
      }
      if (k === 'class') assert.match(v!, /^[A-Za-z0-9_ -]*$/, `class ${v}`);
    }
    hrefs.push(...checkTree(n.children, depth + 1));
  }
  return hrefs;
}

/** Hostile inputs: none may produce anything but text, safe links and our own markup. */
const HOSTILE: Array<[string, string]> = [
  ['script tag', '<script>alert(1)</script>'],
  ['script tag split over lines', '<scr\nipt>alert(1)</script>'],
  ['img with onerror', '<img src=x onerror="alert(1)">'],
  ['svg onload', '<svg onload=alert(1)>'],
  ['iframe', '<iframe src="https://evil.example"></iframe>'],
  ['style tag', '<style>body{display:none}</style>'],
  ['event handler attribute in a link title', '[x](https://ok.example "a\\" onmouseover=\\"alert(1)")'],
  ['html block', '<div onclick="alert(1)">\n\nclick\n\n</div>'],
  ['javascript: link', '[click](javascript:alert(1))'],
  ['javascript: link, upper case', '[click](JaVaScRiPt:alert(1))'],
  ['javascript: link with entities', '[click](&#106;avascript:alert(1))'],
  ['javascript: link with a tab', '[click](java\tscript:alert(1))'],
  ['javascript: link, percent-encoded', '[click](javascript%3Aalert(1))'],
  ['vbscript: link', '[click](vbscript:msgbox(1))'],
  ['data: link', '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
  ['data: image', '![x](data:image/png;base64,iVBORw0KGgo=)'],
  ['remote image', '![tracker](https://evil.example/pixel.png)'],
  ['remote image, reference style', '![t][r]\n\n[r]: https://evil.example/p.png'],
  ['file: link', '[passwd](file:///etc/passwd)'],
  ['command: link', '[quit](command:workbench.action.quit)'],
  ['vscode: link', '[install](vscode:extension/evil.evil)'],
  ['autolink to javascript:', '<javascript:alert(1)>'],
  ['autolink', '<https://example.com/a?b=<c>'],
  ['bare URL', 'see https://example.com/x?y=1&z=2 now'],
  ['credentials in a URL', '[x](https://user:pass@example.com/)'],
  ['HTML entities', '&lt;script&gt;alert(1)&lt;/script&gt; &#x3C;img src=x&#x3E; &amp;lt;'],
  ['entity for a javascript: href', '<a href="&#106;avascript:alert(1)">x</a>'],
  ['null and control characters', 'a\u0000b\u0007c <scr\u0000ipt>'],
  ['huge nesting of quotes', `${'>'.repeat(5000)} deep`],
  ['huge nesting of lists', `${'- '.repeat(2000)}deep`],
  ['huge nesting of brackets', `${'['.repeat(3000)}x${'](https://a.example)'.repeat(3000)}`],
  ['huge nesting of emphasis', `${'*'.repeat(3000)}x${'*'.repeat(3000)}`],
  ['fenced code with html', '```html\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n```'],
  ['fenced code with a hostile info string', '```"><script>alert(1)</script>\ncode\n```'],
  ['inline code with html', '`<img src=x onerror=alert(1)>`'],
  ['mention with markup', '@<b>bob</b> @"><img src=x>'],
];

describe('webview/markdown: rendering', () => {
  it('renders emphasis, inline code, strikethrough, links, lists and quotes', () => {
    assert.equal(html('**bold** _em_ ~~gone~~ `x < y`'), '<p><strong>bold</strong> <em>em</em> <s>gone</s> <code>x &lt; y</code></p>');
    assert.equal(html('[docs](https://example.com/d "Docs")'), '<p><a href="https://example.com/d" title="Docs" class="md-link">docs</a></p>');
    assert.equal(html('1. one\n2. two'), '<ol><li>one</li><li>two</li></ol>');
    assert.equal(html('3. three\n4. four'), '<ol start="3"><li>three</li><li>four</li></ol>');
    assert.equal(html('- a\n- b\n  - c'), '<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>');
    assert.equal(html('> said\n> twice\n\nanswer'), '<blockquote><p>said<br>twice</p></blockquote><p>answer</p>');
    assert.equal(html('line one\nline two'), '<p>line one<br>line two</p>', 'a new line in a chat message is a line break');
  });

  it('turns bare URLs, www. addresses and e-mail addresses into links', () => {
    assert.equal(html('see https://example.com/x?y=1'), '<p>see <a href="https://example.com/x?y=1" title="https://example.com/x?y=1" class="md-link">https://example.com/x?y=1</a></p>');
    assert.match(html('www.example.org'), /<a href="http:\/\/www\.example\.org"/);
    assert.match(html('mail bob@example.com'), /<a href="mailto:bob@example\.com"[^>]*>bob@example\.com<\/a>/);
    assert.match(html('<https://example.com/a>'), /<a href="https:\/\/example\.com\/a"/);
  });

  it('highlights fenced code in a known language and keeps the code exactly', () => {
    const out = html('```ts\nconst x: number = 1; // <b>\n```');
    assert.match(out, /^<pre class="md-code"><code class="hljs language-typescript" data-lang="typescript">/);
    assert.match(out, /<span class="hljs-keyword">const<\/span>/);
    assert.match(out, /<span class="hljs-comment">\/\/ &lt;b&gt;<\/span>/);
    const tree = renderChatMarkdown('```python\ndef f(a):\n    return a < 2 and "x" or \'y\'\n```');
    assert.equal(textOfNodes(tree), 'def f(a):\n    return a < 2 and "x" or \'y\'');
  });

  it('shows code in an unknown language, or none, unhighlighted', () => {
    assert.equal(html('```klingon\nqapla\'\n```'), '<pre class="md-code"><code class="hljs">qapla\'</code></pre>');
    assert.equal(html('```\n<b>x</b>\n```'), '<pre class="md-code"><code class="hljs">&lt;b&gt;x&lt;/b&gt;</code></pre>');
    assert.equal(html('    indented <i>code</i>'), '<pre class="md-code"><code class="hljs">indented &lt;i&gt;code&lt;/i&gt;</code></pre>');
  });

  it('knows languages by their usual names', () => {
    assert.equal(languageOf('ts'), 'typescript');
    assert.equal(languageOf('TypeScript'), 'typescript');
    assert.equal(languageOf('sh'), 'bash');
    assert.equal(languageOf('html'), 'xml');
    assert.equal(languageOf('py extra words'), 'python');
    assert.equal(languageOf('"><script>'), undefined);
    assert.equal(languageOf(''), undefined);
  });

  it('leaves headings, rules and tables as text (a chat line is not a document)', () => {
    assert.equal(html('# 1 thing'), '<p># 1 thing</p>');
    assert.equal(html('a\n---'), '<p>a<br>---</p>');
    assert.equal(html('| a |\n|---|\n| 1 |'), '<p>| a |<br>|---|<br>| 1 |</p>');
  });
});

describe('webview/markdown: hostile input', () => {
  for (const [what, input] of HOSTILE) {
    it(`is safe against ${what}`, () => {
      const t0 = Date.now();
      const tree = renderChatMarkdown(input);
      assert.ok(Date.now() - t0 < 2_000, 'renders quickly');
      checkTree(tree);
      const out = nodesToHtml(tree);
      // Every "<" in the output opens or closes one of our elements.
      for (const m of out.matchAll(/<\/?([a-z0-9]+)/gi)) assert.ok((ALLOWED_TAGS as readonly string[]).includes(m[1]), `<${m[1]}> in ${out}`);
      assert.ok(!/<(img|script|iframe|svg|style|div)\b/i.test(out), out);
      // (Attribute values and text are escaped; what is left outside them is markup.)
      const markup = out.replace(/"[^"]*"/g, '""').replace(/>[^<]*</g, '><');
      assert.ok(!/\son[a-z]+=/i.test(markup), `no event handler attribute in ${out}`);
      assert.ok(!/href="(?!https?:|mailto:)/i.test(out), `no other scheme in an href: ${out}`);
    });
  }

  it('shows raw HTML as its text', () => {
    assert.equal(html('<script>alert(1)</script>'), '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    assert.equal(html('<img src=x onerror=alert(1)>'), '<p>&lt;img src=x onerror=alert(1)&gt;</p>');
    assert.equal(textOfNodes(renderChatMarkdown('&lt;b&gt; &amp; &#60;i&#62;')), '<b> & <i>', 'entities decode to text, never to markup');
  });

  it('shows links it will not open as text, and images as links (nothing is fetched)', () => {
    assert.equal(html('[click](javascript:alert(1))'), '<p>[click](javascript:alert(1))</p>');
    assert.equal(html('[x](file:///etc/passwd)'), '<p>[x](file:///etc/passwd)</p>');
    assert.equal(html('![pixel](https://evil.example/p.png)'), '<p>!<a href="https://evil.example/p.png" title="https://evil.example/p.png" class="md-link">pixel</a></p>');
  });

  it('survives any input: random Markdown-ish text renders to allowed nodes only', () => {
    const alphabet = fc.constantFrom(...'<>*_`~[]()!#-+>=|\\/:@&;. \n\tajs0123"\''.split(''), 'javascript:', 'https://x.example', '<img ', '```', '&#106;', 'mailto:', '@bob');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 200 }), (parts) => {
        checkTree(renderChatMarkdown(parts.join(''), { self: 'bob' }));
      }),
      { numRuns: 400 },
    );
  });
});

describe('webview/highlight: reading highlight.js output', () => {
  it('accepts only its spans and entities', () => {
    assert.deepEqual(readHighlighted('<span class="hljs-keyword">if</span> a &lt; b'), [{ tag: 'span', attrs: { class: 'hljs-keyword' }, children: ['if'] }, ' a < b']);
    assert.equal(readHighlighted('<b>x</b>'), undefined);
    assert.equal(readHighlighted('<span class="x" onclick="y">x</span>'), undefined);
    assert.equal(readHighlighted('<span class="hljs-a">unclosed'), undefined);
    assert.equal(readHighlighted('</span>'), undefined);
    assert.equal(readHighlighted('a &copy; b'), undefined);
  });

  it('drops classes highlight.js does not make', () => {
    assert.deepEqual(readHighlighted('<span class="hljs-title function_ evil">f</span>'), [{ tag: 'span', attrs: { class: 'hljs-title function_' }, children: ['f'] }]);
  });

  it('gives up on unknown languages and very long code', () => {
    assert.equal(highlightCode('x', 'klingon'), undefined);
    assert.equal(highlightCode('x'.repeat(30_000), 'typescript'), undefined);
  });
});

describe('shared/chatMarkdown: mentions', () => {
  it('finds @nick mentions, each once, without trailing punctuation', () => {
    assert.deepEqual(findMentions('hi @bob and @carol, thanks @bob.'), ['bob', 'carol']);
    assert.deepEqual(findMentions('(@dave) "@erin" **@frank**'), ['dave', 'erin', 'frank']);
    assert.deepEqual(findMentions('@Zoë-2 hi'), ['Zoë-2']);
  });

  it('does not see mentions in addresses, code or words', () => {
    assert.deepEqual(findMentions('write to bob@example.com'), []);
    assert.deepEqual(findMentions('`@bob` and\n```\n@carol\n```'), []);
    assert.deepEqual(findMentions('a@b @ alone @'), []);
  });

  it('matches our nickname as nicknames compare (case, width)', () => {
    assert.ok(mentionsNick('hey @ALICE look', 'alice'));
    assert.ok(mentionsNick('hey @ａｌｉｃｅ', 'alice'), 'full-width letters are the same nickname');
    assert.ok(!mentionsNick('hey @alicia', 'alice'));
    assert.ok(!mentionsNick('hey @alice', undefined));
  });

  it('marks mentions in the rendered message, ours apart', () => {
    assert.equal(html('@bob and @alice', 'Alice'), '<p><span class="mention" data-nick="bob">@bob</span> and <span class="mention mention-self" data-nick="alice">@alice</span></p>');
  });

  it('says whether a message carries code', () => {
    assert.ok(hasCode('```ts\nx\n```'));
    assert.ok(hasCode('use `x`'));
    assert.ok(!hasCode('plain'));
  });
});

describe('shared/chatMarkdown: link policy', () => {
  it('allows absolute http, https and mailto URLs only', () => {
    for (const ok of ['https://example.com', 'http://example.com/a?b#c', 'mailto:bob@example.com']) assert.ok(isSafeLinkUrl(ok), ok);
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', 'vscode:x', 'command:x', '/relative', 'https://u:p@example.com', 'java\nscript:x', '', `https://example.com/${'a'.repeat(3000)}`]) {
      assert.ok(!isSafeLinkUrl(bad), bad);
    }
  });
});

describe('webview/markdown: snippet code blocks', () => {
  it('highlights by VS Code language id, the text exactly as sent', () => {
    const code = 'const x: number = 1; // <b>not bold</b>\n```\nnot a fence';
    const block = snippetCodeBlock(code, 'typescriptreact');
    assert.equal(textOfNodes([block]), code);
    const html = nodesToHtml([block]);
    assert.match(html, /class="hljs language-typescript"/);
    assert.match(html, /hljs-keyword/);
    assert.doesNotMatch(html, /<b>/);
  });
  it('an unknown language id is shown unhighlighted, as text', () => {
    const block = snippetCodeBlock('<script>alert(1)</script>', 'nosuchlang');
    assert.equal(nodesToHtml([block]), '<pre class="md-code snippet-code"><code class="hljs">&lt;script&gt;alert(1)&lt;/script&gt;</code></pre>');
  });
});
