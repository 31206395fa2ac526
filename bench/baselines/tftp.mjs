#!/usr/bin/env node
// Baseline: windowed TFTP (RFC 7440) implemented in C — Debian's atftpd server and atftp client —
// fetching one file over 127.0.0.1, with the lock-step (window 1) variant for comparison.
//
// atftpd runs in the foreground (`--daemon --no-fork`) on a free 127.0.0.1 port, serving a temp
// folder holding a generated random file. atftp fetches it with `--option "blksize 1428"` and
// (windowed variant) `--option "windowsize 16"`. The options really negotiated are read back from
// atftpd's log ("windowsize option -> 16", "blksize option -> 1428"). The fetched file's SHA-256
// is compared with the original. Everything (server, temp folder) is removed afterwards.
//
//   node bench/baselines/tftp.mjs                 256 MiB file
//   BENCH_QUICK=1 node bench/baselines/tftp.mjs   32 MiB file
//   node bench/baselines/tftp.mjs --write         also write bench/results/baseline-tftp.json
//
// Needs root the first time to install the packages: apt-get install -y atftpd atftp.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  addCleanup,
  ensureAptPackages,
  freeUdpPort,
  killChild,
  run,
  spawnTracked,
  waitForUdpBound,
} from '../lib/procs.mjs';
import { MB, MiB, isQuick, loadAvg, round, table, writeResult } from '../lib/stats.mjs';
import { randomFile as generateFile, sha256File } from '../lib/files.mjs';

const FILE_NAME = 'payload.bin';

/** Negotiated options found in a slice of atftpd's log (one transfer). */
function parseServerLog(text) {
  const num = (re) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : null;
  };
  return {
    windowsize: num(/windowsize option -> (\d+)/),
    blksize: num(/blksize option -> (\d+)/),
    endOfTransfer: /End of transfer/.test(text),
    serving: /Serving \S+ to/.test(text),
    // atftpd logs "timeout: retrying..." each time it had to resend after its retry timeout.
    timeouts: (text.match(/timeout: retrying/g) ?? []).length,
  };
}

/**
 * Time atftp fetching a generated file from atftpd over 127.0.0.1.
 *
 * @param {object} [o]
 * @param {number} [o.bytes=256 MiB]     file size
 * @param {number} [o.blockSize=1428]    RFC 2348 blksize
 * @param {number} [o.windowSize=16]     RFC 7440 windowsize of the windowed variant
 * @param {boolean} [o.lockstep=true]    also run without the windowsize option (window 1)
 * @param {number} [o.repeat=1]          fetches per variant
 * @param {string} [o.tmpDir=os.tmpdir()] where the served file and the fetched copies live
 * @param {number} [o.timeoutMs=120000]  limit per fetch
 * @returns {Promise<{
 *   baseline: 'tftp', implementation: string, fileBytes: number, blockSize: number,
 *   loadAvgBefore: number[], aptInstalled: string[],
 *   runs: Array<{ variant: 'window'|'lockstep', requested: { blksize: number, windowsize: number|null },
 *     negotiated: { blksize: number|null, windowsize: number|null }, seconds: number,
 *     bytesPerSec: number, MBps: number, sha256Ok: boolean, sizeOk: boolean, exitCode: number|null,
 *     serverTimeouts: number }>,
 *   best: { window?: number, lockstep?: number }   // MB/s, best run per variant
 * }>}
 */
export async function measureTftp(o = {}) {
  const bytes = o.bytes ?? 256 * MiB;
  const blockSize = o.blockSize ?? 1428;
  const windowSize = o.windowSize ?? 16;
  const lockstep = o.lockstep ?? true;
  const repeat = o.repeat ?? 1;
  const timeoutMs = o.timeoutMs ?? 120_000;

  const apt = await ensureAptPackages(['atftpd', 'atftp'], ['atftpd', 'atftp']);
  const v = await run(apt.paths.atftp, ['--version'], { timeoutMs: 5000 });
  const version = `${v.stdout}${v.stderr}`.trim().split('\n')[0].replace(/ \(client\)$/, '') || 'atftp';

  const work = fs.mkdtempSync(path.join(o.tmpDir ?? os.tmpdir(), 'peerchat-tftp-'));
  const removeWork = addCleanup(() => fs.rmSync(work, { recursive: true, force: true }));
  let server;
  try {
    const serveDir = path.join(work, 'serve');
    const fetchDir = path.join(work, 'fetch');
    fs.mkdirSync(serveDir, { mode: 0o755 });
    fs.mkdirSync(fetchDir);
    fs.chmodSync(work, 0o755); // atftpd may drop privileges; let it reach serveDir
    const logFile = path.join(work, 'atftpd.log');
    // atftpd opens --logfile with O_WRONLY|O_APPEND and no O_CREAT: without an existing file it
    // silently logs to syslog instead. Create it first.
    fs.writeFileSync(logFile, '', { mode: 0o666 });
    const sourceSha = await generateFile(path.join(serveDir, FILE_NAME), bytes);

    const port = await freeUdpPort();
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const user = isRoot ? 'root' : os.userInfo().username;
    const group = isRoot ? 'root' : (await run('id', ['-gn'], { timeoutMs: 5000 })).stdout.trim();
    server = spawnTracked(
      apt.paths.atftpd,
      [
        '--daemon',
        '--no-fork',
        '--bind-address', '127.0.0.1',
        '--port', String(port),
        '--user', user,
        '--group', group,
        '--logfile', logFile,
        '--verbose=7', // level 7 logs the negotiated options of each transfer (not per packet)
        serveDir,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let serverErr = '';
    server.stderr.setEncoding('utf8');
    server.stderr.on('data', (d) => (serverErr += d));
    if (!(await waitForUdpBound(port, '127.0.0.1', 5000))) {
      throw new Error(`atftpd did not bind 127.0.0.1:${port}: ${serverErr}${fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''}`);
    }

    const variants = [{ variant: 'window', windowsize: windowSize }];
    if (lockstep) variants.push({ variant: 'lockstep', windowsize: null });
    const loadAvgBefore = loadAvg();
    const runs = [];
    for (const v of variants) {
      for (let i = 0; i < repeat; i++) {
        const out = path.join(fetchDir, `${v.variant}-${i}.bin`);
        const logOffset = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
        const args = ['--get', '-r', FILE_NAME, '-l', out, '--option', `blksize ${blockSize}`];
        if (v.windowsize) args.push('--option', `windowsize ${v.windowsize}`);
        args.push('127.0.0.1', String(port));
        const r = await run(apt.paths.atftp, args, { timeoutMs, cwd: fetchDir });
        if (server.exitCode !== null) throw new Error(`atftpd exited (code ${server.exitCode}): ${serverErr}`);
        // The server logs "End of transfer" from its thread; give it a moment to land.
        let neg = { windowsize: null, blksize: null, endOfTransfer: false, timeouts: 0 };
        for (let k = 0; k < 50 && !neg.endOfTransfer; k++) {
          const text = fs.readFileSync(logFile, 'utf8').slice(logOffset);
          neg = parseServerLog(text);
          if (!neg.endOfTransfer) await new Promise((res) => setTimeout(res, 10));
        }
        const size = fs.existsSync(out) ? fs.statSync(out).size : -1;
        const sha = size >= 0 ? await sha256File(out) : null;
        fs.rmSync(out, { force: true });
        const seconds = r.ms / 1000;
        const okRun = r.code === 0 && size === bytes && sha === sourceSha;
        if (!okRun) {
          throw new Error(
            `atftp ${v.variant} fetch failed: exit ${r.code}${r.timedOut ? ' (timed out)' : ''}, ` +
              `size ${size}/${bytes}, sha ${sha === sourceSha ? 'ok' : 'MISMATCH'}\n${r.stdout}${r.stderr}`,
          );
        }
        runs.push({
          variant: v.variant,
          requested: { blksize: blockSize, windowsize: v.windowsize },
          // atftpd logs only the options it accepted; no windowsize line = window 1 (lock-step).
          negotiated: { blksize: neg.blksize, windowsize: neg.windowsize ?? (v.windowsize ? null : 1) },
          seconds: round(seconds, 4),
          bytesPerSec: round(bytes / seconds, 0),
          MBps: round(bytes / seconds / MB, 1),
          sha256Ok: sha === sourceSha,
          sizeOk: size === bytes,
          exitCode: r.code,
          serverTimeouts: neg.timeouts,
        });
        if (v.windowsize && neg.windowsize !== v.windowsize) {
          throw new Error(`windowsize ${v.windowsize} was not negotiated (server log says ${neg.windowsize})`);
        }
      }
    }
    const best = {};
    for (const r of runs) best[r.variant] = Math.max(best[r.variant] ?? 0, r.MBps);
    return {
      baseline: 'tftp',
      implementation: `${version} (atftpd server + atftp client, Debian packages)`,
      fileBytes: bytes,
      blockSize,
      loadAvgBefore,
      aptInstalled: apt.installed,
      runs,
      best,
    };
  } finally {
    if (server) await killChild(server, { graceMs: 1000 });
    removeWork();
  }
}

export function tftpRows(result) {
  return result.runs.map((r) => ({
    variant: r.variant,
    file: `${result.fileBytes / MiB} MiB`,
    'blksize req/got': `${r.requested.blksize}/${r.negotiated.blksize}`,
    'window req/got': `${r.requested.windowsize ?? '-'}/${r.negotiated.windowsize}`,
    seconds: r.seconds.toFixed(3),
    'MB/s': r.MBps.toFixed(1),
    sha256: r.sha256Ok ? 'ok' : 'BAD',
    'srv timeouts': r.serverTimeouts,
  }));
}

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (isMain) {
  const quick = isQuick();
  const res = await measureTftp({ bytes: quick ? 32 * MiB : 256 * MiB });
  console.log(`tftp baseline (${quick ? 'quick' : 'default'}): ${res.implementation}, 127.0.0.1\n`);
  table(tftpRows(res));
  console.log('');
  console.log(JSON.stringify({ quick, ...res }, null, 2));
  if (process.argv.includes('--write')) console.error(`wrote ${writeResult('baseline-tftp', { quick, ...res })}`);
}
