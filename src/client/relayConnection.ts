import { fastLookup } from '../protocol/fastLookup';
import * as dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { signData } from '../crypto/identity';
import { Device, DeviceCertificate, freshCertificate } from '../crypto/deviceCertificate';
import { secretProof } from '../relay/secretProof';
import { ErrorCode, ERROR_HINTS, PeerChatError, errorCodeFromWire } from '../protocol/errors';
import { FLAG_CHECKED, Header, Kind, isPeerKind, readHeader } from '../protocol/header';
import { DST_RELAY, KEEPALIVE_INTERVAL_MS, MAX_DATAGRAM_BYTES } from '../protocol/limits';
import { decodeBatch } from '../protocol/relayBatch';
import {
  HELLO_TOKEN_BYTES,
  RelayMessage,
  RosterEntry,
  SECRET_PROOF_BYTES,
  appendCheck,
  decodeRelayMessage,
  encodeRelayMessage,
  registerSignedBytes,
} from '../protocol/relayMessages';
import { LivenessMonitor } from './livenessMonitor';
import { RelayList, type RelayTarget } from './relayList';
import { RosterAssembler, RosterStep } from './rosterAssembler';
import { TimerDriver } from './timerDriver';
import { TypedEmitter } from './typedEmitter';

/** First retransmission interval of HELLO/REGISTER/ROSTER_REQ (ms); doubles up to the cap. */
const RETRY_INITIAL_MS = 250;
const RETRY_MAX_MS = 2_000;
/**
 * How long a roster fetch that has all its pages waits for PRESENCE it needs to stitch them
 * (ms). The relay coalesces PRESENCE for up to clients / 50,000 s (200 ms at 10,000 clients);
 * past this, a PRESENCE was lost and the fetch starts over.
 */
const ROSTER_STITCH_WAIT_MS = 1_000;
/** Shortest keepalive interval we follow, whatever REGISTERED says (ms): a floor on our own traffic. */
const MIN_KEEPALIVE_MS = 250;
/** Socket buffers we ask for; the kernel may grant less (read back in `recvBufferBytes`). */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
/** Relay errors that end a registration attempt for good: retrying cannot help. */
const FATAL_REGISTER_ERRORS: ReadonlySet<ErrorCode> = new Set([
  'NICK_TAKEN',
  'NICK_INVALID',
  'NICK_MISMATCH',
  'BAD_SECRET',
  'BAD_SIGNATURE',
  'RELAY_FULL',
]);
/**
 * Fatal refusals a REGISTER damaged in transit also earns (a flipped bit breaks its signature, its
 * secret proof or its nickname; UDP's 16-bit checksum misses some): the same REGISTER is sent
 * again this many times before the refusal is believed. A real refusal comes back every time, so
 * it costs a few round trips; a damaged datagram no longer ends a join (docs/protocol.md
 * "Registration").
 */
const TRANSIT_SUSPECT_ERRORS: ReadonlySet<ErrorCode> = new Set(['BAD_SIGNATURE', 'BAD_SECRET', 'NICK_INVALID']);
const TRANSIT_RETRIES = 2;

/** A device online at the relay: its session (a route), its tag (hex; names the device) and its member's nickname. */
export interface PeerInfo {
  id: number;
  device: string;
  nick: string;
}

/** A device's keys as the relay vouches for them: check `cert` before using them. */
export interface PeerKeys {
  id: number;
  nick: string;
  cert: DeviceCertificate;
}

export interface RelayConnectionEvents {
  /** Registered (first time or again after the relay came back). `fresh`: new session id. */
  registered: { nick: string; session: number; fresh: boolean; devices: number; observed: { address: string; port: number } };
  state: { state: 'connecting' | 'registered' | 'unreachable' | 'left' };
  /** The roster changed: full list after a (re)fetch. */
  roster: { peers: PeerInfo[] };
  /** A device joined or left (per session; ChatClient groups devices into members). */
  presence: { peer: PeerInfo; online: boolean };
  /** An error the relay reported, or RELAY_UNREACHABLE. */
  error: { code: ErrorCode; message: string; refKind: number; refId: number };
  /**
   * A datagram from another client (kinds 0x40–0x7F): through the relay, or straight from the
   * peer's address (`direct`: a direct path, docs/protocol.md "Direct paths").
   */
  peer: { header: Header; datagram: Buffer; from: { address: string; port: number }; direct: boolean };
  /** Registration failed for a reason retrying cannot fix (NICK_TAKEN, BAD_SECRET…). */
  fatal: { error: PeerChatError };
}

export interface RelayConnectionOptions {
  /** The relay, and for a cluster the other relays to move to when it stops answering (relayList.ts). */
  relay: RelayTarget;
  nick: string;
  /** This client as a device of its identity (deviceCertificate.ts). */
  device: Device;
  secret?: string;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

type Phase = 'hello' | 'register' | 'registered' | 'left';

/**
 * The client's link to the relay: address validation (HELLO/COOKIE), signed registration,
 * keepalives, noticing an unreachable relay and re-registering by itself when it is back,
 * and the roster (paged fetch + versioned presence). Carries peer datagrams both ways.
 */
export class RelayConnection extends TypedEmitter<RelayConnectionEvents> {
  private readonly socket: dgram.Socket;
  private phase: Phase = 'hello';
  private helloToken = randomBytes(HELLO_TOKEN_BYTES);
  private registerDatagram: Buffer | null = null;
  private retryMs = RETRY_INITIAL_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Probing and the unreachable verdict (livenessMonitor.ts); one timer drives it. */
  private readonly liveness = new LivenessMonitor(() => performance.now());
  private readonly livenessTimer = new TimerDriver(
    () => this.liveness.nextTimerAt(),
    () => this.onLivenessTimer(),
    () => performance.now(),
  );
  /** RELAY_UNREACHABLE (or RELAY_SHUTDOWN) was told and no registration has followed yet. */
  private unreachableReported = false;
  private pingToken = 0;
  private registeredOnce = false;
  /** RELAY_FULL refusals in a row since the last REGISTERED (a list goes round its relays). */
  private fullRefusals = 0;
  /** Refusals in TRANSIT_SUSPECT_ERRORS since the last REGISTERED (each answered by a new REGISTER). */
  private suspectRefusals = 0;
  /** Session id the relay gave us; 0 before registration. */
  session = 0;
  /** Our address and port as the relay sees them (REGISTERED): behind a NAT, the public mapping. */
  observed: { address: string; port: number } | null = null;
  /** Our nickname as the relay normalised it. */
  nick: string;
  private rosterVersion = 0;
  private rosterKnown = false;
  private readonly peersById = new Map<number, PeerInfo>();
  private rosterFetch: RosterAssembler | null = null;
  private rosterFetchCount = 0;
  /** The fetch has all its pages and waits (ROSTER_STITCH_WAIT_MS at most) for PRESENCE. */
  private rosterWaiting = false;
  private rosterTimer: NodeJS.Timeout | null = null;
  private readonly keyWaiters = new Map<string, Array<(k: PeerKeys | null) => void>>();
  recvBufferBytes = 0;

  private constructor(private readonly opts: RelayConnectionOptions, socket: dgram.Socket) {
    super();
    this.nick = opts.nick;
    this.socket = socket;
    this.relays = new RelayList(opts.relay);
    socket.on('message', (buf, rinfo) => this.onDatagram(buf, rinfo));
    socket.on('error', (err) => this.log('warn', `socket error: ${err.message}`));
  }

  static async open(opts: RelayConnectionOptions): Promise<RelayConnection> {
    const socket = dgram.createSocket({ type: opts.relay.host.includes(':') ? 'udp6' : 'udp4', lookup: fastLookup as never });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    try {
      socket.setRecvBufferSize(SOCKET_BUFFER_BYTES);
      socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
    } catch {
      // Some platforms refuse; the defaults still work, only slower.
    }
    const conn = new RelayConnection(opts, socket);
    conn.recvBufferBytes = socket.getRecvBufferSize();
    await conn.relays.current.resolve();
    return conn;
  }

  /** Starts registering; resolves at the first REGISTERED, rejects on a fatal refusal. */
  register(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onReg = () => {
        this.off('fatal', onFatal);
        resolve();
      };
      const onFatal = ({ error }: { error: PeerChatError }) => {
        this.off('registered', onReg);
        reject(error);
      };
      this.once('registered', onReg);
      this.once('fatal', onFatal);
      this.emit('state', { state: 'connecting' });
      this.liveness.start();
      this.startHello();
      this.livenessTimer.poke();
    });
  }

  /** Our socket's local address (for diagnostics and tests). */
  localAddress(): { host: string; port: number } {
    const a = this.socket.address();
    return { host: a.address, port: a.port };
  }

  get registered(): boolean {
    return this.phase === 'registered';
  }

  /** Roster fetches started so far (the first after registering, then after gaps or failed stitches). */
  get rosterFetches(): number {
    return this.rosterFetchCount;
  }

  peers(): PeerInfo[] {
    return [...this.peersById.values()];
  }

  peerById(id: number): PeerInfo | undefined {
    return this.peersById.get(id);
  }

  /**
   * Sends a datagram as is (the caller wrote the header). Returns true when the kernel took it
   * at once (nothing is queued on the socket), so the caller may reuse `buf`; false when the
   * socket queued it (it keeps a reference until sent) or could not send.
   */
  send(buf: Buffer, length = buf.length): boolean {
    // No callback: one closure per datagram is measurable at 100k datagrams/s; send errors
    // reach the socket's 'error' handler instead.
    const relay = this.relays.current;
    this.socket.send(buf, 0, length, relay.port, relay.host);
    // A host name is resolved asynchronously (the datagram leaves later); an IP literal is
    // answered synchronously by fastLookup, so then an empty send queue means it is gone.
    return relay.literal && this.socket.getSendQueueCount() === 0;
  }

  /**
   * Sends a datagram to another address than the relay's (a peer's direct path) from the same
   * socket, so the NAT mapping the relay sees is the one peers punch towards.
   */
  sendTo(buf: Buffer, length: number, to: { address: string; port: number }): boolean {
    this.socket.send(buf, 0, length, to.port, to.address);
    return this.socket.getSendQueueCount() === 0;
  }

  /** The port our socket is bound to (for host candidates). */
  get localPort(): number {
    return this.socket.address().port;
  }

  /** Looks up a peer's keys at the relay (by id, or by nick when id is 0). Null if unknown. */
  requestKeys(id: number, nick = ''): Promise<PeerKeys | null> {
    const key = id ? `#${id}` : `@${nick.toLowerCase()}`;
    return new Promise((resolve) => {
      const waiters = this.keyWaiters.get(key);
      if (waiters) {
        waiters.push(resolve);
        return;
      }
      this.keyWaiters.set(key, [resolve]);
      let tries = 0;
      const ask = () => {
        if (!this.keyWaiters.has(key)) return;
        if (tries++ >= 8) {
          this.resolveKeys(key, null);
          return;
        }
        if (this.registered) {
          this.send(this.toRelay({ kind: Kind.KEY_REQ, id, nick: id ? '' : nick }));
        }
        setTimeout(ask, Math.min(RETRY_INITIAL_MS * 2 ** tries, RETRY_MAX_MS)).unref();
      };
      ask();
    });
  }

  private resolveKeys(key: string, value: PeerKeys | null): void {
    const waiters = this.keyWaiters.get(key);
    this.keyWaiters.delete(key);
    for (const w of waiters ?? []) w(value);
  }

  /** Tells the relay we leave (best effort, a few tries) and closes the socket. */
  async leave(): Promise<void> {
    if (this.phase === 'left') return;
    const wasRegistered = this.phase === 'registered';
    this.phase = 'left';
    this.clearTimers();
    if (wasRegistered) {
      const bye = new Promise<void>((resolve) => {
        this.byeResolve = resolve;
        setTimeout(resolve, 600).unref();
      });
      const leaveMsg = this.toRelay({ kind: Kind.LEAVE });
      for (const delay of [0, 150, 350]) setTimeout(() => this.phase === 'left' && this.trySend(leaveMsg), delay).unref();
      await bye;
    }
    this.emit('state', { state: 'left' });
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
  private byeResolve: (() => void) | null = null;
  /**
   * The relay checks its messages (its COOKIE came with FLAG_CHECKED): ours to it are checked too
   * (docs/protocol.md "Checked relay messages"). An older relay answers without it, and then
   * nothing is (our HELLO is checked either way: every relay takes trailing bytes on a HELLO).
   */
  private relayChecks = false;

  /** A relay message from our session, checked if the relay checks. */
  private toRelay(m: RelayMessage): Buffer {
    return encodeRelayMessage(m, this.session, DST_RELAY, this.relayChecks);
  }

  private trySend(buf: Buffer): void {
    try {
      this.send(buf);
    } catch {
      // socket closed under us: nothing left to do
    }
  }

  private clearTimers(): void {
    for (const t of [this.retryTimer, this.rosterTimer]) if (t) clearTimeout(t);
    this.retryTimer = this.rosterTimer = null;
    this.livenessTimer.stop();
  }

  // ---- registration ----------------------------------------------------------------------

  private startHello(): void {
    // A host name may point elsewhere by now (the relay moved): learn its address again.
    void this.relays.current.resolve();
    this.phase = 'hello';
    this.helloToken = randomBytes(HELLO_TOKEN_BYTES);
    this.retryMs = RETRY_INITIAL_MS;
    this.sendHello();
  }

  private sendHello(): void {
    if (this.phase !== 'hello') return;
    this.send(encodeRelayMessage({ kind: Kind.HELLO, token: this.helloToken }, 0, DST_RELAY, true));
    this.liveness.probeSent();
    this.scheduleRetry(() => this.sendHello());
  }

  private scheduleRetry(fn: () => void): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(fn, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  /** `checked`: the COOKIE came checked, so this relay checks its messages (and ours) from now on. */
  private onCookie(token: Buffer, cookie: Buffer, checked: boolean): void {
    if (this.phase !== 'hello' || !token.equals(this.helloToken)) return;
    this.relayChecks = checked;
    const device = this.opts.device;
    const cert = freshCertificate(device);
    const proof = this.opts.secret
      ? secretProof(this.opts.secret, cookie, cert.deviceSign)
      : Buffer.alloc(SECRET_PROOF_BYTES);
    const body = { kind: Kind.REGISTER, cookie, cert, secretProof: proof, nick: this.nick } as const;
    const signed = registerSignedBytes(body, checked);
    const register = Buffer.concat([signed, signData(device.keys, signed)]);
    this.registerDatagram = checked ? appendCheck(register) : register;
    this.phase = 'register';
    this.retryMs = RETRY_INITIAL_MS;
    this.sendRegister();
  }

  private sendRegister(): void {
    if (this.phase !== 'register' || !this.registerDatagram) return;
    this.send(this.registerDatagram);
    this.liveness.probeSent();
    this.scheduleRetry(() => {
      // A cookie expires; after a few unanswered REGISTERs start over with a fresh one.
      if (this.retryMs >= RETRY_MAX_MS) this.startHello();
      else this.sendRegister();
    });
  }

  private onRegistered(m: Extract<RelayMessage, { kind: typeof Kind.REGISTERED }>): void {
    if (this.phase !== 'register' && this.phase !== 'registered') return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const fresh = this.session !== m.session;
    const wasRegistered = this.phase === 'registered';
    this.phase = 'registered';
    this.session = m.session;
    this.nick = m.nick;
    this.liveness.setKeepalive(Math.max(MIN_KEEPALIVE_MS, Math.min(m.keepaliveMs || KEEPALIVE_INTERVAL_MS, KEEPALIVE_INTERVAL_MS)));
    this.livenessTimer.poke();
    if (wasRegistered && !fresh) return; // a duplicate REGISTERED
    this.unreachableReported = false;
    this.registeredOnce = true;
    this.fullRefusals = 0;
    this.suspectRefusals = 0;
    this.emit('state', { state: 'registered' });
    this.observed = m.observed;
    this.emit('registered', { nick: m.nick, session: m.session, fresh, devices: m.devices, observed: m.observed });
    this.fetchRoster();
  }

  // ---- keepalive and reachability ------------------------------------------------------

  /** The liveness monitor's timer: send the probe it asks for, or report the relay gone. */
  private onLivenessTimer(): void {
    if (this.phase === 'left') return;
    const action = this.liveness.onTimer();
    if (action === 'probe') this.sendProbe();
    else if (action === 'unreachable') this.onUnreachable();
  }

  /**
   * One probe, whatever answers it in this phase: PING once registered; before that the HELLO
   * or REGISTER under way, sent again without touching its backoff (the relay answers
   * duplicates: COOKIE is stateless, REGISTER idempotent for our key).
   */
  private sendProbe(): void {
    switch (this.phase) {
      case 'registered':
        this.pingToken = (this.pingToken + 1) >>> 0;
        this.send(this.toRelay({ kind: Kind.PING, token: this.pingToken }));
        return;
      case 'hello':
        this.send(encodeRelayMessage({ kind: Kind.HELLO, token: this.helloToken }, 0, DST_RELAY, true));
        return;
      case 'register':
        if (this.registerDatagram) this.send(this.registerDatagram);
        return;
      case 'left':
        return;
    }
  }

  private onUnreachable(): void {
    if (this.unreachableReported) {
      // Still nothing from the relay moved to: with other relays to try, the next one (and so on).
      this.moveToNextRelay('does not answer either');
      return;
    }
    this.unreachableReported = true;
    this.emit('state', { state: 'unreachable' });
    const message =
      this.relays.size > 1
        ? `The relay at ${this.relays.current.text} does not answer; trying the others of ${this.relays.text}.`
        : `The relay at ${this.relays.current.text} does not answer; retrying.`;
    this.emit('error', { code: 'RELAY_UNREACHABLE', message, refKind: 0, refId: 0 });
    // Whatever happened (relay restarted, network changed), start over: registration is
    // idempotent for our key, so a relay that kept our session gives the same one back; so does
    // another relay of the same cluster, if there is a list to move along.
    if (!this.moveToNextRelay('does not answer') && this.phase === 'registered') this.startHello();
  }

  // ---- roster -------------------------------------------------------------------------

  /**
   * Fetches the roster page by page (ROSTER_REQ from offset 0 until `total`). Pages served at
   * different versions, because others join and leave meanwhile, are stitched together with the
   * PRESENCE that arrives during the fetch (RosterAssembler); the fetch starts over only when an
   * entry slipped between two pages or PRESENCE it needs is lost (ROSTER_STITCH_WAIT_MS).
   */
  private fetchRoster(): void {
    this.rosterFetchCount++;
    this.rosterWaiting = false;
    this.rosterFetch = new RosterAssembler();
    this.retryRosterFetch(RETRY_INITIAL_MS);
  }

  private retryRosterFetch(delay: number): void {
    const f = this.rosterFetch;
    if (!f || this.phase !== 'registered') return;
    this.send(this.toRelay({ kind: Kind.ROSTER_REQ, offset: f.offset }));
    if (this.rosterTimer) clearTimeout(this.rosterTimer);
    this.rosterTimer = setTimeout(() => this.retryRosterFetch(Math.min(delay * 2, RETRY_MAX_MS)), delay);
  }

  private onRosterPage(m: Extract<RelayMessage, { kind: typeof Kind.ROSTER }>): void {
    const step = this.rosterFetch?.page(m);
    if (step) this.onRosterStep(step);
  }

  private onRosterStep(step: RosterStep): void {
    // Waiting already: a PRESENCE that still leaves a gap must not push the deadline back, or
    // a lost one would never be noticed while the room keeps changing.
    if (step.kind === 'wait' && this.rosterWaiting) return;
    if (this.rosterTimer) clearTimeout(this.rosterTimer);
    this.rosterTimer = null;
    this.rosterWaiting = step.kind === 'wait';
    switch (step.kind) {
      case 'request':
        this.retryRosterFetch(RETRY_INITIAL_MS);
        return;
      case 'wait':
        // PRESENCE trails pages by the relay's coalescing window; if it does not come, it was lost.
        this.rosterTimer = setTimeout(() => this.fetchRoster(), ROSTER_STITCH_WAIT_MS);
        return;
      case 'restart':
        this.fetchRoster();
        return;
      case 'done':
        this.rosterFetch = null;
        this.applyRoster(
          step.version,
          step.entries.filter((e) => e.id !== this.session).map(peerInfo),
        );
    }
  }

  private applyRoster(version: number, peers: PeerInfo[]): void {
    // Devices are compared by tag, not session id: after a relay restart every session is
    // renumbered, yet the same devices are online and nothing joined or left.
    const before = new Map([...this.peersById.values()].map((p) => [p.device, p]));
    this.peersById.clear();
    for (const p of peers) this.peersById.set(p.id, p);
    this.rosterVersion = version;
    // The first roster is who was already here, not news: only later fetches (after a gap or
    // a relay restart) announce the differences as joins and leaves.
    if (this.rosterKnown) {
      const after = new Set(peers.map((p) => p.device));
      for (const [device, p] of before) if (!after.has(device)) this.emit('presence', { peer: p, online: false });
      for (const p of peers) if (!before.has(p.device)) this.emit('presence', { peer: p, online: true });
    }
    this.rosterKnown = true;
    this.emit('roster', { peers });
  }

  /** Whether the roster has been fetched since the first registration (see ChatClient's sends). */
  get hasRoster(): boolean {
    return this.rosterKnown;
  }

  private onPresence(m: Extract<RelayMessage, { kind: typeof Kind.PRESENCE }>): void {
    if (this.rosterFetch) {
      // Kept for stitching the pages of the fetch under way (see fetchRoster).
      const step = this.rosterFetch.presence(m.version, m.changes);
      if (step) this.onRosterStep(step);
      return;
    }
    const from = m.version - m.changes.length;
    if (m.version <= this.rosterVersion) return; // already applied
    if (this.rosterVersion < from) {
      this.fetchRoster(); // we missed some: resynchronise
      return;
    }
    // Apply only the changes we have not seen (a datagram may overlap what we applied).
    const fresh = m.changes.slice(this.rosterVersion - from);
    this.rosterVersion = m.version;
    for (const c of fresh) {
      if (c.id === this.session) continue;
      const peer = peerInfo(c);
      if (c.online) this.peersById.set(c.id, peer);
      else this.peersById.delete(c.id);
      this.emit('presence', { peer, online: c.online });
    }
  }

  // ---- incoming -----------------------------------------------------------------------

  private onDatagram(buf: Buffer, rinfo: dgram.RemoteInfo): void {
    try {
      this.handle(buf, rinfo);
    } catch (err) {
      // A bad datagram must never take the client down: count it and move on.
      this.dropped++;
      this.log('warn', `dropped a datagram: ${(err as Error).message}`);
    }
  }
  /** Datagrams from the relay we could not parse (malformed, truncated, wrong version). */
  dropped = 0;

  private handle(buf: Buffer, rinfo: dgram.RemoteInfo): void {
    if (buf.length > MAX_DATAGRAM_BYTES) return;
    const h = readHeader(buf);
    if (!h.ok) {
      this.dropped++;
      return;
    }
    if (h.header.kind === Kind.BATCH) {
      this.onBatch(buf, rinfo);
      return;
    }
    // Only the relay in use speaks for the relay: a late answer from one just left must not
    // register us there, and a peer's datagrams on a direct path say nothing about the relay.
    const fromCurrent = this.fromRelay(rinfo);
    if (fromCurrent) this.heard(!isPeerKind(h.header.kind) && h.header.kind !== Kind.PRESENCE);
    if (isPeerKind(h.header.kind)) {
      // While re-registering after a scare (silence, a relay restart) our peers' traffic still
      // counts: the relay forwards only to registered sessions and the contents authenticate
      // end to end, so dropping it would only cost retransmissions.
      if (this.phase === 'registered' || (this.registeredOnce && this.phase !== 'left')) {
        const direct = !fromCurrent;
        this.emit('peer', { header: h.header, datagram: buf, from: { address: rinfo.address, port: rinfo.port }, direct });
      }
      return;
    }
    if (!fromCurrent) {
      this.dropped++;
      return;
    }
    const d = decodeRelayMessage(buf);
    if (!d.ok) {
      this.dropped++;
      return;
    }
    const m = d.msg;
    switch (m.kind) {
      case Kind.COOKIE:
        this.onCookie(m.token, m.cookie, (d.header.flags & FLAG_CHECKED) !== 0);
        break;
      case Kind.REGISTERED:
        this.onRegistered(m);
        break;
      case Kind.ERROR:
        this.onError(m.code, m.refKind, m.refId, m.message);
        break;
      case Kind.PONG:
        if (m.rosterVersion !== this.rosterVersion && !this.rosterFetch) this.fetchRoster();
        break;
      case Kind.ROSTER:
        this.onRosterPage(m);
        break;
      case Kind.PRESENCE:
        this.onPresence(m);
        break;
      case Kind.KEY_INFO:
        this.resolveKeys(`#${m.id}`, m);
        this.resolveKeys(`@${m.nick.toLowerCase()}`, m);
        break;
      case Kind.BYE:
        this.onBye(m.code);
        break;
      default:
        this.dropped++;
    }
  }

  /**
   * A BATCH (relayBatch.ts): datagrams the relay coalesced for us, each handled exactly as if it
   * had arrived alone. Only from the relay's own address: anyone can send to our port, and a
   * batch from elsewhere would otherwise pass off its contents as the relay's. A malformed batch
   * is dropped whole and counted like any malformed datagram; batches never nest (decodeBatch
   * refuses an inner BATCH), so this recursion is one level deep.
   */
  private onBatch(buf: Buffer, rinfo: dgram.RemoteInfo): void {
    if (!this.fromRelay(rinfo)) {
      this.dropped++;
      return;
    }
    const inner = decodeBatch(buf);
    if (inner === null) {
      this.dropped++;
      return;
    }
    for (const d of inner) this.handle(d, rinfo);
  }

  /** The relays to use, and the one in use (relayList.ts). */
  private readonly relays: RelayList;

  private fromRelay(rinfo: dgram.RemoteInfo): boolean {
    return this.relays.current.matches(rinfo);
  }

  /** The relay in use now. */
  get relay(): { host: string; port: number } {
    const r = this.relays.current;
    return { host: r.host, port: r.port };
  }

  /**
   * Moves to the next relay of the list (a cluster's relays share one directory, so registering
   * there with the same device key gives this device its session and nickname back, and its
   * peers see no leave or join). No-op with one relay.
   */
  private moveToNextRelay(why: string): boolean {
    if (this.relays.size < 2 || this.phase === 'left') return false;
    const from = this.relays.current.text;
    const to = this.relays.advance();
    this.log('info', `relay ${from} ${why}; moving to ${to.text}`);
    // The relay moved to is watched afresh: its own silence, its own verdict.
    this.liveness.start();
    this.livenessTimer.poke();
    this.startHello();
    return true;
  }

  private heard(answer: boolean): void {
    // Ending a verdict re-arms the timer (it had nothing to wait for); else nothing moved earlier.
    if (answer ? this.liveness.answered() : this.liveness.heard()) this.livenessTimer.poke();
    if (this.unreachableReported && this.phase === 'registered') {
      this.unreachableReported = false;
      this.emit('state', { state: 'registered' });
    }
  }

  private onError(wire: number, refKind: number, refId: number, message: string): void {
    const code = errorCodeFromWire(wire) ?? 'INTERNAL';
    let text = message || ERROR_HINTS[code];
    if (code === 'NOT_REGISTERED') {
      // The relay lost our session (it restarted, or timed us out): register again. An error
      // about another session id came from a datagram corrupted in transit: ignore it.
      if (this.phase === 'registered' && (refId === 0 || refId === this.session)) {
        this.log('info', 'the relay no longer knows us; registering again');
        this.startHello();
      }
      return;
    }
    if (code === 'BAD_COOKIE' && this.phase === 'register') {
      this.startHello();
      return;
    }
    // This relay of a cluster cannot admit anyone now (Redis is out of its reach): another one may.
    if (code === 'DIRECTORY_UNAVAILABLE' && this.phase === 'register' && this.moveToNextRelay('cannot admit anyone now')) return;
    if (code === 'RELAY_FULL' && this.phase === 'register' && this.relays.size > 1) {
      // This relay of a cluster has no room (for a new session, or for ours moving in): another
      // one may. Once as many relays in a row as the list holds said so, every one is full.
      this.fullRefusals++;
      if (this.fullRefusals < this.relays.size) {
        if (this.moveToNextRelay('is full')) return;
      } else if (this.fullRefusals > this.relays.size && this.registeredOnce) {
        // Told already: go on round the list, quietly, until one has room.
        this.scheduleRetry(() => this.moveToNextRelay('is full too'));
        return;
      } else {
        text = `Every relay of ${this.relays.text} is full. ${this.registeredOnce ? 'Still trying them in turn.' : 'Try again later or use other relays.'}`;
      }
    }
    if (code === 'UNKNOWN_PEER' && refKind === Kind.KEY_REQ) {
      this.resolveKeys(`#${refId}`, null);
      for (const key of [...this.keyWaiters.keys()]) if (key.startsWith('@') && refId === 0) this.resolveKeys(key, null);
    }
    if (this.phase === 'register' && TRANSIT_SUSPECT_ERRORS.has(code) && this.suspectRefusals < TRANSIT_RETRIES) {
      this.suspectRefusals++;
      this.log('info', `the relay refused our REGISTER (${code}); sending it again in case it was damaged on the way`);
      this.startHello();
      return;
    }
    if (this.phase === 'register' && FATAL_REGISTER_ERRORS.has(code)) {
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = null;
      if (!this.registeredOnce) {
        this.phase = 'left';
        this.clearTimers();
        try {
          this.socket.close();
        } catch {
          // already closed
        }
      } else if (code === 'RELAY_FULL' && this.relays.size > 1) {
        // Stranded with every relay full: keep going round the list until one has room.
        this.scheduleRetry(() => this.moveToNextRelay('is full too'));
      } else {
        // We had this nickname and lost it (someone took it while we were away): keep trying.
        this.scheduleRetry(() => this.startHello());
      }
      this.emit('error', { code, message: text, refKind, refId });
      this.emit('fatal', { error: new PeerChatError(code, text) });
      return;
    }
    this.emit('error', { code, message: text, refKind, refId });
  }

  private onBye(code: number): void {
    if (this.phase === 'left') {
      this.byeResolve?.();
      return;
    }
    const reason = errorCodeFromWire(code);
    // A relay of a cluster stopping (a rolling restart): straight to the next one.
    if (reason === 'RELAY_SHUTDOWN' && this.moveToNextRelay('is shutting down')) return;
    if (reason === 'RELAY_SHUTDOWN') {
      this.emit('error', { code: 'RELAY_SHUTDOWN', message: ERROR_HINTS.RELAY_SHUTDOWN, refKind: 0, refId: 0 });
      this.emit('state', { state: 'unreachable' });
      this.unreachableReported = true;
      // It said it is going: no fast probing, only the HELLO retries below until it answers.
      this.liveness.relayGone();
      this.phase = 'hello';
      this.retryMs = RETRY_MAX_MS;
      this.scheduleRetry(() => this.startHello());
    }
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.opts.log?.(level, message);
  }
}

function peerInfo(e: RosterEntry): PeerInfo {
  return { id: e.id, device: e.device.toString('hex'), nick: e.nick };
}
