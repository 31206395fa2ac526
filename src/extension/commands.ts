/**
 * The commands (category "Peer Chat"). Each handler runs inside one error boundary: a failure
 * is logged and shown with its next steps instead of disappearing into the extension host.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ChatSession } from './chatSession';
import type { ChatView } from './chatView';
import type { ErrorReporter } from './errorReporter';
import type { TeamRelay } from './teamRelay';
import { parseRelayAddress } from './relayAddress';
import { openSettings, pathEnvironment } from './settings';

export const Commands = {
  join: 'peerchat.join',
  leave: 'peerchat.leave',
  sendFile: 'peerchat.sendFile',
  /** The same as sendFile, titled "Send to Peer…" for the Explorer's context menu. */
  sendToPeer: 'peerchat.sendToPeer',
  requestFile: 'peerchat.requestFile',
  startRelay: 'peerchat.startRelay',
  stopRelay: 'peerchat.stopRelay',
  showLog: 'peerchat.showLog',
  openChat: 'peerchat.openChat',
  setRelaySecret: 'peerchat.setRelaySecret',
  clearHistory: 'peerchat.clearHistory',
  openSettings: 'peerchat.openSettings',
  copyInvitation: 'peerchat.copyInvitation',
  rotateInvitation: 'peerchat.rotateInvitation',
  /** Takes the link as its argument (the UriHandler, scripts, tests), else asks for it. */
  openInvitation: 'peerchat.openInvitation',
  /** Writes this profile's identity as the terminal client's key for our nickname; returns its path. */
  useIdentityInTerminal: 'peerchat.useIdentityInTerminal',
  findInChat: 'peerchat.findInChat',
  /** The editor's selection as a code snippet (editor context menu, palette). */
  shareSelection: 'peerchat.shareSelection',
} as const;

/** `peerchat.join` accepts `{ nick, relay: "host:port" }` to skip the prompt (scripts, tests). */
export interface JoinArgs {
  nick?: string;
  relay?: string;
}

export function registerCommands(session: ChatSession, view: ChatView, team: TeamRelay, errors: ErrorReporter, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const command = (id: string, fn: (...args: any[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        await errors.report(err);
        return undefined;
      }
    });

  /** Joins first when needed (the user asked for something that needs the chat). */
  const ensureJoined = async (): Promise<boolean> => session.joined || (await session.join());

  const sendFile = async (clicked?: unknown, selected?: unknown) => {
    let files = explorerUris(clicked, selected).map((u) => u.fsPath);
    if (files.length === 0) {
      const ws = pathEnvironment().workspaceFolders[0];
      const picked = await vscode.window.showOpenDialog({
        title: 'Send File to Peer',
        canSelectFiles: true,
        canSelectFolders: false,
        canSelectMany: true,
        openLabel: 'Send',
        defaultUri: ws ? vscode.Uri.file(ws) : undefined,
      });
      if (!picked || picked.length === 0) return;
      files = picked.map((u) => u.fsPath);
    }
    if (!(await ensureJoined())) return;
    await session.sendFiles(files);
  };

  return [
    command(Commands.join, async (args?: JoinArgs) => {
      let relay;
      if (args?.relay) {
        const parsed = parseRelayAddress(args.relay);
        if (!parsed.ok) throw new Error(parsed.reason);
        relay = parsed.address;
      }
      return session.join({ nick: args?.nick, relay });
    }),
    command(Commands.leave, () => session.leave()),
    command(Commands.sendFile, sendFile),
    command(Commands.sendToPeer, sendFile),
    command(Commands.requestFile, async (clicked?: unknown) => {
      // From the Explorer: the request lands in the folder that was right-clicked.
      const folder = explorerUris(clicked, undefined)[0]?.fsPath;
      if (!(await ensureJoined())) return;
      await session.requestFile(undefined, undefined, folder);
    }),
    command(Commands.shareSelection, async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.selection.isEmpty) throw new Error('Select the lines to share in an editor first, then run Share Selection with Peer….');
      if (!(await ensureJoined())) return;
      await session.shareSelection(editor);
    }),
    command(Commands.startRelay, () => session.startRelayAndJoin()),
    command(Commands.stopRelay, () => session.stopRelay()),
    command(Commands.showLog, () => log.show()),
    command(Commands.openChat, () => view.show(true)),
    command(Commands.findInChat, () => view.showFind()),
    command(Commands.setRelaySecret, () => session.setRelaySecret()),
    command(Commands.openSettings, () => openSettings()),
    command(Commands.copyInvitation, () => team.copyInvitation()),
    command(Commands.rotateInvitation, () => team.rotateInvitation()),
    command(Commands.openInvitation, (link?: unknown) => team.openInvitation(session, typeof link === 'string' ? link : undefined)),
    command(Commands.useIdentityInTerminal, () => session.useIdentityInTerminal()),
    command(Commands.clearHistory, async () => {
      const clear = 'Clear History';
      const a = await vscode.window.showWarningMessage('Clear the Peer Chat history of this workspace?', { modal: true }, clear);
      if (a === clear) session.state.clearHistory();
    }),
  ];
}

/**
 * The Explorer passes the clicked resource and, with several selected, all of them. Only files
 * on this machine's file system can be sent (`file:` URIs).
 */
export function explorerUris(clicked: unknown, selected: unknown): vscode.Uri[] {
  const all = Array.isArray(selected) && selected.length > 0 ? selected : clicked ? [clicked] : [];
  const uris = all.filter((u): u is vscode.Uri => u instanceof vscode.Uri);
  const foreign = uris.filter((u) => u.scheme !== 'file');
  if (foreign.length > 0) {
    void vscode.window.showWarningMessage(`Peer Chat can only send files from this machine's disk; skipped ${foreign.map((u) => path.basename(u.path)).join(', ')}.`);
  }
  return uris.filter((u) => u.scheme === 'file');
}
