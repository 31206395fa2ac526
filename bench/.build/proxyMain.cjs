"use strict";
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// test/support/impairmentProxy.ts
var dgram = __toESM(require("node:dgram"));
var import_promises = require("node:dns/promises");
var import_node_net = require("node:net");
var import_node_perf_hooks = require("node:perf_hooks");

// test/support/rng.ts
var TWO_POW_32 = 4294967296;
function mix32(x) {
  x = Math.imul(x ^ x >>> 16, 569420461);
  x = Math.imul(x ^ x >>> 15, 1935289751);
  return (x ^ x >>> 15) >>> 0;
}
function checkSeed(seed, what) {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`${what} must be a safe integer, got ${String(seed)}`);
  }
}
function mixSeed(seed, ...parts) {
  checkSeed(seed, "seed");
  let h = mix32(seed >>> 0 ^ 2654435769);
  h = mix32(h ^ Math.floor(seed / TWO_POW_32) >>> 0 ^ 2246822507);
  for (const p of parts) {
    checkSeed(p, "stream id");
    h = mix32(h + 2654435769 ^ p >>> 0);
    h = mix32(h ^ Math.floor(p / TWO_POW_32) >>> 0);
  }
  return h;
}
var Rng = class _Rng {
  a;
  b;
  c;
  d;
  /** @param seed any safe integer (negative and > 2^32 are fine). */
  constructor(seed) {
    checkSeed(seed, "seed");
    let s = mix32(seed >>> 0 ^ mix32((Math.floor(seed / TWO_POW_32) >>> 0) + 1779033703));
    const step = () => {
      s = s + 2654435769 | 0;
      return mix32(s);
    };
    this.a = step();
    this.b = step();
    this.c = step();
    this.d = 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }
  /** Generator for sub-stream `streams` of `seed` (independent of other stream ids). */
  static derive(seed, ...streams) {
    return new _Rng(mixSeed(seed, ...streams));
  }
  /** Uniform 32-bit unsigned integer. */
  uint32() {
    const t = (this.a + this.b | 0) + this.d | 0;
    this.d = this.d + 1 | 0;
    this.a = this.b ^ this.b >>> 9;
    this.b = this.c + (this.c << 3) | 0;
    this.c = this.c << 21 | this.c >>> 11;
    this.c = this.c + t | 0;
    return t >>> 0;
  }
  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next() {
    return this.uint32() / TWO_POW_32;
  }
  /** Uniform integer in [0, n). `n` must be an integer in [1, 2^32]. */
  int(n) {
    if (!(n >= 1 && n <= TWO_POW_32) || Math.floor(n) !== n) {
      throw new RangeError(`Rng.int: n must be an integer in [1, 2^32], got ${String(n)}`);
    }
    return Math.floor(this.next() * n);
  }
  /** true with probability p (p <= 0 never, p >= 1 always). Always consumes one draw. */
  chance(p) {
    return this.next() < p;
  }
  /** Fill `buf` with random bytes (in place) and return it. */
  fill(buf) {
    let i = 0;
    for (; i + 4 <= buf.length; i += 4) {
      const x = this.uint32();
      buf[i] = x & 255;
      buf[i + 1] = x >>> 8 & 255;
      buf[i + 2] = x >>> 16 & 255;
      buf[i + 3] = x >>> 24;
    }
    if (i < buf.length) {
      let x = this.uint32();
      for (; i < buf.length; i++, x >>>= 8) buf[i] = x & 255;
    }
    return buf;
  }
};

// test/support/impairmentProxy.ts
var UP = 0;
var DOWN = 1;
var DEFAULT_BUFFER_BYTES = 4 * 1024 * 1024;
var DEFAULT_IDLE_TIMEOUT_MS = 6e4;
var DEFAULT_REORDER_TIMEOUT_MS = 20;
var MAX_PRE_READY_QUEUE = 4096;
var TIMER_SLACK_MS = 0.5;
function zeroImp() {
  return {
    loss: 0,
    duplicate: 0,
    reorder: 0,
    corrupt: 0,
    delayMs: 0,
    jitterMs: 0,
    truncate: 0,
    blackhole: false,
    reorderGap: 1,
    reorderTimeoutMs: DEFAULT_REORDER_TIMEOUT_MS
  };
}
function mergeImp(base, patch) {
  const out = { ...base };
  if (!patch) return out;
  const prob = (k) => {
    const v = patch[k];
    if (v === void 0) return;
    if (typeof v !== "number" || !(v >= 0 && v <= 1)) {
      throw new RangeError(`impairment.${k} must be a probability in [0, 1], got ${String(v)}`);
    }
    out[k] = v;
  };
  const ms = (k) => {
    const v = patch[k];
    if (v === void 0) return;
    if (typeof v !== "number" || !(v >= 0 && v < 2 ** 31)) {
      throw new RangeError(`impairment.${k} must be a finite number of ms >= 0, got ${String(v)}`);
    }
    out[k] = v;
  };
  prob("loss");
  prob("duplicate");
  prob("reorder");
  prob("corrupt");
  prob("truncate");
  ms("delayMs");
  ms("jitterMs");
  ms("reorderTimeoutMs");
  if (patch.reorderGap !== void 0) {
    const v = patch.reorderGap;
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`impairment.reorderGap must be an integer >= 1, got ${String(v)}`);
    }
    out.reorderGap = v;
  }
  if (patch.blackhole !== void 0) out.blackhole = Boolean(patch.blackhole);
  return out;
}
function impToPublic(i) {
  return { ...i };
}
function zeroStats() {
  return {
    received: 0,
    forwarded: 0,
    dropped: 0,
    blackholed: 0,
    duplicated: 0,
    reordered: 0,
    corrupted: 0,
    truncated: 0,
    delayed: 0,
    bytesReceived: 0,
    bytesForwarded: 0
  };
}
var PendingQueue = class {
  heap = [];
  pool = [];
  seq = 0;
  get size() {
    return this.heap.length;
  }
  peekDue() {
    return this.heap.length > 0 ? this.heap[0].due : Infinity;
  }
  push(due, flow, buf, hold, held) {
    const p = this.pool.pop() ?? { due: 0, seq: 0, flow: null, buf: null, hold: false, held: null };
    p.due = due;
    p.seq = this.seq++;
    p.flow = flow;
    p.buf = buf;
    p.hold = hold;
    p.held = held;
    const h = this.heap;
    let i = h.length;
    h.push(p);
    while (i > 0) {
      const parent = i - 1 >> 1;
      const q = h[parent];
      if (q.due < p.due || q.due === p.due && q.seq < p.seq) break;
      h[i] = q;
      i = parent;
    }
    h[i] = p;
  }
  /** Remove and return the earliest entry. Caller must `recycle()` it. */
  pop() {
    const h = this.heap;
    if (h.length === 0) return void 0;
    const top = h[0];
    const last = h.pop();
    const n = h.length;
    if (n > 0) {
      let i = 0;
      for (; ; ) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        let cv = h[l];
        if (r < n) {
          const rv = h[r];
          if (rv.due < cv.due || rv.due === cv.due && rv.seq < cv.seq) {
            c = r;
            cv = rv;
          }
        }
        if (last.due < cv.due || last.due === cv.due && last.seq < cv.seq) break;
        h[i] = cv;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
  recycle(p) {
    p.flow = null;
    p.buf = null;
    p.held = null;
    if (this.pool.length < 65536) this.pool.push(p);
  }
  clear() {
    this.heap.length = 0;
    this.pool.length = 0;
  }
};
var Flow = class {
  constructor(dir, mapping, seed) {
    this.dir = dir;
    this.mapping = mapping;
    this.decide = new Rng(mixSeed(seed, mapping.index, dir, 0));
    this.detail = new Rng(mixSeed(seed, mapping.index, dir, 1));
  }
  dir;
  mapping;
  /** Six draws per datagram, always. */
  decide;
  /** Variable-size draws (truncation length, bit positions). */
  detail;
  held = [];
};
var Mapping = class {
  constructor(index, clientHost, clientPort, socket, seed, now) {
    this.index = index;
    this.clientHost = clientHost;
    this.clientPort = clientPort;
    this.socket = socket;
    this.lastSeen = now;
    this.up = new Flow(UP, this, seed);
    this.down = new Flow(DOWN, this, seed);
  }
  index;
  clientHost;
  clientPort;
  socket;
  up;
  down;
  /** Next mapping with the same client port (different address). */
  nextSamePort = null;
  ready = false;
  closed = false;
  /** Datagrams waiting for the upstream socket to be bound and connected. */
  preReady = [];
  touched = true;
  lastSeen;
  upstreamAddr;
};
function socketTypeFor(host) {
  return (0, import_node_net.isIP)(host) === 6 ? "udp6" : "udp4";
}
function bindSocket(sock, port, address) {
  return new Promise((resolve, reject) => {
    const onError = (err) => reject(err);
    sock.once("error", onError);
    sock.bind({ port, address, exclusive: true }, () => {
      sock.removeListener("error", onError);
      resolve();
    });
  });
}
function flipBits(buf, rng) {
  const nbits = buf.length * 8;
  const k = Math.min(1 + rng.int(3), nbits);
  let b0 = -1;
  let b1 = -1;
  for (let i = 0; i < k; i++) {
    let bit;
    do {
      bit = rng.int(nbits);
    } while (bit === b0 || bit === b1);
    if (i === 0) b0 = bit;
    else if (i === 1) b1 = bit;
    buf[bit >>> 3] ^= 1 << (bit & 7);
  }
}
var ImpairmentProxy = class _ImpairmentProxy {
  constructor(listen, listenAddr, targetHost, targetPort, seed, recvBufferBytes, sendBufferBytes, idleTimeoutMs, up, down) {
    this.listen = listen;
    this.listenAddr = listenAddr;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.seed = seed;
    this.recvBufferBytes = recvBufferBytes;
    this.sendBufferBytes = sendBufferBytes;
    this.idleTimeoutMs = idleTimeoutMs;
    this.imps = [up, down];
  }
  listen;
  listenAddr;
  targetHost;
  targetPort;
  seed;
  recvBufferBytes;
  sendBufferBytes;
  idleTimeoutMs;
  imps;
  st = [zeroStats(), zeroStats()];
  byPort = /* @__PURE__ */ new Map();
  all = /* @__PURE__ */ new Set();
  queue = new PendingQueue();
  heldCount = 0;
  /** Datagrams (not hold-expiry markers) in the delay queue. */
  queuedCount = 0;
  timer;
  timerDue = Infinity;
  sweepTimer;
  mappingsCreated = 0;
  mappingsExpired = 0;
  errors = 0;
  lastError;
  closed = false;
  closing;
  listenRecvBuf = 0;
  listenSendBuf = 0;
  static async start(opts) {
    if (!Number.isSafeInteger(opts.seed)) throw new RangeError("seed must be a safe integer");
    const { target } = opts;
    if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
      throw new RangeError(`target.port must be 1..65535, got ${String(target.port)}`);
    }
    const listenPort = opts.listenPort ?? 0;
    const listenHost = opts.listenHost ?? "127.0.0.1";
    const recvBuf = opts.recvBufferBytes ?? DEFAULT_BUFFER_BYTES;
    const sendBuf = opts.sendBufferBytes ?? DEFAULT_BUFFER_BYTES;
    const idle = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    if (!(idle > 0)) throw new RangeError("idleTimeoutMs must be > 0");
    const up = mergeImp(zeroImp(), opts.upstream);
    const down = mergeImp(zeroImp(), opts.downstream);
    const targetHost = (0, import_node_net.isIP)(target.host) !== 0 ? target.host : (await (0, import_promises.lookup)(target.host)).address;
    const listen = dgram.createSocket({ type: socketTypeFor(listenHost) });
    await bindSocket(listen, listenPort, listenHost);
    const a = listen.address();
    const proxy = new _ImpairmentProxy(
      listen,
      { host: listenHost, port: a.port },
      targetHost,
      target.port,
      opts.seed,
      recvBuf,
      sendBuf,
      idle,
      up,
      down
    );
    const bufs = proxy.tuneBuffers(listen);
    proxy.listenRecvBuf = bufs.recv;
    proxy.listenSendBuf = bufs.send;
    listen.on("error", proxy.onSocketError);
    listen.on("message", proxy.onClientMessage);
    const interval = Math.max(5, Math.min(1e3, idle / 4));
    proxy.sweepTimer = setInterval(proxy.sweep, interval);
    proxy.sweepTimer.unref();
    return proxy;
  }
  /** The address clients should use as the relay address. */
  address() {
    return { ...this.listenAddr };
  }
  /** Change impairment at run time; unspecified fields keep their current value. */
  setImpairment(direction, imp) {
    const nextUp = direction === "down" ? this.imps[UP] : mergeImp(this.imps[UP], imp);
    const nextDown = direction === "up" ? this.imps[DOWN] : mergeImp(this.imps[DOWN], imp);
    this.imps[UP] = nextUp;
    this.imps[DOWN] = nextDown;
  }
  /** Current impairment of one direction. */
  impairment(direction) {
    return impToPublic(this.imps[direction === "up" ? UP : DOWN]);
  }
  /** Snapshot of the counters. */
  stats() {
    const s = {
      up: { ...this.st[UP] },
      down: { ...this.st[DOWN] },
      mappings: this.all.size,
      mappingsCreated: this.mappingsCreated,
      mappingsExpired: this.mappingsExpired,
      pending: this.queuedCount + this.heldCount,
      errors: this.errors,
      recvBufferBytes: this.listenRecvBuf,
      sendBufferBytes: this.listenSendBuf
    };
    if (this.lastError !== void 0) s.lastError = this.lastError;
    return s;
  }
  /** Open client mappings, oldest first. */
  mappings() {
    return [...this.all].sort((x, y) => x.index - y.index).map((m) => ({
      index: m.index,
      client: { host: m.clientHost, port: m.clientPort },
      upstream: m.upstreamAddr ? { ...m.upstreamAddr } : void 0
    }));
  }
  /** Close all sockets; pending (delayed / held) datagrams are discarded. Idempotent. */
  close() {
    if (this.closing) return this.closing;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = void 0;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = void 0;
    this.queue.clear();
    this.heldCount = 0;
    this.queuedCount = 0;
    const waits = [];
    for (const m of this.all) waits.push(this.closeMapping(m));
    this.all.clear();
    this.byPort.clear();
    waits.push(closeSocket(this.listen));
    this.closing = Promise.all(waits).then(() => void 0);
    return this.closing;
  }
  // -------------------------------------------------------------------------
  // Receive paths
  // -------------------------------------------------------------------------
  onClientMessage = (msg, rinfo) => {
    let m = this.byPort.get(rinfo.port);
    while (m !== void 0 && m.clientHost !== rinfo.address) m = m.nextSamePort ?? void 0;
    if (m === void 0) {
      if (this.closed) return;
      m = this.createMapping(rinfo);
    }
    m.touched = true;
    this.ingress(m.up, msg);
  };
  createMapping(rinfo) {
    const sock = dgram.createSocket({ type: socketTypeFor(this.targetHost) });
    const m = new Mapping(
      this.mappingsCreated++,
      rinfo.address,
      rinfo.port,
      sock,
      this.seed,
      import_node_perf_hooks.performance.now()
    );
    const head = this.byPort.get(rinfo.port);
    if (head !== void 0) m.nextSamePort = head;
    this.byPort.set(rinfo.port, m);
    this.all.add(m);
    sock.on("error", this.onSocketError);
    sock.on("message", (msg) => {
      m.touched = true;
      this.ingress(m.down, msg);
    });
    const bindHost = socketTypeFor(this.targetHost) === "udp6" ? "::1" : "127.0.0.1";
    sock.bind({ port: 0, address: bindHost, exclusive: true }, () => {
      if (m.closed) return;
      this.tuneBuffers(sock);
      const a = sock.address();
      m.upstreamAddr = { host: a.address, port: a.port };
      sock.connect(this.targetPort, this.targetHost, (err) => {
        if (m.closed) return;
        if (err) {
          this.onSocketError(err);
          this.st[UP].dropped += m.preReady.length;
          m.preReady.length = 0;
          return;
        }
        m.ready = true;
        const q = m.preReady;
        m.preReady = [];
        for (const b of q) sock.send(b);
      });
    });
    return m;
  }
  onSocketError = (err) => {
    this.errors++;
    this.lastError = err.message;
  };
  // -------------------------------------------------------------------------
  // Impairment pipeline
  // -------------------------------------------------------------------------
  ingress(flow, msg) {
    const st = this.st[flow.dir];
    const imp = this.imps[flow.dir];
    st.received++;
    st.bytesReceived += msg.length;
    const r = flow.decide;
    const uLoss = r.next();
    const uTrunc = r.next();
    const uCorrupt = r.next();
    const uDup = r.next();
    const uJitter = r.next();
    const uReorder = r.next();
    if (imp.blackhole) {
      st.dropped++;
      st.blackholed++;
      return;
    }
    if (uLoss < imp.loss) {
      st.dropped++;
      return;
    }
    let buf = msg;
    if (uTrunc < imp.truncate && buf.length > 0) {
      buf = buf.subarray(0, flow.detail.int(buf.length));
      st.truncated++;
    }
    if (uCorrupt < imp.corrupt && buf.length > 0) {
      flipBits(buf, flow.detail);
      st.corrupted++;
    }
    const dup = uDup < imp.duplicate;
    const hold = uReorder < imp.reorder;
    let delay = imp.delayMs;
    if (imp.jitterMs > 0) delay += (2 * uJitter - 1) * imp.jitterMs;
    if (delay > 0) {
      st.delayed++;
      const due = import_node_perf_hooks.performance.now() + delay;
      this.queue.push(due, flow, buf, hold, null);
      this.queuedCount++;
      if (dup) {
        st.duplicated++;
        this.queue.push(due, flow, buf, false, null);
        this.queuedCount++;
      }
      this.armTimer();
    } else {
      this.egress(flow, buf, hold);
      if (dup) {
        st.duplicated++;
        this.egress(flow, buf, false);
      }
    }
  }
  /** Final stage: reorder hold-back, then send. */
  egress(flow, buf, hold) {
    if (hold) {
      const imp = this.imps[flow.dir];
      const h = { buf, remaining: imp.reorderGap, done: false };
      flow.held.push(h);
      this.heldCount++;
      this.st[flow.dir].reordered++;
      this.queue.push(import_node_perf_hooks.performance.now() + imp.reorderTimeoutMs, flow, null, false, h);
      this.armTimer();
      return;
    }
    this.send(flow, buf);
    const held = flow.held;
    if (held.length > 0) {
      let keep = 0;
      for (let i = 0; i < held.length; i++) {
        const h = held[i];
        if (--h.remaining <= 0) {
          h.done = true;
          this.heldCount--;
          this.send(flow, h.buf);
        } else {
          held[keep++] = h;
        }
      }
      held.length = keep;
    }
  }
  send(flow, buf) {
    const m = flow.mapping;
    const st = this.st[flow.dir];
    if (m.closed) {
      st.dropped++;
      return;
    }
    if (flow.dir === UP) {
      if (m.ready) {
        m.socket.send(buf);
      } else if (m.preReady.length < MAX_PRE_READY_QUEUE) {
        m.preReady.push(buf);
      } else {
        st.dropped++;
        return;
      }
    } else {
      this.listen.send(buf, m.clientPort, m.clientHost);
    }
    st.forwarded++;
    st.bytesForwarded += buf.length;
  }
  // -------------------------------------------------------------------------
  // Timer (single timer for the whole delay queue)
  // -------------------------------------------------------------------------
  armTimer() {
    if (this.closed) return;
    const due = this.queue.peekDue();
    if (due === Infinity) return;
    if (this.timer !== void 0) {
      if (this.timerDue <= due) return;
      clearTimeout(this.timer);
    }
    this.timerDue = due;
    this.timer = setTimeout(this.onTimer, Math.max(1, due - import_node_perf_hooks.performance.now()));
  }
  onTimer = () => {
    this.timer = void 0;
    this.timerDue = Infinity;
    if (this.closed) return;
    const limit = import_node_perf_hooks.performance.now() + TIMER_SLACK_MS;
    const q = this.queue;
    while (q.peekDue() <= limit) {
      const p = q.pop();
      const flow = p.flow;
      const held = p.held;
      const buf = p.buf;
      const hold = p.hold;
      q.recycle(p);
      if (held !== null) {
        if (!held.done) {
          held.done = true;
          this.heldCount--;
          const i = flow.held.indexOf(held);
          if (i >= 0) flow.held.splice(i, 1);
          this.send(flow, held.buf);
        }
      } else if (flow.mapping.closed) {
        this.queuedCount--;
        this.st[flow.dir].dropped++;
      } else {
        this.queuedCount--;
        this.egress(flow, buf, hold);
      }
    }
    this.armTimer();
  };
  // -------------------------------------------------------------------------
  // Mapping lifetime
  // -------------------------------------------------------------------------
  sweep = () => {
    if (this.closed) return;
    const now = import_node_perf_hooks.performance.now();
    for (const m of this.all) {
      if (m.touched) {
        m.touched = false;
        m.lastSeen = now;
      } else if (now - m.lastSeen >= this.idleTimeoutMs) {
        this.expire(m);
      }
    }
  };
  expire(m) {
    this.all.delete(m);
    const head = this.byPort.get(m.clientPort);
    if (head === m) {
      if (m.nextSamePort) this.byPort.set(m.clientPort, m.nextSamePort);
      else this.byPort.delete(m.clientPort);
    } else {
      let p = head;
      while (p && p.nextSamePort !== m) p = p.nextSamePort ?? void 0;
      if (p) p.nextSamePort = m.nextSamePort;
    }
    this.mappingsExpired++;
    for (const f of [m.up, m.down]) {
      for (const h of f.held) {
        if (!h.done) {
          h.done = true;
          this.heldCount--;
          this.st[f.dir].dropped++;
        }
      }
      f.held.length = 0;
    }
    void this.closeMapping(m);
  }
  closeMapping(m) {
    m.closed = true;
    m.preReady.length = 0;
    return closeSocket(m.socket);
  }
  /** Request the configured buffer sizes (after bind) and read back what the kernel granted. */
  tuneBuffers(sock) {
    let recv = 0;
    let send = 0;
    try {
      sock.setRecvBufferSize(this.recvBufferBytes);
    } catch (err) {
      this.onSocketError(err);
    }
    try {
      sock.setSendBufferSize(this.sendBufferBytes);
    } catch (err) {
      this.onSocketError(err);
    }
    try {
      recv = sock.getRecvBufferSize();
      send = sock.getSendBufferSize();
    } catch (err) {
      this.onSocketError(err);
    }
    return { recv, send };
  }
};
function closeSocket(sock) {
  return new Promise((resolve) => {
    try {
      sock.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

// bench/proxyMain.ts
async function main() {
  const cfg = JSON.parse(process.env.BENCH_PROXY ?? "{}");
  const proxy = await ImpairmentProxy.start({
    target: cfg.target,
    seed: cfg.seed ?? 1,
    upstream: cfg.upstream,
    downstream: cfg.downstream,
    recvBufferBytes: cfg.recvBufferBytes,
    sendBufferBytes: cfg.sendBufferBytes,
    idleTimeoutMs: 6e5
  });
  const sizes = [
    { maxBytes: 0, over1200: 0 },
    { maxBytes: 0, over1200: 0 }
  ];
  const p = proxy;
  const ingress = p.ingress.bind(proxy);
  p.ingress = (flow, msg) => {
    const s = sizes[flow.dir === 0 ? 0 : 1];
    if (msg.length > s.maxBytes) s.maxBytes = msg.length;
    if (msg.length > 1200) s.over1200++;
    ingress(flow, msg);
  };
  const st = proxy.stats();
  process.send?.({ type: "ready", port: proxy.address().port, recvBufferBytes: st.recvBufferBytes, sendBufferBytes: st.sendBufferBytes });
  process.on("message", (m) => {
    switch (m.type) {
      case "stats":
        process.send?.({ type: "stats", id: m.id, stats: proxy.stats(), sizes: { up: sizes[0], down: sizes[1] } });
        break;
      case "set":
        proxy.setImpairment(m.direction, m.impairment);
        process.send?.({ type: "set", id: m.id });
        break;
      case "close":
        void proxy.close().then(() => {
          process.send?.({ type: "closed", id: m.id }, () => process.exit(0));
        });
        break;
    }
  });
  process.on("disconnect", () => {
    void proxy.close().finally(() => process.exit(0));
  });
}
main().catch((err) => {
  process.stderr.write(`proxyMain: ${err instanceof Error ? err.stack ?? err.message : String(err)}
`);
  process.exit(1);
});
//# sourceMappingURL=data:application/json;base64,ewogICJ2ZXJzaW9uIjogMywKICAic291cmNlcyI6IFsiLi4vLi4vdGVzdC9zdXBwb3J0L2ltcGFpcm1lbnRQcm94eS50cyIsICIuLi8uLi90ZXN0L3N1cHBvcnQvcm5nLnRzIiwgIi4uL3Byb3h5TWFpbi50cyJdLAogICJzb3VyY2VzQ29udGVudCI6IFsiLyoqXG4gKiBTZWVkZWQgdXNlcmxhbmQgVURQIGltcGFpcm1lbnQgcHJveHkgKGEgcG9vciBtYW4ncyBgdGMgbmV0ZW1gKSBmb3JcbiAqIGludGVncmF0aW9uIHRlc3RzIGFuZCBiZW5jaG1hcmtzLlxuICpcbiAqICAgY2xpZW50IFx1MjUwMFx1MjUwMFx1MjVCQSBbbGlzdGVuIHNvY2tldF0gXHUyNTAwXHUyNTAwKHVwOiBpbXBhaXIpXHUyNTAwXHUyNTAwXHUyNUJBIFtwZXItY2xpZW50IHVwc3RyZWFtIHNvY2tldF0gXHUyNTAwXHUyNTAwXHUyNUJBIHRhcmdldCAocmVsYXkpXG4gKiAgIGNsaWVudCBcdTI1QzRcdTI1MDBcdTI1MDAgW2xpc3RlbiBzb2NrZXRdIFx1MjVDNFx1MjUwMChkb3duOiBpbXBhaXIpXHUyNTAwXHUyNTAwIFtwZXItY2xpZW50IHVwc3RyZWFtIHNvY2tldF0gXHUyNUM0XHUyNTAwXHUyNTAwIHRhcmdldFxuICpcbiAqIE5BVC1saWtlOiBldmVyeSBkaXN0aW5jdCBjbGllbnQgYWRkcmVzcyBnZXRzIGl0cyBvd24gdXBzdHJlYW0gc29ja2V0IGJvdW5kXG4gKiB0byBhbiBlcGhlbWVyYWwgcG9ydCAoYW5kIGNvbm5lY3QoKWVkIHRvIHRoZSB0YXJnZXQpLCBzbyB0aGUgdGFyZ2V0IHNlZXMgb25lXG4gKiBkaXN0aW5jdCBhZGRyZXNzIHBlciBjbGllbnQgYW5kIGl0cyByZXBsaWVzIGFyZSByb3V0ZWQgYmFjayB0byB0aGF0IGNsaWVudC5cbiAqIElkbGUgbWFwcGluZ3MgZXhwaXJlIGFmdGVyIGBpZGxlVGltZW91dE1zYC5cbiAqXG4gKiBJbXBhaXJtZW50cyAocGVyIGRpcmVjdGlvbiwgY2hhbmdlYWJsZSBhdCBydW4gdGltZSkgYXJlIGFwcGxpZWQgaW4gdGhpcyBvcmRlcjpcbiAqICAgYmxhY2tob2xlIFx1MjE5MiBsb3NzIFx1MjE5MiB0cnVuY2F0ZSBcdTIxOTIgY29ycnVwdCBcdTIxOTIgZHVwbGljYXRlIFx1MjE5MiBkZWxheS9qaXR0ZXIgXHUyMTkyIHJlb3JkZXIgKGF0IGVncmVzcylcbiAqXG4gKiBEZXRlcm1pbmlzbTogZWFjaCAobWFwcGluZywgZGlyZWN0aW9uKSBwYWlyIFx1MjAxNCBhIFwiZmxvd1wiIFx1MjAxNCBoYXMgaXRzIG93biBSTkdcbiAqIHN0cmVhbXMgZGVyaXZlZCBmcm9tIGBzZWVkYCwgdGhlIG1hcHBpbmcncyBjcmVhdGlvbiBpbmRleCAoMCwgMSwgLi4uIGluIHRoZVxuICogb3JkZXIgY2xpZW50IGFkZHJlc3NlcyBhcmUgZmlyc3Qgc2VlbikgYW5kIHRoZSBkaXJlY3Rpb24uIEV2ZXJ5IGRhdGFncmFtXG4gKiBjb25zdW1lcyBleGFjdGx5IHNpeCBkcmF3cyBmcm9tIHRoZSBmbG93J3MgZGVjaXNpb24gc3RyZWFtIHdoYXRldmVyIHRoZVxuICogY29uZmlndXJhdGlvbiwgc28gZGF0YWdyYW0gI2kgb2YgYSBmbG93IGFsd2F5cyBtZWV0cyB0aGUgc2FtZSByYW5kb20gbnVtYmVyczpcbiAqIHdpdGggdGhlIHNhbWUgc2VlZCwgdGhlIHNhbWUgZGF0YWdyYW1zIGFyZSBsb3N0IGV2ZW4gaWYgZS5nLiBkdXBsaWNhdGlvbiBpc1xuICogYWxzbyBzd2l0Y2hlZCBvbi4gVmFyaWFibGUtc2l6ZSBkcmF3cyAodHJ1bmNhdGlvbiBsZW5ndGgsIGNvcnJ1cHRlZCBiaXRcbiAqIHBvc2l0aW9ucykgY29tZSBmcm9tIGEgc2Vjb25kIHBlci1mbG93IHN0cmVhbS4gT3V0Y29tZXMgYXJlIHRoZXJlZm9yZSBhIHB1cmVcbiAqIGZ1bmN0aW9uIG9mIHRoZSBzZWVkLCB0aGUgY29uZmlndXJhdGlvbiBhbmQgdGhlIHBlci1mbG93IGFycml2YWwgb3JkZXJcbiAqICh0aW1pbmcgb25seSBtYXR0ZXJzIGZvciBkZWxheS9qaXR0ZXIgYW5kIHRoZSByZW9yZGVyIGhvbGQgdGltZW91dCkuXG4gKlxuICogQ29zdCBwZXIgZGF0YWdyYW0gd2l0aG91dCBpbXBhaXJtZW50OiBhIE1hcCBsb29rdXAsIHNpeCBQUk5HIGRyYXdzIGFuZCB0aGVcbiAqIHNvY2tldCBzZW5kLCBkb25lIHN5bmNocm9ub3VzbHkgaW4gdGhlIHJlY2VpdmUgY2FsbGJhY2suIERlbGF5ZWQgZGF0YWdyYW1zIGdvXG4gKiB0aHJvdWdoIG9uZSBiaW5hcnkgaGVhcCBzZXJ2ZWQgYnkgYSBzaW5nbGUgdGltZXIgKG5vIHNldFRpbWVvdXQgcGVyIGRhdGFncmFtKTtcbiAqIGhlYXAgZW50cmllcyBhcmUgcG9vbGVkLlxuICovXG5cbmltcG9ydCAqIGFzIGRncmFtIGZyb20gJ25vZGU6ZGdyYW0nO1xuaW1wb3J0IHsgbG9va3VwIH0gZnJvbSAnbm9kZTpkbnMvcHJvbWlzZXMnO1xuaW1wb3J0IHsgaXNJUCB9IGZyb20gJ25vZGU6bmV0JztcbmltcG9ydCB7IHBlcmZvcm1hbmNlIH0gZnJvbSAnbm9kZTpwZXJmX2hvb2tzJztcbmltcG9ydCB7IFJuZywgbWl4U2VlZCB9IGZyb20gJy4vcm5nJztcblxuLy8gLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tXG4vLyBQdWJsaWMgdHlwZXNcbi8vIC0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLVxuXG5leHBvcnQgaW50ZXJmYWNlIEltcGFpcm1lbnQge1xuICAvKiogUHJvYmFiaWxpdHkgKDAuLjEpIHRoYXQgYSBkYXRhZ3JhbSBpcyBkcm9wcGVkLiAqL1xuICBsb3NzOiBudW1iZXI7XG4gIC8qKiBQcm9iYWJpbGl0eSAoMC4uMSkgdGhhdCBhIGRhdGFncmFtIGlzIHNlbnQgdHdpY2UuICovXG4gIGR1cGxpY2F0ZTogbnVtYmVyO1xuICAvKipcbiAgICogUHJvYmFiaWxpdHkgKDAuLjEpIHRoYXQgYSBkYXRhZ3JhbSBpcyBoZWxkIGJhY2sgYW5kIHJlbGVhc2VkIG9ubHkgYWZ0ZXJcbiAgICogdGhlIG5leHQgYHJlb3JkZXJHYXBgIGRhdGFncmFtcyBvZiB0aGUgc2FtZSBmbG93IGhhdmUgYmVlbiBzZW50IChvciBhZnRlclxuICAgKiBgcmVvcmRlclRpbWVvdXRNc2AgaWYgdHJhZmZpYyBzdG9wcykuXG4gICAqL1xuICByZW9yZGVyOiBudW1iZXI7XG4gIC8qKiBQcm9iYWJpbGl0eSAoMC4uMSkgb2YgZmxpcHBpbmcgMS0zIGRpc3RpbmN0IHJhbmRvbSBiaXRzLiAqL1xuICBjb3JydXB0OiBudW1iZXI7XG4gIC8qKiBGaXhlZCBvbmUtd2F5IGRlbGF5IGluIG1zIGFkZGVkIHRvIGV2ZXJ5IGRhdGFncmFtLiAqL1xuICBkZWxheU1zOiBudW1iZXI7XG4gIC8qKiBVbmlmb3JtIGppdHRlcjogdGhlIGRlbGF5IGJlY29tZXMgZGVsYXlNcyBcdTAwQjEgaml0dGVyTXMgKGNsYW1wZWQgYXQgMDsgbWF5IHJlb3JkZXIpLiAqL1xuICBqaXR0ZXJNczogbnVtYmVyO1xuICAvKiogUHJvYmFiaWxpdHkgKDAuLjEpIG9mIGN1dHRpbmcgdGhlIGRhdGFncmFtIHRvIGEgcmFuZG9tIHNob3J0ZXIgbGVuZ3RoICgwLi5sZW4tMSkuICovXG4gIHRydW5jYXRlPzogbnVtYmVyO1xuICAvKiogRHJvcCBldmVyeXRoaW5nIChzaW11bGF0ZXMgYW4gdW5yZWFjaGFibGUgcmVsYXkgLyBkZWFkIGxpbmspLiAqL1xuICBibGFja2hvbGU/OiBib29sZWFuO1xuICAvKiogTnVtYmVyIG9mIGxhdGVyIGRhdGFncmFtcyBhIHJlb3JkZXJlZCBkYXRhZ3JhbSB3YWl0cyBmb3IgKGludGVnZXIgPj0gMSwgZGVmYXVsdCAxKS4gKi9cbiAgcmVvcmRlckdhcD86IG51bWJlcjtcbiAgLyoqIE1heGltdW0gdGltZSBhIHJlb3JkZXJlZCBkYXRhZ3JhbSBpcyBoZWxkIGlmIG5vIGxhdGVyIGRhdGFncmFtIGNvbWVzIChkZWZhdWx0IDIwIG1zKS4gKi9cbiAgcmVvcmRlclRpbWVvdXRNcz86IG51bWJlcjtcbn1cblxuZXhwb3J0IHR5cGUgSW1wYWlybWVudERpcmVjdGlvbiA9ICd1cCcgfCAnZG93bicgfCAnYm90aCc7XG5cbmV4cG9ydCBpbnRlcmZhY2UgSW1wYWlybWVudFByb3h5T3B0aW9ucyB7XG4gIC8qKiBXaGVyZSB0byBmb3J3YXJkIGNsaWVudCBkYXRhZ3JhbXMgKHRoZSByZWxheSkuICovXG4gIHRhcmdldDogeyBob3N0OiBzdHJpbmc7IHBvcnQ6IG51bWJlciB9O1xuICAvKiogUG9ydCB0byBsaXN0ZW4gb24gZm9yIGNsaWVudHM7IDAgKGRlZmF1bHQpID0gYW55IGZyZWUgcG9ydC4gKi9cbiAgbGlzdGVuUG9ydD86IG51bWJlcjtcbiAgLyoqIEFkZHJlc3MgdG8gbGlzdGVuIG9uOyBkZWZhdWx0ICcxMjcuMC4wLjEnLiAqL1xuICBsaXN0ZW5Ib3N0Pzogc3RyaW5nO1xuICAvKiogU2VlZCBmb3IgYWxsIHJhbmRvbSBkZWNpc2lvbnMuICovXG4gIHNlZWQ6IG51bWJlcjtcbiAgLyoqIEltcGFpcm1lbnQgY2xpZW50IFx1MjE5MiB0YXJnZXQuIE1pc3NpbmcgZmllbGRzIGRlZmF1bHQgdG8gMCAvIGZhbHNlLiAqL1xuICB1cHN0cmVhbT86IFBhcnRpYWw8SW1wYWlybWVudD47XG4gIC8qKiBJbXBhaXJtZW50IHRhcmdldCBcdTIxOTIgY2xpZW50LiBNaXNzaW5nIGZpZWxkcyBkZWZhdWx0IHRvIDAgLyBmYWxzZS4gKi9cbiAgZG93bnN0cmVhbT86IFBhcnRpYWw8SW1wYWlybWVudD47XG4gIC8qKiBTT19SQ1ZCVUYgcmVxdWVzdGVkIG9uIGV2ZXJ5IHNvY2tldCAoZGVmYXVsdCA0IE1pQjsgdGhlIGtlcm5lbCBtYXkgY2FwIGl0KS4gKi9cbiAgcmVjdkJ1ZmZlckJ5dGVzPzogbnVtYmVyO1xuICAvKiogU09fU05EQlVGIHJlcXVlc3RlZCBvbiBldmVyeSBzb2NrZXQgKGRlZmF1bHQgNCBNaUI7IHRoZSBrZXJuZWwgbWF5IGNhcCBpdCkuICovXG4gIHNlbmRCdWZmZXJCeXRlcz86IG51bWJlcjtcbiAgLyoqIEEgY2xpZW50IG1hcHBpbmcgd2l0aCBubyB0cmFmZmljIGluIGVpdGhlciBkaXJlY3Rpb24gZm9yIHRoaXMgbG9uZyBpcyBjbG9zZWQgKGRlZmF1bHQgNjAgMDAwIG1zKS4gKi9cbiAgaWRsZVRpbWVvdXRNcz86IG51bWJlcjtcbn1cblxuZXhwb3J0IGludGVyZmFjZSBEaXJlY3Rpb25TdGF0cyB7XG4gIC8qKiBEYXRhZ3JhbXMgdGhhdCBhcnJpdmVkIGF0IHRoZSBwcm94eSBpbiB0aGlzIGRpcmVjdGlvbi4gKi9cbiAgcmVjZWl2ZWQ6IG51bWJlcjtcbiAgLyoqIERhdGFncmFtcyBoYW5kZWQgdG8gdGhlIGtlcm5lbCAoaW5jbHVkZXMgZHVwbGljYXRlIGNvcGllcykuICovXG4gIGZvcndhcmRlZDogbnVtYmVyO1xuICAvKiogRGF0YWdyYW1zIGRyb3BwZWQ6IGxvc3MgKyBibGFja2hvbGUgKyBkaXNjYXJkZWQgKG1hcHBpbmcgY2xvc2VkLCBwcmUtYmluZCBxdWV1ZSBmdWxsKS4gKi9cbiAgZHJvcHBlZDogbnVtYmVyO1xuICAvKiogU3Vic2V0IG9mIGBkcm9wcGVkYCBjYXVzZWQgYnkgYGJsYWNraG9sZWAuICovXG4gIGJsYWNraG9sZWQ6IG51bWJlcjtcbiAgLyoqIEV4dHJhIGNvcGllcyBzZW50IGJlY2F1c2Ugb2YgYGR1cGxpY2F0ZWAuICovXG4gIGR1cGxpY2F0ZWQ6IG51bWJlcjtcbiAgLyoqIERhdGFncmFtcyBoZWxkIGJhY2sgYmVjYXVzZSBvZiBgcmVvcmRlcmAuICovXG4gIHJlb3JkZXJlZDogbnVtYmVyO1xuICAvKiogRGF0YWdyYW1zIHdpdGggZmxpcHBlZCBiaXRzLiAqL1xuICBjb3JydXB0ZWQ6IG51bWJlcjtcbiAgLyoqIERhdGFncmFtcyBjdXQgc2hvcnQuICovXG4gIHRydW5jYXRlZDogbnVtYmVyO1xuICAvKiogRGF0YWdyYW1zIHRoYXQgd2VudCB0aHJvdWdoIHRoZSBkZWxheSBxdWV1ZSAoZGVsYXkvaml0dGVyID4gMCkuICovXG4gIGRlbGF5ZWQ6IG51bWJlcjtcbiAgYnl0ZXNSZWNlaXZlZDogbnVtYmVyO1xuICBieXRlc0ZvcndhcmRlZDogbnVtYmVyO1xufVxuXG5leHBvcnQgaW50ZXJmYWNlIFByb3h5U3RhdHMge1xuICB1cDogRGlyZWN0aW9uU3RhdHM7XG4gIGRvd246IERpcmVjdGlvblN0YXRzO1xuICAvKiogQ3VycmVudGx5IG9wZW4gY2xpZW50IG1hcHBpbmdzLiAqL1xuICBtYXBwaW5nczogbnVtYmVyO1xuICBtYXBwaW5nc0NyZWF0ZWQ6IG51bWJlcjtcbiAgbWFwcGluZ3NFeHBpcmVkOiBudW1iZXI7XG4gIC8qKiBEYXRhZ3JhbXMgd2FpdGluZyBpbiB0aGUgZGVsYXkgcXVldWUgb3IgaGVsZCBmb3IgcmVvcmRlcmluZy4gKi9cbiAgcGVuZGluZzogbnVtYmVyO1xuICAvKiogU29ja2V0IGVycm9ycyBzZWVuIChlLmcuIEVDT05OUkVGVVNFRCB3aGVuIHRoZSB0YXJnZXQgaXMgbm90IGxpc3RlbmluZykuICovXG4gIGVycm9yczogbnVtYmVyO1xuICBsYXN0RXJyb3I/OiBzdHJpbmc7XG4gIC8qKiBTT19SQ1ZCVUYgLyBTT19TTkRCVUYgb2YgdGhlIGxpc3RlbmluZyBzb2NrZXQgYXMgcmVhZCBiYWNrIGZyb20gdGhlIGtlcm5lbCAoTGludXggcmVwb3J0cyAyeCB0aGUgdXNhYmxlIHNpemUpLiAqL1xuICByZWN2QnVmZmVyQnl0ZXM6IG51bWJlcjtcbiAgc2VuZEJ1ZmZlckJ5dGVzOiBudW1iZXI7XG59XG5cbmV4cG9ydCBpbnRlcmZhY2UgTWFwcGluZ0luZm8ge1xuICAvKiogQ3JlYXRpb24gaW5kZXggKDAsIDEsIC4uLikgXHUyMDE0IGFsc28gc2VsZWN0cyB0aGUgbWFwcGluZydzIFJORyBzdHJlYW1zLiAqL1xuICBpbmRleDogbnVtYmVyO1xuICBjbGllbnQ6IHsgaG9zdDogc3RyaW5nOyBwb3J0OiBudW1iZXIgfTtcbiAgLyoqIExvY2FsIGFkZHJlc3Mgb2YgdGhlIGRlZGljYXRlZCB1cHN0cmVhbSBzb2NrZXQgKHdoYXQgdGhlIHRhcmdldCBzZWVzKTsgdW5kZWZpbmVkIHVudGlsIGJvdW5kLiAqL1xuICB1cHN0cmVhbTogeyBob3N0OiBzdHJpbmc7IHBvcnQ6IG51bWJlciB9IHwgdW5kZWZpbmVkO1xufVxuXG4vLyAtLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS1cbi8vIEludGVybmFsc1xuLy8gLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tXG5cbmNvbnN0IFVQID0gMDtcbmNvbnN0IERPV04gPSAxO1xudHlwZSBEaXIgPSB0eXBlb2YgVVAgfCB0eXBlb2YgRE9XTjtcblxuY29uc3QgREVGQVVMVF9CVUZGRVJfQllURVMgPSA0ICogMTAyNCAqIDEwMjQ7XG5jb25zdCBERUZBVUxUX0lETEVfVElNRU9VVF9NUyA9IDYwXzAwMDtcbmNvbnN0IERFRkFVTFRfUkVPUkRFUl9USU1FT1VUX01TID0gMjA7XG5jb25zdCBNQVhfUFJFX1JFQURZX1FVRVVFID0gNDA5Njtcbi8qKiBSZWxlYXNlIGRlbGF5ZWQgZGF0YWdyYW1zIHVwIHRvIHRoaXMgbXVjaCBiZWZvcmUgdGhlaXIgZHVlIHRpbWUgKHRpbWVyIGdyYW51bGFyaXR5IGlzIDEgbXMpLiAqL1xuY29uc3QgVElNRVJfU0xBQ0tfTVMgPSAwLjU7XG5cbmludGVyZmFjZSBJbXAge1xuICBsb3NzOiBudW1iZXI7XG4gIGR1cGxpY2F0ZTogbnVtYmVyO1xuICByZW9yZGVyOiBudW1iZXI7XG4gIGNvcnJ1cHQ6IG51bWJlcjtcbiAgZGVsYXlNczogbnVtYmVyO1xuICBqaXR0ZXJNczogbnVtYmVyO1xuICB0cnVuY2F0ZTogbnVtYmVyO1xuICBibGFja2hvbGU6IGJvb2xlYW47XG4gIHJlb3JkZXJHYXA6IG51bWJlcjtcbiAgcmVvcmRlclRpbWVvdXRNczogbnVtYmVyO1xufVxuXG5mdW5jdGlvbiB6ZXJvSW1wKCk6IEltcCB7XG4gIHJldHVybiB7XG4gICAgbG9zczogMCxcbiAgICBkdXBsaWNhdGU6IDAsXG4gICAgcmVvcmRlcjogMCxcbiAgICBjb3JydXB0OiAwLFxuICAgIGRlbGF5TXM6IDAsXG4gICAgaml0dGVyTXM6IDAsXG4gICAgdHJ1bmNhdGU6IDAsXG4gICAgYmxhY2tob2xlOiBmYWxzZSxcbiAgICByZW9yZGVyR2FwOiAxLFxuICAgIHJlb3JkZXJUaW1lb3V0TXM6IERFRkFVTFRfUkVPUkRFUl9USU1FT1VUX01TLFxuICB9O1xufVxuXG5mdW5jdGlvbiBtZXJnZUltcChiYXNlOiBJbXAsIHBhdGNoOiBQYXJ0aWFsPEltcGFpcm1lbnQ+IHwgdW5kZWZpbmVkKTogSW1wIHtcbiAgY29uc3Qgb3V0OiBJbXAgPSB7IC4uLmJhc2UgfTtcbiAgaWYgKCFwYXRjaCkgcmV0dXJuIG91dDtcbiAgY29uc3QgcHJvYiA9IChrOiAnbG9zcycgfCAnZHVwbGljYXRlJyB8ICdyZW9yZGVyJyB8ICdjb3JydXB0JyB8ICd0cnVuY2F0ZScpOiB2b2lkID0+IHtcbiAgICBjb25zdCB2ID0gcGF0Y2hba107XG4gICAgaWYgKHYgPT09IHVuZGVmaW5lZCkgcmV0dXJuO1xuICAgIGlmICh0eXBlb2YgdiAhPT0gJ251bWJlcicgfHwgISh2ID49IDAgJiYgdiA8PSAxKSkge1xuICAgICAgdGhyb3cgbmV3IFJhbmdlRXJyb3IoYGltcGFpcm1lbnQuJHtrfSBtdXN0IGJlIGEgcHJvYmFiaWxpdHkgaW4gWzAsIDFdLCBnb3QgJHtTdHJpbmcodil9YCk7XG4gICAgfVxuICAgIG91dFtrXSA9IHY7XG4gIH07XG4gIGNvbnN0IG1zID0gKGs6ICdkZWxheU1zJyB8ICdqaXR0ZXJNcycgfCAncmVvcmRlclRpbWVvdXRNcycpOiB2b2lkID0+IHtcbiAgICBjb25zdCB2ID0gcGF0Y2hba107XG4gICAgaWYgKHYgPT09IHVuZGVmaW5lZCkgcmV0dXJuO1xuICAgIGlmICh0eXBlb2YgdiAhPT0gJ251bWJlcicgfHwgISh2ID49IDAgJiYgdiA8IDIgKiogMzEpKSB7XG4gICAgICB0aHJvdyBuZXcgUmFuZ2VFcnJvcihgaW1wYWlybWVudC4ke2t9IG11c3QgYmUgYSBmaW5pdGUgbnVtYmVyIG9mIG1zID49IDAsIGdvdCAke1N0cmluZyh2KX1gKTtcbiAgICB9XG4gICAgb3V0W2tdID0gdjtcbiAgfTtcbiAgcHJvYignbG9zcycpO1xuICBwcm9iKCdkdXBsaWNhdGUnKTtcbiAgcHJvYigncmVvcmRlcicpO1xuICBwcm9iKCdjb3JydXB0Jyk7XG4gIHByb2IoJ3RydW5jYXRlJyk7XG4gIG1zKCdkZWxheU1zJyk7XG4gIG1zKCdqaXR0ZXJNcycpO1xuICBtcygncmVvcmRlclRpbWVvdXRNcycpO1xuICBpZiAocGF0Y2gucmVvcmRlckdhcCAhPT0gdW5kZWZpbmVkKSB7XG4gICAgY29uc3QgdiA9IHBhdGNoLnJlb3JkZXJHYXA7XG4gICAgaWYgKCFOdW1iZXIuaXNJbnRlZ2VyKHYpIHx8IHYgPCAxKSB7XG4gICAgICB0aHJvdyBuZXcgUmFuZ2VFcnJvcihgaW1wYWlybWVudC5yZW9yZGVyR2FwIG11c3QgYmUgYW4gaW50ZWdlciA+PSAxLCBnb3QgJHtTdHJpbmcodil9YCk7XG4gICAgfVxuICAgIG91dC5yZW9yZGVyR2FwID0gdjtcbiAgfVxuICBpZiAocGF0Y2guYmxhY2tob2xlICE9PSB1bmRlZmluZWQpIG91dC5ibGFja2hvbGUgPSBCb29sZWFuKHBhdGNoLmJsYWNraG9sZSk7XG4gIHJldHVybiBvdXQ7XG59XG5cbmZ1bmN0aW9uIGltcFRvUHVibGljKGk6IEltcCk6IEltcGFpcm1lbnQge1xuICByZXR1cm4geyAuLi5pIH07XG59XG5cbmZ1bmN0aW9uIHplcm9TdGF0cygpOiBEaXJlY3Rpb25TdGF0cyB7XG4gIHJldHVybiB7XG4gICAgcmVjZWl2ZWQ6IDAsXG4gICAgZm9yd2FyZGVkOiAwLFxuICAgIGRyb3BwZWQ6IDAsXG4gICAgYmxhY2tob2xlZDogMCxcbiAgICBkdXBsaWNhdGVkOiAwLFxuICAgIHJlb3JkZXJlZDogMCxcbiAgICBjb3JydXB0ZWQ6IDAsXG4gICAgdHJ1bmNhdGVkOiAwLFxuICAgIGRlbGF5ZWQ6IDAsXG4gICAgYnl0ZXNSZWNlaXZlZDogMCxcbiAgICBieXRlc0ZvcndhcmRlZDogMCxcbiAgfTtcbn1cblxuLyoqIEEgZGF0YWdyYW0gaGVsZCBiYWNrIGZvciByZW9yZGVyaW5nLiAqL1xuaW50ZXJmYWNlIEhlbGQge1xuICBidWY6IEJ1ZmZlcjtcbiAgcmVtYWluaW5nOiBudW1iZXI7XG4gIGRvbmU6IGJvb2xlYW47XG59XG5cbi8qKiBFbnRyeSBvZiB0aGUgZGVsYXkgcXVldWU6IGVpdGhlciBhIGRlbGF5ZWQgZGF0YWdyYW0gb3IgYSByZW9yZGVyLWhvbGQgZXhwaXJ5LiAqL1xuaW50ZXJmYWNlIFBlbmRpbmcge1xuICBkdWU6IG51bWJlcjtcbiAgc2VxOiBudW1iZXI7XG4gIGZsb3c6IEZsb3cgfCBudWxsO1xuICBidWY6IEJ1ZmZlciB8IG51bGw7XG4gIGhvbGQ6IGJvb2xlYW47XG4gIGhlbGQ6IEhlbGQgfCBudWxsO1xufVxuXG4vKiogQmluYXJ5IG1pbi1oZWFwIG9uIChkdWUsIHNlcSkgd2l0aCBhbiBlbnRyeSBwb29sLiAqL1xuY2xhc3MgUGVuZGluZ1F1ZXVlIHtcbiAgcHJpdmF0ZSBoZWFwOiBQZW5kaW5nW10gPSBbXTtcbiAgcHJpdmF0ZSBwb29sOiBQZW5kaW5nW10gPSBbXTtcbiAgcHJpdmF0ZSBzZXEgPSAwO1xuXG4gIGdldCBzaXplKCk6IG51bWJlciB7XG4gICAgcmV0dXJuIHRoaXMuaGVhcC5sZW5ndGg7XG4gIH1cblxuICBwZWVrRHVlKCk6IG51bWJlciB7XG4gICAgcmV0dXJuIHRoaXMuaGVhcC5sZW5ndGggPiAwID8gdGhpcy5oZWFwWzBdIS5kdWUgOiBJbmZpbml0eTtcbiAgfVxuXG4gIHB1c2goZHVlOiBudW1iZXIsIGZsb3c6IEZsb3csIGJ1ZjogQnVmZmVyIHwgbnVsbCwgaG9sZDogYm9vbGVhbiwgaGVsZDogSGVsZCB8IG51bGwpOiB2b2lkIHtcbiAgICBjb25zdCBwID0gdGhpcy5wb29sLnBvcCgpID8/IHsgZHVlOiAwLCBzZXE6IDAsIGZsb3c6IG51bGwsIGJ1ZjogbnVsbCwgaG9sZDogZmFsc2UsIGhlbGQ6IG51bGwgfTtcbiAgICBwLmR1ZSA9IGR1ZTtcbiAgICBwLnNlcSA9IHRoaXMuc2VxKys7XG4gICAgcC5mbG93ID0gZmxvdztcbiAgICBwLmJ1ZiA9IGJ1ZjtcbiAgICBwLmhvbGQgPSBob2xkO1xuICAgIHAuaGVsZCA9IGhlbGQ7XG4gICAgY29uc3QgaCA9IHRoaXMuaGVhcDtcbiAgICBsZXQgaSA9IGgubGVuZ3RoO1xuICAgIGgucHVzaChwKTtcbiAgICB3aGlsZSAoaSA+IDApIHtcbiAgICAgIGNvbnN0IHBhcmVudCA9IChpIC0gMSkgPj4gMTtcbiAgICAgIGNvbnN0IHEgPSBoW3BhcmVudF0hO1xuICAgICAgaWYgKHEuZHVlIDwgcC5kdWUgfHwgKHEuZHVlID09PSBwLmR1ZSAmJiBxLnNlcSA8IHAuc2VxKSkgYnJlYWs7XG4gICAgICBoW2ldID0gcTtcbiAgICAgIGkgPSBwYXJlbnQ7XG4gICAgfVxuICAgIGhbaV0gPSBwO1xuICB9XG5cbiAgLyoqIFJlbW92ZSBhbmQgcmV0dXJuIHRoZSBlYXJsaWVzdCBlbnRyeS4gQ2FsbGVyIG11c3QgYHJlY3ljbGUoKWAgaXQuICovXG4gIHBvcCgpOiBQZW5kaW5nIHwgdW5kZWZpbmVkIHtcbiAgICBjb25zdCBoID0gdGhpcy5oZWFwO1xuICAgIGlmIChoLmxlbmd0aCA9PT0gMCkgcmV0dXJuIHVuZGVmaW5lZDtcbiAgICBjb25zdCB0b3AgPSBoWzBdITtcbiAgICBjb25zdCBsYXN0ID0gaC5wb3AoKSE7XG4gICAgY29uc3QgbiA9IGgubGVuZ3RoO1xuICAgIGlmIChuID4gMCkge1xuICAgICAgbGV0IGkgPSAwO1xuICAgICAgZm9yICg7Oykge1xuICAgICAgICBjb25zdCBsID0gMiAqIGkgKyAxO1xuICAgICAgICBpZiAobCA+PSBuKSBicmVhaztcbiAgICAgICAgY29uc3QgciA9IGwgKyAxO1xuICAgICAgICBsZXQgYyA9IGw7XG4gICAgICAgIGxldCBjdiA9IGhbbF0hO1xuICAgICAgICBpZiAociA8IG4pIHtcbiAgICAgICAgICBjb25zdCBydiA9IGhbcl0hO1xuICAgICAgICAgIGlmIChydi5kdWUgPCBjdi5kdWUgfHwgKHJ2LmR1ZSA9PT0gY3YuZHVlICYmIHJ2LnNlcSA8IGN2LnNlcSkpIHtcbiAgICAgICAgICAgIGMgPSByO1xuICAgICAgICAgICAgY3YgPSBydjtcbiAgICAgICAgICB9XG4gICAgICAgIH1cbiAgICAgICAgaWYgKGxhc3QuZHVlIDwgY3YuZHVlIHx8IChsYXN0LmR1ZSA9PT0gY3YuZHVlICYmIGxhc3Quc2VxIDwgY3Yuc2VxKSkgYnJlYWs7XG4gICAgICAgIGhbaV0gPSBjdjtcbiAgICAgICAgaSA9IGM7XG4gICAgICB9XG4gICAgICBoW2ldID0gbGFzdDtcbiAgICB9XG4gICAgcmV0dXJuIHRvcDtcbiAgfVxuXG4gIHJlY3ljbGUocDogUGVuZGluZyk6IHZvaWQge1xuICAgIHAuZmxvdyA9IG51bGw7XG4gICAgcC5idWYgPSBudWxsO1xuICAgIHAuaGVsZCA9IG51bGw7XG4gICAgaWYgKHRoaXMucG9vbC5sZW5ndGggPCA2NTUzNikgdGhpcy5wb29sLnB1c2gocCk7XG4gIH1cblxuICBjbGVhcigpOiB2b2lkIHtcbiAgICB0aGlzLmhlYXAubGVuZ3RoID0gMDtcbiAgICB0aGlzLnBvb2wubGVuZ3RoID0gMDtcbiAgfVxufVxuXG4vKiogT25lIGRpcmVjdGlvbiBvZiBvbmUgY2xpZW50IG1hcHBpbmcuICovXG5jbGFzcyBGbG93IHtcbiAgLyoqIFNpeCBkcmF3cyBwZXIgZGF0YWdyYW0sIGFsd2F5cy4gKi9cbiAgcmVhZG9ubHkgZGVjaWRlOiBSbmc7XG4gIC8qKiBWYXJpYWJsZS1zaXplIGRyYXdzICh0cnVuY2F0aW9uIGxlbmd0aCwgYml0IHBvc2l0aW9ucykuICovXG4gIHJlYWRvbmx5IGRldGFpbDogUm5nO1xuICByZWFkb25seSBoZWxkOiBIZWxkW10gPSBbXTtcbiAgY29uc3RydWN0b3IoXG4gICAgcmVhZG9ubHkgZGlyOiBEaXIsXG4gICAgcmVhZG9ubHkgbWFwcGluZzogTWFwcGluZyxcbiAgICBzZWVkOiBudW1iZXIsXG4gICkge1xuICAgIHRoaXMuZGVjaWRlID0gbmV3IFJuZyhtaXhTZWVkKHNlZWQsIG1hcHBpbmcuaW5kZXgsIGRpciwgMCkpO1xuICAgIHRoaXMuZGV0YWlsID0gbmV3IFJuZyhtaXhTZWVkKHNlZWQsIG1hcHBpbmcuaW5kZXgsIGRpciwgMSkpO1xuICB9XG59XG5cbmNsYXNzIE1hcHBpbmcge1xuICByZWFkb25seSB1cDogRmxvdztcbiAgcmVhZG9ubHkgZG93bjogRmxvdztcbiAgLyoqIE5leHQgbWFwcGluZyB3aXRoIHRoZSBzYW1lIGNsaWVudCBwb3J0IChkaWZmZXJlbnQgYWRkcmVzcykuICovXG4gIG5leHRTYW1lUG9ydDogTWFwcGluZyB8IG51bGwgPSBudWxsO1xuICByZWFkeSA9IGZhbHNlO1xuICBjbG9zZWQgPSBmYWxzZTtcbiAgLyoqIERhdGFncmFtcyB3YWl0aW5nIGZvciB0aGUgdXBzdHJlYW0gc29ja2V0IHRvIGJlIGJvdW5kIGFuZCBjb25uZWN0ZWQuICovXG4gIHByZVJlYWR5OiBCdWZmZXJbXSA9IFtdO1xuICB0b3VjaGVkID0gdHJ1ZTtcbiAgbGFzdFNlZW46IG51bWJlcjtcbiAgdXBzdHJlYW1BZGRyOiB7IGhvc3Q6IHN0cmluZzsgcG9ydDogbnVtYmVyIH0gfCB1bmRlZmluZWQ7XG4gIGNvbnN0cnVjdG9yKFxuICAgIHJlYWRvbmx5IGluZGV4OiBudW1iZXIsXG4gICAgcmVhZG9ubHkgY2xpZW50SG9zdDogc3RyaW5nLFxuICAgIHJlYWRvbmx5IGNsaWVudFBvcnQ6IG51bWJlcixcbiAgICByZWFkb25seSBzb2NrZXQ6IGRncmFtLlNvY2tldCxcbiAgICBzZWVkOiBudW1iZXIsXG4gICAgbm93OiBudW1iZXIsXG4gICkge1xuICAgIHRoaXMubGFzdFNlZW4gPSBub3c7XG4gICAgdGhpcy51cCA9IG5ldyBGbG93KFVQLCB0aGlzLCBzZWVkKTtcbiAgICB0aGlzLmRvd24gPSBuZXcgRmxvdyhET1dOLCB0aGlzLCBzZWVkKTtcbiAgfVxufVxuXG5mdW5jdGlvbiBzb2NrZXRUeXBlRm9yKGhvc3Q6IHN0cmluZyk6ICd1ZHA0JyB8ICd1ZHA2JyB7XG4gIHJldHVybiBpc0lQKGhvc3QpID09PSA2ID8gJ3VkcDYnIDogJ3VkcDQnO1xufVxuXG5mdW5jdGlvbiBiaW5kU29ja2V0KHNvY2s6IGRncmFtLlNvY2tldCwgcG9ydDogbnVtYmVyLCBhZGRyZXNzOiBzdHJpbmcpOiBQcm9taXNlPHZvaWQ+IHtcbiAgcmV0dXJuIG5ldyBQcm9taXNlKChyZXNvbHZlLCByZWplY3QpID0+IHtcbiAgICBjb25zdCBvbkVycm9yID0gKGVycjogRXJyb3IpOiB2b2lkID0+IHJlamVjdChlcnIpO1xuICAgIHNvY2sub25jZSgnZXJyb3InLCBvbkVycm9yKTtcbiAgICBzb2NrLmJpbmQoeyBwb3J0LCBhZGRyZXNzLCBleGNsdXNpdmU6IHRydWUgfSwgKCkgPT4ge1xuICAgICAgc29jay5yZW1vdmVMaXN0ZW5lcignZXJyb3InLCBvbkVycm9yKTtcbiAgICAgIHJlc29sdmUoKTtcbiAgICB9KTtcbiAgfSk7XG59XG5cbi8qKiBGbGlwIDEtMyBkaXN0aW5jdCByYW5kb20gYml0cyBvZiBgYnVmYCBpbiBwbGFjZS4gKi9cbmZ1bmN0aW9uIGZsaXBCaXRzKGJ1ZjogQnVmZmVyLCBybmc6IFJuZyk6IHZvaWQge1xuICBjb25zdCBuYml0cyA9IGJ1Zi5sZW5ndGggKiA4O1xuICBjb25zdCBrID0gTWF0aC5taW4oMSArIHJuZy5pbnQoMyksIG5iaXRzKTtcbiAgbGV0IGIwID0gLTE7XG4gIGxldCBiMSA9IC0xO1xuICBmb3IgKGxldCBpID0gMDsgaSA8IGs7IGkrKykge1xuICAgIGxldCBiaXQ6IG51bWJlcjtcbiAgICBkbyB7XG4gICAgICBiaXQgPSBybmcuaW50KG5iaXRzKTtcbiAgICB9IHdoaWxlIChiaXQgPT09IGIwIHx8IGJpdCA9PT0gYjEpO1xuICAgIGlmIChpID09PSAwKSBiMCA9IGJpdDtcbiAgICBlbHNlIGlmIChpID09PSAxKSBiMSA9IGJpdDtcbiAgICBidWZbYml0ID4+PiAzXSBePSAxIDw8IChiaXQgJiA3KTtcbiAgfVxufVxuXG4vLyAtLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS1cbi8vIFRoZSBwcm94eVxuLy8gLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tXG5cbmV4cG9ydCBjbGFzcyBJbXBhaXJtZW50UHJveHkge1xuICBwcml2YXRlIHJlYWRvbmx5IGltcHM6IFtJbXAsIEltcF07XG4gIHByaXZhdGUgcmVhZG9ubHkgc3Q6IFtEaXJlY3Rpb25TdGF0cywgRGlyZWN0aW9uU3RhdHNdID0gW3plcm9TdGF0cygpLCB6ZXJvU3RhdHMoKV07XG4gIHByaXZhdGUgcmVhZG9ubHkgYnlQb3J0ID0gbmV3IE1hcDxudW1iZXIsIE1hcHBpbmc+KCk7XG4gIHByaXZhdGUgcmVhZG9ubHkgYWxsID0gbmV3IFNldDxNYXBwaW5nPigpO1xuICBwcml2YXRlIHJlYWRvbmx5IHF1ZXVlID0gbmV3IFBlbmRpbmdRdWV1ZSgpO1xuICBwcml2YXRlIGhlbGRDb3VudCA9IDA7XG4gIC8qKiBEYXRhZ3JhbXMgKG5vdCBob2xkLWV4cGlyeSBtYXJrZXJzKSBpbiB0aGUgZGVsYXkgcXVldWUuICovXG4gIHByaXZhdGUgcXVldWVkQ291bnQgPSAwO1xuICBwcml2YXRlIHRpbWVyOiBOb2RlSlMuVGltZW91dCB8IHVuZGVmaW5lZDtcbiAgcHJpdmF0ZSB0aW1lckR1ZSA9IEluZmluaXR5O1xuICBwcml2YXRlIHN3ZWVwVGltZXI6IE5vZGVKUy5UaW1lb3V0IHwgdW5kZWZpbmVkO1xuICBwcml2YXRlIG1hcHBpbmdzQ3JlYXRlZCA9IDA7XG4gIHByaXZhdGUgbWFwcGluZ3NFeHBpcmVkID0gMDtcbiAgcHJpdmF0ZSBlcnJvcnMgPSAwO1xuICBwcml2YXRlIGxhc3RFcnJvcjogc3RyaW5nIHwgdW5kZWZpbmVkO1xuICBwcml2YXRlIGNsb3NlZCA9IGZhbHNlO1xuICBwcml2YXRlIGNsb3Npbmc6IFByb21pc2U8dm9pZD4gfCB1bmRlZmluZWQ7XG4gIHByaXZhdGUgbGlzdGVuUmVjdkJ1ZiA9IDA7XG4gIHByaXZhdGUgbGlzdGVuU2VuZEJ1ZiA9IDA7XG5cbiAgcHJpdmF0ZSBjb25zdHJ1Y3RvcihcbiAgICBwcml2YXRlIHJlYWRvbmx5IGxpc3RlbjogZGdyYW0uU29ja2V0LFxuICAgIHByaXZhdGUgcmVhZG9ubHkgbGlzdGVuQWRkcjogeyBob3N0OiBzdHJpbmc7IHBvcnQ6IG51bWJlciB9LFxuICAgIHByaXZhdGUgcmVhZG9ubHkgdGFyZ2V0SG9zdDogc3RyaW5nLFxuICAgIHByaXZhdGUgcmVhZG9ubHkgdGFyZ2V0UG9ydDogbnVtYmVyLFxuICAgIHByaXZhdGUgcmVhZG9ubHkgc2VlZDogbnVtYmVyLFxuICAgIHByaXZhdGUgcmVhZG9ubHkgcmVjdkJ1ZmZlckJ5dGVzOiBudW1iZXIsXG4gICAgcHJpdmF0ZSByZWFkb25seSBzZW5kQnVmZmVyQnl0ZXM6IG51bWJlcixcbiAgICBwcml2YXRlIHJlYWRvbmx5IGlkbGVUaW1lb3V0TXM6IG51bWJlcixcbiAgICB1cDogSW1wLFxuICAgIGRvd246IEltcCxcbiAgKSB7XG4gICAgdGhpcy5pbXBzID0gW3VwLCBkb3duXTtcbiAgfVxuXG4gIHN0YXRpYyBhc3luYyBzdGFydChvcHRzOiBJbXBhaXJtZW50UHJveHlPcHRpb25zKTogUHJvbWlzZTxJbXBhaXJtZW50UHJveHk+IHtcbiAgICBpZiAoIU51bWJlci5pc1NhZmVJbnRlZ2VyKG9wdHMuc2VlZCkpIHRocm93IG5ldyBSYW5nZUVycm9yKCdzZWVkIG11c3QgYmUgYSBzYWZlIGludGVnZXInKTtcbiAgICBjb25zdCB7IHRhcmdldCB9ID0gb3B0cztcbiAgICBpZiAoIU51bWJlci5pc0ludGVnZXIodGFyZ2V0LnBvcnQpIHx8IHRhcmdldC5wb3J0IDwgMSB8fCB0YXJnZXQucG9ydCA+IDY1NTM1KSB7XG4gICAgICB0aHJvdyBuZXcgUmFuZ2VFcnJvcihgdGFyZ2V0LnBvcnQgbXVzdCBiZSAxLi42NTUzNSwgZ290ICR7U3RyaW5nKHRhcmdldC5wb3J0KX1gKTtcbiAgICB9XG4gICAgY29uc3QgbGlzdGVuUG9ydCA9IG9wdHMubGlzdGVuUG9ydCA/PyAwO1xuICAgIGNvbnN0IGxpc3Rlbkhvc3QgPSBvcHRzLmxpc3Rlbkhvc3QgPz8gJzEyNy4wLjAuMSc7XG4gICAgY29uc3QgcmVjdkJ1ZiA9IG9wdHMucmVjdkJ1ZmZlckJ5dGVzID8/IERFRkFVTFRfQlVGRkVSX0JZVEVTO1xuICAgIGNvbnN0IHNlbmRCdWYgPSBvcHRzLnNlbmRCdWZmZXJCeXRlcyA/PyBERUZBVUxUX0JVRkZFUl9CWVRFUztcbiAgICBjb25zdCBpZGxlID0gb3B0cy5pZGxlVGltZW91dE1zID8/IERFRkFVTFRfSURMRV9USU1FT1VUX01TO1xuICAgIGlmICghKGlkbGUgPiAwKSkgdGhyb3cgbmV3IFJhbmdlRXJyb3IoJ2lkbGVUaW1lb3V0TXMgbXVzdCBiZSA+IDAnKTtcbiAgICBjb25zdCB1cCA9IG1lcmdlSW1wKHplcm9JbXAoKSwgb3B0cy51cHN0cmVhbSk7XG4gICAgY29uc3QgZG93biA9IG1lcmdlSW1wKHplcm9JbXAoKSwgb3B0cy5kb3duc3RyZWFtKTtcblxuICAgIC8vIFJlc29sdmUgdGhlIHRhcmdldCBvbmNlIHNvIHRoYXQgY29ubmVjdCgpIG9uIHVwc3RyZWFtIHNvY2tldHMgbmVlZHMgbm8gbG9va3VwLlxuICAgIGNvbnN0IHRhcmdldEhvc3QgPSBpc0lQKHRhcmdldC5ob3N0KSAhPT0gMCA/IHRhcmdldC5ob3N0IDogKGF3YWl0IGxvb2t1cCh0YXJnZXQuaG9zdCkpLmFkZHJlc3M7XG5cbiAgICBjb25zdCBsaXN0ZW4gPSBkZ3JhbS5jcmVhdGVTb2NrZXQoeyB0eXBlOiBzb2NrZXRUeXBlRm9yKGxpc3Rlbkhvc3QpIH0pO1xuICAgIGF3YWl0IGJpbmRTb2NrZXQobGlzdGVuLCBsaXN0ZW5Qb3J0LCBsaXN0ZW5Ib3N0KTtcbiAgICBjb25zdCBhID0gbGlzdGVuLmFkZHJlc3MoKTtcbiAgICBjb25zdCBwcm94eSA9IG5ldyBJbXBhaXJtZW50UHJveHkoXG4gICAgICBsaXN0ZW4sXG4gICAgICB7IGhvc3Q6IGxpc3Rlbkhvc3QsIHBvcnQ6IGEucG9ydCB9LFxuICAgICAgdGFyZ2V0SG9zdCxcbiAgICAgIHRhcmdldC5wb3J0LFxuICAgICAgb3B0cy5zZWVkLFxuICAgICAgcmVjdkJ1ZixcbiAgICAgIHNlbmRCdWYsXG4gICAgICBpZGxlLFxuICAgICAgdXAsXG4gICAgICBkb3duLFxuICAgICk7XG4gICAgY29uc3QgYnVmcyA9IHByb3h5LnR1bmVCdWZmZXJzKGxpc3Rlbik7XG4gICAgcHJveHkubGlzdGVuUmVjdkJ1ZiA9IGJ1ZnMucmVjdjtcbiAgICBwcm94eS5saXN0ZW5TZW5kQnVmID0gYnVmcy5zZW5kO1xuICAgIGxpc3Rlbi5vbignZXJyb3InLCBwcm94eS5vblNvY2tldEVycm9yKTtcbiAgICBsaXN0ZW4ub24oJ21lc3NhZ2UnLCBwcm94eS5vbkNsaWVudE1lc3NhZ2UpO1xuICAgIGNvbnN0IGludGVydmFsID0gTWF0aC5tYXgoNSwgTWF0aC5taW4oMTAwMCwgaWRsZSAvIDQpKTtcbiAgICBwcm94eS5zd2VlcFRpbWVyID0gc2V0SW50ZXJ2YWwocHJveHkuc3dlZXAsIGludGVydmFsKTtcbiAgICBwcm94eS5zd2VlcFRpbWVyLnVucmVmKCk7XG4gICAgcmV0dXJuIHByb3h5O1xuICB9XG5cbiAgLyoqIFRoZSBhZGRyZXNzIGNsaWVudHMgc2hvdWxkIHVzZSBhcyB0aGUgcmVsYXkgYWRkcmVzcy4gKi9cbiAgYWRkcmVzcygpOiB7IGhvc3Q6IHN0cmluZzsgcG9ydDogbnVtYmVyIH0ge1xuICAgIHJldHVybiB7IC4uLnRoaXMubGlzdGVuQWRkciB9O1xuICB9XG5cbiAgLyoqIENoYW5nZSBpbXBhaXJtZW50IGF0IHJ1biB0aW1lOyB1bnNwZWNpZmllZCBmaWVsZHMga2VlcCB0aGVpciBjdXJyZW50IHZhbHVlLiAqL1xuICBzZXRJbXBhaXJtZW50KGRpcmVjdGlvbjogSW1wYWlybWVudERpcmVjdGlvbiwgaW1wOiBQYXJ0aWFsPEltcGFpcm1lbnQ+KTogdm9pZCB7XG4gICAgLy8gVmFsaWRhdGUgYm90aCBiZWZvcmUgYXBwbHlpbmcgZWl0aGVyIChhbGwtb3Itbm90aGluZykuXG4gICAgY29uc3QgbmV4dFVwID0gZGlyZWN0aW9uID09PSAnZG93bicgPyB0aGlzLmltcHNbVVBdIDogbWVyZ2VJbXAodGhpcy5pbXBzW1VQXSwgaW1wKTtcbiAgICBjb25zdCBuZXh0RG93biA9IGRpcmVjdGlvbiA9PT0gJ3VwJyA/IHRoaXMuaW1wc1tET1dOXSA6IG1lcmdlSW1wKHRoaXMuaW1wc1tET1dOXSwgaW1wKTtcbiAgICB0aGlzLmltcHNbVVBdID0gbmV4dFVwO1xuICAgIHRoaXMuaW1wc1tET1dOXSA9IG5leHREb3duO1xuICB9XG5cbiAgLyoqIEN1cnJlbnQgaW1wYWlybWVudCBvZiBvbmUgZGlyZWN0aW9uLiAqL1xuICBpbXBhaXJtZW50KGRpcmVjdGlvbjogJ3VwJyB8ICdkb3duJyk6IEltcGFpcm1lbnQge1xuICAgIHJldHVybiBpbXBUb1B1YmxpYyh0aGlzLmltcHNbZGlyZWN0aW9uID09PSAndXAnID8gVVAgOiBET1dOXSk7XG4gIH1cblxuICAvKiogU25hcHNob3Qgb2YgdGhlIGNvdW50ZXJzLiAqL1xuICBzdGF0cygpOiBQcm94eVN0YXRzIHtcbiAgICBjb25zdCBzOiBQcm94eVN0YXRzID0ge1xuICAgICAgdXA6IHsgLi4udGhpcy5zdFtVUF0gfSxcbiAgICAgIGRvd246IHsgLi4udGhpcy5zdFtET1dOXSB9LFxuICAgICAgbWFwcGluZ3M6IHRoaXMuYWxsLnNpemUsXG4gICAgICBtYXBwaW5nc0NyZWF0ZWQ6IHRoaXMubWFwcGluZ3NDcmVhdGVkLFxuICAgICAgbWFwcGluZ3NFeHBpcmVkOiB0aGlzLm1hcHBpbmdzRXhwaXJlZCxcbiAgICAgIHBlbmRpbmc6IHRoaXMucXVldWVkQ291bnQgKyB0aGlzLmhlbGRDb3VudCxcbiAgICAgIGVycm9yczogdGhpcy5lcnJvcnMsXG4gICAgICByZWN2QnVmZmVyQnl0ZXM6IHRoaXMubGlzdGVuUmVjdkJ1ZixcbiAgICAgIHNlbmRCdWZmZXJCeXRlczogdGhpcy5saXN0ZW5TZW5kQnVmLFxuICAgIH07XG4gICAgaWYgKHRoaXMubGFzdEVycm9yICE9PSB1bmRlZmluZWQpIHMubGFzdEVycm9yID0gdGhpcy5sYXN0RXJyb3I7XG4gICAgcmV0dXJuIHM7XG4gIH1cblxuICAvKiogT3BlbiBjbGllbnQgbWFwcGluZ3MsIG9sZGVzdCBmaXJzdC4gKi9cbiAgbWFwcGluZ3MoKTogTWFwcGluZ0luZm9bXSB7XG4gICAgcmV0dXJuIFsuLi50aGlzLmFsbF1cbiAgICAgIC5zb3J0KCh4LCB5KSA9PiB4LmluZGV4IC0geS5pbmRleClcbiAgICAgIC5tYXAoKG0pID0+ICh7XG4gICAgICAgIGluZGV4OiBtLmluZGV4LFxuICAgICAgICBjbGllbnQ6IHsgaG9zdDogbS5jbGllbnRIb3N0LCBwb3J0OiBtLmNsaWVudFBvcnQgfSxcbiAgICAgICAgdXBzdHJlYW06IG0udXBzdHJlYW1BZGRyID8geyAuLi5tLnVwc3RyZWFtQWRkciB9IDogdW5kZWZpbmVkLFxuICAgICAgfSkpO1xuICB9XG5cbiAgLyoqIENsb3NlIGFsbCBzb2NrZXRzOyBwZW5kaW5nIChkZWxheWVkIC8gaGVsZCkgZGF0YWdyYW1zIGFyZSBkaXNjYXJkZWQuIElkZW1wb3RlbnQuICovXG4gIGNsb3NlKCk6IFByb21pc2U8dm9pZD4ge1xuICAgIGlmICh0aGlzLmNsb3NpbmcpIHJldHVybiB0aGlzLmNsb3Npbmc7XG4gICAgdGhpcy5jbG9zZWQgPSB0cnVlO1xuICAgIGlmICh0aGlzLnRpbWVyKSBjbGVhclRpbWVvdXQodGhpcy50aW1lcik7XG4gICAgdGhpcy50aW1lciA9IHVuZGVmaW5lZDtcbiAgICBpZiAodGhpcy5zd2VlcFRpbWVyKSBjbGVhckludGVydmFsKHRoaXMuc3dlZXBUaW1lcik7XG4gICAgdGhpcy5zd2VlcFRpbWVyID0gdW5kZWZpbmVkO1xuICAgIHRoaXMucXVldWUuY2xlYXIoKTtcbiAgICB0aGlzLmhlbGRDb3VudCA9IDA7XG4gICAgdGhpcy5xdWV1ZWRDb3VudCA9IDA7XG4gICAgY29uc3Qgd2FpdHM6IFByb21pc2U8dm9pZD5bXSA9IFtdO1xuICAgIGZvciAoY29uc3QgbSBvZiB0aGlzLmFsbCkgd2FpdHMucHVzaCh0aGlzLmNsb3NlTWFwcGluZyhtKSk7XG4gICAgdGhpcy5hbGwuY2xlYXIoKTtcbiAgICB0aGlzLmJ5UG9ydC5jbGVhcigpO1xuICAgIHdhaXRzLnB1c2goY2xvc2VTb2NrZXQodGhpcy5saXN0ZW4pKTtcbiAgICB0aGlzLmNsb3NpbmcgPSBQcm9taXNlLmFsbCh3YWl0cykudGhlbigoKSA9PiB1bmRlZmluZWQpO1xuICAgIHJldHVybiB0aGlzLmNsb3Npbmc7XG4gIH1cblxuICAvLyAtLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tXG4gIC8vIFJlY2VpdmUgcGF0aHNcbiAgLy8gLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLVxuXG4gIHByaXZhdGUgcmVhZG9ubHkgb25DbGllbnRNZXNzYWdlID0gKG1zZzogQnVmZmVyLCByaW5mbzogZGdyYW0uUmVtb3RlSW5mbyk6IHZvaWQgPT4ge1xuICAgIGxldCBtID0gdGhpcy5ieVBvcnQuZ2V0KHJpbmZvLnBvcnQpO1xuICAgIHdoaWxlIChtICE9PSB1bmRlZmluZWQgJiYgbS5jbGllbnRIb3N0ICE9PSByaW5mby5hZGRyZXNzKSBtID0gbS5uZXh0U2FtZVBvcnQgPz8gdW5kZWZpbmVkO1xuICAgIGlmIChtID09PSB1bmRlZmluZWQpIHtcbiAgICAgIGlmICh0aGlzLmNsb3NlZCkgcmV0dXJuO1xuICAgICAgbSA9IHRoaXMuY3JlYXRlTWFwcGluZyhyaW5mbyk7XG4gICAgfVxuICAgIG0udG91Y2hlZCA9IHRydWU7XG4gICAgdGhpcy5pbmdyZXNzKG0udXAsIG1zZyk7XG4gIH07XG5cbiAgcHJpdmF0ZSBjcmVhdGVNYXBwaW5nKHJpbmZvOiBkZ3JhbS5SZW1vdGVJbmZvKTogTWFwcGluZyB7XG4gICAgY29uc3Qgc29jayA9IGRncmFtLmNyZWF0ZVNvY2tldCh7IHR5cGU6IHNvY2tldFR5cGVGb3IodGhpcy50YXJnZXRIb3N0KSB9KTtcbiAgICBjb25zdCBtID0gbmV3IE1hcHBpbmcoXG4gICAgICB0aGlzLm1hcHBpbmdzQ3JlYXRlZCsrLFxuICAgICAgcmluZm8uYWRkcmVzcyxcbiAgICAgIHJpbmZvLnBvcnQsXG4gICAgICBzb2NrLFxuICAgICAgdGhpcy5zZWVkLFxuICAgICAgcGVyZm9ybWFuY2Uubm93KCksXG4gICAgKTtcbiAgICBjb25zdCBoZWFkID0gdGhpcy5ieVBvcnQuZ2V0KHJpbmZvLnBvcnQpO1xuICAgIGlmIChoZWFkICE9PSB1bmRlZmluZWQpIG0ubmV4dFNhbWVQb3J0ID0gaGVhZDtcbiAgICB0aGlzLmJ5UG9ydC5zZXQocmluZm8ucG9ydCwgbSk7XG4gICAgdGhpcy5hbGwuYWRkKG0pO1xuXG4gICAgc29jay5vbignZXJyb3InLCB0aGlzLm9uU29ja2V0RXJyb3IpO1xuICAgIHNvY2sub24oJ21lc3NhZ2UnLCAobXNnOiBCdWZmZXIpID0+IHtcbiAgICAgIG0udG91Y2hlZCA9IHRydWU7XG4gICAgICB0aGlzLmluZ3Jlc3MobS5kb3duLCBtc2cpO1xuICAgIH0pO1xuICAgIGNvbnN0IGJpbmRIb3N0ID0gc29ja2V0VHlwZUZvcih0aGlzLnRhcmdldEhvc3QpID09PSAndWRwNicgPyAnOjoxJyA6ICcxMjcuMC4wLjEnO1xuICAgIHNvY2suYmluZCh7IHBvcnQ6IDAsIGFkZHJlc3M6IGJpbmRIb3N0LCBleGNsdXNpdmU6IHRydWUgfSwgKCkgPT4ge1xuICAgICAgaWYgKG0uY2xvc2VkKSByZXR1cm47XG4gICAgICB0aGlzLnR1bmVCdWZmZXJzKHNvY2spO1xuICAgICAgY29uc3QgYSA9IHNvY2suYWRkcmVzcygpO1xuICAgICAgbS51cHN0cmVhbUFkZHIgPSB7IGhvc3Q6IGEuYWRkcmVzcywgcG9ydDogYS5wb3J0IH07XG4gICAgICBzb2NrLmNvbm5lY3QodGhpcy50YXJnZXRQb3J0LCB0aGlzLnRhcmdldEhvc3QsIChlcnI/OiBFcnJvcikgPT4ge1xuICAgICAgICBpZiAobS5jbG9zZWQpIHJldHVybjtcbiAgICAgICAgaWYgKGVycikge1xuICAgICAgICAgIHRoaXMub25Tb2NrZXRFcnJvcihlcnIpO1xuICAgICAgICAgIHRoaXMuc3RbVVBdLmRyb3BwZWQgKz0gbS5wcmVSZWFkeS5sZW5ndGg7XG4gICAgICAgICAgbS5wcmVSZWFkeS5sZW5ndGggPSAwO1xuICAgICAgICAgIHJldHVybjtcbiAgICAgICAgfVxuICAgICAgICBtLnJlYWR5ID0gdHJ1ZTtcbiAgICAgICAgY29uc3QgcSA9IG0ucHJlUmVhZHk7XG4gICAgICAgIG0ucHJlUmVhZHkgPSBbXTtcbiAgICAgICAgZm9yIChjb25zdCBiIG9mIHEpIHNvY2suc2VuZChiKTtcbiAgICAgIH0pO1xuICAgIH0pO1xuICAgIHJldHVybiBtO1xuICB9XG5cbiAgcHJpdmF0ZSByZWFkb25seSBvblNvY2tldEVycm9yID0gKGVycjogRXJyb3IpOiB2b2lkID0+IHtcbiAgICB0aGlzLmVycm9ycysrO1xuICAgIHRoaXMubGFzdEVycm9yID0gZXJyLm1lc3NhZ2U7XG4gIH07XG5cbiAgLy8gLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLVxuICAvLyBJbXBhaXJtZW50IHBpcGVsaW5lXG4gIC8vIC0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS1cblxuICBwcml2YXRlIGluZ3Jlc3MoZmxvdzogRmxvdywgbXNnOiBCdWZmZXIpOiB2b2lkIHtcbiAgICBjb25zdCBzdCA9IHRoaXMuc3RbZmxvdy5kaXJdO1xuICAgIGNvbnN0IGltcCA9IHRoaXMuaW1wc1tmbG93LmRpcl07XG4gICAgc3QucmVjZWl2ZWQrKztcbiAgICBzdC5ieXRlc1JlY2VpdmVkICs9IG1zZy5sZW5ndGg7XG5cbiAgICAvLyBBbHdheXMgZXhhY3RseSBzaXggZHJhd3MsIHNvIGRlY2lzaW9ucyBzdGF5IGFsaWduZWQgd2l0aCB0aGUgZGF0YWdyYW0gaW5kZXguXG4gICAgY29uc3QgciA9IGZsb3cuZGVjaWRlO1xuICAgIGNvbnN0IHVMb3NzID0gci5uZXh0KCk7XG4gICAgY29uc3QgdVRydW5jID0gci5uZXh0KCk7XG4gICAgY29uc3QgdUNvcnJ1cHQgPSByLm5leHQoKTtcbiAgICBjb25zdCB1RHVwID0gci5uZXh0KCk7XG4gICAgY29uc3QgdUppdHRlciA9IHIubmV4dCgpO1xuICAgIGNvbnN0IHVSZW9yZGVyID0gci5uZXh0KCk7XG5cbiAgICBpZiAoaW1wLmJsYWNraG9sZSkge1xuICAgICAgc3QuZHJvcHBlZCsrO1xuICAgICAgc3QuYmxhY2tob2xlZCsrO1xuICAgICAgcmV0dXJuO1xuICAgIH1cbiAgICBpZiAodUxvc3MgPCBpbXAubG9zcykge1xuICAgICAgc3QuZHJvcHBlZCsrO1xuICAgICAgcmV0dXJuO1xuICAgIH1cbiAgICBsZXQgYnVmID0gbXNnO1xuICAgIGlmICh1VHJ1bmMgPCBpbXAudHJ1bmNhdGUgJiYgYnVmLmxlbmd0aCA+IDApIHtcbiAgICAgIGJ1ZiA9IGJ1Zi5zdWJhcnJheSgwLCBmbG93LmRldGFpbC5pbnQoYnVmLmxlbmd0aCkpO1xuICAgICAgc3QudHJ1bmNhdGVkKys7XG4gICAgfVxuICAgIGlmICh1Q29ycnVwdCA8IGltcC5jb3JydXB0ICYmIGJ1Zi5sZW5ndGggPiAwKSB7XG4gICAgICAvLyBUaGUgcmVjZWl2ZWQgQnVmZmVyIGlzIG91cnMgYWxvbmUgKGZyZXNoIHBlciBkYXRhZ3JhbSk6IGZsaXAgaW4gcGxhY2UuXG4gICAgICBmbGlwQml0cyhidWYsIGZsb3cuZGV0YWlsKTtcbiAgICAgIHN0LmNvcnJ1cHRlZCsrO1xuICAgIH1cbiAgICBjb25zdCBkdXAgPSB1RHVwIDwgaW1wLmR1cGxpY2F0ZTtcbiAgICBjb25zdCBob2xkID0gdVJlb3JkZXIgPCBpbXAucmVvcmRlcjtcbiAgICBsZXQgZGVsYXkgPSBpbXAuZGVsYXlNcztcbiAgICBpZiAoaW1wLmppdHRlck1zID4gMCkgZGVsYXkgKz0gKDIgKiB1Sml0dGVyIC0gMSkgKiBpbXAuaml0dGVyTXM7XG5cbiAgICBpZiAoZGVsYXkgPiAwKSB7XG4gICAgICBzdC5kZWxheWVkKys7XG4gICAgICBjb25zdCBkdWUgPSBwZXJmb3JtYW5jZS5ub3coKSArIGRlbGF5O1xuICAgICAgdGhpcy5xdWV1ZS5wdXNoKGR1ZSwgZmxvdywgYnVmLCBob2xkLCBudWxsKTtcbiAgICAgIHRoaXMucXVldWVkQ291bnQrKztcbiAgICAgIGlmIChkdXApIHtcbiAgICAgICAgc3QuZHVwbGljYXRlZCsrO1xuICAgICAgICB0aGlzLnF1ZXVlLnB1c2goZHVlLCBmbG93LCBidWYsIGZhbHNlLCBudWxsKTtcbiAgICAgICAgdGhpcy5xdWV1ZWRDb3VudCsrO1xuICAgICAgfVxuICAgICAgdGhpcy5hcm1UaW1lcigpO1xuICAgIH0gZWxzZSB7XG4gICAgICB0aGlzLmVncmVzcyhmbG93LCBidWYsIGhvbGQpO1xuICAgICAgaWYgKGR1cCkge1xuICAgICAgICBzdC5kdXBsaWNhdGVkKys7XG4gICAgICAgIHRoaXMuZWdyZXNzKGZsb3csIGJ1ZiwgZmFsc2UpO1xuICAgICAgfVxuICAgIH1cbiAgfVxuXG4gIC8qKiBGaW5hbCBzdGFnZTogcmVvcmRlciBob2xkLWJhY2ssIHRoZW4gc2VuZC4gKi9cbiAgcHJpdmF0ZSBlZ3Jlc3MoZmxvdzogRmxvdywgYnVmOiBCdWZmZXIsIGhvbGQ6IGJvb2xlYW4pOiB2b2lkIHtcbiAgICBpZiAoaG9sZCkge1xuICAgICAgY29uc3QgaW1wID0gdGhpcy5pbXBzW2Zsb3cuZGlyXTtcbiAgICAgIGNvbnN0IGg6IEhlbGQgPSB7IGJ1ZiwgcmVtYWluaW5nOiBpbXAucmVvcmRlckdhcCwgZG9uZTogZmFsc2UgfTtcbiAgICAgIGZsb3cuaGVsZC5wdXNoKGgpO1xuICAgICAgdGhpcy5oZWxkQ291bnQrKztcbiAgICAgIHRoaXMuc3RbZmxvdy5kaXJdLnJlb3JkZXJlZCsrO1xuICAgICAgdGhpcy5xdWV1ZS5wdXNoKHBlcmZvcm1hbmNlLm5vdygpICsgaW1wLnJlb3JkZXJUaW1lb3V0TXMsIGZsb3csIG51bGwsIGZhbHNlLCBoKTtcbiAgICAgIHRoaXMuYXJtVGltZXIoKTtcbiAgICAgIHJldHVybjtcbiAgICB9XG4gICAgdGhpcy5zZW5kKGZsb3csIGJ1Zik7XG4gICAgY29uc3QgaGVsZCA9IGZsb3cuaGVsZDtcbiAgICBpZiAoaGVsZC5sZW5ndGggPiAwKSB7XG4gICAgICBsZXQga2VlcCA9IDA7XG4gICAgICBmb3IgKGxldCBpID0gMDsgaSA8IGhlbGQubGVuZ3RoOyBpKyspIHtcbiAgICAgICAgY29uc3QgaCA9IGhlbGRbaV0hO1xuICAgICAgICBpZiAoLS1oLnJlbWFpbmluZyA8PSAwKSB7XG4gICAgICAgICAgaC5kb25lID0gdHJ1ZTtcbiAgICAgICAgICB0aGlzLmhlbGRDb3VudC0tO1xuICAgICAgICAgIHRoaXMuc2VuZChmbG93LCBoLmJ1Zik7XG4gICAgICAgIH0gZWxzZSB7XG4gICAgICAgICAgaGVsZFtrZWVwKytdID0gaDtcbiAgICAgICAgfVxuICAgICAgfVxuICAgICAgaGVsZC5sZW5ndGggPSBrZWVwO1xuICAgIH1cbiAgfVxuXG4gIHByaXZhdGUgc2VuZChmbG93OiBGbG93LCBidWY6IEJ1ZmZlcik6IHZvaWQge1xuICAgIGNvbnN0IG0gPSBmbG93Lm1hcHBpbmc7XG4gICAgY29uc3Qgc3QgPSB0aGlzLnN0W2Zsb3cuZGlyXTtcbiAgICBpZiAobS5jbG9zZWQpIHtcbiAgICAgIHN0LmRyb3BwZWQrKztcbiAgICAgIHJldHVybjtcbiAgICB9XG4gICAgaWYgKGZsb3cuZGlyID09PSBVUCkge1xuICAgICAgaWYgKG0ucmVhZHkpIHtcbiAgICAgICAgbS5zb2NrZXQuc2VuZChidWYpO1xuICAgICAgfSBlbHNlIGlmIChtLnByZVJlYWR5Lmxlbmd0aCA8IE1BWF9QUkVfUkVBRFlfUVVFVUUpIHtcbiAgICAgICAgbS5wcmVSZWFkeS5wdXNoKGJ1Zik7XG4gICAgICB9IGVsc2Uge1xuICAgICAgICBzdC5kcm9wcGVkKys7XG4gICAgICAgIHJldHVybjtcbiAgICAgIH1cbiAgICB9IGVsc2Uge1xuICAgICAgdGhpcy5saXN0ZW4uc2VuZChidWYsIG0uY2xpZW50UG9ydCwgbS5jbGllbnRIb3N0KTtcbiAgICB9XG4gICAgc3QuZm9yd2FyZGVkKys7XG4gICAgc3QuYnl0ZXNGb3J3YXJkZWQgKz0gYnVmLmxlbmd0aDtcbiAgfVxuXG4gIC8vIC0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS1cbiAgLy8gVGltZXIgKHNpbmdsZSB0aW1lciBmb3IgdGhlIHdob2xlIGRlbGF5IHF1ZXVlKVxuICAvLyAtLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tXG5cbiAgcHJpdmF0ZSBhcm1UaW1lcigpOiB2b2lkIHtcbiAgICBpZiAodGhpcy5jbG9zZWQpIHJldHVybjtcbiAgICBjb25zdCBkdWUgPSB0aGlzLnF1ZXVlLnBlZWtEdWUoKTtcbiAgICBpZiAoZHVlID09PSBJbmZpbml0eSkgcmV0dXJuO1xuICAgIGlmICh0aGlzLnRpbWVyICE9PSB1bmRlZmluZWQpIHtcbiAgICAgIGlmICh0aGlzLnRpbWVyRHVlIDw9IGR1ZSkgcmV0dXJuO1xuICAgICAgY2xlYXJUaW1lb3V0KHRoaXMudGltZXIpO1xuICAgIH1cbiAgICB0aGlzLnRpbWVyRHVlID0gZHVlO1xuICAgIHRoaXMudGltZXIgPSBzZXRUaW1lb3V0KHRoaXMub25UaW1lciwgTWF0aC5tYXgoMSwgZHVlIC0gcGVyZm9ybWFuY2Uubm93KCkpKTtcbiAgfVxuXG4gIHByaXZhdGUgcmVhZG9ubHkgb25UaW1lciA9ICgpOiB2b2lkID0+IHtcbiAgICB0aGlzLnRpbWVyID0gdW5kZWZpbmVkO1xuICAgIHRoaXMudGltZXJEdWUgPSBJbmZpbml0eTtcbiAgICBpZiAodGhpcy5jbG9zZWQpIHJldHVybjtcbiAgICBjb25zdCBsaW1pdCA9IHBlcmZvcm1hbmNlLm5vdygpICsgVElNRVJfU0xBQ0tfTVM7XG4gICAgY29uc3QgcSA9IHRoaXMucXVldWU7XG4gICAgd2hpbGUgKHEucGVla0R1ZSgpIDw9IGxpbWl0KSB7XG4gICAgICBjb25zdCBwID0gcS5wb3AoKSE7XG4gICAgICBjb25zdCBmbG93ID0gcC5mbG93ITtcbiAgICAgIGNvbnN0IGhlbGQgPSBwLmhlbGQ7XG4gICAgICBjb25zdCBidWYgPSBwLmJ1ZjtcbiAgICAgIGNvbnN0IGhvbGQgPSBwLmhvbGQ7XG4gICAgICBxLnJlY3ljbGUocCk7XG4gICAgICBpZiAoaGVsZCAhPT0gbnVsbCkge1xuICAgICAgICAvLyBSZW9yZGVyIGhvbGQgdGltZWQgb3V0OiByZWxlYXNlIGl0IGlmIGl0IGlzIHN0aWxsIGhlbGQuXG4gICAgICAgIGlmICghaGVsZC5kb25lKSB7XG4gICAgICAgICAgaGVsZC5kb25lID0gdHJ1ZTtcbiAgICAgICAgICB0aGlzLmhlbGRDb3VudC0tO1xuICAgICAgICAgIGNvbnN0IGkgPSBmbG93LmhlbGQuaW5kZXhPZihoZWxkKTtcbiAgICAgICAgICBpZiAoaSA+PSAwKSBmbG93LmhlbGQuc3BsaWNlKGksIDEpO1xuICAgICAgICAgIHRoaXMuc2VuZChmbG93LCBoZWxkLmJ1Zik7XG4gICAgICAgIH1cbiAgICAgIH0gZWxzZSBpZiAoZmxvdy5tYXBwaW5nLmNsb3NlZCkge1xuICAgICAgICB0aGlzLnF1ZXVlZENvdW50LS07XG4gICAgICAgIHRoaXMuc3RbZmxvdy5kaXJdLmRyb3BwZWQrKztcbiAgICAgIH0gZWxzZSB7XG4gICAgICAgIHRoaXMucXVldWVkQ291bnQtLTtcbiAgICAgICAgdGhpcy5lZ3Jlc3MoZmxvdywgYnVmISwgaG9sZCk7XG4gICAgICB9XG4gICAgfVxuICAgIHRoaXMuYXJtVGltZXIoKTtcbiAgfTtcblxuICAvLyAtLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tXG4gIC8vIE1hcHBpbmcgbGlmZXRpbWVcbiAgLy8gLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLVxuXG4gIHByaXZhdGUgcmVhZG9ubHkgc3dlZXAgPSAoKTogdm9pZCA9PiB7XG4gICAgaWYgKHRoaXMuY2xvc2VkKSByZXR1cm47XG4gICAgY29uc3Qgbm93ID0gcGVyZm9ybWFuY2Uubm93KCk7XG4gICAgZm9yIChjb25zdCBtIG9mIHRoaXMuYWxsKSB7XG4gICAgICBpZiAobS50b3VjaGVkKSB7XG4gICAgICAgIG0udG91Y2hlZCA9IGZhbHNlO1xuICAgICAgICBtLmxhc3RTZWVuID0gbm93O1xuICAgICAgfSBlbHNlIGlmIChub3cgLSBtLmxhc3RTZWVuID49IHRoaXMuaWRsZVRpbWVvdXRNcykge1xuICAgICAgICB0aGlzLmV4cGlyZShtKTtcbiAgICAgIH1cbiAgICB9XG4gIH07XG5cbiAgcHJpdmF0ZSBleHBpcmUobTogTWFwcGluZyk6IHZvaWQge1xuICAgIHRoaXMuYWxsLmRlbGV0ZShtKTtcbiAgICAvLyBVbmxpbmsgZnJvbSB0aGUgcGVyLXBvcnQgY2hhaW4uXG4gICAgY29uc3QgaGVhZCA9IHRoaXMuYnlQb3J0LmdldChtLmNsaWVudFBvcnQpO1xuICAgIGlmIChoZWFkID09PSBtKSB7XG4gICAgICBpZiAobS5uZXh0U2FtZVBvcnQpIHRoaXMuYnlQb3J0LnNldChtLmNsaWVudFBvcnQsIG0ubmV4dFNhbWVQb3J0KTtcbiAgICAgIGVsc2UgdGhpcy5ieVBvcnQuZGVsZXRlKG0uY2xpZW50UG9ydCk7XG4gICAgfSBlbHNlIHtcbiAgICAgIGxldCBwID0gaGVhZDtcbiAgICAgIHdoaWxlIChwICYmIHAubmV4dFNhbWVQb3J0ICE9PSBtKSBwID0gcC5uZXh0U2FtZVBvcnQgPz8gdW5kZWZpbmVkO1xuICAgICAgaWYgKHApIHAubmV4dFNhbWVQb3J0ID0gbS5uZXh0U2FtZVBvcnQ7XG4gICAgfVxuICAgIHRoaXMubWFwcGluZ3NFeHBpcmVkKys7XG4gICAgZm9yIChjb25zdCBmIG9mIFttLnVwLCBtLmRvd25dKSB7XG4gICAgICBmb3IgKGNvbnN0IGggb2YgZi5oZWxkKSB7XG4gICAgICAgIGlmICghaC5kb25lKSB7XG4gICAgICAgICAgaC5kb25lID0gdHJ1ZTtcbiAgICAgICAgICB0aGlzLmhlbGRDb3VudC0tO1xuICAgICAgICAgIHRoaXMuc3RbZi5kaXJdLmRyb3BwZWQrKztcbiAgICAgICAgfVxuICAgICAgfVxuICAgICAgZi5oZWxkLmxlbmd0aCA9IDA7XG4gICAgfVxuICAgIHZvaWQgdGhpcy5jbG9zZU1hcHBpbmcobSk7XG4gIH1cblxuICBwcml2YXRlIGNsb3NlTWFwcGluZyhtOiBNYXBwaW5nKTogUHJvbWlzZTx2b2lkPiB7XG4gICAgbS5jbG9zZWQgPSB0cnVlO1xuICAgIG0ucHJlUmVhZHkubGVuZ3RoID0gMDtcbiAgICByZXR1cm4gY2xvc2VTb2NrZXQobS5zb2NrZXQpO1xuICB9XG5cbiAgLyoqIFJlcXVlc3QgdGhlIGNvbmZpZ3VyZWQgYnVmZmVyIHNpemVzIChhZnRlciBiaW5kKSBhbmQgcmVhZCBiYWNrIHdoYXQgdGhlIGtlcm5lbCBncmFudGVkLiAqL1xuICBwcml2YXRlIHR1bmVCdWZmZXJzKHNvY2s6IGRncmFtLlNvY2tldCk6IHsgcmVjdjogbnVtYmVyOyBzZW5kOiBudW1iZXIgfSB7XG4gICAgbGV0IHJlY3YgPSAwO1xuICAgIGxldCBzZW5kID0gMDtcbiAgICB0cnkge1xuICAgICAgc29jay5zZXRSZWN2QnVmZmVyU2l6ZSh0aGlzLnJlY3ZCdWZmZXJCeXRlcyk7XG4gICAgfSBjYXRjaCAoZXJyKSB7XG4gICAgICB0aGlzLm9uU29ja2V0RXJyb3IoZXJyIGFzIEVycm9yKTtcbiAgICB9XG4gICAgdHJ5IHtcbiAgICAgIHNvY2suc2V0U2VuZEJ1ZmZlclNpemUodGhpcy5zZW5kQnVmZmVyQnl0ZXMpO1xuICAgIH0gY2F0Y2ggKGVycikge1xuICAgICAgdGhpcy5vblNvY2tldEVycm9yKGVyciBhcyBFcnJvcik7XG4gICAgfVxuICAgIHRyeSB7XG4gICAgICByZWN2ID0gc29jay5nZXRSZWN2QnVmZmVyU2l6ZSgpO1xuICAgICAgc2VuZCA9IHNvY2suZ2V0U2VuZEJ1ZmZlclNpemUoKTtcbiAgICB9IGNhdGNoIChlcnIpIHtcbiAgICAgIHRoaXMub25Tb2NrZXRFcnJvcihlcnIgYXMgRXJyb3IpO1xuICAgIH1cbiAgICByZXR1cm4geyByZWN2LCBzZW5kIH07XG4gIH1cbn1cblxuZnVuY3Rpb24gY2xvc2VTb2NrZXQoc29jazogZGdyYW0uU29ja2V0KTogUHJvbWlzZTx2b2lkPiB7XG4gIHJldHVybiBuZXcgUHJvbWlzZSgocmVzb2x2ZSkgPT4ge1xuICAgIHRyeSB7XG4gICAgICBzb2NrLmNsb3NlKCgpID0+IHJlc29sdmUoKSk7XG4gICAgfSBjYXRjaCB7XG4gICAgICByZXNvbHZlKCk7IC8vIGFscmVhZHkgY2xvc2VkXG4gICAgfVxuICB9KTtcbn1cbiIsICIvKipcbiAqIFNtYWxsLCBmYXN0LCBzZWVkZWQgUFJORyBmb3IgdGVzdHMgYW5kIGJlbmNobWFya3MgKG5vdCBmb3IgY3J5cHRvZ3JhcGh5KS5cbiAqXG4gKiBHZW5lcmF0b3I6IHNmYzMyIChDaHJpcyBEb3R5LUh1bXBocmV5J3MgXCJTbWFsbCBGYXN0IENvdW50aW5nXCIgZ2VuZXJhdG9yLFxuICogMTI4LWJpdCBzdGF0ZSwgcGFzc2VzIFByYWN0UmFuZC9CaWdDcnVzaCksIHNlZWRlZCB0aHJvdWdoIHNwbGl0bWl4MzIgc28gdGhhdFxuICogbmVhcmJ5IHNlZWRzICgwLCAxLCAyLCAuLi4pIGdpdmUgdW5yZWxhdGVkIHN0cmVhbXMuXG4gKlxuICogRXZlcnl0aGluZyBpcyBwbGFpbiAzMi1iaXQgaW50ZWdlciBhcml0aG1ldGljOiBubyBhbGxvY2F0aW9ucyBwZXIgZHJhdy5cbiAqL1xuXG5jb25zdCBUV09fUE9XXzMyID0gNDI5NDk2NzI5NjtcblxuLyoqIHNwbGl0bWl4MzItc3R5bGUgZmluYWxpc2VyOiBhIGdvb2QgMzItYml0IG1peGluZyBmdW5jdGlvbi4gKi9cbmZ1bmN0aW9uIG1peDMyKHg6IG51bWJlcik6IG51bWJlciB7XG4gIHggPSBNYXRoLmltdWwoeCBeICh4ID4+PiAxNiksIDB4MjFmMGFhYWQpO1xuICB4ID0gTWF0aC5pbXVsKHggXiAoeCA+Pj4gMTUpLCAweDczNWEyZDk3KTtcbiAgcmV0dXJuICh4IF4gKHggPj4+IDE1KSkgPj4+IDA7XG59XG5cbmZ1bmN0aW9uIGNoZWNrU2VlZChzZWVkOiBudW1iZXIsIHdoYXQ6IHN0cmluZyk6IHZvaWQge1xuICBpZiAoIU51bWJlci5pc1NhZmVJbnRlZ2VyKHNlZWQpKSB7XG4gICAgdGhyb3cgbmV3IFJhbmdlRXJyb3IoYCR7d2hhdH0gbXVzdCBiZSBhIHNhZmUgaW50ZWdlciwgZ290ICR7U3RyaW5nKHNlZWQpfWApO1xuICB9XG59XG5cbi8qKlxuICogSGFzaCBhIHNlZWQgYW5kIGFueSBudW1iZXIgb2Ygc3RyZWFtIGlkZW50aWZpZXJzIGludG8gYSBuZXcgMzItYml0IHNlZWQuXG4gKiBVc2VkIHRvIGRlcml2ZSBpbmRlcGVuZGVudCwgcmVwcm9kdWNpYmxlIHN1Yi1zdHJlYW1zXG4gKiAoZS5nLiBgbWl4U2VlZChzZWVkLCBtYXBwaW5nSW5kZXgsIGRpcmVjdGlvbilgKS5cbiAqL1xuZXhwb3J0IGZ1bmN0aW9uIG1peFNlZWQoc2VlZDogbnVtYmVyLCAuLi5wYXJ0czogbnVtYmVyW10pOiBudW1iZXIge1xuICBjaGVja1NlZWQoc2VlZCwgJ3NlZWQnKTtcbiAgbGV0IGggPSBtaXgzMigoc2VlZCA+Pj4gMCkgXiAweDllMzc3OWI5KTtcbiAgaCA9IG1peDMyKGggXiAoTWF0aC5mbG9vcihzZWVkIC8gVFdPX1BPV18zMikgPj4+IDApIF4gMHg4NWViY2E2Yik7XG4gIGZvciAoY29uc3QgcCBvZiBwYXJ0cykge1xuICAgIGNoZWNrU2VlZChwLCAnc3RyZWFtIGlkJyk7XG4gICAgaCA9IG1peDMyKChoICsgMHg5ZTM3NzliOSkgXiAocCA+Pj4gMCkpO1xuICAgIGggPSBtaXgzMihoIF4gKE1hdGguZmxvb3IocCAvIFRXT19QT1dfMzIpID4+PiAwKSk7XG4gIH1cbiAgcmV0dXJuIGg7XG59XG5cbmV4cG9ydCBjbGFzcyBSbmcge1xuICBwcml2YXRlIGE6IG51bWJlcjtcbiAgcHJpdmF0ZSBiOiBudW1iZXI7XG4gIHByaXZhdGUgYzogbnVtYmVyO1xuICBwcml2YXRlIGQ6IG51bWJlcjtcblxuICAvKiogQHBhcmFtIHNlZWQgYW55IHNhZmUgaW50ZWdlciAobmVnYXRpdmUgYW5kID4gMl4zMiBhcmUgZmluZSkuICovXG4gIGNvbnN0cnVjdG9yKHNlZWQ6IG51bWJlcikge1xuICAgIGNoZWNrU2VlZChzZWVkLCAnc2VlZCcpO1xuICAgIC8vIHNwbGl0bWl4MzIgb3ZlciB0aGUgKDY0LWJpdCkgc2VlZCB0byBmaWxsIHRoZSBzdGF0ZS5cbiAgICBsZXQgcyA9IG1peDMyKChzZWVkID4+PiAwKSBeIG1peDMyKChNYXRoLmZsb29yKHNlZWQgLyBUV09fUE9XXzMyKSA+Pj4gMCkgKyAweDZhMDllNjY3KSk7XG4gICAgY29uc3Qgc3RlcCA9ICgpOiBudW1iZXIgPT4ge1xuICAgICAgcyA9IChzICsgMHg5ZTM3NzliOSkgfCAwO1xuICAgICAgcmV0dXJuIG1peDMyKHMpO1xuICAgIH07XG4gICAgdGhpcy5hID0gc3RlcCgpO1xuICAgIHRoaXMuYiA9IHN0ZXAoKTtcbiAgICB0aGlzLmMgPSBzdGVwKCk7XG4gICAgdGhpcy5kID0gMTsgLy8gc2ZjMzIgY291bnRlclxuICAgIGZvciAobGV0IGkgPSAwOyBpIDwgMTI7IGkrKykgdGhpcy51aW50MzIoKTtcbiAgfVxuXG4gIC8qKiBHZW5lcmF0b3IgZm9yIHN1Yi1zdHJlYW0gYHN0cmVhbXNgIG9mIGBzZWVkYCAoaW5kZXBlbmRlbnQgb2Ygb3RoZXIgc3RyZWFtIGlkcykuICovXG4gIHN0YXRpYyBkZXJpdmUoc2VlZDogbnVtYmVyLCAuLi5zdHJlYW1zOiBudW1iZXJbXSk6IFJuZyB7XG4gICAgcmV0dXJuIG5ldyBSbmcobWl4U2VlZChzZWVkLCAuLi5zdHJlYW1zKSk7XG4gIH1cblxuICAvKiogVW5pZm9ybSAzMi1iaXQgdW5zaWduZWQgaW50ZWdlci4gKi9cbiAgdWludDMyKCk6IG51bWJlciB7XG4gICAgY29uc3QgdCA9ICgoKHRoaXMuYSArIHRoaXMuYikgfCAwKSArIHRoaXMuZCkgfCAwO1xuICAgIHRoaXMuZCA9ICh0aGlzLmQgKyAxKSB8IDA7XG4gICAgdGhpcy5hID0gdGhpcy5iIF4gKHRoaXMuYiA+Pj4gOSk7XG4gICAgdGhpcy5iID0gKHRoaXMuYyArICh0aGlzLmMgPDwgMykpIHwgMDtcbiAgICB0aGlzLmMgPSAodGhpcy5jIDw8IDIxKSB8ICh0aGlzLmMgPj4+IDExKTtcbiAgICB0aGlzLmMgPSAodGhpcy5jICsgdCkgfCAwO1xuICAgIHJldHVybiB0ID4+PiAwO1xuICB9XG5cbiAgLyoqIFVuaWZvcm0gZmxvYXQgaW4gWzAsIDEpIHdpdGggMzIgYml0cyBvZiByYW5kb21uZXNzLiAqL1xuICBuZXh0KCk6IG51bWJlciB7XG4gICAgcmV0dXJuIHRoaXMudWludDMyKCkgLyBUV09fUE9XXzMyO1xuICB9XG5cbiAgLyoqIFVuaWZvcm0gaW50ZWdlciBpbiBbMCwgbikuIGBuYCBtdXN0IGJlIGFuIGludGVnZXIgaW4gWzEsIDJeMzJdLiAqL1xuICBpbnQobjogbnVtYmVyKTogbnVtYmVyIHtcbiAgICBpZiAoIShuID49IDEgJiYgbiA8PSBUV09fUE9XXzMyKSB8fCBNYXRoLmZsb29yKG4pICE9PSBuKSB7XG4gICAgICB0aHJvdyBuZXcgUmFuZ2VFcnJvcihgUm5nLmludDogbiBtdXN0IGJlIGFuIGludGVnZXIgaW4gWzEsIDJeMzJdLCBnb3QgJHtTdHJpbmcobil9YCk7XG4gICAgfVxuICAgIHJldHVybiBNYXRoLmZsb29yKHRoaXMubmV4dCgpICogbik7XG4gIH1cblxuICAvKiogdHJ1ZSB3aXRoIHByb2JhYmlsaXR5IHAgKHAgPD0gMCBuZXZlciwgcCA+PSAxIGFsd2F5cykuIEFsd2F5cyBjb25zdW1lcyBvbmUgZHJhdy4gKi9cbiAgY2hhbmNlKHA6IG51bWJlcik6IGJvb2xlYW4ge1xuICAgIHJldHVybiB0aGlzLm5leHQoKSA8IHA7XG4gIH1cblxuICAvKiogRmlsbCBgYnVmYCB3aXRoIHJhbmRvbSBieXRlcyAoaW4gcGxhY2UpIGFuZCByZXR1cm4gaXQuICovXG4gIGZpbGwoYnVmOiBVaW50OEFycmF5KTogVWludDhBcnJheSB7XG4gICAgbGV0IGkgPSAwO1xuICAgIGZvciAoOyBpICsgNCA8PSBidWYubGVuZ3RoOyBpICs9IDQpIHtcbiAgICAgIGNvbnN0IHggPSB0aGlzLnVpbnQzMigpO1xuICAgICAgYnVmW2ldID0geCAmIDB4ZmY7XG4gICAgICBidWZbaSArIDFdID0gKHggPj4+IDgpICYgMHhmZjtcbiAgICAgIGJ1ZltpICsgMl0gPSAoeCA+Pj4gMTYpICYgMHhmZjtcbiAgICAgIGJ1ZltpICsgM10gPSB4ID4+PiAyNDtcbiAgICB9XG4gICAgaWYgKGkgPCBidWYubGVuZ3RoKSB7XG4gICAgICBsZXQgeCA9IHRoaXMudWludDMyKCk7XG4gICAgICBmb3IgKDsgaSA8IGJ1Zi5sZW5ndGg7IGkrKywgeCA+Pj49IDgpIGJ1ZltpXSA9IHggJiAweGZmO1xuICAgIH1cbiAgICByZXR1cm4gYnVmO1xuICB9XG59XG5cbi8qKiBDb252ZW5pZW5jZSBmYWN0b3J5LiAqL1xuZXhwb3J0IGZ1bmN0aW9uIGNyZWF0ZVJuZyhzZWVkOiBudW1iZXIpOiBSbmcge1xuICByZXR1cm4gbmV3IFJuZyhzZWVkKTtcbn1cbiIsICIvKipcbiAqIFRoZSBpbXBhaXJtZW50IHByb3h5ICh0ZXN0L3N1cHBvcnQvaW1wYWlybWVudFByb3h5LnRzKSBpbiBhIHByb2Nlc3Mgb2YgaXRzIG93biwgZm9yIHRoZVxuICogYmVuY2htYXJrczogZm9ya2VkIGJ5IGJlbmNoL2hhcm5lc3MubWpzIGBzdGFydFByb3h5KClgIGFmdGVyIGJlaW5nIGJ1bmRsZWQgd2l0aCBlc2J1aWxkIGludG9cbiAqIGJlbmNoLy5idWlsZC9wcm94eU1haW4uY2pzLiBDb25maWd1cmF0aW9uIGNvbWVzIGluIGVudiBCRU5DSF9QUk9YWSAoSlNPTjpcbiAqIGB7IHRhcmdldDoge2hvc3QsIHBvcnR9LCBzZWVkLCB1cHN0cmVhbT8sIGRvd25zdHJlYW0/LCByZWN2QnVmZmVyQnl0ZXM/LCBzZW5kQnVmZmVyQnl0ZXM/IH1gKS5cbiAqXG4gKiBJUEMgKHByb2Nlc3Muc2VuZCk6XG4gKiAgIFx1MjE5MiBwYXJlbnQgIHsgdHlwZTogJ3JlYWR5JywgcG9ydCwgcmVjdkJ1ZmZlckJ5dGVzLCBzZW5kQnVmZmVyQnl0ZXMgfVxuICogICBcdTIxOTAgcGFyZW50ICB7IHR5cGU6ICdzdGF0cycsIGlkIH0gICAgICAgICAgIFx1MjE5MiB7IHR5cGU6ICdzdGF0cycsIGlkLCBzdGF0cywgc2l6ZXMgfVxuICogICBcdTIxOTAgcGFyZW50ICB7IHR5cGU6ICdzZXQnLCBpZCwgZGlyZWN0aW9uLCBpbXBhaXJtZW50IH0gXHUyMTkyIHsgdHlwZTogJ3NldCcsIGlkIH1cbiAqICAgXHUyMTkwIHBhcmVudCAgeyB0eXBlOiAnY2xvc2UnLCBpZCB9ICAgICAgICAgICBcdTIxOTIgeyB0eXBlOiAnY2xvc2VkJywgaWQgfSwgdGhlbiBleGl0c1xuICogVGhlIHByb2Nlc3MgZXhpdHMgd2hlbiBpdHMgSVBDIGNoYW5uZWwgY2xvc2VzICh0aGUgcGFyZW50IGRpZWQgb3IgZGlzY29ubmVjdGVkKS5cbiAqXG4gKiBgc2l6ZXNgIGlzIHdoYXQgY3Jvc3NlZCB0aGUgcHJveHkgcGVyIGRpcmVjdGlvbjogdGhlIGxhcmdlc3QgZGF0YWdyYW0gc2VlbiBhbmQgaG93IG1hbnkgd2VyZVxuICogbGFyZ2VyIHRoYW4gMTIwMCBieXRlcyAodGVsbHMgd2hldGhlciB0aGUgdHJhbnNmZXIgZW5naW5lIHBpY2tlZCBhIGxhcmdlciBkYXRhZ3JhbSBzaXplKS5cbiAqL1xuaW1wb3J0IHsgSW1wYWlybWVudFByb3h5LCBJbXBhaXJtZW50IH0gZnJvbSAnLi4vdGVzdC9zdXBwb3J0L2ltcGFpcm1lbnRQcm94eSc7XG5cbmludGVyZmFjZSBDb25maWcge1xuICB0YXJnZXQ6IHsgaG9zdDogc3RyaW5nOyBwb3J0OiBudW1iZXIgfTtcbiAgc2VlZDogbnVtYmVyO1xuICB1cHN0cmVhbT86IFBhcnRpYWw8SW1wYWlybWVudD47XG4gIGRvd25zdHJlYW0/OiBQYXJ0aWFsPEltcGFpcm1lbnQ+O1xuICByZWN2QnVmZmVyQnl0ZXM/OiBudW1iZXI7XG4gIHNlbmRCdWZmZXJCeXRlcz86IG51bWJlcjtcbn1cblxudHlwZSBNc2cgPVxuICB8IHsgdHlwZTogJ3N0YXRzJzsgaWQ6IG51bWJlciB9XG4gIHwgeyB0eXBlOiAnc2V0JzsgaWQ6IG51bWJlcjsgZGlyZWN0aW9uOiAndXAnIHwgJ2Rvd24nIHwgJ2JvdGgnOyBpbXBhaXJtZW50OiBQYXJ0aWFsPEltcGFpcm1lbnQ+IH1cbiAgfCB7IHR5cGU6ICdjbG9zZSc7IGlkOiBudW1iZXIgfTtcblxuaW50ZXJmYWNlIFNpemVTdGF0cyB7XG4gIG1heEJ5dGVzOiBudW1iZXI7XG4gIG92ZXIxMjAwOiBudW1iZXI7XG59XG5cbi8qKiBUaGUgcHJveHkncyBwcml2YXRlIHBlci1kYXRhZ3JhbSBlbnRyeSBwb2ludCwgd3JhcHBlZCB0byByZWNvcmQgc2l6ZXMgKGJlbmNoIG9ubHkpLiAqL1xudHlwZSBJbmdyZXNzRm4gPSAoZmxvdzogeyBkaXI6IG51bWJlciB9LCBtc2c6IEJ1ZmZlcikgPT4gdm9pZDtcblxuYXN5bmMgZnVuY3Rpb24gbWFpbigpOiBQcm9taXNlPHZvaWQ+IHtcbiAgY29uc3QgY2ZnID0gSlNPTi5wYXJzZShwcm9jZXNzLmVudi5CRU5DSF9QUk9YWSA/PyAne30nKSBhcyBDb25maWc7XG4gIGNvbnN0IHByb3h5ID0gYXdhaXQgSW1wYWlybWVudFByb3h5LnN0YXJ0KHtcbiAgICB0YXJnZXQ6IGNmZy50YXJnZXQsXG4gICAgc2VlZDogY2ZnLnNlZWQgPz8gMSxcbiAgICB1cHN0cmVhbTogY2ZnLnVwc3RyZWFtLFxuICAgIGRvd25zdHJlYW06IGNmZy5kb3duc3RyZWFtLFxuICAgIHJlY3ZCdWZmZXJCeXRlczogY2ZnLnJlY3ZCdWZmZXJCeXRlcyxcbiAgICBzZW5kQnVmZmVyQnl0ZXM6IGNmZy5zZW5kQnVmZmVyQnl0ZXMsXG4gICAgaWRsZVRpbWVvdXRNczogNjAwXzAwMCxcbiAgfSk7XG4gIGNvbnN0IHNpemVzOiBbU2l6ZVN0YXRzLCBTaXplU3RhdHNdID0gW1xuICAgIHsgbWF4Qnl0ZXM6IDAsIG92ZXIxMjAwOiAwIH0sXG4gICAgeyBtYXhCeXRlczogMCwgb3ZlcjEyMDA6IDAgfSxcbiAgXTtcbiAgLy8gUmVjb3JkIGRhdGFncmFtIHNpemVzIHBlciBkaXJlY3Rpb24gKDAgPSB1cCwgMSA9IGRvd24pIGJ5IHdyYXBwaW5nIHRoZSBwcml2YXRlIGBpbmdyZXNzYC5cbiAgY29uc3QgcCA9IHByb3h5IGFzIHVua25vd24gYXMgeyBpbmdyZXNzOiBJbmdyZXNzRm4gfTtcbiAgY29uc3QgaW5ncmVzcyA9IHAuaW5ncmVzcy5iaW5kKHByb3h5KSBhcyBJbmdyZXNzRm47XG4gIHAuaW5ncmVzcyA9IChmbG93LCBtc2cpID0+IHtcbiAgICBjb25zdCBzID0gc2l6ZXNbZmxvdy5kaXIgPT09IDAgPyAwIDogMV07XG4gICAgaWYgKG1zZy5sZW5ndGggPiBzLm1heEJ5dGVzKSBzLm1heEJ5dGVzID0gbXNnLmxlbmd0aDtcbiAgICBpZiAobXNnLmxlbmd0aCA+IDEyMDApIHMub3ZlcjEyMDArKztcbiAgICBpbmdyZXNzKGZsb3csIG1zZyk7XG4gIH07XG4gIGNvbnN0IHN0ID0gcHJveHkuc3RhdHMoKTtcbiAgcHJvY2Vzcy5zZW5kPy4oeyB0eXBlOiAncmVhZHknLCBwb3J0OiBwcm94eS5hZGRyZXNzKCkucG9ydCwgcmVjdkJ1ZmZlckJ5dGVzOiBzdC5yZWN2QnVmZmVyQnl0ZXMsIHNlbmRCdWZmZXJCeXRlczogc3Quc2VuZEJ1ZmZlckJ5dGVzIH0pO1xuXG4gIHByb2Nlc3Mub24oJ21lc3NhZ2UnLCAobTogTXNnKSA9PiB7XG4gICAgc3dpdGNoIChtLnR5cGUpIHtcbiAgICAgIGNhc2UgJ3N0YXRzJzpcbiAgICAgICAgcHJvY2Vzcy5zZW5kPy4oeyB0eXBlOiAnc3RhdHMnLCBpZDogbS5pZCwgc3RhdHM6IHByb3h5LnN0YXRzKCksIHNpemVzOiB7IHVwOiBzaXplc1swXSwgZG93bjogc2l6ZXNbMV0gfSB9KTtcbiAgICAgICAgYnJlYWs7XG4gICAgICBjYXNlICdzZXQnOlxuICAgICAgICBwcm94eS5zZXRJbXBhaXJtZW50KG0uZGlyZWN0aW9uLCBtLmltcGFpcm1lbnQpO1xuICAgICAgICBwcm9jZXNzLnNlbmQ/Lih7IHR5cGU6ICdzZXQnLCBpZDogbS5pZCB9KTtcbiAgICAgICAgYnJlYWs7XG4gICAgICBjYXNlICdjbG9zZSc6XG4gICAgICAgIHZvaWQgcHJveHkuY2xvc2UoKS50aGVuKCgpID0+IHtcbiAgICAgICAgICBwcm9jZXNzLnNlbmQ/Lih7IHR5cGU6ICdjbG9zZWQnLCBpZDogbS5pZCB9LCAoKSA9PiBwcm9jZXNzLmV4aXQoMCkpO1xuICAgICAgICB9KTtcbiAgICAgICAgYnJlYWs7XG4gICAgfVxuICB9KTtcbiAgcHJvY2Vzcy5vbignZGlzY29ubmVjdCcsICgpID0+IHtcbiAgICB2b2lkIHByb3h5LmNsb3NlKCkuZmluYWxseSgoKSA9PiBwcm9jZXNzLmV4aXQoMCkpO1xuICB9KTtcbn1cblxubWFpbigpLmNhdGNoKChlcnI6IHVua25vd24pID0+IHtcbiAgcHJvY2Vzcy5zdGRlcnIud3JpdGUoYHByb3h5TWFpbjogJHtlcnIgaW5zdGFuY2VvZiBFcnJvciA/IChlcnIuc3RhY2sgPz8gZXJyLm1lc3NhZ2UpIDogU3RyaW5nKGVycil9XFxuYCk7XG4gIHByb2Nlc3MuZXhpdCgxKTtcbn0pO1xuIl0sCiAgIm1hcHBpbmdzIjogIjs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7OztBQWdDQSxZQUF1QjtBQUN2QixzQkFBdUI7QUFDdkIsc0JBQXFCO0FBQ3JCLDZCQUE0Qjs7O0FDekI1QixJQUFNLGFBQWE7QUFHbkIsU0FBUyxNQUFNLEdBQW1CO0FBQ2hDLE1BQUksS0FBSyxLQUFLLElBQUssTUFBTSxJQUFLLFNBQVU7QUFDeEMsTUFBSSxLQUFLLEtBQUssSUFBSyxNQUFNLElBQUssVUFBVTtBQUN4QyxVQUFRLElBQUssTUFBTSxRQUFTO0FBQzlCO0FBRUEsU0FBUyxVQUFVLE1BQWMsTUFBb0I7QUFDbkQsTUFBSSxDQUFDLE9BQU8sY0FBYyxJQUFJLEdBQUc7QUFDL0IsVUFBTSxJQUFJLFdBQVcsR0FBRyxJQUFJLGdDQUFnQyxPQUFPLElBQUksQ0FBQyxFQUFFO0FBQUEsRUFDNUU7QUFDRjtBQU9PLFNBQVMsUUFBUSxTQUFpQixPQUF5QjtBQUNoRSxZQUFVLE1BQU0sTUFBTTtBQUN0QixNQUFJLElBQUksTUFBTyxTQUFTLElBQUssVUFBVTtBQUN2QyxNQUFJLE1BQU0sSUFBSyxLQUFLLE1BQU0sT0FBTyxVQUFVLE1BQU0sSUFBSyxVQUFVO0FBQ2hFLGFBQVcsS0FBSyxPQUFPO0FBQ3JCLGNBQVUsR0FBRyxXQUFXO0FBQ3hCLFFBQUksTUFBTyxJQUFJLGFBQWUsTUFBTSxDQUFFO0FBQ3RDLFFBQUksTUFBTSxJQUFLLEtBQUssTUFBTSxJQUFJLFVBQVUsTUFBTSxDQUFFO0FBQUEsRUFDbEQ7QUFDQSxTQUFPO0FBQ1Q7QUFFTyxJQUFNLE1BQU4sTUFBTSxLQUFJO0FBQUEsRUFDUDtBQUFBLEVBQ0E7QUFBQSxFQUNBO0FBQUEsRUFDQTtBQUFBO0FBQUEsRUFHUixZQUFZLE1BQWM7QUFDeEIsY0FBVSxNQUFNLE1BQU07QUFFdEIsUUFBSSxJQUFJLE1BQU8sU0FBUyxJQUFLLE9BQU8sS0FBSyxNQUFNLE9BQU8sVUFBVSxNQUFNLEtBQUssVUFBVSxDQUFDO0FBQ3RGLFVBQU0sT0FBTyxNQUFjO0FBQ3pCLFVBQUssSUFBSSxhQUFjO0FBQ3ZCLGFBQU8sTUFBTSxDQUFDO0FBQUEsSUFDaEI7QUFDQSxTQUFLLElBQUksS0FBSztBQUNkLFNBQUssSUFBSSxLQUFLO0FBQ2QsU0FBSyxJQUFJLEtBQUs7QUFDZCxTQUFLLElBQUk7QUFDVCxhQUFTLElBQUksR0FBRyxJQUFJLElBQUksSUFBSyxNQUFLLE9BQU87QUFBQSxFQUMzQztBQUFBO0FBQUEsRUFHQSxPQUFPLE9BQU8sU0FBaUIsU0FBd0I7QUFDckQsV0FBTyxJQUFJLEtBQUksUUFBUSxNQUFNLEdBQUcsT0FBTyxDQUFDO0FBQUEsRUFDMUM7QUFBQTtBQUFBLEVBR0EsU0FBaUI7QUFDZixVQUFNLEtBQU8sS0FBSyxJQUFJLEtBQUssSUFBSyxLQUFLLEtBQUssSUFBSztBQUMvQyxTQUFLLElBQUssS0FBSyxJQUFJLElBQUs7QUFDeEIsU0FBSyxJQUFJLEtBQUssSUFBSyxLQUFLLE1BQU07QUFDOUIsU0FBSyxJQUFLLEtBQUssS0FBSyxLQUFLLEtBQUssS0FBTTtBQUNwQyxTQUFLLElBQUssS0FBSyxLQUFLLEtBQU8sS0FBSyxNQUFNO0FBQ3RDLFNBQUssSUFBSyxLQUFLLElBQUksSUFBSztBQUN4QixXQUFPLE1BQU07QUFBQSxFQUNmO0FBQUE7QUFBQSxFQUdBLE9BQWU7QUFDYixXQUFPLEtBQUssT0FBTyxJQUFJO0FBQUEsRUFDekI7QUFBQTtBQUFBLEVBR0EsSUFBSSxHQUFtQjtBQUNyQixRQUFJLEVBQUUsS0FBSyxLQUFLLEtBQUssZUFBZSxLQUFLLE1BQU0sQ0FBQyxNQUFNLEdBQUc7QUFDdkQsWUFBTSxJQUFJLFdBQVcsbURBQW1ELE9BQU8sQ0FBQyxDQUFDLEVBQUU7QUFBQSxJQUNyRjtBQUNBLFdBQU8sS0FBSyxNQUFNLEtBQUssS0FBSyxJQUFJLENBQUM7QUFBQSxFQUNuQztBQUFBO0FBQUEsRUFHQSxPQUFPLEdBQW9CO0FBQ3pCLFdBQU8sS0FBSyxLQUFLLElBQUk7QUFBQSxFQUN2QjtBQUFBO0FBQUEsRUFHQSxLQUFLLEtBQTZCO0FBQ2hDLFFBQUksSUFBSTtBQUNSLFdBQU8sSUFBSSxLQUFLLElBQUksUUFBUSxLQUFLLEdBQUc7QUFDbEMsWUFBTSxJQUFJLEtBQUssT0FBTztBQUN0QixVQUFJLENBQUMsSUFBSSxJQUFJO0FBQ2IsVUFBSSxJQUFJLENBQUMsSUFBSyxNQUFNLElBQUs7QUFDekIsVUFBSSxJQUFJLENBQUMsSUFBSyxNQUFNLEtBQU07QUFDMUIsVUFBSSxJQUFJLENBQUMsSUFBSSxNQUFNO0FBQUEsSUFDckI7QUFDQSxRQUFJLElBQUksSUFBSSxRQUFRO0FBQ2xCLFVBQUksSUFBSSxLQUFLLE9BQU87QUFDcEIsYUFBTyxJQUFJLElBQUksUUFBUSxLQUFLLE9BQU8sRUFBRyxLQUFJLENBQUMsSUFBSSxJQUFJO0FBQUEsSUFDckQ7QUFDQSxXQUFPO0FBQUEsRUFDVDtBQUNGOzs7QUQ4QkEsSUFBTSxLQUFLO0FBQ1gsSUFBTSxPQUFPO0FBR2IsSUFBTSx1QkFBdUIsSUFBSSxPQUFPO0FBQ3hDLElBQU0sMEJBQTBCO0FBQ2hDLElBQU0sNkJBQTZCO0FBQ25DLElBQU0sc0JBQXNCO0FBRTVCLElBQU0saUJBQWlCO0FBZXZCLFNBQVMsVUFBZTtBQUN0QixTQUFPO0FBQUEsSUFDTCxNQUFNO0FBQUEsSUFDTixXQUFXO0FBQUEsSUFDWCxTQUFTO0FBQUEsSUFDVCxTQUFTO0FBQUEsSUFDVCxTQUFTO0FBQUEsSUFDVCxVQUFVO0FBQUEsSUFDVixVQUFVO0FBQUEsSUFDVixXQUFXO0FBQUEsSUFDWCxZQUFZO0FBQUEsSUFDWixrQkFBa0I7QUFBQSxFQUNwQjtBQUNGO0FBRUEsU0FBUyxTQUFTLE1BQVcsT0FBNkM7QUFDeEUsUUFBTSxNQUFXLEVBQUUsR0FBRyxLQUFLO0FBQzNCLE1BQUksQ0FBQyxNQUFPLFFBQU87QUFDbkIsUUFBTSxPQUFPLENBQUMsTUFBdUU7QUFDbkYsVUFBTSxJQUFJLE1BQU0sQ0FBQztBQUNqQixRQUFJLE1BQU0sT0FBVztBQUNyQixRQUFJLE9BQU8sTUFBTSxZQUFZLEVBQUUsS0FBSyxLQUFLLEtBQUssSUFBSTtBQUNoRCxZQUFNLElBQUksV0FBVyxjQUFjLENBQUMseUNBQXlDLE9BQU8sQ0FBQyxDQUFDLEVBQUU7QUFBQSxJQUMxRjtBQUNBLFFBQUksQ0FBQyxJQUFJO0FBQUEsRUFDWDtBQUNBLFFBQU0sS0FBSyxDQUFDLE1BQXlEO0FBQ25FLFVBQU0sSUFBSSxNQUFNLENBQUM7QUFDakIsUUFBSSxNQUFNLE9BQVc7QUFDckIsUUFBSSxPQUFPLE1BQU0sWUFBWSxFQUFFLEtBQUssS0FBSyxJQUFJLEtBQUssS0FBSztBQUNyRCxZQUFNLElBQUksV0FBVyxjQUFjLENBQUMsNENBQTRDLE9BQU8sQ0FBQyxDQUFDLEVBQUU7QUFBQSxJQUM3RjtBQUNBLFFBQUksQ0FBQyxJQUFJO0FBQUEsRUFDWDtBQUNBLE9BQUssTUFBTTtBQUNYLE9BQUssV0FBVztBQUNoQixPQUFLLFNBQVM7QUFDZCxPQUFLLFNBQVM7QUFDZCxPQUFLLFVBQVU7QUFDZixLQUFHLFNBQVM7QUFDWixLQUFHLFVBQVU7QUFDYixLQUFHLGtCQUFrQjtBQUNyQixNQUFJLE1BQU0sZUFBZSxRQUFXO0FBQ2xDLFVBQU0sSUFBSSxNQUFNO0FBQ2hCLFFBQUksQ0FBQyxPQUFPLFVBQVUsQ0FBQyxLQUFLLElBQUksR0FBRztBQUNqQyxZQUFNLElBQUksV0FBVyxzREFBc0QsT0FBTyxDQUFDLENBQUMsRUFBRTtBQUFBLElBQ3hGO0FBQ0EsUUFBSSxhQUFhO0FBQUEsRUFDbkI7QUFDQSxNQUFJLE1BQU0sY0FBYyxPQUFXLEtBQUksWUFBWSxRQUFRLE1BQU0sU0FBUztBQUMxRSxTQUFPO0FBQ1Q7QUFFQSxTQUFTLFlBQVksR0FBb0I7QUFDdkMsU0FBTyxFQUFFLEdBQUcsRUFBRTtBQUNoQjtBQUVBLFNBQVMsWUFBNEI7QUFDbkMsU0FBTztBQUFBLElBQ0wsVUFBVTtBQUFBLElBQ1YsV0FBVztBQUFBLElBQ1gsU0FBUztBQUFBLElBQ1QsWUFBWTtBQUFBLElBQ1osWUFBWTtBQUFBLElBQ1osV0FBVztBQUFBLElBQ1gsV0FBVztBQUFBLElBQ1gsV0FBVztBQUFBLElBQ1gsU0FBUztBQUFBLElBQ1QsZUFBZTtBQUFBLElBQ2YsZ0JBQWdCO0FBQUEsRUFDbEI7QUFDRjtBQW9CQSxJQUFNLGVBQU4sTUFBbUI7QUFBQSxFQUNULE9BQWtCLENBQUM7QUFBQSxFQUNuQixPQUFrQixDQUFDO0FBQUEsRUFDbkIsTUFBTTtBQUFBLEVBRWQsSUFBSSxPQUFlO0FBQ2pCLFdBQU8sS0FBSyxLQUFLO0FBQUEsRUFDbkI7QUFBQSxFQUVBLFVBQWtCO0FBQ2hCLFdBQU8sS0FBSyxLQUFLLFNBQVMsSUFBSSxLQUFLLEtBQUssQ0FBQyxFQUFHLE1BQU07QUFBQSxFQUNwRDtBQUFBLEVBRUEsS0FBSyxLQUFhLE1BQVksS0FBb0IsTUFBZSxNQUF5QjtBQUN4RixVQUFNLElBQUksS0FBSyxLQUFLLElBQUksS0FBSyxFQUFFLEtBQUssR0FBRyxLQUFLLEdBQUcsTUFBTSxNQUFNLEtBQUssTUFBTSxNQUFNLE9BQU8sTUFBTSxLQUFLO0FBQzlGLE1BQUUsTUFBTTtBQUNSLE1BQUUsTUFBTSxLQUFLO0FBQ2IsTUFBRSxPQUFPO0FBQ1QsTUFBRSxNQUFNO0FBQ1IsTUFBRSxPQUFPO0FBQ1QsTUFBRSxPQUFPO0FBQ1QsVUFBTSxJQUFJLEtBQUs7QUFDZixRQUFJLElBQUksRUFBRTtBQUNWLE1BQUUsS0FBSyxDQUFDO0FBQ1IsV0FBTyxJQUFJLEdBQUc7QUFDWixZQUFNLFNBQVUsSUFBSSxLQUFNO0FBQzFCLFlBQU0sSUFBSSxFQUFFLE1BQU07QUFDbEIsVUFBSSxFQUFFLE1BQU0sRUFBRSxPQUFRLEVBQUUsUUFBUSxFQUFFLE9BQU8sRUFBRSxNQUFNLEVBQUUsSUFBTTtBQUN6RCxRQUFFLENBQUMsSUFBSTtBQUNQLFVBQUk7QUFBQSxJQUNOO0FBQ0EsTUFBRSxDQUFDLElBQUk7QUFBQSxFQUNUO0FBQUE7QUFBQSxFQUdBLE1BQTJCO0FBQ3pCLFVBQU0sSUFBSSxLQUFLO0FBQ2YsUUFBSSxFQUFFLFdBQVcsRUFBRyxRQUFPO0FBQzNCLFVBQU0sTUFBTSxFQUFFLENBQUM7QUFDZixVQUFNLE9BQU8sRUFBRSxJQUFJO0FBQ25CLFVBQU0sSUFBSSxFQUFFO0FBQ1osUUFBSSxJQUFJLEdBQUc7QUFDVCxVQUFJLElBQUk7QUFDUixpQkFBUztBQUNQLGNBQU0sSUFBSSxJQUFJLElBQUk7QUFDbEIsWUFBSSxLQUFLLEVBQUc7QUFDWixjQUFNLElBQUksSUFBSTtBQUNkLFlBQUksSUFBSTtBQUNSLFlBQUksS0FBSyxFQUFFLENBQUM7QUFDWixZQUFJLElBQUksR0FBRztBQUNULGdCQUFNLEtBQUssRUFBRSxDQUFDO0FBQ2QsY0FBSSxHQUFHLE1BQU0sR0FBRyxPQUFRLEdBQUcsUUFBUSxHQUFHLE9BQU8sR0FBRyxNQUFNLEdBQUcsS0FBTTtBQUM3RCxnQkFBSTtBQUNKLGlCQUFLO0FBQUEsVUFDUDtBQUFBLFFBQ0Y7QUFDQSxZQUFJLEtBQUssTUFBTSxHQUFHLE9BQVEsS0FBSyxRQUFRLEdBQUcsT0FBTyxLQUFLLE1BQU0sR0FBRyxJQUFNO0FBQ3JFLFVBQUUsQ0FBQyxJQUFJO0FBQ1AsWUFBSTtBQUFBLE1BQ047QUFDQSxRQUFFLENBQUMsSUFBSTtBQUFBLElBQ1Q7QUFDQSxXQUFPO0FBQUEsRUFDVDtBQUFBLEVBRUEsUUFBUSxHQUFrQjtBQUN4QixNQUFFLE9BQU87QUFDVCxNQUFFLE1BQU07QUFDUixNQUFFLE9BQU87QUFDVCxRQUFJLEtBQUssS0FBSyxTQUFTLE1BQU8sTUFBSyxLQUFLLEtBQUssQ0FBQztBQUFBLEVBQ2hEO0FBQUEsRUFFQSxRQUFjO0FBQ1osU0FBSyxLQUFLLFNBQVM7QUFDbkIsU0FBSyxLQUFLLFNBQVM7QUFBQSxFQUNyQjtBQUNGO0FBR0EsSUFBTSxPQUFOLE1BQVc7QUFBQSxFQU1ULFlBQ1csS0FDQSxTQUNULE1BQ0E7QUFIUztBQUNBO0FBR1QsU0FBSyxTQUFTLElBQUksSUFBSSxRQUFRLE1BQU0sUUFBUSxPQUFPLEtBQUssQ0FBQyxDQUFDO0FBQzFELFNBQUssU0FBUyxJQUFJLElBQUksUUFBUSxNQUFNLFFBQVEsT0FBTyxLQUFLLENBQUMsQ0FBQztBQUFBLEVBQzVEO0FBQUEsRUFOVztBQUFBLEVBQ0E7QUFBQTtBQUFBLEVBTkY7QUFBQTtBQUFBLEVBRUE7QUFBQSxFQUNBLE9BQWUsQ0FBQztBQVMzQjtBQUVBLElBQU0sVUFBTixNQUFjO0FBQUEsRUFZWixZQUNXLE9BQ0EsWUFDQSxZQUNBLFFBQ1QsTUFDQSxLQUNBO0FBTlM7QUFDQTtBQUNBO0FBQ0E7QUFJVCxTQUFLLFdBQVc7QUFDaEIsU0FBSyxLQUFLLElBQUksS0FBSyxJQUFJLE1BQU0sSUFBSTtBQUNqQyxTQUFLLE9BQU8sSUFBSSxLQUFLLE1BQU0sTUFBTSxJQUFJO0FBQUEsRUFDdkM7QUFBQSxFQVZXO0FBQUEsRUFDQTtBQUFBLEVBQ0E7QUFBQSxFQUNBO0FBQUEsRUFmRjtBQUFBLEVBQ0E7QUFBQTtBQUFBLEVBRVQsZUFBK0I7QUFBQSxFQUMvQixRQUFRO0FBQUEsRUFDUixTQUFTO0FBQUE7QUFBQSxFQUVULFdBQXFCLENBQUM7QUFBQSxFQUN0QixVQUFVO0FBQUEsRUFDVjtBQUFBLEVBQ0E7QUFhRjtBQUVBLFNBQVMsY0FBYyxNQUErQjtBQUNwRCxhQUFPLHNCQUFLLElBQUksTUFBTSxJQUFJLFNBQVM7QUFDckM7QUFFQSxTQUFTLFdBQVcsTUFBb0IsTUFBYyxTQUFnQztBQUNwRixTQUFPLElBQUksUUFBUSxDQUFDLFNBQVMsV0FBVztBQUN0QyxVQUFNLFVBQVUsQ0FBQyxRQUFxQixPQUFPLEdBQUc7QUFDaEQsU0FBSyxLQUFLLFNBQVMsT0FBTztBQUMxQixTQUFLLEtBQUssRUFBRSxNQUFNLFNBQVMsV0FBVyxLQUFLLEdBQUcsTUFBTTtBQUNsRCxXQUFLLGVBQWUsU0FBUyxPQUFPO0FBQ3BDLGNBQVE7QUFBQSxJQUNWLENBQUM7QUFBQSxFQUNILENBQUM7QUFDSDtBQUdBLFNBQVMsU0FBUyxLQUFhLEtBQWdCO0FBQzdDLFFBQU0sUUFBUSxJQUFJLFNBQVM7QUFDM0IsUUFBTSxJQUFJLEtBQUssSUFBSSxJQUFJLElBQUksSUFBSSxDQUFDLEdBQUcsS0FBSztBQUN4QyxNQUFJLEtBQUs7QUFDVCxNQUFJLEtBQUs7QUFDVCxXQUFTLElBQUksR0FBRyxJQUFJLEdBQUcsS0FBSztBQUMxQixRQUFJO0FBQ0osT0FBRztBQUNELFlBQU0sSUFBSSxJQUFJLEtBQUs7QUFBQSxJQUNyQixTQUFTLFFBQVEsTUFBTSxRQUFRO0FBQy9CLFFBQUksTUFBTSxFQUFHLE1BQUs7QUFBQSxhQUNULE1BQU0sRUFBRyxNQUFLO0FBQ3ZCLFFBQUksUUFBUSxDQUFDLEtBQUssTUFBTSxNQUFNO0FBQUEsRUFDaEM7QUFDRjtBQU1PLElBQU0sa0JBQU4sTUFBTSxpQkFBZ0I7QUFBQSxFQXFCbkIsWUFDVyxRQUNBLFlBQ0EsWUFDQSxZQUNBLE1BQ0EsaUJBQ0EsaUJBQ0EsZUFDakIsSUFDQSxNQUNBO0FBVmlCO0FBQ0E7QUFDQTtBQUNBO0FBQ0E7QUFDQTtBQUNBO0FBQ0E7QUFJakIsU0FBSyxPQUFPLENBQUMsSUFBSSxJQUFJO0FBQUEsRUFDdkI7QUFBQSxFQVptQjtBQUFBLEVBQ0E7QUFBQSxFQUNBO0FBQUEsRUFDQTtBQUFBLEVBQ0E7QUFBQSxFQUNBO0FBQUEsRUFDQTtBQUFBLEVBQ0E7QUFBQSxFQTVCRjtBQUFBLEVBQ0EsS0FBdUMsQ0FBQyxVQUFVLEdBQUcsVUFBVSxDQUFDO0FBQUEsRUFDaEUsU0FBUyxvQkFBSSxJQUFxQjtBQUFBLEVBQ2xDLE1BQU0sb0JBQUksSUFBYTtBQUFBLEVBQ3ZCLFFBQVEsSUFBSSxhQUFhO0FBQUEsRUFDbEMsWUFBWTtBQUFBO0FBQUEsRUFFWixjQUFjO0FBQUEsRUFDZDtBQUFBLEVBQ0EsV0FBVztBQUFBLEVBQ1g7QUFBQSxFQUNBLGtCQUFrQjtBQUFBLEVBQ2xCLGtCQUFrQjtBQUFBLEVBQ2xCLFNBQVM7QUFBQSxFQUNUO0FBQUEsRUFDQSxTQUFTO0FBQUEsRUFDVDtBQUFBLEVBQ0EsZ0JBQWdCO0FBQUEsRUFDaEIsZ0JBQWdCO0FBQUEsRUFpQnhCLGFBQWEsTUFBTSxNQUF3RDtBQUN6RSxRQUFJLENBQUMsT0FBTyxjQUFjLEtBQUssSUFBSSxFQUFHLE9BQU0sSUFBSSxXQUFXLDZCQUE2QjtBQUN4RixVQUFNLEVBQUUsT0FBTyxJQUFJO0FBQ25CLFFBQUksQ0FBQyxPQUFPLFVBQVUsT0FBTyxJQUFJLEtBQUssT0FBTyxPQUFPLEtBQUssT0FBTyxPQUFPLE9BQU87QUFDNUUsWUFBTSxJQUFJLFdBQVcscUNBQXFDLE9BQU8sT0FBTyxJQUFJLENBQUMsRUFBRTtBQUFBLElBQ2pGO0FBQ0EsVUFBTSxhQUFhLEtBQUssY0FBYztBQUN0QyxVQUFNLGFBQWEsS0FBSyxjQUFjO0FBQ3RDLFVBQU0sVUFBVSxLQUFLLG1CQUFtQjtBQUN4QyxVQUFNLFVBQVUsS0FBSyxtQkFBbUI7QUFDeEMsVUFBTSxPQUFPLEtBQUssaUJBQWlCO0FBQ25DLFFBQUksRUFBRSxPQUFPLEdBQUksT0FBTSxJQUFJLFdBQVcsMkJBQTJCO0FBQ2pFLFVBQU0sS0FBSyxTQUFTLFFBQVEsR0FBRyxLQUFLLFFBQVE7QUFDNUMsVUFBTSxPQUFPLFNBQVMsUUFBUSxHQUFHLEtBQUssVUFBVTtBQUdoRCxVQUFNLGlCQUFhLHNCQUFLLE9BQU8sSUFBSSxNQUFNLElBQUksT0FBTyxRQUFRLFVBQU0sd0JBQU8sT0FBTyxJQUFJLEdBQUc7QUFFdkYsVUFBTSxTQUFlLG1CQUFhLEVBQUUsTUFBTSxjQUFjLFVBQVUsRUFBRSxDQUFDO0FBQ3JFLFVBQU0sV0FBVyxRQUFRLFlBQVksVUFBVTtBQUMvQyxVQUFNLElBQUksT0FBTyxRQUFRO0FBQ3pCLFVBQU0sUUFBUSxJQUFJO0FBQUEsTUFDaEI7QUFBQSxNQUNBLEVBQUUsTUFBTSxZQUFZLE1BQU0sRUFBRSxLQUFLO0FBQUEsTUFDakM7QUFBQSxNQUNBLE9BQU87QUFBQSxNQUNQLEtBQUs7QUFBQSxNQUNMO0FBQUEsTUFDQTtBQUFBLE1BQ0E7QUFBQSxNQUNBO0FBQUEsTUFDQTtBQUFBLElBQ0Y7QUFDQSxVQUFNLE9BQU8sTUFBTSxZQUFZLE1BQU07QUFDckMsVUFBTSxnQkFBZ0IsS0FBSztBQUMzQixVQUFNLGdCQUFnQixLQUFLO0FBQzNCLFdBQU8sR0FBRyxTQUFTLE1BQU0sYUFBYTtBQUN0QyxXQUFPLEdBQUcsV0FBVyxNQUFNLGVBQWU7QUFDMUMsVUFBTSxXQUFXLEtBQUssSUFBSSxHQUFHLEtBQUssSUFBSSxLQUFNLE9BQU8sQ0FBQyxDQUFDO0FBQ3JELFVBQU0sYUFBYSxZQUFZLE1BQU0sT0FBTyxRQUFRO0FBQ3BELFVBQU0sV0FBVyxNQUFNO0FBQ3ZCLFdBQU87QUFBQSxFQUNUO0FBQUE7QUFBQSxFQUdBLFVBQTBDO0FBQ3hDLFdBQU8sRUFBRSxHQUFHLEtBQUssV0FBVztBQUFBLEVBQzlCO0FBQUE7QUFBQSxFQUdBLGNBQWMsV0FBZ0MsS0FBZ0M7QUFFNUUsVUFBTSxTQUFTLGNBQWMsU0FBUyxLQUFLLEtBQUssRUFBRSxJQUFJLFNBQVMsS0FBSyxLQUFLLEVBQUUsR0FBRyxHQUFHO0FBQ2pGLFVBQU0sV0FBVyxjQUFjLE9BQU8sS0FBSyxLQUFLLElBQUksSUFBSSxTQUFTLEtBQUssS0FBSyxJQUFJLEdBQUcsR0FBRztBQUNyRixTQUFLLEtBQUssRUFBRSxJQUFJO0FBQ2hCLFNBQUssS0FBSyxJQUFJLElBQUk7QUFBQSxFQUNwQjtBQUFBO0FBQUEsRUFHQSxXQUFXLFdBQXNDO0FBQy9DLFdBQU8sWUFBWSxLQUFLLEtBQUssY0FBYyxPQUFPLEtBQUssSUFBSSxDQUFDO0FBQUEsRUFDOUQ7QUFBQTtBQUFBLEVBR0EsUUFBb0I7QUFDbEIsVUFBTSxJQUFnQjtBQUFBLE1BQ3BCLElBQUksRUFBRSxHQUFHLEtBQUssR0FBRyxFQUFFLEVBQUU7QUFBQSxNQUNyQixNQUFNLEVBQUUsR0FBRyxLQUFLLEdBQUcsSUFBSSxFQUFFO0FBQUEsTUFDekIsVUFBVSxLQUFLLElBQUk7QUFBQSxNQUNuQixpQkFBaUIsS0FBSztBQUFBLE1BQ3RCLGlCQUFpQixLQUFLO0FBQUEsTUFDdEIsU0FBUyxLQUFLLGNBQWMsS0FBSztBQUFBLE1BQ2pDLFFBQVEsS0FBSztBQUFBLE1BQ2IsaUJBQWlCLEtBQUs7QUFBQSxNQUN0QixpQkFBaUIsS0FBSztBQUFBLElBQ3hCO0FBQ0EsUUFBSSxLQUFLLGNBQWMsT0FBVyxHQUFFLFlBQVksS0FBSztBQUNyRCxXQUFPO0FBQUEsRUFDVDtBQUFBO0FBQUEsRUFHQSxXQUEwQjtBQUN4QixXQUFPLENBQUMsR0FBRyxLQUFLLEdBQUcsRUFDaEIsS0FBSyxDQUFDLEdBQUcsTUFBTSxFQUFFLFFBQVEsRUFBRSxLQUFLLEVBQ2hDLElBQUksQ0FBQyxPQUFPO0FBQUEsTUFDWCxPQUFPLEVBQUU7QUFBQSxNQUNULFFBQVEsRUFBRSxNQUFNLEVBQUUsWUFBWSxNQUFNLEVBQUUsV0FBVztBQUFBLE1BQ2pELFVBQVUsRUFBRSxlQUFlLEVBQUUsR0FBRyxFQUFFLGFBQWEsSUFBSTtBQUFBLElBQ3JELEVBQUU7QUFBQSxFQUNOO0FBQUE7QUFBQSxFQUdBLFFBQXVCO0FBQ3JCLFFBQUksS0FBSyxRQUFTLFFBQU8sS0FBSztBQUM5QixTQUFLLFNBQVM7QUFDZCxRQUFJLEtBQUssTUFBTyxjQUFhLEtBQUssS0FBSztBQUN2QyxTQUFLLFFBQVE7QUFDYixRQUFJLEtBQUssV0FBWSxlQUFjLEtBQUssVUFBVTtBQUNsRCxTQUFLLGFBQWE7QUFDbEIsU0FBSyxNQUFNLE1BQU07QUFDakIsU0FBSyxZQUFZO0FBQ2pCLFNBQUssY0FBYztBQUNuQixVQUFNLFFBQXlCLENBQUM7QUFDaEMsZUFBVyxLQUFLLEtBQUssSUFBSyxPQUFNLEtBQUssS0FBSyxhQUFhLENBQUMsQ0FBQztBQUN6RCxTQUFLLElBQUksTUFBTTtBQUNmLFNBQUssT0FBTyxNQUFNO0FBQ2xCLFVBQU0sS0FBSyxZQUFZLEtBQUssTUFBTSxDQUFDO0FBQ25DLFNBQUssVUFBVSxRQUFRLElBQUksS0FBSyxFQUFFLEtBQUssTUFBTSxNQUFTO0FBQ3RELFdBQU8sS0FBSztBQUFBLEVBQ2Q7QUFBQTtBQUFBO0FBQUE7QUFBQSxFQU1pQixrQkFBa0IsQ0FBQyxLQUFhLFVBQWtDO0FBQ2pGLFFBQUksSUFBSSxLQUFLLE9BQU8sSUFBSSxNQUFNLElBQUk7QUFDbEMsV0FBTyxNQUFNLFVBQWEsRUFBRSxlQUFlLE1BQU0sUUFBUyxLQUFJLEVBQUUsZ0JBQWdCO0FBQ2hGLFFBQUksTUFBTSxRQUFXO0FBQ25CLFVBQUksS0FBSyxPQUFRO0FBQ2pCLFVBQUksS0FBSyxjQUFjLEtBQUs7QUFBQSxJQUM5QjtBQUNBLE1BQUUsVUFBVTtBQUNaLFNBQUssUUFBUSxFQUFFLElBQUksR0FBRztBQUFBLEVBQ3hCO0FBQUEsRUFFUSxjQUFjLE9BQWtDO0FBQ3RELFVBQU0sT0FBYSxtQkFBYSxFQUFFLE1BQU0sY0FBYyxLQUFLLFVBQVUsRUFBRSxDQUFDO0FBQ3hFLFVBQU0sSUFBSSxJQUFJO0FBQUEsTUFDWixLQUFLO0FBQUEsTUFDTCxNQUFNO0FBQUEsTUFDTixNQUFNO0FBQUEsTUFDTjtBQUFBLE1BQ0EsS0FBSztBQUFBLE1BQ0wsbUNBQVksSUFBSTtBQUFBLElBQ2xCO0FBQ0EsVUFBTSxPQUFPLEtBQUssT0FBTyxJQUFJLE1BQU0sSUFBSTtBQUN2QyxRQUFJLFNBQVMsT0FBVyxHQUFFLGVBQWU7QUFDekMsU0FBSyxPQUFPLElBQUksTUFBTSxNQUFNLENBQUM7QUFDN0IsU0FBSyxJQUFJLElBQUksQ0FBQztBQUVkLFNBQUssR0FBRyxTQUFTLEtBQUssYUFBYTtBQUNuQyxTQUFLLEdBQUcsV0FBVyxDQUFDLFFBQWdCO0FBQ2xDLFFBQUUsVUFBVTtBQUNaLFdBQUssUUFBUSxFQUFFLE1BQU0sR0FBRztBQUFBLElBQzFCLENBQUM7QUFDRCxVQUFNLFdBQVcsY0FBYyxLQUFLLFVBQVUsTUFBTSxTQUFTLFFBQVE7QUFDckUsU0FBSyxLQUFLLEVBQUUsTUFBTSxHQUFHLFNBQVMsVUFBVSxXQUFXLEtBQUssR0FBRyxNQUFNO0FBQy9ELFVBQUksRUFBRSxPQUFRO0FBQ2QsV0FBSyxZQUFZLElBQUk7QUFDckIsWUFBTSxJQUFJLEtBQUssUUFBUTtBQUN2QixRQUFFLGVBQWUsRUFBRSxNQUFNLEVBQUUsU0FBUyxNQUFNLEVBQUUsS0FBSztBQUNqRCxXQUFLLFFBQVEsS0FBSyxZQUFZLEtBQUssWUFBWSxDQUFDLFFBQWdCO0FBQzlELFlBQUksRUFBRSxPQUFRO0FBQ2QsWUFBSSxLQUFLO0FBQ1AsZUFBSyxjQUFjLEdBQUc7QUFDdEIsZUFBSyxHQUFHLEVBQUUsRUFBRSxXQUFXLEVBQUUsU0FBUztBQUNsQyxZQUFFLFNBQVMsU0FBUztBQUNwQjtBQUFBLFFBQ0Y7QUFDQSxVQUFFLFFBQVE7QUFDVixjQUFNLElBQUksRUFBRTtBQUNaLFVBQUUsV0FBVyxDQUFDO0FBQ2QsbUJBQVcsS0FBSyxFQUFHLE1BQUssS0FBSyxDQUFDO0FBQUEsTUFDaEMsQ0FBQztBQUFBLElBQ0gsQ0FBQztBQUNELFdBQU87QUFBQSxFQUNUO0FBQUEsRUFFaUIsZ0JBQWdCLENBQUMsUUFBcUI7QUFDckQsU0FBSztBQUNMLFNBQUssWUFBWSxJQUFJO0FBQUEsRUFDdkI7QUFBQTtBQUFBO0FBQUE7QUFBQSxFQU1RLFFBQVEsTUFBWSxLQUFtQjtBQUM3QyxVQUFNLEtBQUssS0FBSyxHQUFHLEtBQUssR0FBRztBQUMzQixVQUFNLE1BQU0sS0FBSyxLQUFLLEtBQUssR0FBRztBQUM5QixPQUFHO0FBQ0gsT0FBRyxpQkFBaUIsSUFBSTtBQUd4QixVQUFNLElBQUksS0FBSztBQUNmLFVBQU0sUUFBUSxFQUFFLEtBQUs7QUFDckIsVUFBTSxTQUFTLEVBQUUsS0FBSztBQUN0QixVQUFNLFdBQVcsRUFBRSxLQUFLO0FBQ3hCLFVBQU0sT0FBTyxFQUFFLEtBQUs7QUFDcEIsVUFBTSxVQUFVLEVBQUUsS0FBSztBQUN2QixVQUFNLFdBQVcsRUFBRSxLQUFLO0FBRXhCLFFBQUksSUFBSSxXQUFXO0FBQ2pCLFNBQUc7QUFDSCxTQUFHO0FBQ0g7QUFBQSxJQUNGO0FBQ0EsUUFBSSxRQUFRLElBQUksTUFBTTtBQUNwQixTQUFHO0FBQ0g7QUFBQSxJQUNGO0FBQ0EsUUFBSSxNQUFNO0FBQ1YsUUFBSSxTQUFTLElBQUksWUFBWSxJQUFJLFNBQVMsR0FBRztBQUMzQyxZQUFNLElBQUksU0FBUyxHQUFHLEtBQUssT0FBTyxJQUFJLElBQUksTUFBTSxDQUFDO0FBQ2pELFNBQUc7QUFBQSxJQUNMO0FBQ0EsUUFBSSxXQUFXLElBQUksV0FBVyxJQUFJLFNBQVMsR0FBRztBQUU1QyxlQUFTLEtBQUssS0FBSyxNQUFNO0FBQ3pCLFNBQUc7QUFBQSxJQUNMO0FBQ0EsVUFBTSxNQUFNLE9BQU8sSUFBSTtBQUN2QixVQUFNLE9BQU8sV0FBVyxJQUFJO0FBQzVCLFFBQUksUUFBUSxJQUFJO0FBQ2hCLFFBQUksSUFBSSxXQUFXLEVBQUcsV0FBVSxJQUFJLFVBQVUsS0FBSyxJQUFJO0FBRXZELFFBQUksUUFBUSxHQUFHO0FBQ2IsU0FBRztBQUNILFlBQU0sTUFBTSxtQ0FBWSxJQUFJLElBQUk7QUFDaEMsV0FBSyxNQUFNLEtBQUssS0FBSyxNQUFNLEtBQUssTUFBTSxJQUFJO0FBQzFDLFdBQUs7QUFDTCxVQUFJLEtBQUs7QUFDUCxXQUFHO0FBQ0gsYUFBSyxNQUFNLEtBQUssS0FBSyxNQUFNLEtBQUssT0FBTyxJQUFJO0FBQzNDLGFBQUs7QUFBQSxNQUNQO0FBQ0EsV0FBSyxTQUFTO0FBQUEsSUFDaEIsT0FBTztBQUNMLFdBQUssT0FBTyxNQUFNLEtBQUssSUFBSTtBQUMzQixVQUFJLEtBQUs7QUFDUCxXQUFHO0FBQ0gsYUFBSyxPQUFPLE1BQU0sS0FBSyxLQUFLO0FBQUEsTUFDOUI7QUFBQSxJQUNGO0FBQUEsRUFDRjtBQUFBO0FBQUEsRUFHUSxPQUFPLE1BQVksS0FBYSxNQUFxQjtBQUMzRCxRQUFJLE1BQU07QUFDUixZQUFNLE1BQU0sS0FBSyxLQUFLLEtBQUssR0FBRztBQUM5QixZQUFNLElBQVUsRUFBRSxLQUFLLFdBQVcsSUFBSSxZQUFZLE1BQU0sTUFBTTtBQUM5RCxXQUFLLEtBQUssS0FBSyxDQUFDO0FBQ2hCLFdBQUs7QUFDTCxXQUFLLEdBQUcsS0FBSyxHQUFHLEVBQUU7QUFDbEIsV0FBSyxNQUFNLEtBQUssbUNBQVksSUFBSSxJQUFJLElBQUksa0JBQWtCLE1BQU0sTUFBTSxPQUFPLENBQUM7QUFDOUUsV0FBSyxTQUFTO0FBQ2Q7QUFBQSxJQUNGO0FBQ0EsU0FBSyxLQUFLLE1BQU0sR0FBRztBQUNuQixVQUFNLE9BQU8sS0FBSztBQUNsQixRQUFJLEtBQUssU0FBUyxHQUFHO0FBQ25CLFVBQUksT0FBTztBQUNYLGVBQVMsSUFBSSxHQUFHLElBQUksS0FBSyxRQUFRLEtBQUs7QUFDcEMsY0FBTSxJQUFJLEtBQUssQ0FBQztBQUNoQixZQUFJLEVBQUUsRUFBRSxhQUFhLEdBQUc7QUFDdEIsWUFBRSxPQUFPO0FBQ1QsZUFBSztBQUNMLGVBQUssS0FBSyxNQUFNLEVBQUUsR0FBRztBQUFBLFFBQ3ZCLE9BQU87QUFDTCxlQUFLLE1BQU0sSUFBSTtBQUFBLFFBQ2pCO0FBQUEsTUFDRjtBQUNBLFdBQUssU0FBUztBQUFBLElBQ2hCO0FBQUEsRUFDRjtBQUFBLEVBRVEsS0FBSyxNQUFZLEtBQW1CO0FBQzFDLFVBQU0sSUFBSSxLQUFLO0FBQ2YsVUFBTSxLQUFLLEtBQUssR0FBRyxLQUFLLEdBQUc7QUFDM0IsUUFBSSxFQUFFLFFBQVE7QUFDWixTQUFHO0FBQ0g7QUFBQSxJQUNGO0FBQ0EsUUFBSSxLQUFLLFFBQVEsSUFBSTtBQUNuQixVQUFJLEVBQUUsT0FBTztBQUNYLFVBQUUsT0FBTyxLQUFLLEdBQUc7QUFBQSxNQUNuQixXQUFXLEVBQUUsU0FBUyxTQUFTLHFCQUFxQjtBQUNsRCxVQUFFLFNBQVMsS0FBSyxHQUFHO0FBQUEsTUFDckIsT0FBTztBQUNMLFdBQUc7QUFDSDtBQUFBLE1BQ0Y7QUFBQSxJQUNGLE9BQU87QUFDTCxXQUFLLE9BQU8sS0FBSyxLQUFLLEVBQUUsWUFBWSxFQUFFLFVBQVU7QUFBQSxJQUNsRDtBQUNBLE9BQUc7QUFDSCxPQUFHLGtCQUFrQixJQUFJO0FBQUEsRUFDM0I7QUFBQTtBQUFBO0FBQUE7QUFBQSxFQU1RLFdBQWlCO0FBQ3ZCLFFBQUksS0FBSyxPQUFRO0FBQ2pCLFVBQU0sTUFBTSxLQUFLLE1BQU0sUUFBUTtBQUMvQixRQUFJLFFBQVEsU0FBVTtBQUN0QixRQUFJLEtBQUssVUFBVSxRQUFXO0FBQzVCLFVBQUksS0FBSyxZQUFZLElBQUs7QUFDMUIsbUJBQWEsS0FBSyxLQUFLO0FBQUEsSUFDekI7QUFDQSxTQUFLLFdBQVc7QUFDaEIsU0FBSyxRQUFRLFdBQVcsS0FBSyxTQUFTLEtBQUssSUFBSSxHQUFHLE1BQU0sbUNBQVksSUFBSSxDQUFDLENBQUM7QUFBQSxFQUM1RTtBQUFBLEVBRWlCLFVBQVUsTUFBWTtBQUNyQyxTQUFLLFFBQVE7QUFDYixTQUFLLFdBQVc7QUFDaEIsUUFBSSxLQUFLLE9BQVE7QUFDakIsVUFBTSxRQUFRLG1DQUFZLElBQUksSUFBSTtBQUNsQyxVQUFNLElBQUksS0FBSztBQUNmLFdBQU8sRUFBRSxRQUFRLEtBQUssT0FBTztBQUMzQixZQUFNLElBQUksRUFBRSxJQUFJO0FBQ2hCLFlBQU0sT0FBTyxFQUFFO0FBQ2YsWUFBTSxPQUFPLEVBQUU7QUFDZixZQUFNLE1BQU0sRUFBRTtBQUNkLFlBQU0sT0FBTyxFQUFFO0FBQ2YsUUFBRSxRQUFRLENBQUM7QUFDWCxVQUFJLFNBQVMsTUFBTTtBQUVqQixZQUFJLENBQUMsS0FBSyxNQUFNO0FBQ2QsZUFBSyxPQUFPO0FBQ1osZUFBSztBQUNMLGdCQUFNLElBQUksS0FBSyxLQUFLLFFBQVEsSUFBSTtBQUNoQyxjQUFJLEtBQUssRUFBRyxNQUFLLEtBQUssT0FBTyxHQUFHLENBQUM7QUFDakMsZUFBSyxLQUFLLE1BQU0sS0FBSyxHQUFHO0FBQUEsUUFDMUI7QUFBQSxNQUNGLFdBQVcsS0FBSyxRQUFRLFFBQVE7QUFDOUIsYUFBSztBQUNMLGFBQUssR0FBRyxLQUFLLEdBQUcsRUFBRTtBQUFBLE1BQ3BCLE9BQU87QUFDTCxhQUFLO0FBQ0wsYUFBSyxPQUFPLE1BQU0sS0FBTSxJQUFJO0FBQUEsTUFDOUI7QUFBQSxJQUNGO0FBQ0EsU0FBSyxTQUFTO0FBQUEsRUFDaEI7QUFBQTtBQUFBO0FBQUE7QUFBQSxFQU1pQixRQUFRLE1BQVk7QUFDbkMsUUFBSSxLQUFLLE9BQVE7QUFDakIsVUFBTSxNQUFNLG1DQUFZLElBQUk7QUFDNUIsZUFBVyxLQUFLLEtBQUssS0FBSztBQUN4QixVQUFJLEVBQUUsU0FBUztBQUNiLFVBQUUsVUFBVTtBQUNaLFVBQUUsV0FBVztBQUFBLE1BQ2YsV0FBVyxNQUFNLEVBQUUsWUFBWSxLQUFLLGVBQWU7QUFDakQsYUFBSyxPQUFPLENBQUM7QUFBQSxNQUNmO0FBQUEsSUFDRjtBQUFBLEVBQ0Y7QUFBQSxFQUVRLE9BQU8sR0FBa0I7QUFDL0IsU0FBSyxJQUFJLE9BQU8sQ0FBQztBQUVqQixVQUFNLE9BQU8sS0FBSyxPQUFPLElBQUksRUFBRSxVQUFVO0FBQ3pDLFFBQUksU0FBUyxHQUFHO0FBQ2QsVUFBSSxFQUFFLGFBQWMsTUFBSyxPQUFPLElBQUksRUFBRSxZQUFZLEVBQUUsWUFBWTtBQUFBLFVBQzNELE1BQUssT0FBTyxPQUFPLEVBQUUsVUFBVTtBQUFBLElBQ3RDLE9BQU87QUFDTCxVQUFJLElBQUk7QUFDUixhQUFPLEtBQUssRUFBRSxpQkFBaUIsRUFBRyxLQUFJLEVBQUUsZ0JBQWdCO0FBQ3hELFVBQUksRUFBRyxHQUFFLGVBQWUsRUFBRTtBQUFBLElBQzVCO0FBQ0EsU0FBSztBQUNMLGVBQVcsS0FBSyxDQUFDLEVBQUUsSUFBSSxFQUFFLElBQUksR0FBRztBQUM5QixpQkFBVyxLQUFLLEVBQUUsTUFBTTtBQUN0QixZQUFJLENBQUMsRUFBRSxNQUFNO0FBQ1gsWUFBRSxPQUFPO0FBQ1QsZUFBSztBQUNMLGVBQUssR0FBRyxFQUFFLEdBQUcsRUFBRTtBQUFBLFFBQ2pCO0FBQUEsTUFDRjtBQUNBLFFBQUUsS0FBSyxTQUFTO0FBQUEsSUFDbEI7QUFDQSxTQUFLLEtBQUssYUFBYSxDQUFDO0FBQUEsRUFDMUI7QUFBQSxFQUVRLGFBQWEsR0FBMkI7QUFDOUMsTUFBRSxTQUFTO0FBQ1gsTUFBRSxTQUFTLFNBQVM7QUFDcEIsV0FBTyxZQUFZLEVBQUUsTUFBTTtBQUFBLEVBQzdCO0FBQUE7QUFBQSxFQUdRLFlBQVksTUFBb0Q7QUFDdEUsUUFBSSxPQUFPO0FBQ1gsUUFBSSxPQUFPO0FBQ1gsUUFBSTtBQUNGLFdBQUssa0JBQWtCLEtBQUssZUFBZTtBQUFBLElBQzdDLFNBQVMsS0FBSztBQUNaLFdBQUssY0FBYyxHQUFZO0FBQUEsSUFDakM7QUFDQSxRQUFJO0FBQ0YsV0FBSyxrQkFBa0IsS0FBSyxlQUFlO0FBQUEsSUFDN0MsU0FBUyxLQUFLO0FBQ1osV0FBSyxjQUFjLEdBQVk7QUFBQSxJQUNqQztBQUNBLFFBQUk7QUFDRixhQUFPLEtBQUssa0JBQWtCO0FBQzlCLGFBQU8sS0FBSyxrQkFBa0I7QUFBQSxJQUNoQyxTQUFTLEtBQUs7QUFDWixXQUFLLGNBQWMsR0FBWTtBQUFBLElBQ2pDO0FBQ0EsV0FBTyxFQUFFLE1BQU0sS0FBSztBQUFBLEVBQ3RCO0FBQ0Y7QUFFQSxTQUFTLFlBQVksTUFBbUM7QUFDdEQsU0FBTyxJQUFJLFFBQVEsQ0FBQyxZQUFZO0FBQzlCLFFBQUk7QUFDRixXQUFLLE1BQU0sTUFBTSxRQUFRLENBQUM7QUFBQSxJQUM1QixRQUFRO0FBQ04sY0FBUTtBQUFBLElBQ1Y7QUFBQSxFQUNGLENBQUM7QUFDSDs7O0FFaDBCQSxlQUFlLE9BQXNCO0FBQ25DLFFBQU0sTUFBTSxLQUFLLE1BQU0sUUFBUSxJQUFJLGVBQWUsSUFBSTtBQUN0RCxRQUFNLFFBQVEsTUFBTSxnQkFBZ0IsTUFBTTtBQUFBLElBQ3hDLFFBQVEsSUFBSTtBQUFBLElBQ1osTUFBTSxJQUFJLFFBQVE7QUFBQSxJQUNsQixVQUFVLElBQUk7QUFBQSxJQUNkLFlBQVksSUFBSTtBQUFBLElBQ2hCLGlCQUFpQixJQUFJO0FBQUEsSUFDckIsaUJBQWlCLElBQUk7QUFBQSxJQUNyQixlQUFlO0FBQUEsRUFDakIsQ0FBQztBQUNELFFBQU0sUUFBZ0M7QUFBQSxJQUNwQyxFQUFFLFVBQVUsR0FBRyxVQUFVLEVBQUU7QUFBQSxJQUMzQixFQUFFLFVBQVUsR0FBRyxVQUFVLEVBQUU7QUFBQSxFQUM3QjtBQUVBLFFBQU0sSUFBSTtBQUNWLFFBQU0sVUFBVSxFQUFFLFFBQVEsS0FBSyxLQUFLO0FBQ3BDLElBQUUsVUFBVSxDQUFDLE1BQU0sUUFBUTtBQUN6QixVQUFNLElBQUksTUFBTSxLQUFLLFFBQVEsSUFBSSxJQUFJLENBQUM7QUFDdEMsUUFBSSxJQUFJLFNBQVMsRUFBRSxTQUFVLEdBQUUsV0FBVyxJQUFJO0FBQzlDLFFBQUksSUFBSSxTQUFTLEtBQU0sR0FBRTtBQUN6QixZQUFRLE1BQU0sR0FBRztBQUFBLEVBQ25CO0FBQ0EsUUFBTSxLQUFLLE1BQU0sTUFBTTtBQUN2QixVQUFRLE9BQU8sRUFBRSxNQUFNLFNBQVMsTUFBTSxNQUFNLFFBQVEsRUFBRSxNQUFNLGlCQUFpQixHQUFHLGlCQUFpQixpQkFBaUIsR0FBRyxnQkFBZ0IsQ0FBQztBQUV0SSxVQUFRLEdBQUcsV0FBVyxDQUFDLE1BQVc7QUFDaEMsWUFBUSxFQUFFLE1BQU07QUFBQSxNQUNkLEtBQUs7QUFDSCxnQkFBUSxPQUFPLEVBQUUsTUFBTSxTQUFTLElBQUksRUFBRSxJQUFJLE9BQU8sTUFBTSxNQUFNLEdBQUcsT0FBTyxFQUFFLElBQUksTUFBTSxDQUFDLEdBQUcsTUFBTSxNQUFNLENBQUMsRUFBRSxFQUFFLENBQUM7QUFDekc7QUFBQSxNQUNGLEtBQUs7QUFDSCxjQUFNLGNBQWMsRUFBRSxXQUFXLEVBQUUsVUFBVTtBQUM3QyxnQkFBUSxPQUFPLEVBQUUsTUFBTSxPQUFPLElBQUksRUFBRSxHQUFHLENBQUM7QUFDeEM7QUFBQSxNQUNGLEtBQUs7QUFDSCxhQUFLLE1BQU0sTUFBTSxFQUFFLEtBQUssTUFBTTtBQUM1QixrQkFBUSxPQUFPLEVBQUUsTUFBTSxVQUFVLElBQUksRUFBRSxHQUFHLEdBQUcsTUFBTSxRQUFRLEtBQUssQ0FBQyxDQUFDO0FBQUEsUUFDcEUsQ0FBQztBQUNEO0FBQUEsSUFDSjtBQUFBLEVBQ0YsQ0FBQztBQUNELFVBQVEsR0FBRyxjQUFjLE1BQU07QUFDN0IsU0FBSyxNQUFNLE1BQU0sRUFBRSxRQUFRLE1BQU0sUUFBUSxLQUFLLENBQUMsQ0FBQztBQUFBLEVBQ2xELENBQUM7QUFDSDtBQUVBLEtBQUssRUFBRSxNQUFNLENBQUMsUUFBaUI7QUFDN0IsVUFBUSxPQUFPLE1BQU0sY0FBYyxlQUFlLFFBQVMsSUFBSSxTQUFTLElBQUksVUFBVyxPQUFPLEdBQUcsQ0FBQztBQUFBLENBQUk7QUFDdEcsVUFBUSxLQUFLLENBQUM7QUFDaEIsQ0FBQzsiLAogICJuYW1lcyI6IFtdCn0K
