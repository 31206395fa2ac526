/**
 * Pairwise session setup between two clients that already know each other's static keys (from
 * the relay's roster, after checking the DH-binding signature, see identity.ts).
 *
 * Cryptography (Noise KK-like, Noise spec §7.5, without Noise's framing): each side has a static
 * X25519 key s and a per-session ephemeral e. Both compute
 *   ikm = DH(eL, eH) || DH(sL, sH) || DH(sL, eH) || DH(eL, sH)
 * where L is the side whose static DH public key sorts lower (Buffer.compare) and H the other,
 * so both sides build the same bytes. DH(s, s) and the two mixed terms authenticate both statics
 * (only the holders of sL and sH can compute them); DH(eL, eH) and the mixed terms give forward
 * secrecy once the ephemeral private keys are gone. Keys = HKDF-SHA256 with salt "peerchat v1"
 * over ikm, bound to
 *   transcript = SHA-256("peerchat v1 transcript" || sL || sH || signL || signH || eL || eH)
 * (the signing keys too, so both sides also agree on which identities they hold).
 *
 * Messages: one kind, PeerHello = eph (32) || echo (32) || confirm (16), 80 bytes. `eph` is
 * the sender's current ephemeral, `echo` the receiver's ephemeral the sender pairs it with (zeros
 * if none yet), `confirm` = first 16 bytes of HMAC-SHA256(confirmKey, label || eph || echo),
 * zeros if no echo. The label says how far the sender has got with that pair of ephemerals:
 *   "confirm"                   DERIVED     it derived the keys (proves it holds its static key)
 *   "confirm established"       ESTABLISHED it also verified my confirm and installed the keys
 *   "confirm both established"  PROVEN      it also saw my ESTABLISHED/PROVEN confirm
 * so a receiver knows what the sender still needs, and replies only if the sender needs it.
 *
 * Rules (at most one reply per received hello; PROVEN hellos are never answered, so every
 * exchange ends):
 *  - An ephemeral is paired with peer ephemerals until one pairing is established; then its
 *    private key is dropped and it is never paired again. A hello with a new peer ephemeral
 *    (peer restarted or moved on) gets a fresh ephemeral of mine if my current one is used;
 *    but while I hold a session, one that echoes an ephemeral I never had (a hello altered on
 *    the way, or forged: a real peer echoes nothing or an ephemeral of mine it received) only
 *    gets my session's hello, so a flipped bit cannot replace a working session.
 *  - Establish (pair my current unused ephemeral e with the hello's eph) only on a hello that
 *    echoes e and carries a valid confirm: the peer proved it holds its static key and derived
 *    the same keys. The previous session stays current until then, so nothing unauthenticated
 *    can replace it.
 *  - Reply to any verified hello that is not PROVEN with my state for that session; to a hello
 *    from the peer's ephemeral in my session (a stale or lost-reply retry) with my state for it;
 *    to a hello from the peer ephemeral I am pairing with, or from a new one, with my DERIVED hello.
 *  - When a session is replaced, the peer's ephemeral of the old session is remembered (a few),
 *    and hellos from it are ignored: stale or replayed hellos do not restart the handshake.
 *    Other unknown ephemerals start at most one rekey per MIN_FRESH_EPHEMERAL_INTERVAL_MS.
 *  - A side that is not established with proof (needsResend) keeps resending its hello, whether
 *    it started the exchange or answered (the caller's timer runs on both sides); a side with a
 *    proven session is quiet, and a peer that really started over drives the rekey. Two quiet
 *    sides are always on the same session: an established pairing uses up both ephemerals, so a
 *    proof about a pair can never be contradicted later.
 *
 * An attacker who can inject and rewrite hellos (the relay) cannot learn or choose keys, nor make
 * a side establish a session its genuine peer does not share; it can force a rekey (rewriting the
 * answers to an injected hello so that they echo the genuine ephemerals), at most once a second.
 */
import { createHash, createHmac, diffieHellman, generateKeyPairSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { PacketOpener, PacketSealer } from './aead';
import { PUBLIC_KEY_BYTES, publicKeyFromRaw, rawPublicKey, uncachedPublicKeyFromRaw, type Identity } from './identity';
import { deriveDirectionalKeys, HANDSHAKE_SALT, type DirectionalKeys } from './keySchedule';
import { laneKeyFrom } from './laneAuth';
import { ReplayWindow } from './replayWindow';

/** X25519 public key length (RFC 7748 §6.1). */
export const EPHEMERAL_BYTES = PUBLIC_KEY_BYTES;
/**
 * Length of the confirm field, HMAC-SHA256 truncated (RFC 2104 §5 allows truncation to at least
 * half the hash): 128 bits, the same forgery bound as the Poly1305 tag, and a forger gets only
 * one online guess per datagram.
 */
export const CONFIRM_BYTES = 16;
/** Encoded PeerHello length: eph || echo || confirm. */
export const PEER_HELLO_BYTES = EPHEMERAL_BYTES + EPHEMERAL_BYTES + CONFIRM_BYTES;
/**
 * Superseded peer ephemerals remembered, to ignore their stale hellos. Each rekey adds one;
 * 16 covers every hello still plausibly in flight after a burst of restarts.
 */
export const MAX_SUPERSEDED_EPHEMERALS = 16;
/**
 * How long `previous()` keeps the replaced session's keys so packets sealed just before a rekey
 * can still be opened. RFC 9001 §6.5 suggests keeping old read keys about three PTOs; 5 s is
 * several PTOs on any path a chat relay serves.
 */
export const OLD_KEYS_RETAIN_MS = 5_000;
/**
 * Minimum time between two fresh ephemerals (each one starts a rekey). Stale or forged hellos
 * with unknown ephemerals arriving faster are ignored; a genuine peer is not quiet, so it
 * resends and is answered once the interval has passed. This caps how often the relay can
 * force a rekey and the X25519 work it can cause; 1 s delays a restarted peer by at most that.
 */
export const MIN_FRESH_EPHEMERAL_INTERVAL_MS = 1_000;
/** Peer ephemerals whose derived keys are cached while pairing (the target plus stragglers). */
const MAX_DERIVED_CACHE = 4;

const ZERO_EPH = Buffer.alloc(EPHEMERAL_BYTES);
const ZERO_CONFIRM = Buffer.alloc(CONFIRM_BYTES);
const TRANSCRIPT_LABEL = Buffer.from('peerchat v1 transcript', 'utf8');

/** How far the sender of a confirm has got with one pair of ephemerals (see the file comment). */
export enum ConfirmLevel {
  None = 0,
  Derived = 1,
  Established = 2,
  Proven = 3,
}

const CONFIRM_LABELS: Record<Exclude<ConfirmLevel, ConfirmLevel.None>, Buffer> = {
  [ConfirmLevel.Derived]: Buffer.from('confirm', 'utf8'),
  [ConfirmLevel.Established]: Buffer.from('confirm established', 'utf8'),
  [ConfirmLevel.Proven]: Buffer.from('confirm both established', 'utf8'),
};

export interface PeerHello {
  /** Sender's current X25519 ephemeral public key. */
  eph: Buffer;
  /** The receiver's ephemeral the sender last saw and pairs with, or 32 zero bytes. */
  echo: Buffer;
  /** Truncated HMAC proving the sender derived the keys of (eph, echo), or 16 zero bytes. */
  confirm: Buffer;
}

export interface SessionKeys {
  /** Local counter of key epochs (1, 2, …) of this PeerHandshake; not agreed with the peer. */
  id: number;
  sealer: PacketSealer;
  opener: PacketOpener;
  replay: ReplayWindow;
  /**
   * The pair's stream-lane key (src/crypto/laneAuth.ts): the same on both sides, derived from
   * this session's confirmation key, so a lane proves possession of the session and nothing else.
   */
  laneKey: Buffer;
}

export interface HelloResult {
  /** Encoded hello to send back to the peer, if one is needed. */
  reply?: Buffer;
  /** Set when this hello established a new session (now `current()`). */
  established?: SessionKeys;
}

export function encodePeerHello(h: PeerHello): Buffer {
  if (h.eph.length !== EPHEMERAL_BYTES || h.echo.length !== EPHEMERAL_BYTES || h.confirm.length !== CONFIRM_BYTES) {
    throw new RangeError('PeerHello fields have wrong lengths');
  }
  return Buffer.concat([h.eph, h.echo, h.confirm], PEER_HELLO_BYTES);
}

/** Parses a hello; null unless exactly PEER_HELLO_BYTES long. Fields are copies. */
export function decodePeerHello(buf: Buffer): PeerHello | null {
  if (!Buffer.isBuffer(buf) || buf.length !== PEER_HELLO_BYTES) return null;
  return {
    eph: Buffer.from(buf.subarray(0, EPHEMERAL_BYTES)),
    echo: Buffer.from(buf.subarray(EPHEMERAL_BYTES, 2 * EPHEMERAL_BYTES)),
    confirm: Buffer.from(buf.subarray(2 * EPHEMERAL_BYTES)),
  };
}

function confirmMac(confirmKey: Buffer, level: Exclude<ConfirmLevel, ConfirmLevel.None>, senderEph: Buffer, receiverEph: Buffer): Buffer {
  return createHmac('sha256', confirmKey)
    .update(CONFIRM_LABELS[level])
    .update(senderEph)
    .update(receiverEph)
    .digest()
    .subarray(0, CONFIRM_BYTES);
}

/** The level a confirm proves, or None if it verifies at no level. Constant time per level. */
function verifyConfirm(confirmKey: Buffer, confirm: Buffer, senderEph: Buffer, receiverEph: Buffer): ConfirmLevel {
  let found = ConfirmLevel.None;
  for (const level of [ConfirmLevel.Derived, ConfirmLevel.Established, ConfirmLevel.Proven] as const) {
    if (timingSafeEqual(confirmMac(confirmKey, level, senderEph, receiverEph), confirm)) found = level;
  }
  return found;
}

interface Ephemeral {
  pub: Buffer;
  /** Dropped once a session is established with this ephemeral (forward secrecy). */
  priv: KeyObject | null;
  /** DH(this ephemeral, peer static), the same for every peer ephemeral it is paired with. */
  withPeerStatic: Buffer | null;
}

interface Session {
  myEph: Buffer;
  peerEph: Buffer;
  confirmKey: Buffer;
  /** The peer proved it installed these keys (it sent ESTABLISHED or PROVEN for this pair). */
  proven: boolean;
  keys: SessionKeys;
}

export class PeerHandshake {
  private readonly iAmLower: boolean;
  private readonly peerStaticKey: KeyObject;
  private readonly staticShared: Buffer;
  private readonly staticsForTranscript: Buffer;

  private eph: Ephemeral;
  /** The peer ephemeral my current ephemeral is paired with, or null before the first hello. */
  private target: Buffer | null = null;
  private readonly derived = new Map<string, DirectionalKeys>();
  private session: Session | null = null;
  private retired: { keys: SessionKeys; at: number } | null = null;
  private readonly superseded: string[] = [];
  private epochs = 0;
  /** When the last fresh ephemeral replaced a used one (null: never). */
  private lastFreshAt: number | null = null;

  constructor(
    private readonly me: Identity,
    peerSignPublic: Buffer,
    peerDhPublic: Buffer,
    private readonly now: () => number,
  ) {
    if (peerSignPublic.length !== PUBLIC_KEY_BYTES || peerDhPublic.length !== PUBLIC_KEY_BYTES) {
      throw new RangeError(`peer public keys must be ${PUBLIC_KEY_BYTES} bytes`);
    }
    const order = Buffer.compare(me.dhPublic, peerDhPublic);
    if (order === 0) throw new Error('PeerHandshake: the peer has my own DH key');
    this.iAmLower = order < 0;
    this.peerStaticKey = publicKeyFromRaw('x25519', peerDhPublic);
    // Throws on a low-order peer key (all-zero shared secret): a bad roster entry, not network input.
    this.staticShared = diffieHellman({ privateKey: me.dhPrivate, publicKey: this.peerStaticKey });
    this.staticsForTranscript = this.iAmLower
      ? Buffer.concat([me.dhPublic, peerDhPublic, me.signPublic, peerSignPublic])
      : Buffer.concat([peerDhPublic, me.dhPublic, peerSignPublic, me.signPublic]);
    this.eph = this.freshEphemeral();
  }

  /** The hello to send first (either or both sides may call it). */
  start(): Buffer {
    return this.currentHello();
  }

  /** The current session's keys, or null until one is established. */
  current(): SessionKeys | null {
    return this.session?.keys ?? null;
  }

  /** The session replaced by the current one, for OLD_KEYS_RETAIN_MS after the change; else null. */
  previous(): SessionKeys | null {
    if (this.retired === null || this.now() - this.retired.at >= OLD_KEYS_RETAIN_MS) return null;
    return this.retired.keys;
  }

  /** True once the peer has proved it installed the current session's keys. */
  peerConfirmed(): boolean {
    return this.session?.proven ?? false;
  }

  /**
   * The hello to resend while this side still needs something from the peer (no session, or no
   * proof the peer installed it); null when done. Pacing is the caller's (its retransmission
   * timer). A side with a proven session is quiet even while it has answered a new peer
   * ephemeral with a fresh one of its own: a peer that really started over resends until it has
   * keys and proof, and each of its hellos is answered; one that did not (the hello was
   * corrupted or forged) needs nothing, and resending would go on for ever.
   */
  needsResend(): Buffer | null {
    const session = this.session;
    if (session !== null && session.proven) return null;
    return this.currentHello();
  }

  /** Processes a hello from the peer. Never throws: the hello comes from the network. */
  onHello(msg: PeerHello): HelloResult {
    try {
      return this.handleHello(msg);
    } catch {
      return {}; // e.g. a low-order ephemeral: X25519 refuses the all-zero shared secret
    }
  }

  private handleHello(msg: PeerHello): HelloResult {
    const { eph, echo, confirm } = msg;
    if (!isBuffer(eph, EPHEMERAL_BYTES) || !isBuffer(echo, EPHEMERAL_BYTES) || !isBuffer(confirm, CONFIRM_BYTES)) return {};
    const hasEcho = !echo.equals(ZERO_EPH);
    const hasConfirm = !confirm.equals(ZERO_CONFIRM);
    if (eph.equals(ZERO_EPH) || hasEcho !== hasConfirm) return {}; // not something a peer sends
    if (eph.equals(this.eph.pub) || (this.session !== null && eph.equals(this.session.myEph))) return {}; // reflected
    if (this.superseded.includes(eph.toString('hex'))) return {}; // stale: that peer ephemeral was replaced
    const session = this.session;

    // About my session: a retry from a peer that lacks my confirm, or its proof.
    if (session !== null && hasConfirm && eph.equals(session.peerEph) && echo.equals(session.myEph)) {
      const level = verifyConfirm(session.confirmKey, confirm, eph, echo);
      if (level === ConfirmLevel.None) return {};
      if (level >= ConfirmLevel.Established) session.proven = true;
      return level === ConfirmLevel.Proven ? {} : { reply: this.sessionHello(session) };
    }

    // Completes a pairing of my current (unused) ephemeral.
    if (hasConfirm && !this.ephemeralUsed() && echo.equals(this.eph.pub)) {
      const keys = this.derive(eph);
      const level = verifyConfirm(keys.confirm, confirm, eph, echo);
      if (level === ConfirmLevel.None) return {};
      const established = this.establish(eph, keys, level >= ConfirmLevel.Established);
      return level === ConfirmLevel.Proven
        ? { established: established.keys }
        : { reply: this.sessionHello(established), established: established.keys };
    }

    // From the peer ephemeral of my session, without a confirm I can check: tell it where I am.
    if (session !== null && eph.equals(session.peerEph)) return { reply: this.sessionHello(session) };

    // From the peer ephemeral I am pairing with (it lacks my hello): repeat it.
    if (this.target !== null && eph.equals(this.target)) return { reply: this.currentHello() };

    // A new peer ephemeral that echoes an ephemeral I never had, while I hold a session: it
    // answers nothing I sent (a hello altered on the way, or forged). A real peer's hellos echo
    // nothing (it started over) or an ephemeral of mine it received. Starting a pairing with it
    // would replace a working session (and, above this layer, start both channels over) for
    // nothing; I tell it where I am instead. (One that echoes my session's ephemeral may be a
    // peer that moved on while I paired, or started over: pairing anew is how we converge.)
    if (session !== null && hasEcho && !echo.equals(this.eph.pub) && !echo.equals(session.myEph)) {
      return { reply: this.sessionHello(session) };
    }

    // A new peer ephemeral: pair with it, with a fresh ephemeral if mine is used up.
    const needsFresh = this.ephemeralUsed();
    if (needsFresh && this.lastFreshAt !== null && this.now() - this.lastFreshAt < MIN_FRESH_EPHEMERAL_INTERVAL_MS) return {};
    const next = needsFresh ? this.freshEphemeral() : this.eph;
    const keys = this.deriveWith(next, eph); // before changing state: throws on a bad key
    if (needsFresh) {
      this.eph = next;
      this.derived.clear();
      this.lastFreshAt = this.now();
    }
    this.remember(eph, keys);
    this.target = eph;
    return { reply: this.currentHello() };
  }

  private ephemeralUsed(): boolean {
    return this.session !== null && this.session.myEph.equals(this.eph.pub);
  }

  private freshEphemeral(): Ephemeral {
    const pair = generateKeyPairSync('x25519');
    return {
      pub: rawPublicKey(pair.publicKey),
      priv: pair.privateKey,
      withPeerStatic: diffieHellman({ privateKey: pair.privateKey, publicKey: this.peerStaticKey }),
    };
  }

  private derive(peerEph: Buffer): DirectionalKeys {
    const cached = this.derived.get(peerEph.toString('hex'));
    if (cached !== undefined) return cached;
    const keys = this.deriveWith(this.eph, peerEph);
    this.remember(peerEph, keys);
    return keys;
  }

  private remember(peerEph: Buffer, keys: DirectionalKeys): void {
    if (this.derived.size >= MAX_DERIVED_CACHE) {
      const oldest = this.derived.keys().next().value;
      if (oldest !== undefined) this.derived.delete(oldest);
    }
    this.derived.set(peerEph.toString('hex'), keys);
  }

  private deriveWith(mine: Ephemeral, peerEph: Buffer): DirectionalKeys {
    if (mine.priv === null || mine.withPeerStatic === null) throw new Error('PeerHandshake: ephemeral already used');
    const peerEphKey = uncachedPublicKeyFromRaw('x25519', peerEph);
    const ephEph = diffieHellman({ privateKey: mine.priv, publicKey: peerEphKey });
    const staticWithPeerEph = diffieHellman({ privateKey: this.me.dhPrivate, publicKey: peerEphKey });
    // DH(sL, eH) || DH(eL, sH): as L, sL is my static and eL my ephemeral; as H, the reverse.
    const mixed = this.iAmLower ? [staticWithPeerEph, mine.withPeerStatic] : [mine.withPeerStatic, staticWithPeerEph];
    const ikm = Buffer.concat([ephEph, this.staticShared, mixed[0]!, mixed[1]!]);
    const transcript = createHash('sha256')
      .update(TRANSCRIPT_LABEL)
      .update(this.staticsForTranscript)
      .update(this.iAmLower ? mine.pub : peerEph)
      .update(this.iAmLower ? peerEph : mine.pub)
      .digest();
    return deriveDirectionalKeys(ikm, HANDSHAKE_SALT, transcript, this.iAmLower);
  }

  private establish(peerEph: Buffer, keys: DirectionalKeys, proven: boolean): Session {
    const old = this.session;
    if (old !== null) {
      if (!old.peerEph.equals(peerEph)) this.supersede(old.peerEph);
      this.retired = { keys: old.keys, at: this.now() };
    }
    const session: Session = {
      myEph: this.eph.pub,
      peerEph,
      confirmKey: keys.confirm,
      proven,
      keys: {
        id: ++this.epochs,
        sealer: new PacketSealer(keys.send.key, keys.send.iv),
        opener: new PacketOpener(keys.recv.key, keys.recv.iv),
        replay: new ReplayWindow(),
        laneKey: laneKeyFrom(keys.confirm),
      },
    };
    this.session = session;
    this.target = peerEph;
    this.eph.priv = null; // never paired again: forget the private key
    this.derived.clear();
    return session;
  }

  private supersede(peerEph: Buffer): void {
    const hex = peerEph.toString('hex');
    if (this.superseded.includes(hex)) return;
    if (this.superseded.length >= MAX_SUPERSEDED_EPHEMERALS) this.superseded.shift();
    this.superseded.push(hex);
  }

  private currentHello(): Buffer {
    if (this.session !== null && this.ephemeralUsed()) return this.sessionHello(this.session);
    if (this.target === null) return encodePeerHello({ eph: this.eph.pub, echo: ZERO_EPH, confirm: ZERO_CONFIRM });
    const keys = this.derive(this.target);
    return encodePeerHello({
      eph: this.eph.pub,
      echo: this.target,
      confirm: confirmMac(keys.confirm, ConfirmLevel.Derived, this.eph.pub, this.target),
    });
  }

  private sessionHello(session: Session): Buffer {
    const level = session.proven ? ConfirmLevel.Proven : ConfirmLevel.Established;
    return encodePeerHello({
      eph: session.myEph,
      echo: session.peerEph,
      confirm: confirmMac(session.confirmKey, level, session.myEph, session.peerEph),
    });
  }
}

function isBuffer(value: unknown, length: number): value is Buffer {
  return Buffer.isBuffer(value) && value.length === length;
}
