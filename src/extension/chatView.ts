/**
 * The chat view: a WebviewView in its own container in the bottom panel (where Terminal and
 * Output live; users can drag it to the secondary side bar).
 *
 * The host owns the state (model: vscode-hexeditor `dataInspectorView.ts`): no
 * retainContextWhenHidden; when the webview (re)loads it says `ready` and gets a snapshot,
 * and on becoming visible it gets one again. Deltas from ChatState are forwarded as they come,
 * progress updates at most 5 a second per transfer (progressThrottle.ts) so a fast transfer
 * cannot flood the webview; the final state of a transfer goes at once.
 */
import * as vscode from 'vscode';
import {
  isFromWebviewMessage,
  type ToWebviewMessage,
  type TransferAction,
  type SnippetAction,
  type TransferView,
  type WebviewCommand,
} from '../shared/webviewMessages';
import { renderChatHtml, makeNonce } from './chatHtml';
import type { ChatState, StateChange } from './chatState';
import { Disposable, toDisposable } from './dispose';
import { errorText } from './errorMessages';
import { CARD_UPDATE_INTERVAL_MS, ProgressThrottle } from '../shared/progressThrottle';

/** What the view asks of the rest of the extension. */
export interface ChatViewHandler {
  /** One composer line; rejects with a message to show under the composer. */
  submit(text: string): Promise<void>;
  transferAction(id: string, action: TransferAction): Promise<void>;
  /** A snippet card's Open or Copy (`id`: the message's). */
  snippetAction(id: string, action: SnippetAction): Promise<void>;
  runCommand(command: WebviewCommand): Promise<void>;
  /** A link in a message (already checked: http, https or mailto). */
  openLink(url: string): Promise<void>;
}

export class ChatView extends Disposable implements vscode.WebviewViewProvider {
  static readonly viewType = 'peerchat.chatView';

  private view: vscode.WebviewView | undefined;
  private readonly viewDisposables: vscode.Disposable[] = [];
  private readonly progressPosts = new ProgressThrottle<TransferView>((t) => this.post({ type: 'transferChanged', transfer: t }), CARD_UPDATE_INTERVAL_MS);
  private pendingFocus: { text?: string } | undefined;
  private pendingFind = false;
  /** The current document has said `ready` (it is reloaded whenever the view was hidden). */
  private webviewReady = false;

  static register(extensionUri: vscode.Uri, state: ChatState, handler: ChatViewHandler, log: vscode.LogOutputChannel): ChatView {
    const view = new ChatView(extensionUri, state, handler, log);
    view._register(vscode.window.registerWebviewViewProvider(ChatView.viewType, view));
    return view;
  }

  private constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly state: ChatState,
    private readonly handler: ChatViewHandler,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(toDisposable(state.onChange((c) => this.onStateChange(c))));
    this._register(toDisposable(() => this.progressPosts.clear()));
  }

  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    for (const d of this.viewDisposables.splice(0)) d.dispose();
    this.view = view;
    this.webviewReady = false;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    view.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    view.webview.html = renderChatHtml({
      cspSource: view.webview.cspSource,
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      nonce: makeNonce(),
    });
    this.viewDisposables.push(
      view.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      view.onDidChangeVisibility(() => {
        this.state.setVisible(view.visible);
        if (view.visible) this.postSnapshot();
        else this.webviewReady = false; // its document is discarded while hidden
      }),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
        this.state.setVisible(false);
        for (const d of this.viewDisposables.splice(0)) d.dispose();
      }),
    );
    this.state.setVisible(view.visible);
    this.updateBadge();
  }

  /** Opens and focuses the chat view; optionally puts the cursor in the composer with `text`. */
  async show(focusComposer = true, text?: string): Promise<void> {
    if (focusComposer) this.pendingFocus = { text };
    await vscode.commands.executeCommand(`${ChatView.viewType}.focus`);
    if (focusComposer && this.view?.visible) this.flushFocus();
  }

  /** Shows the chat view without taking the keyboard focus (e.g. after sending from the Explorer). */
  async reveal(): Promise<void> {
    if (this.view) this.view.show(true);
    else await vscode.commands.executeCommand(`${ChatView.viewType}.focus`);
  }

  /** Opens the chat and its find box (Peer Chat: Find in Chat). */
  async showFind(): Promise<void> {
    this.pendingFind = true;
    await vscode.commands.executeCommand(`${ChatView.viewType}.focus`);
    if (this.view?.visible) this.flushFind();
  }

  private flushFind(): void {
    if (this.pendingFind && this.webviewReady && this.post({ type: 'showFind' })) this.pendingFind = false;
  }

  private flushFocus(): void {
    if (!this.pendingFocus || !this.webviewReady) return;
    const msg: ToWebviewMessage = { type: 'focusComposer' };
    if (this.pendingFocus.text !== undefined) msg.text = this.pendingFocus.text;
    if (this.post(msg)) this.pendingFocus = undefined;
  }

  private post(message: ToWebviewMessage): boolean {
    if (!this.view) return false;
    // postMessage resolves false when the webview is hidden; the next `ready` brings a snapshot.
    void this.view.webview.postMessage(message).then(undefined, () => undefined);
    return true;
  }

  private postSnapshot(): void {
    this.progressPosts.clear();
    this.post({ type: 'snapshot', state: this.state.snapshot() });
  }

  private onStateChange(change: StateChange): void {
    if (change.type === 'unreadChanged') this.updateBadge();
    if (change.type === 'transferChanged' && change.transfer.status === 'active') {
      this.progressPosts.update(change.transfer);
      return;
    }
    // Any other change of a card (its end above all) goes at once, and no older progress after it.
    if (change.type === 'transferChanged') this.progressPosts.cancel(change.transfer.id);
    if (change.type === 'transferRemoved') this.progressPosts.cancel(change.id);
    this.post(change);
  }

  private updateBadge(): void {
    if (!this.view) return;
    const n = this.state.unreadCount;
    const mentions = this.state.unreadMentionCount;
    // A webview view ignores `badge = undefined` in VS Code 1.100 (microsoft/vscode#331019);
    // a badge of 0 is not drawn, so it clears the count.
    this.view.badge = n > 0 ? { value: n, tooltip: unreadTooltip(n, mentions) } : { value: 0, tooltip: '' };
  }

  private async onMessage(m: unknown): Promise<void> {
    if (!isFromWebviewMessage(m)) {
      this.log.warn(`Ignored a malformed message from the chat view: ${JSON.stringify(m)?.slice(0, 200)}`);
      return;
    }
    switch (m.type) {
      case 'ready':
        this.webviewReady = true;
        this.postSnapshot();
        this.flushFocus();
        this.flushFind();
        return;
      case 'send':
        try {
          await this.handler.submit(m.text);
          this.post({ type: 'sendResult', requestId: m.requestId, ok: true });
        } catch (err) {
          this.post({ type: 'sendResult', requestId: m.requestId, ok: false, error: errorText(err) });
        }
        return;
      case 'transferAction':
        try {
          await this.handler.transferAction(m.id, m.action);
        } catch (err) {
          this.log.error(`Transfer action ${m.action} on ${m.id} failed: ${errorText(err)}`);
          void vscode.window.showErrorMessage(errorText(err));
        }
        return;
      case 'snippetAction':
        try {
          await this.handler.snippetAction(m.id, m.action);
        } catch (err) {
          this.log.error(`Snippet action ${m.action} on ${m.id} failed: ${errorText(err)}`);
          void vscode.window.showErrorMessage(errorText(err));
        }
        return;
      case 'runCommand':
        await this.handler.runCommand(m.command);
        return;
      case 'openLink':
        try {
          await this.handler.openLink(m.url);
        } catch (err) {
          this.log.error(`Opening ${m.url} failed: ${errorText(err)}`);
          void vscode.window.showErrorMessage(errorText(err));
        }
        return;
    }
  }

  override dispose(): void {
    for (const d of this.viewDisposables.splice(0)) d.dispose();
    super.dispose();
  }
}

/** "3 unread messages, 1 mentions you" (the view's badge and the status bar say the same). */
export function unreadTooltip(unread: number, mentions: number): string {
  const base = `${unread} unread message${unread === 1 ? '' : 's'}`;
  return mentions > 0 ? `${base}, ${mentions} mention${mentions === 1 ? 's' : ''} you` : base;
}
