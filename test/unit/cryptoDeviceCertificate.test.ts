/**
 * Device certificates (src/crypto/deviceCertificate.ts): the identity's Ed25519 signature over
 *
 *   "peerchat v2 device\0" | identity sign(32) | identity dh(32) | device sign(32) | device dh(32) | expiry u32
 *
 * checked by the relay (REGISTER) and by every peer (KEY_INFO). What must hold: a certificate
 * certifyDevice made verifies; any change to what it binds, or a signature by anyone but the
 * identity, fails with 'signature'; an expiry more than DEVICE_CERT_CLOCK_SKEW_S in the past
 * fails with 'expired'; malformed fields give 'malformed' and nothing throws; freshCertificate
 * signs again only when less than half the lifetime is left.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  DEVICE_CERT_CLOCK_SKEW_S,
  DEVICE_CERT_LIFETIME_S,
  certifyDevice,
  checkDeviceCertificate,
  freshCertificate,
  newDevice,
  type DeviceCertificate,
} from '../../src/crypto/deviceCertificate';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, generateIdentity, signData, signDhBinding, verifySignature } from '../../src/crypto/identity';

/** A fixed "now" (Unix seconds): 2023-11-14T22:13:20Z. */
const NOW = 1_700_000_000;

const alice = generateIdentity();
const mallory = generateIdentity();
const aliceLaptop = generateIdentity(); // a device's own keys are a key pair like an identity's

/** The certificate fields in their fixed order, as the tests flip bytes in them. */
const KEY_FIELDS = ['identitySign', 'identityDh', 'deviceSign', 'deviceDh'] as const;

/** The signed message, built here from the documented layout (not with the code under test). */
function documentedMessage(c: Omit<DeviceCertificate, 'signature'>): Buffer {
  const expiry = Buffer.alloc(4);
  expiry.writeUInt32BE(c.expiry);
  return Buffer.concat([Buffer.from('peerchat v2 device\0', 'utf8'), c.identitySign, c.identityDh, c.deviceSign, c.deviceDh, expiry]);
}

/** A deep copy, so one test's edits never leak into another's certificate. */
function copy(c: DeviceCertificate): DeviceCertificate {
  return {
    identitySign: Buffer.from(c.identitySign),
    identityDh: Buffer.from(c.identityDh),
    deviceSign: Buffer.from(c.deviceSign),
    deviceDh: Buffer.from(c.deviceDh),
    expiry: c.expiry,
    signature: Buffer.from(c.signature),
  };
}

function flipExpiryByte(c: DeviceCertificate, i: number, mask: number): DeviceCertificate {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(c.expiry);
  b[i] ^= mask;
  return { ...copy(c), expiry: b.readUInt32BE(0) };
}

describe('crypto/deviceCertificate', () => {
  const cert = certifyDevice(alice, aliceLaptop, NOW);

  describe('a certificate certifyDevice made', () => {
    it('binds the identity keys to the device keys until now + DEVICE_CERT_LIFETIME_S (one day), and verifies', () => {
      assert.equal(DEVICE_CERT_LIFETIME_S, 24 * 3600);
      assert.equal(DEVICE_CERT_CLOCK_SKEW_S, 10 * 60);
      assert.ok(cert.identitySign.equals(alice.signPublic));
      assert.ok(cert.identityDh.equals(alice.dhPublic));
      assert.ok(cert.deviceSign.equals(aliceLaptop.signPublic));
      assert.ok(cert.deviceDh.equals(aliceLaptop.dhPublic));
      assert.equal(cert.expiry, NOW + DEVICE_CERT_LIFETIME_S);
      assert.equal(cert.signature.length, SIGNATURE_BYTES);
      assert.deepEqual(checkDeviceCertificate(cert, NOW), { ok: true });
    });

    it('the signature is the identity key over the documented message ("peerchat v2 device\\0" | keys | expiry u32)', () => {
      assert.ok(verifySignature(alice.signPublic, documentedMessage(cert), cert.signature));
      assert.ok(!verifySignature(aliceLaptop.signPublic, documentedMessage(cert), cert.signature), 'not the device key');
    });

    it('a fractional "now" is rounded down before the lifetime is added', () => {
      const c = certifyDevice(alice, aliceLaptop, NOW + 0.999);
      assert.equal(c.expiry, NOW + DEVICE_CERT_LIFETIME_S);
      assert.deepEqual(checkDeviceCertificate(c, NOW + 0.999), { ok: true });
    });

    it('newDevice makes fresh device keys (not the identity\'s) and certifies them', () => {
      const a = newDevice(alice, NOW);
      const b = newDevice(alice, NOW);
      assert.equal(a.identity, alice);
      assert.ok(!a.keys.signPublic.equals(alice.signPublic));
      assert.ok(!a.keys.signPublic.equals(b.keys.signPublic), 'every device has keys of its own');
      assert.ok(a.certificate.deviceSign.equals(a.keys.signPublic));
      assert.ok(a.certificate.deviceDh.equals(a.keys.dhPublic));
      assert.deepEqual(checkDeviceCertificate(a.certificate, NOW), { ok: true });
      assert.deepEqual(checkDeviceCertificate(b.certificate, NOW), { ok: true });
    });

    it('verifies for any device keys and any time (property)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 0xffff_ffff - DEVICE_CERT_LIFETIME_S }), (now) => {
          const keys = generateIdentity();
          const c = certifyDevice(alice, keys, now);
          assert.deepEqual(checkDeviceCertificate(c, now), { ok: true });
        }),
        { numRuns: 50 },
      );
    });
  });

  describe("what the signature covers: any change fails with 'signature'", () => {
    for (const field of KEY_FIELDS) {
      it(`one byte flipped anywhere in ${field}`, () => {
        for (let i = 0; i < PUBLIC_KEY_BYTES; i++) {
          const c = copy(cert);
          c[field][i] ^= 0x01;
          assert.deepEqual(checkDeviceCertificate(c, NOW), { ok: false, reason: 'signature' }, `${field}[${i}]`);
        }
      });
    }

    it('one byte flipped anywhere in the expiry, later or earlier', () => {
      for (let i = 0; i < 4; i++) {
        for (const mask of [0x01, 0x80]) {
          const c = flipExpiryByte(cert, i, mask);
          assert.notEqual(c.expiry, cert.expiry);
          assert.deepEqual(checkDeviceCertificate(c, NOW), { ok: false, reason: 'signature' }, `expiry byte ${i} ^ 0x${mask.toString(16)}`);
        }
      }
    });

    it('a later expiry by one second', () => {
      assert.deepEqual(checkDeviceCertificate({ ...copy(cert), expiry: cert.expiry + 1 }, NOW), { ok: false, reason: 'signature' });
    });

    it('one byte flipped anywhere in the signature', () => {
      for (let i = 0; i < SIGNATURE_BYTES; i++) {
        const c = copy(cert);
        c.signature[i] ^= 0x01;
        assert.deepEqual(checkDeviceCertificate(c, NOW), { ok: false, reason: 'signature' }, `signature[${i}]`);
      }
    });

    it('any byte of the 196 changed to any other value (property)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 4 * PUBLIC_KEY_BYTES + 4 + SIGNATURE_BYTES - 1 }), fc.integer({ min: 1, max: 255 }), (at, mask) => {
          let c: DeviceCertificate;
          if (at < 4 * PUBLIC_KEY_BYTES) {
            c = copy(cert);
            c[KEY_FIELDS[Math.floor(at / PUBLIC_KEY_BYTES)]][at % PUBLIC_KEY_BYTES] ^= mask;
          } else if (at < 4 * PUBLIC_KEY_BYTES + 4) {
            c = flipExpiryByte(cert, at - 4 * PUBLIC_KEY_BYTES, mask);
          } else {
            c = copy(cert);
            c.signature[at - 4 * PUBLIC_KEY_BYTES - 4] ^= mask;
          }
          assert.deepEqual(checkDeviceCertificate(c, NOW), { ok: false, reason: 'signature' });
        }),
        { numRuns: 300 },
      );
    });

    it('swapping the device keys for another device\'s (keeping the signature)', () => {
      const other = generateIdentity();
      const c = { ...copy(cert), deviceSign: Buffer.from(other.signPublic), deviceDh: Buffer.from(other.dhPublic) };
      assert.deepEqual(checkDeviceCertificate(c, NOW), { ok: false, reason: 'signature' });
    });

    it('swapping identity sign and device sign (the device cannot certify the identity)', () => {
      const c = { ...copy(cert), identitySign: Buffer.from(cert.deviceSign), deviceSign: Buffer.from(cert.identitySign) };
      assert.deepEqual(checkDeviceCertificate(c, NOW), { ok: false, reason: 'signature' });
    });
  });

  describe("another key's signature fails with 'signature'", () => {
    it("another identity signing a certificate that names alice's identity", () => {
      const forged: DeviceCertificate = { ...copy(cert), signature: signData(mallory, documentedMessage(cert)) };
      assert.deepEqual(checkDeviceCertificate(forged, NOW), { ok: false, reason: 'signature' });
    });

    it("another identity's own valid certificate with alice's identity keys pasted in", () => {
      const mallorys = certifyDevice(mallory, aliceLaptop, NOW);
      assert.deepEqual(checkDeviceCertificate(mallorys, NOW), { ok: true }, "mallory's certificate is fine for mallory");
      const pasted = { ...copy(mallorys), identitySign: Buffer.from(alice.signPublic), identityDh: Buffer.from(alice.dhPublic) };
      assert.deepEqual(checkDeviceCertificate(pasted, NOW), { ok: false, reason: 'signature' });
      const signOnly = { ...copy(mallorys), identitySign: Buffer.from(alice.signPublic) };
      assert.deepEqual(checkDeviceCertificate(signOnly, NOW), { ok: false, reason: 'signature' });
    });

    it('the device key signing its own certificate', () => {
      const selfSigned: DeviceCertificate = { ...copy(cert), signature: signData(aliceLaptop, documentedMessage(cert)) };
      assert.deepEqual(checkDeviceCertificate(selfSigned, NOW), { ok: false, reason: 'signature' });
    });

    it("the identity's signature over the same bytes without the context string (domain separation)", () => {
      const bare = documentedMessage(cert).subarray(Buffer.byteLength('peerchat v2 device\0'));
      const c: DeviceCertificate = { ...copy(cert), signature: signData(alice, bare) };
      assert.deepEqual(checkDeviceCertificate(c, NOW), { ok: false, reason: 'signature' });
    });

    it("the identity's DH binding signature is no certificate", () => {
      const c: DeviceCertificate = { ...copy(cert), signature: signDhBinding(alice) };
      assert.deepEqual(checkDeviceCertificate(c, NOW), { ok: false, reason: 'signature' });
    });
  });

  describe('expiry', () => {
    const expiry = cert.expiry;

    it('passes up to and at the expiry, and within DEVICE_CERT_CLOCK_SKEW_S after it', () => {
      for (const now of [0, NOW, expiry - 1, expiry, expiry + 1, expiry + DEVICE_CERT_CLOCK_SKEW_S - 1, expiry + DEVICE_CERT_CLOCK_SKEW_S]) {
        assert.deepEqual(checkDeviceCertificate(cert, now), { ok: true }, `now = expiry ${now >= expiry ? '+' : '-'} ${Math.abs(now - expiry)}`);
      }
    });

    it("fails with 'expired' beyond the skew", () => {
      for (const now of [expiry + DEVICE_CERT_CLOCK_SKEW_S + 0.5, expiry + DEVICE_CERT_CLOCK_SKEW_S + 1, expiry + 7 * 24 * 3600, 0xffff_ffff * 2]) {
        assert.deepEqual(checkDeviceCertificate(cert, now), { ok: false, reason: 'expired' }, `now = expiry + ${now - expiry}`);
      }
    });

    it('an expired certificate whose signature is also wrong says signature (it was never valid)', () => {
      const c = copy(cert);
      c.signature[0] ^= 1;
      assert.deepEqual(checkDeviceCertificate(c, expiry + DEVICE_CERT_CLOCK_SKEW_S + 1), { ok: false, reason: 'signature' });
    });

    it('the boundary holds at any signing time (property)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 0xffff_ffff - DEVICE_CERT_LIFETIME_S }), (signedAt) => {
          const c = certifyDevice(alice, aliceLaptop, signedAt);
          const last = c.expiry + DEVICE_CERT_CLOCK_SKEW_S;
          assert.deepEqual(checkDeviceCertificate(c, last), { ok: true });
          assert.deepEqual(checkDeviceCertificate(c, last + 1), { ok: false, reason: 'expired' });
        }),
        { numRuns: 30 },
      );
    });
  });

  describe("malformed fields give 'malformed' and never throw", () => {
    const cases: Array<[string, (c: DeviceCertificate) => void]> = [];
    for (const field of KEY_FIELDS) {
      for (const n of [0, 31, 33, 64]) {
        cases.push([`${field} of ${n} bytes`, (c) => (c[field] = Buffer.alloc(n, 7))]);
      }
      cases.push([`${field} missing`, (c) => (c[field] = undefined as unknown as Buffer)]);
      cases.push([`${field} a Uint8Array, not a Buffer`, (c) => (c[field] = new Uint8Array(32) as unknown as Buffer)]);
      cases.push([`${field} a string of 32 characters`, (c) => (c[field] = 'x'.repeat(32) as unknown as Buffer)]);
    }
    for (const n of [0, 63, 65, 128]) cases.push([`signature of ${n} bytes`, (c) => (c.signature = Buffer.alloc(n))]);
    cases.push(['signature missing', (c) => (c.signature = undefined as unknown as Buffer)]);
    cases.push(['signature a hex string', (c) => (c.signature = c.signature.toString('hex') as unknown as Buffer)]);
    for (const e of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      cases.push([`expiry ${e}`, (c) => (c.expiry = e)]);
    }
    cases.push(['expiry a string', (c) => (c.expiry = String(c.expiry) as unknown as number)]);
    cases.push(['expiry missing', (c) => (c.expiry = undefined as unknown as number)]);

    for (const [what, spoil] of cases) {
      it(what, () => {
        const c = copy(cert);
        spoil(c);
        let r: ReturnType<typeof checkDeviceCertificate> | undefined;
        assert.doesNotThrow(() => (r = checkDeviceCertificate(c, NOW)));
        assert.deepEqual(r, { ok: false, reason: 'malformed' });
      });
    }

    // The expiry is a u32 on the wire and in the signed message: a larger one is malformed, not a
// certificate valid for 136 more years.
    it("an expiry beyond u32 (alice's expiry + 2^32) is malformed, not valid until 2159", () => {
      const c = { ...copy(cert), expiry: cert.expiry + 2 ** 32 };
      assert.deepEqual(checkDeviceCertificate(c, NOW + 365 * 24 * 3600), { ok: false, reason: 'malformed' });
      assert.deepEqual(checkDeviceCertificate({ ...copy(cert), expiry: 0x1_0000_0000 }, NOW), { ok: false, reason: 'malformed' });
    });

    it('the largest u32 expiry is well-formed (only its signature is checked)', () => {
      assert.deepEqual(checkDeviceCertificate({ ...copy(cert), expiry: 0xffff_ffff }, NOW), { ok: false, reason: 'signature' });
    });

    it('never throws on random field sizes and values (property)', () => {
      const bytes = fc.uint8Array({ maxLength: 70 }).map((a) => Buffer.from(a));
      fc.assert(
        fc.property(
          fc.record({
            identitySign: bytes,
            identityDh: bytes,
            deviceSign: bytes,
            deviceDh: bytes,
            expiry: fc.oneof(fc.integer(), fc.double(), fc.constant(cert.expiry)),
            signature: bytes,
          }),
          fc.double({ noNaN: true }),
          (c, now) => {
            const r = checkDeviceCertificate(c, now);
            assert.equal(r.ok, false, 'random fields never verify');
          },
        ),
        { numRuns: 500 },
      );
    });

    it('never throws on random 32-byte keys and 64-byte signatures, and says signature (property)', () => {
      const n = (k: number): fc.Arbitrary<Buffer> => fc.uint8Array({ minLength: k, maxLength: k }).map((a) => Buffer.from(a));
      fc.assert(
        fc.property(
          fc.record({ identitySign: n(32), identityDh: n(32), deviceSign: n(32), deviceDh: n(32), expiry: fc.nat(), signature: n(64) }),
          (c) => {
            assert.deepEqual(checkDeviceCertificate(c, 0), { ok: false, reason: 'signature' });
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  describe('freshCertificate', () => {
    const HALF = DEVICE_CERT_LIFETIME_S / 2;

    it('keeps the certificate while at least half its lifetime is left', () => {
      const d = newDevice(alice, NOW);
      const first = d.certificate;
      for (const now of [NOW - 3600, NOW, NOW + 1, NOW + HALF - 1, NOW + HALF]) {
        assert.equal(freshCertificate(d, now), first, `now = signing time + ${now - NOW}`);
        assert.equal(d.certificate, first);
      }
    });

    it('signs a new one, for the same device keys, once less than half is left; then keeps that one', () => {
      const d = newDevice(alice, NOW);
      const first = d.certificate;
      const later = NOW + HALF + 1;
      const renewed = freshCertificate(d, later);
      assert.notEqual(renewed, first);
      assert.equal(d.certificate, renewed, 'the device keeps the new certificate');
      assert.equal(renewed.expiry, later + DEVICE_CERT_LIFETIME_S);
      assert.ok(renewed.deviceSign.equals(d.keys.signPublic) && renewed.deviceDh.equals(d.keys.dhPublic));
      assert.ok(renewed.identitySign.equals(alice.signPublic) && renewed.identityDh.equals(alice.dhPublic));
      assert.deepEqual(checkDeviceCertificate(renewed, later), { ok: true });
      assert.equal(freshCertificate(d, later + 1), renewed);
      assert.equal(freshCertificate(d, later + HALF), renewed);
    });

    it('renews a certificate that has already expired', () => {
      const d = newDevice(alice, NOW);
      const muchLater = NOW + 30 * 24 * 3600;
      assert.deepEqual(checkDeviceCertificate(d.certificate, muchLater), { ok: false, reason: 'expired' });
      const renewed = freshCertificate(d, muchLater);
      assert.deepEqual(checkDeviceCertificate(renewed, muchLater), { ok: true });
    });

    it('renews exactly when less than half the lifetime is left (property)', () => {
      fc.assert(
        fc.property(fc.integer({ min: -DEVICE_CERT_LIFETIME_S, max: 2 * DEVICE_CERT_LIFETIME_S }), (elapsed) => {
          const d = { identity: alice, keys: aliceLaptop, certificate: certifyDevice(alice, aliceLaptop, NOW) };
          const first = d.certificate;
          const c = freshCertificate(d, NOW + elapsed);
          const left = first.expiry - (NOW + elapsed);
          assert.equal(c !== first, left < HALF, `elapsed ${elapsed}, left ${left}`);
          assert.deepEqual(checkDeviceCertificate(c, NOW + elapsed), { ok: true });
        }),
        { numRuns: 100 },
      );
    });
  });
});
