/**
 * Safe Markdown nodes (webview/markdown.ts) → DOM. Elements by createElement from the fixed
 * list, attributes from the fixed list, text as text nodes: never innerHTML.
 */
import { ALLOWED_ATTRS, ALLOWED_TAGS, type MdNode } from './markdown';

const TAGS: ReadonlySet<string> = new Set(ALLOWED_TAGS);
const ATTRS: ReadonlySet<string> = new Set(ALLOWED_ATTRS);

export function markdownFragment(nodes: readonly MdNode[], doc: Document = document): DocumentFragment {
  const frag = doc.createDocumentFragment();
  const add = (parent: Node, list: readonly MdNode[]): void => {
    for (const n of list) {
      if (typeof n === 'string') {
        parent.appendChild(doc.createTextNode(n));
        continue;
      }
      // The tree is ours, but check once more: an unknown tag becomes its text.
      if (!TAGS.has(n.tag)) {
        add(parent, n.children);
        continue;
      }
      const el = doc.createElement(n.tag);
      for (const [k, v] of Object.entries(n.attrs ?? {})) {
        if (ATTRS.has(k) && v !== undefined && (k !== 'href' || n.tag === 'a')) el.setAttribute(k, v);
      }
      add(el, n.children);
      parent.appendChild(el);
    }
  };
  add(frag, nodes);
  return frag;
}
