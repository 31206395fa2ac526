import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { SENDER_KEY_BLOB_BYTES, SenderKeyIn, SenderKeyOut } from '../../src/crypto/senderKey';

describe('crypto/senderKey', () => {
  it('distributes keyId || key || iv (48 bytes) and round-trips broadcasts', () => {
    const out = new SenderKeyOut();
    const blob = out.encodeForDistribution();
    assert.equal(blob.length, SENDER_KEY_BLOB_BYTES);
    assert.equal(SENDER_KEY_BLOB_BYTES, 4 + 32 + 12);
    assert.equal(blob.readUInt32BE(0), out.keyId);
    const bob = SenderKeyIn.decode(blob);
    const carol = SenderKeyIn.decode(Buffer.from(blob));
    assert.ok(bob && carol, 'a 48-byte blob decodes');
    assert.equal(bob.keyId, out.keyId);
    const aad = Buffer.from('from alice');
    const sealed = out.seal(0, aad, Buffer.from('Hello everyone!'));
    assert.deepEqual(bob.open(0, aad, sealed), Buffer.from('Hello everyone!'));
    assert.deepEqual(carol.open(0, aad, sealed), Buffer.from('Hello everyone!'));
  });

  it('rejects a replay, but only after a successful open', () => {
    const out = new SenderKeyOut();
    const inKey = SenderKeyIn.decode(out.encodeForDistribution())!;
    const aad = Buffer.from('h');
    const sealed = out.seal(3, aad, Buffer.from('m'));
    const forged = Buffer.from(sealed);
    forged[0]! ^= 1;
    assert.equal(inKey.open(3, aad, forged), null);
    assert.equal(inKey.largestSeq, -1, 'a forgery does not move the window');
    assert.deepEqual(inKey.open(3, aad, sealed), Buffer.from('m'));
    assert.equal(inKey.open(3, aad, sealed), null, 'replay');
    assert.equal(inKey.largestSeq, 3);
  });

  it('accepts reordering within the window and rejects beyond it', () => {
    const out = new SenderKeyOut();
    const inKey = SenderKeyIn.decode(out.encodeForDistribution(), 16)!;
    const aad = Buffer.alloc(0);
    const sealed = Array.from({ length: 40 }, (_, seq) => out.seal(seq, aad, Buffer.from([seq])));
    assert.deepEqual(inKey.open(39, aad, sealed[39]!), Buffer.from([39]));
    assert.deepEqual(inKey.open(30, aad, sealed[30]!), Buffer.from([30]));
    assert.equal(inKey.open(23, aad, sealed[23]!), null, '39 - 23 = 16: beyond a 16-wide window');
    assert.deepEqual(inKey.open(24, aad, sealed[24]!), Buffer.from([24]));
  });

  it('any modified byte, wrong seq or wrong aad fails', () => {
    const out = new SenderKeyOut();
    const blob = out.encodeForDistribution();
    let seq = 0;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (plain, where, flip) => {
        const inKey = SenderKeyIn.decode(blob)!;
        const aad = Buffer.from('hdr');
        const s = seq++;
        const sealed = out.seal(s, aad, Buffer.from(plain));
        const tampered = Buffer.from(sealed);
        tampered[where % tampered.length]! ^= flip;
        assert.equal(inKey.open(s, aad, tampered), null);
        assert.equal(inKey.open(s + 1, aad, sealed), null);
        assert.equal(inKey.open(s, Buffer.from('hdR'), sealed), null);
        assert.deepEqual(inKey.open(s, aad, sealed), Buffer.from(plain));
      }),
    );
  });

  it('refuses to reuse a sequence number under one key', () => {
    const out = new SenderKeyOut();
    out.seal(1, Buffer.alloc(0), Buffer.from('a'));
    assert.throws(() => out.seal(1, Buffer.alloc(0), Buffer.from('b')), RangeError);
  });

  it('rotate gives a new id and key; the old key cannot open new messages; seq restarts', () => {
    const out = new SenderKeyOut();
    const oldIn = SenderKeyIn.decode(out.encodeForDistribution())!;
    const oldId = out.keyId;
    out.seal(5, Buffer.alloc(0), Buffer.from('before'));
    out.rotate();
    assert.notEqual(out.keyId, oldId);
    const newIn = SenderKeyIn.decode(out.encodeForDistribution())!;
    const sealed = out.seal(0, Buffer.alloc(0), Buffer.from('after'));
    assert.equal(oldIn.open(0, Buffer.alloc(0), sealed), null);
    assert.deepEqual(newIn.open(0, Buffer.alloc(0), sealed), Buffer.from('after'));
  });

  it('decode checks the length and never throws', () => {
    assert.equal(SenderKeyIn.decode(Buffer.alloc(47)), null);
    assert.equal(SenderKeyIn.decode(Buffer.alloc(49)), null);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const k = SenderKeyIn.decode(Buffer.from(bytes));
        assert.equal(k === null, bytes.length !== SENDER_KEY_BLOB_BYTES);
        if (k) assert.equal(k.open(0, Buffer.alloc(0), Buffer.from(bytes)), null);
      }),
    );
  });
});
