import { strict as assert } from 'node:assert';
import { NickRegistry } from '../../src/relay/nickRegistry';

describe('relay NickRegistry', () => {
  it('binds a nickname to one owner; another owner sees it taken', () => {
    const r = new NickRegistry();
    assert.equal(r.ownerOf('alice', 0), undefined);
    r.bind('alice', 'K1');
    assert.equal(r.ownerOf('alice', 0), 'K1');
    assert.equal(r.nickOf('K1'), 'alice');
  });

  it('one owner holds one nickname: binding another releases the old', () => {
    const r = new NickRegistry();
    r.bind('alice', 'K1');
    assert.equal(r.bind('alicia', 'K1'), 'alice');
    assert.equal(r.ownerOf('alice', 0), undefined);
    assert.equal(r.ownerOf('alicia', 0), 'K1');
    assert.equal(r.bind('alicia', 'K1'), undefined, 're-binding the same nick releases nothing');
  });

  it('a reservation keeps the owner until it expires, then the nick is free', () => {
    const r = new NickRegistry();
    r.bind('alice', 'K1');
    r.reserve('alice', 1000);
    assert.equal(r.ownerOf('alice', 999), 'K1');
    assert.equal(r.reservedUntil('alice'), 1000);
    assert.equal(r.ownerOf('alice', 1000), undefined);
    assert.equal(r.nickOf('K1'), undefined);
  });

  it('the owner taking its nick back clears the reservation', () => {
    const r = new NickRegistry();
    r.bind('alice', 'K1');
    r.reserve('alice', 1000);
    r.bind('alice', 'K1');
    assert.equal(r.reservedUntil('alice'), undefined);
    assert.equal(r.ownerOf('alice', 5000), 'K1', 'live again: no expiry');
  });

  it('prune releases expired reservations in expiry order only', () => {
    const r = new NickRegistry();
    for (const [n, until] of [['a', 100], ['b', 200], ['c', 300]] as const) {
      r.bind(n, `K${n}`);
      r.reserve(n, until);
    }
    assert.equal(r.prune(250), 2);
    assert.deepEqual(r.size, { bound: 1, reserved: 1 });
    assert.equal(r.ownerOf('c', 250), 'Kc');
  });

  it('bounded: beyond the limit the oldest reservation is released', () => {
    const r = new NickRegistry(2);
    for (const n of ['a', 'b', 'c']) {
      r.bind(n, `K${n}`);
      r.reserve(n, 1000);
    }
    assert.equal(r.ownerOf('a', 0), undefined);
    assert.equal(r.ownerOf('c', 0), 'Kc');
    assert.equal(r.size.reserved, 2);
  });
});
