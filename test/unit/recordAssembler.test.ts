/**
 * RecordAssembler (src/client/recordAssembler.ts) with real records: sealed by a PacketSealer,
 * written and parsed as PEER_RECORD datagrams, opened the way PeerLink.openRecord does.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { PacketOpener, PacketSealer } from '../../src/crypto/aead';
import { RecordAssembler, RecordOpener, RecordRejected, RecordResend } from '../../src/client/recordAssembler';
import { Kind } from '../../src/protocol/header';
import {
  MAX_RECORD_FRAGMENTS,
  RECORD_PREFIX_BYTES,
  RecordFragment,
  SEAL_TAG_BYTES,
  readRecordFragment,
  recordAad,
  writeRecordFragment,
} from '../../src/protocol/peerPackets';

const EPOCH = 3;
const TRANSFER = 0x0102_0304;

interface Session {
  sealer: PacketSealer;
  opener: PacketOpener;
  /** Calls to the opener function. */
  opens: number;
  open: RecordOpener;
}

function session(): Session {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const s: Session = {
    sealer: new PacketSealer(key, iv),
    opener: new PacketOpener(key, iv),
    opens: 0,
    open: (epoch, record, transferId, chunks, parts, tag) => {
      s.opens++;
      return s.opener.openParts(record, recordAad(epoch, record, transferId, chunks, parts), parts, tag);
    },
  };
  return s;
}

interface Sealed {
  record: number;
  plains: Buffer[];
  fragments: RecordFragment[];
}

/** Seals `plains` as one record and returns its fragments as parsed from their datagrams. */
function seal(s: Session, record: number, plains: Buffer[], opts: { firstChunk?: number; epoch?: number; transferId?: number } = {}): Sealed {
  const epoch = opts.epoch ?? EPOCH;
  const transferId = opts.transferId ?? TRANSFER;
  const chunks = plains.map((_, i) => (opts.firstChunk ?? 100) + i);
  const sealed = s.sealer.sealParts(record, recordAad(epoch, record, transferId, chunks, plains), plains);
  const fragments = sealed.parts.map((ct, index) => {
    const last = index === plains.length - 1;
    const out = Buffer.alloc(RECORD_PREFIX_BYTES + ct.length + (last ? SEAL_TAG_BYTES : 0));
    writeRecordFragment(
      out,
      { kind: Kind.PEER_RECORD, flags: 0, src: 1, dst: 2 },
      { epoch, record, index, count: plains.length, transferId, pn: 1000 + index, chunk: chunks[index]!, ciphertext: ct, tag: last ? sealed.tag : null },
    );
    const f = readRecordFragment(out);
    assert.ok(f);
    return f;
  });
  return { record, plains: plains.map((p) => Buffer.from(p)), fragments };
}

function plainsOf(lengths: readonly number[], salt = 0): Buffer[] {
  return lengths.map((len, i) => Buffer.alloc(len, (i * 31 + salt * 7 + 1) & 0xff));
}

interface Tracked {
  promise: Promise<Buffer>;
  settled: boolean;
  value?: Buffer;
  error?: unknown;
}

/** Follows a stage() promise (and handles its rejection, so nothing is left unhandled). */
function track(promise: Promise<Buffer>): Tracked {
  const t: Tracked = { promise, settled: false };
  promise.then(
    (v) => {
      t.settled = true;
      t.value = v;
    },
    (e: unknown) => {
      t.settled = true;
      t.error = e;
    },
  );
  return t;
}

/** Lets every settled promise run its handlers. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Races the promise with a marker resolved after a setImmediate: true if the marker wins. */
async function stillPending(p: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  const later = tick().then(() => marker);
  const winner = await Promise.race([p.then(
    () => 'resolved',
    () => 'rejected',
  ), later]);
  return winner === marker;
}

function assertTampered(e: unknown): void {
  assert.ok(e instanceof RecordRejected, `expected RecordRejected, got ${String(e)}`);
  assert.equal(e.code, 'TAMPERED');
}

/** The chunk will not be written from this record, and is asked for again. */
function assertResend(e: unknown): void {
  assert.ok(e instanceof RecordResend, `expected RecordResend, got ${String(e)}`);
  assert.equal(e.code, 'RESEND');
}

/** An assembler with a clock the test moves, recording what it asks for again (FILE_RESEND). */
type TestAssembler = RecordAssembler & { resends: Array<[record: number, chunks: number[]]>; clock: { now: number } };

function assembler(open: RecordOpener, maxFailures?: number): TestAssembler {
  const resends: Array<[number, number[]]> = [];
  const clock = { now: 0 };
  const a = new RecordAssembler({ open, now: () => clock.now, onResend: (record, chunks) => resends.push([record, chunks.slice().sort((x, y) => x - y)]), maxFailures });
  return Object.assign(a, { resends, clock });
}

function withCiphertext(f: RecordFragment, ciphertext: Buffer): RecordFragment {
  return { ...f, ciphertext };
}

describe('client/recordAssembler', () => {
  it('resolves every chunk with its plaintext once the last fragment arrives, whatever the order (property)', async () => {
    const arb = fc.integer({ min: 1, max: MAX_RECORD_FRAGMENTS }).chain((count) =>
      fc.tuple(
        fc.shuffledSubarray(
          Array.from({ length: count }, (_, i) => i),
          { minLength: count, maxLength: count },
        ),
        fc.array(fc.uint8Array({ maxLength: 48 }), { minLength: count, maxLength: count }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([order, bytes, record]) => {
        const s = session();
        const plains = bytes.map((b) => Buffer.from(b));
        const r = seal(s, record, plains);
        const a = assembler(s.open);
        const tracked: Tracked[] = new Array(order.length);
        for (let k = 0; k < order.length; k++) {
          const i = order[k]!;
          tracked[i] = track(a.stage(r.fragments[i]!));
          if (k < order.length - 1) {
            await tick();
            assert.ok(tracked.every((t) => !t.settled), `settled after ${k + 1} of ${order.length}`);
            assert.equal(a.waiting, 1);
            assert.equal(s.opens, 0);
          }
        }
        const got = await Promise.all(tracked.map((t) => t.promise));
        assert.deepEqual(got, r.plains);
        assert.equal(s.opens, 1);
        assert.equal(a.waiting, 0);
        assert.deepEqual(a.stats, { opened: 1, failed: 0, stalled: 0, waiting: 0 });
      }),
      { numRuns: 100 },
    );
  });

  it('a stage is still pending (loses a race with a marker after setImmediate) until the last fragment', async () => {
    const s = session();
    const r = seal(s, 7, plainsOf([10, 20, 30]));
    const a = assembler(s.open);
    const p2 = a.stage(r.fragments[2]!); // the one with the tag first
    const p0 = a.stage(r.fragments[0]!);
    assert.equal(await stillPending(p2), true);
    assert.equal(await stillPending(p0), true);
    const p1 = a.stage(r.fragments[1]!);
    assert.equal(await stillPending(p0), false);
    assert.equal(await stillPending(p1), false);
    assert.deepEqual(await Promise.all([p0, p1, p2]), r.plains);
  });

  it('a one-fragment record resolves at once', async () => {
    const s = session();
    const r = seal(s, 1, plainsOf([5]));
    const a = assembler(s.open);
    const p = a.stage(r.fragments[0]!);
    assert.equal(a.waiting, 0);
    assert.deepEqual(await p, r.plains[0]);
    assert.deepEqual(a.stats, { opened: 1, failed: 0, stalled: 0, waiting: 0 });
  });

  it('zero-length chunks are delivered as empty buffers', async () => {
    const s = session();
    const r = seal(s, 2, plainsOf([0, 4, 0]));
    const a = assembler(s.open);
    const got = await Promise.all(r.fragments.map((f) => a.stage(f)));
    assert.deepEqual(
      got.map((b) => b.length),
      [0, 4, 0],
    );
    assert.deepEqual(got, r.plains);
  });

  describe('tampering', () => {
    it('one altered byte in any fragment rejects every chunk with RecordRejected (TAMPERED), after the last fragment only', async () => {
      for (let victim = 0; victim < 4; victim++) {
        const s = session();
        const r = seal(s, 11, plainsOf([8, 8, 8, 8]));
        const a = assembler(s.open);
        const frags = r.fragments.slice();
        const ct = Buffer.from(frags[victim]!.ciphertext);
        ct[victim % ct.length]! ^= 0x01;
        frags[victim] = withCiphertext(frags[victim]!, ct);
        const tracked = frags.slice(0, 3).map((f) => track(a.stage(f)));
        await tick();
        assert.ok(tracked.every((t) => !t.settled), 'rejected before the record was complete');
        tracked.push(track(a.stage(frags[3]!)));
        await tick();
        for (const t of tracked) {
          assert.ok(t.settled);
          assert.equal(t.value, undefined, `victim ${victim}: a chunk was delivered`);
          assertResend(t.error);
        }
        assert.equal(s.opens, 1);
        assert.deepEqual(a.stats, { opened: 0, failed: 1, stalled: 0, waiting: 0 });
      }
    });

    it('an altered tag rejects the record', async () => {
      const s = session();
      const r = seal(s, 12, plainsOf([8, 8]));
      const a = assembler(s.open);
      const tag = Buffer.from(r.fragments[1]!.tag!);
      tag[15]! ^= 0x80;
      const results = await Promise.allSettled([a.stage(r.fragments[0]!), a.stage({ ...r.fragments[1]!, tag })]);
      for (const res of results) {
        assert.equal(res.status, 'rejected');
        assertResend(res.reason);
      }
      assert.deepEqual(a.stats, { opened: 0, failed: 1, stalled: 0, waiting: 0 });
    });

    it('clear fields the AAD binds (epoch, transferId, chunk, fragment order and lengths) cannot be changed', async () => {
      const cases: Array<[string, (f: RecordFragment[]) => RecordFragment[]]> = [
        ['epoch of every fragment', (f) => f.map((x) => ({ ...x, epoch: x.epoch + 1 }))],
        ['transferId of every fragment', (f) => f.map((x) => ({ ...x, transferId: x.transferId ^ 1 }))],
        ['one chunk number', (f) => f.map((x, i) => (i === 1 ? { ...x, chunk: x.chunk + 50 } : x))],
        ['two chunk numbers swapped', (f) => f.map((x, i) => (i === 0 ? { ...x, chunk: f[1]!.chunk } : i === 1 ? { ...x, chunk: f[0]!.chunk } : x))],
        ['two ciphertexts swapped', (f) => f.map((x, i) => (i === 0 ? { ...x, ciphertext: f[1]!.ciphertext } : i === 1 ? { ...x, ciphertext: f[0]!.ciphertext } : x))],
        ['a record number', (f) => f.map((x) => ({ ...x, record: x.record + 1 }))],
        [
          'the ciphertext cut at another boundary (one byte moved from fragment 0 to fragment 1)',
          (f) =>
            f.map((x, i) =>
              i === 0
                ? { ...x, ciphertext: f[0]!.ciphertext.subarray(0, f[0]!.ciphertext.length - 1) }
                : i === 1
                  ? { ...x, ciphertext: Buffer.concat([f[0]!.ciphertext.subarray(f[0]!.ciphertext.length - 1), f[1]!.ciphertext]) }
                  : x,
            ),
        ],
      ];
      for (const [name, alter] of cases) {
        const s = session();
        const r = seal(s, 20, plainsOf([6, 6, 6], 1));
        const a = assembler(s.open);
        const results = await Promise.allSettled(alter(r.fragments).map((f) => a.stage(f)));
        for (const res of results) {
          assert.equal(res.status, 'rejected', name);
          assertResend(res.reason);
        }
        assert.deepEqual(a.stats, { opened: 0, failed: 1, stalled: 0, waiting: 0 }, name);
      }
    });

    it('the transfer packet number is not bound (a fragment may be resent in a new transfer packet)', async () => {
      const s = session();
      const r = seal(s, 21, plainsOf([6, 6]));
      const a = assembler(s.open);
      const got = await Promise.all([a.stage({ ...r.fragments[0]!, pn: 5000 }), a.stage(r.fragments[1]!)]);
      assert.deepEqual(got, r.plains);
    });

    it('an opener that returns the wrong number of parts rejects the record', async () => {
      const s = session();
      const r = seal(s, 22, plainsOf([6, 6, 6]));
      const a = assembler((...args) => s.open(...args)?.slice(0, 2) ?? null);
      const results = await Promise.allSettled(r.fragments.map((f) => a.stage(f)));
      for (const res of results) {
        assert.equal(res.status, 'rejected');
        assertResend(res.reason);
      }
      assert.equal(a.stats.failed, 1);
    });
  });

  describe('fragments that disagree with their record', () => {
    const cases: Array<[string, (f: RecordFragment) => RecordFragment]> = [
      ['a different count', (f) => ({ ...f, count: f.count + 1 })],
      ['a different epoch', (f) => ({ ...f, epoch: f.epoch + 1 })],
      ['a different transferId', (f) => ({ ...f, transferId: f.transferId + 1 })],
    ];
    for (const [name, alter] of cases) {
      it(`${name} rejects every staged chunk at once, without opening`, async () => {
        const s = session();
        const r = seal(s, 30, plainsOf([4, 4, 4, 4]));
        const a = assembler(s.open);
        const t0 = track(a.stage(r.fragments[0]!));
        const t3 = track(a.stage(r.fragments[3]!));
        await tick();
        assert.equal(t0.settled || t3.settled, false);
        const bad = track(a.stage(alter(r.fragments[1]!)));
        await tick();
        for (const t of [t0, t3, bad]) {
          assert.ok(t.settled, `${name}: still pending`);
          assertResend(t.error);
        }
        assert.equal(s.opens, 0);
        assert.deepEqual(a.stats, { opened: 0, failed: 1, stalled: 0, waiting: 0 });
      });
    }

    it('a second fragment for the same index rejects the record, even an identical copy', async () => {
      for (const copy of [(f: RecordFragment) => ({ ...f }), (f: RecordFragment) => ({ ...f, chunk: f.chunk + 1 })]) {
        const s = session();
        const r = seal(s, 31, plainsOf([4, 4, 4]));
        const a = assembler(s.open);
        const t0 = track(a.stage(r.fragments[0]!));
        const t1 = track(a.stage(r.fragments[1]!));
        const dup = track(a.stage(copy(r.fragments[1]!)));
        await tick();
        for (const t of [t0, t1, dup]) assertResend(t.error);
        assert.deepEqual(a.stats, { opened: 0, failed: 1, stalled: 0, waiting: 0 });
        // Asked for again: both staged chunks, and the chunk the second copy claims.
        assert.deepEqual(a.resends, [[31, [...new Set([100, 101, copy(r.fragments[1]!).chunk])].sort()]]);
        // The tag-bearing fragment arriving afterwards is refused at once: the record was given up.
        const t2 = track(a.stage(r.fragments[2]!));
        await tick();
        assertResend(t2.error);
        assert.equal(t0.value, undefined);
        assert.equal(s.opens, 0);
        assert.equal(a.waiting, 0);
        assert.equal(a.resends.length, 1, 'asked for once');
      }
    });

    it('a disagreeing first fragment makes the genuine ones conflict', async () => {
      const s = session();
      const r = seal(s, 32, plainsOf([4, 4]));
      const a = assembler(s.open);
      const forged = track(a.stage({ ...r.fragments[0]!, count: 3, index: 0 }));
      const genuine = track(a.stage(r.fragments[1]!));
      await tick();
      assertResend(forged.error);
      assertResend(genuine.error);
      assert.equal(a.stats.failed, 1);
      assert.equal(a.waiting, 0);
    });
  });

  describe('giving up and asking again', () => {
    it('a record that fails asks for its staged chunks again (FILE_RESEND), and later fragments of it are refused', async () => {
      const s = session();
      const r = seal(s, 70, plainsOf([8, 8, 8]));
      const a = assembler(s.open);
      const ct = Buffer.from(r.fragments[1]!.ciphertext);
      ct[0]! ^= 0x01;
      const staged = [track(a.stage(r.fragments[0]!)), track(a.stage(withCiphertext(r.fragments[1]!, ct))), track(a.stage(r.fragments[2]!))];
      await tick();
      for (const t of staged) assertResend(t.error);
      assert.deepEqual(a.resends, [[70, [100, 101, 102]]]);
      // A retransmitted (genuine) copy of a fragment arriving after it was given up: refused, not asked twice.
      const late = track(a.stage(r.fragments[1]!));
      await tick();
      assertResend(late.error);
      assert.equal(a.resends.length, 1);
      assert.equal(a.waiting, 0);
    });

    it('a record given up under one session does not refuse the same record number under the next', async () => {
      const s = session();
      const a = assembler(s.open);
      const old = seal(s, 75, plainsOf([8, 8]), { epoch: 3 });
      const tag = Buffer.from(old.fragments[1]!.tag!);
      tag[0]! ^= 0x01;
      await Promise.allSettled([a.stage(old.fragments[0]!), a.stage({ ...old.fragments[1]!, tag })]);
      assert.deepEqual(a.resends.map(([n]) => n), [75]);
      // Record numbers start over with new keys: record 75 of epoch 4 is another record.
      const fresh = seal(session(), 75, plainsOf([8, 8]), { epoch: 4 }); // new keys: the number is sealed again
      const first = track(a.stage(fresh.fragments[0]!));
      await tick();
      assert.equal(first.settled, false, 'not refused as the record given up under epoch 3');
      a.close();
    });

    it('after maxFailures records failed, the next one stops the transfer (TAMPERED) and is not asked for', async () => {
      const s = session();
      const a = assembler(s.open, 2);
      const results: Tracked[][] = [];
      for (let n = 0; n < 3; n++) {
        const r = seal(s, 80 + n, plainsOf([8, 8]), { firstChunk: 10 * n });
        const tag = Buffer.from(r.fragments[1]!.tag!);
        tag[0]! ^= 0x01;
        results.push([track(a.stage(r.fragments[0]!)), track(a.stage({ ...r.fragments[1]!, tag }))]);
      }
      await tick();
      for (const t of [...results[0]!, ...results[1]!]) assertResend(t.error);
      for (const t of results[2]!) assertTampered(t.error);
      assert.deepEqual(a.resends.map(([n]) => n), [80, 81]);
      assert.equal(a.stats.failed, 3);
    });

    it('expire gives up a record that stopped growing, asks for what it staged, and does not count it as a failure', async () => {
      const s = session();
      const r1 = seal(s, 90, plainsOf([8, 8, 8]), { firstChunk: 0 });
      const r2 = seal(s, 91, plainsOf([8, 8]), { firstChunk: 3 });
      const a = assembler(s.open, 0);
      const t1 = track(a.stage(r1.fragments[0]!));
      a.clock.now = 3_000;
      const t2 = track(a.stage(r2.fragments[0]!));
      a.expire(5_000);
      await tick();
      assert.equal(t1.settled || t2.settled, false, 'nothing is given up before it stalled for 5 s');
      a.clock.now = 5_000;
      a.expire(5_000);
      await tick();
      assertResend(t1.error);
      assert.equal(t2.settled, false, 'the younger record still waits');
      assert.deepEqual(a.resends, [[90, [0]]]);
      assert.deepEqual(a.stats, { opened: 0, failed: 0, stalled: 1, waiting: 1 });
      // maxFailures 0: a stalled record is not a failure, so it did not stop the transfer.
      const t3 = track(a.stage(r2.fragments[1]!));
      assert.deepEqual(await Promise.all([t2.promise, t3.promise]), r2.plains);
    });
  });

  describe('close', () => {
    it('rejects every pending stage of every record with an Error that is not RecordRejected', async () => {
      const s = session();
      const r1 = seal(s, 40, plainsOf([4, 4, 4]));
      const r2 = seal(s, 41, plainsOf([4, 4]));
      const a = assembler(s.open);
      const tracked = [track(a.stage(r1.fragments[0]!)), track(a.stage(r1.fragments[2]!)), track(a.stage(r2.fragments[1]!))];
      assert.equal(a.waiting, 2);
      a.close();
      await tick();
      for (const t of tracked) {
        assert.ok(t.settled);
        assert.ok(t.error instanceof Error);
        assert.ok(!(t.error instanceof RecordRejected), 'close is not tampering');
        assert.ok(!(t.error instanceof RecordResend), 'nor a record to ask for again');
      }
      assert.equal(a.waiting, 0);
      assert.equal(s.opens, 0);
      assert.deepEqual(a.stats, { opened: 0, failed: 0, stalled: 0, waiting: 0 });
    });

    it('does not touch records that already completed', async () => {
      const s = session();
      const r = seal(s, 42, plainsOf([4, 4]));
      const a = assembler(s.open);
      const p = Promise.all(r.fragments.map((f) => a.stage(f)));
      a.close();
      assert.deepEqual(await p, r.plains);
      assert.deepEqual(a.stats, { opened: 1, failed: 0, stalled: 0, waiting: 0 });
    });
  });

  it('two interleaved records complete independently, and waiting counts open records', async () => {
    const s = session();
    const rA = seal(s, 50, plainsOf([9, 9, 9], 2), { firstChunk: 0 });
    const rB = seal(s, 51, plainsOf([7, 7], 3), { firstChunk: 3 });
    const a = assembler(s.open);
    const waiting: number[] = [];
    const a0 = track(a.stage(rA.fragments[0]!));
    waiting.push(a.waiting);
    const b1 = track(a.stage(rB.fragments[1]!));
    waiting.push(a.waiting);
    const a2 = track(a.stage(rA.fragments[2]!));
    waiting.push(a.waiting);
    const b0 = track(a.stage(rB.fragments[0]!));
    waiting.push(a.waiting);
    await tick();
    assert.ok(b0.settled && b1.settled, 'B is complete');
    assert.ok(!a0.settled && !a2.settled, 'A is not');
    assert.deepEqual([b0.value, b1.value], rB.plains);
    const a1 = track(a.stage(rA.fragments[1]!));
    waiting.push(a.waiting);
    await tick();
    assert.deepEqual([a0.value, a1.value, a2.value], rA.plains);
    assert.deepEqual(waiting, [1, 2, 2, 1, 0]);
    assert.deepEqual(a.stats, { opened: 2, failed: 0, stalled: 0, waiting: 0 });
  });

  it('a tampered record does not affect one interleaved with it', async () => {
    const s = session();
    const rA = seal(s, 60, plainsOf([9, 9], 4));
    const rB = seal(s, 61, plainsOf([9, 9], 5));
    const a = assembler(s.open);
    const badCt = Buffer.from(rB.fragments[0]!.ciphertext);
    badCt[0]! ^= 0xff;
    const a0 = track(a.stage(rA.fragments[0]!));
    const b0 = track(a.stage(withCiphertext(rB.fragments[0]!, badCt)));
    const b1 = track(a.stage(rB.fragments[1]!));
    await tick();
    assertResend(b0.error);
    assertResend(b1.error);
    assert.equal(a0.settled, false);
    assert.equal(a.waiting, 1);
    const a1 = track(a.stage(rA.fragments[1]!));
    await tick();
    assert.deepEqual([a0.value, a1.value], rA.plains);
    assert.deepEqual(a.stats, { opened: 1, failed: 1, stalled: 0, waiting: 0 });
  });
});
