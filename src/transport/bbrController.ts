/**
 * BBR congestion control, after draft-cardwell-iccrg-bbr-congestion-control-00 (BBRv1), with
 * two loss responses borrowed from BBRv2 (draft-cardwell-iccrg-bbr-congestion-control-02) and
 * Linux tcp_bbr.c, and RFC 9002 §7.6 persistent congestion. See congestionController.ts for
 * why BBR.
 *
 * Model: BtlBw = windowed max of delivery-rate samples over BTLBW_FILTER_ROUNDS round trips;
 * RTprop = min RTT over MIN_RTT_FILTER_MS. pacing_rate = pacing_gain × BtlBw;
 * cwnd = cwnd_gain × BtlBw × max(RTprop, BDP_RTT_FLOOR_MS), never below MIN_CWND_DATAGRAMS,
 * never above `inflightHi`. States: Startup (gain 2/ln2) → Drain (1/gain) → ProbeBW (gain
 * cycle 1.25, 0.75, 1 × 6), with ProbeRTT (cwnd = 4 datagrams for 200 ms) when RTprop has not
 * been refreshed for 10 s.
 *
 * Congestive loss versus random loss: a round trip is "congestive" when it lost more than
 * LOSS_THRESH of its data (at least MIN_LOSS_DATAGRAMS datagrams) AND its RTT rose by
 * QUEUE_RTT_FACTOR over RTprop, i.e. the loss came with a full queue. Random loss (Wi-Fi,
 * an overflowing socket buffer elsewhere) comes with an empty queue and leaves the model
 * alone. A congestive round ends Startup (BBRv2 "startup high loss", §4.3.1.3), and in the
 * other states caps the data in flight at BETA × what was in flight (BBRv2 inflight_hi,
 * §4.5.10): without it, several BBRv1 flows sharing a shallow queue each keep 2 × their BDP
 * in flight and overflow it continuously. The cap grows back while probing for bandwidth
 * (pacing gain > 1) when no loss comes, doubling per round like BBRv2's PROBE_UP.
 * Independently, lost bytes leave cwnd (Linux tcp_bbr.c) and ack-driven growth restores it.
 * Units: bytes, ms, bytes per ms.
 */
import type { AckEvent, CongestionController, LossEvent, RateSample } from './congestionController';
import { initialWindowBytes, MIN_CWND_DATAGRAMS } from './limits';

/** §4.2.1 BBRHighGain = 2/ln(2): the smallest gain that doubles the sending rate each round. */
const HIGH_GAIN = 2 / Math.LN2;
/** §4.3.2 Drain: the inverse of the Startup gain, to empty the queue Startup built. */
const DRAIN_GAIN = 1 / HIGH_GAIN;
/** §4.3.3 ProbeBW cwnd gain: 2 × BDP absorbs delayed and stretched acks. */
const CWND_GAIN = 2;
/** §4.3.3 ProbeBW pacing gain cycle: probe up, drain the probe's queue, cruise. */
const PACING_GAIN_CYCLE: readonly number[] = [1.25, 0.75, 1, 1, 1, 1, 1, 1];
/** §4.1.1.3 BtlBwFilterLen: bandwidth max filter window, in round trips. */
const BTLBW_FILTER_ROUNDS = 10;
/** §4.1.2.3 RTpropFilterLen: min RTT filter window. */
const MIN_RTT_FILTER_MS = 10_000;
/** §4.3.4 ProbeRTTDuration. */
const PROBE_RTT_DURATION_MS = 200;
/** §4.3.2.2 full-pipe detection: growth below 25 % for 3 rounds means the pipe is full. */
const FULL_BW_GROWTH = 1.25;
const FULL_BW_ROUNDS = 3;
/**
 * The RTT used for the BDP never goes below this. On loopback the propagation delay is tens
 * of µs, but Node's event loop batches sends and acks by up to a millisecond or two; a cwnd
 * sized to the raw min RTT would stall the sender between batches. (Linux BBR covers the
 * same effect with its ack-aggregation allowance.)
 */
const BDP_RTT_FLOOR_MS = 2;
/** BBRv2 BBRLossThresh: a round losing more than 2 % of its data is lossy. */
const LOSS_THRESH = 0.02;
/** BBRv2 BBRStartupFullLossCnt: …provided it lost at least this many datagrams. */
const MIN_LOSS_DATAGRAMS = 6;
/** A round's RTT this far above RTprop means a queue had built up: the loss was congestive. */
const QUEUE_RTT_FACTOR = 1.25;
/** BBRv2 BBRBeta: multiplicative decrease of inflight_hi on congestive loss. */
const BETA = 0.7;
/** Linux tcp_bbr.c bbr_init_pacing_rate_from_rtt: assume 1 ms until an RTT is measured. */
const INITIAL_PACING_RTT_MS = 1;

type Mode = 'startup' | 'drain' | 'probeBw' | 'probeRtt';

/** Windowed max over a round-trip-count window (a monotone deque; one sample per ack). */
class WindowedMax {
  private readonly values: number[] = [];
  private readonly rounds: number[] = [];
  constructor(private readonly window: number) {}
  update(value: number, round: number): void {
    while (this.values.length > 0 && this.values[this.values.length - 1] <= value) {
      this.values.pop();
      this.rounds.pop();
    }
    this.values.push(value);
    this.rounds.push(round);
    this.expire(round);
  }
  expire(round: number): void {
    while (this.rounds.length > 1 && this.rounds[0] <= round - this.window) {
      this.values.shift();
      this.rounds.shift();
    }
  }
  get best(): number {
    return this.values.length > 0 ? this.values[0] : 0;
  }
}

export class BbrController implements CongestionController {
  readonly name = 'bbr';
  cwnd: number;
  pacingRate: number;
  mode: Mode = 'startup';
  /** Cap on data in flight after congestive loss (Infinity until the first one). */
  inflightHi = Infinity;

  private readonly initialCwnd: number;
  private readonly minCwnd: number;
  private readonly btlBwFilter = new WindowedMax(BTLBW_FILTER_ROUNDS);
  private minRtt = Infinity;
  private minRttStamp = 0;
  private roundCount = 0;
  private nextRoundDelivered = 0;
  private roundStart = false;
  private filledPipe = false;
  private fullBw = 0;
  private fullBwCount = 0;
  private pacingGain = HIGH_GAIN;
  private cwndGain = HIGH_GAIN;
  private cycleIndex = 0;
  private cycleStamp = 0;
  private lossInCycle = false;
  private probeRttDoneStamp = 0;
  private probeRttRoundDone = false;
  private priorCwnd = 0;
  private pacingFromRtt = false;
  // Tallies of the current round trip.
  private roundLostBytes = 0;
  private roundAckedBytes = 0;
  private roundMaxRtt = 0;
  private roundMaxInflight = 0;

  /** `seed` picks the first ProbeBW phase so that competing flows do not probe in lockstep. */
  constructor(
    private readonly datagramBytes: number,
    private readonly seed = 0,
  ) {
    this.initialCwnd = initialWindowBytes(datagramBytes);
    this.minCwnd = MIN_CWND_DATAGRAMS * datagramBytes;
    this.cwnd = this.initialCwnd;
    this.pacingRate = (HIGH_GAIN * this.initialCwnd) / INITIAL_PACING_RTT_MS;
  }

  get btlBw(): number {
    return this.btlBwFilter.best;
  }

  get rtProp(): number {
    return this.minRtt;
  }

  onPacketSent(): void {}

  onAck(ev: AckEvent): void {
    this.tallyAck(ev);
    this.updateRound(ev);
    this.updateBtlBw(ev.rate);
    this.checkCyclePhase(ev);
    this.checkFullPipe(ev.rate);
    if (this.mode === 'startup' && !this.filledPipe && this.roundIsCongestive()) this.filledPipe = true;
    this.checkDrain(ev);
    this.updateMinRtt(ev);
    this.growInflightHi(ev);
    this.setPacingRate(ev);
    this.setCwnd(ev);
  }

  onLoss(ev: LossEvent): void {
    // Linux tcp_bbr.c: lost bytes come out of cwnd; ack-driven growth (capped by the model's
    // target) restores it when the loss was random, it sticks when the path keeps dropping.
    this.cwnd = Math.max(this.cwnd - ev.lostBytes, this.minCwnd);
    this.lossInCycle = true;
    this.roundLostBytes += ev.lostBytes;
  }

  onPersistentCongestion(): void {
    // RFC 9002 §7.6.2: collapse to the minimum; the model re-grows from fresh samples.
    this.cwnd = this.minCwnd;
  }

  private bdp(gain: number): number {
    const bw = this.btlBw;
    if (bw === 0 || this.minRtt === Infinity) return this.initialCwnd;
    return gain * bw * Math.max(this.minRtt, BDP_RTT_FLOOR_MS);
  }

  private tallyAck(ev: AckEvent): void {
    this.roundAckedBytes += ev.ackedBytes;
    const inflight = ev.bytesInFlight + ev.ackedBytes;
    if (inflight > this.roundMaxInflight) this.roundMaxInflight = inflight;
    if (ev.rttSample !== null) {
      // RFC 9002 §5.3: discount the peer's ack delay unless that goes below min_rtt.
      const adjusted = ev.rttSample - ev.ackDelay >= this.minRtt ? ev.rttSample - ev.ackDelay : ev.rttSample;
      if (adjusted > this.roundMaxRtt) this.roundMaxRtt = adjusted;
    }
  }

  /** Did the round so far lose enough, with a queue, to call it congestion? */
  private roundIsCongestive(): boolean {
    const lost = this.roundLostBytes;
    return (
      this.btlBw > 0 &&
      lost >= MIN_LOSS_DATAGRAMS * this.datagramBytes &&
      lost > LOSS_THRESH * (lost + this.roundAckedBytes) &&
      this.roundMaxRtt > QUEUE_RTT_FACTOR * this.minRtt
    );
  }

  private updateRound(ev: AckEvent): void {
    this.roundStart = false;
    if (ev.rate !== null && ev.rate.priorDelivered >= this.nextRoundDelivered) {
      this.nextRoundDelivered = ev.delivered;
      this.roundCount++;
      this.roundStart = true;
      this.endRound();
    }
  }

  /** The round trip just completed: apply its congestion verdict, restart the tallies. */
  private endRound(): void {
    if (this.filledPipe && this.roundIsCongestive()) {
      const cap = Math.max(this.bdp(1), this.roundMaxInflight * BETA, this.minCwnd);
      this.inflightHi = Math.min(this.inflightHi, cap);
    }
    this.roundLostBytes = 0;
    this.roundAckedBytes = 0;
    this.roundMaxRtt = 0;
    this.roundMaxInflight = 0;
  }

  /** BBRv2 PROBE_UP: while probing (gain > 1) without loss, the cap grows with each ack. */
  private growInflightHi(ev: AckEvent): void {
    if (this.inflightHi === Infinity || this.lossInCycle) return;
    const cwndLimited = ev.bytesInFlight + ev.ackedBytes + 2 * this.datagramBytes >= this.inflightHi;
    if (this.mode === 'probeBw' && this.pacingGain > 1 && cwndLimited) {
      this.inflightHi += ev.ackedBytes;
    }
  }

  private updateBtlBw(rate: RateSample | null): void {
    if (rate === null || rate.deliveryRate <= 0) {
      this.btlBwFilter.expire(this.roundCount);
      return;
    }
    // §4.1.1.5: app-limited samples only count when they raise the estimate.
    if (rate.deliveryRate >= this.btlBw || !rate.isAppLimited) {
      this.btlBwFilter.update(rate.deliveryRate, this.roundCount);
    } else {
      this.btlBwFilter.expire(this.roundCount);
    }
  }

  private enterProbeBw(now: number): void {
    this.mode = 'probeBw';
    this.pacingGain = 1;
    this.cwndGain = CWND_GAIN;
    // §4.3.3.5: start at a random phase other than the 0.75 one (here: derived from the seed).
    this.cycleIndex = (2 + (this.seed % 6) + PACING_GAIN_CYCLE.length - 1) % PACING_GAIN_CYCLE.length;
    this.advanceCyclePhase(now);
  }

  private advanceCyclePhase(now: number): void {
    this.cycleStamp = now;
    this.cycleIndex = (this.cycleIndex + 1) % PACING_GAIN_CYCLE.length;
    this.pacingGain = PACING_GAIN_CYCLE[this.cycleIndex];
    this.lossInCycle = false;
  }

  private checkCyclePhase(ev: AckEvent): void {
    if (this.mode !== 'probeBw') return;
    const fullLength = ev.now - this.cycleStamp > this.minRtt;
    const priorInflight = ev.bytesInFlight + ev.ackedBytes;
    let next: boolean;
    if (this.pacingGain === 1) next = fullLength;
    else if (this.pacingGain > 1) next = fullLength && (this.lossInCycle || priorInflight >= this.bdp(this.pacingGain));
    else next = fullLength || priorInflight <= this.bdp(1);
    if (next) this.advanceCyclePhase(ev.now);
  }

  private checkFullPipe(rate: RateSample | null): void {
    if (this.filledPipe || !this.roundStart || rate === null || rate.isAppLimited) return;
    if (this.btlBw >= this.fullBw * FULL_BW_GROWTH) {
      this.fullBw = this.btlBw;
      this.fullBwCount = 0;
      return;
    }
    if (++this.fullBwCount >= FULL_BW_ROUNDS) this.filledPipe = true;
  }

  private checkDrain(ev: AckEvent): void {
    if (this.mode === 'startup' && this.filledPipe) {
      this.mode = 'drain';
      this.pacingGain = DRAIN_GAIN;
      this.cwndGain = HIGH_GAIN;
    }
    if (this.mode === 'drain' && ev.bytesInFlight <= this.bdp(1)) this.enterProbeBw(ev.now);
  }

  private updateMinRtt(ev: AckEvent): void {
    const expired = ev.now > this.minRttStamp + MIN_RTT_FILTER_MS;
    if (ev.rttSample !== null && ev.rttSample >= 0 && (ev.rttSample < this.minRtt || expired)) {
      this.minRtt = ev.rttSample;
      this.minRttStamp = ev.now;
    }
    if (expired && this.mode !== 'probeRtt' && this.minRtt !== Infinity) {
      // §4.3.4: drain to a minimal window briefly so the min RTT can be re-measured.
      this.mode = 'probeRtt';
      this.pacingGain = 1;
      this.cwndGain = 1;
      this.priorCwnd = Math.max(this.priorCwnd, this.cwnd);
      this.probeRttDoneStamp = 0;
    }
    if (this.mode === 'probeRtt') this.handleProbeRtt(ev);
  }

  private handleProbeRtt(ev: AckEvent): void {
    if (this.probeRttDoneStamp === 0 && ev.bytesInFlight <= this.minCwnd) {
      this.probeRttDoneStamp = ev.now + PROBE_RTT_DURATION_MS;
      this.probeRttRoundDone = false;
      this.nextRoundDelivered = ev.delivered;
    } else if (this.probeRttDoneStamp !== 0) {
      if (this.roundStart) this.probeRttRoundDone = true;
      if (this.probeRttRoundDone && ev.now > this.probeRttDoneStamp) {
        this.minRttStamp = ev.now;
        this.cwnd = Math.max(this.cwnd, this.priorCwnd);
        this.priorCwnd = 0;
        if (this.filledPipe) {
          this.enterProbeBw(ev.now);
        } else {
          this.mode = 'startup';
          this.pacingGain = HIGH_GAIN;
          this.cwndGain = HIGH_GAIN;
        }
      }
    }
  }

  private setPacingRate(ev: AckEvent): void {
    if (!this.pacingFromRtt && ev.rtt.hasSample) {
      // First RTT measured: replace the 1 ms guess by the initial window over the real RTT
      // (Linux tcp_bbr.c bbr_init_pacing_rate_from_rtt).
      this.pacingFromRtt = true;
      this.pacingRate = (HIGH_GAIN * this.initialCwnd) / Math.max(ev.rtt.smoothedRtt, 1e-3);
    }
    if (this.btlBw === 0) return;
    const rate = this.pacingGain * this.btlBw;
    if (this.filledPipe || rate > this.pacingRate) this.pacingRate = rate;
  }

  private setCwnd(ev: AckEvent): void {
    const target = this.bdp(this.cwndGain);
    if (this.filledPipe) {
      this.cwnd = Math.min(this.cwnd + ev.ackedBytes, target);
    } else if (this.cwnd < target || ev.delivered < this.initialCwnd) {
      this.cwnd += ev.ackedBytes;
    }
    this.cwnd = Math.max(Math.min(this.cwnd, this.inflightHi), this.minCwnd);
    if (this.mode === 'probeRtt') this.cwnd = Math.min(this.cwnd, this.minCwnd);
  }
}
