/** The setup shared by the suites that drive built terminal clients through a relay of their own. */
import { existsSync } from 'node:fs';
import { CLI_JS, CliProcess, RELAY_JS, startRelayProcess, type RelayProcess } from './cliProcess';

/**
 * Mocha hooks for a suite of terminal clients (dist/cli.js) on a relay (dist/relay.js) of their
 * own in each test; call inside a describe(). Fails early when dist/ is not built; starts a relay
 * before each test, kills the clients and the relay after it. `cli(nick)` starts a client on the
 * current test's relay; `relay()` is that relay.
 */
export function relayPerTest(): { relay: () => RelayProcess; cli: (nick: string, extra?: string[]) => CliProcess } {
  let relay: RelayProcess;
  const procs: CliProcess[] = [];

  before(function () {
    if (!existsSync(CLI_JS) || !existsSync(RELAY_JS)) throw new Error('run `npm run build` first (npm test does)');
  });
  beforeEach(async () => {
    relay = await startRelayProcess();
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) p.kill();
    relay.proc.kill('SIGTERM');
  });

  return {
    relay: () => relay,
    cli(nick: string, extra: string[] = []): CliProcess {
      const p = CliProcess.start(['--relay', `127.0.0.1:${relay.port}`, '--nick', nick, ...extra]);
      procs.push(p);
      return p;
    },
  };
}
