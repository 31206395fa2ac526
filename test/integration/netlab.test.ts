import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliProcess, requireBuild, startRelayProcess, type JsonLine, online } from '../support/cliProcess';
import { NetLab, requireNetLab, type Host, type NatRouter, type Segment } from '../support/netLab';
import { UDP_AGENT_SOURCE, UdpAgent } from '../support/udpAgent';

/**
 * The built relay and terminal client on real networks: network namespaces joined by veth pairs
 * and bridges, with the kernel's NAT (docs/testing.md, "Network lab"). Every link has Ethernet's
 * MTU of 1500, unlike loopback's 64 KiB, so what the product sends is fragmented, NATed and lost
 * the way a real network would. These tests need root and nft/conntrack (test/netlab/setup.sh);
 * without them they fail with the reason rather than skip.
 */

/** Large enough for hundreds of file-data datagrams at any size the engine picks, small enough to stay quick. */
const FILE_BYTES = 4 * 1024 * 1024;
/** 1 % of the IP packets arriving at each client: a poor Wi-Fi link. Per mille, as NetLab.setLoss takes it. */
const LOSS_PERMILLE = 10;
/** Largest UDP payload one IPv4 packet carries at MTU 1500 (1500 − 20 − 8): bigger datagrams are fragmented. */
const UNFRAGMENTED_DATAGRAM_BYTES = 1472;
/** A transfer over the lossy lab takes a few seconds; TIMEOUT would take longer than the default wait. */
const TRANSFER_WAIT_MS = 40_000;
/** Addresses behind the NATs and on the plain LAN: private ranges (RFC 1918). */
const CONE_LAN = '10.1.0.0/24';
const SYMMETRIC_LAN = '10.2.0.0/24';
const OFFICE_LAN = '10.50.0.0/24';

/** On a fresh machine, installing nftables and conntrack with apt-get takes a while. */
const SETUP_TIMEOUT_MS = 5 * 60_000;

/** Fails (never skips) with the reason when the lab cannot run here; installs its packages if root. */
async function requireLab(ctx: Mocha.Context): Promise<void> {
  ctx.timeout(SETUP_TIMEOUT_MS);
  await requireNetLab();
  requireBuild();
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `nick` is online for `p`: in a roster or announced. */

/** The messages a client showed, as [from, text, private]. */
function messages(p: CliProcess): Array<[unknown, unknown, unknown]> {
  return p.all('message').map((e) => [e.from, e.text, e.private]);
}

/** Relay and clients of one lab, each in its namespace; stopped by stopAll(). */
class LabRun {
  readonly clients: CliProcess[] = [];
  relay: Awaited<ReturnType<typeof startRelayProcess>> | null = null;
  relayAddress = '';

  constructor(private readonly lab: NetLab) {}

  async startRelay(host: Host): Promise<void> {
    // --open: these tests are about the network, not invitations (a relay serving the network
    // makes a secret of its own otherwise); --no-announce: nothing here browses for it.
    this.relay = await startRelayProcess(['--host', host.ip, '--open', '--no-announce'], { prefix: this.lab.execPrefix(host) });
    this.relayAddress = `${host.ip}:${this.relay.port}`;
  }

  client(host: Host, nick: string, extra: string[] = []): CliProcess {
    const p = CliProcess.start(['--relay', this.relayAddress, '--nick', nick, ...extra], { prefix: this.lab.execPrefix(host) });
    this.clients.push(p);
    return p;
  }

  stopAll(): void {
    for (const p of this.clients.splice(0)) {
      p.kill();
      rmSync(p.configDir, { recursive: true, force: true }); // its identity key, made for this test
    }
    this.relay?.proc.kill('SIGKILL');
    this.relay = null;
  }
}

/** alice and bob register, see each other, and exchange a broadcast and a private message each way. */
async function chatBothWays(alice: CliProcess, bob: CliProcess): Promise<void> {
  assert.equal((await alice.event('registered')).nick, 'alice');
  assert.equal((await bob.event('registered')).nick, 'bob');
  await alice.waitFor(online('bob'), 'bob online');
  await bob.waitFor(online('alice'), 'alice online');
  alice.send('hello everyone');
  alice.send('@bob hi bob');
  bob.send('@alice hi alice');
  bob.send('hello from bob');
  await bob.event('message', (e) => e.text === 'hi bob');
  await alice.event('message', (e) => e.text === 'hello from bob');
}

/** After everything else had time to arrive twice: each message exactly once, in order. */
function assertChatExactlyOnce(alice: CliProcess, bob: CliProcess): void {
  assert.deepEqual(messages(bob), [['alice', 'hello everyone', false], ['alice', 'hi bob', true]]);
  assert.deepEqual(messages(alice), [['bob', 'hi alice', true], ['bob', 'hello from bob', false]]);
}

describe('network lab: the relay on a public segment, clients behind real NATs (MTU 1500)', function () {
  this.timeout(60_000);
  let lab: NetLab | null = null;
  let relayHost: Host;
  let aliceHost: Host;
  let bobHost: Host;
  let cone: NatRouter;
  let symmetric: NatRouter;
  let run: LabRun | null = null;
  let tmp = '';
  let file = '';
  let fileHash = '';

  before(async function () {
    await requireLab(this);
    lab = await NetLab.create({ prefix: 'nln' });
    const wan = await lab.publicSegment();
    relayHost = await lab.addHost('relay', { segment: wan });
    cone = await lab.addNatRouter('rcone', { type: 'cone', lanCidr: CONE_LAN });
    symmetric = await lab.addNatRouter('rsym', { type: 'symmetric', lanCidr: SYMMETRIC_LAN });
    aliceHost = await lab.addHost('alice', { segment: cone.lan });
    bobHost = await lab.addHost('bob', { segment: symmetric.lan });
    tmp = mkdtempSync(path.join(os.tmpdir(), 'peerchat-netlab-'));
    const data = randomBytes(FILE_BYTES);
    file = path.join(tmp, 'random.bin');
    writeFileSync(file, data);
    fileHash = sha256(data);
  });
  beforeEach(function () {
    run = new LabRun(lab!);
  });
  afterEach(function () {
    run?.stopAll();
    run = null;
  });
  after(async function () {
    run?.stopAll();
    await lab?.destroy();
    lab = null;
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /**
   * alice sends the file to bob (who accepts files); resolves with both sides' final events
   * and checks the bytes on bob's disk.
   */
  async function sendFile(alice: CliProcess, bob: CliProcess): Promise<{ sent: JsonLine; received: JsonLine }> {
    alice.send(`/sendfile @bob ${file}`);
    const offered = await alice.event('file-offered');
    const outcome = (p: CliProcess) =>
      p.waitFor((e) => (e.event === 'file-sent' || e.event === 'file-received' || e.event === 'transfer-failed') && e.id === offered.id, 'end of the transfer', TRANSFER_WAIT_MS);
    const [sent, received] = await Promise.all([outcome(alice), outcome(bob)]);
    assert.equal(received.event, 'file-received', `bob: ${JSON.stringify(received)}`);
    assert.equal(sent.event, 'file-sent', `alice: ${JSON.stringify(sent)}`);
    assert.equal(received.bytes, FILE_BYTES);
    assert.equal(received.sha256, fileHash);
    assert.equal(sha256(readFileSync(String(received.path))), fileHash, 'the file on bob\'s disk');
    return { sent, received };
  }

  function sizeProbed(alice: CliProcess): number | null {
    for (const line of alice.stderr) {
      const m = /path to bob carries (\d+)-byte datagrams/.exec(line);
      if (m) return Number(m[1]);
    }
    return null;
  }

  it('the lab itself: cone keeps one mapping for two destinations, symmetric does not; nothing unasked gets in; cut and restore', async function () {
    const agent = (host: Host) => new UdpAgent(lab!.spawn(host, process.execPath, ['-e', UDP_AGENT_SOURCE]));
    const server = agent(relayHost);
    const [s1, s2, s3] = [await server.bind(), await server.bind(), await server.bind()];
    for (const [host, router] of [[aliceHost, cone], [bobHost, symmetric]] as const) {
      const client = agent(host);
      const c = await client.bind();
      await client.send(c, relayHost.ip, s1, `${host.name}→s1`);
      await client.send(c, relayHost.ip, s2, `${host.name}→s2`);
      const first = await server.recv(`${host.name}→s1`);
      const second = await server.recv(`${host.name}→s2`);
      assert.equal(first.from, router.wanIp, 'seen from the router\'s public address');
      if (router.type === 'cone') assert.equal(second.fromPort, first.fromPort, 'cone: one mapping for every destination');
      else assert.notEqual(second.fromPort, first.fromPort, 'symmetric: a new mapping per destination');

      // Filtering: s3 was never contacted, so its datagram to the mapping is dropped; s1's reply gets through.
      await server.send(s3, router.wanIp, first.fromPort, `s3→${host.name}`);
      await server.send(s1, router.wanIp, first.fromPort, `s1→${host.name}`);
      await client.recv(`s1→${host.name}`);
      if (router.type === 'cone') {
        // That early datagram is what a hole-punching peer sends first. The router dropped it
        // before conntrack kept it, so the host's own flow to s3 still gets the same mapping.
        await client.send(c, relayHost.ip, s3, `${host.name}→s3`);
        assert.equal((await server.recv(`${host.name}→s3`)).fromPort, first.fromPort, 'an early probe did not move the cone mapping');
      }

      // cut() drops the path both ways until restore().
      await lab!.cut(router, relayHost.ip);
      await client.send(c, relayHost.ip, s1, `${host.name}→s1 cut`);
      await lab!.restore(router, relayHost.ip);
      await client.send(c, relayHost.ip, s1, `${host.name}→s1 restored`);
      await server.recv(`${host.name}→s1 restored`);
      assert.deepEqual(client.received.map((r) => r.text), [`s1→${host.name}`], 'only the reply came in');
      client.close();
    }
    assert.ok(!server.received.some((r) => r.text.endsWith(' cut')), 'nothing crossed a cut path');
    server.close();
  });

  it('cone NAT ↔ symmetric NAT: register, see each other, chat both ways, 4 MiB arrives byte-identical', async function () {
    const r = run!;
    const relayBefore = await lab!.counter(relayHost);
    await r.startRelay(relayHost);
    const alice = r.client(aliceHost, 'alice', ['--verbose']);
    const bob = r.client(bobHost, 'bob', ['--accept-files', '--download-dir', path.join(tmp, 'bob-lossless')]);
    await chatBothWays(alice, bob);
    await sendFile(alice, bob);
    assertChatExactlyOnce(alice, bob);
    // Everything is relayed today: the relay's namespace really received and sent the file.
    const relayAfter = await lab!.counter(relayHost);
    assert.ok(relayAfter.rxBytes - relayBefore.rxBytes > FILE_BYTES, `relay received ${relayAfter.rxBytes - relayBefore.rxBytes} bytes`);
    assert.ok(relayAfter.txBytes - relayBefore.txBytes > FILE_BYTES, `relay sent ${relayAfter.txBytes - relayBefore.txBytes} bytes`);
    const size = sizeProbed(alice);
    assert.ok(size !== null && size <= UNFRAGMENTED_DATAGRAM_BYTES, `file data in ${size}-byte datagrams across a 1500-byte MTU`);
  });

  it('the same 4 MiB with 1 % per-packet loss at each client arrives byte-identical', async function () {
    const r = run!;
    await lab!.setLoss(aliceHost, LOSS_PERMILLE);
    await lab!.setLoss(bobHost, LOSS_PERMILLE);
    try {
      const bobBefore = await lab!.counter(bobHost);
      await r.startRelay(relayHost);
      const alice = r.client(aliceHost, 'alice', ['--verbose']);
      const bob = r.client(bobHost, 'bob', ['--accept-files', '--download-dir', path.join(tmp, 'bob-lossy')]);
      await chatBothWays(alice, bob);
      await sendFile(alice, bob);
      assertChatExactlyOnce(alice, bob);
      const bobAfter = await lab!.counter(bobHost);
      assert.ok(bobAfter.rxBytes - bobBefore.rxBytes > FILE_BYTES, `bob received ${bobAfter.rxBytes - bobBefore.rxBytes} bytes`);
      const size = sizeProbed(alice);
      assert.ok(size !== null && size <= UNFRAGMENTED_DATAGRAM_BYTES, `file data in ${size}-byte datagrams across a 1500-byte MTU`);
    } finally {
      await lab!.setLoss(aliceHost, 0);
      await lab!.setLoss(bobHost, 0);
    }
  });
});

describe('network lab: a plain LAN (three namespaces on one bridge, MTU 1500)', function () {
  this.timeout(60_000);
  let lab: NetLab | null = null;
  let run: LabRun | null = null;
  let office: Segment;

  before(async function () {
    await requireLab(this);
    lab = await NetLab.create({ prefix: 'nll' });
    office = await lab.addLan('office', { cidr: OFFICE_LAN });
  });
  after(async function () {
    run?.stopAll();
    await lab?.destroy();
    lab = null;
  });

  it('the relay on one host, alice and bob on two others: they chat both ways', async function () {
    const relayHost = await lab!.addHost('relay', { segment: office });
    const aliceHost = await lab!.addHost('alice', { segment: office });
    const bobHost = await lab!.addHost('bob', { segment: office });
    run = new LabRun(lab!);
    await run.startRelay(relayHost);
    const alice = run.client(aliceHost, 'alice');
    const bob = run.client(bobHost, 'bob');
    await chatBothWays(alice, bob);
    // A last round trip, so that a duplicate of the earlier messages would have shown up.
    alice.send('@bob bye');
    await bob.event('message', (e) => e.text === 'bye');
    assert.deepEqual(messages(bob), [['alice', 'hello everyone', false], ['alice', 'hi bob', true], ['alice', 'bye', true]]);
    assert.deepEqual(messages(alice), [['bob', 'hi alice', true], ['bob', 'hello from bob', false]]);
  });
});
