import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { online } from '../support/cliProcess';
import { relayPerTest } from '../support/cliSuite';

/** Three terminal clients and a relay, all as the built programs a user runs. */
describe('terminal client (dist/cli.js --json) with dist/relay.js', function () {
  this.timeout(60_000);
  const { relay, cli } = relayPerTest();

  it('prints "listening on HOST:PORT" first', () => {
    assert.match(relay().firstLine, /^listening on 127\.0\.0\.1:\d+$/);
  });

  it('chats, lists, sends and requests files, and leaves — as JSON events', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'peerchat-cli-t-'));
    const share = path.join(tmp, 'bob-share');
    mkdirSync(path.join(share, 'notes'), { recursive: true });
    writeFileSync(path.join(share, 'notes', 'todo.md'), 'buy milk\n');
    const aliceDl = path.join(tmp, 'alice-dl');
    const bobDl = path.join(tmp, 'bob-dl');
    const alice = cli('alice', ['--download-dir', aliceDl, '--accept-files']);
    const bob = cli('bob', ['--download-dir', bobDl, '--share', share]);
    const carol = cli('carol');
    for (const [p, n] of [[alice, 'alice'], [bob, 'bob'], [carol, 'carol']] as const) {
      const r = await p.event('registered');
      assert.equal(r.nick, n);
      assert.match(String(r.fingerprint), /^[0-9a-f]{4}( [0-9a-f]{4}){4}$/);
    }
    // alice learns of the others either from her first roster or from later join announcements.
    const seen = online;
    await alice.waitFor(seen('bob'), 'bob online');
    await alice.waitFor(seen('carol'), 'carol online');

    alice.send('/who');
    const roster = await alice.event('roster', (e) => (e.nicks as string[]).includes('bob') && (e.nicks as string[]).includes('carol'));
    assert.deepEqual(roster.nicks, ['bob', 'carol']);

    alice.send('Hello everyone!');
    alice.send('@bob Hi Bob!');
    await bob.event('message', (e) => e.text === 'Hi Bob!');
    await carol.event('message', (e) => e.text === 'Hello everyone!');
    assert.deepEqual(
      bob.all('message').map((e) => [e.from, e.text, e.private]),
      [['alice', 'Hello everyone!', false], ['alice', 'Hi Bob!', true]],
    );

    // /sendfile: bob is asked, accepts by id, and both sides report the same hash.
    const file = path.join(tmp, 'data.bin');
    const data = randomBytes(300_000);
    writeFileSync(file, data);
    const hash = createHash('sha256').update(data).digest('hex');
    alice.send(`/sendfile @bob ${file}`);
    const offered = await alice.event('file-offered');
    const offer = await bob.event('file-offer');
    assert.equal(offer.name, 'data.bin');
    assert.equal(offer.bytes, data.length);
    bob.send(`/accept ${offer.id}`);
    const received = await bob.event('file-received', () => true, 30_000);
    const sent = await alice.event('file-sent', (e) => e.id === offered.id, 30_000);
    assert.equal(received.sha256, hash);
    assert.equal(sent.sha256, hash);
    assert.equal(createHash('sha256').update(readFileSync(String(received.path))).digest('hex'), hash);
    assert.equal(path.dirname(String(received.path)), bobDl);

    // /requestfile: bob is asked, allows, alice (auto-accept) gets it.
    alice.send('/requestfile @bob notes/todo.md');
    const asked = await bob.event('file-request');
    assert.equal(asked.name, 'notes/todo.md');
    bob.send(`/accept ${asked.id}`);
    const got = await alice.event('file-received', (e) => String(e.path).endsWith('todo.md'), 30_000);
    assert.equal(readFileSync(String(got.path), 'utf8'), 'buy milk\n');

    // Refusals come back with codes.
    alice.send('/requestfile @bob ../../etc/passwd');
    const denied = await alice.event('request-denied');
    assert.equal(denied.code, 'PATH_OUTSIDE_SHARE');
    alice.send('@nobody hello?');
    const unknown = await alice.event('error', (e) => e.code === 'UNKNOWN_PEER');
    assert.match(String(unknown.message), /nobody/);
    alice.send('/frobnicate');
    await alice.event('error', (e) => e.code === 'BAD_COMMAND');

    carol.send('exit');
    await carol.event('left');
    assert.equal(await carol.exited, 0);
    await alice.event('presence', (e) => e.nick === 'carol' && e.online === false);
  });

  it('leaves quietly when whatever reads its output goes away (a closed pipe), as exit does', async () => {
    const erin = cli('erin');
    const frank = cli('frank');
    await erin.event('registered');
    await frank.waitFor(online('erin'), 'erin online');
    erin.proc.stdout.destroy(); // the reader is gone: the next line erin writes meets EPIPE
    erin.send('/who');
    erin.send('hello?');
    assert.equal(await erin.exited, 0, `erin's stderr: ${erin.stderr.join(' | ')}`);
    assert.ok(!erin.stderr.some((l) => /EPIPE|Unhandled|at .*\(/.test(l)), `no crash: ${erin.stderr.join(' | ')}`);
    // It left the relay (a LEAVE), rather than vanishing until the relay's timeout.
    await frank.event('presence', (e) => e.nick === 'erin' && e.online === false, 5_000);
  });

  it('exits non-zero with NICK_TAKEN when the nickname is in use', async () => {
    const a = cli('dave');
    await a.event('registered');
    const b = cli('Dave');
    const err = await b.event('error');
    assert.equal(err.code, 'NICK_TAKEN');
    assert.equal(await b.exited, 1);
  });
});
