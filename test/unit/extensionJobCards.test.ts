/**
 * The job card's state (src/extension/jobCards.ts, via ChatState.jobEvent): one card per job,
 * one line per member, the overall status and progress following the members'.
 */
import { strict as assert } from 'node:assert';
import { ChatState } from '../../src/extension/chatState';
import { jobPercent } from '../../src/shared/jobProgress';

describe('extension: transfer job cards', () => {
  it('a job to two members: each line follows its member; one declining leaves the card running, the other finishing makes it done', () => {
    const state = new ChatState({ now: () => 1000 });
    state.jobEvent({ name: 'job-offered', payload: { id: 'j1', to: ['bob', 'carol'], name: 'photos', files: 3, bytes: 1000, skipped: [] } });
    let t = state.getTransfer('j1')!;
    assert.deepEqual([t.status, t.direction, t.peer, t.job?.recipients.map((r) => r.status)], ['waiting', 'send', 'bob, carol', ['waiting', 'waiting']]);
    state.jobEvent({ name: 'job-failed', payload: { id: 'j1', peer: 'carol', code: 'DECLINED', message: 'carol declined.' } });
    state.jobEvent({ name: 'job-started', payload: { id: 'j1', direction: 'send', peer: 'bob', name: 'photos', files: 3, bytes: 1000, resumedBytes: 100 } });
    state.jobEvent({ name: 'job-progress', payload: { id: 'j1', direction: 'send', peer: 'bob', bytes: 500, total: 1000, filesDone: 1, files: 3 } });
    t = state.getTransfer('j1')!;
    assert.equal(t.status, 'active');
    assert.deepEqual(t.job?.recipients.map((r) => [r.nick, r.status, r.transferred, r.filesDone]), [['bob', 'active', 500, 1], ['carol', 'declined', 0, 0]]);
    assert.equal(jobPercent(t), 50, 'overall: over the members still in it');
    state.jobEvent({ name: 'job-done', payload: { id: 'j1', direction: 'send', peer: 'bob', name: 'photos', files: 3, bytes: 1000, resumedBytes: 100 } });
    t = state.getTransfer('j1')!;
    assert.equal(t.status, 'done');
    assert.equal(jobPercent(t), 100);
    assert.equal(t.job?.recipients[1].error, 'carol declined.');
  });

  it('an incoming job: offered, then done with the folder as its path; a failure for an unknown job makes no card', () => {
    const state = new ChatState({ now: () => 1000 });
    state.jobEvent({ name: 'job-offer', payload: { id: 'j2', from: 'alice', name: 'src', files: 2, bytes: 10, loose: false, autoAccept: false } });
    assert.equal(state.getTransfer('j2')?.status, 'offered');
    state.setTransferStatus('j2', 'starting');
    state.jobEvent({ name: 'job-started', payload: { id: 'j2', direction: 'receive', peer: 'alice', name: 'src', files: 2, bytes: 10, resumedBytes: 0 } });
    state.jobEvent({ name: 'job-done', payload: { id: 'j2', direction: 'receive', peer: 'alice', name: 'src', files: 2, bytes: 10, resumedBytes: 0, path: '/dl/src' } });
    const t = state.getTransfer('j2')!;
    assert.deepEqual([t.status, t.path, t.transferred], ['done', '/dl/src', 10]);
    assert.equal(state.jobEvent({ name: 'job-failed', payload: { id: 'nope', peer: 'x', code: 'BAD_MANIFEST', message: 'Refused' } }), undefined);
    assert.equal(state.getTransfer('nope'), undefined);
  });

  it('every member failing fails the card, with the first reason', () => {
    const state = new ChatState({ now: () => 1000 });
    state.jobEvent({ name: 'job-offered', payload: { id: 'j3', to: ['bob'], name: 'x', files: 1, bytes: 5, skipped: [] } });
    state.jobEvent({ name: 'job-failed', payload: { id: 'j3', peer: 'bob', code: 'PEER_LEFT', message: 'bob left.' } });
    const t = state.getTransfer('j3')!;
    assert.deepEqual([t.status, t.error], ['failed', 'bob left.']);
  });
});
