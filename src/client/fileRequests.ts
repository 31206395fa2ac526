import { randomBytes } from 'node:crypto';
import { ControlMessage, ControlType } from '../protocol/controlMessages';
import { ErrorCode, ERROR_HINTS, PeerChatError, errorCodeFromWire, errorCodeToWire } from '../protocol/errors';
import { nicknameKey } from '../protocol/nickname';
import type { TransferHost } from './fileTransfers';
import type { PeerLink } from './peerLink';
import { resolveInShare } from './sharedFolder';

/**
 * File requests (docs/protocol.md "File transfer", **Requests**): asking a member's devices for a
 * file from their shared folders, and answering such requests. The file itself then moves as an
 * ordinary offer (FileTransfers), carrying the request id.
 */

/**
 * A request sent to every device of a member. The first FILE_OFFER answers it; a refusal by the
 * owner (DECLINED) answers it too; automatic refusals (no shared folder, no such file on that
 * device) count only once every device refused. The rest are then told ANSWERED_ELSEWHERE.
 */
export interface OutgoingRequest {
  localId: string;
  requestId: number;
  peer: string;
  name: string;
  saveDir: string;
  /** Devices asked that have not answered yet. */
  waiting: Set<string>;
  /** The device whose offer answered it (only its offer is taken). */
  answeredBy: string | null;
}

interface IncomingRequest {
  localId: string;
  requestId: number;
  peer: string;
  device: string;
  name: string;
}

/** What requests need from FileTransfers. */
export interface RequestDeps {
  newLocalId(): string;
  control(link: PeerLink, m: ControlMessage): void;
  /** Offers the file that answers request `requestId` to the device that asked. */
  sendFile(to: string, filePath: string, requestId: number, only: PeerLink): Promise<string>;
}

export class FileRequests {
  private readonly outRequests = new Map<number, OutgoingRequest>(); // by requestId
  private readonly inRequests = new Map<string, IncomingRequest>(); // by localId

  constructor(
    private readonly host: TransferHost,
    private readonly deps: RequestDeps,
  ) {}

  /** Asks every device of member `to` for `name` from its shared folders; returns the request's local id. */
  async requestFile(to: string, name: string, saveDir?: string): Promise<string> {
    const links = await this.host.ensureLinks(to);
    const r: OutgoingRequest = {
      localId: this.deps.newLocalId(),
      requestId: randomBytes(4).readUInt32BE(0) || 1,
      peer: links[0].nick,
      name,
      saveDir: saveDir ?? this.host.options.downloadDir,
      waiting: new Set(links.map((l) => l.device)),
      answeredBy: null,
    };
    this.outRequests.set(r.requestId, r);
    this.host.emit('request-sent', { id: r.localId, to: r.peer, name });
    for (const link of links) this.deps.control(link, { type: ControlType.FILE_REQUEST, requestId: r.requestId, name });
    return r.localId;
  }

  /**
   * A FILE_OFFER carrying request id `requestId` came from `link`: the request it answers (taken:
   * later offers for it are refused), or why the offer must be declined.
   */
  takeAnswer(link: PeerLink, requestId: number): { ok: true; request: OutgoingRequest } | { ok: false; code: ErrorCode; message: string } {
    const request = this.outRequests.get(requestId);
    if (!request || nicknameKey(request.peer) !== nicknameKey(link.nick)) return { ok: false, code: 'DECLINED', message: 'No such request.' };
    // Another device of the owner answered first.
    if (!this.answerRequest(request, link.device)) return { ok: false, code: 'ANSWERED_ELSEWHERE', message: 'Another device answered this request first.' };
    this.outRequests.delete(requestId);
    return { ok: true, request };
  }

  /**
   * `device` answered request `r`: the other devices asked are told it was answered elsewhere.
   * False if another device had answered already.
   */
  private answerRequest(r: OutgoingRequest, device: string): boolean {
    if (r.answeredBy !== null) return r.answeredBy === device;
    r.answeredBy = device;
    const code = errorCodeToWire('ANSWERED_ELSEWHERE');
    for (const other of r.waiting) {
      if (other === device) continue;
      const link = this.host.link(other);
      if (link) this.deps.control(link, { type: ControlType.REQUEST_CANCEL, requestId: r.requestId, code, message: ERROR_HINTS.ANSWERED_ELSEWHERE });
    }
    r.waiting.clear();
    return true;
  }

  async onRequest(link: PeerLink, m: Extract<ControlMessage, { type: typeof ControlType.FILE_REQUEST }>): Promise<void> {
    const deny = (code: ErrorCode, message: string) =>
      this.deps.control(link, { type: ControlType.FILE_REQUEST_DENY, requestId: m.requestId, code: errorCodeToWire(code), message });
    try {
      await resolveInShare(this.host.options.shareDirs, m.name);
    } catch (err) {
      const e = err instanceof PeerChatError ? err : new PeerChatError('IO_ERROR', (err as Error).message);
      this.host.log('info', `refused ${link.nick}'s request for "${m.name}": ${e.code}`);
      deny(e.code, e.message);
      return;
    }
    const r: IncomingRequest = { localId: this.deps.newLocalId(), requestId: m.requestId, peer: link.nick, device: link.device, name: m.name };
    this.inRequests.set(r.localId, r);
    this.host.emit('file-request', { id: r.localId, from: link.nick, name: m.name });
    if (this.host.options.allowRequests === 'always' && !link.keyChanged) await this.serveRequest(r);
  }

  private async serveRequest(r: IncomingRequest): Promise<void> {
    this.inRequests.delete(r.localId);
    const link = this.host.link(r.device);
    if (!link) throw new PeerChatError('PEER_LEFT', `${r.peer} is no longer online.`);
    try {
      // Resolve again: the file may have changed (or been swapped for a symlink) meanwhile.
      const found = await resolveInShare(this.host.options.shareDirs, r.name);
      await this.deps.sendFile(r.peer, found.path, r.requestId, link);
    } catch (err) {
      const e = err instanceof PeerChatError ? err : new PeerChatError('IO_ERROR', (err as Error).message);
      this.deps.control(link, { type: ControlType.FILE_REQUEST_DENY, requestId: r.requestId, code: errorCodeToWire(e.code), message: e.message });
      throw e;
    }
  }

  /** The user allows request `localId`; undefined when there is no such request. */
  accept(localId: string): Promise<void> | undefined {
    const r = this.inRequests.get(localId);
    return r ? this.serveRequest(r) : undefined;
  }

  /** The user denies request `localId`; false when there is no such request. */
  decline(localId: string): boolean {
    const r = this.inRequests.get(localId);
    if (!r) return false;
    this.inRequests.delete(localId);
    const link = this.host.link(r.device);
    if (link) {
      this.deps.control(link, { type: ControlType.FILE_REQUEST_DENY, requestId: r.requestId, code: errorCodeToWire('DECLINED'), message: `${link.nick} declined.` });
    }
    return true;
  }

  onDeny(link: PeerLink, m: Extract<ControlMessage, { type: typeof ControlType.FILE_REQUEST_DENY }>): void {
    const r = this.outRequests.get(m.requestId);
    if (!r || r.answeredBy !== null || !r.waiting.has(link.device)) return;
    r.waiting.delete(link.device);
    const code = asCode(errorCodeFromWire(m.code) ?? 'DECLINED');
    // The owner said no on one device: that answers it. A device that simply cannot serve
    // it (no shared folder, no such file there) leaves the others to answer.
    if (code === 'DECLINED') this.answerRequest(r, link.device);
    else if (r.waiting.size > 0) return;
    this.outRequests.delete(m.requestId);
    this.host.emit('request-denied', { id: r.localId, from: link.nick, name: r.name, code, message: m.message || ERROR_HINTS[code] });
  }

  onCancel(link: PeerLink, m: Extract<ControlMessage, { type: typeof ControlType.REQUEST_CANCEL }>): void {
    for (const [localId, r] of this.inRequests) {
      if (r.device !== link.device || r.requestId !== m.requestId) continue;
      this.inRequests.delete(localId);
      const code = asCode(errorCodeFromWire(m.code) ?? 'CANCELLED');
      this.host.emit('transfer-failed', { id: localId, code, message: m.message || ERROR_HINTS[code] });
    }
  }

  /** A device left: a request waiting only on it is over. */
  peerGone(device: string, code: ErrorCode, message: string): void {
    for (const [id, r] of this.outRequests) {
      if (!r.waiting.delete(device) || r.waiting.size > 0 || r.answeredBy !== null) continue;
      this.outRequests.delete(id);
      this.host.emit('request-denied', { id: r.localId, from: r.peer, name: r.name, code, message });
    }
  }
}

function asCode(code: string): ErrorCode {
  return (ERROR_HINTS as Record<string, string>)[code] ? (code as ErrorCode) : 'INTERNAL';
}
