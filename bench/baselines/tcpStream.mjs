#!/usr/bin/env node
// Baseline, for the evidence of the path lab: one Node TCP connection carrying `bytes` (64 KiB
// writes, back-pressure from `write()`), receiver counting what arrives. No encryption, no
// framing: what Node reaches on a path when the kernel does the segmentation, the
// acknowledgements and the retransmissions (one syscall per 64 KiB instead of one per datagram).
// Receiver and sender are this file in child processes (`--tcp-receiver`, `--tcp-sender`),
// optionally inside network namespaces through a command prefix, as pacedDgram.mjs does.
//
//   node bench/baselines/tcpStream.mjs [--quick]      127.0.0.1, 256 MiB (quick 32)
//
// Export: measureTcpStream({ bytes, at, timeoutMs }).

import net from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { forkTracked, killChild, spawnTracked, waitForExit } from '../lib/procs.mjs';
import { MB, MiB, isQuick, loadAvg, round } from '../lib/stats.mjs';

const THIS_FILE = fileURLToPath(import.meta.url);
const CHUNK = 64 * 1024;

function receiverMain() {
  const total = Number(process.env.TCP_TOTAL);
  let got = 0;
  let firstNs = 0n;
  let cpu0 = null;
  const server = net.createServer((sock) => {
    sock.on('data', (d) => {
      if (got === 0) {
        firstNs = process.hrtime.bigint();
        cpu0 = process.cpuUsage();
      }
      got += d.length;
      if (got >= total) {
        const seconds = Number(process.hrtime.bigint() - firstNs) / 1e9;
        const cpu = process.cpuUsage(cpu0);
        process.send({ type: 'done', received: got, seconds, cpuMs: (cpu.user + cpu.system) / 1000 });
        sock.end();
      }
    });
  });
  server.listen(0, process.env.TCP_BIND ?? '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
}

function senderMain() {
  const total = Number(process.env.TCP_TOTAL);
  const buf = Buffer.alloc(CHUNK, 0x61);
  process.on('message', (m) => {
    if (m?.type !== 'go') return;
    const cpu0 = process.cpuUsage();
    const sock = net.connect(Number(process.env.TCP_TO_PORT), process.env.TCP_TO_HOST, () => {
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          const n = Math.min(CHUNK, total - sent);
          sent += n;
          if (!sock.write(n === CHUNK ? buf : buf.subarray(0, n))) {
            sock.once('drain', pump);
            return;
          }
        }
        const cpu = process.cpuUsage(cpu0);
        process.send({ type: 'done', cpuMs: (cpu.user + cpu.system) / 1000 });
      };
      pump();
    });
    sock.on('error', (err) => process.send({ type: 'error', error: String(err) }));
  });
  process.send({ type: 'ready' });
  process.on('disconnect', () => process.exit(0));
}

function startRole(role, vars, prefix) {
  const env = { ...process.env, ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)])) };
  const stdio = ['ignore', 'inherit', 'inherit', 'ipc'];
  const child = prefix?.length ? spawnTracked(prefix[0], [...prefix.slice(1), process.execPath, THIS_FILE, role], { env, stdio }) : forkTracked(THIS_FILE, [role], { env, stdio });
  const inbox = [];
  let wake = null;
  child.on('message', (m) => {
    inbox.push(m);
    wake?.();
  });
  const gone = waitForExit(child);
  child.next = async (type, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type || m.type === 'error');
      if (i >= 0) {
        const [m] = inbox.splice(i, 1);
        if (m.type === 'error') throw new Error(`tcpStream ${role}: ${m.error}`);
        return m;
      }
      if (Date.now() >= deadline) throw new Error(`tcpStream ${role}: no '${type}' within ${timeoutMs} ms`);
      let timer;
      const r = await Promise.race([new Promise((res) => (wake = res)), new Promise((res) => (timer = setTimeout(res, deadline - Date.now()))), gone.then((x) => ({ exited: x }))]);
      clearTimeout(timer);
      if (r?.exited) throw new Error(`tcpStream ${role} exited (code ${r.exited.code}) before '${type}'`);
    }
  };
  return child;
}

/**
 * @param {{ bytes?: number, at?: { sender?: { prefix?: string[], ip?: string }, receiver?: { prefix?: string[], ip?: string } }, timeoutMs?: number }} [o]
 */
export async function measureTcpStream(o = {}) {
  const bytes = o.bytes ?? 256 * MiB;
  const at = { sender: {}, receiver: {}, ...(o.at ?? {}) };
  const timeoutMs = o.timeoutMs ?? 120_000;
  const host = at.receiver.ip ?? '127.0.0.1';
  const procs = [];
  try {
    const r = startRole('--tcp-receiver', { TCP_TOTAL: bytes, TCP_BIND: host }, at.receiver.prefix);
    procs.push(r);
    const ready = await r.next('ready', 10_000);
    const s = startRole('--tcp-sender', { TCP_TOTAL: bytes, TCP_TO_HOST: host, TCP_TO_PORT: ready.port }, at.sender.prefix);
    procs.push(s);
    await s.next('ready', 10_000);
    const loadAvgBefore = loadAvg();
    s.send({ type: 'go' });
    const [rd, sd] = await Promise.all([r.next('done', timeoutMs), s.next('done', timeoutMs)]);
    const bps = rd.received / rd.seconds;
    return {
      baseline: 'tcpStream',
      bytes,
      loadAvgBefore,
      receiver: { seconds: round(rd.seconds, 4), bytesPerSec: round(bps, 0), MBps: round(bps / MB, 1), cpuMs: round(rd.cpuMs, 1) },
      sender: { cpuMs: round(sd.cpuMs, 1) },
    };
  } finally {
    for (const p of procs) await killChild(p, { graceMs: 500 });
  }
}

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (isMain && process.argv.includes('--tcp-receiver')) receiverMain();
else if (isMain && process.argv.includes('--tcp-sender')) senderMain();
else if (isMain) {
  const r = await measureTcpStream({ bytes: isQuick() ? 32 * MiB : 256 * MiB });
  console.log(JSON.stringify(r, null, 2));
  process.exit(0);
}
