/**
 * `/snippet` between terminal clients, as the built programs a user runs (README "Sharing code";
 * docs/protocol.md "Snippets"): the JSON event's fields, private and broadcast, a copy on the
 * sender's other device, a 64 KiB snippet whole, and the clear errors (too large, no such file,
 * a bad range).
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_JS, CliProcess, RELAY_JS, online, startRelayProcess } from '../support/cliProcess';
import { TestClient } from '../support/testClient';
import { ControlType, SnippetMode, encodeControl } from '../../src/protocol/controlMessages';
import type { CodeSnippet } from '../../src/shared/codeLink';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

describe('terminal /snippet (dist/cli.js --json)', function () {
  this.timeout(60_000);
  let relay: Awaited<ReturnType<typeof startRelayProcess>>;
  const procs: CliProcess[] = [];
  let tmp: string;
  let clone: string;
  let bare: string;
  let head: string;
  const file = 'src/math.ts';
  const lines = ['export function add(a: number, b: number): number {', '  return a + b;', '}', '', 'export const PI = 3.14;'];

  before(function () {
    if (!existsSync(CLI_JS) || !existsSync(RELAY_JS)) throw new Error('run `npm run build` first (npm test does)');
    tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'peerchat-snip-')));
    bare = path.join(tmp, 'origin.git');
    git(tmp, 'init', '-q', '--bare', bare);
    clone = path.join(tmp, 'alice-clone');
    git(tmp, 'clone', '-q', bare, clone);
    execFileSync('mkdir', ['-p', path.join(clone, 'src')]);
    writeFileSync(path.join(clone, file), `${lines.join('\n')}\n`);
    git(clone, 'add', '.');
    git(clone, 'commit', '-q', '-m', 'math');
    git(clone, 'push', '-q', 'origin', 'HEAD');
    head = git(clone, 'rev-parse', 'HEAD');
  });
  beforeEach(async () => {
    relay = await startRelayProcess();
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) p.kill();
    relay.proc.kill('SIGTERM');
  });

  function cli(nick: string, opts: { configDir?: string } = {}): CliProcess {
    const p = CliProcess.start(['--relay', `127.0.0.1:${relay.port}`, '--nick', nick], opts);
    procs.push(p);
    return p;
  }

  async function three(): Promise<[CliProcess, CliProcess, CliProcess]> {
    const alice = cli('alice');
    const bob = cli('bob');
    const carol = cli('carol');
    for (const p of [alice, bob, carol]) await p.event('registered');
    // alice learns of the others from her first roster or from later join announcements.
    for (const nick of ['bob', 'carol']) {
      await alice.waitFor(
        online(nick),
        `${nick} online`,
      );
    }
    return [alice, bob, carol];
  }

  it('private and broadcast snippets arrive with their code link; the JSON fields are exact', async () => {
    const [alice, bob, carol] = await three();
    alice.send(`/snippet @bob ${path.join(clone, file)}:1-3`);
    const got = await bob.event('snippet');
    assert.deepEqual(got, {
      event: 'snippet', from: 'alice', to: 'bob', private: true,
      text: lines.slice(0, 3).join('\n'), language: 'typescript', path: 'src/math.ts', startLine: 1, endLine: 3,
      repo: `file://${bare.replace(/\.git$/, '')}`, commit: head, branch: 'main', dirty: false,
    });
    const sent = await alice.event('snippet-sent');
    assert.equal(sent.to, 'bob');
    await alice.event('message-delivered', (e) => e.id === sent.id);

    alice.send(`/snippet ${path.join(clone, file)}:5`);
    for (const p of [bob, carol]) {
      const b = await p.event('snippet', (e) => e.private === false);
      assert.equal(b.from, 'alice');
      assert.equal(b.text, 'export const PI = 3.14;');
      assert.equal(b.startLine, 5);
      assert.equal(b.endLine, 5);
      assert.equal('to' in b, false);
    }
    // The private one went to bob only.
    assert.equal(carol.all('snippet').length, 1);
    assert.equal(bob.all('snippet').length, 2);
  });

  it('uncommitted changes in those lines set dirty; a file outside any repository has no link', async () => {
    const [alice, bob] = await three();
    const work = path.join(tmp, 'dirty-clone');
    git(tmp, 'clone', '-q', bare, work);
    writeFileSync(path.join(work, file), `${lines.join('\n').replace('a + b', 'b + a')}\n`);
    alice.send(`/snippet @bob ${path.join(work, file)}:2`);
    const d = await bob.event('snippet');
    assert.equal(d.dirty, true);
    assert.equal(d.text, '  return b + a;');
    alice.send(`/snippet @bob ${path.join(work, file)}:5`);
    assert.equal((await bob.event('snippet', (e) => e.startLine === 5)).dirty, false, 'the change is elsewhere');

    const loose = path.join(tmp, 'loose.py');
    writeFileSync(loose, 'print("hi")\n');
    alice.send(`/snippet @bob ${loose}`);
    const l = await bob.event('snippet', (e) => e.language === 'python');
    assert.equal(l.text, 'print("hi")');
    assert.equal(l.path, 'loose.py');
    for (const k of ['repo', 'commit', 'branch']) assert.equal(k in l, false, k);
    assert.equal(l.dirty, false);
  });

  it('a 64 KiB snippet arrives whole; 64 KiB + 1 is refused, suggesting /sendfile', async () => {
    const [alice, bob] = await three();
    // 1,024 lines: 1,023 of 63 characters and one of 64, with 1,023 line breaks: 65,536 bytes.
    const bigLines = Array.from({ length: 1024 }, (_, i) => `${String(i).padStart(5, '0')} ${'x'.repeat(i === 1023 ? 58 : 57)}`);
    const exact = bigLines.join('\n');
    assert.equal(Buffer.byteLength(exact), 65_536);
    const f = path.join(tmp, 'big.txt');
    writeFileSync(f, `${exact}\nmore\n`);
    alice.send(`/snippet @bob ${f}:1-1024`);
    const got = await bob.event('snippet', () => true, 30_000);
    assert.equal(Buffer.byteLength(String(got.text)), 65_536);
    assert.equal(got.text, exact);

    alice.send(`/snippet @bob ${f}:1-1025`);
    const err = await alice.event('error');
    assert.equal(err.code, 'MESSAGE_TOO_LONG');
    assert.match(String(err.message), /65541 bytes; the limit is 65536 bytes \(64 KiB\)\. Send the file instead: \/sendfile @nick/);
    // Nothing more reached bob.
    alice.send('@bob after');
    await bob.event('message', (e) => e.text === 'after');
    assert.equal(bob.all('snippet').length, 1);
  });

  it('a missing file, a range beyond the file and a malformed range are clear errors; nothing is sent', async () => {
    const [alice, bob] = await three();
    alice.send(`/snippet @bob ${path.join(tmp, 'nope.ts')}:1-2`);
    const e1 = await alice.event('error');
    assert.equal(e1.code, 'FILE_NOT_FOUND');
    assert.match(String(e1.message), /No such file: .*nope\.ts/);
    alice.send(`/snippet @bob ${path.join(clone, file)}:4-9`);
    const e2 = await alice.event('error', (e) => e !== e1);
    assert.equal(e2.code, 'BAD_COMMAND');
    assert.match(String(e2.message), /Lines 4-9 are beyond the end of src\/math\.ts, which has 5 lines/);
    alice.send(`/snippet @bob ${path.join(clone, file)}:3-2`);
    const e3 = await alice.event('error', (e) => e !== e1 && e !== e2);
    assert.equal(e3.code, 'BAD_COMMAND');
    assert.match(String(e3.message), /Bad line range 3-2/);
    alice.send('@bob still here');
    await bob.event('message', (e) => e.text === 'still here');
    assert.equal(bob.all('snippet').length, 0);
  });

  it('the human view prints the location and origin, then the text', async () => {
    const alice = cli('alice');
    await alice.event('registered');
    // bob as a person runs it: no --json (stdin is not a terminal, so no prompt is drawn).
    const dave = spawn(process.execPath, [CLI_JS, '--relay', `127.0.0.1:${relay.port}`, '--nick', 'dave', '--identity', path.join(tmp, 'dave.json'), '--no-discover'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    dave.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await alice.waitFor((e) => (e.event === 'presence' && e.nick === 'dave') || (e.event === 'roster' && (e.nicks as string[]).includes('dave')), 'dave online');
      alice.send(`/snippet @dave ${path.join(clone, file)}:1-2`);
      const want = `alice shared src/math.ts:1-2 (file://${bare.replace(/\.git$/, '')} @ ${head.slice(0, 7)}) with you\n    ${lines[0]}\n    ${lines[1]}\n`;
      for (let i = 0; i < 400 && !out.includes(want); i++) await new Promise((r) => setTimeout(r, 25));
      assert.ok(out.includes(want), out);
    } finally {
      dave.kill();
    }
  });

  it("the sender's other device shows the snippet as sent by the member", async () => {
    const alice = cli('alice');
    await alice.event('registered');
    const alice2 = cli('alice', { configDir: alice.configDir });
    const bob = cli('bob');
    await alice2.event('registered');
    await bob.event('registered');
    await alice.waitFor((e) => (e.event === 'roster' && (e.nicks as string[]).includes('bob')) || (e.event === 'presence' && e.nick === 'bob'), 'bob online');
    await alice.waitFor((e) => e.event === 'member-devices' && e.nick === 'alice' && e.devices === 2, 'second device');
    alice.send(`/snippet @bob ${path.join(clone, file)}:2`);
    await bob.event('snippet');
    const copy = await alice2.event('snippet-sent');
    assert.equal(copy.otherDevice, true);
    assert.equal(copy.to, 'bob');
    assert.equal(copy.text, '  return a + b;');
    assert.equal(copy.path, 'src/math.ts');
  });
});

describe('snippets from a hostile peer (in-process clients)', function () {
  this.timeout(30_000);
  let relay: Awaited<ReturnType<typeof startRelayProcess>>;
  const clients: TestClient[] = [];
  beforeEach(async () => {
    relay = await startRelayProcess();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.client.leave().catch(() => undefined);
    relay.proc.kill('SIGTERM');
  });

  it('fields that fail the checks are dropped with a log line naming why; the channel goes on', async () => {
    const at = { host: '127.0.0.1', port: relay.port };
    const bobLog: string[] = [];
    const alice = await TestClient.join({ relay: at, nick: 'alice' });
    const bob = await TestClient.join({ relay: at, nick: 'bob', log: (_l, m) => bobLog.push(m) });
    clients.push(alice, bob);
    await alice.client.whenReady();
    for (let i = 0; i < 200 && !alice.client.online().includes('bob'); i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(alice.client.online(), ['bob']);
    const good: CodeSnippet = { text: 'ok', language: 'c', path: 'a.c', startLine: 1, endLine: 1, dirty: false };
    // What ChatClient.shareSnippet refuses to send, put on alice's channel to bob by hand.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const raw = alice.client as any;
    const link = raw.linkForPeer(raw.devicesOf('bob')[0]);
    const hostile: Array<[Partial<CodeSnippet>, number, RegExp]> = [
      [{ path: '../../.ssh/id_ed25519' }, SnippetMode.PRIVATE, /path segment "\.\."/],
      [{ path: '/etc/passwd' }, SnippetMode.PRIVATE, /absolute path/],
      [{ startLine: 9, endLine: 2 }, SnippetMode.PRIVATE, /bad line range 9-2/],
      [{ repo: 'https://user:pw@github.com/o/r' }, SnippetMode.PRIVATE, /not in canonical form/],
      [{ language: '"><img src=x>' }, SnippetMode.PRIVATE, /bad language id/],
      [{}, SnippetMode.COPY, /a copy from a device that is not ours/],
    ];
    for (const [bad, mode] of hostile) {
      raw.sendOnChannel(link, encodeControl({ type: ControlType.SNIPPET, mode: mode as 0, to: mode === SnippetMode.COPY ? 'carol' : '', keyId: 0, n: 0, snippet: { ...good, ...bad } }));
    }
    alice.client.shareSnippet(good, 'bob');
    alice.client.sendPrivate('bob', 'after');
    await bob.waitFor('message', (m) => m.text === 'after');
    assert.deepEqual(bob.all('snippet').map((s) => s.path), ['a.c'], 'only the good one arrived, in its place');
    const drops = bobLog.filter((l) => l.startsWith('dropped a snippet from alice'));
    assert.equal(drops.length, hostile.length, drops.join('\n'));
    hostile.forEach(([, , why], i) => assert.match(drops[i], why));
  });
});
