import { ControlMessage, ControlType } from '../protocol/controlMessages';
import type { ErrorCode } from '../protocol/errors';
import { IncomingJobs } from './incomingJobs';
import type { JobHost } from './jobHost';
import { OutgoingJobs } from './outgoingJobs';
import type { PeerLink } from './peerLink';

/**
 * Transfer jobs, both ways (docs/protocol.md "Transfer jobs"): a folder, or several files and
 * folders, to one or several members, as one job with one id. Sending: outgoingJobs.ts;
 * receiving: incomingJobs.ts; each file rides the ordinary transfer engine (fileTransfers.ts).
 */
export class TransferJobs {
  readonly outgoing: OutgoingJobs;
  readonly incoming: IncomingJobs;

  constructor(host: JobHost) {
    this.outgoing = new OutgoingJobs(host);
    this.incoming = new IncomingJobs(host);
  }

  /** Whether a control message is a job's (the rest are FileTransfers'). */
  static isJobMessage(m: ControlMessage): boolean {
    return m.type >= ControlType.JOB_OFFER && m.type <= ControlType.JOB_CANCEL;
  }

  onControl(link: PeerLink, m: ControlMessage): void {
    switch (m.type) {
      case ControlType.JOB_OFFER:
        return this.incoming.onOffer(link, m);
      case ControlType.JOB_ENTRY:
        return this.incoming.onEntry(link, m);
      case ControlType.JOB_FILE:
        return this.incoming.onFile(link, m);
      case ControlType.JOB_ANSWER:
        return this.outgoing.onAnswer(link, m);
      case ControlType.JOB_CANCEL:
        // The same id space on both sides is possible (ids are random per device): both look.
        this.outgoing.onCancel(link, m);
        this.incoming.onCancel(link, m);
        return;
      default:
        return;
    }
  }

  owns(localId: string): boolean {
    return this.outgoing.has(localId) || this.incoming.has(localId);
  }

  accept(localId: string, saveDir?: string): Promise<void> {
    return this.incoming.accept(localId, saveDir);
  }

  decline(localId: string): void {
    this.incoming.decline(localId);
  }

  cancel(localId: string): void {
    if (this.outgoing.has(localId)) this.outgoing.cancel(localId);
    else this.incoming.cancel(localId);
  }

  peerGone(link: PeerLink, code: ErrorCode, message: string): void {
    this.outgoing.peerGone(link, code, message);
    this.incoming.peerGone(link, code, message);
  }

  close(): void {
    this.outgoing.close();
    this.incoming.close();
  }
}
