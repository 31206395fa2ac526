/**
 * The toy chat's command syntax, shared by the terminal client and the chat panel:
 *
 *   text                       broadcast
 *   @nick text                 private message
 *   /sendfile @nick PATH       offer a file
 *   /requestfile @nick NAME    ask a peer for a file from its shared folder
 *   /snippet [@nick] PATH[:START[-END]]   share lines of a file as a code snippet
 *   /who                       list who is online
 *   /whois nick                show a peer's key fingerprint
 *   /accept ID  /decline ID  /cancel ID
 *   /help
 *   exit   (or /exit, /quit)   leave
 */
export type Command =
  | { kind: 'broadcast'; text: string }
  | { kind: 'private'; to: string; text: string }
  | { kind: 'sendfile'; to: string; path: string }
  | { kind: 'requestfile'; to: string; name: string }
  /** Lines of a file as a code snippet, to everyone or to `to` (no range: the whole file). */
  | { kind: 'snippet'; to?: string; path: string; startLine?: number; endLine?: number }
  | { kind: 'who' }
  | { kind: 'whois'; nick: string }
  | { kind: 'accept'; id: string }
  | { kind: 'decline'; id: string }
  | { kind: 'cancel'; id: string }
  | { kind: 'help' }
  | { kind: 'exit' }
  | { kind: 'empty' }
  | { kind: 'invalid'; message: string };

export const COMMAND_HELP: ReadonlyArray<[string, string]> = [
  ['text', 'send to everyone'],
  ['@nick text', 'send only to nick'],
  ['/sendfile @nick PATH', 'offer a file to nick'],
  ['/requestfile @nick NAME', "ask nick for a file from nick's shared folder"],
  ['/snippet @nick PATH:START-END', 'share lines of a file as code (@nick: only to nick; no range: the whole file)'],
  ['/who', 'list who is online'],
  ['/whois nick', "show nick's key fingerprint"],
  ['/accept ID', 'accept a file offer or request'],
  ['/decline ID', 'decline a file offer or request'],
  ['/cancel ID', 'cancel a transfer'],
  ['/help', 'show this list'],
  ['exit', 'leave the chat'],
];

export function parseCommand(line: string): Command {
  const text = line.replace(/\r?\n$/, '');
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'empty' };
  if (trimmed === 'exit' || /^\/(exit|quit)$/i.test(trimmed)) return { kind: 'exit' };
  if (trimmed.startsWith('@')) {
    const m = /^@(\S+)(?:\s+([\s\S]*))?$/u.exec(trimmed);
    if (!m || !m[2] || m[2].trim() === '') return { kind: 'invalid', message: 'Usage: @nick message' };
    return { kind: 'private', to: m[1], text: m[2] };
  }
  if (!trimmed.startsWith('/')) return { kind: 'broadcast', text: trimmed };
  const parsed = /^\/(\S+)\s*([\s\S]*)$/u.exec(trimmed);
  if (!parsed) return { kind: 'invalid', message: 'Type a command after "/", e.g. /help.' };
  const verb = parsed[1];
  const args = parsed[2].trim();
  switch (verb?.toLowerCase()) {
    case 'sendfile':
    case 'requestfile': {
      const m = /^@?([^\s@]\S*)\s+([\s\S]+)$/u.exec(args);
      const what = verb.toLowerCase() === 'sendfile' ? 'PATH' : 'NAME';
      const arg = m ? unquote(m[2].trim()) : '';
      if (!m || arg === '') return { kind: 'invalid', message: `Usage: /${verb.toLowerCase()} @nick ${what}` };
      return verb.toLowerCase() === 'sendfile'
        ? { kind: 'sendfile', to: m[1], path: arg }
        : { kind: 'requestfile', to: m[1], name: arg };
    }
    case 'snippet':
      return parseSnippet(args);
    case 'who':
      return { kind: 'who' };
    case 'whois': {
      const nick = args.replace(/^@/, '');
      return nick ? { kind: 'whois', nick } : { kind: 'invalid', message: 'Usage: /whois nick' };
    }
    case 'accept':
    case 'decline':
    case 'cancel': {
      const v = verb.toLowerCase() as 'accept' | 'decline' | 'cancel';
      return args ? { kind: v, id: args } : { kind: 'invalid', message: `Usage: /${v} ID` };
    }
    case 'help':
      return { kind: 'help' };
    default:
      return { kind: 'invalid', message: `Unknown command /${verb}. Type /help.` };
  }
}

const SNIPPET_USAGE = 'Usage: /snippet [@nick] PATH[:START[-END]], e.g. /snippet @bob src/main.ts:10-20';

/** `/snippet [@nick] PATH[:START[-END]]`: the range is the last `:N` or `:N-M` (a path may hold colons). */
function parseSnippet(args: string): Command {
  const m = /^(?:@([^\s@]\S*)\s+)?([\s\S]+)$/u.exec(args);
  if (!m || /^@\S*$/.test(args)) return { kind: 'invalid', message: SNIPPET_USAGE };
  let spec = unquote(m[2].trim());
  let startLine: number | undefined;
  let endLine: number | undefined;
  const range = /:(\d+)(?:-(\d+))?$/.exec(spec);
  if (range) {
    startLine = Number(range[1]);
    endLine = range[2] !== undefined ? Number(range[2]) : startLine;
    spec = unquote(spec.slice(0, range.index));
    if (startLine < 1 || endLine < startLine) {
      return { kind: 'invalid', message: `Bad line range ${range[0].slice(1)}: lines start at 1 and END must not be before START. ${SNIPPET_USAGE}` };
    }
  } else if (/:\d*-?\d*$/.test(spec) && /:[\d-]*$/.exec(spec)![0] !== ':') {
    return { kind: 'invalid', message: `Bad line range ${/:[\d-]*$/.exec(spec)![0].slice(1)}. ${SNIPPET_USAGE}` };
  }
  if (spec === '') return { kind: 'invalid', message: SNIPPET_USAGE };
  return { kind: 'snippet', ...(m[1] ? { to: m[1] } : {}), path: spec, ...(startLine !== undefined ? { startLine, endLine } : {}) };
}

/** Paths with spaces may be quoted: /sendfile @bob "my notes.txt". */
function unquote(s: string): string {
  if (s.length >= 2 && ((s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'")))) {
    return s.slice(1, -1);
  }
  return s;
}
