/**
 * A chat message's Markdown as a tree of safe nodes: the parser's tokens
 * (src/shared/chatMarkdown.ts) turned into elements from a fixed list, with a fixed list of
 * attributes, and text as strings. The webview builds DOM from the tree with createElement and
 * text nodes (webview/markdownDom.ts), never with innerHTML, so nothing in a message can
 * become markup, script, style or a network request, whatever the parser lets through.
 *
 * Pure (no DOM): unit-tested against hostile input (test/unit/webviewMarkdown.test.ts).
 */
import { isSafeLinkUrl, parseChatMarkdown, type MarkdownToken } from '../src/shared/chatMarkdown';
import { nicknameKey } from '../src/protocol/nickname';
import { highlightCode, languageOf } from './highlight';

/** The only elements a message can produce. */
export const ALLOWED_TAGS = ['p', 'br', 'strong', 'em', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'span'] as const;
export type AllowedTag = (typeof ALLOWED_TAGS)[number];

/** The only attributes: `href` only on links, and only a safe URL (isSafeLinkUrl). */
export const ALLOWED_ATTRS = ['href', 'title', 'class', 'start', 'data-nick', 'data-lang'] as const;
export type AllowedAttr = (typeof ALLOWED_ATTRS)[number];

/**
 * Deepest element nesting a message renders to. The parser bounds blocks (MAX_MARKDOWN_NESTING)
 * but not runs of emphasis; past this, markup is dropped and the text kept.
 */
export const MAX_RENDER_DEPTH = 32;

export interface MdElement {
  tag: AllowedTag;
  attrs?: Partial<Record<AllowedAttr, string>>;
  children: MdNode[];
}
export type MdNode = string | MdElement;

export interface RenderOptions {
  /** Our nickname: mentions of it get the class `mention-self`. */
  self?: string;
}

const BLOCK_TAGS: Record<string, AllowedTag> = {
  paragraph_open: 'p',
  bullet_list_open: 'ul',
  ordered_list_open: 'ol',
  list_item_open: 'li',
  blockquote_open: 'blockquote',
};

const INLINE_TAGS: Record<string, AllowedTag> = {
  strong_open: 'strong',
  em_open: 'em',
  s_open: 's',
};

/** A container that is dropped on close, its children kept (a link that is not allowed). */
const TRANSPARENT = Symbol('transparent');
type Frame = MdElement & { [TRANSPARENT]?: true };

class TreeBuilder {
  readonly root: Frame = { tag: 'span', children: [] };
  private readonly stack: Frame[] = [this.root];

  private get top(): Frame {
    return this.stack[this.stack.length - 1];
  }

  text(s: string): void {
    if (s === '') return;
    const c = this.top.children;
    const last = c[c.length - 1];
    if (typeof last === 'string') c[c.length - 1] = last + s;
    else c.push(s);
  }

  node(el: MdElement): void {
    this.top.children.push(el);
  }

  open(tag: AllowedTag, attrs?: MdElement['attrs'], transparent = false): void {
    // Past the depth limit (e.g. 3,000 nested `*`), markup is dropped and its text kept.
    if (this.stack.length > MAX_RENDER_DEPTH) transparent = true;
    const el: Frame = { tag, children: [] };
    if (attrs && Object.keys(attrs).length > 0) el.attrs = attrs;
    if (transparent) el[TRANSPARENT] = true;
    else this.top.children.push(el);
    this.stack.push(el);
  }

  close(): void {
    if (this.stack.length === 1) return; // unbalanced close: ignore
    const el = this.stack.pop()!;
    if (el[TRANSPARENT]) for (const c of el.children) typeof c === 'string' ? this.text(c) : this.node(c);
  }

  /** Closes whatever the tokens left open. */
  finish(): MdNode[] {
    while (this.stack.length > 1) this.close();
    return this.root.children;
  }
}

/** VS Code language ids that highlight.js knows by another name. */
const HLJS_NAMES: Record<string, string> = {
  typescriptreact: 'typescript',
  javascriptreact: 'javascript',
  shellscript: 'bash',
  jsonc: 'json',
  html: 'xml',
  dockercompose: 'yaml',
};

/**
 * A code snippet's text as a highlighted block (README "Sharing code"), the same nodes a fenced
 * block makes; `languageId` is VS Code's (unknown ones are shown unhighlighted).
 */
export function snippetCodeBlock(code: string, languageId: string): MdNode {
  const language = languageOf(HLJS_NAMES[languageId] ?? languageId);
  const highlighted = highlightCode(code, language);
  const attrs: MdElement['attrs'] = { class: language ? `hljs language-${language}` : 'hljs' };
  if (language) attrs['data-lang'] = language;
  return { tag: 'pre', attrs: { class: 'md-code snippet-code' }, children: [{ tag: 'code', attrs, children: highlighted ?? [code] }] };
}

function codeBlock(b: TreeBuilder, t: MarkdownToken): void {
  // A fence's content ends with the newline before the closing fence: not part of the code.
  const code = t.content.replace(/\n$/, '');
  const language = t.type === 'fence' ? languageOf(t.info) : undefined;
  const highlighted = highlightCode(code, language);
  const attrs: MdElement['attrs'] = { class: language ? `hljs language-${language}` : 'hljs' };
  if (language) attrs['data-lang'] = language;
  b.node({ tag: 'pre', attrs: { class: 'md-code' }, children: [{ tag: 'code', attrs, children: highlighted ?? [code] }] });
}

function inline(b: TreeBuilder, tokens: readonly MarkdownToken[], o: RenderOptions): void {
  const selfKey = o.self ? nicknameKey(o.self) : undefined;
  for (const t of tokens) {
    switch (t.type) {
      case 'text':
      case 'text_special':
        b.text(t.content);
        break;
      case 'softbreak':
      case 'hardbreak':
        b.node({ tag: 'br', children: [] });
        break;
      case 'code_inline':
        b.node({ tag: 'code', children: [t.content] });
        break;
      case 'strong_open':
      case 'em_open':
      case 's_open':
        b.open(INLINE_TAGS[t.type]);
        break;
      case 'strong_close':
      case 'em_close':
      case 's_close':
      case 'link_close':
        b.close();
        break;
      case 'link_open': {
        // markdown-it has normalised it already (percent-encoding, punycode); checked again here.
        const href = String(t.attrGet('href') ?? '');
        if (!isSafeLinkUrl(href)) {
          b.open('span', undefined, true);
          break;
        }
        const title = t.attrGet('title');
        b.open('a', { href, title: title ? String(title) : href, class: 'md-link' });
        break;
      }
      case 'mention': {
        const nick = String((t.meta as { nick?: string } | null)?.nick ?? '');
        const self = selfKey !== undefined && nicknameKey(nick) === selfKey;
        b.node({ tag: 'span', attrs: { class: self ? 'mention mention-self' : 'mention', 'data-nick': nick }, children: [t.content] });
        break;
      }
      case 'image':
        // Switched off in the parser; should one come through, only its text is shown.
        b.text(t.content);
        break;
      default:
        // html_inline and anything unknown: its source, as text.
        b.text(t.content);
    }
  }
}

/** The message as safe nodes (an empty text gives an empty list). */
export function renderChatMarkdown(text: string, o: RenderOptions = {}): MdNode[] {
  const b = new TreeBuilder();
  for (const t of parseChatMarkdown(text)) {
    if (t.type in BLOCK_TAGS) {
      // Tight lists hide their paragraphs: the item holds the text directly.
      if (t.hidden) continue;
      const attrs: MdElement['attrs'] = {};
      const start = t.type === 'ordered_list_open' ? Number(t.attrGet('start') ?? 1) : 1;
      if (Number.isSafeInteger(start) && start !== 1 && start >= 0) attrs.start = String(start);
      b.open(BLOCK_TAGS[t.type], attrs);
    } else if (t.block && t.nesting === -1) {
      if (t.hidden || !(t.type.replace(/_close$/, '_open') in BLOCK_TAGS)) continue;
      b.close();
    } else if (t.type === 'inline') {
      inline(b, t.children ?? [], o);
    } else if (t.type === 'fence' || t.type === 'code_block') {
      codeBlock(b, t);
    } else if (t.content) {
      // html_block or a rule switched off: its source, as text in a paragraph.
      b.open('p');
      b.text(t.content);
      b.close();
    }
  }
  return b.finish();
}

/** The plain text a tree shows (for tests and for find). */
export function textOfNodes(nodes: readonly MdNode[]): string {
  return nodes.map((n) => (typeof n === 'string' ? n : n.tag === 'br' ? '\n' : textOfNodes(n.children))).join('');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The tree as HTML text: for tests and debugging only (the webview builds DOM nodes instead).
 * Every string is escaped, so this is exactly what the DOM will hold.
 */
export function nodesToHtml(nodes: readonly MdNode[]): string {
  return nodes
    .map((n) => {
      if (typeof n === 'string') return escapeHtml(n);
      const attrs = Object.entries(n.attrs ?? {})
        .map(([k, v]) => ` ${k}="${escapeHtml(String(v))}"`)
        .join('');
      return n.tag === 'br' ? '<br>' : `<${n.tag}${attrs}>${nodesToHtml(n.children)}</${n.tag}>`;
    })
    .join('');
}
