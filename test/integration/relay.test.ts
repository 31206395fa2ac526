/**
 * RelayServer over real UDP sockets on 127.0.0.1 (port 0). Each test asserts what clients saw
 * and what the relay counted, not how it is built.
 */
import { strict as assert } from 'node:assert';
import * as dgram from 'node:dgram';
import { generateIdentity, signData } from '../../src/crypto/identity';
import { certifyDevice, DEVICE_CERT_CLOCK_SKEW_S, DEVICE_CERT_LIFETIME_S } from '../../src/crypto/deviceCertificate';
import { errorCodeToWire, ErrorCode } from '../../src/protocol/errors';
import { datagram, Kind } from '../../src/protocol/header';
import { DST_BROADCAST, HEADER_BYTES, KEEPALIVE_INTERVAL_MS } from '../../src/protocol/limits';
import { COOKIE_BYTES, encodeRelayMessage, PresenceChange, registerSignedBytes } from '../../src/protocol/relayMessages';
import { RelayOptions, RelayServer } from '../../src/relay/relayServer';
import { identityPool, isKind, msgOf, RawClient, Received, registerDatagram } from '../support/rawClient';

/** Generous unregistered budget: these tests register many clients from one IP quickly. */
const MANY_FROM_ONE_IP = { perSec: 100_000, burst: 100_000 };
/** How long "nothing more arrives" is watched for (ms): loopback delivers in well under 1 ms. */
const QUIET_MS = 150;

describe('RelayServer (integration)', function () {
  this.timeout(15_000);
  let relay: RelayServer | undefined;
  const clients: RawClient[] = [];

  async function startRelay(opts: RelayOptions = {}): Promise<RelayServer> {
    relay = await RelayServer.start({ port: 0, unregisteredRate: MANY_FROM_ONE_IP, ...opts });
    return relay;
  }
  async function client(): Promise<RawClient> {
    const c = await RawClient.connect(relay!.address());
    clients.push(c);
    return c;
  }
  async function registered(nick: string): Promise<RawClient> {
    const c = await client();
    await c.mustRegister(nick);
    return c;
  }
  function errorOf(r: Received): { code: number; refKind: number; refId: number; message: string } {
    return msgOf(r, Kind.ERROR);
  }
  const isError = (code: ErrorCode) => isKind(Kind.ERROR, (m) => m.code === errorCodeToWire(code));
  /** Every presence change a client receives within `ms`, in order. */
  /** PRESENCE changes `c` received within `ms` (device tags left out; the devices tests check them). */
  async function presenceChanges(c: RawClient, ms = QUIET_MS): Promise<Array<Omit<PresenceChange, 'device'>>> {
    await sleep(ms);
    return c
      .drain(isKind(Kind.PRESENCE))
      .flatMap((r) => msgOf(r, Kind.PRESENCE).changes)
      .map(({ online, id, nick }) => ({ online, id, nick }));
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await relay?.close('test over');
    relay = undefined;
  });

  describe('members and devices', () => {
    it('two devices of one identity share its nickname: two sessions, never moved or renamed', async () => {
      await startRelay();
      const watcher = await registered('watcher');
      const moved: string[] = [];
      relay!.on('moved', (p) => moved.push(p.nick));
      const alice = generateIdentity();
      const [d1, d2] = [generateIdentity(), generateIdentity()];
      const a1 = await client();
      const r1 = await a1.register('alice', alice, undefined, d1);
      const a2 = await client();
      const r2 = await a2.register('Alice', alice, undefined, d2);
      assert.ok(r1.ok && r2.ok);
      assert.notEqual(r1.session, r2.session);
      assert.deepEqual([r1.devices, r2.devices, r2.nick], [1, 2, 'alice']);
      // Each re-registers (as a client does after a scare) several times: nobody is moved or renamed.
      for (let i = 0; i < 3; i++) {
        assert.ok((await a1.register('alice')).ok);
        assert.ok((await a2.register('alice')).ok);
      }
      assert.deepEqual(moved, []);
      assert.equal(relay!.stats().clients, 3);
      await sleep(QUIET_MS);
      const changes = watcher.drain(isKind(Kind.PRESENCE)).flatMap((r) => msgOf(r, Kind.PRESENCE).changes);
      assert.deepEqual(
        changes.map((c) => [c.online, c.id, c.nick, c.device.toString('hex')]),
        [
          [true, r1.session, 'alice', d1.signPublic.subarray(0, 8).toString('hex')],
          [true, r2.session, 'alice', d2.signPublic.subarray(0, 8).toString('hex')],
        ],
      );
      // KEY_INFO names each device with its own certificate from the same identity.
      for (const [id, d] of [[r1.session, d1], [r2.session, d2]] as const) {
        watcher.sendRelay({ kind: Kind.KEY_REQ, id, nick: '' });
        const k = msgOf(await watcher.next(isKind(Kind.KEY_INFO, (m) => m.id === id)), Kind.KEY_INFO);
        assert.ok(k.cert.identitySign.equals(alice.signPublic) && k.cert.deviceSign.equals(d.signPublic));
      }
    });

    it('NICK_MISMATCH for another nickname while a device is online; the nickname stays until the last device leaves', async () => {
      await startRelay();
      const alice = generateIdentity();
      const a1 = await client();
      assert.ok((await a1.register('alice', alice, undefined, generateIdentity())).ok);
      const a2 = await client();
      const r = await a2.register('alicia', alice, undefined, generateIdentity());
      assert.ok(!r.ok && r.code === 'NICK_MISMATCH', JSON.stringify(r));
      assert.match(r.ok ? '' : r.message, /online as alice on another device/);
      assert.equal(relay!.stats().dropped.nickMismatch, 1);
      assert.ok((await a2.register('alice')).ok, 'the same nickname is fine');
      a1.sendRelay({ kind: Kind.LEAVE });
      await a1.next(isKind(Kind.BYE));
      const mallory = await client();
      const taken = await mallory.register('alice');
      assert.ok(!taken.ok && taken.code === 'NICK_TAKEN', 'one device left, the nickname is still the member’s');
      a2.sendRelay({ kind: Kind.LEAVE });
      await a2.next(isKind(Kind.BYE));
      assert.ok((await mallory.register('alice')).ok, 'free once the last device left');
    });

    it('BAD_SIGNATURE for a device certified by another identity, or an expired certificate', async () => {
      await startRelay();
      const c = await client();
      // The certificate names alice's identity but mallory signed it.
      const alice = generateIdentity();
      const mallory = generateIdentity();
      const device = generateIdentity();
      const forged = { ...certifyDevice(mallory, device, Date.now() / 1000), identitySign: alice.signPublic, identityDh: alice.dhPublic };
      const expired = certifyDevice(alice, device, Date.now() / 1000 - DEVICE_CERT_LIFETIME_S - DEVICE_CERT_CLOCK_SKEW_S - 60);
      for (const cert of [forged, expired]) {
        const cookie = await c.cookie();
        const signed = registerSignedBytes({ kind: Kind.REGISTER, cookie, cert, secretProof: Buffer.alloc(16), nick: 'alice' });
        c.send(Buffer.concat([signed, signData(device, signed)]));
        const e = errorOf(await c.next(isKind(Kind.ERROR)));
        assert.equal(e.code, errorCodeToWire('BAD_SIGNATURE'));
        if (cert === expired) assert.match(e.message, /expired/);
      }
      assert.equal(relay!.stats().clients, 0);
    });
  });

  describe('registration', () => {
    it('HELLO → COOKIE → REGISTER → REGISTERED, addressed to the new session', async () => {
      await startRelay({ idleTimeoutMs: 20_000 });
      const c = await client();
      const r = await c.register('Alice');
      assert.ok(r.ok, JSON.stringify(r));
      assert.ok(r.session !== 0 && r.session !== DST_BROADCAST);
      assert.equal(r.nick, 'Alice');
      assert.equal(r.idleTimeoutMs, 20_000);
      assert.equal(r.keepaliveMs, Math.min(KEEPALIVE_INTERVAL_MS, 20_000 / 4));
      assert.equal(r.rosterVersion, 1);
      assert.equal(relay!.stats().clients, 1);
    });

    it('the COOKIE is no larger than the HELLO (no amplification before validation)', async () => {
      await startRelay();
      const c = await client();
      await c.cookie();
      assert.equal(c.counters.datagramsIn, 1);
      assert.ok(c.counters.bytesIn <= c.counters.bytesOut, `${c.counters.bytesIn} > ${c.counters.bytesOut}`);
    });

    it('NICK_TAKEN for the same nickname in another case or width, from another key', async () => {
      await startRelay();
      await registered('Alice');
      for (const nick of ['alice', 'ALICE', 'ａｌｉｃｅ']) {
        const r = await (await client()).register(nick);
        assert.equal(r.ok, false, nick);
        if (!r.ok) assert.equal(r.code, 'NICK_TAKEN', nick);
      }
      assert.equal(relay!.stats().dropped.nickTaken, 3);
    });

    it('NICK_INVALID with the reason as the message', async () => {
      await startRelay();
      for (const nick of ['two words', '@alice', '', '-dash', 'x'.repeat(25)]) {
        const r = await (await client()).register(nick);
        assert.equal(r.ok, false, nick);
        if (!r.ok) {
          assert.equal(r.code, 'NICK_INVALID', nick);
          assert.match(r.message, /nickname|letters|characters/i);
        }
      }
    });

    it('20 clients racing for one nickname: exactly one wins', async () => {
      await startRelay();
      const racers = await Promise.all(Array.from({ length: 20 }, () => client()));
      const ids = identityPool(racers.length);
      const cookies = await Promise.all(racers.map((c) => c.cookie()));
      // All REGISTERs leave in the same tick, so they reach the relay back to back.
      racers.forEach((c, i) => c.send(registerDatagram(cookies[i], 'racer', ids[i])));
      const answers = await Promise.all(
        racers.map((c) => c.next((r) => r.header.kind === Kind.REGISTERED || r.header.kind === Kind.ERROR)),
      );
      const won = answers.filter((a) => a.header.kind === Kind.REGISTERED);
      const lost = answers.filter((a) => a.header.kind === Kind.ERROR);
      assert.equal(won.length, 1);
      assert.equal(lost.length, 19);
      for (const l of lost) assert.equal(errorOf(l).code, errorCodeToWire('NICK_TAKEN'));
      assert.equal(relay!.stats().clients, 1);
    });

    it('the same key gets its session back: a retransmitted REGISTER, and from a new address', async () => {
      await startRelay();
      const watcher = await registered('watcher');
      const identity = generateIdentity();
      const first = await client();
      const s1 = await first.mustRegister('bob', identity);
      assert.deepEqual(
        (await presenceChanges(watcher)).map((c) => [c.online, c.id]),
        [[true, s1]],
      );

      const again = await first.register('bob', identity);
      assert.ok(again.ok && again.session === s1, 'a repeated REGISTER gets REGISTERED with the same session');

      const moved = await client(); // a new socket: a new source port
      const r = await moved.register('bob', identity);
      assert.ok(r.ok);
      assert.equal(r.session, s1);
      assert.equal(relay!.stats().clients, 2);
      assert.deepEqual(await presenceChanges(watcher), [], 'no leave/join for a resumed session');

      // Datagrams for bob now go to the new address.
      watcher.send(datagram({ kind: Kind.PEER_SEALED, flags: 0, src: watcher.session, dst: s1 }, Buffer.from('to bob')));
      const got = await moved.next(isKind(Kind.PEER_SEALED));
      assert.equal(got.buf.subarray(HEADER_BYTES).toString(), 'to bob');
      // And the old address no longer speaks for bob.
      first.session = s1;
      first.send(datagram({ kind: Kind.PEER_SEALED, flags: 0, src: s1, dst: watcher.session }, Buffer.from('old')));
      assert.equal(await watcher.poll(isKind(Kind.PEER_SEALED), QUIET_MS), undefined);
      assert.equal(relay!.stats().dropped.spoofedSrc, 1);
    });

    it('an older REGISTER replayed from the old address cannot pull a moved session back', async () => {
      await startRelay();
      const identity = generateIdentity();
      const old = await client();
      const reg1 = registerDatagram(await old.cookie(), 'frank', identity);
      old.send(reg1);
      const s1 = msgOf(await old.next(isKind(Kind.REGISTERED)), Kind.REGISTERED).session;
      await sleep(1_100); // cookies carry whole seconds: the next one is newer
      const moved = await client();
      assert.equal(await moved.mustRegister('frank', identity), s1);
      old.send(reg1); // a replay (or a late retransmission) from the previous address
      assert.equal(errorOf(await old.next(isKind(Kind.ERROR))).code, errorCodeToWire('BAD_COOKIE'));
      const peer = await registered('peer');
      peer.send(datagram({ kind: Kind.PEER_SEALED, flags: 0, src: peer.session, dst: s1 }, Buffer.from('x')));
      assert.ok(await moved.next(isKind(Kind.PEER_SEALED)), 'still bound to the new address');
    });

    it('the same key with another nickname renames: same session, old nick offline, new online', async () => {
      await startRelay();
      const watcher = await registered('watcher');
      const c = await client();
      const id = await c.mustRegister('carol');
      await presenceChanges(watcher);
      const r = await c.register('caroline');
      assert.ok(r.ok && r.session === id && r.nick === 'caroline');
      assert.deepEqual(await presenceChanges(watcher), [
        { online: false, id, nick: 'carol' },
        { online: true, id, nick: 'caroline' },
      ]);
      const other = await (await client()).register('carol');
      assert.ok(other.ok, 'the old nickname is free again');
    });

    it('BAD_SIGNATURE when the signature does not verify', async () => {
      await startRelay();
      const c = await client();
      const reg = registerDatagram(await c.cookie(), 'mallory', generateIdentity());
      reg[reg.length - 1] ^= 0x01;
      c.send(reg);
      const e = errorOf(await c.next(isKind(Kind.ERROR)));
      assert.equal(e.code, errorCodeToWire('BAD_SIGNATURE'));
      assert.equal(e.refKind, Kind.REGISTER);
      // A key that signs someone else's REGISTER (nick changed after signing) fails too.
      const tampered = registerDatagram(await c.cookie(), 'mallory', generateIdentity());
      tampered[HEADER_BYTES + COOKIE_BYTES] ^= 0x01; // first byte of signPublic
      c.send(tampered);
      assert.equal(errorOf(await c.next(isKind(Kind.ERROR))).code, errorCodeToWire('BAD_SIGNATURE'));
      assert.equal(relay!.stats().clients, 0);
      assert.equal(relay!.stats().dropped.badSignature, 2);
    });

    it('BAD_COOKIE: missing, forged, or minted for another address', async () => {
      await startRelay();
      const a = await client();
      const b = await client();
      const id = generateIdentity();
      const zero = registerDatagram(Buffer.alloc(COOKIE_BYTES), 'dave', id);
      const good = await a.cookie();
      const forgedCookie = Buffer.from(good);
      forgedCookie[COOKIE_BYTES - 1] ^= 0x80;
      const forged = registerDatagram(forgedCookie, 'dave', id);
      const stolen = registerDatagram(good, 'dave', id); // a's cookie, sent from b
      for (const [sender, reg] of [[a, zero], [a, forged], [b, stolen]] as const) {
        sender.send(reg);
        const e = errorOf(await sender.next(isKind(Kind.ERROR)));
        assert.equal(e.code, errorCodeToWire('BAD_COOKIE'));
      }
      assert.equal(relay!.stats().dropped.badCookie, 3);
      assert.equal(relay!.stats().clients, 0);
      const r = await a.register('dave', id);
      assert.ok(r.ok, 'a proper cookie still works');
    });

    it('BAD_SECRET when the relay has a secret and the proof is missing or wrong', async () => {
      await startRelay({ secret: 'letmein' });
      for (const secret of [undefined, 'wrong']) {
        const r = await (await client()).register('erin', undefined, secret);
        assert.ok(!r.ok && r.code === 'BAD_SECRET', `${secret}: ${JSON.stringify(r)}`);
      }
      const r = await (await client()).register('erin', undefined, 'letmein');
      assert.ok(r.ok);
    });

    it('RELAY_FULL beyond maxClients', async () => {
      await startRelay({ maxClients: 2 });
      await registered('one');
      await registered('two');
      const r = await (await client()).register('three');
      assert.ok(!r.ok && r.code === 'RELAY_FULL');
    });
  });

  describe('presence and roster', () => {
    it('joins are announced to the others, coalesced, never to the joiner itself', async () => {
      await startRelay();
      const alice = await registered('alice');
      const [bob, carol] = await Promise.all([client(), client()]);
      const ids = identityPool(2);
      const [cb, cc] = await Promise.all([bob.cookie(), carol.cookie()]);
      bob.send(registerDatagram(cb, 'bob', ids[0]));
      carol.send(registerDatagram(cc, 'carol', ids[1]));
      const rb = msgOf(await bob.next(isKind(Kind.REGISTERED)), Kind.REGISTERED);
      const rc = msgOf(await carol.next(isKind(Kind.REGISTERED)), Kind.REGISTERED);
      await sleep(QUIET_MS);
      const toAlice = alice.drain(isKind(Kind.PRESENCE)).map((r) => msgOf(r, Kind.PRESENCE));
      assert.equal(toAlice.length, 1, 'two joins within the coalescing window: one PRESENCE');
      assert.equal(toAlice[0].version, 3);
      assert.deepEqual(
        toAlice[0].changes.map((c) => c.id).sort(),
        [rb.session, rc.session].sort(),
      );
      assert.ok(toAlice[0].changes.every((c) => c.online));
      for (const [c, self] of [[bob, rb.session], [carol, rc.session]] as const) {
        const changes = c.drain(isKind(Kind.PRESENCE)).flatMap((r) => msgOf(r, Kind.PRESENCE).changes);
        assert.ok(!changes.some((ch) => ch.id === self), 'no presence about oneself');
      }
      // The later joiner learns of the earlier one only if that join came after its own version.
      assert.equal(Math.max(rb.rosterVersion, rc.rosterVersion), 3);
    });

    it('600 clients joining in waves: every presence stream is gap-free and ends at the final version', async () => {
      await startRelay();
      const n = 600; // more than one flush chunk (PRESENCE_FLUSH_CHUNK)
      const pool = identityPool(n);
      const state = Array.from({ length: n }, () => ({ version: -1, gaps: 0 }));
      const cs = await Promise.all(
        state.map((st) =>
          RawClient.connect(relay!.address(), {
            keepInbox: false,
            onDatagram: (r) => {
              if (r.msg?.kind === Kind.REGISTERED) st.version = r.msg.rosterVersion;
              if (r.msg?.kind !== Kind.PRESENCE || r.msg.version <= st.version) return;
              if (r.msg.version - r.msg.changes.length > st.version) st.gaps++;
              st.version = r.msg.version;
            },
          }),
        ),
      );
      clients.push(...cs);
      for (let i = 0; i < n; i += 100) {
        await Promise.all(cs.slice(i, i + 100).map((c, j) => c.mustRegister(`wave-${i + j}`, pool[i + j])));
      }
      cs[7].sendRelay({ kind: Kind.LEAVE });
      await sleep(3 * QUIET_MS);
      const final = relay!.stats().rosterVersion;
      assert.equal(final, n + 1);
      const behind = state.filter((st, i) => i !== 7 && st.version !== final).length;
      assert.equal(behind, 0, `${behind} client(s) not at version ${final}`);
      assert.equal(state.reduce((g, st) => g + st.gaps, 0), 0, 'no gaps');
    });

    it('ROSTER pages: more than one page, fetched until total, matching who registered', async () => {
      await startRelay();
      const n = 120;
      const pool = identityPool(n);
      const cs = await Promise.all(Array.from({ length: n }, () => client()));
      const ids = await Promise.all(cs.map((c, i) => c.mustRegister(`user-${String(i).padStart(3, '0')}-long-name-xx`, pool[i])));
      const asker = cs[0];
      const got: number[] = [];
      let pages = 0;
      let offset = 0;
      for (;;) {
        asker.sendRelay({ kind: Kind.ROSTER_REQ, offset });
        const p = msgOf(await asker.next(isKind(Kind.ROSTER, (m) => m.offset === offset)), Kind.ROSTER);
        pages++;
        assert.equal(p.total, n);
        assert.equal(p.version, n);
        got.push(...p.entries.map((e) => e.id));
        offset += p.entries.length;
        if (offset >= p.total) break;
        assert.ok(p.entries.length > 0);
      }
      assert.ok(pages > 1, `${pages} page(s)`);
      assert.deepEqual(got.sort(), [...ids].sort());
      // Past the end: an empty page, not an error.
      asker.sendRelay({ kind: Kind.ROSTER_REQ, offset: 10_000 });
      const empty = msgOf(await asker.next(isKind(Kind.ROSTER)), Kind.ROSTER);
      assert.deepEqual(empty.entries, []);
    });

    it('PING → PONG with the roster version; KEY_REQ by id and by nickname', async () => {
      await startRelay();
      const aliceId = generateIdentity();
      const alice = await client();
      const aid = await alice.mustRegister('Alice', aliceId);
      const bob = await registered('bob');
      bob.sendRelay({ kind: Kind.PING, token: 77 });
      const pong = msgOf(await bob.next(isKind(Kind.PONG)), Kind.PONG);
      assert.deepEqual(pong, { kind: Kind.PONG, token: 77, rosterVersion: 2 });
      for (const q of [{ id: aid, nick: '' }, { id: 0, nick: 'ALICE' }]) {
        bob.sendRelay({ kind: Kind.KEY_REQ, ...q });
        const k = msgOf(await bob.next(isKind(Kind.KEY_INFO)), Kind.KEY_INFO);
        assert.equal(k.id, aid);
        assert.equal(k.nick, 'Alice');
        assert.ok(k.cert.identitySign.equals(aliceId.signPublic));
        assert.ok(k.cert.identityDh.equals(aliceId.dhPublic));
      }
      bob.sendRelay({ kind: Kind.KEY_REQ, id: 12345, nick: '' });
      const e = errorOf(await bob.next(isKind(Kind.ERROR)));
      assert.deepEqual([e.code, e.refKind, e.refId], [errorCodeToWire('UNKNOWN_PEER'), Kind.KEY_REQ, 12345]);
    });

    it('LEAVE → BYE 0, the others see the client offline, the nickname is free at once', async () => {
      await startRelay();
      const alice = await registered('alice');
      const bob = await registered('bob');
      await presenceChanges(alice);
      bob.sendRelay({ kind: Kind.LEAVE });
      const bye = msgOf(await bob.next(isKind(Kind.BYE)), Kind.BYE);
      assert.equal(bye.code, 0);
      assert.deepEqual(await presenceChanges(alice), [{ online: false, id: bob.session, nick: 'bob' }]);
      assert.equal(relay!.stats().clients, 1);
      assert.ok((await (await client()).register('BOB')).ok, 'another key may take the nick now');
    });

    it('an idle client is dropped after the timeout, announced offline, its nick reserved for its key', async () => {
      await startRelay({ idleTimeoutMs: 300 });
      const alice = await registered('alice');
      const bobId = generateIdentity();
      const bob = await client();
      const bobSession = await bob.mustRegister('bob', bobId);
      const keepalive = setInterval(() => alice.sendRelay({ kind: Kind.PING, token: 1 }), 50);
      try {
        const change = await alice.next(
          isKind(Kind.PRESENCE, (m) => m.changes.some((c) => !c.online && c.id === bobSession)),
          2_000,
        );
        assert.ok(change);
        assert.equal(relay!.stats().clients, 1, 'alice, who kept pinging, is still there');
        const thief = await (await client()).register('bob');
        assert.ok(!thief.ok && thief.code === 'NICK_TAKEN', 'reserved for the key that held it');
        const back = await bob.register('bob', bobId);
        assert.ok(back.ok, 'the owner gets it back');
      } finally {
        clearInterval(keepalive);
      }
    });
  });

  describe('forwarding', () => {
    it('a broadcast reaches every other client exactly once, not the sender', async () => {
      await startRelay();
      const cs = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => registered(n)));
      await sleep(QUIET_MS);
      for (const c of cs) c.drain();
      const [sender, ...others] = cs;
      const payload = Buffer.from('hello everyone');
      const d = datagram({ kind: Kind.PEER_BROADCAST, flags: 0, src: sender.session, dst: DST_BROADCAST }, payload);
      sender.send(d);
      await sleep(QUIET_MS);
      for (const o of others) {
        const got = o.drain(isKind(Kind.PEER_BROADCAST));
        assert.equal(got.length, 1);
        assert.ok(got[0].buf.equals(d), 'forwarded unchanged');
      }
      assert.equal(sender.drain(isKind(Kind.PEER_BROADCAST)).length, 0);
      assert.equal(relay!.stats().forwarded, 4);
    });

    it('a private datagram reaches only its target, unchanged', async () => {
      await startRelay();
      const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => registered(n)));
      const d = datagram({ kind: Kind.PEER_SEALED, flags: 0, src: a.session, dst: b.session }, Buffer.from('just for b'));
      a.send(d);
      const got = await b.next(isKind(Kind.PEER_SEALED));
      assert.ok(got.buf.equals(d));
      assert.equal(await c.poll(isKind(Kind.PEER_SEALED), QUIET_MS), undefined);
      assert.equal(await a.poll(isKind(Kind.PEER_SEALED), 1), undefined);
    });

    it('UNKNOWN_PEER for a dst nobody has, naming the kind and the dst', async () => {
      await startRelay();
      const a = await registered('a');
      a.send(datagram({ kind: Kind.PEER_HELLO, flags: 0, src: a.session, dst: 0x1234_5678 }, Buffer.alloc(80)));
      const e = errorOf(await a.next(isKind(Kind.ERROR)));
      assert.deepEqual([e.code, e.refKind, e.refId], [errorCodeToWire('UNKNOWN_PEER'), Kind.PEER_HELLO, 0x1234_5678]);
      assert.equal(relay!.stats().dropped.unknownPeer, 1);
    });

    it('UNKNOWN_PEER answers are rate limited per sender', async () => {
      await startRelay();
      const a = await registered('a');
      for (let i = 0; i < 500; i++) a.send(datagram({ kind: Kind.PEER_SEALED, flags: 0, src: a.session, dst: 99 }, Buffer.alloc(100)));
      await sleep(QUIET_MS);
      const errors = a.drain(isKind(Kind.ERROR)).length;
      assert.ok(errors >= 1 && errors <= 25, `${errors} errors for 500 datagrams`);
      assert.equal(relay!.stats().dropped.unknownPeer, 500);
    });

    it('per-session token buckets: over the rate is dropped and told RATE_LIMITED; broadcasts have their own', async () => {
      await startRelay({ clientRate: { perSec: 1, burst: 10 }, broadcastRate: { perSec: 1, burst: 3 } });
      const [a, b] = await Promise.all(['a', 'b'].map((n) => registered(n)));
      for (let i = 0; i < 5; i++) a.send(datagram({ kind: Kind.PEER_BROADCAST, flags: 0, src: a.session, dst: DST_BROADCAST }, Buffer.alloc(50)));
      for (let i = 0; i < 20; i++) a.send(datagram({ kind: Kind.PEER_SEALED, flags: 0, src: a.session, dst: b.session }, Buffer.alloc(50)));
      await sleep(QUIET_MS);
      assert.equal(b.drain(isKind(Kind.PEER_BROADCAST)).length, 3, 'broadcast burst');
      // The session bucket (10) paid for the 5 broadcasts too, so 5 private datagrams got through.
      assert.equal(b.drain(isKind(Kind.PEER_SEALED)).length, 5);
      assert.ok(a.drain(isError('RATE_LIMITED')).length >= 1);
      assert.equal(relay!.stats().dropped.rateLimited, 17);
    });

    it('a broadcast larger than a safe datagram is refused with MESSAGE_TOO_LONG', async () => {
      await startRelay();
      const [a, b] = await Promise.all(['a', 'b'].map((n) => registered(n)));
      a.send(datagram({ kind: Kind.PEER_BROADCAST, flags: 0, src: a.session, dst: DST_BROADCAST }, Buffer.alloc(1300)));
      assert.equal(errorOf(await a.next(isKind(Kind.ERROR))).code, errorCodeToWire('MESSAGE_TOO_LONG'));
      assert.equal(await b.poll(isKind(Kind.PEER_BROADCAST), QUIET_MS), undefined);
      // Unicast may be large (bulk data on paths that carry it).
      a.send(datagram({ kind: Kind.PEER_SEALED, flags: 0, src: a.session, dst: b.session }, Buffer.alloc(8000)));
      assert.equal((await b.next(isKind(Kind.PEER_SEALED))).buf.length, 8012);
    });

    it('a spoofed src (a session bound to another address) is dropped silently', async () => {
      await startRelay();
      const [a, b] = await Promise.all(['a', 'b'].map((n) => registered(n)));
      const mallory = await client();
      mallory.send(datagram({ kind: Kind.PEER_SEALED, flags: 0, src: a.session, dst: b.session }, Buffer.from('I am a')));
      mallory.send(datagram({ kind: Kind.PEER_BROADCAST, flags: 0, src: a.session, dst: DST_BROADCAST }, Buffer.from('all')));
      assert.equal(await b.poll((r) => r.header.kind >= 0x40, QUIET_MS), undefined);
      assert.equal(mallory.drain().length, 0, 'no answer to the spoofer');
      assert.equal(relay!.stats().dropped.spoofedSrc, 2);
    });

    it('an unknown src gets NOT_REGISTERED (so a client notices a relay restart)', async () => {
      await startRelay();
      const c = await client();
      c.send(datagram({ kind: Kind.PEER_SEALED, flags: 0, src: 0xabcdef, dst: 5 }, Buffer.alloc(40)));
      const e = errorOf(await c.next(isKind(Kind.ERROR)));
      assert.deepEqual([e.code, e.refKind, e.refId], [errorCodeToWire('NOT_REGISTERED'), Kind.PEER_SEALED, 0xabcdef]);
      c.send(encodeRelayMessage({ kind: Kind.PING, token: 1 }, 0xabcdef));
      assert.equal(errorOf(await c.next(isKind(Kind.ERROR))).code, errorCodeToWire('NOT_REGISTERED'));
    });
  });

  describe('limits and shutdown', () => {
    it('anti-amplification: an unvalidated address never gets more than 3x what it sent', async () => {
      await startRelay({ unregisteredRate: { perSec: 50, burst: 100 } });
      const a = await registered('a');
      const sock = dgram.createSocket('udp4');
      let received = 0;
      let sent = 0;
      sock.on('message', (m) => (received += m.length));
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
      const { port } = relay!.address();
      const send = (b: Buffer): void => {
        sent += b.length;
        sock.send(b, port, '127.0.0.1');
      };
      try {
        // The smallest requests that draw an answer: 12-byte headers from nobody.
        send(encodeRelayMessage({ kind: Kind.LEAVE }, 0x4242));
        send(datagram({ kind: Kind.PEER_SEALED, flags: 0, src: 1, dst: a.session }));
        send(encodeRelayMessage({ kind: Kind.PING, token: 9 }, 7));
        await sleep(QUIET_MS);
        assert.ok(received > 0, 'small answers still go out (with the message cut)');
        assert.ok(received <= 3 * sent, `${received} > 3 x ${sent}`);
        // A mix of everything an unregistered address can send.
        const id = generateIdentity();
        for (let i = 0; i < 60; i++) {
          send(encodeRelayMessage({ kind: Kind.HELLO, token: Buffer.alloc(8, i) }));
          send(registerDatagram(Buffer.alloc(COOKIE_BYTES, i), 'zed', id));
          send(encodeRelayMessage({ kind: Kind.ROSTER_REQ, offset: 0 }, i + 1));
          send(datagram({ kind: Kind.PEER_BROADCAST, flags: 0, src: i + 1, dst: DST_BROADCAST }, Buffer.alloc(i)));
        }
        await sleep(QUIET_MS);
        assert.ok(received <= 3 * sent, `${received} > 3 x ${sent}`);
        const s = relay!.stats();
        assert.ok(s.unvalidatedBytesOut <= 3 * s.unvalidatedBytesIn);
        assert.ok(s.dropped.rateLimited + s.answersSuppressed > 0, 'the per-IP bucket ran dry');
      } finally {
        sock.close();
      }
    });

    it('close() sends BYE RELAY_SHUTDOWN to every client', async () => {
      await startRelay();
      const cs = await Promise.all(['a', 'b', 'c'].map((n) => registered(n)));
      await relay!.close('test');
      relay = undefined;
      for (const c of cs) {
        const bye = msgOf(await c.next(isKind(Kind.BYE)), Kind.BYE);
        assert.equal(bye.code, errorCodeToWire('RELAY_SHUTDOWN'));
        assert.equal(await c.poll(isKind(Kind.BYE), QUIET_MS), undefined, 'one BYE each');
      }
    });

    it('a port in use rejects start with a sentence naming the port and what to do', async () => {
      const first = await startRelay();
      const { port } = first.address();
      await assert.rejects(RelayServer.start({ port }), (err: Error) => {
        assert.equal(err.message, `port ${port} on 127.0.0.1 is already in use — stop the other relay or pick --port`);
        return true;
      });
    });

    it('asks for 4 MiB socket buffers and reports what it got', async () => {
      const lines: string[] = [];
      await startRelay({ log: (l) => lines.push(l) });
      const b = relay!.stats().socketBuffers;
      assert.equal(b.asked, 4 * 1024 * 1024);
      assert.ok(b.recv > 0 && b.send > 0);
      assert.ok(lines.some((l) => /socket buffers: receive \d+ KiB/.test(l)));
    });
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
