/**
 * Cancellable progress notifications for transfers (`window.withProgress`, Notification
 * location). A transfer gets one only if it is still running after a short delay, so small
 * files do not flash a notification, and only while the chat view is not on screen (its card
 * shows the same progress); a transfer that outlasts a hidden view gets one then. Its updates
 * are throttled like the card's (at most 5 a second, progressThrottle.ts).
 */
import * as vscode from 'vscode';
import { formatBytes, percent, transferTitle } from '../../webview/format';
import type { TransferView } from '../shared/webviewMessages';
import { Disposable } from './dispose';
import { ProgressThrottle } from '../shared/progressThrottle';

/** A transfer still running after this long gets a progress notification. */
export const PROGRESS_NOTIFICATION_DELAY_MS = 1_500;

interface Entry {
  timer?: ReturnType<typeof setTimeout>;
  report?: (t: TransferView) => void;
  finish?: () => void;
  latest: TransferView;
}

export class TransferProgress extends Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly reports = new ProgressThrottle<TransferView>((t) => this.entries.get(t.id)?.report?.(t));

  constructor(
    private readonly cancel: (id: string) => void,
    /** False while the chat view shows the card anyway. */
    private readonly shouldNotify: () => boolean = () => true,
  ) {
    super();
  }

  /** A transfer's bytes started moving (or moved on): show or update its notification. */
  update(t: TransferView): void {
    let e = this.entries.get(t.id);
    if (!e) {
      e = { latest: t };
      this.entries.set(t.id, e);
      const entry = e;
      entry.timer = setTimeout(() => this.open(t.id, entry), PROGRESS_NOTIFICATION_DELAY_MS);
      return;
    }
    e.latest = t;
    if (e.report) this.reports.update(t);
  }

  /** The transfer ended (any way): close its notification. */
  finish(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.reports.cancel(id);
    if (e.timer) clearTimeout(e.timer);
    e.finish?.();
  }

  private open(id: string, e: Entry): void {
    e.timer = undefined;
    if (this.entries.get(id) !== e) return;
    if (!this.shouldNotify()) {
      e.timer = setTimeout(() => this.open(id, e), PROGRESS_NOTIFICATION_DELAY_MS);
      return;
    }
    const t = e.latest;
    void vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `${t.direction === 'receive' ? 'Receiving' : 'Sending'} ${transferTitle(t)}`,
        cancellable: true,
      },
      (progress, token) =>
        new Promise<void>((resolve) => {
          let shown = 0;
          e.report = (x) => {
            const p = percent(x) ?? 0;
            progress.report({ increment: Math.max(0, p - shown), message: `${formatBytes(x.transferred)} of ${formatBytes(x.bytes)}` });
            shown = Math.max(shown, p);
          };
          e.finish = resolve;
          token.onCancellationRequested(() => {
            this.cancel(id);
            this.finish(id);
          });
          this.reports.update(e.latest);
        }),
    );
  }

  override dispose(): void {
    for (const id of [...this.entries.keys()]) this.finish(id);
    super.dispose();
  }
}
