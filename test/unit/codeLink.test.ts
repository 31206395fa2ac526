/**
 * Portable code links (src/shared/codeLink.ts; README "Sharing code"): the canonical remote URL,
 * the checks every field from the network passes, building a snippet, and what Open decides.
 */
import * as assert from 'node:assert/strict';
import {
  CodeSnippet,
  LocalRepository,
  MAX_SNIPPET_TEXT_BYTES,
  RepoAccess,
  confinedJoin,
  findLines,
  isCanonicalRemote,
  languageForPath,
  makeSnippet,
  normaliseRemoteUrl,
  repoPathProblem,
  resolveCodeLink,
  snippetLocation,
  snippetOrigin,
  snippetProblem,
  withLinesReplaced,
} from '../../src/shared/codeLink';

const base: CodeSnippet = { text: 'b\nc', language: 'typescript', path: 'src/x.ts', startLine: 2, endLine: 3, repo: 'github.com/org/repo', commit: 'abc1234def', dirty: false };

describe('shared/codeLink', () => {
  describe('normaliseRemoteUrl: every way of naming one repository gives one form', () => {
    const table: Array<[string, string | undefined]> = [
      ['git@github.com:org/repo.git', 'github.com/org/repo'],
      ['https://github.com/org/repo', 'github.com/org/repo'],
      ['https://github.com/org/repo.git/', 'github.com/org/repo'],
      ['https://user:s3cret@GitHub.com/org/repo.git', 'github.com/org/repo'],
      ['ssh://git@github.com:22/org/repo.git', 'github.com/org/repo'],
      ['ssh://git@host:2222/org/repo.git', 'host/org/repo'],
      ['git://github.com/org/repo', 'github.com/org/repo'],
      ['git+ssh://git@github.com/org/repo.git', 'github.com/org/repo'],
      ['http://gitlab.example.com:8080/group/sub/repo.git', 'gitlab.example.com/group/sub/repo'],
      ['file:///srv/git/repo.git', 'file:///srv/git/repo'],
      ['/srv/git/repo.git', 'file:///srv/git/repo'],
      ['/srv/git/repo/', 'file:///srv/git/repo'],
      ['file://localhost/srv/git/repo.git', 'file:///srv/git/repo'],
      ['C:\\git\\repo.git', 'file:///C:/git/repo'],
      ['ssh://git@[::1]:2222/org/repo.git', '[::1]/org/repo'],
      ['../relative/repo.git', undefined],
      ['repo', undefined],
      ['ftp://host/org/repo', undefined],
      ['https://host/org/../repo', undefined],
      ['https://host', undefined],
      ['', undefined],
    ];
    for (const [raw, want] of table) {
      it(`${JSON.stringify(raw)} → ${JSON.stringify(want)}`, () => assert.equal(normaliseRemoteUrl(raw), want));
    }
    it('the canonical form is a fixed point and the only form accepted from the network', () => {
      for (const [raw, want] of table) {
        if (want) assert.ok(isCanonicalRemote(want), want);
        if (want !== raw) assert.equal(isCanonicalRemote(raw), false, raw);
      }
      assert.equal(isCanonicalRemote('github.com/org/repo.git'), false);
      assert.equal(isCanonicalRemote('GitHub.com/org/repo'), false);
      assert.equal(isCanonicalRemote('user@github.com/org/repo'), false);
    });
  });

  describe('fields from the network', () => {
    it('accepts a well-formed snippet', () => assert.equal(snippetProblem(base), undefined));
    for (const p of ['../etc/passwd', 'src/../../x', '/etc/passwd', 'C:/Windows/x', 'src\\x.ts', 'a//b', './x', 'x/', '', 'a\u0000b']) {
      it(`refuses the path ${JSON.stringify(p)}`, () => {
        assert.ok(repoPathProblem(p));
        assert.ok(snippetProblem({ ...base, path: p }));
      });
    }
    it('refuses line ranges that are not 1 ≤ start ≤ end', () => {
      for (const [a, b] of [[0, 1], [3, 2], [1.5, 2], [1, 1e9]]) assert.ok(snippetProblem({ ...base, startLine: a, endLine: b }), `${a}-${b}`);
    });
    it('refuses a language id that is not a short token, a URL not in canonical form, a bad commit or branch, too much text', () => {
      assert.ok(snippetProblem({ ...base, language: '<script>' }));
      assert.ok(snippetProblem({ ...base, language: 'x'.repeat(40) }));
      assert.ok(snippetProblem({ ...base, repo: 'https://github.com/org/repo' }));
      assert.ok(snippetProblem({ ...base, commit: 'not-hex' }));
      assert.ok(snippetProblem({ ...base, branch: 'a b' }));
      assert.ok(snippetProblem({ ...base, text: 'x'.repeat(MAX_SNIPPET_TEXT_BYTES + 1) }));
      assert.equal(snippetProblem({ ...base, text: 'x'.repeat(MAX_SNIPPET_TEXT_BYTES) }), undefined);
    });
    it('confinedJoin never leaves the folder', () => {
      assert.equal(confinedJoin('/w/repo', '/w/repo', 'src/x.ts'), '/w/repo/src/x.ts');
      assert.equal(confinedJoin('/w/repo', '/w/repo', '../other/x.ts'), undefined);
      // A workspace folder inside the repository: paths elsewhere in the repository stay shut.
      assert.equal(confinedJoin('/w/repo', '/w/repo/pkg', 'src/x.ts'), undefined);
      assert.equal(confinedJoin('/w/repo', '/w/repo/pkg', 'pkg/x.ts'), '/w/repo/pkg/x.ts');
    });
  });

  describe('makeSnippet (the sender)', () => {
    const file = 'a\nb\nc\nd\n';
    it('cuts the lines, normalises the remote, and says whether the lines differ from HEAD', () => {
      const s = makeSnippet({
        fileText: file, relPath: 'src/x.ts', language: 'typescript', startLine: 2, endLine: 3,
        repo: { remotes: [{ name: 'upstream', url: 'https://example.com/u/r' }, { name: 'origin', url: 'git@github.com:org/repo.git' }], commit: 'abc1234def', branch: 'main', committed: file },
      });
      assert.deepEqual(s, { text: 'b\nc', language: 'typescript', path: 'src/x.ts', startLine: 2, endLine: 3, repo: 'github.com/org/repo', commit: 'abc1234def', branch: 'main', dirty: false });
    });
    it('uncommitted changes in those lines make it dirty; elsewhere they do not', () => {
      const repo = { remotes: [], commit: 'abc1234def', committed: 'a\nB\nc\nd\n' };
      assert.equal((makeSnippet({ fileText: file, relPath: 'x', language: 'c', startLine: 2, endLine: 3, repo }) as CodeSnippet).dirty, true);
      assert.equal((makeSnippet({ fileText: file, relPath: 'x', language: 'c', startLine: 3, endLine: 4, repo }) as CodeSnippet).dirty, false);
      // Not in HEAD at all (a new file): dirty.
      assert.equal((makeSnippet({ fileText: file, relPath: 'x', language: 'c', startLine: 1, endLine: 1, repo: { remotes: [] } }) as CodeSnippet).dirty, true);
    });
    it('no git: no repository, commit or branch, never dirty', () => {
      const s = makeSnippet({ fileText: file, relPath: 'x.py', language: 'python' }) as CodeSnippet;
      assert.deepEqual(s, { text: 'a\nb\nc\nd', language: 'python', path: 'x.py', startLine: 1, endLine: 4, dirty: false });
    });
    it('a range beyond the file, or an empty file, is an error that says so', () => {
      assert.match((makeSnippet({ fileText: file, relPath: 'x', language: 'c', startLine: 3, endLine: 9 }) as { error: string }).error, /beyond the end of x, which has 4 lines/);
      assert.match((makeSnippet({ fileText: '', relPath: 'x', language: 'c' }) as { error: string }).error, /empty/);
    });
    it('describes the location and origin', () => {
      assert.equal(snippetLocation(base), 'src/x.ts:2-3');
      assert.equal(snippetLocation({ ...base, endLine: 2 }), 'src/x.ts:2');
      assert.equal(snippetOrigin({ ...base, dirty: true }), 'github.com/org/repo @ abc1234, uncommitted changes');
      assert.equal(snippetOrigin({ dirty: false }), '');
      assert.equal(languageForPath('a/b/main.rs'), 'rust');
      assert.equal(languageForPath('Dockerfile'), 'dockerfile');
      assert.equal(languageForPath('weird.zzz'), 'plaintext');
    });
  });

  describe('resolveCodeLink (the recipient’s Open)', () => {
    /** A fake workspace: repositories and the files in them; records every path read. */
    function workspace(repos: LocalRepository[], files: Record<string, string>): RepoAccess & { reads: string[] } {
      const reads: string[] = [];
      return {
        reads,
        repositories: async () => repos,
        readFile: async (p) => {
          reads.push(p);
          return files[p];
        },
      };
    }
    const same: LocalRepository = { root: '/w/clone', confine: '/w/clone', remotes: ['github.com/org/repo'] };
    const other: LocalRepository = { root: '/w/other', confine: '/w/other', remotes: ['github.com/org/other'] };

    it('same repository, lines unchanged: open at those lines', async () => {
      const ws = workspace([other, same], { '/w/clone/src/x.ts': 'a\nb\nc\nd\n' });
      assert.deepEqual(await resolveCodeLink(base, ws), { kind: 'open', file: '/w/clone/src/x.ts', startLine: 2, endLine: 3, moved: false });
    });
    it('same repository, lines moved by edits above: open where they are now', async () => {
      const ws = workspace([same], { '/w/clone/src/x.ts': 'new\nnew\na\nb\nc\nd\n' });
      assert.deepEqual(await resolveCodeLink(base, ws), { kind: 'open', file: '/w/clone/src/x.ts', startLine: 4, endLine: 5, moved: true });
    });
    it('same repository, lines changed since the commit: a diff', async () => {
      const ws = workspace([same], { '/w/clone/src/x.ts': 'a\nB!\nc\nd\n' });
      assert.deepEqual(await resolveCodeLink(base, ws), { kind: 'diff', file: '/w/clone/src/x.ts', startLine: 2, endLine: 3 });
    });
    it('the sender had uncommitted changes there: a diff against our (committed) copy', async () => {
      const ws = workspace([same], { '/w/clone/src/x.ts': 'a\nb\nc\nd\n' });
      const dirty = { ...base, text: 'b\nc // edited, not committed', dirty: true };
      assert.deepEqual(await resolveCodeLink(dirty, ws), { kind: 'diff', file: '/w/clone/src/x.ts', startLine: 2, endLine: 3 });
    });
    it('another repository only: untitled, and nothing is read', async () => {
      const ws = workspace([other], { '/w/other/src/x.ts': 'a\nb\nc\n' });
      assert.deepEqual(await resolveCodeLink(base, ws), { kind: 'untitled', reason: 'no-match' });
      assert.deepEqual(ws.reads, []);
    });
    it('no git on the sender’s side (no repository in the snippet): untitled', async () => {
      const ws = workspace([same], { '/w/clone/src/x.ts': 'a\nb\nc\n' });
      const { repo: _r, commit: _c, ...noGit } = base;
      assert.deepEqual(await resolveCodeLink(noGit, ws), { kind: 'untitled', reason: 'no-repo' });
    });
    it('the repository is here but not the file: untitled', async () => {
      assert.deepEqual(await resolveCodeLink(base, workspace([same], {})), { kind: 'untitled', reason: 'no-file' });
    });
    it('a hostile path never reads outside the folder', async () => {
      const ws = workspace([same], { '/w/secret': 'b\nc\n', '/etc/passwd': 'b\nc\n' });
      for (const path of ['../secret', '/etc/passwd', 'src/../../secret', '..\\secret']) {
        const d = await resolveCodeLink({ ...base, path }, ws);
        assert.notEqual(d.kind, 'open', path);
        assert.notEqual(d.kind, 'diff', path);
      }
      assert.deepEqual(ws.reads, []);
    });
    it('the diff’s left side is the working copy with the sender’s lines in their place', () => {
      assert.equal(withLinesReplaced('a\nB!\nc\nd\n', base), 'a\nb\nc\nd\n');
      assert.equal(withLinesReplaced('a\r\nB\r\nC\r\n', base), 'a\r\nb\r\nc\r\n');
      // The working copy is shorter than the range: the sender's lines go at the end.
      assert.equal(withLinesReplaced('a\n', { ...base, startLine: 5, endLine: 6 }), 'a\nb\nc\n');
    });
    it('findLines ignores blank-only text, and finds the first whole occurrence', () => {
      assert.equal(findLines('x\n\n\ny\n', { text: '\n', startLine: 9, endLine: 10 }), undefined);
      assert.deepEqual(findLines('q\nb\nc\nb\nc\n', { text: 'b\nc', startLine: 7, endLine: 8 }), { startLine: 2, endLine: 3 });
    });
  });
});
