/**
 * The chat panel as a user meets it, in a real VS Code (code-server 1.100.3 in Chromium, the
 * packaged extension installed): Markdown in messages, links opened through VS Code, @mentions
 * (completion, highlight, a notification and the view's badge while the chat is hidden, with
 * private-message notifications turned off), find in the history, quote-reply, the keyboard
 * alone, and axe-core (@axe-core/playwright, on the chat webview's own document) with no
 * serious or critical violation in the light, high-contrast and dark themes.
 *
 * A terminal peer `bob` (dist/cli.js --json) talks to `alice` (the VS Code window) through a
 * relay from dist/relay.js. ONE code-server for the file; the `it`s run in order.
 *
 * Screenshots: test-artifacts/e2e/a11y-NN-name.png (+ -panel.png, the bottom panel); axe results
 * per theme in a11y-axe-<theme>.json.
 *
 * Alone: npx mocha --no-config -r tsx/cjs --extension ts --timeout 20000 --exit test/e2e/accessibility.test.ts
 * (needs dist/cli.js and dist/relay.js: npm run build). PEERCHAT_E2E_VSIX=path skips packaging.
 */
import { AxeBuilder } from '@axe-core/playwright';
import axeCore from 'axe-core';
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { CliProcess, startRelayProcess } from '../support/cliProcess';
import { ARTIFACTS_DIR, dismissNotifications, openWorkbench, quickPick, runCommand, startCodeServer, waitForNotification, waitForQuickInput, type CodeServerHandle, type Workbench } from './harness';
import { STEP_MS, composerFrame, endRun, joinChat, localRelaySettings, paletteRow, prepareRun, progressLog, reportFailure, shotNames, snapWithPanel, titleSlug, until, type ChatWindow } from './steps';

const progress = progressLog('a11y');

describe('Chat panel: markdown, mentions, find, quote-reply, keyboard and axe in three themes (code-server + Chromium)', function () {
  let tmp = '';
  let relay: Awaited<ReturnType<typeof startRelayProcess>> | undefined;
  let bob: CliProcess | undefined;
  let server: CodeServerHandle | undefined;
  let wb: Workbench | undefined;
  let page: Page;
  const shotName = shotNames('a11y');
  const reached = { joined: false, markdown: false };

  let chatFrame: Frame | undefined;
  async function chat(timeoutMs = STEP_MS): Promise<Frame> {
    const w: ChatWindow = { page, frame: chatFrame };
    chatFrame = await composerFrame(w, timeoutMs);
    return chatFrame;
  }

  async function openChat(): Promise<Frame> {
    await runCommand(page, 'Peer Chat: Open Chat', STEP_MS);
    const f = await chat();
    await f.locator('#composer').waitFor({ state: 'visible', timeout: STEP_MS });
    return f;
  }

  /** The window, and the bottom panel (maximized for `big`), as PNGs. */
  async function snap(name: string, opts: { big?: boolean } = {}): Promise<void> {
    await snapWithPanel(page, shotName(name), progress, opts);
  }

  /** The composer's own <textarea> (inside the toolkit's shadow root). */
  const composerText = async (f: Frame) => f.locator('#composer textarea').inputValue();

  /** Types into the composer as a user does (Shift+Enter between lines) and sends with Enter. */
  async function type(lines: string[], send = true): Promise<void> {
    const f = await openChat();
    await f.locator('#composer').click();
    for (const [i, line] of lines.entries()) {
      if (i > 0) await page.keyboard.press('Shift+Enter');
      await page.keyboard.type(line, { delay: 5 });
    }
    if (!send) return;
    await page.keyboard.press('Enter');
    await until(async () => (await composerText(f).catch(() => 'x')) === '', () => 'the composer to clear');
  }

  /**
   * Runs a palette command that opens a quick pick of its own (runCommand waits for the palette
   * to close, which such a command never does) and waits for that pick's placeholder.
   */
  async function runPicker(title: string, placeholder: RegExp): Promise<void> {
    const input = page.locator('.quick-input-widget .quick-input-box input');
    for (let attempt = 1; ; attempt++) {
      await page.locator('.monaco-workbench .part.statusbar').first().click({ position: { x: 2, y: 2 } }).catch(() => undefined);
      await page.keyboard.press('F1');
      const box = await waitForQuickInput(page, 5_000).catch(() => null);
      if (box) {
        await box.fill(`>${title}`);
        const row = paletteRow(page, title);
        if (await row.first().waitFor({ timeout: 5_000 }).then(() => true, () => false)) {
          await row.first().click();
          const ok = await until(async () => placeholder.test((await input.getAttribute('placeholder').catch(() => '')) ?? ''), () => `the picker of ${title}`, 15_000).then(() => true, () => false);
          if (ok) return;
        }
      }
      await page.keyboard.press('Escape');
      if (attempt >= 6) throw new Error(`the picker of "${title}" did not open`);
    }
  }

  /** Color theme picker → `theme`; resolves with the chat's document once it follows. */
  async function pickTheme(theme: string, wbClass: string, webviewClass: string): Promise<Frame> {
    await runPicker('Preferences: Color Theme', /Select Color Theme/);
    await quickPick(page, theme, { timeoutMs: STEP_MS });
    await page.locator(`.monaco-workbench.${wbClass}`).waitFor({ timeout: STEP_MS });
    const f = await openChat();
    await until(async () => ((await f.locator('body').getAttribute('class').catch(() => '')) ?? '').split(/\s+/).includes(webviewClass), () => `the webview body to get class ${webviewClass}`);
    return f;
  }

  before(async function () {
    this.timeout(15 * 60_000);
    const run = prepareRun('a11y', /^a11y-.*\.(png|log|json)$/, progress);
    tmp = run.tmp;
    const vsix = run.vsix;
    const workspace = path.join(tmp, 'project');
    fs.mkdirSync(workspace, { recursive: true });
    fs.writeFileSync(path.join(workspace, 'notes.md'), '# Notes\n');

    relay = await startRelayProcess();
    const relayAddr = `127.0.0.1:${relay.port}`;
    bob = CliProcess.start(['--relay', relayAddr, '--nick', 'bob', '--download-dir', path.join(tmp, 'bob-dl')]);
    await bob.event('registered', () => true, 30_000);

    server = await startCodeServer({
      name: 'a11y',
      workspaceDir: workspace,
      vsixPath: vsix,
      // Discovery off (localRelaySettings): Join Chat goes straight to the nickname.
      extraSettings: localRelaySettings(relayAddr, {
        // Off: a mention must notify anyway.
        'peerchat.notifyPrivateMessages': false,
        'peerchat.relayServe': 'thisMachine',
      }),
    });
    wb = await openWorkbench(server, { viewport: { width: 1400, height: 900 } });
    page = wb.page;
  });

  afterEach(async function () {
    const t = this.currentTest;
    if (!t || t.state !== 'failed' || !wb) return;
    await reportFailure({ page, server, wb }, `a11y-failure-${titleSlug(t.title, 60)}`, { logChars: 3000, consoleLines: 30 });
  });

  after(async function () {
    this.timeout(60_000);
    if (wb) fs.writeFileSync(path.join(ARTIFACTS_DIR, 'a11y-browser-console.log'), wb.console.join('\n') + '\n');
    await endRun({ peers: [bob], relay, wb, server, tmp });
  });

  /** Welcome: Open Walkthrough… → Peer Chat's; resolves with the page once its steps show. */
  async function openWalkthrough() {
    await runPicker('Welcome: Open Walkthrough...', /walkthrough/i);
    await quickPick(page, 'Get Started with Peer Chat', { timeoutMs: STEP_MS });
    const walkthrough = page.locator('.gettingStartedContainer');
    for (const step of ['Join a relay, or start one', 'Say hello', 'Share a selection of code', 'Send a file']) {
      await walkthrough.locator('.getting-started-step', { hasText: step }).first().waitFor({ state: 'attached', timeout: STEP_MS });
    }
    return walkthrough;
  }

  it('offers a first-use walkthrough: join or start a relay, say hello, share code, send a file', async function () {
    this.timeout(3 * STEP_MS);
    const walkthrough = await openWalkthrough();
    assert.equal(await walkthrough.locator('.getting-started-step .codicon.complete').count(), 0, 'nothing done yet');
    await snap('walkthrough');
    await runCommand(page, 'View: Close All Editors', STEP_MS);
  });

  it('joins as alice', async function () {
    this.timeout(3 * STEP_MS);
    const f = await joinChat(page, 'alice', chat);
    await f.locator('button[data-testid=roster-item][data-nick=bob]').waitFor({ timeout: STEP_MS });
    reached.joined = true;
  });

  it('renders Markdown safely: emphasis, code, a highlighted block, links, lists, quotes; HTML stays text; mentions are marked', async function () {
    this.timeout(4 * STEP_MS);
    if (!reached.joined) this.skip();
    bob!.send('**Build** is _green_ again: run `npm test`, details at https://example.com/ci <img src=x onerror=alert(1)> <script>alert(2)</script> @alice please review');
    bob!.send('- restart the relay after the deploy');
    bob!.send('> the relay restarted at noon');
    // alice: a fenced code block typed line by line, then a mention completed with Tab.
    await type(['Here is the call:', '```ts', 'const relay = await startRelay({ port: 12345 }); // listening', '```']);
    await bob!.event('message', (e) => e.from === 'alice' && String(e.text).includes('```ts'), STEP_MS);
    await type(['thanks @b'], false);
    const f = await chat();
    await f.locator('[data-testid=completion-item]', { hasText: '@bob' }).waitFor({ timeout: STEP_MS });
    await page.keyboard.press('Tab');
    await until(async () => (await composerText(f)) === 'thanks @bob ', async () => `the composer to read "thanks @bob " (it reads ${JSON.stringify(await composerText(f))})`);
    await page.keyboard.type('the restart looks fine');
    await page.keyboard.press('Enter');
    const got = await bob!.event('message', (e) => e.from === 'alice' && String(e.text).startsWith('thanks @bob'), STEP_MS);
    assert.equal(got.text, 'thanks @bob the restart looks fine');

    const first = f.locator('[data-testid=message][data-from=bob]', { hasText: 'is green again' });
    await first.waitFor({ timeout: STEP_MS });
    assert.equal(await first.locator('strong').innerText(), 'Build');
    assert.equal(await first.locator('em').innerText(), 'green');
    assert.equal(await first.locator('code').innerText(), 'npm test');
    assert.equal(await first.locator('a.md-link').getAttribute('href'), 'https://example.com/ci');
    assert.equal(await first.getAttribute('data-mentions-me'), 'true');
    assert.equal(await first.locator('.mention-self').innerText(), '@alice');
    assert.match(await first.locator('.msg-text').innerText(), /<img src=x onerror=alert\(1\)> <script>alert\(2\)<\/script>/, 'raw HTML shows as text');
    assert.equal(await f.locator('#messages img, #messages script, #messages iframe, #messages style').count(), 0, 'no element from a message but our own');
    await f.locator('[data-testid=message][data-from=bob] ul > li', { hasText: 'restart the relay' }).waitFor({ timeout: STEP_MS });
    await f.locator('[data-testid=message][data-from=bob] blockquote', { hasText: 'the relay restarted at noon' }).waitFor({ timeout: STEP_MS });
    const block = f.locator('[data-testid=message][data-own=true] pre.md-code code.language-typescript');
    await block.waitFor({ timeout: STEP_MS });
    assert.ok((await block.locator('.hljs-keyword').count()) >= 2, 'keywords are highlighted');
    assert.equal((await block.innerText()).trim(), 'const relay = await startRelay({ port: 12345 }); // listening');
    await f.locator('[data-testid=message][data-own=true] .mention', { hasText: '@bob' }).waitFor({ timeout: STEP_MS });
    // New messages go into the live log.
    assert.equal(await f.locator('#message-log').getAttribute('role'), 'log');
    assert.equal(await f.locator('#message-log').getAttribute('aria-live'), 'polite');
    assert.equal(await f.locator('#message-log > #messages > [data-testid=message]').count(), await f.locator('[data-testid=message]').count());
    reached.markdown = true;
    await snap('markdown', { big: true });
  });

  it('opens a link through VS Code, which asks first', async function () {
    this.timeout(2 * STEP_MS);
    if (!reached.markdown) this.skip();
    const f = await openChat();
    await f.locator('[data-testid=message][data-from=bob] a.md-link[href="https://example.com/ci"]').first().click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: STEP_MS });
    const text = await dialog.innerText();
    assert.match(text, /example\.com/, `the confirmation names the site: ${text}`);
    await snap('link-confirmation');
    await dialog.locator('.monaco-button', { hasText: /^Cancel$/ }).first().click();
    await dialog.waitFor({ state: 'hidden', timeout: STEP_MS });
  });

  it('finds in the history with Ctrl+F, Enter and Escape, and quote-replies from the keyboard', async function () {
    this.timeout(3 * STEP_MS);
    if (!reached.markdown) this.skip();
    const f = await openChat();
    await f.locator('#composer').click();
    await page.keyboard.press('Control+F');
    const input = f.locator('[data-testid=find-input]');
    await input.waitFor({ state: 'visible', timeout: STEP_MS });
    await until(() => f.evaluate(() => document.activeElement?.id === 'find-input'), () => 'the find box to have the focus');
    await page.keyboard.type('relay');
    const count = f.locator('[data-testid=find-count]');
    await until(async () => /^\d+ of \d+$/.test((await count.innerText()).trim()), async () => `a match count (it says ${JSON.stringify(await count.innerText())})`);
    const [, at, total] = /^(\d+) of (\d+)$/.exec((await count.innerText()).trim())!;
    assert.ok(Number(total) >= 4, `"relay" is in at least four messages (${total})`);
    await page.keyboard.press('Enter');
    await until(async () => (await count.innerText()).trim() !== `${at} of ${total}`, () => 'Enter to move to another match');
    await f.locator('#messages .find-current').waitFor({ timeout: 10_000 });
    await snap('find', { big: true });
    // (The screenshot's palette commands took the focus to the workbench: back to the box.)
    await input.click();
    await page.keyboard.press('Escape');
    await f.locator('[data-testid=find-bar]').waitFor({ state: 'hidden', timeout: 10_000 });
    assert.equal(await f.locator('#messages .find-current').count(), 0);

    // Keyboard only: from the composer back into the timeline, up to bob's first message, Q.
    await f.locator('#composer').click();
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Shift+Tab');
      if (await f.evaluate(() => document.activeElement?.parentElement?.id === 'messages')) break;
    }
    assert.ok(await f.evaluate(() => document.activeElement?.parentElement?.id === 'messages'), 'Shift+Tab from the composer reaches the timeline');
    for (let i = 0; i < 10; i++) {
      if (await f.evaluate(() => (document.activeElement?.textContent ?? '').includes('is green again'))) break;
      await page.keyboard.press('ArrowUp');
    }
    assert.ok(await f.evaluate(() => (document.activeElement?.textContent ?? '').includes('is green again')), 'ArrowUp reaches bob\'s message');
    await page.keyboard.press('q');
    await until(async () => (await composerText(f)).endsWith('@bob '), async () => `a quote-reply in the composer (it reads ${JSON.stringify(await composerText(f))})`);
    const reply = await composerText(f);
    assert.match(reply, /^> \*\*Build\*\* is _green_ again/);
    assert.ok(await f.evaluate(() => document.activeElement?.id === 'composer'), 'the composer has the focus');
    await snap('quote-reply');
    await f.locator('#composer textarea').fill('');
  });

  it('with the chat hidden and private notifications off, a mention notifies and badges the view', async function () {
    this.timeout(4 * STEP_MS);
    if (!reached.joined) this.skip();
    await dismissNotifications(page);
    await openChat();
    // Another view of the panel in front: the chat's tab (and its badge) stays in sight.
    await runCommand(page, 'View: Toggle Output', STEP_MS);
    await until(async () => {
      for (const fr of page.frames()) if (!fr.isDetached() && (await fr.$('#composer').catch(() => null))) return false;
      return true;
    }, () => 'the chat webview to go away once hidden');
    // The extension hears that its view was hidden a moment after the webview goes (another
    // process, another queue): until it has, what arrives counts as read. Wait until it counts.
    const status = page.locator('.monaco-workbench .part.statusbar .statusbar-item', { hasText: 'alice' }).first();
    const unread = async () => Number(/alice\s+(\d+) new/.exec(await status.innerText().catch(() => ''))?.[1] ?? 0);
    for (let i = 1; (await unread()) === 0; i++) {
      assert.ok(i <= 20, 'the status bar never counted a message as unread');
      bob!.send(`is anyone there? (${i})`);
      await until(async () => (await unread()) > 0, () => 'an unread count', 2_000).catch(() => undefined);
    }
    const before = await unread();
    bob!.send('@alice a private word, not notified (the setting is off)');
    bob!.send('@alice can you check the relay log?');
    bob!.send('everyone: can @alice check the relay log?');
    const note = await waitForNotification(page, 'bob mentioned you', STEP_MS);
    assert.match(note, /bob mentioned you: everyone: can @alice check the relay log\?/);
    assert.equal(await page.locator('.notification-toast', { hasText: 'a private word' }).count(), 0, 'no notification for the private message');
    const tabBadge = page.locator('.monaco-workbench .part.panel .composite-bar .action-item', { has: page.locator('.action-label[aria-label*="Peer Chat"]') }).locator('.badge .badge-content');
    const expected = String(before + 3);
    await until(async () => (await tabBadge.innerText().catch(() => '')).trim() === expected, async () => `the chat tab's badge to say ${expected} (it says "${(await tabBadge.innerText().catch(() => '?')).trim()}")`);
    assert.match(await status.innerText(), new RegExp(`alice\\s+${expected} new`));
    assert.ok((await status.locator('.codicon-mention').count()) === 1, 'the status bar shows @ for the mention');
    await page.locator('.notification-toast-container.notification-fade-in-done', { hasText: 'bob mentioned you' }).waitFor({ timeout: 10_000 }).catch(() => undefined);
    await snap('mention-badge');
    await status.click();
    const f = await chat();
    await f.locator('[data-testid=message][data-mentions-me=true]', { hasText: 'everyone: can' }).waitFor({ timeout: STEP_MS });
    await until(async () => !(await tabBadge.isVisible().catch(() => false)) || (await tabBadge.innerText().catch(() => '')).trim() === '', () => 'the badge to clear with the chat open');
    await dismissNotifications(page);
  });

  it('ticks off the walkthrough steps done so far: joined, said hello, shared code', async function () {
    this.timeout(3 * STEP_MS);
    if (!reached.markdown) this.skip();
    const walkthrough = await openWalkthrough();
    await until(async () => (await walkthrough.locator('.getting-started-step .codicon.complete').count()) >= 3, async () => `three steps done (${await walkthrough.locator('.getting-started-step .codicon.complete').count()})`, 30_000);
    await snap('walkthrough-progress');
    await runCommand(page, 'View: Close All Editors', STEP_MS);
  });

  it('a folder bob sends is one job card: accepted from the keyboard, the tree lands on disk; a second offer waits with its buttons', async function () {
    this.timeout(3 * STEP_MS);
    if (!reached.joined) this.skip();
    const src = path.join(tmp, 'shots');
    fs.mkdirSync(path.join(src, 'day1'), { recursive: true });
    fs.writeFileSync(path.join(src, 'a.txt'), 'first\n');
    fs.writeFileSync(path.join(src, 'day1', 'b.txt'), 'second\n');
    const f = await openChat();
    bob!.send(`/sendfile @alice ${src}`);
    const card = f.locator('[data-testid=job-card][data-direction=receive][data-name="shots"][data-status=offered]');
    await card.waitFor({ timeout: STEP_MS });
    const accept = card.locator('[data-testid=job-accept]');
    await accept.focus();
    assert.equal(await f.evaluate(() => document.activeElement?.getAttribute('data-action')), 'accept', 'Accept takes the keyboard focus');
    await page.keyboard.press('Enter');
    await bob!.event('job-done', (e) => e.peer === 'alice', STEP_MS);
    const done = f.locator('[data-testid=job-card][data-direction=receive][data-name="shots"][data-status=done]');
    await done.waitFor({ timeout: STEP_MS });
    await done.locator('[data-testid=job-reveal]').waitFor({ state: 'visible', timeout: 10_000 });
    const got = path.join(tmp, 'project', 'PeerChat Downloads', 'shots', 'day1', 'b.txt');
    await until(() => fs.existsSync(got), () => `${got} to exist`, 30_000);
    assert.equal(fs.readFileSync(got, 'utf8'), 'second\n');
    // A second folder, left unanswered: axe (next) sees a job card with its buttons.
    const src2 = path.join(tmp, 'pending');
    fs.mkdirSync(src2, { recursive: true });
    fs.writeFileSync(path.join(src2, 'c.txt'), 'third\n');
    bob!.send(`/sendfile @alice ${src2}`);
    await f.locator('[data-testid=job-card][data-name="pending"][data-status=offered] [data-testid=job-decline]').waitFor({ timeout: STEP_MS });
    await snap('job-cards');
  });

  it('a snippet card and a received file named like a workspace file (Compare, Open, Reveal) are there for the themes', async function () {
    this.timeout(3 * STEP_MS);
    if (!reached.joined) this.skip();
    const f = await openChat();
    const code = path.join(tmp, 'bob-code');
    fs.mkdirSync(code, { recursive: true });
    fs.writeFileSync(path.join(code, 'retry.py'), 'def retry(fn, times=3):\n    for i in range(times):\n        try:\n            return fn()\n        except OSError:\n            pass\n');
    bob!.send(`/snippet @alice ${path.join(code, 'retry.py')}:1-6`);
    const snippet = f.locator('[data-testid=snippet]').last();
    await snippet.waitFor({ timeout: STEP_MS });
    assert.match(await snippet.locator('[data-testid=snippet-location]').innerText(), /retry\.py/);
    await snippet.locator('[data-testid=snippet-open]').waitFor({ state: 'attached' });
    // notes.md exists in alice's workspace: the received one is offered for comparison.
    fs.writeFileSync(path.join(code, 'notes.md'), '# Notes\n\nFrom bob.\n');
    bob!.send(`/sendfile @alice ${path.join(code, 'notes.md')}`);
    const offered = f.locator('[data-testid=transfer-card][data-direction=receive][data-name="notes.md"] [data-testid=transfer-accept]');
    await offered.waitFor({ timeout: STEP_MS });
    await offered.click();
    const done = f.locator('[data-testid=transfer-card][data-direction=receive][data-status=done][data-name="notes.md"]');
    await done.waitFor({ timeout: STEP_MS });
    for (const action of ['compare', 'open', 'reveal']) await done.locator(`[data-testid=transfer-${action}]`).waitFor({ state: 'visible', timeout: 10_000 });
    await snap('snippet-and-compare');
  });

  for (const [theme, wbClass, webviewClass, name] of [
    ['Light Modern', 'vs', 'vscode-light', 'light'],
    ['Dark High Contrast', 'hc-black', 'vscode-high-contrast', 'high-contrast'],
    ['Dark Modern', 'vs-dark', 'vscode-dark', 'dark'],
  ] as const) {
    it(`passes axe-core with no serious or critical violation in ${theme}`, async function () {
      this.timeout(4 * STEP_MS);
      if (!reached.markdown) this.skip();
      const f = await pickTheme(theme, wbClass, webviewClass);
      // The find box open with matches, so it is checked too.
      await f.locator('#composer').click();
      await page.keyboard.press('Control+F');
      await f.locator('[data-testid=find-input]').fill('relay');
      await until(async () => /of/.test(await f.locator('[data-testid=find-count]').innerText()), () => 'find matches');
      // Name the chat's two nested frames so axe can be pointed at exactly its document.
      const outer = f.parentFrame();
      assert.ok(outer, 'the webview document sits in VS Code\'s webview frame');
      // (Marks per theme: an earlier webview's frames may still be in the page.)
      await (await f.frameElement()).evaluate((el, v) => (el as Element).setAttribute('data-pc-axe', v), `inner-${name}`);
      await (await outer.frameElement()).evaluate((el, v) => (el as Element).setAttribute('data-pc-axe', v), `outer-${name}`);
      // The webview's document is transparent over the panel, and axe cannot see through a
      // frame (it would take white as the background): give the document, for the check, the
      // colour that is behind it on screen, the panel's background.
      await f.evaluate(() => {
        const root = document.documentElement;
        root.style.backgroundColor = getComputedStyle(root).getPropertyValue('--vscode-panel-background').trim();
      });
      let results = await new AxeBuilder({ page }).include([`iframe[data-pc-axe="outer-${name}"]`, `iframe[data-pc-axe="inner-${name}"]`, '#app']).analyze();
      if (results.passes.length === 0) {
        // AxeBuilder gives each frame one second to load axe and silently skips a frame that
        // takes longer, which a loaded two-core machine sometimes does. Then: the same axe-core
        // (the one @axe-core/playwright ships), run in the chat's document directly.
        progress(`${theme}: AxeBuilder reached no rule in the chat frame; running its axe-core in the frame directly`);
        await f.evaluate(axeCore.source);
        results = (await f.evaluate(() => (window as unknown as { axe: typeof axeCore }).axe.run(document.getElementById('app')!))) as typeof results;
      }
      fs.writeFileSync(path.join(ARTIFACTS_DIR, `a11y-axe-${name}.json`), JSON.stringify({ violations: results.violations, passes: results.passes.map((p) => p.id), incomplete: results.incomplete.map((p) => p.id) }, null, 2));
      for (const v of results.violations) progress(`${theme}: ${v.impact} ${v.id} (${v.nodes.length}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
      assert.ok(results.passes.length > 10, `axe ran on the chat (${results.passes.length} rules passed)`);
      assert.ok(results.passes.some((p) => p.id === 'color-contrast') || results.violations.some((p) => p.id === 'color-contrast'), 'colour contrast was checked');
      const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(
        bad.map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`).join('; ')}`),
        [],
      );
      await f.evaluate(() => document.documentElement.style.removeProperty('background-color'));
      await snap(`theme-${name}`, { big: true });
      await f.locator('[data-testid=find-input]').press('Escape');
    });
  }

  it('logged no CSP violation or script error in the webview', async function () {
    this.timeout(STEP_MS);
    if (!wb) this.skip();
    const f = await chat();
    // Positive control: a refused image must reach the console we watch.
    await f.evaluate(() => {
      const img = document.createElement('img');
      img.src = 'https://csp-probe.invalid/probe.png';
      document.body.appendChild(img);
    });
    await until(() => wb!.console.some((l) => /csp-probe\.invalid/.test(l)), () => 'the CSP refusal of the probe image in the console', 30_000);
    const bad = wb!.console.filter((l) => /Content Security Policy|Refused to (load|apply|execute|run|connect|frame)|\[pageerror\]/i.test(l) && !/csp-probe\.invalid/.test(l));
    assert.deepEqual(bad, []);
  });
});
