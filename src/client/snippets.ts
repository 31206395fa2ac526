import { ControlType, type ControlMessage, SnippetMode, encodeControl } from '../protocol/controlMessages';
import { MAX_CHAT_BYTES } from '../protocol/limits';
import { PeerChatError } from '../protocol/errors';
import { CodeSnippet, MAX_SNIPPET_TEXT_BYTES, snippetLocation, snippetProblem, utf8Bytes } from '../shared/codeLink';
import type { ClientEvents } from './events';

/**
 * What the chat client carries between members: a text, or a code snippet (docs/protocol.md
 * "Snippets"). A snippet travels exactly as a text does — private to every device of a member
 * and copied to our own other devices, or as a broadcast whose body comes by channel — with the
 * same order and delivery events; only its message (SNIPPET) and its events differ. ChatClient
 * keeps the ordering machinery and asks this module how to encode and announce a body.
 */
export type ChatBody = string | CodeSnippet;

export function isSnippet(b: ChatBody): b is CodeSnippet {
  return typeof b !== 'string';
}

/**
 * Refuses a snippet we cannot send, with what to do instead: too long (a file), or a field a
 * receiver would refuse (a caller's mistake: the range, path or language).
 */
export function checkSnippetToSend(s: CodeSnippet): void {
  const bytes = utf8Bytes(s.text);
  if (bytes > MAX_SNIPPET_TEXT_BYTES) {
    throw new PeerChatError(
      'MESSAGE_TOO_LONG',
      `The snippet is ${bytes} bytes; the limit is ${MAX_SNIPPET_TEXT_BYTES} bytes (64 KiB). Send the file instead: /sendfile @nick ${s.path}`,
    );
  }
  const problem = snippetProblem(s);
  if (problem) throw new PeerChatError('BAD_COMMAND', `Cannot share this snippet: ${problem}.`);
}

/** A private message or snippet, sent after `n` of our broadcasts under `keyId`. */
export function encodePrivate(body: ChatBody, keyId: number, n: number): Buffer {
  return isSnippet(body)
    ? encodeControl({ type: ControlType.SNIPPET, mode: SnippetMode.PRIVATE, to: '', keyId, n, snippet: body })
    : encodeControl({ type: ControlType.CHAT, bcastKeyId: keyId, bcastNext: n, text: body });
}

/** The copy of a private message or snippet to `to`, for our own other devices. */
export function encodeCopy(body: ChatBody, to: string, keyId: number, n: number): Buffer {
  return isSnippet(body)
    ? encodeControl({ type: ControlType.SNIPPET, mode: SnippetMode.COPY, to, keyId, n, snippet: body })
    : encodeControl({ type: ControlType.CHAT_COPY, to, bcastKeyId: keyId, bcastNext: n, text: body });
}

/** Whether a broadcast's body goes by channel (too long for one datagram; a snippet always). */
export function broadcastByChannel(body: ChatBody): boolean {
  return isSnippet(body) || Buffer.byteLength(body, 'utf8') > MAX_CHAT_BYTES;
}

/** The body of broadcast `seq` as it goes by channel: BCAST_TEXT or SNIPPET(BROADCAST). */
export function encodeChannelBroadcast(body: ChatBody, keyId: number, seq: number): Buffer {
  return isSnippet(body)
    ? encodeControl({ type: ControlType.SNIPPET, mode: SnippetMode.BROADCAST, to: '', keyId, n: seq, snippet: body })
    : encodeControl({ type: ControlType.BCAST_TEXT, keyId, seq, text: body });
}

/** How a body is named in a line about it ("hi there…", "snippet src/x.ts:3-9"). */
export function describeBody(body: ChatBody): string {
  if (isSnippet(body)) return `the snippet ${snippetLocation(body)}`;
  return `"${body.length > 40 ? `${body.slice(0, 40)}…` : body}"`;
}

type Emit = <K extends keyof ClientEvents>(name: K, payload: ClientEvents[K]) => void;

/** Announces a body that arrived from `from` (to us privately, or to everyone). */
export function emitReceived(emit: Emit, body: ChatBody, from: string, priv: boolean, me: string): void {
  if (!isSnippet(body)) {
    emit('message', priv ? { from, text: body, private: true, to: me, time: Date.now() } : { from, text: body, private: false, time: Date.now() });
    return;
  }
  emit('snippet', priv ? { from, to: me, private: true, ...snippetFields(body) } : { from, private: false, ...snippetFields(body) });
}

/** Announces a body of ours accepted for sending (`otherDevice`: another device of ours sent it). */
export function emitSent(emit: Emit, body: ChatBody, id: string, to: string | undefined, otherDevice?: boolean): void {
  const extra = otherDevice ? { otherDevice: true } : {};
  const addressee = to !== undefined ? { to } : {};
  if (!isSnippet(body)) emit('message-sent', { id, ...addressee, text: body, time: Date.now(), ...extra });
  else emit('snippet-sent', { id, ...addressee, ...snippetFields(body), ...extra });
}

/** A snippet's fields in the order the JSON event lists them (absent ones left out). */
export function snippetFields(s: CodeSnippet): CodeSnippet {
  const out: CodeSnippet = { text: s.text, language: s.language, path: s.path, startLine: s.startLine, endLine: s.endLine } as CodeSnippet;
  if (s.repo !== undefined) out.repo = s.repo;
  if (s.commit !== undefined) out.commit = s.commit;
  if (s.branch !== undefined) out.branch = s.branch;
  out.dirty = s.dirty;
  return out;
}

/** What ChatClient queues on a device's channel for a SNIPPET (its HeldItem kinds). */
export type HeldSnippet = { kind: 'chat'; bcastNext: number; body: CodeSnippet; copyTo?: string } | { kind: 'bcastText'; seq: number; body: CodeSnippet };

/**
 * A SNIPPET that came over a device's channel, as the item it is queued as (null: dropped, and
 * `drop` says why). Its fields are checked first (path, lines, URL, language: snippetProblem);
 * a COPY is taken only from our own devices; the waiting rules are CHAT's, CHAT_COPY's and
 * BCAST_TEXT's for the three modes.
 */
export function heldSnippet(
  m: Extract<ControlMessage, { type: typeof ControlType.SNIPPET }>,
  link: { self: boolean; broadcastIn: { key: { keyId: number } } | null },
  drop: (why: string) => void,
): HeldSnippet | null {
  const problem = snippetProblem(m.snippet);
  if (problem) {
    drop(problem);
    return null;
  }
  const sameKey = link.broadcastIn !== null && link.broadcastIn.key.keyId === m.keyId;
  switch (m.mode) {
    case SnippetMode.PRIVATE:
      return { kind: 'chat', bcastNext: sameKey ? m.n : 0, body: m.snippet };
    case SnippetMode.COPY:
      // A copy says "I, on another device, sent this": only our own devices may say that.
      if (!link.self) {
        drop('a copy from a device that is not ours');
        return null;
      }
      return { kind: 'chat', bcastNext: sameKey ? m.n : 0, body: m.snippet, copyTo: m.to };
    default:
      // The body of broadcast n: meaningful only under the sender key we hold.
      if (!sameKey) {
        drop(`a broadcast's body under a key we do not hold`);
        return null;
      }
      return { kind: 'bcastText', seq: m.n, body: m.snippet };
  }
}
