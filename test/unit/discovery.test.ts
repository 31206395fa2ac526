import { strict as assert } from 'node:assert';
import type { NetworkInterfaceInfo } from 'node:os';
import fc from 'fast-check';
import {
  announcementTxt,
  describeDiscovered,
  MAX_DISCOVERED_RELAYS,
  mergeDiscovered,
  validateAnnouncement,
  type DiscoveredRelay,
} from '../../src/discovery/announcement';
import { isPrivateIpv4, isUsableIpv4, lanAddresses, reachableAddresses } from '../../src/discovery/lanAddresses';
import { MAX_RELAY_NAME_CHARS } from '../../src/shared/relayName';

function iface(address: string, opts: { internal?: boolean; family?: 'IPv4' | 'IPv6' } = {}): NetworkInterfaceInfo {
  const family = opts.family ?? (address.includes(':') ? 'IPv6' : 'IPv4');
  return { address, netmask: '255.255.255.0', family, mac: '02:00:00:00:00:01', internal: opts.internal ?? false, cidr: `${address}/24`, ...(family === 'IPv6' ? { scopeid: 0 } : {}) } as NetworkInterfaceInfo;
}

describe('LAN addresses (what Start Relay names and invitations carry)', () => {
  it('never loopback, link-local or IPv6; private on an ordinary interface first, bridges and tunnels last', () => {
    const got = lanAddresses({
      lo: [iface('127.0.0.1', { internal: true }), iface('::1', { internal: true })],
      docker0: [iface('172.17.0.1')],
      tailscale0: [iface('100.101.102.103')],
      eth0: [iface('fe80::1'), iface('169.254.3.4'), iface('203.0.113.7')],
      wlan0: [iface('192.168.1.20'), iface('fd00::20')],
    });
    assert.deepEqual(got.map((a) => a.address), ['192.168.1.20', '203.0.113.7', '172.17.0.1', '100.101.102.103']);
    assert.equal(got[0].iface, 'wlan0');
  });

  it('each address once, at most eight, and none on a machine with only loopback', () => {
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`eth${i}`, [iface(`10.0.${i}.5`), iface(`10.0.${i}.5`)]]));
    assert.equal(lanAddresses(many).length, 8);
    assert.deepEqual(lanAddresses({ lo: [iface('127.0.0.1', { internal: true })] }), []);
    assert.deepEqual(lanAddresses({}), []);
  });

  it('a wildcard host means every LAN address; a specific one itself; loopback none', () => {
    const ifs = { eth0: [iface('10.1.2.3')], eth1: [iface('192.168.0.9')] };
    assert.deepEqual(reachableAddresses('0.0.0.0', ifs), ['10.1.2.3', '192.168.0.9']);
    assert.deepEqual(reachableAddresses('192.168.0.9', ifs), ['192.168.0.9']);
    assert.deepEqual(reachableAddresses('127.0.0.1', ifs), []);
  });

  it('address classes', () => {
    for (const a of ['10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.0.1', '100.64.0.1']) assert.ok(isPrivateIpv4(a), a);
    for (const a of ['172.32.0.1', '8.8.8.8', '203.0.113.1']) assert.equal(isPrivateIpv4(a), false, a);
    for (const a of ['0.0.0.0', '127.0.0.1', '169.254.1.1', '224.0.0.251', '255.255.255.255', '1.2.3', '1.2.3.256', 'x']) assert.equal(isUsableIpv4(a), false, a);
  });
});

describe('LAN announcements', () => {
  const good = { name: 'Team relay', port: 12345, txt: { v: '2', secret: '1' }, addresses: ['10.0.0.5'], referer: { address: '10.0.0.5', family: 'IPv4', port: 5353, size: 200 } };

  it('the TXT record says the protocol version and whether a secret is needed, nothing else', () => {
    assert.deepEqual(announcementTxt(true), { v: '2', secret: '1' });
    assert.deepEqual(announcementTxt(false), { v: '2', secret: '0' });
  });

  it('a well-formed announcement becomes a relay in the list', () => {
    const r = validateAnnouncement(good);
    assert.deepEqual(r, { name: 'Team relay', addresses: ['10.0.0.5'], port: 12345, needsSecret: true });
    assert.equal(describeDiscovered(r!), 'Team relay — 10.0.0.5:12345 (needs an invitation)');
    assert.equal(validateAnnouncement({ ...good, txt: { v: '2', secret: '0' } })?.needsSecret, false);
  });

  it('ignores bogus ports, other protocol versions, and announcements with no usable address', () => {
    for (const port of [0, -1, 53, 1023, 65536, 1.5, NaN, '12345', undefined]) assert.equal(validateAnnouncement({ ...good, port }), undefined, String(port));
    for (const txt of [{}, { v: '1' }, { v: '3' }, { v: 2 }, null, 'v=2']) assert.equal(validateAnnouncement({ ...good, txt }), undefined, JSON.stringify(txt));
    assert.equal(validateAnnouncement({ ...good, referer: { address: '127.0.0.1' }, addresses: ['224.0.0.251', '0.0.0.0', 'evil', 42] }), undefined);
    for (const raw of [null, undefined, 'relay', 42, []]) assert.equal(validateAnnouncement(raw), undefined);
  });

  it('prefers the address the answer came from over A records, and keeps at most four', () => {
    const r = validateAnnouncement({ ...good, referer: { address: '192.168.1.9' }, addresses: ['10.0.0.5', '10.0.0.6', '10.0.0.7', '10.0.0.8', '10.0.0.9'] });
    assert.deepEqual(r?.addresses, ['192.168.1.9', '10.0.0.5', '10.0.0.6', '10.0.0.7']);
  });

  it('a hostile name is shown safely or replaced by the address; secret flags other than 0 ask for a secret', () => {
    const long = validateAnnouncement({ ...good, name: `\u202e${'W'.repeat(500)}\n\u0007` });
    assert.ok(long && [...long.name].length <= MAX_RELAY_NAME_CHARS && /^W+$/.test(long.name));
    assert.equal(validateAnnouncement({ ...good, name: '\u0000\u202e\u200b' })?.name, 'relay at 10.0.0.5:12345');
    assert.equal(validateAnnouncement({ ...good, name: { toString: () => 'x' } })?.name, 'relay at 10.0.0.5:12345');
    assert.equal(validateAnnouncement({ ...good, txt: { v: '2', secret: 'maybe' } })?.needsSecret, true);
    assert.equal(validateAnnouncement({ ...good, txt: { v: '2' } })?.needsSecret, true);
    assert.equal(validateAnnouncement({ ...good, txt: Object.assign(Object.create({ v: '2' }), { secret: '0' }) }), undefined, 'inherited TXT keys do not count');
    assert.equal(validateAnnouncement({ ...good, txt: { v: Buffer.from('2'), secret: Buffer.from('0') } })?.needsSecret, false);
  });

  it('random announcements never throw, and what passes is always showable and reachable', () => {
    fc.assert(
      fc.property(
        fc.record({ name: fc.anything(), port: fc.oneof(fc.integer(), fc.anything()), txt: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.anything()), addresses: fc.anything(), referer: fc.anything() }),
        (raw) => {
          const r = validateAnnouncement(raw);
          if (!r) return;
          assert.ok(r.port >= 1024 && r.port <= 65535);
          assert.ok(r.addresses.length >= 1 && r.addresses.every(isUsableIpv4));
          assert.doesNotMatch(r.name, /[\p{Cc}\p{Cf}]/u);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('merging: one entry per address and port, at most MAX_DISCOVERED_RELAYS', () => {
    const list: DiscoveredRelay[] = [];
    const at = (a: string, port = 12345): DiscoveredRelay => ({ name: a, addresses: [a], port, needsSecret: true });
    assert.equal(mergeDiscovered(list, at('10.0.0.1')), true);
    assert.equal(mergeDiscovered(list, { ...at('10.0.0.1'), addresses: ['10.0.0.1', '10.0.1.1'] }), false);
    assert.deepEqual(list[0].addresses, ['10.0.0.1', '10.0.1.1']);
    assert.equal(mergeDiscovered(list, at('10.0.0.1', 12346)), true);
    for (let i = 0; i < 100; i++) mergeDiscovered(list, at(`10.1.0.${i + 1}`));
    assert.equal(list.length, MAX_DISCOVERED_RELAYS);
  });
});
