#!/usr/bin/env node
// Benchmark 3 — chat latency while a file transfer runs (issue 3).
//
// Four `node dist/cli.js --json` clients on one `node dist/relay.js`: alice and bob chat, sam
// sends a 256 MiB file (quick: 32 MiB) to rita. Every 20 ms the benchmark writes a private
// message `@to lat <seq> <send time>` to the chatting client's stdin; the send time is the epoch
// in ms (sub-ms) of that write. The receiving client stamps each `message` event with its own
// Date.now() on receipt (`time`): latency = time − send time (same machine clock; the stamp has
// 1 ms resolution). The time at which this process read the event line is kept too
// ("observed", adds the receiver's stdout pipe).
//
// Scenarios, in order:
//   idle        alice → bob, nothing else running (the baseline)
//   separate    alice → bob while sam → rita transfers (only messages sent between rita's
//               `transfer-started` and `file-received` count)
//   sameIdle    sam → rita, nothing else running (baseline of the next one)
//   same        sam → rita chat while sam → rita transfers (chat shares the link with the data)
// A transfer scenario keeps re-sending the file until it has `minSamples` messages (and at least
// one whole transfer), or until its time limit.
//
//   node bench/chatLatency.mjs [--quick] [--max-seconds S] [--write]

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { argValue, ensureDist, epochMs, randomFile, startClients, startRelay, tempDir } from './harness.mjs';
import { MiB, isQuick, loadAvg, round, summarize, table, writeResult } from './lib/stats.mjs';

const INTERVAL_MS = 20;

function stats(values) {
  const s = summarize(values);
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'count' ? v : round(v, 3)]));
}

/**
 * Sends a private message from `from` to `to` every INTERVAL_MS while `active()` and until
 * `done()`; resolves the samples of messages sent while `counts()` was true.
 */
async function chatSeries({ from, to, tag, done, counts = () => true, graceMs = 3000 }) {
  const sent = new Map(); // seq -> { t, counted }
  const stamped = [];
  const observed = [];
  let received = 0;
  let countedReceived = 0;
  const re = new RegExp(`^${tag} (\\d+) ([0-9.]+)$`);
  const off = to.on((e) => {
    if (e.event !== 'message' || e.from !== from.nick || !e.private) return;
    const m = re.exec(e.text);
    if (!m) return;
    const s = sent.get(Number(m[1]));
    if (!s || s.received) return;
    s.received = true;
    received++;
    if (!s.counted) return;
    countedReceived++;
    stamped.push(e.time - s.t);
    observed.push(e._rx - s.t);
  });
  let seq = 0;
  let counted = 0;
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      if (done()) {
        clearInterval(timer);
        resolve();
        return;
      }
      const t = epochMs();
      const c = counts();
      sent.set(seq, { t, counted: c, received: false });
      if (c) counted++;
      from.send(`@${to.nick} ${tag} ${seq} ${t.toFixed(3)}`);
      seq++;
    }, INTERVAL_MS);
  });
  // Stragglers.
  const deadline = Date.now() + graceMs;
  while (received < seq && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  off();
  return {
    sent: seq,
    received,
    countedSent: counted,
    countedReceived,
    lost: counted - countedReceived,
    latencyMs: stats(stamped),
    observedLatencyMs: stats(observed),
  };
}

/** One message each way and back, so links and keys exist before anything is timed. */
async function warmUp(a, b) {
  a.send(`@${b.nick} warmup`);
  await b.event('message', (e) => e.from === a.nick && e.text === 'warmup', 20_000);
  b.send(`@${a.nick} warmup`);
  await a.event('message', (e) => e.from === b.nick && e.text === 'warmup', 20_000);
}

/**
 * Keeps sam → rita transfers going while `chat` runs; resolves { transfers, chat }.
 */
async function underTransfer({ sam, rita, file, bytes, chatFrom, chatTo, tag, minSamples, timeoutMs }) {
  let active = false;
  let finished = false;
  let transfers = 0;
  const transferLog = [];
  const tStart = Date.now();
  let countedSoFar = 0;
  const loop = (async () => {
    while (!finished) {
      const fromIndex = rita.events.length;
      sam.send(`/sendfile @${rita.nick} ${file}`);
      const st = await rita.event('transfer-started', () => true, 60_000, { fromIndex });
      active = true;
      let progress = null;
      const off = rita.on((e) => {
        if (e.event === 'transfer-progress' && e.direction === 'receive') progress = e;
      });
      const left = Math.max(1000, timeoutMs - (Date.now() - tStart));
      const fr = await Promise.race([
        rita.event('file-received', () => true, left, { fromIndex }).catch(() => null),
        rita.event('transfer-failed', () => true, left, { fromIndex }).then((e) => ({ failed: e }), () => null),
      ]);
      off();
      active = false;
      if (!fr || fr.failed) {
        const now = epochMs();
        transferLog.push({
          completed: false,
          seconds: round((now - st._rx) / 1000, 2),
          bytesSoFar: progress?.bytes ?? 0,
          secondsSinceLastProgress: progress ? round((now - progress._rx) / 1000, 2) : null,
          failed: fr?.failed ? `${fr.failed.code}: ${fr.failed.message}` : undefined,
          senderFailed: sam.all('transfer-failed').map((e) => `${e.code}: ${e.message}`),
        });
        break;
      }
      transfers++;
      transferLog.push({ completed: true, seconds: round((fr._rx - st._rx) / 1000, 2), goodputMBps: round(bytes / ((fr._rx - st._rx) / 1000) / 1e6, 2) });
      fs.rmSync(fr.path, { force: true });
      if (countedSoFar >= minSamples) break;
    }
    finished = true;
  })();
  const chat = await chatSeries({
    from: chatFrom,
    to: chatTo,
    tag,
    counts: () => {
      if (active) countedSoFar++;
      return active;
    },
    done: () => finished || Date.now() - tStart > timeoutMs,
  });
  finished = true;
  await loop.catch(() => undefined);
  return { transfers, transferLog, chat };
}

/**
 * @param {{ quick?: boolean, maxSeconds?: number, log?: (s: string) => void }} [o]
 */
export async function runChatLatencyBench(o = {}) {
  const quick = o.quick ?? isQuick();
  const bytes = quick ? 32 * MiB : 256 * MiB;
  const idleMs = quick ? 4000 : 15_000;
  const minSamples = quick ? 200 : 1000;
  const timeoutMs = (o.maxSeconds ?? (quick ? 40 : 300)) * 1000;
  const log = o.log ?? ((s) => console.error(s));
  await ensureDist();
  const { dir, remove } = tempDir('peerchat-bench-chat-');
  const out = { benchmark: 'chatLatency', quick, fileBytes: bytes, intervalMs: INTERVAL_MS, loadAvgBefore: loadAvg(), scenarios: {} };
  let relay;
  let clients = [];
  try {
    const file = path.join(dir, 'payload.bin');
    randomFile(file, bytes);
    relay = await startRelay();
    clients = await startClients(
      ['alice', 'bob', 'sam', 'rita'].map((nick) => ({
        relayPort: relay.port,
        nick,
        dir: path.join(dir, nick),
        acceptFiles: nick === 'rita',
        keepProgress: false,
        extraArgs: ['--verbose'], // logs the datagram size the probe found
      })),
    );
    const [alice, bob, sam, rita] = clients;
    await warmUp(alice, bob);
    await warmUp(sam, rita);

    log('chatLatency: idle (alice → bob, no transfer)');
    let t0 = Date.now();
    out.scenarios.idle = { loadAvg: loadAvg(), chat: await chatSeries({ from: alice, to: bob, tag: 'lat', done: () => Date.now() - t0 > idleMs }) };

    log(`chatLatency: alice → bob while sam → rita sends ${bytes / MiB} MiB`);
    out.scenarios.separate = { loadAvg: loadAvg(), ...(await underTransfer({ sam, rita, file, bytes, chatFrom: alice, chatTo: bob, tag: 'lat2', minSamples, timeoutMs })) };

    log('chatLatency: idle (sam → rita, no transfer)');
    t0 = Date.now();
    out.scenarios.sameIdle = { loadAvg: loadAvg(), chat: await chatSeries({ from: sam, to: rita, tag: 'lat3', done: () => Date.now() - t0 > idleMs }) };

    log(`chatLatency: sam → rita chat while sam → rita sends ${bytes / MiB} MiB`);
    out.scenarios.same = { loadAvg: loadAvg(), ...(await underTransfer({ sam, rita, file, bytes, chatFrom: sam, chatTo: rita, tag: 'lat4', minSamples, timeoutMs })) };
    out.transferDatagramBytes = sam.pathDatagramBytes.rita ?? null;
    out.completed = true;
  } catch (err) {
    out.completed = false;
    out.error = String(err?.stack ?? err);
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await relay?.stop();
    remove();
  }
  out.loadAvgAfter = loadAvg();
  const p99 = (k) => out.scenarios[k]?.chat?.latencyMs?.p99 ?? null;
  out.summary = {
    separateP99Ms: p99('separate'),
    sameP99Ms: p99('same'),
    idleP99Ms: p99('idle'),
    sameIdleP99Ms: p99('sameIdle'),
    separateRatioToIdle: p99('separate') !== null && p99('idle') ? round(p99('separate') / p99('idle'), 2) : null,
    sameRatioToIdle: p99('same') !== null && p99('sameIdle') ? round(p99('same') / p99('sameIdle'), 2) : null,
    samplesDuringTransfer: (out.scenarios.separate?.chat?.countedReceived ?? 0) + (out.scenarios.same?.chat?.countedReceived ?? 0),
    target: 'p99 < 20 ms during a transfer',
    met: out.completed && p99('separate') !== null && p99('separate') < 20 && p99('same') !== null && p99('same') < 20,
  };
  return out;
}

export function chatRows(r) {
  const names = { idle: 'alice→bob, no transfer', separate: 'alice→bob, sam→rita transfer', sameIdle: 'sam→rita, no transfer', same: 'sam→rita, same link as transfer' };
  return Object.entries(r.scenarios).map(([k, s]) => ({
    scenario: names[k],
    msgs: s.chat.countedReceived,
    lost: s.chat.lost,
    'p50 ms': s.chat.latencyMs.p50,
    'p99 ms': s.chat.latencyMs.p99,
    'max ms': s.chat.latencyMs.max,
    'observed p99 ms': s.chat.observedLatencyMs.p99,
    transfers: s.transferLog
      ? s.transferLog.map((t) => (t.completed ? `${t.goodputMBps} MB/s` : `unfinished: ${(t.bytesSoFar / MiB).toFixed(0)} MiB in ${t.seconds} s${t.failed ? ` (${t.failed})` : ''}`)).join(', ')
      : '-',
    load: s.loadAvg[0],
  }));
}

export function printChat(r) {
  console.log(`\nchatLatency (${r.quick ? 'quick' : 'default'}): private message every ${r.intervalMs} ms, ${r.fileBytes / MiB} MiB transfers (datagrams of ${r.transferDatagramBytes ?? '?'} B); load ${r.loadAvgBefore.join(' ')} → ${r.loadAvgAfter.join(' ')}`);
  if (Object.keys(r.scenarios).length) table(chatRows(r));
  if (r.error) console.log(`  FAILED: ${r.error.split('\n')[0]}`);
  console.log('  latency = receiver Date.now() at receipt − send time written into the message (1 ms resolution); observed = when this process read the event. Target: p99 < 20 ms during a transfer.');
}

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (isMain) {
  const res = await runChatLatencyBench({ maxSeconds: argValue('--max-seconds') ? Number(argValue('--max-seconds')) : undefined });
  printChat(res);
  if (process.argv.includes('--json')) console.log(JSON.stringify(res, null, 2));
  if (process.argv.includes('--write')) console.error(`wrote ${writeResult('chatLatency', res)}`);
  process.exit(0);
}
