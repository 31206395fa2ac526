/**
 * One person, several devices (issue 11): clients that share an identity key are devices of one
 * member. Nobody is moved or kicked, the roster shows the member once, what is addressed to the
 * member reaches every device, what one device sends shows on the others, and a file offer is
 * answered by the first device that answers it. Real relay, real sockets, in-process clients.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateIdentity, Identity } from '../../src/crypto/identity';
import { RelayServer } from '../../src/relay/relayServer';
import { TestClient } from '../support/testClient';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('members with several devices', function () {
  this.timeout(60_000);
  let relay: RelayServer;
  const clients: TestClient[] = [];
  const moved: string[] = [];
  const renamed: string[] = [];

  beforeEach(async () => {
    relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    moved.length = 0;
    renamed.length = 0;
    relay.on('moved', (p) => moved.push(p.nick));
    relay.on('leave', (p) => p.reason === 'renamed' && renamed.push(p.nick));
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.client.leave().catch(() => undefined)));
    await relay.close();
  });

  async function join(nick: string, identity?: Identity, opts: { shareDirs?: string[]; acceptFiles?: 'ask' | 'always' } = {}): Promise<TestClient> {
    const c = await TestClient.join({ relay: relay.address(), nick, ...opts }, identity);
    clients.push(c);
    return c;
  }

  it('two and three devices of one identity chat with a peer both ways, exactly once, without flapping', async () => {
    const alice = generateIdentity();
    const a1 = await join('alice', alice);
    const a2 = await join('alice', alice);
    const bob = await join('bob');
    assert.equal(a2.all('registered')[0].devices, 2, 'the second window hears it is another device');
    await bob.waitFor('roster', (r) => r.members.some((m) => m.nick === 'alice' && m.devices === 2));
    assert.deepEqual(bob.client.members(), [{ nick: 'alice', devices: 2 }], 'one member, two devices');
    await a1.waitForPeers(['bob']);
    await a2.waitForPeers(['bob']);

    bob.client.broadcast('hello alice, all of you');
    bob.client.sendPrivate('alice', 'just you, alice');
    a1.client.broadcast('from window one');
    a2.client.sendPrivate('bob', 'from window two, privately');
    for (const a of [a1, a2]) {
      await a.waitFor('message', (m) => m.text === 'hello alice, all of you');
      await a.waitFor('message', (m) => m.text === 'just you, alice' && m.private);
    }
    await bob.waitFor('message', (m) => m.text === 'from window one' && !m.private && m.from === 'alice');
    await bob.waitFor('message', (m) => m.text === 'from window two, privately' && m.private && m.from === 'alice');
    // What one device sent shows on the other as sent by the member.
    await a2.waitFor('message-sent', (m) => m.text === 'from window one' && m.otherDevice === true && m.to === undefined);
    await a1.waitFor('message-sent', (m) => m.text === 'from window two, privately' && m.otherDevice === true && m.to === 'bob');
    // A third device (a terminal, say) joins and gets what is sent from then on.
    const a3 = await join('alice', alice);
    await bob.waitFor('member-devices', (d) => d.nick === 'alice' && d.devices === 3);
    await a3.waitForPeers(['bob']);
    bob.client.broadcast('three of you now');
    for (const a of [a1, a2, a3]) await a.waitFor('message', (m) => m.text === 'three of you now');
    await new Promise((r) => setTimeout(r, 500));
    for (const a of [a1, a2]) {
      const texts = a.all('message').map((m) => m.text);
      assert.deepEqual(texts, ['hello alice, all of you', 'just you, alice', 'three of you now'], 'each exactly once, in order');
    }
    // Two devices are two senders: each one's messages in order, no order between them.
    assert.deepEqual(bob.all('message').map((m) => m.text).sort(), ['from window one', 'from window two, privately']);
    assert.deepEqual(bob.all('presence').map((p) => `${p.nick}:${p.online}`), [], 'joins of a member already online are not presence changes');
    assert.equal(bob.all('peer-key-changed').length, 0, 'a new device of a known identity is not a key change');
    for (const c of [a1, a2, a3, bob]) assert.equal(c.all('registered').length, 1, 'registered once: no flapping');
    assert.deepEqual(moved, []);
    assert.deepEqual(renamed, []);
    // Delivery: bob's broadcast was acknowledged by every device of every member.
    const sent = bob.all('message-sent').find((m) => m.text === 'three of you now')!;
    const delivered = await bob.waitFor('message-delivered', (d) => d.id === sent.id);
    assert.equal(delivered.devices, 3);
    // One device leaves: alice stays online on the others.
    await a3.client.leave();
    await bob.waitFor('member-devices', (d) => d.nick === 'alice' && d.devices === 2);
    assert.equal(bob.all('presence').length, 0);
  });

  it('a file offered to a member shows on every device; the first to accept gets it, the other sees it answered elsewhere', async () => {
    const alice = generateIdentity();
    const a1 = await join('alice', alice);
    const a2 = await join('alice', alice);
    const bob = await join('bob');
    await bob.waitFor('roster', (r) => r.members.some((m) => m.nick === 'alice' && m.devices === 2));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'peerchat-devices-'));
    const data = randomBytes(300_000);
    const file = path.join(dir, 'notes.bin');
    writeFileSync(file, data);
    const id = await bob.client.sendFile('alice', file);
    const o1 = await a1.waitFor('file-offer', (o) => o.name === 'notes.bin');
    const o2 = await a2.waitFor('file-offer', (o) => o.name === 'notes.bin');
    await a2.client.accept(o2.id);
    const got = await a2.waitFor('file-received', (f) => f.id === o2.id);
    assert.equal(sha(readFileSync(got.path)), sha(data));
    const elsewhere = await a1.waitFor('transfer-failed', (f) => f.id === o1.id);
    assert.equal(elsewhere.code, 'ANSWERED_ELSEWHERE');
    await bob.waitFor('file-sent', (f) => f.id === id);
    assert.equal(bob.all('transfer-failed').length, 0, 'the sender sees one transfer that succeeded');
    // A late accept on the other device is refused clearly.
    await assert.rejects(a1.client.accept(o1.id), (e: Error & { code?: string }) => e.code === 'BAD_COMMAND');

    // The other way: a device of alice offers bob a file.
    const back = randomBytes(70_000);
    const file2 = path.join(dir, 'back.bin');
    writeFileSync(file2, back);
    await a1.client.sendFile('bob', file2);
    const offer = await bob.waitFor('file-offer', (o) => o.name === 'back.bin');
    await bob.client.accept(offer.id);
    const recv = await bob.waitFor('file-received', (f) => f.id === offer.id);
    assert.equal(sha(readFileSync(recv.path)), sha(back));
  });

  it('the first device to decline answers the offer for the member', async () => {
    const alice = generateIdentity();
    const a1 = await join('alice', alice);
    const a2 = await join('alice', alice);
    const bob = await join('bob');
    await bob.waitFor('roster', (r) => r.members.some((m) => m.nick === 'alice' && m.devices === 2));
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'peerchat-devices-')), 'x.txt');
    writeFileSync(file, 'x');
    const id = await bob.client.sendFile('alice', file);
    const o1 = await a1.waitFor('file-offer');
    const o2 = await a2.waitFor('file-offer');
    a1.client.decline(o1.id);
    const failed = await bob.waitFor('transfer-failed', (f) => f.id === id);
    assert.equal(failed.code, 'DECLINED');
    assert.equal((await a2.waitFor('transfer-failed', (f) => f.id === o2.id)).code, 'ANSWERED_ELSEWHERE');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(bob.all('transfer-failed').length, 1, 'one answer, reported once');
  });

  it('a request to a member is served by the device that shares the file; the others do not answer for it', async () => {
    const alice = generateIdentity();
    const share = mkdtempSync(path.join(os.tmpdir(), 'peerchat-share-'));
    mkdirSync(path.join(share, 'docs'));
    writeFileSync(path.join(share, 'docs', 'plan.md'), '# the plan\n');
    await join('alice', alice); // a window with no shared folder: it refuses by itself
    await join('alice', alice, { shareDirs: [share] });
    const bob = await join('bob');
    await bob.waitFor('roster', (r) => r.members.some((m) => m.nick === 'alice' && m.devices === 2));
    const a2 = clients[1];
    const id = await bob.client.requestFile('alice', 'docs/plan.md');
    const asked = await a2.waitFor('file-request', (r) => r.name === 'docs/plan.md');
    await a2.client.accept(asked.id);
    const got = await bob.waitFor('file-received', (f) => f.id === id);
    assert.equal(readFileSync(got.path, 'utf8'), '# the plan\n');
    assert.equal(bob.all('request-denied').length, 0);
  });

  it('the same identity asking for another nickname gets NICK_MISMATCH; its devices keep their name', async () => {
    const alice = generateIdentity();
    const a1 = await join('alice', alice);
    await assert.rejects(TestClient.join({ relay: relay.address(), nick: 'alicia' }, alice), (e: Error & { code?: string }) => {
      return e.code === 'NICK_MISMATCH' && /online as alice/.test(e.message);
    });
    const bob = await join('bob');
    await bob.waitForPeers(['alice']);
    assert.deepEqual(bob.client.online(), ['alice']);
    assert.equal(a1.client.nick, 'alice');
  });
});
