/** Context keys the `when` clauses and walkthrough steps in package.json use. */
import * as vscode from 'vscode';

export const ContextKeys = {
  /** A chat session exists (joined, or reconnecting to the relay). */
  connected: 'peerchat.connected',
  /** A relay started from this window (child process or task) is running. */
  relayRunning: 'peerchat.relayRunning',
  /** A message was sent from this window (the walkthrough's "Say hello" step). */
  saidHello: 'peerchat.saidHello',
  /** A message with code was sent from this window (the walkthrough's "Share code" step). */
  sharedCode: 'peerchat.sharedCode',
  /** The active editor is the diff of a received file waiting for a decision (receivedFileActions.ts). */
  comparingReceived: 'peerchat.comparingReceived',
} as const;

export function setContext(key: (typeof ContextKeys)[keyof typeof ContextKeys], value: boolean): void {
  void vscode.commands.executeCommand('setContext', key, value);
}
