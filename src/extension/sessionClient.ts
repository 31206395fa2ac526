/**
 * The chat client as the session (chatSession.ts) uses it. Two implementations: the client in a
 * process of its own (clientProcess.ts, what the extension runs) and the ChatClient in this
 * process (InProcessClient, for tests and as a fallback). Methods that talk to the client are
 * asynchronous, because across a process they are; what the session reads synchronously
 * (online, members, paths, nick, state) is mirrored. No `vscode` import.
 */
import { ChatClient } from '../client/chatClient';
import type { CodeSnippet } from '../shared/codeLink';
import { CLIENT_EVENT_NAMES, type ClientEvents, type ConnectionState, type MemberInfo, type PathInfo } from '../client/events';
import { TypedEmitter } from '../client/typedEmitter';

/** The client's events, plus the end of its process when that was not asked for. */
export interface SessionClientEvents extends ClientEvents {
  /** The client's process exited by itself (crashed, was killed): the client is gone. Once. */
  'process-exited': { code: number | null; signal: string | null; message: string };
}

export interface SessionClient {
  readonly nick: string;
  readonly fingerprint: string;
  readonly state: ConnectionState;
  on<K extends keyof SessionClientEvents & string>(name: K, listener: (payload: SessionClientEvents[K]) => void): unknown;
  off<K extends keyof SessionClientEvents & string>(name: K, listener: (payload: SessionClientEvents[K]) => void): unknown;

  start(): Promise<void>;
  whenReady(): Promise<void>;
  online(): string[];
  members(): MemberInfo[];
  myDevices(): number;
  paths(): PathInfo[];
  broadcast(text: string): Promise<string>;
  sendPrivate(to: string, text: string): Promise<string>;
  /** A code snippet to everyone, or to every device of `to` (README "Sharing code"). */
  shareSnippet(snippet: CodeSnippet, to?: string): Promise<string>;
  sendFile(to: string, path: string): Promise<string>;
  /** Files and folders to several members as one transfer job; returns the job's id. */
  sendFiles(to: string[], paths: string[]): Promise<string>;
  requestFile(to: string, name: string, opts?: { saveDir?: string }): Promise<string>;
  accept(id: string, opts?: { saveDir?: string }): Promise<void>;
  decline(id: string): Promise<void>;
  cancel(id: string): Promise<void>;
  trustPeer(nick: string): Promise<void>;
  whois(nick: string): Promise<{ nick: string; fingerprint: string; devices: number }>;
  /** Says goodbye to the relay; afterwards nothing of the client is left running. */
  leave(): Promise<void>;
  /** Ends it at once, without a goodbye (the window is closing). */
  dispose(): void;
}

/** A ChatClient in this process, behind the SessionClient surface. */
export class InProcessClient extends TypedEmitter<SessionClientEvents> implements SessionClient {
  constructor(readonly client: ChatClient) {
    super();
    for (const name of CLIENT_EVENT_NAMES) client.on(name, (payload) => this.emit(name, payload as never));
  }

  get nick(): string {
    return this.client.nick;
  }
  get fingerprint(): string {
    return this.client.fingerprint;
  }
  get state(): ConnectionState {
    return this.client.state;
  }
  start(): Promise<void> {
    return this.client.start();
  }
  whenReady(): Promise<void> {
    return this.client.whenReady();
  }
  online(): string[] {
    return this.client.online();
  }
  members(): MemberInfo[] {
    return this.client.members();
  }
  myDevices(): number {
    return this.client.myDevices();
  }
  paths(): PathInfo[] {
    return this.client.paths();
  }
  async broadcast(text: string): Promise<string> {
    return this.client.broadcast(text);
  }
  async sendPrivate(to: string, text: string): Promise<string> {
    return this.client.sendPrivate(to, text);
  }
  async shareSnippet(snippet: CodeSnippet, to?: string): Promise<string> {
    return this.client.shareSnippet(snippet, to);
  }
  sendFile(to: string, path: string): Promise<string> {
    return this.client.sendFile(to, path);
  }
  sendFiles(to: string[], paths: string[]): Promise<string> {
    return this.client.sendFiles(to, paths);
  }
  requestFile(to: string, name: string, opts?: { saveDir?: string }): Promise<string> {
    return this.client.requestFile(to, name, opts);
  }
  accept(id: string, opts?: { saveDir?: string }): Promise<void> {
    return this.client.accept(id, opts);
  }
  async decline(id: string): Promise<void> {
    this.client.decline(id);
  }
  async cancel(id: string): Promise<void> {
    this.client.cancel(id);
  }
  async trustPeer(nick: string): Promise<void> {
    this.client.trustPeer(nick);
  }
  whois(nick: string): Promise<{ nick: string; fingerprint: string; devices: number }> {
    return this.client.whois(nick);
  }
  leave(): Promise<void> {
    return this.client.leave();
  }
  dispose(): void {
    void this.client.leave().catch(() => undefined);
  }
}
