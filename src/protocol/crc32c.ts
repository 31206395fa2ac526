/**
 * CRC-32C (Castagnoli, RFC 3720 §B.4): the check on the relay's own messages (docs/protocol.md
 * "Checked relay messages"). Table-driven; relay messages are small and few.
 */
const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32C of `buf[from, to)`, as an unsigned 32-bit number. */
export function crc32c(buf: Uint8Array, from = 0, to = buf.length): number {
  let c = ~0;
  for (let i = from; i < to; i++) c = TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
