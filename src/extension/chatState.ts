/**
 * The chat as the host keeps it: messages (bounded by the history limit), who is online,
 * transfer cards, the unread count and the connection. Pure: no `vscode`, no I/O, no timers.
 *
 * Every change is reported to listeners as the exact delta the webview applies
 * (`ToWebviewMessage`), so the view forwards changes without knowing what they mean, and a
 * test can assert what a user would see. `toPersisted()` / `restore()` carry the history
 * across hide, reload and restart of the window (the host stores it in workspaceState).
 */
import { applyJobEvent, type JobEvent } from './jobCards';
import { type CodeSnippet, isCodeSnippet } from '../shared/codeLink';
import type { ClientEvents } from '../client/events';
import type { ErrorCode } from '../protocol/errors';
import { nicknameKey } from '../protocol/nickname';
import {
  isFinalStatus,
  type ChatMessageView,
  type ChatSnapshot,
  type ConnectionView,
  type Delivery,
  type MessageLevel,
  type ToWebviewMessage,
  type TransferStatus,
  type TransferView,
} from '../shared/webviewMessages';

/** History kept when the setting is missing or invalid. */
export const DEFAULT_HISTORY_LIMIT = 500;
/** Smallest and largest history the setting may ask for. */
export const MIN_HISTORY_LIMIT = 10;
export const MAX_HISTORY_LIMIT = 10_000;
/** Finished transfer cards kept (running ones are never dropped). */
export const FINISHED_TRANSFER_LIMIT = 50;

/** What is stored in workspaceState. Bump `version` on an incompatible change. */
export interface PersistedChat {
  version: 1;
  messages: ChatMessageView[];
  transfers: TransferView[];
}

export type StateChange = Exclude<ToWebviewMessage, { type: 'sendResult' } | { type: 'focusComposer' }>;

export interface ChatStateOptions {
  historyLimit?: number;
  finishedTransferLimit?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export function clampHistoryLimit(n: unknown): number {
  if (typeof n !== 'number' || !Number.isFinite(n)) return DEFAULT_HISTORY_LIMIT;
  return Math.min(MAX_HISTORY_LIMIT, Math.max(MIN_HISTORY_LIMIT, Math.floor(n)));
}

export interface NewChatMessage {
  from: string;
  to?: string;
  text: string;
  private: boolean;
  own: boolean;
  time?: number;
  delivery?: Delivery;
  /** Sent by another device (window, terminal) of ours. */
  otherDevice?: boolean;
  /** Someone else's message that mentions us. */
  mentionsMe?: boolean;
  /** A code snippet (then `text` names it). */
  snippet?: CodeSnippet;
}

export class ChatState {
  private messages: ChatMessageView[] = [];
  private transfers = new Map<string, TransferView>();
  private roster: string[] = [];
  private rosterDevices: Record<string, number> = {};
  private rosterDirect: Record<string, boolean> = {};
  private connection: ConnectionView = { status: 'idle', relayRunning: false };
  private unread = 0;
  /** Of the unread messages, those that mention us. */
  private unreadMentions = 0;
  private visible = false;
  private historyLimit: number;
  private readonly finishedTransferLimit: number;
  private readonly now: () => number;
  private readonly listeners = new Set<(change: StateChange) => void>();
  private readonly idPrefix: string;
  private nextId = 1;

  constructor(options: ChatStateOptions = {}, persisted?: unknown) {
    this.historyLimit = clampHistoryLimit(options.historyLimit ?? DEFAULT_HISTORY_LIMIT);
    this.finishedTransferLimit = options.finishedTransferLimit ?? FINISHED_TRANSFER_LIMIT;
    this.now = options.now ?? Date.now;
    // Time plus a random part: ids of this window never collide with restored ones.
    this.idPrefix = `${this.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const restored = ChatState.restore(persisted);
    if (restored) {
      this.messages = restored.messages.slice(-this.historyLimit);
      for (const t of restored.transfers) this.transfers.set(t.id, t);
    }
  }

  // ---------------------------------------------------------------- listeners and reads

  onChange(listener: (change: StateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: StateChange): void {
    for (const l of this.listeners) l(change);
  }

  snapshot(): ChatSnapshot {
    return {
      connection: { ...this.connection },
      roster: [...this.roster],
      rosterDevices: { ...this.rosterDevices },
      rosterDirect: { ...this.rosterDirect },
      messages: this.messages.map((m) => ({ ...m })),
      transfers: [...this.transfers.values()].map((t) => ({ ...t })),
      unread: this.unread,
      unreadMentions: this.unreadMentions,
      historyLimit: this.historyLimit,
    };
  }

  get unreadCount(): number {
    return this.unread;
  }

  /** Unread messages that mention us. */
  get unreadMentionCount(): number {
    return this.unreadMentions;
  }

  get connectionView(): Readonly<ConnectionView> {
    return this.connection;
  }

  get online(): readonly string[] {
    return this.roster;
  }

  getTransfer(id: string): Readonly<TransferView> | undefined {
    return this.transfers.get(id);
  }

  allTransfers(): readonly Readonly<TransferView>[] {
    return [...this.transfers.values()];
  }

  allMessages(): readonly Readonly<ChatMessageView>[] {
    return this.messages;
  }

  // ---------------------------------------------------------------- settings and visibility

  setHistoryLimit(limit: number): void {
    this.historyLimit = clampHistoryLimit(limit);
    if (this.messages.length > this.historyLimit) this.messages = this.messages.slice(-this.historyLimit);
    this.emit({ type: 'snapshot', state: this.snapshot() });
  }

  /** The view is on screen (messages arriving now are seen), or not (they count as unread). */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) this.markRead();
  }

  markRead(): void {
    if (this.unread === 0 && this.unreadMentions === 0) return;
    this.unread = 0;
    this.unreadMentions = 0;
    this.emit({ type: 'unreadChanged', unread: 0, mentions: 0 });
  }

  // ---------------------------------------------------------------- connection and roster

  setConnection(patch: Partial<ConnectionView>): void {
    const next = { ...this.connection, ...patch };
    if (JSON.stringify(next) === JSON.stringify(this.connection)) return;
    this.connection = next;
    this.emit({ type: 'connectionChanged', connection: { ...next } });
  }

  /**
   * The full list of other members online (from the client's `roster` event), each once;
   * `devices` says how many devices a member has online where that is more than one.
   */
  setRoster(nicks: readonly string[], devices: Readonly<Record<string, number>> = this.rosterDevices): void {
    const next = sortNicks(dedupe(nicks.filter((n) => n !== this.connection.nick)));
    const nextDevices: Record<string, number> = {};
    for (const n of next) if ((devices[n] ?? 1) > 1) nextDevices[n] = devices[n];
    if (sameList(next, this.roster) && JSON.stringify(nextDevices) === JSON.stringify(this.rosterDevices)) return;
    this.roster = next;
    this.rosterDevices = nextDevices;
    this.emitRoster();
  }

  /** Whether we reach `nick` directly (some device of it on a validated direct path) or via the relay. */
  setDirect(nick: string, direct: boolean): void {
    if ((this.rosterDirect[nick] ?? false) === direct) return;
    if (direct) this.rosterDirect[nick] = true;
    else delete this.rosterDirect[nick];
    this.emitRoster();
  }

  private emitRoster(): void {
    this.emit({ type: 'rosterChanged', roster: [...this.roster], rosterDevices: { ...this.rosterDevices }, rosterDirect: { ...this.rosterDirect } });
  }

  /** A member online changed how many devices it has online (no notice: it did not come or go). */
  memberDevices(nick: string, devices: number): void {
    if (nick === this.connection.nick) {
      this.setConnection({ devices });
      return;
    }
    if (!this.roster.includes(nick)) return;
    this.setRoster(this.roster, { ...this.rosterDevices, [nick]: devices });
  }

  /** Someone came or went: update the roster and leave a notice in the history. */
  presence(nick: string, online: boolean): void {
    if (nick === this.connection.nick) return;
    const has = this.roster.includes(nick);
    if (online && !has) this.setRoster([...this.roster, nick]);
    if (!online && has) {
      const { [nick]: _gone, ...rest } = this.rosterDevices;
      this.setRoster(this.roster.filter((n) => n !== nick), rest);
    }
    if (online !== has) this.addSystem(online ? `${nick} joined` : `${nick} left`, online ? 'join' : 'leave');
  }

  // ---------------------------------------------------------------- messages

  private newId(): string {
    return `${this.idPrefix}-${this.nextId++}`;
  }

  private pushMessage(message: ChatMessageView): ChatMessageView {
    this.messages.push(message);
    this.emit({ type: 'messageAdded', message: { ...message } });
    if (this.messages.length > this.historyLimit) {
      // The webview applies the same bound to its list, so it drops the same oldest items.
      this.messages.splice(0, this.messages.length - this.historyLimit);
    }
    return message;
  }

  addChat(input: NewChatMessage): ChatMessageView {
    const message: ChatMessageView = {
      id: this.newId(),
      kind: 'chat',
      time: input.time ?? this.now(),
      text: input.text,
      from: input.from,
      private: input.private,
      own: input.own,
    };
    if (input.to !== undefined) message.to = input.to;
    if (input.own) message.delivery = input.delivery ?? 'sent';
    if (input.otherDevice) message.otherDevice = true;
    if (input.mentionsMe && !input.own) message.mentionsMe = true;
    if (input.snippet) message.snippet = input.snippet;
    this.pushMessage(message);
    if (!input.own && !this.visible) {
      this.unread++;
      if (message.mentionsMe) this.unreadMentions++;
      this.emit({ type: 'unreadChanged', unread: this.unread, mentions: this.unreadMentions });
    }
    return message;
  }

  addSystem(text: string, level: MessageLevel = 'info'): ChatMessageView {
    return this.pushMessage({ id: this.newId(), kind: 'system', time: this.now(), text, private: false, own: false, level });
  }

  /**
   * The client confirmed one of our messages (`message-sent`). Marks the oldest pending message
   * with the same recipient and text as sent; returns false when there was none (the caller
   * then adds it as a new message).
   */
  confirmSent(to: string | undefined, text: string): boolean {
    const same = (a: string | undefined): boolean => (a === undefined || to === undefined ? a === to : nicknameKey(a) === nicknameKey(to));
    const m = this.messages.find((x) => x.own && x.delivery === 'pending' && same(x.to) && x.text === text);
    if (!m) return false;
    this.setDelivery(m.id, 'sent');
    return true;
  }

  setDelivery(id: string, delivery: Delivery, failure?: string): void {
    const m = this.messages.find((x) => x.id === id);
    if (!m || m.delivery === delivery) return;
    // Delivered is final; a late "unconfirmed" timer must not take it back.
    if (m.delivery === 'delivered' && delivery === 'unconfirmed') return;
    m.delivery = delivery;
    if (failure !== undefined) m.failure = failure;
    this.emit({ type: 'messageUpdated', message: { ...m } });
  }

  /** Removes a message (one that never left, e.g. refused by the client before sending). */
  removeMessage(id: string): void {
    const i = this.messages.findIndex((x) => x.id === id);
    if (i < 0) return;
    this.messages.splice(i, 1);
    this.emit({ type: 'snapshot', state: this.snapshot() });
  }

  /** Clears the history: every message and every finished transfer card. */
  clearHistory(): void {
    this.messages = [];
    this.emit({ type: 'messagesCleared' });
    for (const t of [...this.transfers.values()]) {
      if (!isFinalStatus(t.status)) continue;
      this.transfers.delete(t.id);
      this.emit({ type: 'transferRemoved', id: t.id });
    }
    this.markRead();
  }

  // ---------------------------------------------------------------- transfers

  private putTransfer(t: TransferView): TransferView {
    t.updated = this.now();
    this.transfers.set(t.id, t);
    this.emit({ type: 'transferChanged', transfer: { ...t } });
    if (isFinalStatus(t.status)) this.pruneTransfers();
    return t;
  }

  private patchTransfer(id: string, patch: Partial<TransferView>): TransferView | undefined {
    const t = this.transfers.get(id);
    if (!t) return undefined;
    return this.putTransfer({ ...t, ...patch });
  }

  private pruneTransfers(): void {
    const finished = [...this.transfers.values()].filter((t) => isFinalStatus(t.status));
    const excess = finished.length - this.finishedTransferLimit;
    if (excess <= 0) return;
    finished.sort((a, b) => a.updated - b.updated);
    for (const t of finished.slice(0, excess)) {
      this.transfers.delete(t.id);
      this.emit({ type: 'transferRemoved', id: t.id });
    }
  }

  private newTransfer(t: Omit<TransferView, 'time' | 'updated' | 'transferred'> & { transferred?: number }): TransferView {
    const now = this.now();
    return this.putTransfer({ transferred: 0, ...t, time: now, updated: now });
  }

  /** A peer offers us a file. */
  fileOffered(ev: ClientEvents['file-offer']): TransferView {
    return this.newTransfer({
      id: ev.id,
      direction: 'receive',
      origin: 'offer',
      peer: ev.from,
      name: ev.name,
      bytes: ev.bytes,
      sha256: ev.sha256,
      status: 'offered',
    });
  }

  /** The peer answered our request with an offer (same id); the client accepts it itself. */
  requestAnswered(ev: ClientEvents['file-offer']): TransferView | undefined {
    return this.patchTransfer(ev.id, { status: 'starting', bytes: ev.bytes, sha256: ev.sha256 });
  }

  /** A peer asks us for a file from our shared folders. */
  fileRequested(ev: ClientEvents['file-request']): TransferView {
    return this.newTransfer({
      id: ev.id,
      direction: 'send',
      origin: 'request',
      peer: ev.from,
      name: ev.name,
      status: 'asked',
    });
  }

  /** What a peer's request resolves to here: the file that would be sent. */
  describeRequest(id: string, found: { path: string; bytes: number }): TransferView | undefined {
    return this.patchTransfer(id, { path: found.path, bytes: found.bytes });
  }

  /** We offered a file (`sendFile` resolved with its id). */
  outgoingOffer(o: { id: string; to: string; name: string; path: string; bytes?: number }): TransferView {
    const existing = this.transfers.get(o.id);
    if (existing) return this.patchTransfer(o.id, { path: o.path })!;
    return this.newTransfer({ id: o.id, direction: 'send', origin: 'offer', peer: o.to, name: o.name, path: o.path, bytes: o.bytes, status: 'waiting' });
  }

  /** We asked a peer for a file (`requestFile` returned its id). */
  outgoingRequest(r: { id: string; to: string; name: string; saveDir?: string }): TransferView {
    const existing = this.transfers.get(r.id);
    if (existing) return this.patchTransfer(r.id, { saveDir: r.saveDir })!;
    return this.newTransfer({ id: r.id, direction: 'receive', origin: 'request', peer: r.to, name: r.name, saveDir: r.saveDir, status: 'waiting' });
  }

  /**
   * Finds the card an event belongs to. Ids normally match; if the client gave the transfer a
   * new id (e.g. a request answered by an offer), the open card for the same peer, direction
   * and file name is re-keyed to it.
   */
  private claim(id: string, direction: 'send' | 'receive', peer: string, name: string): TransferView | undefined {
    const direct = this.transfers.get(id);
    if (direct) return direct;
    const base = baseName(name);
    const candidate = [...this.transfers.values()].find(
      (t) =>
        t.direction === direction &&
        t.peer === peer &&
        !isFinalStatus(t.status) &&
        t.status !== 'active' &&
        (t.name === name || baseName(t.name) === base),
    );
    if (!candidate) return undefined;
    this.transfers.delete(candidate.id);
    this.emit({ type: 'transferRemoved', id: candidate.id });
    candidate.id = id;
    return candidate;
  }

  transferStarted(ev: ClientEvents['transfer-started']): TransferView {
    const t = this.claim(ev.id, ev.direction, ev.peer, ev.name);
    if (!t) {
      return this.newTransfer({
        id: ev.id,
        direction: ev.direction,
        origin: ev.direction === 'send' ? 'offer' : 'request',
        peer: ev.peer,
        name: ev.name,
        bytes: ev.bytes,
        transferred: ev.resumedBytes,
        status: 'active',
        startedAt: this.now(),
        resumedBytes: ev.resumedBytes,
      });
    }
    return this.putTransfer({ ...t, bytes: ev.bytes, transferred: ev.resumedBytes, status: 'active', startedAt: this.now(), resumedBytes: ev.resumedBytes });
  }

  /** How a file we send travels (it changes when a TCP lane dies and datagrams take over). */
  transferRoute(ev: ClientEvents['transfer-route']): TransferView | undefined {
    const t = this.transfers.get(ev.id);
    if (!t || isFinalStatus(t.status)) return undefined;
    return this.putTransfer({ ...t, route: { path: ev.path, lane: ev.lane } });
  }

  transferProgress(ev: ClientEvents['transfer-progress']): TransferView | undefined {
    const t = this.transfers.get(ev.id);
    if (!t || isFinalStatus(t.status)) return undefined;
    return this.putTransfer({ ...t, transferred: ev.bytes, bytes: ev.total, status: 'active' });
  }

  fileSent(ev: ClientEvents['file-sent']): TransferView {
    const t = this.claim(ev.id, 'send', ev.to, ev.name);
    const base: TransferView = t ?? {
      id: ev.id,
      direction: 'send',
      origin: 'offer',
      peer: ev.to,
      name: ev.name,
      transferred: 0,
      status: 'active',
      time: this.now(),
      updated: this.now(),
    };
    return this.putTransfer({ ...base, id: ev.id, bytes: ev.bytes, transferred: ev.bytes, sha256: ev.sha256, status: 'done', error: undefined, finishedAt: this.now() });
  }

  fileReceived(ev: ClientEvents['file-received']): TransferView {
    const t = this.claim(ev.id, 'receive', ev.from, baseName(ev.path));
    const base: TransferView = t ?? {
      id: ev.id,
      direction: 'receive',
      origin: 'offer',
      peer: ev.from,
      name: baseName(ev.path),
      transferred: 0,
      status: 'active',
      time: this.now(),
      updated: this.now(),
    };
    // The card names the file as saved: a second "a.bin" is kept as "a (1).bin", and Open and
    // Reveal act on that one.
    // The name the sender gave (an offer's name, or the path we requested) is what the file is
    // matched against in the workspace (receivedFiles.ts), so it is kept when the saved one differs.
    const sentAs = t && t.name !== baseName(ev.path) ? t.name : undefined;
    return this.putTransfer({ ...base, id: ev.id, name: baseName(ev.path), sentAs, path: ev.path, bytes: ev.bytes, transferred: ev.bytes, sha256: ev.sha256, status: 'done', error: undefined, finishedAt: this.now() });
  }

  /** A received file's workspace match was found, or the user decided what becomes of it. */
  setReceivedFile(id: string, patch: Partial<Pick<TransferView, 'workspaceMatch' | 'resolution' | 'path'>>): TransferView | undefined {
    const t = this.transfers.get(id);
    if (!t || t.direction !== 'receive' || t.status !== 'done') return undefined;
    return this.patchTransfer(id, patch);
  }

  transferFailed(ev: ClientEvents['transfer-failed']): TransferView | undefined {
    const t = this.transfers.get(ev.id);
    if (!t) return undefined;
    return this.putTransfer({ ...t, status: statusForError(ev.code), error: ev.message });
  }

  requestDenied(ev: ClientEvents['request-denied']): TransferView | undefined {
    const t = this.claim(ev.id, 'receive', ev.from, ev.name);
    if (!t) return undefined;
    return this.putTransfer({ ...t, id: ev.id, status: 'declined', error: ev.message });
  }

  /** A local decision or outcome: accepted (`starting`), declined, cancelled, failed. */
  setTransferStatus(id: string, status: TransferStatus, extra: Partial<Pick<TransferView, 'error' | 'saveDir'>> = {}): TransferView | undefined {
    return this.patchTransfer(id, { status, ...extra });
  }

  /** A transfer job's event (src/extension/jobCards.ts): its card, created or updated. */
  jobEvent(ev: JobEvent): TransferView | undefined {
    const next = applyJobEvent(this.transfers.get(ev.payload.id), ev, this.now());
    return next ? this.putTransfer(next) : undefined;
  }

  /** Removes a finished card (the user dismissed it). Running transfers stay. */
  dismissTransfer(id: string): boolean {
    const t = this.transfers.get(id);
    if (!t || !isFinalStatus(t.status)) return false;
    this.transfers.delete(id);
    this.emit({ type: 'transferRemoved', id });
    return true;
  }

  // ---------------------------------------------------------------- persistence

  toPersisted(): PersistedChat {
    return {
      version: 1,
      messages: this.messages.map((m) => ({ ...m })),
      transfers: [...this.transfers.values()].map((t) => ({ ...t })),
    };
  }

  /**
   * Reads what `toPersisted` stored (from a previous window; anything malformed is dropped).
   * Nothing that was in flight survived the window: pending messages become unconfirmed and
   * open transfers are marked as interrupted.
   */
  static restore(raw: unknown): PersistedChat | undefined {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const r = raw as Partial<PersistedChat>;
    if (r.version !== 1 || !Array.isArray(r.messages) || !Array.isArray(r.transfers)) return undefined;
    const messages = r.messages.filter(isMessageView).map((m) => {
      const out = m.delivery === 'pending' ? { ...m, delivery: 'unconfirmed' as const } : { ...m };
      // A snippet is kept only if it still passes the checks it passed on arrival.
      if (out.snippet !== undefined && !isCodeSnippet(out.snippet)) delete out.snippet;
      return out;
    });
    const transfers = r.transfers.filter(isTransferView).map((t) =>
      isFinalStatus(t.status)
        ? { ...t }
        : { ...t, status: 'failed' as const, error: 'Interrupted: the window was closed or reloaded.' },
    );
    return { version: 1, messages, transfers };
  }
}

// -------------------------------------------------------------------------------------------

function statusForError(code: ErrorCode): TransferStatus {
  if (code === 'CANCELLED') return 'cancelled';
  if (code === 'DECLINED') return 'declined';
  return 'failed';
}

function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] || p;
}

function dedupe(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

function sortNicks(xs: string[]): string[] {
  return xs.sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' }));
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function isMessageView(v: unknown): v is ChatMessageView {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Partial<ChatMessageView>;
  return (
    typeof m.id === 'string' &&
    (m.kind === 'chat' || m.kind === 'system') &&
    typeof m.time === 'number' &&
    typeof m.text === 'string' &&
    typeof m.private === 'boolean' &&
    typeof m.own === 'boolean'
  );
}

const STATUSES: readonly TransferStatus[] = ['offered', 'asked', 'waiting', 'starting', 'active', 'done', 'failed', 'declined', 'cancelled'];

function isTransferView(v: unknown): v is TransferView {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Partial<TransferView>;
  return (
    typeof t.id === 'string' &&
    (t.direction === 'send' || t.direction === 'receive') &&
    (t.origin === 'offer' || t.origin === 'request') &&
    typeof t.peer === 'string' &&
    typeof t.name === 'string' &&
    typeof t.transferred === 'number' &&
    STATUSES.includes(t.status as TransferStatus) &&
    typeof t.time === 'number' &&
    typeof t.updated === 'number'
  );
}
