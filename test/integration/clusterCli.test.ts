/**
 * `peerchat-relay --cluster … --cluster-secret …` as an operator runs it (dist/relay.js): it
 * joins, says so, prints `stats:` lines with --stats and on SIGUSR2 (clients, forwarded, relays
 * known), and refuses to start without a reachable Redis, in one sentence.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { CliProcess, online } from '../support/cliProcess';
import { RawClient } from '../support/rawClient';
import { freePort, RedisServer } from '../support/redisServer';
import { RELAY_BUNDLE, RelayProcess } from '../support/relayProcess';
import { TEST_CLUSTER_SECRET } from '../support/cluster';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * TCP sockets a process holds (its socket fds found in /proc/net/tcp and tcp6, this namespace's):
 * `listening` those in state LISTEN (0A), else the others (connections).
 */
function tcpSocketsOf(pid: number, listening = false): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  let n = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && inodes.has(cols[9]) && (cols[3] === '0A') === listening) n++;
    }
  }
  return n;
}

describe('peerchat-relay --cluster (dist/relay.js)', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  const procs: RelayProcess[] = [];
  const clients: RawClient[] = [];

  before(async () => {
    redis = await RedisServer.start();
  });
  after(async () => {
    for (const c of clients.splice(0)) c.close();
    await Promise.all(procs.splice(0).map((p) => p.kill('SIGKILL')));
    await redis.stop();
  });

  async function waitLine(p: RelayProcess, re: RegExp, from: number, ms = 10_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const line = p.lines.slice(from).find((l) => re.test(l));
      if (line !== undefined) return line;
      assert.ok(Date.now() < deadline, `no line matching ${re} within ${ms} ms: ${p.lines.slice(-10).join(' | ')}`);
      await sleep(50);
    }
  }

  it('joins the cluster, and prints stats lines every N seconds and on SIGUSR2', async () => {
    const env = { PEERCHAT_CLUSTER_SECRET: TEST_CLUSTER_SECRET };
    const a = await RelayProcess.start(['--cluster', redis.url, '--stats', '1'], env);
    const b = await RelayProcess.start(['--cluster', redis.url], env);
    procs.push(a, b);
    await waitLine(a, /cluster: relay [0-9a-f]{16} joined as 127\.0\.0\.1:\d+/, 0);
    const c = await RawClient.connect(b.address());
    clients.push(c);
    await c.mustRegister('statsuser');
    const line = await waitLine(a, /stats: clients 0; .*chat 1 devices on all relays.*relays known: [0-9a-f]{16}@127\.0\.0\.1:\d+.*Redis ok/, 0, 5_000);
    assert.match(line, /forwarded \d+ datagrams/);
    // SIGUSR2: a line at once (again until b's heartbeats have told it about a, within a second).
    const deadline = Date.now() + 5_000;
    for (;;) {
      const before = b.lines.length;
      b.child.kill('SIGUSR2');
      const mine = await waitLine(b, /stats: clients 1; /, before, 5_000);
      if (/relays known: [0-9a-f]{16}@/.test(mine)) break;
      assert.ok(Date.now() < deadline, `b never named relay a: ${mine}`);
      await sleep(200);
    }
  });

  it('does not start without a reachable Redis: one sentence, exit code 1', () => {
    const r = spawnSync(process.execPath, [RELAY_BUNDLE, '--port', '0', '--cluster', 'redis://127.0.0.1:1', '--cluster-secret', TEST_CLUSTER_SECRET], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /peerchat-relay: .*(Redis|ECONNREFUSED)/);
  });

  it('refuses a cluster secret shorter than 16 characters', async () => {
    const port = await freePort();
    const r = spawnSync(process.execPath, [RELAY_BUNDLE, '--port', '0', '--cluster', `redis://127.0.0.1:${port}`, '--cluster-secret', 'short'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /at least 16 characters/);
  });

  it('without --cluster a relay opens no connection at all (only its transit port listens); with it, its two to Redis', async () => {
    const alone = await RelayProcess.start(['--stats', '1']);
    const clustered = await RelayProcess.start(['--cluster', redis.url, '--cluster-secret', TEST_CLUSTER_SECRET]);
    procs.push(alone, clustered);
    const c = await RawClient.connect(alone.address());
    clients.push(c);
    await c.mustRegister('loner');
    await waitLine(alone, /stats: clients 1; /, 0, 5_000);
    assert.equal(tcpSocketsOf(alone.child.pid!), 0, 'a relay on its own: no connection');
    assert.equal(tcpSocketsOf(alone.child.pid!, true), 1, 'its transit port (docs/protocol.md "Stream lanes")');
    assert.ok(!alone.lines.some((l) => /redis/i.test(l)), `nothing about Redis: ${alone.lines.join(' | ')}`);
    assert.equal(tcpSocketsOf(clustered.child.pid!), 2, 'a cluster relay: commands and subscription');
  });

  it('the terminal client with --relay A,B: after kill -9 of A it is on B, same nickname, chatting; its peer saw no leave', async () => {
    const args = ['--cluster', redis.url, '--cluster-secret', TEST_CLUSTER_SECRET];
    const a = await RelayProcess.start(args);
    const b = await RelayProcess.start(args);
    procs.push(a, b);
    await sleep(1_500); // a heartbeat: the relays know each other
    const list = `127.0.0.1:${a.port},127.0.0.1:${b.port}`;
    const alice = CliProcess.start(['--relay', list, '--nick', 'alice']);
    const bob = CliProcess.start(['--relay', `127.0.0.1:${b.port}`, '--nick', 'bob']);
    try {
      assert.equal((await alice.event('registered')).nick, 'alice');
      await bob.event('registered');
      await bob.waitFor(online('alice'), 'alice online');
      await alice.waitFor(online('bob'), 'bob online');
      const registrations = alice.all('registered').length;
      const killedAt = Date.now();
      await a.kill('SIGKILL');
      while (alice.all('registered').length === registrations) {
        assert.ok(Date.now() - killedAt < 10_000, `alice registered again within 10 s: ${JSON.stringify(alice.events.slice(-5))}`);
        await sleep(50);
      }
      assert.equal(alice.all('registered')[registrations].nick, 'alice');
      alice.send('@bob still here');
      assert.equal((await bob.event('message', (e) => e.text === 'still here')).from, 'alice');
      bob.send('@alice welcome back');
      await alice.event('message', (e) => e.text === 'welcome back');
      assert.deepEqual(bob.all('presence').filter((e) => e.nick === 'alice' && e.online === false), [], 'bob saw alice neither leave nor join');
    } finally {
      alice.kill();
      bob.kill();
    }
  });
});
