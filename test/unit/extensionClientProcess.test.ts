/**
 * The extension's client process seen from the extension host (src/extension/clientProcess.ts):
 * what it is started with (identity and pins over IPC only), events and the mirrored view,
 * pins both ways, a process that dies mid-call, leave ending it, and one that will not end being
 * killed. Fake client processes (tiny scripts speaking the RPC messages) stand in for
 * dist/clientHost.js, so this runs without a build; test/integration/clientHost.test.ts runs the
 * real one.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChatClientOptions } from '../../src/client/chatClient';
import { generateIdentity } from '../../src/crypto/identity';
import { PeerChatError } from '../../src/protocol/errors';
import { ChatClientProcess } from '../../src/extension/clientProcess';
import { MementoPinStore } from '../../src/extension/pinStore';

/** A fake client process: answers start/broadcast/leave, dies on sendFile, says what it got. */
const FAKE = `
const send = (m) => process.connected && process.send(m, undefined, undefined, () => undefined);
const log = (message) => send({ rpc: 'event', name: 'log', payload: { level: 'info', message } });
process.on('message', (m) => {
  if (m.rpc === 'event') return log('pin from host ' + JSON.stringify(m.payload));
  if (m.rpc !== 'call') return;
  switch (m.method) {
    case 'start': {
      const o = m.args[0];
      const secretInEnv = Object.values(process.env).some((v) => typeof v === 'string' && (v.includes(o.identity) || (o.secret && v.includes(o.secret))));
      log('started ' + JSON.stringify({ argv: process.argv.slice(2), execArgv: process.execArgv, electron: process.env.ELECTRON_RUN_AS_NODE, secretInEnv, nick: o.nick, pins: o.pins, identity: typeof o.identity, secret: o.secret, relay: o.relay }));
      send({ rpc: 'event', name: 'view', payload: { nick: o.nick, state: 'registered', members: [{ nick: 'bob', devices: 2 }], myDevices: 1, paths: [{ peer: 'bob', device: 'd1', path: 'direct', address: '10.0.0.2:1', probes: 3 }] } });
      send({ rpc: 'event', name: 'client', payload: { name: 'registered', payload: { nick: o.nick, fingerprint: 'x', devices: 1 } } });
      send({ rpc: 'event', name: 'pin', payload: { nick: 'bob', fingerprint: 'bob-fp-2' } });
      return send({ rpc: 'result', id: m.id });
    }
    case 'broadcast': return send({ rpc: 'result', id: m.id, value: 'm1' });
    case 'whois': return send({ rpc: 'error', id: m.id, code: 'UNKNOWN_PEER', message: 'No one called ' + m.args[0] + ' is online.' });
    case 'sendFile': process.stderr.write('about to crash\\n'); return process.exit(3);
    case 'leave':
      send({ rpc: 'event', name: 'client', payload: { name: 'left', payload: {} } });
      return send({ rpc: 'result', id: m.id });
  }
});
process.on('disconnect', () => {
  if (process.env.FAKE_STUBBORN) return void setInterval(() => undefined, 1000);
  process.exit(0);
});
`;

function memento(initial: Record<string, unknown> = {}) {
  const data = { ...initial };
  return { get: <T>(k: string) => data[k] as T | undefined, update: async (k: string, v: unknown) => void (data[k] = v), data };
}

const alive = (pid: number | undefined) => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('extension/clientProcess', function () {
  this.timeout(15_000);
  let dir: string;
  let script: string;
  const started: ChatClientProcess[] = [];
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'peerchat-clientproc-'));
    script = path.join(dir, 'fakeClientHost.js');
    writeFileSync(script, FAKE);
  });
  afterEach(async () => {
    for (const c of started.splice(0)) await c.stop(100);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function make(opts: { env?: NodeJS.ProcessEnv; pins?: MementoPinStore; script?: string } = {}) {
    const logs: string[] = [];
    const options: ChatClientOptions = {
      relay: { host: '127.0.0.1', port: 4567 },
      nick: 'alice',
      identity: generateIdentity(),
      downloadDir: dir,
      secret: 'invitation-secret-xyz',
      log: (level, message) => logs.push(`${level} ${message}`),
    };
    const pins = opts.pins ?? new MementoPinStore(memento({ 'peerchat.pins': { bob: 'bob-fp-1' } }));
    const c = new ChatClientProcess(options, { script: opts.script ?? script, pins, env: opts.env });
    started.push(c);
    return { c, logs, pins };
  }

  const waitFor = async (cond: () => boolean, what: string, ms = 5_000) => {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('passes identity, secret and pins over IPC only, with ELECTRON_RUN_AS_NODE and no flags', async () => {
    const { c, logs } = make();
    const registered: unknown[] = [];
    c.on('registered', (p) => registered.push(p));
    await c.start();
    const line = logs.find((l) => l.startsWith('info started '));
    assert.ok(line, logs.join('\n'));
    const got = JSON.parse(line.slice('info started '.length)) as Record<string, unknown>;
    assert.deepEqual(got.argv, [], 'nothing on the command line');
    assert.deepEqual(got.execArgv, [], 'none of the host\'s flags');
    assert.equal(got.electron, '1');
    assert.equal(got.secretInEnv, false, 'neither the identity nor the secret is in the environment');
    assert.equal(got.identity, 'string');
    assert.equal(got.secret, 'invitation-secret-xyz');
    assert.equal(got.nick, 'alice');
    assert.deepEqual(got.relay, { host: '127.0.0.1', port: 4567 });
    assert.deepEqual(got.pins, { bob: 'bob-fp-1' });
    assert.deepEqual(registered, [{ nick: 'alice', fingerprint: 'x', devices: 1 }]);
  });

  it('mirrors the view, forwards answers and errors, and keeps pins in step both ways', async () => {
    const { c, logs, pins } = make();
    assert.equal(c.state, 'connecting');
    assert.deepEqual(c.online(), []);
    await c.start();
    assert.equal(c.state, 'registered');
    assert.deepEqual(c.online(), ['bob']);
    assert.deepEqual(c.members(), [{ nick: 'bob', devices: 2 }]);
    assert.equal(c.paths()[0].path, 'direct');
    assert.equal(await c.broadcast('hi'), 'm1');
    await assert.rejects(c.whois('zed'), (e: unknown) => e instanceof PeerChatError && e.code === 'UNKNOWN_PEER' && e.message === 'No one called zed is online.');
    // The process pinned bob's key: stored here.
    assert.equal(pins.get('bob'), 'bob-fp-2');
    // A key pinned here reaches the process.
    pins.set('Carol', 'carol-fp');
    await waitFor(() => logs.some((l) => l.includes('pin from host {"nick":"carol","fingerprint":"carol-fp"}')), 'the pin to reach the process');
  });

  it('a process that dies mid-call rejects the call and says so once', async () => {
    const { c, logs } = make();
    await c.start();
    const exits: unknown[] = [];
    c.on('process-exited', (p) => exits.push(p));
    const pid = c.pid;
    const err = await c.sendFile('bob', '/tmp/x').then(
      () => assert.fail('sendFile should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof PeerChatError);
    assert.equal(err.code, 'INTERNAL');
    assert.match(err.message, /client process (exited|could not)/i);
    await waitFor(() => exits.length > 0, 'process-exited');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(exits.length, 1);
    assert.deepEqual({ ...(exits[0] as object), message: undefined }, { code: 3, signal: null, message: undefined });
    assert.match((exits[0] as { message: string }).message, /stopped unexpectedly \(exit code 3\)/);
    assert.ok(!alive(pid));
    assert.equal(c.state, 'left');
    // Calls after that fail at once.
    await assert.rejects(c.broadcast('anyone?'), /exited/);
    assert.ok(logs.some((l) => l.includes('about to crash')), 'its stderr reached the log');
  });

  it('leave() ends the process, and that is no news', async () => {
    const { c } = make();
    await c.start();
    const pid = c.pid;
    const exits: unknown[] = [];
    const left: unknown[] = [];
    c.on('process-exited', (p) => exits.push(p));
    c.on('left', (p) => left.push(p));
    await c.leave();
    assert.ok(!alive(pid), 'the process is gone when leave() resolves');
    assert.equal(left.length, 1);
    assert.deepEqual(exits, []);
  });

  it('a process that does not end when told is killed after the grace period', async () => {
    const { c, logs } = make({ env: { FAKE_STUBBORN: '1' } });
    await c.start();

    const pid = c.pid;
    const t0 = Date.now();
    await c.stop(300);
    assert.ok(Date.now() - t0 >= 250, `it waited for the grace period (${Date.now() - t0} ms; ${logs.join('\n')})`);
    assert.ok(!alive(pid));
  });

  it('a missing bundle fails the start with a next step', async () => {
    const { c } = make({ script: path.join(dir, 'nope.js') });
    await assert.rejects(c.start(), (e: unknown) => e instanceof PeerChatError && /Reinstall the extension/.test(e.message));
  });
});
