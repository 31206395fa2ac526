import { PresenceChange, RosterEntry } from '../protocol/relayMessages';

/**
 * Puts one consistent roster together from ROSTER pages served at different versions, while
 * others join and leave (the method relayServer.ts describes under "Roster"). Pure logic: the
 * RelayConnection sends the requests, arms the timers and feeds pages and PRESENCE in.
 *
 * The relay serves each page at the version current when it is served, and clients in join
 * order. So a fetch that spans joins and leaves sees pages of several versions. Rather than
 * starting over at every version change (which never finishes while a large room churns), the
 * assembler:
 * 1. takes the union of all pages' entries (by session id), and keeps every PRESENCE change
 *    that arrives meanwhile, by version;
 * 2. once it holds `total` entries' worth of pages, waits until it has every change in
 *    (oldest page version, newest page version]: PRESENCE may trail the pages by a coalescing
 *    window;
 * 3. applies those changes in order (online sets an entry, offline removes it);
 * 4. checks the count against the `total` of the newest page.
 *
 * Why that is enough: an entry present in some page but gone by the newest version must have
 * left in between, so step 3 removes it; the result therefore holds no one who is not there.
 * A join appends to the end and shifts nothing. A leave ahead of the next offset shifts
 * everyone behind it one place forward, so one entry can slip between two pages; then the
 * count comes out short and the fetch starts over ('restart'), as it also does when it keeps
 * more than `maxChanges` changes. A roster it returns is the relay's roster at that version.
 */
export type RosterStep =
  /** Ask for the page at `offset` next. */
  | { kind: 'request'; offset: number }
  /** All pages are in; PRESENCE for some versions has not arrived yet (arm a timeout). */
  | { kind: 'wait' }
  /** The roster at `version` (the caller's own entry included, if the relay listed it). */
  | { kind: 'done'; version: number; entries: RosterEntry[] }
  /** Start over from offset 0 (see above). */
  | { kind: 'restart' };

/** Changes kept while a fetch is under way; past this the fetch starts over (memory bound). */
export const ROSTER_MAX_KEPT_CHANGES = 50_000;

export class RosterAssembler {
  private readonly got = new Map<number, RosterEntry>();
  private readonly changes = new Map<number, PresenceChange>();
  private nextOffset = 0;
  private oldestVersion = Infinity;
  private newestVersion = -1;
  private newestTotal = -1;
  private allPages = false;

  constructor(private readonly maxChanges = ROSTER_MAX_KEPT_CHANGES) {}

  /** The offset of the page to ask for next. */
  get offset(): number {
    return this.nextOffset;
  }

  /** A ROSTER page. Null if it is not the page asked for (a duplicate or a late answer). */
  page(m: { version: number; total: number; offset: number; entries: readonly RosterEntry[] }): RosterStep | null {
    if (this.allPages || m.offset !== this.nextOffset) return null;
    for (const e of m.entries) this.got.set(e.id, e);
    if (m.version < this.oldestVersion) this.oldestVersion = m.version;
    if (m.version >= this.newestVersion) {
      this.newestVersion = m.version;
      this.newestTotal = m.total;
    }
    this.nextOffset = m.offset + m.entries.length;
    if (m.entries.length > 0 && this.nextOffset < m.total) return { kind: 'request', offset: this.nextOffset };
    this.allPages = true;
    return this.finish();
  }

  /**
   * A PRESENCE datagram: `changes` are versions (version − changes.length, version]. Null while
   * pages are still coming; once they are all in, the next step.
   */
  presence(version: number, changes: readonly PresenceChange[]): RosterStep | null {
    const first = version - changes.length + 1;
    for (let i = 0; i < changes.length; i++) this.changes.set(first + i, changes[i]);
    if (this.changes.size > this.maxChanges) return { kind: 'restart' };
    return this.allPages ? this.finish() : null;
  }

  private finish(): RosterStep {
    for (let v = this.oldestVersion + 1; v <= this.newestVersion; v++) if (!this.changes.has(v)) return { kind: 'wait' };
    const roster = new Map(this.got);
    const apply = (c: PresenceChange): void => {
      if (c.online) roster.set(c.id, { id: c.id, device: c.device, nick: c.nick });
      else roster.delete(c.id);
    };
    for (let v = this.oldestVersion + 1; v <= this.newestVersion; v++) apply(this.changes.get(v)!);
    if (roster.size !== this.newestTotal) return { kind: 'restart' };
    // Changes that arrived past the newest page bring the roster further forward.
    let version = this.newestVersion;
    for (let c = this.changes.get(version + 1); c !== undefined; c = this.changes.get(version + 1)) {
      apply(c);
      version++;
    }
    return { kind: 'done', version, entries: [...roster.values()] };
  }
}
