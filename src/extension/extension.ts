/**
 * Peer Chat's VS Code entry point. Services are built once here and passed through
 * constructors (model: vscode-hexeditor `extension.ts`); each `register` returns a Disposable
 * owned by the extension context. Everything that can fail at activation is caught and shown
 * with a next step (model: rust-analyzer `main.ts`).
 */
import * as vscode from 'vscode';
import { ChatSession } from './chatSession';
import { ChatState } from './chatState';
import { ChatView } from './chatView';
import { ChatStatusBar } from './statusBar';
import { Commands, registerCommands } from './commands';
import { ContextKeys, setContext } from './contextKeys';
import { ErrorReporter } from './errorReporter';
import { IdentityStore } from './identityStore';
import { errorText } from './errorMessages';
import { RelayController } from './relayController';
import { RelayTaskProvider } from './relayTaskProvider';
import { TeamRelay } from './teamRelay';
import { INVITATION_PATH } from '../shared/invitation';
import { onDidChangeSettings, openSettings, readSettings } from './settings';

/** workspaceState: the chat history of this workspace (ChatState.toPersisted()). */
export const HISTORY_KEY = 'peerchat.history';
/** History is written at most this often while messages arrive. */
const SAVE_DELAY_MS = 1_000;

let session: ChatSession | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Peer Chat', { log: true });
  context.subscriptions.push(log);
  try {
    activateServices(context, log);
  } catch (err) {
    log.error(`Activation failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    void vscode.window.showErrorMessage(`Peer Chat could not start: ${errorText(err)}`, 'Show Log').then((a) => a && log.show());
  }
}

function activateServices(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  const relayJs = vscode.Uri.joinPath(context.extensionUri, 'dist', 'relay.js').fsPath;
  setContext(ContextKeys.connected, false);

  const state = new ChatState({ historyLimit: readSettings().historyLimit }, context.workspaceState.get(HISTORY_KEY));

  // Persist the history (debounced) so hiding, reloading or reopening the window restores it.
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  const save = () => {
    saveTimer = undefined;
    context.workspaceState.update(HISTORY_KEY, state.toPersisted()).then(undefined, (err) => log.error(`Could not save the chat history: ${errorText(err)}`));
  };
  const unsubscribe = state.onChange((c) => {
    if (c.type === 'unreadChanged' || c.type === 'connectionChanged' || c.type === 'rosterChanged') return;
    if (c.type === 'transferChanged' && c.transfer.status === 'active') return;
    saveTimer ??= setTimeout(save, SAVE_DELAY_MS);
  });
  context.subscriptions.push({
    dispose: () => {
      unsubscribe();
      if (saveTimer) {
        clearTimeout(saveTimer);
        save();
      }
    },
  });

  const relay = RelayController.register(relayJs, log);
  context.subscriptions.push(relay);
  const team = new TeamRelay(context, relay, log);
  context.subscriptions.push(
    RelayTaskProvider.register(relayJs, {
      servedSecret: () => team.servedSecret(),
      relayArgs: (network) => team.relayArgs(network, readSettings()),
    }),
  );

  const errors = new ErrorReporter(log, {
    showLog: () => log.show(),
    openSettings: () => openSettings(),
    join: () => vscode.commands.executeCommand(Commands.join),
    startRelay: () => vscode.commands.executeCommand(Commands.startRelay),
    setRelaySecret: () => vscode.commands.executeCommand(Commands.setRelaySecret),
  });

  // One identity per profile: its windows share SecretStorage and this folder, where the lock
  // file lets only one of them create the key (identityStore.ts).
  const identity = new IdentityStore({
    secrets: context.secrets,
    lockDir: context.globalStorageUri.scheme === 'file' ? context.globalStorageUri.fsPath : undefined,
    log: (level, message) => log[level](message),
  });
  context.subscriptions.push(identity);

  session = new ChatSession(context, state, relay, identity, errors, log);
  session.team = team;
  context.subscriptions.push(session);
  const view = ChatView.register(
    context.extensionUri,
    state,
    {
      submit: (text) => session!.submit(text),
      transferAction: (id, action) => session!.transferAction(id, action),
      snippetAction: (id, action) => session!.snippetAction(id, action),
      runCommand: (command) => session!.runWebviewCommand(command),
      openLink: (url) => session!.openLink(url),
    },
    log,
  );
  context.subscriptions.push(view);
  session.attach(view);

  context.subscriptions.push(ChatStatusBar.register(state));
  context.subscriptions.push(...registerCommands(session, view, team, errors, log));
  // Invitation links, vscode://peerchat.peerchat/join?… (src/shared/invitation.ts). VS Code hands
  // over the query decoded once; parseInvitation accepts that form. Never logged: it holds a secret.
  context.subscriptions.push(
    vscode.window.registerUriHandler({
      handleUri: (uri) => {
        if (uri.path !== INVITATION_PATH) {
          void vscode.window.showWarningMessage(`Peer Chat does not know the link path ${uri.path}. Invitations end in ${INVITATION_PATH}?…`);
          return;
        }
        void vscode.commands.executeCommand(Commands.openInvitation, `${uri.scheme}://${uri.authority}${uri.path}?${uri.query}`);
      },
    }),
  );
  context.subscriptions.push(
    onDidChangeSettings(() => {
      state.setHistoryLimit(readSettings().historyLimit);
      session?.settingsChanged();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // The client takes these when it starts: offer to rejoin so they apply now.
      const keys = ['relayAddress', 'downloadFolder', 'acceptFiles', 'maxIncomingSize', 'sharedFolders', 'allowRequests'];
      if (session?.joined && keys.some((k) => e.affectsConfiguration(`peerchat.${k}`))) void session.offerRejoin();
    }),
  );
  log.info(`Peer Chat activated (VS Code ${vscode.version}, runtime ${process.execPath}).`);
}

export async function deactivate(): Promise<void> {
  // Disposal (context.subscriptions) stops the relay child; here we also say goodbye politely.
  const s = session;
  session = undefined;
  await s?.shutdown();
}
