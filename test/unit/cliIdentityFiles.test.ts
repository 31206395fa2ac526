/**
 * The terminal client's default identity: one key file per nickname in the config folder, the
 * key file of earlier versions adopted by exactly one nickname, --identity as before.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { parseArgs } from '../../src/cli/args';
import {
  adoptLegacyIdentity,
  explicitIdentityFiles,
  installIdentity,
  legacyIdentityFiles,
  loadNicknameIdentity,
  nicknameFolder,
  nicknameIdentityFiles,
} from '../../src/client/identityFiles';
import { PinFile } from '../../src/client/pinFile';
import { identityFingerprint } from '../../src/client/fingerprints';
import { generateIdentity, IdentityError, serializeIdentity, type Identity } from '../../src/crypto/identity';
import { NICK_MAX_BYTES } from '../../src/protocol/limits';
import { checkNickname, nicknameKey } from '../../src/protocol/nickname';
import { runSimultaneously } from '../support/simultaneous';

const REPO = path.resolve(__dirname, '..', '..');
const posix = process.platform !== 'win32';
const keyHex = (id: Identity) => id.signPublic.toString('hex');

/** A single path component: no separator, not "." or "..", not hidden, only [a-z0-9_.-] and %XX. */
function assertSafeFolder(folder: string): void {
  assert.match(folder, /^(?:[a-z0-9_.-]|%[0-9A-F]{2})+$/);
  assert.ok(folder !== '.' && folder !== '..' && !folder.startsWith('.') && !folder.endsWith('.'), folder);
  assert.equal(path.basename(folder), folder);
  assert.ok(folder.length <= 255);
}

describe('cli/identityFiles', () => {
  let tmp: string;
  let configDir: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peerchat-idfiles-'));
    configDir = path.join(tmp, 'config', 'peerchat');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** A key file as an earlier version left it: <configDir>/identity.json, pins beside it. */
  function writeLegacy(pins?: Record<string, string>): Identity {
    const id = generateIdentity();
    fs.mkdirSync(configDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(configDir, 'identity.json'), serializeIdentity(id), { mode: 0o600 });
    if (pins) fs.writeFileSync(path.join(configDir, 'pins.json'), JSON.stringify(pins), { mode: 0o600 });
    return id;
  }

  describe('folder per nickname', () => {
    it('one folder per nickname as the relay compares them (case, compatibility forms)', () => {
      assert.equal(nicknameFolder('alice'), 'alice');
      assert.equal(nicknameFolder('Alice'), 'alice');
      assert.equal(nicknameFolder('ALICE'), 'alice');
      assert.equal(nicknameFolder('Ünal'), nicknameFolder('ünal'));
      assert.equal(nicknameFolder('e\u0301'), nicknameFolder('\u00e9'), 'decomposed and composed é');
      assert.equal(nicknameFolder('ｂｏｂ'), 'bob', 'full-width letters are the same nickname');
      assert.equal(nicknameFolder('Bob_the-2nd.x'), 'bob_the-2nd.x');
      assert.equal(nicknameFolder('Ünal'), '%C3%BCnal');
      assert.notEqual(nicknameFolder('alice'), nicknameFolder('bob'));
    });

    it('hostile-looking input stays one safe folder name', () => {
      const cases: Array<[string, string]> = [
        ['.', '%2E'],
        ['..', '%2E%2E'],
        ['...', '%2E.%2E'],
        ['../etc', '%2E.%2Fetc'],
        ['a/b', 'a%2Fb'],
        ['a\\b', 'a%5Cb'],
        ['.hidden', '%2Ehidden'],
        ['trailing.', 'trailing%2E'],
        ['%41', '%2541'],
        ['a b', 'a%20b'],
        ['nul\u0000', 'nul%00'],
        ['CON', '%63on'],
        ['con.txt', '%63on.txt'],
        ['Lpt1', '%6Cpt1'],
        ['console', 'console'],
      ];
      for (const [nick, folder] of cases) {
        assert.equal(nicknameFolder(nick), folder, nick);
        assertSafeFolder(folder);
      }
      assert.throws(() => nicknameFolder(''), RangeError);
      assert.throws(() => nicknameFolder('x'.repeat(256)), RangeError);
      assertSafeFolder(nicknameFolder('한'.repeat(21))); // a valid nickname of 63 UTF-8 bytes
    });

    it('any string: a safe folder that decodes to the nickname key (so keys never share one)', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (nick) => {
          let folder: string;
          try {
            folder = nicknameFolder(nick);
          } catch (error) {
            // Only for what no valid nickname is: empty, or more UTF-8 bytes than a nickname has.
            assert.ok(error instanceof RangeError);
            assert.equal(checkNickname(nick).ok, false, nick);
            const key = nicknameKey(nick);
            assert.ok(key === '' || Buffer.byteLength(key, 'utf8') > NICK_MAX_BYTES, nick);
            return;
          }
          assertSafeFolder(folder);
          assert.equal(decodeURIComponent(folder), nicknameKey(nick));
        }),
        { numRuns: 500 },
      );
    });

    it('default files: <configDir>/identities/<folder>/identity.json, pins beside it', () => {
      assert.deepEqual(nicknameIdentityFiles(configDir, 'Alice'), {
        identityPath: path.join(configDir, 'identities', 'alice', 'identity.json'),
        pinsPath: path.join(configDir, 'identities', 'alice', 'pins.json'),
      });
    });
  });

  describe('options', () => {
    const saved = { XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
    afterEach(() => {
      if (saved.XDG_CONFIG_HOME === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = saved.XDG_CONFIG_HOME;
    });

    it('without --identity: no key file chosen, the config folder from XDG_CONFIG_HOME', () => {
      process.env.XDG_CONFIG_HOME = path.join(tmp, 'xdg');
      const o = parseArgs(['--nick', 'alice']);
      assert.equal(o.identityPath, undefined);
      assert.equal(o.configDir, path.join(tmp, 'xdg', 'peerchat'));
    });

    it('--identity FILE is that file, pins.json beside it, whatever the nickname', () => {
      const o = parseArgs(['--identity', path.join(tmp, 'keys', 'me.json'), '--nick', 'alice']);
      assert.equal(o.identityPath, path.join(tmp, 'keys', 'me.json'));
      assert.deepEqual(explicitIdentityFiles(o.identityPath!), {
        identityPath: path.join(tmp, 'keys', 'me.json'),
        pinsPath: path.join(tmp, 'keys', 'pins.json'),
      });
      assert.equal(parseArgs(['--identity=rel.json']).identityPath, path.resolve('rel.json'));
    });
  });

  describe('loading and the key file of earlier versions', () => {
    const load = (nick: string, log?: (level: string, m: string) => void) =>
      loadNicknameIdentity(nicknameIdentityFiles(configDir, nick), legacyIdentityFiles(configDir), log);

    it('creates one key per nickname (0600 in 0700 folders) and loads it again', () => {
      const alice = load('alice');
      const bob = load('bob');
      assert.notEqual(keyHex(alice), keyHex(bob));
      assert.equal(keyHex(load('Alice')), keyHex(alice));
      assert.equal(fs.existsSync(path.join(configDir, 'identity.json')), false, 'no shared key file');
      if (posix) {
        const file = nicknameIdentityFiles(configDir, 'alice').identityPath;
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
        assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
        assert.equal(fs.statSync(path.join(configDir, 'identities')).mode & 0o777, 0o700);
      }
    });

    it('the first nickname adopts the earlier key file and a copy of its pins, exactly once', () => {
      const legacy = writeLegacy({ carol: 'cccc' });
      const logged: string[] = [];
      const alice = load('alice', (level, m) => logged.push(`${level} ${m}`));
      assert.equal(keyHex(alice), keyHex(legacy), 'alice keeps the fingerprint peers know');
      assert.equal(logged.length, 1);
      assert.match(logged[0]!, /^info .*identity\.json.*identities/);
      assert.deepEqual(fs.readdirSync(configDir).sort(), ['identities', 'pins.json'], 'moved, not copied');
      const aliceFiles = nicknameIdentityFiles(configDir, 'alice');
      assert.equal(new PinFile(aliceFiles.pinsPath).get('carol'), 'cccc');
      assert.equal(new PinFile(path.join(configDir, 'pins.json')).get('carol'), 'cccc', 'the old pins stay');
      if (posix) assert.equal(fs.statSync(aliceFiles.identityPath).mode & 0o777, 0o600);
      assert.deepEqual(fs.readdirSync(path.dirname(aliceFiles.identityPath)).sort(), ['identity.json', 'pins.json']);

      const bob = load('bob', (level, m) => logged.push(`${level} ${m}`));
      assert.notEqual(keyHex(bob), keyHex(legacy), 'the next nickname gets a key of its own');
      assert.equal(keyHex(load('alice')), keyHex(legacy));
      assert.equal(logged.length, 1, 'adopted once');
    });

    it('a nickname that already has a key leaves the earlier key file alone', () => {
      const alice = load('alice');
      const legacy = writeLegacy();
      assert.equal(keyHex(load('alice')), keyHex(alice));
      assert.equal(keyHex(load('bob')), keyHex(legacy), 'the next new nickname adopts it');
    });

    it('a key created for the nickname meanwhile wins, and the earlier key file is put back', () => {
      const legacy = writeLegacy();
      const files = nicknameIdentityFiles(configDir, 'alice');
      const created = load('alice'); // adopts it; make a second earlier file to race with
      assert.equal(keyHex(created), keyHex(legacy));
      const second = writeLegacy();
      assert.equal(adoptLegacyIdentity(files, legacyIdentityFiles(configDir)), false);
      assert.equal(keyHex(load('alice')), keyHex(legacy), "alice's key is not replaced");
      assert.equal(keyHex(load('bob')), keyHex(second), 'the earlier file went back for the next nickname');
      assert.deepEqual(fs.readdirSync(path.dirname(files.identityPath)).sort(), ['identity.json']);
      assert.deepEqual(fs.readdirSync(configDir).sort(), ['identities'], 'no claimed copy left behind');
    });

    it('an insecure key file for the nickname is refused, not replaced by the earlier one', function () {
      if (!posix) this.skip();
      load('alice');
      const file = nicknameIdentityFiles(configDir, 'alice').identityPath;
      fs.chmodSync(file, 0o644);
      writeLegacy();
      assert.throws(() => load('alice'), (e: unknown) => e instanceof IdentityError && e.code === 'IDENTITY_FILE_INSECURE');
      assert.ok(fs.existsSync(path.join(configDir, 'identity.json')));
    });

    it('clients with different nicknames starting at once: exactly one adopts the earlier key', async function () {
      this.timeout(30_000);
      const legacy = writeLegacy();
      const setup = `
        const f = require(${JSON.stringify(path.join(REPO, 'src', 'client', 'identityFiles.ts'))});
        const dir = ${JSON.stringify(configDir)};`;
      const body = (nick: string) => `
        const id = f.loadNicknameIdentity(f.nicknameIdentityFiles(dir, '${nick}'), f.legacyIdentityFiles(dir));
        process.stdout.write(id.signPublic.toString('hex') + '\\n');`;
      const nicks = ['alice', 'bob', 'carol', 'dave'];
      const printed = await runSimultaneously(setup, nicks.map(body));
      const keys = printed.map((lines) => lines[0]);
      assert.equal(keys.filter((k) => k === keyHex(legacy)).length, 1, `one adopter: ${keys.join(', ')}`);
      assert.equal(new Set(keys).size, nicks.length, 'everyone else has a key of their own');
      assert.equal(fs.existsSync(path.join(configDir, 'identity.json')), false);
    });

    it('clients with one nickname starting at once share one key, and the earlier key is never lost', async function () {
      this.timeout(30_000);
      const legacy = writeLegacy();
      const setup = `
        const f = require(${JSON.stringify(path.join(REPO, 'src', 'client', 'identityFiles.ts'))});
        const dir = ${JSON.stringify(configDir)};`;
      const body = `
        const id = f.loadNicknameIdentity(f.nicknameIdentityFiles(dir, 'alice'), f.legacyIdentityFiles(dir));
        process.stdout.write(id.signPublic.toString('hex') + '\\n');`;
      const printed = await runSimultaneously(setup, [body, body, body]);
      const keys = new Set(printed.map((lines) => lines[0]));
      assert.equal(keys.size, 1, 'two devices of one person');
      // Usually alice adopted it; if a device created alice's key first, it went back.
      const adopted = keys.has(keyHex(legacy));
      assert.equal(fs.existsSync(path.join(configDir, 'identity.json')), !adopted);
    });
  });
});

describe('client/identityFiles installIdentity (the extension’s identity for the terminal)', () => {
  let configDir: string;
  beforeEach(() => {
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerchat-install-'));
  });
  afterEach(() => fs.rmSync(configDir, { recursive: true, force: true }));

  it('installs an identity where the terminal looks for the nickname, 0600, and says "same" the second time', () => {
    const id = generateIdentity();
    const files = nicknameIdentityFiles(configDir, 'Alice');
    assert.deepEqual(installIdentity(files, id), { kind: 'installed' });
    assert.equal(keyHex(loadNicknameIdentity(nicknameIdentityFiles(configDir, 'alice'), legacyIdentityFiles(configDir))), keyHex(id));
    if (posix) assert.equal(fs.statSync(files.identityPath).mode & 0o777, 0o600);
    assert.deepEqual(installIdentity(files, id), { kind: 'same' });
  });

  it('never replaces another key that is there: it names it instead', () => {
    const files = nicknameIdentityFiles(configDir, 'bob');
    const terminals = loadNicknameIdentity(files, legacyIdentityFiles(configDir)); // the terminal made its own
    const before = fs.readFileSync(files.identityPath, 'utf8');
    const r = installIdentity(files, generateIdentity());
    assert.equal(r.kind, 'other');
    assert.equal(r.kind === 'other' ? r.fingerprint : '', identityFingerprint(terminals));
    assert.equal(fs.readFileSync(files.identityPath, 'utf8'), before, 'untouched');
  });
});
