/**
 * What a failed join or command says, and which next steps it offers.
 */
import * as assert from 'node:assert/strict';
import { PeerChatError, ERROR_CODES } from '../../src/protocol/errors';
import { describeError, errorCodeOf, errorText, NEXT_STEP_LABELS } from '../../src/extension/errorMessages';

describe('extension/errorMessages', () => {
  it('a taken nickname names it and offers Change Nickname', () => {
    const d = describeError('NICK_TAKEN', undefined, { nick: 'alice', relay: '127.0.0.1:12345' });
    assert.match(d.message, /"alice".*127\.0\.0\.1:12345/);
    assert.deepEqual(d.actions, ['changeNickname']);
  });

  it('an unreachable relay on this machine offers Start Relay first', () => {
    const d = describeError('RELAY_UNREACHABLE', undefined, { relay: '127.0.0.1:12345', relayIsLocal: true });
    assert.deepEqual(d.actions, ['startRelay', 'retry', 'openSettings']);
    assert.match(d.message, /127\.0\.0\.1:12345/);
  });

  it('does not offer Start Relay for a remote relay, one already running here, or with autoStartRelay "never"', () => {
    for (const ctx of [{ relayIsLocal: false }, { relayIsLocal: true, relayRunning: true }, { relayIsLocal: true, autoStartRelay: 'never' as const }]) {
      assert.ok(!describeError('RELAY_UNREACHABLE', undefined, ctx).actions.includes('startRelay'), JSON.stringify(ctx));
    }
  });

  it('while a join keeps trying, offers Start Relay and Stop Trying instead of Try Again', () => {
    const d = describeError('RELAY_UNREACHABLE', undefined, { relay: '127.0.0.1:1', relayIsLocal: true, stillTrying: true });
    assert.deepEqual(d.actions, ['startRelay', 'openSettings', 'stopTrying']);
    assert.match(d.message, /still trying/);
    assert.ok(!describeError('RELAY_UNREACHABLE', undefined, { relayIsLocal: false, stillTrying: true }).actions.includes('startRelay'));
  });

  it('RELAY_FULL names the one relay, or every relay of a cluster list (the client tried them all)', () => {
    assert.match(describeError('RELAY_FULL', undefined, { relay: 'a:1' }).message, /^The relay at a:1 is full\./);
    const all = describeError('RELAY_FULL', undefined, { relay: 'a:1', otherRelays: 'b:2, c:3' });
    assert.match(all.message, /^Every relay of a:1, b:2, c:3 is full\. .*peerchat\.relayAddress/);
    assert.deepEqual(all.actions, ['retry', 'openSettings']);
  });

  it('a wrong secret offers Set Relay Secret', () => {
    assert.deepEqual(describeError('BAD_SECRET', undefined, {}).actions, ['setRelaySecret', 'showLog']);
  });

  it('every code gets a non-empty sentence and at least one step with a label', () => {
    for (const code of ERROR_CODES) {
      const d = describeError(code, undefined, {});
      assert.ok(d.message.trim().length > 10, code);
      assert.ok(d.actions.length > 0, code);
      for (const a of d.actions) assert.ok(NEXT_STEP_LABELS[a], a);
    }
  });

  it('other codes keep the client message, which already says what to do', () => {
    assert.equal(describeError('FILE_NOT_FOUND', 'No file at /x.', {}).message, 'No file at /x.');
  });

  it('reads the code of a PeerChatError (or any object with a known code) and nothing else', () => {
    assert.equal(errorCodeOf(new PeerChatError('NICK_TAKEN')), 'NICK_TAKEN');
    assert.equal(errorCodeOf({ code: 'BAD_SECRET' }), 'BAD_SECRET');
    assert.equal(errorCodeOf({ code: 'EADDRINUSE' }), undefined);
    assert.equal(errorCodeOf(new Error('x')), undefined);
    assert.equal(errorCodeOf('NICK_TAKEN'), undefined);
    assert.equal(errorText(new Error('boom')), 'boom');
    assert.equal(errorText(7), '7');
  });
});
