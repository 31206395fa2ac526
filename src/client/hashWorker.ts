/**
 * SHA-256 of files being received, computed on a worker thread (docs/protocol.md "File
 * transfer"). A receiver's main thread reads the socket, opens records and hands blocks to the
 * disk; hashing the same bytes there too took about a third of its time on a 1500-MTU path,
 * where that thread is what limits the transfer. The worker reads the file back as its
 * contiguous prefix grows (the bytes are in the page cache: a copy, not a disk read) and hashes
 * it, so the main thread only tells it how far the prefix reaches.
 *
 * One worker per client process, started with the first file that needs it, unreferenced while
 * nothing waits on it. If it cannot start or dies, every hasher of it falls back to hashing the
 * file on the main thread (`digest()` never depends on the worker having worked).
 */
import type { promises as fs } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { PrefixHasher, type FileHasher } from './prefixHasher';

/** Files at least this big are hashed off the main thread (smaller ones cost less than a worker's message). */
export const OFF_THREAD_HASH_MIN_BYTES = 4 * 1024 * 1024;
/** The main thread tells the worker about a longer prefix once it has grown this much. */
const EXTEND_STEP_BYTES = 4 * 1024 * 1024;
/** The worker thread's nice value on Linux (the client's other threads stay at theirs). */
const WORKER_NICE = 10;
/** Bytes the worker reads per positional read. */
const READ_BYTES = 1024 * 1024;

// Plain JavaScript, evaluated as the worker's script (no second bundle to ship or find).
// On Linux the worker lowers its own thread's priority (setpriority on a thread id affects that
// thread only; elsewhere it would renice the whole client, so it does not): hashing can wait
// for the end, the threads that read the socket and answer the sender cannot.
const WORKER_SOURCE = `
if (process.platform === 'linux') {
  try { require('node:os').setPriority(0, ${WORKER_NICE}); } catch {}
}
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const jobs = new Map();
const buf = Buffer.allocUnsafe(${READ_BYTES});
function extend(job, to) {
  if (job.hashed >= to) return;
  const fd = fs.openSync(job.path, 'r');
  try {
    while (job.hashed < to) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, to - job.hashed), job.hashed);
      if (n <= 0) throw new Error('the file ends at ' + job.hashed + ' bytes, expected ' + to);
      job.hash.update(buf.subarray(0, n));
      job.hashed += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}
parentPort.on('message', (m) => {
  if (m.op === 'drop') return void jobs.delete(m.id);
  let job = jobs.get(m.id);
  if (!job) jobs.set(m.id, (job = { path: m.path, hash: createHash('sha256'), hashed: 0, error: null }));
  try {
    if (job.error) throw job.error;
    extend(job, m.to);
    if (m.op === 'digest') {
      jobs.delete(m.id);
      parentPort.postMessage({ id: m.id, digest: job.hash.digest() });
    }
  } catch (err) {
    job.error = err;
    if (m.op === 'digest') {
      jobs.delete(m.id);
      parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) });
    }
  }
});
`;

type Request = { op: 'extend' | 'digest'; id: number; path: string; to: number } | { op: 'drop'; id: number };
type Reply = { id: number; digest?: Uint8Array; error?: string };

/** The worker thread, shared by every hasher of one client. */
export class HashWorker {
  private worker: Worker | null = null;
  private failure: Error | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (d: Buffer) => void; reject: (e: Error) => void }>();
  /** Prefix extensions sent to the worker, digests it returned, and digests computed here instead. */
  readonly stats = { extends: 0, digests: 0, fallbacks: 0 };

  /** Hashes `path` (of `totalBytes`, open as `handle` for the fallback) as it is written. */
  hasher(path: string, handle: fs.FileHandle, totalBytes: number): FileHasher {
    return new OffThreadHasher(this, this.nextId++, path, handle, totalBytes);
  }

  /** False once the worker failed: hashers then work on the main thread. */
  get usable(): boolean {
    return this.failure === null;
  }

  /** Whether the worker thread is running (started, not failed). */
  get running(): boolean {
    return this.worker !== null;
  }

  /** Sends `m` to the worker (started if need be; nothing if it failed). */
  post(m: Request): void {
    const w = this.start();
    if (!w) return;
    if (m.op === 'extend') this.stats.extends++;
    w.postMessage(m);
  }

  /** Asks for the digest of job `id`, the file complete at `to` bytes. */
  digest(id: number, path: string, to: number): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const w = this.start();
      if (!w) return reject(this.failure ?? new Error('no hash worker'));
      this.waiting.set(id, { resolve, reject });
      w.ref(); // the process waits for an answer owed
      w.postMessage({ op: 'digest', id, path, to } satisfies Request);
    });
  }

  /** Ends the worker (the client is leaving); hashers still waiting fall back to the main thread. */
  close(): void {
    const w = this.worker;
    this.worker = null;
    this.failure ??= new Error('the hash worker was closed');
    this.failAll(this.failure);
    void w?.terminate();
  }

  private start(): Worker | null {
    if (this.failure) return null;
    if (this.worker) return this.worker;
    try {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.unref();
      w.on('message', (r: Reply) => this.onReply(r));
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => this.fail(new Error(`the hash worker exited (code ${code})`)));
      this.worker = w;
      return w;
    } catch (err) {
      this.failure = err as Error;
      return null;
    }
  }

  private onReply(r: Reply): void {
    const p = this.waiting.get(r.id);
    if (!p) return;
    this.waiting.delete(r.id);
    if (this.waiting.size === 0) this.worker?.unref();
    if (r.digest) {
      this.stats.digests++;
      p.resolve(Buffer.from(r.digest.buffer, r.digest.byteOffset, r.digest.byteLength));
    } else p.reject(new Error(r.error ?? 'no digest'));
  }

  private fail(err: Error): void {
    if (this.worker === null && this.failure) return;
    this.worker = null;
    this.failure ??= err;
    this.failAll(err);
  }

  private failAll(err: Error): void {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const p of all) p.reject(err);
  }
}

/**
 * The main thread's side of one file: tracks how far the file is written contiguously from its
 * start (runs arrive out of order) and tells the worker each time that prefix grew by
 * EXTEND_STEP_BYTES. Nothing is hashed or copied here.
 */
class OffThreadHasher implements FileHasher {
  /** Bytes from 0 known to be in the file. */
  private prefix = 0;
  /** What the worker was last told to hash up to. */
  private told = 0;
  /** Written beyond the prefix: start → end (exclusive). */
  private readonly ahead = new Map<number, number>();
  private closed = false;
  via: 'worker' | 'fallback' = 'worker';

  constructor(
    private readonly worker: HashWorker,
    private readonly id: number,
    private readonly path: string,
    private readonly handle: fs.FileHandle,
    private readonly totalBytes: number,
  ) {}

  written(offset: number, _buf: Buffer, from: number, to: number): void {
    this.onDisk(offset, offset + (to - from));
  }

  onDisk(offset: number, end: number): void {
    if (this.closed || end <= this.prefix) return;
    if (offset > this.prefix) {
      const prev = this.ahead.get(offset);
      if (prev === undefined || prev < end) this.ahead.set(offset, end);
      return;
    }
    this.prefix = end;
    // Runs remembered earlier that the prefix now reaches (usually none or one).
    for (let grew = this.ahead.size > 0; grew; ) {
      grew = false;
      for (const [s, e] of this.ahead) {
        if (s > this.prefix) continue;
        this.ahead.delete(s);
        if (e > this.prefix) {
          this.prefix = e;
          grew = true;
        }
      }
    }
    if (this.prefix - this.told >= EXTEND_STEP_BYTES && this.worker.usable) {
      this.told = this.prefix;
      this.worker.post({ op: 'extend', id: this.id, path: this.path, to: this.prefix });
    }
  }

  async digest(): Promise<Buffer> {
    this.closed = true;
    this.ahead.clear();
    try {
      return await this.worker.digest(this.id, this.path, this.totalBytes);
    } catch {
      // The worker is gone (or could not read the file): read it all back here, as a
      // PrefixHasher told nothing does.
      this.worker.stats.fallbacks++;
      this.via = 'fallback';
      return new PrefixHasher(this.handle, this.totalBytes).digest();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ahead.clear();
    if (this.told > 0 && this.worker.running) this.worker.post({ op: 'drop', id: this.id });
  }
}
