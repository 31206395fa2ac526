/**
 * One chat session in this window: the ChatClient (src/client, unchanged) and everything the
 * user sees of it outside the webview — state updates, notifications for offers and requests,
 * transfer progress, the composer's commands. The client is created on Join and dropped on
 * Leave; the ChatState (history, cards) lives as long as the window and is persisted.
 *
 * The client runs in a process of its own (clientProcess.ts: dist/clientHost.js), one per join;
 * leaving ends it. If it dies by itself the session says so once and offers to join again.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ChatClient, type ChatClientOptions } from '../client/chatClient';
import { COMMAND_HELP, parseCommand } from '../client/commandLine';
import type { ClientEvents } from '../client/events';
import { checkRequestName, resolveInShare } from '../client/sharedFolder';
import { identityFingerprint } from '../client/fingerprints';
import { defaultConfigDir, installIdentity, nicknameIdentityFiles } from '../client/identityFiles';
import { checkNickname, nicknameKey } from '../protocol/nickname';
import { PeerChatError } from '../protocol/errors';
import { hasCode, mentionsNick } from '../shared/chatMarkdown';
import { isSafeLinkUrl } from '../shared/linkPolicy';
import { isFinalStatus, shortTransferId, TRANSFER_ID_SEPARATOR, type SnippetAction, type TransferAction, type WebviewCommand } from '../shared/webviewMessages';
import { formatBytes } from '../shared/units';
import { transferTitle } from '../../webview/format';
import { quoteReply } from '../../webview/quote';
import type { ChatState } from './chatState';
import { buildClientOptions, expandPath, relayFromSettings, resolveDownloadDir, resolveSharedDirs, suggestNickname, type PeerChatSettings } from './clientOptions';
import { ContextKeys, setContext } from './contextKeys';
import { Disposable, toDisposable } from './dispose';
import { errorCodeOf, errorText } from './errorMessages';
import type { ErrorReporter } from './errorReporter';
import { relaySecretKey, type IdentityChange, type IdentityStore } from './identityStore';
import { MementoPinStore } from './pinStore';
import { connectableAddress, formatRelayAddress, isLoopbackHost, parseRelayAddress, type RelayAddress, type RelayTarget } from './relayAddress';
import type { RelayController, StartedRelay } from './relayController';
import { RelayStartError } from './relayProcess';
import { ChatClientProcess } from './clientProcess';
import { InProcessClient, type SessionClient, type SessionClientEvents } from './sessionClient';
import { openSettings, pathEnvironment, readSettings } from './settings';
import { TransferProgress } from './transferProgress';
import { SnippetOpener, shareSelection, snippetFromFile } from './snippets';
import { type CodeSnippet, snippetLocation, snippetOrigin } from '../shared/codeLink';
import { ReceivedFileActions } from './receivedFileActions';
import type { TeamRelay, TeamSession } from './teamRelay';

/** globalState: the nickname of the last successful join. */
export const LAST_NICK_KEY = 'peerchat.lastNick';
/** A private message not acknowledged by then is shown as unconfirmed. */
export const PRIVATE_ACK_TIMEOUT_MS = 15_000;
/**
 * After joining, how long the "Joined …" notice waits for the roster (ms), so it can say who is
 * online instead of "no one" (one round trip to the relay; the notice goes out anyway after this).
 */
const ROSTER_WAIT_MS = 3_000;
/** Deactivation waits this long for a polite goodbye to the relay. */
export const LEAVE_TIMEOUT_MS = 1_500;

/** What the session needs from the chat view. */
export interface ChatSurface {
  readonly visible: boolean;
  show(focusComposer?: boolean, text?: string): Promise<void>;
  /** Shows the view without moving the focus. */
  reveal(): Promise<void>;
}

export interface JoinOptions {
  /** Skip the nickname prompt. */
  nick?: string;
  /** Join this relay instead of the one from settings. */
  relay?: RelayAddress;
  /** Internal: this join follows an automatic relay start; do not start another. */
  afterAutoStart?: boolean;
  /** The relay's name (from an invitation or the LAN), for the prompt and the list of relays used before. */
  relayName?: string;
}

/** Makes the client of one join. */
export type ClientFactory = (options: ChatClientOptions) => SessionClient;

/** The ChatClient in the extension host itself (tests; no process of its own). */
export const inProcessClient: ClientFactory = (o) => new InProcessClient(new ChatClient(o));

export class ChatSession extends Disposable implements TeamSession {
  private client: SessionClient | undefined;
  /** Serving and joining teams (teamRelay.ts); set once by activate. */
  team: TeamRelay | undefined;
  private joining: Promise<boolean> | undefined;
  private surface: ChatSurface | undefined;
  private readonly pins: MementoPinStore;
  /** Open and Copy on snippet cards (README "Sharing code"). */
  private readonly snippets: SnippetOpener;
  private readonly progress: TransferProgress;
  /** Compare, save over, save beside, discard (receivedFileActions.ts). */
  private readonly received: ReceivedFileActions;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Transfers whose end we caused (cancel/decline), so no warning pops up for them. */
  private readonly endedByUs = new Set<string>();
  /** The client's message ids (tagged, as events carry them) → the chat entry that shows them. */
  private readonly sentMessages = new Map<string, string>();
  /** A join is under way: its refusal is reported once, by joinFailed, not also by the client's error event. */
  private registering = false;
  private wasUnreachable = false;
  private joinedOnce = false;
  /**
   * Prefix of this join's transfer card ids. The client numbers transfers from 1 on every
   * start, and cards from earlier joins stay in the (persisted) history, so card id =
   * tag + separator + client id.
   */
  private idTag = '';
  /** The relay of the current (or last) client, for a rejoin that must stay there. */
  private clientRelay: RelayAddress | undefined;
  /** Ends a join still waiting for the relay (set while one is). */
  private abortJoin: (() => void) | undefined;
  private readonly createClient: ClientFactory;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly state: ChatState,
    private readonly relay: RelayController,
    private readonly identity: IdentityStore,
    private readonly errors: ErrorReporter,
    private readonly log: vscode.LogOutputChannel,
    createClient?: ClientFactory,
  ) {
    super();
    this.pins = new MementoPinStore(context.globalState, (err) => log.error(`Could not save a pinned key: ${errorText(err)}`));
    const script = vscode.Uri.joinPath(context.extensionUri, 'dist', 'clientHost.js').fsPath;
    this.createClient = createClient ?? ((o) => new ChatClientProcess(o, { script, pins: this.pins }));
    this.snippets = this._register(new SnippetOpener(log));
    // The window is closing: the client's process goes with it.
    this._register(toDisposable(() => this.client?.dispose()));
    this.progress = this._register(
      new TransferProgress(
        (id) => this.cancelTransfer(id),
        () => !this.surface?.visible,
      ),
    );
    this.received = this._register(new ReceivedFileActions(state, log, (err) => this.errors.report(err)));
    this._register(toDisposable(() => this.timers.forEach(clearTimeout)));
    this.state.setConnection({ suggestedNick: this.suggestedNick(readSettings()), relayRunning: relay.running });
    this._register(relay.onDidChange(() => this.state.setConnection({ relayRunning: relay.running })));
    this._register(identity.onDidChangeIdentity((c) => void this.identityChanged(c)));
  }

  attach(surface: ChatSurface): void {
    this.surface = surface;
  }

  get joined(): boolean {
    return this.client !== undefined;
  }

  /** `host:port` of the relay joined (or being joined). */
  currentRelay(): string | undefined {
    return this.client && this.clientRelay ? formatRelayAddress(this.clientRelay) : undefined;
  }

  /** Other nicknames online, from the client. */
  online(): string[] {
    return this.client?.online() ?? [];
  }

  /** The nickname Join proposes: the banner's (after a refusal, the one refused), else the remembered one. */
  private suggestedNick(settings: PeerChatSettings): string {
    const shown = this.state.connectionView.suggestedNick;
    if (shown) return shown;
    return suggestNickname(settings.nickname, this.context.globalState.get<string>(LAST_NICK_KEY), safeUserName());
  }

  private setTimer(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  // ================================================================ join and leave

  /** Resolves true when joined. Errors are reported to the user here, with next steps. */
  join(opts: JoinOptions = {}): Promise<boolean> {
    if (this.client) {
      void this.surface?.show(true);
      return Promise.resolve(true);
    }
    this.joining ??= this.doJoin(opts).finally(() => (this.joining = undefined));
    return this.joining;
  }

  /** The relay Join uses: the setting, or the relay this window started when the setting points here. */
  defaultRelay(settings: PeerChatSettings): RelayAddress {
    const configured = relayFromSettings(settings);
    const ours = this.relay.address;
    if (ours && isLoopbackHost(configured.host)) return ours;
    return configured;
  }

  private async doJoin(opts: JoinOptions): Promise<boolean> {
    const settings = readSettings();
    let relay: RelayAddress;
    let relayName = opts.relayName;
    try {
      relay = opts.relay ?? this.defaultRelay(settings);
    } catch (err) {
      await this.errors.report(err, {}, { openSettings: () => openSettings() });
      return false;
    }
    if (!opts.relay && this.team) {
      // Join Chat from the palette: the relays on the LAN and used before, first (teamRelay.ts).
      const picked = await this.team.pickRelay(settings, relay);
      if (picked === 'cancelled') return false;
      if (picked) {
        relay = picked.relay;
        relayName = picked.name;
      }
    }
    const nick = opts.nick ?? (await this.askNickname(settings, relay, relayName));
    if (nick === undefined) return false;

    const relayText = formatRelayAddress(relay);
    void this.surface?.show(false);
    this.state.setConnection({ status: 'connecting', relay: relayText, nick: undefined, fingerprint: undefined, suggestedNick: nick });
    this.state.addSystem(`Joining ${relayText} as ${nick}…`);
    this.log.info(`Joining ${relayText} as ${nick}.`);

    let client: SessionClient | undefined;
    try {
      // Our own relay's secret as given to it; else the one saved for the address (an invitation, Set Relay Secret).
      const secret = this.relay.secretFor(relay) ?? (await this.context.secrets.get(relaySecretKey(relayText)));
      // Also checks that the stored key is still this window's. Last before the client is made,
      // with nothing asynchronous in between, so a key change reported from here on finds the
      // client and rejoins (identityChanged).
      const identity = await this.identity.current();
      const options = buildClientOptions(settings, pathEnvironment(), {
        nick,
        identity,
        secret: secret || undefined,
        pins: this.pins,
        relay,
        log: (level, message) => this.log[level](message),
      });
      const shared = options.shareDirs ?? [];
      this.log.info(`Downloads go to ${options.downloadDir}; shared folders: ${shared.length ? shared.join(', ') : 'none'}.`);
      client = this.createClient(options);
      this.client = client;
      this.clientRelay = relay;
      this.idTag = `${Date.now().toString(36)}${TRANSFER_ID_SEPARATOR}`;
      this.wire(client);
      setContext(ContextKeys.connected, true);
      // The client keeps trying an unreachable relay; say so once, with what can be done.
      let warned = false;
      const joining = client;
      const onState = ({ state }: ClientEvents['state']) => {
        if (state !== 'unreachable' || warned || this.client !== joining) return;
        warned = true;
        void this.unreachableWhileJoining(relay, settings);
      };
      client.on('state', onState);
      // Leave (e.g. "Stop Trying") ends a join that is still waiting for the relay.
      const aborted = new Promise<'aborted'>((resolve) => (this.abortJoin = () => resolve('aborted')));
      this.registering = true;
      try {
        const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Joining Peer Chat at ${relayText}` }, () =>
          Promise.race([joining.start().then(() => 'joined' as const), aborted]),
        );
        if (outcome === 'aborted' || this.client !== client) return false;
      } finally {
        this.registering = false;
        client.off('state', onState);
        this.abortJoin = undefined;
      }
    } catch (err) {
      if (client) {
        this.client = undefined;
        client.leave().catch(() => undefined);
      }
      setContext(ContextKeys.connected, false);
      this.state.setConnection({ status: 'idle', nick: undefined, fingerprint: undefined });
      return this.joinFailed(err, { nick, relay, settings, afterAutoStart: opts.afterAutoStart === true });
    }

    await this.context.globalState.update(LAST_NICK_KEY, client.nick);
    await this.team?.remember(relayText, relayName);
    this.joinedOnce = true;
    this.wasUnreachable = false;
    const devices = client.myDevices();
    this.state.setConnection({ status: 'registered', nick: client.nick, fingerprint: client.fingerprint, suggestedNick: client.nick, devices });
    // Say who is here once we know (one round trip); what is typed meanwhile waits in the client.
    const ready = await Promise.race([client.whenReady().then(() => true), new Promise<boolean>((r) => this.setTimer(() => r(false), ROSTER_WAIT_MS))]);
    if (this.client !== client) return true;
    this.setRosterFrom(client);
    const others = this.state.online.length;
    const who = !ready ? 'Loading who is online…' : others === 0 ? 'No one else is online yet.' : `${others} other${others === 1 ? ' is' : 's are'} online.`;
    const mine = client.myDevices();
    const device = mine > 1 ? ` This window is another device of ${client.nick} (${mine} devices online).` : '';
    this.state.addSystem(`Joined ${relayText} as ${client.nick}.${device} ${who} Type /help for commands.`);
    void this.surface?.show(true);
    return true;
  }

  private async joinFailed(err: unknown, a: { nick: string; relay: RelayAddress; settings: PeerChatSettings; afterAutoStart: boolean }): Promise<boolean> {
    const code = errorCodeOf(err);
    const relayText = formatRelayAddress(a.relay);
    const local = isLoopbackHost(a.relay.host);
    if (code === 'RELAY_UNREACHABLE' && local && !this.relay.running && a.settings.autoStartRelay === 'always' && !a.afterAutoStart) {
      this.state.addSystem(`No relay answers at ${relayText}; starting one (peerchat.autoStartRelay is "always").`, 'warning');
      return this.startRelayAndJoin(a.relay, a.nick, true);
    }
    // Said once: a line in the chat while it is in view (its banner offers Join again, with the
    // same nickname proposed), else a notification with the next steps.
    if (this.surface?.visible) {
      this.state.addSystem(`Could not join ${relayText}: ${errorText(err)}`, 'error');
      this.log.error(`${code ?? 'ERROR'}: ${errorText(err)}`);
      return false;
    }
    void this.errors.report(
      err,
      {
        relay: relayText,
        relayIsLocal: local,
        relayRunning: this.relay.running,
        nick: a.nick,
        autoStartRelay: a.settings.autoStartRelay,
        otherRelays: (a.relay as RelayTarget).fallbacks?.map(formatRelayAddress).join(', ') || undefined,
      },
      {
        retry: () => this.join({ nick: a.nick, relay: a.relay }),
        changeNickname: () => this.join({ relay: a.relay }),
        startRelay: () => this.startRelayAndJoin(a.relay, a.nick),
        setRelaySecret: async () => {
          if (await this.setRelaySecret(relayText)) await this.join({ nick: a.nick, relay: a.relay });
        },
      },
    );
    return false;
  }

  /** Join is waiting for a relay that does not answer: start one, or offer to. */
  private async unreachableWhileJoining(relay: RelayAddress, settings: PeerChatSettings): Promise<void> {
    const relayText = formatRelayAddress(relay);
    const local = isLoopbackHost(relay.host);
    this.state.addSystem(`No relay answers at ${relayText} yet; still trying.`, 'warning');
    if (local && !this.relay.running && settings.autoStartRelay === 'always') {
      this.state.addSystem('Starting a relay in this window (peerchat.autoStartRelay is "always").');
      await this.startRelayForJoin(relay);
      return;
    }
    await this.errors.report(
      new PeerChatError('RELAY_UNREACHABLE'),
      { relay: relayText, relayIsLocal: local, relayRunning: this.relay.running, autoStartRelay: settings.autoStartRelay, stillTrying: true },
      {
        startRelay: () => this.startRelayForJoin(relay),
        stopTrying: () => this.leave('You stopped trying to join.'),
      },
    );
  }

  /** Starts a relay where a pending join is knocking; the join then completes by itself. */
  private async startRelayForJoin(relay: RelayAddress): Promise<void> {
    const nick = this.state.connectionView.suggestedNick;
    const started = await this.startRelay(relay);
    if (!started || !this.client || this.state.connectionView.status === 'registered') return;
    if (formatRelayAddress(started.address) !== formatRelayAddress(relay)) {
      // It ended up elsewhere (another port): move the join there.
      await this.leave('Moving to the relay started in this window.');
      await this.join({ relay: started.address, nick });
    }
  }

  private async askNickname(settings: PeerChatSettings, relay: RelayAddress, relayName?: string): Promise<string | undefined> {
    const where = relayName ? `${relayName} (${formatRelayAddress(relay)})` : formatRelayAddress(relay);
    const value = await vscode.window.showInputBox({
      title: 'Join Peer Chat',
      prompt: `Your nickname on ${where}`,
      placeHolder: 'e.g. alice',
      value: this.suggestedNick(settings),
      ignoreFocusOut: true,
      validateInput: (v) => {
        const check = checkNickname(v.trim());
        return check.ok ? undefined : check.reason;
      },
    });
    if (value === undefined) return undefined;
    const check = checkNickname(value.trim());
    return check.ok ? check.display : undefined;
  }

  /** Leaves the chat (if joined). The history stays. */
  async leave(reason = 'You left the chat.'): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    this.abortJoin?.();
    setContext(ContextKeys.connected, false);
    try {
      await withTimeout(client.leave(), LEAVE_TIMEOUT_MS);
    } catch (err) {
      this.log.warn(`Leaving did not finish cleanly: ${errorText(err)}`);
      client.dispose();
    }
    this.ended(reason);
  }

  /** Cleanup shared by leave() and a client that ended by itself. */
  private ended(reason: string): void {
    for (const t of this.state.allTransfers()) {
      if (!isFinalStatus(t.status)) {
        this.progress.finish(t.id);
        this.state.setTransferStatus(t.id, 'cancelled', { error: 'You left the chat.' });
      }
    }
    this.state.setConnection({ status: 'idle', nick: undefined, fingerprint: undefined });
    this.state.setRoster([]);
    this.state.addSystem(reason);
  }

  // ================================================================ relay

  /**
   * Runs the relay in this window at `target`; undefined if it did not start (already reported).
   * Serving the network (a non-loopback `target`): with the profile's invitation secret, announced
   * on the LAN unless peerchat.discovery is off.
   */
  private async startRelay(target: RelayAddress): Promise<StartedRelay | undefined> {
    let started: StartedRelay | undefined;
    const network = !isLoopbackHost(target.host);
    const settings = readSettings();
    try {
      let secret: string | undefined;
      if (network && this.team) {
        secret = await this.team.servedSecret();
      } else {
        // The secret saved (Set Relay Secret) for the address clients will join: only they can.
        secret =
          (await this.context.secrets.get(relaySecretKey(formatRelayAddress(connectableAddress(target))))) ??
          (await this.context.secrets.get(relaySecretKey(formatRelayAddress(target))));
      }
      started = await this.relay.start(target, secret || undefined, this.team?.relayArgs(network, settings) ?? []);
    } catch (err) {
      const output = err instanceof RelayStartError && err.output ? `\n${err.output}` : '';
      this.log.error(`Could not start the relay: ${errorText(err)}${output}`);
      this.state.addSystem(`Could not start the relay: ${errorText(err)}`, 'error');
      void this.errors.report(err);
      return undefined;
    }
    if (started?.startedHere) {
      this.state.addSystem(
        this.team?.startedMessage(started.address, network) ?? `Relay running on ${formatRelayAddress(started.address)}.`,
      );
      if (network) this.team?.announceStarted(started.address);
    }
    return started;
  }

  /** Start Relay: runs the relay in this window, then joins it (unless already joined). */
  async startRelayAndJoin(listen?: RelayAddress, nick?: string, auto = false): Promise<boolean> {
    const settings = readSettings();
    let target = listen;
    if (!target && this.team) {
      // Where it serves: this machine only or the network, asked the first time (teamRelay.ts).
      const choice = await this.team.serveChoice(settings);
      if (!choice) return false;
      target = this.team.listenAddress(choice, settings);
    }
    if (!target) {
      const parsed = parseRelayAddress(settings.relayListenAddress, { allowAnyPort: true });
      if (!parsed.ok) throw new Error(`The setting peerchat.relayListenAddress ("${settings.relayListenAddress}") is not valid: ${parsed.reason}`);
      target = parsed.address;
    }
    const started = await this.startRelay(target);
    if (!started) return false;
    if (this.client) {
      const where = formatRelayAddress(started.address);
      if (this.state.connectionView.relay !== where) {
        void vscode.window.showInformationMessage(`The relay is running on ${where}. You are still in the chat on ${this.state.connectionView.relay ?? 'another relay'}; leave and join to switch.`);
      }
      return true;
    }
    return this.join({ relay: started.address, nick, afterAutoStart: auto });
  }

  async stopRelay(): Promise<void> {
    const ours = this.relay.address;
    const current = this.state.connectionView.relay;
    if (this.client && ours && current === formatRelayAddress(ours)) await this.leave('You left the chat: the relay in this window was stopped.');
    await this.relay.stop();
    this.state.addSystem('The relay in this window stopped.');
  }

  /**
   * Makes this profile's identity the terminal client's key for our nickname, so that
   * `peerchat --nick NICK` in a terminal is another device of the same member (same fingerprint
   * for peers, same pins). Never replaces another key without asking; the old one is kept beside.
   * Returns the key file's path, or undefined if nothing was written.
   */
  async useIdentityInTerminal(): Promise<string | undefined> {
    const settings = readSettings();
    const nick = this.client?.nick ?? (await this.askNickname(settings, relayFromSettings(settings)));
    if (nick === undefined) return undefined;
    const identity = await this.identity.current();
    const files = nicknameIdentityFiles(defaultConfigDir(), nick);
    let result = installIdentity(files, identity);
    if (result.kind === 'other') {
      const replace = 'Replace It (Keep a Copy)';
      const answer = await vscode.window.showWarningMessage(
        `The terminal client already has another key for ${nick} (fingerprint ${result.fingerprint}). Replace it with this profile's identity (${identityFingerprint(identity)})? Peers who know the terminal's key will see a key change.`,
        { modal: true },
        replace,
      );
      if (answer !== replace) return undefined;
      await fs.rename(files.identityPath, `${files.identityPath}.replaced-${Date.now()}`);
      result = installIdentity(files, identity);
      if (result.kind === 'other') throw new Error(`Another key appeared at ${files.identityPath} meanwhile; try again.`);
    }
    this.log.info(`The terminal client's key for ${nick} is this profile's identity: ${files.identityPath}.`);
    void vscode.window.showInformationMessage(`In a terminal, \`peerchat --nick ${nick}\` is now another device of yours (key ${files.identityPath}).`);
    return files.identityPath;
  }

  async setRelaySecret(relayText?: string): Promise<boolean> {
    const settings = readSettings();
    const relay = relayText ?? (() => {
      try {
        return formatRelayAddress(this.defaultRelay(settings));
      } catch {
        return settings.relayAddress;
      }
    })();
    const value = await vscode.window.showInputBox({
      title: `Relay secret for ${relay}`,
      prompt: 'The invitation secret the relay was started with. Stored in the OS keychain (SecretStorage). Leave empty to remove it.',
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return false;
    if (value === '') await this.context.secrets.delete(relaySecretKey(relay));
    else await this.context.secrets.store(relaySecretKey(relay), value);
    void vscode.window.showInformationMessage(value === '' ? `Removed the secret for ${relay}.` : `Saved the secret for ${relay}. It is used from the next join.`);
    return true;
  }

  // ================================================================ client events

  private wire(client: SessionClient): void {
    const tag = this.idTag;
    const on = <K extends keyof SessionClientEvents & string>(name: K, fn: (p: SessionClientEvents[K]) => void) =>
      client.on(name, (payload: SessionClientEvents[K]) => {
        if (this.client !== client) return; // a client we already dropped
        try {
          // Transfer ids become card ids (see idTag).
          const p = typeof payload === 'object' && payload !== null && 'id' in payload ? { ...payload, id: `${tag}${(payload as { id: string }).id}` } : payload;
          fn(p);
        } catch (err) {
          this.log.error(`Handling "${name}" failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        }
      });

    on('registered', (p) => {
      this.state.setConnection({ status: 'registered', nick: p.nick, fingerprint: p.fingerprint, devices: p.devices });
      if (this.joinedOnce && this.wasUnreachable) this.state.addSystem(`Reconnected to ${this.state.connectionView.relay ?? 'the relay'} as ${p.nick}.`);
      this.wasUnreachable = false;
    });
    on('state', (p) => {
      if (p.state === 'left') return;
      this.state.setConnection({ status: p.state });
      if (p.state === 'unreachable' && this.joinedOnce && !this.wasUnreachable) {
        this.wasUnreachable = true;
        this.state.addSystem(`The relay ${this.state.connectionView.relay ?? ''} does not answer; reconnecting…`, 'warning');
      }
    });
    on('error', (p) => {
      this.log.error(`${p.code}: ${p.message}`);
      // An unreachable relay is told once through the connection state (see 'state'); a join's
      // refusal once by joinFailed.
      if (p.code !== 'RELAY_UNREACHABLE' && !this.registering) this.state.addSystem(p.message, 'error');
    });
    on('roster', () => this.setRosterFrom(client));
    on('presence', (p) => this.state.presence(p.nick, p.online));
    on('member-devices', (p) => this.state.memberDevices(p.nick, p.devices));
    on('path', (p) => {
      this.state.setDirect(p.peer, client.paths().some((x) => x.peer === p.peer && x.path === 'direct'));
      this.log.info(`${p.peer}: ${p.path === 'direct' ? `direct connection (${p.address ?? ''})` : 'via the relay'}`);
    });
    on('message', (p) => this.onMessage(p));
    on('snippet', (p) => {
      const { from, to, private: priv, ...snippet } = p;
      this.state.addChat({ from, to, text: snippetTitle(snippet), private: priv, own: false, snippet });
      if (!this.surface?.visible && priv && readSettings().notifyPrivateMessages) {
        void vscode.window.showInformationMessage(`${from} shared ${snippetTitle(snippet)} with you.`, 'Open').then((a) => {
          if (a === 'Open') void this.snippets.open(snippet, from).catch((err) => this.errors.report(err));
        });
      }
    });
    on('snippet-sent', (p) => {
      const { id, to, otherDevice, ...snippet } = p;
      const shown = this.state.addChat({ from: client.nick, to, text: snippetTitle(snippet), private: to !== undefined, own: true, otherDevice, snippet });
      if (!otherDevice) this.sentMessages.set(id, shown.id);
    });
    on('message-sent', (p) => {
      if (p.otherDevice) {
        this.state.addChat({ from: client.nick, to: p.to, text: p.text, private: p.to !== undefined, own: true, time: p.time, otherDevice: true });
      } else if (!this.state.confirmSent(p.to, p.text)) {
        const shown = this.state.addChat({ from: client.nick, to: p.to, text: p.text, private: p.to !== undefined, own: true, time: p.time });
        this.sentMessages.set(p.id, shown.id);
      }
    });
    on('message-delivered', (p) => {
      const shown = this.sentMessages.get(p.id);
      this.sentMessages.delete(p.id);
      if (shown) this.state.setDelivery(shown, 'delivered');
    });
    on('message-failed', (p) => {
      const shown = this.sentMessages.get(p.id);
      this.sentMessages.delete(p.id);
      if (shown) this.state.setDelivery(shown, 'failed', p.message);
      this.state.addSystem(p.message, 'error');
    });
    on('waiting', (p) => this.state.addSystem(p.message, 'warning'));
    on('file-offer', (p) => this.onOffer(p));
    on('file-request', (p) => void this.onRequest(p));
    on('transfer-started', (p) => this.progress.update(this.state.transferStarted(p)));
    on('transfer-progress', (p) => {
      const t = this.state.transferProgress(p);
      if (t) this.progress.update(t);
    });
    on('transfer-route', (p) => {
      const t = this.state.transferRoute(p);
      if (t) this.progress.update(t);
    });
    on('file-sent', (p) => {
      this.progress.finish(p.id);
      this.state.fileSent(p);
    });
    on('file-received', (p) => void this.onReceived(p));
    on('transfer-failed', (p) => {
      this.progress.finish(p.id);
      const t = this.state.transferFailed(p);
      const byUs = this.endedByUs.delete(p.id);
      if (byUs) return;
      if (!t) {
        // No card to show it on (e.g. an offer over the size limit, declined at once).
        this.state.addSystem(p.message, 'error');
        return;
      }
      if (!this.surface?.visible) void vscode.window.showWarningMessage(`Peer Chat: ${transferTitle(t)} ${t.status === 'cancelled' ? 'was cancelled' : t.status === 'declined' ? 'was declined' : 'failed'}. ${p.message}`);
    });
    on('job-offered', (payload) => this.state.jobEvent({ name: 'job-offered', payload }));
    on('job-offer', (payload) => this.onJobOffer(payload));
    on('job-started', (payload) => this.state.jobEvent({ name: 'job-started', payload }));
    on('job-progress', (payload) => this.state.jobEvent({ name: 'job-progress', payload }));
    on('job-done', (payload) => this.state.jobEvent({ name: 'job-done', payload }));
    on('job-failed', (payload) => {
      const shown = this.state.jobEvent({ name: 'job-failed', payload });
      if (this.endedByUs.delete(payload.id)) return;
      if (!shown) this.state.addSystem(payload.message, 'error');
      else if (!this.surface?.visible) void vscode.window.showWarningMessage(`Peer Chat: ${shown.name} (${payload.peer}): ${payload.message}`);
    });
    on('request-denied', (p) => {
      this.state.requestDenied(p);
      if (!this.surface?.visible) void vscode.window.showWarningMessage(`Peer Chat: ${p.from} declined your request for ${p.name}. ${p.message}`);
    });
    on('peer-key-changed', (p) => void this.onKeyChanged(p));
    on('left', () => {
      this.client = undefined;
      this.abortJoin?.();
      setContext(ContextKeys.connected, false);
      this.ended('You are no longer in the chat.');
    });
    on('process-exited', (p) => this.clientDied(client, p));
  }

  /** The client's process died by itself: said once, with Join Again (the same nickname and relay). */
  private clientDied(client: SessionClient, p: SessionClientEvents['process-exited']): void {
    // A join under way reports it itself (its start() fails with the same news).
    if (this.registering) return;
    const nick = client.nick;
    const relay = this.clientRelay;
    this.client = undefined;
    this.abortJoin?.();
    setContext(ContextKeys.connected, false);
    this.log.error(p.message);
    this.ended(`${p.message} You are no longer in the chat.`);
    const again = 'Join Again';
    void vscode.window.showErrorMessage(`${p.message} You are no longer in the chat.`, again, 'Show Log').then((a) => {
      if (a === again) void this.join({ nick, relay });
      else if (a === 'Show Log') this.log.show();
    });
  }

  private onMessage(p: ClientEvents['message']): void {
    const mentionsMe = mentionsNick(p.text, this.client?.nick);
    this.state.addChat({ from: p.from, to: p.to, text: p.text, private: p.private, own: false, time: p.time, mentionsMe });
    if (this.surface?.visible) return;
    // A mention always notifies (it is someone asking for you), whatever the setting for
    // private messages says; a private message notifies while that setting is on.
    const privateNote = p.private && readSettings().notifyPrivateMessages;
    if (!mentionsMe && !privateNote) return;
    const preview = p.text.length > 120 ? `${p.text.slice(0, 117)}…` : p.text;
    const text = p.private ? `${p.from} (private): ${preview}` : `${p.from} mentioned you: ${preview}`;
    void vscode.window.showInformationMessage(text, 'Reply').then((a) => {
      // Private: answer privately. A mention: quote it in a reply to everyone, naming them.
      if (a === 'Reply') void this.surface?.show(true, p.private ? `@${p.from} ` : quoteReply({ ...p, own: false }));
    });
  }

  /** A snippet card's Open or Copy: the snippet is the one this host holds for that message. */
  async snippetAction(id: string, action: SnippetAction): Promise<void> {
    const m = this.state.allMessages().find((x) => x.id === id);
    if (!m?.snippet) throw new Error('That snippet is no longer in the chat history.');
    if (action === 'copy') await this.snippets.copy(m.snippet);
    else await this.snippets.open(m.snippet, m.own ? 'you' : (m.from ?? 'a peer'));
  }

  /**
   * Share Selection with Peer…: the editor's selection as a snippet, to everyone or one member
   * (asked). Over 64 KiB it offers to send the file instead.
   */
  async shareSelection(editor: vscode.TextEditor | undefined): Promise<void> {
    const client = this.requireClient();
    const shared = await shareSelection(editor, client, (file) => this.sendFiles([file]));
    if (!shared) return;
    setContext(ContextKeys.sharedCode, true);
    void this.surface?.reveal();
  }

  /** A link in a message was clicked: VS Code opens it, after its usual confirmation. */
  async openLink(url: string): Promise<void> {
    if (!isSafeLinkUrl(url)) throw new Error('Peer Chat opens only http, https and mailto links.');
    await vscode.env.openExternal(vscode.Uri.parse(url, true));
  }

  private onOffer(p: ClientEvents['file-offer']): void {
    const size = formatBytes(p.bytes);
    const mine = this.state.getTransfer(p.id);
    if (mine && mine.origin === 'request' && mine.direction === 'receive' && !isFinalStatus(mine.status)) {
      // The answer to our own request: the client accepts it by itself.
      this.state.requestAnswered(p);
      return;
    }
    // With acceptFiles "always" the client accepts by itself, except from a peer whose key
    // changed: so the card keeps its Accept/Decline buttons until the transfer starts.
    this.state.fileOffered(p);
    // On screen, the card asks; otherwise a notification does.
    if (readSettings().acceptFiles === 'always' || this.surface?.visible) return;
    const accept = 'Accept';
    const choose = 'Save to…'; // the same words as the card's button
    const decline = 'Decline';
    void vscode.window.showInformationMessage(`${p.from} wants to send you ${p.name} (${size}).`, accept, choose, decline).then(
      (a) => {
        if (this.state.getTransfer(p.id)?.status !== 'offered') return; // answered in the chat view already
        const action: TransferAction | undefined = a === accept ? 'accept' : a === choose ? 'acceptTo' : a === decline ? 'decline' : undefined;
        if (action) this.transferAction(p.id, action).catch((err) => this.errors.report(err));
      },
    );
  }

  /** A peer offers a folder or several files: one card; a notification when the chat is not on screen. */
  private onJobOffer(p: ClientEvents['job-offer']): void {
    this.state.jobEvent({ name: 'job-offer', payload: p });
    if (p.autoAccept || this.surface?.visible) return;
    const accept = 'Accept';
    const decline = 'Decline';
    const what = `${p.loose ? '' : 'the folder '}${p.name} (${p.files} files, ${formatBytes(p.bytes)})`;
    void vscode.window.showInformationMessage(`${p.from} wants to send you ${what}.`, accept, decline).then((a) => {
      if (this.state.getTransfer(p.id)?.status !== 'offered') return;
      const action: TransferAction | undefined = a === accept ? 'accept' : a === decline ? 'decline' : undefined;
      if (action) this.transferAction(p.id, action).catch((err) => this.errors.report(err));
    });
  }

  private async onRequest(p: ClientEvents['file-request']): Promise<void> {
    const settings = readSettings();
    const shareDirs = resolveSharedDirs(settings, pathEnvironment());
    const auto = settings.allowRequests === 'always' && shareDirs.length > 0;
    this.state.fileRequested(p);
    // Say exactly which file would leave this machine (card tooltip and notification).
    let found: { path: string; bytes: number } | undefined;
    let problem: string | undefined;
    try {
      found = await resolveInShare(shareDirs, p.name);
      this.state.describeRequest(p.id, found);
    } catch (err) {
      problem = errorText(err);
    }
    if (auto || this.state.getTransfer(p.id)?.status !== 'asked' || this.surface?.visible) return;
    const allow = 'Allow';
    const deny = 'Deny';
    const message = found
      ? `${p.from} asks for ${p.name} (${formatBytes(found.bytes)}, ${vscode.workspace.asRelativePath(found.path)}). Send it?`
      : `${p.from} asks for ${p.name}, which cannot be served: ${problem ?? 'not found'}`;
    const answer = await (found ? vscode.window.showInformationMessage(message, allow, deny) : vscode.window.showWarningMessage(message, deny));
    if (this.state.getTransfer(p.id)?.status !== 'asked') return;
    if (answer === allow) await this.transferAction(p.id, 'accept').catch((err) => this.errors.report(err));
    else if (answer === deny) await this.transferAction(p.id, 'decline').catch((err) => this.errors.report(err));
  }

  private async onReceived(p: ClientEvents['file-received']): Promise<void> {
    this.progress.finish(p.id);
    const t = this.state.fileReceived(p);
    // A text file named like a workspace file: its card offers Compare (receivedFileActions.ts).
    const match = await this.received.examine(t.id);
    if (this.surface?.visible) return;
    const compare = 'Compare with Workspace…';
    const actions = match ? [compare, 'Open', 'Reveal'] : ['Open', 'Reveal'];
    const a = await vscode.window.showInformationMessage(`Received ${path.basename(p.path)} from ${p.from}.${match ? ` The workspace has ${match}.` : ''}`, ...actions);
    const action: TransferAction | undefined = a === compare ? 'compare' : a === 'Open' ? 'open' : a === 'Reveal' ? 'reveal' : undefined;
    if (action) await this.transferAction(t.id, action).catch((err) => this.errors.report(err));
  }

  private async onKeyChanged(p: ClientEvents['peer-key-changed']): Promise<void> {
    this.state.addSystem(
      `${p.nick}'s key changed (was ${p.oldFingerprint}, now ${p.newFingerprint}). Make sure it is really them before trusting files or messages.`,
      'warning',
    );
    this.log.warn(`Key of ${p.nick} changed: ${p.oldFingerprint} → ${p.newFingerprint}`);
    const trust = 'Trust New Key';
    const a = await vscode.window.showWarningMessage(
      `${p.nick}'s key changed since you last talked. Confirm with them (e.g. compare /whois ${p.nick}) before trusting it.`,
      trust,
      'Show Log',
    );
    if (a === trust) {
      try {
        await this.client?.trustPeer(p.nick);
      } catch {
        // Not connected to them any more: pin the key they presented.
      }
      this.pins.set(p.nick, p.newFingerprint);
      this.state.addSystem(`You now trust ${p.nick}'s new key ${p.newFingerprint}.`);
    } else if (a === 'Show Log') this.log.show();
  }

  // ================================================================ what the user does

  private requireClient(): SessionClient {
    if (!this.client) throw new Error('You have not joined the chat. Run "Peer Chat: Join Chat" first.');
    return this.client;
  }

  /** One line from the composer (text, `@nick text` or a `/` command). Rejects with what to show. */
  async submit(line: string): Promise<void> {
    const cmd = parseCommand(line);
    switch (cmd.kind) {
      case 'empty':
        return;
      case 'invalid':
        throw new Error(cmd.message);
      case 'help':
        this.state.addSystem(['Commands:', ...COMMAND_HELP.map(([c, d]) => `  ${c.padEnd(24)} ${d}`)].join('\n'));
        return;
      case 'exit':
        await this.leave();
        return;
      case 'who': {
        const client = this.requireClient();
        const nicks = client.online();
        this.state.addSystem(nicks.length === 0 ? 'No one else is online.' : `Online (${nicks.length}): ${nicks.join(', ')}`);
        return;
      }
      case 'whois': {
        const client = this.requireClient();
        const info = await client.whois(cmd.nick);
        const pinned = this.pins.get(info.nick);
        const note = pinned === undefined ? '' : pinned === info.fingerprint ? ' (matches the key you pinned)' : ' (DIFFERS from the key you pinned)';
        this.state.addSystem(`${info.nick}'s key fingerprint: ${info.fingerprint}${note}`);
        return;
      }
      case 'broadcast':
        return this.sendChat(undefined, cmd.text);
      case 'private':
        return this.sendChat(cmd.to, cmd.text);
      case 'sendfile': {
        const file = expandPath(cmd.path, pathEnvironment());
        await this.sendFiles([file], cmd.to);
        return;
      }
      case 'sendjob': {
        const env = pathEnvironment();
        await this.sendFiles(cmd.paths.map((p) => expandPath(p, env)), cmd.to);
        return;
      }
      case 'requestfile':
        await this.requestFile(cmd.to, cmd.name);
        return;
      case 'snippet': {
        // The panel's /snippet: a path as /sendfile takes it (relative to the first workspace folder).
        const snippet = await snippetFromFile(expandPath(cmd.path, pathEnvironment()), cmd.path, cmd.startLine, cmd.endLine);
        await this.requireClient().shareSnippet(snippet, cmd.to);
        setContext(ContextKeys.sharedCode, true);
        return;
      }
      case 'accept':
      case 'decline':
      case 'cancel':
        await this.transferAction(this.findTransferId(cmd.id), cmd.kind);
        return;
    }
  }

  /**
   * Sends a line typed in the panel. The client checks the addressee (at once if it knows who is
   * online, else once the roster is in: then a failure comes as message-failed) and reports
   * delivery, which the message's status line shows.
   */
  private async sendChat(to: string | undefined, text: string): Promise<void> {
    const client = this.requireClient();
    const recipient = to === undefined ? undefined : (client.online().find((n) => nicknameKey(n) === nicknameKey(to)) ?? to);
    const pending = this.state.addChat({ from: client.nick, to: recipient, text, private: recipient !== undefined, own: true, delivery: 'pending' });
    let id: string;
    try {
      id = await (recipient === undefined ? client.broadcast(text) : client.sendPrivate(recipient, text));
    } catch (err) {
      this.state.removeMessage(pending.id);
      throw err;
    }
    this.sentMessages.set(`${this.idTag}${id}`, pending.id);
    setContext(ContextKeys.saidHello, true);
    if (hasCode(text)) setContext(ContextKeys.sharedCode, true);
    this.setTimer(() => {
      const m = this.state.allMessages().find((x) => x.id === pending.id);
      if (m?.delivery === 'pending' || m?.delivery === 'sent') this.state.setDelivery(pending.id, 'unconfirmed');
    }, PRIVATE_ACK_TIMEOUT_MS);
  }

  /** The roster from the client: members once each, with their device counts. */
  private setRosterFrom(client: SessionClient): void {
    const members = client.members();
    this.state.setRoster(
      members.map((m) => m.nick),
      Object.fromEntries(members.map((m) => [m.nick, m.devices])),
    );
    this.state.setConnection({ devices: client.myDevices() });
  }

  /** `/accept 3` names a transfer of this join by the client's id (shown on its card as #3). */
  private findTransferId(short: string): string {
    const id = `${this.idTag}${short.replace(/^#/, '')}`;
    if (this.client && this.state.getTransfer(id)) return id;
    if (this.state.getTransfer(short)) return short;
    throw new Error(`No transfer #${short.replace(/^#/, '')} in this session. The number is on its card.`);
  }

  /** The client's id for a card of this join. */
  private clientId(id: string): string {
    if (!id.startsWith(this.idTag) || !this.client) throw new Error('That transfer belongs to an earlier session of the chat.');
    return shortTransferId(id);
  }

  /** Asks which peer (QuickPick of who is online). */
  async pickPeer(title: string): Promise<string | undefined> {
    const client = this.requireClient();
    const nicks = client.online();
    if (nicks.length === 0) {
      void vscode.window.showInformationMessage('No one else is online right now.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      nicks.map((n) => ({ label: n, description: this.pins.get(n) ? 'key pinned' : undefined })),
      { title, placeHolder: 'Who should get it?', matchOnDescription: false },
    );
    return picked?.label;
  }

  /**
   * Offers files to a peer (asks which peer when `to` is not given). A folder, or a pick of
   * several members (or everyone), goes as one transfer job with one card (docs/protocol.md
   * "Transfer jobs"); a plain file to one member is offered as a file, as always.
   */
  async sendFiles(files: string[], to?: string | string[]): Promise<void> {
    const client = this.requireClient();
    const checked: Array<{ file: string; bytes: number; folder: boolean }> = [];
    const skipped: string[] = [];
    for (const file of files) {
      const st = await fs.lstat(file).catch(() => undefined);
      if (!st) throw new Error(`No such file: ${file}`);
      if (!st.isFile() && !st.isDirectory()) {
        skipped.push(path.basename(file));
        continue;
      }
      checked.push({ file, bytes: st.size, folder: st.isDirectory() });
    }
    if (checked.length === 0) throw new Error(`${skipped.join(', ')} ${skipped.length === 1 ? 'is not a file or folder' : 'are not files or folders'}. Only files and folders can be sent.`);
    if (skipped.length > 0) void vscode.window.showWarningMessage(`Skipped ${skipped.join(', ')}: only files and folders can be sent (symlinks are not followed).`);
    const what = checked.length === 1 ? path.basename(checked[0].file) : `${checked.length} items`;
    const peers = to === undefined ? await this.pickPeers(`Send ${what} to…`) : Array.isArray(to) ? to : [to];
    if (!peers || peers.length === 0) return;
    if (peers.length > 1 || checked.some((c) => c.folder)) {
      // One job: its card comes from the client's job-offered event.
      await client.sendFiles(peers, checked.map((c) => c.file));
    } else {
      for (const { file, bytes } of checked) {
        const id = this.idTag + (await client.sendFile(peers[0], file));
        this.state.outgoingOffer({ id, to: peers[0], name: path.basename(file), path: file, bytes });
      }
    }
    void this.surface?.reveal();
  }

  /**
   * Asks who should get something: one member (as pickPeer), everyone online, or several at
   * once ("Several people…" opens a list with checkboxes).
   */
  async pickPeers(title: string): Promise<string[] | undefined> {
    const client = this.requireClient();
    const nicks = client.online();
    if (nicks.length === 0) {
      void vscode.window.showInformationMessage('No one else is online right now.');
      return undefined;
    }
    const EVERYONE = '$(organization) Everyone';
    const SEVERAL = '$(checklist) Several people…';
    const items: vscode.QuickPickItem[] = nicks.map((n) => ({ label: n, description: this.pins.get(n) ? 'key pinned' : undefined }));
    if (nicks.length > 1) {
      items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
      items.push({ label: EVERYONE, description: `all ${nicks.length} online, each accepts on their own` });
      items.push({ label: SEVERAL, description: 'pick with checkboxes' });
    }
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Who should get it?', matchOnDescription: false });
    if (!picked) return undefined;
    if (picked.label === EVERYONE) return nicks;
    if (picked.label !== SEVERAL) return [picked.label];
    const many = await vscode.window.showQuickPick(
      nicks.map((n) => ({ label: n, description: this.pins.get(n) ? 'key pinned' : undefined })),
      { title, placeHolder: 'Check everyone who should get it, then press Enter', canPickMany: true },
    );
    return many?.map((m) => m.label);
  }

  /** Asks a peer for a file from its shared folders; it is saved into `saveDir` (or the download folder). */
  async requestFile(to?: string, name?: string, saveDir?: string): Promise<void> {
    const client = this.requireClient();
    const peer = to ?? (await this.pickPeer('Request a file from…'));
    if (!peer) return;
    const wanted =
      name ??
      (await vscode.window.showInputBox({
        title: `Request a file from ${peer}`,
        prompt: `Path of the file inside ${peer}'s shared folders`,
        placeHolder: 'e.g. notes/todo.md',
        ignoreFocusOut: true,
        validateInput: (v) => {
          const c = checkRequestName(v.trim());
          return c.ok ? undefined : `Give a relative path inside their shared folder (${c.reason}).`;
        },
      }));
    if (!wanted || wanted.trim() === '') return;
    const dir = saveDir ?? resolveDownloadDir(readSettings().downloadFolder, pathEnvironment());
    await fs.mkdir(dir, { recursive: true });
    const id = this.idTag + (await client.requestFile(peer, wanted.trim(), { saveDir: dir }));
    this.state.outgoingRequest({ id, to: peer, name: wanted.trim(), saveDir: dir });
    void this.surface?.reveal();
  }

  private cancelTransfer(id: string): void {
    void this.transferAction(id, 'cancel').catch((err) => this.log.error(`Cancel failed: ${errorText(err)}`));
  }

  async transferAction(id: string, action: TransferAction): Promise<void> {
    const t = this.state.getTransfer(id);
    if (!t) throw new Error('That transfer is no longer listed.');
    switch (action) {
      case 'accept':
      case 'acceptTo': {
        if (t.status !== 'offered' && t.status !== 'asked') return;
        const client = this.requireClient();
        if (t.status === 'asked') {
          this.state.setTransferStatus(id, 'starting');
          await this.guard(id, () => client.accept(this.clientId(id)));
          return;
        }
        let saveDir = resolveDownloadDir(readSettings().downloadFolder, pathEnvironment());
        if (action === 'acceptTo') {
          const picked = await vscode.window.showOpenDialog({
            title: `Save ${t.name} in…`,
            canSelectFiles: false,
            canSelectFolders: true,
            canSelectMany: false,
            openLabel: 'Save Here',
            defaultUri: vscode.Uri.file(saveDir),
          });
          if (!picked?.[0]) return;
          saveDir = picked[0].fsPath;
        }
        if (this.state.getTransfer(id)?.status !== 'offered') return;
        await fs.mkdir(saveDir, { recursive: true });
        this.state.setTransferStatus(id, 'starting', { saveDir });
        await this.guard(id, () => client.accept(this.clientId(id), { saveDir }));
        return;
      }
      case 'decline': {
        if (t.status !== 'offered' && t.status !== 'asked') return;
        this.endedByUs.add(id);
        await this.requireClient().decline(this.clientId(id));
        this.state.setTransferStatus(id, 'declined', { error: 'You declined.' });
        return;
      }
      case 'cancel': {
        if (isFinalStatus(t.status)) return;
        this.endedByUs.add(id);
        this.progress.finish(id);
        try {
          await this.client?.cancel(this.clientId(id));
        } catch (err) {
          // Nothing left to stop on the client's side (e.g. a request not answered yet).
          this.endedByUs.delete(id);
          this.log.info(`Cancel ${id}: ${errorText(err)}`);
        }
        this.state.setTransferStatus(id, 'cancelled', { error: 'You cancelled it.' });
        return;
      }
      case 'open':
      case 'reveal': {
        const file = t.path;
        if (!file) throw new Error('There is no local file for this transfer.');
        if (!(await fs.stat(file).catch(() => undefined))) throw new Error(`${file} no longer exists.`);
        const uri = vscode.Uri.file(file);
        if (action === 'open') {
          await vscode.commands.executeCommand('vscode.open', uri);
        } else if (vscode.workspace.getWorkspaceFolder(uri)) {
          await vscode.commands.executeCommand('revealInExplorer', uri);
        } else {
          await vscode.commands.executeCommand('revealFileInOS', uri);
        }
        return;
      }
      case 'compare':
        await this.received.compare(id);
        return;
      case 'dismiss':
        this.state.dismissTransfer(id);
        return;
    }
  }

  /** Runs an accept; a failure marks the card failed and is rethrown. */
  private async guard(id: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.state.setTransferStatus(id, 'failed', { error: errorText(err) });
      throw err;
    }
  }

  async runWebviewCommand(command: WebviewCommand): Promise<void> {
    const ids: Record<WebviewCommand, string> = {
      join: 'peerchat.join',
      leave: 'peerchat.leave',
      startRelay: 'peerchat.startRelay',
      showLog: 'peerchat.showLog',
      sendFile: 'peerchat.sendFile',
      requestFile: 'peerchat.requestFile',
      openSettings: 'peerchat.openSettings',
    };
    await vscode.commands.executeCommand(ids[command]);
  }

  /** A `peerchat.*` setting changed. */
  settingsChanged(): void {
    if (!this.client) this.state.setConnection({ suggestedNick: this.suggestedNick(readSettings()) });
  }

  /** Settings the client took at join time changed: offer to rejoin with the same nickname. */
  async offerRejoin(): Promise<void> {
    const rejoin = 'Rejoin Now';
    const a = await vscode.window.showInformationMessage('Peer Chat: the changed settings apply from the next join.', rejoin);
    if (a !== rejoin || !this.client) return;
    await this.rejoin(this.client.nick, 'You left the chat to rejoin with the new settings.');
  }

  /** Leaves, then joins again with the same nickname (on `relay`, else the one from settings). */
  private async rejoin(nick: string, reason: string, relay?: RelayAddress): Promise<void> {
    await this.leave(reason);
    // A join still waiting for the relay ends with the leave; let it finish, or join() would
    // hand back that ended join instead of starting a new one.
    await this.joining;
    await this.join({ nick, relay });
  }

  /**
   * The key this window uses changed (identityStore.ts): say so once, in the chat and in a
   * warning, and if joined with the old key rejoin with the new one, so that this window and
   * the profile's others speak with one identity.
   */
  private async identityChanged(c: IdentityChange): Promise<void> {
    const client = this.client;
    const rejoin = client !== undefined && client.fingerprint !== c.newFingerprint;
    const nick = client?.nick ?? this.state.connectionView.suggestedNick;
    const what =
      c.reason === 'adopted'
        ? `Your identity key was changed in another window of this VS Code profile (or by another program): it was ${c.oldFingerprint ?? 'none'}, it is now ${c.newFingerprint}. This window uses the new key from now on${rejoin ? ' and rejoins the chat with it' : ''}.`
        : `Your stored identity key could not be read (${errorText(c.error)}), so a new one was made: ${c.newFingerprint}.`;
    const meaning = `Peers who know you will see a new key for ${nick ? nick : 'your nickname'} and be warned: tell them your new fingerprint so they can compare it (/whois) and trust it.`;
    this.state.addSystem(`${what} ${meaning}`, 'warning');
    void vscode.window.showWarningMessage(`Peer Chat: ${what} ${meaning}`, 'Show Log').then((a) => a && this.log.show());
    if (rejoin) await this.rejoin(client.nick, 'You left the chat to rejoin with the new identity key.', this.clientRelay);
  }

  /** Deactivation: say goodbye to the relay, briefly. */
  async shutdown(): Promise<void> {
    await this.leave().catch(() => undefined);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

function safeUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return '';
  }
}


/** How a snippet is named in the chat (its message text, which Find searches): `src/x.ts:3-9 (repo @ abc1234)`. */
function snippetTitle(s: CodeSnippet): string {
  const origin = snippetOrigin(s);
  return `${snippetLocation(s)}${origin ? ` (${origin})` : ''}`;
}
