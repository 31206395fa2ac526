import { strict as assert } from 'node:assert';
import { RelayServer } from '../../src/relay/relayServer';
import { ImpairmentProxy } from '../support/impairmentProxy';
import { TestClient } from '../support/testClient';

/** A harsh path: 20 % loss, duplicates, reordering, bit flips and a little delay both ways. */
const HARSH = { loss: 0.2, duplicate: 0.05, reorder: 0.05, corrupt: 0.02, delayMs: 1, jitterMs: 1 };

describe('chat through the relay', function () {
  this.timeout(60_000);
  let relay: RelayServer;
  const clients: TestClient[] = [];
  const proxies: ImpairmentProxy[] = [];

  beforeEach(async () => {
    relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.leave().catch(() => undefined)));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
    await relay.close();
  });

  async function join(nick: string, impaired = false): Promise<TestClient> {
    let addr = relay.address();
    if (impaired) {
      const proxy = await ImpairmentProxy.start({ target: addr, seed: 1000 + clients.length, upstream: HARSH, downstream: HARSH });
      proxies.push(proxy);
      addr = proxy.address();
    }
    const c = await TestClient.join({ relay: addr, nick });
    clients.push(c);
    return c;
  }

  it('delivers a broadcast to every other client exactly once, and a private message only to its target', async () => {
    const alice = await join('alice');
    const bob = await join('bob');
    const carol = await join('carol');
    await alice.waitForPeers(['bob', 'carol']);
    await bob.waitForPeers(['alice', 'carol']);
    await carol.waitForPeers(['alice', 'bob']);

    alice.client.broadcast('Hello everyone!');
    alice.client.sendPrivate('bob', 'Hi Bob!');
    await bob.waitFor('message', (m) => m.text === 'Hi Bob!');
    await carol.waitFor('message', (m) => m.text === 'Hello everyone!');
    await bob.waitFor('message', (m) => m.text === 'Hello everyone!');
    await new Promise((r) => setTimeout(r, 300)); // room for a duplicate to show up

    assert.deepEqual(
      bob.all('message').map((m) => [m.from, m.text, m.private]),
      [['alice', 'Hello everyone!', false], ['alice', 'Hi Bob!', true]],
    );
    assert.deepEqual(carol.all('message').map((m) => [m.from, m.text, m.private]), [['alice', 'Hello everyone!', false]]);
    assert.deepEqual(alice.all('message'), [], 'the sender does not get its own broadcast back');
  });

  it('announces joins and leaves', async () => {
    const alice = await join('alice');
    const bob = await join('bob');
    await alice.waitFor('presence', (p) => p.nick === 'bob' && p.online);
    await bob.leave();
    await alice.waitFor('presence', (p) => p.nick === 'bob' && !p.online);
    assert.ok(!alice.client.online().includes('bob'));
  });

  it('refuses a taken nickname, compared case-insensitively', async () => {
    await join('alice');
    await assert.rejects(TestClient.join({ relay: relay.address(), nick: 'ALICE' }), (e: Error & { code?: string }) => e.code === 'NICK_TAKEN');
  });

  it('refuses an invalid nickname before contacting the relay', async () => {
    await assert.rejects(TestClient.join({ relay: relay.address(), nick: 'no spaces' }), (e: Error & { code?: string }) => e.code === 'NICK_INVALID');
  });

  it('says UNKNOWN_PEER for a private message to someone not online, also when typed before the roster came', async () => {
    const alice = await join('alice');
    // Typed the instant we joined: it waits for the roster, then fails with an error naming it.
    const early = alice.client.sendPrivate('nobody', 'hello early?');
    const failed = await alice.waitFor('message-failed', (m) => m.id === early);
    assert.equal(failed.code, 'UNKNOWN_PEER');
    assert.match(failed.message, /hello early\?/);
    assert.match(failed.message, /nobody/);
    // Once the roster is in, the same mistake is refused at once.
    assert.throws(() => alice.client.sendPrivate('nobody', 'hello?'), (e: Error & { code?: string }) => e.code === 'UNKNOWN_PEER');
  });

  it('refuses an oversized message with MESSAGE_TOO_LONG and sends nothing', async () => {
    const alice = await join('alice');
    const bob = await join('bob');
    await alice.waitForPeers(['bob']);
    assert.throws(() => alice.client.broadcast('x'.repeat(5000)), (e: Error & { code?: string }) => e.code === 'MESSAGE_TOO_LONG');
    alice.client.broadcast('after');
    await bob.waitFor('message', (m) => m.text === 'after');
    assert.deepEqual(bob.all('message').map((m) => m.text), ['after']);
  });

  it('delivers a signed broadcast of the longest text (900 bytes) held behind a private message', async () => {
    const alice = await join('alice');
    const bob = await join('bob');
    await alice.waitForPeers(['bob']);
    const longest = 'é'.repeat(450); // 900 UTF-8 bytes: MAX_CHAT_BYTES
    alice.client.sendPrivate('bob', 'first');
    alice.client.broadcast(longest); // bob is in its hold list: the largest broadcast we make here
    await bob.waitFor('message', (m) => m.text === longest);
    assert.deepEqual(bob.all('message').map((m) => m.text), ['first', longest]);
    assert.deepEqual(bob.client.rejectedBroadcasts, { badSignature: 0, badCiphertext: 0 });
  });

  it('keeps every message exactly once and in order over a lossy, duplicating, reordering, corrupting path', async () => {
    const alice = await join('alice', true);
    const bob = await join('bob', true);
    const carol = await join('carol', true);
    await alice.waitForPeers(['bob', 'carol'], 20_000);
    await bob.waitForPeers(['alice'], 20_000);
    await carol.waitForPeers(['alice'], 20_000);
    const expectedBob: string[] = [];
    const expectedCarol: string[] = [];
    for (let i = 0; i < 60; i++) {
      if (i % 3 === 1) {
        alice.client.sendPrivate('bob', `p${i}`);
        expectedBob.push(`p${i}`);
      } else {
        alice.client.broadcast(`b${i}`);
        expectedBob.push(`b${i}`);
        expectedCarol.push(`b${i}`);
      }
    }
    await bob.waitFor('message', (m) => m.text === expectedBob[expectedBob.length - 1], 40_000);
    await carol.waitFor('message', (m) => m.text === expectedCarol[expectedCarol.length - 1], 40_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(bob.all('message').filter((m) => m.from === 'alice').map((m) => m.text), expectedBob);
    assert.deepEqual(carol.all('message').filter((m) => m.from === 'alice').map((m) => m.text), expectedCarol);
    const stats = proxies.map((p) => p.stats());
    assert.ok(stats.some((s) => s.up.dropped + s.down.dropped > 0), 'the path really lost datagrams');
    assert.ok(stats.some((s) => s.up.corrupted + s.down.corrupted > 0), 'the path really corrupted datagrams');
  });
});
