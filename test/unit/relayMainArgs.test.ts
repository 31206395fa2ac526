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
    assert.match(formatStats(base), /^stats: clients 3; forwarded 80 datagrams \(1\.5 MB\).*no cluster$/);
    const line = formatStats({
      ...base,
      cluster: {
        relayId: 'aa', directoryAvailable: false, chatClients: 7,
        relays: [{ id: 'bb', host: '10.0.0.2', port: 12345, live: true }],
        forwardedOut: 5, forwardedOutBytes: 1000, forwardedIn: 6, forwardedInBytes: 2000,
      },
    });
    assert.match(line, /chat 7 devices/);
    assert.match(line, /to other relays 5 .* from them 6/);
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

function parseArgsDefaults() {
  const r = parseArgs([]);
  if (!r.ok) throw new Error('defaults do not parse');
  return r.options;
}
