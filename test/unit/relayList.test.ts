/**
 * Relay lists (a cluster's relays, in order): the terminal client's `--relay a:p,b:p`, the
 * extension's comma list in peerchat.relayAddress, and the client's RelayList that moves along it.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRelayList as cliRelayList } from '../../src/cli/args';
import { RelayList, relayTarget, relaysOf } from '../../src/client/relayList';
import { buildClientOptions, DEFAULT_SETTINGS } from '../../src/extension/clientOptions';
import { parseRelayList } from '../../src/extension/relayAddress';

describe('relay lists', () => {
  it('terminal client: --relay takes one address or a comma list, in order', () => {
    assert.deepEqual(cliRelayList('127.0.0.1:4000'), { host: '127.0.0.1', port: 4000 });
    assert.deepEqual(cliRelayList('a:1,b:2, c'), {
      host: 'a',
      port: 1,
      fallbacks: [
        { host: 'b', port: 2 },
        { host: 'c', port: 12345 },
      ],
    });
    assert.throws(() => cliRelayList('a:1,,b:2'), /no empty entries/);
    assert.throws(() => cliRelayList('a:1,b:99999'), /Bad port/);
  });

  it('extension: peerchat.relayAddress may be a comma list; the client options carry the others as fallbacks', () => {
    const r = parseRelayList('relay1.example.com:12345, relay2.example.com:12346');
    assert.ok(r.ok);
    assert.deepEqual(r.target, { host: 'relay1.example.com', port: 12345, fallbacks: [{ host: 'relay2.example.com', port: 12346 }] });
    const bad = parseRelayList('a:1, b:x');
    assert.ok(!bad.ok && /"b:x"/.test(bad.reason));
    assert.ok(!parseRelayList('a:1,').ok);
    const one = parseRelayList('127.0.0.1:12345');
    assert.ok(one.ok && one.target.fallbacks === undefined);
    const env = { homeDir: '/home/u', workspaceFolders: [] };
    const o = buildClientOptions({ ...DEFAULT_SETTINGS, relayAddress: 'a:1,b:2' }, env, { nick: 'n', identity: undefined as never });
    assert.deepEqual(o.relay, { host: 'a', port: 1, fallbacks: [{ host: 'b', port: 2 }] });
  });

  it('never throws on any input (extension)', () => {
    fc.assert(fc.property(fc.string(), (s) => void parseRelayList(s)));
  });

  it('RelayList moves along the list and round to the first; matches only the relay in use', () => {
    const list = new RelayList(relayTarget([{ host: '127.0.0.1', port: 1 }, { host: '127.0.0.2', port: 2 }, { host: '127.0.0.3', port: 3 }]));
    assert.equal(list.size, 3);
    assert.equal(list.current.text, '127.0.0.1:1');
    assert.ok(list.current.matches({ address: '127.0.0.1', port: 1 }));
    assert.ok(list.current.matches({ address: '::ffff:127.0.0.1', port: 1 }), 'an IPv4-mapped source is the same relay');
    assert.ok(!list.current.matches({ address: '127.0.0.2', port: 2 }));
    assert.equal(list.advance().text, '127.0.0.2:2');
    assert.ok(list.current.matches({ address: '127.0.0.2', port: 2 }));
    assert.equal(list.advance().text, '127.0.0.3:3');
    assert.equal(list.advance().text, '127.0.0.1:1');
    assert.equal(list.text, '127.0.0.1:1, 127.0.0.2:2, 127.0.0.3:3');
    assert.deepEqual(relaysOf({ host: 'a', port: 1 }), [{ host: 'a', port: 1 }]);
  });

  it('refuses a list mixing IPv4 and IPv6 (one socket serves the list)', () => {
    assert.throws(() => new RelayList(relayTarget([{ host: '127.0.0.1', port: 1 }, { host: '::1', port: 2 }])), /IPv4.*IPv6/);
  });
});
