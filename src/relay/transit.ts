/**
 * The relay's transit port (docs/protocol.md "Stream lanes"): TCP on the relay's own address and
 * port. Two devices that cannot reach each other directly each connect and present the same
 * 32-byte token; the relay splices the two connections and copies bytes both ways, as
 * magic-wormhole's transit relay does. What crosses is a lane's handshake and sealed records:
 * the relay can neither read nor alter them unnoticed, and the token tells it nothing.
 *
 * Who may use it: only a connection from an IP address that has a registered session on this
 * relay (its clients); at most MAX_WAITING connections wait for their partner at once (and
 * MAX_WAITING_PER_IP per address), each at most PAIR_TIMEOUT_MS; a token is used once.
 *
 * In a cluster the two ends of a lane may reach different relays (each device connects to its
 * own). The relays meet them (TransitMeeting): the first relay to see a token claims it in the
 * directory; a relay that finds it claimed by another dials that relay's transit port, presents
 * the token in a bridge hello (MACed under the cluster secret, so only a relay of the cluster
 * can), and splices its client's connection to that one.
 */
import * as net from 'node:net';
import {
  BRIDGE_HELLO_BYTES,
  BRIDGE_MAGIC,
  StreamCutter,
  TRANSIT_HELLO_BYTES,
  TRANSIT_MAGIC,
  decodeBridgeHello,
  decodeTransitHello,
  encodeBridgeHello,
} from '../protocol/laneFrames';

/** A connection waits this long for its hello and then for its partner (ms). */
export const PAIR_TIMEOUT_MS = 10_000;
export const MAX_WAITING = 256;
export const MAX_WAITING_PER_IP = 16;
/** Spliced lanes at most (each holds two connections). */
export const MAX_SPLICED = 1_024;
/**
 * Bytes a spliced lane may hold in the relay, per direction, before it stops reading the sending
 * side. Node's default (16 KiB) tied the two TCP connections together: whenever the far one
 * slowed for a loss, the near one stopped at once. At 1 % packet loss in the lab, 256 KiB took a
 * relayed lane from 97–133 to 142–178 MB/s (4 runs each; 1 MiB did no better).
 */
export const SPLICE_BUFFER_BYTES = 256 * 1024;
/** …and all spliced lanes together, both directions: each lane's share shrinks as more are open. */
export const SPLICE_BUDGET_BYTES = 64 * 1024 * 1024;
/** The least a lane may hold, however many are open (Node's own default). */
const MIN_SPLICE_BUFFER_BYTES = 16 * 1024;
/** A spliced lane that carries nothing either way for this long is closed (ms). */
export const SPLICE_IDLE_MS = 120_000;
/** A claim the directory has not answered within this long leaves the connection waiting here (ms). */
export const CLAIM_TIMEOUT_MS = 2_000;

export interface TransitStats {
  /** Lanes spliced since start, and open now. */
  spliced: number;
  open: number;
  /** Bytes copied from one side to the other (both directions). */
  bytes: number;
  /** Bytes the relay holds now, read from one side and not yet taken by the other's kernel. */
  buffered: number;
  /** Connections closed unpaired: unknown address, bad hello, too many waiting, no partner in time. */
  refused: number;
  /** Lanes whose other end was on another relay of the cluster: spliced to a connection to it. */
  bridged: number;
}

/** How the relays of a cluster meet the two ends of a lane that reached different relays. */
export interface TransitMeeting {
  /** Keys the bridge hellos between the cluster's relays (laneFrames.bridgeKey). */
  key: Buffer;
  /**
   * Claims `token` (hex) for this relay for PAIR_TIMEOUT_MS: null if it is ours (its other end
   * will come here), else the transit address of the relay that claimed it first.
   */
  claim(token: string): Promise<{ host: string; port: number } | null>;
  /** Whether `ip` is the address of another relay of the cluster (it may bring a lane's other end). */
  isRelayAddress(ip: string): boolean;
  /** The transit server closed. */
  close?(): void;
}

export interface TransitOptions {
  host: string;
  port: number;
  /** Whether `ip` has a registered session here. */
  isClientAddress(ip: string): boolean;
  /** A relay of a cluster: meets lanes with the other relays. */
  meeting?: TransitMeeting;
  log?: (line: string) => void;
}

interface Waiting {
  socket: net.Socket;
  ip: string;
  rest: Buffer;
  timer: NodeJS.Timeout;
  /** Releases its place in the per-address count of connections waiting. */
  uncount: () => void;
}

export class TransitServer {
  private readonly waiting = new Map<string, Waiting>();
  private readonly perIp = new Map<string, number>();
  private readonly counters: Omit<TransitStats, 'buffered'> = { spliced: 0, open: 0, bytes: 0, refused: 0, bridged: 0 };
  private readonly splicedSockets = new Set<net.Socket>();
  private readonly pending = new Set<net.Socket>();
  private readonly splicedEnds = new Set<() => void>();

  private constructor(
    private readonly server: net.Server,
    private readonly opts: TransitOptions,
  ) {
    server.on('connection', (s) => this.onConnection(s));
  }

  /** Listens on host:port (TCP). Rejects if that cannot be bound. */
  static async start(opts: TransitOptions): Promise<TransitServer> {
    const server = net.createServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: opts.host, port: opts.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new TransitServer(server, opts);
  }

  stats(): TransitStats {
    let buffered = 0;
    for (const s of this.splicedSockets) buffered += s.writableLength;
    return { ...this.counters, buffered };
  }

  /** What one direction of a spliced lane may hold now (see SPLICE_BUFFER_BYTES). */
  private spliceLimit(): number {
    const share = Math.floor(SPLICE_BUDGET_BYTES / (2 * Math.max(1, this.counters.open)));
    return Math.max(MIN_SPLICE_BUFFER_BYTES, Math.min(SPLICE_BUFFER_BYTES, share));
  }

  /** Ends every lane, spliced or waiting (the clients carry on as datagrams). */
  closeLanes(): void {
    for (const w of this.waiting.values()) w.socket.destroy();
    for (const s of this.pending) s.destroy();
    for (const end of [...this.splicedEnds]) end();
  }

  close(): Promise<void> {
    this.opts.meeting?.close?.();
    this.closeLanes();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private refuse(socket: net.Socket): void {
    this.counters.refused++;
    socket.destroy();
  }

  private onConnection(socket: net.Socket): void {
    socket.on('error', () => socket.destroy());
    const ip = normalizeIp(socket.remoteAddress ?? '');
    const client = this.opts.isClientAddress(ip);
    const meeting = this.opts.meeting;
    const relay = meeting?.isRelayAddress(ip) ?? false;
    if (!(client || relay) || this.waiting.size + this.pending.size >= MAX_WAITING || (this.perIp.get(ip) ?? 0) >= MAX_WAITING_PER_IP) {
      return this.refuse(socket);
    }
    if (this.counters.open >= MAX_SPLICED) return this.refuse(socket);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    let counted = true;
    const uncount = (): void => {
      if (!counted) return;
      counted = false;
      const n = (this.perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, n);
    };
    socket.once('close', uncount);
    this.pending.add(socket);
    const cutter = new StreamCutter();
    const timer = setTimeout(() => {
      this.pending.delete(socket);
      this.refuse(socket);
    }, PAIR_TIMEOUT_MS);
    timer.unref();
    const onData = (d: Buffer): void => {
      cutter.push(d);
      if (cutter.bufferedBytes < 4) return;
      // A client's transit hello, or (from another relay of the cluster) a bridge hello.
      const head = cutter.peek(4);
      const bridge = head.equals(BRIDGE_MAGIC);
      if (!bridge && !head.equals(TRANSIT_MAGIC)) return this.badHello(socket, timer);
      const hello = cutter.take(bridge ? BRIDGE_HELLO_BYTES : TRANSIT_HELLO_BYTES);
      if (!hello) return;
      socket.off('data', onData);
      socket.pause();
      this.pending.delete(socket);
      clearTimeout(timer);
      const token = bridge ? (meeting && relay ? decodeBridgeHello(meeting.key, hello) : null) : client ? decodeTransitHello(hello) : null;
      if (!token) return this.refuse(socket);
      this.onHello(socket, ip, token.toString('hex'), cutter.rest(), uncount, bridge);
    };
    socket.on('data', onData);
  }

  private badHello(socket: net.Socket, timer: NodeJS.Timeout): void {
    this.pending.delete(socket);
    clearTimeout(timer);
    this.refuse(socket);
  }

  private onHello(socket: net.Socket, ip: string, token: string, rest: Buffer, uncount: () => void, bridged: boolean): void {
    const partner = this.waiting.get(token);
    if (!partner) {
      const timer = setTimeout(() => {
        if (this.waiting.get(token)?.socket === socket) this.waiting.delete(token);
        this.refuse(socket);
      }, PAIR_TIMEOUT_MS);
      timer.unref();
      this.waiting.set(token, { socket, ip, rest, timer, uncount });
      socket.once('close', () => {
        if (this.waiting.get(token)?.socket === socket) {
          clearTimeout(timer);
          this.waiting.delete(token);
        }
      });
      // A client's end with no partner here: its partner may be on another relay of the cluster.
      // (A bridged end is never bridged on: the relay that sent it holds the other end.)
      if (this.opts.meeting && !bridged) this.meet(this.opts.meeting, token, socket);
      return;
    }
    this.waiting.delete(token);
    clearTimeout(partner.timer);
    uncount();
    partner.uncount();
    this.splice(partner.socket, partner.rest, socket, rest);
  }

  /**
   * Claims `token` in the cluster's directory. Ours: the connection waits here for its partner
   * (from this relay's clients, or bridged by another relay). Another relay's: the connection is
   * bridged to it. A directory that fails or is slow leaves it waiting here (a partner on this
   * relay still pairs; one on another relay does not, and both clients send as datagrams).
   */
  private meet(meeting: TransitMeeting, token: string, socket: net.Socket): void {
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), CLAIM_TIMEOUT_MS);
      timer.unref();
    });
    Promise.race([meeting.claim(token), slow])
      .then(
        (owner) => {
          if (owner) this.bridge(meeting, token, socket, owner);
        },
        (err: Error) => this.opts.log?.(`transit: a lane's token could not be claimed (${err.message}); it waits here`),
      )
      .finally(() => clearTimeout(timer));
  }

  /** Takes the waiting connection of `token` to the relay at `to` and splices the two. */
  private bridge(meeting: TransitMeeting, token: string, socket: net.Socket, to: { host: string; port: number }): void {
    const w = this.waiting.get(token);
    if (!w || w.socket !== socket) return; // paired here meanwhile, or gone
    this.waiting.delete(token);
    clearTimeout(w.timer);
    const out = net.connect({ host: to.host, port: to.port, noDelay: true });
    this.pending.add(out);
    const fail = (why: string): void => {
      clearTimeout(timer);
      this.pending.delete(out);
      out.destroy();
      this.opts.log?.(`transit: could not bridge a lane to the relay at ${to.host}:${to.port} (${why})`);
      this.refuse(socket);
    };
    const timer = setTimeout(() => fail(`no answer within ${PAIR_TIMEOUT_MS} ms`), PAIR_TIMEOUT_MS);
    timer.unref();
    out.once('error', (err) => fail(err.message));
    socket.once('close', () => {
      if (this.pending.has(out)) fail('its client left');
    });
    out.once('connect', () => {
      clearTimeout(timer);
      this.pending.delete(out);
      out.removeAllListeners('error');
      out.on('error', () => out.destroy());
      if (socket.destroyed) {
        out.destroy();
        return;
      }
      out.write(encodeBridgeHello(meeting.key, Buffer.from(token, 'hex')));
      w.uncount();
      this.counters.bridged++;
      this.splice(w.socket, w.rest, out, Buffer.alloc(0));
    });
  }

  private splice(a: net.Socket, aRest: Buffer, b: net.Socket, bRest: Buffer): void {
    this.counters.spliced++;
    this.counters.open++;
    let closed = false;
    let lastActive = Date.now();
    const idle = setInterval(() => {
      if (Date.now() - lastActive >= SPLICE_IDLE_MS) end();
    }, SPLICE_IDLE_MS / 4);
    idle.unref();
    const end = (): void => {
      if (closed) return;
      closed = true;
      this.splicedEnds.delete(end);
      clearInterval(idle);
      this.counters.open--;
      this.splicedSockets.delete(a);
      this.splicedSockets.delete(b);
      a.destroy();
      b.destroy();
    };
    const pipe = (from: net.Socket, to: net.Socket, first: Buffer): void => {
      if (first.length > 0) {
        this.counters.bytes += first.length;
        to.write(first);
      }
      from.on('data', (d: Buffer) => {
        lastActive = Date.now();
        this.counters.bytes += d.length;
        to.write(d);
        if (to.writableLength >= this.spliceLimit()) from.pause();
      });
      to.on('drain', () => from.resume());
      from.on('end', () => to.end());
      from.on('close', end);
      from.on('error', end);
    };
    this.splicedEnds.add(end);
    this.splicedSockets.add(a);
    this.splicedSockets.add(b);
    a.setNoDelay(true);
    b.setNoDelay(true);
    pipe(a, b, aRest);
    pipe(b, a, bRest);
    a.resume();
    b.resume();
  }
}

/** An IPv4 address as a dual-stack socket reports it ("::ffff:1.2.3.4") in its plain form. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && net.isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
}
