import { promises as fsp } from 'node:fs';

/**
 * A disk that fills: every file write (fs.promises FileHandle.write) at or beyond `fromByte` of
 * any file fails with ENOSPC until `free()`. `restore()` puts the real write back; call it in the
 * test's cleanup. Only the process under test writes files while it is on.
 */
export async function diskFullFrom(fromByte: number): Promise<{ free(): void; restore(): void }> {
  const probe = await fsp.open(__filename, 'r');
  const proto = Object.getPrototypeOf(probe) as { write: (...a: unknown[]) => Promise<unknown> };
  await probe.close();
  const realWrite = proto.write;
  let full = true;
  proto.write = function (this: unknown, ...args: unknown[]) {
    const position = args[3];
    if (full && typeof position === 'number' && position >= fromByte) {
      return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    }
    return realWrite.apply(this, args);
  };
  return {
    free: () => {
      full = false;
    },
    restore: () => {
      proto.write = realWrite;
    },
  };
}
