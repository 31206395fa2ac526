/**
 * What the extension host and its client process (dist/clientHost.js) say to each other over
 * Node's IPC channel (src/shared/rpc.ts carries it). The client process runs one ChatClient; the
 * extension calls its methods and hears its events. Identity, relay secret and pinned keys stay
 * the extension's: they go to the process in the `start` call (over IPC, never on its command
 * line or in its environment), and every key the client pins comes back as a `pin` event.
 */
import type { ChatClientOptions } from '../client/chatClient';
import type { CodeSnippet } from '../shared/codeLink';
import type { ClientEventName, ClientEvents, ConnectionState, MemberInfo, PathInfo } from '../client/events';

/** ChatClientOptions as they cross IPC: the identity serialized, pins as a plain record, no callbacks. */
export type ClientHostStart = Omit<ChatClientOptions, 'identity' | 'pins' | 'log'> & {
  /** serializeIdentity() of the identity (src/crypto/identity.ts). */
  identity: string;
  /** Pinned fingerprints by nickname key. */
  pins: Record<string, string>;
  /** Forward 'debug' log lines too (they are frequent during transfers). */
  debugLog?: boolean;
};

/**
 * What the extension reads from the client synchronously (ChatClient's getters and queries),
 * mirrored: sent before every event and every answer in which it changed.
 */
export interface ClientView {
  nick: string;
  state: ConnectionState;
  members: MemberInfo[];
  myDevices: number;
  paths: PathInfo[];
}

/** One ChatClient event as it crosses. */
export type ForwardedEvent = { [K in ClientEventName]: { name: K; payload: ClientEvents[K] } }[ClientEventName];

/** The client process: the methods it answers (ChatClient's) and what it sends. */
export interface ClientHostSide {
  methods: {
    start(options: ClientHostStart): void;
    whenReady(): void;
    broadcast(text: string): string;
    sendPrivate(to: string, text: string): string;
    /** ChatClient.shareSnippet; `to` null = everyone (JSON carries no undefined in an argument list). */
    shareSnippet(snippet: CodeSnippet, to: string | null): string;
    sendFile(to: string, path: string): string;
    /** A transfer job: files and folders to several members (docs/protocol.md "Transfer jobs"). */
    sendFiles(to: string[], paths: string[]): string;
    requestFile(to: string, name: string, opts: { saveDir?: string }): string;
    accept(id: string, opts: { saveDir?: string }): void;
    decline(id: string): void;
    cancel(id: string): void;
    trustPeer(nick: string): void;
    whois(nick: string): { nick: string; fingerprint: string; devices: number };
    leave(): void;
  };
  events: {
    client: ForwardedEvent;
    view: ClientView;
    pin: { nick: string; fingerprint: string };
    log: { level: 'debug' | 'info' | 'warn' | 'error'; message: string };
  };
}

/** The extension host: it answers nothing; it tells the process about keys pinned on its side. */
export interface ExtensionHostSide {
  methods: Record<string, never>;
  events: {
    pin: { nick: string; fingerprint: string };
  };
}

/** Longest `leave` may take in the process (the client's own drain is bounded too). */
export const CLIENT_HOST_LEAVE_TIMEOUT_MS = 6_000;
