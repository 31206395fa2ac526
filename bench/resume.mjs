#!/usr/bin/env node
// Benchmark 2 — resume after the receiver is killed at 50 % (issue 3).
//
// sender (dist/cli.js) ──► relay (dist/relay.js) ──► counting proxy ──► receiver (dist/cli.js)
//
// The proxy is the impairment proxy with no impairment (own process): its downstream counters
// are the bytes the relay forwarded towards the receiver. The receiver is SIGKILLed at its first
// `transfer-progress` ≥ 50 %, restarted with the same identity, nick and download folder, and
// once the sender noticed the restart (its transfer fails), the sender runs `/sendfile` for the
// same file again — unless it already offered the file again by itself (it does when it takes
// the dead receiver's silence for a path that stopped carrying large datagrams). The receiver
// resumes from its saved chunk map (`transfer-started.resumedBytes`) and the result is checked
// by SHA-256.
//
// Two cases: the datagram size the engine picks (the product as shipped; the headline) and
// 1200 B forced with PEERCHAT_DATAGRAM_BYTES (when the client supports it). Reported per case:
// wire bytes relay→receiver after the restart ÷ file size (the target: ≤ 55 %), the same for
// both attempts together, where the receiver was killed, what it resumed from (the map is saved
// every 500 ms, so some data is redone), what went to the dead receiver, and the goodput of
// each attempt.
//
//   node bench/resume.mjs [--quick] [--max-seconds S] [--write] [--json]

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Cli, argValue, cliDatagramControl, ensureDist, epochMs, randomFile, sha256File, startClients, startProxy, startRelay, tempDir } from './harness.mjs';
import { MB, MiB, isQuick, loadAvg, round, table, writeResult } from './lib/stats.mjs';

const DATA_OVERHEAD_BYTES = 53; // per datagram: relay 12 + seal 12 + tag 16 + XFER_DATA header 13

/**
 * One kill-and-resume. `datagram`: { env, args } forcing a size, or null for the engine's choice.
 */
async function resumeCase({ label, file, sha, bytes, killAt, timeoutMs, datagram, forced, workDir, log }) {
  const out = { label, fileBytes: bytes, forcedDatagramBytes: forced ?? null, loadAvgBefore: loadAvg() };
  let relay;
  let proxy;
  const clients = [];
  try {
    relay = await startRelay();
    proxy = await startProxy({ target: { host: '127.0.0.1', port: relay.port }, seed: 1 });
    // --udp-only: the bytes counted are the datagram engine's through the proxy (a TCP lane would
    // go round it, through the relay's transit port).
    const common = { extraArgs: ['--verbose', '--udp-only', ...(datagram?.args ?? [])], env: datagram?.env ?? {} };
    const receiverSpec = { ...common, relayPort: proxy.port, nick: 'receiver', dir: path.join(workDir, `${label}-receiver`), acceptFiles: true };
    const [sender, receiver] = await startClients([{ ...common, relayPort: relay.port, nick: 'sender', dir: path.join(workDir, `${label}-sender`) }, receiverSpec]);
    clients.push(sender, receiver);
    const down = async () => (await proxy.stats()).stats.down;
    const d0 = await down();

    log(`resume (${label}): first attempt`);
    const t0 = epochMs();
    sender.send(`/sendfile @receiver ${file}`);
    const started1 = await receiver.event('transfer-started', () => true, 60_000);
    const atKill = await receiver.event('transfer-progress', (e) => e.direction === 'receive' && e.bytes >= killAt * e.total, timeoutMs);
    const killIndex = sender.events.length;
    await receiver.kill('SIGKILL');
    const tKill = epochMs();
    const dKill = await down();
    const datagram1 = forced ?? sender.pathDatagramBytes.receiver ?? null;
    out.firstAttempt = {
      datagramBytes: datagram1,
      seconds: round((tKill - started1._rx) / 1000, 3),
      goodputMBps: round(atKill.bytes / ((atKill._rx - started1._rx) / 1000) / MB, 2),
      killedAtBytes: atKill.bytes,
      killedAtFraction: round(atKill.bytes / bytes, 4),
      wireBytesToReceiver: dKill.bytesForwarded - d0.bytesForwarded,
    };

    log(`resume (${label}): restart the receiver`);
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

    // The sender may offer the file again by itself (it does when it takes the silence for a
    // path that stopped carrying large datagrams); then a user would not, and neither do we.
    await new Promise((r) => setTimeout(r, 1500));
    const autoOffer = sender.events.slice(killIndex).find((e) => e.event === 'file-offered');
    out.restart.senderOfferedAgainByItself = Boolean(autoOffer);
    log(`resume (${label}): second attempt${autoOffer ? ' (offered again by the sender itself)' : ''}`);
    if (!autoOffer) {
      const fromIndex = sender.events.length;
      sender.send(`/sendfile @receiver ${file}`);
      await sender.event('file-offered', () => true, 30_000, { fromIndex });
    }
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
    // The size the second transfer really used (the probe result may differ from the first's):
    // the mean over its data, from the engine's counters.
    const st2 = sender.transferStats.send;
    const datagram2 = forced ?? (st2?.sentPackets ? Math.round(st2.sentBytes / st2.sentPackets) : null);
    out.secondAttempt = {
      datagramBytes: datagram2,
      seconds: round((received._rx - started2._rx) / 1000, 3),
      goodputMBps: round((bytes - resumed) / ((received._rx - started2._rx) / 1000) / MB, 2),
      resumedBytes: resumed,
      resumedFraction: round(resumed / bytes, 4),
      wireBytesToReceiver: resumeWire,
      datagramsToReceiver: dEnd.forwarded - dRestart.forwarded,
      retransmittedBytes: sender.transferStats.send?.retransmittedBytes ?? null,
      offersAfterKill: sender.events.slice(killIndex).filter((e) => e.event === 'file-offered').length,
      transfersStartedAtReceiver: receiver2.all('transfer-started').map((e) => ({ id: e.id, resumedBytes: e.resumedBytes })),
      sha256Ok: received.sha256 === sha && onDisk === sha,
    };
    out.totalSeconds = round((received._rx - t0) / 1000, 3);
    out.resumeSentFraction = round(resumeWire / bytes, 4);
    out.totalSentFraction = round(totalWire / bytes, 4);
    // What a perfect resume from the point of the kill would cost: the missing bytes plus the
    // per-datagram overhead at the datagram size used.
    const d = datagram2 ?? 1200;
    out.idealResumeFraction = round((1 - out.firstAttempt.killedAtFraction) * (d / (d - DATA_OVERHEAD_BYTES)), 4);
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
  }
  out.loadAvgAfter = loadAvg();
  return out;
}

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
  const out = { benchmark: 'resume', quick, fileBytes: bytes, killAtTarget: killAt, loadAvgBefore: loadAvg(), cases: {} };
  try {
    const control = await cliDatagramControl();
    out.datagramControl = control?.how ?? null;
    log(`resume: generating ${bytes / MiB} MiB`);
    const file = path.join(dir, 'payload.bin');
    const sha = randomFile(file, bytes);
    const common = { file, sha, bytes, killAt, timeoutMs, workDir: dir, log };
    out.cases.engine = await resumeCase({ ...common, label: 'engine', datagram: null });
    if (control) out.cases.d1200 = await resumeCase({ ...common, label: 'd1200', datagram: control.forSize(1200), forced: 1200 });
  } finally {
    remove();
  }
  out.loadAvgAfter = loadAvg();
  const h = out.cases.engine;
  out.summary = {
    resumeSentFraction: h.resumeSentFraction ?? null,
    totalSentFraction: h.totalSentFraction ?? null,
    idealResumeFraction: h.idealResumeFraction ?? null,
    killedAtFraction: h.firstAttempt?.killedAtFraction ?? null,
    resumedFraction: h.secondAttempt?.resumedFraction ?? null,
    datagramBytes: h.secondAttempt?.datagramBytes ?? null,
    resumeSentFraction1200: out.cases.d1200?.resumeSentFraction ?? null,
    completed: Boolean(h.completed),
    target: '≤ 0.55 of the file sent after a kill at 50 %',
    met: Boolean(h.completed && h.sha256Ok && h.resumeSentFraction <= 0.55),
    met1200: out.cases.d1200 ? Boolean(out.cases.d1200.completed && out.cases.d1200.sha256Ok && out.cases.d1200.resumeSentFraction <= 0.55) : null,
  };
  return out;
}

export function resumeRows(r) {
  return Object.values(r.cases).map((c) => {
    const name = c.forcedDatagramBytes
      ? `${c.forcedDatagramBytes} B (forced)`
      : `engine (${c.firstAttempt?.datagramBytes ?? '?'} B, then ${c.secondAttempt?.datagramBytes ?? '?'} B)`;
    if (!c.completed) return { datagram: name, file: `${c.fileBytes / MiB} MiB`, 'killed at': c.firstAttempt ? `${(c.firstAttempt.killedAtFraction * 100).toFixed(1)} %` : '-', result: `FAILED: ${c.error}` };
    return {
      datagram: name,
      file: `${c.fileBytes / MiB} MiB`,
      'killed at': `${(c.firstAttempt.killedAtFraction * 100).toFixed(1)} %`,
      'resumed from': `${(c.secondAttempt.resumedFraction * 100).toFixed(1)} %`,
      'sent after restart': `${(c.resumeSentFraction * 100).toFixed(1)} %`,
      ideal: `${(c.idealResumeFraction * 100).toFixed(1)} %`,
      'sent in total': `${(c.totalSentFraction * 100).toFixed(1)} %`,
      'to dead rcvr': `${(c.restart.wireBytesToDeadReceiver / MB).toFixed(2)} MB`,
      're-offer': c.restart.senderOfferedAgainByItself ? 'by sender' : '/sendfile',
      offers: c.secondAttempt.offersAfterKill,
      '1st MB/s': c.firstAttempt.goodputMBps,
      'resume MB/s': c.secondAttempt.goodputMBps,
      sha256: c.sha256Ok ? 'ok' : 'BAD',
      load: c.loadAvgBefore[0],
    };
  });
}

export function printResume(r) {
  console.log(`\nresume (${r.quick ? 'quick' : 'default'}): receiver killed at ${r.killAtTarget * 100} %, restarted, file sent again; load ${r.loadAvgBefore.join(' ')} → ${r.loadAvgAfter.join(' ')}`);
  table(resumeRows(r));
  console.log('  bytes = relay→receiver datagrams, headers included; "ideal" = what was missing at the kill plus per-datagram overhead. Target: sent after restart ≤ 55 %.');
}

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (isMain) {
  const res = await runResumeBench({ maxSeconds: argValue('--max-seconds') ? Number(argValue('--max-seconds')) : undefined });
  printResume(res);
  if (process.argv.includes('--json')) console.log(JSON.stringify(res, null, 2));
  if (process.argv.includes('--write')) console.error(`wrote ${writeResult('resume', res)}`);
  process.exit(0);
}
