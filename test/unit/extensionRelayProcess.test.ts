/**
 * The relay as a child process: started with the host's own runtime and ELECTRON_RUN_AS_NODE,
 * ready on its `listening on` line, a taken port recognised, stopped with SIGTERM then SIGKILL.
 * Fake relays (tiny scripts) stand in for dist/relay.js so this runs without a build.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { looksLikePortInUse, RELAY_SECRET_ENV, relayCommandLine, RelayProcess, RelayStartError } from '../../src/extension/relayProcess';
import { SECRET_ENV } from '../../src/relay/main';

let dir: string;
const script = (name: string, body: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, body);
  return file;
};

async function startError(p: Promise<unknown>): Promise<RelayStartError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof RelayStartError, String(err));
    return err;
  }
  assert.fail('expected the start to fail');
}

describe('extension/relayProcess', function () {
  this.timeout(15_000);
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'peerchat-relayproc-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('builds the same command line for the child process and the task', () => {
    const c = relayCommandLine('/ext/dist/relay.js', '0.0.0.0', 4000, '/usr/bin/code');
    assert.deepEqual(c, { command: '/usr/bin/code', args: ['/ext/dist/relay.js', '--host', '0.0.0.0', '--port', '4000'], env: { ELECTRON_RUN_AS_NODE: '1' } });
  });

  it('resolves on the listening line, passes host, port and ELECTRON_RUN_AS_NODE, and stops on request', async () => {
    const relayJs = script(
      'ok.js',
      `const a = process.argv.slice(2);
       console.log('listening on ' + a[1] + ':' + (a[3] === '0' ? 40123 : a[3]));
       console.log('env ' + process.env.ELECTRON_RUN_AS_NODE);
       setInterval(() => {}, 1000);`,
    );
    const lines: string[] = [];
    const relay = await RelayProcess.start({ relayJs, host: '127.0.0.1', port: 0, execPath: process.execPath, onOutput: (l) => lines.push(l) });
    assert.deepEqual(relay.address, { host: '127.0.0.1', port: 40123 });
    assert.equal(relay.running, true);
    let exited = false;
    relay.onExit(() => (exited = true));
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(lines.includes('env 1'), lines.join('|'));
    await relay.stop();
    assert.equal(relay.running, false);
    assert.equal(exited, true);
  });

  it('hands the invitation secret to the relay in its environment, never on its command line', async () => {
    assert.equal(RELAY_SECRET_ENV, SECRET_ENV, 'the variable the relay reads');
    const relayJs = script(
      'secret.js',
      `console.log('listening on 127.0.0.1:40124');
       console.log('argv ' + JSON.stringify(process.argv.slice(2)));
       console.log('secret ' + process.env.${SECRET_ENV});
       setInterval(() => {}, 1000);`,
    );
    const lines: string[] = [];
    const relay = await RelayProcess.start({ relayJs, host: '127.0.0.1', port: 0, execPath: process.execPath, secret: 'team-only', onOutput: (l) => lines.push(l) });
    await new Promise((r) => setTimeout(r, 200));
    await relay.stop();
    assert.ok(lines.includes('secret team-only'), lines.join('|'));
    assert.ok(!lines.some((l) => l.startsWith('argv') && l.includes('team-only')), lines.join('|'));
    lines.length = 0;
    const saved = process.env[SECRET_ENV];
    delete process.env[SECRET_ENV];
    try {
      const without = await RelayProcess.start({ relayJs, host: '127.0.0.1', port: 0, execPath: process.execPath, onOutput: (l) => lines.push(l) });
      await new Promise((r) => setTimeout(r, 200));
      await without.stop();
    } finally {
      if (saved !== undefined) process.env[SECRET_ENV] = saved;
    }
    assert.ok(lines.includes('secret undefined'), `no secret when none is saved: ${lines.join('|')}`);
  });

  it('changes the secret of a running relay over its IPC channel (the fake relay answers as src/relay/main.ts does)', async () => {
    const relayJs = script(
      'ipc.js',
      `let secret = process.env.${SECRET_ENV};
       process.on('message', (m) => { secret = m.secret; console.log('now ' + secret.length + ' chars'); process.send({ type: 'secretSet' }); });
       process.channel.unref();
       console.log('listening on 127.0.0.1:40124');
       setInterval(() => {}, 1000);`,
    );
    const lines: string[] = [];
    const relay = await RelayProcess.start({ relayJs, host: '127.0.0.1', port: 0, execPath: process.execPath, secret: 'first', onOutput: (l) => lines.push(l) });
    await relay.setSecret('second-secret');
    assert.ok(lines.includes('now 13 chars'), lines.join('|'));
    await relay.stop();
    await assert.rejects(relay.setSecret('x'), /not running/);
  });

  it('reports a taken port as PORT_IN_USE with what the relay said', async () => {
    const relayJs = script('inuse.js', `console.error('peerchat-relay: port 12345 on 127.0.0.1 is already in use — stop the other relay or pick --port'); process.exit(1);`);
    const err = await startError(RelayProcess.start({ relayJs, host: '127.0.0.1', port: 12345 }));
    assert.equal(err.code, 'PORT_IN_USE');
    assert.match(err.message, /12345/);
    assert.match(err.output, /already in use/);
  });

  it('reports any other early exit with its code and last line', async () => {
    const relayJs = script('bad.js', `console.error('peerchat-relay: bad --host'); process.exit(2);`);
    const err = await startError(RelayProcess.start({ relayJs, host: 'x', port: 1 }));
    assert.equal(err.code, 'EXITED');
    assert.match(err.message, /exit code 2.*bad --host/);
  });

  it('says the bundled relay is missing', async () => {
    const err = await startError(RelayProcess.start({ relayJs: path.join(dir, 'nope.js'), host: '127.0.0.1', port: 1 }));
    assert.equal(err.code, 'NOT_FOUND');
  });

  it('gives up on a relay that never says it listens, and kills it', async () => {
    const relayJs = script('mute.js', `setInterval(() => {}, 1000);`);
    const err = await startError(RelayProcess.start({ relayJs, host: '127.0.0.1', port: 1, startTimeoutMs: 300 }));
    assert.equal(err.code, 'TIMEOUT');
  });

  it('kills a relay that ignores SIGTERM after the grace period', async () => {
    const relayJs = script('stubborn.js', `process.on('SIGTERM', () => {}); console.log('listening on 127.0.0.1:5'); setInterval(() => {}, 1000);`);
    const relay = await RelayProcess.start({ relayJs, host: '127.0.0.1', port: 5 });
    await new Promise((r) => setTimeout(r, 100)); // let it install its handler
    const t0 = Date.now();
    await relay.stop(300);
    assert.equal(relay.running, false);
    assert.ok(Date.now() - t0 >= 250);
  });

  it('recognises the ways a taken port is worded', () => {
    assert.ok(looksLikePortInUse('Error: bind EADDRINUSE 127.0.0.1:12345'));
    assert.ok(looksLikePortInUse('peerchat-relay: port 12345 on 127.0.0.1 is already in use'));
    assert.ok(!looksLikePortInUse('peerchat-relay: cannot resolve host x'));
  });
});
