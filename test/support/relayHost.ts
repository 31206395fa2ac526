/**
 * A RelayServer in a process of its own, for tests that hold the relay's memory to a bound: in
 * the test process its heap would be drowned by the clients and the flood generator. Start it
 * with `RelayHost.start()` (fork + tsx); it runs the relay with its production defaults.
 *
 * IPC: the child sends { type: 'ready', port } once listening; on { type: 'probe', id } it runs a
 * full GC (the child is started with --expose-gc, so the figure is live data, not garbage that
 * happens not to have been collected yet) and answers { type: 'probe', id, probe: RelayProbe };
 * on { type: 'close' } it closes the relay and exits.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { RelayServer } from '../../src/relay/relayServer';
import type { RelayStats } from '../../src/relay/relayStats';

/** One collection (Map, Set or array) reachable from the relay's fields. */
export interface StateTable {
  /** Field path from the relay object, e.g. "unvalidated.credits". */
  path: string;
  size: number;
}

export interface RelayProbe {
  stats: RelayStats;
  tables: StateTable[];
  /** VmRSS of the relay process after a full GC (bytes). */
  rssBytes: number;
  /** process.memoryUsage() after the same GC: heapUsed, heapTotal, external, arrayBuffers (bytes). */
  memory: { heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
}

/** How deep to follow object fields from the relay (relay → helper object → its tables is 2). */
const MAX_TABLE_DEPTH = 4;

/**
 * Every Map, Set and array reachable from `root` through object fields (not through the entries
 * of collections, which are per-client or per-address records, nor into sockets, timers or
 * buffers), with its size. Walking the fields instead of naming them keeps the check honest when
 * the relay gains a table: whatever it is called, it is counted.
 */
export function stateTables(root: object): StateTable[] {
  const out: StateTable[] = [];
  const seen = new WeakSet<object>();
  const visit = (v: unknown, path: string, depth: number): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (v instanceof Map || v instanceof Set) {
      out.push({ path, size: v.size });
      return;
    }
    if (Array.isArray(v)) {
      out.push({ path, size: v.length });
      return;
    }
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return;
    if (v !== root && v instanceof EventEmitter) return; // the socket
    const ctor = (v as { constructor?: { name?: string } }).constructor?.name;
    if (ctor === 'Timeout' || ctor === 'Immediate' || ctor === 'KeyObject' || ctor === 'SecretKeyObject') return;
    if (depth >= MAX_TABLE_DEPTH) return;
    for (const [k, x] of Object.entries(v)) visit(x, path ? `${path}.${k}` : k, depth + 1);
  };
  visit(root, '', 0);
  return out;
}

function vmRssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

type Answer = { type: 'ready'; port: number } | { type: 'probe'; id: number; probe: RelayProbe };

/** The parent's handle on a relay host process. */
export class RelayHost {
  private nextId = 1;
  private readonly pending = new Map<number, (p: RelayProbe) => void>();

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (m: Answer) => {
      if (m.type !== 'probe') return;
      this.pending.get(m.id)?.(m.probe);
      this.pending.delete(m.id);
    });
  }

  static async start(timeoutMs = 30_000): Promise<RelayHost> {
    const child = fork(__filename, ['--serve'], {
      execArgv: ['--require', require.resolve('tsx/cjs'), '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`relay host not ready within ${timeoutMs} ms`)), timeoutMs);
      child.once('exit', (code) => reject(new Error(`relay host exited (code ${code}) before it was ready`)));
      child.on('message', (m: Answer) => {
        if (m.type !== 'ready') return;
        clearTimeout(timer);
        resolve(m.port);
      });
    });
    return new RelayHost(child, port);
  }

  address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  /** Stats, tables and memory, after a full GC in the relay process. */
  probe(timeoutMs = 20_000): Promise<RelayProbe> {
    return new Promise((resolve, reject) => {
      if (!this.child.connected) return reject(new Error('relay host is gone'));
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`relay host did not answer a probe within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (p) => {
        clearTimeout(timer);
        resolve(p);
      });
      this.child.send({ type: 'probe', id });
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async close(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    if (this.child.connected) this.child.send({ type: 'close' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

async function serve(): Promise<void> {
  const relay = await RelayServer.start({ host: '127.0.0.1', port: 0 });
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (m: { type: string; id?: number }) => {
    if (m.type === 'probe') {
      gc?.();
      const mem = process.memoryUsage();
      const memory = { heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external, arrayBuffers: mem.arrayBuffers };
      const probe: RelayProbe = { stats: relay.stats(), tables: stateTables(relay), rssBytes: vmRssBytes(process.pid), memory };
      process.send?.({ type: 'probe', id: m.id, probe });
    } else if (m.type === 'close') {
      void relay.close().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => void relay.close().finally(() => process.exit(0)));
  process.send?.({ type: 'ready', port: relay.address().port });
}

if (require.main === module && process.argv.includes('--serve')) void serve();
