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
import { createClient } from 'redis';
import { Kind } from '../../src/protocol/header';
import type { RosterEntry } from '../../src/protocol/relayMessages';
import { REAP_BUDGET } from '../../src/relay/clusterLimits';
import { LOG_KEY } from '../../src/relay/redisScripts';
import { identityPool, isKind, msgOf, RawClient } from '../support/rawClient';
import { TEST_CLUSTER_SECRET, TestCluster } from '../support/cluster';
import { RelayProcess } from '../support/relayProcess';

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
});
