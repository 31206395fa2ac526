/**
 * The extension's chat client in a process of its own: `dist/clientHost.js` (src/clientHost/)
 * forked with the extension host's own executable and ELECTRON_RUN_AS_NODE=1, as the relay is
 * (relayProcess.ts), and driven over Node's IPC channel (src/shared/rpc.ts). Why: the extension
 * host is shared with every other extension and cannot take the process tuning the terminal
 * client and the relay apply (src/shared/heapTuning.ts); a transfer sent from it was a third
 * slower than the same transfer from the terminal client (bench/extensionTransfer.mjs).
 *
 * Identity, relay secret and pinned keys are the extension's: they reach the process in the
 * `start` call, over IPC, never on its command line or in its environment. Keys it pins come
 * back and are stored here; keys pinned here are sent to it.
 *
 * It never outlives the session: leave() says goodbye and then disconnects, the process exits
 * on disconnect, and SIGKILL follows if it has not after CLIENT_STOP_GRACE_MS. If it dies by
 * itself, every open call is rejected and `process-exited` is emitted once. No `vscode` import.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { CodeSnippet } from '../shared/codeLink';
import type { ChatClientOptions } from '../client/chatClient';
import type { ConnectionState, MemberInfo, PathInfo } from '../client/events';
import { identityFingerprint } from '../client/fingerprints';
import { TypedEmitter } from '../client/typedEmitter';
import { serializeIdentity } from '../crypto/identity';
import { PeerChatError } from '../protocol/errors';
import { RpcEndpoint, type RpcMessage, type RpcPort } from '../shared/rpc';
import { CLIENT_HOST_LEAVE_TIMEOUT_MS, type ClientHostSide, type ClientHostStart, type ClientView, type ExtensionHostSide } from '../clientHost/protocol';
import type { SessionClient, SessionClientEvents } from './sessionClient';
import { splitLines } from './relayProcess';

/** After the goodbye (or at dispose), how long the process may take to exit before SIGKILL. */
export const CLIENT_STOP_GRACE_MS = 2_000;
/**
 * Time limit of calls that answer at once in the client (send a message, decline, cancel…): only
 * a process that hangs misses it. Calls that hash a file, wait for the relay or for a peer have
 * none: a process that dies rejects them anyway.
 */
export const CLIENT_CALL_TIMEOUT_MS = 30_000;
/** Lines of the process's stderr kept for the message when it dies. */
const STDERR_TAIL_LINES = 20;

/** The pin store the process mirrors (MementoPinStore). */
export interface SyncedPinStore {
  all(): Record<string, string>;
  set(nick: string, fingerprint: string): void;
  /** Called after every change; returns a function that stops listening. */
  onDidSet(listener: (nick: string, fingerprint: string) => void): () => void;
}

export interface ClientProcessLaunch {
  /** Absolute path of dist/clientHost.js. */
  script: string;
  pins: SyncedPinStore;
  /** The runtime; defaults to the extension host's own executable. */
  execPath?: string;
  /** Extra environment (ELECTRON_RUN_AS_NODE=1 is always set). */
  env?: NodeJS.ProcessEnv;
  /** Forward the client's 'debug' log lines too. */
  debugLog?: boolean;
}

export class ChatClientProcess extends TypedEmitter<SessionClientEvents> implements SessionClient {
  readonly fingerprint: string;
  private child: ChildProcess | undefined;
  private endpoint: RpcEndpoint<ExtensionHostSide, ClientHostSide> | undefined;
  private view: ClientView | undefined;
  /** We asked it to end (leave, dispose): its exit is not news. */
  private stopping = false;
  private exitedWith: { code: number | null; signal: string | null } | undefined;
  private exitWaiters: Array<() => void> = [];
  private readonly stderrTail: string[] = [];
  private unsubscribePins: (() => void) | undefined;

  constructor(
    private readonly options: ChatClientOptions,
    private readonly launch: ClientProcessLaunch,
  ) {
    super();
    this.fingerprint = identityFingerprint(options.identity);
  }

  /** The process id while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get nick(): string {
    return this.view?.nick ?? this.options.nick;
  }

  get state(): ConnectionState {
    if (this.exitedWith) return 'left';
    return this.view?.state ?? 'connecting';
  }

  online(): string[] {
    return this.members().map((m) => m.nick);
  }

  members(): MemberInfo[] {
    return this.view?.members.map((m) => ({ ...m })) ?? [];
  }

  myDevices(): number {
    return this.view?.myDevices ?? 1;
  }

  paths(): PathInfo[] {
    return this.view?.paths.map((p) => ({ ...p })) ?? [];
  }

  /** Starts the process and, in it, the client: resolves once the relay accepted the nickname. */
  async start(): Promise<void> {
    if (this.child) throw new PeerChatError('INTERNAL', 'This client was started already.');
    if (!existsSync(this.launch.script)) {
      throw new PeerChatError('INTERNAL', `The bundled client is missing (${this.launch.script}). Reinstall the extension.`);
    }
    const endpoint = this.spawn();
    const { identity, pins: _pins, log: _log, ...rest } = this.options;
    const start: ClientHostStart = { ...rest, identity: serializeIdentity(identity), pins: this.launch.pins.all(), debugLog: this.launch.debugLog === true };
    await endpoint.callWithin(0, 'start', start);
  }

  private spawn(): RpcEndpoint<ExtensionHostSide, ClientHostSide> {
    const child = fork(this.launch.script, [], {
      execPath: this.launch.execPath ?? process.execPath,
      // Not the extension host's flags (an --inspect port, VS Code's own): a plain Node.
      execArgv: [],
      env: { ...process.env, ...this.launch.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    const closers: Array<() => void> = [];
    let closed = false;
    const closeOnce = () => {
      if (closed) return;
      closed = true;
      for (const c of closers) c();
    };
    const port: RpcPort = {
      send: (m: RpcMessage) => {
        if (!child.connected) throw new Error('the IPC channel is closed');
        child.send(m, (err: Error | null) => {
          if (err) this.log('warn', `Could not send to the client process: ${err.message}`);
        });
      },
      onMessage: (l) => child.on('message', l),
      onClose: (l) => closers.push(l),
    };
    const endpoint = new RpcEndpoint<ExtensionHostSide, ClientHostSide>(port, {}, {
      peerName: 'the client process',
      timeoutMs: CLIENT_CALL_TIMEOUT_MS,
      onMalformed: (m) => this.log('warn', `Ignored a malformed message from the client process: ${JSON.stringify(m)?.slice(0, 200)}`),
    });
    this.endpoint = endpoint;
    endpoint.on('view', (v) => (this.view = v));
    endpoint.on('client', (e) => this.emit(e.name, e.payload as never));
    endpoint.on('log', ({ level, message }) => this.log(level, message));
    endpoint.on('pin', ({ nick, fingerprint }) => this.launch.pins.set(nick, fingerprint));
    this.unsubscribePins = this.launch.pins.onDidSet((nick, fingerprint) => endpoint.emit('pin', { nick, fingerprint }));

    splitLines(child.stdout!, (l) => this.log('info', `client process: ${l}`));
    splitLines(child.stderr!, (l) => {
      this.stderrTail.push(l);
      if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
      this.log('warn', `client process: ${l}`);
    });
    child.once('disconnect', closeOnce);
    child.on('error', (err) => {
      this.log('error', `Client process: ${err.message}`);
      if (child.pid !== undefined) return; // a signal or message that could not be sent
      // It never started: nothing will answer, and no exit will come.
      this.exitedWith = { code: null, signal: null };
      endpoint.close(`The client process could not be started (${err.message})`);
      closeOnce();
      for (const w of this.exitWaiters.splice(0)) w();
    });
    child.once('exit', (code, signal) => {
      this.exitedWith = { code, signal };
      this.unsubscribePins?.();
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      endpoint.close(`The client process exited (${how})`);
      closeOnce();
      for (const w of this.exitWaiters.splice(0)) w();
      if (this.stopping) return;
      const last = this.stderrTail.filter((l) => l.trim() !== '').slice(-1)[0];
      this.log('error', `The client process exited unexpectedly (${how}).`);
      this.emit('process-exited', { code, signal, message: `Peer Chat's client process stopped unexpectedly (${how})${last ? `: ${last}` : '.'}` });
    });
    return endpoint;
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.options.log?.(level, message);
  }

  private need(): RpcEndpoint<ExtensionHostSide, ClientHostSide> {
    if (!this.endpoint) throw new PeerChatError('NOT_REGISTERED', 'The client has not been started.');
    return this.endpoint;
  }

  whenReady(): Promise<void> {
    return this.need().callWithin(0, 'whenReady');
  }
  async broadcast(text: string): Promise<string> {
    return this.need().call('broadcast', text);
  }
  async sendPrivate(to: string, text: string): Promise<string> {
    return this.need().call('sendPrivate', to, text);
  }
  async shareSnippet(snippet: CodeSnippet, to?: string): Promise<string> {
    return this.need().call('shareSnippet', snippet, to ?? null);
  }
  async sendFile(to: string, path: string): Promise<string> {
    return this.need().callWithin(0, 'sendFile', to, path);
  }
  async sendFiles(to: string[], paths: string[]): Promise<string> {
    return this.need().callWithin(0, 'sendFiles', to, paths);
  }
  async requestFile(to: string, name: string, opts: { saveDir?: string } = {}): Promise<string> {
    return this.need().callWithin(0, 'requestFile', to, name, opts);
  }
  async accept(id: string, opts: { saveDir?: string } = {}): Promise<void> {
    return this.need().callWithin(0, 'accept', id, opts);
  }
  async decline(id: string): Promise<void> {
    return this.need().call('decline', id);
  }
  async cancel(id: string): Promise<void> {
    return this.need().call('cancel', id);
  }
  async trustPeer(nick: string): Promise<void> {
    return this.need().call('trustPeer', nick);
  }
  async whois(nick: string): Promise<{ nick: string; fingerprint: string; devices: number }> {
    return this.need().call('whois', nick);
  }

  /** Goodbye to the relay (bounded), then the process ends; resolves once it has exited. */
  async leave(): Promise<void> {
    if (!this.child || this.exitedWith) return;
    this.stopping = true;
    try {
      await this.endpoint?.callWithin(CLIENT_HOST_LEAVE_TIMEOUT_MS, 'leave');
    } catch (err) {
      this.log('warn', `Leaving did not finish in the client process: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await this.stop();
    }
  }

  /** Ends the process: disconnects (it exits on that), SIGKILL after the grace period. */
  stop(graceMs = CLIENT_STOP_GRACE_MS): Promise<void> {
    const child = this.child;
    if (!child || this.exitedWith) return Promise.resolve();
    this.stopping = true;
    const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => {
      if (!this.exitedWith) child.kill('SIGKILL');
    }, graceMs);
    return exited.finally(() => clearTimeout(timer));
  }

  dispose(): void {
    void this.stop();
  }
}
