import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { MAIN_THREAD_ARRAY_BUFFER_SWEEPING } from '../../src/shared/heapTuning';

/**
 * src/shared/heapTuning.ts: the relay and the terminal client sweep dead ArrayBuffers on the main
 * thread (halves the cost of a ChaCha20-Poly1305 seal + open at 1200 B, see that file). V8 takes
 * an unknown flag silently but for a line on stderr, so a misspelt or retired flag would turn
 * the setting into nothing: the first test catches that on the Node that runs the tests.
 */
describe('heap tuning of our own processes', function () {
  this.timeout(30_000);
  const ROOT = path.resolve(__dirname, '..', '..');

  function setFlagInChild(flag: string): string {
    const r = spawnSync(process.execPath, ['-e', `require('node:v8').setFlagsFromString(${JSON.stringify(flag)})`], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    return r.stderr;
  }

  it('this Node knows the flag (V8 complains about one it does not know)', () => {
    assert.match(setFlagInChild(`${MAIN_THREAD_ARRAY_BUFFER_SWEEPING}-misspelt`), /unrecognized flag/, 'the check can see an unknown flag');
    assert.equal(setFlagInChild(MAIN_THREAD_ARRAY_BUFFER_SWEEPING), '');
  });

  it('dist/relay.js and dist/cli.js set it; the extension (a shared host) does not', () => {
    // npm test builds dist/ before mocha runs.
    const bundle = (name: string): string => readFileSync(path.join(ROOT, 'dist', name), 'utf8');
    for (const name of ['relay.js', 'cli.js']) assert.ok(bundle(name).includes(MAIN_THREAD_ARRAY_BUFFER_SWEEPING), name);
    assert.ok(!bundle('extension.js').includes(MAIN_THREAD_ARRAY_BUFFER_SWEEPING), 'extension.js');
  });
});
