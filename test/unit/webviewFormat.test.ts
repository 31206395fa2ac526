/**
 * What the chat says about sizes, times and transfers.
 */
import * as assert from 'node:assert/strict';
import { chatBytes, formatBytes, formatTime, percent, transferStatusText, transferTitle } from '../../webview/format';
import type { TransferView } from '../../src/shared/webviewMessages';

const card = (over: Partial<TransferView>): TransferView => ({
  id: 'a~1',
  direction: 'receive',
  origin: 'offer',
  peer: 'bob',
  name: 'big.bin',
  bytes: 3_000_000,
  transferred: 0,
  status: 'offered',
  time: 0,
  updated: 0,
  ...over,
});

describe('webview/format', () => {
  it('formats sizes in IEC binary units, as the terminal client does (src/shared/units.ts)', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(3_000_000), '2.9 MiB');
    assert.equal(formatBytes(268_435_456), '256 MiB');
    assert.equal(formatBytes(undefined), '? B');
  });

  it('computes percent, 100 for an empty file, undefined when the size is unknown', () => {
    assert.equal(percent({ transferred: 1_500_000, bytes: 3_000_000 }), 50);
    assert.equal(percent({ transferred: 0, bytes: 0 }), 100);
    assert.equal(percent({ transferred: 5, bytes: undefined }), undefined);
    assert.equal(percent({ transferred: 9, bytes: 3 }), 100);
  });

  it('shows only the time for today and the date otherwise', () => {
    const now = new Date(2026, 2, 3, 18, 0).getTime();
    assert.equal(formatTime(new Date(2026, 2, 3, 9, 5).getTime(), now), '09:05');
    assert.equal(formatTime(new Date(2026, 1, 28, 23, 59).getTime(), now), 'Feb 28, 23:59');
    assert.equal(formatTime(new Date(2025, 11, 31, 1, 2).getTime(), now), 'Dec 31 2025, 01:02');
  });

  it('says where a transfer stands and what the user may do', () => {
    assert.equal(transferTitle(card({})), 'big.bin from bob');
    assert.equal(transferTitle(card({ direction: 'send' })), 'big.bin to bob');
    assert.match(transferStatusText(card({})), /bob offers this file \(2\.9 MiB\)\. Accept it\?/);
    assert.match(transferStatusText(card({ status: 'asked', direction: 'send', origin: 'request', bytes: 17 })), /asks for this file.*17 B.*Send it\?/);
    assert.equal(transferStatusText(card({ status: 'active', transferred: 1_500_000 })), '50% · 1.4 MiB of 2.9 MiB');
    assert.match(transferStatusText(card({ status: 'done', transferred: 3_000_000 })), /Received 2\.9 MiB, SHA-256 verified/);
    assert.match(transferStatusText(card({ status: 'done', direction: 'send' })), /verified by bob/);
    // A finished card says how long it took and how fast it went.
    const done = card({ status: 'done', bytes: 268_435_456, transferred: 268_435_456, startedAt: 10_000, finishedAt: 14_000 });
    assert.equal(transferStatusText(done), 'Received 256 MiB in 4.0 s (64 MiB/s), SHA-256 verified.');
    const resumed = card({ status: 'done', direction: 'send', bytes: 2 * 1024 * 1024, startedAt: 0, finishedAt: 500, resumedBytes: 1024 * 1024 });
    assert.equal(transferStatusText(resumed), 'Sent 2 MiB in 0.5 s (2 MiB/s, resumed at 1 MiB), verified by bob.');
    assert.equal(transferStatusText(card({ status: 'done', bytes: 5 })), 'Received 5 B, SHA-256 verified.', 'no timing without a start');
    assert.equal(transferStatusText(card({ status: 'failed', error: 'HASH_MISMATCH' })), 'Failed: HASH_MISMATCH');
    assert.match(transferStatusText(card({ status: 'waiting', direction: 'send' })), /Waiting for bob to accept/);
  });

  it('a file we send says which way it travels: direct or via the relay, over TCP or as datagrams', () => {
    const sending = card({ direction: 'send', status: 'active', transferred: 1_500_000 });
    assert.equal(transferStatusText({ ...sending, route: { path: 'direct', lane: 'tcp' } }), '50% · 1.4 MiB of 2.9 MiB · direct over TCP');
    assert.equal(transferStatusText({ ...sending, route: { path: 'relay', lane: 'udp' } }), '50% · 1.4 MiB of 2.9 MiB · via the relay');
    const sent = card({ status: 'done', direction: 'send', bytes: 2 * 1024 * 1024, startedAt: 0, finishedAt: 500, route: { path: 'relay', lane: 'tcp' } });
    assert.equal(transferStatusText(sent), 'Sent 2 MiB in 0.5 s (4 MiB/s) via the relay over TCP, verified by bob.');
  });

  it('a received file says what it matches in the workspace, and what became of it after comparing', () => {
    const done = (over: Partial<TransferView>) => transferStatusText(card({ status: 'done', transferred: 3_000_000, path: '/w/PeerChat Downloads/big.bin', ...over }));
    assert.match(done({ workspaceMatch: 'docs/big.bin' }), /SHA-256 verified\. The workspace has docs\/big\.bin: compare before saving it there\.$/);
    assert.match(done({ workspaceMatch: '2 files named big.bin' }), /The workspace has 2 files named big\.bin:/);
    assert.match(done({ resolution: 'savedOver', path: '/w/docs/big.bin' }), /Saved over the workspace file big\.bin\.$/);
    assert.match(done({ resolution: 'savedBeside', path: '/w/docs/big (1).bin' }), /Saved in the workspace as big \(1\)\.bin\.$/);
    assert.match(done({ resolution: 'discarded', path: undefined }), /Discarded after comparing\.$/);
    assert.doesNotMatch(done({}), /workspace/);
  });

  it('counts the UTF-8 bytes of the chat text, not of the @nick or a command', () => {
    assert.equal(chatBytes('hello'), 5);
    assert.equal(chatBytes('@bob héllo'), 6);
    assert.equal(chatBytes('  😀  '), 4);
    assert.equal(chatBytes('/sendfile @bob x'), undefined);
  });
});
