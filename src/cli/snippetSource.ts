import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PeerChatError } from '../protocol/errors';
import { CodeSnippet, MAX_SNIPPET_TEXT_BYTES, SenderRepoInfo, languageForPath, makeSnippet, repoPathProblem } from '../shared/codeLink';

/**
 * The terminal client's `/snippet [@nick] PATH[:START[-END]]`: reads the lines, and asks the git
 * CLI for the portable code link (README "Sharing code"). Every failure is a PeerChatError whose
 * message says what to do (no such file, a bad range, too large: /sendfile).
 */

/** What the snippet needs from git, behind an interface so tests and other front ends can swap it. */
export interface GitSource {
  /** The repository holding `dir` (its root, real path), or undefined outside one (or without git). */
  root(dir: string): Promise<string | undefined>;
  /** The repository's remotes, HEAD's commit and branch, and the file at HEAD. */
  info(root: string, relPath: string): Promise<SenderRepoInfo>;
}

/** Longest a git command may take (ms): a hung credential helper must not hang /snippet. */
const GIT_TIMEOUT_MS = 5_000;
/** Largest output read from git (bytes): the file at HEAD may be as large as the snippet's file. */
const GIT_MAX_BUFFER = 64 * 1024 * 1024;

function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: GIT_TIMEOUT_MS, maxBuffer: GIT_MAX_BUFFER, windowsHide: true, encoding: 'utf8' }, (err, stdout) =>
      resolve(err ? undefined : stdout),
    );
  });
}

/** GitSource on the `git` command line. */
export const gitCli: GitSource = {
  async root(dir) {
    const out = await git(dir, ['rev-parse', '--show-toplevel']);
    return out ? fs.realpath(out.trim()).catch(() => undefined) : undefined;
  },
  async info(root, relPath) {
    const remotes: Array<{ name: string; url?: string }> = [];
    for (const line of ((await git(root, ['remote', '-v'])) ?? '').split('\n')) {
      const m = /^(\S+)\s+(\S+)\s+\(fetch\)$/.exec(line.trim());
      if (m) remotes.push({ name: m[1], url: m[2] });
    }
    const commit = (await git(root, ['rev-parse', '--verify', '-q', 'HEAD']))?.trim() || undefined;
    const branch = (await git(root, ['symbolic-ref', '-q', '--short', 'HEAD']))?.trim() || undefined;
    // The path as committed: `HEAD:path` is relative to the root (cwd is the root).
    const committed = commit ? await git(root, ['show', `HEAD:${relPath}`]) : undefined;
    return { remotes, commit, branch, committed };
  },
};

/** Builds the snippet for `/snippet`: `file` as typed (relative to `cwd`), lines start…end (all without). */
export async function snippetFromFile(
  file: string,
  range: { startLine?: number; endLine?: number },
  opts: { cwd?: string; git?: GitSource } = {},
): Promise<CodeSnippet> {
  const cwd = opts.cwd ?? process.cwd();
  const source = opts.git ?? gitCli;
  const abs = path.resolve(cwd, file);
  let real: string;
  let stat;
  try {
    real = await fs.realpath(abs);
    stat = await fs.stat(real);
  } catch {
    throw new PeerChatError('FILE_NOT_FOUND', `No such file: ${file}`);
  }
  if (!stat.isFile()) throw new PeerChatError('NOT_A_FILE', `${file} is not a regular file.`);
  // Read at most a little more than a snippet can hold when the whole file is asked for: a
  // larger one is refused as a whole (send it as a file), a range is cut from any size.
  if (range.startLine === undefined && stat.size > MAX_SNIPPET_TEXT_BYTES + 4) {
    throw new PeerChatError(
      'MESSAGE_TOO_LONG',
      `${file} is ${stat.size} bytes; a snippet holds at most ${MAX_SNIPPET_TEXT_BYTES} bytes (64 KiB). Share a line range, or send the file: /sendfile @nick ${file}`,
    );
  }
  const bytes = await fs.readFile(real);
  if (bytes.includes(0)) throw new PeerChatError('BAD_COMMAND', `${file} looks binary; send it as a file: /sendfile @nick ${file}`);
  const fileText = bytes.toString('utf8');
  const root = await source.root(path.dirname(real));
  // Repo-relative when in a repository, else relative to where we are (or just the name).
  const base = root ?? cwd;
  let rel = path.relative(base, real).split(path.sep).join('/');
  if (repoPathProblem(rel)) rel = path.basename(real);
  const repo = root ? await source.info(root, rel) : undefined;
  const s = makeSnippet({ fileText, relPath: rel, language: languageForPath(real), startLine: range.startLine, endLine: range.endLine, repo });
  if ('error' in s) throw new PeerChatError('BAD_COMMAND', s.error);
  return s;
}
