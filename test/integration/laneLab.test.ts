/**
 * Stream lanes on a real network (docs/protocol.md "Stream lanes"): the relay and two clients on
 * one office LAN (a bridge, MTU 1500, no router), where TCP reaches the peer directly. A large
 * file goes over a direct TCP lane; a firewall on the receiver then drops everything from the
 * sender mid-transfer: the lane goes silent, the receiver asks for the rest, and the file
 * completes through the relay, byte-identical. The built relay and terminal client with default
 * settings. Needs root (test/netlab/setup.sh).
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliProcess, requireBuild, startRelayProcess, online } from '../support/cliProcess';
import { NetLab, requireNetLab, type Host } from '../support/netLab';

const FILE_BYTES = 192 * 1024 * 1024;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('stream lanes on a LAN (MTU 1500)', function () {
  this.timeout(180_000);
  let lab: NetLab;
  let relayHost: Host;
  let alice: Host;
  let bob: Host;
  let tmp = '';
  let relay: Awaited<ReturnType<typeof startRelayProcess>> | null = null;
  const procs: CliProcess[] = [];

  before(async function () {
    this.timeout(5 * 60_000);
    await requireNetLab();
    requireBuild();
    lab = await NetLab.create({ prefix: 'nll' });
    const lan = await lab.addLan('office', { cidr: '10.79.0.0/24' });
    relayHost = await lab.addHost('relay', { segment: lan });
    alice = await lab.addHost('alice', { segment: lan });
    bob = await lab.addHost('bob', { segment: lan });
    tmp = mkdtempSync(path.join(os.tmpdir(), 'peerchat-lanelab-'));
    relay = await startRelayProcess(['--host', relayHost.ip, '--open', '--no-announce'], { prefix: lab.execPrefix(relayHost) });
  });

  after(async () => {
    for (const p of procs.splice(0)) {
      p.kill();
      rmSync(p.configDir, { recursive: true, force: true });
    }
    relay?.proc.kill('SIGKILL');
    await lab?.destroy();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('a direct TCP lane cut by a firewall mid-transfer: the rest goes through the relay, the file intact', async () => {
    const addr = `${relayHost.ip}:${relay!.port}`;
    const a = CliProcess.start(['--relay', addr, '--nick', 'alice'], { prefix: lab.execPrefix(alice) });
    const b = CliProcess.start(['--relay', addr, '--nick', 'bob', '--accept-files', '--download-dir', path.join(tmp, 'dl')], { prefix: lab.execPrefix(bob) });
    procs.push(a, b);
    await a.waitFor(online('bob'), 'bob online', 20_000);
    await b.waitFor(online('alice'), 'alice online', 20_000);
    a.send('@bob hello');
    await b.event('message', (e) => e.text === 'hello', 20_000);
    await a.event('path', (e) => e.peer === 'bob' && e.path === 'direct' && String(e.address).startsWith(`${bob.ip}:`), 15_000);
    const data = randomBytes(FILE_BYTES);
    const file = path.join(tmp, 'big.bin');
    writeFileSync(file, data);
    a.send(`/sendfile @bob ${file}`);
    await a.event('transfer-route', (e) => e.lane === 'tcp', 20_000);
    await b.event('transfer-progress', (e) => Number(e.bytes) > FILE_BYTES / 8, 30_000);
    const relayBefore = await lab.counter(relayHost);
    await lab.block(bob, alice.ip);
    try {
      const got = await b.event('file-received', () => true, 90_000);
      assert.equal(sha256(readFileSync(String(got.path))), sha256(data), 'byte-identical after the lane died');
      await a.event('file-sent', () => true, 20_000);
    } finally {
      await lab.unblock(bob);
    }
    assert.deepEqual(a.all('transfer-failed'), []);
    const routes = a.all('transfer-route').map((e) => e.lane);
    assert.deepEqual([routes[0], routes.at(-1)], ['tcp', 'udp'], `a lane first, then datagrams: ${JSON.stringify(a.all('transfer-route'))}`);
    const relayAfter = await lab.counter(relayHost);
    assert.ok(relayAfter.rxBytes - relayBefore.rxBytes > 1024 * 1024, 'the relay carried the rest');
    assert.ok(relayAfter.rxBytes - relayBefore.rxBytes < FILE_BYTES, 'not the whole file again: what the lane delivered stayed');
  });
});
