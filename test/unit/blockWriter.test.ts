import { strict as assert } from 'node:assert';
import type { promises as fs } from 'node:fs';
import { BlockWriter } from '../../src/client/blockWriter';

/**
 * A file handle whose writes complete only when the test says so: a disk slower than the
 * network. Records what reached "disk".
 */
function slowDisk(size: number) {
  const disk = Buffer.alloc(size);
  const waiting: Array<() => void> = [];
  const writevs: number[] = [];
  let partialOnce = true;
  let started = 0;
  const handle = {
    write(buf: Buffer, offset: number, length: number, position: number) {
      started++;
      return new Promise<{ bytesWritten: number; buffer: Buffer }>((resolve) => {
        waiting.push(() => {
          buf.copy(disk, position, offset, offset + length);
          resolve({ bytesWritten: length, buffer: buf });
        });
      });
    },
  } as unknown as fs.FileHandle;
  (handle as unknown as { writev: unknown }).writev = (bufs: Buffer[], position: number) => {
    started++;
    writevs.push(bufs.length);
    return new Promise<{ bytesWritten: number }>((resolve) => {
      waiting.push(() => {
        // A partial write the first time: the writer must go on from where it stopped.
        let budget = partialOnce ? Math.max(1, Math.floor(bufs.reduce((a, b) => a + b.length, 0) / 2)) : Infinity;
        partialOnce = false;
        let at = position;
        let n = 0;
        for (const b of bufs) {
          const k = Math.min(b.length, budget);
          b.copy(disk, at, 0, k);
          at += k;
          n += k;
          budget -= k;
          if (budget <= 0) break;
        }
        resolve({ bytesWritten: n });
      });
    });
  };
  return {
    handle,
    disk,
    writevs,
    get started() {
      return started;
    },
    /** Completes the oldest pending write, if any. */
    completeOne(): boolean {
      const w = waiting.shift();
      w?.();
      return w !== undefined;
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('BlockWriter (receiving side, blocks of chunks to disk)', () => {
  it('holds chunks back when the disk falls behind: memory stays bounded, nothing is lost', async () => {
    const chunkSize = 64 * 1024; // 4 chunks per 256 KiB block
    const chunks = 400; // 100 blocks, far more than the writer may hold
    const total = chunks * chunkSize;
    const d = slowDisk(total);
    const writer = new BlockWriter(d.handle, chunkSize, total);
    let accepted = 0;
    const promises: Promise<void>[] = [];
    for (let c = 0; c < chunks; c++) {
      const data = Buffer.alloc(chunkSize, c & 0xff);
      promises.push(writer.write(c, data).then(() => void accepted++));
    }
    for (let i = 0; i < 5; i++) await tick();
    // The disk completed nothing: the writer took at most its open and queued blocks' worth
    // (16 + 16 blocks of 4 chunks, plus the chunks of the block being filled), then waited.
    assert.ok(accepted <= 33 * 4, `accepted ${accepted} chunks while the disk wrote nothing`);
    assert.ok(accepted >= 16 * 4, `accepted only ${accepted} chunks: the writer should buffer some`);
    assert.ok(d.started <= 16, `${d.started} writes started at once`);
    // Now let the disk catch up: everything gets through, in full.
    const disk = setInterval(() => {
      while (d.completeOne());
    }, 1);
    try {
      await Promise.all(promises);
      await writer.flush();
    } finally {
      clearInterval(disk);
    }
    assert.equal(accepted, chunks);
    for (let c = 0; c < chunks; c++) assert.equal(d.disk[c * chunkSize], c & 0xff, `chunk ${c} on disk`);
  });

  it('writes runs (stream lanes) that arrive during a write together, adjacent ones in one writev, even after a partial write', async () => {
    const chunkSize = 100;
    const total = 10 * chunkSize + 37;
    const d = slowDisk(total);
    const seen: Array<[number, number]> = [];
    const w = new BlockWriter(d.handle, chunkSize, total, (offset, _buf, from, to) => seen.push([offset, to - from]));
    const run = (first: number, n: number, bytes = n * chunkSize) => w.writeRun(first, Buffer.alloc(bytes, first + 1));
    const first = run(0, 2);
    await tick();
    // While the first write is on its way: three more runs, two of them adjacent.
    const rest = [run(2, 3), run(5, 2), run(8, 2, 2 * chunkSize + 37)];
    await tick();
    while (d.completeOne() || (await tick(), d.completeOne())) await tick();
    await Promise.all([first, ...rest]);
    assert.deepEqual(d.writevs, [1, 1, 2, 1], 'run 0 (a partial write, then the rest); then 2–6 as one writev; then 8–10');
    for (const [c, v] of [[0, 1], [1, 1], [2, 3], [4, 3], [5, 6], [6, 6], [8, 9], [10, 9]]) assert.equal(d.disk[c * chunkSize], v, `chunk ${c}`);
    assert.equal(d.disk[total - 1], 9);
    assert.equal(d.disk[7 * chunkSize], 0, 'chunk 7 never came');
    assert.equal(w.onDisk.count, 10);
    assert.ok(!w.onDisk.has(7));
    assert.deepEqual(seen, [[0, 200], [200, 300], [500, 200], [800, 237]]);
  });
});
