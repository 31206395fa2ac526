/**
 * Nothing typed after joining is lost (issue 11): clients type the instant `registered` is
 * reported — before the roster has come back — through paths with real delay and loss, as a
 * newcomer's first message does. Every broadcast reaches every member online exactly once and
 * in order, a private message to an online member never fails for a roster still on its way,
 * and each message reports whether it was delivered.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RelayServer } from '../../src/relay/relayServer';
import { CLI_JS, CliProcess } from '../support/cliProcess';
import { Impairment, ImpairmentProxy } from '../support/impairmentProxy';
import { TestClient } from '../support/testClient';

describe('the first keystroke', function () {
  this.timeout(120_000);
  let relay: RelayServer;
  const clients: TestClient[] = [];
  const proxies: ImpairmentProxy[] = [];

  beforeEach(async () => {
    relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.client.leave().catch(() => undefined)));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
    await relay.close();
  });

  /** A client behind its own path to the relay (its own proxy: delay and loss both ways). */
  async function through(nick: string, path: Partial<Impairment>, seed: number): Promise<TestClient> {
    const proxy = await ImpairmentProxy.start({ target: relay.address(), seed, upstream: path, downstream: path });
    proxies.push(proxy);
    const c = new TestClient({ relay: proxy.address(), nick });
    clients.push(c);
    await c.client.start();
    return c;
  }

  for (const delayMs of [40, 200]) {
    it(`everything typed at once after joining arrives, exactly once and in order (${delayMs} ms each way, 5 % loss)`, async () => {
      const path = { delayMs, loss: 0.05 };
      const bob = await through('bob', path, 11 + delayMs);
      const carol = await through('carol', path, 12 + delayMs);
      const alice = await through('alice', path, 13 + delayMs);
      // The instant alice is registered: her roster has not come back yet.
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        ids.push(alice.client.broadcast(`b${i}`));
        if (i % 4 === 0) ids.push(alice.client.sendPrivate('bob', `p${i}`));
      }
      const broadcasts = Array.from({ length: 20 }, (_, i) => `b${i}`);
      for (const c of [bob, carol]) await c.waitFor('message', (m) => m.text === 'b19', 60_000);
      await bob.waitFor('message', (m) => m.text === 'p16', 60_000);
      for (const id of ids) await alice.waitFor('message-delivered', (d) => d.id === id, 60_000);
      await new Promise((r) => setTimeout(r, 1_000));
      assert.deepEqual(carol.all('message').map((m) => m.text), broadcasts, 'carol: every broadcast once, in order');
      // bob: alice's order across broadcasts and private messages is kept.
      const expected: string[] = [];
      for (let i = 0; i < 20; i++) {
        expected.push(`b${i}`);
        if (i % 4 === 0) expected.push(`p${i}`);
      }
      assert.deepEqual(bob.all('message').map((m) => m.text), expected, 'bob: everything once, in alice’s order');
      assert.deepEqual(alice.all('message-failed'), []);
      assert.deepEqual(alice.all('error'), []);
      // Delivered means acknowledged by both other members' devices.
      const delivered = alice.all('message-delivered');
      for (const id of ids.filter((_, i) => alice.all('message-sent')[i].to === undefined)) {
        assert.equal(delivered.find((d) => d.id === id)?.devices, 2);
      }
    });
  }

  it('a message to a member who goes away before acknowledging it says it was not delivered', async () => {
    await relay.close();
    relay = await RelayServer.start({ host: '127.0.0.1', port: 0, idleTimeoutMs: 1_500 });
    const bob = await through('bob', {}, 21);
    const alice = await through('alice', {}, 22);
    await alice.waitForPeers(['bob']);
    await bob.waitForPeers(['alice']);
    // bob's network dies: nothing reaches him or comes from him; the relay drops him when idle.
    proxies[0].setImpairment('both', { blackhole: true });
    const id = alice.client.sendPrivate('bob', 'are you there?');
    const failed = await alice.waitFor('message-failed', (f) => f.id === id, 20_000);
    assert.equal(failed.code, 'NOT_DELIVERED');
    assert.match(failed.message, /bob/);
    assert.equal(alice.all('message-delivered').filter((d) => d.id === id).length, 0);
  });

  it("the README's `printf '/who\\n@bob hi\\nexit\\n' | peerchat --json --nick alice` delivers hi to bob", async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'peerchat-qs-home-'));
    const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };
    const addr = `127.0.0.1:${relay.address().port}`;
    const bob = CliProcess.start(['--relay', addr, '--nick', 'bob'], { defaultIdentity: true, env });
    await bob.event('registered');
    // As written in the README: three lines on stdin at once, then end of input.
    const alice = spawn(process.execPath, [CLI_JS, '--relay', addr, '--json', '--nick', 'alice'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    alice.stdin.end('/who\n@bob hi\nexit\n');
    let out = '';
    alice.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => alice.on('exit', resolve));
    const events = out.trim().split('\n').map((l) => JSON.parse(l) as { event: string } & Record<string, unknown>);
    assert.equal(code, 0);
    assert.deepEqual(events.filter((e) => e.event === 'error' || e.event === 'message-failed'), []);
    const roster = events.find((e) => e.event === 'roster');
    assert.deepEqual(roster?.nicks, ['bob'], '/who typed at once answers with who is online, not an empty list');
    assert.ok(events.some((e) => e.event === 'message-delivered'), 'hi was acknowledged before alice left');
    await bob.event('message', (e) => e.text === 'hi' && e.from === 'alice');
    bob.send('exit');
    await bob.exited;
  });
});
