import assert from 'node:assert/strict';
import { DatagramSizeProbe, DatagramSizeProber, datagramSizeCeiling } from '../../src/transport/datagramSizeProbe';
import { chunkSizeForDatagram, decodeFrames, encodeFrames, XFER_DATA_HEADER_BYTES } from '../../src/transport/frames';
import {
  DATAGRAM_SIZE_CANDIDATES,
  DEFAULT_DATAGRAM_BYTES,
  ETHERNET_DATAGRAM_BYTES,
  ETHERNET_IPV6_DATAGRAM_BYTES,
  MAX_DATAGRAM_BYTES,
  MAX_PROBES,
  PACKET_OVERHEAD,
  PROBE_TIMEOUT_MS,
} from '../../src/transport/limits';
import { probeAckFor } from '../../src/transport/transferReceiver';
import { Sim } from './transportSim';

describe('transport DatagramSizeProbe (RFC 8899 style)', () => {
  it('climbs the ladder while probes are acknowledged', () => {
    const p = new DatagramSizeProbe();
    assert.equal(p.size, DEFAULT_DATAGRAM_BYTES);
    const probed: number[] = [];
    for (let req = p.next(); req; req = p.next()) {
      assert.equal(p.next(), null, 'one probe outstanding at a time');
      probed.push(req.size);
      p.onAck(req.probeId);
    }
    assert.deepEqual(probed, DATAGRAM_SIZE_CANDIDATES.slice(1));
    assert.ok(p.done);
    assert.equal(p.size, MAX_DATAGRAM_BYTES);
  });

  it('stops at the first size that fails MAX_PROBES times and keeps the largest acknowledged', () => {
    const p = new DatagramSizeProbe();
    const first = p.next()!; // 1472
    p.onAck(first.probeId);
    let attempts = 0;
    for (let req = p.next(); req; req = p.next()) {
      assert.equal(req.size, 8192);
      attempts++;
      p.onTimeout(req.probeId);
    }
    assert.equal(attempts, MAX_PROBES);
    assert.ok(p.done);
    assert.equal(p.size, 1472);
  });

  it('a late ack still confirms its size; black-hole detection falls back to the base', () => {
    const p = new DatagramSizeProbe({ candidates: [1200, 1472, 8192] });
    const a = p.next()!;
    p.onTimeout(a.probeId);
    const b = p.next()!;
    p.onAck(a.probeId); // the first attempt's ack arrives late
    assert.equal(p.size, 1472);
    p.onAck(b.probeId); // duplicate confirmation: harmless
    const c = p.next()!;
    assert.equal(c.size, 8192);
    p.onBlackHole();
    assert.equal(p.size, 1200);
    assert.ok(p.done);
  });

  it('respects a local maximum', () => {
    const p = new DatagramSizeProbe({ maxSize: 9000 });
    const sizes: number[] = [];
    for (let req = p.next(); req; req = p.next()) {
      sizes.push(req.size);
      p.onAck(req.probeId);
    }
    assert.deepEqual(sizes, [1472, 8192]);
  });

  it('chunk size follows from the datagram size', () => {
    assert.equal(chunkSizeForDatagram(1200), 1200 - PACKET_OVERHEAD - XFER_DATA_HEADER_BYTES);
    assert.equal(chunkSizeForDatagram(1200), 1147);
  });

  it('the prober finds the largest size a path carries, over a lossy simulated path', async () => {
    const sim = new Sim(41);
    // The path drops everything above 16384 bytes, and 10 % of everything else.
    let result = 0;
    const prober: DatagramSizeProber = new DatagramSizeProber({
      transferId: 77,
      now: sim.clock,
      transmit: (frames) => {
        const payload = encodeFrames(frames);
        const wire = payload.length + PACKET_OVERHEAD;
        if (wire > 16384 || sim.rng.next() < 0.1) return;
        sim.schedule(sim.now + 5, () => {
          // The far side answers each probe, over a return path that also loses 10 %.
          const [probe] = decodeFrames(payload)!;
          assert.equal(probe.type, 'xferProbe');
          if (probe.type !== 'xferProbe') return;
          const ack = probeAckFor(probe);
          assert.equal(ack.size, wire);
          if (sim.rng.next() < 0.1) return;
          sim.schedule(sim.now + 5, () => prober.onProbeAck(ack));
        });
      },
      onDone: (size) => (result = size),
    });
    sim.addTimers(prober);
    prober.start();
    await sim.run(() => result !== 0, 60_000);
    assert.equal(result, 16384);
    // Worst case: each size is tried at most MAX_PROBES times.
    assert.ok(sim.now <= DATAGRAM_SIZE_CANDIDATES.length * MAX_PROBES * PROBE_TIMEOUT_MS);
  });
});

describe('transport datagramSizeCeiling (IP fragmentation only where it cannot lose a fragment)', () => {
  it('allows the largest datagrams with the relay on loopback: both hops on this machine', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
      assert.equal(datagramSizeCeiling(host), MAX_DATAGRAM_BYTES, host);
    }
  });

  it('stops at one Ethernet packet anywhere else (IPv4 1472, IPv6 1452 bytes)', () => {
    for (const host of ['203.0.113.10', '10.0.0.1', '0.0.0.0', 'relay.example.com', '128.0.0.1', '127.example.com']) {
      assert.equal(datagramSizeCeiling(host), ETHERNET_DATAGRAM_BYTES, host);
    }
    for (const host of ['2001:db8::1', 'fe80::1%eth0', '[2001:db8::1]', '::ffff:203.0.113.10']) {
      assert.equal(datagramSizeCeiling(host), ETHERNET_IPV6_DATAGRAM_BYTES, host);
    }
  });

  it('as the probe\'s maxSize: off loopback the search tries 1472 and stops there', () => {
    const p = new DatagramSizeProbe({ maxSize: datagramSizeCeiling('203.0.113.10') });
    const probed: number[] = [];
    for (let req = p.next(); req; req = p.next()) {
      probed.push(req.size);
      p.onAck(req.probeId);
    }
    assert.deepEqual(probed, [ETHERNET_DATAGRAM_BYTES]);
    assert.equal(p.size, ETHERNET_DATAGRAM_BYTES);
    // On IPv6, 1472 would be fragmented at MTU 1500: nothing above the base is tried.
    const v6 = new DatagramSizeProbe({ maxSize: datagramSizeCeiling('2001:db8::1') });
    assert.ok(v6.done);
    assert.equal(v6.size, DEFAULT_DATAGRAM_BYTES);
  });
});
