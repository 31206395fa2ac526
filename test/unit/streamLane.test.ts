/**
 * Stream lanes in pieces (docs/protocol.md "Stream lanes"): the framing, the proofs, a lane over a
 * real TCP connection on loopback (handshake, records, refusals), a record cut into chunks, the
 * receiver taking chunks from a lane, and the relay's transit port.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { checkLaneProof, laneDataKeys, laneKeyFrom, laneProof, transitToken } from '../../src/crypto/laneAuth';
import {
  LANE_RECORD_HEADER_BYTES,
  StreamCutter,
  decodeInitiatorHello,
  BRIDGE_HELLO_BYTES,
  bridgeKey,
  decodeBridgeHello,
  encodeBridgeHello,
  encodeInitiatorHello,
  encodeTransitHello,
} from '../../src/protocol/laneFrames';
import { InLane, OutLane } from '../../src/client/streamLane';
import { LANES_PER_DEVICE, LaneManager, MAX_JOINS_PER_DEVICE } from '../../src/client/laneManager';
import type { PeerLink } from '../../src/client/peerLink';
import { recordFits } from '../../src/client/laneTransfers';
import { TransferReceiver } from '../../src/transport/transferReceiver';
import { ChunkMap } from '../../src/transport/chunkMap';
import { SPLICE_BUFFER_BYTES, TransitMeeting, TransitServer } from '../../src/relay/transit';
import { ControlType, decodeControl } from '../../src/protocol/controlMessages';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A connected pair of TCP sockets on loopback. */
async function socketPair(): Promise<[net.Socket, net.Socket, () => void]> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((r) => client.once('connect', () => r()));
  return [client, await accepted, () => server.close()];
}

/** A record's file bytes: `chunks` whole chunks, every byte `fill`. */
function record(chunks: number, chunkSize: number, fill: number): Buffer {
  return Buffer.alloc(chunks * chunkSize, fill);
}

describe('stream lanes', () => {
  describe('StreamCutter', () => {
    it('cuts fixed pieces and length-prefixed records across arbitrary chunk boundaries', () => {
      const c = new StreamCutter();
      const rec = Buffer.concat([Buffer.from([0, 0, 0, 20]), randomBytes(20)]);
      const stream = Buffer.concat([Buffer.from('abcde'), rec, rec]);
      for (let i = 0; i < stream.length; i += 3) c.push(stream.subarray(i, i + 3));
      assert.equal(c.take(5)!.toString(), 'abcde');
      const r1 = c.record(1000);
      assert.ok(r1 && r1 !== 'bad');
      assert.deepEqual(r1.sealed, rec.subarray(4));
      assert.ok(c.record(1000) !== null);
      assert.equal(c.record(1000), null, 'nothing left');
      assert.equal(c.bufferedBytes, 0);
    });

    it('refuses a record longer than the bound or shorter than a tag', () => {
      for (const len of [2_000_000, 3]) {
        const c = new StreamCutter();
        const head = Buffer.alloc(4);
        head.writeUInt32BE(len);
        c.push(head);
        assert.equal(c.record(300_000), 'bad');
      }
    });
  });

  describe('proofs and keys', () => {
    const key = laneKeyFrom(randomBytes(32));
    const nR = randomBytes(16);
    const nI = randomBytes(16);

    it('a proof checks only with its key, role, nonces and lane id', () => {
      const p = laneProof(key, 'initiator', nR, nI, 7);
      assert.ok(checkLaneProof(key, 'initiator', nR, nI, 7, p));
      assert.ok(!checkLaneProof(key, 'responder', nR, nI, 7, p), 'a reflected proof');
      assert.ok(!checkLaneProof(key, 'initiator', randomBytes(16), nI, 7, p), 'replayed to a fresh responder nonce');
      assert.ok(!checkLaneProof(key, 'initiator', nR, nI, 8, p));
      assert.ok(!checkLaneProof(laneKeyFrom(randomBytes(32)), 'initiator', nR, nI, 7, p));
      assert.ok(!checkLaneProof(key, 'initiator', nR, nI, 7, p.subarray(1)));
    });

    it('every lane gets its own data keys; the transit token depends on key and lane id only', () => {
      assert.notDeepEqual(laneDataKeys(key, nR, nI).key, laneDataKeys(key, randomBytes(16), nI).key);
      assert.deepEqual(transitToken(key, 1), transitToken(key, 1));
      assert.notDeepEqual(transitToken(key, 1), transitToken(key, 2));
    });

    it('an initiator hello round-trips', () => {
      const h = { device: '0123456789abcdef', laneId: 0xdeadbeef, nonceI: nI, proof: randomBytes(32) };
      assert.deepEqual(decodeInitiatorHello(encodeInitiatorHello(h)), h);
      assert.equal(decodeInitiatorHello(Buffer.alloc(10)), null);
    });

    it('a bridge hello round-trips under the cluster key only; any flipped bit, another key or length is refused', () => {
      const key = bridgeKey('test-cluster-secret-0123456789abcdef');
      assert.ok(!key.equals(bridgeKey('another-cluster-secret-0123456789')));
      const token = randomBytes(32);
      const hello = encodeBridgeHello(key, token);
      assert.equal(hello.length, BRIDGE_HELLO_BYTES);
      assert.deepEqual(decodeBridgeHello(key, hello), token);
      assert.equal(decodeBridgeHello(bridgeKey('another-cluster-secret-0123456789'), hello), null);
      for (let bit = 0; bit < hello.length * 8; bit += 7) {
        const bad = Buffer.from(hello);
        bad[bit >> 3] ^= 1 << (bit & 7);
        assert.equal(decodeBridgeHello(key, bad), null, `bit ${bit}`);
      }
      assert.equal(decodeBridgeHello(key, hello.subarray(0, BRIDGE_HELLO_BYTES - 1)), null);
      assert.equal(decodeBridgeHello(key, encodeTransitHello(token)), null);
    });
  });

  describe('a lane over TCP', () => {
    const key = laneKeyFrom(randomBytes(32));
    const device = 'a1b2c3d4e5f60718';

    async function openPair(initiatorKey = key): Promise<{ out: OutLane; inn: InLane; stop: () => void }> {
      const [a, b, stop] = await socketPair();
      const [out, inn] = await Promise.all([
        OutLane.open(a, { myDevice: device, laneId: 5, laneKey: initiatorKey, kind: 'direct', timeoutMs: 2_000 }),
        InLane.accept(b, { keysFor: (d) => (d === device ? [randomBytes(32), key] : []), timeoutMs: 2_000 }),
      ]);
      return { out, inn, stop };
    }

    it('carries records in order, each to the sink with its transfer and first chunk', async () => {
      const { out, inn, stop } = await openPair();
      const got: Array<[number, number, number]> = [];
      inn.sink = (transferId, first, data) => {
        got.push([transferId, first, data.length]);
        return Promise.resolve();
      };
      assert.equal(inn.device, device);
      for (let i = 0; i < 20; i++) out.sendChunks(9, i * 10, record(10, 1000, i));
      await out.drained();
      while (got.length < 20) await sleep(5);
      assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => [9, i * 10, 10_000]));
      out.close('done');
      inn.close('done');
      stop();
    });

    it('refuses an initiator without the session key: the responder gets nothing to trust', async () => {
      await assert.rejects(openPair(laneKeyFrom(randomBytes(32))), /did not prove|closed|timed out/);
    });

    it('a record altered on the way closes the lane; nothing of it reaches the sink', async () => {
      const [a, b, stop] = await socketPair();
      // A man in the middle: a proxy that flips one byte of the first record's ciphertext.
      const [out, inn] = await Promise.all([
        OutLane.open(a, { myDevice: device, laneId: 5, laneKey: key, kind: 'direct', timeoutMs: 2_000 }),
        InLane.accept(b, { keysFor: () => [key], timeoutMs: 2_000 }),
      ]);
      let sunk = 0;
      inn.sink = () => {
        sunk++;
        return null;
      };
      const closed = new Promise<string>((r) => inn.once('closed', r));
      const realWrite = out.socket.write.bind(out.socket) as (b: Buffer) => boolean;
      (out.socket as unknown as { write: (b: Buffer) => boolean }).write = (buf: Buffer) => {
        const copy = Buffer.from(buf);
        copy[40] ^= 1;
        return realWrite(copy);
      };
      out.sendChunks(1, 0, record(4, 1000, 7));
      assert.match(await closed, /did not authenticate/);
      assert.equal(sunk, 0);
      out.close('done');
      stop();
    });

    it('a lane that goes silent while a transfer expects data is closed', async () => {
      const { out, inn, stop } = await openPair();
      inn.expecting = () => true;
      const closed = new Promise<string>((r) => inn.once('closed', r));
      const t0 = Date.now();
      assert.match(await closed, /stopped moving data/);
      assert.ok(Date.now() - t0 < 6_000);
      out.close('done');
      stop();
    });
  });

  describe('recordFits', () => {
    it('takes whole chunks inside the file, the last one short', () => {
      assert.ok(recordFits(8, 2 * 100 + 37, 100, 1037));
      assert.ok(recordFits(0, 300, 100, 1037));
      assert.ok(recordFits(10, 37, 100, 1037));
    });

    it('refuses what does not fit the file', () => {
      assert.ok(!recordFits(11, 10, 100, 1037), 'beyond the last chunk');
      assert.ok(!recordFits(0, 150, 100, 1037), 'cuts a chunk');
      assert.ok(!recordFits(9, 200, 100, 1037), 'past the end: the last chunk is 37 bytes');
      assert.ok(!recordFits(0, 0, 100, 1037), 'empty');
    });
  });

  describe('TransferReceiver.acceptStreamRun', () => {
    function receiver(writes: Array<[number, number]>, opts: { runs: boolean }) {
      return new TransferReceiver({
        transferId: 1,
        totalBytes: 10 * 100 + 37,
        chunkSize: 100,
        writeChunk: async (c, data) => {
          writes.push([c, data.length]);
        },
        writeRun: opts.runs
          ? async (first, count, data) => {
              writes.push([first, data.length]);
              assert.equal(data.length, count * 100 - (first + count === 11 ? 63 : 0));
            }
          : undefined,
        transmit: () => undefined,
        now: () => Date.now(),
        windowBytes: 4 * 100,
      });
    }

    it('writes a record as one run, beyond the credit, and completes; duplicates and misfits are not taken', async () => {
      const writes: Array<[number, number]> = [];
      const r = receiver(writes, { runs: true });
      let complete = false;
      r.on('complete', () => (complete = true));
      await r.acceptStreamRun(6, Buffer.alloc(4 * 100 + 37));
      await r.acceptStreamRun(0, Buffer.alloc(300));
      assert.equal(r.acceptStreamRun(1, Buffer.alloc(100)), null, 'a duplicate');
      assert.equal(r.acceptStreamRun(10, Buffer.alloc(100)), null, 'past the end');
      assert.equal(r.acceptStreamRun(2, Buffer.alloc(99)), null, 'cuts a chunk');
      assert.equal(r.stats().malformed, 2);
      // A record overlapping what is here: only the missing chunks are written, as one run.
      await r.acceptStreamRun(2, Buffer.alloc(5 * 100));
      assert.deepEqual(writes, [[6, 437], [0, 300], [3, 300]]);
      assert.ok(complete);
      assert.equal(r.stats().streamChunks, 11);
    });

    it('half by lane, then the rest as datagrams: every chunk written once, the credit still opens', async () => {
      const writes: Array<[number, number]> = [];
      const r = receiver(writes, { runs: false });
      await r.acceptStreamRun(7, Buffer.alloc(300));
      await r.acceptStreamRun(2, Buffer.alloc(100));
      const map: ChunkMap = r.chunkMap();
      assert.equal(map.count, 4);
      for (let pn = 0, c = 0; c < 11; c++) {
        if (map.has(c)) continue;
        // The credit (a window of 4) must reach every missing chunk as earlier ones are written.
        while (c >= r.stats().maxChunk) await sleep(1);
        r.onData({ type: 'xferData', transferId: 1, pn: pn++, chunk: c, data: Buffer.alloc(c === 10 ? 37 : 100) });
        await sleep(1);
      }
      while (!r.complete) await sleep(1);
      assert.deepEqual(writes.map(([c]) => c).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });
    it('sends no window updates while a lane brings the data, and does again once datagrams come', async () => {
      const acks: number[] = [];
      const r = new TransferReceiver({
        transferId: 1,
        totalBytes: 40 * 100,
        chunkSize: 100,
        writeChunk: async () => undefined,
        writeRun: async () => undefined,
        transmit: (frames) => {
          for (const f of frames) if (f.type === 'xferAck') acks.push(f.maxChunk);
        },
        now: () => Date.now(),
        windowBytes: 8 * 100,
      });
      for (let c = 0; c < 24; c += 4) await r.acceptStreamRun(c, Buffer.alloc(400));
      await sleep(5);
      assert.deepEqual(acks, [], 'credit moved 24 chunks with no ack');
      r.onData({ type: 'xferData', transferId: 1, pn: 0, chunk: 24, data: Buffer.alloc(100) });
      await sleep(5);
      assert.ok(acks.length > 0 && acks[acks.length - 1] > 24, `a window update once datagrams came (${acks})`);
    });
  });

  describe('TransitServer', () => {
    async function freePort(): Promise<number> {
      const probe = net.createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
      const port = (probe.address() as net.AddressInfo).port;
      await new Promise<void>((r) => probe.close(() => r()));
      return port;
    }

    async function transit(isClient: (ip: string) => boolean, meeting?: TransitMeeting): Promise<{ t: TransitServer; port: number }> {
      const port = await freePort();
      return { t: await TransitServer.start({ host: '127.0.0.1', port, isClientAddress: isClient, meeting }), port };
    }

    /** A transit port for clients of any address whose meeting claims tokens with `claim`; its log lines. */
    async function transitLogging(claim: TransitMeeting['claim']): Promise<{ t: TransitServer; port: number; logs: string[] }> {
      const logs: string[] = [];
      const port = await freePort();
      const meeting: TransitMeeting = { key: randomBytes(32), claim, isRelayAddress: () => false };
      const t = await TransitServer.start({ host: '127.0.0.1', port, isClientAddress: () => true, meeting, log: (l) => logs.push(l) });
      return { t, port, logs };
    }

    /** Two relays of a "cluster" whose directory is a Map: the first to claim a token holds it. */
    async function twoRelays(key = randomBytes(32)): Promise<{ a: { t: TransitServer; port: number }; b: { t: TransitServer; port: number }; claims: Map<string, number> }> {
      const claims = new Map<string, number>();
      const ports: number[] = [];
      const meetingOf = (i: number): TransitMeeting => ({
        key,
        claim: async (token) => {
          await sleep(5);
          if (!claims.has(token)) claims.set(token, i);
          const owner = claims.get(token)!;
          return owner === i ? null : { host: '127.0.0.1', port: ports[owner] };
        },
        isRelayAddress: () => true,
      });
      const a = await transit(() => true, meetingOf(0));
      const b = await transit(() => true, meetingOf(1));
      ports.push(a.port, b.port);
      return { a, b, claims };
    }

    /** Everything `s` receives until it has received `marker`. */
    function readUntil(s: net.Socket, marker: string): Promise<string> {
      return new Promise<string>((r) => {
        let got = '';
        s.on('data', (d) => {
          got += d.toString();
          if (got.includes(marker)) r(got);
        });
      });
    }

    /** `out` from x to y (y receives `arrives`, bytes sent before included), then `back` from y to x. */
    async function exchange(x: net.Socket, y: net.Socket, out = 'ping', back = 'pong', arrives = out): Promise<void> {
      const atY = readUntil(y, out);
      x.write(out);
      assert.equal(await atY, arrives);
      const atX = new Promise<string>((r) => x.once('data', (d) => r(d.toString())));
      y.write(back);
      assert.equal(await atX, back);
    }

    function connect(port: number): Promise<net.Socket> {
      return new Promise((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      });
    }

    const closedSoon = (s: net.Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));

    it('splices two connections with the same token and copies bytes both ways', async () => {
      const { t, port } = await transit(() => true);
      const token = randomBytes(32);
      const a = await connect(port);
      const b = await connect(port);
      a.write(Buffer.concat([encodeTransitHello(token), Buffer.from('early bytes ')]));
      await sleep(20);
      b.write(encodeTransitHello(token));
      await exchange(a, b, 'later', 'back', 'early bytes later');
      assert.equal(t.stats().spliced, 1);
      a.destroy();
      await closedSoon(b);
      await t.close();
    });

    it('holds a bounded amount for a side that does not read, and delivers all of it once it does', async () => {
      const { t, port } = await transit(() => true);
      const token = randomBytes(32);
      const a = await connect(port);
      const b = await connect(port);
      b.pause(); // bob stops reading: the relay must stop reading alice instead of queueing all she sends
      a.write(encodeTransitHello(token));
      b.write(encodeTransitHello(token));
      const total = 64 * 1024 * 1024;
      const block = Buffer.alloc(1024 * 1024, 7);
      let written = 0;
      while (written < total) {
        written += block.length;
        if (!a.write(block)) {
          await Promise.race([new Promise((r) => a.once('drain', r)), sleep(200)]);
          if (a.writableLength > 0 && t.stats().buffered > 0) break; // alice is held back
        }
      }
      await sleep(200);
      const held = t.stats().buffered;
      assert.ok(held <= SPLICE_BUFFER_BYTES + 64 * 1024, `the relay holds ${held} bytes for bob`);
      assert.ok(a.writableLength > 0 || written < total, 'alice was held back, not everything taken');
      // bob reads again: every byte alice wrote arrives
      let got = 0;
      const done = new Promise<void>((r) => {
        b.on('data', (d: Buffer) => {
          got += d.length;
          if (got >= written) r();
        });
      });
      b.resume();
      while (a.writableLength > 0) await new Promise((r) => a.once('drain', r));
      await done;
      assert.equal(got, written);
      a.destroy();
      await closedSoon(b);
      await t.close();
    });

    it('meets the two ends of a lane that reached two relays of a cluster: the later one bridges to the relay that claimed the token', async () => {
      const { a, b, claims } = await twoRelays();
      const token = randomBytes(32);
      const alice = await connect(a.port);
      alice.write(encodeTransitHello(token));
      await sleep(50); // relay a claims the token first
      const bob = await connect(b.port);
      bob.write(encodeTransitHello(token));
      await exchange(alice, bob);
      assert.equal(claims.get(token.toString('hex')), 0);
      assert.equal(b.t.stats().bridged, 1, 'relay b took bob to relay a');
      assert.equal(a.t.stats().bridged, 0);
      assert.equal(a.t.stats().spliced, 1);
      assert.equal(b.t.stats().spliced, 1);
      // Bytes both ways, in bulk, through both relays.
      const big = randomBytes(4 * 1024 * 1024);
      const got: Buffer[] = [];
      let n = 0;
      const all = new Promise<void>((r) => {
        bob.on('data', (d: Buffer) => {
          got.push(d);
          n += d.length;
          if (n >= big.length) r();
        });
      });
      alice.write(big);
      await all;
      assert.ok(Buffer.concat(got).equals(big));
      alice.destroy();
      await closedSoon(bob);
      await a.t.close();
      await b.t.close();
    });

    it('two ends on one relay of a cluster pair there, without a bridge', async () => {
      const { a, b } = await twoRelays();
      const token = randomBytes(32);
      const x = await connect(a.port);
      const y = await connect(a.port);
      x.write(encodeTransitHello(token));
      y.write(encodeTransitHello(token));
      await exchange(x, y);
      assert.equal(a.t.stats().bridged + b.t.stats().bridged, 0);
      x.destroy();
      await closedSoon(y);
      await a.t.close();
      await b.t.close();
    });

    it('takes a bridge hello only under the cluster key and only from a relay address; a client cannot send one', async () => {
      const key = randomBytes(32);
      const meeting = (isRelay: boolean): TransitMeeting => ({ key, claim: async () => null, isRelayAddress: () => isRelay });
      const token = randomBytes(32);
      // From a relay's address, under another key: refused.
      const r = await transit(() => false, meeting(true));
      const forged = await connect(r.port);
      forged.write(encodeBridgeHello(randomBytes(32), token));
      await closedSoon(forged);
      assert.equal(r.t.stats().refused, 1);
      // A client's hello from a relay's address that is no client: refused.
      const asClient = await connect(r.port);
      asClient.write(encodeTransitHello(token));
      await closedSoon(asClient);
      assert.equal(r.t.stats().refused, 2);
      await r.t.close();
      // The right key from a client that is not a relay: refused.
      const c = await transit(() => true, meeting(false));
      const client = await connect(c.port);
      client.write(encodeBridgeHello(key, token));
      await closedSoon(client);
      assert.equal(c.t.stats().refused, 1);
      assert.equal(c.t.stats().spliced, 0);
      await c.t.close();
    });

    it('a directory that fails leaves the end waiting on its relay: a partner there still pairs', async () => {
      const { t, port, logs } = await transitLogging(() => Promise.reject(new Error('Redis is down')));
      const token = randomBytes(32);
      const x = await connect(port);
      x.write(encodeTransitHello(token));
      await sleep(50);
      const y = await connect(port);
      y.write(encodeTransitHello(token));
      await exchange(x, y);
      assert.ok(logs.some((l) => l.includes('Redis is down')), logs.join('\n'));
      x.destroy();
      await closedSoon(y);
      await t.close();
    });

    it('a relay holding the token that cannot be reached: the end is closed at once (its client sends as datagrams)', async () => {
      const dead = await freePort(); // nobody listens there
      const { t, port, logs } = await transitLogging(async () => ({ host: '127.0.0.1', port: dead }));
      const x = await connect(port);
      x.write(encodeTransitHello(randomBytes(32)));
      await closedSoon(x);
      assert.equal(t.stats().refused, 1);
      assert.equal(t.stats().bridged, 0);
      assert.ok(logs.some((l) => l.includes('could not bridge')), logs.join('\n'));
      await t.close();
    });

    it('refuses an address without a session here, and a bad hello, and pairs nobody with them', async () => {
      const { t, port } = await transit(() => false);
      const s = await connect(port);
      await closedSoon(s);
      await t.close();
      const open = await transit(() => true);
      const bad = await connect(open.port);
      bad.write(Buffer.concat([Buffer.from('HTTP'), randomBytes(32)]));
      await closedSoon(bad);
      assert.equal(open.t.stats().refused, 1);
      assert.equal(open.t.stats().spliced, 0);
      await open.t.close();
    });
  });
});

describe('LaneManager', () => {
  /** A LaneManager whose only peer is `link` and whose relay's transit port is 127.0.0.1:`port`. */
  function manager(link: PeerLink, port: number, o: { direct: boolean }, log: (level: string, m: string) => void): LaneManager {
    return new LaneManager({
      lanes: true,
      direct: o.direct,
      myDevice: () => 'aabbccddeeff0011',
      link: () => link,
      relay: () => ({ host: '127.0.0.1', port }),
      sink: () => () => null,
      expecting: () => false,
      inLaneClosed: () => undefined,
      log,
    });
  }

  it('answers at most MAX_JOINS_PER_DEVICE transit requests of one device at once', async () => {
    // A "relay" that takes connections and never pairs them.
    const seen: net.Socket[] = [];
    const relay = net.createServer((s) => seen.push(s));
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const port = (relay.address() as net.AddressInfo).port;
    const key = laneKeyFrom(randomBytes(32));
    const sent: Array<ReturnType<typeof decodeControl>> = [];
    const link = {
      device: '0011223344556677',
      nick: 'mallory',
      laneKey: () => key,
      laneKeys: () => [key],
      channel: { send: (b: Buffer) => sent.push(decodeControl(b)) },
      armChannelTimer: () => undefined,
    } as unknown as PeerLink;
    const warnings: string[] = [];
    const lanes = manager(link, port, { direct: true }, (level, m) => {
      if (level === 'warn') warnings.push(m);
    });
    for (let i = 0; i < 10; i++) lanes.onJoin(link, i);
    await sleep(300);
    assert.equal(seen.length, MAX_JOINS_PER_DEVICE);
    assert.equal(warnings.length, 10 - MAX_JOINS_PER_DEVICE);
    // The ones beyond the cap are refused, so mallory's client need not wait for them.
    assert.deepEqual(
      sent.map((m) => m && m.type === ControlType.LANE_REFUSE && m.laneId),
      Array.from({ length: 10 - MAX_JOINS_PER_DEVICE }, (_, i) => MAX_JOINS_PER_DEVICE + i),
    );
    lanes.close();
    for (const s of seen) s.destroy();
    await new Promise<void>((r) => relay.close(() => r()));
  });

  it('opens LANES_PER_DEVICE direct lanes: the first answers, the rest come late; they are kept, and one that closes is opened again', async () => {
    const key = laneKeyFrom(randomBytes(32));
    const aliceDevice = 'aabbccddeeff0011';
    // bob: a LaneManager listening on a free port of 127.0.0.1, whose only peer is alice.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const aliceAtBob = { device: aliceDevice, nick: 'alice', laneKeys: () => [key] } as unknown as PeerLink;
    const accepted: InLane[] = [];
    const bob = new LaneManager({
      lanes: true,
      direct: true,
      myDevice: () => '0011223344556677',
      link: (d) => (d === aliceDevice ? aliceAtBob : undefined),
      relay: () => null,
      sink: (_l, lane) => {
        accepted.push(lane);
        return () => null;
      },
      expecting: () => false,
      inLaneClosed: () => undefined,
      log: () => undefined,
    });
    bob.listen(port, 'IPv4');
    await sleep(50);
    const bobAtAlice = {
      device: '0011223344556677',
      nick: 'bob',
      laneKey: () => key,
      laneKeys: () => [key],
      paths: { path: { kind: 'direct', address: { address: '127.0.0.1', port } } },
    } as unknown as PeerLink;
    const alice = manager(bobAtAlice, 1, { direct: true }, () => undefined);
    const late: OutLane[] = [];
    const first = await alice.lanes(bobAtAlice, (l) => late.push(l));
    assert.ok(first.length >= 1, 'answered with an open lane');
    for (let i = 0; i < 100 && first.length + late.length < LANES_PER_DEVICE; i++) await sleep(10);
    const all = [...first, ...late];
    assert.equal(all.length, LANES_PER_DEVICE);
    assert.ok(all.every((l) => l.kind === 'direct' && !l.closed));
    assert.equal(new Set(all.map((l) => l.laneId)).size, LANES_PER_DEVICE, 'each its own lane id');
    for (let i = 0; i < 100 && accepted.length < LANES_PER_DEVICE; i++) await sleep(10);
    assert.equal(accepted.length, LANES_PER_DEVICE, 'bob took each');
    // Asked again: the same lanes, nothing new opened.
    assert.deepEqual(new Set(await alice.lanes(bobAtAlice)), new Set(all));
    assert.equal(accepted.length, LANES_PER_DEVICE);
    // One closes: the next ask opens one more, and answers with the one left at once.
    all[0].close('test');
    const again = await alice.lanes(bobAtAlice);
    assert.ok(again.includes(all[1]) && !again.includes(all[0]));
    for (let i = 0; i < 100 && accepted.length < LANES_PER_DEVICE + 1; i++) await sleep(10);
    assert.equal(accepted.length, LANES_PER_DEVICE + 1, 'one lane opened again');
    alice.close();
    bob.close();
  });

  it('gives up a transit lane when the peer refuses it, closing its connection to the transit port', async () => {
    let connections = 0;
    let closed = 0;
    const relay = net.createServer((s) => {
      connections++;
      s.resume();
      s.on('close', () => closed++);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const port = (relay.address() as net.AddressInfo).port;
    const key = laneKeyFrom(randomBytes(32));
    const logs: string[] = [];
    let lanes: LaneManager | null = null;
    const link = {
      device: '0011223344556677',
      nick: 'bob',
      laneKey: () => key,
      laneKeys: () => [key],
      paths: { path: { kind: 'relay' } },
      // bob answers the LANE_JOIN at once with a refusal, as a --udp-only client does
      channel: {
        send: (b: Buffer) => {
          const m = decodeControl(b);
          if (m?.type === ControlType.LANE_JOIN) setImmediate(() => lanes!.onRefuse(link, m.laneId));
        },
      },
      armChannelTimer: () => undefined,
    } as unknown as PeerLink;
    lanes = manager(link, port, { direct: false }, (_level, m) => logs.push(m));
    assert.deepEqual(await lanes.lanes(link), [], 'no lane: send as datagrams');
    assert.ok(logs.some((m) => /no transit lane to bob: bob refused the transit lane/.test(m)), logs.join(' | '));
    assert.ok(!logs.some((m) => /did not answer|timed out/.test(m)), 'not a timeout');
    await sleep(50);
    assert.equal(closed, connections, 'the transit connection, if made, was closed');
    lanes.close();
    await new Promise<void>((r) => relay.close(() => r()));
  });
});
