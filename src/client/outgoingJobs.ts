import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { ControlMessage, ControlType, JOB_LOOSE } from '../protocol/controlMessages';
import { ErrorCode, ERROR_HINTS, PeerChatError, errorCodeFromWire, errorCodeToWire } from '../protocol/errors';
import { nicknameKey } from '../protocol/nickname';
import { decodeDone } from './jobManifest';
import { JobHost, sendControl } from './jobHost';
import { JobSource, buildJobSource } from './jobSource';
import type { PeerLink } from './peerLink';

/**
 * The sending side of transfer jobs (docs/protocol.md "Transfer jobs"): one local job, one run
 * per member it goes to. Each run offers the manifest to every device of its member (the first
 * to answer takes it, as with single files), then sends the files one after another as ordinary
 * transfers (FileTransfers.offerJobFile), skipping what the receiver already has. A run that fails
 * (declined, the member left, a file failed) fails alone; the others go on.
 */

interface Run {
  job: OutJob;
  nick: string;
  /** Wire job id per device offered (each device gets its own id). */
  offers: Map<string, number>;
  /** The device that accepted, and its job id. */
  device: string | null;
  jobId: number;
  state: 'offered' | 'sending' | 'done' | 'failed';
  done: Set<number>;
  doneBytes: number;
  currentBytes: number;
  /** Bytes not carried: whole files skipped and parts of files resumed. */
  resumedBytes: number;
  /** Local id of the file transfer in flight. */
  current: string | null;
}

interface OutJob {
  localId: string;
  source: JobSource;
  runs: Run[];
}

export class OutgoingJobs {
  private readonly jobs = new Map<string, OutJob>(); // by local id
  private readonly byWire = new Map<string, Run>(); // by device/jobId

  constructor(private readonly host: JobHost) {}

  has(localId: string): boolean {
    return this.jobs.has(localId);
  }

  /** Offers the files and folders at `paths` to members `to`; returns the job's local id. */
  async send(to: readonly string[], paths: readonly string[]): Promise<string> {
    const nicks = [...new Map(to.map((n) => [nicknameKey(n), n])).values()];
    if (nicks.length === 0) throw new PeerChatError('BAD_COMMAND', 'Send to whom? Name at least one member.');
    const linksPer = await Promise.all(nicks.map((n) => this.host.ensureLinks(n)));
    const changed = linksPer.flat().find((l) => l.keyChanged);
    if (changed) {
      throw new PeerChatError('PEER_KEY_CHANGED', `${changed.nick}'s key changed. Check it with /whois ${changed.nick} and confirm before sending files.`);
    }
    const source = await buildJobSource(paths);
    const job: OutJob = { localId: this.host.files.allocateId(), source, runs: [] };
    this.jobs.set(job.localId, job);
    for (const links of linksPer) {
      const run: Run = {
        job,
        nick: links[0].nick,
        offers: new Map(),
        device: null,
        jobId: 0,
        state: 'offered',
        done: new Set(),
        doneBytes: 0,
        currentBytes: 0,
        resumedBytes: 0,
        current: null,
      };
      job.runs.push(run);
      for (const link of links) {
        const jobId = randomBytes(4).readUInt32BE(0) || 1;
        run.offers.set(link.device, jobId);
        this.byWire.set(`${link.device}/${jobId}`, run);
      }
    }
    this.host.emit('job-offered', {
      id: job.localId,
      to: job.runs.map((r) => r.nick),
      name: source.name,
      files: source.entries.length,
      bytes: source.totalBytes,
      skipped: source.skipped,
    });
    for (const run of job.runs) {
      for (const [device, jobId] of run.offers) {
        const link = this.host.link(device);
        if (link) this.offer(link, jobId, source);
      }
    }
    return job.localId;
  }

  /** JOB_OFFER, then every JOB_ENTRY, back to back on the channel. */
  private offer(link: PeerLink, jobId: number, s: JobSource): void {
    sendControl(link, {
      type: ControlType.JOB_OFFER,
      jobId,
      flags: s.loose ? JOB_LOOSE : 0,
      entries: s.entries.length,
      totalBytes: s.totalBytes,
      name: s.name,
    });
    s.entries.forEach((e, index) => sendControl(link, { type: ControlType.JOB_ENTRY, jobId, index, bytes: e.bytes, sha256: e.sha256, path: e.path }));
  }

  onAnswer(link: PeerLink, m: Extract<ControlMessage, { type: typeof ControlType.JOB_ANSWER }>): void {
    const run = this.byWire.get(`${link.device}/${m.jobId}`);
    if (!run || run.state !== 'offered') return;
    const code = m.code === 0 ? null : (errorCodeFromWire(m.code) ?? 'DECLINED');
    if (code === 'ANSWERED_ELSEWHERE') return this.offerGone(run, link.device, code, m.message);
    // The first device to answer answers for the member; the others are told.
    run.device = link.device;
    run.jobId = m.jobId;
    for (const [device, jobId] of run.offers) {
      if (device === link.device) continue;
      this.byWire.delete(`${device}/${jobId}`);
      const other = this.host.link(device);
      if (other) sendControl(other, { type: ControlType.JOB_CANCEL, jobId, code: errorCodeToWire('ANSWERED_ELSEWHERE'), message: ERROR_HINTS.ANSWERED_ELSEWHERE });
    }
    run.offers = new Map([[link.device, m.jobId]]);
    if (code) return this.fail(run, code, m.message || `${run.nick} declined.`, false);
    const entries = run.job.source.entries;
    run.done = decodeDone(m.done, entries.length);
    for (const i of run.done) run.doneBytes += entries[i].bytes;
    run.resumedBytes = run.doneBytes;
    run.state = 'sending';
    this.host.emit('job-started', {
      id: run.job.localId,
      direction: 'send',
      peer: run.nick,
      name: run.job.source.name,
      files: entries.length,
      bytes: run.job.source.totalBytes,
      resumedBytes: run.doneBytes,
    });
    void this.sendNext(run);
  }

  /** One device offered is gone or answered elsewhere: the run fails once no device is left. */
  private offerGone(run: Run, device: string, code: ErrorCode, message: string): void {
    const jobId = run.offers.get(device);
    if (jobId === undefined) return;
    run.offers.delete(device);
    this.byWire.delete(`${device}/${jobId}`);
    if (run.offers.size === 0) this.fail(run, code, message, false);
  }

  private async sendNext(run: Run): Promise<void> {
    if (run.state !== 'sending' || run.current !== null) return;
    const entries = run.job.source.entries;
    const index = entries.findIndex((_, i) => !run.done.has(i));
    if (index < 0) {
      run.state = 'done';
      for (const [device, jobId] of run.offers) this.byWire.delete(`${device}/${jobId}`);
      this.forgetIfOver(run.job);
      this.progress(run);
      this.host.emit('job-done', {
        id: run.job.localId,
        direction: 'send',
        peer: run.nick,
        name: run.job.source.name,
        files: entries.length,
        bytes: run.job.source.totalBytes,
        resumedBytes: run.resumedBytes,
      });
      return;
    }
    const link = run.device ? this.host.link(run.device) : undefined;
    if (!link) return this.fail(run, 'PEER_LEFT', `${run.nick} left; send it again to resume.`, false);
    const e = entries[index];
    run.current = ''; // reserved while the offer is being made
    try {
      const id = await this.host.files.offerJobFile(link, run.jobId, index, { path: e.abs, name: path.basename(e.abs), bytes: e.bytes, sha256: e.sha256 }, {
        started: (resumed) => {
          run.resumedBytes += resumed;
        },
        progress: (bytes) => {
          run.currentBytes = bytes;
          this.progress(run);
        },
        done: () => {
          run.current = null;
          run.currentBytes = 0;
          run.done.add(index);
          run.doneBytes += e.bytes;
          this.progress(run);
          void this.sendNext(run);
        },
        failed: (code, message) => {
          run.current = null;
          this.fail(run, code, message, true);
        },
      });
      if (run.state !== 'sending') this.host.files.abort(id, 'CANCELLED', 'The job ended.', true);
      else if (run.current === '') run.current = id;
    } catch (err) {
      run.current = null;
      this.fail(run, err instanceof PeerChatError ? err.code : 'IO_ERROR', (err as Error).message, true);
    }
  }

  private progress(run: Run): void {
    this.host.emit('job-progress', {
      id: run.job.localId,
      direction: 'send',
      peer: run.nick,
      bytes: run.doneBytes + run.currentBytes,
      total: run.job.source.totalBytes,
      filesDone: run.done.size,
      files: run.job.source.entries.length,
    });
  }

  private fail(run: Run, code: ErrorCode, message: string, tellPeer: boolean): void {
    if (run.state === 'done' || run.state === 'failed') return;
    run.state = 'failed';
    if (run.current) this.host.files.abort(run.current, code, message, tellPeer);
    run.current = null;
    for (const [device, jobId] of run.offers) {
      this.byWire.delete(`${device}/${jobId}`);
      const link = tellPeer ? this.host.link(device) : undefined;
      if (link) sendControl(link, { type: ControlType.JOB_CANCEL, jobId, code: errorCodeToWire(code), message });
    }
    this.host.emit('job-failed', { id: run.job.localId, peer: run.nick, code, message });
    this.forgetIfOver(run.job);
  }

  /** A job whose every run ended is forgotten. */
  private forgetIfOver(job: OutJob): void {
    if (job.runs.every((r) => r.state === 'done' || r.state === 'failed')) this.jobs.delete(job.localId);
  }

  /** The receiver ended the job (cancelled it, or a file failed there). */
  onCancel(link: PeerLink, m: Extract<ControlMessage, { type: typeof ControlType.JOB_CANCEL }>): void {
    const run = this.byWire.get(`${link.device}/${m.jobId}`);
    if (!run) return;
    const code = errorCodeFromWire(m.code) ?? 'CANCELLED';
    if (run.state === 'offered' && code === 'ANSWERED_ELSEWHERE') return this.offerGone(run, link.device, code, m.message);
    this.fail(run, code, m.message || ERROR_HINTS[code], false);
  }

  /** The sender's /cancel: every member's run ends. */
  cancel(localId: string): void {
    const job = this.jobs.get(localId);
    if (!job) throw new PeerChatError('BAD_COMMAND', `No job with id ${localId}.`);
    for (const run of job.runs) this.fail(run, 'CANCELLED', 'Cancelled by the sender.', true);
  }

  /** A device left: its run fails (the file in flight failed already, through FileTransfers). */
  peerGone(link: PeerLink, code: ErrorCode, message: string): void {
    for (const run of new Set(this.byWire.values())) {
      if (!run.offers.has(link.device)) continue;
      if (run.state === 'offered') this.offerGone(run, link.device, code, message);
      else if (run.device === link.device) this.fail(run, code, message, false);
    }
  }

  close(): void {
    for (const job of this.jobs.values()) for (const run of job.runs) this.fail(run, 'CANCELLED', 'You left.', true);
  }
}
