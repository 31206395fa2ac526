import assert from 'node:assert/strict';
import { INITIAL_RTT_MS, TIME_THRESHOLD, TIMER_GRANULARITY_MS } from '../../src/transport/limits';
import { RttEstimator } from '../../src/transport/rttEstimator';

describe('transport RttEstimator (RFC 9002 §5)', () => {
  it('starts from kInitialRtt (§6.2.2)', () => {
    const r = new RttEstimator();
    assert.equal(r.smoothedRtt, INITIAL_RTT_MS);
    assert.equal(r.rttVar, INITIAL_RTT_MS / 2);
    assert.equal(r.hasSample, false);
    // §6.2.1: PTO = smoothed_rtt + max(4 × rttvar, kGranularity) + max_ack_delay
    assert.equal(r.pto(25), INITIAL_RTT_MS + 2 * INITIAL_RTT_MS + 25);
  });

  it('initialises from the first sample and smooths later ones (§5.3)', () => {
    const r = new RttEstimator();
    r.update(100, 50, 25); // first sample: ack delay ignored
    assert.equal(r.minRtt, 100);
    assert.equal(r.smoothedRtt, 100);
    assert.equal(r.rttVar, 50);
    r.update(140, 10, 25); // adjusted = 130
    assert.equal(r.smoothedRtt, 0.875 * 100 + 0.125 * 130);
    assert.equal(r.rttVar, 0.75 * 50 + 0.25 * 30);
    assert.equal(r.latestRtt, 140);
  });

  it('caps ack delay at max_ack_delay and never takes a sample below min_rtt (§5.3)', () => {
    const r = new RttEstimator();
    r.update(100);
    r.update(120, 100, 5); // delay capped at 5 → adjusted 115
    assert.equal(r.smoothedRtt, 0.875 * 100 + 0.125 * 115);
    const s = new RttEstimator();
    s.update(100);
    s.update(104, 10, 25); // 104 < min_rtt + 10 → not adjusted
    assert.equal(s.smoothedRtt, 0.875 * 100 + 0.125 * 104);
  });

  it('tracks min_rtt without ack delay (§5.2)', () => {
    const r = new RttEstimator();
    r.update(50);
    r.update(30, 20, 25);
    r.update(80);
    assert.equal(r.minRtt, 30);
  });

  it('loss delay: 9/8 of max(smoothed, latest), at least kGranularity (§6.1.2)', () => {
    const r = new RttEstimator();
    r.update(0.1);
    assert.equal(r.lossDelay(TIME_THRESHOLD), TIMER_GRANULARITY_MS);
    r.update(40);
    assert.equal(r.lossDelay(TIME_THRESHOLD), TIME_THRESHOLD * Math.max(r.smoothedRtt, 40));
  });
});
