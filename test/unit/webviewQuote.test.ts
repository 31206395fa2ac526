/**
 * Quote-reply: what the composer gets when answering a message.
 */
import * as assert from 'node:assert/strict';
import { parseCommand } from '../../src/client/commandLine';
import { findMentions } from '../../src/shared/chatMarkdown';
import { MAX_QUOTE_CHARS, quoteLines, quoteReply } from '../../webview/quote';

describe('webview/quote', () => {
  it('quotes a message to everyone and mentions its author', () => {
    const text = quoteReply({ text: 'Is the relay up?', from: 'bob', private: false, own: false });
    assert.equal(text, '> Is the relay up?\n\n@bob ');
    const sent = parseCommand(`${text}yes, since noon`);
    assert.equal(sent.kind, 'broadcast', 'the reply goes to everyone');
    assert.deepEqual(findMentions(sent.kind === 'broadcast' ? sent.text : ''), ['bob'], 'and mentions bob');
  });

  it('answers a private message privately', () => {
    const text = quoteReply({ text: 'psst', from: 'bob', to: 'alice', private: true, own: false });
    assert.equal(text, '@bob\n> psst\n\n');
    const sent = parseCommand(`${text}ok`);
    assert.deepEqual(sent, { kind: 'private', to: 'bob', text: '> psst\n\nok' });
    assert.equal(quoteReply({ text: 'mine', from: 'alice', to: 'carol', private: true, own: true }), '@carol\n> mine\n\n', 'our own private message: to its recipient');
  });

  it('does not mention ourselves when quoting our own message', () => {
    assert.equal(quoteReply({ text: 'hello', from: 'alice', private: false, own: true }), '> hello\n\n');
  });

  it('keeps every line quoted, drops earlier quotes and blank edges', () => {
    assert.equal(quoteLines('\n> old quote\n> more\nline one\n\nline two\n\n'), '> line one\n>\n> line two');
    assert.equal(quoteLines('```ts\nconst x = 1;\n```'), '> ```ts\n> const x = 1;\n> ```');
  });

  it('cuts long messages', () => {
    const q = quoteLines('x'.repeat(1000));
    assert.equal([...q.replace(/^> /, '')].length, MAX_QUOTE_CHARS);
    assert.ok(q.endsWith('…'));
  });
});
