import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';

/**
 * A `lookup` for dgram sockets that answers IP literals synchronously. Node's default resolves
 * every destination of every `send()` through dns.lookup, which for an IP literal still costs a
 * deferred callback per datagram: at 100k datagrams a second that is a measurable share of the
 * CPU. Host names still go through the system resolver.
 */
export function fastLookup(
  address: string,
  family: unknown,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const v = isIP(address);
  if (v !== 0) {
    callback(null, address, v);
    return;
  }
  dnsLookup(address, family as number, callback);
}
