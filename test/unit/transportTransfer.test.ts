import assert from 'node:assert/strict';
import { ChunkMap } from '../../src/transport/chunkMap';
import { chunkSizeForDatagram } from '../../src/transport/frames';
import { BLACK_HOLE_PTO_COUNT, DEFAULT_DATAGRAM_BYTES, MAX_PN_JUMP, TRANSFER_IDLE_TIMEOUT_MS } from '../../src/transport/limits';
import { PathSet } from '../../src/transport/pathSet';
import { LinkOptions, Sim, TransferSpec, TwoClients } from './transportSim';
import { MAGIC } from '../../src/protocol/limits';
import { readRecordFragment } from '../../src/protocol/peerPackets';
import { RESEND_NO_RECORD } from '../../src/protocol/controlMessages';
import { TransferReceiver } from '../../src/transport/transferReceiver';
import { EXTRA_RECORD_RESENDS, TransferSender } from '../../src/transport/transferSender';
import type { XferAckFrame } from '../../src/transport/frames';

const CHUNK = chunkSizeForDatagram(DEFAULT_DATAGRAM_BYTES);
/** 20 MB/s bottleneck, 20 ms RTT, a queue of half the BDP. */
const PATH: LinkOptions = { delayMs: 10, bytesPerMs: 20_000, queueBytes: 200_000 };

describe('transport transfer engine', () => {
  for (const loss of [0, 0.05, 0.2]) {
    it(`delivers a file byte-identical at ${loss * 100} % loss (with duplication and reordering)`, async () => {
      const sim = new Sim(100 + loss * 100);
      const impair = { loss, duplicate: 0.02, reorder: 0.02, reorderDelayMs: 3 };
      const net = new TwoClients(sim, { ...PATH, ...impair }, { delayMs: 10, ...impair });
      const t = net.addTransfer({ transferId: 7, totalBytes: 3 * 1024 * 1024 + 517 });
      t.sender.start();
      await sim.run(() => t.done && t.complete, 120_000);
      assert.equal(t.failed, null);
      assert.ok(t.dest!.equals(t.src!), 'reassembled bytes differ from the source');
      assert.equal(t.creditViolations, 0);
    });
  }

  it('keeps retransmissions proportional to real losses at 5 % loss', async () => {
    const sim = new Sim(5);
    const net = new TwoClients(sim, { ...PATH, loss: 0.05 }, { delayMs: 10, loss: 0.05 });
    const t = net.addTransfer({ transferId: 1, totalBytes: 4 << 20 });
    t.sender.start();
    await sim.run(() => t.done && t.complete, 120_000);
    const lost = net.forward.stats.lostOnWire + net.forward.stats.droppedByQueue;
    const s = t.sender.stats();
    assert.ok(lost > 0);
    assert.ok(s.retransmittedPackets <= 2 * lost, `${s.retransmittedPackets} retransmissions for ${lost} losses`);
    // And the goodput did not collapse: most datagrams carried new data.
    assert.ok(s.sentPackets <= 1.25 * Math.ceil((4 << 20) / CHUNK), `${s.sentPackets} packets sent`);
    assert.ok(t.dest!.equals(t.src!));
  });

  it('never sends beyond the credit, and in-flight + unwritten data stays within the window', async () => {
    const sim = new Sim(6);
    const net = new TwoClients(sim, { ...PATH, loss: 0.02 }, { delayMs: 10, loss: 0.02 });
    const windowBytes = 64 * 1024;
    // A slow disk: 4 ms per positional write, so received-but-unwritten chunks pile up.
    const t = net.addTransfer({ transferId: 3, totalBytes: 1 << 20, windowBytes, writeDelayMs: 4 });
    const windowChunks = Math.floor(windowBytes / CHUNK);
    let worst = 0;
    // Track chunks sent but not yet received at B, plus chunks pending a write, at every arrival.
    const receivedAtB = new Set<number>();
    const onData = t.receiver.onData.bind(t.receiver);
    t.receiver.onData = (frame) => {
      receivedAtB.add(frame.chunk);
      onData(frame);
    };
    // Chunks sent (or lost) and not received yet, plus chunks received and not yet written.
    const check = () => {
      const outstanding = new Set(t.sentChunks.filter((c) => !receivedAtB.has(c))).size;
      worst = Math.max(worst, t.receiver.stats().pendingWrites + outstanding);
    };
    t.sender.start();
    await sim.run(() => {
      check();
      return t.done && t.complete;
    }, 120_000);
    assert.equal(t.creditViolations, 0, 'a chunk at or beyond maxChunk was sent');
    assert.equal(t.receiver.stats().beyondCredit, 0);
    assert.ok(worst <= windowChunks, `window ${windowChunks} chunks, used up to ${worst}`);
    assert.ok(worst >= windowChunks / 2, `the window was used (${worst} of ${windowChunks})`);
    assert.ok(t.dest!.equals(t.src!));
  });

  it('resume: only the chunks the receiver lacks are sent', async () => {
    const sim = new Sim(8);
    const net = new TwoClients(sim, { ...PATH, loss: 0.05 }, { delayMs: 10, loss: 0.05 });
    const totalBytes = 2 << 20;
    const have = new ChunkMap(ChunkMap.chunkCountFor(totalBytes, CHUNK));
    for (let c = 0; c < have.size; c++) if (c % 2 === 0 || c < have.size / 4) have.set(c);
    const t = net.addTransfer({ transferId: 9, totalBytes, have });
    const progress: number[] = [];
    t.sender.on('progress', (acked) => progress.push(acked));
    t.sender.start();
    await sim.run(() => t.done && t.complete, 120_000);
    assert.ok(t.sentChunks.length > 0);
    assert.ok(
      t.sentChunks.every((c) => !have.has(c)),
      'a chunk the receiver already had was sent',
    );
    assert.ok(t.dest!.equals(t.src!));
    assert.ok(progress[0] >= (have.count - 1) * CHUNK, 'progress starts from what the receiver had');
    assert.equal(progress[progress.length - 1], totalBytes);
  });

  it('resume after a restart: the receiver map round-trips through serialize()', async () => {
    const sim = new Sim(9);
    const net = new TwoClients(sim, PATH, { delayMs: 10 });
    const totalBytes = 1 << 20;
    const first = net.addTransfer({ transferId: 1, totalBytes });
    first.sender.start();
    await sim.run(() => first.receiver.chunkMap().count > 300, 60_000);
    first.sender.cancel();
    first.receiver.close();
    const saved = first.receiver.chunkMap().serialize();
    const have = ChunkMap.deserialize(saved)!;
    const second = net.addTransfer({ transferId: 2, totalBytes, have, source: (off, into, at, len) => first.src!.copy(into, at, off, off + len) });
    second.dest!.set(first.dest!); // the .part file as the first attempt left it
    second.sender.start();
    await sim.run(() => second.done && second.complete, 60_000);
    assert.ok(second.sentChunks.every((c) => !have.has(c)));
    assert.ok(second.dest!.equals(first.src!));
  });

  it('handles files over 4 GiB (u32 chunk indices, offsets beyond 2^32)', async () => {
    const sim = new Sim(10);
    const net = new TwoClients(sim, PATH, { delayMs: 10 });
    const totalBytes = 5 * 1024 ** 3 + 12345;
    const chunks = ChunkMap.chunkCountFor(totalBytes, CHUNK);
    const have = new ChunkMap(chunks);
    const missing = new Set<number>();
    // Missing: a few chunks beyond 4 GiB and the short last chunk.
    for (const c of [Math.floor(2 ** 32 / CHUNK) + 3, chunks - 7, chunks - 2, chunks - 1]) missing.add(c);
    for (let c = 0; c < chunks; c++) if (!missing.has(c)) have.set(c);
    const pattern = (offset: number) => (offset * 2654435761) % 251;
    const writes = new Map<number, Buffer>();
    const t = net.addTransfer({
      transferId: 11,
      totalBytes,
      have,
      source: (offset, into, at, len) => {
        for (let i = 0; i < len; i++) into[at + i] = pattern(offset + i);
      },
      sink: (chunk, data) => writes.set(chunk, Buffer.from(data)),
    });
    t.sender.start();
    await sim.run(() => t.done && t.complete, 60_000);
    assert.deepEqual([...writes.keys()].sort((a, b) => a - b), [...missing].sort((a, b) => a - b));
    for (const [chunk, data] of writes) {
      const offset = chunk * CHUNK;
      assert.equal(data.length, Math.min(CHUNK, totalBytes - offset));
      for (let i = 0; i < data.length; i += 97) assert.equal(data[i], pattern(offset + i));
    }
  });

  it('an empty file completes at once on both sides', async () => {
    const sim = new Sim(12);
    const net = new TwoClients(sim, PATH, { delayMs: 10 });
    const t = net.addTransfer({ transferId: 4, totalBytes: 0 });
    t.sender.start();
    await sim.run(() => t.done && t.complete, 1000);
    assert.equal(t.sentChunks.length, 0);
  });

  it('fails with TIMEOUT when the peer disappears', async () => {
    const sim = new Sim(13);
    const net = new TwoClients(sim, PATH, { delayMs: 10 });
    const t = net.addTransfer({ transferId: 5, totalBytes: 8 << 20 });
    t.sender.start();
    await sim.run(() => t.receiver.chunkMap().count > 100, 60_000);
    const cut = sim.now;
    net.forward.opts = { ...PATH, loss: 1 };
    net.back.opts = { delayMs: 10, loss: 1 };
    let senderFailure: string | null = null;
    t.sender.on('failed', (code) => (senderFailure = code));
    await sim.run(() => senderFailure !== null, cut + 2 * TRANSFER_IDLE_TIMEOUT_MS);
    assert.equal(senderFailure, 'TIMEOUT');
    assert.ok(sim.now - cut >= TRANSFER_IDLE_TIMEOUT_MS - 1);
  });

  /**
   * The direct path is cut while a 1472-byte transfer runs on it, our direction a moment before
   * the peer's (two firewall rules, a route that goes one way first): for that moment the peer's
   * keepalives still arrive while nothing of ours does. Probe timeouts then pile up; they must not
   * read as a datagram-size black hole (only small datagrams of ours answered would say that).
   * The path is declared lost, the transfer moves to the relay and completes.
   */
  it('a direct path cut one direction before the other is no black hole: the transfer moves to the relay and completes', async () => {
    const sim = new Sim(31);
    const DIRECT: LinkOptions = { delayMs: 1, bytesPerMs: 20_000, queueBytes: 200_000 };
    const RELAY: LinkOptions = { delayMs: 10, bytesPerMs: 20_000, queueBytes: 200_000 };
    const net = new TwoClients(sim, DIRECT, { delayMs: 1 });
    const peer = { address: '203.0.113.13', port: 40000 };
    let ours = true; // our datagrams reach the peer on the direct path
    let theirs = true; // the peer's datagrams reach us on it
    let t: ReturnType<TwoClients['addTransfer']> | null = null;
    const paths: PathSet = new PathSet({
      now: sim.clock,
      random: () => sim.rng.bytes(8),
      sendChallenge: (to, data) => {
        if (!ours) return;
        const back = Buffer.from(data);
        sim.schedule(sim.now + 2, () => theirs && paths.onResponse(to, back));
      },
      onSwitch: (p) => {
        if (p.kind === 'relay') {
          net.forward.opts = RELAY;
          net.back.opts = { delayMs: 10 };
        }
        t?.sender.onPathChange(sim.now);
      },
    });
    sim.addTimers(paths);
    paths.setCandidates([peer]);
    await sim.runUntil(50);
    assert.equal(paths.path.kind, 'direct');
    t = net.addTransfer({
      transferId: 4,
      totalBytes: 4 << 20,
      chunkSize: chunkSizeForDatagram(1472),
      smallDatagramsGetThrough: (since) => paths.path.kind === 'relay' || paths.answeredSince(since),
    });
    // The peer's own keepalives (and fast retries once ours go unanswered) come our way.
    const peerKeepalive = (): void => {
      if (theirs) paths.heard(peer);
      sim.schedule(sim.now + 100, peerKeepalive);
    };
    peerKeepalive();
    t.sender.start();
    await sim.run(() => t.receiver.chunkMap().count > 500, 60_000);
    ours = false;
    net.forward.opts = { ...DIRECT, loss: 1 };
    const cutAt = sim.now;
    await sim.runUntil(cutAt + 500); // several probe timeouts while the peer is still heard
    assert.ok(t.sender.stats().probeTimeouts >= BLACK_HOLE_PTO_COUNT, `${t.sender.stats().probeTimeouts} probe timeouts`);
    assert.equal(t.failed, null, 'no black hole while the peer is merely heard');
    theirs = false;
    net.back.opts = { delayMs: 1, loss: 1 };
    await sim.run(() => t.failed !== null || (t.done && t.complete), 120_000);
    assert.equal(t.failed, null);
    assert.equal(paths.path.kind, 'relay');
    assert.ok(t.dest!.equals(t.src!), 'byte-identical after the move');
  });

  it('probe timeouts on a new path before it acknowledged anything are no black hole (the peer follows late)', async () => {
    const sim = new Sim(32);
    const net = new TwoClients(sim, PATH, { delayMs: 10 });
    const t = net.addTransfer({ transferId: 6, totalBytes: 3 << 20, chunkSize: chunkSizeForDatagram(1472) });
    t.sender.start();
    await sim.run(() => t.receiver.chunkMap().count > 300, 60_000);
    // We moved to another path; the peer still sends its acknowledgments down the old one for a
    // while, longer than BLACK_HOLE_PTO_COUNT probe timeouts at the initial RTT (about 11 s).
    t.sender.onPathChange(sim.now);
    net.back.opts = { delayMs: 10, loss: 1 };
    const movedAt = sim.now;
    await sim.runUntil(movedAt + 15_000);
    assert.ok(t.sender.stats().probeTimeouts >= BLACK_HOLE_PTO_COUNT);
    assert.equal(t.failed, null, 'no black hole before the new path acknowledged anything');
    net.back.opts = { delayMs: 10 };
    await sim.run(() => t.failed !== null || (t.done && t.complete), 120_000);
    assert.equal(t.failed, null);
    assert.ok(t.dest!.equals(t.src!));
  });

  it('falls back when large datagrams stop getting through: DATAGRAM_TOO_BIG, then restart at 1200', async () => {
    const sim = new Sim(14);
    const net = new TwoClients(sim, PATH, { delayMs: 10 });
    const totalBytes = 3 << 20;
    const bigChunk = chunkSizeForDatagram(8192);
    const big = net.addTransfer({ transferId: 1, totalBytes, chunkSize: bigChunk });
    big.sender.start();
    await sim.run(() => big.receiver.chunkMap().count > 100, 60_000);
    // The path stops carrying datagrams above 1472 bytes (a fragment-dropping middlebox).
    const deliverSmallOnly = net.forward.opts;
    const forwardSend = net.forward.send.bind(net.forward);
    net.forward.send = (payload: Buffer, length = payload.length) => {
      if (length <= 1472) forwardSend(payload, length);
    };
    await sim.run(() => big.failed !== null, 60_000);
    assert.equal(big.failed![0], 'DATAGRAM_TOO_BIG');
    assert.ok(sim.now < 30_000, 'detected well before the idle timeout');
    big.receiver.close();
    // Restart at the base size, keeping what was written.
    const have = big.receiver.chunkMap().rechunk(bigChunk, CHUNK, totalBytes);
    const small = net.addTransfer({
      transferId: 2,
      totalBytes,
      have,
      source: (off, into, at, len) => big.src!.copy(into, at, off, off + len),
    });
    small.dest!.set(big.dest!);
    small.sender.start();
    await sim.run(() => small.done && small.complete, 60_000);
    assert.ok(small.dest!.equals(big.src!));
    assert.ok(small.sentChunks.every((c) => !have.has(c)));
    void deliverSmallOnly;
  });

  it('BBR keeps its throughput under random loss where NewReno collapses', async () => {
    const seconds: Record<string, number> = {};
    for (const cc of ['bbr', 'newReno'] as const) {
      const sim = new Sim(15);
      const net = new TwoClients(sim, { ...PATH, loss: 0.05, queueBytes: 400_000 }, { delayMs: 10 });
      const t = net.addTransfer({ transferId: 1, totalBytes: 2 << 20, congestionControl: cc });
      t.sender.start();
      await sim.run(() => t.done && t.complete, 600_000);
      seconds[cc] = sim.now / 1000;
    }
    assert.ok(seconds.bbr * 5 < seconds.newReno, `bbr ${seconds.bbr} s, newReno ${seconds.newReno} s`);
  });
});

describe('transport transfer engine with records (chunks sealed several at a time)', () => {
  const K = 14; // what the client uses at 1200-byte datagrams (fileTransfers.recordChunksFor)

  for (const loss of [0, 0.05, 0.2]) {
    it(`delivers a file byte-identical at ${loss * 100} % loss, sealing every chunk exactly once`, async () => {
      const sim = new Sim(300 + loss * 100);
      const impair = { loss, duplicate: 0.02, reorder: 0.02, reorderDelayMs: 3 };
      const net = new TwoClients(sim, { ...PATH, ...impair }, { delayMs: 10, ...impair });
      const totalBytes = 3 * 1024 * 1024 + 517;
      const t = net.addTransfer({ transferId: 7, totalBytes, records: K });
      t.sender.start();
      await sim.run(() => t.done && t.complete, 120_000);
      assert.equal(t.failed, null);
      assert.ok(t.dest!.equals(t.src!), 'reassembled bytes differ from the source');
      assert.equal(t.creditViolations, 0);
      const chunks = ChunkMap.chunkCountFor(totalBytes, CHUNK);
      const s = t.sender.stats();
      // A lost chunk is resent from its record, never re-read and sealed again under a new nonce.
      assert.equal(t.chunksSealed, chunks);
      if (loss > 0) assert.ok(s.retransmittedPackets > 0, 'losses were repaired');
      assert.ok(s.records <= Math.ceil(chunks / 2), `${s.records} records for ${chunks} chunks: mostly full ones`);
      assert.ok(s.records >= Math.ceil(chunks / K));
      assert.equal(s.recordChunksHeld, 0, 'records are dropped once acknowledged');
      assert.equal(t.assembler!.waiting, 0);
      assert.equal(t.assembler!.stats.failed, 0);
    });
  }

  it('resends a lost fragment byte for byte, in a new transfer packet', async () => {
    const sim = new Sim(310);
    const net = new TwoClients(sim, { ...PATH, loss: 0.1 }, { delayMs: 10 });
    const byChunk = new Map<number, Buffer[]>();
    net.forward.tap = (d) => {
      const chunk = d.readUInt32BE(33); // header 12 + epoch 4 + record 8 + fragment byte 1 + transferId 4 + pn 4
      byChunk.set(chunk, [...(byChunk.get(chunk) ?? []), d]);
    };
    const t = net.addTransfer({ transferId: 8, totalBytes: 1 << 20, records: K });
    t.sender.start();
    await sim.run(() => t.done && t.complete, 120_000);
    assert.ok(t.dest!.equals(t.src!));
    let resent = 0;
    for (const copies of byChunk.values()) {
      for (const again of copies.slice(1)) {
        resent++;
        const first = copies[0];
        assert.notEqual(again.readUInt32BE(29), first.readUInt32BE(29), 'a new transfer packet number');
        const mask = (b: Buffer) => Buffer.concat([b.subarray(0, 29), b.subarray(33)]);
        assert.ok(mask(again).equals(mask(first)), 'the same record, fragment and ciphertext');
      }
    }
    assert.ok(resent > 10, `${resent} fragments resent`);
  });

  /**
   * Runs a 1 MiB transfer whose datagrams from A pass through `alter` (a copy of each, as the
   * wire carries it; fragments only). Returns the transfer, the chunks written from each record
   * (as seen on the wire: record number → chunks) and every chunk written.
   */
  async function throughAlteringPath(seed: number, alter: (d: Buffer, record: number, chunk: number) => void, spec: Partial<TransferSpec> = {}) {
    const sim = new Sim(seed);
    const net = new TwoClients(sim, PATH, { delayMs: 10 });
    const t = net.addTransfer({ transferId: 9, totalBytes: 1 << 20, records: K, ...spec });
    const writes = new Map<number, number>(); // chunk → times written
    t.spec.sink = (chunk) => writes.set(chunk, (writes.get(chunk) ?? 0) + 1);
    const send = net.forward.send.bind(net.forward);
    const chunksOf = new Map<number, Set<number>>();
    net.forward.send = (payload: Buffer, length = payload.length) => {
      const d = Buffer.from(payload.subarray(0, length));
      if (d[0] === MAGIC && d.length > 40) {
        const record = d.readUInt32BE(20); // the low word of the record number (header 12 + epoch 4 + high word 4)
        const chunk = d.readUInt32BE(33); // … + fragment byte 1 + transferId 4 + pn 4
        chunksOf.set(record, (chunksOf.get(record) ?? new Set()).add(chunk));
        alter(d, record, chunk);
      }
      send(d);
    };
    t.sender.start();
    return { sim, t, writes, chunksOf };
  }

  it('asks again for a record whose ciphertext was altered on the way: nothing of the altered copy is written, the file arrives intact', async () => {
    let victim = -1;
    const { sim, t, writes, chunksOf } = await throughAlteringPath(320, (d, record, chunk) => {
      if (victim < 0 && chunk === 100) {
        victim = record;
        d[d.length - 20] ^= 0x01; // one bit of chunk 100's ciphertext (before the tag, if it has one)
      }
    });
    await sim.run(() => t.complete && t.done, 60_000);
    assert.equal(t.failed, null);
    assert.ok(t.dest!.equals(t.src!), 'the file arrived intact');
    assert.equal(t.assembler!.stats.failed, 1);
    assert.deepEqual(t.resendRequests.map(([r]) => r), [victim], 'one FILE_RESEND, for the altered record');
    const victims = [...chunksOf.get(victim)!];
    assert.ok(victims.length > 1 && victims.includes(100));
    // Each chunk is written once: the altered record's chunks only from their second sending.
    for (const [c, n] of writes) assert.equal(n, 1, `chunk ${c} written ${n} times`);
    assert.equal(t.receiver.stats().unstaged, victims.length, 'every chunk of the altered record was taken back');
    assert.ok(t.sender.stats().retransmittedPackets >= victims.length);
  });

  it('asks again for an altered last record after the sender thought it was done: the sender runs again', async () => {
    const lastChunk = Math.ceil((1 << 20) / CHUNK) - 1;
    let altered = false;
    let doneBeforeResend = false;
    const { sim, t } = await throughAlteringPath(321, (d, _record, chunk) => {
      if (!altered && chunk === lastChunk) {
        altered = true;
        d[d.length - 20] ^= 0x01;
      }
    }, { resendDelayMs: 300 }); // a FILE_RESEND that took long (the reliable channel resent it): A was done by then
    let doneEvents = 0;
    t.sender.on('done', () => doneEvents++);
    const resend = t.sender.resend.bind(t.sender);
    t.sender.resend = (record, chunks) => {
      doneBeforeResend ||= t.sender.status === 'done';
      return resend(record, chunks);
    };
    await sim.run(() => t.complete && t.sender.status === 'done', 60_000);
    assert.equal(t.failed, null);
    assert.ok(t.dest!.equals(t.src!));
    assert.ok(doneBeforeResend, 'the FILE_RESEND reached a sender that was done');
    assert.equal(doneEvents, 2, 'it ran again and finished again');
  });

  it('gives up a record whose fragment went astray (its clear record number altered) once it stalls, and asks for it again', async () => {
    let altered = false;
    const { sim, t } = await throughAlteringPath(322, (d, _record, chunk) => {
      if (!altered && chunk === 200) {
        altered = true;
        d[20] ^= 0x80; // the record number: this fragment joins a record that never completes
      }
    });
    await sim.run(() => t.complete && t.done, 60_000);
    assert.equal(t.failed, null);
    assert.ok(t.dest!.equals(t.src!), 'the file arrived intact');
    assert.equal(t.assembler!.stats.stalled, 2, 'the record that lost a fragment and the one it went to');
    assert.equal(t.assembler!.stats.failed, 0);
    assert.ok(t.resendRequests.some(([, chunks]) => chunks.includes(200)), 'the astray chunk was asked for');
  });

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`arrives byte-identical through random bit flips anywhere in 2 % of fragments, clear headers included (seed ${seed})`, async () => {
      // A flipped transfer packet number, chunk or record number is acknowledged as it arrived;
      // FILE_RESEND (records and stalled chunks) and the sender's ack checks must still finish it.
      const sim = new Sim(seed);
      const net = new TwoClients(sim, { ...PATH, loss: 0.01 }, { delayMs: 2, loss: 0.01 });
      const t = net.addTransfer({ transferId: 9, totalBytes: 2 << 20, records: K });
      const send = net.forward.send.bind(net.forward);
      let flipped = 0;
      net.forward.send = (payload: Buffer, length = payload.length) => {
        const d = Buffer.from(payload.subarray(0, length));
        if (sim.rng.next() < 0.02) {
          d[sim.rng.int(d.length)] ^= 1 << sim.rng.int(8);
          flipped++;
          // A flipped sealed packet fails authentication (a loss); so does a fragment whose header no longer parses.
          if (d[0] !== MAGIC || !readRecordFragment(d)) return;
        }
        send(d);
      };
      t.sender.start();
      await sim.run(() => t.complete && t.done, 120_000);
      assert.equal(t.failed, null);
      assert.ok(t.dest!.equals(t.src!), 'the file arrived intact');
      assert.ok(flipped > 20 && t.resendRequests.length > 0, `${flipped} datagrams flipped, ${t.resendRequests.length} FILE_RESENDs`);
    });
  }

  it('stops with TAMPERED once records that fail outnumber those opened more than twice (past maxFailures)', async () => {
    const bad = new Set<number>();
    const { sim, t } = await throughAlteringPath(
      323,
      (d, record, chunk) => {
        if (chunk >= 100) {
          bad.add(record);
          d[d.length - 20] ^= 0x01; // every fragment from chunk 100 on: no record opens from there
        }
      },
      { maxRecordFailures: 3 },
    );
    await sim.run(() => t.failed !== null, 60_000);
    assert.equal(t.failed![0], 'TAMPERED');
    const { opened, failed } = t.assembler!.stats;
    assert.ok(opened >= 5, `${opened} records opened before chunk 100`);
    assert.equal(failed, 2 * opened + 1, 'it stopped at the first failure beyond twice the records opened');
    const asked = t.resendRequests.filter(([r]) => r !== RESEND_NO_RECORD);
    assert.equal(asked.length, failed - 1, 'each failure before it was asked for again, the last one stopped the transfer');
    assert.ok(asked.every(([r]) => bad.has(r)));
  });
});

describe('transport engine against packet numbers corrupted in a clear header', () => {
  const frame = (pn: number, chunk: number, size: number) => ({ type: 'xferData' as const, transferId: 1, pn, chunk, data: Buffer.alloc(size) });

  it('the receiver neither takes nor acknowledges a packet number more than MAX_PN_JUMP beyond the largest', async () => {
    const acks: XferAckFrame[] = [];
    const r = new TransferReceiver({
      transferId: 1,
      totalBytes: 4 * 100,
      chunkSize: 100,
      windowBytes: 1 << 20,
      now: () => 0,
      writeChunk: async () => undefined,
      transmit: (frames) => acks.push(...(frames.filter((f) => f.type === 'xferAck') as XferAckFrame[])),
    });
    r.onData(frame(0, 0, 100));
    r.onData(frame(MAX_PN_JUMP + 1, 1, 100)); // 0 + MAX_PN_JUMP + 1: beyond
    r.onData(frame(MAX_PN_JUMP, 2, 100)); // exactly MAX_PN_JUMP beyond: believed
    r.onTimer();
    assert.equal(r.stats().malformed, 1);
    assert.deepEqual(acks.at(-1)!.ranges, [[MAX_PN_JUMP, MAX_PN_JUMP], [0, 0]]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(r.missingChunks(4), [1, 3], 'the chunk of the refused packet is still missing');
  });

  it('the sender takes an ack whose largest it never sent: what it did send is acknowledged, nothing stalls', () => {
    let now = 0;
    const sent: number[] = [];
    const s = new TransferSender({
      transferId: 1,
      totalBytes: 10 * 100,
      chunkSize: 100,
      initialMaxChunk: 10,
      now: () => now,
      readChunk: () => Promise.resolve(),
      transmit: (d) => sent.push(d.readUInt32BE(5)),
    });
    s.start();
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      s.onTimer();
      assert.ok(sent.length >= 3, `${sent.length} packets sent`);
      now = 10;
      // pn 3 and 1_000_000 (a corrupted header's) received: the ack's largest was never sent.
      s.onAck({ type: 'xferAck', transferId: 1, largest: 1_000_000, ackDelayUs: 0, ranges: [[1_000_000, 1_000_000], [0, 2]], maxChunk: 10, written: 3 });
      assert.equal(s.stats().chunksAcked, 3, 'packets 0-2 acknowledged');
    });
  });
});

describe('transport sender: FILE_RESEND from a receiver', () => {
  const K = 14;

  it('ignores chunks that are not of the file, records it never sealed, and chunks not sent yet', async () => {
    const sim = new Sim(330);
    const net = new TwoClients(sim, PATH, { delayMs: 10 });
    const t = net.addTransfer({ transferId: 5, totalBytes: 1 << 20, records: K });
    t.sender.start();
    await sim.run(() => t.sender.stats().chunksAcked > 100, 60_000);
    const lastChunk = Math.ceil((1 << 20) / CHUNK) - 1;
    assert.equal(t.sender.resend(987_654, [-1, 2.5, lastChunk + 1, 2 ** 32, NaN]), 0, 'nothing of the file named');
    assert.equal(t.sender.resend(RESEND_NO_RECORD, [lastChunk]), 0, 'the last chunk was not sent yet: it goes as any chunk');
    await sim.run(() => t.complete && t.done, 60_000);
    assert.ok(t.dest!.equals(t.src!));
    assert.equal(t.sender.stats().retransmittedPackets, 0, 'nothing was sent twice');
  });

  it('fails with TAMPERED when a receiver asks for far more records than were sealed', async () => {
    const sim = new Sim(331);
    const net = new TwoClients(sim, PATH, { delayMs: 10 });
    const t = net.addTransfer({ transferId: 6, totalBytes: 64 * 1024, records: K });
    t.sender.start();
    await sim.run(() => t.done, 60_000);
    const sealed = t.sender.stats().records;
    let n = 0;
    while (t.sender.status !== 'failed' && n < 1000) {
      t.sender.resend(RESEND_NO_RECORD, [0]);
      n++;
    }
    assert.equal(t.failed?.[0], 'TAMPERED');
    assert.equal(n, sealed + EXTRA_RECORD_RESENDS + 1);
  });
});
