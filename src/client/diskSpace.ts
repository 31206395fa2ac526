import { promises as fs } from 'node:fs';
import { formatBytes } from '../shared/units';

/**
 * Free space for a download (docs/protocol.md "File transfer"): checked before an offer is
 * accepted, so a folder without room declines at once (NO_SPACE) instead of failing half-way.
 */

/** Bytes free to this process in `dir` (statfs: available blocks × block size); undefined if unknown. */
export type FreeSpace = (dir: string) => Promise<number | undefined>;

export const statfsFreeSpace: FreeSpace = async (dir) => {
  try {
    const s = await fs.statfs(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined; // no statfs here (or the folder is odd): let the writes tell
  }
};

/**
 * Room kept beyond the file itself: the chunk map, the file system's own blocks and other
 * programs writing at the same time. A file that would leave less than this free is refused.
 */
export const SPACE_MARGIN_BYTES = 1024 * 1024;

/** Whether `needed` more bytes fit in `dir` with `free` bytes free; if not, the sentence to show. */
export function checkSpace(name: string, dir: string, needed: number, free: number | undefined): { ok: true } | { ok: false; message: string } {
  if (free === undefined || needed + SPACE_MARGIN_BYTES <= free) return { ok: true };
  return { ok: false, message: noSpaceMessage(name, dir, needed, free) };
}

/** The sentence for a download folder without room: the folder, what is needed, what is free. */
export function noSpaceMessage(name: string, dir: string, needed: number, free?: number): string {
  const has = free === undefined ? 'it is full' : `only ${formatBytes(free)} is free`;
  return `No room for ${name} in ${dir}: it needs ${formatBytes(needed)} more and ${has}. Free up space there or choose another download folder; what arrived is kept, so sending it again resumes.`;
}

/** Whether an error is the disk being full (ENOSPC, or EDQUOT: over quota). */
export function isNoSpace(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
