/**
 * Members on different relays of one cluster, with the real client (ChatClient): chat, private
 * messages and files cross from relay to relay (the mesh, src/relay/mesh.ts) as if there were one
 * relay; a broadcast from each relay reaches everyone exactly once, in order per sender.
 */
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as dgram from 'node:dgram';
import { datagram, Kind } from '../../src/protocol/header';
import { meshKey, meshOfOne } from '../../src/protocol/meshDatagram';
import { RawClient } from '../support/rawClient';
import { TEST_CLUSTER_SECRET, TestCluster } from '../support/cluster';
import { TestClient } from '../support/testClient';
import { LANES_PER_DEVICE } from '../../src/client/laneManager';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('several relays on one Redis: members on different relays', function () {
  this.timeout(90_000);
  let cluster: TestCluster;
  const clients: TestClient[] = [];

  before(async () => {
    cluster = await TestCluster.start(3);
  });
  after(async () => {
    await cluster?.close();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.leave().catch(() => undefined)));
  });

  async function join(nick: string, relay: number, opts: { acceptFiles?: 'always'; directConnections?: boolean } = {}): Promise<TestClient> {
    const c = await TestClient.join({ relay: cluster.relays[relay].address(), nick, ...opts });
    clients.push(c);
    return c;
  }

  it('chat and private messages cross relays; each member sees everyone', async () => {
    const alice = await join('alice', 0);
    const bob = await join('bob', 1);
    const carol = await join('carol', 2);
    for (const c of [alice, bob, carol]) await c.waitForPeers(['alice', 'bob', 'carol'].filter((n) => n !== c.client.nick));

    alice.client.broadcast('Hello everyone!');
    alice.client.sendPrivate('bob', 'Hi Bob!');
    carol.client.sendPrivate('alice', 'Hi Alice, from relay 2');
    await bob.waitFor('message', (m) => m.text === 'Hi Bob!');
    await bob.waitFor('message', (m) => m.text === 'Hello everyone!');
    await carol.waitFor('message', (m) => m.text === 'Hello everyone!');
    await alice.waitFor('message', (m) => m.text === 'Hi Alice, from relay 2');
    await sleep(300); // room for a duplicate to show up
    assert.deepEqual(
      bob.all('message').map((m) => [m.from, m.text, m.private]),
      [['alice', 'Hello everyone!', false], ['alice', 'Hi Bob!', true]],
    );
    assert.deepEqual(carol.all('message').map((m) => [m.from, m.text]), [['alice', 'Hello everyone!']]);
    assert.deepEqual(alice.all('message').map((m) => [m.from, m.text]), [['carol', 'Hi Alice, from relay 2']]);
    const forwarded = cluster.relays.reduce((n, r) => n + (r.stats().cluster?.forwardedOut ?? 0), 0);
    assert.ok(forwarded > 0, 'datagrams went relay to relay');
  });

  it('a broadcast burst from each relay reaches every member exactly once, in order per sender', async () => {
    const members: TestClient[] = [];
    for (let i = 0; i < 9; i++) members.push(await join(`m${i}`, i % 3));
    const nicks = members.map((m) => m.client.nick);
    for (const m of members) await m.waitForPeers(nicks.filter((n) => n !== m.client.nick), 15_000);
    const PER_SENDER = 20;
    const senders = [members[0], members[1], members[2]]; // one on each relay
    for (let k = 0; k < PER_SENDER; k++) for (const s of senders) s.client.broadcast(`${s.client.nick} #${k}`);
    for (const m of members) {
      for (const s of senders) {
        if (s === m) continue;
        await m.waitFor('message', (x) => x.text === `${s.client.nick} #${PER_SENDER - 1}`, 30_000);
      }
    }
    await sleep(500);
    for (const m of members) {
      for (const s of senders) {
        if (s === m) continue;
        const got = m.all('message').filter((x) => x.from === s.client.nick).map((x) => x.text);
        assert.deepEqual(got, Array.from({ length: PER_SENDER }, (_, k) => `${s.client.nick} #${k}`), `${m.client.nick} from ${s.client.nick}`);
      }
    }
  });

  it('files cross relays byte for byte (SHA-256), both ways', async () => {
    const alice = await join('alice', 0, { acceptFiles: 'always' });
    const bob = await join('bob', 2, { acceptFiles: 'always' });
    await alice.waitForPeers(['bob']);
    await bob.waitForPeers(['alice']);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'peerchat-cluster-files-'));
    const big = randomBytes(8 * 1024 * 1024 + 1234);
    const small = randomBytes(70_000);
    writeFileSync(path.join(dir, 'big.bin'), big);
    writeFileSync(path.join(dir, 'small.bin'), small);
    await alice.client.sendFile('bob', path.join(dir, 'big.bin'));
    await bob.client.sendFile('alice', path.join(dir, 'small.bin'));
    const gotBig = await bob.waitFor('file-received', () => true, 60_000);
    const gotSmall = await alice.waitFor('file-received', () => true, 60_000);
    assert.equal(sha256(readFileSync(gotBig.path)), sha256(big));
    assert.equal(sha256(readFileSync(gotSmall.path)), sha256(small));
  });

  /** alice on relay `a`, bob on relay `b`, neither going direct; a random file of `bytes` for alice to send. */
  async function relayOnlyPair(a: number, b: number, bytes: number) {
    const alice = await join('alice', a, { directConnections: false });
    const bob = await join('bob', b, { acceptFiles: 'always', directConnections: false });
    await alice.waitForPeers(['bob']);
    await bob.waitForPeers(['alice']);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'peerchat-cluster-lane-')), 'big.bin');
    const big = randomBytes(bytes);
    writeFileSync(file, big);
    return { alice, bob, file, big, before: cluster.relays.map((r) => r.stats().transit!) };
  }

  it('a large file between members on different relays goes over TCP lanes that their two relays bridge (relay-only)', async () => {
    const { alice, bob, file, big, before } = await relayOnlyPair(0, 1, 24 * 1024 * 1024 + 4321);
    const id = await alice.client.sendFile('bob', file);
    const route = await alice.waitFor('transfer-route', (r) => r.id === id, 20_000);
    assert.deepEqual([route.path, route.lane], ['relay', 'tcp']);
    const got = await bob.waitFor('file-received', () => true, 60_000);
    assert.equal(sha256(readFileSync(got.path)), sha256(big));
    const after = cluster.relays.map((r) => r.stats().transit!);
    const delta = (i: number, k: 'bridged' | 'spliced' | 'bytes') => after[i][k] - before[i][k];
    assert.equal(delta(0, 'bridged') + delta(1, 'bridged'), LANES_PER_DEVICE, 'one relay bridged each lane to the other');
    assert.equal(delta(0, 'spliced'), LANES_PER_DEVICE);
    assert.equal(delta(1, 'spliced'), LANES_PER_DEVICE);
    // Both relays carried the file: it crossed as a lane, not as datagrams over the mesh.
    assert.ok(delta(0, 'bytes') > big.length && delta(1, 'bytes') > big.length, `relay 0 carried ${delta(0, 'bytes')}, relay 1 ${delta(1, 'bytes')} bytes`);
    assert.equal(alice.all('transfer-route').filter((r) => r.id === id && r.lane === 'udp').length, 0, 'no part of it went as datagrams');
  });

  it('a bridged lane cut mid-transfer (the bridging relay closes its lanes): the rest goes as datagrams over the mesh, the file arrives intact', async () => {
    const { alice, bob, file, big, before } = await relayOnlyPair(0, 1, 48 * 1024 * 1024 + 17);
    const id = await alice.client.sendFile('bob', file);
    const route = await alice.waitFor('transfer-route', (r) => r.id === id, 20_000);
    assert.deepEqual([route.path, route.lane], ['relay', 'tcp']);
    // Whichever relay bridged, cut there once a quarter of the file has crossed.
    const started = Date.now();
    const carried = () => cluster.relays[1].stats().transit!.bytes - before[1].bytes;
    while (carried() < big.length / 4) {
      assert.ok(Date.now() - started < 30_000, 'the bridged lane carried a quarter of the file');
      await sleep(2);
    }
    const bridging = cluster.relays.findIndex((r, i) => r.stats().transit!.bridged > before[i].bridged);
    assert.ok(bridging >= 0, 'one relay bridged the lane');
    (cluster.relays[bridging] as unknown as { transit: { closeLanes(): void } }).transit.closeLanes();
    const got = await bob.waitFor('file-received', () => true, 90_000);
    assert.equal(sha256(readFileSync(got.path)), sha256(big), 'the bytes on disk');
    await alice.waitFor('file-sent', (e) => e.id === id, 20_000);
    assert.deepEqual(
      alice.all('transfer-route').filter((r) => r.id === id).map((r) => [r.path, r.lane]),
      [['relay', 'tcp'], ['relay', 'udp']],
    );
  });

  it('with Redis stopped the relays cannot meet a lane: the file goes as datagrams over the mesh and arrives intact', async () => {
    const { alice, bob, file, big, before } = await relayOnlyPair(0, 2, 6 * 1024 * 1024 + 99);
    cluster.redis.pause();
    try {
      const id = await alice.client.sendFile('bob', file);
      const got = await bob.waitFor('file-received', () => true, 60_000);
      assert.equal(sha256(readFileSync(got.path)), sha256(big));
      const routes = alice.all('transfer-route').filter((r) => r.id === id);
      assert.deepEqual(routes.map((r) => [r.path, r.lane]), [['relay', 'udp']]);
      const after = cluster.relays.map((r) => r.stats().transit!);
      assert.equal(after.reduce((n, t, i) => n + t.bridged - before[i].bridged, 0), 0);
    } finally {
      cluster.redis.resume();
    }
    await cluster.settle(10_000);
  });

  it('MESH datagrams are taken only under the cluster key, each counter once: forged, altered and replayed ones reach nobody', async () => {
    const relay = cluster.relays[1];
    const bob = await RawClient.connect(relay.address());
    const outsider = dgram.createSocket('udp4');
    await new Promise<void>((r) => outsider.bind(0, '127.0.0.1', () => r()));
    try {
      const b = await bob.mustRegister('meshbob');
      const peer = (text: string): Buffer => datagram({ kind: Kind.PEER_SEALED, flags: 0, src: 0x1234, dst: b }, Buffer.from(text));
      const sendMesh = (parts: Buffer[]): void => outsider.send(Buffer.concat(parts), relay.address().port, '127.0.0.1');
      const arrives = async (text: string): Promise<boolean> =>
        (await bob.poll((d) => d.header.kind === Kind.PEER_SEALED && d.buf.subarray(12).toString() === text, 500)) !== undefined;
      const relayId = Buffer.from('0102030405060708', 'hex');
      const badBefore = relay.stats().dropped.badMesh;

      sendMesh(meshOfOne(meshKey('not-the-cluster-secret-at-all!!'), relayId, 1, peer('forged')));
      assert.equal(await arrives('forged'), false, 'another key: dropped');
      const altered = Buffer.concat(meshOfOne(meshKey(TEST_CLUSTER_SECRET), relayId, 2, peer('altered')));
      altered[altered.length - 20] ^= 1; // a bit of the inner datagram
      outsider.send(altered, relay.address().port, '127.0.0.1');
      assert.equal(await arrives('altered'), false, 'a flipped bit: dropped');
      const genuine = meshOfOne(meshKey(TEST_CLUSTER_SECRET), relayId, 3, peer('genuine'));
      sendMesh(genuine);
      assert.equal(await arrives('genuine'), true, 'under the cluster key it is delivered');
      sendMesh(genuine);
      assert.equal(await arrives('genuine'), false, 'the same counter again: dropped');
      assert.equal(relay.stats().dropped.badMesh - badBefore, 3, 'each counted as badMesh');
    } finally {
      outsider.close();
      bob.close();
    }
  });

  it('a broadcast crosses to each other relay once, whatever the number of its clients there', async () => {
    const raws: RawClient[] = [];
    try {
      const member = async (relay: number, nick: string): Promise<RawClient> => {
        const c = await RawClient.connect(cluster.relays[relay].address());
        raws.push(c);
        await c.mustRegister(nick);
        return c;
      };
      const sender = await member(0, 'bsender');
      const receivers = [await member(0, 'r0')];
      for (let i = 0; i < 4; i++) receivers.push(await member(1, `r1x${i}`), await member(2, `r2x${i}`));
      await sleep(300);
      const before = cluster.relays.map((r) => r.stats().cluster!);
      sender.send(datagram({ kind: Kind.PEER_BROADCAST, flags: 0, src: sender.session, dst: 0xffff_ffff }, Buffer.alloc(120, 7)));
      for (const r of receivers) await r.next((d) => d.header.kind === Kind.PEER_BROADCAST && d.header.src === sender.session, 5_000);
      await sleep(300);
      const after = cluster.relays.map((r) => r.stats().cluster!);
      assert.equal(after[0].forwardedOut - before[0].forwardedOut, 2, 'relay 0 sent it once to each other relay');
      assert.equal(after[1].forwardedIn - before[1].forwardedIn, 1, 'relay 1 got it once for its 4 clients');
      assert.equal(after[2].forwardedIn - before[2].forwardedIn, 1, 'relay 2 got it once for its 4 clients');
      for (const r of receivers) assert.equal(r.drain((d) => d.header.kind === Kind.PEER_BROADCAST).length, 0, 'and each client once');
      assert.equal(sender.drain((d) => d.header.kind === Kind.PEER_BROADCAST).length, 0, 'not the sender');

      // Batched: a burst of 40 crosses to the two other relays in a few MESH datagrams, not 80.
      const BURST = 40;
      for (let k = 0; k < BURST; k++) {
        sender.send(datagram({ kind: Kind.PEER_BROADCAST, flags: 0, src: sender.session, dst: 0xffff_ffff }, Buffer.alloc(120, k)));
      }
      for (const r of receivers) {
        const deadline = Date.now() + 5_000;
        while (r.counters.byKind[Kind.PEER_BROADCAST] < BURST + 1) {
          assert.ok(Date.now() < deadline, `every client got the ${BURST} (${r.counters.byKind[Kind.PEER_BROADCAST] - 1})`);
          await sleep(20);
        }
      }
      const burst = cluster.relays.map((r) => r.stats().cluster!);
      assert.equal(burst[0].forwardedOut - after[0].forwardedOut, 2 * BURST);
      const meshDatagrams = burst[0].meshDatagramsOut - after[0].meshDatagramsOut;
      assert.ok(meshDatagrams >= 2 && meshDatagrams <= 10, `${2 * BURST} broadcasts for other relays in ${meshDatagrams} MESH datagrams`);
      assert.equal(burst[1].meshDatagramsIn - after[1].meshDatagramsIn + burst[2].meshDatagramsIn - after[2].meshDatagramsIn, meshDatagrams, 'each received once');
    } finally {
      for (const r of raws) r.close();
    }
  });
});

describe('several relays advertised under a hostname', function () {
  this.timeout(90_000);
  let cluster: TestCluster;
  const clients: TestClient[] = [];
  before(async () => {
    cluster = await TestCluster.start(2, {}, 'localhost');
  });
  after(async () => {
    await Promise.all(clients.splice(0).map((c) => c.leave().catch(() => undefined)));
    await cluster?.close();
  });

  it('bridges a lane between relays known by name (the name resolved to the bridging relay\'s source address)', async () => {
    assert.ok(cluster.relays[0].stats().cluster!.relays.every((r) => r.host === 'localhost'), 'the relays know each other by name');
    const alice = await TestClient.join({ relay: cluster.relays[0].address(), nick: 'alice', directConnections: false });
    const bob = await TestClient.join({ relay: cluster.relays[1].address(), nick: 'bob', acceptFiles: 'always', directConnections: false });
    clients.push(alice, bob);
    await alice.waitForPeers(['bob']);
    await bob.waitForPeers(['alice']);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'peerchat-cluster-named-')), 'big.bin');
    const big = randomBytes(8 * 1024 * 1024 + 17);
    writeFileSync(file, big);
    const before = cluster.relays.map((r) => r.stats().transit!);
    const id = await alice.client.sendFile('bob', file);
    const got = await bob.waitFor('file-received', () => true, 60_000);
    assert.equal(sha256(readFileSync(got.path)), sha256(big));
    const after = cluster.relays.map((r) => r.stats().transit!);
    assert.equal(after[0].bridged - before[0].bridged + after[1].bridged - before[1].bridged, LANES_PER_DEVICE, 'one relay bridged each lane to the other');
    assert.equal(after[0].refused - before[0].refused + after[1].refused - before[1].refused, 0, 'no bridge hello was refused');
    assert.equal(alice.all('transfer-route').filter((r) => r.id === id && r.lane === 'udp').length, 0, 'no part of it went as datagrams');
  });
});
