/**
 * Composer completion: `/` commands, `@nick` for private messages, `@nick` mentions inside a
 * message, nicknames after
 * `/sendfile`, `/requestfile` and `/whois`, transfer numbers after `/accept`, `/decline` and
 * `/cancel`. Pure (no DOM): the composer asks `getCompletions` on every keystroke and applies
 * the chosen item with `applyCompletion`.
 *
 * The syntax is the terminal client's (src/client/commandLine.ts), which parses what is sent.
 */
import { COMMAND_HELP } from '../src/client/commandLine';

export type ArgumentKind = 'none' | 'nick' | 'nickThenPath' | 'nickThenName' | 'transfer';

export interface SlashCommand {
  /** With the slash: `/sendfile`. */
  name: string;
  /** What follows, for the popup: `@nick PATH`. */
  usage: string;
  description: string;
  argument: ArgumentKind;
  /** Which transfers `/accept`-like commands apply to. */
  transfers?: 'answerable' | 'running';
}

const ARGUMENTS: Record<string, Pick<SlashCommand, 'argument' | 'transfers'>> = {
  '/sendfile': { argument: 'nickThenPath' },
  '/requestfile': { argument: 'nickThenName' },
  '/snippet': { argument: 'nickThenPath' },
  '/who': { argument: 'none' },
  '/whois': { argument: 'nick' },
  '/accept': { argument: 'transfer', transfers: 'answerable' },
  '/decline': { argument: 'transfer', transfers: 'answerable' },
  '/cancel': { argument: 'transfer', transfers: 'running' },
  '/help': { argument: 'none' },
};

/** The `/` commands, from the shared help table (plus `/exit`, which it lists as `exit`). */
export const SLASH_COMMANDS: readonly SlashCommand[] = [
  ...COMMAND_HELP.filter(([usage]) => usage.startsWith('/')).map(([usage, description]) => {
    const [name, ...rest] = usage.split(' ');
    const arg = ARGUMENTS[name] ?? { argument: 'none' as const };
    return { name, usage: rest.join(' '), description, ...arg };
  }),
  { name: '/exit', usage: '', description: 'leave the chat', argument: 'none' },
];

export interface CompletionTransfer {
  /** The number the client knows it by (`/accept 3`). */
  shortId: string;
  /** "notes.txt from alice". */
  label: string;
  /** Waiting for our accept/allow (offered, asked). */
  answerable: boolean;
  /** Can still be cancelled (waiting, starting, active). */
  running: boolean;
}

export interface CompletionContext {
  /** Other nicknames online. */
  nicks: readonly string[];
  transfers: readonly CompletionTransfer[];
}

export interface CompletionItem {
  /** What the popup shows first. */
  label: string;
  /** Shown after the label, dimmed. */
  detail?: string;
  /** Replaces the text from `from` to the caret. */
  insertText: string;
}

export interface CompletionResult {
  /** Start of the text being completed (the caret is its end). */
  from: number;
  to: number;
  items: CompletionItem[];
}

/** At most this many items in the popup. */
export const MAX_COMPLETION_ITEMS = 12;

function startsWithCi(s: string, prefix: string): boolean {
  return s.toLowerCase().startsWith(prefix.toLowerCase());
}

function byName(a: string, b: string): number {
  return a.localeCompare(b, undefined, { sensitivity: 'base' });
}

function nickItems(ctx: CompletionContext, prefix: string, withAt: boolean): CompletionItem[] {
  return [...ctx.nicks]
    .filter((n) => startsWithCi(n, prefix))
    .sort(byName)
    .map((n) => ({ label: withAt ? `@${n}` : n, insertText: withAt ? `@${n} ` : n, detail: 'online' }));
}

/**
 * What can complete the text before `caret`, or undefined when nothing applies. Something
 * typed in full (e.g. `/who`, though `/whois` also starts so) offers nothing, so Enter sends
 * it instead of "completing" it to itself.
 */
export function getCompletions(text: string, caret: number, ctx: CompletionContext): CompletionResult | undefined {
  const before = text.slice(0, Math.max(0, Math.min(caret, text.length)));
  const result = complete(before, ctx);
  if (!result || result.items.length === 0) return undefined;
  const typed = before.slice(result.from).toLowerCase();
  if (typed.length > 0 && result.items.some((i) => i.insertText.trimEnd().toLowerCase() === typed)) return undefined;
  return { ...result, to: before.length, items: result.items.slice(0, MAX_COMPLETION_ITEMS) };
}

function complete(before: string, ctx: CompletionContext): Omit<CompletionResult, 'to'> | undefined {
  const lead = before.length - before.trimStart().length;

  // The command word itself: "/se" → /sendfile
  let m = /^\s*(\/\S*)$/.exec(before);
  if (m) {
    const prefix = m[1];
    const items = SLASH_COMMANDS.filter((c) => startsWithCi(c.name, prefix)).map((c) => ({
      label: c.name,
      detail: c.usage ? `${c.usage} — ${c.description}` : c.description,
      insertText: c.argument === 'none' ? c.name : `${c.name} `,
    }));
    return { from: lead, items };
  }

  // A private message's recipient: "@al" → @alice
  m = /^\s*@(\S*)$/.exec(before);
  if (m) return { from: lead, items: nickItems(ctx, m[1], true) };

  // The first argument of a command.
  m = /^\s*(\/\S+)\s+(\S*)$/.exec(before);
  if (m) {
    const cmd = SLASH_COMMANDS.find((c) => c.name.toLowerCase() === m![1].toLowerCase());
    if (!cmd) return undefined;
    const arg = m[2];
    const from = before.length - arg.length;
    switch (cmd.argument) {
      case 'nick':
        return { from, items: nickItems(ctx, arg.replace(/^@/, ''), false) };
      case 'nickThenPath':
      case 'nickThenName':
        return { from, items: nickItems(ctx, arg.replace(/^@/, ''), true) };
      case 'transfer': {
        const wanted = cmd.transfers === 'running' ? (t: CompletionTransfer) => t.running : (t: CompletionTransfer) => t.answerable;
        const prefix = arg.replace(/^#/, '');
        const items = ctx.transfers
          .filter(wanted)
          .filter((t) => t.shortId.startsWith(prefix) || (prefix !== '' && t.label.toLowerCase().includes(prefix.toLowerCase())))
          .map((t) => ({ label: `#${t.shortId}`, detail: t.label, insertText: t.shortId }));
        return { from, items };
      }
      default:
        return undefined;
    }
  }

  // A mention inside a message: "thanks @ca" → @carol (not in commands, not in addresses).
  if (!before.trimStart().startsWith('/')) {
    m = /(?:^|[\s([{"'*_~>])@([^\s@]*)$/u.exec(before);
    if (m) {
      const from = before.length - m[1].length - 1;
      return { from, items: nickItems(ctx, m[1], true).map((i) => ({ ...i, detail: 'mention' })) };
    }
  }
  return undefined;
}

/** The composer's text and caret after choosing `item`. */
export function applyCompletion(text: string, result: CompletionResult, item: CompletionItem): { text: string; caret: number } {
  const after = text.slice(result.to);
  // Do not double a space the item already ends with.
  const rest = item.insertText.endsWith(' ') && after.startsWith(' ') ? after.slice(1) : after;
  const next = text.slice(0, result.from) + item.insertText + rest;
  return { text: next, caret: result.from + item.insertText.length };
}

/** Moves the highlighted item by `delta`, wrapping around. */
export function moveSelection(index: number, delta: number, count: number): number {
  if (count <= 0) return -1;
  return (((index + delta) % count) + count) % count;
}
