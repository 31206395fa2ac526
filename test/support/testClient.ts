import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChatClient, ChatClientOptions } from '../../src/client/chatClient';
import { CLIENT_EVENT_NAMES, ClientEventName, ClientEvents } from '../../src/client/events';
import { Identity, generateIdentity } from '../../src/crypto/identity';

type Recorded = { [K in ClientEventName]: { name: K; payload: ClientEvents[K] } }[ClientEventName];

/** Every event a ChatClient emits (src/client/events.ts), so that none goes unrecorded. */
const ALL_EVENTS: readonly ClientEventName[] = CLIENT_EVENT_NAMES;

/**
 * An in-process ChatClient that records every event it emits, for integration tests:
 * `waitFor('message', m => m.text === 'hi')` resolves with the first match (past or future).
 */
export class TestClient {
  readonly events: Recorded[] = [];
  private waiters: Array<{ name: ClientEventName; pred: (p: never) => boolean; resolve: (p: never) => void }> = [];
  readonly client: ChatClient;
  readonly downloadDir: string;

  constructor(opts: Partial<ChatClientOptions> & { relay: { host: string; port: number }; nick: string }, readonly identity: Identity = generateIdentity()) {
    this.downloadDir = opts.downloadDir ?? mkdtempSync(path.join(os.tmpdir(), `peerchat-${opts.nick}-dl-`));
    this.client = new ChatClient({ identity, downloadDir: this.downloadDir, ...opts });
    for (const name of ALL_EVENTS) {
      this.client.on(name, (payload) => {
        this.events.push({ name, payload } as Recorded);
        for (const w of [...this.waiters]) {
          if (w.name === name && w.pred(payload as never)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(payload as never);
          }
        }
      });
    }
  }

  static async join(
    opts: Partial<ChatClientOptions> & { relay: { host: string; port: number }; nick: string },
    identity?: Identity,
  ): Promise<TestClient> {
    const c = new TestClient(opts, identity);
    await c.client.start();
    return c;
  }

  all<K extends ClientEventName>(name: K): Array<ClientEvents[K]> {
    return this.events.filter((e) => e.name === name).map((e) => e.payload as ClientEvents[K]);
  }

  waitFor<K extends ClientEventName>(
    name: K,
    pred: (p: ClientEvents[K]) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<ClientEvents[K]> {
    const past = this.all(name).find(pred);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const w = { name, pred: pred as (p: never) => boolean, resolve: resolve as (p: never) => void };
      this.waiters.push(w);
      setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i < 0) return;
        this.waiters.splice(i, 1);
        reject(new Error(`${this.client.nick}: no '${name}' event matching within ${timeoutMs} ms; saw ${JSON.stringify(this.events.map((e) => e.name).slice(-30))}`));
      }, timeoutMs);
    });
  }

  /** Waits until `nicks` are all in this client's roster. */
  async waitForPeers(nicks: string[], timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!nicks.every((n) => this.client.online().includes(n))) {
      if (Date.now() > deadline) throw new Error(`${this.client.nick} sees ${this.client.online()} not ${nicks}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async leave(): Promise<void> {
    await this.client.leave();
  }
}
