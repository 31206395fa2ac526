/**
 * Step helpers shared by the e2e test files: progress lines, polling, the chat view's frame,
 * numbered screenshots, the command palette's pickers, notification toasts and the workbench
 * settings and artifacts every file sets up the same way.
 *
 * harness.ts stays the low-level layer (code-server, Chromium, the palette and quick input);
 * this module builds the steps the tests are written in on top of it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import type { CliProcess, startRelayProcess } from '../support/cliProcess';
import { ARTIFACTS_DIR, ensureE2eSetup, findFrame, quickInput, runCommand, screenshot, waitForQuickInput, type CodeServerHandle, type Workbench } from './harness';
import { buildVsix } from './vsix';

/** Per-step wait on a loaded 2-core machine. */
export const STEP_MS = 90_000;

/** A timestamped progress logger; `restart()` sets its clock to zero (the suite's `before`). */
export interface Progress {
  (msg: string): void;
  restart(): void;
}

/** Progress lines `[tag +12.3s] msg` in the test output (where the time goes on a loaded machine). */
export function progressLog(tag: string): Progress {
  let t0 = Date.now();
  const progress = ((msg: string) => {
    console.log(`      [${tag} +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
  }) as Progress;
  progress.restart = () => {
    t0 = Date.now();
  };
  return progress;
}

/** Waits until cond() is truthy (polling every `pollMs`), or throws with what() describing the last state. */
export async function until<T>(
  cond: () => T | Promise<T>,
  what: () => string | Promise<string>,
  timeoutMs = STEP_MS,
  pollMs = 200,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${await what()}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** A window whose chat view's document is remembered in `frame`. */
export interface ChatWindow {
  page: Page;
  frame?: Frame;
}

/** The chat view's document in `w` (re-found when the webview was recreated; kept in w.frame). */
export async function composerFrame(w: ChatWindow, timeoutMs = STEP_MS): Promise<Frame> {
  if (w.frame && !w.frame.isDetached() && (await w.frame.$('#composer').catch(() => null))) return w.frame;
  w.frame = await findFrame(w.page, '#composer', timeoutMs);
  return w.frame;
}

/** One person's VS Code: its code-server, the browser on it, its page and the chat view's document. */
export interface TestWindow extends ChatWindow {
  name: string;
  server: CodeServerHandle;
  wb: Workbench;
}

/**
 * The start of a file's `before`: the progress clock at zero, the e2e tools checked, this file's
 * old artifacts removed, a fresh temporary folder `peerchat-e2e-<name>-…` and the packaged
 * extension built in it. `realpath`: the folder's path with its links resolved.
 */
export function prepareRun(name: string, artifacts: RegExp, progress: Progress, opts: { realpath?: boolean } = {}): { tmp: string; vsix: string } {
  progress.restart();
  ensureE2eSetup();
  clearArtifacts(artifacts);
  const made = fs.mkdtempSync(path.join(os.tmpdir(), `peerchat-e2e-${name}-`));
  const tmp = opts.realpath ? fs.realpathSync(made) : made;
  return { tmp, vsix: buildVsix(tmp, progress) };
}

/**
 * After a failed test: a screenshot `base` of the window, then the last `logChars` of its Peer
 * Chat log, `extra` (when given) and the last `consoleLines` of its browser console. `who` labels
 * the lines where a test has several windows.
 */
export async function reportFailure(
  w: { page: Page; server?: CodeServerHandle; wb: Workbench },
  base: string,
  opts: { logChars: number; consoleLines: number; who?: string; extra?: () => string },
): Promise<void> {
  const who = opts.who ? `${opts.who}: ` : '';
  await screenshot(w.page, base).catch(() => undefined);
  console.log(`----- ${who}Peer Chat log (last ${opts.logChars} chars)\n${(w.server?.vscodeLogs('Peer Chat') ?? '').slice(-opts.logChars)}`);
  if (opts.extra) console.log(opts.extra());
  console.log(`----- ${who}browser console (last ${opts.consoleLines})\n${w.wb.console.slice(-opts.consoleLines).join('\n')}`);
}

/**
 * The end of a one-window file's `after`: the terminal peers and the relay killed, the browser
 * and code-server closed, the temporary folder removed.
 */
export async function endRun(o: {
  peers: Array<CliProcess | undefined>;
  relay?: Awaited<ReturnType<typeof startRelayProcess>>;
  wb?: Workbench;
  server?: CodeServerHandle;
  tmp: string;
}): Promise<void> {
  for (const peer of o.peers) peer?.kill();
  o.relay?.proc.kill('SIGKILL');
  await o.wb?.close().catch(() => undefined);
  await o.server?.stop().catch(() => undefined);
  if (o.tmp) fs.rmSync(o.tmp, { recursive: true, force: true });
}

/** Peer Chat: Join Chat → nickname `nick`; resolves with the chat's document (from `chat`) once it shows the join done. */
export async function joinChat(page: Page, nick: string, chat: () => Promise<Frame>): Promise<Frame> {
  await runCommand(page, 'Peer Chat: Join Chat', STEP_MS);
  await waitForQuickInput(page, STEP_MS);
  await quickInput(page, nick, STEP_MS);
  const f = await chat();
  await f.locator('[data-testid=connection-status][data-status=registered]').waitFor({ timeout: STEP_MS });
  return f;
}

/** Numbered screenshot names: `prefix-01-name`, `prefix-02-name`, … in the order taken. */
export function shotNames(prefix: string): (name: string) => string {
  let shot = 0;
  return (name) => `${prefix}-${String(++shot).padStart(2, '0')}-${name}`;
}

/** A screenshot of the window under `base`; logs its file name, returns its path. */
export async function snapPage(page: Page, base: string, progress: (msg: string) => void): Promise<string> {
  const file = await screenshot(page, base);
  progress(`screenshot ${path.basename(file)}`);
  return file;
}

/**
 * Full-window screenshot `base` plus one of the bottom panel (`base-panel.png`, when it shows);
 * returns the paths. `big`: the panel is maximized for the panel shot (and restored), and
 * `grown` runs once it has grown.
 */
export async function snapWithPanel(
  page: Page,
  base: string,
  progress: (msg: string) => void,
  opts: { big?: boolean; grown?: () => Promise<void> } = {},
): Promise<string[]> {
  const files = [await screenshot(page, base)];
  const panel = page.locator('.monaco-workbench .part.panel').first();
  if (await panel.isVisible().catch(() => false)) {
    const before = (await panel.boundingBox())?.height ?? 0;
    if (opts.big) {
      await runCommand(page, 'View: Toggle Maximized Panel', STEP_MS);
      await until(async () => ((await panel.boundingBox())?.height ?? 0) > before + 100, () => 'the panel to grow');
      await opts.grown?.();
    }
    const file = path.join(ARTIFACTS_DIR, `${base}-panel.png`);
    await panel.screenshot({ path: file }).then(() => files.push(file)).catch(() => undefined);
    if (opts.big) {
      await runCommand(page, 'View: Toggle Maximized Panel', STEP_MS);
      await until(async () => Math.abs(((await panel.boundingBox())?.height ?? 0) - before) < 5, () => 'the panel to get its size back');
    }
  }
  progress(`screenshot ${base}`);
  return files;
}

/** A test title as a file name part: runs of other characters become '-', at most `max` long. */
export function titleSlug(title: string, max: number): string {
  return title.replace(/[^A-Za-z0-9]+/g, '-').slice(0, max);
}

/** Creates test-artifacts/e2e/ and removes this file's artifacts of an earlier run (names matching `re`). */
export function clearArtifacts(re: RegExp): void {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  for (const f of fs.readdirSync(ARTIFACTS_DIR)) if (re.test(f)) fs.rmSync(path.join(ARTIFACTS_DIR, f));
}

/**
 * Settings of a VS Code that joins the test relay at `relayAddr` and never starts one by itself:
 * no multicast DNS on the machine's own network (discovery is tested in namespaces), the panel
 * at the bottom, no command center. `extra` adds to them.
 */
export function localRelaySettings(relayAddr: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'peerchat.relayAddress': relayAddr,
    'peerchat.autoStartRelay': 'never',
    'peerchat.discovery': false,
    ...extra,
    'workbench.panel.defaultLocation': 'bottom',
    'window.commandCenter': false,
  };
}

/**
 * Runs a palette command that opens a quick pick of its own (runCommand waits for the palette
 * to close, which such a command never does); resolves once the quick input's placeholder
 * matches `placeholder`. Retries F1 for up to STEP_MS.
 */
export async function runPickerCommand(page: Page, title: string, placeholder: RegExp): Promise<void> {
  const deadline = Date.now() + STEP_MS;
  const input = page.locator('.quick-input-widget .quick-input-box input');
  for (;;) {
    await page.locator('.monaco-workbench .part.statusbar').first().click({ position: { x: 2, y: 2 } }).catch(() => undefined);
    await page.keyboard.press('F1');
    // 5 s per attempt, then Escape and F1 again (see runCommand in harness.ts).
    const box = await waitForQuickInput(page, 5_000).catch(() => null);
    if (box === null) {
      if (Date.now() > deadline) throw new Error(`the command palette did not open for "${title}"`);
      await page.keyboard.press('Escape');
      continue;
    }
    await box.fill(`>${title}`);
    const row = paletteRow(page, title);
    if (await row.first().waitFor({ timeout: 5_000 }).then(() => true, () => false)) {
      await row.first().click();
      await until(async () => placeholder.test((await input.getAttribute('placeholder').catch(() => '')) ?? ''), () => `a quick pick "${placeholder}" after ${title}`);
      return;
    }
    await page.keyboard.press('Escape');
    if (Date.now() > deadline) throw new Error(`command "${title}" not in the palette`);
  }
}

/** The palette's row whose label is exactly `title`. */
export function paletteRow(page: Page, title: string): Locator {
  const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exact }) });
}

/** The notification toast whose message contains `text`. */
export function toast(page: Page, text: string): Locator {
  return page.locator('.notifications-toasts .notification-toast', { has: page.locator('.notification-list-item-message', { hasText: text }) }).first();
}

/** Waits until a toast has slid in (same place twice in a row), so a screenshot shows it whole. */
export async function toastSettled(page: Page, text: string): Promise<void> {
  const t = toast(page, text);
  await t.waitFor({ state: 'visible', timeout: STEP_MS });
  let last = '';
  await until(async () => {
    const b = await t.boundingBox();
    const now = JSON.stringify(b);
    const same = now === last;
    last = now;
    await new Promise((r) => setTimeout(r, 250));
    return same;
  }, () => `the notification "${text}" to settle`);
}

/** Clicks the button labelled exactly `button` on the toast containing `text`; waits for the toast to go. */
export async function clickToastButton(page: Page, text: string, button: string): Promise<void> {
  const t = toast(page, text);
  await t.waitFor({ state: 'visible', timeout: STEP_MS });
  await t.locator('.monaco-button', { hasText: new RegExp(`^${button}$`) }).first().click();
  await t.waitFor({ state: 'hidden', timeout: STEP_MS });
}
