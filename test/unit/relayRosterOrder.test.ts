import { strict as assert } from 'node:assert';
import { Kind } from '../../src/protocol/header';
import { DEFAULT_DATAGRAM_BYTES } from '../../src/protocol/limits';
import { decodeRelayMessage } from '../../src/protocol/relayMessages';
import { RosterMember, RosterOrder } from '../../src/relay/rosterOrder';

const member = (id: number, nick: string): RosterMember => ({ id, nick, inRoster: false });

describe('relay RosterOrder', () => {
  it('pages in join order until total, each page within a datagram', () => {
    const r = new RosterOrder();
    const ms = Array.from({ length: 300 }, (_, i) => member(i + 1, `member-number-${i + 1}`));
    ms.forEach((m) => r.add(m));
    const seen: number[] = [];
    let offset = 0;
    for (;;) {
      const d = r.page(offset, 42, 9);
      assert.ok(d.length <= DEFAULT_DATAGRAM_BYTES);
      const p = decodeRelayMessage(d);
      assert.ok(p.ok && p.msg.kind === Kind.ROSTER);
      if (!p.ok || p.msg.kind !== Kind.ROSTER) return;
      assert.equal(p.header.dst, 9);
      assert.equal(p.msg.version, 42);
      assert.equal(p.msg.total, 300);
      assert.equal(p.msg.offset, offset);
      seen.push(...p.msg.entries.map((e) => e.id));
      offset += p.msg.entries.length;
      if (offset >= p.msg.total || p.msg.entries.length === 0) break;
    }
    assert.deepEqual(seen, ms.map((m) => m.id));
  });

  it('removed members disappear from pages; the rest keep their order', () => {
    const r = new RosterOrder();
    const ms = [1, 2, 3, 4].map((i) => member(i, `n${i}`));
    ms.forEach((m) => r.add(m));
    r.remove(ms[1]);
    r.remove(ms[1]);
    assert.equal(r.size, 3);
    assert.deepEqual(r.entries(0).map((e) => e.id), [1, 3, 4]);
    assert.deepEqual(r.entries(2).map((e) => e.id), [4]);
    assert.deepEqual(r.entries(10), []);
  });
});
