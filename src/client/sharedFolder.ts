import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PeerChatError } from '../protocol/errors';

/**
 * Path confinement for file requests: a peer names a file by a relative path, and we serve it
 * only if it resolves to a regular file inside one of our shared folders. Refused: absolute
 * paths, drive letters, `..` segments, control characters, and anything whose real path
 * (after following symlinks or junctions) leaves the shared folder. Device files, sockets and
 * FIFOs are not regular files and are refused too.
 */

/** Pure check of the requested name's shape; returns the normalised relative segments. */
export function checkRequestName(name: string): { ok: true; segments: string[] } | { ok: false; reason: string } {
  if (name.length === 0) return { ok: false, reason: 'empty name' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return { ok: false, reason: 'control characters in name' };
  const unified = name.replace(/\\/g, '/');
  if (unified.startsWith('/') || /^[a-zA-Z]:/.test(unified) || unified.startsWith('//')) {
    return { ok: false, reason: 'absolute paths are not allowed' };
  }
  const segments = unified.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0) return { ok: false, reason: 'empty name' };
  if (segments.some((s) => s === '..')) return { ok: false, reason: '".." is not allowed' };
  return { ok: true, segments };
}

/** True when `child` is `root` itself or lies below it (both absolute, already resolved). */
export function isInside(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export interface ResolvedShare {
  /** Real path of the file to send. */
  path: string;
  /** Size in bytes. */
  bytes: number;
  /** The shared folder it was found in. */
  root: string;
}

/**
 * Finds `name` in the shared folders (first match wins). Throws PeerChatError with
 * NO_SHARED_FOLDER, PATH_OUTSIDE_SHARE, FILE_NOT_FOUND or NOT_A_FILE.
 */
export async function resolveInShare(shareDirs: readonly string[], name: string): Promise<ResolvedShare> {
  if (shareDirs.length === 0) throw new PeerChatError('NO_SHARED_FOLDER');
  const shape = checkRequestName(name);
  if (!shape.ok) throw new PeerChatError('PATH_OUTSIDE_SHARE', `Refused "${name}": ${shape.reason}.`);
  let sawOutside = false;
  let sawNotFile = false;
  for (const dir of shareDirs) {
    let root: string;
    try {
      root = await fs.realpath(dir);
    } catch {
      continue;
    }
    const candidate = path.join(root, ...shape.segments);
    let real: string;
    try {
      real = await fs.realpath(candidate);
    } catch {
      continue;
    }
    if (!isInside(root, real)) {
      sawOutside = true;
      continue;
    }
    const st = await fs.stat(real);
    if (!st.isFile()) {
      sawNotFile = true;
      continue;
    }
    try {
      await fs.access(real, fsConstants.R_OK);
    } catch {
      continue;
    }
    return { path: real, bytes: st.size, root };
  }
  if (sawOutside) throw new PeerChatError('PATH_OUTSIDE_SHARE', `Refused "${name}": it leads outside the shared folder.`);
  if (sawNotFile) throw new PeerChatError('NOT_A_FILE', `"${name}" is not a regular file.`);
  throw new PeerChatError('FILE_NOT_FOUND', `No file "${name}" in the shared folder.`);
}

/**
 * Makes a received file name safe to create in the download folder: the last path segment only,
 * no control characters, no characters Windows forbids, no leading dots that hide the file,
 * no reserved device names, at most 200 UTF-16 units.
 */
export function sanitizeFileName(name: string): string {
  let base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  // eslint-disable-next-line no-control-regex
  base = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i.test(base)) base = `_${base}`;
  if (base.length > 200) {
    const ext = path.extname(base).slice(0, 20);
    base = base.slice(0, 200 - ext.length) + ext;
  }
  return base || 'file';
}

/**
 * Picks a name in `dir` that does not exist yet: `name.ext`, then `name (1).ext`, `name (2).ext`…
 * Reserving it is the caller's job (open with the 'wx' flag and retry on EEXIST).
 */
export function numberedName(name: string, n: number): string {
  if (n === 0) return name;
  const ext = path.extname(name);
  const stem = ext ? name.slice(0, -ext.length) : name;
  return `${stem} (${n})${ext}`;
}
