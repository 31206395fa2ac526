/**
 * One V8 setting for the relay and the terminal client (not the extension: the extension host
 * is shared with other extensions, and its flags are VS Code's).
 *
 * Every datagram Node receives, and every buffer Node's crypto returns (a ChaCha20-Poly1305
 * seal returns three: ciphertext, final block, tag), is an ArrayBuffer whose memory comes from
 * malloc. By default V8 frees the dead ones on a background thread ("concurrent array buffer
 * sweeping"). On this workload that thread and the main thread fight over glibc's malloc arena
 * lock: `perf` of a seal loop shows most of its time in futex waits, `_int_free` and
 * `malloc_consolidate`, and ChaCha20 itself under 5 %. Sweeping on the main thread instead
 * (during the scavenge that found the buffers dead) lets the next malloc reuse the chunk from
 * the thread's own cache. Measured on the 2-core development VM: seal + open of a 1200-byte
 * datagram 19.7 → 9.7 µs (bench/aeadMicro.ts), a 64 MiB transfer at 1200 B 23.8 → 26.4 MB/s.
 *
 * `v8.setFlagsFromString` after start-up is allowed for this flag: V8 reads it each time it
 * schedules a sweep (heap/array-buffer-sweeper.cc), not once at heap set-up.
 */
import { setFlagsFromString } from 'node:v8';

export const MAIN_THREAD_ARRAY_BUFFER_SWEEPING = '--no-concurrent-array-buffer-sweeping';

/** Call once, first thing, in a process of our own (dist/relay.js, dist/cli.js). */
export function sweepArrayBuffersOnMainThread(): void {
  setFlagsFromString(MAIN_THREAD_ARRAY_BUFFER_SWEEPING);
}
