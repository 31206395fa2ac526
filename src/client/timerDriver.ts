import { performance } from 'node:perf_hooks';

/**
 * Drives an object that exposes `nextTimerAt()` / `onTimer()` (the transport's pure state
 * machines) with one real timer. `poke()` after any event that may have moved the deadline
 * earlier; it re-arms only when needed, so calling it per datagram costs a comparison, not a
 * new timer.
 */
export class TimerDriver {
  private timer: NodeJS.Timeout | null = null;
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
    this.timer = setTimeout(() => {
      this.timer = null;
      this.armedAt = Infinity;
      if (this.stopped) return;
      this.onTimer();
      this.poke();
    }, Math.max(0, at - this.now()));
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedAt = Infinity;
  }
}
