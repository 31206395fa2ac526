/**
 * Pinned peer fingerprints in globalState: keyed like nicknames are compared, persisted on change.
 */
import * as assert from 'node:assert/strict';
import { MementoPinStore, PINS_KEY, type MementoLike } from '../../src/extension/pinStore';

class FakeMemento implements MementoLike {
  data = new Map<string, unknown>();
  writes = 0;
  get<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  update(key: string, value: unknown): Thenable<void> {
    this.writes++;
    this.data.set(key, JSON.parse(JSON.stringify(value)));
    return Promise.resolve();
  }
}

describe('extension/pinStore', () => {
  it('stores fingerprints by nickname key (case-insensitive) and survives a restart', () => {
    const m = new FakeMemento();
    const pins = new MementoPinStore(m);
    pins.set('Bob', 'aaaa bbbb');
    assert.equal(pins.get('bob'), 'aaaa bbbb');
    assert.equal(pins.get('BOB'), 'aaaa bbbb');
    assert.equal(pins.get('carol'), undefined);
    assert.equal(new MementoPinStore(m).get('bob'), 'aaaa bbbb');
  });

  it('writes only when something changed, and forgets on delete', () => {
    const m = new FakeMemento();
    const pins = new MementoPinStore(m);
    pins.set('bob', 'x');
    pins.set('bob', 'x');
    assert.equal(m.writes, 1);
    pins.delete('bob');
    assert.equal(pins.get('bob'), undefined);
    assert.deepEqual(m.get(PINS_KEY), {});
  });

  it('ignores a malformed stored value and does not answer for inherited properties', () => {
    const m = new FakeMemento();
    m.data.set(PINS_KEY, { bob: 42, carol: 'ok' });
    const pins = new MementoPinStore(m);
    assert.equal(pins.get('bob'), undefined);
    assert.equal(pins.get('carol'), 'ok');
    assert.equal(pins.get('constructor'), undefined);
    assert.equal(new MementoPinStore({ get: () => 'junk' as never, update: () => Promise.resolve() }).get('x'), undefined);
  });

  it('reports a failed write instead of throwing', async () => {
    const errors: unknown[] = [];
    const pins = new MementoPinStore({ get: () => undefined, update: () => Promise.reject(new Error('disk full')) }, (e) => errors.push(e));
    pins.set('bob', 'x');
    await new Promise((r) => setImmediate(r));
    assert.equal(errors.length, 1);
  });
});
