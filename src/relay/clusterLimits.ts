/**
 * Limits of a cluster of relays (--cluster), each with the reason for its value. A relay on its
 * own uses none of them.
 */
import { CLIENT_IDLE_TIMEOUT_MS, MAX_DATAGRAM_BYTES } from '../protocol/limits';

/** A relay renews its lease in Redis this often (ms), and learns the other relays' addresses. */
export const HEARTBEAT_MS = 1_000;

/**
 * A heartbeat not answered within this long (ms) means Redis is out of reach (stopped, paused,
 * cut off): the relay refuses new devices with DIRECTORY_UNAVAILABLE until one is answered again.
 * 1.5 heartbeats: one slow answer on a busy Redis is not an outage.
 */
export const HEARTBEAT_TIMEOUT_MS = 1_500;

/** A lease lasts this long (ms) from its last renewal: five missed heartbeats. */
export const LEASE_MS = 5_000;

/**
 * The sessions of a relay whose lease ran out are reaped (announced offline, nicknames reserved)
 * this long (ms) after it ran out: the lease plus this makes CLIENT_IDLE_TIMEOUT_MS, the time
 * after which a silent client is dropped anyway. Until then their devices take them to another
 * relay of the cluster (same session, same nickname, no leave and join for their peers).
 */
export const ORPHAN_GRACE_MS = CLIENT_IDLE_TIMEOUT_MS - LEASE_MS;

/**
 * A heartbeat reaps at most this many sessions of dead relays (Lua blocks Redis while it runs:
 * ~500 ends take a few ms); the next heartbeat follows at once while more are left.
 */
export const REAP_BUDGET = 500;

/**
 * Every this long (ms) a relay compares the sessions Redis says it holds with those it has (a
 * REGISTER whose answer came after the client gave up, an end lost with a connection), and ends
 * those that were missing at two rounds in a row.
 */
export const RECONCILE_MS = 10_000;

/** A relay started with --cluster gives up if Redis does not answer within this long (ms). */
export const REDIS_CONNECT_TIMEOUT_MS = 5_000;

/** Reconnecting to a lost Redis backs off from 50 ms up to this (ms): back within a second of it. */
export const REDIS_RECONNECT_MAX_MS = 1_000;

/** Sessions per restore script when refilling an emptied Redis (each script blocks Redis briefly). */
export const RESTORE_BATCH = 200;

/**
 * After its REGISTER script, a relay waits at most this long (ms) for its view to reach the
 * change (earlier changes may still be on their way through pub/sub, or read from the log).
 */
export const VERSION_WAIT_MS = 2_000;

/**
 * MESH datagrams to a relay off this machine are at most this many bytes: one Ethernet frame
 * (1500-byte MTU − 20 IPv4 − 8 UDP), so a batch of chat is never fragmented (one lost fragment
 * loses the whole datagram). To a relay on this machine (loopback) up to MAX_DATAGRAM_BYTES.
 */
export const MESH_BATCH_MAX_BYTES = 1_472;
export const LOOPBACK_MESH_BATCH_MAX_BYTES = MAX_DATAGRAM_BYTES;

/**
 * Most bytes queued for one other relay until the turn's flush; beyond it datagrams are dropped
 * (as a full socket buffer would drop them). A 300-client × 3 broadcast storm is ~270 KB.
 */
export const MAX_QUEUED_BYTES_PER_RELAY = 1024 * 1024;

/**
 * Replay window per sending relay (MESH counters): datagrams between two relays arrive nearly in
 * order, and a window this wide absorbs any reordering a burst of thousands can see.
 */
export const MESH_REPLAY_WINDOW = 8_192;

/** Most sending relays whose replay windows are remembered (an LRU beyond): far more than any cluster. */
export const MAX_MESH_SENDERS = 256;
