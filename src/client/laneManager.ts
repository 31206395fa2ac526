/**
 * Which stream lanes (src/client/streamLane.ts) file data to a device takes, and the TCP side of
 * the client: a listener on our UDP socket's port number for direct lanes, and the relay's
 * transit port for relayed ones (docs/protocol.md "Stream lanes").
 *
 * The order, for a file to one device:
 *   1. a direct lane: TCP to the address of the device's validated direct path (never an address
 *      learned any other way), port = that path's port;
 *   2. the direct UDP path, if one is validated (a relay must not carry what can go direct);
 *   3. a transit lane through our relay (the peer is asked with LANE_JOIN to meet us there; one
 *      that will not answers LANE_REFUSE);
 *   4. datagrams through the relay.
 * LANES_PER_DEVICE lanes are opened the first of those ways that works, and kept for the next
 * files (laneTransfers.ts decides how a file uses them). A lane that fails to open is not tried
 * again for that device for RETRY_AFTER_MS. --relay-only (directConnections off) skips 1 and 2;
 * --udp-only (streamLanes off) skips 1 and 3.
 */
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { transitToken } from '../crypto/laneAuth';
import { ControlType, encodeControl } from '../protocol/controlMessages';
import { encodeTransitHello } from '../protocol/laneFrames';
import type { PeerLink } from './peerLink';
import { InLane, LaneRecordSink, OutLane } from './streamLane';

/** A lane handshake (and the TCP connect before it) must finish within this (ms). */
const DIRECT_OPEN_TIMEOUT_MS = 1_500;
const TRANSIT_OPEN_TIMEOUT_MS = 3_000;
/** A device whose lane failed to open is not tried again for this long (ms). */
const RETRY_AFTER_MS = 60_000;
/** Handshakes under way on our listener at most (anyone may connect to it). */
const MAX_ACCEPTING = 16;
/** Transit lanes a device may have us join at once (a peer sending LANE_JOIN after LANE_JOIN gets no more). */
export const MAX_JOINS_PER_DEVICE = 4;
/** An out lane nothing was sent on for this long is closed (ms). */
const IDLE_CLOSE_MS = 30_000;
/**
 * Lanes opened to a device for file data, which draw from one queue of reads (laneTransfers.ts).
 * On a lossy path one TCP connection waits out retransmission timeouts (200 ms at least on
 * Linux) with nothing else to send; a second keeps the transfer moving meanwhile
 * (docs/protocol.md "Stream lanes").
 */
export const LANES_PER_DEVICE = 2;

export interface LaneHost {
  /** Lanes allowed at all (false: --udp-only). */
  lanes: boolean;
  /** Lanes opened to one device (default LANES_PER_DEVICE). */
  lanesPerDevice?: number;
  /** Direct paths allowed (false: --relay-only / peerchat.directConnections off). */
  direct: boolean;
  myDevice(): string;
  link(device: string): PeerLink | undefined;
  /** The relay in use now (its transit port is its own address and port). */
  relay(): { host: string; port: number } | null;
  /** Records that arrive on a lane from `link`'s device. */
  sink(link: PeerLink, lane: InLane): LaneRecordSink;
  /** Whether a transfer from this device waits for data on a lane now. */
  expecting(link: PeerLink, lane: InLane): boolean;
  /** A lane from this device closed (its transfers go on as datagrams). */
  inLaneClosed(link: PeerLink, lane: InLane, reason: string): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

export class LaneManager {
  private server: net.Server | null = null;
  private accepting = 0;
  /** Out lanes per device: those open, and the opening under way (if any). */
  private readonly out = new Map<string, { lanes: OutLane[]; opening: Promise<OutLane[]> | null; late: Array<(lane: OutLane) => void> }>();
  private readonly failedAt = new Map<string, { direct?: number; transit?: number }>();
  private readonly inLanes = new Set<InLane>();
  private readonly sockets = new Set<net.Socket>();
  /** Our transit lanes waiting for the peer, by `device/laneId`: call to give up (LANE_REFUSE). */
  private readonly transitWaits = new Map<string, (reason: string) => void>();
  /** LANE_JOINs being answered, per device. */
  private readonly joining = new Map<string, number>();
  private closed = false;

  constructor(private readonly host: LaneHost) {}

  /** Listens for direct lanes on TCP `port` (our UDP port), all interfaces of `family`. */
  listen(port: number, family: 'IPv4' | 'IPv6'): void {
    if (!this.host.lanes || !this.host.direct || this.server || this.closed) return;
    const server = net.createServer({ noDelay: true });
    server.on('connection', (s) => this.onConnection(s));
    server.on('error', (err) => {
      this.host.log('debug', `no direct lanes: TCP port ${port}: ${err.message}`);
      if (this.server === server) this.server = null;
    });
    server.listen({ port, host: family === 'IPv6' ? '::' : '0.0.0.0', exclusive: true });
    server.unref();
    this.server = server;
  }

  /**
   * Open lanes to `link`'s device for file data (up to lanesPerDevice, direct ones rather than
   * transit ones), or none: send as datagrams (on the direct UDP path if there is one, else
   * through the relay). Lanes that closed are opened again here, unless opening failed lately.
   * Resolves once one lane is open (or none could be); each lane that opens after that is given
   * to `late` (a lost SYN costs a connection a second: the transfer does not wait for it).
   */
  lanes(link: PeerLink, late?: (lane: OutLane) => void): Promise<OutLane[]> {
    if (!this.host.lanes || this.closed) return Promise.resolve([]);
    let group = this.out.get(link.device);
    if (!group) {
      group = { lanes: [], opening: null, late: [] };
      this.out.set(link.device, group);
    }
    const g = group;
    if (g.opening) {
      if (late) g.late.push(late);
      return g.opening;
    }
    const want = Math.max(1, this.host.lanesPerDevice ?? LANES_PER_DEVICE);
    const live = (): OutLane[] => {
      const open = g.lanes.filter((l) => !l.closed);
      const direct = open.filter((l) => l.kind === 'direct');
      return direct.length > 0 ? direct : open;
    };
    const existing = live();
    if (existing.length >= want) return Promise.resolve(existing);
    g.late = late ? [late] : [];
    const opens = Array.from({ length: want - existing.length }, () => this.open(link).catch(() => null));
    const p = new Promise<OutLane[]>((resolve) => {
      let answered = existing.length > 0;
      if (answered) resolve(existing);
      let pending = opens.length;
      for (const o of opens) {
        void o.then((lane) => {
          pending--;
          if (lane) this.hold(link, g, lane);
          if (lane && !lane.closed) {
            if (!answered) {
              answered = true;
              resolve(live());
            } else {
              for (const f of g.late) f(lane);
            }
          }
          if (pending === 0) {
            if (!answered) resolve(live());
            answered = true;
            if (g.opening === p) g.opening = null;
            g.late = [];
          }
        });
      }
    });
    g.opening = p;
    return p;
  }

  private hold(link: PeerLink, g: { lanes: OutLane[] }, lane: OutLane): void {
    if (this.closed || this.out.get(link.device) !== g) {
      lane.close(this.closed ? 'leaving' : 'the device left');
      return;
    }
    g.lanes.push(lane);
    lane.once('closed', (reason) => {
      const i = g.lanes.indexOf(lane);
      if (i >= 0) g.lanes.splice(i, 1);
      this.host.log('debug', `lane to ${link.nick} (${link.device}) closed: ${reason}`);
    });
    this.closeWhenIdle(lane);
  }

  private async open(link: PeerLink): Promise<OutLane | null> {
    const key = link.laneKey();
    if (!key) return null;
    const failed = this.failedAt.get(link.device) ?? {};
    const now = Date.now();
    const path = link.paths?.path;
    if (this.host.direct && path?.kind === 'direct') {
      if (failed.direct === undefined || now - failed.direct > RETRY_AFTER_MS) {
        const lane = await this.openDirect(key, path.address).catch((err: Error) => {
          this.host.log('debug', `no direct lane to ${link.nick} at ${path.address.address}:${path.address.port}: ${err.message}`);
          this.failedAt.set(link.device, { ...failed, direct: Date.now() });
          return null;
        });
        if (lane) return this.opened(link, lane);
      }
      return null; // the direct UDP path, rather than the relay
    }
    if (failed.transit !== undefined && now - failed.transit <= RETRY_AFTER_MS) return null;
    const lane = await this.openTransit(link, key).catch((err: Error) => {
      this.host.log('debug', `no transit lane to ${link.nick}: ${err.message}`);
      this.failedAt.set(link.device, { ...failed, transit: Date.now() });
      return null;
    });
    return lane ? this.opened(link, lane) : null;
  }

  private opened(link: PeerLink, lane: OutLane): OutLane {
    this.host.log('info', `file data to ${link.nick} (${link.device}) goes over a ${lane.kind} TCP lane`);
    return lane;
  }

  private async openDirect(laneKey: Buffer, to: { address: string; port: number }): Promise<OutLane> {
    const socket = await this.connect(to.address, to.port, DIRECT_OPEN_TIMEOUT_MS);
    return OutLane.open(socket, { myDevice: this.host.myDevice(), laneId: randomBytes(4).readUInt32BE(0), laneKey, kind: 'direct', timeoutMs: DIRECT_OPEN_TIMEOUT_MS });
  }

  private async openTransit(link: PeerLink, laneKey: Buffer): Promise<OutLane> {
    const relay = this.host.relay();
    if (!relay) throw new Error('no relay');
    const laneId = randomBytes(4).readUInt32BE(0);
    // A LANE_REFUSE for this lane ends the wait at once (the socket, if any, with it).
    const wait = { refused: null as string | null, socket: null as net.Socket | null };
    const waitKey = `${link.device}/${laneId}`;
    this.transitWaits.set(waitKey, (reason) => {
      wait.refused = reason;
      wait.socket?.destroy(new Error(reason));
    });
    try {
      link.channel.send(encodeControl({ type: ControlType.LANE_JOIN, laneId }));
      link.armChannelTimer();
      const socket = await this.connect(relay.host, relay.port, TRANSIT_OPEN_TIMEOUT_MS);
      wait.socket = socket;
      if (wait.refused !== null) {
        socket.destroy();
        throw new Error(wait.refused);
      }
      socket.write(encodeTransitHello(transitToken(laneKey, laneId)));
      return await OutLane.open(socket, { myDevice: this.host.myDevice(), laneId, laneKey, kind: 'transit', timeoutMs: TRANSIT_OPEN_TIMEOUT_MS });
    } finally {
      this.transitWaits.delete(waitKey);
    }
  }

  /** The lanes open from `device` now (file data coming to us). */
  openFrom(device: string): InLane[] {
    return [...this.inLanes].filter((l) => l.device === device);
  }

  /** The peer will not meet us for lane `laneId`: stop waiting for it at the transit port. */
  onRefuse(link: PeerLink, laneId: number): void {
    this.transitWaits.get(`${link.device}/${laneId}`)?.(`${link.nick} refused the transit lane (TCP lanes off there, or busy)`);
  }

  /**
   * The peer asks us to meet it at the relay's transit port for its lane `laneId`. When we will
   * not (lanes off here, no relay, too many joins of that device under way), we say so with
   * LANE_REFUSE, so that it sends as datagrams at once instead of waiting for us.
   */
  onJoin(link: PeerLink, laneId: number): void {
    const refuse = (why: string, level: 'debug' | 'warn' = 'debug'): void => {
      this.host.log(level, `refused a transit lane request from ${link.nick}: ${why}`);
      link.channel.send(encodeControl({ type: ControlType.LANE_REFUSE, laneId }));
      link.armChannelTimer();
    };
    if (!this.host.lanes || this.closed) return refuse('TCP lanes are off');
    const relay = this.host.relay();
    const key = link.laneKey();
    if (!relay || !key) return refuse('no relay or no session key');
    const busy = this.joining.get(link.device) ?? 0;
    if (busy >= MAX_JOINS_PER_DEVICE) return refuse(`${busy} already under way`, 'warn');
    this.joining.set(link.device, busy + 1);
    void (async () => {
      const socket = await this.connect(relay.host, relay.port, TRANSIT_OPEN_TIMEOUT_MS);
      socket.write(encodeTransitHello(transitToken(key, laneId)));
      const lane = await InLane.accept(socket, {
        keysFor: (device) => (device === link.device ? link.laneKeys() : []),
        timeoutMs: TRANSIT_OPEN_TIMEOUT_MS,
      });
      this.adopt(lane);
    })()
      .catch((err: Error) => this.host.log('debug', `transit lane from ${link.nick} not joined: ${err.message}`))
      .finally(() => {
        const n = (this.joining.get(link.device) ?? 1) - 1;
        if (n <= 0) this.joining.delete(link.device);
        else this.joining.set(link.device, n);
      });
  }

  private onConnection(socket: net.Socket): void {
    if (this.closed || this.accepting >= MAX_ACCEPTING) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    this.accepting++;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    InLane.accept(socket, { keysFor: (device) => this.host.link(device)?.laneKeys() ?? [], timeoutMs: DIRECT_OPEN_TIMEOUT_MS })
      .then((lane) => this.adopt(lane))
      .catch((err: Error) => this.host.log('debug', `refused a TCP connection from ${socket.remoteAddress}: ${err.message}`))
      .finally(() => this.accepting--);
  }

  private adopt(lane: InLane): void {
    const link = this.host.link(lane.device);
    if (!link || this.closed) {
      lane.close('unknown device');
      return;
    }
    this.inLanes.add(lane);
    lane.sink = this.host.sink(link, lane);
    lane.expecting = () => this.host.expecting(link, lane);
    lane.once('closed', (reason) => {
      this.inLanes.delete(lane);
      this.host.inLaneClosed(link, lane, reason);
    });
  }

  private connect(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port, noDelay: true });
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`TCP ${host}:${port} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(socket);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      });
    });
  }

  private closeWhenIdle(lane: OutLane): void {
    let last = lane.socket.bytesWritten;
    let quietSince = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      if (lane.socket.bytesWritten !== last) {
        last = lane.socket.bytesWritten;
        quietSince = now;
      } else if (now - quietSince >= IDLE_CLOSE_MS && lane.users === 0) {
        lane.close('idle');
      }
    }, IDLE_CLOSE_MS / 3);
    timer.unref();
    lane.once('closed', () => clearInterval(timer));
  }

  /**
   * The path to a device changed: a lane no transfer uses closes, so that the next file takes
   * the best lane of the new path (direct rather than transit).
   */
  pathChanged(device: string): void {
    for (const l of [...(this.out.get(device)?.lanes ?? [])]) if (l.users === 0) l.close('the path changed');
  }

  /** A device left or restarted: its lanes end (a new session needs new lane keys). */
  forget(device: string): void {
    this.failedAt.delete(device);
    const g = this.out.get(device);
    this.out.delete(device);
    for (const l of [...(g?.lanes ?? [])]) l.close('the device left');
    for (const l of this.inLanes) if (l.device === device) l.close('the device left');
  }

  close(): void {
    this.closed = true;
    this.server?.close();
    this.server = null;
    const groups = [...this.out.values()];
    this.out.clear();
    for (const g of groups) for (const l of [...g.lanes]) l.close('leaving');
    for (const l of this.inLanes) l.close('leaving');
    for (const s of this.sockets) s.destroy();
  }
}
