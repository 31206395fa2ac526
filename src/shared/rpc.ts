/**
 * Request/response and events between two processes over a message port (Node's IPC channel of
 * `child_process.fork`, or a pair of in-memory ports in tests). One generic helper with ids
 * (model: vscode-hexeditor `shared/protocol.ts` MessageHandler), used by the extension host and
 * the client process it starts (src/clientHost/): each side declares the methods it answers and
 * the events it sends; a call gets an id, and the answer with that id settles it.
 *
 * Errors cross as PeerChatError (code + message): a handler that throws a PeerChatError is seen
 * by the caller as the same code and message, anything else as INTERNAL with its message. A call
 * with no answer within its time limit, and every call still open when the port closes (the other
 * process exited), is rejected with INTERNAL and a sentence that says which. Malformed messages
 * are ignored (and reported to `onMalformed`), never thrown out of the port's handler.
 */
import { ERROR_CODES, PeerChatError, type ErrorCode } from '../protocol/errors';

/** What one side offers: the methods it answers and the events it sends. */
export interface RpcSide {
  methods: Record<string, (...args: never[]) => unknown>;
  events: Record<string, unknown>;
}

/** The messages on the port. */
export type RpcMessage =
  | { rpc: 'call'; id: number; method: string; args: unknown[] }
  | { rpc: 'result'; id: number; value?: unknown }
  | { rpc: 'error'; id: number; code: ErrorCode; message: string }
  | { rpc: 'event'; name: string; payload?: unknown };

/** A bidirectional message port. `send` after close may throw or drop; both are handled. */
export interface RpcPort {
  send(message: RpcMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when no more messages can come (the other process exited or disconnected). */
  onClose(listener: () => void): void;
}

/** Default time limit of a call (ms); 0 = none. */
export const RPC_DEFAULT_TIMEOUT_MS = 30_000;

type Handlers<S extends RpcSide> = { [K in keyof S['methods']]: (...args: Parameters<S['methods'][K]>) => ReturnType<S['methods'][K]> | Promise<Awaited<ReturnType<S['methods'][K]>>> };

export interface RpcEndpointOptions {
  /** Time limit of calls that do not give their own (ms; 0 = none). */
  timeoutMs?: number;
  /** Names the other side in error messages ("the client process"). */
  peerName?: string;
  /** A message that is not an RpcMessage arrived. */
  onMalformed?: (message: unknown) => void;
}

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * One end. `Mine`: what this side answers and emits; `Theirs`: what it may call and will hear.
 */
export class RpcEndpoint<Mine extends RpcSide, Theirs extends RpcSide> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(payload: never) => void>>();
  private closedBecause: string | undefined;
  private readonly timeoutMs: number;
  private readonly peerName: string;

  constructor(
    private readonly port: RpcPort,
    private readonly handlers: Handlers<Mine>,
    private readonly options: RpcEndpointOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? RPC_DEFAULT_TIMEOUT_MS;
    this.peerName = options.peerName ?? 'the other process';
    port.onMessage((m) => this.receive(m));
    port.onClose(() => this.close(`${capitalize(this.peerName)} exited`));
  }

  /** Calls a method of the other side (with the default time limit). */
  call<K extends keyof Theirs['methods'] & string>(method: K, ...args: Parameters<Theirs['methods'][K]>): Promise<Awaited<ReturnType<Theirs['methods'][K]>>> {
    return this.callWithin(this.timeoutMs, method, ...args);
  }

  /** Calls a method of the other side, rejecting if it does not answer within `timeoutMs` (0: wait as long as it takes). */
  callWithin<K extends keyof Theirs['methods'] & string>(
    timeoutMs: number,
    method: K,
    ...args: Parameters<Theirs['methods'][K]>
  ): Promise<Awaited<ReturnType<Theirs['methods'][K]>>> {
    if (this.closedBecause !== undefined) return Promise.reject(this.closedError(method));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const p: Pending = { method, resolve: resolve as (v: unknown) => void, reject };
      if (timeoutMs > 0) {
        p.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new PeerChatError('INTERNAL', `${capitalize(this.peerName)} did not answer "${method}" within ${timeoutMs / 1000} s.`));
        }, timeoutMs);
      }
      this.pending.set(id, p);
      this.post({ rpc: 'call', id, method, args });
    });
  }

  /** Sends an event (no answer). Dropped once closed. */
  emit<K extends keyof Mine['events'] & string>(name: K, payload: Mine['events'][K]): void {
    if (this.closedBecause !== undefined) return;
    this.post({ rpc: 'event', name, payload });
  }

  /** Listens to an event of the other side; returns a function that stops listening. */
  on<K extends keyof Theirs['events'] & string>(name: K, listener: (payload: Theirs['events'][K]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  get closed(): boolean {
    return this.closedBecause !== undefined;
  }

  /** Calls still waiting for an answer. */
  get openCalls(): number {
    return this.pending.size;
  }

  /** No more calls or events: every open call is rejected with `reason`. Idempotent. */
  close(reason = 'The connection was closed'): void {
    if (this.closedBecause !== undefined) return;
    this.closedBecause = reason;
    const open = [...this.pending.values()];
    this.pending.clear();
    for (const p of open) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(this.closedError(p.method));
    }
  }

  private closedError(method: string): PeerChatError {
    return new PeerChatError('INTERNAL', `${this.closedBecause ?? 'Closed'} before answering "${method}".`);
  }

  private post(message: RpcMessage): void {
    try {
      this.port.send(message);
    } catch (err) {
      // The channel is gone; its close notice settles what is open.
      this.close(`Could not reach ${this.peerName} (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  private receive(m: unknown): void {
    if (!isRpcMessage(m)) {
      this.options.onMalformed?.(m);
      return;
    }
    switch (m.rpc) {
      case 'call':
        void this.answer(m.id, m.method, m.args);
        return;
      case 'result':
      case 'error': {
        const p = this.pending.get(m.id);
        if (!p) return; // timed out already
        this.pending.delete(m.id);
        if (p.timer) clearTimeout(p.timer);
        if (m.rpc === 'result') p.resolve(m.value);
        else p.reject(new PeerChatError(m.code, m.message));
        return;
      }
      case 'event':
        for (const l of [...(this.listeners.get(m.name) ?? [])]) {
          try {
            l(m.payload as never);
          } catch (err) {
            this.options.onMalformed?.({ listenerFailed: m.name, error: err instanceof Error ? err.message : String(err) });
          }
        }
        return;
    }
  }

  private async answer(id: number, method: string, args: unknown[]): Promise<void> {
    const handler = Object.prototype.hasOwnProperty.call(this.handlers, method) ? (this.handlers as Record<string, (...a: unknown[]) => unknown>)[method] : undefined;
    let reply: RpcMessage;
    if (!handler) {
      reply = { rpc: 'error', id, code: 'INTERNAL', message: `Unknown method "${method}".` };
    } else {
      try {
        const value = await handler(...args);
        reply = value === undefined ? { rpc: 'result', id } : { rpc: 'result', id, value };
      } catch (err) {
        reply = { rpc: 'error', id, ...errorFields(err) };
      }
    }
    if (this.closedBecause === undefined) this.post(reply);
  }
}

/** Code and message of anything thrown, as they cross the port. */
export function errorFields(err: unknown): { code: ErrorCode; message: string } {
  if (err instanceof PeerChatError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

export function isRpcMessage(m: unknown): m is RpcMessage {
  if (typeof m !== 'object' || m === null) return false;
  const x = m as Record<string, unknown>;
  const id = typeof x.id === 'number' && Number.isSafeInteger(x.id);
  switch (x.rpc) {
    case 'call':
      return id && typeof x.method === 'string' && Array.isArray(x.args);
    case 'result':
      return id;
    case 'error':
      return id && typeof x.code === 'string' && (ERROR_CODES as readonly string[]).includes(x.code) && typeof x.message === 'string';
    case 'event':
      return typeof x.name === 'string';
    default:
      return false;
  }
}

/** The two ends of an in-memory port pair (tests). Delivery is asynchronous and in order, like IPC. */
export function memoryPortPair(): [RpcPort & { close(): void }, RpcPort & { close(): void }] {
  type Side = { listeners: Array<(m: unknown) => void>; closers: Array<() => void> };
  const a: Side = { listeners: [], closers: [] };
  const b: Side = { listeners: [], closers: [] };
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    queueMicrotask(() => {
      for (const f of [...a.closers, ...b.closers]) f();
    });
  };
  const end = (self: Side, other: Side) => ({
    send(message: RpcMessage) {
      if (closed) throw new Error('port closed');
      // A structured copy, as IPC makes one: no shared objects between the ends.
      const copy = JSON.parse(JSON.stringify(message)) as unknown;
      setImmediate(() => {
        if (!closed) for (const l of other.listeners) l(copy);
      });
    },
    onMessage(l: (m: unknown) => void) {
      self.listeners.push(l);
    },
    onClose(l: () => void) {
      self.closers.push(l);
    },
    close,
  });
  return [end(a, b), end(b, a)];
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
