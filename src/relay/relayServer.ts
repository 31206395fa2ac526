/**
 * RelayServer: registers nicknames and forwards datagrams between clients over one UDP socket.
 *
 * Behaviour decided here (to be folded into docs/protocol.md). All relay → client messages
 * have src = 0; dst is the client's session id, or 0 before it has one (COOKIE, REGISTER
 * refusals, NOT_REGISTERED), or DST_BROADCAST for PRESENCE (one shared datagram per slice).
 *
 * Datagram handling. The 'message' handler never throws (a try/catch counts bugs as
 * internalErrors). Short or wrong-magic datagrams, bodies that do not parse, unknown kinds,
 * other protocol versions (no answer: the ERROR format belongs to a version) and kinds only
 * the relay sends are counted in stats().dropped and dropped without an answer.
 *
 * Address validation (RFC 6347 §4.2.1 HelloVerifyRequest, RFC 9000 §8.1 Retry). A HELLO
 * (>= MIN_HELLO_BYTES, padded) is answered with COOKIE { token echoed, cookie } (40 bytes, so
 * never more than the HELLO) and no state: cookie = issuedAt u32 (Unix s) || HMAC-SHA-256(key,
 * ip || 0 || port || issuedAt)[:16], key random per relay process (addressCookie.ts). REGISTER
 * must carry a cookie minted for its source ip:port within COOKIE_LIFETIME_MS (whole seconds),
 * else ERROR BAD_COOKIE; a restarted relay refuses old cookies and the client starts over.
 * Anti-amplification: to an address with no session bound to it and no valid cookie in hand,
 * the relay sends at most 3x the bytes it received from that address (per ip:port ledger, LRU
 * bounded, unvalidatedTraffic.ts). An ERROR that would exceed the allowance has its message
 * shortened (the code alone is enough: clients show ERROR_HINTS) or is not sent at all.
 * Unvalidated traffic (HELLO, REGISTER, anything from an unregistered source) is also limited
 * per source IP by a token bucket (UNREGISTERED_RATE_*); over it, datagrams are dropped silently.
 *
 * REGISTER checks, in this order (cheapest first; the Ed25519 verifies are the expensive ones
 * and only validated addresses reach them): cookie → BAD_COOKIE; secretProof over the device key
 * (if the relay has a secret; secretProof.ts) → BAD_SECRET; signature over `signed` with the
 * device key → BAD_SIGNATURE; the identity's certificate for the device (signature, expiry) →
 * BAD_SIGNATURE; checkNickname → NICK_INVALID (message: the reason); nickname owned by another
 * identity (live or reserved) → NICK_TAKEN; another nickname while another device of the identity
 * is online → NICK_MISMATCH; a new session beyond maxClients → RELAY_FULL. Refusals go to the
 * REGISTER's source with refKind REGISTER, refId 0.
 *
 * Members and devices (docs/protocol.md "Members and devices"). A session is one device: REGISTER
 * carries the identity's certificate for the device key and is signed by the device key; both
 * signatures and the expiry are checked. A nickname is bound to the identity (NickRegistry owner =
 * identity key hex), and any number of its devices may hold sessions under it at once. The same
 * device registering again (a retransmitted REGISTER, a new source port, a network change) gets
 * its session back: same id, address updated, no presence. Another nickname: a rename (same id,
 * PRESENCE old offline then new online) if no other device of the identity is online, else
 * NICK_MISMATCH. A REGISTER that moves a session to another address must carry a cookie no older
 * than the one that bound the current address (else BAD_COOKIE): a REGISTER captured earlier and
 * replayed from the old address within the cookie lifetime cannot pull the session back. A
 * nickname is bound to its identity while any device is online; after the last one times out it
 * stays reserved for NICK_RESERVE_MS (only that identity can take it back); the last LEAVE
 * releases it at once. Racing REGISTERs for one nick: the event loop handles them one at a time,
 * so the first verified one wins and other identities get NICK_TAKEN. Session ids are random in
 * [1, 0xFFFFFFFE], unique among live sessions.
 *
 * REGISTERED { session, rosterVersion, keepaliveMs, idleTimeoutMs, devices (the member's devices
 * online), nick (NFKC as the relay holds it; the member's first spelling is kept) }.
 *
 * Presence versioning (presenceLog.ts). Each join or leave increments rosterVersion by one.
 * Changes are coalesced: the first change after a flush arms one timer, PRESENCE_COALESCE_MS or,
 * for large rosters, clients / PRESENCE_FANOUT_PER_SEC s (200 ms at 10,000 clients: a flush
 * costs one send per client); the flush pass visits PRESENCE_FLUSH_CHUNK clients per event-loop
 * turn so forwarding is never blocked for long. Every client behind gets the changes it has not
 * seen, in PRESENCE datagrams (<= DEFAULT_DATAGRAM_BYTES, consecutive changes, version = the
 * version after the datagram's last change).
 * A client at version c: c == version - n → apply; c >= version → ignore; in between → apply
 * only the changes above c; c < version - n → it missed some: re-fetch the roster. The stream
 * for a client starts at REGISTERED.rosterVersion (its own join is not announced to it), and
 * PONG carries the current version so a client that lost the last PRESENCE notices.
 *
 * Roster (rosterOrder.ts). ROSTER_REQ { offset } → ROSTER { version, total, offset, entries }
 * in join order, each page <= ROSTER_PAGE_BYTES of body, at the version current when served.
 * A client fetches offsets 0, +entries.length, ... until it holds `total` (it may pipeline the
 * requests). To get a consistent roster while others join and leave: keep the PRESENCE datagrams
 * that arrive meanwhile, take the union of the pages, set the version to the smallest page
 * version, apply the kept changes above it (an online change sets an entry, offline removes
 * it; both are idempotent), and check that the count equals the `total` of the page with the
 * highest version after applying changes up to that version; if not (an entry shifted across a
 * page boundary between two requests), fetch again.
 *
 * Keepalive and idle. Every datagram from a session (peer or relay kind) refreshes its
 * lastSeen. One sweep timer (every SWEEP_INTERVAL_MS, or idleTimeout/4 if shorter) drops
 * sessions idle longer than idleTimeoutMs: announced offline, nickname reserved.
 * PING { token } → PONG { token, rosterVersion }. LEAVE → BYE { code 0 }, offline at once.
 * close() → BYE { RELAY_SHUTDOWN } to every client, then the socket closes.
 *
 * KEY_REQ { id } (or id 0 and nick: any device of the member) → KEY_INFO { id, cert, nick } or ERROR
 * UNKNOWN_PEER (refKind KEY_REQ, refId the requested id).
 *
 * Forwarding (kinds 0x40–0x7F, the hot path: header fields read from the Buffer, two Map
 * lookups, one token bucket, the unchanged bytes sent or queued (see Coalescing); no decode, no
 * allocation per datagram, no log).
 * src must be a session whose bound address is the datagram's source, else: src unknown →
 * ERROR NOT_REGISTERED { refKind kind, refId src } (so a client notices a relay restart at
 * once; rate limited per IP and under the 3x rule); src known but other address → dropped as
 * spoofedSrc, no answer. dst = DST_BROADCAST → the same bytes to every other client once
 * (broadcast bucket BROADCAST_RATE_*, size <= MAX_BROADCAST_BYTES); dst = a session → to it;
 * otherwise ERROR UNKNOWN_PEER { refKind kind, refId dst }.
 *
 * Error answers to a registered client (UNKNOWN_PEER; RATE_LIMITED when its bucket runs dry;
 * MESSAGE_TOO_LONG for an oversized broadcast) are limited per session (SESSION_ERROR_RATE_*),
 * so a sender streaming into a departed peer gets ~10 errors/s, not one per datagram. Relay
 * requests (PING, ROSTER_REQ, LEAVE, KEY_REQ) whose src is not a session bound to their source
 * address are unregistered traffic: NOT_REGISTERED { refKind kind, refId src }, per-IP bucket,
 * 3x rule. A client should re-register on NOT_REGISTERED only when refId is its own session
 * (a datagram whose src was corrupted on the way also draws one).
 *
 * Coalescing (docs/protocol.md "Coalescing"). Everything sent to a registered session (its
 * address was validated by a cookie) goes through deliver(): a datagram of at most
 * MAX_COALESCED_DATAGRAM_BYTES is queued for that session, and the queues are flushed once per
 * event-loop turn (one setImmediate, armed by the first queued datagram, runs after the socket's
 * batch of received datagrams), each packed in order into BATCH datagrams of at most
 * BATCH_MAX_BYTES (relayBatch.ts; LOOPBACK_BATCH_MAX_BYTES to a client on this machine); a run
 * that fits only one datagram goes out alone, unwrapped.
 * In a broadcast storm the flush may wait a few more turns (FLUSH_DEFER_MIN_CLIENTS: only while
 * the socket has more waiting and the flush would fan out wide; at most MAX_FLUSH_DEFER_MS).
 * A larger datagram (file data) is sent at once, after flushing that session's queue (all queues,
 * once something has waited MAX_QUEUE_HOLD_MS), so each client still gets its datagrams in the
 * order the relay accepted them, and the bulk path allocates nothing. A queue is capped at MAX_QUEUED_BYTES_PER_CLIENT; beyond it datagrams are
 * dropped and counted (dropped.clientQueueFull). Nothing is ever queued for, or batched to, an
 * unvalidated address (COOKIE, REGISTER refusals and NOT_REGISTERED go out at once, under the 3x
 * rule). A broadcast to n clients thus costs about n × size / BATCH_MAX_BYTES sends in a busy
 * turn instead of n: what made 300 clients × 3 simultaneous broadcasts slow (bench/relayCapacity).
 */
import { fastLookup } from '../protocol/fastLookup';
import { EventEmitter } from 'node:events';
import * as dgram from 'node:dgram';
import { randomInt, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { verifySignature } from '../crypto/identity';
import { checkDeviceCertificate, type DeviceCertificate } from '../crypto/deviceCertificate';
import { ErrorCode, ERROR_HINTS, errorCodeToWire } from '../protocol/errors';
import { FIRST_PEER_KIND, Kind, LAST_PEER_KIND } from '../protocol/header';
import {
  BROADCAST_RATE_BURST,
  BROADCAST_RATE_PER_SEC,
  CLIENT_IDLE_TIMEOUT_MS,
  CLIENT_RATE_BURST,
  CLIENT_RATE_PER_SEC,
  DEVICE_TAG_BYTES,
  DST_BROADCAST,
  HEADER_BYTES,
  KEEPALIVE_INTERVAL_MS,
  MAGIC,
  MAX_CLIENTS,
  MAX_ERROR_MESSAGE_BYTES,
  PRESENCE_COALESCE_MS,
  PROTOCOL_VERSION,
  UNREGISTERED_RATE_BURST,
  UNREGISTERED_RATE_PER_SEC,
} from '../protocol/limits';
import { checkNickname, nicknameKey } from '../protocol/nickname';
import { BATCH_LENGTH_BYTES, encodeBatchInto } from '../protocol/relayBatch';
import { clip, decodeRelayMessage, encodeRelayMessage, RelayMessage } from '../protocol/relayMessages';
import { AddressCookie } from './addressCookie';
import { describeBindError } from './bindError';
import { NickRegistry } from './nickRegistry';
import { PresenceLog } from './presenceLog';
import {
  BATCH_MAX_BYTES,
  CLOSE_FLUSH_TIMEOUT_MS,
  DEFAULT_RELAY_HOST,
  FLUSH_DEFER_MIN_CLIENTS,
  LOOPBACK_BATCH_MAX_BYTES,
  DEFAULT_RELAY_PORT,
  INTERNAL_ERROR_LOG_INTERVAL_MS,
  MAX_BROADCAST_BYTES,
  MAX_COALESCED_DATAGRAM_BYTES,
  MAX_EARLIER_SECRETS,
  MAX_FLUSH_DEFER_MS,
  MAX_FLUSH_DEFERRALS,
  MAX_QUEUE_HOLD_MS,
  MAX_QUEUED_BYTES_PER_CLIENT,
  MIN_SWEEP_INTERVAL_MS,
  NICK_RESERVE_MS,
  PRESENCE_FANOUT_PER_SEC,
  PRESENCE_FLUSH_CHUNK,
  RELAY_SOCKET_BUFFER_BYTES,
  SESSION_ERROR_RATE_BURST,
  SESSION_ERROR_RATE_PER_SEC,
  SWEEP_INTERVAL_MS,
  SWEEPS_PER_IDLE_TIMEOUT,
  UDP_READS_PER_TURN,
} from './relayLimits';
import { DropReason, emptyDropCounts, RelayStats } from './relayStats';
import { RosterOrder } from './rosterOrder';
import { secretProof } from './secretProof';
import { Member, Session } from './session';
import { TokenBucket } from './tokenBucket';
import { addressKey, UnvalidatedTraffic } from './unvalidatedTraffic';

export interface RelayOptions {
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 12345; 0 = any free port, see address()). */
  port?: number;
  /** Invitation secret: REGISTER must prove knowledge of it (secretProof.ts). */
  secret?: string;
  /** Receives one line per join/leave and lifecycle events. */
  log?: (line: string) => void;
  /** Drop clients silent for this long (default CLIENT_IDLE_TIMEOUT_MS). */
  idleTimeoutMs?: number;
  /** Keepalive interval told to clients (default min(KEEPALIVE_INTERVAL_MS, idleTimeoutMs / 4)). */
  keepaliveMs?: number;
  /** Most registered clients (default MAX_CLIENTS). */
  maxClients?: number;
  /** Socket buffer size to ask for, both ways (default 4 MiB; read back, see stats()). */
  recvBufferBytes?: number;
  /** How long a timed-out client's nickname stays reserved (default NICK_RESERVE_MS). */
  nickReserveMs?: number;
  /**
   * Per-source-IP budget for unregistered traffic (default UNREGISTERED_RATE_*). Benchmarks that
   * register thousands of clients from 127.0.0.1 raise it.
   */
  unregisteredRate?: { perSec: number; burst: number };
  /** Per-session datagram budget (default CLIENT_RATE_*). */
  clientRate?: { perSec: number; burst: number };
  /** Per-session broadcast budget (default BROADCAST_RATE_*). */
  broadcastRate?: { perSec: number; burst: number };
  /** Most bytes queued for one client per event-loop turn (default MAX_QUEUED_BYTES_PER_CLIENT; tests lower it). */
  maxQueuedBytesPerClient?: number;
}

/** A client as reported in events. */
export interface RelayPeer {
  id: number;
  nick: string;
  address: string;
  port: number;
}

export type LeaveReason = 'leave' | 'timeout' | 'renamed';

export interface RelayEvents {
  join: [RelayPeer];
  leave: [RelayPeer & { reason: LeaveReason }];
  /** A session came back from a new address (same key, same id). */
  moved: [RelayPeer];
}

type RelayMsg<K extends number> = Extract<RelayMessage, { kind: K }>;

// Hot-path copies of imported constants: a module-local const is a plain load, while an
// imported binding may compile to a property getter on the other module's exports (tsx/CJS).
const HOT_HEADER_BYTES = HEADER_BYTES;
const HOT_MAGIC = MAGIC;
const HOT_VERSION = PROTOCOL_VERSION;
const HOT_FIRST_PEER_KIND = FIRST_PEER_KIND;
const HOT_LAST_PEER_KIND = LAST_PEER_KIND;
const HOT_DST_BROADCAST = DST_BROADCAST;
const HOT_MAX_COALESCED = MAX_COALESCED_DATAGRAM_BYTES;
const HOT_LENGTH_BYTES = BATCH_LENGTH_BYTES;

/** Bytes of an ERROR with an empty message: header + code u16 + refKind u8 + refId u32 + len u16. */
const BARE_ERROR_BYTES = HEADER_BYTES + 9;

/** Largest session id: 0xFFFFFFFF is DST_BROADCAST and 0 is the relay. */
const MAX_SESSION_ID = 0xffff_fffe;

export class RelayServer extends EventEmitter<RelayEvents> {
  private readonly sessions = new Map<number, Session>();
  /** Sessions by device key (hex), and members by identity key (hex): see Session and Member. */
  private readonly byDevice = new Map<string, Session>();
  private readonly members = new Map<string, Member>();
  private readonly nicks: NickRegistry;
  private readonly presence = new PresenceLog();
  private readonly roster = new RosterOrder<Session>();
  private readonly cookies = new AddressCookie();
  private readonly unvalidated: UnvalidatedTraffic;

  private secret: string | undefined;
  /**
   * Secrets this process had before setSecret replaced them (newest last, at most
   * MAX_EARLIER_SECRETS): a device whose session is live may prove one of them when it registers
   * again (a new address after a network change), so rotating does not drop members already in.
   */
  private readonly earlierSecrets: Array<string | null> = []; // null: it admitted anyone then
  private readonly log: (line: string) => void;
  private readonly idleTimeoutMs: number;
  private readonly keepaliveMs: number;
  private readonly maxClients: number;
  private readonly nickReserveMs: number;
  private readonly clientRate: { perSec: number; burst: number };
  private readonly broadcastRate: { perSec: number; burst: number };
  private readonly maxQueuedBytes: number;

  private readonly sweepTimer: NodeJS.Timeout;
  private flushTimer: NodeJS.Timeout | undefined;
  /** A presence flush in progress (it spans event-loop turns, PRESENCE_FLUSH_CHUNK clients each). */
  private flushPass: { sessions: Iterator<Session>; oldestSeen: number } | undefined;
  private flushImmediate: NodeJS.Immediate | undefined;
  /** Sessions with datagrams queued this turn (deliver), flushed together by flushQueues. */
  private readonly outList: Session[] = [];
  private outFlush: NodeJS.Immediate | undefined;
  /** Datagrams read since the flush was armed or deferred (a full turn: more are waiting). */
  private outReads = 0;
  /** The most bytes any queue holds now (a deferral must leave room for another turn). */
  private outPeakBytes = 0;
  /** When the first datagram now queued was queued (performance.now()). */
  private outSince = 0;
  /** Deferrals in a row, and when the first of them was (performance.now()). */
  private outDeferrals = 0;
  private outDeferredAt = 0;
  /** Every BATCH is written here while sends complete synchronously (see flushSession). */
  private batchBuffer = Buffer.allocUnsafeSlow(LOOPBACK_BATCH_MAX_BYTES);
  private closing: Promise<void> | undefined;
  private lastInternalErrorLog = -Infinity;

  // Counters, kept as plain number fields so the hot path increments them cheaply.
  private datagramsIn = 0;
  private bytesIn = 0;
  private datagramsOut = 0;
  private bytesOut = 0;
  private forwarded = 0;
  private broadcasts = 0;
  private presenceDatagrams = 0;
  private batches = 0;
  private batchedDatagrams = 0;
  private unvalidatedBytesIn = 0;
  private unvalidatedBytesOut = 0;
  private answersSuppressed = 0;
  private internalErrors = 0;
  private readonly dropped = emptyDropCounts();

  private constructor(
    private readonly socket: dgram.Socket,
    opts: RelayOptions,
    private readonly socketBuffers: { asked: number; recv: number; send: number },
  ) {
    super();
    this.secret = opts.secret === undefined || opts.secret === '' ? undefined : opts.secret;
    this.log = opts.log ?? (() => {});
    this.idleTimeoutMs = positive(opts.idleTimeoutMs, CLIENT_IDLE_TIMEOUT_MS, 'idleTimeoutMs');
    this.keepaliveMs = positive(
      opts.keepaliveMs,
      Math.max(1, Math.min(KEEPALIVE_INTERVAL_MS, Math.floor(this.idleTimeoutMs / 4))),
      'keepaliveMs',
    );
    this.maxClients = positive(opts.maxClients, MAX_CLIENTS, 'maxClients');
    this.nickReserveMs = opts.nickReserveMs ?? NICK_RESERVE_MS;
    this.nicks = new NickRegistry();
    const unreg = opts.unregisteredRate ?? { perSec: UNREGISTERED_RATE_PER_SEC, burst: UNREGISTERED_RATE_BURST };
    this.unvalidated = new UnvalidatedTraffic(unreg.perSec, unreg.burst);
    this.clientRate = opts.clientRate ?? { perSec: CLIENT_RATE_PER_SEC, burst: CLIENT_RATE_BURST };
    this.broadcastRate = opts.broadcastRate ?? { perSec: BROADCAST_RATE_PER_SEC, burst: BROADCAST_RATE_BURST };
    this.maxQueuedBytes = positive(opts.maxQueuedBytesPerClient, MAX_QUEUED_BYTES_PER_CLIENT, 'maxQueuedBytesPerClient');

    socket.on('message', this.onMessage);
    socket.on('error', (err) => this.internalError(err));

    const sweepEvery = Math.max(
      MIN_SWEEP_INTERVAL_MS,
      Math.min(SWEEP_INTERVAL_MS, Math.floor(this.idleTimeoutMs / SWEEPS_PER_IDLE_TIMEOUT)),
    );
    this.sweepTimer = setInterval(() => this.guard(() => this.sweep()), sweepEvery);
    this.sweepTimer.unref();
  }

  /** Binds the socket and starts serving. Rejects with a RelayStartError if it cannot listen. */
  static async start(opts: RelayOptions = {}): Promise<RelayServer> {
    const host = opts.host ?? DEFAULT_RELAY_HOST;
    const port = opts.port ?? DEFAULT_RELAY_PORT;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new RangeError(`port must be an integer 0–65535, got ${String(port)}`);
    }
    const socket = dgram.createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4', lookup: fastLookup as never });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.close();
        reject(describeBindError(err, host, port));
      };
      socket.once('error', onError);
      socket.bind(port, host, () => {
        socket.off('error', onError);
        resolve();
      });
    });
    // ARCHITECTURE.md "Defaults": ask for 4 MiB both ways, read back what the kernel granted
    // (Linux caps at net.core.rmem_max/wmem_max and reports double the usable size).
    const asked = opts.recvBufferBytes ?? RELAY_SOCKET_BUFFER_BYTES;
    const buffers = { asked, recv: 0, send: 0 };
    try {
      socket.setRecvBufferSize(asked);
    } catch {
      // keep the default; the read-back below shows it
    }
    try {
      socket.setSendBufferSize(asked);
    } catch {
      // as above
    }
    try {
      buffers.recv = socket.getRecvBufferSize();
      buffers.send = socket.getSendBufferSize();
    } catch {
      // not readable on this platform; reported as 0
    }
    const server = new RelayServer(socket, opts, buffers);
    server.log(
      `socket buffers: receive ${kib(buffers.recv)} KiB, send ${kib(buffers.send)} KiB (asked ${kib(asked)} KiB)`,
    );
    return server;
  }

  /** Where the relay listens (the real port when started with port 0). */
  address(): { host: string; port: number } {
    const a = this.socket.address();
    return { host: a.address, port: a.port };
  }

  stats(): RelayStats {
    return {
      clients: this.sessions.size,
      rosterVersion: this.presence.version,
      nickReservations: this.nicks.size.reserved,
      datagramsIn: this.datagramsIn,
      bytesIn: this.bytesIn,
      datagramsOut: this.datagramsOut,
      bytesOut: this.bytesOut,
      forwarded: this.forwarded,
      broadcasts: this.broadcasts,
      presenceDatagrams: this.presenceDatagrams,
      batches: this.batches,
      batchedDatagrams: this.batchedDatagrams,
      unvalidatedBytesIn: this.unvalidatedBytesIn,
      unvalidatedBytesOut: this.unvalidatedBytesOut,
      answersSuppressed: this.answersSuppressed,
      internalErrors: this.internalErrors,
      dropped: { ...this.dropped },
      socketBuffers: { ...this.socketBuffers },
    };
  }

  /** Registered clients now (id, nick, address), in join order. */
  clients(): RelayPeer[] {
    return [...this.sessions.values()].map(peerOf);
  }

  /**
   * Tells every client BYE { RELAY_SHUTDOWN }, waits (at most CLOSE_FLUSH_TIMEOUT_MS) until the
   * datagrams have left, then closes the socket. Idempotent.
   */
  close(reason = 'shutting down'): Promise<void> {
    if (!this.closing) this.closing = this.shutdown(reason);
    return this.closing;
  }

  private async shutdown(reason: string): Promise<void> {
    clearInterval(this.sweepTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.flushImmediate) clearImmediate(this.flushImmediate);
    this.flushTimer = undefined;
    this.flushPass = undefined;
    this.socket.off('message', this.onMessage);
    // What was queued this turn goes out before the BYEs, in order.
    if (this.outFlush !== undefined) {
      clearImmediate(this.outFlush);
      this.flushAll();
    }
    const clients = [...this.sessions.values()];
    this.log(`relay closing (${reason}): telling ${clients.length} client(s)`);
    const code = errorCodeToWire('RELAY_SHUTDOWN');
    await new Promise<void>((resolve) => {
      if (clients.length === 0) return resolve();
      const timer = setTimeout(resolve, CLOSE_FLUSH_TIMEOUT_MS);
      timer.unref();
      clients.forEach((s, i) => {
        const bye = encodeRelayMessage({ kind: Kind.BYE, code }, 0, s.id);
        const last = i === clients.length - 1;
        // Sends leave in order, so when the last one's callback runs the others have gone.
        const done = last
          ? () => {
              clearTimeout(timer);
              resolve();
            }
          : undefined;
        try {
          this.socket.send(bye, s.port, s.address, done);
          this.countOut(bye.length);
        } catch {
          done?.();
        }
      });
    });
    this.sessions.clear();
    this.byDevice.clear();
    this.members.clear();
    await new Promise<void>((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Datagram dispatch

  private readonly onMessage = (buf: Buffer, rinfo: dgram.RemoteInfo): void => {
    try {
      this.handleDatagram(buf, rinfo);
    } catch (err) {
      this.internalError(err);
    }
    // After handling, so the datagram that armed the flush (deliver resets the count) counts.
    this.outReads++;
  };

  private handleDatagram(buf: Buffer, rinfo: dgram.RemoteInfo): void {
    this.datagramsIn++;
    this.bytesIn += buf.length;
    // ARCHITECTURE.md "Protocol principles": check lengths before reading; bad input is counted
    // and dropped. The header is read in place (header.ts layout) to keep the hot path lean.
    if (buf.length < HOT_HEADER_BYTES || buf[0] !== HOT_MAGIC) {
      this.dropped.malformed++;
      return;
    }
    if (buf[1] !== HOT_VERSION) {
      this.dropped.wrongVersion++;
      return;
    }
    const kind = buf[2];
    if (kind >= HOT_FIRST_PEER_KIND && kind <= HOT_LAST_PEER_KIND) this.forward(buf, kind, rinfo);
    else this.handleRelayMessage(buf, rinfo);
  }

  /** The hot path: a peer datagram, forwarded unchanged. */
  private forward(buf: Buffer, kind: number, rinfo: dgram.RemoteInfo): void {
    const srcId = buf.readUInt32BE(4);
    const src = this.sessions.get(srcId);
    if (src === undefined) {
      this.refuseUnregistered(buf.length, kind, srcId, rinfo);
      return;
    }
    if (src.port !== rinfo.port || src.address !== rinfo.address) {
      this.dropped.spoofedSrc++;
      return;
    }
    const now = performance.now();
    src.lastSeen = now;
    const dstId = buf.readUInt32BE(8);
    if (!src.bucket.take(now)) {
      this.dropped.rateLimited++;
      this.sendError(src, 'RATE_LIMITED', kind, dstId, now);
      return;
    }
    if (dstId === HOT_DST_BROADCAST) {
      this.broadcast(buf, src, kind, now);
      return;
    }
    const dst = this.sessions.get(dstId);
    if (dst === undefined) {
      this.dropped.unknownPeer++;
      this.sendError(src, 'UNKNOWN_PEER', kind, dstId, now);
      return;
    }
    if (this.deliver(dst, buf)) this.forwarded++;
  }

  private broadcast(buf: Buffer, src: Session, kind: number, now: number): void {
    if (buf.length > MAX_BROADCAST_BYTES) {
      this.dropped.oversizeBroadcast++;
      this.sendError(src, 'MESSAGE_TOO_LONG', kind, DST_BROADCAST, now);
      return;
    }
    if (!src.broadcastBucket.take(now)) {
      this.dropped.rateLimited++;
      this.sendError(src, 'RATE_LIMITED', kind, DST_BROADCAST, now);
      return;
    }
    this.broadcasts++;
    // The same Buffer is queued for every recipient (broadcasts are <= MAX_BROADCAST_BYTES, so
    // always coalescible); it is copied only into each recipient's BATCH at the flush.
    let n = 0;
    for (const s of this.sessions.values()) {
      if (s === src) continue;
      if (this.deliver(s, buf)) n++;
    }
    this.forwarded += n;
  }

  private handleRelayMessage(buf: Buffer, rinfo: dgram.RemoteInfo): void {
    const d = decodeRelayMessage(buf);
    if (!d.ok) {
      // BATCH has its own codec (relayBatch.ts) and only the relay sends it.
      if (buf[2] === Kind.BATCH) this.dropped.unexpectedKind++;
      else this.dropped[d.reason === 'kind' ? 'unknownKind' : 'malformed']++;
      return;
    }
    const m = d.msg;
    switch (m.kind) {
      case Kind.HELLO:
        this.onHello(m, buf.length, rinfo);
        return;
      case Kind.REGISTER:
        this.onRegister(m, buf.length, rinfo);
        return;
      case Kind.PING:
      case Kind.ROSTER_REQ:
      case Kind.LEAVE:
      case Kind.KEY_REQ:
        break;
      default:
        this.dropped.unexpectedKind++;
        return;
    }
    const s = this.sessions.get(d.header.src);
    if (s === undefined || s.port !== rinfo.port || s.address !== rinfo.address) {
      this.refuseUnregistered(buf.length, m.kind, d.header.src, rinfo);
      return;
    }
    const now = performance.now();
    s.lastSeen = now;
    if (!s.bucket.take(now)) {
      this.dropped.rateLimited++;
      return;
    }
    switch (m.kind) {
      case Kind.PING:
        this.sendTo(s, { kind: Kind.PONG, token: m.token, rosterVersion: this.presence.version >>> 0 });
        return;
      case Kind.ROSTER_REQ:
        this.deliver(s, this.roster.page(m.offset, this.presence.version, s.id));
        return;
      case Kind.LEAVE:
        this.sendTo(s, { kind: Kind.BYE, code: 0 });
        this.endSession(s, 'leave', now);
        return;
      case Kind.KEY_REQ:
        this.onKeyRequest(s, m, now);
        return;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Registration

  private onHello(m: RelayMsg<typeof Kind.HELLO>, bytes: number, rinfo: dgram.RemoteInfo): void {
    if (!this.unvalidated.admit(rinfo.address, performance.now())) {
      this.dropped.rateLimited++;
      return;
    }
    const addr = this.creditUnvalidated(rinfo, bytes);
    const cookie = this.cookies.mint(rinfo.address, rinfo.port, Date.now());
    this.sendUnvalidated(encodeRelayMessage({ kind: Kind.COOKIE, token: m.token, cookie }), addr, rinfo);
  }

  private onRegister(m: RelayMsg<typeof Kind.REGISTER>, bytes: number, rinfo: dgram.RemoteInfo): void {
    const now = performance.now();
    if (!this.unvalidated.admit(rinfo.address, now)) {
      this.dropped.rateLimited++;
      return;
    }
    if (!this.cookies.check(m.cookie, rinfo.address, rinfo.port, Date.now())) {
      this.dropped.badCookie++;
      const addr = this.creditUnvalidated(rinfo, bytes);
      this.sendUnvalidatedError('BAD_COOKIE', Kind.REGISTER, 0, ERROR_HINTS.BAD_COOKIE, addr, rinfo);
      return;
    }
    // From here on the address is validated (it received our cookie): answers are not capped.
    const cert = m.cert;
    if (this.secret !== undefined && !this.provesSecret(m.cookie, cert.deviceSign, m.secretProof)) {
      return this.refuseRegister('badSecret', 'BAD_SECRET', ERROR_HINTS.BAD_SECRET, rinfo);
    }
    // The device key signed the datagram (possession), and the identity certified the device
    // key (docs/security.md "Members and devices"): nobody but the identity adds a device to it.
    if (!safeVerify(cert.deviceSign, m.signed, m.signature)) {
      return this.refuseRegister('badSignature', 'BAD_SIGNATURE', ERROR_HINTS.BAD_SIGNATURE, rinfo);
    }
    const certified = checkDeviceCertificate(cert, Date.now() / 1000);
    if (!certified.ok) {
      const message =
        certified.reason === 'expired'
          ? "The device certificate has expired: check this computer's clock, then join again."
          : ERROR_HINTS.BAD_SIGNATURE;
      return this.refuseRegister('badSignature', 'BAD_SIGNATURE', message, rinfo);
    }
    const nick = checkNickname(m.nick);
    if (!nick.ok) return this.refuseRegister('nickInvalid', 'NICK_INVALID', nick.reason, rinfo);

    const ownerKey = cert.identitySign.toString('hex');
    const deviceKey = cert.deviceSign.toString('hex');
    const holder = this.nicks.ownerOf(nick.key, now);
    if (holder !== undefined && holder !== ownerKey) {
      const until = this.nicks.reservedUntil(nick.key);
      const message =
        until === undefined
          ? ERROR_HINTS.NICK_TAKEN
          : `That nickname was in use moments ago and is held for its owner for ${Math.ceil((until - now) / 1000)} more seconds. Pick another one.`;
      return this.refuseRegister('nickTaken', 'NICK_TAKEN', message, rinfo);
    }
    let s = this.byDevice.get(deviceKey);
    if (s !== undefined && s.ownerKey !== ownerKey) {
      // A device key certified by two identities: only a forger would do that.
      return this.refuseRegister('badSignature', 'BAD_SIGNATURE', ERROR_HINTS.BAD_SIGNATURE, rinfo);
    }
    const member = this.members.get(ownerKey);
    if (member !== undefined && member.nickKey !== nick.key) {
      // One identity, one nickname: another device of it is online under its name, which stays.
      const others = member.devices.size - (s !== undefined && member.devices.has(s) ? 1 : 0);
      if (others > 0) {
        const message = `You are online as ${member.nick} on ${others === 1 ? 'another device' : `${others} other devices`}. Join as ${member.nick}, or leave there first.`;
        return this.refuseRegister('nickMismatch', 'NICK_MISMATCH', message, rinfo);
      }
    }

    // A member's devices share its nickname as first registered ("alice", not one "Alice").
    const display = member !== undefined && member.nickKey === nick.key ? member.nick : nick.display;
    const cookieSeconds = m.cookie.readUInt32BE(0);
    if (s !== undefined) {
      const moving = s.port !== rinfo.port || s.address !== rinfo.address;
      if (moving && cookieSeconds < s.cookieSeconds) {
        // An older REGISTER replayed from another address: the client itself has moved on since.
        return this.refuseRegister('badCookie', 'BAD_COOKIE', ERROR_HINTS.BAD_COOKIE, rinfo);
      }
      if (moving) s.cookieSeconds = cookieSeconds;
      s.cert = cert; // a renewed certificate (same keys)
      this.resume(s, display, nick.key, rinfo, now);
    } else {
      if (this.sessions.size >= this.maxClients) {
        return this.refuseRegister('relayFull', 'RELAY_FULL', ERROR_HINTS.RELAY_FULL, rinfo);
      }
      s = this.createSession(cert, ownerKey, deviceKey, display, nick.key, rinfo, now);
      s.cookieSeconds = cookieSeconds;
    }
    // The client's PRESENCE stream continues from the version REGISTERED reports.
    s.presenceSeen = this.presence.version;
    this.sendTo(s, {
      kind: Kind.REGISTERED,
      session: s.id,
      rosterVersion: this.presence.version >>> 0,
      keepaliveMs: this.keepaliveMs,
      idleTimeoutMs: this.idleTimeoutMs,
      devices: Math.min(this.members.get(ownerKey)?.devices.size ?? 1, 0xffff),
      observed: { address: rinfo.address, port: rinfo.port },
      nick: s.nick,
    });
  }

  /**
   * The REGISTER's proof is made with the current secret, or (for a device whose session is live,
   * and so was admitted before a rotation) with one this process had earlier. The device's
   * signature is checked after this, so an earlier secret alone registers nothing.
   */
  private provesSecret(cookie: Buffer, deviceSign: Buffer, proof: Buffer): boolean {
    if (timingSafeEqual(secretProof(this.secret!, cookie, deviceSign), proof)) return true;
    if (this.earlierSecrets.length === 0 || !this.byDevice.has(deviceSign.toString('hex'))) return false;
    return this.earlierSecrets.some((s) => s === null || timingSafeEqual(secretProof(s, cookie, deviceSign), proof));
  }

  /**
   * Replaces the invitation secret at runtime (docs/security.md "Rotating the invitation"): new
   * devices must prove the new one (BAD_SECRET otherwise); sessions already live stay, and may
   * re-register with the secret they joined with. Undefined or '' admits anyone from now on.
   */
  setSecret(secret: string | undefined): void {
    const next = secret === undefined || secret === '' ? undefined : secret;
    if (this.secret !== next) {
      this.earlierSecrets.push(this.secret ?? null);
      if (this.earlierSecrets.length > MAX_EARLIER_SECRETS) this.earlierSecrets.shift();
    }
    this.secret = next;
    this.log(next === undefined ? 'invitation secret removed: anyone may join' : 'invitation secret changed: earlier invitations no longer admit new devices');
  }

  /** Whether REGISTER must prove an invitation secret. */
  get hasSecret(): boolean {
    return this.secret !== undefined;
  }

  private createSession(
    cert: DeviceCertificate,
    ownerKey: string,
    deviceKey: string,
    display: string,
    key: string,
    rinfo: dgram.RemoteInfo,
    now: number,
  ): Session {
    const s: Session = {
      id: this.newSessionId(),
      address: rinfo.address,
      port: rinfo.port,
      cert,
      deviceKey,
      deviceTag: cert.deviceSign.subarray(0, DEVICE_TAG_BYTES),
      ownerKey,
      nick: display,
      nickKey: key,
      inRoster: false,
      cookieSeconds: 0,
      lastSeen: now,
      presenceSeen: 0,
      bucket: new TokenBucket(this.clientRate.perSec, this.clientRate.burst, now),
      broadcastBucket: new TokenBucket(this.broadcastRate.perSec, this.broadcastRate.burst, now),
      errorBucket: new TokenBucket(SESSION_ERROR_RATE_PER_SEC, SESSION_ERROR_RATE_BURST, now),
      outQueue: [],
      outBytes: 0,
      outListed: false,
      batchMax: batchMaxFor(rinfo.address),
    };
    this.sessions.set(s.id, s);
    this.byDevice.set(deviceKey, s);
    let member = this.members.get(ownerKey);
    if (member === undefined) {
      member = { nick: display, nickKey: key, devices: new Set() };
      this.members.set(ownerKey, member);
      this.nicks.bind(key, ownerKey);
    }
    member.devices.add(s);
    this.roster.add(s);
    this.recordPresence(true, s);
    const devices = member.devices.size > 1 ? ` (device ${member.devices.size} of this member)` : '';
    this.log(`join ${s.nick}${devices} (session ${hexId(s.id)}) from ${s.address}:${s.port}; ${this.sessions.size} online`);
    this.emit('join', peerOf(s));
    return s;
  }

  /**
   * The same device registered again: same session, possibly a new address, or a new nickname
   * when it is its member's only device (REGISTER checked that).
   */
  private resume(s: Session, display: string, key: string, rinfo: dgram.RemoteInfo, now: number): void {
    s.lastSeen = now;
    if (s.port !== rinfo.port || s.address !== rinfo.address) {
      s.address = rinfo.address;
      s.port = rinfo.port;
      s.batchMax = batchMaxFor(s.address);
      this.log(`moved ${s.nick} (session ${hexId(s.id)}) to ${s.address}:${s.port}`);
      this.emit('moved', peerOf(s));
    }
    if (key === s.nickKey) return;
    const old = peerOf(s);
    this.nicks.bind(key, s.ownerKey); // releases the old nickname
    const member = this.members.get(s.ownerKey);
    if (member !== undefined) {
      member.nick = display;
      member.nickKey = key;
    }
    this.recordPresence(false, s);
    s.nick = display;
    s.nickKey = key;
    this.recordPresence(true, s);
    this.log(`rename ${old.nick} → ${s.nick} (session ${hexId(s.id)})`);
    this.emit('leave', { ...old, reason: 'renamed' });
    this.emit('join', peerOf(s));
  }

  private refuseRegister(reason: DropReason, code: ErrorCode, message: string, rinfo: dgram.RemoteInfo): void {
    this.dropped[reason]++;
    const err = encodeRelayMessage({ kind: Kind.ERROR, code: errorCodeToWire(code), refKind: Kind.REGISTER, refId: 0, message });
    this.sendRaw(err, rinfo.port, rinfo.address);
  }

  private newSessionId(): number {
    for (;;) {
      const id = randomInt(1, MAX_SESSION_ID + 1);
      if (!this.sessions.has(id)) return id;
    }
  }

  private endSession(s: Session, reason: LeaveReason, now: number): void {
    this.sessions.delete(s.id);
    this.byDevice.delete(s.deviceKey);
    this.roster.remove(s);
    const member = this.members.get(s.ownerKey);
    member?.devices.delete(s);
    // The nickname stays the member's while any of its devices is online.
    if (member === undefined || member.devices.size === 0) {
      this.members.delete(s.ownerKey);
      if (reason === 'timeout') this.nicks.reserve(s.nickKey, now + this.nickReserveMs);
      else this.nicks.release(s.nickKey);
    }
    this.recordPresence(false, s);
    this.log(`leave ${s.nick} (session ${hexId(s.id)}): ${reason}; ${this.sessions.size} online`);
    this.emit('leave', { ...peerOf(s), reason });
  }

  private onKeyRequest(s: Session, m: RelayMsg<typeof Kind.KEY_REQ>, now: number): void {
    let target: Session | undefined;
    if (m.id !== 0) {
      target = this.sessions.get(m.id);
    } else {
      const owner = this.nicks.ownerOf(nicknameKey(m.nick), now);
      const member = owner === undefined ? undefined : this.members.get(owner);
      target = member === undefined ? undefined : member.devices.values().next().value;
    }
    if (target === undefined) {
      this.dropped.unknownPeer++;
      this.sendError(s, 'UNKNOWN_PEER', Kind.KEY_REQ, m.id, now);
      return;
    }
    this.sendTo(s, { kind: Kind.KEY_INFO, id: target.id, cert: target.cert, nick: target.nick });
  }

  // ---------------------------------------------------------------------------------------------
  // Presence and the idle sweep

  private recordPresence(online: boolean, s: Session): void {
    this.presence.record(online, s.id, s.deviceTag, s.nick);
    this.armPresenceFlush();
  }

  /**
   * Arms the coalescing timer unless it is armed or a flush pass is under way (the pass re-arms
   * it at its end if changes arrived meanwhile). The window is PRESENCE_COALESCE_MS, stretched
   * for large rosters to keep presence within PRESENCE_FANOUT_PER_SEC.
   */
  private armPresenceFlush(): void {
    if (this.flushTimer !== undefined || this.flushPass !== undefined || this.closing !== undefined) return;
    const windowMs = Math.max(PRESENCE_COALESCE_MS, Math.ceil((this.sessions.size * 1000) / PRESENCE_FANOUT_PER_SEC));
    this.flushTimer = setTimeout(() => this.guard(() => this.startFlushPass()), windowMs);
    this.flushTimer.unref();
  }

  private startFlushPass(): void {
    this.flushTimer = undefined;
    this.flushPass = { sessions: this.sessions.values(), oldestSeen: Infinity };
    this.flushChunk();
  }

  /**
   * Sends PRESENCE to up to PRESENCE_FLUSH_CHUNK clients, then yields to the event loop so that
   * forwarding goes on. Each client gets everything up to the version current when it is
   * visited (clients that register during the pass are visited too: Map iterators reach entries
   * added behind them). At the end, the log is trimmed to the oldest version any client was
   * left at, and another pass is armed if changes came in meanwhile.
   */
  private flushChunk(): void {
    const pass = this.flushPass;
    if (pass === undefined) return;
    const version = this.presence.version;
    for (let n = 0; n < PRESENCE_FLUSH_CHUNK; n++) {
      const next = pass.sessions.next();
      if (next.done) {
        this.flushPass = undefined;
        this.presence.trimTo(Math.min(pass.oldestSeen, version));
        if (pass.oldestSeen < version) this.armPresenceFlush();
        return;
      }
      const s = next.value;
      if (s.presenceSeen !== version) {
        for (const d of this.presence.slice(s.presenceSeen)) {
          if (this.deliver(s, d)) this.presenceDatagrams++;
        }
        s.presenceSeen = version;
      }
      if (s.presenceSeen < pass.oldestSeen) pass.oldestSeen = s.presenceSeen;
    }
    this.flushImmediate = setImmediate(() => this.guard(() => this.flushChunk()));
  }

  private sweep(): void {
    const now = performance.now();
    const cutoff = now - this.idleTimeoutMs;
    for (const s of this.sessions.values()) {
      if (s.lastSeen < cutoff) this.endSession(s, 'timeout', now);
    }
    this.nicks.prune(now);
  }

  // ---------------------------------------------------------------------------------------------
  // Answers

  /** A request from no registered session: NOT_REGISTERED, within the per-IP rate and the 3x rule. */
  private refuseUnregistered(bytes: number, kind: number, srcId: number, rinfo: dgram.RemoteInfo): void {
    this.dropped.notRegistered++;
    if (!this.unvalidated.admit(rinfo.address, performance.now())) {
      this.answersSuppressed++;
      return;
    }
    const addr = this.creditUnvalidated(rinfo, bytes);
    this.sendUnvalidatedError('NOT_REGISTERED', kind, srcId, ERROR_HINTS.NOT_REGISTERED, addr, rinfo);
  }

  private creditUnvalidated(rinfo: dgram.RemoteInfo, bytes: number): string {
    const addr = addressKey(rinfo.address, rinfo.port);
    this.unvalidated.received(addr, bytes);
    this.unvalidatedBytesIn += bytes;
    return addr;
  }

  /** Sends `buf` to an unvalidated address if the 3x allowance covers it. */
  private sendUnvalidated(buf: Buffer, addr: string, rinfo: dgram.RemoteInfo): void {
    if (this.unvalidated.allowance(addr) < buf.length) {
      this.answersSuppressed++;
      return;
    }
    this.unvalidated.sent(addr, buf.length);
    this.unvalidatedBytesOut += buf.length;
    this.sendRaw(buf, rinfo.port, rinfo.address);
  }

  /** An ERROR to an unvalidated address, its message shortened to fit the 3x allowance. */
  private sendUnvalidatedError(
    code: ErrorCode,
    refKind: number,
    refId: number,
    message: string,
    addr: string,
    rinfo: dgram.RemoteInfo,
  ): void {
    const room = this.unvalidated.allowance(addr) - BARE_ERROR_BYTES;
    if (room < 0) {
      this.answersSuppressed++;
      return;
    }
    const text = clip(message, Math.min(room, MAX_ERROR_MESSAGE_BYTES));
    const err = encodeRelayMessage({ kind: Kind.ERROR, code: errorCodeToWire(code), refKind, refId, message: text });
    this.sendUnvalidated(err, addr, rinfo);
  }

  /** An ERROR to a registered client, within its error budget. */
  private sendError(s: Session, code: ErrorCode, refKind: number, refId: number, now: number): void {
    if (!s.errorBucket.take(now)) {
      this.answersSuppressed++;
      return;
    }
    this.sendTo(s, { kind: Kind.ERROR, code: errorCodeToWire(code), refKind, refId: refId >>> 0, message: ERROR_HINTS[code] });
  }

  private sendTo(s: Session, m: RelayMessage): void {
    this.deliver(s, encodeRelayMessage(m, 0, s.id));
  }

  // ---------------------------------------------------------------------------------------------
  // Coalescing (see the header comment)

  /**
   * Sends `buf` to a registered session: queued for this turn's flush if it is small enough to
   * share a BATCH, else at once behind what is queued. False if dropped (queue full).
   * Hot path: no allocation (the queue array is reused), no closure per datagram.
   */
  private deliver(s: Session, buf: Buffer): boolean {
    const len = buf.length;
    if (len > HOT_MAX_COALESCED) {
      // Bulk data: queues wait no longer than MAX_QUEUE_HOLD_MS for the turn's end; this
      // client's own queue goes first in any case, to keep its order.
      if (this.outList.length !== 0 && performance.now() - this.outSince >= MAX_QUEUE_HOLD_MS) this.flushListed();
      else if (s.outQueue.length !== 0) this.flushSession(s);
      this.socket.send(buf, s.port, s.address);
      this.datagramsOut++;
      this.bytesOut += len;
      return true;
    }
    const cost = len + HOT_LENGTH_BYTES;
    if (s.outBytes + cost > this.maxQueuedBytes) {
      this.dropped.clientQueueFull++;
      return false;
    }
    s.outQueue.push(buf);
    const queued = (s.outBytes += cost);
    if (queued > this.outPeakBytes) this.outPeakBytes = queued;
    if (!s.outListed) {
      s.outListed = true;
      if (this.outList.length === 0) this.outSince = performance.now();
      this.outList.push(s);
      if (this.outFlush === undefined) {
        this.outFlush = setImmediate(this.flushQueues);
        this.outReads = 0;
      }
    }
    return true;
  }

  /**
   * Whether this turn's flush should wait for the next turn (see FLUSH_DEFER_MIN_CLIENTS): the
   * turn read a full UDP_READS_PER_TURN (more is waiting), the flush would fan out wide, it has not
   * waited too often or too long yet, and every queue has room for another full turn.
   */
  private deferFlush(): boolean {
    if (this.outReads < UDP_READS_PER_TURN || this.outList.length < FLUSH_DEFER_MIN_CLIENTS) return false;
    if (this.outDeferrals >= MAX_FLUSH_DEFERRALS) return false;
    if (this.outPeakBytes + UDP_READS_PER_TURN * (HOT_MAX_COALESCED + HOT_LENGTH_BYTES) > this.maxQueuedBytes) return false;
    const now = performance.now();
    if (this.outDeferrals === 0) this.outDeferredAt = now;
    else if (now - this.outDeferredAt >= MAX_FLUSH_DEFER_MS) return false;
    return true;
  }

  /** The end of a turn: every queue that received something goes out (sessions that left too). */
  private readonly flushQueues = (): void => {
    if (this.deferFlush()) {
      this.outDeferrals++;
      this.outReads = 0;
      this.outFlush = setImmediate(this.flushQueues);
      return;
    }
    this.flushAll();
  };

  private flushAll(): void {
    this.outFlush = undefined;
    this.outDeferrals = 0;
    this.flushListed();
  }

  /** Sends every listed queue now (the armed flush, if any, still runs and finds them empty). */
  private flushListed(): void {
    this.outPeakBytes = 0;
    const list = this.outList;
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      s.outListed = false;
      if (s.outQueue.length === 0) continue;
      try {
        this.flushSession(s);
      } catch (err) {
        // A send that throws (socket closed under us) must not strand the other queues.
        s.outQueue.length = 0;
        s.outBytes = 0;
        this.internalError(err);
      }
    }
    list.length = 0;
  }

  /**
   * Sends a session's queue in order: greedy runs of datagrams that fit the client's batch size
   * together become one BATCH each; a run of one goes out as it is (a wrapper would only add bytes).
   */
  private flushSession(s: Session): void {
    const q = s.outQueue;
    const n = q.length;
    const max = s.batchMax;
    let i = 0;
    while (i < n) {
      let bytes = HOT_HEADER_BYTES + HOT_LENGTH_BYTES + q[i].length;
      let j = i + 1;
      while (j < n && bytes + HOT_LENGTH_BYTES + q[j].length <= max) bytes += HOT_LENGTH_BYTES + q[j++].length;
      const len = j - i > 1 ? encodeBatchInto(this.batchBuffer, q, s.id, i, j) : -1;
      if (len < 0) {
        // One datagram alone (or, never expected, a run the encoder refused: sent one by one).
        for (; i < j; i++) {
          this.socket.send(q[i], s.port, s.address);
          this.countOut(q[i].length);
        }
        continue;
      }
      this.socket.send(this.batchBuffer, 0, len, s.port, s.address);
      // The kernel normally takes the bytes inside send(). If its buffer was full, libuv queued
      // the send and reads them later: the next batch must go elsewhere. (Reusing one buffer
      // spares a 1-64 KB allocation per batch, megabytes of garbage in a broadcast storm.)
      if (this.socket.getSendQueueCount() !== 0) this.batchBuffer = Buffer.allocUnsafeSlow(LOOPBACK_BATCH_MAX_BYTES);
      this.countOut(len);
      this.batches++;
      this.batchedDatagrams += j - i;
      i = j;
    }
    q.length = 0;
    s.outBytes = 0;
  }

  private sendRaw(buf: Buffer, port: number, address: string): void {
    this.socket.send(buf, port, address);
    this.countOut(buf.length);
  }

  private countOut(bytes: number): void {
    this.datagramsOut++;
    this.bytesOut += bytes;
  }

  private guard(f: () => void): void {
    try {
      f();
    } catch (err) {
      this.internalError(err);
    }
  }

  private internalError(err: unknown): void {
    this.internalErrors++;
    const now = performance.now();
    if (now - this.lastInternalErrorLog < INTERNAL_ERROR_LOG_INTERVAL_MS) return;
    this.lastInternalErrorLog = now;
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    this.log(`internal error (${this.internalErrors} so far): ${text}`);
  }
}

/** verifySignature, but a malformed key (not a point on the curve) is a failed check, not a throw. */
function safeVerify(signPublic: Buffer, data: Buffer, signature: Buffer): boolean {
  try {
    return verifySignature(signPublic, data, signature);
  } catch {
    return false;
  }
}

function peerOf(s: Session): RelayPeer {
  return { id: s.id, nick: s.nick, address: s.address, port: s.port };
}

function positive(v: number | undefined, fallback: number, what: string): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${what} must be a positive number, got ${String(v)}`);
  return v;
}

/**
 * BATCH_MAX_BYTES, or LOOPBACK_BATCH_MAX_BYTES for a loopback address (as the socket reports it:
 * IPv4 127.0.0.0/8, IPv6 ::1, or IPv4-mapped ::ffff:127.x.y.z on a dual-stack socket).
 */
function batchMaxFor(address: string): number {
  const loopback = address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
  return loopback ? LOOPBACK_BATCH_MAX_BYTES : BATCH_MAX_BYTES;
}

function hexId(id: number): string {
  return id.toString(16).padStart(8, '0');
}

function kib(bytes: number): number {
  return Math.round(bytes / 1024);
}
