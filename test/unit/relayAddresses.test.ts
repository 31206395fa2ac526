/**
 * RelayAddresses (src/relay/relayAddresses.ts): which source IPs count as another relay of the
 * cluster at the transit port, for relays advertised by IP or by hostname.
 */
import { strict as assert } from 'node:assert';
import { RelayAddresses } from '../../src/relay/relayAddresses';

describe('relay/relayAddresses', () => {
  const made: RelayAddresses[] = [];
  afterEach(() => made.splice(0).forEach((a) => a.close()));
  const book = (...args: ConstructorParameters<typeof RelayAddresses>) => {
    const a = new RelayAddresses(...args);
    made.push(a);
    return a;
  };

  it('counts IP literals at once, an IPv4-mapped source as its IPv4 address', () => {
    const a = book(() => {}, () => Promise.reject(new Error('no lookup expected')));
    void a.set(['10.0.0.2', 'fd00::3']);
    assert.ok(a.has('10.0.0.2'));
    assert.ok(a.has('::ffff:10.0.0.2'));
    assert.ok(a.has('fd00::3'));
    assert.ok(!a.has('10.0.0.9'));
  });

  it('counts a hostname once it resolves, and follows DNS when it moves', async () => {
    let answer = ['192.0.2.7', '2001:db8::7'];
    const a = book(() => {}, async (host) => (host === 'relay-b.example' ? answer : []));
    const pending = a.set(['relay-b.example', '10.0.0.2']);
    assert.ok(!a.has('192.0.2.7'), 'not before the lookup answered');
    await pending;
    assert.ok(a.has('192.0.2.7'));
    assert.ok(a.has('2001:db8::7'));
    answer = ['192.0.2.8'];
    await a.refresh();
    assert.ok(!a.has('192.0.2.7'), 'the old address no longer counts');
    assert.ok(a.has('192.0.2.8'));
    assert.ok(a.has('10.0.0.2'));
  });

  it('a name that does not resolve keeps no address and is logged; the others still count', async () => {
    const logs: string[] = [];
    const a = book((m) => logs.push(m), async (host) => {
      if (host === 'gone.example') throw new Error('ENOTFOUND');
      return ['192.0.2.9'];
    });
    await a.set(['gone.example', 'relay-c.example']);
    assert.ok(a.has('192.0.2.9'));
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /gone\.example does not resolve \(ENOTFOUND\)/);
  });

  it('the same hosts again (a relay\'s liveness changed) look nothing up', async () => {
    let lookups = 0;
    const a = book(() => {}, async () => {
      lookups++;
      return ['192.0.2.11'];
    });
    await a.set(['relay-e.example', '10.0.0.5']);
    await a.set(['10.0.0.5', 'relay-e.example']);
    assert.equal(lookups, 1);
    assert.ok(a.has('192.0.2.11'));
  });

  it('a relay dropped from the list no longer counts', async () => {
    const a = book(() => {}, async () => ['192.0.2.10']);
    await a.set(['relay-d.example', '10.0.0.4']);
    assert.ok(a.has('192.0.2.10') && a.has('10.0.0.4'));
    await a.set([]);
    assert.ok(!a.has('192.0.2.10') && !a.has('10.0.0.4'));
  });

  it('resolves a real hostname with the system resolver (localhost)', async () => {
    const a = book();
    await a.set(['localhost']);
    assert.ok(a.has('127.0.0.1') || a.has('::1'));
  });
});
