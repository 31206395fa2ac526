import { NICK_MAX_BYTES, NICK_MAX_CHARS } from './limits';

/**
 * Nickname rules. A nickname is shown as the user typed it (after NFKC normalisation) and
 * compared by its key: NFKC, then lower-cased, then NFKC again (lower-casing can denormalise).
 * Allowed: Unicode letters and digits, "_", "-", "."; first character a letter or digit;
 * 1–24 characters, at most 64 UTF-8 bytes. No spaces (they would make `@nick text` ambiguous),
 * no "@" or "/" (command syntax), no control or invisible characters.
 */
const NICK_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}\p{M}_.-]*$/u;

export type NickCheck = { ok: true; display: string; key: string } | { ok: false; reason: string };

export function checkNickname(raw: string): NickCheck {
  const display = raw.normalize('NFKC');
  if (display.length === 0) return { ok: false, reason: 'A nickname cannot be empty.' };
  const chars = [...display].length;
  if (chars > NICK_MAX_CHARS) return { ok: false, reason: `A nickname has at most ${NICK_MAX_CHARS} characters.` };
  if (Buffer.byteLength(display, 'utf8') > NICK_MAX_BYTES) {
    return { ok: false, reason: `A nickname has at most ${NICK_MAX_BYTES} bytes of UTF-8.` };
  }
  if (/\p{Default_Ignorable_Code_Point}/u.test(display)) {
    return { ok: false, reason: 'Invisible characters are not allowed.' };
  }
  if (!NICK_PATTERN.test(display)) {
    return {
      ok: false,
      reason: 'Use letters, digits, "_", "-" or ".", starting with a letter or digit.',
    };
  }
  return { ok: true, display, key: nicknameKey(display) };
}

/**
 * Keys computed so far. The client looks a peer's link up by nickname for every datagram it
 * sends to that peer (two NFKC passes each, about 1 µs); the keys of a few nicknames are all it
 * ever needs. Cleared when full, so hostile input (the relay keys every REGISTER) cannot grow it.
 */
const keyCache = new Map<string, string>();
const KEY_CACHE_MAX = 1024;

/** The comparison key: two nicknames collide exactly when their keys are equal. */
export function nicknameKey(nick: string): string {
  let key = keyCache.get(nick);
  if (key === undefined) {
    key = nick.normalize('NFKC').toLowerCase().normalize('NFKC');
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(nick, key);
  }
  return key;
}
