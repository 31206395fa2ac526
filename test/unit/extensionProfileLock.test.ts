/**
 * The lock file the windows of one profile share (profileLock.ts): exclusive, released only by
 * its holder, kept fresh while held, taken over when its holder stopped touching it.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readLockOwner, tryLock } from '../../src/extension/profileLock';

const timing = { staleMs: 300, refreshMs: 50 };

describe('extension/profileLock', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'peerchat-lock-'));
    // In a folder that does not exist yet, as the profile's global storage may not.
    file = path.join(dir, 'globalStorage', 'identity.lock');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is exclusive until released, and records who holds it', async () => {
    const a = await tryLock(file, timing);
    assert.ok(a);
    assert.equal(await tryLock(file, timing), undefined);
    const owner = await readLockOwner(file);
    assert.equal(owner?.pid, process.pid);
    assert.equal(owner?.host, os.hostname());
    await a.release();
    assert.equal(existsSync(file), false);
    const b = await tryLock(file, timing);
    assert.ok(b);
    await b.release();
  });

  it('keeps a held lock fresh, so a long holder is not taken for dead', async () => {
    const a = await tryLock(file, timing);
    assert.ok(a);
    await new Promise((r) => setTimeout(r, timing.staleMs * 2));
    assert.equal(await tryLock(file, timing), undefined);
    await a.release();
  });

  it('takes over a lock whose holder stopped touching it, and not a fresh one', async () => {
    const dead = await tryLock(file, { staleMs: timing.staleMs, refreshMs: 60_000 });
    assert.ok(dead);
    assert.equal(await tryLock(file, timing), undefined, 'a fresh lock is waited for');
    const deadToken = (await readLockOwner(file))?.token;
    const old = new Date(Date.now() - timing.staleMs * 4);
    utimesSync(file, old, old);
    const taker = await tryLock(file, timing);
    assert.ok(taker, 'a stale lock is taken over');
    const takerToken = (await readLockOwner(file))?.token;
    assert.notEqual(takerToken, deadToken);
    // The dead holder coming back to life must not remove the new holder's lock.
    await dead.release();
    assert.equal(existsSync(file), true);
    assert.equal((await readLockOwner(file))?.token, takerToken);
    assert.equal(await tryLock(file, timing), undefined);
    await taker.release();
    assert.equal(existsSync(file), false);
  });

  it('takes over an empty lock file left by a holder that died before writing it', async () => {
    const first = await tryLock(file, timing);
    await first?.release();
    writeFileSync(file, '');
    const old = new Date(Date.now() - timing.staleMs * 4);
    utimesSync(file, old, old);
    const taker = await tryLock(file, timing);
    assert.ok(taker);
    await taker.release();
  });
});
