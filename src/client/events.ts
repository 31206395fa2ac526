import type { ErrorCode } from '../protocol/errors';

/**
 * The ChatClient's public events: what the terminal client prints as JSON lines and what the
 * extension shows. Names and fields match the terminal client's `--json` events one to one.
 */
export interface ClientEvents {
  /** The relay accepted our nickname (also after an automatic re-registration). */
  registered: { nick: string; fingerprint: string };
  /** Something went wrong that the user should know; `code` is stable, `message` says what to do. */
  error: { code: ErrorCode; message: string };
  /** Connection state changed (drives status bars and "reconnecting…" notices). */
  state: { state: ConnectionState };
  presence: { nick: string; online: boolean };
  roster: { nicks: string[] };
  message: { from: string; text: string; private: boolean; to?: string; time: number };
  /** Our own message was acknowledged by the peer (private) or sent (broadcast). */
  'message-sent': { to?: string; text: string; time: number };
  /** We offered a file; `id` names the transfer in /cancel and later events. */
  'file-offered': { id: string; to: string; name: string; bytes: number };
  /** We asked a peer for a file; `id` names the request (and the transfer that answers it). */
  'request-sent': { id: string; to: string; name: string };
  /** Answer to /whois. */
  whois: { nick: string; fingerprint: string };
  /** A peer offers a file. `autoAccept`: it is being accepted without asking (we requested it, or accept-files is on). */
  'file-offer': { id: string; from: string; name: string; bytes: number; sha256: string; autoAccept: boolean };
  'file-request': { id: string; from: string; name: string };
  'transfer-started': { id: string; direction: 'send' | 'receive'; peer: string; name: string; bytes: number; resumedBytes: number };
  'transfer-progress': { id: string; bytes: number; total: number; direction: 'send' | 'receive' };
  'file-sent': { id: string; to: string; name: string; bytes: number; sha256: string };
  'file-received': { id: string; from: string; path: string; bytes: number; sha256: string };
  'transfer-failed': { id: string; code: ErrorCode; message: string };
  /** A peer answered our request with a refusal. */
  'request-denied': { id: string; from: string; name: string; code: ErrorCode; message: string };
  /** A known peer now presents a different key than the one pinned for its nickname. */
  'peer-key-changed': { nick: string; oldFingerprint: string; newFingerprint: string };
  left: Record<string, never>;
}

export type ConnectionState = 'connecting' | 'registered' | 'unreachable' | 'left';

export type ClientEventName = keyof ClientEvents;

/** One line of the terminal client's `--json` output. */
export type JsonEvent = { [K in ClientEventName]: { event: K } & ClientEvents[K] }[ClientEventName];
