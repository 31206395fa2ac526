import assert from 'node:assert/strict';
import { decodeFrames, encodeFrames, Frame, MsgAckFrame, MsgFrame } from '../../src/transport/frames';
import { CHANNEL_ACK_DELAY_MS, DEFAULT_DATAGRAM_BYTES, MAX_MESSAGE_BYTES, PACKET_OVERHEAD } from '../../src/transport/limits';
import { ReliableChannel } from '../../src/transport/reliableChannel';
import { Link, LinkOptions, Sim } from './transportSim';

interface Side {
  channel: ReliableChannel;
  received: string[];
  sentDatagrams: Frame[][];
  ackedAll: number;
}

function pair(sim: Sim, ab: LinkOptions, ba: LinkOptions = ab, maxInFlight?: number) {
  const sides: Side[] = [];
  const links: Link[] = [];
  for (let i = 0; i < 2; i++) {
    const side: Side = { channel: null as unknown as ReliableChannel, received: [], sentDatagrams: [], ackedAll: 0 };
    sides.push(side);
  }
  for (let i = 0; i < 2; i++) {
    const peer = sides[1 - i];
    links.push(
      sim.link(i === 0 ? ab : ba, (payload) => {
        const frames = decodeFrames(payload);
        assert.ok(frames, 'the channel produced a malformed payload');
        for (const f of frames) peer.channel.onFrame(f as MsgFrame | MsgAckFrame);
      }),
    );
  }
  for (let i = 0; i < 2; i++) {
    const side = sides[i];
    side.channel = new ReliableChannel({
      now: sim.clock,
      maxPayloadBytes: DEFAULT_DATAGRAM_BYTES - PACKET_OVERHEAD,
      maxInFlight,
      transmit: (frames) => {
        const payload = encodeFrames(frames);
        assert.ok(payload.length <= DEFAULT_DATAGRAM_BYTES - PACKET_OVERHEAD, 'payload over budget');
        side.sentDatagrams.push(frames);
        links[i].send(payload);
      },
      deliver: (data) => side.received.push(data.toString()),
      onAckedAll: () => side.ackedAll++,
    });
    sim.addTimers(side.channel);
  }
  return { a: sides[0], b: sides[1], links };
}

describe('transport ReliableChannel', () => {
  for (const loss of [0, 0.05, 0.2]) {
    it(`delivers every message exactly once, in order, both ways, at ${loss * 100} % loss with duplication and reordering`, async () => {
      const sim = new Sim(1234 + loss * 1000);
      const net: LinkOptions = { delayMs: 10, jitterMs: 2, loss, duplicate: 0.05, reorder: 0.1, reorderDelayMs: 15 };
      const { a, b } = pair(sim, net);
      const count = 400;
      const expectedAtB: string[] = [];
      const expectedAtA: string[] = [];
      // Messages of varied sizes, sent at random moments, some in bursts.
      for (let i = 0; i < count; i++) {
        const at = sim.rng.next() * 2000;
        const size = sim.rng.next() < 0.1 ? MAX_MESSAGE_BYTES - 10 : 1 + sim.rng.int(60);
        const fromA = sim.rng.next() < 0.6;
        sim.schedule(at, () => {
          const text = `${fromA ? 'a' : 'b'}#${i}:`.padEnd(size, '.');
          (fromA ? expectedAtB : expectedAtA).push(text);
          (fromA ? a : b).channel.send(Buffer.from(text));
        });
      }
      await sim.run(
        () =>
          a.received.length === expectedAtA.length &&
          b.received.length === expectedAtB.length &&
          sim.now > 2000 &&
          a.channel.unacked === 0 &&
          b.channel.unacked === 0,
        120_000,
      );
      assert.deepEqual(b.received, expectedAtB);
      assert.deepEqual(a.received, expectedAtA);
      // Let stray duplicates and retransmissions land: still nothing delivered twice.
      await sim.runUntil(sim.now + 5000);
      assert.deepEqual(b.received, expectedAtB);
      assert.deepEqual(a.received, expectedAtA);
      assert.ok(a.channel.idle && b.channel.idle);
      assert.ok(a.ackedAll > 0 && b.ackedAll > 0);
    });
  }

  it('coalesces messages sent in the same tick into one datagram', async () => {
    const sim = new Sim(1);
    const { a, b } = pair(sim, { delayMs: 5 });
    for (let i = 0; i < 10; i++) a.channel.send(Buffer.from(`m${i}`));
    await sim.run(() => b.received.length === 10 && a.channel.unacked === 0, 1000);
    const withMessages = a.sentDatagrams.filter((d) => d.some((f) => f.type === 'msg'));
    assert.equal(withMessages.length, 1);
    assert.equal(withMessages[0].length, 10);
  });

  it('splits a burst across datagrams without exceeding the payload budget', async () => {
    const sim = new Sim(2);
    const { a, b } = pair(sim, { delayMs: 5 });
    for (let i = 0; i < 5; i++) a.channel.send(Buffer.alloc(MAX_MESSAGE_BYTES, 0x41 + i));
    await sim.run(() => b.received.length === 5 && a.channel.unacked === 0, 1000);
    assert.equal(a.sentDatagrams.filter((d) => d.some((f) => f.type === 'msg')).length, 5);
  });

  it('piggybacks its pending ack on a reply', async () => {
    const sim = new Sim(3);
    const { a, b } = pair(sim, { delayMs: 5 });
    let replied = false;
    a.channel.send(Buffer.from('ping'));
    await sim.run(() => b.received.length === 1, 100);
    b.channel.send(Buffer.from('pong')); // same tick as the delivery: the ack rides along
    replied = true;
    await sim.run(() => replied && a.received.length === 1 && a.channel.unacked === 0, 100);
    assert.equal(b.sentDatagrams.length, 1, 'ack and reply share one datagram');
    assert.deepEqual(
      b.sentDatagrams[0].map((f) => f.type),
      ['msgAck', 'msg'],
    );
  });

  it('acks a lone message within CHANNEL_ACK_DELAY_MS', async () => {
    const sim = new Sim(4);
    const { a, b } = pair(sim, { delayMs: 10 });
    a.channel.send(Buffer.from('hello'));
    await sim.run(() => a.channel.unacked === 0, 1000);
    assert.ok(sim.now <= 20 + CHANNEL_ACK_DELAY_MS + 1e-9, `acked at ${sim.now}`);
    assert.equal(b.received.length, 1);
  });

  it('after a path change it sends an ack at once, with nothing to acknowledge or resend', async () => {
    const sim = new Sim(41);
    const { a, b } = pair(sim, { delayMs: 10 });
    a.channel.send(Buffer.from('hello'));
    await sim.run(() => a.channel.idle && b.channel.idle, 1000);
    const before = b.sentDatagrams.length;
    b.channel.pathChanged();
    await sim.run(() => b.channel.idle, 1000);
    assert.deepEqual(b.sentDatagrams.slice(before).map((d) => d.map((f) => f.type)), [['msgAck']]);
    await sim.runUntil(sim.now + 1000);
    assert.deepEqual(a.received, []);
    assert.deepEqual(b.received, ['hello'], 'the extra ack delivered nothing twice');
    assert.equal(a.channel.unacked, 0);
  });

  it("after a path change the validation's round trip sets the initial RTT: a lost first message is resent within milliseconds, not a second", async () => {
    for (const [initial, within] of [
      [undefined, 900],
      [2, 40],
    ] as const) {
      const sim = new Sim(42);
      const { a, b, links } = pair(sim, { delayMs: 1 });
      a.channel.pathChanged(initial);
      // The first datagram carrying the message is lost on the wire.
      let dropped = false;
      links[0].tap = (payload) => {
        const carries = decodeFrames(payload)!.some((f) => f.type === 'msg');
        links[0].opts.loss = carries && !dropped ? 1 : 0;
        if (carries) dropped = true;
      };
      const t0 = sim.now;
      a.channel.send(Buffer.from('offer'));
      await sim.run(() => b.received.length === 1, 5_000);
      const took = sim.now - t0;
      if (initial === undefined) assert.ok(took >= within, `333 ms initial RTT: resent after ${took} ms`);
      else assert.ok(took <= within, `2 ms from the validation: resent after ${took} ms`);
    }
  });

  it('rejects messages over MAX_MESSAGE_BYTES', () => {
    const sim = new Sim(5);
    const { a } = pair(sim, { delayMs: 1 });
    assert.throws(() => a.channel.send(Buffer.alloc(MAX_MESSAGE_BYTES + 1)), RangeError);
  });

  it('keeps at most maxInFlight sequence numbers outstanding', async () => {
    const sim = new Sim(6);
    const { a, b, links } = pair(sim, { delayMs: 20, loss: 0.1 }, { delayMs: 20, loss: 0.1 }, 8);
    let lowestUnacked = 0;
    let maxSpan = 0;
    links[0].tap = (payload) => {
      for (const f of decodeFrames(payload)!) if (f.type === 'msg') maxSpan = Math.max(maxSpan, f.seq - lowestUnacked + 1);
    };
    links[1].tap = (payload) => {
      for (const f of decodeFrames(payload)!) if (f.type === 'msgAck') lowestUnacked = Math.max(lowestUnacked, f.next);
    };
    for (let i = 0; i < 100; i++) a.channel.send(Buffer.from(`m${i}`));
    await sim.run(() => b.received.length === 100 && a.channel.unacked === 0, 60_000);
    assert.ok(maxSpan <= 8, `span ${maxSpan}`);
    assert.deepEqual(b.received, Array.from({ length: 100 }, (_, i) => `m${i}`));
  });

  it('reset() starts fresh sequence spaces both ways', async () => {
    const sim = new Sim(7);
    const { a, b } = pair(sim, { delayMs: 5 });
    a.channel.send(Buffer.from('one'));
    b.channel.send(Buffer.from('uno'));
    await sim.run(() => a.channel.idle && b.channel.idle && a.received.length === 1 && b.received.length === 1, 1000);
    // b "restarts": a fresh channel object would start at seq 0; so does a reset one.
    a.channel.reset();
    b.channel.reset();
    a.channel.send(Buffer.from('two'));
    b.channel.send(Buffer.from('dos'));
    await sim.run(() => a.received.length === 2 && b.received.length === 2 && a.channel.idle && b.channel.idle, 1000);
    assert.deepEqual(b.received, ['one', 'two']);
    assert.deepEqual(a.received, ['uno', 'dos']);
    const seqs = a.sentDatagrams.flat().filter((f): f is MsgFrame => f.type === 'msg').map((f) => f.seq);
    assert.deepEqual(seqs, [0, 0]);
  });

  describe('send() returns the sequence number; isAcked(seq) says whether the peer acknowledged it', () => {
    it('false before the ack arrives (even once the peer has the message), true after', async () => {
      const sim = new Sim(9);
      const { a, b } = pair(sim, { delayMs: 10 });
      const seqs = ['one', 'two', 'three'].map((t) => a.channel.send(Buffer.from(t)));
      assert.deepEqual(seqs, [0, 1, 2], 'consecutive from 0');
      for (const s of seqs) assert.equal(a.channel.isAcked(s), false, `seq ${s} just queued`);
      await sim.run(() => b.received.length === 3, 1000);
      // b holds them, but its (delayed) ack has not reached a yet.
      for (const s of seqs) assert.equal(a.channel.isAcked(s), false, `seq ${s} delivered, ack on its way`);
      await sim.run(() => a.channel.unacked === 0, 1000);
      for (const s of seqs) assert.equal(a.channel.isAcked(s), true, `seq ${s} acknowledged`);
      assert.equal(a.channel.send(Buffer.from('four')), 3);
      assert.equal(a.channel.isAcked(3), false);
      assert.equal(a.channel.isAcked(2), true, 'an earlier ack stays');
    });

    it('false for a seq never sent: on a fresh channel, at the next seq and beyond', async () => {
      const sim = new Sim(10);
      const { a, b } = pair(sim, { delayMs: 5 });
      for (const s of [0, 1, 1000]) assert.equal(a.channel.isAcked(s), false, `fresh channel, seq ${s}`);
      a.channel.send(Buffer.from('x'));
      a.channel.send(Buffer.from('y'));
      await sim.run(() => b.received.length === 2 && a.channel.unacked === 0, 1000);
      assert.equal(a.channel.isAcked(1), true);
      for (const s of [2, 3, 2 ** 31, Number.MAX_SAFE_INTEGER]) assert.equal(a.channel.isAcked(s), false, `seq ${s} never sent`);
      // The other direction's sequence space is separate: b sent nothing.
      for (const s of [0, 1]) assert.equal(b.channel.isAcked(s), false, `b never sent seq ${s}`);
    });

    // Only numbers send() returned can be acknowledged: -1 or 0.5 are not.
    it('false for a negative or fractional seq (never returned by send())', async () => {
      const sim = new Sim(12);
      const { a, b } = pair(sim, { delayMs: 5 });
      a.channel.send(Buffer.from('x'));
      a.channel.send(Buffer.from('y'));
      await sim.run(() => b.received.length === 2 && a.channel.unacked === 0, 1000);
      for (const s of [-1, 0.5]) assert.equal(a.channel.isAcked(s), false, `seq ${s}`);
    });

    it('a later message acked selectively (its predecessor lost) is acked; the lost one is not until resent and acked', () => {
      // Two channels wired by hand: the test decides which datagram arrives.
      let now = 0;
      const wire: { from: 'a' | 'b'; frames: Frame[] }[] = [];
      const mk = (from: 'a' | 'b'): ReliableChannel =>
        new ReliableChannel({
          now: () => now,
          maxPayloadBytes: DEFAULT_DATAGRAM_BYTES - PACKET_OVERHEAD,
          transmit: (frames) => wire.push({ from, frames }),
          deliver: () => {},
        });
      const a = mk('a');
      const b = mk('b');
      const carry = (d: { from: 'a' | 'b'; frames: Frame[] }): void => {
        for (const f of d.frames) (d.from === 'a' ? b : a).onFrame(f as MsgFrame | MsgAckFrame);
      };
      const s0 = a.send(Buffer.from('lost'));
      a.flush();
      const s1 = a.send(Buffer.from('arrives'));
      a.flush();
      assert.equal(wire.length, 2);
      wire.shift(); // the datagram with seq 0 is lost
      carry(wire.shift()!); // seq 1 arrives out of order: b acks at once
      b.flush();
      const ack = wire.shift()!;
      assert.deepEqual(ack.frames.map((f) => f.type), ['msgAck']);
      carry(ack);
      assert.equal(a.isAcked(s1), true, 'seq 1 acknowledged in a range');
      assert.equal(a.isAcked(s0), false, 'seq 0 not acknowledged');
      // Time passes: a resends seq 0, b acks it.
      now += 5_000;
      a.onTimer();
      while (wire.length > 0) carry(wire.shift()!);
      now += CHANNEL_ACK_DELAY_MS;
      b.onTimer();
      while (wire.length > 0) carry(wire.shift()!);
      assert.equal(a.isAcked(s0), true);
      assert.equal(a.isAcked(s1), true);
      assert.equal(a.unacked, 0);
    });

    it('heldUntilNow(): a message held by the link during a handshake gives an RTT sample of the path, not of the wait', () => {
      const rtts: number[] = [];
      for (const held of [false, true]) {
        let now = 0;
        const wire: Frame[][] = [];
        const a = new ReliableChannel({
          now: () => now,
          maxPayloadBytes: DEFAULT_DATAGRAM_BYTES - PACKET_OVERHEAD,
          transmit: (frames) => wire.push(frames),
          deliver: () => {},
        });
        a.send(Buffer.from('typed before the keys'));
        a.flush();
        assert.equal(wire.length, 1);
        now += 1_500; // the handshake took 1.5 s; the link sends the held datagram only now
        if (held) a.heldUntilNow();
        now += 20; // one path round trip later the ack arrives
        a.onFrame({ type: 'msgAck', next: 1, ranges: [] });
        assert.equal(a.unacked, 0);
        rtts.push(a.stats().srttMs);
      }
      assert.equal(rtts[0], 1_520, 'without it the sample holds the wait');
      assert.equal(rtts[1], 20, 'with it, the path');
    });

    it('reset() forgets: acks from before it no longer count (seqs restart at 0)', async () => {
      const sim = new Sim(11);
      const { a, b } = pair(sim, { delayMs: 5 });
      a.channel.send(Buffer.from('one'));
      a.channel.send(Buffer.from('two'));
      await sim.run(() => b.received.length === 2 && a.channel.unacked === 0, 1000);
      assert.equal(a.channel.isAcked(1), true);
      a.channel.reset();
      assert.equal(a.channel.isAcked(0), false);
      assert.equal(a.channel.isAcked(1), false);
      assert.equal(a.channel.send(Buffer.from('again')), 0);
    });
  });

  it('retransmits with backoff while the peer is unreachable and recovers afterwards', async () => {
    const sim = new Sim(8);
    const { a, b, links } = pair(sim, { delayMs: 5, loss: 1 });
    a.channel.send(Buffer.from('are you there?'));
    // No RTT sample yet: first timeout ≈ 1 s (RFC 9002 §6.2.2 kInitialRtt), then doubling.
    await sim.runUntil(10_000);
    const attempts = a.sentDatagrams.length;
    assert.ok(attempts >= 3 && attempts <= 6, `${attempts} attempts in 10 s (exponential backoff)`);
    links[0].opts = { delayMs: 5 };
    links[1].opts = { delayMs: 5 };
    await sim.run(() => b.received.length === 1 && a.channel.unacked === 0, 30_000);
    assert.deepEqual(b.received, ['are you there?']);
  });
});
