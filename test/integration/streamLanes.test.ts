/**
 * Stream lanes (docs/protocol.md "Stream lanes"): large files go over TCP — straight to the peer
 * on a validated direct path, else spliced by the relay's transit port — and fall back to
 * datagrams when a lane cannot open or dies under a transfer. The built terminal client with
 * default settings, a relay in this process (its counters say what really crossed it).
 * Behaviour only: bytes on disk and their hash, what the relay carried and how.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { RelayServer } from '../../src/relay/relayServer';
import { LANES_PER_DEVICE } from '../../src/client/laneManager';
import { CLI_JS, CliProcess, online } from '../support/cliProcess';

const FILE_BYTES = 24 * 1024 * 1024;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How alice's transfers went, in order: [path, lane] of each transfer-route event. */
const routes = (p: CliProcess): Array<[unknown, unknown]> => p.all('transfer-route').map((e) => [e.path, e.lane]);

describe('stream lanes: large files over TCP, datagrams as the fallback', function () {
  this.timeout(90_000);
  let relay: RelayServer;
  let tmp = '';
  let file = '';
  let data: Buffer;
  const procs: CliProcess[] = [];

  before(() => {
    if (!existsSync(CLI_JS)) throw new Error('run `npm run build` first (npm test does)');
    tmp = mkdtempSync(path.join(os.tmpdir(), 'peerchat-lanes-'));
    data = randomBytes(FILE_BYTES);
    file = path.join(tmp, 'big.bin');
    writeFileSync(file, data);
  });

  after(() => rmSync(tmp, { recursive: true, force: true }));

  beforeEach(async () => {
    relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
  });

  afterEach(async () => {
    for (const p of procs.splice(0)) {
      p.kill();
      rmSync(p.configDir, { recursive: true, force: true });
    }
    await relay.close();
  });

  async function pair(extra: string[], bobExtra = extra): Promise<{ alice: CliProcess; bob: CliProcess; bobDl: string }> {
    const addr = `127.0.0.1:${relay.address().port}`;
    const bobDl = mkdtempSync(path.join(tmp, 'bob-dl-'));
    const alice = CliProcess.start(['--relay', addr, '--nick', 'alice', ...extra]);
    const bob = CliProcess.start(['--relay', addr, '--nick', 'bob', '--accept-files', '--download-dir', bobDl, ...bobExtra]);
    procs.push(alice, bob);
    await alice.event('registered');
    await bob.event('registered');
    await alice.waitFor(online('bob'), 'bob online');
    await bob.waitFor(online('alice'), 'alice online');
    return { alice, bob, bobDl };
  }

  async function sendAndCheck(alice: CliProcess, bob: CliProcess, bobDl: string): Promise<void> {
    alice.send(`/sendfile @bob ${file}`);
    const got = await bob.event('file-received', () => true, 60_000);
    await alice.event('file-sent', () => true, 10_000);
    assert.equal(got.sha256, sha256(data));
    assert.equal(path.dirname(String(got.path)), bobDl);
    assert.equal(sha256(readFileSync(String(got.path))), sha256(data), 'the bytes on disk');
  }

  it('default settings, one machine: the file goes over a direct lane; the relay carries none of it', async () => {
    const { alice, bob, bobDl } = await pair([]);
    alice.send('@bob hi'); // a first exchange: keys, candidates, then a direct path
    await alice.event('path', (e) => e.peer === 'bob' && e.path === 'direct', 15_000);
    const before = relay.stats();
    await sendAndCheck(alice, bob, bobDl);
    const after = relay.stats();
    assert.deepEqual(routes(alice), [['direct', 'tcp']]);
    assert.ok(after.forwardedBytes - before.forwardedBytes < FILE_BYTES / 20, `relay forwarded ${after.forwardedBytes - before.forwardedBytes} bytes`);
    assert.equal(after.transit?.bytes ?? 0, 0, 'nothing through the transit port');
  });

  it('--relay-only: the file goes through the relay transit port, spliced; no datagram carries it', async () => {
    const { alice, bob, bobDl } = await pair(['--relay-only']);
    const before = relay.stats();
    await sendAndCheck(alice, bob, bobDl);
    const after = relay.stats();
    assert.deepEqual(routes(alice), [['relay', 'tcp']]);
    assert.ok(after.transit, 'the relay has a transit port');
    assert.ok(after.transit.bytes >= FILE_BYTES, `transit carried ${after.transit.bytes} bytes`);
    assert.equal(after.transit.spliced, LANES_PER_DEVICE, `one spliced lane each of the ${LANES_PER_DEVICE} lanes to bob`);
    assert.ok(after.forwardedBytes - before.forwardedBytes < FILE_BYTES / 20, `relay forwarded ${after.forwardedBytes - before.forwardedBytes} bytes as datagrams`);
  });

  /** The file goes, and it went as datagrams through the relay, with no lane spliced. */
  async function sendAsRelayedDatagrams(alice: CliProcess, bob: CliProcess, bobDl: string): Promise<void> {
    const before = relay.stats();
    await sendAndCheck(alice, bob, bobDl);
    const after = relay.stats();
    assert.deepEqual(routes(alice), [['relay', 'udp']]);
    assert.equal(after.transit?.spliced ?? 0, 0);
    assert.ok(after.forwardedBytes - before.forwardedBytes >= FILE_BYTES, 'the relay forwarded the file as datagrams');
  }

  it('--relay-only --udp-only: datagrams through the relay, no lane', async () => {
    const { alice, bob, bobDl } = await pair(['--relay-only', '--udp-only']);
    await sendAsRelayedDatagrams(alice, bob, bobDl);
  });

  it('a receiver with --udp-only refuses the transit lane: the sender goes to datagrams without waiting for it', async () => {
    const { alice, bob, bobDl } = await pair(['--relay-only', '--verbose'], ['--relay-only', '--udp-only']);
    await sendAsRelayedDatagrams(alice, bob, bobDl);
    // The wait ended on bob's LANE_REFUSE, not on the transit port's timeout.
    assert.ok(
      alice.stderr.some((l) => /bob refused the transit lane/.test(l)),
      `alice's log names the refusal: ${alice.stderr.filter((l) => /lane/.test(l)).join(' | ')}`,
    );
  });

  /** Has alice send the file, and returns once the relay's transit port carried a quarter of it. */
  async function sendUntilQuarter(alice: CliProcess): Promise<void> {
    alice.send(`/sendfile @bob ${file}`);
    const started = Date.now();
    while ((relay.stats().transit?.bytes ?? 0) < FILE_BYTES / 4) {
      assert.ok(Date.now() - started < 30_000, 'the transit lanes carried a quarter of the file');
      await sleep(2);
    }
  }

  /** The relay's end of the lane that carries the file: of its spliced sockets, the one that read most. */
  function busiestSplicedSocket(): net.Socket {
    const sockets = [...(relay as unknown as { transit: { splicedSockets: Set<net.Socket> } }).transit.splicedSockets];
    return sockets.reduce((a, b) => (b.bytesRead > a.bytesRead ? b : a));
  }

  it('every transit lane cut mid-transfer: the rest goes as datagrams, the file arrives intact', async () => {
    const { alice, bob, bobDl } = await pair(['--relay-only']);
    await sendUntilQuarter(alice);
    const forwardedAtCut = relay.stats().forwardedBytes;
    (relay as unknown as { transit: { closeLanes(): void } }).transit.closeLanes();
    const got = await bob.event('file-received', () => true, 60_000);
    assert.equal(sha256(readFileSync(String(got.path))), sha256(data), 'the bytes on disk');
    assert.equal(path.dirname(String(got.path)), bobDl);
    const afterwards = relay.stats().forwardedBytes - forwardedAtCut;
    assert.ok(afterwards > 0, 'the rest came as datagrams');
    assert.ok(afterwards < FILE_BYTES, `what the lane had delivered was not sent again in full (${afterwards} bytes as datagrams)`);
    await alice.event('file-sent', () => true, 10_000);
    assert.deepEqual(routes(alice), [['relay', 'tcp'], ['relay', 'udp']]);
  });

  it('one of two transit lanes cut mid-transfer: the other carries the rest, no datagram does; the file arrives intact', async () => {
    const { alice, bob, bobDl } = await pair(['--relay-only', '--verbose'], ['--relay-only', '--verbose']);
    await sendUntilQuarter(alice);
    assert.equal(relay.stats().transit?.open, LANES_PER_DEVICE, 'both lanes spliced');
    // Cut the lane that carries the file (the one whose sockets moved the most bytes).
    const busiest = busiestSplicedSocket();
    const forwardedAtCut = relay.stats().forwardedBytes;
    busiest.destroy();
    const got = await bob.event('file-received', () => true, 60_000);
    assert.equal(sha256(readFileSync(String(got.path))), sha256(data), 'the bytes on disk');
    assert.equal(path.dirname(String(got.path)), bobDl);
    await alice.event('file-sent', () => true, 10_000);
    assert.deepEqual(routes(alice), [['relay', 'tcp']], 'no move to datagrams');
    const asDatagrams = relay.stats().forwardedBytes - forwardedAtCut;
    assert.ok(asDatagrams < FILE_BYTES / 20, `the relay forwarded ${asDatagrams} bytes as datagrams after the cut`);
    assert.equal(relay.stats().transit?.open, LANES_PER_DEVICE - 1, 'the other lane is still open');
    assert.ok(
      bob.stderr.some((l) => /a lane from alice closed during big\.bin; asking for what it lacks \(on another lane or as datagrams\)/.test(l)),
      `bob asked for what the cut lane carried: ${bob.stderr.filter((l) => /lane/.test(l)).join(' | ')}`,
    );
  });

  it('one of two transit lanes stops moving mid-transfer: the other takes reads, and what the stuck one holds comes again on it', async () => {
    const { alice, bob, bobDl } = await pair(['--relay-only', '--verbose'], ['--relay-only', '--verbose']);
    await sendUntilQuarter(alice);
    // The relay stops reading the lead lane's sending side for good: that connection's window
    // fills and alice's socket stops draining, as while TCP waits out a retransmission timeout.
    const lead = busiestSplicedSocket();
    lead.pause();
    lead.resume = () => lead;
    const got = await bob.event('file-received', () => true, 60_000);
    assert.equal(sha256(readFileSync(String(got.path))), sha256(data), 'the bytes on disk');
    assert.equal(path.dirname(String(got.path)), bobDl);
    await alice.event('file-sent', () => true, 10_000);
    assert.equal(lead.isPaused(), true, 'the stuck lane never moved again');
    assert.deepEqual(routes(alice), [['relay', 'tcp']], 'no move to datagrams');
    const log = (p: CliProcess) => p.stderr.filter((l) => /lane|missing/.test(l)).join(' | ');
    assert.ok(alice.stderr.some((l) => /the lead lane took nothing for \d+ ms; from now on 2 lanes take reads/.test(l)), `alice's standby lane took over: ${log(alice)}`);
    assert.ok(bob.stderr.some((l) => /nothing new from 2 lanes for \d+ ms; asking for what is missing/.test(l)), `bob asked for what the stuck lane held: ${log(bob)}`);
  });

  it('a stranger on the lane port is disconnected, proves nothing, and the file still goes direct', async () => {
    const { alice, bob, bobDl } = await pair([]);
    alice.send('@bob hi');
    const toBob = await alice.event('path', (e) => e.peer === 'bob' && e.path === 'direct', 15_000);
    const bobPort = Number(String(toBob.address).split(':').pop());
    // Garbage, then a well-formed hello with a made-up proof: both are cut off.
    for (const payload of [randomBytes(300), Buffer.concat([randomBytes(8), Buffer.alloc(4), randomBytes(48)])]) {
      const s = net.connect({ host: '127.0.0.1', port: bobPort });
      const got: Buffer[] = [];
      s.on('data', (d) => got.push(d));
      s.on('error', () => undefined);
      await new Promise<void>((r) => s.once('connect', () => r()));
      s.write(payload);
      await new Promise<void>((r) => s.once('close', () => r()));
      const answered = Buffer.concat(got);
      assert.equal(answered.length, 20, 'only the responder hello: "PCL1" and a nonce');
      assert.equal(answered.subarray(0, 4).toString('latin1'), 'PCL1');
    }
    await sendAndCheck(alice, bob, bobDl);
    assert.deepEqual(routes(alice), [['direct', 'tcp']]);
  });
});
