/**
 * ByteReader / ByteWriter: the bounds-checked cursor every codec is built on.
 * Expected bytes are written out by hand from the big-endian layouts, never produced by the
 * writer under test.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteReader, ByteWriter, Truncated } from '../../src/protocol/bytes';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s|]+/g, ''), 'hex');
const MAX_SAFE = Number.MAX_SAFE_INTEGER; // 2^53 - 1 = 0x001f_ffff_ffff_ffff

describe('protocol/bytes: ByteReader', () => {
  it('reads big-endian integers of every width (golden)', () => {
    const r = new ByteReader(hex('ab | 0102 | 0a0b0c0d | 0000000100000002 | 001fffffffffffff'));
    assert.equal(r.u8(), 0xab);
    assert.equal(r.u16(), 0x0102);
    assert.equal(r.u32(), 0x0a0b0c0d);
    assert.equal(r.u64(), 0x1_0000_0002);
    assert.equal(r.u64(), MAX_SAFE);
    assert.equal(r.remaining, 0);
    assert.equal(r.offset, 23);
  });

  it('reads u32 values with the top bit set as positive numbers', () => {
    assert.equal(new ByteReader(hex('ffffffff')).u32(), 0xffff_ffff);
    assert.equal(new ByteReader(hex('80000000')).u32(), 0x8000_0000);
  });

  it('rejects a u64 beyond Number.MAX_SAFE_INTEGER with Truncated and does not advance', () => {
    for (const h of ['0020000000000000', 'ffffffffffffffff', '8000000000000000', '0020000000000001']) {
      const r = new ByteReader(hex(h));
      assert.throws(() => r.u64(), Truncated, h);
      assert.equal(r.offset, 0, `offset after rejecting ${h}`);
    }
  });

  it('throws Truncated (never RangeError) when a read runs past the end', () => {
    assert.throws(() => new ByteReader(Buffer.alloc(0)).u8(), Truncated);
    assert.throws(() => new ByteReader(hex('01')).u16(), Truncated);
    assert.throws(() => new ByteReader(hex('010203')).u32(), Truncated);
    assert.throws(() => new ByteReader(hex('01020304050607')).u64(), Truncated);
    assert.throws(() => new ByteReader(hex('0102')).bytes(3), Truncated);
    // A failed read does not move the cursor.
    const r = new ByteReader(hex('010203'));
    assert.throws(() => r.u32(), Truncated);
    assert.equal(r.remaining, 3);
    assert.equal(r.u16(), 0x0102);
  });

  it('respects start and end bounds (never reads outside the window)', () => {
    const buf = hex('ff | 0102 | ee');
    const r = new ByteReader(buf, 1, 3);
    assert.equal(r.remaining, 2);
    assert.equal(r.u16(), 0x0102);
    assert.equal(r.remaining, 0);
    assert.throws(() => r.u8(), Truncated);
  });

  it('bytes() and rest() return views of the input (no copy)', () => {
    const buf = hex('01020304');
    const r = new ByteReader(buf);
    const a = r.bytes(2);
    const b = r.rest();
    assert.deepEqual(a, hex('0102'));
    assert.deepEqual(b, hex('0304'));
    assert.equal(r.remaining, 0);
    buf[0] = 0x99;
    assert.equal(a[0], 0x99);
    assert.deepEqual(r.rest(), Buffer.alloc(0));
  });

  it('reads length-prefixed UTF-8 strings (golden)', () => {
    // str8 "héllo": 06 | 68 c3a9 6c 6c 6f ; str16 "李": 0003 | e6 9d 8e ; str16 "": 0000
    const r = new ByteReader(hex('06 68c3a96c6c6f | 0003 e69d8e | 0000 | 00'));
    assert.equal(r.str8(64), 'héllo');
    assert.equal(r.str16(64), '李');
    assert.equal(r.str16(64), '');
    assert.equal(r.str8(0), '');
    assert.equal(r.remaining, 0);
  });

  it('accepts a string of exactly max bytes and rejects max + 1', () => {
    assert.equal(new ByteReader(hex('03 616263')).str8(3), 'abc');
    assert.throws(() => new ByteReader(hex('04 61626364')).str8(3), Truncated);
    assert.equal(new ByteReader(hex('0003 616263')).str16(3), 'abc');
    assert.throws(() => new ByteReader(hex('0004 61626364')).str16(3), Truncated);
  });

  it('rejects a string whose length prefix runs past the end', () => {
    assert.throws(() => new ByteReader(hex('05 6162')).str8(64), Truncated);
    assert.throws(() => new ByteReader(hex('0100 6162')).str16(1000), Truncated);
    assert.throws(() => new ByteReader(hex('00')).str16(10), Truncated);
  });

  const invalidUtf8: Array<[string, string]> = [
    ['lone continuation byte', '80'],
    ['0xff', 'ff'],
    ['0xfe', 'fe'],
    ['overlong NUL (c0 80)', 'c080'],
    ['overlong "/" (e0 80 af)', 'e080af'],
    ['truncated 3-byte sequence', 'e282'],
    ['truncated 4-byte sequence', 'f09f98'],
    ['UTF-16 surrogate encoded in UTF-8 (CESU)', 'eda080'],
    ['code point above U+10FFFF', 'f4908080'],
    ['valid prefix then invalid byte', '61 62 ff'],
  ];
  for (const [what, bytes] of invalidUtf8) {
    it(`rejects invalid UTF-8: ${what}`, () => {
      const body = hex(bytes);
      const b8 = Buffer.concat([Buffer.from([body.length]), body]);
      const b16 = Buffer.concat([Buffer.from([0, body.length]), body]);
      assert.throws(() => new ByteReader(b8).str8(64), Truncated);
      assert.throws(() => new ByteReader(b16).str16(64), Truncated);
    });
  }

  // BUG (src/protocol/bytes.ts): `new TextDecoder('utf-8', { fatal: true })` has ignoreBOM = false,
  // so it silently drops a leading U+FEFF. A string that starts with U+FEFF therefore does not
  // survive encode -> decode (chat text, nicknames, file names all go through here).
  // Fix: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).
  it('keeps a leading U+FEFF (BOM) instead of stripping it', () => {
    const r = new ByteReader(hex('04 efbbbf 61'));
    assert.equal(r.str8(64), '\uFEFFa');
  });

  it('never throws anything but Truncated on random input (5000 runs)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 12 }), (bytes, ops) => {
        const r = new ByteReader(Buffer.from(bytes));
        try {
          for (const op of ops) {
            switch (op) {
              case 0: r.u8(); break;
              case 1: r.u16(); break;
              case 2: r.u32(); break;
              case 3: {
                const v = r.u64();
                assert.ok(Number.isSafeInteger(v) && v >= 0);
                break;
              }
              case 4: r.str8(16); break;
              case 5: r.str16(16); break;
              case 6: r.bytes(3); break;
              case 7: r.rest(); break;
            }
            assert.ok(r.remaining >= 0);
          }
        } catch (e) {
          if (!(e instanceof Truncated)) throw e;
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('protocol/bytes: ByteWriter', () => {
  it('writes big-endian integers of every width (golden)', () => {
    const out = new ByteWriter(1).u8(0xab).u16(0x0102).u32(0x0a0b0c0d).u64(0x1_0000_0002).u64(MAX_SAFE).finish();
    assert.equal(out.toString('hex'), 'ab' + '0102' + '0a0b0c0d' + '0000000100000002' + '001fffffffffffff');
  });

  it('writes u32 0xffffffff and u64 0 correctly', () => {
    assert.equal(new ByteWriter().u32(0xffff_ffff).u64(0).finish().toString('hex'), 'ffffffff' + '0000000000000000');
  });

  it('writes length-prefixed UTF-8 strings (golden)', () => {
    const out = new ByteWriter().str8('héllo', 64).str16('李', 64).str16('', 64).finish();
    assert.equal(out.toString('hex'), '06' + '68c3a96c6c6f' + '0003' + 'e69d8e' + '0000');
  });

  it('accepts a string of exactly max bytes', () => {
    assert.equal(new ByteWriter().str8('é'.repeat(2), 4).finish().toString('hex'), '04c3a9c3a9');
    assert.equal(new ByteWriter().str16('a'.repeat(300), 300).finish().length, 302);
  });

  it('rejects an over-long string with RangeError, counting UTF-8 bytes not characters', () => {
    assert.throws(() => new ByteWriter().str8('abcd', 3), RangeError);
    assert.throws(() => new ByteWriter().str8('éé', 3), RangeError); // 2 chars, 4 bytes
    assert.throws(() => new ByteWriter().str16('李李', 5), RangeError); // 2 chars, 6 bytes
  });

  it('rejects strings that do not fit the length prefix even when max is larger', () => {
    assert.throws(() => new ByteWriter().str8('a'.repeat(256), 1000), RangeError);
    assert.doesNotThrow(() => new ByteWriter().str8('a'.repeat(255), 1000));
    assert.throws(() => new ByteWriter().str16('a'.repeat(0x1_0000), 0x2_0000), RangeError);
  });

  it('grows past its initial size without losing bytes', () => {
    const w = new ByteWriter(1);
    const big = Buffer.alloc(5000, 0x5a);
    w.u8(1).bytes(big).u32(0xdeadbeef);
    const out = w.finish();
    assert.equal(out.length, 1 + 5000 + 4);
    assert.equal(out[0], 1);
    assert.ok(out.subarray(1, 5001).equals(big));
    assert.equal(out.readUInt32BE(5001), 0xdeadbeef);
  });

  it('round-trips any sequence of fields through ByteReader (property)', () => {
    type Field =
      | { t: 'u8'; v: number }
      | { t: 'u16'; v: number }
      | { t: 'u32'; v: number }
      | { t: 'u64'; v: number }
      | { t: 'str8'; v: string }
      | { t: 'str16'; v: string };
    const str = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !s.startsWith('\uFEFF'));
    const field: fc.Arbitrary<Field> = fc.oneof(
      fc.integer({ min: 0, max: 0xff }).map((v): Field => ({ t: 'u8', v })),
      fc.integer({ min: 0, max: 0xffff }).map((v): Field => ({ t: 'u16', v })),
      fc.integer({ min: 0, max: 0xffff_ffff }).map((v): Field => ({ t: 'u32', v })),
      fc.integer({ min: 0, max: MAX_SAFE }).map((v): Field => ({ t: 'u64', v })),
      fc.constantFrom(0, MAX_SAFE, 0xffff_ffff, 0x1_0000_0000).map((v): Field => ({ t: 'u64', v })),
      str.filter((s) => Buffer.byteLength(s) <= 255).map((v): Field => ({ t: 'str8', v })),
      str.map((v): Field => ({ t: 'str16', v })),
    );
    fc.assert(
      fc.property(fc.array(field, { maxLength: 20 }), (fields) => {
        const w = new ByteWriter(4);
        for (const f of fields) {
          if (f.t === 'str8' || f.t === 'str16') w[f.t](f.v, 0xffff);
          else w[f.t](f.v);
        }
        const r = new ByteReader(w.finish());
        for (const f of fields) {
          const got = f.t === 'str8' || f.t === 'str16' ? r[f.t](0xffff) : r[f.t]();
          assert.equal(got, f.v);
        }
        assert.equal(r.remaining, 0);
      }),
      { numRuns: 2000 },
    );
  });
});
