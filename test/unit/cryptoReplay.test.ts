import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { ReplayWindow } from '../../src/crypto/replayWindow';

describe('crypto/replayWindow', () => {
  it('starts empty and accepts any valid first packet number', () => {
    const w = new ReplayWindow();
    assert.equal(w.largest, -1);
    assert.equal(w.wouldAccept(0), true);
    assert.equal(w.wouldAccept(123456), true);
    assert.equal(w.wouldAccept(-1), false);
    assert.equal(w.wouldAccept(0.5), false);
    assert.equal(w.wouldAccept(Number.NaN), false);
  });

  it('rejects a replay after commit, but not before', () => {
    const w = new ReplayWindow(64);
    assert.equal(w.wouldAccept(5), true);
    assert.equal(w.wouldAccept(5), true, 'checking does not record');
    w.commit(5);
    assert.equal(w.wouldAccept(5), false);
    assert.equal(w.largest, 5);
  });

  it('accepts reordered packets inside the window once each', () => {
    const w = new ReplayWindow(64);
    w.commit(100);
    assert.equal(w.wouldAccept(99), true);
    w.commit(99);
    assert.equal(w.wouldAccept(99), false);
    assert.equal(w.wouldAccept(37), true, '100 - 37 = 63 < 64: inside');
    assert.equal(w.wouldAccept(36), false, '100 - 36 = 64: beyond the window');
    assert.equal(w.largest, 100);
  });

  it('slides: old numbers fall out, bits of numbers entering the window are cleared', () => {
    const w = new ReplayWindow(32);
    for (let pn = 0; pn < 32; pn++) w.commit(pn);
    w.commit(40);
    assert.equal(w.wouldAccept(8), false, 'beyond the window now');
    assert.equal(w.wouldAccept(9), false, 'inside and seen');
    assert.equal(w.wouldAccept(35), true, 'inside, never seen: its stale bit (pn 3) was cleared');
    w.commit(1000);
    for (let pn = 969; pn < 1000; pn++) assert.equal(w.wouldAccept(pn), true, `pn ${pn} after a long jump`);
    assert.equal(w.wouldAccept(968), false);
  });

  it('commit of a rejected number changes nothing', () => {
    const w = new ReplayWindow(32);
    w.commit(100);
    w.commit(10); // too old
    assert.equal(w.largest, 100);
    w.commit(100);
    assert.equal(w.largest, 100);
  });

  it('validates its size', () => {
    assert.throws(() => new ReplayWindow(0), RangeError);
    assert.throws(() => new ReplayWindow(1.5), RangeError);
    assert.throws(() => new ReplayWindow(1 << 20), RangeError);
    const one = new ReplayWindow(1);
    one.commit(3);
    assert.equal(one.wouldAccept(2), false);
    assert.equal(one.wouldAccept(4), true);
  });

  it('matches a model (set of seen numbers + window rule) on random sequences', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 600 }), fc.boolean()), { maxLength: 300 }),
        (size, ops) => {
          const w = new ReplayWindow(size);
          const seen = new Set<number>();
          let largest = -1;
          const modelAccepts = (pn: number): boolean => !seen.has(pn) && (pn > largest || largest - pn < size);
          for (const [pn, commit] of ops) {
            assert.equal(w.wouldAccept(pn), modelAccepts(pn), `pn ${pn} largest ${largest} size ${size}`);
            if (commit) {
              if (modelAccepts(pn)) {
                seen.add(pn);
                largest = Math.max(largest, pn);
              }
              w.commit(pn);
            }
            assert.equal(w.largest, largest);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees with the model on every number near the window, for word-multiple sizes and jumps', () => {
    // Sizes that fill whole bitmap words make the oldest tracked number share a word with the
    // newest: this catches a slide that clears one bit too many or too few.
    fc.assert(
      fc.property(
        fc.constantFrom(32, 64, 96),
        fc.array(
          fc.tuple(
            // Mostly small steps (dense windows) and jumps of about one word, sometimes anything.
            fc.oneof(fc.constantFrom(1, 1, 1, 31, 32, 33), fc.integer({ min: -100, max: 70 })),
            fc.boolean(),
          ),
          { maxLength: 150 },
        ),
        (size, steps) => {
          const w = new ReplayWindow(size);
          const seen = new Set<number>();
          let largest = -1;
          for (const [delta, commit] of steps) {
            const pn = Math.max(0, largest + delta);
            if (commit && !seen.has(pn) && (pn > largest || largest - pn < size)) {
              seen.add(pn);
              largest = Math.max(largest, pn);
              w.commit(pn);
            }
            for (let n = Math.max(0, largest - size - 2); n <= largest + 2; n++) {
              const expected = !seen.has(n) && (n > largest || largest - n < size);
              assert.equal(w.wouldAccept(n), expected, `pn ${n}, largest ${largest}, size ${size}`);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
