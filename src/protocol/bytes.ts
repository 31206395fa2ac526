/**
 * Bounds-checked cursor over a Buffer. Every read checks the remaining length first and
 * throws `Truncated`, which the codecs turn into an "invalid" result; nothing here allocates
 * except the slices it returns (views, not copies).
 */
export class Truncated extends Error {
  constructor() {
    super('truncated');
  }
}

export class ByteReader {
  private pos: number;
  constructor(private readonly buf: Buffer, start = 0, private readonly end = buf.length) {
    this.pos = start;
  }
  get remaining(): number {
    return this.end - this.pos;
  }
  get offset(): number {
    return this.pos;
  }
  private need(n: number): void {
    if (this.end - this.pos < n) throw new Truncated();
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  /** 64-bit unsigned, returned as a number; rejects values beyond Number.MAX_SAFE_INTEGER. */
  u64(): number {
    this.need(8);
    const hi = this.buf.readUInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    if (hi > 0x1f_ffff) throw new Truncated();
    this.pos += 8;
    return hi * 0x1_0000_0000 + lo;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  rest(): Buffer {
    return this.bytes(this.remaining);
  }
  /** UTF-8 string with a u8 or u16 length prefix; rejects invalid UTF-8 and over-long strings. */
  str8(max: number): string {
    return decodeUtf8(this.bytes(this.u8()), max);
  }
  str16(max: number): string {
    return decodeUtf8(this.bytes(this.u16()), max);
  }
  /** UTF-8 string with a u32 length prefix; the length is checked against `max` before reading. */
  str32(max: number): string {
    const n = this.u32();
    if (n > max) throw new Truncated();
    return decodeUtf8(this.bytes(n), max);
  }
}

// ignoreBOM: a leading U+FEFF is content, not a byte-order mark to strip silently.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(b: Buffer, max: number): string {
  if (b.length > max) throw new Truncated();
  try {
    return utf8.decode(b);
  } catch {
    throw new Truncated();
  }
}

/** Growable writer; `finish()` returns the bytes written. */
export class ByteWriter {
  private buf: Buffer;
  private pos = 0;
  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  u8(v: number): this {
    checkUint(v, 0xff);
    this.room(1);
    this.buf[this.pos++] = v;
    return this;
  }
  u16(v: number): this {
    checkUint(v, 0xffff);
    this.room(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }
  u32(v: number): this {
    checkUint(v, 0xffff_ffff);
    this.room(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }
  u64(v: number): this {
    checkUint(v, Number.MAX_SAFE_INTEGER);
    this.room(8);
    this.buf.writeUInt32BE(Math.floor(v / 0x1_0000_0000), this.pos);
    this.buf.writeUInt32BE(v % 0x1_0000_0000, this.pos + 4);
    this.pos += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  str8(s: string, max: number): this {
    const b = Buffer.from(s, 'utf8');
    if (b.length > max || b.length > 0xff) throw new RangeError(`string longer than ${max} bytes`);
    return this.u8(b.length).bytes(b);
  }
  str16(s: string, max: number): this {
    const b = Buffer.from(s, 'utf8');
    if (b.length > max || b.length > 0xffff) throw new RangeError(`string longer than ${max} bytes`);
    return this.u16(b.length).bytes(b);
  }
  str32(s: string, max: number): this {
    const b = Buffer.from(s, 'utf8');
    if (b.length > max || b.length > 0xffff_ffff) throw new RangeError(`string longer than ${max} bytes`);
    return this.u32(b.length).bytes(b);
  }
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** Writers refuse values that do not fit their field instead of wrapping them silently. */
function checkUint(v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${v} does not fit an unsigned field of max ${max}`);
}
