/**
 * The router: this relay's clients by session id, and where a peer datagram goes.
 *
 * Forwarding (kinds 0x40–0x7F, the hot path: header fields read from the Buffer, Map lookups, one
 * token bucket, the unchanged bytes sent or queued (relayTransport.ts); no decode, no allocation
 * per datagram, no log, and never a directory round trip: other relays' sessions are looked up in
 * the directory's view, a local copy).
 * src must be a session of this relay whose bound address is the datagram's source, else: src
 * unknown → ERROR NOT_REGISTERED { refKind kind, refId src } (so a client notices a relay restart
 * at once; rate limited per IP and under the 3x rule); src known but other address → dropped as
 * spoofedSrc, no answer. dst = DST_BROADCAST → the same bytes to every other client of this relay
 * once, and once to every other relay of the cluster, which gives them to its own clients
 * (broadcast bucket BROADCAST_RATE_*, size <= MAX_BROADCAST_BYTES); dst = a session of this relay
 * → to it; dst = a session another relay holds (the view says which) → to that relay (mesh.ts);
 * otherwise ERROR UNKNOWN_PEER { refKind kind, refId dst }.
 *
 * Error answers to a registered client (UNKNOWN_PEER; RATE_LIMITED when its bucket runs dry;
 * MESSAGE_TOO_LONG for an oversized broadcast) are limited per session (SESSION_ERROR_RATE_*),
 * so a sender streaming into a departed peer gets ~10 errors/s, not one per datagram.
 */
import * as dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { ErrorCode, ERROR_HINTS, errorCodeToWire } from '../protocol/errors';
import { Kind } from '../protocol/header';
import { DST_BROADCAST } from '../protocol/limits';
import { encodeRelayMessage, RelayMessage } from '../protocol/relayMessages';
import type { Admission } from './admission';
import type { DirectoryView } from './directory';
import { MAX_BROADCAST_BYTES } from './relayLimits';
import type { DropReason } from './relayStats';
import type { RelayTransport } from './relayTransport';
import type { Session } from './session';

/** Where datagrams for other relays' sessions go (the cluster mesh, mesh.ts). */
export interface MeshForwarder {
  /** Sends a peer datagram to relay `relayId`; false if that relay is not known. */
  forward(buf: Buffer, relayId: string): boolean;
  /** Once to every other live relay; returns how many it was queued for. */
  broadcast(buf: Buffer): number;
  /** MESH datagrams sent and received (each carries one or more peer datagrams). */
  readonly datagramsOut: number;
  readonly datagramsIn: number;
}

const HOT_DST_BROADCAST = DST_BROADCAST;
const HOT_MAX_BROADCAST_BYTES = MAX_BROADCAST_BYTES;

export class Router {
  /** This relay's clients, by session id and by device key (hex). */
  readonly sessions = new Map<number, Session>();
  readonly byDevice = new Map<string, Session>();
  /** Peer datagrams handed on (a broadcast to n clients counts n) and their bytes. */
  forwarded = 0;
  forwardedBytes = 0;
  /** Broadcasts accepted from this relay's clients. */
  broadcasts = 0;
  /** Peer datagrams sent to other relays, and received from them for this relay's clients. */
  meshOut = 0;
  meshOutBytes = 0;
  meshIn = 0;
  meshInBytes = 0;
  answersSuppressed = 0;
  /** The cluster's mesh, if this relay is part of one. */
  mesh: MeshForwarder | undefined;

  constructor(
    private readonly transport: RelayTransport,
    private readonly view: DirectoryView,
    private readonly admission: Admission,
    private readonly dropped: Record<DropReason, number>,
    /** This relay's id in the directory: view entries with another relay are forwarded. */
    private readonly relayId: string,
  ) {}

  add(s: Session): void {
    this.sessions.set(s.id, s);
    this.byDevice.set(s.deviceKey, s);
  }

  remove(s: Session): void {
    if (this.sessions.get(s.id) === s) this.sessions.delete(s.id);
    if (this.byDevice.get(s.deviceKey) === s) this.byDevice.delete(s.deviceKey);
  }

  /** The hot path: a peer datagram from a client, forwarded unchanged. */
  forward(buf: Buffer, kind: number, rinfo: dgram.RemoteInfo): void {
    const srcId = buf.readUInt32BE(4);
    const src = this.sessions.get(srcId);
    if (src === undefined) {
      this.admission.refuseUnregistered(buf.length, kind, srcId, rinfo);
      return;
    }
    if (src.port !== rinfo.port || src.address !== rinfo.address) {
      this.dropped.spoofedSrc++;
      return;
    }
    const now = performance.now();
    src.lastSeen = now;
    const dstId = buf.readUInt32BE(8);
    if (!src.bucket.take(now)) {
      this.dropped.rateLimited++;
      this.sendError(src, 'RATE_LIMITED', kind, dstId, now);
      return;
    }
    if (dstId === HOT_DST_BROADCAST) {
      this.broadcast(buf, src, kind, now);
      return;
    }
    const dst = this.sessions.get(dstId);
    if (dst !== undefined) {
      if (this.transport.deliver(dst, buf)) {
        this.forwarded++;
        this.forwardedBytes += buf.length;
      }
      return;
    }
    if (this.mesh !== undefined) {
      const e = this.view.get(dstId);
      if (e !== undefined && e.relay !== this.relayId) {
        if (this.mesh.forward(buf, e.relay)) {
          this.meshOut++;
          this.meshOutBytes += buf.length;
        } else {
          // A relay this one has not heard of yet (it joined within the last heartbeat): the
          // session exists, so no UNKNOWN_PEER; the sender's retransmissions find the route.
          this.dropped.noRoute++;
        }
        return;
      }
    }
    this.dropped.unknownPeer++;
    this.sendError(src, 'UNKNOWN_PEER', kind, dstId, now);
  }

  private broadcast(buf: Buffer, src: Session, kind: number, now: number): void {
    if (buf.length > HOT_MAX_BROADCAST_BYTES) {
      this.dropped.oversizeBroadcast++;
      this.sendError(src, 'MESSAGE_TOO_LONG', kind, HOT_DST_BROADCAST, now);
      return;
    }
    if (!src.broadcastBucket.take(now)) {
      this.dropped.rateLimited++;
      this.sendError(src, 'RATE_LIMITED', kind, HOT_DST_BROADCAST, now);
      return;
    }
    this.broadcasts++;
    this.fanOut(buf, src.id);
    if (this.mesh !== undefined) {
      // Counted like the unicasts to other relays (forwardedOut in stats and --stats lines).
      const relays = this.mesh.broadcast(buf);
      this.meshOut += relays;
      this.meshOutBytes += relays * buf.length;
    }
  }

  /**
   * The same Buffer queued for every client of this relay but `srcId` (broadcasts are <=
   * MAX_BROADCAST_BYTES, so always coalescible); it is copied only into each recipient's BATCH.
   */
  private fanOut(buf: Buffer, srcId: number): void {
    let n = 0;
    for (const s of this.sessions.values()) {
      if (s.id === srcId) continue;
      if (this.transport.deliver(s, buf)) n++;
    }
    this.forwarded += n;
    this.forwardedBytes += n * buf.length;
  }

  /**
   * A peer datagram another relay of the cluster forwarded (authenticated by the mesh): to this
   * relay's session named by its dst, or, for a broadcast, to every client here but its sender.
   */
  fromMesh(buf: Buffer): void {
    this.meshIn++;
    this.meshInBytes += buf.length;
    const dstId = buf.readUInt32BE(8);
    if (dstId === HOT_DST_BROADCAST) {
      this.fanOut(buf, buf.readUInt32BE(4));
      return;
    }
    const dst = this.sessions.get(dstId);
    if (dst === undefined) {
      // It left or moved on while the datagram was on its way: the sender's retransmissions
      // follow the route its relay learns from the directory.
      this.dropped.meshUnknownPeer++;
      return;
    }
    if (this.transport.deliver(dst, buf)) {
      this.forwarded++;
      this.forwardedBytes += buf.length;
    }
  }

  /** An ERROR to a registered client, within its error budget. */
  sendError(s: Session, code: ErrorCode, refKind: number, refId: number, now: number): void {
    if (!s.errorBucket.take(now)) {
      this.answersSuppressed++;
      return;
    }
    this.sendTo(s, { kind: Kind.ERROR, code: errorCodeToWire(code), refKind, refId: refId >>> 0, message: ERROR_HINTS[code] });
  }

  sendTo(s: Session, m: RelayMessage): void {
    this.transport.deliver(s, encodeRelayMessage(m, 0, s.id));
  }
}
