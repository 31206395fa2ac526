// File and kernel-counter helpers shared by the baselines and our own benchmarks.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { MiB } from './stats.mjs';

/** Writes `bytes` of random content to `file`; returns its SHA-256 (hex). */
export function randomFile(file, bytes) {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'w', 0o644);
  try {
    const chunk = Buffer.allocUnsafe(Math.min(bytes, 4 * MiB) || 1);
    let left = bytes;
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      const part = n === chunk.length ? chunk : chunk.subarray(0, n);
      crypto.randomFillSync(part);
      hash.update(part);
      let off = 0;
      while (off < n) off += fs.writeSync(fd, part, off, n - off);
      left -= n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** SHA-256 (hex) of a file, streamed. */
export async function sha256File(file) {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 * MiB })) hash.update(chunk);
  return hash.digest('hex');
}

/** Kernel UDP counters (system-wide, /proc/net/snmp); null when unreadable. */
export function udpSnmp() {
  try {
    const lines = fs.readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const keys = lines[0].trim().split(/\s+/).slice(1);
    const vals = lines[1].trim().split(/\s+/).slice(1).map(Number);
    return Object.fromEntries(keys.map((k, i) => [k, vals[i]]));
  } catch {
    return null;
  }
}
