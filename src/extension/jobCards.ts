import type { ClientEvents } from '../client/events';
import type { ErrorCode } from '../protocol/errors';
import { isFinalStatus, type JobRecipientView, type TransferStatus, type TransferView } from '../shared/webviewMessages';
export { jobPercent } from '../shared/jobProgress';

/**
 * A transfer job's card (docs/protocol.md "Transfer jobs"): one card with the overall progress and
 * one line per member. Pure: each job event gives the card's next state (chatState.ts keeps it).
 */

export type JobEvent =
  | { name: 'job-offered'; payload: ClientEvents['job-offered'] }
  | { name: 'job-offer'; payload: ClientEvents['job-offer'] }
  | { name: 'job-started'; payload: ClientEvents['job-started'] }
  | { name: 'job-progress'; payload: ClientEvents['job-progress'] }
  | { name: 'job-done'; payload: ClientEvents['job-done'] }
  | { name: 'job-failed'; payload: ClientEvents['job-failed'] };

function statusForCode(code: ErrorCode): TransferStatus {
  if (code === 'CANCELLED') return 'cancelled';
  if (code === 'DECLINED') return 'declined';
  return 'failed';
}

/** The card's status from its members': running while any runs; else done if any got it. */
export function overallStatus(recipients: readonly JobRecipientView[], current: TransferStatus): TransferStatus {
  const open = recipients.filter((r) => !isFinalStatus(r.status));
  if (open.length > 0) {
    if (open.some((r) => r.status === 'active')) return 'active';
    if (open.some((r) => r.status === 'starting')) return 'starting';
    return current === 'offered' ? 'offered' : open[0].status;
  }
  if (recipients.some((r) => r.status === 'done')) return 'done';
  if (recipients.every((r) => r.status === 'declined')) return 'declined';
  if (recipients.every((r) => r.status === 'cancelled')) return 'cancelled';
  return 'failed';
}

/** The card after `ev` (`card`: the card so far, if any; `now`: ms since the epoch). */
export function applyJobEvent(card: TransferView | undefined, ev: JobEvent, now: number): TransferView | undefined {
  switch (ev.name) {
    case 'job-offered': {
      const p = ev.payload;
      return {
        id: p.id,
        direction: 'send',
        origin: 'offer',
        peer: p.to.join(', '),
        name: p.name,
        bytes: p.bytes,
        transferred: 0,
        status: 'waiting',
        time: now,
        updated: now,
        job: { files: p.files, recipients: p.to.map((nick) => ({ nick, status: 'waiting', transferred: 0, filesDone: 0 })) },
      };
    }
    case 'job-offer': {
      const p = ev.payload;
      const status: TransferStatus = p.autoAccept ? 'starting' : 'offered';
      return {
        id: p.id,
        direction: 'receive',
        origin: 'offer',
        peer: p.from,
        name: p.name,
        bytes: p.bytes,
        transferred: 0,
        status,
        time: now,
        updated: now,
        job: { files: p.files, loose: p.loose, recipients: [{ nick: p.from, status, transferred: 0, filesDone: 0 }] },
      };
    }
    default:
      break;
  }
  // No card (a job refused before it was shown, e.g. a bad manifest): the caller says it otherwise.
  if (!card?.job) return undefined;
  const p = ev.payload;
  const recipients = card.job.recipients.map((r) => {
    if (r.nick !== p.peer) return r;
    switch (ev.name) {
      case 'job-started':
        return { ...r, status: 'active' as const, transferred: ev.payload.resumedBytes };
      case 'job-progress':
        return isFinalStatus(r.status) ? r : { ...r, status: 'active' as const, transferred: ev.payload.bytes, filesDone: ev.payload.filesDone };
      case 'job-done':
        return { ...r, status: 'done' as const, transferred: ev.payload.bytes, filesDone: ev.payload.files, error: undefined };
      case 'job-failed':
        return isFinalStatus(r.status) ? r : { ...r, status: statusForCode(ev.payload.code), error: ev.payload.message };
    }
  });
  const transferred = recipients.reduce((n, r) => n + r.transferred, 0);
  const status = overallStatus(recipients, card.status);
  const path = ev.name === 'job-done' && ev.payload.path ? ev.payload.path : card.path;
  const error = status === 'failed' || status === 'declined' || status === 'cancelled' ? recipients.find((r) => r.error)?.error : undefined;
  return {
    ...card,
    job: { ...card.job, recipients },
    transferred,
    status,
    path,
    error,
    updated: now,
    startedAt: card.startedAt ?? (ev.name === 'job-started' ? now : undefined),
    finishedAt: isFinalStatus(status) ? (card.finishedAt ?? now) : undefined,
  };
}
