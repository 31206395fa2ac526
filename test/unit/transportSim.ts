/**
 * Deterministic in-memory network for transport tests: a virtual clock, a seeded PRNG, and
 * one-way links with loss, duplication, reordering, propagation delay, a bandwidth limit and
 * a bounded FIFO queue (tail drop), so congestion is real. Transport objects are driven by
 * polling their `nextTimerAt()` / `onTimer()`; asynchronous callbacks (reads, writes) are
 * let run between events (`setImmediate`), while virtual time stands still.
 */
import { PACKET_OVERHEAD } from '../../src/transport/limits';

/** mulberry32: small, fast, deterministic. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

export interface TimerTarget {
  nextTimerAt(): number | null;
  onTimer(): void;
}

export interface LinkOptions {
  /** One-way propagation delay. */
  delayMs: number;
  /** Random extra delay in [0, jitterMs) per datagram (does not reorder by itself much). */
  jitterMs?: number;
  /** Probability a datagram is lost on the wire (after the queue). */
  loss?: number;
  /** Probability a datagram is delivered twice. */
  duplicate?: number;
  /** Probability a datagram is held back by an extra random delay up to reorderDelayMs. */
  reorder?: number;
  reorderDelayMs?: number;
  /** Bottleneck rate in bytes per ms (wire bytes: payload + PACKET_OVERHEAD). Infinity = none. */
  bytesPerMs?: number;
  /** Bottleneck queue capacity in wire bytes (tail drop beyond). */
  queueBytes?: number;
}

export interface LinkStats {
  sent: number;
  delivered: number;
  lostOnWire: number;
  droppedByQueue: number;
  duplicated: number;
  maxQueueBytes: number;
}

interface Event {
  at: number;
  order: number;
  run: () => void;
}

export class Link {
  readonly stats: LinkStats = {
    sent: 0,
    delivered: 0,
    lostOnWire: 0,
    droppedByQueue: 0,
    duplicated: 0,
    maxQueueBytes: 0,
  };
  /** Called for every datagram offered to the link (before loss), with a private copy. */
  tap: ((payload: Buffer) => void) | null = null;
  private busyUntil = 0;

  constructor(
    private readonly sim: Sim,
    public opts: LinkOptions,
    private readonly deliver: (payload: Buffer) => void,
  ) {}

  /** Offer a payload (the link copies it: senders may reuse their buffer). */
  send(payload: Buffer, length = payload.length): void {
    const copy = Buffer.from(payload.subarray(0, length));
    const sim = this.sim;
    const o = this.opts;
    this.stats.sent++;
    this.tap?.(copy);
    const wire = copy.length + PACKET_OVERHEAD;
    let departAt = sim.now;
    const rate = o.bytesPerMs ?? Infinity;
    if (rate !== Infinity) {
      const queued = Math.max(0, this.busyUntil - sim.now) * rate;
      if (queued + wire > (o.queueBytes ?? Infinity)) {
        this.stats.droppedByQueue++;
        return;
      }
      this.stats.maxQueueBytes = Math.max(this.stats.maxQueueBytes, queued + wire);
      this.busyUntil = Math.max(this.busyUntil, sim.now) + wire / rate;
      departAt = this.busyUntil;
    }
    if (sim.rng.next() < (o.loss ?? 0)) {
      this.stats.lostOnWire++;
      return;
    }
    const copies = sim.rng.next() < (o.duplicate ?? 0) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let c = 0; c < copies; c++) {
      let at = departAt + o.delayMs + (o.jitterMs ? sim.rng.next() * o.jitterMs : 0);
      if (sim.rng.next() < (o.reorder ?? 0)) at += sim.rng.next() * (o.reorderDelayMs ?? o.delayMs);
      sim.schedule(at, () => {
        this.stats.delivered++;
        this.deliver(copy);
      });
    }
  }
}

export class Sim {
  now = 0;
  readonly rng: Prng;
  private readonly heap: Event[] = [];
  private order = 0;
  private readonly targets = new Set<TimerTarget>();
  steps = 0;

  constructor(seed: number) {
    this.rng = new Prng(seed);
  }

  readonly clock = (): number => this.now;

  schedule(at: number, run: () => void): void {
    const ev: Event = { at: Math.max(at, this.now), order: this.order++, run };
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (before(h[p], ev)) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = ev;
  }

  link(opts: LinkOptions, deliver: (payload: Buffer) => void): Link {
    return new Link(this, opts, deliver);
  }

  addTimers(t: TimerTarget): void {
    this.targets.add(t);
  }

  removeTimers(t: TimerTarget): void {
    this.targets.delete(t);
  }

  /**
   * Run events and timers until `done()` (checked between steps) or virtual time passes
   * `maxTimeMs` (throws: the test's condition was not met).
   */
  async run(done: () => boolean, maxTimeMs: number, maxSteps = 5_000_000): Promise<void> {
    for (;;) {
      await settle();
      if (done()) return;
      if (++this.steps > maxSteps) throw new Error(`simulation exceeded ${maxSteps} steps`);
      let timerAt = Infinity;
      for (const t of this.targets) {
        const at = t.nextTimerAt();
        if (at !== null && at < timerAt) timerAt = at;
      }
      const eventAt = this.heap.length > 0 ? this.heap[0].at : Infinity;
      const next = Math.min(timerAt, eventAt);
      if (next === Infinity) throw new Error(`simulation stalled at ${this.now.toFixed(3)} ms: nothing scheduled`);
      if (next > maxTimeMs) throw new Error(`simulation passed ${maxTimeMs} ms of virtual time without finishing`);
      if (next > this.now) this.now = next;
      if (eventAt <= timerAt) {
        this.pop().run();
      } else {
        for (const t of [...this.targets]) {
          const at = t.nextTimerAt();
          if (at !== null && at <= this.now) t.onTimer();
        }
      }
    }
  }

  /** Run until virtual time `t` (events and timers at ≤ t are processed). */
  async runUntil(t: number): Promise<void> {
    this.schedule(t, () => {});
    let reached = false;
    this.schedule(t, () => {
      reached = true;
    });
    await this.run(() => reached, t + 1);
  }

  private pop(): Event {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let mv = last;
        if (l < h.length && before(h[l], mv)) {
          m = l;
          mv = h[l];
        }
        if (r < h.length && before(h[r], mv)) {
          m = r;
          mv = h[r];
        }
        if (m === i) break;
        h[i] = h[m];
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}

/** Let promise continuations (and anything they chain) run; virtual time does not move. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
