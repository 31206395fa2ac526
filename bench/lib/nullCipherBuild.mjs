// The transfer benchmark's own pair of terminal-client bundles for measuring what encryption
// costs: built from src/cli/main.ts with the same esbuild options, differing only in
// `__PEERCHAT_BENCH_NULL_CIPHER__` (src/crypto/benchNullCipher.ts). true: PacketSealer/PacketOpener
// skip ChaCha20-Poly1305 and keep everything else (header, packet numbers, nonce bookkeeping,
// 16 bytes of tag space, the same copies). false: what esbuild.mjs ships. The product has no
// switch for this; these bundles live in bench/.build/ (not committed) and nowhere else.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '..', '..');
const BUILD_DIR = path.join(REPO, 'bench', '.build');

export const NULL_CIPHER_DEFINE = '__PEERCHAT_BENCH_NULL_CIPHER__';
/** Printed once on stderr by a null-cipher client and present only in its bundle (NULL_CIPHER_MARKER in benchNullCipher.ts). */
export const NULL_CIPHER_MARKER = 'PEERCHAT-BENCH-NULL-CIPHER';

/** esbuild options shared by both variants (those of esbuild.mjs's node targets, development build). */
function options(entry, outfile, nullCipher) {
  return {
    entryPoints: [path.join(REPO, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'error',
    define: { [NULL_CIPHER_DEFINE]: nullCipher ? 'true' : 'false' },
  };
}

/**
 * Bundles `entry` (a path from the repository root) twice into bench/.build/: `<stem>-cipher.js`
 * (define false, as shipped) and `<stem>-null-cipher.js` (define true), and checks that the
 * marker is in the second and not in the first. Resolves { cipher, nullCipher } (file paths).
 */
export async function buildCipherPair(entry, stem) {
  const esbuild = await import('esbuild');
  const out = {
    cipher: path.join(BUILD_DIR, `${stem}-cipher.js`),
    nullCipher: path.join(BUILD_DIR, `${stem}-null-cipher.js`),
  };
  await esbuild.build(options(entry, out.cipher, false));
  await esbuild.build(options(entry, out.nullCipher, true));
  if (fs.readFileSync(out.cipher, 'utf8').includes(NULL_CIPHER_MARKER)) throw new Error(`${out.cipher}: the encrypted build contains the null cipher`);
  if (!fs.readFileSync(out.nullCipher, 'utf8').includes(NULL_CIPHER_MARKER)) {
    throw new Error(`${out.nullCipher}: no ${NULL_CIPHER_MARKER} in the null-cipher build (did the hook in src/crypto/aead.ts change?)`);
  }
  return out;
}

/** The terminal client, both ways. */
export function buildCliPair() {
  return buildCipherPair('src/cli/main.ts', 'cli');
}
