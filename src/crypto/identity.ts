/**
 * A user's long-term identity: an Ed25519 key pair that signs (registration, key bindings) and
 * an X25519 key pair for the pairwise handshakes (peerHandshake.ts). Both come from Node's own
 * crypto. The relay learns only the public halves; the private halves live in a file readable
 * by the owner alone (the same rule OpenSSH applies to private keys).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

export interface Identity {
  /** 32-byte raw Ed25519 public key (RFC 8032 §5.1.5 encoding). */
  signPublic: Buffer;
  /** 32-byte raw X25519 public key (RFC 7748 §5 encoding). */
  dhPublic: Buffer;
  signPrivate: KeyObject;
  dhPrivate: KeyObject;
}

/** Raw public key length for both Ed25519 (RFC 8032 §5.1.5) and X25519 (RFC 7748 §6.1). */
export const PUBLIC_KEY_BYTES = 32;
/** Ed25519 signature length (RFC 8032 §5.1.6). */
export const SIGNATURE_BYTES = 64;
/** Version of the identity file format written by serializeIdentity. */
export const IDENTITY_FORMAT_VERSION = 1;
/**
 * Fingerprint length: 10 bytes (80 bits) of SHA-256, shown as 5 groups of 4 hex digits. Short
 * enough to read aloud; an impostor needs about 2^80 key generations to match a given one.
 */
export const FINGERPRINT_BYTES = 10;
/** Hex digits per fingerprint group. */
const FINGERPRINT_GROUP_CHARS = 4;
/**
 * Public KeyObjects kept for reuse. Verification happens once per registration and a relay
 * serves thousands of clients; 1024 entries cost well under a megabyte and catch re-registrations.
 */
export const MAX_CACHED_PUBLIC_KEYS = 1024;
/** Mode of a new identity file: owner read/write only. */
export const IDENTITY_FILE_MODE = 0o600;
/** Mode of a directory we create for the identity file: owner only. */
export const IDENTITY_DIR_MODE = 0o700;
/** Permission bits that must be clear on an existing identity file (group and others). */
const GROUP_OTHER_BITS = 0o077;
/** Domain separation for the signature that binds a DH key to a signing key. */
const DH_BINDING_CONTEXT = Buffer.from('peerchat v1 dh-binding\0', 'utf8');

/**
 * SubjectPublicKeyInfo DER prefixes for raw 32-byte keys (RFC 8410 §4): SEQUENCE { SEQUENCE
 * { OID 1.3.101.112 (Ed25519) or 1.3.101.110 (X25519) }, BIT STRING (33 bytes, 0 unused bits) }.
 */
const SPKI_PREFIX = {
  ed25519: Buffer.from('302a300506032b6570032100', 'hex'),
  x25519: Buffer.from('302a300506032b656e032100', 'hex'),
} as const;

export type PublicKeyType = keyof typeof SPKI_PREFIX;

/** Error codes a user can meet; the terminal client and the extension show them as they are. */
export type IdentityErrorCode =
  | 'IDENTITY_INVALID' // the file or string is not an identity we can read
  | 'IDENTITY_FILE_INSECURE' // group or others may read the file
  | 'IDENTITY_FILE_NOT_OWNED' // another user owns the file
  | 'IDENTITY_FILE_NOT_REGULAR'; // the path is a directory, device, …

export class IdentityError extends Error {
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IdentityError';
  }
}

// ---------------------------------------------------------------------------------------------
// Raw public keys <-> KeyObjects

const publicKeyCache = new Map<string, KeyObject>();

/**
 * Turns a raw 32-byte public key into a KeyObject. Throws RangeError on a wrong length.
 * Results are cached (least recently used evicted first) because the same keys are verified
 * again and again (registrations, roster updates).
 */
export function publicKeyFromRaw(type: PublicKeyType, raw: Buffer): KeyObject {
  if (!Buffer.isBuffer(raw) || raw.length !== PUBLIC_KEY_BYTES) {
    throw new RangeError(`${type} public key must be ${PUBLIC_KEY_BYTES} bytes`);
  }
  const cacheKey = type + raw.toString('hex');
  const cached = publicKeyCache.get(cacheKey);
  if (cached !== undefined) {
    publicKeyCache.delete(cacheKey); // re-insert: Map order is our recency order
    publicKeyCache.set(cacheKey, cached);
    return cached;
  }
  const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX[type], raw]), format: 'der', type: 'spki' });
  if (publicKeyCache.size >= MAX_CACHED_PUBLIC_KEYS) {
    const oldest = publicKeyCache.keys().next().value;
    if (oldest !== undefined) publicKeyCache.delete(oldest);
  }
  publicKeyCache.set(cacheKey, key);
  return key;
}

/**
 * The same conversion without the cache, for one-use keys (handshake ephemerals), so they
 * neither evict long-term keys nor linger in memory.
 */
export function uncachedPublicKeyFromRaw(type: PublicKeyType, raw: Buffer): KeyObject {
  if (!Buffer.isBuffer(raw) || raw.length !== PUBLIC_KEY_BYTES) {
    throw new RangeError(`${type} public key must be ${PUBLIC_KEY_BYTES} bytes`);
  }
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX[type], raw]), format: 'der', type: 'spki' });
}

/** The raw 32-byte encoding of an Ed25519 or X25519 public (or private: its public half) key. */
export function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - PUBLIC_KEY_BYTES));
}

// ---------------------------------------------------------------------------------------------
// Generation and (de)serialisation

export function generateIdentity(): Identity {
  const signing = generateKeyPairSync('ed25519');
  const agreement = generateKeyPairSync('x25519');
  return {
    signPublic: rawPublicKey(signing.publicKey),
    dhPublic: rawPublicKey(agreement.publicKey),
    signPrivate: signing.privateKey,
    dhPrivate: agreement.privateKey,
  };
}

interface IdentityFileV1 {
  version: 1;
  /** base64 PKCS #8 DER (RFC 8410 §7) of the Ed25519 private key. */
  signPrivate: string;
  /** base64 PKCS #8 DER of the X25519 private key. */
  dhPrivate: string;
}

/** JSON holding both private keys (public keys are recomputed from them on load). Secret! */
export function serializeIdentity(id: Identity): string {
  const file: IdentityFileV1 = {
    version: IDENTITY_FORMAT_VERSION,
    signPrivate: id.signPrivate.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    dhPrivate: id.dhPrivate.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  };
  return JSON.stringify(file) + '\n';
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function privateKeyField(value: unknown, field: string, type: PublicKeyType): KeyObject {
  if (typeof value !== 'string' || !BASE64.test(value)) {
    throw new IdentityError('IDENTITY_INVALID', `identity: "${field}" must be a base64 string`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(value, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new IdentityError('IDENTITY_INVALID', `identity: "${field}" is not a PKCS #8 private key`);
  }
  if (key.asymmetricKeyType !== type) {
    throw new IdentityError('IDENTITY_INVALID', `identity: "${field}" is a ${key.asymmetricKeyType ?? 'unknown'} key, expected ${type}`);
  }
  return key;
}

/** Parses serializeIdentity's output. Throws IdentityError (code IDENTITY_INVALID) on anything else. */
export function deserializeIdentity(s: string): Identity {
  let parsed: unknown;
  try {
    parsed = JSON.parse(s);
  } catch {
    throw new IdentityError('IDENTITY_INVALID', 'identity: not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new IdentityError('IDENTITY_INVALID', 'identity: expected a JSON object');
  }
  const record = parsed as Record<string, unknown>;
  if (record.version !== IDENTITY_FORMAT_VERSION) {
    throw new IdentityError(
      'IDENTITY_INVALID',
      `identity: unsupported version ${JSON.stringify(record.version)} (this build reads version ${IDENTITY_FORMAT_VERSION})`,
    );
  }
  const signPrivate = privateKeyField(record.signPrivate, 'signPrivate', 'ed25519');
  const dhPrivate = privateKeyField(record.dhPrivate, 'dhPrivate', 'x25519');
  return { signPublic: rawPublicKey(signPrivate), dhPublic: rawPublicKey(dhPrivate), signPrivate, dhPrivate };
}

// ---------------------------------------------------------------------------------------------
// The identity file

const checksFileModes = process.platform !== 'win32'; // Windows has ACLs, not POSIX mode bits

/**
 * Reads an existing identity file, refusing (like OpenSSH's StrictModes) one that group or
 * others may read or that another user owns. Checks the open descriptor, so the file checked
 * is the file read. Throws the fs error (code ENOENT) if the file does not exist.
 */
export function loadIdentityFile(path: string): Identity {
  const fd = fs.openSync(path, 'r');
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      throw new IdentityError('IDENTITY_FILE_NOT_REGULAR', `Identity file ${path} is not a regular file. Remove it or choose another path.`);
    }
    if (checksFileModes) {
      const mode = stat.mode & 0o777;
      if ((mode & GROUP_OTHER_BITS) !== 0) {
        throw new IdentityError(
          'IDENTITY_FILE_INSECURE',
          `Identity file ${path} can be read by other users (mode ${mode.toString(8).padStart(4, '0')}). ` +
            `Run "chmod 600 ${path}" and try again.`,
        );
      }
      const uid = process.getuid?.();
      if (uid !== undefined && stat.uid !== uid) {
        throw new IdentityError(
          'IDENTITY_FILE_NOT_OWNED',
          `Identity file ${path} belongs to another user (uid ${stat.uid}). Use your own identity file.`,
        );
      }
    }
    const text = fs.readFileSync(fd, 'utf8');
    try {
      return deserializeIdentity(text);
    } catch (error) {
      if (error instanceof IdentityError) {
        throw new IdentityError(
          error.code,
          `${error.message} in ${path}. Restore the file from a backup, or delete it to create a new identity (your fingerprint will change).`,
        );
      }
      throw error;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Loads the identity at `path`, creating it first if it does not exist: missing directories are
 * created with mode 0700, the file with mode 0600. Creation never overwrites: two processes
 * starting at once (two devices of one person, docs/security.md "Identity and keys") end up with
 * the same identity, whichever wrote first.
 */
export function loadOrCreateIdentityFile(path: string): Identity {
  try {
    return loadIdentityFile(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  return publishIdentityFile(stageIdentityFile(path));
}

/** A new identity written and fsynced to a temporary file beside `path`, not yet under `path`. */
export interface StagedIdentityFile {
  readonly path: string;
  readonly tmp: string;
  readonly identity: Identity;
}

/**
 * First half of creating an identity file: a fresh identity (or `identity`, one the user already
 * has elsewhere) in a temporary file (mode 0600) in `path`'s directory, which is created (0700) if
 * missing. Nothing is visible under `path` yet, so a crash here never leaves a partial identity file.
 */
export function stageIdentityFile(path: string, identity: Identity = generateIdentity()): StagedIdentityFile {
  const dir = nodePath.dirname(path);
  ensurePrivateDirectory(dir);
  const tmp = temporaryPathBeside(path);
  const fd = fs.openSync(tmp, 'wx', IDENTITY_FILE_MODE);
  try {
    if (checksFileModes) fs.fchmodSync(fd, IDENTITY_FILE_MODE); // exact mode whatever the umask
    fs.writeFileSync(fd, serializeIdentity(identity), 'utf8');
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  return { path, tmp, identity };
}

/**
 * Second half: puts the staged file under its name if, and only if, nothing is there yet
 * (publishFileExclusive). If another process got there first, its identity wins and is the one
 * returned (after the usual permission checks); the staged one is thrown away. Either way the
 * temporary file is removed.
 */
export function publishIdentityFile(staged: StagedIdentityFile): Identity {
  try {
    if (!publishFileExclusive(staged.tmp, staged.path)) return loadIdentityFile(staged.path);
    syncDirectory(nodePath.dirname(staged.path));
    return staged.identity;
  } finally {
    fs.rmSync(staged.tmp, { force: true });
  }
}

/**
 * Makes `dest` a copy of `src` unless `dest` exists; true if it did, false if `dest` was there.
 * A hard link does it atomically (link(2) fails with EEXIST, where rename(2) would replace the
 * other writer's file). On a file system without hard links (FAT, some network mounts) it copies
 * with COPYFILE_EXCL (O_EXCL: still never replaces, though a reader could meet the file while
 * its few hundred bytes are being written). `src` is left in place: the caller removes it.
 */
export function publishFileExclusive(src: string, dest: string): boolean {
  try {
    fs.linkSync(src, dest);
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
  }
  try {
    fs.copyFileSync(src, dest, fs.constants.COPYFILE_EXCL);
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Creates `dir` and any missing parents with mode 0700 exactly (whatever the umask); leaves
 * directories that already exist as they are (their owner chose their mode).
 */
export function ensurePrivateDirectory(dir: string): void {
  const firstCreated = fs.mkdirSync(dir, { recursive: true, mode: IDENTITY_DIR_MODE });
  if (firstCreated === undefined || !checksFileModes) return;
  // mkdirSync returns the top-most directory it made; every one from there down to dir is new.
  const top = nodePath.resolve(firstCreated);
  for (let d = nodePath.resolve(dir); ; d = nodePath.dirname(d)) {
    fs.chmodSync(d, IDENTITY_DIR_MODE);
    if (d === top || nodePath.dirname(d) === d) break;
  }
}

/** A fresh hidden name in `path`'s directory (same file system, so link and rename work). */
export function temporaryPathBeside(path: string): string {
  return nodePath.join(nodePath.dirname(path), `.${nodePath.basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** The error's `code` (ENOENT, EEXIST, …), if it has one. */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** Makes the new directory entry durable; best effort (not possible on every platform). */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open directories; the file's own data was already fsynced.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// Fingerprints and signatures

/**
 * Human-comparable fingerprint of a signing key: the first FINGERPRINT_BYTES of its SHA-256,
 * as 5 groups of 4 lowercase hex digits ("ab12 cd34 ef56 7890 1234").
 */
export function fingerprint(signPublic: Buffer): string {
  if (!Buffer.isBuffer(signPublic) || signPublic.length !== PUBLIC_KEY_BYTES) {
    throw new RangeError(`signing public key must be ${PUBLIC_KEY_BYTES} bytes`);
  }
  const hex = createHash('sha256').update(signPublic).digest().subarray(0, FINGERPRINT_BYTES).toString('hex');
  const groups: string[] = [];
  for (let i = 0; i < hex.length; i += FINGERPRINT_GROUP_CHARS) groups.push(hex.slice(i, i + FINGERPRINT_GROUP_CHARS));
  return groups.join(' ');
}

/** Ed25519 signature (RFC 8032 §5.1.6, pure Ed25519: no pre-hash) of `data`: 64 bytes. */
export function signData(id: Identity, data: Buffer): Buffer {
  return sign(null, data, id.signPrivate);
}

/** True only if `sig` is a valid Ed25519 signature of `data` by `signPublic`. Never throws. */
export function verifySignature(signPublic: Buffer, data: Buffer, sig: Buffer): boolean {
  if (!Buffer.isBuffer(signPublic) || signPublic.length !== PUBLIC_KEY_BYTES) return false;
  if (!Buffer.isBuffer(sig) || sig.length !== SIGNATURE_BYTES || !Buffer.isBuffer(data)) return false;
  try {
    return verify(null, data, publicKeyFromRaw('ed25519', signPublic), sig);
  } catch {
    return false;
  }
}

function dhBindingMessage(signPublic: Buffer, dhPublic: Buffer): Buffer {
  return Buffer.concat([DH_BINDING_CONTEXT, signPublic, dhPublic]);
}

/**
 * Signature by the identity's signing key over its DH key. Publish it with the public keys:
 * fingerprints cover only the signing key, so without this signature a relay could pair a
 * victim's signing key with its own DH key and sit in the middle of every handshake.
 */
export function signDhBinding(id: Identity): Buffer {
  return signData(id, dhBindingMessage(id.signPublic, id.dhPublic));
}

/** Checks a signDhBinding signature. Never throws. Verify it before handshaking with `dhPublic`. */
export function verifyDhBinding(signPublic: Buffer, dhPublic: Buffer, sig: Buffer): boolean {
  if (!Buffer.isBuffer(dhPublic) || dhPublic.length !== PUBLIC_KEY_BYTES) return false;
  if (!Buffer.isBuffer(signPublic) || signPublic.length !== PUBLIC_KEY_BYTES) return false;
  return verifySignature(signPublic, dhBindingMessage(signPublic, dhPublic), sig);
}
