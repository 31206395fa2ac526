/**
 * What can be done with a received file whose name matches a file in the workspace: the rules
 * (which workspace file it matches, whether a text diff is offered, the name "beside" it) and
 * the three decisions after a comparison (save over, save beside, discard), with their safety
 * checks. No `vscode` here: receivedFileActions.ts shows the diff and asks; this file decides and
 * writes, and is unit-tested on its own (test/unit/extensionReceivedFiles.test.ts).
 *
 * Safety rules (README, "Received files"):
 * - the received file stays in the download folder, untouched, until the user decides;
 * - "Save over" writes only to a regular file whose real path is inside the workspace folder it
 *   was matched in (a symlink out of the folder is refused), and only if that file still has the
 *   hash it had when the diff was shown (else the caller shows the diff again and asks again);
 * - the received file must still have the SHA-256 the transfer verified, so what is saved is
 *   what the sender sent and what the diff showed;
 * - "Save beside" never overwrites: `name (1).ext`, `name (2).ext`… as the download folder does.
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants, createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { checkRequestName, isInside, numberedName, sanitizeFileName } from '../client/sharedFolder';

/** A file is taken for text when its first this many bytes hold no NUL (as git and VS Code guess). */
export const TEXT_SNIFF_BYTES = 8 * 1024;
/**
 * Largest file (either side) offered a text diff: VS Code's diff of larger files is slow and
 * mostly unreadable, and a chat is rarely how such files travel.
 */
export const MAX_COMPARE_BYTES = 10 * 1024 * 1024;
/** At most this many workspace files with the same name are looked at (and listed in the pick). */
export const MAX_WORKSPACE_MATCHES = 50;

/** Whether a file can be shown in a text diff: `text`, or why not. */
export type CompareKind = 'text' | 'binary' | 'tooLarge';

/** `head` = the file's first bytes (up to TEXT_SNIFF_BYTES), `size` = its whole size. */
export function compareKind(head: Uint8Array, size: number): CompareKind {
  if (size > MAX_COMPARE_BYTES) return 'tooLarge';
  const n = Math.min(head.length, TEXT_SNIFF_BYTES);
  for (let i = 0; i < n; i++) if (head[i] === 0) return 'binary';
  return 'text';
}

/** A file in the workspace: its folder (absolute) and its path inside it, `/`-separated. */
export interface WorkspaceFile {
  folder: string;
  relPath: string;
}

export interface WorkspaceMatch extends WorkspaceFile {
  /** `path`: the sender's relative path names it; `name`: same file name elsewhere. */
  rule: 'path' | 'name';
}

/**
 * The workspace files a received file matches, best first.
 *
 * `sentName` is the name the sender gave (an offer's file name, or the relative path we
 * requested). Rule: when it is a relative path (`docs/design.md`) and a workspace folder has
 * exactly that path, those files are the match and nothing else. Otherwise every workspace file
 * with the same file name (compared as the download folder would save it) matches, the ones
 * nearest to their folder's root first. `candidates` are the workspace files to choose from
 * (those with that file name); files under `excludeDirs` (the download folder, where the received
 * file itself lies) never match. One match: compare with it; several: the user picks.
 */
export function matchWorkspaceFiles(sentName: string, candidates: readonly WorkspaceFile[], excludeDirs: readonly string[] = []): WorkspaceMatch[] {
  const shape = checkRequestName(sentName);
  const segments = shape.ok ? shape.segments : [sentName];
  const base = sanitizeFileName(segments[segments.length - 1]!);
  const usable = candidates.filter((c) => {
    const abs = path.join(c.folder, ...c.relPath.split('/'));
    return !excludeDirs.some((d) => isInside(d, abs));
  });
  const folderOrder = new Map<string, number>();
  for (const c of candidates) if (!folderOrder.has(c.folder)) folderOrder.set(c.folder, folderOrder.size);
  if (segments.length > 1) {
    const wanted = segments.join('/');
    const exact = usable.filter((c) => c.relPath === wanted);
    if (exact.length > 0) return exact.map((c) => ({ ...c, rule: 'path' as const }));
  }
  const depth = (c: WorkspaceFile) => c.relPath.split('/').length;
  return usable
    .filter((c) => c.relPath.split('/').pop() === base)
    .sort((a, b) => depth(a) - depth(b) || folderOrder.get(a.folder)! - folderOrder.get(b.folder)! || a.relPath.localeCompare(b.relPath))
    .slice(0, MAX_WORKSPACE_MATCHES)
    .map((c) => ({ ...c, rule: 'name' as const }));
}

/** The file name the match search looks for (the last segment, as the download folder saves it). */
export function matchFileName(sentName: string): string {
  const shape = checkRequestName(sentName);
  return sanitizeFileName(shape.ok ? shape.segments[shape.segments.length - 1]! : sentName);
}

/**
 * The first name beside `fileName` that is free: `name (1).ext`, `name (2).ext`… (`taken` says
 * whether a name exists). The same numbering the download folder uses for collisions.
 */
export function besideName(fileName: string, taken: (name: string) => boolean, limit = 10_000): string {
  for (let n = 1; n < limit; n++) {
    const name = numberedName(fileName, n);
    if (!taken(name)) return name;
  }
  throw new ReceivedFileError('NO_FREE_NAME', `No free name beside ${fileName}.`);
}

export type ReceivedFileErrorCode =
  | 'OUTSIDE_WORKSPACE'
  | 'WORKSPACE_FILE_CHANGED'
  | 'RECEIVED_FILE_CHANGED'
  | 'RECEIVED_FILE_MISSING'
  | 'NOT_A_FILE'
  | 'NO_FREE_NAME';

export class ReceivedFileError extends Error {
  constructor(
    readonly code: ReceivedFileErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReceivedFileError';
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The first TEXT_SNIFF_BYTES of a file and its size. */
export async function readHead(file: string): Promise<{ head: Buffer; size: number }> {
  const h = await fs.open(file, 'r');
  try {
    const size = (await h.stat()).size;
    const head = Buffer.alloc(Math.min(size, TEXT_SNIFF_BYTES));
    const { bytesRead } = await h.read(head, 0, head.length, 0);
    return { head: head.subarray(0, bytesRead), size };
  } finally {
    await h.close();
  }
}

/** compareKind of a file on disk. */
export async function fileCompareKind(file: string): Promise<CompareKind> {
  const { head, size } = await readHead(file);
  return compareKind(head, size);
}

/** Absolute path of a match. */
export function matchPath(m: WorkspaceFile): string {
  return path.join(m.folder, ...m.relPath.split('/'));
}

/** The received file, still as the transfer verified it. */
export interface ReceivedFile {
  path: string;
  sha256: string;
}

async function checkReceived(r: ReceivedFile): Promise<void> {
  let actual: string;
  try {
    actual = await sha256File(r.path);
  } catch {
    throw new ReceivedFileError('RECEIVED_FILE_MISSING', `The received file ${r.path} is no longer there.`);
  }
  if (actual !== r.sha256) {
    throw new ReceivedFileError(
      'RECEIVED_FILE_CHANGED',
      `The received file ${path.basename(r.path)} changed in the download folder since it arrived; nothing was saved. Open it to see what it holds now.`,
    );
  }
}

/** The real path of a workspace file, refused unless it is a regular file inside its folder. */
async function confinedTarget(m: WorkspaceFile): Promise<string> {
  const folder = await fs.realpath(m.folder);
  let real: string;
  try {
    real = await fs.realpath(matchPath(m));
  } catch {
    throw new ReceivedFileError('NOT_A_FILE', `${m.relPath} is no longer in the workspace; nothing was saved.`);
  }
  if (!isInside(folder, real)) {
    throw new ReceivedFileError('OUTSIDE_WORKSPACE', `${m.relPath} leads outside its workspace folder (${m.folder}); nothing was saved.`);
  }
  if (!(await fs.stat(real)).isFile()) throw new ReceivedFileError('NOT_A_FILE', `${m.relPath} is not a regular file; nothing was saved.`);
  return real;
}

/**
 * Replaces the workspace file's bytes with the received ones. `shownSha256` is the workspace
 * file's hash when the diff was shown: if it changed since, WORKSPACE_FILE_CHANGED and nothing
 * is written (show the diff again). The new bytes go to a temporary file beside the target
 * first and are renamed over it, so the workspace file is never half written; the target's
 * permissions are kept. The received file is removed from the download folder afterwards.
 * Returns the path written.
 */
export async function saveOver(received: ReceivedFile, target: WorkspaceFile, shownSha256: string): Promise<string> {
  await checkReceived(received);
  const real = await confinedTarget(target);
  if ((await sha256File(real)) !== shownSha256) {
    throw new ReceivedFileError('WORKSPACE_FILE_CHANGED', `${target.relPath} changed since the comparison; nothing was saved. Compare again to see the changes.`);
  }
  const mode = (await fs.stat(real)).mode & 0o7777;
  const tmp = path.join(path.dirname(real), `.${path.basename(real)}.peerchat-${process.pid}-${Date.now().toString(36)}.tmp`);
  try {
    await fs.copyFile(received.path, tmp, fsConstants.COPYFILE_EXCL);
    await fs.chmod(tmp, mode);
    await fs.rename(tmp, real);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fs.rm(received.path, { force: true });
  return real;
}

/**
 * Copies the received file next to the workspace file under the first free `name (n).ext`
 * (never overwriting: an exclusive copy, retried on EEXIST), then removes it from the download
 * folder. Returns the new path.
 */
export async function saveBeside(received: ReceivedFile, target: WorkspaceFile): Promise<string> {
  await checkReceived(received);
  const real = await confinedTarget(target);
  const dir = path.dirname(real);
  const base = path.basename(real);
  for (let attempt = 0; attempt < 100; attempt++) {
    const names = new Set(await fs.readdir(dir));
    const dest = path.join(dir, besideName(base, (n) => names.has(n)));
    try {
      await fs.copyFile(received.path, dest, fsConstants.COPYFILE_EXCL);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    await fs.rm(received.path, { force: true });
    return dest;
  }
  throw new ReceivedFileError('NO_FREE_NAME', `No free name beside ${base}.`);
}

/** Deletes the received file from the download folder (the workspace is not touched). */
export async function discardReceived(received: Pick<ReceivedFile, 'path'>): Promise<void> {
  await fs.rm(received.path, { force: true });
}
