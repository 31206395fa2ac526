/**
 * Invitation links (docs/security.md "Invitations"): one link that names a relay's reachable
 * addresses and, when it has one, its invitation secret.
 *
 *   vscode://peerchat.peerchat/join?relay=10.0.0.5:12345,192.168.1.20:12345&secret=…&name=…
 *
 * VS Code opens it (the extension's UriHandler); the terminal client takes the same text
 * (`peerchat --invite LINK`, `peerchat join LINK`). A link is a credential: anyone holding it can
 * join. Links come from chat messages, mail and web pages, so parsing treats them as hostile:
 * bounded length, exact scheme/authority/path, every field checked, a repeated field refused
 * (which of two `relay=` would win is exactly what an attacker would play with). Pure.
 */
import { randomBytes } from 'node:crypto';
import { sanitizeRelayName } from './relayName';

/** `publisher.name` from package.json: VS Code routes `vscode://<this>/…` to our UriHandler. */
export const EXTENSION_ID = 'peerchat.peerchat';
/** The link's path. */
export const INVITATION_PATH = '/join';
/** Schemes of VS Code builds that route links to extensions (Stable, Insiders, OSS, VSCodium). */
export const INVITATION_SCHEMES: readonly string[] = ['vscode', 'vscode-insiders', 'code-oss', 'vscodium'];
/** Longest link accepted: eight IPv6 addresses, a secret and a name fit in well under this. */
export const MAX_INVITATION_CHARS = 2048;
/** Most relay addresses in one link (a machine's LAN addresses; more is not a real machine). */
export const MAX_INVITATION_RELAYS = 8;
/** Longest secret a link carries (characters). */
export const MAX_SECRET_CHARS = 256;
/** Random bytes of a generated secret: 128 bits, 22 characters of base64url. */
export const GENERATED_SECRET_BYTES = 16;

/**
 * Characters a secret in a link may have: RFC 3986's unreserved set, which no decoding step
 * (VS Code's Uri decodes the query once before we see it) can change. Generated secrets are
 * base64url, a subset.
 */
const LINK_SAFE_SECRET = /^[A-Za-z0-9._~-]+$/;

export interface RelayEndpoint {
  host: string;
  port: number;
}

export interface Invitation {
  /** Where the relay may be reached, most likely first (at least one). */
  relays: RelayEndpoint[];
  /** The relay's invitation secret; absent for a relay that admits anyone. */
  secret?: string;
  /** The relay's name, as shown (sanitizeRelayName). */
  name?: string;
}

export type ParsedInvitation = { ok: true; invitation: Invitation } | { ok: false; reason: string };

/** A fresh invitation secret (base64url, link-safe). */
export function generateSecret(): string {
  return randomBytes(GENERATED_SECRET_BYTES).toString('base64url');
}

/** True when a link can carry this secret (see LINK_SAFE_SECRET). */
export function isLinkSafeSecret(secret: string): boolean {
  return secret.length > 0 && secret.length <= MAX_SECRET_CHARS && LINK_SAFE_SECRET.test(secret);
}

/** `host:port`, `[v6]:port` for IPv6. */
export function formatEndpoint(e: RelayEndpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/**
 * The link for an invitation. Throws (a programming error, or a secret given on a command line
 * that a link cannot carry) rather than make a link that would parse to something else.
 */
export function buildInvitation(inv: Invitation): string {
  if (inv.relays.length === 0 || inv.relays.length > MAX_INVITATION_RELAYS) {
    throw new RangeError(`an invitation names 1–${MAX_INVITATION_RELAYS} relay addresses, not ${inv.relays.length}`);
  }
  const relays = inv.relays.map((r) => {
    const checked = parseEndpoint(formatEndpoint(r));
    if (!checked.ok) throw new RangeError(`not a relay address for an invitation: ${formatEndpoint(r)} (${checked.reason})`);
    return formatEndpoint(checked.endpoint);
  });
  let query = `relay=${relays.join(',').replace(/\[/g, '%5B').replace(/\]/g, '%5D')}`;
  if (inv.secret !== undefined) {
    if (!isLinkSafeSecret(inv.secret)) {
      throw new RangeError(`an invitation link carries a secret of 1–${MAX_SECRET_CHARS} letters, digits, ".", "_", "~" or "-"`);
    }
    query += `&secret=${inv.secret}`;
  }
  const name = sanitizeRelayName(inv.name);
  if (name !== undefined) query += `&name=${encodeURIComponent(name)}`;
  const link = `vscode://${EXTENSION_ID}${INVITATION_PATH}?${query}`;
  if (link.length > MAX_INVITATION_CHARS) throw new RangeError('the invitation would be too long');
  return link;
}

/** Parses an invitation link (as typed, pasted, or handed over by VS Code's UriHandler). */
export function parseInvitation(input: string): ParsedInvitation {
  if (typeof input !== 'string') return { ok: false, reason: 'An invitation is a link.' };
  let text = input.trim();
  if (text.startsWith('<') && text.endsWith('>')) text = text.slice(1, -1).trim(); // as mail clients quote links
  if (text.length === 0) return { ok: false, reason: 'Paste the invitation link.' };
  if (text.length > MAX_INVITATION_CHARS) return { ok: false, reason: `An invitation is at most ${MAX_INVITATION_CHARS} characters; this is not one.` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: `That is not a link. An invitation starts with vscode://${EXTENSION_ID}${INVITATION_PATH}?…` };
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  if (!INVITATION_SCHEMES.includes(scheme)) return { ok: false, reason: `An invitation starts with vscode://${EXTENSION_ID}${INVITATION_PATH}; this link is ${scheme}:.` };
  if (url.username !== '' || url.password !== '' || url.port !== '') return { ok: false, reason: 'That link is not a Peer Chat invitation.' };
  if (url.hostname.toLowerCase() !== EXTENSION_ID) return { ok: false, reason: `That link is for ${url.hostname || 'no extension'}, not Peer Chat (${EXTENSION_ID}).` };
  if (url.pathname !== INVITATION_PATH) return { ok: false, reason: `That Peer Chat link is not an invitation (${INVITATION_PATH}).` };

  const params = url.searchParams;
  for (const key of ['relay', 'secret', 'name']) {
    if (params.getAll(key).length > 1) return { ok: false, reason: `The invitation names "${key}" twice; ask for a new one.` };
  }
  const relayText = params.get('relay');
  if (relayText === null || relayText === '') return { ok: false, reason: 'The invitation names no relay.' };
  const parts = relayText.split(',');
  if (parts.length > MAX_INVITATION_RELAYS) return { ok: false, reason: `The invitation names more than ${MAX_INVITATION_RELAYS} relay addresses.` };
  const relays: RelayEndpoint[] = [];
  for (const part of parts) {
    const e = parseEndpoint(part);
    if (!e.ok) return { ok: false, reason: `The invitation's relay address ${quoteShort(part)} is not valid: ${e.reason}` };
    if (!relays.some((r) => r.host === e.endpoint.host && r.port === e.endpoint.port)) relays.push(e.endpoint);
  }
  const invitation: Invitation = { relays };
  const secret = params.get('secret');
  if (secret !== null) {
    if (!isLinkSafeSecret(secret)) return { ok: false, reason: 'The invitation\'s secret is not valid; ask for a new invitation.' };
    invitation.secret = secret;
  }
  const name = sanitizeRelayName(params.get('name') ?? undefined);
  if (name !== undefined) invitation.name = name;
  return { ok: true, invitation };
}

/**
 * Text safe to log or show in place of anything that may hold an invitation: the secret of every
 * link (and of a bare `secret=` parameter) is replaced by "•••".
 */
export function maskInvitations(text: string): string {
  return text.replace(/([?&]secret=)[^&\s#"'<>]*/gi, '$1•••');
}

/** "relay NAME at 10.0.0.5:12345 (or 2 other addresses), with a secret" — never the secret itself. */
export function describeInvitation(inv: Invitation): string {
  const first = formatEndpoint(inv.relays[0]);
  const more = inv.relays.length > 1 ? ` (or ${inv.relays.length - 1} other address${inv.relays.length === 2 ? '' : 'es'})` : '';
  const name = inv.name ? `${inv.name} at ` : '';
  return `${name}${first}${more}${inv.secret !== undefined ? ', with its invitation secret' : ''}`;
}

type ParsedEndpoint = { ok: true; endpoint: RelayEndpoint } | { ok: false; reason: string };

/**
 * `a.b.c.d:port`, `[v6]:port` or `hostname:port`; the port is required (1–65535). Host names are
 * LDH labels (RFC 1123), at most 253 characters; IPv4 octets 0–255; IPv6 as the URL parser accepts it.
 */
export function parseEndpoint(text: string): ParsedEndpoint {
  const t = text.trim();
  let host: string;
  let portText: string;
  const v6 = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(t);
  if (v6) {
    host = v6[1].toLowerCase();
    portText = v6[2];
    try {
      // Let the URL parser judge the IPv6 syntax (it also compresses it canonically).
      host = new URL(`http://[${host}]/`).hostname.replace(/^\[|\]$/g, '');
    } catch {
      return { ok: false, reason: 'not an IPv6 address' };
    }
  } else {
    const m = /^([A-Za-z0-9.-]{1,253}):(\d{1,5})$/.exec(t);
    if (!m) return { ok: false, reason: 'write HOST:PORT' };
    host = m[1].toLowerCase();
    portText = m[2];
    if (/^[\d.]+$/.test(host)) {
      const octets = host.split('.');
      if (octets.length !== 4 || octets.some((o) => o === '' || Number(o) > 255 || (o.length > 1 && o.startsWith('0')))) {
        return { ok: false, reason: 'not an IPv4 address' };
      }
    } else if (!host.split('.').every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l))) {
      return { ok: false, reason: 'not a host name' };
    }
  }
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) return { ok: false, reason: 'the port is 1–65535' };
  return { ok: true, endpoint: { host, port } };
}

function quoteShort(s: string): string {
  const shown = [...s].slice(0, 40).join('').replace(/[^\x20-\x7e]/g, '?');
  return `"${shown}${s.length > 40 ? '…' : ''}"`;
}
