/**
 * A redis-server of the test's own: Debian's package (installed by setupRedis.sh on first use),
 * started on a free port with no persistence (`--save '' --appendonly no`), so that killing and
 * starting it again on the same port is a Redis that lost everything. Kill it in `after`.
 *
 *   const redis = await RedisServer.start();
 *   ... RelayServer.start({ cluster: { url: redis.url, secret } }) ...
 *   redis.pause(); ... redis.resume();         // SIGSTOP / SIGCONT
 *   await redis.kill(); await redis.restart();  // gone, then back empty on the same port
 *   await redis.stop();
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const SETUP_SCRIPT = path.join(__dirname, 'setupRedis.sh');
/** apt-get on a fresh machine may take minutes; once installed the script returns at once. */
const SETUP_TIMEOUT_MS = 10 * 60_000;
const READY_TIMEOUT_MS = 10_000;

let installed: string | undefined;

/** Installs redis-server if needed (once per process); returns its path. */
export function ensureRedisServer(): string {
  if (installed !== undefined) return installed;
  const out = execFileSync('bash', [SETUP_SCRIPT], { encoding: 'utf8', timeout: SETUP_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'inherit'] });
  const m = /ready: (\S+)\s*$/.exec(out.trim());
  if (!m) throw new Error(`setupRedis.sh did not say where redis-server is: ${out}`);
  installed = m[1];
  return installed;
}

/** A free TCP port on 127.0.0.1 (bound and released: good enough for a test's own server). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once `PING` on 127.0.0.1:port gets `+PONG`. */
export async function waitForRedis(port: number, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      let got = '';
      const done = (v: boolean): void => {
        sock.destroy();
        resolve(v);
      };
      sock.setTimeout(500, () => done(false));
      sock.on('error', () => done(false));
      sock.on('connect', () => sock.write('PING\r\n'));
      sock.on('data', (d) => {
        got += d.toString();
        if (got.includes('\r\n')) done(got.startsWith('+PONG'));
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class RedisServer {
  private proc: ChildProcess | undefined;
  private readonly dir: string;

  private constructor(
    readonly port: number,
    private readonly bin: string,
  ) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'peerchat-redis-'));
  }

  static async start(): Promise<RedisServer> {
    const bin = ensureRedisServer();
    const r = new RedisServer(await freePort(), bin);
    await r.launch();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  private async launch(): Promise<void> {
    const args = [
      '--port', String(this.port),
      '--bind', '127.0.0.1',
      '--save', '',
      '--appendonly', 'no',
      '--protected-mode', 'no',
      '--daemonize', 'no',
      '--loglevel', 'warning',
      '--dir', this.dir,
    ];
    const proc = spawn(this.bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    this.proc = proc;
    try {
      await waitForRedis(this.port);
    } catch (err) {
      proc.kill('SIGKILL');
      throw new Error(`${(err as Error).message}; stderr: ${stderr}`);
    }
  }

  /** SIGSTOP: the process stays, its connections stay open, nothing is answered. */
  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  /** Kills it (SIGKILL by default) and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGCONT'); // a paused server must be able to die
    p.kill(signal);
    await exited;
  }

  /** A new server on the same port, empty (nothing was saved). */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
