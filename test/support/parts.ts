import type { PartAssembler } from '../../src/protocol/messageParts';

/** Feeds every channel message to `a`; returns the whole messages and the drop reasons, in order. */
export function feedParts(a: PartAssembler, msgs: Buffer[]): { messages: Buffer[]; dropped: string[] } {
  const messages: Buffer[] = [];
  const dropped: string[] = [];
  for (const m of msgs) {
    const r = a.push(m);
    if (r.dropped) dropped.push(r.dropped);
    if (r.message) messages.push(r.message);
  }
  return { messages, dropped };
}
