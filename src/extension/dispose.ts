/**
 * Disposal helpers (model: vscode-hexeditor `src/dispose.ts`): a base class that owns the
 * disposables it registers and releases them, newest first, when it is disposed.
 */
import type * as vscode from 'vscode';

export interface IDisposable {
  dispose(): unknown;
}

export function disposeAll(disposables: IDisposable[]): void {
  while (disposables.length) {
    const d = disposables.pop();
    try {
      d?.dispose();
    } catch {
      // One failing disposable must not keep the others alive.
    }
  }
}

export abstract class Disposable implements vscode.Disposable {
  private _isDisposed = false;
  protected _disposables: IDisposable[] = [];

  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    disposeAll(this._disposables);
  }

  protected _register<T extends IDisposable>(value: T): T {
    if (this._isDisposed) value.dispose();
    else this._disposables.push(value);
    return value;
  }

  protected get isDisposed(): boolean {
    return this._isDisposed;
  }
}

/** A disposable from a function. */
export function toDisposable(fn: () => void): IDisposable {
  return { dispose: fn };
}
