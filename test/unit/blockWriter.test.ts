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
  return {
    handle,
    disk,
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
});
