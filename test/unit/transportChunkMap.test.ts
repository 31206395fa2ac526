import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChunkMap, ChunkSet } from '../../src/transport/chunkMap';
import { PacketNumberRanges } from '../../src/transport/packetNumberRanges';

describe('transport ChunkMap', () => {
  it('tracks set chunks, count, completeness and the first missing chunk', () => {
    const m = new ChunkMap(70);
    assert.equal(m.firstMissing, 0);
    assert.equal(m.set(0), true);
    assert.equal(m.set(0), false);
    assert.equal(m.set(1), true);
    assert.equal(m.set(69), true);
    assert.equal(m.set(70), false, 'out of range is ignored');
    assert.equal(m.firstMissing, 2);
    assert.equal(m.count, 3);
    assert.ok(m.has(69) && !m.has(68) && !m.has(-1) && !m.has(70));
    assert.deepEqual(m.missingRanges(), [[2, 68]]);
    for (let i = 0; i < 70; i++) m.set(i);
    assert.ok(m.complete);
    assert.equal(m.firstMissing, 70);
    assert.deepEqual(m.missingRanges(), []);
  });

  it('matches a Set model under random operations; serialize round-trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.array(fc.nat(320)), (size, ops) => {
        const m = new ChunkMap(size);
        const model = new Set<number>();
        for (const i of ops) {
          assert.equal(m.set(i), i < size && !model.has(i));
          if (i < size) model.add(i);
        }
        assert.equal(m.count, model.size);
        let first = 0;
        while (model.has(first)) first++;
        assert.equal(m.firstMissing, Math.min(first, size));
        const missing: number[] = [];
        for (const [a, b] of m.missingRanges()) for (let i = a; i <= b; i++) missing.push(i);
        assert.deepEqual(missing, [...Array(size).keys()].filter((i) => !model.has(i)));
        const back = ChunkMap.deserialize(m.serialize())!;
        assert.ok(back);
        assert.equal(back.size, size);
        assert.equal(back.count, m.count);
        for (let i = 0; i < size; i++) assert.equal(back.has(i), model.has(i));
      }),
      { numRuns: 300 },
    );
  });

  it('uses one bit per chunk (a 4 GiB file serializes to about 469 KiB)', () => {
    const chunks = ChunkMap.chunkCountFor(4 * 1024 ** 3, 1147);
    const m = new ChunkMap(chunks);
    assert.equal(m.serialize().length, 12 + Math.ceil(chunks / 8));
  });

  it('rejects damaged resume files', () => {
    const m = new ChunkMap(20);
    m.set(3);
    const good = m.serialize();
    assert.ok(ChunkMap.deserialize(good));
    const badMagic = Buffer.from(good);
    badMagic[0] ^= 1;
    const badCount = Buffer.from(good);
    badCount.writeUInt32BE(5, 8);
    const padding = Buffer.from(good);
    padding[padding.length - 1] |= 0x80; // bit 23 of a 20-chunk map
    for (const bad of [badMagic, badCount, padding, good.subarray(0, good.length - 1), Buffer.alloc(3)]) {
      assert.equal(ChunkMap.deserialize(bad), null);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        ChunkMap.deserialize(Buffer.from(bytes)); // never throws
      }),
    );
  });

  it('rechunk: a new chunk counts as had only if all the bytes it covers were had', () => {
    const total = 10_000;
    const old = new ChunkMap(ChunkMap.chunkCountFor(total, 1000)); // 10 chunks of 1000
    for (const c of [0, 1, 2, 5, 9]) old.set(c);
    const smaller = old.rechunk(1000, 300, total); // 34 chunks of 300
    for (let j = 0; j < smaller.size; j++) {
      const start = j * 300;
      const end = Math.min(total, start + 300) - 1;
      const expected = [Math.floor(start / 1000), Math.floor(end / 1000)].every((c) => old.has(c));
      assert.equal(smaller.has(j), expected, `chunk ${j}`);
    }
  });
});

describe('transport ChunkSet', () => {
  it('behaves as a Set of the indices below its capacity, whatever the order of adds and deletes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.array(fc.tuple(fc.boolean(), fc.integer({ min: -5, max: 310 })), { maxLength: 400 }), (capacity, ops) => {
        const bits = new ChunkSet(capacity);
        const model = new Set<number>();
        for (const [add, i] of ops) {
          const inRange = Number.isInteger(i) && i >= 0 && i < capacity;
          if (add) assert.equal(bits.add(i), inRange && !model.has(i));
          else assert.equal(bits.delete(i), model.has(i));
          if (add && inRange) model.add(i);
          if (!add) model.delete(i);
          assert.equal(bits.size, model.size);
        }
        for (let i = -2; i < capacity + 2; i++) assert.equal(bits.has(i), model.has(i), `has(${i})`);
      }),
    );
  });
});

describe('transport PacketNumberRanges', () => {
  it('matches a Set model and reports the newest ranges, descending', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(200), { maxLength: 300 }), (pns) => {
        const r = new PacketNumberRanges(1000);
        const model = new Set<number>();
        for (const pn of pns) {
          assert.equal(r.add(pn), !model.has(pn));
          model.add(pn);
        }
        const ranges = r.descending(1000);
        const seen: number[] = [];
        for (let i = 0; i < ranges.length; i++) {
          const [s, e] = ranges[i];
          assert.ok(s <= e);
          if (i > 0) assert.ok(e < ranges[i - 1][0] - 1, 'disjoint and non-adjacent');
          for (let pn = s; pn <= e; pn++) seen.push(pn);
        }
        assert.deepEqual(seen.sort((a, b) => a - b), [...model].sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
  });

  it('forgets the oldest ranges beyond its limit', () => {
    const r = new PacketNumberRanges(3);
    for (const pn of [0, 2, 4, 6, 8]) r.add(pn);
    assert.deepEqual(r.descending(10), [
      [8, 8],
      [6, 6],
      [4, 4],
    ]);
  });
});
