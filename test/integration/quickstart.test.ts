import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { identityFingerprint } from '../../src/client/fingerprints';
import { generateIdentity, serializeIdentity } from '../../src/crypto/identity';
import { CLI_JS, CliProcess, RELAY_JS, online, startRelayProcess } from '../support/cliProcess';

/**
 * The README's quick start as a newcomer types it: a relay, then `node dist/cli.js --nick alice`
 * and `--nick bob` in two terminals of one user: one HOME, no --identity.
 */
describe('quick start: two terminals, one HOME, default identity', function () {
  this.timeout(60_000);
  /** How long both clients must stay registered once, without re-registering (flapping). */
  const STEADY_MS = 5000;
  let relay: Awaited<ReturnType<typeof startRelayProcess>>;
  let home: string;
  const procs: CliProcess[] = [];

  before(function () {
    if (!existsSync(CLI_JS) || !existsSync(RELAY_JS)) throw new Error('run `npm run build` first (npm test does)');
  });
  beforeEach(async () => {
    relay = await startRelayProcess();
    home = mkdtempSync(path.join(os.tmpdir(), 'peerchat-home-'));
  });
  afterEach(() => {
    for (const p of procs.splice(0)) p.kill();
    relay.proc.kill('SIGTERM');
    rmSync(home, { recursive: true, force: true });
  });

  /** args.ts: $XDG_CONFIG_HOME/peerchat, else ~/.config/peerchat. Both point into the one HOME. */
  const configDir = () => path.join(home, '.config', 'peerchat');

  function terminal(nick: string): CliProcess {
    const p = CliProcess.start(['--relay', `127.0.0.1:${relay.port}`, '--nick', nick], {
      defaultIdentity: true,
      configDir: configDir(),
      env: { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') },
    });
    procs.push(p);
    return p;
  }

  const sees = online;

  it('alice and bob are two people who see each other and chat both ways, without flapping', async () => {
    const alice = terminal('alice');
    const bob = terminal('bob');
    const [ra, rb] = await Promise.all([alice.event('registered'), bob.event('registered')]);
    assert.equal(ra.nick, 'alice');
    assert.equal(rb.nick, 'bob');
    assert.notEqual(ra.fingerprint, rb.fingerprint, 'two nicknames, two keys');
    const steady = Date.now() + STEADY_MS;

    // Wait for each to know the other before typing (this test is about identities).
    await alice.waitFor(sees('bob'), 'bob online at alice');
    await bob.waitFor(sees('alice'), 'alice online at bob');
    alice.send('Hello everyone!');
    bob.send('@alice Hi Alice!');
    const atBob = await bob.event('message', (e) => e.text === 'Hello everyone!');
    assert.equal(atBob.from, 'alice');
    assert.equal(atBob.private, false);
    const atAlice = await alice.event('message', (e) => e.text === 'Hi Alice!');
    assert.equal(atAlice.from, 'bob');
    assert.equal(atAlice.private, true);

    await new Promise((r) => setTimeout(r, Math.max(0, steady - Date.now())));
    assert.equal(alice.all('registered').length, 1, `alice registered once: ${JSON.stringify(alice.events.slice(-10))}`);
    assert.equal(bob.all('registered').length, 1, `bob registered once: ${JSON.stringify(bob.events.slice(-10))}`);
    assert.deepEqual(alice.all('error'), []);
    assert.deepEqual(bob.all('error'), []);
    assert.deepEqual(readdirSync(path.join(configDir(), 'identities')).sort(), ['alice', 'bob'], 'one key file per nickname');
    assert.equal(existsSync(path.join(configDir(), 'identity.json')), false, 'no shared key file');
  });

  it('the key file of an earlier version is adopted by the first nickname only', async () => {
    const legacy = generateIdentity();
    mkdirSync(configDir(), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(configDir(), 'identity.json'), serializeIdentity(legacy), { mode: 0o600 });
    const alice = terminal('alice');
    const ra = await alice.event('registered');
    assert.equal(ra.fingerprint, identityFingerprint(legacy), 'alice keeps the fingerprint her peers pinned');
    assert.equal(existsSync(path.join(configDir(), 'identity.json')), false, 'moved to alice');
    assert.ok(existsSync(path.join(configDir(), 'identities', 'alice', 'identity.json')));

    const bob = terminal('bob');
    const rb = await bob.event('registered');
    assert.notEqual(rb.fingerprint, ra.fingerprint, 'bob gets a key of his own');
    await bob.waitFor(sees('alice'), 'alice online at bob');
    bob.send('@alice still you?');
    await alice.event('message', (e) => e.text === 'still you?' && e.from === 'bob');
    assert.equal(alice.all('registered').length, 1);
    assert.equal(bob.all('registered').length, 1);
  });
});
