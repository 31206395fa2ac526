/**
 * The buttons of a transfer card (webview/transferActions.ts): finished received files get Open
 * and Reveal, and Compare while a workspace match is undecided.
 */
import * as assert from 'node:assert/strict';
import type { TransferView } from '../../src/shared/webviewMessages';
import { transferButtons } from '../../webview/transferActions';

const card = (over: Partial<TransferView>): TransferView => ({
  id: 'a~1',
  direction: 'receive',
  origin: 'offer',
  peer: 'bob',
  name: 'notes.md',
  bytes: 10,
  transferred: 10,
  status: 'done',
  path: '/w/PeerChat Downloads/notes.md',
  time: 0,
  updated: 0,
  ...over,
});
const actions = (t: TransferView) => transferButtons(t).map((b) => b.action);

describe('webview/transferActions', () => {
  it('a received file: Open and Reveal; Compare first while it matches a workspace file', () => {
    assert.deepEqual(actions(card({})), ['open', 'reveal']);
    const matched = transferButtons(card({ workspaceMatch: 'docs/notes.md' }));
    assert.deepEqual(
      matched.map((b) => b.action),
      ['compare', 'open', 'reveal'],
    );
    assert.equal(matched[0]!.appearance, 'primary', 'comparing is the suggested step');
    assert.match(matched[0]!.ariaLabel, /notes\.md from bob .*docs\/notes\.md/, 'the label says what is compared with what');
  });

  it('after a decision: no Compare; a discarded file has nothing to open', () => {
    assert.deepEqual(actions(card({ workspaceMatch: 'notes.md', resolution: 'savedOver', path: '/w/notes.md' })), ['open', 'reveal']);
    assert.deepEqual(actions(card({ resolution: 'savedBeside', path: '/w/notes (1).md' })), ['open', 'reveal']);
    assert.deepEqual(actions(card({ resolution: 'discarded', path: undefined })), []);
  });

  it('a sent file is never compared; running and offered cards keep their buttons', () => {
    assert.deepEqual(actions(card({ direction: 'send', workspaceMatch: 'notes.md' })), ['open', 'reveal']);
    assert.deepEqual(actions(card({ status: 'offered', path: undefined })), ['accept', 'acceptTo', 'decline']);
    assert.deepEqual(actions(card({ status: 'active' })), ['cancel']);
    assert.deepEqual(actions(card({ status: 'failed' })), []);
  });

  it('every button has a label naming the file', () => {
    for (const b of transferButtons(card({ workspaceMatch: 'notes.md' }))) assert.match(b.ariaLabel, /notes\.md/);
  });
});
