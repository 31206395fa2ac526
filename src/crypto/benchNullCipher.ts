/**
 * The transfer benchmark's null cipher: packet sealing with ChaCha20-Poly1305 taken out, so that
 * bench/transfer.mjs can measure what encryption costs (1 − goodput encrypted / goodput null).
 *
 * Not a product feature, and not reachable in the product. `PacketSealer.seal` and
 * `PacketOpener.open` (aead.ts) call into this module only when esbuild defines
 * `__PEERCHAT_BENCH_NULL_CIPHER__` as true, which only the benchmark's own bundle does
 * (bench/lib/nullCipherBuild.mjs, output in bench/.build/). esbuild.mjs defines it false, so the
 * branch is dead code and this module is left out of dist/*.js; without any define (tsx, tests)
 * the `typeof` guard is false. test/integration/nullCipherBuild.test.ts checks that the product
 * bundles do not contain NULL_CIPHER_MARKER.
 *
 * Everything but the cipher stays the same: the caller has checked the packet number, advanced
 * its bookkeeping and built the nonce as usual; the datagram keeps its header and its 16 bytes
 * of tag space (zeros); the copies and allocations mirror the real path (cipher.update and
 * decipher.update return a new buffer, getAuthTag a new 16-byte one, then the same copies).
 */

/** In the benchmark's null-cipher bundle only (the bench checks for it there, the tests for its absence in dist). */
export const NULL_CIPHER_MARKER = 'PEERCHAT-BENCH-NULL-CIPHER';

let announced = false;

/** Says once per process, on stderr, that this build does not encrypt. */
function announce(): void {
  if (announced) return;
  announced = true;
  process.stderr.write(`${NULL_CIPHER_MARKER}: benchmark build, packets are NOT encrypted or authenticated\n`);
}

/** `PacketSealer.seal` without the cipher: plaintext || zero tag, with the same output-buffer contract. */
export function benchNullSeal(_nonce: Buffer, plaintext: Buffer, tagBytes: number, out?: Buffer, outOffset = 0): Buffer {
  announce();
  const sealedLength = plaintext.length + tagBytes;
  const ciphertext = Buffer.from(plaintext); // cipher.update(plaintext): a new buffer (read before `out` is written)
  const tag = Buffer.alloc(tagBytes); // cipher.getAuthTag(): a new buffer
  const target = out ?? Buffer.allocUnsafe(sealedLength);
  ciphertext.copy(target, outOffset);
  tag.copy(target, outOffset + ciphertext.length);
  return out === undefined ? target : target.subarray(outOffset, outOffset + sealedLength);
}

/**
 * `PacketOpener.open` without the cipher: null unless the tag is all zeros (so a null build and
 * a real one never exchange data unnoticed), else a copy of the plaintext.
 */
export function benchNullOpen(_nonce: Buffer, sealed: Buffer, tagBytes: number): Buffer | null {
  announce();
  const ciphertextLength = sealed.length - tagBytes;
  for (let i = ciphertextLength; i < sealed.length; i++) if (sealed[i] !== 0) return null;
  return Buffer.from(sealed.subarray(0, ciphertextLength)); // decipher.update(...): a new buffer
}

/** `PacketSealer.sealParts` without the cipher: a copy of each part and a zero tag. */
export function benchNullSealParts(_nonce: Buffer, parts: readonly Buffer[], tagBytes: number): { parts: Buffer[]; tag: Buffer } {
  announce();
  return { parts: splitCopy(parts), tag: Buffer.alloc(tagBytes) };
}

/** `PacketOpener.openParts` without the cipher: null unless the tag is all zeros, else copies. */
export function benchNullOpenParts(_nonce: Buffer, parts: readonly Buffer[], tag: Buffer): Buffer[] | null {
  announce();
  for (let i = 0; i < tag.length; i++) if (tag[i] !== 0) return null;
  return splitCopy(parts);
}

/** What the real path does: the parts end to end (concat, then update's new buffer), as views. */
function splitCopy(parts: readonly Buffer[]): Buffer[] {
  let total = 0;
  for (const p of parts) total += p.length;
  const whole = Buffer.from(parts.length === 1 ? parts[0] : Buffer.concat(parts as Buffer[], total));
  const out = new Array<Buffer>(parts.length);
  let o = 0;
  for (let i = 0; i < parts.length; i++) {
    out[i] = whole.subarray(o, o + parts[i].length);
    o += parts[i].length;
  }
  return out;
}
