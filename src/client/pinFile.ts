import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PinStore } from './chatClient';

/** Mode of pins.json: owner only, like the identity beside it. */
const PINS_FILE_MODE = 0o600;
/** Mode of a directory created for it: owner only. */
const PINS_DIR_MODE = 0o700;
/**
 * How long a write waits for another process's write (read, merge, rename: well under a
 * millisecond) to finish. Past it the lock is taken to be stuck and the write goes ahead: pins
 * are a safety net and must never hang the chat.
 */
const LOCK_WAIT_MS = 2000;
/** Pause between attempts to take the lock. */
const LOCK_RETRY_MS = 2;
/**
 * A lock file older than this was left by a process that died while writing (a write holds it
 * for microseconds), so it is removed.
 */
const STALE_LOCK_MS = 10_000;

/**
 * Pinned peer fingerprints (trust on first use) in a JSON file beside the identity, keyed by
 * nickname key. Every process using that identity (its devices, docs/security.md "Identity and
 * keys") shares the file, so reads go to the file and each write merges into what is there
 * instead of replacing it with this process's view.
 */
export class PinFile implements PinStore {
  /** What this process knows: the file as last read, plus pins it could not save. */
  private pins = new Map<string, string>();

  constructor(private readonly file: string) {
    this.refresh();
  }

  get(nickKey: string): string | undefined {
    this.refresh(); // another device may have pinned this peer since
    return this.pins.get(nickKey);
  }

  set(nickKey: string, fingerprint: string): void {
    this.pins.set(nickKey, fingerprint);
    this.save(new Map([[nickKey, fingerprint]]), true);
  }

  /**
   * Adds the given pins where this file has none for that nickname (a pin already here is a
   * decision made with this identity and wins). For carrying pins over to a new identity file.
   */
  addMissing(entries: ReadonlyMap<string, string>): void {
    for (const [k, v] of entries) if (!this.pins.has(k)) this.pins.set(k, v);
    this.save(entries, false);
  }

  /** The pins in a pins file; empty if it is missing or unreadable. */
  static read(file: string): Map<string, string> {
    return readPins(file) ?? new Map();
  }

  /** Merges the file into memory; the file wins, pins only in memory (unsaved) stay. */
  private refresh(): void {
    const onDisk = readPins(this.file);
    if (onDisk) for (const [k, v] of onDisk) this.pins.set(k, v);
  }

  /**
   * Under the lock: read the file, merge `entries` (with `overwrite` false an entry only fills a
   * gap), write a temporary file, rename it over the file. Without the lock, a process that read
   * before our rename would rename its version over ours and drop our pins.
   */
  private save(entries: ReadonlyMap<string, string>, overwrite: boolean): void {
    try {
      mkdirSync(path.dirname(this.file), { recursive: true, mode: PINS_DIR_MODE });
      withLock(`${this.file}.lock`, () => {
        const onDisk = readPins(this.file) ?? new Map<string, string>();
        const missing = [...entries].filter(([k, v]) => (overwrite ? onDisk.get(k) !== v : !onDisk.has(k)));
        if (missing.length === 0) return;
        for (const [k, v] of missing) onDisk.set(k, v);
        writeAtomically(this.file, JSON.stringify(Object.fromEntries(onDisk), null, 2));
      });
    } catch {
      // Pins are a safety net; failing to save them must not stop the chat (they stay in memory).
    }
  }
}

/** The file's pins; an empty map if it does not exist; undefined if it cannot be read or parsed. */
function readPins(file: string): Map<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? new Map() : undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  // A Map, not an object: a key like "__proto__" is data, never the prototype.
  const pins = new Map<string, string>();
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') pins.set(k, v);
  return pins;
}

/**
 * Runs `fn` holding `lockFile` (created with O_EXCL: one holder at a time, across processes).
 * A stale lock (STALE_LOCK_MS) is removed; after LOCK_WAIT_MS `fn` runs without the lock.
 */
function withLock(lockFile: string, fn: () => void): void {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let held = false;
  while (!held) {
    try {
      closeSync(openSync(lockFile, 'wx', PINS_FILE_MODE));
      held = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (isStale(lockFile)) rmSync(lockFile, { force: true });
      else if (Date.now() >= deadline) break;
      else sleepSync(LOCK_RETRY_MS);
    }
  }
  try {
    fn();
  } finally {
    if (held) rmSync(lockFile, { force: true });
  }
}

function isStale(lockFile: string): boolean {
  try {
    return Date.now() - statSync(lockFile).mtimeMs > STALE_LOCK_MS;
  } catch {
    return false; // gone already: the next attempt takes it
  }
}

/** Blocks this thread for `ms` (set() is synchronous; the wait is milliseconds at most). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Writes a temporary file of this process's own (never shared) and renames it into place. */
function writeAtomically(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, text, { mode: PINS_FILE_MODE });
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}
