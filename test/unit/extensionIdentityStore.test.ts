/**
 * One identity per VS Code profile across its windows (identityStore.ts, issue 11). Each
 * "window" is an IdentityStore over its own view of one fake SecretStorage, with the same lock
 * folder, as the extension hosts of one profile share the keychain and the global storage.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { identityFingerprint } from '../../src/client/fingerprints';
import { generateIdentity, serializeIdentity, type Identity } from '../../src/crypto/identity';
import type { IDisposable } from '../../src/extension/dispose';
import {
  IDENTITY_LOCK_FILE,
  IDENTITY_SECRET_KEY,
  IdentityStore,
  type IdentityChange,
  type IdentityTiming,
  type SecretStorageLike,
} from '../../src/extension/identityStore';
import { tryLock } from '../../src/extension/profileLock';

/** Every call goes through the event loop, as SecretStorage's IPC does, so windows interleave. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The keychain the windows of one profile share. */
class FakeKeychain {
  readonly values = new Map<string, string>();
  /** Every store of any secret, by anyone, in order. */
  readonly stores: Array<{ key: string; value: string }> = [];
  /** When false, a change reaches only the window that made it (hosts where onDidChange stays local). */
  crossWindowEvents = true;
  private readonly windows = new Set<Set<(e: { key: string }) => unknown>>();

  window(): SecretStorageLike {
    const listeners = new Set<(e: { key: string }) => unknown>();
    this.windows.add(listeners);
    return {
      get: async (key) => {
        await tick();
        return this.values.get(key);
      },
      store: async (key, value) => {
        await tick();
        this.write(key, value, listeners);
      },
      delete: async (key) => {
        await tick();
        this.write(key, undefined, listeners);
      },
      onDidChange: (listener): IDisposable => {
        listeners.add(listener);
        return { dispose: () => listeners.delete(listener) };
      },
    };
  }

  /** A change from outside every window (another tool, or a window of an older version). */
  set(key: string, value: string | undefined): void {
    this.write(key, value, undefined);
  }

  storesOf(key: string): number {
    return this.stores.filter((s) => s.key === key).length;
  }

  private write(key: string, value: string | undefined, from: Set<(e: { key: string }) => unknown> | undefined): void {
    if (value === undefined) this.values.delete(key);
    else {
      this.values.set(key, value);
      this.stores.push({ key, value });
    }
    for (const listeners of this.windows) {
      if (listeners !== from && !this.crossWindowEvents) continue;
      // VS Code delivers change events later, not inside store().
      for (const l of [...listeners]) setImmediate(() => l({ key }));
    }
  }
}

const timing: Partial<IdentityTiming> = { lockStaleMs: 300, lockRefreshMs: 50, pollMs: 5, waitMs: 1_500 };

async function until(cond: () => boolean, what: string, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const settle = () => new Promise((r) => setTimeout(r, 50));
const fp = (id: Identity) => identityFingerprint(id);

describe('extension/identityStore', () => {
  let dir: string;
  let keychain: FakeKeychain;
  let stores: IdentityStore[];
  let logs: Array<{ level: string; message: string }>;
  let changes: Array<{ window: number; change: IdentityChange }>;

  /** A window of the profile, as activate() builds it. */
  function openWindow(opts: { lockDir?: string | null; timing?: Partial<IdentityTiming> } = {}): IdentityStore {
    const index = stores.length;
    const store = new IdentityStore({
      secrets: keychain.window(),
      lockDir: opts.lockDir === null ? undefined : (opts.lockDir ?? dir),
      log: (level, message) => logs.push({ level, message }),
      timing: opts.timing ?? timing,
    });
    store.onDidChangeIdentity((change) => changes.push({ window: index, change }));
    stores.push(store);
    return store;
  }

  beforeEach(() => {
    dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'peerchat-identity-')), 'globalStorage');
    keychain = new FakeKeychain();
    stores = [];
    logs = [];
    changes = [];
  });
  afterEach(() => {
    stores.forEach((s) => s.dispose());
    rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  describe('creation', () => {
    it('windows starting at the same instant end with one identity, stored once', async () => {
      const windows = [openWindow(), openWindow(), openWindow(), openWindow()];
      const ids = await Promise.all(windows.map((w) => w.current()));
      assert.equal(new Set(ids.map(fp)).size, 1, 'one fingerprint');
      assert.equal(keychain.storesOf(IDENTITY_SECRET_KEY), 1, 'one key ever stored');
      await settle();
      assert.deepEqual(changes, [], 'nothing to tell: nobody changed key');
      assert.equal(existsSync(path.join(dir, IDENTITY_LOCK_FILE)), false, 'the lock is released');
      // And they keep it: later joins find the same key.
      assert.deepEqual(new Set((await Promise.all(windows.map((w) => w.current()))).map(fp)), new Set([fp(ids[0])]));
    });

    it('loads a stored key without writing', async () => {
      const id = generateIdentity();
      keychain.set(IDENTITY_SECRET_KEY, serializeIdentity(id));
      assert.equal(fp(await openWindow().current()), fp(id));
      assert.equal(keychain.storesOf(IDENTITY_SECRET_KEY), 1);
    });

    it('a window waits for the key of the window holding the lock', async () => {
      const other = await tryLock(path.join(dir, IDENTITY_LOCK_FILE), { staleMs: 300, refreshMs: 50 });
      assert.ok(other);
      const joining = openWindow().current();
      await new Promise((r) => setTimeout(r, 100));
      const theirs = generateIdentity();
      keychain.set(IDENTITY_SECRET_KEY, serializeIdentity(theirs));
      await other.release();
      assert.equal(fp(await joining), fp(theirs));
      assert.equal(keychain.storesOf(IDENTITY_SECRET_KEY), 1, 'the waiting window stored nothing');
    });

    it('takes over a stale lock left by a window that died while creating the key', async () => {
      const lock = path.join(dir, IDENTITY_LOCK_FILE);
      const dead = await tryLock(lock, { staleMs: 300, refreshMs: 60_000 });
      assert.ok(dead);
      const old = new Date(Date.now() - 10_000);
      utimesSync(lock, old, old);
      const id = await openWindow().current();
      assert.equal(keychain.storesOf(IDENTITY_SECRET_KEY), 1);
      assert.equal(keychain.values.get(IDENTITY_SECRET_KEY), serializeIdentity(id));
      assert.equal(existsSync(lock), false);
    });

    it('gives up after a bounded wait for a live holder, saying what to do', async () => {
      const lock = path.join(dir, IDENTITY_LOCK_FILE);
      const other = await tryLock(lock, { staleMs: 300, refreshMs: 50 });
      assert.ok(other);
      try {
        await assert.rejects(openWindow({ timing: { ...timing, waitMs: 200 } }).current(), (err: Error) => {
          assert.match(err.message, /Another Peer Chat window .*process \d+/);
          assert.match(err.message, /Try Join Chat again/);
          assert.ok(err.message.includes(lock), 'names the lock file');
          return true;
        });
        assert.equal(keychain.storesOf(IDENTITY_SECRET_KEY), 0);
      } finally {
        await other.release();
      }
    });

    it('without a lock folder, reading back what is stored still gives both windows one key', async () => {
      const [a, b] = [openWindow({ lockDir: null }), openWindow({ lockDir: null })];
      await Promise.all([a.current(), b.current()]);
      await settle();
      assert.equal(fp(await a.current()), fp(await b.current()));
    });
  });

  describe('a running window', () => {
    it('adopts a key changed under it, and says so once with both fingerprints', async () => {
      const [a, b] = [openWindow(), openWindow()];
      const before = fp(await a.current());
      assert.equal(fp(await b.current()), before);
      const replacement = generateIdentity();
      keychain.set(IDENTITY_SECRET_KEY, serializeIdentity(replacement));
      await until(() => changes.length === 2, 'both windows to adopt the new key');
      for (const w of [0, 1]) {
        assert.deepEqual(
          changes.filter((c) => c.window === w).map((c) => c.change),
          [{ reason: 'adopted', oldFingerprint: before, newFingerprint: fp(replacement) }],
        );
      }
      assert.equal(fp(await a.current()), fp(replacement));
      assert.equal(a.fingerprint, fp(replacement));
      await settle();
      assert.equal(changes.length, 2, 'told once per window, not again on the next join');
      assert.ok(logs.some((l) => l.level === 'warn' && l.message.includes(before) && l.message.includes(fp(replacement))));
    });

    it('notices the change before the next join when no change event reaches it', async () => {
      keychain.crossWindowEvents = false;
      const a = openWindow();
      const before = fp(await a.current());
      await settle(); // the event of its own store has been handled
      const replacement = generateIdentity();
      keychain.set(IDENTITY_SECRET_KEY, serializeIdentity(replacement));
      await settle();
      assert.equal(changes.length, 0, 'no event reached it');
      assert.equal(fp(await a.current()), fp(replacement));
      assert.deepEqual(changes.map((c) => c.change), [{ reason: 'adopted', oldFingerprint: before, newFingerprint: fp(replacement) }]);
    });

    it('does not report the same key written out again', async () => {
      const a = openWindow();
      const id = await a.current();
      keychain.set(IDENTITY_SECRET_KEY, serializeIdentity(id).trimEnd());
      await settle();
      assert.equal(fp(await a.current()), fp(id));
      assert.deepEqual(changes, []);
    });

    it('stores its key back when the stored one is deleted', async () => {
      const a = openWindow();
      const id = await a.current();
      keychain.set(IDENTITY_SECRET_KEY, undefined);
      await until(() => logs.some((l) => l.level === 'warn' && /was deleted.*stored this window's key/.test(l.message)), 'the restore to be logged');
      assert.equal(keychain.values.get(IDENTITY_SECRET_KEY), serializeIdentity(id));
      assert.equal(fp(await a.current()), fp(id));
      assert.deepEqual(changes, [], 'the identity did not change');
    });

    it('two windows restoring a deleted key keep one identity', async () => {
      const [a, b] = [openWindow(), openWindow()];
      const id = await a.current();
      await b.current();
      keychain.set(IDENTITY_SECRET_KEY, undefined);
      await until(() => keychain.values.has(IDENTITY_SECRET_KEY), 'the key to be stored back');
      await settle();
      assert.equal(fp(await a.current()), fp(id));
      assert.equal(fp(await b.current()), fp(id));
      assert.deepEqual(changes, []);
    });

    it('stores its key back over an unreadable value', async () => {
      const a = openWindow();
      const id = await a.current();
      keychain.set(IDENTITY_SECRET_KEY, '{"version":1,"signPrivate":"garbage"}');
      await until(() => logs.some((l) => l.level === 'warn' && /could not be read.*stored this window's key/.test(l.message)), 'the restore to be logged');
      assert.equal(keychain.values.get(IDENTITY_SECRET_KEY), serializeIdentity(id));
      assert.equal(fp(await a.current()), fp(id));
      assert.deepEqual(changes, []);
    });

    it('stops listening when disposed', async () => {
      const a = openWindow();
      await a.current();
      a.dispose();
      keychain.set(IDENTITY_SECRET_KEY, serializeIdentity(generateIdentity()));
      await settle();
      assert.deepEqual(changes, []);
    });
  });

  describe('an unreadable stored key', () => {
    it('is replaced once, under the lock, and reported with the reason', async () => {
      keychain.set(IDENTITY_SECRET_KEY, 'not json');
      const [a, b] = [openWindow(), openWindow()];
      const [ia, ib] = await Promise.all([a.current(), b.current()]);
      assert.equal(fp(ia), fp(ib));
      assert.equal(keychain.storesOf(IDENTITY_SECRET_KEY), 2, 'the corrupt value and one replacement');
      await settle();
      assert.equal(changes.length, 1, 'reported once, by the window that replaced it');
      const { change } = changes[0];
      assert.equal(change.reason, 'replacedUnreadable');
      assert.equal(change.oldFingerprint, undefined);
      assert.equal(change.newFingerprint, fp(ia));
      assert.match(String(change.error), /not valid JSON/);
      assert.ok(logs.some((l) => l.level === 'warn' && /could not be read/.test(l.message)));
    });
  });

  it('a crashed holder\'s empty lock file does not block creation for long', async () => {
    const lock = path.join(dir, IDENTITY_LOCK_FILE);
    await tryLock(lock).then((l) => l?.release());
    writeFileSync(lock, '');
    const started = Date.now();
    await openWindow().current();
    assert.ok(Date.now() - started < 1_500, 'taken over after lockStaleMs');
  });
});
