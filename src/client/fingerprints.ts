import { createHash } from 'node:crypto';
import { FINGERPRINT_BYTES } from '../crypto/identity';

/**
 * The fingerprint users compare and clients pin: over BOTH public keys (signing ‖ key
 * agreement). The relay hands out the keys bound to a nickname; if the fingerprint covered only
 * the signing key, a malicious relay could pair a victim's signing key with its own X25519 key
 * and sit in the middle of the handshake while the fingerprint still matched. Same format as
 * crypto/identity's `fingerprint`: 5 groups of 4 hex digits (80 bits).
 */
export function identityFingerprint(keys: { signPublic: Buffer; dhPublic: Buffer }): string {
  const hex = createHash('sha256').update(keys.signPublic).update(keys.dhPublic).digest().subarray(0, FINGERPRINT_BYTES).toString('hex');
  return hex.match(/.{4}/g)!.join(' ');
}
