/**
 * Reads the `peerchat.*` settings through the VS Code API and hands plain values to the pure
 * mapping in clientOptions.ts.
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import { normalizeSettings, type PathEnvironment, type PeerChatSettings } from './clientOptions';

export const SECTION = 'peerchat';

const KEYS: ReadonlyArray<keyof PeerChatSettings> = [
  'relayAddress',
  'nickname',
  'downloadFolder',
  'acceptFiles',
  'maxIncomingSize',
  'sharedFolders',
  'allowRequests',
  'historyLimit',
  'autoStartRelay',
  'relayListenAddress',
  'notifyPrivateMessages',
  'directConnections',
  'relayServe',
  'discovery',
];

export function readSettings(): PeerChatSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const raw: Partial<Record<keyof PeerChatSettings, unknown>> = {};
  for (const key of KEYS) raw[key] = config.get(key);
  return normalizeSettings(raw);
}

export function pathEnvironment(): PathEnvironment {
  return {
    workspaceFolders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
    homeDir: os.homedir(),
  };
}

/** Fires when any `peerchat.*` setting changes. */
export function onDidChangeSettings(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) listener();
  });
}

export function openSettings(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', `@ext:peerchat.peerchat`);
}
