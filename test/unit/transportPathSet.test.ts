/**
 * PathSet (src/transport/pathSet.ts) driven by a simulated network: a fake clock, a peer that
 * answers challenges from addresses it can be reached at, and loss or cuts between them.
 */
import { strict as assert } from 'node:assert';
import {
  ActivePath,
  DEAD_AFTER_MS,
  KEEPALIVE_MS,
  MAX_CANDIDATES,
  PathAddress,
  PathSet,
  PROBE_SCHEDULE_MS,
  RETRY_LOST_MS,
  ROUND_BACKOFF_MAX_MS,
  ROUND_BACKOFF_MS,
  addressKey,
} from '../../src/transport/pathSet';

/** A seeded PRNG (mulberry32): the same losses every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class SimNet {
  now = 0;
  /** Addresses where the peer answers (a NAT that lets probes in). */
  readonly reachable = new Set<string>();
  /** Loss each way (0..1). */
  loss = 0;
  /** One-way delay (ms). */
  delay = 5;
  readonly sent: Array<{ to: PathAddress; at: number }> = [];
  readonly switches: ActivePath[] = [];
  private readonly queue: Array<{ at: number; fn: () => void }> = [];
  private readonly random: () => number;
  private counter = 0;
  readonly paths: PathSet;

  constructor(seed = 1) {
    this.random = rng(seed);
    this.paths = new PathSet({
      now: () => this.now,
      random: () => {
        const b = Buffer.alloc(8);
        b.writeUInt32BE(++this.counter, 4);
        return b;
      },
      sendChallenge: (to, data) => {
        this.sent.push({ to, at: this.now });
        if (!this.reachable.has(addressKey(to)) || this.random() < this.loss) return;
        const back = Buffer.from(data);
        this.later(this.delay * 2, () => {
          if (this.random() >= this.loss) this.paths.onResponse(to, back);
        });
      },
      onSwitch: (p) => this.switches.push(p),
    });
  }

  later(ms: number, fn: () => void): void {
    this.queue.push({ at: this.now + ms, fn });
  }

  /** Runs the clock to `until`, firing PathSet's timer and the network's deliveries in order. */
  run(until: number): void {
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const timer = this.paths.nextTimerAt();
      const next = Math.min(timer ?? Infinity, this.queue[0]?.at ?? Infinity);
      if (next > until) break;
      this.now = Math.max(this.now, next);
      if (this.queue[0] && this.queue[0].at <= this.now) this.queue.shift()!.fn();
      else this.paths.onTimer();
    }
    this.now = until;
  }
}

const A = { address: '203.0.113.20', port: 40000 };
const B = { address: '10.1.0.5', port: 40000 };
const L = { address: '127.0.0.1', port: 40000 };

describe('PathSet', () => {
  it('goes direct only when a challenge to exactly that address is answered from it', () => {
    const net = new SimNet();
    net.reachable.add(addressKey(A));
    net.paths.setCandidates([A, B]);
    net.run(50);
    assert.deepEqual(net.paths.path, { kind: 'direct', address: A });
    assert.deepEqual(net.switches, [{ kind: 'direct', address: A }]);
  });

  it('gives the round trip of the challenge that validated the path (none on the relay path)', () => {
    const net = new SimNet();
    net.delay = 7;
    assert.equal(net.paths.validationRttMs, undefined);
    net.reachable.add(addressKey(A));
    net.paths.setCandidates([A]);
    net.run(50);
    assert.deepEqual(net.paths.path, { kind: 'direct', address: A });
    assert.equal(net.paths.validationRttMs, 14);
  });

  it('ignores answers from an address it did not probe, and answers with data it did not send', () => {
    const net = new SimNet();
    net.paths.setCandidates([A]);
    net.run(10);
    const sent = net.sent.length;
    assert.ok(sent > 0);
    net.paths.onResponse({ address: '198.51.100.9', port: 1 }, Buffer.alloc(8, 1)); // never probed
    net.paths.onResponse(A, Buffer.alloc(8, 0xee)); // not our bytes
    net.paths.onResponse(B, Buffer.alloc(8)); // not a candidate
    assert.deepEqual(net.paths.path, { kind: 'relay' });
    assert.deepEqual(net.switches, []);
  });

  it('refuses implausible candidates (port 0, unspecified, multicast, broadcast) and keeps at most MAX_CANDIDATES', () => {
    const net = new SimNet();
    const bad = [
      { address: '0.0.0.0', port: 5 },
      { address: '224.0.0.251', port: 5353 },
      { address: '255.255.255.255', port: 9 },
      { address: '10.0.0.1', port: 0 },
      { address: '10.0.0.1', port: 70000 },
      { address: 'ff02::1', port: 9 },
      { address: 'not an address', port: 9 },
    ];
    const many = Array.from({ length: 20 }, (_, i) => ({ address: `198.51.100.${i + 1}`, port: 1000 + i }));
    net.paths.setCandidates([...bad, ...many]);
    net.run(10_000);
    const targets = new Set(net.sent.map((s) => addressKey(s.to)));
    for (const b of bad) assert.ok(!targets.has(addressKey(b)), `probed ${addressKey(b)}`);
    assert.equal(targets.size, MAX_CANDIDATES);
  });

  it('keeps a fixed probe budget when nothing answers (a symmetric NAT): one round, then rounds further and further apart', () => {
    const net = new SimNet();
    net.paths.setCandidates(Array.from({ length: 10 }, (_, i) => ({ address: `198.51.100.${i + 1}`, port: 4000 })));
    net.run(10_000);
    assert.equal(net.sent.length, MAX_CANDIDATES * PROBE_SCHEDULE_MS.length, 'the first round');
    net.run(60 * 60_000);
    // Rounds back off from ROUND_BACKOFF_MS, doubling to ROUND_BACKOFF_MAX_MS: the doubling steps,
    // then one round per ROUND_BACKOFF_MAX_MS.
    const rounds = net.sent.length / (MAX_CANDIDATES * PROBE_SCHEDULE_MS.length);
    const doublings = Math.ceil(Math.log2(ROUND_BACKOFF_MAX_MS / ROUND_BACKOFF_MS));
    assert.ok(Number.isInteger(rounds) && rounds <= 1 + doublings + (60 * 60_000) / ROUND_BACKOFF_MAX_MS, `${rounds} rounds in an hour`);
    assert.ok(rounds >= 10, 'it keeps trying, now and then');
    assert.deepEqual(net.paths.path, { kind: 'relay' });
  });

  it('prefers loopback, then private, then public addresses, switching up when a better one answers', () => {
    const net = new SimNet();
    net.reachable.add(addressKey(A));
    net.reachable.add(addressKey(L));
    net.paths.setCandidates([A, L]);
    net.run(100);
    assert.deepEqual(net.paths.path, { kind: 'direct', address: L });
  });

  it('keeps an idle direct path alive with a challenge about every KEEPALIVE_MS', () => {
    const net = new SimNet();
    net.reachable.add(addressKey(A));
    net.paths.setCandidates([A]);
    net.run(100);
    const before = net.sent.filter((s) => addressKey(s.to) === addressKey(A)).length;
    net.run(100 + 60_000);
    const keepalives = net.sent.filter((s) => addressKey(s.to) === addressKey(A)).length - before;
    assert.ok(keepalives >= 60_000 / KEEPALIVE_MS - 2 && keepalives <= 60_000 / KEEPALIVE_MS + 2, `${keepalives} keepalives a minute`);
    assert.equal(net.switches.length, 1);
  });

  it('does not leave a working path at 20 % loss each way over an hour', () => {
    const net = new SimNet(7);
    net.reachable.add(addressKey(A));
    net.paths.setCandidates([A]);
    net.run(100);
    net.loss = 0.2;
    net.run(60 * 60_000);
    assert.equal(net.paths.stats.lost, 0, `lost ${net.paths.stats.lost} times`);
  });

  it('falls back to the relay within about DEAD_AFTER_MS of a cut, and goes direct again when it mends', () => {
    const net = new SimNet();
    net.reachable.add(addressKey(A));
    net.paths.setCandidates([A]);
    net.run(1_000);
    net.reachable.delete(addressKey(A)); // a firewall rule, a NAT rebinding
    const cutAt = net.now;
    net.run(cutAt + 10_000);
    const fell = net.switches.findIndex((s) => s.kind === 'relay');
    assert.ok(fell > 0, 'fell back');
    assert.deepEqual(net.paths.path, { kind: 'relay' });
    // When it fell back: the first time its path reads 'relay' after the cut.
    const probesAfterCut = net.sent.filter((s) => s.at > cutAt && s.at <= cutAt + DEAD_AFTER_MS + 1_000);
    assert.ok(probesAfterCut.length >= 8, 'probed fast while quiet');
    net.reachable.add(addressKey(A));
    net.run(net.now + RETRY_LOST_MS + 20_000);
    assert.deepEqual(net.paths.path, { kind: 'direct', address: A });
  });

  it('leaves the direct path at once when the peer has moved to the relay and the path went quiet', () => {
    const net = new SimNet();
    net.reachable.add(addressKey(A));
    net.paths.setCandidates([A]);
    net.run(100);
    net.paths.peerUsesRelay(); // heard just now: stays
    assert.equal(net.paths.path.kind, 'direct');
    net.reachable.delete(addressKey(A));
    net.run(net.now + 800);
    net.paths.peerUsesRelay();
    assert.deepEqual(net.paths.path, { kind: 'relay' });
  });

  it('says our small datagrams get through only when a challenge sent since then was answered, not when the peer is merely heard', () => {
    const net = new SimNet();
    net.reachable.add(addressKey(A));
    net.paths.setCandidates([A]);
    net.run(3_000);
    assert.ok(net.paths.answeredSince(net.now - KEEPALIVE_MS - 100), 'keepalives answered');
    // Our direction is cut; the peer's datagrams still arrive for a while.
    net.reachable.delete(addressKey(A));
    const cutAt = net.now;
    for (let t = 50; t <= 1_500; t += 50) net.later(t, () => net.paths.heard(A));
    net.run(cutAt + 1_500);
    assert.equal(net.paths.path.kind, 'direct', 'still heard, so still the path');
    assert.equal(net.paths.answeredSince(cutAt), false);
    // Mended: the next challenge is answered.
    net.reachable.add(addressKey(A));
    net.run(net.now + KEEPALIVE_MS + 100);
    assert.ok(net.paths.answeredSince(cutAt));
  });

  it('after close() it sends nothing and reports no switch', () => {
    const net = new SimNet();
    net.reachable.add(addressKey(A));
    net.paths.setCandidates([A]);
    net.run(100);
    const sent = net.sent.length;
    const switches = net.switches.length;
    net.paths.close();
    net.run(60_000);
    assert.equal(net.sent.length, sent);
    assert.equal(net.switches.length, switches);
    assert.equal(net.paths.nextTimerAt(), null);
  });
});
