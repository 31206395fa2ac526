/**
 * The client's side of direct paths (docs/protocol.md "Direct paths"): which addresses this
 * device offers its peers, one PathSet (src/transport/pathSet.ts, the pure state machine) per
 * peer device with its timer, the PATH_CHALLENGE / PATH_RESPONSE frames, and what a switch of
 * path means for the device's transfers and chat channel. ChatClient owns one; the egress (which
 * address a link's datagrams go to) reads `link.paths`.
 */
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ControlType, MAX_CANDIDATES_SENT, encodeControl } from '../protocol/controlMessages';
import { ClientFrame } from '../protocol/peerPackets';
import { datagramSizeCeiling } from '../transport/datagramSizeProbe';
import { ActivePath, PATH_CHALLENGE_BYTES, PathAddress, PathSet } from '../transport/pathSet';
import type { OpaqueFrame } from '../transport/frames';
import type { PathInfo } from './events';
import type { PeerLink } from './peerLink';
import type { RelayConnection } from './relayConnection';
import { TimerDriver } from './timerDriver';

export interface DirectPathsHost {
  /** Direct paths allowed (false: --relay-only / peerchat.directConnections off). */
  enabled: boolean;
  /** The relay's host as configured (its family decides the candidates' family). */
  relayHost: string;
  relay(): RelayConnection | null;
  links(): Iterable<PeerLink>;
  /** Traffic to `link` moved: transfers and the channel start over on the new path. */
  onSwitch(link: PeerLink, path: ActivePath, address: string | undefined): void;
}

export class DirectPaths {
  private readonly timers = new WeakMap<PeerLink, TimerDriver>();

  constructor(private readonly host: DirectPathsHost) {}

  /**
   * Where this device may be reached directly: the host addresses of this machine's interfaces
   * (the same LAN or machine goes direct without a hairpin through a router) and the address the
   * relay sees (behind a NAT, its public mapping), all on our one socket's port.
   */
  candidates(): PathAddress[] {
    const relay = this.host.relay();
    if (!relay) return [];
    const seen = relay.observed;
    // The relay sees us on loopback: it runs on this machine, and so does every peer it serves
    // us with over loopback; the address it sees is the one candidate that matters (and the only
    // one: a machine's other addresses are no shorter a way to itself).
    if (seen && isLoopbackAddress(seen.address)) return [{ address: seen.address, port: seen.port }];
    const port = relay.localPort;
    const family = this.host.relayHost.includes(':') ? 'IPv6' : 'IPv4';
    const out: PathAddress[] = [];
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) {
        if (a.family === family && !a.internal && !a.address.startsWith('fe80:')) out.push({ address: a.address, port });
      }
    }
    if (seen && !out.some((c) => c.address === seen.address && c.port === seen.port)) out.push({ address: seen.address, port: seen.port });
    return out.slice(0, MAX_CANDIDATES_SENT);
  }

  /** Gives an established device our candidates (it probes them; we probe its own when they come). */
  sendCandidates(link: PeerLink): void {
    if (!this.host.enabled || link.closed) return;
    this.ensure(link);
    link.channel.send(encodeControl({ type: ControlType.CANDIDATES, candidates: this.candidates() }));
    link.armChannelTimer();
  }

  /** The peer's candidates arrived over our end-to-end channel: probe them (within PathSet's budget). */
  onCandidates(link: PeerLink, candidates: PathAddress[]): void {
    if (!this.host.enabled || link.closed) return;
    this.ensure(link).setCandidates(candidates);
    this.timers.get(link)?.poke();
  }

  /**
   * A PATH_CHALLENGE or PATH_RESPONSE frame from `link` that came straight from `from`. A
   * challenge is answered to the address it came from, as long as it (RFC 9000 §8.2.2): a replayed
   * or spoofed one gets no more than it sent, and only if it authenticated. Returns false for
   * any other frame.
   */
  onFrame(link: PeerLink, f: OpaqueFrame, from: PathAddress | undefined): boolean {
    if (f.code === ClientFrame.PATH_CHALLENGE) {
      if (from !== undefined && f.body.length === PATH_CHALLENGE_BYTES && this.host.enabled) {
        link.sendFramesTo([{ type: 'opaque', code: ClientFrame.PATH_RESPONSE, body: f.body }], from);
      }
      return true;
    }
    if (f.code === ClientFrame.PATH_RESPONSE) {
      if (from !== undefined) {
        link.paths?.onResponse(from, f.body);
        this.timers.get(link)?.poke();
      }
      return true;
    }
    return false;
  }

  /** An authenticated datagram from `link` came straight from `from`: its path is alive. */
  heard(link: PeerLink, from: PathAddress): void {
    link.paths?.heard(from);
  }

  /** An authenticated sealed datagram from `link` came through the relay: it may have left the direct path. */
  heardViaRelay(link: PeerLink): void {
    if (!link.paths) return;
    link.paths.peerUsesRelay();
    this.timers.get(link)?.poke();
  }

  /** The link is closing: its timer stops (PeerLink.close closes its PathSet). */
  forget(link: PeerLink): void {
    this.timers.get(link)?.stop();
  }

  /** Which path each device of each member uses now. */
  info(): PathInfo[] {
    const out: PathInfo[] = [];
    for (const l of this.host.links()) {
      if (l.closed || l.self) continue;
      const p = l.paths?.path ?? { kind: 'relay' as const };
      out.push({ peer: l.nick, device: l.device, path: p.kind, address: p.kind === 'direct' ? formatAddress(p.address) : undefined, probes: l.paths?.stats.challengesSent ?? 0 });
    }
    return out;
  }

  /**
   * Largest datagram to probe for towards a device: beyond 1472 bytes only where both ends of
   * the path are this machine (the relay on loopback, or a direct path to a loopback address).
   */
  sizeCeiling(link: PeerLink): number {
    const p = link.paths?.path;
    return datagramSizeCeiling(p?.kind === 'direct' ? p.address.address : this.host.relayHost);
  }

  private ensure(link: PeerLink): PathSet {
    if (link.paths) return link.paths;
    const paths = new PathSet({
      now: () => performance.now(),
      random: () => randomBytes(PATH_CHALLENGE_BYTES),
      sendChallenge: (to, data) => link.sendFramesTo([{ type: 'opaque', code: ClientFrame.PATH_CHALLENGE, body: data }], to),
      onSwitch: (path) => this.host.onSwitch(link, path, path.kind === 'direct' ? formatAddress(path.address) : undefined),
    });
    link.paths = paths;
    this.timers.set(link, new TimerDriver(() => paths.nextTimerAt(), () => paths.onTimer()));
    return paths;
  }
}

function formatAddress(a: PathAddress): string {
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

export function isLoopbackAddress(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}
