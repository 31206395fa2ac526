/**
 * Transfer jobs from the terminal client as a user runs it (dist/cli.js --json, dist/relay.js):
 * `/sendfile @bob DIR` and `/sendfile @bob @carol "P1" "P2"`, each job event one JSON line.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { online } from '../support/cliProcess';
import { relayPerTest } from '../support/cliSuite';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('terminal client: transfer jobs (/sendfile with a folder, several members)', function () {
  this.timeout(60_000);
  const { cli } = relayPerTest();

  it('/sendfile @bob @carol with a folder and a file: each accepts or declines on its own; every event is one JSON line', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'peerchat-clijob-'));
    const dir = path.join(tmp, 'my project');
    const files: Record<string, Buffer> = { 'a.txt': randomBytes(5000), 'sub/b.bin': randomBytes(700_000), 'sub/deeper/c': randomBytes(1) };
    for (const [rel, data] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), data);
    }
    symlinkSync('/etc/passwd', path.join(dir, 'passwd-link'));
    const extra = path.join(tmp, 'extra notes.md');
    writeFileSync(extra, 'hello\n');
    const bobDl = path.join(tmp, 'bob-dl');
    const carolDl = path.join(tmp, 'carol-dl');
    const alice = cli('alice');
    const bob = cli('bob', ['--download-dir', bobDl]);
    const carol = cli('carol', ['--download-dir', carolDl]);
    for (const p of [alice, bob, carol]) await p.event('registered');
    const seen = online;
    await alice.waitFor(seen('bob'), 'bob online');
    await alice.waitFor(seen('carol'), 'carol online');

    alice.send(`/sendfile @bob @carol "${dir}" "${extra}"`);
    const offered = await alice.event('job-offered');
    assert.deepEqual(offered.to, ['bob', 'carol']);
    assert.equal(offered.files, 4);
    assert.deepEqual((offered.skipped as string[]).map((p) => path.basename(p)), ['passwd-link']);
    const bobOffer = await bob.event('job-offer');
    const carolOffer = await carol.event('job-offer');
    assert.equal(bobOffer.name, 'my project and 1 more');
    bob.send(`/accept ${bobOffer.id}`);
    carol.send(`/decline ${carolOffer.id}`);
    const done = await bob.event('job-done', () => true, 30_000);
    const root = String(done.path);
    assert.equal(root, path.join(bobDl, 'my project and 1 more'));
    for (const [rel, data] of Object.entries(files)) assert.equal(sha(readFileSync(path.join(root, 'my project', rel))), sha(data), rel);
    assert.equal(readFileSync(path.join(root, 'extra notes.md'), 'utf8'), 'hello\n');
    assert.equal(existsSync(path.join(root, 'my project', 'passwd-link')), false);
    const failed = await alice.event('job-failed');
    assert.deepEqual([failed.peer, failed.code], ['carol', 'DECLINED']);
    const sent = await alice.event('job-done');
    assert.equal(sent.peer, 'bob');
    assert.ok(!existsSync(carolDl) || readdirSync(carolDl).length === 0, 'nothing written for carol');
    // Progress lines for the job, per member, each one JSON object.
    const progress = alice.all('job-progress').filter((e) => e.peer === 'bob');
    assert.ok(progress.length >= 1);
    assert.equal(progress[progress.length - 1].bytes, offered.bytes);
    assert.deepEqual(alice.stderr.filter((l) => l.startsWith('(not JSON')), []);

    // /sendfile @bob DIR: a folder to one member (a job too); a name taken gets a number.
    alice.send(`/sendfile @bob ${path.join(dir, 'sub')}`);
    const offer2 = await bob.event('job-offer', (e) => e.name === 'sub');
    bob.send(`/accept ${offer2.id}`);
    const done2 = await bob.event('job-done', (e) => e.id === offer2.id, 30_000);
    assert.equal(done2.path, path.join(bobDl, 'sub'));
    assert.equal(sha(readFileSync(path.join(String(done2.path), 'deeper', 'c'))), sha(files['sub/deeper/c']));
  });
});
