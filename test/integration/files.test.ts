import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FORGET_AFTER_MS, type FileTransfers } from '../../src/client/fileTransfers';
import { RelayServer } from '../../src/relay/relayServer';
import { ImpairmentProxy } from '../support/impairmentProxy';
import { TestClient } from '../support/testClient';

/** The impairment proxy's seed (PEERCHAT_FILES_SEED: to sweep the lossy-path tests for a rare failure). */
const PROXY_SEED = Number(process.env.PEERCHAT_FILES_SEED ?? 7);

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function tempDir(tag: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `peerchat-${tag}-`));
}

describe('file transfer', function () {
  this.timeout(90_000);
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

  async function pair(
    aliceOpts: Partial<Parameters<typeof TestClient.join>[0]> = {},
    bobOpts: Partial<Parameters<typeof TestClient.join>[0]> = {},
    impairment?: Record<string, number>,
  ): Promise<[TestClient, TestClient]> {
    let addr = relay.address();
    if (impairment) {
      const proxy = await ImpairmentProxy.start({ target: addr, seed: PROXY_SEED, upstream: impairment, downstream: impairment });
      proxies.push(proxy);
      addr = proxy.address();
    }
    const alice = await TestClient.join({ relay: addr, nick: 'alice', ...aliceOpts });
    const bob = await TestClient.join({ relay: addr, nick: 'bob', ...bobOpts });
    clients.push(alice, bob);
    await alice.waitForPeers(['bob'], 20_000);
    await bob.waitForPeers(['alice'], 20_000);
    return [alice, bob];
  }

  /** alice sends bob `bytes` random bytes as `name`; bob saves them intact (a failure fails at once). */
  async function sendIntact(alice: TestClient, bob: TestClient, name: string, bytes = 2 * 1024 * 1024): Promise<void> {
    const src = path.join(tempDir('src'), name);
    const data = randomBytes(bytes);
    writeFileSync(src, data);
    await alice.client.sendFile('bob', src);
    const got = await Promise.race([
      bob.waitFor('file-received', () => true, 80_000),
      bob.waitFor('transfer-failed', () => true, 80_000).then((f) => assert.fail(`the transfer failed: ${f.code}: ${f.message}`)),
    ]);
    assert.equal(sha256(readFileSync(got.path)), sha256(data));
  }

  it('sends a file that the receiver accepts; bytes and SHA-256 match on disk', async () => {
    const [alice, bob] = await pair();
    const src = path.join(tempDir('src'), 'report.bin');
    const data = randomBytes(3 * 1024 * 1024 + 123);
    writeFileSync(src, data);
    const id = await alice.client.sendFile('bob', src);
    const offer = await bob.waitFor('file-offer');
    assert.equal(offer.name, 'report.bin');
    assert.equal(offer.bytes, data.length);
    assert.equal(offer.from, 'alice');
    await bob.client.accept(offer.id);
    const got = await bob.waitFor('file-received', () => true, 60_000);
    const sent = await alice.waitFor('file-sent', (f) => f.id === id, 60_000);
    assert.equal(got.sha256, sha256(data));
    assert.equal(sent.sha256, sha256(data));
    assert.equal(sha256(readFileSync(got.path)), sha256(data));
    assert.equal(path.basename(got.path), 'report.bin');
    assert.ok(bob.all('transfer-progress').length > 0, 'the receiver saw progress');
    assert.ok(alice.all('transfer-progress').length > 0, 'the sender saw progress');
    assert.deepEqual(readdirSync(bob.downloadDir).sort(), ['report.bin'], 'no .part or map file left behind');
  });

  it('arrives byte-identical over a path with 10 % loss, duplicates, reordering and bit flips', async () => {
    const [alice, bob] = await pair({}, { acceptFiles: 'always' }, { loss: 0.1, duplicate: 0.03, reorder: 0.05, corrupt: 0.01 });
    await sendIntact(alice, bob, 'lossy.bin');
    assert.equal(proxies[0].stats().up.dropped > 0, true, 'the path really dropped datagrams');
  });

  it('asks again for a record that a bit flip damaged: at 1200-byte datagrams the file arrives intact', async () => {
    // Record fragments are acknowledged one by one but authenticated per record (docs/protocol.md
    // "Records"). A bit flip the UDP checksum misses (the proxy recomputes it) used to fail the
    // whole transfer with TAMPERED; now bob asks for the record again (FILE_RESEND).
    const logs = { alice: [] as string[], bob: [] as string[] };
    const viaRelay = { directConnections: false, streamLanes: false } as const;
    const before = process.env.PEERCHAT_DATAGRAM_BYTES;
    process.env.PEERCHAT_DATAGRAM_BYTES = '1200'; // records are used at small datagram sizes only
    try {
      const [alice, bob] = await pair(
        { ...viaRelay, log: (_level, m) => logs.alice.push(m) },
        { ...viaRelay, acceptFiles: 'always', log: (_level, m) => logs.bob.push(m) },
        { corrupt: 0.005, loss: 0.01 },
      );
      await sendIntact(alice, bob, 'flipped.bin');
      assert.ok(proxies[0].stats().up.corrupted > 0, 'the path really flipped bits');
      const asked = logs.bob.filter((m) => /record \d+ from alice not used \(it failed authentication.*\); asking for its chunks again/.test(m));
      assert.ok(asked.length > 0, 'bob asked for a damaged record again');
      assert.ok(logs.alice.some((m) => /bob asked for record \d+ of flipped\.bin again \([1-9]\d* chunks\)/.test(m)), 'alice sent its chunks again');
    } finally {
      if (before === undefined) delete process.env.PEERCHAT_DATAGRAM_BYTES;
      else process.env.PEERCHAT_DATAGRAM_BYTES = before;
    }
  });

  it('hashes a big file on the hash worker when told to, on its own thread when not: intact either way, chunks out of order', async () => {
    // docs/protocol.md "File transfer": files of 4 MiB or more may be hashed on a worker thread
    // that reads the written prefix back. Loss and reordering make the writes land out of order.
    const viaRelay = { directConnections: false, streamLanes: false } as const;
    for (const hashThread of [true, false]) {
      const logs: string[] = [];
      const [alice, bob] = await pair(
        viaRelay,
        { ...viaRelay, acceptFiles: 'always', hashThread, log: (_level, m) => logs.push(m) },
        { loss: 0.03, reorder: 0.05 },
      );
      await sendIntact(alice, bob, `hashed-${hashThread}.bin`, 9 * 1024 * 1024 + 77);
      const where = hashThread ? 'on the hash worker' : 'on this thread';
      assert.ok(logs.some((m) => m.includes(`SHA-256 of hashed-${hashThread}.bin computed ${where}`)), `bob hashed ${where}`);
      await Promise.all(clients.splice(0).map((c) => c.leave()));
      await Promise.all(proxies.splice(0).map((p) => p.close()));
    }
  });

  it('never overwrites: a second file with the same name is saved as "name (1).ext"', async () => {
    const [alice, bob] = await pair({}, { acceptFiles: 'always' });
    writeFileSync(path.join(bob.downloadDir, 'notes.txt'), 'already here');
    const src = path.join(tempDir('src'), 'notes.txt');
    writeFileSync(src, 'new notes');
    await alice.client.sendFile('bob', src);
    const got = await bob.waitFor('file-received');
    assert.equal(path.basename(got.path), 'notes (1).txt');
    assert.equal(readFileSync(path.join(bob.downloadDir, 'notes.txt'), 'utf8'), 'already here');
    assert.equal(readFileSync(got.path, 'utf8'), 'new notes');
  });

  it('tells the sender DECLINED when the receiver declines', async () => {
    const [alice, bob] = await pair();
    const src = path.join(tempDir('src'), 'x.txt');
    writeFileSync(src, 'x');
    const id = await alice.client.sendFile('bob', src);
    const offer = await bob.waitFor('file-offer');
    bob.client.decline(offer.id);
    const failed = await alice.waitFor('transfer-failed', (f) => f.id === id);
    assert.equal(failed.code, 'DECLINED');
    assert.deepEqual(readdirSync(bob.downloadDir), []);
  });

  it('declines an offer above the size limit with FILE_TOO_LARGE', async () => {
    const [alice] = await pair({}, { maxIncomingBytes: 1000 });
    const src = path.join(tempDir('src'), 'big.bin');
    writeFileSync(src, randomBytes(5000));
    const id = await alice.client.sendFile('bob', src);
    const failed = await alice.waitFor('transfer-failed', (f) => f.id === id);
    assert.equal(failed.code, 'FILE_TOO_LARGE');
  });

  it('refuses a missing file and an unknown peer with clear codes', async () => {
    const [alice] = await pair();
    await assert.rejects(alice.client.sendFile('bob', '/nonexistent/file.txt'), (e: Error & { code?: string }) => e.code === 'FILE_NOT_FOUND');
    const src = path.join(tempDir('src'), 'a.txt');
    writeFileSync(src, 'a');
    await assert.rejects(alice.client.sendFile('zed', src), (e: Error & { code?: string }) => e.code === 'UNKNOWN_PEER');
  });

  it('lets the receiver cancel mid-transfer; the sender hears CANCELLED and nothing is published', async () => {
    // As datagrams through the relay: over a direct TCP lane on loopback the whole 64 MiB can be
    // across before bob's first progress event, and there would be nothing left to cancel.
    const slow = { streamLanes: false, directConnections: false } as const;
    const [alice, bob] = await pair(slow, slow);
    const src = path.join(tempDir('src'), 'long.bin');
    writeFileSync(src, randomBytes(64 * 1024 * 1024));
    const id = await alice.client.sendFile('bob', src);
    const offer = await bob.waitFor('file-offer');
    await bob.client.accept(offer.id);
    const progress = await bob.waitFor('transfer-progress', (p) => p.bytes > 0, 30_000);
    assert.ok(progress.bytes < progress.total, `bob had ${progress.bytes} of ${progress.total} bytes at his first progress event: nothing left to cancel`);
    bob.client.cancel(offer.id);
    const failed = await alice.waitFor('transfer-failed', (f) => f.id === id, 20_000);
    assert.equal(failed.code, 'CANCELLED');
    assert.ok(!readdirSync(bob.downloadDir).includes('long.bin'));
    assert.equal(bob.all('file-received').length, 0);
  });

  it('lets the receiver cancel as soon as data starts, with default settings (a TCP lane); nothing is published', async () => {
    const [alice, bob] = await pair();
    const src = path.join(tempDir('src'), 'long.bin');
    writeFileSync(src, randomBytes(64 * 1024 * 1024));
    const id = await alice.client.sendFile('bob', src);
    const offer = await bob.waitFor('file-offer');
    await bob.client.accept(offer.id);
    const [route] = await Promise.all([
      alice.waitFor('transfer-route', (r) => r.id === id, 30_000),
      bob.waitFor('transfer-started', (t) => t.id === offer.id, 30_000),
    ]);
    assert.equal(route.lane, 'tcp');
    bob.client.cancel(offer.id);
    const failed = await alice.waitFor('transfer-failed', (f) => f.id === id, 20_000);
    assert.equal(failed.code, 'CANCELLED');
    const bobFailed = await bob.waitFor('transfer-failed', (f) => f.id === offer.id, 20_000);
    assert.equal(bobFailed.code, 'CANCELLED');
    assert.ok(!readdirSync(bob.downloadDir).includes('long.bin'));
    assert.equal(bob.all('file-received').length, 0);
  });

  it('forgets transfers once they ended: a long session keeps no engine, buffers or map per file, and what ended can still be "cancelled"', async () => {
    const slow = { streamLanes: false } as const; // the datagram engine: the receiver's block buffers
    const [alice, bob] = await pair(slow, { ...slow, acceptFiles: 'always' });
    const transfers = (c: TestClient): FileTransfers => (c.client as unknown as { transfers: FileTransfers }).transfers;
    const dir = tempDir('many');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const f = path.join(dir, `f${i}.bin`);
      writeFileSync(f, randomBytes(1024 * 1024 + i));
      ids.push(await alice.client.sendFile('bob', f));
      await alice.waitFor('file-sent', (e) => e.id === ids[i], 20_000);
      await bob.waitFor('file-received', (e) => path.basename(e.path) === `f${i}.bin`, 20_000);
    }
    assert.equal(transfers(alice).known, 3, 'kept right after they ended (late acks and answers still find them)');
    assert.equal(transfers(bob).known, 3);
    const now = Date.now();
    for (const c of [alice, bob]) {
      transfers(c).forgetEnded(now); // first seen ended
      assert.equal(transfers(c).known, 3);
      transfers(c).forgetEnded(now + FORGET_AFTER_MS);
      assert.equal(transfers(c).known, 0, `${c.client.nick} forgot every ended transfer`);
    }
    alice.client.cancel(ids[0]); // a finished transfer: nothing to do, no error
    assert.throws(() => alice.client.cancel('999999'), /No transfer with id 999999/);
    // The session goes on: the next file is offered, sent and checked as before.
    const next = path.join(dir, 'next.bin');
    writeFileSync(next, randomBytes(300_000));
    await alice.client.sendFile('bob', next);
    const got = await bob.waitFor('file-received', (e) => path.basename(e.path) === 'next.bin', 20_000);
    assert.deepEqual(readFileSync(got.path), readFileSync(next));
  });

  describe('requests', () => {
    let share: string;
    beforeEach(() => {
      share = tempDir('share');
      mkdirSync(path.join(share, 'notes'));
      writeFileSync(path.join(share, 'notes', 'todo.md'), '- ship it\n');
      const outside = tempDir('outside');
      writeFileSync(path.join(outside, 'secret.txt'), 'top secret');
      symlinkSync(path.join(outside, 'secret.txt'), path.join(share, 'escape.txt'));
    });

    it('serves a file from the shared folder after the owner allows it', async () => {
      const [alice, bob] = await pair({}, { shareDirs: [share] });
      const saveDir = tempDir('save');
      const reqId = await alice.client.requestFile('bob', 'notes/todo.md', { saveDir });
      const asked = await bob.waitFor('file-request');
      assert.equal(asked.name, 'notes/todo.md');
      assert.equal(asked.from, 'alice');
      await bob.client.accept(asked.id);
      const got = await alice.waitFor('file-received', (f) => f.id === reqId, 20_000);
      assert.equal(path.dirname(got.path), saveDir);
      assert.equal(readFileSync(got.path, 'utf8'), '- ship it\n');
    });

    it('refuses "..", absolute paths, symlinks out of the share, missing files, and a peer with no share', async () => {
      const [alice, bob] = await pair({}, { shareDirs: [share], allowRequests: 'always' });
      const cases: Array<[string, string]> = [
        ['../etc/passwd', 'PATH_OUTSIDE_SHARE'],
        ['/etc/passwd', 'PATH_OUTSIDE_SHARE'],
        ['notes/../../x', 'PATH_OUTSIDE_SHARE'],
        ['escape.txt', 'PATH_OUTSIDE_SHARE'],
        ['nope.txt', 'FILE_NOT_FOUND'],
        ['notes', 'NOT_A_FILE'],
      ];
      for (const [name, code] of cases) {
        const id = await alice.client.requestFile('bob', name);
        const denied = await alice.waitFor('request-denied', (d) => d.id === id);
        assert.equal(denied.code, code, `request for ${name}`);
      }
      assert.equal(bob.all('file-request').length, 0, 'refused requests never reach the owner');
      const id = await bob.client.requestFile('alice', 'anything.txt');
      const denied = await bob.waitFor('request-denied', (d) => d.id === id);
      assert.equal(denied.code, 'NO_SHARED_FOLDER');
    });

    it('tells the requester DECLINED when the owner says no', async () => {
      const [alice, bob] = await pair({}, { shareDirs: [share] });
      const id = await alice.client.requestFile('bob', 'notes/todo.md');
      const asked = await bob.waitFor('file-request');
      bob.client.decline(asked.id);
      const denied = await alice.waitFor('request-denied', (d) => d.id === id);
      assert.equal(denied.code, 'DECLINED');
    });
  });
});

describe('datagram size for file data', function () {
  this.timeout(60_000);
  it('probes the path once and sends a file in datagrams larger than 1200 bytes on loopback', async () => {
    const relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    const alice = await TestClient.join({ relay: relay.address(), nick: 'alice' });
    const bob = await TestClient.join({ relay: relay.address(), nick: 'bob', acceptFiles: 'always' });
    try {
      await alice.waitForPeers(['bob']);
      const src = path.join(tempDir('probe'), 'p.bin');
      const data = randomBytes(2 * 1024 * 1024);
      writeFileSync(src, data);
      const before = relay.stats();
      await alice.client.sendFile('bob', src);
      const got = await bob.waitFor('file-received', () => true, 30_000);
      assert.equal(sha256(readFileSync(got.path)), sha256(data));
      const after = relay.stats();
      const datagrams = after.forwarded - before.forwarded;
      // 2 MiB in 1200-byte datagrams would be ≥ 1828 data datagrams (+ acks); large ones need far fewer.
      assert.ok(datagrams < 1000, `${datagrams} datagrams forwarded for 2 MiB`);
    } finally {
      await alice.leave();
      await bob.leave();
      await relay.close();
    }
  });
});
