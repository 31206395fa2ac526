/**
 * Runs the bundled relay (`dist/relay.js`) as a child process of the extension host.
 *
 * It runs under the extension host's own executable (`process.execPath`) with
 * ELECTRON_RUN_AS_NODE=1, so it needs no separately installed Node.js: in desktop VS Code that
 * executable is Electron acting as Node, in code-server and remote hosts it is Node itself.
 * Ready when the relay prints `listening on HOST:PORT` (its first stdout line); a relay that
 * exits first failed, e.g. exit code 1 with a message on a taken port. An IPC channel lets the
 * extension change the relay's invitation secret while it runs (setSecret; src/relay/main.ts).
 * No `vscode` import.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseListeningLine, type RelayAddress } from './relayAddress';

/** How long the relay may take to print its `listening on` line. */
export const RELAY_START_TIMEOUT_MS = 10_000;
/** After SIGTERM, how long before SIGKILL. */
export const RELAY_STOP_GRACE_MS = 2_000;

export type RelayStartErrorCode = 'PORT_IN_USE' | 'NOT_FOUND' | 'EXITED' | 'TIMEOUT' | 'SPAWN_FAILED';

export class RelayStartError extends Error {
  constructor(
    readonly code: RelayStartErrorCode,
    message: string,
    /** What the relay printed before it failed. */
    readonly output: string = '',
  ) {
    super(message);
    this.name = 'RelayStartError';
  }
}

export interface RelayProcessOptions {
  /** Absolute path of the bundled relay script. */
  relayJs: string;
  host: string;
  port: number;
  /** The runtime to start it with; defaults to the extension host's own executable. */
  execPath?: string;
  /** Extra environment. ELECTRON_RUN_AS_NODE=1 is always set. */
  env?: NodeJS.ProcessEnv;
  /** Invitation secret the relay requires of clients (passed in the environment, not argv, so that `ps` does not show it). */
  secret?: string;
  /** More relay options (`--no-invite`, `--no-announce`, `--name N`…). */
  extraArgs?: string[];
  startTimeoutMs?: number;
  /** Every line the relay prints (after the listening line too), for the log. */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** The relay reads its invitation secret from this variable (src/relay/main.ts SECRET_ENV). */
export const RELAY_SECRET_ENV = 'PEERCHAT_RELAY_SECRET';

/** How long the relay may take to confirm a new secret (ms). */
export const RELAY_CONTROL_TIMEOUT_MS = 5_000;

/** The arguments and environment both the child process and the task use. */
export function relayCommandLine(relayJs: string, host: string, port: number, execPath = process.execPath, extraArgs: readonly string[] = []) {
  return {
    command: execPath,
    args: [relayJs, '--host', host, '--port', String(port), ...extraArgs],
    env: { ELECTRON_RUN_AS_NODE: '1' } as Record<string, string>,
  };
}

/** True when the relay's message (or its exit) says the port is taken. */
export function looksLikePortInUse(output: string): boolean {
  return /EADDRINUSE|address already in use|port .*(?:in use|taken)|already in use/i.test(output);
}

export class RelayProcess {
  private exitListeners: Array<(code: number | null, signal: NodeJS.Signals | null) => void> = [];
  private exited = false;
  private exitPromise: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    /** Where it listens, as it reported. */
    readonly address: RelayAddress,
  ) {
    this.exitPromise = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.exited = true;
        for (const l of this.exitListeners) l(code, signal);
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  /**
   * Changes the relay's invitation secret without a restart (RelayServer.setSecret): sessions
   * stay. Resolves when the relay confirms.
   */
  setSecret(secret: string, timeoutMs = RELAY_CONTROL_TIMEOUT_MS): Promise<void> {
    if (this.exited || typeof this.child.send !== 'function') return Promise.reject(new Error('The relay is not running.'));
    return new Promise((resolve, reject) => {
      const onMessage = (m: unknown) => {
        const reply = m as { type?: string; message?: string } | null;
        if (reply?.type === 'secretSet') finish();
        else if (reply?.type === 'error') finish(new Error(`The relay refused the new secret: ${reply.message ?? 'no reason given'}`));
      };
      const timer = setTimeout(() => finish(new Error('The relay did not confirm the new secret.')), timeoutMs);
      const finish = (err?: Error) => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        if (err) reject(err);
        else resolve();
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'setSecret', secret }, (err) => err && finish(err));
    });
  }

  /** Called once when the relay exits (stopped or crashed). */
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void {
    if (this.exited) listener(this.child.exitCode, this.child.signalCode);
    else this.exitListeners.push(listener);
  }

  /** Stops the relay: SIGTERM, then SIGKILL if it is still there after the grace period. */
  async stop(graceMs = RELAY_STOP_GRACE_MS): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (!this.exited) this.child.kill('SIGKILL');
    }, graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  static start(opts: RelayProcessOptions): Promise<RelayProcess> {
    if (!existsSync(opts.relayJs)) {
      return Promise.reject(new RelayStartError('NOT_FOUND', `The bundled relay is missing (${opts.relayJs}). Reinstall the extension.`));
    }
    const cmd = relayCommandLine(opts.relayJs, opts.host, opts.port, opts.execPath, opts.extraArgs);
    return new Promise<RelayProcess>((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(cmd.command, cmd.args, {
          env: { ...process.env, ...opts.env, ...cmd.env, ...(opts.secret ? { [RELAY_SECRET_ENV]: opts.secret } : {}) },
          // 'ipc': the channel setSecret uses (the relay unrefs it, so it never keeps it alive).
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
          windowsHide: true,
        });
      } catch (err) {
        reject(new RelayStartError('SPAWN_FAILED', `Could not start the relay: ${(err as Error).message}`));
        return;
      }
      let settled = false;
      const output: string[] = [];
      const fail = (e: RelayStartError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(e);
      };
      const timeoutMs = opts.startTimeoutMs ?? RELAY_START_TIMEOUT_MS;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new RelayStartError('TIMEOUT', `The relay did not report "listening on" within ${timeoutMs / 1000} s.`, output.join('\n')));
      }, timeoutMs);

      const onLine = (line: string, stream: 'stdout' | 'stderr') => {
        opts.onOutput?.(line, stream);
        if (settled) return;
        output.push(line);
        if (stream !== 'stdout') return;
        const address = parseListeningLine(line);
        if (!address) return;
        settled = true;
        clearTimeout(timer);
        resolve(new RelayProcess(child, address));
      };
      splitLines(child.stdout!, (l) => onLine(l, 'stdout'));
      splitLines(child.stderr!, (l) => onLine(l, 'stderr'));

      child.once('error', (err) => fail(new RelayStartError('SPAWN_FAILED', `Could not start the relay: ${err.message}`, output.join('\n'))));
      child.once('close', (code, signal) => {
        const text = output.join('\n');
        if (looksLikePortInUse(text)) {
          fail(new RelayStartError('PORT_IN_USE', `Port ${opts.port} on ${opts.host} is already in use.`, text));
        } else {
          const how = code !== null ? `exit code ${code}` : `signal ${signal}`;
          const last = output.filter((l) => l.trim() !== '').slice(-1)[0];
          fail(new RelayStartError('EXITED', `The relay stopped before listening (${how})${last ? `: ${last}` : '.'}`, text));
        }
      });
    });
  }
}

/** Calls `onLine` for each line a child process writes (the last one too, without its newline). */
export function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i).replace(/\r$/, ''));
      buf = buf.slice(i + 1);
    }
  });
  stream.on('end', () => {
    if (buf !== '') onLine(buf);
    buf = '';
  });
}
