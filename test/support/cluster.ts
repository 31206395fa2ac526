/**
 * A cluster for tests: one redis-server of the test's own (redisServer.ts) and n relays in this
 * process joined to it, each on a free port of 127.0.0.1.
 *
 *   const c = await TestCluster.start(3);
 *   c.relays[0].address() ... c.redis.pause() ... await c.close();
 */
import { RelayOptions, RelayServer } from '../../src/relay/relayServer';
import { RedisServer } from './redisServer';

export const TEST_CLUSTER_SECRET = 'test-cluster-secret-0123456789abcdef';

/** Many clients register from 127.0.0.1 in these tests: the per-IP budget must not be what they measure. */
export const MANY_FROM_ONE_IP = { perSec: 1_000_000, burst: 1_000_000 };

export class TestCluster {
  private constructor(
    readonly redis: RedisServer,
    readonly relays: RelayServer[],
    private readonly opts: RelayOptions,
    private readonly advertiseHost?: string,
  ) {}

  /** `advertiseHost`: each relay registers under this name instead of its IP (`--advertise-host`). */
  static async start(n: number, opts: RelayOptions = {}, advertiseHost?: string): Promise<TestCluster> {
    const redis = await RedisServer.start();
    const c = new TestCluster(redis, [], opts, advertiseHost);
    try {
      for (let i = 0; i < n; i++) c.relays.push(await c.startRelay());
      await c.settle();
    } catch (err) {
      await c.close();
      throw err;
    }
    return c;
  }

  /** Another relay joined to the same Redis (on `port`, default a free one). */
  startRelay(port = 0, extra: RelayOptions = {}): Promise<RelayServer> {
    return RelayServer.start({
      host: '127.0.0.1',
      port,
      unregisteredRate: MANY_FROM_ONE_IP,
      ...this.opts,
      ...extra,
      cluster: { url: this.redis.url, secret: TEST_CLUSTER_SECRET, advertiseHost: this.advertiseHost },
    });
  }

  /** Waits until every relay knows every other as live (they learn it from their heartbeats). */
  async settle(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const live = this.relays.filter((r) => r.stats().cluster !== undefined);
      const ok = live.every((r) => (r.stats().cluster?.relays.filter((x) => x.live).length ?? 0) >= live.length - 1);
      if (ok) return;
      if (Date.now() > deadline) throw new Error('the relays of the test cluster did not all see each other');
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.relays.splice(0).map((r) => r.close('test over').catch(() => {})));
    await this.redis.stop();
  }
}
