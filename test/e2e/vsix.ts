/**
 * The packaged extension for the end-to-end suites: `npm run package` in a private copy of the
 * package inputs (node_modules linked), so that other builds of the shared dist/ running at the
 * same time can neither change files under vsce while it zips them nor truncate the .vsix a test
 * installs. PEERCHAT_E2E_VSIX=path uses a ready-made one instead.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Repository root (this file lives in test/e2e/); kept here so that harness.ts can re-export this module. */
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** What `npm run package` reads: the sources, the build script and what the .vsix ships besides dist/. */
export const PACKAGE_INPUTS = ['src', 'webview', 'media', 'package.json', 'package-lock.json', 'esbuild.mjs', 'tsconfig.json', '.vscodeignore', 'README.md', 'LICENSE', 'CHANGELOG.md'];

/** True when `file` ends with a ZIP end-of-central-directory record (a complete .vsix). */
export function looksLikeCompleteZip(file: string): boolean {
  const buf = fs.readFileSync(file);
  const tail = buf.subarray(Math.max(0, buf.length - 65_557));
  return buf.length > 22 && tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06])) >= 0;
}

/** Builds dist/peerchat.vsix in a fresh folder under `stageRoot` (two attempts); returns its path. */
export function buildVsix(stageRoot: string, log: (line: string) => void = () => undefined): string {
  if (process.env.PEERCHAT_E2E_VSIX) return path.resolve(process.env.PEERCHAT_E2E_VSIX);
  let lastErr: unknown;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const stage = fs.mkdtempSync(path.join(stageRoot, 'package-'));
    for (const input of PACKAGE_INPUTS) {
      const from = path.join(REPO_ROOT, input);
      if (fs.existsSync(from)) fs.cpSync(from, path.join(stage, input), { recursive: true });
    }
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
    const t = Date.now();
    try {
      execFileSync('npm', ['run', 'package'], { cwd: stage, stdio: ['ignore', 'pipe', 'pipe'], timeout: 5 * 60_000, encoding: 'utf8' });
      const vsix = path.join(stage, 'dist', 'peerchat.vsix');
      if (!fs.existsSync(vsix) || !looksLikeCompleteZip(vsix)) throw new Error(`npm run package did not leave a complete ${vsix}`);
      log(`npm run package: ${(fs.statSync(vsix).size / 1024).toFixed(0)} KB in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      return vsix;
    } catch (err) {
      const e = err as { message?: string; stdout?: string; stderr?: string };
      lastErr = new Error(`npm run package failed (attempt ${attempt}): ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
      log(String(lastErr).slice(0, 2000));
    }
  }
  throw lastErr;
}
