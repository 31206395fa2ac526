/**
 * The status bar item: connection state and unread count; a click opens the chat.
 */
import * as vscode from 'vscode';
import type { ChatState } from './chatState';
import { unreadTooltip } from './chatView';
import { Disposable } from './dispose';

export class ChatStatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;

  static register(state: ChatState): ChatStatusBar {
    return new ChatStatusBar(state);
  }

  private constructor(private readonly state: ChatState) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('peerchat.status', vscode.StatusBarAlignment.Right, 100));
    this.item.name = 'Peer Chat';
    this.item.command = 'peerchat.openChat';
    this._register({ dispose: state.onChange((c) => {
      if (c.type === 'connectionChanged' || c.type === 'unreadChanged' || c.type === 'rosterChanged' || c.type === 'snapshot') this.update();
    }) });
    this.update();
    this.item.show();
  }

  update(): void {
    const c = this.state.connectionView;
    const unread = this.state.unreadCount;
    const mentions = this.state.unreadMentionCount;
    const others = this.state.online.length;
    // A mention shows as "@" beside the count: someone is asking for you.
    const unreadText = unread > 0 ? ` ${unread} new${mentions > 0 ? ' $(mention)' : ''}` : '';
    const unreadTip = unread > 0 ? `, ${unreadTooltip(unread, mentions)}` : '';
    this.item.backgroundColor = undefined;
    switch (c.status) {
      case 'registered':
        this.item.text = `$(comment-discussion) ${c.nick ?? 'Peer Chat'}${unreadText}`;
        this.item.tooltip = `Peer Chat: joined ${c.relay ?? ''} as ${c.nick ?? ''}, ${others} other${others === 1 ? '' : 's'} online${unreadTip}. Click to open the chat.`;
        break;
      case 'connecting':
        this.item.text = `$(sync~spin) Peer Chat${unreadText}`;
        this.item.tooltip = `Peer Chat: joining ${c.relay ?? 'the relay'}…${unreadTip}`;
        break;
      case 'unreachable':
        this.item.text = `$(debug-disconnect) Peer Chat${unreadText}`;
        this.item.tooltip = `Peer Chat: the relay ${c.relay ?? ''} does not answer; reconnecting${unreadTip}.`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        break;
      default:
        this.item.text = `$(comment-discussion) Peer Chat${unreadText}`;
        this.item.tooltip = `Peer Chat: not joined${unreadTip}. Click to open the chat.`;
    }
    this.item.accessibilityInformation = { label: typeof this.item.tooltip === 'string' ? this.item.tooltip : 'Peer Chat', role: 'button' };
  }
}
