/**
 * LaneSender (src/client/laneTransfers.ts): one file over several stream lanes drawing from one
 * queue of reads, on real TCP connections on loopback. The lead lane carries the file while it
 * moves; the others take reads once it was stuck; what a stuck or closed lane held comes again
 * when the receiver names what it lacks (`resend`). The receiving end here is InLane with a sink
 * that writes each record into a buffer, as fileTransfers.ts does into the file.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { laneKeyFrom } from '../../src/crypto/laneAuth';
import { InLane, OutLane } from '../../src/client/streamLane';
import { LaneSender, type LaneSend } from '../../src/client/laneTransfers';
import type { NumberRange } from '../../src/transport/frames';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const CHUNK = 1000;
const key = laneKeyFrom(randomBytes(32));
const device = 'a1b2c3d4e5f60718';

/** A lane over a fresh loopback TCP connection. */
async function lanePair(laneId: number): Promise<{ out: OutLane; inn: InLane; stop: () => void }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((r) => client.once('connect', () => r()));
  const [out, inn] = await Promise.all([
    OutLane.open(client, { myDevice: device, laneId, laneKey: key, kind: 'direct', timeoutMs: 2_000 }),
    InLane.accept(await accepted, { keysFor: () => [key], timeoutMs: 2_000 }),
  ]);
  return {
    out,
    inn,
    stop: () => {
      out.close('done');
      inn.close('done');
      server.close();
    },
  };
}

/** The receiving file: which chunks came (and how often), and their bytes. */
class Receiver {
  readonly bytes: Buffer;
  readonly have: Uint8Array;
  readonly perLane = new Map<InLane, number>();
  duplicates = 0;
  constructor(
    readonly size: number,
    readonly chunks = Math.ceil(size / CHUNK),
  ) {
    this.bytes = Buffer.alloc(size);
    this.have = new Uint8Array(chunks);
  }
  attach(inn: InLane): void {
    inn.sink = (_transferId, first, data) => {
      data.copy(this.bytes, first * CHUNK);
      for (let c = first; c * CHUNK < first * CHUNK + data.length; c++) {
        if (this.have[c]) this.duplicates++;
        this.have[c] = 1;
      }
      this.perLane.set(inn, (this.perLane.get(inn) ?? 0) + data.length);
      return Promise.resolve();
    };
  }
  get complete(): boolean {
    return this.have.every((x) => x === 1);
  }
  /** What it lacks, as inclusive ranges (what FILE_ACCEPT's have leaves out). */
  missing(): NumberRange[] {
    const out: NumberRange[] = [];
    for (let c = 0; c < this.chunks; c++) {
      if (this.have[c]) continue;
      let e = c;
      while (e + 1 < this.chunks && !this.have[e + 1]) e++;
      out.push([c, e]);
      c = e;
    }
    return out;
  }
  doneBytes(): number {
    let n = 0;
    for (let c = 0; c < this.chunks; c++) if (this.have[c]) n += Math.min(CHUNK, this.size - c * CHUNK);
    return n;
  }
}

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('LaneSender: one file over several lanes, one queue of reads', function () {
  this.timeout(60_000);
  let dir = '';
  let handle: fs.FileHandle;
  let data: Buffer;
  const stops: Array<() => void> = [];

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'peerchat-lanesender-'));
    // Not a multiple of the chunk size: the last chunk is short.
    data = randomBytes(24 * 1024 * 1024 + 777);
    writeFileSync(path.join(dir, 'f.bin'), data);
    handle = await fs.open(path.join(dir, 'f.bin'), 'r');
  });
  after(async () => {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    for (const s of stops.splice(0)) s();
  });

  function job(o: Partial<LaneSend> & { ended?: () => boolean } = {}): { send: LaneSend; queued: () => number; failures: Error[]; progress: number[] } {
    let queued = 0;
    const failures: Error[] = [];
    const progress: number[] = [];
    const send: LaneSend = {
      transferId: 7,
      bytes: data.length,
      chunkSize: CHUNK,
      handle,
      stillSending: () => !(o.ended?.() ?? false),
      progress: (b) => progress.push(b),
      allQueued: () => queued++,
      readFailed: (err) => failures.push(err),
      ...o,
    };
    return { send, queued: () => queued, failures, progress };
  }

  async function lanes(n: number, rx: Receiver): Promise<Array<{ out: OutLane; inn: InLane }>> {
    const out = [];
    for (let i = 0; i < n; i++) {
      const p = await lanePair(i + 1);
      stops.push(p.stop);
      rx.attach(p.inn);
      out.push(p);
    }
    return out;
  }

  const all = (chunks: number): NumberRange[] => [[0, chunks - 1]];

  /** A file of `size` bytes on `n` lanes from one LaneSender whose lead is stuck after `standbyMs`. */
  async function start(n: number, standbyMs: number, size = data.length, o: Parameters<typeof job>[0] = {}) {
    const rx = new Receiver(size);
    const ls = await lanes(n, rx);
    const j = job({ bytes: size, ...o });
    const sender = new LaneSender(j.send, all(rx.chunks), 0, () => standbyMs);
    for (const l of ls) sender.add(l.out);
    return { rx, ls, j, sender };
  }

  it('one lane: every chunk once, the bytes intact, progress forward and within the file', async () => {
    const rx = new Receiver(data.length);
    const [a] = await lanes(1, rx);
    const j = job();
    const sender = new LaneSender(j.send, all(rx.chunks));
    sender.add(a.out);
    await until('the whole file', () => rx.complete);
    assert.equal(sha256(rx.bytes), sha256(data));
    assert.equal(rx.duplicates, 0);
    await until('allQueued', () => j.queued() === 1);
    // What the kernel took: never beyond the file, never backwards (the rest waits in the socket).
    assert.ok(j.progress.length > 10);
    assert.ok(j.progress.every((b, i) => b <= data.length && (i === 0 || b >= j.progress[i - 1])), 'progress moves forward within the file');
    assert.ok(j.progress.at(-1)! > data.length / 2);
    assert.deepEqual(j.failures, []);
  });

  it('two lanes on a path that moves: the lead carries it all, the other stands by', async () => {
    const rx = new Receiver(data.length);
    const [a, b] = await lanes(2, rx);
    const j = job();
    // Stuck only after 10 s: a loaded machine must not make the standby help here.
    const sender = new LaneSender(j.send, all(rx.chunks), 0, () => 10_000);
    sender.add(a.out);
    sender.add(b.out);
    await until('the whole file', () => rx.complete);
    await until('allQueued', () => j.queued() === 1);
    assert.equal(sha256(rx.bytes), sha256(data));
    assert.equal(rx.perLane.get(b.inn) ?? 0, 0, 'nothing on the standby');
    assert.equal(sender.standbyReads, 0);
    assert.equal(sender.stalls, 0);
  });

  it('lanes outlive the files they carry: a sender that is done leaves no listener and no hold on them', async () => {
    const rx = new Receiver(data.length);
    const [a, b] = await lanes(2, rx);
    const before = [a.out.listenerCount('closed'), b.out.listenerCount('closed')];
    for (let file = 0; file < 12; file++) {
      rx.have.fill(0);
      const j = job();
      const sender = new LaneSender(j.send, all(rx.chunks), 0, () => 10_000);
      sender.add(a.out);
      sender.add(b.out);
      await until(`file ${file}`, () => rx.complete);
      sender.detach();
    }
    assert.deepEqual([a.out.listenerCount('closed'), b.out.listenerCount('closed')], before);
    assert.deepEqual([a.out.users, b.out.users], [0, 0], 'no transfer holds them (LaneManager may close them when idle)');
    assert.equal(sha256(rx.bytes), sha256(data));
  });

  it('a lead that stops moving: the standby takes the rest; what the lead holds comes again when the receiver names it', async () => {
    const { rx, ls: [a, b], j, sender } = await start(2, 30);
    // The lead's receiving end stops reading after the first 2 MiB: its TCP window fills, its
    // socket stops draining (as while a retransmission timeout runs).
    await until('the lead carried 2 MiB', () => (rx.perLane.get(a.inn) ?? 0) >= 2 * 1024 * 1024);
    a.inn.socket.pause();
    await until('the standby carried the rest of the queue', () => j.queued() === 0 && sender.standbyReads > 0 && !rx.complete && rx.missing().length > 0 && (rx.perLane.get(b.inn) ?? 0) > data.length / 4);
    // Nothing new comes now: the receiver names what it lacks (the lead's socket holds it).
    for (let last = -1; rx.doneBytes() !== last; await sleep(100)) last = rx.doneBytes();
    const lacking = rx.missing();
    assert.ok(lacking.length > 0);
    sender.resend(lacking, rx.doneBytes());
    await until('the whole file, with the lead still stuck', () => rx.complete);
    assert.equal(sha256(rx.bytes), sha256(data));
    assert.ok(sender.stalls >= 1);
    a.inn.socket.resume(); // what the lead held arrives too, as duplicates
    await until('allQueued', () => j.queued() >= 1);
    assert.equal(sha256(rx.bytes), sha256(data));
  });

  it('the lead closes mid-file: the other lane leads; the receiver names what was lost and it comes', async () => {
    const { rx, ls: [a, b], j, sender } = await start(2, 10_000);
    await until('the lead carried 3 MiB', () => (rx.perLane.get(a.inn) ?? 0) >= 3 * 1024 * 1024);
    a.out.close('cut');
    assert.equal(sender.liveLanes, 1);
    await until('the other lane carries on', () => (rx.perLane.get(b.inn) ?? 0) > 0);
    await sleep(50);
    sender.resend(rx.missing(), rx.doneBytes()); // as the receiver's FILE_ACCEPT after the lane closed
    await until('the whole file', () => rx.complete);
    assert.equal(sha256(rx.bytes), sha256(data));
    await until('allQueued', () => j.queued() >= 1);
  });

  it('a transfer that ends stops every lane; a file that cannot be read fails once', async () => {
    let ended = false;
    const { rx, j } = await start(2, 10, data.length, { ended: () => ended });
    await until('a first MiB', () => rx.doneBytes() >= 1024 * 1024);
    ended = true;
    await sleep(100);
    const got = rx.doneBytes();
    await sleep(100);
    assert.equal(rx.doneBytes(), got, 'nothing more once it ended');
    assert.ok(!rx.complete);
    assert.equal(j.queued(), 0);

    // A file shorter than offered (it shrank since): the read fails, the transfer with it, once.
    const { j: j2 } = await start(2, 10, data.length + 5 * 1024 * 1024);
    await until('the read failed', () => j2.failures.length > 0);
    await sleep(100);
    assert.equal(j2.failures.length, 1);
    assert.match(j2.failures[0].message, /shorter than when it was offered/);
  });
});
