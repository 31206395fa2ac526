/**
 * Memory settings for the relay and the terminal client (not the extension: the extension host
 * is shared with other extensions, and its flags and allocator are VS Code's). `tuneOwnProcess`
 * applies both; each is explained at its function.
 *
 * 1. Sweeping dead ArrayBuffers on the main thread.
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

/** See 1. above. */
export function sweepArrayBuffersOnMainThread(): void {
  setFlagsFromString(MAIN_THREAD_ARRAY_BUFFER_SWEEPING);
}

/**
 * 2. glibc's malloc trim threshold. At the engine's datagram size every datagram brings a
 * ~64 KB buffer in each process (Node's 64 KiB receive buffer, the ciphertext or plaintext that
 * Node's crypto returns). glibc gives memory at the top of its heap back to the kernel as soon
 * as more than M_TRIM_THRESHOLD (128 KiB at start) is free there, so after each garbage
 * collection the next buffers come from fresh pages: ~16 page faults per buffer. Measured with
 * a 256 MiB transfer at 65,000 B: the relay took 44,000-48,000 minor faults and ~1.5 s of CPU,
 * and a 64,960-byte seal took 110 µs instead of 31 µs in a loop (bench/aeadMicro.ts).
 *
 * glibc raises both thresholds by itself when a chunk it had to mmap is freed: the mmap
 * threshold to that chunk's size, the trim threshold to twice that (malloc.c, "dynamic mmap
 * threshold"; up to DEFAULT_MMAP_THRESHOLD_MAX, 32 MiB on 64-bit). One 16 MiB buffer,
 * allocated and dropped at start-up, is such a chunk once the next collection frees it: from
 * then on up to 32 MiB stays mapped at the heap top instead of being faulted in again. Same
 * transfer: relay 12,000 faults and 0.6 s of CPU; goodput 100-127 → 181-187 MB/s; peak RSS
 * unchanged (~98 MB: the pages kept are the ones the next buffers reuse). The environment
 * variables MALLOC_TRIM_THRESHOLD_ / MALLOC_TOP_PAD_ do the same but must be set before the
 * process starts. With another C library this is one short-lived allocation and nothing else.
 */
export const MALLOC_PRIMER_BYTES = 16 * 1024 * 1024;

/** See 2. above. */
export function primeMallocThresholds(): void {
  Buffer.allocUnsafeSlow(MALLOC_PRIMER_BYTES); // dropped at once: freed by the next collection
}

/** Call once, first thing, in a process of our own (dist/relay.js, dist/cli.js). */
export function tuneOwnProcess(): void {
  sweepArrayBuffersOnMainThread();
  primeMallocThresholds();
}
