/**
 * Syntax highlighting of code blocks in messages: highlight.js (core, with the languages
 * developers paste most, registered here; a private instance so nothing else configures it).
 *
 * highlight.js escapes the code and wraps tokens in `<span class="hljs-…">`. That output is
 * read back here into MdNode trees (webview/markdown.ts) by a strict reader that accepts only
 * exactly those spans and the five entities highlight.js writes; anything else and the block
 * is shown unhighlighted. So the webview never parses HTML: the code's text always becomes
 * text nodes, whatever it contains.
 *
 * Pure (no DOM).
 */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import dockerfile from 'highlight.js/lib/languages/dockerfile';
import go from 'highlight.js/lib/languages/go';
import ini from 'highlight.js/lib/languages/ini';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import plaintext from 'highlight.js/lib/languages/plaintext';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import type { MdElement, MdNode } from './markdown';

/** Code longer than this is shown unhighlighted (highlighting is linear, but why spend it). */
export const MAX_HIGHLIGHT_CHARS = 20_000;

const LANGUAGES = { bash, c, cpp, csharp, css, diff, dockerfile, go, ini, java, javascript, json, markdown, plaintext, python, rust, shell, sql, typescript, xml, yaml };

const hl = hljs.newInstance();
for (const [name, lang] of Object.entries(LANGUAGES)) hl.registerLanguage(name, lang);
// Messages are not pages: never warn about or act on HTML found in code.
hl.configure({ ignoreUnescapedHTML: true, throwUnescapedHTML: false });

/** The registered language for a fence's info word (`ts`, `TypeScript`, `sh`…), if any. */
export function languageOf(info: string): string | undefined {
  const word = info.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!/^[a-z0-9_+#.-]{1,32}$/.test(word)) return undefined;
  const lang = hl.getLanguage(word);
  if (!lang) return undefined;
  // The canonical name: what the CSS and the data-lang attribute say.
  return Object.keys(LANGUAGES).find((n) => hl.getLanguage(n) === lang) ?? word;
}

export function supportedLanguages(): string[] {
  return Object.keys(LANGUAGES);
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'", '&#39;': "'" };
/** One piece of highlight.js output: an opening span, a closing span, an entity, or plain text. */
const PIECE = /<span class="([A-Za-z0-9_ -]{1,80})">|<\/span>|&(?:amp|lt|gt|quot|#x27|#39);|[^<&]+/y;

/** Only the classes highlight.js makes (`hljs-keyword`, `function_`, `language-xml`). */
function safeClasses(list: string): string {
  return list
    .split(' ')
    .filter((c) => /^hljs-[a-z0-9_-]+$|^language-[a-z0-9_-]+$|^[a-z]+_+$/i.test(c))
    .join(' ');
}

/** Reads highlight.js's HTML into nodes; undefined if it is anything but what it writes. */
export function readHighlighted(html: string): MdNode[] | undefined {
  const root: MdElement = { tag: 'span', children: [] };
  const stack: MdElement[] = [root];
  PIECE.lastIndex = 0;
  while (PIECE.lastIndex < html.length) {
    const at = PIECE.lastIndex;
    const m = PIECE.exec(html);
    if (!m || m.index !== at) return undefined;
    const top = stack[stack.length - 1];
    if (m[1] !== undefined) {
      const el: MdElement = { tag: 'span', attrs: { class: safeClasses(m[1]) }, children: [] };
      top.children.push(el);
      stack.push(el);
    } else if (m[0] === '</span>') {
      if (stack.length === 1) return undefined;
      stack.pop();
    } else {
      const text = m[0].startsWith('&') ? ENTITIES[m[0]] : m[0];
      const last = top.children[top.children.length - 1];
      if (typeof last === 'string') top.children[top.children.length - 1] = last + text;
      else top.children.push(text);
    }
  }
  return stack.length === 1 ? root.children : undefined;
}

/** The code as highlighted nodes, or undefined (unknown language, too long, or a failure). */
export function highlightCode(code: string, language: string | undefined): MdNode[] | undefined {
  if (!language || code.length > MAX_HIGHLIGHT_CHARS) return undefined;
  try {
    const out = readHighlighted(hl.highlight(code, { language, ignoreIllegals: true }).value);
    // What it read must be the code, character for character.
    if (!out || textOf(out) !== code) return undefined;
    return out;
  } catch {
    return undefined;
  }
}

function textOf(nodes: readonly MdNode[]): string {
  return nodes.map((n) => (typeof n === 'string' ? n : textOf(n.children))).join('');
}
