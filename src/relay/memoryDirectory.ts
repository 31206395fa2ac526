import { EventEmitter } from 'node:events';
import { randomInt } from 'node:crypto';
import type { DeviceCertificate } from '../crypto/deviceCertificate';
import { DEVICE_TAG_BYTES } from '../protocol/limits';
import {
  Directory,
  DirectoryEntry,
  DirectoryEvents,
  DirectoryStats,
  DirectoryView,
  EndReason,
  MAX_SESSION_ID,
  RegisterOutcome,
  RegisterRequest,
} from './directory';
import { NickRegistry } from './nickRegistry';

/**
 * The default directory: one relay, everything in this process (directory.ts). Each change is
 * made synchronously inside the call, so the first of two racing REGISTERs for one nickname
 * wins exactly as the event loop orders them; the promise only carries the outcome.
 *
 * Rules (docs/protocol.md "Members and devices"), in this order: a nickname held by another
 * identity, live or reserved → NICK_TAKEN; a device key certified by another identity →
 * BAD_SIGNATURE; another nickname while another device of the identity is online → NICK_MISMATCH;
 * the device's session again (same id: a retransmission, a new address) or a rename; else a new
 * session if the relay has room (RELAY_FULL). A nickname stays its member's while any device is
 * online; after the last one times out it is reserved (NickRegistry); the last LEAVE frees it.
 */
export class MemoryDirectory extends EventEmitter<DirectoryEvents> implements Directory {
  readonly relayId = '';
  readonly view = new DirectoryView();
  readonly available = true;
  private readonly nicks = new NickRegistry();

  constructor(private readonly nickReserveMs: number) {
    super();
  }

  register(req: RegisterRequest): Promise<RegisterOutcome> {
    return Promise.resolve(this.registerNow(req));
  }

  /** register(), synchronously (the memory directory has nothing to wait for). */
  registerNow(req: RegisterRequest): RegisterOutcome {
    const holder = this.nicks.ownerOf(req.nickKey, req.now);
    if (holder !== undefined && holder !== req.ownerKey) {
      const until = this.nicks.reservedUntil(req.nickKey);
      return { ok: false, code: 'NICK_TAKEN', reservedForMs: until === undefined ? undefined : until - req.now };
    }
    const existing = this.view.byDeviceKey(req.deviceKey);
    // A device key certified by two identities: only a forger would do that.
    if (existing !== undefined && existing.ownerKey !== req.ownerKey) return { ok: false, code: 'BAD_SIGNATURE' };
    const member = this.view.member(req.ownerKey);
    if (member !== undefined && member.nickKey !== req.nickKey) {
      // One identity, one nickname: another device of it is online under its name, which stays.
      const others = member.devices.size - (existing !== undefined && member.devices.has(existing) ? 1 : 0);
      if (others > 0) return { ok: false, code: 'NICK_MISMATCH', nick: member.nick, others };
    }
    // A member's devices share its nickname as first registered ("alice", not one "Alice").
    const display = member !== undefined && member.nickKey === req.nickKey ? member.nick : req.nick;
    if (existing !== undefined) {
      // One relay serves every session here: the relay allows its own devices (allowNew).
      if (!req.allowNew) return { ok: false, code: 'RELAY_FULL' };
      existing.cert = req.cert; // a renewed certificate (same keys)
      if (existing.nickKey === req.nickKey) {
        return { ok: true, entry: existing, kind: 'resumed', devices: member?.devices.size ?? 1 };
      }
      // A rename (its member's only device): offline under the old name, online under the new.
      this.nicks.bind(req.nickKey, req.ownerKey); // releases the old nickname
      this.view.remove(existing);
      this.announce(false, existing);
      const renamed: DirectoryEntry = { ...existing, nick: display, nickKey: req.nickKey, inRoster: false };
      this.view.add(renamed);
      this.announce(true, renamed);
      return { ok: true, entry: renamed, kind: 'renamed', devices: this.view.member(req.ownerKey)?.devices.size ?? 1 };
    }
    if (!req.allowNew) return { ok: false, code: 'RELAY_FULL' };
    const entry: DirectoryEntry = {
      id: this.newSessionId(),
      deviceKey: req.deviceKey,
      ownerKey: req.ownerKey,
      deviceTag: req.cert.deviceSign.subarray(0, DEVICE_TAG_BYTES),
      cert: req.cert,
      nick: display,
      nickKey: req.nickKey,
      relay: '',
      gen: 1,
      inRoster: false,
    };
    if (member === undefined) this.nicks.bind(req.nickKey, req.ownerKey);
    this.view.add(entry);
    this.announce(true, entry);
    return { ok: true, entry, kind: 'new', devices: this.view.member(req.ownerKey)?.devices.size ?? 1 };
  }

  end(id: number, reason: EndReason, now: number): Promise<void> {
    this.endNow(id, reason, now);
    return Promise.resolve();
  }

  private endNow(id: number, reason: EndReason, now: number): void {
    const e = this.view.get(id);
    if (e === undefined) return;
    this.view.remove(e);
    // The nickname stays the member's while any of its devices is online.
    if (this.view.member(e.ownerKey) === undefined) {
      if (reason === 'timeout') this.nicks.reserve(e.nickKey, now + this.nickReserveMs);
      else this.nicks.release(e.nickKey);
    }
    this.announce(false, e);
  }

  renewCertificate(id: number, cert: DeviceCertificate): void {
    const e = this.view.get(id);
    if (e !== undefined) e.cert = cert;
  }

  /** Releases expired nickname reservations (the relay's sweep calls it). */
  sweep(now: number): void {
    this.nicks.prune(now);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  stats(): DirectoryStats {
    return { nickReservations: this.nicks.size.reserved, relays: [], available: true };
  }

  private announce(online: boolean, entry: DirectoryEntry): void {
    const version = ++this.view.version;
    this.emit('change', { version, online, entry });
  }

  /** Random in [1, MAX_SESSION_ID], unique among live sessions. */
  private newSessionId(): number {
    for (;;) {
      const id = randomInt(1, MAX_SESSION_ID + 1);
      if (!this.view.has(id)) return id;
    }
  }
}
