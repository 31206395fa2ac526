/**
 * Several relays on one Redis at scale (README "Several relays", docs/protocol.md "Leases,
 * fencing and failures"):
 * - a relay that dies holding 1,234 sessions: the relays still alive reap them all, more than
 *   one heartbeat's budget (REAP_BUDGET, 500), announce each offline exactly once, leave nothing
 *   of them in Redis but their nickname reservations, and agree on the roster afterwards;
 * - a relay stalled while the chat churns through more joins and leaves than the change log
 *   keeps (LOG_MAX_ENTRIES): when it runs again the log no longer reaches back to its view, it
 *   reloads the whole directory, and its clients fetch a roster that is the cluster's.
 */
import * as assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import * as dgram from 'node:dgram';
import { createClient } from 'redis';
import { Kind } from '../../src/protocol/header';
import { checkNickname } from '../../src/protocol/nickname';
import { encodeCertificate, type RosterEntry } from '../../src/protocol/relayMessages';
import { REAP_BUDGET } from '../../src/relay/clusterLimits';
import { MAX_SESSION_ID } from '../../src/relay/directory';
import { END, JOIN, LOG_KEY, LOG_MAX_ENTRIES, REGISTER } from '../../src/relay/redisScripts';
import { certificateFor, identityPool, isKind, msgOf, RawClient } from '../support/rawClient';
import { TEST_CLUSTER_SECRET, TestCluster } from '../support/cluster';
import { RelayProcess } from '../support/relayProcess';
import { TestClient } from '../support/testClient';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type RedisClient = ReturnType<typeof createClient>;

/** A registered raw client that keeps its session alive and records every PRESENCE change in order. */
class Watcher {
  readonly changes: Array<{ version: number; online: boolean; id: number; nick: string }> = [];
  /** PRESENCE versions that did not follow the previous one (a gap: the client would re-fetch). */
  readonly gaps: string[] = [];
  private version = 0;
  private timer: NodeJS.Timeout | undefined;
  session = 0;

  private constructor(readonly raw: RawClient) {}

  static async join(relay: { host: string; port: number }, nick: string): Promise<Watcher> {
    let w: Watcher | undefined;
    const raw = await RawClient.connect(relay, {
      onDatagram: (r) => {
        if (r.header.kind === Kind.PRESENCE && w !== undefined && w.session !== 0) w.onPresence(msgOf(r, Kind.PRESENCE));
      },
    });
    w = new Watcher(raw);
    const reg = await raw.register(nick);
    if (!reg.ok) throw new Error(`${nick}: ${reg.code} ${reg.message}`);
    w.version = reg.rosterVersion;
    w.session = reg.session;
    w.timer = setInterval(() => raw.sendRelay({ kind: Kind.PING, token: 1 }), 2_000);
    return w;
  }

  private onPresence(m: { version: number; changes: Array<{ online: boolean; id: number; nick: string }> }): void {
    const first = m.version - m.changes.length;
    if (m.version <= this.version) return;
    if (first > this.version) this.gaps.push(`at ${this.version}, PRESENCE covering (${first}, ${m.version}]`);
    m.changes.forEach((c, i) => {
      const v = first + i + 1;
      if (v > this.version) this.changes.push({ version: v, online: c.online, id: c.id, nick: c.nick });
    });
    this.version = m.version;
  }

  /** The whole roster, page by page (ROSTER_REQ from offset 0 until `total`). */
  async roster(): Promise<{ version: number; entries: Array<{ id: number; nick: string; device: string }> }> {
    this.raw.drain(isKind(Kind.ROSTER));
    const entries: RosterEntry[] = [];
    let version = -1;
    for (;;) {
      this.raw.sendRelay({ kind: Kind.ROSTER_REQ, offset: entries.length });
      const page = msgOf(await this.raw.next(isKind(Kind.ROSTER), 5_000), Kind.ROSTER);
      if (version === -1) version = page.version;
      assert.equal(page.version, version, 'nothing changes while the roster is read');
      entries.push(...page.entries);
      if (entries.length >= page.total) break;
    }
    return { version, entries: entries.map((e) => ({ id: e.id, nick: e.nick, device: e.device.toString('hex') })) };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.raw.close();
  }
}

/**
 * Another relay of the cluster whose Lua calls the test makes itself (the same scripts, through
 * one pipelined connection), so that tens of thousands of joins and leaves take seconds: it joins
 * with a lease that outlasts the test and publishes the address of a socket that reads nothing.
 */
class ScriptedRelay {
  readonly id = 'scripted-relay-0001';
  private epoch = '';
  private readonly sink = dgram.createSocket('udp4');

  constructor(private readonly r: RedisClient) {}

  async join(): Promise<void> {
    await new Promise<void>((res) => this.sink.bind(0, '127.0.0.1', () => res()));
    const info = JSON.stringify({ host: '127.0.0.1', port: this.sink.address().port });
    const reply = (await this.r.sendCommand(['EVAL', JOIN, '0', 'unused-epoch', this.id, '600000', info, '0'])) as unknown[];
    this.epoch = String(reply[0]);
  }

  /** Registers each identity as a new device under its nickname; returns the session ids. */
  register(members: Array<{ identity: ReturnType<typeof identityPool>[number]; nick: string }>): Promise<number[]> {
    return Promise.all(
      members.map(async ({ identity, nick }) => {
        const cert = certificateFor(identity);
        const n = checkNickname(nick);
        if (!n.ok) throw new Error(n.reason);
        const reply = (await this.r.sendCommand([
          'EVAL', REGISTER, '0', this.epoch, this.id, cert.deviceSign.toString('hex'), cert.identitySign.toString('hex'), n.key, n.display,
          cert.deviceSign.subarray(0, 8).toString('hex'), encodeCertificate(cert).toString('base64'), String(Math.floor(Date.now() / 1000)), '1', '0',
          ...Array.from({ length: 4 }, () => String(randomInt(1, MAX_SESSION_ID + 1))),
        ])) as unknown[];
        if (String(reply[0]) !== 'OK') throw new Error(`REGISTER ${nick}: ${String(reply[0])}`);
        return Number(reply[2]);
      }),
    );
  }

  /** Ends the sessions as LEAVEs. */
  async leave(ids: number[]): Promise<void> {
    const replies = (await Promise.all(ids.map((id) => this.r.sendCommand(['EVAL', END, '0', this.epoch, this.id, String(id), 'leave', '300000'])))) as unknown as unknown[][];
    for (const reply of replies) if (String(reply[0]) !== 'OK') throw new Error(`END: ${String(reply[0])}`);
  }

  close(): void {
    this.sink.close();
  }
}

async function keys(r: RedisClient, pattern: string): Promise<string[]> {
  return ((await r.sendCommand(['KEYS', pattern])) as string[]).sort();
}

describe('several relays on one Redis: churn at scale', function () {
  this.timeout(180_000);
  let cluster: TestCluster | undefined;
  let proc: RelayProcess | undefined;
  let redis: RedisClient | undefined;
  const raws: RawClient[] = [];
  const watchers: Watcher[] = [];
  let pinger: NodeJS.Timeout | undefined;

  afterEach(async () => {
    if (pinger) clearInterval(pinger);
    for (const w of watchers.splice(0)) w.close();
    for (const c of raws.splice(0)) c.close();
    await proc?.kill('SIGKILL');
    proc = undefined;
    await redis?.close().catch(() => undefined);
    redis = undefined;
    await cluster?.close();
    cluster = undefined;
  });

  it('kill -9 of a relay holding 1,234 sessions: all reaped and announced offline once each, nothing left in Redis, the live relays agree', async () => {
    const N = 1_234;
    assert.ok(N > 2 * REAP_BUDGET, 'more than two heartbeats of reaping');
    cluster = await TestCluster.start(2);
    proc = await RelayProcess.start(['--cluster', cluster.redis.url, '--cluster-secret', TEST_CLUSTER_SECRET]);
    redis = createClient({ url: cluster.redis.url });
    await redis.connect();
    const live = cluster.relays.map((r) => r.stats().cluster!.relayId);
    const w0 = await Watcher.join(cluster.relays[0].address(), 'watcher0');
    const w1 = await Watcher.join(cluster.relays[1].address(), 'watcher1');
    watchers.push(w0, w1);

    // 1,234 raw clients on the relay process, 30 per source address (127.0.0.2, .3, …) to stay
    // within its per-IP budget for unregistered traffic, pinging so that none times out first.
    const ids = identityPool(N);
    const sessions: number[] = [];
    for (let i = 0; i < N; i += 100) {
      const batch = await Promise.all(
        ids.slice(i, i + 100).map(async (id, k) => {
          const c = await RawClient.connect(proc!.address(), { localAddress: `127.0.0.${2 + Math.floor((i + k) / 30)}`, keepInbox: false });
          raws.push(c);
          return c.mustRegister(`dead${i + k}`, id);
        }),
      );
      sessions.push(...batch);
      if (pinger === undefined) pinger = setInterval(() => raws.forEach((c) => c.sendRelay({ kind: Kind.PING, token: 1 })), 2_000);
    }
    const deadIds = new Set(sessions);
    assert.equal(deadIds.size, N);
    const deadRelay = ((await redis.sendCommand(['ZRANGE', '{peerchat}:leases', '0', '-1'])) as string[]).find((r) => !live.includes(r))!;
    assert.equal(Number(await redis.sendCommand(['SCARD', `{peerchat}:held:${deadRelay}`])), N, 'Redis says the relay process holds them all');
    for (const r of cluster.relays) {
      const deadline = Date.now() + 10_000;
      while (r.directoryView.size !== N + 2) {
        assert.ok(Date.now() < deadline, `a live relay's view has all ${N + 2} devices (${r.directoryView.size})`);
        await sleep(100);
      }
    }

    const killedAt = Date.now();
    await proc.kill('SIGKILL');
    clearInterval(pinger);
    pinger = undefined;
    for (const r of cluster.relays) {
      while (r.directoryView.size !== 2) {
        assert.ok(Date.now() - killedAt < 40_000, `the dead relay's sessions reaped within 40 s (${r.directoryView.size - 2} left)`);
        await sleep(200);
      }
    }

    // Announced: each watcher saw each of them come online and go offline, exactly once, in a
    // stream without gaps.
    await sleep(500);
    for (const w of [w0, w1]) {
      assert.deepEqual(w.gaps, [], 'PRESENCE followed on without a gap');
      const on = w.changes.filter((c) => c.online && deadIds.has(c.id)).map((c) => c.id);
      const off = w.changes.filter((c) => !c.online).map((c) => c.id);
      assert.equal(on.length, N);
      assert.equal(off.length, N, 'one offline change per reaped session');
      assert.deepEqual(new Set(off), deadIds, 'every session of the dead relay, and nobody else');
    }

    // Nothing of them left in Redis but the reservation of their nicknames for their owners.
    assert.equal(Number(await redis.sendCommand(['EXISTS', `{peerchat}:held:${deadRelay}`])), 0, 'its held set is gone');
    assert.equal(await redis.sendCommand(['ZSCORE', '{peerchat}:leases', deadRelay]), null, 'its lease is gone');
    assert.equal(Number(await redis.sendCommand(['HEXISTS', '{peerchat}:relays', deadRelay])), 0, 'its address is gone');
    const survivors = [w0.session, w1.session].map((s) => `{peerchat}:s:${s}`).sort();
    assert.deepEqual(await keys(redis, '{peerchat}:s:*'), survivors, 'session records: the watchers only');
    assert.equal(Number(await redis.sendCommand(['HLEN', '{peerchat}:dev'])), 2, 'device index: the watchers only');
    assert.equal((await keys(redis, '{peerchat}:devs:*')).length, 2, "members' device sets: the watchers only");
    assert.equal((await keys(redis, '{peerchat}:held:*')).length, 2, 'held sets: the live relays only');
    const nicks = await keys(redis, '{peerchat}:nick:dead*');
    assert.equal(nicks.length, N, 'each nickname reserved for its owner');
    for (const k of nicks.slice(0, 50)) assert.ok(Number(await redis.sendCommand(['PTTL', k])) > 0, `${k} expires`);
    const owners = await keys(redis, '{peerchat}:owner:*');
    assert.equal(owners.length, N + 2, "each identity's nickname: the watchers', and the reserved ones");
    const expiring = await Promise.all(owners.map(async (k) => Number(await redis!.sendCommand(['PTTL', k]))));
    assert.equal(expiring.filter((t) => t > 0).length, N, "the reserved members' bindings expire with their reservation");

    // The live relays agree: views, versions, and the roster each serves.
    const [v0, v1] = cluster.relays.map((r) => [...r.directoryView.roster.entriesInOrder()].map((e) => e.id));
    assert.deepEqual(v0, v1);
    assert.equal(cluster.relays[0].stats().rosterVersion, cluster.relays[1].stats().rosterVersion);
    assert.equal(cluster.relays[0].stats().rosterVersion, Number(await redis.sendCommand(['GET', '{peerchat}:version'])));
    const [r0, r1] = [await w0.roster(), await w1.roster()];
    assert.deepEqual(r0, r1);
    assert.deepEqual(r0.entries.map((e) => e.nick).sort(), ['watcher0', 'watcher1']);
  });

  it('a relay stalled while the chat churns past the change log (LOG_MAX_ENTRIES): it reloads the directory, and its clients get the whole roster right', async () => {
    cluster = await TestCluster.start(1);
    const live = cluster.relays[0];
    proc = await RelayProcess.start(['--cluster', cluster.redis.url, '--cluster-secret', TEST_CLUSTER_SECRET]);
    redis = createClient({ url: cluster.redis.url });
    await redis.connect();
    const scripted = new ScriptedRelay(redis);
    await scripted.join();
    const people: TestClient[] = [];
    try {
      await sleep(1_500); // a heartbeat: the relays know each other
      const lagger = await TestClient.join({ relay: proc.address(), nick: 'lagger' });
      const alice = await TestClient.join({ relay: live.address(), nick: 'alice' });
      people.push(lagger, alice);
      const wP = await Watcher.join(proc.address(), 'watcherp');
      const wL = await Watcher.join(live.address(), 'watcherl');
      watchers.push(wP, wL);
      await lagger.waitForPeers(['alice', 'watcherp', 'watcherl'], 15_000);
      const before = live.stats().rosterVersion;

      // The relay process stalls (a frozen VM, a long pause): it reads nothing, and Redis drops
      // its subscription, as it drops a subscriber that cannot keep up.
      const linesBefore = proc.lines.length;
      proc.child.kill('SIGSTOP');
      const stalledAt = Date.now();
      await redis.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
      for (;;) {
        // The live relay subscribes again at once; the stalled one cannot.
        const subs = ((await redis.sendCommand(['CLIENT', 'LIST', 'TYPE', 'pubsub'])) as string).trim().split('\n').filter(Boolean);
        if (subs.length === 1) break;
        assert.ok(Date.now() - stalledAt < 3_000, 'the live relay subscribed again');
        await sleep(20);
      }

      // Meanwhile: more joins and leaves than the log keeps, and some changes that stay.
      const CYCLES = Math.ceil((LOG_MAX_ENTRIES * 1.2) / 2);
      const pool = identityPool(200);
      for (let done = 0; done < CYCLES; done += pool.length) {
        const batch = pool.slice(0, Math.min(pool.length, CYCLES - done));
        const ids = await scripted.register(batch.map((identity, k) => ({ identity, nick: `churn${k}` })));
        await scripted.leave(ids);
      }
      const stay = await scripted.register(identityPool(25).map((identity, k) => ({ identity, nick: `stay${k}` })));
      await alice.leave();
      const bob = await TestClient.join({ relay: live.address(), nick: 'bob' });
      people.push(bob);
      const first = (await redis.sendCommand(['XRANGE', LOG_KEY, '-', '+', 'COUNT', '1'])) as Array<[string, string[]]>;
      assert.ok(Number(first[0][0].split('-')[0]) > before + 1, `the log was trimmed past the stalled relay's version ${before} (it starts at ${first[0][0]})`);
      const stalledFor = Date.now() - stalledAt;
      assert.ok(stalledFor < 12_000, `the churn took ${stalledFor} ms: under 12 s the stalled relay is not taken for dead, which is another test`);
      assert.ok(live.stats().rosterVersion - before > LOG_MAX_ENTRIES, 'more changes than the log keeps');

      proc.child.kill('SIGCONT');
      const expected = ['bob', 'watcherl', 'watcherp', ...stay.map((_, k) => `stay${k}`)].sort();
      const deadline = Date.now() + 20_000;
      while (JSON.stringify([...lagger.client.online()].sort()) !== JSON.stringify(expected)) {
        assert.ok(Date.now() < deadline, `the stalled relay's client has the cluster's roster: ${lagger.client.online().length} members, e.g. ${lagger.client.online().slice(0, 5)}`);
        await sleep(100);
      }
      assert.ok(
        proc.lines.slice(linesBefore).some((l) => /directory: view loaded at version \d+: 29 device\(s\)/.test(l)),
        `the stalled relay reloaded the whole directory: ${proc.lines.slice(linesBefore).join(' | ')}`,
      );
      // Both relays serve the same roster, at the same version, in the same order.
      for (;;) {
        const [rp, rl] = [await wP.roster(), await wL.roster()];
        if (rp.version === rl.version) {
          assert.deepEqual(rp, rl);
          assert.deepEqual(rl.entries.map((e) => e.id), [...live.directoryView.roster.entriesInOrder()].map((e) => e.id));
          break;
        }
        assert.ok(Date.now() < deadline, `same roster version on both relays (${rp.version}, ${rl.version})`);
        await sleep(100);
      }
      // And the stalled relay's clients follow on from there: a join after it is seen by them.
      const carol = await TestClient.join({ relay: live.address(), nick: 'carol' });
      people.push(carol);
      await lagger.waitForPeers(['carol'], 10_000);
    } finally {
      proc?.child.kill('SIGCONT');
      scripted.close();
      await Promise.all(people.map((p) => p.leave().catch(() => undefined)));
    }
  });
});
