import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ChunkMap } from '../transport/chunkMap';
import { numberedName, sanitizeFileName } from './sharedFolder';

/**
 * Where incoming files live until verified. A transfer writes to
 * `<saveDir>/.peerchat-partial/<sha256>.part` and keeps its chunk map beside it in
 * `<sha256>.map` (saved every MAP_SAVE_INTERVAL_MS), so that the same file offered again (by
 * anyone, after any crash or restart) resumes from what is on disk. Keyed by the content hash:
 * a changed source file has another hash and starts over.
 */
const PARTIAL_DIR = '.peerchat-partial';
/** How often (ms) the chunk map is written during a transfer: bounds the work redone on resume. */
export const MAP_SAVE_INTERVAL_MS = 250;
/**
 * …and after this many bytes written, whichever comes first: bounds what a crash costs on a
 * fast path (at 100 MB/s, 250 ms is 25 MB). Each save is a flush, an fdatasync of what was
 * written since the last one, and a small file: cheap at this spacing.
 */
export const MAP_SAVE_EVERY_BYTES = 4 * 1024 * 1024;

const MAP_MAGIC = 'peerchat-chunkmap-1';

export interface PartialFile {
  partPath: string;
  mapPath: string;
  handle: fs.FileHandle;
  have: ChunkMap;
  resumedChunks: number;
}

export async function openPartial(saveDir: string, sha256Hex: string, bytes: number, chunkSize: number): Promise<PartialFile> {
  const dir = path.join(saveDir, PARTIAL_DIR);
  await fs.mkdir(dir, { recursive: true });
  const partPath = path.join(dir, `${sha256Hex}.part`);
  const mapPath = path.join(dir, `${sha256Hex}.map`);
  const chunks = Math.ceil(bytes / chunkSize);
  let have: ChunkMap | null = null;
  try {
    const saved = JSON.parse(await fs.readFile(mapPath, 'utf8')) as {
      magic: string;
      bytes: number;
      chunkSize: number;
      map: string;
    };
    const st = await fs.stat(partPath);
    if (saved.magic === MAP_MAGIC && saved.bytes === bytes && st.size === bytes && saved.chunkSize > 0) {
      have = ChunkMap.deserialize(Buffer.from(saved.map, 'base64'));
      // Offered again with another chunk size (the datagram size changed): keep every new
      // chunk whose bytes the old map fully covers.
      if (have && saved.chunkSize !== chunkSize) have = have.rechunk(saved.chunkSize, chunkSize, bytes);
      if (have && have.size !== chunks) have = null;
    }
  } catch {
    have = null;
  }
  const handle = await fs.open(partPath, have ? 'r+' : 'w+');
  if (!have) {
    await handle.truncate(bytes);
    have = new ChunkMap(chunks);
  }
  const map: ChunkMap = have;
  return { partPath, mapPath, handle, have: map, resumedChunks: map.count };
}

export async function saveMap(p: PartialFile, bytes: number, chunkSize: number, map: ChunkMap): Promise<void> {
  // Data first, then the map that claims it: a crash between the two only loses claims.
  await p.handle.datasync();
  const tmp = `${p.mapPath}.tmp`;
  await fs.writeFile(tmp, JSON.stringify({ magic: MAP_MAGIC, bytes, chunkSize, map: map.serialize().toString('base64') }));
  await fs.rename(tmp, p.mapPath);
}

/**
 * Moves a verified .part file to its final name in saveDir without ever overwriting: a hard
 * link fails with EEXIST if the name is taken, so `name (1).ext`, `name (2).ext`… are tried.
 */
export async function publish(p: PartialFile, saveDir: string, offeredName: string): Promise<string> {
  return publishAs(p, saveDir, sanitizeFileName(offeredName));
}

/**
 * publish() under a name already checked (a job's manifest entry, src/client/jobManifest.ts):
 * used as is, numbered if taken.
 */
export async function publishAs(p: PartialFile, saveDir: string, base: string): Promise<string> {
  await p.handle.close();
  for (let n = 0; n < 10_000; n++) {
    const target = path.join(saveDir, numberedName(base, n));
    try {
      await fs.link(p.partPath, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    await discard(p, false);
    return target;
  }
  throw new Error(`no free name for ${base} in ${saveDir}`);
}

/** Removes the partial file and its map (after publishing, or when the content was wrong). */
export async function discard(p: PartialFile, close = true): Promise<void> {
  if (close) await p.handle.close().catch(() => undefined);
  await fs.rm(p.partPath, { force: true });
  await fs.rm(p.mapPath, { force: true });
  await fs.rmdir(path.dirname(p.partPath)).catch(() => undefined); // only if empty
}
