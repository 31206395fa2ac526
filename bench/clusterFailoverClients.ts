/**
 * Failover benchmark helper (bench/cluster.mjs): many real ChatClients in one process (forked,
 * bundled by harness.bundleHelper), each with the cluster's relay list starting at relay i % n,
 * talking all along; the parent kills a relay and this process measures how long each of that
 * relay's clients took to register elsewhere and whether any message was lost.
 *
 * IPC:
 *   ← { type: 'start', relays: [{host, port}], clients, everyMs }   join, wait for full rosters, talk
 *   → { type: 'ready', onRelay: number[] }                           clients per relay
 *   ← { type: 'killed', relay, at }                                  relay `relay` died at `at` (Date.now())
 *   → { type: 'result', moveMs: number[], unmoved, sent, delivered, lost, duplicates, failed, sessionKept, nickKept }
 */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChatClient } from '../src/client/chatClient';
import { relayTarget, type RelayAddress } from '../src/client/relayList';
import { generateIdentity } from '../src/crypto/identity';

type Req = { type: 'start'; relays: RelayAddress[]; clients: number; everyMs: number } | { type: 'killed'; relay: number; at: number };

interface Member {
  client: ChatClient;
  first: number;
  nick: string;
  received: Map<string, number>;
  registeredAt: number[];
  failed: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let members: Member[] = [];
let sent = 0;
const sentTexts: Array<{ to: number; text: string }> = [];
let talk: NodeJS.Timeout | undefined;

function session(m: Member): number {
  return (m.client as unknown as { relay: { session: number } }).relay.session;
}
function relayPort(m: Member): number {
  return (m.client as unknown as { relay: { relay: { port: number } } }).relay.relay.port;
}

async function start(req: Extract<Req, { type: 'start' }>): Promise<void> {
  const n = req.relays.length;
  const downloads = mkdtempSync(path.join(os.tmpdir(), 'peerchat-failover-bench-'));
  members = [];
  for (let i = 0; i < req.clients; i++) {
    const first = i % n;
    const list = Array.from({ length: n }, (_, k) => req.relays[(first + k) % n]);
    const nick = `f${i}`;
    const client = new ChatClient({ relay: relayTarget(list), nick, identity: generateIdentity(), downloadDir: downloads });
    const m: Member = { client, first, nick, received: new Map(), registeredAt: [], failed: 0 };
    client.on('message', (msg) => m.received.set(msg.text, (m.received.get(msg.text) ?? 0) + 1));
    client.on('registered', () => m.registeredAt.push(Date.now()));
    client.on('message-failed', () => m.failed++);
    members.push(m);
  }
  await Promise.all(members.map((m) => m.client.start()));
  const deadline = Date.now() + 60_000;
  while (!members.every((m) => m.client.online().length === members.length - 1)) {
    if (Date.now() > deadline) throw new Error('rosters incomplete after 60 s');
    await sleep(50);
  }
  // Each client messages the next one (on another relay) every everyMs.
  let k = 0;
  talk = setInterval(() => {
    members.forEach((m, i) => {
      const to = (i + 1) % members.length;
      const text = `${m.nick}→${members[to].nick} #${k}`;
      m.client.sendPrivate(members[to].nick, text);
      sentTexts.push({ to, text });
      sent++;
    });
    k++;
  }, req.everyMs);
  process.send?.({ type: 'ready', onRelay: Array.from({ length: n }, (_, r) => members.filter((m) => m.first === r).length) });
}

async function killed(req: Extract<Req, { type: 'killed' }>): Promise<void> {
  const victims = members.filter((m) => m.first === req.relay);
  const before = victims.map((m) => ({ session: session(m), nick: m.client.nick }));
  const deadline = Date.now() + 60_000;
  while (!victims.every((m) => m.registeredAt.some((t) => t >= req.at)) && Date.now() < deadline) await sleep(10);
  const moveMs = victims.map((m) => m.registeredAt.find((t) => t >= req.at)).filter((t): t is number => t !== undefined).map((t) => t - req.at);
  await sleep(2_000); // the conversation goes on after the move
  if (talk) clearInterval(talk);
  // Wait for stragglers (retransmissions), then count.
  const settle = Date.now() + 20_000;
  const missing = (): number => sentTexts.filter((s) => !members[s.to].received.has(s.text)).length;
  while (missing() > 0 && Date.now() < settle) await sleep(100);
  let duplicates = 0;
  for (const m of members) for (const c of m.received.values()) if (c > 1) duplicates += c - 1;
  process.send?.({
    type: 'result',
    moveMs,
    unmoved: victims.length - moveMs.length,
    sent,
    delivered: sent - missing(),
    lost: missing(),
    duplicates,
    failed: members.reduce((a, m) => a + m.failed, 0),
    sessionKept: victims.every((m, i) => session(m) === before[i].session),
    nickKept: victims.every((m, i) => m.client.nick === before[i].nick),
    movedOff: victims.every((m) => relayPort(m) !== undefined),
  });
  await Promise.all(members.map((m) => m.client.leave().catch(() => undefined)));
  process.exit(0);
}

process.on('message', (req: Req) => {
  const run = req.type === 'start' ? start(req) : killed(req);
  run.catch((err: unknown) => {
    process.send?.({ type: 'error', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  });
});
process.send?.({ type: 'hello' });
