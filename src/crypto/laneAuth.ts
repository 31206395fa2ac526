/**
 * Keys and proofs of stream lanes (docs/protocol.md "Stream lanes"): a TCP connection that
 * carries one direction of file data between two devices that already share an end-to-end
 * session. Everything here comes from that session's lane key (SessionKeys.laneKey), so a lane
 * is exactly as trustworthy as the session: whoever cannot prove the key gets nothing, and the
 * relay that splices a transit lane sees a random-looking token and ciphertext.
 *
 * - laneKey = HKDF(confirm key of the session, "peerchat v1 lane")
 * - proofs:  HMAC-SHA256(laneKey, label || nonceR || nonceI || laneId), label "initiator" or
 *            "responder": each side proves the key over both sides' fresh nonces, so a recorded
 *            lane replayed later fails (the responder's nonce differs).
 * - data:    ChaCha20-Poly1305 key and IV = HKDF(laneKey, "peerchat v1 lane data" || nonceR ||
 *            nonceI), records numbered 0, 1, 2, … as packet numbers (aead.ts): fresh keys per
 *            lane, so two lanes of one session never share a nonce.
 * - transit: token = HMAC-SHA256(laneKey, "transit" || laneId): both devices compute it, the
 *            relay pairs the two TCP connections that present the same token.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AEAD_KEY_BYTES, AEAD_NONCE_BYTES } from './aead';
import { deriveSubKey } from './keySchedule';

export const LANE_KEY_BYTES = 32;
export const LANE_NONCE_BYTES = 16;
export const LANE_PROOF_BYTES = 32;
export const TRANSIT_TOKEN_BYTES = 32;

export type LaneRole = 'initiator' | 'responder';

/** The lane key of a session, from its confirmation key (peerHandshake.ts). */
export function laneKeyFrom(confirmKey: Buffer): Buffer {
  return deriveSubKey(confirmKey, 'peerchat v1 lane', Buffer.alloc(0), LANE_KEY_BYTES);
}

function laneIdBytes(laneId: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(laneId >>> 0);
  return b;
}

/** The proof `role` sends for a lane whose nonces are (nonceR, nonceI). */
export function laneProof(laneKey: Buffer, role: LaneRole, nonceR: Buffer, nonceI: Buffer, laneId: number): Buffer {
  return createHmac('sha256', laneKey).update(role).update(nonceR).update(nonceI).update(laneIdBytes(laneId)).digest();
}

/** Constant-time check of a proof received from `role`. */
export function checkLaneProof(laneKey: Buffer, role: LaneRole, nonceR: Buffer, nonceI: Buffer, laneId: number, proof: Buffer): boolean {
  if (proof.length !== LANE_PROOF_BYTES) return false;
  return timingSafeEqual(laneProof(laneKey, role, nonceR, nonceI, laneId), proof);
}

/** Key and IV sealing the initiator's records on this lane. */
export function laneDataKeys(laneKey: Buffer, nonceR: Buffer, nonceI: Buffer): { key: Buffer; iv: Buffer } {
  const okm = deriveSubKey(laneKey, 'peerchat v1 lane data', Buffer.concat([nonceR, nonceI]), AEAD_KEY_BYTES + AEAD_NONCE_BYTES);
  return { key: okm.subarray(0, AEAD_KEY_BYTES), iv: okm.subarray(AEAD_KEY_BYTES) };
}

/** The token both devices present to the relay's transit port for lane `laneId`. */
export function transitToken(laneKey: Buffer, laneId: number): Buffer {
  return createHmac('sha256', laneKey).update('transit').update(laneIdBytes(laneId)).digest();
}
