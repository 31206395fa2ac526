/**
 * Congestion control interface of the transfer engine, and the factory of its implementations.
 *
 * Why a BBR-style model by default (for docs/protocol.md)
 * -------------------------------------------------------
 * Loss-based controllers (NewReno, RFC 9002 §7; CUBIC) read every loss as congestion and cut
 * their window. Peer Chat traffic crosses Wi-Fi, VPNs and a user-space relay whose socket
 * buffers overflow in bursts, so random loss of a few percent is normal; at 5 % random loss
 * NewReno's window settles near 1.2/√p ≈ 5 datagrams per RTT (Mathis et al.) whatever the
 * link, and in our simulator it moves 0.3 MB/s over a 20 MB/s, 20 ms path (BBR: 13 MB/s).
 * BBR (draft-cardwell-iccrg-bbr-congestion-control) instead models the path — bottleneck
 * bandwidth as the max of recent delivery-rate samples (draft-cheng-iccrg-delivery-rate-
 * estimation), propagation delay as the min RTT — and paces at gain × bandwidth with
 * cwnd = 2 × BDP. Random loss barely moves either estimate, so throughput degrades in
 * proportion to the loss, not to 1/√loss. It still backs off on real congestion: a competing
 * flow lowers the delivery-rate samples and the 10-round max filter forgets the old rate; a
 * round trip that loses > 2 % AND shows a queue (RTT ≥ 1.25 × min RTT) is congestive and caps
 * the data in flight at 0.7 × what it was (BBRv2's inflight_hi; random loss comes with an
 * empty queue and is not punished); lost bytes leave cwnd; persistent congestion (RFC 9002
 * §7.6) collapses cwnd. Pacing at the modelled rate keeps the relay's queue short, which is
 * also what keeps chat latency low while a file moves. NewReno stays behind this interface
 * for comparison.
 */
import type { RttEstimator } from './rttEstimator';
import { BbrController } from './bbrController';
import { NewRenoController } from './newRenoController';

/** One delivery-rate sample (draft-cheng-iccrg-delivery-rate-estimation §3.3). */
export interface RateSample {
  /** Bytes per ms over the sample interval; 0 when the sample is not valid. */
  deliveryRate: number;
  /** The sampled packet was sent while the sender was application-limited. */
  isAppLimited: boolean;
  /** Connection `delivered` count when the sampled packet was sent (for round counting). */
  priorDelivered: number;
  /** Bytes delivered over the interval. */
  delivered: number;
  /** Sample interval, ms. */
  interval: number;
}

export interface AckEvent {
  now: number;
  /** Wire bytes newly acknowledged by this ack. */
  ackedBytes: number;
  /** Bytes in flight after this ack was processed. */
  bytesInFlight: number;
  /** Connection-level total of delivered bytes after this ack. */
  delivered: number;
  /** RTT sample taken from this ack (RFC 9002 §5.1), or null. */
  rttSample: number | null;
  /** The peer's reported ack delay for that sample, capped at its max_ack_delay (ms). */
  ackDelay: number;
  rtt: RttEstimator;
  rate: RateSample | null;
  /** Send time of the largest newly acknowledged packet. */
  largestAckedSentTime: number;
}

export interface LossEvent {
  now: number;
  /** Wire bytes newly declared lost. */
  lostBytes: number;
  bytesInFlight: number;
  /** Send time of the most recently sent of the lost packets. */
  largestLostSentTime: number;
}

export interface CongestionController {
  readonly name: string;
  /** Congestion window, bytes. */
  readonly cwnd: number;
  /** Pacing rate, bytes per ms (Infinity: do not pace). */
  readonly pacingRate: number;
  onPacketSent(now: number, bytes: number, bytesInFlight: number): void;
  onAck(ev: AckEvent): void;
  onLoss(ev: LossEvent): void;
  /** RFC 9002 §7.6.2: all packets over a long span were lost. */
  onPersistentCongestion(now: number): void;
}

export type CongestionControlKind = 'bbr' | 'newReno';

export function createCongestionController(
  kind: CongestionControlKind,
  datagramBytes: number,
  seed = 0,
): CongestionController {
  switch (kind) {
    case 'bbr':
      return new BbrController(datagramBytes, seed);
    case 'newReno':
      return new NewRenoController(datagramBytes);
  }
}
