import assert from 'node:assert/strict';
import { Pacer } from '../../src/transport/pacer';
import { SendScheduler } from '../../src/transport/sendScheduler';
import { TransferSender } from '../../src/transport/transferSender';
import { LinkOptions, Sim, TwoClients, TransferUnderTest } from './transportSim';

/** 10 MB/s bottleneck, 20 ms RTT, a 150 KB queue (15 ms at line rate). */
const PATH: LinkOptions = { delayMs: 10, bytesPerMs: 10_000, queueBytes: 150_000 };

function withScheduler(sim: Sim, net: TwoClients, maxBulkBytesPerSec?: number): SendScheduler {
  const scheduler = new SendScheduler({
    now: sim.clock,
    transmit: (d, l) => net.forward.send(d, l),
    maxBulkBytesPerSec,
  });
  net.scheduler = scheduler;
  sim.addTimers(scheduler);
  return scheduler;
}

function bytesBetween(t: TransferUnderTest, from: number, to: number): number {
  let n = 0;
  for (const [at, bytes] of t.arrivals) if (at >= from && at < to) n += bytes;
  return n;
}

describe('transport SendScheduler', () => {
  it('two concurrent transfers over one bottleneck both progress; neither starves', async () => {
    const sim = new Sim(31);
    const net = new TwoClients(sim, PATH, { delayMs: 10 });
    const scheduler = withScheduler(sim, net);
    const a = net.addTransfer({ transferId: 1, totalBytes: 6 << 20 });
    const b = net.addTransfer({ transferId: 2, totalBytes: 6 << 20 });
    scheduler.add(a.sender);
    scheduler.add(b.sender);
    a.sender.start();
    b.sender.start();
    // Queue drops over time, sampled every 10 ms of virtual time.
    const drops: Array<[number, number]> = [];
    const sample = () => {
      drops.push([sim.now, net.forward.stats.droppedByQueue]);
      if (!(a.done && b.done)) sim.schedule(sim.now + 10, sample);
    };
    sample();
    await sim.run(() => (a.done && a.complete) || (b.done && b.complete), 120_000);
    const end = sim.now;
    const [from, to] = [end / 4, (3 * end) / 4];
    const x = bytesBetween(a, from, to);
    const y = bytesBetween(b, from, to);
    assert.ok(x / (x + y) >= 0.3 && y / (x + y) >= 0.3, `shares ${x} / ${y}`);
    // Backing off on real congestion: past Startup, the shared queue rarely overflows.
    const dropsAt = (t: number) => drops.filter(([at]) => at <= t).pop()![1];
    const middleDrops = dropsAt(to) - dropsAt(from);
    const middlePackets = (x + y) / 1147;
    assert.ok(middleDrops <= 0.05 * middlePackets, `${middleDrops} drops for ${middlePackets.toFixed(0)} datagrams`);
    // Together they use the bottleneck well (BBR keeps it busy without a standing overflow).
    assert.ok((x + y) / (to - from) > 0.8 * PATH.bytesPerMs!, `${((x + y) / (to - from)).toFixed(0)} bytes/ms`);
    await sim.run(() => a.done && a.complete && b.done && b.complete, 120_000);
    assert.ok(a.dest!.equals(a.src!) && b.dest!.equals(b.src!));
    assert.equal(scheduler.size, 0, 'finished senders leave the scheduler');
  });

  it('chat sent during a transfer arrives with bounded extra delay', async () => {
    const sim = new Sim(32);
    const net = new TwoClients(sim, PATH, { delayMs: 10 });
    const scheduler = withScheduler(sim, net);
    const latencies: number[] = [];
    const sentAt = new Map<string, number>();
    net.addChat((d) => latencies.push(sim.now - sentAt.get(d.toString())!));
    const t = net.addTransfer({ transferId: 1, totalBytes: 8 << 20 });
    scheduler.add(t.sender);
    t.sender.start();
    const count = 200;
    for (let i = 0; i < count; i++) {
      sim.schedule(1 + i * 4, () => {
        const text = `message ${i}`;
        sentAt.set(text, sim.now);
        net.chatA!.send(Buffer.from(text));
      });
    }
    await sim.run(() => t.done && t.complete && latencies.length === count, 120_000);
    latencies.sort((p, q) => p - q);
    const oneWay = PATH.delayMs;
    const queueDrain = PATH.queueBytes! / PATH.bytesPerMs!;
    // Typical: close to the idle one-way delay (BBR keeps the queue short).
    assert.ok(latencies[count / 2] <= oneWay + 5, `median ${latencies[count / 2]} ms`);
    // Worst: never more than a full bottleneck queue, plus one retransmission timeout.
    assert.ok(latencies[count - 1] <= oneWay + queueDrain + 100, `max ${latencies[count - 1]} ms`);
  });

  it('transmitNow goes out at once while bulk senders wait for their window', async () => {
    const clock = 0;
    const sent: string[] = [];
    const scheduler = new SendScheduler({ now: () => clock, transmit: (d, l) => sent.push(d.subarray(0, l).toString()) });
    const sender = new TransferSender({
      transferId: 1,
      totalBytes: 1 << 20,
      chunkSize: 1000,
      initialMaxChunk: 1 << 20,
      now: () => clock,
      readChunk: async () => {},
      transmit: () => sent.push('bulk'),
    });
    scheduler.add(sender);
    sender.start();
    for (let i = 0; i < 5; i++) await null; // reads complete; the initial window goes out
    const bulk = sent.length;
    assert.ok(bulk > 0 && sent.every((s) => s === 'bulk'));
    assert.ok(sender.readyAt(clock) === Infinity, 'the bulk sender is blocked (cwnd full, no acks)');
    scheduler.transmitNow(Buffer.from('chat'));
    assert.deepEqual(sent.slice(bulk), ['chat']);
    sender.cancel();
  });

  it('round-robins transmit opportunities and keeps the shared budget', async () => {
    let clock = 0;
    const perSender = new Map<number, number>();
    let total = 0;
    const scheduler = new SendScheduler({
      now: () => clock,
      transmit: () => {},
      maxBulkBytesPerSec: 10_000_000, // 10 MB/s shared by everyone
    });
    const senders: TransferSender[] = [];
    for (let id = 1; id <= 3; id++) {
      const s = new TransferSender({
        transferId: id,
        totalBytes: 64 << 20,
        chunkSize: 1147,
        initialMaxChunk: 1 << 30,
        congestionControl: {
          name: 'unlimited',
          cwnd: Infinity,
          pacingRate: Infinity,
          onPacketSent() {},
          onAck() {},
          onLoss() {},
          onPersistentCongestion() {},
        },
        now: () => clock,
        readChunk: () => Promise.resolve(),
        transmit: (_d, length) => {
          perSender.set(id, (perSender.get(id) ?? 0) + 1);
          total += length + 40;
        },
      });
      senders.push(s);
      scheduler.add(s);
      s.start();
    }
    // The first sender started alone and took the initial burst: count from here on.
    for (let i = 0; i < 5; i++) await null;
    perSender.clear();
    total = 0;
    // Drive virtual time for 200 ms in 1 ms steps, letting reads complete in between.
    for (clock = 1; clock <= 200; clock += 1) {
      for (let i = 0; i < 5; i++) await null;
      scheduler.onTimer();
    }
    const counts = [...perSender.values()];
    assert.equal(counts.length, 3);
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 2, `per-sender datagrams ${counts}`);
    // 10 MB/s for 200 ms = 2 MB, plus one burst allowance.
    assert.ok(total <= 2_000_000 + 20_000, `${total} bytes in 200 ms`);
    assert.ok(total >= 1_800_000, `${total} bytes in 200 ms`);
    for (const s of senders) s.cancel();
  });

  it('Pacer: tokens accrue at the rate, bursts stay bounded, debt is repaid', () => {
    const p = new Pacer(0, 100, 1000); // 100 bytes/ms, bursts of max(4 datagrams, 2 ms)
    assert.equal(p.nextSendTime(0, 1000), 0);
    for (let i = 0; i < 4; i++) p.consume(0, 1000);
    assert.equal(p.nextSendTime(0, 1000), 10); // empty: 1000 bytes take 10 ms
    p.consume(0, 1000); // debt (chat that could not wait)
    assert.equal(p.nextSendTime(0, 1000), 20);
    assert.equal(p.nextSendTime(1000, 1000), 1000); // refilled, capped at the burst size
    for (let i = 0; i < 4; i++) p.consume(1000, 1000);
    assert.ok(p.nextSendTime(1000, 1000) > 1000);
  });
});
