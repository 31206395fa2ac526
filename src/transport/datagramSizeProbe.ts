/**
 * Datagram size probing in the style of DPLPMTUD (RFC 8899).
 *
 * `DatagramSizeProbe` is the pure state machine: starting from the base size
 * (DEFAULT_DATAGRAM_BYTES, assumed to work, RFC 8899 §5.1.2 BASE_PLPMTU), it proposes the next
 * larger candidate (DATAGRAM_SIZE_CANDIDATES), one probe outstanding at a time; an ack confirms
 * that size and moves on; MAX_PROBES unanswered probes of one size end the search
 * (RFC 8899 §5.2 SEARCH_COMPLETE) at the largest confirmed size. A late ack still confirms its
 * size. `onBlackHole()` drops back to the base (RFC 8899 §4.3).
 *
 * `DatagramSizeProber` drives it: it sends XFER_PROBE frames padded to the probed size (alone
 * in their datagram), times them out after PROBE_TIMEOUT_MS, feeds XFER_PROBE_ACKs back, and
 * reports the result. Probe once per peer path (e.g. after the handshake), then create
 * transfers with `chunkSizeForDatagram(prober.size)`. Sizes above the path MTU are IP-fragmented,
 * and one lost fragment loses the whole datagram, so `datagramSizeCeiling` allows them only
 * where nothing can lose a fragment (the relay on loopback); a transfer whose path later stops
 * carrying its size fails with DATAGRAM_TOO_BIG and is restarted at the base size (see
 * transferSender.ts).
 */
import { Frame, XFER_PROBE_HEADER_BYTES, XferProbeAckFrame } from './frames';
import {
  DATAGRAM_SIZE_CANDIDATES,
  ETHERNET_DATAGRAM_BYTES,
  ETHERNET_IPV6_DATAGRAM_BYTES,
  MAX_DATAGRAM_BYTES,
  MAX_PROBES,
  PACKET_OVERHEAD,
  PROBE_TIMEOUT_MS,
} from './limits';

/**
 * The largest datagram a size probe may confirm on a path through the relay at `relayHost` (as
 * configured: an IP literal or a host name), for the prober's `maxSize` and for the receiving
 * side, which leaves larger probes unanswered.
 *
 * Above the link MTU a datagram travels as IP fragments, and losing any one fragment loses the
 * whole datagram: at 1 % packet loss a 65,000-byte datagram (45 fragments at MTU 1500) is lost
 * 36 % of the time, and the transfer stalls into DATAGRAM_TOO_BIG. Fragmentation is known to be
 * lossless only on the loopback interface (MTU 64 KiB, nothing to drop a fragment), i.e. with
 * the relay on this machine; a peer that reaches the same relay from elsewhere caps its own
 * side, so large datagrams are used only when both hops are loopback. Everywhere else: what one
 * Ethernet-sized packet carries (IPv4 1472, IPv6 1452 bytes), assuming nothing about larger MTUs.
 */
export function datagramSizeCeiling(relayHost: string): number {
  const h = relayHost.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const loopback = h === 'localhost' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::1' || h === '0:0:0:0:0:0:0:1';
  if (loopback) return MAX_DATAGRAM_BYTES;
  // The client opens an IPv6 socket exactly when the relay's address has a colon.
  return h.includes(':') ? ETHERNET_IPV6_DATAGRAM_BYTES : ETHERNET_DATAGRAM_BYTES;
}

export interface ProbeRequest {
  probeId: number;
  /** Datagram size to probe (payload + PACKET_OVERHEAD). */
  size: number;
}

export interface DatagramSizeProbeOptions {
  /** Ascending sizes; the first is the base, assumed to work. Default DATAGRAM_SIZE_CANDIDATES. */
  candidates?: readonly number[];
  /** Largest size worth trying (e.g. a local limit); candidates above are dropped. */
  maxSize?: number;
  /** Attempts per size (default MAX_PROBES, RFC 8899 §5.1.2). */
  maxProbes?: number;
}

export class DatagramSizeProbe {
  private readonly candidates: readonly number[];
  private readonly maxProbes: number;
  private confirmed: number;
  private tryIndex = 1;
  private attempts = 0;
  private outstanding: ProbeRequest | null = null;
  private readonly sent = new Map<number, number>();
  private nextId = 1;
  private finished = false;

  constructor(opts: DatagramSizeProbeOptions = {}) {
    const max = opts.maxSize ?? Infinity;
    const list = (opts.candidates ?? DATAGRAM_SIZE_CANDIDATES).filter((s, i) => i === 0 || s <= max);
    for (let i = 1; i < list.length; i++) {
      if (!(list[i] > list[i - 1])) throw new RangeError('candidate sizes must be ascending');
    }
    if (list.length === 0 || list[0] <= PACKET_OVERHEAD + XFER_PROBE_HEADER_BYTES) {
      throw new RangeError('the base size must leave room for a probe frame');
    }
    this.candidates = list;
    this.maxProbes = opts.maxProbes ?? MAX_PROBES;
    this.confirmed = list[0];
    this.finished = list.length === 1;
  }

  /** Largest confirmed datagram size. */
  get size(): number {
    return this.confirmed;
  }

  /** The search is over (every candidate confirmed, or one failed MAX_PROBES times). */
  get done(): boolean {
    return this.finished;
  }

  /** The probe to send now, or null (one is outstanding, or the search is done). */
  next(): ProbeRequest | null {
    if (this.finished || this.outstanding !== null) return null;
    const req = { probeId: this.nextId++, size: this.candidates[this.tryIndex] };
    this.attempts++;
    this.outstanding = req;
    this.sent.set(req.probeId, req.size);
    return req;
  }

  /** A probe was acknowledged (late acks of earlier attempts count too). */
  onAck(probeId: number): void {
    const size = this.sent.get(probeId);
    if (size === undefined) return;
    this.sent.delete(probeId);
    if (size <= this.confirmed) return;
    this.confirmed = size;
    if (this.outstanding !== null && this.outstanding.size <= size) this.outstanding = null;
    while (this.tryIndex < this.candidates.length && this.candidates[this.tryIndex] <= size) {
      this.tryIndex++;
      this.attempts = 0;
    }
    if (this.tryIndex >= this.candidates.length) this.finished = true;
  }

  /** The outstanding probe went unanswered for PROBE_TIMEOUT_MS. */
  onTimeout(probeId: number): void {
    if (this.outstanding === null || this.outstanding.probeId !== probeId) return;
    this.outstanding = null;
    if (this.attempts >= this.maxProbes) this.finished = true; // RFC 8899 §5.3.2: stop here
  }

  /** The confirmed size stopped working (RFC 8899 §4.3): back to the base, search over. */
  onBlackHole(): void {
    this.confirmed = this.candidates[0];
    this.outstanding = null;
    this.finished = true;
  }
}

/** Padding that makes an XFER_PROBE datagram exactly `size` bytes on the wire. */
export function probePaddingFor(size: number): number {
  return size - PACKET_OVERHEAD - XFER_PROBE_HEADER_BYTES;
}

export interface DatagramSizeProberOptions {
  /** Transfer id carried by the probes (any u32 the receiving side routes to its answerer). */
  transferId: number;
  now(): number;
  /** Send one datagram holding exactly these frames. */
  transmit(frames: Frame[]): void;
  probe?: DatagramSizeProbe;
  /** Default PROBE_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Called once when the search is over, with the largest confirmed size. */
  onDone?: (size: number) => void;
}

export class DatagramSizeProber {
  readonly probe: DatagramSizeProbe;
  private readonly opts: DatagramSizeProberOptions;
  private pending: { probeId: number; deadline: number } | null = null;
  private started = false;
  private reported = false;

  constructor(opts: DatagramSizeProberOptions) {
    this.opts = opts;
    this.probe = opts.probe ?? new DatagramSizeProbe();
  }

  get size(): number {
    return this.probe.size;
  }

  get done(): boolean {
    return this.probe.done;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.sendNext();
  }

  onProbeAck(frame: XferProbeAckFrame): void {
    if (frame.transferId !== this.opts.transferId) return;
    this.probe.onAck(frame.probeId);
    if (this.pending !== null && this.pending.probeId === frame.probeId) this.pending = null;
    this.sendNext();
  }

  nextTimerAt(): number | null {
    return this.pending?.deadline ?? null;
  }

  onTimer(): void {
    const p = this.pending;
    if (p === null || p.deadline > this.opts.now()) return;
    this.pending = null;
    this.probe.onTimeout(p.probeId);
    this.sendNext();
  }

  private sendNext(): void {
    if (!this.started) return;
    const req = this.probe.next();
    if (req === null) {
      if (this.probe.done && !this.reported) {
        this.pending = null;
        this.reported = true;
        this.opts.onDone?.(this.probe.size);
      }
      return;
    }
    this.pending = { probeId: req.probeId, deadline: this.opts.now() + (this.opts.timeoutMs ?? PROBE_TIMEOUT_MS) };
    this.opts.transmit([
      { type: 'xferProbe', transferId: this.opts.transferId, probeId: req.probeId, padding: probePaddingFor(req.size) },
    ]);
  }
}
