import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PeerChatError } from '../protocol/errors';
import { MAX_JOB_ENTRIES } from '../protocol/limits';
import { sha256File } from './fileHash';
import { checkManifest } from './jobManifest';

/**
 * What a sender puts in a transfer job (docs/protocol.md "Transfer jobs"): the files under the
 * paths chosen, walked without following symlinks (a link is left out and named in `skipped`,
 * whether it points inside or outside the folder), each with its size and SHA-256.
 */

export interface SourceEntry {
  /** Relative path in the job, '/'-separated. */
  path: string;
  /** Where it is on this disk. */
  abs: string;
  bytes: number;
  sha256: Buffer;
}

export interface JobSource {
  /** The job's name: the folder's name (one folder), or the first path's with a count. */
  name: string;
  /** Only plain files were chosen: they go straight into the receiver's download folder. */
  loose: boolean;
  entries: SourceEntry[];
  totalBytes: number;
  /** Paths left out: symlinks, sockets, devices, FIFOs. */
  skipped: string[];
}

/**
 * Builds a job from files and folders. One folder: its contents, relative to it, named after it.
 * Several paths: each under its own name. Throws PeerChatError (FILE_NOT_FOUND, NOT_A_FILE,
 * BAD_COMMAND) with a sentence when a path is missing, nothing is left to send, there are more
 * than MAX_JOB_ENTRIES files, or a name could not be saved safely by the receiver.
 */
export async function buildJobSource(paths: readonly string[]): Promise<JobSource> {
  if (paths.length === 0) throw new PeerChatError('BAD_COMMAND', 'Nothing to send: give a file or a folder.');
  const found: Array<{ rel: string; abs: string; bytes: number }> = [];
  const skipped: string[] = [];
  const stats = await Promise.all(
    paths.map(async (p) => {
      try {
        return await fs.lstat(p);
      } catch {
        throw new PeerChatError('FILE_NOT_FOUND', `No file or folder at ${p}.`);
      }
    }),
  );
  const single = paths.length === 1 && stats[0].isDirectory();
  const loose = stats.every((s) => s.isFile());
  const walk = async (abs: string, rel: string): Promise<void> => {
    const st = await fs.lstat(abs);
    if (st.isSymbolicLink() || (!st.isFile() && !st.isDirectory())) {
      skipped.push(abs);
      return;
    }
    if (st.isFile()) {
      if (found.length >= MAX_JOB_ENTRIES) {
        throw new PeerChatError('BAD_COMMAND', `More than ${MAX_JOB_ENTRIES} files: send the folder in parts, or as an archive.`);
      }
      found.push({ rel, abs, bytes: st.size });
      return;
    }
    const names = (await fs.readdir(abs)).sort();
    for (const n of names) await walk(path.join(abs, n), rel ? `${rel}/${n}` : n);
  };
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i];
    if (stats[i].isSymbolicLink()) {
      skipped.push(p);
      continue;
    }
    await walk(path.resolve(p), single ? '' : path.basename(path.resolve(p)));
  }
  if (found.length === 0) {
    throw new PeerChatError('NOT_A_FILE', `No regular files to send in ${paths.join(', ')}${skipped.length ? ` (left out: ${skipped.length} symlinks or special files)` : ''}.`);
  }
  const entries: SourceEntry[] = [];
  let totalBytes = 0;
  for (const f of found) {
    entries.push({ path: f.rel, abs: f.abs, bytes: f.bytes, sha256: await sha256File(f.abs) });
    totalBytes += f.bytes;
  }
  // The receiver refuses a manifest it cannot save safely: say so here, before offering it.
  const check = checkManifest(entries, Number.MAX_SAFE_INTEGER);
  if (!check.ok) throw new PeerChatError('BAD_COMMAND', `Cannot send these files as one job: ${check.reason}. Rename it, or send it on its own.`);
  const first = path.basename(path.resolve(paths[0]));
  const name = paths.length === 1 ? first : `${first} and ${paths.length - 1} more`;
  return { name, loose, entries, totalBytes, skipped };
}
