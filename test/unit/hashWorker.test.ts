import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BlockWriter } from '../../src/client/blockWriter';
import { HashWorker } from '../../src/client/hashWorker';
import { inOrder, lossy, shuffled } from '../support/chunkOrders';
import { createRng } from '../support/rng';

/**
 * A big incoming file is hashed on a worker thread that reads the file back as its contiguous
 * prefix grows (hashWorker.ts). Whatever the order of the writes, whatever was on disk before,
 * and whether or not the worker survives, the digest must be the SHA-256 of the bytes on disk.
 */
describe('HashWorker (SHA-256 of a received file, off the receiving thread)', () => {
  let dir: string;
  let worker: HashWorker;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'peerchat-hashworker-'));
    worker = new HashWorker();
  });
  afterEach(() => {
    worker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  /** Receives `bytes` random bytes through a BlockWriter feeding the worker's hasher. */
  async function receive(o: {
    bytes: number;
    chunkSize: number;
    order: (n: number, rnd: () => number) => number[];
    kept?: (c: number) => boolean;
    seed: number;
    beforeDigest?: () => void;
  }) {
    const rng = createRng(o.seed);
    const data = randomBytes(o.bytes);
    const file = path.join(dir, `f${o.seed}.part`);
    const handle = await fs.open(file, 'w+');
    await handle.truncate(o.bytes);
    const slice = (c: number) => data.subarray(c * o.chunkSize, Math.min(o.bytes, (c + 1) * o.chunkSize));
    const chunks = Math.ceil(o.bytes / o.chunkSize);
    const hasher = worker.hasher(file, handle, o.bytes);
    const kept = o.kept ?? (() => false);
    for (let c = 0; c < chunks; c++) {
      if (!kept(c)) continue;
      // Written by an earlier attempt: on disk, not seen by this writer.
      await handle.write(slice(c), 0, slice(c).length, c * o.chunkSize);
      hasher.onDisk(c * o.chunkSize, c * o.chunkSize + slice(c).length);
    }
    const writer = new BlockWriter(handle, o.chunkSize, o.bytes, (offset, buf, from, to) => hasher.written(offset, buf, from, to));
    for (const c of o.order(chunks, () => rng.next())) if (!kept(c)) await writer.write(c, Buffer.from(slice(c)));
    await writer.flush();
    o.beforeDigest?.();
    const digest = await hasher.digest();
    await handle.close();
    assert.deepEqual(await fs.readFile(file), data, 'bytes on disk');
    assert.equal(digest.toString('hex'), sha(data));
  }

  it('in order: the worker hashes the file as it grows, the digest is right', async () => {
    await receive({ bytes: 24 * 1024 * 1024 + 17, chunkSize: 64_936, order: inOrder, seed: 1 });
    assert.ok(worker.stats.extends >= 5, `the prefix went to the worker ${worker.stats.extends} times before the digest`);
    assert.deepEqual([worker.stats.digests, worker.stats.fallbacks], [1, 0]);
  });

  it('shuffled, late and duplicated chunks give the same digest', async () => {
    await receive({ bytes: 9 * 1024 * 1024 + 5, chunkSize: 1147, order: shuffled, seed: 2 });
    await receive({ bytes: 12 * 1024 * 1024, chunkSize: 64_936, order: lossy, seed: 3 });
    await receive({ bytes: 6 * 1024 * 1024 + 1, chunkSize: 1147, order: lossy, seed: 4 });
    assert.deepEqual([worker.stats.digests, worker.stats.fallbacks], [3, 0]);
  });

  it('chunks kept from an earlier attempt count as written (a resumed transfer)', async () => {
    const chunkSize = 64_936;
    const bytes = 200 * chunkSize - 3;
    await receive({ bytes, chunkSize, order: inOrder, kept: (c) => c < 90, seed: 5 });
    await receive({ bytes, chunkSize, order: shuffled, kept: (c) => c % 7 === 3 || (c > 120 && c < 130), seed: 6 });
    assert.deepEqual([worker.stats.digests, worker.stats.fallbacks], [2, 0]);
  });

  it('two files at once on one worker', async () => {
    await Promise.all([
      receive({ bytes: 10 * 1024 * 1024 + 3, chunkSize: 64_936, order: shuffled, seed: 7 }),
      receive({ bytes: 11 * 1024 * 1024 + 9, chunkSize: 1147, order: lossy, seed: 8 }),
    ]);
    assert.deepEqual([worker.stats.digests, worker.stats.fallbacks], [2, 0]);
  });

  it('a worker that is gone before the digest: the file is hashed here instead, still right', async () => {
    await receive({ bytes: 9 * 1024 * 1024, chunkSize: 64_936, order: inOrder, seed: 9, beforeDigest: () => worker.close() });
    assert.equal(worker.stats.fallbacks, 1);
    // Later files work without it from the start.
    await receive({ bytes: 5 * 1024 * 1024, chunkSize: 64_936, order: shuffled, seed: 10 });
    assert.equal(worker.stats.fallbacks, 2);
    assert.equal(worker.running, false);
  });

  it('a file shorter than announced is an error that names the sizes, not a digest', async () => {
    const file = path.join(dir, 'short');
    writeFileSync(file, randomBytes(1000));
    const handle = await fs.open(file, 'r');
    await assert.rejects(worker.hasher(file, handle, 2000).digest(), /ends at 1000 bytes, expected 2000/);
    await handle.close();
  });

  it('a transfer that ends without a digest and never reached the worker does not start it', async () => {
    const file = path.join(dir, 'small');
    writeFileSync(file, randomBytes(100_000));
    const handle = await fs.open(file, 'r');
    const h = worker.hasher(file, handle, 10 * 1024 * 1024);
    h.written(0, Buffer.alloc(100_000), 0, 100_000);
    h.close();
    await handle.close();
    assert.equal(worker.running, false);
    assert.equal(worker.stats.extends, 0);
  });

  it('on Linux the worker thread, and only it, runs at a lower priority', async function () {
    if (process.platform !== 'linux') return this.skip();
    const nice = () =>
      readdirSync('/proc/self/task').map((t) => Number(readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1].split(' ')[16]));
    const before = nice();
    const mainBefore = os.getPriority(0);
    await receive({ bytes: 5 * 1024 * 1024, chunkSize: 64_936, order: inOrder, seed: 11 });
    assert.equal(worker.stats.digests, 1);
    const after = nice();
    assert.equal(after.filter((n) => n === 10).length - before.filter((n) => n === 10).length, 1, 'one more thread at nice 10: the worker');
    assert.equal(os.getPriority(0), mainBefore, 'the main thread kept its priority');
  });

  it('an idle worker does not keep the process alive', function () {
    this.timeout(30_000);
    const file = path.join(dir, 'exit.bin');
    const data = randomBytes(6 * 1024 * 1024);
    writeFileSync(file, data);
    const script = `
      const { HashWorker } = require(${JSON.stringify(path.resolve(__dirname, '../../src/client/hashWorker.ts'))});
      const fs = require('node:fs/promises');
      (async () => {
        const w = new HashWorker();
        const handle = await fs.open(${JSON.stringify(file)}, 'r');
        const h = w.hasher(${JSON.stringify(file)}, handle, ${data.length});
        h.onDisk(0, ${data.length});
        console.log((await h.digest()).toString('hex'), w.running, w.stats.fallbacks);
        await handle.close();
      })();`;
    // Without unref() this would never exit: execFileSync's timeout would fail the test.
    const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { timeout: 20_000, encoding: 'utf8' });
    assert.equal(out.trim(), `${sha(data)} true 0`);
  });
});
