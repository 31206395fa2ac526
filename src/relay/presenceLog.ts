import { writeHeader, Kind } from '../protocol/header';
import { DEFAULT_DATAGRAM_BYTES, DEVICE_TAG_BYTES, DST_BROADCAST, HEADER_BYTES, NICK_MAX_BYTES } from '../protocol/limits';
import { PRESENCE_FIXED_BYTES } from './relayLimits';

/**
 * The roster's change log and its PRESENCE datagrams.
 *
 * Versioning: every join or leave increments `version` by one; change number v (1-based) is the
 * one that moved the roster from version v-1 to v. A PRESENCE datagram carries consecutive
 * changes and `version` = the version after its last change, so it covers versions
 * (version - changes.length, version]. A client at version c applies it when
 * c == version - changes.length (exactly the next changes); if c >= version it is old news
 * (ignore); if version - changes.length < c < version it applies only the changes above c; if
 * c < version - changes.length it missed some and re-fetches the roster (ROSTER_REQ pages).
 *
 * Cost with 10,000 clients: the log holds only the changes some recipient has not been sent
 * (the relay trims it after each flush pass to the oldest version any client is at). At a flush, every recipient that is behind gets the slice
 * (seen, version]; recipients with the same `seen` share one encoded set of datagrams (`slice`
 * caches by `seen`), and each change's bytes are encoded once when it is recorded. So the work
 * per flush is the sends themselves plus one encoding per distinct `seen`.
 *
 * PRESENCE datagrams are shared by all their recipients, so their header is src = 0 (relay),
 * dst = DST_BROADCAST: a client must not expect its own session id in PRESENCE's dst.
 */
export class PresenceLog {
  private versionNow = 0;
  /** Version before the first change in `changes`. */
  private base = 0;
  /** Each change pre-encoded as on the wire: online u8 | id u32 | device tag | nick (str8). */
  private changes: Buffer[] = [];
  private sliceCache = new Map<number, Buffer[]>();
  private gap: Buffer | undefined;

  /** The roster version now (after the last recorded change). */
  get version(): number {
    return this.versionNow;
  }

  /** Changes still held (not yet trimmed). */
  get pending(): number {
    return this.changes.length;
  }

  /** Records one join (online) or leave; returns the new version. */
  record(online: boolean, id: number, deviceTag: Buffer, nick: string): number {
    const nickBytes = Buffer.from(nick, 'utf8');
    if (nickBytes.length > NICK_MAX_BYTES) throw new RangeError('nickname longer than NICK_MAX_BYTES');
    if (deviceTag.length !== DEVICE_TAG_BYTES) throw new RangeError('device tag must be DEVICE_TAG_BYTES long');
    const e = Buffer.allocUnsafe(6 + DEVICE_TAG_BYTES + nickBytes.length);
    e[0] = online ? 1 : 0;
    e.writeUInt32BE(id >>> 0, 1);
    deviceTag.copy(e, 5);
    e[5 + DEVICE_TAG_BYTES] = nickBytes.length;
    nickBytes.copy(e, 6 + DEVICE_TAG_BYTES);
    this.changes.push(e);
    this.sliceCache.clear();
    // Not wrapped here (2^32 changes is decades at any real rate); the wire carries it as u32.
    this.versionNow++;
    return this.versionNow;
  }

  /**
   * Records a change the directory numbered `version` (a cluster's roster version comes from the
   * directory). A version already recorded is ignored; one past the next skips the versions in
   * between (skipTo), so whoever is behind them fetches the roster again.
   */
  recordAt(version: number, online: boolean, id: number, deviceTag: Buffer, nick: string): void {
    if (version <= this.versionNow) return;
    if (version > this.versionNow + 1) this.skipTo(version - 1);
    this.record(online, id, deviceTag, nick);
  }

  /**
   * Moves to `version` without the changes in between (the directory reloaded its view): the log
   * starts over there, and a client at an older version gets the gap marker instead of a slice.
   */
  skipTo(version: number): void {
    if (version <= this.versionNow) return;
    this.changes = [];
    this.base = this.versionNow = version;
    this.sliceCache.clear();
    this.gap = undefined;
  }

  /**
   * A PRESENCE with no changes at the current version: a client behind it sees a gap (version -
   * 0 > its own) and fetches the roster again. Sent to clients the log no longer reaches.
   */
  gapMarker(): Buffer {
    if (this.gap === undefined || this.gap.readUInt32BE(HEADER_BYTES) !== this.versionNow >>> 0) {
      this.gap = this.encode(this.changes.length, this.changes.length, 0);
    }
    return this.gap;
  }

  /**
   * The PRESENCE datagrams that bring a client from version `seen` to `version`, each at most
   * DEFAULT_DATAGRAM_BYTES, in order. Empty if `seen` is current. Throws if `seen` is older than
   * the log (the caller guarantees every recipient was flushed to `base`).
   */
  slice(seen: number): Buffer[] {
    if (seen === this.versionNow) return [];
    const cached = this.sliceCache.get(seen);
    if (cached) return cached;
    const from = seen - this.base;
    if (from < 0 || from > this.changes.length) throw new RangeError(`presence slice from ${seen} outside the log`);
    const out: Buffer[] = [];
    const limit = DEFAULT_DATAGRAM_BYTES - HEADER_BYTES - PRESENCE_FIXED_BYTES;
    let i = from;
    while (i < this.changes.length) {
      let bytes = 0;
      let j = i;
      for (; j < this.changes.length && bytes + this.changes[j].length <= limit; j++) bytes += this.changes[j].length;
      out.push(this.encode(i, j, bytes));
      i = j;
    }
    this.sliceCache.set(seen, out);
    return out;
  }

  /** Every recipient has seen at least `version`: forget the changes up to it. */
  trimTo(version: number): void {
    const n = Math.min(version, this.versionNow) - this.base;
    if (n <= 0) return;
    this.changes.splice(0, n);
    this.base += n;
    this.sliceCache.clear();
  }

  /** The oldest version a slice can start from. */
  get oldest(): number {
    return this.base;
  }

  private encode(from: number, to: number, entryBytes: number): Buffer {
    const d = Buffer.allocUnsafe(HEADER_BYTES + PRESENCE_FIXED_BYTES + entryBytes);
    writeHeader(d, { kind: Kind.PRESENCE, flags: 0, src: 0, dst: DST_BROADCAST });
    d.writeUInt32BE((this.base + to) >>> 0, HEADER_BYTES);
    d.writeUInt16BE(to - from, HEADER_BYTES + 4);
    let o = HEADER_BYTES + PRESENCE_FIXED_BYTES;
    for (let k = from; k < to; k++) o += this.changes[k].copy(d, o);
    return d;
  }
}
