import { strict as assert } from 'node:assert';
import { main, parseArgs, RelayCliIo, SECRET_ENV } from '../../src/relay/main';

describe('relay command line arguments', () => {
  it('defaults to 127.0.0.1:12345, no secret', () => {
    assert.deepEqual(parseArgs([]), {
      ok: true,
      options: { host: '127.0.0.1', port: 12345, secret: undefined, quiet: false, help: false },
    });
  });

  it('reads --flag value and --flag=value', () => {
    const r = parseArgs(['--host', '0.0.0.0', '--port=0', '--secret', 's', '--quiet']);
    assert.ok(r.ok);
    if (r.ok) assert.deepEqual(r.options, { host: '0.0.0.0', port: 0, secret: 's', quiet: true, help: false });
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
