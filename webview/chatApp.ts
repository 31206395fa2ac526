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
  type TransferAction,
  type TransferView,
  type WebviewCommand,
} from '../src/shared/webviewMessages';
import type { CompletionContext } from './completion';
import { Composer } from './composer';
import { h, replaceChildren } from './dom';
import { formatFullTime, formatTime, percent, transferStatusText, transferTitle } from './format';

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

  constructor(
    private readonly root: HTMLElement,
    private readonly host: WebviewHost,
    draft: string,
  ) {
    this.status = h('span', { id: 'connection-status', className: 'connection-status', role: 'status', 'data-testid': 'connection-status' }, 'Loading…');
    this.banner = h('div', { id: 'join-banner', className: 'join-banner', 'data-testid': 'join-banner', hidden: true });
    this.messages = h('ol', {
      id: 'messages',
      className: 'messages',
      role: 'log',
      'aria-live': 'polite',
      'aria-relevant': 'additions',
      'aria-label': 'Chat messages',
      tabindex: 0,
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

    this.messages.addEventListener('scroll', () => {
      this.stuck = this.atBottom();
      if (this.stuck) this.jump.hidden = true;
    });
    // The list shrinks when the composer grows or a notice appears: keep showing the end.
    new ResizeObserver(() => {
      if (this.stuck) this.scrollToEnd();
    }).observe(this.messages);

    const main = h(
      'section',
      { className: 'main', 'aria-label': 'Conversation' },
      h('div', { className: 'header' }, this.status),
      h('div', { className: 'message-area' }, this.messages, this.empty, this.jump),
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
    old.replaceWith(el);
  }

  private renderMessage(m: ChatMessageView): HTMLElement {
    const time = h('time', { className: 'msg-time', datetime: new Date(m.time).toISOString(), title: formatFullTime(m.time) }, formatTime(m.time));
    if (m.kind === 'system') {
      return h(
        'li',
        {
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
    return h(
      'li',
      {
        className: classes.join(' '),
        'data-id': m.id,
        'data-kind': 'chat',
        'data-from': m.from ?? '',
        'data-private': m.private ? 'true' : 'false',
        'data-own': m.own ? 'true' : 'false',
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
      ),
      h('div', { className: 'msg-text' }, m.text),
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
      card = h('li', { 'aria-live': 'off' });
      this.insertByTime(card, t.time);
    }
    // Keep the keyboard focus on the same button if it is still there.
    const focusedAction = card.contains(document.activeElement) ? document.activeElement?.closest('[data-action]')?.getAttribute('data-action') : null;
    this.fillTransfer(card, t, previous);
    if (focusedAction) (card.querySelector(`[data-action="${focusedAction}"]`) as HTMLElement | null)?.focus();
    this.renderEmpty();
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

    // While only the numbers move, touch only the numbers.
    if (previous && previous.status === t.status && t.status === 'active') {
      const bar = card.querySelector('progress');
      const p = percent(t);
      if (bar && p !== undefined) bar.value = p;
      const status = card.querySelector('.transfer-status');
      if (status) status.textContent = transferStatusText(t);
      return;
    }

    const button = (action: TransferAction, label: string, appearance: 'primary' | 'secondary' | 'icon', ariaLabel: string) => {
      const b = h('vscode-button', { appearance, 'data-action': action, 'data-testid': `transfer-${action}`, 'aria-label': ariaLabel, title: ariaLabel }, label);
      b.addEventListener('click', () => this.host.post({ type: 'transferAction', id: t.id, action }));
      return b;
    };
    const actions: HTMLElement[] = [];
    switch (t.status) {
      case 'offered':
        actions.push(button('accept', 'Accept', 'primary', `Accept ${title}`));
        actions.push(button('acceptTo', 'Save to…', 'secondary', `Accept ${title} and choose where to save it`));
        actions.push(button('decline', 'Decline', 'secondary', `Decline ${title}`));
        break;
      case 'asked':
        actions.push(button('accept', 'Allow', 'primary', `Allow: send ${t.name} to ${t.peer}`));
        actions.push(button('decline', 'Deny', 'secondary', `Deny ${t.peer}'s request for ${t.name}`));
        break;
      case 'waiting':
        if (t.direction === 'send') actions.push(button('cancel', 'Cancel', 'secondary', `Cancel ${title}`));
        break;
      case 'starting':
      case 'active':
        actions.push(button('cancel', 'Cancel', 'secondary', `Cancel ${title}`));
        break;
      case 'done':
        if (t.path) {
          actions.push(button('open', 'Open', t.direction === 'receive' ? 'primary' : 'secondary', `Open ${t.name}`));
          actions.push(button('reveal', 'Reveal', 'secondary', `Reveal ${t.name} in the file explorer`));
        }
        break;
      default:
        break;
    }
    const p = percent(t);
    const showBar = t.status === 'active' || t.status === 'starting';
    const bar = showBar
      ? p === undefined || t.status === 'starting'
        ? h('progress', { className: 'transfer-progress', 'aria-label': `Progress of ${title}` })
        : h('progress', { className: 'transfer-progress', max: 100, value: p, 'aria-label': `Progress of ${title}` })
      : null;
    const spinner = t.status === 'waiting' ? h('vscode-progress-ring', { className: 'transfer-spinner', 'aria-hidden': 'true' }) : null;
    const time = h('time', { className: 'msg-time', datetime: new Date(t.time).toISOString(), title: formatFullTime(t.time) }, formatTime(t.time));
    replaceChildren(
      card,
      h(
        'div',
        { className: 'transfer-head' },
        h('span', { className: 'transfer-arrow', 'aria-hidden': 'true' }, t.direction === 'receive' ? '↓' : '↑'),
        h('span', { className: 'transfer-name', title: t.path ?? t.name }, t.name),
        h('span', { className: 'transfer-peer' }, t.direction === 'receive' ? `from ${t.peer}` : `to ${t.peer}`),
        h('span', { className: 'transfer-id', title: 'Transfer number, for /accept, /decline and /cancel' }, `#${shortTransferId(t.id)}`),
        time,
      ),
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
