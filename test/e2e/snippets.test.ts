/**
 * Code snippets end to end (README "Sharing code"): two real VS Codes (code-server 1.100.3 in
 * Chromium, the packaged extension), alice and bob, each with a clone of one repository (a local
 * bare repository as the remote), and a terminal client carol.
 *
 * alice selects lines in her clone and shares them from the editor's context menu (Share
 * Selection with Peer… → Everyone); carol's JSON event carries the code link from vscode.git;
 * bob's panel shows the highlighted card, and Open puts his cursor on those lines of HIS clone.
 * Then: lines bob changed open as a diff; a snippet from outside any repository opens untitled;
 * Copy by keyboard; axe on the card.
 *
 * Screenshots: test-artifacts/e2e/snip-NN-name.png. Alone (after npm run build):
 * npx mocha --no-config -r tsx/cjs --extension ts --timeout 20000 --exit test/e2e/snippets.test.ts
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import axeCore from 'axe-core';
import type { Frame } from 'playwright-core';
import { CliProcess, startRelayProcess } from '../support/cliProcess';
import { ARTIFACTS_DIR, openWorkbench, quickInput, quickPick, startCodeServer, waitForQuickInput } from './harness';
import { STEP_MS, composerFrame, joinChat, localRelaySettings, prepareRun, progressLog, reportFailure, shotNames, snapPage, titleSlug, until, type TestWindow } from './steps';

const progress = progressLog('e2e');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** The file both clones hold: 20 numbered lines of TypeScript. */
const MATH_LINES = [
  '// Small helpers shared by the snippet test.',
  'export interface Point {',
  '  x: number;',
  '  y: number;',
  '}',
  '',
  'export function add(a: number, b: number): number {',
  '  return a + b;',
  '}',
  '',
  'export function distance(p: Point, q: Point): number {',
  '  const dx = p.x - q.x;',
  '  const dy = p.y - q.y;',
  '  return Math.sqrt(dx * dx + dy * dy);',
  '}',
  '',
  'export const ORIGIN: Point = { x: 0, y: 0 };',
  '',
  'export const UNIT = 1;',
  '// end',
];

/** One person's VS Code. */
type Window = TestWindow;

describe('Code snippets end to end: Share Selection with Peer… and Open in another clone (two code-servers)', function () {
  let tmp = '';
  let bare = '';
  let head = '';
  let relay: Awaited<ReturnType<typeof startRelayProcess>> | undefined;
  let carol: CliProcess | undefined;
  let alice: Window | undefined;
  let bob: Window | undefined;
  const shotName = shotNames('snip');
  const reached = { joined: false, shared: false };

  const chat = (w: Window): Promise<Frame> => composerFrame(w);
  const snap = (w: Window, name: string): Promise<string> => snapPage(w.page, shotName(`${w.name}-${name}`), progress);

  async function open(name: string, workspaceDir: string, relayAddr: string, vsix: string): Promise<Window> {
    const server = await startCodeServer({
      name,
      workspaceDir,
      vsixPath: vsix,
      // No mDNS on the machine's network (see extension.test.ts).
      extraSettings: localRelaySettings(relayAddr),
    });
    const wb = await openWorkbench(server, { viewport: { width: 1400, height: 900 } });
    return { name, server, wb, page: wb.page };
  }

  async function join(w: Window): Promise<void> {
    await joinChat(w.page, w.name, () => chat(w));
  }

  /** Opens a file of the workspace with Quick Open and waits for its editor. */
  async function openFile(w: Window, rel: string): Promise<void> {
    await w.page.locator('.monaco-workbench .part.statusbar').first().click({ position: { x: 2, y: 2 } }).catch(() => undefined);
    await w.page.keyboard.press('Control+P');
    const box = await waitForQuickInput(w.page, STEP_MS);
    await box.fill(rel);
    await w.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor({ timeout: STEP_MS });
    await box.press('Enter');
    await w.page.locator(`.tab.active[aria-label*="${path.basename(rel)}"]`).first().waitFor({ timeout: STEP_MS });
  }

  /** The editor status bar's cursor/selection item ("Ln 9, Col 4 (95 selected)"). */
  async function cursorStatus(w: Window): Promise<string> {
    return (await w.page.locator('.statusbar-item[id="status.editor.selection"]').first().innerText().catch(() => '')).trim();
  }

  before(async function () {
    this.timeout(15 * 60_000);
    const run = prepareRun('snip', /^snip-.*\.(png|log)$/, progress, { realpath: true });
    tmp = run.tmp;
    const vsix = run.vsix;

    // One repository, a bare one as the remote, and a clone for each of alice and bob.
    bare = path.join(tmp, 'team.git');
    git(tmp, 'init', '-q', '--bare', bare);
    const seed = path.join(tmp, 'seed');
    git(tmp, 'clone', '-q', bare, seed);
    fs.mkdirSync(path.join(seed, 'src'));
    fs.writeFileSync(path.join(seed, 'src', 'math.ts'), `${MATH_LINES.join('\n')}\n`);
    git(seed, 'add', '.');
    git(seed, 'commit', '-q', '-m', 'math helpers');
    git(seed, 'push', '-q', 'origin', 'HEAD:main');
    head = git(seed, 'rev-parse', 'HEAD');
    for (const who of ['alice', 'bob']) git(tmp, 'clone', '-q', bare, path.join(tmp, `${who}-clone`));

    relay = await startRelayProcess();
    const relayAddr = `127.0.0.1:${relay.port}`;
    carol = CliProcess.start(['--relay', relayAddr, '--nick', 'carol']);
    await carol.event('registered', () => true, 30_000);
    alice = await open('alice', path.join(tmp, 'alice-clone'), relayAddr, vsix);
    bob = await open('bob', path.join(tmp, 'bob-clone'), relayAddr, vsix);
  });

  afterEach(async function () {
    const t = this.currentTest;
    if (!t || t.state !== 'failed') return;
    for (const w of [alice, bob]) {
      if (!w) continue;
      await reportFailure(w, `snip-failure-${w.name}-${titleSlug(t.title, 50)}`, { logChars: 3000, consoleLines: 20, who: w.name });
    }
    console.log(`----- carol: last events\n${carol?.events.slice(-10).map((e) => JSON.stringify(e)).join('\n')}`);
  });

  after(async function () {
    this.timeout(60_000);
    for (const w of [alice, bob]) {
      if (!w) continue;
      fs.writeFileSync(path.join(ARTIFACTS_DIR, `snip-${w.name}-peerchat.log`), w.server.vscodeLogs('Peer Chat'));
      await w.wb.close().catch(() => undefined);
      await w.server.stop().catch(() => undefined);
    }
    carol?.kill();
    relay?.proc.kill('SIGTERM');
  });

  it('alice and bob join from their windows', async function () {
    this.timeout(4 * STEP_MS);
    await join(alice!);
    await join(bob!);
    await carol!.waitFor((e) => (e.event === 'roster' && (e.nicks as string[]).includes('bob')) || (e.event === 'presence' && e.nick === 'bob'), 'bob online', STEP_MS);
    const f = await chat(alice!);
    await f.locator('button[data-testid=roster-item][data-nick=bob]').waitFor({ timeout: STEP_MS });
    reached.joined = true;
  });

  it('alice selects lines 11-15 and shares them from the editor context menu with everyone', async function () {
    this.timeout(4 * STEP_MS);
    if (!reached.joined) this.skip();
    const w = alice!;
    await openFile(w, 'src/math.ts');
    // Lines 11-15 (distance), as a user does: Go to Line 11, then Shift+Down five times.
    await w.page.keyboard.press('Control+G');
    await quickInput(w.page, ':11', STEP_MS); // Go to Line's box starts with ':'; fill replaces it
    for (let i = 0; i < 5; i++) await w.page.keyboard.press('Shift+ArrowDown');
    await until(async () => /Ln 16, Col 1 \(\d+ selected\)/.test(await cursorStatus(w)), async () => `the selection to reach line 16 (status: ${await cursorStatus(w)})`);
    // The editor's context menu, on the selection.
    const line = w.page.locator('.monaco-editor .view-line', { hasText: 'const dx = p.x - q.x;' }).first();
    const item = w.page.locator('.context-view .action-label', { hasText: 'Share Selection with Peer…' }).first();
    for (let attempt = 1; ; attempt++) {
      if (!(await item.isVisible().catch(() => false))) {
        await line.click({ button: 'right' });
        await item.waitFor({ state: 'visible', timeout: 15_000 });
      }
      await snap(w, 'editor-context-menu');
      await item.hover();
      await item.click();
      if (await w.page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) break;
      if (attempt >= 4) throw new Error('the context menu did not run Share Selection with Peer…');
    }
    await until(async () => /Share src\/math\.ts:11-15 with/.test(await w.page.locator('.quick-input-widget .quick-input-title').innerText().catch(() => '')), () => 'the recipient picker');
    await snap(w, 'recipient-picker');
    await quickPick(w.page, 'Everyone', { filter: 'Everyone' });

    // carol (terminal) gets it with the code link vscode.git gave.
    const got = await carol!.event('snippet', () => true, STEP_MS);
    assert.deepEqual(got, {
      event: 'snippet', from: 'alice', private: false,
      text: MATH_LINES.slice(10, 15).join('\n'), language: 'typescript', path: 'src/math.ts', startLine: 11, endLine: 15,
      repo: `file://${bare.replace(/\.git$/, '')}`, commit: head, branch: 'main', dirty: false,
    });
    // alice's own card, delivered.
    const f = await chat(w);
    const own = f.locator('[data-testid=message][data-own=true][data-snippet=true]').last();
    await own.waitFor({ timeout: STEP_MS });
    await own.locator('[data-testid=delivery][data-delivery=delivered]').waitFor({ timeout: STEP_MS });
    reached.shared = true;
  });

  it("bob sees the highlighted card and Open puts his cursor on those lines of his own clone", async function () {
    this.timeout(4 * STEP_MS);
    if (!reached.shared) this.skip();
    const w = bob!;
    const f = await chat(w);
    const card = f.locator('[data-testid=message][data-from=alice][data-snippet=true]').last();
    await card.waitFor({ timeout: STEP_MS });
    assert.equal((await card.locator('[data-testid=snippet-location]').innerText()).trim(), 'src/math.ts:11-15');
    assert.match(await card.locator('[data-testid=snippet-origin]').innerText(), new RegExp(`team @ ${head.slice(0, 7)}`));
    assert.equal(await card.locator('pre code').innerText(), MATH_LINES.slice(10, 15).join('\n'));
    assert.ok((await card.locator('pre code .hljs-keyword').count()) > 0, 'the code is highlighted');
    await card.scrollIntoViewIfNeeded();
    await snap(w, 'snippet-card');
    await card.locator('[data-testid=snippet-open]').click();
    await w.page.locator('.tab.active[aria-label*="math.ts"]').first().waitFor({ timeout: STEP_MS });
    await until(async () => /^Ln 15, Col \d+ \(\d+ selected\)$/.test(await cursorStatus(w)), async () => `lines 11-15 selected (status: ${await cursorStatus(w)})`);
    // …in bob's clone: the window's title names his folder, and the editor shows line 11.
    assert.match(await w.page.title(), /math\.ts.*bob-clone/);
    await w.page.locator('.monaco-editor .view-line', { hasText: 'export function distance(p: Point, q: Point): number {' }).first().waitFor({ timeout: STEP_MS });
    await snap(w, 'opened-at-lines');
  });

  it('lines bob changed since that commit open as a diff of her text against his working copy', async function () {
    this.timeout(4 * STEP_MS);
    if (!reached.shared) this.skip();
    const w = bob!;
    // bob edits line 12 in his editor (unsaved, uncommitted); carol shares the same lines from alice's clone.
    await w.page.locator('.monaco-editor .view-line', { hasText: 'const dx = p.x - q.x;' }).first().click();
    await w.page.keyboard.press('End');
    await w.page.keyboard.type(' // bob changed this');
    carol!.send(`/snippet ${path.join(tmp, 'alice-clone', 'src', 'math.ts')}:11-15`);
    const f = await chat(w);
    const cards = f.locator('[data-testid=message][data-from=carol][data-snippet=true]');
    await cards.first().waitFor({ timeout: STEP_MS });
    await cards.last().locator('[data-testid=snippet-open]').click();
    const diff = w.page.locator('.monaco-diff-editor').first();
    await diff.waitFor({ state: 'visible', timeout: STEP_MS });
    await w.page.locator('.tab.active', { hasText: "carol's lines 11-15" }).first().waitFor({ timeout: STEP_MS });
    // The two sides: her line on the left, his on the right.
    await diff.locator('.editor.original .view-line', { hasText: 'const dx = p.x - q.x;' }).first().waitFor({ timeout: STEP_MS });
    await diff.locator('.editor.modified .view-line', { hasText: 'bob changed this' }).first().waitFor({ timeout: STEP_MS });
    assert.equal(await diff.locator('.editor.original .view-line', { hasText: 'bob changed this' }).count(), 0, "the left side is carol's text");
    await snap(w, 'diff-lines-changed');
  });

  it('a snippet from outside any repository opens as an untitled editor in its language', async function () {
    this.timeout(4 * STEP_MS);
    if (!reached.shared) this.skip();
    const w = bob!;
    const loose = path.join(tmp, 'scratch.py');
    fs.writeFileSync(path.join(tmp, 'scratch.py'), 'def hello():\n    return "hi"\n');
    carol!.send(`/snippet @bob ${loose}`);
    const f = await chat(w);
    const card = f.locator('[data-testid=message][data-from=carol][data-snippet=true][data-private=true]').last();
    await card.waitFor({ timeout: STEP_MS });
    await card.locator('[data-testid=snippet-open]').click();
    await w.page.locator('.tab.active', { hasText: 'Untitled' }).first().waitFor({ timeout: STEP_MS });
    await w.page.locator('.monaco-editor .view-line', { hasText: 'def hello():' }).first().waitFor({ timeout: STEP_MS });
    const mode = (await w.page.locator('.statusbar-item[id="status.editor.mode"]').first().innerText()).trim();
    assert.equal(mode, 'Python');
    await snap(w, 'untitled-no-repo');
  });

  it('the card works from the keyboard (C copies) and passes axe', async function () {
    this.timeout(4 * STEP_MS);
    if (!reached.shared) this.skip();
    const w = bob!;
    const f = await chat(w);
    const card = f.locator('[data-testid=message][data-from=alice][data-snippet=true]').last();
    await card.focus();
    await w.page.keyboard.press('c');
    const clip = await until(
      async () => {
        const t = await w.page.evaluate(() => navigator.clipboard.readText()).catch(() => '');
        return t === MATH_LINES.slice(10, 15).join('\n') ? t : '';
      },
      () => 'the snippet on the clipboard',
    );
    assert.ok(clip);
    // Tab from the focused message reaches its buttons; each has a name saying what it does.
    const labels = await card.locator('[data-testid^=snippet-]').evaluateAll((els) => els.filter((e) => e.tagName === 'BUTTON').map((e) => e.getAttribute('aria-label')));
    assert.deepEqual(labels, ["Open alice's snippet src/math.ts:11-15 in the editor (O)", "Copy alice's snippet src/math.ts:11-15 (C)"]);

    const outer = f.parentFrame()!;
    await (await f.frameElement()).evaluate((el) => (el as Element).setAttribute('data-pc-axe', 'inner-snip'));
    await (await outer.frameElement()).evaluate((el) => (el as Element).setAttribute('data-pc-axe', 'outer-snip'));
    await f.evaluate(() => {
      const root = document.documentElement;
      root.style.backgroundColor = getComputedStyle(root).getPropertyValue('--vscode-panel-background').trim();
    });
    let results = await new AxeBuilder({ page: w.page }).include(['iframe[data-pc-axe="outer-snip"]', 'iframe[data-pc-axe="inner-snip"]', '#app']).analyze();
    if (results.passes.length === 0) {
      await f.evaluate(axeCore.source);
      results = (await f.evaluate(() => (window as unknown as { axe: typeof axeCore }).axe.run(document.getElementById('app')!))) as typeof results;
    }
    fs.writeFileSync(path.join(ARTIFACTS_DIR, 'snip-axe.json'), JSON.stringify({ violations: results.violations, passes: results.passes.map((p) => p.id) }, null, 2));
    assert.ok(results.passes.length > 10, `axe ran on the chat (${results.passes.length} rules passed)`);
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad.map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`), []);
    await f.evaluate(() => document.documentElement.style.removeProperty('background-color'));
    await snap(w, 'keyboard-and-axe');
  });
});
