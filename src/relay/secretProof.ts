import { createHmac } from 'node:crypto';
import { SECRET_PROOF_BYTES } from '../protocol/relayMessages';

/**
 * Domain separation label: the proof is an HMAC used for nothing else, so it cannot be replayed
 * as any other MAC made with the same secret.
 */
const INVITE_LABEL = Buffer.from('peerchat-invite', 'utf8');

/**
 * Proof that a client knows the relay's invitation secret, carried in REGISTER:
 *
 *   HMAC-SHA-256(secret, "peerchat-invite" || cookie || signPublic)[:16]
 *
 * It is bound to the cookie (so it is fresh and tied to the client's address) and to the key
 * being registered (so it cannot be lifted onto another key). The secret itself never crosses
 * the wire. A relay without a secret ignores the field; clients then send 16 zero bytes.
 */
export function secretProof(secret: string, cookie: Buffer, signPublic: Buffer): Buffer {
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(INVITE_LABEL)
    .update(cookie)
    .update(signPublic)
    .digest()
    .subarray(0, SECRET_PROOF_BYTES);
}

/** What a client sends when the relay has no secret (or it has none to give): zeros. */
export function noSecretProof(): Buffer {
  return Buffer.alloc(SECRET_PROOF_BYTES);
}
