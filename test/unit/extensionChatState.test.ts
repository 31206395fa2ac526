/**
 * ChatState: what the chat view shows, as deltas — history bounded by the limit, roster and
 * presence notices, unread counting, pending → sent messages, transfer cards through their
 * life, and what survives a reload.
 */
import * as assert from 'node:assert/strict';
import { ChatState, clampHistoryLimit, MAX_HISTORY_LIMIT, MIN_HISTORY_LIMIT, type StateChange } from '../../src/extension/chatState';

function setup(opts: { historyLimit?: number; finishedTransferLimit?: number } = {}, persisted?: unknown) {
  let now = 1_700_000_000_000;
  const state = new ChatState({ ...opts, now: () => now++ }, persisted);
  const changes: StateChange[] = [];
  state.onChange((c) => changes.push(c));
  return { state, changes, types: () => changes.map((c) => c.type) };
}

describe('extension/chatState: messages', () => {
  it('adds chat messages and system notices, each announced as messageAdded', () => {
    const { state, changes } = setup();
    state.addChat({ from: 'bob', text: 'hi', private: false, own: false });
    state.addSystem('bob joined', 'join');
    assert.deepEqual(
      changes.flatMap((c) => (c.type === 'messageAdded' ? [[c.message.kind, c.message.text, c.message.from ?? null]] : [])),
      [
        ['chat', 'hi', 'bob'],
        ['system', 'bob joined', null],
      ],
    );
    const ids = state.allMessages().map((m) => m.id);
    assert.equal(new Set(ids).size, 2, 'message ids are unique');
  });

  it('keeps at most historyLimit messages, dropping the oldest', () => {
    const { state } = setup({ historyLimit: 10 });
    for (let i = 0; i < 25; i++) state.addChat({ from: 'bob', text: `m${i}`, private: false, own: false });
    const texts = state.allMessages().map((m) => m.text);
    assert.equal(texts.length, 10);
    assert.equal(texts[0], 'm15');
    assert.equal(texts[9], 'm24');
    assert.equal(state.snapshot().historyLimit, 10);
  });

  it('lowering the limit trims at once and sends a fresh snapshot', () => {
    const { state, changes } = setup({ historyLimit: 100 });
    for (let i = 0; i < 30; i++) state.addSystem(`n${i}`);
    changes.length = 0;
    state.setHistoryLimit(10);
    assert.equal(state.allMessages().length, 10);
    const snap = changes.find((c) => c.type === 'snapshot');
    assert.ok(snap && snap.type === 'snapshot');
    assert.equal(snap.state.messages.length, 10);
    assert.equal(snap.state.messages[0].text, 'n20');
  });

  it('clamps the history limit setting', () => {
    assert.equal(clampHistoryLimit(3), MIN_HISTORY_LIMIT);
    assert.equal(clampHistoryLimit(1e9), MAX_HISTORY_LIMIT);
    assert.equal(clampHistoryLimit('many'), 500);
    assert.equal(clampHistoryLimit(Number.NaN), 500);
    assert.equal(clampHistoryLimit(250.7), 250);
  });

  it('marks own pending messages sent when the client confirms them, oldest first', () => {
    const { state } = setup();
    const a = state.addChat({ from: 'me', to: 'bob', text: 'same', private: true, own: true, delivery: 'pending' });
    const b = state.addChat({ from: 'me', to: 'bob', text: 'same', private: true, own: true, delivery: 'pending' });
    assert.equal(state.confirmSent('bob', 'same'), true);
    const byId = new Map(state.allMessages().map((m) => [m.id, m]));
    assert.equal(byId.get(a.id)!.delivery, 'sent');
    assert.equal(byId.get(b.id)!.delivery, 'pending');
    assert.equal(state.confirmSent('carol', 'same'), false, 'another recipient does not match');
    assert.equal(state.confirmSent(undefined, 'same'), false, 'a broadcast does not match a private message');
  });

  it('removes a message that never left, with a snapshot', () => {
    const { state, types } = setup();
    const m = state.addChat({ from: 'me', text: 'x', private: false, own: true, delivery: 'pending' });
    state.removeMessage(m.id);
    assert.equal(state.allMessages().length, 0);
    assert.equal(types().at(-1), 'snapshot');
  });

  it('clearHistory drops messages and finished cards but keeps running transfers', () => {
    const { state } = setup();
    state.addSystem('x');
    state.fileOffered({ id: 't~1', from: 'bob', name: 'a.txt', bytes: 1, sha256: 'aa', autoAccept: false });
    state.fileOffered({ id: 't~2', from: 'bob', name: 'b.txt', bytes: 1, sha256: 'bb', autoAccept: false });
    state.setTransferStatus('t~2', 'declined');
    state.clearHistory();
    assert.equal(state.allMessages().length, 0);
    assert.deepEqual(state.allTransfers().map((t) => t.id), ['t~1']);
  });
});

describe('extension/chatState: unread count', () => {
  it('counts messages from others while hidden, not own messages or notices, and resets when shown', () => {
    const { state, changes } = setup();
    state.setVisible(false);
    state.addChat({ from: 'bob', text: '1', private: false, own: false });
    state.addChat({ from: 'me', text: 'mine', private: false, own: true });
    state.addSystem('bob joined');
    state.addChat({ from: 'bob', text: '2', private: true, own: false });
    assert.equal(state.unreadCount, 2);
    state.setVisible(true);
    assert.equal(state.unreadCount, 0);
    assert.deepEqual(
      changes.filter((c) => c.type === 'unreadChanged').map((c) => c.type === 'unreadChanged' && c.unread),
      [1, 2, 0],
    );
  });

  it('counts the unread messages that mention us apart, and clears both when shown', () => {
    const { state, changes } = setup();
    state.setVisible(false);
    state.addChat({ from: 'bob', text: 'hey @alice', private: false, own: false, mentionsMe: true });
    state.addChat({ from: 'bob', text: 'and you?', private: false, own: false });
    state.addChat({ from: 'alice', text: '@alice note to self', private: false, own: true, mentionsMe: true });
    assert.equal(state.unreadCount, 2);
    assert.equal(state.unreadMentionCount, 1);
    assert.equal(state.allMessages()[0].mentionsMe, true);
    assert.equal(state.allMessages()[2].mentionsMe, undefined, 'our own message never mentions us');
    assert.equal(state.snapshot().unreadMentions, 1);
    state.setVisible(true);
    assert.equal(state.unreadMentionCount, 0);
    assert.deepEqual(
      changes.flatMap((c) => (c.type === 'unreadChanged' ? [[c.unread, c.mentions]] : [])),
      [
        [1, 1],
        [2, 1],
        [0, 0],
      ],
    );
  });

  it('does not count messages that arrive while the view is visible', () => {
    const { state } = setup();
    state.setVisible(true);
    state.addChat({ from: 'bob', text: 'seen', private: false, own: false });
    assert.equal(state.unreadCount, 0);
  });
});

describe('extension/chatState: roster and presence', () => {
  it('keeps the roster sorted, without duplicates and without ourselves', () => {
    const { state, changes } = setup();
    state.setConnection({ status: 'registered', nick: 'alice' });
    state.setRoster(['carol', 'Bob', 'alice', 'carol']);
    assert.deepEqual(state.online, ['Bob', 'carol']);
    const n = changes.length;
    state.setRoster(['carol', 'Bob']);
    assert.equal(changes.length, n, 'an unchanged roster sends nothing');
  });

  it('turns presence into roster changes and join/leave notices, once each', () => {
    const { state } = setup();
    state.setConnection({ status: 'registered', nick: 'alice' });
    state.presence('bob', true);
    state.presence('bob', true);
    state.presence('bob', false);
    state.presence('alice', false);
    assert.deepEqual(state.online, []);
    assert.deepEqual(
      state.allMessages().map((m) => [m.text, m.level]),
      [
        ['bob joined', 'join'],
        ['bob left', 'leave'],
      ],
    );
  });

  it('reports connection changes only when something changed', () => {
    const { state, types } = setup();
    state.setConnection({ status: 'connecting', relay: '127.0.0.1:12345' });
    state.setConnection({ status: 'connecting', relay: '127.0.0.1:12345' });
    assert.deepEqual(types(), ['connectionChanged']);
  });
});

describe('extension/chatState: transfers', () => {
  it('notes a received file\'s workspace match and the decision, on finished received cards only', () => {
    const { state } = setup();
    state.fileOffered({ id: 'x~1', from: 'bob', name: 'notes.md', bytes: 5, sha256: 'ab', autoAccept: false });
    assert.equal(state.setReceivedFile('x~1', { workspaceMatch: 'notes.md' }), undefined, 'not before it is received');
    state.fileReceived({ id: 'x~1', from: 'bob', path: '/tmp/dl/notes.md', bytes: 5, sha256: 'ab' });
    assert.equal(state.getTransfer('x~1')!.sentAs, undefined, 'saved under the offered name');
    state.setReceivedFile('x~1', { workspaceMatch: 'notes.md' });
    assert.equal(state.getTransfer('x~1')!.workspaceMatch, 'notes.md');
    state.setReceivedFile('x~1', { resolution: 'discarded', path: undefined, workspaceMatch: undefined });
    const t = state.getTransfer('x~1')!;
    assert.equal(t.resolution, 'discarded');
    assert.equal(t.path, undefined);
    state.outgoingOffer({ id: 'x~2', to: 'bob', name: 'a.md', path: '/w/a.md', bytes: 1 });
    assert.equal(state.setReceivedFile('x~2', { workspaceMatch: 'a.md' }), undefined, 'not on a sent file');
  });

  it('follows an incoming offer: offered → starting → active → done', () => {
    const { state } = setup();
    state.fileOffered({ id: 'x~1', from: 'bob', name: 'a.bin', bytes: 1000, sha256: 'ab', autoAccept: false });
    assert.equal(state.getTransfer('x~1')!.status, 'offered');
    state.setTransferStatus('x~1', 'starting', { saveDir: '/tmp/dl' });
    state.transferStarted({ id: 'x~1', direction: 'receive', peer: 'bob', name: 'a.bin', bytes: 1000, resumedBytes: 200 });
    assert.equal(state.getTransfer('x~1')!.transferred, 200);
    state.transferProgress({ id: 'x~1', bytes: 600, total: 1000, direction: 'receive' });
    assert.equal(state.getTransfer('x~1')!.transferred, 600);
    state.fileReceived({ id: 'x~1', from: 'bob', path: '/tmp/dl/a (1).bin', bytes: 1000, sha256: 'ab' });
    const t = state.getTransfer('x~1')!;
    assert.equal(t.status, 'done');
    assert.equal(t.path, '/tmp/dl/a (1).bin');
    assert.equal(t.name, 'a (1).bin', 'the card names the file as saved, not as offered');
    assert.equal(t.sentAs, 'a.bin', 'the offered name is kept: it is what the workspace match looks for');
    assert.equal(t.transferred, 1000);
    assert.equal(t.saveDir, '/tmp/dl');
    // Its start, end and resume point, for the duration and speed the finished card shows.
    assert.equal(t.resumedBytes, 200);
    assert.ok(t.startedAt !== undefined && t.finishedAt !== undefined && t.finishedAt > t.startedAt, `started ${t.startedAt}, finished ${t.finishedAt}`);
  });

  it('records how a file we send travels, and its change when a lane dies; not after the end', () => {
    const { state } = setup();
    state.outgoingOffer({ id: 's~1', to: 'bob', name: 'big.iso', path: '/w/big.iso', bytes: 100 });
    state.transferStarted({ id: 's~1', direction: 'send', peer: 'bob', name: 'big.iso', bytes: 100, resumedBytes: 0 });
    state.transferRoute({ id: 's~1', peer: 'bob', path: 'relay', lane: 'tcp' });
    assert.deepEqual(state.getTransfer('s~1')!.route, { path: 'relay', lane: 'tcp' });
    state.transferRoute({ id: 's~1', peer: 'bob', path: 'relay', lane: 'udp' });
    assert.deepEqual(state.getTransfer('s~1')!.route, { path: 'relay', lane: 'udp' });
    state.fileSent({ id: 's~1', to: 'bob', name: 'big.iso', bytes: 100, sha256: 'ab' });
    assert.equal(state.transferRoute({ id: 's~1', peer: 'bob', path: 'direct', lane: 'tcp' }), undefined);
    assert.deepEqual(state.getTransfer('s~1')!.route, { path: 'relay', lane: 'udp' }, 'kept on the finished card');
  });

  it('ignores progress for finished transfers', () => {
    const { state } = setup();
    state.fileOffered({ id: 'x~1', from: 'bob', name: 'a', bytes: 10, sha256: '', autoAccept: false });
    state.transferFailed({ id: 'x~1', code: 'CANCELLED', message: 'Cancelled by the sender.' });
    assert.equal(state.transferProgress({ id: 'x~1', bytes: 5, total: 10, direction: 'receive' }), undefined);
    assert.equal(state.getTransfer('x~1')!.status, 'cancelled');
  });

  it('maps failure codes to card states', () => {
    const { state } = setup();
    for (const [i, code] of (['DECLINED', 'CANCELLED', 'HASH_MISMATCH'] as const).entries()) {
      state.outgoingOffer({ id: `s~${i}`, to: 'bob', name: 'f', path: '/f' });
      state.transferFailed({ id: `s~${i}`, code, message: 'why' });
    }
    assert.deepEqual(
      state.allTransfers().map((t) => [t.status, t.error]),
      [
        ['declined', 'why'],
        ['cancelled', 'why'],
        ['failed', 'why'],
      ],
    );
  });

  it('re-keys an asked card when the client serves it under a new id (matched by peer and file name)', () => {
    const { state, changes } = setup();
    state.fileRequested({ id: 's~4', from: 'bob', name: 'notes/todo.md' });
    state.setTransferStatus('s~4', 'starting');
    state.transferStarted({ id: 's~5', direction: 'send', peer: 'bob', name: 'todo.md', bytes: 12, resumedBytes: 0 });
    assert.equal(state.getTransfer('s~4'), undefined);
    const t = state.getTransfer('s~5')!;
    assert.equal(t.status, 'active');
    assert.equal(t.origin, 'request');
    assert.ok(changes.some((c) => c.type === 'transferRemoved' && c.id === 's~4'));
    assert.equal(state.allTransfers().length, 1);
  });

  it('an answer to our request updates the same card', () => {
    const { state } = setup();
    state.outgoingRequest({ id: 's~1', to: 'bob', name: 'docs/design.md', saveDir: '/ws/docs' });
    state.requestAnswered({ id: 's~1', from: 'bob', name: 'design.md', bytes: 17, sha256: 'cd', autoAccept: false });
    assert.equal(state.getTransfer('s~1')!.status, 'starting');
    assert.equal(state.getTransfer('s~1')!.bytes, 17);
    state.requestDenied({ id: 's~2', from: 'bob', name: 'x', code: 'FILE_NOT_FOUND', message: 'No such file.' });
    assert.equal(state.allTransfers().length, 1, 'a denial for an unknown request makes no card');
  });

  it('marks our request declined when the peer refuses it', () => {
    const { state } = setup();
    state.outgoingRequest({ id: 's~1', to: 'bob', name: 'secret.txt' });
    state.requestDenied({ id: 's~1', from: 'bob', name: 'secret.txt', code: 'PATH_OUTSIDE_SHARE', message: 'Only files inside the shared folder can be requested.' });
    assert.equal(state.getTransfer('s~1')!.status, 'declined');
    assert.match(state.getTransfer('s~1')!.error!, /shared folder/);
  });

  it('keeps at most the finished-card limit, never dropping running transfers', () => {
    const { state } = setup({ finishedTransferLimit: 3 });
    state.outgoingOffer({ id: 'run', to: 'bob', name: 'big', path: '/big' });
    for (let i = 0; i < 6; i++) {
      state.outgoingOffer({ id: `f${i}`, to: 'bob', name: `f${i}`, path: `/f${i}` });
      state.fileSent({ id: `f${i}`, to: 'bob', name: `f${i}`, bytes: 1, sha256: '' });
    }
    assert.deepEqual(state.allTransfers().map((t) => t.id).sort(), ['f3', 'f4', 'f5', 'run']);
  });

  it('dismisses finished cards only', () => {
    const { state } = setup();
    state.fileOffered({ id: 'a', from: 'bob', name: 'a', bytes: 1, sha256: '', autoAccept: false });
    assert.equal(state.dismissTransfer('a'), false);
    state.setTransferStatus('a', 'declined');
    assert.equal(state.dismissTransfer('a'), true);
    assert.equal(state.getTransfer('a'), undefined);
  });
});

describe('extension/chatState: persistence', () => {
  it('round-trips history and marks whatever was in flight as interrupted', () => {
    const { state } = setup();
    state.addChat({ from: 'bob', text: 'hello', private: false, own: false });
    state.addChat({ from: 'me', to: 'bob', text: 'unacked', private: true, own: true, delivery: 'pending' });
    state.fileOffered({ id: 'a', from: 'bob', name: 'a', bytes: 1, sha256: '', autoAccept: false });
    state.outgoingOffer({ id: 'b', to: 'bob', name: 'b', path: '/b' });
    state.fileSent({ id: 'b', to: 'bob', name: 'b', bytes: 1, sha256: 'ff' });
    const stored = JSON.parse(JSON.stringify(state.toPersisted()));

    const restored = setup({}, stored).state;
    assert.deepEqual(restored.allMessages().map((m) => [m.text, m.delivery ?? null]), [
      ['hello', null],
      ['unacked', 'unconfirmed'],
    ]);
    assert.equal(restored.getTransfer('a')!.status, 'failed');
    assert.match(restored.getTransfer('a')!.error!, /Interrupted/);
    assert.equal(restored.getTransfer('b')!.status, 'done');
    // New ids never collide with restored ones.
    const fresh = restored.addSystem('new');
    assert.ok(!stored.messages.some((m: { id: string }) => m.id === fresh.id));
  });

  it('keeps a snippet across a reload, and drops one that no longer passes the checks', () => {
    const { state } = setup();
    const snippet = { text: 'x()', language: 'typescript', path: 'src/x.ts', startLine: 3, endLine: 3, repo: 'github.com/o/r', commit: 'abcdef0', dirty: false };
    const shown = state.addChat({ from: 'bob', text: 'src/x.ts:3', private: false, own: false, snippet });
    assert.deepEqual(state.allMessages().find((m) => m.id === shown.id)!.snippet, snippet);
    const stored = JSON.parse(JSON.stringify(state.toPersisted()));
    assert.deepEqual(setup({}, stored).state.allMessages()[0].snippet, snippet);
    stored.messages[0].snippet = { ...snippet, path: '../../etc/passwd' };
    const tampered = setup({}, stored).state.allMessages();
    assert.equal(tampered.length, 1, 'the message stays');
    assert.equal(tampered[0].snippet, undefined, 'without a snippet to open');
    stored.messages[0].snippet = { text: 5 };
    assert.equal(setup({}, stored).state.allMessages()[0].snippet, undefined);
  });

  it('drops malformed stored data instead of throwing', () => {
    for (const bad of [undefined, null, 42, 'x', { version: 2, messages: [], transfers: [] }, { version: 1, messages: 'no', transfers: [] }]) {
      assert.equal(setup({}, bad).state.allMessages().length, 0);
    }
    const partly = { version: 1, messages: [{ id: 'ok', kind: 'system', time: 1, text: 't', private: false, own: false }, { id: 3 }], transfers: [{ id: 'x' }] };
    const s = setup({}, partly).state;
    assert.equal(s.allMessages().length, 1);
    assert.equal(s.allTransfers().length, 0);
  });

  it('restores at most historyLimit messages', () => {
    const big = setup({ historyLimit: 100 }).state;
    for (let i = 0; i < 50; i++) big.addSystem(`n${i}`);
    const s = setup({ historyLimit: 10 }, big.toPersisted()).state;
    assert.equal(s.allMessages().length, 10);
    assert.equal(s.allMessages()[0].text, 'n40');
  });
});
