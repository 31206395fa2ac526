/**
 * Small, fast, seeded PRNG for tests and benchmarks (not for cryptography).
 *
 * Generator: sfc32 (Chris Doty-Humphrey's "Small Fast Counting" generator,
 * 128-bit state, passes PractRand/BigCrush), seeded through splitmix32 so that
 * nearby seeds (0, 1, 2, ...) give unrelated streams.
 *
 * Everything is plain 32-bit integer arithmetic: no allocations per draw.
 */

const TWO_POW_32 = 4294967296;

/** splitmix32-style finaliser: a good 32-bit mixing function. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

function checkSeed(seed: number, what: string): void {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`${what} must be a safe integer, got ${String(seed)}`);
  }
}

/**
 * Hash a seed and any number of stream identifiers into a new 32-bit seed.
 * Used to derive independent, reproducible sub-streams
 * (e.g. `mixSeed(seed, mappingIndex, direction)`).
 */
export function mixSeed(seed: number, ...parts: number[]): number {
  checkSeed(seed, 'seed');
  let h = mix32((seed >>> 0) ^ 0x9e3779b9);
  h = mix32(h ^ (Math.floor(seed / TWO_POW_32) >>> 0) ^ 0x85ebca6b);
  for (const p of parts) {
    checkSeed(p, 'stream id');
    h = mix32((h + 0x9e3779b9) ^ (p >>> 0));
    h = mix32(h ^ (Math.floor(p / TWO_POW_32) >>> 0));
  }
  return h;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** @param seed any safe integer (negative and > 2^32 are fine). */
  constructor(seed: number) {
    checkSeed(seed, 'seed');
    // splitmix32 over the (64-bit) seed to fill the state.
    let s = mix32((seed >>> 0) ^ mix32((Math.floor(seed / TWO_POW_32) >>> 0) + 0x6a09e667));
    const step = (): number => {
      s = (s + 0x9e3779b9) | 0;
      return mix32(s);
    };
    this.a = step();
    this.b = step();
    this.c = step();
    this.d = 1; // sfc32 counter
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** Generator for sub-stream `streams` of `seed` (independent of other stream ids). */
  static derive(seed: number, ...streams: number[]): Rng {
    return new Rng(mixSeed(seed, ...streams));
  }

  /** Uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.uint32() / TWO_POW_32;
  }

  /** Uniform integer in [0, n). `n` must be an integer in [1, 2^32]. */
  int(n: number): number {
    if (!(n >= 1 && n <= TWO_POW_32) || Math.floor(n) !== n) {
      throw new RangeError(`Rng.int: n must be an integer in [1, 2^32], got ${String(n)}`);
    }
    return Math.floor(this.next() * n);
  }

  /** true with probability p (p <= 0 never, p >= 1 always). Always consumes one draw. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Fill `buf` with random bytes (in place) and return it. */
  fill(buf: Uint8Array): Uint8Array {
    let i = 0;
    for (; i + 4 <= buf.length; i += 4) {
      const x = this.uint32();
      buf[i] = x & 0xff;
      buf[i + 1] = (x >>> 8) & 0xff;
      buf[i + 2] = (x >>> 16) & 0xff;
      buf[i + 3] = x >>> 24;
    }
    if (i < buf.length) {
      let x = this.uint32();
      for (; i < buf.length; i++, x >>>= 8) buf[i] = x & 0xff;
    }
    return buf;
  }
}

/** Convenience factory. */
export function createRng(seed: number): Rng {
  return new Rng(seed);
}
