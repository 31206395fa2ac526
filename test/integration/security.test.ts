import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateIdentity } from '../../src/crypto/identity';
import { RelayServer } from '../../src/relay/relayServer';
import { TestClient } from '../support/testClient';

/**
 * A "tap" between one client and the relay: forwards both ways like the relay's own network
 * would, and records every datagram. It stands for everything the relay (or anyone on the path)
 * can see, and it can replay what it saw.
 */
class Tap {
  readonly seen: Buffer[] = [];
  private readonly front = dgram.createSocket('udp4');
  private readonly back = dgram.createSocket('udp4');
  private client: dgram.RemoteInfo | null = null;

  static async start(relay: { host: string; port: number }): Promise<Tap> {
    const t = new Tap();
    await new Promise<void>((r) => t.front.bind(0, '127.0.0.1', () => r()));
    await new Promise<void>((r) => t.back.bind(0, '127.0.0.1', () => r()));
    t.front.on('message', (m, rinfo) => {
      t.client = rinfo;
      t.seen.push(Buffer.from(m));
      t.back.send(m, relay.port, relay.host);
    });
    t.back.on('message', (m) => {
      t.seen.push(Buffer.from(m));
      if (t.client) t.front.send(m, t.client.port, t.client.address);
    });
    return t;
  }

  address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.front.address().port };
  }

  /** Sends every recorded relay→client datagram to the client again. */
  async replayToClient(): Promise<number> {
    const all = this.seen.slice();
    for (const m of all) {
      if (this.client) this.front.send(m, this.client.port, this.client.address);
      await new Promise((r) => setImmediate(r));
    }
    return all.length;
  }

  close(): void {
    this.front.close();
    this.back.close();
  }
}

describe('end-to-end security', function () {
  this.timeout(60_000);

  it('the relay sees no plaintext of messages or files, and replayed datagrams deliver nothing twice', async () => {
    const relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    const tap = await Tap.start(relay.address());
    const alice = await TestClient.join({ relay: relay.address(), nick: 'alice' });
    const bob = await TestClient.join({ relay: tap.address(), nick: 'bob', acceptFiles: 'always' });
    try {
      await alice.waitForPeers(['bob']);
      await bob.waitForPeers(['alice']);
      const secretBroadcast = `broadcast-${randomBytes(8).toString('hex')}`;
      const secretPrivate = `private-${randomBytes(8).toString('hex')}`;
      alice.client.broadcast(secretBroadcast);
      alice.client.sendPrivate('bob', secretPrivate);
      await bob.waitFor('message', (m) => m.text === secretPrivate);
      const fileMarker = randomBytes(16).toString('hex');
      const src = path.join(mkdtempSync(path.join(os.tmpdir(), 'peerchat-sec-')), 'secret.txt');
      writeFileSync(src, `${fileMarker}\n`.repeat(2000));
      await alice.client.sendFile('bob', src);
      await bob.waitFor('file-received', () => true, 30_000);

      const wire = Buffer.concat(tap.seen);
      for (const needle of [secretBroadcast, secretPrivate, fileMarker]) {
        assert.equal(wire.indexOf(needle), -1, `"${needle}" crossed the relay in clear`);
      }
      assert.ok(wire.length > 2000 * 33, 'the tap did see the file go by');

      // Replay everything the relay ever sent bob: authenticated, but already seen.
      const before = bob.all('message').length;
      const replayed = await tap.replayToClient();
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(replayed > 10);
      assert.equal(bob.all('message').length, before, 'a replayed datagram delivered a message again');
      assert.equal(bob.all('file-received').length, 1);
      assert.deepEqual(bob.all('message').map((m) => m.text), [secretBroadcast, secretPrivate]);
    } finally {
      await alice.leave();
      await bob.leave();
      tap.close();
      await relay.close();
    }
  });

  it('refuses a nickname held by another key, and gives it back to the same key from a new address', async () => {
    const relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    const aliceKey = generateIdentity();
    const alice = await TestClient.join({ relay: relay.address(), nick: 'alice' }, aliceKey);
    try {
      await assert.rejects(
        TestClient.join({ relay: relay.address(), nick: 'Alice' }, generateIdentity()),
        (e: Error & { code?: string }) => e.code === 'NICK_TAKEN',
      );
      // The same key from another socket (a second window, a new network) gets the name back.
      const again = await TestClient.join({ relay: relay.address(), nick: 'alice' }, aliceKey);
      assert.equal(again.client.nick, 'alice');
      await again.leave();
    } finally {
      await alice.leave().catch(() => undefined);
      await relay.close();
    }
  });

  it('warns when a known nickname comes back with another key, and holds file transfers with it', async () => {
    const relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    const pins = new Map<string, string>();
    const pinStore = { get: (k: string) => pins.get(k), set: (k: string, v: string) => void pins.set(k, v) };
    const alice = await TestClient.join({ relay: relay.address(), nick: 'alice', pins: pinStore });
    let bob = await TestClient.join({ relay: relay.address(), nick: 'bob' });
    try {
      await alice.waitForPeers(['bob']);
      alice.client.sendPrivate('bob', 'hi');
      await bob.waitFor('message', (m) => m.text === 'hi');
      assert.ok(pins.get('bob'), 'bob was pinned on first use');
      await bob.leave();
      await alice.waitFor('presence', (p) => p.nick === 'bob' && !p.online);
      bob = await TestClient.join({ relay: relay.address(), nick: 'bob' }, generateIdentity());
      await alice.waitForPeers(['bob']);
      alice.client.sendPrivate('bob', 'is it you?');
      const changed = await alice.waitFor('peer-key-changed', (k) => k.nick === 'bob');
      assert.notEqual(changed.oldFingerprint, changed.newFingerprint);
      const src = path.join(mkdtempSync(path.join(os.tmpdir(), 'peerchat-pin-')), 'f.txt');
      writeFileSync(src, 'x');
      await assert.rejects(alice.client.sendFile('bob', src), (e: Error & { code?: string }) => e.code === 'PEER_KEY_CHANGED');
      alice.client.trustPeer('bob');
      await alice.client.sendFile('bob', src);
      await bob.waitFor('file-offer');
    } finally {
      await alice.leave();
      await bob.leave();
      await relay.close();
    }
  });
});

describe('broadcast sender keys', function () {
  this.timeout(30_000);
  it('rotates the sender key after someone leaves, so a former member cannot read new broadcasts', async () => {
    const relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    const alice = await TestClient.join({ relay: relay.address(), nick: 'alice' });
    const bob = await TestClient.join({ relay: relay.address(), nick: 'bob' });
    const carol = await TestClient.join({ relay: relay.address(), nick: 'carol' });
    try {
      await alice.waitForPeers(['bob', 'carol']);
      alice.client.broadcast('one');
      await bob.waitFor('message', (m) => m.text === 'one');
      await carol.waitFor('message', (m) => m.text === 'one');
      const keyBefore = (alice.client as unknown as { senderKey: { keyId: number } }).senderKey.keyId;
      await carol.leave();
      await alice.waitFor('presence', (p) => p.nick === 'carol' && !p.online);
      alice.client.broadcast('two');
      await bob.waitFor('message', (m) => m.text === 'two');
      const keyAfter = (alice.client as unknown as { senderKey: { keyId: number } }).senderKey.keyId;
      assert.notEqual(keyAfter, keyBefore, 'a new sender key after carol left');
      assert.deepEqual(bob.all('message').map((m) => m.text), ['one', 'two']);
    } finally {
      await alice.leave();
      await bob.leave();
      await relay.close();
    }
  });
});
