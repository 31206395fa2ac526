/**
 * The `peerchat-relay` task type (model: vscode-extension-samples `task-provider-sample`).
 *
 *   { "type": "peerchat-relay", "host": "0.0.0.0", "port": 12345 }
 *
 * runs the bundled relay as a background task with the extension host's own runtime
 * (`process.execPath` + ELECTRON_RUN_AS_NODE=1), so no separate Node.js is needed. The
 * `$peerchat-relay` problem matcher (contributes.json) treats the relay's `listening on` line as
 * the end of its start-up, so other tasks can `dependsOn` it.
 */
import * as vscode from 'vscode';
import { Disposable } from './dispose';
import { parseRelayAddress, DEFAULT_RELAY_HOST, DEFAULT_RELAY_PORT } from './relayAddress';
import { relayCommandLine } from './relayProcess';
import { readSettings } from './settings';

export const RELAY_TASK_TYPE = 'peerchat-relay';
export const RELAY_PROBLEM_MATCHER = '$peerchat-relay';

export interface RelayTaskDefinition extends vscode.TaskDefinition {
  type: typeof RELAY_TASK_TYPE;
  host?: string;
  port?: number;
}

export class RelayTaskProvider extends Disposable implements vscode.TaskProvider {
  static register(relayJs: string): RelayTaskProvider {
    const provider = new RelayTaskProvider(relayJs);
    provider._register(vscode.tasks.registerTaskProvider(RELAY_TASK_TYPE, provider));
    return provider;
  }

  private constructor(private readonly relayJs: string) {
    super();
  }

  /** One task: the relay at `peerchat.relayListenAddress`. */
  provideTasks(): vscode.Task[] {
    const parsed = parseRelayAddress(readSettings().relayListenAddress, { allowAnyPort: true });
    const { host, port } = parsed.ok ? parsed.address : { host: DEFAULT_RELAY_HOST, port: DEFAULT_RELAY_PORT };
    return [this.createTask({ type: RELAY_TASK_TYPE, host, port })];
  }

  /** A `peerchat-relay` task from tasks.json: fill in the execution, keep its definition object. */
  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const def = task.definition as RelayTaskDefinition;
    if (def.type !== RELAY_TASK_TYPE) return undefined;
    return this.createTask(def, task.scope, task.name);
  }

  createTask(def: RelayTaskDefinition, scope: vscode.TaskScope | vscode.WorkspaceFolder = vscode.TaskScope.Workspace, name?: string): vscode.Task {
    const host = def.host && def.host.trim() !== '' ? def.host.trim() : DEFAULT_RELAY_HOST;
    const port = typeof def.port === 'number' && Number.isInteger(def.port) && def.port >= 0 && def.port <= 65535 ? def.port : DEFAULT_RELAY_PORT;
    const cmd = relayCommandLine(this.relayJs, host, port);
    const task = new vscode.Task(
      def, // resolveTask must return a task with the same definition object
      scope,
      name ?? `relay on ${host.includes(':') ? `[${host}]` : host}:${port}`,
      RELAY_TASK_TYPE,
      new vscode.ProcessExecution(cmd.command, cmd.args, { env: cmd.env }),
      [RELAY_PROBLEM_MATCHER],
    );
    task.isBackground = true;
    task.detail = 'Peer Chat relay (bundled; no separate Node.js needed)';
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Silent, panel: vscode.TaskPanelKind.Dedicated, clear: false };
    return task;
  }
}

export function isRelayTask(task: vscode.Task): boolean {
  return task.definition.type === RELAY_TASK_TYPE;
}
