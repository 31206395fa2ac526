/**
 * Which of a relay's addresses answers from here. An invitation names every LAN address of the
 * relay's machine (Ethernet, Wi-Fi, a VPN…) and only some are reachable from a given teammate;
 * the clients probe them all at once with HELLO (the relay answers COOKIE and keeps no state,
 * docs/protocol.md "Registration") and join the first that answers, preferring the order given.
 */
import * as dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Kind } from '../protocol/header';
import { decodeRelayMessage, encodeRelayMessage, HELLO_TOKEN_BYTES } from '../protocol/relayMessages';
import type { RelayEndpoint } from '../shared/invitation';

/** How long to wait for any answer (ms): a LAN answers in milliseconds; a lost HELLO is resent. */
export const RELAY_PROBE_TIMEOUT_MS = 2_500;
/** HELLO is resent this often (ms) until an answer or the timeout. */
const PROBE_RESEND_MS = 300;
/**
 * After the first answer, how long an address listed earlier may still answer and win (ms): the
 * inviter listed the likeliest first, and a few milliseconds cost nothing.
 */
const PREFER_EARLIER_MS = 50;

/** The first of `endpoints` whose relay answers HELLO (earlier ones preferred), or undefined. */
export async function firstAnsweringRelay(given: readonly RelayEndpoint[], timeoutMs = RELAY_PROBE_TIMEOUT_MS): Promise<RelayEndpoint | undefined> {
  // Host names are looked up once (answers come from an address); one that does not resolve is left out.
  const resolved = await Promise.all(
    given.map(async (e) => (isIP(e.host) ? e : await lookup(e.host).then((a) => ({ host: a.address, port: e.port }), () => undefined))),
  );
  const endpoints = resolved.filter((e): e is RelayEndpoint => e !== undefined);
  if (endpoints.length === 0) return undefined;
  const winner = await probe(endpoints, timeoutMs);
  return winner === undefined ? undefined : given[resolved.indexOf(winner)];
}

function probe(endpoints: readonly RelayEndpoint[], timeoutMs: number): Promise<RelayEndpoint | undefined> {
  return new Promise((resolve) => {
    const sockets: dgram.Socket[] = [];
    const token = randomBytes(HELLO_TOKEN_BYTES);
    const hello = encodeRelayMessage({ kind: Kind.HELLO, token });
    let best = -1;
    let done = false;
    let grace: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearInterval(resend);
      clearTimeout(timer);
      if (grace) clearTimeout(grace);
      for (const s of sockets) s.close();
      resolve(best >= 0 ? endpoints[best] : undefined);
    };
    const socketFor = (family: 'udp4' | 'udp6'): dgram.Socket => {
      const existing = sockets.find((s) => (s as dgram.Socket & { family?: string }).family === family);
      if (existing) return existing;
      const s = Object.assign(dgram.createSocket(family), { family });
      s.on('error', () => undefined); // an unreachable address: ICMP errors, nothing to do
      s.on('message', (buf, rinfo) => {
        const i = endpoints.findIndex((e) => sameHost(e.host, rinfo.address) && e.port === rinfo.port);
        if (i < 0) return;
        const m = decodeRelayMessage(buf);
        if (!m.ok || m.msg.kind !== Kind.COOKIE || !m.msg.token.equals(token)) return;
        if (best < 0 || i < best) best = i;
        if (best === 0) finish();
        else grace ??= setTimeout(finish, PREFER_EARLIER_MS);
      });
      sockets.push(s);
      return s;
    };
    const send = (): void => {
      for (const e of endpoints) {
        const s = socketFor(isIP(e.host) === 6 ? 'udp6' : 'udp4');
        s.send(hello, e.port, e.host, () => undefined);
      }
    };
    const resend = setInterval(send, PROBE_RESEND_MS);
    const timer = setTimeout(finish, timeoutMs);
    send();
  });
}

function sameHost(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase() || `::ffff:${a}` === b;
}
