#!/usr/bin/env node
// Benchmark 1 — file transfer through the relay (issue 3).
//
// A random file (256 MiB; quick: 32 MiB; generated once into a temp folder) goes from one
// `node dist/cli.js --json --verbose` process to another (`--accept-files`) through
// `node dist/relay.js`, all on 127.0.0.1, each in its own process. Both clients run with
// `--relay-only`: every case here is relayed (without it two clients on one machine go direct
// within a second; bench/pathLab.mjs measures the direct path). Cases, in this order, each
// with its baseline measured right before or after it:
//   raw1200      Node dgram one hop, two processes, 1200-byte datagrams (rawDgram.mjs), sent
//                without flow control: a drop-rate measurement, NOT a ceiling (the receiver
//                loses what it cannot take); the honest, paced ceilings are in pathLab.mjs
//   raw1200Forwarded  the same through a minimal Node forwarder (three processes), unpaced too
//   direct       lossless, clients talk to the relay directly (no proxies; the path is still
//                the relay), 1200-byte datagrams (forced with PEERCHAT_DATAGRAM_BYTES=1200)
//   engine       the same at the datagram size the engine picks (its probe; nothing forced)
//   rawEngine    baseline: raw dgram at that size (when it is larger than 1200)
//   tftp         baseline: windowed TFTP in C, direct, 1428-byte blocks, window 16 (tftp.mjs)
//   proxy0       lossless through one impairment proxy per client (proxyMain.ts, own
//                processes), 1200 B: the same topology as the lossy case, so the loss ratio
//                compares like with like
//   loss5        5 % random loss through the same proxies, 1200 B (see `lossPerHop` below)
//   proxy0Engine, loss5Engine   the same two at the engine's size
//   memory       1 GiB file, direct, engine's size (quick: skipped unless --memory; then 128 MiB)
//   encryption cost   direct, lossless, at the engine's size and at 1200 B: the same transfer with
//                two bundles of the client that the benchmark builds itself (bench/.build/, see
//                lib/nullCipherBuild.mjs), identical but for ChaCha20-Poly1305: one encrypts as
//                shipped, the other runs the benchmark-only null cipher (same header, packet
//                numbers and 16-byte tag space, no cipher). Order encrypted, null, null,
//                encrypted, twice per size; the best run of each build counts.
//                Cost = 1 − goodput(encrypted) / goodput(null cipher), target ≤ 25 % (issue 5).
//                Plus a micro-benchmark of seal + open per datagram at 1200 and 65,000 B, both
//                builds (aeadMicro.ts).
//                --no-cipher-cost skips all this.
// If the client cannot be told a datagram size, the 1200 cases run with what it does and the
// engine cases are reported as "same as 1200 (no probing yet)".
//
// Repeats: the raw baselines, atftp, and the direct and proxied cases run 3 times each (quick:
// once; the two engine-size cases through the proxies 5 times, LOSS_ENGINE_REPEATS) and the best
// run counts, ours and the baselines' alike; every run's figure is kept in the JSON (`runsMBps`,
// `runsGoodputMBps`). One run on this shared 2-core VM can be 30 % off. A lossless case through
// the proxies and its lossy twin alternate run by run, so drift weighs on both sides of the ratio.
// Figures per case: goodput = file bytes / (receiver's `transfer-started` → `file-received`, as
// seen on its stdout; that includes the receiver's final fsync and SHA-256 check), its ratio to
// the raw ceiling at the same datagram size, the engine's own counters from the `--verbose` log
// (retransmitted bytes, lost packets, srtt, cwnd, datagram size found by the probe), peak RSS
// (VmHWM) and CPU seconds of sender, relay and receiver, the SHA-256 of the received file
// (recomputed from disk), and through the proxies the wire bytes seen and the loss applied.
//
// Loss: `lossPerHop` false (default): each proxy drops 2.53 % in each direction, so that the
// path sender→relay→receiver (two proxies) loses 5.0 % each way; true: 5 % per proxy per
// direction (≈ 9.75 % end to end). The measured end-to-end data loss is reported.
//
//   node bench/transfer.mjs [--quick] [--memory] [--no-memory] [--no-cipher-cost] [--max-seconds S] [--loss-per-hop] [--write] [--json]
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
  cliDatagramControl,
  ensureDist,
  epochMs,
  randomFile,
  REPO,
  sha256File,
  startClients,
  startProxy,
  startRelay,
  tempDir,
  udpSnmp,
  udpSnmpDelta,
} from './harness.mjs';
import { buildCipherPair, buildCliPair } from './lib/nullCipherBuild.mjs';
import { cpuSeconds, cpuSplit, peakRssBytes, procStatus, run, runQueueWaitSeconds } from './lib/procs.mjs';
import { MB, MiB, fmtRate, isQuick, loadAvg, round, table, writeResult } from './lib/stats.mjs';

/** Per-datagram bytes that are not file data: relay header 12 + seal 12 + tag 16 + XFER_DATA header 13. */
const DATA_OVERHEAD_BYTES = 40 + 13;
const DEFAULT_DATAGRAM = 1200;
/** Issue 5: encryption may cost at most this fraction of transfer goodput. */
const ENCRYPTION_COST_TARGET = 0.25;
/** One round of encryption-cost runs, in this order (ABBA, so drift in the machine's load hits both alike). */
const CIPHER_COST_ORDER = ['cipher', 'null', 'null', 'cipher'];
/**
 * Runs of each of the two engine-size cases through the proxies (lossless, 5 % loss). More than
 * the other cases: a run takes 2-4 s, and on this VM one run of five proxied processes on two
 * cores swings 57-91 MB/s (runs A and B of 2026-11-25 put the loss ratio at 0.98 and 0.66).
 */
const LOSS_ENGINE_REPEATS = 5;
/**
 * Rounds per datagram size: two (best of 4 runs each way). On the shared 2-core machine runs of
 * one build differ by up to ~50 % (quick, 32 MiB), so fewer runs mostly measure the load.
 */
const CIPHER_COST_ROUNDS = { engine: 2, at1200: 2 };

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
 * @param {{ env: object, args: string[] } | null} [o.datagram]  how to force the datagram size (null: engine's choice)
 * @param {number|null} [o.forcedDatagramBytes]
 * @param {number} [o.timeoutMs]
 * @param {boolean} [o.timeline]   sample the three processes' RSS every 250 ms into `rssTimeline`
 * @param {string} [o.cliJs]       client bundle to run (default dist/cli.js)
 * @param {boolean} [o.nullCipher] that bundle is the benchmark's null-cipher build (checked: the
 *                                 clients must announce it, or not, on stderr)
 * @param {string[]} [o.clientArgs]  more command-line options for both clients (`--relay-only`)
 * @param {'direct'|'relay'} [o.path]  'direct': before sending, the clients exchange a message
 *                                 (their end-to-end session, which gives each the other's
 *                                 candidates) and the file is sent only once both reported a
 *                                 direct path (`{"event":"path","path":"direct"}`), within
 *                                 `o.directWithinMs` (default 20 s) or the row fails; 'relay':
 *                                 the same message, no waiting. Every `path` event of both
 *                                 clients is kept in `row.pathEvents` (seconds from /sendfile).
 * @param {{ prefix: string[], host: string }} [o.relayAt]  run the relay elsewhere (a network
 *                                 namespace: `prefix` = `ip netns exec NS`), bound to `host`
 * @param {{ sender?: { prefix: string[] }, receiver?: { prefix: string[] } }} [o.clientsAt]
 * @param {() => Promise<object>} [o.counters]  read before and after the transfer (e.g. the network
 *                                 lab's per-host byte counters); `row.counters` = { before, after }
 * @param {string} o.workDir
 */
export async function measureTransfer(o) {
  const timeoutMs = o.timeoutMs ?? 300_000;
  const loadBefore = loadAvg();
  const relay = await startRelay(o.relayAt ? { prefix: o.relayAt.prefix, extraArgs: ['--host', o.relayAt.host, '--open', '--no-announce'] } : {});
  const proxies = [];
  let sender;
  let receiver;
  const caseDir = fs.mkdtempSync(path.join(o.workDir, `${o.label}-`));
  const row = {
    label: o.label,
    fileBytes: o.bytes,
    proxied: Boolean(o.proxied),
    lossPerProxyDirection: o.lossPerProxyDirection ?? 0,
    forcedDatagramBytes: o.forcedDatagramBytes ?? null,
    loadAvgBefore: loadBefore,
  };
  if (o.cliJs) {
    row.cliBundle = path.relative(REPO, o.cliJs);
    row.cipher = o.nullCipher ? 'null (benchmark build)' : 'chacha20-poly1305';
  }
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
    const extraArgs = ['--verbose', ...(o.datagram?.args ?? []), ...(o.clientArgs ?? [])];
    const env = o.datagram?.env ?? {};
    const cliJs = o.cliJs;
    const relayHost = o.relayAt?.host;
    [sender, receiver] = await startClients([
      { relayPort: senderPort, relayHost, nick: 'sender', dir: path.join(caseDir, 'sender'), extraArgs, env, cliJs, prefix: o.clientsAt?.sender?.prefix },
      { relayPort: receiverPort, relayHost, nick: 'receiver', dir: path.join(caseDir, 'receiver'), acceptFiles: true, extraArgs, env, cliJs, prefix: o.clientsAt?.receiver?.prefix },
    ]);
    if (o.path) {
      // An end-to-end session first (as two users who talked before a file is sent): it carries
      // the candidates. For a direct row, the file waits until both sides report the direct path.
      const t0 = epochMs();
      sender.send('@receiver hello');
      await receiver.event('message', (e) => e.text === 'hello', 20_000);
      if (o.path === 'direct') {
        const within = o.directWithinMs ?? 20_000;
        const direct = (e) => e.path === 'direct';
        await Promise.all([sender.event('path', direct, within), receiver.event('path', direct, within)]);
        row.directAfterMs = round(epochMs() - t0, 0);
      }
    }
    const rssNow = (pid) => procStatus(pid)?.VmRSS ?? null;
    row.rssAtStartBytes = { sender: rssNow(sender.pid), relay: rssNow(relay.pid), receiver: rssNow(receiver.pid) };
    const snmpBefore = udpSnmp();
    const cpuBefore = { sender: cpuSeconds(sender.pid), relay: cpuSeconds(relay.pid), receiver: cpuSeconds(receiver.pid) };
    const kernelBefore = { sender: cpuSplit(sender.pid)?.kernel, relay: cpuSplit(relay.pid)?.kernel, receiver: cpuSplit(receiver.pid)?.kernel };
    const mainOf = (pid) => {
      const c = cpuSplit(pid, pid);
      return c ? c.user + c.kernel : undefined;
    };
    const mainBefore = { sender: mainOf(sender.pid), relay: mainOf(relay.pid), receiver: mainOf(receiver.pid) };
    const waitBefore = { sender: runQueueWaitSeconds(sender.pid), relay: runQueueWaitSeconds(relay.pid), receiver: runQueueWaitSeconds(receiver.pid) };
    const proxyBefore = o.proxied ? await Promise.all(proxies.map((p) => p.stats())) : null;
    const countersBefore = o.counters ? await o.counters() : null;

    // Receiver-side progress, to report partial goodput if the time limit is hit.
    let lastProgress = null;
    let dataDone = null;
    receiver.on((e) => {
      if (e.event !== 'transfer-progress' || e.direction !== 'receive') return;
      lastProgress = e;
      if (dataDone === null && e.bytes >= e.total) dataDone = e;
    });
    // RSS of the three every 250 ms (memory run), to see whether memory grows with the file.
    const timeline = [];
    const tl0 = epochMs();
    const tlTimer = o.timeline
      ? setInterval(() => {
          if (timeline.length < 4000) timeline.push([round((epochMs() - tl0) / 1000, 2), rssNow(sender.pid), rssNow(relay.pid), rssNow(receiver.pid), lastProgress?.bytes ?? 0]);
        }, 250)
      : null;
    const never = () => new Promise(() => {});
    const failed = Promise.race([
      sender.event('transfer-failed', () => true, timeoutMs + 60_000),
      receiver.event('transfer-failed', () => true, timeoutMs + 60_000),
    ]).then((e) => ({ failed: e }), never);
    const tCommand = epochMs();
    sender.send(`/sendfile @receiver ${o.file}`);
    const started = await Promise.race([receiver.event('transfer-started', () => true, 60_000), failed]);
    if (started.failed) throw new Error(`transfer failed before it started: ${JSON.stringify(started.failed)}`);
    const senderStarted = sender.all('transfer-started')[0] ?? null;
    let limitTimer;
    const limit = new Promise((resolve) => (limitTimer = setTimeout(() => resolve({ timeout: true }), timeoutMs)));
    const outcome = await Promise.race([
      receiver.event('file-received', () => true, timeoutMs + 1000).then((e) => ({ received: e }), never),
      failed,
      limit,
    ]);
    clearTimeout(limitTimer);
    if (tlTimer) clearInterval(tlTimer);
    if (o.timeline) row.rssTimeline = { columns: ['s', 'senderRss', 'relayRss', 'receiverRss', 'bytesReceived'], rows: timeline };
    const tEnd = epochMs();
    const sent = outcome.received ? await sender.event('file-sent', () => true, 10_000).catch(() => null) : null;

    // Figures, read before anything is stopped.
    const mem = { sender: peakRssBytes(sender.pid), relay: peakRssBytes(relay.pid), receiver: peakRssBytes(receiver.pid) };
    const cpu = {
      sender: round(cpuSeconds(sender.pid) - cpuBefore.sender, 2),
      relay: round(cpuSeconds(relay.pid) - cpuBefore.relay, 2),
      receiver: round(cpuSeconds(receiver.pid) - cpuBefore.receiver, 2),
    };
    // The kernel's share of that (system calls, and the network stack's work done in them).
    row.kernelCpuSeconds = Object.fromEntries(
      Object.entries({ sender: sender.pid, relay: relay.pid, receiver: receiver.pid }).map(([k, pid]) => {
        const now = cpuSplit(pid)?.kernel;
        return [k, now !== undefined && kernelBefore[k] !== undefined ? round(now - kernelBefore[k], 2) : null];
      }),
    );
    // The main thread's part of it (JavaScript, and the system calls made from it): a main
    // thread busy for the whole transfer is what limits it.
    row.mainThreadCpuSeconds = Object.fromEntries(
      Object.entries({ sender: sender.pid, relay: relay.pid, receiver: receiver.pid }).map(([k, pid]) => {
        const now = mainOf(pid);
        return [k, now !== undefined && mainBefore[k] !== undefined ? round(now - mainBefore[k], 2) : null];
      }),
    );
    // Time each main thread was ready to run but had no CPU (others' load on this shared machine).
    row.runQueueWaitSeconds = Object.fromEntries(
      Object.entries({ sender: sender.pid, relay: relay.pid, receiver: receiver.pid }).map(([k, pid]) => {
        const w = runQueueWaitSeconds(pid);
        return [k, w !== null && waitBefore[k] !== null ? round(w - waitBefore[k], 2) : null];
      }),
    );
    const proxyAfter = o.proxied ? await Promise.all(proxies.map((p) => p.stats())) : null;
    if (o.counters) row.counters = { before: countersBefore, after: await o.counters() };
    const snmp = udpSnmpDelta(snmpBefore, udpSnmp());
    const loadAfter = loadAvg();
    // Give the last stats lines of the verbose log a moment to arrive.
    await new Promise((r) => setTimeout(r, 100));
    const engineSend = sender.transferStats.send ?? null;
    const engineRecv = receiver.transferStats.receive ?? null;
    if (o.cliJs) {
      // Both clients must run the build we think they run (a null-cipher client says so on stderr).
      const expected = Boolean(o.nullCipher);
      row.cipherChecked = sender.nullCipher === expected && receiver.nullCipher === expected;
      if (!row.cipherChecked) row.error = `expected ${expected ? 'a null-cipher' : 'an encrypting'} build, sender/receiver announced null cipher: ${sender.nullCipher}/${receiver.nullCipher}`;
    }

    const t0 = started._rx;
    row.pathEvents = [sender, receiver].flatMap((c) =>
      c.all('path').map((e) => ({ client: c.nick, path: e.path, address: e.address ?? null, s: round((e._rx - tCommand) / 1000, 3) })),
    );
    row.completed = Boolean(outcome.received);
    if (outcome.failed) row.error = `${outcome.failed.code}: ${outcome.failed.message}`;
    if (outcome.timeout) row.error = `not finished within ${timeoutMs / 1000} s`;
    row.startupMs = round(t0 - tCommand, 1);
    if (outcome.received) {
      const seconds = (outcome.received._rx - t0) / 1000;
      // From the moment /sendfile was typed: adds the offer, its acceptance and the sender's hashing.
      row.fromCommandSeconds = round((outcome.received._rx - tCommand) / 1000, 3);
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
      row.secondsSinceLastProgress = lastProgress ? round((tEnd - lastProgress._rx) / 1000, 2) : null;
      row.goodputBps = round(got / seconds, 0);
      row.goodputMBps = round(got / seconds / MB, 2);
      row.sha256Ok = null;
    }
    // The datagram size actually used: forced, or what the probe found (sender's verbose log),
    // and the mean over the data sent (engine counters: wire bytes / packets).
    row.datagram = {
      forced: o.forcedDatagramBytes ?? null,
      probed: sender.pathDatagramBytes.receiver ?? null,
      meanSentBytes: engineSend?.sentPackets ? round(engineSend.sentBytes / engineSend.sentPackets, 0) : null,
    };
    // How the file went (transfer-route): a TCP lane has no datagram size.
    row.routes = sender.all('transfer-route').map((e) => `${e.path} ${e.lane}`);
    row.lane = row.routes.at(-1) ?? null;
    row.datagramBytes = row.lane?.endsWith('tcp') ? null : row.datagram.forced ?? row.datagram.probed ?? (row.datagram.meanSentBytes ? Math.round(row.datagram.meanSentBytes) : DEFAULT_DATAGRAM);
    row.engine = engineSend
      ? {
          sentPackets: engineSend.sentPackets,
          sentBytes: engineSend.sentBytes,
          retransmittedPackets: engineSend.retransmittedPackets,
          retransmittedBytes: engineSend.retransmittedBytes,
          retransmittedPct: round((engineSend.retransmittedBytes / o.bytes) * 100, 2),
          lostPackets: engineSend.lostPackets,
          spuriousLosses: engineSend.spuriousLosses,
          probeTimeouts: engineSend.probeTimeouts,
          srttMs: engineSend.srttMs,
          minRttMs: engineSend.minRttMs,
          cwndBytes: engineSend.cwndBytes,
          pacingRateBytesPerSec: engineSend.pacingRateBytesPerSec,
          receiver: engineRecv,
        }
      : null;
    row.peakRssBytes = mem;
    row.cpuSeconds = cpu;
    // CPU per data datagram that had to cross (all of each process's work, acks included).
    const chunkSize = row.datagramBytes - DATA_OVERHEAD_BYTES;
    const chunksMoved = (row.completed ? o.bytes : (lastProgress?.bytes ?? 0)) / chunkSize;
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
      const minimal = o.bytes + Math.ceil(o.bytes / chunkSize) * DATA_OVERHEAD_BYTES;
      const dataLossUp = d(0, 'up', 'dropped') / Math.max(1, d(0, 'up', 'received'));
      const dataLossDown = d(1, 'down', 'dropped') / Math.max(1, d(1, 'down', 'received'));
      const ackLossUp = d(1, 'up', 'dropped') / Math.max(1, d(1, 'up', 'received'));
      const ackLossDown = d(0, 'down', 'dropped') / Math.max(1, d(0, 'down', 'received'));
      row.wire = {
        senderDatagrams: d(0, 'up', 'received'),
        senderBytes: senderWire,
        // Cross-check of the engine's counter: wire bytes beyond one copy of every chunk.
        excessOverMinimalBytes: row.completed ? senderWire - minimal : null,
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
 * Seal + open per datagram, µs, with and without ChaCha20-Poly1305 (bench/aeadMicro.ts, bundled
 * both ways like the client). Resolves { cipher, nullCipher } as printed by aeadMicro
 * (`nullCipher: false`: the shipped cipher only).
 */
export async function measureAeadMicro({ quick = false, sizes = '1200,65000', nullCipher = true } = {}) {
  const builds = await buildCipherPair('bench/aeadMicro.ts', 'aeadMicro');
  const args = ['--sizes', sizes, '--ms', quick ? '150' : '400', '--rounds', quick ? '3' : '5'];
  const out = {};
  for (const [key, file] of [['cipher', builds.cipher], ...(nullCipher ? [['nullCipher', builds.nullCipher]] : [])]) {
    const r = await run(process.execPath, [file, ...args], { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`aeadMicro (${key}) exited ${r.code}: ${r.stderr}`);
    out[key] = JSON.parse(r.stdout.trim().split('\n').pop());
  }
  return out;
}

/**
 * The encryption-cost runs at one datagram size: CIPHER_COST_ORDER, alternating the two bundles.
 * Resolves the rows (each with `cipher`, `cipherChecked`).
 */
async function measureCipherCost({ common, clis, sizeOpts, key, slug, rounds, log }) {
  const rows = [];
  const order = Array.from({ length: rounds }, () => CIPHER_COST_ORDER).flat();
  for (const [i, variant] of order.entries()) {
    log(`transfer: encryption cost, ${key}, ${variant === 'null' ? 'null cipher' : 'encrypted'} (${i + 1}/${order.length})`);
    const nullCipher = variant === 'null';
    rows.push(
      await measureTransfer({ ...common, ...sizeOpts, label: `cost-${slug}-${variant}-${i}`, cliJs: nullCipher ? clis.nullCipher : clis.cipher, nullCipher }),
    );
  }
  return rows;
}

/**
 * All transfer cases with their baselines.
 * @param {{ quick?: boolean, memory?: boolean, cipherCost?: boolean, maxSeconds?: number, lossPerHop?: boolean, repeats?: number, log?: (s: string) => void }} [o]
 */
export async function runTransferBench(o = {}) {
  const quick = o.quick ?? isQuick();
  const log = o.log ?? ((s) => console.error(s));
  const bytes = quick ? 32 * MiB : 256 * MiB;
  const memoryBytes = quick ? 128 * MiB : 1024 * MiB;
  const memory = o.memory ?? !quick;
  const cipherCost = o.cipherCost ?? true;
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
  // Headline cases and their baselines run REPEATS times each and keep their best run (all
  // runs are kept in the JSON): on a shared 2-core VM one run can be 30 % off either way.
  const repeats = o.repeats ?? (quick ? 1 : 3);
  out.repeats = repeats;
  const raw = async (key, datagramSize, extra = {}) => {
    log(`transfer: raw dgram ceiling at ${datagramSize} B${extra.forwarder ? ', two hops through a minimal Node forwarder' : ''} (best of ${repeats})`);
    try {
      const runs = [];
      for (let i = 0; i < repeats; i++) runs.push(await measureRawDgram({ datagramSize, bytes, timeoutMs: 120_000, ...extra }));
      const best = runs.reduce((a, b) => (b.receiver.bytesPerSec > a.receiver.bytesPerSec ? b : a));
      out.baselines[key] = { ...best, runsMBps: runs.map((r) => r.receiver.MBps) };
    } catch (err) {
      out.errors[key] = String(err?.stack ?? err);
    }
  };
  const pickBest = (opts, runs) => {
    const done = runs.filter((r) => r.completed);
    const best = (done.length ? done : runs).reduce((a, b) => ((b.goodputBps ?? 0) > (a.goodputBps ?? 0) ? b : a));
    return { ...best, label: opts.label, runsGoodputMBps: runs.map((r) => (r.goodputBps ? round(r.goodputBps / MB, 1) : null)) };
  };
  const runLabel = (opts, i, n) => (n > 1 ? `${opts.label}-${i}` : opts.label);
  const bestTransfer = async (opts) => {
    const runs = [];
    for (let i = 0; i < repeats; i++) runs.push(await measureTransfer({ ...opts, label: runLabel(opts, i, repeats) }));
    return pickBest(opts, runs);
  };
  // A lossless case and its lossy twin, whose ratio is a target: their runs alternate (A B, B A,
  // A B, ...) so that the VM's speed drifting during the benchmark weighs on both alike.
  const bestPair = async (a, b, n) => {
    const runsA = [];
    const runsB = [];
    for (let i = 0; i < n; i++) {
      const order = i % 2 === 0 ? [[a, runsA], [b, runsB]] : [[b, runsB], [a, runsA]];
      for (const [opts, runs] of order) runs.push(await measureTransfer({ ...opts, label: runLabel(opts, runs.length, n) }));
    }
    return [pickBest(a, runsA), pickBest(b, runsB)];
  };
  try {
    const control = await cliDatagramControl();
    out.datagramControl = control?.how ?? null;
    log(`transfer: generating ${bytes / MiB} MiB of random data`);
    const file = path.join(workDir, 'payload.bin');
    const sha = randomFile(file, bytes);
    // Every case here is relayed, as its name says: since direct paths (issue 12) two clients on
    // loopback would otherwise go direct a fraction of a second into the transfer, and the row
    // would mix both paths. bench/pathLab.mjs measures the direct path on its own. And every case
    // measures the datagram engine (--udp-only): a large file would otherwise go over the relay's
    // TCP transit port (stream lanes), past the proxies that make the loss; pathLab.mjs measures lanes.
    const common = { file, sha, bytes, workDir, timeoutMs, clientArgs: ['--relay-only', '--udp-only'] };
    const at1200 = control ? { datagram: control.forSize(DEFAULT_DATAGRAM), forcedDatagramBytes: DEFAULT_DATAGRAM } : {};
    const noEngine = { sameAs: 'direct', note: 'same as 1200 (no probing yet): the client cannot be told a datagram size' };

    await raw('raw1200', DEFAULT_DATAGRAM);
    // Not a target, an explanation: what any relay on Node's dgram can reach on this machine.
    await raw('raw1200Forwarded', DEFAULT_DATAGRAM, { forwarder: true });
    log(`transfer: direct, 1200 B, lossless (best of ${repeats})`);
    out.cases.direct = await bestTransfer({ ...common, label: 'direct', ...at1200 });

    if (control) {
      log(`transfer: direct, the size the engine picks, lossless (best of ${repeats})`);
      out.cases.engine = await bestTransfer({ ...common, label: 'engine' });
      const picked = out.cases.engine.datagramBytes;
      if (picked && picked !== DEFAULT_DATAGRAM) await raw('rawEngine', Math.min(picked, 65_507));
    } else {
      out.cases.engine = { label: 'engine', ...noEngine };
    }

    if (cipherCost) {
      out.encryptionCost = {
        method:
          'the same direct lossless transfer with two client bundles built by the benchmark from the same source and options, ' +
          'one encrypting as shipped, one with the benchmark-only null cipher; rounds of encrypted, null, null, encrypted; best run of each build',
        target: `≤ ${ENCRYPTION_COST_TARGET * 100} % (1 − goodput encrypted / goodput null cipher)`,
        runs: {},
      };
      try {
        const clis = await buildCliPair();
        out.encryptionCost.bundles = { cipher: path.relative(REPO, clis.cipher), nullCipher: path.relative(REPO, clis.nullCipher) };
        out.encryptionCost.runs.engine = await measureCipherCost({ common, clis, sizeOpts: {}, key: 'engine size', slug: 'engine', rounds: CIPHER_COST_ROUNDS.engine, log });
        if (control) out.encryptionCost.runs.at1200 = await measureCipherCost({ common, clis, sizeOpts: at1200, key: '1200 B', slug: '1200', rounds: CIPHER_COST_ROUNDS.at1200, log });
        log('transfer: seal + open per datagram (micro-benchmark, both builds)');
        out.encryptionCost.micro = await measureAeadMicro({ quick });
      } catch (err) {
        out.errors.encryptionCost = String(err?.stack ?? err);
      }
    }

    log('transfer: TFTP baseline (atftpd/atftp, window 16, blksize 1428)');
    try {
      out.baselines.tftp = await measureTftp({ bytes, lockstep: false, tmpDir: workDir, repeat: repeats });
    } catch (err) {
      out.errors.tftp = String(err?.stack ?? err);
    }

    log(`transfer: through the proxies, 1200 B, lossless and ${lossPct} % loss alternating (best of ${repeats} each)`);
    [out.cases.proxy0, out.cases.loss5] = await bestPair(
      { ...common, label: 'proxy0', proxied: true, lossPerProxyDirection: 0, ...at1200 },
      { ...common, label: 'loss5', proxied: true, lossPerProxyDirection: perProxy, ...at1200 },
      repeats,
    );
    if (control) {
      const n = quick ? repeats : LOSS_ENGINE_REPEATS;
      log(`transfer: through the proxies, engine's size, lossless and ${lossPct} % loss alternating (best of ${n} each)`);
      [out.cases.proxy0Engine, out.cases.loss5Engine] = await bestPair(
        { ...common, label: 'proxy0Engine', proxied: true, lossPerProxyDirection: 0 },
        { ...common, label: 'loss5Engine', proxied: true, lossPerProxyDirection: perProxy },
        n,
      );
    } else {
      out.cases.proxy0Engine = { label: 'proxy0Engine', ...noEngine, sameAs: 'proxy0' };
      out.cases.loss5Engine = { label: 'loss5Engine', ...noEngine, sameAs: 'loss5' };
    }

    fs.rmSync(file, { force: true });
    if (memory) {
      log(`transfer: ${memoryBytes / MiB} MiB for memory (engine's size)`);
      const bigFile = path.join(workDir, 'big.bin');
      const bigSha = randomFile(bigFile, memoryBytes);
      out.cases.memory = await measureTransfer({
        ...common,
        file: bigFile,
        sha: bigSha,
        bytes: memoryBytes,
        label: 'memory',
        timeline: true,
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

/** A case, or the case it stands for ("same as 1200"). */
function resolveCase(cases, key) {
  const c = cases[key];
  return c?.sameAs ? cases[c.sameAs] : c;
}

/**
 * Encryption cost at one datagram size from its runs: the best goodput of each build, cost =
 * 1 − encrypted / null cipher (also from the means, and in client CPU per data datagram), and
 * the micro-benchmark's seal + open at the nearest size.
 */
function encryptionCostSummary(runs, micro) {
  const valid = (nullCipher) => (runs ?? []).filter((x) => x.completed && x.cipherChecked && Boolean(x.cipher?.startsWith('null')) === nullCipher);
  const enc = valid(false);
  const nul = valid(true);
  const best = (rows) => (rows.length ? Math.max(...rows.map((x) => x.goodputBps)) : null);
  const avg = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const cpuPerDatagram = (rows) => avg(rows.filter((x) => x.cpuUsPerDataDatagram).map((x) => x.cpuUsPerDataDatagram.sender + x.cpuUsPerDataDatagram.receiver));
  const spread = (rows) => (rows.length > 1 ? round(1 - Math.min(...rows.map((x) => x.goodputBps)) / Math.max(...rows.map((x) => x.goodputBps)), 3) : null);
  const encBps = best(enc);
  const nullBps = best(nul);
  const cost = encBps !== null && nullBps ? round(1 - encBps / nullBps, 4) : null;
  const meanEnc = avg(enc.map((x) => x.goodputBps));
  const meanNull = avg(nul.map((x) => x.goodputBps));
  const bestDataPhase = (rows) => {
    const r = rows.filter((x) => x.dataPhaseSeconds > 0).map((x) => x.fileBytes / x.dataPhaseSeconds);
    return r.length ? Math.max(...r) : null;
  };
  const dataEnc = bestDataPhase(enc);
  const dataNull = bestDataPhase(nul);
  const cpuEnc = cpuPerDatagram(enc);
  const cpuNull = cpuPerDatagram(nul);
  const datagramBytes = (runs ?? []).find((x) => x.datagramBytes)?.datagramBytes ?? null;
  const microAt = (m) => m?.sizes?.reduce((a, x) => (a === null || Math.abs(x.datagramBytes - datagramBytes) < Math.abs(a.datagramBytes - datagramBytes) ? x : a), null) ?? null;
  return {
    datagramBytes,
    runs: (runs ?? []).length,
    validRuns: { encrypted: enc.length, nullCipher: nul.length },
    encryptedBps: encBps,
    nullCipherBps: nullBps,
    encryptedSamplesBps: enc.map((x) => x.goodputBps),
    nullCipherSamplesBps: nul.map((x) => x.goodputBps),
    // Noise: 1 − slowest / fastest run of the same build. A cost smaller than this is not resolved.
    samplesSpread: { encrypted: spread(enc), nullCipher: spread(nul) },
    cost,
    costFromMeans: meanEnc !== null && meanNull ? round(1 - meanEnc / meanNull, 4) : null,
    // Without the receiver's final fsync + SHA-256 (the same for both builds): the cipher's share of the data phase.
    dataPhaseCost: dataEnc !== null && dataNull ? round(1 - dataEnc / dataNull, 4) : null,
    clientCpuUsPerDataDatagram: { encrypted: cpuEnc === null ? null : round(cpuEnc, 1), nullCipher: cpuNull === null ? null : round(cpuNull, 1) },
    cpuCost: cpuEnc && cpuNull !== null ? round(1 - cpuNull / cpuEnc, 4) : null,
    sealOpenUs: micro ? { encrypted: microAt(micro.cipher)?.sealOpenUs ?? null, nullCipher: microAt(micro.nullCipher)?.sealOpenUs ?? null, atDatagramBytes: microAt(micro.cipher)?.datagramBytes ?? null } : null,
    // Per chunk of file data as the client seals it: in records where the chunk is small enough.
    sealOpenUsPerChunkAsShipped: micro ? { encrypted: microAt(micro.cipher)?.perChunkAsShipped ?? null, nullCipher: microAt(micro.nullCipher)?.perChunkAsShipped ?? null, chunksPerRecord: microAt(micro.cipher)?.records?.chunksPerRecord ?? 1 } : null,
    loadAvg1: (runs ?? []).map((x) => x.loadAvgBefore?.[0] ?? null),
    target: `≤ ${ENCRYPTION_COST_TARGET * 100} %`,
    met: cost !== null ? cost <= ENCRYPTION_COST_TARGET : null,
  };
}

/** Headline figures with their targets (what bench/run.mjs puts in its summary table). */
export function transferSummary(r) {
  const c = r.cases;
  const raw = r.baselines.raw1200?.receiver?.bytesPerSec ?? null;
  const rawEngine = r.baselines.rawEngine?.receiver?.bytesPerSec ?? raw;
  const tftpRuns = (r.baselines.tftp?.runs ?? []).filter((x) => x.variant === 'window' && x.bytesPerSec);
  const tftp = tftpRuns.length ? Math.max(...tftpRuns.map((x) => x.bytesPerSec)) : null;
  const g = (row) => (row && row.goodputBps !== undefined && row.completed ? row.goodputBps : null);
  const ratio = (a, b) => (a !== null && a !== undefined && b ? round(a / b, 3) : null);
  const engineCase = resolveCase(c, 'engine');
  const direct = g(c.direct);
  const engine = g(engineCase);
  const lossRow = (lossKey, cleanKey) => {
    const lossy = resolveCase(c, lossKey);
    const clean = resolveCase(c, cleanKey);
    const rr = ratio(g(lossy), g(clean));
    return {
      goodputBps: g(lossy),
      losslessBps: g(clean),
      datagramBytes: lossy?.datagramBytes ?? null,
      ratioToLosslessSameTopology: rr,
      ratioToLosslessDirect: ratio(g(lossy), lossKey === 'loss5' ? direct : engine),
      retransmittedPct: lossy?.engine?.retransmittedPct ?? null,
      measuredDataPathLossPct: lossy?.wire?.dataPathLossPct ?? null,
      note: c[lossKey]?.note ?? null,
      target: '≥ 0.80 of lossless',
      met: rr !== null ? rr >= 0.8 : null,
    };
  };
  const maxRss = (row) => (row?.peakRssBytes ? Math.max(...Object.values(row.peakRssBytes).filter((x) => x !== null)) : null);
  const costAt = (key) => encryptionCostSummary(r.encryptionCost?.runs?.[key], r.encryptionCost?.micro);
  const costs = r.encryptionCost ? [costAt('engine'), costAt('at1200')].filter((x) => x.cost !== null) : [];
  return {
    rawCeilingBps: raw,
    rawCeilingEngineSizeBps: r.baselines.rawEngine ? rawEngine : null,
    tftpBps: tftp,
    // The raw dgram rows send without flow control (a drop-rate measurement, not a ceiling): the
    // 1200 B targets of issue 12 are measured against paced ceilings in bench/pathLab.mjs.
    direct1200: { goodputBps: direct, completed: c.direct?.completed ?? false, ratioToRaw: ratio(direct, raw), rawLossPct: r.baselines.raw1200?.lossPct ?? null, rawForwardedBps: r.baselines.raw1200Forwarded?.receiver?.bytesPerSec ?? null, rawForwardedLossPct: r.baselines.raw1200Forwarded?.lossPct ?? null, ratioToRawForwarded: ratio(direct, r.baselines.raw1200Forwarded?.receiver?.bytesPerSec ?? null), target: 'none here: see pathLab (relayed ≥ 0.90 × the paced forwarder)', met: null },
    engineSize: {
      goodputBps: engine,
      datagramBytes: engineCase?.datagramBytes ?? null,
      note: c.engine?.note ?? null,
      ratioToTftp: ratio(engine, tftp),
      ratioToRawSameSize: ratio(engine, rawEngine),
      target: '≥ TFTP (ratio ≥ 1.0)',
      met: ratio(engine, tftp) !== null ? ratio(engine, tftp) >= 1 : false,
    },
    loss5: lossRow('loss5', 'proxy0'),
    loss5Engine: lossRow('loss5Engine', 'proxy0Engine'),
    encryptionCost: r.encryptionCost
      ? {
          engine: costAt('engine'),
          at1200: costAt('at1200'),
          target: `≤ ${ENCRYPTION_COST_TARGET * 100} % of goodput`,
          met: costs.length > 0 ? costs.every((x) => x.met) : null,
        }
      : { skipped: true },
    memory: c.memory?.skipped
      ? { skipped: true }
      : {
          fileBytes: c.memory?.fileBytes,
          datagramBytes: c.memory?.datagramBytes ?? null,
          completed: c.memory?.completed ?? false,
          bytesReceived: c.memory?.completed ? c.memory.fileBytes : (c.memory?.bytesReceivedSoFar ?? null),
          peakRssBytes: c.memory?.peakRssBytes ?? null,
          rssAtStartBytes: c.memory?.rssAtStartBytes ?? null,
          maxPeakRssBytes: maxRss(c.memory),
          target: '< 150 MB per process (1 GiB file)',
          met: maxRss(c.memory) !== null && maxRss(c.memory) < 150 * MB && c.memory.completed && c.memory.fileBytes >= 1024 * MiB,
        },
  };
}

const mbs = (x) => (typeof x === 'number' ? fmtRate(x) : '-');
const mbRss = (x) => (typeof x === 'number' ? (x / MB).toFixed(0) : '-');

export function transferRows(r) {
  const rawBps = (size) => (size === DEFAULT_DATAGRAM || !r.baselines.rawEngine ? r.baselines.raw1200 : r.baselines.rawEngine)?.receiver?.bytesPerSec;
  const rows = [];
  for (const key of ['raw1200', 'raw1200Forwarded', 'rawEngine']) {
    const b = r.baselines[key];
    if (!b) continue;
    rows.push({ case: b.viaForwarder ? 'drop rate: unpaced raw dgram 2 hops (forwarder), not a ceiling' : 'drop rate: unpaced raw dgram 1 hop, not a ceiling', dgram: b.datagramSize, loss: '0', file: `${b.bytesRequested / MiB} MiB`, goodput: mbs(b.receiver.bytesPerSec), 'vs raw': b.viaForwarder && r.baselines.raw1200 ? (b.receiver.bytesPerSec / r.baselines.raw1200.receiver.bytesPerSec).toFixed(2) : '1.00', sha256: '-', retx: '-', 'RSS s/r/r MB': '-', 'CPU s/r/r s': '-', done: `${b.lossPct} % lost${b.runsMBps && b.runsMBps.length > 1 ? ` (best of ${b.runsMBps.join(', ')} MB/s)` : ''}` });
  }
  if (r.baselines.tftp) {
    const w = r.baselines.tftp.runs.filter((x) => x.variant === 'window').reduce((a, b) => ((b.bytesPerSec ?? 0) > (a?.bytesPerSec ?? 0) ? b : a), null);
    rows.push({ case: 'baseline: atftp window 16, direct', dgram: 1428, loss: '0', file: `${r.baselines.tftp.fileBytes / MiB} MiB`, goodput: mbs(w?.bytesPerSec), 'vs raw': '-', sha256: w?.sha256Ok ? 'ok' : '-', retx: '-', 'RSS s/r/r MB': '-', 'CPU s/r/r s': '-', done: 'yes' });
  }
  const names = {
    direct: 'relayed, 1200 B',
    engine: 'relayed, engine size',
    proxy0: 'relayed+proxies, 1200 B',
    loss5: 'relayed+proxies, 1200 B, loss',
    proxy0Engine: 'relayed+proxies, engine size',
    loss5Engine: 'relayed+proxies, engine size, loss',
    memory: 'relayed, memory run',
  };
  for (const key of Object.keys(names)) {
    const c = r.cases[key];
    if (!c) continue;
    if (c.sameAs || c.skipped) {
      rows.push({ case: names[key], dgram: '-', loss: '-', file: '-', goodput: '-', 'vs raw': '-', sha256: '-', retx: '-', 'RSS s/r/r MB': '-', 'CPU s/r/r s': '-', done: c.sameAs ? 'same as 1200 (no probing yet)' : 'skipped' });
      continue;
    }
    const rb = rawBps(c.datagramBytes);
    rows.push({
      case: names[key],
      dgram: c.datagramBytes ?? '?',
      loss: c.proxied ? `${c.wire?.dataPathLossPct ?? '?'} %` : '0',
      file: `${c.fileBytes / MiB} MiB`,
      goodput: mbs(c.goodputBps),
      'vs raw': rb && c.goodputBps ? (c.goodputBps / rb).toFixed(3) : '-',
      sha256: c.sha256Ok === true ? 'ok' : c.sha256Ok === false ? 'BAD' : '-',
      retx: c.engine ? `${c.engine.retransmittedPct} %` : 'n/a',
      'RSS s/r/r MB': c.peakRssBytes ? `${mbRss(c.peakRssBytes.sender)}/${mbRss(c.peakRssBytes.relay)}/${mbRss(c.peakRssBytes.receiver)}` : '-',
      'CPU s/r/r s': c.cpuSeconds ? `${c.cpuSeconds.sender}/${c.cpuSeconds.relay}/${c.cpuSeconds.receiver}` : '-',
      done:
        (c.completed ? 'yes' : `NO: ${c.error ?? ''}${c.bytesReceivedSoFar !== undefined ? ` (${(c.bytesReceivedSoFar / MiB).toFixed(1)} MiB)` : ''}`) +
        (c.runsGoodputMBps && c.runsGoodputMBps.length > 1 ? ` (best of ${c.runsGoodputMBps.join(', ')} MB/s)` : ''),
    });
  }
  for (const [key, label] of [['engine', 'engine size'], ['at1200', '1200 B']]) {
    const runs = r.encryptionCost?.runs?.[key];
    if (!runs) continue;
    for (const nullCipher of [false, true]) {
      const mine = runs.filter((x) => Boolean(x.cipher?.startsWith('null')) === nullCipher);
      const ok = mine.filter((x) => x.completed && x.cipherChecked);
      const c = ok.reduce((a, x) => (a === null || x.goodputBps > a.goodputBps ? x : a), null);
      const rb = c ? rawBps(c.datagramBytes) : null;
      rows.push({
        case: `cipher cost, ${label}, ${nullCipher ? 'NULL cipher (bench)' : 'encrypted (bench)'}`,
        dgram: c?.datagramBytes ?? '?',
        loss: '0',
        file: `${(c ?? mine[0])?.fileBytes / MiB} MiB`,
        goodput: mbs(c?.goodputBps),
        'vs raw': rb && c ? (c.goodputBps / rb).toFixed(3) : '-',
        sha256: ok.length && ok.every((x) => x.sha256Ok) ? 'ok' : ok.some((x) => x.sha256Ok === false) ? 'BAD' : '-',
        retx: c?.engine ? `${c.engine.retransmittedPct} %` : 'n/a',
        'RSS s/r/r MB': c?.peakRssBytes ? `${mbRss(c.peakRssBytes.sender)}/${mbRss(c.peakRssBytes.relay)}/${mbRss(c.peakRssBytes.receiver)}` : '-',
        'CPU s/r/r s': c?.cpuSeconds ? `${c.cpuSeconds.sender}/${c.cpuSeconds.relay}/${c.cpuSeconds.receiver}` : '-',
        done:
          ok.length === mine.length
            ? `best of ${mine.length}: ${mine.map((x) => mbs(x.goodputBps)).join(', ')}`
            : `NO: ${mine.filter((x) => !(x.completed && x.cipherChecked)).map((x) => x.error ?? 'unfinished').join('; ')}`,
      });
    }
  }
  return rows;
}

/** One line: encryption cost per size beside its target, and the micro-benchmark. */
function encryptionCostLine(r) {
  const e = r.summary?.encryptionCost;
  if (!e || e.skipped) return null;
  const pct = (x) => (typeof x === 'number' ? `${(x * 100).toFixed(1)} %` : '-');
  const parts = [];
  for (const [key, label] of [['engine', 'engine size'], ['at1200', '1200 B']]) {
    const c = e[key];
    if (!c || c.runs === 0) continue;
    const size = key === 'engine' && c.datagramBytes ? ` (${c.datagramBytes} B)` : '';
    const noise = Math.max(c.samplesSpread?.encrypted ?? 0, c.samplesSpread?.nullCipher ?? 0);
    parts.push(
      `${label}${size} ${pct(c.cost)} (${mbs(c.encryptedBps)} vs ${mbs(c.nullCipherBps)}; data phase only ${pct(c.dataPhaseCost)}; ` +
        `client CPU ${pct(c.cpuCost)}; runs of one build differ by up to ${pct(noise)})`,
    );
  }
  const micro = r.encryptionCost?.micro;
  const us = (x) => (typeof x === 'number' ? x.toFixed(1) : '-');
  const m = micro
    ? `; seal+open per datagram: ${micro.cipher.sizes.map((x, i) => `${x.datagramBytes} B ${us(x.sealOpenUs)} µs (null cipher ${us(micro.nullCipher.sizes[i]?.sealOpenUs)})${x.records ? `, per chunk in records of ${x.records.chunksPerRecord} as shipped ${us(x.records.sealOpenUsPerChunk)} µs (null cipher ${us(micro.nullCipher.sizes[i]?.records?.sealOpenUsPerChunk)})` : ''}`).join(', ')}`
    : '';
  return `  encryption cost = 1 − goodput(encrypted) / goodput(null cipher), bundles identical but for the cipher: ${parts.join(', ') || '-'} (target ${e.target}; met: ${e.met === null ? '-' : e.met ? 'yes' : 'NO'})${m}`;
}

export function printTransfer(r) {
  console.log(`\ntransfer (${r.quick ? 'quick' : 'default'}): ${r.fileBytes / MiB} MiB through dist/relay.js on 127.0.0.1; datagram size forced by ${r.datagramControl ?? 'nothing (not supported)'}; load ${r.loadAvgBefore.join(' ')} → ${r.loadAvgAfter.join(' ')}`);
  table(transferRows(r));
  const s = r.summary;
  console.log(
    `  relayed 1200 B / unpaced raw dgram: ${s.direct1200.ratioToRaw ?? '-'} (no target: unpaced raw loses ${s.direct1200.rawLossPct ?? '-'} % one hop and ${s.direct1200.rawForwardedLossPct ?? '-'} % via the forwarder, a drop rate, not a ceiling; the 1200 B targets are in pathLab against paced ceilings); engine size (${s.engineSize.datagramBytes ?? '?'} B) / TFTP: ${s.engineSize.ratioToTftp ?? '-'} (target ≥ 1); ` +
      `loss / lossless (same proxies): ${s.loss5.ratioToLosslessSameTopology ?? '-'} at 1200 B, ${s.loss5Engine.ratioToLosslessSameTopology ?? '-'} at the engine's size (target ≥ 0.80)` +
      (s.memory.skipped ? '' : `; peak RSS max ${mbRss(s.memory.maxPeakRssBytes)} MB over ${((s.memory.bytesReceived ?? 0) / MiB).toFixed(0)} MiB (target < 150 MB for 1 GiB)`),
  );
  const cost = encryptionCostLine(r);
  if (cost) console.log(cost);
  console.log(`  loss: ${r.loss.note}. retx = file bytes the sender sent again (engine counters from --verbose) ÷ file size.`);
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
    cipherCost: !process.argv.includes('--no-cipher-cost'),
  });
  printTransfer(res);
  if (process.argv.includes('--json')) console.log(JSON.stringify(res, null, 2));
  if (process.argv.includes('--write')) console.error(`wrote ${writeResult('transfer', res)}`);
  process.exit(0);
}
