/**
 * The relay's command line (src/relay/main.ts) as a child process, the way `node dist/relay.js`
 * runs (here through tsx, since the bundle is built elsewhere).
 */
import { strict as assert } from 'node:assert';
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { errorCodeToWire } from '../../src/protocol/errors';
import { Kind } from '../../src/protocol/header';
import { main, RelayCliIo } from '../../src/relay/main';
import { RelayServer } from '../../src/relay/relayServer';
import { isKind, msgOf, RawClient } from '../support/rawClient';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = path.join(ROOT, 'src', 'relay', 'main.ts');

interface Run {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Resolves with the next stdout line (or rejects if the process ends first). */
  nextLine: () => Promise<string>;
  exit: Promise<number | null>;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  // detached: its own process group, so cleanup can kill tsx and the node process it starts.
  const child = spawn(TSX, [MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiting: Array<(l: string | null) => void> = [];
  let read = 0;
  createInterface({ input: child.stdout! }).on('line', (l) => {
    stdout.push(l);
    waiting.shift()?.(l);
  });
  createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void exit.then(() => {
    for (const w of waiting.splice(0)) w(null);
  });
  const nextLine = (): Promise<string> => {
    if (read < stdout.length) return Promise.resolve(stdout[read++]);
    return new Promise((resolve, reject) => {
      waiting.push((l) => {
        if (l === null) reject(new Error(`relay exited; stderr: ${stderr.join('\n')}`));
        else {
          read++;
          resolve(l);
        }
      });
    });
  };
  return { child, stdout, stderr, nextLine, exit };
}

describe('relay command line (src/relay/main.ts)', function () {
  this.timeout(30_000);
  const running: ChildProcess[] = [];
  afterEach(() => {
    for (const c of running.splice(0)) {
      if (c.pid === undefined) continue;
      try {
        process.kill(-c.pid, 'SIGKILL'); // the whole group: a test that failed midway leaves nothing behind
      } catch {
        // already gone
      }
    }
  });

  it('prints "listening on HOST:PORT" first, logs joins, and on SIGTERM says BYE and exits 0', async () => {
    const r = run(['--port', '0']);
    running.push(r.child);
    const first = await r.nextLine();
    const m = /^listening on 127\.0\.0\.1:(\d+)$/.exec(first);
    assert.ok(m, `first line: ${JSON.stringify(first)}`);
    const port = Number(m[1]);
    assert.ok(port > 0);

    const c = await RawClient.connect({ host: '127.0.0.1', port });
    try {
      await c.mustRegister('cli-user');
      for (;;) {
        const line = await r.nextLine();
        if (/join cli-user/.test(line)) break;
      }
      r.child.kill('SIGTERM');
      const bye = msgOf(await c.next(isKind(Kind.BYE), 5_000), Kind.BYE);
      assert.equal(bye.code, errorCodeToWire('RELAY_SHUTDOWN'));
      assert.equal(await r.exit, 0);
    } finally {
      c.close();
    }
  });

  it('exits 0 on SIGINT too', async () => {
    const r = run(['--port', '0', '--quiet']);
    running.push(r.child);
    assert.match(await r.nextLine(), /^listening on /);
    r.child.kill('SIGINT');
    assert.equal(await r.exit, 0);
    assert.equal(r.stdout.length, 1, '--quiet prints only the listening line');
  });

  it('a taken port: one clear sentence on stderr and exit code 1', async () => {
    const other = await RelayServer.start({ port: 0 });
    try {
      const { port } = other.address();
      const r = run(['--port', String(port)]);
      running.push(r.child);
      assert.equal(await r.exit, 1);
      assert.deepEqual(r.stdout, []);
      assert.ok(
        r.stderr.some((l) => l.includes(`port ${port} on 127.0.0.1 is already in use — stop the other relay or pick --port`)),
        r.stderr.join('\n'),
      );
    } finally {
      await other.close();
    }
  });

  it('--help prints the usage and exits 0; an unknown option exits 2', async () => {
    const help = run(['--help']);
    const bad = run(['--bogus']);
    running.push(help.child, bad.child);
    assert.equal(await help.exit, 0);
    assert.ok(help.stdout.some((l) => l.includes('--port P')));
    assert.equal(await bad.exit, 2);
    assert.ok(bad.stderr.some((l) => l.includes('unknown option --bogus')));
  });

  it('main() runs a relay in-process until the stop signal, printing "listening on" first', async () => {
    const out: string[] = [];
    let stop: (s: string) => void = () => {};
    const io: RelayCliIo = {
      stdout: (l) => out.push(l),
      stderr: () => {},
      env: {},
      stopSignal: new Promise((r) => (stop = r)),
    };
    const done = main(['--port', '0'], io);
    while (out.length === 0) await new Promise((r) => setTimeout(r, 5));
    assert.match(out[0], /^listening on 127\.0\.0\.1:\d+$/);
    stop('SIGTERM');
    assert.equal(await done, 0);
    assert.ok(out.some((l) => /stopped$/.test(l)));
  });
});
