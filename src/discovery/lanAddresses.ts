/**
 * Which of this machine's addresses teammates on the LAN can reach: what Start Relay names, what
 * an invitation carries, where the relay announces itself. Pure: it takes the shape of
 * `os.networkInterfaces()` so tests can hand it any machine.
 */
import type { NetworkInterfaceInfo } from 'node:os';
import { MAX_INVITATION_RELAYS } from '../shared/invitation';

export interface LanAddress {
  /** Interface name (eth0, wlan0, en0…). */
  iface: string;
  /** IPv4 address. */
  address: string;
}

/**
 * Interfaces whose addresses teammates on the LAN do not use to reach this machine: container
 * and VM bridges, VPN and overlay tunnels. They are listed after the others, not dropped (a
 * team on one VPN is a team too).
 */
const LESS_LIKELY_IFACE = /^(docker|br-|veth|virbr|vboxnet|vmnet|cni|flannel|cali|weave|tun|tap|utun|wg|tailscale|zt|lxc|lxd|podman|ham)/i;

/**
 * Non-internal IPv4 addresses, most likely reachable first: private (RFC 1918) on an ordinary
 * interface, then other addresses on ordinary interfaces, then bridges and tunnels. Never
 * loopback (127/8), link-local (169.254/16: only an unconfigured link) or unspecified; each
 * address once; at most MAX_INVITATION_RELAYS.
 */
export function lanAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): LanAddress[] {
  const found: Array<LanAddress & { rank: number; order: number }> = [];
  let order = 0;
  for (const [iface, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      // Node 18.0–18.3 reported family as a number; accept both.
      const v4 = info.family === 'IPv4' || (info.family as unknown) === 4;
      if (!v4 || info.internal) continue;
      const a = info.address;
      if (!isUsableIpv4(a) || found.some((f) => f.address === a)) continue;
      const rank = (LESS_LIKELY_IFACE.test(iface) ? 2 : 0) + (isPrivateIpv4(a) ? 0 : 1);
      found.push({ iface, address: a, rank, order: order++ });
    }
  }
  found.sort((x, y) => x.rank - y.rank || x.order - y.order);
  return found.slice(0, MAX_INVITATION_RELAYS).map(({ iface, address }) => ({ iface, address }));
}

/** Dotted-quad IPv4 that a teammate could send to: not loopback, link-local, unspecified, multicast or broadcast. */
export function isUsableIpv4(a: string): boolean {
  const o = octets(a);
  if (!o) return false;
  if (o[0] === 0 || o[0] === 127 || o[0] >= 224) return false;
  if (o[0] === 169 && o[1] === 254) return false;
  return true;
}

/** RFC 1918 private ranges (10/8, 172.16/12, 192.168/16) and CGNAT's 100.64/10 (RFC 6598). */
export function isPrivateIpv4(a: string): boolean {
  const o = octets(a);
  if (!o) return false;
  return o[0] === 10 || (o[0] === 172 && o[1] >= 16 && o[1] <= 31) || (o[0] === 192 && o[1] === 168) || (o[0] === 100 && o[1] >= 64 && o[1] <= 127);
}

function octets(a: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  return o.every((n) => n <= 255) ? o : undefined;
}

/**
 * The addresses to name for a relay listening on `host`: a wildcard (0.0.0.0, ::) means every
 * LAN address; a specific address is itself (if teammates could use it); loopback: none.
 */
export function reachableAddresses(host: string, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string[] {
  if (host === '0.0.0.0' || host === '::' || host === '0:0:0:0:0:0:0:0') return lanAddresses(interfaces).map((a) => a.address);
  return isUsableIpv4(host) ? [host] : [];
}
