/**
 * The toy chat's command syntax, shared by the terminal client and the chat panel:
 *
 *   text                       broadcast
 *   @nick text                 private message
 *   /sendfile @nick PATH       offer a file (a folder: as one transfer job)
 *   /sendfile @a @b "P1" "P2"  offer files and folders to several members as one job
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
  /** Several members, or several paths (each quoted): one transfer job. */
  | { kind: 'sendjob'; to: string[]; paths: string[] }
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
  ['/sendfile @nick PATH', 'offer a file or a folder to nick'],
  ['/sendfile @a @b "P1" "P2"', 'offer files and folders to several members as one job'],
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
      if (verb.toLowerCase() === 'requestfile') return { kind: 'requestfile', to: m[1], name: arg };
      // More members: further "@nick" words before the path(s).
      const to = [m[1]];
      let rest = m[2].trim();
      for (let more = /^@([^\s@]\S*)\s+([\s\S]+)$/u.exec(rest); more; more = /^@([^\s@]\S*)\s+([\s\S]+)$/u.exec(rest)) {
        to.push(more[1]);
        rest = more[2].trim();
      }
      const paths = quotedList(rest) ?? [unquote(rest)];
      if (paths.some((p) => p === '')) return { kind: 'invalid', message: 'Usage: /sendfile @nick PATH' };
      if (to.length === 1 && paths.length === 1) return { kind: 'sendfile', to: to[0], path: paths[0] };
      return { kind: 'sendjob', to, paths };
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

/**
 * Several paths, each quoted ("a b.txt" 'c'): the list, or null when `s` is not two or more quoted
 * paths and nothing else (then it is one path, kept verbatim).
 */
function quotedList(s: string): string[] | null {
  const out: string[] = [];
  const re = /\s*(["'])(.*?)\1(?=\s|$)/uy;
  let at = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    out.push(m[2]);
    at = re.lastIndex;
  }
  return out.length >= 2 && s.slice(at).trim() === '' ? out : null;
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
