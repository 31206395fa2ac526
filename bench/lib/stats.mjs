// Statistics, formatting and result-file helpers for the benchmark suite.
// Plain Node ESM, built-ins only, no build step.
//
// Units used throughout the suite: MB = 10^6 bytes, MiB = 2^20 bytes; "MB/s" is 10^6 bytes/s.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Default results folder: bench/results (override with env BENCH_RESULTS_DIR). */
export const RESULTS_DIR = path.resolve(here, '..', 'results');

export const MB = 1e6;
export const MiB = 1024 * 1024;

/** True when the fast smoke variant was asked for (env BENCH_QUICK=1 or `--quick` on the command line). */
export function isQuick() {
  const q = process.env.BENCH_QUICK;
  return (q !== undefined && q !== '' && q !== '0' && q.toLowerCase() !== 'false') || process.argv.includes('--quick');
}

/** Monotonic clock in nanoseconds as a Number (exact while uptime < ~104 days). */
export function nowNs() {
  return Number(process.hrtime.bigint());
}

/** Monotonic clock in milliseconds (float). */
export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Sort a copy of numeric values ascending (typed arrays sort numerically). */
function sortedCopy(values) {
  return Float64Array.from(values).sort();
}

/**
 * Percentile by linear interpolation between closest ranks (like numpy's default).
 * @param {ArrayLike<number>} values  numbers (any order)
 * @param {number} p                  0..100
 * @param {boolean} [isSorted]        skip sorting when the input is already ascending
 */
export function percentile(values, p, isSorted = false) {
  const n = values.length;
  if (n === 0) return NaN;
  const s = isSorted ? values : sortedCopy(values);
  if (p <= 0) return s[0];
  if (p >= 100) return s[n - 1];
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo] + (s[hi] - s[lo]) * (rank - lo);
}

export function mean(values) {
  const n = values.length;
  if (n === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  return sum / n;
}

export function stddev(values) {
  const n = values.length;
  if (n < 2) return 0;
  const m = mean(values);
  let acc = 0;
  for (let i = 0; i < n; i++) acc += (values[i] - m) ** 2;
  return Math.sqrt(acc / (n - 1));
}

/**
 * Summary of a sample: { count, min, max, mean, stddev, p50, p90, p99, p999 }.
 * @param {ArrayLike<number>} values
 */
export function summarize(values) {
  const n = values.length;
  if (n === 0) return { count: 0, min: NaN, max: NaN, mean: NaN, stddev: NaN, p50: NaN, p90: NaN, p99: NaN, p999: NaN };
  const s = sortedCopy(values);
  return {
    count: n,
    min: s[0],
    max: s[n - 1],
    mean: mean(s),
    stddev: stddev(s),
    p50: percentile(s, 50, true),
    p90: percentile(s, 90, true),
    p99: percentile(s, 99, true),
    p999: percentile(s, 99.9, true),
  };
}

/** Round to `digits` decimals (keeps JSON results readable). */
export function round(x, digits = 3) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Number with thousands separators: 269100 -> "269,100". */
export function fmtInt(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return String(n);
  return Math.round(n).toLocaleString('en-US');
}

/** Number with fixed decimals. */
export function fmtNum(n, digits = 1) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return String(n);
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Bytes in human units (binary): 4194304 -> "4.0 MiB". */
export function fmtBytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return String(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Bytes per second as "123.4 MB/s" (MB = 10^6 bytes). */
export function fmtRate(bytesPerSec) {
  if (typeof bytesPerSec !== 'number' || !Number.isFinite(bytesPerSec)) return String(bytesPerSec);
  if (bytesPerSec >= 1e9) return `${(bytesPerSec / 1e9).toFixed(2)} GB/s`;
  return `${(bytesPerSec / MB).toFixed(1)} MB/s`;
}

/** Milliseconds: "61.2 ms", or µs below 1 ms. */
export function fmtMs(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return String(ms);
  if (ms < 1) return `${(ms * 1000).toFixed(1)} µs`;
  if (ms < 10_000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Percentage with 2 decimals: 0.0412 -> "4.12 %" (input is a fraction when `isFraction`). */
export function fmtPct(x, isFraction = false) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return String(x);
  return `${(isFraction ? x * 100 : x).toFixed(2)} %`;
}

function cellText(v) {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? fmtInt(v) : fmtNum(v, 2);
  return String(v);
}

/**
 * Format rows (array of plain objects, or array of arrays with a header row first) as an
 * aligned text table. Numbers are right-aligned. Returns the string.
 * @param {Array<object>|Array<Array<any>>} rows
 * @param {{ columns?: string[] }} [opts]  column order / subset for object rows
 */
export function formatTable(rows, opts = {}) {
  if (!rows || rows.length === 0) return '(no rows)';
  let header;
  let body;
  if (Array.isArray(rows[0])) {
    header = rows[0].map(String);
    body = rows.slice(1);
  } else {
    header = opts.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
    body = rows.map((r) => header.map((k) => r[k]));
  }
  const numeric = header.map((_, c) => body.every((r) => r[c] === undefined || r[c] === null || typeof r[c] === 'number'));
  const cells = body.map((r) => header.map((_, c) => cellText(r[c])));
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((r) => r[c].length)));
  const pad = (s, c) => (numeric[c] ? s.padStart(widths[c]) : s.padEnd(widths[c]));
  const line = (r) => r.map((s, c) => pad(s, c)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** Print rows as a table to stdout (see formatTable); returns the string. */
export function table(rows, opts) {
  const s = formatTable(rows, opts);
  console.log(s);
  return s;
}

/** Machine description stored with every result. */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    logicalCpus: cpus.length,
    totalMemBytes: os.totalmem(),
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    kernel: os.release(),
    kernelVersion: typeof os.version === 'function' ? os.version() : undefined,
    loadAvg: loadAvg(),
  };
}

/** 1/5/15-minute load averages, rounded. On a 2-core machine anything near 2 means the
 * benchmark competed for CPU and its figures are low. */
export function loadAvg() {
  return os.loadavg().map((x) => round(x, 2));
}

/**
 * Write `{ name, timestamp, machine, result }` as JSON to `<dir>/<name>.json`
 * (dir: opts.dir, else env BENCH_RESULTS_DIR, else bench/results). Written to a `.tmp`
 * file first and renamed, so readers never see half a file. Returns the path.
 * @param {string} name  file stem, e.g. "baseline-rawDgram"
 * @param {unknown} obj  JSON-able result
 * @param {{ dir?: string }} [opts]
 */
export function writeResult(name, obj, opts = {}) {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`writeResult: bad result name ${JSON.stringify(name)}`);
  const dir = opts.dir ?? process.env.BENCH_RESULTS_DIR ?? RESULTS_DIR;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  const doc = { name, timestamp: new Date().toISOString(), machine: machineInfo(), result: obj };
  fs.writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n');
  fs.renameSync(tmp, file);
  return file;
}
