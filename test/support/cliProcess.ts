import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

export const REPO = path.resolve(__dirname, '..', '..');
export const CLI_JS = path.join(REPO, 'dist', 'cli.js');
export const RELAY_JS = path.join(REPO, 'dist', 'relay.js');

/** Throws unless dist/cli.js and dist/relay.js are built (tests that spawn them call it first). */
export function requireBuild(): void {
  if (!existsSync(CLI_JS) || !existsSync(RELAY_JS)) throw new Error('run `npm run build` first (npm test does)');
}

export type JsonLine = { event: string } & Record<string, unknown>;

/** The event that says `nick` is online: in a roster, or announced as joining. */
export const online = (nick: string) => (e: JsonLine): boolean =>
  (e.event === 'roster' && (e.nicks as string[]).includes(nick)) || (e.event === 'presence' && e.nick === nick && e.online === true);

/**
 * The built terminal client (`node dist/cli.js --json`) as a child process: write command
 * lines, read its JSON events. What a script sees is exactly what these tests see.
 */
export class CliProcess {
  readonly events: JsonLine[] = [];
  readonly stderr: string[] = [];
  private waiters: Array<{ pred: (e: JsonLine) => boolean; resolve: (e: JsonLine) => void }> = [];
  readonly exited: Promise<number | null>;
  readonly configDir: string;

  private constructor(readonly proc: ChildProcessWithoutNullStreams, configDir: string) {
    this.configDir = configDir;
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      let e: JsonLine;
      try {
        e = JSON.parse(line) as JsonLine;
      } catch {
        this.stderr.push(`(not JSON on stdout) ${line}`);
        return;
      }
      this.events.push(e);
      for (const w of [...this.waiters]) {
        if (w.pred(e)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    });
    readline.createInterface({ input: proc.stderr }).on('line', (l) => this.stderr.push(l));
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  }

  /**
   * Starts `node dist/cli.js --json ARGS`. By default with `--identity <configDir>/identity.json`
   * in a fresh folder (a key of its own per client). `defaultIdentity: true` passes no
   * --identity, as a user types it: the client picks its key file from its nickname and its
   * environment (HOME, XDG_CONFIG_HOME: set them in `env`, merged over this process's).
   * `prefix` runs the client through another command, e.g. `['ip', 'netns', 'exec', NS]` to put
   * it inside a network lab namespace (test/support/netLab.ts); that command must exec the
   * client, so that killing the process kills the client.
   */
  static start(
    args: string[],
    opts: { configDir?: string; defaultIdentity?: boolean; env?: NodeJS.ProcessEnv; prefix?: string[] } = {},
  ): CliProcess {
    const configDir = opts.configDir ?? mkdtempSync(path.join(os.tmpdir(), 'peerchat-cli-'));
    const identity = opts.defaultIdentity ? [] : ['--identity', path.join(configDir, 'identity.json')];
    const proc = spawnPrefixed(opts.prefix, [CLI_JS, '--json', ...identity, ...args], opts.env ? { ...process.env, ...opts.env } : process.env);
    return new CliProcess(proc, configDir);
  }

  send(line: string): void {
    this.proc.stdin.write(`${line}\n`);
  }

  waitFor(pred: (e: JsonLine) => boolean, what: string, timeoutMs = 15_000): Promise<JsonLine> {
    const past = this.events.find(pred);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      this.waiters.push(w);
      setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i < 0) return;
        this.waiters.splice(i, 1);
        reject(new Error(`no ${what} within ${timeoutMs} ms; events: ${JSON.stringify(this.events.slice(-20))}; stderr: ${this.stderr.slice(-10).join(' | ')}`));
      }, timeoutMs);
    });
  }

  event(name: string, pred: (e: JsonLine) => boolean = () => true, timeoutMs?: number): Promise<JsonLine> {
    return this.waitFor((e) => e.event === name && pred(e), `'${name}' event`, timeoutMs);
  }

  all(name: string): JsonLine[] {
    return this.events.filter((e) => e.event === name);
  }

  kill(): void {
    this.proc.kill('SIGKILL');
  }
}

/** `node ARGS`, through `prefix` (a command that execs the rest) if given. */
function spawnPrefixed(prefix: string[] | undefined, nodeArgs: string[], env: NodeJS.ProcessEnv = process.env): ChildProcessWithoutNullStreams {
  const [cmd, ...args] = [...(prefix ?? []), process.execPath, ...nodeArgs];
  return spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
}

/**
 * Starts `node dist/relay.js --port 0` and resolves with its address from the first line.
 * `prefix`: as for CliProcess.start.
 */
export async function startRelayProcess(
  extra: string[] = [],
  opts: { prefix?: string[] } = {},
): Promise<{ port: number; proc: ChildProcessWithoutNullStreams; firstLine: string }> {
  const proc = spawnPrefixed(opts.prefix, [RELAY_JS, '--port', '0', ...extra]);
  const firstLine = await new Promise<string>((resolve, reject) => {
    const rl = readline.createInterface({ input: proc.stdout });
    rl.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`relay exited ${code}`)));
  });
  const m = /^listening on ([^ ]+):(\d+)$/.exec(firstLine);
  if (!m) throw new Error(`unexpected first line: ${firstLine}`);
  return { port: Number(m[2]), proc, firstLine };
}

/** A relay started by startRelayProcess. */
export type RelayProcess = Awaited<ReturnType<typeof startRelayProcess>>;
