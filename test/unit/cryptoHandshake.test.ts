import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { generateIdentity, type Identity } from '../../src/crypto/identity';
import {
  decodePeerHello,
  encodePeerHello,
  PEER_HELLO_BYTES,
  PeerHandshake,
  type SessionKeys,
} from '../../src/crypto/peerHandshake';

// Long-term identities are generated once: the properties are about the state machine.
const alice = generateIdentity();
const bob = generateIdentity();
const mallory = generateIdentity();

type Side = 'A' | 'B';
interface Datagram {
  to: Side;
  bytes: Buffer;
}

/** A deterministic PRNG (mulberry32), seeded by fast-check, for the clean phase's delivery order. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` reduced to an index of a list of `length` (> 0) elements, whatever its sign. */
function pick(n: number, length: number): number {
  return ((n % length) + length) % length;
}

/** Two handshakes joined by a network the test controls completely. */
class Network {
  clock = 0;
  readonly inflight: Datagram[] = [];
  readonly history: Datagram[] = [];
  sent = 0;
  readonly sides: Record<Side, PeerHandshake>;
  /** Every session each side reported through `established`. */
  readonly established: Record<Side, SessionKeys[]> = { A: [], B: [] };

  constructor(
    readonly identities: Record<Side, Identity> = { A: alice, B: bob },
    /** Datagrams to these sides are swallowed (nobody is listening there). */
    readonly sinks: Set<Side> = new Set(),
  ) {
    this.sides = { A: this.make('A'), B: this.make('B') };
  }

  make(side: Side): PeerHandshake {
    const me = this.identities[side];
    const peer = this.identities[side === 'A' ? 'B' : 'A'];
    return new PeerHandshake(me, peer.signPublic, peer.dhPublic, () => this.clock);
  }

  restart(side: Side): void {
    this.sides[side] = this.make(side);
  }

  send(to: Side, bytes: Buffer): void {
    this.sent++;
    if (this.sinks.has(to)) return;
    const d = { to, bytes };
    this.inflight.push(d);
    this.history.push(d);
  }

  start(side: Side): void {
    this.send(side === 'A' ? 'B' : 'A', this.sides[side].start());
  }

  deliver(index: number): void {
    const [d] = this.inflight.splice(pick(index, this.inflight.length), 1);
    this.receive(d!.to, d!.bytes);
  }

  receive(side: Side, bytes: Buffer): void {
    const hello = decodePeerHello(bytes);
    assert.ok(hello, 'every datagram in this network is a hello');
    const result = this.sides[side].onHello(hello);
    if (result.established) {
      assert.equal(result.established, this.sides[side].current(), 'established is the current session');
      this.established[side].push(result.established);
    }
    if (result.reply) this.send(side === 'A' ? 'B' : 'A', result.reply);
  }

  /** Resends of both sides, as their retransmission timers would do when nothing arrives. */
  tick(): boolean {
    this.clock += 1000;
    let any = false;
    for (const side of ['A', 'B'] as const) {
      const hello = this.sides[side].needsResend();
      if (hello) {
        any = true;
        this.send(side === 'A' ? 'B' : 'A', hello);
      }
    }
    return any;
  }

  /** Adversarial phase: the schedule decides what is delivered, lost, duplicated or replayed. */
  runAdversarial(ops: ReadonlyArray<readonly [number, number]>): void {
    for (const [op, n] of ops) {
      switch (op) {
        case 0:
        case 1:
        case 2: // deliver (most likely)
          if (this.inflight.length > 0) this.deliver(n);
          break;
        case 3: // lose
          if (this.inflight.length > 0) this.inflight.splice(pick(n, this.inflight.length), 1);
          break;
        case 4: // duplicate
          if (this.inflight.length > 0) this.inflight.push({ ...this.inflight[pick(n, this.inflight.length)]! });
          break;
        case 5: // replay something old (an attacker or a very late duplicate)
          if (this.history.length > 0) this.inflight.push({ ...this.history[pick(n, this.history.length)]! });
          break;
        case 6: // timers fire
          this.tick();
          break;
        default: {
          // A forgery (by the relay): a hello with a fresh random ephemeral, as if the peer had
          // restarted, or random bytes; to either side.
          const to: Side = n % 2 === 0 ? 'A' : 'B';
          const forged = n % 3 === 0 ? randomBytes(PEER_HELLO_BYTES) : Buffer.concat([randomBytes(32), Buffer.alloc(48)]);
          this.inflight.push({ to, bytes: forged });
        }
      }
    }
  }

  /**
   * Clean phase: no more loss; what is in flight arrives in random order, and resends fire
   * whenever nothing is in flight, until both sides are quiet. Returns the datagrams sent.
   */
  runUntilQuiet(seed: number, maxDatagrams = 500): number {
    const random = prng(seed);
    const before = this.sent;
    for (;;) {
      assert.ok(this.sent - before <= maxDatagrams, `not quiet after ${maxDatagrams} datagrams`);
      if (this.inflight.length > 0) {
        this.deliver(Math.floor(random() * this.inflight.length));
      } else if (!this.tick()) {
        return this.sent - before;
      }
    }
  }
}

/** Both directions work: what one side seals, the other opens, and a third key cannot. */
function assertMatchingSessions(net: Network): void {
  const a = net.sides.A.current();
  const b = net.sides.B.current();
  assert.ok(a && b, 'both sides established');
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    const pn = from.sealer.lastSealed + 1;
    const aad = Buffer.from('hdr');
    const plaintext = randomBytes(20);
    const sealed = from.sealer.seal(pn, aad, plaintext);
    assert.deepEqual(to.opener.open(pn, aad, sealed), plaintext, 'sealed by one side, opened by the other');
    assert.equal(from.opener.open(pn, aad, sealed), null, 'directional keys differ');
  }
  assert.ok(net.sides.A.peerConfirmed() && net.sides.B.peerConfirmed(), 'each side has proof the other installed the keys');
  assert.equal(net.sides.A.needsResend(), null);
  assert.equal(net.sides.B.needsResend(), null);
}

/** Steps of the adversarial phase: 0-2 deliver, 3 lose, 4 duplicate, 5 replay, 6 resend timers. */
const schedule = fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.nat()), { maxLength: 120 });
/** The same plus 7: inject a forged hello. */
const scheduleWithForgeries = fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.nat()), { maxLength: 120 });

describe('crypto/peerHandshake', () => {
  it('encodes hellos in 80 bytes and decodes only that length', () => {
    const hello = { eph: randomBytes(32), echo: randomBytes(32), confirm: randomBytes(16) };
    const bytes = encodePeerHello(hello);
    assert.equal(bytes.length, PEER_HELLO_BYTES);
    assert.equal(PEER_HELLO_BYTES, 80);
    assert.deepEqual(decodePeerHello(bytes), hello);
    assert.equal(decodePeerHello(bytes.subarray(1)), null);
    assert.equal(decodePeerHello(Buffer.concat([bytes, Buffer.alloc(1)])), null);
    assert.throws(() => encodePeerHello({ ...hello, confirm: Buffer.alloc(15) }), RangeError);
  });

  it('one side starting: established on matching keys in 4 datagrams', () => {
    const net = new Network();
    net.start('A');
    assert.equal(net.runUntilQuiet(1), 3);
    assert.equal(net.sent, 4);
    assertMatchingSessions(net);
    assert.equal(net.established.A.length, 1);
    assert.equal(net.established.B.length, 1);
  });

  it('both sides starting at once: established on matching keys in at most 8 datagrams', () => {
    // Crossing hellos, in lock step: each side answers the other's hello, then each other's confirm.
    const net = new Network();
    net.start('A');
    net.start('B');
    for (let steps = 0; net.inflight.length > 0; steps++) {
      assert.ok(steps < 20, 'the exchange ends');
      net.deliver(0);
    }
    assert.equal(net.sent, 8);
    assertMatchingSessions(net);
    // Any delivery order: never more.
    for (let seed = 0; seed < 20; seed++) {
      const other = new Network();
      other.start('A');
      other.start('B');
      other.runUntilQuiet(seed);
      assert.ok(other.sent <= 8, `${other.sent} datagrams with seed ${seed}`);
      assertMatchingSessions(other);
    }
  });

  /** One or both sides start, the adversarial schedule runs, then the network settles: matching sessions, few datagrams. */
  function convergesUnder(ops: fc.Arbitrary<Parameters<Network['runAdversarial']>[0]>): void {
    fc.assert(
      fc.property(fc.boolean(), ops, fc.integer(), (bothStart, schedule, seed) => {
        const net = new Network();
        net.start('A');
        if (bothStart) net.start('B');
        net.runAdversarial(schedule);
        const backlog = net.inflight.length;
        const cleanup = net.runUntilQuiet(seed);
        // Bounded: each stale datagram still in flight triggers at most a short exchange.
        assert.ok(cleanup <= 10 + 6 * backlog, `${cleanup} datagrams to settle ${backlog} in flight`);
        assertMatchingSessions(net);
      }),
      { numRuns: 200 },
    );
  }

  it('converges under random loss, duplication, reordering and replays, with few datagrams', () => {
    convergesUnder(schedule);
  });

  it('re-establishes after either side restarts, with stale datagrams of the old instance around', () => {
    fc.assert(
      fc.property(fc.constantFrom<Side>('A', 'B'), schedule, schedule, fc.integer(), (who, before, after, seed) => {
        const net = new Network();
        net.start('A');
        net.runAdversarial(before);
        net.runUntilQuiet(seed);
        const oldIds = { A: net.sides.A.current()!.id, B: net.sides.B.current()!.id };
        net.restart(who);
        assert.equal(net.sides[who].current(), null);
        net.start(who);
        net.runAdversarial(after);
        net.runUntilQuiet(seed + 1);
        assertMatchingSessions(net);
        const survivor: Side = who === 'A' ? 'B' : 'A';
        assert.ok(net.sides[survivor].current()!.id > oldIds[survivor], 'the survivor moved to a new key epoch');
      }),
      { numRuns: 100 },
    );
  });

  it('converges when the relay also injects forged hellos (at worst an extra rekey)', () => {
    convergesUnder(scheduleWithForgeries);
  });

  it('the replaced session stays available for a short while as previous()', () => {
    const net = new Network();
    net.start('A');
    net.runUntilQuiet(3);
    const first = net.sides.A.current()!;
    net.restart('B');
    net.start('B');
    net.runUntilQuiet(4);
    assert.notEqual(net.sides.A.current(), first);
    // runUntilQuiet's final tick advanced the clock by 1 s: still inside the 5 s grace period.
    assert.equal(net.sides.A.previous(), first);
    net.clock += 5000;
    assert.equal(net.sides.A.previous(), null);
  });

  it('replaying every old hello after things settled causes no rekey loop', () => {
    fc.assert(
      fc.property(schedule, fc.integer(), (ops, seed) => {
        const net = new Network();
        net.start('A');
        net.runAdversarial(ops);
        net.runUntilQuiet(seed);
        net.restart('B');
        net.start('B');
        net.runUntilQuiet(seed + 1);
        const ids = { A: net.sides.A.current()!.id, B: net.sides.B.current()!.id };
        // The attacker replays the whole recorded history, twice.
        const replays = [...net.history, ...net.history];
        net.inflight.push(...replays.map((d) => ({ ...d })));
        const cleanup = net.runUntilQuiet(seed + 2, 20 * replays.length + 20);
        assertMatchingSessions(net);
        // Each replay may at most cause one rekey; most are ignored outright.
        assert.ok(net.sides.A.current()!.id - ids.A <= replays.length, 'at most one rekey per replayed hello');
        assert.ok(cleanup <= 6 * replays.length + 10, `${cleanup} datagrams after ${replays.length} replays`);
      }),
      { numRuns: 50 },
    );
  });

  it('a third party with other static keys can neither complete a handshake nor be completed with', () => {
    fc.assert(
      fc.property(schedule, fc.integer(), (ops, seed) => {
        // Mallory talks to alice claiming to be bob, using her own static keys.
        const net = new Network({ A: alice, B: mallory });
        // Alice's handshake expects bob's keys: build it by hand.
        net.sides.A = new PeerHandshake(alice, bob.signPublic, bob.dhPublic, () => net.clock);
        net.start('B');
        net.start('A');
        net.runAdversarial(ops);
        net.runAdversarial(Array.from({ length: 40 }, (_, i) => [i % 7, seed + i] as const));
        assert.equal(net.sides.A.current(), null, 'alice never established');
        assert.equal(net.sides.B.current(), null, 'mallory never established');
        assert.equal(net.established.A.length + net.established.B.length, 0);
      }),
      { numRuns: 100 },
    );
  });

  it('injected hellos never change an established session by themselves', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.uint8Array({ minLength: 80, maxLength: 80 }).map((b) => Buffer.from(b)),
            fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 })).map(([, , flip]) => ({ flip })),
          ),
          { maxLength: 30 },
        ),
        fc.integer(),
        (injections, seed) => {
          const net = new Network();
          net.start('A');
          net.runUntilQuiet(seed);
          const session = net.sides.A.current();
          const history = net.history.map((d) => d.bytes);
          // Mallory's own handshake towards alice supplies well-formed hellos with real ephemerals.
          const forger = new PeerHandshake(mallory, alice.signPublic, alice.dhPublic, () => net.clock);
          let forged = forger.start();
          for (const injection of injections) {
            let bytes: Buffer;
            if (Buffer.isBuffer(injection)) bytes = injection;
            else {
              bytes = Buffer.from(history[pick(injection.flip, history.length)]!);
              bytes[injection.flip % 80]! ^= injection.flip; // a recorded hello, one byte altered
            }
            for (const attempt of [bytes, forged]) {
              const hello = decodePeerHello(attempt)!;
              const result = net.sides.A.onHello(hello);
              assert.equal(result.established, undefined);
              assert.equal(net.sides.A.current(), session, 'alice keeps her session');
              if (result.reply) {
                const next = forger.onHello(decodePeerHello(result.reply)!);
                assert.equal(next.established, undefined, 'mallory cannot complete');
                forged = next.reply ?? forger.start();
              }
            }
          }
          // Alice's replies to the injections were lost here; after the network heals, alice and bob
          // still end on matching keys (at worst a rekey that only they can compute).
          net.runUntilQuiet(seed + 1);
          assertMatchingSessions(net);
        },
      ),
      { numRuns: 100 },
    );
  });

  describe('rules', () => {
    /** A hello from `from` to the other side, taken out of the network without being delivered. */
    function take(net: Network): Datagram {
      const d = net.inflight.shift();
      assert.ok(d, 'a datagram is in flight');
      return d;
    }
    function onHello(net: Network, d: Datagram) {
      return net.sides[d.to].onHello(decodePeerHello(d.bytes)!);
    }
    function forgedAnnouncement(): Buffer {
      return Buffer.concat([randomBytes(32), Buffer.alloc(48)]);
    }

    it('answers every repeat of the peer hello it is pairing with (the first answer may be lost)', () => {
      const net = new Network();
      net.start('A');
      const hello = take(net);
      assert.ok(onHello(net, hello).reply, 'first answer');
      assert.ok(onHello(net, hello).reply, 'answer to the resend, without waiting for a timer');
    });

    it('a DERIVED confirm, even repeated, is not proof: the side keeps resending until ESTABLISHED/PROVEN', () => {
      const net = new Network();
      net.start('A');
      net.deliver(0); // B answers with DERIVED
      const derived = take(net);
      assert.ok(onHello(net, derived).established, 'A installs the keys');
      net.inflight.length = 0; // A's ESTABLISHED answer is lost
      assert.equal(net.sides.A.peerConfirmed(), false);
      onHello(net, derived); // a duplicate of B's DERIVED hello
      assert.equal(net.sides.A.peerConfirmed(), false, 'B has not shown it installed the keys');
      assert.ok(net.sides.A.needsResend(), 'A still needs something from B');
    });

    it('answers at once when the peer has moved on to a forged ephemeral before installing the keys', () => {
      const net = new Network();
      net.start('A');
      net.deliver(0); // B: DERIVED
      net.deliver(0); // A: installs, answers ESTABLISHED ...
      net.inflight.length = 0; // ... which is lost
      net.sides.B.onHello(decodePeerHello(forgedAnnouncement())!); // B now pairs with the forgery
      net.inflight.length = 0; // B's answer goes to A, who cannot use it; drop it
      // Only B's timer fires; A must answer B's resend with something that lets B install the keys.
      net.send('A', net.sides.B.needsResend()!);
      for (let steps = 0; net.inflight.length > 0; steps++) {
        assert.ok(steps < 10, 'the exchange ends within 10 datagrams');
        net.deliver(0);
      }
      assertMatchingSessions(net);
    });

    it('ignores every hello of a restarted peer previous instance (superseded), even much later', () => {
      const net = new Network();
      net.start('A');
      net.runUntilQuiet(5);
      const oldHellos = net.history.filter((d) => d.to === 'A').map((d) => d.bytes);
      net.restart('B');
      net.start('B');
      net.runUntilQuiet(6);
      const session = net.sides.A.current();
      net.clock += 60_000; // well past any rate limit
      for (const bytes of oldHellos) {
        assert.deepEqual(net.sides.A.onHello(decodePeerHello(bytes)!), {}, 'no answer, no new session');
      }
      assert.equal(net.sides.A.current(), session);
      assert.equal(net.sides.A.needsResend(), null, 'and no new handshake under way');
    });

    it('a forged announcement starts no rekey: the peer, not echoed, answers with the session both keep', () => {
      const net = new Network();
      net.start('A');
      net.runUntilQuiet(7);
      const session = { A: net.sides.A.current()!, B: net.sides.B.current()! };
      net.clock += 60_000;
      // A answers the unknown ephemeral with a fresh one of its own; the answer goes to bob.
      const answer = net.sides.A.onHello(decodePeerHello(forgedAnnouncement())!).reply;
      assert.ok(answer, 'a new ephemeral is answered');
      net.send('B', answer);
      assert.equal(net.runUntilQuiet(8), 1, 'bob tells A where he is; nothing else');
      assert.equal(net.sides.A.current(), session.A);
      assert.equal(net.sides.B.current(), session.B);
      assertMatchingSessions(net);
      // More forgeries are answered with that same unused ephemeral: no new one, no rekey.
      for (let i = 0; i < 5; i++) {
        const again = net.sides.A.onHello(decodePeerHello(forgedAnnouncement())!).reply;
        assert.ok(again && again.subarray(0, 32).equals(answer.subarray(0, 32)), 'the same fresh ephemeral');
      }
      assert.equal(net.sides.A.current(), session.A, 'the established session stays current');
      assert.equal(net.sides.A.needsResend(), null, 'and A, with proof, stays quiet');
    });

    it('a session hello altered on the way (another ephemeral) replaces no session on either side', () => {
      // The chat tests' bit flips did this: both sides rekeyed, and above this layer a rekey
      // starts both channels over, losing what was in flight.
      for (let flip = 0; flip < 32; flip++) {
        const net = new Network();
        net.start('A');
        net.runUntilQuiet(9 + flip);
        const session = { A: net.sides.A.current()!, B: net.sides.B.current()! };
        net.clock += 60_000;
        const fromB = net.history.filter((d) => d.to === 'A').map((d) => d.bytes);
        const altered = Buffer.from(fromB[fromB.length - 1]!);
        altered[flip]! ^= 1 << (flip % 8); // one bit of its ephemeral
        net.send('A', altered);
        net.runUntilQuiet(10 + flip);
        assert.equal(net.sides.A.current(), session.A, `A kept its session (bit ${flip})`);
        assert.equal(net.sides.B.current(), session.B, `B kept its session (bit ${flip})`);
        assert.equal(net.established.A.length + net.established.B.length, 2);
        assertMatchingSessions(net);
      }
    });
  });

  it('onHello never throws on arbitrary or malformed input', () => {
    const hs = new PeerHandshake(alice, bob.signPublic, bob.dhPublic, () => 0);
    hs.start();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 80, maxLength: 80 }), (bytes) => {
        const hello = decodePeerHello(Buffer.from(bytes))!;
        hs.onHello(hello);
      }),
    );
    // Low-order point (X25519 refuses the all-zero shared secret) and wrong field lengths.
    const lowOrder = Buffer.alloc(32);
    lowOrder[0] = 1;
    assert.deepEqual(hs.onHello({ eph: lowOrder, echo: Buffer.alloc(32), confirm: Buffer.alloc(16) }), {});
    assert.deepEqual(hs.onHello({ eph: Buffer.alloc(31), echo: Buffer.alloc(32), confirm: Buffer.alloc(16) }), {});
    assert.deepEqual(hs.onHello({ eph: randomBytes(32), echo: Buffer.alloc(32), confirm: randomBytes(16) }), {});
  });

  it('rejects a peer that has my own DH key', () => {
    assert.throws(() => new PeerHandshake(alice, alice.signPublic, alice.dhPublic, () => 0));
  });
});
