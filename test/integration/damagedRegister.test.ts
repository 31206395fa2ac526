/**
 * A REGISTER damaged on the way (a flipped bit that UDP's checksum missed) earns a refusal that
 * looks fatal: BAD_SIGNATURE. The client sends REGISTER again a couple of times before it
 * believes the refusal (docs/protocol.md "Registration"), so one damaged datagram does not end a
 * join; a refusal that comes back every time still ends it, with its code.
 */
import { strict as assert } from 'node:assert';
import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { CHECK_BYTES, FLAG_CHECKED, Kind } from '../../src/protocol/header';
import { crc32c } from '../../src/protocol/crc32c';
import { RelayServer } from '../../src/relay/relayServer';
import { PeerChatError } from '../../src/protocol/errors';
import { TestClient } from '../support/testClient';

/**
 * A forwarder between one client and the relay that flips the last byte of the signature of the
 * first `damage` REGISTER datagrams, and counts the REGISTERs it saw. A checked REGISTER
 * (docs/protocol.md "Checked relay messages") gets its CRC-32C computed again (`recheck`), so
 * that the relay sees a bad signature and refuses it, as it would a damage its check cannot see;
 * without `recheck` the CRC catches the damage and the relay drops the datagram unanswered.
 */
async function damagingForwarder(relay: { host: string; port: number }, damage: number, recheck = true) {
  const front = dgram.createSocket('udp4');
  const back = dgram.createSocket('udp4');
  let client: { address: string; port: number } | null = null;
  let registers = 0;
  front.on('message', (msg, rinfo) => {
    client = { address: rinfo.address, port: rinfo.port };
    if (msg.length > 12 && msg[2] === Kind.REGISTER) {
      registers++;
      const checked = (msg[3] & FLAG_CHECKED) !== 0;
      const end = checked ? msg.length - CHECK_BYTES : msg.length;
      if (registers <= damage) {
        msg[end - 1] ^= 0x01;
        if (checked && recheck) msg.writeUInt32BE(crc32c(msg, 0, end), end);
      }
    }
    back.send(msg, relay.port, relay.host);
  });
  back.on('message', (msg) => {
    if (client) front.send(msg, client.port, client.address);
  });
  await new Promise<void>((r) => front.bind(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => back.bind(0, '127.0.0.1', () => r()));
  return {
    address: { host: '127.0.0.1', port: (front.address() as AddressInfo).port },
    registers: () => registers,
    close: () => {
      front.close();
      back.close();
    },
  };
}

describe('a REGISTER damaged in transit', function () {
  this.timeout(30_000);
  let relay: RelayServer;
  const clients: TestClient[] = [];
  const closers: Array<() => void> = [];

  beforeEach(async () => {
    relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.leave().catch(() => undefined)));
    closers.splice(0).forEach((c) => c());
    await relay.close();
  });

  it('one damaged REGISTER: refused BAD_SIGNATURE, sent again, and the client joins and chats', async () => {
    const fwd = await damagingForwarder(relay.address(), 1);
    closers.push(fwd.close);
    const bob = await TestClient.join({ relay: relay.address(), nick: 'bob' });
    clients.push(bob);
    const alice = await TestClient.join({ relay: fwd.address, nick: 'alice' });
    clients.push(alice);
    assert.equal(fwd.registers(), 2, 'the damaged REGISTER and its resend');
    await alice.waitForPeers(['bob']);
    alice.client.sendPrivate('bob', 'hello after a damaged REGISTER');
    const got = await bob.waitFor('message', (m) => m.text === 'hello after a damaged REGISTER');
    assert.equal(got.from, 'alice');
  });

  it('a damaged REGISTER its CRC-32C catches is dropped unanswered, and the resend joins', async () => {
    const fwd = await damagingForwarder(relay.address(), 1, false);
    closers.push(fwd.close);
    const alice = await TestClient.join({ relay: fwd.address, nick: 'alice' });
    clients.push(alice);
    assert.equal(fwd.registers(), 2, 'the damaged REGISTER and its resend');
    assert.deepEqual(alice.all('error'), [], 'no refusal came back for the damaged one');
  });

  it('a refusal that comes back every time still ends the join with its code, after three REGISTERs', async () => {
    const fwd = await damagingForwarder(relay.address(), Number.MAX_SAFE_INTEGER);
    closers.push(fwd.close);
    const c = new TestClient({ relay: fwd.address, nick: 'alice' });
    await assert.rejects(c.client.start(), (e: unknown) => e instanceof PeerChatError && e.code === 'BAD_SIGNATURE');
    assert.equal(fwd.registers(), 3);
  });
});
