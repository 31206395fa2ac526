/**
 * A relay's name as people see it: in LAN announcements (src/discovery/announcement.ts), in
 * invitation links (src/shared/invitation.ts), in Join Chat's list and the terminal's. Both come
 * from whoever runs a relay, or from anyone on the LAN, so the name is reduced to characters that
 * cannot disguise or reorder what is shown around them. Pure.
 */

import * as os from 'node:os';

/** Longest name shown (code points): a line in a quick pick or a terminal list, not a paragraph. */
export const MAX_RELAY_NAME_CHARS = 48;

/**
 * What a shown name may contain: letters, marks, digits, space and a little punctuation. No
 * control, format (bidi overrides, zero-width joiners) or separator characters other than the
 * space, nothing that has a meaning in a URL query (`&`, `=`, `%`, `+`, `#`) or in a terminal.
 */
const ALLOWED = /[\p{L}\p{M}\p{N} _.'()-]/u;

/**
 * The name as it may be shown: NFKC, each run of other characters replaced by one space,
 * spaces collapsed and trimmed, cut to MAX_RELAY_NAME_CHARS. Idempotent. Empty (nothing
 * showable): undefined, and the caller shows the address instead.
 */
export function sanitizeRelayName(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  // Bound the work on hostile input before normalising (NFKC can expand a string).
  const bounded = [...raw.slice(0, MAX_RELAY_NAME_CHARS * 8)].slice(0, MAX_RELAY_NAME_CHARS * 4).join('');
  let out = '';
  for (const ch of bounded.normalize('NFKC')) out += ALLOWED.test(ch) ? ch : ' ';
  // Stacks of combining marks ("zalgo" text) would spill over the lines around the name.
  const collapsed = out.replace(/(\p{M}{2})\p{M}+/gu, '$1').replace(/ {2,}/g, ' ').trim();
  if (collapsed === '') return undefined;
  return [...collapsed].slice(0, MAX_RELAY_NAME_CHARS).join('').trimEnd();
}

/** A relay's default name: this machine's host name, as far as it is showable. */
export function defaultRelayName(hostname = os.hostname()): string {
  return sanitizeRelayName(hostname) ?? 'Peer Chat relay';
}
