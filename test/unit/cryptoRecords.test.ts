/**
 * Records: PacketSealer.sealParts / PacketOpener.openParts (several parts, one AEAD message).
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { AEAD_TAG_BYTES, MAX_PACKET_NUMBER, PacketOpener, PacketSealer } from '../../src/crypto/aead';
import { MAX_RECORD_FRAGMENTS } from '../../src/protocol/peerPackets';

interface Keys {
  key: Buffer;
  iv: Buffer;
  sealer: PacketSealer;
  opener: PacketOpener;
}

function keys(): Keys {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  return { key, iv, sealer: new PacketSealer(key, iv), opener: new PacketOpener(key, iv) };
}

/** Deterministic parts of the given lengths, each byte different from its neighbours'. */
function partsOf(lengths: readonly number[]): Buffer[] {
  let n = 0;
  return lengths.map((len) => {
    const b = Buffer.alloc(len);
    for (let i = 0; i < len; i++) b[i] = (n++ * 37 + 11) & 0xff;
    return b;
  });
}

const copies = (parts: readonly Buffer[]): Buffer[] => parts.map((p) => Buffer.from(p));

/** 1..16 parts of 0..80 bytes. */
const arbParts = fc.array(fc.uint8Array({ maxLength: 80 }), { minLength: 1, maxLength: MAX_RECORD_FRAGMENTS }).map((a) => a.map((u) => Buffer.from(u)));
const arbAad = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((u) => Buffer.from(u));
const arbPn = fc.oneof(fc.nat(), fc.integer({ min: 0, max: MAX_PACKET_NUMBER }), fc.constant(MAX_PACKET_NUMBER));

describe('crypto/aead records (sealParts / openParts)', () => {
  it('round-trips every count from 1 to 16 parts, ciphertext part i as long as part i', () => {
    const { sealer, opener } = keys();
    const aad = Buffer.from('record aad');
    for (let count = 1; count <= MAX_RECORD_FRAGMENTS; count++) {
      const lengths = Array.from({ length: count }, (_, i) => [1, 7, 64, 1000, 3][(i + count) % 5]!);
      const parts = partsOf(lengths);
      const original = copies(parts);
      const pn = 100 + count;
      const sealed = sealer.sealParts(pn, aad, parts);
      assert.equal(sealed.parts.length, count);
      assert.equal(sealed.tag.length, AEAD_TAG_BYTES);
      for (let i = 0; i < count; i++) {
        assert.equal(sealed.parts[i]!.length, lengths[i], `ciphertext part ${i} length`);
        if (lengths[i]! >= 7) assert.notDeepEqual(sealed.parts[i], parts[i], `part ${i} left in the clear`);
      }
      assert.deepEqual(parts, original, 'sealParts modified its input');
      const opened = opener.openParts(pn, aad, sealed.parts, sealed.tag);
      assert.ok(opened, `count ${count} did not open`);
      assert.deepEqual(opened, original);
    }
  });

  it('one update per part (updateEach, a lane record) gives the same bytes and tag as one update over all', () => {
    fc.assert(
      fc.property(arbParts, arbAad, arbPn, (parts, aad, pn) => {
        const key = randomBytes(32);
        const iv = randomBytes(12);
        const joined = new PacketSealer(key, iv).sealParts(pn, aad, parts);
        const each = new PacketSealer(key, iv).sealParts(pn, aad, parts, true);
        assert.deepEqual(each.parts, joined.parts);
        assert.deepEqual(each.tag, joined.tag);
        // and the receiver, which sees the parts end to end on the wire, opens it as one message
        const wire = Buffer.concat([...each.parts, each.tag]);
        assert.deepEqual(new PacketOpener(key, iv).open(pn, aad, wire), Buffer.concat(parts));
      }),
      { numRuns: 200 },
    );
  });

  it('allows zero-length parts, including the last one and all of them', () => {
    const { sealer, opener } = keys();
    const aad = Buffer.from('z');
    const cases: number[][] = [[5, 0], [0, 5], [3, 0, 4, 0], [0], [0, 0, 0]];
    let pn = 1;
    for (const lengths of cases) {
      const parts = partsOf(lengths);
      const sealed = sealer.sealParts(pn, aad, parts);
      assert.deepEqual(
        sealed.parts.map((p) => p.length),
        lengths,
      );
      assert.deepEqual(opener.openParts(pn, aad, sealed.parts, sealed.tag), parts, `lengths ${lengths.join(',')}`);
      pn++;
    }
  });

  it('returns ciphertext that does not change when the caller reuses its part buffers', () => {
    const { sealer, opener } = keys();
    const aad = Buffer.from('reuse');
    for (const lengths of [[40], [40, 40, 40]]) {
      const parts = partsOf(lengths);
      const original = copies(parts);
      const pn = sealer.lastSealed + 1;
      const sealed = sealer.sealParts(pn, aad, parts);
      const snapshot = copies(sealed.parts);
      for (const p of parts) p.fill(0xaa);
      assert.deepEqual(sealed.parts, snapshot);
      assert.deepEqual(opener.openParts(pn, aad, sealed.parts, sealed.tag), original);
    }
  });

  it('is the RFC 8439 AEAD over the concatenation: parts || tag equal seal() of the concatenated plaintext', () => {
    fc.assert(
      fc.property(arbParts, arbAad, arbPn, (parts, aad, pn) => {
        const key = randomBytes(32);
        const iv = randomBytes(12);
        const sealed = new PacketSealer(key, iv).sealParts(pn, aad, parts);
        const single = new PacketSealer(key, iv).seal(pn, aad, Buffer.concat(parts));
        assert.deepEqual(Buffer.concat([...sealed.parts, sealed.tag]), single);
        // and the single-message opener opens it too
        assert.deepEqual(new PacketOpener(key, iv).open(pn, aad, Buffer.concat([...sealed.parts, sealed.tag])), Buffer.concat(parts));
      }),
      { numRuns: 200 },
    );
  });

  it('matches the RFC 8439 §2.8.2 test vector with the plaintext split into parts', () => {
    const key = Buffer.from('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f', 'hex');
    const nonce = Buffer.from('070000004041424344454647', 'hex'); // pn 0: the nonce is the IV
    const aad = Buffer.from('50515253c0c1c2c3c4c5c6c7', 'hex');
    const plaintext = Buffer.from(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const ciphertext =
      'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b' +
      '1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
      '3ff4def08e4b7a9de576d26586cec64b6116';
    const parts = [plaintext.subarray(0, 16), plaintext.subarray(16, 17), plaintext.subarray(17, 17), plaintext.subarray(17)];
    const sealed = new PacketSealer(key, nonce).sealParts(0, aad, parts);
    assert.equal(Buffer.concat(sealed.parts).toString('hex'), ciphertext);
    assert.equal(sealed.tag.toString('hex'), '1ae10b594f09e26a7e902ecbd0600691');
    assert.deepEqual(
      sealed.parts.map((p) => p.length),
      [16, 1, 0, plaintext.length - 17],
    );
    const opened = new PacketOpener(key, nonce).openParts(0, aad, sealed.parts, sealed.tag);
    assert.ok(opened);
    assert.deepEqual(Buffer.concat(opened), plaintext);
  });

  it('round-trips random parts (property)', () => {
    fc.assert(
      fc.property(arbParts, arbAad, arbPn, (parts, aad, pn) => {
        const { sealer, opener } = keys();
        const original = copies(parts);
        const sealed = sealer.sealParts(pn, aad, parts);
        assert.deepEqual(opener.openParts(pn, aad, sealed.parts, sealed.tag), original);
      }),
      { numRuns: 200 },
    );
  });

  it('returns null when any single bit of any part or of the tag is flipped', () => {
    fc.assert(
      fc.property(arbParts, arbAad, arbPn, fc.nat(), (parts, aad, pn, where) => {
        const { sealer, opener } = keys();
        const sealed = sealer.sealParts(pn, aad, parts);
        const totalBits = (parts.reduce((n, p) => n + p.length, 0) + AEAD_TAG_BYTES) * 8;
        let bit = where % totalBits;
        const ct = copies(sealed.parts);
        const tag = Buffer.from(sealed.tag);
        let target: Buffer = tag;
        for (const p of ct) {
          if (bit < p.length * 8) {
            target = p;
            break;
          }
          bit -= p.length * 8;
        }
        target[bit >> 3]! ^= 1 << (bit & 7);
        assert.equal(opener.openParts(pn, aad, ct, tag), null);
        // the untouched record still opens
        assert.deepEqual(opener.openParts(pn, aad, sealed.parts, sealed.tag), parts);
      }),
      { numRuns: 300 },
    );
  });

  it('flipping every bit in turn of a small record, one at a time, is always caught', () => {
    const { sealer, opener } = keys();
    const aad = Buffer.from('aad!');
    const parts = partsOf([3, 0, 2]);
    const sealed = sealer.sealParts(9, aad, parts);
    const all = [...sealed.parts, sealed.tag];
    for (let which = 0; which < all.length; which++) {
      for (let bit = 0; bit < all[which]!.length * 8; bit++) {
        const t = copies(all);
        t[which]![bit >> 3]! ^= 1 << (bit & 7);
        assert.equal(opener.openParts(9, aad, t.slice(0, -1), t[t.length - 1]!), null, `buffer ${which} bit ${bit}`);
      }
    }
    for (let bit = 0; bit < aad.length * 8; bit++) {
      const badAad = Buffer.from(aad);
      badAad[bit >> 3]! ^= 1 << (bit & 7);
      assert.equal(opener.openParts(9, badAad, sealed.parts, sealed.tag), null, `aad bit ${bit}`);
    }
    assert.deepEqual(opener.openParts(9, aad, sealed.parts, sealed.tag), parts);
  });

  it('returns null when any single bit of the aad is flipped, or the aad is longer or shorter', () => {
    fc.assert(
      fc.property(arbParts, arbAad, arbPn, fc.nat(), (parts, aad, pn, where) => {
        const { sealer, opener } = keys();
        const sealed = sealer.sealParts(pn, aad, parts);
        const bit = where % (aad.length * 8);
        const badAad = Buffer.from(aad);
        badAad[bit >> 3]! ^= 1 << (bit & 7);
        assert.equal(opener.openParts(pn, badAad, sealed.parts, sealed.tag), null);
        assert.equal(opener.openParts(pn, aad.subarray(0, aad.length - 1), sealed.parts, sealed.tag), null);
        assert.equal(opener.openParts(pn, Buffer.concat([aad, Buffer.alloc(1)]), sealed.parts, sealed.tag), null);
      }),
      { numRuns: 200 },
    );
  });

  it('returns null when the parts are reordered', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 48 }), { minLength: 2, maxLength: MAX_RECORD_FRAGMENTS }).map((a) => a.map((u) => Buffer.from(u))),
        arbAad,
        fc.nat(),
        fc.nat(),
        fc.nat(),
        (parts, aad, pn, i0, j0) => {
          const { sealer, opener } = keys();
          const sealed = sealer.sealParts(pn, aad, parts);
          const i = i0 % parts.length;
          let j = j0 % parts.length;
          if (j === i) j = (i + 1) % parts.length;
          const swapped = sealed.parts.slice();
          [swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!];
          // Swapping two different non-empty parts changes the concatenation (unless equal bytes).
          fc.pre(!Buffer.concat(swapped).equals(Buffer.concat(sealed.parts)));
          assert.equal(opener.openParts(pn, aad, swapped, sealed.tag), null);
        },
      ),
      { numRuns: 200 },
    );
    // A fixed case: three parts in every other order.
    const { sealer, opener } = keys();
    const aad = Buffer.from('order');
    const parts = partsOf([4, 4, 4]);
    const sealed = sealer.sealParts(3, aad, parts);
    const [a, b, c] = sealed.parts as [Buffer, Buffer, Buffer];
    for (const order of [[a, c, b], [b, a, c], [b, c, a], [c, a, b], [c, b, a]]) {
      assert.equal(opener.openParts(3, aad, order, sealed.tag), null);
    }
    assert.deepEqual(opener.openParts(3, aad, [a, b, c], sealed.tag), parts);
  });

  it('does not authenticate part boundaries on its own (the same bytes split differently still open)', () => {
    // Documents the construction: the AEAD covers the concatenation only, so whatever uses records
    // binds each part's length in the AAD (recordAad does; recordAssembler.test.ts checks a re-cut
    // record is rejected), and the transfer receiver also checks each chunk's length.
    const { sealer, opener } = keys();
    const aad = Buffer.from('b');
    const parts = partsOf([4, 4]);
    const sealed = sealer.sealParts(1, aad, parts);
    const whole = Buffer.concat(sealed.parts);
    const resplit = [whole.subarray(0, 3), whole.subarray(3)];
    const opened = opener.openParts(1, aad, resplit, sealed.tag);
    assert.ok(opened);
    assert.deepEqual(Buffer.concat(opened), Buffer.concat(parts));
    assert.deepEqual(
      opened.map((p) => p.length),
      [3, 5],
    );
  });

  it('returns null under a wrong pn, a wrong key, or a wrong iv', () => {
    fc.assert(
      fc.property(arbParts, arbAad, fc.integer({ min: 0, max: MAX_PACKET_NUMBER - 1 }), (parts, aad, pn) => {
        const { key, iv, sealer, opener } = keys();
        const sealed = sealer.sealParts(pn, aad, parts);
        assert.equal(opener.openParts(pn + 1, aad, sealed.parts, sealed.tag), null);
        if (pn > 0) assert.equal(opener.openParts(pn - 1, aad, sealed.parts, sealed.tag), null);
        assert.equal(new PacketOpener(randomBytes(32), iv).openParts(pn, aad, sealed.parts, sealed.tag), null);
        const otherIv = Buffer.from(iv);
        otherIv[11]! ^= 1;
        assert.equal(new PacketOpener(key, otherIv).openParts(pn, aad, sealed.parts, sealed.tag), null);
        assert.deepEqual(opener.openParts(pn, aad, sealed.parts, sealed.tag), parts);
      }),
      { numRuns: 100 },
    );
    // The high word of the packet number counts too.
    const { sealer, opener } = keys();
    const parts = partsOf([10]);
    const pn = 0x1_0000_0005;
    const sealed = sealer.sealParts(pn, Buffer.from('a'), parts);
    assert.equal(opener.openParts(5, Buffer.from('a'), sealed.parts, sealed.tag), null);
    assert.deepEqual(opener.openParts(pn, Buffer.from('a'), sealed.parts, sealed.tag), parts);
  });

  it('returns null when a part is dropped, added or truncated, or the tag is short', () => {
    const { sealer, opener } = keys();
    const aad = Buffer.from('shape');
    const parts = partsOf([5, 6, 7]);
    const sealed = sealer.sealParts(4, aad, parts);
    assert.equal(opener.openParts(4, aad, sealed.parts.slice(0, 2), sealed.tag), null);
    assert.equal(opener.openParts(4, aad, sealed.parts.slice(1), sealed.tag), null);
    assert.equal(opener.openParts(4, aad, [...sealed.parts, Buffer.from([1])], sealed.tag), null);
    assert.equal(opener.openParts(4, aad, [sealed.parts[0]!, sealed.parts[1]!, sealed.parts[2]!.subarray(0, 6)], sealed.tag), null);
    assert.equal(opener.openParts(4, aad, sealed.parts, sealed.tag.subarray(0, 15)), null);
    assert.equal(opener.openParts(4, aad, sealed.parts, Buffer.concat([sealed.tag, Buffer.alloc(1)])), null);
    assert.equal(opener.openParts(4, aad, [], sealed.tag), null);
    assert.deepEqual(opener.openParts(4, aad, sealed.parts, sealed.tag), parts);
  });

  describe('nonce reuse and bad arguments', () => {
    it('refuses a pn not above the last one sealed, by seal or by sealParts', () => {
      const { sealer } = keys();
      const aad = Buffer.from('n');
      const parts = partsOf([3, 3]);
      sealer.sealParts(10, aad, parts);
      assert.equal(sealer.lastSealed, 10);
      assert.throws(() => sealer.sealParts(10, aad, parts), RangeError);
      assert.throws(() => sealer.sealParts(9, aad, parts), RangeError);
      assert.throws(() => sealer.seal(10, aad, Buffer.from('x')), RangeError);
      assert.equal(sealer.lastSealed, 10);
      sealer.seal(20, aad, Buffer.from('x'));
      assert.throws(() => sealer.sealParts(15, aad, parts), RangeError);
      assert.throws(() => sealer.sealParts(20, aad, parts), RangeError);
      sealer.sealParts(21, aad, parts);
      assert.equal(sealer.lastSealed, 21);
    });

    it('refuses an empty list of parts without using up the packet number', () => {
      const { sealer, opener } = keys();
      const aad = Buffer.from('e');
      assert.throws(() => sealer.sealParts(5, aad, []), RangeError);
      assert.equal(sealer.lastSealed, -1);
      const parts = partsOf([2]);
      const sealed = sealer.sealParts(5, aad, parts);
      assert.deepEqual(opener.openParts(5, aad, sealed.parts, sealed.tag), parts);
    });

    it('refuses a pn that is negative, fractional, NaN or above MAX_PACKET_NUMBER', () => {
      const { sealer } = keys();
      const aad = Buffer.from('p');
      for (const pn of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_PACKET_NUMBER + 1]) {
        assert.throws(() => sealer.sealParts(pn, aad, partsOf([1])), RangeError, String(pn));
      }
      assert.equal(sealer.lastSealed, -1);
      sealer.sealParts(MAX_PACKET_NUMBER, aad, partsOf([1]));
      assert.throws(() => sealer.sealParts(MAX_PACKET_NUMBER, aad, partsOf([1])), RangeError);
    });
  });

  it('openParts never throws on garbage (property)', () => {
    const { sealer, opener } = keys();
    const genuine = sealer.sealParts(77, Buffer.from('g'), partsOf([4, 4]));
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-1, 77, MAX_PACKET_NUMBER, MAX_PACKET_NUMBER + 1, Number.NaN)),
        fc.uint8Array({ maxLength: 40 }),
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }),
        fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 16, maxLength: 16 })),
        (pn, aad, parts, tag) => {
          const r = opener.openParts(pn, Buffer.from(aad), parts.map((p) => Buffer.from(p)), Buffer.from(tag));
          assert.equal(r, null);
          // with the genuine record's parts or tag, and random rest
          assert.equal(opener.openParts(pn, Buffer.from(aad), genuine.parts, Buffer.from(tag)), null);
          assert.equal(opener.openParts(pn, Buffer.from(aad), parts.map((p) => Buffer.from(p)), genuine.tag), null);
        },
      ),
      { numRuns: 500 },
    );
    // Not even with non-Buffer values where Buffers are expected.
    const junk = [null, undefined, 'abc', 5, {}, [1, 2]] as unknown as Buffer[];
    for (const j of junk) {
      assert.doesNotThrow(() => opener.openParts(77, Buffer.from('g'), genuine.parts, j));
      assert.equal(opener.openParts(77, Buffer.from('g'), genuine.parts, j), null);
      assert.doesNotThrow(() => opener.openParts(77, Buffer.from('g'), [j, j], genuine.tag));
      assert.equal(opener.openParts(77, Buffer.from('g'), [j, j], genuine.tag), null);
    }
    assert.deepEqual(opener.openParts(77, Buffer.from('g'), genuine.parts, genuine.tag), partsOf([4, 4]));
  });
});
