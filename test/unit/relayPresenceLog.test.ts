import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Kind } from '../../src/protocol/header';
import { DEFAULT_DATAGRAM_BYTES, DEVICE_TAG_BYTES, DST_BROADCAST, NICK_MAX_BYTES } from '../../src/protocol/limits';
import { decodeRelayMessage, PresenceChange } from '../../src/protocol/relayMessages';
import { PresenceLog } from '../../src/relay/presenceLog';

function decode(d: Buffer): { version: number; changes: PresenceChange[]; dst: number } {
  const r = decodeRelayMessage(d);
  assert.ok(r.ok, 'PRESENCE decodes');
  assert.equal(r.msg.kind, Kind.PRESENCE);
  if (r.msg.kind !== Kind.PRESENCE) throw new Error('unreachable');
  return { version: r.msg.version, changes: r.msg.changes, dst: r.header.dst };
}

/** A recognisable device tag for session `id` (the first DEVICE_TAG_BYTES of a device key). */
function tag(id: number): Buffer {
  const t = Buffer.alloc(DEVICE_TAG_BYTES, 0xd0);
  t.writeUInt32BE(id >>> 0, DEVICE_TAG_BYTES - 4);
  return t;
}

/** Roster value of an online device, as the tests compare it: "tag hex/nick". */
const who = (device: Buffer, nick: string): string => `${device.toString('hex')}/${nick}`;

/** Applies datagrams as a client does (relayServer.ts "Presence versioning"). */
function apply(state: { version: number; roster: Map<number, string> }, d: Buffer): 'applied' | 'old' | 'gap' {
  const p = decode(d);
  const from = p.version - p.changes.length;
  if (p.version <= state.version) return 'old';
  if (from > state.version) return 'gap';
  p.changes.forEach((c, i) => {
    if (from + i + 1 <= state.version) return;
    assert.equal(c.device.length, DEVICE_TAG_BYTES);
    if (c.online) state.roster.set(c.id, who(c.device, c.nick));
    else state.roster.delete(c.id);
  });
  state.version = p.version;
  return 'applied';
}

describe('relay PresenceLog', () => {
  it('every change increments the version; a slice carries the changes after `seen`', () => {
    const log = new PresenceLog();
    assert.equal(log.record(true, 1, tag(1), 'alice'), 1);
    assert.equal(log.record(true, 2, tag(2), 'bob'), 2);
    assert.equal(log.record(false, 1, tag(1), 'alice'), 3);
    const all = log.slice(0).map(decode);
    assert.equal(all.length, 1);
    assert.equal(all[0].version, 3);
    assert.deepEqual(all[0].changes, [
      { online: true, id: 1, device: tag(1), nick: 'alice' },
      { online: true, id: 2, device: tag(2), nick: 'bob' },
      { online: false, id: 1, device: tag(1), nick: 'alice' },
    ]);
    assert.equal(all[0].dst, DST_BROADCAST, 'one shared datagram for all recipients');
    const tail = log.slice(2).map(decode);
    assert.deepEqual(tail, [{ version: 3, changes: [{ online: false, id: 1, device: tag(1), nick: 'alice' }], dst: DST_BROADCAST }]);
    assert.deepEqual(log.slice(3), []);
  });

  it('recipients with the same `seen` share the same encoded datagrams', () => {
    const log = new PresenceLog();
    log.record(true, 7, tag(7), 'x');
    assert.equal(log.slice(0), log.slice(0));
  });

  it('encodes each change as online | id | device tag | nick (golden)', () => {
    const log = new PresenceLog();
    log.record(true, 0x0102_0304, Buffer.from('a1a2a3a4a5a6a7a8', 'hex'), 'zoë');
    log.record(false, 0xffff_fffe, Buffer.from('0000000000000000', 'hex'), 'x');
    const [d] = log.slice(0);
    const want =
      'c7 02 0a 00 | 00000000 | ffffffff | 00000002 | 0002 | ' +
      '01 01020304 a1a2a3a4a5a6a7a8 04 7a6fc3ab | 00 fffffffe 0000000000000000 01 78';
    assert.equal(d.toString('hex'), want.replace(/[\s|]+/g, ''));
  });

  it('two devices of one member (same nick, own ids and tags) are two changes', () => {
    const log = new PresenceLog();
    log.record(true, 5, tag(5), 'ann');
    log.record(true, 6, tag(6), 'ann');
    log.record(false, 5, tag(5), 'ann');
    const state = { version: 0, roster: new Map<number, string>() };
    for (const d of log.slice(0)) assert.equal(apply(state, d), 'applied');
    assert.deepEqual([...state.roster], [[6, who(tag(6), 'ann')]]);
  });

  it('refuses a device tag that is not DEVICE_TAG_BYTES long and a nick over NICK_MAX_BYTES, recording nothing', () => {
    const log = new PresenceLog();
    for (const n of [0, 7, 9, 32]) assert.throws(() => log.record(true, 1, Buffer.alloc(n), 'a'), RangeError, `${n}-byte tag`);
    assert.throws(() => log.record(true, 1, tag(1), 'a'.repeat(NICK_MAX_BYTES + 1)), RangeError);
    assert.throws(() => log.record(true, 1, tag(1), 'é'.repeat(33)), RangeError);
    assert.deepEqual(log.slice(0), []);
    assert.equal(log.record(true, 1, tag(1), 'é'.repeat(32)), 1, 'a nick of exactly 64 bytes is fine');
  });

  it('splits large slices into datagrams <= DEFAULT_DATAGRAM_BYTES with consecutive versions', () => {
    const log = new PresenceLog();
    for (let i = 1; i <= 500; i++) log.record(i % 3 !== 0, i, tag(i), `user-with-a-long-name-${i}`);
    const ds = log.slice(0);
    assert.ok(ds.length > 1);
    let expectedFrom = 0;
    for (const d of ds) {
      assert.ok(d.length <= DEFAULT_DATAGRAM_BYTES, `${d.length} bytes`);
      const p = decode(d);
      assert.equal(p.version - p.changes.length, expectedFrom);
      expectedFrom = p.version;
    }
    assert.equal(expectedFrom, 500);
  });

  it('fills datagrams with the largest changes (64-byte nicks) and never exceeds DEFAULT_DATAGRAM_BYTES', () => {
    const log = new PresenceLog();
    const nick = 'n'.repeat(NICK_MAX_BYTES);
    for (let i = 1; i <= 100; i++) log.record(true, i, tag(i), nick);
    const ds = log.slice(0);
    const change = 1 + 4 + DEVICE_TAG_BYTES + 1 + NICK_MAX_BYTES; // 78 bytes
    const perDatagram = Math.floor((DEFAULT_DATAGRAM_BYTES - 12 - 6) / change); // 15
    assert.equal(ds.length, Math.ceil(100 / perDatagram));
    for (const d of ds) assert.ok(d.length <= DEFAULT_DATAGRAM_BYTES, `${d.length} bytes`);
    assert.equal(decode(ds[0]).changes.length, perDatagram);
    assert.deepEqual(ds.flatMap((d) => decode(d).changes.map((c) => c.device.toString('hex'))), Array.from({ length: 100 }, (_, i) => tag(i + 1).toString('hex')));
  });

  it('trimTo forgets what every recipient has seen; slices continue from there', () => {
    const log = new PresenceLog();
    log.record(true, 1, tag(1), 'a');
    log.record(true, 2, tag(2), 'b');
    log.trimTo(1);
    assert.equal(log.pending, 1);
    assert.equal(log.oldest, 1);
    const p = log.slice(1).map(decode);
    assert.deepEqual(p, [{ version: 2, changes: [{ online: true, id: 2, device: tag(2), nick: 'b' }], dst: DST_BROADCAST }]);
    assert.throws(() => log.slice(0), RangeError, 'changes before the trim are gone');
    log.trimTo(99);
    assert.equal(log.pending, 0);
    assert.equal(log.oldest, 2, 'never trims past the current version');
    log.record(false, 2, tag(2), 'b');
    assert.equal(log.slice(2).map(decode)[0].version, 3);
  });

  it('property: a client applying the datagrams of any slice reaches the same roster as the log', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.boolean(),
            fc.integer({ min: 1, max: 40 }),
            fc.uint8Array({ minLength: DEVICE_TAG_BYTES, maxLength: DEVICE_TAG_BYTES }).map((a) => Buffer.from(a)),
            fc.string({ minLength: 1, maxLength: 20 }),
          ),
          { minLength: 1, maxLength: 200 },
        ),
        fc.nat(),
        (changes, seenSeed) => {
          const log = new PresenceLog();
          const truth: Map<number, string>[] = [new Map()];
          for (const [online, id, device, nick] of changes) {
            log.record(online, id, device, nick);
            const next = new Map(truth[truth.length - 1]);
            if (online) next.set(id, who(device, nick));
            else next.delete(id);
            truth.push(next);
          }
          const seen = seenSeed % (changes.length + 1);
          const state = { version: seen, roster: new Map(truth[seen]) };
          for (const d of log.slice(seen)) assert.equal(apply(state, d), 'applied');
          assert.equal(state.version, changes.length);
          assert.deepEqual(state.roster, truth[changes.length]);
        },
      ),
    );
  });
});
