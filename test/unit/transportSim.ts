/**
 * Deterministic in-memory network for transport tests: a virtual clock, a seeded PRNG, and
 * one-way links with loss, duplication, reordering, propagation delay, a bandwidth limit and
 * a bounded FIFO queue (tail drop), so congestion is real. Transport objects are driven by
 * polling their `nextTimerAt()` / `onTimer()`; continuations of the asynchronous reads and
 * writes handed to them (`Sim.track`) run between events, while virtual time stands still.
 */
import { ChunkMap } from '../../src/transport/chunkMap';
import { decodeFrames, encodeFrames, Frame, MsgAckFrame, MsgFrame, XFER_DATA_HEADER_BYTES, XferDataFrame } from '../../src/transport/frames';
import { DEFAULT_DATAGRAM_BYTES, PACKET_OVERHEAD } from '../../src/transport/limits';
import { ReliableChannel } from '../../src/transport/reliableChannel';
import { TransferReceiver } from '../../src/transport/transferReceiver';
import { TransferSender, TransferSenderOptions } from '../../src/transport/transferSender';
import type { SendScheduler } from '../../src/transport/sendScheduler';
import { PacketOpener, PacketSealer } from '../../src/crypto/aead';
import { Kind } from '../../src/protocol/header';
import { MAGIC } from '../../src/protocol/limits';
import { RECORD_PREFIX_BYTES, RecordFragment, SEAL_TAG_BYTES, readRecordFragment, recordAad, writeRecordFragment } from '../../src/protocol/peerPackets';
import { RecordAssembler } from '../../src/client/recordAssembler';
import { MAX_RESEND_CHUNKS, RESEND_NO_RECORD } from '../../src/protocol/controlMessages';
import type { SealedRecord } from '../../src/transport/transferSender';

/** mulberry32: small, fast, deterministic. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) out.writeUInt32LE(Math.floor(this.next() * 4294967296), i);
    for (; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

export interface TimerTarget {
  nextTimerAt(): number | null;
  onTimer(): void;
}

export interface LinkOptions {
  /** One-way propagation delay. */
  delayMs: number;
  /** Random extra delay in [0, jitterMs) per datagram (does not reorder by itself much). */
  jitterMs?: number;
  /** Probability a datagram is lost on the wire (after the queue). */
  loss?: number;
  /** Probability a datagram is delivered twice. */
  duplicate?: number;
  /** Probability a datagram is held back by an extra random delay up to reorderDelayMs. */
  reorder?: number;
  reorderDelayMs?: number;
  /** Bottleneck rate in bytes per ms (wire bytes: payload + PACKET_OVERHEAD). Infinity = none. */
  bytesPerMs?: number;
  /** Bottleneck queue capacity in wire bytes (tail drop beyond). */
  queueBytes?: number;
}

export interface LinkStats {
  sent: number;
  delivered: number;
  lostOnWire: number;
  droppedByQueue: number;
  duplicated: number;
  maxQueueBytes: number;
}

interface Event {
  at: number;
  order: number;
  run: () => void;
}

export class Link {
  readonly stats: LinkStats = {
    sent: 0,
    delivered: 0,
    lostOnWire: 0,
    droppedByQueue: 0,
    duplicated: 0,
    maxQueueBytes: 0,
  };
  /** Called for every datagram offered to the link (before loss), with a private copy. */
  tap: ((payload: Buffer) => void) | null = null;
  private busyUntil = 0;

  constructor(
    private readonly sim: Sim,
    public opts: LinkOptions,
    private readonly deliver: (payload: Buffer) => void,
  ) {}

  /** Offer a payload (the link copies it: senders may reuse their buffer). */
  send(payload: Buffer, length = payload.length): void {
    const copy = Buffer.from(payload.subarray(0, length));
    const sim = this.sim;
    const o = this.opts;
    this.stats.sent++;
    this.tap?.(copy);
    // A PEER_RECORD datagram (records) is whole already; frame payloads get the client's overhead.
    const wire = copy[0] === MAGIC ? copy.length : copy.length + PACKET_OVERHEAD;
    let departAt = sim.now;
    const rate = o.bytesPerMs ?? Infinity;
    if (rate !== Infinity) {
      const queued = Math.max(0, this.busyUntil - sim.now) * rate;
      if (queued + wire > (o.queueBytes ?? Infinity)) {
        this.stats.droppedByQueue++;
        return;
      }
      this.stats.maxQueueBytes = Math.max(this.stats.maxQueueBytes, queued + wire);
      this.busyUntil = Math.max(this.busyUntil, sim.now) + wire / rate;
      departAt = this.busyUntil;
    }
    if (sim.rng.next() < (o.loss ?? 0)) {
      this.stats.lostOnWire++;
      return;
    }
    const copies = sim.rng.next() < (o.duplicate ?? 0) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let c = 0; c < copies; c++) {
      let at = departAt + o.delayMs + (o.jitterMs ? sim.rng.next() * o.jitterMs : 0);
      if (sim.rng.next() < (o.reorder ?? 0)) at += sim.rng.next() * (o.reorderDelayMs ?? o.delayMs);
      sim.schedule(at, () => {
        this.stats.delivered++;
        this.deliver(copy);
      });
    }
  }
}

export class Sim {
  now = 0;
  readonly rng: Prng;
  private readonly heap: Event[] = [];
  private order = 0;
  private readonly targets = new Set<TimerTarget>();
  steps = 0;

  constructor(seed: number) {
    this.rng = new Prng(seed);
  }

  readonly clock = (): number => this.now;

  /** Asynchronous operations (reads, writes) whose continuations have not run yet. */
  private pendingAsync = 0;

  /** Track a promise handed to the code under test, so `run` lets its continuations run. */
  track<T>(p: Promise<T>): Promise<T> {
    this.pendingAsync++;
    const done = () => {
      this.pendingAsync--;
    };
    p.then(done, done);
    return p;
  }

  /**
   * Let promise continuations (and anything they chain) run; virtual time does not move.
   * Microtask turns only: a macrotask turn per step would make simulations slow.
   */
  private async settle(): Promise<void> {
    if (this.pendingAsync === 0) return;
    for (let spins = 0; spins < 1000 && this.pendingAsync > 0; spins++) await null;
    for (let i = 0; i < 4; i++) await null;
  }

  schedule(at: number, run: () => void): void {
    const ev: Event = { at: Math.max(at, this.now), order: this.order++, run };
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (before(h[p], ev)) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = ev;
  }

  link(opts: LinkOptions, deliver: (payload: Buffer) => void): Link {
    return new Link(this, opts, deliver);
  }

  addTimers(t: TimerTarget): void {
    this.targets.add(t);
  }

  removeTimers(t: TimerTarget): void {
    this.targets.delete(t);
  }

  /**
   * Run events and timers until `done()` (checked between steps) or virtual time passes
   * `maxTimeMs` (throws: the test's condition was not met).
   */
  async run(done: () => boolean, maxTimeMs: number, maxSteps = 5_000_000): Promise<void> {
    for (;;) {
      await this.settle();
      if (done()) return;
      if (++this.steps > maxSteps) throw new Error(`simulation exceeded ${maxSteps} steps`);
      let timerAt = Infinity;
      for (const t of this.targets) {
        const at = t.nextTimerAt();
        if (at !== null && at < timerAt) timerAt = at;
      }
      const eventAt = this.heap.length > 0 ? this.heap[0].at : Infinity;
      const next = Math.min(timerAt, eventAt);
      if (next === Infinity) throw new Error(`simulation stalled at ${this.now.toFixed(3)} ms: nothing scheduled`);
      if (next > maxTimeMs) throw new Error(`simulation passed ${maxTimeMs} ms of virtual time without finishing`);
      if (next > this.now) this.now = next;
      if (eventAt <= timerAt) {
        this.pop().run();
      } else {
        for (const t of [...this.targets]) {
          const at = t.nextTimerAt();
          if (at !== null && at <= this.now) t.onTimer();
        }
      }
    }
  }

  /** Run until virtual time `t` (events and timers at ≤ t are processed). */
  async runUntil(t: number): Promise<void> {
    this.schedule(t, () => {});
    let reached = false;
    this.schedule(t, () => {
      reached = true;
    });
    await this.run(() => reached, t + 1);
  }

  private pop(): Event {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let mv = last;
        if (l < h.length && before(h[l], mv)) {
          m = l;
          mv = h[l];
        }
        if (r < h.length && before(h[r], mv)) {
          m = r;
          mv = h[r];
        }
        if (m === i) break;
        h[i] = h[m];
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}


// ---------------------------------------------------------------------------------------------
// Two clients A → B joined by a forward link (data, chat) and a return link (acks), with
// transfers and an optional chat channel dispatched by frame type, as the client layer will.


export interface TransferSpec {
  transferId: number;
  totalBytes: number;
  chunkSize?: number;
  have?: ChunkMap;
  windowBytes?: number;
  /** Virtual time a positional write takes. */
  writeDelayMs?: number;
  congestionControl?: TransferSenderOptions['congestionControl'];
  /** Source bytes (default: random). Not kept for huge sparse files: see `source`. */
  source?: (offset: number, into: Buffer, at: number, length: number) => void;
  /** Observe every positional write (chunk, bytes) as the receiver issues it. */
  sink?: (chunk: number, data: Buffer) => void;
  /** Credit the sender starts with (default 0: it waits for the receiver's first ack). */
  initialMaxChunk?: number;
  /**
   * Seal chunks this many at a time (records, as the client does at small datagram sizes):
   * real ChaCha20-Poly1305 and the real PEER_RECORD wire format, opened at B by a RecordAssembler.
   */
  records?: number;
  /** TransferSenderOptions.smallDatagramsGetThrough (absent: every probe timeout counts). */
  smallDatagramsGetThrough?: (since: number) => boolean;
  /** Records: RecordAssemblerOptions.maxFailures. */
  maxRecordFailures?: number;
  /** Records: how long a FILE_RESEND takes to reach A (default: the back path's delay). */
  resendDelayMs?: number;
  /** Records: how long a record may stop growing before B gives it up (default 5 s, as the client). */
  recordStallMs?: number;
}

/** A record as the sim's sealer made it. */
interface SimRecord extends SealedRecord {
  record: number;
  chunks: number[];
  parts: Buffer[];
  tag: Buffer;
}

export interface TransferUnderTest {
  spec: TransferSpec;
  sender: TransferSender;
  receiver: TransferReceiver;
  /** Bytes as written by the receiver (only for files that fit memory). */
  dest: Buffer | null;
  src: Buffer | null;
  /** Chunk indices carried by each XFER_DATA the sender transmitted (in order). */
  sentChunks: number[];
  /** Largest credit the sender had been told when it transmitted each datagram. */
  creditViolations: number;
  /** Largest maxChunk delivered to the sender so far. */
  creditSeen: number;
  done: boolean;
  complete: boolean;
  failed: [string, string] | null;
  /** Data bytes of this transfer delivered to B, with their virtual arrival times. */
  arrivals: Array<[time: number, bytes: number]>;
  /** Records: chunks sealed, counted once per seal (a chunk sealed twice counts twice). */
  chunksSealed: number;
  /** Records: B's assembler. */
  assembler: RecordAssembler | null;
  /** Records: the FILE_RESENDs B asked for (record, staged chunks). */
  resendRequests: Array<[record: number, chunks: number[]]>;
}

export class TwoClients {
  readonly forward: Link;
  readonly back: Link;
  readonly transfers = new Map<number, TransferUnderTest>();
  /** Chat channels of A and B, when `addChat` was called. */
  chatA: ReliableChannel | null = null;
  chatB: ReliableChannel | null = null;
  scheduler: SendScheduler | null = null;

  private readonly backOptions: LinkOptions;

  constructor(
    readonly sim: Sim,
    forward: LinkOptions,
    back: LinkOptions,
  ) {
    this.backOptions = back;
    this.forward = sim.link(forward, (p) => this.atB(p));
    this.back = sim.link(back, (p) => this.atA(p));
  }

  /** Send from A through the scheduler when there is one (chat first), else straight. */
  sendFromA(payload: Buffer, length = payload.length, chat = false): void {
    if (chat && this.scheduler) this.scheduler.transmitNow(payload, length);
    else this.forward.send(payload, length);
  }

  /** Chat channels on both sides; A's datagrams go through the scheduler's chat lane if any. */
  addChat(onDeliverAtB: (data: Buffer) => void, onDeliverAtA: (data: Buffer) => void = () => {}): void {
    const maxPayloadBytes = DEFAULT_DATAGRAM_BYTES - PACKET_OVERHEAD;
    this.chatA = new ReliableChannel({
      now: this.sim.clock,
      maxPayloadBytes,
      transmit: (frames) => this.sendFromA(encodeFrames(frames), undefined, true),
      deliver: onDeliverAtA,
    });
    this.chatB = new ReliableChannel({
      now: this.sim.clock,
      maxPayloadBytes,
      transmit: (frames) => this.back.send(encodeFrames(frames)),
      deliver: onDeliverAtB,
    });
    this.sim.addTimers(this.chatA);
    this.sim.addTimers(this.chatB);
  }

  addTransfer(spec: TransferSpec): TransferUnderTest {
    const sim = this.sim;
    const back = this.backOptions;
    const chunkSize = spec.chunkSize ?? DEFAULT_DATAGRAM_BYTES - PACKET_OVERHEAD - XFER_DATA_HEADER_BYTES;
    const inMemory = spec.totalBytes <= 64 << 20;
    const src = inMemory && !spec.source ? sim.rng.bytes(spec.totalBytes) : null;
    const dest = inMemory ? Buffer.alloc(spec.totalBytes) : null;
    if (dest && src && spec.have) {
      // Resume: the .part file already holds the chunks the map says it has.
      for (let c = 0; c < spec.have.size; c++) {
        if (spec.have.has(c)) src.copy(dest, c * chunkSize, c * chunkSize, Math.min(spec.totalBytes, (c + 1) * chunkSize));
      }
    }
    const t: TransferUnderTest = {
      spec,
      sender: null as unknown as TransferSender,
      receiver: null as unknown as TransferReceiver,
      dest,
      src,
      sentChunks: [],
      creditViolations: 0,
      creditSeen: 0,
      done: false,
      complete: false,
      failed: null,
      arrivals: [],
      chunksSealed: 0,
      assembler: null,
      resendRequests: [],
    };
    let records: TransferSenderOptions['records'];
    if (spec.records) {
      const key = sim.rng.bytes(32);
      const iv = sim.rng.bytes(12);
      const sealer = new PacketSealer(key, iv);
      const opener = new PacketOpener(key, iv);
      let nextRecord = 0;
      const id = spec.transferId;
      records = {
        maxChunks: spec.records,
        seal: (chunks, data): SimRecord => {
          const record = nextRecord++;
          const sealed = sealer.sealParts(record, recordAad(0, record, id, chunks, data), data);
          t.chunksSealed += chunks.length;
          const wireBytes = data.map((d, i) => RECORD_PREFIX_BYTES + d.length + (i === data.length - 1 ? SEAL_TAG_BYTES : 0));
          return { wireBytes, record, chunks: chunks.slice(), parts: sealed.parts, tag: sealed.tag };
        },
        send: (rec, index, pn) => {
          const r = rec as SimRecord;
          const out = Buffer.alloc(r.wireBytes[index]);
          writeRecordFragment(out, { kind: Kind.PEER_RECORD, flags: 0, src: 1, dst: 2 }, {
            epoch: 0,
            record: r.record,
            index,
            count: r.parts.length,
            transferId: id,
            pn,
            chunk: r.chunks[index],
            ciphertext: r.parts[index],
            tag: index === r.parts.length - 1 ? r.tag : null,
          });
          t.sentChunks.push(r.chunks[index]);
          if (r.chunks[index] >= t.creditSeen) t.creditViolations++;
          this.sendFromA(out);
        },
      };
      t.assembler = new RecordAssembler({
        open: (epoch, record, transferId, chunks, parts, tag) =>
          opener.openParts(record, recordAad(epoch, record, transferId, chunks, parts), parts, tag),
        now: sim.clock,
        // FILE_RESEND rides the reliable channel in the client; here it takes the back path's delay.
        onResend: (record, chunks) => {
          t.resendRequests.push([record, chunks]);
          sim.schedule(sim.now + (spec.resendDelayMs ?? back.delayMs), () => t.sender.resend(record, chunks));
        },
        maxFailures: spec.maxRecordFailures,
      });
      // What FileTransfers does once a second: give up records that stopped growing, and ask for
      // the lowest missing chunks when none came for as long.
      const stallMs = spec.recordStallMs ?? 5_000;
      let nextCheck = sim.now + 1_000;
      sim.addTimers({
        nextTimerAt: () => (t.complete || t.failed ? null : nextCheck),
        onTimer: () => {
          nextCheck = sim.now + 1_000;
          t.assembler!.expire(stallMs);
          const missing = t.receiver.stalledChunks(stallMs, MAX_RESEND_CHUNKS);
          if (missing.length > 0) {
            t.resendRequests.push([RESEND_NO_RECORD, missing]);
            sim.schedule(sim.now + (spec.resendDelayMs ?? back.delayMs), () => t.sender.resend(RESEND_NO_RECORD, missing));
          }
        },
      });
    }
    const read =
      spec.source ??
      ((offset: number, into: Buffer, at: number, length: number) => {
        src!.copy(into, at, offset, offset + length);
      });
    t.sender = new TransferSender({
      transferId: spec.transferId,
      totalBytes: spec.totalBytes,
      chunkSize,
      skipChunks: spec.have ? (c) => spec.have!.has(c) : undefined,
      congestionControl: spec.congestionControl,
      initialMaxChunk: spec.initialMaxChunk,
      records,
      smallDatagramsGetThrough: spec.smallDatagramsGetThrough,
      now: sim.clock,
      readChunk: (chunk, into, offset, length) =>
        sim.track(
          (async () => {
            read(chunk * chunkSize, into, offset, length);
          })(),
        ),
      transmit: (datagram, length) => {
        const chunk = datagram.readUInt32BE(9);
        t.sentChunks.push(chunk);
        if (chunk >= t.creditSeen) t.creditViolations++;
        this.sendFromA(datagram, length);
      },
    });
    t.receiver = new TransferReceiver({
      transferId: spec.transferId,
      totalBytes: spec.totalBytes,
      chunkSize,
      have: spec.have ? ChunkMap.deserialize(spec.have.serialize())! : undefined,
      windowBytes: spec.windowBytes ?? 4 << 20,
      now: sim.clock,
      transmit: (frames) => this.back.send(encodeFrames(frames)),
      writeChunk: (chunk, data, frame) =>
        sim.track(new Promise<void>((resolve, reject) => {
          const write = (bytes: Buffer): void => {
            spec.sink?.(chunk, bytes);
            const copy = Buffer.from(bytes); // what a real writer hands to fs.write
            const finish = () => {
              if (dest) copy.copy(dest, chunk * chunkSize);
              resolve();
            };
            if (spec.writeDelayMs) sim.schedule(sim.now + spec.writeDelayMs, finish);
            else finish();
          };
          const fragment = (frame as { fragment?: RecordFragment }).fragment;
          // A record's chunk is ciphertext until the whole record arrived and authenticated.
          if (fragment) t.assembler!.stage(fragment).then(write, reject);
          else write(data);
        })),
    });
    t.sender.on('done', () => (t.done = true));
    t.sender.on('failed', (code, msg) => (t.failed = [code, msg]));
    t.receiver.on('complete', () => (t.complete = true));
    t.receiver.on('failed', (code, msg) => (t.failed = [code, msg]));
    this.transfers.set(spec.transferId, t);
    if (!this.scheduler) sim.addTimers(t.sender);
    sim.addTimers(t.receiver);
    return t;
  }

  private atB(payload: Buffer): void {
    if (payload[0] === MAGIC) {
      // A PEER_RECORD fragment: its chunk goes through the receiver as ciphertext, as in FileTransfers.
      const f = readRecordFragment(payload);
      if (!f) throw new Error('malformed record fragment at B');
      const t = this.transfers.get(f.transferId);
      t?.arrivals.push([this.sim.now, f.ciphertext.length]);
      t?.receiver.onData({ type: 'xferData', transferId: f.transferId, pn: f.pn, chunk: f.chunk, data: f.ciphertext, fragment: f } as XferDataFrame);
      return;
    }
    const frames = decodeFrames(payload);
    if (!frames) throw new Error('malformed payload at B');
    const chat: Array<MsgFrame | MsgAckFrame> = [];
    for (const f of frames) {
      if (f.type === 'xferData') {
        const t = this.transfers.get(f.transferId);
        t?.arrivals.push([this.sim.now, f.data.length]);
        t?.receiver.onData(f);
      } else if (f.type === 'xferProbe') {
        this.transfers.get(f.transferId)?.receiver.onProbe(f);
      } else if (f.type === 'msg' || f.type === 'msgAck') {
        chat.push(f);
      }
    }
    for (const f of chat) this.chatB?.onFrame(f);
  }

  private atA(payload: Buffer): void {
    const frames = decodeFrames(payload);
    if (!frames) throw new Error('malformed payload at A');
    for (const f of frames) this.dispatchAtA(f);
  }

  private dispatchAtA(f: Frame): void {
    if (f.type === 'xferAck') {
      const t = this.transfers.get(f.transferId);
      if (!t) return;
      t.creditSeen = Math.max(t.creditSeen, f.maxChunk);
      t.sender.onAck(f);
    } else if (f.type === 'msg' || f.type === 'msgAck') {
      this.chatA?.onFrame(f);
    }
  }
}
