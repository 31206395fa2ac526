/**
 * Several relays, one Redis (src/relay/redisDirectory.ts): nicknames and identities unique across
 * the cluster, one roster version, session ids unique, a device keeping its session when it moves
 * to another relay. Raw clients (test/support/rawClient.ts) on real UDP sockets; a redis-server of
 * the test's own (test/support/redisServer.ts).
 */
import * as assert from 'node:assert/strict';
import { createClient } from 'redis';
import { generateIdentity } from '../../src/crypto/identity';
import { ERROR_HINTS, ErrorCode, errorCodeToWire } from '../../src/protocol/errors';
import { datagram, Kind } from '../../src/protocol/header';
import type { PresenceChange } from '../../src/protocol/relayMessages';
import { identityPool, isKind, msgOf, RawClient, registerDatagram } from '../support/rawClient';
import { TestCluster } from '../support/cluster';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('several relays on one Redis: the directory', function () {
  this.timeout(60_000);
  let cluster: TestCluster | undefined;
  const clients: RawClient[] = [];

  async function client(relay: number): Promise<RawClient> {
    const c = await RawClient.connect(cluster!.relays[relay].address());
    clients.push(c);
    return c;
  }
  async function presence(c: RawClient, ms = 300): Promise<Array<Omit<PresenceChange, 'device'>>> {
    await sleep(ms);
    return c
      .drain(isKind(Kind.PRESENCE))
      .flatMap((r) => msgOf(r, Kind.PRESENCE).changes)
      .map(({ online, id, nick }) => ({ online, id, nick }));
  }
  const isError = (code: ErrorCode) => isKind(Kind.ERROR, (m) => m.code === errorCodeToWire(code));

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await cluster?.close();
    cluster = undefined;
  });

  it('a nickname belongs to one identity across relays; its devices may sit on different relays', async () => {
    cluster = await TestCluster.start(3);
    const alice = generateIdentity();
    const a0 = await client(0);
    const first = await a0.register('alice', alice);
    assert.ok(first.ok);
    // Another identity, on another relay, in another case: taken.
    const thief = await (await client(1)).register('ALICE');
    assert.ok(!thief.ok && thief.code === 'NICK_TAKEN', JSON.stringify(thief));
    // A second device of alice on the third relay: her nickname, her spelling, two devices.
    const second = await (await client(2)).register('Alice', alice, undefined, generateIdentity());
    assert.ok(second.ok, JSON.stringify(second));
    assert.equal(second.nick, 'alice');
    assert.equal(second.devices, 2);
    assert.notEqual(second.session, first.session);
    // Another nickname for alice while a device of hers is online: NICK_MISMATCH, wherever.
    const other = await (await client(1)).register('alicia', alice, undefined, generateIdentity());
    assert.ok(!other.ok && other.code === 'NICK_MISMATCH', JSON.stringify(other));
    for (const r of cluster.relays) {
      assert.equal(r.directoryView.size, 2);
      assert.equal(r.stats().rosterVersion, 2, 'one roster version for the whole cluster');
    }
  });

  it('600 clients with different keys racing for 50 nicknames across 3 relays: exactly one winner per nickname', async () => {
    cluster = await TestCluster.start(3);
    const NICKS = 50;
    const PER_NICK = 12;
    const n = NICKS * PER_NICK;
    const racers: RawClient[] = [];
    for (let i = 0; i < n; i++) racers.push(await client(i % 3));
    const ids = identityPool(n);
    const cookies = await Promise.all(racers.map((c) => c.cookie()));
    // Racer i asks for nick i % 50 on relay i % 3: each nickname is wanted on every relay at once.
    const nickOf = (i: number) => `nick${i % NICKS}`;
    racers.forEach((c, i) => c.send(registerDatagram(cookies[i], nickOf(i), ids[i])));
    const answers = await Promise.all(
      racers.map((c) => c.next((r) => r.header.kind === Kind.REGISTERED || r.header.kind === Kind.ERROR, 20_000)),
    );
    const winners = new Map<string, number[]>();
    let taken = 0;
    answers.forEach((a, i) => {
      if (a.header.kind === Kind.REGISTERED) {
        const list = winners.get(nickOf(i)) ?? [];
        list.push(i);
        winners.set(nickOf(i), list);
      } else {
        assert.equal(msgOf(a, Kind.ERROR).code, errorCodeToWire('NICK_TAKEN'), `racer ${i}: ${msgOf(a, Kind.ERROR).message}`);
        taken++;
      }
    });
    assert.equal(winners.size, NICKS, 'every nickname has a winner');
    for (const [nick, list] of winners) assert.equal(list.length, 1, `${nick} won by ${list.length}`);
    assert.equal(taken, n - NICKS);
    // Every relay's view: the 50 winners, each nickname under its winner's identity.
    await sleep(300);
    const owners = new Map([...winners].map(([nick, [i]]) => [nick, ids[i].signPublic.toString('hex')]));
    for (const r of cluster.relays) {
      assert.equal(r.directoryView.size, NICKS);
      for (const e of r.directoryView.all()) assert.equal(e.ownerKey, owners.get(e.nickKey));
    }
    const sessions = new Set([...cluster.relays[0].directoryView.all()].map((e) => e.id));
    assert.equal(sessions.size, NICKS, 'session ids unique across the cluster');
  });

  it('presence and the roster are the whole cluster, with one version', async () => {
    cluster = await TestCluster.start(3);
    const watcher = await client(1);
    await watcher.mustRegister('watcher');
    const s = [];
    for (let i = 0; i < 6; i++) s.push(await (await client(i % 3)).mustRegister(`m${i}`));
    const seen = await presence(watcher);
    assert.deepEqual(
      seen.map((c) => [c.online, c.nick]),
      s.map((_, i) => [true, `m${i}`]),
    );
    // The roster from any relay lists everyone, at the same version.
    for (let r = 0; r < 3; r++) {
      const c = await client(r);
      const self = await c.mustRegister(`reader${r}`);
      c.sendRelay({ kind: Kind.ROSTER_REQ, offset: 0 });
      const page = msgOf(await c.next(isKind(Kind.ROSTER)), Kind.ROSTER);
      const nicks = page.entries.map((e) => e.nick);
      for (let i = 0; i < 6; i++) assert.ok(nicks.includes(`m${i}`), `relay ${r} roster has m${i}: ${nicks}`);
      assert.ok(page.entries.some((e) => e.id === self));
    }
    // The last registration reaches the other relays through pub/sub a moment later: they agree
    // once it has, on the version Redis holds.
    const deadline = Date.now() + 2_000;
    for (;;) {
      const versions = cluster.relays.map((r) => r.stats().rosterVersion);
      if (new Set(versions).size === 1) {
        assert.equal(versions[0], 10, 'ten devices joined (watcher, m0–m5, three readers), one version each');
        break;
      }
      assert.ok(Date.now() < deadline, `versions ${versions}`);
      await sleep(20);
    }
  });

  it('a device that registers on another relay keeps its session id and nickname; nobody sees it leave or join', async () => {
    cluster = await TestCluster.start(2);
    const watcher = await client(1);
    const w = await watcher.mustRegister('watcher');
    const bob = generateIdentity();
    const on0 = await client(0);
    const s0 = await on0.mustRegister('bob', bob);
    assert.deepEqual((await presence(watcher)).map((c) => [c.online, c.nick]), [[true, 'bob']]);
    // bob's relay is gone for him: he registers on relay 1 from a new socket.
    on0.close();
    const on1 = await client(1);
    const r = await on1.register('bob', bob);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.session, s0, 'same session id on the new relay');
    assert.equal(r.nick, 'bob');
    assert.deepEqual(await presence(watcher), [], 'no leave or join for a move');
    await sleep(200);
    assert.equal(cluster.relays[0].stats().clients, 0, 'the old relay let it go');
    assert.equal(cluster.relays[1].stats().clients, 2);
    // Datagrams to bob reach him on relay 1, from a client of either relay.
    watcher.send(datagram({ kind: Kind.PEER_SEALED, flags: 0, src: w, dst: s0 }, Buffer.from('found you')));
    const got = await on1.next((d) => d.header.kind === Kind.PEER_SEALED);
    assert.equal(got.buf.subarray(12).toString(), 'found you');
  });

  it('a device moving onto a full relay is refused with RELAY_FULL, like a new one; its session stays where it was', async () => {
    cluster = await TestCluster.start(1);
    cluster.relays.push(await cluster.startRelay(0, { maxClients: 1 }));
    await cluster.settle();
    const full = cluster.relays[1];
    await (await client(1)).mustRegister('filler');
    const bob = generateIdentity();
    const on0 = await client(0);
    const s0 = await on0.mustRegister('bob', bob);
    // bob's relay is gone for him; the next one of his list is full.
    const on1 = await client(1);
    const moved = await on1.register('bob', bob);
    assert.ok(!moved.ok && moved.code === 'RELAY_FULL', JSON.stringify(moved));
    assert.equal(moved.message, ERROR_HINTS.RELAY_FULL, 'the same sentence as for a new device');
    const fresh = await (await client(1)).register('carol');
    assert.ok(!fresh.ok && fresh.code === 'RELAY_FULL', JSON.stringify(fresh));
    assert.equal(fresh.message, moved.message);
    await sleep(200);
    assert.equal(full.stats().clients, 1, 'the full relay took nobody in');
    assert.deepEqual(cluster.relays[0].clients().map((p) => p.id), [s0], 'bob is still served by his relay');
    for (const r of cluster.relays) assert.equal(r.directoryView.get(s0)?.relay, cluster.relays[0].stats().cluster!.relayId, 'and every view routes to it');
    // Once there is room, the move goes through: same session, nobody sees a leave or join.
    const filler = clients.find((c) => c.relay.port === full.address().port && c.session !== 0)!;
    filler.sendRelay({ kind: Kind.LEAVE });
    await filler.next(isKind(Kind.BYE));
    const again = await on1.register('bob', bob);
    assert.ok(again.ok, JSON.stringify(again));
    assert.equal(again.session, s0);
    assert.equal(full.stats().clients, 1);
  });

  it('REGISTERs racing for the last places of a relay never take it past maxClients', async () => {
    cluster = await TestCluster.start(1);
    cluster.relays.push(await cluster.startRelay(0, { maxClients: 5 }));
    await cluster.settle();
    const racers: RawClient[] = [];
    for (let i = 0; i < 20; i++) racers.push(await client(1));
    const ids = identityPool(racers.length);
    const cookies = await Promise.all(racers.map((c) => c.cookie()));
    racers.forEach((c, i) => c.send(registerDatagram(cookies[i], `racer${i}`, ids[i])));
    const answers = await Promise.all(racers.map((c) => c.next((r) => r.header.kind === Kind.REGISTERED || r.header.kind === Kind.ERROR, 20_000)));
    const admitted = answers.filter((a) => a.header.kind === Kind.REGISTERED).length;
    const refused = answers.filter((a) => a.header.kind === Kind.ERROR).map((a) => msgOf(a, Kind.ERROR).code);
    assert.equal(admitted, 5, 'exactly maxClients admitted');
    assert.deepEqual(new Set(refused), new Set([errorCodeToWire('RELAY_FULL')]));
    assert.equal(cluster.relays[1].stats().clients, 5);
  });

  it('LEAVE frees a nickname for the whole cluster at once; a timeout keeps it for its owner', async () => {
    cluster = await TestCluster.start(2, { idleTimeoutMs: 1_000, keepaliveMs: 250 });
    const carol = await client(0);
    await carol.mustRegister('carol');
    carol.sendRelay({ kind: Kind.LEAVE });
    await carol.next(isKind(Kind.BYE));
    const next = await (await client(1)).register('carol');
    assert.ok(next.ok, `free at once on another relay: ${JSON.stringify(next)}`);

    const dave = generateIdentity();
    const d = await client(0);
    await d.mustRegister('dave', dave);
    d.close(); // silent: timed out after 1 s
    await sleep(1_800);
    const other = await (await client(1)).register('dave');
    assert.ok(!other.ok && other.code === 'NICK_TAKEN', 'reserved for its owner');
    assert.match(other.message, /held for its owner/);
    const back = await (await client(1)).register('dave', dave);
    assert.ok(back.ok, 'its owner takes it back on any relay');
  });

  it('a relay that missed changes (its subscription cut) reads them back from the log, or reloads when the log is gone', async () => {
    cluster = await TestCluster.start(2);
    const watcher = await client(0);
    await watcher.mustRegister('watcher');
    const r = createClient({ url: cluster.redis.url });
    await r.connect();
    try {
      const caughtUp = async (n: number): Promise<void> => {
        const deadline = Date.now() + 5_000;
        while (cluster!.relays[0].directoryView.size !== n || cluster!.relays[0].stats().rosterVersion !== cluster!.relays[1].stats().rosterVersion) {
          assert.ok(Date.now() < deadline, `relay 0 caught up: ${cluster!.relays[0].directoryView.size} devices, versions ${cluster!.relays.map((x) => x.stats().rosterVersion)}`);
          await sleep(50);
        }
      };
      // Pub/sub cut for every relay: what relay 1 makes meanwhile reaches relay 0 only by the log.
      await r.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
      for (let i = 0; i < 3; i++) await (await client(1)).mustRegister(`late${i}`);
      await caughtUp(4);
      const seen = await presence(watcher, 500);
      assert.deepEqual(seen.map((c) => [c.online, c.nick]), [[true, 'late0'], [true, 'late1'], [true, 'late2']], 'its clients got every change, in order');
      // Again, and this time the log is gone too: relay 0 reloads the whole directory.
      await r.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
      await (await client(1)).mustRegister('later');
      await r.sendCommand(['DEL', '{peerchat}:log']);
      await caughtUp(5);
    } finally {
      await r.close();
    }
  });

  it('a relay that just joined is reachable at once: its clients get datagrams, nobody is told UNKNOWN_PEER', async () => {
    cluster = await TestCluster.start(2);
    const w = await client(0);
    const ws = await w.mustRegister('w');
    const fresh = await cluster.startRelay();
    cluster.relays.push(fresh);
    const c = await RawClient.connect(fresh.address());
    clients.push(c);
    const cs = await c.mustRegister('newcomer');
    const t0 = Date.now();
    let got = false;
    while (!got && Date.now() - t0 < 2_000) {
      w.send(datagram({ kind: Kind.PEER_SEALED, flags: 0, src: ws, dst: cs }, Buffer.from('welcome')));
      got = (await c.poll((d) => d.header.kind === Kind.PEER_SEALED, 20)) !== undefined;
    }
    assert.ok(got, 'the newcomer got a datagram from a client of an older relay');
    assert.ok(Date.now() - t0 < 1_000, `within a second (${Date.now() - t0} ms)`);
    assert.equal(w.drain(isError('UNKNOWN_PEER')).length, 0, 'never UNKNOWN_PEER for a session that exists');
  });

  it('KEY_REQ by nickname finds a device on another relay', async () => {
    cluster = await TestCluster.start(2);
    const erin = generateIdentity();
    const s = await (await client(0)).mustRegister('erin', erin);
    const asker = await client(1);
    await asker.mustRegister('asker');
    asker.sendRelay({ kind: Kind.KEY_REQ, id: 0, nick: 'ERIN' });
    const info = msgOf(await asker.next(isKind(Kind.KEY_INFO)), Kind.KEY_INFO);
    assert.equal(info.id, s);
    assert.ok(info.cert.identitySign.equals(erin.signPublic));
    asker.sendRelay({ kind: Kind.KEY_REQ, id: 12345, nick: '' });
    await asker.next(isError('UNKNOWN_PEER'));
  });
});
