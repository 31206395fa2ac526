import { strict as assert } from 'node:assert';
import { Kind } from '../../src/protocol/header';
import { DEFAULT_DATAGRAM_BYTES, DEVICE_TAG_BYTES, NICK_MAX_BYTES, ROSTER_PAGE_BYTES } from '../../src/protocol/limits';
import { decodeRelayMessage } from '../../src/protocol/relayMessages';
import { ROSTER_PAGE_FIXED_BYTES } from '../../src/relay/relayLimits';
import { RosterMember, RosterOrder } from '../../src/relay/rosterOrder';

/** A recognisable device tag for session `id`. */
function tag(id: number): Buffer {
  const t = Buffer.alloc(DEVICE_TAG_BYTES, 0xd0);
  t.writeUInt32BE(id >>> 0, DEVICE_TAG_BYTES - 4);
  return t;
}

const member = (id: number, nick: string): RosterMember => ({ id, deviceTag: tag(id), nick, inRoster: false });

describe('relay RosterOrder', () => {
  it('pages in join order until total, each page within a datagram', () => {
    const r = new RosterOrder();
    const ms = Array.from({ length: 300 }, (_, i) => member(i + 1, `member-number-${i + 1}`));
    ms.forEach((m) => r.add(m));
    const seen: number[] = [];
    const tags: string[] = [];
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
      tags.push(...p.msg.entries.map((e) => e.device.toString('hex')));
      offset += p.msg.entries.length;
      if (offset >= p.msg.total || p.msg.entries.length === 0) break;
    }
    assert.deepEqual(seen, ms.map((m) => m.id));
    assert.deepEqual(tags, ms.map((m) => m.deviceTag.toString('hex')), 'each entry carries its device tag');
  });

  it('a page of the largest entries (64-byte nicks, with tags) fills ROSTER_PAGE_BYTES and no more', () => {
    const r = new RosterOrder();
    for (let i = 1; i <= 100; i++) r.add(member(i, 'n'.repeat(NICK_MAX_BYTES)));
    const entry = 4 + DEVICE_TAG_BYTES + 1 + NICK_MAX_BYTES; // 77 bytes
    const perPage = Math.floor((ROSTER_PAGE_BYTES - ROSTER_PAGE_FIXED_BYTES) / entry);
    const d = r.page(0, 1, 9);
    assert.ok(d.length <= DEFAULT_DATAGRAM_BYTES, `${d.length} bytes`);
    assert.ok(d.length - 12 <= ROSTER_PAGE_BYTES);
    const p = decodeRelayMessage(d);
    assert.ok(p.ok && p.msg.kind === Kind.ROSTER);
    if (!p.ok || p.msg.kind !== Kind.ROSTER) return;
    assert.equal(p.msg.entries.length, perPage);
    assert.equal(d.length, 12 + ROSTER_PAGE_FIXED_BYTES + perPage * entry);
  });

  it('two devices of one member are two entries with the same nick and their own tags', () => {
    const r = new RosterOrder();
    r.add(member(5, 'ann'));
    r.add(member(6, 'ann'));
    assert.deepEqual(r.entries(0), [
      { id: 5, device: tag(5), nick: 'ann' },
      { id: 6, device: tag(6), nick: 'ann' },
    ]);
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
