/**
 * Why the relay dropped or refused a datagram. Each is counted; none is logged per datagram
 * (a flood must not become a log flood).
 */
export const DROP_REASONS = [
  /** Shorter than a header, wrong magic, or a relay message whose body does not parse. */
  'malformed',
  /** A header with another protocol version (no answer: the ERROR format is per version). */
  'wrongVersion',
  /** A kind byte the protocol does not define. */
  'unknownKind',
  /** A kind only the relay sends (COOKIE, REGISTERED, ROSTER, ...) sent to the relay. */
  'unexpectedKind',
  /** A peer datagram whose src is a session bound to another address. */
  'spoofedSrc',
  /** Over a token bucket: the session's, its broadcast bucket, or its IP's unregistered one. */
  'rateLimited',
  /** A peer datagram to a dst no session has (answered UNKNOWN_PEER, rate limited). */
  'unknownPeer',
  /** A request from no registered session (answered NOT_REGISTERED, rate limited). */
  'notRegistered',
  /** A broadcast larger than MAX_BROADCAST_BYTES. */
  'oversizeBroadcast',
  /**
   * A datagram for a client whose coalescing queue already held MAX_QUEUED_BYTES_PER_CLIENT this
   * event-loop turn (counted once per recipient: a broadcast dropped for 3 clients counts 3).
   */
  'clientQueueFull',
  /** REGISTER refusals, one per error code. */
  'badCookie',
  'badSignature',
  'badSecret',
  'nickInvalid',
  'nickTaken',
  'relayFull',
  /** A REGISTER for another nickname while the identity is online under its own on another device. */
  'nickMismatch',
  /** A REGISTER refused because the cluster's directory (Redis) cannot be reached. */
  'directoryUnavailable',
  /** A datagram from another relay of the cluster for a session no longer here (it left or moved). */
  'meshUnknownPeer',
  /** A relay-to-relay datagram that failed authentication, was replayed, or did not parse. */
  'badMesh',
  /** A datagram too large to be wrapped for another relay (over MAX_MESH_INNER_BYTES). */
  'meshTooLarge',
  /** A datagram for a session on a relay whose address this one does not know yet (it just joined). */
  'noRoute',
] as const;

export type DropReason = (typeof DROP_REASONS)[number];

/** A snapshot of the relay's counters (RelayServer.stats()). */
import type { TransitStats } from './transit';

export interface RelayStats {
  /** Registered sessions now. */
  clients: number;
  /** The roster version now (joins + leaves so far). */
  rosterVersion: number;
  /** Nicknames held for clients that timed out (NICK_RESERVE_MS). */
  nickReservations: number;
  datagramsIn: number;
  bytesIn: number;
  /** Datagrams actually sent (a BATCH counts once) and their bytes. */
  datagramsOut: number;
  bytesOut: number;
  /** Peer datagrams sent on to a client of this relay (a broadcast to n clients counts n), and their bytes. */
  forwarded: number;
  forwardedBytes: number;
  /** Broadcasts accepted (each fanned out to every other client). */
  broadcasts: number;
  /** PRESENCE datagrams sent (alone or inside a BATCH). */
  presenceDatagrams: number;
  /** BATCH datagrams sent, and the datagrams they carried (each also counted where it belongs). */
  batches: number;
  batchedDatagrams: number;
  /** Bytes received from / sent to addresses not validated (the 3x rule's ledger). */
  unvalidatedBytesIn: number;
  unvalidatedBytesOut: number;
  /** Answers not sent because of the 3x rule or an error rate limit. */
  answersSuppressed: number;
  /** Exceptions caught in the datagram handler (bugs; logged at most every few seconds). */
  internalErrors: number;
  dropped: Record<DropReason, number>;
  /** Socket buffer sizes the kernel granted (bytes) and what was asked. */
  socketBuffers: { asked: number; recv: number; send: number };
  /**
   * The transit port (TCP, the relay's address and port): lanes spliced, open now, bytes copied,
   * connections refused. Undefined if that port could not be bound (transit is then unavailable).
   */
  transit?: TransitStats;
  /** A relay of a cluster (--cluster): its part in it. Undefined for a relay on its own. */
  cluster?: ClusterStats;
}

export interface ClusterStats {
  /** This relay's id in the directory (random per process). */
  relayId: string;
  /** Whether Redis answers (if not, new devices are refused with DIRECTORY_UNAVAILABLE). */
  directoryAvailable: boolean;
  /** Device sessions in the whole chat (the directory's view). */
  chatClients: number;
  /** The other relays this one knows. */
  relays: Array<{ id: string; host: string; port: number; live: boolean }>;
  /** Peer datagrams (and bytes) sent to other relays for their clients, and received from them for ours. */
  forwardedOut: number;
  forwardedOutBytes: number;
  forwardedIn: number;
  forwardedInBytes: number;
  /** The MESH datagrams that carried them (batched: forwardedOut ÷ meshDatagramsOut per datagram). */
  meshDatagramsOut: number;
  meshDatagramsIn: number;
}

export function emptyDropCounts(): Record<DropReason, number> {
  const d = {} as Record<DropReason, number>;
  for (const r of DROP_REASONS) d[r] = 0;
  return d;
}
