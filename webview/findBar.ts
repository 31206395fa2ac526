/**
 * Find in the chat history: a find box above the messages (Ctrl/Cmd+F in the view, the
 * header's Find button, or Peer Chat: Find in Chat). Typing searches the text of messages,
 * notices and file names, case-insensitively; Enter / F3 go to the next match, Shift+Enter /
 * Shift+F3 to the previous, Escape closes and gives the focus back.
 *
 * Matches are painted with the CSS Custom Highlight API (no change to the message DOM, so the
 * log announces nothing), the current one also outlines its message and is scrolled to, and
 * the count ("3 of 12") is a polite status.
 */
import { h } from './dom';

/** Where matches are looked for, inside the message list. */
const SEARCHED = '.msg-text, .msg-system-text, .transfer-name';
/** Re-search at most this often while messages arrive. */
const REFRESH_DELAY_MS = 150;

interface Match {
  range: Range;
  item: HTMLElement | null;
}

export class FindBar {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly count: HTMLElement;
  private matches: Match[] = [];
  private index = -1;
  private returnFocus: HTMLElement | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly list: HTMLElement) {
    this.input = h('input', {
      id: 'find-input',
      className: 'find-input',
      type: 'text',
      placeholder: 'Find',
      'aria-label': 'Find in chat history',
      'aria-describedby': 'find-help',
      'data-testid': 'find-input',
      spellcheck: 'false',
      autocomplete: 'off',
    });
    this.count = h('span', { id: 'find-count', className: 'find-count', role: 'status', 'data-testid': 'find-count' });
    const button = (label: string, glyph: string, testid: string, fn: () => void) => {
      const b = h('button', { type: 'button', className: 'icon-button', 'aria-label': label, title: label, 'data-testid': testid }, glyph);
      b.addEventListener('click', fn);
      return b;
    };
    this.element = h(
      'div',
      { id: 'find-bar', className: 'find-bar', role: 'search', 'aria-label': 'Find in chat history', 'data-testid': 'find-bar', hidden: true },
      this.input,
      this.count,
      button('Previous match (Shift+Enter)', '↑', 'find-previous', () => this.step(-1)),
      button('Next match (Enter)', '↓', 'find-next', () => this.step(1)),
      button('Close find (Escape)', '×', 'find-close', () => this.close()),
      h('span', { id: 'find-help', className: 'visually-hidden' }, 'Enter: next match. Shift+Enter: previous match. Escape: close.'),
    );
    this.input.addEventListener('input', () => this.search(true));
    this.input.addEventListener('keydown', (e) => this.onKeyDown(e));
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  open(): void {
    if (!this.isOpen) {
      const active = document.activeElement;
      this.returnFocus = active instanceof HTMLElement && active !== document.body ? active : null;
      this.element.hidden = false;
    }
    this.input.focus();
    this.input.select();
    if (this.input.value) this.search(false);
  }

  close(): void {
    if (!this.isOpen) return;
    this.element.hidden = true;
    this.clear();
    const back = this.returnFocus;
    this.returnFocus = null;
    if (back && back.isConnected) back.focus();
    else (this.list.querySelector('li[tabindex="0"]') as HTMLElement | null)?.focus();
  }

  /** The messages changed: search again soon (keeping roughly the same current match). */
  refresh(): void {
    if (!this.isOpen || !this.input.value) return;
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = undefined;
      this.search(false, false);
    }, REFRESH_DELAY_MS);
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      this.close();
    } else if (e.key === 'Enter' || e.key === 'F3') {
      e.preventDefault();
      this.step(e.shiftKey ? -1 : 1);
    }
  }

  private clear(): void {
    this.matches = [];
    this.index = -1;
    this.paint();
    this.count.textContent = '';
  }

  /** Finds every match; `fromStart`: the first match becomes current, else the nearest to the old one. */
  private search(fromStart: boolean, scroll = true): void {
    const query = this.input.value;
    const previous = this.matches[this.index]?.range;
    this.matches = [];
    if (query === '') {
      this.clear();
      return;
    }
    const pattern = new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu');
    for (const el of Array.from(this.list.querySelectorAll<HTMLElement>(SEARCHED))) {
      // The element's text, with where each text node starts in it.
      const nodes: Array<{ node: Text; start: number }> = [];
      let text = '';
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        nodes.push({ node: n as Text, start: text.length });
        text += (n as Text).data;
      }
      const at = (offset: number, end: boolean): [Text, number] => {
        let i = nodes.length - 1;
        while (i > 0 && (end ? nodes[i].start >= offset : nodes[i].start > offset)) i--;
        return [nodes[i].node, offset - nodes[i].start];
      };
      for (const m of text.matchAll(pattern)) {
        if (m[0].length === 0 || m.index === undefined) continue;
        const range = document.createRange();
        range.setStart(...at(m.index, false));
        range.setEnd(...at(m.index + m[0].length, true));
        this.matches.push({ range, item: el.closest('li') });
      }
    }
    if (this.matches.length === 0) this.index = -1;
    // The history is read from its end: start at the newest match.
    else if (fromStart || !previous) this.index = this.matches.length - 1;
    else this.index = Math.min(this.nearest(previous), this.matches.length - 1);
    this.show(scroll);
  }

  private nearest(previous: Range): number {
    for (let i = 0; i < this.matches.length; i++) {
      if (this.matches[i].range.compareBoundaryPoints(Range.START_TO_START, previous) >= 0) return i;
    }
    return this.matches.length - 1;
  }

  private step(delta: number): void {
    if (this.matches.length === 0) {
      this.search(true);
      return;
    }
    this.index = (this.index + delta + this.matches.length) % this.matches.length;
    this.show(true);
  }

  private show(scroll: boolean): void {
    this.paint();
    const n = this.matches.length;
    this.count.textContent = n === 0 ? 'No results' : `${this.index + 1} of ${n}`;
    this.element.classList.toggle('no-results', n === 0);
    const current = this.matches[this.index];
    if (current && scroll) (current.range.startContainer.parentElement ?? current.item)?.scrollIntoView({ block: 'center' });
  }

  private paint(): void {
    this.list.querySelectorAll('.find-current').forEach((el) => el.classList.remove('find-current'));
    const current = this.matches[this.index];
    current?.item?.classList.add('find-current');
    // Without the Highlight API (older engines) the outlined message still shows where it is.
    if (typeof Highlight === 'undefined' || typeof CSS === 'undefined' || !CSS.highlights) return;
    // A maplike (its Map methods are typed in DOM.Iterable, which this project does not load).
    const registry = CSS.highlights as unknown as Map<string, Highlight>;
    registry.set('pc-find', new Highlight(...this.matches.filter((m) => m !== current).map((m) => m.range)));
    registry.set('pc-find-current', new Highlight(...(current ? [current.range] : [])));
  }
}
