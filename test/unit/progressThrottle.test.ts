/**
 * Progress to the chat view and the notifications (src/extension/progressThrottle.ts): at most
 * one update per interval per transfer, the newest one shown when the interval is over, nothing
 * stale after a transfer ended, transfers independent of each other.
 */
import * as assert from 'node:assert/strict';
import { PROGRESS_UPDATE_INTERVAL_MS, ProgressThrottle } from '../../src/shared/progressThrottle';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('shared/progressThrottle', () => {
  it('allows at most 5 updates a second per transfer', () => {
    assert.equal(PROGRESS_UPDATE_INTERVAL_MS, 200);
  });

  it('shows the first update at once, holds the next ones, then shows only the newest', async () => {
    const shown: string[] = [];
    const t = new ProgressThrottle<{ id: string; n: number }>((x) => shown.push(`${x.id}:${x.n}`), 60);
    t.update({ id: 'a', n: 1 });
    t.update({ id: 'a', n: 2 });
    t.update({ id: 'a', n: 3 });
    assert.deepEqual(shown, ['a:1']);
    assert.equal(t.waiting, 1);
    await sleep(90);
    assert.deepEqual(shown, ['a:1', 'a:3']);
    assert.equal(t.waiting, 0);
    // A client reporting every 10 ms for 600 ms gets about 600 / 60 updates through, the last one included.
    shown.length = 0;
    for (let n = 1; n <= 60; n++) {
      t.update({ id: 'a', n });
      await sleep(10);
    }
    await sleep(80);
    assert.ok(shown.length <= 13 && shown.length >= 6, `${shown.length} updates: ${shown.join(' ')}`);
    assert.equal(shown.at(-1), 'a:60', 'the newest one is always shown');
  });

  it('drops what waits for a transfer that ended, and keeps transfers apart', async () => {
    const shown: string[] = [];
    const t = new ProgressThrottle<{ id: string; n: number }>((x) => shown.push(`${x.id}:${x.n}`), 50);
    t.update({ id: 'a', n: 1 });
    t.update({ id: 'b', n: 1 });
    t.update({ id: 'a', n: 2 });
    t.update({ id: 'b', n: 2 });
    t.cancel('a'); // 'a' finished: its final state is shown by its owner, not an old progress
    await sleep(80);
    assert.deepEqual(shown, ['a:1', 'b:1', 'b:2']);
    // After cancel, a new update of the same id goes at once.
    t.update({ id: 'a', n: 9 });
    assert.deepEqual(shown.at(-1), 'a:9');
    t.update({ id: 'a', n: 10 });
    t.clear();
    await sleep(80);
    assert.equal(shown.at(-1), 'a:9');
  });
});
