/** Context keys the `when` clauses in contributes.json use. */
import * as vscode from 'vscode';

export const ContextKeys = {
  /** A chat session exists (joined, or reconnecting to the relay). */
  connected: 'peerchat.connected',
  /** A relay started from this window (child process or task) is running. */
  relayRunning: 'peerchat.relayRunning',
} as const;

export function setContext(key: (typeof ContextKeys)[keyof typeof ContextKeys], value: boolean): void {
  void vscode.commands.executeCommand('setContext', key, value);
}
