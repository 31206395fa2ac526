import * as os from 'node:os';
import * as path from 'node:path';
import { relayTarget, type RelayTarget } from '../client/relayList';

export interface CliOptions {
  /** The relay, and for a cluster the others to move to when it stops answering. */
  relay: RelayTarget;
  nick?: string;
  downloadDir: string;
  shareDirs: string[];
  acceptFiles: boolean;
  allowRequests: boolean;
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

Options:
  --relay HOST:PORT     relay to join (default 127.0.0.1:12345); for a cluster of relays, a comma
                        list (a:p,b:p,…): the client moves to the next when its relay stops
                        answering, keeping its nickname
  --nick NAME           nickname (asked for if missing; required with --json)
  --download-dir DIR    where received files go (default ~/Downloads/PeerChat)
  --share DIR           folder peers may request files from (repeatable; none = refuse requests)
  --accept-files        accept incoming files without asking
  --allow-requests      serve requests from the shared folder without asking
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
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'peerchat');
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
    downloadDir: path.join(os.homedir(), 'Downloads', 'PeerChat'),
    shareDirs: [],
    acceptFiles: false,
    allowRequests: false,
    json: false,
    configDir: configDir(),
    secret: process.env.PEERCHAT_RELAY_SECRET || undefined,
    verbose: false,
    help: false,
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
  return o;
}
