/**
 * The relay's directory seam (docs/protocol.md "Several relays"): who is online, under which
 * nickname, on which relay.
 *
 * A `Directory` makes the changes (register a device, end a session) and keeps a **view**: a
 * local copy of every device session of the chat, whichever relay holds it, with the nickname
 * owners, the roster order and the roster version. Changes are asynchronous (the Redis directory
 * makes them in one Lua script each, on another machine); reads are synchronous from the view, so
 * the hot forwarding path, KEY_REQ and ROSTER pages never wait for a round trip.
 *
 * The view changes only through the directory's stream of versioned changes (a device online, a
 * device offline: the roster version is the number of such changes), plus unversioned route
 * changes (a device moved to another relay of the cluster, keeping its session id) and jumps (the
 * view was reloaded from a snapshot at a later version: whoever is behind fetches the roster
 * again). Every relay of a cluster applies the same changes in the same order, so their views,
 * roster orders and versions agree.
 *
 * Two implementations: MemoryDirectory (the default: one relay, everything in this process, no
 * connection to anything) and RedisDirectory (a cluster of relays sharing one Redis).
 */
import type { DeviceCertificate } from '../crypto/deviceCertificate';
import type { ErrorCode } from '../protocol/errors';
import type { EventEmitter } from 'node:events';
import { RosterOrder } from './rosterOrder';

/** One device session of the chat, as every relay's view holds it. */
export interface DirectoryEntry {
  /** Session id: unique in the whole chat (cluster-wide), kept when the device moves relays. */
  readonly id: number;
  /** Hex of the device's Ed25519 key (one session per device key) and of its identity's. */
  readonly deviceKey: string;
  readonly ownerKey: string;
  /** First DEVICE_TAG_BYTES of the device key (ROSTER and PRESENCE name devices by it). */
  readonly deviceTag: Buffer;
  /** The identity's certificate for the device (handed out in KEY_INFO). */
  cert: DeviceCertificate;
  /** Nickname as shown (the member's first spelling) and its comparison key. */
  nick: string;
  nickKey: string;
  /** The relay that holds the session ('' in a single relay: this one). */
  relay: string;
  /** Fencing token of the relay's claim: grows with every move, so a stale route never wins. */
  gen: number;
  /** RosterOrder bookkeeping. */
  inRoster: boolean;
}

/** A member online: one identity, its nickname, its devices' sessions (at least one). */
export interface MemberView {
  nick: string;
  nickKey: string;
  readonly devices: Set<DirectoryEntry>;
}

/** A versioned roster change, applied to the view before it is announced. */
export interface DirectoryChange {
  version: number;
  online: boolean;
  entry: DirectoryEntry;
}

/** Another relay of the cluster, as the directory knows it. */
export interface RelayInfo {
  id: string;
  host: string;
  port: number;
  /** Its lease is current (it renewed it lately). */
  live: boolean;
}

export interface DirectoryEvents {
  /** A device came online or went offline (the view is already changed). */
  change: [DirectoryChange];
  /** The view jumped to `version` without the changes in between (a reload): clients behind re-fetch. */
  jump: [number];
  /** A session now lives on another relay (same id); `from` is the relay that held it. */
  moved: [DirectoryEntry, string];
  /** The other relays of the cluster changed (the mesh's peers). */
  relays: [RelayInfo[]];
  /** Whether the directory can admit new devices now (Redis reachable). */
  available: [boolean];
  /** A line for the relay's log. */
  log: [string];
}

/** What the relay asks when a verified REGISTER reaches the directory. */
export interface RegisterRequest {
  cert: DeviceCertificate;
  ownerKey: string;
  deviceKey: string;
  /** The nickname as checked (checkNickname): shown form and comparison key. */
  nick: string;
  nickKey: string;
  /** Issue time (Unix seconds) of the REGISTER's cookie: a move must not carry an older one. */
  cookieSeconds: number;
  /** The device has a session on this relay and registers from another address. */
  moving: boolean;
  /**
   * This relay may take the device: it already serves it, or it has room for one more session
   * (below maxClients, counting registrations under way). Else a new session, or one moving in
   * from another relay of the cluster, is refused with RELAY_FULL.
   */
  allowNew: boolean;
  /** performance.now() (the memory directory's clock for reservations). */
  now: number;
}

/** A refusal, with what the relay needs to word it. */
export type RegisterRefusal =
  | { ok: false; code: 'NICK_TAKEN'; reservedForMs?: number }
  | { ok: false; code: 'NICK_MISMATCH'; nick: string; others: number }
  | { ok: false; code: Exclude<ErrorCode, 'NICK_TAKEN' | 'NICK_MISMATCH'> };

export type RegisterOutcome =
  | {
      ok: true;
      entry: DirectoryEntry;
      /**
       * new: a session was created; resumed: the device had it on this relay; moved: the device
       * had it on another relay and it is this relay's now (same id); renamed: another nickname.
       */
      kind: 'new' | 'resumed' | 'moved' | 'renamed';
      /** The member's devices online, this one included. */
      devices: number;
    }
  | RegisterRefusal;

export type EndReason = 'leave' | 'timeout';

export interface DirectoryStats {
  /** Nicknames held for members whose last device timed out (-1: not known here). */
  nickReservations: number;
  /** The other relays known, and whether the directory is reachable. */
  relays: RelayInfo[];
  available: boolean;
}

export interface Directory extends EventEmitter<DirectoryEvents> {
  /** This relay's id in the directory ('' for the memory directory). */
  readonly relayId: string;
  readonly view: DirectoryView;
  /** Whether new devices can be admitted now (false while Redis is unreachable). */
  readonly available: boolean;
  /** Atomically: check the nickname and the device, and create, resume, move or rename its session. */
  register(req: RegisterRequest): Promise<RegisterOutcome>;
  /**
   * Ends a session this relay holds (LEAVE, idle timeout). Resolves once it is ended everywhere,
   * or at once if the directory is unavailable (then it is ended when it is back). Never rejects.
   */
  end(id: number, reason: EndReason, now: number): Promise<void>;
  /** A device re-registered here with a renewed certificate (same keys). */
  renewCertificate(id: number, cert: DeviceCertificate): void;
  /** Periodic housekeeping from the relay's idle sweep (expired nickname reservations). */
  sweep(now: number): void;
  /** Frees what the directory holds in this process; a cluster relay leaves its sessions for others to take. */
  close(): Promise<void>;
  stats(): DirectoryStats;
}

/**
 * The view: every device session of the chat with its member and nickname, the roster in join
 * order, and the roster version. Mutated only by a Directory.
 */
export class DirectoryView {
  private readonly entries = new Map<number, DirectoryEntry>();
  private readonly byDevice = new Map<string, DirectoryEntry>();
  private readonly members = new Map<string, MemberView>();
  /** Nickname key -> identity key, for members online. */
  private readonly nickOwners = new Map<string, string>();
  readonly roster = new RosterOrder<DirectoryEntry>();
  /** The roster version the view is at. */
  version = 0;

  get size(): number {
    return this.entries.size;
  }

  get(id: number): DirectoryEntry | undefined {
    return this.entries.get(id);
  }

  has(id: number): boolean {
    return this.entries.has(id);
  }

  byDeviceKey(deviceKey: string): DirectoryEntry | undefined {
    return this.byDevice.get(deviceKey);
  }

  member(ownerKey: string): MemberView | undefined {
    return this.members.get(ownerKey);
  }

  /** The identity online under `nickKey`, if any (reservations are the directory's, not here). */
  ownerOfNick(nickKey: string): string | undefined {
    return this.nickOwners.get(nickKey);
  }

  /** Any device online of the member called `nickKey`. */
  anyDeviceOf(nickKey: string): DirectoryEntry | undefined {
    const owner = this.nickOwners.get(nickKey);
    const m = owner === undefined ? undefined : this.members.get(owner);
    return m === undefined ? undefined : m.devices.values().next().value;
  }

  all(): IterableIterator<DirectoryEntry> {
    return this.entries.values();
  }

  /** Adds a device online (at the end of the join order). The caller sets `version`. */
  add(e: DirectoryEntry): void {
    this.entries.set(e.id, e);
    this.byDevice.set(e.deviceKey, e);
    let m = this.members.get(e.ownerKey);
    if (m === undefined) {
      m = { nick: e.nick, nickKey: e.nickKey, devices: new Set() };
      this.members.set(e.ownerKey, m);
    } else if (m.nickKey !== e.nickKey) {
      // A rename arrives as offline then online; a member never has devices under two names.
      if (this.nickOwners.get(m.nickKey) === e.ownerKey) this.nickOwners.delete(m.nickKey);
      m.nick = e.nick;
      m.nickKey = e.nickKey;
    }
    m.devices.add(e);
    this.nickOwners.set(e.nickKey, e.ownerKey);
    this.roster.add(e);
  }

  /** Removes a device; its member goes when its last device does. */
  remove(e: DirectoryEntry): void {
    if (this.entries.get(e.id) !== e) return;
    this.entries.delete(e.id);
    if (this.byDevice.get(e.deviceKey) === e) this.byDevice.delete(e.deviceKey);
    this.roster.remove(e);
    const m = this.members.get(e.ownerKey);
    if (m === undefined) return;
    m.devices.delete(e);
    if (m.devices.size === 0) {
      this.members.delete(e.ownerKey);
      if (this.nickOwners.get(m.nickKey) === e.ownerKey) this.nickOwners.delete(m.nickKey);
    }
  }

  /** Forgets everything (a reload starts from a snapshot). */
  clear(): void {
    for (const e of this.entries.values()) this.roster.remove(e);
    this.entries.clear();
    this.byDevice.clear();
    this.members.clear();
    this.nickOwners.clear();
  }
}

/** Largest session id: 0xFFFFFFFF is DST_BROADCAST and 0 is the relay. */
export const MAX_SESSION_ID = 0xffff_fffe;
