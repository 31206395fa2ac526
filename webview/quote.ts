/**
 * Quote-reply: the composer text that answers a message, quoting it as Markdown (`> …`) and
 * addressing its author. Pure; used by the panel's Quote button (and key) and by the host's
 * "Reply" on a mention notification.
 *
 * - A message to everyone: `> quoted` lines, a blank line, then `@author ` (a mention: the
 *   reply goes to everyone too, and the author is notified).
 * - A private message: `@other` on the first line (the private-message syntax, so the reply
 *   stays private), then the quote and a blank line.
 * - Earlier quotes inside the message are left out (no quotes of quotes of quotes), and a long
 *   message is cut to MAX_QUOTE_CHARS, so the reply still has room under the message limit.
 */
import type { ChatMessageView } from '../src/shared/webviewMessages';

/** Longest quoted text (characters of the message, before the `> ` marks). */
export const MAX_QUOTE_CHARS = 280;

export type QuotedMessage = Pick<ChatMessageView, 'text' | 'from' | 'to' | 'private' | 'own'>;

/** The quoted lines (`> …`), without earlier quotes, cut to MAX_QUOTE_CHARS. */
export function quoteLines(text: string): string {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .filter((l) => !/^\s{0,3}>/.test(l));
  while (lines.length > 0 && lines[0].trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  let body = lines.join('\n');
  const chars = [...body];
  if (chars.length > MAX_QUOTE_CHARS) body = `${chars.slice(0, MAX_QUOTE_CHARS - 1).join('').trimEnd()}…`;
  return body
    .split('\n')
    .map((l) => (l.trim() === '' ? '>' : `> ${l}`))
    .join('\n');
}

/** What the composer gets to reply to `m` (the caret goes at its end). */
export function quoteReply(m: QuotedMessage): string {
  const quote = quoteLines(m.text);
  if (m.private) {
    const other = m.own ? m.to : m.from;
    return other ? `@${other}\n${quote}\n\n` : `${quote}\n\n`;
  }
  return !m.own && m.from ? `${quote}\n\n@${m.from} ` : `${quote}\n\n`;
}
