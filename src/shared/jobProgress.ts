import type { TransferView } from './webviewMessages';

/** Overall progress of a job card in percent: members' bytes over the job's size times members. */
export function jobPercent(t: Pick<TransferView, 'bytes' | 'job'>): number | undefined {
  if (!t.job || t.bytes === undefined) return undefined;
  const live = t.job.recipients.filter((r) => r.status !== 'declined' && r.status !== 'cancelled' && r.status !== 'failed');
  const counted = live.length > 0 ? live : t.job.recipients;
  const total = t.bytes * counted.length;
  if (total <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((counted.reduce((n, r) => n + r.transferred, 0) / total) * 100)));
}
