/**
 * Received files that match a workspace file: the card's "Compare with Workspace…" shows the
 * received version beside the workspace file (`vscode.diff`, received on the left, read-only),
 * then asks — in a notification, so the diff stays in view, and in the diff's title bar
 * (`editor/title` commands shown while the `peerchat.comparingReceived` context key is set) —
 * whether to save it over the workspace file, beside it, or discard it. The rules and the writing are in receivedFiles.ts;
 * this file finds the workspace files (`workspace.findFiles`), shows and asks. README:
 * "Received files".
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isInside } from '../client/sharedFolder';
import type { TransferView } from '../shared/webviewMessages';
import type { ChatState } from './chatState';
import { resolveDownloadDir } from './clientOptions';
import { ContextKeys, setContext } from './contextKeys';
import { Disposable } from './dispose';
import {
  discardReceived,
  fileCompareKind,
  matchFileName,
  matchPath,
  matchWorkspaceFiles,
  MAX_WORKSPACE_MATCHES,
  ReceivedFileError,
  saveBeside,
  saveOver,
  sha256File,
  type CompareKind,
  type WorkspaceFile,
  type WorkspaceMatch,
} from './receivedFiles';
import { pathEnvironment, readSettings } from './settings';

/** The received side of the diff: read-only, served from the download folder by transfer id. */
export const RECEIVED_SCHEME = 'peerchat-received';

/** The diff editor's title-bar commands (package.json `menus.editor/title`). */
export const ReceivedCommands = {
  saveOver: 'peerchat.receivedSaveOver',
  saveBeside: 'peerchat.receivedSaveBeside',
  discard: 'peerchat.receivedDiscard',
} as const;

export type ReceivedDecision = keyof typeof ReceivedCommands;

export const SAVE_OVER = 'Save Over';
export const SAVE_BESIDE = 'Save Beside';
export const DISCARD = 'Discard';
export const COMPARE_AGAIN = 'Compare Again';

/** Why a file gets no text diff, for the message that says so. */
const NOT_COMPARABLE: Record<Exclude<CompareKind, 'text'>, string> = {
  binary: 'is not a text file',
  tooLarge: 'is too large for a text comparison',
};

/** A diff on screen, waiting for the user's decision. */
interface Pending {
  target: WorkspaceMatch;
  /** The workspace file's SHA-256 when the diff was shown. */
  shown: string;
  /** The diff's left (received) side. */
  left: vscode.Uri;
}

export class ReceivedFileActions extends Disposable {
  /** Transfer id → its comparison, from the diff until the decision. */
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly state: ChatState,
    private readonly log: vscode.LogOutputChannel,
    /** Shows a failure of a title-bar command (errorReporter.ts). */
    private readonly report: (err: unknown) => unknown,
  ) {
    super();
    for (const decision of Object.keys(ReceivedCommands) as ReceivedDecision[]) {
      this._register(
        vscode.commands.registerCommand(ReceivedCommands[decision], async () => {
          const id = activeComparison();
          if (id === undefined) return;
          await this.decide(id, decision).catch((err) => this.report(err));
        }),
      );
    }
    const update = () => {
      const id = activeComparison();
      setContext(ContextKeys.comparingReceived, id !== undefined && this.pending.has(id));
    };
    this._register(vscode.window.tabGroups.onDidChangeTabs(update));
    this._register(vscode.window.tabGroups.onDidChangeTabGroups(update));
    this.updateContext = update;
    this._register(
      vscode.workspace.registerTextDocumentContentProvider(RECEIVED_SCHEME, {
        provideTextDocumentContent: async (uri) => {
          const t = this.state.getTransfer(uri.query);
          if (!t?.path) return '';
          return Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(t.path))).toString('utf8');
        },
      }),
    );
  }

  /**
   * A file arrived: if it is text and matches a workspace file, its card offers Compare.
   * Returns the match's label (undefined: nothing to compare). Never throws.
   */
  async examine(id: string): Promise<string | undefined> {
    try {
      const t = this.state.getTransfer(id);
      if (!t?.path || t.direction !== 'receive' || t.status !== 'done') return undefined;
      const kind = await fileCompareKind(t.path);
      if (kind !== 'text') {
        this.log.info(`Received ${t.path}: ${NOT_COMPARABLE[kind]}, so it is not compared with the workspace.`);
        return undefined;
      }
      const matches = await this.findMatches(t);
      if (matches.length === 0) {
        this.log.info(`Received ${t.path}: no workspace file of that name.`);
        return undefined;
      }
      this.log.info(`Received ${t.path}: matches ${matches.map((m) => matchPath(m)).join(', ')}.`);
      const label = matches.length === 1 ? vscode.workspace.asRelativePath(matchPath(matches[0]!)) : `${matches.length} files named ${path.basename(matches[0]!.relPath)}`;
      this.state.setReceivedFile(id, { workspaceMatch: label });
      return label;
    } catch (err) {
      this.log.warn(`Could not look for a workspace file matching transfer ${id}: ${String(err)}`);
      return undefined;
    }
  }

  /** The card's Compare: pick the workspace file (when several match), show the diff, ask. */
  async compare(id: string): Promise<void> {
    const t = this.undecided(id);
    const matches = await this.findMatches(t);
    if (matches.length === 0) {
      this.state.setReceivedFile(id, { workspaceMatch: undefined });
      throw new Error(`No file in the workspace matches ${t.sentAs ?? t.name} any more; ${t.name} stays in the download folder.`);
    }
    const target = matches.length === 1 ? matches[0] : await this.pick(t, matches);
    if (!target) return;
    await this.compareWith(id, target);
  }

  private async pick(t: TransferView, matches: WorkspaceMatch[]): Promise<WorkspaceMatch | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const picked = await vscode.window.showQuickPick(
      matches.map((m) => ({
        label: m.relPath,
        description: folders.length > 1 ? folders.find((f) => f.uri.fsPath === m.folder)?.name : undefined,
        match: m,
      })),
      { title: `Compare ${t.name} from ${t.peer} with…`, placeHolder: `${matches.length} workspace files are named ${path.basename(matches[0]!.relPath)}` },
    );
    return picked?.match;
  }

  private async compareWith(id: string, target: WorkspaceMatch): Promise<void> {
    const t = this.undecided(id);
    const file = matchPath(target);
    const rel = vscode.workspace.asRelativePath(file);
    for (const [what, p] of [
      [t.name, t.path!],
      [rel, file],
    ] as const) {
      const kind = await fileCompareKind(p);
      if (kind !== 'text') throw new Error(`${what} ${NOT_COMPARABLE[kind]}, so there is no text diff. Use Open or Reveal on the card to look at ${t.name}.`);
    }
    if ((await sha256File(t.path!)) !== t.sha256) {
      throw new ReceivedFileError('RECEIVED_FILE_CHANGED', `The received file ${t.name} changed in the download folder since it arrived. Open it to see what it holds now.`);
    }
    const shown = await sha256File(file);
    const left = receivedUri(t);
    await vscode.commands.executeCommand('vscode.diff', left, vscode.Uri.file(file), `${t.name} (from ${t.peer}) ↔ ${rel} (workspace)`, { preview: false });
    this.log.info(`Comparing received ${t.path} with ${file} (SHA-256 ${shown}).`);

    this.pending.set(id, { target, shown, left });
    this.updateContext();

    const answer = await vscode.window.showInformationMessage(
      `${t.name} from ${t.peer} is shown beside ${rel}. Save it over ${rel}, save it beside it, or discard it?`,
      SAVE_OVER,
      SAVE_BESIDE,
      DISCARD,
    );
    // Dismissed: nothing happens; the file stays in the download folder, the diff's title bar
    // still offers the decision, and the card keeps Compare.
    const decision: ReceivedDecision | undefined = answer === SAVE_OVER ? 'saveOver' : answer === SAVE_BESIDE ? 'saveBeside' : answer === DISCARD ? 'discard' : undefined;
    if (decision) await this.decide(id, decision);
  }

  /**
   * Carries out a decision on a file whose diff was shown (from the notification or the diff's
   * title bar; whichever comes second finds nothing left to do).
   */
  async decide(id: string, decision: ReceivedDecision): Promise<void> {
    const p = this.pending.get(id);
    const t = this.state.getTransfer(id);
    if (!p || !t?.path || !t.sha256 || t.resolution) {
      this.pending.delete(id);
      this.updateContext();
      return;
    }
    const { target, shown, left } = p;
    const file = matchPath(target);
    const rel = vscode.workspace.asRelativePath(file);
    const received = { path: t.path, sha256: t.sha256 };
    try {
      if (decision === 'saveOver') {
        const dirty = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file && d.isDirty);
        if (dirty) throw new ReceivedFileError('WORKSPACE_FILE_CHANGED', `${rel} has unsaved changes in an editor; nothing was saved. Save or revert them, then compare again.`);
        const written = await saveOver(received, target, shown);
        this.state.setReceivedFile(id, { resolution: 'savedOver', path: written, workspaceMatch: undefined });
        this.log.info(`Saved received ${t.name} over ${written}.`);
      } else if (decision === 'saveBeside') {
        const written = await saveBeside(received, target);
        this.state.setReceivedFile(id, { resolution: 'savedBeside', path: written, workspaceMatch: undefined });
        this.log.info(`Saved received ${t.name} beside ${file} as ${written}.`);
      } else {
        await discardReceived(received);
        this.state.setReceivedFile(id, { resolution: 'discarded', path: undefined, workspaceMatch: undefined });
        this.log.info(`Discarded received ${t.path}.`);
      }
    } catch (err) {
      if (err instanceof ReceivedFileError && err.code === 'WORKSPACE_FILE_CHANGED') {
        // Ask again, on what the workspace file holds now.
        const again = await vscode.window.showWarningMessage(err.message, COMPARE_AGAIN);
        if (again === COMPARE_AGAIN) await this.compareWith(id, target);
        return;
      }
      throw err;
    }
    this.pending.delete(id);
    this.updateContext();
    await closeDiff(left);
  }

  private updateContext: () => void = () => undefined;

  /** A received, finished, undecided transfer whose file is still there. */
  private undecided(id: string): TransferView {
    const t = this.state.getTransfer(id);
    if (!t || t.direction !== 'receive' || t.status !== 'done' || !t.path || !t.sha256) throw new Error('That card has no received file to compare.');
    if (t.resolution) throw new Error(`${t.name} was already ${t.resolution === 'discarded' ? 'discarded' : 'saved'}.`);
    return t;
  }

  /** Workspace files the received one matches (receivedFiles.ts: matchWorkspaceFiles). */
  private async findMatches(t: TransferView): Promise<WorkspaceMatch[]> {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
    if (folders.length === 0) return [];
    const sentName = t.sentAs ?? t.name;
    const base = matchFileName(sentName);
    // Glob characters stand for themselves only by accident: let `?` match them, then compare
    // the names exactly (matchWorkspaceFiles).
    const glob = `**/${base.replace(/[*?[\]{}!\\]/g, '?')}`;
    const uris = await vscode.workspace.findFiles(glob, undefined, MAX_WORKSPACE_MATCHES * 4);
    const candidates: WorkspaceFile[] = [];
    for (const uri of uris) {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      if (!folder || folder.uri.scheme !== 'file') continue;
      candidates.push({ folder: folder.uri.fsPath, relPath: path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/') });
    }
    // Earlier downloads never match, nor the received file itself (a request can land anywhere).
    // (Unless the download folder holds a whole workspace folder: then only the file itself.)
    const downloads = resolveDownloadDir(readSettings().downloadFolder, pathEnvironment());
    const excluded = folders.some((f) => isInside(downloads, f.uri.fsPath)) ? [t.path!] : [downloads, t.path!];
    const order = new Map(folders.map((f, i) => [f.uri.fsPath, i]));
    candidates.sort((a, b) => (order.get(a.folder) ?? 0) - (order.get(b.folder) ?? 0));
    return matchWorkspaceFiles(sentName, candidates, excluded);
  }
}

/** The transfer id of the received file whose diff is the active editor, if it is one. */
function activeComparison(): string | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputTextDiff && input.original.scheme === RECEIVED_SCHEME ? input.original.query : undefined;
}

function receivedUri(t: TransferView): vscode.Uri {
  return vscode.Uri.from({ scheme: RECEIVED_SCHEME, path: `/${t.name}`, query: t.id });
}

/** Closes the diff of a decided file (its left side is gone or no longer pending). */
async function closeDiff(left: vscode.Uri): Promise<void> {
  const tabs = vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.original.toString() === left.toString());
  if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
}
