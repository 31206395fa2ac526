/**
 * Command-line entry of the relay (bundled into dist/relay.js; `node dist/relay.js`).
 *
 *   peerchat-relay [--host H] [--port P] [--secret S] [--open] [--name N] [--no-announce]
 *                  [--no-invite] [--quiet] [--stats [SECONDS]] [--help]
 *                  [--cluster redis://HOST:PORT --cluster-secret S [--cluster-advertise HOST]]
 *
 * Output contract (scripts and the VS Code task's background problem matcher key on it):
 * - the first line on stdout is exactly `listening on HOST:PORT`, printed once the socket is bound;
 * - a relay serving the network (a host that is not loopback) prints next, on a line of its own,
 *   `invite: LINK` (src/shared/invitation.ts), the invitation teammates open; it holds the
 *   secret, and nothing else the relay prints ever does. `--no-invite` leaves it out (the VS Code
 *   extension, which makes its own links);
 * - after that, stdout carries one line per event (join, leave, rename, moved, shutdown) and the
 *   socket buffer sizes; `--quiet` keeps only the first lines;
 * - errors go to stderr: a port in use (or any bind failure) prints one sentence and exits 1;
 *   a bad command line prints the usage and exits 2;
 * - SIGINT/SIGTERM: BYE { RELAY_SHUTDOWN } to every client, then exit 0.
 *
 * Serving the network (docs/security.md "Invitations"): without --secret (or PEERCHAT_RELAY_SECRET)
 * and without --open, a relay on a non-loopback host makes a random secret, so a relay on the LAN
 * admits only those it was given to. It announces itself on the LAN (DNS-SD, src/discovery/)
 * unless --no-announce; a loopback relay announces nothing and prints no invitation.
 *
 * Rotating the secret at runtime: SIGHUP (a terminal's `kill -HUP`) makes a new random secret and
 * prints a new `invite:` line; a parent process with an IPC channel (the extension) sends
 * `{ type: 'setSecret', secret }` and gets `{ type: 'secretSet' }`. Old invitations stop admitting
 * new devices; members already in stay (RelayServer.setSecret).
 * - SIGUSR2 (or every SECONDS with --stats) prints one `stats: …` line: clients, datagrams and
 *   bytes forwarded, and for a cluster the relays it knows. (Not SIGUSR1: Node starts its
 *   inspector on that one.)
 */
import * as os from 'node:os';
import { RelayServer } from './relayServer';
import { RelayStartError } from './bindError';
import { redactUrl } from './redisUrl';
import type { RelayStats } from './relayStats';
import { DEFAULT_RELAY_HOST, DEFAULT_RELAY_PORT } from './relayLimits';
import { tuneOwnProcess } from '../shared/heapTuning';
import { buildInvitation, generateSecret, isLinkSafeSecret } from '../shared/invitation';
import { defaultRelayName, sanitizeRelayName } from '../shared/relayName';
import { reachableAddresses } from '../discovery/lanAddresses';
import { announceRelay, type RelayAnnouncement } from '../discovery/mdnsDiscovery';

/** The environment variable that can carry the secret (keeps it out of `ps` output). */
export const SECRET_ENV = 'PEERCHAT_RELAY_SECRET';
/** The cluster's Redis URL and secret can come from the environment too (a password in the URL, the secret: out of `ps`). */
export const CLUSTER_URL_ENV = 'PEERCHAT_CLUSTER_URL';
export const CLUSTER_SECRET_ENV = 'PEERCHAT_CLUSTER_SECRET';
/** --stats without a number prints a line this often (s). */
export const DEFAULT_STATS_EVERY_S = 10;

/** Exit codes: 0 clean stop, 1 could not start, 2 bad command line (the getopt convention). */
const EXIT_OK = 0;
const EXIT_START_FAILED = 1;
const EXIT_USAGE = 2;

/** After a signal, give up waiting for a clean close after this long (ms) and exit anyway. */
const FORCED_EXIT_AFTER_MS = 3_000;

export const USAGE = `Usage: peerchat-relay [options]

Runs a Peer Chat relay: registers nicknames and forwards datagrams between clients.

Options:
  --host H      address to listen on (default ${DEFAULT_RELAY_HOST}; 0.0.0.0 for all interfaces)
  --port P      UDP port (default ${DEFAULT_RELAY_PORT}; 0 picks any free port)
  --secret S    invitation secret clients must know (or set ${SECRET_ENV});
                serving the network without one makes a random secret
  --open        serve the network without a secret: anyone who reaches it may join
  --name N      the relay's name in LAN announcements and invitations (default: host name)
  --no-announce do not announce the relay on the LAN (DNS-SD, _peerchat._udp)
  --no-invite   do not print the "invite:" line
  --quiet       print only the "listening on" and "invite:" lines and errors
  --stats [N]   print a stats line every N seconds (default ${DEFAULT_STATS_EVERY_S}); SIGUSR2 prints one any time
  --help        show this help

Several relays as one chat (README "Several relays"):
  --cluster URL            the cluster's Redis, redis://HOST:PORT (or set ${CLUSTER_URL_ENV})
  --cluster-secret S       shared by every relay of the cluster, 16+ characters (or set ${CLUSTER_SECRET_ENV})
  --cluster-advertise HOST the address other relays reach this one at (default: the listening
                           address; with --host 0.0.0.0, this machine's first external IPv4)

The first line printed is "listening on HOST:PORT". A relay serving the network (a --host that is
not loopback, e.g. 0.0.0.0) prints "invite: LINK" next: give that link to your teammates
(peerchat --invite LINK, or open it in VS Code). It holds the secret: treat it as a password.
kill -HUP rotates the secret and prints a new link. Stop with Ctrl+C.`;

export interface RelayCliOptions {
  host: string;
  port: number;
  secret: string | undefined;
  /** --open: no secret, even serving the network. */
  open: boolean;
  /** --name; undefined: the host name. */
  name: string | undefined;
  announce: boolean;
  invite: boolean;
  quiet: boolean;
  help: boolean;
  /** Print a stats line every this many seconds (undefined: only on SIGUSR2). */
  statsEverySec: number | undefined;
  /** The cluster's Redis URL, its secret and the address to advertise (all undefined: a relay on its own). */
  cluster: string | undefined;
  clusterSecret: string | undefined;
  clusterAdvertise: string | undefined;
}

export type ParsedArgs = { ok: true; options: RelayCliOptions } | { ok: false; message: string };

/** Parses the command line (pure). `--flag value` and `--flag=value` are both accepted. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): ParsedArgs {
  const o: RelayCliOptions = {
    host: DEFAULT_RELAY_HOST,
    port: DEFAULT_RELAY_PORT,
    secret: env[SECRET_ENV] || undefined,
    open: false,
    name: undefined,
    announce: true,
    invite: true,
    quiet: false,
    help: false,
    statsEverySec: undefined,
    cluster: env[CLUSTER_URL_ENV] || undefined,
    clusterSecret: env[CLUSTER_SECRET_ENV] || undefined,
    clusterAdvertise: undefined,
  };
  /** --cluster-secret or --cluster-advertise given (they mean nothing without --cluster). */
  let clusterFlags = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string | undefined => inline ?? argv[++i];
    switch (name) {
      case '--help':
      case '-h':
        o.help = true;
        break;
      case '--quiet':
      case '-q':
        o.quiet = true;
        break;
      case '--host': {
        const v = value();
        if (!v) return { ok: false, message: '--host needs an address, e.g. --host 127.0.0.1' };
        o.host = v;
        break;
      }
      case '--port': {
        const v = value();
        const n = v !== undefined && /^\d+$/.test(v) ? Number(v) : NaN;
        if (!(n >= 0 && n <= 65_535)) return { ok: false, message: `--port needs a number 0–65535, got ${v ?? 'nothing'}` };
        o.port = n;
        break;
      }
      case '--secret': {
        const v = value();
        if (!v) return { ok: false, message: '--secret needs a value' };
        o.secret = v;
        break;
      }
      case '--open':
        o.open = true;
        break;
      case '--name': {
        const v = value();
        if (!v || sanitizeRelayName(v) === undefined) return { ok: false, message: '--name needs a name with letters or digits' };
        o.name = sanitizeRelayName(v);
        break;
      }
      case '--no-announce':
        o.announce = false;
        break;
      case '--no-invite':
        o.invite = false;
        break;
      case '--stats': {
        // An optional number: --stats, --stats 5, --stats=5.
        const v = inline ?? (argv[i + 1] !== undefined && /^\d+$/.test(argv[i + 1]) ? argv[++i] : undefined);
        const n = v === undefined ? DEFAULT_STATS_EVERY_S : /^\d+$/.test(v) ? Number(v) : NaN;
        if (!(n >= 1 && n <= 86_400)) return { ok: false, message: `--stats takes a number of seconds 1–86400, got ${v}` };
        o.statsEverySec = n;
        break;
      }
      case '--cluster': {
        const v = value();
        if (!v || !/^rediss?:\/\//.test(v)) return { ok: false, message: '--cluster needs a Redis URL, e.g. --cluster redis://127.0.0.1:6379' };
        o.cluster = v;
        break;
      }
      case '--cluster-secret': {
        const v = value();
        if (!v) return { ok: false, message: '--cluster-secret needs a value' };
        o.clusterSecret = v;
        clusterFlags = true;
        break;
      }
      case '--cluster-advertise': {
        const v = value();
        if (!v) return { ok: false, message: '--cluster-advertise needs an address, e.g. --cluster-advertise 10.0.0.5' };
        o.clusterAdvertise = v;
        clusterFlags = true;
        break;
      }
      default:
        return { ok: false, message: `unknown option ${arg}` };
    }
  }
  if (o.open && o.secret !== undefined) return { ok: false, message: `--open admits anyone: leave out --secret (and ${SECRET_ENV}), or --open` };
  if (o.cluster !== undefined && o.clusterSecret === undefined) {
    return { ok: false, message: `--cluster needs --cluster-secret (or ${CLUSTER_SECRET_ENV}), the same on every relay of the cluster` };
  }
  if (o.cluster === undefined && clusterFlags) {
    return { ok: false, message: '--cluster-secret and --cluster-advertise go with --cluster URL' };
  }
  return { ok: true, options: o };
}

/** 127.0.0.0/8, ::1, localhost: a relay for this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** One `stats:` line (SIGUSR2, --stats): what an operator asks a relay first. */
export function formatStats(s: RelayStats): string {
  const mb = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;
  const parts = [
    `clients ${s.clients}`,
    `forwarded ${s.forwarded} datagrams (${mb(s.forwardedBytes)}) to clients here`,
    `in ${s.datagramsIn} datagrams (${mb(s.bytesIn)}), out ${s.datagramsOut} (${mb(s.bytesOut)})`,
    s.transit
      ? `transit ${s.transit.open} lanes open (${mb(s.transit.buffered)} held), ${s.transit.spliced} spliced (${mb(s.transit.bytes)})${s.transit.bridged > 0 ? `, ${s.transit.bridged} bridged to other relays` : ''}, ${s.transit.refused} refused`
      : 'no transit port',
  ];
  const c = s.cluster;
  if (c === undefined) {
    parts.push('no cluster');
  } else {
    parts.push(`chat ${c.chatClients} devices on all relays`);
    parts.push(
      `to other relays ${c.forwardedOut} (${mb(c.forwardedOutBytes)}) in ${c.meshDatagramsOut} MESH datagrams, from them ${c.forwardedIn} (${mb(c.forwardedInBytes)}) in ${c.meshDatagramsIn}`,
    );
    const relays = c.relays.map((r) => `${r.id}@${r.host}:${r.port}${r.live ? '' : ' (no lease)'}`);
    parts.push(`relays known: ${relays.length === 0 ? 'none' : relays.join(', ')}`);
    parts.push(c.directoryAvailable ? 'Redis ok' : 'Redis UNAVAILABLE (refusing new devices)');
  }
  return `stats: ${parts.join('; ')}`;
}

export interface RelayCliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); the value names the signal. */
  stopSignal: Promise<string>;
  /** Registers what SIGHUP does (rotate the secret); absent where there is no SIGHUP. */
  onHangup?: (rotate: () => void) => void;
  /** Messages from a parent over an IPC channel, and the answer; absent without one. */
  control?: { onMessage: (handle: (msg: unknown) => void) => void; send: (msg: unknown) => void };
  /** This machine's interfaces (os.networkInterfaces()), for the invitation's addresses. */
  interfaces?: () => ReturnType<typeof os.networkInterfaces>;
  /** Calls `f` whenever the process is asked for stats (SIGUSR2). */
  onStatsSignal?: (f: () => void) => void;
}

/** What a parent (the extension) may send over the IPC channel. */
export type RelayControlMessage = { type: 'setSecret'; secret: string };
/** The relay's answer. */
export type RelayControlReply = { type: 'secretSet' } | { type: 'error'; message: string };

function processIo(): RelayCliIo {
  return {
    stdout: (line) => process.stdout.write(line + '\n'),
    stderr: (line) => process.stderr.write(line + '\n'),
    env: process.env,
    // `on`, not `once`: a second signal while the BYEs go out (a terminal's Ctrl+C reaches a
    // wrapper such as tsx and its child both) must not kill the process midway; the close
    // takes at most CLOSE_FLUSH_TIMEOUT_MS, and FORCED_EXIT_AFTER_MS backs it up.
    stopSignal: new Promise<string>((resolve) => {
      process.on('SIGINT', () => resolve('SIGINT'));
      process.on('SIGTERM', () => resolve('SIGTERM'));
      // Its terminal closed (SIGHUP, then writes fail with EIO or EPIPE): stop cleanly, telling
      // the clients, rather than die on an unhandled stream error.
      process.stdout.on('error', () => resolve('stdout closed'));
    }),
    onHangup: process.platform === 'win32' ? undefined : (rotate) => process.on('SIGHUP', rotate),
    control:
      typeof process.send === 'function'
        ? {
            onMessage: (handle) => {
              process.on('message', handle);
              // The channel must not keep the process alive after a stop signal.
              (process.channel as { unref?: () => void } | undefined)?.unref?.();
            },
            send: (msg) => process.send?.(msg),
          }
        : undefined,
    interfaces: () => os.networkInterfaces(),
    onStatsSignal: (f) => process.on('SIGUSR2', f),
  };
}

/**
 * Runs the relay until a stop signal; resolves with the exit code. Everything the process
 * prints goes through `io`, so tests can run it in-process too.
 */
export async function main(argv: readonly string[], io: RelayCliIo = processIo()): Promise<number> {
  const parsed = parseArgs(argv, io.env);
  if (!parsed.ok) {
    io.stderr(`peerchat-relay: ${parsed.message}`);
    io.stderr(USAGE);
    return EXIT_USAGE;
  }
  const o = parsed.options;
  if (o.help) {
    io.stdout(USAGE);
    return EXIT_OK;
  }

  // Lines logged while starting wait until "listening on" has been printed: it must be first.
  let listening = false;
  const early: string[] = [];
  const log = (line: string): void => {
    if (o.quiet) return;
    if (listening) io.stdout(`${timestamp()} ${line}`);
    else early.push(line);
  };

  const network = !isLoopbackHost(o.host);
  // Serving the network admits only those given the invitation, unless --open says otherwise.
  let secret = o.secret ?? (network && !o.open ? generateSecret() : undefined);
  const name = o.name ?? defaultRelayName();

  let server: RelayServer;
  try {
    const cluster =
      o.cluster === undefined || o.clusterSecret === undefined
        ? undefined
        : { url: o.cluster, secret: o.clusterSecret, advertiseHost: o.clusterAdvertise };
    if (cluster !== undefined) early.push(`joining the cluster at ${redactUrl(cluster.url)}`);
    server = await RelayServer.start({ host: o.host, port: o.port, secret, log, cluster });
  } catch (err) {
    io.stderr(`peerchat-relay: ${err instanceof RelayStartError || err instanceof Error ? err.message : String(err)}`);
    return EXIT_START_FAILED;
  }
  const a = server.address();
  io.stdout(`listening on ${a.host}:${a.port}`);
  const addresses = network ? reachableAddresses(a.host, io.interfaces?.() ?? {}) : [];

  /** The `invite:` line (or why there is none), for a relay serving the network. */
  const printInvite = (): void => {
    if (!network || !o.invite) return;
    if (addresses.length === 0) {
      io.stdout(`invite: none (no LAN address found for ${a.host}; teammates join with --relay ADDRESS:${a.port}${secret ? ' --secret …' : ''})`);
      return;
    }
    if (secret !== undefined && !isLinkSafeSecret(secret)) {
      io.stdout('invite: none (an invitation link carries only letters, digits, ".", "_", "~" and "-" in a secret; teammates pass this one with --secret)');
      return;
    }
    io.stdout(`invite: ${buildInvitation({ relays: addresses.map((host) => ({ host, port: a.port })), secret, name })}`);
  };
  printInvite();
  listening = true;
  for (const line of early) log(line);
  if (secret !== undefined) log(o.secret === undefined ? 'clients must know the invitation secret (made for this run; it is in the invite line)' : 'clients must know the invitation secret');
  else if (network) log('--open: anyone who reaches this relay may join');

  let announcement: RelayAnnouncement | undefined;
  const announce = (): void => {
    if (!network || !o.announce || addresses.length === 0) return;
    announcement = announceRelay({ name, port: a.port, needsSecret: secret !== undefined, addresses, log });
    log(`announced on the LAN as "${name}" (_peerchat._udp) on ${addresses.join(', ')}`);
  };
  announce();

  // Only a relay with a secret takes SIGHUP over; others keep its default (a closed terminal ends them).
  if (secret !== undefined) io.onHangup?.(() => {
    secret = generateSecret();
    server.setSecret(secret);
    printInvite();
  });
  io.control?.onMessage((msg) => {
    const m = msg as Partial<RelayControlMessage> | null;
    if (m?.type !== 'setSecret' || typeof m.secret !== 'string' || m.secret === '') {
      io.control?.send({ type: 'error', message: 'unknown control message' } satisfies RelayControlReply);
      return;
    }
    const hadSecret = secret !== undefined;
    secret = m.secret;
    server.setSecret(secret);
    if (!hadSecret && announcement) {
      // The announcement said "no secret": say it again, right.
      void announcement.stop().then(announce);
    }
    io.control?.send({ type: 'secretSet' } satisfies RelayControlReply);
  });

  const printStats = (): void => io.stdout(`${timestamp()} ${formatStats(server.stats())}`);
  io.onStatsSignal?.(printStats);
  const statsTimer = o.statsEverySec === undefined ? undefined : setInterval(printStats, o.statsEverySec * 1000);
  statsTimer?.unref();

  const signal = await io.stopSignal;
  if (statsTimer !== undefined) clearInterval(statsTimer);
  await Promise.all([server.close(signal), announcement?.stop()]);
  log('stopped');
  return EXIT_OK;
}

function timestamp(): string {
  return new Date().toISOString();
}

if (require.main === module) {
  tuneOwnProcess();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Normally nothing is left and the process ends by itself; this only catches a straggler.
      setTimeout(() => process.exit(code), FORCED_EXIT_AFTER_MS).unref();
    },
    (err: unknown) => {
      process.stderr.write(`peerchat-relay: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(EXIT_START_FAILED);
    },
  );
}
