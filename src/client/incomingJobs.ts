import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ControlMessage, ControlType, JOB_LOOSE } from '../protocol/controlMessages';
import { ErrorCode, ERROR_HINTS, PeerChatError, errorCodeFromWire, errorCodeToWire } from '../protocol/errors';
import { formatBytes } from '../shared/units';
import { checkSpace, statfsFreeSpace } from './diskSpace';
import { sha256File } from './fileHash';
import { CheckedEntry, ManifestEntry, checkManifest, encodeDone, jobFolderName } from './jobManifest';
import { JobHost, sendControl } from './jobHost';
import { PartialFile, publish, publishAs } from './partialStore';
import type { PeerLink } from './peerLink';
import { isInside, numberedName } from './sharedFolder';

/**
 * The receiving side of transfer jobs (docs/protocol.md "Transfer jobs", docs/security.md
 * "Transfer jobs"). The manifest is gathered whole and checked (jobManifest.ts) before the user
 * is asked; nothing is written for a refused one. Accepted, the job gets a folder of its own in
 * the download folder (its name made safe, numbered if taken); each file arrives as an ordinary
 * transfer into the usual .part store and is linked into place only once its hash matched, after
 * its parent folder was checked (real path) to be inside the job's folder. A resend of the same
 * job (same manifest) finds its folder again through a small record in .peerchat-partial, skips
 * the files already saved whole, and resumes the rest from their .part files.
 */

/**
 * Jobs one device may have offered and not yet had answered (their manifests being gathered or
 * waiting for the user): each holds up to MAX_JOB_ENTRIES entries in memory, so a peer cannot
 * make us hold more than this many. Beyond it, offers are refused with RATE_LIMITED.
 */
export const MAX_UNANSWERED_JOBS_PER_DEVICE = 8;

/** Where a job's record lives, beside the .part files (src/client/partialStore.ts). */
const PARTIAL_DIR = '.peerchat-partial';

interface InJob {
  localId: string;
  key: string;
  device: string;
  peer: string;
  jobId: number;
  /** The folder name, made safe. */
  folder: string;
  loose: boolean;
  expected: number;
  totalBytes: number;
  entries: ManifestEntry[];
  checked: CheckedEntry[];
  state: 'collecting' | 'offered' | 'receiving' | 'done' | 'failed';
  dir: string;
  root: string;
  record: string | null;
  done: Set<number>;
  doneBytes: number;
  currentBytes: number;
  /** Bytes not carried: whole files skipped and parts of files resumed. */
  resumedBytes: number;
  current: string | null;
}

export class IncomingJobs {
  private readonly jobs = new Map<string, InJob>(); // by device/jobId
  private readonly byLocal = new Map<string, InJob>();

  constructor(private readonly host: JobHost) {}

  has(localId: string): boolean {
    return this.byLocal.has(localId);
  }

  onOffer(link: PeerLink, m: Extract<ControlMessage, { type: typeof ControlType.JOB_OFFER }>): void {
    const key = `${link.device}/${m.jobId}`;
    if (this.jobs.has(key)) return;
    const unanswered = [...this.jobs.values()].filter((j) => j.device === link.device && (j.state === 'collecting' || j.state === 'offered')).length;
    if (unanswered >= MAX_UNANSWERED_JOBS_PER_DEVICE) {
      const message = `${link.nick} has ${unanswered} offers waiting for an answer already; answer those first.`;
      sendControl(link, { type: ControlType.JOB_ANSWER, jobId: m.jobId, code: errorCodeToWire('RATE_LIMITED'), message, done: Buffer.alloc(0) });
      this.host.log('info', `refused a job from ${link.nick}: ${message}`);
      return;
    }
    const job: InJob = {
      localId: this.host.files.allocateId(),
      key,
      device: link.device,
      peer: link.nick,
      jobId: m.jobId,
      folder: jobFolderName(m.name),
      loose: (m.flags & JOB_LOOSE) !== 0,
      expected: m.entries,
      totalBytes: m.totalBytes,
      entries: [],
      checked: [],
      state: 'collecting',
      dir: this.host.options.downloadDir,
      root: this.host.options.downloadDir,
      record: null,
      done: new Set(),
      doneBytes: 0,
      currentBytes: 0,
      resumedBytes: 0,
      current: null,
    };
    this.jobs.set(key, job);
    this.byLocal.set(job.localId, job);
  }

  onEntry(link: PeerLink, m: Extract<ControlMessage, { type: typeof ControlType.JOB_ENTRY }>): void {
    const job = this.jobs.get(`${link.device}/${m.jobId}`);
    if (!job || job.state !== 'collecting') return;
    if (m.index !== job.entries.length) return this.refuse(job, 'BAD_MANIFEST', `Refused ${job.folder} from ${job.peer}: its file list came out of order. Nothing was written.`);
    job.entries.push({ path: m.path, bytes: m.bytes, sha256: m.sha256 });
    if (job.entries.length === job.expected) this.evaluate(job, link);
  }

  /** The whole manifest is here: refuse it, or ask (or accept, with accept-files always). */
  private evaluate(job: InJob, link: PeerLink): void {
    const limit = this.host.options.maxIncomingBytes;
    if (job.totalBytes > limit) {
      return this.refuse(job, 'FILE_TOO_LARGE', `${job.folder} is ${formatBytes(job.totalBytes)}; this client accepts at most ${formatBytes(limit)} at once.`);
    }
    const check = checkManifest(job.entries, limit, job.totalBytes);
    if (!check.ok) {
      const code: ErrorCode = /most this client accepts/.test(check.reason) ? 'FILE_TOO_LARGE' : 'BAD_MANIFEST';
      return this.refuse(job, code, `Refused ${job.folder} from ${job.peer}: it lists ${check.reason}. Nothing was written.`);
    }
    if (job.loose && check.entries.some((e) => e.segments.length > 1)) {
      return this.refuse(job, 'BAD_MANIFEST', `Refused ${job.folder} from ${job.peer}: loose files may not name folders. Nothing was written.`);
    }
    job.checked = check.entries;
    job.state = 'offered';
    const autoAccept = this.host.options.acceptFiles === 'always' && !link.keyChanged;
    this.host.emit('job-offer', { id: job.localId, from: job.peer, name: job.folder, files: job.expected, bytes: job.totalBytes, loose: job.loose, autoAccept });
    if (autoAccept) void this.accept(job.localId).catch((err: unknown) => this.host.log('warn', `job ${job.localId}: ${(err as Error).message}`));
  }

  /** Declines a job without asking (its manifest is bad, or too large): both sides are told why. */
  private refuse(job: InJob, code: ErrorCode, message: string): void {
    job.state = 'failed';
    this.forget(job);
    this.host.log('info', `refused job from ${job.peer}: ${message}`);
    const link = this.host.link(job.device);
    if (link) sendControl(link, { type: ControlType.JOB_ANSWER, jobId: job.jobId, code: errorCodeToWire(code), message, done: Buffer.alloc(0) });
    this.host.emit('job-failed', { id: job.localId, peer: job.peer, code, message });
  }

  async accept(localId: string, saveDir?: string): Promise<void> {
    const job = this.byLocal.get(localId);
    if (!job || job.state !== 'offered') throw new PeerChatError('BAD_COMMAND', `Nothing to accept with id ${localId}.`);
    const link = this.host.link(job.device);
    if (!link) throw new PeerChatError('PEER_LEFT', `${job.peer} is no longer online.`);
    job.state = 'receiving';
    if (saveDir) job.dir = saveDir;
    try {
      await fs.mkdir(job.dir, { recursive: true });
      if (job.loose) await this.countWholeFiles(job, job.dir);
      else await this.findEarlierFolder(job);
      const needed = job.totalBytes - job.doneBytes;
      const free = await (this.host.options.freeSpace ?? statfsFreeSpace)(job.dir);
      const space = checkSpace(job.folder, job.dir, needed, free);
      if (!space.ok) {
        job.state = 'offered';
        return this.refuse(job, 'NO_SPACE', space.message);
      }
      if (!job.loose && job.record === null) await this.makeFolder(job);
      else if (job.loose) job.root = job.dir;
    } catch (err) {
      job.state = 'offered';
      return this.refuse(job, 'IO_ERROR', `Cannot write to ${job.dir}: ${(err as Error).message}`);
    }
    sendControl(link, { type: ControlType.JOB_ANSWER, jobId: job.jobId, code: 0, message: '', done: encodeDone(job.done, job.expected) });
    this.host.emit('job-started', {
      id: job.localId,
      direction: 'receive',
      peer: job.peer,
      name: job.folder,
      files: job.expected,
      bytes: job.totalBytes,
      resumedBytes: job.doneBytes,
    });
    job.resumedBytes = job.doneBytes;
    if (job.done.size === job.expected) await this.finish(job);
  }

  /** Identifies a job's content: the same files offered again find the same folder. */
  private manifestKey(job: InJob): string {
    const h = createHash('sha256').update(job.folder);
    for (const e of job.checked) h.update(`\n${e.path}\n${e.bytes}\n${e.sha256.toString('hex')}`);
    return h.digest('hex');
  }

  /**
   * The same job received part-way before: take its folder again, and count as done every file
   * already there whole (right size and SHA-256). The record must name a folder directly in the
   * download folder that is still a real folder (not a symlink); otherwise it is ignored.
   */
  private async findEarlierFolder(job: InJob): Promise<void> {
    const record = path.join(job.dir, PARTIAL_DIR, `job-${this.manifestKey(job)}.json`);
    let root: string;
    try {
      root = (JSON.parse(await fs.readFile(record, 'utf8')) as { root: string }).root;
      const st = await fs.lstat(root);
      if (typeof root !== 'string' || path.dirname(root) !== path.resolve(job.dir) || !st.isDirectory()) return;
    } catch {
      return;
    }
    job.record = record;
    job.root = root;
    await this.countWholeFiles(job, root);
  }

  /**
   * Counts as done every entry already under `root` whole: a regular file of the right size and
   * SHA-256, so a job sent again skips it. `root` is the job's earlier folder, or for loose files
   * (one segment each, checked on offer) the download folder they land in.
   */
  private async countWholeFiles(job: InJob, root: string): Promise<void> {
    for (let i = 0; i < job.checked.length; i++) {
      const e = job.checked[i];
      const target = path.join(root, ...e.segments);
      try {
        const st = await fs.lstat(target);
        if (!st.isFile() || st.size !== e.bytes) continue;
        if (!(await sha256File(target)).equals(e.sha256)) continue;
      } catch {
        continue;
      }
      job.done.add(i);
      job.doneBytes += e.bytes;
    }
  }

  /** A new folder for the job, never an existing one: `name`, `name (1)`… */
  private async makeFolder(job: InJob): Promise<void> {
    for (let n = 0; n < 10_000; n++) {
      const root = path.join(path.resolve(job.dir), numberedName(job.folder, n));
      try {
        await fs.mkdir(root);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw err;
      }
      job.root = root;
      job.record = path.join(job.dir, PARTIAL_DIR, `job-${this.manifestKey(job)}.json`);
      await fs.mkdir(path.dirname(job.record), { recursive: true });
      await fs.writeFile(job.record, JSON.stringify({ root }));
      return;
    }
    throw new Error(`no free folder name for ${job.folder}`);
  }

  /** One file of an accepted job: received like any file, placed by the manifest once verified. */
  onFile(link: PeerLink, m: Extract<ControlMessage, { type: typeof ControlType.JOB_FILE }>): void {
    const job = this.jobs.get(`${link.device}/${m.jobId}`);
    if (!job || job.state !== 'receiving' || m.index >= job.expected || job.done.has(m.index) || job.current !== null) {
      const message = 'That file is not part of a job this client accepted.';
      sendControl(link, { type: ControlType.FILE_DECLINE, transferId: m.transferId, code: errorCodeToWire('DECLINED'), message });
      return;
    }
    const e = job.checked[m.index];
    const index = m.index;
    job.current = this.host.files.receiveJobFile(link, {
      transferId: m.transferId,
      chunkSize: m.chunkSize,
      name: e.segments[e.segments.length - 1],
      bytes: e.bytes,
      sha256: e.sha256,
      saveDir: job.dir,
      place: (partial) => (job.loose ? publish(partial, job.dir, e.path) : this.place(job, partial, e)),
      observer: {
        started: (resumed) => {
          job.resumedBytes += resumed;
        },
        progress: (bytes) => {
          job.currentBytes = bytes;
          this.progress(job);
        },
        done: () => {
          job.current = null;
          job.currentBytes = 0;
          job.done.add(index);
          job.doneBytes += e.bytes;
          this.progress(job);
          if (job.done.size === job.expected) void this.finish(job);
        },
        failed: (code, message) => {
          job.current = null;
          this.fail(job, code, message, true);
        },
      },
    });
  }

  /**
   * Puts a verified file at its manifest path inside the job's folder. The parent folders are
   * created, then their real path is checked to be inside the job's folder's real path (a
   * symlink planted there meanwhile must not lead the file elsewhere); the file is linked in
   * under its name, numbered if the name is taken.
   */
  private async place(job: InJob, partial: PartialFile, e: CheckedEntry): Promise<string> {
    const parent = path.join(job.root, ...e.segments.slice(0, -1));
    await fs.mkdir(parent, { recursive: true });
    const [realRoot, realParent] = await Promise.all([fs.realpath(job.root), fs.realpath(parent)]);
    if (!isInside(realRoot, realParent)) throw new Error(`${parent} leads outside ${job.root}`);
    return publishAs(partial, realParent, e.segments[e.segments.length - 1]);
  }

  private progress(job: InJob): void {
    this.host.emit('job-progress', {
      id: job.localId,
      direction: 'receive',
      peer: job.peer,
      bytes: job.doneBytes + job.currentBytes,
      total: job.totalBytes,
      filesDone: job.done.size,
      files: job.expected,
    });
  }

  private async finish(job: InJob): Promise<void> {
    if (job.state !== 'receiving') return;
    job.state = 'done';
    this.forget(job);
    if (job.record) {
      await fs.rm(job.record, { force: true }).catch(() => undefined);
      await fs.rmdir(path.dirname(job.record)).catch(() => undefined); // only if empty
    }
    this.host.emit('job-done', {
      id: job.localId,
      direction: 'receive',
      peer: job.peer,
      name: job.folder,
      files: job.expected,
      bytes: job.totalBytes,
      resumedBytes: job.resumedBytes,
      path: job.root,
    });
  }

  private fail(job: InJob, code: ErrorCode, message: string, tellPeer: boolean): void {
    if (job.state === 'done' || job.state === 'failed') return;
    const wasOffered = job.state === 'offered' || job.state === 'collecting';
    job.state = 'failed';
    this.forget(job);
    if (job.current) this.host.files.abort(job.current, code, message, tellPeer);
    job.current = null;
    const link = tellPeer ? this.host.link(job.device) : undefined;
    // A plain decline carries no text: the sender says "<nick> declined." itself.
    const wire = code === 'DECLINED' ? '' : message;
    if (link && wasOffered) sendControl(link, { type: ControlType.JOB_ANSWER, jobId: job.jobId, code: errorCodeToWire(code), message: wire, done: Buffer.alloc(0) });
    else if (link) sendControl(link, { type: ControlType.JOB_CANCEL, jobId: job.jobId, code: errorCodeToWire(code), message: wire });
    this.host.emit('job-failed', { id: job.localId, peer: job.peer, code, message });
  }

  /** A job that ended is forgotten (its events were sent; a late message for it finds nothing). */
  private forget(job: InJob): void {
    if (this.jobs.get(job.key) === job) this.jobs.delete(job.key);
    this.byLocal.delete(job.localId);
  }

    decline(localId: string): void {
    const job = this.byLocal.get(localId);
    if (!job || job.state !== 'offered') throw new PeerChatError('BAD_COMMAND', `Nothing to decline with id ${localId}.`);
    this.fail(job, 'DECLINED', 'You declined.', true);
  }

  cancel(localId: string): void {
    const job = this.byLocal.get(localId);
    if (!job) throw new PeerChatError('BAD_COMMAND', `No job with id ${localId}.`);
    this.fail(job, 'CANCELLED', 'Cancelled by the receiver.', true);
  }

  /** The sender ended the job (cancelled it, or another device of ours answered it). */
  onCancel(link: PeerLink, m: Extract<ControlMessage, { type: typeof ControlType.JOB_CANCEL }>): void {
    const job = this.jobs.get(`${link.device}/${m.jobId}`);
    if (!job) return;
    const code = errorCodeFromWire(m.code) ?? 'CANCELLED';
    this.fail(job, code, m.message || ERROR_HINTS[code], false);
  }

  peerGone(link: PeerLink, code: ErrorCode, message: string): void {
    for (const job of this.jobs.values()) if (job.device === link.device) this.fail(job, code, message, false);
  }

  close(): void {
    for (const job of this.jobs.values()) this.fail(job, 'CANCELLED', 'You left.', true);
  }
}
