/**
 * Seeded userland UDP impairment proxy (a poor man's `tc netem`) for
 * integration tests and benchmarks.
 *
 *   client ──► [listen socket] ──(up: impair)──► [per-client upstream socket] ──► target (relay)
 *   client ◄── [listen socket] ◄─(down: impair)── [per-client upstream socket] ◄── target
 *
 * NAT-like: every distinct client address gets its own upstream socket bound
 * to an ephemeral port (and connect()ed to the target), so the target sees one
 * distinct address per client and its replies are routed back to that client.
 * Idle mappings expire after `idleTimeoutMs`.
 *
 * Impairments (per direction, changeable at run time) are applied in this order:
 *   blackhole → loss → truncate → corrupt → duplicate → delay/jitter → reorder (at egress)
 *
 * Determinism: each (mapping, direction) pair — a "flow" — has its own RNG
 * streams derived from `seed`, the mapping's creation index (0, 1, ... in the
 * order client addresses are first seen) and the direction. Every datagram
 * consumes exactly six draws from the flow's decision stream whatever the
 * configuration, so datagram #i of a flow always meets the same random numbers:
 * with the same seed, the same datagrams are lost even if e.g. duplication is
 * also switched on. Variable-size draws (truncation length, corrupted bit
 * positions) come from a second per-flow stream. Outcomes are therefore a pure
 * function of the seed, the configuration and the per-flow arrival order
 * (timing only matters for delay/jitter and the reorder hold timeout).
 *
 * Cost per datagram without impairment: a Map lookup, six PRNG draws and the
 * socket send, done synchronously in the receive callback. Delayed datagrams go
 * through one binary heap served by a single timer (no setTimeout per datagram);
 * heap entries are pooled.
 */

import * as dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Rng, mixSeed } from './rng';

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

export interface Impairment {
  /** Probability (0..1) that a datagram is dropped. */
  loss: number;
  /** Probability (0..1) that a datagram is sent twice. */
  duplicate: number;
  /**
   * Probability (0..1) that a datagram is held back and released only after
   * the next `reorderGap` datagrams of the same flow have been sent (or after
   * `reorderTimeoutMs` if traffic stops).
   */
  reorder: number;
  /** Probability (0..1) of flipping 1-3 distinct random bits. */
  corrupt: number;
  /** Fixed one-way delay in ms added to every datagram. */
  delayMs: number;
  /** Uniform jitter: the delay becomes delayMs ± jitterMs (clamped at 0; may reorder). */
  jitterMs: number;
  /** Probability (0..1) of cutting the datagram to a random shorter length (0..len-1). */
  truncate?: number;
  /** Drop everything (simulates an unreachable relay / dead link). */
  blackhole?: boolean;
  /** Number of later datagrams a reordered datagram waits for (integer >= 1, default 1). */
  reorderGap?: number;
  /** Maximum time a reordered datagram is held if no later datagram comes (default 20 ms). */
  reorderTimeoutMs?: number;
}

export type ImpairmentDirection = 'up' | 'down' | 'both';

export interface ImpairmentProxyOptions {
  /** Where to forward client datagrams (the relay). */
  target: { host: string; port: number };
  /** Port to listen on for clients; 0 (default) = any free port. */
  listenPort?: number;
  /** Address to listen on; default '127.0.0.1'. */
  listenHost?: string;
  /** Seed for all random decisions. */
  seed: number;
  /** Impairment client → target. Missing fields default to 0 / false. */
  upstream?: Partial<Impairment>;
  /** Impairment target → client. Missing fields default to 0 / false. */
  downstream?: Partial<Impairment>;
  /** SO_RCVBUF requested on every socket (default 4 MiB; the kernel may cap it). */
  recvBufferBytes?: number;
  /** SO_SNDBUF requested on every socket (default 4 MiB; the kernel may cap it). */
  sendBufferBytes?: number;
  /** A client mapping with no traffic in either direction for this long is closed (default 60 000 ms). */
  idleTimeoutMs?: number;
}

export interface DirectionStats {
  /** Datagrams that arrived at the proxy in this direction. */
  received: number;
  /** Datagrams handed to the kernel (includes duplicate copies). */
  forwarded: number;
  /** Datagrams dropped: loss + blackhole + discarded (mapping closed, pre-bind queue full). */
  dropped: number;
  /** Subset of `dropped` caused by `blackhole`. */
  blackholed: number;
  /** Extra copies sent because of `duplicate`. */
  duplicated: number;
  /** Datagrams held back because of `reorder`. */
  reordered: number;
  /** Datagrams with flipped bits. */
  corrupted: number;
  /** Datagrams cut short. */
  truncated: number;
  /** Datagrams that went through the delay queue (delay/jitter > 0). */
  delayed: number;
  bytesReceived: number;
  bytesForwarded: number;
}

export interface ProxyStats {
  up: DirectionStats;
  down: DirectionStats;
  /** Currently open client mappings. */
  mappings: number;
  mappingsCreated: number;
  mappingsExpired: number;
  /** Datagrams waiting in the delay queue or held for reordering. */
  pending: number;
  /** Socket errors seen (e.g. ECONNREFUSED when the target is not listening). */
  errors: number;
  lastError?: string;
  /** SO_RCVBUF / SO_SNDBUF of the listening socket as read back from the kernel (Linux reports 2x the usable size). */
  recvBufferBytes: number;
  sendBufferBytes: number;
}

export interface MappingInfo {
  /** Creation index (0, 1, ...) — also selects the mapping's RNG streams. */
  index: number;
  client: { host: string; port: number };
  /** Local address of the dedicated upstream socket (what the target sees); undefined until bound. */
  upstream: { host: string; port: number } | undefined;
}

// ---------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------

const UP = 0;
const DOWN = 1;
type Dir = typeof UP | typeof DOWN;

const DEFAULT_BUFFER_BYTES = 4 * 1024 * 1024;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_REORDER_TIMEOUT_MS = 20;
const MAX_PRE_READY_QUEUE = 4096;
/** Release delayed datagrams up to this much before their due time (timer granularity is 1 ms). */
const TIMER_SLACK_MS = 0.5;

interface Imp {
  loss: number;
  duplicate: number;
  reorder: number;
  corrupt: number;
  delayMs: number;
  jitterMs: number;
  truncate: number;
  blackhole: boolean;
  reorderGap: number;
  reorderTimeoutMs: number;
}

function zeroImp(): Imp {
  return {
    loss: 0,
    duplicate: 0,
    reorder: 0,
    corrupt: 0,
    delayMs: 0,
    jitterMs: 0,
    truncate: 0,
    blackhole: false,
    reorderGap: 1,
    reorderTimeoutMs: DEFAULT_REORDER_TIMEOUT_MS,
  };
}

function mergeImp(base: Imp, patch: Partial<Impairment> | undefined): Imp {
  const out: Imp = { ...base };
  if (!patch) return out;
  const prob = (k: 'loss' | 'duplicate' | 'reorder' | 'corrupt' | 'truncate'): void => {
    const v = patch[k];
    if (v === undefined) return;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new RangeError(`impairment.${k} must be a probability in [0, 1], got ${String(v)}`);
    }
    out[k] = v;
  };
  const ms = (k: 'delayMs' | 'jitterMs' | 'reorderTimeoutMs'): void => {
    const v = patch[k];
    if (v === undefined) return;
    if (typeof v !== 'number' || !(v >= 0 && v < 2 ** 31)) {
      throw new RangeError(`impairment.${k} must be a finite number of ms >= 0, got ${String(v)}`);
    }
    out[k] = v;
  };
  prob('loss');
  prob('duplicate');
  prob('reorder');
  prob('corrupt');
  prob('truncate');
  ms('delayMs');
  ms('jitterMs');
  ms('reorderTimeoutMs');
  if (patch.reorderGap !== undefined) {
    const v = patch.reorderGap;
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`impairment.reorderGap must be an integer >= 1, got ${String(v)}`);
    }
    out.reorderGap = v;
  }
  if (patch.blackhole !== undefined) out.blackhole = Boolean(patch.blackhole);
  return out;
}

function impToPublic(i: Imp): Impairment {
  return { ...i };
}

function zeroStats(): DirectionStats {
  return {
    received: 0,
    forwarded: 0,
    dropped: 0,
    blackholed: 0,
    duplicated: 0,
    reordered: 0,
    corrupted: 0,
    truncated: 0,
    delayed: 0,
    bytesReceived: 0,
    bytesForwarded: 0,
  };
}

/** A datagram held back for reordering. */
interface Held {
  buf: Buffer;
  remaining: number;
  done: boolean;
}

/** Entry of the delay queue: either a delayed datagram or a reorder-hold expiry. */
interface Pending {
  due: number;
  seq: number;
  flow: Flow | null;
  buf: Buffer | null;
  hold: boolean;
  held: Held | null;
}

/** Binary min-heap on (due, seq) with an entry pool. */
class PendingQueue {
  private heap: Pending[] = [];
  private pool: Pending[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  peekDue(): number {
    return this.heap.length > 0 ? this.heap[0]!.due : Infinity;
  }

  push(due: number, flow: Flow, buf: Buffer | null, hold: boolean, held: Held | null): void {
    const p = this.pool.pop() ?? { due: 0, seq: 0, flow: null, buf: null, hold: false, held: null };
    p.due = due;
    p.seq = this.seq++;
    p.flow = flow;
    p.buf = buf;
    p.hold = hold;
    p.held = held;
    const h = this.heap;
    let i = h.length;
    h.push(p);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const q = h[parent]!;
      if (q.due < p.due || (q.due === p.due && q.seq < p.seq)) break;
      h[i] = q;
      i = parent;
    }
    h[i] = p;
  }

  /** Remove and return the earliest entry. Caller must `recycle()` it. */
  pop(): Pending | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    const n = h.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        let cv = h[l]!;
        if (r < n) {
          const rv = h[r]!;
          if (rv.due < cv.due || (rv.due === cv.due && rv.seq < cv.seq)) {
            c = r;
            cv = rv;
          }
        }
        if (last.due < cv.due || (last.due === cv.due && last.seq < cv.seq)) break;
        h[i] = cv;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  recycle(p: Pending): void {
    p.flow = null;
    p.buf = null;
    p.held = null;
    if (this.pool.length < 65536) this.pool.push(p);
  }

  clear(): void {
    this.heap.length = 0;
    this.pool.length = 0;
  }
}

/** One direction of one client mapping. */
class Flow {
  /** Six draws per datagram, always. */
  readonly decide: Rng;
  /** Variable-size draws (truncation length, bit positions). */
  readonly detail: Rng;
  readonly held: Held[] = [];
  constructor(
    readonly dir: Dir,
    readonly mapping: Mapping,
    seed: number,
  ) {
    this.decide = new Rng(mixSeed(seed, mapping.index, dir, 0));
    this.detail = new Rng(mixSeed(seed, mapping.index, dir, 1));
  }
}

class Mapping {
  readonly up: Flow;
  readonly down: Flow;
  /** Next mapping with the same client port (different address). */
  nextSamePort: Mapping | null = null;
  ready = false;
  closed = false;
  /** Datagrams waiting for the upstream socket to be bound and connected. */
  preReady: Buffer[] = [];
  touched = true;
  lastSeen: number;
  upstreamAddr: { host: string; port: number } | undefined;
  constructor(
    readonly index: number,
    readonly clientHost: string,
    readonly clientPort: number,
    readonly socket: dgram.Socket,
    seed: number,
    now: number,
  ) {
    this.lastSeen = now;
    this.up = new Flow(UP, this, seed);
    this.down = new Flow(DOWN, this, seed);
  }
}

function socketTypeFor(host: string): 'udp4' | 'udp6' {
  return isIP(host) === 6 ? 'udp6' : 'udp4';
}

function bindSocket(sock: dgram.Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    sock.once('error', onError);
    sock.bind({ port, address, exclusive: true }, () => {
      sock.removeListener('error', onError);
      resolve();
    });
  });
}

/** Flip 1-3 distinct random bits of `buf` in place. */
function flipBits(buf: Buffer, rng: Rng): void {
  const nbits = buf.length * 8;
  const k = Math.min(1 + rng.int(3), nbits);
  let b0 = -1;
  let b1 = -1;
  for (let i = 0; i < k; i++) {
    let bit: number;
    do {
      bit = rng.int(nbits);
    } while (bit === b0 || bit === b1);
    if (i === 0) b0 = bit;
    else if (i === 1) b1 = bit;
    buf[bit >>> 3] ^= 1 << (bit & 7);
  }
}

// ---------------------------------------------------------------------------
// The proxy
// ---------------------------------------------------------------------------

export class ImpairmentProxy {
  private readonly imps: [Imp, Imp];
  private readonly st: [DirectionStats, DirectionStats] = [zeroStats(), zeroStats()];
  private readonly byPort = new Map<number, Mapping>();
  private readonly all = new Set<Mapping>();
  private readonly queue = new PendingQueue();
  private heldCount = 0;
  /** Datagrams (not hold-expiry markers) in the delay queue. */
  private queuedCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Infinity;
  private sweepTimer: NodeJS.Timeout | undefined;
  private mappingsCreated = 0;
  private mappingsExpired = 0;
  private errors = 0;
  private lastError: string | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private listenRecvBuf = 0;
  private listenSendBuf = 0;

  private constructor(
    private readonly listen: dgram.Socket,
    private readonly listenAddr: { host: string; port: number },
    private readonly targetHost: string,
    private readonly targetPort: number,
    private readonly seed: number,
    private readonly recvBufferBytes: number,
    private readonly sendBufferBytes: number,
    private readonly idleTimeoutMs: number,
    up: Imp,
    down: Imp,
  ) {
    this.imps = [up, down];
  }

  static async start(opts: ImpairmentProxyOptions): Promise<ImpairmentProxy> {
    if (!Number.isSafeInteger(opts.seed)) throw new RangeError('seed must be a safe integer');
    const { target } = opts;
    if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
      throw new RangeError(`target.port must be 1..65535, got ${String(target.port)}`);
    }
    const listenPort = opts.listenPort ?? 0;
    const listenHost = opts.listenHost ?? '127.0.0.1';
    const recvBuf = opts.recvBufferBytes ?? DEFAULT_BUFFER_BYTES;
    const sendBuf = opts.sendBufferBytes ?? DEFAULT_BUFFER_BYTES;
    const idle = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    if (!(idle > 0)) throw new RangeError('idleTimeoutMs must be > 0');
    const up = mergeImp(zeroImp(), opts.upstream);
    const down = mergeImp(zeroImp(), opts.downstream);

    // Resolve the target once so that connect() on upstream sockets needs no lookup.
    const targetHost = isIP(target.host) !== 0 ? target.host : (await lookup(target.host)).address;

    const listen = dgram.createSocket({ type: socketTypeFor(listenHost) });
    await bindSocket(listen, listenPort, listenHost);
    const a = listen.address();
    const proxy = new ImpairmentProxy(
      listen,
      { host: listenHost, port: a.port },
      targetHost,
      target.port,
      opts.seed,
      recvBuf,
      sendBuf,
      idle,
      up,
      down,
    );
    const bufs = proxy.tuneBuffers(listen);
    proxy.listenRecvBuf = bufs.recv;
    proxy.listenSendBuf = bufs.send;
    listen.on('error', proxy.onSocketError);
    listen.on('message', proxy.onClientMessage);
    const interval = Math.max(5, Math.min(1000, idle / 4));
    proxy.sweepTimer = setInterval(proxy.sweep, interval);
    proxy.sweepTimer.unref();
    return proxy;
  }

  /** The address clients should use as the relay address. */
  address(): { host: string; port: number } {
    return { ...this.listenAddr };
  }

  /** Change impairment at run time; unspecified fields keep their current value. */
  setImpairment(direction: ImpairmentDirection, imp: Partial<Impairment>): void {
    // Validate both before applying either (all-or-nothing).
    const nextUp = direction === 'down' ? this.imps[UP] : mergeImp(this.imps[UP], imp);
    const nextDown = direction === 'up' ? this.imps[DOWN] : mergeImp(this.imps[DOWN], imp);
    this.imps[UP] = nextUp;
    this.imps[DOWN] = nextDown;
  }

  /** Current impairment of one direction. */
  impairment(direction: 'up' | 'down'): Impairment {
    return impToPublic(this.imps[direction === 'up' ? UP : DOWN]);
  }

  /** Snapshot of the counters. */
  stats(): ProxyStats {
    const s: ProxyStats = {
      up: { ...this.st[UP] },
      down: { ...this.st[DOWN] },
      mappings: this.all.size,
      mappingsCreated: this.mappingsCreated,
      mappingsExpired: this.mappingsExpired,
      pending: this.queuedCount + this.heldCount,
      errors: this.errors,
      recvBufferBytes: this.listenRecvBuf,
      sendBufferBytes: this.listenSendBuf,
    };
    if (this.lastError !== undefined) s.lastError = this.lastError;
    return s;
  }

  /** Open client mappings, oldest first. */
  mappings(): MappingInfo[] {
    return [...this.all]
      .sort((x, y) => x.index - y.index)
      .map((m) => ({
        index: m.index,
        client: { host: m.clientHost, port: m.clientPort },
        upstream: m.upstreamAddr ? { ...m.upstreamAddr } : undefined,
      }));
  }

  /** Close all sockets; pending (delayed / held) datagrams are discarded. Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    this.queue.clear();
    this.heldCount = 0;
    this.queuedCount = 0;
    const waits: Promise<void>[] = [];
    for (const m of this.all) waits.push(this.closeMapping(m));
    this.all.clear();
    this.byPort.clear();
    waits.push(closeSocket(this.listen));
    this.closing = Promise.all(waits).then(() => undefined);
    return this.closing;
  }

  // -------------------------------------------------------------------------
  // Receive paths
  // -------------------------------------------------------------------------

  private readonly onClientMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    let m = this.byPort.get(rinfo.port);
    while (m !== undefined && m.clientHost !== rinfo.address) m = m.nextSamePort ?? undefined;
    if (m === undefined) {
      if (this.closed) return;
      m = this.createMapping(rinfo);
    }
    m.touched = true;
    this.ingress(m.up, msg);
  };

  private createMapping(rinfo: dgram.RemoteInfo): Mapping {
    const sock = dgram.createSocket({ type: socketTypeFor(this.targetHost) });
    const m = new Mapping(
      this.mappingsCreated++,
      rinfo.address,
      rinfo.port,
      sock,
      this.seed,
      performance.now(),
    );
    const head = this.byPort.get(rinfo.port);
    if (head !== undefined) m.nextSamePort = head;
    this.byPort.set(rinfo.port, m);
    this.all.add(m);

    sock.on('error', this.onSocketError);
    sock.on('message', (msg: Buffer) => {
      m.touched = true;
      this.ingress(m.down, msg);
    });
    const bindHost = socketTypeFor(this.targetHost) === 'udp6' ? '::1' : '127.0.0.1';
    sock.bind({ port: 0, address: bindHost, exclusive: true }, () => {
      if (m.closed) return;
      this.tuneBuffers(sock);
      const a = sock.address();
      m.upstreamAddr = { host: a.address, port: a.port };
      sock.connect(this.targetPort, this.targetHost, (err?: Error) => {
        if (m.closed) return;
        if (err) {
          this.onSocketError(err);
          this.st[UP].dropped += m.preReady.length;
          m.preReady.length = 0;
          return;
        }
        m.ready = true;
        const q = m.preReady;
        m.preReady = [];
        for (const b of q) sock.send(b);
      });
    });
    return m;
  }

  private readonly onSocketError = (err: Error): void => {
    this.errors++;
    this.lastError = err.message;
  };

  // -------------------------------------------------------------------------
  // Impairment pipeline
  // -------------------------------------------------------------------------

  private ingress(flow: Flow, msg: Buffer): void {
    const st = this.st[flow.dir];
    const imp = this.imps[flow.dir];
    st.received++;
    st.bytesReceived += msg.length;

    // Always exactly six draws, so decisions stay aligned with the datagram index.
    const r = flow.decide;
    const uLoss = r.next();
    const uTrunc = r.next();
    const uCorrupt = r.next();
    const uDup = r.next();
    const uJitter = r.next();
    const uReorder = r.next();

    if (imp.blackhole) {
      st.dropped++;
      st.blackholed++;
      return;
    }
    if (uLoss < imp.loss) {
      st.dropped++;
      return;
    }
    let buf = msg;
    if (uTrunc < imp.truncate && buf.length > 0) {
      buf = buf.subarray(0, flow.detail.int(buf.length));
      st.truncated++;
    }
    if (uCorrupt < imp.corrupt && buf.length > 0) {
      // The received Buffer is ours alone (fresh per datagram): flip in place.
      flipBits(buf, flow.detail);
      st.corrupted++;
    }
    const dup = uDup < imp.duplicate;
    const hold = uReorder < imp.reorder;
    let delay = imp.delayMs;
    if (imp.jitterMs > 0) delay += (2 * uJitter - 1) * imp.jitterMs;

    if (delay > 0) {
      st.delayed++;
      const due = performance.now() + delay;
      this.queue.push(due, flow, buf, hold, null);
      this.queuedCount++;
      if (dup) {
        st.duplicated++;
        this.queue.push(due, flow, buf, false, null);
        this.queuedCount++;
      }
      this.armTimer();
    } else {
      this.egress(flow, buf, hold);
      if (dup) {
        st.duplicated++;
        this.egress(flow, buf, false);
      }
    }
  }

  /** Final stage: reorder hold-back, then send. */
  private egress(flow: Flow, buf: Buffer, hold: boolean): void {
    if (hold) {
      const imp = this.imps[flow.dir];
      const h: Held = { buf, remaining: imp.reorderGap, done: false };
      flow.held.push(h);
      this.heldCount++;
      this.st[flow.dir].reordered++;
      this.queue.push(performance.now() + imp.reorderTimeoutMs, flow, null, false, h);
      this.armTimer();
      return;
    }
    this.send(flow, buf);
    const held = flow.held;
    if (held.length > 0) {
      let keep = 0;
      for (let i = 0; i < held.length; i++) {
        const h = held[i]!;
        if (--h.remaining <= 0) {
          h.done = true;
          this.heldCount--;
          this.send(flow, h.buf);
        } else {
          held[keep++] = h;
        }
      }
      held.length = keep;
    }
  }

  private send(flow: Flow, buf: Buffer): void {
    const m = flow.mapping;
    const st = this.st[flow.dir];
    if (m.closed) {
      st.dropped++;
      return;
    }
    if (flow.dir === UP) {
      if (m.ready) {
        m.socket.send(buf);
      } else if (m.preReady.length < MAX_PRE_READY_QUEUE) {
        m.preReady.push(buf);
      } else {
        st.dropped++;
        return;
      }
    } else {
      this.listen.send(buf, m.clientPort, m.clientHost);
    }
    st.forwarded++;
    st.bytesForwarded += buf.length;
  }

  // -------------------------------------------------------------------------
  // Timer (single timer for the whole delay queue)
  // -------------------------------------------------------------------------

  private armTimer(): void {
    if (this.closed) return;
    const due = this.queue.peekDue();
    if (due === Infinity) return;
    if (this.timer !== undefined) {
      if (this.timerDue <= due) return;
      clearTimeout(this.timer);
    }
    this.timerDue = due;
    this.timer = setTimeout(this.onTimer, Math.max(1, due - performance.now()));
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerDue = Infinity;
    if (this.closed) return;
    const limit = performance.now() + TIMER_SLACK_MS;
    const q = this.queue;
    while (q.peekDue() <= limit) {
      const p = q.pop()!;
      const flow = p.flow!;
      const held = p.held;
      const buf = p.buf;
      const hold = p.hold;
      q.recycle(p);
      if (held !== null) {
        // Reorder hold timed out: release it if it is still held.
        if (!held.done) {
          held.done = true;
          this.heldCount--;
          const i = flow.held.indexOf(held);
          if (i >= 0) flow.held.splice(i, 1);
          this.send(flow, held.buf);
        }
      } else if (flow.mapping.closed) {
        this.queuedCount--;
        this.st[flow.dir].dropped++;
      } else {
        this.queuedCount--;
        this.egress(flow, buf!, hold);
      }
    }
    this.armTimer();
  };

  // -------------------------------------------------------------------------
  // Mapping lifetime
  // -------------------------------------------------------------------------

  private readonly sweep = (): void => {
    if (this.closed) return;
    const now = performance.now();
    for (const m of this.all) {
      if (m.touched) {
        m.touched = false;
        m.lastSeen = now;
      } else if (now - m.lastSeen >= this.idleTimeoutMs) {
        this.expire(m);
      }
    }
  };

  private expire(m: Mapping): void {
    this.all.delete(m);
    // Unlink from the per-port chain.
    const head = this.byPort.get(m.clientPort);
    if (head === m) {
      if (m.nextSamePort) this.byPort.set(m.clientPort, m.nextSamePort);
      else this.byPort.delete(m.clientPort);
    } else {
      let p = head;
      while (p && p.nextSamePort !== m) p = p.nextSamePort ?? undefined;
      if (p) p.nextSamePort = m.nextSamePort;
    }
    this.mappingsExpired++;
    for (const f of [m.up, m.down]) {
      for (const h of f.held) {
        if (!h.done) {
          h.done = true;
          this.heldCount--;
          this.st[f.dir].dropped++;
        }
      }
      f.held.length = 0;
    }
    void this.closeMapping(m);
  }

  private closeMapping(m: Mapping): Promise<void> {
    m.closed = true;
    m.preReady.length = 0;
    return closeSocket(m.socket);
  }

  /** Request the configured buffer sizes (after bind) and read back what the kernel granted. */
  private tuneBuffers(sock: dgram.Socket): { recv: number; send: number } {
    let recv = 0;
    let send = 0;
    try {
      sock.setRecvBufferSize(this.recvBufferBytes);
    } catch (err) {
      this.onSocketError(err as Error);
    }
    try {
      sock.setSendBufferSize(this.sendBufferBytes);
    } catch (err) {
      this.onSocketError(err as Error);
    }
    try {
      recv = sock.getRecvBufferSize();
      send = sock.getSendBufferSize();
    } catch (err) {
      this.onSocketError(err as Error);
    }
    return { recv, send };
  }
}

function closeSocket(sock: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      sock.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}
