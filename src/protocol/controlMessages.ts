import { ByteReader, ByteWriter, Truncated } from './bytes';
import {
  type CodeSnippet,
  MAX_SNIPPET_BRANCH_BYTES,
  MAX_SNIPPET_LANGUAGE_BYTES,
  MAX_SNIPPET_PATH_BYTES,
  MAX_SNIPPET_REPO_BYTES,
  MAX_SNIPPET_TEXT_BYTES,
} from '../shared/codeLink';
import { MAX_CHAT_BYTES, MAX_ERROR_MESSAGE_BYTES, MAX_MESSAGE_TEXT_BYTES, MAX_FILE_NAME_BYTES, MAX_JOB_ENTRIES, MAX_JOB_PATH_BYTES, MAX_REQUEST_PATH_BYTES, NICK_MAX_BYTES } from './limits';

/**
 * Messages of the reliable, ordered channel between two clients (the payload of a transport
 * MSG frame, sealed end to end), and the plaintext of a broadcast. First byte: the type.
 */
export const ControlType = {
  CHAT: 0x01,
  SENDER_KEY: 0x02,
  FILE_OFFER: 0x03,
  FILE_ACCEPT: 0x04,
  FILE_DECLINE: 0x05,
  FILE_CANCEL: 0x06,
  FILE_RESULT: 0x07,
  FILE_REQUEST: 0x08,
  FILE_REQUEST_DENY: 0x09,
  BCAST_BARRIER: 0x0a,
  CHAT_COPY: 0x0b,
  REQUEST_CANCEL: 0x0c,
  CANDIDATES: 0x0d,
  /** One piece of a message longer than one MSG (src/protocol/messageParts.ts); never decoded here. */
  PART: 0x0e,
  BCAST_TEXT: 0x0f,
  /** A code snippet, private, copied to our devices, or the body of a broadcast by channel. */
  SNIPPET: 0x10,
  /** Transfer jobs (docs/protocol.md "Transfer jobs"). */
  JOB_OFFER: 0x11,
  JOB_ENTRY: 0x12,
  JOB_ANSWER: 0x13,
  JOB_FILE: 0x14,
  JOB_CANCEL: 0x15,
  /** Meet me at our relay's transit port for stream lane `laneId` (docs/protocol.md "Stream lanes"). */
  LANE_JOIN: 0x16,
  /** I will not meet you for stream lane `laneId` (lanes off here, or too many at once): send as datagrams. */
  LANE_REFUSE: 0x17,
  /**
   * From a receiver: a record of this transfer did not arrive intact (it failed authentication, or
   * never completed): send its chunks again (docs/protocol.md "Records").
   */
  FILE_RESEND: 0x18,
  BROADCAST_CHAT: 0x41,
  BROADCAST_BY_CHANNEL: 0x42,
} as const;

export const SHA256_BYTES = 32;
/** Bytes of a recipient tag in a broadcast's hold list (see BROADCAST_CHAT). */
export const HOLD_TAG_BYTES = 4;
/**
 * At most this many recipients in one broadcast's hold list (peers with private messages still
 * unacknowledged when the broadcast went out); keeps the broadcast in one datagram.
 */
export const MAX_HOLD_TAGS = 16;
/**
 * SENDER_KEY blob: key id u32 || ChaCha20-Poly1305 key (32) || IV (12) || Ed25519 signing public
 * key (32). Must equal crypto/senderKey's SENDER_KEY_BLOB_BYTES (a unit test checks).
 */
export const SENDER_KEY_BLOB_BYTES = 80;
/**
 * Largest broadcast plaintext: type, hold count, a full hold list, text length and the longest
 * text. With peerPackets' BROADCAST_OVERHEAD_BYTES (104) a broadcast is at most 1,072 bytes, inside
 * DEFAULT_DATAGRAM_BYTES (1,200) and so inside the relay's broadcast cap.
 */
export const MAX_BROADCAST_PLAINTEXT_BYTES = 1 + 1 + MAX_HOLD_TAGS * HOLD_TAG_BYTES + 2 + MAX_CHAT_BYTES;
/** Candidates in one CANDIDATES message (the receiver considers at most 8; see pathSet.ts). */
export const MAX_CANDIDATES_SENT = 16;
/** Longest address text in a candidate (IPv6 with an embedded IPv4 address: 45). */
export const MAX_CANDIDATE_ADDRESS_BYTES = 45;
/** How a SNIPPET travels: to a member's devices, as a copy to our own, or as a broadcast's body. */
export const SnippetMode = { PRIVATE: 0, COPY: 1, BROADCAST: 2 } as const;
export type SnippetModeValue = (typeof SnippetMode)[keyof typeof SnippetMode];
/** SNIPPET flag: the sender's copy had uncommitted changes in those lines. */
export const SNIPPET_DIRTY = 0x01;
/** Longest commit id on the wire (hex digits of a SHA-256 object id). */
export const MAX_SNIPPET_COMMIT_BYTES = 64;
/**
 * Largest SNIPPET: type, mode, addressee, key id, number, flags, and every field at its longest
 * (docs/protocol.md "Snippets"). The PART reassembly bound for this type only.
 */
export const MAX_SNIPPET_MESSAGE_BYTES =
  1 + 1 + 1 + NICK_MAX_BYTES + 4 + 8 + 1 +
  1 + MAX_SNIPPET_LANGUAGE_BYTES + 2 + MAX_SNIPPET_PATH_BYTES + 4 + 4 +
  2 + MAX_SNIPPET_REPO_BYTES + 1 + MAX_SNIPPET_COMMIT_BYTES + 1 + MAX_SNIPPET_BRANCH_BYTES + 4 + MAX_SNIPPET_TEXT_BYTES;
/** At most this many resume ranges in a FILE_ACCEPT (keeps it inside one message). */
export const MAX_RESUME_RANGES = 100;
/** Bytes of a JOB_ANSWER's done map at most: one bit per entry. */
export const MAX_JOB_DONE_BYTES = Math.ceil(MAX_JOB_ENTRIES / 8);
/** Chunks named in one FILE_RESEND at most (a record holds at most 16). */
export const MAX_RESEND_CHUNKS = 16;
/** FILE_RESEND's record when it names no record, only chunks (a receiver that stopped making progress). */
export const RESEND_NO_RECORD = Number.MAX_SAFE_INTEGER;
/** JOB_OFFER flag: the files go straight into the download folder, not into a folder of the job's name. */
export const JOB_LOOSE = 0x01;

export type ControlMessage =
  /** A private chat message. Delivered only after the sender's broadcasts up to bcastNext. */
  | { type: typeof ControlType.CHAT; bcastKeyId: number; bcastNext: number; text: string }
  /** The sender's broadcast key; its broadcasts from seq `nextSeq` on are for the receiver. */
  | { type: typeof ControlType.SENDER_KEY; blob: Buffer; nextSeq: number }
  | {
      type: typeof ControlType.FILE_OFFER;
      transferId: number;
      bytes: number;
      chunkSize: number;
      sha256: Buffer;
      /** The FILE_REQUEST this answers, or 0 for an unsolicited offer. */
      requestId: number;
      name: string;
    }
  /** Accepts an offer; `have` lists chunk ranges [start, end) already on disk (resume). */
  | { type: typeof ControlType.FILE_ACCEPT; transferId: number; have: Array<[number, number]> }
  | { type: typeof ControlType.FILE_DECLINE; transferId: number; code: number; message: string }
  | { type: typeof ControlType.FILE_CANCEL; transferId: number; code: number; message: string }
  /** From the receiver: code 0 = verified and saved, else why it failed. */
  | { type: typeof ControlType.FILE_RESULT; transferId: number; code: number; sha256: Buffer }
  | { type: typeof ControlType.FILE_REQUEST; requestId: number; name: string }
  | { type: typeof ControlType.FILE_REQUEST_DENY; requestId: number; code: number; message: string }
  /** The receiver may now deliver the sender's broadcast `seq` (it was held for this peer). */
  | { type: typeof ControlType.BCAST_BARRIER; keyId: number; seq: number }
  /**
   * To the sender's own other devices: a copy of a private message it sent to `to`, so every
   * device of a member shows what the member said. Held like CHAT (after bcastNext broadcasts).
   */
  | { type: typeof ControlType.CHAT_COPY; to: string; bcastKeyId: number; bcastNext: number; text: string }
  /**
   * From a requester to the devices it asked: the request is over (another device of the same
   * member answered it: ANSWERED_ELSEWHERE; or the requester gave up: CANCELLED).
   */
  | { type: typeof ControlType.REQUEST_CANCEL; requestId: number; code: number; message: string }
  /**
   * Addresses where the sender's device may be reached directly (its host addresses and the one
   * the relay sees), for path validation (docs/protocol.md "Direct paths"). All at once: a new
   * list replaces the last. Never trusted as such: only an answered PATH_CHALLENGE makes one a path.
   */
  | { type: typeof ControlType.CANDIDATES; candidates: Array<{ address: string; port: number }> }
  | { type: typeof ControlType.LANE_JOIN; laneId: number }
  | { type: typeof ControlType.LANE_REFUSE; laneId: number }
  /**
   * From the receiver of transfer `transferId`: record `record` did not arrive intact; send again
   * every chunk the sender sealed in it, and `chunks` (what the receiver had staged from it). With
   * `record` = RESEND_NO_RECORD: the receiver got nothing new for a while and lacks `chunks`.
   */
  | { type: typeof ControlType.FILE_RESEND; transferId: number; record: number; chunks: number[] }
  /**
   * The text of the sender's broadcast `seq` (under key `keyId`), too long for one PEER_BROADCAST:
   * the broadcast datagram itself is a BROADCAST_BY_CHANNEL placeholder, delivered once this text
   * has come through the channel (docs/protocol.md "Long messages").
   */
  | { type: typeof ControlType.BCAST_TEXT; keyId: number; seq: number; text: string }
  /**
   * A transfer job (several files, or a folder): its name and size; `entries` JOB_ENTRY messages
   * follow at once on the same channel, indices 0…entries−1 in order.
   */
  | { type: typeof ControlType.JOB_OFFER; jobId: number; flags: number; entries: number; totalBytes: number; name: string }
  /** One file of a job: its relative path ('/'-separated), size and SHA-256. */
  | { type: typeof ControlType.JOB_ENTRY; jobId: number; index: number; bytes: number; sha256: Buffer; path: string }
  /**
   * The receiver's answer to a whole job: code 0 accepts (`done`: a bitmap, bit i of byte i>>3
   * set for entry i already saved whole, which the sender skips), else declines with a message.
   */
  | { type: typeof ControlType.JOB_ANSWER; jobId: number; code: number; message: string; done: Buffer }
  /**
   * One file of an accepted job, offered like FILE_OFFER (its size and hash are the manifest's);
   * answered by FILE_ACCEPT / FILE_DECLINE / FILE_CANCEL / FILE_RESULT for `transferId`.
   */
  | { type: typeof ControlType.JOB_FILE; jobId: number; index: number; transferId: number; chunkSize: number }
  /** Either side ends a job early (declined later, cancelled, a file failed). */
  | { type: typeof ControlType.JOB_CANCEL; jobId: number; code: number; message: string }
  /**
   * A code snippet (docs/protocol.md "Snippets"), carried as a chat text is: PRIVATE like CHAT
   * (`n` = broadcasts-before under `keyId`), COPY like CHAT_COPY (to our own devices, `to` = the
   * addressee), BROADCAST like BCAST_TEXT (`n` = the broadcast's seq under `keyId`). Its fields are
   * only length-checked here; their meaning (path, lines, URL) is checked by snippetProblem.
   */
  | { type: typeof ControlType.SNIPPET; mode: SnippetModeValue; to: string; keyId: number; n: number; snippet: CodeSnippet };

/**
 * A broadcast's plaintext. `hold` lists tags of recipients that must not deliver it before the
 * BCAST_BARRIER for it arrives over their reliable channel: those had private messages from the
 * sender still in flight, which must be delivered first to keep the sender's order.
 */
export type BroadcastPlaintext =
  | { type: typeof ControlType.BROADCAST_CHAT; hold: Buffer[]; text: string }
  /** A broadcast whose text comes over each recipient's reliable channel (BCAST_TEXT, same seq). */
  | { type: typeof ControlType.BROADCAST_BY_CHANNEL };

export function encodeControl(m: ControlMessage | BroadcastPlaintext): Buffer {
  const w = new ByteWriter(64).u8(m.type);
  switch (m.type) {
    case ControlType.CHAT:
      w.u32(m.bcastKeyId).u64(m.bcastNext).str16(m.text, MAX_MESSAGE_TEXT_BYTES);
      break;
    case ControlType.BCAST_TEXT:
      w.u32(m.keyId).u64(m.seq).str16(m.text, MAX_MESSAGE_TEXT_BYTES);
      break;
    case ControlType.BROADCAST_BY_CHANNEL:
      break;
    case ControlType.SNIPPET: {
      const sn = m.snippet;
      w.u8(m.mode).str8(m.to, NICK_MAX_BYTES).u32(m.keyId).u64(m.n).u8(sn.dirty ? SNIPPET_DIRTY : 0);
      w.str8(sn.language, MAX_SNIPPET_LANGUAGE_BYTES).str16(sn.path, MAX_SNIPPET_PATH_BYTES).u32(sn.startLine).u32(sn.endLine);
      w.str16(sn.repo ?? '', MAX_SNIPPET_REPO_BYTES).str8(sn.commit ?? '', MAX_SNIPPET_COMMIT_BYTES).str8(sn.branch ?? '', MAX_SNIPPET_BRANCH_BYTES);
      w.str32(sn.text, MAX_SNIPPET_TEXT_BYTES);
      break;
    }
    case ControlType.BROADCAST_CHAT:
      if (m.hold.length > MAX_HOLD_TAGS) throw new RangeError('hold list too long');
      w.u8(m.hold.length);
      for (const t of m.hold) {
        if (t.length !== HOLD_TAG_BYTES) throw new RangeError('hold tag size');
        w.bytes(t);
      }
      w.str16(m.text, MAX_CHAT_BYTES);
      break;
    case ControlType.BCAST_BARRIER:
      w.u32(m.keyId).u64(m.seq);
      break;
    case ControlType.CHAT_COPY:
      w.str8(m.to, NICK_MAX_BYTES).u32(m.bcastKeyId).u64(m.bcastNext).str16(m.text, MAX_MESSAGE_TEXT_BYTES);
      break;
    case ControlType.REQUEST_CANCEL:
      w.u32(m.requestId).u16(m.code).str16(m.message, MAX_ERROR_MESSAGE_BYTES);
      break;
    case ControlType.LANE_JOIN:
    case ControlType.LANE_REFUSE:
      w.u32(m.laneId);
      break;
    case ControlType.FILE_RESEND:
      if (m.chunks.length > MAX_RESEND_CHUNKS) throw new RangeError('too many chunks to resend');
      w.u32(m.transferId).u64(m.record).u8(m.chunks.length);
      for (const c of m.chunks) w.u32(c);
      break;
    case ControlType.CANDIDATES:
      if (m.candidates.length > MAX_CANDIDATES_SENT) throw new RangeError('too many candidates');
      w.u8(m.candidates.length);
      for (const c of m.candidates) w.str8(c.address, MAX_CANDIDATE_ADDRESS_BYTES).u16(c.port);
      break;
    case ControlType.SENDER_KEY:
      if (m.blob.length !== SENDER_KEY_BLOB_BYTES) throw new RangeError('sender key blob size');
      w.bytes(m.blob).u64(m.nextSeq);
      break;
    case ControlType.FILE_OFFER:
      if (m.sha256.length !== SHA256_BYTES) throw new RangeError('sha256 size');
      w.u32(m.transferId).u64(m.bytes).u32(m.chunkSize).bytes(m.sha256).u32(m.requestId).str16(m.name, MAX_FILE_NAME_BYTES);
      break;
    case ControlType.FILE_ACCEPT: {
      const have = m.have.slice(0, MAX_RESUME_RANGES);
      w.u32(m.transferId).u16(have.length);
      for (const [s, e] of have) {
        if (e < s) throw new RangeError(`bad range [${s}, ${e})`);
        w.u32(s).u32(e);
      }
      break;
    }
    case ControlType.FILE_DECLINE:
    case ControlType.FILE_CANCEL:
      w.u32(m.transferId).u16(m.code).str16(m.message, MAX_ERROR_MESSAGE_BYTES);
      break;
    case ControlType.FILE_RESULT:
      if (m.sha256.length !== SHA256_BYTES) throw new RangeError('sha256 size');
      w.u32(m.transferId).u16(m.code).bytes(m.sha256);
      break;
    case ControlType.FILE_REQUEST:
      w.u32(m.requestId).str16(m.name, MAX_REQUEST_PATH_BYTES);
      break;
    case ControlType.FILE_REQUEST_DENY:
      w.u32(m.requestId).u16(m.code).str16(m.message, MAX_ERROR_MESSAGE_BYTES);
      break;
    case ControlType.JOB_OFFER:
      if (m.entries < 1 || m.entries > MAX_JOB_ENTRIES) throw new RangeError('job entry count');
      w.u32(m.jobId).u8(m.flags).u16(m.entries).u64(m.totalBytes).str16(m.name, MAX_FILE_NAME_BYTES);
      break;
    case ControlType.JOB_ENTRY:
      if (m.sha256.length !== SHA256_BYTES) throw new RangeError('sha256 size');
      w.u32(m.jobId).u16(m.index).u64(m.bytes).bytes(m.sha256).str16(m.path, MAX_JOB_PATH_BYTES);
      break;
    case ControlType.JOB_ANSWER:
      if (m.done.length > MAX_JOB_DONE_BYTES) throw new RangeError('job done map size');
      w.u32(m.jobId).u16(m.code).str16(m.message, MAX_ERROR_MESSAGE_BYTES).u16(m.done.length).bytes(m.done);
      break;
    case ControlType.JOB_FILE:
      w.u32(m.jobId).u16(m.index).u32(m.transferId).u32(m.chunkSize);
      break;
    case ControlType.JOB_CANCEL:
      w.u32(m.jobId).u16(m.code).str16(m.message, MAX_ERROR_MESSAGE_BYTES);
      break;
  }
  return w.finish();
}

/** Decodes a control message or broadcast plaintext; null for anything malformed. */
export function decodeControl(buf: Buffer): ControlMessage | BroadcastPlaintext | null {
  try {
    const r = new ByteReader(buf);
    const m = decodeBody(r);
    return m && r.remaining === 0 ? m : null;
  } catch (e) {
    if (e instanceof Truncated) return null;
    throw e;
  }
}

function decodeBody(r: ByteReader): ControlMessage | BroadcastPlaintext | null {
  const type = r.u8();
  switch (type) {
    case ControlType.CHAT:
      return { type, bcastKeyId: r.u32(), bcastNext: r.u64(), text: r.str16(MAX_MESSAGE_TEXT_BYTES) };
    case ControlType.BCAST_TEXT:
      return { type, keyId: r.u32(), seq: r.u64(), text: r.str16(MAX_MESSAGE_TEXT_BYTES) };
    case ControlType.BROADCAST_BY_CHANNEL:
      return { type };
    case ControlType.SNIPPET: {
      const mode = r.u8();
      if (mode !== SnippetMode.PRIVATE && mode !== SnippetMode.COPY && mode !== SnippetMode.BROADCAST) return null;
      const to = r.str8(NICK_MAX_BYTES);
      const keyId = r.u32();
      const n = r.u64();
      const flags = r.u8();
      if ((flags & ~SNIPPET_DIRTY) !== 0) return null;
      const language = r.str8(MAX_SNIPPET_LANGUAGE_BYTES);
      const path = r.str16(MAX_SNIPPET_PATH_BYTES);
      const startLine = r.u32();
      const endLine = r.u32();
      const repo = r.str16(MAX_SNIPPET_REPO_BYTES);
      const commit = r.str8(MAX_SNIPPET_COMMIT_BYTES);
      const branch = r.str8(MAX_SNIPPET_BRANCH_BYTES);
      const text = r.str32(MAX_SNIPPET_TEXT_BYTES);
      const snippet: CodeSnippet = { text, language, path, startLine, endLine, dirty: (flags & SNIPPET_DIRTY) !== 0 };
      if (repo) snippet.repo = repo;
      if (commit) snippet.commit = commit;
      if (branch) snippet.branch = branch;
      return { type, mode, to, keyId, n, snippet };
    }
    case ControlType.BROADCAST_CHAT: {
      const n = r.u8();
      if (n > MAX_HOLD_TAGS) return null;
      const hold: Buffer[] = [];
      for (let i = 0; i < n; i++) hold.push(Buffer.from(r.bytes(HOLD_TAG_BYTES)));
      return { type, hold, text: r.str16(MAX_CHAT_BYTES) };
    }
    case ControlType.BCAST_BARRIER:
      return { type, keyId: r.u32(), seq: r.u64() };
    case ControlType.CHAT_COPY:
      return { type, to: r.str8(NICK_MAX_BYTES), bcastKeyId: r.u32(), bcastNext: r.u64(), text: r.str16(MAX_MESSAGE_TEXT_BYTES) };
    case ControlType.REQUEST_CANCEL:
      return { type, requestId: r.u32(), code: r.u16(), message: r.str16(MAX_ERROR_MESSAGE_BYTES) };
    case ControlType.LANE_JOIN:
    case ControlType.LANE_REFUSE:
      return { type, laneId: r.u32() };
    case ControlType.FILE_RESEND: {
      const transferId = r.u32();
      const record = r.u64();
      const n = r.u8();
      if (n > MAX_RESEND_CHUNKS) return null;
      const chunks: number[] = [];
      for (let i = 0; i < n; i++) chunks.push(r.u32());
      return { type, transferId, record, chunks };
    }
    case ControlType.CANDIDATES: {
      const n = r.u8();
      if (n > MAX_CANDIDATES_SENT) return null;
      const candidates: Array<{ address: string; port: number }> = [];
      for (let i = 0; i < n; i++) candidates.push({ address: r.str8(MAX_CANDIDATE_ADDRESS_BYTES), port: r.u16() });
      return { type, candidates };
    }
    case ControlType.SENDER_KEY:
      return { type, blob: Buffer.from(r.bytes(SENDER_KEY_BLOB_BYTES)), nextSeq: r.u64() };
    case ControlType.FILE_OFFER:
      return {
        type,
        transferId: r.u32(),
        bytes: r.u64(),
        chunkSize: r.u32(),
        sha256: Buffer.from(r.bytes(SHA256_BYTES)),
        requestId: r.u32(),
        name: r.str16(MAX_FILE_NAME_BYTES),
      };
    case ControlType.FILE_ACCEPT: {
      const transferId = r.u32();
      const n = r.u16();
      if (n > MAX_RESUME_RANGES) return null;
      const have: Array<[number, number]> = [];
      for (let i = 0; i < n; i++) {
        const s = r.u32();
        const e = r.u32();
        if (e < s) return null;
        have.push([s, e]);
      }
      return { type, transferId, have };
    }
    case ControlType.FILE_DECLINE:
    case ControlType.FILE_CANCEL:
      return { type, transferId: r.u32(), code: r.u16(), message: r.str16(MAX_ERROR_MESSAGE_BYTES) };
    case ControlType.FILE_RESULT:
      return { type, transferId: r.u32(), code: r.u16(), sha256: Buffer.from(r.bytes(SHA256_BYTES)) };
    case ControlType.FILE_REQUEST:
      return { type, requestId: r.u32(), name: r.str16(MAX_REQUEST_PATH_BYTES) };
    case ControlType.FILE_REQUEST_DENY:
      return { type, requestId: r.u32(), code: r.u16(), message: r.str16(MAX_ERROR_MESSAGE_BYTES) };
    case ControlType.JOB_OFFER: {
      const jobId = r.u32();
      const flags = r.u8();
      const entries = r.u16();
      if (entries < 1 || entries > MAX_JOB_ENTRIES) return null;
      return { type, jobId, flags, entries, totalBytes: r.u64(), name: r.str16(MAX_FILE_NAME_BYTES) };
    }
    case ControlType.JOB_ENTRY:
      return { type, jobId: r.u32(), index: r.u16(), bytes: r.u64(), sha256: Buffer.from(r.bytes(SHA256_BYTES)), path: r.str16(MAX_JOB_PATH_BYTES) };
    case ControlType.JOB_ANSWER: {
      const jobId = r.u32();
      const code = r.u16();
      const message = r.str16(MAX_ERROR_MESSAGE_BYTES);
      const n = r.u16();
      if (n > MAX_JOB_DONE_BYTES) return null;
      return { type, jobId, code, message, done: Buffer.from(r.bytes(n)) };
    }
    case ControlType.JOB_FILE:
      return { type, jobId: r.u32(), index: r.u16(), transferId: r.u32(), chunkSize: r.u32() };
    case ControlType.JOB_CANCEL:
      return { type, jobId: r.u32(), code: r.u16(), message: r.str16(MAX_ERROR_MESSAGE_BYTES) };
    default:
      return null;
  }
}
