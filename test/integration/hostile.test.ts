import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAGIC, PROTOCOL_VERSION } from '../../src/protocol/limits';
import { RelayServer } from '../../src/relay/relayServer';
import { createRng } from '../support/rng';
import { TestClient } from '../support/testClient';

/**
 * Garbage thrown at a live relay and at live clients: random bytes, valid headers with random
 * bodies, every kind, wrong versions, truncations and bit flips of real datagrams. Nothing may
 * crash, and afterwards chat and a file transfer must still work.
 */
describe('hostile datagrams', function () {
  this.timeout(60_000);

  function garbage(seed: number, n: number, samples: Buffer[]): Buffer[] {
    const rng = createRng(seed);
    const out: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const mode = rng.int(5);
      if (mode === 0) {
        out.push(randomBytes(rng.int(1400)));
      } else if (mode === 1 || mode === 2) {
        const b = randomBytes(12 + rng.int(300));
        b[0] = MAGIC;
        b[1] = mode === 1 ? PROTOCOL_VERSION : rng.int(256);
        b[2] = rng.int(0x80);
        out.push(b);
      } else if (samples.length > 0) {
        const s = Buffer.from(samples[rng.int(samples.length)]);
        if (mode === 3) out.push(s.subarray(0, rng.int(s.length)));
        else {
          for (let k = 0; k < 1 + rng.int(4); k++) s[rng.int(s.length)] ^= 1 << rng.int(8);
          out.push(s);
        }
      } else out.push(randomBytes(20));
    }
    return out;
  }

  it('keeps the relay and the clients up, then chat and transfers still work', async () => {
    const relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    const alice = await TestClient.join({ relay: relay.address(), nick: 'alice' });
    const bob = await TestClient.join({ relay: relay.address(), nick: 'bob', acceptFiles: 'always' });
    try {
      await alice.waitForPeers(['bob']);
      alice.client.broadcast('warm-up');
      alice.client.sendPrivate('bob', 'warm-up private');
      await bob.waitFor('message', (m) => m.text === 'warm-up private');

      // Capture real datagrams to mutate: sniff what reaches a spare socket registered as a client.
      const attacker = dgram.createSocket('udp4');
      await new Promise<void>((r) => attacker.bind(0, '127.0.0.1', () => r()));
      const samples: Buffer[] = [];
      attacker.on('message', (m) => samples.length < 50 && samples.push(m));
      const targets = [relay.address(), alice.client.localAddress()!, bob.client.localAddress()!];
      const hello = Buffer.alloc(40);
      hello[0] = MAGIC;
      hello[1] = PROTOCOL_VERSION;
      hello[2] = 0x01;
      attacker.send(hello, relay.address().port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 100));
      const junk = garbage(42, 6000, samples);
      for (let i = 0; i < junk.length; i++) {
        const t = targets[i % targets.length];
        attacker.send(junk[i], t.port, t.host);
        if (i % 200 === 0) await new Promise((r) => setImmediate(r));
      }
      await new Promise((r) => setTimeout(r, 300));
      attacker.close();

      const st = relay.stats();
      assert.equal(st.clients, 2, 'garbage created no sessions: per-client state only after address validation');
      assert.equal(st.internalErrors, 0, 'no datagram threw inside the relay');
      assert.ok(st.dropped.malformed + st.dropped.unknownKind + st.dropped.wrongVersion > 0, `relay counted drops: ${JSON.stringify(st.dropped)}`);

      alice.client.broadcast('still here');
      alice.client.sendPrivate('bob', 'still private');
      await bob.waitFor('message', (m) => m.text === 'still private');
      await bob.waitFor('message', (m) => m.text === 'still here');
      await new Promise((r) => setTimeout(r, 200));
      // Exactly once, in the order alice sent them (a private waits for earlier broadcasts).
      assert.deepEqual(bob.all('message').map((m) => m.text), ['warm-up', 'warm-up private', 'still here', 'still private']);

      const src = path.join(mkdtempSync(path.join(os.tmpdir(), 'peerchat-h-')), 'after.bin');
      const data = randomBytes(512 * 1024);
      writeFileSync(src, data);
      await alice.client.sendFile('bob', src);
      const got = await bob.waitFor('file-received', () => true, 30_000);
      assert.equal(createHash('sha256').update(readFileSync(got.path)).digest('hex'), createHash('sha256').update(data).digest('hex'));
    } finally {
      await alice.leave();
      await bob.leave();
      await relay.close();
    }
  });
});
