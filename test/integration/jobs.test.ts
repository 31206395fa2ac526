/**
 * Transfer jobs (docs/protocol.md "Transfer jobs"): a folder or several files to one or several
 * members as one job. Asserted on disk: the tree each receiver got, byte for byte (SHA-256);
 * what each side reported; that a member who declines or leaves fails alone; that a resend
 * resumes per file; that a hostile manifest is refused with nothing written; that symlinks in
 * the source are not followed.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, promises as fsp, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ControlType } from '../../src/protocol/controlMessages';
import { RelayServer } from '../../src/relay/relayServer';
import { sendControl } from '../../src/client/jobHost';
import type { PeerLink } from '../../src/client/peerLink';
import { TestClient } from '../support/testClient';
import { diskFullFrom } from '../support/diskFull';
import { MAX_UNANSWERED_JOBS_PER_DEVICE } from '../../src/client/incomingJobs';
import { MAX_JOB_ENTRIES } from '../../src/protocol/limits';

const KiB = 1024;
const MiB = 1024 * KiB;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Writes `files` (relative path → size) under a new folder named `name`; returns the folder and each file's hash. */
function tree(name: string, files: Record<string, number>): { dir: string; hashes: Map<string, string> } {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'peerchat-job-src-')), name);
  const hashes = new Map<string, string>();
  for (const [rel, bytes] of Object.entries(files)) {
    const data = randomBytes(bytes);
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), data);
    hashes.set(rel, sha(data));
  }
  return { dir, hashes };
}

/** Every regular file under `dir` (relative '/' paths) with its hash; symlinks listed as such. */
async function onDisk(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const ent of await fsp.readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isSymbolicLink()) out.set(r, 'symlink');
      else if (ent.isDirectory()) await walk(path.join(d, ent.name), r);
      else out.set(r, sha(await fsp.readFile(path.join(d, ent.name))));
    }
  };
  await walk(dir, '');
  return out;
}

/** The sender's secured link to `nick` (its handshake done), to play a hostile sender on it. */
async function linkTo(c: TestClient, nick: string): Promise<PeerLink> {
  const links = await (c.client as unknown as { ensureLinks(n: string): Promise<PeerLink[]> }).ensureLinks(nick);
  assert.equal(links.length, 1);
  return links[0];
}


/** Datagrams through the relay, for the tests that interrupt a transfer half-way. */
const SLOW = { streamLanes: false, directConnections: false } as const;
describe('transfer jobs (folders, several files, several recipients)', function () {
  this.timeout(60_000);
  let relay: RelayServer;
  const clients: TestClient[] = [];

  beforeEach(async () => {
    relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.leave().catch(() => undefined)));
    await relay.close();
  });

  async function join(nick: string, opts: Partial<Parameters<typeof TestClient.join>[0]> = {}): Promise<TestClient> {
    const c = await TestClient.join({ relay: relay.address(), nick, ...opts });
    clients.push(c);
    return c;
  }

  it('sends a folder as one job: the tree arrives under the folder\'s name, byte-identical; symlinks in it are not followed', async () => {
    const alice = await join('alice');
    const bob = await join('bob');
    await alice.waitForPeers(['bob']);
    await bob.waitForPeers(['alice']);
    const src = tree('project', { 'README.md': 1200, 'src/main.ts': 300 * KiB, 'src/lib/util.ts': 5, 'assets/.hidden': 0, 'assets/img/logo.bin': 2 * MiB + 17 });
    const secret = path.join(mkdtempSync(path.join(os.tmpdir(), 'peerchat-secret-')), 'secret.txt');
    writeFileSync(secret, 'not for bob');
    symlinkSync(secret, path.join(src.dir, 'src', 'link-to-secret.txt'));
    symlinkSync(path.dirname(secret), path.join(src.dir, 'linked-dir'));

    const id = await alice.client.sendFile('bob', src.dir);
    const offered = await alice.waitFor('job-offered', (j) => j.id === id);
    assert.equal(offered.files, 5);
    assert.deepEqual(offered.skipped.map((p) => path.basename(p)).sort(), ['link-to-secret.txt', 'linked-dir']);
    const offer = await bob.waitFor('job-offer');
    assert.deepEqual([offer.name, offer.files, offer.from, offer.loose], ['project', 5, 'alice', false]);
    assert.equal(offer.bytes, 1200 + 300 * KiB + 5 + 0 + 2 * MiB + 17);
    await bob.client.accept(offer.id);
    const done = await bob.waitFor('job-done', (j) => j.id === offer.id, 30_000);
    assert.equal(done.path, path.join(bob.downloadDir, 'project'));
    assert.deepEqual(await onDisk(done.path!), src.hashes);
    const sent = await alice.waitFor('job-done', (j) => j.id === id);
    assert.deepEqual([sent.peer, sent.files, sent.resumedBytes], ['bob', 5, 0]);
    // Nothing else in the download folder but the job's folder.
    assert.deepEqual(readdirSync(bob.downloadDir).filter((n) => n !== '.peerchat-partial'), ['project']);
    // Progress was reported for the whole job, ending at its total.
    const last = bob.all('job-progress').filter((p) => p.id === offer.id).pop();
    assert.deepEqual([last?.bytes, last?.filesDone], [offer.bytes, 5]);
  });

  it('sends several files and a folder to two members; each accepts on its own and gets the same tree', async () => {
    const alice = await join('alice');
    const bob = await join('bob', { acceptFiles: 'always' });
    const carol = await join('carol');
    await alice.waitForPeers(['bob', 'carol']);
    const a = tree('docs', { 'a.txt': 10 * KiB, 'sub/b.txt': 20 * KiB });
    const loose = path.join(mkdtempSync(path.join(os.tmpdir(), 'peerchat-job-src-')), 'notes.md');
    const notes = randomBytes(4 * KiB);
    writeFileSync(loose, notes);
    const id = await alice.client.sendFiles(['bob', 'carol'], [a.dir, loose]);
    const offer = await carol.waitFor('job-offer');
    assert.equal(offer.name, 'docs and 1 more');
    assert.equal(bob.all('job-offer')[0]?.autoAccept ?? (await bob.waitFor('job-offer')).autoAccept, true);
    await carol.client.accept(offer.id);
    const expected = new Map([...[...a.hashes].map(([k, v]) => [`docs/${k}`, v] as [string, string]), ['notes.md', sha(notes)]]);
    for (const c of [bob, carol]) {
      const done = await c.waitFor('job-done', () => true, 30_000);
      assert.equal(done.path, path.join(c.downloadDir, 'docs and 1 more'));
      assert.deepEqual(await onDisk(done.path!), expected);
    }
    const sent = await Promise.all(['bob', 'carol'].map((n) => alice.waitFor('job-done', (j) => j.id === id && j.peer === n)));
    assert.equal(sent.length, 2);
    assert.deepEqual(alice.all('job-failed'), []);
  });

  it('a member who declines fails alone; the other gets every file', async () => {
    const alice = await join('alice');
    const bob = await join('bob');
    const carol = await join('carol');
    await alice.waitForPeers(['bob', 'carol']);
    const src = tree('pics', { '1.bin': 50 * KiB, '2.bin': 70 * KiB });
    const id = await alice.client.sendFiles(['bob', 'carol'], [src.dir]);
    const bobOffer = await bob.waitFor('job-offer');
    const carolOffer = await carol.waitFor('job-offer');
    carol.client.decline(carolOffer.id);
    const declined = await alice.waitFor('job-failed', (j) => j.id === id);
    assert.deepEqual([declined.peer, declined.code, declined.message], ['carol', 'DECLINED', 'carol declined.']);
    await bob.client.accept(bobOffer.id);
    const done = await bob.waitFor('job-done', () => true, 30_000);
    assert.deepEqual(await onDisk(done.path!), src.hashes);
    await alice.waitFor('job-done', (j) => j.id === id && j.peer === 'bob');
    assert.equal(existsSync(path.join(carol.downloadDir, 'pics')), false, 'nothing written for carol');
    assert.deepEqual(carol.all('job-failed').map((f) => f.code), ['DECLINED']);
  });

  it('a member who leaves mid-job fails alone; the other completes byte-identical', async () => {
    const alice = await join('alice');
    const bob = await join('bob', { acceptFiles: 'always' });
    const carol = await join('carol', { acceptFiles: 'always' });
    await alice.waitForPeers(['bob', 'carol']);
    const files: Record<string, number> = {};
    for (let i = 0; i < 8; i++) files[`part${i}.bin`] = 3 * MiB;
    const src = tree('big', files);
    const id = await alice.client.sendFiles(['bob', 'carol'], [src.dir]);
    await carol.waitFor('job-progress', (p) => p.filesDone >= 1, 30_000);
    const leaving = carol.leave();
    const failed = await alice.waitFor('job-failed', (j) => j.id === id && j.peer === 'carol', 30_000);
    assert.ok(['PEER_LEFT', 'CANCELLED'].includes(failed.code), `${failed.code}: ${failed.message}`);
    await leaving;
    const done = await bob.waitFor('job-done', () => true, 60_000);
    assert.deepEqual(await onDisk(done.path!), src.hashes);
    const sent = await alice.waitFor('job-done', (j) => j.id === id);
    assert.equal(sent.peer, 'bob');
    assert.equal(alice.all('job-failed').length, 1, 'only carol failed');
  });

  it('a job interrupted half-way and sent again resumes per file: whole files are skipped, the partial one resumes', async () => {
    // As datagrams through the relay, and 64 MiB: a TCP lane moved a 24 MiB file in ~0.1 s, and
    // so did the datagram engine now and then (1 clean-clone run in 4), often all of it before
    // bob's cancel landed, and then nothing was left to resume.
    const alice = await join('alice', SLOW);
    const bob = await join('bob', { acceptFiles: 'always', ...SLOW });
    await alice.waitForPeers(['bob']);
    const src = tree('album', { 'a-small.bin': 200 * KiB, 'b-big.bin': 64 * MiB });
    const first = await alice.client.sendFiles(['bob'], [src.dir]);
    // Bob cancels once the first file is saved and at least 2 MiB of the second arrived.
    const mid = await bob.waitFor('job-progress', (p) => p.filesDone === 1 && p.bytes >= 200 * KiB + 2 * MiB, 30_000);
    bob.client.cancel(mid.id);
    await alice.waitFor('job-failed', (j) => j.id === first, 10_000);
    assert.equal(bob.all('job-done').length, 0, 'the job did not finish');
    await new Promise((r) => setTimeout(r, 300));
    const again = await alice.client.sendFiles(['bob'], [src.dir]);
    const done = await bob.waitFor('job-done', () => true, 60_000);
    assert.equal(done.path, path.join(bob.downloadDir, 'album'), 'the same folder, not "album (1)"');
    assert.deepEqual(await onDisk(done.path!), src.hashes);
    const sent = await alice.waitFor('job-done', (j) => j.id === again);
    // Not carried again: the whole first file, and more than nothing of the second.
    assert.ok(sent.resumedBytes > 200 * KiB + MiB, `resumed ${sent.resumedBytes}`);
    assert.ok(sent.resumedBytes < sent.bytes, `resumed ${sent.resumedBytes} of ${sent.bytes}`);
    assert.equal(done.resumedBytes, sent.resumedBytes);
    const started = await alice.waitFor('job-started', (j) => j.id === again);
    assert.equal(started.resumedBytes, 200 * KiB, 'the first file was skipped whole');
    assert.deepEqual(readdirSync(bob.downloadDir).filter((n) => n !== '.peerchat-partial'), ['album']);
  });

  it('several loose files sent again after an interruption: the files that finished are skipped, not saved twice', async () => {
    // As datagrams through the relay, and 64 MiB: a TCP lane moved a 24 MiB file in ~0.1 s, and
    // so did the datagram engine now and then (1 clean-clone run in 4), often all of it before
    // bob's cancel landed, and then nothing was left to resume.
    const alice = await join('alice', SLOW);
    const bob = await join('bob', { acceptFiles: 'always', ...SLOW });
    await alice.waitForPeers(['bob']);
    const src = tree('loose', { 'a-small.bin': 200 * KiB, 'b-big.bin': 64 * MiB });
    const files = [path.join(src.dir, 'a-small.bin'), path.join(src.dir, 'b-big.bin')];
    const first = await alice.client.sendFiles(['bob'], files);
    const mid = await bob.waitFor('job-progress', (p) => p.filesDone === 1 && p.bytes >= 200 * KiB + 2 * MiB, 30_000);
    bob.client.cancel(mid.id);
    await alice.waitFor('job-failed', (j) => j.id === first, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    const again = await alice.client.sendFiles(['bob'], files);
    await bob.waitFor('job-done', () => true, 60_000);
    const started = await alice.waitFor('job-started', (j) => j.id === again);
    assert.ok(started.resumedBytes >= 200 * KiB, `the first file was skipped whole (resumed ${started.resumedBytes})`);
    const sent = await alice.waitFor('job-done', (j) => j.id === again);
    assert.ok(sent.resumedBytes < sent.bytes, `resumed ${sent.resumedBytes} of ${sent.bytes}`);
    // Each file once, byte-identical: no "a-small (1).bin" beside the first copy.
    const got = await onDisk(bob.downloadDir);
    got.forEach((_, k) => { if (k.startsWith('.peerchat-partial/')) got.delete(k); });
    assert.deepEqual(got, src.hashes);
  });

  it('a total above the receiver\'s limit is declined before anything is written (FILE_TOO_LARGE)', async () => {
    const alice = await join('alice');
    const bob = await join('bob', { acceptFiles: 'always', maxIncomingBytes: 100 * KiB });
    await alice.waitForPeers(['bob']);
    const src = tree('toolarge', { 'a.bin': 60 * KiB, 'b.bin': 60 * KiB });
    const id = await alice.client.sendFiles(['bob'], [src.dir]);
    const failed = await alice.waitFor('job-failed', (j) => j.id === id);
    assert.equal(failed.code, 'FILE_TOO_LARGE');
    assert.match(failed.message, /toolarge is 120 KiB; this client accepts at most 100 KiB/);
    assert.deepEqual(bob.all('job-offer'), [], 'bob was not even asked');
    assert.deepEqual(readdirSync(bob.downloadDir), []);
  });

  it('a download folder without room for the job declines it with NO_SPACE naming the folder; nothing is written', async () => {
    const alice = await join('alice');
    const bob = await join('bob', { acceptFiles: 'always', freeSpace: async () => 1024 * KiB });
    await alice.waitForPeers(['bob']);
    const src = tree('roomy', { 'a.bin': 600 * KiB, 'sub/b.bin': 600 * KiB });
    const id = await alice.client.sendFiles(['bob'], [src.dir]);
    const failed = await alice.waitFor('job-failed', (j) => j.id === id);
    assert.equal(failed.code, 'NO_SPACE');
    assert.ok(failed.message.includes(bob.downloadDir), failed.message);
    assert.match(failed.message, /needs 1\.2 MiB more/);
    const bobFailed = await bob.waitFor('job-failed');
    assert.equal(bobFailed.code, 'NO_SPACE');
    assert.deepEqual(bob.all('job-started'), []);
    assert.deepEqual(readdirSync(bob.downloadDir), [], 'no folder was made');
  });

  it('a disk that fills during a job fails it with NO_SPACE; once there is room, the same job resumes per file', async () => {
    // ENOSPC from every write at or beyond 1 MiB into any file (only bob writes files here).
    const disk = await diskFullFrom(MiB);
    try {
      const alice = await join('alice');
      const bob = await join('bob', { acceptFiles: 'always', freeSpace: async () => 100 * MiB });
      await alice.waitForPeers(['bob']);
      const src = tree('full', { 'a.bin': 200 * KiB, 'b.bin': 3 * MiB });
      const first = await alice.client.sendFiles(['bob'], [src.dir]);
      const failed = await bob.waitFor('job-failed', () => true, 30_000);
      assert.equal(failed.code, 'NO_SPACE', failed.message);
      assert.ok(failed.message.includes(bob.downloadDir), failed.message);
      assert.equal((await alice.waitFor('job-failed', (j) => j.id === first, 30_000)).code, 'NO_SPACE');
      disk.free();
      await new Promise((r) => setTimeout(r, 500));
      const again = await alice.client.sendFiles(['bob'], [src.dir]);
      const done = await bob.waitFor('job-done', () => true, 30_000);
      assert.equal(done.path, path.join(bob.downloadDir, 'full'));
      assert.deepEqual(await onDisk(done.path!), src.hashes);
      const sent = await alice.waitFor('job-done', (j) => j.id === again);
      // a.bin was there whole; of b.bin, what reached the disk before it filled (about 1 MiB).
      assert.ok(sent.resumedBytes >= 200 * KiB + 700 * KiB && sent.resumedBytes < sent.bytes, `resumed ${sent.resumedBytes} of ${sent.bytes}`);
    } finally {
      disk.restore();
    }
  });

  it('refuses hostile manifests with BAD_MANIFEST and writes nothing, inside or outside the download folder', async () => {
    const alice = await join('alice');
    const parent = mkdtempSync(path.join(os.tmpdir(), 'peerchat-hostile-'));
    const downloadDir = path.join(parent, 'downloads');
    const bob = await join('bob', { acceptFiles: 'always', downloadDir });
    await alice.waitForPeers(['bob']);
    await bob.waitForPeers(['alice']);
    const link = await linkTo(alice, 'bob');
    const hostile: Array<[string, string[]]> = [
      ['dotdot', ['ok.txt', '../escaped.txt']],
      ['absolute', [path.join(parent, 'abs.txt')]],
      ['drive', ['C:/x.txt']],
      ['backslash', ['a\\..\\..\\bs.txt']],
      ['dup', ['x.txt', 'X.TXT']],
      ['fileanddir', ['d', 'd/e.txt']],
    ];
    let jobId = 100;
    for (const [name, paths] of hostile) {
      jobId++;
      const data = Buffer.from('evil');
      sendControl(link, { type: ControlType.JOB_OFFER, jobId, flags: 0, entries: paths.length, totalBytes: data.length * paths.length, name });
      paths.forEach((p, index) =>
        sendControl(link, { type: ControlType.JOB_ENTRY, jobId, index, bytes: data.length, sha256: createHash('sha256').update(data).digest(), path: p }),
      );
    }
    // A file for a job nobody accepted is declined too.
    sendControl(link, { type: ControlType.JOB_FILE, jobId: 999, index: 0, transferId: 4242, chunkSize: 1100 });
    for (const [name] of hostile) {
      const f = await bob.waitFor('job-failed', (j) => j.message.includes(`Refused ${name} `));
      assert.equal(f.code, 'BAD_MANIFEST', f.message);
      assert.match(f.message, /Nothing was written/);
    }
    assert.deepEqual(bob.all('job-offer'), [], 'no hostile job was put to the user');
    assert.deepEqual(bob.all('job-started'), []);
    assert.ok(!existsSync(downloadDir) || readdirSync(downloadDir).length === 0, 'nothing in the download folder');
    assert.ok(readdirSync(parent).every((n) => n === 'downloads'), `nothing beside it: ${readdirSync(parent)}`);
    // Offers whose manifests never come: bob holds at most MAX_UNANSWERED_JOBS_PER_DEVICE of them.
    const logs: string[] = [];
    const origLog = bob.client.log.bind(bob.client);
    bob.client.log = (level, message) => {
      logs.push(message);
      origLog(level, message);
    };
    for (let i = 0; i < MAX_UNANSWERED_JOBS_PER_DEVICE + 3; i++) {
      sendControl(link, { type: ControlType.JOB_OFFER, jobId: 500 + i, flags: 0, entries: MAX_JOB_ENTRIES, totalBytes: 1, name: `never${i}` });
    }
    alice.client.sendPrivate('bob', 'after the flood');
    await bob.waitFor('message', (m) => m.text === 'after the flood');
    assert.equal(logs.filter((l) => /refused a job from alice: .*offers waiting for an answer already/.test(l)).length, 3);

    // Bob's link to alice is still fine after all that.
    alice.client.sendPrivate('bob', 'still here');
    await bob.waitFor('message', (m) => m.text === 'still here');
  });
});
