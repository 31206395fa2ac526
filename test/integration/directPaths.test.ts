/**
 * Direct paths through real NATs (issue 12; docs/protocol.md "Direct paths"): the relay on a
 * public segment, each client behind a NAT router of its own, in network namespaces
 * (docs/testing.md "Network lab"). The built relay and terminal client, as users run them.
 * Behaviour only: which path each side reports, bytes on disk and their hash, what the relay's
 * namespace really carried, what reached an attacker. Needs root (test/netlab/setup.sh).
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliProcess, requireBuild, startRelayProcess, online } from '../support/cliProcess';
import { NetLab, requireNetLab, type Host, type NatRouter } from '../support/netLab';
import { UDP_AGENT_SOURCE, UdpAgent } from '../support/udpAgent';

const FILE_BYTES = 4 * 1024 * 1024;
/** "Direct within a few seconds" of the first exchange: two probe rounds' worth. */
const DIRECT_WITHIN_MS = 10_000;
const TRANSFER_WAIT_MS = 60_000;
/** Probes towards one device in one round: MAX_CANDIDATES × PROBE_SCHEDULE_MS.length (pathSet.ts). */
const PROBES_PER_ROUND = 8 * 7;

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('direct paths through real NATs (MTU 1500)', function () {
  this.timeout(120_000);
  let lab: NetLab;
  let relayHost: Host;
  let attackerHost: Host;
  let coneA: NatRouter;
  let coneB: NatRouter;
  let sym: NatRouter;
  let alice: Host;
  let bob: Host;
  let carol: Host;
  let tmp = '';
  let relay: Awaited<ReturnType<typeof startRelayProcess>> | null = null;
  let relayAddr = '';
  const procs: CliProcess[] = [];

  before(async function () {
    this.timeout(5 * 60_000);
    await requireNetLab();
    requireBuild();
    lab = await NetLab.create({ prefix: 'ndp' });
    const wan = await lab.publicSegment();
    relayHost = await lab.addHost('relay', { segment: wan });
    attackerHost = await lab.addHost('evil', { segment: wan });
    coneA = await lab.addNatRouter('ra', { type: 'cone', lanCidr: '10.11.0.0/24' });
    coneB = await lab.addNatRouter('rb', { type: 'cone', lanCidr: '10.12.0.0/24' });
    sym = await lab.addNatRouter('rs', { type: 'symmetric', lanCidr: '10.13.0.0/24' });
    alice = await lab.addHost('alice', { segment: coneA.lan });
    bob = await lab.addHost('bob', { segment: coneB.lan });
    carol = await lab.addHost('carol', { segment: sym.lan });
    tmp = mkdtempSync(path.join(os.tmpdir(), 'peerchat-direct-'));
  });

  after(async () => {
    await lab?.destroy();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  beforeEach(async () => {
    relay = await startRelayProcess(['--host', relayHost.ip, '--open', '--no-announce'], { prefix: lab.execPrefix(relayHost) });
    relayAddr = `${relayHost.ip}:${relay.port}`;
  });

  afterEach(async () => {
    for (const p of procs.splice(0)) {
      p.kill();
      rmSync(p.configDir, { recursive: true, force: true });
    }
    relay?.proc.kill('SIGKILL');
    relay = null;
    for (const r of [coneA, coneB, sym]) {
      await lab.restore(r, coneA.wanIp).catch(() => undefined);
      await lab.restore(r, coneB.wanIp).catch(() => undefined);
    }
  });

  function client(host: Host, nick: string, extra: string[] = []): CliProcess {
    const dl = path.join(tmp, `${nick}-${procs.length}`);
    const p = CliProcess.start(['--relay', relayAddr, '--nick', nick, '--accept-files', '--download-dir', dl, ...extra], { prefix: lab.execPrefix(host) });
    procs.push(p);
    return p;
  }

  /** Two clients see each other and talk once (which sets up their end-to-end session). */
  async function meet(a: CliProcess, an: string, b: CliProcess, bn: string): Promise<void> {
    await a.event('registered', () => true, 20_000);
    await b.event('registered', () => true, 20_000);
    await a.waitFor(online(bn), `${bn} online`, 20_000);
    await b.waitFor(online(an), `${an} online`, 20_000);
    a.send(`@${bn} hello ${bn}`);
    await b.event('message', (e) => e.text === `hello ${bn}`, 20_000);
  }

  function file(name: string, bytes: number): { file: string; hash: string } {
    const data = randomBytes(bytes);
    const f = path.join(tmp, name);
    writeFileSync(f, data);
    return { file: f, hash: sha256(data) };
  }

  it('cone ↔ cone: direct within a few seconds, and then the relay carries none of the file', async () => {
    const a = client(alice, 'alice');
    const b = client(bob, 'bob');
    await meet(a, 'alice', b, 'bob');
    const pa = await a.event('path', (e) => e.peer === 'bob' && e.path === 'direct', DIRECT_WITHIN_MS);
    const pb = await b.event('path', (e) => e.peer === 'alice' && e.path === 'direct', DIRECT_WITHIN_MS);
    // Each reaches the other's public mapping (its NAT's WAN address), not a private address.
    assert.match(String(pa.address), new RegExp(`^${coneB.wanIp.replace(/\./g, '\\.')}:\\d+$`));
    assert.match(String(pb.address), new RegExp(`^${coneA.wanIp.replace(/\./g, '\\.')}:\\d+$`));
    const before = await lab.counter(relayHost);
    const { file: f, hash } = file('direct.bin', FILE_BYTES);
    a.send(`/sendfile @bob ${f}`);
    const got = await b.event('file-received', () => true, TRANSFER_WAIT_MS);
    assert.equal(got.sha256, hash);
    assert.equal(sha256(readFileSync(String(got.path))), hash);
    const after = await lab.counter(relayHost);
    const carried = after.rxBytes - before.rxBytes;
    assert.ok(carried < FILE_BYTES / 20, `the relay received ${carried} bytes during a ${FILE_BYTES}-byte direct transfer`);
    // TCP does not cross these NATs (no inbound mapping): the direct UDP path, not the relay's
    // transit port (docs/protocol.md "Stream lanes": the relay never carries what can go direct).
    assert.deepEqual(a.all('transfer-route').map((e) => [e.path, e.lane]), [['direct', 'udp']]);
    // /who says so too.
    a.send('/who');
    const who = await a.event('roster', (e) => Array.isArray(e.paths) && (e.paths as Array<{ path: string }>).length > 0);
    assert.equal((who.paths as Array<{ peer: string; path: string }>).find((p) => p.peer === 'bob')?.path, 'direct');
  });

  it('symmetric NAT on one side: stays relayed, chat and files work, probes stay within the budget', async () => {
    const a = client(alice, 'alice');
    const c = client(carol, 'carol');
    await meet(a, 'alice', c, 'carol');
    // 1 MiB goes as datagrams through the relay; 6 MiB (≥ LANE_MIN_BYTES) over a stream lane
    // spliced by the relay's transit port, since TCP cannot go direct here either.
    for (const [bytes, lane] of [[1024 * 1024, 'udp'], [6 * 1024 * 1024, 'tcp']] as const) {
      const { file: f, hash } = file(`relayed-${bytes}.bin`, bytes);
      const before = await lab.counter(relayHost);
      a.send(`/sendfile @carol ${f}`);
      const got = await c.event('file-received', (e) => e.bytes === bytes, TRANSFER_WAIT_MS);
      assert.equal(sha256(readFileSync(String(got.path))), hash);
      const after = await lab.counter(relayHost);
      assert.ok(after.rxBytes - before.rxBytes > bytes, 'the relay carried the file');
      assert.deepEqual(a.all('transfer-route').map((e) => [e.path, e.lane]).at(-1), ['relay', lane]);
    }
    c.send('@alice still here');
    await a.event('message', (e) => e.text === 'still here');
    await sleep(4_000);
    for (const p of [a, c]) assert.deepEqual(p.all('path').filter((e) => e.path === 'direct'), [], 'never direct through a symmetric NAT');
    a.send('/who');
    const who = await a.event('roster', (e) => Array.isArray(e.paths) && (e.paths as unknown[]).length > 0);
    const probes = (who.paths as Array<{ peer: string; probes: number }>).find((p) => p.peer === 'carol')!.probes;
    assert.ok(probes > 0 && probes <= PROBES_PER_ROUND, `alice sent ${probes} probes towards carol in the first round`);
  });

  // `cut` inserts its two drop rules one after the other: for a moment the peer's datagrams still
  // arrive while ours are lost. The sender's probe timeouts then must not read as a datagram-size
  // black hole (they did, about one run in five; test/unit/transportTransfer.test.ts has the
  // same moment, deterministically).
  it('the direct path cut mid-transfer: back to the relay, the file intact; the cut mended: direct again', async function () {
    const a = client(alice, 'alice');
    const b = client(bob, 'bob');
    await meet(a, 'alice', b, 'bob');
    await a.event('path', (e) => e.peer === 'bob' && e.path === 'direct', DIRECT_WITHIN_MS);
    const { file: f, hash } = file('cut.bin', 16 * 1024 * 1024);
    a.send(`/sendfile @bob ${f}`);
    await b.event('transfer-progress', (e) => Number(e.bytes) > 1024 * 1024, TRANSFER_WAIT_MS);
    await lab.cut(coneA, coneB.wanIp);
    await a.event('path', (e) => e.peer === 'bob' && e.path === 'relay', 10_000);
    const got = await b.event('file-received', () => true, TRANSFER_WAIT_MS);
    assert.equal(sha256(readFileSync(String(got.path))), hash, 'byte-identical after the fallback');
    assert.deepEqual(a.all('transfer-failed'), []);
    const directsBefore = a.all('path').filter((e) => e.path === 'direct').length;
    await lab.restore(coneA, coneB.wanIp);
    await a.waitFor(() => a.all('path').filter((e) => e.path === 'direct').length > directsBefore, 'direct again', 30_000);
  });

  it('NAT mappings that expire in 5 s hold (keepalives), and a flushed mapping recovers', async () => {
    for (const r of [coneA, coneB]) await lab.setUdpTimeout(r, 5);
    try {
      const a = client(alice, 'alice');
      const b = client(bob, 'bob');
      await meet(a, 'alice', b, 'bob');
      await a.event('path', (e) => e.peer === 'bob' && e.path === 'direct', DIRECT_WITHIN_MS);
      await sleep(12_000); // idle, longer than two mapping lifetimes
      assert.deepEqual(a.all('path').filter((e) => e.path === 'relay'), [], 'keepalives held the mappings');
      a.send('@bob after the quiet');
      await b.event('message', (e) => e.text === 'after the quiet');
      await lab.flushConntrack(coneA);
      a.send('@bob after the flush');
      await b.event('message', (e) => e.text === 'after the flush', 30_000);
      // Recovered: direct (again, or still) within a while.
      const last = async () => [...a.all('path')].reverse().find((e) => e.peer === 'bob')?.path;
      const deadline = Date.now() + 30_000;
      while ((await last()) !== 'direct' && Date.now() < deadline) await sleep(200);
      assert.equal(await last(), 'direct');
    } finally {
      for (const r of [coneA, coneB]) await lab.setUdpTimeout(r, 30);
    }
  });

  it('--relay-only: nothing direct, and no candidates given out', async () => {
    const a = client(alice, 'alice', ['--relay-only']);
    const b = client(bob, 'bob');
    await meet(a, 'alice', b, 'bob');
    b.send('@alice and back');
    await a.event('message', (e) => e.text === 'and back');
    await sleep(5_000);
    for (const p of [a, b]) assert.deepEqual(p.all('path'), [], 'no path changes at all');
    b.send('/who');
    const who = await b.event('roster', (e) => Array.isArray(e.paths));
    // bob never heard a candidate from alice, so he probed nothing.
    assert.equal((who.paths as Array<{ peer: string; probes: number }>).find((p) => p.peer === 'alice')?.probes ?? 0, 0);
  });

  it('an attacker on the public segment sending forged and replayed datagrams to the clients gets nothing back', async () => {
    const a = client(alice, 'alice');
    const b = client(bob, 'bob');
    await meet(a, 'alice', b, 'bob');
    const pa = await a.event('path', (e) => e.peer === 'bob' && e.path === 'direct', DIRECT_WITHIN_MS);
    const pb = await b.event('path', (e) => e.peer === 'alice' && e.path === 'direct', DIRECT_WITHIN_MS);
    const evil = new UdpAgent(lab.spawn(attackerHost, process.execPath, ['-e', UDP_AGENT_SOURCE]));
    try {
      const port = await evil.bind();
      // Datagrams that look like Peer Chat's (magic, version, peer kinds, plausible session ids)
      // and plain junk, to both clients' public mappings, as an attacker who saw their addresses.
      const targets = [String(pb.address), String(pa.address)].map((s) => ({ host: s.split(':')[0], port: Number(s.split(':')[1]) }));
      for (const t of targets) {
        for (const kind of ['40', '41', '43']) {
          for (let i = 0; i < 5; i++) {
            const forged = Buffer.concat([Buffer.from(`c702${kind}00`, 'hex'), randomBytes(8), randomBytes(32 + i * 20)]);
            await evil.sendHex(port, t.host, t.port, forged.toString('hex'));
          }
        }
        await evil.send(port, t.host, t.port, 'hello? candidates please');
      }
      await sleep(3_000);
      assert.deepEqual(evil.received, [], 'nothing was sent to the attacker');
      // And the clients are still talking, directly.
      a.send('@bob still fine');
      await b.event('message', (e) => e.text === 'still fine');
      assert.equal([...a.all('path')].reverse().find((e) => e.peer === 'bob')?.path, 'direct');
    } finally {
      evil.close();
    }
  });
});
