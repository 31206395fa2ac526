/**
 * MESH datagrams between the relays of a cluster (src/protocol/meshDatagram.ts): golden bytes,
 * round trips, and every tampering or malformation refused (never a throw).
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { datagram, Kind } from '../../src/protocol/header';
import { MAX_DATAGRAM_BYTES } from '../../src/protocol/limits';
import {
  encodeMeshInto,
  MAX_MESH_INNER_BYTES,
  MESH_FIXED_BYTES,
  meshBytes,
  meshKey,
  meshOfOne,
  openMesh,
} from '../../src/protocol/meshDatagram';

const key = meshKey('test-cluster-secret-0123456789');
const relayId = Buffer.from('0102030405060708', 'hex');
const peer = (dst: number, body: string, kind: number = Kind.PEER_SEALED): Buffer =>
  datagram({ kind, flags: 0, src: 7, dst }, Buffer.from(body));

function encode(items: Buffer[], counter: number, k = key): Buffer {
  const out = Buffer.alloc(MAX_DATAGRAM_BYTES);
  const n = encodeMeshInto(out, k, relayId, counter, items, 0, items.length);
  assert.equal(n, meshBytes(items, 0, items.length));
  return out.subarray(0, n);
}

describe('protocol/meshDatagram', () => {
  it('lays out header, relay id, counter, length-prefixed datagrams and a 16-byte tag (golden prefix)', () => {
    const a = peer(9, 'hi');
    const m = encode([a], 0x0102_0304_05);
    const hex = m.toString('hex');
    // c7 02 30 00 | src 0 | dst 0 | relay id | counter u64 | length 000e | the datagram | tag
    assert.equal(hex.slice(0, 24), 'c7023000' + '00000000' + '00000000');
    assert.equal(hex.slice(24, 40), '0102030405060708');
    assert.equal(hex.slice(40, 56), '0000000102030405');
    assert.equal(hex.slice(56, 60), '000e');
    assert.equal(m.subarray(30, 44).toString('hex'), a.toString('hex'));
    assert.equal(m.length, MESH_FIXED_BYTES + 2 + a.length);
  });

  it('round trip: the relay id, the counter and every datagram in order', () => {
    const items = [peer(1, 'one'), peer(0xffff_ffff, 'to all', Kind.PEER_BROADCAST), peer(3, 'x'.repeat(1000), Kind.PEER_RECORD)];
    const o = openMesh(encode(items, 42), key);
    assert.ok(o);
    assert.equal(o.relayId, relayId.toString('hex'));
    assert.equal(o.counter, 42);
    assert.deepEqual(o.items.map((d) => d.toString('hex')), items.map((d) => d.toString('hex')));
  });

  it('meshOfOne: the same bytes as encodeMeshInto for one datagram, in pieces, up to the largest that fits', () => {
    const big = Buffer.alloc(MAX_MESH_INNER_BYTES, 5);
    big[0] = 0xc7;
    big[1] = 2;
    big[2] = Kind.PEER_RECORD;
    const parts = Buffer.concat(meshOfOne(key, relayId, 9, big));
    assert.ok(parts.length <= MAX_DATAGRAM_BYTES);
    assert.deepEqual(parts, encode([big], 9));
    assert.equal(openMesh(parts, key)?.items[0].length, MAX_MESH_INNER_BYTES);
  });

  it('refuses another key, any flipped bit, a cut, and what is not a peer datagram inside', () => {
    const m = encode([peer(1, 'abc'), peer(2, 'def')], 5);
    assert.equal(openMesh(m, meshKey('another-cluster-secret-000000')), null);
    for (let i = 0; i < m.length; i++) {
      const t = Buffer.from(m);
      t[i] ^= 0x01;
      assert.equal(openMesh(t, key), null, `bit flipped at ${i}`);
    }
    for (let n = 0; n < m.length; n++) assert.equal(openMesh(m.subarray(0, n), key), null, `cut at ${n}`);
    // Well authenticated but holding a relay kind: refused.
    assert.equal(openMesh(encode([datagram({ kind: Kind.PING, flags: 0, src: 1, dst: 0 }, Buffer.alloc(4))], 1), key), null);
  });

  it('property: random bytes never throw and never open', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 2000 }), (bytes) => {
        const b = Buffer.from(bytes);
        if (b.length > 2) b[2] = Kind.MESH;
        assert.equal(openMesh(b, key), null);
      }),
    );
  });
});
