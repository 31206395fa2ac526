/**
 * Text the chat shows for sizes, times and transfer states. Pure (no DOM), used by the webview
 * and by the host's notifications so both say the same thing.
 */
import { formatBytes, formatDuration, formatRate } from '../src/shared/units';
import type { TransferView } from '../src/shared/webviewMessages';

// The one size format of every front end (IEC units: KiB, MiB, …).
export { formatBytes };

/** Percent done, 0–100, or undefined when the size is unknown. */
export function percent(t: Pick<TransferView, 'transferred' | 'bytes'>): number | undefined {
  if (t.bytes === undefined || t.bytes <= 0) return t.bytes === 0 ? 100 : undefined;
  return Math.max(0, Math.min(100, Math.floor((t.transferred / t.bytes) * 100)));
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** "14:05" today, "Mar 3, 14:05" on another day (local time). */
export function formatTime(time: number, now: number = Date.now()): string {
  const d = new Date(time);
  const n = new Date(now);
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  if (d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate()) return hm;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()];
  const year = d.getFullYear() === n.getFullYear() ? '' : ` ${d.getFullYear()}`;
  return `${month} ${d.getDate()}${year}, ${hm}`;
}

/** Full local date and time, for tooltips. */
export function formatFullTime(time: number): string {
  const d = new Date(time);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** The card's heading: "notes.txt from alice" / "notes.txt to alice". */
export function transferTitle(t: Pick<TransferView, 'name' | 'peer' | 'direction'>): string {
  return `${t.name} ${t.direction === 'receive' ? 'from' : 'to'} ${t.peer}`;
}

/** One line saying where a transfer stands and what, if anything, the user is expected to do. */
export function transferStatusText(t: TransferView): string {
  const size = t.bytes !== undefined ? formatBytes(t.bytes) : undefined;
  switch (t.status) {
    case 'offered':
      return `${t.peer} offers this file${size ? ` (${size})` : ''}. Accept it?`;
    case 'asked':
      return `${t.peer} asks for this file from your shared folders${size ? ` (${size})` : ''}. Send it?`;
    case 'waiting':
      return t.direction === 'send' ? `Waiting for ${t.peer} to accept…` : `Waiting for ${t.peer} to answer…`;
    case 'starting':
      return 'Starting…';
    case 'active': {
      const p = percent(t);
      const via = routeText(t.route);
      return (p === undefined ? `${formatBytes(t.transferred)} so far` : `${p}% · ${formatBytes(t.transferred)} of ${size}`) + (via ? ` · ${via}` : '');
    }
    case 'done': {
      const took = transferTiming(t);
      return t.direction === 'receive'
        ? `Received${size ? ` ${size}` : ''}${took}, SHA-256 verified.${receivedNote(t)}`
        : `Sent${size ? ` ${size}` : ''}${took}${t.route ? ` ${routeText(t.route)}` : ''}, verified by ${t.peer}.`;
    }
    case 'declined':
      return t.error ? `Declined: ${t.error}` : 'Declined.';
    case 'cancelled':
      return t.error ? `Cancelled: ${t.error}` : 'Cancelled.';
    case 'failed':
      return t.error ? `Failed: ${t.error}` : 'Failed.';
  }
}

/** What became of a received file after a comparison, or that one can be made. */
function receivedNote(t: Pick<TransferView, 'resolution' | 'path' | 'workspaceMatch'>): string {
  const where = t.path ? baseOf(t.path) : '';
  switch (t.resolution) {
    case 'savedOver':
      return ` Saved over the workspace file ${where}.`;
    case 'savedBeside':
      return ` Saved in the workspace as ${where}.`;
    case 'discarded':
      return ' Discarded after comparing.';
    default:
      return t.workspaceMatch ? ` The workspace has ${t.workspaceMatch}: compare before saving it there.` : '';
  }
}

function baseOf(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] || p;
}

/** "direct over TCP", "via the relay": how a file we send travels (TransferView.route). */
export function routeText(r: TransferView['route']): string {
  if (!r) return '';
  return `${r.path === 'direct' ? 'direct' : 'via the relay'}${r.lane === 'tcp' ? ' over TCP' : ''}`;
}

/**
 * " in 4.2 s (61 MiB/s)" for a finished transfer whose start and end are known; the speed
 * counts the bytes that moved in this run (a resumed transfer's earlier bytes do not).
 */
export function transferTiming(t: Pick<TransferView, 'startedAt' | 'finishedAt' | 'bytes' | 'resumedBytes'>): string {
  if (t.startedAt === undefined || t.finishedAt === undefined || t.bytes === undefined || t.finishedAt < t.startedAt) return '';
  const ms = t.finishedAt - t.startedAt;
  const moved = Math.max(0, t.bytes - (t.resumedBytes ?? 0));
  const rate = formatRate(moved, Math.max(ms, 1));
  const resumed = t.resumedBytes ? `, resumed at ${formatBytes(t.resumedBytes)}` : '';
  return ` in ${formatDuration(ms)}${rate ? ` (${rate}${resumed})` : ''}`;
}

const encoder = new TextEncoder();

/**
 * Bytes of chat text a composer line would send (the client's limit counts UTF-8 bytes of the
 * text, without the `@nick ` of a private message); undefined for commands.
 */
export function chatBytes(line: string): number | undefined {
  const t = line.trim();
  if (t.startsWith('/') || t === 'exit') return undefined;
  const text = t.startsWith('@') ? t.replace(/^@\S+\s*/, '') : t;
  return encoder.encode(text).length;
}
