/**
 * RedisDirectory: the directory of a cluster of relays (directory.ts), kept in one Redis that every
 * relay of the cluster uses (docs/protocol.md "Several relays", README "Several relays").
 *
 * Changes are Lua scripts (redisScripts.ts), one per atomic change: register (claim a nickname for
 * an identity, create, resume, move or rename a device's session), end, restore, heartbeat. Each
 * versioned change (a device online or offline) increments one roster version for the whole
 * cluster, is appended to a capped log under that version, and is published; every relay applies
 * them to its view in version order. A relay that missed some (a dropped subscription, a pause)
 * reads them back from the log, or, if the log no longer reaches back, reloads a snapshot.
 *
 * Leases and fencing. Every relay holds a lease (renewed every HEARTBEAT_MS, LEASE_MS long).
 * Every session record names the relay that holds it and a generation that grows with each move;
 * a relay acts on a session only while Redis says it holds it and only while it has a lease: a
 * relay that was taken for dead (FENCED) stops, joins again and puts back what is still its own.
 * The sessions of a relay whose lease ran out ORPHAN_GRACE_MS ago are reaped (offline, nicknames
 * reserved) by a relay that has kept its own lease all along; until then their devices can take
 * them to another relay, keeping id and nickname, without a leave or join.
 *
 * Losing Redis. Commands fail at once while the connection is down (no offline queue), and a
 * heartbeat that takes longer than HEARTBEAT_TIMEOUT_MS (Redis paused) counts as down: the
 * directory is then unavailable (the relay refuses new devices with DIRECTORY_UNAVAILABLE and
 * goes on serving those it has), ends of sessions wait in a queue, and when a heartbeat succeeds
 * again they are made and the view catches up. A Redis that comes back empty has a new data
 * epoch (or none): every relay joins again, refills it from its view (restore), and reloads.
 */
import { EventEmitter } from 'node:events';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { createClient } from 'redis';
import type { DeviceCertificate } from '../crypto/deviceCertificate';
import { CERTIFICATE_BYTES, decodeCertificate, encodeCertificate } from '../protocol/relayMessages';
import {
  Directory,
  DirectoryEntry,
  DirectoryEvents,
  DirectoryStats,
  DirectoryView,
  EndReason,
  MAX_SESSION_ID,
  RegisterOutcome,
  RegisterRequest,
  RelayInfo,
} from './directory';
import { CHANGES_CHANNEL, CERT, END, HEARTBEAT, JOIN, LOG_KEY, REGISTER, RELEASE, RESTORE, SNAPSHOT } from './redisScripts';
import { redactUrl } from './redisUrl';
import {
  HEARTBEAT_MS,
  HEARTBEAT_TIMEOUT_MS,
  LEASE_MS,
  ORPHAN_GRACE_MS,
  REAP_BUDGET,
  RECONCILE_MS,
  REDIS_CONNECT_TIMEOUT_MS,
  REDIS_RECONNECT_MAX_MS,
  RESTORE_BATCH,
  VERSION_WAIT_MS,
} from './clusterLimits';

/** What the directory uses of a redis client connection. */
interface RedisConnection {
  sendCommand(args: string[]): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
}

interface Script {
  src: string;
  sha: string;
}

function script(src: string): Script {
  return { src, sha: createHash('sha1').update(src).digest('hex') };
}

const SCRIPTS = {
  join: script(JOIN),
  heartbeat: script(HEARTBEAT),
  register: script(REGISTER),
  end: script(END),
  cert: script(CERT),
  restore: script(RESTORE),
  snapshot: script(SNAPSHOT),
  release: script(RELEASE),
};

/** A change as published (redisScripts.ts `publish`). */
interface Change {
  e: string;
  v?: number;
  op: 'on' | 'off' | 'mv' | 'cert';
  id: number;
  dev?: string;
  own?: string;
  nick?: string;
  nk?: string;
  tag?: string;
  cert?: string;
  relay?: string;
  gen?: number;
}

/** What a relay tells its directory about its own sessions. */
export interface LocalSessions {
  has(id: number): boolean;
  ids(): Iterable<number>;
}

export interface RedisDirectoryOptions {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** How long a timed-out member's nickname stays reserved (ms). */
  nickReserveMs: number;
  /** A line for the relay's log. */
  log?: (line: string) => void;
}

class DirectoryUnavailable extends Error {}

export class RedisDirectory extends EventEmitter<DirectoryEvents> implements Directory {
  /** Random per process: a restarted relay is another relay (its old sessions move to it). */
  readonly relayId = randomBytes(8).toString('hex');
  readonly view = new DirectoryView();
  private up = false;
  private epoch = '';
  private info = '';
  private local: LocalSessions = { has: () => false, ids: () => [] };
  private readonly relays = new Map<string, RelayInfo>();
  /** Versioned changes that arrived ahead of the view (a gap before them), by version. */
  private readonly ahead = new Map<number, Change>();
  private readonly waiters: Array<{ version: number; resolve: () => void }> = [];
  /** Sessions to end once Redis answers again (id → reason). */
  private readonly pendingEnds = new Map<number, EndReason>();
  /** Held in Redis but not here at the last reconciliation: ended if still so at the next. */
  private suspects = new Set<number>();
  private rejoining: Promise<void> | undefined;
  private reloading = false;
  private catchingUp = false;
  private catchUpTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatInFlight = false;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastUnavailableLog = '';

  private constructor(
    private readonly cmd: RedisConnection,
    private readonly sub: RedisConnection,
    private readonly opts: RedisDirectoryOptions,
  ) {
    super();
  }

  /**
   * Connects (command and subscriber connections) and subscribes to the changes. Rejects if
   * Redis cannot be reached within REDIS_CONNECT_TIMEOUT_MS: a relay told to join a cluster does
   * not start without it.
   */
  static async connect(opts: RedisDirectoryOptions): Promise<RedisDirectory> {
    const reconnectStrategy = (retries: number): number => Math.min(50 * 2 ** retries, REDIS_RECONNECT_MAX_MS);
    const cmd = createClient({
      url: opts.url,
      disableOfflineQueue: true,
      socket: { connectTimeout: REDIS_CONNECT_TIMEOUT_MS, reconnectStrategy },
    });
    const sub = cmd.duplicate();
    const d = new RedisDirectory(cmd, sub, opts);
    // Errors surface as rejected commands and missed heartbeats; the client reconnects itself.
    let lastError = '';
    cmd.on('error', (err: Error) => {
      lastError = err.message;
      d.lost(`Redis: ${err.message}`);
    });
    sub.on('error', () => {});
    cmd.on('end', () => d.lost('Redis connection closed'));
    const timeout = <T>(p: Promise<T>): Promise<T> =>
      withTimeout(
        p,
        REDIS_CONNECT_TIMEOUT_MS,
        () =>
          new Error(
            `cannot reach Redis at ${redactUrl(opts.url)}${lastError ? ` (${lastError})` : ''} within ${REDIS_CONNECT_TIMEOUT_MS / 1000} s: check that it runs and that the URL is right`,
          ),
      );
    try {
      await timeout(cmd.connect());
      await timeout(sub.connect());
      await timeout(sub.subscribe(CHANGES_CHANNEL, (message: string) => d.onMessage(message)));
    } catch (err) {
      cmd.destroy();
      sub.destroy();
      throw err;
    }
    return d;
  }

  get available(): boolean {
    return this.up && this.rejoining === undefined && !this.closed;
  }

  /** The relay's own sessions (reconciliation, restore). */
  bindLocal(local: LocalSessions): void {
    this.local = local;
  }

  /**
   * Joins the cluster: lease, mesh address, the view loaded from a snapshot; then heartbeats.
   * `address` is where other relays reach this one.
   */
  async start(address: { host: string; port: number }): Promise<void> {
    this.info = JSON.stringify({ host: address.host, port: address.port });
    await this.rejoin('start');
    // At once: the first heartbeat tells this relay where the others are.
    this.scheduleHeartbeat(0);
    this.reconcileTimer = setInterval(() => void this.reconcile(), RECONCILE_MS);
    this.reconcileTimer.unref();
  }

  // ---------------------------------------------------------------------------------------------
  // Changes

  async register(req: RegisterRequest): Promise<RegisterOutcome> {
    if (!this.available) return { ok: false, code: 'DIRECTORY_UNAVAILABLE' };
    for (let attempt = 0; attempt < 3; attempt++) {
      const candidates = Array.from({ length: 4 }, () => String(randomInt(1, MAX_SESSION_ID + 1)));
      let reply: unknown[];
      try {
        reply = (await this.eval(SCRIPTS.register, [
          this.epoch,
          this.relayId,
          req.deviceKey,
          req.ownerKey,
          req.nickKey,
          req.nick,
          req.cert.deviceSign.subarray(0, 8).toString('hex'),
          encodeCertificate(req.cert).toString('base64'),
          String(req.cookieSeconds),
          req.allowNew ? '1' : '0',
          req.moving ? '1' : '0',
          ...candidates,
        ])) as unknown[];
      } catch (err) {
        this.lost(`Redis: ${errText(err)}`);
        return { ok: false, code: 'DIRECTORY_UNAVAILABLE' };
      }
      const status = String(reply[0]);
      switch (status) {
        case 'OK':
          return this.registeredReply(reply);
        case 'RETRY':
          continue;
        case 'NICK_TAKEN': {
          const ttl = Number(reply[1]);
          return { ok: false, code: 'NICK_TAKEN', reservedForMs: ttl > 0 ? ttl : undefined };
        }
        case 'NICK_MISMATCH':
          return { ok: false, code: 'NICK_MISMATCH', nick: String(reply[1]), others: Number(reply[2]) };
        case 'BAD_SIGNATURE':
        case 'BAD_COOKIE':
        case 'RELAY_FULL':
          return { ok: false, code: status };
        case 'EPOCH':
        case 'FENCED':
          void this.rejoin(status === 'EPOCH' ? 'epoch' : 'fenced');
          return { ok: false, code: 'DIRECTORY_UNAVAILABLE' };
        default:
          throw new Error(`unexpected reply from the register script: ${status}`);
      }
    }
    return { ok: false, code: 'DIRECTORY_UNAVAILABLE' };
  }

  private async registeredReply(reply: unknown[]): Promise<RegisterOutcome> {
    const kind = String(reply[1]) as 'new' | 'resumed' | 'moved' | 'renamed';
    const id = Number(reply[2]);
    const devices = Number(reply[3]);
    let newest = 0;
    for (const json of reply.slice(5)) {
      const c = parseChange(String(json));
      if (c === undefined) continue;
      if (c.v !== undefined && c.v > newest) newest = c.v;
      this.ingest(c);
    }
    // The view must hold the change before the relay answers (it serves roster pages and the
    // client's PRESENCE stream from it): changes published before ours may still be on the way.
    if (newest > this.view.version) await this.waitForVersion(newest);
    const entry = this.view.get(id);
    if (entry === undefined || entry.relay !== this.relayId) return { ok: false, code: 'DIRECTORY_UNAVAILABLE' };
    return { ok: true, entry, kind, devices };
  }

  end(id: number, reason: EndReason): Promise<void> {
    this.pendingEnds.set(id, reason);
    return this.available ? this.flushEnds() : Promise.resolve();
  }

  renewCertificate(id: number, cert: DeviceCertificate): void {
    const e = this.view.get(id);
    if (e === undefined || certEquals(e.cert, cert)) return;
    e.cert = cert;
    if (!this.available) return;
    this.eval(SCRIPTS.cert, [this.epoch, this.relayId, String(id), encodeCertificate(cert).toString('base64')]).catch(
      (err: unknown) => this.lost(`Redis: ${errText(err)}`),
    );
  }

  sweep(): void {
    // Redis expires nickname reservations itself (PEXPIRE).
  }

  stats(): DirectoryStats {
    return { nickReservations: -1, relays: [...this.relays.values()], available: this.available };
  }

  /**
   * Claims a transit lane's token for this relay for `ttlMs` (transit.ts, "meeting"): returns the
   * id of the relay that holds it, this one's if the claim was first. Rejects while Redis is
   * unreachable (the lane then waits on this relay alone).
   */
  async claimTransit(token: string, ttlMs: number): Promise<string | null> {
    if (!/^[0-9a-f]{64}$/.test(token)) throw new RangeError('a transit token is 32 bytes in hex');
    const key = `{peerchat}:transit:${token}`;
    const set = await this.cmd.sendCommand(['SET', key, this.relayId, 'NX', 'PX', String(Math.max(1, Math.round(ttlMs)))]);
    if (set === 'OK') return this.relayId;
    const owner = await this.cmd.sendCommand(['GET', key]);
    return typeof owner === 'string' ? owner : null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    if (this.catchUpTimer) clearTimeout(this.catchUpTimer);
    try {
      // Leaves the sessions to their devices: they take them to another relay, keeping their ids.
      if (this.up && this.epoch !== '') await withTimeout(this.eval(SCRIPTS.release, [this.epoch, this.relayId]), HEARTBEAT_TIMEOUT_MS);
    } catch {
      // Redis away: the lease runs out by itself.
    }
    for (const c of [this.sub, this.cmd]) {
      try {
        await withTimeout(c.close(), HEARTBEAT_TIMEOUT_MS);
      } catch {
        c.destroy();
      }
    }
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  /** Makes the ends that waited (LEAVE and timeouts while Redis was away, or just now). */
  private flushEnds(): Promise<void> {
    // One pass at a time; a call during a pass waits for a pass that includes its end.
    const run = (): Promise<void> => this.endPass().finally(() => {
      if (this.endsRunning === chained) this.endsRunning = undefined;
    });
    const chained: Promise<void> = (this.endsRunning ?? Promise.resolve()).then(run);
    this.endsRunning = chained;
    return chained;
  }
  private endsRunning: Promise<void> | undefined;

  private async endPass(): Promise<void> {
    for (const [id, reason] of [...this.pendingEnds]) {
      if (!this.available) return;
      let reply: unknown[];
      try {
        reply = (await this.eval(SCRIPTS.end, [this.epoch, this.relayId, String(id), reason, String(this.opts.nickReserveMs)])) as unknown[];
      } catch (err) {
        this.lost(`Redis: ${errText(err)}`);
        return;
      }
      if (this.pendingEnds.get(id) === reason) this.pendingEnds.delete(id);
      const status = String(reply[0]);
      if (status === 'OK') {
        const c = parseChange(String(reply[1]));
        if (c !== undefined) this.ingest(c);
      } else if (status === 'EPOCH' || status === 'FENCED') {
        this.pendingEnds.set(id, reason);
        void this.rejoin(status === 'EPOCH' ? 'epoch' : 'fenced');
        return;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The stream of changes

  private onMessage(message: string): void {
    const c = parseChange(message);
    if (c === undefined || this.closed) return;
    if (c.e !== this.epoch) {
      // Another data epoch: Redis was emptied and a relay refilled it. The heartbeat finds out.
      if (this.epoch !== '' && this.rejoining === undefined) this.scheduleHeartbeat(0);
      return;
    }
    this.ingest(c);
  }

  /** Applies a change in version order (route and certificate changes at once). */
  private ingest(c: Change): void {
    if (c.op === 'mv' || c.op === 'cert') {
      this.applyRoute(c);
      return;
    }
    const v = c.v ?? 0;
    if (v <= this.view.version) return;
    if (this.reloading || v > this.view.version + 1) {
      this.ahead.set(v, c);
      if (!this.reloading) this.scheduleCatchUp();
      return;
    }
    this.apply(c);
    for (let next = this.ahead.get(this.view.version + 1); next !== undefined; next = this.ahead.get(this.view.version + 1)) {
      this.ahead.delete(this.view.version + 1);
      this.apply(next);
    }
    for (const k of this.ahead.keys()) if (k <= this.view.version) this.ahead.delete(k);
    this.wake();
  }

  private apply(c: Change): void {
    const v = c.v!;
    if (c.op === 'on') {
      const existing = this.view.get(c.id);
      const entry = entryOf(c);
      if (entry === undefined || (existing !== undefined && existing.deviceKey === entry.deviceKey && existing.nickKey === entry.nickKey)) {
        // Nothing a client would see (a duplicate): the version moves on without a change.
        if (existing !== undefined && entry !== undefined) {
          existing.relay = entry.relay;
          existing.gen = entry.gen;
        }
        this.view.version = v;
        this.emit('jump', v);
        return;
      }
      if (existing !== undefined) this.view.remove(existing);
      const stale = this.view.byDeviceKey(entry.deviceKey);
      if (stale !== undefined) this.view.remove(stale);
      this.view.add(entry);
      this.view.version = v;
      this.learnRelay(entry.relay);
      this.emit('change', { version: v, online: true, entry });
    } else {
      const existing = this.view.get(c.id);
      if (existing === undefined) {
        this.view.version = v;
        this.emit('jump', v);
        return;
      }
      this.view.remove(existing);
      this.view.version = v;
      this.emit('change', { version: v, online: false, entry: existing });
    }
  }

  private applyRoute(c: Change): void {
    const e = this.view.get(c.id);
    if (e === undefined) return;
    if (c.cert !== undefined) {
      const cert = decodeCert(c.cert);
      if (cert !== undefined) e.cert = cert;
    }
    if (c.op === 'mv' && c.relay !== undefined && c.gen !== undefined && c.gen > e.gen) {
      const from = e.relay;
      e.relay = c.relay;
      e.gen = c.gen;
      this.learnRelay(e.relay);
      this.emit('moved', e, from);
    }
  }

  /** A session on a relay not known yet (it just joined): a heartbeat now brings its address. */
  private learnRelay(relay: string): void {
    if (relay !== this.relayId && relay !== '' && !this.relays.has(relay) && !this.heartbeatInFlight) this.scheduleHeartbeat(0);
  }

  private waitForVersion(version: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve();
      }, VERSION_WAIT_MS);
      const w = {
        version,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(w);
      this.scheduleCatchUp();
    });
  }

  private wake(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].version <= this.view.version) this.waiters.splice(i, 1)[0].resolve();
    }
  }

  /** A gap that pub/sub does not fill within a moment is read back from the log. */
  private scheduleCatchUp(): void {
    if (this.catchUpTimer !== undefined || this.closed) return;
    this.catchUpTimer = setTimeout(() => {
      this.catchUpTimer = undefined;
      void this.catchUp();
    }, 100);
    this.catchUpTimer.unref();
  }

  private async catchUp(target?: number): Promise<void> {
    if (this.catchingUp || this.reloading || !this.up) return;
    const want = target ?? Math.max(0, ...this.ahead.keys(), ...this.waiters.map((w) => w.version));
    if (want <= this.view.version) return;
    this.catchingUp = true;
    try {
      while (this.view.version < want && !this.reloading) {
        const from = this.view.version + 1;
        const entries = (await this.cmd.sendCommand(['XRANGE', LOG_KEY, `${from}-1`, '+', 'COUNT', '500'])) as Array<[string, string[]]>;
        if (entries.length === 0 || Number(entries[0][0].split('-')[0]) !== from) {
          // The log no longer reaches back to where the view is: reload.
          await this.reload();
          return;
        }
        for (const [, fields] of entries) {
          const c = parseChange(fields[1]);
          if (c !== undefined && c.e === this.epoch) this.ingest(c);
        }
        if (this.view.version < from) {
          await this.reload();
          return;
        }
      }
    } catch (err) {
      this.lost(`Redis: ${errText(err)}`);
    } finally {
      this.catchingUp = false;
    }
  }

  /** Loads the view from a snapshot (a jump for the clients), then what arrived meanwhile. */
  private async reload(): Promise<void> {
    this.reloading = true;
    try {
      const reply = (await this.eval(SCRIPTS.snapshot, [])) as unknown[];
      const version = Number(reply[1]);
      if (String(reply[0]) !== this.epoch) throw new DirectoryUnavailable('the data epoch changed during a reload');
      const records = (reply.slice(2) as string[][])
        .map((r) => ({ j: Number(r[9]), entry: entryOf({ e: '', op: 'on', id: Number(r[0]), dev: r[1], own: r[2], nick: r[3], nk: r[4], tag: r[5], cert: r[6], relay: r[7], gen: Number(r[8]) }) }))
        .filter((r): r is { j: number; entry: DirectoryEntry } => r.entry !== undefined)
        .sort((a, b) => a.j - b.j);
      this.view.clear();
      for (const r of records) this.view.add(r.entry);
      this.view.version = version;
      for (const k of [...this.ahead.keys()]) if (k <= version) this.ahead.delete(k);
      this.emit('jump', version);
      this.emit('log', `directory: view loaded at version ${version}: ${records.length} device(s) in the chat`);
    } finally {
      this.reloading = false;
    }
    // What was published meanwhile, in order.
    const ahead = [...this.ahead.values()].sort((a, b) => (a.v ?? 0) - (b.v ?? 0));
    this.ahead.clear();
    for (const c of ahead) this.ingest(c);
    this.wake();
  }

  // ---------------------------------------------------------------------------------------------
  // Lease, health, rejoining

  private scheduleHeartbeat(ms: number): void {
    if (this.closed) return;
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(() => void this.heartbeat(), ms);
    this.heartbeatTimer.unref();
  }

  private async heartbeat(): Promise<void> {
    this.heartbeatTimer = undefined;
    if (this.closed) return;
    if (this.rejoining !== undefined || this.heartbeatInFlight) {
      this.scheduleHeartbeat(HEARTBEAT_MS);
      return;
    }
    this.heartbeatInFlight = true;
    let next = HEARTBEAT_MS;
    const call = this.eval(SCRIPTS.heartbeat, [
      this.epoch,
      this.relayId,
      String(LEASE_MS),
      String(ORPHAN_GRACE_MS),
      this.info,
      String(this.opts.nickReserveMs),
      String(REAP_BUDGET),
    ]) as Promise<unknown[]>;
    // A heartbeat that hangs (Redis paused) must not be sent again on top of itself: the next one
    // waits for it, however long, and meanwhile the directory counts as unavailable.
    const settled = call.then(
      (reply) => this.onHeartbeat(reply),
      (err: unknown) => this.lost(`Redis: ${errText(err)}`),
    );
    try {
      const more = await withTimeout(settled, HEARTBEAT_TIMEOUT_MS);
      if (more === true) next = 0;
    } catch {
      this.lost('Redis does not answer');
      await settled;
    } finally {
      this.heartbeatInFlight = false;
    }
    this.scheduleHeartbeat(next);
  }

  /** Returns true if reaping has more to do (the next heartbeat goes at once). */
  private onHeartbeat(reply: unknown[]): boolean {
    const status = String(reply[0]);
    if (status === 'EPOCH' || status === 'FENCED') {
      void this.rejoin(status === 'EPOCH' ? 'epoch' : 'fenced');
      return false;
    }
    const version = Number(reply[1]);
    const reaped = Number(reply[2]);
    if (reaped > 0) this.emit('log', `directory: ended ${reaped} session(s) of relays that stopped`);
    this.updateRelays(reply[5] as string[], reply[6] as string[], Number(reply[4]));
    this.back();
    if (version > this.view.version) void this.catchUp(version);
    if (this.pendingEnds.size > 0) void this.flushEnds();
    return Number(reply[3]) === 1;
  }

  private updateRelays(flat: string[], leases: string[], now: number): void {
    const until = new Map<string, number>();
    for (let i = 0; i + 1 < leases.length; i += 2) until.set(leases[i], Number(leases[i + 1]));
    const next = new Map<string, RelayInfo>();
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const id = flat[i];
      if (id === this.relayId) continue;
      try {
        const a = JSON.parse(flat[i + 1]) as { host: string; port: number };
        next.set(id, { id, host: a.host, port: a.port, live: (until.get(id) ?? 0) >= now });
      } catch {
        // not ours to read
      }
    }
    const same =
      next.size === this.relays.size &&
      [...next.values()].every((r) => {
        const o = this.relays.get(r.id);
        return o !== undefined && o.host === r.host && o.port === r.port && o.live === r.live;
      });
    if (same) return;
    this.relays.clear();
    for (const [k, v] of next) this.relays.set(k, v);
    this.emit('relays', [...next.values()]);
  }

  /** Redis answered a heartbeat: available again if it was not. */
  private back(): void {
    if (this.up) return;
    this.up = true;
    this.lastUnavailableLog = '';
    this.emit('log', 'directory: Redis answers again; new devices are admitted');
    this.emit('available', true);
  }

  /** Something failed: unavailable until a heartbeat succeeds. */
  private lost(why: string): void {
    if (this.closed) return;
    const was = this.up;
    this.up = false;
    if (was || why !== this.lastUnavailableLog) {
      this.lastUnavailableLog = why;
      this.emit('log', `directory unavailable (${why}): serving the clients already here, refusing new ones until it is back`);
    }
    if (was) this.emit('available', false);
  }

  /**
   * (Re)joins: at start; when Redis lost its data (EPOCH: refill it from the view, the whole
   * chat as this relay knows it); when this relay was taken for dead (FENCED: put back its own
   * sessions). Then reloads the view. One at a time.
   */
  private rejoin(why: 'start' | 'epoch' | 'fenced'): Promise<void> {
    if (this.rejoining === undefined) {
      this.rejoining = this.doRejoin(why).finally(() => {
        this.rejoining = undefined;
      });
      this.rejoining.catch(() => {});
    }
    return this.rejoining;
  }

  private async doRejoin(why: 'start' | 'epoch' | 'fenced'): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const reply = (await withTimeout(
          this.eval(SCRIPTS.join, [randomBytes(8).toString('hex'), this.relayId, String(LEASE_MS), this.info, String(this.view.version)]),
          HEARTBEAT_TIMEOUT_MS,
        )) as unknown[];
        const epoch = String(reply[0]);
        const created = Number(reply[1]) === 1;
        const lostData = this.epoch !== '' && epoch !== this.epoch;
        this.epoch = epoch;
        this.up = true;
        if (why !== 'start' || lostData) {
          this.emit(
            'log',
            lostData
              ? `directory: Redis lost its data (${created ? 'this relay refills it' : 'another relay started refilling it'}); restoring what this relay knows`
              : 'directory: this relay was taken for dead; putting back its sessions',
          );
          await this.restore(lostData);
        }
        await this.reload();
        this.back();
        this.emit('available', true);
        if (this.pendingEnds.size > 0) void this.flushEnds();
        void this.reconcile();
        return;
      } catch (err) {
        this.lost(`rejoining: ${errText(err)}`);
        if (why === 'start' && attempt === 0) throw err;
        await sleep(Math.min(HEARTBEAT_MS * (attempt + 1), REDIS_RECONNECT_MAX_MS * 4));
      }
    }
  }

  /** Puts back sessions (all of the view's if Redis lost its data, else this relay's own). */
  private async restore(everything: boolean): Promise<void> {
    const entries = [...this.view.roster.entriesInOrder()].filter(
      (e) => !this.pendingEnds.has(e.id) && (everything || (e.relay === this.relayId && this.local.has(e.id))),
    );
    const n = entries.length;
    let conflicts = 0;
    for (let i = 0; i < n; i += RESTORE_BATCH) {
      const batch = entries.slice(i, i + RESTORE_BATCH);
      const records = batch.map((e, k) =>
        JSON.stringify({
          id: e.id,
          dev: e.deviceKey,
          own: e.ownerKey,
          nick: e.nick,
          nk: e.nickKey,
          tag: e.deviceTag.toString('hex'),
          cert: encodeCertificate(e.cert).toString('base64'),
          // Sessions here are this relay's whatever the old view said (it may have moved them in).
          relay: this.local.has(e.id) ? this.relayId : e.relay,
          gen: e.gen,
          j: i + k - n,
        }),
      );
      const reply = (await this.eval(SCRIPTS.restore, [this.epoch, this.relayId, ...records])) as string[];
      if (reply[0] === 'EPOCH') throw new DirectoryUnavailable('the data epoch changed during a restore');
      conflicts += reply.filter((s) => s === 'device' || s === 'nick').length;
    }
    this.emit('log', `directory: restored ${n - conflicts} session(s)${conflicts > 0 ? `, ${conflicts} taken meanwhile` : ''}`);
  }

  /**
   * Sessions Redis says this relay holds but it does not have (a REGISTER whose answer came too
   * late, an end lost with a connection) are ended if they are still so at the next round.
   */
  private async reconcile(): Promise<void> {
    if (!this.available) return;
    try {
      const held = ((await this.cmd.sendCommand(['SMEMBERS', `{peerchat}:held:${this.relayId}`])) as string[]).map(Number);
      const ghosts = new Set(held.filter((id) => !this.local.has(id) && !this.pendingEnds.has(id)));
      for (const id of ghosts) if (this.suspects.has(id)) this.end(id, 'timeout');
      this.suspects = ghosts;
    } catch (err) {
      this.lost(`Redis: ${errText(err)}`);
    }
  }

  private async eval(s: Script, args: string[]): Promise<unknown> {
    try {
      return await this.cmd.sendCommand(['EVALSHA', s.sha, '0', ...args]);
    } catch (err) {
      if (!errText(err).startsWith('NOSCRIPT')) throw err;
      return await this.cmd.sendCommand(['EVAL', s.src, '0', ...args]);
    }
  }
}

function parseChange(json: string): Change | undefined {
  try {
    const c = JSON.parse(json) as Change;
    return typeof c === 'object' && c !== null && typeof c.op === 'string' && typeof c.id === 'number' ? c : undefined;
  } catch {
    return undefined;
  }
}

function entryOf(c: Change): DirectoryEntry | undefined {
  if (c.dev === undefined || c.own === undefined || c.nick === undefined || c.nk === undefined || c.tag === undefined || c.cert === undefined) return undefined;
  const cert = decodeCert(c.cert);
  if (cert === undefined) return undefined;
  return {
    id: c.id,
    deviceKey: c.dev,
    ownerKey: c.own,
    deviceTag: Buffer.from(c.tag, 'hex'),
    cert,
    nick: c.nick,
    nickKey: c.nk,
    relay: c.relay ?? '',
    gen: c.gen ?? 1,
    inRoster: false,
  };
}

function decodeCert(b64: string): DeviceCertificate | undefined {
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length !== CERTIFICATE_BYTES) return undefined;
  return decodeCertificate(bytes) ?? undefined;
}

function certEquals(a: DeviceCertificate, b: DeviceCertificate): boolean {
  return encodeCertificate(a).equals(encodeCertificate(b));
}

function withTimeout<T>(p: Promise<T>, ms: number, error: () => Error = () => new DirectoryUnavailable('timed out')): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(error()), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
