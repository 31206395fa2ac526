/**
 * The relay's per-client coalescing (relayServer.ts "Coalescing", src/protocol/relayBatch.ts) over
 * real UDP sockets on 127.0.0.1: what every client received, in what order, and what the relay
 * sent and counted. The relay runs in this process, so a synchronous send loop in a test is
 * entirely in the relay's socket buffer before the relay reads any of it: the datagrams it sends
 * arrive within one or a few event-loop turns, which is what coalescing feeds on.
 */
import { strict as assert } from 'node:assert';
import * as dgram from 'node:dgram';
import { RelayConnection } from '../../src/client/relayConnection';
import { generateIdentity } from '../../src/crypto/identity';
import { newDevice } from '../../src/crypto/deviceCertificate';
import { datagram, Kind } from '../../src/protocol/header';
import { DST_BROADCAST, HEADER_BYTES } from '../../src/protocol/limits';
import { decodeBatch, encodeBatch } from '../../src/protocol/relayBatch';
import { decodeRelayMessage, encodeRelayMessage } from '../../src/protocol/relayMessages';
import { RelayOptions, RelayServer } from '../../src/relay/relayServer';
import * as os from 'node:os';
import { BATCH_MAX_BYTES, LOOPBACK_BATCH_MAX_BYTES } from '../../src/relay/relayLimits';
import { identityPool, isKind, RawClient } from '../support/rawClient';

/** Generous unregistered budget: these tests register many clients from one IP quickly. */
const MANY_FROM_ONE_IP = { perSec: 100_000, burst: 100_000 };
/** How long "nothing more arrives" is watched for (ms): loopback delivers in well under 1 ms. */
const QUIET_MS = 150;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A peer datagram whose body starts with u32 a, u32 b (who sent it, which one), padded to `bytes`. */
function tagged(kind: number, src: number, dst: number, a: number, b: number, bytes: number): Buffer {
  const body = Buffer.alloc(bytes - HEADER_BYTES, 0x33);
  body.writeUInt32BE(a, 0);
  body.writeUInt32BE(b, 4);
  return datagram({ kind, flags: 0, src, dst }, body);
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('relay coalescing (integration)', function () {
  this.timeout(30_000);
  let relay: RelayServer | undefined;
  const clients: RawClient[] = [];
  const conns: RelayConnection[] = [];

  async function startRelay(opts: RelayOptions = {}): Promise<RelayServer> {
    relay = await RelayServer.start({ port: 0, unregisteredRate: MANY_FROM_ONE_IP, ...opts });
    return relay;
  }
  /** A registered RawClient; `tap` (settable later) sees every datagram it receives, batches unpacked. */
  async function registered(nick: string, tap: { fn?: (d: Buffer) => void } = {}): Promise<RawClient> {
    const c = await RawClient.connect(relay!.address(), { bufferBytes: 1 << 20, onDatagram: (r) => tap.fn?.(r.buf) });
    clients.push(c);
    await c.mustRegister(nick);
    return c;
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await Promise.all(conns.splice(0).map((c) => c.leave()));
    await relay?.close('test over');
    relay = undefined;
  });

  it('30 clients × 3 broadcasts at once: each arrives exactly once, in order, in far fewer datagrams', async () => {
    await startRelay();
    const n = 30;
    const per = 3;
    const cs: RawClient[] = [];
    const taps = Array.from({ length: n }, () => ({}) as { fn?: (d: Buffer) => void });
    for (let i = 0; i < n; i++) cs.push(await registered(`c${i}`, taps[i]));
    await sleep(QUIET_MS); // presence settles
    for (const c of cs) c.drain();

    const index = new Map(cs.map((c, i) => [c.session, i]));
    // got[r][s] = the broadcast numbers receiver r got from sender s, in arrival order.
    const got = cs.map(() => cs.map(() => [] as number[]));
    const wire = cs.map(() => ({ datagrams: 0, largest: 0 }));
    cs.forEach((c, r) => {
      c.socket.on('message', (m: Buffer) => {
        wire[r].datagrams++;
        wire[r].largest = Math.max(wire[r].largest, m.length);
      });
    });
    const before = relay!.stats();
    const batchesSeen0 = cs.reduce((a, c) => a + c.counters.byKind[Kind.BATCH], 0);
    const bufs = cs.flatMap((c, i) => Array.from({ length: per }, (_, k) => tagged(Kind.PEER_BROADCAST, c.session, DST_BROADCAST, i, k, 128)));
    const expected = n * per * (n - 1);
    let deliveries = 0;
    taps.forEach((tap, r) => {
      tap.fn = (d) => {
        if (d[2] !== Kind.PEER_BROADCAST) return;
        assert.equal(index.get(d.readUInt32BE(4)), d.readUInt32BE(HEADER_BYTES), 'header src names the sender');
        got[r][d.readUInt32BE(HEADER_BYTES)].push(d.readUInt32BE(HEADER_BYTES + 4));
        deliveries++;
      };
    });
    for (let i = 0; i < n; i++) for (let k = 0; k < per; k++) cs[i].send(bufs[i * per + k]);
    await until(() => deliveries >= expected, 10_000, `${expected} deliveries (have ${deliveries})`);
    await sleep(QUIET_MS); // anything extra (a duplicate) would show up now

    for (let r = 0; r < n; r++) {
      for (let s = 0; s < n; s++) {
        assert.deepEqual(got[r][s], s === r ? [] : [0, 1, 2], `client ${r} from client ${s}`);
      }
    }
    const after = relay!.stats();
    const forwarded = after.forwarded - before.forwarded;
    const sent = after.datagramsOut - before.datagramsOut;
    assert.equal(forwarded, expected, 'every delivery counted once');
    assert.ok(sent < expected / 3, `relay sent ${sent} datagrams for ${expected} deliveries`);
    assert.ok(after.batches > before.batches);
    assert.equal(after.dropped.clientQueueFull, 0);
    const received = wire.reduce((a, w) => a + w.datagrams, 0);
    assert.ok(received <= sent, `clients received ${received}, relay sent ${sent}`);
    assert.ok(cs.reduce((a, c) => a + c.counters.byKind[Kind.BATCH], 0) > batchesSeen0, 'clients saw BATCH datagrams');
    // Loopback clients: the relay may pack a turn's whole queue into one datagram.
    const largest = Math.max(...wire.map((w) => w.largest));
    assert.ok(largest > BATCH_MAX_BYTES && largest <= LOOPBACK_BATCH_MAX_BYTES, `largest datagram ${largest} bytes`);
    assert.equal(cs.reduce((a, c) => a + c.counters.badBatches, 0), 0);
  });

  it('a batch the kernel could not take at once keeps its own bytes until it is sent', async () => {
    await startRelay();
    const n = 20;
    const taps = Array.from({ length: n }, () => ({}) as { fn?: (d: Buffer) => void });
    const cs: RawClient[] = [];
    for (let i = 0; i < n; i++) cs.push(await registered(`q${i}`, taps[i]));
    await sleep(QUIET_MS);
    // Model a full socket send buffer: libuv queues the send and reads its bytes later, and says
    // so in getSendQueueCount(). The relay must not write the next batch over queued bytes.
    const sock = (relay as unknown as { socket: dgram.Socket }).socket;
    const realSend = sock.send.bind(sock) as (...args: unknown[]) => void;
    const pending: Array<() => void> = [];
    let queuedSends = 0;
    sock.send = ((...args: unknown[]) => {
      queuedSends++;
      pending.push(() => realSend(...args));
      if (pending.length === 1) setTimeout(() => pending.splice(0).forEach((f) => f()), 2);
    }) as typeof sock.send;
    sock.getSendQueueCount = () => pending.length;
    const got = cs.map(() => new Set<string>());
    let deliveries = 0;
    taps.forEach((tap, r) => {
      tap.fn = (d) => {
        if (d[2] !== Kind.PEER_BROADCAST) return;
        const key = `${d.readUInt32BE(HEADER_BYTES)}:${d.readUInt32BE(HEADER_BYTES + 4)}`;
        assert.ok(!got[r].has(key), `client ${r} got ${key} twice`);
        assert.ok(d.subarray(HEADER_BYTES + 8).every((b) => b === 0x33), 'bytes intact');
        got[r].add(key);
        deliveries++;
      };
    });
    for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) cs[i].send(tagged(Kind.PEER_BROADCAST, cs[i].session, DST_BROADCAST, i, k, 200 + 40 * k));
    await until(() => deliveries >= n * 3 * (n - 1), 5_000, 'every broadcast');
    await sleep(QUIET_MS);
    assert.equal(deliveries, n * 3 * (n - 1));
    got.forEach((keys, r) => {
      const want = cs.flatMap((_, i) => (i === r ? [] : [0, 1, 2].map((k) => `${i}:${k}`)));
      assert.deepEqual([...keys].sort(), want.sort(), `client ${r} got what was meant for it`);
    });
    assert.ok(queuedSends > 0 && relay!.stats().batches > 0);
  });

  it('keeps per-client order across small (queued) and large (sent at once) datagrams', async () => {
    await startRelay();
    const a = await registered('a');
    const order: number[] = [];
    const b = await registered('b', {
      fn: (d) => {
        if (d[2] === Kind.PEER_SEALED || d[2] === Kind.PEER_BROADCAST) order.push(d.readUInt32BE(HEADER_BYTES + 4));
      },
    });
    await sleep(QUIET_MS);
    const sizes = [60, 80, 5000, 70, 1200, 1190, 40, 30_000, 20];
    const before = relay!.stats();
    sizes.forEach((bytes, k) => a.send(tagged(Kind.PEER_SEALED, a.session, b.session, 0, k, bytes)));
    a.send(tagged(Kind.PEER_BROADCAST, a.session, DST_BROADCAST, 0, sizes.length, 100));
    await until(() => order.length >= sizes.length + 1, 5_000, 'every datagram');
    await sleep(QUIET_MS);
    assert.deepEqual(order, [...sizes.keys(), sizes.length]);
    const after = relay!.stats();
    assert.equal(after.forwarded - before.forwarded, sizes.length + 1);
    assert.ok(after.batches > before.batches, 'the small ones shared datagrams');
    assert.ok(after.datagramsOut - before.datagramsOut < sizes.length + 1);
    assert.equal(b.counters.badBatches, 0);
  });

  it('bulk data for one client and small datagrams for another, mixed in one turn: each in order, once', async () => {
    await startRelay();
    const a = await registered('a');
    const bulk: number[] = [];
    const small: number[] = [];
    const b = await registered('b', { fn: (d) => d[2] === Kind.PEER_SEALED && bulk.push(d.readUInt32BE(HEADER_BYTES + 4)) });
    const c = await registered('c', { fn: (d) => d[2] === Kind.PEER_SEALED && small.push(d.readUInt32BE(HEADER_BYTES + 4)) });
    await sleep(QUIET_MS);
    // 30 datagrams in one turn: 60 KB ones for b (sent at once) around small ones for c (queued;
    // flushed early once they have waited MAX_QUEUE_HOLD_MS, or at the end of the turn).
    for (let k = 0; k < 30; k++) {
      if (k % 3 === 0) a.send(tagged(Kind.PEER_SEALED, a.session, c.session, 0, k, 80));
      else a.send(tagged(Kind.PEER_SEALED, a.session, b.session, 0, k, 60_000));
    }
    await until(() => bulk.length >= 20 && small.length >= 10, 5_000, 'every datagram');
    await sleep(QUIET_MS);
    assert.deepEqual(small, [...Array(30).keys()].filter((k) => k % 3 === 0));
    assert.deepEqual(bulk, [...Array(30).keys()].filter((k) => k % 3 !== 0));
    assert.equal(b.counters.badBatches + c.counters.badBatches, 0);
  });

  it('to a client off loopback, no datagram exceeds the safe size (1200 bytes)', async function () {
    // Any address of this machine that is not loopback: traffic still stays inside the host, but
    // the relay sees a source address that could be on another machine.
    const ip = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
    if (ip === undefined) this.skip();
    await startRelay({ host: ip });
    const connectFrom = async (nick: string, tap: (d: Buffer) => void = () => {}): Promise<RawClient> => {
      const c = await RawClient.connect(relay!.address(), { localAddress: ip, bufferBytes: 1 << 20, onDatagram: (r) => tap(r.buf) });
      clients.push(c);
      await c.mustRegister(nick);
      return c;
    };
    const a = await connectFrom('a');
    const order: number[] = [];
    const b = await connectFrom('b', (d) => d[2] === Kind.PEER_SEALED && order.push(d.readUInt32BE(HEADER_BYTES + 4)));
    let largest = 0;
    let datagrams = 0;
    b.socket.on('message', (m: Buffer) => {
      largest = Math.max(largest, m.length);
      datagrams++;
    });
    await sleep(QUIET_MS);
    const before = relay!.stats();
    for (let k = 0; k < 30; k++) a.send(tagged(Kind.PEER_SEALED, a.session, b.session, 0, k, 100 + 30 * k));
    await until(() => order.length >= 30, 5_000, 'all 30');
    await sleep(QUIET_MS);
    assert.deepEqual(order, [...Array(30).keys()]);
    assert.ok(largest <= BATCH_MAX_BYTES, `largest datagram ${largest} bytes`);
    assert.ok(datagrams < 30, `${datagrams} datagrams for 30`);
    assert.ok(relay!.stats().batches > before.batches);
  });

  it('a client whose queue is full this turn loses the excess, counted; the next turn is fresh', async () => {
    await startRelay({ maxQueuedBytesPerClient: 200 });
    const a = await registered('a');
    const b = await registered('b');
    await sleep(QUIET_MS);
    b.drain();
    const before = relay!.stats();
    // Each queued datagram costs its 50 bytes + a 2-byte prefix: three fit in 200, two do not.
    for (let k = 0; k < 5; k++) a.send(tagged(Kind.PEER_SEALED, a.session, b.session, 0, k, 50));
    await sleep(QUIET_MS);
    const got = b.drain(isKind(Kind.PEER_SEALED)).map((r) => r.buf.readUInt32BE(HEADER_BYTES + 4));
    assert.deepEqual(got, [0, 1, 2]);
    let s = relay!.stats();
    assert.equal(s.dropped.clientQueueFull - before.dropped.clientQueueFull, 2);
    assert.equal(s.forwarded - before.forwarded, 3);
    a.send(tagged(Kind.PEER_SEALED, a.session, b.session, 0, 5, 50));
    const later = await b.next(isKind(Kind.PEER_SEALED));
    assert.equal(later.buf.readUInt32BE(HEADER_BYTES + 4), 5);
    s = relay!.stats();
    assert.equal(s.dropped.clientQueueFull - before.dropped.clientQueueFull, 2);
  });

  it('never batches to an unvalidated address, and the 3x rule still holds', async () => {
    await startRelay();
    const a = await registered('a');
    const sock = dgram.createSocket('udp4');
    const kinds: number[] = [];
    let received = 0;
    let sent = 0;
    sock.on('message', (m) => {
      received += m.length;
      kinds.push(m[2]);
    });
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const { port } = relay!.address();
    try {
      // Many answerable datagrams in one turn from one unregistered address.
      for (let i = 0; i < 40; i++) {
        const d = [
          encodeRelayMessage({ kind: Kind.HELLO, token: Buffer.alloc(8, i) }),
          encodeRelayMessage({ kind: Kind.PING, token: i }, 7),
          datagram({ kind: Kind.PEER_SEALED, flags: 0, src: 0x4242, dst: a.session }),
        ][i % 3];
        sent += d.length;
        sock.send(d, port, '127.0.0.1');
      }
      await sleep(QUIET_MS);
      assert.ok(kinds.length > 0, 'it was answered');
      assert.ok(!kinds.includes(Kind.BATCH), `kinds received: ${kinds.join(',')}`);
      assert.ok(received <= 3 * sent, `${received} > 3 x ${sent}`);
    } finally {
      sock.close();
    }
  });

  describe('RelayConnection (the real client)', () => {
    async function connect(nick: string): Promise<RelayConnection> {
      const c = await RelayConnection.open({ relay: relay!.address(), nick, device: newDevice(generateIdentity()) });
      conns.push(c);
      await c.register();
      return c;
    }

    it('unpacks batches into the normal path: presence, roster and every peer datagram once', async () => {
      await startRelay();
      const n = 8;
      const cs: RelayConnection[] = [];
      for (let i = 0; i < n; i++) cs.push(await connect(`p${i}`));
      await until(() => cs.every((c) => c.peers().length === n - 1), 5_000, 'everyone in every roster');
      const peerEvents = cs.map(() => [] as string[]);
      cs.forEach((c, r) => c.on('peer', ({ header, datagram: d }) => peerEvents[r].push(`${header.src}:${d.readUInt32BE(HEADER_BYTES + 4)}`)));
      const before = relay!.stats();
      for (const c of cs) for (let k = 0; k < 3; k++) c.send(tagged(Kind.PEER_BROADCAST, c.session, DST_BROADCAST, 0, k, 150));
      await until(() => peerEvents.every((e) => e.length >= 3 * (n - 1)), 5_000, 'every broadcast');
      await sleep(QUIET_MS);
      cs.forEach((c, r) => {
        const want = cs.filter((o) => o !== c).flatMap((o) => [0, 1, 2].map((k) => `${o.session}:${k}`));
        assert.deepEqual([...peerEvents[r]].sort(), want.sort(), `client ${r}`);
        assert.equal(c.dropped, 0);
      });
      assert.ok(relay!.stats().batches > before.batches, 'the relay batched');

      // A late joiner's presence reaches everyone, batched or not.
      const late = await connect('late');
      await until(() => cs.every((c) => c.peers().some((p) => p.nick === 'late')), 5_000, 'the late joiner in every roster');
      assert.equal(late.peers().length, n);
    });

    // 24 characters (the most a nickname may have): 40 to a 1200-byte page, so 150 members span 4 pages.
    const memberNick = (i: number): string => `member-${String(i).padStart(3, '0')}-${'x'.repeat(13)}`;

    /** Raw client number `i` of a roster test, registered as memberNick(i) with identity pool[i]. */
    async function member(i: number, pool: ReturnType<typeof identityPool>): Promise<RawClient> {
      const c = await RawClient.connect(relay!.address(), { bufferBytes: 1 << 20 });
      clients.push(c);
      await c.mustRegister(memberNick(i), pool[i]);
      return c;
    }

    it('fetches a roster of many pages while others join and leave: stitched, no quiet room needed, then in step', async () => {
      await startRelay();
      const pool = identityPool(330);
      const room: RawClient[] = [];
      for (let i = 0; i < 150; i++) room.push(await member(i, pool));
      // Churn: a join every few ms, and every third step the member who joined just before leaves
      // (the end of the join order: no entry moves, so nothing can slip between two pages).
      let churning = true;
      let joined = 150;
      const churn = (async () => {
        for (let step = 0; churning && joined < pool.length; step++) {
          room.push(await member(joined++, pool));
          if (step % 3 === 2) room.splice(room.length - 2, 1)[0].sendRelay({ kind: Kind.LEAVE });
          await sleep(2);
        }
      })();
      const watcher = await RelayConnection.open({ relay: relay!.address(), nick: 'watcher', device: newDevice(generateIdentity()) });
      conns.push(watcher);
      const firstRoster = new Promise<{ peers: { id: number }[]; joinedBefore: number }>((resolve) =>
        watcher.once('roster', ({ peers }) => resolve({ peers, joinedBefore: joined })),
      );
      await watcher.register();
      const first = await firstRoster;
      const stillChurning = churning && joined < pool.length;
      churning = false;
      await churn;
      assert.ok(stillChurning, 'the first roster arrived while the room was still changing');
      assert.ok(first.peers.length >= 140, `${first.peers.length} peers in the first roster`);
      // Pages of several versions were stitched with PRESENCE, not thrown away and fetched again.
      assert.equal(watcher.rosterFetches, 1);
      // Then PRESENCE keeps it in step: exactly the relay's members but the watcher itself.
      const want = (): string[] => room.map((c) => String(c.session)).sort();
      await until(() => JSON.stringify(watcher.peers().map((p) => String(p.id)).sort()) === JSON.stringify(want()), 10_000, "the watcher's roster to match the relay's");
      assert.equal(relay!.stats().clients, room.length + 1);
    });

    it('a roster fetch that lost a PRESENCE starts over within its 1 s deadline, though PRESENCE keeps coming', async () => {
      await startRelay();
      const pool = identityPool(900);
      for (let i = 0; i < 150; i++) await member(i, pool);
      // Between the watcher and the relay: ROSTER pages held 30 ms each (so members join while
      // the pages come), and the first PRESENCE newer than the first page dropped.
      const proxy = dgram.createSocket('udp4');
      const upstream = dgram.createSocket('udp4');
      await new Promise<void>((r) => proxy.bind(0, '127.0.0.1', r));
      await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', r));
      let watcherAddr: dgram.RemoteInfo | undefined;
      let firstPageVersion = -1;
      let droppedPresence = 0;
      proxy.on('message', (buf, rinfo) => {
        watcherAddr = rinfo;
        upstream.send(buf, relay!.address().port, '127.0.0.1');
      });
      upstream.on('message', (buf) => {
        const inner = buf[2] === Kind.BATCH ? (decodeBatch(buf) ?? []) : [buf];
        let roster = false;
        for (const d of inner) {
          const m = decodeRelayMessage(d);
          if (!m.ok) continue;
          if (m.msg.kind === Kind.ROSTER) {
            roster = true;
            if (firstPageVersion < 0) firstPageVersion = m.msg.version;
          }
          if (m.msg.kind === Kind.PRESENCE && firstPageVersion >= 0 && droppedPresence === 0 && m.msg.version > firstPageVersion) {
            droppedPresence++;
            return;
          }
        }
        const to = watcherAddr!;
        if (roster) setTimeout(() => proxy.send(buf, to.port, to.address), 30);
        else proxy.send(buf, to.port, to.address);
      });
      try {
        // Churn for 4 s: a member joins every few ms, so PRESENCE reaches the watcher all along.
        let churning = true;
        let joined = 150;
        const churn = (async () => {
          while (churning && joined < pool.length) {
            await member(joined++, pool);
            await sleep(3);
          }
        })();
        const watcher = await RelayConnection.open({ relay: { host: '127.0.0.1', port: proxy.address().port }, nick: 'watcher', device: newDevice(generateIdentity()) });
        conns.push(watcher);
        const rostered = new Promise<void>((r) => watcher.once('roster', () => r()));
        const t0 = Date.now();
        await watcher.register();
        await until(() => watcher.rosterFetches === 2, 2_500, 'the fetch to start over after its PRESENCE was lost');
        const restartedAfterMs = Date.now() - t0;
        const stillChurning = churning && joined < pool.length;
        await rostered;
        churning = false;
        await churn;
        assert.equal(droppedPresence, 1);
        assert.ok(stillChurning, `the room was still changing when the fetch started over (${restartedAfterMs} ms)`);
        await until(() => watcher.peers().length === joined, 10_000, 'the watcher to hold every member');
      } finally {
        proxy.close();
        upstream.close();
      }
    });

    it('drops a BATCH that does not come from the relay, without acting on what it holds', async () => {
      await startRelay();
      const victim = await connect('victim');
      const other = await connect('other');
      await until(() => victim.peers().length === 1, 5_000, 'roster');
      const presence = (): string[] => victim.peers().map((p) => p.nick).sort();
      const events: string[] = [];
      victim.on('presence', ({ peer, online }) => events.push(`${peer.nick}:${online}`));
      victim.on('peer', () => events.push('peer'));
      const stats = relay!.stats();
      // A forged PRESENCE (mallory joins at the next roster version) and a forged peer datagram.
      const forged = encodeBatch(
        [
          encodeRelayMessage({ kind: Kind.PRESENCE, version: stats.rosterVersion + 1, changes: [{ online: true, id: 0x0bad, device: Buffer.alloc(8, 0xbd), nick: 'mallory' }] }, 0, DST_BROADCAST),
          tagged(Kind.PEER_SEALED, other.session, victim.session, 0, 0, 60),
        ],
        victim.session,
      )!;
      assert.notEqual(decodeBatch(forged), null, 'a well-formed batch: only its source is wrong');
      const sock = dgram.createSocket('udp4');
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
      try {
        const dropped0 = victim.dropped;
        const { port } = victim.localAddress();
        sock.send(forged, port, '127.0.0.1');
        await until(() => victim.dropped > dropped0, 2_000, 'the forged batch to be counted');
        await sleep(QUIET_MS);
        assert.equal(victim.dropped, dropped0 + 1);
        assert.deepEqual(presence(), ['other']);
        assert.deepEqual(events, []);
      } finally {
        sock.close();
      }
    });
  });
});
