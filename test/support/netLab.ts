/**
 * A network lab of real namespaces on this machine: a "public" segment (203.0.113.0/24, RFC 5737
 * documentation addresses), NAT routers with home-router filters in front of private LANs, plain
 * LANs, per-packet loss, cuts, and byte counters. Everything is the kernel's own networking,
 * driven through `ip`, `nft`, `sysctl` and `conntrack` child processes (execFile, never a shell
 * string); nothing touches the host's own interfaces: every veth pair is created inside lab
 * namespaces. See docs/testing.md ("Network lab") for what it builds and what it needs.
 *
 * Needs root and the Debian packages `nftables conntrack iproute2` (test/netlab/setup.sh).
 *
 * Names. Namespaces are `<prefix>-<pid>-<node>`, so two test runs on one machine never collide
 * and `NetLab.create` can delete what a dead run left behind (its pid is gone). Interfaces live
 * only inside lab namespaces and are named `<prefix><node>` (the node's own end) and
 * `<prefix><node>-b` (the end on the segment's bridge); Linux allows 15 characters.
 */
import { execFile, spawn as spawnChild, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

/** Linux IFNAMSIZ (16) minus the terminating NUL. */
const MAX_IFNAME_CHARS = 15;
/** `<prefix><node>-b` must fit MAX_IFNAME_CHARS: 4 + 9 + 2. */
const MAX_PREFIX_CHARS = 4;
const MAX_NODE_NAME_CHARS = 9;
/** The lab's "internet": TEST-NET-3 (RFC 5737), routed nowhere outside the lab. */
export const PUBLIC_CIDR = '203.0.113.0/24';
/** Host addresses on a segment start here (.1 is a router's LAN side), so they are easy to read. */
const FIRST_HOST_OFFSET = 10;
/** A router's LAN address is the first in its LAN. */
const GATEWAY_OFFSET = 1;
/** `nft numgen random mod` base: loss is given per mille. */
const PERMILLE = 1000;
/** How long destroy() waits for a killed process to be gone before removing its namespace. */
const KILL_WAIT_MS = 2_000;
/** Where `ip netns add` keeps its namespaces (the listing NetLab.create cleans up from). */
const NETNS_DIR = '/run/netns';
/** Present when br_netfilter is loaded (Docker loads it); it then applies to every namespace. */
const BRIDGE_NF_SYSCTL = '/proc/sys/net/bridge/bridge-nf-call-iptables';

// nftables table names inside lab namespaces (each namespace has its own tables).
const FILTER_TABLE = 'labfw';
const NAT_TABLE = 'labnat';
const COUNT_TABLE = 'labcount';
/** A host's own firewall (block/unblock). */
const BLOCK_TABLE = 'labblock';
const LOSS_TABLE = 'lablossy';

export type NatType = 'cone' | 'symmetric';

/** An L2 segment: a bridge in some namespace, and an IPv4 subnet. */
export interface Segment {
  readonly name: string;
  /** Namespace holding the bridge. */
  readonly ns: string;
  readonly bridge: string;
  readonly cidr: string;
  /** Default route for hosts on it (a NAT router's LAN address), or null: on-link only. */
  readonly gateway: string | null;
}

export interface Host {
  readonly name: string;
  readonly ns: string;
  /** The host's interface (inside `ns`). */
  readonly ifname: string;
  readonly ip: string;
  readonly segment: Segment;
}

export interface NatRouter {
  readonly name: string;
  readonly ns: string;
  readonly type: NatType;
  /** WAN interface (inside `ns`), on the public segment. */
  readonly wanIf: string;
  /** The address peers on the public segment see. */
  readonly wanIp: string;
  /** The LAN behind it: pass it as `segment` to addHost. */
  readonly lan: Segment;
}

/**
 * What nftables counted on a host's lab interface: IP packets delivered to or sent by the host
 * (after setLoss's drops and after reassembly, so a datagram is one packet), headers included.
 */
export interface HostCounters {
  rxBytes: number;
  rxPackets: number;
  txBytes: number;
  txPackets: number;
}

/** Installs the packages the lab needs (idempotent; quick when they are there). */
export const NETLAB_SETUP_SCRIPT = path.join(__dirname, '..', 'netlab', 'setup.sh');

/**
 * netLabAvailable(), after running NETLAB_SETUP_SCRIPT when we are root and a tool is missing:
 * a fresh CI machine gets its packages the way the end-to-end tests get theirs.
 */
export async function prepareNetLab(): Promise<string | null> {
  const why = await netLabAvailable();
  if (why === null || process.getuid?.() !== 0 || process.platform !== 'linux') return why;
  try {
    // What it installed belongs in the test log.
    process.stderr.write(await run('bash', [NETLAB_SETUP_SCRIPT]));
  } catch (e) {
    return `${why}, and ${path.relative(process.cwd(), NETLAB_SETUP_SCRIPT)} failed: ${(e as Error).message}`;
  }
  return netLabAvailable();
}

/**
 * For a test's `before`: the lab's packages (installed if root), or an error that says how to get
 * them — a test that needs the lab fails, it never skips.
 */
export async function requireNetLab(): Promise<void> {
  const why = await prepareNetLab();
  if (why) throw new Error(`network lab unavailable: ${why}. Set up with \`sudo test/netlab/setup.sh\` and run the tests as root (docs/testing.md).`);
}

/** Why the lab cannot run here, or null if it can. */
export async function netLabAvailable(): Promise<string | null> {
  if (process.platform !== 'linux') return `the network lab needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'the network lab needs root (it creates network namespaces); CI runs the tests as root';
  for (const [tool, args, pkg] of [
    ['ip', ['-V'], 'iproute2'],
    ['nft', ['--version'], 'nftables'],
    ['conntrack', ['--version'], 'conntrack'],
  ] as const) {
    try {
      await run(tool, [...args]);
    } catch {
      return `\`${tool}\` is missing (Debian package ${pkg}); run test/netlab/setup.sh as root`;
    }
  }
  return null;
}

export class NetLab {
  private readonly segments = new Map<string, { seg: Segment; next: number }>();
  private readonly nodes = new Set<string>();
  private readonly namespaces: string[] = [];
  private readonly children = new Set<ChildProcess>();
  /** Rule handles of active cuts, per router and address. */
  private readonly cuts = new Map<string, number[]>();
  private publicSeg: Segment | null = null;
  private destroyed = false;

  private constructor(
    readonly prefix: string,
    private readonly nsPrefix: string,
  ) {}

  /**
   * An empty lab. Deletes namespaces an earlier run with the same prefix left behind when its
   * process died (their names carry its pid).
   */
  static async create(opts: { prefix: string }): Promise<NetLab> {
    if (!/^[a-z][a-z0-9]*$/.test(opts.prefix) || opts.prefix.length > MAX_PREFIX_CHARS) {
      throw new Error(`lab prefix must be 1-${MAX_PREFIX_CHARS} lowercase letters/digits: ${opts.prefix}`);
    }
    await removeLeftovers(opts.prefix);
    return new NetLab(opts.prefix, `${opts.prefix}-${process.pid}-`);
  }

  /** The public segment: a bridge in the "wan" namespace, 203.0.113.0/24. Made once. */
  async publicSegment(): Promise<Segment> {
    if (this.publicSeg) return this.publicSeg;
    const ns = await this.addNamespace('wan');
    this.publicSeg = await this.addBridge('wan', ns, PUBLIC_CIDR, null);
    return this.publicSeg;
  }

  /** A plain LAN: a bridge (a switch, in a namespace of its own; MTU 1500 like Ethernet), no router. */
  async addLan(name: string, opts: { cidr: string }): Promise<Segment> {
    const ns = await this.addNamespace(name);
    return this.addBridge(name, ns, opts.cidr, null);
  }

  /** A namespace with one veth on `segment`, addressed from it; its default route is the segment's gateway. */
  async addHost(name: string, opts: { segment: Segment }): Promise<Host> {
    const seg = opts.segment;
    const ns = await this.addNamespace(name);
    const ip = this.allocate(seg);
    const ifname = await this.attach(name, ns, seg, ip);
    if (seg.gateway) await ipCmd(ns, 'route', 'add', 'default', 'via', seg.gateway);
    // Counters of what this host really received and sent on its lab interface.
    await nft(ns, [
      `table inet ${COUNT_TABLE} {`,
      '  counter rx {',
      '  }',
      '  counter tx {',
      '  }',
      '  chain input {',
      '    type filter hook input priority filter; policy accept;',
      `    iifname "${ifname}" counter name "rx"`,
      '  }',
      '  chain output {',
      '    type filter hook output priority filter; policy accept;',
      `    oifname "${ifname}" counter name "tx"`,
      '  }',
      '}',
    ]);
    return { name, ns, ifname, ip, segment: seg };
  }

  /**
   * A NAT router on the public segment in front of a new LAN (`lanCidr`, router at .1):
   * forwarding on, masquerade on the WAN side (`cone`: Linux keeps the source port where it can,
   * one mapping for every destination; `symmetric`: `fully-random`, a new port per flow, so hole
   * punching cannot work), and a home router's filter: forward from the LAN, let
   * established/related back in, drop the rest, and drop unsolicited packets to the router itself.
   */
  async addNatRouter(name: string, opts: { type: NatType; lanCidr: string }): Promise<NatRouter> {
    const wan = await this.publicSegment();
    const ns = await this.addNamespace(name);
    const wanIp = this.allocate(wan);
    const wanIf = await this.attach(name, ns, wan, wanIp);
    const lan = await this.addBridge(name, ns, opts.lanCidr, offsetAddress(opts.lanCidr, GATEWAY_OFFSET));
    await sysctl(ns, 'net.ipv4.ip_forward', '1');
    await nft(ns, [
      `table ip ${NAT_TABLE} {`,
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      `    oifname "${wanIf}" masquerade${opts.type === 'symmetric' ? ' fully-random' : ''}`,
      '  }',
      '}',
      `table inet ${FILTER_TABLE} {`,
      '  chain forward {',
      '    type filter hook forward priority filter; policy drop;',
      '    ct state established,related accept',
      `    iifname "${lan.bridge}" accept`,
      '  }',
      // Without this, a peer's early probe to the router's mapped port is taken as traffic to
      // the router itself: conntrack records it under the very tuple the LAN host's reply will
      // need, masquerade picks another port, and a cone NAT acts like a symmetric one. Home
      // routers drop such packets; the lab must too.
      '  chain input {',
      '    type filter hook input priority filter; policy accept;',
      `    iifname "${wanIf}" ct state established,related accept`,
      `    iifname "${wanIf}" drop`,
      '  }',
      '}',
    ]);
    return { name, ns, type: opts.type, wanIf, wanIp, lan };
  }

  /**
   * Drops `permille` of the IP packets arriving on the host's interface, at random — fragments
   * one by one, before reassembly, as a lossy link would. 0 removes the loss.
   */
  async setLoss(host: Host, permille: number): Promise<void> {
    if (!Number.isInteger(permille) || permille < 0 || permille > PERMILLE) throw new RangeError(`loss must be 0-${PERMILLE} per mille: ${permille}`);
    // `add` then `delete` removes any earlier setting whether or not there was one (this nft has
    // no `destroy`); the whole script applies atomically.
    const lines = [`add table netdev ${LOSS_TABLE}`, `delete table netdev ${LOSS_TABLE}`];
    if (permille > 0) {
      lines.push(
        `table netdev ${LOSS_TABLE} {`,
        '  chain ingress {',
        `    type filter hook ingress device "${host.ifname}" priority filter; policy accept;`,
        `    numgen random mod ${PERMILLE} < ${permille} drop`,
        '  }',
        '}',
      );
    }
    await nft(host.ns, lines);
  }

  /** Cuts the path between the router's LAN and `ip` (both directions) until restore(). */
  async cut(router: NatRouter, ip: string): Promise<void> {
    const key = `${router.name} ${ip}`;
    if (this.cuts.has(key)) return;
    const handles: number[] = [];
    for (const dir of ['daddr', 'saddr']) {
      const out = await run('ip', ['netns', 'exec', router.ns, 'nft', '--echo', '--handle', 'insert', 'rule', 'inet', FILTER_TABLE, 'forward', 'ip', dir, ip, 'drop']);
      const m = /# handle (\d+)/.exec(out);
      if (!m) throw new Error(`nft printed no rule handle: ${out}`);
      handles.push(Number(m[1]));
    }
    this.cuts.set(key, handles);
  }

  /** Undoes cut(router, ip). */
  async restore(router: NatRouter, ip: string): Promise<void> {
    const key = `${router.name} ${ip}`;
    for (const handle of this.cuts.get(key) ?? []) {
      await run('ip', ['netns', 'exec', router.ns, 'nft', 'delete', 'rule', 'inet', FILTER_TABLE, 'forward', 'handle', String(handle)]);
    }
    this.cuts.delete(key);
  }

  /**
   * A firewall on `host` itself: every packet to or from `ip` is dropped (both directions, TCP and
   * UDP alike) until unblock(host). One blocked address per host.
   */
  async block(host: Host, ip: string): Promise<void> {
    await nft(host.ns, [
      `add table inet ${BLOCK_TABLE}`,
      `delete table inet ${BLOCK_TABLE}`,
      `table inet ${BLOCK_TABLE} {`,
      '  chain input {',
      '    type filter hook input priority filter - 10; policy accept;',
      `    ip saddr ${ip} drop`,
      '  }',
      '  chain output {',
      '    type filter hook output priority filter - 10; policy accept;',
      `    ip daddr ${ip} drop`,
      '  }',
      '}',
    ]);
  }

  /** Undoes block(host, …). */
  async unblock(host: Host): Promise<void> {
    await nft(host.ns, [`add table inet ${BLOCK_TABLE}`, `delete table inet ${BLOCK_TABLE}`]);
  }

  /** Forgets every NAT mapping and tracked flow on the router (as a router reboot would). */
  async flushConntrack(router: NatRouter): Promise<void> {
    await run('ip', ['netns', 'exec', router.ns, 'conntrack', '-F']);
  }

  /** How long an idle UDP mapping lives on the router (both of conntrack's UDP timeouts). */
  async setUdpTimeout(router: NatRouter, seconds: number): Promise<void> {
    await sysctl(router.ns, 'net.netfilter.nf_conntrack_udp_timeout', String(seconds));
    await sysctl(router.ns, 'net.netfilter.nf_conntrack_udp_timeout_stream', String(seconds));
  }

  /** Bytes and packets the host really received and sent on its lab interface so far. */
  async counter(host: Host): Promise<HostCounters> {
    const out = await run('ip', ['netns', 'exec', host.ns, 'nft', '-j', 'list', 'counters', 'table', 'inet', COUNT_TABLE]);
    const found = new Map<string, { bytes: number; packets: number }>();
    for (const item of (JSON.parse(out) as { nftables: Array<{ counter?: { name: string; bytes: number; packets: number } }> }).nftables) {
      if (item.counter) found.set(item.counter.name, item.counter);
    }
    const rx = found.get('rx');
    const tx = found.get('tx');
    if (!rx || !tx) throw new Error(`no lab counters in ${host.ns}: ${out}`);
    return { rxBytes: rx.bytes, rxPackets: rx.packets, txBytes: tx.bytes, txPackets: tx.packets };
  }

  /** The command prefix that runs a program inside the host's namespace. */
  execPrefix(host: Host | NatRouter): string[] {
    return ['ip', 'netns', 'exec', host.ns];
  }

  /** Starts `cmd args` inside the host's namespace (`ip netns exec` execs it: same pid). destroy() kills it. */
  spawn(host: Host | NatRouter, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcessWithoutNullStreams {
    const [prog, ...pre] = this.execPrefix(host);
    const child = spawnChild(prog, [...pre, cmd, ...args], { ...opts, stdio: 'pipe' });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /**
   * Kills every process still inside the lab's namespaces (spawned here or not) and deletes the
   * namespaces, which takes their interfaces, bridges, rules and conntrack tables with them.
   * Safe to call twice and after a failed build.
   */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await killAndDelete(this.namespaces.splice(0).reverse());
    for (const child of this.children) child.kill('SIGKILL');
    this.children.clear();
  }

  // -------------------------------------------------------------------------------------------

  private async addNamespace(node: string): Promise<string> {
    if (this.destroyed) throw new Error('lab destroyed');
    if (!/^[a-z][a-z0-9]*$/.test(node) || node.length > MAX_NODE_NAME_CHARS) {
      throw new Error(`lab node names are 1-${MAX_NODE_NAME_CHARS} lowercase letters/digits: ${node}`);
    }
    if (this.nodes.has(node)) throw new Error(`lab node ${node} exists already`);
    this.nodes.add(node);
    const ns = `${this.nsPrefix}${node}`;
    await run('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
    await ipCmd(ns, 'link', 'set', 'lo', 'up');
    // IPv4 only: no router solicitations, MLD reports or DAD on the links, nothing in the counters
    // the tests did not send.
    await sysctl(ns, 'net.ipv6.conf.all.disable_ipv6', '1');
    await sysctl(ns, 'net.ipv6.conf.default.disable_ipv6', '1');
    return ns;
  }

  private async addBridge(name: string, ns: string, cidr: string, gateway: string | null): Promise<Segment> {
    parseCidr(cidr);
    if (this.segments.has(name)) throw new Error(`segment ${name} exists already`);
    const bridge = ifName(this.prefix, 'br');
    await ipCmd(ns, 'link', 'add', bridge, 'type', 'bridge');
    // With br_netfilter, frames switched between two ports would pass this namespace's IP
    // hooks (a router's forward chain drops them). A lab bridge is a plain switch.
    if (existsSync(BRIDGE_NF_SYSCTL)) {
      for (const family of ['iptables', 'ip6tables', 'arptables']) await sysctl(ns, `net.bridge.bridge-nf-call-${family}`, '0');
    }
    if (gateway) await ipCmd(ns, 'addr', 'add', `${gateway}/${parseCidr(cidr).bits}`, 'dev', bridge);
    await ipCmd(ns, 'link', 'set', bridge, 'up');
    const seg: Segment = { name, ns, bridge, cidr, gateway };
    this.segments.set(name, { seg, next: FIRST_HOST_OFFSET });
    return seg;
  }

  /** A veth pair made inside the node's namespace, its far end moved straight into the bridge's. */
  private async attach(node: string, ns: string, seg: Segment, ip: string): Promise<string> {
    const own = ifName(this.prefix, node);
    const far = ifName(this.prefix, `${node}-b`);
    await ipCmd(ns, 'link', 'add', own, 'type', 'veth', 'peer', 'name', far, 'netns', seg.ns);
    await ipCmd(seg.ns, 'link', 'set', far, 'master', seg.bridge);
    await ipCmd(seg.ns, 'link', 'set', far, 'up');
    await ipCmd(ns, 'addr', 'add', `${ip}/${parseCidr(seg.cidr).bits}`, 'dev', own);
    await ipCmd(ns, 'link', 'set', own, 'up');
    return own;
  }

  private allocate(seg: Segment): string {
    const entry = this.segments.get(seg.name);
    if (!entry || entry.seg !== seg) throw new Error(`segment ${seg.name} is not of this lab`);
    const ip = offsetAddress(seg.cidr, entry.next);
    entry.next++;
    return ip;
  }
}

// ---------------------------------------------------------------------------------------------

function ifName(prefix: string, rest: string): string {
  const name = `${prefix}${rest}`;
  if (name.length > MAX_IFNAME_CHARS) throw new Error(`interface name too long (max ${MAX_IFNAME_CHARS}): ${name}`);
  return name;
}

function parseCidr(cidr: string): { base: number; bits: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const bits = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || bits < 8 || bits > 30) throw new Error(`not an IPv4 CIDR with a /8-/30 prefix: ${cidr}`);
  const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (addr & mask) >>> 0, bits };
}

/** The address `offset` above the subnet's base, refusing to run past its broadcast address. */
function offsetAddress(cidr: string, offset: number): string {
  const { base, bits } = parseCidr(cidr);
  if (offset >= 2 ** (32 - bits) - 1) throw new Error(`subnet ${cidr} is full`);
  const a = (base + offset) >>> 0;
  return [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
}

/** Runs a program (no shell); resolves with stdout, rejects with the command line and stderr. */
function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
    // A program that exits without reading its input makes the write fail with EPIPE; its exit
    // status is what counts, and the callback above reports it.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

function ipCmd(ns: string, ...args: string[]): Promise<string> {
  return run('ip', ['-n', ns, ...args]);
}

function sysctl(ns: string, key: string, value: string): Promise<string> {
  return run('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', `${key}=${value}`]);
}

/** Loads an nft script, one statement per line (this nft rejects a `}` after a statement on one line). */
function nft(ns: string, lines: string[]): Promise<string> {
  return run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], `${lines.join('\n')}\n`);
}

/** Deletes namespaces `<prefix>-<pid>-*` whose pid is no longer a running process. */
async function removeLeftovers(prefix: string): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(NETNS_DIR);
  } catch {
    return; // no namespace was ever added on this machine
  }
  const stale = names.filter((n) => {
    const m = new RegExp(`^${prefix}-(\\d+)-`).exec(n);
    return m !== null && !pidAlive(Number(m[1]));
  });
  await killAndDelete(stale);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGKILLs the processes inside each namespace, waits for them to go, deletes the namespace. */
async function killAndDelete(namespaces: string[]): Promise<void> {
  const errors: string[] = [];
  for (const ns of namespaces) {
    try {
      const pids = (await run('ip', ['netns', 'pids', ns])).split('\n').filter(Boolean).map(Number);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      const deadline = Date.now() + KILL_WAIT_MS;
      while (pids.some(pidAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await run('ip', ['netns', 'del', ns]);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (errors.length > 0) throw new Error(`network lab cleanup: ${errors.join('; ')}`);
}
