/**
 * Starting a team in one step (issue 15): where Start Relay serves, the invitation secret of a
 * relay serving the network, Copy / Rotate / Open Invitation, and Join Chat's list of relays found
 * on the LAN and used before. docs/security.md ("Invitations") says what each step protects.
 *
 * The secret of the relays this profile serves lives in SecretStorage (SERVED_SECRET_KEY) and
 * reaches a relay only through its environment; links and secrets are never written to the log
 * or the chat (maskInvitations, describeInvitation).
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import { firstAnsweringRelay } from '../client/relayProbe';
import { describeDiscovered, type DiscoveredRelay } from '../discovery/announcement';
import { reachableAddresses } from '../discovery/lanAddresses';
import { DEFAULT_DISCOVERY_MS, discoverRelays } from '../discovery/mdnsDiscovery';
import { defaultRelayName } from '../shared/relayName';
import { buildInvitation, describeInvitation, formatEndpoint, generateSecret, maskInvitations, parseInvitation, type Invitation } from '../shared/invitation';
import type { PeerChatSettings } from './clientOptions';
import { relaySecretKey } from './identityStore';
import { addRecent, readRecent, RECENT_RELAYS_KEY, type RecentRelay } from './recentRelays';
import { formatRelayAddress, isLoopbackHost, parseRelayAddress, type RelayAddress } from './relayAddress';
import type { RelayController } from './relayController';
import { SECTION } from './settings';

/** SecretStorage: the invitation secret of the relays this profile serves to the network. */
export const SERVED_SECRET_KEY = 'peerchat.servedRelaySecret';

export type ServeChoice = 'thisMachine' | 'network';

/** What TeamRelay needs of the chat session. */
export interface TeamSession {
  readonly joined: boolean;
  /** `host:port` of the relay joined (or being joined). */
  currentRelay(): string | undefined;
  join(opts: { relay: RelayAddress; relayName?: string }): Promise<boolean>;
  leave(reason: string): Promise<void>;
}

/** A relay picked in Join Chat's list. */
export interface PickedRelay {
  relay: RelayAddress;
  name?: string;
}

export class TeamRelay {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly relay: RelayController,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  // ============================================================ serving

  /** Where Start Relay serves: the setting, or (the first time) the user's answer, remembered. */
  async serveChoice(settings: PeerChatSettings): Promise<ServeChoice | undefined> {
    if (settings.relayServe !== 'ask') return settings.relayServe;
    type Item = vscode.QuickPickItem & { value: ServeChoice };
    const items: Item[] = [
      { label: '$(vm) This machine only', detail: 'Listens on 127.0.0.1: only Peer Chat windows and terminals on this computer can join.', value: 'thisMachine' },
      {
        label: '$(broadcast) My network',
        detail: 'Teammates on this LAN can join: they find it in Join Chat, or open the invitation you copy. Only those with the invitation get in.',
        value: 'network',
      },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Start Relay: who should be able to join?',
      placeHolder: 'Remembered in the setting peerchat.relayServe (change it in Settings)',
      ignoreFocusOut: true,
    });
    if (!picked) return undefined;
    await vscode.workspace.getConfiguration(SECTION).update('relayServe', picked.value, vscode.ConfigurationTarget.Global);
    this.log.info(`Start Relay serves ${picked.value === 'network' ? 'the network' : 'this machine only'} from now on (peerchat.relayServe).`);
    return picked.value;
  }

  /** Where to listen for a choice: the port of peerchat.relayListenAddress; its host when it fits the choice. */
  listenAddress(choice: ServeChoice, settings: PeerChatSettings): RelayAddress {
    const parsed = parseRelayAddress(settings.relayListenAddress, { allowAnyPort: true });
    if (!parsed.ok) throw new Error(`The setting peerchat.relayListenAddress ("${settings.relayListenAddress}") is not valid: ${parsed.reason}`);
    const { host, port } = parsed.address;
    if (choice === 'network') return { host: isLoopbackHost(host) ? '0.0.0.0' : host, port };
    return { host: isLoopbackHost(host) ? host : '127.0.0.1', port };
  }

  /** The invitation secret of the relays this profile serves (made once, then kept). */
  async servedSecret(): Promise<string> {
    const stored = await this.context.secrets.get(SERVED_SECRET_KEY);
    if (stored) return stored;
    const secret = generateSecret();
    await this.context.secrets.store(SERVED_SECRET_KEY, secret);
    return secret;
  }

  /** Relay options: no `invite:` line (Copy Invitation makes links); announced on the LAN only when serving it and discovery is on. */
  relayArgs(network: boolean, settings: PeerChatSettings): string[] {
    return network && settings.discovery ? ['--no-invite', '--name', this.relayName()] : ['--no-invite', '--no-announce'];
  }

  relayName(): string {
    return defaultRelayName(os.hostname());
  }

  /** The addresses teammates can reach a relay listening on `host` at (lanAddresses.ts): for 0.0.0.0, every LAN address. */
  lanAddresses(host = '0.0.0.0'): string[] {
    return reachableAddresses(host, os.networkInterfaces());
  }

  /** What Start Relay says once the relay runs. */
  startedMessage(address: RelayAddress, network: boolean): string {
    if (!network) {
      return `Relay running on ${formatRelayAddress(address)}, for this machine only. To let teammates join, start it for your network (setting peerchat.relayServe).`;
    }
    const lan = this.lanAddresses(this.relay.served?.host).map((a) => `${a}:${address.port}`);
    return lan.length > 0
      ? `Relay running on ${lan.join(', ')} for your network (this machine joins it at ${formatRelayAddress(address)}). Invite teammates with Copy Invitation; only those with it can join.`
      : `Relay running on ${formatRelayAddress(address)} for your network, but this machine has no LAN address teammates could use yet.`;
  }

  /** After a relay for the network started: say where, and offer the invitation. */
  announceStarted(address: RelayAddress): void {
    const lan = this.lanAddresses(this.relay.served?.host);
    const where = lan.length > 0 ? `${lan[0]}:${address.port}${lan.length > 1 ? ` (and ${lan.length - 1} more address${lan.length > 2 ? 'es' : ''})` : ''}` : `port ${address.port}`;
    const copy = 'Copy Invitation';
    void vscode.window.showInformationMessage(`Peer Chat relay serving your network at ${where}. Teammates join with your invitation.`, copy).then((a) => {
      if (a === copy) void vscode.commands.executeCommand('peerchat.copyInvitation');
    });
  }

  /** The invitation to the relay this window serves to the network, or why there is none. */
  async currentInvitation(): Promise<{ link: string; invitation: Invitation } | { problem: 'none' | 'thisMachine' | 'noAddress' }> {
    const served = this.relay.served;
    if (!served) return { problem: this.relay.running ? 'thisMachine' : 'none' };
    const addresses = this.lanAddresses(served.host);
    if (addresses.length === 0) return { problem: 'noAddress' };
    const invitation: Invitation = { relays: addresses.map((host) => ({ host, port: served.port })), secret: await this.servedSecret(), name: this.relayName() };
    return { link: buildInvitation(invitation), invitation };
  }

  /** Peer Chat: Copy Invitation. Returns the link (for scripts and tests), or undefined. */
  async copyInvitation(): Promise<string | undefined> {
    const current = await this.currentInvitation();
    if ('problem' in current) {
      const start = 'Start Relay';
      const settings = 'Open Settings';
      const message =
        current.problem === 'thisMachine'
          ? 'The relay in this window serves this machine only, so teammates cannot reach it. Stop it, set peerchat.relayServe to "network", and start it again.'
          : current.problem === 'noAddress'
            ? 'This machine has no network address teammates could use (only loopback). Connect to the LAN, then copy the invitation again.'
            : 'No relay serving your network runs in this window. Start one (Start Relay → My network), then copy its invitation.';
      const a = await vscode.window.showWarningMessage(message, ...(current.problem === 'none' ? [start] : current.problem === 'thisMachine' ? [settings] : []));
      if (a === start) await vscode.commands.executeCommand('peerchat.startRelay');
      if (a === settings) await vscode.commands.executeCommand('workbench.action.openSettings', 'peerchat.relayServe');
      return undefined;
    }
    await vscode.env.clipboard.writeText(current.link);
    this.log.info(`Copied an invitation to the clipboard: ${maskInvitations(current.link)}`);
    void vscode.window.showInformationMessage(
      `Invitation copied: ${describeInvitation(current.invitation)}. Anyone with it can join, so share it with your team only (Rotate Invitation makes a new one).`,
    );
    return current.link;
  }

  /** Peer Chat: Rotate Invitation. Earlier links stop admitting anyone new; members already in stay. */
  async rotateInvitation(): Promise<void> {
    const served = this.relay.served;
    const secret = generateSecret();
    if (served?.startedBy === 'window') await this.relay.setSecret(secret);
    await this.context.secrets.store(SERVED_SECRET_KEY, secret);
    const copy = 'Copy Invitation';
    const message =
      served?.startedBy === 'window'
        ? 'New invitation made. Earlier invitations no longer let anyone new in; members already in stay.'
        : served?.startedBy === 'task'
          ? 'New invitation secret saved. Restart the relay task to use it: earlier invitations stop working, and members join again with the new one.'
          : 'New invitation secret saved for the next relay you start for your network; earlier invitations will not work with it.';
    this.log.info(message);
    const a = await vscode.window.showInformationMessage(message, ...(served?.startedBy === 'window' ? [copy] : []));
    if (a === copy) await this.copyInvitation();
  }

  // ============================================================ joining

  recent(): RecentRelay[] {
    return readRecent(this.context.globalState.get(RECENT_RELAYS_KEY));
  }

  /** Remembers a relay joined (Join Chat lists it next time). */
  async remember(relayText: string, name?: string): Promise<void> {
    await this.context.globalState.update(RECENT_RELAYS_KEY, addRecent(this.recent(), relayText, name, Date.now()));
  }

  /**
   * Join Chat's list: relays announced on the LAN (while discovery runs, they appear as found),
   * those joined before, the configured one, an invitation, an address. Skipped (undefined
   * without asking: join the configured relay) when discovery is off and nothing else was ever
   * joined. 'cancelled' when the user closes it.
   */
  async pickRelay(settings: PeerChatSettings, configured: RelayAddress): Promise<PickedRelay | 'cancelled' | undefined> {
    const configuredText = formatRelayAddress(configured);
    const recent = this.recent().filter((r) => r.address !== configuredText);
    if (!settings.discovery && recent.length === 0) return undefined;

    type Item = vscode.QuickPickItem & { pick?: () => Promise<PickedRelay | 'cancelled'> };
    const found: DiscoveredRelay[] = [];
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = 'Join Peer Chat';
    qp.ignoreFocusOut = true;
    qp.matchOnDescription = true;
    qp.placeholder = settings.discovery ? 'Pick a relay (looking for relays on this network…)' : 'Pick a relay';
    const fixed = (): Item[] => [
      ...(recent.length > 0 ? [{ label: 'Used before', kind: vscode.QuickPickItemKind.Separator } as Item] : []),
      ...recent.map((r) => ({
        label: `$(history) ${r.name ?? r.address}`,
        description: r.name ? r.address : undefined,
        pick: async () => {
          const p = parseRelayAddress(r.address); // readRecent kept only addresses that parse
          return p.ok ? { relay: p.address, name: r.name } : ('cancelled' as const);
        },
      })),
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: `$(settings-gear) ${configuredText}`, description: 'peerchat.relayAddress', pick: async () => ({ relay: configured }) },
      { label: '$(link) Open an Invitation…', description: 'a link a teammate sent you', pick: async () => (await this.prepareInvitation()) ?? 'cancelled' },
      { label: '$(edit) Enter an Address…', description: 'host:port', pick: () => this.askAddress(configuredText) },
    ];
    const discoveredItems = (): Item[] =>
      found.length === 0
        ? []
        : [
            { label: 'On this network', kind: vscode.QuickPickItemKind.Separator },
            ...found.map((r) => ({
              label: `$(broadcast) ${r.name}`,
              description: `${r.addresses[0]}:${r.port}`,
              detail: r.needsSecret ? 'Needs an invitation (you are asked for it)' : 'Open to anyone on this network',
              pick: () => this.joinDiscovered(r),
            })),
          ];
    const refresh = (): void => {
      qp.items = [...discoveredItems(), ...fixed()];
    };
    refresh();
    const abort = new AbortController();
    if (settings.discovery) {
      qp.busy = true;
      void discoverRelays({
        timeoutMs: DEFAULT_DISCOVERY_MS * 2,
        signal: abort.signal,
        log: (line) => this.log.info(line),
        onFound: (r) => {
          found.push(r);
          this.log.info(`Found on the LAN: ${describeDiscovered(r)}`);
          const active = qp.activeItems[0];
          refresh();
          if (active && qp.items.includes(active)) qp.activeItems = [active];
        },
      }).then(() => {
        qp.busy = false;
        qp.placeholder = found.length > 0 ? 'Pick a relay' : 'No relays announced on this network. Pick another, or open an invitation.';
      });
    }
    const chosen = await new Promise<Item | undefined>((resolve) => {
      qp.onDidAccept(() => resolve(qp.selectedItems[0]));
      qp.onDidHide(() => resolve(undefined));
      qp.show();
    });
    abort.abort();
    qp.dispose();
    if (!chosen?.pick) return 'cancelled';
    return chosen.pick();
  }

  private async askAddress(value: string): Promise<PickedRelay | 'cancelled'> {
    const text = await vscode.window.showInputBox({
      title: 'Join Peer Chat',
      prompt: 'The relay\'s address, host:port',
      value,
      ignoreFocusOut: true,
      validateInput: (v) => {
        const p = parseRelayAddress(v);
        return p.ok ? undefined : p.reason;
      },
    });
    if (text === undefined) return 'cancelled';
    const p = parseRelayAddress(text);
    return p.ok ? { relay: p.address } : 'cancelled';
  }

  /** A relay found on the LAN: the address that answers, and its secret if it needs one (asked once, then kept). */
  private async joinDiscovered(r: DiscoveredRelay): Promise<PickedRelay | 'cancelled'> {
    const endpoints = r.addresses.map((host) => ({ host, port: r.port }));
    const at = (await firstAnsweringRelay(endpoints)) ?? endpoints[0];
    const relayText = formatRelayAddress(at);
    if (r.needsSecret && !(await this.context.secrets.get(relaySecretKey(relayText)))) {
      const answer = await vscode.window.showInputBox({
        title: `Join ${r.name}`,
        prompt: `${r.name} (${relayText}) admits only those it invited. Paste the invitation link (or its secret).`,
        password: true,
        ignoreFocusOut: true,
      });
      if (answer === undefined || answer.trim() === '') return 'cancelled';
      const inv = parseInvitation(answer);
      const secret = inv.ok ? inv.invitation.secret : answer.trim();
      if (secret) await this.context.secrets.store(relaySecretKey(relayText), secret);
    }
    return { relay: at, name: r.name };
  }

  /**
   * Peer Chat: Open Invitation (and the vscode:// link): saves the relay (peerchat.relayAddress,
   * the list of relays used before) and its secret (SecretStorage), then joins — asking once for
   * the nickname, proposing the remembered one. Resolves true when joined.
   */
  async openInvitation(session: TeamSession, link?: string): Promise<boolean> {
    const picked = await this.prepareInvitation(link);
    if (!picked) return false;
    const relayText = formatRelayAddress(picked.relay);
    if (session.joined) {
      if (session.currentRelay() === relayText) {
        void vscode.window.showInformationMessage(`You are already in the chat on ${picked.name ?? relayText}.`);
        return true;
      }
      await session.leave(`You left the chat to join ${picked.name ?? relayText} (an invitation).`);
    }
    await vscode.workspace.getConfiguration(SECTION).update('relayAddress', relayText, vscode.ConfigurationTarget.Global);
    return session.join({ relay: picked.relay, relayName: picked.name });
  }

  /** Asks for (or takes) a link, finds the address that answers, saves its secret; undefined when given up. */
  private async prepareInvitation(link?: string): Promise<PickedRelay | undefined> {
    let text = link;
    if (text === undefined) {
      text = await vscode.window.showInputBox({
        title: 'Open a Peer Chat Invitation',
        prompt: 'Paste the invitation link a teammate sent you (vscode://peerchat.peerchat/join?…).',
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => {
          const p = parseInvitation(v);
          return p.ok ? undefined : p.reason;
        },
      });
      if (text === undefined) return undefined;
    }
    const parsed = parseInvitation(text);
    if (!parsed.ok) throw new Error(`That invitation cannot be used: ${parsed.reason}`);
    const inv = parsed.invitation;
    this.log.info(`Opening an invitation to ${describeInvitation(inv)}.`);
    const at = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Peer Chat: reaching the invited relay' }, () =>
      firstAnsweringRelay(inv.relays),
    );
    if (!at) {
      throw new Error(
        `No relay answers at ${inv.relays.map(formatEndpoint).join(', ')} (from the invitation). Is it still running, and are you on its network? Ask for a new invitation if it moved.`,
      );
    }
    const relay: RelayAddress = { host: at.host, port: at.port };
    const relayText = formatRelayAddress(relay);
    if (inv.secret !== undefined) await this.context.secrets.store(relaySecretKey(relayText), inv.secret);
    await this.remember(relayText, inv.name);
    return { relay, name: inv.name };
  }
}
