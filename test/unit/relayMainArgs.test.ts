import { strict as assert } from 'node:assert';
import { CLUSTER_SECRET_ENV, CLUSTER_URL_ENV, formatStats, main, parseArgs, RelayCliIo, SECRET_ENV } from '../../src/relay/main';
import { emptyDropCounts, RelayStats } from '../../src/relay/relayStats';

describe('relay command line arguments', () => {
  it('defaults to 127.0.0.1:12345, no secret', () => {
    assert.deepEqual(parseArgs([]), {
      ok: true,
      options: {
        host: '127.0.0.1',
        port: 12345,
        secret: undefined,
        open: false,
        name: undefined,
        announce: true,
        invite: true,
        quiet: false,
        help: false,
        statsEverySec: undefined,
        cluster: undefined,
        clusterSecret: undefined,
        clusterAdvertise: undefined,
      },
    });
  });

  it('reads --flag value and --flag=value', () => {
    const r = parseArgs(['--host', '0.0.0.0', '--port=0', '--secret', 's', '--quiet']);
    assert.ok(r.ok);
    if (r.ok) assert.deepEqual(r.options, { ...parseArgsDefaults(), host: '0.0.0.0', port: 0, secret: 's', quiet: true });
  });

  it('reads --open, --name, --no-announce and --no-invite; refuses --open with a secret and a name with nothing showable', () => {
    const r = parseArgs(['--host', '0.0.0.0', '--open', '--name', 'Team\u202e relay\n', '--no-announce', '--no-invite']);
    assert.ok(r.ok);
    if (r.ok) {
      assert.equal(r.options.open, true);
      assert.equal(r.options.name, 'Team relay');
      assert.equal(r.options.announce, false);
      assert.equal(r.options.invite, false);
    }
    assert.equal(parseArgs(['--open', '--secret', 's']).ok, false);
    assert.equal(parseArgs(['--open'], { [SECRET_ENV]: 's' }).ok, false);
    assert.equal(parseArgs(['--name', '\u202e\u0007']).ok, false);
  });

  it('takes the secret from the environment unless --secret is given', () => {
    const env = { [SECRET_ENV]: 'from-env' };
    const a = parseArgs([], env);
    const b = parseArgs(['--secret', 'flag'], env);
    assert.ok(a.ok && a.options.secret === 'from-env');
    assert.ok(b.ok && b.options.secret === 'flag');
  });

  it('refuses bad ports, missing values and unknown options', () => {
    for (const argv of [['--port', '70000'], ['--port', 'x'], ['--port'], ['--host'], ['--nope'], ['--port', '-1']]) {
      const r = parseArgs(argv);
      assert.equal(r.ok, false, argv.join(' '));
    }
  });

  it('--cluster with its secret (flags or environment), --cluster-advertise, --stats [N]', () => {
    const r = parseArgs(['--cluster', 'redis://10.0.0.2:6379', '--cluster-secret', 'x'.repeat(20), '--cluster-advertise', '10.0.0.5', '--stats']);
    assert.ok(r.ok);
    if (r.ok) {
      assert.equal(r.options.cluster, 'redis://10.0.0.2:6379');
      assert.equal(r.options.clusterSecret, 'x'.repeat(20));
      assert.equal(r.options.clusterAdvertise, '10.0.0.5');
      assert.equal(r.options.statsEverySec, 10);
    }
    const env = { [CLUSTER_URL_ENV]: 'redis://r:6379', [CLUSTER_SECRET_ENV]: 's'.repeat(16) };
    const e = parseArgs(['--stats', '3'], env);
    assert.ok(e.ok && e.options.cluster === 'redis://r:6379' && e.options.clusterSecret === 's'.repeat(16) && e.options.statsEverySec === 3);
    // A secret in the environment alone (no URL) starts a relay on its own.
    const alone = parseArgs([], { [CLUSTER_SECRET_ENV]: 's'.repeat(16) });
    assert.ok(alone.ok && alone.options.cluster === undefined);
  });

  it('refuses --cluster without a secret, a secret without --cluster, and a URL that is not redis://', () => {
    for (const argv of [
      ['--cluster', 'redis://r:6379'],
      ['--cluster-secret', 'abc'],
      ['--cluster-advertise', '10.0.0.1'],
      ['--cluster', 'http://r:6379', '--cluster-secret', 's'],
      ['--stats=0'],
      ['--stats=x'],
    ]) {
      const r = parseArgs(argv);
      assert.equal(r.ok, false, argv.join(' '));
    }
  });

  it('formatStats: clients, forwarded datagrams and bytes, and the relays a cluster relay knows', () => {
    const base: RelayStats = {
      clients: 3, rosterVersion: 9, nickReservations: 0, datagramsIn: 100, bytesIn: 2e6, datagramsOut: 90, bytesOut: 3e6,
      forwarded: 80, forwardedBytes: 1.5e6, broadcasts: 2, presenceDatagrams: 4, batches: 1, batchedDatagrams: 2,
      unvalidatedBytesIn: 0, unvalidatedBytesOut: 0, answersSuppressed: 0, internalErrors: 0, dropped: emptyDropCounts(),
      socketBuffers: { asked: 1, recv: 1, send: 1 },
    };
    assert.match(formatStats(base), /^stats: clients 3; forwarded 80 datagrams \(1\.5 MB\).*; no transit port; no cluster$/);
    assert.match(formatStats({ ...base, transit: { spliced: 4, open: 1, bytes: 3e6, buffered: 2.5e5, refused: 2, bridged: 0 } }), /; transit 1 lanes open \(0\.3 MB held\), 4 spliced \(3\.0 MB\), 2 refused; /);
    assert.match(formatStats({ ...base, transit: { spliced: 4, open: 1, bytes: 3e6, buffered: 0, refused: 0, bridged: 3 } }), /, 4 spliced \(3\.0 MB\), 3 bridged to other relays, 0 refused; /);
    const line = formatStats({
      ...base,
      cluster: {
        relayId: 'aa', directoryAvailable: false, chatClients: 7,
        relays: [{ id: 'bb', host: '10.0.0.2', port: 12345, live: true }],
        forwardedOut: 5, forwardedOutBytes: 1000, forwardedIn: 6, forwardedInBytes: 2000, meshDatagramsOut: 2, meshDatagramsIn: 3,
      },
    });
    assert.match(line, /chat 7 devices/);
    assert.match(line, /to other relays 5 \(.*\) in 2 MESH datagrams, from them 6 \(.*\) in 3/);
    assert.match(line, /relays known: bb@10\.0\.0\.2:12345/);
    assert.match(line, /Redis UNAVAILABLE/);
  });

  it('main() with a bad command line prints the usage to stderr and returns 2', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: RelayCliIo = { stdout: (l) => out.push(l), stderr: (l) => err.push(l), env: {}, stopSignal: new Promise(() => {}) };
    assert.equal(await main(['--port', 'abc'], io), 2);
    assert.deepEqual(out, []);
    assert.match(err[0], /--port needs a number/);
  });
});

describe('relay main(): the invitation line', () => {
  const lan = () => ({
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
    eth0: [{ address: '192.168.7.20', netmask: '255.255.255.0', family: 'IPv4' as const, mac: '02:00:00:00:00:01', internal: false, cidr: '192.168.7.20/24' }],
  });
  function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
    const out: string[] = [];
    let stop!: (s: string) => void;
    const io: RelayCliIo = {
      stdout: (l) => {
        out.push(l);
        if (out.length === 2 || /^listening on 127\./.test(l)) setTimeout(() => stop('SIGTERM'), 50);
      },
      stderr: () => undefined,
      env,
      stopSignal: new Promise((r) => (stop = r)),
      interfaces: lan,
    };
    return main(argv, io).then(() => out);
  }

  it('a relay for this machine only prints no invitation (and makes no secret)', async () => {
    const out = await run(['--port', '0', '--quiet']);
    assert.equal(out.length, 1);
    assert.match(out[0], /^listening on 127\.0\.0\.1:\d+$/);
  });

  it('serving the network without a secret makes one and prints it only in the invite line, right after listening', async () => {
    // Binds a wildcard here but names a made-up LAN; --no-announce: nothing goes on the wire.
    const out = await run(['--host', '0.0.0.0', '--port', '0', '--no-announce', '--name', 'Lab']);
    assert.match(out[0], /^listening on 0\.0\.0\.0:(\d+)$/);
    const port = /:(\d+)$/.exec(out[0])![1];
    const m = new RegExp(`^invite: vscode://peerchat\\.peerchat/join\\?relay=192\\.168\\.7\\.20:${port}&secret=([A-Za-z0-9_-]{22})&name=Lab$`).exec(out[1]);
    assert.ok(m, out[1]);
    assert.ok(out.slice(2).every((l) => !l.includes(m[1])), 'the secret appears in no other line');
  });

  it('the secret from the environment goes into the link; --open makes none', async () => {
    const withEnv = await run(['--host', '0.0.0.0', '--port', '0', '--no-announce', '--quiet'], { [SECRET_ENV]: 'team-secret.1' });
    assert.match(withEnv[1], /&secret=team-secret\.1&/);
    const open = await run(['--host', '0.0.0.0', '--port', '0', '--no-announce', '--open', '--quiet']);
    assert.match(open[1], /^invite: vscode:\/\/peerchat\.peerchat\/join\?relay=192\.168\.7\.20:\d+&name=/);
    assert.doesNotMatch(open[1], /secret=/);
  });
});
function parseArgsDefaults() {
  const r = parseArgs([]);
  if (!r.ok) throw new Error('defaults do not parse');
  return r.options;
}
