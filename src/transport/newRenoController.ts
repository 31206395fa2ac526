/**
 * NewReno as specified for QUIC, RFC 9002 §7 and Appendix B. Kept for comparison with BBR
 * (and as a conservative fallback); pacing per RFC 9002 §7.7 at 1.25 × cwnd / smoothed_rtt.
 */
import type { AckEvent, CongestionController, LossEvent } from './congestionController';
import { initialWindowBytes, MIN_CWND_DATAGRAMS } from './limits';

/** RFC 9002 §7.3.2 kLossReductionFactor. */
const LOSS_REDUCTION_FACTOR = 0.5;
/** RFC 9002 §7.7: pace at N × cwnd / smoothed_rtt with N = 1.25. */
const PACING_FACTOR = 1.25;

export class NewRenoController implements CongestionController {
  readonly name = 'newReno';
  cwnd: number;
  pacingRate = Infinity;
  private ssthresh = Infinity;
  private recoveryStartTime = -Infinity;
  private readonly minWindow: number;

  constructor(private readonly datagramBytes: number) {
    this.cwnd = initialWindowBytes(datagramBytes);
    this.minWindow = MIN_CWND_DATAGRAMS * datagramBytes;
  }

  onPacketSent(): void {}

  onAck(ev: AckEvent): void {
    // RFC 9002 §7.3.2: no increase for packets sent before recovery started.
    if (ev.largestAckedSentTime > this.recoveryStartTime) {
      if (this.cwnd < this.ssthresh) {
        this.cwnd += ev.ackedBytes; // §7.3.1 slow start
      } else {
        this.cwnd += (this.datagramBytes * ev.ackedBytes) / this.cwnd; // §7.3.3 congestion avoidance
      }
    }
    if (ev.rtt.hasSample) this.pacingRate = (PACING_FACTOR * this.cwnd) / Math.max(ev.rtt.smoothedRtt, 1e-3);
  }

  onLoss(ev: LossEvent): void {
    // §7.3.2: one reduction per round trip (losses of packets sent before recovery are ignored).
    if (ev.largestLostSentTime <= this.recoveryStartTime) return;
    this.recoveryStartTime = ev.now;
    this.ssthresh = this.cwnd * LOSS_REDUCTION_FACTOR;
    this.cwnd = Math.max(this.ssthresh, this.minWindow);
  }

  onPersistentCongestion(): void {
    // §7.6.2: collapse to the minimum window.
    this.cwnd = this.minWindow;
    this.recoveryStartTime = -Infinity;
  }
}
