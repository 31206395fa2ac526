/**
 * A bare UDP endpoint in a child process (run it inside a lab namespace with NetLab.spawn): binds
 * sockets, sends text datagrams from a chosen one, and reports every datagram it receives with
 * the source address and port it saw. With it a test observes what a NAT does to a flow (which
 * mapping it picked, what it let in) without the product in between.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as readline from 'node:readline';

/** The child's program: JSON commands on stdin, JSON events on stdout (plain Node, no imports from the repo). */
export const UDP_AGENT_SOURCE = `
const dgram = require('node:dgram');
const readline = require('node:readline');
const sockets = new Map();
const out = (e) => process.stdout.write(JSON.stringify(e) + '\\n');
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line);
  if (c.op === 'bind') {
    const s = dgram.createSocket('udp4');
    s.on('message', (m, r) => out({ event: 'recv', port: s.address().port, from: r.address, fromPort: r.port, text: m.toString() }));
    s.bind(c.port, () => { sockets.set(s.address().port, s); out({ event: 'bound', port: s.address().port }); });
  } else if (c.op === 'send') {
    sockets.get(c.from).send(c.text, c.port, c.host, (err) => out({ event: 'sent', text: c.text, error: err ? String(err) : null }));
  }
});
process.stdin.on('end', () => process.exit(0));
`;

export interface UdpRecv {
  /** Our socket's port. */
  port: number;
  from: string;
  fromPort: number;
  text: string;
}

export class UdpAgent {
  readonly received: UdpRecv[] = [];
  private readonly waiters: Array<{ event: string; pred: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }> = [];
  private readonly stderr: string[] = [];

  /** `child` runs UDP_AGENT_SOURCE (`node -e`), e.g. `lab.spawn(host, process.execPath, ['-e', UDP_AGENT_SOURCE])`. */
  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const e = JSON.parse(line) as Record<string, unknown>;
      if (e.event === 'recv') this.received.push(e as unknown as UdpRecv);
      for (const w of [...this.waiters]) {
        if (w.event === e.event && w.pred(e)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    });
    readline.createInterface({ input: child.stderr }).on('line', (l) => this.stderr.push(l));
  }

  /** Binds a socket (0: any port); resolves with its port. */
  async bind(port = 0): Promise<number> {
    const bound = this.next('bound', () => true);
    this.command({ op: 'bind', port });
    return Number((await bound).port);
  }

  /** Sends `text` from our socket on `fromPort`; resolves once the kernel took it. */
  async send(fromPort: number, host: string, port: number, text: string): Promise<void> {
    const sent = this.next('sent', (e) => e.text === text);
    this.command({ op: 'send', from: fromPort, host, port, text });
    const e = await sent;
    if (e.error) throw new Error(`send ${text} to ${host}:${port}: ${String(e.error)}`);
  }

  /** Resolves with the datagram whose text is `text`, when it arrives (or if it has). */
  recv(text: string, timeoutMs = 5_000): Promise<UdpRecv> {
    const past = this.received.find((r) => r.text === text);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const w = { event: 'recv', pred: (e: Record<string, unknown>) => e.text === text, resolve: (e: Record<string, unknown>) => resolve(e as unknown as UdpRecv) };
      this.waiters.push(w);
      setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i < 0) return;
        this.waiters.splice(i, 1);
        reject(new Error(`no datagram '${text}' within ${timeoutMs} ms; got ${JSON.stringify(this.received)}; stderr: ${this.stderr.join(' | ')}`));
      }, timeoutMs);
    });
  }

  close(): void {
    this.child.stdin.end();
  }

  private next(event: string, pred: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.waiters.push({ event, pred, resolve }));
  }

  private command(c: Record<string, unknown>): void {
    this.child.stdin.write(`${JSON.stringify(c)}\n`);
  }
}
