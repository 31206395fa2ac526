import { MAX_FILE_NAME_BYTES, MAX_JOB_ENTRIES, MAX_JOB_PATH_BYTES, MAX_JOB_PATH_DEPTH } from '../protocol/limits';
import { SHA256_BYTES } from '../protocol/controlMessages';
import { sanitizeFileName } from './sharedFolder';

/**
 * A transfer job's manifest (docs/protocol.md "Transfer jobs") and the checks a receiver makes
 * before anything is written. Pure: no file system here. A manifest comes from the peer, so every
 * path is refused (not repaired) unless each of its components is a plain name that can only
 * land inside the job's folder: the whole manifest is refused when one entry is bad, and nothing
 * is written (docs/security.md "Transfer jobs").
 */

export interface ManifestEntry {
  /** Relative path, '/'-separated. */
  path: string;
  bytes: number;
  sha256: Buffer;
}

export interface CheckedEntry extends ManifestEntry {
  /** The path's components, each a plain name. */
  segments: string[];
}

export type ManifestCheck =
  | { ok: true; entries: CheckedEntry[]; totalBytes: number }
  | { ok: false; reason: string };

/** Names Windows reserves for devices (with or without an extension). */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
/** Characters no component may hold: controls, and what Windows forbids in names. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f<>:"|?*\\]/;

/** Checks one relative path of a manifest; returns its components. */
export function checkJobPath(p: string): { ok: true; segments: string[] } | { ok: false; reason: string } {
  if (p.length === 0) return { ok: false, reason: 'an empty path' };
  if (Buffer.byteLength(p, 'utf8') > MAX_JOB_PATH_BYTES) return { ok: false, reason: `a path longer than ${MAX_JOB_PATH_BYTES} bytes` };
  if (p.includes('\u0000')) return { ok: false, reason: 'a NUL character in a path' };
  if (p.includes('\\')) return { ok: false, reason: `a backslash in "${p}" (paths use "/")` };
  if (p.startsWith('/')) return { ok: false, reason: `an absolute path "${p}"` };
  if (/^[a-zA-Z]:/.test(p)) return { ok: false, reason: `a drive letter in "${p}"` };
  const segments = p.split('/');
  if (segments.length > MAX_JOB_PATH_DEPTH) return { ok: false, reason: `a path deeper than ${MAX_JOB_PATH_DEPTH} levels` };
  for (const s of segments) {
    if (s === '') return { ok: false, reason: `an empty component in "${p}"` };
    if (s === '.' || s === '..') return { ok: false, reason: `"${s}" in "${p}"` };
    if (FORBIDDEN.test(s)) return { ok: false, reason: `a control or reserved character in "${p}"` };
    if (/[.\s]$/.test(s) || /^\s/.test(s)) return { ok: false, reason: `a name ending in a dot or space, or starting with a space, in "${p}"` };
    if (RESERVED.test(s)) return { ok: false, reason: `a reserved device name in "${p}"` };
    if (Buffer.byteLength(s, 'utf8') > MAX_FILE_NAME_BYTES) return { ok: false, reason: `a name longer than ${MAX_FILE_NAME_BYTES} bytes` };
  }
  return { ok: true, segments };
}

/** How two paths compare on a case-insensitive, normalising file system (macOS, Windows). */
function foldKey(segments: string[]): string {
  return segments.map((s) => s.normalize('NFC').toLowerCase()).join('/');
}

/**
 * Checks a whole manifest: entry count, each path, sizes, their sum against `maxTotalBytes` (and
 * against the total the offer declared), and that no two entries collide — the same path, paths
 * differing only in case or Unicode normalisation, or a path that is a file in one entry and a
 * folder in another.
 */
export function checkManifest(entries: readonly ManifestEntry[], maxTotalBytes: number, declaredTotal?: number): ManifestCheck {
  if (entries.length === 0) return { ok: false, reason: 'no files' };
  if (entries.length > MAX_JOB_ENTRIES) return { ok: false, reason: `${entries.length} files; at most ${MAX_JOB_ENTRIES} are accepted in one job` };
  const files = new Set<string>();
  const folders = new Set<string>();
  const out: CheckedEntry[] = [];
  let total = 0;
  for (const e of entries) {
    const shape = checkJobPath(e.path);
    if (!shape.ok) return { ok: false, reason: shape.reason };
    if (!Number.isSafeInteger(e.bytes) || e.bytes < 0) return { ok: false, reason: `a bad size for "${e.path}"` };
    if (e.sha256.length !== SHA256_BYTES) return { ok: false, reason: `a bad SHA-256 for "${e.path}"` };
    total += e.bytes;
    if (total > maxTotalBytes) return { ok: false, reason: `more than ${maxTotalBytes} bytes in all, the most this client accepts` };
    const key = foldKey(shape.segments);
    if (files.has(key)) return { ok: false, reason: `"${e.path}" twice (or twice but for case)` };
    if (folders.has(key)) return { ok: false, reason: `"${e.path}" both as a file and as a folder` };
    for (let i = 1; i < shape.segments.length; i++) {
      const dir = foldKey(shape.segments.slice(0, i));
      if (files.has(dir)) return { ok: false, reason: `"${shape.segments.slice(0, i).join('/')}" both as a file and as a folder` };
      folders.add(dir);
    }
    files.add(key);
    out.push({ ...e, segments: shape.segments });
  }
  if (declaredTotal !== undefined && declaredTotal !== total) return { ok: false, reason: `sizes that add up to ${total}, not the ${declaredTotal} offered` };
  return { ok: true, entries: out, totalBytes: total };
}

/** The folder a job is saved in: its offered name made safe, as file names are (sharedFolder.ts). */
export function jobFolderName(name: string): string {
  const safe = sanitizeFileName(name);
  return safe === 'file' && name.trim() === '' ? 'files' : safe;
}

/** Bitmap of entry indices (bit i of byte i>>3), for JOB_ANSWER's done map. */
export function encodeDone(done: ReadonlySet<number>, entries: number): Buffer {
  const b = Buffer.alloc(Math.ceil(entries / 8));
  for (const i of done) if (i >= 0 && i < entries) b[i >> 3] |= 1 << (i & 7);
  return b;
}

export function decodeDone(b: Buffer, entries: number): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < entries && i >> 3 < b.length; i++) if (b[i >> 3] & (1 << (i & 7))) out.add(i);
  return out;
}
