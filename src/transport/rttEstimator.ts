/**
 * Round-trip time estimation, RFC 9002 §5, and the probe timeout of §6.2.1.
 * All values in milliseconds.
 */
import { INITIAL_RTT_MS, TIMER_GRANULARITY_MS } from './limits';

export class RttEstimator {
  /** RFC 9002 §5.1 latest_rtt. 0 until the first sample. */
  latestRtt = 0;
  /** RFC 9002 §5.2 min_rtt. Infinity until the first sample. */
  minRtt = Infinity;
  /** RFC 9002 §5.3 smoothed_rtt; kInitialRtt before the first sample (§6.2.2). */
  smoothedRtt: number;
  /** RFC 9002 §5.3 rttvar; kInitialRtt / 2 before the first sample (§6.2.2). */
  rttVar: number;
  private sampled = false;

  constructor(private readonly initialRtt: number = INITIAL_RTT_MS) {
    this.smoothedRtt = initialRtt;
    this.rttVar = initialRtt / 2;
  }

  get hasSample(): boolean {
    return this.sampled;
  }

  /**
   * Add an RTT sample (RFC 9002 §5.3). `latestRtt` = ack receipt time − send time of the
   * largest newly acknowledged packet; `ackDelay` = the delay the peer reported; it is capped
   * at `maxAckDelay` and subtracted only when that does not take the sample below min_rtt.
   */
  update(latestRtt: number, ackDelay = 0, maxAckDelay = Infinity): void {
    if (!(latestRtt >= 0)) return;
    this.latestRtt = latestRtt;
    if (!this.sampled) {
      // §5.3: the first sample initialises the estimator.
      this.sampled = true;
      this.minRtt = latestRtt;
      this.smoothedRtt = latestRtt;
      this.rttVar = latestRtt / 2;
      return;
    }
    // §5.2: min_rtt ignores ack delay.
    this.minRtt = Math.min(this.minRtt, latestRtt);
    // §5.3: limit ack_delay by max_ack_delay (the handshake is confirmed above this layer).
    const delay = Math.min(Math.max(ackDelay, 0), maxAckDelay);
    let adjusted = latestRtt;
    if (latestRtt >= this.minRtt + delay) adjusted = latestRtt - delay;
    this.rttVar = 0.75 * this.rttVar + 0.25 * Math.abs(this.smoothedRtt - adjusted);
    this.smoothedRtt = 0.875 * this.smoothedRtt + 0.125 * adjusted;
  }

  /**
   * RFC 9002 §6.2.1: PTO = smoothed_rtt + max(4 × rttvar, kGranularity) + max_ack_delay,
   * without backoff (the caller multiplies by 2^pto_count).
   */
  pto(maxAckDelay: number): number {
    return this.smoothedRtt + Math.max(4 * this.rttVar, TIMER_GRANULARITY_MS) + maxAckDelay;
  }

  /** RFC 9002 §6.1.2: max(kTimeThreshold × max(smoothed_rtt, latest_rtt), kGranularity). */
  lossDelay(timeThreshold: number): number {
    return Math.max(timeThreshold * Math.max(this.smoothedRtt, this.latestRtt), TIMER_GRANULARITY_MS);
  }

  /** Forget all samples (a path change or peer restart). */
  reset(): void {
    this.latestRtt = 0;
    this.minRtt = Infinity;
    this.smoothedRtt = this.initialRtt;
    this.rttVar = this.initialRtt / 2;
    this.sampled = false;
  }
}
