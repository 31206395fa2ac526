/**
 * Relay addresses as users type them in settings and prompts: `host:port`, `host` (default
 * port), `[v6]:port`. Pure.
 */

/** The toy chat's port; also the relay's default. */
export const DEFAULT_RELAY_PORT = 12345;
export const DEFAULT_RELAY_HOST = '127.0.0.1';

export interface RelayAddress {
  host: string;
  port: number;
}

export type ParsedRelayAddress = { ok: true; address: RelayAddress } | { ok: false; reason: string };

/**
 * Parses `host:port`. `allowAnyPort` accepts port 0 ("any free port", for listening only).
 * A bare IPv6 address without brackets (`::1`) is taken as a host with the default port.
 */
export function parseRelayAddress(input: string, opts: { allowAnyPort?: boolean; defaultPort?: number } = {}): ParsedRelayAddress {
  const text = input.trim();
  const defaultPort = opts.defaultPort ?? DEFAULT_RELAY_PORT;
  if (text === '') return { ok: false, reason: 'Enter an address like 127.0.0.1:12345.' };
  if (/\s/.test(text)) return { ok: false, reason: 'An address has no spaces.' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return { ok: false, reason: 'Leave out the scheme: write host:port, e.g. 127.0.0.1:12345.' };

  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const m = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
    if (!m) return { ok: false, reason: 'An IPv6 address with a port is written [::1]:12345.' };
    host = m[1];
    portText = m[2];
  } else if ((text.match(/:/g) ?? []).length > 1) {
    host = text; // bare IPv6
  } else {
    const i = text.lastIndexOf(':');
    host = i < 0 ? text : text.slice(0, i);
    portText = i < 0 ? undefined : text.slice(i + 1);
  }
  if (host === '') return { ok: false, reason: 'The host is missing: write host:port, e.g. 127.0.0.1:12345.' };
  if (!/^[A-Za-z0-9.\-_:%]+$/.test(host)) return { ok: false, reason: `"${host}" is not a host name or IP address.` };

  let port = defaultPort;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) return { ok: false, reason: `"${portText}" is not a port number (1–65535).` };
    port = Number(portText);
  }
  const min = opts.allowAnyPort ? 0 : 1;
  if (port < min || port > 65535) {
    return { ok: false, reason: opts.allowAnyPort ? 'The port is 0 (any free port) to 65535.' : 'The port is 1 to 65535.' };
  }
  return { ok: true, address: { host, port } };
}

/** A relay and, for a cluster of relays, the others to move to when it stops answering (src/client/relayList.ts). */
export interface RelayTarget extends RelayAddress {
  fallbacks?: readonly RelayAddress[];
}

export type ParsedRelayList = { ok: true; target: RelayTarget } | { ok: false; reason: string };

/**
 * Parses `host:port` or a comma list of them (`a:p, b:p`: the relays of one cluster, in order;
 * the first is joined, the client moves along the list when its relay stops answering).
 */
export function parseRelayList(input: string): ParsedRelayList {
  const parts = input.split(',').map((p) => p.trim());
  if (parts.length > 1 && parts.some((p) => p === '')) return { ok: false, reason: 'A list of relays is written a:12345, b:12345 (no empty entries).' };
  const addresses: RelayAddress[] = [];
  for (const part of parts) {
    const parsed = parseRelayAddress(part);
    if (!parsed.ok) return parts.length > 1 ? { ok: false, reason: `"${part}": ${parsed.reason}` } : parsed;
    addresses.push(parsed.address);
  }
  const [first, ...rest] = addresses;
  return { ok: true, target: rest.length === 0 ? first : { ...first, fallbacks: rest } };
}

export function formatRelayAddress(a: RelayAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** This machine only: where "Start Relay" makes sense as the answer to "nothing answers". */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** Wildcard listen addresses: a relay bound there is joined through the loopback address. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '0:0:0:0:0:0:0:0';
}

/** Where a client on this machine reaches a relay listening on `a`. */
export function connectableAddress(a: RelayAddress): RelayAddress {
  if (!isWildcardHost(a.host)) return a;
  return { host: a.host.includes(':') ? '::1' : '127.0.0.1', port: a.port };
}

/**
 * Parses the relay's first stdout line, `listening on HOST:PORT` (HOST may be an IPv6 address,
 * bracketed or not). Returns undefined for any other line.
 */
export function parseListeningLine(line: string): RelayAddress | undefined {
  const m = /listening on\s+(\S+)\s*$/i.exec(line.trim());
  if (!m) return undefined;
  const spec = m[1];
  let host: string;
  let port: string;
  const bracket = /^\[([^\]]+)\]:(\d+)$/.exec(spec);
  if (bracket) {
    host = bracket[1];
    port = bracket[2];
  } else {
    const i = spec.lastIndexOf(':');
    if (i <= 0) return undefined;
    host = spec.slice(0, i);
    port = spec.slice(i + 1);
  }
  if (!/^\d{1,5}$/.test(port)) return undefined;
  const n = Number(port);
  if (n < 1 || n > 65535) return undefined;
  return { host, port: n };
}
