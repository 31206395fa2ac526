/**
 * Clients with a list of relays (src/client/relayList.ts) move to the next relay of their cluster
 * when theirs stops, keeping session id and nickname: their peers see no leave and join.
 * In-process relays here (a relay that says BYE, a relay whose socket goes silent); killing relay
 * processes with SIGKILL is in clusterFaults.test.ts.
 */
import * as assert from 'node:assert/strict';
import { relayTarget } from '../../src/client/relayList';
import { TestCluster } from '../support/cluster';
import { TestClient } from '../support/testClient';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('several relays on one Redis: clients move to another relay', function () {
  this.timeout(60_000);
  let cluster: TestCluster;
  const clients: TestClient[] = [];

  beforeEach(async () => {
    cluster = await TestCluster.start(3);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.leave().catch(() => undefined)));
    await cluster.close();
  });

  /** A client whose list starts at relay `first` and goes round the others. */
  async function join(nick: string, first: number): Promise<TestClient> {
    const order = [0, 1, 2].map((k) => cluster.relays[(first + k) % 3].address());
    const c = await TestClient.join({ relay: relayTarget(order), nick });
    clients.push(c);
    return c;
  }
  const holder = (id: number): number => cluster.relays.findIndex((r) => r.clients().some((p) => p.id === id));
  const sessionOf = (c: TestClient): number => (c.client as unknown as { relay: { session: number } }).relay.session;

  async function chatBothWays(a: TestClient, b: TestClient, tag: string): Promise<void> {
    a.client.sendPrivate(b.client.nick, `${tag} a→b`);
    b.client.sendPrivate(a.client.nick, `${tag} b→a`);
    await b.waitFor('message', (m) => m.text === `${tag} a→b`, 15_000);
    await a.waitFor('message', (m) => m.text === `${tag} b→a`, 15_000);
  }

  it('a relay that stops (BYE RELAY_SHUTDOWN): its clients are on the next relay at once, same session, no leave/join seen', async () => {
    const alice = await join('alice', 0);
    const bob = await join('bob', 1);
    await alice.waitForPeers(['bob']);
    await bob.waitForPeers(['alice']);
    await chatBothWays(alice, bob, 'before');
    const session = sessionOf(alice);
    assert.equal(holder(session), 0);

    const stopped = Date.now();
    await cluster.relays[0].close('rolling restart');
    for (;;) {
      if (holder(session) === 1) break;
      assert.ok(Date.now() - stopped < 5_000, 'alice is on relay 1 within 5 s');
      await sleep(20);
    }
    assert.equal(sessionOf(alice), session, 'same session id');
    assert.equal(alice.client.nick, 'alice');
    await chatBothWays(alice, bob, 'after');
    assert.deepEqual(bob.all('presence').filter((p) => p.nick === 'alice'), [], 'bob saw alice neither leave nor join');
  });

  it('a relay that goes silent (no BYE): its clients move within 5 s and keep chatting', async () => {
    const alice = await join('alice', 2);
    const bob = await join('bob', 1);
    await alice.waitForPeers(['bob']);
    await bob.waitForPeers(['alice']);
    const session = sessionOf(alice);
    // The relay's socket dies under it: nothing in, nothing out (its process and lease go on).
    const silent = cluster.relays[2] as unknown as { socket: { close(): void } };
    const t0 = Date.now();
    silent.socket.close();
    for (;;) {
      if (holder(session) === 0) break;
      assert.ok(Date.now() - t0 < 5_000, `alice is on relay 0 within 5 s (holder ${holder(session)})`);
      await sleep(20);
    }
    assert.equal(sessionOf(alice), session);
    await chatBothWays(alice, bob, 'after');
    assert.deepEqual(bob.all('presence').filter((p) => p.nick === 'alice'), []);
  });
});
