import { strict as assert } from 'node:assert';
import { generateIdentity } from '../../src/crypto/identity';
import { RelayServer } from '../../src/relay/relayServer';
import { RawClient } from '../support/rawClient';

/**
 * Rotating a relay's invitation secret at runtime (RelayServer.setSecret; docs/security.md
 * "Rotating the invitation"): old invitations stop admitting new devices with BAD_SECRET, the
 * members already in stay, and a live device that registers again from a new address (a network
 * change) with the secret it joined with keeps its session.
 */
describe('invitation secret rotation (RelayServer.setSecret)', function () {
  this.timeout(15_000);
  let relay: RelayServer | undefined;
  const clients: RawClient[] = [];
  const MANY_FROM_ONE_IP = { perSec: 100_000, burst: 100_000 };

  async function client(): Promise<RawClient> {
    const c = await RawClient.connect(relay!.address());
    clients.push(c);
    return c;
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await relay?.close('test over');
    relay = undefined;
  });

  it('after a rotation the old secret gets BAD_SECRET for new devices, the new one registers, and members already in stay', async () => {
    relay = await RelayServer.start({ port: 0, secret: 'old-secret', unregisteredRate: MANY_FROM_ONE_IP });
    const alice = generateIdentity();
    const a1 = await client();
    const first = await a1.register('alice', alice, 'old-secret');
    assert.ok(first.ok, JSON.stringify(first));

    relay.setSecret('new-secret');
    assert.equal(relay.hasSecret, true);

    // Someone holding the old invitation: refused, with the code.
    const late = await (await client()).register('mallory', undefined, 'old-secret');
    assert.ok(!late.ok && late.code === 'BAD_SECRET', JSON.stringify(late));
    // A new device of a member already in, with the old invitation: refused too (it is a new device).
    const a2 = await (await client()).register('alice', alice, 'old-secret', generateIdentity());
    assert.ok(!a2.ok && a2.code === 'BAD_SECRET', JSON.stringify(a2));
    // The new invitation works.
    const bob = await (await client()).register('bob', undefined, 'new-secret');
    assert.ok(bob.ok, JSON.stringify(bob));

    // alice's live device moves to a new address (another socket) and registers again with the
    // secret it joined with: it keeps its session, nobody sees a leave.
    const moved = await client();
    const again = await moved.register('alice', alice, 'old-secret');
    assert.ok(again.ok && first.ok && again.session === first.session, JSON.stringify(again));
    assert.equal(relay.stats().clients, 2);
  });

  it('rotating again keeps earlier secrets for live devices only; removing the secret admits anyone', async () => {
    relay = await RelayServer.start({ port: 0, secret: 's1', unregisteredRate: MANY_FROM_ONE_IP });
    const alice = generateIdentity();
    const a = await (await client()).register('alice', alice, 's1');
    assert.ok(a.ok);
    relay.setSecret('s2');
    relay.setSecret('s3');
    for (const s of ['s1', 's2']) {
      const r = await (await client()).register(`new-${s}`, undefined, s);
      assert.ok(!r.ok && r.code === 'BAD_SECRET', `${s}: ${JSON.stringify(r)}`);
    }
    const back = await (await client()).register('alice', alice, 's1');
    assert.ok(back.ok && a.ok && back.session === a.session);
    // A wrong secret is wrong for live devices too.
    const wrong = await (await client()).register('alice', alice, 'never');
    assert.ok(!wrong.ok && wrong.code === 'BAD_SECRET');

    relay.setSecret(undefined);
    assert.equal(relay.hasSecret, false);
    const anyone = await (await client()).register('carol');
    assert.ok(anyone.ok, JSON.stringify(anyone));
  });

  it('a relay that admitted anyone and then gets a secret keeps the devices already in', async () => {
    relay = await RelayServer.start({ port: 0, unregisteredRate: MANY_FROM_ONE_IP });
    const alice = generateIdentity();
    const a = await (await client()).register('alice', alice);
    assert.ok(a.ok);
    relay.setSecret('now-a-secret');
    const stranger = await (await client()).register('stranger');
    assert.ok(!stranger.ok && stranger.code === 'BAD_SECRET');
    const back = await (await client()).register('alice', alice);
    assert.ok(back.ok && a.ok && back.session === a.session);
  });
});
