/**
 * Thousands of lightweight protocol clients in one process, for bench/relayCapacity.mjs (forked
 * after being bundled with esbuild into bench/.build/capacityClients.cjs). No reliability layer,
 * no crypto beyond signing REGISTER (test/support/rawClient.ts `registerDatagram`).
 *
 * Each client has its own UDP socket. Clients are spread over source addresses 127.1.x.y,
 * `perIp` per address (relayCapacity.mjs uses 10; all of 127/8 is loopback on Linux): the relay
 * limits unregistered traffic (HELLO, REGISTER) per source IP (UNREGISTERED_RATE_*: 50/s, burst
 * 100) and the built relay has no option to raise that, so 10,000 clients on one IP would need
 * ~400 s to register. 10 per address keeps every registration, retries included, in the burst.
 * Retries follow relayConnection.ts: 250 ms doubling to 2 s, HELLO again at the maximum.
 *
 * IPC (process.send), one request at a time:
 *   ← { type: 'init', identities }           → { type: 'init', ms }  (Ed25519/X25519 key pool)
 *   ← { type: 'register', relayPort, count, perIp, window, bufferBytes, timeoutMs, relayPorts? }
 *        (relayPorts: the relays of a cluster; client i joins relayPorts[i % n], bench/cluster.mjs)
 *        closes earlier clients, opens `count` sockets, registers them (at most `window` at a
 *        time) and keeps them alive with PINGs every keepaliveMs → { type: 'register', ... }
 *   ← { type: 'quiet', quietMs, timeoutMs }   waits until nothing but PONGs arrived for quietMs
 *   ← { type: 'burst', senders, perClient, datagramBytes, timeoutMs }
 *        the first `senders` clients each send `perClient` PEER_BROADCAST datagrams, one client
 *        after another in one synchronous loop; every client records each arrival → { type: 'burst', ... }
 *   ← { type: 'close' } → { type: 'close' }
 *
 * The relay coalesces small datagrams per client into BATCH datagrams (src/protocol/relayBatch.ts);
 * a BATCH from the relay's port is unpacked and each inner datagram handled as if it had arrived
 * alone, so burst latency is per inner broadcast. datagramsIn counts what crossed the wire; byKind
 * counts BATCH once and each inner datagram by its own kind.
 *
 * Broadcast body, in clear after the 12-byte header: u32 sender index, u32 message index,
 * f64 send time (performance.now(), ms; sender and receivers are this one process), padding.
 */
import * as dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { generateIdentity, Identity } from '../src/crypto/identity';
import { errorCodeFromWire } from '../src/protocol/errors';
import { Kind } from '../src/protocol/header';
import { DST_BROADCAST, HEADER_BYTES, MAGIC, PROTOCOL_VERSION } from '../src/protocol/limits';
import { forEachInBatch } from '../src/protocol/relayBatch';
import { decodeRelayMessage, encodeRelayMessage, HELLO_TOKEN_BYTES } from '../src/protocol/relayMessages';
import { certificateFor, registerDatagram } from '../test/support/rawClient';

type State = 'idle' | 'hello' | 'register' | 'done' | 'failed';

interface Client {
  index: number;
  /** The relay this client joins (its UDP port on 127.0.0.1). */
  port: number;
  nick: string;
  ip: string;
  socket: dgram.Socket;
  identity: Identity;
  state: State;
  session: number;
  token: Buffer;
  reg: Buffer | null;
  attempts: number;
  retryMs: number;
  lastSend: number;
  tStart: number;
  tDone: number;
  error: string;
}

interface RegisterReq {
  type: 'register';
  relayPort: number;
  /** Relays of one cluster to spread the clients over (client i → relayPorts[i % n]); default [relayPort]. */
  relayPorts?: number[];
  count: number;
  perIp: number;
  window: number;
  bufferBytes: number;
  timeoutMs: number;
}

type Req =
  | { type: 'init'; identities: number }
  | RegisterReq
  | { type: 'quiet'; quietMs: number; timeoutMs: number }
  | { type: 'burst'; senders: number; perClient: number; datagramBytes: number; timeoutMs: number }
  | { type: 'close' };

/** Re-send HELLO/REGISTER after this long without an answer, doubling up to RETRY_MAX_MS (as relayConnection.ts does). */
const RETRY_INITIAL_MS = 250;
const RETRY_MAX_MS = 2000;

let identities: Identity[] = [];
let clients: Client[] = [];
let relayPorts: number[] = [];
let keepaliveMs = 2000;
let keepaliveTimer: NodeJS.Timeout | undefined;
let pingToken = 1;
const byKind = new Float64Array(256);
/** ERROR datagrams received, by "CODE ref KIND". */
let errorsByCode: Record<string, number> = {};
let datagramsIn = 0;
let bytesIn = 0;
/** BATCH datagrams that did not decode or came from elsewhere than the relay's port. */
let badBatches = 0;
/** Last arrival of anything but a PONG (performance.now()). */
let lastArrival = 0;

// Registration bookkeeping.
let regPending = 0;
let regDone = 0;
let regFailed = 0;
let regRetries = 0;
let onRegProgress: (() => void) | null = null;

// Burst bookkeeping.
interface Burst {
  senders: number;
  perClient: number;
  expected: number;
  deliveries: number;
  duplicates: number;
  foreign: number;
  latencies: Float64Array;
  seen: Uint8Array;
  lastArrival: number;
  onDone: (() => void) | null;
}
let burst: Burst | null = null;

function ipFor(group: number): string {
  return `127.1.${Math.floor(group / 250)}.${1 + (group % 250)}`;
}

function send(c: Client, buf: Buffer): void {
  c.lastSend = performance.now();
  c.socket.send(buf, c.port, '127.0.0.1');
}

function sendHello(c: Client): void {
  c.state = 'hello';
  c.token = randomBytes(HELLO_TOKEN_BYTES);
  c.attempts++;
  send(c, encodeRelayMessage({ kind: Kind.HELLO, token: c.token }));
}

function finish(c: Client, ok: boolean, error = ''): void {
  if (c.state === 'done' || c.state === 'failed') return;
  c.state = ok ? 'done' : 'failed';
  c.tDone = performance.now();
  c.error = error;
  regPending--;
  if (ok) regDone++;
  else regFailed++;
  onRegProgress?.();
}

function onMessage(c: Client, buf: Buffer, port: number): void {
  const now = performance.now();
  datagramsIn++;
  bytesIn += buf.length;
  if (buf.length >= HEADER_BYTES && buf[2] === Kind.BATCH) {
    byKind[Kind.BATCH]++;
    // The shared codec's checks, without a Buffer per inner datagram: onDatagram reads fields at
    // an offset, so a 269,100-delivery burst costs this process no per-delivery allocation.
    batchClient = c;
    batchNow = now;
    if (port !== c.port || forEachInBatch(buf, onInner) < 0) badBatches++;
    return;
  }
  onDatagram(c, buf, 0, buf.length, now);
}

let batchClient: Client | null = null;
let batchNow = 0;
function onInner(buf: Buffer, offset: number, length: number): void {
  onDatagram(batchClient!, buf, offset, length, batchNow);
}

/** One datagram at buf[o, o + length) (alone: the whole buffer; in a BATCH: its slot). */
function onDatagram(c: Client, whole: Buffer, o: number, length: number, now: number): void {
  if (length < HEADER_BYTES || whole[o] !== MAGIC || whole[o + 1] !== PROTOCOL_VERSION) return;
  const kind = whole[o + 2];
  byKind[kind]++;
  // PONGs answer our own keepalives and never stop: "quiet" means nothing else arrives.
  if (kind !== Kind.PONG) lastArrival = now;
  if (kind === Kind.PEER_BROADCAST) {
    const b = burst;
    if (b === null || length < HEADER_BYTES + 16) return;
    const from = whole.readUInt32BE(o + HEADER_BYTES);
    const k = whole.readUInt32BE(o + HEADER_BYTES + 4);
    const sent = whole.readDoubleBE(o + HEADER_BYTES + 8);
    if (from >= b.senders || k >= b.perClient) {
      b.foreign++;
      return;
    }
    const slot = (c.index * b.senders + from) * b.perClient + k;
    if (b.seen[slot]) {
      b.duplicates++;
      return;
    }
    b.seen[slot] = 1;
    if (b.deliveries < b.expected) b.latencies[b.deliveries] = now - sent;
    b.deliveries++;
    b.lastArrival = now;
    if (b.deliveries === b.expected) b.onDone?.();
    return;
  }
  // The broadcast path above reads in place; the rarer ones below decode a Buffer of their own.
  const buf = o === 0 && length === whole.length ? whole : whole.subarray(o, o + length);
  if (kind === Kind.ERROR) {
    const d = decodeRelayMessage(buf);
    if (d.ok && d.msg.kind === Kind.ERROR) {
      const key = `${errorCodeFromWire(d.msg.code) ?? d.msg.code} ref 0x${d.msg.refKind.toString(16)}`;
      errorsByCode[key] = (errorsByCode[key] ?? 0) + 1;
    }
  }
  if (c.state !== 'hello' && c.state !== 'register') return;
  if (kind === Kind.COOKIE && c.state === 'hello') {
    const d = decodeRelayMessage(buf);
    if (!d.ok || d.msg.kind !== Kind.COOKIE || !d.msg.token.equals(c.token)) return;
    c.reg = registerDatagram(d.msg.cookie, c.nick, c.identity);
    c.state = 'register';
    send(c, c.reg);
  } else if (kind === Kind.REGISTERED && c.state === 'register') {
    const d = decodeRelayMessage(buf);
    if (!d.ok || d.msg.kind !== Kind.REGISTERED) return;
    c.session = d.msg.session;
    keepaliveMs = d.msg.keepaliveMs;
    finish(c, true);
  } else if (kind === Kind.ERROR) {
    const d = decodeRelayMessage(buf);
    if (!d.ok || d.msg.kind !== Kind.ERROR || d.msg.refKind !== Kind.REGISTER) return;
    const code = errorCodeFromWire(d.msg.code) ?? `code ${d.msg.code}`;
    if (code === 'BAD_COOKIE') {
      regRetries++;
      sendHello(c);
      return;
    }
    finish(c, false, `${code}: ${d.msg.message}`);
  }
}

async function openClient(index: number, perIp: number, bufferBytes: number): Promise<Client> {
  const ip = ipFor(Math.floor(index / perIp));
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, ip, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  if (bufferBytes > 0) {
    socket.setRecvBufferSize(bufferBytes);
    socket.setSendBufferSize(bufferBytes);
  }
  const c: Client = {
    index,
    port: relayPorts[index % relayPorts.length]!,
    nick: `c${index}`,
    ip,
    socket,
    identity: identities[index % identities.length]!,
    state: 'idle',
    session: 0,
    token: Buffer.alloc(0),
    reg: null,
    attempts: 0,
    retryMs: RETRY_INITIAL_MS,
    lastSend: 0,
    tStart: 0,
    tDone: 0,
    error: '',
  };
  socket.on('message', (buf, rinfo) => onMessage(c, buf, rinfo.port));
  socket.on('error', () => {
    /* e.g. ICMP unreachable after the relay stopped */
  });
  return c;
}

async function closeAll(): Promise<void> {
  if (keepaliveTimer) clearInterval(keepaliveTimer);
  keepaliveTimer = undefined;
  await Promise.all(clients.map((c) => new Promise<void>((resolve) => c.socket.close(() => resolve()))));
  clients = [];
}

function summarize(values: ArrayLike<number>): Record<string, number> {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  if (n === 0) return { count: 0 };
  const pct = (p: number): number => {
    const rank = (p / 100) * (n - 1);
    const lo = Math.floor(rank);
    const hi = Math.ceil(rank);
    return s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
  };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i]!;
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  return { count: n, min: r3(s[0]!), mean: r3(sum / n), p50: r3(pct(50)), p90: r3(pct(90)), p99: r3(pct(99)), p999: r3(pct(99.9)), max: r3(s[n - 1]!) };
}

function kindCounts(): Record<string, number> {
  const names: Record<number, string> = {};
  for (const [k, v] of Object.entries(Kind)) names[v] = k;
  const out: Record<string, number> = {};
  byKind.forEach((n, k) => {
    if (n > 0) out[names[k] ?? `0x${k.toString(16)}`] = n;
  });
  return out;
}

async function register(req: RegisterReq): Promise<Record<string, unknown>> {
  await closeAll();
  relayPorts = req.relayPorts?.length ? req.relayPorts : [req.relayPort];
  byKind.fill(0);
  errorsByCode = {};
  datagramsIn = 0;
  bytesIn = 0;
  regPending = 0;
  regDone = 0;
  regFailed = 0;
  regRetries = 0;
  const tOpen = performance.now();
  for (let i = 0; i < req.count; i += 500) {
    const batch = [];
    for (let j = i; j < Math.min(req.count, i + 500); j++) batch.push(openClient(j, req.perIp, req.bufferBytes));
    clients.push(...(await Promise.all(batch)));
  }
  const openMs = performance.now() - tOpen;

  const t0 = performance.now();
  let next = 0;
  const startMore = (): void => {
    while (regPending < req.window && next < clients.length) {
      const c = clients[next++]!;
      regPending++;
      c.tStart = performance.now();
      sendHello(c);
    }
  };
  const retry = setInterval(() => {
    const now = performance.now();
    for (const c of clients) {
      if ((c.state !== 'hello' && c.state !== 'register') || now - c.lastSend < c.retryMs) continue;
      c.retryMs = Math.min(c.retryMs * 2, RETRY_MAX_MS);
      regRetries++;
      // Like relayConnection.ts: re-send the REGISTER, and start over with HELLO once the
      // back-off reached its maximum (the cookie may have expired).
      if (c.state === 'hello' || c.retryMs >= RETRY_MAX_MS) sendHello(c);
      else send(c, c.reg!);
    }
    startMore();
  }, 50);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      for (const c of clients) if (c.state === 'hello' || c.state === 'register') finish(c, false, `TIMEOUT: not registered within ${req.timeoutMs} ms`);
      resolve();
    }, req.timeoutMs);
    onRegProgress = () => {
      startMore();
      if (regDone + regFailed === clients.length) {
        clearTimeout(timer);
        resolve();
      }
    };
    startMore();
  });
  onRegProgress = null;
  clearInterval(retry);
  const ms = performance.now() - t0;

  // Keepalive: every client PINGs once per keepaliveMs (spread over the interval).
  const tick = 100;
  let cursor = 0;
  keepaliveTimer = setInterval(() => {
    const per = Math.ceil((clients.length * tick) / Math.max(tick, keepaliveMs * 0.8));
    for (let n = 0; n < per && clients.length > 0; n++) {
      const c = clients[cursor++ % clients.length]!;
      if (c.state === 'done') send(c, encodeRelayMessage({ kind: Kind.PING, token: pingToken++ >>> 0 }, c.session));
    }
  }, tick);

  const lat = clients.filter((c) => c.state === 'done').map((c) => c.tDone - c.tStart);
  const errors: Record<string, number> = {};
  for (const c of clients) if (c.state !== 'done') errors[c.error || c.state] = (errors[c.error || c.state] ?? 0) + 1;
  return {
    type: 'register',
    count: clients.length,
    addresses: Math.ceil(clients.length / req.perIp),
    openSocketsMs: Math.round(openMs),
    ms: Math.round(ms * 10) / 10,
    registered: regDone,
    failed: regFailed,
    unfinished: clients.length - regDone - regFailed,
    retries: regRetries,
    registrationsPerSec: Math.round(regDone / (ms / 1000)),
    latencyMs: summarize(lat),
    errors,
    keepaliveMs,
    datagramsIn,
    bytesIn,
    byKind: kindCounts(),
    errorsReceived: errorsByCode,
    clientRssBytes: process.memoryUsage().rss,
  };
}

async function quiet(quietMs: number, timeoutMs: number): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const inBefore = datagramsIn;
  for (;;) {
    const now = performance.now();
    if (now - lastArrival >= quietMs) break;
    if (now - t0 > timeoutMs) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { type: 'quiet', waitedMs: Math.round(performance.now() - t0), datagramsMeanwhile: datagramsIn - inBefore, byKind: kindCounts() };
}

async function runBurst(senders: number, perClient: number, datagramBytes: number, timeoutMs: number): Promise<Record<string, unknown>> {
  const room = clients.filter((c) => c.state === 'done');
  if (room.length !== clients.length) throw new Error(`only ${room.length}/${clients.length} clients are registered`);
  const n = clients.length;
  const s = Math.min(senders, n);
  const expected = s * perClient * (n - 1);
  const b: Burst = {
    senders: s,
    perClient,
    expected,
    deliveries: 0,
    duplicates: 0,
    foreign: 0,
    latencies: new Float64Array(expected),
    seen: new Uint8Array(n * s * perClient),
    lastArrival: 0,
    onDone: null,
  };
  burst = b;
  const size = Math.max(HEADER_BYTES + 16, datagramBytes);
  // Pre-build every datagram so the send loop does nothing but stamp and send.
  const bufs: Buffer[] = [];
  for (let i = 0; i < s; i++) {
    for (let k = 0; k < perClient; k++) {
      const buf = Buffer.alloc(size, 0x20);
      buf[0] = MAGIC;
      buf[1] = PROTOCOL_VERSION;
      buf[2] = Kind.PEER_BROADCAST;
      buf[3] = 0;
      buf.writeUInt32BE(clients[i]!.session >>> 0, 4);
      buf.writeUInt32BE(DST_BROADCAST >>> 0, 8);
      buf.writeUInt32BE(i, HEADER_BYTES);
      buf.writeUInt32BE(k, HEADER_BYTES + 4);
      bufs.push(buf);
    }
  }
  const kinds0 = kindCounts();
  const in0 = datagramsIn;
  const bad0 = badBatches;
  errorsByCode = {};
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < s; i++) {
    const c = clients[i]!;
    for (let k = 0; k < perClient; k++) {
      const buf = bufs[i * perClient + k]!;
      buf.writeDoubleBE(performance.now(), HEADER_BYTES + 8);
      c.socket.send(buf, c.port, '127.0.0.1');
    }
  }
  const tSent = performance.now();
  const outcome = await new Promise<'done' | 'timeout'>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    // Also stop early once nothing arrived for a while (deliveries lost for good).
    const idle = setInterval(() => {
      if (performance.now() - Math.max(b.lastArrival, tSent) > 3000) {
        clearInterval(idle);
        clearTimeout(timer);
        resolve('timeout');
      }
    }, 100);
    b.onDone = () => {
      clearTimeout(timer);
      clearInterval(idle);
      resolve('done');
    };
    if (b.deliveries === expected) b.onDone();
  });
  const cpu = process.cpuUsage(cpu0);
  burst = null;
  const durationMs = (b.lastArrival || performance.now()) - t0;
  return {
    type: 'burst',
    clients: n,
    senders: s,
    perClient,
    datagramBytes: size,
    outcome,
    expected,
    deliveries: b.deliveries,
    missing: expected - b.deliveries,
    duplicates: b.duplicates,
    foreign: b.foreign,
    sendSpreadMs: Math.round((tSent - t0) * 1000) / 1000,
    durationMs: Math.round(durationMs * 1000) / 1000,
    deliveriesPerSec: Math.round(b.deliveries / (durationMs / 1000)),
    latencyMs: summarize(b.latencies.subarray(0, Math.min(b.deliveries, expected))),
    clientCpuMs: { user: Math.round(cpu.user / 1000), system: Math.round(cpu.system / 1000) },
    // What crossed the wire to the clients (a BATCH counts once), against `deliveries`.
    datagramsReceived: datagramsIn - in0,
    badBatches: badBatches - bad0,
    datagramsByKind: Object.fromEntries(Object.entries(kindCounts()).map(([k, v]) => [k, v - (kinds0[k] ?? 0)])),
    errorsReceived: errorsByCode,
  };
}

async function handle(m: Req): Promise<Record<string, unknown>> {
  switch (m.type) {
    case 'init': {
      const t0 = performance.now();
      identities = [];
      for (let i = 0; i < m.identities; i++) identities.push(generateIdentity());
      // Each identity's device certificate too (one Ed25519 signature each): out of the timed part.
      for (const id of identities) certificateFor(id);
      return { type: 'init', ms: Math.round(performance.now() - t0) };
    }
    case 'register':
      return register(m);
    case 'quiet':
      return quiet(m.quietMs, m.timeoutMs);
    case 'burst':
      return runBurst(m.senders, m.perClient, m.datagramBytes, m.timeoutMs);
    case 'close':
      await closeAll();
      return { type: 'close' };
  }
}

process.on('message', (m: Req) => {
  handle(m).then(
    (r) => process.send?.(r),
    (err: unknown) => process.send?.({ type: 'error', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });
