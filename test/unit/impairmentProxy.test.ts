import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { ImpairmentProxy, type Impairment } from '../support/impairmentProxy';
import { Rng, mixSeed } from '../support/rng';

const HOST = '127.0.0.1';
const BUF = 4 * 1024 * 1024;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) assert.fail(`timed out waiting for ${what()}`);
    await sleep(2);
  }
}

// ---------------------------------------------------------------------------
// Fixtures: echo server, clients, proxies — all closed after each test.
// ---------------------------------------------------------------------------

const toClose: Array<() => Promise<void>> = [];

function closeSock(s: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      s.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

async function bound(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, HOST, resolve));
  s.setRecvBufferSize(BUF);
  s.setSendBufferSize(BUF);
  toClose.push(() => closeSock(s));
  return s;
}

interface Echo {
  port: number;
  count: number;
  /** "addr:port" of every source seen, with the payloads it sent. */
  sources: Map<string, Buffer[]>;
}

/** UDP echo server; with `reply: false` it only records (cheaper: used by the 2000-datagram loss runs). */
async function startEcho(reply = true): Promise<Echo> {
  const s = await bound();
  const echo: Echo = { port: s.address().port, count: 0, sources: new Map() };
  s.on('message', (msg, rinfo) => {
    echo.count++;
    const key = `${rinfo.address}:${rinfo.port}`;
    let list = echo.sources.get(key);
    if (!list) echo.sources.set(key, (list = []));
    list.push(msg);
    if (reply) s.send(msg, rinfo.port, rinfo.address);
  });
  return echo;
}

interface Client {
  sock: dgram.Socket;
  port: number;
  received: Buffer[];
  send(msgs: Buffer[], to: { host: string; port: number }): Promise<void>;
}

async function startClient(): Promise<Client> {
  const sock = await bound();
  const c: Client = {
    sock,
    port: sock.address().port,
    received: [],
    // Paced so that no socket buffer overflows: every loss must come from the proxy.
    async send(msgs, to) {
      for (let i = 0; i < msgs.length; i++) {
        sock.send(msgs[i]!, to.port, to.host);
        // Let every socket drain between chunks (setImmediate runs after the I/O poll phase).
        if (i % 100 === 99) await new Promise((r) => setImmediate(r));
      }
    },
  };
  sock.on('message', (m) => c.received.push(m));
  return c;
}

async function startProxy(
  echo: Echo,
  seed: number,
  upstream?: Partial<Impairment>,
  downstream?: Partial<Impairment>,
  idleTimeoutMs?: number,
): Promise<ImpairmentProxy> {
  const p = await ImpairmentProxy.start({
    target: { host: HOST, port: echo.port },
    seed,
    ...(upstream ? { upstream } : {}),
    ...(downstream ? { downstream } : {}),
    ...(idleTimeoutMs !== undefined ? { idleTimeoutMs } : {}),
  });
  toClose.push(() => p.close());
  return p;
}

/** Wait until every datagram the proxy forwarded has been echoed and delivered. */
async function settle(p: ImpairmentProxy, echo: Echo, clients: Client[], sent: number): Promise<void> {
  const total = (): number => clients.reduce((n, c) => n + c.received.length, 0);
  await waitFor(
    () => {
      const s = p.stats();
      return (
        s.up.received === sent &&
        s.pending === 0 &&
        echo.count === s.up.forwarded &&
        s.down.received === echo.count &&
        total() === s.down.forwarded
      );
    },
    1500,
    () => `quiescence: sent=${sent} echo=${echo.count} got=${total()} stats=${JSON.stringify(p.stats())}`,
  );
}

/** Datagram `seq` of a test run: 4-byte big-endian seq + deterministic filler. */
function makeMsgs(n: number, seed: number, minLen = 16, maxLen = 1200): Buffer[] {
  const r = new Rng(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const b = Buffer.alloc(minLen + r.int(maxLen - minLen + 1));
    r.fill(b);
    b.writeUInt32BE(i, 0);
    out.push(b);
  }
  return out;
}

const seqOf = (b: Buffer): number => b.readUInt32BE(0);

function hamming(a: Buffer, b: Buffer): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    let x = a[i]! ^ b[i]!;
    while (x) {
      d += x & 1;
      x >>>= 1;
    }
  }
  return d;
}

afterEach(async () => {
  const fns = toClose.splice(0).reverse();
  for (const f of fns) await f();
});

// ---------------------------------------------------------------------------

describe('rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xa = Array.from({ length: 100 }, () => a.uint32());
    const xb = Array.from({ length: 100 }, () => b.uint32());
    const xc = Array.from({ length: 100 }, () => c.uint32());
    assert.deepEqual(xa, xb);
    assert.notDeepEqual(xa, xc);
    // 64-bit-ish seeds use the high part too.
    assert.notEqual(new Rng(2 ** 40 + 1).uint32(), new Rng(1).uint32());
    assert.notEqual(mixSeed(1, 0, 0), mixSeed(1, 0, 1));
    assert.equal(mixSeed(7, 3), mixSeed(7, 3));
  });

  it('next() is in [0,1), int(n) in [0,n) and roughly uniform', () => {
    const r = new Rng(1);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const x = r.next();
      assert.ok(x >= 0 && x < 1);
      const k = r.int(10);
      assert.ok(Number.isInteger(k) && k >= 0 && k < 10);
      buckets[k]!++;
    }
    for (const n of buckets) assert.ok(n > 9_400 && n < 10_600, `bucket ${n}`);
    assert.throws(() => r.int(0), RangeError);
    assert.throws(() => r.int(1.5), RangeError);
    assert.throws(() => new Rng(0.5), RangeError);
  });
});

describe('ImpairmentProxy', function () {
  this.timeout(2000);

  it('forwards every datagram byte-identical and in order with no impairment', async () => {
    const echo = await startEcho();
    const p = await startProxy(echo, 1);
    const c = await startClient();
    const addr = p.address();
    assert.equal(addr.host, HOST);
    assert.notEqual(addr.port, echo.port);
    const msgs = makeMsgs(500, 11);
    await c.send(msgs, addr);
    await settle(p, echo, [c], msgs.length);
    assert.equal(c.received.length, msgs.length);
    for (let i = 0; i < msgs.length; i++) assert.ok(c.received[i]!.equals(msgs[i]!), `datagram ${i} differs`);
    const s = p.stats();
    for (const d of [s.up, s.down]) {
      assert.equal(d.received, 500);
      assert.equal(d.forwarded, 500);
      assert.equal(d.dropped + d.duplicated + d.corrupted + d.reordered + d.delayed + d.truncated, 0);
    }
    assert.equal(s.up.bytesForwarded, msgs.reduce((n, m) => n + m.length, 0));
    // 4 MiB requested; Linux reports double the granted size, capped by rmem_max.
    assert.ok(s.recvBufferBytes >= 212_992, `recv buffer ${s.recvBufferBytes}`);
  });

  /** 2000 datagrams with upstream loss 0.2; returns the seqs that did not reach the server. */
  async function lossRun(seed: number, extra: Partial<Impairment> = {}): Promise<number[]> {
    const echo = await startEcho(false);
    const p = await startProxy(echo, seed, { loss: 0.2, ...extra });
    const c = await startClient();
    const msgs = makeMsgs(2000, 5, 8, 64);
    await c.send(msgs, p.address());
    await waitFor(
      () => p.stats().up.received === msgs.length && echo.count === p.stats().up.forwarded,
      1500,
      () => `all datagrams through: server got ${echo.count}, stats ${JSON.stringify(p.stats().up)}`,
    );
    const got = new Set([...echo.sources.values()].flat().map(seqOf));
    const lost = msgs.map(seqOf).filter((q) => !got.has(q));
    assert.equal(lost.length, p.stats().up.dropped);
    return lost;
  }

  /**
   * The documented decision stream: flow (mapping 0, direction up) draws six numbers
   * per datagram from Rng(mixSeed(seed, 0, 0, 0)); the first one decides loss.
   */
  function predictLost(seed: number, n: number, loss: number): number[] {
    const r = new Rng(mixSeed(seed, 0, 0, 0));
    const lost: number[] = [];
    for (let i = 0; i < n; i++) {
      const u = r.next();
      for (let k = 0; k < 5; k++) r.next();
      if (u < loss) lost.push(i);
    }
    return lost;
  }

  it('loss 0.2 over 2000 datagrams drops ~20%: exactly the ones the seed predicts', async () => {
    const a = await lossRun(1234);
    assert.ok(a.length >= 320 && a.length <= 480, `lost ${a.length} of 2000`);
    assert.deepEqual(a, predictLost(1234, 2000, 0.2));
    const other = predictLost(4321, 2000, 0.2);
    assert.ok(other.length >= 320 && other.length <= 480);
    assert.notDeepEqual(other, a, 'another seed loses other datagrams');
  });

  it('two runs with the same seed lose the same datagrams', async () => {
    const a = await lossRun(777);
    const b = await lossRun(777);
    assert.ok(a.length >= 320 && a.length <= 480, `lost ${a.length} of 2000`);
    assert.deepEqual(b, a);
  });

  it('loss decisions do not shift when other impairments are switched on', async () => {
    const b = await lossRun(99, { duplicate: 0.3, corrupt: 0 });
    assert.deepEqual(b, predictLost(99, 2000, 0.2));
  });

  it('duplicate produces duplicates', async () => {
    const echo = await startEcho();
    const p = await startProxy(echo, 7, { duplicate: 0.25 });
    const c = await startClient();
    const msgs = makeMsgs(400, 2, 8, 200);
    await c.send(msgs, p.address());
    await settle(p, echo, [c], msgs.length);
    const counts = new Map<number, number>();
    for (const m of c.received) {
      const q = seqOf(m);
      assert.ok(m.equals(msgs[q]!), `payload of ${q} changed`);
      counts.set(q, (counts.get(q) ?? 0) + 1);
    }
    assert.equal(counts.size, 400, 'every datagram arrives at least once');
    const twice = [...counts.values()].filter((n) => n === 2).length;
    assert.ok([...counts.values()].every((n) => n === 1 || n === 2));
    assert.equal(twice, p.stats().up.duplicated);
    assert.ok(twice >= 60 && twice <= 140, `duplicated ${twice} of 400`);
    assert.equal(c.received.length, 400 + twice);
  });

  it('corrupt flips 1-3 bits in the chosen datagrams and leaves the rest intact', async () => {
    const echo = await startEcho();
    const p = await startProxy(echo, 3, { corrupt: 0.5 });
    const c = await startClient();
    const msgs = makeMsgs(400, 3, 32, 300);
    await c.send(msgs, p.address());
    await settle(p, echo, [c], msgs.length);
    assert.equal(c.received.length, 400);
    const dist = new Map<number, number>();
    let changed = 0;
    for (let i = 0; i < 400; i++) {
      const d = hamming(c.received[i]!, msgs[i]!); // in order: no reordering configured
      dist.set(d, (dist.get(d) ?? 0) + 1);
      if (d > 0) changed++;
      assert.ok(d <= 3, `datagram ${i} has ${d} flipped bits`);
    }
    assert.equal(changed, p.stats().up.corrupted);
    assert.ok(changed >= 150 && changed <= 250, `corrupted ${changed} of 400`);
    for (const k of [1, 2, 3]) assert.ok((dist.get(k) ?? 0) > 10, `too few ${k}-bit flips: ${JSON.stringify([...dist])}`);
  });

  it('corrupt always changes even a 1-byte datagram (distinct bits)', async () => {
    const echo = await startEcho();
    const p = await startProxy(echo, 13, { corrupt: 1 });
    const c = await startClient();
    const msgs = Array.from({ length: 300 }, (_, i) => Buffer.from([i & 0xff]));
    await c.send(msgs, p.address());
    await settle(p, echo, [c], msgs.length);
    assert.equal(c.received.length, 300);
    for (let i = 0; i < 300; i++) {
      const d = hamming(c.received[i]!, msgs[i]!);
      assert.ok(d >= 1 && d <= 3, `datagram ${i}: ${d} bits flipped`);
    }
  });

  it('truncate cuts datagrams short (a strict prefix)', async () => {
    const echo = await startEcho();
    const p = await startProxy(echo, 4, undefined, { truncate: 1 });
    const c = await startClient();
    const msgs = makeMsgs(100, 4, 50, 500);
    await c.send(msgs, p.address());
    await settle(p, echo, [c], msgs.length);
    assert.equal(c.received.length, 100);
    assert.equal(echo.count, 100);
    for (let i = 0; i < 100; i++) {
      const r = c.received[i]!;
      assert.ok(r.length < msgs[i]!.length, `datagram ${i} not shorter`);
      assert.ok(r.equals(msgs[i]!.subarray(0, r.length)), `datagram ${i} is not a prefix`);
    }
    assert.equal(p.stats().down.truncated, 100);
  });

  it('reorder changes the order but loses nothing', async () => {
    const echo = await startEcho();
    const p = await startProxy(echo, 5, { reorder: 0.2 });
    const c = await startClient();
    const msgs = makeMsgs(500, 5, 8, 64);
    await c.send(msgs, p.address());
    await settle(p, echo, [c], msgs.length);
    const seqs = c.received.map(seqOf);
    assert.deepEqual([...seqs].sort((x, y) => x - y), msgs.map(seqOf));
    let descents = 0;
    for (let i = 1; i < seqs.length; i++) if (seqs[i]! < seqs[i - 1]!) descents++;
    const reordered = p.stats().up.reordered;
    assert.ok(reordered >= 60 && reordered <= 140, `reordered ${reordered} of 500`);
    assert.ok(descents > 0 && descents <= reordered, `descents ${descents}, held ${reordered}`);
    // reorderGap 1: a held datagram goes out right after the next non-held one, so
    // nothing moves far (a hold released only by the timeout would move a long way).
    let maxShift = 0;
    seqs.forEach((q, pos) => (maxShift = Math.max(maxShift, Math.abs(pos - q))));
    assert.ok(maxShift >= 1 && maxShift <= 6, `max displacement ${maxShift}`);
  });

  it('a held-back datagram is released after reorderTimeoutMs when no other traffic comes', async () => {
    const echo = await startEcho();
    const p = await startProxy(echo, 6, { reorder: 1, reorderTimeoutMs: 40 });
    const c = await startClient();
    const t0 = performance.now();
    await c.send(makeMsgs(1, 6), p.address());
    await waitFor(() => c.received.length === 1, 1000, () => 'the held datagram');
    const dt = performance.now() - t0;
    assert.ok(dt >= 38, `released after ${dt.toFixed(1)} ms`);
    assert.equal(p.stats().up.reordered, 1);
    assert.equal(p.stats().pending, 0);
  });

  it('delay applies per direction; jitter still delivers everything', async () => {
    const echo = await startEcho();
    const p = await startProxy(echo, 8, { delayMs: 60 }, { delayMs: 40 });
    const c = await startClient();
    const t0 = performance.now();
    await c.send(makeMsgs(1, 8), p.address());
    await sleep(30);
    assert.equal(echo.count, 0, 'arrived before the upstream delay');
    assert.equal(p.stats().pending, 1);
    await waitFor(() => c.received.length === 1, 1000, () => 'the delayed echo');
    const rtt = performance.now() - t0;
    assert.ok(rtt >= 98 && rtt < 400, `rtt ${rtt.toFixed(1)} ms`);

    p.setImpairment('both', { delayMs: 10, jitterMs: 10 });
    const msgs = makeMsgs(300, 9, 8, 64);
    await c.send(msgs, p.address());
    await settle(p, echo, [c], 301);
    const seqs = c.received.slice(1).map(seqOf);
    assert.deepEqual([...seqs].sort((x, y) => x - y), msgs.map(seqOf));
    assert.notDeepEqual(seqs, msgs.map(seqOf), 'jitter should reorder some datagrams');
    assert.equal(p.stats().up.delayed, 301);
  });

  it('a shorter delay set later overtakes datagrams already queued with a longer one', async () => {
    const echo = await startEcho();
    const p = await startProxy(echo, 9, { delayMs: 300 });
    const c = await startClient();
    const t0 = performance.now();
    await c.send([Buffer.from('slow')], p.address());
    await waitFor(() => p.stats().pending === 1, 100, () => 'the slow datagram to be queued');
    p.setImpairment('up', { delayMs: 10 });
    await c.send([Buffer.from('fast')], p.address());
    await waitFor(() => c.received.length === 1, 250, () => 'the fast datagram');
    assert.equal(c.received[0]!.toString(), 'fast');
    assert.ok(performance.now() - t0 < 150);
    assert.equal(p.stats().pending, 1, 'the slow one is still queued');
  });

  it('blackhole drops everything until switched off', async () => {
    const echo = await startEcho();
    const p = await startProxy(echo, 10, { blackhole: true });
    const c = await startClient();
    await c.send(makeMsgs(100, 10), p.address());
    await sleep(100);
    assert.equal(echo.count, 0);
    assert.equal(c.received.length, 0);
    const s = p.stats();
    assert.equal(s.up.received, 100);
    assert.equal(s.up.blackholed, 100);
    assert.equal(s.up.dropped, 100);
    assert.equal(s.up.forwarded, 0);

    p.setImpairment('up', { blackhole: false });
    const msgs = makeMsgs(100, 11);
    await c.send(msgs, p.address());
    await settle(p, echo, [c], 200);
    assert.equal(c.received.length, 100);
    assert.ok(c.received.every((m, i) => m.equals(msgs[i]!)));
  });

  it('gives each client its own upstream mapping and routes replies back to it only', async () => {
    const echo = await startEcho();
    const p = await startProxy(echo, 12);
    const a = await startClient();
    const b = await startClient();
    const ma = makeMsgs(200, 12).map((m) => Buffer.concat([m, Buffer.from('A')]));
    const mb = makeMsgs(200, 13).map((m) => Buffer.concat([m, Buffer.from('B')]));
    await Promise.all([a.send(ma, p.address()), b.send(mb, p.address())]);
    await settle(p, echo, [a, b], 400);

    assert.equal(echo.sources.size, 2, 'the target sees two distinct sources');
    const maps = p.mappings();
    assert.equal(maps.length, 2);
    assert.deepEqual(maps.map((m) => m.client.port).sort(), [a.port, b.port].sort());
    const srcPorts = [...echo.sources.keys()].map((k) => Number(k.split(':')[1]));
    assert.deepEqual([...srcPorts].sort(), maps.map((m) => m.upstream!.port).sort());
    for (const port of srcPorts) {
      assert.ok(![a.port, b.port, p.address().port].includes(port), `source port ${port} is not a proxy mapping`);
    }
    // Each upstream source carried exactly one client's traffic.
    for (const list of echo.sources.values()) {
      const tags = new Set(list.map((m) => m[m.length - 1]));
      assert.equal(tags.size, 1);
    }
    assert.equal(a.received.length, 200);
    assert.equal(b.received.length, 200);
    assert.ok(a.received.every((m, i) => m.equals(ma[i]!)), 'A got only its own replies');
    assert.ok(b.received.every((m, i) => m.equals(mb[i]!)), 'B got only its own replies');
  });

  it('setImpairment takes effect at run time, merges partial updates and validates', async () => {
    const echo = await startEcho();
    const p = await startProxy(echo, 14);
    const c = await startClient();
    await c.send(makeMsgs(50, 14), p.address());
    await settle(p, echo, [c], 50);
    assert.equal(c.received.length, 50);

    p.setImpairment('down', { loss: 1, delayMs: 5 });
    assert.deepEqual(p.impairment('down'), { ...p.impairment('down'), loss: 1, delayMs: 5, duplicate: 0 });
    assert.equal(p.impairment('up').loss, 0);
    await c.send(makeMsgs(50, 15), p.address());
    await settle(p, echo, [c], 100);
    assert.equal(echo.count, 100, 'upstream unaffected');
    assert.equal(c.received.length, 50, 'downstream loss 1 drops every reply');
    assert.equal(p.stats().down.dropped, 50);

    p.setImpairment('down', { loss: 0 }); // partial: delay stays
    assert.equal(p.impairment('down').delayMs, 5);
    p.setImpairment('both', { duplicate: 1 });
    await c.send(makeMsgs(10, 16), p.address());
    await settle(p, echo, [c], 110);
    assert.equal(echo.count, 120);
    assert.equal(c.received.length, 50 + 40, 'duplicated both ways: 4 copies each');

    assert.throws(() => p.setImpairment('both', { loss: 1.5 }), RangeError);
    assert.throws(() => p.setImpairment('up', { delayMs: -1 }), RangeError);
    assert.throws(() => p.setImpairment('up', { reorderGap: 0 }), RangeError);
    assert.equal(p.impairment('up').loss, 0, 'a rejected update changes nothing');
  });

  it('expires idle mappings and creates a fresh one on new traffic', async () => {
    const echo = await startEcho();
    const p = await startProxy(echo, 16, undefined, undefined, 80);
    const c = await startClient();
    await c.send(makeMsgs(5, 16), p.address());
    await settle(p, echo, [c], 5);
    assert.equal(p.mappings().length, 1);
    await waitFor(() => p.stats().mappingsExpired === 1, 1000, () => 'mapping expiry');
    assert.equal(p.mappings().length, 0);
    await c.send(makeMsgs(5, 17), p.address());
    await settle(p, echo, [c], 10);
    assert.equal(c.received.length, 10);
    assert.equal(p.stats().mappingsCreated, 2);
    assert.equal(echo.sources.size, 2, 'the target saw a new source after expiry');
  });

  it('survives an unreachable target and counts the errors', async () => {
    const dead = await bound();
    const port = dead.address().port;
    await closeSock(dead);
    const p = await ImpairmentProxy.start({ target: { host: HOST, port }, seed: 1 });
    toClose.push(() => p.close());
    const c = await startClient();
    for (let i = 0; i < 5; i++) {
      await c.send(makeMsgs(1, i), p.address());
      await sleep(5);
    }
    await waitFor(() => p.stats().errors > 0, 500, () => 'an ECONNREFUSED error');
    assert.equal(p.stats().up.received, 5);
    assert.equal(c.received.length, 0);
  });

  it('close() is idempotent and releases the port', async () => {
    const echo = await startEcho();
    const p = await startProxy(echo, 17);
    const c = await startClient();
    await c.send(makeMsgs(3, 1), p.address());
    await settle(p, echo, [c], 3);
    const port = p.address().port;
    await Promise.all([p.close(), p.close()]);
    const again = await ImpairmentProxy.start({ target: { host: HOST, port: echo.port }, seed: 1, listenPort: port });
    assert.equal(again.address().port, port);
    await again.close();
  });
});
