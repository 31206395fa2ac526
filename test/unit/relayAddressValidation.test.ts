import { strict as assert } from 'node:assert';
import { COOKIE_LIFETIME_MS } from '../../src/protocol/limits';
import { COOKIE_BYTES } from '../../src/protocol/relayMessages';
import { AddressCookie } from '../../src/relay/addressCookie';
import { secretProof } from '../../src/relay/secretProof';
import { addressKey, UnvalidatedTraffic } from '../../src/relay/unvalidatedTraffic';

describe('relay address validation', () => {
  describe('AddressCookie', () => {
    const t0 = 1_700_000_000_000;
    it('accepts its own cookie for the same address within the lifetime', () => {
      const c = new AddressCookie();
      const cookie = c.mint('127.0.0.1', 5000, t0);
      assert.equal(cookie.length, COOKIE_BYTES);
      assert.equal(c.check(cookie, '127.0.0.1', 5000, t0), true);
      assert.equal(c.check(cookie, '127.0.0.1', 5000, t0 + COOKIE_LIFETIME_MS), true);
    });
    it('refuses another address, an expired or future cookie, a forged one, another relay\'s', () => {
      const c = new AddressCookie();
      const cookie = c.mint('127.0.0.1', 5000, t0);
      assert.equal(c.check(cookie, '127.0.0.1', 5001, t0), false);
      assert.equal(c.check(cookie, '127.0.0.2', 5000, t0), false);
      assert.equal(c.check(cookie, '127.0.0.1', 5000, t0 + COOKIE_LIFETIME_MS + 1000), false);
      assert.equal(c.check(cookie, '127.0.0.1', 5000, t0 - 1000), false);
      const forged = Buffer.from(cookie);
      forged[10] ^= 1;
      assert.equal(c.check(forged, '127.0.0.1', 5000, t0), false);
      const later = Buffer.from(cookie);
      later.writeUInt32BE(later.readUInt32BE(0) + 5, 0); // extend its life: the MAC covers the time
      assert.equal(c.check(later, '127.0.0.1', 5000, t0 + 5000), false);
      assert.equal(new AddressCookie().check(cookie, '127.0.0.1', 5000, t0), false);
      assert.equal(c.check(Buffer.alloc(3), '127.0.0.1', 5000, t0), false);
    });
  });

  describe('secretProof', () => {
    it('is 16 bytes, depends on secret, cookie and key', () => {
      const cookie = Buffer.alloc(20, 1);
      const key = Buffer.alloc(32, 2);
      const p = secretProof('s3cret', cookie, key);
      assert.equal(p.length, 16);
      assert.deepEqual(secretProof('s3cret', cookie, key), p);
      assert.notDeepEqual(secretProof('other', cookie, key), p);
      assert.notDeepEqual(secretProof('s3cret', Buffer.alloc(20, 9), key), p);
      assert.notDeepEqual(secretProof('s3cret', cookie, Buffer.alloc(32, 9)), p);
    });
  });

  describe('UnvalidatedTraffic', () => {
    it('allows 3x the bytes received, minus what was sent', () => {
      const u = new UnvalidatedTraffic(50, 100);
      const a = addressKey('10.0.0.1', 9);
      assert.equal(u.allowance(a), 0, 'nothing received, nothing may be sent');
      u.received(a, 40);
      assert.equal(u.allowance(a), 120);
      u.sent(a, 100);
      assert.equal(u.allowance(a), 20);
    });
    it('rate-limits per IP with a token bucket', () => {
      const u = new UnvalidatedTraffic(10, 3);
      assert.deepEqual([0, 0, 0, 0].map(() => u.admit('10.0.0.1', 0)), [true, true, true, false]);
      assert.equal(u.admit('10.0.0.2', 0), true, 'another IP has its own bucket');
      assert.equal(u.admit('10.0.0.1', 100), true, 'refilled one token after 100 ms');
    });
    it('holds at most maxEntries per map, forgetting the least recently used', () => {
      const u = new UnvalidatedTraffic(10, 1, 3);
      for (let i = 0; i < 10; i++) {
        u.admit(`10.0.0.${i}`, 0);
        u.received(addressKey(`10.0.0.${i}`, 1), 10);
      }
      assert.deepEqual(u.size, { ips: 3, addresses: 3 });
      assert.equal(u.allowance(addressKey('10.0.0.0', 1)), 0, 'forgotten: no credit');
      assert.equal(u.allowance(addressKey('10.0.0.9', 1)), 30);
    });
  });
});
