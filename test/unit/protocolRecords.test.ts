/**
 * PEER_RECORD wire format (src/protocol/peerPackets.ts, "Records"):
 *
 *   header | epoch u32 | record u64 | fragment u8 (index << 4 | count − 1) | transferId u32
 *   | pn u32 | chunk u32 | ciphertext | tag(16), in the last fragment only
 *
 *   AAD = 0x43 | epoch u32 | record u64 | count u8 | transferId u32 | chunk u32 × count
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { Header, Kind } from '../../src/protocol/header';
import { HEADER_BYTES } from '../../src/protocol/limits';
import {
  MAX_RECORD_FRAGMENTS,
  RECORD_FRAGMENT_HEADER_BYTES,
  RECORD_PREFIX_BYTES,
  RecordFragment,
  SEALED_PREFIX_BYTES,
  SEAL_TAG_BYTES,
  readRecordFragment,
  recordAad,
  writeRecordFragment,
} from '../../src/protocol/peerPackets';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s|]+/g, ''), 'hex');
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const TAG = 'f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff';
const HDR: Header = { kind: Kind.PEER_RECORD, flags: 0, src: 1, dst: 2 };

// Fragment 1 of 3 (not the last: no tag): epoch 0x0a0b0c0d, record 2^32 + 2, transferId
// 0x01020304, transfer pn 7, chunk 9, ciphertext abcd.
const MIDDLE_HEX = 'c7 02 43 00 | 00000001 | 00000002 | 0a0b0c0d | 00000001 00000002 | 12 | 01020304 | 00000007 | 00000009 | abcd';
// Fragment 2 of 3 (the last: the tag follows), chunk 10, pn 8, ciphertext ef.
const LAST_HEX = 'c7 02 43 00 | 00000001 | 00000002 | 0a0b0c0d | 00000001 00000002 | 22 | 01020304 | 00000008 | 0000000a | ef | ' + TAG;
// Fragment 15 of 16 (the last of the largest record), flags and ids at their largest, empty ciphertext.
const FULL_HEX = 'c7 02 43 ff | fffffffe | ffffffff | ffffffff | 001fffff ffffffff | ff | ffffffff | ffffffff | ffffffff | ' + TAG;
// AAD of that 3-fragment record, chunks 9, 10 and 11.
const AAD_HEX = '43 | 0a0b0c0d | 00000001 00000002 | 03 | 01020304 | 00000009 0000047b | 0000000a 0000047b | 0000000b 00000005';
/** Part lengths for AAD_HEX: two full 1147-byte chunks and a short last one. */
const AAD_LENGTHS = [{ length: 1147 }, { length: 1147 }, { length: 5 }];

type Fields = Omit<RecordFragment, 'header'>;

function fields(over: Partial<Fields> = {}): Fields {
  return {
    epoch: 0x0a0b0c0d,
    record: 0x1_0000_0002,
    index: 1,
    count: 3,
    transferId: 0x01020304,
    pn: 7,
    chunk: 9,
    ciphertext: hex('abcd'),
    tag: null,
    ...over,
  };
}

/** Writes into a buffer with slack and returns exactly the fragment's bytes. */
function write(h: Header, f: Fields): Buffer {
  const out = Buffer.alloc(RECORD_PREFIX_BYTES + f.ciphertext.length + SEAL_TAG_BYTES + 10, 0xee);
  const n = writeRecordFragment(out, h, f);
  assert.ok(out.subarray(n).every((b) => b === 0xee), 'wrote past the returned length');
  return out.subarray(0, n);
}

function assertFragment(got: RecordFragment | null, h: Header, f: Fields): void {
  assert.ok(got, 'did not parse');
  assert.deepEqual(got.header, { ...h });
  assert.equal(got.epoch, f.epoch);
  assert.equal(got.record, f.record);
  assert.equal(got.index, f.index);
  assert.equal(got.count, f.count);
  assert.equal(got.transferId, f.transferId);
  assert.equal(got.pn, f.pn);
  assert.equal(got.chunk, f.chunk);
  assert.equal(got.ciphertext.toString('hex'), f.ciphertext.toString('hex'));
  if (f.tag === null) assert.equal(got.tag, null);
  else assert.equal(got.tag?.toString('hex'), f.tag.toString('hex'));
}

describe('protocol/peerPackets records', () => {
  it('constants match the documented layout', () => {
    assert.equal(Kind.PEER_RECORD, 0x43);
    assert.equal(MAX_RECORD_FRAGMENTS, 16);
    assert.equal(RECORD_FRAGMENT_HEADER_BYTES, 13);
    assert.equal(RECORD_PREFIX_BYTES, 37);
    assert.equal(RECORD_PREFIX_BYTES, SEALED_PREFIX_BYTES + RECORD_FRAGMENT_HEADER_BYTES);
    assert.equal(SEAL_TAG_BYTES, 16);
  });

  describe('writeRecordFragment / readRecordFragment (golden)', () => {
    it('writes a non-last fragment without a tag and reads it back', () => {
      const f = fields();
      const bytes = write(HDR, f);
      assert.equal(bytes.toString('hex'), hex(MIDDLE_HEX).toString('hex'));
      assert.equal(bytes.length, RECORD_PREFIX_BYTES + 2);
      assertFragment(readRecordFragment(hex(MIDDLE_HEX)), HDR, f);
    });

    it('writes the last fragment with the tag after the ciphertext and reads it back', () => {
      const f = fields({ index: 2, pn: 8, chunk: 10, ciphertext: hex('ef'), tag: hex(TAG) });
      const bytes = write(HDR, f);
      assert.equal(bytes.toString('hex'), hex(LAST_HEX).toString('hex'));
      assert.equal(bytes.length, RECORD_PREFIX_BYTES + 1 + SEAL_TAG_BYTES);
      assertFragment(readRecordFragment(hex(LAST_HEX)), HDR, f);
    });

    it('packs index 15 of 16 as 0xff and carries the largest field values', () => {
      const h: Header = { kind: Kind.PEER_RECORD, flags: 0xff, src: 0xffff_fffe, dst: 0xffff_ffff };
      const f = fields({
        epoch: 0xffff_ffff,
        record: MAX_SAFE,
        index: 15,
        count: 16,
        transferId: 0xffff_ffff,
        pn: 0xffff_ffff,
        chunk: 0xffff_ffff,
        ciphertext: Buffer.alloc(0),
        tag: hex(TAG),
      });
      assert.equal(write(h, f).toString('hex'), hex(FULL_HEX).toString('hex'));
      assertFragment(readRecordFragment(hex(FULL_HEX)), h, f);
    });

    it('packs every (index, count) as index << 4 | count − 1', () => {
      for (let count = 1; count <= MAX_RECORD_FRAGMENTS; count++) {
        for (let index = 0; index < count; index++) {
          const last = index === count - 1;
          const f = fields({ index, count, tag: last ? hex(TAG) : null });
          const bytes = write(HDR, f);
          assert.equal(bytes[SEALED_PREFIX_BYTES], index * 16 + count - 1, `${index} of ${count}`);
          const got = readRecordFragment(bytes);
          assert.equal(got?.index, index);
          assert.equal(got?.count, count);
          assert.equal(got?.tag === null, !last);
        }
      }
    });

    it('returns views of the datagram for ciphertext and tag', () => {
      const buf = hex(LAST_HEX);
      const got = readRecordFragment(buf)!;
      buf[RECORD_PREFIX_BYTES] = 0x00;
      buf[buf.length - 1] = 0x00;
      assert.equal(got.ciphertext[0], 0x00);
      assert.equal(got.tag![SEAL_TAG_BYTES - 1], 0x00);
    });

    it('a non-last fragment may carry an empty ciphertext; a last one only with its tag', () => {
      const middle = hex(MIDDLE_HEX).subarray(0, RECORD_PREFIX_BYTES);
      const m = readRecordFragment(middle);
      assert.ok(m);
      assert.equal(m.ciphertext.length, 0);
      assert.equal(m.tag, null);
      const last = Buffer.concat([hex(LAST_HEX).subarray(0, RECORD_PREFIX_BYTES), hex(TAG)]);
      const l = readRecordFragment(last);
      assert.ok(l);
      assert.equal(l.ciphertext.length, 0);
      assert.equal(l.tag?.toString('hex'), TAG);
    });
  });

  describe('recordAad', () => {
    it('is kind | epoch | record | count | transferId | every chunk and its length (golden)', () => {
      assert.equal(recordAad(0x0a0b0c0d, 0x1_0000_0002, 0x01020304, [9, 10, 11], AAD_LENGTHS).toString('hex'), hex(AAD_HEX).toString('hex'));
    });

    it('carries the largest values and sixteen chunks (golden)', () => {
      const chunks = Array.from({ length: 16 }, (_, i) => 0xffff_fff0 + i);
      const lengths = chunks.map(() => ({ length: 64_947 }));
      const expected =
        '43' + 'ffffffff' + '001fffff' + 'ffffffff' + '10' + 'fffffffe' + chunks.map((c) => c.toString(16).padStart(8, '0') + '0000fdb3').join('');
      assert.equal(recordAad(0xffff_ffff, MAX_SAFE, 0xffff_fffe, chunks, lengths).toString('hex'), expected);
      assert.equal(recordAad(0, 0, 0, [0], [{ length: 0 }]).toString('hex'), '43' + '00000000' + '0000000000000000' + '01' + '00000000' + '00000000' + '00000000');
    });

    it('differs when any field, chunk or length differs, or the chunks are reordered', () => {
      const L = (...n: number[]) => n.map((length) => ({ length }));
      const base = recordAad(1, 2, 3, [4, 5, 6], L(10, 10, 7)).toString('hex');
      for (const other of [
        recordAad(9, 2, 3, [4, 5, 6], L(10, 10, 7)),
        recordAad(1, 9, 3, [4, 5, 6], L(10, 10, 7)),
        recordAad(1, 2 + 0x1_0000_0000, 3, [4, 5, 6], L(10, 10, 7)),
        recordAad(1, 2, 9, [4, 5, 6], L(10, 10, 7)),
        recordAad(1, 2, 3, [4, 5, 9], L(10, 10, 7)),
        recordAad(1, 2, 3, [4, 6, 5], L(10, 10, 7)),
        recordAad(1, 2, 3, [4, 5], L(10, 10)),
        recordAad(1, 2, 3, [4, 5, 6], L(10, 9, 8)), // the same bytes cut at another boundary
      ]) {
        assert.notEqual(other.toString('hex'), base);
      }
      assert.equal(recordAad(1, 2, 3, [4, 5, 6], L(10, 10, 7)).toString('hex'), base);
      assert.throws(() => recordAad(1, 2, 3, [4, 5, 6], L(10, 10)), RangeError);
    });
  });

  describe('readRecordFragment rejects malformed datagrams (null, never throws)', () => {
    it('wrong kind', () => {
      for (const kind of [Kind.PEER_SEALED, Kind.PEER_BROADCAST, Kind.PEER_HELLO, 0x44, 0x00]) {
        const buf = hex(LAST_HEX);
        buf[2] = kind;
        assert.equal(readRecordFragment(buf), null, `kind ${kind}`);
      }
    });

    it('wrong magic or version', () => {
      const a = hex(LAST_HEX);
      a[0] ^= 1;
      assert.equal(readRecordFragment(a), null);
      const b = hex(LAST_HEX);
      b[1] ^= 0x80;
      assert.equal(readRecordFragment(b), null);
    });

    it('a datagram shorter than the fragment prefix', () => {
      const full = hex(MIDDLE_HEX);
      for (let n = 0; n < RECORD_PREFIX_BYTES; n++) {
        assert.equal(readRecordFragment(full.subarray(0, n)), null, `${n} bytes`);
      }
      assert.ok(readRecordFragment(full.subarray(0, RECORD_PREFIX_BYTES)));
    });

    it('an index not below the count', () => {
      for (const fb of [0x10, 0x20, 0x21, 0xf0, 0xfe, 0x32]) {
        const buf = hex(LAST_HEX);
        buf[SEALED_PREFIX_BYTES] = fb;
        assert.equal(readRecordFragment(buf), null, `fragment byte ${fb.toString(16)}`);
      }
    });

    it('a last fragment too short for its tag', () => {
      const full = hex(LAST_HEX); // 1 byte of ciphertext + tag
      for (let n = RECORD_PREFIX_BYTES; n < RECORD_PREFIX_BYTES + SEAL_TAG_BYTES; n++) {
        assert.equal(readRecordFragment(full.subarray(0, n)), null, `${n} bytes`);
      }
      // exactly a tag: empty ciphertext
      assert.ok(readRecordFragment(full.subarray(0, RECORD_PREFIX_BYTES + SEAL_TAG_BYTES)));
      // the same short lengths are fine for a non-last fragment
      const middle = Buffer.from(full);
      middle[SEALED_PREFIX_BYTES] = 0x02; // index 0 of 3
      assert.equal(readRecordFragment(middle.subarray(0, RECORD_PREFIX_BYTES + 5))?.ciphertext.length, 5);
    });

    it('a record number above 2^53 − 1 (high word above 0x1fffff)', () => {
      for (const hi of [0x20_0000, 0x8000_0000, 0xffff_ffff]) {
        const buf = hex(LAST_HEX);
        buf.writeUInt32BE(hi, HEADER_BYTES + 4);
        assert.equal(readRecordFragment(buf), null, `hi ${hi.toString(16)}`);
      }
      const ok = hex(LAST_HEX);
      ok.writeUInt32BE(0x1f_ffff, HEADER_BYTES + 4);
      ok.writeUInt32BE(0xffff_ffff, HEADER_BYTES + 8);
      assert.equal(readRecordFragment(ok)?.record, MAX_SAFE);
    });

    it('never throws on random buffers (property)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 120 }), (u) => {
          readRecordFragment(Buffer.from(u));
        }),
        { numRuns: 2000 },
      );
    });

    it('never throws on random bytes after a valid PEER_RECORD header, and what it returns is consistent (property)', () => {
      const head = hex('c7 02 43 00 00000001 00000002');
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 100 }), (u) => {
          const buf = Buffer.concat([head, Buffer.from(u)]);
          const got = readRecordFragment(buf);
          if (got === null) return;
          assert.ok(buf.length >= RECORD_PREFIX_BYTES);
          assert.ok(got.index < got.count && got.count <= MAX_RECORD_FRAGMENTS);
          assert.ok(Number.isSafeInteger(got.record));
          const last = got.index === got.count - 1;
          assert.equal(got.tag === null, !last);
          assert.equal(RECORD_PREFIX_BYTES + got.ciphertext.length + (last ? SEAL_TAG_BYTES : 0), buf.length);
        }),
        { numRuns: 2000 },
      );
    });
  });

  describe('round trip (property)', () => {
    const arbHeader = fc.record({
      kind: fc.constant(Kind.PEER_RECORD as number),
      flags: fc.integer({ min: 0, max: 255 }),
      src: fc.integer({ min: 0, max: 0xffff_ffff }),
      dst: fc.integer({ min: 0, max: 0xffff_ffff }),
    });
    const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
    const arbFields = fc
      .record({
        epoch: u32,
        record: fc.oneof(fc.integer({ min: 0, max: MAX_SAFE }), fc.constantFrom(0, 0xffff_ffff, 0x1_0000_0000, MAX_SAFE)),
        count: fc.integer({ min: 1, max: MAX_RECORD_FRAGMENTS }),
        indexSeed: fc.nat(),
        transferId: u32,
        pn: u32,
        chunk: u32,
        ciphertext: fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u)),
        tag: fc.uint8Array({ minLength: SEAL_TAG_BYTES, maxLength: SEAL_TAG_BYTES }).map((u) => Buffer.from(u)),
      })
      .map(({ indexSeed, count, tag, ...rest }): Fields => {
        const index = indexSeed % count;
        return { ...rest, count, index, tag: index === count - 1 ? tag : null };
      });

    it('every valid fragment reads back as written', () => {
      fc.assert(
        fc.property(arbHeader, arbFields, (h, f) => {
          const bytes = write(h, f);
          assert.equal(bytes.length, RECORD_PREFIX_BYTES + f.ciphertext.length + (f.tag ? SEAL_TAG_BYTES : 0));
          assertFragment(readRecordFragment(bytes), h, f);
          // into an exactly sized buffer too
          const exact = Buffer.alloc(bytes.length);
          assert.equal(writeRecordFragment(exact, h, f), bytes.length);
          assert.deepEqual(exact, bytes);
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('writeRecordFragment refuses programming errors (RangeError)', () => {
    const room = (): Buffer => Buffer.alloc(200, 0xee);
    const untouched = (b: Buffer): boolean => b.every((x) => x === 0xee);

    it('a tag on a non-last fragment', () => {
      const out = room();
      assert.throws(() => writeRecordFragment(out, HDR, fields({ index: 0, tag: hex(TAG) })), RangeError);
      assert.ok(untouched(out));
    });

    it('no tag on the last fragment', () => {
      const out = room();
      assert.throws(() => writeRecordFragment(out, HDR, fields({ index: 2, tag: null })), RangeError);
      assert.throws(() => writeRecordFragment(out, HDR, fields({ index: 0, count: 1, tag: null })), RangeError);
      assert.ok(untouched(out));
    });

    it('a tag that is not 16 bytes', () => {
      const out = room();
      assert.throws(() => writeRecordFragment(out, HDR, fields({ index: 2, tag: hex(TAG).subarray(0, 15) })), RangeError);
      assert.throws(() => writeRecordFragment(out, HDR, fields({ index: 2, tag: Buffer.concat([hex(TAG), Buffer.alloc(1)]) })), RangeError);
      assert.ok(untouched(out));
    });

    it('a count of 0 or 17, or an index outside the count', () => {
      const out = room();
      assert.throws(() => writeRecordFragment(out, HDR, fields({ index: 0, count: 0, tag: null })), RangeError);
      assert.throws(() => writeRecordFragment(out, HDR, fields({ index: 0, count: 0, tag: hex(TAG) })), RangeError);
      assert.throws(() => writeRecordFragment(out, HDR, fields({ index: 16, count: 17, tag: hex(TAG) })), RangeError);
      assert.throws(() => writeRecordFragment(out, HDR, fields({ index: 0, count: 17, tag: null })), RangeError);
      assert.throws(() => writeRecordFragment(out, HDR, fields({ index: 3, count: 3, tag: hex(TAG) })), RangeError);
      assert.throws(() => writeRecordFragment(out, HDR, fields({ index: -1, count: 3, tag: null })), RangeError);
      assert.ok(untouched(out));
    });

    it('an output buffer too small for the fragment (one byte short), without writing anything', () => {
      const mid = fields();
      const last = fields({ index: 2, tag: hex(TAG) });
      const midNeed = RECORD_PREFIX_BYTES + 2;
      const lastNeed = RECORD_PREFIX_BYTES + 2 + SEAL_TAG_BYTES;
      const a = Buffer.alloc(midNeed - 1, 0xee);
      assert.throws(() => writeRecordFragment(a, HDR, mid), RangeError);
      assert.ok(untouched(a));
      const b = Buffer.alloc(lastNeed - 1, 0xee);
      assert.throws(() => writeRecordFragment(b, HDR, last), RangeError);
      assert.ok(untouched(b));
      assert.equal(writeRecordFragment(Buffer.alloc(midNeed), HDR, mid), midNeed);
      assert.equal(writeRecordFragment(Buffer.alloc(lastNeed), HDR, last), lastNeed);
    });
  });
});
