/**
 * The 12-byte clear header (src/protocol/header.ts):
 *
 *   0      1        2     3      4            8            12
 *   magic  version  kind  flags  src (u32)    dst (u32)    body…
 *
 * Golden bytes written by hand from that diagram: magic 0xc7, version 2, big-endian ids.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  FIRST_PEER_KIND,
  Kind,
  LAST_PEER_KIND,
  datagram,
  isPeerKind,
  readHeader,
  writeHeader,
} from '../../src/protocol/header';
import { DST_BROADCAST, DST_RELAY, HEADER_BYTES, MAGIC, PROTOCOL_VERSION } from '../../src/protocol/limits';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s|]+/g, ''), 'hex');

describe('protocol/header', () => {
  it('has the documented constants (a change here is a protocol change)', () => {
    assert.equal(MAGIC, 0xc7);
    assert.equal(PROTOCOL_VERSION, 2);
    assert.equal(HEADER_BYTES, 12);
    assert.equal(DST_RELAY, 0);
    assert.equal(DST_BROADCAST, 0xffff_ffff);
  });

  it('kind numbers are stable (golden) and unique', () => {
    assert.deepEqual(
      { ...Kind },
      {
        HELLO: 0x01,
        COOKIE: 0x02,
        REGISTER: 0x03,
        REGISTERED: 0x04,
        ERROR: 0x05,
        PING: 0x06,
        PONG: 0x07,
        ROSTER_REQ: 0x08,
        ROSTER: 0x09,
        PRESENCE: 0x0a,
        LEAVE: 0x0b,
        BYE: 0x0c,
        KEY_REQ: 0x0d,
        KEY_INFO: 0x0e,
        BATCH: 0x0f,
        MESH: 0x30,
        PEER_HELLO: 0x40,
        PEER_SEALED: 0x41,
        PEER_BROADCAST: 0x42,
        PEER_RECORD: 0x43,
      },
    );
    const values = Object.values(Kind);
    assert.equal(new Set(values).size, values.length);
  });

  it('relay kinds are 0x01-0x3F and peer kinds 0x40-0x7F', () => {
    assert.equal(FIRST_PEER_KIND, 0x40);
    assert.equal(LAST_PEER_KIND, 0x7f);
    for (const [name, k] of Object.entries(Kind)) {
      assert.equal(isPeerKind(k), name.startsWith('PEER_'), name);
    }
    const table: Array<[number, boolean]> = [
      [0x00, false], [0x01, false], [0x3f, false], [0x40, true], [0x41, true], [0x7f, true], [0x80, false], [0xff, false],
    ];
    for (const [k, peer] of table) assert.equal(isPeerKind(k), peer, `0x${k.toString(16)}`);
  });

  it('writeHeader produces the documented bytes (golden)', () => {
    const out = Buffer.alloc(12, 0xee);
    writeHeader(out, { kind: Kind.PEER_HELLO, flags: 0x80, src: 0x0102_0304, dst: DST_BROADCAST });
    assert.equal(out.toString('hex'), 'c7' + '02' + '40' + '80' + '01020304' + 'ffffffff');
  });

  it('writeHeader honours an offset and touches only its 12 bytes', () => {
    const out = Buffer.alloc(16, 0xee);
    writeHeader(out, { kind: Kind.PING, flags: 0, src: 7, dst: 0 }, 2);
    assert.equal(out.toString('hex'), 'eeee' + 'c7020600' + '00000007' + '00000000' + 'eeee');
  });

  it('datagram() prepends the header to the body', () => {
    const d = datagram({ kind: Kind.PONG, flags: 1, src: 0, dst: 0xabcdef01 }, hex('0102'));
    assert.equal(d.toString('hex'), 'c7' + '02' + '07' + '01' + '00000000' + 'abcdef01' + '0102');
    assert.equal(datagram({ kind: Kind.LEAVE, flags: 0, src: 9, dst: 0 }).toString('hex'), 'c7020b00' + '00000009' + '00000000');
  });

  it('readHeader parses the documented bytes (golden)', () => {
    const r = readHeader(hex('c7 02 41 05 | 00000102 | fffffffe | 9999'));
    assert.deepEqual(r, { ok: true, header: { kind: 0x41, flags: 0x05, src: 0x102, dst: 0xffff_fffe } });
  });

  it('rejects datagrams shorter than 12 bytes as "short", whatever they contain', () => {
    const full = hex('c7 02 06 00 00000007 00000000');
    for (let n = 0; n < HEADER_BYTES; n++) {
      assert.deepEqual(readHeader(full.subarray(0, n)), { ok: false, reason: 'short' }, `length ${n}`);
    }
    assert.equal(readHeader(full).ok, true);
  });

  it('rejects a wrong magic', () => {
    for (const m of [0x00, 0xc6, 0xc8, 0xff, 0x01]) {
      const b = hex('c7 02 06 00 00000007 00000000');
      b[0] = m;
      assert.deepEqual(readHeader(b), { ok: false, reason: 'magic' }, `magic 0x${m.toString(16)}`);
    }
  });

  it('rejects any version other than 2 (version 1 clients predate devices)', () => {
    for (const v of [0x00, 0x01, 0x03, 0x7f, 0xff]) {
      const b = hex('c7 02 06 00 00000007 00000000');
      b[1] = v;
      assert.deepEqual(readHeader(b), { ok: false, reason: 'version' }, `version ${v}`);
    }
  });

  it('readHeader(datagram(h)) returns h for any header (property)', () => {
    const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
    const u8 = fc.integer({ min: 0, max: 0xff });
    fc.assert(
      fc.property(u8, u8, u32, u32, fc.uint8Array({ maxLength: 32 }), (kind, flags, src, dst, body) => {
        const h = { kind, flags, src, dst };
        const d = datagram(h, body);
        assert.equal(d.length, HEADER_BYTES + body.length);
        assert.deepEqual(readHeader(d), { ok: true, header: h });
        assert.ok(d.subarray(HEADER_BYTES).equals(Buffer.from(body)));
      }),
      { numRuns: 2000 },
    );
  });

  it('readHeader never throws on random bytes (5000 runs)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 30 }), (bytes) => {
        const r = readHeader(Buffer.from(bytes));
        if (r.ok) {
          assert.ok(bytes.length >= HEADER_BYTES && bytes[0] === MAGIC && bytes[1] === PROTOCOL_VERSION);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
