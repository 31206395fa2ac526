/**
 * Whether each message we sent was delivered (docs/protocol.md, "Delivery status").
 *
 * A message goes to a set of devices: every device of the addressee for a private message, every
 * device online for a broadcast. It is *delivered* once each of them either acknowledged it or
 * went away (left the chat, or restarted and lost its session) and at least one acknowledged it;
 * it *failed* when all of them went away without acknowledging. A broadcast that had no one to
 * go to (nobody else online) is delivered at once, to no one. Pure: the caller says when acks
 * arrive and devices go away.
 */

/** One device a message went to. */
export interface DeliveryTarget<L> {
  link: L;
  /** Whether that device acknowledged the message. */
  acked: () => boolean;
}

export type DeliveryOutcome = { id: string; delivered: true; devices: number } | { id: string; delivered: false };

interface Pending<L> {
  id: string;
  targets: DeliveryTarget<L>[];
  gone: Set<L>;
  /** Targets seen acknowledged: an ack counts even if the device later resets its channel and goes. */
  acked: Set<L>;
}

export class DeliveryTracker<L> {
  private readonly pending = new Map<string, Pending<L>>();

  constructor(private readonly report: (o: DeliveryOutcome) => void) {}

  get size(): number {
    return this.pending.size;
  }

  /** Starts tracking message `id`; reports at once if nothing is left to wait for. */
  track(id: string, targets: DeliveryTarget<L>[]): void {
    const p: Pending<L> = { id, targets, gone: new Set(), acked: new Set() };
    this.pending.set(id, p);
    this.settle(p);
  }

  /** Acknowledgements arrived from `link` (or from anyone, if omitted): settle what is done. */
  acked(link?: L): void {
    for (const p of [...this.pending.values()]) {
      if (link !== undefined && !p.targets.some((t) => t.link === link)) continue;
      this.settle(p);
    }
  }

  /** `link` went away: what it had not acknowledged will not reach it. */
  gone(link: L): void {
    for (const p of [...this.pending.values()]) {
      const t = p.targets.find((x) => x.link === link);
      if (t === undefined || p.acked.has(link) || t.acked()) continue;
      p.gone.add(link);
      this.settle(p);
    }
  }

  /**
   * Reports once every target has acked or gone. The entry leaves `pending` before the report,
   * so a report handler that calls back into the tracker cannot report it again.
   */
  private settle(p: Pending<L>): void {
    if (!this.pending.has(p.id)) return;
    let ackedBy = 0;
    for (const t of p.targets) {
      if (p.gone.has(t.link)) continue;
      if (!p.acked.has(t.link)) {
        if (!t.acked()) return;
        p.acked.add(t.link);
      }
      ackedBy++;
    }
    this.pending.delete(p.id);
    if (ackedBy > 0 || p.targets.length === 0) this.report({ id: p.id, delivered: true, devices: ackedBy });
    else this.report({ id: p.id, delivered: false });
  }
}
