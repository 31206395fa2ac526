import { defaultConfigDir } from '../client/identityFiles';
import * as os from 'node:os';
import * as path from 'node:path';
import { relayTarget, type RelayTarget } from '../client/relayList';
import { parseInvitation, type Invitation } from '../shared/invitation';

export interface CliOptions {
  /** The relay, and for a cluster the others to move to when it stops answering. */
  relay: RelayTarget;
  /** --relay was given (else, on a terminal, relays found on the LAN are offered). */
  relayGiven: boolean;
  /** --invite LINK or `join LINK`: the relay's addresses and secret come from it. */
  invitation?: Invitation;
  /** --discover: list the relays found on the LAN and exit. */
  discover: boolean;
  /** --no-discover: never look for relays on the LAN. */
  noDiscover: boolean;
  nick?: string;
  downloadDir: string;
  shareDirs: string[];
  acceptFiles: boolean;
  allowRequests: boolean;
  /** Never go direct: no candidates sent, everything through the relay (--relay-only). */
  relayOnly: boolean;
  /** File data only as datagrams, never over a TCP stream lane (--udp-only). */
  udpOnly: boolean;
  json: boolean;
  /** --identity FILE; undefined: the nickname's own key file in configDir (identityFiles.ts). */
  identityPath?: string;
  /** Where the per-nickname key files live: $XDG_CONFIG_HOME/peerchat, else ~/.config/peerchat. */
  configDir: string;
  secret?: string;
  maxIncomingBytes?: number;
  verbose: boolean;
  help: boolean;
}

export const USAGE = `Usage: peerchat [options]
       peerchat join LINK [options]      (the same as --invite LINK)

Options:
  --relay HOST:PORT     relay to join (default 127.0.0.1:12345; on a terminal, without it,
                        relays found on the LAN are offered first); for a cluster of relays, a
                        comma list (a:p,b:p,…): the client moves to the next when its relay stops
                        answering, keeping its nickname
  --invite LINK         join with an invitation link (vscode://peerchat.peerchat/join?…): its
                        relay addresses and secret
  --discover            list the relays announced on the LAN and exit
  --no-discover         do not look for relays on the LAN
  --nick NAME           nickname (asked for if missing; required with --json)
  --download-dir DIR    where received files go (default ~/Downloads/PeerChat)
  --share DIR           folder peers may request files from (repeatable; none = refuse requests)
  --accept-files        accept incoming files without asking
  --allow-requests      serve requests from the shared folder without asking
  --relay-only          never connect to peers directly: everything goes through the relay
                        (and no addresses of yours are given to peers)
  --udp-only            files only as UDP datagrams, never over a TCP lane (direct or through
                        the relay's transit port), sending or receiving
  --json                read commands from stdin, write one JSON event per line to stdout
  --identity FILE       key file, pins.json beside it (default: one per nickname,
                        ~/.config/peerchat/identities/NICK/identity.json, created if missing)
  --secret S            the relay's invitation secret, if it has one (or PEERCHAT_RELAY_SECRET)
  --max-incoming BYTES  decline offers larger than this
  --verbose             log protocol details to stderr
  --help                this text

Commands once joined: text | @nick text | /sendfile @nick PATH | /requestfile @nick NAME |
  /who | /whois nick | /accept ID | /decline ID | /cancel ID | /help | exit`;

export function configDir(): string {
  return defaultConfigDir();
}

/** Parses HOST:PORT, [v6]:PORT or a bare HOST (default port). */
export function parseRelayAddress(s: string, defaultPort = 12345): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  const m = v6 ?? /^([^:]+)(?::(\d+))?$/.exec(s);
  if (!m) throw new Error(`Bad relay address "${s}": use HOST:PORT, e.g. 127.0.0.1:12345.`);
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Bad port in "${s}": use 1–65535.`);
  return { host: m[1], port };
}

/** Parses one relay address or a comma list of them (the relays of one cluster, in order of preference). */
export function parseRelayList(s: string): RelayTarget {
  const parts = s.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw new Error(`Bad relay list "${s}": use HOST:PORT,HOST:PORT,… with no empty entries.`);
  return relayTarget(parts.map((p) => parseRelayAddress(p)));
}

export function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = {
    relay: { host: '127.0.0.1', port: 12345 },
    relayGiven: false,
    discover: false,
    noDiscover: false,
    downloadDir: path.join(os.homedir(), 'Downloads', 'PeerChat'),
    shareDirs: [],
    acceptFiles: false,
    allowRequests: false,
    relayOnly: false,
    udpOnly: false,
    json: false,
    configDir: configDir(),
    secret: process.env.PEERCHAT_RELAY_SECRET || undefined,
    verbose: false,
    help: false,
  };
  const invite = (link: string): void => {
    if (o.invitation) throw new Error('Give one invitation.');
    const parsed = parseInvitation(link);
    if (!parsed.ok) throw new Error(parsed.reason);
    o.invitation = parsed.invitation;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value.`);
      return v;
    };
    switch (flag) {
      case '--relay':
        o.relay = parseRelayList(value());
        o.relayGiven = true;
        break;
      case '--invite':
        invite(value());
        break;
      case 'join': {
        // `peerchat join LINK`: the subcommand form of --invite.
        const link = argv[++i];
        if (link === undefined || link.startsWith('--')) throw new Error('join needs the invitation link: peerchat join LINK');
        invite(link);
        break;
      }
      case '--discover':
        o.discover = true;
        break;
      case '--no-discover':
        o.noDiscover = true;
        break;
      case '--nick':
        o.nick = value();
        break;
      case '--download-dir':
        o.downloadDir = path.resolve(value());
        break;
      case '--share':
        o.shareDirs.push(path.resolve(value()));
        break;
      case '--accept-files':
        o.acceptFiles = true;
        break;
      case '--udp-only':
        o.udpOnly = true;
        break;
      case '--relay-only':
        o.relayOnly = true;
        break;
      case '--allow-requests':
        o.allowRequests = true;
        break;
      case '--json':
        o.json = true;
        break;
      case '--identity':
        o.identityPath = path.resolve(value());
        break;
      case '--secret':
        o.secret = value();
        break;
      case '--max-incoming': {
        const n = Number(value());
        if (!Number.isFinite(n) || n < 0) throw new Error('--max-incoming takes a number of bytes.');
        o.maxIncomingBytes = n;
        break;
      }
      case '--verbose':
        o.verbose = true;
        break;
      case '--help':
      case '-h':
        o.help = true;
        break;
      default:
        throw new Error(`Unknown option ${a}. Try --help.`);
    }
  }
  if (o.invitation && o.relayGiven) throw new Error('Give --relay or an invitation, not both: the invitation names its relay.');
  if (o.discover && o.noDiscover) throw new Error('--discover and --no-discover contradict each other.');
  return o;
}
