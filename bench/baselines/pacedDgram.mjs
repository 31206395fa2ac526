#!/usr/bin/env node
// Baseline: the honest ceiling of Node's `dgram` for a transfer that loses nothing — sequence
// numbered datagrams paced by the receiver's cumulative acknowledgements (a sliding window with
// go-back-N recovery, the scheme of windowed TFTP, RFC 7440), one hop or through a bare
// forwarder paced the same way. Every datagram is delivered in order, exactly once, so
// "received bytes ÷ time" is a goodput a real transfer could match, unlike rawDgram.mjs, which
// sends without flow control and measures how much the receiver drops (a drop rate).
//
// Processes (each `node` on this file with a role; all children of the caller, started through
// lib/procs.mjs, optionally inside a network namespace through a command prefix such as
// `ip netns exec NS`):
//   --paced-receiver   binds, counts in-order datagrams, acks cumulatively every `ackEvery`
//                      in-order datagrams, at the end, and (once per gap) when one arrives ahead
//                      of the next expected (a go-back request); out-of-order datagrams are dropped
//   --paced-sender     keeps at most `window` datagrams beyond the last cumulative ack in flight
//                      (and at most 128 sends waiting for their callback, as rawDgram does); on a
//                      go-back request or `rtoMs` without progress it sends again from the ack
//   --paced-forwarder  one `message` event and one unconnected `send` per datagram, both ways:
//                      data from the sender on to the receiver, acks from the receiver back
// Datagram: [u32 sequence][filler to datagramSize]; ack: [u32 next expected][u8 flags] (5 bytes).
//
//   node bench/baselines/pacedDgram.mjs [--quick] [--write]   1200 / 1472 / 65,000 B one hop and
//                                                            1200 / 1472 B through the forwarder
//
// Exports: measurePacedDgram(options) -> result (see JSDoc), runPacedDgramSuite({ quick }).

import dgram from 'node:dgram';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { forkTracked, killChild, run, spawnTracked, waitForExit } from '../lib/procs.mjs';
import { MB, MiB, isQuick, loadAvg, round, table, writeResult } from '../lib/stats.mjs';

const THIS_FILE = fileURLToPath(import.meta.url);
const DEFAULT_BUFFER = 4 * MiB;
/** Sends waiting for their callback at most (as rawDgram.mjs). */
const MAX_PENDING_SENDS = 128;
const ACK_BYTES = 5;
const FLAG_DONE = 1;
const FLAG_GAP = 2;

function socket(bufferSize) {
  return dgram.createSocket({ type: 'udp4', recvBufferSize: bufferSize, sendBufferSize: bufferSize });
}

function env(name, dflt) {
  const v = process.env[name];
  return v === undefined || v === '' ? dflt : v;
}

// ---------------------------------------------------------------------------------------------
// Receiver

function receiverMain() {
  const total = Number(env('PACED_TOTAL'));
  const size = Number(env('PACED_SIZE'));
  const ackEvery = Number(env('PACED_ACK_EVERY'));
  const sock = socket(Number(env('PACED_BUFFER', DEFAULT_BUFFER)));
  let expected = 0;
  let outOfOrder = 0;
  let duplicates = 0;
  let gapAckedFor = -1;
  let sinceAck = 0;
  let acksSent = 0;
  let firstNs = 0n;
  let lastNs = 0n;
  let cpuAtFirst = null;
  const ack = Buffer.alloc(ACK_BYTES);
  const sendAck = (flags, to) => {
    ack.writeUInt32BE(expected, 0);
    ack[4] = flags;
    acksSent++;
    sock.send(ack, to.port, to.address);
  };
  sock.on('message', (msg, rinfo) => {
    if (msg.length !== size) return;
    const seq = msg.readUInt32BE(0);
    if (seq === expected) {
      if (expected === 0) {
        firstNs = process.hrtime.bigint();
        cpuAtFirst = process.cpuUsage();
      }
      expected++;
      if (expected === total) {
        lastNs = process.hrtime.bigint();
        sendAck(FLAG_DONE, rinfo);
        const cpu = process.cpuUsage(cpuAtFirst);
        process.send({
          type: 'done',
          received: expected,
          seconds: Number(lastNs - firstNs) / 1e9,
          outOfOrder,
          duplicates,
          acksSent,
          cpuUserMs: cpu.user / 1000,
          cpuSystemMs: cpu.system / 1000,
          rcvbuf: sock.getRecvBufferSize(),
        });
        return;
      }
      if (++sinceAck >= ackEvery) {
        sinceAck = 0;
        sendAck(0, rinfo);
      }
    } else if (seq > expected) {
      outOfOrder++;
      if (gapAckedFor !== expected) {
        gapAckedFor = expected;
        sendAck(FLAG_GAP, rinfo);
      }
    } else {
      duplicates++;
      // The sender went back further than needed (its ack was lost): tell it where we are.
      if (expected === total) sendAck(FLAG_DONE, rinfo);
      else if (++sinceAck >= ackEvery) {
        sinceAck = 0;
        sendAck(0, rinfo);
      }
    }
  });
  sock.on('error', (err) => process.send?.({ type: 'error', error: String(err) }));
  sock.bind(0, env('PACED_BIND', '127.0.0.1'), () => process.send({ type: 'ready', port: sock.address().port, rcvbuf: sock.getRecvBufferSize() }));
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------
// Forwarder: the least a relay does, both ways

function forwarderMain() {
  const toHost = env('PACED_TO_HOST', '127.0.0.1');
  const toPort = Number(env('PACED_TO_PORT'));
  const sock = socket(Number(env('PACED_BUFFER', DEFAULT_BUFFER)));
  let back = null;
  let forwarded = 0;
  sock.on('message', (msg, rinfo) => {
    forwarded++;
    if (rinfo.port === toPort && rinfo.address === toHost) {
      if (back) sock.send(msg, back.port, back.address);
    } else {
      back ??= { port: rinfo.port, address: rinfo.address };
      sock.send(msg, toPort, toHost);
    }
  });
  sock.on('error', (err) => process.send?.({ type: 'error', error: String(err) }));
  sock.bind(0, env('PACED_BIND', '127.0.0.1'), () => process.send({ type: 'ready', port: sock.address().port }));
  process.on('message', (m) => {
    if (m?.type === 'count') {
      const cpu = process.cpuUsage();
      process.send({ type: 'count', forwarded, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000 });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------
// Sender

function senderMain() {
  const total = Number(env('PACED_TOTAL'));
  const size = Number(env('PACED_SIZE'));
  const window = Number(env('PACED_WINDOW'));
  const rtoMs = Number(env('PACED_RTO_MS'));
  const toHost = env('PACED_TO_HOST', '127.0.0.1');
  const toPort = Number(env('PACED_TO_PORT'));
  const sock = socket(Number(env('PACED_BUFFER', DEFAULT_BUFFER)));
  const pool = Array.from({ length: MAX_PENDING_SENDS * 2 }, () => Buffer.alloc(size, 0x61));
  let slot = 0;
  let base = 0; // first datagram not yet acknowledged
  let next = 0; // next datagram to send
  let pending = 0; // sends waiting for their callback
  let sent = 0;
  let resent = 0;
  let goBacks = 0;
  let timeouts = 0;
  let acks = 0;
  let sendErrors = 0;
  let lastProgress = 0;
  let goneBackFor = -1;
  let startNs = 0n;
  let cpuAtStart = null;
  let finished = false;
  let timer = null;
  let highest = 0; // one past the highest sequence ever sent
  const onSent = (err) => {
    pending--;
    if (err) sendErrors++;
    pump();
  };
  const pump = () => {
    while (!finished && pending < MAX_PENDING_SENDS && next < total && next < base + window) {
      const buf = pool[slot];
      slot = (slot + 1) % pool.length;
      buf.writeUInt32BE(next, 0);
      if (next < highest) resent++;
      next++;
      if (next > highest) highest = next;
      sent++;
      pending++;
      sock.send(buf, toPort, toHost, onSent);
    }
  };
  const finish = () => {
    finished = true;
    clearInterval(timer);
    const cpu = process.cpuUsage(cpuAtStart);
    process.send({
      type: 'done',
      seconds: Number(process.hrtime.bigint() - startNs) / 1e9,
      sent,
      resent,
      goBacks,
      timeouts,
      acks,
      sendErrors,
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      sndbuf: sock.getSendBufferSize(),
    });
  };
  sock.on('message', (msg) => {
    if (msg.length !== ACK_BYTES || finished) return;
    acks++;
    const cum = msg.readUInt32BE(0);
    const flags = msg[4];
    if (cum > base) {
      base = cum;
      lastProgress = Date.now();
      if (next < base) next = base;
    }
    if (base >= total || flags & FLAG_DONE) {
      finish();
      return;
    }
    if (flags & FLAG_GAP && goneBackFor !== base) {
      // Datagrams after `base` were dropped (go-back-N): send again from there, once per base.
      goneBackFor = base;
      goBacks++;
      next = base;
    }
    pump();
  });
  sock.on('error', (err) => process.send?.({ type: 'error', error: String(err) }));
  sock.bind(0, env('PACED_BIND', '127.0.0.1'), () => process.send({ type: 'ready', port: sock.address().port }));
  process.on('message', (m) => {
    if (m?.type !== 'go') return;
    startNs = process.hrtime.bigint();
    cpuAtStart = process.cpuUsage();
    lastProgress = Date.now();
    // No progress for rtoMs (the datagrams or acks of a whole window lost): go back.
    timer = setInterval(() => {
      if (finished || base >= total || Date.now() - lastProgress < rtoMs) return;
      timeouts++;
      lastProgress = Date.now();
      next = base;
      pump();
    }, Math.max(1, Math.floor(rtoMs / 4)));
    pump();
  });
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------
// Orchestration (the caller's process)

/** A role of this file as a child, with IPC; inside a namespace when `prefix` is given. */
function startRole(role, vars, prefix) {
  const env = { ...process.env, ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)])) };
  const stdio = ['ignore', 'inherit', 'inherit', 'ipc'];
  const child = prefix?.length
    ? spawnTracked(prefix[0], [...prefix.slice(1), process.execPath, THIS_FILE, role], { env, stdio })
    : forkTracked(THIS_FILE, [role], { env, stdio });
  const inbox = [];
  let wake = null;
  child.on('message', (m) => {
    inbox.push(m);
    wake?.();
  });
  const gone = waitForExit(child);
  /** The next message of `type` (an `error` message rejects), within `timeoutMs`. */
  child.next = async (type, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type || m.type === 'error');
      if (i >= 0) {
        const [m] = inbox.splice(i, 1);
        if (m.type === 'error') throw new Error(`pacedDgram ${role}: ${m.error}`);
        return m;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`pacedDgram ${role}: no '${type}' within ${timeoutMs} ms`);
      let timer;
      const r = await Promise.race([
        new Promise((res) => (wake = res)),
        new Promise((res) => (timer = setTimeout(res, left))),
        gone.then((x) => ({ exited: x })),
      ]);
      clearTimeout(timer);
      if (r?.exited) throw new Error(`pacedDgram ${role} exited (code ${r.exited.code}, signal ${r.exited.signal}) before '${type}'`);
    }
  };
  return child;
}

/** UDP counters of a namespace (or this one): /proc/net/snmp read inside it. */
async function snmpIn(prefix) {
  const r = prefix?.length ? await run(prefix[0], [...prefix.slice(1), 'cat', '/proc/net/snmp'], { timeoutMs: 5000 }) : await run('cat', ['/proc/net/snmp'], { timeoutMs: 5000 });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('Udp:'));
  if (lines.length < 2) return null;
  const keys = lines[0].trim().split(/\s+/).slice(1);
  const vals = lines[1].trim().split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(keys.map((k, i) => [k, vals[i]]));
}

/**
 * One paced transfer of `bytes` (rounded up to whole datagrams), lossless by construction.
 *
 * @param {object} [o]
 * @param {number} [o.datagramSize=1200]   UDP payload bytes per datagram (the sequence number included)
 * @param {number} [o.bytes=256 MiB]
 * @param {number} [o.windowBytes=1 MiB]  datagrams in flight beyond the cumulative ack, in bytes
 *                                        (at least 4 datagrams); well inside the 8 MiB receive buffer
 * @param {number} [o.ackEvery]           in-order datagrams per ack (default a quarter of the window)
 * @param {number} [o.rtoMs=200]          no progress for this long: go back to the ack (long enough
 *                                        that a process descheduled on a loaded machine does not
 *                                        trigger it; a real drop is answered at once by a go-back request)
 * @param {boolean} [o.forwarder=false]   through a bare forwarder (three processes)
 * @param {object} [o.at]                 where each role runs (default all on 127.0.0.1, no namespace):
 *   { sender: { prefix, ip }, receiver: { prefix, ip }, forwarder: { prefix, ip } }, `prefix` a
 *   command that runs a program elsewhere (`ip netns exec NS`), `ip` the address it binds
 * @param {number} [o.timeoutMs=120000]
 */
export async function measurePacedDgram(o = {}) {
  const datagramSize = o.datagramSize ?? 1200;
  const bytesRequested = o.bytes ?? 256 * MiB;
  const total = Math.ceil(bytesRequested / datagramSize);
  const window = Math.max(4, Math.floor((o.windowBytes ?? MiB) / datagramSize));
  const ackEvery = o.ackEvery ?? Math.max(1, Math.floor(window / 4));
  const rtoMs = o.rtoMs ?? 200;
  const bufferSize = o.bufferSize ?? DEFAULT_BUFFER;
  const timeoutMs = o.timeoutMs ?? 120_000;
  const viaForwarder = o.forwarder ?? false;
  const at = { sender: {}, receiver: {}, forwarder: {}, ...(o.at ?? {}) };
  const ipOf = (r) => at[r].ip ?? '127.0.0.1';
  if (!(datagramSize >= 8 && datagramSize <= 65507)) throw new RangeError(`datagramSize ${datagramSize} out of range`);
  const common = { PACED_TOTAL: total, PACED_SIZE: datagramSize, PACED_BUFFER: bufferSize };
  const procs = [];
  try {
    const receiver = startRole('--paced-receiver', { ...common, PACED_ACK_EVERY: ackEvery, PACED_BIND: ipOf('receiver') }, at.receiver.prefix);
    procs.push(receiver);
    const rReady = await receiver.next('ready', 10_000);
    let to = { host: ipOf('receiver'), port: rReady.port };
    let forwarder = null;
    if (viaForwarder) {
      forwarder = startRole('--paced-forwarder', { PACED_BUFFER: bufferSize, PACED_TO_HOST: to.host, PACED_TO_PORT: to.port, PACED_BIND: ipOf('forwarder') }, at.forwarder.prefix);
      procs.push(forwarder);
      const fReady = await forwarder.next('ready', 10_000);
      to = { host: ipOf('forwarder'), port: fReady.port };
    }
    const sender = startRole('--paced-sender', { ...common, PACED_WINDOW: window, PACED_RTO_MS: rtoMs, PACED_TO_HOST: to.host, PACED_TO_PORT: to.port, PACED_BIND: ipOf('sender') }, at.sender.prefix);
    procs.push(sender);
    await sender.next('ready', 10_000);
    const snmpBefore = await Promise.all([snmpIn(at.sender.prefix), snmpIn(at.receiver.prefix)]);
    const loadAvgBefore = loadAvg();
    sender.send({ type: 'go' });
    const [r, s] = await Promise.all([receiver.next('done', timeoutMs), sender.next('done', timeoutMs)]);
    if (forwarder) forwarder.send({ type: 'count' });
    const fCount = forwarder ? await forwarder.next('count', 5000).catch(() => null) : null;
    const snmpAfter = await Promise.all([snmpIn(at.sender.prefix), snmpIn(at.receiver.prefix)]);
    const delta = (i) =>
      snmpBefore[i] && snmpAfter[i] ? { RcvbufErrors: snmpAfter[i].RcvbufErrors - snmpBefore[i].RcvbufErrors, SndbufErrors: snmpAfter[i].SndbufErrors - snmpBefore[i].SndbufErrors, InErrors: snmpAfter[i].InErrors - snmpBefore[i].InErrors } : null;
    const bytes = total * datagramSize;
    const bps = bytes / r.seconds;
    return {
      baseline: 'pacedDgram',
      datagramSize,
      bytesRequested,
      bytes,
      datagrams: total,
      viaForwarder,
      windowDatagrams: window,
      windowBytes: window * datagramSize,
      ackEvery,
      rtoMs,
      loadAvgBefore,
      buffers: { requested: bufferSize, receiverRcvbuf: r.rcvbuf, senderSndbuf: s.sndbuf },
      receiver: {
        seconds: round(r.seconds, 4),
        bytesPerSec: round(bps, 0),
        MBps: round(bps / MB, 1),
        datagramsPerSec: round(total / r.seconds, 0),
        outOfOrder: r.outOfOrder,
        duplicates: r.duplicates,
        acksSent: r.acksSent,
        cpuUserMs: round(r.cpuUserMs, 1),
        cpuSystemMs: round(r.cpuSystemMs, 1),
        cpuUsPerDatagram: round(((r.cpuUserMs + r.cpuSystemMs) * 1000) / total, 2),
      },
      sender: {
        seconds: round(s.seconds, 4),
        sent: s.sent,
        resent: s.resent,
        resentPct: round((s.resent / total) * 100, 3),
        goBacks: s.goBacks,
        timeouts: s.timeouts,
        acksReceived: s.acks,
        sendErrors: s.sendErrors,
        cpuUserMs: round(s.cpuUserMs, 1),
        cpuSystemMs: round(s.cpuSystemMs, 1),
        cpuUsPerDatagram: round(((s.cpuUserMs + s.cpuSystemMs) * 1000) / s.sent, 2),
      },
      forwarder: fCount ? { forwarded: fCount.forwarded, cpuMs: round(fCount.cpuUserMs + fCount.cpuSystemMs, 1), cpuUsPerDatagram: round(((fCount.cpuUserMs + fCount.cpuSystemMs) * 1000) / Math.max(1, fCount.forwarded), 2) } : null,
      // UDP counters of the sender's and the receiver's network namespace (on loopback the same
      // one, system-wide: other traffic on the machine counts too).
      kernelUdpDelta: { sender: delta(0), receiver: delta(1) },
    };
  } finally {
    for (const p of procs) await killChild(p, { graceMs: 500 });
  }
}

/** Best of `repeats` runs (by receiver goodput); every run's MB/s kept in `runsMBps`. */
export async function bestPacedDgram(o, repeats = 1) {
  const runs = [];
  for (let i = 0; i < repeats; i++) runs.push(await measurePacedDgram(o));
  const best = runs.reduce((a, b) => (b.receiver.bytesPerSec > a.receiver.bytesPerSec ? b : a));
  return { ...best, runsMBps: runs.map((r) => r.receiver.MBps) };
}

export function pacedDgramCases(quick = isQuick()) {
  const bytes = quick ? 32 * MiB : 256 * MiB;
  return [
    { datagramSize: 1200, bytes },
    { datagramSize: 1472, bytes },
    { datagramSize: 65000, bytes },
    { datagramSize: 1200, bytes, forwarder: true },
    { datagramSize: 1472, bytes, forwarder: true },
  ];
}

export function pacedDgramRows(runs) {
  return runs.map((r) => ({
    size: r.datagramSize,
    hops: r.viaForwarder ? '2 (forwarder)' : '1',
    window: `${r.windowDatagrams} (${(r.windowBytes / MiB).toFixed(2)} MiB)`,
    'MB/s': r.receiver.MBps,
    'dgram/s': r.receiver.datagramsPerSec,
    resent: `${r.sender.resentPct} %`,
    'go-backs': r.sender.goBacks,
    timeouts: r.sender.timeouts,
    'CPU µs/dgram s/f/r': `${r.sender.cpuUsPerDatagram}/${r.forwarder?.cpuUsPerDatagram ?? '-'}/${r.receiver.cpuUsPerDatagram}`,
    runs: r.runsMBps ? r.runsMBps.join(', ') : '',
  }));
}

// ---------------------------------------------------------------------------------------------

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (isMain && process.argv.includes('--paced-receiver')) receiverMain();
else if (isMain && process.argv.includes('--paced-sender')) senderMain();
else if (isMain && process.argv.includes('--paced-forwarder')) forwarderMain();
else if (isMain) {
  const quick = isQuick();
  const runs = [];
  for (const c of pacedDgramCases(quick)) runs.push(await measurePacedDgram(c));
  console.log(`pacedDgram baseline (${quick ? 'quick' : 'default'}): Node dgram, paced by cumulative acks, 127.0.0.1; load ${loadAvg().join(' ')}\n`);
  table(pacedDgramRows(runs));
  if (process.argv.includes('--json')) console.log(JSON.stringify(runs, null, 2));
  if (process.argv.includes('--write')) console.error(`wrote ${writeResult('baseline-pacedDgram', { quick, runs })}`);
  process.exit(0);
}
