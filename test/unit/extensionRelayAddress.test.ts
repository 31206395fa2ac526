/**
 * Relay addresses as typed in settings and prompts, and the relay's `listening on` line.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  connectableAddress,
  formatRelayAddress,
  isLoopbackHost,
  parseListeningLine,
  parseRelayAddress,
} from '../../src/extension/relayAddress';

const ok = (s: string, opts?: Parameters<typeof parseRelayAddress>[1]) => {
  const r = parseRelayAddress(s, opts);
  assert.ok(r.ok, `${s}: ${!r.ok ? r.reason : ''}`);
  return r.address;
};
const bad = (s: string, opts?: Parameters<typeof parseRelayAddress>[1]) => {
  const r = parseRelayAddress(s, opts);
  assert.ok(!r.ok, `${s} should be refused`);
  return r.reason;
};

describe('extension/relayAddress: parseRelayAddress', () => {
  it('reads host:port, a bare host (default port) and bracketed IPv6', () => {
    assert.deepEqual(ok('127.0.0.1:12345'), { host: '127.0.0.1', port: 12345 });
    assert.deepEqual(ok('  relay.example.com:4000 '), { host: 'relay.example.com', port: 4000 });
    assert.deepEqual(ok('localhost'), { host: 'localhost', port: 12345 });
    assert.deepEqual(ok('[::1]:9000'), { host: '::1', port: 9000 });
    assert.deepEqual(ok('[fe80::1%eth0]'), { host: 'fe80::1%eth0', port: 12345 });
    assert.deepEqual(ok('::1'), { host: '::1', port: 12345 });
  });

  it('refuses malformed input with a sentence that says what to write', () => {
    assert.match(bad(''), /127\.0\.0\.1:12345/);
    assert.match(bad('udp://relay:1'), /scheme/);
    assert.match(bad('relay:'), /port/);
    assert.match(bad('relay:abc'), /port/);
    assert.match(bad('relay:70000'), /1 to 65535/);
    assert.match(bad(':12345'), /host/);
    assert.match(bad('re lay:1'), /spaces/);
    assert.match(bad('[::1:5'), /\[::1\]:12345/);
    assert.match(bad('relay:0'), /1 to 65535/);
  });

  it('accepts port 0 only for listening', () => {
    assert.deepEqual(ok('0.0.0.0:0', { allowAnyPort: true }), { host: '0.0.0.0', port: 0 });
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parseRelayAddress(s);
        if (r.ok) assert.ok(r.address.port >= 1 && r.address.port <= 65535 && r.address.host.length > 0);
      }),
    );
  });

  it('formats back to what it parses', () => {
    for (const s of ['127.0.0.1:12345', '[::1]:80', 'relay.example:1']) assert.equal(formatRelayAddress(ok(s)), s);
  });
});

describe('extension/relayAddress: loopback and wildcard', () => {
  it('knows which hosts are this machine', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1']) assert.equal(isLoopbackHost(h), true, h);
    for (const h of ['10.0.0.1', 'relay.example', '0.0.0.0', '128.0.0.1']) assert.equal(isLoopbackHost(h), false, h);
  });

  it('joins a relay listening on a wildcard address through loopback', () => {
    assert.deepEqual(connectableAddress({ host: '0.0.0.0', port: 5 }), { host: '127.0.0.1', port: 5 });
    assert.deepEqual(connectableAddress({ host: '::', port: 5 }), { host: '::1', port: 5 });
    assert.deepEqual(connectableAddress({ host: '10.1.1.1', port: 5 }), { host: '10.1.1.1', port: 5 });
  });
});

describe('extension/relayAddress: parseListeningLine', () => {
  it('reads the relay first line', () => {
    assert.deepEqual(parseListeningLine('listening on 127.0.0.1:12345'), { host: '127.0.0.1', port: 12345 });
    assert.deepEqual(parseListeningLine('listening on ::1:4000\r'), { host: '::1', port: 4000 });
    assert.deepEqual(parseListeningLine('listening on [::]:4000'), { host: '::', port: 4000 });
    assert.deepEqual(parseListeningLine('2026-01-01T00:00:00Z listening on 0.0.0.0:1'), { host: '0.0.0.0', port: 1 });
  });

  it('ignores every other line', () => {
    for (const l of ['', 'listening', 'listening on', 'listening on host', 'listening on host:', 'listening on host:0', 'peerchat-relay: port 12345 on 127.0.0.1 is already in use', 'listening on a:b:99999']) {
      assert.equal(parseListeningLine(l), undefined, l);
    }
  });
});
