import { Kind } from '../protocol/header';
import { DEVICE_TAG_BYTES, ROSTER_PAGE_BYTES } from '../protocol/limits';
import { encodeRelayMessage, RosterEntry } from '../protocol/relayMessages';
import { ROSTER_PAGE_FIXED_BYTES } from './relayLimits';

/** What the roster needs to know about a member. `inRoster` is owned by RosterOrder. */
export interface RosterMember {
  readonly id: number;
  /** The device's tag (DEVICE_TAG_BYTES, see RosterEntry). */
  readonly deviceTag: Buffer;
  nick: string;
  inRoster: boolean;
}

/** Bytes of one entry on the wire: id u32 + device tag + nick length u8 + nick. */
function entryBytes(nick: string): number {
  return 5 + DEVICE_TAG_BYTES + Buffer.byteLength(nick, 'utf8');
}

/**
 * The registered clients in a stable order (join order) for ROSTER pages.
 *
 * A ROSTER_REQ { offset } is answered with the members from position `offset` on, as many as fit
 * ROSTER_PAGE_BYTES, at the current roster version; the client asks for offset + entries.length
 * next until it holds `total`. Pages are taken at the version current when each is served;
 * see relayServer.ts ("Roster") for how a client stitches pages and PRESENCE together.
 *
 * Leaving members are only marked; the array is compacted on the next page request, so a leave
 * costs O(1) and a burst of leaves costs one O(n) pass, paid only if someone asks for a page.
 */
export class RosterOrder<M extends RosterMember> {
  private members: M[] = [];
  private dead = 0;

  get size(): number {
    return this.members.length - this.dead;
  }

  add(m: M): void {
    if (m.inRoster) return;
    m.inRoster = true;
    this.members.push(m);
  }

  remove(m: M): void {
    if (!m.inRoster) return;
    m.inRoster = false;
    this.dead++;
  }

  /** Every member in join order. */
  *entriesInOrder(): IterableIterator<M> {
    for (const m of this.members) if (m.inRoster) yield m;
  }

  /** The entries of the page starting at `offset`. */
  entries(offset: number): RosterEntry[] {
    this.compact();
    const out: RosterEntry[] = [];
    let bytes = ROSTER_PAGE_FIXED_BYTES;
    for (let i = offset; i < this.members.length; i++) {
      const m = this.members[i];
      const b = entryBytes(m.nick);
      if (bytes + b > ROSTER_PAGE_BYTES) break;
      bytes += b;
      out.push({ id: m.id, device: m.deviceTag, nick: m.nick });
    }
    return out;
  }

  /** A whole ROSTER datagram for `offset` at `version`, addressed to `dst`. */
  page(offset: number, version: number, dst: number): Buffer {
    const entries = this.entries(offset);
    return encodeRelayMessage({ kind: Kind.ROSTER, version: version >>> 0, total: this.size, offset, entries }, 0, dst);
  }

  private compact(): void {
    if (this.dead === 0) return;
    let w = 0;
    for (let r = 0; r < this.members.length; r++) {
      const m = this.members[r];
      if (m.inRoster) this.members[w++] = m;
    }
    this.members.length = w;
    this.dead = 0;
  }
}
