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

// bench/capacityClients.ts
var dgram = __toESM(require("node:dgram"));
var import_node_crypto3 = require("node:crypto");
var import_node_perf_hooks = require("node:perf_hooks");

// src/crypto/identity.ts
var import_node_crypto = require("node:crypto");
var PUBLIC_KEY_BYTES = 32;
var DH_BINDING_CONTEXT = Buffer.from("peerchat v1 dh-binding\0", "utf8");
var SPKI_PREFIX = {
  ed25519: Buffer.from("302a300506032b6570032100", "hex"),
  x25519: Buffer.from("302a300506032b656e032100", "hex")
};
function rawPublicKey(key) {
  const publicKey = key.type === "private" ? (0, import_node_crypto.createPublicKey)(key) : key;
  const der = publicKey.export({ format: "der", type: "spki" });
  return Buffer.from(der.subarray(der.length - PUBLIC_KEY_BYTES));
}
function generateIdentity() {
  const signing = (0, import_node_crypto.generateKeyPairSync)("ed25519");
  const agreement = (0, import_node_crypto.generateKeyPairSync)("x25519");
  return {
    signPublic: rawPublicKey(signing.publicKey),
    dhPublic: rawPublicKey(agreement.publicKey),
    signPrivate: signing.privateKey,
    dhPrivate: agreement.privateKey
  };
}
var checksFileModes = process.platform !== "win32";
function signData(id, data) {
  return (0, import_node_crypto.sign)(null, data, id.signPrivate);
}

// src/protocol/errors.ts
var ERROR_CODES = [
  "NICK_TAKEN",
  "NICK_INVALID",
  "UNKNOWN_PEER",
  "NOT_REGISTERED",
  "RELAY_UNREACHABLE",
  "RELAY_FULL",
  "RELAY_SHUTDOWN",
  "BAD_SECRET",
  "BAD_SIGNATURE",
  "RATE_LIMITED",
  "MESSAGE_TOO_LONG",
  "BAD_COOKIE",
  "FILE_NOT_FOUND",
  "PATH_OUTSIDE_SHARE",
  "NOT_A_FILE",
  "NO_SHARED_FOLDER",
  "FILE_TOO_LARGE",
  "DECLINED",
  "CANCELLED",
  "HASH_MISMATCH",
  "TIMEOUT",
  "IO_ERROR",
  "PEER_LEFT",
  "PEER_KEY_CHANGED",
  "BAD_COMMAND",
  "INTERNAL"
];
function errorCodeFromWire(n) {
  return ERROR_CODES[n - 1];
}

// src/protocol/limits.ts
var PROTOCOL_VERSION = 1;
var MAGIC = 199;
var HEADER_BYTES = 12;
var DEFAULT_DATAGRAM_BYTES = 1200;
var DST_RELAY = 0;
var DST_BROADCAST = 4294967295;
var NICK_MAX_BYTES = 64;
var MAX_ERROR_MESSAGE_BYTES = 300;
var ROSTER_PAGE_BYTES = DEFAULT_DATAGRAM_BYTES - HEADER_BYTES - 16;
var COOKIE_MAC_BYTES = 16;
var MIN_HELLO_BYTES = 40;

// src/protocol/header.ts
var Kind = {
  HELLO: 1,
  COOKIE: 2,
  REGISTER: 3,
  REGISTERED: 4,
  ERROR: 5,
  PING: 6,
  PONG: 7,
  ROSTER_REQ: 8,
  ROSTER: 9,
  PRESENCE: 10,
  LEAVE: 11,
  BYE: 12,
  KEY_REQ: 13,
  KEY_INFO: 14,
  PEER_HELLO: 64,
  PEER_SEALED: 65,
  PEER_BROADCAST: 66
};
function readHeader(buf) {
  if (buf.length < HEADER_BYTES) return { ok: false, reason: "short" };
  if (buf[0] !== MAGIC) return { ok: false, reason: "magic" };
  if (buf[1] !== PROTOCOL_VERSION) return { ok: false, reason: "version" };
  return {
    ok: true,
    header: { kind: buf[2], flags: buf[3], src: buf.readUInt32BE(4), dst: buf.readUInt32BE(8) }
  };
}
function writeHeader(out, h, offset = 0) {
  out[offset] = MAGIC;
  out[offset + 1] = PROTOCOL_VERSION;
  out[offset + 2] = h.kind;
  out[offset + 3] = h.flags;
  out.writeUInt32BE(h.src >>> 0, offset + 4);
  out.writeUInt32BE(h.dst >>> 0, offset + 8);
}
function datagram(h, body = Buffer.alloc(0)) {
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  writeHeader(out, h);
  out.set(body, HEADER_BYTES);
  return out;
}

// src/protocol/bytes.ts
var Truncated = class extends Error {
  constructor() {
    super("truncated");
  }
};
var ByteReader = class {
  constructor(buf, start = 0, end = buf.length) {
    this.buf = buf;
    this.end = end;
    this.pos = start;
  }
  buf;
  end;
  pos;
  get remaining() {
    return this.end - this.pos;
  }
  get offset() {
    return this.pos;
  }
  need(n) {
    if (this.end - this.pos < n) throw new Truncated();
  }
  u8() {
    this.need(1);
    return this.buf[this.pos++];
  }
  u16() {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u32() {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  /** 64-bit unsigned, returned as a number; rejects values beyond Number.MAX_SAFE_INTEGER. */
  u64() {
    this.need(8);
    const hi = this.buf.readUInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    if (hi > 2097151) throw new Truncated();
    this.pos += 8;
    return hi * 4294967296 + lo;
  }
  bytes(n) {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  rest() {
    return this.bytes(this.remaining);
  }
  /** UTF-8 string with a u8 or u16 length prefix; rejects invalid UTF-8 and over-long strings. */
  str8(max) {
    return decodeUtf8(this.bytes(this.u8()), max);
  }
  str16(max) {
    return decodeUtf8(this.bytes(this.u16()), max);
  }
};
var utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
function decodeUtf8(b, max) {
  if (b.length > max) throw new Truncated();
  try {
    return utf8.decode(b);
  } catch {
    throw new Truncated();
  }
}
var ByteWriter = class {
  buf;
  pos = 0;
  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }
  room(n) {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  u8(v) {
    checkUint(v, 255);
    this.room(1);
    this.buf[this.pos++] = v;
    return this;
  }
  u16(v) {
    checkUint(v, 65535);
    this.room(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }
  u32(v) {
    checkUint(v, 4294967295);
    this.room(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }
  u64(v) {
    checkUint(v, Number.MAX_SAFE_INTEGER);
    this.room(8);
    this.buf.writeUInt32BE(Math.floor(v / 4294967296), this.pos);
    this.buf.writeUInt32BE(v % 4294967296, this.pos + 4);
    this.pos += 8;
    return this;
  }
  bytes(b) {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  str8(s, max) {
    const b = Buffer.from(s, "utf8");
    if (b.length > max || b.length > 255) throw new RangeError(`string longer than ${max} bytes`);
    return this.u8(b.length).bytes(b);
  }
  str16(s, max) {
    const b = Buffer.from(s, "utf8");
    if (b.length > max || b.length > 65535) throw new RangeError(`string longer than ${max} bytes`);
    return this.u16(b.length).bytes(b);
  }
  finish() {
    return this.buf.subarray(0, this.pos);
  }
};
function checkUint(v, max) {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${v} does not fit an unsigned field of max ${max}`);
}

// src/protocol/relayMessages.ts
var COOKIE_BYTES = 4 + COOKIE_MAC_BYTES;
var HELLO_TOKEN_BYTES = 8;
var KEY_BYTES = 32;
var SIGNATURE_BYTES = 64;
var SECRET_PROOF_BYTES = 16;
function encodeRelayBody(m) {
  const w = new ByteWriter(64);
  switch (m.kind) {
    case Kind.HELLO:
      w.bytes(fixed(m.token, HELLO_TOKEN_BYTES));
      w.bytes(Buffer.alloc(MIN_HELLO_BYTES - HEADER_BYTES - HELLO_TOKEN_BYTES));
      break;
    case Kind.COOKIE:
      w.bytes(fixed(m.token, HELLO_TOKEN_BYTES)).bytes(fixed(m.cookie, COOKIE_BYTES));
      break;
    case Kind.REGISTER:
      w.bytes(fixed(m.cookie, COOKIE_BYTES)).bytes(fixed(m.signPublic, KEY_BYTES)).bytes(fixed(m.dhPublic, KEY_BYTES)).bytes(fixed(m.secretProof, SECRET_PROOF_BYTES)).str8(m.nick, NICK_MAX_BYTES).bytes(fixed(m.signature, SIGNATURE_BYTES));
      break;
    case Kind.REGISTERED:
      w.u32(m.session).u32(m.rosterVersion).u32(m.keepaliveMs).u32(m.idleTimeoutMs).str8(m.nick, NICK_MAX_BYTES);
      break;
    case Kind.ERROR:
      w.u16(m.code).u8(m.refKind).u32(m.refId).str16(clip(m.message, MAX_ERROR_MESSAGE_BYTES), MAX_ERROR_MESSAGE_BYTES);
      break;
    case Kind.PING:
      w.u32(m.token);
      break;
    case Kind.PONG:
      w.u32(m.token).u32(m.rosterVersion);
      break;
    case Kind.ROSTER_REQ:
      w.u32(m.offset);
      break;
    case Kind.ROSTER:
      w.u32(m.version).u32(m.total).u32(m.offset).u16(m.entries.length);
      for (const e of m.entries) w.u32(e.id).str8(e.nick, NICK_MAX_BYTES);
      break;
    case Kind.PRESENCE:
      w.u32(m.version).u16(m.changes.length);
      for (const c of m.changes) w.u8(c.online ? 1 : 0).u32(c.id).str8(c.nick, NICK_MAX_BYTES);
      break;
    case Kind.LEAVE:
      break;
    case Kind.BYE:
      w.u16(m.code);
      break;
    case Kind.KEY_REQ:
      w.u32(m.id).str8(m.nick, NICK_MAX_BYTES);
      break;
    case Kind.KEY_INFO:
      w.u32(m.id).bytes(fixed(m.signPublic, KEY_BYTES)).bytes(fixed(m.dhPublic, KEY_BYTES)).str8(m.nick, NICK_MAX_BYTES);
      break;
  }
  return w.finish();
}
function encodeRelayMessage(m, src = 0, dst = DST_RELAY) {
  return datagram({ kind: m.kind, flags: 0, src, dst }, encodeRelayBody(m));
}
function registerSignedBytes(m) {
  const full = encodeRelayMessage({ ...m, signature: Buffer.alloc(SIGNATURE_BYTES), signed: Buffer.alloc(0) });
  return full.subarray(0, full.length - SIGNATURE_BYTES);
}
function decodeRelayMessage(buf) {
  const h = readHeader(buf);
  if (!h.ok) return { ok: false, reason: h.reason };
  const r = new ByteReader(buf, HEADER_BYTES);
  try {
    const msg = decodeBody(h.header.kind, r, buf);
    if (!msg) return { ok: false, reason: "kind" };
    if (r.remaining !== 0 && h.header.kind !== Kind.HELLO) return { ok: false, reason: "trailing" };
    return { ok: true, header: h.header, msg };
  } catch (e) {
    if (e instanceof Truncated) return { ok: false, reason: "truncated" };
    throw e;
  }
}
function decodeBody(kind, r, buf) {
  switch (kind) {
    case Kind.HELLO: {
      if (buf.length < MIN_HELLO_BYTES) throw new Truncated();
      const token = r.bytes(HELLO_TOKEN_BYTES);
      r.rest();
      return { kind, token };
    }
    case Kind.COOKIE:
      return { kind, token: r.bytes(HELLO_TOKEN_BYTES), cookie: r.bytes(COOKIE_BYTES) };
    case Kind.REGISTER: {
      const cookie = r.bytes(COOKIE_BYTES);
      const signPublic = r.bytes(KEY_BYTES);
      const dhPublic = r.bytes(KEY_BYTES);
      const secretProof2 = r.bytes(SECRET_PROOF_BYTES);
      const nick = r.str8(NICK_MAX_BYTES);
      const signedEnd = r.offset;
      const signature = r.bytes(SIGNATURE_BYTES);
      return { kind, cookie, signPublic, dhPublic, secretProof: secretProof2, nick, signature, signed: buf.subarray(0, signedEnd) };
    }
    case Kind.REGISTERED:
      return {
        kind,
        session: r.u32(),
        rosterVersion: r.u32(),
        keepaliveMs: r.u32(),
        idleTimeoutMs: r.u32(),
        nick: r.str8(NICK_MAX_BYTES)
      };
    case Kind.ERROR:
      return { kind, code: r.u16(), refKind: r.u8(), refId: r.u32(), message: r.str16(MAX_ERROR_MESSAGE_BYTES) };
    case Kind.PING:
      return { kind, token: r.u32() };
    case Kind.PONG:
      return { kind, token: r.u32(), rosterVersion: r.u32() };
    case Kind.ROSTER_REQ:
      return { kind, offset: r.u32() };
    case Kind.ROSTER: {
      const version = r.u32();
      const total = r.u32();
      const offset = r.u32();
      const n = r.u16();
      const entries = [];
      for (let i = 0; i < n; i++) entries.push({ id: r.u32(), nick: r.str8(NICK_MAX_BYTES) });
      return { kind, version, total, offset, entries };
    }
    case Kind.PRESENCE: {
      const version = r.u32();
      const n = r.u16();
      const changes = [];
      for (let i = 0; i < n; i++) {
        const online = r.u8();
        if (online > 1) throw new Truncated();
        changes.push({ online: online === 1, id: r.u32(), nick: r.str8(NICK_MAX_BYTES) });
      }
      return { kind, version, changes };
    }
    case Kind.LEAVE:
      return { kind };
    case Kind.BYE:
      return { kind, code: r.u16() };
    case Kind.KEY_REQ:
      return { kind, id: r.u32(), nick: r.str8(NICK_MAX_BYTES) };
    case Kind.KEY_INFO:
      return { kind, id: r.u32(), signPublic: r.bytes(KEY_BYTES), dhPublic: r.bytes(KEY_BYTES), nick: r.str8(NICK_MAX_BYTES) };
    default:
      return null;
  }
}
function fixed(b, n) {
  if (b.length !== n) throw new RangeError(`expected ${n} bytes, got ${b.length}`);
  return b;
}
function clip(s, max) {
  if (Buffer.byteLength(s) <= max) return s;
  let out = "";
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}

// src/relay/secretProof.ts
var import_node_crypto2 = require("node:crypto");
var INVITE_LABEL = Buffer.from("peerchat-invite", "utf8");
function secretProof(secret, cookie, signPublic) {
  return (0, import_node_crypto2.createHmac)("sha256", Buffer.from(secret, "utf8")).update(INVITE_LABEL).update(cookie).update(signPublic).digest().subarray(0, SECRET_PROOF_BYTES);
}
function noSecretProof() {
  return Buffer.alloc(SECRET_PROOF_BYTES);
}

// test/support/rawClient.ts
function registerDatagram(cookie, nick, identity, secret) {
  const signed = registerSignedBytes({
    kind: Kind.REGISTER,
    cookie,
    signPublic: identity.signPublic,
    dhPublic: identity.dhPublic,
    secretProof: secret === void 0 ? noSecretProof() : secretProof(secret, cookie, identity.signPublic),
    nick
  });
  return Buffer.concat([signed, signData(identity, signed)]);
}

// bench/capacityClients.ts
var RETRY_INITIAL_MS = 250;
var RETRY_MAX_MS = 2e3;
var identities = [];
var clients = [];
var relayPort = 0;
var keepaliveMs = 2e3;
var keepaliveTimer;
var pingToken = 1;
var byKind = new Float64Array(256);
var errorsByCode = {};
var datagramsIn = 0;
var bytesIn = 0;
var lastArrival = 0;
var regPending = 0;
var regDone = 0;
var regFailed = 0;
var regRetries = 0;
var onRegProgress = null;
var burst = null;
function ipFor(group) {
  return `127.1.${Math.floor(group / 250)}.${1 + group % 250}`;
}
function send(c, buf) {
  c.lastSend = import_node_perf_hooks.performance.now();
  c.socket.send(buf, relayPort, "127.0.0.1");
}
function sendHello(c) {
  c.state = "hello";
  c.token = (0, import_node_crypto3.randomBytes)(HELLO_TOKEN_BYTES);
  c.attempts++;
  send(c, encodeRelayMessage({ kind: Kind.HELLO, token: c.token }));
}
function finish(c, ok, error = "") {
  if (c.state === "done" || c.state === "failed") return;
  c.state = ok ? "done" : "failed";
  c.tDone = import_node_perf_hooks.performance.now();
  c.error = error;
  regPending--;
  if (ok) regDone++;
  else regFailed++;
  onRegProgress?.();
}
function onMessage(c, buf) {
  const now = import_node_perf_hooks.performance.now();
  datagramsIn++;
  bytesIn += buf.length;
  if (buf.length < HEADER_BYTES || buf[0] !== MAGIC || buf[1] !== PROTOCOL_VERSION) return;
  const kind = buf[2];
  byKind[kind]++;
  if (kind !== Kind.PONG) lastArrival = now;
  if (kind === Kind.PEER_BROADCAST) {
    const b = burst;
    if (b === null || buf.length < HEADER_BYTES + 16) return;
    const from = buf.readUInt32BE(HEADER_BYTES);
    const k = buf.readUInt32BE(HEADER_BYTES + 4);
    const sent = buf.readDoubleBE(HEADER_BYTES + 8);
    if (from >= b.senders || k >= b.perClient) {
      b.foreign++;
      return;
    }
    const slot = (c.index * b.senders + from) * b.perClient + k;
    if (b.seen[slot]) {
      b.duplicates++;
      return;
    }
    b.seen[slot] = 1;
    if (b.deliveries < b.expected) b.latencies[b.deliveries] = now - sent;
    b.deliveries++;
    b.lastArrival = now;
    if (b.deliveries === b.expected) b.onDone?.();
    return;
  }
  if (kind === Kind.ERROR) {
    const d = decodeRelayMessage(buf);
    if (d.ok && d.msg.kind === Kind.ERROR) {
      const key = `${errorCodeFromWire(d.msg.code) ?? d.msg.code} ref 0x${d.msg.refKind.toString(16)}`;
      errorsByCode[key] = (errorsByCode[key] ?? 0) + 1;
    }
  }
  if (c.state !== "hello" && c.state !== "register") return;
  if (kind === Kind.COOKIE && c.state === "hello") {
    const d = decodeRelayMessage(buf);
    if (!d.ok || d.msg.kind !== Kind.COOKIE || !d.msg.token.equals(c.token)) return;
    c.reg = registerDatagram(d.msg.cookie, c.nick, c.identity);
    c.state = "register";
    send(c, c.reg);
  } else if (kind === Kind.REGISTERED && c.state === "register") {
    const d = decodeRelayMessage(buf);
    if (!d.ok || d.msg.kind !== Kind.REGISTERED) return;
    c.session = d.msg.session;
    keepaliveMs = d.msg.keepaliveMs;
    finish(c, true);
  } else if (kind === Kind.ERROR) {
    const d = decodeRelayMessage(buf);
    if (!d.ok || d.msg.kind !== Kind.ERROR || d.msg.refKind !== Kind.REGISTER) return;
    const code = errorCodeFromWire(d.msg.code) ?? `code ${d.msg.code}`;
    if (code === "BAD_COOKIE") {
      regRetries++;
      sendHello(c);
      return;
    }
    finish(c, false, `${code}: ${d.msg.message}`);
  }
}
async function openClient(index, perIp, bufferBytes) {
  const ip = ipFor(Math.floor(index / perIp));
  const socket = dgram.createSocket("udp4");
  await new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, ip, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  if (bufferBytes > 0) {
    socket.setRecvBufferSize(bufferBytes);
    socket.setSendBufferSize(bufferBytes);
  }
  const c = {
    index,
    nick: `c${index}`,
    ip,
    socket,
    identity: identities[index % identities.length],
    state: "idle",
    session: 0,
    token: Buffer.alloc(0),
    reg: null,
    attempts: 0,
    retryMs: RETRY_INITIAL_MS,
    lastSend: 0,
    tStart: 0,
    tDone: 0,
    error: ""
  };
  socket.on("message", (buf) => onMessage(c, buf));
  socket.on("error", () => {
  });
  return c;
}
async function closeAll() {
  if (keepaliveTimer) clearInterval(keepaliveTimer);
  keepaliveTimer = void 0;
  await Promise.all(clients.map((c) => new Promise((resolve) => c.socket.close(() => resolve()))));
  clients = [];
}
function summarize(values) {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  if (n === 0) return { count: 0 };
  const pct = (p) => {
    const rank = p / 100 * (n - 1);
    const lo = Math.floor(rank);
    const hi = Math.ceil(rank);
    return s[lo] + (s[hi] - s[lo]) * (rank - lo);
  };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i];
  const r3 = (x) => Math.round(x * 1e3) / 1e3;
  return { count: n, min: r3(s[0]), mean: r3(sum / n), p50: r3(pct(50)), p90: r3(pct(90)), p99: r3(pct(99)), p999: r3(pct(99.9)), max: r3(s[n - 1]) };
}
function kindCounts() {
  const names = {};
  for (const [k, v] of Object.entries(Kind)) names[v] = k;
  const out = {};
  byKind.forEach((n, k) => {
    if (n > 0) out[names[k] ?? `0x${k.toString(16)}`] = n;
  });
  return out;
}
async function register(req) {
  await closeAll();
  relayPort = req.relayPort;
  byKind.fill(0);
  errorsByCode = {};
  datagramsIn = 0;
  bytesIn = 0;
  regPending = 0;
  regDone = 0;
  regFailed = 0;
  regRetries = 0;
  const tOpen = import_node_perf_hooks.performance.now();
  for (let i = 0; i < req.count; i += 500) {
    const batch = [];
    for (let j = i; j < Math.min(req.count, i + 500); j++) batch.push(openClient(j, req.perIp, req.bufferBytes));
    clients.push(...await Promise.all(batch));
  }
  const openMs = import_node_perf_hooks.performance.now() - tOpen;
  const t0 = import_node_perf_hooks.performance.now();
  let next = 0;
  const startMore = () => {
    while (regPending < req.window && next < clients.length) {
      const c = clients[next++];
      regPending++;
      c.tStart = import_node_perf_hooks.performance.now();
      sendHello(c);
    }
  };
  const retry = setInterval(() => {
    const now = import_node_perf_hooks.performance.now();
    for (const c of clients) {
      if (c.state !== "hello" && c.state !== "register" || now - c.lastSend < c.retryMs) continue;
      c.retryMs = Math.min(c.retryMs * 2, RETRY_MAX_MS);
      regRetries++;
      if (c.state === "hello" || c.retryMs >= RETRY_MAX_MS) sendHello(c);
      else send(c, c.reg);
    }
    startMore();
  }, 50);
  await new Promise((resolve) => {
    const timer = setTimeout(() => {
      for (const c of clients) if (c.state === "hello" || c.state === "register") finish(c, false, `TIMEOUT: not registered within ${req.timeoutMs} ms`);
      resolve();
    }, req.timeoutMs);
    onRegProgress = () => {
      startMore();
      if (regDone + regFailed === clients.length) {
        clearTimeout(timer);
        resolve();
      }
    };
    startMore();
  });
  onRegProgress = null;
  clearInterval(retry);
  const ms = import_node_perf_hooks.performance.now() - t0;
  const tick = 100;
  let cursor = 0;
  keepaliveTimer = setInterval(() => {
    const per = Math.ceil(clients.length * tick / Math.max(tick, keepaliveMs * 0.8));
    for (let n = 0; n < per && clients.length > 0; n++) {
      const c = clients[cursor++ % clients.length];
      if (c.state === "done") send(c, encodeRelayMessage({ kind: Kind.PING, token: pingToken++ >>> 0 }, c.session));
    }
  }, tick);
  const lat = clients.filter((c) => c.state === "done").map((c) => c.tDone - c.tStart);
  const errors = {};
  for (const c of clients) if (c.state !== "done") errors[c.error || c.state] = (errors[c.error || c.state] ?? 0) + 1;
  return {
    type: "register",
    count: clients.length,
    addresses: Math.ceil(clients.length / req.perIp),
    openSocketsMs: Math.round(openMs),
    ms: Math.round(ms * 10) / 10,
    registered: regDone,
    failed: regFailed,
    unfinished: clients.length - regDone - regFailed,
    retries: regRetries,
    registrationsPerSec: Math.round(regDone / (ms / 1e3)),
    latencyMs: summarize(lat),
    errors,
    keepaliveMs,
    datagramsIn,
    bytesIn,
    byKind: kindCounts(),
    errorsReceived: errorsByCode,
    clientRssBytes: process.memoryUsage().rss
  };
}
async function quiet(quietMs, timeoutMs) {
  const t0 = import_node_perf_hooks.performance.now();
  const inBefore = datagramsIn;
  for (; ; ) {
    const now = import_node_perf_hooks.performance.now();
    if (now - lastArrival >= quietMs) break;
    if (now - t0 > timeoutMs) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { type: "quiet", waitedMs: Math.round(import_node_perf_hooks.performance.now() - t0), datagramsMeanwhile: datagramsIn - inBefore, byKind: kindCounts() };
}
async function runBurst(senders, perClient, datagramBytes, timeoutMs) {
  const room = clients.filter((c) => c.state === "done");
  if (room.length !== clients.length) throw new Error(`only ${room.length}/${clients.length} clients are registered`);
  const n = clients.length;
  const s = Math.min(senders, n);
  const expected = s * perClient * (n - 1);
  const b = {
    senders: s,
    perClient,
    expected,
    deliveries: 0,
    duplicates: 0,
    foreign: 0,
    latencies: new Float64Array(expected),
    seen: new Uint8Array(n * s * perClient),
    lastArrival: 0,
    onDone: null
  };
  burst = b;
  const size = Math.max(HEADER_BYTES + 16, datagramBytes);
  const bufs = [];
  for (let i = 0; i < s; i++) {
    for (let k = 0; k < perClient; k++) {
      const buf = Buffer.alloc(size, 32);
      buf[0] = MAGIC;
      buf[1] = PROTOCOL_VERSION;
      buf[2] = Kind.PEER_BROADCAST;
      buf[3] = 0;
      buf.writeUInt32BE(clients[i].session >>> 0, 4);
      buf.writeUInt32BE(DST_BROADCAST >>> 0, 8);
      buf.writeUInt32BE(i, HEADER_BYTES);
      buf.writeUInt32BE(k, HEADER_BYTES + 4);
      bufs.push(buf);
    }
  }
  const kinds0 = kindCounts();
  errorsByCode = {};
  const cpu0 = process.cpuUsage();
  const t0 = import_node_perf_hooks.performance.now();
  for (let i = 0; i < s; i++) {
    const c = clients[i];
    for (let k = 0; k < perClient; k++) {
      const buf = bufs[i * perClient + k];
      buf.writeDoubleBE(import_node_perf_hooks.performance.now(), HEADER_BYTES + 8);
      c.socket.send(buf, relayPort, "127.0.0.1");
    }
  }
  const tSent = import_node_perf_hooks.performance.now();
  const outcome = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve("timeout"), timeoutMs);
    const idle = setInterval(() => {
      if (import_node_perf_hooks.performance.now() - Math.max(b.lastArrival, tSent) > 3e3) {
        clearInterval(idle);
        clearTimeout(timer);
        resolve("timeout");
      }
    }, 100);
    b.onDone = () => {
      clearTimeout(timer);
      clearInterval(idle);
      resolve("done");
    };
    if (b.deliveries === expected) b.onDone();
  });
  const cpu = process.cpuUsage(cpu0);
  burst = null;
  const durationMs = (b.lastArrival || import_node_perf_hooks.performance.now()) - t0;
  return {
    type: "burst",
    clients: n,
    senders: s,
    perClient,
    datagramBytes: size,
    outcome,
    expected,
    deliveries: b.deliveries,
    missing: expected - b.deliveries,
    duplicates: b.duplicates,
    foreign: b.foreign,
    sendSpreadMs: Math.round((tSent - t0) * 1e3) / 1e3,
    durationMs: Math.round(durationMs * 1e3) / 1e3,
    deliveriesPerSec: Math.round(b.deliveries / (durationMs / 1e3)),
    latencyMs: summarize(b.latencies.subarray(0, Math.min(b.deliveries, expected))),
    clientCpuMs: { user: Math.round(cpu.user / 1e3), system: Math.round(cpu.system / 1e3) },
    datagramsByKind: Object.fromEntries(Object.entries(kindCounts()).map(([k, v]) => [k, v - (kinds0[k] ?? 0)])),
    errorsReceived: errorsByCode
  };
}
async function handle(m) {
  switch (m.type) {
    case "init": {
      const t0 = import_node_perf_hooks.performance.now();
      identities = [];
      for (let i = 0; i < m.identities; i++) identities.push(generateIdentity());
      return { type: "init", ms: Math.round(import_node_perf_hooks.performance.now() - t0) };
    }
    case "register":
      return register(m);
    case "quiet":
      return quiet(m.quietMs, m.timeoutMs);
    case "burst":
      return runBurst(m.senders, m.perClient, m.datagramBytes, m.timeoutMs);
    case "close":
      await closeAll();
      return { type: "close" };
  }
}
process.on("message", (m) => {
  handle(m).then(
    (r) => process.send?.(r),
    (err) => process.send?.({ type: "error", error: err instanceof Error ? err.stack ?? err.message : String(err) })
  );
});
process.on("disconnect", () => process.exit(0));
process.send?.({ type: "ready" });
//# sourceMappingURL=data:application/json;base64,ewogICJ2ZXJzaW9uIjogMywKICAic291cmNlcyI6IFsiLi4vY2FwYWNpdHlDbGllbnRzLnRzIiwgIi4uLy4uL3NyYy9jcnlwdG8vaWRlbnRpdHkudHMiLCAiLi4vLi4vc3JjL3Byb3RvY29sL2Vycm9ycy50cyIsICIuLi8uLi9zcmMvcHJvdG9jb2wvbGltaXRzLnRzIiwgIi4uLy4uL3NyYy9wcm90b2NvbC9oZWFkZXIudHMiLCAiLi4vLi4vc3JjL3Byb3RvY29sL2J5dGVzLnRzIiwgIi4uLy4uL3NyYy9wcm90b2NvbC9yZWxheU1lc3NhZ2VzLnRzIiwgIi4uLy4uL3NyYy9yZWxheS9zZWNyZXRQcm9vZi50cyIsICIuLi8uLi90ZXN0L3N1cHBvcnQvcmF3Q2xpZW50LnRzIl0sCiAgInNvdXJjZXNDb250ZW50IjogWyIvKipcbiAqIFRob3VzYW5kcyBvZiBsaWdodHdlaWdodCBwcm90b2NvbCBjbGllbnRzIGluIG9uZSBwcm9jZXNzLCBmb3IgYmVuY2gvcmVsYXlDYXBhY2l0eS5tanMgKGZvcmtlZFxuICogYWZ0ZXIgYmVpbmcgYnVuZGxlZCB3aXRoIGVzYnVpbGQgaW50byBiZW5jaC8uYnVpbGQvY2FwYWNpdHlDbGllbnRzLmNqcykuIE5vIHJlbGlhYmlsaXR5IGxheWVyLFxuICogbm8gY3J5cHRvIGJleW9uZCBzaWduaW5nIFJFR0lTVEVSICh0ZXN0L3N1cHBvcnQvcmF3Q2xpZW50LnRzIGByZWdpc3RlckRhdGFncmFtYCkuXG4gKlxuICogRWFjaCBjbGllbnQgaGFzIGl0cyBvd24gVURQIHNvY2tldC4gQ2xpZW50cyBhcmUgc3ByZWFkIG92ZXIgc291cmNlIGFkZHJlc3NlcyAxMjcuMS54LnksXG4gKiBgcGVySXBgIHBlciBhZGRyZXNzIChyZWxheUNhcGFjaXR5Lm1qcyB1c2VzIDEwOyBhbGwgb2YgMTI3LzggaXMgbG9vcGJhY2sgb24gTGludXgpOiB0aGUgcmVsYXlcbiAqIGxpbWl0cyB1bnJlZ2lzdGVyZWQgdHJhZmZpYyAoSEVMTE8sIFJFR0lTVEVSKSBwZXIgc291cmNlIElQIChVTlJFR0lTVEVSRURfUkFURV8qOiA1MC9zLCBidXJzdFxuICogMTAwKSBhbmQgdGhlIGJ1aWx0IHJlbGF5IGhhcyBubyBvcHRpb24gdG8gcmFpc2UgdGhhdCwgc28gMTAsMDAwIGNsaWVudHMgb24gb25lIElQIHdvdWxkIG5lZWRcbiAqIH40MDAgcyB0byByZWdpc3Rlci4gMTAgcGVyIGFkZHJlc3Mga2VlcHMgZXZlcnkgcmVnaXN0cmF0aW9uLCByZXRyaWVzIGluY2x1ZGVkLCBpbiB0aGUgYnVyc3QuXG4gKiBSZXRyaWVzIGZvbGxvdyByZWxheUNvbm5lY3Rpb24udHM6IDI1MCBtcyBkb3VibGluZyB0byAyIHMsIEhFTExPIGFnYWluIGF0IHRoZSBtYXhpbXVtLlxuICpcbiAqIElQQyAocHJvY2Vzcy5zZW5kKSwgb25lIHJlcXVlc3QgYXQgYSB0aW1lOlxuICogICBcdTIxOTAgeyB0eXBlOiAnaW5pdCcsIGlkZW50aXRpZXMgfSAgICAgICAgICAgXHUyMTkyIHsgdHlwZTogJ2luaXQnLCBtcyB9ICAoRWQyNTUxOS9YMjU1MTkga2V5IHBvb2wpXG4gKiAgIFx1MjE5MCB7IHR5cGU6ICdyZWdpc3RlcicsIHJlbGF5UG9ydCwgY291bnQsIHBlcklwLCB3aW5kb3csIGJ1ZmZlckJ5dGVzLCB0aW1lb3V0TXMgfVxuICogICAgICAgIGNsb3NlcyBlYXJsaWVyIGNsaWVudHMsIG9wZW5zIGBjb3VudGAgc29ja2V0cywgcmVnaXN0ZXJzIHRoZW0gKGF0IG1vc3QgYHdpbmRvd2AgYXQgYVxuICogICAgICAgIHRpbWUpIGFuZCBrZWVwcyB0aGVtIGFsaXZlIHdpdGggUElOR3MgZXZlcnkga2VlcGFsaXZlTXMgXHUyMTkyIHsgdHlwZTogJ3JlZ2lzdGVyJywgLi4uIH1cbiAqICAgXHUyMTkwIHsgdHlwZTogJ3F1aWV0JywgcXVpZXRNcywgdGltZW91dE1zIH0gICB3YWl0cyB1bnRpbCBub3RoaW5nIGJ1dCBQT05HcyBhcnJpdmVkIGZvciBxdWlldE1zXG4gKiAgIFx1MjE5MCB7IHR5cGU6ICdidXJzdCcsIHNlbmRlcnMsIHBlckNsaWVudCwgZGF0YWdyYW1CeXRlcywgdGltZW91dE1zIH1cbiAqICAgICAgICB0aGUgZmlyc3QgYHNlbmRlcnNgIGNsaWVudHMgZWFjaCBzZW5kIGBwZXJDbGllbnRgIFBFRVJfQlJPQURDQVNUIGRhdGFncmFtcywgb25lIGNsaWVudFxuICogICAgICAgIGFmdGVyIGFub3RoZXIgaW4gb25lIHN5bmNocm9ub3VzIGxvb3A7IGV2ZXJ5IGNsaWVudCByZWNvcmRzIGVhY2ggYXJyaXZhbCBcdTIxOTIgeyB0eXBlOiAnYnVyc3QnLCAuLi4gfVxuICogICBcdTIxOTAgeyB0eXBlOiAnY2xvc2UnIH0gXHUyMTkyIHsgdHlwZTogJ2Nsb3NlJyB9XG4gKlxuICogQnJvYWRjYXN0IGJvZHksIGluIGNsZWFyIGFmdGVyIHRoZSAxMi1ieXRlIGhlYWRlcjogdTMyIHNlbmRlciBpbmRleCwgdTMyIG1lc3NhZ2UgaW5kZXgsXG4gKiBmNjQgc2VuZCB0aW1lIChwZXJmb3JtYW5jZS5ub3coKSwgbXM7IHNlbmRlciBhbmQgcmVjZWl2ZXJzIGFyZSB0aGlzIG9uZSBwcm9jZXNzKSwgcGFkZGluZy5cbiAqL1xuaW1wb3J0ICogYXMgZGdyYW0gZnJvbSAnbm9kZTpkZ3JhbSc7XG5pbXBvcnQgeyByYW5kb21CeXRlcyB9IGZyb20gJ25vZGU6Y3J5cHRvJztcbmltcG9ydCB7IHBlcmZvcm1hbmNlIH0gZnJvbSAnbm9kZTpwZXJmX2hvb2tzJztcbmltcG9ydCB7IGdlbmVyYXRlSWRlbnRpdHksIElkZW50aXR5IH0gZnJvbSAnLi4vc3JjL2NyeXB0by9pZGVudGl0eSc7XG5pbXBvcnQgeyBlcnJvckNvZGVGcm9tV2lyZSB9IGZyb20gJy4uL3NyYy9wcm90b2NvbC9lcnJvcnMnO1xuaW1wb3J0IHsgS2luZCB9IGZyb20gJy4uL3NyYy9wcm90b2NvbC9oZWFkZXInO1xuaW1wb3J0IHsgRFNUX0JST0FEQ0FTVCwgSEVBREVSX0JZVEVTLCBNQUdJQywgUFJPVE9DT0xfVkVSU0lPTiB9IGZyb20gJy4uL3NyYy9wcm90b2NvbC9saW1pdHMnO1xuaW1wb3J0IHsgZGVjb2RlUmVsYXlNZXNzYWdlLCBlbmNvZGVSZWxheU1lc3NhZ2UsIEhFTExPX1RPS0VOX0JZVEVTIH0gZnJvbSAnLi4vc3JjL3Byb3RvY29sL3JlbGF5TWVzc2FnZXMnO1xuaW1wb3J0IHsgcmVnaXN0ZXJEYXRhZ3JhbSB9IGZyb20gJy4uL3Rlc3Qvc3VwcG9ydC9yYXdDbGllbnQnO1xuXG50eXBlIFN0YXRlID0gJ2lkbGUnIHwgJ2hlbGxvJyB8ICdyZWdpc3RlcicgfCAnZG9uZScgfCAnZmFpbGVkJztcblxuaW50ZXJmYWNlIENsaWVudCB7XG4gIGluZGV4OiBudW1iZXI7XG4gIG5pY2s6IHN0cmluZztcbiAgaXA6IHN0cmluZztcbiAgc29ja2V0OiBkZ3JhbS5Tb2NrZXQ7XG4gIGlkZW50aXR5OiBJZGVudGl0eTtcbiAgc3RhdGU6IFN0YXRlO1xuICBzZXNzaW9uOiBudW1iZXI7XG4gIHRva2VuOiBCdWZmZXI7XG4gIHJlZzogQnVmZmVyIHwgbnVsbDtcbiAgYXR0ZW1wdHM6IG51bWJlcjtcbiAgcmV0cnlNczogbnVtYmVyO1xuICBsYXN0U2VuZDogbnVtYmVyO1xuICB0U3RhcnQ6IG51bWJlcjtcbiAgdERvbmU6IG51bWJlcjtcbiAgZXJyb3I6IHN0cmluZztcbn1cblxuaW50ZXJmYWNlIFJlZ2lzdGVyUmVxIHtcbiAgdHlwZTogJ3JlZ2lzdGVyJztcbiAgcmVsYXlQb3J0OiBudW1iZXI7XG4gIGNvdW50OiBudW1iZXI7XG4gIHBlcklwOiBudW1iZXI7XG4gIHdpbmRvdzogbnVtYmVyO1xuICBidWZmZXJCeXRlczogbnVtYmVyO1xuICB0aW1lb3V0TXM6IG51bWJlcjtcbn1cblxudHlwZSBSZXEgPVxuICB8IHsgdHlwZTogJ2luaXQnOyBpZGVudGl0aWVzOiBudW1iZXIgfVxuICB8IFJlZ2lzdGVyUmVxXG4gIHwgeyB0eXBlOiAncXVpZXQnOyBxdWlldE1zOiBudW1iZXI7IHRpbWVvdXRNczogbnVtYmVyIH1cbiAgfCB7IHR5cGU6ICdidXJzdCc7IHNlbmRlcnM6IG51bWJlcjsgcGVyQ2xpZW50OiBudW1iZXI7IGRhdGFncmFtQnl0ZXM6IG51bWJlcjsgdGltZW91dE1zOiBudW1iZXIgfVxuICB8IHsgdHlwZTogJ2Nsb3NlJyB9O1xuXG4vKiogUmUtc2VuZCBIRUxMTy9SRUdJU1RFUiBhZnRlciB0aGlzIGxvbmcgd2l0aG91dCBhbiBhbnN3ZXIsIGRvdWJsaW5nIHVwIHRvIFJFVFJZX01BWF9NUyAoYXMgcmVsYXlDb25uZWN0aW9uLnRzIGRvZXMpLiAqL1xuY29uc3QgUkVUUllfSU5JVElBTF9NUyA9IDI1MDtcbmNvbnN0IFJFVFJZX01BWF9NUyA9IDIwMDA7XG5cbmxldCBpZGVudGl0aWVzOiBJZGVudGl0eVtdID0gW107XG5sZXQgY2xpZW50czogQ2xpZW50W10gPSBbXTtcbmxldCByZWxheVBvcnQgPSAwO1xubGV0IGtlZXBhbGl2ZU1zID0gMjAwMDtcbmxldCBrZWVwYWxpdmVUaW1lcjogTm9kZUpTLlRpbWVvdXQgfCB1bmRlZmluZWQ7XG5sZXQgcGluZ1Rva2VuID0gMTtcbmNvbnN0IGJ5S2luZCA9IG5ldyBGbG9hdDY0QXJyYXkoMjU2KTtcbi8qKiBFUlJPUiBkYXRhZ3JhbXMgcmVjZWl2ZWQsIGJ5IFwiQ09ERSByZWYgS0lORFwiLiAqL1xubGV0IGVycm9yc0J5Q29kZTogUmVjb3JkPHN0cmluZywgbnVtYmVyPiA9IHt9O1xubGV0IGRhdGFncmFtc0luID0gMDtcbmxldCBieXRlc0luID0gMDtcbi8qKiBMYXN0IGFycml2YWwgb2YgYW55dGhpbmcgYnV0IGEgUE9ORyAocGVyZm9ybWFuY2Uubm93KCkpLiAqL1xubGV0IGxhc3RBcnJpdmFsID0gMDtcblxuLy8gUmVnaXN0cmF0aW9uIGJvb2trZWVwaW5nLlxubGV0IHJlZ1BlbmRpbmcgPSAwO1xubGV0IHJlZ0RvbmUgPSAwO1xubGV0IHJlZ0ZhaWxlZCA9IDA7XG5sZXQgcmVnUmV0cmllcyA9IDA7XG5sZXQgb25SZWdQcm9ncmVzczogKCgpID0+IHZvaWQpIHwgbnVsbCA9IG51bGw7XG5cbi8vIEJ1cnN0IGJvb2trZWVwaW5nLlxuaW50ZXJmYWNlIEJ1cnN0IHtcbiAgc2VuZGVyczogbnVtYmVyO1xuICBwZXJDbGllbnQ6IG51bWJlcjtcbiAgZXhwZWN0ZWQ6IG51bWJlcjtcbiAgZGVsaXZlcmllczogbnVtYmVyO1xuICBkdXBsaWNhdGVzOiBudW1iZXI7XG4gIGZvcmVpZ246IG51bWJlcjtcbiAgbGF0ZW5jaWVzOiBGbG9hdDY0QXJyYXk7XG4gIHNlZW46IFVpbnQ4QXJyYXk7XG4gIGxhc3RBcnJpdmFsOiBudW1iZXI7XG4gIG9uRG9uZTogKCgpID0+IHZvaWQpIHwgbnVsbDtcbn1cbmxldCBidXJzdDogQnVyc3QgfCBudWxsID0gbnVsbDtcblxuZnVuY3Rpb24gaXBGb3IoZ3JvdXA6IG51bWJlcik6IHN0cmluZyB7XG4gIHJldHVybiBgMTI3LjEuJHtNYXRoLmZsb29yKGdyb3VwIC8gMjUwKX0uJHsxICsgKGdyb3VwICUgMjUwKX1gO1xufVxuXG5mdW5jdGlvbiBzZW5kKGM6IENsaWVudCwgYnVmOiBCdWZmZXIpOiB2b2lkIHtcbiAgYy5sYXN0U2VuZCA9IHBlcmZvcm1hbmNlLm5vdygpO1xuICBjLnNvY2tldC5zZW5kKGJ1ZiwgcmVsYXlQb3J0LCAnMTI3LjAuMC4xJyk7XG59XG5cbmZ1bmN0aW9uIHNlbmRIZWxsbyhjOiBDbGllbnQpOiB2b2lkIHtcbiAgYy5zdGF0ZSA9ICdoZWxsbyc7XG4gIGMudG9rZW4gPSByYW5kb21CeXRlcyhIRUxMT19UT0tFTl9CWVRFUyk7XG4gIGMuYXR0ZW1wdHMrKztcbiAgc2VuZChjLCBlbmNvZGVSZWxheU1lc3NhZ2UoeyBraW5kOiBLaW5kLkhFTExPLCB0b2tlbjogYy50b2tlbiB9KSk7XG59XG5cbmZ1bmN0aW9uIGZpbmlzaChjOiBDbGllbnQsIG9rOiBib29sZWFuLCBlcnJvciA9ICcnKTogdm9pZCB7XG4gIGlmIChjLnN0YXRlID09PSAnZG9uZScgfHwgYy5zdGF0ZSA9PT0gJ2ZhaWxlZCcpIHJldHVybjtcbiAgYy5zdGF0ZSA9IG9rID8gJ2RvbmUnIDogJ2ZhaWxlZCc7XG4gIGMudERvbmUgPSBwZXJmb3JtYW5jZS5ub3coKTtcbiAgYy5lcnJvciA9IGVycm9yO1xuICByZWdQZW5kaW5nLS07XG4gIGlmIChvaykgcmVnRG9uZSsrO1xuICBlbHNlIHJlZ0ZhaWxlZCsrO1xuICBvblJlZ1Byb2dyZXNzPy4oKTtcbn1cblxuZnVuY3Rpb24gb25NZXNzYWdlKGM6IENsaWVudCwgYnVmOiBCdWZmZXIpOiB2b2lkIHtcbiAgY29uc3Qgbm93ID0gcGVyZm9ybWFuY2Uubm93KCk7XG4gIGRhdGFncmFtc0luKys7XG4gIGJ5dGVzSW4gKz0gYnVmLmxlbmd0aDtcbiAgaWYgKGJ1Zi5sZW5ndGggPCBIRUFERVJfQllURVMgfHwgYnVmWzBdICE9PSBNQUdJQyB8fCBidWZbMV0gIT09IFBST1RPQ09MX1ZFUlNJT04pIHJldHVybjtcbiAgY29uc3Qga2luZCA9IGJ1ZlsyXTtcbiAgYnlLaW5kW2tpbmRdKys7XG4gIC8vIFBPTkdzIGFuc3dlciBvdXIgb3duIGtlZXBhbGl2ZXMgYW5kIG5ldmVyIHN0b3A6IFwicXVpZXRcIiBtZWFucyBub3RoaW5nIGVsc2UgYXJyaXZlcy5cbiAgaWYgKGtpbmQgIT09IEtpbmQuUE9ORykgbGFzdEFycml2YWwgPSBub3c7XG4gIGlmIChraW5kID09PSBLaW5kLlBFRVJfQlJPQURDQVNUKSB7XG4gICAgY29uc3QgYiA9IGJ1cnN0O1xuICAgIGlmIChiID09PSBudWxsIHx8IGJ1Zi5sZW5ndGggPCBIRUFERVJfQllURVMgKyAxNikgcmV0dXJuO1xuICAgIGNvbnN0IGZyb20gPSBidWYucmVhZFVJbnQzMkJFKEhFQURFUl9CWVRFUyk7XG4gICAgY29uc3QgayA9IGJ1Zi5yZWFkVUludDMyQkUoSEVBREVSX0JZVEVTICsgNCk7XG4gICAgY29uc3Qgc2VudCA9IGJ1Zi5yZWFkRG91YmxlQkUoSEVBREVSX0JZVEVTICsgOCk7XG4gICAgaWYgKGZyb20gPj0gYi5zZW5kZXJzIHx8IGsgPj0gYi5wZXJDbGllbnQpIHtcbiAgICAgIGIuZm9yZWlnbisrO1xuICAgICAgcmV0dXJuO1xuICAgIH1cbiAgICBjb25zdCBzbG90ID0gKGMuaW5kZXggKiBiLnNlbmRlcnMgKyBmcm9tKSAqIGIucGVyQ2xpZW50ICsgaztcbiAgICBpZiAoYi5zZWVuW3Nsb3RdKSB7XG4gICAgICBiLmR1cGxpY2F0ZXMrKztcbiAgICAgIHJldHVybjtcbiAgICB9XG4gICAgYi5zZWVuW3Nsb3RdID0gMTtcbiAgICBpZiAoYi5kZWxpdmVyaWVzIDwgYi5leHBlY3RlZCkgYi5sYXRlbmNpZXNbYi5kZWxpdmVyaWVzXSA9IG5vdyAtIHNlbnQ7XG4gICAgYi5kZWxpdmVyaWVzKys7XG4gICAgYi5sYXN0QXJyaXZhbCA9IG5vdztcbiAgICBpZiAoYi5kZWxpdmVyaWVzID09PSBiLmV4cGVjdGVkKSBiLm9uRG9uZT8uKCk7XG4gICAgcmV0dXJuO1xuICB9XG4gIGlmIChraW5kID09PSBLaW5kLkVSUk9SKSB7XG4gICAgY29uc3QgZCA9IGRlY29kZVJlbGF5TWVzc2FnZShidWYpO1xuICAgIGlmIChkLm9rICYmIGQubXNnLmtpbmQgPT09IEtpbmQuRVJST1IpIHtcbiAgICAgIGNvbnN0IGtleSA9IGAke2Vycm9yQ29kZUZyb21XaXJlKGQubXNnLmNvZGUpID8/IGQubXNnLmNvZGV9IHJlZiAweCR7ZC5tc2cucmVmS2luZC50b1N0cmluZygxNil9YDtcbiAgICAgIGVycm9yc0J5Q29kZVtrZXldID0gKGVycm9yc0J5Q29kZVtrZXldID8/IDApICsgMTtcbiAgICB9XG4gIH1cbiAgaWYgKGMuc3RhdGUgIT09ICdoZWxsbycgJiYgYy5zdGF0ZSAhPT0gJ3JlZ2lzdGVyJykgcmV0dXJuO1xuICBpZiAoa2luZCA9PT0gS2luZC5DT09LSUUgJiYgYy5zdGF0ZSA9PT0gJ2hlbGxvJykge1xuICAgIGNvbnN0IGQgPSBkZWNvZGVSZWxheU1lc3NhZ2UoYnVmKTtcbiAgICBpZiAoIWQub2sgfHwgZC5tc2cua2luZCAhPT0gS2luZC5DT09LSUUgfHwgIWQubXNnLnRva2VuLmVxdWFscyhjLnRva2VuKSkgcmV0dXJuO1xuICAgIGMucmVnID0gcmVnaXN0ZXJEYXRhZ3JhbShkLm1zZy5jb29raWUsIGMubmljaywgYy5pZGVudGl0eSk7XG4gICAgYy5zdGF0ZSA9ICdyZWdpc3Rlcic7XG4gICAgc2VuZChjLCBjLnJlZyk7XG4gIH0gZWxzZSBpZiAoa2luZCA9PT0gS2luZC5SRUdJU1RFUkVEICYmIGMuc3RhdGUgPT09ICdyZWdpc3RlcicpIHtcbiAgICBjb25zdCBkID0gZGVjb2RlUmVsYXlNZXNzYWdlKGJ1Zik7XG4gICAgaWYgKCFkLm9rIHx8IGQubXNnLmtpbmQgIT09IEtpbmQuUkVHSVNURVJFRCkgcmV0dXJuO1xuICAgIGMuc2Vzc2lvbiA9IGQubXNnLnNlc3Npb247XG4gICAga2VlcGFsaXZlTXMgPSBkLm1zZy5rZWVwYWxpdmVNcztcbiAgICBmaW5pc2goYywgdHJ1ZSk7XG4gIH0gZWxzZSBpZiAoa2luZCA9PT0gS2luZC5FUlJPUikge1xuICAgIGNvbnN0IGQgPSBkZWNvZGVSZWxheU1lc3NhZ2UoYnVmKTtcbiAgICBpZiAoIWQub2sgfHwgZC5tc2cua2luZCAhPT0gS2luZC5FUlJPUiB8fCBkLm1zZy5yZWZLaW5kICE9PSBLaW5kLlJFR0lTVEVSKSByZXR1cm47XG4gICAgY29uc3QgY29kZSA9IGVycm9yQ29kZUZyb21XaXJlKGQubXNnLmNvZGUpID8/IGBjb2RlICR7ZC5tc2cuY29kZX1gO1xuICAgIGlmIChjb2RlID09PSAnQkFEX0NPT0tJRScpIHtcbiAgICAgIHJlZ1JldHJpZXMrKztcbiAgICAgIHNlbmRIZWxsbyhjKTtcbiAgICAgIHJldHVybjtcbiAgICB9XG4gICAgZmluaXNoKGMsIGZhbHNlLCBgJHtjb2RlfTogJHtkLm1zZy5tZXNzYWdlfWApO1xuICB9XG59XG5cbmFzeW5jIGZ1bmN0aW9uIG9wZW5DbGllbnQoaW5kZXg6IG51bWJlciwgcGVySXA6IG51bWJlciwgYnVmZmVyQnl0ZXM6IG51bWJlcik6IFByb21pc2U8Q2xpZW50PiB7XG4gIGNvbnN0IGlwID0gaXBGb3IoTWF0aC5mbG9vcihpbmRleCAvIHBlcklwKSk7XG4gIGNvbnN0IHNvY2tldCA9IGRncmFtLmNyZWF0ZVNvY2tldCgndWRwNCcpO1xuICBhd2FpdCBuZXcgUHJvbWlzZTx2b2lkPigocmVzb2x2ZSwgcmVqZWN0KSA9PiB7XG4gICAgc29ja2V0Lm9uY2UoJ2Vycm9yJywgcmVqZWN0KTtcbiAgICBzb2NrZXQuYmluZCgwLCBpcCwgKCkgPT4ge1xuICAgICAgc29ja2V0Lm9mZignZXJyb3InLCByZWplY3QpO1xuICAgICAgcmVzb2x2ZSgpO1xuICAgIH0pO1xuICB9KTtcbiAgaWYgKGJ1ZmZlckJ5dGVzID4gMCkge1xuICAgIHNvY2tldC5zZXRSZWN2QnVmZmVyU2l6ZShidWZmZXJCeXRlcyk7XG4gICAgc29ja2V0LnNldFNlbmRCdWZmZXJTaXplKGJ1ZmZlckJ5dGVzKTtcbiAgfVxuICBjb25zdCBjOiBDbGllbnQgPSB7XG4gICAgaW5kZXgsXG4gICAgbmljazogYGMke2luZGV4fWAsXG4gICAgaXAsXG4gICAgc29ja2V0LFxuICAgIGlkZW50aXR5OiBpZGVudGl0aWVzW2luZGV4ICUgaWRlbnRpdGllcy5sZW5ndGhdISxcbiAgICBzdGF0ZTogJ2lkbGUnLFxuICAgIHNlc3Npb246IDAsXG4gICAgdG9rZW46IEJ1ZmZlci5hbGxvYygwKSxcbiAgICByZWc6IG51bGwsXG4gICAgYXR0ZW1wdHM6IDAsXG4gICAgcmV0cnlNczogUkVUUllfSU5JVElBTF9NUyxcbiAgICBsYXN0U2VuZDogMCxcbiAgICB0U3RhcnQ6IDAsXG4gICAgdERvbmU6IDAsXG4gICAgZXJyb3I6ICcnLFxuICB9O1xuICBzb2NrZXQub24oJ21lc3NhZ2UnLCAoYnVmKSA9PiBvbk1lc3NhZ2UoYywgYnVmKSk7XG4gIHNvY2tldC5vbignZXJyb3InLCAoKSA9PiB7XG4gICAgLyogZS5nLiBJQ01QIHVucmVhY2hhYmxlIGFmdGVyIHRoZSByZWxheSBzdG9wcGVkICovXG4gIH0pO1xuICByZXR1cm4gYztcbn1cblxuYXN5bmMgZnVuY3Rpb24gY2xvc2VBbGwoKTogUHJvbWlzZTx2b2lkPiB7XG4gIGlmIChrZWVwYWxpdmVUaW1lcikgY2xlYXJJbnRlcnZhbChrZWVwYWxpdmVUaW1lcik7XG4gIGtlZXBhbGl2ZVRpbWVyID0gdW5kZWZpbmVkO1xuICBhd2FpdCBQcm9taXNlLmFsbChjbGllbnRzLm1hcCgoYykgPT4gbmV3IFByb21pc2U8dm9pZD4oKHJlc29sdmUpID0+IGMuc29ja2V0LmNsb3NlKCgpID0+IHJlc29sdmUoKSkpKSk7XG4gIGNsaWVudHMgPSBbXTtcbn1cblxuZnVuY3Rpb24gc3VtbWFyaXplKHZhbHVlczogQXJyYXlMaWtlPG51bWJlcj4pOiBSZWNvcmQ8c3RyaW5nLCBudW1iZXI+IHtcbiAgY29uc3QgcyA9IEZsb2F0NjRBcnJheS5mcm9tKHZhbHVlcykuc29ydCgpO1xuICBjb25zdCBuID0gcy5sZW5ndGg7XG4gIGlmIChuID09PSAwKSByZXR1cm4geyBjb3VudDogMCB9O1xuICBjb25zdCBwY3QgPSAocDogbnVtYmVyKTogbnVtYmVyID0+IHtcbiAgICBjb25zdCByYW5rID0gKHAgLyAxMDApICogKG4gLSAxKTtcbiAgICBjb25zdCBsbyA9IE1hdGguZmxvb3IocmFuayk7XG4gICAgY29uc3QgaGkgPSBNYXRoLmNlaWwocmFuayk7XG4gICAgcmV0dXJuIHNbbG9dISArIChzW2hpXSEgLSBzW2xvXSEpICogKHJhbmsgLSBsbyk7XG4gIH07XG4gIGxldCBzdW0gPSAwO1xuICBmb3IgKGxldCBpID0gMDsgaSA8IG47IGkrKykgc3VtICs9IHNbaV0hO1xuICBjb25zdCByMyA9ICh4OiBudW1iZXIpOiBudW1iZXIgPT4gTWF0aC5yb3VuZCh4ICogMTAwMCkgLyAxMDAwO1xuICByZXR1cm4geyBjb3VudDogbiwgbWluOiByMyhzWzBdISksIG1lYW46IHIzKHN1bSAvIG4pLCBwNTA6IHIzKHBjdCg1MCkpLCBwOTA6IHIzKHBjdCg5MCkpLCBwOTk6IHIzKHBjdCg5OSkpLCBwOTk5OiByMyhwY3QoOTkuOSkpLCBtYXg6IHIzKHNbbiAtIDFdISkgfTtcbn1cblxuZnVuY3Rpb24ga2luZENvdW50cygpOiBSZWNvcmQ8c3RyaW5nLCBudW1iZXI+IHtcbiAgY29uc3QgbmFtZXM6IFJlY29yZDxudW1iZXIsIHN0cmluZz4gPSB7fTtcbiAgZm9yIChjb25zdCBbaywgdl0gb2YgT2JqZWN0LmVudHJpZXMoS2luZCkpIG5hbWVzW3ZdID0gaztcbiAgY29uc3Qgb3V0OiBSZWNvcmQ8c3RyaW5nLCBudW1iZXI+ID0ge307XG4gIGJ5S2luZC5mb3JFYWNoKChuLCBrKSA9PiB7XG4gICAgaWYgKG4gPiAwKSBvdXRbbmFtZXNba10gPz8gYDB4JHtrLnRvU3RyaW5nKDE2KX1gXSA9IG47XG4gIH0pO1xuICByZXR1cm4gb3V0O1xufVxuXG5hc3luYyBmdW5jdGlvbiByZWdpc3RlcihyZXE6IFJlZ2lzdGVyUmVxKTogUHJvbWlzZTxSZWNvcmQ8c3RyaW5nLCB1bmtub3duPj4ge1xuICBhd2FpdCBjbG9zZUFsbCgpO1xuICByZWxheVBvcnQgPSByZXEucmVsYXlQb3J0O1xuICBieUtpbmQuZmlsbCgwKTtcbiAgZXJyb3JzQnlDb2RlID0ge307XG4gIGRhdGFncmFtc0luID0gMDtcbiAgYnl0ZXNJbiA9IDA7XG4gIHJlZ1BlbmRpbmcgPSAwO1xuICByZWdEb25lID0gMDtcbiAgcmVnRmFpbGVkID0gMDtcbiAgcmVnUmV0cmllcyA9IDA7XG4gIGNvbnN0IHRPcGVuID0gcGVyZm9ybWFuY2Uubm93KCk7XG4gIGZvciAobGV0IGkgPSAwOyBpIDwgcmVxLmNvdW50OyBpICs9IDUwMCkge1xuICAgIGNvbnN0IGJhdGNoID0gW107XG4gICAgZm9yIChsZXQgaiA9IGk7IGogPCBNYXRoLm1pbihyZXEuY291bnQsIGkgKyA1MDApOyBqKyspIGJhdGNoLnB1c2gob3BlbkNsaWVudChqLCByZXEucGVySXAsIHJlcS5idWZmZXJCeXRlcykpO1xuICAgIGNsaWVudHMucHVzaCguLi4oYXdhaXQgUHJvbWlzZS5hbGwoYmF0Y2gpKSk7XG4gIH1cbiAgY29uc3Qgb3Blbk1zID0gcGVyZm9ybWFuY2Uubm93KCkgLSB0T3BlbjtcblxuICBjb25zdCB0MCA9IHBlcmZvcm1hbmNlLm5vdygpO1xuICBsZXQgbmV4dCA9IDA7XG4gIGNvbnN0IHN0YXJ0TW9yZSA9ICgpOiB2b2lkID0+IHtcbiAgICB3aGlsZSAocmVnUGVuZGluZyA8IHJlcS53aW5kb3cgJiYgbmV4dCA8IGNsaWVudHMubGVuZ3RoKSB7XG4gICAgICBjb25zdCBjID0gY2xpZW50c1tuZXh0KytdITtcbiAgICAgIHJlZ1BlbmRpbmcrKztcbiAgICAgIGMudFN0YXJ0ID0gcGVyZm9ybWFuY2Uubm93KCk7XG4gICAgICBzZW5kSGVsbG8oYyk7XG4gICAgfVxuICB9O1xuICBjb25zdCByZXRyeSA9IHNldEludGVydmFsKCgpID0+IHtcbiAgICBjb25zdCBub3cgPSBwZXJmb3JtYW5jZS5ub3coKTtcbiAgICBmb3IgKGNvbnN0IGMgb2YgY2xpZW50cykge1xuICAgICAgaWYgKChjLnN0YXRlICE9PSAnaGVsbG8nICYmIGMuc3RhdGUgIT09ICdyZWdpc3RlcicpIHx8IG5vdyAtIGMubGFzdFNlbmQgPCBjLnJldHJ5TXMpIGNvbnRpbnVlO1xuICAgICAgYy5yZXRyeU1zID0gTWF0aC5taW4oYy5yZXRyeU1zICogMiwgUkVUUllfTUFYX01TKTtcbiAgICAgIHJlZ1JldHJpZXMrKztcbiAgICAgIC8vIExpa2UgcmVsYXlDb25uZWN0aW9uLnRzOiByZS1zZW5kIHRoZSBSRUdJU1RFUiwgYW5kIHN0YXJ0IG92ZXIgd2l0aCBIRUxMTyBvbmNlIHRoZVxuICAgICAgLy8gYmFjay1vZmYgcmVhY2hlZCBpdHMgbWF4aW11bSAodGhlIGNvb2tpZSBtYXkgaGF2ZSBleHBpcmVkKS5cbiAgICAgIGlmIChjLnN0YXRlID09PSAnaGVsbG8nIHx8IGMucmV0cnlNcyA+PSBSRVRSWV9NQVhfTVMpIHNlbmRIZWxsbyhjKTtcbiAgICAgIGVsc2Ugc2VuZChjLCBjLnJlZyEpO1xuICAgIH1cbiAgICBzdGFydE1vcmUoKTtcbiAgfSwgNTApO1xuICBhd2FpdCBuZXcgUHJvbWlzZTx2b2lkPigocmVzb2x2ZSkgPT4ge1xuICAgIGNvbnN0IHRpbWVyID0gc2V0VGltZW91dCgoKSA9PiB7XG4gICAgICBmb3IgKGNvbnN0IGMgb2YgY2xpZW50cykgaWYgKGMuc3RhdGUgPT09ICdoZWxsbycgfHwgYy5zdGF0ZSA9PT0gJ3JlZ2lzdGVyJykgZmluaXNoKGMsIGZhbHNlLCBgVElNRU9VVDogbm90IHJlZ2lzdGVyZWQgd2l0aGluICR7cmVxLnRpbWVvdXRNc30gbXNgKTtcbiAgICAgIHJlc29sdmUoKTtcbiAgICB9LCByZXEudGltZW91dE1zKTtcbiAgICBvblJlZ1Byb2dyZXNzID0gKCkgPT4ge1xuICAgICAgc3RhcnRNb3JlKCk7XG4gICAgICBpZiAocmVnRG9uZSArIHJlZ0ZhaWxlZCA9PT0gY2xpZW50cy5sZW5ndGgpIHtcbiAgICAgICAgY2xlYXJUaW1lb3V0KHRpbWVyKTtcbiAgICAgICAgcmVzb2x2ZSgpO1xuICAgICAgfVxuICAgIH07XG4gICAgc3RhcnRNb3JlKCk7XG4gIH0pO1xuICBvblJlZ1Byb2dyZXNzID0gbnVsbDtcbiAgY2xlYXJJbnRlcnZhbChyZXRyeSk7XG4gIGNvbnN0IG1zID0gcGVyZm9ybWFuY2Uubm93KCkgLSB0MDtcblxuICAvLyBLZWVwYWxpdmU6IGV2ZXJ5IGNsaWVudCBQSU5HcyBvbmNlIHBlciBrZWVwYWxpdmVNcyAoc3ByZWFkIG92ZXIgdGhlIGludGVydmFsKS5cbiAgY29uc3QgdGljayA9IDEwMDtcbiAgbGV0IGN1cnNvciA9IDA7XG4gIGtlZXBhbGl2ZVRpbWVyID0gc2V0SW50ZXJ2YWwoKCkgPT4ge1xuICAgIGNvbnN0IHBlciA9IE1hdGguY2VpbCgoY2xpZW50cy5sZW5ndGggKiB0aWNrKSAvIE1hdGgubWF4KHRpY2ssIGtlZXBhbGl2ZU1zICogMC44KSk7XG4gICAgZm9yIChsZXQgbiA9IDA7IG4gPCBwZXIgJiYgY2xpZW50cy5sZW5ndGggPiAwOyBuKyspIHtcbiAgICAgIGNvbnN0IGMgPSBjbGllbnRzW2N1cnNvcisrICUgY2xpZW50cy5sZW5ndGhdITtcbiAgICAgIGlmIChjLnN0YXRlID09PSAnZG9uZScpIHNlbmQoYywgZW5jb2RlUmVsYXlNZXNzYWdlKHsga2luZDogS2luZC5QSU5HLCB0b2tlbjogcGluZ1Rva2VuKysgPj4+IDAgfSwgYy5zZXNzaW9uKSk7XG4gICAgfVxuICB9LCB0aWNrKTtcblxuICBjb25zdCBsYXQgPSBjbGllbnRzLmZpbHRlcigoYykgPT4gYy5zdGF0ZSA9PT0gJ2RvbmUnKS5tYXAoKGMpID0+IGMudERvbmUgLSBjLnRTdGFydCk7XG4gIGNvbnN0IGVycm9yczogUmVjb3JkPHN0cmluZywgbnVtYmVyPiA9IHt9O1xuICBmb3IgKGNvbnN0IGMgb2YgY2xpZW50cykgaWYgKGMuc3RhdGUgIT09ICdkb25lJykgZXJyb3JzW2MuZXJyb3IgfHwgYy5zdGF0ZV0gPSAoZXJyb3JzW2MuZXJyb3IgfHwgYy5zdGF0ZV0gPz8gMCkgKyAxO1xuICByZXR1cm4ge1xuICAgIHR5cGU6ICdyZWdpc3RlcicsXG4gICAgY291bnQ6IGNsaWVudHMubGVuZ3RoLFxuICAgIGFkZHJlc3NlczogTWF0aC5jZWlsKGNsaWVudHMubGVuZ3RoIC8gcmVxLnBlcklwKSxcbiAgICBvcGVuU29ja2V0c01zOiBNYXRoLnJvdW5kKG9wZW5NcyksXG4gICAgbXM6IE1hdGgucm91bmQobXMgKiAxMCkgLyAxMCxcbiAgICByZWdpc3RlcmVkOiByZWdEb25lLFxuICAgIGZhaWxlZDogcmVnRmFpbGVkLFxuICAgIHVuZmluaXNoZWQ6IGNsaWVudHMubGVuZ3RoIC0gcmVnRG9uZSAtIHJlZ0ZhaWxlZCxcbiAgICByZXRyaWVzOiByZWdSZXRyaWVzLFxuICAgIHJlZ2lzdHJhdGlvbnNQZXJTZWM6IE1hdGgucm91bmQocmVnRG9uZSAvIChtcyAvIDEwMDApKSxcbiAgICBsYXRlbmN5TXM6IHN1bW1hcml6ZShsYXQpLFxuICAgIGVycm9ycyxcbiAgICBrZWVwYWxpdmVNcyxcbiAgICBkYXRhZ3JhbXNJbixcbiAgICBieXRlc0luLFxuICAgIGJ5S2luZDoga2luZENvdW50cygpLFxuICAgIGVycm9yc1JlY2VpdmVkOiBlcnJvcnNCeUNvZGUsXG4gICAgY2xpZW50UnNzQnl0ZXM6IHByb2Nlc3MubWVtb3J5VXNhZ2UoKS5yc3MsXG4gIH07XG59XG5cbmFzeW5jIGZ1bmN0aW9uIHF1aWV0KHF1aWV0TXM6IG51bWJlciwgdGltZW91dE1zOiBudW1iZXIpOiBQcm9taXNlPFJlY29yZDxzdHJpbmcsIHVua25vd24+PiB7XG4gIGNvbnN0IHQwID0gcGVyZm9ybWFuY2Uubm93KCk7XG4gIGNvbnN0IGluQmVmb3JlID0gZGF0YWdyYW1zSW47XG4gIGZvciAoOzspIHtcbiAgICBjb25zdCBub3cgPSBwZXJmb3JtYW5jZS5ub3coKTtcbiAgICBpZiAobm93IC0gbGFzdEFycml2YWwgPj0gcXVpZXRNcykgYnJlYWs7XG4gICAgaWYgKG5vdyAtIHQwID4gdGltZW91dE1zKSBicmVhaztcbiAgICBhd2FpdCBuZXcgUHJvbWlzZSgocikgPT4gc2V0VGltZW91dChyLCAyMCkpO1xuICB9XG4gIHJldHVybiB7IHR5cGU6ICdxdWlldCcsIHdhaXRlZE1zOiBNYXRoLnJvdW5kKHBlcmZvcm1hbmNlLm5vdygpIC0gdDApLCBkYXRhZ3JhbXNNZWFud2hpbGU6IGRhdGFncmFtc0luIC0gaW5CZWZvcmUsIGJ5S2luZDoga2luZENvdW50cygpIH07XG59XG5cbmFzeW5jIGZ1bmN0aW9uIHJ1bkJ1cnN0KHNlbmRlcnM6IG51bWJlciwgcGVyQ2xpZW50OiBudW1iZXIsIGRhdGFncmFtQnl0ZXM6IG51bWJlciwgdGltZW91dE1zOiBudW1iZXIpOiBQcm9taXNlPFJlY29yZDxzdHJpbmcsIHVua25vd24+PiB7XG4gIGNvbnN0IHJvb20gPSBjbGllbnRzLmZpbHRlcigoYykgPT4gYy5zdGF0ZSA9PT0gJ2RvbmUnKTtcbiAgaWYgKHJvb20ubGVuZ3RoICE9PSBjbGllbnRzLmxlbmd0aCkgdGhyb3cgbmV3IEVycm9yKGBvbmx5ICR7cm9vbS5sZW5ndGh9LyR7Y2xpZW50cy5sZW5ndGh9IGNsaWVudHMgYXJlIHJlZ2lzdGVyZWRgKTtcbiAgY29uc3QgbiA9IGNsaWVudHMubGVuZ3RoO1xuICBjb25zdCBzID0gTWF0aC5taW4oc2VuZGVycywgbik7XG4gIGNvbnN0IGV4cGVjdGVkID0gcyAqIHBlckNsaWVudCAqIChuIC0gMSk7XG4gIGNvbnN0IGI6IEJ1cnN0ID0ge1xuICAgIHNlbmRlcnM6IHMsXG4gICAgcGVyQ2xpZW50LFxuICAgIGV4cGVjdGVkLFxuICAgIGRlbGl2ZXJpZXM6IDAsXG4gICAgZHVwbGljYXRlczogMCxcbiAgICBmb3JlaWduOiAwLFxuICAgIGxhdGVuY2llczogbmV3IEZsb2F0NjRBcnJheShleHBlY3RlZCksXG4gICAgc2VlbjogbmV3IFVpbnQ4QXJyYXkobiAqIHMgKiBwZXJDbGllbnQpLFxuICAgIGxhc3RBcnJpdmFsOiAwLFxuICAgIG9uRG9uZTogbnVsbCxcbiAgfTtcbiAgYnVyc3QgPSBiO1xuICBjb25zdCBzaXplID0gTWF0aC5tYXgoSEVBREVSX0JZVEVTICsgMTYsIGRhdGFncmFtQnl0ZXMpO1xuICAvLyBQcmUtYnVpbGQgZXZlcnkgZGF0YWdyYW0gc28gdGhlIHNlbmQgbG9vcCBkb2VzIG5vdGhpbmcgYnV0IHN0YW1wIGFuZCBzZW5kLlxuICBjb25zdCBidWZzOiBCdWZmZXJbXSA9IFtdO1xuICBmb3IgKGxldCBpID0gMDsgaSA8IHM7IGkrKykge1xuICAgIGZvciAobGV0IGsgPSAwOyBrIDwgcGVyQ2xpZW50OyBrKyspIHtcbiAgICAgIGNvbnN0IGJ1ZiA9IEJ1ZmZlci5hbGxvYyhzaXplLCAweDIwKTtcbiAgICAgIGJ1ZlswXSA9IE1BR0lDO1xuICAgICAgYnVmWzFdID0gUFJPVE9DT0xfVkVSU0lPTjtcbiAgICAgIGJ1ZlsyXSA9IEtpbmQuUEVFUl9CUk9BRENBU1Q7XG4gICAgICBidWZbM10gPSAwO1xuICAgICAgYnVmLndyaXRlVUludDMyQkUoY2xpZW50c1tpXSEuc2Vzc2lvbiA+Pj4gMCwgNCk7XG4gICAgICBidWYud3JpdGVVSW50MzJCRShEU1RfQlJPQURDQVNUID4+PiAwLCA4KTtcbiAgICAgIGJ1Zi53cml0ZVVJbnQzMkJFKGksIEhFQURFUl9CWVRFUyk7XG4gICAgICBidWYud3JpdGVVSW50MzJCRShrLCBIRUFERVJfQllURVMgKyA0KTtcbiAgICAgIGJ1ZnMucHVzaChidWYpO1xuICAgIH1cbiAgfVxuICBjb25zdCBraW5kczAgPSBraW5kQ291bnRzKCk7XG4gIGVycm9yc0J5Q29kZSA9IHt9O1xuICBjb25zdCBjcHUwID0gcHJvY2Vzcy5jcHVVc2FnZSgpO1xuICBjb25zdCB0MCA9IHBlcmZvcm1hbmNlLm5vdygpO1xuICBmb3IgKGxldCBpID0gMDsgaSA8IHM7IGkrKykge1xuICAgIGNvbnN0IGMgPSBjbGllbnRzW2ldITtcbiAgICBmb3IgKGxldCBrID0gMDsgayA8IHBlckNsaWVudDsgaysrKSB7XG4gICAgICBjb25zdCBidWYgPSBidWZzW2kgKiBwZXJDbGllbnQgKyBrXSE7XG4gICAgICBidWYud3JpdGVEb3VibGVCRShwZXJmb3JtYW5jZS5ub3coKSwgSEVBREVSX0JZVEVTICsgOCk7XG4gICAgICBjLnNvY2tldC5zZW5kKGJ1ZiwgcmVsYXlQb3J0LCAnMTI3LjAuMC4xJyk7XG4gICAgfVxuICB9XG4gIGNvbnN0IHRTZW50ID0gcGVyZm9ybWFuY2Uubm93KCk7XG4gIGNvbnN0IG91dGNvbWUgPSBhd2FpdCBuZXcgUHJvbWlzZTwnZG9uZScgfCAndGltZW91dCc+KChyZXNvbHZlKSA9PiB7XG4gICAgY29uc3QgdGltZXIgPSBzZXRUaW1lb3V0KCgpID0+IHJlc29sdmUoJ3RpbWVvdXQnKSwgdGltZW91dE1zKTtcbiAgICAvLyBBbHNvIHN0b3AgZWFybHkgb25jZSBub3RoaW5nIGFycml2ZWQgZm9yIGEgd2hpbGUgKGRlbGl2ZXJpZXMgbG9zdCBmb3IgZ29vZCkuXG4gICAgY29uc3QgaWRsZSA9IHNldEludGVydmFsKCgpID0+IHtcbiAgICAgIGlmIChwZXJmb3JtYW5jZS5ub3coKSAtIE1hdGgubWF4KGIubGFzdEFycml2YWwsIHRTZW50KSA+IDMwMDApIHtcbiAgICAgICAgY2xlYXJJbnRlcnZhbChpZGxlKTtcbiAgICAgICAgY2xlYXJUaW1lb3V0KHRpbWVyKTtcbiAgICAgICAgcmVzb2x2ZSgndGltZW91dCcpO1xuICAgICAgfVxuICAgIH0sIDEwMCk7XG4gICAgYi5vbkRvbmUgPSAoKSA9PiB7XG4gICAgICBjbGVhclRpbWVvdXQodGltZXIpO1xuICAgICAgY2xlYXJJbnRlcnZhbChpZGxlKTtcbiAgICAgIHJlc29sdmUoJ2RvbmUnKTtcbiAgICB9O1xuICAgIGlmIChiLmRlbGl2ZXJpZXMgPT09IGV4cGVjdGVkKSBiLm9uRG9uZSgpO1xuICB9KTtcbiAgY29uc3QgY3B1ID0gcHJvY2Vzcy5jcHVVc2FnZShjcHUwKTtcbiAgYnVyc3QgPSBudWxsO1xuICBjb25zdCBkdXJhdGlvbk1zID0gKGIubGFzdEFycml2YWwgfHwgcGVyZm9ybWFuY2Uubm93KCkpIC0gdDA7XG4gIHJldHVybiB7XG4gICAgdHlwZTogJ2J1cnN0JyxcbiAgICBjbGllbnRzOiBuLFxuICAgIHNlbmRlcnM6IHMsXG4gICAgcGVyQ2xpZW50LFxuICAgIGRhdGFncmFtQnl0ZXM6IHNpemUsXG4gICAgb3V0Y29tZSxcbiAgICBleHBlY3RlZCxcbiAgICBkZWxpdmVyaWVzOiBiLmRlbGl2ZXJpZXMsXG4gICAgbWlzc2luZzogZXhwZWN0ZWQgLSBiLmRlbGl2ZXJpZXMsXG4gICAgZHVwbGljYXRlczogYi5kdXBsaWNhdGVzLFxuICAgIGZvcmVpZ246IGIuZm9yZWlnbixcbiAgICBzZW5kU3ByZWFkTXM6IE1hdGgucm91bmQoKHRTZW50IC0gdDApICogMTAwMCkgLyAxMDAwLFxuICAgIGR1cmF0aW9uTXM6IE1hdGgucm91bmQoZHVyYXRpb25NcyAqIDEwMDApIC8gMTAwMCxcbiAgICBkZWxpdmVyaWVzUGVyU2VjOiBNYXRoLnJvdW5kKGIuZGVsaXZlcmllcyAvIChkdXJhdGlvbk1zIC8gMTAwMCkpLFxuICAgIGxhdGVuY3lNczogc3VtbWFyaXplKGIubGF0ZW5jaWVzLnN1YmFycmF5KDAsIE1hdGgubWluKGIuZGVsaXZlcmllcywgZXhwZWN0ZWQpKSksXG4gICAgY2xpZW50Q3B1TXM6IHsgdXNlcjogTWF0aC5yb3VuZChjcHUudXNlciAvIDEwMDApLCBzeXN0ZW06IE1hdGgucm91bmQoY3B1LnN5c3RlbSAvIDEwMDApIH0sXG4gICAgZGF0YWdyYW1zQnlLaW5kOiBPYmplY3QuZnJvbUVudHJpZXMoT2JqZWN0LmVudHJpZXMoa2luZENvdW50cygpKS5tYXAoKFtrLCB2XSkgPT4gW2ssIHYgLSAoa2luZHMwW2tdID8/IDApXSkpLFxuICAgIGVycm9yc1JlY2VpdmVkOiBlcnJvcnNCeUNvZGUsXG4gIH07XG59XG5cbmFzeW5jIGZ1bmN0aW9uIGhhbmRsZShtOiBSZXEpOiBQcm9taXNlPFJlY29yZDxzdHJpbmcsIHVua25vd24+PiB7XG4gIHN3aXRjaCAobS50eXBlKSB7XG4gICAgY2FzZSAnaW5pdCc6IHtcbiAgICAgIGNvbnN0IHQwID0gcGVyZm9ybWFuY2Uubm93KCk7XG4gICAgICBpZGVudGl0aWVzID0gW107XG4gICAgICBmb3IgKGxldCBpID0gMDsgaSA8IG0uaWRlbnRpdGllczsgaSsrKSBpZGVudGl0aWVzLnB1c2goZ2VuZXJhdGVJZGVudGl0eSgpKTtcbiAgICAgIHJldHVybiB7IHR5cGU6ICdpbml0JywgbXM6IE1hdGgucm91bmQocGVyZm9ybWFuY2Uubm93KCkgLSB0MCkgfTtcbiAgICB9XG4gICAgY2FzZSAncmVnaXN0ZXInOlxuICAgICAgcmV0dXJuIHJlZ2lzdGVyKG0pO1xuICAgIGNhc2UgJ3F1aWV0JzpcbiAgICAgIHJldHVybiBxdWlldChtLnF1aWV0TXMsIG0udGltZW91dE1zKTtcbiAgICBjYXNlICdidXJzdCc6XG4gICAgICByZXR1cm4gcnVuQnVyc3QobS5zZW5kZXJzLCBtLnBlckNsaWVudCwgbS5kYXRhZ3JhbUJ5dGVzLCBtLnRpbWVvdXRNcyk7XG4gICAgY2FzZSAnY2xvc2UnOlxuICAgICAgYXdhaXQgY2xvc2VBbGwoKTtcbiAgICAgIHJldHVybiB7IHR5cGU6ICdjbG9zZScgfTtcbiAgfVxufVxuXG5wcm9jZXNzLm9uKCdtZXNzYWdlJywgKG06IFJlcSkgPT4ge1xuICBoYW5kbGUobSkudGhlbihcbiAgICAocikgPT4gcHJvY2Vzcy5zZW5kPy4ociksXG4gICAgKGVycjogdW5rbm93bikgPT4gcHJvY2Vzcy5zZW5kPy4oeyB0eXBlOiAnZXJyb3InLCBlcnJvcjogZXJyIGluc3RhbmNlb2YgRXJyb3IgPyAoZXJyLnN0YWNrID8/IGVyci5tZXNzYWdlKSA6IFN0cmluZyhlcnIpIH0pLFxuICApO1xufSk7XG5wcm9jZXNzLm9uKCdkaXNjb25uZWN0JywgKCkgPT4gcHJvY2Vzcy5leGl0KDApKTtcbnByb2Nlc3Muc2VuZD8uKHsgdHlwZTogJ3JlYWR5JyB9KTtcbiIsICIvKipcbiAqIEEgdXNlcidzIGxvbmctdGVybSBpZGVudGl0eTogYW4gRWQyNTUxOSBrZXkgcGFpciB0aGF0IHNpZ25zIChyZWdpc3RyYXRpb24sIGtleSBiaW5kaW5ncykgYW5kXG4gKiBhbiBYMjU1MTkga2V5IHBhaXIgZm9yIHRoZSBwYWlyd2lzZSBoYW5kc2hha2VzIChwZWVySGFuZHNoYWtlLnRzKS4gQm90aCBjb21lIGZyb20gTm9kZSdzIG93blxuICogY3J5cHRvLiBUaGUgcmVsYXkgbGVhcm5zIG9ubHkgdGhlIHB1YmxpYyBoYWx2ZXM7IHRoZSBwcml2YXRlIGhhbHZlcyBsaXZlIGluIGEgZmlsZSByZWFkYWJsZVxuICogYnkgdGhlIG93bmVyIGFsb25lICh0aGUgc2FtZSBydWxlIE9wZW5TU0ggYXBwbGllcyB0byBwcml2YXRlIGtleXMpLlxuICovXG5pbXBvcnQge1xuICBjcmVhdGVIYXNoLFxuICBjcmVhdGVQcml2YXRlS2V5LFxuICBjcmVhdGVQdWJsaWNLZXksXG4gIGdlbmVyYXRlS2V5UGFpclN5bmMsXG4gIHJhbmRvbUJ5dGVzLFxuICBzaWduLFxuICB2ZXJpZnksXG4gIHR5cGUgS2V5T2JqZWN0LFxufSBmcm9tICdub2RlOmNyeXB0byc7XG5pbXBvcnQgKiBhcyBmcyBmcm9tICdub2RlOmZzJztcbmltcG9ydCAqIGFzIG5vZGVQYXRoIGZyb20gJ25vZGU6cGF0aCc7XG5cbmV4cG9ydCBpbnRlcmZhY2UgSWRlbnRpdHkge1xuICAvKiogMzItYnl0ZSByYXcgRWQyNTUxOSBwdWJsaWMga2V5IChSRkMgODAzMiBcdTAwQTc1LjEuNSBlbmNvZGluZykuICovXG4gIHNpZ25QdWJsaWM6IEJ1ZmZlcjtcbiAgLyoqIDMyLWJ5dGUgcmF3IFgyNTUxOSBwdWJsaWMga2V5IChSRkMgNzc0OCBcdTAwQTc1IGVuY29kaW5nKS4gKi9cbiAgZGhQdWJsaWM6IEJ1ZmZlcjtcbiAgc2lnblByaXZhdGU6IEtleU9iamVjdDtcbiAgZGhQcml2YXRlOiBLZXlPYmplY3Q7XG59XG5cbi8qKiBSYXcgcHVibGljIGtleSBsZW5ndGggZm9yIGJvdGggRWQyNTUxOSAoUkZDIDgwMzIgXHUwMEE3NS4xLjUpIGFuZCBYMjU1MTkgKFJGQyA3NzQ4IFx1MDBBNzYuMSkuICovXG5leHBvcnQgY29uc3QgUFVCTElDX0tFWV9CWVRFUyA9IDMyO1xuLyoqIEVkMjU1MTkgc2lnbmF0dXJlIGxlbmd0aCAoUkZDIDgwMzIgXHUwMEE3NS4xLjYpLiAqL1xuZXhwb3J0IGNvbnN0IFNJR05BVFVSRV9CWVRFUyA9IDY0O1xuLyoqIFZlcnNpb24gb2YgdGhlIGlkZW50aXR5IGZpbGUgZm9ybWF0IHdyaXR0ZW4gYnkgc2VyaWFsaXplSWRlbnRpdHkuICovXG5leHBvcnQgY29uc3QgSURFTlRJVFlfRk9STUFUX1ZFUlNJT04gPSAxO1xuLyoqXG4gKiBGaW5nZXJwcmludCBsZW5ndGg6IDEwIGJ5dGVzICg4MCBiaXRzKSBvZiBTSEEtMjU2LCBzaG93biBhcyA1IGdyb3VwcyBvZiA0IGhleCBkaWdpdHMuIFNob3J0XG4gKiBlbm91Z2ggdG8gcmVhZCBhbG91ZDsgYW4gaW1wb3N0b3IgbmVlZHMgYWJvdXQgMl44MCBrZXkgZ2VuZXJhdGlvbnMgdG8gbWF0Y2ggYSBnaXZlbiBvbmUuXG4gKi9cbmV4cG9ydCBjb25zdCBGSU5HRVJQUklOVF9CWVRFUyA9IDEwO1xuLyoqIEhleCBkaWdpdHMgcGVyIGZpbmdlcnByaW50IGdyb3VwLiAqL1xuY29uc3QgRklOR0VSUFJJTlRfR1JPVVBfQ0hBUlMgPSA0O1xuLyoqXG4gKiBQdWJsaWMgS2V5T2JqZWN0cyBrZXB0IGZvciByZXVzZS4gVmVyaWZpY2F0aW9uIGhhcHBlbnMgb25jZSBwZXIgcmVnaXN0cmF0aW9uIGFuZCBhIHJlbGF5XG4gKiBzZXJ2ZXMgdGhvdXNhbmRzIG9mIGNsaWVudHM7IDEwMjQgZW50cmllcyBjb3N0IHdlbGwgdW5kZXIgYSBtZWdhYnl0ZSBhbmQgY2F0Y2ggcmUtcmVnaXN0cmF0aW9ucy5cbiAqL1xuZXhwb3J0IGNvbnN0IE1BWF9DQUNIRURfUFVCTElDX0tFWVMgPSAxMDI0O1xuLyoqIE1vZGUgb2YgYSBuZXcgaWRlbnRpdHkgZmlsZTogb3duZXIgcmVhZC93cml0ZSBvbmx5LiAqL1xuZXhwb3J0IGNvbnN0IElERU5USVRZX0ZJTEVfTU9ERSA9IDBvNjAwO1xuLyoqIE1vZGUgb2YgYSBkaXJlY3Rvcnkgd2UgY3JlYXRlIGZvciB0aGUgaWRlbnRpdHkgZmlsZTogb3duZXIgb25seS4gKi9cbmV4cG9ydCBjb25zdCBJREVOVElUWV9ESVJfTU9ERSA9IDBvNzAwO1xuLyoqIFBlcm1pc3Npb24gYml0cyB0aGF0IG11c3QgYmUgY2xlYXIgb24gYW4gZXhpc3RpbmcgaWRlbnRpdHkgZmlsZSAoZ3JvdXAgYW5kIG90aGVycykuICovXG5jb25zdCBHUk9VUF9PVEhFUl9CSVRTID0gMG8wNzc7XG4vKiogRG9tYWluIHNlcGFyYXRpb24gZm9yIHRoZSBzaWduYXR1cmUgdGhhdCBiaW5kcyBhIERIIGtleSB0byBhIHNpZ25pbmcga2V5LiAqL1xuY29uc3QgREhfQklORElOR19DT05URVhUID0gQnVmZmVyLmZyb20oJ3BlZXJjaGF0IHYxIGRoLWJpbmRpbmdcXDAnLCAndXRmOCcpO1xuXG4vKipcbiAqIFN1YmplY3RQdWJsaWNLZXlJbmZvIERFUiBwcmVmaXhlcyBmb3IgcmF3IDMyLWJ5dGUga2V5cyAoUkZDIDg0MTAgXHUwMEE3NCk6IFNFUVVFTkNFIHsgU0VRVUVOQ0VcbiAqIHsgT0lEIDEuMy4xMDEuMTEyIChFZDI1NTE5KSBvciAxLjMuMTAxLjExMCAoWDI1NTE5KSB9LCBCSVQgU1RSSU5HICgzMyBieXRlcywgMCB1bnVzZWQgYml0cykgfS5cbiAqL1xuY29uc3QgU1BLSV9QUkVGSVggPSB7XG4gIGVkMjU1MTk6IEJ1ZmZlci5mcm9tKCczMDJhMzAwNTA2MDMyYjY1NzAwMzIxMDAnLCAnaGV4JyksXG4gIHgyNTUxOTogQnVmZmVyLmZyb20oJzMwMmEzMDA1MDYwMzJiNjU2ZTAzMjEwMCcsICdoZXgnKSxcbn0gYXMgY29uc3Q7XG5cbmV4cG9ydCB0eXBlIFB1YmxpY0tleVR5cGUgPSBrZXlvZiB0eXBlb2YgU1BLSV9QUkVGSVg7XG5cbi8qKiBFcnJvciBjb2RlcyBhIHVzZXIgY2FuIG1lZXQ7IHRoZSB0ZXJtaW5hbCBjbGllbnQgYW5kIHRoZSBleHRlbnNpb24gc2hvdyB0aGVtIGFzIHRoZXkgYXJlLiAqL1xuZXhwb3J0IHR5cGUgSWRlbnRpdHlFcnJvckNvZGUgPVxuICB8ICdJREVOVElUWV9JTlZBTElEJyAvLyB0aGUgZmlsZSBvciBzdHJpbmcgaXMgbm90IGFuIGlkZW50aXR5IHdlIGNhbiByZWFkXG4gIHwgJ0lERU5USVRZX0ZJTEVfSU5TRUNVUkUnIC8vIGdyb3VwIG9yIG90aGVycyBtYXkgcmVhZCB0aGUgZmlsZVxuICB8ICdJREVOVElUWV9GSUxFX05PVF9PV05FRCcgLy8gYW5vdGhlciB1c2VyIG93bnMgdGhlIGZpbGVcbiAgfCAnSURFTlRJVFlfRklMRV9OT1RfUkVHVUxBUic7IC8vIHRoZSBwYXRoIGlzIGEgZGlyZWN0b3J5LCBkZXZpY2UsIFx1MjAyNlxuXG5leHBvcnQgY2xhc3MgSWRlbnRpdHlFcnJvciBleHRlbmRzIEVycm9yIHtcbiAgY29uc3RydWN0b3IoXG4gICAgcmVhZG9ubHkgY29kZTogSWRlbnRpdHlFcnJvckNvZGUsXG4gICAgbWVzc2FnZTogc3RyaW5nLFxuICApIHtcbiAgICBzdXBlcihtZXNzYWdlKTtcbiAgICB0aGlzLm5hbWUgPSAnSWRlbnRpdHlFcnJvcic7XG4gIH1cbn1cblxuLy8gLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tXG4vLyBSYXcgcHVibGljIGtleXMgPC0+IEtleU9iamVjdHNcblxuY29uc3QgcHVibGljS2V5Q2FjaGUgPSBuZXcgTWFwPHN0cmluZywgS2V5T2JqZWN0PigpO1xuXG4vKipcbiAqIFR1cm5zIGEgcmF3IDMyLWJ5dGUgcHVibGljIGtleSBpbnRvIGEgS2V5T2JqZWN0LiBUaHJvd3MgUmFuZ2VFcnJvciBvbiBhIHdyb25nIGxlbmd0aC5cbiAqIFJlc3VsdHMgYXJlIGNhY2hlZCAobGVhc3QgcmVjZW50bHkgdXNlZCBldmljdGVkIGZpcnN0KSBiZWNhdXNlIHRoZSBzYW1lIGtleXMgYXJlIHZlcmlmaWVkXG4gKiBhZ2FpbiBhbmQgYWdhaW4gKHJlZ2lzdHJhdGlvbnMsIHJvc3RlciB1cGRhdGVzKS5cbiAqL1xuZXhwb3J0IGZ1bmN0aW9uIHB1YmxpY0tleUZyb21SYXcodHlwZTogUHVibGljS2V5VHlwZSwgcmF3OiBCdWZmZXIpOiBLZXlPYmplY3Qge1xuICBpZiAoIUJ1ZmZlci5pc0J1ZmZlcihyYXcpIHx8IHJhdy5sZW5ndGggIT09IFBVQkxJQ19LRVlfQllURVMpIHtcbiAgICB0aHJvdyBuZXcgUmFuZ2VFcnJvcihgJHt0eXBlfSBwdWJsaWMga2V5IG11c3QgYmUgJHtQVUJMSUNfS0VZX0JZVEVTfSBieXRlc2ApO1xuICB9XG4gIGNvbnN0IGNhY2hlS2V5ID0gdHlwZSArIHJhdy50b1N0cmluZygnaGV4Jyk7XG4gIGNvbnN0IGNhY2hlZCA9IHB1YmxpY0tleUNhY2hlLmdldChjYWNoZUtleSk7XG4gIGlmIChjYWNoZWQgIT09IHVuZGVmaW5lZCkge1xuICAgIHB1YmxpY0tleUNhY2hlLmRlbGV0ZShjYWNoZUtleSk7IC8vIHJlLWluc2VydDogTWFwIG9yZGVyIGlzIG91ciByZWNlbmN5IG9yZGVyXG4gICAgcHVibGljS2V5Q2FjaGUuc2V0KGNhY2hlS2V5LCBjYWNoZWQpO1xuICAgIHJldHVybiBjYWNoZWQ7XG4gIH1cbiAgY29uc3Qga2V5ID0gY3JlYXRlUHVibGljS2V5KHsga2V5OiBCdWZmZXIuY29uY2F0KFtTUEtJX1BSRUZJWFt0eXBlXSwgcmF3XSksIGZvcm1hdDogJ2RlcicsIHR5cGU6ICdzcGtpJyB9KTtcbiAgaWYgKHB1YmxpY0tleUNhY2hlLnNpemUgPj0gTUFYX0NBQ0hFRF9QVUJMSUNfS0VZUykge1xuICAgIGNvbnN0IG9sZGVzdCA9IHB1YmxpY0tleUNhY2hlLmtleXMoKS5uZXh0KCkudmFsdWU7XG4gICAgaWYgKG9sZGVzdCAhPT0gdW5kZWZpbmVkKSBwdWJsaWNLZXlDYWNoZS5kZWxldGUob2xkZXN0KTtcbiAgfVxuICBwdWJsaWNLZXlDYWNoZS5zZXQoY2FjaGVLZXksIGtleSk7XG4gIHJldHVybiBrZXk7XG59XG5cbi8qKlxuICogVGhlIHNhbWUgY29udmVyc2lvbiB3aXRob3V0IHRoZSBjYWNoZSwgZm9yIG9uZS11c2Uga2V5cyAoaGFuZHNoYWtlIGVwaGVtZXJhbHMpLCBzbyB0aGV5XG4gKiBuZWl0aGVyIGV2aWN0IGxvbmctdGVybSBrZXlzIG5vciBsaW5nZXIgaW4gbWVtb3J5LlxuICovXG5leHBvcnQgZnVuY3Rpb24gdW5jYWNoZWRQdWJsaWNLZXlGcm9tUmF3KHR5cGU6IFB1YmxpY0tleVR5cGUsIHJhdzogQnVmZmVyKTogS2V5T2JqZWN0IHtcbiAgaWYgKCFCdWZmZXIuaXNCdWZmZXIocmF3KSB8fCByYXcubGVuZ3RoICE9PSBQVUJMSUNfS0VZX0JZVEVTKSB7XG4gICAgdGhyb3cgbmV3IFJhbmdlRXJyb3IoYCR7dHlwZX0gcHVibGljIGtleSBtdXN0IGJlICR7UFVCTElDX0tFWV9CWVRFU30gYnl0ZXNgKTtcbiAgfVxuICByZXR1cm4gY3JlYXRlUHVibGljS2V5KHsga2V5OiBCdWZmZXIuY29uY2F0KFtTUEtJX1BSRUZJWFt0eXBlXSwgcmF3XSksIGZvcm1hdDogJ2RlcicsIHR5cGU6ICdzcGtpJyB9KTtcbn1cblxuLyoqIFRoZSByYXcgMzItYnl0ZSBlbmNvZGluZyBvZiBhbiBFZDI1NTE5IG9yIFgyNTUxOSBwdWJsaWMgKG9yIHByaXZhdGU6IGl0cyBwdWJsaWMgaGFsZikga2V5LiAqL1xuZXhwb3J0IGZ1bmN0aW9uIHJhd1B1YmxpY0tleShrZXk6IEtleU9iamVjdCk6IEJ1ZmZlciB7XG4gIGNvbnN0IHB1YmxpY0tleSA9IGtleS50eXBlID09PSAncHJpdmF0ZScgPyBjcmVhdGVQdWJsaWNLZXkoa2V5KSA6IGtleTtcbiAgY29uc3QgZGVyID0gcHVibGljS2V5LmV4cG9ydCh7IGZvcm1hdDogJ2RlcicsIHR5cGU6ICdzcGtpJyB9KTtcbiAgcmV0dXJuIEJ1ZmZlci5mcm9tKGRlci5zdWJhcnJheShkZXIubGVuZ3RoIC0gUFVCTElDX0tFWV9CWVRFUykpO1xufVxuXG4vLyAtLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS1cbi8vIEdlbmVyYXRpb24gYW5kIChkZSlzZXJpYWxpc2F0aW9uXG5cbmV4cG9ydCBmdW5jdGlvbiBnZW5lcmF0ZUlkZW50aXR5KCk6IElkZW50aXR5IHtcbiAgY29uc3Qgc2lnbmluZyA9IGdlbmVyYXRlS2V5UGFpclN5bmMoJ2VkMjU1MTknKTtcbiAgY29uc3QgYWdyZWVtZW50ID0gZ2VuZXJhdGVLZXlQYWlyU3luYygneDI1NTE5Jyk7XG4gIHJldHVybiB7XG4gICAgc2lnblB1YmxpYzogcmF3UHVibGljS2V5KHNpZ25pbmcucHVibGljS2V5KSxcbiAgICBkaFB1YmxpYzogcmF3UHVibGljS2V5KGFncmVlbWVudC5wdWJsaWNLZXkpLFxuICAgIHNpZ25Qcml2YXRlOiBzaWduaW5nLnByaXZhdGVLZXksXG4gICAgZGhQcml2YXRlOiBhZ3JlZW1lbnQucHJpdmF0ZUtleSxcbiAgfTtcbn1cblxuaW50ZXJmYWNlIElkZW50aXR5RmlsZVYxIHtcbiAgdmVyc2lvbjogMTtcbiAgLyoqIGJhc2U2NCBQS0NTICM4IERFUiAoUkZDIDg0MTAgXHUwMEE3Nykgb2YgdGhlIEVkMjU1MTkgcHJpdmF0ZSBrZXkuICovXG4gIHNpZ25Qcml2YXRlOiBzdHJpbmc7XG4gIC8qKiBiYXNlNjQgUEtDUyAjOCBERVIgb2YgdGhlIFgyNTUxOSBwcml2YXRlIGtleS4gKi9cbiAgZGhQcml2YXRlOiBzdHJpbmc7XG59XG5cbi8qKiBKU09OIGhvbGRpbmcgYm90aCBwcml2YXRlIGtleXMgKHB1YmxpYyBrZXlzIGFyZSByZWNvbXB1dGVkIGZyb20gdGhlbSBvbiBsb2FkKS4gU2VjcmV0ISAqL1xuZXhwb3J0IGZ1bmN0aW9uIHNlcmlhbGl6ZUlkZW50aXR5KGlkOiBJZGVudGl0eSk6IHN0cmluZyB7XG4gIGNvbnN0IGZpbGU6IElkZW50aXR5RmlsZVYxID0ge1xuICAgIHZlcnNpb246IElERU5USVRZX0ZPUk1BVF9WRVJTSU9OLFxuICAgIHNpZ25Qcml2YXRlOiBpZC5zaWduUHJpdmF0ZS5leHBvcnQoeyBmb3JtYXQ6ICdkZXInLCB0eXBlOiAncGtjczgnIH0pLnRvU3RyaW5nKCdiYXNlNjQnKSxcbiAgICBkaFByaXZhdGU6IGlkLmRoUHJpdmF0ZS5leHBvcnQoeyBmb3JtYXQ6ICdkZXInLCB0eXBlOiAncGtjczgnIH0pLnRvU3RyaW5nKCdiYXNlNjQnKSxcbiAgfTtcbiAgcmV0dXJuIEpTT04uc3RyaW5naWZ5KGZpbGUpICsgJ1xcbic7XG59XG5cbmNvbnN0IEJBU0U2NCA9IC9eW0EtWmEtejAtOSsvXSs9ezAsMn0kLztcblxuZnVuY3Rpb24gcHJpdmF0ZUtleUZpZWxkKHZhbHVlOiB1bmtub3duLCBmaWVsZDogc3RyaW5nLCB0eXBlOiBQdWJsaWNLZXlUeXBlKTogS2V5T2JqZWN0IHtcbiAgaWYgKHR5cGVvZiB2YWx1ZSAhPT0gJ3N0cmluZycgfHwgIUJBU0U2NC50ZXN0KHZhbHVlKSkge1xuICAgIHRocm93IG5ldyBJZGVudGl0eUVycm9yKCdJREVOVElUWV9JTlZBTElEJywgYGlkZW50aXR5OiBcIiR7ZmllbGR9XCIgbXVzdCBiZSBhIGJhc2U2NCBzdHJpbmdgKTtcbiAgfVxuICBsZXQga2V5OiBLZXlPYmplY3Q7XG4gIHRyeSB7XG4gICAga2V5ID0gY3JlYXRlUHJpdmF0ZUtleSh7IGtleTogQnVmZmVyLmZyb20odmFsdWUsICdiYXNlNjQnKSwgZm9ybWF0OiAnZGVyJywgdHlwZTogJ3BrY3M4JyB9KTtcbiAgfSBjYXRjaCB7XG4gICAgdGhyb3cgbmV3IElkZW50aXR5RXJyb3IoJ0lERU5USVRZX0lOVkFMSUQnLCBgaWRlbnRpdHk6IFwiJHtmaWVsZH1cIiBpcyBub3QgYSBQS0NTICM4IHByaXZhdGUga2V5YCk7XG4gIH1cbiAgaWYgKGtleS5hc3ltbWV0cmljS2V5VHlwZSAhPT0gdHlwZSkge1xuICAgIHRocm93IG5ldyBJZGVudGl0eUVycm9yKCdJREVOVElUWV9JTlZBTElEJywgYGlkZW50aXR5OiBcIiR7ZmllbGR9XCIgaXMgYSAke2tleS5hc3ltbWV0cmljS2V5VHlwZSA/PyAndW5rbm93bid9IGtleSwgZXhwZWN0ZWQgJHt0eXBlfWApO1xuICB9XG4gIHJldHVybiBrZXk7XG59XG5cbi8qKiBQYXJzZXMgc2VyaWFsaXplSWRlbnRpdHkncyBvdXRwdXQuIFRocm93cyBJZGVudGl0eUVycm9yIChjb2RlIElERU5USVRZX0lOVkFMSUQpIG9uIGFueXRoaW5nIGVsc2UuICovXG5leHBvcnQgZnVuY3Rpb24gZGVzZXJpYWxpemVJZGVudGl0eShzOiBzdHJpbmcpOiBJZGVudGl0eSB7XG4gIGxldCBwYXJzZWQ6IHVua25vd247XG4gIHRyeSB7XG4gICAgcGFyc2VkID0gSlNPTi5wYXJzZShzKTtcbiAgfSBjYXRjaCB7XG4gICAgdGhyb3cgbmV3IElkZW50aXR5RXJyb3IoJ0lERU5USVRZX0lOVkFMSUQnLCAnaWRlbnRpdHk6IG5vdCB2YWxpZCBKU09OJyk7XG4gIH1cbiAgaWYgKHR5cGVvZiBwYXJzZWQgIT09ICdvYmplY3QnIHx8IHBhcnNlZCA9PT0gbnVsbCB8fCBBcnJheS5pc0FycmF5KHBhcnNlZCkpIHtcbiAgICB0aHJvdyBuZXcgSWRlbnRpdHlFcnJvcignSURFTlRJVFlfSU5WQUxJRCcsICdpZGVudGl0eTogZXhwZWN0ZWQgYSBKU09OIG9iamVjdCcpO1xuICB9XG4gIGNvbnN0IHJlY29yZCA9IHBhcnNlZCBhcyBSZWNvcmQ8c3RyaW5nLCB1bmtub3duPjtcbiAgaWYgKHJlY29yZC52ZXJzaW9uICE9PSBJREVOVElUWV9GT1JNQVRfVkVSU0lPTikge1xuICAgIHRocm93IG5ldyBJZGVudGl0eUVycm9yKFxuICAgICAgJ0lERU5USVRZX0lOVkFMSUQnLFxuICAgICAgYGlkZW50aXR5OiB1bnN1cHBvcnRlZCB2ZXJzaW9uICR7SlNPTi5zdHJpbmdpZnkocmVjb3JkLnZlcnNpb24pfSAodGhpcyBidWlsZCByZWFkcyB2ZXJzaW9uICR7SURFTlRJVFlfRk9STUFUX1ZFUlNJT059KWAsXG4gICAgKTtcbiAgfVxuICBjb25zdCBzaWduUHJpdmF0ZSA9IHByaXZhdGVLZXlGaWVsZChyZWNvcmQuc2lnblByaXZhdGUsICdzaWduUHJpdmF0ZScsICdlZDI1NTE5Jyk7XG4gIGNvbnN0IGRoUHJpdmF0ZSA9IHByaXZhdGVLZXlGaWVsZChyZWNvcmQuZGhQcml2YXRlLCAnZGhQcml2YXRlJywgJ3gyNTUxOScpO1xuICByZXR1cm4geyBzaWduUHVibGljOiByYXdQdWJsaWNLZXkoc2lnblByaXZhdGUpLCBkaFB1YmxpYzogcmF3UHVibGljS2V5KGRoUHJpdmF0ZSksIHNpZ25Qcml2YXRlLCBkaFByaXZhdGUgfTtcbn1cblxuLy8gLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tXG4vLyBUaGUgaWRlbnRpdHkgZmlsZVxuXG5jb25zdCBjaGVja3NGaWxlTW9kZXMgPSBwcm9jZXNzLnBsYXRmb3JtICE9PSAnd2luMzInOyAvLyBXaW5kb3dzIGhhcyBBQ0xzLCBub3QgUE9TSVggbW9kZSBiaXRzXG5cbmZ1bmN0aW9uIGVycm9yQ29kZShlcnJvcjogdW5rbm93bik6IHN0cmluZyB8IHVuZGVmaW5lZCB7XG4gIHJldHVybiB0eXBlb2YgZXJyb3IgPT09ICdvYmplY3QnICYmIGVycm9yICE9PSBudWxsICYmICdjb2RlJyBpbiBlcnJvciA/IFN0cmluZygoZXJyb3IgYXMgeyBjb2RlOiB1bmtub3duIH0pLmNvZGUpIDogdW5kZWZpbmVkO1xufVxuXG4vKipcbiAqIFJlYWRzIGFuIGV4aXN0aW5nIGlkZW50aXR5IGZpbGUsIHJlZnVzaW5nIChsaWtlIE9wZW5TU0gncyBTdHJpY3RNb2Rlcykgb25lIHRoYXQgZ3JvdXAgb3JcbiAqIG90aGVycyBtYXkgcmVhZCBvciB0aGF0IGFub3RoZXIgdXNlciBvd25zLiBDaGVja3MgdGhlIG9wZW4gZGVzY3JpcHRvciwgc28gdGhlIGZpbGUgY2hlY2tlZFxuICogaXMgdGhlIGZpbGUgcmVhZC4gVGhyb3dzIHRoZSBmcyBlcnJvciAoY29kZSBFTk9FTlQpIGlmIHRoZSBmaWxlIGRvZXMgbm90IGV4aXN0LlxuICovXG5leHBvcnQgZnVuY3Rpb24gbG9hZElkZW50aXR5RmlsZShwYXRoOiBzdHJpbmcpOiBJZGVudGl0eSB7XG4gIGNvbnN0IGZkID0gZnMub3BlblN5bmMocGF0aCwgJ3InKTtcbiAgdHJ5IHtcbiAgICBjb25zdCBzdGF0ID0gZnMuZnN0YXRTeW5jKGZkKTtcbiAgICBpZiAoIXN0YXQuaXNGaWxlKCkpIHtcbiAgICAgIHRocm93IG5ldyBJZGVudGl0eUVycm9yKCdJREVOVElUWV9GSUxFX05PVF9SRUdVTEFSJywgYElkZW50aXR5IGZpbGUgJHtwYXRofSBpcyBub3QgYSByZWd1bGFyIGZpbGUuIFJlbW92ZSBpdCBvciBjaG9vc2UgYW5vdGhlciBwYXRoLmApO1xuICAgIH1cbiAgICBpZiAoY2hlY2tzRmlsZU1vZGVzKSB7XG4gICAgICBjb25zdCBtb2RlID0gc3RhdC5tb2RlICYgMG83Nzc7XG4gICAgICBpZiAoKG1vZGUgJiBHUk9VUF9PVEhFUl9CSVRTKSAhPT0gMCkge1xuICAgICAgICB0aHJvdyBuZXcgSWRlbnRpdHlFcnJvcihcbiAgICAgICAgICAnSURFTlRJVFlfRklMRV9JTlNFQ1VSRScsXG4gICAgICAgICAgYElkZW50aXR5IGZpbGUgJHtwYXRofSBjYW4gYmUgcmVhZCBieSBvdGhlciB1c2VycyAobW9kZSAke21vZGUudG9TdHJpbmcoOCkucGFkU3RhcnQoNCwgJzAnKX0pLiBgICtcbiAgICAgICAgICAgIGBSdW4gXCJjaG1vZCA2MDAgJHtwYXRofVwiIGFuZCB0cnkgYWdhaW4uYCxcbiAgICAgICAgKTtcbiAgICAgIH1cbiAgICAgIGNvbnN0IHVpZCA9IHByb2Nlc3MuZ2V0dWlkPy4oKTtcbiAgICAgIGlmICh1aWQgIT09IHVuZGVmaW5lZCAmJiBzdGF0LnVpZCAhPT0gdWlkKSB7XG4gICAgICAgIHRocm93IG5ldyBJZGVudGl0eUVycm9yKFxuICAgICAgICAgICdJREVOVElUWV9GSUxFX05PVF9PV05FRCcsXG4gICAgICAgICAgYElkZW50aXR5IGZpbGUgJHtwYXRofSBiZWxvbmdzIHRvIGFub3RoZXIgdXNlciAodWlkICR7c3RhdC51aWR9KS4gVXNlIHlvdXIgb3duIGlkZW50aXR5IGZpbGUuYCxcbiAgICAgICAgKTtcbiAgICAgIH1cbiAgICB9XG4gICAgY29uc3QgdGV4dCA9IGZzLnJlYWRGaWxlU3luYyhmZCwgJ3V0ZjgnKTtcbiAgICB0cnkge1xuICAgICAgcmV0dXJuIGRlc2VyaWFsaXplSWRlbnRpdHkodGV4dCk7XG4gICAgfSBjYXRjaCAoZXJyb3IpIHtcbiAgICAgIGlmIChlcnJvciBpbnN0YW5jZW9mIElkZW50aXR5RXJyb3IpIHtcbiAgICAgICAgdGhyb3cgbmV3IElkZW50aXR5RXJyb3IoXG4gICAgICAgICAgZXJyb3IuY29kZSxcbiAgICAgICAgICBgJHtlcnJvci5tZXNzYWdlfSBpbiAke3BhdGh9LiBSZXN0b3JlIHRoZSBmaWxlIGZyb20gYSBiYWNrdXAsIG9yIGRlbGV0ZSBpdCB0byBjcmVhdGUgYSBuZXcgaWRlbnRpdHkgKHlvdXIgZmluZ2VycHJpbnQgd2lsbCBjaGFuZ2UpLmAsXG4gICAgICAgICk7XG4gICAgICB9XG4gICAgICB0aHJvdyBlcnJvcjtcbiAgICB9XG4gIH0gZmluYWxseSB7XG4gICAgZnMuY2xvc2VTeW5jKGZkKTtcbiAgfVxufVxuXG4vKipcbiAqIExvYWRzIHRoZSBpZGVudGl0eSBhdCBgcGF0aGAsIGNyZWF0aW5nIGl0IGZpcnN0IGlmIGl0IGRvZXMgbm90IGV4aXN0OiBtaXNzaW5nIGRpcmVjdG9yaWVzIGFyZVxuICogY3JlYXRlZCB3aXRoIG1vZGUgMDcwMCwgdGhlIGZpbGUgd2l0aCBtb2RlIDA2MDAuIENyZWF0aW9uIGlzIGF0b21pYyBhbmQgbmV2ZXIgb3ZlcndyaXRlczpcbiAqIHRoZSBpZGVudGl0eSBpcyB3cml0dGVuIGFuZCBmc3luY2VkIHRvIGEgdGVtcG9yYXJ5IGZpbGUgaW4gdGhlIHNhbWUgZGlyZWN0b3J5LCB0aGVuIGhhcmQtbGlua2VkXG4gKiBpbnRvIHBsYWNlIChsaW5rIGZhaWxzIGlmIHRoZSBuYW1lIGV4aXN0cywgdW5saWtlIHJlbmFtZSksIHNvIGEgY3Jhc2ggbmV2ZXIgbGVhdmVzIGEgcGFydGlhbFxuICogZmlsZSBhbmQgdHdvIHByb2Nlc3NlcyBzdGFydGluZyBhdCBvbmNlIGVuZCB1cCB3aXRoIHRoZSBzYW1lIGlkZW50aXR5LiBPbiBhIGZpbGUgc3lzdGVtXG4gKiB3aXRob3V0IGhhcmQgbGlua3MgaXQgZmFsbHMgYmFjayB0byByZW5hbWUuXG4gKi9cbmV4cG9ydCBmdW5jdGlvbiBsb2FkT3JDcmVhdGVJZGVudGl0eUZpbGUocGF0aDogc3RyaW5nKTogSWRlbnRpdHkge1xuICB0cnkge1xuICAgIHJldHVybiBsb2FkSWRlbnRpdHlGaWxlKHBhdGgpO1xuICB9IGNhdGNoIChlcnJvcikge1xuICAgIGlmIChlcnJvckNvZGUoZXJyb3IpICE9PSAnRU5PRU5UJykgdGhyb3cgZXJyb3I7XG4gIH1cbiAgY29uc3QgZGlyID0gbm9kZVBhdGguZGlybmFtZShwYXRoKTtcbiAgY29uc3QgZmlyc3RDcmVhdGVkID0gZnMubWtkaXJTeW5jKGRpciwgeyByZWN1cnNpdmU6IHRydWUsIG1vZGU6IElERU5USVRZX0RJUl9NT0RFIH0pO1xuICBpZiAoZmlyc3RDcmVhdGVkICE9PSB1bmRlZmluZWQgJiYgY2hlY2tzRmlsZU1vZGVzKSBmcy5jaG1vZFN5bmMoZGlyLCBJREVOVElUWV9ESVJfTU9ERSk7IC8vIGV4YWN0IG1vZGUgd2hhdGV2ZXIgdGhlIHVtYXNrXG4gIGNvbnN0IHRtcCA9IG5vZGVQYXRoLmpvaW4oZGlyLCBgLiR7bm9kZVBhdGguYmFzZW5hbWUocGF0aCl9LiR7cHJvY2Vzcy5waWR9LiR7cmFuZG9tQnl0ZXMoNikudG9TdHJpbmcoJ2hleCcpfS50bXBgKTtcbiAgY29uc3QgaWRlbnRpdHkgPSBnZW5lcmF0ZUlkZW50aXR5KCk7XG4gIGNvbnN0IGZkID0gZnMub3BlblN5bmModG1wLCAnd3gnLCBJREVOVElUWV9GSUxFX01PREUpO1xuICB0cnkge1xuICAgIGlmIChjaGVja3NGaWxlTW9kZXMpIGZzLmZjaG1vZFN5bmMoZmQsIElERU5USVRZX0ZJTEVfTU9ERSk7XG4gICAgZnMud3JpdGVGaWxlU3luYyhmZCwgc2VyaWFsaXplSWRlbnRpdHkoaWRlbnRpdHkpLCAndXRmOCcpO1xuICAgIGZzLmZzeW5jU3luYyhmZCk7XG4gIH0gY2F0Y2ggKGVycm9yKSB7XG4gICAgZnMuY2xvc2VTeW5jKGZkKTtcbiAgICBmcy5ybVN5bmModG1wLCB7IGZvcmNlOiB0cnVlIH0pO1xuICAgIHRocm93IGVycm9yO1xuICB9XG4gIGZzLmNsb3NlU3luYyhmZCk7XG4gIHRyeSB7XG4gICAgZnMubGlua1N5bmModG1wLCBwYXRoKTtcbiAgfSBjYXRjaCAoZXJyb3IpIHtcbiAgICBjb25zdCBjb2RlID0gZXJyb3JDb2RlKGVycm9yKTtcbiAgICBpZiAoY29kZSA9PT0gJ0VFWElTVCcpIHtcbiAgICAgIGZzLnJtU3luYyh0bXAsIHsgZm9yY2U6IHRydWUgfSk7XG4gICAgICByZXR1cm4gbG9hZElkZW50aXR5RmlsZShwYXRoKTsgLy8gYW5vdGhlciBwcm9jZXNzIGNyZWF0ZWQgaXQgZmlyc3Q6IHVzZSB0aGVpcnNcbiAgICB9XG4gICAgaWYgKGNvZGUgPT09ICdFUEVSTScgfHwgY29kZSA9PT0gJ0VOT1RTVVAnIHx8IGNvZGUgPT09ICdFT1BOT1RTVVBQJyB8fCBjb2RlID09PSAnRU5PU1lTJykge1xuICAgICAgZnMucmVuYW1lU3luYyh0bXAsIHBhdGgpO1xuICAgICAgc3luY0RpcmVjdG9yeShkaXIpO1xuICAgICAgcmV0dXJuIGlkZW50aXR5O1xuICAgIH1cbiAgICBmcy5ybVN5bmModG1wLCB7IGZvcmNlOiB0cnVlIH0pO1xuICAgIHRocm93IGVycm9yO1xuICB9XG4gIGZzLnJtU3luYyh0bXAsIHsgZm9yY2U6IHRydWUgfSk7XG4gIHN5bmNEaXJlY3RvcnkoZGlyKTtcbiAgcmV0dXJuIGlkZW50aXR5O1xufVxuXG4vKiogTWFrZXMgdGhlIG5ldyBkaXJlY3RvcnkgZW50cnkgZHVyYWJsZTsgYmVzdCBlZmZvcnQgKG5vdCBwb3NzaWJsZSBvbiBldmVyeSBwbGF0Zm9ybSkuICovXG5mdW5jdGlvbiBzeW5jRGlyZWN0b3J5KGRpcjogc3RyaW5nKTogdm9pZCB7XG4gIGxldCBmZDogbnVtYmVyIHwgdW5kZWZpbmVkO1xuICB0cnkge1xuICAgIGZkID0gZnMub3BlblN5bmMoZGlyLCAncicpO1xuICAgIGZzLmZzeW5jU3luYyhmZCk7XG4gIH0gY2F0Y2gge1xuICAgIC8vIFdpbmRvd3MgY2Fubm90IG9wZW4gZGlyZWN0b3JpZXM7IHRoZSBmaWxlJ3Mgb3duIGRhdGEgd2FzIGFscmVhZHkgZnN5bmNlZC5cbiAgfSBmaW5hbGx5IHtcbiAgICBpZiAoZmQgIT09IHVuZGVmaW5lZCkgZnMuY2xvc2VTeW5jKGZkKTtcbiAgfVxufVxuXG4vLyAtLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS1cbi8vIEZpbmdlcnByaW50cyBhbmQgc2lnbmF0dXJlc1xuXG4vKipcbiAqIEh1bWFuLWNvbXBhcmFibGUgZmluZ2VycHJpbnQgb2YgYSBzaWduaW5nIGtleTogdGhlIGZpcnN0IEZJTkdFUlBSSU5UX0JZVEVTIG9mIGl0cyBTSEEtMjU2LFxuICogYXMgNSBncm91cHMgb2YgNCBsb3dlcmNhc2UgaGV4IGRpZ2l0cyAoXCJhYjEyIGNkMzQgZWY1NiA3ODkwIDEyMzRcIikuXG4gKi9cbmV4cG9ydCBmdW5jdGlvbiBmaW5nZXJwcmludChzaWduUHVibGljOiBCdWZmZXIpOiBzdHJpbmcge1xuICBpZiAoIUJ1ZmZlci5pc0J1ZmZlcihzaWduUHVibGljKSB8fCBzaWduUHVibGljLmxlbmd0aCAhPT0gUFVCTElDX0tFWV9CWVRFUykge1xuICAgIHRocm93IG5ldyBSYW5nZUVycm9yKGBzaWduaW5nIHB1YmxpYyBrZXkgbXVzdCBiZSAke1BVQkxJQ19LRVlfQllURVN9IGJ5dGVzYCk7XG4gIH1cbiAgY29uc3QgaGV4ID0gY3JlYXRlSGFzaCgnc2hhMjU2JykudXBkYXRlKHNpZ25QdWJsaWMpLmRpZ2VzdCgpLnN1YmFycmF5KDAsIEZJTkdFUlBSSU5UX0JZVEVTKS50b1N0cmluZygnaGV4Jyk7XG4gIGNvbnN0IGdyb3Vwczogc3RyaW5nW10gPSBbXTtcbiAgZm9yIChsZXQgaSA9IDA7IGkgPCBoZXgubGVuZ3RoOyBpICs9IEZJTkdFUlBSSU5UX0dST1VQX0NIQVJTKSBncm91cHMucHVzaChoZXguc2xpY2UoaSwgaSArIEZJTkdFUlBSSU5UX0dST1VQX0NIQVJTKSk7XG4gIHJldHVybiBncm91cHMuam9pbignICcpO1xufVxuXG4vKiogRWQyNTUxOSBzaWduYXR1cmUgKFJGQyA4MDMyIFx1MDBBNzUuMS42LCBwdXJlIEVkMjU1MTk6IG5vIHByZS1oYXNoKSBvZiBgZGF0YWA6IDY0IGJ5dGVzLiAqL1xuZXhwb3J0IGZ1bmN0aW9uIHNpZ25EYXRhKGlkOiBJZGVudGl0eSwgZGF0YTogQnVmZmVyKTogQnVmZmVyIHtcbiAgcmV0dXJuIHNpZ24obnVsbCwgZGF0YSwgaWQuc2lnblByaXZhdGUpO1xufVxuXG4vKiogVHJ1ZSBvbmx5IGlmIGBzaWdgIGlzIGEgdmFsaWQgRWQyNTUxOSBzaWduYXR1cmUgb2YgYGRhdGFgIGJ5IGBzaWduUHVibGljYC4gTmV2ZXIgdGhyb3dzLiAqL1xuZXhwb3J0IGZ1bmN0aW9uIHZlcmlmeVNpZ25hdHVyZShzaWduUHVibGljOiBCdWZmZXIsIGRhdGE6IEJ1ZmZlciwgc2lnOiBCdWZmZXIpOiBib29sZWFuIHtcbiAgaWYgKCFCdWZmZXIuaXNCdWZmZXIoc2lnblB1YmxpYykgfHwgc2lnblB1YmxpYy5sZW5ndGggIT09IFBVQkxJQ19LRVlfQllURVMpIHJldHVybiBmYWxzZTtcbiAgaWYgKCFCdWZmZXIuaXNCdWZmZXIoc2lnKSB8fCBzaWcubGVuZ3RoICE9PSBTSUdOQVRVUkVfQllURVMgfHwgIUJ1ZmZlci5pc0J1ZmZlcihkYXRhKSkgcmV0dXJuIGZhbHNlO1xuICB0cnkge1xuICAgIHJldHVybiB2ZXJpZnkobnVsbCwgZGF0YSwgcHVibGljS2V5RnJvbVJhdygnZWQyNTUxOScsIHNpZ25QdWJsaWMpLCBzaWcpO1xuICB9IGNhdGNoIHtcbiAgICByZXR1cm4gZmFsc2U7XG4gIH1cbn1cblxuZnVuY3Rpb24gZGhCaW5kaW5nTWVzc2FnZShzaWduUHVibGljOiBCdWZmZXIsIGRoUHVibGljOiBCdWZmZXIpOiBCdWZmZXIge1xuICByZXR1cm4gQnVmZmVyLmNvbmNhdChbREhfQklORElOR19DT05URVhULCBzaWduUHVibGljLCBkaFB1YmxpY10pO1xufVxuXG4vKipcbiAqIFNpZ25hdHVyZSBieSB0aGUgaWRlbnRpdHkncyBzaWduaW5nIGtleSBvdmVyIGl0cyBESCBrZXkuIFB1Ymxpc2ggaXQgd2l0aCB0aGUgcHVibGljIGtleXM6XG4gKiBmaW5nZXJwcmludHMgY292ZXIgb25seSB0aGUgc2lnbmluZyBrZXksIHNvIHdpdGhvdXQgdGhpcyBzaWduYXR1cmUgYSByZWxheSBjb3VsZCBwYWlyIGFcbiAqIHZpY3RpbSdzIHNpZ25pbmcga2V5IHdpdGggaXRzIG93biBESCBrZXkgYW5kIHNpdCBpbiB0aGUgbWlkZGxlIG9mIGV2ZXJ5IGhhbmRzaGFrZS5cbiAqL1xuZXhwb3J0IGZ1bmN0aW9uIHNpZ25EaEJpbmRpbmcoaWQ6IElkZW50aXR5KTogQnVmZmVyIHtcbiAgcmV0dXJuIHNpZ25EYXRhKGlkLCBkaEJpbmRpbmdNZXNzYWdlKGlkLnNpZ25QdWJsaWMsIGlkLmRoUHVibGljKSk7XG59XG5cbi8qKiBDaGVja3MgYSBzaWduRGhCaW5kaW5nIHNpZ25hdHVyZS4gTmV2ZXIgdGhyb3dzLiBWZXJpZnkgaXQgYmVmb3JlIGhhbmRzaGFraW5nIHdpdGggYGRoUHVibGljYC4gKi9cbmV4cG9ydCBmdW5jdGlvbiB2ZXJpZnlEaEJpbmRpbmcoc2lnblB1YmxpYzogQnVmZmVyLCBkaFB1YmxpYzogQnVmZmVyLCBzaWc6IEJ1ZmZlcik6IGJvb2xlYW4ge1xuICBpZiAoIUJ1ZmZlci5pc0J1ZmZlcihkaFB1YmxpYykgfHwgZGhQdWJsaWMubGVuZ3RoICE9PSBQVUJMSUNfS0VZX0JZVEVTKSByZXR1cm4gZmFsc2U7XG4gIGlmICghQnVmZmVyLmlzQnVmZmVyKHNpZ25QdWJsaWMpIHx8IHNpZ25QdWJsaWMubGVuZ3RoICE9PSBQVUJMSUNfS0VZX0JZVEVTKSByZXR1cm4gZmFsc2U7XG4gIHJldHVybiB2ZXJpZnlTaWduYXR1cmUoc2lnblB1YmxpYywgZGhCaW5kaW5nTWVzc2FnZShzaWduUHVibGljLCBkaFB1YmxpYyksIHNpZyk7XG59XG4iLCAiLyoqXG4gKiBFcnJvciBjb2RlcyBhIHVzZXIgb3Igc2NyaXB0IGNhbiBtZWV0LiBUaGUgc2FtZSBjb2RlIGFwcGVhcnMgb24gdGhlIHdpcmUgKGFzIGl0cyBudW1iZXIpLFxuICogaW4gdGhlIHRlcm1pbmFsIGNsaWVudCdzIEpTT04gKGBlcnJvciB7Y29kZSwgbWVzc2FnZX1gKSBhbmQgaW4gdGhlIGV4dGVuc2lvbidzIG1lc3NhZ2VzLlxuICovXG5leHBvcnQgY29uc3QgRVJST1JfQ09ERVMgPSBbXG4gICdOSUNLX1RBS0VOJyxcbiAgJ05JQ0tfSU5WQUxJRCcsXG4gICdVTktOT1dOX1BFRVInLFxuICAnTk9UX1JFR0lTVEVSRUQnLFxuICAnUkVMQVlfVU5SRUFDSEFCTEUnLFxuICAnUkVMQVlfRlVMTCcsXG4gICdSRUxBWV9TSFVURE9XTicsXG4gICdCQURfU0VDUkVUJyxcbiAgJ0JBRF9TSUdOQVRVUkUnLFxuICAnUkFURV9MSU1JVEVEJyxcbiAgJ01FU1NBR0VfVE9PX0xPTkcnLFxuICAnQkFEX0NPT0tJRScsXG4gICdGSUxFX05PVF9GT1VORCcsXG4gICdQQVRIX09VVFNJREVfU0hBUkUnLFxuICAnTk9UX0FfRklMRScsXG4gICdOT19TSEFSRURfRk9MREVSJyxcbiAgJ0ZJTEVfVE9PX0xBUkdFJyxcbiAgJ0RFQ0xJTkVEJyxcbiAgJ0NBTkNFTExFRCcsXG4gICdIQVNIX01JU01BVENIJyxcbiAgJ1RJTUVPVVQnLFxuICAnSU9fRVJST1InLFxuICAnUEVFUl9MRUZUJyxcbiAgJ1BFRVJfS0VZX0NIQU5HRUQnLFxuICAnQkFEX0NPTU1BTkQnLFxuICAnSU5URVJOQUwnLFxuXSBhcyBjb25zdDtcblxuZXhwb3J0IHR5cGUgRXJyb3JDb2RlID0gKHR5cGVvZiBFUlJPUl9DT0RFUylbbnVtYmVyXTtcblxuLyoqIFdpcmUgbnVtYmVyIG9mIGEgY29kZTogaXRzIGluZGV4ICsgMSAoMCBpcyBcIm5vIGVycm9yXCIpLiBBcHBlbmQgb25seTsgbmV2ZXIgcmVvcmRlci4gKi9cbmV4cG9ydCBmdW5jdGlvbiBlcnJvckNvZGVUb1dpcmUoY29kZTogRXJyb3JDb2RlKTogbnVtYmVyIHtcbiAgcmV0dXJuIEVSUk9SX0NPREVTLmluZGV4T2YoY29kZSkgKyAxO1xufVxuXG5leHBvcnQgZnVuY3Rpb24gZXJyb3JDb2RlRnJvbVdpcmUobjogbnVtYmVyKTogRXJyb3JDb2RlIHwgdW5kZWZpbmVkIHtcbiAgcmV0dXJuIEVSUk9SX0NPREVTW24gLSAxXTtcbn1cblxuLyoqIFdoYXQgdGhlIHVzZXIgc2hvdWxkIHJlYWQsIGFuZCB3aGF0IHRvIGRvIG5leHQsIGZvciBlYWNoIGNvZGUuICovXG5leHBvcnQgY29uc3QgRVJST1JfSElOVFM6IFJlY29yZDxFcnJvckNvZGUsIHN0cmluZz4gPSB7XG4gIE5JQ0tfVEFLRU46ICdUaGF0IG5pY2tuYW1lIGlzIGluIHVzZS4gUGljayBhbm90aGVyIG9uZS4nLFxuICBOSUNLX0lOVkFMSUQ6ICdOaWNrbmFtZXMgYXJlIDFcdTIwMTMyNCBsZXR0ZXJzLCBkaWdpdHMsIFwiX1wiLCBcIi1cIiBvciBcIi5cIiBhbmQgc3RhcnQgd2l0aCBhIGxldHRlciBvciBkaWdpdC4nLFxuICBVTktOT1dOX1BFRVI6ICdObyBvbmUgd2l0aCB0aGF0IG5pY2tuYW1lIGlzIG9ubGluZS4gVXNlIC93aG8gdG8gc2VlIHdobyBpcy4nLFxuICBOT1RfUkVHSVNURVJFRDogJ05vdCBqb2luZWQgeWV0LiBXYWl0IGZvciB0aGUgcmVsYXkgdG8gYWNjZXB0IHRoZSBuaWNrbmFtZS4nLFxuICBSRUxBWV9VTlJFQUNIQUJMRTogJ1RoZSByZWxheSBkb2VzIG5vdCBhbnN3ZXIuIENoZWNrIHRoZSBhZGRyZXNzLCBvciBzdGFydCBvbmUgd2l0aCBgbnBtIHN0YXJ0YDsgcmV0cnlpbmcuJyxcbiAgUkVMQVlfRlVMTDogJ1RoZSByZWxheSBob2xkcyBhcyBtYW55IHVzZXJzIGFzIGl0IGNhbi4gVHJ5IGFnYWluIGxhdGVyIG9yIHVzZSBhbm90aGVyIHJlbGF5LicsXG4gIFJFTEFZX1NIVVRET1dOOiAnVGhlIHJlbGF5IGlzIHNodXR0aW5nIGRvd24uIFRoZSBjbGllbnQgd2lsbCByZWpvaW4gd2hlbiBpdCBpcyBiYWNrLicsXG4gIEJBRF9TRUNSRVQ6ICdUaGUgcmVsYXkgd2FudHMgYW4gaW52aXRhdGlvbiBzZWNyZXQsIGFuZCB0aGUgb25lIGdpdmVuIGlzIG1pc3Npbmcgb3Igd3JvbmcuJyxcbiAgQkFEX1NJR05BVFVSRTogJ1RoZSByZWxheSBjb3VsZCBub3QgdmVyaWZ5IHRoaXMgY2xpZW50XFwncyBrZXkuIFJlc3RhcnQgdGhlIGNsaWVudC4nLFxuICBSQVRFX0xJTUlURUQ6ICdUb28gbXVjaCB0cmFmZmljOyBzbG93IGRvd24uJyxcbiAgTUVTU0FHRV9UT09fTE9ORzogJ01lc3NhZ2UgdG9vIGxvbmc6IHNlbmQgaXQgYXMgYSBmaWxlIGluc3RlYWQuJyxcbiAgQkFEX0NPT0tJRTogJ1RoZSByZWxheSBkaWQgbm90IGFjY2VwdCB0aGUgYWRkcmVzcyBjaGVjazsgcmV0cnlpbmcuJyxcbiAgRklMRV9OT1RfRk9VTkQ6ICdObyBzdWNoIGZpbGUuJyxcbiAgUEFUSF9PVVRTSURFX1NIQVJFOiAnT25seSBmaWxlcyBpbnNpZGUgdGhlIHNoYXJlZCBmb2xkZXIgY2FuIGJlIHJlcXVlc3RlZC4nLFxuICBOT1RfQV9GSUxFOiAnVGhhdCBpcyBub3QgYSByZWd1bGFyIGZpbGUuJyxcbiAgTk9fU0hBUkVEX0ZPTERFUjogJ1RoaXMgcGVlciBzaGFyZXMgbm8gZm9sZGVyLCBzbyBpdCBzZXJ2ZXMgbm8gcmVxdWVzdHMuJyxcbiAgRklMRV9UT09fTEFSR0U6ICdUaGUgZmlsZSBpcyBsYXJnZXIgdGhhbiB0aGUgcmVjZWl2ZXIgYWNjZXB0cy4nLFxuICBERUNMSU5FRDogJ1RoZSBwZWVyIGRlY2xpbmVkLicsXG4gIENBTkNFTExFRDogJ1RoZSB0cmFuc2ZlciB3YXMgY2FuY2VsbGVkLicsXG4gIEhBU0hfTUlTTUFUQ0g6ICdUaGUgcmVjZWl2ZWQgZmlsZSBkaWQgbm90IG1hdGNoIGl0cyBTSEEtMjU2OyBub3RoaW5nIHdhcyBrZXB0LicsXG4gIFRJTUVPVVQ6ICdUaGUgcGVlciBzdG9wcGVkIGFuc3dlcmluZy4nLFxuICBJT19FUlJPUjogJ0EgZmlsZSBjb3VsZCBub3QgYmUgcmVhZCBvciB3cml0dGVuLicsXG4gIFBFRVJfTEVGVDogJ1RoZSBwZWVyIGxlZnQgdGhlIGNoYXQuJyxcbiAgUEVFUl9LRVlfQ0hBTkdFRDogJ1RoaXMgcGVlclxcJ3Mga2V5IGNoYW5nZWQgc2luY2UgeW91IGxhc3QgdGFsa2VkLiBDb25maXJtIGl0IGlzIHJlYWxseSB0aGVtIGJlZm9yZSB0cnVzdGluZyBpdC4nLFxuICBCQURfQ09NTUFORDogJ1Vua25vd24gY29tbWFuZC4gVHlwZSAvaGVscC4nLFxuICBJTlRFUk5BTDogJ1NvbWV0aGluZyB3ZW50IHdyb25nIGluc2lkZSBQZWVyIENoYXQuIFNlZSB0aGUgbG9nLicsXG59O1xuXG4vKiogQW4gZXJyb3Igd2l0aCBhIGNvZGUsIHRocm93biBhbmQgY2F1Z2h0IGF0IEFQSSBib3VuZGFyaWVzLiAqL1xuZXhwb3J0IGNsYXNzIFBlZXJDaGF0RXJyb3IgZXh0ZW5kcyBFcnJvciB7XG4gIGNvbnN0cnVjdG9yKHJlYWRvbmx5IGNvZGU6IEVycm9yQ29kZSwgbWVzc2FnZT86IHN0cmluZykge1xuICAgIHN1cGVyKG1lc3NhZ2UgPz8gRVJST1JfSElOVFNbY29kZV0pO1xuICAgIHRoaXMubmFtZSA9ICdQZWVyQ2hhdEVycm9yJztcbiAgfVxufVxuIiwgIi8qKlxuICogRXZlcnkgcHJvdG9jb2wgbGltaXQgaW4gb25lIHBsYWNlLCBlYWNoIHdpdGggdGhlIHJlYXNvbiBpdCBoYXMgdGhlIHZhbHVlIGl0IGhhcy5cbiAqIEJvdGggdGhlIHJlbGF5IGFuZCB0aGUgY2xpZW50cyBpbXBvcnQgdGhlc2U7IGNoYW5naW5nIG9uZSBpcyBhIHByb3RvY29sIGNoYW5nZS5cbiAqL1xuXG4vKiogV2lyZSBmb3JtYXQgdmVyc2lvbiBjYXJyaWVkIGluIGV2ZXJ5IGRhdGFncmFtIGhlYWRlci4gQnVtcGVkIG9uIGFueSBpbmNvbXBhdGlibGUgY2hhbmdlLiAqL1xuZXhwb3J0IGNvbnN0IFBST1RPQ09MX1ZFUlNJT04gPSAxO1xuXG4vKiogRmlyc3QgYnl0ZSBvZiBldmVyeSBkYXRhZ3JhbTogbGV0cyBib3RoIGVuZHMgZGlzY2FyZCBzdHJheSB0cmFmZmljIG9uIHRoZSBwb3J0IGNoZWFwbHkuICovXG5leHBvcnQgY29uc3QgTUFHSUMgPSAweGM3O1xuXG4vKiogRml4ZWQgaGVhZGVyOiBtYWdpYywgdmVyc2lvbiwga2luZCwgZmxhZ3MsIHNyYyBpZCwgZHN0IGlkIChzZWUgaGVhZGVyLnRzKS4gKi9cbmV4cG9ydCBjb25zdCBIRUFERVJfQllURVMgPSAxMjtcblxuLyoqXG4gKiBMYXJnZXN0IGRhdGFncmFtIGFueW9uZSBtYXkgc2VuZCBieSBkZWZhdWx0LiAxMjAwIGJ5dGVzIGZpdHMgYW55IElQdjYgcGF0aCAobWluaW11bSBNVFUgMTI4MFxuICogbWludXMgSVAvVURQIGhlYWRlcnMpIGFuZCBzbyBpcyBzYWZlIGFjcm9zcyB0aGUgaW50ZXJuZXQsIGFzIGluIFFVSUMgKFJGQyA5MDAwIFx1MDBBNzE0KS5cbiAqL1xuZXhwb3J0IGNvbnN0IERFRkFVTFRfREFUQUdSQU1fQllURVMgPSAxMjAwO1xuXG4vKipcbiAqIExhcmdlc3QgZGF0YWdyYW0gdGhlIHJlbGF5IGFjY2VwdHMgYW5kIGZvcndhcmRzLiBVRFAgb3ZlciBJUHY0IHRvcHMgb3V0IGF0IDY1LDUwNyBieXRlcyBvZlxuICogcGF5bG9hZDsgbGFyZ2VyIGRhdGFncmFtcyBhcmUgdXNlZCBvbmx5IHdoZXJlIGEgcHJvYmUgc2hvd2VkIHRoZSBwYXRoIGNhcnJpZXMgdGhlbSAoUkZDIDg4OTkpLlxuICovXG5leHBvcnQgY29uc3QgTUFYX0RBVEFHUkFNX0JZVEVTID0gNjVfNTA3O1xuXG4vKiogRGVzdGluYXRpb24gaWQgbWVhbmluZyBcInRoZSByZWxheSBpdHNlbGZcIi4gKi9cbmV4cG9ydCBjb25zdCBEU1RfUkVMQVkgPSAwO1xuXG4vKiogRGVzdGluYXRpb24gaWQgbWVhbmluZyBcImV2ZXJ5IG90aGVyIHJlZ2lzdGVyZWQgY2xpZW50XCIuICovXG5leHBvcnQgY29uc3QgRFNUX0JST0FEQ0FTVCA9IDB4ZmZmZl9mZmZmO1xuXG4vKiogTmlja25hbWVzOiBhdCBtb3N0IHRoaXMgbWFueSBjaGFyYWN0ZXJzIChhZnRlciBORktDIG5vcm1hbGlzYXRpb24pLi4uICovXG5leHBvcnQgY29uc3QgTklDS19NQVhfQ0hBUlMgPSAyNDtcbi8qKiAuLi5hbmQgYXQgbW9zdCB0aGlzIG1hbnkgVVRGLTggYnl0ZXMsIHNvIGEgcm9zdGVyIGVudHJ5IHN0YXlzIHNtYWxsLiAqL1xuZXhwb3J0IGNvbnN0IE5JQ0tfTUFYX0JZVEVTID0gNjQ7XG5cbi8qKiBMb25nZXN0IGNoYXQgdGV4dCBpbiBVVEYtOCBieXRlczogb25lIG1lc3NhZ2UgZml0cyBvbmUgMTIwMC1ieXRlIGRhdGFncmFtIHdpdGggYWxsIGhlYWRlcnMuICovXG5leHBvcnQgY29uc3QgTUFYX0NIQVRfQllURVMgPSA5MDA7XG5cbi8qKiBMb25nZXN0IGZpbGUgbmFtZSBpbiBhbiBvZmZlciBvciByZXF1ZXN0IChVVEYtOCBieXRlcyk7IG1vc3QgZmlsZSBzeXN0ZW1zIGFsbG93IDI1NS4gKi9cbmV4cG9ydCBjb25zdCBNQVhfRklMRV9OQU1FX0JZVEVTID0gMjU1O1xuXG4vKiogTG9uZ2VzdCByZWxhdGl2ZSBwYXRoIGluIGEgZmlsZSByZXF1ZXN0IChVVEYtOCBieXRlcykuICovXG5leHBvcnQgY29uc3QgTUFYX1JFUVVFU1RfUEFUSF9CWVRFUyA9IDUxMjtcblxuLyoqIExvbmdlc3QgaHVtYW4tcmVhZGFibGUgZXJyb3IgbWVzc2FnZSBvbiB0aGUgd2lyZS4gKi9cbmV4cG9ydCBjb25zdCBNQVhfRVJST1JfTUVTU0FHRV9CWVRFUyA9IDMwMDtcblxuLyoqXG4gKiBDbGllbnQgc2VuZHMgYSBQSU5HIHRoaXMgb2Z0ZW4gKG1zKTsga2VlcHMgTkFUIGJpbmRpbmdzIGFsaXZlIGFuZCBsZXRzIHRoZSBjbGllbnQgbm90aWNlIGFcbiAqIGRlYWQgcmVsYXkgd2l0aGluIFJFTEFZX1VOUkVBQ0hBQkxFX0FGVEVSX01TIHBsdXMgb25lIGludGVydmFsLiAxMCwwMDAgaWRsZSBjbGllbnRzIGNvc3QgdGhlXG4gKiByZWxheSA1LDAwMCBzbWFsbCBkYXRhZ3JhbXMgYSBzZWNvbmQsIHdoaWNoIGl0IGhhbmRsZXMgZWFzaWx5LlxuICovXG5leHBvcnQgY29uc3QgS0VFUEFMSVZFX0lOVEVSVkFMX01TID0gMl8wMDA7XG5cbi8qKlxuICogVGhlIHJlbGF5IGRyb3BzIGEgY2xpZW50IGl0IGhhcyBub3QgaGVhcmQgZnJvbSBmb3IgdGhpcyBsb25nIChtcykgYW5kIGFubm91bmNlcyBpdCBhcyBnb25lOlxuICogc2V2ZXJhbCBtaXNzZWQga2VlcGFsaXZlcywgc28gYSBmZXcgbG9zdCBwaW5ncyBvciBhIHNob3J0IHN0YWxsIG5ldmVyIGV2aWN0IGFueW9uZS5cbiAqL1xuZXhwb3J0IGNvbnN0IENMSUVOVF9JRExFX1RJTUVPVVRfTVMgPSAxNV8wMDA7XG5cbi8qKiBUaGUgY2xpZW50IHJlcG9ydHMgUkVMQVlfVU5SRUFDSEFCTEUgd2hlbiBubyBhbnN3ZXIgY2FtZSBmb3IgdGhpcyBsb25nIChtcykuICovXG5leHBvcnQgY29uc3QgUkVMQVlfVU5SRUFDSEFCTEVfQUZURVJfTVMgPSAzXzAwMDtcblxuLyoqIFJvc3RlciBwYWdlczogZW50cmllcyBwZXIgUk9TVEVSIGRhdGFncmFtIGFyZSBib3VuZGVkIGJ5IERFRkFVTFRfREFUQUdSQU1fQllURVMuICovXG5leHBvcnQgY29uc3QgUk9TVEVSX1BBR0VfQllURVMgPSBERUZBVUxUX0RBVEFHUkFNX0JZVEVTIC0gSEVBREVSX0JZVEVTIC0gMTY7XG5cbi8qKlxuICogUHJlc2VuY2UgY2hhbmdlcyBhcmUgY29hbGVzY2VkIGZvciB0aGlzIGxvbmcgKG1zKSBiZWZvcmUgYSBmbHVzaC4gVGhlIHJlbGF5IHN0cmV0Y2hlcyB0aGVcbiAqIHdpbmRvdyBmb3IgbGFyZ2Ugcm9zdGVycyAoc2VlIHJlbGF5U2VydmVyLnRzKSBzbyB0aGF0IGEgZmx1c2ggbmV2ZXIgY29zdHMgbW9yZSBzZW5kcyB0aGFuIGl0IHNhdmVzLlxuICovXG5leHBvcnQgY29uc3QgUFJFU0VOQ0VfQ09BTEVTQ0VfTVMgPSAyMDtcblxuLyoqIEEgcmVnaXN0cmF0aW9uIGNvb2tpZSBpcyB2YWxpZCB0aGlzIGxvbmcgKG1zKTogZW5vdWdoIGZvciBhIHNsb3cgY2xpZW50IHRvIGFuc3dlci4gKi9cbmV4cG9ydCBjb25zdCBDT09LSUVfTElGRVRJTUVfTVMgPSAzMF8wMDA7XG5cbi8qKiBCeXRlcyBvZiBITUFDIGluIGEgY29va2llICh0cnVuY2F0ZWQgSE1BQy1TSEEtMjU2KS4gKi9cbmV4cG9ydCBjb25zdCBDT09LSUVfTUFDX0JZVEVTID0gMTY7XG5cbi8qKlxuICogQSBIRUxMTyBtdXN0IGJlIGF0IGxlYXN0IHRoaXMgbG9uZyAoYnl0ZXMsIHdob2xlIGRhdGFncmFtKSBzbyB0aGF0IHRoZSBDT09LSUUgYW5zd2VyXG4gKiAoaGVhZGVyICsgdG9rZW4gKyBjb29raWUgPSA0MCBieXRlcykgaXMgPCAzXHUwMEQ3IHdoYXQgYW4gdW52YWxpZGF0ZWQgYWRkcmVzcyBzZW50IChSRkMgOTAwMCBcdTAwQTc4LjEpLlxuICovXG5leHBvcnQgY29uc3QgTUlOX0hFTExPX0JZVEVTID0gNDA7XG5cbi8qKiBNb3N0IHJlZ2lzdGVyZWQgY2xpZW50cyBvbmUgcmVsYXkgYWNjZXB0czsgYmV5b25kIGl0LCBSRUdJU1RFUiBnZXRzIFJFTEFZX0ZVTEwuICovXG5leHBvcnQgY29uc3QgTUFYX0NMSUVOVFMgPSA1MF8wMDA7XG5cbi8qKiBQZXItY2xpZW50IHRva2VuIGJ1Y2tldCBhdCB0aGUgcmVsYXk6IHN1c3RhaW5lZCBkYXRhZ3JhbXMgcGVyIHNlY29uZC4uLiAqL1xuZXhwb3J0IGNvbnN0IENMSUVOVF9SQVRFX1BFUl9TRUMgPSAyMDBfMDAwO1xuLyoqIC4uLmFuZCB0aGUgYnVyc3QgaXQgbWF5IHNlbmQgYXQgb25jZS4gKi9cbmV4cG9ydCBjb25zdCBDTElFTlRfUkFURV9CVVJTVCA9IDIwXzAwMDtcblxuLyoqIFBlci1jbGllbnQgYnVkZ2V0IGZvciBicm9hZGNhc3RzIChlYWNoIG9uZSBjb3N0cyB0aGUgcmVsYXkgYSBmYW4tb3V0IHRvIGV2ZXJ5b25lKS4gKi9cbmV4cG9ydCBjb25zdCBCUk9BRENBU1RfUkFURV9QRVJfU0VDID0gNTA7XG5leHBvcnQgY29uc3QgQlJPQURDQVNUX1JBVEVfQlVSU1QgPSAxMDA7XG5cbi8qKiBQZXItYWRkcmVzcyBidWRnZXQgZm9yIHVucmVnaXN0ZXJlZCB0cmFmZmljIChIRUxMTy9SRUdJU1RFUiksIGJlZm9yZSBhbnkgc3RhdGUgZXhpc3RzLiAqL1xuZXhwb3J0IGNvbnN0IFVOUkVHSVNURVJFRF9SQVRFX1BFUl9TRUMgPSA1MDtcbmV4cG9ydCBjb25zdCBVTlJFR0lTVEVSRURfUkFURV9CVVJTVCA9IDEwMDtcbiIsICJpbXBvcnQgeyBIRUFERVJfQllURVMsIE1BR0lDLCBQUk9UT0NPTF9WRVJTSU9OIH0gZnJvbSAnLi9saW1pdHMnO1xuXG4vKipcbiAqIERhdGFncmFtIGtpbmRzLiAweDAxXHUyMDEzMHgzRiBhcmUgYmV0d2VlbiBhIGNsaWVudCBhbmQgdGhlIHJlbGF5ICh0aGUgcmVsYXkgcmVhZHMgdGhlbSk7XG4gKiAweDQwXHUyMDEzMHg3RiBhcmUgYmV0d2VlbiBjbGllbnRzICh0aGUgcmVsYXkgY2hlY2tzIHNyYy9kc3QgYW5kIGZvcndhcmRzIHRoZSBieXRlcyB1bnRvdWNoZWQpLlxuICovXG5leHBvcnQgY29uc3QgS2luZCA9IHtcbiAgSEVMTE86IDB4MDEsXG4gIENPT0tJRTogMHgwMixcbiAgUkVHSVNURVI6IDB4MDMsXG4gIFJFR0lTVEVSRUQ6IDB4MDQsXG4gIEVSUk9SOiAweDA1LFxuICBQSU5HOiAweDA2LFxuICBQT05HOiAweDA3LFxuICBST1NURVJfUkVROiAweDA4LFxuICBST1NURVI6IDB4MDksXG4gIFBSRVNFTkNFOiAweDBhLFxuICBMRUFWRTogMHgwYixcbiAgQllFOiAweDBjLFxuICBLRVlfUkVROiAweDBkLFxuICBLRVlfSU5GTzogMHgwZSxcbiAgUEVFUl9IRUxMTzogMHg0MCxcbiAgUEVFUl9TRUFMRUQ6IDB4NDEsXG4gIFBFRVJfQlJPQURDQVNUOiAweDQyLFxufSBhcyBjb25zdDtcbmV4cG9ydCB0eXBlIEtpbmRWYWx1ZSA9ICh0eXBlb2YgS2luZClba2V5b2YgdHlwZW9mIEtpbmRdO1xuXG5leHBvcnQgY29uc3QgRklSU1RfUEVFUl9LSU5EID0gMHg0MDtcbmV4cG9ydCBjb25zdCBMQVNUX1BFRVJfS0lORCA9IDB4N2Y7XG5cbmV4cG9ydCBmdW5jdGlvbiBpc1BlZXJLaW5kKGtpbmQ6IG51bWJlcik6IGJvb2xlYW4ge1xuICByZXR1cm4ga2luZCA+PSBGSVJTVF9QRUVSX0tJTkQgJiYga2luZCA8PSBMQVNUX1BFRVJfS0lORDtcbn1cblxuLyoqXG4gKiBUaGUgY2xlYXIgaGVhZGVyIGV2ZXJ5IGRhdGFncmFtIHN0YXJ0cyB3aXRoICgxMiBieXRlcywgYmlnLWVuZGlhbik6XG4gKlxuICogICAwICAgICAgMSAgICAgICAgMiAgICAgMyAgICAgIDQgICAgICAgICAgICA4ICAgICAgICAgICAgMTJcbiAqICAgbWFnaWMgIHZlcnNpb24gIGtpbmQgIGZsYWdzICBzcmMgKHUzMikgICAgZHN0ICh1MzIpICAgIGJvZHlcdTIwMjZcbiAqXG4gKiBzcmMgaXMgdGhlIHNlbmRlcidzIHNlc3Npb24gaWQgKDAgPSB1bnJlZ2lzdGVyZWQgY2xpZW50LCBvciB0aGUgcmVsYXkpOyBkc3QgaXMgdGhlXG4gKiBkZXN0aW5hdGlvbiBzZXNzaW9uIGlkICgwID0gdGhlIHJlbGF5LCAweEZGRkZGRkZGID0gYnJvYWRjYXN0KS4gVGhlIHJlbGF5IHJvdXRlcyBvbiB0aGlzXG4gKiBoZWFkZXIgb25seTsgZXZlcnl0aGluZyBiZXR3ZWVuIHBlZXJzIGFmdGVyIGl0IGlzIHNlYWxlZCBlbmQgdG8gZW5kLlxuICovXG5leHBvcnQgaW50ZXJmYWNlIEhlYWRlciB7XG4gIGtpbmQ6IG51bWJlcjtcbiAgZmxhZ3M6IG51bWJlcjtcbiAgc3JjOiBudW1iZXI7XG4gIGRzdDogbnVtYmVyO1xufVxuXG5leHBvcnQgdHlwZSBIZWFkZXJSZXN1bHQgPSB7IG9rOiB0cnVlOyBoZWFkZXI6IEhlYWRlciB9IHwgeyBvazogZmFsc2U7IHJlYXNvbjogJ3Nob3J0JyB8ICdtYWdpYycgfCAndmVyc2lvbicgfTtcblxuZXhwb3J0IGZ1bmN0aW9uIHJlYWRIZWFkZXIoYnVmOiBCdWZmZXIpOiBIZWFkZXJSZXN1bHQge1xuICBpZiAoYnVmLmxlbmd0aCA8IEhFQURFUl9CWVRFUykgcmV0dXJuIHsgb2s6IGZhbHNlLCByZWFzb246ICdzaG9ydCcgfTtcbiAgaWYgKGJ1ZlswXSAhPT0gTUFHSUMpIHJldHVybiB7IG9rOiBmYWxzZSwgcmVhc29uOiAnbWFnaWMnIH07XG4gIGlmIChidWZbMV0gIT09IFBST1RPQ09MX1ZFUlNJT04pIHJldHVybiB7IG9rOiBmYWxzZSwgcmVhc29uOiAndmVyc2lvbicgfTtcbiAgcmV0dXJuIHtcbiAgICBvazogdHJ1ZSxcbiAgICBoZWFkZXI6IHsga2luZDogYnVmWzJdLCBmbGFnczogYnVmWzNdLCBzcmM6IGJ1Zi5yZWFkVUludDMyQkUoNCksIGRzdDogYnVmLnJlYWRVSW50MzJCRSg4KSB9LFxuICB9O1xufVxuXG5leHBvcnQgZnVuY3Rpb24gd3JpdGVIZWFkZXIob3V0OiBCdWZmZXIsIGg6IEhlYWRlciwgb2Zmc2V0ID0gMCk6IHZvaWQge1xuICBvdXRbb2Zmc2V0XSA9IE1BR0lDO1xuICBvdXRbb2Zmc2V0ICsgMV0gPSBQUk9UT0NPTF9WRVJTSU9OO1xuICBvdXRbb2Zmc2V0ICsgMl0gPSBoLmtpbmQ7XG4gIG91dFtvZmZzZXQgKyAzXSA9IGguZmxhZ3M7XG4gIG91dC53cml0ZVVJbnQzMkJFKGguc3JjID4+PiAwLCBvZmZzZXQgKyA0KTtcbiAgb3V0LndyaXRlVUludDMyQkUoaC5kc3QgPj4+IDAsIG9mZnNldCArIDgpO1xufVxuXG4vKiogQnVpbGRzIGEgZGF0YWdyYW0gZnJvbSBhIGhlYWRlciBhbmQgYSBib2R5IChvbmUgY29weSkuICovXG5leHBvcnQgZnVuY3Rpb24gZGF0YWdyYW0oaDogSGVhZGVyLCBib2R5OiBVaW50OEFycmF5ID0gQnVmZmVyLmFsbG9jKDApKTogQnVmZmVyIHtcbiAgY29uc3Qgb3V0ID0gQnVmZmVyLmFsbG9jVW5zYWZlKEhFQURFUl9CWVRFUyArIGJvZHkubGVuZ3RoKTtcbiAgd3JpdGVIZWFkZXIob3V0LCBoKTtcbiAgb3V0LnNldChib2R5LCBIRUFERVJfQllURVMpO1xuICByZXR1cm4gb3V0O1xufVxuIiwgIi8qKlxuICogQm91bmRzLWNoZWNrZWQgY3Vyc29yIG92ZXIgYSBCdWZmZXIuIEV2ZXJ5IHJlYWQgY2hlY2tzIHRoZSByZW1haW5pbmcgbGVuZ3RoIGZpcnN0IGFuZFxuICogdGhyb3dzIGBUcnVuY2F0ZWRgLCB3aGljaCB0aGUgY29kZWNzIHR1cm4gaW50byBhbiBcImludmFsaWRcIiByZXN1bHQ7IG5vdGhpbmcgaGVyZSBhbGxvY2F0ZXNcbiAqIGV4Y2VwdCB0aGUgc2xpY2VzIGl0IHJldHVybnMgKHZpZXdzLCBub3QgY29waWVzKS5cbiAqL1xuZXhwb3J0IGNsYXNzIFRydW5jYXRlZCBleHRlbmRzIEVycm9yIHtcbiAgY29uc3RydWN0b3IoKSB7XG4gICAgc3VwZXIoJ3RydW5jYXRlZCcpO1xuICB9XG59XG5cbmV4cG9ydCBjbGFzcyBCeXRlUmVhZGVyIHtcbiAgcHJpdmF0ZSBwb3M6IG51bWJlcjtcbiAgY29uc3RydWN0b3IocHJpdmF0ZSByZWFkb25seSBidWY6IEJ1ZmZlciwgc3RhcnQgPSAwLCBwcml2YXRlIHJlYWRvbmx5IGVuZCA9IGJ1Zi5sZW5ndGgpIHtcbiAgICB0aGlzLnBvcyA9IHN0YXJ0O1xuICB9XG4gIGdldCByZW1haW5pbmcoKTogbnVtYmVyIHtcbiAgICByZXR1cm4gdGhpcy5lbmQgLSB0aGlzLnBvcztcbiAgfVxuICBnZXQgb2Zmc2V0KCk6IG51bWJlciB7XG4gICAgcmV0dXJuIHRoaXMucG9zO1xuICB9XG4gIHByaXZhdGUgbmVlZChuOiBudW1iZXIpOiB2b2lkIHtcbiAgICBpZiAodGhpcy5lbmQgLSB0aGlzLnBvcyA8IG4pIHRocm93IG5ldyBUcnVuY2F0ZWQoKTtcbiAgfVxuICB1OCgpOiBudW1iZXIge1xuICAgIHRoaXMubmVlZCgxKTtcbiAgICByZXR1cm4gdGhpcy5idWZbdGhpcy5wb3MrK107XG4gIH1cbiAgdTE2KCk6IG51bWJlciB7XG4gICAgdGhpcy5uZWVkKDIpO1xuICAgIGNvbnN0IHYgPSB0aGlzLmJ1Zi5yZWFkVUludDE2QkUodGhpcy5wb3MpO1xuICAgIHRoaXMucG9zICs9IDI7XG4gICAgcmV0dXJuIHY7XG4gIH1cbiAgdTMyKCk6IG51bWJlciB7XG4gICAgdGhpcy5uZWVkKDQpO1xuICAgIGNvbnN0IHYgPSB0aGlzLmJ1Zi5yZWFkVUludDMyQkUodGhpcy5wb3MpO1xuICAgIHRoaXMucG9zICs9IDQ7XG4gICAgcmV0dXJuIHY7XG4gIH1cbiAgLyoqIDY0LWJpdCB1bnNpZ25lZCwgcmV0dXJuZWQgYXMgYSBudW1iZXI7IHJlamVjdHMgdmFsdWVzIGJleW9uZCBOdW1iZXIuTUFYX1NBRkVfSU5URUdFUi4gKi9cbiAgdTY0KCk6IG51bWJlciB7XG4gICAgdGhpcy5uZWVkKDgpO1xuICAgIGNvbnN0IGhpID0gdGhpcy5idWYucmVhZFVJbnQzMkJFKHRoaXMucG9zKTtcbiAgICBjb25zdCBsbyA9IHRoaXMuYnVmLnJlYWRVSW50MzJCRSh0aGlzLnBvcyArIDQpO1xuICAgIGlmIChoaSA+IDB4MWZfZmZmZikgdGhyb3cgbmV3IFRydW5jYXRlZCgpO1xuICAgIHRoaXMucG9zICs9IDg7XG4gICAgcmV0dXJuIGhpICogMHgxXzAwMDBfMDAwMCArIGxvO1xuICB9XG4gIGJ5dGVzKG46IG51bWJlcik6IEJ1ZmZlciB7XG4gICAgdGhpcy5uZWVkKG4pO1xuICAgIGNvbnN0IHYgPSB0aGlzLmJ1Zi5zdWJhcnJheSh0aGlzLnBvcywgdGhpcy5wb3MgKyBuKTtcbiAgICB0aGlzLnBvcyArPSBuO1xuICAgIHJldHVybiB2O1xuICB9XG4gIHJlc3QoKTogQnVmZmVyIHtcbiAgICByZXR1cm4gdGhpcy5ieXRlcyh0aGlzLnJlbWFpbmluZyk7XG4gIH1cbiAgLyoqIFVURi04IHN0cmluZyB3aXRoIGEgdTggb3IgdTE2IGxlbmd0aCBwcmVmaXg7IHJlamVjdHMgaW52YWxpZCBVVEYtOCBhbmQgb3Zlci1sb25nIHN0cmluZ3MuICovXG4gIHN0cjgobWF4OiBudW1iZXIpOiBzdHJpbmcge1xuICAgIHJldHVybiBkZWNvZGVVdGY4KHRoaXMuYnl0ZXModGhpcy51OCgpKSwgbWF4KTtcbiAgfVxuICBzdHIxNihtYXg6IG51bWJlcik6IHN0cmluZyB7XG4gICAgcmV0dXJuIGRlY29kZVV0ZjgodGhpcy5ieXRlcyh0aGlzLnUxNigpKSwgbWF4KTtcbiAgfVxufVxuXG4vLyBpZ25vcmVCT006IGEgbGVhZGluZyBVK0ZFRkYgaXMgY29udGVudCwgbm90IGEgYnl0ZS1vcmRlciBtYXJrIHRvIHN0cmlwIHNpbGVudGx5LlxuY29uc3QgdXRmOCA9IG5ldyBUZXh0RGVjb2RlcigndXRmLTgnLCB7IGZhdGFsOiB0cnVlLCBpZ25vcmVCT006IHRydWUgfSk7XG5cbmZ1bmN0aW9uIGRlY29kZVV0ZjgoYjogQnVmZmVyLCBtYXg6IG51bWJlcik6IHN0cmluZyB7XG4gIGlmIChiLmxlbmd0aCA+IG1heCkgdGhyb3cgbmV3IFRydW5jYXRlZCgpO1xuICB0cnkge1xuICAgIHJldHVybiB1dGY4LmRlY29kZShiKTtcbiAgfSBjYXRjaCB7XG4gICAgdGhyb3cgbmV3IFRydW5jYXRlZCgpO1xuICB9XG59XG5cbi8qKiBHcm93YWJsZSB3cml0ZXI7IGBmaW5pc2goKWAgcmV0dXJucyB0aGUgYnl0ZXMgd3JpdHRlbi4gKi9cbmV4cG9ydCBjbGFzcyBCeXRlV3JpdGVyIHtcbiAgcHJpdmF0ZSBidWY6IEJ1ZmZlcjtcbiAgcHJpdmF0ZSBwb3MgPSAwO1xuICBjb25zdHJ1Y3Rvcihpbml0aWFsID0gMjU2KSB7XG4gICAgdGhpcy5idWYgPSBCdWZmZXIuYWxsb2NVbnNhZmUoaW5pdGlhbCk7XG4gIH1cbiAgcHJpdmF0ZSByb29tKG46IG51bWJlcik6IHZvaWQge1xuICAgIGlmICh0aGlzLnBvcyArIG4gPD0gdGhpcy5idWYubGVuZ3RoKSByZXR1cm47XG4gICAgY29uc3QgbmV4dCA9IEJ1ZmZlci5hbGxvY1Vuc2FmZShNYXRoLm1heCh0aGlzLmJ1Zi5sZW5ndGggKiAyLCB0aGlzLnBvcyArIG4pKTtcbiAgICB0aGlzLmJ1Zi5jb3B5KG5leHQsIDAsIDAsIHRoaXMucG9zKTtcbiAgICB0aGlzLmJ1ZiA9IG5leHQ7XG4gIH1cbiAgdTgodjogbnVtYmVyKTogdGhpcyB7XG4gICAgY2hlY2tVaW50KHYsIDB4ZmYpO1xuICAgIHRoaXMucm9vbSgxKTtcbiAgICB0aGlzLmJ1Zlt0aGlzLnBvcysrXSA9IHY7XG4gICAgcmV0dXJuIHRoaXM7XG4gIH1cbiAgdTE2KHY6IG51bWJlcik6IHRoaXMge1xuICAgIGNoZWNrVWludCh2LCAweGZmZmYpO1xuICAgIHRoaXMucm9vbSgyKTtcbiAgICB0aGlzLmJ1Zi53cml0ZVVJbnQxNkJFKHYsIHRoaXMucG9zKTtcbiAgICB0aGlzLnBvcyArPSAyO1xuICAgIHJldHVybiB0aGlzO1xuICB9XG4gIHUzMih2OiBudW1iZXIpOiB0aGlzIHtcbiAgICBjaGVja1VpbnQodiwgMHhmZmZmX2ZmZmYpO1xuICAgIHRoaXMucm9vbSg0KTtcbiAgICB0aGlzLmJ1Zi53cml0ZVVJbnQzMkJFKHYsIHRoaXMucG9zKTtcbiAgICB0aGlzLnBvcyArPSA0O1xuICAgIHJldHVybiB0aGlzO1xuICB9XG4gIHU2NCh2OiBudW1iZXIpOiB0aGlzIHtcbiAgICBjaGVja1VpbnQodiwgTnVtYmVyLk1BWF9TQUZFX0lOVEVHRVIpO1xuICAgIHRoaXMucm9vbSg4KTtcbiAgICB0aGlzLmJ1Zi53cml0ZVVJbnQzMkJFKE1hdGguZmxvb3IodiAvIDB4MV8wMDAwXzAwMDApLCB0aGlzLnBvcyk7XG4gICAgdGhpcy5idWYud3JpdGVVSW50MzJCRSh2ICUgMHgxXzAwMDBfMDAwMCwgdGhpcy5wb3MgKyA0KTtcbiAgICB0aGlzLnBvcyArPSA4O1xuICAgIHJldHVybiB0aGlzO1xuICB9XG4gIGJ5dGVzKGI6IFVpbnQ4QXJyYXkpOiB0aGlzIHtcbiAgICB0aGlzLnJvb20oYi5sZW5ndGgpO1xuICAgIHRoaXMuYnVmLnNldChiLCB0aGlzLnBvcyk7XG4gICAgdGhpcy5wb3MgKz0gYi5sZW5ndGg7XG4gICAgcmV0dXJuIHRoaXM7XG4gIH1cbiAgc3RyOChzOiBzdHJpbmcsIG1heDogbnVtYmVyKTogdGhpcyB7XG4gICAgY29uc3QgYiA9IEJ1ZmZlci5mcm9tKHMsICd1dGY4Jyk7XG4gICAgaWYgKGIubGVuZ3RoID4gbWF4IHx8IGIubGVuZ3RoID4gMHhmZikgdGhyb3cgbmV3IFJhbmdlRXJyb3IoYHN0cmluZyBsb25nZXIgdGhhbiAke21heH0gYnl0ZXNgKTtcbiAgICByZXR1cm4gdGhpcy51OChiLmxlbmd0aCkuYnl0ZXMoYik7XG4gIH1cbiAgc3RyMTYoczogc3RyaW5nLCBtYXg6IG51bWJlcik6IHRoaXMge1xuICAgIGNvbnN0IGIgPSBCdWZmZXIuZnJvbShzLCAndXRmOCcpO1xuICAgIGlmIChiLmxlbmd0aCA+IG1heCB8fCBiLmxlbmd0aCA+IDB4ZmZmZikgdGhyb3cgbmV3IFJhbmdlRXJyb3IoYHN0cmluZyBsb25nZXIgdGhhbiAke21heH0gYnl0ZXNgKTtcbiAgICByZXR1cm4gdGhpcy51MTYoYi5sZW5ndGgpLmJ5dGVzKGIpO1xuICB9XG4gIGZpbmlzaCgpOiBCdWZmZXIge1xuICAgIHJldHVybiB0aGlzLmJ1Zi5zdWJhcnJheSgwLCB0aGlzLnBvcyk7XG4gIH1cbn1cblxuLyoqIFdyaXRlcnMgcmVmdXNlIHZhbHVlcyB0aGF0IGRvIG5vdCBmaXQgdGhlaXIgZmllbGQgaW5zdGVhZCBvZiB3cmFwcGluZyB0aGVtIHNpbGVudGx5LiAqL1xuZnVuY3Rpb24gY2hlY2tVaW50KHY6IG51bWJlciwgbWF4OiBudW1iZXIpOiB2b2lkIHtcbiAgaWYgKCFOdW1iZXIuaXNJbnRlZ2VyKHYpIHx8IHYgPCAwIHx8IHYgPiBtYXgpIHRocm93IG5ldyBSYW5nZUVycm9yKGAke3Z9IGRvZXMgbm90IGZpdCBhbiB1bnNpZ25lZCBmaWVsZCBvZiBtYXggJHttYXh9YCk7XG59XG4iLCAiaW1wb3J0IHsgQnl0ZVJlYWRlciwgQnl0ZVdyaXRlciwgVHJ1bmNhdGVkIH0gZnJvbSAnLi9ieXRlcyc7XG5pbXBvcnQgeyBIZWFkZXIsIEtpbmQsIGRhdGFncmFtLCByZWFkSGVhZGVyIH0gZnJvbSAnLi9oZWFkZXInO1xuaW1wb3J0IHtcbiAgQ09PS0lFX01BQ19CWVRFUyxcbiAgRFNUX1JFTEFZLFxuICBIRUFERVJfQllURVMsXG4gIE1BWF9FUlJPUl9NRVNTQUdFX0JZVEVTLFxuICBNSU5fSEVMTE9fQllURVMsXG4gIE5JQ0tfTUFYX0JZVEVTLFxufSBmcm9tICcuL2xpbWl0cyc7XG5cbi8qKiBCeXRlcyBvZiBhIHJlbGF5IGNvb2tpZTogdTMyIGlzc3VlIHRpbWUgKHNlY29uZHMpICsgdHJ1bmNhdGVkIEhNQUMuICovXG5leHBvcnQgY29uc3QgQ09PS0lFX0JZVEVTID0gNCArIENPT0tJRV9NQUNfQllURVM7XG5leHBvcnQgY29uc3QgSEVMTE9fVE9LRU5fQllURVMgPSA4O1xuZXhwb3J0IGNvbnN0IEtFWV9CWVRFUyA9IDMyO1xuZXhwb3J0IGNvbnN0IFNJR05BVFVSRV9CWVRFUyA9IDY0O1xuZXhwb3J0IGNvbnN0IFNFQ1JFVF9QUk9PRl9CWVRFUyA9IDE2O1xuXG4vKiogTWVzc2FnZXMgYmV0d2VlbiBhIGNsaWVudCBhbmQgdGhlIHJlbGF5IChraW5kcyAweDAxXHUyMDEzMHgzRikuIFNlZSBkb2NzL3Byb3RvY29sLm1kLiAqL1xuZXhwb3J0IHR5cGUgUmVsYXlNZXNzYWdlID1cbiAgfCB7IGtpbmQ6IHR5cGVvZiBLaW5kLkhFTExPOyB0b2tlbjogQnVmZmVyIH1cbiAgfCB7IGtpbmQ6IHR5cGVvZiBLaW5kLkNPT0tJRTsgdG9rZW46IEJ1ZmZlcjsgY29va2llOiBCdWZmZXIgfVxuICB8IHtcbiAgICAgIGtpbmQ6IHR5cGVvZiBLaW5kLlJFR0lTVEVSO1xuICAgICAgY29va2llOiBCdWZmZXI7XG4gICAgICBzaWduUHVibGljOiBCdWZmZXI7XG4gICAgICBkaFB1YmxpYzogQnVmZmVyO1xuICAgICAgc2VjcmV0UHJvb2Y6IEJ1ZmZlcjtcbiAgICAgIG5pY2s6IHN0cmluZztcbiAgICAgIHNpZ25hdHVyZTogQnVmZmVyO1xuICAgICAgLyoqIFRoZSBieXRlcyB0aGUgc2lnbmF0dXJlIGNvdmVyczogdGhlIHdob2xlIGRhdGFncmFtIHVwIHRvIHRoZSBzaWduYXR1cmUuICovXG4gICAgICBzaWduZWQ6IEJ1ZmZlcjtcbiAgICB9XG4gIHwge1xuICAgICAga2luZDogdHlwZW9mIEtpbmQuUkVHSVNURVJFRDtcbiAgICAgIHNlc3Npb246IG51bWJlcjtcbiAgICAgIHJvc3RlclZlcnNpb246IG51bWJlcjtcbiAgICAgIGtlZXBhbGl2ZU1zOiBudW1iZXI7XG4gICAgICBpZGxlVGltZW91dE1zOiBudW1iZXI7XG4gICAgICBuaWNrOiBzdHJpbmc7XG4gICAgfVxuICB8IHsga2luZDogdHlwZW9mIEtpbmQuRVJST1I7IGNvZGU6IG51bWJlcjsgcmVmS2luZDogbnVtYmVyOyByZWZJZDogbnVtYmVyOyBtZXNzYWdlOiBzdHJpbmcgfVxuICB8IHsga2luZDogdHlwZW9mIEtpbmQuUElORzsgdG9rZW46IG51bWJlciB9XG4gIHwgeyBraW5kOiB0eXBlb2YgS2luZC5QT05HOyB0b2tlbjogbnVtYmVyOyByb3N0ZXJWZXJzaW9uOiBudW1iZXIgfVxuICB8IHsga2luZDogdHlwZW9mIEtpbmQuUk9TVEVSX1JFUTsgb2Zmc2V0OiBudW1iZXIgfVxuICB8IHsga2luZDogdHlwZW9mIEtpbmQuUk9TVEVSOyB2ZXJzaW9uOiBudW1iZXI7IHRvdGFsOiBudW1iZXI7IG9mZnNldDogbnVtYmVyOyBlbnRyaWVzOiBSb3N0ZXJFbnRyeVtdIH1cbiAgfCB7IGtpbmQ6IHR5cGVvZiBLaW5kLlBSRVNFTkNFOyB2ZXJzaW9uOiBudW1iZXI7IGNoYW5nZXM6IFByZXNlbmNlQ2hhbmdlW10gfVxuICB8IHsga2luZDogdHlwZW9mIEtpbmQuTEVBVkUgfVxuICB8IHsga2luZDogdHlwZW9mIEtpbmQuQllFOyBjb2RlOiBudW1iZXIgfVxuICB8IHsga2luZDogdHlwZW9mIEtpbmQuS0VZX1JFUTsgaWQ6IG51bWJlcjsgbmljazogc3RyaW5nIH1cbiAgfCB7IGtpbmQ6IHR5cGVvZiBLaW5kLktFWV9JTkZPOyBpZDogbnVtYmVyOyBzaWduUHVibGljOiBCdWZmZXI7IGRoUHVibGljOiBCdWZmZXI7IG5pY2s6IHN0cmluZyB9O1xuXG5leHBvcnQgaW50ZXJmYWNlIFJvc3RlckVudHJ5IHtcbiAgaWQ6IG51bWJlcjtcbiAgbmljazogc3RyaW5nO1xufVxuXG5leHBvcnQgaW50ZXJmYWNlIFByZXNlbmNlQ2hhbmdlIGV4dGVuZHMgUm9zdGVyRW50cnkge1xuICBvbmxpbmU6IGJvb2xlYW47XG59XG5cbmV4cG9ydCB0eXBlIERlY29kZWQ8VD4gPSB7IG9rOiB0cnVlOyBoZWFkZXI6IEhlYWRlcjsgbXNnOiBUIH0gfCB7IG9rOiBmYWxzZTsgcmVhc29uOiBzdHJpbmcgfTtcblxuLyoqIEVuY29kZXMgdGhlIGJvZHkgb2YgYSByZWxheSBtZXNzYWdlICh3aXRob3V0IGhlYWRlcikuICovXG5leHBvcnQgZnVuY3Rpb24gZW5jb2RlUmVsYXlCb2R5KG06IFJlbGF5TWVzc2FnZSk6IEJ1ZmZlciB7XG4gIGNvbnN0IHcgPSBuZXcgQnl0ZVdyaXRlcig2NCk7XG4gIHN3aXRjaCAobS5raW5kKSB7XG4gICAgY2FzZSBLaW5kLkhFTExPOlxuICAgICAgdy5ieXRlcyhmaXhlZChtLnRva2VuLCBIRUxMT19UT0tFTl9CWVRFUykpO1xuICAgICAgLy8gUGFkZGluZzogdGhlIENPT0tJRSBhbnN3ZXIgbXVzdCBzdGF5IHVuZGVyIDN4IHRoZSBieXRlcyBvZiBhbiB1bnZhbGlkYXRlZCBIRUxMTy5cbiAgICAgIHcuYnl0ZXMoQnVmZmVyLmFsbG9jKE1JTl9IRUxMT19CWVRFUyAtIEhFQURFUl9CWVRFUyAtIEhFTExPX1RPS0VOX0JZVEVTKSk7XG4gICAgICBicmVhaztcbiAgICBjYXNlIEtpbmQuQ09PS0lFOlxuICAgICAgdy5ieXRlcyhmaXhlZChtLnRva2VuLCBIRUxMT19UT0tFTl9CWVRFUykpLmJ5dGVzKGZpeGVkKG0uY29va2llLCBDT09LSUVfQllURVMpKTtcbiAgICAgIGJyZWFrO1xuICAgIGNhc2UgS2luZC5SRUdJU1RFUjpcbiAgICAgIHcuYnl0ZXMoZml4ZWQobS5jb29raWUsIENPT0tJRV9CWVRFUykpXG4gICAgICAgIC5ieXRlcyhmaXhlZChtLnNpZ25QdWJsaWMsIEtFWV9CWVRFUykpXG4gICAgICAgIC5ieXRlcyhmaXhlZChtLmRoUHVibGljLCBLRVlfQllURVMpKVxuICAgICAgICAuYnl0ZXMoZml4ZWQobS5zZWNyZXRQcm9vZiwgU0VDUkVUX1BST09GX0JZVEVTKSlcbiAgICAgICAgLnN0cjgobS5uaWNrLCBOSUNLX01BWF9CWVRFUylcbiAgICAgICAgLmJ5dGVzKGZpeGVkKG0uc2lnbmF0dXJlLCBTSUdOQVRVUkVfQllURVMpKTtcbiAgICAgIGJyZWFrO1xuICAgIGNhc2UgS2luZC5SRUdJU1RFUkVEOlxuICAgICAgdy51MzIobS5zZXNzaW9uKS51MzIobS5yb3N0ZXJWZXJzaW9uKS51MzIobS5rZWVwYWxpdmVNcykudTMyKG0uaWRsZVRpbWVvdXRNcykuc3RyOChtLm5pY2ssIE5JQ0tfTUFYX0JZVEVTKTtcbiAgICAgIGJyZWFrO1xuICAgIGNhc2UgS2luZC5FUlJPUjpcbiAgICAgIHcudTE2KG0uY29kZSkudTgobS5yZWZLaW5kKS51MzIobS5yZWZJZCkuc3RyMTYoY2xpcChtLm1lc3NhZ2UsIE1BWF9FUlJPUl9NRVNTQUdFX0JZVEVTKSwgTUFYX0VSUk9SX01FU1NBR0VfQllURVMpO1xuICAgICAgYnJlYWs7XG4gICAgY2FzZSBLaW5kLlBJTkc6XG4gICAgICB3LnUzMihtLnRva2VuKTtcbiAgICAgIGJyZWFrO1xuICAgIGNhc2UgS2luZC5QT05HOlxuICAgICAgdy51MzIobS50b2tlbikudTMyKG0ucm9zdGVyVmVyc2lvbik7XG4gICAgICBicmVhaztcbiAgICBjYXNlIEtpbmQuUk9TVEVSX1JFUTpcbiAgICAgIHcudTMyKG0ub2Zmc2V0KTtcbiAgICAgIGJyZWFrO1xuICAgIGNhc2UgS2luZC5ST1NURVI6XG4gICAgICB3LnUzMihtLnZlcnNpb24pLnUzMihtLnRvdGFsKS51MzIobS5vZmZzZXQpLnUxNihtLmVudHJpZXMubGVuZ3RoKTtcbiAgICAgIGZvciAoY29uc3QgZSBvZiBtLmVudHJpZXMpIHcudTMyKGUuaWQpLnN0cjgoZS5uaWNrLCBOSUNLX01BWF9CWVRFUyk7XG4gICAgICBicmVhaztcbiAgICBjYXNlIEtpbmQuUFJFU0VOQ0U6XG4gICAgICB3LnUzMihtLnZlcnNpb24pLnUxNihtLmNoYW5nZXMubGVuZ3RoKTtcbiAgICAgIGZvciAoY29uc3QgYyBvZiBtLmNoYW5nZXMpIHcudTgoYy5vbmxpbmUgPyAxIDogMCkudTMyKGMuaWQpLnN0cjgoYy5uaWNrLCBOSUNLX01BWF9CWVRFUyk7XG4gICAgICBicmVhaztcbiAgICBjYXNlIEtpbmQuTEVBVkU6XG4gICAgICBicmVhaztcbiAgICBjYXNlIEtpbmQuQllFOlxuICAgICAgdy51MTYobS5jb2RlKTtcbiAgICAgIGJyZWFrO1xuICAgIGNhc2UgS2luZC5LRVlfUkVROlxuICAgICAgdy51MzIobS5pZCkuc3RyOChtLm5pY2ssIE5JQ0tfTUFYX0JZVEVTKTtcbiAgICAgIGJyZWFrO1xuICAgIGNhc2UgS2luZC5LRVlfSU5GTzpcbiAgICAgIHcudTMyKG0uaWQpLmJ5dGVzKGZpeGVkKG0uc2lnblB1YmxpYywgS0VZX0JZVEVTKSkuYnl0ZXMoZml4ZWQobS5kaFB1YmxpYywgS0VZX0JZVEVTKSkuc3RyOChtLm5pY2ssIE5JQ0tfTUFYX0JZVEVTKTtcbiAgICAgIGJyZWFrO1xuICB9XG4gIHJldHVybiB3LmZpbmlzaCgpO1xufVxuXG4vKiogQSB3aG9sZSBkYXRhZ3JhbTogaGVhZGVyICsgYm9keS4gYHNyY2AvYGRzdGAgZGVmYXVsdCB0byAwICh1bnJlZ2lzdGVyZWQgY2xpZW50IFx1MjE5MiByZWxheSkuICovXG5leHBvcnQgZnVuY3Rpb24gZW5jb2RlUmVsYXlNZXNzYWdlKG06IFJlbGF5TWVzc2FnZSwgc3JjID0gMCwgZHN0ID0gRFNUX1JFTEFZKTogQnVmZmVyIHtcbiAgcmV0dXJuIGRhdGFncmFtKHsga2luZDogbS5raW5kLCBmbGFnczogMCwgc3JjLCBkc3QgfSwgZW5jb2RlUmVsYXlCb2R5KG0pKTtcbn1cblxuLyoqXG4gKiBCeXRlcyBvZiBhIFJFR0lTVEVSIGRhdGFncmFtIHRoYXQgaXRzIHNpZ25hdHVyZSBjb3ZlcnMgKGV2ZXJ5dGhpbmcgYmVmb3JlIHRoZSBzaWduYXR1cmUpLlxuICogVGhlIGNsaWVudCBzaWducyB0aGVzZTsgdGhlIHJlbGF5IHZlcmlmaWVzIGBzaWduZWRgIGZyb20gdGhlIGRlY29kZWQgbWVzc2FnZS5cbiAqL1xuZXhwb3J0IGZ1bmN0aW9uIHJlZ2lzdGVyU2lnbmVkQnl0ZXMobTogT21pdDxFeHRyYWN0PFJlbGF5TWVzc2FnZSwgeyBraW5kOiAzIH0+LCAnc2lnbmF0dXJlJyB8ICdzaWduZWQnPik6IEJ1ZmZlciB7XG4gIGNvbnN0IGZ1bGwgPSBlbmNvZGVSZWxheU1lc3NhZ2UoeyAuLi5tLCBzaWduYXR1cmU6IEJ1ZmZlci5hbGxvYyhTSUdOQVRVUkVfQllURVMpLCBzaWduZWQ6IEJ1ZmZlci5hbGxvYygwKSB9KTtcbiAgcmV0dXJuIGZ1bGwuc3ViYXJyYXkoMCwgZnVsbC5sZW5ndGggLSBTSUdOQVRVUkVfQllURVMpO1xufVxuXG4vKiogRGVjb2RlcyBhIHJlbGF5LWNvbnRyb2wgZGF0YWdyYW0uIE5ldmVyIHRocm93czogbWFsZm9ybWVkIGlucHV0IGdpdmVzIGB7IG9rOiBmYWxzZSB9YC4gKi9cbmV4cG9ydCBmdW5jdGlvbiBkZWNvZGVSZWxheU1lc3NhZ2UoYnVmOiBCdWZmZXIpOiBEZWNvZGVkPFJlbGF5TWVzc2FnZT4ge1xuICBjb25zdCBoID0gcmVhZEhlYWRlcihidWYpO1xuICBpZiAoIWgub2spIHJldHVybiB7IG9rOiBmYWxzZSwgcmVhc29uOiBoLnJlYXNvbiB9O1xuICBjb25zdCByID0gbmV3IEJ5dGVSZWFkZXIoYnVmLCBIRUFERVJfQllURVMpO1xuICB0cnkge1xuICAgIGNvbnN0IG1zZyA9IGRlY29kZUJvZHkoaC5oZWFkZXIua2luZCwgciwgYnVmKTtcbiAgICBpZiAoIW1zZykgcmV0dXJuIHsgb2s6IGZhbHNlLCByZWFzb246ICdraW5kJyB9O1xuICAgIGlmIChyLnJlbWFpbmluZyAhPT0gMCAmJiBoLmhlYWRlci5raW5kICE9PSBLaW5kLkhFTExPKSByZXR1cm4geyBvazogZmFsc2UsIHJlYXNvbjogJ3RyYWlsaW5nJyB9O1xuICAgIHJldHVybiB7IG9rOiB0cnVlLCBoZWFkZXI6IGguaGVhZGVyLCBtc2cgfTtcbiAgfSBjYXRjaCAoZSkge1xuICAgIGlmIChlIGluc3RhbmNlb2YgVHJ1bmNhdGVkKSByZXR1cm4geyBvazogZmFsc2UsIHJlYXNvbjogJ3RydW5jYXRlZCcgfTtcbiAgICB0aHJvdyBlO1xuICB9XG59XG5cbmZ1bmN0aW9uIGRlY29kZUJvZHkoa2luZDogbnVtYmVyLCByOiBCeXRlUmVhZGVyLCBidWY6IEJ1ZmZlcik6IFJlbGF5TWVzc2FnZSB8IG51bGwge1xuICBzd2l0Y2ggKGtpbmQpIHtcbiAgICBjYXNlIEtpbmQuSEVMTE86IHtcbiAgICAgIGlmIChidWYubGVuZ3RoIDwgTUlOX0hFTExPX0JZVEVTKSB0aHJvdyBuZXcgVHJ1bmNhdGVkKCk7XG4gICAgICBjb25zdCB0b2tlbiA9IHIuYnl0ZXMoSEVMTE9fVE9LRU5fQllURVMpO1xuICAgICAgci5yZXN0KCk7XG4gICAgICByZXR1cm4geyBraW5kLCB0b2tlbiB9O1xuICAgIH1cbiAgICBjYXNlIEtpbmQuQ09PS0lFOlxuICAgICAgcmV0dXJuIHsga2luZCwgdG9rZW46IHIuYnl0ZXMoSEVMTE9fVE9LRU5fQllURVMpLCBjb29raWU6IHIuYnl0ZXMoQ09PS0lFX0JZVEVTKSB9O1xuICAgIGNhc2UgS2luZC5SRUdJU1RFUjoge1xuICAgICAgY29uc3QgY29va2llID0gci5ieXRlcyhDT09LSUVfQllURVMpO1xuICAgICAgY29uc3Qgc2lnblB1YmxpYyA9IHIuYnl0ZXMoS0VZX0JZVEVTKTtcbiAgICAgIGNvbnN0IGRoUHVibGljID0gci5ieXRlcyhLRVlfQllURVMpO1xuICAgICAgY29uc3Qgc2VjcmV0UHJvb2YgPSByLmJ5dGVzKFNFQ1JFVF9QUk9PRl9CWVRFUyk7XG4gICAgICBjb25zdCBuaWNrID0gci5zdHI4KE5JQ0tfTUFYX0JZVEVTKTtcbiAgICAgIGNvbnN0IHNpZ25lZEVuZCA9IHIub2Zmc2V0O1xuICAgICAgY29uc3Qgc2lnbmF0dXJlID0gci5ieXRlcyhTSUdOQVRVUkVfQllURVMpO1xuICAgICAgcmV0dXJuIHsga2luZCwgY29va2llLCBzaWduUHVibGljLCBkaFB1YmxpYywgc2VjcmV0UHJvb2YsIG5pY2ssIHNpZ25hdHVyZSwgc2lnbmVkOiBidWYuc3ViYXJyYXkoMCwgc2lnbmVkRW5kKSB9O1xuICAgIH1cbiAgICBjYXNlIEtpbmQuUkVHSVNURVJFRDpcbiAgICAgIHJldHVybiB7XG4gICAgICAgIGtpbmQsXG4gICAgICAgIHNlc3Npb246IHIudTMyKCksXG4gICAgICAgIHJvc3RlclZlcnNpb246IHIudTMyKCksXG4gICAgICAgIGtlZXBhbGl2ZU1zOiByLnUzMigpLFxuICAgICAgICBpZGxlVGltZW91dE1zOiByLnUzMigpLFxuICAgICAgICBuaWNrOiByLnN0cjgoTklDS19NQVhfQllURVMpLFxuICAgICAgfTtcbiAgICBjYXNlIEtpbmQuRVJST1I6XG4gICAgICByZXR1cm4geyBraW5kLCBjb2RlOiByLnUxNigpLCByZWZLaW5kOiByLnU4KCksIHJlZklkOiByLnUzMigpLCBtZXNzYWdlOiByLnN0cjE2KE1BWF9FUlJPUl9NRVNTQUdFX0JZVEVTKSB9O1xuICAgIGNhc2UgS2luZC5QSU5HOlxuICAgICAgcmV0dXJuIHsga2luZCwgdG9rZW46IHIudTMyKCkgfTtcbiAgICBjYXNlIEtpbmQuUE9ORzpcbiAgICAgIHJldHVybiB7IGtpbmQsIHRva2VuOiByLnUzMigpLCByb3N0ZXJWZXJzaW9uOiByLnUzMigpIH07XG4gICAgY2FzZSBLaW5kLlJPU1RFUl9SRVE6XG4gICAgICByZXR1cm4geyBraW5kLCBvZmZzZXQ6IHIudTMyKCkgfTtcbiAgICBjYXNlIEtpbmQuUk9TVEVSOiB7XG4gICAgICBjb25zdCB2ZXJzaW9uID0gci51MzIoKTtcbiAgICAgIGNvbnN0IHRvdGFsID0gci51MzIoKTtcbiAgICAgIGNvbnN0IG9mZnNldCA9IHIudTMyKCk7XG4gICAgICBjb25zdCBuID0gci51MTYoKTtcbiAgICAgIGNvbnN0IGVudHJpZXM6IFJvc3RlckVudHJ5W10gPSBbXTtcbiAgICAgIGZvciAobGV0IGkgPSAwOyBpIDwgbjsgaSsrKSBlbnRyaWVzLnB1c2goeyBpZDogci51MzIoKSwgbmljazogci5zdHI4KE5JQ0tfTUFYX0JZVEVTKSB9KTtcbiAgICAgIHJldHVybiB7IGtpbmQsIHZlcnNpb24sIHRvdGFsLCBvZmZzZXQsIGVudHJpZXMgfTtcbiAgICB9XG4gICAgY2FzZSBLaW5kLlBSRVNFTkNFOiB7XG4gICAgICBjb25zdCB2ZXJzaW9uID0gci51MzIoKTtcbiAgICAgIGNvbnN0IG4gPSByLnUxNigpO1xuICAgICAgY29uc3QgY2hhbmdlczogUHJlc2VuY2VDaGFuZ2VbXSA9IFtdO1xuICAgICAgZm9yIChsZXQgaSA9IDA7IGkgPCBuOyBpKyspIHtcbiAgICAgICAgY29uc3Qgb25saW5lID0gci51OCgpO1xuICAgICAgICBpZiAob25saW5lID4gMSkgdGhyb3cgbmV3IFRydW5jYXRlZCgpO1xuICAgICAgICBjaGFuZ2VzLnB1c2goeyBvbmxpbmU6IG9ubGluZSA9PT0gMSwgaWQ6IHIudTMyKCksIG5pY2s6IHIuc3RyOChOSUNLX01BWF9CWVRFUykgfSk7XG4gICAgICB9XG4gICAgICByZXR1cm4geyBraW5kLCB2ZXJzaW9uLCBjaGFuZ2VzIH07XG4gICAgfVxuICAgIGNhc2UgS2luZC5MRUFWRTpcbiAgICAgIHJldHVybiB7IGtpbmQgfTtcbiAgICBjYXNlIEtpbmQuQllFOlxuICAgICAgcmV0dXJuIHsga2luZCwgY29kZTogci51MTYoKSB9O1xuICAgIGNhc2UgS2luZC5LRVlfUkVROlxuICAgICAgcmV0dXJuIHsga2luZCwgaWQ6IHIudTMyKCksIG5pY2s6IHIuc3RyOChOSUNLX01BWF9CWVRFUykgfTtcbiAgICBjYXNlIEtpbmQuS0VZX0lORk86XG4gICAgICByZXR1cm4geyBraW5kLCBpZDogci51MzIoKSwgc2lnblB1YmxpYzogci5ieXRlcyhLRVlfQllURVMpLCBkaFB1YmxpYzogci5ieXRlcyhLRVlfQllURVMpLCBuaWNrOiByLnN0cjgoTklDS19NQVhfQllURVMpIH07XG4gICAgZGVmYXVsdDpcbiAgICAgIHJldHVybiBudWxsO1xuICB9XG59XG5cbmZ1bmN0aW9uIGZpeGVkKGI6IEJ1ZmZlciwgbjogbnVtYmVyKTogQnVmZmVyIHtcbiAgaWYgKGIubGVuZ3RoICE9PSBuKSB0aHJvdyBuZXcgUmFuZ2VFcnJvcihgZXhwZWN0ZWQgJHtufSBieXRlcywgZ290ICR7Yi5sZW5ndGh9YCk7XG4gIHJldHVybiBiO1xufVxuXG4vKiogQ3V0cyBhIHN0cmluZyB0byBhdCBtb3N0IGBtYXhgIFVURi04IGJ5dGVzIHdpdGhvdXQgc3BsaXR0aW5nIGEgY2hhcmFjdGVyLiAqL1xuZXhwb3J0IGZ1bmN0aW9uIGNsaXAoczogc3RyaW5nLCBtYXg6IG51bWJlcik6IHN0cmluZyB7XG4gIGlmIChCdWZmZXIuYnl0ZUxlbmd0aChzKSA8PSBtYXgpIHJldHVybiBzO1xuICBsZXQgb3V0ID0gJyc7XG4gIGZvciAoY29uc3QgY2ggb2Ygcykge1xuICAgIGlmIChCdWZmZXIuYnl0ZUxlbmd0aChvdXQgKyBjaCkgPiBtYXgpIGJyZWFrO1xuICAgIG91dCArPSBjaDtcbiAgfVxuICByZXR1cm4gb3V0O1xufVxuIiwgImltcG9ydCB7IGNyZWF0ZUhtYWMgfSBmcm9tICdub2RlOmNyeXB0byc7XG5pbXBvcnQgeyBTRUNSRVRfUFJPT0ZfQllURVMgfSBmcm9tICcuLi9wcm90b2NvbC9yZWxheU1lc3NhZ2VzJztcblxuLyoqXG4gKiBEb21haW4gc2VwYXJhdGlvbiBsYWJlbDogdGhlIHByb29mIGlzIGFuIEhNQUMgdXNlZCBmb3Igbm90aGluZyBlbHNlLCBzbyBpdCBjYW5ub3QgYmUgcmVwbGF5ZWRcbiAqIGFzIGFueSBvdGhlciBNQUMgbWFkZSB3aXRoIHRoZSBzYW1lIHNlY3JldC5cbiAqL1xuY29uc3QgSU5WSVRFX0xBQkVMID0gQnVmZmVyLmZyb20oJ3BlZXJjaGF0LWludml0ZScsICd1dGY4Jyk7XG5cbi8qKlxuICogUHJvb2YgdGhhdCBhIGNsaWVudCBrbm93cyB0aGUgcmVsYXkncyBpbnZpdGF0aW9uIHNlY3JldCwgY2FycmllZCBpbiBSRUdJU1RFUjpcbiAqXG4gKiAgIEhNQUMtU0hBLTI1NihzZWNyZXQsIFwicGVlcmNoYXQtaW52aXRlXCIgfHwgY29va2llIHx8IHNpZ25QdWJsaWMpWzoxNl1cbiAqXG4gKiBJdCBpcyBib3VuZCB0byB0aGUgY29va2llIChzbyBpdCBpcyBmcmVzaCBhbmQgdGllZCB0byB0aGUgY2xpZW50J3MgYWRkcmVzcykgYW5kIHRvIHRoZSBrZXlcbiAqIGJlaW5nIHJlZ2lzdGVyZWQgKHNvIGl0IGNhbm5vdCBiZSBsaWZ0ZWQgb250byBhbm90aGVyIGtleSkuIFRoZSBzZWNyZXQgaXRzZWxmIG5ldmVyIGNyb3NzZXNcbiAqIHRoZSB3aXJlLiBBIHJlbGF5IHdpdGhvdXQgYSBzZWNyZXQgaWdub3JlcyB0aGUgZmllbGQ7IGNsaWVudHMgdGhlbiBzZW5kIDE2IHplcm8gYnl0ZXMuXG4gKi9cbmV4cG9ydCBmdW5jdGlvbiBzZWNyZXRQcm9vZihzZWNyZXQ6IHN0cmluZywgY29va2llOiBCdWZmZXIsIHNpZ25QdWJsaWM6IEJ1ZmZlcik6IEJ1ZmZlciB7XG4gIHJldHVybiBjcmVhdGVIbWFjKCdzaGEyNTYnLCBCdWZmZXIuZnJvbShzZWNyZXQsICd1dGY4JykpXG4gICAgLnVwZGF0ZShJTlZJVEVfTEFCRUwpXG4gICAgLnVwZGF0ZShjb29raWUpXG4gICAgLnVwZGF0ZShzaWduUHVibGljKVxuICAgIC5kaWdlc3QoKVxuICAgIC5zdWJhcnJheSgwLCBTRUNSRVRfUFJPT0ZfQllURVMpO1xufVxuXG4vKiogV2hhdCBhIGNsaWVudCBzZW5kcyB3aGVuIHRoZSByZWxheSBoYXMgbm8gc2VjcmV0IChvciBpdCBoYXMgbm9uZSB0byBnaXZlKTogemVyb3MuICovXG5leHBvcnQgZnVuY3Rpb24gbm9TZWNyZXRQcm9vZigpOiBCdWZmZXIge1xuICByZXR1cm4gQnVmZmVyLmFsbG9jKFNFQ1JFVF9QUk9PRl9CWVRFUyk7XG59XG4iLCAiLyoqXG4gKiBBIG1pbmltYWwgcHJvdG9jb2wgY2xpZW50IG92ZXIgYSByZWFsIFVEUCBzb2NrZXQsIGZvciByZWxheSB0ZXN0cyBhbmQgYmVuY2htYXJrczogbm9cbiAqIHJlbGlhYmlsaXR5IGxheWVyLCBubyBjcnlwdG8gYmV5b25kIHNpZ25pbmcgUkVHSVNURVIuIEl0IHNwZWFrcyB0aGUgd2lyZSBmb3JtYXQgZGlyZWN0bHk6XG4gKlxuICogICBjb25zdCBjID0gYXdhaXQgUmF3Q2xpZW50LmNvbm5lY3QocmVsYXkuYWRkcmVzcygpKTtcbiAqICAgY29uc3QgciA9IGF3YWl0IGMucmVnaXN0ZXIoJ2FsaWNlJyk7ICAgICAgICAgICAgLy8gSEVMTE8gXHUyMTkyIENPT0tJRSBcdTIxOTIgUkVHSVNURVIgXHUyMTkyIFJFR0lTVEVSRURcbiAqICAgYy5zZW5kUmVsYXkoeyBraW5kOiBLaW5kLlBJTkcsIHRva2VuOiAxIH0pOyAgICAgIC8vIHNyYyA9IGMuc2Vzc2lvbiwgZHN0ID0gcmVsYXlcbiAqICAgY29uc3QgcG9uZyA9IGF3YWl0IGMubmV4dChpc0tpbmQoS2luZC5QT05HKSk7ICAgIC8vIGZpcnN0IG1hdGNoaW5nIGRhdGFncmFtIChxdWV1ZWQgb3IgZnV0dXJlKVxuICpcbiAqIEJlbmNobWFya3MgY3JlYXRpbmcgdGhvdXNhbmRzIG9mIGNsaWVudHMgaW4gb25lIHByb2Nlc3MgcGFzcyBpZGVudGl0aWVzIGZyb20gYGlkZW50aXR5UG9vbChuKWBcbiAqIChnZW5lcmF0ZWQgb25jZSwgYmVmb3JlIHRoZSB0aW1lZCBwYXJ0KSBhbmQgYGtlZXBJbmJveDogZmFsc2VgIChjb3VudGVycyBhbmQgdGhlIGBvbkRhdGFncmFtYFxuICogdGFwIG9ubHksIHNvIG5vdGhpbmcgYWNjdW11bGF0ZXMpLlxuICovXG5pbXBvcnQgKiBhcyBkZ3JhbSBmcm9tICdub2RlOmRncmFtJztcbmltcG9ydCB7IHJhbmRvbUJ5dGVzIH0gZnJvbSAnbm9kZTpjcnlwdG8nO1xuaW1wb3J0IHsgZ2VuZXJhdGVJZGVudGl0eSwgSWRlbnRpdHksIHNpZ25EYXRhIH0gZnJvbSAnLi4vLi4vc3JjL2NyeXB0by9pZGVudGl0eSc7XG5pbXBvcnQgeyBFcnJvckNvZGUsIGVycm9yQ29kZUZyb21XaXJlIH0gZnJvbSAnLi4vLi4vc3JjL3Byb3RvY29sL2Vycm9ycyc7XG5pbXBvcnQgeyBIZWFkZXIsIEtpbmQsIHJlYWRIZWFkZXIsIGlzUGVlcktpbmQgfSBmcm9tICcuLi8uLi9zcmMvcHJvdG9jb2wvaGVhZGVyJztcbmltcG9ydCB7IERTVF9SRUxBWSB9IGZyb20gJy4uLy4uL3NyYy9wcm90b2NvbC9saW1pdHMnO1xuaW1wb3J0IHtcbiAgZGVjb2RlUmVsYXlNZXNzYWdlLFxuICBlbmNvZGVSZWxheU1lc3NhZ2UsXG4gIEhFTExPX1RPS0VOX0JZVEVTLFxuICByZWdpc3RlclNpZ25lZEJ5dGVzLFxuICBSZWxheU1lc3NhZ2UsXG59IGZyb20gJy4uLy4uL3NyYy9wcm90b2NvbC9yZWxheU1lc3NhZ2VzJztcbmltcG9ydCB7IG5vU2VjcmV0UHJvb2YsIHNlY3JldFByb29mIH0gZnJvbSAnLi4vLi4vc3JjL3JlbGF5L3NlY3JldFByb29mJztcblxuLyoqIE9uZSByZWNlaXZlZCBkYXRhZ3JhbTogaXRzIGhlYWRlciwgYnl0ZXMgYW5kLCBmb3IgcmVsYXkga2luZHMgdGhhdCBwYXJzZSwgdGhlIG1lc3NhZ2UuICovXG5leHBvcnQgaW50ZXJmYWNlIFJlY2VpdmVkIHtcbiAgcmVhZG9ubHkgaGVhZGVyOiBIZWFkZXI7XG4gIHJlYWRvbmx5IGJ1ZjogQnVmZmVyO1xuICAvKiogRGVjb2RlZCBvbiBmaXJzdCBhY2Nlc3MgKGEgYmVuY2htYXJrIHRoYXQgbmV2ZXIgbG9va3MgcGF5cyBub3RoaW5nKS4gKi9cbiAgcmVhZG9ubHkgbXNnPzogUmVsYXlNZXNzYWdlO1xufVxuXG5jbGFzcyBSZWNlaXZlZERhdGFncmFtIGltcGxlbWVudHMgUmVjZWl2ZWQge1xuICBwcml2YXRlIGRlY29kZWQ6IFJlbGF5TWVzc2FnZSB8IG51bGwgfCB1bmRlZmluZWQ7XG4gIGNvbnN0cnVjdG9yKFxuICAgIHJlYWRvbmx5IGhlYWRlcjogSGVhZGVyLFxuICAgIHJlYWRvbmx5IGJ1ZjogQnVmZmVyLFxuICApIHt9XG4gIGdldCBtc2coKTogUmVsYXlNZXNzYWdlIHwgdW5kZWZpbmVkIHtcbiAgICBpZiAodGhpcy5kZWNvZGVkID09PSB1bmRlZmluZWQpIHtcbiAgICAgIGNvbnN0IGQgPSBpc1BlZXJLaW5kKHRoaXMuaGVhZGVyLmtpbmQpID8gdW5kZWZpbmVkIDogZGVjb2RlUmVsYXlNZXNzYWdlKHRoaXMuYnVmKTtcbiAgICAgIHRoaXMuZGVjb2RlZCA9IGQgIT09IHVuZGVmaW5lZCAmJiBkLm9rID8gZC5tc2cgOiBudWxsO1xuICAgIH1cbiAgICByZXR1cm4gdGhpcy5kZWNvZGVkID8/IHVuZGVmaW5lZDtcbiAgfVxufVxuXG5leHBvcnQgdHlwZSBSZWdpc3RlclJlc3VsdCA9XG4gIHwgeyBvazogdHJ1ZTsgc2Vzc2lvbjogbnVtYmVyOyByb3N0ZXJWZXJzaW9uOiBudW1iZXI7IG5pY2s6IHN0cmluZzsga2VlcGFsaXZlTXM6IG51bWJlcjsgaWRsZVRpbWVvdXRNczogbnVtYmVyIH1cbiAgfCB7IG9rOiBmYWxzZTsgY29kZTogRXJyb3JDb2RlIHwgJ1RJTUVPVVQnOyBtZXNzYWdlOiBzdHJpbmcgfTtcblxuZXhwb3J0IGludGVyZmFjZSBSYXdDbGllbnRPcHRpb25zIHtcbiAgLyoqIEtlZXAgdW5tYXRjaGVkIGRhdGFncmFtcyBmb3IgbGF0ZXIgYG5leHQoKWAgY2FsbHMgKGRlZmF1bHQgdHJ1ZSkuICovXG4gIGtlZXBJbmJveD86IGJvb2xlYW47XG4gIC8qKiBNb3N0IGRhdGFncmFtcyBrZXB0OyB0aGUgb2xkZXN0IGFyZSBkcm9wcGVkIGJleW9uZCBpdCAoZGVmYXVsdCAxMCwwMDApLiAqL1xuICBpbmJveExpbWl0PzogbnVtYmVyO1xuICAvKiogU29ja2V0IGJ1ZmZlciBzaXplIHRvIGFzayBmb3IsIGJvdGggd2F5cyAoZGVmYXVsdDogdGhlIE9TIGRlZmF1bHQpLiAqL1xuICBidWZmZXJCeXRlcz86IG51bWJlcjtcbiAgLyoqIENhbGxlZCBmb3IgZXZlcnkgZGF0YWdyYW0gcmVjZWl2ZWQgKGFmdGVyIGNvdW50aW5nKSwgYmVmb3JlIG1hdGNoaW5nLiAqL1xuICBvbkRhdGFncmFtPzogKHI6IFJlY2VpdmVkKSA9PiB2b2lkO1xufVxuXG4vKiogSG93IGxvbmcgYG5leHRgIHdhaXRzIGJ5IGRlZmF1bHQgKG1zKTogbG9vcGJhY2sgYW5zd2VycyB0YWtlIHdlbGwgdW5kZXIgYSBtaWxsaXNlY29uZC4gKi9cbmNvbnN0IERFRkFVTFRfV0FJVF9NUyA9IDJfMDAwO1xuLyoqIEhFTExPIGFuZCBSRUdJU1RFUiBhcmUgcmUtc2VudCBhZnRlciB0aGlzIGxvbmcgd2l0aG91dCBhbiBhbnN3ZXIgKG1zKS4uLiAqL1xuY29uc3QgUkVUUllfTVMgPSAyNTA7XG4vKiogLi4udGhpcyBtYW55IHRpbWVzIGJlZm9yZSBgcmVnaXN0ZXJgIGdpdmVzIHVwIHdpdGggVElNRU9VVC4gKi9cbmNvbnN0IFJFVFJJRVMgPSA4O1xuY29uc3QgREVGQVVMVF9JTkJPWF9MSU1JVCA9IDEwXzAwMDtcblxuLyoqIEEgcHJlZGljYXRlIGZvciBgbmV4dGA6IGEgZGF0YWdyYW0gb2Yga2luZCBga2luZGAgKGFuZCwgb3B0aW9uYWxseSwgbW9yZSkuICovXG5leHBvcnQgZnVuY3Rpb24gaXNLaW5kPEsgZXh0ZW5kcyBudW1iZXI+KFxuICBraW5kOiBLLFxuICBhbHNvPzogKG06IEV4dHJhY3Q8UmVsYXlNZXNzYWdlLCB7IGtpbmQ6IEsgfT4pID0+IGJvb2xlYW4sXG4pOiAocjogUmVjZWl2ZWQpID0+IGJvb2xlYW4ge1xuICByZXR1cm4gKHIpID0+XG4gICAgci5oZWFkZXIua2luZCA9PT0ga2luZCAmJiAoYWxzbyA9PT0gdW5kZWZpbmVkIHx8IChyLm1zZyAhPT0gdW5kZWZpbmVkICYmIGFsc28oci5tc2cgYXMgRXh0cmFjdDxSZWxheU1lc3NhZ2UsIHsga2luZDogSyB9PikpKTtcbn1cblxuLyoqIFRoZSBtZXNzYWdlIG9mIGEgUmVjZWl2ZWQsIHR5cGVkIGJ5IGtpbmQgKHRocm93cyBpZiBpdCBpcyBhbm90aGVyIGtpbmQgb3IgZGlkIG5vdCBwYXJzZSkuICovXG5leHBvcnQgZnVuY3Rpb24gbXNnT2Y8SyBleHRlbmRzIG51bWJlcj4ocjogUmVjZWl2ZWQsIGtpbmQ6IEspOiBFeHRyYWN0PFJlbGF5TWVzc2FnZSwgeyBraW5kOiBLIH0+IHtcbiAgaWYgKHIubXNnID09PSB1bmRlZmluZWQgfHwgci5tc2cua2luZCAhPT0ga2luZCkgdGhyb3cgbmV3IEVycm9yKGBleHBlY3RlZCBraW5kIDB4JHtraW5kLnRvU3RyaW5nKDE2KX0sIGdvdCAweCR7ci5oZWFkZXIua2luZC50b1N0cmluZygxNil9YCk7XG4gIHJldHVybiByLm1zZyBhcyBFeHRyYWN0PFJlbGF5TWVzc2FnZSwgeyBraW5kOiBLIH0+O1xufVxuXG4vKiogYG5gIGlkZW50aXRpZXMsIGdlbmVyYXRlZCB1cCBmcm9udCBzbyB0aGF0IHJlZ2lzdGVyaW5nIG1hbnkgY2xpZW50cyBkb2VzIG5vdCB3YWl0IG9uIGtleWdlbi4gKi9cbmV4cG9ydCBmdW5jdGlvbiBpZGVudGl0eVBvb2wobjogbnVtYmVyKTogSWRlbnRpdHlbXSB7XG4gIGNvbnN0IG91dDogSWRlbnRpdHlbXSA9IFtdO1xuICBmb3IgKGxldCBpID0gMDsgaSA8IG47IGkrKykgb3V0LnB1c2goZ2VuZXJhdGVJZGVudGl0eSgpKTtcbiAgcmV0dXJuIG91dDtcbn1cblxuLyoqIEEgc2lnbmVkIFJFR0lTVEVSIGRhdGFncmFtIChleHBvcnRlZCBzbyB0ZXN0cyBjYW4gY29ycnVwdCBvbmUgb24gcHVycG9zZSkuICovXG5leHBvcnQgZnVuY3Rpb24gcmVnaXN0ZXJEYXRhZ3JhbShjb29raWU6IEJ1ZmZlciwgbmljazogc3RyaW5nLCBpZGVudGl0eTogSWRlbnRpdHksIHNlY3JldD86IHN0cmluZyk6IEJ1ZmZlciB7XG4gIGNvbnN0IHNpZ25lZCA9IHJlZ2lzdGVyU2lnbmVkQnl0ZXMoe1xuICAgIGtpbmQ6IEtpbmQuUkVHSVNURVIsXG4gICAgY29va2llLFxuICAgIHNpZ25QdWJsaWM6IGlkZW50aXR5LnNpZ25QdWJsaWMsXG4gICAgZGhQdWJsaWM6IGlkZW50aXR5LmRoUHVibGljLFxuICAgIHNlY3JldFByb29mOiBzZWNyZXQgPT09IHVuZGVmaW5lZCA/IG5vU2VjcmV0UHJvb2YoKSA6IHNlY3JldFByb29mKHNlY3JldCwgY29va2llLCBpZGVudGl0eS5zaWduUHVibGljKSxcbiAgICBuaWNrLFxuICB9KTtcbiAgcmV0dXJuIEJ1ZmZlci5jb25jYXQoW3NpZ25lZCwgc2lnbkRhdGEoaWRlbnRpdHksIHNpZ25lZCldKTtcbn1cblxuaW50ZXJmYWNlIFdhaXRlciB7XG4gIHByZWQ6IChyOiBSZWNlaXZlZCkgPT4gYm9vbGVhbjtcbiAgcmVzb2x2ZTogKHI6IFJlY2VpdmVkKSA9PiB2b2lkO1xuICB0aW1lcjogTm9kZUpTLlRpbWVvdXQ7XG59XG5cbmV4cG9ydCBjbGFzcyBSYXdDbGllbnQge1xuICAvKiogVGhlIHNlc3Npb24gaWQgYWZ0ZXIgYSBzdWNjZXNzZnVsIGByZWdpc3RlcmAgKDAgYmVmb3JlKS4gKi9cbiAgc2Vzc2lvbiA9IDA7XG4gIGlkZW50aXR5OiBJZGVudGl0eSB8IHVuZGVmaW5lZDtcbiAgcmVhZG9ubHkgY291bnRlcnMgPSB7XG4gICAgZGF0YWdyYW1zSW46IDAsXG4gICAgYnl0ZXNJbjogMCxcbiAgICBkYXRhZ3JhbXNPdXQ6IDAsXG4gICAgYnl0ZXNPdXQ6IDAsXG4gICAgLyoqIFJlY2VpdmVkIGRhdGFncmFtcyBwZXIga2luZCBieXRlLiAqL1xuICAgIGJ5S2luZDogbmV3IFVpbnQzMkFycmF5KDI1NiksXG4gIH07XG4gIHByaXZhdGUgcmVhZG9ubHkgaW5ib3g6IFJlY2VpdmVkW10gPSBbXTtcbiAgcHJpdmF0ZSB3YWl0ZXJzOiBXYWl0ZXJbXSA9IFtdO1xuICBwcml2YXRlIGNsb3NlZCA9IGZhbHNlO1xuXG4gIHByaXZhdGUgY29uc3RydWN0b3IoXG4gICAgcmVhZG9ubHkgc29ja2V0OiBkZ3JhbS5Tb2NrZXQsXG4gICAgcmVhZG9ubHkgcmVsYXk6IHsgaG9zdDogc3RyaW5nOyBwb3J0OiBudW1iZXIgfSxcbiAgICBwcml2YXRlIHJlYWRvbmx5IG9wdHM6IFJhd0NsaWVudE9wdGlvbnMsXG4gICkge1xuICAgIHNvY2tldC5vbignbWVzc2FnZScsIChidWYpID0+IHRoaXMub25NZXNzYWdlKGJ1ZikpO1xuICAgIHNvY2tldC5vbignZXJyb3InLCAoKSA9PiB7XG4gICAgICAvLyBBIHRlc3QgY2xpZW50IGlnbm9yZXMgc29ja2V0IGVycm9ycyAoZS5nLiBJQ01QIHBvcnQgdW5yZWFjaGFibGUgYWZ0ZXIgdGhlIHJlbGF5IGNsb3NlZCkuXG4gICAgfSk7XG4gIH1cblxuICBzdGF0aWMgYXN5bmMgY29ubmVjdChyZWxheTogeyBob3N0OiBzdHJpbmc7IHBvcnQ6IG51bWJlciB9LCBvcHRzOiBSYXdDbGllbnRPcHRpb25zID0ge30pOiBQcm9taXNlPFJhd0NsaWVudD4ge1xuICAgIGNvbnN0IHNvY2tldCA9IGRncmFtLmNyZWF0ZVNvY2tldChyZWxheS5ob3N0LmluY2x1ZGVzKCc6JykgPyAndWRwNicgOiAndWRwNCcpO1xuICAgIGF3YWl0IG5ldyBQcm9taXNlPHZvaWQ+KChyZXNvbHZlLCByZWplY3QpID0+IHtcbiAgICAgIHNvY2tldC5vbmNlKCdlcnJvcicsIHJlamVjdCk7XG4gICAgICBzb2NrZXQuYmluZCgwLCByZWxheS5ob3N0LmluY2x1ZGVzKCc6JykgPyAnOjoxJyA6ICcxMjcuMC4wLjEnLCAoKSA9PiB7XG4gICAgICAgIHNvY2tldC5vZmYoJ2Vycm9yJywgcmVqZWN0KTtcbiAgICAgICAgcmVzb2x2ZSgpO1xuICAgICAgfSk7XG4gICAgfSk7XG4gICAgaWYgKG9wdHMuYnVmZmVyQnl0ZXMpIHtcbiAgICAgIHNvY2tldC5zZXRSZWN2QnVmZmVyU2l6ZShvcHRzLmJ1ZmZlckJ5dGVzKTtcbiAgICAgIHNvY2tldC5zZXRTZW5kQnVmZmVyU2l6ZShvcHRzLmJ1ZmZlckJ5dGVzKTtcbiAgICB9XG4gICAgcmV0dXJuIG5ldyBSYXdDbGllbnQoc29ja2V0LCByZWxheSwgb3B0cyk7XG4gIH1cblxuICAvKiogVGhpcyBjbGllbnQncyBvd24gYWRkcmVzcyAod2hhdCB0aGUgcmVsYXkgc2VlcyBhcyB0aGUgc291cmNlKS4gKi9cbiAgZ2V0IGxvY2FsUG9ydCgpOiBudW1iZXIge1xuICAgIHJldHVybiB0aGlzLnNvY2tldC5hZGRyZXNzKCkucG9ydDtcbiAgfVxuXG4gIHNlbmQoYnVmOiBCdWZmZXIpOiB2b2lkIHtcbiAgICBpZiAodGhpcy5jbG9zZWQpIHJldHVybjtcbiAgICB0aGlzLmNvdW50ZXJzLmRhdGFncmFtc091dCsrO1xuICAgIHRoaXMuY291bnRlcnMuYnl0ZXNPdXQgKz0gYnVmLmxlbmd0aDtcbiAgICB0aGlzLnNvY2tldC5zZW5kKGJ1ZiwgdGhpcy5yZWxheS5wb3J0LCB0aGlzLnJlbGF5Lmhvc3QpO1xuICB9XG5cbiAgLyoqIEVuY29kZXMgYW5kIHNlbmRzIGEgcmVsYXkgbWVzc2FnZSB3aXRoIHNyYyA9IHRoaXMgc2Vzc2lvbi4gKi9cbiAgc2VuZFJlbGF5KG06IFJlbGF5TWVzc2FnZSwgZHN0OiBudW1iZXIgPSBEU1RfUkVMQVkpOiB2b2lkIHtcbiAgICB0aGlzLnNlbmQoZW5jb2RlUmVsYXlNZXNzYWdlKG0sIHRoaXMuc2Vzc2lvbiwgZHN0KSk7XG4gIH1cblxuICAvKipcbiAgICogVGhlIGZpcnN0IHJlY2VpdmVkIGRhdGFncmFtIG1hdGNoaW5nIGBwcmVkYDogZnJvbSB0aGUgaW5ib3ggKHJlbW92ZWQgZnJvbSBpdCkgb3IgdGhlIG5leHQgb25lXG4gICAqIHRvIGFycml2ZS4gUmVqZWN0cyBhZnRlciBgdGltZW91dE1zYC5cbiAgICovXG4gIG5leHQocHJlZDogKHI6IFJlY2VpdmVkKSA9PiBib29sZWFuLCB0aW1lb3V0TXMgPSBERUZBVUxUX1dBSVRfTVMpOiBQcm9taXNlPFJlY2VpdmVkPiB7XG4gICAgcmV0dXJuIHRoaXMucG9sbChwcmVkLCB0aW1lb3V0TXMpLnRoZW4oKHIpID0+IHtcbiAgICAgIGlmIChyID09PSB1bmRlZmluZWQpIHRocm93IG5ldyBFcnJvcihgUmF3Q2xpZW50ICR7dGhpcy5sb2NhbFBvcnR9OiBub3RoaW5nIG1hdGNoaW5nIHdpdGhpbiAke3RpbWVvdXRNc30gbXNgKTtcbiAgICAgIHJldHVybiByO1xuICAgIH0pO1xuICB9XG5cbiAgLyoqIExpa2UgYG5leHRgLCBidXQgcmVzb2x2ZXMgdW5kZWZpbmVkIG9uIHRpbWVvdXQgKGZvciBcIm5vdGhpbmcgYXJyaXZlc1wiIGNoZWNrcykuICovXG4gIHBvbGwocHJlZDogKHI6IFJlY2VpdmVkKSA9PiBib29sZWFuLCB0aW1lb3V0TXMgPSBERUZBVUxUX1dBSVRfTVMpOiBQcm9taXNlPFJlY2VpdmVkIHwgdW5kZWZpbmVkPiB7XG4gICAgY29uc3QgaSA9IHRoaXMuaW5ib3guZmluZEluZGV4KHByZWQpO1xuICAgIGlmIChpID49IDApIHJldHVybiBQcm9taXNlLnJlc29sdmUodGhpcy5pbmJveC5zcGxpY2UoaSwgMSlbMF0pO1xuICAgIHJldHVybiBuZXcgUHJvbWlzZSgocmVzb2x2ZSkgPT4ge1xuICAgICAgY29uc3QgdzogV2FpdGVyID0ge1xuICAgICAgICBwcmVkLFxuICAgICAgICByZXNvbHZlOiAocikgPT4gcmVzb2x2ZShyKSxcbiAgICAgICAgdGltZXI6IHNldFRpbWVvdXQoKCkgPT4ge1xuICAgICAgICAgIHRoaXMud2FpdGVycyA9IHRoaXMud2FpdGVycy5maWx0ZXIoKHgpID0+IHggIT09IHcpO1xuICAgICAgICAgIHJlc29sdmUodW5kZWZpbmVkKTtcbiAgICAgICAgfSwgdGltZW91dE1zKSxcbiAgICAgIH07XG4gICAgICB0aGlzLndhaXRlcnMucHVzaCh3KTtcbiAgICB9KTtcbiAgfVxuXG4gIC8qKiBUYWtlcyBldmVyeSBkYXRhZ3JhbSBpbiB0aGUgaW5ib3ggKG9wdGlvbmFsbHkgb25seSB0aG9zZSBtYXRjaGluZyBgcHJlZGApLiAqL1xuICBkcmFpbihwcmVkOiAocjogUmVjZWl2ZWQpID0+IGJvb2xlYW4gPSAoKSA9PiB0cnVlKTogUmVjZWl2ZWRbXSB7XG4gICAgY29uc3Qgb3V0OiBSZWNlaXZlZFtdID0gW107XG4gICAgZm9yIChsZXQgaSA9IDA7IGkgPCB0aGlzLmluYm94Lmxlbmd0aDsgKSB7XG4gICAgICBpZiAocHJlZCh0aGlzLmluYm94W2ldKSkgb3V0LnB1c2goLi4udGhpcy5pbmJveC5zcGxpY2UoaSwgMSkpO1xuICAgICAgZWxzZSBpKys7XG4gICAgfVxuICAgIHJldHVybiBvdXQ7XG4gIH1cblxuICAvKiogSEVMTE8gXHUyMTkyIENPT0tJRSAocmUtc2VuZGluZyBIRUxMTyBhIGZldyB0aW1lcyk7IHJlc29sdmVzIHdpdGggdGhlIGNvb2tpZS4gKi9cbiAgYXN5bmMgY29va2llKCk6IFByb21pc2U8QnVmZmVyPiB7XG4gICAgY29uc3QgdG9rZW4gPSByYW5kb21CeXRlcyhIRUxMT19UT0tFTl9CWVRFUyk7XG4gICAgY29uc3QgaGVsbG8gPSBlbmNvZGVSZWxheU1lc3NhZ2UoeyBraW5kOiBLaW5kLkhFTExPLCB0b2tlbiB9KTtcbiAgICBmb3IgKGxldCBpID0gMDsgaSA8IFJFVFJJRVM7IGkrKykge1xuICAgICAgdGhpcy5zZW5kKGhlbGxvKTtcbiAgICAgIGNvbnN0IHIgPSBhd2FpdCB0aGlzLnBvbGwoaXNLaW5kKEtpbmQuQ09PS0lFLCAobSkgPT4gbS50b2tlbi5lcXVhbHModG9rZW4pKSwgUkVUUllfTVMpO1xuICAgICAgaWYgKHIpIHJldHVybiBtc2dPZihyLCBLaW5kLkNPT0tJRSkuY29va2llO1xuICAgIH1cbiAgICB0aHJvdyBuZXcgRXJyb3IoYFJhd0NsaWVudCAke3RoaXMubG9jYWxQb3J0fTogbm8gQ09PS0lFIGZyb20gdGhlIHJlbGF5YCk7XG4gIH1cblxuICAvKipcbiAgICogUmVnaXN0ZXJzIGBuaWNrYCB3aXRoIGBpZGVudGl0eWAgKGEgZnJlc2ggb25lIGlmIG9taXR0ZWQpOiBIRUxMTyBcdTIxOTIgQ09PS0lFIFx1MjE5MiBSRUdJU1RFUiBcdTIxOTJcbiAgICogUkVHSVNURVJFRCBvciBFUlJPUiwgcmUtc2VuZGluZyBvbiBzaWxlbmNlIGFuZCBzdGFydGluZyBvdmVyIG9uIEJBRF9DT09LSUUuXG4gICAqL1xuICBhc3luYyByZWdpc3RlcihuaWNrOiBzdHJpbmcsIGlkZW50aXR5PzogSWRlbnRpdHksIHNlY3JldD86IHN0cmluZyk6IFByb21pc2U8UmVnaXN0ZXJSZXN1bHQ+IHtcbiAgICBjb25zdCBpZCA9IGlkZW50aXR5ID8/IHRoaXMuaWRlbnRpdHkgPz8gZ2VuZXJhdGVJZGVudGl0eSgpO1xuICAgIHRoaXMuaWRlbnRpdHkgPSBpZDtcbiAgICBjb25zdCBhbnN3ZXIgPSBpc0tpbmQoS2luZC5SRUdJU1RFUkVEKTtcbiAgICBjb25zdCByZWZ1c2FsID0gaXNLaW5kKEtpbmQuRVJST1IsIChtKSA9PiBtLnJlZktpbmQgPT09IEtpbmQuUkVHSVNURVIpO1xuICAgIGZvciAobGV0IGF0dGVtcHQgPSAwOyBhdHRlbXB0IDwgMzsgYXR0ZW1wdCsrKSB7XG4gICAgICBjb25zdCByZWcgPSByZWdpc3RlckRhdGFncmFtKGF3YWl0IHRoaXMuY29va2llKCksIG5pY2ssIGlkLCBzZWNyZXQpO1xuICAgICAgZm9yIChsZXQgaSA9IDA7IGkgPCBSRVRSSUVTOyBpKyspIHtcbiAgICAgICAgdGhpcy5zZW5kKHJlZyk7XG4gICAgICAgIGNvbnN0IHIgPSBhd2FpdCB0aGlzLnBvbGwoKHgpID0+IGFuc3dlcih4KSB8fCByZWZ1c2FsKHgpLCBSRVRSWV9NUyk7XG4gICAgICAgIGlmICghcikgY29udGludWU7XG4gICAgICAgIGlmIChyLm1zZz8ua2luZCA9PT0gS2luZC5SRUdJU1RFUkVEKSB7XG4gICAgICAgICAgdGhpcy5zZXNzaW9uID0gci5tc2cuc2Vzc2lvbjtcbiAgICAgICAgICByZXR1cm4geyBvazogdHJ1ZSwgLi4uci5tc2cgfTtcbiAgICAgICAgfVxuICAgICAgICBjb25zdCBlID0gbXNnT2YociwgS2luZC5FUlJPUik7XG4gICAgICAgIGNvbnN0IGNvZGUgPSBlcnJvckNvZGVGcm9tV2lyZShlLmNvZGUpID8/ICdJTlRFUk5BTCc7XG4gICAgICAgIGlmIChjb2RlID09PSAnQkFEX0NPT0tJRScpIGJyZWFrOyAvLyBzdGFydCBvdmVyIHdpdGggYSBmcmVzaCBjb29raWVcbiAgICAgICAgcmV0dXJuIHsgb2s6IGZhbHNlLCBjb2RlLCBtZXNzYWdlOiBlLm1lc3NhZ2UgfTtcbiAgICAgIH1cbiAgICB9XG4gICAgcmV0dXJuIHsgb2s6IGZhbHNlLCBjb2RlOiAnVElNRU9VVCcsIG1lc3NhZ2U6ICd0aGUgcmVsYXkgZGlkIG5vdCBhbnN3ZXIgUkVHSVNURVInIH07XG4gIH1cblxuICAvKiogTGlrZSBgcmVnaXN0ZXJgLCBidXQgdGhyb3dzIHVubGVzcyBpdCBzdWNjZWVkZWQ7IHJldHVybnMgdGhlIHNlc3Npb24gaWQuICovXG4gIGFzeW5jIG11c3RSZWdpc3RlcihuaWNrOiBzdHJpbmcsIGlkZW50aXR5PzogSWRlbnRpdHksIHNlY3JldD86IHN0cmluZyk6IFByb21pc2U8bnVtYmVyPiB7XG4gICAgY29uc3QgciA9IGF3YWl0IHRoaXMucmVnaXN0ZXIobmljaywgaWRlbnRpdHksIHNlY3JldCk7XG4gICAgaWYgKCFyLm9rKSB0aHJvdyBuZXcgRXJyb3IoYHJlZ2lzdGVyICR7bmlja306ICR7ci5jb2RlfSAke3IubWVzc2FnZX1gKTtcbiAgICByZXR1cm4gci5zZXNzaW9uO1xuICB9XG5cbiAgY2xvc2UoKTogdm9pZCB7XG4gICAgaWYgKHRoaXMuY2xvc2VkKSByZXR1cm47XG4gICAgdGhpcy5jbG9zZWQgPSB0cnVlO1xuICAgIGZvciAoY29uc3QgdyBvZiB0aGlzLndhaXRlcnMpIGNsZWFyVGltZW91dCh3LnRpbWVyKTtcbiAgICB0aGlzLndhaXRlcnMgPSBbXTtcbiAgICB0aGlzLnNvY2tldC5jbG9zZSgpO1xuICB9XG5cbiAgcHJpdmF0ZSBvbk1lc3NhZ2UoYnVmOiBCdWZmZXIpOiB2b2lkIHtcbiAgICBjb25zdCBjID0gdGhpcy5jb3VudGVycztcbiAgICBjLmRhdGFncmFtc0luKys7XG4gICAgYy5ieXRlc0luICs9IGJ1Zi5sZW5ndGg7XG4gICAgY29uc3QgaCA9IHJlYWRIZWFkZXIoYnVmKTtcbiAgICBpZiAoIWgub2spIHJldHVybjtcbiAgICBjLmJ5S2luZFtoLmhlYWRlci5raW5kXSsrO1xuICAgIGNvbnN0IHI6IFJlY2VpdmVkID0gbmV3IFJlY2VpdmVkRGF0YWdyYW0oaC5oZWFkZXIsIGJ1Zik7XG4gICAgdGhpcy5vcHRzLm9uRGF0YWdyYW0/LihyKTtcbiAgICBmb3IgKGxldCBpID0gMDsgaSA8IHRoaXMud2FpdGVycy5sZW5ndGg7IGkrKykge1xuICAgICAgY29uc3QgdyA9IHRoaXMud2FpdGVyc1tpXTtcbiAgICAgIGlmICh3LnByZWQocikpIHtcbiAgICAgICAgdGhpcy53YWl0ZXJzLnNwbGljZShpLCAxKTtcbiAgICAgICAgY2xlYXJUaW1lb3V0KHcudGltZXIpO1xuICAgICAgICB3LnJlc29sdmUocik7XG4gICAgICAgIHJldHVybjtcbiAgICAgIH1cbiAgICB9XG4gICAgaWYgKHRoaXMub3B0cy5rZWVwSW5ib3ggPT09IGZhbHNlKSByZXR1cm47XG4gICAgdGhpcy5pbmJveC5wdXNoKHIpO1xuICAgIGlmICh0aGlzLmluYm94Lmxlbmd0aCA+ICh0aGlzLm9wdHMuaW5ib3hMaW1pdCA/PyBERUZBVUxUX0lOQk9YX0xJTUlUKSkgdGhpcy5pbmJveC5zaGlmdCgpO1xuICB9XG59XG4iXSwKICAibWFwcGluZ3MiOiAiOzs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7O0FBMEJBLFlBQXVCO0FBQ3ZCLElBQUFBLHNCQUE0QjtBQUM1Qiw2QkFBNEI7OztBQ3RCNUIseUJBU087QUFjQSxJQUFNLG1CQUFtQjtBQXdCaEMsSUFBTSxxQkFBcUIsT0FBTyxLQUFLLDRCQUE0QixNQUFNO0FBTXpFLElBQU0sY0FBYztBQUFBLEVBQ2xCLFNBQVMsT0FBTyxLQUFLLDRCQUE0QixLQUFLO0FBQUEsRUFDdEQsUUFBUSxPQUFPLEtBQUssNEJBQTRCLEtBQUs7QUFDdkQ7QUErRE8sU0FBUyxhQUFhLEtBQXdCO0FBQ25ELFFBQU0sWUFBWSxJQUFJLFNBQVMsZ0JBQVksb0NBQWdCLEdBQUcsSUFBSTtBQUNsRSxRQUFNLE1BQU0sVUFBVSxPQUFPLEVBQUUsUUFBUSxPQUFPLE1BQU0sT0FBTyxDQUFDO0FBQzVELFNBQU8sT0FBTyxLQUFLLElBQUksU0FBUyxJQUFJLFNBQVMsZ0JBQWdCLENBQUM7QUFDaEU7QUFLTyxTQUFTLG1CQUE2QjtBQUMzQyxRQUFNLGNBQVUsd0NBQW9CLFNBQVM7QUFDN0MsUUFBTSxnQkFBWSx3Q0FBb0IsUUFBUTtBQUM5QyxTQUFPO0FBQUEsSUFDTCxZQUFZLGFBQWEsUUFBUSxTQUFTO0FBQUEsSUFDMUMsVUFBVSxhQUFhLFVBQVUsU0FBUztBQUFBLElBQzFDLGFBQWEsUUFBUTtBQUFBLElBQ3JCLFdBQVcsVUFBVTtBQUFBLEVBQ3ZCO0FBQ0Y7QUFnRUEsSUFBTSxrQkFBa0IsUUFBUSxhQUFhO0FBc0l0QyxTQUFTLFNBQVMsSUFBYyxNQUFzQjtBQUMzRCxhQUFPLHlCQUFLLE1BQU0sTUFBTSxHQUFHLFdBQVc7QUFDeEM7OztBQ25WTyxJQUFNLGNBQWM7QUFBQSxFQUN6QjtBQUFBLEVBQ0E7QUFBQSxFQUNBO0FBQUEsRUFDQTtBQUFBLEVBQ0E7QUFBQSxFQUNBO0FBQUEsRUFDQTtBQUFBLEVBQ0E7QUFBQSxFQUNBO0FBQUEsRUFDQTtBQUFBLEVBQ0E7QUFBQSxFQUNBO0FBQUEsRUFDQTtBQUFBLEVBQ0E7QUFBQSxFQUNBO0FBQUEsRUFDQTtBQUFBLEVBQ0E7QUFBQSxFQUNBO0FBQUEsRUFDQTtBQUFBLEVBQ0E7QUFBQSxFQUNBO0FBQUEsRUFDQTtBQUFBLEVBQ0E7QUFBQSxFQUNBO0FBQUEsRUFDQTtBQUFBLEVBQ0E7QUFDRjtBQVNPLFNBQVMsa0JBQWtCLEdBQWtDO0FBQ2xFLFNBQU8sWUFBWSxJQUFJLENBQUM7QUFDMUI7OztBQ3BDTyxJQUFNLG1CQUFtQjtBQUd6QixJQUFNLFFBQVE7QUFHZCxJQUFNLGVBQWU7QUFNckIsSUFBTSx5QkFBeUI7QUFTL0IsSUFBTSxZQUFZO0FBR2xCLElBQU0sZ0JBQWdCO0FBS3RCLElBQU0saUJBQWlCO0FBWXZCLElBQU0sMEJBQTBCO0FBbUJoQyxJQUFNLG9CQUFvQix5QkFBeUIsZUFBZTtBQVlsRSxJQUFNLG1CQUFtQjtBQU16QixJQUFNLGtCQUFrQjs7O0FDOUV4QixJQUFNLE9BQU87QUFBQSxFQUNsQixPQUFPO0FBQUEsRUFDUCxRQUFRO0FBQUEsRUFDUixVQUFVO0FBQUEsRUFDVixZQUFZO0FBQUEsRUFDWixPQUFPO0FBQUEsRUFDUCxNQUFNO0FBQUEsRUFDTixNQUFNO0FBQUEsRUFDTixZQUFZO0FBQUEsRUFDWixRQUFRO0FBQUEsRUFDUixVQUFVO0FBQUEsRUFDVixPQUFPO0FBQUEsRUFDUCxLQUFLO0FBQUEsRUFDTCxTQUFTO0FBQUEsRUFDVCxVQUFVO0FBQUEsRUFDVixZQUFZO0FBQUEsRUFDWixhQUFhO0FBQUEsRUFDYixnQkFBZ0I7QUFDbEI7QUE2Qk8sU0FBUyxXQUFXLEtBQTJCO0FBQ3BELE1BQUksSUFBSSxTQUFTLGFBQWMsUUFBTyxFQUFFLElBQUksT0FBTyxRQUFRLFFBQVE7QUFDbkUsTUFBSSxJQUFJLENBQUMsTUFBTSxNQUFPLFFBQU8sRUFBRSxJQUFJLE9BQU8sUUFBUSxRQUFRO0FBQzFELE1BQUksSUFBSSxDQUFDLE1BQU0saUJBQWtCLFFBQU8sRUFBRSxJQUFJLE9BQU8sUUFBUSxVQUFVO0FBQ3ZFLFNBQU87QUFBQSxJQUNMLElBQUk7QUFBQSxJQUNKLFFBQVEsRUFBRSxNQUFNLElBQUksQ0FBQyxHQUFHLE9BQU8sSUFBSSxDQUFDLEdBQUcsS0FBSyxJQUFJLGFBQWEsQ0FBQyxHQUFHLEtBQUssSUFBSSxhQUFhLENBQUMsRUFBRTtBQUFBLEVBQzVGO0FBQ0Y7QUFFTyxTQUFTLFlBQVksS0FBYSxHQUFXLFNBQVMsR0FBUztBQUNwRSxNQUFJLE1BQU0sSUFBSTtBQUNkLE1BQUksU0FBUyxDQUFDLElBQUk7QUFDbEIsTUFBSSxTQUFTLENBQUMsSUFBSSxFQUFFO0FBQ3BCLE1BQUksU0FBUyxDQUFDLElBQUksRUFBRTtBQUNwQixNQUFJLGNBQWMsRUFBRSxRQUFRLEdBQUcsU0FBUyxDQUFDO0FBQ3pDLE1BQUksY0FBYyxFQUFFLFFBQVEsR0FBRyxTQUFTLENBQUM7QUFDM0M7QUFHTyxTQUFTLFNBQVMsR0FBVyxPQUFtQixPQUFPLE1BQU0sQ0FBQyxHQUFXO0FBQzlFLFFBQU0sTUFBTSxPQUFPLFlBQVksZUFBZSxLQUFLLE1BQU07QUFDekQsY0FBWSxLQUFLLENBQUM7QUFDbEIsTUFBSSxJQUFJLE1BQU0sWUFBWTtBQUMxQixTQUFPO0FBQ1Q7OztBQ3pFTyxJQUFNLFlBQU4sY0FBd0IsTUFBTTtBQUFBLEVBQ25DLGNBQWM7QUFDWixVQUFNLFdBQVc7QUFBQSxFQUNuQjtBQUNGO0FBRU8sSUFBTSxhQUFOLE1BQWlCO0FBQUEsRUFFdEIsWUFBNkIsS0FBYSxRQUFRLEdBQW9CLE1BQU0sSUFBSSxRQUFRO0FBQTNEO0FBQXlDO0FBQ3BFLFNBQUssTUFBTTtBQUFBLEVBQ2I7QUFBQSxFQUY2QjtBQUFBLEVBQXlDO0FBQUEsRUFEOUQ7QUFBQSxFQUlSLElBQUksWUFBb0I7QUFDdEIsV0FBTyxLQUFLLE1BQU0sS0FBSztBQUFBLEVBQ3pCO0FBQUEsRUFDQSxJQUFJLFNBQWlCO0FBQ25CLFdBQU8sS0FBSztBQUFBLEVBQ2Q7QUFBQSxFQUNRLEtBQUssR0FBaUI7QUFDNUIsUUFBSSxLQUFLLE1BQU0sS0FBSyxNQUFNLEVBQUcsT0FBTSxJQUFJLFVBQVU7QUFBQSxFQUNuRDtBQUFBLEVBQ0EsS0FBYTtBQUNYLFNBQUssS0FBSyxDQUFDO0FBQ1gsV0FBTyxLQUFLLElBQUksS0FBSyxLQUFLO0FBQUEsRUFDNUI7QUFBQSxFQUNBLE1BQWM7QUFDWixTQUFLLEtBQUssQ0FBQztBQUNYLFVBQU0sSUFBSSxLQUFLLElBQUksYUFBYSxLQUFLLEdBQUc7QUFDeEMsU0FBSyxPQUFPO0FBQ1osV0FBTztBQUFBLEVBQ1Q7QUFBQSxFQUNBLE1BQWM7QUFDWixTQUFLLEtBQUssQ0FBQztBQUNYLFVBQU0sSUFBSSxLQUFLLElBQUksYUFBYSxLQUFLLEdBQUc7QUFDeEMsU0FBSyxPQUFPO0FBQ1osV0FBTztBQUFBLEVBQ1Q7QUFBQTtBQUFBLEVBRUEsTUFBYztBQUNaLFNBQUssS0FBSyxDQUFDO0FBQ1gsVUFBTSxLQUFLLEtBQUssSUFBSSxhQUFhLEtBQUssR0FBRztBQUN6QyxVQUFNLEtBQUssS0FBSyxJQUFJLGFBQWEsS0FBSyxNQUFNLENBQUM7QUFDN0MsUUFBSSxLQUFLLFFBQVcsT0FBTSxJQUFJLFVBQVU7QUFDeEMsU0FBSyxPQUFPO0FBQ1osV0FBTyxLQUFLLGFBQWdCO0FBQUEsRUFDOUI7QUFBQSxFQUNBLE1BQU0sR0FBbUI7QUFDdkIsU0FBSyxLQUFLLENBQUM7QUFDWCxVQUFNLElBQUksS0FBSyxJQUFJLFNBQVMsS0FBSyxLQUFLLEtBQUssTUFBTSxDQUFDO0FBQ2xELFNBQUssT0FBTztBQUNaLFdBQU87QUFBQSxFQUNUO0FBQUEsRUFDQSxPQUFlO0FBQ2IsV0FBTyxLQUFLLE1BQU0sS0FBSyxTQUFTO0FBQUEsRUFDbEM7QUFBQTtBQUFBLEVBRUEsS0FBSyxLQUFxQjtBQUN4QixXQUFPLFdBQVcsS0FBSyxNQUFNLEtBQUssR0FBRyxDQUFDLEdBQUcsR0FBRztBQUFBLEVBQzlDO0FBQUEsRUFDQSxNQUFNLEtBQXFCO0FBQ3pCLFdBQU8sV0FBVyxLQUFLLE1BQU0sS0FBSyxJQUFJLENBQUMsR0FBRyxHQUFHO0FBQUEsRUFDL0M7QUFDRjtBQUdBLElBQU0sT0FBTyxJQUFJLFlBQVksU0FBUyxFQUFFLE9BQU8sTUFBTSxXQUFXLEtBQUssQ0FBQztBQUV0RSxTQUFTLFdBQVcsR0FBVyxLQUFxQjtBQUNsRCxNQUFJLEVBQUUsU0FBUyxJQUFLLE9BQU0sSUFBSSxVQUFVO0FBQ3hDLE1BQUk7QUFDRixXQUFPLEtBQUssT0FBTyxDQUFDO0FBQUEsRUFDdEIsUUFBUTtBQUNOLFVBQU0sSUFBSSxVQUFVO0FBQUEsRUFDdEI7QUFDRjtBQUdPLElBQU0sYUFBTixNQUFpQjtBQUFBLEVBQ2Q7QUFBQSxFQUNBLE1BQU07QUFBQSxFQUNkLFlBQVksVUFBVSxLQUFLO0FBQ3pCLFNBQUssTUFBTSxPQUFPLFlBQVksT0FBTztBQUFBLEVBQ3ZDO0FBQUEsRUFDUSxLQUFLLEdBQWlCO0FBQzVCLFFBQUksS0FBSyxNQUFNLEtBQUssS0FBSyxJQUFJLE9BQVE7QUFDckMsVUFBTSxPQUFPLE9BQU8sWUFBWSxLQUFLLElBQUksS0FBSyxJQUFJLFNBQVMsR0FBRyxLQUFLLE1BQU0sQ0FBQyxDQUFDO0FBQzNFLFNBQUssSUFBSSxLQUFLLE1BQU0sR0FBRyxHQUFHLEtBQUssR0FBRztBQUNsQyxTQUFLLE1BQU07QUFBQSxFQUNiO0FBQUEsRUFDQSxHQUFHLEdBQWlCO0FBQ2xCLGNBQVUsR0FBRyxHQUFJO0FBQ2pCLFNBQUssS0FBSyxDQUFDO0FBQ1gsU0FBSyxJQUFJLEtBQUssS0FBSyxJQUFJO0FBQ3ZCLFdBQU87QUFBQSxFQUNUO0FBQUEsRUFDQSxJQUFJLEdBQWlCO0FBQ25CLGNBQVUsR0FBRyxLQUFNO0FBQ25CLFNBQUssS0FBSyxDQUFDO0FBQ1gsU0FBSyxJQUFJLGNBQWMsR0FBRyxLQUFLLEdBQUc7QUFDbEMsU0FBSyxPQUFPO0FBQ1osV0FBTztBQUFBLEVBQ1Q7QUFBQSxFQUNBLElBQUksR0FBaUI7QUFDbkIsY0FBVSxHQUFHLFVBQVc7QUFDeEIsU0FBSyxLQUFLLENBQUM7QUFDWCxTQUFLLElBQUksY0FBYyxHQUFHLEtBQUssR0FBRztBQUNsQyxTQUFLLE9BQU87QUFDWixXQUFPO0FBQUEsRUFDVDtBQUFBLEVBQ0EsSUFBSSxHQUFpQjtBQUNuQixjQUFVLEdBQUcsT0FBTyxnQkFBZ0I7QUFDcEMsU0FBSyxLQUFLLENBQUM7QUFDWCxTQUFLLElBQUksY0FBYyxLQUFLLE1BQU0sSUFBSSxVQUFhLEdBQUcsS0FBSyxHQUFHO0FBQzlELFNBQUssSUFBSSxjQUFjLElBQUksWUFBZSxLQUFLLE1BQU0sQ0FBQztBQUN0RCxTQUFLLE9BQU87QUFDWixXQUFPO0FBQUEsRUFDVDtBQUFBLEVBQ0EsTUFBTSxHQUFxQjtBQUN6QixTQUFLLEtBQUssRUFBRSxNQUFNO0FBQ2xCLFNBQUssSUFBSSxJQUFJLEdBQUcsS0FBSyxHQUFHO0FBQ3hCLFNBQUssT0FBTyxFQUFFO0FBQ2QsV0FBTztBQUFBLEVBQ1Q7QUFBQSxFQUNBLEtBQUssR0FBVyxLQUFtQjtBQUNqQyxVQUFNLElBQUksT0FBTyxLQUFLLEdBQUcsTUFBTTtBQUMvQixRQUFJLEVBQUUsU0FBUyxPQUFPLEVBQUUsU0FBUyxJQUFNLE9BQU0sSUFBSSxXQUFXLHNCQUFzQixHQUFHLFFBQVE7QUFDN0YsV0FBTyxLQUFLLEdBQUcsRUFBRSxNQUFNLEVBQUUsTUFBTSxDQUFDO0FBQUEsRUFDbEM7QUFBQSxFQUNBLE1BQU0sR0FBVyxLQUFtQjtBQUNsQyxVQUFNLElBQUksT0FBTyxLQUFLLEdBQUcsTUFBTTtBQUMvQixRQUFJLEVBQUUsU0FBUyxPQUFPLEVBQUUsU0FBUyxNQUFRLE9BQU0sSUFBSSxXQUFXLHNCQUFzQixHQUFHLFFBQVE7QUFDL0YsV0FBTyxLQUFLLElBQUksRUFBRSxNQUFNLEVBQUUsTUFBTSxDQUFDO0FBQUEsRUFDbkM7QUFBQSxFQUNBLFNBQWlCO0FBQ2YsV0FBTyxLQUFLLElBQUksU0FBUyxHQUFHLEtBQUssR0FBRztBQUFBLEVBQ3RDO0FBQ0Y7QUFHQSxTQUFTLFVBQVUsR0FBVyxLQUFtQjtBQUMvQyxNQUFJLENBQUMsT0FBTyxVQUFVLENBQUMsS0FBSyxJQUFJLEtBQUssSUFBSSxJQUFLLE9BQU0sSUFBSSxXQUFXLEdBQUcsQ0FBQywwQ0FBMEMsR0FBRyxFQUFFO0FBQ3hIOzs7QUNySU8sSUFBTSxlQUFlLElBQUk7QUFDekIsSUFBTSxvQkFBb0I7QUFDMUIsSUFBTSxZQUFZO0FBQ2xCLElBQU0sa0JBQWtCO0FBQ3hCLElBQU0scUJBQXFCO0FBZ0QzQixTQUFTLGdCQUFnQixHQUF5QjtBQUN2RCxRQUFNLElBQUksSUFBSSxXQUFXLEVBQUU7QUFDM0IsVUFBUSxFQUFFLE1BQU07QUFBQSxJQUNkLEtBQUssS0FBSztBQUNSLFFBQUUsTUFBTSxNQUFNLEVBQUUsT0FBTyxpQkFBaUIsQ0FBQztBQUV6QyxRQUFFLE1BQU0sT0FBTyxNQUFNLGtCQUFrQixlQUFlLGlCQUFpQixDQUFDO0FBQ3hFO0FBQUEsSUFDRixLQUFLLEtBQUs7QUFDUixRQUFFLE1BQU0sTUFBTSxFQUFFLE9BQU8saUJBQWlCLENBQUMsRUFBRSxNQUFNLE1BQU0sRUFBRSxRQUFRLFlBQVksQ0FBQztBQUM5RTtBQUFBLElBQ0YsS0FBSyxLQUFLO0FBQ1IsUUFBRSxNQUFNLE1BQU0sRUFBRSxRQUFRLFlBQVksQ0FBQyxFQUNsQyxNQUFNLE1BQU0sRUFBRSxZQUFZLFNBQVMsQ0FBQyxFQUNwQyxNQUFNLE1BQU0sRUFBRSxVQUFVLFNBQVMsQ0FBQyxFQUNsQyxNQUFNLE1BQU0sRUFBRSxhQUFhLGtCQUFrQixDQUFDLEVBQzlDLEtBQUssRUFBRSxNQUFNLGNBQWMsRUFDM0IsTUFBTSxNQUFNLEVBQUUsV0FBVyxlQUFlLENBQUM7QUFDNUM7QUFBQSxJQUNGLEtBQUssS0FBSztBQUNSLFFBQUUsSUFBSSxFQUFFLE9BQU8sRUFBRSxJQUFJLEVBQUUsYUFBYSxFQUFFLElBQUksRUFBRSxXQUFXLEVBQUUsSUFBSSxFQUFFLGFBQWEsRUFBRSxLQUFLLEVBQUUsTUFBTSxjQUFjO0FBQ3pHO0FBQUEsSUFDRixLQUFLLEtBQUs7QUFDUixRQUFFLElBQUksRUFBRSxJQUFJLEVBQUUsR0FBRyxFQUFFLE9BQU8sRUFBRSxJQUFJLEVBQUUsS0FBSyxFQUFFLE1BQU0sS0FBSyxFQUFFLFNBQVMsdUJBQXVCLEdBQUcsdUJBQXVCO0FBQ2hIO0FBQUEsSUFDRixLQUFLLEtBQUs7QUFDUixRQUFFLElBQUksRUFBRSxLQUFLO0FBQ2I7QUFBQSxJQUNGLEtBQUssS0FBSztBQUNSLFFBQUUsSUFBSSxFQUFFLEtBQUssRUFBRSxJQUFJLEVBQUUsYUFBYTtBQUNsQztBQUFBLElBQ0YsS0FBSyxLQUFLO0FBQ1IsUUFBRSxJQUFJLEVBQUUsTUFBTTtBQUNkO0FBQUEsSUFDRixLQUFLLEtBQUs7QUFDUixRQUFFLElBQUksRUFBRSxPQUFPLEVBQUUsSUFBSSxFQUFFLEtBQUssRUFBRSxJQUFJLEVBQUUsTUFBTSxFQUFFLElBQUksRUFBRSxRQUFRLE1BQU07QUFDaEUsaUJBQVcsS0FBSyxFQUFFLFFBQVMsR0FBRSxJQUFJLEVBQUUsRUFBRSxFQUFFLEtBQUssRUFBRSxNQUFNLGNBQWM7QUFDbEU7QUFBQSxJQUNGLEtBQUssS0FBSztBQUNSLFFBQUUsSUFBSSxFQUFFLE9BQU8sRUFBRSxJQUFJLEVBQUUsUUFBUSxNQUFNO0FBQ3JDLGlCQUFXLEtBQUssRUFBRSxRQUFTLEdBQUUsR0FBRyxFQUFFLFNBQVMsSUFBSSxDQUFDLEVBQUUsSUFBSSxFQUFFLEVBQUUsRUFBRSxLQUFLLEVBQUUsTUFBTSxjQUFjO0FBQ3ZGO0FBQUEsSUFDRixLQUFLLEtBQUs7QUFDUjtBQUFBLElBQ0YsS0FBSyxLQUFLO0FBQ1IsUUFBRSxJQUFJLEVBQUUsSUFBSTtBQUNaO0FBQUEsSUFDRixLQUFLLEtBQUs7QUFDUixRQUFFLElBQUksRUFBRSxFQUFFLEVBQUUsS0FBSyxFQUFFLE1BQU0sY0FBYztBQUN2QztBQUFBLElBQ0YsS0FBSyxLQUFLO0FBQ1IsUUFBRSxJQUFJLEVBQUUsRUFBRSxFQUFFLE1BQU0sTUFBTSxFQUFFLFlBQVksU0FBUyxDQUFDLEVBQUUsTUFBTSxNQUFNLEVBQUUsVUFBVSxTQUFTLENBQUMsRUFBRSxLQUFLLEVBQUUsTUFBTSxjQUFjO0FBQ2pIO0FBQUEsRUFDSjtBQUNBLFNBQU8sRUFBRSxPQUFPO0FBQ2xCO0FBR08sU0FBUyxtQkFBbUIsR0FBaUIsTUFBTSxHQUFHLE1BQU0sV0FBbUI7QUFDcEYsU0FBTyxTQUFTLEVBQUUsTUFBTSxFQUFFLE1BQU0sT0FBTyxHQUFHLEtBQUssSUFBSSxHQUFHLGdCQUFnQixDQUFDLENBQUM7QUFDMUU7QUFNTyxTQUFTLG9CQUFvQixHQUE2RTtBQUMvRyxRQUFNLE9BQU8sbUJBQW1CLEVBQUUsR0FBRyxHQUFHLFdBQVcsT0FBTyxNQUFNLGVBQWUsR0FBRyxRQUFRLE9BQU8sTUFBTSxDQUFDLEVBQUUsQ0FBQztBQUMzRyxTQUFPLEtBQUssU0FBUyxHQUFHLEtBQUssU0FBUyxlQUFlO0FBQ3ZEO0FBR08sU0FBUyxtQkFBbUIsS0FBb0M7QUFDckUsUUFBTSxJQUFJLFdBQVcsR0FBRztBQUN4QixNQUFJLENBQUMsRUFBRSxHQUFJLFFBQU8sRUFBRSxJQUFJLE9BQU8sUUFBUSxFQUFFLE9BQU87QUFDaEQsUUFBTSxJQUFJLElBQUksV0FBVyxLQUFLLFlBQVk7QUFDMUMsTUFBSTtBQUNGLFVBQU0sTUFBTSxXQUFXLEVBQUUsT0FBTyxNQUFNLEdBQUcsR0FBRztBQUM1QyxRQUFJLENBQUMsSUFBSyxRQUFPLEVBQUUsSUFBSSxPQUFPLFFBQVEsT0FBTztBQUM3QyxRQUFJLEVBQUUsY0FBYyxLQUFLLEVBQUUsT0FBTyxTQUFTLEtBQUssTUFBTyxRQUFPLEVBQUUsSUFBSSxPQUFPLFFBQVEsV0FBVztBQUM5RixXQUFPLEVBQUUsSUFBSSxNQUFNLFFBQVEsRUFBRSxRQUFRLElBQUk7QUFBQSxFQUMzQyxTQUFTLEdBQUc7QUFDVixRQUFJLGFBQWEsVUFBVyxRQUFPLEVBQUUsSUFBSSxPQUFPLFFBQVEsWUFBWTtBQUNwRSxVQUFNO0FBQUEsRUFDUjtBQUNGO0FBRUEsU0FBUyxXQUFXLE1BQWMsR0FBZSxLQUFrQztBQUNqRixVQUFRLE1BQU07QUFBQSxJQUNaLEtBQUssS0FBSyxPQUFPO0FBQ2YsVUFBSSxJQUFJLFNBQVMsZ0JBQWlCLE9BQU0sSUFBSSxVQUFVO0FBQ3RELFlBQU0sUUFBUSxFQUFFLE1BQU0saUJBQWlCO0FBQ3ZDLFFBQUUsS0FBSztBQUNQLGFBQU8sRUFBRSxNQUFNLE1BQU07QUFBQSxJQUN2QjtBQUFBLElBQ0EsS0FBSyxLQUFLO0FBQ1IsYUFBTyxFQUFFLE1BQU0sT0FBTyxFQUFFLE1BQU0saUJBQWlCLEdBQUcsUUFBUSxFQUFFLE1BQU0sWUFBWSxFQUFFO0FBQUEsSUFDbEYsS0FBSyxLQUFLLFVBQVU7QUFDbEIsWUFBTSxTQUFTLEVBQUUsTUFBTSxZQUFZO0FBQ25DLFlBQU0sYUFBYSxFQUFFLE1BQU0sU0FBUztBQUNwQyxZQUFNLFdBQVcsRUFBRSxNQUFNLFNBQVM7QUFDbEMsWUFBTUMsZUFBYyxFQUFFLE1BQU0sa0JBQWtCO0FBQzlDLFlBQU0sT0FBTyxFQUFFLEtBQUssY0FBYztBQUNsQyxZQUFNLFlBQVksRUFBRTtBQUNwQixZQUFNLFlBQVksRUFBRSxNQUFNLGVBQWU7QUFDekMsYUFBTyxFQUFFLE1BQU0sUUFBUSxZQUFZLFVBQVUsYUFBQUEsY0FBYSxNQUFNLFdBQVcsUUFBUSxJQUFJLFNBQVMsR0FBRyxTQUFTLEVBQUU7QUFBQSxJQUNoSDtBQUFBLElBQ0EsS0FBSyxLQUFLO0FBQ1IsYUFBTztBQUFBLFFBQ0w7QUFBQSxRQUNBLFNBQVMsRUFBRSxJQUFJO0FBQUEsUUFDZixlQUFlLEVBQUUsSUFBSTtBQUFBLFFBQ3JCLGFBQWEsRUFBRSxJQUFJO0FBQUEsUUFDbkIsZUFBZSxFQUFFLElBQUk7QUFBQSxRQUNyQixNQUFNLEVBQUUsS0FBSyxjQUFjO0FBQUEsTUFDN0I7QUFBQSxJQUNGLEtBQUssS0FBSztBQUNSLGFBQU8sRUFBRSxNQUFNLE1BQU0sRUFBRSxJQUFJLEdBQUcsU0FBUyxFQUFFLEdBQUcsR0FBRyxPQUFPLEVBQUUsSUFBSSxHQUFHLFNBQVMsRUFBRSxNQUFNLHVCQUF1QixFQUFFO0FBQUEsSUFDM0csS0FBSyxLQUFLO0FBQ1IsYUFBTyxFQUFFLE1BQU0sT0FBTyxFQUFFLElBQUksRUFBRTtBQUFBLElBQ2hDLEtBQUssS0FBSztBQUNSLGFBQU8sRUFBRSxNQUFNLE9BQU8sRUFBRSxJQUFJLEdBQUcsZUFBZSxFQUFFLElBQUksRUFBRTtBQUFBLElBQ3hELEtBQUssS0FBSztBQUNSLGFBQU8sRUFBRSxNQUFNLFFBQVEsRUFBRSxJQUFJLEVBQUU7QUFBQSxJQUNqQyxLQUFLLEtBQUssUUFBUTtBQUNoQixZQUFNLFVBQVUsRUFBRSxJQUFJO0FBQ3RCLFlBQU0sUUFBUSxFQUFFLElBQUk7QUFDcEIsWUFBTSxTQUFTLEVBQUUsSUFBSTtBQUNyQixZQUFNLElBQUksRUFBRSxJQUFJO0FBQ2hCLFlBQU0sVUFBeUIsQ0FBQztBQUNoQyxlQUFTLElBQUksR0FBRyxJQUFJLEdBQUcsSUFBSyxTQUFRLEtBQUssRUFBRSxJQUFJLEVBQUUsSUFBSSxHQUFHLE1BQU0sRUFBRSxLQUFLLGNBQWMsRUFBRSxDQUFDO0FBQ3RGLGFBQU8sRUFBRSxNQUFNLFNBQVMsT0FBTyxRQUFRLFFBQVE7QUFBQSxJQUNqRDtBQUFBLElBQ0EsS0FBSyxLQUFLLFVBQVU7QUFDbEIsWUFBTSxVQUFVLEVBQUUsSUFBSTtBQUN0QixZQUFNLElBQUksRUFBRSxJQUFJO0FBQ2hCLFlBQU0sVUFBNEIsQ0FBQztBQUNuQyxlQUFTLElBQUksR0FBRyxJQUFJLEdBQUcsS0FBSztBQUMxQixjQUFNLFNBQVMsRUFBRSxHQUFHO0FBQ3BCLFlBQUksU0FBUyxFQUFHLE9BQU0sSUFBSSxVQUFVO0FBQ3BDLGdCQUFRLEtBQUssRUFBRSxRQUFRLFdBQVcsR0FBRyxJQUFJLEVBQUUsSUFBSSxHQUFHLE1BQU0sRUFBRSxLQUFLLGNBQWMsRUFBRSxDQUFDO0FBQUEsTUFDbEY7QUFDQSxhQUFPLEVBQUUsTUFBTSxTQUFTLFFBQVE7QUFBQSxJQUNsQztBQUFBLElBQ0EsS0FBSyxLQUFLO0FBQ1IsYUFBTyxFQUFFLEtBQUs7QUFBQSxJQUNoQixLQUFLLEtBQUs7QUFDUixhQUFPLEVBQUUsTUFBTSxNQUFNLEVBQUUsSUFBSSxFQUFFO0FBQUEsSUFDL0IsS0FBSyxLQUFLO0FBQ1IsYUFBTyxFQUFFLE1BQU0sSUFBSSxFQUFFLElBQUksR0FBRyxNQUFNLEVBQUUsS0FBSyxjQUFjLEVBQUU7QUFBQSxJQUMzRCxLQUFLLEtBQUs7QUFDUixhQUFPLEVBQUUsTUFBTSxJQUFJLEVBQUUsSUFBSSxHQUFHLFlBQVksRUFBRSxNQUFNLFNBQVMsR0FBRyxVQUFVLEVBQUUsTUFBTSxTQUFTLEdBQUcsTUFBTSxFQUFFLEtBQUssY0FBYyxFQUFFO0FBQUEsSUFDekg7QUFDRSxhQUFPO0FBQUEsRUFDWDtBQUNGO0FBRUEsU0FBUyxNQUFNLEdBQVcsR0FBbUI7QUFDM0MsTUFBSSxFQUFFLFdBQVcsRUFBRyxPQUFNLElBQUksV0FBVyxZQUFZLENBQUMsZUFBZSxFQUFFLE1BQU0sRUFBRTtBQUMvRSxTQUFPO0FBQ1Q7QUFHTyxTQUFTLEtBQUssR0FBVyxLQUFxQjtBQUNuRCxNQUFJLE9BQU8sV0FBVyxDQUFDLEtBQUssSUFBSyxRQUFPO0FBQ3hDLE1BQUksTUFBTTtBQUNWLGFBQVcsTUFBTSxHQUFHO0FBQ2xCLFFBQUksT0FBTyxXQUFXLE1BQU0sRUFBRSxJQUFJLElBQUs7QUFDdkMsV0FBTztBQUFBLEVBQ1Q7QUFDQSxTQUFPO0FBQ1Q7OztBQzNPQSxJQUFBQyxzQkFBMkI7QUFPM0IsSUFBTSxlQUFlLE9BQU8sS0FBSyxtQkFBbUIsTUFBTTtBQVduRCxTQUFTLFlBQVksUUFBZ0IsUUFBZ0IsWUFBNEI7QUFDdEYsYUFBTyxnQ0FBVyxVQUFVLE9BQU8sS0FBSyxRQUFRLE1BQU0sQ0FBQyxFQUNwRCxPQUFPLFlBQVksRUFDbkIsT0FBTyxNQUFNLEVBQ2IsT0FBTyxVQUFVLEVBQ2pCLE9BQU8sRUFDUCxTQUFTLEdBQUcsa0JBQWtCO0FBQ25DO0FBR08sU0FBUyxnQkFBd0I7QUFDdEMsU0FBTyxPQUFPLE1BQU0sa0JBQWtCO0FBQ3hDOzs7QUNtRU8sU0FBUyxpQkFBaUIsUUFBZ0IsTUFBYyxVQUFvQixRQUF5QjtBQUMxRyxRQUFNLFNBQVMsb0JBQW9CO0FBQUEsSUFDakMsTUFBTSxLQUFLO0FBQUEsSUFDWDtBQUFBLElBQ0EsWUFBWSxTQUFTO0FBQUEsSUFDckIsVUFBVSxTQUFTO0FBQUEsSUFDbkIsYUFBYSxXQUFXLFNBQVksY0FBYyxJQUFJLFlBQVksUUFBUSxRQUFRLFNBQVMsVUFBVTtBQUFBLElBQ3JHO0FBQUEsRUFDRixDQUFDO0FBQ0QsU0FBTyxPQUFPLE9BQU8sQ0FBQyxRQUFRLFNBQVMsVUFBVSxNQUFNLENBQUMsQ0FBQztBQUMzRDs7O0FSakNBLElBQU0sbUJBQW1CO0FBQ3pCLElBQU0sZUFBZTtBQUVyQixJQUFJLGFBQXlCLENBQUM7QUFDOUIsSUFBSSxVQUFvQixDQUFDO0FBQ3pCLElBQUksWUFBWTtBQUNoQixJQUFJLGNBQWM7QUFDbEIsSUFBSTtBQUNKLElBQUksWUFBWTtBQUNoQixJQUFNLFNBQVMsSUFBSSxhQUFhLEdBQUc7QUFFbkMsSUFBSSxlQUF1QyxDQUFDO0FBQzVDLElBQUksY0FBYztBQUNsQixJQUFJLFVBQVU7QUFFZCxJQUFJLGNBQWM7QUFHbEIsSUFBSSxhQUFhO0FBQ2pCLElBQUksVUFBVTtBQUNkLElBQUksWUFBWTtBQUNoQixJQUFJLGFBQWE7QUFDakIsSUFBSSxnQkFBcUM7QUFlekMsSUFBSSxRQUFzQjtBQUUxQixTQUFTLE1BQU0sT0FBdUI7QUFDcEMsU0FBTyxTQUFTLEtBQUssTUFBTSxRQUFRLEdBQUcsQ0FBQyxJQUFJLElBQUssUUFBUSxHQUFJO0FBQzlEO0FBRUEsU0FBUyxLQUFLLEdBQVcsS0FBbUI7QUFDMUMsSUFBRSxXQUFXLG1DQUFZLElBQUk7QUFDN0IsSUFBRSxPQUFPLEtBQUssS0FBSyxXQUFXLFdBQVc7QUFDM0M7QUFFQSxTQUFTLFVBQVUsR0FBaUI7QUFDbEMsSUFBRSxRQUFRO0FBQ1YsSUFBRSxZQUFRLGlDQUFZLGlCQUFpQjtBQUN2QyxJQUFFO0FBQ0YsT0FBSyxHQUFHLG1CQUFtQixFQUFFLE1BQU0sS0FBSyxPQUFPLE9BQU8sRUFBRSxNQUFNLENBQUMsQ0FBQztBQUNsRTtBQUVBLFNBQVMsT0FBTyxHQUFXLElBQWEsUUFBUSxJQUFVO0FBQ3hELE1BQUksRUFBRSxVQUFVLFVBQVUsRUFBRSxVQUFVLFNBQVU7QUFDaEQsSUFBRSxRQUFRLEtBQUssU0FBUztBQUN4QixJQUFFLFFBQVEsbUNBQVksSUFBSTtBQUMxQixJQUFFLFFBQVE7QUFDVjtBQUNBLE1BQUksR0FBSTtBQUFBLE1BQ0g7QUFDTCxrQkFBZ0I7QUFDbEI7QUFFQSxTQUFTLFVBQVUsR0FBVyxLQUFtQjtBQUMvQyxRQUFNLE1BQU0sbUNBQVksSUFBSTtBQUM1QjtBQUNBLGFBQVcsSUFBSTtBQUNmLE1BQUksSUFBSSxTQUFTLGdCQUFnQixJQUFJLENBQUMsTUFBTSxTQUFTLElBQUksQ0FBQyxNQUFNLGlCQUFrQjtBQUNsRixRQUFNLE9BQU8sSUFBSSxDQUFDO0FBQ2xCLFNBQU8sSUFBSTtBQUVYLE1BQUksU0FBUyxLQUFLLEtBQU0sZUFBYztBQUN0QyxNQUFJLFNBQVMsS0FBSyxnQkFBZ0I7QUFDaEMsVUFBTSxJQUFJO0FBQ1YsUUFBSSxNQUFNLFFBQVEsSUFBSSxTQUFTLGVBQWUsR0FBSTtBQUNsRCxVQUFNLE9BQU8sSUFBSSxhQUFhLFlBQVk7QUFDMUMsVUFBTSxJQUFJLElBQUksYUFBYSxlQUFlLENBQUM7QUFDM0MsVUFBTSxPQUFPLElBQUksYUFBYSxlQUFlLENBQUM7QUFDOUMsUUFBSSxRQUFRLEVBQUUsV0FBVyxLQUFLLEVBQUUsV0FBVztBQUN6QyxRQUFFO0FBQ0Y7QUFBQSxJQUNGO0FBQ0EsVUFBTSxRQUFRLEVBQUUsUUFBUSxFQUFFLFVBQVUsUUFBUSxFQUFFLFlBQVk7QUFDMUQsUUFBSSxFQUFFLEtBQUssSUFBSSxHQUFHO0FBQ2hCLFFBQUU7QUFDRjtBQUFBLElBQ0Y7QUFDQSxNQUFFLEtBQUssSUFBSSxJQUFJO0FBQ2YsUUFBSSxFQUFFLGFBQWEsRUFBRSxTQUFVLEdBQUUsVUFBVSxFQUFFLFVBQVUsSUFBSSxNQUFNO0FBQ2pFLE1BQUU7QUFDRixNQUFFLGNBQWM7QUFDaEIsUUFBSSxFQUFFLGVBQWUsRUFBRSxTQUFVLEdBQUUsU0FBUztBQUM1QztBQUFBLEVBQ0Y7QUFDQSxNQUFJLFNBQVMsS0FBSyxPQUFPO0FBQ3ZCLFVBQU0sSUFBSSxtQkFBbUIsR0FBRztBQUNoQyxRQUFJLEVBQUUsTUFBTSxFQUFFLElBQUksU0FBUyxLQUFLLE9BQU87QUFDckMsWUFBTSxNQUFNLEdBQUcsa0JBQWtCLEVBQUUsSUFBSSxJQUFJLEtBQUssRUFBRSxJQUFJLElBQUksVUFBVSxFQUFFLElBQUksUUFBUSxTQUFTLEVBQUUsQ0FBQztBQUM5RixtQkFBYSxHQUFHLEtBQUssYUFBYSxHQUFHLEtBQUssS0FBSztBQUFBLElBQ2pEO0FBQUEsRUFDRjtBQUNBLE1BQUksRUFBRSxVQUFVLFdBQVcsRUFBRSxVQUFVLFdBQVk7QUFDbkQsTUFBSSxTQUFTLEtBQUssVUFBVSxFQUFFLFVBQVUsU0FBUztBQUMvQyxVQUFNLElBQUksbUJBQW1CLEdBQUc7QUFDaEMsUUFBSSxDQUFDLEVBQUUsTUFBTSxFQUFFLElBQUksU0FBUyxLQUFLLFVBQVUsQ0FBQyxFQUFFLElBQUksTUFBTSxPQUFPLEVBQUUsS0FBSyxFQUFHO0FBQ3pFLE1BQUUsTUFBTSxpQkFBaUIsRUFBRSxJQUFJLFFBQVEsRUFBRSxNQUFNLEVBQUUsUUFBUTtBQUN6RCxNQUFFLFFBQVE7QUFDVixTQUFLLEdBQUcsRUFBRSxHQUFHO0FBQUEsRUFDZixXQUFXLFNBQVMsS0FBSyxjQUFjLEVBQUUsVUFBVSxZQUFZO0FBQzdELFVBQU0sSUFBSSxtQkFBbUIsR0FBRztBQUNoQyxRQUFJLENBQUMsRUFBRSxNQUFNLEVBQUUsSUFBSSxTQUFTLEtBQUssV0FBWTtBQUM3QyxNQUFFLFVBQVUsRUFBRSxJQUFJO0FBQ2xCLGtCQUFjLEVBQUUsSUFBSTtBQUNwQixXQUFPLEdBQUcsSUFBSTtBQUFBLEVBQ2hCLFdBQVcsU0FBUyxLQUFLLE9BQU87QUFDOUIsVUFBTSxJQUFJLG1CQUFtQixHQUFHO0FBQ2hDLFFBQUksQ0FBQyxFQUFFLE1BQU0sRUFBRSxJQUFJLFNBQVMsS0FBSyxTQUFTLEVBQUUsSUFBSSxZQUFZLEtBQUssU0FBVTtBQUMzRSxVQUFNLE9BQU8sa0JBQWtCLEVBQUUsSUFBSSxJQUFJLEtBQUssUUFBUSxFQUFFLElBQUksSUFBSTtBQUNoRSxRQUFJLFNBQVMsY0FBYztBQUN6QjtBQUNBLGdCQUFVLENBQUM7QUFDWDtBQUFBLElBQ0Y7QUFDQSxXQUFPLEdBQUcsT0FBTyxHQUFHLElBQUksS0FBSyxFQUFFLElBQUksT0FBTyxFQUFFO0FBQUEsRUFDOUM7QUFDRjtBQUVBLGVBQWUsV0FBVyxPQUFlLE9BQWUsYUFBc0M7QUFDNUYsUUFBTSxLQUFLLE1BQU0sS0FBSyxNQUFNLFFBQVEsS0FBSyxDQUFDO0FBQzFDLFFBQU0sU0FBZSxtQkFBYSxNQUFNO0FBQ3hDLFFBQU0sSUFBSSxRQUFjLENBQUMsU0FBUyxXQUFXO0FBQzNDLFdBQU8sS0FBSyxTQUFTLE1BQU07QUFDM0IsV0FBTyxLQUFLLEdBQUcsSUFBSSxNQUFNO0FBQ3ZCLGFBQU8sSUFBSSxTQUFTLE1BQU07QUFDMUIsY0FBUTtBQUFBLElBQ1YsQ0FBQztBQUFBLEVBQ0gsQ0FBQztBQUNELE1BQUksY0FBYyxHQUFHO0FBQ25CLFdBQU8sa0JBQWtCLFdBQVc7QUFDcEMsV0FBTyxrQkFBa0IsV0FBVztBQUFBLEVBQ3RDO0FBQ0EsUUFBTSxJQUFZO0FBQUEsSUFDaEI7QUFBQSxJQUNBLE1BQU0sSUFBSSxLQUFLO0FBQUEsSUFDZjtBQUFBLElBQ0E7QUFBQSxJQUNBLFVBQVUsV0FBVyxRQUFRLFdBQVcsTUFBTTtBQUFBLElBQzlDLE9BQU87QUFBQSxJQUNQLFNBQVM7QUFBQSxJQUNULE9BQU8sT0FBTyxNQUFNLENBQUM7QUFBQSxJQUNyQixLQUFLO0FBQUEsSUFDTCxVQUFVO0FBQUEsSUFDVixTQUFTO0FBQUEsSUFDVCxVQUFVO0FBQUEsSUFDVixRQUFRO0FBQUEsSUFDUixPQUFPO0FBQUEsSUFDUCxPQUFPO0FBQUEsRUFDVDtBQUNBLFNBQU8sR0FBRyxXQUFXLENBQUMsUUFBUSxVQUFVLEdBQUcsR0FBRyxDQUFDO0FBQy9DLFNBQU8sR0FBRyxTQUFTLE1BQU07QUFBQSxFQUV6QixDQUFDO0FBQ0QsU0FBTztBQUNUO0FBRUEsZUFBZSxXQUEwQjtBQUN2QyxNQUFJLGVBQWdCLGVBQWMsY0FBYztBQUNoRCxtQkFBaUI7QUFDakIsUUFBTSxRQUFRLElBQUksUUFBUSxJQUFJLENBQUMsTUFBTSxJQUFJLFFBQWMsQ0FBQyxZQUFZLEVBQUUsT0FBTyxNQUFNLE1BQU0sUUFBUSxDQUFDLENBQUMsQ0FBQyxDQUFDO0FBQ3JHLFlBQVUsQ0FBQztBQUNiO0FBRUEsU0FBUyxVQUFVLFFBQW1EO0FBQ3BFLFFBQU0sSUFBSSxhQUFhLEtBQUssTUFBTSxFQUFFLEtBQUs7QUFDekMsUUFBTSxJQUFJLEVBQUU7QUFDWixNQUFJLE1BQU0sRUFBRyxRQUFPLEVBQUUsT0FBTyxFQUFFO0FBQy9CLFFBQU0sTUFBTSxDQUFDLE1BQXNCO0FBQ2pDLFVBQU0sT0FBUSxJQUFJLE9BQVEsSUFBSTtBQUM5QixVQUFNLEtBQUssS0FBSyxNQUFNLElBQUk7QUFDMUIsVUFBTSxLQUFLLEtBQUssS0FBSyxJQUFJO0FBQ3pCLFdBQU8sRUFBRSxFQUFFLEtBQU0sRUFBRSxFQUFFLElBQUssRUFBRSxFQUFFLE1BQU8sT0FBTztBQUFBLEVBQzlDO0FBQ0EsTUFBSSxNQUFNO0FBQ1YsV0FBUyxJQUFJLEdBQUcsSUFBSSxHQUFHLElBQUssUUFBTyxFQUFFLENBQUM7QUFDdEMsUUFBTSxLQUFLLENBQUMsTUFBc0IsS0FBSyxNQUFNLElBQUksR0FBSSxJQUFJO0FBQ3pELFNBQU8sRUFBRSxPQUFPLEdBQUcsS0FBSyxHQUFHLEVBQUUsQ0FBQyxDQUFFLEdBQUcsTUFBTSxHQUFHLE1BQU0sQ0FBQyxHQUFHLEtBQUssR0FBRyxJQUFJLEVBQUUsQ0FBQyxHQUFHLEtBQUssR0FBRyxJQUFJLEVBQUUsQ0FBQyxHQUFHLEtBQUssR0FBRyxJQUFJLEVBQUUsQ0FBQyxHQUFHLE1BQU0sR0FBRyxJQUFJLElBQUksQ0FBQyxHQUFHLEtBQUssR0FBRyxFQUFFLElBQUksQ0FBQyxDQUFFLEVBQUU7QUFDdEo7QUFFQSxTQUFTLGFBQXFDO0FBQzVDLFFBQU0sUUFBZ0MsQ0FBQztBQUN2QyxhQUFXLENBQUMsR0FBRyxDQUFDLEtBQUssT0FBTyxRQUFRLElBQUksRUFBRyxPQUFNLENBQUMsSUFBSTtBQUN0RCxRQUFNLE1BQThCLENBQUM7QUFDckMsU0FBTyxRQUFRLENBQUMsR0FBRyxNQUFNO0FBQ3ZCLFFBQUksSUFBSSxFQUFHLEtBQUksTUFBTSxDQUFDLEtBQUssS0FBSyxFQUFFLFNBQVMsRUFBRSxDQUFDLEVBQUUsSUFBSTtBQUFBLEVBQ3RELENBQUM7QUFDRCxTQUFPO0FBQ1Q7QUFFQSxlQUFlLFNBQVMsS0FBb0Q7QUFDMUUsUUFBTSxTQUFTO0FBQ2YsY0FBWSxJQUFJO0FBQ2hCLFNBQU8sS0FBSyxDQUFDO0FBQ2IsaUJBQWUsQ0FBQztBQUNoQixnQkFBYztBQUNkLFlBQVU7QUFDVixlQUFhO0FBQ2IsWUFBVTtBQUNWLGNBQVk7QUFDWixlQUFhO0FBQ2IsUUFBTSxRQUFRLG1DQUFZLElBQUk7QUFDOUIsV0FBUyxJQUFJLEdBQUcsSUFBSSxJQUFJLE9BQU8sS0FBSyxLQUFLO0FBQ3ZDLFVBQU0sUUFBUSxDQUFDO0FBQ2YsYUFBUyxJQUFJLEdBQUcsSUFBSSxLQUFLLElBQUksSUFBSSxPQUFPLElBQUksR0FBRyxHQUFHLElBQUssT0FBTSxLQUFLLFdBQVcsR0FBRyxJQUFJLE9BQU8sSUFBSSxXQUFXLENBQUM7QUFDM0csWUFBUSxLQUFLLEdBQUksTUFBTSxRQUFRLElBQUksS0FBSyxDQUFFO0FBQUEsRUFDNUM7QUFDQSxRQUFNLFNBQVMsbUNBQVksSUFBSSxJQUFJO0FBRW5DLFFBQU0sS0FBSyxtQ0FBWSxJQUFJO0FBQzNCLE1BQUksT0FBTztBQUNYLFFBQU0sWUFBWSxNQUFZO0FBQzVCLFdBQU8sYUFBYSxJQUFJLFVBQVUsT0FBTyxRQUFRLFFBQVE7QUFDdkQsWUFBTSxJQUFJLFFBQVEsTUFBTTtBQUN4QjtBQUNBLFFBQUUsU0FBUyxtQ0FBWSxJQUFJO0FBQzNCLGdCQUFVLENBQUM7QUFBQSxJQUNiO0FBQUEsRUFDRjtBQUNBLFFBQU0sUUFBUSxZQUFZLE1BQU07QUFDOUIsVUFBTSxNQUFNLG1DQUFZLElBQUk7QUFDNUIsZUFBVyxLQUFLLFNBQVM7QUFDdkIsVUFBSyxFQUFFLFVBQVUsV0FBVyxFQUFFLFVBQVUsY0FBZSxNQUFNLEVBQUUsV0FBVyxFQUFFLFFBQVM7QUFDckYsUUFBRSxVQUFVLEtBQUssSUFBSSxFQUFFLFVBQVUsR0FBRyxZQUFZO0FBQ2hEO0FBR0EsVUFBSSxFQUFFLFVBQVUsV0FBVyxFQUFFLFdBQVcsYUFBYyxXQUFVLENBQUM7QUFBQSxVQUM1RCxNQUFLLEdBQUcsRUFBRSxHQUFJO0FBQUEsSUFDckI7QUFDQSxjQUFVO0FBQUEsRUFDWixHQUFHLEVBQUU7QUFDTCxRQUFNLElBQUksUUFBYyxDQUFDLFlBQVk7QUFDbkMsVUFBTSxRQUFRLFdBQVcsTUFBTTtBQUM3QixpQkFBVyxLQUFLLFFBQVMsS0FBSSxFQUFFLFVBQVUsV0FBVyxFQUFFLFVBQVUsV0FBWSxRQUFPLEdBQUcsT0FBTyxrQ0FBa0MsSUFBSSxTQUFTLEtBQUs7QUFDakosY0FBUTtBQUFBLElBQ1YsR0FBRyxJQUFJLFNBQVM7QUFDaEIsb0JBQWdCLE1BQU07QUFDcEIsZ0JBQVU7QUFDVixVQUFJLFVBQVUsY0FBYyxRQUFRLFFBQVE7QUFDMUMscUJBQWEsS0FBSztBQUNsQixnQkFBUTtBQUFBLE1BQ1Y7QUFBQSxJQUNGO0FBQ0EsY0FBVTtBQUFBLEVBQ1osQ0FBQztBQUNELGtCQUFnQjtBQUNoQixnQkFBYyxLQUFLO0FBQ25CLFFBQU0sS0FBSyxtQ0FBWSxJQUFJLElBQUk7QUFHL0IsUUFBTSxPQUFPO0FBQ2IsTUFBSSxTQUFTO0FBQ2IsbUJBQWlCLFlBQVksTUFBTTtBQUNqQyxVQUFNLE1BQU0sS0FBSyxLQUFNLFFBQVEsU0FBUyxPQUFRLEtBQUssSUFBSSxNQUFNLGNBQWMsR0FBRyxDQUFDO0FBQ2pGLGFBQVMsSUFBSSxHQUFHLElBQUksT0FBTyxRQUFRLFNBQVMsR0FBRyxLQUFLO0FBQ2xELFlBQU0sSUFBSSxRQUFRLFdBQVcsUUFBUSxNQUFNO0FBQzNDLFVBQUksRUFBRSxVQUFVLE9BQVEsTUFBSyxHQUFHLG1CQUFtQixFQUFFLE1BQU0sS0FBSyxNQUFNLE9BQU8sZ0JBQWdCLEVBQUUsR0FBRyxFQUFFLE9BQU8sQ0FBQztBQUFBLElBQzlHO0FBQUEsRUFDRixHQUFHLElBQUk7QUFFUCxRQUFNLE1BQU0sUUFBUSxPQUFPLENBQUMsTUFBTSxFQUFFLFVBQVUsTUFBTSxFQUFFLElBQUksQ0FBQyxNQUFNLEVBQUUsUUFBUSxFQUFFLE1BQU07QUFDbkYsUUFBTSxTQUFpQyxDQUFDO0FBQ3hDLGFBQVcsS0FBSyxRQUFTLEtBQUksRUFBRSxVQUFVLE9BQVEsUUFBTyxFQUFFLFNBQVMsRUFBRSxLQUFLLEtBQUssT0FBTyxFQUFFLFNBQVMsRUFBRSxLQUFLLEtBQUssS0FBSztBQUNsSCxTQUFPO0FBQUEsSUFDTCxNQUFNO0FBQUEsSUFDTixPQUFPLFFBQVE7QUFBQSxJQUNmLFdBQVcsS0FBSyxLQUFLLFFBQVEsU0FBUyxJQUFJLEtBQUs7QUFBQSxJQUMvQyxlQUFlLEtBQUssTUFBTSxNQUFNO0FBQUEsSUFDaEMsSUFBSSxLQUFLLE1BQU0sS0FBSyxFQUFFLElBQUk7QUFBQSxJQUMxQixZQUFZO0FBQUEsSUFDWixRQUFRO0FBQUEsSUFDUixZQUFZLFFBQVEsU0FBUyxVQUFVO0FBQUEsSUFDdkMsU0FBUztBQUFBLElBQ1QscUJBQXFCLEtBQUssTUFBTSxXQUFXLEtBQUssSUFBSztBQUFBLElBQ3JELFdBQVcsVUFBVSxHQUFHO0FBQUEsSUFDeEI7QUFBQSxJQUNBO0FBQUEsSUFDQTtBQUFBLElBQ0E7QUFBQSxJQUNBLFFBQVEsV0FBVztBQUFBLElBQ25CLGdCQUFnQjtBQUFBLElBQ2hCLGdCQUFnQixRQUFRLFlBQVksRUFBRTtBQUFBLEVBQ3hDO0FBQ0Y7QUFFQSxlQUFlLE1BQU0sU0FBaUIsV0FBcUQ7QUFDekYsUUFBTSxLQUFLLG1DQUFZLElBQUk7QUFDM0IsUUFBTSxXQUFXO0FBQ2pCLGFBQVM7QUFDUCxVQUFNLE1BQU0sbUNBQVksSUFBSTtBQUM1QixRQUFJLE1BQU0sZUFBZSxRQUFTO0FBQ2xDLFFBQUksTUFBTSxLQUFLLFVBQVc7QUFDMUIsVUFBTSxJQUFJLFFBQVEsQ0FBQyxNQUFNLFdBQVcsR0FBRyxFQUFFLENBQUM7QUFBQSxFQUM1QztBQUNBLFNBQU8sRUFBRSxNQUFNLFNBQVMsVUFBVSxLQUFLLE1BQU0sbUNBQVksSUFBSSxJQUFJLEVBQUUsR0FBRyxvQkFBb0IsY0FBYyxVQUFVLFFBQVEsV0FBVyxFQUFFO0FBQ3pJO0FBRUEsZUFBZSxTQUFTLFNBQWlCLFdBQW1CLGVBQXVCLFdBQXFEO0FBQ3RJLFFBQU0sT0FBTyxRQUFRLE9BQU8sQ0FBQyxNQUFNLEVBQUUsVUFBVSxNQUFNO0FBQ3JELE1BQUksS0FBSyxXQUFXLFFBQVEsT0FBUSxPQUFNLElBQUksTUFBTSxRQUFRLEtBQUssTUFBTSxJQUFJLFFBQVEsTUFBTSx5QkFBeUI7QUFDbEgsUUFBTSxJQUFJLFFBQVE7QUFDbEIsUUFBTSxJQUFJLEtBQUssSUFBSSxTQUFTLENBQUM7QUFDN0IsUUFBTSxXQUFXLElBQUksYUFBYSxJQUFJO0FBQ3RDLFFBQU0sSUFBVztBQUFBLElBQ2YsU0FBUztBQUFBLElBQ1Q7QUFBQSxJQUNBO0FBQUEsSUFDQSxZQUFZO0FBQUEsSUFDWixZQUFZO0FBQUEsSUFDWixTQUFTO0FBQUEsSUFDVCxXQUFXLElBQUksYUFBYSxRQUFRO0FBQUEsSUFDcEMsTUFBTSxJQUFJLFdBQVcsSUFBSSxJQUFJLFNBQVM7QUFBQSxJQUN0QyxhQUFhO0FBQUEsSUFDYixRQUFRO0FBQUEsRUFDVjtBQUNBLFVBQVE7QUFDUixRQUFNLE9BQU8sS0FBSyxJQUFJLGVBQWUsSUFBSSxhQUFhO0FBRXRELFFBQU0sT0FBaUIsQ0FBQztBQUN4QixXQUFTLElBQUksR0FBRyxJQUFJLEdBQUcsS0FBSztBQUMxQixhQUFTLElBQUksR0FBRyxJQUFJLFdBQVcsS0FBSztBQUNsQyxZQUFNLE1BQU0sT0FBTyxNQUFNLE1BQU0sRUFBSTtBQUNuQyxVQUFJLENBQUMsSUFBSTtBQUNULFVBQUksQ0FBQyxJQUFJO0FBQ1QsVUFBSSxDQUFDLElBQUksS0FBSztBQUNkLFVBQUksQ0FBQyxJQUFJO0FBQ1QsVUFBSSxjQUFjLFFBQVEsQ0FBQyxFQUFHLFlBQVksR0FBRyxDQUFDO0FBQzlDLFVBQUksY0FBYyxrQkFBa0IsR0FBRyxDQUFDO0FBQ3hDLFVBQUksY0FBYyxHQUFHLFlBQVk7QUFDakMsVUFBSSxjQUFjLEdBQUcsZUFBZSxDQUFDO0FBQ3JDLFdBQUssS0FBSyxHQUFHO0FBQUEsSUFDZjtBQUFBLEVBQ0Y7QUFDQSxRQUFNLFNBQVMsV0FBVztBQUMxQixpQkFBZSxDQUFDO0FBQ2hCLFFBQU0sT0FBTyxRQUFRLFNBQVM7QUFDOUIsUUFBTSxLQUFLLG1DQUFZLElBQUk7QUFDM0IsV0FBUyxJQUFJLEdBQUcsSUFBSSxHQUFHLEtBQUs7QUFDMUIsVUFBTSxJQUFJLFFBQVEsQ0FBQztBQUNuQixhQUFTLElBQUksR0FBRyxJQUFJLFdBQVcsS0FBSztBQUNsQyxZQUFNLE1BQU0sS0FBSyxJQUFJLFlBQVksQ0FBQztBQUNsQyxVQUFJLGNBQWMsbUNBQVksSUFBSSxHQUFHLGVBQWUsQ0FBQztBQUNyRCxRQUFFLE9BQU8sS0FBSyxLQUFLLFdBQVcsV0FBVztBQUFBLElBQzNDO0FBQUEsRUFDRjtBQUNBLFFBQU0sUUFBUSxtQ0FBWSxJQUFJO0FBQzlCLFFBQU0sVUFBVSxNQUFNLElBQUksUUFBNEIsQ0FBQyxZQUFZO0FBQ2pFLFVBQU0sUUFBUSxXQUFXLE1BQU0sUUFBUSxTQUFTLEdBQUcsU0FBUztBQUU1RCxVQUFNLE9BQU8sWUFBWSxNQUFNO0FBQzdCLFVBQUksbUNBQVksSUFBSSxJQUFJLEtBQUssSUFBSSxFQUFFLGFBQWEsS0FBSyxJQUFJLEtBQU07QUFDN0Qsc0JBQWMsSUFBSTtBQUNsQixxQkFBYSxLQUFLO0FBQ2xCLGdCQUFRLFNBQVM7QUFBQSxNQUNuQjtBQUFBLElBQ0YsR0FBRyxHQUFHO0FBQ04sTUFBRSxTQUFTLE1BQU07QUFDZixtQkFBYSxLQUFLO0FBQ2xCLG9CQUFjLElBQUk7QUFDbEIsY0FBUSxNQUFNO0FBQUEsSUFDaEI7QUFDQSxRQUFJLEVBQUUsZUFBZSxTQUFVLEdBQUUsT0FBTztBQUFBLEVBQzFDLENBQUM7QUFDRCxRQUFNLE1BQU0sUUFBUSxTQUFTLElBQUk7QUFDakMsVUFBUTtBQUNSLFFBQU0sY0FBYyxFQUFFLGVBQWUsbUNBQVksSUFBSSxLQUFLO0FBQzFELFNBQU87QUFBQSxJQUNMLE1BQU07QUFBQSxJQUNOLFNBQVM7QUFBQSxJQUNULFNBQVM7QUFBQSxJQUNUO0FBQUEsSUFDQSxlQUFlO0FBQUEsSUFDZjtBQUFBLElBQ0E7QUFBQSxJQUNBLFlBQVksRUFBRTtBQUFBLElBQ2QsU0FBUyxXQUFXLEVBQUU7QUFBQSxJQUN0QixZQUFZLEVBQUU7QUFBQSxJQUNkLFNBQVMsRUFBRTtBQUFBLElBQ1gsY0FBYyxLQUFLLE9BQU8sUUFBUSxNQUFNLEdBQUksSUFBSTtBQUFBLElBQ2hELFlBQVksS0FBSyxNQUFNLGFBQWEsR0FBSSxJQUFJO0FBQUEsSUFDNUMsa0JBQWtCLEtBQUssTUFBTSxFQUFFLGNBQWMsYUFBYSxJQUFLO0FBQUEsSUFDL0QsV0FBVyxVQUFVLEVBQUUsVUFBVSxTQUFTLEdBQUcsS0FBSyxJQUFJLEVBQUUsWUFBWSxRQUFRLENBQUMsQ0FBQztBQUFBLElBQzlFLGFBQWEsRUFBRSxNQUFNLEtBQUssTUFBTSxJQUFJLE9BQU8sR0FBSSxHQUFHLFFBQVEsS0FBSyxNQUFNLElBQUksU0FBUyxHQUFJLEVBQUU7QUFBQSxJQUN4RixpQkFBaUIsT0FBTyxZQUFZLE9BQU8sUUFBUSxXQUFXLENBQUMsRUFBRSxJQUFJLENBQUMsQ0FBQyxHQUFHLENBQUMsTUFBTSxDQUFDLEdBQUcsS0FBSyxPQUFPLENBQUMsS0FBSyxFQUFFLENBQUMsQ0FBQztBQUFBLElBQzNHLGdCQUFnQjtBQUFBLEVBQ2xCO0FBQ0Y7QUFFQSxlQUFlLE9BQU8sR0FBMEM7QUFDOUQsVUFBUSxFQUFFLE1BQU07QUFBQSxJQUNkLEtBQUssUUFBUTtBQUNYLFlBQU0sS0FBSyxtQ0FBWSxJQUFJO0FBQzNCLG1CQUFhLENBQUM7QUFDZCxlQUFTLElBQUksR0FBRyxJQUFJLEVBQUUsWUFBWSxJQUFLLFlBQVcsS0FBSyxpQkFBaUIsQ0FBQztBQUN6RSxhQUFPLEVBQUUsTUFBTSxRQUFRLElBQUksS0FBSyxNQUFNLG1DQUFZLElBQUksSUFBSSxFQUFFLEVBQUU7QUFBQSxJQUNoRTtBQUFBLElBQ0EsS0FBSztBQUNILGFBQU8sU0FBUyxDQUFDO0FBQUEsSUFDbkIsS0FBSztBQUNILGFBQU8sTUFBTSxFQUFFLFNBQVMsRUFBRSxTQUFTO0FBQUEsSUFDckMsS0FBSztBQUNILGFBQU8sU0FBUyxFQUFFLFNBQVMsRUFBRSxXQUFXLEVBQUUsZUFBZSxFQUFFLFNBQVM7QUFBQSxJQUN0RSxLQUFLO0FBQ0gsWUFBTSxTQUFTO0FBQ2YsYUFBTyxFQUFFLE1BQU0sUUFBUTtBQUFBLEVBQzNCO0FBQ0Y7QUFFQSxRQUFRLEdBQUcsV0FBVyxDQUFDLE1BQVc7QUFDaEMsU0FBTyxDQUFDLEVBQUU7QUFBQSxJQUNSLENBQUMsTUFBTSxRQUFRLE9BQU8sQ0FBQztBQUFBLElBQ3ZCLENBQUMsUUFBaUIsUUFBUSxPQUFPLEVBQUUsTUFBTSxTQUFTLE9BQU8sZUFBZSxRQUFTLElBQUksU0FBUyxJQUFJLFVBQVcsT0FBTyxHQUFHLEVBQUUsQ0FBQztBQUFBLEVBQzVIO0FBQ0YsQ0FBQztBQUNELFFBQVEsR0FBRyxjQUFjLE1BQU0sUUFBUSxLQUFLLENBQUMsQ0FBQztBQUM5QyxRQUFRLE9BQU8sRUFBRSxNQUFNLFFBQVEsQ0FBQzsiLAogICJuYW1lcyI6IFsiaW1wb3J0X25vZGVfY3J5cHRvIiwgInNlY3JldFByb29mIiwgImltcG9ydF9ub2RlX2NyeXB0byJdCn0K
