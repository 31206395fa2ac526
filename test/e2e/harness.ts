/**
 * End-to-end harness: a real VS Code (code-server 4.100.3 = VS Code 1.100.3, installed
 * by setup.sh into a cache outside the repo) driven in Debian's Chromium via playwright-core.
 *
 * Typical mocha use (mocha's default 20 s timeout is far too short; see the timings in
 * the comments below):
 *
 *   let server: CodeServerHandle | undefined;
 *   let wb: Workbench | undefined;
 *   before(async function () {
 *     this.timeout(10 * 60_000);   // setup.sh on a fresh machine: ~2-5 min; cached: <1 s
 *     ensureE2eSetup();
 *     server = await startCodeServer({ vsixPath: 'dist/peerchat.vsix', workspaceDir });  // ~4-10 s
 *     wb = await openWorkbench(server);                                                  // ~10-20 s
 *   });
 *   after(async () => { await wb?.close(); await server?.stop(); });
 *   it('opens the panel', async function () {
 *     this.timeout(60_000);
 *     await runCommand(wb!.page, 'Peer Chat: Open');        // first command: 3-20 s (ext host start)
 *     const frame = await findFrame(wb!.page, '#composer');  // the webview's document
 *     await frame.locator('#composer').fill('hello');       // fill(), not Ctrl+A + type
 *     await screenshot(wb!.page, 'panel-open');
 *   });
 */
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';

/** Repository root (this file lives in test/e2e/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Cache root shared with setup.sh; code-server lives in its `code-server/` folder. */
export const E2E_CACHE = process.env.PEERCHAT_E2E_CACHE || path.join(os.homedir(), '.cache', 'peerchat-e2e');
/** The code-server launcher installed by setup.sh. */
export const CODE_SERVER_BIN = path.join(E2E_CACHE, 'code-server', 'node_modules', '.bin', 'code-server');
/** Debian's Chromium (playwright-core cannot download browsers here). */
export const CHROMIUM_PATH = process.env.PEERCHAT_E2E_CHROMIUM || '/usr/bin/chromium';
/** Where screenshots go (gitignored via `test-artifacts/`). */
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts', 'e2e');
/** Chromium flags needed as root on this closed-network machine. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

const SETUP_SCRIPT = path.join(__dirname, 'setup.sh');

let setupDone = false;

/** Runs test/e2e/setup.sh once per process (no-op in <1 s when already set up; ~2-5 min on a fresh machine). */
export function ensureE2eSetup(): void {
  if (setupDone) return;
  execFileSync('bash', [SETUP_SCRIPT], { stdio: 'inherit', env: { ...process.env, PEERCHAT_E2E_CACHE: E2E_CACHE } });
  if (!fs.existsSync(CODE_SERVER_BIN)) {
    throw new Error(`setup.sh finished but ${CODE_SERVER_BIN} does not exist`);
  }
  setupDone = true;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Asks the OS for a currently free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Options for {@link startCodeServer}. */
export interface CodeServerOptions {
  /** Folder VS Code opens as its workspace (must exist). */
  workspaceDir: string;
  /** A packaged extension to install before start (e.g. dist/peerchat.vsix). */
  vsixPath?: string;
  /** More packaged extensions to install. */
  vsixPaths?: string[];
  /** User settings merged over the harness defaults. */
  extraSettings?: Record<string, unknown>;
  /** `workbench.colorTheme`; default "Default Dark Modern". */
  theme?: string;
  /** Extra environment for code-server and so for the extension host. */
  env?: Record<string, string>;
  /** Extra code-server flags (e.g. `--enable-proposed-api`). */
  extraArgs?: string[];
  /** Label used in temp-dir names and error messages (handy with two instances). */
  name?: string;
  /** Keep the temp dir (user data, logs) after stop(); default false unless PEERCHAT_E2E_KEEP=1. */
  keepTmp?: boolean;
  /** How long to wait for HTTP to answer; default 90 s. */
  startTimeoutMs?: number;
  /**
   * Runs code-server (and so the extension host) through this command, e.g.
   * `['ip', 'netns', 'exec', NS]` to put it inside a network lab namespace
   * (test/support/netLab.ts); the command must exec the rest. Its HTTP port is then reachable
   * only inside that namespace: open it with a browser there too (WorkbenchOptions.chromiumPath,
   * chromiumInNamespace()).
   */
  prefix?: string[];
}

/** A running code-server. */
export interface CodeServerHandle {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  workspaceDir: string;
  /** Temp root holding userDataDir, extensionsDir, config.yaml and code-server.log. */
  tmpDir: string;
  userDataDir: string;
  extensionsDir: string;
  /** VS Code's own log folder (exthost, output channels, ...). */
  logsDir: string;
  pid: number;
  /** code-server's stdout+stderr so far (including vsix install output). */
  logs(): string;
  /** Concatenated contents of VS Code log files under logsDir whose path contains `nameContains` (e.g. "exthost"). */
  vscodeLogs(nameContains?: string): string;
  /** Kills the whole process group (server, extension host, their children) and removes tmpDir. */
  stop(): Promise<void>;
}

const liveGroups = new Set<number>();
process.once('exit', () => {
  // Last resort when a test forgets stop() (mocha --exit): never leave servers behind.
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

/** Environment for code-server: ours, minus variables that would tie it to an enclosing VS Code. */
function childEnv(extra?: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE' || k === 'PASSWORD' || k === 'HASHED_PASSWORD' || k === 'PORT') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Runs a command to completion, resolving with its combined output; rejects on non-zero exit. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(cmd)} ${args.join(' ')} exited with ${code ?? signal}:\n${out}`));
    });
  });
}

/** One GET through `prefix` (a node child inside a namespace): true when it answers with status < 500. */
function httpOkVia(prefix: string[], url: string): Promise<boolean> {
  const script = `require('http').get(process.argv[1], (r) => process.exit(r.statusCode < 500 ? 0 : 1)).on('error', () => process.exit(1)).setTimeout(2000, () => process.exit(1));`;
  return new Promise((resolve) => {
    const [cmd, ...args] = [...prefix, process.execPath, '-e', script, url];
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}

/** Resolves true once GET url answers with status < 500, false on timeout or when `alive()` turns false. */
async function waitForHttp(url: string, timeoutMs: number, alive: () => boolean, prefix?: string[]): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && alive()) {
    if (prefix) {
      if (await httpOkVia(prefix, url)) return true;
      await sleep(300);
      continue;
    }
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get(url, (res) => {
        res.resume();
        resolve((res.statusCode ?? 500) < 500);
      });
      req.on('error', () => resolve(false));
      req.setTimeout(2000, () => {
        req.destroy();
        resolve(false);
      });
    });
    if (ok) return true;
    await sleep(200);
  }
  return false;
}

/** Recursively lists files under dir (missing dir: empty list). */
function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

/** Starts an isolated code-server (own port, user-data-dir, extensions-dir), with the vsix installed; resolves when HTTP answers. */
export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServerHandle> {
  ensureE2eSetup();
  const workspaceDir = path.resolve(opts.workspaceDir);
  if (!fs.existsSync(workspaceDir)) throw new Error(`workspaceDir does not exist: ${workspaceDir}`);
  const label = (opts.name ?? 'cs').replace(/[^A-Za-z0-9_-]/g, '_');
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), `peerchat-e2e-${label}-`));
  const userDataDir = path.join(tmpDir, 'user-data');
  const extensionsDir = path.join(tmpDir, 'extensions');
  const configPath = path.join(tmpDir, 'config.yaml');
  const logFile = path.join(tmpDir, 'code-server.log');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  // Own config file so code-server never reads or writes ~/.config/code-server.
  fs.writeFileSync(configPath, 'auth: none\ncert: false\n');
  const env = childEnv(opts.env);
  let log = '';

  const vsixes = [...(opts.vsixPath ? [opts.vsixPath] : []), ...(opts.vsixPaths ?? [])];
  for (const vsix of vsixes) {
    const abs = path.resolve(vsix);
    if (!fs.existsSync(abs)) throw new Error(`vsix not found: ${abs}`);
    let out = '';
    try {
      out = await run(
        CODE_SERVER_BIN,
        ['--config', configPath, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--force', '--install-extension', abs],
        env,
        120_000,
      );
    } catch (err) {
      fs.rmSync(tmpDir, { recursive: true, force: true });
      throw err;
    }
    log += `[harness] install ${abs}\n${out}`;
    if (!/successfully installed/i.test(out)) {
      fs.rmSync(tmpDir, { recursive: true, force: true });
      throw new Error(`installing ${abs} did not report success:\n${out}`);
    }
  }

  const settings: Record<string, unknown> = {
    'workbench.colorTheme': opts.theme ?? 'Default Dark Modern',
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'workbench.enableExperiments': false,
    'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'git.openRepositoryInParentFolders': 'never',
    ...opts.extraSettings,
  };
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

  const startTimeoutMs = opts.startTimeoutMs ?? 90_000;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = [
      '--config', configPath,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      ...(opts.extraArgs ?? []),
      workspaceDir,
    ];
    // detached => own process group, so stop() can kill the extension host and its children too.
    const [cmd, ...cmdArgs] = [...(opts.prefix ?? []), CODE_SERVER_BIN, ...args];
    const child: ChildProcess = spawn(cmd, cmdArgs, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const logStream = fs.createWriteStream(logFile, { flags: 'a' });
    const onData = (d: Buffer) => {
      log += d.toString();
      logStream.write(d);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    let exited = false;
    const exitPromise = new Promise<void>((resolve) =>
      child.once('exit', () => {
        exited = true;
        logStream.end();
        resolve();
      }),
    );
    child.once('error', (err) => (log += `[harness] spawn error: ${err.message}\n`));
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not spawn ${CODE_SERVER_BIN}:\n${log}`);
    liveGroups.add(pid);

    const url = `http://127.0.0.1:${port}`;
    const stop = async (removeTmp = !(opts.keepTmp || process.env.PEERCHAT_E2E_KEEP === '1')): Promise<void> => {
      if (!exited) {
        try {
          process.kill(-pid, 'SIGTERM');
        } catch {
          /* gone */
        }
        await Promise.race([exitPromise, sleep(5000)]);
      }
      try {
        process.kill(-pid, 'SIGKILL'); // stragglers in the group (extension host children)
      } catch {
        /* gone */
      }
      liveGroups.delete(pid);
      if (removeTmp) fs.rmSync(tmpDir, { recursive: true, force: true });
    };

    if (await waitForHttp(`${url}/healthz`, startTimeoutMs, () => !exited, opts.prefix)) {
      const logsDir = path.join(userDataDir, 'logs');
      return {
        url,
        port,
        workspaceDir,
        tmpDir,
        userDataDir,
        extensionsDir,
        logsDir,
        pid,
        logs: () => log,
        vscodeLogs: (nameContains = '') =>
          listFiles(logsDir)
            .filter((f) => f.includes(nameContains))
            .map((f) => `===== ${path.relative(logsDir, f)}\n${fs.readFileSync(f, 'utf8')}`)
            .join('\n'),
        stop: () => stop(),
      };
    }
    await stop(false); // keep the dirs for the retry / for the post-mortem
    if (attempt < 3 && /EADDRINUSE/.test(log)) continue; // lost the port race; try another port
    throw new Error(`code-server (${label}) did not answer on ${url} within ${startTimeoutMs} ms (files kept in ${tmpDir}). Log:\n${log}`);
  }
}

/** A Chromium showing a code-server workbench. */
export interface Workbench {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Browser console messages and page errors seen so far (for debugging failures). */
  console: string[];
  /** Closes the browser. */
  close(): Promise<void>;
}

/** Options for {@link openWorkbench}. */
export interface WorkbenchOptions {
  /** Viewport; default 1400x900. */
  viewport?: { width: number; height: number };
  /** How long to wait for `.monaco-workbench`; default 90 s. */
  timeoutMs?: number;
  /** Show the browser (needs a display, e.g. xvfb-run); default headless. */
  headed?: boolean;
  /** Another Chromium launcher (e.g. chromiumInNamespace()); default CHROMIUM_PATH. */
  chromiumPath?: string;
}

/**
 * A launcher that runs Debian's Chromium inside network namespace `ns` (a script in `dir`), for a
 * code-server started there (CodeServerOptions.prefix). Playwright drives Chromium over a pipe
 * (inherited file descriptors), which `ip netns exec` passes on.
 */
export function chromiumInNamespace(ns: string, dir: string): string {
  const file = path.join(dir, `chromium-in-${ns.replace(/[^A-Za-z0-9_-]/g, '_')}.sh`);
  fs.writeFileSync(file, `#!/bin/sh\nexec ip netns exec '${ns.replace(/'/g, '')}' ${CHROMIUM_PATH} "$@"\n`, { mode: 0o755 });
  return file;
}

/** Launches Chromium (Playwright gives each launch a fresh user-data-dir), opens the workspace and waits for the workbench. */
export async function openWorkbench(handle: CodeServerHandle, opts: WorkbenchOptions = {}): Promise<Workbench> {
  const browser = await chromium.launch({
    executablePath: opts.chromiumPath ?? CHROMIUM_PATH,
    headless: !opts.headed,
    args: CHROMIUM_ARGS,
  });
  const lines: string[] = [];
  try {
    const context = await browser.newContext({
      viewport: opts.viewport ?? { width: 1400, height: 900 },
      // Lets tests use navigator.clipboard in the workbench.
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const page = await context.newPage();
    page.on('console', (m) => lines.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => lines.push(`[pageerror] ${e.message}`));
    const target = new URL(handle.url + '/');
    target.searchParams.set('folder', handle.workspaceDir);
    const timeout = opts.timeoutMs ?? 90_000;
    await page.goto(target.toString(), { waitUntil: 'domcontentloaded', timeout });
    await page.waitForSelector('.monaco-workbench', { state: 'visible', timeout });
    // The status bar is rendered once the workbench layout is complete.
    await page.waitForSelector('.monaco-workbench .part.statusbar', { state: 'visible', timeout });
    return { browser, context, page, console: lines, close: () => browser.close() };
  } catch (err) {
    await browser.close().catch(() => undefined);
    throw err;
  }
}

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = '.quick-input-widget .quick-input-box input';
const QUICK_ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';

/** Waits for the quick input (palette, showQuickPick, showInputBox) to be visible and returns its text box. */
export async function waitForQuickInput(page: Page, timeoutMs = 10_000) {
  await page.waitForSelector(QUICK_INPUT, { state: 'visible', timeout: timeoutMs });
  const box = page.locator(QUICK_INPUT_BOX);
  await box.waitFor({ state: 'visible', timeout: timeoutMs });
  return box;
}

/** Waits until the quick input is hidden again. */
export async function waitForQuickInputClosed(page: Page, timeoutMs = 10_000): Promise<void> {
  await page.waitForSelector(QUICK_INPUT, { state: 'hidden', timeout: timeoutMs });
}

/**
 * Waits until the palette that ran a command is gone: the quick input hidden, or showing something
 * else than `typed` — a command that opens its own input box (Join Chat asks the nickname) reuses
 * the widget at once, sometimes without a frame in which it is hidden (one CI run waited 90 s for
 * that frame).
 */
async function waitForPaletteGone(page: Page, typed: string, timeoutMs: number): Promise<void> {
  await page.waitForFunction(
    ({ widget, box, typed }) => {
      const w = document.querySelector(widget) as HTMLElement | null;
      if (!w || w.style.display === 'none' || w.offsetParent === null) return true;
      const input = document.querySelector(box) as HTMLInputElement | null;
      return input !== null && input.value !== typed;
    },
    { widget: QUICK_INPUT, box: QUICK_INPUT_BOX, typed },
    { timeout: timeoutMs, polling: 100 },
  );
}

/** Index of the first quick-input row labelled exactly `label` (else containing it), or -1. */
async function findQuickRow(page: Page, label: string): Promise<number> {
  // No named functions inside evaluate callbacks: tsx/esbuild would wrap them in
  // a `__name(...)` helper that does not exist in the browser.
  return page.evaluate(
    ({ rows, label }) => {
      const texts = Array.from(document.querySelectorAll(rows)).map((el) =>
        (el.querySelector('.label-name')?.textContent ?? el.getAttribute('aria-label') ?? el.textContent ?? '')
          .replace(/\s+/g, ' ')
          .trim(),
      );
      const exact = texts.indexOf(label);
      return exact >= 0 ? exact : texts.findIndex((t) => t.includes(label));
    },
    { rows: QUICK_ROWS, label },
  );
}

/** Waits up to timeoutMs for a quick-input row `label` and clicks it; returns false if it never appeared. */
async function clickQuickRow(page: Page, label: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const index = await findQuickRow(page, label);
    if (index >= 0) {
      await page.locator(QUICK_ROWS).nth(index).click();
      return true;
    }
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

/** Visible quick-input row labels, for error messages. */
async function quickRowTexts(page: Page): Promise<string[]> {
  return page.locator(`${QUICK_ROWS} .label-name`).allInnerTexts().catch(() => []);
}

/**
 * Runs a command by its palette title ("Category: Title") via F1 and waits for the palette to close.
 * Reopens the palette until the command shows up: right after the workbench appears, extension
 * commands may not be registered yet, and the palette computes its list when it opens.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const left = (min: number) => Math.max(min, deadline - Date.now());
  for (;;) {
    // Make sure the keyboard goes to the workbench (not a webview or an input box).
    await page.locator('.monaco-workbench .part.statusbar').first().click({ position: { x: 2, y: 2 } }).catch(() => undefined);
    await page.keyboard.press('F1');
    let box;
    try {
      // A few seconds per attempt, not the whole budget: once in a CI run (theme test, after a
      // panel screenshot) the palette's widget showed with its text box hidden for 90 s. Escape
      // and F1 again clears a stuck or half-open quick input.
      box = await waitForQuickInput(page, Math.min(5000, left(1000)));
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await page.keyboard.press('Escape');
      await sleep(300);
      continue;
    }
    await box.fill(`>${title}`);
    if (await clickQuickRow(page, title, Math.min(3000, left(0)))) {
      await waitForPaletteGone(page, `>${title}`, left(1000));
      return;
    }
    if (Date.now() > deadline) {
      const seen = await quickRowTexts(page);
      await page.keyboard.press('Escape');
      throw new Error(`command "${title}" not in the palette after ${timeoutMs} ms; rows: ${JSON.stringify(seen)}`);
    }
    await page.keyboard.press('Escape');
    await waitForQuickInputClosed(page).catch(() => undefined);
    await sleep(500);
  }
}

/** Picks an item of an open quick pick (window.showQuickPick): types `filter` (default: the label) and clicks the row. */
export async function quickPick(page: Page, label: string, opts: { filter?: string; timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const box = await waitForQuickInput(page, timeoutMs);
  await box.fill(opts.filter ?? label);
  if (!(await clickQuickRow(page, label, timeoutMs))) {
    throw new Error(`no quick-pick item "${label}" within ${timeoutMs} ms; rows: ${JSON.stringify(await quickRowTexts(page))}`);
  }
}

/** Answers an open input box (window.showInputBox): replaces its text with `text` and presses Enter. */
export async function quickInput(page: Page, text: string, timeoutMs = 10_000): Promise<void> {
  const box = await waitForQuickInput(page, timeoutMs);
  await box.fill(text);
  await box.press('Enter');
  await waitForQuickInputClosed(page, timeoutMs);
}

/** Returns the first frame (webview content is a nested iframe) that contains `selector`, polling until the timeout. */
export async function findFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame.isDetached()) continue;
      try {
        if (await frame.$(selector)) return frame;
      } catch {
        /* frame navigated or detached while we looked */
      }
    }
    if (Date.now() > deadline) {
      const urls = page.frames().map((f) => f.url());
      throw new Error(`no frame contains ${selector} after ${timeoutMs} ms; frames: ${JSON.stringify(urls, null, 1)}`);
    }
    await sleep(250);
  }
}

/** Waits for a notification toast whose message contains `text` and returns the message text. */
export async function waitForNotification(page: Page, text: string, timeoutMs = 15_000): Promise<string> {
  // Only the message element: the toast's full textContent also holds a <style> block.
  const msg = page.locator('.notifications-toasts .notification-toast .notification-list-item-message', { hasText: text }).first();
  await msg.waitFor({ state: 'visible', timeout: timeoutMs });
  return (await msg.innerText()).trim();
}

/** Closes all notification toasts (they can cover the status bar and panels in screenshots). */
export async function dismissNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
}

/** Saves a PNG of the page under test-artifacts/e2e/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/\.png$/i, '')}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The packaged extension (test/e2e/vsix.ts); re-exported for bench/extensionTransfer.mjs, which bundles this file. */
export { buildVsix } from './vsix';
