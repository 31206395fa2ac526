/**
 * Every message that passes between the extension host and the chat webview, as discriminated
 * unions imported by both sides (model: vscode-hexeditor `shared/protocol.ts`).
 *
 * The host owns the state. The webview renders a snapshot (`snapshot`) and then applies deltas;
 * it can be destroyed at any time (no retainContextWhenHidden), and on load it sends `ready`
 * and gets a fresh snapshot. Webview → host messages are checked with `isFromWebviewMessage`
 * before use: the host never trusts their shape, and never takes a path from them.
 *
 * Pure types and guards: no `vscode`, no Node, no DOM.
 */
import type { ConnectionState } from '../client/events';
import { isSafeLinkUrl, MAX_LINK_LENGTH } from './linkPolicy';
import type { CodeSnippet } from './codeLink';

// ------------------------------------------------------------------------------------------
// The state the webview shows

export type MessageLevel = 'info' | 'join' | 'leave' | 'warning' | 'error';

/** How far one of our own messages got. Private messages are `pending` until the peer acks. */
/**
 * Our own messages: `pending` typed, not yet handed to the client; `sent` on its way (waiting
 * for acknowledgements); `delivered` every device it was for acknowledged it; `unconfirmed` no
 * acknowledgement for a while (still trying); `failed` it cannot be delivered.
 */
export type Delivery = 'pending' | 'sent' | 'delivered' | 'unconfirmed' | 'failed';

export interface ChatMessageView {
  /** Unique within the workspace's history. */
  id: string;
  kind: 'chat' | 'system';
  /** ms since the epoch. */
  time: number;
  text: string;
  /** Chat messages: the sender's nickname (our own nick for our messages). */
  from?: string;
  /** Private messages: the recipient. */
  to?: string;
  private: boolean;
  /** Sent by this user. */
  own: boolean;
  /** Own chat messages only. */
  delivery?: Delivery;
  /** Own chat messages sent from another device (window, terminal) of ours. */
  otherDevice?: boolean;
  /** Why it failed (own messages whose delivery is `failed`). */
  failure?: string;
  /** System notices only. */
  level?: MessageLevel;
  /** A chat message from someone else that mentions us (`@ournick`, src/shared/chatMarkdown.ts). */
  mentionsMe?: boolean;
  /** A code snippet (README "Sharing code"); `text` then names it (`src/x.ts:10-20`) for find. */
  snippet?: CodeSnippet;
}

/**
 * A file transfer card.
 * - `offered`  a peer offers us a file: we accept or decline.
 * - `asked`    a peer asks us for a file from our shared folders: we allow or deny.
 * - `waiting`  we offered or requested; the peer has not answered yet.
 * - `starting` we accepted or allowed; the data has not started flowing yet.
 * - `active`   bytes are moving.
 * - `done`     complete and verified (SHA-256).
 * - `declined` refused by either side; `failed` an error; `cancelled` stopped by either side.
 */
export type TransferStatus =
  | 'offered'
  | 'asked'
  | 'waiting'
  | 'starting'
  | 'active'
  | 'done'
  | 'failed'
  | 'declined'
  | 'cancelled';

export const FINAL_TRANSFER_STATUSES: readonly TransferStatus[] = ['done', 'failed', 'declined', 'cancelled'];

export function isFinalStatus(status: TransferStatus): boolean {
  return FINAL_TRANSFER_STATUSES.includes(status);
}

export interface TransferView {
  /** `<session tag>~<client id>`: unique across joins (the client numbers from 1 each time). */
  id: string;
  /** From our point of view: we `send` the bytes or we `receive` them. */
  direction: 'send' | 'receive';
  /** Who started it: `offer` = the sender offered; `request` = the receiver asked. */
  origin: 'offer' | 'request';
  peer: string;
  /** File name as offered, or the requested relative path. */
  name: string;
  /** Total size when known. */
  bytes?: number;
  /** Bytes moved so far. */
  transferred: number;
  status: TransferStatus;
  /** Local file: what we send, or where the received file landed. Shown, never taken back. */
  path?: string;
  /** Folder a receive saves into, when chosen. */
  saveDir?: string;
  /** Why it failed or was declined. */
  error?: string;
  sha256?: string;
  /** ms since the epoch: when the bytes started to flow (this run), and when it was done. */
  startedAt?: number;
  finishedAt?: number;
  /** Bytes already there when this run started (a resumed transfer). */
  resumedBytes?: number;
  /** How a file we send travels (the client's transfer-route): direct or through the relay, TCP lane or datagrams. */
  route?: { path: 'direct' | 'relay'; lane: 'tcp' | 'udp' };
  /** Received files: the name the sender gave (offered name or requested path), when it differs from `name`. */
  sentAs?: string;
  /**
   * Received text files that match a workspace file (src/extension/receivedFiles.ts): what it
   * matches, for the card's "Compare with workspace…" (a workspace-relative path, or "3 files").
   */
  workspaceMatch?: string;
  /** What the user decided after comparing: the file now lies at `path` (saved) or is gone (discarded). */
  resolution?: ReceivedResolution;
  /** ms since the epoch: created and last changed. */
  time: number;
  updated: number;
  /**
   * Set on a transfer job's card (a folder, several files, several members; docs/protocol.md
   * "Transfer jobs"): `bytes` is the job's size, `transferred` the sum over members.
   */
  job?: JobView;
}

/** A transfer job: its files and, per member, where it stands (one line each on the card). */
export interface JobView {
  files: number;
  /** Receiving: plain files straight into the download folder (no folder of the job's name). */
  loose?: boolean;
  recipients: JobRecipientView[];
}

export interface JobRecipientView {
  nick: string;
  status: TransferStatus;
  /** Bytes of the job this member has (resumed ones included). */
  transferred: number;
  filesDone: number;
  error?: string;
}

export type ReceivedResolution = 'savedOver' | 'savedBeside' | 'discarded';

/** Separates the session tag from the client's own transfer id in TransferView.id. */
export const TRANSFER_ID_SEPARATOR = '~';

/** The id the client (and `/accept ID`) knows a transfer by. */
export function shortTransferId(id: string): string {
  const i = id.lastIndexOf(TRANSFER_ID_SEPARATOR);
  return i < 0 ? id : id.slice(i + 1);
}

/** `idle`: not joined (never, or after leaving). The rest come from the client. */
export type ConnectionStatus = 'idle' | ConnectionState;

export interface ConnectionView {
  status: ConnectionStatus;
  /** Relay address being used (`host:port`). */
  relay?: string;
  /** Our nickname once joined. */
  nick?: string;
  /** Our key fingerprint once joined. */
  fingerprint?: string;
  /** How many devices of ours are online, this window included (2+: other windows or terminals). */
  devices?: number;
  /** The nickname the next Join will propose. */
  suggestedNick?: string;
  /** A relay started by this window is running. */
  relayRunning: boolean;
}

export interface ChatSnapshot {
  connection: ConnectionView;
  /** Other nicknames online. */
  roster: string[];
  /** Members online on several devices: nickname → how many (absent: one). */
  rosterDevices: Record<string, number>;
  /** Members reached directly (peer to peer) rather than via the relay: nickname → true. */
  rosterDirect: Record<string, boolean>;
  messages: ChatMessageView[];
  transfers: TransferView[];
  unread: number;
  /** Of the unread messages, how many mention us. */
  unreadMentions: number;
  /** The webview keeps at most this many messages too (it drops the oldest, as the host does). */
  historyLimit: number;
}

// ------------------------------------------------------------------------------------------
// Host → webview

export type ToWebviewMessage =
  | { type: 'snapshot'; state: ChatSnapshot }
  | { type: 'messageAdded'; message: ChatMessageView }
  | { type: 'messageUpdated'; message: ChatMessageView }
  | { type: 'messagesCleared' }
  | { type: 'rosterChanged'; roster: string[]; rosterDevices: Record<string, number>; rosterDirect: Record<string, boolean> }
  | { type: 'connectionChanged'; connection: ConnectionView }
  | { type: 'transferChanged'; transfer: TransferView }
  | { type: 'transferRemoved'; id: string }
  | { type: 'unreadChanged'; unread: number; mentions: number }
  /** The answer to a `send`: the composer clears only on success and shows `error` otherwise. */
  | { type: 'sendResult'; requestId: number; ok: true }
  | { type: 'sendResult'; requestId: number; ok: false; error: string }
  /** Move the keyboard focus to the composer, optionally replacing its text. */
  | { type: 'focusComposer'; text?: string }
  /** Open the find box (Peer Chat: Find in Chat). */
  | { type: 'showFind' };

// ------------------------------------------------------------------------------------------
// Webview → host

export const TRANSFER_ACTIONS = ['accept', 'acceptTo', 'decline', 'cancel', 'open', 'reveal', 'compare', 'dismiss'] as const;
/**
 * - `accept`   accept an offer (into the download folder) or allow a request.
 * - `acceptTo` accept an offer into a folder the user picks.
 * - `decline`  decline an offer or deny a request.
 * - `cancel`   stop a transfer or withdraw our offer/request.
 * - `open` / `reveal` the local file of a finished transfer.
 * - `compare`  show a received text file beside the workspace file it matches, then save it over
 *              that file, beside it, or discard it (src/extension/receivedFileActions.ts).
 * - `dismiss`  remove a finished card.
 */
export type TransferAction = (typeof TRANSFER_ACTIONS)[number];

export const SNIPPET_ACTIONS = ['open', 'copy'] as const;
/** `open` the snippet where it belongs (README "Sharing code"); `copy` its text. */
export type SnippetAction = (typeof SNIPPET_ACTIONS)[number];

export const WEBVIEW_COMMANDS = ['join', 'leave', 'startRelay', 'showLog', 'sendFile', 'requestFile', 'openSettings'] as const;
/** Buttons in the webview that run an extension command. */
export type WebviewCommand = (typeof WEBVIEW_COMMANDS)[number];

export type FromWebviewMessage =
  | { type: 'ready' }
  /** One composer line: chat text, `@nick text` or a `/` command (see src/client/commandLine.ts). */
  | { type: 'send'; requestId: number; text: string }
  | { type: 'transferAction'; id: string; action: TransferAction }
  /** A snippet card's button: the host finds the message by id (the webview sends no snippet). */
  | { type: 'snippetAction'; id: string; action: SnippetAction }
  | { type: 'runCommand'; command: WebviewCommand }
  /** A link in a message was clicked: the host opens it with VS Code (env.openExternal). */
  | { type: 'openLink'; url: string };

/**
 * Longest composer text the host looks at: above the chat limit (MAX_MESSAGE_TEXT_BYTES, 16 KiB),
 * so a text a little too long reaches the client and is refused with MESSAGE_TOO_LONG, not ignored.
 */
export const MAX_COMPOSER_CHARS = 65_536;

// ------------------------------------------------------------------------------------------
// Guards

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isShortString(v: unknown, max = 256): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= max;
}

/** Checks a message that claims to come from the webview. Anything else is ignored by the host. */
export function isFromWebviewMessage(v: unknown): v is FromWebviewMessage {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'ready':
      return true;
    case 'send':
      return (
        typeof v.requestId === 'number' &&
        Number.isSafeInteger(v.requestId) &&
        typeof v.text === 'string' &&
        v.text.length <= MAX_COMPOSER_CHARS
      );
    case 'transferAction':
      return isShortString(v.id) && (TRANSFER_ACTIONS as readonly unknown[]).includes(v.action);
    case 'snippetAction':
      return isShortString(v.id) && (SNIPPET_ACTIONS as readonly unknown[]).includes(v.action);
    case 'runCommand':
      return (WEBVIEW_COMMANDS as readonly unknown[]).includes(v.command);
    case 'openLink':
      return typeof v.url === 'string' && v.url.length <= MAX_LINK_LENGTH && isSafeLinkUrl(v.url);
    default:
      return false;
  }
}

const TO_WEBVIEW_TYPES: ReadonlySet<string> = new Set<ToWebviewMessage['type']>([
  'snapshot',
  'messageAdded',
  'messageUpdated',
  'messagesCleared',
  'rosterChanged',
  'connectionChanged',
  'transferChanged',
  'transferRemoved',
  'unreadChanged',
  'sendResult',
  'focusComposer',
  'showFind',
]);

/**
 * Checks the envelope of a message that claims to come from the host. The webview's document
 * receives `message` events only from its host, so this guards against mistakes, not attacks.
 */
export function isToWebviewMessage(v: unknown): v is ToWebviewMessage {
  if (!isObject(v) || typeof v.type !== 'string' || !TO_WEBVIEW_TYPES.has(v.type)) return false;
  switch (v.type) {
    case 'snapshot':
      return isObject(v.state) && Array.isArray(v.state.messages) && Array.isArray(v.state.transfers) && Array.isArray(v.state.roster);
    case 'messageAdded':
    case 'messageUpdated':
      return isObject(v.message) && typeof v.message.id === 'string';
    case 'rosterChanged':
      return Array.isArray(v.roster);
    case 'connectionChanged':
      return isObject(v.connection) && typeof v.connection.status === 'string';
    case 'transferChanged':
      return isObject(v.transfer) && typeof v.transfer.id === 'string';
    case 'transferRemoved':
      return typeof v.id === 'string';
    case 'unreadChanged':
      return typeof v.unread === 'number' && typeof v.mentions === 'number';
    case 'sendResult':
      return typeof v.requestId === 'number' && typeof v.ok === 'boolean';
    default:
      return true;
  }
}
