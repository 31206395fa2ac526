/**
 * The request/response helper between the extension host and its client process
 * (src/shared/rpc.ts), over an in-memory port pair: answers find their callers by id whatever
 * their order, errors cross with their code, a silent peer times out, a peer that goes away
 * rejects what it had not answered, and malformed messages are dropped.
 */
import * as assert from 'node:assert/strict';
import { PeerChatError } from '../../src/protocol/errors';
import { isRpcMessage, memoryPortPair, RpcEndpoint, type RpcMessage, type RpcPort } from '../../src/shared/rpc';

interface Server {
  methods: {
    echo(x: string): string;
    slow(ms: number, x: string): string;
    fail(code: 'UNKNOWN_PEER' | 'plain'): void;
    never(): void;
    count(): number;
  };
  events: { tick: { n: number } };
}
interface Caller {
  methods: { hello(name: string): string };
  events: { note: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rejection(p: Promise<unknown>): Promise<PeerChatError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof PeerChatError, `a PeerChatError, not ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

function pair(opts: { timeoutMs?: number } = {}) {
  const [a, b] = memoryPortPair();
  let calls = 0;
  const server = new RpcEndpoint<Server, Caller>(b, {
    echo: (x) => x,
    slow: async (ms, x) => {
      await sleep(ms);
      return x;
    },
    fail: (code) => {
      if (code === 'plain') throw new Error('disk on fire');
      throw new PeerChatError(code, 'No one called zed is online.');
    },
    never: () => new Promise<void>(() => undefined),
    count: () => ++calls,
  });
  const client = new RpcEndpoint<Caller, Server>(a, { hello: (name) => `hello ${name}` }, { peerName: 'the client process', ...opts });
  return { a, b, server, client };
}

describe('shared/rpc', () => {
  it('answers each call by its id, whatever order the answers come in', async () => {
    const { client } = pair();
    const results = await Promise.all([client.call('slow', 60, 'first'), client.call('slow', 5, 'second'), client.call('echo', 'third'), client.call('slow', 30, 'fourth')]);
    assert.deepEqual(results, ['first', 'second', 'third', 'fourth']);
    assert.equal(client.openCalls, 0);
  });

  it('carries calls and events both ways', async () => {
    const { client, server } = pair();
    const ticks: number[] = [];
    const notes: string[] = [];
    client.on('tick', ({ n }) => ticks.push(n));
    server.on('note', (s) => notes.push(s));
    server.emit('tick', { n: 1 });
    server.emit('tick', { n: 2 });
    client.emit('note', 'pinned');
    assert.equal(await server.call('hello', 'bob'), 'hello bob');
    await sleep(5);
    assert.deepEqual(ticks, [1, 2]);
    assert.deepEqual(notes, ['pinned']);
  });

  it('an error crosses as a PeerChatError with its code and message; anything else as INTERNAL', async () => {
    const { client } = pair();
    const coded = await rejection(client.call('fail', 'UNKNOWN_PEER'));
    assert.equal(coded.code, 'UNKNOWN_PEER');
    assert.equal(coded.message, 'No one called zed is online.');
    const plain = await rejection(client.call('fail', 'plain'));
    assert.equal(plain.code, 'INTERNAL');
    assert.equal(plain.message, 'disk on fire');
    const unknown = await rejection((client as unknown as RpcEndpoint<Caller, { methods: { nope(): void }; events: Record<string, never> }>).call('nope'));
    assert.equal(unknown.code, 'INTERNAL');
    assert.match(unknown.message, /Unknown method "nope"/);
    // The endpoint still works after errors.
    assert.equal(await client.call('echo', 'still here'), 'still here');
  });

  it('a call with no answer within its limit is rejected, and its late answer is ignored', async () => {
    const { client } = pair({ timeoutMs: 50 });
    const t0 = Date.now();
    const err = await rejection(client.call('never'));
    assert.equal(err.code, 'INTERNAL');
    assert.match(err.message, /^The client process did not answer "never" within 0\.05 s\.$/);
    assert.ok(Date.now() - t0 >= 45);
    // A slow answer past its own limit: rejected, then the answer arrives and changes nothing.
    const late = await rejection(client.callWithin(20, 'slow', 80, 'late'));
    assert.match(late.message, /did not answer "slow"/);
    await sleep(100);
    assert.equal(client.openCalls, 0);
    // callWithin(0): as long as it takes.
    assert.equal(await client.callWithin(0, 'slow', 120, 'patient'), 'patient');
  });

  it('when the other side goes away mid-call, every open call is rejected and later calls fail at once', async () => {
    const { a, client } = pair();
    const open = [client.call('never'), client.call('slow', 1_000, 'x')];
    await sleep(10);
    assert.equal(client.openCalls, 2);
    a.close();
    for (const p of open) {
      const err = await rejection(p);
      assert.equal(err.code, 'INTERNAL');
      assert.match(err.message, /^The client process exited before answering "(never|slow)"\.$/);
    }
    assert.equal(client.closed, true);
    const after = await rejection(client.call('echo', 'anyone?'));
    assert.match(after.message, /exited before answering "echo"/);
    client.emit('note', 'dropped, not thrown');
  });

  it('a port that throws on send closes the endpoint instead of throwing out of call()', async () => {
    const port: RpcPort = {
      send: () => {
        throw new Error('channel closed');
      },
      onMessage: () => undefined,
      onClose: () => undefined,
    };
    const client = new RpcEndpoint<Caller, Server>(port, { hello: (n) => n }, { peerName: 'the client process' });
    const err = await rejection(client.call('echo', 'x'));
    assert.match(err.message, /Could not reach the client process \(channel closed\)/);
    assert.equal(client.closed, true);
  });

  it('drops malformed messages and reports them, and answers nothing it was not asked', async () => {
    const seen: unknown[] = [];
    const sent: RpcMessage[] = [];
    let deliver: (m: unknown) => void = () => undefined;
    const port: RpcPort = { send: (m) => sent.push(m), onMessage: (l) => (deliver = l), onClose: () => undefined };
    const ep = new RpcEndpoint<Caller, Server>(port, { hello: (n) => `hi ${n}` }, { onMalformed: (m) => seen.push(m) });
    const bad = [null, 'text', { rpc: 'call', id: 'one', method: 'hello', args: [] }, { rpc: 'error', id: 1, code: 'NOT_A_CODE', message: 'x' }, { rpc: 'call', id: 2, method: 'hello' }, { rpc: 'nope' }];
    for (const m of bad) deliver(m);
    deliver({ rpc: 'result', id: 99, value: 'nobody asked' });
    deliver({ rpc: 'call', id: 7, method: 'hello', args: ['ann'] });
    await sleep(5);
    assert.equal(seen.length, bad.length);
    assert.deepEqual(sent, [{ rpc: 'result', id: 7, value: 'hi ann' }]);
    assert.equal(ep.openCalls, 0);
  });

  it('recognises exactly the four message shapes', () => {
    assert.ok(isRpcMessage({ rpc: 'call', id: 1, method: 'm', args: [] }));
    assert.ok(isRpcMessage({ rpc: 'result', id: 1 }));
    assert.ok(isRpcMessage({ rpc: 'error', id: 1, code: 'TIMEOUT', message: 'm' }));
    assert.ok(isRpcMessage({ rpc: 'event', name: 'e' }));
    assert.ok(!isRpcMessage({ rpc: 'result', id: 1.5 }));
    assert.ok(!isRpcMessage({ rpc: 'event' }));
  });
});
