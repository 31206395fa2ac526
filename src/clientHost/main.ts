/**
 * The extension's client process (dist/clientHost.js): one ChatClient in a Node process of its
 * own, started by the extension host with `child_process.fork` (src/extension/clientProcess.ts)
 * and driven over its IPC channel (protocol.ts, src/shared/rpc.ts).
 *
 * Why a process of its own: the extension host is shared with every other extension, runs with
 * VS Code's flags and allocator, and cannot take the process tuning the relay and the terminal
 * client apply (src/shared/heapTuning.ts); a transfer's sealing, opening and datagram handling
 * then competed with everything else in it. Here the client gets the same tuning as the terminal
 * client and a core of its own, and the extension host only sees events.
 *
 * It never outlives the extension host: when the IPC channel closes (the extension left,
 * deactivated, or its host died) it exits.
 */
import { ChatClient, type PinStore } from '../client/chatClient';
import { CLIENT_EVENT_NAMES } from '../client/events';
import { deserializeIdentity } from '../crypto/identity';
import { nicknameKey } from '../protocol/nickname';
import { PeerChatError } from '../protocol/errors';
import type { ClientEvents } from '../client/events';
import { tuneOwnProcess } from '../shared/heapTuning';
import { ProgressThrottle } from '../shared/progressThrottle';
import { RpcEndpoint, type RpcMessage, type RpcPort } from '../shared/rpc';
import type { ClientHostSide, ClientHostStart, ClientView, ExtensionHostSide } from './protocol';

/** The IPC channel to the parent as an RpcPort. */
function parentPort(): RpcPort {
  const send = process.send?.bind(process);
  if (!send) throw new Error('dist/clientHost.js is started by the Peer Chat extension (child_process.fork), not by hand.');
  return {
    send: (m: RpcMessage) => {
      // With a callback, a channel that closes meanwhile is an error passed here, not an
      // 'error' event that would end the process before its goodbye.
      if (process.connected) send(m, undefined, undefined, () => undefined);
    },
    onMessage: (l) => process.on('message', l),
    onClose: (l) => process.once('disconnect', l),
  };
}

export function runClientHost(port: RpcPort, exit: (code: number) => void): void {
  let client: ChatClient | undefined;
  let lastView = '';
  const pins = new Map<string, string>();

  const view = (c: ChatClient): ClientView => ({ nick: c.nick, state: c.state, members: c.members(), myDevices: c.myDevices(), paths: c.paths() });
  /** Sends the view if it changed since it was last sent. */
  const syncView = () => {
    if (!client) return;
    const v = view(client);
    const text = JSON.stringify(v);
    if (text === lastView) return;
    lastView = text;
    endpoint.emit('view', v);
  };
  const need = (): ChatClient => {
    if (!client) throw new PeerChatError('NOT_REGISTERED', 'The client has not been started.');
    return client;
  };
  /** Every answer follows the view it may have changed. */
  const answer = async <T>(fn: () => T | Promise<T>): Promise<T> => {
    try {
      return await fn();
    } finally {
      syncView();
    }
  };

  const pinStore: PinStore = {
    get: (nick) => pins.get(nicknameKey(nick)),
    set: (nick, fingerprint) => {
      const key = nicknameKey(nick);
      if (pins.get(key) === fingerprint) return;
      pins.set(key, fingerprint);
      endpoint.emit('pin', { nick: key, fingerprint });
    },
  };

  const endpoint: RpcEndpoint<ClientHostSide, ExtensionHostSide> = new RpcEndpoint<ClientHostSide, ExtensionHostSide>(
    port,
    {
      start: (o: ClientHostStart) =>
        answer(async () => {
          if (client) throw new PeerChatError('INTERNAL', 'This client process already runs a client.');
          for (const [k, v] of Object.entries(o.pins)) pins.set(k, v);
          const { identity, pins: _pins, debugLog, ...rest } = o;
          const c = new ChatClient({
            ...rest,
            identity: deserializeIdentity(identity),
            pins: pinStore,
            log: (level, message) => {
              if (level !== 'debug' || debugLog) endpoint.emit('log', { level, message });
            },
          });
          client = c;
          // Progress: every event reaches the extension, but progress at most 5 a second per
          // transfer (the newest, and always the last one): all the extension shows anyway.
          const progress = new ProgressThrottle<ClientEvents['transfer-progress']>((payload) => endpoint.emit('client', { name: 'transfer-progress', payload }));
          for (const name of CLIENT_EVENT_NAMES) {
            if (name === 'transfer-progress') continue;
            c.on(name, (payload) => {
              // A transfer's end: no older progress after it.
              if (name === 'file-sent' || name === 'file-received' || name === 'transfer-failed') progress.cancel((payload as { id: string }).id);
              syncView();
              endpoint.emit('client', { name, payload } as ClientHostSide['events']['client']);
            });
          }
          c.on('transfer-progress', (p) => {
            if (p.bytes < p.total) return progress.update(p);
            progress.cancel(p.id);
            endpoint.emit('client', { name: 'transfer-progress', payload: p });
          });
          await c.start();
        }),
      whenReady: () => answer(() => need().whenReady()),
      broadcast: (text) => answer(() => need().broadcast(text)),
      sendPrivate: (to, text) => answer(() => need().sendPrivate(to, text)),
      shareSnippet: (snippet, to) => answer(() => need().shareSnippet(snippet, to ?? undefined)),
      sendFile: (to, path) => answer(() => need().sendFile(to, path)),
      sendFiles: (to, paths) => answer(() => need().sendFiles(to, paths)),
      requestFile: (to, name, opts) => answer(() => need().requestFile(to, name, opts)),
      accept: (id, opts) => answer(() => need().accept(id, opts)),
      decline: (id) => answer(() => need().decline(id)),
      cancel: (id) => answer(() => need().cancel(id)),
      trustPeer: (nick) => answer(() => need().trustPeer(nick)),
      whois: (nick) => answer(() => need().whois(nick)),
      leave: () => answer(async () => client?.leave()),
    },
    { peerName: 'the extension host', timeoutMs: 0 },
  );
  endpoint.on('pin', ({ nick, fingerprint }) => pins.set(nicknameKey(nick), fingerprint));
  // The extension disconnects once it has left (or is gone): nothing may outlive it.
  port.onClose(() => {
    const c = client;
    client = undefined;
    if (c && c.state !== 'left') {
      // Its host died without a goodbye: a short one to the relay, then out.
      void c.leave().catch(() => undefined).finally(() => exit(0));
      setTimeout(() => exit(0), 1_000).unref();
    } else {
      exit(0);
    }
  });
}

if (require.main === module) {
  tuneOwnProcess();
  runClientHost(parentPort(), (code) => process.exit(code));
}
