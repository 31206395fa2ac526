/**
 * Error codes (src/protocol/errors.ts). The wire number of a code is its index + 1 and the list
 * is append-only: the golden table below pins every existing number. Adding a code at the end
 * keeps this test green; reordering, renaming or removing one turns it red.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ERROR_CODES,
  ERROR_HINTS,
  PeerChatError,
  errorCodeFromWire,
  errorCodeToWire,
  type ErrorCode,
} from '../../src/protocol/errors';

const GOLDEN_WIRE: Array<[ErrorCode, number]> = [
  ['NICK_TAKEN', 1],
  ['NICK_INVALID', 2],
  ['UNKNOWN_PEER', 3],
  ['NOT_REGISTERED', 4],
  ['RELAY_UNREACHABLE', 5],
  ['RELAY_FULL', 6],
  ['RELAY_SHUTDOWN', 7],
  ['BAD_SECRET', 8],
  ['BAD_SIGNATURE', 9],
  ['RATE_LIMITED', 10],
  ['MESSAGE_TOO_LONG', 11],
  ['BAD_COOKIE', 12],
  ['FILE_NOT_FOUND', 13],
  ['PATH_OUTSIDE_SHARE', 14],
  ['NOT_A_FILE', 15],
  ['NO_SHARED_FOLDER', 16],
  ['FILE_TOO_LARGE', 17],
  ['DECLINED', 18],
  ['CANCELLED', 19],
  ['HASH_MISMATCH', 20],
  ['TIMEOUT', 21],
  ['IO_ERROR', 22],
  ['PEER_LEFT', 23],
  ['PEER_KEY_CHANGED', 24],
  ['BAD_COMMAND', 25],
  ['INTERNAL', 26],
  ['TAMPERED', 27],
  // Protocol version 2 (members and devices).
  ['NICK_MISMATCH', 28],
  ['ANSWERED_ELSEWHERE', 29],
  ['NOT_DELIVERED', 30],
  // Download folder without room (issue 13).
  ['NO_SPACE', 31],
  // Several relays (issue 14).
  ['DIRECTORY_UNAVAILABLE', 32],
];

describe('protocol/errors', () => {
  for (const [code, n] of GOLDEN_WIRE) {
    it(`${code} is wire number ${n} (append-only guard)`, () => {
      assert.equal(errorCodeToWire(code), n);
      assert.equal(errorCodeFromWire(n), code);
    });
  }

  it('no existing code was removed or reordered (new codes may only be appended)', () => {
    assert.ok(ERROR_CODES.length >= GOLDEN_WIRE.length);
    assert.deepEqual(ERROR_CODES.slice(0, GOLDEN_WIRE.length), GOLDEN_WIRE.map(([c]) => c));
  });

  it('codes are unique, so wire numbers are unique', () => {
    assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
  });

  it('every code round-trips code -> wire -> code, and wire numbers are 1..N', () => {
    ERROR_CODES.forEach((code, i) => {
      const n = errorCodeToWire(code);
      assert.equal(n, i + 1);
      assert.equal(errorCodeFromWire(n), code);
    });
  });

  it('0 means "no error" and maps to no code; numbers past the end map to no code', () => {
    assert.equal(errorCodeFromWire(0), undefined);
    assert.equal(errorCodeFromWire(ERROR_CODES.length + 1), undefined);
    assert.equal(errorCodeFromWire(0xffff), undefined);
    assert.equal(errorCodeFromWire(-1), undefined);
  });

  it('errorCodeFromWire returns a known code or undefined for any u16 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), (n) => {
        const c = errorCodeFromWire(n);
        if (n >= 1 && n <= ERROR_CODES.length) {
          assert.ok(c !== undefined);
          assert.equal(errorCodeToWire(c), n);
        } else {
          assert.equal(c, undefined);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('every wire number fits the u16 code field of ERROR / BYE / FILE_* messages', () => {
    assert.ok(ERROR_CODES.length < 0xffff);
  });

  it('every code has a non-empty hint that ends as a sentence', () => {
    assert.deepEqual(Object.keys(ERROR_HINTS).sort(), [...ERROR_CODES].sort());
    for (const code of ERROR_CODES) {
      const hint = ERROR_HINTS[code];
      assert.ok(hint.length > 0, code);
      assert.match(hint, /[.!?]$/, `${code}: "${hint}"`);
    }
  });

  it('PeerChatError carries the code, defaults its message to the hint, and is an Error', () => {
    const e = new PeerChatError('NICK_TAKEN');
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'PeerChatError');
    assert.equal(e.code, 'NICK_TAKEN');
    assert.equal(e.message, 'That nickname is in use. Pick another one.');
    const f = new PeerChatError('TIMEOUT', 'bob stopped answering');
    assert.equal(f.code, 'TIMEOUT');
    assert.equal(f.message, 'bob stopped answering');
  });
});
