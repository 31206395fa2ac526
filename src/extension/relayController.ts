/**
 * Start Relay / Stop Relay: the relay as a child process of this window (relayProcess.ts),
 * plus any `peerchat-relay` task started here. Keeps the `peerchat.relayRunning` context key,
 * asks what to do when the port is taken, and stops the relay when the window closes.
 */
import * as vscode from 'vscode';
import { ContextKeys, setContext } from './contextKeys';
import { Disposable } from './dispose';
import { maskInvitations } from '../shared/invitation';
import { connectableAddress, formatRelayAddress, isLoopbackHost, type RelayAddress } from './relayAddress';
import { RelayProcess, RelayStartError } from './relayProcess';
import { isRelayTask, taskHost, taskServesNetwork, type RelayTaskDefinition } from './relayTaskProvider';

export interface StartedRelay {
  /** Where a client on this machine reaches it. */
  address: RelayAddress;
  /** False when the user chose to join a relay that already held the port. */
  startedHere: boolean;
}

/** A relay started here that serves the network: what an invitation to it needs. */
export interface ServedRelay {
  /** Where it listens (0.0.0.0, or one of this machine's addresses). */
  host: string;
  port: number;
  /** The child process of this window (its secret can change at runtime), or a task. */
  startedBy: 'window' | 'task';
}

export class RelayController extends Disposable {
  private process: RelayProcess | undefined;
  /** The secret the child process was started with (or last given). */
  private processSecret: string | undefined;
  /** The child process serves the network (listens on a non-loopback address). */
  private processServesNetwork = false;
  private starting: Promise<StartedRelay | undefined> | undefined;
  private readonly taskExecutions = new Set<vscode.TaskExecution>();
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  /** Fires when the relay starts or stops. */
  readonly onDidChange = this._onDidChange.event;
  private stoppingOnPurpose = false;

  static register(relayJs: string, log: vscode.LogOutputChannel): RelayController {
    return new RelayController(relayJs, log);
  }

  private constructor(
    private readonly relayJs: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(
      vscode.tasks.onDidStartTaskProcess((e) => {
        if (!isRelayTask(e.execution.task)) return;
        this.taskExecutions.add(e.execution);
        this.log.info(`Relay task "${e.execution.task.name}" started (pid ${e.processId}).`);
        this.changed();
      }),
    );
    this._register(
      vscode.tasks.onDidEndTaskProcess((e) => {
        if (!this.taskExecutions.delete(e.execution)) return;
        this.log.info(`Relay task "${e.execution.task.name}" ended (exit code ${e.exitCode ?? 'none'}).`);
        this.changed();
      }),
    );
    for (const ex of vscode.tasks.taskExecutions) if (isRelayTask(ex.task)) this.taskExecutions.add(ex);
    this.changed();
  }

  get running(): boolean {
    return (this.process?.running ?? false) || this.taskExecutions.size > 0;
  }

  /** Where the relay started by this window listens (child process only). */
  get address(): RelayAddress | undefined {
    return this.process?.running ? connectableAddress(this.process.address) : undefined;
  }

  /** The secret of the relay this window runs at `address` (how this window joins its own relay). */
  secretFor(address: RelayAddress): string | undefined {
    const ours = this.address;
    return ours && ours.host === address.host && ours.port === address.port ? this.processSecret : undefined;
  }

  /** A running relay of this window that serves the network (the child first, else a task). */
  get served(): ServedRelay | undefined {
    if (this.process?.running && this.processServesNetwork) return { host: this.process.address.host, port: this.process.address.port, startedBy: 'window' };
    for (const ex of this.taskExecutions) {
      const def = ex.task.definition as RelayTaskDefinition;
      if (taskServesNetwork(def) && typeof def.port === 'number' && def.port > 0) return { host: taskHost(def), port: def.port, startedBy: 'task' };
    }
    return undefined;
  }

  /** Changes the secret of the relay this window runs, without dropping anyone (relayProcess.ts). */
  async setSecret(secret: string): Promise<void> {
    if (!this.process?.running) throw new Error('No relay runs in this window.');
    await this.process.setSecret(secret);
    this.processSecret = secret;
    this.log.info('The relay in this window has a new invitation secret; earlier invitations no longer admit new devices.');
  }

  private changed(): void {
    setContext(ContextKeys.relayRunning, this.running);
    this._onDidChange.fire();
  }

  /**
   * Starts the relay at `listen`. When the port is taken the user chooses: join whatever holds
   * it, try another port, or give up (undefined). Other failures throw RelayStartError.
   */
  start(listen: RelayAddress, secret?: string, extraArgs: string[] = []): Promise<StartedRelay | undefined> {
    if (this.process?.running) return Promise.resolve({ address: connectableAddress(this.process.address), startedHere: true });
    this.starting ??= this.startLoop(listen, secret, extraArgs).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async startLoop(listen: RelayAddress, secret: string | undefined, extraArgs: string[]): Promise<StartedRelay | undefined> {
    let target = listen;
    for (;;) {
      try {
        const p = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Window, title: `Starting relay on ${formatRelayAddress(target)}` },
          () => this.spawn(target, secret, extraArgs),
        );
        return { address: connectableAddress(p.address), startedHere: true };
      } catch (err) {
        if (!(err instanceof RelayStartError) || err.code !== 'PORT_IN_USE') throw err;
        const join = 'Join It';
        const other = 'Use Another Port…';
        const answer = await vscode.window.showWarningMessage(
          `Port ${target.port} on ${target.host} is already in use, perhaps by a relay that is already running.`,
          join,
          other,
        );
        if (answer === join) return { address: connectableAddress(target), startedHere: false };
        if (answer !== other) return undefined;
        const port = await askPort(target.port === 65535 ? 12346 : target.port + 1);
        if (port === undefined) return undefined;
        target = { host: target.host, port };
      }
    }
  }

  private async spawn(listen: RelayAddress, secret: string | undefined, extraArgs: string[]): Promise<RelayProcess> {
    this.log.info(
      `Starting the relay: ${this.relayJs} --host ${listen.host} --port ${listen.port}${extraArgs.length ? ` ${extraArgs.join(' ')}` : ''} (runtime ${process.execPath})${secret ? ', with its invitation secret in its environment' : ''}`,
    );
    // The relay prints no invitation here (--no-invite), but nothing it prints may show a secret.
    const p = await RelayProcess.start({
      relayJs: this.relayJs,
      host: listen.host,
      port: listen.port,
      secret,
      extraArgs,
      onOutput: (line, stream) => (stream === 'stderr' ? this.log.warn(`[relay] ${maskInvitations(line)}`) : this.log.info(`[relay] ${maskInvitations(line)}`)),
    });
    this.process = p;
    this.processSecret = secret;
    this.processServesNetwork = !isLoopbackHost(listen.host);
    this.log.info(`Relay listening on ${formatRelayAddress(p.address)} (pid ${p.pid}).`);
    p.onExit((code, signal) => {
      if (this.process === p) this.process = undefined;
      this.changed();
      if (this.stoppingOnPurpose) return;
      this.log.warn(`The relay stopped unexpectedly (${code !== null ? `exit code ${code}` : `signal ${signal}`}).`);
      void vscode.window.showWarningMessage('The Peer Chat relay started in this window stopped unexpectedly.', 'Start Relay', 'Show Log').then((a) => {
        if (a === 'Start Relay') void vscode.commands.executeCommand('peerchat.startRelay');
        if (a === 'Show Log') this.log.show();
      });
    });
    this.changed();
    return p;
  }

  /** Stops the child process and every relay task started in this window. */
  async stop(): Promise<void> {
    const p = this.process;
    this.stoppingOnPurpose = true;
    try {
      for (const ex of [...this.taskExecutions]) ex.terminate();
      if (p) {
        await p.stop();
        this.log.info('Relay stopped.');
      }
    } finally {
      this.stoppingOnPurpose = false;
      this.changed();
    }
  }

  override dispose(): void {
    // The window is closing: the child must not outlive it.
    this.stoppingOnPurpose = true;
    void this.process?.stop();
    super.dispose();
  }
}

async function askPort(suggested: number): Promise<number | undefined> {
  const value = await vscode.window.showInputBox({
    title: 'Start Relay',
    prompt: 'Port for the relay (0 = any free port)',
    value: String(suggested),
    validateInput: (v) => (/^\d{1,5}$/.test(v.trim()) && Number(v) <= 65535 ? undefined : 'Enter a port from 0 to 65535.'),
  });
  return value === undefined ? undefined : Number(value.trim());
}
