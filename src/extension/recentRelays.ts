/**
 * The relays this profile joined before, most recent first, for Join Chat's list. Pure list
 * logic; the host keeps it in globalState (RECENT_RELAYS_KEY). Names come from announcements
 * and invitations, so they are stored as shown (sanitized) and checked again when read.
 */
import { sanitizeRelayName } from '../shared/relayName';
import { parseRelayAddress } from './relayAddress';

/** globalState key. */
export const RECENT_RELAYS_KEY = 'peerchat.recentRelays';
/** Most relays remembered: a short list to pick from, not a history. */
export const MAX_RECENT_RELAYS = 8;

export interface RecentRelay {
  /** `host:port` as joined. */
  address: string;
  name?: string;
  /** Last joined (ms since the epoch). */
  at: number;
}

/** The stored list, with anything malformed dropped. */
export function readRecent(raw: unknown): RecentRelay[] {
  if (!Array.isArray(raw)) return [];
  const out: RecentRelay[] = [];
  for (const r of raw.slice(0, MAX_RECENT_RELAYS)) {
    if (typeof r !== 'object' || r === null) continue;
    const { address, name, at } = r as Record<string, unknown>;
    if (typeof address !== 'string' || !parseRelayAddress(address).ok || typeof at !== 'number') continue;
    const shown = sanitizeRelayName(name);
    out.push(shown ? { address, name: shown, at } : { address, at });
  }
  return out;
}

/** `list` with `address` moved (or added) to the front; its name kept unless a new one is given. */
export function addRecent(list: readonly RecentRelay[], address: string, name: string | undefined, now: number): RecentRelay[] {
  const old = list.find((r) => r.address === address);
  const shown = sanitizeRelayName(name) ?? old?.name;
  const entry: RecentRelay = shown ? { address, name: shown, at: now } : { address, at: now };
  return [entry, ...list.filter((r) => r.address !== address)].slice(0, MAX_RECENT_RELAYS);
}
