/**
 * Limits that only the relay applies (the wire-visible ones live in src/protocol/limits.ts).
 * Each has the reason for its value. Changing one changes relay behaviour, not the protocol.
 */
import { DEFAULT_DATAGRAM_BYTES, HEADER_BYTES, MAX_DATAGRAM_BYTES } from '../protocol/limits';
import { BATCH_LENGTH_BYTES } from '../protocol/relayBatch';

/** Default listen address and port: loopback and the toy chat's port (ARCHITECTURE.md "Defaults"). */
export const DEFAULT_RELAY_HOST = '127.0.0.1';
export const DEFAULT_RELAY_PORT = 12_345;

/**
 * Socket buffers asked for, both ways (ARCHITECTURE.md "Defaults"). Bulk transfers burst
 * through the relay faster than one event-loop turn drains them; 4 MiB holds ~3,500
 * 1200-byte datagrams. The kernel may grant less (net.core.rmem_max), so the relay reads the
 * value back and logs it.
 */
export const RELAY_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * A nickname stays bound to its key this long (ms) after its session timed out, so a client
 * whose network blipped gets its name back instead of finding it taken. An explicit LEAVE
 * releases it at once.
 */
export const NICK_RESERVE_MS = 5 * 60_000;

/** At most this many timed-out nicknames are held at once (oldest released first): bounds memory. */
export const MAX_NICK_RESERVATIONS = 50_000;

/**
 * The idle sweep runs this often (ms), one timer for all sessions instead of one per client.
 * An idle client is dropped between idleTimeout and idleTimeout + this.
 */
export const SWEEP_INTERVAL_MS = 1_000;
/** ...but at least four sweeps per idle timeout, so a shortened timeout (tests) stays accurate. */
export const SWEEPS_PER_IDLE_TIMEOUT = 4;
/** ...and never more often than this (ms). */
export const MIN_SWEEP_INTERVAL_MS = 25;

/**
 * Per-address state kept for addresses that have not proved they receive at their source
 * address (bytes in/out for the 3x rule, RFC 9000 §8.1) and per-IP buckets for unregistered
 * traffic. Beyond this many entries the least recently used is forgotten: an attacker cycling
 * addresses costs bounded memory, and a forgotten entry only loses credit (it restarts at 0).
 */
export const MAX_UNVALIDATED_ENTRIES = 65_536;

/**
 * The relay never sends more than this many times the bytes it received to an address that has
 * not been validated (RFC 9000 §8.1, the QUIC anti-amplification limit).
 */
export const AMPLIFICATION_FACTOR = 3;

/**
 * ERROR answers to a registered client (UNKNOWN_PEER, RATE_LIMITED, ...) are limited per session
 * to this many per second with this burst: a client streaming file data to a peer that just left
 * must not make the relay answer every datagram. One error is enough for it to notice.
 */
export const SESSION_ERROR_RATE_PER_SEC = 10;
export const SESSION_ERROR_RATE_BURST = 20;

/**
 * A broadcast is forwarded to every client, so its size is capped at the safe datagram size
 * (a chat message fits: MAX_CHAT_BYTES): a 64 KB broadcast to 10,000 clients would be 640 MB.
 */
export const MAX_BROADCAST_BYTES = 1_200;

/**
 * Presence fan-out budget (PRESENCE datagrams per second). A flush sends one datagram to every
 * client, so with a large roster under constant churn, flushing every PRESENCE_COALESCE_MS
 * would cost clients x 50 sends a second (500,000/s at 10,000 clients: more than the relay
 * forwards). The coalescing window therefore stretches to clients / this budget seconds when
 * that is longer: 20 ms up to 1,000 clients, 200 ms at 10,000. About a quarter of what the
 * relay can send, leaving the rest to forwarding.
 */
export const PRESENCE_FANOUT_PER_SEC = 50_000;

/**
 * A presence flush sends to at most this many clients per event-loop turn, then yields: a
 * 10,000-client flush in one go would block forwarding for ~50 ms, longer than the socket
 * buffer can hold bulk traffic. 512 sends take ~2–3 ms.
 */
export const PRESENCE_FLUSH_CHUNK = 512;

/** Close waits at most this long (ms) for the BYE datagrams to leave before closing the socket. */
export const CLOSE_FLUSH_TIMEOUT_MS = 1_000;

/**
 * A roster page's body (version, total, offset, count, entries) is at most ROSTER_PAGE_BYTES; the
 * fixed part before the entries is this many bytes (u32 + u32 + u32 + u16).
 */
export const ROSTER_PAGE_FIXED_BYTES = 14;

/** A PRESENCE body starts with version (u32) and count (u16). */
export const PRESENCE_FIXED_BYTES = 6;

/** Internal errors (bugs) are logged at most this often (ms), so a bug cannot flood the log. */
export const INTERNAL_ERROR_LOG_INTERVAL_MS = 5_000;

/**
 * Coalescing (relayServer.ts "Coalescing", docs/protocol.md). Small datagrams for one client are
 * queued and sent once per event-loop turn, several to a BATCH datagram of at most this many
 * bytes: the safe size for any path (DEFAULT_DATAGRAM_BYTES, as QUIC, RFC 9000 §14), so a batch
 * never needs fragmentation, whose loss would take every datagram packed in it along.
 */
export const BATCH_MAX_BYTES = DEFAULT_DATAGRAM_BYTES;

/**
 * ...except to a client on the relay's own machine (its source address is loopback: 127.0.0.0/8
 * or ::1, which no packet from another host can carry, RFC 1122 §3.2.1.3, RFC 4291 §2.5.3): the
 * loopback interface carries any UDP datagram whole (MTU 65,536, nothing to fragment or lose on
 * the way), and there each datagram costs a syscall and several µs of JavaScript on both sides
 * whatever its size, so a turn's whole queue for such a client goes in one datagram. Clients ask
 * for 4 MiB receive buffers, which hold dozens of these.
 */
export const LOOPBACK_BATCH_MAX_BYTES = MAX_DATAGRAM_BYTES;

/**
 * Only datagrams of at most this many bytes are queued: those that can share a batch with at least
 * one other (the smallest datagram is a bare 12-byte header, each takes a 2-byte length prefix).
 * Larger ones (file data) go out at once, after whatever is queued for the same client, so the
 * bulk path costs no more than before and per-client order is kept.
 */
export const MAX_COALESCED_DATAGRAM_BYTES = BATCH_MAX_BYTES - HEADER_BYTES - 2 * BATCH_LENGTH_BYTES - HEADER_BYTES;

/**
 * Most bytes (datagrams plus their length prefixes) queued for one client until the flush;
 * beyond it, datagrams for that client are dropped and counted (dropped.clientQueueFull), as a
 * full socket buffer would drop them. One turn reads at most UDP_READS_PER_TURN datagrams, at
 * most ~37 KiB of coalescible ones, and a deferred flush (below) gathers a few turns: 256 KiB
 * holds a whole 300-client storm's worth for one client (117 KiB) with room to spare, and bounds
 * what a flood aimed at one client can make the relay hold. Broadcasts are shared: a queue holds
 * references, so a storm costs 8 bytes per recipient and datagram, not a copy each.
 */
export const MAX_QUEUED_BYTES_PER_CLIENT = 256 * 1024;

/**
 * libuv reads at most this many datagrams from a socket per event-loop turn (uv__udp_recvmsg's
 * per-poll limit in libuv 1.46, Node 20; measured). A turn that read this many has most likely
 * left more waiting in the socket buffer.
 */
export const UDP_READS_PER_TURN = 32;

/**
 * Flush deferral, for broadcast storms. After a turn that read a full UDP_READS_PER_TURN while at
 * least FLUSH_DEFER_MIN_CLIENTS clients have something queued, the flush waits one more turn: the
 * waiting datagrams mostly fan out to the same clients, so one datagram each then carries several
 * turns' worth. A flush costs a send per listed client, and each client a receive (a syscall and
 * several µs of JavaScript each, more for a large datagram than the bytes explain), so this
 * divides a storm's datagrams by about the turns deferred: 300 clients × 3 broadcasts at once went
 * from ~9,000 datagrams to ~1,200. Few listed clients (a file transfer's acknowledgements between
 * two clients) gain nothing from waiting and never wait.
 */
export const FLUSH_DEFER_MIN_CLIENTS = 16;
/** ...at most this many turns in a row... */
export const MAX_FLUSH_DEFERRALS = 16;
/**
 * ...and at most this long (ms) after the first deferral: what a queued datagram can be held back,
 * small beside a chat's human time scale, and what bounds the queues of a huge room, whose turns
 * take longest.
 */
export const MAX_FLUSH_DEFER_MS = 10;

/**
 * While the relay forwards bulk data (datagrams too large to queue), what is queued for others
 * waits at most about this long (ms) for the turn's flush: a turn of 32 file datagrams of 64 KB
 * takes ~5 ms to forward, and a chat message or a transfer's acknowledgement queued at its start
 * must not wait for all of it (acknowledgements held back inflate the sender's RTT samples).
 */
export const MAX_QUEUE_HOLD_MS = 1;

/**
 * Earlier invitation secrets a relay remembers after rotations (RelayServer.setSecret), for its
 * live sessions only. Each one costs an HMAC per refused REGISTER from a live device; a handful
 * covers any real rotation schedule within a session's lifetime.
 */
export const MAX_EARLIER_SECRETS = 8;
