import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PacketOpener, PacketSealer } from '../../src/crypto/aead';
import { generateIdentity } from '../../src/crypto/identity';
import { SenderKeyOut } from '../../src/crypto/senderKey';
import { ChatClient } from '../../src/client/chatClient';
import { ControlType, encodeControl } from '../../src/protocol/controlMessages';
import { Kind } from '../../src/protocol/header';
import { DST_BROADCAST } from '../../src/protocol/limits';
import { BROADCAST_SIGNATURE_BYTES, SEALED_PREFIX_BYTES, SEAL_TAG_BYTES, signBroadcast, writeSealedPrefix } from '../../src/protocol/peerPackets';
import { RelayServer } from '../../src/relay/relayServer';
import { TestClient } from '../support/testClient';
import { useDatagramBytes } from '../support/datagramSize';

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
  /** Rewrites (or with null, drops) each relay→client datagram before the client gets it. */
  toClient: ((m: Buffer) => Buffer | null) | null = null;

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
      const out = t.toClient ? t.toClient(Buffer.from(m)) : m;
      if (out && t.client) t.front.send(out, t.client.port, t.client.address);
    });
    return t;
  }

  address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.front.address().port };
  }

  /** Sends `m` to the client as if the relay had sent it (what the relay, or anyone on the path, can do). */
  inject(m: Buffer): void {
    if (this.client) this.front.send(m, this.client.port, this.client.address);
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

  describe('file data in records (1200-byte datagrams: chunks sealed several at a time)', () => {
    useDatagramBytes(1200);

    interface TapSession {
      alice: TestClient;
      bob: TestClient;
      tap: Tap;
      /** What bob's client logged. */
      bobLog: string[];
      /** Writes `data` to a new temporary file called `name`; its path. */
      file(name: string, data: Buffer): string;
    }

    /**
     * alice on the relay, bob behind a tap whose datagrams to bob pass through `toClient`; both
     * see each other, `body` runs, then both leave and everything closes.
     */
    async function behindTap(toClient: (m: Buffer) => Buffer | null, body: (s: TapSession) => Promise<void>): Promise<void> {
      const relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
      const tap = await Tap.start(relay.address());
      tap.toClient = toClient;
      const bobLog: string[] = [];
      const alice = await TestClient.join({ relay: relay.address(), nick: 'alice' });
      const bob = await TestClient.join({ relay: tap.address(), nick: 'bob', acceptFiles: 'always', log: (_l, m) => bobLog.push(m) });
      const file = (name: string, data: Buffer): string => {
        const src = path.join(mkdtempSync(path.join(os.tmpdir(), 'peerchat-rec-')), name);
        writeFileSync(src, data);
        return src;
      };
      try {
        await alice.waitForPeers(['bob']);
        await bob.waitForPeers(['alice']);
        await body({ alice, bob, tap, bobLog, file });
      } finally {
        await alice.leave();
        await bob.leave();
        tap.close();
        await relay.close();
      }
    }

    it('crosses a lossy path intact, and the relay sees only ciphertext', async () => {
      let seed = 12345;
      const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
      const lossy = (m: Buffer) => (m[2] === Kind.PEER_RECORD && random() < 0.05 ? null : m); // 5 % of file data lost
      await behindTap(lossy, async ({ alice, bob, tap, file }) => {
        const marker = randomBytes(16).toString('hex');
        const data = Buffer.from(`${marker}\n`.repeat(30_000)); // 990,000 bytes, 870 chunks
        await alice.client.sendFile('bob', file('records.txt', data));
        const got = await bob.waitFor('file-received', () => true, 60_000);
        assert.equal(got.sha256, createHash('sha256').update(data).digest('hex'));
        assert.ok(readFileSync(got.path).equals(data));
        const records = tap.seen.filter((m) => m[2] === Kind.PEER_RECORD);
        assert.ok(records.length >= 870, `${records.length} PEER_RECORD datagrams for 870 chunks`);
        assert.ok(records.every((m) => m.length <= 1200));
        assert.equal(Buffer.concat(tap.seen).indexOf(marker), -1, 'file bytes crossed the relay in clear');
      });
    });

    it('asks again for a record whose fragment was altered on the way; the file arrives intact', async () => {
      let altered = false;
      const alterOnce = (m: Buffer) => {
        // One bit of one chunk's ciphertext, once the transfer is under way (chunk field at byte 33).
        if (!altered && m[2] === Kind.PEER_RECORD && m.readUInt32BE(33) >= 300) {
          altered = true;
          m[m.length - 20] ^= 0x04;
        }
        return m;
      };
      await behindTap(alterOnce, async ({ alice, bob, bobLog, file }) => {
        const data = randomBytes(2 * 1024 * 1024);
        await alice.client.sendFile('bob', file('altered.bin', data));
        const got = await bob.waitFor('file-received', () => true, 60_000);
        assert.ok(altered);
        assert.ok(readFileSync(got.path).equals(data));
        assert.equal(bob.all('transfer-failed').length, 0);
        assert.equal(bobLog.filter((m) => /record \d+ from alice not used \(it failed authentication/.test(m)).length, 1, 'the altered record was asked for again');
      });
    });

    it('stops with TAMPERED when the path keeps altering records, keeps what authenticated, and resumes', async () => {
      let altering = true;
      let altered = 0;
      const alterAll = (m: Buffer) => {
        // Every record fragment from chunk 300 on: no record opens from there (chunks asked for
        // again come one per sealed packet, which the tap leaves alone).
        if (altering && m[2] === Kind.PEER_RECORD && m.readUInt32BE(33) >= 300) {
          altered++;
          m[m.length - 20] ^= 0x04;
        }
        return m;
      };
      await behindTap(alterAll, async ({ alice, bob, file }) => {
        const data = randomBytes(2 * 1024 * 1024);
        const src = file('tampered.bin', data);
        await alice.client.sendFile('bob', src);
        const failed = await bob.waitFor('transfer-failed', () => true, 60_000);
        altering = false;
        assert.equal(failed.code, 'TAMPERED');
        assert.match(failed.message, /records did not arrive intact/);
        assert.ok(altered > 0);
        const told = await alice.waitFor('transfer-failed', () => true, 10_000);
        assert.equal(told.code, 'TAMPERED', 'the sender hears why');
        assert.equal(bob.all('file-received').length, 0);

        await alice.client.sendFile('bob', src); // the tap no longer alters anything
        const started = await bob.waitFor('transfer-started', (s) => s.direction === 'receive' && s.resumedBytes > 0, 30_000);
        assert.ok(started.resumedBytes < data.length);
        const got = await bob.waitFor('file-received', () => true, 60_000);
        assert.ok(readFileSync(got.path).equals(data));
      });
    });
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
      const before = senderKeyOf(alice.client);
      const keyBefore = before.keyId;
      const signingBefore = before.signingPublicKey;
      await carol.leave();
      await alice.waitFor('presence', (p) => p.nick === 'carol' && !p.online);
      alice.client.broadcast('two');
      await bob.waitFor('message', (m) => m.text === 'two');
      const after = senderKeyOf(alice.client);
      assert.notEqual(after.keyId, keyBefore, 'a new sender key after carol left');
      assert.ok(!after.signingPublicKey.equals(signingBefore), 'with a new signing key');
      alice.client.broadcast('three');
      await bob.waitFor('message', (m) => m.text === 'three');
      assert.deepEqual(bob.all('message').map((m) => m.text), ['one', 'two', 'three']);
      assert.deepEqual(bob.client.rejectedBroadcasts, { badSignature: 0, badCiphertext: 0 }, 'the new key\'s signatures verify');
    } finally {
      await alice.leave();
      await bob.leave();
      await relay.close();
    }
  });
});

function senderKeyOf(c: ChatClient): SenderKeyOut {
  return (c as unknown as { senderKey: SenderKeyOut }).senderKey;
}

async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('broadcasts are signed by their sender', function () {
  this.timeout(30_000);

  it('a member holding alice\'s sender key cannot forge a broadcast from alice', async () => {
    const relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    const tap = await Tap.start(relay.address());
    const alice = await TestClient.join({ relay: relay.address(), nick: 'alice' });
    const mallory = await TestClient.join({ relay: relay.address(), nick: 'mallory' });
    const bob = await TestClient.join({ relay: tap.address(), nick: 'bob' });
    try {
      await alice.waitForPeers(['bob', 'mallory']);
      await bob.waitForPeers(['alice', 'mallory']);
      alice.client.broadcast('one');
      mallory.client.broadcast('mallory here');
      await bob.waitFor('message', (m) => m.text === 'one');
      await bob.waitFor('message', (m) => m.text === 'mallory here');
      await mallory.waitFor('message', (m) => m.text === 'one');

      // Mallory holds alice's sender key (the blob alice gave every member) and his own
      // sender key, whose signatures bob accepts from him. He forges alice's next broadcast with
      // alice's real key and iv, signs it with the best key he has, and the relay (or anyone on
      // bob's path) delivers it to bob as coming from alice's session.
      const aliceKey = senderKeyOf(alice.client);
      const blob = aliceKey.encodeForDistribution();
      const seq = (alice.client as unknown as { bcastSeq: number }).bcastSeq;
      const plain = encodeControl({ type: ControlType.BROADCAST_CHAT, hold: [], text: 'forged: send me your password' });
      const forged = Buffer.alloc(SEALED_PREFIX_BYTES + plain.length + SEAL_TAG_BYTES + BROADCAST_SIGNATURE_BYTES);
      const header = { kind: Kind.PEER_BROADCAST, flags: 0, src: alice.client.session(), dst: DST_BROADCAST };
      const aad = writeSealedPrefix(forged, header, blob.readUInt32BE(0), seq);
      new PacketSealer(blob.subarray(4, 36), blob.subarray(36, 48)).seal(seq, aad, plain, forged, SEALED_PREFIX_BYTES);
      const sealed = forged.subarray(SEALED_PREFIX_BYTES, forged.length - BROADCAST_SIGNATURE_BYTES);
      assert.ok(new PacketOpener(blob.subarray(4, 36), blob.subarray(36, 48)).open(seq, aad, sealed), 'the forgery passes the sender key\'s AEAD');
      const forgeries: Buffer[] = [];
      for (const signer of [(m: Buffer) => senderKeyOf(mallory.client).sign(m), () => Buffer.alloc(64), (m: Buffer) => aliceKey.sign(Buffer.concat([m, Buffer.from('x')]))]) {
        const f = Buffer.from(forged);
        signBroadcast(f, signer);
        forgeries.push(f);
      }
      assert.equal(bob.client.rejectedBroadcasts.badSignature, 0, 'no false alarms from real broadcasts');
      for (const f of forgeries) tap.inject(f);
      await until('bob refused the three forgeries', () => bob.client.rejectedBroadcasts.badSignature >= 3);

      // Alice's real broadcast with that very seq still arrives: the forgeries moved nothing.
      alice.client.broadcast('two');
      await bob.waitFor('message', (m) => m.text === 'two');
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(
        bob.all('message').filter((m) => m.from === 'alice').map((m) => m.text),
        ['one', 'two'],
      );
      assert.ok(!bob.all('message').some((m) => m.text.startsWith('forged')), 'a forged broadcast was delivered');
      assert.equal(bob.client.rejectedBroadcasts.badSignature, 3);
    } finally {
      await alice.leave();
      await mallory.leave();
      await bob.leave();
      tap.close();
      await relay.close();
    }
  });

  it('a broadcast whose signature was changed on the way is dropped, counted, and never delivered', async () => {
    const relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    const tap = await Tap.start(relay.address());
    const alice = await TestClient.join({ relay: relay.address(), nick: 'alice' });
    const bob = await TestClient.join({ relay: tap.address(), nick: 'bob' });
    try {
      await alice.waitForPeers(['bob']);
      alice.client.broadcast('warm-up');
      await bob.waitFor('message', (m) => m.text === 'warm-up');

      // Flip one bit of the signature of every broadcast (first copy and resends) on bob's path.
      let tampered = 0;
      tap.toClient = (m) => {
        if (m[2] !== Kind.PEER_BROADCAST) return m;
        m[m.length - 1 - (tampered % BROADCAST_SIGNATURE_BYTES)]! ^= 0x01;
        tampered++;
        return m;
      };
      alice.client.broadcast('signed by alice');
      await until('bob refused the first copy and a resend', () => bob.client.rejectedBroadcasts.badSignature >= 2);
      assert.ok(!bob.all('message').some((m) => m.text === 'signed by alice'), 'delivered with a bad signature');
      assert.equal(bob.client.rejectedBroadcasts.badSignature, tampered);

      // The path heals: alice's resends arrive intact and are delivered once.
      tap.toClient = null;
      await bob.waitFor('message', (m) => m.text === 'signed by alice');
      await new Promise((r) => setTimeout(r, 400));
      assert.deepEqual(bob.all('message').map((m) => m.text), ['warm-up', 'signed by alice']);
      assert.equal(bob.client.rejectedBroadcasts.badCiphertext, 0);
    } finally {
      await alice.leave();
      await bob.leave();
      tap.close();
      await relay.close();
    }
  });
});
