/**
 * Checked relay messages (docs/protocol.md "Checked relay messages"): a client asks with its
 * HELLO, a relay that checks answers with a checked COOKIE, and from then on every relay message
 * between them carries FLAG_CHECKED and a CRC-32C. A relay from before (emulated with
 * `checkedMessages: false`) answers unchecked, and the client then sends nothing checked but its
 * HELLO, which every relay takes. What crossed is read off the wire by a recording UDP proxy.
 */
import { strict as assert } from 'node:assert';
import * as dgram from 'node:dgram';
import { generateIdentity } from '../../src/crypto/identity';
import { RelayServer } from '../../src/relay/relayServer';
import { TestClient } from '../support/testClient';

const FIRST_PEER_KIND = 0x40;
const BATCH = 0x0f;

/** A UDP proxy in front of the relay for one client: records [direction, kind, flags] of each relay message. */
async function recordingProxy(target: { host: string; port: number }, alterDown?: (b: Buffer) => Buffer) {
  const seen: Array<['up' | 'down', number, number]> = [];
  const front = dgram.createSocket('udp4');
  const back = dgram.createSocket('udp4');
  let client: dgram.RemoteInfo | null = null;
  const note = (dir: 'up' | 'down', b: Buffer): void => {
    if (b.length < 12 || b[2] >= FIRST_PEER_KIND) return;
    if (b[2] !== BATCH) return void seen.push([dir, b[2], b[3]]);
    // a BATCH: length u16 ‖ datagram, to the end (after its own 12-byte header)
    for (let o = 12; o + 2 <= b.length; ) {
      const n = b.readUInt16BE(o);
      note(dir, b.subarray(o + 2, o + 2 + n));
      o += 2 + n;
    }
  };
  front.on('message', (b, r) => {
    client = r;
    note('up', b);
    back.send(b, target.port, target.host);
  });
  back.on('message', (b: Buffer) => {
    note('down', b);
    if (alterDown) b = alterDown(b);
    if (client) front.send(b, client.port, client.address);
  });
  await new Promise<void>((r) => front.bind(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => back.bind(0, '127.0.0.1', () => r()));
  return {
    seen,
    address: () => ({ host: '127.0.0.1', port: front.address().port }),
    close: () => Promise.all([new Promise<void>((r) => front.close(() => r())), new Promise<void>((r) => back.close(() => r()))]),
  };
}

describe('checked relay messages', function () {
  this.timeout(30_000);

  async function session(checkedMessages: boolean) {
    const relay = await RelayServer.start({ host: '127.0.0.1', port: 0, checkedMessages });
    const proxy = await recordingProxy(relay.address());
    const alice = await TestClient.join({ relay: proxy.address(), nick: 'alice', directConnections: false });
    const bob = await TestClient.join({ relay: relay.address(), nick: 'bob', directConnections: false });
    await alice.waitForPeers(['bob']);
    alice.client.broadcast('hello from alice');
    bob.client.broadcast('hello from bob');
    await bob.waitFor('message', (m) => m.text === 'hello from alice');
    await alice.waitFor('message', (m) => m.text === 'hello from bob');
    return {
      seen: proxy.seen,
      stop: async () => {
        await alice.leave();
        await bob.leave();
        await proxy.close();
        await relay.close();
      },
    };
  }

  it('a client and a relay that both check: every relay message after the HELLO carries the flag, both ways', async () => {
    const { seen, stop } = await session(true);
    try {
      const kinds = (dir: 'up' | 'down') => new Set(seen.filter(([d]) => d === dir).map(([, k]) => k));
      assert.ok(kinds('down').has(0x02) && kinds('down').has(0x04), `COOKIE and REGISTERED came: ${[...kinds('down')]}`);
      assert.ok(kinds('up').has(0x03), 'REGISTER went');
      const unchecked = seen.filter(([, , flags]) => (flags & 1) === 0);
      assert.deepEqual(unchecked, [], 'nothing unchecked either way');
    } finally {
      await stop();
    }
  });

  it('a relay from before checked messages: the client registers and chats, and sends nothing checked but its HELLO', async () => {
    const { seen, stop } = await session(false);
    try {
      const checked = seen.filter(([, , flags]) => (flags & 1) !== 0);
      assert.ok(checked.length > 0 && checked.every(([dir, kind]) => dir === 'up' && kind === 0x01), `only HELLOs checked: ${JSON.stringify(checked)}`);
      assert.ok(seen.some(([dir, kind]) => dir === 'up' && kind === 0x03), 'REGISTER went, unchecked');
    } finally {
      await stop();
    }
  });

  it('a REGISTER refusal to a client that checks comes checked: one corrupted on the way is dropped, and the next tells it NICK_TAKEN', async () => {
    const relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    let corrupted = 0;
    const ERROR = 0x05;
    // The first ERROR down gets one bit of its text flipped (as a checksum the UDP layer missed).
    const proxy = await recordingProxy(relay.address(), (b) => {
      if (b[2] !== ERROR || corrupted > 0) return b;
      corrupted++;
      const c = Buffer.from(b);
      c[c.length - 8] ^= 0x20;
      return c;
    });
    const bob = await TestClient.join({ relay: relay.address(), nick: 'bob', directConnections: false });
    try {
      await assert.rejects(
        TestClient.join({ relay: proxy.address(), nick: 'bob', directConnections: false }, generateIdentity()),
        (e: Error & { code?: string }) => e.code === 'NICK_TAKEN',
      );
      const errors = proxy.seen.filter(([dir, kind]) => dir === 'down' && kind === ERROR);
      assert.ok(errors.length >= 2, `the corrupted refusal was dropped and another came: ${errors.length}`);
      assert.ok(errors.every(([, , flags]) => (flags & 1) !== 0), 'every refusal checked');
      assert.equal(corrupted, 1);
    } finally {
      await bob.leave();
      await proxy.close();
      await relay.close();
    }
  });
});
