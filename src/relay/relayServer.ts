/**
 * RelayServer: registers devices under nicknames and forwards datagrams between clients over one
 * UDP socket. It is four parts behind one class (docs/protocol.md "Several relays"):
 *
 *   transport  relayTransport.ts  the socket, counters, per-client queues and BATCH coalescing
 *   admission  admission.ts       cookies, the 3x rule, per-IP budgets, signatures, nickname rules
 *   directory  directory.ts       who is online under which nickname on which relay: atomic
 *                                 register/move/rename, a local view for lookups and roster pages,
 *                                 a versioned presence stream (memoryDirectory.ts by default,
 *                                 redisDirectory.ts for a cluster)
 *   router     router.ts          local clients by session id; delivers, or forwards to the relay
 *                                 that holds the session (mesh.ts)
 *
 * and the presence fan-out (presenceFanout.ts). Without a cluster nothing leaves this process.
 *
 * All relay → client messages have src = 0; dst is the client's session id, or 0 before it has
 * one (COOKIE, REGISTER refusals, NOT_REGISTERED), or DST_BROADCAST for PRESENCE (one shared
 * datagram per slice).
 *
 * Datagram handling. The 'message' handler never throws (a try/catch counts bugs as
 * internalErrors). Short or wrong-magic datagrams, bodies that do not parse, unknown kinds,
 * other protocol versions (no answer: the ERROR format belongs to a version) and kinds only
 * the relay sends are counted in stats().dropped and dropped without an answer.
 *
 * REGISTER. Admission's checks first (admission.ts: cookie → BAD_COOKIE, secret → BAD_SECRET,
 * the device's signature and the identity's certificate → BAD_SIGNATURE, nickname rules →
 * NICK_INVALID). A device that has a session on this relay under the same nickname gets it back
 * here without asking the directory (a retransmitted REGISTER, a new source port, a network
 * change): same id, address updated, no presence; a REGISTER that moves it to another address
 * must carry a cookie no older than the one that bound the current address (else BAD_COOKIE), so
 * a REGISTER captured earlier and replayed from the old address within the cookie lifetime cannot
 * pull the session back. Otherwise the directory decides, atomically (directory.ts): nickname held
 * by another identity (live or reserved) → NICK_TAKEN; another nickname while another device of
 * the identity is online → NICK_MISMATCH; the device's session again, or renamed (same id,
 * PRESENCE old offline then new online), or moved here from another relay of the cluster (same id,
 * no presence); a new session, or one moving in, beyond maxClients → RELAY_FULL. A cluster relay that cannot reach
 * Redis answers DIRECTORY_UNAVAILABLE. Refusals go to the REGISTER's source with refKind
 * REGISTER, refId 0. While the directory works on one REGISTER of a device, its retransmissions
 * are not asked again.
 *
 * Members and devices (docs/protocol.md "Members and devices"). A session is one device. A
 * nickname is bound to the identity, and any number of its devices may hold sessions under it at
 * once. A nickname is bound to its identity while any device is online; after the last one times
 * out it stays reserved for NICK_RESERVE_MS (only that identity can take it back); the last LEAVE
 * releases it at once. Session ids are random in [1, 0xFFFFFFFE], unique among live sessions (in a
 * cluster: of all relays).
 *
 * REGISTERED { session, rosterVersion, keepaliveMs, idleTimeoutMs, devices (the member's devices
 * online), observed address, nick (NFKC as the relay holds it; the member's first spelling) }.
 *
 * Roster (rosterOrder.ts). ROSTER_REQ { offset } → ROSTER { version, total, offset, entries }
 * in join order, each page <= ROSTER_PAGE_BYTES of body, at the version current when served,
 * from the directory's view. A client fetches offsets 0, +entries.length, ... until it holds
 * `total` (it may pipeline the requests). To get a consistent roster while others join and leave:
 * keep the PRESENCE datagrams that arrive meanwhile, take the union of the pages, set the version
 * to the smallest page version, apply the kept changes above it (an online change sets an entry,
 * offline removes it; both are idempotent), and check that the count equals the `total` of the
 * page with the highest version after applying changes up to that version; if not (an entry
 * shifted across a page boundary between two requests), fetch again.
 *
 * Keepalive and idle. Every datagram from a session (peer or relay kind) refreshes its
 * lastSeen. One sweep timer (every SWEEP_INTERVAL_MS, or idleTimeout/4 if shorter) drops
 * sessions idle longer than idleTimeoutMs: announced offline, nickname reserved.
 * PING { token } → PONG { token, rosterVersion }. LEAVE → BYE { code 0 }, offline at once.
 * close() → BYE { RELAY_SHUTDOWN } to every client, then the socket closes.
 *
 * KEY_REQ { id } (or id 0 and nick: any device of the member) → KEY_INFO { id, cert, nick } or ERROR
 * UNKNOWN_PEER (refKind KEY_REQ, refId the requested id), from the directory's view (any relay's
 * device).
 *
 * Relay requests (PING, ROSTER_REQ, LEAVE, KEY_REQ) whose src is not a session bound to their
 * source address are unregistered traffic: NOT_REGISTERED { refKind kind, refId src }, per-IP
 * bucket, 3x rule. A client should re-register on NOT_REGISTERED only when refId is its own
 * session (a datagram whose src was corrupted on the way also draws one).
 */
import { fastLookup } from '../protocol/fastLookup';
import { EventEmitter } from 'node:events';
import * as dgram from 'node:dgram';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ErrorCode, ERROR_HINTS, errorCodeToWire } from '../protocol/errors';
import { FIRST_PEER_KIND, FLAG_CHECKED, Kind, LAST_PEER_KIND } from '../protocol/header';
import {
  BROADCAST_RATE_BURST,
  BROADCAST_RATE_PER_SEC,
  CLIENT_IDLE_TIMEOUT_MS,
  CLIENT_RATE_BURST,
  CLIENT_RATE_PER_SEC,
  HEADER_BYTES,
  KEEPALIVE_INTERVAL_MS,
  MAGIC,
  MAX_CLIENTS,
  PROTOCOL_VERSION,
  UNREGISTERED_RATE_BURST,
  UNREGISTERED_RATE_PER_SEC,
} from '../protocol/limits';
import { nicknameKey } from '../protocol/nickname';
import { decodeRelayMessage, encodeRelayMessage, RelayMessage } from '../protocol/relayMessages';
import { Admission, AdmittedRegister } from './admission';
import { describeBindError } from './bindError';
import type { Directory, DirectoryChange, DirectoryEntry, RegisterOutcome } from './directory';
import { MemoryDirectory } from './memoryDirectory';
import { PresenceFanout } from './presenceFanout';
import {
  CLOSE_FLUSH_TIMEOUT_MS,
  DEFAULT_RELAY_HOST,
  DEFAULT_RELAY_PORT,
  INTERNAL_ERROR_LOG_INTERVAL_MS,
  MAX_QUEUED_BYTES_PER_CLIENT,
  MIN_SWEEP_INTERVAL_MS,
  NICK_RESERVE_MS,
  RELAY_SOCKET_BUFFER_BYTES,
  SESSION_ERROR_RATE_BURST,
  SESSION_ERROR_RATE_PER_SEC,
  SWEEP_INTERVAL_MS,
  SWEEPS_PER_IDLE_TIMEOUT,
} from './relayLimits';
import { DropReason, emptyDropCounts, RelayStats } from './relayStats';
import { batchMaxFor, RelayTransport } from './relayTransport';
import { Router } from './router';
import type { Session } from './session';
import { TokenBucket } from './tokenBucket';
import { TransitMeeting, TransitServer } from './transit';

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
  /**
   * Check our own messages for the clients that ask (default true; docs/protocol.md "Checked
   * relay messages"). False makes this relay answer as one from before them did: for tests that
   * a new client still works with an old relay.
   */
  checkedMessages?: boolean;
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
  /** Be one relay of a cluster (Redis URL and cluster secret); without it nothing leaves this process. */
  cluster?: ClusterOptions;
}

/** A client as reported in events. */
export interface RelayPeer {
  id: number;
  nick: string;
  address: string;
  port: number;
}

export type LeaveReason = 'leave' | 'timeout' | 'renamed' | 'moved away';

export interface RelayEvents {
  join: [RelayPeer];
  leave: [RelayPeer & { reason: LeaveReason }];
  /** A session came back from a new address (same key, same id), or moved here from another relay. */
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

/** The parts of a relay, as the cluster (cluster.ts) attaches its mesh to them. */
export interface RelayInternals {
  relay: RelayServer;
  transport: RelayTransport;
  router: Router;
  admission: Admission;
  dropped: Record<DropReason, number>;
}

/** How the relay is built: the parts a cluster swaps (cluster.ts). */
export interface RelayParts {
  /** The directory (default: a MemoryDirectory, nothing shared). */
  directory?: Directory;
  /** Called once the socket is bound and the parts exist (the cluster attaches its mesh here). */
  attach?: (internals: RelayInternals) => void;
  /** A relay of a cluster: how its transit port meets lanes with the other relays (transit.ts). */
  meeting?: TransitMeeting;
}

/** A relay of a cluster of relays sharing one Redis (docs/protocol.md "Several relays"). */
export interface ClusterOptions {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** Shared by the cluster's relays: authenticates the datagrams between them. */
  secret: string;
  /** Where the other relays reach this one (default: the listening address, or this machine's first non-loopback IPv4 if that is 0.0.0.0). */
  advertiseHost?: string;
}

export class RelayServer extends EventEmitter<RelayEvents> {
  private readonly transport: RelayTransport;
  private readonly admission: Admission;
  private readonly directory: Directory;
  private readonly router: Router;
  private readonly fanout: PresenceFanout;
  /** This relay's clients (the router's table). */
  private readonly sessions: Map<number, Session>;
  /** Devices whose REGISTER the directory is working on (their retransmissions wait for it). */
  private readonly registering = new Set<string>();
  /** REGISTERs under way in the directory for devices without a session here (each may take a place). */
  private placesPending = 0;

  private readonly log: (line: string) => void;
  private readonly idleTimeoutMs: number;
  private readonly keepaliveMs: number;
  private readonly maxClients: number;
  private readonly checksMessages: boolean;
  private readonly clientRate: { perSec: number; burst: number };
  private readonly broadcastRate: { perSec: number; burst: number };

  private readonly sweepTimer: NodeJS.Timeout;
  private closing: Promise<void> | undefined;
  private lastInternalErrorLog = -Infinity;
  private internalErrors = 0;
  private answersSuppressed = 0;
  private readonly dropped = emptyDropCounts();
  /** The transit port (null if TCP on the relay's port could not be bound). */
  private transit: TransitServer | null = null;

  private constructor(
    private readonly socket: dgram.Socket,
    opts: RelayOptions,
    parts: RelayParts,
    private readonly socketBuffers: { asked: number; recv: number; send: number },
  ) {
    super();
    const secret = opts.secret === undefined || opts.secret === '' ? undefined : opts.secret;
    this.log = opts.log ?? (() => {});
    this.idleTimeoutMs = positive(opts.idleTimeoutMs, CLIENT_IDLE_TIMEOUT_MS, 'idleTimeoutMs');
    this.keepaliveMs = positive(
      opts.keepaliveMs,
      Math.max(1, Math.min(KEEPALIVE_INTERVAL_MS, Math.floor(this.idleTimeoutMs / 4))),
      'keepaliveMs',
    );
    this.maxClients = positive(opts.maxClients, MAX_CLIENTS, 'maxClients');
    this.checksMessages = opts.checkedMessages !== false;
    const unreg = opts.unregisteredRate ?? { perSec: UNREGISTERED_RATE_PER_SEC, burst: UNREGISTERED_RATE_BURST };
    this.clientRate = opts.clientRate ?? { perSec: CLIENT_RATE_PER_SEC, burst: CLIENT_RATE_BURST };
    this.broadcastRate = opts.broadcastRate ?? { perSec: BROADCAST_RATE_PER_SEC, burst: BROADCAST_RATE_BURST };
    const maxQueued = positive(opts.maxQueuedBytesPerClient, MAX_QUEUED_BYTES_PER_CLIENT, 'maxQueuedBytesPerClient');

    this.transport = new RelayTransport(socket, maxQueued, this.dropped, this.handleDatagram, (err) => this.internalError(err));
    this.admission = new Admission(this.transport, secret, unreg, this.dropped, (deviceKey) => this.router.byDevice.has(deviceKey));
    this.directory = parts.directory ?? new MemoryDirectory(opts.nickReserveMs ?? NICK_RESERVE_MS);
    this.router = new Router(this.transport, this.directory.view, this.admission, this.dropped, this.directory.relayId);
    this.sessions = this.router.sessions;
    this.fanout = new PresenceFanout(this.sessions, (s, d) => this.transport.deliver(s, d), (f) => this.guard(f));
    this.fanout.jump(this.directory.view.version);
    this.directory.on('change', (c) => this.guard(() => this.onDirectoryChange(c)));
    this.directory.on('jump', (v) => this.guard(() => this.onDirectoryJump(v)));
    this.directory.on('moved', (e, from) => this.guard(() => this.onDirectoryMove(e, from)));
    this.directory.on('log', (line) => this.log(line));

    const sweepEvery = Math.max(
      MIN_SWEEP_INTERVAL_MS,
      Math.min(SWEEP_INTERVAL_MS, Math.floor(this.idleTimeoutMs / SWEEPS_PER_IDLE_TIMEOUT)),
    );
    this.sweepTimer = setInterval(() => this.guard(() => this.sweep()), sweepEvery);
    this.sweepTimer.unref();
    parts.attach?.({ relay: this, transport: this.transport, router: this.router, admission: this.admission, dropped: this.dropped });
  }

  /** Binds the socket and starts serving. Rejects with a RelayStartError if it cannot listen. */
  static async start(opts: RelayOptions = {}, parts: RelayParts = {}): Promise<RelayServer> {
    if (opts.cluster !== undefined && parts.directory === undefined) {
      // Loaded only for a cluster: a relay on its own never loads the Redis client. (require,
      // not import(): this is CommonJS, and a dynamic import() would go to the ESM loader.)
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startClusterRelay } = require('./cluster') as typeof import('./cluster');
      return startClusterRelay(opts, opts.cluster);
    }
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
    const server = new RelayServer(socket, opts, parts, buffers);
    server.log(
      `socket buffers: receive ${kib(buffers.recv)} KiB, send ${kib(buffers.send)} KiB (asked ${kib(asked)} KiB)`,
    );
    await server.startTransit(host, socket.address().port, parts.meeting);
    return server;
  }

  /**
   * Opens the transit port (TCP on the relay's own address and port, docs/protocol.md "Stream
   * lanes"). A port taken for TCP leaves the relay without transit (clients then send files as
   * datagrams through it), never without its service.
   */
  private async startTransit(host: string, port: number, meeting: TransitMeeting | undefined): Promise<void> {
    try {
      this.transit = await TransitServer.start({ host, port, isClientAddress: (ip) => this.hasClientAt(ip), meeting, log: this.log });
    } catch (err) {
      this.log(`transit port unavailable (TCP ${host}:${port}: ${(err as Error).message}); files go through as datagrams`);
    }
  }

  /** Whether a registered client of this relay sends from `ip`. */
  private hasClientAt(ip: string): boolean {
    for (const s of this.sessions.values()) if (s.address === ip) return true;
    return false;
  }

  /** Where the relay listens (the real port when started with port 0). */
  address(): { host: string; port: number } {
    return this.transport.address();
  }

  stats(): RelayStats {
    const t = this.transport;
    const r = this.router;
    const d = this.directory.stats();
    return {
      clients: this.sessions.size,
      rosterVersion: this.fanout.version,
      nickReservations: d.nickReservations,
      datagramsIn: t.datagramsIn,
      bytesIn: t.bytesIn,
      datagramsOut: t.datagramsOut,
      bytesOut: t.bytesOut,
      forwarded: r.forwarded,
      forwardedBytes: r.forwardedBytes,
      broadcasts: r.broadcasts,
      presenceDatagrams: this.fanout.datagrams,
      batches: t.batches,
      batchedDatagrams: t.batchedDatagrams,
      unvalidatedBytesIn: this.admission.unvalidatedBytesIn,
      unvalidatedBytesOut: this.admission.unvalidatedBytesOut,
      answersSuppressed: this.answersSuppressed + this.admission.answersSuppressed + r.answersSuppressed,
      internalErrors: this.internalErrors,
      dropped: { ...this.dropped },
      socketBuffers: { ...this.socketBuffers },
      transit: this.transit?.stats(),
      cluster:
        this.directory.relayId === ''
          ? undefined
          : {
              relayId: this.directory.relayId,
              directoryAvailable: d.available,
              chatClients: this.directory.view.size,
              relays: d.relays,
              forwardedOut: r.meshOut,
              forwardedOutBytes: r.meshOutBytes,
              forwardedIn: r.meshIn,
              forwardedInBytes: r.meshInBytes,
              meshDatagramsOut: r.mesh?.datagramsOut ?? 0,
              meshDatagramsIn: r.mesh?.datagramsIn ?? 0,
            },
    };
  }

  /**
   * Replaces the invitation secret at runtime (docs/security.md "Rotating the invitation"): new
   * devices must prove the new one (BAD_SECRET otherwise); sessions already live stay, and may
   * re-register with the secret they joined with. Undefined or '' admits anyone from now on.
   */
  setSecret(secret: string | undefined): void {
    const next = secret === undefined || secret === '' ? undefined : secret;
    if (!this.admission.setSecret(next)) return;
    this.log(next === undefined ? 'invitation secret removed: anyone may join' : 'invitation secret changed: earlier invitations no longer admit new devices');
  }

  /** Whether REGISTER must prove an invitation secret. */
  get hasSecret(): boolean {
    return this.admission.hasSecret;
  }

  /** Registered clients of this relay now (id, nick, address). */
  clients(): RelayPeer[] {
    return [...this.sessions.values()].map(peerOf);
  }

  /** The directory (tests and the cluster entry read its view). */
  get directoryView(): Directory['view'] {
    return this.directory.view;
  }

  /**
   * Tells every client BYE { RELAY_SHUTDOWN }, waits (at most CLOSE_FLUSH_TIMEOUT_MS) until the
   * datagrams have left, then closes the socket. Idempotent. A cluster relay leaves its clients'
   * sessions in the directory, so that they keep them on the relay they move to.
   */
  close(reason = 'shutting down'): Promise<void> {
    if (!this.closing) this.closing = this.shutdown(reason);
    return this.closing;
  }

  private async shutdown(reason: string): Promise<void> {
    clearInterval(this.sweepTimer);
    this.fanout.stop();
    void this.transit?.close();
    this.transport.stopReceiving();
    // What was queued this turn goes out before the BYEs, in order.
    this.transport.flushAll();
    const clients = [...this.sessions.values()];
    this.log(`relay closing (${reason}): telling ${clients.length} client(s)`);
    const code = errorCodeToWire('RELAY_SHUTDOWN');
    await new Promise<void>((resolve) => {
      if (clients.length === 0) return resolve();
      const timer = setTimeout(resolve, CLOSE_FLUSH_TIMEOUT_MS);
      timer.unref();
      clients.forEach((s, i) => {
        const bye = encodeRelayMessage({ kind: Kind.BYE, code }, 0, s.id, s.checked === true);
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
          this.transport.countOut(bye.length);
        } catch {
          done?.();
        }
      });
    });
    this.sessions.clear();
    this.router.byDevice.clear();
    await this.directory.close();
    await this.transport.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Datagram dispatch

  private readonly handleDatagram = (buf: Buffer, rinfo: dgram.RemoteInfo): void => {
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
    if (kind >= HOT_FIRST_PEER_KIND && kind <= HOT_LAST_PEER_KIND) this.router.forward(buf, kind, rinfo);
    else if (kind === Kind.MESH && this.onMesh !== undefined) this.onMesh(buf, rinfo);
    else this.handleRelayMessage(buf, rinfo);
  };

  /** The cluster mesh's receiver (mesh.ts), if this relay is part of a cluster. */
  onMesh: ((buf: Buffer, rinfo: dgram.RemoteInfo) => void) | undefined;

  private handleRelayMessage(buf: Buffer, rinfo: dgram.RemoteInfo): void {
    const d = decodeRelayMessage(buf);
    if (!d.ok) {
      // BATCH and MESH have codecs of their own, and only relays send them.
      if (buf[2] === Kind.BATCH || buf[2] === Kind.MESH) this.dropped.unexpectedKind++;
      else this.dropped[d.reason === 'kind' ? 'unknownKind' : 'malformed']++;
      return;
    }
    const m = d.msg;
    switch (m.kind) {
      case Kind.HELLO:
        this.admission.onHello(m, buf.length, rinfo, this.checksMessages && (d.header.flags & FLAG_CHECKED) !== 0);
        return;
      case Kind.REGISTER:
        this.onRegister(m, buf.length, rinfo, this.checksMessages && (d.header.flags & FLAG_CHECKED) !== 0);
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
      this.admission.refuseUnregistered(buf.length, m.kind, d.header.src, rinfo);
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
        this.router.sendTo(s, { kind: Kind.PONG, token: m.token, rosterVersion: this.fanout.version >>> 0 });
        return;
      case Kind.ROSTER_REQ:
        this.transport.deliver(s, this.directory.view.roster.page(m.offset, this.fanout.version, s.id));
        return;
      case Kind.LEAVE:
        // BYE once the directory has freed the nickname (at once without a cluster): whoever the
        // client tells next finds it free on any relay.
        this.endSession(s, 'leave', now).then(
          () => this.router.sendTo(s, { kind: Kind.BYE, code: 0 }),
          (err: unknown) => this.internalError(err),
        );
        return;
      case Kind.KEY_REQ:
        this.onKeyRequest(s, m, now);
        return;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Registration

  /** `checked`: the REGISTER asked for checked relay messages (docs/protocol.md "Checked relay messages"). */
  private onRegister(m: RelayMsg<typeof Kind.REGISTER>, bytes: number, rinfo: dgram.RemoteInfo, checked: boolean): void {
    const a = this.admission.checkRegister(m, bytes, rinfo, checked);
    if (a === undefined) return;
    const now = performance.now();
    const local = this.router.byDevice.get(a.deviceKey);
    const moving = local !== undefined && (local.port !== rinfo.port || local.address !== rinfo.address);
    if (local !== undefined && local.ownerKey === a.ownerKey) {
      if (moving && a.cookieSeconds < local.cookieSeconds) {
        // An older REGISTER replayed from another address: the client itself has moved on since.
        return this.admission.refuse('badCookie', 'BAD_COOKIE', ERROR_HINTS.BAD_COOKIE, rinfo, checked);
      }
      if (local.nickKey === a.nickKey) {
        // The device's own session on this relay: nothing for the directory to decide.
        if (moving) local.cookieSeconds = a.cookieSeconds;
        this.directory.renewCertificate(local.id, a.cert);
        this.bindAddress(local, rinfo, now);
        local.checked = checked;
        this.sendRegistered(local, this.directory.view.member(a.ownerKey)?.devices.size ?? 1, rinfo);
        return;
      }
    }
    if (this.registering.has(a.deviceKey)) return; // the directory is on it; the answer follows
    if (!this.directory.available) {
      return this.admission.refuse('directoryUnavailable', 'DIRECTORY_UNAVAILABLE', ERROR_HINTS.DIRECTORY_UNAVAILABLE, rinfo, checked);
    }
    this.registering.add(a.deviceKey);
    // A device this relay does not serve takes a place here whatever the directory makes of it (a
    // new session, or one moving in from another relay of the cluster): places are counted with
    // the registrations still under way, so that concurrent ones never take the relay past
    // maxClients (docs/protocol.md "Registration").
    const takesPlace = local === undefined;
    const request = {
      ...a,
      moving,
      allowNew: !takesPlace || this.sessions.size + this.placesPending < this.maxClients,
      now,
    };
    if (takesPlace) this.placesPending++;
    const settled = (): void => {
      this.registering.delete(a.deviceKey);
      if (takesPlace) this.placesPending--;
    };
    this.directory.register(request).then(
      (outcome) => {
        settled();
        this.guard(() => this.registered(outcome, a, rinfo, checked));
      },
      (err: unknown) => {
        settled();
        this.log(`directory: REGISTER failed: ${err instanceof Error ? err.message : String(err)}`);
        if (this.closing === undefined) {
          this.admission.refuse('directoryUnavailable', 'DIRECTORY_UNAVAILABLE', ERROR_HINTS.DIRECTORY_UNAVAILABLE, rinfo, checked);
        }
      },
    );
  }

  /** The directory's answer to a REGISTER. */
  private registered(outcome: RegisterOutcome, a: AdmittedRegister, rinfo: dgram.RemoteInfo, checked: boolean): void {
    if (this.closing !== undefined) return;
    if (!outcome.ok) {
      const [reason, message] = refusalText(outcome);
      this.admission.refuse(reason, outcome.code, message, rinfo, checked);
      return;
    }
    const now = performance.now();
    const e = outcome.entry;
    let s = this.sessions.get(e.id);
    if (s === undefined) {
      // A stale session of this device under another id (the directory reloaded): replaced.
      const stale = this.router.byDevice.get(a.deviceKey);
      if (stale !== undefined) this.dropLocal(stale, 'moved away');
      s = this.createSession(e, rinfo, now, outcome.kind);
    } else {
      this.bindAddress(s, rinfo, now);
      if (s.nickKey !== e.nickKey) {
        const old = peerOf(s);
        s.nick = e.nick;
        s.nickKey = e.nickKey;
        this.log(`rename ${old.nick} → ${s.nick} (session ${hexId(s.id)})`);
        this.emit('leave', { ...old, reason: 'renamed' });
        this.emit('join', peerOf(s));
      }
    }
    s.cookieSeconds = Math.max(s.cookieSeconds, a.cookieSeconds);
    s.checked = checked;
    this.sendRegistered(s, outcome.devices, rinfo);
  }

  private sendRegistered(s: Session, devices: number, rinfo: dgram.RemoteInfo): void {
    // The client's PRESENCE stream continues from the version REGISTERED reports.
    s.presenceSeen = this.fanout.version;
    this.router.sendTo(s, {
      kind: Kind.REGISTERED,
      session: s.id,
      rosterVersion: this.fanout.version >>> 0,
      keepaliveMs: this.keepaliveMs,
      idleTimeoutMs: this.idleTimeoutMs,
      devices: Math.min(devices, 0xffff),
      observed: { address: rinfo.address, port: rinfo.port },
      nick: s.nick,
    });
  }

  private createSession(e: DirectoryEntry, rinfo: dgram.RemoteInfo, now: number, kind: string): Session {
    const s: Session = {
      id: e.id,
      address: rinfo.address,
      port: rinfo.port,
      deviceKey: e.deviceKey,
      deviceTag: e.deviceTag,
      ownerKey: e.ownerKey,
      nick: e.nick,
      nickKey: e.nickKey,
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
    this.router.add(s);
    const devices = this.directory.view.member(e.ownerKey)?.devices.size ?? 1;
    const more = devices > 1 ? ` (device ${devices} of this member)` : '';
    if (kind === 'moved') {
      this.log(`moved in ${s.nick}${more} (session ${hexId(s.id)}) from another relay, at ${s.address}:${s.port}; ${this.sessions.size} here`);
      this.emit('moved', peerOf(s));
    } else {
      this.log(`join ${s.nick}${more} (session ${hexId(s.id)}) from ${s.address}:${s.port}; ${this.sessions.size} online`);
      this.emit('join', peerOf(s));
    }
    return s;
  }

  /** The same device from where it registers now: same session, maybe a new address. */
  private bindAddress(s: Session, rinfo: dgram.RemoteInfo, now: number): void {
    s.lastSeen = now;
    if (s.port !== rinfo.port || s.address !== rinfo.address) {
      s.address = rinfo.address;
      s.port = rinfo.port;
      s.batchMax = batchMaxFor(s.address);
      this.log(`moved ${s.nick} (session ${hexId(s.id)}) to ${s.address}:${s.port}`);
      this.emit('moved', peerOf(s));
    }
  }

  private endSession(s: Session, reason: 'leave' | 'timeout', now: number): Promise<void> {
    this.router.remove(s);
    const done = this.directory.end(s.id, reason, now);
    this.log(`leave ${s.nick} (session ${hexId(s.id)}): ${reason}; ${this.sessions.size} online`);
    this.emit('leave', { ...peerOf(s), reason });
    return done;
  }

  /** Forgets a session here without ending it in the directory (it lives on elsewhere, or is gone). */
  private dropLocal(s: Session, reason: LeaveReason): void {
    this.router.remove(s);
    this.log(`${reason}: ${s.nick} (session ${hexId(s.id)}); ${this.sessions.size} here`);
    this.emit('leave', { ...peerOf(s), reason });
  }

  private onDirectoryChange(c: DirectoryChange): void {
    this.fanout.record(c.version, c.online, c.entry.id, c.entry.deviceTag, c.entry.nick);
    if (!c.online) {
      // Ended elsewhere (another relay reaped it while this one was cut off): not ours any more.
      const s = this.sessions.get(c.entry.id);
      if (s !== undefined && this.directory.view.get(s.id) === undefined) this.dropLocal(s, 'moved away');
    }
  }

  /** The view was reloaded (or skipped a version): sessions here it no longer gives this relay are gone. */
  private onDirectoryJump(version: number): void {
    this.fanout.jump(version);
    const view = this.directory.view;
    for (const s of this.sessions.values()) {
      const e = view.get(s.id);
      if (e === undefined || e.relay !== this.directory.relayId || e.deviceKey !== s.deviceKey) this.dropLocal(s, 'moved away');
    }
  }

  private onDirectoryMove(e: DirectoryEntry, from: string): void {
    if (e.relay === this.directory.relayId) return;
    const s = this.sessions.get(e.id);
    // The device registered on another relay: it is there now, and its datagrams go there.
    if (s !== undefined && from === this.directory.relayId) this.dropLocal(s, 'moved away');
  }

  private onKeyRequest(s: Session, m: RelayMsg<typeof Kind.KEY_REQ>, now: number): void {
    const view = this.directory.view;
    const target = m.id !== 0 ? view.get(m.id) : view.anyDeviceOf(nicknameKey(m.nick));
    if (target === undefined) {
      this.dropped.unknownPeer++;
      this.router.sendError(s, 'UNKNOWN_PEER', Kind.KEY_REQ, m.id, now);
      return;
    }
    this.router.sendTo(s, { kind: Kind.KEY_INFO, id: target.id, cert: target.cert, nick: target.nick });
  }

  private sweep(): void {
    const now = performance.now();
    const cutoff = now - this.idleTimeoutMs;
    for (const s of this.sessions.values()) {
      if (s.lastSeen < cutoff) void this.endSession(s, 'timeout', now);
    }
    this.directory.sweep(now);
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

/** The drop reason and the sentence for a directory refusal. */
function refusalText(o: Extract<RegisterOutcome, { ok: false }>): [DropReason, string] {
  switch (o.code) {
    case 'NICK_TAKEN':
      return [
        'nickTaken',
        o.reservedForMs === undefined
          ? ERROR_HINTS.NICK_TAKEN
          : `That nickname was in use moments ago and is held for its owner for ${Math.max(1, Math.ceil(o.reservedForMs / 1000))} more seconds. Pick another one.`,
      ];
    case 'NICK_MISMATCH':
      return [
        'nickMismatch',
        `You are online as ${o.nick} on ${o.others === 1 ? 'another device' : `${o.others} other devices`}. Join as ${o.nick}, or leave there first.`,
      ];
    default:
      return [dropReasonOf(o.code), ERROR_HINTS[o.code]];
  }
}

function dropReasonOf(code: ErrorCode): DropReason {
  switch (code) {
    case 'BAD_COOKIE':
      return 'badCookie';
    case 'RELAY_FULL':
      return 'relayFull';
    case 'DIRECTORY_UNAVAILABLE':
      return 'directoryUnavailable';
    default:
      return 'badSignature';
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

export function hexId(id: number): string {
  return id.toString(16).padStart(8, '0');
}

function kib(bytes: number): number {
  return Math.round(bytes / 1024);
}
