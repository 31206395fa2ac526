import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BlockWriter } from '../../src/client/blockWriter';
import { PrefixHasher } from '../../src/client/prefixHasher';
import { inOrder, lossy, shuffled } from '../support/chunkOrders';
import { createRng } from '../support/rng';

/**
 * The receiver's SHA-256 is computed while the file is written (PrefixHasher fed by
 * BlockWriter) instead of by reading the file again. Whatever the order of the chunks —
 * in order, shuffled, duplicated, partly kept from an earlier attempt — the digest must be
 * the SHA-256 of the bytes on disk.
 */
describe('PrefixHasher (hash while writing)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'peerchat-hasher-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function receive(o: { bytes: number; chunkSize: number; order: (n: number, rnd: () => number) => number[]; kept?: number[]; seed: number }) {
    const rng = createRng(o.seed);
    const rnd = () => rng.next();
    const data = randomBytes(o.bytes);
    const file = path.join(dir, `f${o.seed}.part`);
    const handle = await fs.open(file, 'w+');
    await handle.truncate(o.bytes);
    const chunks = Math.ceil(o.bytes / o.chunkSize);
    const slice = (c: number) => data.subarray(c * o.chunkSize, Math.min(o.bytes, (c + 1) * o.chunkSize));
    const hasher = new PrefixHasher(handle, o.bytes);
    const kept = new Set(o.kept ?? []);
    for (const c of kept) {
      // Written by an earlier attempt: on disk, not seen by this hasher's writer.
      await handle.write(slice(c), 0, slice(c).length, c * o.chunkSize);
      hasher.onDisk(c * o.chunkSize, c * o.chunkSize + slice(c).length);
    }
    let fromMemory = 0;
    const writer = new BlockWriter(handle, o.chunkSize, o.bytes, (offset, buf, from, to) => {
      const before = hasher.hashedBytes;
      hasher.written(offset, buf, from, to);
      if (hasher.hashedBytes > before) fromMemory += hasher.hashedBytes - before;
    });
    for (const c of o.order(chunks, rnd)) {
      if (kept.has(c)) continue;
      // The writer may keep a view of the buffer until written: hand it a copy, as the receiver does.
      await writer.write(c, Buffer.from(slice(c)));
    }
    await writer.flush();
    const digest = await hasher.digest();
    const onDisk = await fs.readFile(file);
    await handle.close();
    assert.deepEqual(onDisk, data, 'bytes on disk');
    assert.equal(digest.toString('hex'), createHash('sha256').update(data).digest('hex'));
    return { fromMemory };
  }

  it('in order: everything is hashed from memory, nothing read back', async () => {
    const r = await receive({ bytes: 3 * 1024 * 1024 + 17, chunkSize: 1147, order: inOrder, seed: 1 });
    assert.equal(r.fromMemory, 3 * 1024 * 1024 + 17);
  });

  it('shuffled chunks give the same digest', async () => {
    for (const seed of [2, 3, 4]) await receive({ bytes: 1024 * 1024 + 5, chunkSize: 1147, order: shuffled, seed });
  });

  it('late and duplicated chunks (loss and retransmission) give the same digest', async () => {
    for (const seed of [5, 6]) await receive({ bytes: 2 * 1024 * 1024, chunkSize: 64_936, order: lossy, seed });
    await receive({ bytes: 2 * 1024 * 1024 + 1, chunkSize: 1147, order: lossy, seed: 7 });
  });

  it('chunks kept from an earlier attempt are read back, the rest hashed on the way', async () => {
    const chunkSize = 1147;
    const bytes = 2000 * chunkSize - 3;
    const kept = Array.from({ length: 900 }, (_, i) => i); // the first 900 chunks came before
    await receive({ bytes, chunkSize, order: inOrder, kept, seed: 8 });
    const scattered = Array.from({ length: 2000 }, (_, i) => i).filter((i) => i % 7 === 3 || (i > 1200 && i < 1300));
    await receive({ bytes, chunkSize, order: shuffled, kept: scattered, seed: 9 });
  });

  it('digest reads back what was never reported (nothing written through it)', async () => {
    const data = randomBytes(300_000);
    const file = path.join(dir, 'plain');
    await fs.writeFile(file, data);
    const handle = await fs.open(file, 'r');
    const digest = await new PrefixHasher(handle, data.length).digest();
    await handle.close();
    assert.equal(digest.toString('hex'), createHash('sha256').update(data).digest('hex'));
  });

  it('a file shorter than announced is an error, not a digest', async () => {
    const file = path.join(dir, 'short');
    await fs.writeFile(file, randomBytes(1000));
    const handle = await fs.open(file, 'r');
    await assert.rejects(new PrefixHasher(handle, 2000).digest(), /ends at 1000 bytes/);
    await handle.close();
  });
});
