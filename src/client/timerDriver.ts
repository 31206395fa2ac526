import { performance } from 'node:perf_hooks';

/**
 * Drives an object that exposes `nextTimerAt()` / `onTimer()` (the transport's pure state
 * machines) with one real timer. `poke()` after any event that may have moved the deadline
 * earlier; it re-arms only when needed, so calling it per datagram costs a comparison, not a
 * new timer.
 */
export class TimerDriver {
  private timer: { timeout?: NodeJS.Timeout; immediate?: NodeJS.Immediate } | null = null;
  private armedAt = Infinity;
  private stopped = false;

  constructor(
    private readonly nextTimerAt: () => number | null,
    private readonly onTimer: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  poke(): void {
    if (this.stopped) return;
    const at = this.nextTimerAt();
    if (at === null) {
      this.clear();
      return;
    }
    if (this.timer && at >= this.armedAt) return; // the armed timer fires first and re-checks
    this.clear();
    this.armedAt = at;
    const delay = at - this.now();
    if (delay <= 0) {
      // Already due: setTimeout(0) would wait ~1 ms; setImmediate runs after pending I/O.
      const imm = setImmediate(() => this.fire());
      this.timer = { immediate: imm };
    } else {
      this.timer = { timeout: setTimeout(() => this.fire(), delay) };
    }
  }

  private fire(): void {
    this.timer = null;
    this.armedAt = Infinity;
    if (this.stopped) return;
    this.onTimer();
    this.poke();
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private clear(): void {
    if (this.timer?.timeout) clearTimeout(this.timer.timeout);
    if (this.timer?.immediate) clearImmediate(this.timer.immediate);
    this.timer = null;
    this.armedAt = Infinity;
  }
}
