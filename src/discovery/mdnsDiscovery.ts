/**
 * Announcing a relay on the LAN and finding relays there: DNS-SD over multicast DNS through the
 * `bonjour-service` library (README "Dependencies" says why that one). What is announced and how
 * answers are checked is in announcement.ts.
 *
 * One mDNS socket per LAN address (lanAddresses.ts), each joined to 224.0.0.251 on its own
 * interface and sending from it: a machine whose default route is a VPN would otherwise send its
 * announcements into the tunnel, and a LAN without a default route would get none. Nothing is
 * ever sent on loopback or on an interface that lanAddresses() leaves out.
 *
 * Errors of the library (a socket that cannot bind 5353, a send that fails) are logged and never
 * thrown: the relay and the clients work without discovery.
 */
import * as os from 'node:os';
import { Bonjour, type Browser, type Service } from 'bonjour-service';
import { announcementTxt, mergeDiscovered, SERVICE_PROTOCOL, SERVICE_TYPE, validateAnnouncement, type DiscoveredRelay } from './announcement';
import { lanAddresses } from './lanAddresses';

/** How long a discovery listens by default (ms): mDNS answers come within a second on a LAN. */
export const DEFAULT_DISCOVERY_MS = 1_500;
/** A discovery asks again this long after its first query (ms): one lost multicast is common on Wi-Fi. */
const REQUERY_AFTER_MS = 500;

type Log = (line: string) => void;

/** The library's multicast-dns instance (not in its types): we need its `error` event. */
interface MdnsSocket {
  on(event: 'error' | 'warning', listener: (err: Error) => void): void;
}

function openBonjour(address: string, log: Log): Bonjour {
  // `interface`: membership and outgoing interface; `bind`: listen on 0.0.0.0:5353, since a
  // socket bound to a unicast address never receives multicast on Linux.
  const b = new Bonjour({ interface: address, bind: '0.0.0.0' } as never, (err: Error) => log(`mDNS on ${address}: ${err.message}`));
  const mdns = (b as unknown as { server?: { mdns?: MdnsSocket } }).server?.mdns;
  // Without a listener an `error` event (EADDRINUSE, EACCES) would be thrown out of the socket.
  mdns?.on('error', (err) => log(`mDNS on ${address}: ${err.message}`));
  return b;
}

export interface AnnounceOptions {
  /** Shown name (already sanitized by the caller; the library turns dots into dashes). */
  name: string;
  port: number;
  needsSecret: boolean;
  /** Addresses to announce on (default: every LAN address of this machine). */
  addresses?: string[];
  log?: Log;
}

export interface RelayAnnouncement {
  /** The addresses it announces on (empty: none found, nothing announced). */
  readonly addresses: string[];
  /** Sends the goodbye (TTL 0) records and closes the sockets. */
  stop(): Promise<void>;
}

/** Announces a relay serving the network. */
export function announceRelay(opts: AnnounceOptions): RelayAnnouncement {
  const log = opts.log ?? (() => {});
  const addresses = opts.addresses ?? lanAddresses(os.networkInterfaces()).map((a) => a.address);
  const published: Array<{ bonjour: Bonjour; service: Service }> = [];
  for (const address of addresses) {
    try {
      const bonjour = openBonjour(address, log);
      const service = bonjour.publish({
        name: opts.name,
        type: SERVICE_TYPE,
        protocol: SERVICE_PROTOCOL,
        port: opts.port,
        txt: announcementTxt(opts.needsSecret),
        disableIPv6: true,
      });
      published.push({ bonjour, service });
    } catch (err) {
      log(`mDNS on ${address}: ${(err as Error).message}`);
    }
  }
  let stopping: Promise<void> | undefined;
  return {
    addresses: [...addresses],
    stop: () =>
      (stopping ??= Promise.all(
        published.map(
          ({ bonjour }) =>
            new Promise<void>((resolve) => {
              const done = (): void => {
                try {
                  bonjour.destroy(() => resolve());
                } catch {
                  resolve();
                }
              };
              // Goodbyes first; a send that never calls back must not hold the stop.
              const t = setTimeout(done, 1_000);
              try {
                bonjour.unpublishAll(() => {
                  clearTimeout(t);
                  done();
                });
              } catch {
                clearTimeout(t);
                done();
              }
            }),
        ),
      ).then(() => undefined)),
  };
}

export interface DiscoverOptions {
  /** How long to listen (ms). */
  timeoutMs?: number;
  /** Addresses to ask on (default: every LAN address of this machine). */
  addresses?: string[];
  /** Called for each new relay as it is found. */
  onFound?: (relay: DiscoveredRelay) => void;
  /** Ends the discovery early (what was found so far is returned). */
  signal?: AbortSignal;
  log?: Log;
}

/** Relays announced on the LAN, checked (validateAnnouncement) and without duplicates. */
export function discoverRelays(opts: DiscoverOptions = {}): Promise<DiscoveredRelay[]> {
  const log = opts.log ?? (() => {});
  const addresses = opts.addresses ?? lanAddresses(os.networkInterfaces()).map((a) => a.address);
  const found: DiscoveredRelay[] = [];
  if (addresses.length === 0 || opts.signal?.aborted) return Promise.resolve(found);
  return new Promise((resolve) => {
    const open: Array<{ bonjour: Bonjour; browser: Browser }> = [];
    const onUp = (service: Service): void => {
      const relay = validateAnnouncement(service);
      if (relay === undefined) return;
      if (mergeDiscovered(found, relay)) opts.onFound?.(relay);
    };
    for (const address of addresses) {
      try {
        const bonjour = openBonjour(address, log);
        const browser = bonjour.find({ type: SERVICE_TYPE, protocol: SERVICE_PROTOCOL });
        browser.on('up', onUp);
        open.push({ bonjour, browser });
      } catch (err) {
        log(`mDNS on ${address}: ${(err as Error).message}`);
      }
    }
    const requery = setTimeout(() => {
      for (const { browser } of open) browser.update();
    }, REQUERY_AFTER_MS);
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      clearTimeout(requery);
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', end);
      for (const { bonjour, browser } of open) {
        try {
          browser.stop();
          bonjour.destroy();
        } catch {
          // closing anyway
        }
      }
      resolve(found);
    };
    const timer = setTimeout(end, opts.timeoutMs ?? DEFAULT_DISCOVERY_MS);
    opts.signal?.addEventListener('abort', end);
  });
}
