/**
 * A flood of random and mutated datagrams at a real relay (seeded, so a failure replays): the
 * relay must stay up, count what it dropped, and afterwards still register and forward.
 * In the manner of mqtt-packet's testRandom.js: random input must never crash the parser.
 */
import { strict as assert } from 'node:assert';
import { generateIdentity } from '../../src/crypto/identity';
import { datagram, Kind } from '../../src/protocol/header';
import { DST_BROADCAST, HEADER_BYTES, MAGIC, PROTOCOL_VERSION } from '../../src/protocol/limits';
import { COOKIE_BYTES, encodeRelayMessage } from '../../src/protocol/relayMessages';
import { RelayServer } from '../../src/relay/relayServer';
import { isKind, RawClient, registerDatagram } from '../support/rawClient';
import { Rng } from '../support/rng';

const SEED = 20_240_611;
const DATAGRAMS = 5_000;
/** Sends this many, then waits for the relay to catch up, so its socket buffer is not the test. */
const BATCH = 250;

/** Valid datagrams of every kind the relay reads, to truncate, mutate and re-head. */
function templates(session: number, peer: number): Buffer[] {
  const id = generateIdentity();
  return [
    encodeRelayMessage({ kind: Kind.HELLO, token: Buffer.alloc(8, 1) }),
    registerDatagram(Buffer.alloc(COOKIE_BYTES, 2), 'fuzzy', id),
    encodeRelayMessage({ kind: Kind.PING, token: 5 }, session),
    encodeRelayMessage({ kind: Kind.ROSTER_REQ, offset: 0 }, session),
    encodeRelayMessage({ kind: Kind.KEY_REQ, id: peer, nick: '' }, session),
    encodeRelayMessage({ kind: Kind.KEY_REQ, id: 0, nick: 'fuzz-target' }, session),
    datagram({ kind: Kind.PEER_SEALED, flags: 0, src: session, dst: peer }, Buffer.alloc(60, 3)),
    datagram({ kind: Kind.PEER_BROADCAST, flags: 0, src: session, dst: DST_BROADCAST }, Buffer.alloc(40, 4)),
    datagram({ kind: Kind.PEER_HELLO, flags: 0, src: session, dst: peer }, Buffer.alloc(80, 5)),
  ];
}

function fuzzDatagram(rng: Rng, tpl: Buffer[]): Buffer {
  const pick = tpl[rng.int(tpl.length)];
  switch (rng.int(6)) {
    case 0: // random bytes, any length up to a full datagram
      return Buffer.from(rng.fill(new Uint8Array(rng.int(1500))));
    case 1: {
      // a valid header with a random kind and a random body
      const body = Buffer.from(rng.fill(new Uint8Array(rng.int(300))));
      return datagram({ kind: rng.int(256), flags: rng.int(256), src: rng.uint32(), dst: rng.uint32() }, body);
    }
    case 2: // a truncation of a valid datagram
      return pick.subarray(0, rng.int(pick.length));
    case 3: {
      // a valid datagram with a few bytes flipped (after the header half the time)
      const b = Buffer.from(pick);
      const from = rng.chance(0.5) ? HEADER_BYTES : 0;
      for (let i = 0; i < 1 + rng.int(3); i++) b[from + rng.int(b.length - from)] ^= 1 << rng.int(8);
      return b;
    }
    case 4: {
      // another protocol version, or another magic
      const b = Buffer.from(pick);
      if (rng.chance(0.5)) b[1] = (PROTOCOL_VERSION + 1 + rng.int(254)) & 0xff;
      else b[0] = (MAGIC + 1 + rng.int(254)) & 0xff;
      return b;
    }
    default: {
      // a valid datagram with random bytes appended
      return Buffer.concat([pick, Buffer.from(rng.fill(new Uint8Array(1 + rng.int(64))))]);
    }
  }
}

describe('RelayServer under a flood of random and mutated datagrams', function () {
  this.timeout(30_000);

  it('stays up, counts the drops, and still registers and forwards afterwards', async () => {
    const relay = await RelayServer.start({ port: 0 });
    const clients: RawClient[] = [];
    try {
      const addr = relay.address();
      // One registered fuzzer (its valid src reaches the registered paths) and one stranger.
      const insider = await RawClient.connect(addr, { keepInbox: false });
      const target = await RawClient.connect(addr, { keepInbox: false });
      const stranger = await RawClient.connect(addr, { keepInbox: false });
      clients.push(insider, target, stranger);
      await target.mustRegister('fuzz-target');
      await insider.mustRegister('fuzz-insider');
      const tpl = templates(insider.session, target.session);
      const rng = new Rng(SEED);
      for (let i = 0; i < DATAGRAMS; i++) {
        (rng.chance(0.5) ? insider : stranger).send(fuzzDatagram(rng, tpl));
        if (i % BATCH === BATCH - 1) {
          // Let the relay (same process) catch up, so that a loaded machine's full socket buffer
          // does not decide what the relay gets to see.
          const deadline = Date.now() + 500;
          while (relay.stats().datagramsIn < i + 1 - BATCH && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
        }
      }
      await new Promise((r) => setTimeout(r, 300));

      const s = relay.stats();
      assert.equal(s.internalErrors, 0, 'no exception escaped into the handler');
      assert.ok(s.datagramsIn >= DATAGRAMS * 0.9, `relay saw ${s.datagramsIn} datagrams`);
      for (const reason of ['malformed', 'wrongVersion', 'unknownKind'] as const) {
        assert.ok(s.dropped[reason] > 0, `${reason}: ${JSON.stringify(s.dropped)}`);
      }

      // Afterwards: a new pair registers (the per-IP budget refills; RawClient retries) and talks.
      const a = await RawClient.connect(addr);
      const b = await RawClient.connect(addr);
      clients.push(a, b);
      await a.mustRegister('after-a');
      await b.mustRegister('after-b');
      const d = datagram({ kind: Kind.PEER_SEALED, flags: 0, src: a.session, dst: b.session }, Buffer.from('still works'));
      a.send(d);
      const got = await b.next(isKind(Kind.PEER_SEALED));
      assert.ok(got.buf.equals(d));
      a.sendRelay({ kind: Kind.PING, token: 1 });
      await a.next(isKind(Kind.PONG));
    } finally {
      for (const c of clients) c.close();
      await relay.close();
    }
  });
});
