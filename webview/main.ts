/**
 * The chat webview's entry point (bundled to dist/webview.js as one IIFE). Registers the
 * toolkit's components, starts the UI, and wires it to the host: the first message is
 * `ready`, answered with a snapshot of the chat.
 */
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeProgressRing, vsCodeTextArea } from '@vscode/webview-ui-toolkit';
import { isToWebviewMessage, type FromWebviewMessage } from '../src/shared/webviewMessages';
import { ChatApp } from './chatApp';

interface VsCodeApi {
  postMessage(message: FromWebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** What survives a reload of this document besides the host's snapshot: the unsent draft. */
interface WebviewState {
  draft?: string;
}

// Not <vscode-badge>: its template has a style attribute, which this view's CSP refuses.
provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeTextArea(), vsCodeProgressRing());

const vscode = acquireVsCodeApi();
const saved = (vscode.getState() ?? {}) as WebviewState;
let draftTimer: ReturnType<typeof setTimeout> | undefined;

const root = document.getElementById('app');
if (root) {
  const app = new ChatApp(
    root,
    {
      post: (m) => vscode.postMessage(m),
      saveDraft: (draft) => {
        if (draftTimer) clearTimeout(draftTimer);
        draftTimer = setTimeout(() => vscode.setState({ draft } satisfies WebviewState), 300);
      },
    },
    typeof saved.draft === 'string' ? saved.draft : '',
  );
  window.addEventListener('message', (e: MessageEvent) => {
    if (isToWebviewMessage(e.data)) app.handle(e.data);
  });
  vscode.postMessage({ type: 'ready' });
}
