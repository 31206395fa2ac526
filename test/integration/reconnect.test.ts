import { strict as assert } from 'node:assert';
import * as dgram from 'node:dgram';
import { RelayServer } from '../../src/relay/relayServer';
import { ImpairmentProxy } from '../support/impairmentProxy';
import { TestClient } from '../support/testClient';

/** Resolves once `c` has registered more than once and, since its last registration, fetched a roster and sees `other`. */
async function rejoined(c: TestClient, other: string): Promise<void> {
  await c.waitFor('registered', () => c.all('registered').length > 1, 15_000);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const names = c.events.map((e) => e.name);
    if (names.lastIndexOf('roster') > names.lastIndexOf('registered') && c.client.online().includes(other)) return;
    if (Date.now() > deadline) throw new Error(`${c.client.nick}: no fresh roster with ${other}; saw ${JSON.stringify(names.slice(-20))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('relay outages', function () {
  this.timeout(60_000);
  const clients: TestClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.leave().catch(() => undefined)));
  });

  it('reports RELAY_UNREACHABLE within a few seconds when nothing answers, and keeps trying', async () => {
    // A port with nobody behind it.
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const port = sock.address().port;
    sock.close();
    const c = new TestClient({ relay: { host: '127.0.0.1', port }, nick: 'alice' });
    clients.push(c);
    const started = Date.now();
    void c.client.start().catch(() => undefined);
    const err = await c.waitFor('error', (e) => e.code === 'RELAY_UNREACHABLE', 8_000);
    const took = Date.now() - started;
    assert.ok(took < 6_000, `reported after ${took} ms`);
    assert.match(err.message, /does not answer/);
    // A relay that appears later on that port is joined without any action.
    const relay = await RelayServer.start({ host: '127.0.0.1', port });
    try {
      await c.waitFor('registered', () => true, 10_000);
      assert.equal(c.client.state, 'registered');
    } finally {
      await c.leave();
      await relay.close();
    }
  });

  it('notices a silent relay and re-registers by itself when it answers again; chat goes on', async () => {
    const relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    const proxy = await ImpairmentProxy.start({ target: relay.address(), seed: 3 });
    try {
      const alice = await TestClient.join({ relay: proxy.address(), nick: 'alice' });
      const bob = await TestClient.join({ relay: relay.address(), nick: 'bob' });
      clients.push(alice, bob);
      await alice.waitForPeers(['bob']);
      proxy.setImpairment('both', { blackhole: true });
      await alice.waitFor('error', (e) => e.code === 'RELAY_UNREACHABLE', 8_000);
      assert.equal(alice.client.state, 'unreachable');
      proxy.setImpairment('both', { blackhole: false });
      await alice.waitFor('state', (s) => s.state === 'registered' && alice.client.state === 'registered', 10_000);
      alice.client.broadcast('back again');
      const m = await bob.waitFor('message', (x) => x.text === 'back again');
      assert.equal(m.from, 'alice');
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.leave().catch(() => undefined)));
      await proxy.close();
      await relay.close();
    }
  });

  it('a private message sent as the relay went silent reaches its peer once the relay is back', async () => {
    const relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    const proxy = await ImpairmentProxy.start({ target: relay.address(), seed: 5 });
    try {
      const alice = await TestClient.join({ relay: proxy.address(), nick: 'alice' });
      const bob = await TestClient.join({ relay: relay.address(), nick: 'bob' });
      clients.push(alice, bob);
      await alice.waitForPeers(['bob']);
      // The first message to bob sets up the link: its key lookup goes unanswered until it
      // gives up (8 KEY_REQs, about 13.5 s), and the message waits for the handshake.
      proxy.setImpairment('both', { blackhole: true });
      alice.client.sendPrivate('bob', 'sent into the silence');
      await alice.waitFor('error', (e) => e.code === 'RELAY_UNREACHABLE', 8_000);
      await new Promise((r) => setTimeout(r, 14_000));
      proxy.setImpairment('both', { blackhole: false });
      const m = await bob.waitFor('message', (x) => x.text === 'sent into the silence', 15_000);
      assert.equal(m.from, 'alice');
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.leave().catch(() => undefined)));
      await proxy.close();
      await relay.close();
    }
  });

  it('rejoins with the same nickname after the relay restarts, and messages flow again', async () => {
    let relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    const addr = relay.address();
    const alice = await TestClient.join({ relay: addr, nick: 'alice' });
    const bob = await TestClient.join({ relay: addr, nick: 'bob' });
    clients.push(alice, bob);
    await alice.waitForPeers(['bob']);
    alice.client.sendPrivate('bob', 'before');
    await bob.waitFor('message', (m) => m.text === 'before');

    await relay.close();
    await alice.waitFor('error', (e) => e.code === 'RELAY_SHUTDOWN' || e.code === 'RELAY_UNREACHABLE', 8_000);
    relay = await RelayServer.start({ host: '127.0.0.1', port: addr.port });
    try {
      // Each sees the other in a roster fetched after its own re-registration. Before that its
      // roster is the old relay's, with the other's old session: a message sent then is lost
      // when the new roster, fetched before the other is back, says the other left.
      await Promise.all([rejoined(alice, 'bob'), rejoined(bob, 'alice')]);
      assert.equal(alice.client.nick, 'alice');
      alice.client.sendPrivate('bob', 'after');
      alice.client.broadcast('all of you, after');
      await bob.waitFor('message', (m) => m.text === 'after', 15_000);
      await bob.waitFor('message', (m) => m.text === 'all of you, after', 15_000);
      assert.deepEqual(bob.all('message').map((m) => m.text), ['before', 'after', 'all of you, after']);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.leave().catch(() => undefined)));
      await relay.close();
    }
  });
});
