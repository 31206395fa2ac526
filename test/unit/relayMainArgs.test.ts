import { strict as assert } from 'node:assert';
import { main, parseArgs, RelayCliIo, SECRET_ENV } from '../../src/relay/main';

describe('relay command line arguments', () => {
  it('defaults to 127.0.0.1:12345, no secret', () => {
    assert.deepEqual(parseArgs([]), {
      ok: true,
      options: { host: '127.0.0.1', port: 12345, secret: undefined, open: false, name: undefined, announce: true, invite: true, quiet: false, help: false },
    });
  });

  it('reads --flag value and --flag=value', () => {
    const r = parseArgs(['--host', '0.0.0.0', '--port=0', '--secret', 's', '--quiet']);
    assert.ok(r.ok);
    if (r.ok) assert.deepEqual(r.options, { host: '0.0.0.0', port: 0, secret: 's', open: false, name: undefined, announce: true, invite: true, quiet: true, help: false });
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
