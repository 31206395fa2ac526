import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kind } from '../../src/protocol/header';
import { useDatagramBytes } from '../support/datagramSize';
import { MAGIC, PROTOCOL_VERSION } from '../../src/protocol/limits';
import { encodeRelayMessage } from '../../src/protocol/relayMessages';
import { MAX_UNVALIDATED_ENTRIES } from '../../src/relay/relayLimits';
import { RelayServer } from '../../src/relay/relayServer';
import { RelayHost, type RelayProbe } from '../support/relayHost';
import { createRng } from '../support/rng';
import { TestClient } from '../support/testClient';

/**
 * The flood of the memory test comes from more distinct source addresses than the relay may
 * remember (MAX_UNVALIDATED_ENTRIES, its cap on per-address and per-IP state), so a table that
 * kept one entry per source forever would outgrow the cap and fail the test.
 */
const FLOOD_SOURCES = MAX_UNVALIDATED_ENTRIES + 8_192;
/** ...of which at least this many must have reached the relay (it answered their HELLO). */
const FLOOD_SOURCES_ANSWERED = MAX_UNVALIDATED_ENTRIES + 4_096;
/** Sockets open at once in the flood (each: bind, HELLO + junk, wait for the COOKIE, close). */
const FLOOD_IN_FLIGHT = 128;
/** How long one flood source waits for its COOKIE before giving up (ms). */
const FLOOD_ANSWER_WAIT_MS = 1_000;
/** The flood stops here whatever it reached (ms); the test then fails on FLOOD_SOURCES_ANSWERED. */
const FLOOD_DEADLINE_MS = 150_000;
/**
 * Generous bounds on the relay process's RSS growth (after a full GC). Over the second flood:
 * its tables are full already, so new addresses displace old ones (measured: +3 MB). Over both:
 * the capped tables (~2 × 65,536 small entries, ~24 MB live) and V8 growing its heap to hold
 * them (measured: +66 MB). A relay that kept the flood's datagrams grew ~170 MiB over both (tried).
 */
const RELAY_RSS_GROWTH_LIMIT_BYTES = 64 * 1024 * 1024;
const RELAY_RSS_TOTAL_GROWTH_LIMIT_BYTES = 128 * 1024 * 1024;
/** Flood sources live in 127.64.0.0/10 of the loopback /8 (Linux answers on all of 127/8). */
function floodSourceIp(i: number): string {
  return `127.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

/**
 * Sits between one client and the relay like the network would, forwarding both ways, and keeps
 * a sample of what it forwarded so the test can replay it: to the relay from the client's own
 * registered address, and to the client from its relay's address.
 */
class Recorder {
  readonly toRelay: Buffer[] = [];
  readonly toClient: Buffer[] = [];
  private readonly front = dgram.createSocket('udp4');
  private readonly back = dgram.createSocket('udp4');
  private client: dgram.RemoteInfo | null = null;
  private readonly rng = createRng(7);
  private seen = 0;

  private constructor(private readonly relay: { host: string; port: number }) {}

  static async start(relay: { host: string; port: number }): Promise<Recorder> {
    const t = new Recorder(relay);
    await new Promise<void>((r) => t.front.bind(0, '127.0.0.1', () => r()));
    await new Promise<void>((r) => t.back.bind(0, '127.0.0.1', () => r()));
    t.front.on('message', (m, rinfo) => {
      t.client = rinfo;
      t.keep(t.toRelay, m);
      t.back.send(m, relay.port, relay.host);
    });
    t.back.on('message', (m) => {
      t.keep(t.toClient, m);
      if (t.client) t.front.send(m, t.client.port, t.client.address);
    });
    return t;
  }

  /** Reservoir sample of at most 500 datagrams per direction. */
  private keep(into: Buffer[], m: Buffer): void {
    this.seen++;
    if (into.length < 500) into.push(Buffer.from(m));
    else if (this.rng.int(this.seen) < 500) into[this.rng.int(500)] = Buffer.from(m);
  }

  address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.front.address().port };
  }

  /** Sends every kept datagram again, each from where it came: true replays. */
  replay(): number {
    for (const m of this.toRelay) this.back.send(m, this.relay.port, this.relay.host);
    if (this.client) for (const m of this.toClient) this.front.send(m, this.client.port, this.client.address);
    return this.toRelay.length + this.toClient.length;
  }

  close(): void {
    this.front.close();
    this.back.close();
  }
}

/**
 * Floods `relay` from FLOOD_SOURCES distinct addresses (numbers `first`, first + 1, ...; see
 * floodSourceIp): from each, a HELLO (what makes the relay
 * remember an unvalidated address and its IP) and one junk datagram, then it waits for the
 * COOKIE and closes. Resolves how many sources were answered, i.e. reached the relay.
 */
async function floodFromManySources(
  relay: { host: string; port: number },
  first: number,
  junk: (i: number) => Buffer,
  deadline: number,
): Promise<number> {
  let next = first;
  let answered = 0;
  const one = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const s = dgram.createSocket('udp4');
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        s.close();
        resolve();
      };
      const timer = setTimeout(finish, FLOOD_ANSWER_WAIT_MS);
      s.on('error', finish);
      s.on('message', (m) => {
        if (m.length > 2 && m[2] === Kind.COOKIE) {
          answered++;
          finish();
        }
      });
      s.bind(0, floodSourceIp(i), () => {
        s.send(encodeRelayMessage({ kind: Kind.HELLO, token: randomBytes(8) }), relay.port, relay.host);
        s.send(junk(i), relay.port, relay.host);
      });
    });
  const worker = async (): Promise<void> => {
    while (next < first + FLOOD_SOURCES && Date.now() < deadline) await one(next++);
  };
  await Promise.all(Array.from({ length: FLOOD_IN_FLIGHT }, worker));
  return answered;
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * Garbage thrown at a live relay and at live clients: random bytes, valid headers with random
 * bodies, every kind, wrong versions, truncations and bit flips of real datagrams. Nothing may
 * crash, and afterwards chat and a file transfer must still work.
 */
describe('hostile datagrams', function () {
  this.timeout(60_000);
  // Files go in 1200-byte datagrams here, so file data travels in records (PEER_RECORD, chunks
  // sealed several at a time, transfer header in clear): the floods and replays below hit the
  // format whose clear fields an attacker can see.
  useDatagramBytes(1200);

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

  it("keeps the relay's state and memory bounded under floods from more addresses than it may remember, while users chat and transfer", async function () {
    this.timeout(2 * FLOOD_DEADLINE_MS + 90_000);
    // The relay in a process of its own, so that its RSS is its own (test/support/relayHost.ts).
    const host = await RelayHost.start();
    const recorder = await Recorder.start(host.address());
    const alice = await TestClient.join({ relay: host.address(), nick: 'alice' });
    const bob = await TestClient.join({ relay: recorder.address(), nick: 'bob', acceptFiles: 'always' });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'peerchat-flood-'));
    const files = [0, 1].map((i) => {
      const data = randomBytes(2 * 1024 * 1024);
      const file = path.join(dir, `during-${i}.bin`);
      writeFileSync(file, data);
      return { file, sha: createHash('sha256').update(data).digest('hex') };
    });
    let flooding = true;
    let chat: Promise<void> = Promise.resolve();
    try {
      await alice.waitForPeers(['bob']);
      await bob.waitForPeers(['alice']);
      alice.client.broadcast('warm-up');
      alice.client.sendPrivate('bob', 'warm-up private');
      bob.client.sendPrivate('alice', 'warm-up reply');
      await bob.waitFor('message', (m) => m.text === 'warm-up private');
      await alice.waitFor('message', (m) => m.text === 'warm-up reply');
      const before: RelayProbe = await host.probe();

      // Legitimate traffic all along: chat both ways every 50 ms, and a file during each flood.
      const sent = { broadcasts: ['warm-up'], toBob: ['warm-up private'], toAlice: ['warm-up reply'] };
      chat = (async () => {
        for (let i = 0; flooding; i++) {
          alice.client.broadcast(`b${i}`);
          alice.client.sendPrivate('bob', `p${i}`);
          bob.client.sendPrivate('alice', `r${i}`);
          sent.broadcasts.push(`b${i}`);
          sent.toBob.push(`p${i}`);
          sent.toAlice.push(`r${i}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      // Junk of every sort from the flood's sources: random bytes, valid headers with random
      // bodies, truncated and bit-flipped real datagrams, and real datagrams replayed unchanged
      // (from the wrong address: the relay must drop them). Every 4,096 sources, true replays of
      // everything recorded, from the addresses they first came from.
      const rng = createRng(43);
      const junk = (i: number): Buffer => {
        if (i % 4096 === 0) recorder.replay();
        const samples = rng.int(2) === 0 ? recorder.toRelay : recorder.toClient;
        if (i % 5 === 0 && samples.length > 0) return samples[rng.int(samples.length)];
        return garbage(i, 1, samples)[0];
      };
      // Two floods from fresh addresses each: the first fills the relay's capped tables, the
      // second shows the steady state, where new addresses must displace old ones, not add.
      const probes: RelayProbe[] = [];
      const answered: number[] = [];
      for (const phase of [0, 1]) {
        const transfer = alice.client.sendFile('bob', files[phase].file);
        answered.push(await floodFromManySources(host.address(), phase * FLOOD_SOURCES, junk, Date.now() + FLOOD_DEADLINE_MS));
        await transfer;
        await bob.waitFor('file-received', (f) => f.sha256 === files[phase].sha, 60_000);
        probes.push(await host.probe());
      }
      flooding = false;
      await chat;
      assert.ok(recorder.toClient.some((m) => m[2] === Kind.PEER_RECORD), 'file data went in records, and the replays carry some');
      recorder.replay();
      await bob.waitFor('message', (m) => m.text === sent.toBob[sent.toBob.length - 1], 30_000);
      await bob.waitFor('message', (m) => m.text === sent.broadcasts[sent.broadcasts.length - 1], 30_000);
      await alice.waitFor('message', (m) => m.text === sent.toAlice[sent.toAlice.length - 1], 30_000);
      await new Promise((r) => setTimeout(r, 500));
      const [filled, after] = probes;

      assert.ok(host.alive, 'the relay process is still running');
      for (const a of answered) {
        assert.ok(a >= FLOOD_SOURCES_ANSWERED, `a flood reached the relay from only ${a} addresses (need ${FLOOD_SOURCES_ANSWERED}, more than the relay may remember)`);
      }
      // Nothing delivered twice, nothing lost, in order (a private waits for earlier broadcasts).
      const bobGot = bob.all('message').map((m) => m.text);
      const isPrivate = (t: string): boolean => t.startsWith('p') || t === 'warm-up private';
      assert.deepEqual(bobGot.filter((t) => !isPrivate(t)), sent.broadcasts, 'bob: every broadcast once, in order');
      assert.deepEqual(bobGot.filter(isPrivate), sent.toBob, 'bob: every private message once, in order');
      assert.deepEqual(alice.all('message').map((m) => m.text), sent.toAlice, 'alice: every private message once, in order');
      const received = bob.all('file-received');
      assert.deepEqual(received.map((f) => f.sha256), files.map((f) => f.sha), 'each file arrived once');
      for (const [i, f] of received.entries()) {
        assert.equal(createHash('sha256').update(readFileSync(f.path)).digest('hex'), files[i].sha, 'the bytes on disk are the bytes sent');
      }

      // State: garbage made no sessions or reservations, threw nothing, and every table the relay
      // holds (found by walking its fields) stays within the cap on remembered addresses.
      assert.equal(after.stats.clients, 2, 'garbage created no sessions');
      assert.equal(after.stats.nickReservations, 0, 'garbage reserved no nicknames');
      assert.equal(after.stats.internalErrors, 0, 'no datagram threw inside the relay');
      assert.ok(after.stats.dropped.spoofedSrc > 0, `replays from other addresses were dropped as spoofed: ${JSON.stringify(after.stats.dropped)}`);
      for (const p of [filled, after]) {
        const tables = p.tables.slice().sort((x, y) => y.size - x.size);
        assert.ok(tables.length > 0 && tables[0].size > 0, `the probe found the relay's tables: ${JSON.stringify(tables)}`);
        for (const t of tables) {
          assert.ok(t.size <= MAX_UNVALIDATED_ENTRIES, `relay table ${t.path} holds ${t.size} entries after ${answered.join(' + ')} flood addresses (cap ${MAX_UNVALIDATED_ENTRIES})`);
        }
      }
      // Memory: RSS after a full GC in the relay process. The second flood, as large as the
      // first, must not add what the first did (its tables are already full).
      const detail = (label: string, a: RelayProbe, b: RelayProbe): string =>
        `${label}: RSS ${mb(a.rssBytes)} → ${mb(b.rssBytes)}, heap used ${mb(a.memory.heapUsed)} → ${mb(b.memory.heapUsed)}, ` +
        `heap total ${mb(a.memory.heapTotal)} → ${mb(b.memory.heapTotal)}, external ${mb(a.memory.external)} → ${mb(b.memory.external)}, ` +
        `${b.stats.datagramsIn - a.stats.datagramsIn} datagrams`;
      const growth = after.rssBytes - filled.rssBytes;
      const report = `${detail('first flood', before, filled)}; ${detail('second flood', filled, after)}`;
      assert.ok(growth < RELAY_RSS_GROWTH_LIMIT_BYTES, `relay RSS grew by ${mb(growth)} over the second flood (limit ${mb(RELAY_RSS_GROWTH_LIMIT_BYTES)}); ${report}`);
      assert.ok(after.rssBytes - before.rssBytes < RELAY_RSS_TOTAL_GROWTH_LIMIT_BYTES, `relay RSS grew by ${mb(after.rssBytes - before.rssBytes)} over both floods (limit ${mb(RELAY_RSS_TOTAL_GROWTH_LIMIT_BYTES)}); ${report}`);
    } finally {
      flooding = false;
      await chat.catch(() => undefined);
      await alice.leave().catch(() => undefined);
      await bob.leave().catch(() => undefined);
      recorder.close();
      await host.close();
    }
  });
});
