import { strict as assert } from 'node:assert';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { buildInvitation, parseInvitation } from '../../src/shared/invitation';
import { CLI_JS, CliProcess, REPO, RELAY_JS, type JsonLine } from '../support/cliProcess';
import { NetLab, prepareNetLab, type Host, type Segment } from '../support/netLab';

/**
 * Issue 15 on a real LAN: network namespaces on one bridge (test/support/netLab.ts), never the
 * machine's own interfaces — multicast DNS sent there would reach the real network. The built
 * relay and terminal client run inside the namespaces (`ip netns exec`):
 *
 *  - a relay serving the network in one namespace prints its invitation, is discovered from two
 *    others (`peerchat --discover`), and both join by invitation (`--invite LINK`, `join LINK`)
 *    and chat;
 *  - a relay for this machine only (127.0.0.1) is neither announced nor reachable;
 *  - a wrong secret, and after SIGHUP the rotated-out one, are refused with BAD_SECRET while the
 *    members already in keep chatting;
 *  - announcements with hostile fields (long names, control and bidi characters, bogus ports,
 *    another protocol version) are shown safely or ignored.
 *
 * Needs root and iproute2/nftables/conntrack (test/netlab/setup.sh, run from prepareNetLab).
 */

/** The office LAN: a private range that exists only inside the lab (RFC 1918). */
const OFFICE_LAN = '10.61.0.0/24';
/** What `peerchat --discover` takes (1.5 s of listening) plus starting Node in a namespace. */
const DISCOVER_WAIT_MS = 15_000;

/** A relay process in a namespace, with the lines it printed. */
class LabRelay {
  readonly lines: string[] = [];
  private waiters: Array<{ pred: (l: string) => boolean; resolve: (l: string) => void }> = [];

  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    readline.createInterface({ input: proc.stdout }).on('line', (l) => {
      this.lines.push(l);
      for (const w of [...this.waiters]) {
        if (w.pred(l)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(l);
        }
      }
    });
    proc.stderr.on('data', (d: Buffer) => this.lines.push(`[stderr] ${d.toString().trim()}`));
  }

  /** The first line (from `from` on) matching `re`. */
  line(re: RegExp, from = 0, timeoutMs = 15_000): Promise<string> {
    const past = this.lines.slice(from).find((l) => re.test(l));
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const w = { pred: (l: string) => re.test(l) && this.lines.indexOf(l) >= from, resolve };
      this.waiters.push(w);
      setTimeout(() => reject(new Error(`relay printed no ${re} within ${timeoutMs} ms: ${JSON.stringify(this.lines)}`)), timeoutMs);
    });
  }
}

/** A hostile mDNS responder: answers every query for _peerchat._udp with made-up relays. */
const HOSTILE_RESPONDER = `
const mdns = require(${JSON.stringify(path.join(REPO, 'node_modules', 'multicast-dns'))})({ interface: process.argv[1], bind: '0.0.0.0' });
const TYPE = '_peerchat._udp.local';
const me = process.argv[1];
const fake = [
  // shown, but safely: bidi override, control characters, a newline, markup; long
  { label: '\\u202eevil\\u0007\\nname<script>' + 'W'.repeat(40), port: 40001, txt: ['v=2', 'secret=1'] },
  // ignored: bogus ports, another protocol version, no version
  { label: 'port-zero', port: 0, txt: ['v=2', 'secret=0'] },
  { label: 'dns-port', port: 53, txt: ['v=2', 'secret=0'] },
  { label: 'old-version', port: 40002, txt: ['v=1', 'secret=0'] },
  { label: 'no-version', port: 40003, txt: ['secret=0'] },
];
mdns.on('query', (q) => {
  if (!q.questions.some((x) => x.name === TYPE)) return;
  const answers = [];
  const additionals = [];
  for (const f of fake) {
    const fqdn = f.label + '.' + TYPE;
    answers.push({ name: TYPE, type: 'PTR', ttl: 120, data: fqdn });
    additionals.push({ name: fqdn, type: 'SRV', ttl: 120, data: { port: f.port, target: 'liar.local' } });
    additionals.push({ name: fqdn, type: 'TXT', ttl: 120, data: f.txt });
  }
  additionals.push({ name: 'liar.local', type: 'A', ttl: 120, data: me });
  mdns.respond({ answers, additionals });
});
mdns.on('ready', () => console.log('ready'));
`;

describe('LAN discovery and invitations in network namespaces (issue 15)', function () {
  this.timeout(60_000);
  let lab: NetLab | null = null;
  let office: Segment;
  let relayHost: Host;
  let aliceHost: Host;
  let bobHost: Host;
  let localHost: Host;
  let relay: LabRelay | null = null;
  let invite = '';
  const clients: CliProcess[] = [];

  function cli(host: Host, args: string[]): CliProcess {
    const p = CliProcess.start(args, { prefix: lab!.execPrefix(host) });
    clients.push(p);
    return p;
  }

  /** `peerchat --discover --json` from `host`: the relays it listed. */
  async function discover(host: Host): Promise<JsonLine[]> {
    const p = cli(host, ['--discover']);
    await p.event('discovery-done', () => true, DISCOVER_WAIT_MS);
    assert.equal(await p.exited, 0);
    return p.all('relay-found');
  }

  /** `peerchat --discover` (for people) from `host`: what it printed. */
  function discoverText(host: Host): Promise<string> {
    return new Promise((resolve, reject) => {
      const p = lab!.spawn(host, process.execPath, [CLI_JS, '--discover']);
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`--discover exited ${code}: ${out}`))));
    });
  }

  function startRelay(host: Host, args: string[]): LabRelay {
    return new LabRelay(lab!.spawn(host, process.execPath, [RELAY_JS, '--port', '0', ...args]));
  }

  before(async function () {
    this.timeout(5 * 60_000); // a fresh machine installs nftables and conntrack first
    const why = await prepareNetLab();
    if (why) throw new Error(`network lab unavailable: ${why}. Set up with \`sudo test/netlab/setup.sh\` and run the tests as root (docs/testing.md).`);
    lab = await NetLab.create({ prefix: 'pct' });
    office = await lab.addLan('office', { cidr: OFFICE_LAN });
    relayHost = await lab.addHost('relay', { segment: office });
    aliceHost = await lab.addHost('alice', { segment: office });
    bobHost = await lab.addHost('bob', { segment: office });
    localHost = await lab.addHost('local', { segment: office });
  });

  after(async function () {
    for (const p of clients.splice(0)) p.kill();
    await lab?.destroy();
    lab = null;
  });

  it('a relay serving the network prints its invitation right after "listening on", with its LAN address and a secret of its own', async () => {
    relay = startRelay(relayHost, ['--host', '0.0.0.0', '--name', 'Team room']);
    const first = await relay.line(/./);
    const port = Number(/^listening on 0\.0\.0\.0:(\d+)$/.exec(first)?.[1]);
    assert.ok(port > 0, first);
    const line = await relay.line(/^invite: /);
    assert.equal(relay.lines.indexOf(line), 1, 'the invite line comes right after "listening on"');
    invite = line.slice('invite: '.length);
    const parsed = parseInvitation(invite);
    assert.ok(parsed.ok, invite);
    assert.deepEqual(parsed.invitation.relays, [{ host: relayHost.ip, port }], 'the namespace\'s LAN address, not 127.0.0.1');
    assert.equal(parsed.invitation.name, 'Team room');
    assert.match(parsed.invitation.secret ?? '', /^[A-Za-z0-9_-]{22}$/);
    await relay.line(/announced on the LAN as "Team room"/);
    // The secret is printed in the invite line and nowhere else.
    assert.equal(relay.lines.filter((l) => l.includes(parsed.invitation.secret!)).length, 1);
  });

  it('is discovered from two other namespaces, with its name, address, port and "needs a secret" — and no secret', async () => {
    const { relays, secret } = (parseInvitation(invite) as { ok: true; invitation: { relays: Array<{ host: string; port: number }>; secret: string } }).invitation;
    for (const host of [aliceHost, bobHost]) {
      const found = await discover(host);
      const team = found.filter((e) => e.name === 'Team room');
      assert.equal(team.length, 1, `${host.name} found: ${JSON.stringify(found)}`);
      assert.equal(team[0].address, relays[0].host);
      assert.equal(team[0].port, relays[0].port);
      assert.equal(team[0].needsSecret, true);
      assert.ok(!JSON.stringify(found).includes(secret), 'the announcement carries no secret');
    }
  });

  it('alice (--invite LINK) and bob (join LINK) join by invitation from their namespaces and chat', async () => {
    const alice = cli(aliceHost, ['--invite', invite, '--nick', 'alice']);
    const bob = cli(bobHost, ['join', invite, '--nick', 'bob']);
    await alice.event('registered');
    await bob.event('registered');
    const online = (nick: string) => (e: JsonLine) => (e.event === 'presence' && e.nick === nick && e.online === true) || (e.event === 'roster' && (e.nicks as string[]).includes(nick));
    // A broadcast reaches who is online when it is sent: each waits to see the other first.
    await alice.waitFor(online('bob'), 'bob online');
    await bob.waitFor(online('alice'), 'alice online');
    alice.send('@bob hi bob, from the invitation');
    bob.send('hello everyone');
    await bob.event('message', (e) => e.from === 'alice' && e.text === 'hi bob, from the invitation');
    await alice.event('message', (e) => e.from === 'bob' && e.text === 'hello everyone');
  });

  it('a relay for this machine only is neither announced nor reachable from the LAN', async () => {
    const local = startRelay(localHost, ['--host', '127.0.0.1', '--name', 'Private']);
    const first = await local.line(/./);
    const port = Number(/^listening on 127\.0\.0\.1:(\d+)$/.exec(first)?.[1]);
    assert.ok(port > 0, first);
    const found = await discover(aliceHost);
    assert.deepEqual(found.map((e) => e.name).filter((n) => n === 'Private'), [], JSON.stringify(found));
    assert.ok(!local.lines.some((l) => /^invite:|announced/.test(l)), JSON.stringify(local.lines));
    // An invitation pointing at it from another namespace: nothing answers there.
    const p = cli(aliceHost, ['--invite', buildInvitation({ relays: [{ host: localHost.ip, port }] }), '--nick', 'nosy']);
    const e = await p.event('error', () => true, 15_000);
    assert.equal(e.code, 'RELAY_UNREACHABLE');
    assert.equal(await p.exited, 1);
    local.proc.kill('SIGTERM');
  });

  it('a wrong secret is refused with BAD_SECRET; after SIGHUP the old invitation is refused too, the new one admits, members already in stay', async () => {
    const parsed = parseInvitation(invite);
    assert.ok(parsed.ok);
    const at = `${parsed.invitation.relays[0].host}:${parsed.invitation.relays[0].port}`;
    const wrong = cli(bobHost, ['--relay', at, '--secret', 'not-the-secret', '--nick', 'eve']);
    assert.equal((await wrong.event('error')).code, 'BAD_SECRET');
    assert.equal(await wrong.exited, 1);

    // Rotate: the relay makes a new secret and prints a new invitation.
    const from = relay!.lines.length;
    relay!.proc.kill('SIGHUP');
    const next = (await relay!.line(/^invite: /, from)).slice('invite: '.length);
    const rotated = parseInvitation(next);
    assert.ok(rotated.ok && rotated.invitation.secret !== parsed.invitation.secret);

    const old = cli(bobHost, ['--invite', invite, '--nick', 'carol']);
    assert.equal((await old.event('error')).code, 'BAD_SECRET');
    assert.equal(await old.exited, 1);
    const fresh = cli(bobHost, ['--invite', next, '--nick', 'dave']);
    await fresh.event('registered');

    // alice and bob, who joined with the old invitation, are still in and still chat.
    const [alice, bob] = clients.filter((c) => c.all('registered').some((e) => e.nick === 'alice' || e.nick === 'bob'));
    alice.send('@bob still here after the rotation');
    await bob.event('message', (e) => e.text === 'still here after the rotation');
    assert.equal(alice.all('left').length + bob.all('left').length, 0);
  });

  it('announcements with hostile fields are shown safely or ignored', async () => {
    const liarHost = await lab!.addHost('liar', { segment: office });
    const liar = lab!.spawn(liarHost, process.execPath, ['-e', HOSTILE_RESPONDER, liarHost.ip]);
    await new Promise<void>((resolve, reject) => {
      liar.stdout.once('data', () => resolve());
      liar.once('exit', (code) => reject(new Error(`hostile responder exited ${code}`)));
    });
    const found = await discover(aliceHost);
    const fromLiar = found.filter((e) => e.address === liarHost.ip);
    assert.equal(fromLiar.length, 1, `only the hostile relay with a sane port and version is listed: ${JSON.stringify(found)}`);
    const shown = fromLiar[0];
    assert.equal(shown.port, 40001);
    assert.doesNotMatch(String(shown.name), /[\u202e\u0007\n<>]/);
    assert.match(String(shown.name), /^evil name script W+$/);
    assert.ok([...String(shown.name)].length <= 48);
    assert.ok(found.some((e) => e.name === 'Team room'), 'the real relay is still listed');
    // What a person sees: the same, with nothing that moves the cursor or reorders text.
    const text = await discoverText(aliceHost);
    assert.match(text, /Team room — /);
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/);
    liar.kill('SIGKILL');
  });
});
