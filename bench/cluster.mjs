#!/usr/bin/env node
// Benchmark — several relays on one Redis (issue 14). Every figure beside its baseline from the
// same run: the same work on one relay without a cluster, or within one relay of the cluster.
//
// A redis-server of the benchmark's own (Debian's, installed by test/support/setupRedis.sh if
// missing) on a free port without persistence; relays are `node dist/relay.js --cluster …`.
//
//   burst      300 clients × 3 broadcasts at once (quick: 99), spread over 3 relays (client i on
//              relay i % 3), against the same burst with all of them on one relay without a cluster:
//              deliveries/s, latency p50/p99, deliveries missing. Raw protocol clients in one
//              process (bench/capacityClients.ts), as in relayCapacity.mjs.
//   register   REGISTER latency (HELLO → REGISTERED, p50/p99) of 1,000 clients (quick: 300), 64 in
//              flight, on one relay of a cluster (a Lua script in Redis per REGISTER) against a relay
//              without a cluster.
//   goodput    a 64 MiB file (quick: 16) between two `dist/cli.js --json --relay-only` clients of the
//              cluster, sender and receiver on different relays (a TCP lane the two relays bridge)
//              against both on one relay (a lane that relay splices); the route each took is shown.
//   failover   30 ChatClients (quick: 12) with the relay list, 10 per relay, each messaging another
//              every 100 ms; relay 0 is killed with SIGKILL: time from the kill to each of its
//              clients registered on another relay (p50, p99, max, over all runs), and the messages
//              lost (sent, never delivered; target 0) and delivered twice.
//
//   node bench/cluster.mjs [--quick] [--only burst,register,goodput,failover] [--write] [--json] [--help]

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { argValue, bundleHelper, Cli, ensureDist, randomFile, REPO, sha256File, startRelay, tempDir } from './harness.mjs';
import { cpuSeconds, forkTracked, freeTcpPort, killChild, run, sleep, spawnTracked, waitForTcpListening } from './lib/procs.mjs';
import { MiB, fmtInt, fmtRate, isQuick, loadAvg, machineInfo, percentile, round, table, writeResult } from './lib/stats.mjs';
import { startClientsProcess } from './relayCapacity.mjs';

const SECRET = 'bench-cluster-secret-0123456789abcdef';
const PER_IP = 10;
const CASES = ['burst', 'register', 'goodput', 'failover'];

// ---------------------------------------------------------------------------------------------
// Redis and relays

async function startRedis() {
  const setup = await run('bash', [path.join(REPO, 'test', 'support', 'setupRedis.sh')], { timeoutMs: 600_000 });
  const m = /ready: (\S+)\s*$/.exec(setup.stdout.trim());
  if (setup.code !== 0 || !m) throw new Error(`redis-server setup failed: ${setup.stdout}${setup.stderr}`);
  const port = await freeTcpPort();
  const { dir } = tempDir('peerchat-bench-redis-');
  const proc = spawnTracked(m[1], ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--dir', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (!(await waitForTcpListening(port, '127.0.0.1', 10_000))) throw new Error('redis-server did not start');
  return { url: `redis://127.0.0.1:${port}`, pid: proc.pid, stop: () => killChild(proc, { signal: 'SIGKILL', graceMs: 1000 }) };
}

async function startCluster(n) {
  const redis = await startRedis();
  const relays = [];
  try {
    for (let i = 0; i < n; i++) relays.push(await startRelay({ extraArgs: ['--cluster', redis.url, '--cluster-secret', SECRET] }));
    await sleep(1_500); // one heartbeat: every relay knows the others
  } catch (err) {
    await Promise.all(relays.map((r) => r.stop()));
    await redis.stop();
    throw err;
  }
  return {
    redis,
    relays,
    stop: async () => {
      await Promise.all(relays.map((r) => r.stop()));
      await redis.stop();
    },
  };
}

const cpuOf = (relays) => relays.reduce((a, r) => a + (cpuSeconds(r.pid) ?? 0), 0);

// ---------------------------------------------------------------------------------------------
// Cases

/** One burst on `ports` (one relay, or a cluster's relays): capacityClients' figures plus relay CPU. */
async function burstOn(clientsProc, relays, clients) {
  const reg = await clientsProc.ask(
    { type: 'register', relayPort: relays[0].port, relayPorts: relays.map((r) => r.port), count: clients, perIp: PER_IP, window: 256, bufferBytes: 4 * MiB, timeoutMs: 60_000 },
    120_000,
  );
  if (reg.registered !== clients) throw new Error(`burst: only ${reg.registered}/${clients} registered (${JSON.stringify(reg.errors)})`);
  await clientsProc.ask({ type: 'quiet', quietMs: 500, timeoutMs: 20_000 }, 30_000);
  const cpu0 = cpuOf(relays);
  const loadBefore = loadAvg();
  const b = await clientsProc.ask({ type: 'burst', senders: clients, perClient: 3, datagramBytes: 128, timeoutMs: 60_000 }, 90_000);
  const out = { ...b, relays: relays.length, relaysCpuSeconds: round(cpuOf(relays) - cpu0, 3), loadAvgBefore: loadBefore };
  await clientsProc.ask({ type: 'close' }, 30_000).catch(() => undefined);
  return out;
}

async function burstCase({ quick, repeats, log }) {
  const clients = quick ? 99 : 300;
  const clientsProc = await startClientsProcess();
  const one = [];
  const three = [];
  try {
    await clientsProc.ask({ type: 'init', identities: clients }, 300_000);
    // A B, B A, …: the machine drifting weighs on both sides.
    for (let i = 0; i < repeats; i++) {
      for (const which of i % 2 === 0 ? ['one', 'three'] : ['three', 'one']) {
        log(`cluster: burst ${clients} × 3 on ${which === 'one' ? 'one relay' : 'three relays'} (run ${i + 1}/${repeats})`);
        if (which === 'one') {
          const relay = await startRelay();
          try {
            one.push(await burstOn(clientsProc, [relay], clients));
          } finally {
            await relay.stop();
          }
        } else {
          const c = await startCluster(3);
          try {
            three.push(await burstOn(clientsProc, c.relays, clients));
          } finally {
            await c.stop();
          }
        }
      }
    }
  } finally {
    await clientsProc.close();
  }
  const best = (runs) => runs.reduce((a, b) => ((b.missing ?? 0) < (a.missing ?? 0) || ((b.missing ?? 0) === (a.missing ?? 0) && b.latencyMs.p99 < a.latencyMs.p99) ? b : a));
  const a = best(one);
  const b = best(three);
  return {
    clients,
    oneRelay: { ...a, runsP99Ms: one.map((r) => r.latencyMs.p99) },
    threeRelays: { ...b, runsP99Ms: three.map((r) => r.latencyMs.p99) },
    p99Ratio: a.latencyMs.p99 ? round(b.latencyMs.p99 / a.latencyMs.p99, 3) : null,
    deliveriesPerSecRatio: a.deliveriesPerSec ? round(b.deliveriesPerSec / a.deliveriesPerSec, 3) : null,
  };
}

async function registerCase({ quick, log }) {
  const count = quick ? 300 : 1000;
  const clientsProc = await startClientsProcess();
  const out = {};
  try {
    await clientsProc.ask({ type: 'init', identities: count }, 300_000);
    for (const which of ['memory', 'redis']) {
      log(`cluster: ${count} REGISTERs on a relay ${which === 'redis' ? 'of a cluster (Redis)' : 'without a cluster'}`);
      const c = which === 'redis' ? await startCluster(1) : null;
      const relay = c ? c.relays[0] : await startRelay();
      try {
        const cpu0 = cpuOf([relay]);
        const reg = await clientsProc.ask({ type: 'register', relayPort: relay.port, count, perIp: PER_IP, window: 64, bufferBytes: 0, timeoutMs: 120_000 }, 180_000);
        out[which] = {
          registered: reg.registered,
          failed: reg.failed,
          ms: reg.ms,
          registrationsPerSec: reg.registrationsPerSec,
          latencyMs: reg.latencyMs,
          relayCpuUsPerRegistration: reg.registered ? round(((cpuOf([relay]) - cpu0) * 1e6) / reg.registered, 1) : null,
          loadAvg: loadAvg(),
        };
        await clientsProc.ask({ type: 'close' }, 30_000).catch(() => undefined);
      } finally {
        if (c) await c.stop();
        else await relay.stop();
      }
    }
  } finally {
    await clientsProc.close();
  }
  return { count, ...out, p99Ratio: out.memory?.latencyMs?.p99 ? round(out.redis.latencyMs.p99 / out.memory.latencyMs.p99, 3) : null };
}

async function transferOnce(relays, fromRelay, toRelay, file, bytes, dir, tag) {
  // --relay-only: two clients on one machine would otherwise go direct and leave the relays out.
  const extraArgs = ['--relay-only'];
  const sender = Cli.start({ relayPort: relays[fromRelay].port, nick: `s${tag}`, dir: path.join(dir, `s${tag}`), extraArgs });
  const receiver = Cli.start({ relayPort: relays[toRelay].port, nick: `r${tag}`, dir: path.join(dir, `r${tag}`), acceptFiles: true, extraArgs });
  try {
    await Promise.all([sender, receiver].map((c) => c.event('registered', () => true, 20_000)));
    await sender.waitSees([`r${tag}`], 20_000);
    await receiver.waitSees([`s${tag}`], 20_000);
    sender.send(`/sendfile @r${tag} ${file}`);
    const started = await receiver.event('transfer-started', () => true, 60_000);
    const route = await sender.event('transfer-route', () => true, 60_000);
    const done = await receiver.event('file-received', () => true, 300_000);
    const seconds = (done._rx - started._rx) / 1000;
    const intact = (await sha256File(done.path)) === (await sha256File(file));
    return { goodputBps: Math.round(bytes / seconds), seconds: round(seconds, 3), intact, route: `${route.path} ${route.lane}`, loadAvg: loadAvg() };
  } finally {
    await Promise.all([sender.stop(), receiver.stop()]);
  }
}

async function goodputCase({ quick, repeats, log }) {
  const bytes = (quick ? 16 : 64) * MiB;
  const { dir } = tempDir('peerchat-bench-cluster-files-');
  const file = path.join(dir, 'file.bin');
  await randomFile(file, bytes);
  const c = await startCluster(2);
  const same = [];
  const cross = [];
  try {
    for (let i = 0; i < repeats; i++) {
      for (const which of i % 2 === 0 ? ['same', 'cross'] : ['cross', 'same']) {
        log(`cluster: ${bytes / MiB} MiB ${which === 'same' ? 'within one relay' : 'from relay 0 to relay 1'} (run ${i + 1}/${repeats})`);
        const r = await transferOnce(c.relays, 0, which === 'same' ? 0 : 1, file, bytes, dir, `${which}${i}`);
        (which === 'same' ? same : cross).push(r);
      }
    }
  } finally {
    await c.stop();
  }
  const best = (runs) => runs.reduce((a, b) => (b.goodputBps > a.goodputBps ? b : a));
  const s = best(same);
  const x = best(cross);
  return { bytes, sameRelay: { ...s, runs: same.map((r) => r.goodputBps) }, crossRelay: { ...x, runs: cross.map((r) => r.goodputBps) }, ratio: round(x.goodputBps / s.goodputBps, 3) };
}

async function failoverOnce(clients, log) {
  const c = await startCluster(3);
  const helper = forkTracked(await bundleHelper('clusterFailoverClients'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const messages = [];
  let wake = null;
  helper.on('message', (m) => {
    messages.push(m);
    wake?.();
  });
  const next = async (type, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = messages.findIndex((m) => m.type === type || m.type === 'error');
      if (i >= 0) {
        const m = messages.splice(i, 1)[0];
        if (m.type === 'error') throw new Error(`failover clients: ${m.error}`);
        return m;
      }
      if (Date.now() > deadline) throw new Error(`failover clients: no ${type} within ${timeoutMs} ms`);
      await Promise.race([new Promise((r) => (wake = r)), sleep(500)]);
    }
  };
  try {
    await next('hello', 30_000);
    helper.send({ type: 'start', relays: c.relays.map((r) => ({ host: '127.0.0.1', port: r.port })), clients, everyMs: 100 });
    await next('ready', 120_000);
    await sleep(2_000);
    const at = Date.now();
    c.relays[0].proc.kill('SIGKILL');
    helper.send({ type: 'killed', relay: 0, at });
    const r = await next('result', 120_000);
    log(`cluster: failover moved ${r.moveMs.length} clients, max ${Math.max(...r.moveMs)} ms; lost ${r.lost} of ${r.sent}`);
    return { ...r, loadAvg: loadAvg() };
  } finally {
    await killChild(helper, { graceMs: 2000 });
    await c.stop();
  }
}

async function failoverCase({ quick, repeats, log }) {
  const clients = quick ? 12 : 30;
  const runs = [];
  for (let i = 0; i < repeats; i++) {
    log(`cluster: failover, ${clients} clients, kill -9 of relay 0 (run ${i + 1}/${repeats})`);
    runs.push(await failoverOnce(clients, log));
  }
  const all = runs.flatMap((r) => r.moveMs).sort((a, b) => a - b);
  return {
    clients,
    runs,
    moveMs: { p50: percentile(all, 50, true), p99: percentile(all, 99, true), max: all[all.length - 1] ?? null, n: all.length },
    unmoved: runs.reduce((a, r) => a + r.unmoved, 0),
    sent: runs.reduce((a, r) => a + r.sent, 0),
    lost: runs.reduce((a, r) => a + r.lost, 0),
    duplicates: runs.reduce((a, r) => a + r.duplicates, 0),
    sessionsKept: runs.every((r) => r.sessionKept && r.nickKept),
  };
}

// ---------------------------------------------------------------------------------------------

export async function runClusterBench(o = {}) {
  const quick = o.quick ?? isQuick();
  const repeats = o.repeats ?? (quick ? 1 : 3);
  const only = o.only ?? CASES;
  const log = o.log ?? ((s) => console.error(s));
  await ensureDist();
  const out = { benchmark: 'cluster', quick, repeats, machine: machineInfo(), loadAvgBefore: loadAvg(), errors: {} };
  const steps = { burst: burstCase, register: registerCase, goodput: goodputCase, failover: failoverCase };
  for (const name of only) {
    try {
      out[name] = await steps[name]({ quick, repeats, log });
    } catch (err) {
      out.errors[name] = String(err?.stack ?? err);
      log(`cluster: ${name} FAILED: ${out.errors[name]}`);
    }
  }
  out.loadAvgAfter = loadAvg();
  return out;
}

const ms = (x) => (typeof x === 'number' ? `${x.toFixed(1)} ms` : '-');

/** Summary rows in bench/run.mjs's format. */
export function clusterSummaryRows(r) {
  const rows = [];
  if (r.burst) {
    const b = r.burst;
    rows.push({
      figure: `cluster burst p99, ${b.clients} × 3 over 3 relays`,
      measured: `${ms(b.threeRelays.latencyMs.p99)}${b.threeRelays.missing ? ` (${b.threeRelays.missing} missing)` : ''}`,
      target: 'all delivered',
      baseline: `one relay ${ms(b.oneRelay.latencyMs.p99)}`,
      ratio: b.p99Ratio ?? '-',
      met: b.threeRelays.missing === 0 ? 'yes' : 'NO',
      load: b.threeRelays.loadAvgBefore?.[0],
    });
  }
  if (r.register) {
    const g = r.register;
    rows.push({
      figure: `REGISTER p99, ${g.count} clients, with Redis`,
      measured: ms(g.redis?.latencyMs?.p99),
      target: '-',
      baseline: `without Redis ${ms(g.memory?.latencyMs?.p99)}`,
      ratio: g.p99Ratio ?? '-',
      met: '-',
      load: g.redis?.loadAvg?.[0],
    });
  }
  if (r.goodput) {
    const t = r.goodput;
    rows.push({
      figure: `file goodput across relays, ${t.bytes / MiB} MiB`,
      measured: `${fmtRate(t.crossRelay.goodputBps)}${t.crossRelay.intact ? '' : ' (CORRUPT)'}`,
      target: '-',
      baseline: `same relay ${fmtRate(t.sameRelay.goodputBps)}`,
      ratio: t.ratio,
      met: '-',
      load: t.crossRelay.loadAvg?.[0],
    });
  }
  if (r.failover) {
    const f = r.failover;
    rows.push({
      figure: `failover: kill → registered elsewhere (${f.moveMs.n} clients)`,
      measured: `p50 ${ms(f.moveMs.p50)}, p99 ${ms(f.moveMs.p99)}, max ${ms(f.moveMs.max)}`,
      target: '< 5 s',
      baseline: '-',
      ratio: '-',
      met: f.moveMs.max !== null && f.moveMs.max < 5000 && f.unmoved === 0 ? 'yes' : 'NO',
      load: f.runs[0]?.loadAvg?.[0],
    });
    rows.push({
      figure: 'messages lost in failover',
      measured: `${f.lost} of ${fmtInt(f.sent)} (${f.duplicates} twice)`,
      target: '0',
      baseline: '-',
      ratio: '-',
      met: f.lost === 0 && f.duplicates === 0 ? 'yes' : 'NO',
      load: f.runs[0]?.loadAvg?.[0],
    });
  }
  return rows;
}

export function printCluster(r) {
  console.log(`\ncluster (${r.quick ? 'quick' : 'default'}, best of ${r.repeats}): redis-server + dist/relay.js --cluster; load ${r.loadAvgBefore.join(' ')} → ${r.loadAvgAfter.join(' ')}`);
  if (r.burst) {
    const row = (label, b) => ({ relays: label, deliveries: b.deliveries, expected: b.expected, missing: b.missing, 'deliveries/s': b.deliveriesPerSec, 'p50 ms': b.latencyMs.p50, 'p99 ms': b.latencyMs.p99, 'max ms': b.latencyMs.max, 'relays CPU s': b.relaysCpuSeconds, load: b.loadAvgBefore[0], 'p99 of each run': b.runsP99Ms.join(' / ') });
    table([row('one (no cluster)', r.burst.oneRelay), row('three + Redis', r.burst.threeRelays)]);
  }
  if (r.register) {
    const g = r.register;
    table(['memory', 'redis'].filter((k) => g[k]).map((k) => ({ directory: k === 'redis' ? 'Redis (cluster)' : 'memory (one relay)', registered: g[k].registered, 'reg/s': g[k].registrationsPerSec, 'p50 ms': g[k].latencyMs.p50, 'p99 ms': g[k].latencyMs.p99, 'relay CPU µs/reg': g[k].relayCpuUsPerRegistration })));
  }
  if (r.goodput) {
    const t = r.goodput;
    table([
      { path: 'same relay', route: t.sameRelay.route, goodput: fmtRate(t.sameRelay.goodputBps), intact: t.sameRelay.intact, runs: t.sameRelay.runs.map(fmtRate).join(' / ') },
      { path: 'relay 0 → relay 1', route: t.crossRelay.route, goodput: fmtRate(t.crossRelay.goodputBps), intact: t.crossRelay.intact, runs: t.crossRelay.runs.map(fmtRate).join(' / ') },
    ]);
  }
  if (r.failover) {
    const f = r.failover;
    table([{ 'clients/run': f.clients, runs: f.runs.length, 'moved (all runs)': f.moveMs.n, unmoved: f.unmoved, 'p50 ms': f.moveMs.p50, 'p99 ms': f.moveMs.p99, 'max ms': f.moveMs.max, sent: f.sent, lost: f.lost, twice: f.duplicates, 'session+nick kept': f.sessionsKept }]);
  }
  for (const [k, v] of Object.entries(r.errors)) console.log(`  ${k} FAILED: ${v.split('\n')[0]}`);
}

const USAGE = `node bench/cluster.mjs [--quick] [--only burst,register,goodput,failover] [--write] [--json]

Several relays on one Redis (issue 14), each figure beside its baseline from the same run:
  burst      300 clients × 3 broadcasts (quick: 99) over 3 relays + Redis, against one relay
             without a cluster: deliveries, missing, deliveries/s, latency p50/p99/max
  register   REGISTER latency p50/p99 of 1,000 clients (quick: 300), with Redis against without
  goodput    a 64 MiB file (quick: 16) relay 0 → relay 1, against sender and receiver on one relay
  failover   SIGKILL of one of 3 relays with 30 ChatClients talking (quick: 12): kill → registered
             elsewhere p50/p99/max, messages lost (target 0) and delivered twice
Default: best of 3 runs per case, several minutes, both cores busy (run it on an idle machine).
--write saves bench/results/cluster.json; --json prints it. Summary rows: cluster burst p99,
REGISTER p99 with Redis, file goodput across relays, failover kill → registered elsewhere,
messages lost in failover.`;

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (isMain && (process.argv.includes('--help') || process.argv.includes('-h'))) {
  console.log(USAGE);
  process.exit(0);
}
if (isMain) {
  const onlyArg = argValue('--only');
  const only = onlyArg ? onlyArg.split(',').map((s) => s.trim()).filter((s) => CASES.includes(s)) : undefined;
  const res = await runClusterBench({ only });
  printCluster(res);
  console.log('');
  table(clusterSummaryRows(res));
  if (process.argv.includes('--json')) console.log(JSON.stringify(res, null, 2));
  if (process.argv.includes('--write')) console.error(`wrote ${writeResult('cluster', res)}`);
  process.exit(0);
}
