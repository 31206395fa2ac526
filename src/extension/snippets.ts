/**
 * Code snippets in VS Code (README "Sharing code"): Share Selection with Peer… builds a snippet
 * from the editor's selection, with its code link from VS Code's Git extension (`vscode.git`);
 * Open decides with resolveCodeLink (src/shared/codeLink.ts) whether to open the file at those
 * lines, show a diff, or an untitled editor; Copy copies the text.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  type CodeSnippet,
  type LocalRepository,
  type RepoAccess,
  MAX_SNIPPET_TEXT_BYTES,
  makeSnippet,
  normaliseRemoteUrl,
  repoPathProblem,
  resolveCodeLink,
  snippetLocation,
  utf8Bytes,
  withLinesReplaced,
} from '../shared/codeLink';
import { confinedRealPath, readConfined } from './confinedFile';
import { Disposable } from './dispose';
import type { SessionClient } from './sessionClient';
import { PeerChatError } from '../protocol/errors';

// ---- the parts of the Git extension's API (vscode.git, getAPI(1)) used here ---------------------

interface GitRemote {
  name: string;
  fetchUrl?: string;
  pushUrl?: string;
}
interface GitRepository {
  rootUri: vscode.Uri;
  state: { remotes: GitRemote[]; HEAD?: { name?: string; commit?: string } };
  show(ref: string, path: string): Promise<string>;
}
interface GitApi {
  state: 'uninitialized' | 'initialized';
  onDidChangeState: vscode.Event<'uninitialized' | 'initialized'>;
  repositories: GitRepository[];
  getRepository(uri: vscode.Uri): GitRepository | null;
  openRepository?(root: vscode.Uri): Promise<GitRepository | null>;
}

/** Longest wait for the Git extension to find the workspace's repositories (ms). */
const GIT_READY_MS = 5_000;

/** The Git extension's API once it has looked at the workspace, or undefined (disabled, missing). */
async function gitApi(): Promise<GitApi | undefined> {
  const ext = vscode.extensions.getExtension<{ enabled: boolean; getAPI(version: 1): GitApi }>('vscode.git');
  if (!ext) return undefined;
  try {
    const exports = ext.isActive ? ext.exports : await ext.activate();
    if (!exports.enabled) return undefined;
    const api = exports.getAPI(1);
    if (api.state !== 'initialized') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, GIT_READY_MS);
        const sub = api.onDidChangeState((s) => {
          if (s !== 'initialized') return;
          clearTimeout(timer);
          sub.dispose();
          resolve();
        });
      });
    }
    return api;
  } catch {
    return undefined;
  }
}

/** The repository holding `uri`, asking the Git extension to open it if it has not yet. */
async function repositoryFor(api: GitApi, uri: vscode.Uri): Promise<GitRepository | undefined> {
  return api.getRepository(uri) ?? (await api.openRepository?.(uri).catch(() => null)) ?? undefined;
}

// ---- sharing --------------------------------------------------------------------------------------

/** The lines the selection covers (a selection ending at column 0 of a line does not take that line). */
export function selectedLines(sel: vscode.Selection): { startLine: number; endLine: number } {
  const start = sel.start.line;
  let end = sel.end.line;
  if (end > start && sel.end.character === 0) end--;
  return { startLine: start + 1, endLine: end + 1 };
}

/**
 * The snippet for the editor's selection: whole lines, the repo-relative path, and the remote,
 * commit and branch from the Git extension; `dirty` when those lines differ from HEAD (unsaved or
 * uncommitted edits). Throws with what to do when there is no selection.
 */
export async function snippetFromEditor(editor: vscode.TextEditor): Promise<CodeSnippet> {
  if (editor.selection.isEmpty) throw new Error('Select the lines to share first, then run Share Selection with Peer….');
  const { startLine, endLine } = selectedLines(editor.selection);
  return snippetFromDocument(editor.document, startLine, endLine);
}

/** The snippet for lines start…end of a document (the whole of it without them); see snippetFromEditor. */
export async function snippetFromDocument(doc: vscode.TextDocument, startLine?: number, endLine?: number): Promise<CodeSnippet> {
  let relPath = path.basename(doc.uri.path) || 'untitled';
  let repoInfo: Parameters<typeof makeSnippet>[0]['repo'];
  const api = doc.uri.scheme === 'file' ? await gitApi() : undefined;
  const repo = api ? await repositoryFor(api, doc.uri) : undefined;
  if (repo) {
    const rel = path.relative(repo.rootUri.fsPath, doc.uri.fsPath).split(path.sep).join('/');
    if (!repoPathProblem(rel)) relPath = rel;
    const committed = await repo.show('HEAD', doc.uri.fsPath).catch(() => undefined);
    repoInfo = {
      remotes: repo.state.remotes.map((r) => ({ name: r.name, url: r.fetchUrl ?? r.pushUrl })),
      commit: repo.state.HEAD?.commit,
      branch: repo.state.HEAD?.name,
      committed,
    };
  } else {
    const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
    const rel = folder ? path.relative(folder.uri.fsPath, doc.uri.fsPath).split(path.sep).join('/') : '';
    if (rel && !repoPathProblem(rel)) relPath = rel;
  }
  const s = makeSnippet({ fileText: doc.getText(), relPath, language: doc.languageId, startLine, endLine, repo: repoInfo });
  if ('error' in s) throw new Error(s.error);
  return s;
}

/** The panel's `/snippet PATH[:START[-END]]`: lines of `file` (typed as `typed`), with clear errors. */
export async function snippetFromFile(file: string, typed: string, startLine?: number, endLine?: number): Promise<CodeSnippet> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file)).then(
    (d) => d,
    () => {
      throw new PeerChatError('FILE_NOT_FOUND', `No such file: ${typed}`);
    },
  );
  const snippet = await snippetFromDocument(doc, startLine, endLine);
  if (snippetTooLarge(snippet)) {
    throw new PeerChatError('MESSAGE_TOO_LONG', `${typed} is over 64 KiB: share a line range, or send the file: /sendfile @nick ${typed}`);
  }
  return snippet;
}

/**
 * Share Selection with Peer…: the editor's selection as a snippet, to everyone or one member
 * (asked in a quick pick). Over 64 KiB it offers to send the file instead (`sendFile`). Resolves
 * true once shared, false when the user turned back.
 */
export async function shareSelection(
  editor: vscode.TextEditor | undefined,
  client: Pick<SessionClient, 'online' | 'shareSnippet'>,
  sendFile: (file: string) => Promise<void>,
): Promise<boolean> {
  if (!editor) throw new Error('Open a file and select the lines to share first.');
  const snippet = await snippetFromEditor(editor);
  const file = editor.document.uri.scheme === 'file' ? editor.document.uri.fsPath : undefined;
  if (snippetTooLarge(snippet)) {
    const send = 'Send the File';
    const kib = Math.ceil(utf8Bytes(snippet.text) / 1024);
    const a = await vscode.window.showWarningMessage(
      `The selection is ${kib} KiB; a snippet holds at most 64 KiB.${file ? ' Send the whole file instead?' : ' Save it to a file and send that.'}`,
      ...(file ? [send] : []),
    );
    if (a === send && file) await sendFile(file);
    return false;
  }
  const nicks = client.online();
  const everyone = '$(broadcast) Everyone';
  const picked = await vscode.window.showQuickPick(
    [{ label: everyone, description: nicks.length === 0 ? 'no one else is online' : `${nicks.length} online` }, ...nicks.map((n) => ({ label: n, description: undefined as string | undefined }))],
    { title: `Share ${snippetLocation(snippet)} with…`, placeHolder: 'Everyone, or one member' },
  );
  if (!picked) return false;
  await client.shareSnippet(snippet, picked.label === everyone ? undefined : picked.label);
  return true;
}

/** Whether a snippet is over the size a snippet may have (then it is offered as a file). */
export function snippetTooLarge(s: CodeSnippet): boolean {
  return utf8Bytes(s.text) > MAX_SNIPPET_TEXT_BYTES;
}

// ---- opening ----------------------------------------------------------------------------------------

/** The URI scheme of the sender's side of a snippet's diff (read-only documents held here). */
export const SNIPPET_SCHEME = 'peerchat-snippet';

/**
 * Open and Copy on a snippet card. Holds the left-hand documents of the diffs it opened (the
 * sender's text in the working copy's surroundings), served read-only under SNIPPET_SCHEME.
 */
export class SnippetOpener extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly documents = new Map<string, string>();
  private next = 1;

  constructor(private readonly log: vscode.LogOutputChannel) {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(SNIPPET_SCHEME, this));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.documents.get(uri.query) ?? '';
  }

  async copy(s: CodeSnippet): Promise<void> {
    await vscode.env.clipboard.writeText(s.text);
    void vscode.window.setStatusBarMessage(`Copied ${snippetLocation(s)}`, 3_000);
  }

  /** Opens the snippet where it belongs in this workspace (see resolveCodeLink). */
  async open(s: CodeSnippet, from: string): Promise<void> {
    const decision = await resolveCodeLink(s, await this.repoAccess());
    this.log.info(`Open ${snippetLocation(s)} from ${from}: ${JSON.stringify(decision)}`);
    switch (decision.kind) {
      case 'open': {
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(decision.file));
        const range = new vscode.Range(decision.startLine - 1, 0, decision.endLine - 1, doc.lineAt(Math.min(decision.endLine, doc.lineCount) - 1).text.length);
        const editor = await vscode.window.showTextDocument(doc, { preview: false, selection: range });
        editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        if (decision.moved) {
          void vscode.window.showInformationMessage(`The lines ${from} shared as ${snippetLocation(s)} are at lines ${decision.startLine}-${decision.endLine} in your copy.`);
        }
        return;
      }
      case 'diff': {
        const right = vscode.Uri.file(decision.file);
        const working = (await vscode.workspace.openTextDocument(right)).getText();
        const key = String(this.next++);
        this.documents.set(key, withLinesReplaced(working, s));
        const left = vscode.Uri.from({ scheme: SNIPPET_SCHEME, path: `/${from}/${s.path}`, query: key });
        const title = `${path.basename(s.path)}: ${from}'s lines ${s.startLine}-${s.endLine}${s.commit ? ` (${s.commit.slice(0, 7)}${s.dirty ? ', uncommitted' : ''})` : ''} ↔ yours`;
        const line = s.startLine - 1;
        await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: false, selection: new vscode.Range(line, 0, line, 0) });
        return;
      }
      case 'untitled': {
        const known = await vscode.languages.getLanguages();
        const language = known.includes(s.language) ? s.language : 'plaintext';
        const doc = await vscode.workspace.openTextDocument({ language, content: s.text });
        await vscode.window.showTextDocument(doc, { preview: false });
        const why =
          decision.reason === 'no-repo'
            ? `${from} shared it from outside a git repository with a remote.`
            : decision.reason === 'no-file'
              ? `Your clone of ${s.repo} has no ${s.path}.`
              : `No folder of this workspace is a clone of ${s.repo}.`;
        void vscode.window.showInformationMessage(`${snippetLocation(s)} opened as an untitled editor: ${why}`);
        return;
      }
    }
  }

  /** RepoAccess on the Git extension and the workspace folders; never reads outside a folder. */
  private async repoAccess(): Promise<RepoAccess> {
    const api = await gitApi();
    const folders = vscode.workspace.workspaceFolders ?? [];
    const repos: LocalRepository[] = [];
    if (api) {
      const seen = new Set<string>();
      const all = [...api.repositories];
      for (const f of folders) {
        const r = await repositoryFor(api, f.uri);
        if (r) all.push(r);
      }
      for (const r of all) {
        const root = r.rootUri.fsPath;
        if (seen.has(root)) continue;
        seen.add(root);
        const remotes = r.state.remotes.flatMap((x) => [x.fetchUrl, x.pushUrl]).map((u) => (u ? normaliseRemoteUrl(u) : undefined));
        const canonical = [...new Set(remotes.filter((u): u is string => u !== undefined))];
        for (const f of folders) {
          const folder = f.uri.fsPath;
          // The folder paths may not leave: the repository's root when it is in the folder, the
          // folder when it is in the repository.
          const confine = isWithin(folder, root) ? root : isWithin(root, folder) ? folder : undefined;
          if (confine) repos.push({ root, confine, remotes: canonical });
        }
      }
    }
    return {
      repositories: async () => repos,
      readFile: async (file) => {
        const repo = repos.find((r) => isWithin(r.confine, file));
        if (!repo) return undefined;
        // Symlinks resolved: the real file must still be inside the folder.
        const real = await confinedRealPath(file, repo.confine);
        if (!real) return undefined;
        const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === real);
        return open ? open.getText() : (await readConfined(real, repo.confine))?.text;
      },
    };
  }
}

/** Whether `p` is `dir` or inside it (paths as given, no symlinks resolved). */
function isWithin(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
