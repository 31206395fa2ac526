/**
 * The `peerchat-relay` task type (model: vscode-extension-samples `task-provider-sample`).
 *
 *   { "type": "peerchat-relay", "serve": "network", "port": 12345 }
 *   { "type": "peerchat-relay", "host": "127.0.0.1", "port": 12345 }
 *
 * runs the bundled relay as a background task with the extension host's own runtime
 * (`process.execPath` + ELECTRON_RUN_AS_NODE=1), so no separate Node.js is needed. The
 * `$peerchat-relay` problem matcher (contributes.json) treats the relay's `listening on` line as
 * the end of its start-up, so other tasks can `dependsOn` it.
 *
 * Where it serves follows Start Relay's choice (`peerchat.relayServe`): while that is `ask`, two
 * tasks are offered (this machine only, the network). A task serving the network gets the
 * profile's invitation secret in its environment (never on its command line) and prints no
 * invitation of its own: **Peer Chat: Copy Invitation** makes it (teamRelay.ts).
 */
import * as vscode from 'vscode';
import type { RelayServe } from './clientOptions';
import { Disposable } from './dispose';
import { parseRelayAddress, DEFAULT_RELAY_HOST, DEFAULT_RELAY_PORT, isLoopbackHost } from './relayAddress';
import { RELAY_SECRET_ENV, relayCommandLine } from './relayProcess';
import { readSettings } from './settings';

export const RELAY_TASK_TYPE = 'peerchat-relay';
export const RELAY_PROBLEM_MATCHER = '$peerchat-relay';

export interface RelayTaskDefinition extends vscode.TaskDefinition {
  type: typeof RELAY_TASK_TYPE;
  /** `thisMachine` (127.0.0.1) or `network` (0.0.0.0, with the invitation secret); `host` wins if given. */
  serve?: Exclude<RelayServe, 'ask'>;
  host?: string;
  port?: number;
}

/** What a task needs from the rest of the extension to serve the network. */
export interface RelayTaskServices {
  /** The profile's invitation secret (made on first use). */
  servedSecret(): Promise<string>;
  /** Relay options for a relay serving the network or not (`--no-invite`, `--name`, `--no-announce`). */
  relayArgs(network: boolean): string[];
}

/** Where the task listens: its host if given, else by `serve`. */
export function taskHost(def: RelayTaskDefinition): string {
  if (def.host && def.host.trim() !== '') return def.host.trim();
  return def.serve === 'network' ? '0.0.0.0' : DEFAULT_RELAY_HOST;
}

/** The task listens where teammates can reach it. */
export function taskServesNetwork(def: RelayTaskDefinition): boolean {
  return !isLoopbackHost(taskHost(def));
}

export class RelayTaskProvider extends Disposable implements vscode.TaskProvider {
  static register(relayJs: string, services: RelayTaskServices): RelayTaskProvider {
    const provider = new RelayTaskProvider(relayJs, services);
    provider._register(vscode.tasks.registerTaskProvider(RELAY_TASK_TYPE, provider));
    return provider;
  }

  private constructor(
    private readonly relayJs: string,
    private readonly services: RelayTaskServices,
  ) {
    super();
  }

  /** The relay at `peerchat.relayListenAddress`'s port, serving as `peerchat.relayServe` says (both while it says `ask`). */
  async provideTasks(): Promise<vscode.Task[]> {
    const settings = readSettings();
    const parsed = parseRelayAddress(settings.relayListenAddress, { allowAnyPort: true });
    const { host, port } = parsed.ok ? parsed.address : { host: DEFAULT_RELAY_HOST, port: DEFAULT_RELAY_PORT };
    const serves: Array<Exclude<RelayServe, 'ask'>> = settings.relayServe === 'ask' ? ['thisMachine', 'network'] : [settings.relayServe];
    const tasks: vscode.Task[] = [];
    for (const serve of serves) {
      // A listen address of the setting's own kind is kept (a specific LAN address, say).
      const keepHost = isLoopbackHost(host) === (serve === 'thisMachine');
      tasks.push(await this.createTask({ type: RELAY_TASK_TYPE, serve, ...(keepHost && host !== '0.0.0.0' ? { host } : {}), port }));
    }
    return tasks;
  }

  /** A `peerchat-relay` task from tasks.json: fill in the execution, keep its definition object. */
  async resolveTask(task: vscode.Task): Promise<vscode.Task | undefined> {
    const def = task.definition as RelayTaskDefinition;
    if (def.type !== RELAY_TASK_TYPE) return undefined;
    return this.createTask(def, task.scope, task.name);
  }

  async createTask(def: RelayTaskDefinition, scope: vscode.TaskScope | vscode.WorkspaceFolder = vscode.TaskScope.Workspace, name?: string): Promise<vscode.Task> {
    const host = taskHost(def);
    const port = typeof def.port === 'number' && Number.isInteger(def.port) && def.port >= 0 && def.port <= 65535 ? def.port : DEFAULT_RELAY_PORT;
    const network = !isLoopbackHost(host);
    const cmd = relayCommandLine(this.relayJs, host, port, process.execPath, this.services.relayArgs(network));
    const env: Record<string, string> = { ...cmd.env };
    if (network) env[RELAY_SECRET_ENV] = await this.services.servedSecret();
    const where = network ? `the network (${host.includes(':') ? `[${host}]` : host}:${port})` : `this machine (${host}:${port})`;
    const task = new vscode.Task(
      def, // resolveTask must return a task with the same definition object
      scope,
      name ?? `relay for ${where}`,
      RELAY_TASK_TYPE,
      new vscode.ProcessExecution(cmd.command, cmd.args, { env }),
      [RELAY_PROBLEM_MATCHER],
    );
    task.isBackground = true;
    task.detail = network
      ? 'Peer Chat relay teammates on this LAN can join (Copy Invitation gives them the link)'
      : 'Peer Chat relay for this machine only (bundled; no separate Node.js needed)';
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Silent, panel: vscode.TaskPanelKind.Dedicated, clear: false };
    return task;
  }
}

export function isRelayTask(task: vscode.Task): boolean {
  return task.definition.type === RELAY_TASK_TYPE;
}
