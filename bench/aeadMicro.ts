/**
 * Micro-benchmark of packet protection alone: PacketSealer.seal + PacketOpener.open per datagram,
 * the way PeerLink uses them (a fresh output buffer per datagram, header as AAD, sealed in place
 * after it). bench/transfer.mjs bundles this twice (bench/lib/nullCipherBuild.mjs): with
 * ChaCha20-Poly1305 and with the benchmark's null cipher, so the difference is the cipher.
 *
 *   node bench/.build/aeadMicro-cipher.js [--sizes 1200,65000] [--ms 300] [--rounds 5]
 *
 * Tunes its process as the relay and the terminal client tune theirs (src/shared/heapTuning.ts), so the
 * figures are those of our own processes.
 *
 * Prints one JSON object: per datagram size, the best round's µs per seal, per open and per
 * seal + open (best = least disturbed by other work on the machine), and the rounds' spread.
 * Where the client seals file data in records (chunks up to 8 KiB, docs/protocol.md "Records"),
 * also seal + open per chunk in records of `recordChunksFor(chunk)` chunks, the way file data is
 * sealed as shipped (`records`); `perChunkAsShipped` is that, or the per-packet figure.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AEAD_TAG_BYTES, PacketOpener, PacketSealer } from '../src/crypto/aead';
import { RECORD_PREFIX_BYTES, SEALED_PREFIX_BYTES, recordAad, recordChunksFor } from '../src/protocol/peerPackets';
import { tuneOwnProcess } from '../src/shared/heapTuning';

tuneOwnProcess();

/** Datagrams per timed batch: large enough that reading the clock is noise, small enough to stay in cache. */
const BATCH = 64;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

interface Round {
  sealUs: number;
  openUs: number;
}

function round(datagramBytes: number, ms: number, state: { pn: number; sealer: PacketSealer; opener: PacketOpener }): Round {
  const payload = randomBytes(datagramBytes - SEALED_PREFIX_BYTES - AEAD_TAG_BYTES);
  const outs: Buffer[] = new Array(BATCH);
  const pns: number[] = new Array(BATCH);
  let sealNs = 0;
  let openNs = 0;
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    let t = performance.now();
    for (let i = 0; i < BATCH; i++) {
      const pn = state.pn++;
      const out = Buffer.allocUnsafe(SEALED_PREFIX_BYTES + payload.length + AEAD_TAG_BYTES);
      out.fill(0x5a, 0, SEALED_PREFIX_BYTES); // stands for the header writeSealedPrefix writes
      state.sealer.seal(pn, out.subarray(0, SEALED_PREFIX_BYTES), payload, out, SEALED_PREFIX_BYTES);
      outs[i] = out;
      pns[i] = pn;
    }
    sealNs += (performance.now() - t) * 1e6;
    t = performance.now();
    for (let i = 0; i < BATCH; i++) {
      const out = outs[i];
      const plain = state.opener.open(pns[i], out.subarray(0, SEALED_PREFIX_BYTES), out.subarray(SEALED_PREFIX_BYTES));
      if (plain === null || plain.length !== payload.length) throw new Error('a sealed packet did not open');
    }
    openNs += (performance.now() - t) * 1e6;
    n += BATCH;
  }
  return { sealUs: sealNs / n / 1000, openUs: openNs / n / 1000 };
}

/** Seal + open per chunk when `k` chunks of this datagram size are sealed as one record. */
function recordRound(datagramBytes: number, k: number, ms: number, state: { pn: number; sealer: PacketSealer; opener: PacketOpener }): number {
  // The chunk of a full fragment: a last fragment (with the tag) is the datagram size.
  const chunk = datagramBytes - RECORD_PREFIX_BYTES - AEAD_TAG_BYTES;
  const parts = Array.from({ length: k }, () => randomBytes(chunk));
  const chunks = Array.from({ length: k }, (_, i) => i);
  let ns = 0;
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t = performance.now();
    for (let i = 0; i < BATCH; i += k) {
      const pn = state.pn++;
      const sealed = state.sealer.sealParts(pn, recordAad(1, pn, 7, chunks, parts), parts);
      const plain = state.opener.openParts(pn, recordAad(1, pn, 7, chunks, sealed.parts), sealed.parts, sealed.tag);
      if (plain === null || plain.length !== k) throw new Error('a sealed record did not open');
      n += k;
    }
    ns += (performance.now() - t) * 1e6;
  }
  return ns / n / 1000;
}

const sizes = arg('--sizes', '1200,65000').split(',').map(Number);
const ms = Number(arg('--ms', '300'));
const rounds = Number(arg('--rounds', '5'));
const key = randomBytes(32);
const iv = randomBytes(12);
const state = { pn: 0, sealer: new PacketSealer(key, iv), opener: new PacketOpener(key, iv) };
const result = sizes.map((datagramBytes) => {
  round(datagramBytes, Math.min(100, ms), state); // warm-up (JIT, allocator)
  const all: Round[] = [];
  for (let r = 0; r < rounds; r++) all.push(round(datagramBytes, ms, state));
  const best = all.reduce((a, b) => (b.sealUs + b.openUs < a.sealUs + a.openUs ? b : a));
  const totals = all.map((x) => x.sealUs + x.openUs);
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  const k = recordChunksFor(datagramBytes - RECORD_PREFIX_BYTES - AEAD_TAG_BYTES);
  let records: { chunksPerRecord: number; sealOpenUsPerChunk: number; rounds: number[] } | null = null;
  if (k >= 2) {
    recordRound(datagramBytes, k, Math.min(100, ms), state);
    const rr: number[] = [];
    for (let r = 0; r < rounds; r++) rr.push(recordRound(datagramBytes, k, ms, state));
    records = { chunksPerRecord: k, sealOpenUsPerChunk: r3(Math.min(...rr)), rounds: rr.map(r3) };
  }
  return {
    datagramBytes,
    plaintextBytes: datagramBytes - SEALED_PREFIX_BYTES - AEAD_TAG_BYTES,
    sealUs: r3(best.sealUs),
    openUs: r3(best.openUs),
    sealOpenUs: r3(best.sealUs + best.openUs),
    sealOpenUsRounds: totals.map(r3),
    records,
    perChunkAsShipped: records ? records.sealOpenUsPerChunk : r3(best.sealUs + best.openUs),
  };
});
process.stdout.write(`${JSON.stringify({ rounds, msPerRound: ms, sizes: result })}\n`);
