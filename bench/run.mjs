#!/usr/bin/env node
// `npm run bench` (after the build): every product benchmark of issue 3 in sequence, each with
// its baselines measured in the same run, then one summary table — each figure beside its target
// and its ratio to the baseline. Reports, never asserts: exits 0 even when a target is missed
// (exit 1 only if the runner itself breaks).
//
//   node bench/run.mjs                      everything, default sizes (long: see README in bench/)
//   node bench/run.mjs --quick              smoke run (BENCH_QUICK=1 does the same)
//   node bench/run.mjs --only transfer,resume,chat,capacity,cluster,pathLab
//   node bench/run.mjs --only extension    opt-in: the extension as sender vs the terminal client
//                                          (a real VS Code; needs test/e2e/setup.sh's code-server)
//
// Writes bench/results/<benchmark>.json (transfer, resume, chatLatency, relayCapacity, pathLab) and
// bench/results/summary.json through bench/lib/stats.mjs writeResult (or $BENCH_RESULTS_DIR).

import { pathToFileURL } from 'node:url';
import { printChat, runChatLatencyBench } from './chatLatency.mjs';
import { clusterSummaryRows, printCluster, runClusterBench } from './cluster.mjs';
import { argValue, ensureDist } from './harness.mjs';
import { fmtRate, isQuick, loadAvg, machineInfo, round, table, writeResult } from './lib/stats.mjs';
import { EXTENSION_RATIO_TARGET, printExtensionTransfer, runExtensionTransferBench } from './extensionTransfer.mjs';
import { printCapacity, runRelayCapacityBench } from './relayCapacity.mjs';
import { printResume, runResumeBench } from './resume.mjs';
import { printPathLab, runPathLabBench } from './pathLab.mjs';
import { printTransfer, runTransferBench } from './transfer.mjs';

const ALL = ['transfer', 'resume', 'chatLatency', 'relayCapacity', 'cluster', 'pathLab'];
/** Run only when named in --only: they start a real VS Code and a browser. */
const OPT_IN = ['extensionTransfer'];
const ALIASES = { chat: 'chatLatency', latency: 'chatLatency', capacity: 'relayCapacity', relay: 'relayCapacity', relays: 'cluster', lab: 'pathLab', path: 'pathLab', extension: 'extensionTransfer' };

function selected() {
  const only = argValue('--only');
  if (!only) return ALL;
  const names = only.split(',').map((s) => s.trim()).filter(Boolean).map((s) => ALIASES[s] ?? s);
  const bad = names.filter((n) => !ALL.includes(n) && !OPT_IN.includes(n));
  if (bad.length) throw new Error(`--only: unknown benchmark ${bad.join(', ')} (choose from ${[...ALL, ...OPT_IN].join(', ')}, or chat, capacity, lab, extension)`);
  return [...ALL, ...OPT_IN].filter((n) => names.includes(n));
}

const yes = (met) => (met === true ? 'yes' : met === false ? 'NO' : '-');
const num = (x, d = 2) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '-');
const mbRss = (x) => (typeof x === 'number' ? `${(x / 1e6).toFixed(0)} MB` : '-');
const ms = (x) => (typeof x === 'number' ? `${x.toFixed(1)} ms` : '-');

/** One row per headline figure: measured, target, baseline, ratio, met, load (1 min) when measured. */
export function summaryRows(res) {
  const rows = [];
  const t = res.transfer;
  if (t?.summary) {
    const s = t.summary;
    const loadOf = (k) => t.cases[k]?.loadAvgBefore?.[0] ?? t.cases[t.cases[k]?.sameAs]?.loadAvgBefore?.[0];
    const unfinished = (k) => (t.cases[k] && !t.cases[k].sameAs && !t.cases[k].completed ? ' (unfinished)' : '');
    rows.push({
      figure: 'transfer goodput, relayed, 1200 B',
      measured: fmtRate(s.direct1200.goodputBps) + unfinished('direct'),
      target: 'see pathLab rows',
      baseline: s.rawCeilingBps ? `unpaced raw dgram ${fmtRate(s.rawCeilingBps)}, ${num(s.direct1200.rawLossPct, 1)} % lost (a drop rate, not a ceiling)` : '-',
      ratio: num(s.direct1200.ratioToRaw, 3),
      met: '-',
      load: loadOf('direct'),
    });
    rows.push({
      figure: `transfer goodput, engine size${s.engineSize.datagramBytes && !s.engineSize.note ? ` (${s.engineSize.datagramBytes} B)` : ''}`,
      measured: (s.engineSize.note ? 'same as 1200 (no probing yet)' : fmtRate(s.engineSize.goodputBps)) + unfinished('engine'),
      target: '≥ 1.0 × TFTP',
      baseline: s.tftpBps ? `atftp w16 ${fmtRate(s.tftpBps)}` : '-',
      ratio: num(s.engineSize.ratioToTftp, 3),
      met: yes(s.engineSize.met),
      load: loadOf('engine'),
    });
    for (const [key, clean, label] of [
      ['loss5', 'proxy0', '1200 B'],
      ['loss5Engine', 'proxy0Engine', 'engine size'],
    ]) {
      const l = s[key];
      rows.push({
        figure: `transfer goodput, ${t.loss.targetPathLossPct} % loss, ${label}`,
        measured: l.note ? 'same as 1200 (no probing yet)' : fmtRate(l.goodputBps) + unfinished(key),
        target: '≥ 0.80 × lossless',
        baseline: l.losslessBps ? `lossless via proxies ${fmtRate(l.losslessBps)}` : '-',
        ratio: num(l.ratioToLosslessSameTopology, 3),
        met: yes(l.met),
        load: loadOf(key),
      });
    }
    const e = s.encryptionCost;
    for (const [key, label] of [['engine', 'engine size'], ['at1200', '1200 B']]) {
      const c = e && !e.skipped ? e[key] : null;
      if (!c || c.runs === 0) continue;
      rows.push({
        figure: `encryption cost, ${label}${key === 'engine' && c.datagramBytes ? ` (${c.datagramBytes} B)` : ''}`,
        measured: c.cost === null ? 'FAILED' : `${(c.cost * 100).toFixed(1)} % (${fmtRate(c.encryptedBps)})`,
        target: '≤ 25 % of goodput',
        baseline: c.nullCipherBps ? `null cipher (bench build) ${fmtRate(c.nullCipherBps)}` : '-',
        ratio: c.encryptedBps && c.nullCipherBps ? num(c.encryptedBps / c.nullCipherBps, 3) : '-',
        met: yes(c.met),
        load: c.loadAvg1?.[0],
      });
    }
    rows.push({
      figure: s.memory.skipped ? 'peak RSS, big file' : `peak RSS, ${(s.memory.fileBytes / 2 ** 20).toFixed(0)} MiB file`,
      measured: s.memory.skipped ? 'skipped' : `${mbRss(s.memory.maxPeakRssBytes)} max of s/r/r${unfinished('memory')}`,
      target: '< 150 MB (1 GiB)',
      baseline: '-',
      ratio: '-',
      met: yes(s.memory.skipped ? null : s.memory.met),
      load: loadOf('memory'),
    });
  } else if (res.errors.transfer) rows.push({ figure: 'transfer', measured: 'FAILED', target: '', baseline: '', ratio: '', met: '-', load: undefined });
  const r = res.resume;
  if (r?.summary) {
    for (const [key, c] of Object.entries(r.cases ?? {})) {
      const size = c.forcedDatagramBytes
        ? `${c.forcedDatagramBytes} B`
        : `engine size (${c.firstAttempt?.datagramBytes ?? '?'}→${c.secondAttempt?.datagramBytes ?? '?'} B)`;
      rows.push({
        figure: `resume: sent after kill at 50 %, ${size}`,
        measured: c.completed ? `${(c.resumeSentFraction * 100).toFixed(1)} % of file` : 'FAILED',
        target: '≤ 55 %',
        baseline: c.completed ? `ideal ${(c.idealResumeFraction * 100).toFixed(1)} %` : '-',
        ratio: c.completed ? num(c.resumeSentFraction / c.idealResumeFraction, 3) : '-',
        met: yes(key === 'engine' ? r.summary.met : r.summary.met1200),
        load: c.loadAvgBefore?.[0],
      });
    }
  } else if (res.errors.resume) rows.push({ figure: 'resume', measured: 'FAILED', target: '', baseline: '', ratio: '', met: '-', load: undefined });
  const c = res.chatLatency;
  if (c?.summary) {
    const sc = c.scenarios;
    rows.push({
      figure: 'chat p99 during transfer (other clients)',
      measured: ms(c.summary.separateP99Ms),
      target: '< 20 ms',
      baseline: `idle p99 ${ms(c.summary.idleP99Ms)}`,
      ratio: num(c.summary.separateRatioToIdle),
      met: yes(c.summary.separateP99Ms === null ? null : c.summary.separateP99Ms < 20),
      load: sc.separate?.loadAvg?.[0],
    });
    rows.push({
      figure: 'chat p99 during transfer (same link)',
      measured: ms(c.summary.sameP99Ms),
      target: '< 20 ms',
      baseline: `idle p99 ${ms(c.summary.sameIdleP99Ms)}`,
      ratio: num(c.summary.sameRatioToIdle),
      met: yes(c.summary.sameP99Ms === null ? null : c.summary.sameP99Ms < 20),
      load: sc.same?.loadAvg?.[0],
    });
  } else if (res.errors.chatLatency) rows.push({ figure: 'chat latency', measured: 'FAILED', target: '', baseline: '', ratio: '', met: '-', load: undefined });
  const k = res.relayCapacity;
  if (k?.summary) {
    const big = k.rooms.reduce((a, x) => (x.clients > (a?.clients ?? 0) ? x : a), null);
    if (big) {
      rows.push({
        figure: `relay: ${big.clients.toLocaleString('en-US')} clients registered`,
        measured: `${big.registered.toLocaleString('en-US')} in ${(big.registrationMs / 1000).toFixed(1)} s, RSS ${mbRss(big.relayRssSettledBytes)}`,
        target: big.clients >= 10_000 ? '10,000 clients' : '10,000 clients (not tried: quick)',
        baseline: '-',
        ratio: '-',
        met: yes(k.summary.roomMet),
        load: big.loadAvgBefore?.[0],
      });
    }
    const b = k.summary.burst;
    const i = k.summary.ircBurst;
    if (b) {
      rows.push({
        figure: `relay burst p99, ${b.clients} clients × 3`,
        measured: `${ms(b.p99Ms)}${b.deliveries === b.expected ? '' : ` (${b.deliveries}/${b.expected})`}`,
        target: '< ngircd p99',
        baseline: i ? `ngircd ${ms(i.p99Ms)}` : '-',
        ratio: num(k.summary.p99RatioToIrc, 3),
        met: yes(k.summary.burstMet),
        load: k.burst?.loadAvgBefore?.[0],
      });
      rows.push({
        figure: 'relay burst deliveries/s',
        measured: b.deliveriesPerSec.toLocaleString('en-US'),
        target: '-',
        baseline: i ? `ngircd ${i.deliveriesPerSec.toLocaleString('en-US')}` : '-',
        ratio: i ? num(b.deliveriesPerSec / i.deliveriesPerSec, 3) : '-',
        met: '-',
        load: k.burst?.loadAvgBefore?.[0],
      });
    }
  } else if (res.errors.relayCapacity) rows.push({ figure: 'relay capacity', measured: 'FAILED', target: '', baseline: '', ratio: '', met: '-', load: undefined });
  if (res.cluster) rows.push(...clusterSummaryRows(res.cluster));
  else if (res.errors.cluster) rows.push({ figure: 'cluster', measured: 'FAILED', target: '', baseline: '', ratio: '', met: '-', load: undefined });
  const p = res.pathLab;
  if (p?.summary) {
    for (const x of p.summary.rows) {
      rows.push({
        figure: x.figure,
        measured: fmtRate(x.goodputBps),
        target: `≥ ${x.target.toFixed(2)} × baseline`,
        baseline: `${x.baseline} ${fmtRate(x.baselineBps)}`,
        ratio: num(x.ratio, 3),
        met: yes(x.met),
        load: x.loadAvg1 ?? undefined,
      });
    }
  } else if (res.errors.pathLab) rows.push({ figure: 'path lab', measured: 'FAILED', target: '', baseline: '', ratio: '', met: '-', load: undefined });
  const x = res.extensionTransfer;
  if (x?.summary) {
    const s = x.summary;
    rows.push({
      figure: `extension as sender, ${x.fileBytes / 2 ** 20} MiB relayed (median of ${s.extension.runs})`,
      measured: `${s.extension.medianMBps} MB/s`,
      target: `≥ ${EXTENSION_RATIO_TARGET} × terminal`,
      baseline: `terminal client ${s.terminal.medianMBps} MB/s`,
      ratio: num(s.ratio, 3),
      met: yes(s.met),
      load: x.loadAvgBefore?.[0],
    });
  } else if (res.errors.extensionTransfer) rows.push({ figure: 'extension as sender', measured: 'FAILED', target: '', baseline: '', ratio: '', met: '-', load: undefined });
  return rows;
}

export async function runAll({ quick = isQuick(), only = ALL } = {}) {
  const res = { quick, started: new Date().toISOString(), machine: machineInfo(), loadAvgBefore: loadAvg(), ran: only, errors: {} };
  const log = (s) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}`);
  await ensureDist();
  const steps = {
    transfer: { run: () => runTransferBench({ quick, log }), print: printTransfer },
    resume: { run: () => runResumeBench({ quick, log }), print: printResume },
    chatLatency: { run: () => runChatLatencyBench({ quick, log }), print: printChat },
    relayCapacity: { run: () => runRelayCapacityBench({ quick, log }), print: printCapacity },
    cluster: { run: () => runClusterBench({ quick, log }), print: printCluster },
    pathLab: { run: () => runPathLabBench({ quick, log }), print: printPathLab },
    extensionTransfer: { run: () => runExtensionTransferBench({ quick, log }), print: printExtensionTransfer },
  };
  for (const name of only) {
    const t0 = Date.now();
    try {
      const r = await steps[name].run();
      r.wallSeconds = round((Date.now() - t0) / 1000, 1);
      res[name] = r;
      steps[name].print(r);
      log(`${name}: ${r.wallSeconds} s, wrote ${writeResult(name, r)}`);
    } catch (err) {
      res.errors[name] = String(err?.stack ?? err);
      log(`${name} FAILED: ${res.errors[name]}`);
    }
  }
  res.loadAvgAfter = loadAvg();
  res.rows = summaryRows(res);
  return res;
}

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (isMain) {
  let exitCode = 0;
  try {
    const quick = isQuick();
    const res = await runAll({ quick, only: selected() });
    console.log(`\nSummary (${quick ? 'quick' : 'default'}; ${res.machine.cpuModel}, ${res.machine.cores} cores, Node ${res.machine.node}; load ${res.loadAvgBefore.join(' ')} → ${res.loadAvgAfter.join(' ')})`);
    console.log('ratios are measured against baselines from this same run; load = 1-min load average when the figure was measured (2 cores: above ~2 the figures are depressed)\n');
    table(res.rows);
    const summary = {
      quick: res.quick,
      ran: res.ran,
      loadAvgBefore: res.loadAvgBefore,
      loadAvgAfter: res.loadAvgAfter,
      rows: res.rows,
      errors: res.errors,
      headline: {
        transfer: res.transfer?.summary ?? null,
        resume: res.resume?.summary ?? null,
        chatLatency: res.chatLatency?.summary ?? null,
        relayCapacity: res.relayCapacity?.summary ?? null,
        cluster: res.cluster ? clusterSummaryRows(res.cluster) : null,
        pathLab: res.pathLab?.summary ?? null,
        extensionTransfer: res.extensionTransfer?.summary ?? null,
      },
    };
    console.error(`\nwrote ${writeResult('summary', summary)}`);
    for (const [k, v] of Object.entries(res.errors)) console.error(`${k} FAILED: ${v.split('\n')[0]}`);
  } catch (err) {
    console.error(`bench/run.mjs: ${err?.stack ?? err}`);
    exitCode = 1;
  }
  process.exit(exitCode);
}
