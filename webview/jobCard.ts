import type { JobRecipientView, TransferAction, TransferView } from '../src/shared/webviewMessages';
import { isFinalStatus, shortTransferId } from '../src/shared/webviewMessages';
import { jobPercent } from '../src/shared/jobProgress';
import { h, replaceChildren } from './dom';
import { formatBytes, formatFullTime, formatTime } from './format';

/**
 * A transfer job's card (a folder, several files, several members; docs/protocol.md "Transfer
 * jobs"): its name, files and size, one overall bar, and one line per member with its own bar
 * and status. Kept apart from the single-file card (chatApp.ts fillTransfer). Keyboard: the
 * buttons are ordinary buttons; each bar is labelled with what it measures.
 */

/** The card's heading: "photos from alice", "photos to bob, carol". */
export function jobTitle(t: TransferView): string {
  return `${t.name} ${t.direction === 'receive' ? 'from' : 'to'} ${t.peer}`;
}

function recipientText(t: TransferView, r: JobRecipientView): string {
  const files = t.job?.files ?? 0;
  switch (r.status) {
    case 'offered':
      return `offers ${files} file${files === 1 ? '' : 's'}. Accept them?`;
    case 'waiting':
      return 'waiting for an answer…';
    case 'starting':
      return 'starting…';
    case 'active': {
      const p = t.bytes ? Math.floor((r.transferred / t.bytes) * 100) : 100;
      return `${p}% · ${r.filesDone} of ${files} files · ${formatBytes(r.transferred)} of ${formatBytes(t.bytes ?? 0)}`;
    }
    case 'done':
      return `done: ${files} files, every SHA-256 verified`;
    case 'declined':
      // "dave declined." adds nothing after the name: only another reason is shown.
      return r.error && r.error !== `${r.nick} declined.` ? `declined: ${r.error}` : 'declined';
    case 'cancelled':
      return r.error ? `cancelled: ${r.error}` : 'cancelled';
    default:
      return r.error ? `failed: ${r.error}` : 'failed';
  }
}

/** One line saying where the whole job stands. */
/**
 * The head line of a transfer or job card: arrow, name, peer, `#id` (its tooltip `idTitle`) and
 * the time.
 */
export function transferHead(t: TransferView, idTitle: string): HTMLElement {
  const time = h('time', { className: 'msg-time', datetime: new Date(t.time).toISOString(), title: formatFullTime(t.time) }, formatTime(t.time));
  return h(
    'div',
    { className: 'transfer-head' },
    h('span', { className: 'transfer-arrow', 'aria-hidden': 'true' }, t.direction === 'receive' ? '↓' : '↑'),
    h('span', { className: 'transfer-name', title: t.path ?? t.name }, t.name),
    h('span', { className: 'transfer-peer' }, t.direction === 'receive' ? `from ${t.peer}` : `to ${t.peer}`),
    h('span', { className: 'transfer-id', title: idTitle }, `#${shortTransferId(t.id)}`),
    time,
  );
}

export function jobStatusText(t: TransferView): string {
  const rs = t.job?.recipients ?? [];
  const done = rs.filter((r) => r.status === 'done').length;
  const size = formatBytes(t.bytes ?? 0);
  const files = `${t.job?.files ?? 0} file${t.job?.files === 1 ? '' : 's'}, ${size}`;
  if (t.status === 'offered') return `${t.peer} offers ${t.job?.loose ? '' : 'the folder '}${t.name} (${files}). Accept it?`;
  if (t.status === 'waiting') return `${files}. Waiting for ${rs.length === 1 ? rs[0].nick : 'answers'}…`;
  if (isFinalStatus(t.status)) {
    if (t.direction === 'receive') return t.status === 'done' ? `Received ${files}, every SHA-256 verified.` : `${t.status === 'declined' ? 'Declined' : t.status === 'cancelled' ? 'Cancelled' : 'Failed'}: ${t.error ?? ''}`;
    return `Delivered to ${done} of ${rs.length} member${rs.length === 1 ? '' : 's'} (${files}).`;
  }
  const p = jobPercent(t);
  return `${p ?? 0}% overall · ${files}${rs.length > 1 ? ` · ${done} of ${rs.length} done` : ''}`;
}

/** Fills `card` for job `t`; `act` sends a card action to the host. */
export function fillJobCard(card: HTMLElement, t: TransferView, act: (action: TransferAction) => void): void {
  const title = jobTitle(t);
  const attrs: Record<string, string> = {
    'data-testid': 'job-card',
    'data-transfer-id': t.id,
    'data-status': t.status,
    'data-direction': t.direction,
    'data-name': t.name,
    'aria-label': `${title}, ${t.job?.files ?? 0} files`,
  };
  card.className = `transfer job status-${t.status} dir-${t.direction}`;
  for (const [k, v] of Object.entries(attrs)) card.setAttribute(k, v);
  const button = (action: TransferAction, label: string, appearance: 'primary' | 'secondary', ariaLabel: string) => {
    const b = h('vscode-button', { appearance, 'data-action': action, 'data-testid': `job-${action}`, 'aria-label': ariaLabel, title: ariaLabel }, label);
    b.addEventListener('click', () => act(action));
    return b;
  };
  const actions: HTMLElement[] = [];
  if (t.status === 'offered') {
    actions.push(button('accept', 'Accept', 'primary', `Accept ${title}`));
    actions.push(button('acceptTo', 'Save to…', 'secondary', `Accept ${title} and choose where to save it`));
    actions.push(button('decline', 'Decline', 'secondary', `Decline ${title}`));
  } else if (!isFinalStatus(t.status)) {
    actions.push(button('cancel', 'Cancel', 'secondary', `Cancel ${title}`));
  } else if (t.status === 'done' && t.path && t.direction === 'receive') {
    actions.push(button('reveal', 'Reveal', 'primary', `Reveal ${t.name} in the file explorer`));
  }
  const running = t.status === 'active' || t.status === 'starting';
  const overall = jobPercent(t);
  const bar = running ? h('progress', { className: 'transfer-progress', max: 100, value: overall ?? 0, 'aria-label': `Overall progress of ${title}` }) : null;
  const recipients = t.job?.recipients ?? [];
  // Receiving there is one member, the sender: the overall line says it all.
  const lines =
    t.direction === 'send'
      ? h(
          'ul',
          { className: 'job-recipients', 'aria-label': `Members ${t.name} goes to` },
          ...recipients.map((r) =>
            h(
              'li',
              { className: `job-recipient status-${r.status}`, 'data-testid': 'job-recipient', 'data-nick': r.nick, 'data-status': r.status },
              h('span', { className: 'job-recipient-nick' }, r.nick),
              r.status === 'active'
                ? h('progress', { className: 'transfer-progress job-recipient-progress', max: 100, value: t.bytes ? Math.floor((r.transferred / t.bytes) * 100) : 100, 'aria-label': `Progress to ${r.nick}` })
                : null,
              h('span', { className: 'job-recipient-status' }, recipientText(t, r)),
            ),
          ),
        )
      : null;
  replaceChildren(
    card,
    transferHead(t, 'Job number, for /accept, /decline and /cancel'),
    bar,
    h('div', { className: 'transfer-status', 'data-testid': 'job-status' }, jobStatusText(t)),
    lines,
    actions.length > 0 ? h('div', { className: 'transfer-actions button-row' }, ...actions) : null,
  );
}
