import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { RosterAssembler, RosterStep } from '../../src/client/rosterAssembler';
import { Kind } from '../../src/protocol/header';
import { DEVICE_TAG_BYTES } from '../../src/protocol/limits';
import { PresenceChange, RosterEntry, decodeRelayMessage } from '../../src/protocol/relayMessages';
import { RosterMember, RosterOrder } from '../../src/relay/rosterOrder';

/** A recognisable device tag for session `id`. */
function tag(id: number): Buffer {
  const t = Buffer.alloc(DEVICE_TAG_BYTES, 0xd0);
  t.writeUInt32BE(id >>> 0, DEVICE_TAG_BYTES - 4);
  return t;
}

/** How rosters are compared: sorted "id:device tag:nick" lines. */
const line = (e: RosterEntry): string => `${e.id}:${e.device.toString('hex')}:${e.nick}`;

/**
 * The client's roster fetch against the relay's own RosterOrder, while members join and leave
 * between page requests and PRESENCE trails behind (or is lost). Whatever the schedule, a roster
 * the assembler returns must be exactly the relay's roster at the version it names.
 */

/** The relay side: RosterOrder (the real pager) plus the version history a test can check against. */
class FakeRelay {
  readonly order = new RosterOrder<RosterMember>();
  readonly members: RosterMember[] = [];
  /** changes[v] made version v. */
  readonly changes: PresenceChange[] = [];
  /** Roster at each version: sorted "id:device tag:nick" lines. */
  readonly snapshots = new Map<number, string>();
  version = 0;
  private nextId = 1;

  constructor(initial: number) {
    for (let i = 0; i < initial; i++) this.join();
  }

  join(): void {
    const id = this.nextId++;
    // Long nicknames: a few dozen members fill several pages of ROSTER_PAGE_BYTES.
    const m: RosterMember = { id, deviceTag: tag(id), nick: `member-${id}-${'x'.repeat(20 + (id % 17))}`, inRoster: false };
    this.order.add(m);
    this.members.push(m);
    this.record({ id, device: m.deviceTag, nick: m.nick, online: true });
  }

  leave(index: number): void {
    if (this.members.length === 0) return;
    const [m] = this.members.splice(index % this.members.length, 1);
    this.order.remove(m);
    this.record({ id: m.id, device: m.deviceTag, nick: m.nick, online: false });
  }

  page(offset: number): { version: number; total: number; offset: number; entries: RosterEntry[] } {
    const d = decodeRelayMessage(this.order.page(offset, this.version, 1));
    if (!d.ok || d.msg.kind !== Kind.ROSTER) throw new Error('RosterOrder.page did not decode as ROSTER');
    return d.msg;
  }

  private record(c: PresenceChange): void {
    this.version++;
    this.changes[this.version] = c;
    this.snapshots.set(this.version, this.members.map((m) => line({ id: m.id, device: m.deviceTag, nick: m.nick })).sort().join('\n'));
  }
}

interface Schedule {
  initial: number;
  /** Before each page request: the membership operations (true = join, number = leave that index). */
  opsBeforePage: (boolean | number)[][];
  /** After each page: how many of the undelivered changes PRESENCE brings now (may be 0). */
  presenceAfterPage: number[];
  /** Per PRESENCE datagram: lost (its changes never arrive). */
  lost: boolean[];
}

interface Outcome {
  version: number;
  roster: string;
  restarts: number;
  requests: number;
}

/**
 * Runs fetches until one completes: churn only while the schedule lasts, then a quiet room.
 * 'wait' with nothing left to deliver is the caller's timeout: start over, as RelayConnection does.
 */
function runFetch(s: Schedule): Outcome {
  const relay = new FakeRelay(s.initial);
  let delivered = relay.version; // PRESENCE before the fetch started is already applied
  let a = new RosterAssembler();
  let offset = 0;
  let restarts = 0;
  let requests = 0;
  let pageNo = 0;
  let datagramNo = 0;
  const restart = (): void => {
    restarts++;
    a = new RosterAssembler();
    offset = 0;
  };
  const deliver = (count: number): RosterStep | null => {
    const to = Math.min(relay.version, delivered + count);
    if (to <= delivered) return null;
    const changes = relay.changes.slice(delivered + 1, to + 1);
    delivered = to;
    if (s.lost[datagramNo++ % Math.max(1, s.lost.length)] === true) return null;
    return a.presence(to, changes);
  };
  for (let guard = 0; guard < 10_000; guard++) {
    const ops = s.opsBeforePage[pageNo] ?? [];
    for (const op of ops) {
      if (op === true) relay.join();
      else if (typeof op === 'number') relay.leave(op);
    }
    requests++;
    let step = a.page(relay.page(offset));
    const trailing = deliver(s.presenceAfterPage[pageNo] ?? relay.version);
    pageNo++;
    if (step === null || (step.kind === 'wait' && trailing !== null)) step = trailing;
    if (step === null) throw new Error('the assembler ignored the page it asked for');
    if (step.kind === 'request') {
      offset = step.offset;
      continue;
    }
    if (step.kind === 'wait') {
      // Let every outstanding change arrive (quiet room), then time out if still waiting.
      const late = deliver(Number.MAX_SAFE_INTEGER);
      if (late?.kind === 'done') step = late;
      else {
        restart();
        continue;
      }
    }
    if (step.kind === 'restart') {
      restart();
      continue;
    }
    if (step.kind === 'done') {
      return {
        version: step.version,
        roster: step.entries.map(line).sort().join('\n'),
        restarts,
        requests,
      };
    }
  }
  throw new Error('no roster after 10,000 page requests');
}

const op = fc.oneof(fc.constant(true as const), fc.nat(200));
const schedule = (ops: fc.Arbitrary<boolean | number>): fc.Arbitrary<Schedule> =>
  fc.record({
    initial: fc.integer({ min: 0, max: 90 }),
    opsBeforePage: fc.array(fc.array(ops, { maxLength: 4 }), { maxLength: 12 }),
    presenceAfterPage: fc.array(fc.nat(4), { maxLength: 12 }),
    lost: fc.array(fc.boolean(), { maxLength: 6 }),
  });

describe('client RosterAssembler (pages of several versions + PRESENCE)', () => {
  it('a roster it returns is the relay roster at that version, whatever joins, leaves and lost PRESENCE', () => {
    fc.assert(
      fc.property(schedule(op), (s) => {
        const out = runFetchWithTruth(s);
        assert.equal(out.roster, out.truth, `version ${out.version}`);
      }),
      { numRuns: 400 },
    );
  });

  it('joins during the fetch never make it start over (the old client restarted at every version change)', () => {
    fc.assert(
      fc.property(schedule(fc.constant(true as const)).map((s) => ({ ...s, lost: [] })), (s) => {
        const out = runFetchWithTruth(s);
        assert.equal(out.restarts, 0);
        assert.equal(out.roster, out.truth);
      }),
      { numRuns: 200 },
    );
  });

  it('a quiet room: one pass, one request per page, the roster at the current version', () => {
    const out = runFetchWithTruth({ initial: 80, opsBeforePage: [], presenceAfterPage: [], lost: [] });
    assert.equal(out.restarts, 0);
    assert.equal(out.version, 80);
    assert.ok(out.requests > 2, `${out.requests} pages for 80 long nicknames`);
    assert.equal(out.roster, out.truth);
  });

  it('a leave ahead of the next page slips an entry past the pages: caught by the count, fetched again', () => {
    // 80 members; after the first page, the first member leaves: everyone shifts one place
    // forward, so the first entry of what would be page 2 is now on page 1 and is never served.
    const out = runFetchWithTruth({ initial: 80, opsBeforePage: [[], [0]], presenceAfterPage: [5, 5, 5, 5, 5, 5], lost: [] });
    assert.equal(out.restarts, 1);
    assert.equal(out.roster, out.truth);
  });

  it('waits for PRESENCE that trails the pages, then finishes without starting over', () => {
    const a = new RosterAssembler();
    const entry = (id: number): RosterEntry => ({ id, device: tag(id), nick: `n${id}` });
    const join = (id: number): PresenceChange => ({ ...entry(id), online: true });
    assert.deepEqual(a.page({ version: 2, total: 3, offset: 0, entries: [entry(1)] }), { kind: 'request', offset: 1 });
    // Member 3 joined (version 3) before the second page was served.
    assert.deepEqual(a.page({ version: 3, total: 3, offset: 1, entries: [entry(2), entry(3)] }), { kind: 'wait' });
    const done = a.presence(3, [join(3)]);
    assert.ok(done?.kind === 'done');
    assert.equal(done.version, 3);
    assert.deepEqual(done.entries.map((e) => e.id).sort(), [1, 2, 3]);
    assert.deepEqual(
      [...done.entries].sort((x, y) => x.id - y.id),
      [entry(1), entry(2), entry(3)],
      'entries keep their device tags',
    );
  });

  it('keeps a bounded number of changes: past the bound it starts over', () => {
    const a = new RosterAssembler(4);
    const changes = Array.from({ length: 5 }, (_, i): PresenceChange => ({ id: 10 + i, device: tag(10 + i), nick: `x${i}`, online: true }));
    assert.equal(a.presence(5, changes)?.kind, 'restart');
  });

  it('ignores a page it did not ask for (a retransmitted request answered twice)', () => {
    const a = new RosterAssembler();
    assert.equal(a.page({ version: 1, total: 5, offset: 3, entries: [{ id: 1, device: tag(1), nick: 'a' }] }), null);
  });

  it('two devices of one member (same nick) are two entries; a PRESENCE leave removes only that device', () => {
    const a = new RosterAssembler();
    const ann5: RosterEntry = { id: 5, device: tag(5), nick: 'ann' };
    const ann6: RosterEntry = { id: 6, device: tag(6), nick: 'ann' };
    assert.deepEqual(a.page({ version: 2, total: 2, offset: 0, entries: [ann5, ann6] }), { kind: 'done', version: 2, entries: [ann5, ann6] });
    // Device 5 leaves (version 3): the member stays online on device 6.
    const done = a.presence(3, [{ ...ann5, online: false }]);
    assert.ok(done?.kind === 'done');
    assert.equal(done.version, 3);
    assert.deepEqual(done.entries, [ann6]);
  });
});

/** runFetch plus the relay's roster at the returned version (a second, identical relay replays the schedule). */
function runFetchWithTruth(s: Schedule): Outcome & { truth: string } {
  const out = runFetch(s);
  const relay = new FakeRelay(s.initial);
  for (const ops of s.opsBeforePage) {
    for (const o of ops) {
      if (o === true) relay.join();
      else if (typeof o === 'number') relay.leave(o);
    }
  }
  const truth = relay.snapshots.get(out.version);
  assert.ok(truth !== undefined || (out.version === 0 && s.initial === 0), `no relay version ${out.version}`);
  return { ...out, truth: truth ?? '' };
}
