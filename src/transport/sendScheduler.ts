/**
 * Shares one socket between chat/control traffic and any number of bulk transfers.
 *
 * - Chat and control (ReliableChannel datagrams, acks, anything small and urgent) go through
 *   `transmitNow`: sent at once, never queued behind bulk data. Their bytes are charged to the
 *   shared bulk budget (which may go into debt), so the total stays within the cap.
 * - Bulk senders never queue datagrams here either: each TransferSender keeps its data in its
 *   own read-ahead pool and asks for a transmit opportunity only when its congestion window
 *   and its own pacer allow. The scheduler hands those opportunities out round-robin, one
 *   datagram per turn, so concurrent transfers to the same or different peers share the
 *   local link fairly and none starves; the shared pacer (`maxBulkBytesPerSec`, optional)
 *   caps their sum.
 *
 * Timers: one timer for everything it holds: `nextTimerAt()` / `onTimer()`, re-armed after
 * every call and whenever `onTimerUpdate` fires. Senders added here are driven by the
 * scheduler: do not also drive their timers.
 */
import { PACKET_OVERHEAD, PUMP_TURN_MAX_BYTES, PUMP_TURN_MAX_DATAGRAMS } from './limits';
import { Pacer } from './pacer';
import type { TransferSender } from './transferSender';

export interface SendSchedulerOptions {
  /** Clock in milliseconds. */
  now(): number;
  /** Send one datagram payload `datagram[0..length)` (the caller seals and sends it). */
  transmit(datagram: Buffer, length: number): void;
  /** Cap on the sum of bulk (and chat) traffic, bytes per second. Default: no cap. */
  maxBulkBytesPerSec?: number;
  /** Datagram size used to size the shared pacer's bursts (default 1200). */
  datagramBytes?: number;
  /** Called when something asynchronous may have moved `nextTimerAt()` earlier. */
  onTimerUpdate?: () => void;
}

export class SendScheduler {
  private readonly opts: SendSchedulerOptions;
  private readonly senders: TransferSender[] = [];
  private cursor = 0;
  private readonly budget: Pacer | null;
  private pumping = false;

  constructor(opts: SendSchedulerOptions) {
    this.opts = opts;
    const cap = opts.maxBulkBytesPerSec;
    this.budget =
      cap !== undefined && cap !== Infinity ? new Pacer(opts.now(), cap / 1000, opts.datagramBytes ?? 1200) : null;
  }

  /** Senders currently scheduled. */
  get size(): number {
    return this.senders.length;
  }

  /** Chat/control datagram: goes out now, ahead of any bulk data. */
  transmitNow(datagram: Buffer, length: number = datagram.length): void {
    this.budget?.consume(this.opts.now(), length + PACKET_OVERHEAD);
    this.opts.transmit(datagram, length);
  }

  /** Schedule a sender (call its `start()` before or after). Finished senders drop out by themselves. */
  add(sender: TransferSender): void {
    if (this.senders.includes(sender)) return;
    this.senders.push(sender);
    sender.attach({ wake: () => this.wake(), pacer: this.budget });
    this.pump();
  }

  remove(sender: TransferSender): void {
    const i = this.senders.indexOf(sender);
    if (i < 0) return;
    this.senders.splice(i, 1);
    sender.attach(null);
    if (this.cursor > i) this.cursor--;
    if (this.cursor >= this.senders.length) this.cursor = 0;
  }

  nextTimerAt(): number | null {
    let t: number | null = null;
    for (const s of this.senders) {
      const at = s.nextTimerAt();
      if (at !== null && (t === null || at < t)) t = at;
    }
    return t;
  }

  onTimer(): void {
    const now = this.opts.now();
    for (const s of [...this.senders]) {
      const at = s.nextTimerAt();
      if (at !== null && at <= now) s.onTimer();
    }
    this.pump();
  }

  /** Hand out transmit opportunities round-robin until nobody may send. */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.dropFinished();
      const now = this.opts.now();
      let datagrams = 0;
      let bytes = 0;
      for (;;) {
        const n = this.senders.length;
        let sent = 0;
        for (let k = 0; k < n; k++) {
          const i = (this.cursor + k) % n;
          const s = this.senders[i];
          if (s.readyAt(now) <= now && (sent = s.transmitOne(now)) > 0) {
            this.cursor = (i + 1) % n;
            break;
          }
        }
        if (sent <= 0) break;
        if (++datagrams >= PUMP_TURN_MAX_DATAGRAMS || (bytes += sent) >= PUMP_TURN_MAX_BYTES) {
          // Yield: whoever may still send is due now, so the timer driver resumes this after
          // the I/O that is waiting (setImmediate).
          this.opts.onTimerUpdate?.();
          break;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private wake(): void {
    this.pump();
    this.opts.onTimerUpdate?.();
  }

  private dropFinished(): void {
    for (const s of [...this.senders]) {
      const st = s.status;
      if (st === 'done' || st === 'failed' || st === 'cancelled') this.remove(s);
    }
  }
}
