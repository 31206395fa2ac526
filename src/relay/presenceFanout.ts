/**
 * Presence fan-out: the roster changes the directory applied, sent to this relay's clients.
 *
 * Presence versioning (presenceLog.ts). Each join or leave increments the roster version by one
 * (the directory numbers them; in a cluster every relay sees the same numbers). Changes are
 * coalesced: the first change after a flush arms one timer, PRESENCE_COALESCE_MS or, for large
 * rosters, clients / PRESENCE_FANOUT_PER_SEC s (200 ms at 10,000 clients: a flush costs one send
 * per client); the flush pass visits PRESENCE_FLUSH_CHUNK clients per event-loop turn so
 * forwarding is never blocked for long. Every client behind gets the changes it has not seen, in
 * PRESENCE datagrams (<= DEFAULT_DATAGRAM_BYTES, consecutive changes, version = the version after
 * the datagram's last change). A client the log no longer reaches (the directory's view jumped
 * after a reload) gets one PRESENCE with no changes at the current version, and fetches the roster.
 * A client at version c: c == version - n → apply; c >= version → ignore; in between → apply
 * only the changes above c; c < version - n → it missed some: re-fetch the roster. The stream
 * for a client starts at REGISTERED.rosterVersion (its own join is not announced to it), and
 * PONG carries the current version so a client that lost the last PRESENCE notices.
 */
import { PRESENCE_COALESCE_MS } from '../protocol/limits';
import { PresenceLog } from './presenceLog';
import { PRESENCE_FANOUT_PER_SEC, PRESENCE_FLUSH_CHUNK } from './relayLimits';
import type { Session } from './session';

export class PresenceFanout {
  readonly log = new PresenceLog();
  /** PRESENCE datagrams sent (alone or inside a BATCH). */
  datagrams = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  /** A flush in progress (it spans event-loop turns, PRESENCE_FLUSH_CHUNK clients each). */
  private flushPass: { sessions: Iterator<Session>; oldestSeen: number } | undefined;
  private flushImmediate: NodeJS.Immediate | undefined;
  private stopped = false;

  constructor(
    private readonly sessions: Map<number, Session>,
    private readonly deliver: (s: Session, buf: Buffer) => boolean,
    private readonly guard: (f: () => void) => void,
  ) {}

  get version(): number {
    return this.log.version;
  }

  /** A change the directory made (version numbered by it). */
  record(version: number, online: boolean, id: number, deviceTag: Buffer, nick: string): void {
    this.log.recordAt(version, online, id, deviceTag, nick);
    this.arm();
  }

  /** The directory's view jumped to `version`: clients behind it re-fetch the roster. */
  jump(version: number): void {
    this.log.skipTo(version);
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.flushImmediate) clearImmediate(this.flushImmediate);
    this.flushTimer = undefined;
    this.flushPass = undefined;
  }

  /**
   * Arms the coalescing timer unless it is armed or a flush pass is under way (the pass re-arms
   * it at its end if changes arrived meanwhile). The window is PRESENCE_COALESCE_MS, stretched
   * for large rosters to keep presence within PRESENCE_FANOUT_PER_SEC.
   */
  private arm(): void {
    if (this.flushTimer !== undefined || this.flushPass !== undefined || this.stopped) return;
    const windowMs = Math.max(PRESENCE_COALESCE_MS, Math.ceil((this.sessions.size * 1000) / PRESENCE_FANOUT_PER_SEC));
    this.flushTimer = setTimeout(() => this.guard(() => this.startPass()), windowMs);
    this.flushTimer.unref();
  }

  private startPass(): void {
    this.flushTimer = undefined;
    this.flushPass = { sessions: this.sessions.values(), oldestSeen: Infinity };
    this.flushChunk();
  }

  /**
   * Sends PRESENCE to up to PRESENCE_FLUSH_CHUNK clients, then yields to the event loop so that
   * forwarding goes on. Each client gets everything up to the version current when it is
   * visited (clients that register during the pass are visited too: Map iterators reach entries
   * added behind them). At the end, the log is trimmed to the oldest version any client was
   * left at, and another pass is armed if changes came in meanwhile.
   */
  private flushChunk(): void {
    const pass = this.flushPass;
    if (pass === undefined) return;
    const log = this.log;
    const version = log.version;
    for (let n = 0; n < PRESENCE_FLUSH_CHUNK; n++) {
      const next = pass.sessions.next();
      if (next.done) {
        this.flushPass = undefined;
        log.trimTo(Math.min(pass.oldestSeen, version));
        if (pass.oldestSeen < version) this.arm();
        return;
      }
      const s = next.value;
      if (s.presenceSeen !== version) {
        if (s.presenceSeen < log.oldest) {
          if (this.deliver(s, log.gapMarker())) this.datagrams++;
        } else {
          for (const d of log.slice(s.presenceSeen)) {
            if (this.deliver(s, d)) this.datagrams++;
          }
        }
        s.presenceSeen = version;
      }
      if (s.presenceSeen < pass.oldestSeen) pass.oldestSeen = s.presenceSeen;
    }
    this.flushImmediate = setImmediate(() => this.guard(() => this.flushChunk()));
  }
}
