import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateIdentity } from '../../src/crypto/identity';
import { RelayServer } from '../../src/relay/relayServer';
import { ImpairmentProxy } from '../support/impairmentProxy';
import { TestClient } from '../support/testClient';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('resuming a transfer', function () {
  this.timeout(120_000);

  it('after the receiver goes away mid-transfer, sending the same file again moves only the rest', async () => {
    const relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    // Bob talks through a proxy that counts what reaches him: the bytes on his wire.
    const proxy = await ImpairmentProxy.start({ target: relay.address(), seed: 11 });
    const bobKey = generateIdentity();
    const downloadDir = mkdtempSync(path.join(os.tmpdir(), 'peerchat-resume-dl-'));
    const src = path.join(mkdtempSync(path.join(os.tmpdir(), 'peerchat-resume-src-')), 'big.bin');
    const data = randomBytes(24 * 1024 * 1024);
    writeFileSync(src, data);
    // Through the relay as datagrams: the proxy then sees every byte bob gets, and the transfer
    // is slow enough to be caught at 40 % (over a direct TCP lane 24 MiB take ~0.1 s).
    const alice = await TestClient.join({ relay: relay.address(), nick: 'alice', streamLanes: false, directConnections: false });
    let bob = await TestClient.join({ relay: proxy.address(), nick: 'bob', acceptFiles: 'always', downloadDir }, bobKey);
    const saved = process.env.PEERCHAT_DATAGRAM_BYTES;
    try {
      await alice.waitForPeers(['bob']);
      // 4 KiB datagrams for the first attempt: at the engine's 65,000 bytes on loopback the whole
      // file could be across before bob's first progress event past 40 % (they come every 100 ms),
      // and there was nothing left to resume (seen once in a clean-clone run: alice got file-sent).
      process.env.PEERCHAT_DATAGRAM_BYTES = '4096';
      const first = await alice.client.sendFile('bob', src);
      await bob.waitFor('transfer-progress', (p) => p.direction === 'receive' && p.bytes >= data.length * 0.4, 60_000);
      if (saved === undefined) delete process.env.PEERCHAT_DATAGRAM_BYTES;
      else process.env.PEERCHAT_DATAGRAM_BYTES = saved;
      // Bob's client goes away (its transfer state and socket with it); his .part and map stay.
      await bob.leave();
      assert.equal(bob.all('file-received').length, 0, 'the first transfer was interrupted, not complete');
      await alice.waitFor('transfer-failed', (f) => f.id === first, 40_000);
      await alice.waitFor('presence', (p) => p.nick === 'bob' && !p.online, 20_000);
      const partial = readdirSync(path.join(downloadDir, '.peerchat-partial'));
      assert.ok(partial.some((n) => n.endsWith('.map')), `a chunk map was kept: ${partial}`);
      const wireBefore = proxy.stats().down.bytesForwarded;

      bob = await TestClient.join({ relay: proxy.address(), nick: 'bob', acceptFiles: 'always', downloadDir }, bobKey);
      await alice.waitForPeers(['bob']);
      await alice.client.sendFile('bob', src);
      const started = await bob.waitFor('transfer-started', (t) => t.direction === 'receive', 20_000);
      assert.ok(started.resumedBytes >= data.length * 0.3, `resumed at ${started.resumedBytes} of ${data.length}`);
      const got = await bob.waitFor('file-received', () => true, 60_000);
      assert.equal(sha256(readFileSync(got.path)), sha256(data), 'the resumed file is byte-identical');
      const secondWire = proxy.stats().down.bytesForwarded - wireBefore;
      assert.ok(secondWire < data.length * 0.75, `the second attempt moved ${secondWire} bytes for a ${data.length}-byte file`);
      assert.ok(!existsSync(path.join(downloadDir, '.peerchat-partial')), 'partial files are cleaned up');
    } finally {
      if (saved === undefined) delete process.env.PEERCHAT_DATAGRAM_BYTES;
      else process.env.PEERCHAT_DATAGRAM_BYTES = saved;
      await alice.leave();
      await bob.leave().catch(() => undefined);
      await proxy.close();
      await relay.close();
    }
  });

  it('starts over when the source file changed (another SHA-256)', async () => {
    const relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    const downloadDir = mkdtempSync(path.join(os.tmpdir(), 'peerchat-resume2-'));
    const src = path.join(mkdtempSync(path.join(os.tmpdir(), 'peerchat-resume2-src-')), 'doc.bin');
    writeFileSync(src, randomBytes(1024 * 1024));
    const alice = await TestClient.join({ relay: relay.address(), nick: 'alice' });
    const bob = await TestClient.join({ relay: relay.address(), nick: 'bob', acceptFiles: 'always', downloadDir });
    try {
      await alice.waitForPeers(['bob']);
      await alice.client.sendFile('bob', src);
      await bob.waitFor('file-received');
      const changed = randomBytes(1024 * 1024);
      writeFileSync(src, changed);
      await alice.client.sendFile('bob', src);
      const started = await bob.waitFor('transfer-started', (t) => bob.all('transfer-started').indexOf(t) === 1);
      assert.equal(started.resumedBytes, 0);
      const got = await bob.waitFor('file-received', (f) => path.basename(f.path) === 'doc (1).bin');
      assert.equal(sha256(readFileSync(got.path)), sha256(changed));
    } finally {
      await alice.leave();
      await bob.leave();
      await relay.close();
    }
  });
});

describe('resuming with another datagram size', function () {
  this.timeout(60_000);
  it('keeps what arrived when the same file is offered again in smaller chunks', async () => {
    const relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    const bobKey = generateIdentity();
    const downloadDir = mkdtempSync(path.join(os.tmpdir(), 'peerchat-rechunk-dl-'));
    const src = path.join(mkdtempSync(path.join(os.tmpdir(), 'peerchat-rechunk-src-')), 'big.bin');
    const data = randomBytes(24 * 1024 * 1024);
    writeFileSync(src, data);
    // Datagrams through the relay, whose size is what this is about: over a TCP lane the file
    // is across in ~0.1 s, often before bob's first progress event past 40 % (they come every
    // 100 ms), and the "interrupted" transfer had completed when bob left.
    const alice = await TestClient.join({ relay: relay.address(), nick: 'alice', streamLanes: false, directConnections: false });
    let bob = await TestClient.join({ relay: relay.address(), nick: 'bob', acceptFiles: 'always', downloadDir }, bobKey);
    const saved = process.env.PEERCHAT_DATAGRAM_BYTES;
    try {
      await alice.waitForPeers(['bob']);
      process.env.PEERCHAT_DATAGRAM_BYTES = '8192';
      await alice.client.sendFile('bob', src);
      await bob.waitFor('transfer-progress', (p) => p.direction === 'receive' && p.bytes >= data.length * 0.4, 60_000);
      await bob.leave();
      assert.equal(bob.all('file-received').length, 0, 'the first transfer was interrupted, not complete');
      await alice.waitFor('presence', (p) => p.nick === 'bob' && !p.online, 20_000);
      bob = await TestClient.join({ relay: relay.address(), nick: 'bob', acceptFiles: 'always', downloadDir }, bobKey);
      await alice.waitForPeers(['bob']);
      process.env.PEERCHAT_DATAGRAM_BYTES = '1200';
      await alice.client.sendFile('bob', src);
      const started = await bob.waitFor('transfer-started', (t) => t.direction === 'receive', 20_000);
      assert.ok(started.resumedBytes >= data.length * 0.3, `resumed at ${started.resumedBytes} of ${data.length}`);
      const got = await bob.waitFor('file-received', () => true, 60_000);
      assert.equal(sha256(readFileSync(got.path)), sha256(data));
    } finally {
      if (saved === undefined) delete process.env.PEERCHAT_DATAGRAM_BYTES;
      else process.env.PEERCHAT_DATAGRAM_BYTES = saved;
      await alice.leave();
      await bob.leave().catch(() => undefined);
      await relay.close();
    }
  });
});
