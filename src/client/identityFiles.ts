/**
 * Where the terminal client keeps its identity and pins (docs/security.md "Identity and keys").
 * Without --identity there is one identity per nickname, so two terminals of one user with two
 * nicknames are two people, as the README's quick start has them; two terminals with the same
 * nickname share the key, and are two devices of one person.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import {
  ensurePrivateDirectory,
  errorCode,
  loadIdentityFile,
  loadOrCreateIdentityFile,
  publishFileExclusive,
  publishIdentityFile,
  stageIdentityFile,
  syncDirectory,
  type Identity,
} from '../crypto/identity';
import { identityFingerprint } from './fingerprints';
import { nicknameKey } from '../protocol/nickname';
import { PinFile } from './pinFile';

/** The key file and the pins file that belongs to it (trust decisions are per identity). */
export interface IdentityFiles {
  identityPath: string;
  pinsPath: string;
}

export const IDENTITY_FILE_NAME = 'identity.json';
export const PINS_FILE_NAME = 'pins.json';
/** Folder of the config directory holding one folder per nickname. */
export const IDENTITIES_FOLDER = 'identities';
/**
 * Longest folder name we produce: 255 bytes is the limit of ext4, APFS and NTFS. A valid
 * nickname (at most 64 UTF-8 bytes, each at most 3 characters encoded) stays far below it.
 */
const MAX_FOLDER_NAME_CHARS = 255;
/** Characters kept as they are in a folder name; everything else is percent-encoded. */
const PLAIN_FOLDER_CHAR = /^[a-z0-9_.-]$/;
/** What every folder name we make must look like: plain characters and %XX escapes only. */
const SAFE_FOLDER_NAME = /^(?:[a-z0-9_.-]|%[0-9A-F]{2})+$/;
/** Names Windows reserves for devices, with or without an extension ("con", "nul.txt", "com1"). */
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/;

function percentEncode(ch: string): string {
  return [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/**
 * The folder name of a nickname: its comparison key (so "Alice" and "alice" share one), with
 * every character outside [a-z0-9_.-] percent-encoded as UTF-8, and a "." that comes first or
 * last encoded too, so the name is never "." or "..", never hidden, and never loses a trailing
 * dot on Windows. A Windows device name gets its first letter encoded. "%" itself is encoded,
 * so two different keys never share a folder. Throws RangeError for an empty or overlong
 * result (checkNickname refuses those nicknames first).
 */
export function nicknameFolder(nick: string): string {
  const chars = [...nicknameKey(nick)];
  let folder = chars
    .map((ch, i) => {
      if (!PLAIN_FOLDER_CHAR.test(ch)) return percentEncode(ch);
      if (ch === '.' && (i === 0 || i === chars.length - 1)) return percentEncode(ch);
      return ch;
    })
    .join('');
  if (WINDOWS_DEVICE_NAME.test(folder)) folder = percentEncode(folder[0]!) + folder.slice(1);
  // Checked again on the result: a mistake above must never turn into a path outside the folder.
  if (folder.length === 0 || folder.length > MAX_FOLDER_NAME_CHARS || folder === '.' || folder === '..' || !SAFE_FOLDER_NAME.test(folder)) {
    throw new RangeError(`No folder name for nickname ${JSON.stringify(nick)}.`);
  }
  return folder;
}

/** The default identity of `nick`: <configDir>/identities/<folder>/identity.json, pins beside it. */
export function nicknameIdentityFiles(configDir: string, nick: string): IdentityFiles {
  const dir = path.join(configDir, IDENTITIES_FOLDER, nicknameFolder(nick));
  return { identityPath: path.join(dir, IDENTITY_FILE_NAME), pinsPath: path.join(dir, PINS_FILE_NAME) };
}

/** --identity FILE: that file, and pins.json in its folder. */
export function explicitIdentityFiles(identityPath: string): IdentityFiles {
  return { identityPath, pinsPath: path.join(path.dirname(identityPath), PINS_FILE_NAME) };
}

/** Where every nickname's identity was kept before there was one per nickname. */
export function legacyIdentityFiles(configDir: string): IdentityFiles {
  return { identityPath: path.join(configDir, IDENTITY_FILE_NAME), pinsPath: path.join(configDir, PINS_FILE_NAME) };
}

export type IdentityLog = (level: 'info' | 'warn', message: string) => void;

/** The terminal client's configuration folder: $XDG_CONFIG_HOME/peerchat, else ~/.config/peerchat. */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'peerchat');
}

export type InstallResult = { kind: 'installed' } | { kind: 'same' } | { kind: 'other'; fingerprint: string };

/**
 * Puts `identity` in `files` (so that a terminal started with that nickname is another device of
 * the same member), but never replaces a key that is there: if another identity is, it is left
 * alone and named (the caller asks the user). Created like any key file (0600 in 0700 folders,
 * published exclusively).
 */
export function installIdentity(files: IdentityFiles, identity: Identity): InstallResult {
  const same = (other: Identity): boolean => other.signPublic.equals(identity.signPublic) && other.dhPublic.equals(identity.dhPublic);
  if (!fs.existsSync(files.identityPath)) {
    const winner = publishIdentityFile(stageIdentityFile(files.identityPath, identity));
    if (same(winner)) return { kind: 'installed' };
  }
  const existing = loadIdentityFile(files.identityPath);
  return same(existing) ? { kind: 'same' } : { kind: 'other', fingerprint: identityFingerprint(existing) };
}

/**
 * A nickname's default identity: loaded if it exists; else the legacy identity (legacyIdentityFiles),
 * if there is one, becomes this nickname's (the user keeps the fingerprint peers pinned); else
 * a new one is created. Throws IdentityError or an fs error, whose message says what to do.
 */
export function loadNicknameIdentity(files: IdentityFiles, legacy: IdentityFiles, log?: IdentityLog): Identity {
  try {
    return loadIdentityFile(files.identityPath);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  adoptLegacyIdentity(files, legacy, log);
  return loadOrCreateIdentityFile(files.identityPath);
}

/**
 * Moves the legacy identity to `files` if there is one and `files` has none; true if it did.
 * Exactly one nickname gets it, however many clients start at once: it is first claimed by
 * renaming it to a name of this process's own (rename is atomic: one process succeeds, the others get
 * ENOENT and go on to create a key), then published without replacing anything
 * (publishFileExclusive). If a client with the same nickname created a key in between, that key
 * stays and the legacy one is put back for the next nickname. The legacy pins are copied (not
 * moved) into this nickname's pins, adding only what is missing.
 */
export function adoptLegacyIdentity(files: IdentityFiles, legacy: IdentityFiles, log?: IdentityLog): boolean {
  ensurePrivateDirectory(path.dirname(files.identityPath));
  // Claimed under a visible name beside the original: should the process die before the link,
  // the user finds it there, not hidden in a nickname's folder.
  const claimed = `${legacy.identityPath}.adopting-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    fs.renameSync(legacy.identityPath, claimed);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw new Error(
      `Cannot move the key file ${legacy.identityPath} to ${files.identityPath} (${(error as Error).message}). ` +
        `Move it yourself, or start with --identity ${legacy.identityPath}.`,
    );
  }
  try {
    if (!publishFileExclusive(claimed, files.identityPath)) {
      putBack(claimed, legacy.identityPath, log);
      return false;
    }
  } catch (error) {
    putBack(claimed, legacy.identityPath, log);
    throw error;
  }
  fs.rmSync(claimed, { force: true });
  syncDirectory(path.dirname(files.identityPath));
  const pins = PinFile.read(legacy.pinsPath);
  if (pins.size > 0) new PinFile(files.pinsPath).addMissing(pins);
  log?.(
    'info',
    `Keys are now kept per nickname: ${legacy.identityPath} (from an earlier version) became ${files.identityPath}` +
      (pins.size > 0 ? `, with a copy of the ${pins.size} pinned key(s) of ${legacy.pinsPath}.` : '.'),
  );
  return true;
}

/** Returns a claimed legacy identity to its place; never deletes it (it may be someone's only key). */
function putBack(claimed: string, legacyPath: string, log?: IdentityLog): void {
  try {
    if (publishFileExclusive(claimed, legacyPath)) {
      fs.rmSync(claimed, { force: true });
      return;
    }
  } catch {
    // fall through: keep it where it is
  }
  log?.('warn', `Kept the earlier key file as ${claimed}; rename it to use it (or pass it with --identity).`);
}
