/**
 * Several relays, one Redis, and things going wrong (README "Several relays"):
 * - kill -9 of one of three relay processes during a transfer and a conversation: its clients are
 *   on other relays within 5 s with their nicknames and sessions, no nickname is ever held by two
 *   identities (Redis sampled all along), the transfer completes intact, no message is lost;
 * - Redis killed and started again empty: the relays go on serving their clients, refuse new
 *   ones with DIRECTORY_UNAVAILABLE meanwhile, and fill Redis again when it is back;
 * - Redis paused (SIGSTOP) for 10 s: the same, and nobody is taken for gone.
 */
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createClient } from 'redis';
import { relayTarget } from '../../src/client/relayList';
import { END } from '../../src/relay/redisScripts';
import { RawClient } from '../support/rawClient';
import { RedisServer } from '../support/redisServer';
import { RelayProcess } from '../support/relayProcess';
import { TEST_CLUSTER_SECRET, TestCluster } from '../support/cluster';
import { TestClient } from '../support/testClient';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every session's (nick key, identity) and the nick key's owner, read in one script. */
const SAMPLE_NICKS = `
local out = {}
for _, id in ipairs(redis.call('HVALS', '{peerchat}:dev')) do
  local r = redis.call('HMGET', '{peerchat}:s:' .. id, 'nk', 'own')
  if r[1] then
    table.insert(out, r[1])
    table.insert(out, r[2])
    table.insert(out, redis.call('HGET', '{peerchat}:nick:' .. r[1], 'owner') or '')
  end
end
return out`;

/** Nicknames held by two identities in Redis now (empty: none). */
async function nicknameConflicts(r: { sendCommand(args: string[]): Promise<unknown> }): Promise<string[]> {
  const flat = (await r.sendCommand(['EVAL', SAMPLE_NICKS, '0'])) as string[];
  const owners = new Map<string, Set<string>>();
  const bad: string[] = [];
  for (let i = 0; i + 2 < flat.length; i += 3) {
    const [nk, own, holder] = [flat[i], flat[i + 1], flat[i + 2]];
    const set = owners.get(nk) ?? new Set<string>();
    set.add(own);
    owners.set(nk, set);
    if (holder !== own) bad.push(`${nk}: session of ${own.slice(0, 8)} but nickname held by ${holder.slice(0, 8) || 'nobody'}`);
  }
  for (const [nk, set] of owners) if (set.size > 1) bad.push(`${nk}: ${set.size} identities`);
  return bad;
}

/** Who sent what to whom: each sender's numbered private messages and broadcasts. */
class Conversation {
  private timer: NodeJS.Timeout | undefined;
  private n = 0;
  readonly sentPrivate = new Map<string, string[]>(); // "from>to" → texts
  readonly sentBroadcast = new Map<string, string[]>(); // from → texts
  constructor(private readonly members: TestClient[]) {}

  start(everyMs: number): void {
    this.timer = setInterval(() => {
      const k = this.n++;
      this.members.forEach((m, i) => {
        const to = this.members[(i + 1) % this.members.length];
        const text = `${m.client.nick}→${to.client.nick} #${k}`;
        m.client.sendPrivate(to.client.nick, text);
        push(this.sentPrivate, `${m.client.nick}>${to.client.nick}`, text);
      });
      if (k % 3 === 0) {
        const b = this.members[k % this.members.length];
        const text = `${b.client.nick} to all #${k}`;
        b.client.broadcast(text);
        push(this.sentBroadcast, b.client.nick, text);
      }
    }, everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Waits until every message arrived; then checks: exactly once, in order per sender. */
  async check(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const missing = this.missing();
      if (missing.length === 0) break;
      if (Date.now() > deadline) assert.fail(`messages lost: ${missing.slice(0, 10).join('; ')} (${missing.length} in all)`);
      await sleep(100);
    }
    for (const m of this.members) {
      const got = m.all('message');
      for (const [key, texts] of this.sentPrivate) {
        const [from, to] = key.split('>');
        if (to !== m.client.nick) continue;
        assert.deepEqual(got.filter((x) => x.private && x.from === from).map((x) => x.text), texts, `${to} from ${from}: once each, in order`);
      }
      for (const [from, texts] of this.sentBroadcast) {
        if (from === m.client.nick) continue;
        assert.deepEqual(got.filter((x) => !x.private && x.from === from).map((x) => x.text), texts, `${m.client.nick}: broadcasts of ${from}`);
      }
    }
  }

  private missing(): string[] {
    const out: string[] = [];
    for (const m of this.members) {
      const got = new Set(m.all('message').map((x) => x.text));
      for (const [key, texts] of this.sentPrivate) if (key.endsWith(`>${m.client.nick}`)) for (const t of texts) if (!got.has(t)) out.push(t);
      for (const [from, texts] of this.sentBroadcast) if (from !== m.client.nick) for (const t of texts) if (!got.has(t)) out.push(`${t} (to ${m.client.nick})`);
    }
    return out;
  }
}

function push(m: Map<string, string[]>, k: string, v: string): void {
  const list = m.get(k) ?? [];
  list.push(v);
  m.set(k, list);
}

/** sendFile, retried while the client is between registrations (a loaded machine can make it think its relay went quiet). */
async function sendWhenJoined(c: TestClient, to: string, file: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await c.client.sendFile(to, file);
    } catch (err) {
      if ((err as { code?: string }).code !== 'NOT_REGISTERED' || Date.now() > deadline) throw err;
      await sleep(200);
    }
  }
}

const sessionOf = (c: TestClient): number => (c.client as unknown as { relay: { session: number } }).relay.session;
const relayOf = (c: TestClient): { host: string; port: number } => (c.client as unknown as { relay: { relay: { host: string; port: number } } }).relay.relay;

describe('several relays on one Redis: faults', function () {
  this.timeout(120_000);
  const clients: TestClient[] = [];
  const raws: RawClient[] = [];

  afterEach(async () => {
    for (const r of raws.splice(0)) r.close();
    await Promise.all(clients.splice(0).map((c) => c.leave().catch(() => undefined)));
  });

  describe('kill -9 of a relay', () => {
    let redis: RedisServer;
    const procs: RelayProcess[] = [];
    after(async () => {
      await Promise.all(procs.splice(0).map((p) => p.kill('SIGKILL')));
      await redis?.stop();
    });

    it('during a transfer and a conversation: clients move within 5 s keeping their nicknames, nothing lost, the transfer completes', async () => {
      redis = await RedisServer.start();
      for (let i = 0; i < 3; i++) procs.push(await RelayProcess.start(['--cluster', redis.url, '--cluster-secret', TEST_CLUSTER_SECRET]));
      await sleep(1_500); // a heartbeat: every relay knows the others
      const addrs = procs.map((p) => p.address());
      const nicks = ['a0', 'b0', 'a1', 'b1', 'a2', 'b2'];
      const members: TestClient[] = [];
      for (const [i, nick] of nicks.entries()) {
        const first = Math.floor(i / 2);
        // a0 → a1 carries the file: through the relays, as datagrams (on one machine they would
        // otherwise go direct, or over a TCP lane in seconds, and the kill would not cut it).
        const viaRelays = nick === 'a0' || nick === 'a1' ? { directConnections: false, streamLanes: false } : {};
        const c = await TestClient.join({ relay: relayTarget([0, 1, 2].map((k) => addrs[(first + k) % 3])), nick, acceptFiles: 'always', ...viaRelays });
        clients.push(c);
        members.push(c);
      }
      for (const m of members) await m.waitForPeers(nicks.filter((n) => n !== m.client.nick), 15_000);

      const sampler = createClient({ url: redis.url });
      await sampler.connect();
      const conflicts: string[] = [];
      let samples = 0;
      let sampling = true;
      const sampling$ = (async () => {
        while (sampling) {
          conflicts.push(...(await nicknameConflicts(sampler)));
          samples++;
          await sleep(50);
        }
      })();

      // A transfer from a client of the relay that dies to one of another relay, at 1200-byte
      // datagrams so that it lasts long enough to be cut in the middle.
      const [a0, b0, a1] = members;
      const dir = mkdtempSync(path.join(os.tmpdir(), 'peerchat-failover-'));
      const data = randomBytes(24 * 1024 * 1024);
      writeFileSync(path.join(dir, 'big.bin'), data);
      const previous = process.env.PEERCHAT_DATAGRAM_BYTES;
      process.env.PEERCHAT_DATAGRAM_BYTES = '1200';
      const conversation = new Conversation(members);
      try {
        conversation.start(100);
        const transferId = await sendWhenJoined(a0, 'a1', path.join(dir, 'big.bin'));
        await a1.waitFor('transfer-progress', (p) => p.direction === 'receive' && p.bytes > data.length / 10, 60_000);
        assert.equal(a1.all('file-received').length, 0, 'the file is still on its way when the relay dies');
        assert.deepEqual(a0.all('transfer-route').map((r) => [r.path, r.lane]), [['relay', 'udp']]);

        const victims = [a0, b0];
        const before = victims.map((v) => ({ session: sessionOf(v), nick: v.client.nick }));
        const registeredAt = victims.map(() => 0);
        victims.forEach((v, i) => v.client.on('registered', () => (registeredAt[i] = registeredAt[i] || Date.now())));
        const killedAt = Date.now();
        await procs[0].kill('SIGKILL');
        for (;;) {
          if (registeredAt.every((t) => t > 0)) break;
          assert.ok(Date.now() - killedAt < 5_000, `every client of the dead relay registered elsewhere within 5 s (${registeredAt.map((t) => (t ? t - killedAt : '-')).join(', ')} ms)`);
          await sleep(20);
        }
        victims.forEach((v, i) => {
          assert.notEqual(relayOf(v).port, addrs[0].port, `${v.client.nick} is on another relay`);
          assert.equal(sessionOf(v), before[i].session, `${v.client.nick} kept its session`);
          assert.equal(v.client.nick, before[i].nick, 'and its nickname');
        });
        await sleep(2_000); // the conversation goes on after the move
        conversation.stop();

        // The transfer completes intact (resumed from what arrived if it had to start again).
        const outcome = await Promise.race([
          a1.waitFor('file-received', () => true, 90_000).then((f) => ({ ok: true as const, f })),
          a0.waitFor('transfer-failed', (f) => f.id === transferId, 90_000).then((f) => ({ ok: false as const, f })),
        ]);
        let received = outcome.ok ? outcome.f : undefined;
        if (!outcome.ok) {
          await sendWhenJoined(a0, 'a1', path.join(dir, 'big.bin'));
          received = await a1.waitFor('file-received', () => true, 90_000);
        }
        assert.equal(sha256(readFileSync(received!.path)), sha256(data));
        await conversation.check(30_000);
      } finally {
        conversation.stop();
        if (previous === undefined) delete process.env.PEERCHAT_DATAGRAM_BYTES;
        else process.env.PEERCHAT_DATAGRAM_BYTES = previous;
        sampling = false;
        await sampling$;
        await sampler.close();
      }
      assert.ok(samples > 20, `sampled Redis ${samples} times`);
      assert.deepEqual(conflicts, [], 'no nickname was ever held by two identities');
      for (const m of members) {
        assert.deepEqual(m.all('presence').filter((p) => !p.online), [], `${m.client.nick} saw nobody leave`);
      }
    });
  });

  describe('Redis failures', () => {
    let cluster: TestCluster;
    beforeEach(async () => {
      cluster = await TestCluster.start(2);
    });
    afterEach(async () => {
      await cluster.close();
    });

    async function join(nick: string, relay: number): Promise<TestClient> {
      const c = await TestClient.join({ relay: cluster.relays[relay].address(), nick });
      clients.push(c);
      return c;
    }
    async function register(relay: number, nick: string) {
      const c = await RawClient.connect(cluster.relays[relay].address());
      raws.push(c);
      return c.register(nick);
    }
    async function chat(a: TestClient, b: TestClient, text: string): Promise<void> {
      a.client.sendPrivate(b.client.nick, text);
      await b.waitFor('message', (m) => m.text === text, 15_000);
    }
    async function until(what: string, f: () => Promise<boolean> | boolean, ms: number): Promise<void> {
      const deadline = Date.now() + ms;
      while (!(await f())) {
        assert.ok(Date.now() < deadline, `${what} within ${ms} ms`);
        await sleep(100);
      }
    }

    it('Redis killed and started again empty: chat goes on, new clients wait with a code, Redis is filled again', async () => {
      const alice = await join('alice', 0);
      const bob = await join('bob', 0);
      const carol = await join('carol', 1);
      for (const c of [alice, bob, carol]) await c.waitForPeers(['alice', 'bob', 'carol'].filter((n) => n !== c.client.nick));

      await cluster.redis.kill('SIGKILL');
      await until('both relays notice', () => cluster.relays.every((r) => r.stats().cluster?.directoryAvailable === false), 5_000);
      await chat(alice, bob, 'same relay, Redis gone');
      await chat(alice, carol, 'across relays, Redis gone');
      const refused = await register(1, 'dave');
      assert.ok(!refused.ok && refused.code === 'DIRECTORY_UNAVAILABLE', JSON.stringify(refused));

      await cluster.redis.restart(); // empty: nothing was saved
      await until('the relays refill Redis and admit again', async () => (await register(0, `erin${Date.now() % 1000}`)).ok, 10_000);
      // What Redis holds again: the sessions online, and their nicknames bound to their owners.
      const thief = await register(1, 'alice');
      assert.ok(!thief.ok && thief.code === 'NICK_TAKEN', `alice's nickname is hers again: ${JSON.stringify(thief)}`);
      await chat(carol, alice, 'across relays, Redis back');
      await chat(bob, carol, 'and the other way');
      const dave = await register(1, 'dave');
      assert.ok(dave.ok);
      for (const c of [alice, bob, carol]) {
        assert.deepEqual(c.all('presence').filter((p) => !p.online && ['alice', 'bob', 'carol'].includes(p.nick)), [], `${c.client.nick} saw nobody leave`);
      }
    });

    it('a relay taken for dead while it was cut off (its sessions reaped, its lease gone) joins again and puts its sessions back', async () => {
      const alice = await join('alice', 0);
      const bob = await join('bob', 1);
      await alice.waitForPeers(['bob']);
      await bob.waitForPeers(['alice']);
      // What the other relays do to a relay silent for 15 s, done at once: end its sessions as
      // timeouts (the END script, as the relay that reaps), take its lease away.
      const victim = cluster.relays[0].stats().cluster!.relayId;
      const r = createClient({ url: cluster.redis.url });
      await r.connect();
      try {
        const epoch = (await r.sendCommand(['GET', '{peerchat}:epoch'])) as string;
        for (const id of (await r.sendCommand(['SMEMBERS', `{peerchat}:held:${victim}`])) as string[]) {
          await r.sendCommand(['EVAL', END, '0', epoch, victim, id, 'timeout', '300000']);
        }
        await r.sendCommand(['ZREM', '{peerchat}:leases', victim]);
      } finally {
        await r.close();
      }
      await bob.waitFor('presence', (p) => p.nick === 'alice' && !p.online, 5_000);
      // Its next heartbeat is fenced and it joins again; alice is back (put back by her relay, or
      // registered again by her client when the relay forgot her): bob sees her again.
      await bob.waitFor('presence', (p) => p.nick === 'alice' && p.online, 10_000);
      await chat(alice, bob, 'after the relay came back');
      await chat(bob, alice, 'and back');
      const thief = await register(1, 'alice');
      assert.ok(!thief.ok && thief.code === 'NICK_TAKEN', 'her nickname is hers again');
      await until('the fenced relay admits new devices again', async () => (await register(0, `carol${Date.now() % 1000}`)).ok, 10_000);
    });

    it('Redis paused: a member who leaves meanwhile is ended once it is back (seen offline once everywhere, nickname free); a client joining meanwhile is told why and gets in after', async () => {
      const alice = await join('alice', 0);
      const bob = await join('bob', 1);
      const carol = await join('carol', 0);
      for (const c of [alice, bob, carol]) await c.waitForPeers(['alice', 'bob', 'carol'].filter((n) => n !== c.client.nick));
      let dave: TestClient | undefined;
      let daveIn: Promise<void> | undefined;
      cluster.redis.pause();
      try {
        await until('the relays notice', () => cluster.relays.every((r) => r.stats().cluster?.directoryAvailable === false), 5_000);
        await carol.leave();
        clients.splice(clients.indexOf(carol), 1);
        // The terminal client and the extension start like this: their join waits, and says why.
        dave = new TestClient({ relay: cluster.relays[1].address(), nick: 'dave' });
        clients.push(dave);
        daveIn = dave.client.start();
        const told = await dave.waitFor('error', (e) => e.code === 'DIRECTORY_UNAVAILABLE', 10_000);
        assert.match(told.message, /directory \(Redis\)/);
        assert.equal(dave.all('registered').length, 0);
        await chat(alice, bob, 'during the pause');
        assert.ok(cluster.relays.every((r) => [...r.directoryView.all()].some((e) => e.nick === 'carol')), 'her end waits for Redis');
      } finally {
        cluster.redis.resume();
      }
      await daveIn;
      assert.equal(dave!.client.nick, 'dave');
      for (const c of [alice, bob]) await c.waitFor('presence', (p) => p.nick === 'carol' && !p.online, 10_000);
      await until('every relay ended her', () => cluster.relays.every((r) => ![...r.directoryView.all()].some((e) => e.nick === 'carol')), 5_000);
      const thief = await register(1, 'carol');
      assert.ok(thief.ok, `her nickname is free once her LEAVE reached Redis: ${JSON.stringify(thief)}`);
      await chat(dave!, alice, 'dave got in');
      await sleep(500);
      for (const c of [alice, bob]) {
        assert.equal(c.all('presence').filter((p) => p.nick === 'carol' && !p.online).length, 1, `${c.client.nick} saw carol leave once`);
      }
      const versions = cluster.relays.map((r) => r.stats().rosterVersion);
      assert.equal(new Set(versions).size, 1, `one roster version again: ${versions}`);
    });

    it('Redis paused (SIGSTOP) for 10 s: chat goes on, registrations fail with a code during the pause and work after it', async () => {
      const alice = await join('alice', 0);
      const bob = await join('bob', 1);
      await alice.waitForPeers(['bob']);
      await bob.waitForPeers(['alice']);
      cluster.redis.pause();
      const pausedAt = Date.now();
      try {
        await until('the relays notice', () => cluster.relays.every((r) => r.stats().cluster?.directoryAvailable === false), 5_000);
        const refused = await register(0, 'carol');
        assert.ok(!refused.ok && refused.code === 'DIRECTORY_UNAVAILABLE', JSON.stringify(refused));
        await chat(alice, bob, 'during the pause');
        await chat(bob, alice, 'both ways');
        await sleep(Math.max(0, 10_000 - (Date.now() - pausedAt)));
      } finally {
        cluster.redis.resume();
      }
      await until('registrations work again', async () => (await register(1, `carol${Date.now() % 1000}`)).ok, 10_000);
      await chat(alice, bob, 'after the pause');
      // Nobody was taken for gone: their sessions and nicknames are still theirs.
      await sleep(1_500);
      assert.deepEqual(alice.all('presence').filter((p) => p.nick === 'bob' && !p.online), []);
      assert.deepEqual(bob.all('presence').filter((p) => p.nick === 'alice' && !p.online), []);
      const thief = await register(0, 'bob');
      assert.ok(!thief.ok && thief.code === 'NICK_TAKEN');
    });
  });
});
