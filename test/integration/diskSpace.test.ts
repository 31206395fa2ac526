/**
 * A download folder without room (src/client/diskSpace.ts): declined before anything is written
 * when the free space is short, and NO_SPACE (not INTERNAL/IO_ERROR) with the folder and the space
 * needed when the disk fills during the transfer, the .part and the map of what reached the disk kept, so a resend resumes. No small disk is
 * needed: the free-space function is injected, and ENOSPC comes from a patched FileHandle.write.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, promises as fsp, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RelayServer } from '../../src/relay/relayServer';
import { TestClient } from '../support/testClient';
import { diskFullFrom } from '../support/diskFull';

const MiB = 1024 * 1024;

describe('download folder without room', function () {
  this.timeout(60_000);
  let relay: RelayServer;
  const clients: TestClient[] = [];
  const restore: Array<() => void> = [];

  beforeEach(async () => {
    relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
  });

  afterEach(async () => {
    for (const r of restore.splice(0)) r();
    await Promise.all(clients.splice(0).map((c) => c.leave().catch(() => undefined)));
    await relay.close();
  });

  async function pair(bobOpts: Partial<Parameters<typeof TestClient.join>[0]> = {}): Promise<[TestClient, TestClient]> {
    const alice = await TestClient.join({ relay: relay.address(), nick: 'alice' });
    const bob = await TestClient.join({ relay: relay.address(), nick: 'bob', ...bobOpts });
    clients.push(alice, bob);
    await alice.waitForPeers(['bob']);
    await bob.waitForPeers(['alice']);
    return [alice, bob];
  }

  function sourceFile(bytes: number): { file: string; sha: string } {
    const data = randomBytes(bytes);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'peerchat-src-')), 'big.bin');
    writeFileSync(file, data);
    return { file, sha: createHash('sha256').update(data).digest('hex') };
  }

  it('declines with NO_SPACE before accepting when the folder has less room than the file; both sides see NO_SPACE', async () => {
    const asked: string[] = [];
    const [alice, bob] = await pair({
      freeSpace: async (dir) => {
        asked.push(dir);
        return 2 * MiB;
      },
    });
    const { file } = sourceFile(4 * MiB);
    const id = await alice.client.sendFile('bob', file);
    const offer = await bob.waitFor('file-offer');
    await bob.client.accept(offer.id);
    const bobFail = await bob.waitFor('transfer-failed', (f) => f.id === offer.id);
    assert.equal(bobFail.code, 'NO_SPACE');
    assert.ok(bobFail.message.includes(bob.downloadDir), bobFail.message);
    assert.match(bobFail.message, /needs 4(\.0)? MiB more/);
    assert.match(bobFail.message, /only 2(\.0)? MiB is free/);
    const aliceFail = await alice.waitFor('transfer-failed', (f) => f.id === id);
    assert.equal(aliceFail.code, 'NO_SPACE');
    assert.ok(aliceFail.message.includes('big.bin'));
    assert.deepEqual(asked, [bob.downloadDir]);
    assert.deepEqual(bob.all('transfer-started'), [], 'nothing was started');
  });

  it('a disk that fills during the transfer fails it with NO_SPACE on both sides, naming the folder; the .part is kept and a resend after freeing space resumes from what arrived', async () => {
    // ENOSPC from every write at or beyond 1 MiB into any file (only bob writes files here).
    const disk = await diskFullFrom(MiB);
    restore.push(disk.restore);
    const [alice, bob] = await pair({ freeSpace: async () => 100 * MiB, acceptFiles: 'always' });
    const { file, sha } = sourceFile(3 * MiB);
    const id = await alice.client.sendFile('bob', file);
    const bobFail = await bob.waitFor('transfer-failed', () => true, 30_000);
    assert.equal(bobFail.code, 'NO_SPACE', bobFail.message);
    assert.ok(bobFail.message.includes(bob.downloadDir), bobFail.message);
    // What is still needed: the file less what reached the disk (about 1 MiB did).
    const needed = /needs ([\d.]+) MiB more/.exec(bobFail.message);
    assert.ok(needed, bobFail.message);
    assert.ok(Number(needed[1]) > 1.5 && Number(needed[1]) <= 2.1, bobFail.message);
    const aliceFail = await alice.waitFor('transfer-failed', (f) => f.id === id, 30_000);
    assert.equal(aliceFail.code, 'NO_SPACE', aliceFail.message);
    const part = path.join(bob.downloadDir, '.peerchat-partial', `${sha}.part`);
    assert.ok(existsSync(part), 'the .part file is kept');
    // Room again: the same file sent again resumes from what reached the disk, and arrives whole.
    disk.free();
    await new Promise((r) => setTimeout(r, 500));
    const again = await alice.client.sendFile('bob', file);
    const got = await bob.waitFor('file-received', () => true, 30_000);
    assert.equal(got.sha256, sha);
    const onDisk = await fsp.readFile(got.path);
    assert.equal(onDisk.length, 3 * MiB);
    assert.equal(createHash('sha256').update(onDisk).digest('hex'), sha);
    // The second transfer carried less than the whole file: the sender skipped what bob had
    // (everything written below 1 MiB, where the disk was not yet full).
    const sent = await alice.waitFor('transfer-started', (s) => s.id === again);
    assert.ok(sent.resumedBytes >= MiB - 300 * 1024 && sent.resumedBytes < 3 * MiB, `resumed ${sent.resumedBytes}`);
    const received = await bob.waitFor('transfer-started', (s) => s.resumedBytes > 0);
    assert.equal(received.resumedBytes, sent.resumedBytes);
    assert.ok(!existsSync(part), 'the .part is gone once published');
  });
});
