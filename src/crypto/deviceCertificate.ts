/**
 * Devices of one identity (docs/security.md, "Members and devices").
 *
 * A person is an identity (identity.ts: an Ed25519 signing key and an X25519 key, the pair the
 * fingerprint covers). Every running client of that person — a VS Code window, a terminal — is
 * a *device*: it makes a key pair of its own when it starts (never stored), and the identity
 * signs a certificate binding that device key to itself:
 *
 *   certificate = Ed25519_identity("peerchat v2 device\0" ‖ identity sign ‖ identity dh
 *                                  ‖ device sign ‖ device dh ‖ expiry u32 (Unix seconds))
 *
 * The relay checks it before it lets a device register under the identity's nickname, and every
 * peer checks it again (KEY_INFO carries it) before it runs a handshake with the device, so
 * neither the relay nor anyone else can add a device to someone's identity: that takes the
 * identity's private signing key. Handshakes (peerHandshake.ts) run between device keys, so each
 * device has its own end-to-end session with each device of a peer, as in Signal's and
 * Matrix's multi-device designs; fingerprints and TOFU pins stay those of the identity.
 */
import { generateIdentity, PUBLIC_KEY_BYTES, SIGNATURE_BYTES, signData, verifySignature, type Identity } from './identity';

/** Domain separation: a device certificate can never be mistaken for another signed message. */
const DEVICE_CERT_CONTEXT = Buffer.from('peerchat v2 device\0', 'utf8');
/**
 * How long a certificate is valid. A device's key lives only as long as its process, and a
 * client signs a fresh certificate each time it registers, so this bounds only how long a
 * device key copied out of a running client's memory stays useful to a thief: one day.
 */
export const DEVICE_CERT_LIFETIME_S = 24 * 3600;
/** Clock difference between two machines tolerated when checking an expiry (s). */
export const DEVICE_CERT_CLOCK_SKEW_S = 10 * 60;

/** A device's public keys and the identity's certificate for them, as REGISTER and KEY_INFO carry them. */
export interface DeviceCertificate {
  identitySign: Buffer;
  identityDh: Buffer;
  deviceSign: Buffer;
  deviceDh: Buffer;
  /** Unix seconds after which the certificate is refused. */
  expiry: number;
  /** The identity's Ed25519 signature over certificateMessage(...). */
  signature: Buffer;
}

/** This client as one device: the person's identity, this process's own keys, the certificate. */
export interface Device {
  identity: Identity;
  /** Keys of this device alone (made at start, never stored): they sign REGISTER and run handshakes. */
  keys: Identity;
  certificate: DeviceCertificate;
}

function certificateMessage(c: Omit<DeviceCertificate, 'signature'>): Buffer {
  const expiry = Buffer.alloc(4);
  expiry.writeUInt32BE(c.expiry >>> 0, 0);
  return Buffer.concat([DEVICE_CERT_CONTEXT, c.identitySign, c.identityDh, c.deviceSign, c.deviceDh, expiry]);
}

/** Signs a certificate for `keys` with `identity`, valid DEVICE_CERT_LIFETIME_S from `nowS`. */
export function certifyDevice(identity: Identity, keys: { signPublic: Buffer; dhPublic: Buffer }, nowS: number): DeviceCertificate {
  const body = {
    identitySign: identity.signPublic,
    identityDh: identity.dhPublic,
    deviceSign: keys.signPublic,
    deviceDh: keys.dhPublic,
    expiry: Math.floor(nowS) + DEVICE_CERT_LIFETIME_S,
  };
  return { ...body, signature: signData(identity, certificateMessage(body)) };
}

/** A new device of `identity`: fresh keys and a certificate for them. */
export function newDevice(identity: Identity, nowS = Date.now() / 1000): Device {
  const keys = generateIdentity();
  return { identity, keys, certificate: certifyDevice(identity, keys, nowS) };
}

/**
 * The device's certificate, signed again if less than half its lifetime is left (a client that
 * runs for days re-registers after a relay restart with a valid one).
 */
export function freshCertificate(d: Device, nowS = Date.now() / 1000): DeviceCertificate {
  if (d.certificate.expiry - nowS < DEVICE_CERT_LIFETIME_S / 2) d.certificate = certifyDevice(d.identity, d.keys, nowS);
  return d.certificate;
}

export type CertificateCheck = { ok: true } | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

/**
 * Checks that the identity signed this device's keys and that the certificate has not expired
 * (with DEVICE_CERT_CLOCK_SKEW_S of slack). Never throws.
 */
export function checkDeviceCertificate(c: DeviceCertificate, nowS: number): CertificateCheck {
  for (const k of [c.identitySign, c.identityDh, c.deviceSign, c.deviceDh]) {
    if (!Buffer.isBuffer(k) || k.length !== PUBLIC_KEY_BYTES) return { ok: false, reason: 'malformed' };
  }
  if (!Buffer.isBuffer(c.signature) || c.signature.length !== SIGNATURE_BYTES) return { ok: false, reason: 'malformed' };
  if (!Number.isInteger(c.expiry) || c.expiry < 0 || c.expiry > 0xffff_ffff) return { ok: false, reason: 'malformed' };
  if (!verifySignature(c.identitySign, certificateMessage(c), c.signature)) return { ok: false, reason: 'signature' };
  if (c.expiry + DEVICE_CERT_CLOCK_SKEW_S < nowS) return { ok: false, reason: 'expired' };
  return { ok: true };
}
