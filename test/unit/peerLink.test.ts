/**
 * PeerLink (src/client/peerLink.ts): two devices' links joined by an in-memory network that can
 * drop chosen datagrams, with the real handshake, sealing and reliable channel.
 */
import { strict as assert } from 'node:assert';
import { PeerLink, PeerLinkHost } from '../../src/client/peerLink';
import { Identity, generateIdentity } from '../../src/crypto/identity';
import { Kind } from '../../src/protocol/header';
import { readSealedPacket } from '../../src/protocol/peerPackets';
import type { Frame } from '../../src/transport/frames';

interface End {
  me: Identity;
  link: PeerLink;
  received: string[];
}

/** Datagrams from A to B and back; `drop(kind, n)` says whether the n-th of that kind from that side is lost. */
function pair(
  drop: (from: 'a' | 'b', kind: number, n: number) => boolean,
  /** Extra datagrams the network delivers a little later (an altered copy, say). */
  extra: (from: 'a' | 'b', kind: number, n: number, datagram: Buffer) => Buffer[] = () => [],
): { a: End; b: End; hellos: Array<'a' | 'b'>; restarts: Array<'a' | 'b'> } {
  const restarts: Array<'a' | 'b'> = [];
  const hellos: Array<'a' | 'b'> = [];
  const counts = { a: new Map<number, number>(), b: new Map<number, number>() };
  const ends: Record<'a' | 'b', End> = {} as Record<'a' | 'b', End>;
  const host = (side: 'a' | 'b', me: Identity): PeerLinkHost => ({
    me,
    session: () => (side === 'a' ? 1 : 2),
    sendDatagram: (buf, length = buf.length) => {
      const copy = Buffer.from(buf.subarray(0, length));
      const kind = copy[2];
      const n = (counts[side].get(kind) ?? 0) + 1;
      counts[side].set(kind, n);
      if (kind === Kind.PEER_HELLO) hellos.push(side);
      if (!drop(side, kind, n)) {
        // Delivered on a later turn, as a socket would.
        setImmediate(() => deliver(side === 'a' ? ends.b : ends.a, copy));
      }
      for (const more of extra(side, kind, n, copy)) setTimeout(() => deliver(side === 'a' ? ends.b : ends.a, more), 50);
      return true;
    },
    sendDatagramTo: () => true,
    onFrames: (link, frames: Frame[]) => {
      for (const f of frames) if (f.type === 'msg' || f.type === 'msgAck') link.channel.onFrame(f);
    },
    onMessage: (_link, data) => ends[side].received.push(data.toString()),
    onPeerRestart: () => void restarts.push(side),
    onEstablished: () => undefined,
    log: () => undefined,
  });
  const deliver = (to: End, buf: Buffer): void => {
    if (to.link.closed) return;
    if (buf[2] === Kind.PEER_HELLO) to.link.onHello(buf.subarray(12));
    else if (buf[2] === Kind.PEER_SEALED) {
      const p = readSealedPacket(buf);
      if (p) to.link.onSealed(p);
    }
  };
  for (const side of ['a', 'b'] as const) {
    const me = generateIdentity();
    ends[side] = { me, link: null as unknown as PeerLink, received: [] };
  }
  for (const side of ['a', 'b'] as const) {
    const other = ends[side === 'a' ? 'b' : 'a'].me;
    const link = new PeerLink(side === 'a' ? 'bob' : 'alice', side === 'a' ? 2 : 1, 'tag', false, host(side, ends[side].me));
    link.statics = { signPublic: other.signPublic, dhPublic: other.dhPublic };
    ends[side].link = link;
  }
  return { a: ends.a, b: ends.b, hellos, restarts };
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return cond();
}

describe('PeerLink', () => {
  const made: PeerLink[] = [];
  afterEach(() => {
    for (const l of made.splice(0)) l.close();
  });

  it('sets up the session and delivers a message when nothing is lost', async () => {
    const { a, b } = pair(() => false);
    made.push(a.link, b.link);
    a.link.channel.send(Buffer.from('hello'));
    a.link.armChannelTimer();
    assert.ok(await until(() => b.received.length > 0, 5_000));
    assert.deepEqual(b.received, ['hello']);
    assert.ok(a.link.established && b.link.established);
  });

  it('a message typed before the keys measures the path, not the handshake wait, in its RTT sample', async () => {
    // a's first hello is lost: the handshake waits for its resend (200 ms), the message with it.
    const { a, b } = pair((from, kind, n) => from === 'a' && kind === Kind.PEER_HELLO && n === 1);
    made.push(a.link, b.link);
    const t0 = Date.now();
    a.link.channel.send(Buffer.from('typed at once'));
    a.link.armChannelTimer();
    assert.ok(await until(() => b.received.length > 0 && a.link.channel.unacked === 0, 5_000));
    const waited = Date.now() - t0;
    assert.ok(waited >= 150, `the handshake waited for a resent hello (${waited} ms)`);
    const srtt = a.link.channel.stats().srttMs;
    assert.ok(srtt < waited / 2, `srtt ${srtt} ms is the in-memory path, not the ${waited} ms wait`);
  });

  // The initiator installs its keys on the responder's hello and answers once; if that answer is
  // lost, both sides must keep resending until each has proof (src/crypto/peerHandshake.ts):
  // before, the initiator went quiet once it had keys and the responder never resent at all, so
  // the responder stayed without keys and dropped everything the initiator sealed, for good
  // (the rare stall of the harsh-path chat tests).
  it('completes the handshake on both sides when the initiator’s last hello is lost', async () => {
    // Hellos: A's first (no echo), B's answer (derived keys), A's answer (it installed): lose that.
    const { a, b, hellos } = pair((from, kind, n) => from === 'a' && kind === Kind.PEER_HELLO && n === 2);
    made.push(a.link, b.link);
    a.link.channel.send(Buffer.from('hello'));
    a.link.armChannelTimer();
    assert.ok(await until(() => b.received.length > 0, 5_000), `B got nothing; hellos sent: ${hellos.join(' ')}; B established: ${b.link.established}`);
    assert.deepEqual(b.received, ['hello']);
    assert.ok(a.link.established && b.link.established);
    // And then both go quiet: no hello resent forever.
    await new Promise((r) => setTimeout(r, 300));
    const sent = hellos.length;
    await new Promise((r) => setTimeout(r, 2_500));
    assert.equal(hellos.length, sent, 'hellos keep going after both have proof');
  });

  // A's first session is replaced before B ever had it (A's answer lost, then an altered copy of
  // B's hello made A pair anew: the handshake's way to converge when the peer moved on). Nothing
  // A sealed under it was ever opened, so nothing of the channel moved: it is no peer restart,
  // and what A had sent must not be dropped as if it were.
  it('keeps what was sent when its first session is replaced before the peer ever had it', async () => {
    const { a, b, restarts } = pair(
      (from, kind, n) => from === 'a' && kind === Kind.PEER_HELLO && n === 2,
      (from, kind, n, d) => {
        if (from !== 'b' || kind !== Kind.PEER_HELLO || n !== 1) return [];
        const altered = Buffer.from(d);
        altered[12 + 5]! ^= 0x10; // a bit of B's ephemeral
        return [altered];
      },
    );
    made.push(a.link, b.link);
    a.link.channel.send(Buffer.from('first'));
    a.link.channel.send(Buffer.from('second'));
    a.link.armChannelTimer();
    assert.ok(await until(() => b.received.length >= 2, 8_000), `B got ${JSON.stringify(b.received)}; restarts: ${restarts.join(' ')}`);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(b.received, ['first', 'second']);
    assert.deepEqual(restarts, [], 'no side took it for a restart of the other');
  });

  it('completes the handshake when the responder’s answers are lost a few times', async () => {
    const { a, b } = pair((from, kind, n) => from === 'b' && kind === Kind.PEER_HELLO && n <= 3);
    made.push(a.link, b.link);
    a.link.channel.send(Buffer.from('hello'));
    a.link.armChannelTimer();
    assert.ok(await until(() => b.received.length > 0, 10_000));
    assert.deepEqual(b.received, ['hello']);
  });
});
