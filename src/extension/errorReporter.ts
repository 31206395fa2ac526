/**
 * Failures at command boundaries (model: rust-analyzer `main.ts`): the details go to the
 * "Peer Chat" log, the user gets one sentence and buttons for the next step.
 */
import * as vscode from 'vscode';
import { describeError, errorCodeOf, errorText, NEXT_STEP_LABELS, type ErrorContext, type NextStep } from './errorMessages';

export type StepHandlers = Partial<Record<NextStep, () => unknown>>;

export class ErrorReporter {
  constructor(
    private readonly log: vscode.LogOutputChannel,
    /** Handlers for steps that need no context (Show Log, Open Settings, Join Chat…). */
    private readonly defaults: StepHandlers,
  ) {}

  /**
   * Logs `err` and shows it with the next steps that have a handler (`handlers` first, then
   * the defaults). Resolves after the user picked a button (and it ran) or closed the message.
   */
  async report(err: unknown, ctx: ErrorContext = {}, handlers: StepHandlers = {}): Promise<void> {
    const code = errorCodeOf(err);
    this.log.error(code ? `${code}: ${errorText(err)}` : err instanceof Error ? (err.stack ?? err.message) : String(err));
    const desc = code ? describeError(code, errorText(err), ctx) : { message: errorText(err), actions: ['showLog'] as NextStep[] };
    const steps = desc.actions.filter((a) => handlers[a] ?? this.defaults[a]);
    if (!steps.includes('showLog') && this.defaults.showLog && steps.length < 3) steps.push('showLog');
    const picked = await vscode.window.showErrorMessage(desc.message, ...steps.map((s) => NEXT_STEP_LABELS[s]));
    const step = steps.find((s) => NEXT_STEP_LABELS[s] === picked);
    if (!step) return;
    try {
      await (handlers[step] ?? this.defaults[step])?.();
    } catch (e) {
      this.log.error(`"${NEXT_STEP_LABELS[step]}" failed: ${errorText(e)}`);
      void vscode.window.showErrorMessage(errorText(e), NEXT_STEP_LABELS.showLog).then((a) => a && this.log.show());
    }
  }
}
