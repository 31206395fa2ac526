import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { TokenBucket } from '../../src/relay/tokenBucket';

describe('relay TokenBucket', () => {
  it('starts full: admits a burst, then refuses', () => {
    const b = new TokenBucket(10, 5, 0);
    for (let i = 0; i < 5; i++) assert.equal(b.take(0), true, `take #${i}`);
    assert.equal(b.take(0), false);
  });

  it('refills at the rate, capped at the burst', () => {
    const b = new TokenBucket(10, 5, 0); // one token per 100 ms
    for (let i = 0; i < 5; i++) b.take(0);
    assert.equal(b.take(50), false, 'half a token is not a token');
    assert.equal(b.take(100), true);
    assert.equal(b.take(100), false);
    assert.equal(b.available(10_000), 5, 'a long pause refills only up to the burst');
  });

  it('admits rate x time + burst over a long run, no more', () => {
    const b = new TokenBucket(1000, 20, 0);
    let admitted = 0;
    for (let t = 0; t <= 1000; t += 0.1) if (b.take(t)) admitted++;
    // 1000/s for 1 s plus the initial burst of 20 (floating steps may lose one token).
    assert.ok(admitted >= 1019 && admitted <= 1020, `admitted ${admitted}`);
  });

  it('a clock going backwards adds nothing and is not double-counted later', () => {
    const b = new TokenBucket(10, 1, 1000);
    assert.equal(b.take(1000), true);
    assert.equal(b.take(500), false);
    assert.equal(b.take(1050), false, 'only 50 ms since the last real reading');
    assert.equal(b.take(1100), true);
  });

  it('takes n tokens at once or none', () => {
    const b = new TokenBucket(0, 10, 0);
    assert.equal(b.take(0, 7), true);
    assert.equal(b.take(0, 4), false);
    assert.equal(b.available(0), 3);
  });

  it('rejects nonsense parameters', () => {
    assert.throws(() => new TokenBucket(-1, 1, 0), RangeError);
    assert.throws(() => new TokenBucket(1, 0, 0), RangeError);
    assert.throws(() => new TokenBucket(NaN, 1, 0), RangeError);
  });

  it('property: admitted <= burst + rate x elapsed, for any schedule', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }),
        (rate, burst, gaps) => {
          const b = new TokenBucket(rate, burst, 0);
          let t = 0;
          let admitted = 0;
          for (const g of gaps) {
            t += g;
            if (b.take(t)) admitted++;
          }
          return admitted <= burst + (rate * t) / 1000 + 1e-9;
        },
      ),
    );
  });
});
