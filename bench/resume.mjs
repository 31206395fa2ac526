#!/usr/bin/env node
// Benchmark 2 — resume after the receiver is killed at 50 % (issue 3).
//
// sender (dist/cli.js) ──► relay (dist/relay.js) ──► counting proxy ──► receiver (dist/cli.js)
//
// The proxy is the impairment proxy with no impairment (own process): its downstream counters
// are the bytes the relay forwarded towards the receiver. The receiver is SIGKILLed at its first
// `transfer-progress` ≥ 50 %, restarted with the same identity, nick and download folder, and
// once the sender noticed the restart (its transfer fails with PEER_LEFT), the sender runs
// `/sendfile` for the same file again. The receiver resumes from its saved chunk map
// (`transfer-started.resumedBytes`) and the result is checked by SHA-256.
//
// Reported: wire bytes relay→receiver after the restart ÷ file size (the target: ≤ 55 %), the
// same for both attempts together, where the receiver was killed, what it resumed from (the map
// is saved every 500 ms, so a few hundred ms of data are redone), and what went to the dead
// receiver before it came back.
//
//   node bench/resume.mjs [--quick] [--max-seconds S] [--write]

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Cli, argValue, ensureDist, epochMs, randomFile, sha256File, startClients, startProxy, startRelay, tempDir } from './harness.mjs';
import { MB, MiB, isQuick, loadAvg, round, table, writeResult } from './lib/stats.mjs';

const CHUNK_BYTES = 1147; // file bytes per 1200-byte datagram
const WIRE_PER_FILE_BYTE = 1200 / CHUNK_BYTES;

/**
 * @param {{ quick?: boolean, bytes?: number, killAt?: number, maxSeconds?: number, log?: (s: string) => void }} [o]
 */
export async function runResumeBench(o = {}) {
  const quick = o.quick ?? isQuick();
  const bytes = o.bytes ?? (quick ? 32 * MiB : 256 * MiB);
  const killAt = o.killAt ?? 0.5;
  const timeoutMs = (o.maxSeconds ?? (quick ? 60 : 400)) * 1000;
  const log = o.log ?? ((s) => console.error(s));
  await ensureDist();
  const { dir, remove } = tempDir('peerchat-bench-resume-');
  const out = { benchmark: 'resume', quick, fileBytes: bytes, killAtTarget: killAt, loadAvgBefore: loadAvg() };
  let relay;
  let proxy;
  const clients = [];
  try {
    log(`resume: generating ${bytes / MiB} MiB`);
    const file = path.join(dir, 'payload.bin');
    const sha = randomFile(file, bytes);
    relay = await startRelay();
    proxy = await startProxy({ target: { host: '127.0.0.1', port: relay.port }, seed: 1 });
    const receiverSpec = { relayPort: proxy.port, nick: 'receiver', dir: path.join(dir, 'receiver'), acceptFiles: true };
    const [sender, receiver] = await startClients([{ relayPort: relay.port, nick: 'sender', dir: path.join(dir, 'sender') }, receiverSpec]);
    clients.push(sender, receiver);
    const down = async () => (await proxy.stats()).stats.down;
    const d0 = await down();

    log('resume: first attempt');
    const t0 = epochMs();
    sender.send(`/sendfile @receiver ${file}`);
    const started1 = await receiver.event('transfer-started', () => true, 60_000);
    const atKill = await receiver.event('transfer-progress', (e) => e.direction === 'receive' && e.bytes >= killAt * e.total, timeoutMs);
    await receiver.kill('SIGKILL');
    const tKill = epochMs();
    const dKill = await down();
    out.firstAttempt = {
      seconds: round((tKill - started1._rx) / 1000, 3),
      goodputMBps: round(atKill.bytes / ((atKill._rx - started1._rx) / 1000) / MB, 2),
      killedAtBytes: atKill.bytes,
      killedAtFraction: round(atKill.bytes / bytes, 4),
      wireBytesToReceiver: dKill.bytesForwarded - d0.bytesForwarded,
    };

    log('resume: restart the receiver');
    const receiver2 = Cli.start(receiverSpec);
    clients.push(receiver2);
    await receiver2.event('registered', () => true, 20_000);
    // The sender learns of the restart when the new receiver handshakes with it; its transfer
    // then fails with PEER_LEFT ("send the file again to resume").
    const noticed = await sender.event('transfer-failed', () => true, 20_000).catch(() => null);
    const dRestart = await down();
    out.restart = {
      secondsKillToRegistered: round((epochMs() - tKill) / 1000, 3),
      senderNoticed: noticed ? `${noticed.code}: ${noticed.message}` : 'no transfer-failed within 20 s',
      wireBytesToDeadReceiver: dRestart.bytesForwarded - dKill.bytesForwarded,
    };

    log('resume: second attempt');
    const fromIndex = sender.events.length;
    sender.send(`/sendfile @receiver ${file}`);
    await sender.event('file-offered', () => true, 30_000, { fromIndex });
    const started2 = await receiver2.event('transfer-started', () => true, 60_000);
    const never = () => new Promise(() => {});
    const outcome = await Promise.race([
      receiver2.event('file-received', () => true, timeoutMs).then((e) => ({ received: e }), (err) => ({ error: err })),
      receiver2.event('transfer-failed', () => true, timeoutMs).then((e) => ({ failed: e }), never),
    ]);
    if (outcome.failed) throw new Error(`resume failed: ${outcome.failed.code} ${outcome.failed.message}`);
    if (outcome.error) throw outcome.error;
    const received = outcome.received;
    const dEnd = await down();
    const onDisk = await sha256File(received.path);
    const resumeWire = dEnd.bytesForwarded - dRestart.bytesForwarded;
    const totalWire = dEnd.bytesForwarded - d0.bytesForwarded;
    const resumed = started2.resumedBytes;
    out.secondAttempt = {
      seconds: round((received._rx - started2._rx) / 1000, 3),
      resumedBytes: resumed,
      resumedFraction: round(resumed / bytes, 4),
      goodputMBps: round((bytes - resumed) / ((received._rx - started2._rx) / 1000) / MB, 2),
      wireBytesToReceiver: resumeWire,
      datagramsToReceiver: dEnd.forwarded - dRestart.forwarded,
      sha256Ok: received.sha256 === sha && onDisk === sha,
    };
    out.totalSeconds = round((received._rx - t0) / 1000, 3);
    out.resumeSentFraction = round(resumeWire / bytes, 4);
    out.totalSentFraction = round(totalWire / bytes, 4);
    // What a perfect resume from the point of the kill would cost (missing bytes × 1200/1147).
    out.idealResumeFraction = round((1 - out.firstAttempt.killedAtFraction) * WIRE_PER_FILE_BYTE, 4);
    out.redoneBytes = Math.max(0, atKill.bytes - resumed);
    out.sha256Ok = out.secondAttempt.sha256Ok;
    out.completed = true;
  } catch (err) {
    out.completed = false;
    out.error = String(err?.message ?? err);
  } finally {
    await Promise.all(clients.map((c) => (c.alive ? c.stop() : null)));
    await relay?.stop();
    await proxy?.close();
    remove();
  }
  out.loadAvgAfter = loadAvg();
  out.summary = {
    resumeSentFraction: out.resumeSentFraction ?? null,
    totalSentFraction: out.totalSentFraction ?? null,
    killedAtFraction: out.firstAttempt?.killedAtFraction ?? null,
    resumedFraction: out.secondAttempt?.resumedFraction ?? null,
    target: '≤ 0.55 of the file sent after a kill at 50 %',
    met: out.completed && out.sha256Ok && out.resumeSentFraction <= 0.55,
  };
  return out;
}

export function resumeRows(r) {
  if (!r.completed) return [{ file: `${r.fileBytes / MiB} MiB`, result: `FAILED: ${r.error}` }];
  return [
    {
      file: `${r.fileBytes / MiB} MiB`,
      'killed at': `${(r.firstAttempt.killedAtFraction * 100).toFixed(1)} %`,
      'resumed from': `${(r.secondAttempt.resumedFraction * 100).toFixed(1)} %`,
      'sent after restart': `${(r.resumeSentFraction * 100).toFixed(1)} %`,
      ideal: `${(r.idealResumeFraction * 100).toFixed(1)} %`,
      'sent in total': `${(r.totalSentFraction * 100).toFixed(1)} %`,
      'to dead receiver': `${(r.restart.wireBytesToDeadReceiver / MB).toFixed(2)} MB`,
      '1st MB/s': r.firstAttempt.goodputMBps,
      'resume MB/s': r.secondAttempt.goodputMBps,
      'resume s': r.secondAttempt.seconds.toFixed(2),
      sha256: r.sha256Ok ? 'ok' : 'BAD',
    },
  ];
}

export function printResume(r) {
  console.log(`\nresume (${r.quick ? 'quick' : 'default'}): receiver killed at ${r.killAtTarget * 100} %, restarted, file sent again; load ${r.loadAvgBefore.join(' ')} → ${r.loadAvgAfter.join(' ')}`);
  table(resumeRows(r));
  console.log('  bytes = relay→receiver datagrams (headers included: 1200 wire bytes per 1147 file bytes); "ideal" = what is missing at the kill × 1200/1147. Target: sent after restart ≤ 55 %.');
}

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (isMain) {
  const res = await runResumeBench({ maxSeconds: argValue('--max-seconds') ? Number(argValue('--max-seconds')) : undefined });
  printResume(res);
  if (process.argv.includes('--json')) console.log(JSON.stringify(res, null, 2));
  if (process.argv.includes('--write')) console.error(`wrote ${writeResult('resume', res)}`);
  process.exit(0);
}
