/**
 * A minimal protocol client over a real UDP socket, for relay tests and benchmarks: no
 * reliability layer, no crypto beyond signing REGISTER. It speaks the wire format directly:
 *
 *   const c = await RawClient.connect(relay.address());
 *   const r = await c.register('alice');            // HELLO → COOKIE → REGISTER → REGISTERED
 *   c.sendRelay({ kind: Kind.PING, token: 1 });      // src = c.session, dst = relay
 *   const pong = await c.next(isKind(Kind.PONG));    // first matching datagram (queued or future)
 *
 * A BATCH from the relay's port (the relay's coalescing, src/protocol/relayBatch.ts) is unpacked:
 * each inner datagram is received (tap, waiters, inbox) as if it had arrived alone, and counted
 * in byKind by its own kind; datagramsIn/bytesIn and byKind[BATCH] count what crossed the wire.
 *
 * Benchmarks creating thousands of clients in one process pass identities from `identityPool(n)`
 * (generated once, before the timed part) and `keepInbox: false` (counters and the `onDatagram`
 * tap only, so nothing accumulates).
 */
import * as dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { generateIdentity, Identity, signData } from '../../src/crypto/identity';
import { certifyDevice, DeviceCertificate } from '../../src/crypto/deviceCertificate';
import { ErrorCode, errorCodeFromWire } from '../../src/protocol/errors';
import { Header, Kind, readHeader, isPeerKind } from '../../src/protocol/header';
import { DST_RELAY } from '../../src/protocol/limits';
import { decodeBatch } from '../../src/protocol/relayBatch';
import {
  decodeRelayMessage,
  encodeRelayMessage,
  HELLO_TOKEN_BYTES,
  registerSignedBytes,
  RelayMessage,
} from '../../src/protocol/relayMessages';
import { noSecretProof, secretProof } from '../../src/relay/secretProof';

/** One received datagram: its header, bytes and, for relay kinds that parse, the message. */
export interface Received {
  readonly header: Header;
  readonly buf: Buffer;
  /** Decoded on first access (a benchmark that never looks pays nothing). */
  readonly msg?: RelayMessage;
}

class ReceivedDatagram implements Received {
  private decoded: RelayMessage | null | undefined;
  constructor(
    readonly header: Header,
    readonly buf: Buffer,
  ) {}
  get msg(): RelayMessage | undefined {
    if (this.decoded === undefined) {
      const d = isPeerKind(this.header.kind) ? undefined : decodeRelayMessage(this.buf);
      this.decoded = d !== undefined && d.ok ? d.msg : null;
    }
    return this.decoded ?? undefined;
  }
}

export type RegisterResult =
  | { ok: true; session: number; rosterVersion: number; nick: string; keepaliveMs: number; idleTimeoutMs: number; devices: number }
  | { ok: false; code: ErrorCode | 'TIMEOUT'; message: string };

export interface RawClientOptions {
  /** Keep unmatched datagrams for later `next()` calls (default true). */
  keepInbox?: boolean;
  /** Most datagrams kept; the oldest are dropped beyond it (default 10,000). */
  inboxLimit?: number;
  /** Socket buffer size to ask for, both ways (default: the OS default). */
  bufferBytes?: number;
  /** Called for every datagram received (after counting), before matching. */
  onDatagram?: (r: Received) => void;
  /** Local address to bind (default 127.0.0.1, or ::1 for an IPv6 relay). */
  localAddress?: string;
}

/** How long `next` waits by default (ms): loopback answers take well under a millisecond. */
const DEFAULT_WAIT_MS = 2_000;
/** HELLO and REGISTER are re-sent after this long without an answer (ms)... */
const RETRY_MS = 250;
/** ...this many times before `register` gives up with TIMEOUT. */
const RETRIES = 8;
const DEFAULT_INBOX_LIMIT = 10_000;

/** A predicate for `next`: a datagram of kind `kind` (and, optionally, more). */
export function isKind<K extends number>(
  kind: K,
  also?: (m: Extract<RelayMessage, { kind: K }>) => boolean,
): (r: Received) => boolean {
  return (r) =>
    r.header.kind === kind && (also === undefined || (r.msg !== undefined && also(r.msg as Extract<RelayMessage, { kind: K }>)));
}

/** The message of a Received, typed by kind (throws if it is another kind or did not parse). */
export function msgOf<K extends number>(r: Received, kind: K): Extract<RelayMessage, { kind: K }> {
  if (r.msg === undefined || r.msg.kind !== kind) throw new Error(`expected kind 0x${kind.toString(16)}, got 0x${r.header.kind.toString(16)}`);
  return r.msg as Extract<RelayMessage, { kind: K }>;
}

/** `n` identities, generated up front so that registering many clients does not wait on keygen. */
export function identityPool(n: number): Identity[] {
  const out: Identity[] = [];
  for (let i = 0; i < n; i++) out.push(generateIdentity());
  return out;
}

/** Certificates made so far, per identity and device key (one signature per device, not per REGISTER). */
const certificates = new WeakMap<Identity, WeakMap<Identity, DeviceCertificate>>();

/** The identity's certificate for `device` (by default the identity is its own single device). */
export function certificateFor(identity: Identity, device: Identity = identity): DeviceCertificate {
  let byDevice = certificates.get(identity);
  if (!byDevice) certificates.set(identity, (byDevice = new WeakMap()));
  let cert = byDevice.get(device);
  if (!cert) byDevice.set(device, (cert = certifyDevice(identity, device, Date.now() / 1000)));
  return cert;
}

/**
 * A signed REGISTER datagram (exported so tests can corrupt one on purpose): `device` (by
 * default the identity's own keys) registers as a device of `identity`.
 */
export function registerDatagram(cookie: Buffer, nick: string, identity: Identity, secret?: string, device: Identity = identity): Buffer {
  const cert = certificateFor(identity, device);
  const signed = registerSignedBytes({
    kind: Kind.REGISTER,
    cookie,
    cert,
    secretProof: secret === undefined ? noSecretProof() : secretProof(secret, cookie, cert.deviceSign),
    nick,
  });
  return Buffer.concat([signed, signData(device, signed)]);
}

interface Waiter {
  pred: (r: Received) => boolean;
  resolve: (r: Received) => void;
  timer: NodeJS.Timeout;
}

export class RawClient {
  /** The session id after a successful `register` (0 before). */
  session = 0;
  identity: Identity | undefined;
  /** The device keys registered (the identity's own unless `register` was given others). */
  device: Identity | undefined;
  readonly counters = {
    datagramsIn: 0,
    bytesIn: 0,
    datagramsOut: 0,
    bytesOut: 0,
    /** Received datagrams per kind byte (a BATCH counts as BATCH and each inner datagram by its kind). */
    byKind: new Uint32Array(256),
    /** Batches that did not decode, or came from another port than the relay's. */
    badBatches: 0,
  };
  private readonly inbox: Received[] = [];
  private waiters: Waiter[] = [];
  private closed = false;

  private constructor(
    readonly socket: dgram.Socket,
    readonly relay: { host: string; port: number },
    private readonly opts: RawClientOptions,
  ) {
    socket.on('message', (buf, rinfo) => this.onMessage(buf, rinfo.port));
    socket.on('error', () => {
      // A test client ignores socket errors (e.g. ICMP port unreachable after the relay closed).
    });
  }

  static async connect(relay: { host: string; port: number }, opts: RawClientOptions = {}): Promise<RawClient> {
    const socket = dgram.createSocket(relay.host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, opts.localAddress ?? (relay.host.includes(':') ? '::1' : '127.0.0.1'), () => {
        socket.off('error', reject);
        resolve();
      });
    });
    if (opts.bufferBytes) {
      socket.setRecvBufferSize(opts.bufferBytes);
      socket.setSendBufferSize(opts.bufferBytes);
    }
    return new RawClient(socket, relay, opts);
  }

  /** This client's own address (what the relay sees as the source). */
  get localPort(): number {
    return this.socket.address().port;
  }

  send(buf: Buffer): void {
    if (this.closed) return;
    this.counters.datagramsOut++;
    this.counters.bytesOut += buf.length;
    this.socket.send(buf, this.relay.port, this.relay.host);
  }

  /** Encodes and sends a relay message with src = this session. */
  sendRelay(m: RelayMessage, dst: number = DST_RELAY): void {
    this.send(encodeRelayMessage(m, this.session, dst));
  }

  /**
   * The first received datagram matching `pred`: from the inbox (removed from it) or the next one
   * to arrive. Rejects after `timeoutMs`.
   */
  next(pred: (r: Received) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<Received> {
    return this.poll(pred, timeoutMs).then((r) => {
      if (r === undefined) throw new Error(`RawClient ${this.localPort}: nothing matching within ${timeoutMs} ms`);
      return r;
    });
  }

  /** Like `next`, but resolves undefined on timeout (for "nothing arrives" checks). */
  poll(pred: (r: Received) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<Received | undefined> {
    const i = this.inbox.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]);
    return new Promise((resolve) => {
      const w: Waiter = {
        pred,
        resolve: (r) => resolve(r),
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          resolve(undefined);
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  /** Takes every datagram in the inbox (optionally only those matching `pred`). */
  drain(pred: (r: Received) => boolean = () => true): Received[] {
    const out: Received[] = [];
    for (let i = 0; i < this.inbox.length; ) {
      if (pred(this.inbox[i])) out.push(...this.inbox.splice(i, 1));
      else i++;
    }
    return out;
  }

  /** HELLO → COOKIE (re-sending HELLO a few times); resolves with the cookie. */
  async cookie(): Promise<Buffer> {
    const token = randomBytes(HELLO_TOKEN_BYTES);
    const hello = encodeRelayMessage({ kind: Kind.HELLO, token });
    for (let i = 0; i < RETRIES; i++) {
      this.send(hello);
      const r = await this.poll(isKind(Kind.COOKIE, (m) => m.token.equals(token)), RETRY_MS);
      if (r) return msgOf(r, Kind.COOKIE).cookie;
    }
    throw new Error(`RawClient ${this.localPort}: no COOKIE from the relay`);
  }

  /**
   * Registers `nick` with `identity` (a fresh one if omitted) as device `device` (by default
   * the identity's own keys): HELLO → COOKIE → REGISTER → REGISTERED or ERROR, re-sending on
   * silence and starting over on BAD_COOKIE.
   */
  async register(nick: string, identity?: Identity, secret?: string, device?: Identity): Promise<RegisterResult> {
    const id = identity ?? this.identity ?? generateIdentity();
    this.identity = id;
    this.device = device ?? this.device ?? id;
    const answer = isKind(Kind.REGISTERED);
    const refusal = isKind(Kind.ERROR, (m) => m.refKind === Kind.REGISTER);
    for (let attempt = 0; attempt < 3; attempt++) {
      const reg = registerDatagram(await this.cookie(), nick, id, secret, this.device);
      for (let i = 0; i < RETRIES; i++) {
        this.send(reg);
        const r = await this.poll((x) => answer(x) || refusal(x), RETRY_MS);
        if (!r) continue;
        if (r.msg?.kind === Kind.REGISTERED) {
          this.session = r.msg.session;
          return { ok: true, ...r.msg };
        }
        const e = msgOf(r, Kind.ERROR);
        const code = errorCodeFromWire(e.code) ?? 'INTERNAL';
        if (code === 'BAD_COOKIE') break; // start over with a fresh cookie
        return { ok: false, code, message: e.message };
      }
    }
    return { ok: false, code: 'TIMEOUT', message: 'the relay did not answer REGISTER' };
  }

  /** Like `register`, but throws unless it succeeded; returns the session id. */
  async mustRegister(nick: string, identity?: Identity, secret?: string): Promise<number> {
    const r = await this.register(nick, identity, secret);
    if (!r.ok) throw new Error(`register ${nick}: ${r.code} ${r.message}`);
    return r.session;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiters) clearTimeout(w.timer);
    this.waiters = [];
    this.socket.close();
  }

  private onMessage(buf: Buffer, port: number): void {
    const c = this.counters;
    c.datagramsIn++;
    c.bytesIn += buf.length;
    const h = readHeader(buf);
    if (!h.ok) return;
    if (h.header.kind === Kind.BATCH) {
      c.byKind[Kind.BATCH]++;
      const inner = port === this.relay.port ? decodeBatch(buf) : null;
      if (inner === null) c.badBatches++;
      else for (const d of inner) this.receive(d);
      return;
    }
    this.receive(buf);
  }

  private receive(buf: Buffer): void {
    const h = readHeader(buf);
    if (!h.ok) return;
    this.counters.byKind[h.header.kind]++;
    const r: Received = new ReceivedDatagram(h.header, buf);
    this.opts.onDatagram?.(r);
    for (let i = 0; i < this.waiters.length; i++) {
      const w = this.waiters[i];
      if (w.pred(r)) {
        this.waiters.splice(i, 1);
        clearTimeout(w.timer);
        w.resolve(r);
        return;
      }
    }
    if (this.opts.keepInbox === false) return;
    this.inbox.push(r);
    if (this.inbox.length > (this.opts.inboxLimit ?? DEFAULT_INBOX_LIMIT)) this.inbox.shift();
  }
}
