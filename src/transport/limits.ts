/**
 * Every size, count and time limit of the transport layer, each with its reason.
 *
 * Units: bytes, counts, and milliseconds (the injected clock `now()` returns milliseconds,
 * fractional values allowed, like `performance.now()`).
 */

// ---------------------------------------------------------------------------------------------
// Datagram budget
// ---------------------------------------------------------------------------------------------

/** Relay header the client layer prepends (routing on a clear header; the relay is not trusted). */
export const RELAY_HEADER_BYTES = 12;
/** Sealing header (key epoch + nonce material) the client layer prepends before the ciphertext. */
export const SEAL_HEADER_BYTES = 12;
/** ChaCha20-Poly1305 authentication tag (RFC 8439 §2.8: 16 bytes). */
export const AEAD_TAG_BYTES = 16;
/**
 * Bytes the client layer adds around every payload this layer produces: relay header + sealing
 * header + AEAD tag. The payload budget of a datagram of `n` bytes is `n - PACKET_OVERHEAD`.
 * All congestion-control and pacing arithmetic counts whole datagrams (payload + overhead),
 * because that is what occupies the path.
 */
export const PACKET_OVERHEAD = RELAY_HEADER_BYTES + SEAL_HEADER_BYTES + AEAD_TAG_BYTES; // 40

/**
 * Default UDP payload size. RFC 9000 §14 / RFC 8899 §5.1.2 (BASE_PLPMTU): 1200 bytes crosses any
 * IPv6 path (1280-byte minimum MTU) and practically every IPv4 path without fragmentation.
 */
export const DEFAULT_DATAGRAM_BYTES = 1200;
/** Ethernet MTU 1500 − 20 (IPv4 header) − 8 (UDP header). */
export const ETHERNET_DATAGRAM_BYTES = 1472;
/** Ethernet MTU 1500 − 40 (IPv6 header) − 8 (UDP header). */
export const ETHERNET_IPV6_DATAGRAM_BYTES = 1452;
/** Larger candidates only help on loopback / jumbo-frame paths or where IP fragmentation works. */
export const FRAGMENTED_DATAGRAM_BYTES_8K = 8192;
export const FRAGMENTED_DATAGRAM_BYTES_16K = 16384;
export const FRAGMENTED_DATAGRAM_BYTES_32K = 32768;
/** Below the IPv4 UDP maximum payload of 65507 (65535 − 20 − 8), with room to spare. */
export const MAX_DATAGRAM_BYTES = 65000;
/** Probe ladder for `DatagramSizeProbe` (RFC 8899 §5.3.2: search upward from BASE_PLPMTU). */
export const DATAGRAM_SIZE_CANDIDATES: readonly number[] = [
  DEFAULT_DATAGRAM_BYTES,
  ETHERNET_DATAGRAM_BYTES,
  FRAGMENTED_DATAGRAM_BYTES_8K,
  FRAGMENTED_DATAGRAM_BYTES_16K,
  FRAGMENTED_DATAGRAM_BYTES_32K,
  MAX_DATAGRAM_BYTES,
];
/** RFC 8899 §5.1.2 MAX_PROBES: attempts per candidate size before it is declared unusable. */
export const MAX_PROBES = 3;
/**
 * How long a size probe may stay unanswered. RFC 8899 §5.1.1 leaves PROBE_TIMER to the
 * implementation (15 s is suggested for slow paths); peers here are one relay hop apart
 * (sub-ms to tens of ms), so half a second keeps a failed search under 2 s per size.
 */
export const PROBE_TIMEOUT_MS = 500;

// ---------------------------------------------------------------------------------------------
// Frames
// ---------------------------------------------------------------------------------------------

/**
 * Largest chat/control message. 1024 bytes + MSG header (7) + an MSG_ACK with up to 15 ranges
 * (126) fit a 1200-byte datagram after PACKET_OVERHEAD (1160-byte payload budget).
 */
export const MAX_MESSAGE_BYTES = 1024;
/** MSG_ACK carries at most this many ranges beyond `next` (8 bytes each: 128 bytes max). */
export const MAX_MSG_ACK_RANGES = 16;
/**
 * XFER_ACK carries at most this many pn ranges (RFC 9000 §13.2.3 lets a receiver limit the
 * ranges it reports). 32 ranges ≈ 150 packets of history at 20 % loss, 274 bytes of frame.
 */
export const MAX_XFER_ACK_RANGES = 32;
/** Opaque (client-layer) frames are length-prefixed with a u16. */
export const MAX_OPAQUE_BODY_BYTES = 0xffff;

// ---------------------------------------------------------------------------------------------
// RTT and loss detection (RFC 9002)
// ---------------------------------------------------------------------------------------------

/** RFC 9002 §6.2.2 kInitialRtt: RTT assumed before the first sample. */
export const INITIAL_RTT_MS = 333;
/** RFC 9002 §6.1.2 kGranularity: timer granularity, and floor of the RTT variation term. */
export const TIMER_GRANULARITY_MS = 1;
/** RFC 9002 §6.1.1 kPacketThreshold: reordering tolerated before a packet is declared lost. */
export const PACKET_THRESHOLD = 3;
/** RFC 9002 §6.1.2 kTimeThreshold: 9/8 of max(smoothed_rtt, latest_rtt). */
export const TIME_THRESHOLD = 9 / 8;
/** RFC 9002 §7.6.1 kPersistentCongestionThreshold. */
export const PERSISTENT_CONGESTION_THRESHOLD = 3;

// ---------------------------------------------------------------------------------------------
// Reliable channel (chat and control)
// ---------------------------------------------------------------------------------------------

/**
 * Longest a received message waits for its ack when nothing else is due (piggybacked acks and
 * out-of-order arrivals are acked at once). RFC 9000 §13.2.1 allows delaying acks up to
 * max_ack_delay; chat wants latency, so a few ms only.
 */
export const CHANNEL_ACK_DELAY_MS = 5;
/** RFC 9000 §13.2.2: ack at least every second ack-eliciting packet. */
export const CHANNEL_ACK_EVERY_MESSAGES = 2;
/** Messages sent but not yet acknowledged (the sequence-span window). */
export const CHANNEL_MAX_IN_FLIGHT = 64;
/**
 * Out-of-order messages a receiver buffers (seq < next + this); anything further is dropped
 * unacknowledged. Must be ≥ any sender's in-flight window so a well-behaved sender never loses.
 */
export const CHANNEL_REORDER_BUFFER = 256;
/**
 * Cap of the retransmission timeout after exponential backoff. RFC 6298 §2.5 allows a cap
 * (≥ 60 s) for TCP; chat messages are small and few, and after a stretch of loss (a relay
 * restart, a flaky Wi-Fi) a 10 s cap left users waiting up to 10 s for a message that the path
 * could already carry. The peer's liveness is judged separately (presence, keepalives).
 */
export const CHANNEL_MAX_RTO_MS = 2_000;
/** No ack progress for this long while messages are outstanding → `onUnresponsive`. */
export const CHANNEL_UNRESPONSIVE_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Transfer engine
// ---------------------------------------------------------------------------------------------

/**
 * max_ack_delay of a transfer receiver (RFC 9000 §13.2.1 / §18.2: 25 ms default). Peers are one
 * relay hop apart with sub-ms to tens-of-ms RTTs; 25 ms would dominate the PTO, and the delayed
 * ack timer only matters at tails since every second packet is acked at once.
 */
export const XFER_MAX_ACK_DELAY_MS = 5;
/**
 * Ack after this many ack-eliciting packets (RFC 9000 §13.2.2: two), counted within what one
 * event-loop turn reads: the receiver sends its ack when that turn's datagrams are handled
 * (TransferReceiver.onData), so a batch read at once gets one ack however long it is. That
 * keeps the ack count low exactly when CPU is short (at 1200-byte datagrams on 2 cores, one ack
 * per 2 packets made acks a third of all datagrams) without holding any ack on a timer. A
 * fixed stretch (one ack per 8 packets) was tried and collapsed BBR: with a small cwnd the
 * 8th packet never came, every ack waited for XFER_MAX_ACK_DELAY_MS, and the RTT samples and
 * delivery rate that BBR's model is made of fell with it.
 */
export const XFER_ACK_EVERY_PACKETS = 2;
/**
 * …but never more than this many packets in one ack, even within one read batch: with a
 * single ack per batch of 32, one lost ack left the sender without feedback for a whole
 * flight and it waited for a probe timeout (4-6 PTOs per 32 MiB at 5 % loss; 1-2 at 8, mostly the tail).
 */
export const XFER_ACK_BATCH_MAX_PACKETS = 8;
/**
 * pn ranges a receiver remembers (its ack history). Older ones are forgotten: their packets were
 * reported in many earlier acks already.
 */
export const XFER_TRACKED_PN_RANGES = 256;
/**
 * A transfer packet number more than this far beyond the largest received is not believed (a
 * record fragment's clear header corrupted in transit): a million packets lost in a row is not
 * a transfer still running.
 */
export const MAX_PN_JUMP = 1 << 20;
/**
 * An incomplete receiver that hears nothing re-sends its ack (credit) with backoff from
 * XFER_ACK_REPEAT_MIN_MS to XFER_ACK_REPEAT_MAX_MS, so a lost window update or a lost first
 * ack cannot stall a sender that has nothing in flight (RFC 9000 §4.1 leaves blocked-sender
 * recovery to the implementation).
 */
export const XFER_ACK_REPEAT_MIN_MS = 20;
export const XFER_ACK_REPEAT_MAX_MS = 1000;
/** A transfer with no acknowledgment (sender) or no data (receiver) for this long fails: TIMEOUT. */
export const TRANSFER_IDLE_TIMEOUT_MS = 30_000;
/**
 * Cap of the transfer probe timeout after backoff (RFC 9002 §6.2.1 has no cap; the idle
 * timeout bounds the total). A few seconds keeps a recovered path from idling for long.
 */
export const TRANSFER_MAX_PTO_MS = 4_000;
/**
 * Consecutive PTOs without any acknowledgment, at a datagram size above the default, on a path
 * that acknowledged a packet before (the count restarts per path), after which
 * the sender fails with DATAGRAM_TOO_BIG so the caller restarts at DEFAULT_DATAGRAM_BYTES
 * (RFC 8899 §4.3 black-hole detection).
 */
export const BLACK_HOLE_PTO_COUNT = 4;
/**
 * Read-ahead memory per sender: a fixed pool of datagram buffers, whatever the file size.
 * 1 MiB covers ~5 ms at 190 MB/s, enough to hide disk latency behind the socket.
 */
export const READ_AHEAD_BYTES = 1 << 20;
export const READ_AHEAD_MIN_BUFFERS = 8;
export const READ_AHEAD_MAX_BUFFERS = 512;
/** Smallest receiver window, in chunks, whatever the caller asks (a window of 1 stalls on a hole). */
export const MIN_RECEIVE_WINDOW_CHUNKS = 8;
/** `progress` events are throttled to one per interval (plus one at the end). */
export const PROGRESS_INTERVAL_MS = 100;
/** Largest chunk index + 1 (chunk indices are u32 on the wire). */
export const MAX_CHUNK_COUNT = 0xffffffff;

// ---------------------------------------------------------------------------------------------
// Congestion control and pacing
// ---------------------------------------------------------------------------------------------

/** RFC 9002 §7.2: initial window min(10 × max_datagram_size, max(2 × max_datagram_size, 14720)). */
export function initialWindowBytes(datagramBytes: number): number {
  return Math.min(10 * datagramBytes, Math.max(2 * datagramBytes, 14720));
}
/** RFC 9002 §7.2 kMinimumWindow: 2 datagrams; BBR uses 4 (draft-cardwell-iccrg-bbr §4.3.4.2). */
export const MIN_CWND_DATAGRAMS = 4;
/**
 * Token-bucket depth of a pacer, in time at the pacing rate. Node timers fire with ~1 ms
 * granularity and the event loop batches I/O, so a bucket shallower than ~2 ms of rate would
 * throw tokens away between wake-ups and cap throughput below the pacing rate.
 */
export const PACER_BURST_MS = 2;
/** …and never shallower than a few datagrams, so a slow flow still sends small bursts. */
export const PACER_MIN_BURST_DATAGRAMS = 4;
/**
 * Most bulk datagrams (and bytes) the SendScheduler sends in one event-loop turn before it
 * yields (setImmediate) so that acks, incoming data, the user's typing and chat get their
 * turn. Sealing and sending costs ~50 µs per 1200-byte datagram and ~100 µs per 65,000-byte
 * one, so this bounds a turn to ~1.5 ms; without it a turn lasted as long as the pacer's burst
 * allowed, which an overestimated bandwidth (BBR's max filter on a CPU-bound path) made
 * 20 ms and more, and every chat message behind it waited as long.
 */
export const PUMP_TURN_MAX_DATAGRAMS = 32;
export const PUMP_TURN_MAX_BYTES = 1024 * 1024;
