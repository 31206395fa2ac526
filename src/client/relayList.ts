/**
 * The relays a client may use: the one it joins, and the other relays of the same cluster it
 * moves to, in order, when its relay stops answering (README "Several relays"). A device moving
 * keeps its session and nickname: the cluster's directory hands its session to the new relay.
 */
import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP } from 'node:net';

export interface RelayAddress {
  host: string;
  port: number;
}

/** The relay to join, and others of its cluster to move to (`--relay a:p,b:p`, a comma list in the setting). */
export interface RelayTarget extends RelayAddress {
  fallbacks?: readonly RelayAddress[];
}

/** `a` then its fallbacks, as one list (the first is where a client starts). */
export function relayTarget(list: readonly RelayAddress[]): RelayTarget {
  if (list.length === 0) throw new RangeError('a relay list needs at least one relay');
  const [first, ...rest] = list;
  return rest.length === 0 ? { host: first.host, port: first.port } : { host: first.host, port: first.port, fallbacks: rest };
}

/** Every relay of a target, in order. */
export function relaysOf(t: RelayTarget): RelayAddress[] {
  return [{ host: t.host, port: t.port }, ...(t.fallbacks ?? []).map((a) => ({ host: a.host, port: a.port }))];
}

/** One relay: its address, and the IP its datagrams come from. */
export class RelayEndpoint {
  /** The relay's IP as configured, if it is a literal; else the last address its name resolved to. */
  private readonly ip: string | null;
  private resolvedIp: string | null = null;
  /** The last source address that matched, so the usual check is one string compare. */
  private source = '';

  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    this.ip = isIP(host) !== 0 ? host : null;
  }

  /** The relay is an IP literal (sends to it complete synchronously). */
  get literal(): boolean {
    return this.ip !== null;
  }

  get text(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  /** Whether a datagram from `rinfo` comes from this relay. */
  matches(rinfo: { address: string; port: number }): boolean {
    if (rinfo.port !== this.port) return false;
    if (rinfo.address === this.source) return true;
    const ip = this.ip ?? this.resolvedIp;
    if (ip === null || !sameIp(ip, rinfo.address)) return false;
    this.source = rinfo.address;
    return true;
  }

  /** Resolves a host name (never rejects: an unresolvable name just matches nothing). */
  resolve(): Promise<void> {
    if (this.ip !== null) return Promise.resolve();
    return new Promise((resolve) => {
      // The family the socket was made for: a name (no ':') means udp4.
      dnsLookup(this.host, { family: this.host.includes(':') ? 6 : 4 }, (err, address) => {
        if (!err && address !== this.resolvedIp) {
          this.resolvedIp = address;
          this.source = '';
        }
        resolve();
      });
    });
  }
}

/** The relays in order, and which one is in use. */
export class RelayList {
  private readonly endpoints: RelayEndpoint[];
  private index = 0;

  constructor(target: RelayTarget) {
    this.endpoints = relaysOf(target).map((a) => new RelayEndpoint(a.host, a.port));
    const families = new Set(this.endpoints.map((e) => (e.host.includes(':') ? 6 : 4)));
    if (families.size > 1) throw new RangeError('the relays of a list must all be IPv4 (or names) or all IPv6');
  }

  get current(): RelayEndpoint {
    return this.endpoints[this.index];
  }

  get size(): number {
    return this.endpoints.length;
  }

  /** Moves to the next relay (after the last: the first again) and returns it. */
  advance(): RelayEndpoint {
    this.index = (this.index + 1) % this.endpoints.length;
    return this.current;
  }

  /** "a:p, b:p" for messages. */
  get text(): string {
    return this.endpoints.map((e) => e.text).join(', ');
  }
}

/** Whether two IP literals name the same address (so "::1" matches "0:0:0:0:0:0:0:1", and an IPv4-mapped IPv6 address its IPv4 one). */
function sameIp(a: string, b: string): boolean {
  if (a === b) return true;
  const fa = isIP(a);
  const fb = isIP(b);
  if (fa === 0 || fb === 0) return false;
  const list = new BlockList();
  list.addAddress(a, fa === 6 ? 'ipv6' : 'ipv4');
  return list.check(b, fb === 6 ? 'ipv6' : 'ipv4');
}
