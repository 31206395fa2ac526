/**
 * A relay as one of a cluster (`peerchat-relay --cluster redis://HOST:PORT --cluster-secret S`):
 * the same RelayServer with a RedisDirectory instead of the memory one, and a mesh to the other
 * relays (mesh.ts). README "Several relays"; docs/protocol.md "Several relays".
 */
import { networkInterfaces } from 'node:os';
import { bridgeKey } from '../protocol/laneFrames';
import { meshKey } from '../protocol/meshDatagram';
import { NICK_RESERVE_MS } from './relayLimits';
import { Mesh } from './mesh';
import { RedisDirectory } from './redisDirectory';
import { ClusterOptions, RelayOptions, RelayServer } from './relayServer';
import { RelayAddresses } from './relayAddresses';
import { PAIR_TIMEOUT_MS, TransitMeeting } from './transit';

/** The cluster secret must be at least this long: it keys the HMAC of every datagram between relays. */
export const MIN_CLUSTER_SECRET_CHARS = 16;

export async function startClusterRelay(opts: RelayOptions, cluster: ClusterOptions): Promise<RelayServer> {
  if (cluster.secret.length < MIN_CLUSTER_SECRET_CHARS) {
    throw new RangeError(
      `the cluster secret must be at least ${MIN_CLUSTER_SECRET_CHARS} characters (e.g. the output of \`openssl rand -hex 16\`), the same on every relay`,
    );
  }
  const log = opts.log ?? (() => {});
  const directory = await RedisDirectory.connect({ url: cluster.url, nickReserveMs: opts.nickReserveMs ?? NICK_RESERVE_MS, log });
  let relay: RelayServer;
  let mesh: Mesh | undefined;
  const relayAddresses = new RelayAddresses(log);
  // The two ends of a transit lane may reach different relays: the first relay to see its token
  // claims it, the other bridges its end there (transit.ts).
  const meeting: TransitMeeting = {
    key: bridgeKey(cluster.secret),
    claim: async (token) => {
      const owner = await directory.claimTransit(token, PAIR_TIMEOUT_MS);
      if (owner === null || owner === directory.relayId) return null;
      const r = mesh?.relays().find((x) => x.id === owner);
      if (!r) throw new Error(`relay ${owner} holds the lane but its address is not known here yet`);
      return { host: r.host, port: r.port };
    },
    isRelayAddress: (ip) => relayAddresses.has(ip),
    close: () => relayAddresses.close(),
  };
  try {
    relay = await RelayServer.start({ ...opts, cluster: undefined }, {
      directory,
      meeting,
      attach: ({ relay: r, transport, router, admission, dropped }) => {
        mesh = new Mesh(transport, router, admission, meshKey(cluster.secret), directory.relayId, dropped);
        router.mesh = mesh;
        r.onMesh = mesh.receive;
        directory.on('relays', (relays) => {
          mesh?.setRelays(relays);
          void relayAddresses.set(mesh?.relays().map((r) => r.host) ?? []);
        });
        directory.bindLocal({ has: (id) => router.sessions.has(id), ids: () => router.sessions.keys() });
      },
    });
  } catch (err) {
    relayAddresses.close();
    await directory.close();
    throw err;
  }
  const bound = relay.address();
  const host = cluster.advertiseHost ?? advertisable(bound.host);
  try {
    await directory.start({ host, port: bound.port });
  } catch (err) {
    await relay.close('could not join the cluster');
    throw err;
  }
  log(`cluster: relay ${directory.relayId} joined as ${host}:${bound.port}; ${directory.view.size} device(s) in the chat`);
  return relay;
}

/** The listening address, or this machine's first external IPv4 address if it listens on all. */
function advertisable(host: string): string {
  if (host !== '0.0.0.0' && host !== '::') return host;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
