/**
 * The IP addresses of the other relays of a cluster, for the transit port's question "does this
 * connection come from another relay?" (transit.ts: only a relay may send a bridge hello). A relay
 * advertised under a hostname (`--advertise-host relay-b.example`) is looked up when the list of
 * relays changes, and again every REFRESH_MS: a relay known only by name would otherwise have its
 * bridges refused, and those lanes fall back to datagrams (docs/protocol.md "Transit lanes across
 * the relays of a cluster").
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { normalizeIp } from './transit';

/** How often hostnames are looked up again (DNS may move a relay). */
export const REFRESH_MS = 60_000;

export type Lookup = (host: string) => Promise<string[]>;

const systemLookup: Lookup = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

export class RelayAddresses {
  private hosts: string[] = [];
  private literal = new Set<string>();
  private resolved = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private generation = 0;

  constructor(
    private readonly log: (message: string) => void = () => {},
    private readonly resolve: Lookup = systemLookup,
  ) {
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  /** Whether `ip` (as a socket reports it) is one of the relays' addresses. */
  has(ip: string): boolean {
    const n = normalizeIp(ip);
    return this.literal.has(n) || this.resolved.has(n);
  }

  /**
   * The relays' advertised hosts: IPs count at once, hostnames once looked up. The same hosts
   * again (the list also changes when a relay's liveness does) look nothing up.
   */
  set(hosts: readonly string[]): Promise<void> {
    const next = [...new Set(hosts)].sort();
    if (next.length === this.hosts.length && next.every((h, i) => h === this.hosts[i])) return Promise.resolve();
    this.hosts = next;
    this.literal = new Set(this.hosts.filter((h) => isIP(h) !== 0).map(normalizeIp));
    return this.refresh();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Looks every hostname up again; a name that does not resolve keeps no address. */
  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const names = this.hosts.filter((h) => isIP(h) === 0);
    const found = new Set<string>();
    await Promise.all(
      names.map(async (name) => {
        try {
          for (const a of await this.resolve(name)) found.add(normalizeIp(a));
        } catch (err) {
          this.log(`cluster: relay host ${name} does not resolve (${err instanceof Error ? err.message : String(err)}); its lane bridges are refused until it does`);
        }
      }),
    );
    if (generation === this.generation) this.resolved = found; // a later set() or refresh() wins
  }
}
