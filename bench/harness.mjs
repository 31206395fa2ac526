// Shared plumbing of the product benchmarks (bench/transfer.mjs, resume.mjs, chatLatency.mjs,
// relayCapacity.mjs): the built relay and terminal client as child processes, the impairment
// proxy in a process of its own, TypeScript helpers bundled at run time, test files, hashes.
// Plain Node ESM; the only non-built-in it loads is esbuild (a devDependency), for the helpers.
//
// Every child is started through bench/lib/procs.mjs (spawnTracked/forkTracked), so it is killed
// when the benchmark exits, however it exits.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { addCleanup, forkTracked, killChild, procStatus, run, spawnTracked, waitForExit } from './lib/procs.mjs';
import { MiB } from './lib/stats.mjs';
import { NULL_CIPHER_MARKER } from './lib/nullCipherBuild.mjs';
export { randomFile, sha256File, udpSnmp } from './lib/files.mjs';
import { udpSnmp } from './lib/files.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '..');
export const CLI_JS = path.join(REPO, 'dist', 'cli.js');
export const RELAY_JS = path.join(REPO, 'dist', 'relay.js');
/** Where run-time bundles of bench/*.ts go (not committed). */
export const BUILD_DIR = path.join(here, '.build');

/** Wall clock in epoch milliseconds with sub-millisecond resolution (same clock as Date.now()). */
export function epochMs() {
  return performance.timeOrigin + performance.now();
}

// ---------------------------------------------------------------------------------------------
// Command line

/** Value of `--name value` / `--name=value` on the command line, or undefined. */
export function argValue(name, argv = process.argv) {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name) return argv[i + 1];
    if (argv[i].startsWith(`${name}=`)) return argv[i].slice(name.length + 1);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Build

/** Makes sure dist/relay.js and dist/cli.js exist (runs `node esbuild.mjs` when one is missing). */
export async function ensureDist() {
  if (fs.existsSync(CLI_JS) && fs.existsSync(RELAY_JS)) return;
  const r = await run(process.execPath, [path.join(REPO, 'esbuild.mjs')], { cwd: REPO, timeoutMs: 300_000 });
  if (r.code !== 0 || !fs.existsSync(CLI_JS) || !fs.existsSync(RELAY_JS)) {
    throw new Error(`build failed (node esbuild.mjs, exit ${r.code}):\n${r.stdout}${r.stderr}`);
  }
}

const bundles = new Map();

/**
 * Bundles bench/<name>.ts (and what it imports from src/ and test/support/) into
 * bench/.build/<name>.cjs with the esbuild JS API; once per process. Resolves the output path.
 */
export function bundleHelper(name) {
  if (!bundles.has(name)) {
    bundles.set(
      name,
      (async () => {
        const esbuild = await import('esbuild');
        const outfile = path.join(BUILD_DIR, `${name}.cjs`);
        await esbuild.build({
          entryPoints: [path.join(here, `${name}.ts`)],
          outfile,
          bundle: true,
          platform: 'node',
          target: 'node20',
          format: 'cjs',
          sourcemap: 'inline',
          logLevel: 'error',
        });
        return outfile;
      })(),
    );
  }
  return bundles.get(name);
}

/**
 * test/support/netLab.ts (NetLab, netLabAvailable), bundled through bench/netLabEntry.ts and
 * loaded into this process.
 */
export async function loadNetLab() {
  const file = await bundleHelper('netLabEntry');
  return createRequire(import.meta.url)(file);
}

// ---------------------------------------------------------------------------------------------
// Temp folders and files

/** A fresh temp folder, removed at exit (or earlier by calling the returned `remove`). */
export function tempDir(prefix = 'peerchat-bench-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const remove = addCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return { dir, remove };
}

// ---------------------------------------------------------------------------------------------
// Relay process

/**
 * `node ARGS` as a tracked child, run through `prefix` when given (a command that runs a program
 * elsewhere and execs it, such as `ip netns exec NS`: the child's pid is node's own).
 */
export function spawnNode(args, options = {}, prefix = []) {
  // PEERCHAT_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": profile every process a
  // benchmark starts (flags NODE_OPTIONS does not allow). Never set by the benchmarks themselves.
  const extra = process.env.PEERCHAT_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  args = [...extra, ...args];
  return prefix.length
    ? spawnTracked(prefix[0], [...prefix.slice(1), process.execPath, ...args], options)
    : spawnTracked(process.execPath, args, options);
}

/**
 * Starts `node dist/relay.js --port 0 [--quiet]` and resolves once it printed
 * `listening on HOST:PORT`: { proc, pid, host, port, stop() }. `prefix`: see spawnNode (a relay
 * in a network namespace also needs `--host ITS_ADDRESS` in `extraArgs`).
 */
export async function startRelay({ quiet = true, extraArgs = [], timeoutMs = 10_000, prefix = [] } = {}) {
  const args = [RELAY_JS, '--port', '0', ...(quiet ? ['--quiet'] : []), ...extraArgs];
  const proc = spawnNode(args, { stdio: ['ignore', 'pipe', 'pipe'] }, prefix);
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => {
    if (stderr.length < 20_000) stderr += d;
  });
  const rl = readline.createInterface({ input: proc.stdout, crlfDelay: Infinity });
  const firstLine = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay printed nothing within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    rl.once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited (code ${code}) before listening: ${stderr}`));
    });
  });
  rl.on('line', () => {}); // keep draining stdout
  const m = /^listening on (.+):(\d+)$/.exec(firstLine);
  if (!m) throw new Error(`relay: unexpected first line ${JSON.stringify(firstLine)}`);
  return {
    proc,
    pid: proc.pid,
    host: m[1],
    port: Number(m[2]),
    stderr: () => stderr,
    stop: () => killChild(proc, { signal: 'SIGTERM', graceMs: 4000 }),
  };
}

// ---------------------------------------------------------------------------------------------
// Impairment proxy process

/**
 * The impairment proxy (test/support/impairmentProxy.ts) in its own process (bench/proxyMain.ts,
 * bundled on first use). `cfg`: { target: {host, port}, seed, upstream?, downstream? } with
 * Impairment fields (loss, delayMs, ...). Resolves { proc, pid, port, stats(), set(), close() }.
 */
export async function startProxy(cfg) {
  const file = await bundleHelper('proxyMain');
  const proc = forkTracked(file, [], {
    env: { ...process.env, BENCH_PROXY: JSON.stringify({ seed: 1, ...cfg }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map();
  let onReady;
  const ready = new Promise((resolve, reject) => {
    onReady = resolve;
    proc.once('exit', (code) => reject(new Error(`proxy exited (code ${code}) before it was ready`)));
  });
  proc.on('message', (m) => {
    if (m.type === 'ready') onReady(m);
    else if (pending.has(m.id)) {
      pending.get(m.id)(m);
      pending.delete(m.id);
    }
  });
  const ask = (msg, timeoutMs = 5000) =>
    new Promise((resolve, reject) => {
      if (!proc.connected) {
        reject(new Error('proxy is gone'));
        return;
      }
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`proxy did not answer ${msg.type}`));
      }, timeoutMs);
      pending.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      proc.send({ ...msg, id });
    });
  const r = await ready;
  return {
    proc,
    pid: proc.pid,
    port: r.port,
    buffers: { recv: r.recvBufferBytes, send: r.sendBufferBytes },
    /** { stats: ProxyStats, sizes: { up: {maxBytes, over1200}, down: {...} } } */
    stats: async () => {
      const m = await ask({ type: 'stats' });
      return { stats: m.stats, sizes: m.sizes };
    },
    set: (direction, impairment) => ask({ type: 'set', direction, impairment }),
    close: async () => {
      try {
        await ask({ type: 'close' }, 3000);
      } catch {
        /* gone already */
      }
      await killChild(proc, { graceMs: 1000 });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Terminal client process (`node dist/cli.js --json`)

/**
 * The built terminal client as a child process: write command lines, read its JSON events.
 * The same idea as test/support/cliProcess.ts, in plain ESM. Every event gets `_rx`, the epoch
 * time in ms (sub-ms) at which this process parsed its line.
 */
export class Cli {
  constructor(proc, { nick, dir, identity, downloadDir, keepProgress = true }) {
    this.proc = proc;
    this.pid = proc.pid;
    this.nick = nick;
    this.dir = dir;
    this.identity = identity;
    this.downloadDir = downloadDir;
    this.keepProgress = keepProgress;
    this.events = [];
    this.stderrLines = [];
    this.waiters = [];
    this.listeners = new Set();
    this.exited = waitForExit(proc);
    readline.createInterface({ input: proc.stdout, crlfDelay: Infinity }).on('line', (line) => {
      const rx = epochMs();
      let e;
      try {
        e = JSON.parse(line);
      } catch {
        this.stderrLines.push(`(not JSON on stdout) ${line}`);
        return;
      }
      e._rx = rx;
      if (this.keepProgress || e.event !== 'transfer-progress') this.events.push(e);
      for (const fn of this.listeners) fn(e);
      for (const w of [...this.waiters]) {
        if (w.pred(e)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    });
    // With --verbose the client logs its transfer engine's counters (about once a second and at
    // the end) and the datagram size it found for each peer; keep the latest of each.
    this.transferStats = {};
    this.pathDatagramBytes = {};
    this.nullCipher = false;
    // BENCH_CLIENT_LOGS=dir: every client's stderr, each line stamped with the epoch ms, in dir/<nick>-<pid>.log.
    const logTo = process.env.BENCH_CLIENT_LOGS ? path.join(process.env.BENCH_CLIENT_LOGS, `${nick}-${proc.pid}.log`) : null;
    readline.createInterface({ input: proc.stderr, crlfDelay: Infinity }).on('line', (l) => {
      if (logTo) fs.appendFileSync(logTo, `${epochMs().toFixed(1)} ${l}\n`);
      const st = /^\[debug\] transfer (\S+) (send|receive): (\{.*\})$/.exec(l);
      if (st) {
        try {
          this.transferStats[st[2]] = { id: st[1], ...JSON.parse(st[3]) };
        } catch {
          /* not JSON after all */
        }
        return;
      }
      // The benchmark's null-cipher build (lib/nullCipherBuild.mjs) says so once on stderr.
      if (l.startsWith(NULL_CIPHER_MARKER)) this.nullCipher = true;
      const carries = /path to (\S+) carries (\d+)-byte datagrams/.exec(l);
      if (carries) this.pathDatagramBytes[carries[1]] = Number(carries[2]);
      this.stderrLines.push(l);
      if (this.stderrLines.length > 200) this.stderrLines.shift();
    });
  }

  /**
   * Starts a client. `dir` holds identity.json (and pins.json) unless `identity` names a file.
   * @param {{ relayPort: number, relayHost?: string, nick: string, dir: string, identity?: string,
   *   downloadDir?: string, acceptFiles?: boolean, share?: string, allowRequests?: boolean,
   *   extraArgs?: string[], env?: Record<string, string>, keepProgress?: boolean, cliJs?: string, prefix?: string[] }} o
   *   `cliJs`: another bundle of the terminal client to run (default dist/cli.js); `prefix`: run
   *   it elsewhere, e.g. `['ip', 'netns', 'exec', NS]` (see spawnNode)
   */
  static start(o) {
    const identity = o.identity ?? path.join(o.dir, 'identity.json');
    const downloadDir = o.downloadDir ?? path.join(o.dir, 'downloads');
    fs.mkdirSync(o.dir, { recursive: true });
    fs.mkdirSync(downloadDir, { recursive: true });
    const args = [
      o.cliJs ?? CLI_JS,
      '--json',
      '--relay', `${o.relayHost ?? '127.0.0.1'}:${o.relayPort}`,
      '--nick', o.nick,
      '--identity', identity,
      '--download-dir', downloadDir,
    ];
    if (o.acceptFiles) args.push('--accept-files');
    if (o.share) args.push('--share', o.share);
    if (o.allowRequests) args.push('--allow-requests');
    args.push(...(o.extraArgs ?? []));
    const proc = spawnNode(args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...(o.env ?? {}) } }, o.prefix ?? []);
    proc.stdin.on('error', () => {}); // EPIPE after a kill
    return new Cli(proc, { nick: o.nick, dir: o.dir, identity, downloadDir, keepProgress: o.keepProgress });
  }

  send(line) {
    if (this.proc.stdin.writable) this.proc.stdin.write(`${line}\n`);
  }

  get alive() {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** First event (past or future) matching `pred`; rejects after `timeoutMs` or if the process exits. */
  waitFor(pred, what, timeoutMs = 15_000, { fromIndex = 0 } = {}) {
    const past = this.events.slice(fromIndex).find(pred);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const fail = (why) => {
        const i = this.waiters.indexOf(w);
        if (i < 0) return;
        this.waiters.splice(i, 1);
        clearTimeout(timer);
        reject(
          new Error(
            `${this.nick}: no ${what} (${why}); last events: ${JSON.stringify(this.events.slice(-8).map(({ _rx, ...e }) => e))}; ` +
              `stderr: ${this.stderrLines.slice(-8).join(' | ')}`,
          ),
        );
      };
      const w = {
        pred,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      const timer = setTimeout(() => fail(`within ${timeoutMs} ms`), timeoutMs);
      this.waiters.push(w);
      this.exited.then((r) => fail(`process exited: code ${r.code}, signal ${r.signal}`));
    });
  }

  event(name, pred = () => true, timeoutMs, opts) {
    return this.waitFor((e) => e.event === name && pred(e), `'${name}' event`, timeoutMs, opts);
  }

  all(name) {
    return this.events.filter((e) => e.event === name);
  }

  on(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves once `/who` lists every nick in `nicks` (asks every 250 ms). */
  async waitSees(nicks, timeoutMs = 20_000) {
    const want = Array.isArray(nicks) ? nicks : [nicks];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const from = this.events.length;
      this.send('/who');
      const r = await this.event('roster', () => true, Math.max(1, Math.min(2000, deadline - Date.now())), { fromIndex: from }).catch(() => null);
      if (r && want.every((n) => r.nicks.includes(n))) return;
      if (Date.now() > deadline) throw new Error(`${this.nick} does not see ${want.join(', ')} after ${timeoutMs} ms (roster: ${JSON.stringify(r?.nicks)})`);
      await new Promise((res) => setTimeout(res, 250));
    }
  }

  /** VmHWM / VmRSS now (bytes), or null once the process is gone. */
  memory() {
    const st = procStatus(this.pid);
    return st ? { peakRssBytes: st.VmHWM ?? null, rssBytes: st.VmRSS ?? null } : null;
  }

  kill(signal = 'SIGKILL') {
    try {
      this.proc.kill(signal);
    } catch {
      /* gone */
    }
    return this.exited;
  }

  /** `exit` on stdin, then SIGTERM/SIGKILL if it lingers. */
  async stop(graceMs = 3000) {
    this.send('exit');
    const r = await waitForExit(this.proc, graceMs);
    if (r.timedOut) await killChild(this.proc, { graceMs: 1000 });
  }
}

/** Starts clients and waits until each is registered and sees all the others. */
export async function startClients(specs, { timeoutMs = 20_000 } = {}) {
  const clients = specs.map((s) => Cli.start(s));
  await Promise.all(clients.map((c) => c.event('registered', () => true, timeoutMs)));
  const nicks = clients.map((c) => c.nick);
  await Promise.all(clients.map((c) => c.waitSees(nicks.filter((n) => n !== c.nick), timeoutMs)));
  return clients;
}

/** Peak RSS (VmHWM) of a pid in bytes, or null. */
export function peakRss(pid) {
  return procStatus(pid)?.VmHWM ?? null;
}


export function udpSnmpDelta(before, after) {
  if (!before || !after) return null;
  return {
    InDatagrams: after.InDatagrams - before.InDatagrams,
    RcvbufErrors: after.RcvbufErrors - before.RcvbufErrors,
    SndbufErrors: after.SndbufErrors - before.SndbufErrors,
    InErrors: after.InErrors - before.InErrors,
  };
}

/** The environment variable with which the client can be told its datagram size for file data. */
export const DATAGRAM_ENV = 'PEERCHAT_DATAGRAM_BYTES';

/**
 * How the built client lets a benchmark force the datagram size, if it does: the environment
 * variable PEERCHAT_DATAGRAM_BYTES (looked for in dist/cli.js), else a `--…datagram…` option in
 * `node dist/cli.js --help`. Resolves
 * `{ env: Record<string,string>, args: string[], how: string }` for a given size, or null.
 */
export async function cliDatagramControl() {
  if (fs.readFileSync(CLI_JS, 'utf8').includes(DATAGRAM_ENV)) {
    return { how: `env ${DATAGRAM_ENV}`, forSize: (n) => ({ env: { [DATAGRAM_ENV]: String(n) }, args: [] }) };
  }
  const r = await run(process.execPath, [CLI_JS, '--help'], { timeoutMs: 10_000 });
  const m = /(--[a-z-]*datagram[a-z-]*)/i.exec(`${r.stdout}\n${r.stderr}`);
  return m ? { how: `option ${m[1]}`, forSize: (n) => ({ env: {}, args: [m[1], String(n)] }) } : null;
}

/** Resolve `p`, or reject with `what` after `ms`. */
export function withTimeout(p, ms, what) {
  let timer;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    }),
  ]);
}
