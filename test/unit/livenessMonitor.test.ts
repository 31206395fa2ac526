import { strict as assert } from 'node:assert';
import { ANSWER_GRACE_MS, LivenessMonitor, QUIET_PROBE_MS } from '../../src/client/livenessMonitor';
import { KEEPALIVE_INTERVAL_MS, RELAY_UNREACHABLE_AFTER_MS, RELAY_UNREACHABLE_PROBES } from '../../src/protocol/limits';
import { Rng } from '../support/rng';

/** docs/protocol.md: a relay that is gone is reported within about 4.5 s of its last datagram. */
const DOCUMENTED_BOUND_MS = 4_500;
const HOUR_MS = 3_600_000;

interface Outcome {
  probes: number[];
  verdicts: number[];
  lastAnswerAt: number;
}

/**
 * Drives a monitor with a fake clock, as RelayConnection does with real timers: every probe it
 * asks for goes out, and `answers(i, t)` says whether probe #i, sent at t, is answered (after
 * `rttMs`). After a verdict the simulated client starts over (as after a join), so every false
 * alarm is counted, not only the first.
 */
function simulate(durationMs: number, answers: (i: number, t: number) => boolean, rttMs = 1): Outcome {
  let t = 0;
  const m = new LivenessMonitor(() => t);
  m.start();
  const pending: number[] = [];
  const out: Outcome = { probes: [], verdicts: [], lastAnswerAt: 0 };
  for (;;) {
    const next = m.nextTimerAt() ?? Infinity;
    const answer = pending.length > 0 ? pending[0]! : Infinity;
    const at = Math.min(next, answer);
    if (at > durationMs) return out;
    t = Math.max(t, at);
    if (answer <= next) {
      pending.shift();
      m.answered();
      out.lastAnswerAt = t;
      continue;
    }
    const action = m.onTimer();
    if (action === 'probe') {
      if (answers(out.probes.length, t)) pending.push(t + rttMs);
      out.probes.push(t);
    } else if (action === 'unreachable') {
      out.verdicts.push(t);
      m.start();
    }
  }
}

/** Most probes sent in any window of `windowMs`. */
function densest(times: number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** 20 % loss each way, drawn per datagram from a seeded stream: a round trip fails with p = 0.36. */
function lossy(seed: number): (i: number, t: number) => boolean {
  const rng = new Rng(seed);
  return () => {
    const up = rng.next() >= 0.2;
    const down = rng.next() >= 0.2;
    return up && down;
  };
}

describe('LivenessMonitor', () => {
  it('raises no alarm over an hour when every other probe is answered, and keeps probing bounded', () => {
    const r = simulate(HOUR_MS, (i) => i % 2 === 0);
    assert.deepEqual(r.verdicts, []);
    // A keepalive answered, the next one not (so one fast probe, answered), and so on.
    assert.ok(r.probes.length < (2 * HOUR_MS) / KEEPALIVE_INTERVAL_MS + 10, `${r.probes.length} probes`);
    assert.ok(densest(r.probes, 1_000) <= 1_000 / QUIET_PROBE_MS + 1);
  });

  it('raises no alarm over a simulated hour at 20 % loss each way (seeded)', () => {
    for (const seed of [1, 2, 3]) {
      const r = simulate(HOUR_MS, lossy(seed));
      assert.deepEqual(r.verdicts, [], `seed ${seed}`);
      // About 1.6 probes per keepalive (a lost round trip is retried until one gets through).
      assert.ok(r.probes.length < (2 * HOUR_MS) / KEEPALIVE_INTERVAL_MS, `seed ${seed}: ${r.probes.length} probes`);
      assert.ok(densest(r.probes, 1_000) <= 1_000 / QUIET_PROBE_MS + 1, `seed ${seed}`);
    }
  });

  it('raises no alarm at 20 % loss on a slow path either (150 ms round trip)', () => {
    const r = simulate(HOUR_MS, lossy(4), 150);
    assert.deepEqual(r.verdicts, []);
  });

  it('reports a relay that stops answering within the documented bound, after the silence floor', () => {
    // Stop at many points of the keepalive cycle, so the worst case (just after an answer) is in.
    let worst = 0;
    for (let k = 0; k < 40; k++) {
      const stopAt = 60_000 + k * 53;
      const r = simulate(stopAt + 20_000, (_i, t) => t < stopAt);
      assert.ok(r.verdicts.length > 0 && r.verdicts[0]! > stopAt, `stop at ${stopAt}: verdicts at ${r.verdicts.join(', ')}`);
      const took = r.verdicts[0]! - r.lastAnswerAt;
      assert.ok(took >= RELAY_UNREACHABLE_AFTER_MS, `stop at ${stopAt}: after ${took} ms of silence`);
      assert.ok(took <= DOCUMENTED_BOUND_MS, `stop at ${stopAt}: ${took} ms after the last answer`);
      worst = Math.max(worst, took);
      // Every probe since the last answer went unanswered, at least RELAY_UNREACHABLE_PROBES of them.
      const unanswered = r.probes.filter((p) => p > r.lastAnswerAt && p <= r.verdicts[0]! - ANSWER_GRACE_MS);
      assert.ok(unanswered.length >= RELAY_UNREACHABLE_PROBES, `${unanswered.length} probes`);
    }
    assert.ok(worst > KEEPALIVE_INTERVAL_MS + RELAY_UNREACHABLE_AFTER_MS / 2, `the worst case was exercised (${worst} ms)`);
  });

  it('probes no more after the verdict; hearing the relay again ends it and probing resumes', () => {
    let t = 0;
    const m = new LivenessMonitor(() => t);
    m.start();
    let probes = 0;
    while (!m.unreachable) {
      t = Math.max(t, m.nextTimerAt()!);
      if (m.onTimer() === 'probe') probes++;
    }
    // Joining with nothing answering: the silence floor decides, with far more probes than needed.
    assert.equal(t, RELAY_UNREACHABLE_AFTER_MS);
    assert.ok(probes >= RELAY_UNREACHABLE_PROBES && probes <= RELAY_UNREACHABLE_AFTER_MS / QUIET_PROBE_MS + 1, `${probes} probes`);
    assert.equal(m.nextTimerAt(), null, 'nothing to do until the relay is heard');
    t += 10_000;
    assert.equal(m.onTimer(), null);
    assert.equal(m.answered(), true, 'hearing it ends the verdict');
    assert.equal(m.unreachable, false);
    assert.equal(m.answered(), false, 'only once');
    assert.equal(m.onTimer(), 'probe', 'the last probe was long ago: one goes out at once');
    t += 1;
    m.answered();
    assert.equal(m.nextTimerAt(), t - 1 + KEEPALIVE_INTERVAL_MS, 'answered: the next is a keepalive away');
  });

  it('forwarded traffic without answers keeps the relay alive but keeps probing fast', () => {
    let t = 0;
    const m = new LivenessMonitor(() => t);
    m.start();
    m.probeSent();
    m.answered();
    const probes: number[] = [];
    // From now on no PONG, but a peer's datagram arrives every 50 ms.
    let nextPeer = 50;
    while (t < 60_000) {
      const next = m.nextTimerAt()!;
      if (nextPeer <= next) {
        t = nextPeer;
        nextPeer += 50;
        m.heard();
        continue;
      }
      t = next;
      const a = m.onTimer();
      assert.notEqual(a, 'unreachable', `at ${t}`);
      if (a === 'probe') probes.push(t);
    }
    // The relay may not be hearing us (it drops a session after CLIENT_IDLE_TIMEOUT_MS): the
    // unanswered PING is repeated every QUIET_PROBE_MS, not every keepalive.
    const late = probes.filter((p) => p > KEEPALIVE_INTERVAL_MS + ANSWER_GRACE_MS);
    assert.ok(late.length >= (60_000 - 3_000) / QUIET_PROBE_MS, `${late.length} probes`);
  });

  it('needs both: many unanswered probes within the silence floor are not enough', () => {
    let t = 0;
    const m = new LivenessMonitor(() => t);
    m.start();
    for (let i = 0; i < 3 * RELAY_UNREACHABLE_PROBES; i++) {
      m.probeSent();
      t += 10;
    }
    t = RELAY_UNREACHABLE_AFTER_MS - 1;
    assert.equal(m.unansweredProbes(), RELAY_UNREACHABLE_PROBES);
    assert.notEqual(m.onTimer(), 'unreachable');
    t = RELAY_UNREACHABLE_AFTER_MS;
    assert.equal(m.onTimer(), 'unreachable');
  });

  it('needs both: a long silence with few unanswered probes is not enough', () => {
    let t = 0;
    const m = new LivenessMonitor(() => t);
    m.start();
    m.probeSent();
    t = 60_000;
    assert.equal(m.unansweredProbes(), 1);
    // Overdue by far: the next thing it asks for is a probe, not a verdict.
    assert.equal(m.onTimer(), 'probe');
    assert.equal(m.unreachable, false);
  });
});
