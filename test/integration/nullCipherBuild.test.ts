import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import * as aead from '../../src/crypto/aead';
import { NULL_CIPHER_MARKER } from '../../src/crypto/benchNullCipher';

/**
 * The product never runs without encryption. The transfer benchmark measures what encryption
 * costs with its own bundle in which `__PEERCHAT_BENCH_NULL_CIPHER__` is true (src/crypto/
 * benchNullCipher.ts); every product bundle must define it false so that the null path is dead
 * code and dropped. Reads the bundles `npm run build` made (npm test builds first), and checks
 * that the bench build differs from the real one in the cipher only.
 */
describe('the benchmark null cipher stays out of the product', function () {
  this.timeout(60_000);
  const ROOT = path.resolve(__dirname, '..', '..');
  const DEFINE = '__PEERCHAT_BENCH_NULL_CIPHER__';

  /** Bundles src/crypto/aead.ts alone with the given defines; resolves the code. */
  async function bundleAead(define: Record<string, string>): Promise<string> {
    const r = await build({
      entryPoints: [path.join(ROOT, 'src', 'crypto', 'aead.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      logLevel: 'silent',
      define,
    });
    return r.outputFiles[0].text;
  }

  it('the marker is what the null branch brings in, and defining the switch false drops it', async () => {
    // Without this, an absent marker in dist/ would prove nothing.
    assert.ok((await bundleAead({ [DEFINE]: 'true' })).includes(NULL_CIPHER_MARKER), 'bench define: the null cipher is bundled');
    const product = await bundleAead({ [DEFINE]: 'false' });
    assert.ok(!product.includes(NULL_CIPHER_MARKER), 'define false: the null cipher is left out');
    assert.ok(product.includes('chacha20-poly1305'));
  });

  it('the bench build changes the cipher only: same checks, same layout, zero tag', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'peerchat-nullcipher-')), 'aead.js');
    const stderrWrite = process.stderr.write;
    writeFileSync(file, await bundleAead({ [DEFINE]: 'true' }));
    const bench = require(file) as typeof aead;
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const header = randomBytes(24);
    const plain = randomBytes(1160);
    const real = Buffer.alloc(24 + plain.length + aead.AEAD_TAG_BYTES);
    const fake = Buffer.alloc(real.length);
    header.copy(real);
    header.copy(fake);
    new aead.PacketSealer(key, iv).seal(7, real.subarray(0, 24), plain, real, 24);
    const sealer = new bench.PacketSealer(key, iv);
    process.stderr.write = () => true; // the null build announces itself once
    try {
      assert.equal(sealer.seal(7, fake.subarray(0, 24), plain, fake, 24).length, plain.length + aead.AEAD_TAG_BYTES);
    } finally {
      process.stderr.write = stderrWrite;
    }
    assert.equal(fake.length, real.length);
    assert.deepEqual(fake.subarray(0, 24), header, 'the header is left alone');
    assert.deepEqual(fake.subarray(24, 24 + plain.length), plain, 'no cipher');
    assert.deepEqual(fake.subarray(24 + plain.length), Buffer.alloc(aead.AEAD_TAG_BYTES), 'the tag space is there, zeros');
    assert.throws(() => sealer.seal(7, fake.subarray(0, 24), plain), RangeError, 'packet numbers are still checked');
    const opener = new bench.PacketOpener(key, iv);
    assert.deepEqual(opener.open(7, fake.subarray(0, 24), fake.subarray(24)), plain);
    assert.equal(opener.open(7, real.subarray(0, 24), real.subarray(24)), null, 'a real packet does not open in a null build');
    assert.equal(new aead.PacketOpener(key, iv).open(7, fake.subarray(0, 24), fake.subarray(24)), null, 'nor a null packet in a real one');
  });

  // The extension's chat client runs in dist/clientHost.js (its own process): that bundle seals;
  // extension.js may then hold no cipher at all, but never the null one.
  for (const file of ['cli.js', 'clientHost.js', 'extension.js', 'relay.js']) {
    it(`dist/${file} contains no null-cipher path`, () => {
      const p = path.join(ROOT, 'dist', file);
      assert.ok(existsSync(p), `${p} is missing: run npm run build first`);
      const code = readFileSync(p, 'utf8');
      assert.ok(!code.includes(NULL_CIPHER_MARKER), `${file} contains the benchmark's null cipher`);
      assert.ok(!code.includes(DEFINE), `${file} was built without ${DEFINE} defined false (esbuild.mjs), so the switch is live`);
      if (file === 'cli.js' || file === 'clientHost.js') assert.ok(code.includes('chacha20-poly1305'), `${file} seals with ChaCha20-Poly1305`);
    });
  }
});
