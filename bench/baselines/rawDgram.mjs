#!/usr/bin/env node
// Baseline: the raw one-hop UDP ceiling of Node's `dgram` on loopback, two processes.
//
// The parent process sends `bytes` worth of `datagramSize`-byte datagrams to a receiver that
// runs in a forked child process (this same file, started with `--receiver`). The sender is paced
// only by send callbacks: at most `inflight` sends are outstanding. Both sockets ask for 4 MiB
// buffers (the kernel doubles the request and caps it at net.core.[rw]mem_max * 2; what was
// granted is read back and reported). When the sender is done it tells the receiver over IPC;
// the receiver waits for `quietMs` without datagrams and reports its counts over IPC.
//
//   node bench/baselines/rawDgram.mjs            default sizes (1200 .. 65000 bytes, 256 MiB each)
//   BENCH_QUICK=1 node bench/baselines/rawDgram.mjs   smoke run (32 MiB each)
//   node bench/baselines/rawDgram.mjs --write    also write bench/results/baseline-rawDgram.json
//
// Exports: measureRawDgram(options) -> result object (see JSDoc), runRawDgramSuite(options).

import dgram from 'node:dgram';
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { forkTracked, killChild, waitForExit } from '../lib/procs.mjs';
import { MiB, MB, isQuick, loadAvg, round, table, writeResult } from '../lib/stats.mjs';
import { udpSnmp } from '../lib/files.mjs';

const THIS_FILE = fileURLToPath(import.meta.url);
const DEFAULT_BUFFER = 4 * MiB;


function createSocket(bufferSize) {
  const opts = { type: 'udp4' };
  if (bufferSize) {
    opts.recvBufferSize = bufferSize;
    opts.sendBufferSize = bufferSize;
  }
  return dgram.createSocket(opts);
}

// ---------------------------------------------------------------------------------------------
// Receiver (child process)

function receiverMain() {
  const bufferSize = Number(process.env.RAWDGRAM_BUFFER ?? DEFAULT_BUFFER);
  const quietMs = Number(process.env.RAWDGRAM_QUIET_MS ?? 200);
  const sock = createSocket(bufferSize);
  let received = 0;
  let bytes = 0;
  let firstNs = 0n;
  let lastNs = 0n;
  let lastSeenMs = 0;
  let cpuAtFirst = null;
  sock.on('message', (msg) => {
    const t = process.hrtime.bigint();
    if (received === 0) {
      firstNs = t;
      cpuAtFirst = process.cpuUsage();
    }
    lastNs = t;
    received++;
    bytes += msg.length;
  });
  sock.on('error', (err) => {
    process.send?.({ type: 'error', error: String(err) });
  });
  sock.bind(0, '127.0.0.1', () => {
    process.send({
      type: 'ready',
      port: sock.address().port,
      rcvbuf: sock.getRecvBufferSize(),
      sndbuf: sock.getSendBufferSize(),
    });
  });
  process.on('message', (m) => {
    if (m?.type !== 'done') return;
    lastSeenMs = Date.now();
    let prev = -1;
    // Wait until `quietMs` pass with no new datagram, then report.
    const check = () => {
      if (received !== prev) {
        prev = received;
        lastSeenMs = Date.now();
      }
      if (Date.now() - lastSeenMs >= quietMs) {
        const cpu = cpuAtFirst ? process.cpuUsage(cpuAtFirst) : { user: 0, system: 0 };
        process.send(
          {
            type: 'stats',
            received,
            bytes,
            firstNs: firstNs.toString(),
            lastNs: lastNs.toString(),
            cpuUserMs: cpu.user / 1000,
            cpuSystemMs: cpu.system / 1000,
          },
          () => {
            sock.close();
            process.disconnect();
          },
        );
      } else {
        setTimeout(check, 10);
      }
    };
    check();
  });
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------
// Forwarder (child process, `forwarder: true`): the least a relay can do

/**
 * Binds a socket and sends every datagram it receives on to the receiver's port: one
 * `message` event and one unconnected `send` per datagram, nothing else (no parsing, no
 * sessions, no crypto). The ceiling any relay written on Node's dgram can reach on this machine.
 */
function forwarderMain() {
  const bufferSize = Number(process.env.RAWDGRAM_BUFFER ?? DEFAULT_BUFFER);
  const to = Number(process.env.RAWDGRAM_FORWARD_TO);
  const sock = createSocket(bufferSize);
  let forwarded = 0;
  sock.on('message', (msg) => {
    forwarded++;
    sock.send(msg, to, '127.0.0.1');
  });
  sock.on('error', (err) => process.send?.({ type: 'error', error: String(err) }));
  sock.bind(0, '127.0.0.1', () => process.send({ type: 'ready', port: sock.address().port }));
  process.on('message', (m) => {
    if (m?.type === 'count') process.send({ type: 'forwarded', forwarded });
  });
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------
// Sender (parent) and measurement

/**
 * Measure the one-hop UDP ceiling between two Node processes on 127.0.0.1.
 *
 * @param {object} [o]
 * @param {number} [o.datagramSize=1200]  payload bytes per datagram (max 65507)
 * @param {number} [o.bytes=256 MiB]      total payload to send (rounded up to whole datagrams)
 * @param {number} [o.inflight=64]        max sends awaiting their callback
 * @param {number} [o.bufferSize=4 MiB]   SO_RCVBUF/SO_SNDBUF request for both sockets; 0 = OS default
 * @param {boolean} [o.connect=false]     connect() the sender socket (faster sends) instead of
 *                                        passing the address on every send like a relay does
 * @param {boolean} [o.forwarder=false]   two hops: sender → a minimal Node forwarder process
 *                                        (receive, send on; see forwarderMain) → receiver, three
 *                                        processes like a relayed transfer
 * @param {number} [o.quietMs=200]        receiver reports after this long without datagrams
 * @param {number} [o.timeoutMs=60000]    hard limit for the whole measurement
 * @returns {Promise<{
 *   baseline: 'rawDgram', datagramSize: number, bytesRequested: number, inflight: number,
 *   connected: boolean, loadAvgBefore: number[],
 *   buffers: { requested: number, senderSndbuf: number, senderRcvbuf: number, receiverRcvbuf: number, receiverSndbuf: number },
 *   sent: number, sentBytes: number, sendErrors: number, received: number, receivedBytes: number,
 *   lost: number, lossPct: number,
 *   sender: { seconds: number, datagramsPerSec: number, bytesPerSec: number, MBps: number, cpuUserMs: number, cpuSystemMs: number },
 *   receiver: { seconds: number, datagramsPerSec: number, bytesPerSec: number, MBps: number, cpuUserMs: number, cpuSystemMs: number },
 *   kernelUdpDelta: { RcvbufErrors: number, SndbufErrors: number, InErrors: number } | null
 * }>}
 */
export async function measureRawDgram(o = {}) {
  const datagramSize = o.datagramSize ?? 1200;
  const bytesRequested = o.bytes ?? 256 * MiB;
  const inflightMax = o.inflight ?? 64;
  const bufferSize = o.bufferSize ?? DEFAULT_BUFFER;
  const connect = o.connect ?? false;
  const viaForwarder = o.forwarder ?? false;
  const quietMs = o.quietMs ?? 200;
  const timeoutMs = o.timeoutMs ?? 60_000;
  if (!(datagramSize >= 1 && datagramSize <= 65507)) throw new RangeError(`datagramSize ${datagramSize} out of range`);
  const total = Math.ceil(bytesRequested / datagramSize);

  const child = forkTracked(THIS_FILE, ['--receiver'], {
    env: { ...process.env, RAWDGRAM_BUFFER: String(bufferSize), RAWDGRAM_QUIET_MS: String(quietMs) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const sock = createSocket(bufferSize);
  let timer;
  let forwarder = null;
  try {
    const deadline = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`rawDgram: timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    const messages = [];
    let waiter = null;
    child.on('message', (m) => {
      messages.push(m);
      waiter?.();
    });
    const childGone = waitForExit(child).then((r) => {
      throw new Error(`rawDgram receiver exited early (code ${r.code}, signal ${r.signal})`);
    });
    childGone.catch(() => {});
    const nextMessage = async (type) => {
      for (;;) {
        const i = messages.findIndex((m) => m.type === type || m.type === 'error');
        if (i >= 0) {
          const [m] = messages.splice(i, 1);
          if (m.type === 'error') throw new Error(`rawDgram receiver: ${m.error}`);
          return m;
        }
        await Promise.race([new Promise((r) => (waiter = r)), deadline, childGone]);
      }
    };

    const ready = await nextMessage('ready');
    if (viaForwarder) {
      forwarder = forkTracked(THIS_FILE, ['--forwarder'], {
        env: { ...process.env, RAWDGRAM_BUFFER: String(bufferSize), RAWDGRAM_FORWARD_TO: String(ready.port) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const fwdReady = await Promise.race([
        new Promise((resolve) => forwarder.once('message', resolve)),
        deadline,
        waitForExit(forwarder).then((r) => {
          throw new Error(`rawDgram forwarder exited early (code ${r.code}, signal ${r.signal})`);
        }),
      ]);
      if (fwdReady?.type !== 'ready') throw new Error(`rawDgram forwarder: ${JSON.stringify(fwdReady)}`);
      ready.port = fwdReady.port; // the sender now sends to the forwarder
    }
    await new Promise((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, '127.0.0.1', resolve);
    });
    if (connect) await new Promise((resolve) => sock.connect(ready.port, '127.0.0.1', resolve));
    const senderSndbuf = sock.getSendBufferSize();
    const senderRcvbuf = sock.getRecvBufferSize();

    // Rotate through more buffers than can be in flight, so a buffer is never rewritten while
    // a send that uses it is still queued. The first 4 bytes carry the sequence number.
    const pool = Array.from({ length: inflightMax * 2 }, () => Buffer.alloc(datagramSize, 0x61));
    const snmpBefore = udpSnmp();
    const loadAvgBefore = loadAvg();
    const cpuBefore = process.cpuUsage();
    let sent = 0;
    let completed = 0;
    let inflight = 0;
    let sendErrors = 0;
    let firstSendNs = 0n;
    let lastDoneNs = 0n;
    await Promise.race([
      deadline,
      childGone,
      new Promise((resolve) => {
        const onSent = (err) => {
          inflight--;
          completed++;
          if (err) sendErrors++;
          if (completed === total) {
            lastDoneNs = process.hrtime.bigint();
            resolve();
            return;
          }
          pump();
        };
        const pump = () => {
          while (inflight < inflightMax && sent < total) {
            const buf = pool[sent % pool.length];
            if (datagramSize >= 4) buf.writeUInt32BE(sent >>> 0, 0);
            inflight++;
            sent++;
            if (connect) sock.send(buf, onSent);
            else sock.send(buf, ready.port, '127.0.0.1', onSent);
          }
        };
        firstSendNs = process.hrtime.bigint();
        pump();
      }),
    ]);
    const cpuSender = process.cpuUsage(cpuBefore);
    child.send({ type: 'done', sent });
    const stats = await nextMessage('stats');
    const snmpAfter = udpSnmp();

    const senderSec = Number(lastDoneNs - firstSendNs) / 1e9;
    const recvSec = Number(BigInt(stats.lastNs) - BigInt(stats.firstNs)) / 1e9;
    const sentBytes = (sent - sendErrors) * datagramSize;
    const okSent = sent - sendErrors;
    const rate = (n, s) => (s > 0 ? n / s : NaN);
    const res = {
      baseline: 'rawDgram',
      datagramSize,
      bytesRequested,
      inflight: inflightMax,
      connected: connect,
      viaForwarder,
      loadAvgBefore,
      buffers: {
        requested: bufferSize,
        senderSndbuf,
        senderRcvbuf,
        receiverRcvbuf: ready.rcvbuf,
        receiverSndbuf: ready.sndbuf,
      },
      sent: okSent,
      sentBytes,
      sendErrors,
      received: stats.received,
      receivedBytes: stats.bytes,
      lost: okSent - stats.received,
      lossPct: round(okSent > 0 ? ((okSent - stats.received) / okSent) * 100 : 0, 3),
      sender: {
        seconds: round(senderSec, 4),
        datagramsPerSec: round(rate(okSent, senderSec), 0),
        bytesPerSec: round(rate(sentBytes, senderSec), 0),
        MBps: round(rate(sentBytes, senderSec) / MB, 1),
        cpuUserMs: round(cpuSender.user / 1000, 1),
        cpuSystemMs: round(cpuSender.system / 1000, 1),
      },
      receiver: {
        seconds: round(recvSec, 4),
        datagramsPerSec: round(rate(stats.received, recvSec), 0),
        bytesPerSec: round(rate(stats.bytes, recvSec), 0),
        MBps: round(rate(stats.bytes, recvSec) / MB, 1),
        cpuUserMs: round(stats.cpuUserMs, 1),
        cpuSystemMs: round(stats.cpuSystemMs, 1),
      },
      // System-wide counters: other traffic on the machine during the run also counts here.
      kernelUdpDelta:
        snmpBefore && snmpAfter
          ? {
              RcvbufErrors: snmpAfter.RcvbufErrors - snmpBefore.RcvbufErrors,
              SndbufErrors: snmpAfter.SndbufErrors - snmpBefore.SndbufErrors,
              InErrors: snmpAfter.InErrors - snmpBefore.InErrors,
            }
          : null,
    };
    await waitForExit(child, 2000);
    return res;
  } finally {
    clearTimeout(timer);
    try {
      sock.close();
    } catch {
      /* not bound or already closed */
    }
    await killChild(child, { graceMs: 500 });
    if (forwarder) await killChild(forwarder, { graceMs: 500 });
  }
}

/** Default cases of the standalone run: sizes × (4 MiB buffers), plus two comparison rows. */
export function rawDgramCases(quick = isQuick()) {
  const bytes = quick ? 32 * MiB : 256 * MiB;
  return [
    ...[1200, 8192, 16384, 32768, 65000].map((datagramSize) => ({ datagramSize, bytes })),
    { datagramSize: 1200, bytes, connect: true },
    { datagramSize: 1200, bytes, bufferSize: 0 },
  ];
}

/** Run several cases one after another; resolves { quick, runs: [measureRawDgram result, ...] }. */
export async function runRawDgramSuite({ quick = isQuick(), cases = rawDgramCases(quick) } = {}) {
  const runs = [];
  for (const c of cases) runs.push(await measureRawDgram(c));
  return { baseline: 'rawDgram', quick, runs };
}

export function rawDgramRows(runs) {
  return runs.map((r) => ({
    size: r.datagramSize,
    mode: r.connected ? 'connected' : 'sendto',
    'buf req': r.buffers.requested ? `${r.buffers.requested / MiB} MiB` : 'default',
    'rcvbuf got': `${(r.buffers.receiverRcvbuf / MiB).toFixed(2)} MiB`,
    sent: r.sent,
    received: r.received,
    'loss %': r.lossPct.toFixed(2),
    'send dgram/s': r.sender.datagramsPerSec,
    'send MB/s': r.sender.MBps.toFixed(1),
    'recv dgram/s': r.receiver.datagramsPerSec,
    'recv MB/s': r.receiver.MBps.toFixed(1),
  }));
}

// ---------------------------------------------------------------------------------------------

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (isMain && process.argv.includes('--receiver')) {
  receiverMain();
} else if (isMain && process.argv.includes('--forwarder')) {
  forwarderMain();
} else if (isMain) {
  const suite = await runRawDgramSuite();
  console.log(`rawDgram baseline (${suite.quick ? 'quick' : 'default'}): Node dgram, 2 processes, 127.0.0.1\n`);
  table(rawDgramRows(suite.runs));
  console.log('');
  console.log(JSON.stringify(suite, null, 2));
  if (process.argv.includes('--write')) console.error(`wrote ${writeResult('baseline-rawDgram', suite)}`);
}
