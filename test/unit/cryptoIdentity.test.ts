import { strict as assert } from 'node:assert';
import { createHash, diffieHellman } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  deserializeIdentity,
  fingerprint,
  generateIdentity,
  IdentityError,
  loadOrCreateIdentityFile,
  publicKeyFromRaw,
  publishIdentityFile,
  rawPublicKey,
  serializeIdentity,
  signData,
  signDhBinding,
  stageIdentityFile,
  verifyDhBinding,
  verifySignature,
} from '../../src/crypto/identity';
import { runSimultaneously } from '../support/simultaneous';

const posix = process.platform !== 'win32';

function sameIdentity(a: ReturnType<typeof generateIdentity>, b: ReturnType<typeof generateIdentity>): void {
  assert.deepEqual(a.signPublic, b.signPublic);
  assert.deepEqual(a.dhPublic, b.dhPublic);
  const data = Buffer.from('same keys?');
  assert.ok(verifySignature(a.signPublic, data, signData(b, data)), 'same signing key');
  assert.deepEqual(rawPublicKey(b.dhPrivate), a.dhPublic);
}

describe('crypto/identity', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peerchat-identity-'));
  });
  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('generates 32-byte raw public keys that match the private keys', () => {
    const id = generateIdentity();
    assert.equal(id.signPublic.length, 32);
    assert.equal(id.dhPublic.length, 32);
    assert.equal(id.signPrivate.asymmetricKeyType, 'ed25519');
    assert.equal(id.dhPrivate.asymmetricKeyType, 'x25519');
    const other = generateIdentity();
    const ab = diffieHellman({ privateKey: id.dhPrivate, publicKey: publicKeyFromRaw('x25519', other.dhPublic) });
    const ba = diffieHellman({ privateKey: other.dhPrivate, publicKey: publicKeyFromRaw('x25519', id.dhPublic) });
    assert.deepEqual(ab, ba);
  });

  it('serialises to versioned JSON and back', () => {
    const id = generateIdentity();
    const text = serializeIdentity(id);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    assert.equal(parsed.version, 1);
    assert.equal(typeof parsed.signPrivate, 'string');
    assert.equal(typeof parsed.dhPrivate, 'string');
    sameIdentity(id, deserializeIdentity(text));
  });

  it('rejects bad identity strings with a clear IdentityError', () => {
    const good = JSON.parse(serializeIdentity(generateIdentity())) as Record<string, unknown>;
    const cases: Array<[string, RegExp]> = [
      ['not json', /not valid JSON/],
      ['[]', /JSON object/],
      [JSON.stringify({ ...good, version: 2 }), /unsupported version 2/],
      [JSON.stringify({ ...good, signPrivate: 42 }), /signPrivate.*base64/],
      [JSON.stringify({ ...good, dhPrivate: 'AAAA' }), /dhPrivate.*PKCS #8/],
      [JSON.stringify({ ...good, dhPrivate: good.signPrivate }), /dhPrivate.*ed25519.*expected x25519/],
    ];
    for (const [input, message] of cases) {
      assert.throws(
        () => deserializeIdentity(input),
        (e: unknown) => e instanceof IdentityError && e.code === 'IDENTITY_INVALID' && message.test(e.message),
        input,
      );
    }
  });

  it('fingerprint is the first 10 bytes of SHA-256 as 5 groups of 4 hex digits', () => {
    const id = generateIdentity();
    const fp = fingerprint(id.signPublic);
    assert.match(fp, /^[0-9a-f]{4}( [0-9a-f]{4}){4}$/);
    const hex = createHash('sha256').update(id.signPublic).digest('hex').slice(0, 20);
    assert.equal(fp.replaceAll(' ', ''), hex);
    assert.notEqual(fingerprint(generateIdentity().signPublic), fp);
    assert.throws(() => fingerprint(Buffer.alloc(31)), RangeError);
  });

  it('signs and verifies; verification is false (never throws) on anything wrong', () => {
    const id = generateIdentity();
    const data = Buffer.from('register alice');
    const sig = signData(id, data);
    assert.equal(sig.length, 64);
    assert.equal(verifySignature(id.signPublic, data, sig), true);
    assert.equal(verifySignature(id.signPublic, Buffer.from('register mallory'), sig), false);
    assert.equal(verifySignature(generateIdentity().signPublic, data, sig), false);
    assert.equal(verifySignature(id.signPublic.subarray(1), data, sig), false);
    assert.equal(verifySignature(id.signPublic, data, sig.subarray(1)), false);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.nat(), (key, s, bit) => {
        assert.equal(verifySignature(Buffer.from(key), data, Buffer.from(s)), false);
        const flipped = Buffer.from(sig);
        flipped[bit % 64]! ^= 1 << (bit % 8);
        assert.equal(verifySignature(id.signPublic, data, flipped), false);
      }),
      { numRuns: 200 },
    );
  });

  it('binds the DH key to the signing key', () => {
    const id = generateIdentity();
    const binding = signDhBinding(id);
    assert.ok(verifyDhBinding(id.signPublic, id.dhPublic, binding), 'the genuine binding verifies');
    assert.ok(!verifyDhBinding(id.signPublic, generateIdentity().dhPublic, binding), 'a swapped DH key is caught');
    assert.ok(!verifyDhBinding(id.signPublic, id.dhPublic, signData(id, id.dhPublic)), 'domain separated');
  });

  it('caches public KeyObjects by key bytes', () => {
    const id = generateIdentity();
    assert.equal(publicKeyFromRaw('ed25519', id.signPublic), publicKeyFromRaw('ed25519', Buffer.from(id.signPublic)));
    assert.throws(() => publicKeyFromRaw('x25519', Buffer.alloc(33)), RangeError);
  });

  describe('identity file', () => {
    it('creates missing directories 0700 and the file 0600, then loads the same identity', function () {
      const file = path.join(tmp, 'a', 'b', 'identity.json');
      const created = loadOrCreateIdentityFile(file);
      if (posix) {
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
        assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
        assert.equal(fs.statSync(path.join(tmp, 'a')).mode & 0o777, 0o700, 'every directory it made');
      }
      assert.deepEqual(fs.readdirSync(path.dirname(file)), ['identity.json'], 'no temporary file left');
      sameIdentity(created, loadOrCreateIdentityFile(file));
      sameIdentity(created, deserializeIdentity(fs.readFileSync(file, 'utf8')));
    });

    it('does not change the mode of a directory that already exists', function () {
      if (!posix) this.skip();
      fs.chmodSync(tmp, 0o755);
      loadOrCreateIdentityFile(path.join(tmp, 'identity.json'));
      assert.equal(fs.statSync(tmp).mode & 0o777, 0o755);
    });

    it('refuses a group- or world-readable file with a code and a fix', function () {
      if (!posix) this.skip();
      const file = path.join(tmp, 'identity.json');
      loadOrCreateIdentityFile(file);
      for (const mode of [0o640, 0o604, 0o644, 0o660]) {
        fs.chmodSync(file, mode);
        assert.throws(
          () => loadOrCreateIdentityFile(file),
          (e: unknown) => e instanceof IdentityError && e.code === 'IDENTITY_FILE_INSECURE' && e.message.includes(`chmod 600 ${file}`),
        );
      }
      fs.chmodSync(file, 0o400);
      assert.doesNotThrow(() => loadOrCreateIdentityFile(file), 'owner read-only is fine');
    });

    it('refuses a corrupt file without overwriting it', () => {
      const file = path.join(tmp, 'identity.json');
      fs.writeFileSync(file, '{"version":1,"signPrivate":"x"}', { mode: 0o600 });
      assert.throws(
        () => loadOrCreateIdentityFile(file),
        (e: unknown) => e instanceof IdentityError && e.code === 'IDENTITY_INVALID' && e.message.includes(file),
      );
      assert.equal(fs.readFileSync(file, 'utf8'), '{"version":1,"signPrivate":"x"}');
    });

    it('two creations racing for one path end with the same identity, the first published one', function () {
      const file = path.join(tmp, 'nick', 'identity.json');
      // Both find no file and make a key; the second publishes first; the first must not replace it.
      const slow = stageIdentityFile(file);
      const fast = stageIdentityFile(file);
      const winner = publishIdentityFile(fast);
      const loser = publishIdentityFile(slow);
      sameIdentity(winner, fast.identity);
      sameIdentity(loser, fast.identity);
      sameIdentity(loadOrCreateIdentityFile(file), fast.identity);
      assert.deepEqual(fs.readdirSync(path.dirname(file)), ['identity.json'], 'both temporary files removed');
      if (posix) assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    });

    it('processes started at the same instant all end with one identity', async function () {
      this.timeout(30_000);
      const file = path.join(tmp, 'identity.json');
      const setup = `const { loadOrCreateIdentityFile } = require(${JSON.stringify(path.resolve(__dirname, '..', '..', 'src', 'crypto', 'identity.ts'))});`;
      const body = `
        const id = loadOrCreateIdentityFile(${JSON.stringify(file)});
        process.stdout.write(id.signPublic.toString('hex') + ' ' + id.dhPublic.toString('hex') + '\\n');`;
      const CHILDREN = 4;
      const printed = await runSimultaneously(setup, Array.from({ length: CHILDREN }, () => body));
      const keys = new Set(printed.map((lines) => lines[0]));
      assert.equal(keys.size, 1, `every process uses the same keys: ${[...keys].join(', ')}`);
      const onDisk = loadOrCreateIdentityFile(file);
      assert.equal([...keys][0], `${onDisk.signPublic.toString('hex')} ${onDisk.dhPublic.toString('hex')}`);
      assert.deepEqual(fs.readdirSync(tmp), ['identity.json'], 'no temporary file left');
    });

    it('refuses a directory in place of the file', () => {
      const file = path.join(tmp, 'identity.json');
      fs.mkdirSync(file);
      assert.throws(() => loadOrCreateIdentityFile(file), (e: unknown) => e instanceof IdentityError && e.code === 'IDENTITY_FILE_NOT_REGULAR');
    });
  });
});
