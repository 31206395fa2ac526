/**
 * This user's identity key: generated once per VS Code profile, kept in SecretStorage (the OS
 * keychain where there is one), never in settings or globalState. The fingerprint peers pin is
 * derived from it.
 *
 * The windows of one profile are separate extension host processes sharing that SecretStorage,
 * and they must end up with ONE identity (docs/security.md, "Identity and keys"):
 * - Creating the key (or rewriting an unreadable or deleted one) happens under a lock file in
 *   the profile's global storage folder (profileLock.ts). The others wait for the key it stores.
 *   After storing, the writer reads the key back and uses what is stored, not what it wrote.
 * - A window that already uses a key watches SecretStorage (and looks again before each join,
 *   since the change event does not reach other windows in every host). When the stored key
 *   differs from its own, it adopts the stored one and says so (`onDidChangeIdentity`); when the
 *   key was deleted or became unreadable, it stores its own back: the user keeps the identity.
 * No `vscode` import, so all of this runs in unit tests against a fake SecretStorage.
 */
import * as path from 'node:path';
import { identityFingerprint } from '../client/fingerprints';
import { deserializeIdentity, generateIdentity, serializeIdentity, type Identity } from '../crypto/identity';
import { Disposable, toDisposable, type IDisposable } from './dispose';
import { errorText } from './errorMessages';
import { LOCK_REFRESH_MS, LOCK_STALE_MS, readLockOwner, tryLock, type HeldLock } from './profileLock';

/** The part of vscode.SecretStorage used here. */
export interface SecretStorageLike {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
  /** Fires when a secret changes: in this window, and in the profile's other windows where the host tells them. */
  readonly onDidChange?: (listener: (e: { readonly key: string }) => unknown) => IDisposable;
}

export const IDENTITY_SECRET_KEY = 'peerchat.identity';
/** The lock file's name in the profile's global storage folder. */
export const IDENTITY_LOCK_FILE = 'identity.lock';

export interface IdentityTiming {
  /** See LOCK_STALE_MS. */
  lockStaleMs: number;
  /** See LOCK_REFRESH_MS. */
  lockRefreshMs: number;
  /** How often a window waiting for another one's key looks at SecretStorage. */
  pollMs: number;
  /** How long a window waits for another one's key before it gives up and says so. */
  waitMs: number;
}

export const DEFAULT_IDENTITY_TIMING: IdentityTiming = {
  lockStaleMs: LOCK_STALE_MS,
  lockRefreshMs: LOCK_REFRESH_MS,
  // Reading SecretStorage is a local IPC round trip; ten a second is nothing, and the wait ends
  // within a tenth of a second of the winner storing its key.
  pollMs: 100,
  // Long enough for a holder that died just after taking the lock (taken over after
  // lockStaleMs) plus a slow keychain in the window that takes over; after that, something is
  // wrong and the user hears about it (the join fails with what to do).
  waitMs: 3 * LOCK_STALE_MS,
};

export type IdentityChangeReason =
  /** Another window (or a tool) stored a different key; this window now uses it. */
  | 'adopted'
  /** The stored key could not be read (corrupted, or from an incompatible version); a new one was made. */
  | 'replacedUnreadable';

export interface IdentityChange {
  readonly reason: IdentityChangeReason;
  /** The key this window used until now; undefined when it had none (the unreadable key was never loaded). */
  readonly oldFingerprint: string | undefined;
  readonly newFingerprint: string;
  /** Why the stored key could not be read ('replacedUnreadable'). */
  readonly error?: unknown;
}

export interface IdentityStoreOptions {
  secrets: SecretStorageLike;
  /**
   * The profile's global storage folder (`context.globalStorageUri.fsPath`), for the lock file.
   * Undefined where it is not on the local disk: no lock, the read-back and the change
   * detection still make the windows converge on one key (with a message when they had to).
   */
  lockDir: string | undefined;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  timing?: Partial<IdentityTiming>;
}

/** An identity with the stored text it came from. */
interface Held {
  identity: Identity;
  serialized: string;
  fingerprint: string;
}

type StoredRead = { ok: true; held: Held } | { ok: false; missing: boolean; error?: unknown };

/** What `settle` found or did. */
interface Settled {
  held: Held;
  /** This window wrote the key. */
  wrote: boolean;
  /** Why the value it overwrote could not be read (it overwrote an unreadable one). */
  replacedError?: unknown;
}

function parseStored(value: string | undefined): StoredRead {
  if (value === undefined || value === '') return { ok: false, missing: true };
  try {
    const identity = deserializeIdentity(value);
    return { ok: true, held: { identity, serialized: value, fingerprint: identityFingerprint(identity) } };
  } catch (error) {
    return { ok: false, missing: false, error };
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class IdentityStore extends Disposable {
  /** The key this window uses; undefined until the first `current()`. */
  private held: Held | undefined;
  /** Loads, checks and writes run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(change: IdentityChange) => void>();
  private readonly timing: IdentityTiming;
  private readonly lockFile: string | undefined;

  constructor(private readonly opts: IdentityStoreOptions) {
    super();
    this.timing = { ...DEFAULT_IDENTITY_TIMING, ...opts.timing };
    this.lockFile = opts.lockDir === undefined ? undefined : path.join(opts.lockDir, IDENTITY_LOCK_FILE);
    const subscription = opts.secrets.onDidChange?.((e) => {
      if (e.key === IDENTITY_SECRET_KEY) this.recheck();
    });
    if (subscription) this._register(subscription);
    this._register(toDisposable(() => this.listeners.clear()));
  }

  /**
   * The identity to join with. The first call loads it (creating it if this profile has none
   * yet); every call looks at the stored key again first, since a change made in another window
   * is not announced in every host. Rejects with a message saying what to do.
   */
  current(): Promise<Identity> {
    return this.serial(async () => {
      await this.sync();
      return this.held!.identity;
    });
  }

  /** Fingerprint of the key in use; undefined before the first `current()`. */
  get fingerprint(): string | undefined {
    return this.held?.fingerprint;
  }

  /** Fires when the key this window uses changes (once per change). */
  readonly onDidChangeIdentity = (listener: (change: IdentityChange) => void): IDisposable => {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  };

  private fire(change: IdentityChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (err) {
        this.opts.log('error', `Handling an identity change failed: ${errorText(err)}`);
      }
    }
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** SecretStorage says the key changed. Nothing to compare before the first load. */
  private recheck(): void {
    if (this.isDisposed) return;
    this.serial(async () => {
      if (this.held) await this.sync();
    }).catch((err) => {
      if (!this.isDisposed) this.opts.log('error', `Could not check the stored identity key: ${errorText(err)}`);
    });
  }

  /** Makes `held` what is stored, loading, creating, adopting or restoring as needed. */
  private async sync(): Promise<void> {
    const mine = this.held;
    if (!mine) {
      const s = await this.settle(undefined);
      this.held = s.held;
      if (s.replacedError !== undefined) {
        this.opts.log('warn', `The stored identity key could not be read (${errorText(s.replacedError)}); a new one was made: ${s.held.fingerprint}.`);
        this.fire({ reason: 'replacedUnreadable', oldFingerprint: undefined, newFingerprint: s.held.fingerprint, error: s.replacedError });
      } else if (s.wrote) {
        this.opts.log('info', `Created this profile's identity key: ${s.held.fingerprint}.`);
      } else {
        this.opts.log('info', `Loaded this profile's identity key: ${s.held.fingerprint}.`);
      }
      return;
    }
    const stored = await this.opts.secrets.get(IDENTITY_SECRET_KEY);
    if (stored === mine.serialized) return;
    const read = parseStored(stored);
    if (read.ok) {
      // The same keys written out again (e.g. by another version) are no change.
      if (read.held.fingerprint === mine.fingerprint) this.held = read.held;
      else this.adopt(read.held);
      return;
    }
    // Deleted or unreadable while this window uses a key: store ours back, so the user keeps
    // the identity (unless another window got its own stored first; then all take that one).
    const s = await this.settle(mine);
    if (s.held.fingerprint !== mine.fingerprint) {
      this.adopt(s.held);
      return;
    }
    this.held = s.held;
    if (s.wrote) {
      const what = read.missing ? 'was deleted' : `could not be read (${errorText(read.error)})`;
      this.opts.log('warn', `The stored identity key ${what}; stored this window's key ${mine.fingerprint} back, so your identity is unchanged.`);
    }
  }

  private adopt(next: Held): void {
    const old = this.held?.fingerprint;
    this.held = next;
    this.opts.log('warn', `The identity key stored for this profile changed (was ${old ?? 'none'}, now ${next.fingerprint}); this window uses the stored one from now on.`);
    this.fire({ reason: 'adopted', oldFingerprint: old, newFingerprint: next.fingerprint });
  }

  private async readStored(): Promise<StoredRead> {
    return parseStored(await this.opts.secrets.get(IDENTITY_SECRET_KEY));
  }

  /**
   * Resolves with a readable stored key. When there is none, one window (the lock holder)
   * stores `ours` (or a new key) and the others wait for it.
   */
  private async settle(ours: Held | undefined): Promise<Settled> {
    const deadline = Date.now() + this.timing.waitMs;
    for (;;) {
      if (this.isDisposed) throw new Error('Peer Chat is shutting down; the identity key was not loaded.');
      const first = await this.readStored();
      if (first.ok) return { held: first.held, wrote: false };
      const lock = await this.lock();
      if (lock) {
        try {
          // Another window may have stored one between our read and taking the lock.
          const again = await this.readStored();
          if (again.ok) return { held: again.held, wrote: false };
          // `await` whether generation is synchronous or not.
          const value = ours?.serialized ?? serializeIdentity(await generateIdentity());
          await this.opts.secrets.store(IDENTITY_SECRET_KEY, value);
          // The last check: use what is stored, not what we meant to store (a writer that
          // does not take the lock, e.g. an older version of this extension, may have won).
          const back = await this.readStored();
          if (!back.ok) {
            throw new Error(
              `The identity key could not be read back from SecretStorage (the OS keychain) after storing it${back.error !== undefined ? ` (${errorText(back.error)})` : ''}. Check that the keychain is unlocked and try Join Chat again.`,
            );
          }
          return { held: back.held, wrote: true, replacedError: again.missing ? undefined : again.error };
        } finally {
          await lock.release();
        }
      }
      if (Date.now() >= deadline) throw await this.waitedTooLong();
      await sleep(this.timing.pollMs);
    }
  }

  /** The lock, or undefined while another window holds it. Without a lock folder, a no-op lock. */
  private async lock(): Promise<HeldLock | undefined> {
    if (this.lockFile === undefined) return { file: '', release: async () => undefined };
    return tryLock(this.lockFile, { staleMs: this.timing.lockStaleMs, refreshMs: this.timing.lockRefreshMs });
  }

  private async waitedTooLong(): Promise<Error> {
    const file = this.lockFile ?? IDENTITY_LOCK_FILE;
    const owner = await readLockOwner(file);
    const who = owner ? ` (process ${owner.pid} on ${owner.host})` : '';
    return new Error(
      `Another Peer Chat window of this VS Code profile${who} is still creating your identity key. Try Join Chat again in a moment; if this keeps happening, close the other windows, or delete ${file} if none is open.`,
    );
  }
}

/** Relay invitation secrets, one per relay address. */
export function relaySecretKey(relay: string): string {
  return `peerchat.relaySecret:${relay}`;
}
