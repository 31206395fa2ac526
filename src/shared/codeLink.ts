/**
 * Code snippets and their portable code links (README "Sharing code"; docs/protocol.md
 * "Snippets"): what a snippet carries, the checks every field from the network passes, the one
 * canonical form of a repository's remote URL, and the recipient's decision (open the file at
 * those lines, show a diff, or an untitled editor).
 *
 * Pure: git and the file system are reached only through `RepoAccess`, which the extension
 * (vscode.git) and tests implement.
 */

/** A snippet: the text, its language and where it came from. */
export interface CodeSnippet {
  text: string;
  /** A language id (VS Code's: `typescript`, `python`…; `plaintext` when unknown). */
  language: string;
  /** Path relative to the repository's root (or to the folder it was shared from), `/`-separated. */
  path: string;
  /** First and last line, 1-based and inclusive. */
  startLine: number;
  endLine: number;
  /** The repository's remote URL in canonical form (normaliseRemoteUrl); absent without one. */
  repo?: string;
  /** The commit checked out (hex) when it was shared. */
  commit?: string;
  /** The branch checked out, if any. */
  branch?: string;
  /** The sender's copy had uncommitted changes in those lines (so the commit's lines differ). */
  dirty: boolean;
}

/**
 * Longest snippet text (UTF-8 bytes): 64 KiB is a long function or a whole source file; anything
 * larger is a file (send it with Send to Peer… or /sendfile).
 */
export const MAX_SNIPPET_TEXT_BYTES = 64 * 1024;
/** Longest repo-relative path (UTF-8 bytes); deeper than any real source tree. */
export const MAX_SNIPPET_PATH_BYTES = 1024;
/** Longest canonical remote URL (bytes). */
export const MAX_SNIPPET_REPO_BYTES = 512;
/** Longest branch name (bytes): git allows more, but no one types a longer one. */
export const MAX_SNIPPET_BRANCH_BYTES = 255;
/** Longest language id: VS Code's ids are short words (`objective-cpp` is 13). */
export const MAX_SNIPPET_LANGUAGE_BYTES = 32;
/** Highest line number accepted (no source file has more; keeps arithmetic exact and the UI sane). */
export const MAX_SNIPPET_LINE = 10_000_000;

/** UTF-8 length without Buffer: this module also runs in the webview. */
export function utf8Bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}

const LANGUAGE_RE = /^[a-z0-9][a-z0-9_+#.-]{0,31}$/;
/** A commit id: abbreviated (7) up to SHA-256 (64) hex digits, lower case. */
const COMMIT_RE = /^[0-9a-f]{7,64}$/;

/** Why a snippet from the network is refused; undefined if it is acceptable. */
export function snippetProblem(s: CodeSnippet): string | undefined {
  if (utf8Bytes(s.text) > MAX_SNIPPET_TEXT_BYTES) return `text longer than ${MAX_SNIPPET_TEXT_BYTES} bytes`;
  if (!LANGUAGE_RE.test(s.language)) return `bad language id ${JSON.stringify(s.language.slice(0, 40))}`;
  const pathProblem = repoPathProblem(s.path);
  if (pathProblem) return pathProblem;
  if (!Number.isInteger(s.startLine) || !Number.isInteger(s.endLine) || s.startLine < 1 || s.endLine < s.startLine || s.endLine > MAX_SNIPPET_LINE) {
    return `bad line range ${s.startLine}-${s.endLine}`;
  }
  if (s.repo !== undefined && !isCanonicalRemote(s.repo)) return `repository URL not in canonical form: ${JSON.stringify(s.repo.slice(0, 80))}`;
  if (s.commit !== undefined && !COMMIT_RE.test(s.commit)) return 'bad commit id';
  if (s.branch !== undefined && !isBranchName(s.branch)) return 'bad branch name';
  return undefined;
}

/** Whether `v` is a snippet with fields of the right types that snippetProblem accepts (e.g. read back from storage). */
export function isCodeSnippet(v: unknown): v is CodeSnippet {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  const optional = (x: unknown) => x === undefined || typeof x === 'string';
  return (
    typeof s.text === 'string' && typeof s.language === 'string' && typeof s.path === 'string' &&
    typeof s.startLine === 'number' && typeof s.endLine === 'number' && typeof s.dirty === 'boolean' &&
    optional(s.repo) && optional(s.commit) && optional(s.branch) &&
    snippetProblem(s as unknown as CodeSnippet) === undefined
  );
}

/**
 * Why `p` is not a safe repository-relative path: it must be relative, `/`-separated, without
 * `.` or `..` segments, backslashes, drive letters, control characters or empty segments. What a
 * peer sends is joined to a folder of ours only after this check (and the extension checks the
 * result stays inside that folder).
 */
export function repoPathProblem(p: string): string | undefined {
  if (p.length === 0) return 'empty path';
  if (utf8Bytes(p) > MAX_SNIPPET_PATH_BYTES) return `path longer than ${MAX_SNIPPET_PATH_BYTES} bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(p)) return 'path with a backslash or control character';
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return 'absolute path';
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') return `path segment ${JSON.stringify(seg)} not allowed`;
  }
  return undefined;
}

function isBranchName(b: string): boolean {
  if (b.length === 0 || utf8Bytes(b) > MAX_SNIPPET_BRANCH_BYTES) return false;
  // git check-ref-format's rules, the ones that matter for showing it: no controls, spaces, ~^:?*[\
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0020\u007f~^:?*[\\]/.test(b) && !b.includes('..') && !b.startsWith('-');
}

// ---- remote URLs ------------------------------------------------------------------------------

/**
 * The canonical form of a git remote URL, so that every clone of one repository names it alike
 * whichever way it was cloned:
 *
 *   git@github.com:org/repo.git, https://github.com/org/repo, ssh://git@github.com:22/org/repo.git,
 *   git://github.com/org/repo → `github.com/org/repo`
 *   file:///srv/git/repo.git, /srv/git/repo.git, /srv/git/repo/ → `file:///srv/git/repo`
 *
 * Rules: scheme, user name and password (never sent), port (it names a service, not a
 * repository: ssh on 2222 and https reach the same one) and a trailing `.git` and `/` are
 * dropped; the host is lower-cased; the path keeps its case (servers differ). Local paths become
 * `file://` URLs of their absolute path. Undefined for what cannot name a repository portably (a
 * relative path, an unknown scheme, a `..` segment).
 */
export function normaliseRemoteUrl(raw: string): string | undefined {
  const url = raw.trim();
  if (url === '' || url.length > 2048 || /\s/.test(url)) return undefined;
  let host: string;
  let path: string;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  if (scheme) {
    const kind = scheme[1].toLowerCase();
    const rest = url.slice(scheme[0].length);
    if (kind === 'file') return localRemote(decodeURIComponentSafe(rest.replace(/^localhost(?=\/)/i, '')));
    if (!['http', 'https', 'ssh', 'git', 'git+ssh', 'ssh+git'].includes(kind)) return undefined;
    const slash = rest.indexOf('/');
    const authority = slash < 0 ? rest : rest.slice(0, slash);
    path = slash < 0 ? '' : rest.slice(slash);
    host = authority.slice(authority.lastIndexOf('@') + 1);
    // Bracketed IPv6 keeps its brackets; otherwise the port goes.
    host = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
    // ssh's user-relative `~user/repo` stays as written; other paths drop the leading slash below.
  } else if (url.startsWith('/') || /^[A-Za-z]:[\\/]/.test(url)) {
    return localRemote(url.replace(/\\/g, '/'));
  } else {
    // scp-like: [user@]host:path (a colon before any slash).
    const m = /^(?:[^@/]+@)?([^:/]+):(.+)$/.exec(url);
    if (!m) return undefined;
    host = m[1];
    path = m[2];
  }
  host = host.toLowerCase();
  if (!/^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)$/.test(host)) return undefined;
  const segs = path.split('/').filter((s) => s !== '');
  if (segs.length === 0 || segs.some((s) => s === '.' || s === '..')) return undefined;
  segs[segs.length - 1] = segs[segs.length - 1].replace(/\.git$/i, '');
  if (segs[segs.length - 1] === '') return undefined;
  const out = `${host}/${segs.join('/')}`;
  return utf8Bytes(out) <= MAX_SNIPPET_REPO_BYTES ? out : undefined;
}

function localRemote(p: string): string | undefined {
  // Windows drive paths become /C:/…, as in file URLs.
  const abs = /^[A-Za-z]:\//.test(p) ? `/${p}` : p;
  if (!abs.startsWith('/')) return undefined;
  const segs = abs.split('/').filter((s) => s !== '');
  if (segs.length === 0 || segs.some((s) => s === '.' || s === '..')) return undefined;
  segs[segs.length - 1] = segs[segs.length - 1].replace(/\.git$/i, '');
  if (segs[segs.length - 1] === '') return undefined;
  const out = `file:///${segs.join('/')}`;
  return utf8Bytes(out) <= MAX_SNIPPET_REPO_BYTES ? out : undefined;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Whether `s` is a remote URL in the canonical form (it normalises to itself). */
export function isCanonicalRemote(s: string): boolean {
  if (utf8Bytes(s) > MAX_SNIPPET_REPO_BYTES) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f\\@]/.test(s)) return false;
  if (s.startsWith('file:///')) return normaliseRemoteUrl(s) === s;
  // host/path: normalise it as if it were https://host/path.
  return /^(\[[0-9a-f:.]+\]|[^/:[\]]+)(\/[^/]+)+$/.test(s) && normaliseRemoteUrl(`https://${s}`) === s;
}

/** The canonical form of the preferred remote: `origin` if there is one, else the first that normalises. */
export function preferredRemote(remotes: ReadonlyArray<{ name: string; url?: string }>): string | undefined {
  const ordered = [...remotes.filter((r) => r.name === 'origin'), ...remotes.filter((r) => r.name !== 'origin')];
  for (const r of ordered) {
    const n = r.url ? normaliseRemoteUrl(r.url) : undefined;
    if (n) return n;
  }
  return undefined;
}

// ---- lines ------------------------------------------------------------------------------------

/** Splits text into lines (`\n`, `\r\n` or `\r`); a final line break does not make an empty last line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Lines start…end (1-based, inclusive) of `text`, or undefined if the text has fewer lines. */
export function linesOf(text: string, startLine: number, endLine: number): string[] | undefined {
  const lines = splitLines(text);
  if (endLine > lines.length || startLine < 1 || endLine < startLine) return undefined;
  return lines.slice(startLine - 1, endLine);
}

/** Whether the snippet's text is exactly lines start…end of `fileText` (line endings aside). */
export function sameLines(fileText: string, startLine: number, endLine: number, snippetText: string): boolean {
  const there = linesOf(fileText, startLine, endLine);
  if (!there) return false;
  const mine = splitLines(snippetText);
  return mine.length === there.length && mine.every((l, i) => l === there[i]);
}

/**
 * Where the snippet's lines are in `fileText` now: at its own range if they are still there,
 * else the first place they occur whole (code moved by edits above it). Undefined if nowhere.
 */
export function findLines(fileText: string, s: Pick<CodeSnippet, 'text' | 'startLine' | 'endLine'>): { startLine: number; endLine: number } | undefined {
  if (sameLines(fileText, s.startLine, s.endLine, s.text)) return { startLine: s.startLine, endLine: s.endLine };
  const mine = splitLines(s.text);
  const lines = splitLines(fileText);
  // A run of blank lines would match anywhere: only look for text with something in it.
  if (mine.every((l) => l.trim() === '')) return undefined;
  outer: for (let i = 0; i + mine.length <= lines.length; i++) {
    for (let j = 0; j < mine.length; j++) if (lines[i + j] !== mine[j]) continue outer;
    return { startLine: i + 1, endLine: i + mine.length };
  }
  return undefined;
}

/**
 * Whether the snippet's lines differ from what the commit has there: the sender's "uncommitted
 * changes" flag. `committed` is the file at HEAD (undefined: not in HEAD, e.g. a new file).
 */
export function linesChangedSinceCommit(committed: string | undefined, startLine: number, endLine: number, text: string): boolean {
  return committed === undefined || !sameLines(committed, startLine, endLine, text);
}

/** The working copy with the snippet's lines in place of the lines at its range: the diff's left side. */
export function withLinesReplaced(working: string, s: CodeSnippet): string {
  const lines = splitLines(working);
  const eol = working.includes('\r\n') ? '\r\n' : '\n';
  const before = lines.slice(0, Math.min(s.startLine - 1, lines.length));
  const after = linesOf(working, s.startLine, s.endLine) ? lines.slice(s.endLine) : [];
  return [...before, ...splitLines(s.text), ...after].join(eol) + (working.endsWith('\n') ? eol : '');
}

// ---- the sender's side ------------------------------------------------------------------------

/** What the sender's git knows about the file (the terminal asks the git CLI, the extension vscode.git). */
export interface SenderRepoInfo {
  remotes: ReadonlyArray<{ name: string; url?: string }>;
  commit?: string;
  branch?: string;
  /** The file as committed at HEAD; undefined if it is not in HEAD (new, untracked). */
  committed?: string;
}

/**
 * Builds a snippet from a file's text and a line range (whole file without one), or says why
 * not (a range beyond the file, an empty file). `relPath` is already repo-relative and checked.
 */
export function makeSnippet(args: {
  fileText: string;
  relPath: string;
  language: string;
  startLine?: number;
  endLine?: number;
  repo?: SenderRepoInfo;
}): CodeSnippet | { error: string } {
  const lines = splitLines(args.fileText);
  const total = args.fileText === '' ? 0 : lines.length;
  if (total === 0) return { error: `${args.relPath} is empty.` };
  const start = args.startLine ?? 1;
  const end = args.endLine ?? (args.startLine ?? total);
  if (start < 1 || end < start) return { error: `Bad line range ${start}-${end}: lines start at 1 and the range must not end before it starts.` };
  if (end > total) return { error: `Lines ${start}-${end} are beyond the end of ${args.relPath}, which has ${total} line${total === 1 ? '' : 's'}.` };
  const text = lines.slice(start - 1, end).join('\n');
  const s: CodeSnippet = { text, language: safeLanguageId(args.language), path: args.relPath, startLine: start, endLine: end, dirty: false };
  if (args.repo) {
    const repo = preferredRemote(args.repo.remotes);
    if (repo) s.repo = repo;
    if (args.repo.commit && /^[0-9a-f]{7,64}$/.test(args.repo.commit)) s.commit = args.repo.commit;
    if (args.repo.branch && isBranchName(args.repo.branch)) s.branch = args.repo.branch;
    s.dirty = linesChangedSinceCommit(args.repo.committed, start, end, text);
  }
  return s;
}

// ---- the recipient's decision -----------------------------------------------------------------

/** A repository the recipient has open: its root, the workspace folder that holds it, its remotes. */
export interface LocalRepository {
  /** The repository's root (absolute). */
  root: string;
  /** The folder paths may not leave: the workspace folder, or the root if it lies inside it. */
  confine: string;
  /** Canonical remote URLs (every remote of the repository). */
  remotes: string[];
}

/** How the recipient's side reaches git and files; the extension implements it with vscode.git. */
export interface RepoAccess {
  /** The repositories open in the workspace. */
  repositories(): Promise<LocalRepository[]>;
  /**
   * The working copy's text of `absPath`, or undefined if there is none. Called only with a path
   * inside a repository's `confine` folder.
   */
  readFile(absPath: string): Promise<string | undefined>;
}

/** What Open does with a snippet. */
export type OpenDecision =
  /** Open `file` and select the lines: they still read as the snippet does (maybe moved: `moved`). */
  | { kind: 'open'; file: string; startLine: number; endLine: number; moved: boolean }
  /**
   * Show the sender's text beside the working copy (`vscode.diff`): the lines changed since the
   * commit, on the sender's side (uncommitted changes) or here.
   */
  | { kind: 'diff'; file: string; startLine: number; endLine: number }
  /**
   * An untitled editor in the snippet's language: the snippet names no repository (`no-repo`),
   * none here has its remote (`no-match`), or the one that has lacks the file (`no-file`).
   */
  | { kind: 'untitled'; reason: 'no-repo' | 'no-match' | 'no-file' };

/** Joins a checked repo-relative path to a root (both `/`-separated or native); undefined if it would leave `confine`. */
export function confinedJoin(root: string, confine: string, relPath: string, sep = '/'): string | undefined {
  if (repoPathProblem(relPath)) return undefined;
  const norm = (p: string) => p.replace(/[\\/]+/g, '/').replace(/\/$/, '');
  const full = `${norm(root)}/${relPath}`;
  const c = norm(confine);
  if (full !== c && !full.startsWith(`${c}/`)) return undefined;
  return sep === '/' ? full : full.replace(/\//g, sep);
}

/**
 * Decides what Open does (README "Sharing code"): the repository here whose remote is the
 * snippet's; if its working copy has the snippet's lines (at its range or moved), open them;
 * else a diff of the sender's text against the working copy. No repository with that remote
 * (or a snippet without one): untitled.
 */
export async function resolveCodeLink(s: CodeSnippet, access: RepoAccess): Promise<OpenDecision> {
  if (!s.repo || snippetProblem(s)) return { kind: 'untitled', reason: 'no-repo' };
  const repos = (await access.repositories()).filter((r) => r.remotes.includes(s.repo!));
  for (const repo of repos) {
    const file = confinedJoin(repo.root, repo.confine, s.path);
    if (!file) continue;
    const text = await access.readFile(file);
    if (text === undefined) continue;
    const at = findLines(text, s);
    if (at) return { kind: 'open', file, ...at, moved: at.startLine !== s.startLine };
    return { kind: 'diff', file, startLine: s.startLine, endLine: s.endLine };
  }
  // The repository is here but not the file (deleted, renamed, or on another branch).
  if (repos.length > 0) return { kind: 'untitled', reason: 'no-file' };
  return { kind: 'untitled', reason: 'no-match' };
}

// ---- describing a snippet ---------------------------------------------------------------------

/** `src/x.ts:10-20` (or `:10` for one line). */
export function snippetLocation(s: Pick<CodeSnippet, 'path' | 'startLine' | 'endLine'>): string {
  return `${s.path}:${s.startLine}${s.endLine !== s.startLine ? `-${s.endLine}` : ''}`;
}

/** `github.com/org/repo @ abc1234, uncommitted changes` (what follows the location), or ''. */
export function snippetOrigin(s: Pick<CodeSnippet, 'repo' | 'commit' | 'branch' | 'dirty'>): string {
  const parts: string[] = [];
  if (s.repo) parts.push(s.commit ? `${s.repo} @ ${s.commit.slice(0, 7)}` : s.repo);
  else if (s.commit) parts.push(`@ ${s.commit.slice(0, 7)}`);
  if (s.dirty) parts.push('uncommitted changes');
  return parts.join(', ');
}

// ---- languages --------------------------------------------------------------------------------

/** VS Code language ids by file extension, for the terminal client (the extension asks VS Code). */
const LANGUAGE_BY_EXTENSION: Record<string, string> = {
  ts: 'typescript', mts: 'typescript', cts: 'typescript', tsx: 'typescriptreact',
  js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'javascriptreact',
  json: 'json', jsonc: 'jsonc', md: 'markdown', py: 'python', rs: 'rust', go: 'go',
  c: 'c', h: 'c', cc: 'cpp', cpp: 'cpp', cxx: 'cpp', hpp: 'cpp', hh: 'cpp', cs: 'csharp',
  java: 'java', kt: 'kotlin', rb: 'ruby', php: 'php', swift: 'swift', scala: 'scala',
  sh: 'shellscript', bash: 'shellscript', zsh: 'shellscript', ps1: 'powershell',
  css: 'css', scss: 'scss', less: 'less', html: 'html', htm: 'html', xml: 'xml', svg: 'xml',
  yml: 'yaml', yaml: 'yaml', toml: 'toml', ini: 'ini', sql: 'sql', lua: 'lua', r: 'r',
  dockerfile: 'dockerfile', makefile: 'makefile', vue: 'vue', dart: 'dart', ex: 'elixir', exs: 'elixir',
  hs: 'haskell', ml: 'ocaml', clj: 'clojure', diff: 'diff', patch: 'diff', txt: 'plaintext',
};

/** The language id for a file name (by extension, or the whole name for Dockerfile/Makefile). */
export function languageForPath(path: string): string {
  const name = path.split(/[\\/]/).pop()!.toLowerCase();
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name;
  return LANGUAGE_BY_EXTENSION[ext] ?? 'plaintext';
}

/** A language id sent by a peer or given by VS Code, made safe to carry: lower case, else plaintext. */
export function safeLanguageId(id: string): string {
  const l = id.toLowerCase();
  return LANGUAGE_RE.test(l) ? l : 'plaintext';
}
