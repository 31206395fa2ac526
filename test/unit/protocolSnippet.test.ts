/**
 * SNIPPET (0x10) on the wire and in parts (src/protocol/controlMessages.ts,
 * src/protocol/messageParts.ts; docs/protocol.md "Snippets").
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { ControlType, MAX_SNIPPET_MESSAGE_BYTES, SnippetMode, decodeControl, encodeControl } from '../../src/protocol/controlMessages';
import { MAX_MESSAGE_TEXT_BYTES } from '../../src/protocol/limits';
import {
  MAX_REASSEMBLED_BYTES,
  MAX_SNIPPET_REASSEMBLED_BYTES,
  PART_MORE,
  PartAssembler,
  splitMessage,
} from '../../src/protocol/messageParts';
import { CodeSnippet, MAX_SNIPPET_TEXT_BYTES } from '../../src/shared/codeLink';
import { MAX_MESSAGE_BYTES } from '../../src/transport/limits';
import { feedParts as feed } from '../support/parts';

const snippet: CodeSnippet = { text: 'const x = 1;', language: 'typescript', path: 'src/x.ts', startLine: 10, endLine: 10, repo: 'github.com/org/repo', commit: 'abc1234', branch: 'main', dirty: true };
const enc = (s: CodeSnippet, mode: 0 | 1 | 2 = SnippetMode.PRIVATE, to = '') => encodeControl({ type: ControlType.SNIPPET, mode, to, keyId: 7, n: 3, snippet: s });

describe('protocol: SNIPPET', () => {
  it('golden bytes of a small private snippet', () => {
    const s: CodeSnippet = { text: 'hi', language: 'c', path: 'a.c', startLine: 1, endLine: 2, dirty: false };
    const hex = enc(s).toString('hex');
    assert.equal(
      hex,
      [
        '10', '00', '00', '00000007', '0000000000000003', '00',
        '01', '63', '0003', '612e63', '00000001', '00000002',
        '0000', '00', '00', '00000002', '6869',
      ].join(''),
    );
  });

  it('round-trips every mode, with and without the optional fields', () => {
    for (const mode of [SnippetMode.PRIVATE, SnippetMode.COPY, SnippetMode.BROADCAST] as const) {
      const to = mode === SnippetMode.COPY ? 'bob' : '';
      assert.deepEqual(decodeControl(enc(snippet, mode, to)), { type: ControlType.SNIPPET, mode, to, keyId: 7, n: 3, snippet });
    }
    const bare: CodeSnippet = { text: '', language: 'plaintext', path: 'x', startLine: 1, endLine: 1, dirty: false };
    assert.deepEqual(decodeControl(enc(bare)), { type: ControlType.SNIPPET, mode: 0, to: '', keyId: 7, n: 3, snippet: bare });
  });

  it('refuses an unknown mode, unknown flags, a text length beyond the limit, truncation and trailing bytes', () => {
    const good = enc(snippet);
    const badMode = Buffer.from(good);
    badMode[1] = 3;
    assert.equal(decodeControl(badMode), null);
    const badFlags = Buffer.from(good);
    badFlags[1 + 1 + 1 + 4 + 8] = 0x02; // to is empty: flags follow the number
    assert.equal(decodeControl(badFlags), null);
    for (let n = 0; n < good.length; n++) assert.equal(decodeControl(good.subarray(0, n)), null, `truncated at ${n}`);
    assert.equal(decodeControl(Buffer.concat([good, Buffer.from([0])])), null);
    // A text length field that claims more than 64 KiB is refused before anything is read.
    const huge = Buffer.from(good);
    huge.writeUInt32BE(MAX_SNIPPET_TEXT_BYTES + 1, good.length - 4 - Buffer.byteLength(snippet.text));
    assert.equal(decodeControl(huge), null);
    assert.throws(() => enc({ ...snippet, text: 'x'.repeat(MAX_SNIPPET_TEXT_BYTES + 1) }), RangeError);
  });

  it('never throws on random input', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
      const buf = Buffer.concat([Buffer.from([ControlType.SNIPPET]), Buffer.from(b)]);
      decodeControl(buf);
    }));
  });

  describe('in parts', () => {
    it('the longest snippet fits the snippet bound, which is larger than the chat bound', () => {
      const longest = enc({ ...snippet, text: 'x'.repeat(MAX_SNIPPET_TEXT_BYTES), path: 'p'.repeat(1024), repo: `h.io/${'r'.repeat(507)}`, commit: 'a'.repeat(64), branch: 'b'.repeat(255), language: 'l'.repeat(32) }, SnippetMode.COPY, 'n'.repeat(64));
      assert.equal(longest.length, MAX_SNIPPET_MESSAGE_BYTES);
      assert.equal(MAX_SNIPPET_REASSEMBLED_BYTES, 67_522);
      assert.ok(MAX_SNIPPET_REASSEMBLED_BYTES > MAX_REASSEMBLED_BYTES);
    });

    it('a 64 KiB snippet is cut into parts and put back whole', () => {
      const text = Array.from({ length: MAX_SNIPPET_TEXT_BYTES / 64 }, (_, i) => `${String(i).padStart(6, '0')}${'y'.repeat(57)}`).join('\n').padEnd(MAX_SNIPPET_TEXT_BYTES, 'z');
      assert.equal(Buffer.byteLength(text), MAX_SNIPPET_TEXT_BYTES);
      const m = enc({ ...snippet, text });
      const parts = splitMessage(m);
      assert.ok(parts.length > 64);
      for (const p of parts) assert.ok(p.length <= MAX_MESSAGE_BYTES);
      const out = feed(new PartAssembler(), parts);
      assert.deepEqual(out.dropped, []);
      assert.equal(out.messages.length, 1);
      const back = decodeControl(out.messages[0]);
      assert.ok(back && back.type === ControlType.SNIPPET);
      assert.equal(back.snippet.text, text);
    });

    it('a SNIPPET sequence beyond its bound is dropped whole with a reason, and the next message still arrives', () => {
      const step = MAX_MESSAGE_BYTES - 2;
      const first = Buffer.concat([Buffer.from([ControlType.SNIPPET]), Buffer.alloc(step - 1, 0x41)]);
      const n = Math.ceil(MAX_SNIPPET_REASSEMBLED_BYTES / step) + 2;
      const msgs = [Buffer.concat([Buffer.from([ControlType.PART, PART_MORE]), first])];
      for (let i = 1; i < n; i++) msgs.push(Buffer.concat([Buffer.from([ControlType.PART, i === n - 1 ? 0 : PART_MORE]), Buffer.alloc(step, 0x41)]));
      const after = encodeControl({ type: ControlType.CHAT, bcastKeyId: 1, bcastNext: 0, text: 'after' });
      const a = new PartAssembler();
      const out = feed(a, [...msgs, after]);
      assert.equal(out.dropped.length, 1);
      assert.match(out.dropped[0], new RegExp(`beyond ${MAX_SNIPPET_REASSEMBLED_BYTES} bytes`));
      assert.deepEqual(out.messages, [after]);
      assert.equal(a.pending, false);
    });

    it('a chat sequence keeps the chat bound even when a snippet could be longer', () => {
      const step = MAX_MESSAGE_BYTES - 2;
      const n = Math.ceil((MAX_REASSEMBLED_BYTES + 1) / step) + 1;
      const msgs: Buffer[] = [];
      for (let i = 0; i < n; i++) {
        const data = i === 0 ? Buffer.concat([Buffer.from([ControlType.CHAT]), Buffer.alloc(step - 1, 0x41)]) : Buffer.alloc(step, 0x41);
        msgs.push(Buffer.concat([Buffer.from([ControlType.PART, i === n - 1 ? 0 : PART_MORE]), data]));
      }
      const out = feed(new PartAssembler(), msgs);
      assert.equal(out.messages.length, 0);
      assert.match(out.dropped[0], new RegExp(`beyond ${MAX_REASSEMBLED_BYTES} bytes`));
      assert.ok(MAX_MESSAGE_TEXT_BYTES < MAX_SNIPPET_TEXT_BYTES);
    });
  });
});
