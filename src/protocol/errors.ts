/**
 * Error codes a user or script can meet. The same code appears on the wire (as its number),
 * in the terminal client's JSON (`error {code, message}`) and in the extension's messages.
 */
export const ERROR_CODES = [
  'NICK_TAKEN',
  'NICK_INVALID',
  'UNKNOWN_PEER',
  'NOT_REGISTERED',
  'RELAY_UNREACHABLE',
  'RELAY_FULL',
  'RELAY_SHUTDOWN',
  'BAD_SECRET',
  'BAD_SIGNATURE',
  'RATE_LIMITED',
  'MESSAGE_TOO_LONG',
  'BAD_COOKIE',
  'FILE_NOT_FOUND',
  'PATH_OUTSIDE_SHARE',
  'NOT_A_FILE',
  'NO_SHARED_FOLDER',
  'FILE_TOO_LARGE',
  'DECLINED',
  'CANCELLED',
  'HASH_MISMATCH',
  'TIMEOUT',
  'IO_ERROR',
  'PEER_LEFT',
  'PEER_KEY_CHANGED',
  'BAD_COMMAND',
  'INTERNAL',
  'TAMPERED',
  'NICK_MISMATCH',
  'ANSWERED_ELSEWHERE',
  'NOT_DELIVERED',
  'NO_SPACE',
  'DIRECTORY_UNAVAILABLE',
  'BAD_MANIFEST',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Wire number of a code: its index + 1 (0 is "no error"). Append only; never reorder. */
export function errorCodeToWire(code: ErrorCode): number {
  return ERROR_CODES.indexOf(code) + 1;
}

export function errorCodeFromWire(n: number): ErrorCode | undefined {
  return ERROR_CODES[n - 1];
}

/** What the user should read, and what to do next, for each code. */
export const ERROR_HINTS: Record<ErrorCode, string> = {
  NICK_TAKEN: 'That nickname is in use. Pick another one.',
  NICK_INVALID: 'Nicknames are 1–24 letters, digits, "_", "-" or "." and start with a letter or digit.',
  UNKNOWN_PEER: 'No one with that nickname is online. Use /who to see who is.',
  NOT_REGISTERED: 'Not joined yet. Wait for the relay to accept the nickname.',
  RELAY_UNREACHABLE: 'The relay does not answer. Check the address, or start one with `npm start`; retrying.',
  RELAY_FULL: 'The relay holds as many users as it can. Try again later or use another relay.',
  RELAY_SHUTDOWN: 'The relay is shutting down. The client will rejoin when it is back.',
  BAD_SECRET: 'The relay wants an invitation secret, and the one given is missing or wrong.',
  BAD_SIGNATURE: 'The relay could not verify this client\'s key. Restart the client.',
  RATE_LIMITED: 'Too much traffic; slow down.',
  MESSAGE_TOO_LONG: 'Message too long: send it as a file instead.',
  BAD_COOKIE: 'The relay did not accept the address check; retrying.',
  FILE_NOT_FOUND: 'No such file.',
  PATH_OUTSIDE_SHARE: 'Only files inside the shared folder can be requested.',
  NOT_A_FILE: 'That is not a regular file.',
  NO_SHARED_FOLDER: 'This peer shares no folder, so it serves no requests.',
  FILE_TOO_LARGE: 'The file is larger than the receiver accepts.',
  DECLINED: 'The peer declined.',
  CANCELLED: 'The transfer was cancelled.',
  HASH_MISMATCH: 'The received file did not match its SHA-256; nothing was kept.',
  TIMEOUT: 'The peer stopped answering.',
  IO_ERROR: 'A file could not be read or written.',
  PEER_LEFT: 'The peer left the chat.',
  PEER_KEY_CHANGED: 'This peer\'s key changed since you last talked. Confirm it is really them before trusting it.',
  BAD_COMMAND: 'Unknown command. Type /help.',
  TAMPERED: 'Data from the peer failed authentication: it was tampered with or corrupted on the way. Send the file again to resume.',
  INTERNAL: 'Something went wrong inside Peer Chat. See the log.',
  NICK_MISMATCH: 'You are online under another nickname on another device. Join with that nickname, or leave on the other device first.',
  ANSWERED_ELSEWHERE: 'Answered on another of your devices.',
  NOT_DELIVERED: 'The message could not be delivered: the recipient left before it arrived.',
  NO_SPACE: 'The download folder has no room for the file. Free up space there or choose another folder; sending it again resumes.',
  DIRECTORY_UNAVAILABLE:
    'The relay has lost touch with its cluster\'s directory (Redis) and cannot admit anyone new for now; retrying, on another relay if one is configured.',
  BAD_MANIFEST: 'The folder offered lists a path that cannot be saved safely (outside the download folder, duplicated or malformed); nothing was written.',
};

/** An error with a code, thrown and caught at API boundaries. */
export class PeerChatError extends Error {
  constructor(readonly code: ErrorCode, message?: string) {
    super(message ?? ERROR_HINTS[code]);
    this.name = 'PeerChatError';
  }
}
