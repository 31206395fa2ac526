// Process helpers for the benchmark suite: tracked child processes that are killed when the
// benchmark exits (normally, by signal, or by an uncaught error), free-port finders, a peak
// RSS sampler, `which`, and an apt installer for the C baselines.
// Plain Node ESM, built-ins only.

import { spawn, fork } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

// ---------------------------------------------------------------------------------------------
// Tracked children

const children = new Set();
const cleanups = new Set();
let hooksInstalled = false;

function runCleanupsSync() {
  for (const fn of [...cleanups]) {
    cleanups.delete(fn);
    try {
      fn();
    } catch {
      /* best effort */
    }
  }
}

function killAllSync(signal = 'SIGKILL') {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        c.kill(signal);
      } catch {
        /* already gone */
      }
    }
  }
}

function installHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    killAllSync('SIGKILL');
    runCleanupsSync();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      killAllSync('SIGKILL');
      runCleanupsSync();
      // Re-raise with the default action so the exit status says "killed by signal".
      process.kill(process.pid, sig);
    });
  }
}

function track(child) {
  installHooks();
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.once('error', () => children.delete(child));
  return child;
}

/**
 * Register a synchronous cleanup (e.g. removing a temp folder) that also runs if the process
 * exits or is killed by SIGINT/SIGTERM/SIGHUP before the normal `finally` gets to it.
 * Returns a function that runs the cleanup now (once) and unregisters it.
 * @param {() => void} fn
 */
export function addCleanup(fn) {
  installHooks();
  cleanups.add(fn);
  return () => {
    if (cleanups.delete(fn)) fn();
  };
}

/**
 * child_process.spawn whose child is killed when this process exits or is signalled.
 * @returns {import('node:child_process').ChildProcess}
 */
export function spawnTracked(command, args = [], options = {}) {
  return track(spawn(command, args, options));
}

/**
 * child_process.fork (Node child with IPC) that is killed when this process exits.
 * @returns {import('node:child_process').ChildProcess}
 */
export function forkTracked(modulePath, args = [], options = {}) {
  return track(fork(modulePath, args, options));
}

/** Children currently tracked and still running. */
export function trackedChildren() {
  return [...children];
}

/**
 * Resolve when the child has exited: { code, signal, timedOut }. Does not kill it.
 * @param {import('node:child_process').ChildProcess} child
 * @param {number} [timeoutMs]
 */
export function waitForExit(child, timeoutMs = Infinity) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode, timedOut: false });
  }
  return new Promise((resolve) => {
    let timer;
    const onExit = (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut: false });
    };
    child.once('exit', onExit);
    if (Number.isFinite(timeoutMs)) {
      timer = setTimeout(() => {
        child.off('exit', onExit);
        resolve({ code: null, signal: null, timedOut: true });
      }, timeoutMs);
    }
  });
}

/**
 * Stop a child: send `signal` (default SIGTERM), then SIGKILL after `graceMs`.
 * Resolves with its exit { code, signal } once it is gone.
 */
export async function killChild(child, { signal = 'SIGTERM', graceMs = 2000 } = {}) {
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    return { code: child?.exitCode ?? null, signal: child?.signalCode ?? null };
  }
  try {
    child.kill(signal);
  } catch {
    /* gone */
  }
  let r = await waitForExit(child, graceMs);
  if (r.timedOut) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
    r = await waitForExit(child, 5000);
  }
  return { code: r.code, signal: r.signal };
}

/** Kill every tracked child (SIGTERM, then SIGKILL after graceMs). */
export async function killAllChildren(graceMs = 2000) {
  await Promise.all([...children].map((c) => killChild(c, { graceMs })));
}

/**
 * Run a command to completion, collecting output (capped at `maxOutput` chars each).
 * Never throws for a non-zero exit; check `code`. Kills the command after `timeoutMs`.
 * @returns {Promise<{ code: number|null, signal: string|null, stdout: string, stderr: string, timedOut: boolean, ms: number, error?: string }>}
 */
export function run(command, args = [], { timeoutMs = 60_000, env, cwd, input, maxOutput = 1 << 20 } = {}) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let child;
    try {
      child = spawnTracked(command, args, { env, cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ code: null, signal: null, stdout, stderr, timedOut, ms: 0, error: String(err) });
      return;
    }
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      if (stdout.length < maxOutput) stdout += d;
    });
    child.stderr.on('data', (d) => {
      if (stderr.length < maxOutput) stderr += d;
    });
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    let spawnError;
    child.once('error', (err) => {
      spawnError = String(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      resolve({ code, signal, stdout, stderr, timedOut, ms, ...(spawnError ? { error: spawnError } : {}) });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Ports

/** A UDP port that was free a moment ago on `host` (bind to 0, read, close). Racy by nature. */
export function freeUdpPort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, host, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A TCP port that was free a moment ago on `host`. Racy by nature. */
export function freeTcpPort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resolve true once something is bound to UDP `host:port` (our own bind fails with EADDRINUSE). */
export async function waitForUdpBound(port, host = '127.0.0.1', timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const inUse = await new Promise((resolve) => {
      const s = dgram.createSocket('udp4');
      s.once('error', (err) => {
        s.close();
        resolve(err.code === 'EADDRINUSE');
      });
      s.bind(port, host, () => s.close(() => resolve(false)));
    });
    if (inUse) return true;
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
}

/** Resolve true once a TCP connect to `host:port` succeeds. */
export async function waitForTcpListening(port, host = '127.0.0.1', timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect({ port, host });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------------------------------------
// Memory and CPU of other processes (Linux /proc)

/** Parse /proc/<pid>/status into { VmHWM, VmRSS, ... } in bytes (null if the process is gone). */
export function procStatus(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^(Vm\w+|Rss\w+|Threads):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m) out[m[1]] = m[1] === 'Threads' ? Number(m[2]) : Number(m[2]) * 1024;
  }
  return out;
}

/** Peak resident set size (VmHWM) of `pid` in bytes, or null if unavailable. */
export function peakRssBytes(pid) {
  return procStatus(pid)?.VmHWM ?? null;
}

/** CPU time (user + system, seconds) used so far by `pid`, from /proc/<pid>/stat; null if gone. */
export function cpuSeconds(pid) {
  const s = cpuSplit(pid);
  return s === null ? null : s.user + s.kernel;
}

/**
 * User and kernel CPU seconds of a process so far ({ user, kernel }), or null if it is gone;
 * with `thread`, of that one thread (the main thread's id is the process id).
 */
export function cpuSplit(pid, thread) {
  let text;
  try {
    text = fs.readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { user: Number(rest[11]) / 100, kernel: Number(rest[12]) / 100 }; // USER_HZ is 100 on Linux
}

/**
 * Seconds `pid`'s threads spent runnable but waiting for a CPU (the second field of
 * /proc/<pid>/schedstat, main thread only); null if gone or unavailable. On a loaded machine this
 * is the time a process lost to others.
 */
export function runQueueWaitSeconds(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/);
    return Number(f[1]) / 1e9;
  } catch {
    return null;
  }
}

/**
 * Sample VmHWM/VmRSS of `pid` every `intervalMs` until stop() is called (or the process exits).
 * The kernel keeps the high-water mark itself; sampling just makes sure we still have the last
 * value after the process is gone. stop() returns { peakRssBytes, maxSampledRssBytes, samples }.
 */
export function startRssSampler(pid, { intervalMs = 100 } = {}) {
  let peak = null;
  let maxRss = null;
  let samples = 0;
  const sample = () => {
    const st = procStatus(pid);
    if (!st) return;
    samples++;
    if (st.VmHWM !== undefined) peak = Math.max(peak ?? 0, st.VmHWM);
    if (st.VmRSS !== undefined) maxRss = Math.max(maxRss ?? 0, st.VmRSS);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      sample();
      clearInterval(timer);
      return { peakRssBytes: peak, maxSampledRssBytes: maxRss, samples };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Executables and Debian packages

/** Absolute path of an executable found in PATH (plus /usr/sbin and /sbin), or null. */
export function which(cmd) {
  const dirs = new Set([...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/local/sbin', '/usr/sbin', '/sbin']);
  for (const d of dirs) {
    const p = path.join(d, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return null;
}

/**
 * Make sure `binaries` exist, installing Debian `packages` with apt-get when one is missing
 * (root only). Runs `apt-get install -y`, and only if that fails `apt-get update` followed by a
 * second install. Resolves { paths: {bin: path}, installed: string[] (packages), log } or throws.
 * @param {string[]} packages  e.g. ['atftpd', 'atftp']
 * @param {string[]} binaries  e.g. ['atftpd', 'atftp']
 */
export async function ensureAptPackages(packages, binaries, { timeoutMs = 300_000 } = {}) {
  const find = () => Object.fromEntries(binaries.map((b) => [b, which(b)]));
  let paths = find();
  if (Object.values(paths).every(Boolean)) return { paths, installed: [], log: '' };
  const missing = binaries.filter((b) => !paths[b]);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`missing ${missing.join(', ')}; install as root: apt-get install -y ${packages.join(' ')}`);
  }
  if (!which('apt-get')) throw new Error(`missing ${missing.join(', ')} and no apt-get on this machine`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['install', '-y', ...packages], { env, timeoutMs });
  let log = '';
  let r = await install();
  log += r.stdout + r.stderr;
  if (r.code !== 0) {
    const u = await run('apt-get', ['update'], { env, timeoutMs });
    log += u.stdout + u.stderr;
    r = await install();
    log += r.stdout + r.stderr;
  }
  paths = find();
  if (r.code !== 0 || !Object.values(paths).every(Boolean)) {
    throw new Error(`apt-get install -y ${packages.join(' ')} failed (exit ${r.code}):\n${log.slice(-2000)}`);
  }
  return { paths, installed: packages, log };
}
