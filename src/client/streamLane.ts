/**
 * One stream lane (docs/protocol.md "Stream lanes"): a TCP connection carrying file data one
 * way, from the initiator (the device sending files) to the responder, sealed under keys only
 * the two devices' end-to-end session can derive (src/crypto/laneAuth.ts). TCP gives the lane
 * what the UDP engine does by hand — congestion control, retransmission, segmentation at the
 * path's MTU, with the kernel's offloads — at a fraction of the CPU per byte; the datagram engine
 * stays the fallback wherever TCP cannot connect (src/client/laneManager.ts decides).
 *
 * Handshake, after the TCP connection is joined (straight, or spliced by the relay):
 *   responder → "PCL1" || nonceR;  initiator → tag || laneId || nonceI || proof_I;
 *   responder → proof_R; then records initiator → responder.
 * A side that does not complete it within `timeoutMs`, or sends anything that does not check,
 * is disconnected; nothing of a lane is trusted before both proofs checked.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { PacketOpener, PacketSealer, AEAD_TAG_BYTES } from '../crypto/aead';
import { LANE_NONCE_BYTES, checkLaneProof, laneDataKeys, laneProof } from '../crypto/laneAuth';
import {
  INITIATOR_HELLO_BYTES,
  LANE_RECORD_HEADER_BYTES,
  LANE_RECORD_LENGTH_BYTES,
  MAX_LANE_RECORD_BYTES,
  RESPONDER_HELLO_BYTES,
  RESPONDER_PROOF_BYTES,
  StreamCutter,
  decodeInitiatorHello,
  decodeResponderHello,
  encodeInitiatorHello,
  encodeResponderHello,
} from '../protocol/laneFrames';

/** A lane that moved no byte for this long while it had bytes to move is taken for dead (ms). */
export const LANE_STALL_MS = 2_500;
/** The responder stops reading while this many received bytes wait for the disk. */
const MAX_PENDING_WRITE_BYTES = 4 * 1024 * 1024;

export interface LaneEvents {
  closed: [reason: string];
}

/** Reads exactly `n` bytes from a socket during a handshake (the rest stays in `cutter`). */
function readExactly(socket: Socket, cutter: StreamCutter, n: number, deadline: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const got = cutter.take(n);
    if (got) return resolve(got);
    const timer = setTimeout(() => done(new Error('the lane handshake timed out')), Math.max(0, deadline - Date.now()));
    const onData = (d: Buffer): void => {
      cutter.push(d);
      const b = cutter.take(n);
      if (b) done(null, b);
    };
    const onEnd = (): void => done(new Error('the lane closed during its handshake'));
    const onError = (err: Error): void => done(err);
    function done(err: Error | null, b?: Buffer): void {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      if (err) reject(err);
      else resolve(b!);
    }
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
  });
}

/** The sending end of a lane. */
export class OutLane extends EventEmitter<LaneEvents> {
  /** Transfers sending on this lane now (an idle lane with none is closed). */
  users = 0;
  private readonly sealer: PacketSealer;
  private next = 0;
  private closedReason: string | null = null;
  private drainWaiters: Array<() => void> = [];
  private readonly stallTimer: NodeJS.Timeout;
  private lastWritten = 0;
  private lastMoved = Date.now();

  private constructor(
    readonly socket: Socket,
    readonly laneId: number,
    readonly kind: 'direct' | 'transit',
    key: { key: Buffer; iv: Buffer },
  ) {
    super();
    this.sealer = new PacketSealer(key.key, key.iv);
    socket.on('drain', () => this.wakeDrainWaiters());
    socket.on('close', () => this.close('the connection closed'));
    socket.on('error', (err) => this.close(err.message));
    socket.on('data', () => this.close('the responder sent data after its proof'));
    this.stallTimer = setInterval(() => this.checkStall(), 500);
    this.stallTimer.unref();
  }

  /**
   * Runs the initiator's side of the handshake on a connected socket (for a transit lane, after
   * the transit hello). Rejects (and destroys the socket) if the responder does not prove the key.
   */
  static async open(
    socket: Socket,
    o: { myDevice: string; laneId: number; laneKey: Buffer; kind: 'direct' | 'transit'; timeoutMs: number },
  ): Promise<OutLane> {
    const cutter = new StreamCutter();
    const deadline = Date.now() + o.timeoutMs;
    try {
      const nonceR = decodeResponderHello(await readExactly(socket, cutter, RESPONDER_HELLO_BYTES, deadline));
      if (!nonceR) throw new Error('not a Peer Chat lane');
      const nonceI = randomBytes(LANE_NONCE_BYTES);
      const proof = laneProof(o.laneKey, 'initiator', nonceR, nonceI, o.laneId);
      socket.write(encodeInitiatorHello({ device: o.myDevice, laneId: o.laneId, nonceI, proof }));
      const theirs = await readExactly(socket, cutter, RESPONDER_PROOF_BYTES, deadline);
      if (!checkLaneProof(o.laneKey, 'responder', nonceR, nonceI, o.laneId, theirs)) throw new Error('the responder did not prove the session key');
      if (cutter.bufferedBytes > 0) throw new Error('the responder sent data after its proof');
      return new OutLane(socket, o.laneId, o.kind, laneDataKeys(o.laneKey, nonceR, nonceI));
    } catch (err) {
      socket.destroy();
      throw err;
    }
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  /** Bytes handed to the lane that the kernel has not taken yet. */
  get queuedBytes(): number {
    return this.socket.writableLength;
  }

  /**
   * Seals one record and queues it: `data` holds the bytes of consecutive chunks from
   * `firstChunk` (a view of the caller's read buffer: it may be reused once this returns, the
   * record is sealed by then). False when the lane is closed or its buffer is full (wait for
   * `drained()`).
   */
  sendChunks(transferId: number, firstChunk: number, data: Buffer): boolean {
    if (this.closedReason !== null) return false;
    const head = Buffer.allocUnsafe(LANE_RECORD_LENGTH_BYTES + LANE_RECORD_HEADER_BYTES);
    const length = head.subarray(0, LANE_RECORD_LENGTH_BYTES);
    const header = head.subarray(LANE_RECORD_LENGTH_BYTES);
    length.writeUInt32BE(LANE_RECORD_HEADER_BYTES + data.length + AEAD_TAG_BYTES, 0);
    header.writeUInt32BE(transferId >>> 0, 0);
    header.writeUInt32BE(firstChunk >>> 0, 4);
    // Header and file bytes sealed as one record without copying the file bytes next to the
    // header: the same bytes on the wire as sealing header ‖ data.
    const sealed = this.sealer.sealParts(this.next++, length, [header, data], true);
    // Length, ciphertext and tag in one writev, without copying them into one buffer.
    this.socket.cork();
    this.socket.write(length);
    this.socket.write(sealed.parts[0]);
    this.socket.write(sealed.parts[1]);
    const more = this.socket.write(sealed.tag);
    this.socket.uncork();
    return more;
  }

  /** Resolves when the lane can take more (or has closed). */
  drained(): Promise<void> {
    if (this.closedReason !== null || !this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  close(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    clearInterval(this.stallTimer);
    this.socket.destroy();
    this.wakeDrainWaiters();
    this.emit('closed', reason);
  }

  private wakeDrainWaiters(): void {
    const w = this.drainWaiters;
    this.drainWaiters = [];
    for (const f of w) f();
  }

  /** How long bytes have waited with none taken by the kernel (ms; 0: none wait, or they move). */
  get stuckMs(): number {
    return this.sampleMoved(Date.now());
  }

  private sampleMoved(now: number): number {
    const written = this.socket.bytesWritten - this.socket.writableLength;
    if (written !== this.lastWritten || this.socket.writableLength === 0) {
      this.lastWritten = written;
      this.lastMoved = now;
    }
    return now - this.lastMoved;
  }

  /** Bytes waiting and none taken by the kernel for 2 × LANE_STALL_MS: the path is gone. */
  private checkStall(): void {
    if (this.sampleMoved(Date.now()) >= LANE_STALL_MS * 2) this.close('the lane stopped moving data');
  }
}

export interface InLaneOptions {
  /** The lane keys (current, then previous) of the device with this tag, or none if unknown. */
  keysFor(device: string): Buffer[];
  timeoutMs: number;
}

/**
 * A record for a transfer: its chunks from `firstChunk` on. Returns the promise of their writes
 * (the lane stops reading while too much waits for the disk), or null when nothing was kept.
 */
export type LaneRecordSink = (transferId: number, firstChunk: number, data: Buffer) => Promise<unknown> | null;

/** The receiving end of a lane. */
export class InLane extends EventEmitter<LaneEvents> {
  private readonly opener: PacketOpener;
  private readonly cutter: StreamCutter;
  private next = 0;
  private closedReason: string | null = null;
  private pendingBytes = 0;
  private paused = false;
  private lastDataAt = Date.now();
  private readonly stallTimer: NodeJS.Timeout;
  /** Whether the lane stopped reading until our disk catches up (its silence is ours, not the path's). */
  get waitingForDisk(): boolean {
    return this.paused;
  }

  /** Where records go; set by the owner right after `accept`. */
  sink: LaneRecordSink = () => null;
  /** Whether a transfer expects data on this lane now (then a silent lane is a dead one). */
  expecting: () => boolean = () => false;

  private constructor(
    readonly socket: Socket,
    readonly device: string,
    readonly laneId: number,
    key: { key: Buffer; iv: Buffer },
    rest: StreamCutter,
  ) {
    super();
    this.opener = new PacketOpener(key.key, key.iv);
    this.cutter = rest;
    socket.on('data', (d: Buffer) => {
      this.lastDataAt = Date.now();
      this.cutter.push(d);
      this.drain();
    });
    socket.on('close', () => this.close('the connection closed'));
    socket.on('end', () => this.close('the sender ended the lane'));
    socket.on('error', (err) => this.close(err.message));
    this.stallTimer = setInterval(() => this.checkStall(), 500);
    this.stallTimer.unref();
  }

  /**
   * Runs the responder's side of the handshake (for a transit lane, once the transit hello is
   * sent). Rejects (and destroys the socket) if the initiator does not prove a session key.
   */
  static async accept(socket: Socket, o: InLaneOptions): Promise<InLane> {
    const cutter = new StreamCutter();
    const deadline = Date.now() + o.timeoutMs;
    try {
      const nonceR = randomBytes(LANE_NONCE_BYTES);
      socket.write(encodeResponderHello(nonceR));
      const hello = decodeInitiatorHello(await readExactly(socket, cutter, INITIATOR_HELLO_BYTES, deadline));
      if (!hello) throw new Error('not a Peer Chat lane');
      const key = o.keysFor(hello.device).find((k) => checkLaneProof(k, 'initiator', nonceR, hello.nonceI, hello.laneId, hello.proof));
      if (!key) throw new Error('the initiator did not prove a session key');
      socket.write(laneProof(key, 'responder', nonceR, hello.nonceI, hello.laneId));
      const lane = new InLane(socket, hello.device, hello.laneId, laneDataKeys(key, nonceR, hello.nonceI), cutter);
      setImmediate(() => lane.drain()); // records that came with the hello
      return lane;
    } catch (err) {
      socket.destroy();
      throw err;
    }
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  close(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    clearInterval(this.stallTimer);
    this.socket.destroy();
    this.emit('closed', reason);
  }

  private drain(): void {
    while (this.closedReason === null && !this.paused) {
      const r = this.cutter.record(MAX_LANE_RECORD_BYTES);
      if (r === null) return;
      if (r === 'bad') return this.close('a record with an impossible length');
      const plain = this.opener.open(this.next, r.lengthField, r.sealed);
      if (!plain || plain.length < LANE_RECORD_HEADER_BYTES) return this.close('a record did not authenticate');
      this.next++;
      const data = plain.subarray(LANE_RECORD_HEADER_BYTES);
      const written = this.sink(plain.readUInt32BE(0), plain.readUInt32BE(4), data);
      if (written) {
        const n = data.length;
        this.pendingBytes += n;
        const settle = (): void => {
          this.pendingBytes -= n;
          if (this.paused && this.pendingBytes <= MAX_PENDING_WRITE_BYTES / 2) {
            this.paused = false;
            this.lastDataAt = Date.now();
            this.socket.resume();
            this.drain();
          }
        };
        written.then(settle, settle);
        if (this.pendingBytes > MAX_PENDING_WRITE_BYTES) {
          this.paused = true;
          this.socket.pause();
        }
      }
    }
  }

  /** Silent for LANE_STALL_MS while not waiting for our disk and a transfer expects data: dead. */
  private checkStall(): void {
    if (this.paused || !this.expecting()) {
      this.lastDataAt = Math.max(this.lastDataAt, Date.now() - LANE_STALL_MS / 2);
      return;
    }
    if (Date.now() - this.lastDataAt >= LANE_STALL_MS) this.close('the lane stopped moving data');
  }
}
