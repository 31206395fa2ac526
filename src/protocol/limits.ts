/**
 * Every protocol limit in one place, each with the reason it has the value it has.
 * Both the relay and the clients import these; changing one is a protocol change.
 */

/**
 * Wire format version carried in every datagram header. Bumped on any incompatible change:
 * 2 registers devices of an identity (REGISTER, REGISTERED and KEY_INFO carry device
 * certificates, docs/protocol.md "Members and devices").
 */
export const PROTOCOL_VERSION = 2;

/**
 * Bytes of a device tag in ROSTER and PRESENCE entries: the first bytes of the device's Ed25519
 * key. Device keys are random, so 64 bits make a collision among a relay's devices negligible
 * (about n² / 2^65); a tag only names a device, its keys come from KEY_INFO.
 */
export const DEVICE_TAG_BYTES = 8;

/** First byte of every datagram: lets both ends discard stray traffic on the port cheaply. */
export const MAGIC = 0xc7;

/** Fixed header: magic, version, kind, flags, src id, dst id (see header.ts). */
export const HEADER_BYTES = 12;

/**
 * Largest datagram anyone may send by default. 1200 bytes fits any IPv6 path (minimum MTU 1280
 * minus IP/UDP headers) and so is safe across the internet, as in QUIC (RFC 9000 §14).
 */
export const DEFAULT_DATAGRAM_BYTES = 1200;

/**
 * Largest datagram the relay accepts and forwards. UDP over IPv4 tops out at 65,507 bytes of
 * payload; larger datagrams are used only where a probe showed the path carries them (RFC 8899).
 */
export const MAX_DATAGRAM_BYTES = 65_507;

/** Destination id meaning "the relay itself". */
export const DST_RELAY = 0;

/** Destination id meaning "every other registered client". */
export const DST_BROADCAST = 0xffff_ffff;

/** Nicknames: at most this many characters (after NFKC normalisation)... */
export const NICK_MAX_CHARS = 24;
/** ...and at most this many UTF-8 bytes, so a roster entry stays small. */
export const NICK_MAX_BYTES = 64;

/**
 * Longest text of a broadcast sent as one PEER_BROADCAST datagram (UTF-8 bytes): with a full hold
 * list and all headers it fits one 1200-byte datagram. Longer broadcasts go by channel
 * (docs/protocol.md "Long messages").
 */
export const MAX_CHAT_BYTES = 900;

/**
 * Longest chat text in UTF-8 bytes (private or broadcast). A message longer than one reliable-channel
 * MSG is carried as consecutive PART messages (src/protocol/messageParts.ts): 16 KiB is a long
 * code review comment or stack trace, and about 17 datagrams per device; anything longer is a file.
 */
export const MAX_MESSAGE_TEXT_BYTES = 16 * 1024;

/** Longest file name in an offer or request (UTF-8 bytes); most file systems allow 255. */
export const MAX_FILE_NAME_BYTES = 255;

/** Longest relative path in a file request (UTF-8 bytes). */
export const MAX_REQUEST_PATH_BYTES = 512;

/**
 * Transfer jobs (docs/protocol.md "Transfer jobs"): at most this many files in one job. Every
 * entry is one JOB_ENTRY message and one bit of a JOB_ANSWER's done map (125 bytes at most), and
 * the receiver keeps the whole manifest in memory while it asks.
 */
export const MAX_JOB_ENTRIES = 1000;

/** Longest relative path of one job entry (UTF-8 bytes, '/'-separated): a JOB_ENTRY stays inside one MSG. */
export const MAX_JOB_PATH_BYTES = 512;

/** Deepest path in a job (folders plus the file name). */
export const MAX_JOB_PATH_DEPTH = 32;

/** Longest human-readable error message on the wire. */
export const MAX_ERROR_MESSAGE_BYTES = 300;

/**
 * Client sends a PING this often (ms) while the relay answers; keeps NAT bindings alive and
 * bounds how long a dead relay goes unnoticed (see RELAY_UNREACHABLE_PROBES). 10,000 idle
 * clients cost the relay 5,000 small datagrams a second, which it handles easily.
 */
export const KEEPALIVE_INTERVAL_MS = 2_000;

/**
 * The relay drops a client it has not heard from for this long (ms) and announces it as gone:
 * several missed keepalives, so a few lost pings or a short stall never evict anyone.
 */
export const CLIENT_IDLE_TIMEOUT_MS = 15_000;

/**
 * The client reports RELAY_UNREACHABLE only when BOTH nothing came from the relay for
 * RELAY_UNREACHABLE_AFTER_MS and RELAY_UNREACHABLE_PROBES probes in a row went unanswered
 * (src/client/livenessMonitor.ts; docs/protocol.md, "Keepalive, idle timeout, presence and the
 * roster"). Silence alone is not enough: at 20 % loss each way a PING/PONG round trip fails
 * with p = 1 − 0.8² = 0.36, and a few seconds hold only a few keepalives. Twenty
 * failures in a row happen with p = 0.36^20 ≈ 1.3e-9; an idle client starts such a run once
 * per keepalive (1,800 an hour), so a false alarm at 20 % loss comes about once in 400,000
 * client-hours. A relay that is really gone is reported within about 4.5 s of its last
 * datagram (worst case 4.2 s: the next keepalive comes up to one KEEPALIVE_INTERVAL_MS later,
 * then the fast probes of livenessMonitor.ts take 2.2 s).
 */
export const RELAY_UNREACHABLE_AFTER_MS = 3_000;
export const RELAY_UNREACHABLE_PROBES = 20;

/** Roster pages: entries per ROSTER datagram are bounded by DEFAULT_DATAGRAM_BYTES. */
export const ROSTER_PAGE_BYTES = DEFAULT_DATAGRAM_BYTES - HEADER_BYTES - 16;

/**
 * Presence changes are coalesced for this long (ms) before a flush. The relay stretches the
 * window for large rosters (see relayServer.ts) so that a flush never costs more sends than it saves.
 */
export const PRESENCE_COALESCE_MS = 20;

/** A registration cookie is valid this long (ms): enough for a slow client to answer. */
export const COOKIE_LIFETIME_MS = 30_000;

/** Bytes of HMAC in a cookie (truncated HMAC-SHA-256). */
export const COOKIE_MAC_BYTES = 16;

/**
 * A HELLO must be at least this long (bytes, whole datagram) so that the COOKIE answer
 * (header + token + cookie = 40 bytes) is < 3× what an unvalidated address sent (RFC 9000 §8.1).
 */
export const MIN_HELLO_BYTES = 40;

/** Most registered clients one relay accepts; beyond it, REGISTER gets RELAY_FULL. */
export const MAX_CLIENTS = 50_000;

/** Per-client token bucket at the relay: sustained datagrams per second... */
export const CLIENT_RATE_PER_SEC = 200_000;
/** ...and the burst it may send at once. */
export const CLIENT_RATE_BURST = 20_000;

/** Per-client budget for broadcasts (each one costs the relay a fan-out to everyone). */
export const BROADCAST_RATE_PER_SEC = 50;
export const BROADCAST_RATE_BURST = 100;

/** Per-address budget for unregistered traffic (HELLO/REGISTER), before any state exists. */
export const UNREGISTERED_RATE_PER_SEC = 50;
export const UNREGISTERED_RATE_BURST = 100;
