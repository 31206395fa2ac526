import { ControlMessage, encodeControl } from '../protocol/controlMessages';
import type { ClientEvents } from './events';
import type { FreeSpace } from './diskSpace';
import type { FileTransfers } from './fileTransfers';
import type { PeerLink } from './peerLink';

/** What transfer jobs (outgoingJobs.ts, incomingJobs.ts) need from the client. */
export interface JobHost {
  files: FileTransfers;
  link(device: string): PeerLink | undefined;
  ensureLinks(nick: string): Promise<PeerLink[]>;
  emit<K extends keyof ClientEvents & string>(name: K, payload: ClientEvents[K]): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  options: {
    downloadDir: string;
    acceptFiles: 'ask' | 'always';
    maxIncomingBytes: number;
    freeSpace?: FreeSpace;
  };
}

/** Sends a control message on a device's reliable channel (as FileTransfers does). */
export function sendControl(link: PeerLink, m: ControlMessage): void {
  link.channel.send(encodeControl(m));
  link.armChannelTimer();
}
