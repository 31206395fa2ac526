#!/usr/bin/env node
// Baseline: fan-out of an IRC server written in C (Debian's ngircd) over TCP on 127.0.0.1.
//
// ngircd runs in the foreground (`-n`) with a temp config: listen 127.0.0.1 on a free port, no
// connection limits, no DNS/IDENT/PAM lookups, and `MaxPenaltyTime = 0`, which turns ngircd's
// per-client flood protection (penalty seconds during which a client's socket is not read) off.
// N clients (default 300), all in this one Node process, register (NICK/USER), JOIN #bench and
// wait for the end of the NAMES list. Then, in one burst, every client writes its M (default 3)
// PRIVMSG #bench lines in a single write; each line carries an id and its send time
// (process.hrtime.bigint(), ns). Every client records when each message from the others arrives
// (the time its 'data' chunk was handed to JS). Expected deliveries: N * M * (N - 1).
//
// One process for all clients is how our own chat benchmark drives its clients too, so the
// figures compare; it also means delivery latency includes the time this process takes to work
// through ~270k incoming lines.
//
//   node bench/baselines/ircBurst.mjs              300 clients x 3 messages
//   BENCH_QUICK=1 node bench/baselines/ircBurst.mjs   100 clients x 3 messages
//   node bench/baselines/ircBurst.mjs --write      also write bench/results/baseline-ircBurst.json
//
// Needs root the first time to install the package: apt-get install -y ngircd.

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  addCleanup,
  cpuSeconds,
  ensureAptPackages,
  freeTcpPort,
  killChild,
  run,
  sleep,
  spawnTracked,
  startRssSampler,
  waitForTcpListening,
} from '../lib/procs.mjs';
import { isQuick, loadAvg, round, summarize, table, writeResult } from '../lib/stats.mjs';

const CHANNEL = '#bench';

function ngircdConfig({ port, dir }) {
  // Keys documented in ngircd.conf(5), ngircd 26.
  return `[Global]
Name = bench.peerchat.invalid
Info = Peer Chat baseline
AdminInfo1 = bench
AdminInfo2 = bench
AdminEMail = bench@peerchat.invalid
Listen = 127.0.0.1
Ports = ${port}
MotdPhrase = bench
HelpFile = ${path.join(dir, 'help.txt')}

[Limits]
; 0 = unlimited (MaxConnectionsIP defaults to 5, which would stop at client 6)
MaxConnections = 0
MaxConnectionsIP = 0
MaxJoins = 0
; Flood protection: 0 disables penalty time increases (capped to 0 s unless >= 10 s, which
; ngircd uses only against password brute force).
MaxPenaltyTime = 0
PingTimeout = 600
PongTimeout = 600

[Options]
DNS = no
Ident = no
PAM = no
; Do not read the system's /etc/ngircd/ngircd.conf.d snippets.
IncludeDir = ${path.join(dir, 'conf.d')}
`;
}

/** Minimal IRC line client over one TCP socket. */
class BenchClient {
  constructor(index, nick, onPrivmsgChunk) {
    this.index = index;
    this.nick = nick;
    this.sock = null;
    this.partial = '';
    this.waiters = [];
    this.onPrivmsgChunk = onPrivmsgChunk;
    this.phase = 'register';
    this.errors = [];
  }

  connect(port) {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      this.sock = s;
      s.setNoDelay(true);
      s.setEncoding('latin1');
      s.once('connect', () => resolve());
      s.once('error', (err) => {
        this.errors.push(String(err));
        reject(err);
      });
      s.on('close', () => {
        this.closed = true;
        for (const w of this.waiters.splice(0)) w.reject(new Error(`${this.nick}: connection closed (${this.errors.join('; ')})`));
      });
      s.on('data', (chunk) => this.onData(chunk));
    });
  }

  onData(chunk) {
    const t = process.hrtime.bigint();
    const text = this.partial + chunk;
    const lines = text.split('\r\n');
    this.partial = lines.pop();
    if (this.phase === 'burst') {
      this.onPrivmsgChunk(this, lines, t);
      return;
    }
    for (const line of lines) {
      if (line.startsWith('PING ')) {
        this.sock.write(`PONG ${line.slice(5)}\r\n`);
        continue;
      }
      if (line.startsWith('ERROR')) this.errors.push(line);
      for (let i = 0; i < this.waiters.length; i++) {
        if (this.waiters[i].test(line)) {
          const [w] = this.waiters.splice(i, 1);
          w.resolve(line);
          break;
        }
      }
    }
  }

  waitFor(test, timeoutMs, what) {
    return new Promise((resolve, reject) => {
      const w = { test, resolve, reject };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`${this.nick}: timed out waiting for ${what} (${this.errors.join('; ')})`));
      }, timeoutMs);
      w.resolve = (v) => {
        clearTimeout(timer);
        resolve(v);
      };
      w.reject = (e) => {
        clearTimeout(timer);
        reject(e);
      };
      this.waiters.push(w);
    });
  }

  async register(timeoutMs) {
    const welcome = this.waitFor((l) => / 001 /.test(l), timeoutMs, 'RPL_WELCOME');
    this.sock.write(`NICK ${this.nick}\r\nUSER ${this.nick} 0 * :bench\r\n`);
    await welcome;
  }

  async join(channel, timeoutMs) {
    const end = this.waitFor((l) => / 366 /.test(l) && l.includes(channel), timeoutMs, 'RPL_ENDOFNAMES');
    this.sock.write(`JOIN ${channel}\r\n`);
    await end;
  }
}

/** Run `fn` over items with at most `limit` running at once. */
async function pool(items, limit, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(workers);
}

/**
 * Burst fan-out through ngircd.
 *
 * @param {object} [o]
 * @param {number} [o.clients=300]            clients in the channel
 * @param {number} [o.messagesPerClient=3]    PRIVMSGs each client sends in the burst
 * @param {number} [o.connectConcurrency=8]   connections being set up at once (ngircd listens
 *                                            with a backlog of 10)
 * @param {number} [o.setupTimeoutMs=30000]   limit for connecting + registering + joining
 * @param {number} [o.burstTimeoutMs=30000]   limit for the burst to be delivered
 * @returns {Promise<{
 *   baseline: 'ircBurst', server: string, clients: number, messagesPerClient: number,
 *   clientProcesses: 1, loadAvgBefore: number[], aptInstalled: string[],
 *   setupSeconds: number, sendSpreadMs: number,
 *   expectedDeliveries: number, deliveries: number, duplicates: number, missing: number,
 *   durationMs: number, deliveriesPerSec: number,
 *   latencyMs: { count: number, min: number, mean: number, p50: number, p90: number, p99: number, p999: number, max: number, stddev: number },
 *   serverCpuSeconds: number|null, serverPeakRssBytes: number|null, clientCpuMs: { user: number, system: number },
 *   flood: string
 * }>}
 */
export async function measureIrcBurst(o = {}) {
  const N = o.clients ?? 300;
  const M = o.messagesPerClient ?? 3;
  const concurrency = o.connectConcurrency ?? 8;
  const setupTimeoutMs = o.setupTimeoutMs ?? 30_000;
  const burstTimeoutMs = o.burstTimeoutMs ?? 30_000;
  if (N < 2 || N > 9999) throw new RangeError('clients must be 2..9999');

  const apt = await ensureAptPackages(['ngircd'], ['ngircd']);
  const ver = await run(apt.paths.ngircd, ['--version'], { timeoutMs: 5000 });
  const server = `${ver.stdout}${ver.stderr}`.trim().split('\n')[0] || 'ngircd';

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'peerchat-ircd-'));
  const removeWork = addCleanup(() => fs.rmSync(work, { recursive: true, force: true }));
  const clients = [];
  let ircd;
  let sampler;
  try {
    fs.mkdirSync(path.join(work, 'conf.d'));
    fs.writeFileSync(path.join(work, 'help.txt'), 'bench\n');
    const port = await freeTcpPort();
    const confFile = path.join(work, 'ngircd.conf');
    fs.writeFileSync(confFile, ngircdConfig({ port, dir: work }));
    const logFile = path.join(work, 'ngircd.log');
    const logFd = fs.openSync(logFile, 'w');
    // -n: stay in the foreground (logs to stdout/stderr, which go to a file, never a full pipe).
    ircd = spawnTracked(apt.paths.ngircd, ['-n', '-f', confFile], { stdio: ['ignore', logFd, logFd] });
    fs.closeSync(logFd);
    const readLog = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-3000) : '');
    if (!(await waitForTcpListening(port, '127.0.0.1', 5000))) {
      throw new Error(`ngircd did not listen on 127.0.0.1:${port}:\n${readLog()}`);
    }
    sampler = startRssSampler(ircd.pid, { intervalMs: 50 });

    // ---- delivery bookkeeping
    const expected = N * M * (N - 1);
    const latencies = new Float64Array(expected);
    const seen = new Uint8Array(N * N * M); // [receiver][message id]
    let deliveries = 0;
    let duplicates = 0;
    let foreign = 0;
    let lastDeliveryNs = 0n;
    let resolveDone;
    const done = new Promise((r) => (resolveDone = r));
    const privmsgRe = / PRIVMSG #bench :(\d+) (\d+)$/;
    const onChunk = (client, lines, t) => {
      const tNum = Number(t);
      for (const line of lines) {
        const m = privmsgRe.exec(line);
        if (!m) {
          if (line.startsWith('PING ')) client.sock.write(`PONG ${line.slice(5)}\r\n`);
          else if (line.length) foreign++;
          continue;
        }
        const id = Number(m[1]);
        const slot = client.index * N * M + id;
        if (seen[slot]) {
          duplicates++;
          continue;
        }
        seen[slot] = 1;
        if (deliveries < expected) latencies[deliveries] = (tNum - Number(m[2])) / 1e6;
        deliveries++;
        lastDeliveryNs = t;
        if (deliveries === expected) resolveDone();
      }
    };

    // ---- setup: connect, register, join
    const tSetup = process.hrtime.bigint();
    for (let i = 0; i < N; i++) clients.push(new BenchClient(i, `b${i}`, onChunk));
    const setupDeadline = Date.now() + setupTimeoutMs;
    await pool(clients, concurrency, async (c) => {
      const left = () => Math.max(1, setupDeadline - Date.now());
      await c.connect(port);
      await c.register(left());
      await c.join(CHANNEL, left());
    });
    // Let the JOIN announcements (N*(N-1)/2 lines) drain before the burst.
    let quietFor = 0;
    let lastBytes = -1;
    while (quietFor < 300 && Date.now() < setupDeadline) {
      const bytes = clients.reduce((a, c) => a + c.sock.bytesRead, 0);
      quietFor = bytes === lastBytes ? quietFor + 50 : 0;
      lastBytes = bytes;
      await sleep(50);
    }
    const setupSeconds = Number(process.hrtime.bigint() - tSetup) / 1e9;
    for (const c of clients) {
      if (c.closed) throw new Error(`${c.nick} disconnected during setup: ${c.errors.join('; ')}\n${readLog()}`);
      c.partial = '';
      c.phase = 'burst';
    }

    // ---- burst: every client writes its M lines in one write, as fast as this loop goes
    const cpuBefore = process.cpuUsage();
    const serverCpuBefore = cpuSeconds(ircd.pid);
    const loadAvgBefore = loadAvg();
    const tFirstSend = process.hrtime.bigint();
    for (const c of clients) {
      let out = '';
      const base = c.index * M;
      for (let k = 0; k < M; k++) out += `PRIVMSG ${CHANNEL} :${base + k} ${process.hrtime.bigint()}\r\n`;
      c.sock.write(out);
    }
    const tLastSend = process.hrtime.bigint();
    let burstTimer;
    const timeout = new Promise((r) => (burstTimer = setTimeout(() => r('timeout'), burstTimeoutMs)));
    const outcome = await Promise.race([done.then(() => 'done'), timeout]);
    clearTimeout(burstTimer);
    const cpu = process.cpuUsage(cpuBefore);
    const serverCpuAfter = cpuSeconds(ircd.pid);
    const closedClients = clients.filter((c) => c.closed).length;
    if (outcome === 'timeout') {
      const got = deliveries;
      throw new Error(
        `ircBurst: only ${got}/${expected} deliveries within ${burstTimeoutMs} ms ` +
          `(${closedClients} clients disconnected)\n${readLog()}`,
      );
    }
    const durationMs = Number(lastDeliveryNs - tFirstSend) / 1e6;
    const lat = summarize(latencies.subarray(0, Math.min(deliveries, expected)));
    const mem = sampler.stop();
    sampler = null;
    return {
      baseline: 'ircBurst',
      server,
      clients: N,
      messagesPerClient: M,
      clientProcesses: 1,
      loadAvgBefore,
      aptInstalled: apt.installed,
      setupSeconds: round(setupSeconds, 3),
      sendSpreadMs: round(Number(tLastSend - tFirstSend) / 1e6, 3),
      expectedDeliveries: expected,
      deliveries,
      duplicates,
      missing: expected - deliveries,
      otherLinesDuringBurst: foreign,
      durationMs: round(durationMs, 3),
      deliveriesPerSec: round(deliveries / (durationMs / 1000), 0),
      latencyMs: Object.fromEntries(Object.entries(lat).map(([k, v]) => [k, k === 'count' ? v : round(v, 3)])),
      serverCpuSeconds: serverCpuBefore !== null && serverCpuAfter !== null ? round(serverCpuAfter - serverCpuBefore, 2) : null,
      serverPeakRssBytes: mem.peakRssBytes,
      clientCpuMs: { user: round(cpu.user / 1000, 1), system: round(cpu.system / 1000, 1) },
      flood:
        'ngircd [Limits] MaxPenaltyTime = 0 (no penalty delays); each client sends its 3 lines in one ' +
        'write, which ngircd handles in one read loop (at most 3 commands per client per loop)',
    };
  } finally {
    sampler?.stop();
    for (const c of clients) c.sock?.destroy();
    if (ircd) await killChild(ircd, { graceMs: 2000 });
    removeWork();
  }
}

export function ircBurstRows(r) {
  return [
    {
      clients: r.clients,
      'msgs/client': r.messagesPerClient,
      deliveries: r.deliveries,
      expected: r.expectedDeliveries,
      'duration ms': r.durationMs.toFixed(1),
      'deliveries/s': r.deliveriesPerSec,
      'p50 ms': r.latencyMs.p50.toFixed(1),
      'p99 ms': r.latencyMs.p99.toFixed(1),
      'max ms': r.latencyMs.max.toFixed(1),
      'server cpu s': r.serverCpuSeconds,
    },
  ];
}

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (isMain) {
  const quick = isQuick();
  const res = await measureIrcBurst({ clients: quick ? 100 : 300 });
  console.log(`ircBurst baseline (${quick ? 'quick' : 'default'}): ${res.server}, TCP 127.0.0.1, clients in 1 Node process\n`);
  table(ircBurstRows(res));
  console.log('');
  console.log(JSON.stringify({ quick, ...res }, null, 2));
  if (process.argv.includes('--write')) console.error(`wrote ${writeResult('baseline-ircBurst', { quick, ...res })}`);
}
