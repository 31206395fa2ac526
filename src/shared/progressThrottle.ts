/**
 * Progress updates, at most one per interval for each transfer, the latest one always shown: an
 * update that comes too soon waits and is replaced by newer ones, and goes out when the interval
 * is over. The end of a transfer is not throttled: its owner cancels what waits and shows the
 * final state itself. Used where the extension's client process forwards progress
 * (src/clientHost/main.ts), for the chat view's cards (chatView.ts) and for the progress
 * notifications (transferProgress.ts). Pure; no `vscode` import.
 */

/**
 * At most 5 progress updates per second per transfer. The client reports progress 10 times a
 * second; each update costs the extension host an IPC message, a message to the webview and the
 * webview a repaint, and half of that is as smooth to watch.
 */
export const PROGRESS_UPDATE_INTERVAL_MS = 200;
/**
 * The chat panel's cards: at most 2 repaints a second per transfer. A card's repaint is most of
 * what the browser spends while a file moves (README "The extension as sender": 0.2 s of CPU per
 * 256 MiB at 5 a second, taken from the processes moving the data on a 2-core machine); a bar that
 * moves twice a second still shows a transfer going.
 */
export const CARD_UPDATE_INTERVAL_MS = 500;

interface Slot<T> {
  last: number;
  waiting?: T;
  timer?: ReturnType<typeof setTimeout>;
}

export class ProgressThrottle<T extends { id: string }> {
  private readonly slots = new Map<string, Slot<T>>();

  constructor(
    private readonly show: (item: T) => void,
    private readonly intervalMs = PROGRESS_UPDATE_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A newer state of transfer `item.id`: shown now if its interval is over, else when it is. */
  update(item: T): void {
    let slot = this.slots.get(item.id);
    if (!slot) {
      slot = { last: -Infinity };
      this.slots.set(item.id, slot);
    }
    if (slot.timer) {
      slot.waiting = item;
      return;
    }
    const wait = slot.last + this.intervalMs - this.now();
    if (wait <= 0) {
      slot.last = this.now();
      this.show(item);
      return;
    }
    slot.waiting = item;
    const s = slot;
    s.timer = setTimeout(() => {
      s.timer = undefined;
      const next = s.waiting;
      s.waiting = undefined;
      if (next === undefined || this.slots.get(item.id) !== s) return;
      s.last = this.now();
      this.show(next);
    }, wait);
  }

  /** The transfer ended (or is shown some other way): drop what waits for it. */
  cancel(id: string): void {
    const slot = this.slots.get(id);
    if (!slot) return;
    if (slot.timer) clearTimeout(slot.timer);
    this.slots.delete(id);
  }

  /** Drops everything that waits (e.g. a full snapshot is being shown). */
  clear(): void {
    for (const id of [...this.slots.keys()]) this.cancel(id);
  }

  /** Updates waiting to be shown. */
  get waiting(): number {
    let n = 0;
    for (const s of this.slots.values()) if (s.waiting !== undefined) n++;
    return n;
  }
}
