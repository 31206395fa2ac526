#!/usr/bin/env node
// Benchmark — transfers on real paths (issue 12, "Performance on real paths").
//
// Two parts, each with its baselines measured in the same run:
//
// 1. Loopback (127.0.0.1, MTU 64 KiB), the honest ceilings and our two paths at 1200 B:
//    ceilings     baselines/pacedDgram.mjs: raw `dgram` transfers that lose nothing, paced by
//                 the receiver's cumulative acks (sliding window, go-back-N), at 1200 B, at
//                 1472 B (the Ethernet-MTU datagram) and at 65,000 B (the engine's loopback
//                 size), one hop; and at 1200 / 1472 B through a bare forwarder paced the same way
//    drop rate    baselines/rawDgram.mjs (no flow control) at 1200 B, one hop and through the
//                 bare forwarder: what the receiver drops when nothing paces the sender. Not a
//                 ceiling (the old "raw" rows of transfer.mjs); kept to show the difference
//    direct1200   our transfer, PEERCHAT_DATAGRAM_BYTES=1200, sent once both clients reported
//                 the direct path (`{"event":"path","path":"direct"}`): two processes
//    relayed1200  the same with `--relay-only` on both clients: three processes
//    Targets: direct1200 ≥ 0.60 × the paced one-hop ceiling at 1200 B; relayed1200 ≥ 0.90 ×
//    the paced forwarder at 1200 B.
//
// 2. The path lab: network namespaces (test/support/netLab.ts) on one bridge, MTU 1500
//    (10.77.0.0/24): `relay` (.10), `alice` (.11), `bob` (.12). Segmentation offloads (TSO, GSO,
//    GRO) are off on every lab link (ethtool), so every packet on the wire is at most 1500 bytes
//    and the loss below hits TCP segments and UDP datagrams alike, one wire packet at a time
//    (with offloads on, a TCP "packet" crossing a veth can be a 64 KiB aggregate). Lossless, then
//    with 1 % of the packets arriving at alice's and at bob's interface dropped
//    (NetLab.setLoss(host, 10): nftables `numgen random` in a netdev ingress chain). The same
//    file everywhere (256 MiB; quick 32 MiB). Cases per loss setting, in an order that rotates
//    run by run so drift in the machine's load weighs on all alike:
//    ours relayed   dist/relay.js in `relay`, dist/cli.js in alice and bob with `--relay-only`
//    ours direct    the same without it; the file is sent once both reported the direct path
//    wormhole direct   magic-wormhole 0.12 (Debian): a local mailbox server
//                   (`twistd3 wormhole-mailbox`) and transit relay (`twistd3 transitrelay`) in
//                   `relay`; `wormhole --relay-url ws://… --transit-helper tcp:… send` in alice,
//                   `receive --accept-file` in bob, both started at once
//    wormhole relayed  the same with `--no-listen` on both sides: no direct hints, so its
//                   transit relay carries the file
//    Lossless only, for the evidence: the paced dgram ceiling at 1472 B alice→bob and
//    alice→forwarder in `relay`→bob on the lab path.
//    Target: ours ≥ 1.0 × magic-wormhole on the same path (direct vs direct, relayed vs
//    relayed), lossless and at 1 % loss.
//
// Figures. Ours: goodput = file bytes ÷ (receiver's `transfer-started` → `file-received`), as in
// transfer.mjs; `fromCommandSeconds` adds the offer and its acceptance (from `/sendfile`).
// magic-wormhole: wall time from starting both processes to the receiver's exit (file complete;
// its SHA-256 is checked from disk), and its own data phase from `--dump-timing` (the receiver's
// `rx file` span: records received, decrypted, hashed, written). The target compares like with
// like: our goodput with wormhole's data phase (the stricter of the two; ours excludes our
// registration as that excludes its start-up and key exchange). The wall-clock ratio (our
// `/sendfile` → file vs wormhole's start → file) is printed beside it. Where a target is missed
// the row says why, with the evidence: CPU per datagram and per second of each process, the
// engine's counters from `--verbose` (retransmitted bytes, lost packets, srtt, cwnd, pacing
// rate), the packet loss the lab's counters measured, and the paced ceiling on the same path.
//
//   node bench/pathLab.mjs [--quick] [--only loopback|lab] [--repeats N] [--write] [--json]
//                          [--kinds oursDirect,wormholeDirect,…] [--loss lossless|loss1pct]
// (--kinds and --loss run a part of the lab, without its ceilings: for profiling one case.)
//
// Needs root (namespaces) and the packages of bench/pathlab/setup.sh (run automatically when
// something is missing). Reports, never asserts.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bestPacedDgram, measurePacedDgram } from './baselines/pacedDgram.mjs';
import { measureRawDgram } from './baselines/rawDgram.mjs';
import { measureTcpStream } from './baselines/tcpStream.mjs';
import { argValue, cliDatagramControl, ensureDist, epochMs, loadNetLab, randomFile, sha256File, tempDir } from './harness.mjs';
import { addCleanup, cpuSeconds, cpuSplit, killChild, procStatus, run, sleep, spawnTracked, which } from './lib/procs.mjs';
import { MB, MiB, fmtRate, isQuick, loadAvg, round, table, writeResult } from './lib/stats.mjs';
import { measureAeadMicro, measureTransfer } from './transfer.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SETUP_SCRIPT = path.join(here, 'pathlab', 'setup.sh');
const LAB_PREFIX = 'bpl';
const LAB_CIDR = '10.77.0.0/24';
/** Per mille of the packets arriving at each client's interface (NetLab.setLoss). */
const LOSS_PERMILLE = 10;
const MAILBOX_PORT = 4000;
const TRANSIT_PORT = 4001;
const LAB_DATAGRAM = 1472;
const TARGETS = { direct1200VsRaw: 0.6, relayed1200VsForwarder: 0.9, labVsWormhole: 1.0 };

// ---------------------------------------------------------------------------------------------
// Set-up

/** Runs bench/pathlab/setup.sh when a tool the lab or the wormhole baseline needs is missing. */
async function ensurePackages(log) {
  const need = ['nft', 'ip', 'conntrack', 'wormhole', 'twistd3', 'ethtool'];
  const missing = need.filter((b) => !which(b));
  if (missing.length === 0) return { ran: false };
  if (process.getuid?.() !== 0) throw new Error(`missing ${missing.join(', ')}: run bench/pathlab/setup.sh as root`);
  log(`pathLab: ${missing.join(', ')} missing, running bench/pathlab/setup.sh`);
  const r = await run('bash', [SETUP_SCRIPT], { timeoutMs: 900_000 });
  if (r.code !== 0) throw new Error(`bench/pathlab/setup.sh failed (exit ${r.code}):\n${(r.stdout + r.stderr).slice(-2000)}`);
  return { ran: true, log: r.stdout.split('\n').filter((l) => l.startsWith('[pathlab-setup]')) };
}

async function versions() {
  const q = async (pkg) => (await run('dpkg-query', ['-W', '-f=${Version}', pkg], { timeoutMs: 10_000 })).stdout.trim() || null;
  return {
    magicWormhole: await q('magic-wormhole'),
    mailboxServer: await q('python3-magic-wormhole-mailbox-server'),
    transitRelay: await q('magic-wormhole-transit-relay'),
  };
}

/** The lab: one bridge (MTU 1500), relay/alice/bob, offloads off on every link. */
async function buildLab(log) {
  const { NetLab, netLabAvailable } = await loadNetLab();
  const why = await netLabAvailable();
  if (why) throw new Error(`network lab unavailable: ${why}`);
  const lab = await NetLab.create({ prefix: LAB_PREFIX });
  // If this process is killed, the namespaces go with it (the next NetLab.create would also
  // remove them: their names carry our pid).
  const removeOnExit = addCleanup(() => {
    let names = [];
    try {
      names = fs.readdirSync('/run/netns').filter((n) => n.startsWith(`${LAB_PREFIX}-${process.pid}-`));
    } catch {
      return;
    }
    for (const n of names) {
      try {
        execFileSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
      } catch {
        /* best effort */
      }
    }
  });
  try {
    const lan = await lab.addLan('lan', { cidr: LAB_CIDR });
    const hosts = {
      relay: await lab.addHost('relay', { segment: lan }),
      alice: await lab.addHost('alice', { segment: lan }),
      bob: await lab.addHost('bob', { segment: lan }),
    };
    const offloads = {};
    for (const h of Object.values(hosts)) {
      for (const [ns, ifname] of [
        [h.ns, h.ifname],
        [lan.ns, `${h.ifname}-b`],
      ]) {
        await run('ip', ['netns', 'exec', ns, 'ethtool', '-K', ifname, 'tso', 'off', 'gso', 'off', 'gro', 'off'], { timeoutMs: 10_000 });
        const k = await run('ip', ['netns', 'exec', ns, 'ethtool', '-k', ifname], { timeoutMs: 10_000 });
        offloads[ifname] = Object.fromEntries(
          ['tcp-segmentation-offload', 'generic-segmentation-offload', 'generic-receive-offload'].map((f) => [f, new RegExp(`^${f}: (\\w+)`, 'm').exec(k.stdout)?.[1] ?? '?']),
        );
      }
    }
    for (const h of [hosts.alice, hosts.bob]) await addIngressTap(h);
    const mtu = (await run('ip', ['-n', hosts.alice.ns, '-o', 'link', 'show', hosts.alice.ifname], { timeoutMs: 10_000 })).stdout.match(/mtu (\d+)/)?.[1];
    log(`pathLab: lab up (${LAB_CIDR}, MTU ${mtu}): relay ${hosts.relay.ip}, alice ${hosts.alice.ip}, bob ${hosts.bob.ip}`);
    return {
      lab,
      hosts,
      info: { cidr: LAB_CIDR, mtu: Number(mtu), ips: Object.fromEntries(Object.entries(hosts).map(([k, h]) => [k, h.ip])), offloads },
      destroy: async () => {
        await lab.destroy();
        removeOnExit();
      },
    };
  } catch (err) {
    await lab.destroy();
    removeOnExit();
    throw err;
  }
}

const TAP_TABLE = 'benchtap';

/**
 * Two counters on a client's interface, both in netdev ingress: one before NetLab.setLoss's drop
 * rule (priority -100: every wire packet that arrived), one after it (priority 100: what went
 * on). Their difference is the loss really applied, packet by packet, TCP and UDP alike (the
 * lab's own inet counters count TCP before segmentation on the sending side, so they cannot).
 */
async function addIngressTap(host) {
  const script = [
    `table netdev ${TAP_TABLE} {`,
    '  counter arrived {',
    '  }',
    '  counter delivered {',
    '  }',
    '  chain before {',
    `    type filter hook ingress device "${host.ifname}" priority -100; policy accept;`,
    '    counter name "arrived"',
    '  }',
    '  chain after {',
    `    type filter hook ingress device "${host.ifname}" priority 100; policy accept;`,
    '    counter name "delivered"',
    '  }',
    '}',
  ].join('\n');
  const r = await run('ip', ['netns', 'exec', host.ns, 'nft', '-f', '-'], { input: `${script}\n`, timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`nft (ingress tap on ${host.name}): ${r.stderr}`);
}

async function readIngressTap(host) {
  const r = await run('ip', ['netns', 'exec', host.ns, 'nft', '-j', 'list', 'counters', 'table', 'netdev', TAP_TABLE], { timeoutMs: 10_000 });
  const c = {};
  for (const item of JSON.parse(r.stdout).nftables) if (item.counter) c[item.counter.name] = item.counter.packets;
  return { arrived: c.arrived, delivered: c.delivered };
}

/**
 * The kernel's TCP counters in a host's namespace (/proc/net is per namespace): retransmission
 * timeouts and segments sent again. At 1 % loss a TCP run that loses a retransmission waits out
 * at least the 200 ms minimum timeout; these say which runs did, ours and magic-wormhole's alike.
 */
async function tcpCounters(host) {
  const r = await run('ip', ['netns', 'exec', host.ns, 'cat', '/proc/net/netstat', '/proc/net/snmp'], { timeoutMs: 10_000 });
  const lines = r.stdout.split('\n');
  const value = (prefix, name) => {
    for (let i = 0; i + 1 < lines.length; i++) {
      if (!lines[i].startsWith(`${prefix}: `) || !lines[i + 1].startsWith(`${prefix}: `)) continue;
      const k = lines[i].split(' ').indexOf(name);
      if (k > 0) return Number(lines[i + 1].split(' ')[k]);
    }
    return 0;
  };
  return { timeouts: value('TcpExt', 'TCPTimeouts'), retransSegs: value('Tcp', 'RetransSegs') };
}

/** The lab's counters: bytes the relay's interface carried (NetLab.counter), the clients' ingress taps, TCP's own. */
async function labCounters(lab, hosts) {
  return {
    relay: await lab.counter(hosts.relay),
    alice: await readIngressTap(hosts.alice),
    bob: await readIngressTap(hosts.bob),
    tcp: await Promise.all([hosts.alice, hosts.relay, hosts.bob].map(tcpCounters)),
  };
}

/**
 * Over one case: packets that arrived at each client and the share its ingress dropped, and the
 * bytes the relay received and sent (a direct transfer leaves them near zero).
 */
function measuredLoss(before, after) {
  if (!before || !after) return null;
  const tap = (h) => {
    const arrived = after[h].arrived - before[h].arrived;
    const delivered = after[h].delivered - before[h].delivered;
    return { arrived, droppedPct: arrived > 0 ? round(((arrived - delivered) / arrived) * 100, 2) : null };
  };
  const tcp = (k) => (after.tcp && before.tcp ? after.tcp.reduce((a, c, i) => a + c[k] - before.tcp[i][k], 0) : null);
  return {
    alice: tap('alice'),
    bob: tap('bob'),
    relayRxBytes: after.relay.rxBytes - before.relay.rxBytes,
    relayTxBytes: after.relay.txBytes - before.relay.txBytes,
    // Over the three namespaces: TCP retransmission timeouts and segments sent again.
    tcpTimeouts: tcp('timeouts'),
    tcpRetransSegs: tcp('retransSegs'),
  };
}

/** Every run's MB/s, with its TCP retransmission timeouts where the lab counted them: "240.6 (0 RTO), 179.2 (2 RTO)". */
function runsText(c) {
  if (!c.runsMBps) return '';
  return c.runsMBps.map((m, i) => (typeof c.runsTcpTimeouts?.[i] === 'number' && (isLane(c) || c.wallGoodputBps !== undefined) ? `${m} (${c.runsTcpTimeouts[i]} RTO)` : `${m}`)).join(', ');
}

/**
 * For TCP rows at loss: the runs that waited out no retransmission timeout against those that
 * did, ours and the baseline's, so a row decided by that lottery says so.
 */
function timeoutText(ours, base) {
  const split = (c) => {
    if (!c?.runsMBps || !c.runsTcpTimeouts?.some((t) => typeof t === 'number')) return null;
    const clean = c.runsMBps.filter((m, i) => m !== null && c.runsTcpTimeouts[i] === 0);
    const hit = c.runsMBps.filter((m, i) => m !== null && c.runsTcpTimeouts[i] > 0);
    const best = (a) => (a.length ? `${Math.max(...a)} MB/s best` : 'none');
    return `${clean.length} runs without a TCP retransmission timeout (${best(clean)}), ${hit.length} with one or more (${best(hit)})`;
  };
  const a = split(ours);
  const b = split(base);
  return a && b ? `TCP timeouts (200 ms each at least): ours ${a}; magic-wormhole ${b}` : null;
}

/** "bob 1.01 % of 30,112, alice 0.98 % of 12,001; relay carried 12 kB". */
function lossText(l) {
  if (!l) return '';
  const t = (k) => `${k} ${l[k].droppedPct ?? '-'} % of ${l[k].arrived.toLocaleString('en-US')}`;
  return `dropped at ${t('bob')}, ${t('alice')}; relay rx ${(l.relayRxBytes / 1e6).toFixed(1)} MB` + (typeof l.tcpTimeouts === 'number' ? `; TCP timeouts ${l.tcpTimeouts}` : '');
}

// ---------------------------------------------------------------------------------------------
// magic-wormhole

/** Its mailbox server and transit relay in the relay's namespace, until stop(). */
async function startWormholeServers(lab, hosts, dir) {
  const relay = hosts.relay;
  const pre = lab.execPrefix(relay);
  const logs = { mailbox: '', transit: '' };
  const start = (name, args) => {
    const p = spawnTracked(pre[0], [...pre.slice(1), 'twistd3', '--nodaemon', '--pidfile=', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const s of [p.stdout, p.stderr]) {
      s.setEncoding('utf8');
      s.on('data', (d) => {
        if (logs[name].length < 50_000) logs[name] += d;
      });
    }
    return p;
  };
  const mailbox = start('mailbox', ['wormhole-mailbox', `--port=tcp:${MAILBOX_PORT}:interface=${relay.ip}`, `--channel-db=${path.join(dir, 'mailbox.sqlite')}`]);
  const transit = start('transit', ['transitrelay', `--port=tcp:${TRANSIT_PORT}:interface=${relay.ip}`]);
  // Ready when alice can connect to both ports.
  const probe = `const net=require('net');let n=0;for(const p of [${MAILBOX_PORT},${TRANSIT_PORT}]){const s=net.connect(p,'${relay.ip}');s.on('connect',()=>{s.destroy();if(++n===2)process.exit(0)});s.on('error',()=>process.exit(1))}`;
  const ap = lab.execPrefix(hosts.alice);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await run(ap[0], [...ap.slice(1), process.execPath, '-e', probe], { timeoutMs: 5000 });
    if (r.code === 0) break;
    if (Date.now() > deadline) throw new Error(`wormhole servers not listening after 30 s:\n${logs.mailbox.slice(-1000)}\n${logs.transit.slice(-1000)}`);
    await sleep(200);
  }
  return {
    relayUrl: `ws://${relay.ip}:${MAILBOX_PORT}/v1`,
    transitHelper: `tcp:${relay.ip}:${TRANSIT_PORT}`,
    transitPid: transit.pid,
    mailboxPid: mailbox.pid,
    logs,
    stop: async () => {
      await killChild(mailbox, { graceMs: 2000 });
      await killChild(transit, { graceMs: 2000 });
    },
  };
}

/**
 * A child with its CPU seconds and peak RSS sampled from /proc every 100 ms (the last sample
 * before it exits is what we get). Resolves { code, stdout, stderr, endMs, cpuSeconds, kernelCpuSeconds, peakRssBytes }.
 */
function runSampled(cmd, args, { cwd, timeoutMs }) {
  return new Promise((resolve) => {
    const p = spawnTracked(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8');
    p.stderr.setEncoding('utf8');
    p.stdout.on('data', (d) => (stdout += d.slice(0, 20_000)));
    p.stderr.on('data', (d) => (stderr += d.slice(0, 20_000)));
    let cpu = null;
    let kernel = null;
    let peak = null;
    const sample = () => {
      const c = cpuSplit(p.pid);
      if (c !== null) {
        cpu = round(c.user + c.kernel, 2);
        kernel = c.kernel;
      }
      const st = procStatus(p.pid);
      if (st?.VmHWM) peak = st.VmHWM;
    };
    const timer = setInterval(sample, 100);
    const killer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('close', (code, signal) => {
      const endMs = epochMs();
      clearInterval(timer);
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, endMs, cpuSeconds: cpu, kernelCpuSeconds: kernel, peakRssBytes: peak });
    });
  });
}

let nameplate = 100;

/** One magic-wormhole transfer alice → bob; `relayed` adds --no-listen on both sides. */
async function measureWormhole({ lab, hosts, servers, file, sha, bytes, relayed, dir, timeoutMs, label }) {
  const row = { label, tool: 'magic-wormhole', mode: relayed ? 'relayed (--no-listen both sides)' : 'direct', fileBytes: bytes, loadAvgBefore: loadAvg() };
  const caseDir = fs.mkdtempSync(path.join(dir, `${label}-`));
  const out = path.join(caseDir, 'received.bin');
  const code = `${nameplate++}-peerchat-bench`;
  const common = ['--relay-url', servers.relayUrl, '--transit-helper', servers.transitHelper];
  const nl = relayed ? ['--no-listen'] : [];
  const sTiming = path.join(caseDir, 'send-timing.json');
  const rTiming = path.join(caseDir, 'receive-timing.json');
  const ap = lab.execPrefix(hosts.alice);
  const bp = lab.execPrefix(hosts.bob);
  try {
    const countersBefore = await labCounters(lab, hosts);
    const transitCpuBefore = cpuSeconds(servers.transitPid);
    const t0 = epochMs();
    const [s, r] = await Promise.all([
      runSampled(ap[0], [...ap.slice(1), 'wormhole', ...common, '--dump-timing', sTiming, 'send', '--code', code, '--hide-progress', ...nl, file], { cwd: caseDir, timeoutMs }),
      runSampled(bp[0], [...bp.slice(1), 'wormhole', ...common, '--dump-timing', rTiming, 'receive', '--accept-file', '--hide-progress', '-o', out, ...nl, code], { cwd: caseDir, timeoutMs }),
    ]);
    const countersAfter = await labCounters(lab, hosts);
    row.transitRelayCpuSeconds = round(cpuSeconds(servers.transitPid) - transitCpuBefore, 2);
    const rOut = `${r.stdout}\n${r.stderr}`;
    row.exitCodes = { sender: s.code, receiver: r.code };
    row.connection = /Receiving \(([^)]*)\)/.exec(rOut)?.[1] ?? null;
    row.path = row.connection ? (row.connection.includes('relay') ? 'relay' : 'direct') : null;
    row.completed = r.code === 0 && fs.existsSync(out) && fs.statSync(out).size === bytes;
    row.wallSeconds = round((r.endMs - t0) / 1000, 3);
    row.wallGoodputBps = round(bytes / row.wallSeconds, 0);
    try {
      const timing = JSON.parse(fs.readFileSync(rTiming, 'utf8'));
      const first = Math.min(...timing.map((e) => e.start).filter((x) => typeof x === 'number'));
      const rx = timing.find((e) => e.name === 'rx file');
      const connected = timing.find((e) => e.name === 'transit connected');
      if (rx?.stop) {
        row.dataPhaseSeconds = round(rx.stop - rx.start, 3);
        row.goodputBps = round(bytes / (rx.stop - rx.start), 0);
      }
      if (connected) row.transitConnectedAfterSeconds = round(connected.start - first, 3);
      row.receiverStartupToDataSeconds = rx ? round(rx.start - first, 3) : null;
    } catch (err) {
      row.timingError = String(err?.message ?? err);
    }
    row.goodputMBps = row.goodputBps ? round(row.goodputBps / MB, 2) : null;
    row.wallGoodputMBps = round(row.wallGoodputBps / MB, 2);
    row.cpuSeconds = { sender: s.cpuSeconds, transitRelay: row.transitRelayCpuSeconds, receiver: r.cpuSeconds };
    row.kernelCpuSeconds = { sender: s.kernelCpuSeconds, receiver: r.kernelCpuSeconds };
    row.peakRssBytes = { sender: s.peakRssBytes, receiver: r.peakRssBytes };
    row.loss = measuredLoss(countersBefore, countersAfter);
    row.sha256Ok = row.completed ? (await sha256File(out)) === sha : null;
    if (!row.completed) row.error = `exit ${r.code}/${s.code}: ${rOut.slice(-400)} | ${(s.stdout + s.stderr).slice(-400)}`;
    if (row.completed && relayed !== (row.path === 'relay')) row.note = `expected a ${relayed ? 'relayed' : 'direct'} connection, got ${row.connection}`;
    row.loadAvgAfter = loadAvg();
    return row;
  } finally {
    fs.rmSync(caseDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Ours

/** One of our transfers alice → bob in the lab (measureTransfer with the lab's prefixes). */
async function measureOursInLab({ lab, hosts, file, sha, bytes, relayed, udpOnly = false, workDir, timeoutMs, label }) {
  const row = await measureTransfer({
    label,
    file,
    sha,
    bytes,
    workDir,
    timeoutMs,
    path: relayed ? 'relay' : 'direct',
    clientArgs: [...(relayed ? ['--relay-only'] : []), ...(udpOnly ? ['--udp-only'] : [])],
    relayAt: { prefix: lab.execPrefix(hosts.relay), host: hosts.relay.ip },
    clientsAt: { sender: { prefix: lab.execPrefix(hosts.alice) }, receiver: { prefix: lab.execPrefix(hosts.bob) } },
    counters: () => labCounters(lab, hosts),
  });
  row.tool = 'peerchat';
  row.mode = (relayed ? 'relayed (--relay-only)' : 'direct') + (udpOnly ? ', --udp-only' : '');
  if (row.counters) {
    row.loss = measuredLoss(row.counters.before, row.counters.after);
    delete row.counters;
  }
  return row;
}

// ---------------------------------------------------------------------------------------------
// The benchmark

const bestOf = (runs, key = 'goodputBps') => {
  const done = runs.filter((r) => r.completed);
  const pool = done.length ? done : runs;
  const best = pool.reduce((a, b) => ((b[key] ?? 0) > (a[key] ?? 0) ? b : a));
  return {
    ...best,
    runsMBps: runs.map((r) => (r[key] ? round(r[key] / MB, 1) : null)),
    runsCompleted: runs.map((r) => Boolean(r.completed)),
    // Per run, the kernel's TCP retransmission timeouts (lab only; null elsewhere).
    runsTcpTimeouts: runs.map((r) => r.loss?.tcpTimeouts ?? null),
  };
};

/**
 * @param {{ quick?: boolean, only?: string[], repeats?: number, labRepeats?: number, kinds?: string[], loss?: string, log?: (s: string) => void }} [o]
 */
export async function runPathLabBench(o = {}) {
  const quick = o.quick ?? isQuick();
  const log = o.log ?? ((s) => console.error(s));
  const parts = o.only ?? ['loopback', 'lab'];
  const bytes = quick ? 32 * MiB : 256 * MiB;
  const repeats = o.repeats ?? (quick ? 1 : 3);
  // The lab's runs swing most (magic-wormhole: 37.6 and 126.2 MB/s for one case in one run; ours
  // 123–235 MB/s for one case: on this VM, writing 256 MiB into fresh page-cache pages took
  // 71–705 ms from one run to the next), so each case gets five.
  const labRepeats = o.labRepeats ?? (quick ? 1 : 5);
  const timeoutMs = (quick ? 60 : 180) * 1000;
  await ensureDist();
  const out = {
    benchmark: 'pathLab',
    quick,
    fileBytes: bytes,
    repeats,
    labRepeats,
    loadAvgBefore: loadAvg(),
    loopback: null,
    lab: null,
    errors: {},
  };
  const { dir: workDir, remove } = tempDir('peerchat-bench-pathlab-');
  try {
    log(`pathLab: generating ${bytes / MiB} MiB of random data`);
    const file = path.join(workDir, 'payload.bin');
    const sha = randomFile(file, bytes);
    const common = { file, sha, bytes, workDir, timeoutMs };

    if (parts.includes('loopback')) {
      const lo = (out.loopback = { ceilings: {}, dropRate: {}, cases: {} });
      // Encryption as shipped at 1200 B (records of several chunks): bench/aeadMicro.ts, for the budgets.
      try {
        const aead = await measureAeadMicro({ quick, sizes: '1200', nullCipher: false });
        lo.aeadSealOpenUs1200 = aead.cipher.sizes[0].perChunkAsShipped;
        log(`pathLab: ChaCha20-Poly1305 as shipped at 1200 B: seal + open ${lo.aeadSealOpenUs1200} µs per datagram (bench/aeadMicro.ts)`);
      } catch (err) {
        out.errors['loopback.aead'] = String(err?.stack ?? err);
      }
      for (const [key, c] of [
        ['paced1200', { datagramSize: 1200 }],
        ['paced1472', { datagramSize: 1472 }],
        ['paced65000', { datagramSize: 65000 }],
        ['pacedForwarder1200', { datagramSize: 1200, forwarder: true }],
        ['pacedForwarder1472', { datagramSize: 1472, forwarder: true }],
      ]) {
        log(`pathLab: loopback ceiling, paced dgram ${c.datagramSize} B${c.forwarder ? ' through a bare forwarder' : ''} (best of ${repeats})`);
        try {
          lo.ceilings[key] = await bestPacedDgram({ ...c, bytes }, repeats);
        } catch (err) {
          out.errors[`loopback.${key}`] = String(err?.stack ?? err);
        }
      }
      for (const [key, c] of [
        ['unpaced1200', { datagramSize: 1200 }],
        ['unpacedForwarder1200', { datagramSize: 1200, forwarder: true }],
      ]) {
        log(`pathLab: loopback drop rate, unpaced raw dgram 1200 B${c.forwarder ? ' through a bare forwarder' : ''}`);
        try {
          const r = await measureRawDgram({ ...c, bytes, timeoutMs: 120_000 });
          lo.dropRate[key] = { datagramSize: r.datagramSize, viaForwarder: r.viaForwarder, sent: r.sent, received: r.received, lossPct: r.lossPct, receiverMBps: r.receiver.MBps, senderMBps: r.sender.MBps, loadAvgBefore: r.loadAvgBefore };
        } catch (err) {
          out.errors[`loopback.${key}`] = String(err?.stack ?? err);
        }
      }
      const control = await cliDatagramControl();
      if (!control) throw new Error('dist/cli.js cannot be told a datagram size (PEERCHAT_DATAGRAM_BYTES)');
      const at1200 = { datagram: control.forSize(1200), forcedDatagramBytes: 1200 };
      // The datagram engine at 1200 B (--udp-only: what carries files where no TCP lane opens),
      // and the default (large files over a TCP stream lane: direct, or the relay's transit port).
      const cases = {
        direct1200: { ...common, ...at1200, label: 'lo-direct1200', path: 'direct', clientArgs: ['--udp-only'] },
        relayed1200: { ...common, ...at1200, label: 'lo-relayed1200', path: 'relay', clientArgs: ['--relay-only', '--udp-only'] },
        directLane: { ...common, label: 'lo-directLane', path: 'direct' },
        relayedLane: { ...common, label: 'lo-relayedLane', path: 'relay', clientArgs: ['--relay-only'] },
      };
      const runs = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
      log(`pathLab: loopback, ours: the datagram engine at 1200 B and the default TCP lanes, direct and relayed, rotating (best of ${repeats} each)`);
      const keys = Object.keys(cases);
      for (let i = 0; i < repeats; i++) {
        for (let j = 0; j < keys.length; j++) {
          const k = keys[(i + j) % keys.length];
          runs[k].push(await measureTransfer({ ...cases[k], label: `${cases[k].label}-${i}` }));
        }
      }
      for (const k of keys) lo.cases[k] = bestOf(runs[k]);
    }

    let lab = null;
    if (parts.includes('lab')) {
      try {
        const pk = await ensurePackages(log);
        lab = await buildLab(log);
        lab.setup = pk;
      } catch (err) {
        out.errors.lab = `the lab could not be built: ${String(err?.stack ?? err)}`;
      }
    }
    if (lab) {
      const pk = lab.setup;
      out.lab = { ...lab.info, lossPermille: LOSS_PERMILLE, setup: pk, versions: await versions(), ceilings: {}, cases: {} };
      const whDir = fs.mkdtempSync(path.join(workDir, 'wormhole-'));
      let servers = null;
      try {
        servers = await startWormholeServers(lab.lab, lab.hosts, whDir);
        const { alice, bob, relay } = lab.hosts;
        const at = (h) => ({ prefix: lab.lab.execPrefix(h), ip: h.ip });
        for (const [key, c] of o.kinds ? [] : [
          ['paced1472', { datagramSize: LAB_DATAGRAM, at: { sender: at(alice), receiver: at(bob) } }],
          ['pacedForwarder1472', { datagramSize: LAB_DATAGRAM, forwarder: true, at: { sender: at(alice), forwarder: at(relay), receiver: at(bob) } }],
        ]) {
          log(`pathLab: lab ceiling, paced dgram ${LAB_DATAGRAM} B alice→${c.forwarder ? 'forwarder in relay→' : ''}bob, lossless`);
          try {
            out.lab.ceilings[key] = await measurePacedDgram({ ...c, bytes });
          } catch (err) {
            out.errors[`lab.${key}`] = String(err?.stack ?? err);
          }
        }
        log('pathLab: lab, one Node TCP connection alice→bob, lossless (what the kernel\'s TCP gives Node on this path)');
        if (!o.kinds) try {
          out.lab.ceilings.tcpNode = await measureTcpStream({ bytes, at: { sender: at(alice), receiver: at(bob) } });
        } catch (err) {
          out.errors['lab.tcpNode'] = String(err?.stack ?? err);
        }
        const allKinds = [
          ['oursRelayed', (lbl) => measureOursInLab({ lab: lab.lab, hosts: lab.hosts, ...common, relayed: true, label: lbl })],
          ['oursDirect', (lbl) => measureOursInLab({ lab: lab.lab, hosts: lab.hosts, ...common, relayed: false, label: lbl })],
          ['oursRelayedUdp', (lbl) => measureOursInLab({ lab: lab.lab, hosts: lab.hosts, ...common, relayed: true, udpOnly: true, label: lbl })],
          ['oursDirectUdp', (lbl) => measureOursInLab({ lab: lab.lab, hosts: lab.hosts, ...common, relayed: false, udpOnly: true, label: lbl })],
          ['wormholeDirect', (lbl) => measureWormhole({ lab: lab.lab, hosts: lab.hosts, servers, ...common, dir: workDir, relayed: false, label: lbl })],
          ['wormholeRelayed', (lbl) => measureWormhole({ lab: lab.lab, hosts: lab.hosts, servers, ...common, dir: workDir, relayed: true, label: lbl })],
        ];
        const kinds = o.kinds ? allKinds.filter(([k]) => o.kinds.includes(k)) : allKinds;
        for (const permille of [0, LOSS_PERMILLE]) {
          const lossKey = permille === 0 ? 'lossless' : 'loss1pct';
          if (o.loss && o.loss !== lossKey) continue;
          await lab.lab.setLoss(alice, permille);
          await lab.lab.setLoss(bob, permille);
          const runs = Object.fromEntries(kinds.map(([k]) => [k, []]));
          for (let i = 0; i < labRepeats; i++) {
            // Rotate the order run by run: drift in the machine's load weighs on every case alike.
            const order = kinds.map((_, j) => kinds[(i + j) % kinds.length]);
            for (const [k, fn] of order) {
              log(`pathLab: lab, ${lossKey}, ${k} (${i + 1}/${labRepeats})`);
              try {
                runs[k].push(await fn(`${lossKey}-${k}-${i}`));
              } catch (err) {
                runs[k].push({ label: `${lossKey}-${k}-${i}`, completed: false, error: String(err?.message ?? err) });
              }
            }
          }
          out.lab.cases[lossKey] = Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, bestOf(r)]));
        }
        await lab.lab.setLoss(alice, 0);
        await lab.lab.setLoss(bob, 0);
      } catch (err) {
        out.errors.lab = String(err?.stack ?? err);
      } finally {
        if (servers) {
          out.lab.serverLogTail = { mailbox: servers.logs.mailbox.slice(-500), transit: servers.logs.transit.slice(-500) };
          await servers.stop();
        }
        await lab.destroy();
      }
    }
  } finally {
    remove();
  }
  out.summary = pathLabSummary(out);
  out.loadAvgAfter = loadAvg();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Summary: targets, ratios, and why a missed one is missed

const mbs = (x) => (typeof x === 'number' ? fmtRate(x) : '-');
const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? round(a / b, 3) : null);
const good = (row) => (row?.completed ? row.goodputBps : null);

/** Share of one core a process used while the transfer ran. */
const coreShare = (cpu, seconds) => (typeof cpu === 'number' && seconds > 0 ? round(cpu / seconds, 2) : null);

/**
 * What the busiest process of a row could move with a whole core to itself: bytes ÷ its CPU
 * seconds. Independent of the machine's load (a process that waits for a CPU uses none), so it
 * says what the design costs where the wall-clock figures say what this shared VM allowed.
 */
function perCoreBps(row) {
  if (!row?.completed || !row.cpuSeconds) return null;
  const cpus = Object.values(row.cpuSeconds).filter((c) => typeof c === 'number' && c > 0);
  return cpus.length ? round(row.fileBytes / Math.max(...cpus), 0) : null;
}

function perCoreText(row, what) {
  const b = perCoreBps(row);
  if (b === null) return null;
  const [who, cpu] = Object.entries(row.cpuSeconds).reduce((a, x) => ((x[1] ?? 0) > (a[1] ?? 0) ? x : a));
  return `${what}: its busiest process (${who}) used ${cpu} s of CPU for ${(row.fileBytes / MB).toFixed(0)} MB, ${mbs(b)} per core`;
}

/** The same for a paced ceiling: datagram bytes ÷ the larger of sender's and receiver's µs per datagram. */
function pacedPerCoreBps(c) {
  if (!c) return null;
  const us = Math.max(c.sender.cpuUsPerDatagram, c.receiver.cpuUsPerDatagram, c.forwarder?.cpuUsPerDatagram ?? 0);
  return us > 0 ? round(c.datagramSize / (us / 1e6), 0) : null;
}

/** Whether a row of ours went over a TCP stream lane (not the datagram engine). */
const isLane = (row) => typeof row?.lane === 'string' && row.lane.endsWith('tcp');

/** Evidence for one of our rows: CPU, the engine's counters, the lab's loss. */
function oursEvidence(row) {
  if (!row) return 'no run';
  if (!row.completed) return `did not complete: ${row.error ?? '?'}${row.bytesReceivedSoFar !== undefined ? ` (${(row.bytesReceivedSoFar / MiB).toFixed(1)} MiB arrived)` : ''}`;
  const e = row.engine ?? {};
  const cpu = row.cpuSeconds ?? {};
  const us = row.cpuUsPerDataDatagram ?? {};
  const s = row.seconds;
  if (isLane(row)) {
    const k = row.kernelCpuSeconds ?? {};
    const m = row.mainThreadCpuSeconds ?? {};
    const w = row.runQueueWaitSeconds;
    const parts = [
      `${row.lane} lane`,
      `CPU s (kernel part, main thread) sender ${cpu.sender ?? '-'} (${k.sender ?? '-'}, ${m.sender ?? '-'}), relay ${cpu.relay ?? '-'} (${k.relay ?? '-'}, ${m.relay ?? '-'}), receiver ${cpu.receiver ?? '-'} (${k.receiver ?? '-'}, ${m.receiver ?? '-'}) in ${s} s`,
      `waited for a CPU s/r/r ${w ? `${w.sender}/${w.relay}/${w.receiver} s` : '-'}`,
    ];
    if (row.loss) parts.push(`lab: ${lossText(row.loss)}`);
    return parts.join('; ');
  }
  const parts = [
    `${row.datagramBytes} B datagrams`,
    `CPU µs/data datagram sender ${us.sender ?? '-'}, relay ${us.relay ?? '-'}, receiver ${us.receiver ?? '-'}`,
    `core share sender ${coreShare(cpu.sender, s) ?? '-'}, relay ${coreShare(cpu.relay, s) ?? '-'}, receiver ${coreShare(cpu.receiver, s) ?? '-'}`,
    `waited for a CPU s/r/r ${row.runQueueWaitSeconds ? `${row.runQueueWaitSeconds.sender}/${row.runQueueWaitSeconds.relay}/${row.runQueueWaitSeconds.receiver} s of ${s} s` : '-'}`,
    `retransmitted ${e.retransmittedPct ?? '-'} %, lost packets ${e.lostPackets ?? '-'} (spurious ${e.spuriousLosses ?? '-'}), probe timeouts ${e.probeTimeouts ?? '-'}`,
    `srtt ${e.srttMs ?? '-'} ms, cwnd ${e.cwndBytes ?? '-'} B, pacing ${typeof e.pacingRateBytesPerSec === 'number' ? mbs(e.pacingRateBytesPerSec) : '-'}`,
  ];
  if (row.loss) parts.push(`lab: ${lossText(row.loss)}`);
  if (row.pathEvents?.length) parts.push(`path events ${row.pathEvents.map((p) => `${p.client}:${p.path}@${p.s}s`).join(' ')}`);
  return parts.join('; ');
}

/** A plain-words reason from the evidence (the JSON keeps the numbers). */
function diagnose(ours, { baselineBps, ceilingBps, lossless, baselineRow, ceilingRow }) {
  if (!ours?.completed) return 'the transfer did not complete';
  const reasons = [];
  // Load-independent: bytes per CPU second of the busiest process, ours against the baseline's.
  const mine = perCoreBps(ours);
  const theirs = baselineRow ? perCoreBps(baselineRow) : null;
  if (mine !== null && theirs !== null) {
    reasons.push(
      `CPU per byte: ${perCoreText(ours, 'ours')}; ${perCoreText(baselineRow, 'magic-wormhole (start-up included)')}` +
        (ceilingRow ? `; the paced raw dgram ceiling on this path ${mbs(pacedPerCoreBps(ceilingRow))} per core (${Math.max(ceilingRow.sender.cpuUsPerDatagram, ceilingRow.receiver.cpuUsPerDatagram)} µs per ${ceilingRow.datagramSize}-byte datagram)` : '') +
        (mine < theirs ? ` — with a core per process we would still reach only ${round(mine / theirs, 2)} × magic-wormhole` : ''),
    );
  }
  const s = ours.seconds;
  const busy = Object.entries(ours.cpuSeconds ?? {}).filter(([, c]) => coreShare(c, s) >= 0.8).map(([k, c]) => `${k} ${coreShare(c, s)}`);
  if (busy.length && isLane(ours)) {
    const all = Object.values(ours.cpuSeconds ?? {}).reduce((a, c) => a + (c ?? 0), 0);
    const theirs = baselineRow?.cpuSeconds ? Object.values(baselineRow.cpuSeconds).reduce((a, c) => a + (c ?? 0), 0) : null;
    reasons.push(
      `CPU-bound: ${busy.join(', ')} of a core; ours used ${round(all, 2)} CPU s in all on a 2-core machine (${round(all / s, 2)} cores for ${s} s)` +
        (theirs !== null ? `, magic-wormhole ${round(theirs, 2)} s with its start-up` : '') +
        ` (TCP lane: the kernel's TCP at MTU 1500 without offloads, then ChaCha20-Poly1305, SHA-256 and the disk writes in the receiver; see the kernel and main-thread parts below)`,
    );
  } else if (busy.length) reasons.push(`CPU-bound: ${busy.join(', ')} of a core (per-datagram JavaScript work: receive event, AEAD, frame parsing, ack bookkeeping)`);
  if (!isLane(ours) && ceilingBps && baselineBps && ceilingBps < baselineBps) reasons.push(`even the paced raw dgram ceiling on this path (${mbs(ceilingBps)}) is below the baseline (${mbs(baselineBps)}): one ${LAB_DATAGRAM}-byte datagram per syscall and per event cannot match a TCP stream here`);
  if (isLane(ours) && baselineRow && ours.loss?.bob?.droppedPct > 0) {
    const t = timeoutText(ours, baselineRow);
    if (t) reasons.push(t);
  }
  if (lossless && good(ours) && lossless.goodputBps && good(ours) < 0.8 * lossless.goodputBps) {
    reasons.push(`loss response: ${round(good(ours) / lossless.goodputBps, 2)} × our own lossless goodput, retransmitted ${ours.engine?.retransmittedPct ?? '-'} %, cwnd ${ours.engine?.cwndBytes ?? '-'} B`);
  }
  const waited = Object.entries(ours.runQueueWaitSeconds ?? {}).filter(([, w]) => typeof w === 'number' && s > 0 && w / s >= 0.2);
  if (waited.length) reasons.push(`the machine was shared (load ${ours.loadAvgBefore?.[0] ?? '?'} on 2 cores): ${waited.map(([k, w]) => `${k} waited ${w} s for a CPU`).join(', ')} of ${s} s`);
  if (!busy.length && !reasons.length) {
    reasons.push(
      isLane(ours)
        ? 'no process was CPU-bound: the lane waited (the receiver stops reading while 4 MiB wait for its disk; see its kernel part, the page cache)'
        : 'no process was CPU-bound: the engine left the path idle (see cwnd, pacing rate and srtt)',
    );
  }
  return reasons.join('; ');
}

/**
 * What the target leaves per datagram for everything a transfer adds to a bare send and receive
 * (encryption, acknowledgements, reliability, the file), from the same run's ceilings: the
 * evidence that a 1200 B target is out of reach of one syscall and one event per datagram.
 */
function budgetText(lo, key) {
  const enc = lo.aeadSealOpenUs1200;
  if (key === 'direct') {
    const c = lo.ceilings.paced1200;
    const d = lo.cases.direct1200?.cpuUsPerDataDatagram;
    if (!c || !d) return '';
    // Each end runs on its own core: the slower end sets the ceiling's rate.
    const limit = Math.max(c.sender.cpuUsPerDatagram, c.receiver.cpuUsPerDatagram) / TARGETS.direct1200VsRaw;
    // Acks: at least one per XFER_ACK_BATCH_MAX_PACKETS (8) data datagrams, a receive at the
    // sender and a send at the receiver. Encryption: seal at one end, open at the other, taken
    // as half each.
    const ackS = c.receiver.cpuUsPerDatagram / 8;
    const ackR = c.sender.cpuUsPerDatagram / 8;
    const half = (enc ?? 0) / 2;
    const leftS = limit - c.sender.cpuUsPerDatagram - ackS - half;
    const leftR = limit - c.receiver.cpuUsPerDatagram - ackR - half;
    return (
      `budget: to reach ${TARGETS.direct1200VsRaw} × the ceiling each end may spend ${round(limit, 2)} µs per datagram (sender / receiver); the bare send and receive cost ` +
      `${c.sender.cpuUsPerDatagram} / ${c.receiver.cpuUsPerDatagram} µs, an ack per 8 datagrams ${round(ackS, 2)} / ${round(ackR, 2)}, encryption ${enc ?? '-'} (seal + open as shipped, half at each end), ` +
      `leaving ${round(leftS, 2)} / ${round(leftR, 2)} µs for reliability, congestion control, the event loop and the file; ours spends ${d.sender} / ${d.receiver} µs in all`
    );
  }
  const c = lo.ceilings.pacedForwarder1200;
  const d = lo.cases.relayed1200?.cpuUsPerDataDatagram;
  if (!c?.forwarder || !d) return '';
  // Three busy processes on two cores: the sum of their CPU per datagram sets the rate.
  const chain = c.sender.cpuUsPerDatagram + c.forwarder.cpuUsPerDatagram + c.receiver.cpuUsPerDatagram;
  const limit = chain / TARGETS.relayed1200VsForwarder;
  const floor = c.sender.cpuUsPerDatagram + (d.relay ?? c.forwarder.cpuUsPerDatagram) + c.receiver.cpuUsPerDatagram;
  // An ack per 8 data datagrams crosses the same chain the other way.
  const ack = chain / 8;
  return (
    `budget: to reach ${TARGETS.relayed1200VsForwarder} × the forwarder the three processes may spend ${round(limit, 2)} µs per datagram in all (the bare chain's ${round(chain, 2)} ÷ ${TARGETS.relayed1200VsForwarder}); ` +
    `a bare send and receive at the ends plus our relay (${d.relay ?? '-'} µs) take ${round(floor, 2)}, an ack per 8 datagrams through the chain ${round(ack, 2)}, encryption ${enc ?? '-'} (seal + open as shipped), ` +
    `leaving ${round(limit - floor - ack - (enc ?? 0), 2)} µs for reliability, congestion control, the event loops and the file at both ends; ours spends ${round((d.sender ?? 0) + (d.relay ?? 0) + (d.receiver ?? 0), 2)} µs in all`
  );
}

export function pathLabSummary(r) {
  const rows = [];
  const lo = r.loopback;
  if (lo) {
    const raw = lo.ceilings.paced1200?.receiver?.bytesPerSec ?? null;
    const fwd = lo.ceilings.pacedForwarder1200?.receiver?.bytesPerSec ?? null;
    const d = lo.cases.direct1200;
    const rl = lo.cases.relayed1200;
    const rd = ratio(good(d), raw);
    const rr = ratio(good(rl), fwd);
    rows.push({
      key: 'loopbackDirect1200',
      figure: 'loopback, direct, 1200 B',
      goodputBps: good(d),
      baseline: 'paced raw dgram 1 hop, 1200 B',
      baselineBps: raw,
      ratio: rd,
      target: TARGETS.direct1200VsRaw,
      met: rd === null ? null : rd >= TARGETS.direct1200VsRaw,
      perCoreBps: perCoreBps(d),
      baselinePerCoreBps: pacedPerCoreBps(lo.ceilings.paced1200),
      why: rd !== null && rd < TARGETS.direct1200VsRaw ? `${diagnose(d, {})}. ${oursEvidence(d)}; the ceiling used ${lo.ceilings.paced1200.sender.cpuUsPerDatagram} µs (sender) + ${lo.ceilings.paced1200.receiver.cpuUsPerDatagram} µs (receiver) per datagram; ${budgetText(lo, 'direct')}` : null,
      loadAvg1: d?.loadAvgBefore?.[0] ?? null,
    });
    rows.push({
      key: 'loopbackRelayed1200',
      figure: 'loopback, relayed, 1200 B',
      goodputBps: good(rl),
      baseline: 'paced raw dgram via bare forwarder, 1200 B',
      baselineBps: fwd,
      ratio: rr,
      target: TARGETS.relayed1200VsForwarder,
      met: rr === null ? null : rr >= TARGETS.relayed1200VsForwarder,
      perCoreBps: perCoreBps(rl),
      baselinePerCoreBps: pacedPerCoreBps(lo.ceilings.pacedForwarder1200),
      why:
        rr !== null && rr < TARGETS.relayed1200VsForwarder
          ? `${diagnose(rl, {})}. ${oursEvidence(rl)}; the forwarder used ${lo.ceilings.pacedForwarder1200.forwarder?.cpuUsPerDatagram ?? '-'} µs per datagram (both directions), its ends ${lo.ceilings.pacedForwarder1200.sender.cpuUsPerDatagram} / ${lo.ceilings.pacedForwarder1200.receiver.cpuUsPerDatagram} µs; ${budgetText(lo, 'relayed')}`
          : null,
      loadAvg1: rl?.loadAvgBefore?.[0] ?? null,
    });
  }
  const lab = r.lab;
  if (lab?.cases) {
    // (per-core figures below: see perCoreBps)
    const ceilingDirect = lab.ceilings?.paced1472?.receiver?.bytesPerSec ?? null;
    const ceilingRelayed = lab.ceilings?.pacedForwarder1472?.receiver?.bytesPerSec ?? null;
    for (const [lossKey, lossLabel] of [['lossless', 'lossless'], ['loss1pct', `${lab.lossPermille / 10} % loss`]]) {
      const c = lab.cases[lossKey];
      if (!c) continue;
      for (const [mode, ours, wh, ceiling] of [
        ['direct', c.oursDirect, c.wormholeDirect, ceilingDirect],
        ['relayed', c.oursRelayed, c.wormholeRelayed, ceilingRelayed],
      ]) {
        const whBps = good(wh);
        const rt = ratio(good(ours), whBps);
        const wallRatio = ours?.completed && wh?.completed ? ratio(ours.fileBytes / ours.fromCommandSeconds, wh.wallGoodputBps) : null;
        const lossless = lossKey === 'lossless' ? null : lab.cases.lossless?.[mode === 'direct' ? 'oursDirect' : 'oursRelayed'];
        rows.push({
          key: `lab_${mode}_${lossKey}`,
          figure: `lab (MTU 1500), ${mode}, ${lossLabel}`,
          goodputBps: good(ours),
          baseline: `magic-wormhole ${mode}${wh?.path && wh.path !== (mode === 'direct' ? 'direct' : 'relay') ? ` (went ${wh.path}!)` : ''}, data phase`,
          baselineBps: whBps,
          baselineWallBps: wh?.completed ? wh.wallGoodputBps : null,
          ratio: rt,
          wallRatio,
          target: TARGETS.labVsWormhole,
          met: rt === null ? (ours && !ours.completed ? false : null) : rt >= TARGETS.labVsWormhole,
          perCoreBps: perCoreBps(ours),
          baselinePerCoreBps: perCoreBps(wh),
          why:
            rt === null || rt < TARGETS.labVsWormhole
              ? `${diagnose(ours, { baselineBps: whBps, ceilingBps: lossKey === 'lossless' ? ceiling : null, lossless, baselineRow: wh, ceilingRow: mode === 'direct' ? lab.ceilings?.paced1472 : lab.ceilings?.pacedForwarder1472 })}. ${oursEvidence(ours)}`
              : null,
          loadAvg1: ours?.loadAvgBefore?.[0] ?? null,
        });
      }
    }
  }
  // The load-independent check: per-core figures (bytes per CPU second of the busiest process).
  // On this shared VM a wall-clock ratio can pass because the load fell on the baseline's runs.
  for (const x of rows) {
    x.perCoreRatio = ratio(x.perCoreBps, x.baselinePerCoreBps);
    if (x.met === true && x.perCoreRatio !== null && x.perCoreRatio < x.target) {
      x.caveat =
        `met on wall-clock goodput, but per CPU second ours moves ${mbs(x.perCoreBps)} against the baseline's ${mbs(x.baselinePerCoreBps)} (${x.perCoreRatio} ×, below ${x.target}): ` +
        'a core per process and nothing else running would put the ratio near that: the wall-clock pass is most likely the machine\'s load falling unevenly on the runs';
    }
  }
  return { rows, targets: TARGETS };
}

// ---------------------------------------------------------------------------------------------
// Printing

export function pathLabRows(r) {
  const rows = [];
  const lo = r.loopback;
  const pacedRow = (where, k, c) =>
    c && {
      where,
      case: `baseline: paced dgram ${c.viaForwarder ? 'via bare forwarder' : '1 hop'}`,
      dgram: c.datagramSize,
      goodput: mbs(c.receiver.bytesPerSec),
      'CPU µs/dgram s/m/r': `${c.sender.cpuUsPerDatagram}/${c.forwarder?.cpuUsPerDatagram ?? '-'}/${c.receiver.cpuUsPerDatagram}`,
      retx: `${c.sender.resentPct} %`,
      sha256: '-',
      runs: runsText(c),
      note: `window ${c.windowDatagrams}, ack every ${c.ackEvery}${c.sender.timeouts ? `, ${c.sender.timeouts} timeouts` : ''}`,
    };
  const oursRow = (where, name, c) =>
    c && {
      where,
      case: name,
      dgram: c.lane?.endsWith('tcp') ? 'TCP lane' : c.datagramBytes ?? '?',
      goodput: mbs(good(c)) + (c.completed ? '' : ` (unfinished: ${mbs(c.goodputBps)})`),
      'CPU µs/dgram s/m/r': c.cpuUsPerDataDatagram ? `${c.cpuUsPerDataDatagram.sender}/${c.cpuUsPerDataDatagram.relay}/${c.cpuUsPerDataDatagram.receiver}` : '-',
      retx: c.engine ? `${c.engine.retransmittedPct} %` : '-',
      sha256: c.sha256Ok === true ? 'ok' : c.sha256Ok === false ? 'BAD' : '-',
      runs: runsText(c),
      note: [lossText(c.loss), c.error ?? ''].filter(Boolean).join('; '),
    };
  if (lo) {
    for (const [k, c] of Object.entries(lo.ceilings)) rows.push(pacedRow('loopback', k, c));
    for (const c of Object.values(lo.dropRate)) {
      rows.push({ where: 'loopback', case: `drop rate: unpaced raw dgram ${c.viaForwarder ? 'via forwarder' : '1 hop'} (not a ceiling)`, dgram: c.datagramSize, goodput: `${c.receiverMBps} MB/s`, 'CPU µs/dgram s/m/r': '-', retx: '-', sha256: '-', runs: '', note: `${c.lossPct} % of ${c.sent} datagrams lost (sender ${c.senderMBps} MB/s)` });
    }
    rows.push(oursRow('loopback', 'ours, datagram engine, direct (--udp-only)', lo.cases.direct1200));
    rows.push(oursRow('loopback', 'ours, datagram engine, relayed (--relay-only --udp-only)', lo.cases.relayed1200));
    rows.push(oursRow('loopback', 'ours, default: direct TCP lane', lo.cases.directLane));
    rows.push(oursRow('loopback', 'ours, default: relay transit lane (--relay-only)', lo.cases.relayedLane));
  }
  const lab = r.lab;
  if (lab) {
    for (const [k, c] of Object.entries(lab.ceilings ?? {})) {
      if (c.baseline === 'tcpStream') {
        rows.push({ where: 'lab', case: 'reference: one Node TCP connection, no crypto', dgram: 'TCP', goodput: mbs(c.receiver.bytesPerSec), 'CPU µs/dgram s/m/r': `CPU ms ${c.sender.cpuMs}/-/${c.receiver.cpuMs}`, retx: '-', sha256: '-', runs: '', note: '64 KiB writes; the kernel segments, acks and retransmits' });
      } else rows.push(pacedRow('lab', k, c));
    }
    for (const [lossKey, cases] of Object.entries(lab.cases ?? {})) {
      const where = lossKey === 'lossless' ? 'lab' : `lab ${lab.lossPermille / 10} %`;
      rows.push(oursRow(where, 'ours, relayed (--relay-only): transit lane', cases.oursRelayed));
      rows.push(oursRow(where, 'ours, direct: direct TCP lane', cases.oursDirect));
      rows.push(oursRow(where, 'ours, relayed, datagram engine (--udp-only)', cases.oursRelayedUdp));
      rows.push(oursRow(where, 'ours, direct, datagram engine (--udp-only)', cases.oursDirectUdp));
      for (const [k, name] of [['wormholeDirect', 'magic-wormhole, direct'], ['wormholeRelayed', 'magic-wormhole, via transit relay']]) {
        const c = cases[k];
        if (!c) continue;
        rows.push({
          where,
          case: `baseline: ${name}`,
          dgram: 'TCP',
          goodput: c.completed ? `${mbs(c.goodputBps)} (wall ${mbs(c.wallGoodputBps)})` : 'FAILED',
          'CPU µs/dgram s/m/r': c.cpuSeconds ? `CPU s ${c.cpuSeconds.sender}/${k === 'wormholeRelayed' ? c.cpuSeconds.transitRelay : '-'}/${c.cpuSeconds.receiver}` : '-',
          retx: '-',
          sha256: c.sha256Ok === true ? 'ok' : c.sha256Ok === false ? 'BAD' : '-',
          runs: runsText(c),
          note: [c.connection ? `via ${c.connection}` : '', lossText(c.loss), c.note ?? '', c.completed ? '' : (c.error ?? '').slice(0, 200)].filter(Boolean).join('; '),
        });
      }
    }
  }
  return rows.filter(Boolean);
}

export function printPathLab(r) {
  const where = [r.loopback ? 'loopback' : '', r.lab ? `a lab of namespaces on one bridge (MTU ${r.lab.mtu}, offloads off, ${r.lab.lossPermille / 10} % per-packet loss at each client's ingress in the lossy rows)` : ''].filter(Boolean);
  console.log(`\npathLab (${r.quick ? 'quick' : 'default'}): ${r.fileBytes / MiB} MiB; ${where.join(', and ') || 'nothing ran'}; load ${r.loadAvgBefore.join(' ')} → ${r.loadAvgAfter.join(' ')}`);
  table(pathLabRows(r));
  console.log('  goodput: ours = file ÷ (transfer-started → file-received); magic-wormhole = file ÷ its receiver\'s "rx file" span (--dump-timing), wall = from starting both processes to the file complete');
  console.log('  CPU µs/dgram s/m/r = sender / middle (relay, forwarder) / receiver, per data datagram; "runs" = every run\'s MB/s (best counts)');
  console.log('  per core = file bytes ÷ CPU seconds of the busiest process: what it could move with a core to itself, whatever the machine\'s load');
  console.log('');
  table(
    r.summary.rows.map((x) => ({
      figure: x.figure,
      ours: mbs(x.goodputBps),
      baseline: `${x.baseline} ${mbs(x.baselineBps)}${x.baselineWallBps ? ` (wall ${mbs(x.baselineWallBps)})` : ''}`,
      ratio: x.ratio ?? '-',
      'wall ratio': x.wallRatio ?? '',
      'per core ours/base': x.perCoreBps ? `${mbs(x.perCoreBps)} / ${mbs(x.baselinePerCoreBps)} = ${x.perCoreRatio ?? '-'}` : '',
      target: `≥ ${x.target.toFixed(2)}`,
      met: x.met === true ? 'yes' : x.met === false ? 'NO' : '-',
      load: x.loadAvg1 ?? '',
    })),
  );
  for (const x of r.summary.rows.filter((y) => y.caveat)) console.log(`  caveat ${x.figure}: ${x.caveat}`);
  for (const x of r.summary.rows.filter((y) => y.why)) console.log(`  why ${x.figure}: ${x.why}`);
  for (const [k, v] of Object.entries(r.errors)) console.log(`  ${k} FAILED: ${v.split('\n')[0]}`);
}

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (isMain) {
  const only = argValue('--only')?.split(',').map((s) => s.trim());
  const rep = argValue('--repeats') ? Number(argValue('--repeats')) : undefined;
  const kinds = argValue('--kinds')?.split(',').map((s) => s.trim());
  const res = await runPathLabBench({ quick: isQuick(), only, repeats: rep, labRepeats: rep, kinds, loss: argValue('--loss') });
  printPathLab(res);
  if (process.argv.includes('--json')) console.log(JSON.stringify(res, null, 2));
  if (process.argv.includes('--write')) console.error(`wrote ${writeResult('pathLab', res)}`);
  process.exit(0);
}
