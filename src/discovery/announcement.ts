/**
 * What a relay announces on the LAN (DNS-SD over multicast DNS, RFC 6763 / RFC 6762) and how an
 * announcement heard on the LAN is checked before anyone sees it. Pure; the multicast I/O is in
 * mdnsDiscovery.ts.
 *
 * A relay serving the network publishes one service instance:
 *
 *   <relay name>._peerchat._udp.local   SRV port, target = the machine's host name
 *                                       TXT v=2 (protocol version), secret=1|0
 *
 * and nothing else: no nickname, no roster, no secret. Anyone on the LAN can announce anything,
 * so validateAnnouncement treats every field as hostile.
 */
import { PROTOCOL_VERSION } from '../protocol/limits';
import { sanitizeRelayName } from '../shared/relayName';
import { isUsableIpv4 } from './lanAddresses';

/** DNS-SD service type and protocol: `_peerchat._udp`. */
export const SERVICE_TYPE = 'peerchat';
export const SERVICE_PROTOCOL = 'udp';

/**
 * Lowest port a discovered relay may have. Our relay never needs a privileged port, and a
 * hostile announcement must not be able to point clients at well-known services (DNS on 53,
 * NTP on 123…) and have them send datagrams there.
 */
export const MIN_DISCOVERED_PORT = 1024;
/** Most relays one discovery keeps: a flood of announcements cannot grow a list without bound. */
export const MAX_DISCOVERED_RELAYS = 32;
/** Most addresses kept for one relay. */
export const MAX_DISCOVERED_ADDRESSES = 4;

/** What a relay puts in its TXT record. */
export function announcementTxt(needsSecret: boolean): Record<string, string> {
  return { v: String(PROTOCOL_VERSION), secret: needsSecret ? '1' : '0' };
}

/** A relay found on the LAN, checked (validateAnnouncement). */
export interface DiscoveredRelay {
  /** Shown name: sanitized, or "relay at ADDRESS:PORT" when the announced one has nothing showable. */
  name: string;
  /** Where to reach it: first the address its announcement came from. */
  addresses: string[];
  port: number;
  /** The relay asks for an invitation secret (anything but an explicit "0" counts as yes). */
  needsSecret: boolean;
}

/**
 * An announcement as the mDNS library reports it (bonjour-service's Service: `name`, `port`,
 * `txt`, `addresses`, `referer.address`), or undefined when it must be ignored: not a relay of
 * this protocol version, no usable address, a port outside MIN_DISCOVERED_PORT–65535.
 * The name is reduced to showable characters (relayName.ts); nothing else of it is kept.
 */
export function validateAnnouncement(raw: unknown): DiscoveredRelay | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const port = r.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < MIN_DISCOVERED_PORT || port > 65_535) return undefined;
  const txt = typeof r.txt === 'object' && r.txt !== null ? (r.txt as Record<string, unknown>) : {};
  if (txtValue(txt, 'v') !== String(PROTOCOL_VERSION)) return undefined;

  // The address the answer came from is one this machine can reach; the A records may name
  // others (a VPN, a container bridge) or, from a liar, anyone's.
  const addresses: string[] = [];
  const referer = typeof r.referer === 'object' && r.referer !== null ? (r.referer as Record<string, unknown>).address : undefined;
  const candidates = [referer, ...(Array.isArray(r.addresses) ? r.addresses.slice(0, 16) : [])];
  for (const a of candidates) {
    if (typeof a === 'string' && isUsableIpv4(a) && !addresses.includes(a)) addresses.push(a);
    if (addresses.length >= MAX_DISCOVERED_ADDRESSES) break;
  }
  if (addresses.length === 0) return undefined;

  const secret = txtValue(txt, 'secret');
  return {
    name: sanitizeRelayName(r.name) ?? `relay at ${addresses[0]}:${port}`,
    addresses,
    port,
    needsSecret: secret !== '0',
  };
}

/** A TXT value as a short string (the library gives strings, or Buffers for binary values); own keys only. */
function txtValue(txt: Record<string, unknown>, key: string): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(txt, key)) return undefined;
  const v = txt[key];
  if (typeof v === 'string') return v.slice(0, 16);
  if (Buffer.isBuffer(v)) return v.subarray(0, 16).toString('latin1');
  return undefined;
}

/** One line for a list: `NAME — 10.0.0.5:12345 (needs an invitation)`. */
export function describeDiscovered(r: DiscoveredRelay): string {
  return `${r.name} — ${r.addresses[0]}:${r.port}${r.needsSecret ? ' (needs an invitation)' : ''}`;
}

/** Adds `r` to `list` unless a relay at the same address and port is there; keeps at most MAX_DISCOVERED_RELAYS. */
export function mergeDiscovered(list: DiscoveredRelay[], r: DiscoveredRelay): boolean {
  const same = list.find((x) => x.port === r.port && x.addresses.some((a) => r.addresses.includes(a)));
  if (same) {
    for (const a of r.addresses) if (!same.addresses.includes(a) && same.addresses.length < MAX_DISCOVERED_ADDRESSES) same.addresses.push(a);
    return false;
  }
  if (list.length >= MAX_DISCOVERED_RELAYS) return false;
  list.push(r);
  return true;
}
