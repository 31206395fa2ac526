/**
 * The terminal client's pins.json, shared by every process that uses one identity (its devices):
 * no process may drop another's pins.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PinFile } from '../../src/client/pinFile';
import { runSimultaneously } from '../support/simultaneous';

const REPO = path.resolve(__dirname, '..', '..');
const posix = process.platform !== 'win32';

describe('cli/pinFile', () => {
  let tmp: string;
  let file: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peerchat-pins-'));
    file = path.join(tmp, 'pins.json');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('keeps pins across restarts in a 0600 file, with no temporary file left', () => {
    new PinFile(file).set('bob', 'aaaa bbbb');
    assert.equal(new PinFile(file).get('bob'), 'aaaa bbbb');
    assert.equal(new PinFile(file).get('carol'), undefined);
    assert.deepEqual(fs.readdirSync(tmp), ['pins.json']);
    if (posix) assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });

  it('two processes with one identity keep each other\'s pins', () => {
    // Both open the file before either pins anyone, as two devices started together do.
    const laptop = new PinFile(file);
    const desktop = new PinFile(file);
    laptop.set('bob', 'bbbb');
    desktop.set('carol', 'cccc');
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { bob: 'bbbb', carol: 'cccc' });
    assert.equal(laptop.get('carol'), 'cccc', 'a pin made on the other device is seen');
    assert.equal(desktop.get('bob'), 'bbbb');
    desktop.set('bob', 'dddd'); // a trusted new key replaces the pin for both
    assert.equal(laptop.get('bob'), 'dddd');
  });

  it('processes pinning at the same time lose none of the pins', async function () {
    this.timeout(30_000);
    const PER_PROCESS = 40;
    const setup = `
      const { PinFile } = require(${JSON.stringify(path.join(REPO, 'src', 'client', 'pinFile.ts'))});
      const pins = new PinFile(${JSON.stringify(file)});`;
    const body = (name: string) => `for (let i = 0; i < ${PER_PROCESS}; i++) pins.set('${name}' + i, 'fp' + i);`;
    await runSimultaneously(setup, [body('a'), body('b')]);
    const pins = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    const expected = ['a', 'b'].flatMap((n) => Array.from({ length: PER_PROCESS }, (_, i) => `${n}${i}`)).sort();
    assert.deepEqual(Object.keys(pins).sort(), expected);
  });

  it('a lock left by a process that died while writing does not block pinning', () => {
    const lock = `${file}.lock`;
    fs.writeFileSync(lock, '');
    const minuteAgo = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, minuteAgo, minuteAgo);
    const started = Date.now();
    new PinFile(file).set('bob', 'bbbb');
    assert.ok(Date.now() - started < 1000, 'no wait for a stale lock');
    assert.equal(new PinFile(file).get('bob'), 'bbbb');
    assert.deepEqual(fs.readdirSync(tmp), ['pins.json']);
  });

  it('addMissing fills gaps but never replaces a pin made with this identity', () => {
    const pins = new PinFile(file);
    pins.set('bob', 'mine');
    pins.addMissing(new Map([['bob', 'legacy'], ['carol', 'legacy']]));
    assert.deepEqual(PinFile.read(file), new Map([['bob', 'mine'], ['carol', 'legacy']]));
  });

  it('a nickname key like __proto__ is data, and a corrupt or unwritable file does not stop pinning', () => {
    fs.writeFileSync(file, '{"__proto__": "pppp", "bob": 7}', { mode: 0o600 });
    const pins = new PinFile(file);
    assert.equal(pins.get('__proto__'), 'pppp');
    assert.equal(pins.get('bob'), undefined, 'a non-string value is no pin');
    fs.writeFileSync(file, 'not json');
    assert.doesNotThrow(() => pins.set('carol', 'cccc'));
    assert.equal(pins.get('carol'), 'cccc');
    const blocked = new PinFile(path.join(file, 'inside-a-file', 'pins.json')); // its folder cannot be made
    blocked.set('dave', 'dddd');
    assert.equal(blocked.get('dave'), 'dddd', 'kept in memory for this run');
  });
});
