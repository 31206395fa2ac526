import { strict as assert } from 'node:assert';
import { sign } from 'node:crypto';
import fc from 'fast-check';
import { PacketOpener, PacketSealer } from '../../src/crypto/aead';
import { SIGNATURE_BYTES, generateIdentity } from '../../src/crypto/identity';
import {
  SENDER_KEY_BLOB_BYTES,
  SenderKeyIn,
  SenderKeyOut,
  type SignedBroadcast,
} from '../../src/crypto/senderKey';
import { SENDER_KEY_BLOB_BYTES as WIRE_SENDER_KEY_BLOB_BYTES } from '../../src/protocol/controlMessages';
import { Kind } from '../../src/protocol/header';
import {
  BROADCAST_SIGNATURE_BYTES as WIRE_SIGNATURE_BYTES,
  SEALED_PREFIX_BYTES,
  SEAL_TAG_BYTES,
  readBroadcastPacket,
  signBroadcast,
  writeSealedPrefix,
} from '../../src/protocol/peerPackets';

const alice = generateIdentity().signPublic;
const mallory = generateIdentity();

/** A broadcast as a test builds it: the signature covers aad || sealed. */
function broadcast(out: SenderKeyOut, seq: number, aad: Buffer, plain: Buffer): SignedBroadcast {
  const sealed = out.seal(seq, aad, plain);
  const signed = Buffer.concat([aad, sealed]);
  return { seq, aad, sealed, signed, signature: out.sign(signed) };
}

/** A real PEER_BROADCAST datagram (src/protocol/peerPackets.ts layout), signed. */
function datagram(out: SenderKeyOut, seq: number, plain: Buffer, src = 7): Buffer {
  const d = Buffer.alloc(SEALED_PREFIX_BYTES + plain.length + SEAL_TAG_BYTES + WIRE_SIGNATURE_BYTES);
  const aad = writeSealedPrefix(d, { kind: Kind.PEER_BROADCAST, flags: 0, src, dst: 0xffff_ffff }, out.keyId, seq);
  out.seal(seq, aad, plain, d, SEALED_PREFIX_BYTES);
  signBroadcast(d, (signed) => out.sign(signed));
  return d;
}

function openDatagram(inKey: SenderKeyIn, d: Buffer): ReturnType<SenderKeyIn['open']> | 'unparsable' {
  const p = readBroadcastPacket(d);
  if (!p) return 'unparsable';
  return inKey.open({ seq: p.pn, aad: p.aad, sealed: p.sealed, signed: p.signed, signature: p.signature });
}

/** What a member who holds the blob can do: seal with the real key and iv, sign with its own key. */
function forgeWithBlob(blob: Buffer, seq: number, aad: Buffer, plain: Buffer): SignedBroadcast {
  const sealer = new PacketSealer(blob.subarray(4, 36), blob.subarray(36, 48));
  const sealed = sealer.seal(seq, aad, plain);
  const signed = Buffer.concat([aad, sealed]);
  return { seq, aad, sealed, signed, signature: sign(null, signed, mallory.signPrivate) };
}

describe('crypto/senderKey', () => {
  it('distributes keyId || key || iv || signing key (80 bytes) and round-trips signed broadcasts', () => {
    const out = new SenderKeyOut(alice);
    const blob = out.encodeForDistribution();
    assert.equal(blob.length, SENDER_KEY_BLOB_BYTES);
    assert.equal(SENDER_KEY_BLOB_BYTES, 4 + 32 + 12 + 32);
    assert.equal(SENDER_KEY_BLOB_BYTES, WIRE_SENDER_KEY_BLOB_BYTES, 'protocol/controlMessages agrees');
    assert.equal(SIGNATURE_BYTES, WIRE_SIGNATURE_BYTES, 'protocol/peerPackets agrees');
    assert.equal(blob.readUInt32BE(0), out.keyId);
    assert.ok(blob.subarray(48).equals(out.signingPublicKey));
    const bob = SenderKeyIn.decode(blob, alice);
    const carol = SenderKeyIn.decode(Buffer.from(blob), alice);
    assert.ok(bob && carol, 'an 80-byte blob decodes');
    assert.equal(bob.keyId, out.keyId);
    const b = broadcast(out, 0, Buffer.from('from alice'), Buffer.from('Hello everyone!'));
    assert.equal(b.signature.length, 64);
    assert.deepEqual(bob.open(b), { ok: true, plaintext: Buffer.from('Hello everyone!') });
    assert.deepEqual(carol.open(b), { ok: true, plaintext: Buffer.from('Hello everyone!') });
  });

  it('a member holding the sender key cannot forge: its broadcast passes the AEAD but not the signature', () => {
    const out = new SenderKeyOut(alice);
    const blob = out.encodeForDistribution(); // what bob and mallory both received
    const bob = SenderKeyIn.decode(blob, alice)!;
    const aad = Buffer.from('hdr');
    const forged = forgeWithBlob(blob, 0, aad, Buffer.from('send me your password'));
    // Without the signature this would be accepted: the real key seals it.
    assert.deepEqual(new PacketOpener(blob.subarray(4, 36), blob.subarray(36, 48)).open(0, aad, forged.sealed), Buffer.from('send me your password'));
    assert.deepEqual(bob.open(forged), { ok: false, reason: 'signature' });
    // Nor with no signature, a short one, or alice's signature of something else.
    assert.deepEqual(bob.open({ ...forged, signature: Buffer.alloc(64) }), { ok: false, reason: 'signature' });
    assert.deepEqual(bob.open({ ...forged, signature: Buffer.alloc(0) }), { ok: false, reason: 'signature' });
    assert.deepEqual(bob.open({ ...forged, signature: out.sign(Buffer.from('other')) }), { ok: false, reason: 'signature' });
    assert.equal(bob.largestSeq, -1, 'the forgeries did not move the replay window');
    // Alice's real broadcast with the same seq still gets through.
    const real = broadcast(out, 0, aad, Buffer.from('hi'));
    assert.deepEqual(bob.open(real), { ok: true, plaintext: Buffer.from('hi') });
  });

  it('binds the signature to the owner: a blob passed off under another identity opens nothing', () => {
    const out = new SenderKeyOut(alice);
    const b = broadcast(out, 0, Buffer.alloc(0), Buffer.from('m'));
    const asMallory = SenderKeyIn.decode(out.encodeForDistribution(), mallory.signPublic)!;
    assert.deepEqual(asMallory.open(b), { ok: false, reason: 'signature' });
    assert.deepEqual(SenderKeyIn.decode(out.encodeForDistribution(), alice)!.open(b), { ok: true, plaintext: Buffer.from('m') });
  });

  it('a tampered signature is refused and moves nothing', () => {
    const out = new SenderKeyOut(alice);
    const inKey = SenderKeyIn.decode(out.encodeForDistribution(), alice)!;
    const b = broadcast(out, 2, Buffer.from('h'), Buffer.from('m'));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 1, max: 255 }), (where, flip) => {
        const signature = Buffer.from(b.signature);
        signature[where]! ^= flip;
        assert.deepEqual(inKey.open({ ...b, signature }), { ok: false, reason: 'signature' });
      }),
      { numRuns: 300 },
    );
    assert.equal(inKey.largestSeq, -1);
    assert.equal(inKey.open(b).ok, true);
  });

  it('signed but undecryptable (only the owner can make one) is told apart', () => {
    const out = new SenderKeyOut(alice);
    const inKey = SenderKeyIn.decode(out.encodeForDistribution(), alice)!;
    const aad = Buffer.from('h');
    const sealed = Buffer.alloc(20, 1);
    const signed = Buffer.concat([aad, sealed]);
    assert.deepEqual(inKey.open({ seq: 0, aad, sealed, signed, signature: out.sign(signed) }), { ok: false, reason: 'decrypt' });
    assert.equal(inKey.largestSeq, -1);
  });

  it('rejects a replay, but only after a successful open', () => {
    const out = new SenderKeyOut(alice);
    const inKey = SenderKeyIn.decode(out.encodeForDistribution(), alice)!;
    const b = broadcast(out, 3, Buffer.from('h'), Buffer.from('m'));
    const sealed = Buffer.from(b.sealed);
    sealed[0]! ^= 1;
    assert.equal(inKey.open({ ...b, sealed }).ok, false);
    assert.equal(inKey.largestSeq, -1, 'a forgery does not move the window');
    assert.deepEqual(inKey.open(b), { ok: true, plaintext: Buffer.from('m') });
    assert.deepEqual(inKey.open(b), { ok: false, reason: 'replay' });
    assert.equal(inKey.largestSeq, 3);
  });

  it('accepts reordering within the window and rejects beyond it', () => {
    const out = new SenderKeyOut(alice);
    const inKey = SenderKeyIn.decode(out.encodeForDistribution(), alice, 16)!;
    const aad = Buffer.alloc(0);
    const all = Array.from({ length: 40 }, (_, seq) => broadcast(out, seq, aad, Buffer.from([seq])));
    assert.deepEqual(inKey.open(all[39]!), { ok: true, plaintext: Buffer.from([39]) });
    assert.deepEqual(inKey.open(all[30]!), { ok: true, plaintext: Buffer.from([30]) });
    assert.deepEqual(inKey.open(all[23]!), { ok: false, reason: 'replay' }, '39 - 23 = 16: beyond a 16-wide window');
    assert.deepEqual(inKey.open(all[24]!), { ok: true, plaintext: Buffer.from([24]) });
  });

  it('in the PEER_BROADCAST layout, any changed byte outside src/dst is refused; src/dst may change', () => {
    const out = new SenderKeyOut(alice);
    const blob = out.encodeForDistribution();
    let seq = 0;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (plain, where, flip) => {
        const inKey = SenderKeyIn.decode(blob, alice)!;
        const d = datagram(out, seq++, Buffer.from(plain));
        const at = where % d.length;
        const tampered = Buffer.from(d);
        tampered[at]! ^= flip;
        const r = openDatagram(inKey, tampered);
        if (at >= 4 && at < 12) {
          assert.deepEqual(r, { ok: true, plaintext: Buffer.from(plain) }, `byte ${at} is src/dst, not signed`);
        } else {
          assert.ok(r === 'unparsable' || (!r.ok && r.reason === 'signature'), `byte ${at}: ${JSON.stringify(r)}`);
          assert.deepEqual(openDatagram(inKey, d), { ok: true, plaintext: Buffer.from(plain) });
        }
        // A resend rewrites src and dst: the same signature still holds, but it is a replay now.
        const resent = Buffer.from(d);
        resent.writeUInt32BE(99, 4);
        resent.writeUInt32BE(5, 8);
        assert.deepEqual(openDatagram(inKey, resent), { ok: false, reason: 'replay' });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to reuse a sequence number under one key', () => {
    const out = new SenderKeyOut(alice);
    out.seal(1, Buffer.alloc(0), Buffer.from('a'));
    assert.throws(() => out.seal(1, Buffer.alloc(0), Buffer.from('b')), RangeError);
  });

  it('rotate gives a new id, key and signing key; the old key opens nothing new; seq restarts', () => {
    const out = new SenderKeyOut(alice);
    const oldIn = SenderKeyIn.decode(out.encodeForDistribution(), alice)!;
    const oldId = out.keyId;
    const oldSigning = out.signingPublicKey;
    out.seal(5, Buffer.alloc(0), Buffer.from('before'));
    out.rotate();
    assert.notEqual(out.keyId, oldId);
    assert.ok(!out.signingPublicKey.equals(oldSigning), 'a new signing key');
    const newIn = SenderKeyIn.decode(out.encodeForDistribution(), alice)!;
    const b = broadcast(out, 0, Buffer.alloc(0), Buffer.from('after'));
    assert.equal(oldIn.open(b).ok, false);
    assert.deepEqual(newIn.open(b), { ok: true, plaintext: Buffer.from('after') });
  });

  it('the constructor wants a 32-byte owner key', () => {
    assert.throws(() => new SenderKeyOut(Buffer.alloc(31)), RangeError);
  });

  it('decode checks the lengths and never throws', () => {
    const good = new SenderKeyOut(alice).encodeForDistribution();
    assert.equal(SenderKeyIn.decode(good.subarray(0, 79), alice), null);
    assert.equal(SenderKeyIn.decode(Buffer.concat([good, Buffer.alloc(1)]), alice), null);
    assert.equal(SenderKeyIn.decode(good, alice.subarray(0, 31)), null);
    assert.equal(SenderKeyIn.decode(Buffer.alloc(48), alice), null, 'the old 48-byte blob (no signing key)');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const k = SenderKeyIn.decode(Buffer.from(bytes), alice);
        if (bytes.length !== SENDER_KEY_BLOB_BYTES) assert.equal(k, null);
        if (k) {
          const junk = Buffer.from(bytes);
          assert.equal(k.open({ seq: 0, aad: Buffer.alloc(0), sealed: junk, signed: junk, signature: junk.subarray(0, 64) }).ok, false);
        }
      }),
    );
  });
});
