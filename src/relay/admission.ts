/**
 * Admission: what the relay checks before anything from an address reaches the directory.
 *
 * Address validation (RFC 6347 §4.2.1 HelloVerifyRequest, RFC 9000 §8.1 Retry). A HELLO
 * (>= MIN_HELLO_BYTES, padded) is answered with COOKIE { token echoed, cookie } (40 bytes, so
 * never more than the HELLO) and no state: cookie = issuedAt u32 (Unix s) || HMAC-SHA-256(key,
 * ip || 0 || port || issuedAt)[:16], key random per relay process (addressCookie.ts). REGISTER
 * must carry a cookie minted for its source ip:port within COOKIE_LIFETIME_MS (whole seconds),
 * else ERROR BAD_COOKIE; a restarted relay refuses old cookies and the client starts over.
 * Anti-amplification: to an address with no session bound to it and no valid cookie in hand,
 * the relay sends at most 3x the bytes it received from that address (per ip:port ledger, LRU
 * bounded, unvalidatedTraffic.ts). An ERROR that would exceed the allowance has its message
 * shortened (the code alone is enough: clients show ERROR_HINTS) or is not sent at all.
 * Unvalidated traffic (HELLO, REGISTER, anything from an unregistered source) is also limited
 * per source IP by a token bucket (UNREGISTERED_RATE_*); over it, datagrams are dropped silently.
 *
 * REGISTER checks made here, in this order (cheapest first; the Ed25519 verifies are the
 * expensive ones and only validated addresses reach them): cookie → BAD_COOKIE; secretProof over
 * the device key (if the relay has a secret; secretProof.ts) → BAD_SECRET; signature over
 * `signed` with the device key → BAD_SIGNATURE; the identity's certificate for the device
 * (signature, expiry) → BAD_SIGNATURE; checkNickname → NICK_INVALID (message: the reason). The
 * directory then checks the nickname's owner and the member's devices (directory.ts).
 */
import * as dgram from 'node:dgram';
import { timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { verifySignature } from '../crypto/identity';
import { checkDeviceCertificate, type DeviceCertificate } from '../crypto/deviceCertificate';
import { ErrorCode, ERROR_HINTS, errorCodeToWire } from '../protocol/errors';
import { DST_RELAY, HEADER_BYTES, MAX_ERROR_MESSAGE_BYTES } from '../protocol/limits';
import { CHECK_BYTES, Kind } from '../protocol/header';
import { checkNickname } from '../protocol/nickname';
import { clip, encodeRelayMessage, RelayMessage } from '../protocol/relayMessages';
import { AddressCookie } from './addressCookie';
import type { DropReason } from './relayStats';
import type { RelayTransport } from './relayTransport';
import { secretProof } from './secretProof';
import { MAX_EARLIER_SECRETS } from './relayLimits';
import { addressKey, UnvalidatedTraffic } from './unvalidatedTraffic';

type RelayMsg<K extends number> = Extract<RelayMessage, { kind: K }>;

/** Bytes of an ERROR with an empty message: header + code u16 + refKind u8 + refId u32 + len u16. */
const BARE_ERROR_BYTES = HEADER_BYTES + 9;

/** A REGISTER that passed admission: what the directory decides on. */
export interface AdmittedRegister {
  cert: DeviceCertificate;
  ownerKey: string;
  deviceKey: string;
  nick: string;
  nickKey: string;
  /** Issue time (Unix seconds) of its cookie. */
  cookieSeconds: number;
}

export class Admission {
  private readonly cookies = new AddressCookie();
  private readonly unvalidated: UnvalidatedTraffic;
  unvalidatedBytesIn = 0;
  unvalidatedBytesOut = 0;
  answersSuppressed = 0;

  /**
   * Secrets this process had before setSecret replaced them (newest last, at most
   * MAX_EARLIER_SECRETS; null: it admitted anyone then): a device whose session is live may prove
   * one of them when it registers again (a new address after a network change), so rotating does
   * not drop members already in.
   */
  private readonly earlierSecrets: Array<string | null> = [];

  constructor(
    private readonly transport: RelayTransport,
    private secret: string | undefined,
    unregisteredRate: { perSec: number; burst: number },
    private readonly dropped: Record<DropReason, number>,
    /** Whether a device (hex of its key) has a live session here (see earlierSecrets). */
    private readonly isLiveDevice: (deviceKey: string) => boolean = () => false,
  ) {
    this.unvalidated = new UnvalidatedTraffic(unregisteredRate.perSec, unregisteredRate.burst);
  }

  /** Whether REGISTER must prove an invitation secret. */
  get hasSecret(): boolean {
    return this.secret !== undefined;
  }

  /**
   * Replaces the invitation secret (docs/security.md "Rotating the invitation"): new devices must
   * prove the new one; live sessions stay and may re-register with the one they joined with.
   * Undefined admits anyone from now on. Returns whether it changed.
   */
  setSecret(secret: string | undefined): boolean {
    if (this.secret === secret) return false;
    this.earlierSecrets.push(this.secret ?? null);
    if (this.earlierSecrets.length > MAX_EARLIER_SECRETS) this.earlierSecrets.shift();
    this.secret = secret;
    return true;
  }

  /**
   * The REGISTER's proof is made with the current secret, or (for a device whose session is live,
   * and so was admitted before a rotation) with one this process had earlier. The device's
   * signature is checked after this, so an earlier secret alone registers nothing.
   */
  private provesSecret(cookie: Buffer, deviceSign: Buffer, proof: Buffer): boolean {
    if (timingSafeEqual(secretProof(this.secret!, cookie, deviceSign), proof)) return true;
    if (this.earlierSecrets.length === 0 || !this.isLiveDevice(deviceSign.toString('hex'))) return false;
    return this.earlierSecrets.some((s) => s === null || timingSafeEqual(secretProof(s, cookie, deviceSign), proof));
  }

  /** Charges one datagram to its source IP's unregistered budget; false: drop it unanswered. */
  admit(ip: string): boolean {
    return this.unvalidated.admit(ip, performance.now());
  }

  /** `checked`: the HELLO asked for checked relay messages; the COOKIE says we check them too. */
  onHello(m: RelayMsg<typeof Kind.HELLO>, bytes: number, rinfo: dgram.RemoteInfo, checked = false): void {
    if (!this.admit(rinfo.address)) {
      this.dropped.rateLimited++;
      return;
    }
    const addr = this.credit(rinfo, bytes);
    const cookie = this.cookies.mint(rinfo.address, rinfo.port, Date.now());
    this.sendUnvalidated(encodeRelayMessage({ kind: Kind.COOKIE, token: m.token, cookie }, 0, 0, checked), addr, rinfo);
  }

  /**
   * Runs admission's REGISTER checks; on a refusal it answers (or drops) and returns undefined.
   * `checked`: the REGISTER asked for checked relay messages, so the refusal is checked too.
   */
  checkRegister(m: RelayMsg<typeof Kind.REGISTER>, bytes: number, rinfo: dgram.RemoteInfo, checked = false): AdmittedRegister | undefined {
    if (!this.admit(rinfo.address)) {
      this.dropped.rateLimited++;
      return undefined;
    }
    if (!this.cookies.check(m.cookie, rinfo.address, rinfo.port, Date.now())) {
      this.dropped.badCookie++;
      const addr = this.credit(rinfo, bytes);
      this.sendUnvalidatedError('BAD_COOKIE', Kind.REGISTER, 0, ERROR_HINTS.BAD_COOKIE, addr, rinfo, checked);
      return undefined;
    }
    // From here on the address is validated (it received our cookie): answers are not capped.
    const cert = m.cert;
    if (this.secret !== undefined && !this.provesSecret(m.cookie, cert.deviceSign, m.secretProof)) {
      this.refuse('badSecret', 'BAD_SECRET', ERROR_HINTS.BAD_SECRET, rinfo, checked);
      return undefined;
    }
    // The device key signed the datagram (possession), and the identity certified the device
    // key (docs/security.md "Members and devices"): nobody but the identity adds a device to it.
    if (!safeVerify(cert.deviceSign, m.signed, m.signature)) {
      this.refuse('badSignature', 'BAD_SIGNATURE', ERROR_HINTS.BAD_SIGNATURE, rinfo, checked);
      return undefined;
    }
    const certified = checkDeviceCertificate(cert, Date.now() / 1000);
    if (!certified.ok) {
      const message =
        certified.reason === 'expired'
          ? "The device certificate has expired: check this computer's clock, then join again."
          : ERROR_HINTS.BAD_SIGNATURE;
      this.refuse('badSignature', 'BAD_SIGNATURE', message, rinfo, checked);
      return undefined;
    }
    const nick = checkNickname(m.nick);
    if (!nick.ok) {
      this.refuse('nickInvalid', 'NICK_INVALID', nick.reason, rinfo, checked);
      return undefined;
    }
    return {
      cert,
      ownerKey: cert.identitySign.toString('hex'),
      deviceKey: cert.deviceSign.toString('hex'),
      nick: nick.display,
      nickKey: nick.key,
      cookieSeconds: m.cookie.readUInt32BE(0),
    };
  }

  /**
   * A REGISTER refusal to a validated address (it holds our cookie): refKind REGISTER, refId 0.
   * `checked`: that REGISTER asked for checked relay messages (docs/protocol.md "Checked relay
   * messages"): a refusal corrupted on the way is then dropped, not read as another error.
   */
  refuse(reason: DropReason, code: ErrorCode, message: string, rinfo: { address: string; port: number }, checked = false): void {
    this.dropped[reason]++;
    const err = encodeRelayMessage({ kind: Kind.ERROR, code: errorCodeToWire(code), refKind: Kind.REGISTER, refId: 0, message }, 0, DST_RELAY, checked);
    this.transport.sendRaw(err, rinfo.port, rinfo.address);
  }

  /** A request from no registered session: NOT_REGISTERED, within the per-IP rate and the 3x rule. */
  refuseUnregistered(bytes: number, kind: number, srcId: number, rinfo: dgram.RemoteInfo): void {
    this.dropped.notRegistered++;
    if (!this.admit(rinfo.address)) {
      this.answersSuppressed++;
      return;
    }
    const addr = this.credit(rinfo, bytes);
    this.sendUnvalidatedError('NOT_REGISTERED', kind, srcId, ERROR_HINTS.NOT_REGISTERED, addr, rinfo);
  }

  /** Entries held for unvalidated addresses (tests, stats). */
  get tracked(): { ips: number; addresses: number } {
    return this.unvalidated.size;
  }

  private credit(rinfo: dgram.RemoteInfo, bytes: number): string {
    const addr = addressKey(rinfo.address, rinfo.port);
    this.unvalidated.received(addr, bytes);
    this.unvalidatedBytesIn += bytes;
    return addr;
  }

  /** Sends `buf` to an unvalidated address if the 3x allowance covers it. */
  private sendUnvalidated(buf: Buffer, addr: string, rinfo: dgram.RemoteInfo): void {
    if (this.unvalidated.allowance(addr) < buf.length) {
      this.answersSuppressed++;
      return;
    }
    this.unvalidated.sent(addr, buf.length);
    this.unvalidatedBytesOut += buf.length;
    this.transport.sendRaw(buf, rinfo.port, rinfo.address);
  }

  /** An ERROR to an unvalidated address, its message shortened to fit the 3x allowance. */
  private sendUnvalidatedError(
    code: ErrorCode,
    refKind: number,
    refId: number,
    message: string,
    addr: string,
    rinfo: dgram.RemoteInfo,
    checked = false,
  ): void {
    const room = this.unvalidated.allowance(addr) - BARE_ERROR_BYTES - (checked ? CHECK_BYTES : 0);
    if (room < 0) {
      this.answersSuppressed++;
      return;
    }
    const text = clip(message, Math.min(room, MAX_ERROR_MESSAGE_BYTES));
    const err = encodeRelayMessage({ kind: Kind.ERROR, code: errorCodeToWire(code), refKind, refId, message: text }, 0, DST_RELAY, checked);
    this.sendUnvalidated(err, addr, rinfo);
  }
}

/** verifySignature, but a malformed key (not a point on the curve) is a failed check, not a throw. */
function safeVerify(signPublic: Buffer, data: Buffer, signature: Buffer): boolean {
  try {
    return verifySignature(signPublic, data, signature);
  } catch {
    return false;
  }
}
