/**
 * An exclusive lock file shared by the windows of one VS Code profile. Each window runs its own
 * extension host process; they share the profile's SecretStorage and global storage folder, so a
 * file in that folder is what they can all see. identityStore.ts takes it so that only one window
 * creates (or rewrites) the identity key.
 *
 * Taking it is `open(file, 'wx')`: exclusive creation, which fails with EEXIST when the file is
 * there, atomically, on every platform Node supports. The file holds who took it (pid, host,
 * time) for the messages, and a random token so a holder never removes a lock that is not its
 * own. The holder touches the file's modification time while it works; a lock not touched for
 * `staleMs` belongs to a window that died or hung, and is taken over. No `vscode` import.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A lock not touched for this long is taken over. Creating a key takes milliseconds and the
 * holder touches the file every LOCK_REFRESH_MS, so only a window that died or hung misses this.
 */
export const LOCK_STALE_MS = 10_000;
/** How often the holder touches its lock: several times per LOCK_STALE_MS, so a busy event loop does not lose it. */
export const LOCK_REFRESH_MS = 2_000;
/** Owner read/write only: the file names a process and host, nothing more, but it is nobody else's business. */
const LOCK_FILE_MODE = 0o600;

export interface LockTiming {
  staleMs: number;
  refreshMs: number;
}

/** What the lock file holds. */
export interface LockOwner {
  pid: number;
  host: string;
  /** When it was taken (ms since the epoch). */
  time: number;
  token: string;
}

export interface HeldLock {
  readonly file: string;
  /** Removes the lock if it is still ours; never throws. */
  release(): Promise<void>;
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/** The owner recorded in a lock file, if it can be read; for messages only. */
export async function readLockOwner(file: string): Promise<LockOwner | undefined> {
  try {
    const parsed: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const o = parsed as Record<string, unknown>;
    if (typeof o.pid !== 'number' || typeof o.host !== 'string' || typeof o.time !== 'number' || typeof o.token !== 'string') return undefined;
    return { pid: o.pid, host: o.host, time: o.time, token: o.token };
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock, or resolves undefined when a live holder has it (the caller waits and tries
 * again). A stale lock is taken over.
 */
export async function tryLock(file: string, timing: LockTiming = { staleMs: LOCK_STALE_MS, refreshMs: LOCK_REFRESH_MS }): Promise<HeldLock | undefined> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  // Twice at most: once, and once more after taking over a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'wx', LOCK_FILE_MODE);
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
      if (await removeIfStale(file, timing.staleMs)) continue;
      return undefined;
    }
    const owner: LockOwner = { pid: process.pid, host: os.hostname(), time: Date.now(), token: randomBytes(12).toString('hex') };
    const content = JSON.stringify(owner);
    try {
      await handle.writeFile(content, 'utf8');
    } finally {
      await handle.close();
    }
    return holdLock(file, content, timing.refreshMs);
  }
  return undefined;
}

function holdLock(file: string, content: string, refreshMs: number): HeldLock {
  const touch = setInterval(() => {
    const now = new Date();
    // Gone or taken over: the caller's last check (reading back what is stored) still holds.
    fs.utimes(file, now, now).catch(() => undefined);
  }, refreshMs);
  // A held lock must not keep the extension host (or a test run) alive.
  touch.unref();
  let released = false;
  return {
    file,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(touch);
      try {
        // Only our own: if we were taken for dead, the file is now someone else's lock.
        if ((await fs.readFile(file, 'utf8')) === content) await fs.unlink(file);
      } catch {
        // Already gone.
      }
    },
  };
}

/**
 * Removes the lock at `file` if its holder stopped touching it `staleMs` ago. Resolves true
 * when the file is gone (the caller may try to take it), false when a live holder has it.
 */
async function removeIfStale(file: string, staleMs: number): Promise<boolean> {
  let content: string;
  let mtimeMs: number;
  try {
    content = await fs.readFile(file, 'utf8');
    mtimeMs = (await fs.stat(file)).mtimeMs;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return true; // released meanwhile
    throw err;
  }
  if (Date.now() - mtimeMs <= staleMs) return false;
  // Move it aside, then look at what was moved, rather than unlink: another window may have
  // taken over the same stale lock a moment ago, and unlinking would remove its live lock.
  const aside = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await fs.rename(file, aside);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return true;
    throw err;
  }
  const moved = await fs.readFile(aside, 'utf8').catch(() => undefined);
  if (moved === content) {
    await fs.unlink(aside).catch(() => undefined);
    return true;
  }
  // We moved someone's fresh lock: put it back (link fails if yet another lock is there now).
  await fs.link(aside, file).catch(() => undefined);
  await fs.unlink(aside).catch(() => undefined);
  return false;
}
