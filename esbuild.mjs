// One build script for every target (model: vscode-extension-samples esbuild-sample).
//   node esbuild.mjs               development build (sourcemaps)
//   node esbuild.mjs --production  minified, no sourcemaps (what `npm run package` ships)
//   node esbuild.mjs --watch       rebuild on change
// Type checking is separate: `tsc --noEmit` (npm run typecheck).
import * as esbuild from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
};

// The transfer benchmark's null cipher (src/crypto/benchNullCipher.ts) is dead code in every
// product bundle: only bench/lib/nullCipherBuild.mjs builds with this set to true.
const productDefines = { __PEERCHAT_BENCH_NULL_CIPHER__: 'false' };
const node = { ...common, platform: 'node', target: 'node20', format: 'cjs', define: productDefines };
const shebang = { js: '#!/usr/bin/env node' };

const targets = [
  // The relay and the terminal client: standalone Node programs (also the package's bins).
  { ...node, entryPoints: ['src/relay/main.ts'], outfile: 'dist/relay.js', banner: shebang },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: shebang },
  // The extension host side: Node, CommonJS, `vscode` provided by the host.
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  // The extension's chat client in a process of its own (forked by the extension host).
  { ...node, entryPoints: ['src/clientHost/main.ts'], outfile: 'dist/clientHost.js' },
  // The chat UI inside the webview: browser code, one IIFE.
  { ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js' },
];

async function copyAssets() {
  await mkdir('dist', { recursive: true });
  await copyFile('webview/styles.css', 'dist/webview.css');
}

if (watch) {
  for (const t of targets) (await esbuild.context(t)).watch();
  await copyAssets();
  console.log('watching…');
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
  await copyAssets();
}
