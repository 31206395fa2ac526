import { strict as assert } from 'node:assert';
import { createCipheriv, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { AEAD_TAG_BYTES, PacketOpener, PacketSealer } from '../../src/crypto/aead';

function pair(): { sealer: PacketSealer; opener: PacketOpener; key: Buffer; iv: Buffer } {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  return { sealer: new PacketSealer(key, iv), opener: new PacketOpener(key, iv), key, iv };
}

describe('crypto/aead', () => {
  it('round-trips and appends a 16-byte tag', () => {
    const { sealer, opener } = pair();
    const aad = Buffer.from('header');
    const plaintext = Buffer.from('Hello everyone!');
    const sealed = sealer.seal(7, aad, plaintext);
    assert.equal(AEAD_TAG_BYTES, 16);
    assert.equal(sealed.length, plaintext.length + AEAD_TAG_BYTES);
    assert.notDeepEqual(sealed.subarray(0, plaintext.length), plaintext);
    assert.deepEqual(opener.open(7, aad, sealed), plaintext);
  });

  it('builds the nonce as IV XOR the left-padded packet number (RFC 9001 §5.3)', () => {
    const { sealer, key, iv } = pair();
    const pn = 0x0123_4567_89ab; // above 2^32: checks both halves of the 64-bit number
    const aad = Buffer.from('aad');
    const plaintext = Buffer.from('known answer');
    const nonce = Buffer.from(iv);
    const padded = Buffer.alloc(12);
    padded.writeBigUInt64BE(BigInt(pn), 4);
    for (let i = 0; i < 12; i++) nonce[i]! ^= padded[i]!;
    const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    cipher.setAAD(aad, { plaintextLength: plaintext.length });
    const expected = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    assert.deepEqual(sealer.seal(pn, aad, plaintext), expected);
  });

  it('rejects any modified byte of ciphertext, tag or aad, a wrong pn, and a wrong key', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ minLength: 1, maxLength: 16 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (plain, aadBytes, pn, where, flip) => {
          const { sealer, opener } = pair();
          const aad = Buffer.from(aadBytes);
          const sealed = sealer.seal(pn, aad, Buffer.from(plain));
          const tampered = Buffer.from(sealed);
          tampered[where % tampered.length]! ^= flip;
          assert.equal(opener.open(pn, aad, tampered), null);
          const badAad = Buffer.from(aad);
          badAad[where % badAad.length]! ^= flip;
          assert.equal(opener.open(pn, badAad, sealed), null);
          assert.equal(opener.open(pn + 1, aad, sealed), null);
          assert.equal(pair().opener.open(pn, aad, sealed), null);
          assert.deepEqual(opener.open(pn, aad, sealed), Buffer.from(plain));
        },
      ),
    );
  });

  it('opener never throws on garbage and returns null for short input', () => {
    const { opener } = pair();
    assert.equal(opener.open(0, Buffer.alloc(0), Buffer.alloc(AEAD_TAG_BYTES - 1)), null);
    assert.equal(opener.open(-1, Buffer.alloc(0), Buffer.alloc(32)), null);
    assert.equal(opener.open(1.5, Buffer.alloc(0), Buffer.alloc(32)), null);
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 1_000_000 }), fc.uint8Array({ maxLength: 100 }), (pn, bytes) => {
        assert.equal(opener.open(pn, Buffer.alloc(3), Buffer.from(bytes)), null);
      }),
    );
  });

  it('refuses to seal a packet number twice or out of order (no nonce reuse)', () => {
    const { sealer } = pair();
    sealer.seal(5, Buffer.alloc(0), Buffer.from('a'));
    assert.throws(() => sealer.seal(5, Buffer.alloc(0), Buffer.from('b')), RangeError);
    assert.throws(() => sealer.seal(4, Buffer.alloc(0), Buffer.from('b')), RangeError);
    assert.throws(() => sealer.seal(-1, Buffer.alloc(0), Buffer.from('b')), RangeError);
    assert.throws(() => sealer.seal(2 ** 53, Buffer.alloc(0), Buffer.from('b')), RangeError);
    sealer.seal(Number.MAX_SAFE_INTEGER, Buffer.alloc(0), Buffer.from('c'));
    assert.equal(sealer.lastSealed, Number.MAX_SAFE_INTEGER);
  });

  it('checks key and IV lengths', () => {
    assert.throws(() => new PacketSealer(randomBytes(31), randomBytes(12)), RangeError);
    assert.throws(() => new PacketOpener(randomBytes(32), randomBytes(8)), RangeError);
  });

  it('seals into a caller buffer after a header used as aad, in one datagram', () => {
    const { sealer, opener } = pair();
    const header = Buffer.from('HDR:pn=9|');
    const plaintext = Buffer.from('file chunk');
    const datagram = Buffer.alloc(header.length + plaintext.length + AEAD_TAG_BYTES + 5, 0xee);
    header.copy(datagram);
    const aad = datagram.subarray(0, header.length);
    const sealed = sealer.seal(9, aad, plaintext, datagram, header.length);
    assert.equal(sealed.buffer, datagram.buffer);
    assert.equal(sealed.byteOffset, datagram.byteOffset + header.length);
    assert.deepEqual(datagram.subarray(0, header.length), header, 'header untouched');
    assert.equal(datagram[datagram.length - 1], 0xee, 'nothing written past the sealed bytes');
    const wire = datagram.subarray(0, header.length + sealed.length);
    assert.deepEqual(opener.open(9, wire.subarray(0, header.length), wire.subarray(header.length)), plaintext);
    assert.throws(() => sealer.seal(10, aad, plaintext, Buffer.alloc(10), 0), RangeError);
  });

  it('does not keep a reference to the caller IV', () => {
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const sealer = new PacketSealer(key, iv);
    const opener = new PacketOpener(key, Buffer.from(iv));
    iv.fill(0);
    const sealed = sealer.seal(1, Buffer.alloc(0), Buffer.from('x'));
    assert.deepEqual(opener.open(1, Buffer.alloc(0), sealed), Buffer.from('x'));
  });
});
