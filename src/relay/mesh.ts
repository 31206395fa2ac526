/**
 * The mesh: datagrams between the relays of a cluster (docs/protocol.md "Several relays").
 *
 * A peer datagram for a session another relay holds (the directory's view says which) goes to
 * that relay inside a MESH datagram (meshDatagram.ts: authenticated with the cluster secret,
 * numbered against replay), over the relay's own UDP socket; a broadcast goes once to every other
 * live relay, which hands it to each of its clients. Nothing of this goes through Redis.
 *
 * Batching mirrors the client queues (relayTransport.ts): a datagram small enough to share is
 * queued per relay and the queues are flushed with the clients' at the end of the event-loop turn,
 * packed in order into MESH datagrams of at most MESH_BATCH_MAX_BYTES (LOOPBACK_MESH_BATCH_MAX_BYTES
 * to a relay on this machine); a larger one (file data) goes at once, alone, after that relay's
 * queue, so datagrams between two clients keep the order their relay accepted them in. A relay
 * holds at most MAX_QUEUED_BYTES_PER_RELAY per other relay until the flush; beyond it, datagrams
 * are dropped and counted (dropped.clientQueueFull), as a full socket buffer would.
 *
 * Receiving: a MESH datagram from an address that is not a known relay's is charged to its IP's
 * unregistered budget first (so garbage costs at most that many HMACs a second); then the tag is
 * checked, then the sender's replay window. Anything wrong: dropped, counted (dropped.badMesh),
 * no answer. An authenticated sender's address becomes known.
 */
import * as dgram from 'node:dgram';
import { ReplayWindow } from '../crypto/replayWindow';
import { encodeMeshInto, MAX_MESH_INNER_BYTES, MESH_FIXED_BYTES, MESH_LENGTH_BYTES, meshOfOne, openMesh } from '../protocol/meshDatagram';
import type { Admission } from './admission';
import {
  LOOPBACK_MESH_BATCH_MAX_BYTES,
  MAX_MESH_SENDERS,
  MAX_QUEUED_BYTES_PER_RELAY,
  MESH_BATCH_MAX_BYTES,
  MESH_REPLAY_WINDOW,
} from './clusterLimits';
import type { RelayInfo } from './directory';
import { MAX_COALESCED_DATAGRAM_BYTES } from './relayLimits';
import type { DropReason } from './relayStats';
import { isLoopback, type RelayTransport } from './relayTransport';
import type { MeshForwarder, Router } from './router';
import { addressKey } from './unvalidatedTraffic';

interface MeshPeer {
  readonly id: string;
  host: string;
  port: number;
  live: boolean;
  batchMax: number;
  readonly queue: Buffer[];
  queueBytes: number;
  listed: boolean;
}

export class Mesh implements MeshForwarder {
  private readonly peers = new Map<string, MeshPeer>();
  private readonly listed: MeshPeer[] = [];
  /** Addresses that sent authenticated MESH datagrams or belong to known relays. */
  private readonly known = new Set<string>();
  private readonly windows = new Map<string, ReplayWindow>();
  private readonly selfId: Buffer;
  private counter = 0;
  private buffer = Buffer.allocUnsafeSlow(LOOPBACK_MESH_BATCH_MAX_BYTES);
  /** MESH datagrams sent and received. */
  datagramsOut = 0;
  datagramsIn = 0;

  constructor(
    private readonly transport: RelayTransport,
    private readonly router: Router,
    private readonly admission: Admission,
    private readonly key: Buffer,
    relayId: string,
    private readonly dropped: Record<DropReason, number>,
  ) {
    this.selfId = Buffer.from(relayId, 'hex');
    transport.onFlush(this.flush);
  }

  /** The other relays, as the directory knows them now. */
  setRelays(relays: readonly RelayInfo[]): void {
    const ids = new Set<string>();
    for (const r of relays) {
      ids.add(r.id);
      let p = this.peers.get(r.id);
      if (p === undefined) {
        p = { id: r.id, host: r.host, port: r.port, live: r.live, batchMax: 0, queue: [], queueBytes: 0, listed: false };
        this.peers.set(r.id, p);
      }
      p.host = r.host;
      p.port = r.port;
      p.live = r.live;
      p.batchMax = isLoopback(r.host) ? LOOPBACK_MESH_BATCH_MAX_BYTES : MESH_BATCH_MAX_BYTES;
      this.known.add(addressKey(r.host, r.port));
    }
    for (const [id, p] of this.peers) {
      if (ids.has(id)) continue;
      p.queue.length = 0;
      p.queueBytes = 0;
      this.peers.delete(id);
    }
  }

  /** The other relays known now. */
  relays(): RelayInfo[] {
    return [...this.peers.values()].map((p) => ({ id: p.id, host: p.host, port: p.port, live: p.live }));
  }

  forward(buf: Buffer, relayId: string): boolean {
    const p = this.peers.get(relayId);
    if (p === undefined) return false;
    this.enqueue(p, buf);
    return true;
  }

  /** Queues a broadcast once for every other live relay; returns how many. */
  broadcast(buf: Buffer): number {
    let n = 0;
    for (const p of this.peers.values()) {
      if (!p.live) continue;
      this.enqueue(p, buf);
      n++;
    }
    return n;
  }

  private enqueue(p: MeshPeer, buf: Buffer): void {
    const len = buf.length;
    if (len > MAX_COALESCED_DATAGRAM_BYTES) {
      if (len > MAX_MESH_INNER_BYTES) {
        this.dropped.meshTooLarge++;
        return;
      }
      // Bulk data: at once, behind what is queued for that relay (all queues if they waited long).
      if (this.transport.queuesHeldTooLong()) this.transport.flushListed();
      else if (p.queue.length !== 0) this.flushPeer(p);
      this.transport.sendParts(meshOfOne(this.key, this.selfId, ++this.counter, buf), len + MESH_FIXED_BYTES + MESH_LENGTH_BYTES, p.port, p.host);
      this.datagramsOut++;
      return;
    }
    const cost = len + MESH_LENGTH_BYTES;
    if (p.queueBytes + cost > MAX_QUEUED_BYTES_PER_RELAY) {
      this.dropped.clientQueueFull++;
      return;
    }
    p.queue.push(buf);
    p.queueBytes += cost;
    if (!p.listed) {
      p.listed = true;
      this.listed.push(p);
      this.transport.armFlush();
    }
  }

  /** The end of a turn (relayTransport's flush): every relay's queue goes out. */
  readonly flush = (): void => {
    const list = this.listed;
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      p.listed = false;
      if (p.queue.length !== 0) this.flushPeer(p);
    }
    list.length = 0;
  };

  /** A relay's queue in order, in greedy runs of what fits one MESH datagram. */
  private flushPeer(p: MeshPeer): void {
    const q = p.queue;
    const n = q.length;
    let i = 0;
    try {
      while (i < n) {
        let bytes = MESH_FIXED_BYTES + MESH_LENGTH_BYTES + q[i].length;
        let j = i + 1;
        while (j < n && bytes + MESH_LENGTH_BYTES + q[j].length <= p.batchMax) bytes += MESH_LENGTH_BYTES + q[j++].length;
        const len = encodeMeshInto(this.buffer, this.key, this.selfId, ++this.counter, q, i, j);
        this.transport.socket.send(this.buffer, 0, len, p.port, p.host);
        // As for client batches: a send the kernel could not take at once keeps this buffer.
        if (this.transport.socket.getSendQueueCount() !== 0) this.buffer = Buffer.allocUnsafeSlow(LOOPBACK_MESH_BATCH_MAX_BYTES);
        this.transport.countOut(len);
        this.datagramsOut++;
        i = j;
      }
    } finally {
      q.length = 0;
      p.queueBytes = 0;
    }
  }

  /** A MESH datagram arrived (RelayServer's dispatch). */
  readonly receive = (buf: Buffer, rinfo: dgram.RemoteInfo): void => {
    const from = addressKey(rinfo.address, rinfo.port);
    const known = this.known.has(from);
    if (!known && !this.admission.admit(rinfo.address)) {
      this.dropped.rateLimited++;
      return;
    }
    const m = openMesh(buf, this.key);
    if (m === null) {
      this.dropped.badMesh++;
      return;
    }
    let w = this.windows.get(m.relayId);
    if (w === undefined) {
      if (this.windows.size >= MAX_MESH_SENDERS) {
        const oldest = this.windows.keys().next();
        if (!oldest.done) this.windows.delete(oldest.value);
      }
      w = new ReplayWindow(MESH_REPLAY_WINDOW);
      this.windows.set(m.relayId, w);
    }
    if (!w.wouldAccept(m.counter)) {
      this.dropped.badMesh++;
      return;
    }
    w.commit(m.counter);
    if (!known) this.known.add(from);
    this.datagramsIn++;
    for (const d of m.items) this.router.fromMesh(d);
  };
}
