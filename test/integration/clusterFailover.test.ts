/**
 * Clients with a list of relays (src/client/relayList.ts) move to the next relay of their cluster
 * when theirs stops, keeping session id and nickname: their peers see no leave and join.
 * In-process relays here (a relay that says BYE, a relay whose socket goes silent), and a relay
 * process killed with SIGKILL when the next relay of the list is full; clusterFaults.test.ts kills
 * relay processes during a transfer.
 */
import * as assert from 'node:assert/strict';
import { relayTarget } from '../../src/client/relayList';
import type { RelayServer } from '../../src/relay/relayServer';
import { TEST_CLUSTER_SECRET, TestCluster } from '../support/cluster';
import { RelayProcess } from '../support/relayProcess';
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
  const relayOf = (c: TestClient): { host: string; port: number } => (c.client as unknown as { relay: { relay: { host: string; port: number } } }).relay.relay;

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

  describe('the next relay of the list is full', () => {
    let procA: RelayProcess | undefined;
    afterEach(async () => {
      await procA?.kill('SIGKILL');
      procA = undefined;
    });

    it('kill -9 of relay A, relay B full: a client of A lands on C, one whose list is only A and B says every relay is full and gets in once B has room', async () => {
      // beforeEach's three relays are not used here: C (in-process), B with room for 2, A a process to kill.
      await cluster.close();
      cluster = await TestCluster.start(1);
      const relayC = cluster.relays[0];
      const relayB: RelayServer = await cluster.startRelay(0, { maxClients: 2 });
      cluster.relays.push(relayB);
      procA = await RelayProcess.start(['--cluster', cluster.redis.url, '--cluster-secret', TEST_CLUSTER_SECRET]);
      await sleep(1_500); // a heartbeat: every relay knows the others
      const [A, B, C] = [procA.address(), relayB.address(), relayC.address()];
      const join = async (nick: string, list: Array<{ host: string; port: number }>): Promise<TestClient> => {
        const c = await TestClient.join({ relay: relayTarget(list), nick });
        clients.push(c);
        return c;
      };
      const f1 = await join('f1', [B]);
      await join('f2', [B]);
      const xavier = await join('xavier', [A, B, C]);
      const yvonne = await join('yvonne', [A, B]);
      const watcher = await join('watcher', [C]);
      await watcher.waitForPeers(['f1', 'f2', 'xavier', 'yvonne'], 15_000);
      const xSession = sessionOf(xavier);
      assert.equal(relayB.stats().clients, 2, 'B is full');
      let mostOnB = 0;
      const sampler = setInterval(() => (mostOnB = Math.max(mostOnB, relayB.stats().clients)), 20);
      try {
        await procA.kill('SIGKILL');
        // xavier: A does not answer, B refuses him (full), C takes him: same session and nickname.
        const deadline = Date.now() + 15_000;
        while (holder(xSession) !== 0) {
          assert.ok(Date.now() < deadline, `xavier is on C within 15 s (holder ${holder(xSession)})`);
          await sleep(50);
        }
        assert.equal(sessionOf(xavier), xSession, 'xavier kept his session');
        assert.equal(xavier.client.nick, 'xavier');
        assert.ok(
          xavier.all('error').some((e) => e.code === 'RELAY_UNREACHABLE'),
          'xavier was told his relay stopped answering',
        );
        // yvonne: A silent, B full, nothing else to try: a clear error, not silence.
        const full = await yvonne.waitFor('error', (e) => e.code === 'RELAY_FULL', 30_000);
        assert.match(full.message, new RegExp(`Every relay of .*${A.port}.*${B.port}.* is full\\. Still trying them in turn\\.`));
        assert.equal(mostOnB, 2, 'B never took more than its maxClients');
        // Room on B: she gets in there (her nickname is hers, whether her session was reaped or not).
        const registrations = yvonne.all('registered').length;
        await f1.leave();
        const roomAt = Date.now();
        while (!(yvonne.all('registered').length > registrations && relayOf(yvonne).port === B.port)) {
          assert.ok(Date.now() - roomAt < 30_000, 'yvonne registered on B within 30 s of it having room');
          await sleep(50);
        }
        assert.ok(relayB.clients().some((p) => p.nick === 'yvonne'));
        assert.equal(yvonne.client.nick, 'yvonne');
        await chatBothWays(yvonne, watcher, 'after B had room');
        await chatBothWays(xavier, watcher, 'xavier on C');
      } finally {
        clearInterval(sampler);
      }
      assert.equal(mostOnB, 2, 'B never took more than its maxClients');
      assert.deepEqual(watcher.all('presence').filter((p) => p.nick === 'xavier'), [], 'the watcher saw xavier neither leave nor join');
      assert.ok(watcher.client.online().includes('yvonne'), 'yvonne is online for the watcher');
    });
  });
});
