#!/usr/bin/env node
// Benchmark 1 — file transfer through the relay (issue 3).
//
// A random file (256 MiB; quick: 32 MiB; generated once into a temp folder) goes from one
// `node dist/cli.js --json` process to another (`--accept-files`) through `node dist/relay.js`,
// all on 127.0.0.1, each in its own process. Cases, in this order, each with its baseline measured
// right before it:
//   raw1200   baseline: Node dgram one hop, two processes, 1200-byte datagrams (rawDgram.mjs)
//   direct    lossless, clients talk to the relay directly, 1200-byte datagrams
//   engine    the datagram size the engine picks (only if the client has an option to force
//             1200 for the `direct` row; otherwise the row says "same as 1200 (no probing yet)")
//   tftp      baseline: windowed TFTP in C, direct, 1428-byte blocks, window 16 (tftp.mjs)
//   proxy0    lossless through one impairment proxy per client (proxyMain.ts, own processes):
//             the same topology as the lossy case, so the loss ratio compares like with like
//   loss5     5 % random loss through the same proxies (see `lossPerHop` below)
//   memory    1 GiB file, direct (quick: skipped unless --memory; then 128 MiB)
//
// Figures per case: goodput = file bytes / (receiver's `transfer-started` → `file-received`, as
// seen on its stdout; that includes the receiver's final fsync and SHA-256 check), its ratio to
// the raw ceiling, peak RSS (VmHWM) and CPU seconds of sender, relay and receiver, the SHA-256 of
// the received file (recomputed from disk), and through the proxies the wire bytes the sender
// emitted. The client exposes no retransmission counter, so "retx est." is an estimate:
// sender wire bytes − (file bytes + chunks × per-datagram overhead), i.e. retransmissions plus
// the sender's own control traffic (small).
//
// Loss: `lossPerHop` false (default): each proxy drops 2.53 % in each direction, so that the
// path sender→relay→receiver (two proxies) loses 5.0 % each way; true: 5 % per proxy per
// direction (≈ 9.75 % end to end). The measured end-to-end data loss is reported.
//
//   node bench/transfer.mjs [--quick] [--memory] [--no-memory] [--max-seconds S] [--loss-per-hop] [--write]
//
// A case that does not finish within its time limit is reported with the goodput of the bytes
// received so far (`completed: false`), and the run goes on.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { measureRawDgram } from './baselines/rawDgram.mjs';
import { measureTftp } from './baselines/tftp.mjs';
import {
  argValue,
  cliDatagramOption,
  ensureDist,
  epochMs,
  randomFile,
  sha256File,
  startClients,
  startProxy,
  startRelay,
  tempDir,
  udpSnmp,
  udpSnmpDelta,
} from './harness.mjs';
import { cpuSeconds, peakRssBytes, procStatus } from './lib/procs.mjs';
import { MB, MiB, fmtRate, isQuick, loadAvg, round, table, writeResult } from './lib/stats.mjs';

/** Per-datagram bytes that are not file data at 1200 B: relay header 12 + seal 12 + tag 16 + XFER_DATA 13. */
const DATA_OVERHEAD_BYTES = 40 + 13;
const DEFAULT_DATAGRAM = 1200;

/**
 * One transfer. Resolves a JSON-able row; never throws for a slow or failed transfer (it says so
 * in `completed` / `error`), only for a broken setup.
 *
 * @param {object} o
 * @param {string} o.label
 * @param {string} o.file          source file
 * @param {string} o.sha           its SHA-256 (hex)
 * @param {number} o.bytes         its size
 * @param {boolean} [o.proxied]    one impairment proxy per client, between it and the relay
 * @param {number} [o.lossPerProxyDirection]  loss probability at each proxy, each direction
 * @param {string[]} [o.clientArgs]  extra arguments for both clients (e.g. a datagram size)
 * @param {number} [o.timeoutMs]
 * @param {string} o.workDir
 */
export async function measureTransfer(o) {
  const timeoutMs = o.timeoutMs ?? 300_000;
  const loadBefore = loadAvg();
  const relay = await startRelay();
  const proxies = [];
  let sender;
  let receiver;
  const caseDir = fs.mkdtempSync(path.join(o.workDir, `${o.label}-`));
  const row = {
    label: o.label,
    fileBytes: o.bytes,
    proxied: Boolean(o.proxied),
    lossPerProxyDirection: o.lossPerProxyDirection ?? 0,
    clientArgs: o.clientArgs ?? [],
    loadAvgBefore: loadBefore,
  };
  try {
    let senderPort = relay.port;
    let receiverPort = relay.port;
    if (o.proxied) {
      const imp = { loss: o.lossPerProxyDirection ?? 0 };
      const target = { host: '127.0.0.1', port: relay.port };
      proxies.push(await startProxy({ target, seed: 11, upstream: imp, downstream: imp }));
      proxies.push(await startProxy({ target, seed: 22, upstream: imp, downstream: imp }));
      senderPort = proxies[0].port;
      receiverPort = proxies[1].port;
    }
    [sender, receiver] = await startClients([
      { relayPort: senderPort, nick: 'sender', dir: path.join(caseDir, 'sender'), extraArgs: o.clientArgs },
      { relayPort: receiverPort, nick: 'receiver', dir: path.join(caseDir, 'receiver'), acceptFiles: true, extraArgs: o.clientArgs },
    ]);
    const rssNow = (pid) => procStatus(pid)?.VmRSS ?? null;
    row.rssAtStartBytes = { sender: rssNow(sender.pid), relay: rssNow(relay.pid), receiver: rssNow(receiver.pid) };
    const snmpBefore = udpSnmp();
    const cpuBefore = { sender: cpuSeconds(sender.pid), relay: cpuSeconds(relay.pid), receiver: cpuSeconds(receiver.pid) };
    const proxyBefore = o.proxied ? await Promise.all(proxies.map((p) => p.stats())) : null;

    // Receiver-side progress, to report partial goodput if the time limit is hit.
    let lastProgress = null;
    let dataDone = null;
    receiver.on((e) => {
      if (e.event !== 'transfer-progress' || e.direction !== 'receive') return;
      lastProgress = e;
      if (dataDone === null && e.bytes >= e.total) dataDone = e;
    });
    const failed = Promise.race([sender.event('transfer-failed', () => true, timeoutMs + 60_000), receiver.event('transfer-failed', () => true, timeoutMs + 60_000)]).then(
      (e) => ({ failed: e }),
      () => new Promise(() => {}),
    );
    const tCommand = epochMs();
    sender.send(`/sendfile @receiver ${o.file}`);
    const started = await Promise.race([receiver.event('transfer-started', () => true, 60_000), failed]);
    if (started.failed) throw new Error(`transfer failed before it started: ${JSON.stringify(started.failed)}`);
    const senderStarted = sender.all('transfer-started')[0] ?? null;
    let limitTimer;
    const limit = new Promise((resolve) => (limitTimer = setTimeout(() => resolve({ timeout: true }), timeoutMs)));
    const outcome = await Promise.race([
      receiver.event('file-received', () => true, timeoutMs + 1000).then((e) => ({ received: e }), () => new Promise(() => {})),
      failed,
      limit,
    ]);
    clearTimeout(limitTimer);
    const tEnd = epochMs();
    const sent = outcome.received ? await sender.event('file-sent', () => true, 10_000).catch(() => null) : null;

    // Figures, read before anything is stopped.
    const mem = { sender: peakRssBytes(sender.pid), relay: peakRssBytes(relay.pid), receiver: peakRssBytes(receiver.pid) };
    const cpu = {
      sender: round(cpuSeconds(sender.pid) - cpuBefore.sender, 2),
      relay: round(cpuSeconds(relay.pid) - cpuBefore.relay, 2),
      receiver: round(cpuSeconds(receiver.pid) - cpuBefore.receiver, 2),
    };
    const proxyAfter = o.proxied ? await Promise.all(proxies.map((p) => p.stats())) : null;
    const snmp = udpSnmpDelta(snmpBefore, udpSnmp());
    const loadAfter = loadAvg();

    const t0 = started._rx;
    row.completed = Boolean(outcome.received);
    if (outcome.failed) row.error = `${outcome.failed.code}: ${outcome.failed.message}`;
    if (outcome.timeout) row.error = `not finished within ${timeoutMs / 1000} s`;
    row.startupMs = round(t0 - tCommand, 1);
    if (outcome.received) {
      const seconds = (outcome.received._rx - t0) / 1000;
      row.seconds = round(seconds, 3);
      row.goodputBps = round(o.bytes / seconds, 0);
      row.goodputMBps = round(o.bytes / seconds / MB, 2);
      if (dataDone) row.dataPhaseSeconds = round((dataDone._rx - t0) / 1000, 3);
      row.verifyTailMs = dataDone ? round(outcome.received._rx - dataDone._rx, 1) : null;
      if (senderStarted && sent) row.senderSeconds = round((sent._rx - senderStarted._rx) / 1000, 3);
      const onDisk = await sha256File(outcome.received.path);
      row.sha256Ok = outcome.received.sha256 === o.sha && onDisk === o.sha;
      fs.rmSync(outcome.received.path, { force: true });
    } else {
      const seconds = (tEnd - t0) / 1000;
      const got = lastProgress?.bytes ?? 0;
      row.seconds = round(seconds, 3);
      row.bytesReceivedSoFar = got;
      row.goodputBps = round(got / seconds, 0);
      row.goodputMBps = round(got / seconds / MB, 2);
      row.sha256Ok = null;
    }
    row.peakRssBytes = mem;
    row.cpuSeconds = cpu;
    // CPU per 1200-byte data datagram that had to cross (all of each process's work, acks included).
    const chunksMoved = (row.completed ? o.bytes : (lastProgress?.bytes ?? 0)) / (DEFAULT_DATAGRAM - DATA_OVERHEAD_BYTES);
    if (chunksMoved > 0) {
      row.cpuUsPerDataDatagram = {
        sender: round((cpu.sender * 1e6) / chunksMoved, 1),
        relay: round((cpu.relay * 1e6) / chunksMoved, 1),
        receiver: round((cpu.receiver * 1e6) / chunksMoved, 1),
      };
    }
    row.loadAvgAfter = loadAfter;
    row.kernelUdpDelta = snmp;
    if (o.proxied) {
      const d = (i, dir, k) => proxyAfter[i].stats[dir][k] - proxyBefore[i].stats[dir][k];
      const senderWire = d(0, 'up', 'bytesReceived');
      const chunkSize = DEFAULT_DATAGRAM - DATA_OVERHEAD_BYTES;
      const chunks = Math.ceil(o.bytes / chunkSize);
      const minimal = o.bytes + chunks * DATA_OVERHEAD_BYTES;
      const dataLossUp = d(0, 'up', 'dropped') / Math.max(1, d(0, 'up', 'received'));
      const dataLossDown = d(1, 'down', 'dropped') / Math.max(1, d(1, 'down', 'received'));
      const ackLossUp = d(1, 'up', 'dropped') / Math.max(1, d(1, 'up', 'received'));
      const ackLossDown = d(0, 'down', 'dropped') / Math.max(1, d(0, 'down', 'received'));
      row.wire = {
        senderDatagrams: d(0, 'up', 'received'),
        senderBytes: senderWire,
        minimalSenderBytes: row.completed ? minimal : null,
        retransmitEstimateBytes: row.completed ? senderWire - minimal : null,
        retransmitEstimatePct: row.completed ? round(((senderWire - minimal) / o.bytes) * 100, 2) : null,
        receiverDatagrams: d(1, 'up', 'received'),
        receiverBytes: d(1, 'up', 'bytesReceived'),
        dataPathLossPct: round((1 - (1 - dataLossUp) * (1 - dataLossDown)) * 100, 2),
        ackPathLossPct: round((1 - (1 - ackLossUp) * (1 - ackLossDown)) * 100, 2),
        maxDatagramBytes: { sender: proxyAfter[0].sizes.up.maxBytes, relayToReceiver: proxyAfter[1].sizes.down.maxBytes },
        datagramsOver1200: proxyAfter[0].sizes.up.over1200,
      };
      row.proxyPeakRssBytes = proxies.map((p) => peakRssBytes(p.pid));
    }
    return row;
  } catch (err) {
    row.completed = false;
    row.error = String(err?.message ?? err);
    return row;
  } finally {
    await Promise.all([sender?.stop(), receiver?.stop()]);
    await relay.stop();
    await Promise.all(proxies.map((p) => p.close()));
    fs.rmSync(caseDir, { recursive: true, force: true });
  }
}

/**
 * All transfer cases with their baselines.
 * @param {{ quick?: boolean, memory?: boolean, maxSeconds?: number, lossPerHop?: boolean, log?: (s: string) => void }} [o]
 */
export async function runTransferBench(o = {}) {
  const quick = o.quick ?? isQuick();
  const log = o.log ?? ((s) => console.error(s));
  const bytes = quick ? 32 * MiB : 256 * MiB;
  const memoryBytes = quick ? 128 * MiB : 1024 * MiB;
  const memory = o.memory ?? !quick;
  const timeoutMs = (o.maxSeconds ?? (quick ? 45 : 300)) * 1000;
  const lossPct = 5;
  const lossPerHop = o.lossPerHop ?? false;
  const perProxy = lossPerHop ? lossPct / 100 : 1 - Math.sqrt(1 - lossPct / 100);

  await ensureDist();
  const { dir: workDir, remove } = tempDir('peerchat-bench-transfer-');
  const out = {
    benchmark: 'transfer',
    quick,
    fileBytes: bytes,
    loadAvgBefore: loadAvg(),
    timeLimitSeconds: timeoutMs / 1000,
    loss: {
      targetPathLossPct: lossPct,
      lossPerHop,
      perProxyPerDirection: round(perProxy, 5),
      note: lossPerHop
        ? '5 % at each proxy in each direction (≈ 9.75 % sender→receiver)'
        : '2.53 % at each of the two proxies in each direction = 5 % sender→receiver and 5 % back',
    },
    cases: {},
    baselines: {},
    errors: {},
  };
  try {
    const datagramOption = await cliDatagramOption();
    out.datagramOption = datagramOption;
    log(`transfer: generating ${bytes / MiB} MiB of random data`);
    const file = path.join(workDir, 'payload.bin');
    const sha = randomFile(file, bytes);
    const common = { file, sha, bytes, workDir, timeoutMs };
    const clientArgs1200 = datagramOption ? [datagramOption, String(DEFAULT_DATAGRAM)] : [];

    log('transfer: raw dgram ceiling at 1200 B');
    try {
      out.baselines.raw1200 = await measureRawDgram({ datagramSize: DEFAULT_DATAGRAM, bytes, timeoutMs: 120_000 });
    } catch (err) {
      out.errors.raw1200 = String(err?.stack ?? err);
    }
    log('transfer: direct, 1200 B, lossless');
    out.cases.direct = await measureTransfer({ ...common, label: 'direct', clientArgs: clientArgs1200 });

    if (datagramOption) {
      log('transfer: direct, the size the engine picks, lossless');
      out.cases.engine = await measureTransfer({ ...common, label: 'engine' });
    } else {
      out.cases.engine = { label: 'engine', sameAs: 'direct', note: 'same as 1200 (no probing yet): the client always uses 1200-byte datagrams and has no option to choose' };
    }

    log('transfer: TFTP baseline (atftpd/atftp, window 16, blksize 1428)');
    try {
      out.baselines.tftp = await measureTftp({ bytes, lockstep: false, tmpDir: workDir });
    } catch (err) {
      out.errors.tftp = String(err?.stack ?? err);
    }

    log('transfer: through the proxies, lossless');
    out.cases.proxy0 = await measureTransfer({ ...common, label: 'proxy0', proxied: true, lossPerProxyDirection: 0, clientArgs: clientArgs1200 });
    log(`transfer: through the proxies, ${lossPct} % loss`);
    out.cases.loss5 = await measureTransfer({ ...common, label: 'loss5', proxied: true, lossPerProxyDirection: perProxy, clientArgs: clientArgs1200 });
    // Larger datagrams seen on the wire mean the engine picks its own size after all.
    const seen = out.cases.proxy0.wire?.maxDatagramBytes?.sender;
    if (seen && seen > DEFAULT_DATAGRAM) out.engineSizeObserved = seen;

    fs.rmSync(file, { force: true });
    if (memory) {
      log(`transfer: ${memoryBytes / MiB} MiB for memory`);
      const bigFile = path.join(workDir, 'big.bin');
      const bigSha = randomFile(bigFile, memoryBytes);
      out.cases.memory = await measureTransfer({
        ...common,
        file: bigFile,
        sha: bigSha,
        bytes: memoryBytes,
        label: 'memory',
        clientArgs: clientArgs1200,
        timeoutMs: (o.maxSeconds ?? (quick ? 60 : 300)) * 1000,
      });
      fs.rmSync(bigFile, { force: true });
    } else {
      out.cases.memory = { label: 'memory', skipped: true, note: 'skipped in quick mode (pass --memory for 128 MiB)' };
    }
  } finally {
    remove();
  }
  out.summary = transferSummary(out);
  out.loadAvgAfter = loadAvg();
  return out;
}

/** Headline figures with their targets (what bench/run.mjs puts in its summary table). */
export function transferSummary(r) {
  const c = r.cases;
  const raw = r.baselines.raw1200?.receiver?.bytesPerSec ?? null;
  const tftp = r.baselines.tftp?.runs?.find((x) => x.variant === 'window')?.bytesPerSec ?? null;
  const g = (row) => (row && row.goodputBps !== undefined ? row.goodputBps : null);
  const direct = g(c.direct);
  const engine = c.engine?.sameAs ? direct : g(c.engine);
  const proxy0 = g(c.proxy0);
  const loss5 = g(c.loss5);
  const ratio = (a, b) => (a !== null && b ? round(a / b, 3) : null);
  const maxRss = (row) => (row?.peakRssBytes ? Math.max(...Object.values(row.peakRssBytes).filter((x) => x !== null)) : null);
  return {
    rawCeilingBps: raw,
    tftpBps: tftp,
    direct1200: { goodputBps: direct, completed: c.direct?.completed ?? false, ratioToRaw: ratio(direct, raw), target: '≥ 0.60 of raw', met: ratio(direct, raw) !== null && ratio(direct, raw) >= 0.6 && c.direct.completed },
    engineSize: {
      goodputBps: engine,
      note: c.engine?.note ?? null,
      ratioToTftp: ratio(engine, tftp),
      target: '≥ TFTP (ratio ≥ 1.0)',
      met: ratio(engine, tftp) !== null && ratio(engine, tftp) >= 1 && (c.engine?.sameAs ? c.direct?.completed : c.engine?.completed),
    },
    loss5: {
      goodputBps: loss5,
      completed: c.loss5?.completed ?? false,
      ratioToLosslessSameTopology: ratio(loss5, proxy0),
      ratioToLosslessDirect: ratio(loss5, direct),
      retransmitEstimatePct: c.loss5?.wire?.retransmitEstimatePct ?? null,
      measuredDataPathLossPct: c.loss5?.wire?.dataPathLossPct ?? null,
      target: '≥ 0.80 of lossless',
      met: ratio(loss5, proxy0) !== null && ratio(loss5, proxy0) >= 0.8 && c.loss5.completed,
    },
    memory: c.memory?.skipped
      ? { skipped: true }
      : {
          fileBytes: c.memory?.fileBytes,
          completed: c.memory?.completed ?? false,
          bytesReceived: c.memory?.completed ? c.memory.fileBytes : (c.memory?.bytesReceivedSoFar ?? null),
          peakRssBytes: c.memory?.peakRssBytes ?? null,
          maxPeakRssBytes: maxRss(c.memory),
          target: '< 150 MB per process (1 GiB file)',
          met: maxRss(c.memory) !== null && maxRss(c.memory) < 150 * MB && c.memory.completed && c.memory.fileBytes >= 1024 * MiB,
        },
  };
}

const mbs = (x) => (typeof x === 'number' ? fmtRate(x) : '-');
const mbRss = (x) => (typeof x === 'number' ? (x / MB).toFixed(0) : '-');

export function transferRows(r) {
  const raw = r.baselines.raw1200?.receiver?.bytesPerSec;
  const rows = [];
  if (r.baselines.raw1200) {
    const b = r.baselines.raw1200;
    rows.push({ case: 'baseline: raw dgram 1 hop', datagram: 1200, loss: '0', file: `${b.bytesRequested / MiB} MiB`, goodput: mbs(b.receiver.bytesPerSec), 'vs raw': '1.00', sha256: '-', 'retx est.': '-', 'RSS s/r/r MB': '-', 'CPU s/r/r s': '-', done: `loss ${b.lossPct} %` });
  }
  if (r.baselines.tftp) {
    const w = r.baselines.tftp.runs.find((x) => x.variant === 'window');
    rows.push({ case: 'baseline: atftp window 16 direct', datagram: 1428, loss: '0', file: `${r.baselines.tftp.fileBytes / MiB} MiB`, goodput: mbs(w?.bytesPerSec), 'vs raw': raw && w ? (w.bytesPerSec / raw).toFixed(2) : '-', sha256: w?.sha256Ok ? 'ok' : '-', 'retx est.': '-', 'RSS s/r/r MB': '-', 'CPU s/r/r s': '-', done: 'yes' });
  }
  const names = { direct: 'relayed, 1200 B', engine: 'relayed, engine-picked size', proxy0: 'relayed via proxies, 0 % loss', loss5: 'relayed via proxies, 5 % loss', memory: 'relayed, memory run' };
  for (const key of ['direct', 'engine', 'proxy0', 'loss5', 'memory']) {
    const c = r.cases[key];
    if (!c) continue;
    if (c.sameAs || c.skipped) {
      rows.push({ case: names[key], datagram: '-', loss: '-', file: '-', goodput: '-', 'vs raw': '-', sha256: '-', 'retx est.': '-', 'RSS s/r/r MB': '-', 'CPU s/r/r s': '-', done: c.sameAs ? 'same as 1200 (no probing yet)' : 'skipped' });
      continue;
    }
    rows.push({
      case: names[key],
      datagram: c.wire?.maxDatagramBytes?.sender ? `≤${c.wire.maxDatagramBytes.sender}` : key === 'engine' ? 'engine' : 1200,
      loss: c.proxied ? `${c.wire?.dataPathLossPct ?? '?'} %` : '0',
      file: `${c.fileBytes / MiB} MiB`,
      goodput: mbs(c.goodputBps),
      'vs raw': raw && c.goodputBps ? (c.goodputBps / raw).toFixed(3) : '-',
      sha256: c.sha256Ok === true ? 'ok' : c.sha256Ok === false ? 'BAD' : '-',
      'retx est.': c.wire?.retransmitEstimatePct !== undefined && c.wire?.retransmitEstimatePct !== null ? `${c.wire.retransmitEstimatePct} %` : 'n/a',
      'RSS s/r/r MB': c.peakRssBytes ? `${mbRss(c.peakRssBytes.sender)}/${mbRss(c.peakRssBytes.relay)}/${mbRss(c.peakRssBytes.receiver)}` : '-',
      'CPU s/r/r s': c.cpuSeconds ? `${c.cpuSeconds.sender}/${c.cpuSeconds.relay}/${c.cpuSeconds.receiver}` : '-',
      done: c.completed ? 'yes' : `NO: ${c.error ?? ''}${c.bytesReceivedSoFar !== undefined ? ` (${(c.bytesReceivedSoFar / MiB).toFixed(1)} MiB)` : ''}`,
    });
  }
  return rows;
}

export function printTransfer(r) {
  console.log(`\ntransfer (${r.quick ? 'quick' : 'default'}): ${r.fileBytes / MiB} MiB through dist/relay.js on 127.0.0.1; load ${r.loadAvgBefore.join(' ')} → ${r.loadAvgAfter.join(' ')}`);
  table(transferRows(r));
  const s = r.summary;
  console.log(
    `  goodput 1200 B / raw ceiling: ${s.direct1200.ratioToRaw ?? '-'} (target ≥ 0.60); engine size / TFTP: ${s.engineSize.ratioToTftp ?? '-'} (target ≥ 1); ` +
      `5 % loss / lossless (same proxies): ${s.loss5.ratioToLosslessSameTopology ?? '-'} (target ≥ 0.80)` +
      (s.memory.skipped ? '' : `; peak RSS max ${mbRss(s.memory.maxPeakRssBytes)} MB over ${((s.memory.bytesReceived ?? 0) / MiB).toFixed(0)} MiB (target < 150 MB for 1 GiB)`),
  );
  console.log('  retx est. = sender wire bytes − (file + 53 B per 1147-B chunk): the client exposes no retransmission counter.');
  for (const [k, v] of Object.entries(r.errors)) console.log(`  ${k} FAILED: ${v.split('\n')[0]}`);
}

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (isMain) {
  const quick = isQuick();
  const res = await runTransferBench({
    quick,
    memory: process.argv.includes('--memory') ? true : process.argv.includes('--no-memory') ? false : undefined,
    maxSeconds: argValue('--max-seconds') ? Number(argValue('--max-seconds')) : undefined,
    lossPerHop: process.argv.includes('--loss-per-hop'),
  });
  printTransfer(res);
  if (process.argv.includes('--json')) console.log(JSON.stringify(res, null, 2));
  if (process.argv.includes('--write')) console.error(`wrote ${writeResult('transfer', res)}`);
  process.exit(0);
}
