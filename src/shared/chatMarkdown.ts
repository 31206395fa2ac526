/**
 * Chat messages are Markdown: this is the one parser both sides use (the webview renders with
 * it, the host finds mentions with it, so what is highlighted as a mention is exactly what
 * notifies). Parsing is markdown-it's, configured for text from strangers:
 *
 * - `html: false`: raw HTML is never markup, it stays text (`<script>` shows as `<script>`).
 * - No images (`![x](url)` would fetch from the network; it is shown as a link instead), no
 *   headings, rules or tables (a chat line is not a document; `# 1` stays `# 1`).
 * - Links only to `http:`, `https:` and `mailto:` (see isSafeLinkUrl); the webview opens them
 *   through the host, which asks VS Code (`env.openExternal`, with its usual confirmation).
 * - Nesting is bounded (MAX_MARKDOWN_NESTING), so `>>>>>…` or `[[[[…` cannot recurse deeply.
 * - `@nick` is a mention token (not inside code, not in the middle of a word or an address).
 *
 * Pure: no DOM, no Node APIs, no `vscode`. Rendering (tokens → safe DOM) is webview/markdown.ts.
 */
import MarkdownIt from 'markdown-it';
import type { StateInline, Token } from 'markdown-it';
import { nicknameKey } from '../protocol/nickname';
import { NICK_MAX_CHARS } from '../protocol/limits';
import { isSafeLinkUrl } from './linkPolicy';

export { isSafeLinkUrl, LINK_SCHEMES, MAX_LINK_LENGTH } from './linkPolicy';

export type MarkdownToken = Token;

/** Deepest nesting of blocks (quotes in lists in quotes…) and of inline markup that is parsed. */
export const MAX_MARKDOWN_NESTING = 20;

/** Rules switched off: see the header comment. */
const DISABLED_RULES = ['image', 'heading', 'lheading', 'hr', 'table', 'html_block', 'html_inline', 'reference'];

/** A nickname as written after `@` (src/protocol/nickname.ts: letters, digits, `_`, `-`, `.`). */
const MENTION_BODY = /^[\p{L}\p{N}][\p{L}\p{N}\p{M}_.-]*/u;
/** What may stand right before `@` for it to start a mention (not `bob@example.com`). */
const BEFORE_MENTION = /[\s([{"'“‘*_~>]/u;

/**
 * markdown-it inline rule: `@nick` → a `mention` token with `meta.nick`. Trailing `.`, `-`
 * and `_` are left out ("thanks @bob." mentions bob), and a nickname is at most
 * NICK_MAX_CHARS characters.
 */
function mentionRule(state: StateInline, silent: boolean): boolean {
  const start = state.pos;
  if (state.src.charCodeAt(start) !== 0x40 /* @ */) return false;
  if (start > 0 && !BEFORE_MENTION.test(state.src[start - 1])) return false;
  const m = MENTION_BODY.exec(state.src.slice(start + 1, start + 1 + NICK_MAX_CHARS * 2));
  if (!m) return false;
  let nick = [...m[0]].slice(0, NICK_MAX_CHARS).join('');
  nick = nick.replace(/[._-]+$/u, '');
  if (nick === '') return false;
  if (!silent) {
    const token = state.push('mention', '', 0);
    token.content = `@${nick}`;
    token.markup = '@';
    token.meta = { nick };
  }
  state.pos = start + 1 + nick.length;
  return true;
}

function createParser(): MarkdownIt.MarkdownIt {
  const md = new MarkdownIt('default', {
    html: false,
    linkify: true,
    breaks: true,
    typographer: false,
    maxNesting: MAX_MARKDOWN_NESTING,
  });
  md.disable(DISABLED_RULES, true);
  // Links markdown-it would keep but we do not want are dropped at parse time too (the
  // renderer checks again): the link then stays as its text.
  const validate = md.validateLink.bind(md);
  md.validateLink = (url: string) => validate(url) && isSafeLinkUrl(md.normalizeLink(url));
  // linkify: bare "www.x.y" and "x.com" become http links; e-mail addresses become mailto.
  md.linkify.set({ fuzzyEmail: true, fuzzyLink: true, fuzzyIP: false });
  md.inline.ruler.before('emphasis', 'mention', mentionRule);
  return md;
}

let parser: MarkdownIt.MarkdownIt | undefined;

function md(): MarkdownIt.MarkdownIt {
  parser ??= createParser();
  return parser;
}

/** The token stream of one message (block tokens; `inline` tokens carry `children`). */
export function parseChatMarkdown(text: string): MarkdownToken[] {
  return md().parse(text, {});
}

/** markdown-it's own link normalisation (percent-encoding, punycode), for the renderer. */
export function normalizeLink(url: string): string {
  return md().normalizeLink(url);
}

/** The nicknames a message mentions (as written, each once, in order), outside code and links' targets. */
export function findMentions(text: string): string[] {
  if (!text.includes('@')) return [];
  const seen = new Set<string>();
  const out: string[] = [];
  const walk = (tokens: readonly MarkdownToken[]) => {
    for (const t of tokens) {
      if (t.type === 'mention') {
        const nick = String((t.meta as { nick?: string } | null)?.nick ?? '');
        const key = nicknameKey(nick);
        if (nick && !seen.has(key)) {
          seen.add(key);
          out.push(nick);
        }
      }
      if (t.children) walk(t.children);
    }
  };
  walk(parseChatMarkdown(text));
  return out;
}

/** Whether `text` mentions `nick` (compared as nicknames are: by nicknameKey). */
export function mentionsNick(text: string, nick: string | undefined): boolean {
  if (!nick) return false;
  const key = nicknameKey(nick);
  return findMentions(text).some((n) => nicknameKey(n) === key);
}

/** Whether a message carries code (a fenced or indented block, or inline code). */
export function hasCode(text: string): boolean {
  const walk = (tokens: readonly MarkdownToken[]): boolean =>
    tokens.some((t) => t.type === 'fence' || t.type === 'code_block' || t.type === 'code_inline' || (t.children !== null && walk(t.children)));
  return walk(parseChatMarkdown(text));
}
