/**
 * BATCH, the relay's coalescing datagram (src/protocol/relayBatch.ts), in the style of
 * mqtt-packet's test.js / testRandom.js:
 *   - golden bytes written BY HAND from the layout (header c7 02 0f 00 src dst; then, per inner
 *     datagram, length u16 and the datagram itself);
 *   - decode(encode(items)) gives the items back, as views into the batch, for generated items;
 *   - malformed batches are null (whole), random and mutated input never throws, and whatever
 *     decodes re-encodes to the same bytes (one encoding per batch).
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { Kind } from '../../src/protocol/header';
import { HEADER_BYTES, MAX_DATAGRAM_BYTES } from '../../src/protocol/limits';
import {
  BATCH_LENGTH_BYTES,
  batchBytes,
  decodeBatch,
  encodeBatch,
  encodeBatchInto,
  forEachInBatch,
  isBatchable,
} from '../../src/protocol/relayBatch';
import { BATCH_MAX_BYTES, MAX_COALESCED_DATAGRAM_BYTES } from '../../src/relay/relayLimits';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s|]+/g, ''), 'hex');

// A PONG the relay would send to session 7, and a 16-byte PEER_BROADCAST from session 3.
const PONG_HEX = 'c7 02 07 00 | 00000000 | 00000007 | 01020304 | 00000009';
const BCAST_HEX = 'c7 02 42 00 | 00000003 | ffffffff | 0a0b0c0d';
const GOLDEN_HEX =
  'c7 02 0f 00 | 00000000 | 00000007 | ' + // header: BATCH, src 0 (the relay), dst session 7
  '0014 | ' + PONG_HEX + ' | ' + //          20-byte PONG
  '0010 | ' + BCAST_HEX; //                   16-byte PEER_BROADCAST

/** A whole datagram of `len` (≥ 12) bytes with a given kind and a recognisable fill. */
function dgram(kind: number, len: number, fill = 0x5a): Buffer {
  const b = Buffer.alloc(len, fill);
  b[0] = 0xc7;
  b[1] = 0x02;
  b[2] = kind;
  b[3] = 0;
  return b;
}

/** Inner datagrams as the relay queues them: any kind but BATCH, 12 bytes (bare header) and up. */
const innerDatagram = fc
  .tuple(
    fc.integer({ min: 0, max: 0xff }).filter((k) => k !== Kind.BATCH),
    fc.uint8Array({ minLength: HEADER_BYTES, maxLength: 300 }),
  )
  .map(([kind, bytes]) => {
    const b = Buffer.from(bytes);
    b[2] = kind;
    return b;
  });

/** decodeBatch, checked against forEachInBatch (the same datagrams at the same offsets). */
function mustDecode(buf: Buffer): Buffer[] {
  const d = decodeBatch(buf);
  if (d === null) assert.fail(`expected ${buf.toString('hex')} to decode`);
  const seen: Array<[number, number]> = [];
  assert.equal(forEachInBatch(buf, (b, offset, length) => { assert.equal(b, buf); seen.push([offset, length]); }), d.length);
  assert.deepEqual(seen, d.map((x) => [x.byteOffset - buf.byteOffset, x.length]));
  return d;
}

/** Invalid for both readers, and forEachInBatch visits nothing. */
function assertInvalid(buf: Buffer, what?: string): void {
  assert.equal(decodeBatch(buf), null, what);
  let visited = 0;
  assert.equal(forEachInBatch(buf, () => visited++), -1, what);
  assert.equal(visited, 0, what);
}

describe('protocol/relayBatch', () => {
  describe('golden bytes', () => {
    it('BATCH is relay kind 0x0F', () => {
      assert.equal(Kind.BATCH, 0x0f);
    });

    it('encodes a PONG and a PEER_BROADCAST for session 7 to the hand-written bytes', () => {
      const b = encodeBatch([hex(PONG_HEX), hex(BCAST_HEX)], 7);
      assert.equal(b?.toString('hex'), hex(GOLDEN_HEX).toString('hex'));
      assert.equal(batchBytes([hex(PONG_HEX), hex(BCAST_HEX)]), 12 + 2 + 20 + 2 + 16);
    });

    it('decodes the hand-written bytes into the two datagrams, in order', () => {
      const items = mustDecode(hex(GOLDEN_HEX));
      assert.deepEqual(
        items.map((d) => d.toString('hex')),
        [hex(PONG_HEX).toString('hex'), hex(BCAST_HEX).toString('hex')],
      );
    });

    it('inner datagrams are views into the batch, not copies', () => {
      const buf = hex(GOLDEN_HEX);
      const [pong, bcast] = mustDecode(buf);
      assert.equal(pong.buffer, buf.buffer);
      assert.equal(pong.byteOffset, buf.byteOffset + 14);
      assert.equal(bcast.byteOffset, buf.byteOffset + 14 + 20 + 2);
    });

    it('encodes a sub-range [from, to) of a queue', () => {
      const q = [dgram(0x41, 12, 1), hex(PONG_HEX), hex(BCAST_HEX), dgram(0x41, 12, 2)];
      assert.equal(encodeBatch(q, 7, 1, 3)?.toString('hex'), hex(GOLDEN_HEX).toString('hex'));
      assert.equal(batchBytes(q, 1, 3), hex(GOLDEN_HEX).length);
    });

    it('a bare 12-byte header is a valid inner datagram (LEAVE-sized)', () => {
      const bare = hex('c7 02 0c 00 | 00000000 | 00000007');
      const b = encodeBatch([bare, bare], 7)!;
      assert.equal(b.toString('hex'), hex('c7 02 0f 00 00000000 00000007 000c' + bare.toString('hex') + '000c' + bare.toString('hex')).toString('hex'));
      assert.deepEqual(mustDecode(b).map((d) => d.toString('hex')), [bare.toString('hex'), bare.toString('hex')]);
    });

    it('the relay limits: batches fit the safe datagram size, and a queued datagram fits one with a bare header', () => {
      assert.equal(BATCH_MAX_BYTES, 1200);
      assert.equal(MAX_COALESCED_DATAGRAM_BYTES, 1200 - 12 - 2 - 2 - 12);
      const big = dgram(0x42, MAX_COALESCED_DATAGRAM_BYTES);
      const bare = dgram(0x07, HEADER_BYTES);
      assert.equal(batchBytes([big, bare]), BATCH_MAX_BYTES);
      assert.equal(encodeBatch([big, bare], 1)!.length, BATCH_MAX_BYTES);
    });
  });

  describe('round trips (property)', () => {
    it('decode(encode(items)) gives the same bytes back, in order', () => {
      fc.assert(
        fc.property(fc.array(innerDatagram, { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 0xffff_ffff }), (items, dst) => {
          const b = encodeBatch(items, dst);
          assert.ok(b !== null);
          assert.equal(b.length, batchBytes(items));
          assert.equal(b.readUInt32BE(4), 0, 'src is the relay');
          assert.equal(b.readUInt32BE(8), dst);
          assert.deepEqual(
            mustDecode(b).map((d) => d.toString('hex')),
            items.map((d) => d.toString('hex')),
          );
        }),
        { numRuns: 500 },
      );
    });

    it('a prefix of a batch is either invalid or exactly a prefix of its datagrams', () => {
      fc.assert(
        fc.property(fc.array(innerDatagram, { minLength: 1, maxLength: 6 }), (items) => {
          const b = encodeBatch(items, 9)!;
          for (let n = 0; n < b.length; n++) {
            const d = decodeBatch(b.subarray(0, n));
            if (d === null) continue;
            assert.ok(d.length < items.length, `prefix ${n} decoded to all ${items.length} datagrams`);
            assert.equal(n, batchBytes(items, 0, d.length), `prefix ${n} decoded but does not end on a datagram boundary`);
            d.forEach((x, i) => assert.ok(x.equals(items[i])));
          }
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('malformed input: the whole batch is null', () => {
    const table: Array<[string, string]> = [
      ['header only (no datagram)', 'c7 02 0f 00 | 00000000 | 00000007'],
      ['one byte of a length', 'c7 02 0f 00 | 00000000 | 00000007 | 00'],
      ['a length below a header (11)', 'c7 02 0f 00 | 00000000 | 00000007 | 000b | c7 02 07 00 00000000 000000'],
      ['a zero length', 'c7 02 0f 00 | 00000000 | 00000007 | 0000'],
      ['a length past the end', 'c7 02 0f 00 | 00000000 | 00000007 | 0015 | ' + PONG_HEX],
      ['a length of 0xFFFF', 'c7 02 0f 00 | 00000000 | 00000007 | ffff | ' + PONG_HEX],
      ['one trailing byte', GOLDEN_HEX + ' | 00'],
      ['a truncated second length', 'c7 02 0f 00 | 00000000 | 00000007 | 0014 | ' + PONG_HEX + ' | 00'],
      [
        'a nested BATCH',
        'c7 02 0f 00 | 00000000 | 00000007 | 0022 | c7 02 0f 00 00000000 00000007 | 0014 | ' + PONG_HEX,
      ],
      ['a nested BATCH after a good datagram', GOLDEN_HEX + ' | 000e | c7 02 0f 00 00000000 00000007 | 0000'],
      ['another kind (PRESENCE)', 'c7 02 0a 00 | 00000000 | 00000007 | 0014 | ' + PONG_HEX],
      ['wrong magic', 'c6 02 0f 00 | 00000000 | 00000007 | 0014 | ' + PONG_HEX],
      ['an older version (1)', 'c7 01 0f 00 | 00000000 | 00000007 | 0014 | ' + PONG_HEX],
      ['a newer version (3)', 'c7 03 0f 00 | 00000000 | 00000007 | 0014 | ' + PONG_HEX],
      ['shorter than a header', 'c7 02 0f 00 00'],
      ['empty', ''],
    ];
    for (const [what, h] of table) {
      it(what, () => {
        assertInvalid(hex(h));
      });
    }

    it('the nested case above is refused for nesting alone: the same bytes with another inner kind decode', () => {
      const inner = 'c7 02 0f 00 00000000 00000007 | 0014 | ' + PONG_HEX;
      assertInvalid(hex('c7 02 0f 00 | 00000000 | 00000007 | 0022 | ' + inner));
      const relabelled = mustDecode(hex('c7 02 0f 00 | 00000000 | 00000007 | 0022 | ' + inner.replace(/^c7 02 0f/, 'c7 02 0a')));
      assert.equal(relabelled.length, 1);
      assert.equal(relabelled[0].length, 0x22);
    });

    it('an inner datagram with a bad magic is the normal path\'s business, not the batch\'s', () => {
      const odd = hex('00 00 07 00 | 00000000 | 00000007');
      assert.deepEqual(mustDecode(encodeBatch([odd, odd], 7)!).length, 2);
    });

    it('never throws on random bytes, with or without a BATCH header (10000 runs)', () => {
      fc.assert(
        fc.property(fc.boolean(), fc.uint8Array({ maxLength: 400 }), (withHeader, bytes) => {
          const body = Buffer.from(bytes);
          const buf = withHeader ? Buffer.concat([hex('c7 02 0f 00 00000000 00000007'), body]) : body;
          const d = decodeBatch(buf);
          assert.equal(forEachInBatch(buf, () => {}), d === null ? -1 : d.length);
          if (d !== null && buf[3] === 0 && buf.readUInt32BE(4) === 0) {
            // Whatever decodes is canonical: re-encoding gives the same bytes (flags and src as the relay writes them).
            assert.equal(encodeBatch(d, buf.readUInt32BE(8))!.toString('hex'), buf.toString('hex'));
          }
        }),
        { numRuns: 10000 },
      );
    });

    it('never throws on mutated and truncated valid batches (5000 runs)', () => {
      fc.assert(
        fc.property(
          fc.array(innerDatagram, { minLength: 1, maxLength: 6 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 0xff })), { minLength: 1, maxLength: 6 }),
          fc.nat(),
          (items, edits, cut) => {
            const b = Buffer.from(encodeBatch(items, 3)!);
            for (const [i, v] of edits) b[i % b.length] = v;
            decodeBatch(b.subarray(0, cut % (b.length + 1)));
            forEachInBatch(b.subarray(0, cut % (b.length + 1)), () => {});
            const d = decodeBatch(b);
            if (d !== null) for (const x of d) assert.ok(x.length >= HEADER_BYTES && x[2] !== Kind.BATCH);
          },
        ),
        { numRuns: 5000 },
      );
    });
  });

  describe('the encoder returns null instead of throwing', () => {
    const ok = hex(PONG_HEX);
    const cases: Array<[string, Buffer[], number?, number?]> = [
      ['no datagrams', []],
      ['an empty range', [ok, ok], 1, 1],
      ['a range past the end', [ok], 0, 2],
      ['a negative start', [ok], -1, 1],
      ['a datagram shorter than a header', [ok, Buffer.alloc(11)]],
      ['a BATCH inside', [ok, dgram(Kind.BATCH, 20)]],
      ['more than one UDP datagram can carry', [dgram(0x41, 40_000), dgram(0x41, 40_000)]],
    ];
    for (const [what, items, from, to] of cases) {
      it(what, () => {
        assert.equal(encodeBatch(items, 1, from, to), null);
      });
    }

    it('encodeBatchInto writes the same bytes into a reused buffer, or -1 when they do not fit', () => {
      const items = [hex(PONG_HEX), hex(BCAST_HEX)];
      const out = Buffer.alloc(100, 0xee);
      assert.equal(encodeBatchInto(out, items, 7), hex(GOLDEN_HEX).length);
      assert.equal(out.subarray(0, hex(GOLDEN_HEX).length).toString('hex'), hex(GOLDEN_HEX).toString('hex'));
      assert.equal(out[hex(GOLDEN_HEX).length], 0xee, 'nothing written past the batch');
      const small = Buffer.alloc(hex(GOLDEN_HEX).length - 1, 0xee);
      assert.equal(encodeBatchInto(small, items, 7), -1);
      assert.ok(small.every((b) => b === 0xee), 'nothing written when it does not fit');
      assert.equal(encodeBatchInto(out, [], 7), -1);
      assert.equal(encodeBatchInto(out, [ok, dgram(Kind.BATCH, 20)], 7), -1);
    });

    it('isBatchable: whole datagrams only, never a BATCH, and within one UDP payload', () => {
      assert.equal(isBatchable(ok), true);
      assert.equal(isBatchable(Buffer.alloc(11)), false);
      assert.equal(isBatchable(dgram(Kind.BATCH, 20)), false);
      assert.equal(isBatchable(dgram(0x41, MAX_DATAGRAM_BYTES - HEADER_BYTES - BATCH_LENGTH_BYTES)), true);
      assert.equal(isBatchable(dgram(0x41, MAX_DATAGRAM_BYTES - HEADER_BYTES - BATCH_LENGTH_BYTES + 1)), false);
    });
  });
});
