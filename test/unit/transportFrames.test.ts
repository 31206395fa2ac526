import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeFrames,
  encodeFrames,
  encodeXferDataInto,
  Frame,
  NumberRange,
  XFER_DATA_HEADER_BYTES,
} from '../../src/transport/frames';
import { MAX_MESSAGE_BYTES, MAX_MSG_ACK_RANGES, MAX_XFER_ACK_RANGES } from '../../src/transport/limits';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const b = (s: string) => Buffer.from(s, 'latin1');

/** Frames ↔ exact bytes. */
const golden: Array<{ name: string; frames: Frame[]; bytes: string }> = [
  { name: 'MSG', frames: [{ type: 'msg', seq: 1, data: b('hi') }], bytes: '01 00000001 0002 6869' },
  { name: 'MSG empty, large seq', frames: [{ type: 'msg', seq: 0xdeadbeef, data: b('') }], bytes: '01 deadbeef 0000' },
  { name: 'MSG_ACK cumulative only', frames: [{ type: 'msgAck', next: 5, ranges: [] }], bytes: '02 00000005 00' },
  {
    name: 'MSG_ACK with ranges',
    frames: [{ type: 'msgAck', next: 5, ranges: [[7, 8], [10, 10]] }],
    bytes: '02 00000005 02 00000007 00000008 0000000a 0000000a',
  },
  {
    name: 'XFER_DATA',
    frames: [{ type: 'xferData', transferId: 0x01020304, pn: 7, chunk: 9, data: hex('abcd') }],
    bytes: '03 01020304 00000007 00000009 abcd',
  },
  {
    name: 'XFER_ACK with three ranges (RFC 9000 §19.3.1 gaps)',
    frames: [
      {
        type: 'xferAck',
        transferId: 1,
        largest: 100,
        ackDelayUs: 250,
        ranges: [[95, 100], [90, 92], [80, 80]],
        maxChunk: 500,
        written: 42,
      },
    ],
    bytes:
      '04 00000001 00000064 000000fa 000001f4 0000002a 03' + ' 00000005' + ' 00000001 00000002' + ' 00000008 00000000',
  },
  {
    name: 'XFER_ACK credit only',
    frames: [{ type: 'xferAck', transferId: 2, largest: 0, ackDelayUs: 0, ranges: [], maxChunk: 16, written: 0 }],
    bytes: '04 00000002 00000000 00000000 00000010 00000000 00',
  },
  {
    name: 'XFER_PROBE',
    frames: [{ type: 'xferProbe', transferId: 3, probeId: 4, padding: 3 }],
    bytes: '05 00000003 00000004 000000',
  },
  {
    name: 'XFER_PROBE_ACK',
    frames: [{ type: 'xferProbeAck', transferId: 3, probeId: 4, size: 1472 }],
    bytes: '06 00000003 00000004 000005c0',
  },
  { name: 'opaque', frames: [{ type: 'opaque', code: 0x21, body: b('abc') }], bytes: '21 0003 616263' },
  {
    name: 'several frames in one payload',
    frames: [
      { type: 'msgAck', next: 0, ranges: [] },
      { type: 'msg', seq: 0, data: b('x') },
      { type: 'opaque', code: 0x3f, body: b('') },
      { type: 'xferProbeAck', transferId: 0, probeId: 1, size: 2 },
    ],
    bytes: '02 00000000 00  01 00000000 0001 78  3f 0000  06 00000000 00000001 00000002',
  },
  { name: 'empty payload', frames: [], bytes: '' },
];

const malformed: Array<{ name: string; bytes: string }> = [
  { name: 'type 0x00', bytes: '00' },
  { name: 'type 0x07 (unassigned transport type)', bytes: '07 00' },
  { name: 'type 0x1f', bytes: '1f 0000' },
  { name: 'type 0x40', bytes: '40 0000' },
  { name: 'type 0xff', bytes: 'ff' },
  { name: 'MSG truncated header', bytes: '01 000000' },
  { name: 'MSG length past end', bytes: '01 00000001 0005 6869' },
  { name: 'MSG longer than MAX_MESSAGE_BYTES', bytes: '01 00000001 0401' + '00'.repeat(1025) },
  { name: 'MSG_ACK truncated ranges', bytes: '02 00000005 01 00000007' },
  { name: 'MSG_ACK range starting at next', bytes: '02 00000005 01 00000005 00000006' },
  { name: 'MSG_ACK adjacent ranges', bytes: '02 00000005 02 00000007 00000008 00000009 00000009' },
  { name: 'MSG_ACK range end < start', bytes: '02 00000005 01 00000009 00000008' },
  { name: 'MSG_ACK too many ranges', bytes: '02 00000000 11' + '00000002 00000002'.repeat(17) },
  { name: 'XFER_DATA truncated header', bytes: '03 00000001 00000002 000000' },
  { name: 'XFER_ACK truncated', bytes: '04 00000001 00000002 00000000 00000000 00000000' },
  { name: 'XFER_ACK first range above largest', bytes: '04 00000001 00000002 00000000 00000000 00000000 01 00000003' },
  {
    name: 'XFER_ACK gap underflows',
    bytes: '04 00000001 00000005 00000000 00000000 00000000 02 00000001 00000003 00000000',
  },
  {
    name: 'XFER_ACK length underflows',
    bytes: '04 00000001 00000005 00000000 00000000 00000000 02 00000001 00000000 00000003',
  },
  { name: 'XFER_ACK too many ranges', bytes: '04 00000001 00000005 00000000 00000000 00000000 21' },
  { name: 'XFER_PROBE truncated', bytes: '05 00000001 000000' },
  { name: 'XFER_PROBE_ACK truncated', bytes: '06 00000001 00000002 000000' },
  { name: 'opaque truncated length', bytes: '21 00' },
  { name: 'opaque body past end', bytes: '21 0005 6162' },
  { name: 'valid frame followed by garbage', bytes: '02 00000000 00 ff' },
];

describe('transport frames', () => {
  describe('golden bytes', () => {
    for (const g of golden) {
      it(`encodes ${g.name}`, () => {
        assert.equal(encodeFrames(g.frames).toString('hex'), hex(g.bytes).toString('hex'));
      });
      it(`decodes ${g.name}`, () => {
        assert.deepEqual(decodeFrames(hex(g.bytes)), g.frames);
      });
    }
  });

  describe('malformed input decodes to null', () => {
    for (const m of malformed) {
      it(m.name, () => {
        assert.equal(decodeFrames(hex(m.bytes)), null);
      });
    }
  });

  describe('encoder rejects frames it cannot represent', () => {
    const bad: Array<[string, Frame[]]> = [
      ['MSG over MAX_MESSAGE_BYTES', [{ type: 'msg', seq: 0, data: Buffer.alloc(MAX_MESSAGE_BYTES + 1) }]],
      ['seq above u32', [{ type: 'msg', seq: 2 ** 32, data: Buffer.alloc(0) }]],
      ['MSG_ACK overlapping ranges', [{ type: 'msgAck', next: 0, ranges: [[2, 5], [4, 9]] }]],
      [
        'XFER_ACK ranges not ending at largest',
        [{ type: 'xferAck', transferId: 0, largest: 9, ackDelayUs: 0, ranges: [[1, 8]], maxChunk: 0, written: 0 }],
      ],
      [
        'XFER_DATA not last',
        [
          { type: 'xferData', transferId: 0, pn: 0, chunk: 0, data: Buffer.alloc(1) },
          { type: 'msgAck', next: 0, ranges: [] },
        ],
      ],
      ['opaque code outside 0x20–0x3f', [{ type: 'opaque', code: 0x40, body: Buffer.alloc(0) }]],
    ];
    for (const [name, frames] of bad) {
      it(name, () => assert.throws(() => encodeFrames(frames), RangeError));
    }
  });

  it('encodeXferDataInto writes the same header as encodeFrames, data follows in place', () => {
    const data = Buffer.from('file bytes');
    const out = Buffer.alloc(XFER_DATA_HEADER_BYTES + data.length);
    const at = encodeXferDataInto(out, 0, 77, 123456, 4000000000);
    assert.equal(at, XFER_DATA_HEADER_BYTES);
    data.copy(out, at);
    assert.deepEqual(out, encodeFrames([{ type: 'xferData', transferId: 77, pn: 123456, chunk: 4000000000, data }]));
    assert.deepEqual(decodeFrames(out), [{ type: 'xferData', transferId: 77, pn: 123456, chunk: 4000000000, data }]);
  });

  describe('properties', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));

    /** Ascending, disjoint, non-adjacent inclusive ranges above `floor`. */
    const ascendingRanges = (floor: number, max: number) =>
      fc.array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 1000 })), { maxLength: max }).map(
        (steps) => {
          const out: NumberRange[] = [];
          let at = floor;
          for (const [gap, len] of steps) {
            const start = at + gap;
            const end = start + len;
            if (end > 0xffffffff) break;
            out.push([start, end]);
            at = end + 1;
          }
          return out;
        },
      );

    const msg = fc.record({ type: fc.constant('msg' as const), seq: u32, data: bytes(MAX_MESSAGE_BYTES) });
    const msgAck = fc
      .integer({ min: 0, max: 0xffff0000 })
      .chain((next) =>
        ascendingRanges(next, MAX_MSG_ACK_RANGES).map((ranges) => ({ type: 'msgAck' as const, next, ranges })),
      );
    const xferAck = fc
      .record({ transferId: u32, lowest: fc.integer({ min: 0, max: 1_000_000 }), ackDelayUs: u32, maxChunk: u32, written: u32 })
      .chain((r) =>
        ascendingRanges(r.lowest, MAX_XFER_ACK_RANGES).map((asc) => {
          const ranges = asc.reverse();
          return {
            type: 'xferAck' as const,
            transferId: r.transferId,
            largest: ranges.length > 0 ? ranges[0][1] : r.lowest,
            ackDelayUs: r.ackDelayUs,
            ranges,
            maxChunk: r.maxChunk,
            written: r.written,
          };
        }),
      );
    const probeAck = fc.record({ type: fc.constant('xferProbeAck' as const), transferId: u32, probeId: u32, size: u32 });
    const opaque = fc.record({
      type: fc.constant('opaque' as const),
      code: fc.integer({ min: 0x20, max: 0x3f }),
      body: bytes(300),
    });
    const inner: fc.Arbitrary<Frame> = fc.oneof(msg, msgAck, xferAck, probeAck, opaque);
    const trailing: fc.Arbitrary<Frame> = fc.oneof(
      fc.record({ type: fc.constant('xferData' as const), transferId: u32, pn: u32, chunk: u32, data: bytes(2000) }),
      fc.record({ type: fc.constant('xferProbe' as const), transferId: u32, probeId: u32, padding: fc.nat(2000) }),
    );
    const payload = fc
      .tuple(fc.array(inner, { maxLength: 6 }), fc.option(trailing, { nil: undefined }))
      // fc.record builds null-prototype objects; plain copies compare with decoded frames.
      .map(([frames, last]) => (last ? [...frames, last] : frames).map((f) => ({ ...f }) as Frame));

    it('decode(encode(frames)) == frames', () => {
      fc.assert(
        fc.property(payload, (frames) => {
          assert.deepEqual(decodeFrames(encodeFrames(frames)), frames);
        }),
        { numRuns: 500 },
      );
    });

    it('random bytes never throw, and whatever decodes re-encodes to the same frames', () => {
      const interesting = fc.uint8Array({ maxLength: 200 }).map((a) => {
        // Bias the first byte towards real type codes so parsers get exercised.
        const buf = Buffer.from(a);
        if (buf.length > 0 && buf[0] % 2 === 0) buf[0] = 1 + (buf[0] % 6);
        return buf;
      });
      fc.assert(
        fc.property(interesting, (buf) => {
          const frames = decodeFrames(buf);
          if (frames !== null) assert.deepEqual(decodeFrames(encodeFrames(frames)), frames);
        }),
        { numRuns: 5000 },
      );
    });

    it('truncating a valid payload never throws', () => {
      fc.assert(
        fc.property(payload, fc.nat(), (frames, cut) => {
          const buf = encodeFrames(frames);
          decodeFrames(buf.subarray(0, buf.length === 0 ? 0 : cut % buf.length));
        }),
        { numRuns: 500 },
      );
    });
  });
});
