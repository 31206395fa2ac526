import * as readline from 'node:readline';
import { ChatClient } from '../client/chatClient';
import { COMMAND_HELP, parseCommand } from '../client/commandLine';
import { ClientEventName, ClientEvents, JsonEvent } from '../client/events';
import { loadOrCreateIdentityFile, type Identity } from '../crypto/identity';
import { PeerChatError } from '../protocol/errors';
import { checkNickname } from '../protocol/nickname';
import { CliOptions, USAGE, parseArgs } from './args';
import { explicitIdentityFiles, legacyIdentityFiles, loadNicknameIdentity, nicknameIdentityFiles } from '../client/identityFiles';
import { PinFile } from '../client/pinFile';
import { formatBytes, formatDuration, formatRate } from '../shared/units';
import { tuneOwnProcess } from '../shared/heapTuning';
import { firstAnsweringRelay } from '../client/relayProbe';
import { describeDiscovered, type DiscoveredRelay } from '../discovery/announcement';
import { DEFAULT_DISCOVERY_MS, discoverRelays } from '../discovery/mdnsDiscovery';
import { formatEndpoint, parseInvitation } from '../shared/invitation';
import { snippetLocation, snippetOrigin, type CodeSnippet } from '../shared/codeLink';
import { snippetFromFile } from './snippetSource';

/**
 * The terminal client. Interactive: the toy chat's syntax at a prompt. `--json`: the same
 * lines on stdin, and one JSON object per line on stdout, each with an `event` field (the
 * ChatClient's events, see README "JSON events"), for scripts and tests.
 */

const EVENTS: ClientEventName[] = [
  'registered', 'error', 'state', 'presence', 'roster', 'message', 'message-sent', 'file-offered', 'request-sent',
  'whois', 'file-offer', 'file-request', 'transfer-started', 'transfer-progress', 'transfer-route', 'file-sent', 'file-received',
  'transfer-failed', 'request-denied', 'peer-key-changed', 'left', 'member-devices', 'message-delivered',
  'message-failed', 'waiting', 'path', 'job-offered', 'job-offer', 'job-started', 'job-progress', 'job-done', 'job-failed', 'snippet', 'snippet-sent',
];

export async function main(argv: string[]): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // Interactive on a terminal: readline echoes what is typed and draws the "> " prompt, both on
  // stdout (without `output` it would do neither and typing would be invisible).
  const interactive = !opts.json && process.stdin.isTTY === true && process.stdout.isTTY === true;
  // Whoever reads our output went away (a closed pipe: `| head`, a script that died): leave the
  // relay as `exit` would, quietly, instead of dying on an unhandled EPIPE with a stack trace.
  let leaveQuietly: () => Promise<void> = async () => undefined;
  let leavingOnEpipe = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    if (leavingOnEpipe) return;
    leavingOnEpipe = true;
    void leaveQuietly()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  });
  const rl = readline.createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined, terminal: interactive });
  const out = opts.json ? jsonWriter() : humanWriter(rl);
  const lines = lineQueue(rl);
  const say = (text: string): void => void process.stderr.write(`${text}\n`);
  const ask = async (prompt: string): Promise<string | null> => {
    if (interactive) {
      rl.setPrompt(prompt);
      rl.prompt();
    } else {
      process.stdout.write(prompt);
    }
    const answer = await lines.next();
    rl.setPrompt('> ');
    return answer;
  };

  if (opts.discover) {
    const found = await discoverRelays({ timeoutMs: DEFAULT_DISCOVERY_MS });
    if (opts.json) {
      for (const r of found) writeJson({ event: 'relay-found', name: r.name, address: r.addresses[0], addresses: r.addresses, port: r.port, needsSecret: r.needsSecret });
      writeJson({ event: 'discovery-done', relays: found.length });
    } else if (found.length === 0) {
      process.stdout.write(`No relays announced on this network (listened ${DEFAULT_DISCOVERY_MS / 1000} s).\n`);
    } else {
      process.stdout.write(`Relays on this network:\n${found.map((r, i) => `  ${i + 1}) ${describeDiscovered(r)}`).join('\n')}\n`);
    }
    rl.close();
    return 0;
  }
  if (opts.invitation) {
    // Every address the invitation names, at once; the first that answers (earlier preferred).
    const inv = opts.invitation;
    const at = await firstAnsweringRelay(inv.relays);
    if (!at) {
      const tried = inv.relays.map(formatEndpoint).join(', ');
      out('error', { code: 'RELAY_UNREACHABLE', message: `No relay answers at ${tried}. Is it still running, and are you on its network? Ask for a new invitation if it moved.` });
      rl.close();
      return 1;
    }
    opts.relay = at;
    opts.secret = inv.secret ?? opts.secret;
    if (!opts.json) say(`Invitation: ${inv.name ? `${inv.name} at ` : ''}${formatEndpoint(at)}${inv.secret ? ' (with its secret)' : ''}.`);
  } else if (!opts.relayGiven && interactive && !opts.noDiscover) {
    const picked = await offerDiscoveredRelays(opts, say, ask);
    if (picked === 'quit') {
      rl.close();
      return 0;
    }
  }

  const log = opts.verbose ? (level: string, m: string) => process.stderr.write(`[${level}] ${m}\n`) : undefined;
  let nick = opts.nick;
  let client: ChatClient | null = null;
  for (;;) {
    if (!nick) {
      if (opts.json) {
        out('error', { code: 'NICK_INVALID', message: '--json needs --nick NAME.' });
        return 2;
      }
      if (interactive) {
        rl.setPrompt('Enter your nickname: ');
        rl.prompt();
      } else {
        process.stdout.write('Enter your nickname: ');
      }
      const answer = await lines.next();
      rl.setPrompt('> ');
      if (answer === null) return 0;
      nick = answer.trim();
      if (!nick) continue;
    }
    // The key depends on the nickname (one identity per nickname unless --identity), so the
    // nickname is checked before any key file is made for it.
    const check = checkNickname(nick);
    if (!check.ok) {
      out('error', { code: 'NICK_INVALID', message: `"${nick}" is not a valid nickname: ${check.reason}` });
      if (opts.json) return 1;
      nick = undefined; // ask again
      continue;
    }
    const files = opts.identityPath !== undefined ? explicitIdentityFiles(opts.identityPath) : nicknameIdentityFiles(opts.configDir, check.display);
    let identity: Identity;
    try {
      identity =
        opts.identityPath !== undefined
          ? loadOrCreateIdentityFile(files.identityPath)
          : loadNicknameIdentity(files, legacyIdentityFiles(opts.configDir), log);
    } catch (err) {
      out('error', { code: 'INTERNAL', message: `Cannot use the key file ${files.identityPath}: ${(err as Error).message}` });
      return 1;
    }
    const c = new ChatClient({
      relay: opts.relay,
      nick,
      identity,
      downloadDir: opts.downloadDir,
      shareDirs: opts.shareDirs,
      acceptFiles: opts.acceptFiles ? 'always' : 'ask',
      allowRequests: opts.allowRequests ? 'always' : 'ask',
      directConnections: !opts.relayOnly,
      streamLanes: !opts.udpOnly,
      maxIncomingBytes: opts.maxIncomingBytes,
      secret: opts.secret,
      pins: new PinFile(files.pinsPath),
      log,
    });
    let lastError = '';
    for (const name of EVENTS) c.on(name, (payload) => out(name, payload as never));
    c.on('error', (e) => (lastError = e.code));
    try {
      await c.start();
      client = c;
      break;
    } catch (err) {
      const e = err instanceof PeerChatError ? err : new PeerChatError('INTERNAL', (err as Error).message);
      if (lastError !== e.code) out('error', { code: e.code, message: e.message }); // not already reported
      if (opts.json || (e.code !== 'NICK_TAKEN' && e.code !== 'NICK_INVALID')) return 1;
      nick = undefined; // ask again, like the toy
    }
  }

  const stop = async () => {
    await client!.leave();
    rl.close();
  };
  leaveQuietly = stop;
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));

  for (;;) {
    if (!opts.json) rl.prompt?.();
    const line = await lines.next();
    if (line === null) break;
    const done = await runCommand(client, line, out);
    if (done) break;
  }
  await stop();
  return 0;
}

type Out = <K extends ClientEventName>(name: K, payload: ClientEvents[K]) => void;

function writeJson(o: object): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

/**
 * `peerchat` on a terminal without --relay: the relays announced on the LAN, to pick one (or the
 * default on this machine). A relay that needs a secret asks for it, or for an invitation.
 */
async function offerDiscoveredRelays(
  opts: CliOptions,
  say: (text: string) => void,
  ask: (prompt: string) => Promise<string | null>,
): Promise<'chosen' | 'quit'> {
  const local = formatEndpoint(opts.relay);
  say('Looking for relays on this network… (--relay or --no-discover skips this)');
  const found: DiscoveredRelay[] = await discoverRelays({ timeoutMs: DEFAULT_DISCOVERY_MS });
  if (found.length === 0) {
    say(`None found; joining ${local}.`);
    return 'chosen';
  }
  say(['Relays on this network:', ...found.map((r, i) => `  ${i + 1}) ${describeDiscovered(r)}`), `  0) ${local} (the default, on this machine)`].join('\n'));
  let relay: DiscoveredRelay | undefined;
  for (;;) {
    const answer = await ask(`Join which? [1]: `);
    if (answer === null) return 'quit';
    const n = answer.trim() === '' ? 1 : Number(answer.trim());
    if (Number.isInteger(n) && n >= 0 && n <= found.length) {
      relay = n === 0 ? undefined : found[n - 1];
      break;
    }
    say(`Type a number from 0 to ${found.length}.`);
  }
  if (!relay) return 'chosen';
  const endpoints = relay.addresses.map((host) => ({ host, port: relay!.port }));
  opts.relay = (await firstAnsweringRelay(endpoints)) ?? endpoints[0];
  if (relay.needsSecret && opts.secret === undefined) {
    const answer = await ask(`${relay.name} needs an invitation: paste the link or the secret: `);
    if (answer === null) return 'quit';
    const text = answer.trim();
    const inv = parseInvitation(text);
    // A link's secret; anything else typed is the secret itself.
    opts.secret = inv.ok ? inv.invitation.secret : text === '' ? undefined : text;
  }
  return 'chosen';
}

/** Runs one line; returns true when the user asked to leave. */
async function runCommand(client: ChatClient, line: string, out: Out): Promise<boolean> {
  const cmd = parseCommand(line);
  const fail = (err: unknown) => {
    const e = err instanceof PeerChatError ? err : new PeerChatError('INTERNAL', (err as Error).message);
    out('error', { code: e.code, message: e.message });
  };
  // Commands that take a while (hashing a large file before offering it, a key lookup at the
  // relay) run alongside the next lines: a message typed after /sendfile goes out at once
  // instead of waiting seconds for the hash of a big file.
  const background = (p: Promise<unknown>, then?: (v: unknown) => void) => void p.then(then, fail);
  try {
    switch (cmd.kind) {
      case 'empty':
        return false;
      case 'exit':
        return true;
      case 'broadcast':
        client.broadcast(cmd.text);
        return false;
      case 'private':
        client.sendPrivate(cmd.to, cmd.text);
        return false;
      case 'sendfile':
        background(client.sendFile(cmd.to, cmd.path));
        return false;
      case 'sendjob':
        background(client.sendFiles(cmd.to, cmd.paths));
        return false;
      case 'requestfile':
        background(client.requestFile(cmd.to, cmd.name));
        return false;
      case 'snippet':
        // Awaited (reading lines and asking git takes milliseconds): what is typed next follows it.
        client.shareSnippet(await snippetFromFile(cmd.path, cmd), cmd.to);
        return false;
      case 'who':
        // Typed at once after joining, /who answers when the roster is in, not with an empty list.
        background(client.whenReady(), () => out('roster', { nicks: client.online(), members: client.members(), paths: client.paths() }));
        return false;
      case 'whois':
        background(client.whois(cmd.nick), (w) => out('whois', w as ClientEvents['whois']));
        return false;
      case 'accept':
        background(client.accept(cmd.id));
        return false;
      case 'decline':
        client.decline(cmd.id);
        return false;
      case 'cancel':
        client.cancel(cmd.id);
        return false;
      case 'help':
        process.stderr.write(COMMAND_HELP.map(([c, d]) => `  ${c.padEnd(26)} ${d}`).join('\n') + '\n');
        return false;
      case 'invalid':
        out('error', { code: 'BAD_COMMAND', message: cmd.message });
        return false;
    }
  } catch (err) {
    fail(err);
  }
  return false;
}

/** Reads lines one at a time as promises; null at end of input. */
function lineQueue(rl: readline.Interface): { next(): Promise<string | null> } {
  const buffered: string[] = [];
  const waiting: Array<(l: string | null) => void> = [];
  let ended = false;
  rl.on('line', (l) => {
    const w = waiting.shift();
    if (w) w(l);
    else buffered.push(l);
  });
  rl.on('close', () => {
    ended = true;
    for (const w of waiting.splice(0)) w(null);
  });
  return {
    next: () => {
      if (buffered.length > 0) return Promise.resolve(buffered.shift()!);
      if (ended) return Promise.resolve(null);
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}

function jsonWriter(): Out {
  return (name, payload) => {
    const line: JsonEvent = { event: name, ...(payload as object) } as JsonEvent;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
}

function humanWriter(rl: readline.Interface): Out {
  const lastPct = new Map<string, number>();
  /** When each transfer's bytes started to flow, and from where (for its duration and speed). */
  const started = new Map<string, { at: number; resumedBytes: number }>();
  const timing = (id: string, bytes: number): string => {
    const s = started.get(id);
    started.delete(id);
    if (!s) return '';
    const ms = Date.now() - s.at;
    const rate = formatRate(Math.max(0, bytes - s.resumedBytes), Math.max(ms, 1));
    return ` in ${formatDuration(ms)}${rate ? `, ${rate}` : ''}`;
  };
  const tty = (rl as readline.Interface & { terminal?: boolean }).terminal === true;
  // On a terminal, a message arriving while the user types is printed above the prompt, and the
  // prompt is drawn again with what was typed so far (not "> alice: hihalf-typed line").
  const print = (s: string) => {
    if (!tty) {
      process.stdout.write(`${s}\n`);
      return;
    }
    readline.clearLine(process.stdout, 0);
    readline.cursorTo(process.stdout, 0);
    process.stdout.write(`${s}\n`);
    rl.prompt(true);
  };
  return (name, payload) => {
    const p = payload as Record<string, unknown> & ClientEvents[keyof ClientEvents];
    switch (name) {
      case 'registered': {
        const r = p as ClientEvents['registered'];
        const other = r.devices === 2 ? 'another device of yours is online' : `${r.devices - 1} other devices of yours are online`;
        const devices = r.devices > 1 ? ` as another device (${other})` : '';
        print(`Joined as ${r.nick}${devices}. Your key: ${r.fingerprint}. Type /help for commands.`);
        break;
      }
      case 'error': {
        const e = p as ClientEvents['error'];
        print(`! ${e.message} [${e.code}]`);
        break;
      }
      case 'state': {
        const s = p as ClientEvents['state'];
        if (s.state === 'unreachable') print('! Lost the relay; retrying…');
        break;
      }
      case 'presence': {
        const e = p as ClientEvents['presence'];
        print(`* ${e.nick} ${e.online ? 'joined' : 'left'}`);
        break;
      }
      case 'path': {
        const e = p as ClientEvents['path'];
        print(e.path === 'direct' ? `* ${e.peer}: direct connection (${e.address})` : `* ${e.peer}: via the relay`);
        break;
      }
      case 'member-devices': {
        const d = p as ClientEvents['member-devices'];
        print(`* ${d.nick} is online on ${d.devices} device${d.devices === 1 ? '' : 's'}`);
        break;
      }
      case 'roster': {
        const r = p as ClientEvents['roster'];
        const names = r.members.map((m) => {
          const ways = (r.paths ?? []).filter((p) => p.peer === m.nick).map((p) => (p.path === 'direct' ? 'direct' : 'via relay'));
          const how = ways.length === 0 ? '' : ways.every((w) => w === ways[0]) ? ways[0] : ways.join(', ');
          const extra = [m.devices > 1 ? `${m.devices} devices` : '', how].filter(Boolean).join(', ');
          return extra ? `${m.nick} (${extra})` : m.nick;
        });
        print(names.length ? `Online: ${names.join(', ')}` : 'No one else is online.');
        break;
      }
      case 'message-sent': {
        // What we type is on the screen already; what another device of ours sent is not.
        const m = p as ClientEvents['message-sent'];
        if (m.otherDevice) print(m.to ? `[you → ${m.to}, other device] ${m.text}` : `[you, other device] ${m.text}`);
        break;
      }
      case 'message-failed': {
        const m = p as ClientEvents['message-failed'];
        print(`✗ ${m.message} [${m.code}]`);
        break;
      }
      case 'waiting': {
        const w = p as ClientEvents['waiting'];
        print(`… ${w.message}`);
        break;
      }
      case 'snippet': {
        const m = p as ClientEvents['snippet'];
        print(`${m.from} shared ${describeSnippet(m)}${m.private ? ' with you' : ''}\n${indent(m.text)}`);
        break;
      }
      case 'snippet-sent': {
        const m = p as ClientEvents['snippet-sent'];
        const who = m.to ? ` with ${m.to}` : '';
        print(m.otherDevice ? `you (other device) shared ${describeSnippet(m)}${who}\n${indent(m.text)}` : `Shared ${describeSnippet(m)}${who}.`);
        break;
      }
      case 'message': {
        const m = p as ClientEvents['message'];
        print(m.private ? `[${m.from} → you] ${m.text}` : `[${m.from}] ${m.text}`);
        break;
      }
      case 'file-offered': {
        const f = p as ClientEvents['file-offered'];
        print(`Offered ${f.name} (${formatBytes(f.bytes)}) to ${f.to}; waiting for an answer. (/cancel ${f.id})`);
        break;
      }
      case 'request-sent': {
        const r = p as ClientEvents['request-sent'];
        print(`Asked ${r.to} for ${r.name}. (request ${r.id})`);
        break;
      }
      case 'whois': {
        const w = p as ClientEvents['whois'];
        print(`${w.nick}: key ${w.fingerprint}${w.devices > 1 ? ` (${w.devices} devices online)` : ''}`);
        break;
      }
      case 'file-offer': {
        const f = p as ClientEvents['file-offer'];
        if (f.autoAccept) print(`${f.from} sends ${f.name} (${formatBytes(f.bytes)}).`);
        else print(`${f.from} offers ${f.name} (${formatBytes(f.bytes)}). /accept ${f.id} or /decline ${f.id}`);
        break;
      }
      case 'file-request': {
        const f = p as ClientEvents['file-request'];
        print(`${f.from} asks for ${f.name} from your shared folder. /accept ${f.id} or /decline ${f.id}`);
        break;
      }
      case 'transfer-started': {
        const t = p as ClientEvents['transfer-started'];
        started.set(t.id, { at: Date.now(), resumedBytes: t.resumedBytes });
        const resumed = t.resumedBytes > 0 ? `, resuming at ${formatBytes(t.resumedBytes)}` : '';
        print(`${t.direction === 'send' ? 'Sending' : 'Receiving'} ${t.name} (${formatBytes(t.bytes)}${resumed}) [${t.id}]`);
        break;
      }
      case 'transfer-route': {
        const r = p as ClientEvents['transfer-route'];
        const how = r.lane === 'tcp' ? (r.path === 'direct' ? 'a direct TCP connection' : "the relay's transit port (TCP)") : r.path === 'direct' ? 'direct UDP' : 'UDP through the relay';
        print(`  [${r.id}] to ${r.peer} over ${how}`);
        break;
      }
      case 'transfer-progress': {
        const t = p as ClientEvents['transfer-progress'];
        const pct = t.total ? Math.floor((t.bytes / t.total) * 10) * 10 : 100;
        if (pct > (lastPct.get(t.id) ?? -1) && pct < 100) {
          lastPct.set(t.id, pct);
          print(`  [${t.id}] ${pct}% (${formatBytes(t.bytes)} of ${formatBytes(t.total)})`);
        }
        break;
      }
      case 'file-sent': {
        const f = p as ClientEvents['file-sent'];
        print(`✓ ${f.to} received ${f.name} (${formatBytes(f.bytes)}${timing(f.id, f.bytes)}, sha256 ${f.sha256.slice(0, 16)}…)`);
        break;
      }
      case 'file-received': {
        const f = p as ClientEvents['file-received'];
        print(`✓ Received ${f.path} from ${f.from} (${formatBytes(f.bytes)}${timing(f.id, f.bytes)}, sha256 verified ${f.sha256.slice(0, 16)}…)`);
        break;
      }
      case 'transfer-failed': {
        const f = p as ClientEvents['transfer-failed'];
        started.delete(f.id);
        print(`✗ Transfer ${f.id}: ${f.message} [${f.code}]`);
        break;
      }
      case 'job-offered': {
        const j = p as ClientEvents['job-offered'];
        const left = j.skipped.length ? `; left out ${j.skipped.length} symlink${j.skipped.length === 1 ? '' : 's'} or special file${j.skipped.length === 1 ? '' : 's'}` : '';
        print(`Offered ${j.name} (${j.files} file${j.files === 1 ? '' : 's'}, ${formatBytes(j.bytes)}) to ${j.to.join(', ')}${left}. (/cancel ${j.id})`);
        break;
      }
      case 'job-offer': {
        const j = p as ClientEvents['job-offer'];
        const what = `${j.loose ? '' : 'the folder '}${j.name} (${j.files} file${j.files === 1 ? '' : 's'}, ${formatBytes(j.bytes)})`;
        if (j.autoAccept) print(`${j.from} sends ${what}.`);
        else print(`${j.from} offers ${what}. /accept ${j.id} or /decline ${j.id}`);
        break;
      }
      case 'job-started': {
        const j = p as ClientEvents['job-started'];
        const resumed = j.resumedBytes > 0 ? `, ${formatBytes(j.resumedBytes)} already there` : '';
        print(`${j.direction === 'send' ? `Sending ${j.name} to` : `Receiving ${j.name} from`} ${j.peer} (${formatBytes(j.bytes)}${resumed}) [${j.id}]`);
        break;
      }
      case 'job-progress': {
        const j = p as ClientEvents['job-progress'];
        const key = `${j.id}/${j.peer}`;
        const pct = j.total ? Math.floor((j.bytes / j.total) * 10) * 10 : 100;
        if (pct > (lastPct.get(key) ?? -1) && pct < 100) {
          lastPct.set(key, pct);
          print(`  [${j.id} ${j.peer}] ${pct}% (${j.filesDone} of ${j.files} files, ${formatBytes(j.bytes)} of ${formatBytes(j.total)})`);
        }
        break;
      }
      case 'job-done': {
        const j = p as ClientEvents['job-done'];
        if (j.direction === 'send') print(`✓ ${j.peer} received ${j.name} (${j.files} files, ${formatBytes(j.bytes)}, every sha256 verified) [${j.id}]`);
        else print(`✓ Received ${j.name} from ${j.peer} into ${j.path} (${j.files} files, ${formatBytes(j.bytes)}, every sha256 verified) [${j.id}]`);
        break;
      }
      case 'job-failed': {
        const j = p as ClientEvents['job-failed'];
        print(`✗ Job ${j.id} with ${j.peer}: ${j.message} [${j.code}]`);
        break;
      }
      case 'request-denied': {
        const r = p as ClientEvents['request-denied'];
        print(`✗ ${r.from} did not send ${r.name}: ${r.message} [${r.code}]`);
        break;
      }
      case 'peer-key-changed': {
        const k = p as ClientEvents['peer-key-changed'];
        print(`!!! ${k.nick}'s key CHANGED (was ${k.oldFingerprint}, now ${k.newFingerprint}). Files with ${k.nick} need your confirmation.`);
        break;
      }
      case 'left':
        print('Left the chat.');
        break;
      default:
        break;
    }
  };
}


if (require.main === module) {
  tuneOwnProcess();
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`peerchat: ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}

/** `src/x.ts:10-20 (github.com/org/repo @ abc1234, uncommitted changes)`. */
function describeSnippet(s: CodeSnippet): string {
  const origin = snippetOrigin(s);
  return `${snippetLocation(s)}${origin ? ` (${origin})` : ''}`;
}

/** A snippet's text set off from the chat lines around it. */
function indent(text: string): string {
  return text.split('\n').map((l) => `    ${l}`).join('\n');
}
