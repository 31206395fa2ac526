/**
 * The chat UI: renders what the host sends (a snapshot, then deltas) and turns clicks and
 * keys into messages for the host. It keeps no state of its own beyond what it shows; the
 * host owns the chat and re-sends a snapshot whenever this document is reloaded.
 *
 * Stable hooks for end-to-end tests: ids and `data-testid` attributes (see
 * src/extension/README-extension.md).
 */
import {
  isFinalStatus,
  shortTransferId,
  type ChatMessageView,
  type ChatSnapshot,
  type ConnectionView,
  type FromWebviewMessage,
  type ToWebviewMessage,
  type TransferView,
  type WebviewCommand,
} from '../src/shared/webviewMessages';
import type { CompletionContext } from './completion';
import { Composer } from './composer';
import { h, replaceChildren } from './dom';
import { FindBar } from './findBar';
import { fillJobCard, transferHead } from './jobCard';
import { formatFullTime, formatTime, percent, transferStatusText, transferTitle } from './format';
import { transferButtons } from './transferActions';
import { renderChatMarkdown, snippetCodeBlock } from './markdown';
import { snippetLocation, snippetOrigin } from '../src/shared/codeLink';
import { markdownFragment } from './markdownDom';
import { quoteReply } from './quote';

/** A message list scrolled within this distance of its end follows new messages. */
const STICK_TO_BOTTOM_PX = 48;

export interface WebviewHost {
  post(message: FromWebviewMessage): void;
  saveDraft(text: string): void;
}

/** What an own message's delivery status says, next to its time. */
const DELIVERY_LABELS: Record<NonNullable<ChatMessageView['delivery']>, string> = {
  pending: 'sending…',
  sent: 'sent',
  delivered: 'delivered',
  unconfirmed: 'not confirmed yet',
  failed: 'not delivered',
};

export class ChatApp {
  private snapshot: ChatSnapshot = {
    connection: { status: 'idle', relayRunning: false },
    roster: [],
    rosterDevices: {},
    rosterDirect: {},
    messages: [],
    transfers: [],
    unread: 0,
    unreadMentions: 0,
    historyLimit: 500,
  };
  private readonly transfers = new Map<string, TransferView>();
  private readonly pendingSends = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextRequestId = 1;
  private received = false;
  /** The message list shows its end (and so follows new items). */
  private stuck = true;

  private readonly status: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly messages: HTMLOListElement;
  private readonly empty: HTMLElement;
  private readonly jump: HTMLElement;
  private readonly roster: HTMLUListElement;
  private readonly rosterCount: HTMLElement;
  private readonly announcer: HTMLElement;
  private readonly composer: Composer;
  private readonly find: FindBar;
  /** The timeline item that has the list's one tab stop (arrow keys move it). */
  private current: HTMLElement | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: WebviewHost,
    draft: string,
  ) {
    this.status = h('span', { id: 'connection-status', className: 'connection-status', role: 'status', 'data-testid': 'connection-status' }, 'Loading…');
    this.banner = h('div', { id: 'join-banner', className: 'join-banner', 'data-testid': 'join-banner', hidden: true });
    // The list of messages sits inside the live log region (role="log" on the <ol> itself
    // would take its list semantics away, and its items would be list items outside a list).
    this.messages = h('ol', {
      id: 'messages',
      className: 'messages',
      'aria-label': 'Chat messages',
      'aria-describedby': 'messages-help',
      'data-testid': 'message-list',
    });
    this.empty = h(
      'div',
      { id: 'empty-state', className: 'empty-state', 'data-testid': 'empty-state', hidden: true },
      h('p', { className: 'empty-title' }, 'No messages yet.'),
      h('p', {}, 'Messages, people joining and leaving, and files sent and received appear here.'),
    );
    this.jump = h('vscode-button', { id: 'jump-latest', className: 'jump-latest', appearance: 'secondary', hidden: true, 'aria-label': 'Jump to the newest message' }, 'New messages ↓');
    this.jump.addEventListener('click', () => this.scrollToEnd());
    // A plain span styled as a badge: the toolkit's <vscode-badge> template carries a style
    // attribute that a strict CSP (no 'unsafe-inline') refuses, with a console error.
    this.rosterCount = h('span', { id: 'roster-count', className: 'count-badge', 'aria-hidden': 'true' }, '0');
    this.roster = h('ul', { id: 'roster', className: 'roster-list', 'data-testid': 'roster', 'aria-labelledby': 'roster-heading' });
    this.announcer = h('div', { id: 'announcer', className: 'visually-hidden', 'aria-live': 'polite', 'aria-atomic': 'true' });

    this.composer = new Composer({
      submit: (text) => this.submit(text),
      completionContext: () => this.completionContext(),
      draftChanged: (text) => this.host.saveDraft(text),
      announce: (text) => this.announce(text),
    });

    this.find = new FindBar(this.messages);
    this.messages.addEventListener('keydown', (e) => this.onListKey(e));
    this.messages.addEventListener('focusin', (e) => {
      const item = (e.target as HTMLElement).closest?.('#messages > li') as HTMLElement | null;
      if (item) this.setCurrent(item);
    });
    // Links in messages open through the host (VS Code asks before opening them).
    const openLink = (e: MouseEvent) => {
      const a = (e.target as HTMLElement).closest?.('a.md-link') as HTMLAnchorElement | null;
      if (!a) return;
      e.preventDefault();
      if (e.type === 'auxclick' && e.button !== 1) return;
      const url = a.getAttribute('href');
      if (url) this.host.post({ type: 'openLink', url });
    };
    this.messages.addEventListener('click', openLink);
    this.messages.addEventListener('auxclick', openLink);
    this.messages.addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest?.('[data-action="quote"]');
      const item = b?.closest('#messages > li') as HTMLElement | null;
      if (item) this.quote(item);
    });
    // A snippet card's Open and Copy: the host acts on the message it holds (by id).
    this.messages.addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest?.('[data-action^="snippet-"]') as HTMLElement | null;
      const item = b?.closest('#messages > li') as HTMLElement | null;
      if (b && item?.dataset.id) this.host.post({ type: 'snippetAction', id: item.dataset.id, action: b.dataset.action === 'snippet-copy' ? 'copy' : 'open' });
    });
    // Ctrl/Cmd+F anywhere in the view opens the find box.
    document.addEventListener(
      'keydown',
      (e) => {
        if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'f') {
          e.preventDefault();
          this.find.open();
        }
      },
      true,
    );

    this.messages.addEventListener('scroll', () => {
      this.stuck = this.atBottom();
      if (this.stuck) this.jump.hidden = true;
    });
    // The list shrinks when the composer grows or a notice appears: keep showing the end.
    new ResizeObserver(() => {
      if (this.stuck) this.scrollToEnd();
    }).observe(this.messages);

    const findButton = h('button', { type: 'button', id: 'find-button', className: 'icon-button header-button', 'aria-label': 'Find in chat history (Ctrl+F)', title: 'Find (Ctrl+F)', 'data-testid': 'find-button' }, 'Find');
    findButton.addEventListener('click', () => this.find.open());
    const main = h(
      'section',
      { className: 'main', 'aria-label': 'Conversation' },
      h('div', { className: 'header' }, this.status, findButton),
      this.find.element,
      h(
        'p',
        { id: 'messages-help', className: 'visually-hidden' },
        'Up and Down arrows move between messages, Home and End go to the first and last. Q quotes the message in a reply. Ctrl+F finds in the history.',
      ),
      h(
        'div',
        { className: 'message-area' },
        h('div', { id: 'message-log', className: 'message-log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': 'Chat messages' }, this.messages),
        this.empty,
        this.jump,
      ),
      this.banner,
      this.composer.element,
    );
    const aside = h(
      'aside',
      { className: 'roster', 'aria-label': 'People online' },
      h('h2', { id: 'roster-heading', className: 'roster-heading' }, 'Online ', this.rosterCount),
      this.roster,
    );
    replaceChildren(this.root, h('div', { className: 'layout' }, main, aside), this.announcer);
    this.composer.setValue(draft);
    this.renderConnection();
  }

  // ================================================================ host → webview

  handle(m: ToWebviewMessage): void {
    switch (m.type) {
      case 'snapshot':
        this.applySnapshot(m.state);
        return;
      case 'messageAdded':
        this.addMessage(m.message, true);
        return;
      case 'messageUpdated':
        this.updateMessage(m.message);
        return;
      case 'messagesCleared':
        this.snapshot.messages = [];
        this.messages.querySelectorAll(':scope > .msg').forEach((el) => el.remove());
        this.renderEmpty();
        this.find.refresh();
        return;
      case 'rosterChanged':
        this.snapshot.roster = m.roster;
        this.snapshot.rosterDevices = m.rosterDevices ?? {};
        this.snapshot.rosterDirect = m.rosterDirect ?? {};
        this.renderRoster();
        return;
      case 'connectionChanged':
        this.snapshot.connection = m.connection;
        this.renderConnection();
        this.renderRoster();
        return;
      case 'transferChanged':
        this.upsertTransfer(m.transfer);
        return;
      case 'transferRemoved':
        this.removeTransfer(m.id);
        return;
      case 'unreadChanged':
        this.snapshot.unread = m.unread;
        this.snapshot.unreadMentions = m.mentions;
        return;
      case 'showFind':
        this.find.open();
        return;
      case 'sendResult': {
        const p = this.pendingSends.get(m.requestId);
        this.pendingSends.delete(m.requestId);
        if (!p) return;
        if (m.ok) p.resolve();
        else p.reject(new Error(m.error));
        return;
      }
      case 'focusComposer':
        this.composer.focus(m.text);
        return;
    }
  }

  private applySnapshot(s: ChatSnapshot): void {
    const first = !this.received;
    this.received = true;
    this.snapshot = { ...s, messages: [] };
    replaceChildren(this.messages);
    this.transfers.clear();
    // One timeline: messages and transfer cards by time.
    for (const msg of s.messages) this.addMessage(msg, false);
    for (const t of s.transfers) this.upsertTransfer(t, false);
    this.renderConnection();
    this.renderRoster();
    this.renderEmpty();
    if (first || this.stuck) this.scrollToEnd();
  }

  // ================================================================ messages

  private atBottom(): boolean {
    const el = this.messages;
    return el.scrollHeight - el.scrollTop - el.clientHeight < STICK_TO_BOTTOM_PX;
  }

  private scrollToEnd(): void {
    this.messages.scrollTop = this.messages.scrollHeight;
    this.stuck = true;
    this.jump.hidden = true;
  }

  private renderEmpty(): void {
    // The log itself stays in the accessibility tree (hiding it would swallow the first message).
    this.empty.hidden = this.messages.childElementCount > 0;
    this.syncCurrent();
  }

  // ================================================================ keyboard: one tab stop in the list

  /**
   * The timeline is one tab stop: the current item (the newest, until the user moves) has
   * tabindex 0, every other -1; Up/Down/Home/End/PageUp/PageDown move between items, Q quotes
   * the focused message. Buttons inside the current item follow it in the tab order.
   */
  private syncCurrent(): void {
    const items = this.messages.children;
    if (this.current && this.current.parentElement === this.messages) {
      // Follow the end while the user is not in the list.
      if (!this.messages.contains(document.activeElement) && this.current === items[items.length - 2]) this.setCurrent(items[items.length - 1] as HTMLElement);
      return;
    }
    this.current = null;
    const last = items[items.length - 1] as HTMLElement | undefined;
    if (last) this.setCurrent(last);
  }

  private setCurrent(item: HTMLElement): void {
    if (this.current === item) {
      item.tabIndex = 0;
      return;
    }
    if (this.current) {
      this.current.tabIndex = -1;
      this.current.querySelectorAll('.msg-action').forEach((b) => b.setAttribute('tabindex', '-1'));
    }
    this.current = item;
    item.tabIndex = 0;
    item.querySelectorAll('.msg-action').forEach((b) => b.setAttribute('tabindex', '0'));
  }

  private onListKey(e: KeyboardEvent): void {
    const item = e.target as HTMLElement;
    if (item.parentElement !== this.messages || e.altKey || e.ctrlKey || e.metaKey) return;
    const items = Array.from(this.messages.children) as HTMLElement[];
    const i = items.indexOf(item);
    const page = Math.max(1, Math.floor(this.messages.clientHeight / 40));
    let next: number | undefined;
    switch (e.key) {
      case 'ArrowDown':
        next = i + 1;
        break;
      case 'ArrowUp':
        next = i - 1;
        break;
      case 'PageDown':
        next = i + page;
        break;
      case 'PageUp':
        next = i - page;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = items.length - 1;
        break;
      case 'q':
      case 'Q':
        if (item.dataset.kind === 'chat') {
          e.preventDefault();
          this.quote(item);
        }
        return;
      case 'o':
      case 'O':
      case 'c':
      case 'C':
        // On a snippet: O opens it, C copies it (the card's buttons say so).
        if (item.dataset.snippet === 'true' && item.dataset.id) {
          e.preventDefault();
          this.host.post({ type: 'snippetAction', id: item.dataset.id, action: e.key.toLowerCase() === 'c' ? 'copy' : 'open' });
          if (e.key.toLowerCase() === 'c') this.announce('Copied the snippet.');
        }
        return;
      default:
        return;
    }
    e.preventDefault();
    const target = items[Math.max(0, Math.min(items.length - 1, next))];
    if (!target) return;
    this.setCurrent(target);
    target.focus();
    target.scrollIntoView({ block: 'nearest' });
  }

  /** Puts "> quoted text" and a mention of its author into the composer. */
  private quote(item: HTMLElement): void {
    const m = this.snapshot.messages.find((x) => x.id === item.dataset.id);
    if (!m || m.kind !== 'chat') return;
    this.composer.prepend(quoteReply(m));
    this.announce(`Quoting ${m.own ? 'your' : `${m.from ?? ''}'s`} message in the composer.`);
  }

  /** Puts a timeline item where its time belongs (almost always: at the end). */
  private insertByTime(el: HTMLElement, time: number): void {
    el.dataset.time = String(time);
    let before: Element | null = null;
    for (let c = this.messages.lastElementChild; c; c = c.previousElementSibling) {
      if (Number((c as HTMLElement).dataset.time ?? 0) <= time) break;
      before = c;
    }
    this.messages.insertBefore(el, before);
  }

  /** After a live addition: follow it if the list was at its end, else offer a jump. */
  private followOrOffer(force: boolean): void {
    if (force || this.stuck) this.scrollToEnd();
    else this.jump.hidden = false;
  }

  private addMessage(m: ChatMessageView, live: boolean): void {
    this.snapshot.messages.push(m);
    this.insertByTime(this.renderMessage(m), m.time);
    const limit = this.snapshot.historyLimit;
    while (this.snapshot.messages.length > limit) {
      const gone = this.snapshot.messages.shift();
      if (gone) this.messages.querySelector(`:scope > .msg[data-id="${CSS.escape(gone.id)}"]`)?.remove();
    }
    this.renderEmpty();
    this.find.refresh();
    if (live) this.followOrOffer(m.own);
  }

  private updateMessage(m: ChatMessageView): void {
    const i = this.snapshot.messages.findIndex((x) => x.id === m.id);
    if (i < 0) return;
    this.snapshot.messages[i] = m;
    const old = this.messages.querySelector(`:scope > .msg[data-id="${CSS.escape(m.id)}"]`);
    if (!old) return;
    const el = this.renderMessage(m);
    el.dataset.time = String(m.time);
    const wasCurrent = old === this.current;
    const hadFocus = old.contains(document.activeElement);
    old.replaceWith(el);
    if (wasCurrent) {
      this.current = null;
      this.setCurrent(el);
      if (hadFocus) el.focus();
    } else el.tabIndex = -1;
    this.find.refresh();
  }

  private renderMessage(m: ChatMessageView): HTMLElement {
    const time = h('time', { className: 'msg-time', datetime: new Date(m.time).toISOString(), title: formatFullTime(m.time) }, formatTime(m.time));
    if (m.kind === 'system') {
      return h(
        'li',
        {
          tabindex: -1,
          className: `msg system level-${m.level ?? 'info'}${m.text.includes('\n') ? ' multiline' : ''}`,
          'data-id': m.id,
          'data-kind': 'system',
          'data-level': m.level ?? 'info',
          'data-testid': 'system-message',
        },
        h('span', { className: 'msg-system-text' }, m.text),
        time,
      );
    }
    const me = this.snapshot.connection.nick;
    const fromLabel = m.own ? 'You' : (m.from ?? '?');
    const toLabel = m.private ? (m.own ? (m.to ?? '?') : m.to && m.to !== me ? m.to : 'you') : undefined;
    const delivery =
      m.own && m.delivery && !m.otherDevice
        ? h(
            'span',
            { className: `msg-delivery delivery-${m.delivery}`, 'data-testid': 'delivery', 'data-delivery': m.delivery, title: m.failure },
            DELIVERY_LABELS[m.delivery],
          )
        : null;
    const elsewhere = m.otherDevice ? h('span', { className: 'msg-elsewhere', title: 'Sent from another window or terminal of yours' }, 'other device') : null;
    const classes = ['msg', 'chat'];
    if (m.own) classes.push('own');
    if (m.private) classes.push('private');
    if (m.mentionsMe) classes.push('mentions-me');
    const author = m.own ? 'your' : `${m.from ?? '?'}'s`;
    const quote = h(
      'button',
      { type: 'button', className: 'msg-action', tabindex: -1, 'data-action': 'quote', 'data-testid': 'quote-button', 'aria-label': `Quote ${author} message in a reply (Q)`, title: 'Quote in a reply (Q)' },
      'Quote',
    );
    const body = m.snippet ? this.snippetBody(m.snippet, m.own ? 'your' : `${m.from ?? '?'}'s`) : h('div', { className: 'msg-text markdown' });
    if (!m.snippet) body.append(markdownFragment(renderChatMarkdown(m.text, { self: me })));
    return h(
      'li',
      {
        tabindex: -1,
        className: classes.join(' '),
        'data-mentions-me': m.mentionsMe ? 'true' : undefined,
        'data-id': m.id,
        'data-kind': 'chat',
        'data-from': m.from ?? '',
        'data-private': m.private ? 'true' : 'false',
        'data-own': m.own ? 'true' : 'false',
        'data-snippet': m.snippet ? 'true' : undefined,
        'data-testid': 'message',
      },
      h(
        'div',
        { className: 'msg-meta' },
        h('span', { className: 'msg-from' }, fromLabel),
        toLabel ? h('span', { className: 'msg-to' }, ` → ${toLabel}`) : null,
        m.private ? h('span', { className: 'msg-private-tag', 'data-testid': 'private-marker' }, 'private') : null,
        time,
        elsewhere,
        delivery,
        m.mentionsMe ? h('span', { className: 'msg-mention-tag', 'data-testid': 'mention-marker' }, 'mentions you') : null,
        quote,
      ),
      body,
    );
  }

  /** A snippet card: where it is from, the code highlighted, Open and Copy. */
  private snippetBody(s: NonNullable<ChatMessageView['snippet']>, author: string): HTMLElement {
    const where = snippetLocation(s);
    const origin = snippetOrigin(s);
    const lines = s.startLine === s.endLine ? `line ${s.startLine}` : `lines ${s.startLine} to ${s.endLine}`;
    const code = h('div', { className: 'snippet-body markdown' });
    code.append(markdownFragment([snippetCodeBlock(s.text, s.language)]));
    const button = (action: 'open' | 'copy', label: string, aria: string) =>
      h('button', { type: 'button', className: 'msg-action snippet-action', tabindex: -1, 'data-action': `snippet-${action}`, 'data-testid': `snippet-${action}`, 'aria-label': aria, title: aria }, label);
    return h(
      'div',
      { className: 'msg-text snippet', 'data-testid': 'snippet', role: 'group', 'aria-label': `Code snippet: ${s.path}, ${lines}` },
      h(
        'div',
        { className: 'snippet-head' },
        h('span', { className: 'snippet-location', 'data-testid': 'snippet-location' }, where),
        origin ? h('span', { className: 'snippet-origin', 'data-testid': 'snippet-origin' }, origin) : null,
        s.branch ? h('span', { className: 'snippet-branch', title: `branch ${s.branch}` }, s.branch) : null,
      ),
      code,
      h(
        'div',
        { className: 'snippet-actions' },
        button('open', 'Open', `Open ${author} snippet ${where} in the editor (O)`),
        button('copy', 'Copy', `Copy ${author} snippet ${where} (C)`),
      ),
    );
  }

  // ================================================================ connection and roster

  private renderConnection(): void {
    const c: ConnectionView = this.snapshot.connection;
    const where = c.relay ? ` ${c.relay}` : '';
    let text: string;
    switch (c.status) {
      case 'registered':
        text = `Joined${where} as ${c.nick ?? '?'}`;
        break;
      case 'connecting':
        text = `Joining${where}…`;
        break;
      case 'unreachable':
        text = `Relay${where} not answering; reconnecting…`;
        break;
      default:
        text = this.received ? 'Not joined' : 'Loading…';
    }
    this.status.textContent = text;
    this.status.title = c.fingerprint ? `Your key fingerprint: ${c.fingerprint}` : '';
    this.status.dataset.status = c.status;
    this.root.dataset.connection = c.status;

    const idle = c.status === 'idle';
    this.banner.hidden = !idle || !this.received;
    if (idle) this.renderBanner(c);
    const canType = c.status === 'registered' || c.status === 'unreachable';
    this.composer.setEnabled(
      canType,
      canType ? 'Message everyone · @nick for a private message · / for commands' : c.status === 'connecting' ? 'Joining…' : 'Join the chat to send messages',
    );
  }

  private renderBanner(c: ConnectionView): void {
    const join = h('vscode-button', { id: 'join-button', 'data-testid': 'join-button', appearance: 'primary' }, c.suggestedNick ? `Join Chat as ${c.suggestedNick}…` : 'Join Chat…');
    join.addEventListener('click', () => this.command('join'));
    const buttons: HTMLElement[] = [join];
    if (!c.relayRunning) {
      const start = h('vscode-button', { id: 'start-relay-button', 'data-testid': 'start-relay-button', appearance: 'secondary' }, 'Start Relay');
      start.addEventListener('click', () => this.command('startRelay'));
      buttons.push(start);
    }
    replaceChildren(
      this.banner,
      h('p', { className: 'join-text' }, 'You are not in the chat. Join a relay to talk and share files with your team, or start a relay here.'),
      h('div', { className: 'button-row' }, ...buttons),
    );
  }

  private renderRoster(): void {
    const c = this.snapshot.connection;
    const nicks = this.snapshot.roster;
    this.rosterCount.textContent = String(nicks.length);
    const items: HTMLElement[] = [];
    if (c.nick && c.status !== 'idle') {
      const mine = (c.devices ?? 1) > 1 ? `, ${c.devices} devices` : '';
      items.push(h('li', { className: 'roster-self', 'data-testid': 'roster-self', title: c.fingerprint ? `Your key fingerprint: ${c.fingerprint}` : undefined }, c.nick, h('span', { className: 'roster-you' }, ` (you${mine})`)));
    }
    for (const nick of nicks) {
      const devices = this.snapshot.rosterDevices[nick] ?? 1;
      const direct = this.snapshot.rosterDirect?.[nick] === true;
      const how = direct ? 'direct' : 'via relay';
      const label = `${nick}${devices > 1 ? `, online on ${devices} devices` : ''}, ${how}: send a private message`;
      const b = h(
        'button',
        { className: 'roster-item', type: 'button', 'data-testid': 'roster-item', 'data-nick': nick, 'data-devices': String(devices), title: `Send ${nick} a private message`, 'aria-label': label },
        nick,
        devices > 1 ? h('span', { className: 'roster-devices', 'aria-hidden': 'true' }, ` · ${devices} devices`) : null,
        h('span', { className: `roster-path path-${direct ? 'direct' : 'relay'}`, 'data-testid': 'roster-path', 'aria-hidden': 'true', title: direct ? 'Connected directly, peer to peer' : 'Through the relay' }, ` · ${how}`),
      );
      b.addEventListener('click', () => this.composer.focus(`@${nick} `));
      items.push(h('li', {}, b));
    }
    if (nicks.length === 0 && c.status !== 'idle') items.push(h('li', { className: 'roster-empty' }, 'No one else yet'));
    if (c.status === 'idle') items.push(h('li', { className: 'roster-empty' }, 'Not joined'));
    replaceChildren(this.roster, ...items);
  }

  // ================================================================ transfers

  /**
   * Transfer cards live in the timeline. A card is updated in place, and it is its own
   * `aria-live="off"` region, so progress does not chatter through the message log; the
   * moments that matter (an offer, a request, the end) are announced separately.
   */
  private upsertTransfer(t: TransferView, live = true): void {
    const previous = this.transfers.get(t.id);
    this.transfers.set(t.id, t);
    let card = this.messages.querySelector<HTMLElement>(`:scope > .transfer[data-transfer-id="${CSS.escape(t.id)}"]`);
    const isNew = !card;
    if (!card) {
      card = h('li', { 'aria-live': 'off', tabindex: -1 });
      this.insertByTime(card, t.time);
    }
    // Keep the keyboard focus on the same button if it is still there.
    const focusedAction = card.contains(document.activeElement) ? document.activeElement?.closest('[data-action]')?.getAttribute('data-action') : null;
    if (t.job) fillJobCard(card, t, (action) => this.host.post({ type: 'transferAction', id: t.id, action }));
    else this.fillTransfer(card, t, previous);
    if (focusedAction) (card.querySelector(`[data-action="${focusedAction}"]`) as HTMLElement | null)?.focus();
    this.renderEmpty();
    if (isNew || previous?.name !== t.name) this.find.refresh();
    if (!live) return;
    if (isNew) this.followOrOffer(t.direction === 'send');
    if (previous?.status !== t.status && (t.status === 'offered' || t.status === 'asked' || isFinalStatus(t.status))) {
      this.announce(`${transferTitle(t)}: ${transferStatusText(t)}`);
    }
  }

  private removeTransfer(id: string): void {
    this.transfers.delete(id);
    this.messages.querySelector(`:scope > .transfer[data-transfer-id="${CSS.escape(id)}"]`)?.remove();
    this.renderEmpty();
  }

  private fillTransfer(card: HTMLElement, t: TransferView, previous: TransferView | undefined): void {
    const title = transferTitle(t);
    const attrs: Record<string, string> = {
      'data-testid': 'transfer-card',
      'data-transfer-id': t.id,
      'data-status': t.status,
      'data-direction': t.direction,
      'data-origin': t.origin,
      'data-name': t.name,
      'aria-label': title,
    };
    card.className = `transfer status-${t.status} dir-${t.direction}`;
    for (const [k, v] of Object.entries(attrs)) card.setAttribute(k, v);
    if (t.resolution) card.setAttribute('data-resolution', t.resolution);
    else card.removeAttribute('data-resolution');

    // While only the numbers move, touch only the numbers.
    if (previous && previous.status === t.status && t.status === 'active') {
      const bar = card.querySelector('progress');
      const p = percent(t);
      if (bar && p !== undefined) bar.value = p;
      const status = card.querySelector('.transfer-status');
      if (status) status.textContent = transferStatusText(t);
      return;
    }

    const actions = transferButtons(t).map(({ action, label, appearance, ariaLabel }) => {
      const b = h('vscode-button', { appearance, 'data-action': action, 'data-testid': `transfer-${action}`, 'aria-label': ariaLabel, title: ariaLabel }, label);
      b.addEventListener('click', () => this.host.post({ type: 'transferAction', id: t.id, action }));
      return b;
    });
    const p = percent(t);
    const showBar = t.status === 'active' || t.status === 'starting';
    const bar = showBar
      ? p === undefined || t.status === 'starting'
        ? h('progress', { className: 'transfer-progress', 'aria-label': `Progress of ${title}` })
        : h('progress', { className: 'transfer-progress', max: 100, value: p, 'aria-label': `Progress of ${title}` })
      : null;
    const spinner = t.status === 'waiting' ? h('vscode-progress-ring', { className: 'transfer-spinner', 'aria-hidden': 'true' }) : null;
    replaceChildren(
      card,
      transferHead(t, 'Transfer number, for /accept, /decline and /cancel'),
      bar,
      h('div', { className: 'transfer-status', 'data-testid': 'transfer-status' }, spinner, transferStatusText(t)),
      actions.length > 0 ? h('div', { className: 'transfer-actions button-row' }, ...actions) : null,
    );
  }

  // ================================================================ webview → host

  private command(command: WebviewCommand): void {
    this.host.post({ type: 'runCommand', command });
  }

  private submit(text: string): Promise<void> {
    const requestId = this.nextRequestId++;
    return new Promise<void>((resolve, reject) => {
      this.pendingSends.set(requestId, { resolve, reject });
      this.host.post({ type: 'send', requestId, text });
    });
  }

  private completionContext(): CompletionContext {
    return {
      nicks: this.snapshot.roster,
      transfers: [...this.transfers.values()].map((t) => ({
        shortId: shortTransferId(t.id),
        label: transferTitle(t),
        answerable: t.status === 'offered' || t.status === 'asked',
        running: t.status === 'waiting' || t.status === 'starting' || t.status === 'active',
      })),
    };
  }

  private announce(text: string): void {
    // Clearing first makes a repeated text count as a change.
    this.announcer.textContent = '';
    setTimeout(() => (this.announcer.textContent = text), 30);
  }
}
