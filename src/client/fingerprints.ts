import { fingerprint } from '../crypto/identity';

/**
 * The fingerprint users compare and clients pin: over BOTH public keys (signing and key
 * agreement). The relay hands out the keys bound to a nickname; if the fingerprint covered only
 * the signing key, a malicious relay could pair a victim's signing key with its own X25519 key
 * and sit in the middle of the handshake while the fingerprint still matched.
 */
export function identityFingerprint(keys: { signPublic: Buffer; dhPublic: Buffer }): string {
  return fingerprint(Buffer.concat([keys.signPublic, keys.dhPublic]));
}
