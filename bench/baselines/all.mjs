#!/usr/bin/env node
// Run every baseline one after another and return (or print) their results.
//
//   node bench/baselines/all.mjs [--quick] [--write]
//
// Exports runBaselines({ quick, only }) -> { quick, loadAvgBefore, rawDgram, tftp, ircBurst, errors }.
// A baseline that fails (e.g. apt-get not allowed) is reported in `errors` instead of aborting
// the others.

import { pathToFileURL } from 'node:url';
import { ircBurstRows, measureIrcBurst } from './ircBurst.mjs';
import { rawDgramRows, runRawDgramSuite } from './rawDgram.mjs';
import { measureTftp, tftpRows } from './tftp.mjs';
import { MiB, isQuick, loadAvg, table, writeResult } from '../lib/stats.mjs';

/**
 * @param {{ quick?: boolean, only?: Array<'rawDgram'|'tftp'|'ircBurst'> }} [o]
 */
export async function runBaselines({ quick = isQuick(), only = ['rawDgram', 'tftp', 'ircBurst'] } = {}) {
  const out = { quick, loadAvgBefore: loadAvg(), errors: {} };
  const steps = {
    rawDgram: () => runRawDgramSuite({ quick }),
    tftp: () => measureTftp({ bytes: quick ? 32 * MiB : 256 * MiB }),
    ircBurst: () => measureIrcBurst({ clients: quick ? 100 : 300 }),
  };
  for (const name of only) {
    try {
      out[name] = await steps[name]();
    } catch (err) {
      out.errors[name] = String(err?.stack ?? err);
    }
  }
  return out;
}

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (isMain) {
  const res = await runBaselines();
  if (res.rawDgram) {
    console.log('\nrawDgram: Node dgram, two processes, 127.0.0.1');
    table(rawDgramRows(res.rawDgram.runs));
  }
  if (res.tftp) {
    console.log(`\ntftp: ${res.tftp.implementation}`);
    table(tftpRows(res.tftp));
  }
  if (res.ircBurst) {
    console.log(`\nircBurst: ${res.ircBurst.server}`);
    table(ircBurstRows(res.ircBurst));
  }
  for (const [k, v] of Object.entries(res.errors)) console.error(`\n${k} FAILED: ${v}`);
  if (process.argv.includes('--write')) console.error(`\nwrote ${writeResult('baselines', res)}`);
  if (Object.keys(res.errors).length) process.exitCode = 1;
}
