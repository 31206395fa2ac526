/**
 * The extension's client process for real: dist/clientHost.js forked by ChatClientProcess (what
 * the extension runs on Join), against dist/relay.js, with a terminal client (dist/cli.js --json)
 * on the other side. Join, chat both ways, a file both ways (bytes on disk and their SHA-256),
 * a key pinned in the process stored on the extension's side, leave: the process exits.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ClientEvents } from '../../src/client/events';
import { fork } from 'node:child_process';
import { generateIdentity, serializeIdentity } from '../../src/crypto/identity';
import { ChatClientProcess } from '../../src/extension/clientProcess';
import { MementoPinStore } from '../../src/extension/pinStore';
import { CLI_JS, CliProcess, RELAY_JS, REPO, startRelayProcess } from '../support/cliProcess';

const CLIENT_HOST_JS = path.join(REPO, 'dist', 'clientHost.js');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the extension\'s client process (dist/clientHost.js) with dist/relay.js and a terminal peer', function () {
  this.timeout(60_000);
  let relay: Awaited<ReturnType<typeof startRelayProcess>> | undefined;
  let bob: CliProcess | undefined;
  let alice: ChatClientProcess | undefined;
  let tmp = '';

  let bobDl = '';
  before(async function () {
    if (![CLI_JS, RELAY_JS, CLIENT_HOST_JS].every(existsSync)) throw new Error('run `npm run build` first (npm test does)');
    tmp = mkdtempSync(path.join(os.tmpdir(), 'peerchat-clienthost-'));
    bobDl = path.join(tmp, 'bob-dl');
    mkdirSync(bobDl);
    relay = await startRelayProcess();
    bob = CliProcess.start(['--relay', `127.0.0.1:${relay.port}`, '--nick', 'bob', '--download-dir', bobDl, '--accept-files']);
    await bob.event('registered');
  });
  after(async () => {
    await alice?.stop(500);
    bob?.kill();
    relay?.proc.kill('SIGTERM');
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('joins, chats and moves files both ways, pins keys on the extension\'s side, and exits on leave', async () => {
    const aliceDl = path.join(tmp, 'alice-dl');
    mkdirSync(aliceDl);
    if (!relay || !bob) throw new Error('the relay and bob did not start');

    const stored: Record<string, unknown> = {};
    const pins = new MementoPinStore({ get: <T>(k: string) => stored[k] as T | undefined, update: async (k, v) => void (stored[k] = v) });
    const logs: string[] = [];
    alice = new ChatClientProcess(
      { relay: { host: '127.0.0.1', port: relay.port }, nick: 'alice', identity: generateIdentity(), downloadDir: aliceDl, acceptFiles: 'ask' },
      { script: CLIENT_HOST_JS, pins },
    );
    const events: Array<{ name: string; payload: unknown }> = [];
    const waiters: Array<{ name: string; pred: (p: never) => boolean; resolve: (p: unknown) => void }> = [];
    const seen = <K extends keyof ClientEvents & string>(name: K, pred: (p: ClientEvents[K]) => boolean = () => true, ms = 30_000): Promise<ClientEvents[K]> => {
      const past = events.find((e) => e.name === name && pred(e.payload as ClientEvents[K]));
      if (past) return Promise.resolve(past.payload as ClientEvents[K]);
      return new Promise((resolve, reject) => {
        const w = { name, pred: pred as (p: never) => boolean, resolve: resolve as (p: unknown) => void };
        waiters.push(w);
        setTimeout(() => reject(new Error(`no ${name} within ${ms} ms; events: ${events.map((e) => e.name).join(' ')}; log: ${logs.slice(-10).join(' | ')}`)), ms);
      });
    };
    const record = (name: string) => (payload: unknown) => {
      events.push({ name, payload });
      for (const w of [...waiters]) {
        if (w.name === name && w.pred(payload as never)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(payload);
        }
      }
    };
    for (const name of ['registered', 'roster', 'presence', 'message', 'snippet', 'message-delivered', 'file-offer', 'file-sent', 'file-received', 'transfer-progress', 'job-done', 'left', 'process-exited', 'error'] as const) {
      alice.on(name, record(name));
    }

    await alice.start();
    const pid = alice.pid;
    assert.ok(alive(pid), 'the client process runs');
    assert.notEqual(pid, process.pid);
    assert.equal(alice.state, 'registered');
    assert.equal(alice.nick, 'alice');
    await alice.whenReady();
    assert.deepEqual(alice.online(), ['bob'], 'the roster is mirrored on this side');
    await bob.event('presence', (e) => e.nick === 'alice' && e.online === true);

    // Chat, both ways.
    const id = await alice.sendPrivate('bob', 'Hi Bob, from the client process');
    await bob.event('message', (e) => e.from === 'alice' && e.text === 'Hi Bob, from the client process' && e.private === true);
    await seen('message-delivered', (p) => p.id === id);
    await alice.broadcast('Hello everyone');
    await bob.event('message', (e) => e.text === 'Hello everyone' && e.private === false);
    bob.send('@alice hello back');
    const m = await seen('message', (p) => p.text === 'hello back');
    assert.equal(m.from, 'bob');
    assert.equal(m.private, true);

    // A code snippet crosses the process boundary (shareSnippet) both ways: out, and back as events.
    const snippet = { text: 'let x = 1;', language: 'javascript', path: 'src/a.js', startLine: 4, endLine: 4, repo: 'github.com/o/r', commit: 'abcdef0', branch: 'main', dirty: true };
    const snipId = await alice.shareSnippet(snippet, 'bob');
    const snip = await bob.event('snippet', (e) => e.from === 'alice');
    assert.deepEqual(snip, { event: 'snippet', from: 'alice', to: 'bob', private: true, ...snippet });
    await seen('message-delivered', (p) => p.id === snipId);
    await assert.rejects(alice.shareSnippet({ ...snippet, text: 'x'.repeat(64 * 1024 + 1) }), /64 KiB/, 'too large: refused across the RPC with its message');
    await assert.rejects(alice.shareSnippet({ ...snippet, path: '../x.js' }), /path segment/);
    writeFileSync(path.join(tmp, 'from-bob.js'), 'console.log("bob");\n');
    bob.send(`/snippet @alice ${path.join(tmp, 'from-bob.js')}`);
    const back1 = await seen('snippet', (p) => p.from === 'bob');
    assert.deepEqual([back1.text, back1.path, back1.language, back1.private], ['console.log("bob");', 'from-bob.js', 'javascript', true]);

    // The key alice pinned for bob (first use) is in the extension's store.
    const whois = await alice.whois('bob');
    assert.equal(pins.get('bob'), whois.fingerprint);
    assert.deepEqual(stored['peerchat.pins'], { bob: whois.fingerprint });

    // A file alice → bob: bytes on bob's disk.
    const out = randomBytes(2 * 1024 * 1024 + 13);
    const outFile = path.join(tmp, 'from-alice.bin');
    writeFileSync(outFile, out);
    await alice.sendFile('bob', outFile);
    const got = await bob.event('file-received', (e) => e.from === 'alice', 30_000);
    assert.equal(sha256(readFileSync(String(got.path))), sha256(out), 'bob has alice\'s bytes');
    const sent = await seen('file-sent');
    assert.equal(sent.sha256, sha256(out));
    assert.ok(events.some((e) => e.name === 'transfer-progress'), 'progress crossed the process boundary');

    // A folder alice → bob as one job (sendFiles crosses the process boundary; job events come back).
    const folder = path.join(tmp, 'folder-from-alice');
    mkdirSync(path.join(folder, 'sub'), { recursive: true });
    const inner = randomBytes(300_000);
    writeFileSync(path.join(folder, 'sub', 'inner.bin'), inner);
    const jobId = await alice.sendFiles(['bob'], [folder]);
    const jobOffer = await bob.event('job-offer', (e) => e.name === 'folder-from-alice');
    bob.send(`/accept ${String(jobOffer.id)}`);
    const jobDone = await bob.event('job-done', (e) => e.id === jobOffer.id, 30_000);
    assert.equal(sha256(readFileSync(path.join(String(jobDone.path), 'sub', 'inner.bin'))), sha256(inner));
    await seen('job-done', (p) => p.id === jobId && p.peer === 'bob');

    // A file bob → alice, accepted through the process: bytes on alice's disk.
    const back = randomBytes(1024 * 1024 + 7);
    const backFile = path.join(tmp, 'from-bob.bin');
    writeFileSync(backFile, back);
    bob.send(`/sendfile @alice ${backFile}`);
    const offer = await seen('file-offer', (p) => p.name === 'from-bob.bin');
    assert.equal(offer.from, 'bob');
    await alice.accept(offer.id);
    const received = await seen('file-received', (p) => p.from === 'bob');
    assert.equal(path.dirname(received.path), aliceDl);
    assert.equal(sha256(readFileSync(received.path)), sha256(back), 'alice has bob\'s bytes');

    // Leave: bob sees her go, the process is gone, and that was no crash.
    await alice.leave();
    await bob.event('presence', (e) => e.nick === 'alice' && e.online === false);
    assert.ok(!alive(pid), 'the client process exited on leave');
    assert.equal(alice.state, 'left');
    assert.ok(events.some((e) => e.name === 'left'));
    assert.ok(!events.some((e) => e.name === 'process-exited'), 'leaving is not a crash');
  });

  it('does not outlive an extension host that dies: it says goodbye to the relay and exits', async () => {
    // A stand-in extension host (plain Node) forks dist/clientHost.js, starts the client through
    // it, and is then SIGKILLed: no leave, no disconnect of its own.
    const host = path.join(tmp, 'fakeExtensionHost.js');
    writeFileSync(
      host,
      `const { fork } = require('node:child_process');
      process.on('message', (start) => {
        const child = fork(${JSON.stringify(CLIENT_HOST_JS)}, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
        child.on('message', (m) => { if (m.rpc === 'result' && m.id === 1) process.send({ pid: child.pid }); });
        child.send({ rpc: 'call', id: 1, method: 'start', args: [start] });
      });`,
    );
    const parent = fork(host, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    parent.send({ relay: { host: '127.0.0.1', port: relay!.port }, nick: 'dora', identity: serializeIdentity(generateIdentity()), downloadDir: tmp, pins: {} });
    const { pid } = await new Promise<{ pid: number }>((resolve) => parent.once('message', (m) => resolve(m as { pid: number })));
    await bob!.event('presence', (e) => e.nick === 'dora' && e.online === true);
    assert.ok(alive(pid));
    parent.kill('SIGKILL');
    const deadline = Date.now() + 5_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(!alive(pid), 'the client process exited with its parent');
    await bob!.event('presence', (e) => e.nick === 'dora' && e.online === false, 5_000);
  });
});
