/**
 * Long messages cut into PARTs on the reliable channel and put back together
 * (src/protocol/messageParts.ts, docs/protocol.md "Long messages").
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { ControlType, decodeControl, encodeControl } from '../../src/protocol/controlMessages';
import { MAX_MESSAGE_TEXT_BYTES, NICK_MAX_BYTES } from '../../src/protocol/limits';
import {
  MAX_PARTS,
  MAX_PART_DATA_BYTES,
  MAX_REASSEMBLED_BYTES,
  PART_MORE,
  PartAssembler,
  splitMessage,
} from '../../src/protocol/messageParts';
import { MAX_MESSAGE_BYTES } from '../../src/transport/limits';
import { feedParts as feed } from '../support/parts';

const chat = (text: string): Buffer => encodeControl({ type: ControlType.CHAT, bcastKeyId: 7, bcastNext: 3, text });
const part = (more: boolean, data: Buffer): Buffer => Buffer.concat([Buffer.from([ControlType.PART, more ? PART_MORE : 0]), data]);

describe('protocol/messageParts', () => {
  it('a message that fits one MSG is sent as it is', () => {
    const m = chat('x'.repeat(MAX_MESSAGE_BYTES - 15)); // 1 + 4 + 8 + 2 + text = 1024
    assert.equal(m.length, MAX_MESSAGE_BYTES);
    assert.deepEqual(splitMessage(m), [m]);
  });

  it('one byte more makes two parts, the first full, every part at most one MSG', () => {
    const m = chat('x'.repeat(MAX_MESSAGE_BYTES - 14));
    const parts = splitMessage(m);
    assert.equal(parts.length, 2);
    assert.equal(parts[0].length, MAX_MESSAGE_BYTES);
    assert.deepEqual([...parts[0].subarray(0, 2)], [ControlType.PART, PART_MORE]);
    assert.deepEqual([...parts[1].subarray(0, 2)], [ControlType.PART, 0]);
    assert.equal(parts[1].length, 2 + (m.length - MAX_PART_DATA_BYTES));
  });

  it('round trips at the boundaries: empty, one MSG, one MSG + 1, k full parts, the longest CHAT and CHAT_COPY', () => {
    const sizes = [0, 1, 1009, 1010, 2 * MAX_PART_DATA_BYTES - 15, 2 * MAX_PART_DATA_BYTES - 14, MAX_MESSAGE_TEXT_BYTES - 1, MAX_MESSAGE_TEXT_BYTES];
    const a = new PartAssembler();
    for (const n of sizes) {
      for (const m of [
        chat('y'.repeat(n)),
        encodeControl({ type: ControlType.CHAT_COPY, to: 'b'.repeat(NICK_MAX_BYTES), bcastKeyId: 1, bcastNext: 2, text: 'é'.repeat(Math.floor(n / 2)) }),
        encodeControl({ type: ControlType.BCAST_TEXT, keyId: 1, seq: 9, text: 'z'.repeat(n) }),
      ]) {
        const parts = splitMessage(m);
        assert.ok(parts.every((p) => p.length <= MAX_MESSAGE_BYTES));
        assert.ok(parts.length <= MAX_PARTS);
        const r = feed(a, parts);
        assert.deepEqual(r, { messages: [m], dropped: [] }, `size ${n}`);
        assert.deepEqual(decodeControl(r.messages[0]), decodeControl(m));
        assert.equal(a.pending, false);
      }
    }
  });

  it('round trips any text up to the limit, with short messages around it (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 4096 }), (s) => {
        const long = chat(s);
        const a = new PartAssembler();
        const r = feed(a, [chat('before'), ...splitMessage(long), chat('after')]);
        assert.deepEqual(r.dropped, []);
        assert.deepEqual(r.messages, [chat('before'), long, chat('after')]);
      }),
      { numRuns: 200 },
    );
  });

  it('the sender refuses what it must never send: beyond the bound, or a type that is never split', () => {
    assert.throws(() => splitMessage(Buffer.alloc(MAX_REASSEMBLED_BYTES + 1, ControlType.CHAT)), RangeError);
    assert.throws(() => splitMessage(Buffer.alloc(2000, ControlType.FILE_OFFER)), RangeError);
  });

  describe('hostile input: dropped with a reason, never thrown, the next message unaffected', () => {
    it('an oversized sequence is dropped once, the rest of it skipped', () => {
      const a = new PartAssembler();
      const body = Buffer.alloc(MAX_PART_DATA_BYTES, 0x61);
      body[0] = ControlType.CHAT;
      const seq = Array.from({ length: MAX_PARTS + 5 }, (_, i) => part(i < MAX_PARTS + 4, body));
      const r = feed(a, [...seq, chat('next')]);
      assert.equal(r.dropped.length, 1);
      assert.match(r.dropped[0], /beyond/);
      assert.deepEqual(r.messages, [chat('next')]);
      assert.equal(a.pending, false);
    });

    it('reassembly memory stays bounded by MAX_REASSEMBLED_BYTES, however many parts', () => {
      const a = new PartAssembler();
      const body = Buffer.alloc(MAX_PART_DATA_BYTES, 0x61);
      for (let i = 0; i < 1000; i++) {
        a.push(part(true, body));
        assert.ok((a as unknown as { bytes: number }).bytes <= MAX_REASSEMBLED_BYTES);
      }
    });

    it('a sequence interrupted by another message is dropped; that message is kept', () => {
      const a = new PartAssembler();
      const parts = splitMessage(chat('q'.repeat(3000)));
      const r = feed(a, [parts[0], chat('between'), parts[1], parts[2], parts[3] ?? chat('x')]);
      assert.ok(r.dropped.length >= 1);
      assert.match(r.dropped[0], /interrupted/);
      assert.deepEqual(r.messages.slice(0, 1), [chat('between')]);
    });

    it('malformed parts: no data, unknown flags, a bare type byte', () => {
      for (const bad of [Buffer.from([ControlType.PART]), Buffer.from([ControlType.PART, 0]), Buffer.from([ControlType.PART, 0x02, 0x61]), Buffer.from([ControlType.PART, 0xff, 0x61])]) {
        const a = new PartAssembler();
        const r = feed(a, [bad, chat('ok')]);
        assert.equal(r.dropped.length, 1, bad.toString('hex'));
        assert.deepEqual(r.messages, [chat('ok')]);
      }
    });

    it('a sequence that reassembles to a type never split (or to another PART) is dropped', () => {
      for (const inner of [Buffer.alloc(1500, ControlType.FILE_OFFER), Buffer.alloc(1500, ControlType.PART), Buffer.alloc(1500, ControlType.SENDER_KEY)]) {
        const a = new PartAssembler();
        const r = feed(a, [part(true, inner.subarray(0, 1000)), part(false, inner.subarray(1000)), chat('ok')]);
        assert.equal(r.dropped.length, 1);
        assert.deepEqual(r.messages, [chat('ok')]);
      }
    });

    it('a lone last part is a whole message (its content is then checked by decodeControl)', () => {
      const a = new PartAssembler();
      const r = feed(a, [part(false, chat('solo'))]);
      assert.deepEqual(r, { messages: [chat('solo')], dropped: [] });
      const junk = feed(a, [part(false, Buffer.from([ControlType.CHAT, 1, 2]))]);
      assert.equal(decodeControl(junk.messages[0]), null);
    });

    it('random bytes never throw (property)', () => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 1100 }), { maxLength: 40 }), (msgs) => {
          const a = new PartAssembler();
          for (const m of msgs) {
            const b = Buffer.from(m);
            if (b.length > 0 && Math.random() < 0.7) b[0] = ControlType.PART;
            a.push(b);
          }
        }),
        { numRuns: 300 },
      );
    });

    it('reset() forgets an unfinished message (the peer restarted)', () => {
      const a = new PartAssembler();
      a.push(splitMessage(chat('r'.repeat(3000)))[0]);
      assert.equal(a.pending, true);
      a.reset();
      assert.deepEqual(feed(a, [chat('fresh')]), { messages: [chat('fresh')], dropped: [] });
    });
  });
});
