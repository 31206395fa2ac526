/**
 * A relay in a process of its own, started the way a user starts it (`node dist/relay.js …`), for
 * tests that kill it: `await RelayProcess.start(['--cluster', url, '--cluster-secret', s])`
 * resolves once it printed `listening on HOST:PORT`; `kill('SIGKILL')` is a crash.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const RELAY_BUNDLE = path.join(__dirname, '..', '..', 'dist', 'relay.js');
const START_TIMEOUT_MS = 15_000;

export class RelayProcess {
  /** Every line it printed (stdout and stderr), for failure messages. */
  readonly lines: string[] = [];

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RelayProcess> {
    if (!existsSync(RELAY_BUNDLE)) throw new Error(`${RELAY_BUNDLE} is missing: run \`npm run build\` first (npm test does)`);
    const child = spawn(process.execPath, [RELAY_BUNDLE, '--host', '127.0.0.1', '--port', '0', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    const lines: string[] = [];
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`relay did not start within ${START_TIMEOUT_MS} ms: ${lines.join(' | ')}`)), START_TIMEOUT_MS);
      let buffered = '';
      const onData = (d: Buffer): void => {
        buffered += d.toString();
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          lines.push(line);
          const m = /^listening on (\S+):(\d+)$/.exec(line);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[2]));
          }
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`relay exited (${code ?? signal}) before listening: ${lines.join(' | ')}`));
      });
    });
    const r = new RelayProcess(child, port);
    r.lines.push(...lines);
    child.stdout?.on('data', (d: Buffer) => r.lines.push(...d.toString().split('\n').filter(Boolean)));
    child.stderr?.on('data', (d: Buffer) => r.lines.push(...d.toString().split('\n').filter(Boolean)));
    return r;
  }

  address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends `signal` (SIGTERM: a clean stop; SIGKILL: a crash) and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
