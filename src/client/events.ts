import type { ErrorCode } from '../protocol/errors';
import type { CodeSnippet } from '../shared/codeLink';

/**
 * The ChatClient's public events: what the terminal client prints as JSON lines and what the
 * extension shows. Names and fields match the terminal client's `--json` events one to one.
 */
export interface ClientEvents {
  /**
   * The relay accepted our nickname (also after an automatic re-registration). `devices`: how
   * many devices of this member are online, this one included (2 or more: this is another
   * device of someone already online, e.g. a second VS Code window).
   */
  registered: { nick: string; fingerprint: string; devices: number };
  /** Something went wrong that the user should know; `code` is stable, `message` says what to do. */
  error: { code: ErrorCode; message: string };
  /** Connection state changed (drives status bars and "reconnecting…" notices). */
  state: { state: ConnectionState };
  /** A member came online (its first device) or went offline (its last device left). */
  presence: { nick: string; online: boolean; devices: number };
  /** How many devices a member online has changed (`nick` may be ours: our own other devices). */
  'member-devices': { nick: string; devices: number };
  /** Everyone else online, one entry per member (`nicks` is the same list, names only). */
  roster: { nicks: string[]; members: MemberInfo[]; paths?: PathInfo[] };
  message: { from: string; text: string; private: boolean; to?: string; time: number };
  /**
   * A message of ours was accepted for sending (`id` names it in the delivery events). With
   * `otherDevice`, another device of ours sent it and this one shows it (no delivery events).
   */
  'message-sent': { id: string; to?: string; text: string; time: number; otherDevice?: boolean };
  /**
   * A code snippet from `from`, to us privately (`to` is our nickname) or to everyone; its fields
   * are checked (docs/protocol.md "Snippets"). README "Sharing code".
   */
  snippet: { from: string; to?: string; private: boolean } & CodeSnippet;
  /** A snippet of ours accepted for sending, as 'message-sent' (the same delivery events follow its id). */
  'snippet-sent': { id: string; to?: string; otherDevice?: boolean } & CodeSnippet;
  /** Every device it went to acknowledged it (or left after another one did); `devices` counts the acks. */
  'message-delivered': { id: string; to?: string; devices: number };
  /** It cannot be delivered: nobody it was for is online any more (`code`, and `message` names it). */
  'message-failed': { id: string; to?: string; code: ErrorCode; message: string };
  /** Messages wait (the relay does not answer, or the roster is still on its way); sent once that is over. */
  waiting: { messages: number; message: string };
  /** We offered a file; `id` names the transfer in /cancel and later events. */
  'file-offered': { id: string; to: string; name: string; bytes: number };
  /** We asked a peer for a file; `id` names the request (and the transfer that answers it). */
  'request-sent': { id: string; to: string; name: string };
  /** Answer to /whois. */
  whois: { nick: string; fingerprint: string; devices: number };
  /** A peer offers a file. `autoAccept`: it is being accepted without asking (we requested it, or accept-files is on). */
  'file-offer': { id: string; from: string; name: string; bytes: number; sha256: string; autoAccept: boolean };
  'file-request': { id: string; from: string; name: string };
  'transfer-started': { id: string; direction: 'send' | 'receive'; peer: string; name: string; bytes: number; resumedBytes: number };
  'transfer-progress': { id: string; bytes: number; total: number; direction: 'send' | 'receive' };
  /**
   * How a file we send travels, once chosen and whenever it changes: `lane` 'tcp' is a stream
   * lane (docs/protocol.md "Stream lanes"), 'udp' the datagram engine; `path` 'direct' straight
   * to the peer, 'relay' through the relay (its transit port, or forwarded datagrams).
   */
  'transfer-route': { id: string; peer: string; path: 'direct' | 'relay'; lane: 'tcp' | 'udp' };
  'file-sent': { id: string; to: string; name: string; bytes: number; sha256: string };
  'file-received': { id: string; from: string; path: string; bytes: number; sha256: string };
  /**
   * A transfer (or an offer, or a request we were asked to serve) ended without success.
   * ANSWERED_ELSEWHERE: another device of ours accepted or declined it first.
   */
  'transfer-failed': { id: string; code: ErrorCode; message: string };
  /**
   * Transfer jobs (a folder, or several files, to one or several members; docs/protocol.md
   * "Transfer jobs"). `id` names the job in /accept, /decline, /cancel. We offered one: `to` lists
   * the members, `skipped` the paths left out (symlinks, special files).
   */
  'job-offered': { id: string; to: string[]; name: string; files: number; bytes: number; skipped: string[] };
  /** A peer offers a job: `name` is the folder it will be saved in (made safe), unless `loose`. */
  'job-offer': { id: string; from: string; name: string; files: number; bytes: number; loose: boolean; autoAccept: boolean };
  /** A job started with one member (`peer`): `resumedBytes` were already there (files whole, or parts). */
  'job-started': { id: string; direction: 'send' | 'receive'; peer: string; name: string; files: number; bytes: number; resumedBytes: number };
  /** Progress of a job with one member: bytes of the whole job, and files done. */
  'job-progress': { id: string; direction: 'send' | 'receive'; peer: string; bytes: number; total: number; filesDone: number; files: number };
  /**
   * Every file of the job reached one member, verified. Receiving: `path` is the folder (or the
   * download folder, when loose). `resumedBytes`: what was not carried again (files already there
   * whole, and the parts of files resumed from their .part).
   */
  'job-done': { id: string; direction: 'send' | 'receive'; peer: string; name: string; files: number; bytes: number; resumedBytes: number; path?: string };
  /** A job failed with one member (the others go on). What arrived is kept: sending it again resumes. */
  'job-failed': { id: string; peer: string; code: ErrorCode; message: string };
  /** A peer answered our request with a refusal. */
  'request-denied': { id: string; from: string; name: string; code: ErrorCode; message: string };
  /** A known peer now presents a different key than the one pinned for its nickname. */
  'peer-key-changed': { nick: string; oldFingerprint: string; newFingerprint: string };
  /**
   * Traffic to a peer's device moved: `direct` (a validated direct path, at `address`) or back to
   * `relay` (docs/protocol.md "Direct paths").
   */
  path: { peer: string; device: string; path: 'direct' | 'relay'; address?: string };
  left: Record<string, never>;
}

/** Which path a peer's device is reached on (the answer to /who lists them). */
export interface PathInfo {
  peer: string;
  device: string;
  path: 'direct' | 'relay';
  address?: string;
  /** Path challenges sent to this device so far (probes and keepalives; within PathSet's budget). */
  probes: number;
}

/** A member online: its nickname and how many of its devices are online. */
export interface MemberInfo {
  nick: string;
  devices: number;
}

export type ConnectionState = 'connecting' | 'registered' | 'unreachable' | 'left';

export type ClientEventName = keyof ClientEvents;

/** Every event name, once (the object makes the compiler check that none is missing). */
export const CLIENT_EVENT_NAMES = Object.keys({
  registered: true,
  error: true,
  state: true,
  presence: true,
  'member-devices': true,
  roster: true,
  message: true,
  'message-sent': true,
  snippet: true,
  'snippet-sent': true,
  'message-delivered': true,
  'message-failed': true,
  waiting: true,
  'file-offered': true,
  'request-sent': true,
  whois: true,
  'file-offer': true,
  'file-request': true,
  'transfer-started': true,
  'transfer-progress': true,
  'transfer-route': true,
  'file-sent': true,
  'file-received': true,
  'transfer-failed': true,
  'request-denied': true,
  'job-offered': true,
  'job-offer': true,
  'job-started': true,
  'job-progress': true,
  'job-done': true,
  'job-failed': true,
  'peer-key-changed': true,
  path: true,
  left: true,
} satisfies Record<ClientEventName, true>) as ClientEventName[];

/** One line of the terminal client's `--json` output. */
export type JsonEvent = { [K in ClientEventName]: { event: K } & ClientEvents[K] }[ClientEventName];
