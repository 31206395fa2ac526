/**
 * The impairment proxy (test/support/impairmentProxy.ts) in a process of its own, for the
 * benchmarks: forked by bench/harness.mjs `startProxy()` after being bundled with esbuild into
 * bench/.build/proxyMain.cjs. Configuration comes in env BENCH_PROXY (JSON:
 * `{ target: {host, port}, seed, upstream?, downstream?, recvBufferBytes?, sendBufferBytes? }`).
 *
 * IPC (process.send):
 *   → parent  { type: 'ready', port, recvBufferBytes, sendBufferBytes }
 *   ← parent  { type: 'stats', id }           → { type: 'stats', id, stats, sizes }
 *   ← parent  { type: 'set', id, direction, impairment } → { type: 'set', id }
 *   ← parent  { type: 'close', id }           → { type: 'closed', id }, then exits
 * The process exits when its IPC channel closes (the parent died or disconnected).
 *
 * `sizes` is what crossed the proxy per direction: the largest datagram seen and how many were
 * larger than 1200 bytes (tells whether the transfer engine picked a larger datagram size).
 */
import { ImpairmentProxy, Impairment } from '../test/support/impairmentProxy';

interface Config {
  target: { host: string; port: number };
  seed: number;
  upstream?: Partial<Impairment>;
  downstream?: Partial<Impairment>;
  recvBufferBytes?: number;
  sendBufferBytes?: number;
}

type Msg =
  | { type: 'stats'; id: number }
  | { type: 'set'; id: number; direction: 'up' | 'down' | 'both'; impairment: Partial<Impairment> }
  | { type: 'close'; id: number };

interface SizeStats {
  maxBytes: number;
  over1200: number;
}

/** The proxy's private per-datagram entry point, wrapped to record sizes (bench only). */
type IngressFn = (flow: { dir: number }, msg: Buffer) => void;

async function main(): Promise<void> {
  const cfg = JSON.parse(process.env.BENCH_PROXY ?? '{}') as Config;
  const proxy = await ImpairmentProxy.start({
    target: cfg.target,
    seed: cfg.seed ?? 1,
    upstream: cfg.upstream,
    downstream: cfg.downstream,
    recvBufferBytes: cfg.recvBufferBytes,
    sendBufferBytes: cfg.sendBufferBytes,
    idleTimeoutMs: 600_000,
  });
  const sizes: [SizeStats, SizeStats] = [
    { maxBytes: 0, over1200: 0 },
    { maxBytes: 0, over1200: 0 },
  ];
  // Record datagram sizes per direction (0 = up, 1 = down) by wrapping the private `ingress`.
  const p = proxy as unknown as { ingress: IngressFn };
  const ingress = p.ingress.bind(proxy) as IngressFn;
  p.ingress = (flow, msg) => {
    const s = sizes[flow.dir === 0 ? 0 : 1];
    if (msg.length > s.maxBytes) s.maxBytes = msg.length;
    if (msg.length > 1200) s.over1200++;
    ingress(flow, msg);
  };
  const st = proxy.stats();
  process.send?.({ type: 'ready', port: proxy.address().port, recvBufferBytes: st.recvBufferBytes, sendBufferBytes: st.sendBufferBytes });

  process.on('message', (m: Msg) => {
    switch (m.type) {
      case 'stats':
        process.send?.({ type: 'stats', id: m.id, stats: proxy.stats(), sizes: { up: sizes[0], down: sizes[1] } });
        break;
      case 'set':
        proxy.setImpairment(m.direction, m.impairment);
        process.send?.({ type: 'set', id: m.id });
        break;
      case 'close':
        void proxy.close().then(() => {
          process.send?.({ type: 'closed', id: m.id }, () => process.exit(0));
        });
        break;
    }
  });
  process.on('disconnect', () => {
    void proxy.close().finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`proxyMain: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
