import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PinStore } from '../client/chatClient';

/** Pinned peer fingerprints in a JSON file beside the identity (trust on first use). */
export class PinFile implements PinStore {
  private pins: Record<string, string> = {};

  constructor(private readonly file: string) {
    try {
      this.pins = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      this.pins = {};
    }
  }

  get(nickKey: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(this.pins, nickKey) ? this.pins[nickKey] : undefined;
  }

  set(nickKey: string, fingerprint: string): void {
    this.pins[nickKey] = fingerprint;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const tmp = `${this.file}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.pins, null, 2), { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch {
      // Pins are a safety net; failing to save them must not stop the chat.
    }
  }
}
