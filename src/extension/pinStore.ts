/**
 * Peers' pinned key fingerprints, kept in globalState (they follow the user across workspaces).
 * The client compares a peer's key with the pin for its nickname and reports a change
 * (`peer-key-changed`). Keys are compared by nickname key (NFKC, case-folded), as the relay does.
 */
import { nicknameKey } from '../protocol/nickname';

/** The part of vscode.Memento used here (kept structural so this file has no `vscode` import). */
export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

/** What ChatClientOptions.pins expects. */
export interface PinStore {
  get(nick: string): string | undefined;
  set(nick: string, fingerprint: string): void;
}

export const PINS_KEY = 'peerchat.pins';

export class MementoPinStore implements PinStore {
  private pins: Record<string, string>;
  private readonly listeners = new Set<(nick: string, fingerprint: string) => void>();

  constructor(
    private readonly memento: MementoLike,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    const stored = memento.get<unknown>(PINS_KEY);
    this.pins = {};
    if (typeof stored === 'object' && stored !== null) {
      for (const [k, v] of Object.entries(stored)) if (typeof v === 'string') this.pins[k] = v;
    }
  }

  get(nick: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(this.pins, nicknameKey(nick)) ? this.pins[nicknameKey(nick)] : undefined;
  }

  set(nick: string, fingerprint: string): void {
    const key = nicknameKey(nick);
    if (this.pins[key] === fingerprint) return;
    this.pins = { ...this.pins, [key]: fingerprint };
    this.memento.update(PINS_KEY, this.pins).then(undefined, this.onError);
    for (const l of [...this.listeners]) l(key, fingerprint);
  }

  /** Every pin, by nickname key (what the client process starts with). */
  all(): Record<string, string> {
    return { ...this.pins };
  }

  /** Called after each new or changed pin (so the client process can mirror it); returns an unsubscribe function. */
  onDidSet(listener: (nickKey: string, fingerprint: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets a pin (the user confirmed a peer's new key). */
  delete(nick: string): void {
    const key = nicknameKey(nick);
    if (!(key in this.pins)) return;
    const { [key]: _gone, ...rest } = this.pins;
    this.pins = rest;
    this.memento.update(PINS_KEY, this.pins).then(undefined, this.onError);
  }
}
