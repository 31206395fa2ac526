import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Kind } from '../../src/protocol/header';
import { DEFAULT_DATAGRAM_BYTES, DST_BROADCAST } from '../../src/protocol/limits';
import { decodeRelayMessage, PresenceChange } from '../../src/protocol/relayMessages';
import { PresenceLog } from '../../src/relay/presenceLog';

function decode(d: Buffer): { version: number; changes: PresenceChange[]; dst: number } {
  const r = decodeRelayMessage(d);
  assert.ok(r.ok, 'PRESENCE decodes');
  assert.equal(r.msg.kind, Kind.PRESENCE);
  if (r.msg.kind !== Kind.PRESENCE) throw new Error('unreachable');
  return { version: r.msg.version, changes: r.msg.changes, dst: r.header.dst };
}

/** Applies datagrams as a client does (relayServer.ts "Presence versioning"). */
function apply(state: { version: number; roster: Map<number, string> }, d: Buffer): 'applied' | 'old' | 'gap' {
  const p = decode(d);
  const from = p.version - p.changes.length;
  if (p.version <= state.version) return 'old';
  if (from > state.version) return 'gap';
  p.changes.forEach((c, i) => {
    if (from + i + 1 <= state.version) return;
    if (c.online) state.roster.set(c.id, c.nick);
    else state.roster.delete(c.id);
  });
  state.version = p.version;
  return 'applied';
}

describe('relay PresenceLog', () => {
  it('every change increments the version; a slice carries the changes after `seen`', () => {
    const log = new PresenceLog();
    assert.equal(log.record(true, 1, 'alice'), 1);
    assert.equal(log.record(true, 2, 'bob'), 2);
    assert.equal(log.record(false, 1, 'alice'), 3);
    const all = log.slice(0).map(decode);
    assert.equal(all.length, 1);
    assert.equal(all[0].version, 3);
    assert.deepEqual(all[0].changes, [
      { online: true, id: 1, nick: 'alice' },
      { online: true, id: 2, nick: 'bob' },
      { online: false, id: 1, nick: 'alice' },
    ]);
    assert.equal(all[0].dst, DST_BROADCAST, 'one shared datagram for all recipients');
    const tail = log.slice(2).map(decode);
    assert.deepEqual(tail, [{ version: 3, changes: [{ online: false, id: 1, nick: 'alice' }], dst: DST_BROADCAST }]);
    assert.deepEqual(log.slice(3), []);
  });

  it('recipients with the same `seen` share the same encoded datagrams', () => {
    const log = new PresenceLog();
    log.record(true, 7, 'x');
    assert.equal(log.slice(0), log.slice(0));
  });

  it('splits large slices into datagrams <= DEFAULT_DATAGRAM_BYTES with consecutive versions', () => {
    const log = new PresenceLog();
    for (let i = 1; i <= 500; i++) log.record(i % 3 !== 0, i, `user-with-a-long-name-${i}`);
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

  it('trimTo forgets what every recipient has seen; slices continue from there', () => {
    const log = new PresenceLog();
    log.record(true, 1, 'a');
    log.record(true, 2, 'b');
    log.trimTo(1);
    assert.equal(log.pending, 1);
    assert.equal(log.oldest, 1);
    const p = log.slice(1).map(decode);
    assert.deepEqual(p, [{ version: 2, changes: [{ online: true, id: 2, nick: 'b' }], dst: DST_BROADCAST }]);
    assert.throws(() => log.slice(0), RangeError, 'changes before the trim are gone');
    log.trimTo(99);
    assert.equal(log.pending, 0);
    assert.equal(log.oldest, 2, 'never trims past the current version');
    log.record(false, 2, 'b');
    assert.equal(log.slice(2).map(decode)[0].version, 3);
  });

  it('property: a client applying the datagrams of any slice reaches the same roster as the log', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 40 }), fc.string({ minLength: 1, maxLength: 20 })), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.nat(),
        (changes, seenSeed) => {
          const log = new PresenceLog();
          const truth: Map<number, string>[] = [new Map()];
          for (const [online, id, nick] of changes) {
            log.record(online, id, nick);
            const next = new Map(truth[truth.length - 1]);
            if (online) next.set(id, nick);
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
