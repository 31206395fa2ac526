import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** SHA-256 of a whole file, streamed (memory stays flat whatever the size). */
export function sha256File(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const stream = createReadStream(path, { highWaterMark: 1024 * 1024 });
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve(hash.digest()));
  });
}
