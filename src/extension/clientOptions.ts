/**
 * Settings → ChatClientOptions. Pure: the host reads `peerchat.*` with the VS Code API
 * (settings.ts) and passes plain values here, so the mapping is unit-tested without VS Code.
 */
import * as path from 'node:path';
import type { ChatClientOptions } from '../client/chatClient';
import { clampHistoryLimit, DEFAULT_HISTORY_LIMIT } from './chatState';
import { DEFAULT_RELAY_HOST, DEFAULT_RELAY_PORT, parseRelayList, type RelayTarget } from './relayAddress';

/** Name of the folder received files go to inside the first workspace folder (the default). */
export const WORKSPACE_DOWNLOAD_FOLDER = 'PeerChat Downloads';
/** Default largest file accepted from a peer, in MiB (the setting's unit). */
export const DEFAULT_MAX_INCOMING_MB = 1024;

export type AskAlways = 'ask' | 'always';

export interface PeerChatSettings {
  /** `host:port` of the relay Join Chat connects to. */
  relayAddress: string;
  /** Default nickname ('' = remembered one, or the OS user name). */
  nickname: string;
  /** '' = `<first workspace folder>/PeerChat Downloads`, or ~/Downloads without a workspace. */
  downloadFolder: string;
  acceptFiles: AskAlways;
  /** MiB; 0 = no limit. */
  maxIncomingSize: number;
  /** [] = the workspace folders. */
  sharedFolders: string[];
  /** 'never' shares nothing (every request is refused). */
  allowRequests: AskAlways | 'never';
  historyLimit: number;
  /** Joining a relay on this machine that does not answer: offer to start one, start it, or neither. */
  autoStartRelay: AskAlways | 'never';
  /** Where Start Relay listens (`host:port`; port 0 = any free port). */
  relayListenAddress: string;
  /** Show a notification for private messages that arrive while the chat is hidden. */
  notifyPrivateMessages: boolean;
  /** Connect to peers directly when the network allows (false: everything through the relay). */
  directConnections: boolean;
  /** Where Start Relay (and the task) serves: ask the first time, this machine only, or the network. */
  relayServe: RelayServe;
  /** Announce a relay serving the network on the LAN, and list the relays announced there in Join Chat. */
  discovery: boolean;
}

export type RelayServe = 'ask' | 'thisMachine' | 'network';

export const DEFAULT_SETTINGS: PeerChatSettings = {
  relayAddress: `${DEFAULT_RELAY_HOST}:${DEFAULT_RELAY_PORT}`,
  nickname: '',
  downloadFolder: '',
  acceptFiles: 'ask',
  maxIncomingSize: DEFAULT_MAX_INCOMING_MB,
  sharedFolders: [],
  allowRequests: 'ask',
  historyLimit: DEFAULT_HISTORY_LIMIT,
  autoStartRelay: 'ask',
  relayListenAddress: `${DEFAULT_RELAY_HOST}:${DEFAULT_RELAY_PORT}`,
  notifyPrivateMessages: true,
  directConnections: true,
  relayServe: 'ask',
  discovery: true,
};

/** Where paths in settings are resolved. */
export interface PathEnvironment {
  /** fsPaths of the workspace folders, first = primary. */
  workspaceFolders: readonly string[];
  homeDir: string;
}

/** Reads loosely typed setting values (what `getConfiguration().get` returns), with defaults. */
export function normalizeSettings(raw: Partial<Record<keyof PeerChatSettings, unknown>>): PeerChatSettings {
  const str = (v: unknown, d: string) => (typeof v === 'string' ? v.trim() : d);
  const oneOf = <T extends string>(v: unknown, allowed: readonly T[], d: T): T => (allowed.includes(v as T) ? (v as T) : d);
  const size = typeof raw.maxIncomingSize === 'number' && Number.isFinite(raw.maxIncomingSize) && raw.maxIncomingSize >= 0 ? raw.maxIncomingSize : DEFAULT_MAX_INCOMING_MB;
  return {
    relayAddress: str(raw.relayAddress, DEFAULT_SETTINGS.relayAddress) || DEFAULT_SETTINGS.relayAddress,
    nickname: str(raw.nickname, ''),
    downloadFolder: str(raw.downloadFolder, ''),
    acceptFiles: oneOf(raw.acceptFiles, ['ask', 'always'] as const, 'ask'),
    maxIncomingSize: size,
    sharedFolders: Array.isArray(raw.sharedFolders) ? raw.sharedFolders.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()) : [],
    allowRequests: oneOf(raw.allowRequests, ['ask', 'always', 'never'] as const, 'ask'),
    historyLimit: clampHistoryLimit(raw.historyLimit),
    autoStartRelay: oneOf(raw.autoStartRelay, ['ask', 'always', 'never'] as const, 'ask'),
    relayListenAddress: str(raw.relayListenAddress, DEFAULT_SETTINGS.relayListenAddress) || DEFAULT_SETTINGS.relayListenAddress,
    notifyPrivateMessages: typeof raw.notifyPrivateMessages === 'boolean' ? raw.notifyPrivateMessages : true,
    directConnections: typeof raw.directConnections === 'boolean' ? raw.directConnections : true,
    relayServe: oneOf(raw.relayServe, ['ask', 'thisMachine', 'network'] as const, 'ask'),
    discovery: typeof raw.discovery === 'boolean' ? raw.discovery : true,
  };
}

/**
 * Expands `~`, `${userHome}` and `${workspaceFolder}`; a relative path is taken relative to the
 * first workspace folder (or the home folder without one). Returns an absolute, normalised path.
 */
export function expandPath(p: string, env: PathEnvironment): string {
  const ws = env.workspaceFolders[0];
  let s = p.trim();
  s = s.replace(/\$\{userHome\}/g, env.homeDir);
  if (ws !== undefined) s = s.replace(/\$\{workspaceFolder\}/g, ws);
  if (s === '~') s = env.homeDir;
  else if (s.startsWith('~/') || s.startsWith('~\\')) s = path.join(env.homeDir, s.slice(2));
  if (!path.isAbsolute(s)) s = path.join(ws ?? env.homeDir, s);
  return path.normalize(s);
}

/** Where received files go (see PeerChatSettings.downloadFolder). */
export function resolveDownloadDir(setting: string, env: PathEnvironment): string {
  if (setting.trim() !== '') return expandPath(setting, env);
  const ws = env.workspaceFolders[0];
  return ws !== undefined ? path.join(ws, WORKSPACE_DOWNLOAD_FOLDER) : path.join(env.homeDir, 'Downloads');
}

/** Folders peers may request files from; [] refuses every request. */
export function resolveSharedDirs(settings: Pick<PeerChatSettings, 'sharedFolders' | 'allowRequests'>, env: PathEnvironment): string[] {
  if (settings.allowRequests === 'never') return [];
  const dirs = settings.sharedFolders.length > 0 ? settings.sharedFolders.map((d) => expandPath(d, env)) : [...env.workspaceFolders];
  return [...new Set(dirs.map((d) => path.normalize(d)))];
}

/** MiB → bytes; 0 (no limit) → undefined. */
export function maxIncomingBytes(mb: number): number | undefined {
  if (!(mb > 0)) return undefined;
  return Math.floor(mb * 1024 * 1024);
}

/**
 * The relay to join: the setting, parsed (throws a readable Error when it is malformed). A comma
 * list is a cluster's relays: the first is joined, the others are where the client moves to.
 */
export function relayFromSettings(settings: Pick<PeerChatSettings, 'relayAddress'>): RelayTarget {
  const parsed = parseRelayList(settings.relayAddress);
  if (!parsed.ok) throw new Error(`The setting peerchat.relayAddress ("${settings.relayAddress}") is not valid: ${parsed.reason}`);
  return parsed.target;
}

export type ClientExtras = Pick<ChatClientOptions, 'nick' | 'identity'> &
  Partial<Pick<ChatClientOptions, 'secret' | 'pins' | 'log'>> & {
    /** Overrides the relay from settings (e.g. the relay this window just started). */
    relay?: RelayTarget;
  };

export function buildClientOptions(settings: PeerChatSettings, env: PathEnvironment, extras: ClientExtras): ChatClientOptions {
  const relay: RelayTarget = extras.relay ?? relayFromSettings(settings);
  // The fallbacks ride along to the client's relay connection (src/client/relayList.ts).
  const target: RelayTarget = relay.fallbacks === undefined ? { host: relay.host, port: relay.port } : { host: relay.host, port: relay.port, fallbacks: relay.fallbacks };
  const options: ChatClientOptions = {
    relay: target,
    nick: extras.nick,
    identity: extras.identity,
    downloadDir: resolveDownloadDir(settings.downloadFolder, env),
    shareDirs: resolveSharedDirs(settings, env),
    acceptFiles: settings.acceptFiles,
    allowRequests: settings.allowRequests === 'always' ? 'always' : 'ask',
    directConnections: settings.directConnections,
  };
  const max = maxIncomingBytes(settings.maxIncomingSize);
  if (max !== undefined) options.maxIncomingBytes = max;
  if (extras.secret) options.secret = extras.secret;
  if (extras.pins) options.pins = extras.pins;
  if (extras.log) options.log = extras.log;
  return options;
}

/**
 * The nickname Join Chat proposes: the `peerchat.nickname` setting if set, else the one
 * remembered from the last successful join, else the OS user name made valid.
 */
export function suggestNickname(setting: string, remembered: string | undefined, osUser: string): string {
  if (setting.trim() !== '') return setting.trim();
  if (remembered && remembered.trim() !== '') return remembered.trim();
  const cleaned = osUser
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}_.-]/gu, '')
    .replace(/^[^\p{L}\p{N}]+/u, '');
  return [...cleaned].slice(0, 24).join('');
}
