/**
 * Received files in a real VS Code (code-server + Chromium, the packaged extension): a terminal
 * peer `bob` (dist/cli.js --json) sends files whose names match workspace files; alice's card
 * offers Compare with Workspace…, the diff editor shows bob's version beside hers, and Save Over,
 * Save Beside and Discard (from the notification or the diff's title bar) do what they say — checked on disk (bytes and SHA-256). A workspace
 * file changed between the diff and the decision is not overwritten; the diff is shown again.
 * A binary file is not offered a text diff; Open and Reveal work from a received card.
 *
 * One code-server for the file; the `it`s run in order. Screenshots: test-artifacts/e2e/recv-NN-*.png.
 *
 * Alone: npx mocha --no-config -r tsx/cjs --extension ts --exit test/e2e/receivedFiles.test.ts
 * (needs dist/cli.js and dist/relay.js: npm run build). PEERCHAT_E2E_VSIX=path installs a given
 * .vsix instead of packaging one.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { CliProcess, startRelayProcess } from '../support/cliProcess';
import { ARTIFACTS_DIR, dismissNotifications, openWorkbench, quickPick, startCodeServer, waitForQuickInput, type CodeServerHandle, type Workbench } from './harness';
import { STEP_MS, clickToastButton, composerFrame, endRun, joinChat, localRelaySettings, prepareRun, progressLog, reportFailure, shotNames, snapPage, titleSlug, toastSettled, until, type ChatWindow } from './steps';

const progress = progressLog('e2e');

const sha256 = (buf: Buffer | string): string => createHash('sha256').update(buf).digest('hex');
const sha256File = (file: string): string => sha256(fs.readFileSync(file));

describe('Received files: compare with the workspace, save over / beside / discard, open, reveal (code-server + Chromium)', function () {
  let tmp = '';
  let workspace = '';
  let downloads = '';
  let bobFiles = '';
  let relay: Awaited<ReturnType<typeof startRelayProcess>> | undefined;
  let bob: CliProcess | undefined;
  let server: CodeServerHandle | undefined;
  let wb: Workbench | undefined;
  let page: Page;
  const shotName = shotNames('recv');
  const reached = { joined: false };

  const ours = {
    notes: '# Notes\n\nAlice keeps her notes here.\n',
    guide: '# Guide\n\n1. Install.\n2. Run.\n',
    todo: 'buy milk\nfix the relay\n',
  };
  const theirs = {
    notes: '# Notes\n\nAlice keeps her notes here.\nBob added this line.\n',
    guide: '# Guide\n\n1. Install Node first.\n2. Run.\n',
    todo: 'buy milk\nfix the relay\nwrite the tests\n',
    hello: 'Hello from bob.\n',
  };

  let chatFrame: Frame | undefined;
  async function chat(timeoutMs = STEP_MS): Promise<Frame> {
    const w: ChatWindow = { page, frame: chatFrame };
    chatFrame = await composerFrame(w, timeoutMs);
    return chatFrame;
  }

  const snap = (name: string): Promise<string> => snapPage(page, shotName(name), progress);

  /** The finished card of the received file `name`. */
  async function receivedCard(name: string): Promise<Locator> {
    const f = await chat();
    const card = f.locator(`[data-testid=transfer-card][data-direction=receive][data-status=done][data-name="${name}"]`).last();
    await card.waitFor({ timeout: STEP_MS });
    return card;
  }

  /** bob sends `name` (text or bytes) to alice; resolves when alice's client saved it. */
  async function bobSends(name: string, content: string | Buffer): Promise<void> {
    const file = path.join(bobFiles, name);
    fs.writeFileSync(file, content);
    bob!.send(`/sendfile @alice ${file}`);
    await bob!.event('file-sent', (e) => e.to === 'alice' && e.name === name, STEP_MS);
  }

  /** The diff editor is the active editor, titled for the received file, with bob's text on its left. */
  async function diffShows(name: string, leftText: string, rightText: string): Promise<void> {
    const tab = page.locator('.tabs-container .tab.active');
    await until(async () => (await tab.innerText().catch(() => '')).includes(`${name} (from bob)`), async () => `the active tab to be the diff of ${name} (it is ${JSON.stringify(await tab.innerText().catch(() => ''))})`);
    const diff = page.locator('.monaco-diff-editor').first();
    await diff.waitFor({ state: 'visible', timeout: STEP_MS });
    const side = (which: 'original' | 'modified') => diff.locator(`.editor.${which} .view-lines`).first();
    const norm = (s: string) => s.replace(/\u00a0/g, ' ');
    await until(async () => norm(await side('original').innerText().catch(() => '')).includes(leftText), async () => `the left side to show "${leftText}" (it shows ${JSON.stringify(await side('original').innerText().catch(() => ''))})`);
    await until(async () => norm(await side('modified').innerText().catch(() => '')).includes(rightText), async () => `the right side to show "${rightText}"`);
  }

  before(async function () {
    this.timeout(15 * 60_000);
    const run = prepareRun('recv', /^recv-.*\.png$/, progress);
    tmp = run.tmp;
    const vsix = run.vsix;
    workspace = path.join(tmp, 'project');
    downloads = path.join(workspace, 'PeerChat Downloads');
    bobFiles = path.join(tmp, 'bob-files');
    fs.mkdirSync(path.join(workspace, 'docs'), { recursive: true });
    fs.mkdirSync(bobFiles, { recursive: true });
    fs.writeFileSync(path.join(workspace, 'notes.md'), ours.notes);
    fs.writeFileSync(path.join(workspace, 'docs', 'guide.md'), ours.guide);
    fs.writeFileSync(path.join(workspace, 'todo.txt'), ours.todo);
    fs.writeFileSync(path.join(workspace, 'data.bin'), randomBytes(4096));
    fs.mkdirSync(path.join(workspace, 'src'), { recursive: true });
    fs.writeFileSync(path.join(workspace, 'docs', 'readme.txt'), 'docs readme\n');
    fs.writeFileSync(path.join(workspace, 'src', 'readme.txt'), 'src readme\n');

    relay = await startRelayProcess();
    const relayAddr = `127.0.0.1:${relay.port}`;
    bob = CliProcess.start(['--relay', relayAddr, '--nick', 'bob', '--download-dir', path.join(tmp, 'bob-downloads')]);
    await bob.event('registered', () => true, 30_000);
    server = await startCodeServer({
      name: 'recv',
      workspaceDir: workspace,
      vsixPath: vsix,
      env: { XDG_CONFIG_HOME: path.join(tmp, 'alice-config') },
      // Accepting by a click is tested in extension.test.ts; here the files land at once.
      extraSettings: localRelaySettings(relayAddr, { 'peerchat.acceptFiles': 'always' }),
    });
    wb = await openWorkbench(server, { viewport: { width: 1400, height: 900 } });
    page = wb.page;
  });

  afterEach(async function () {
    const t = this.currentTest;
    if (!t || t.state !== 'failed' || !wb) return;
    await reportFailure({ page, server, wb }, `recv-failure-${titleSlug(t.title, 60)}`, { logChars: 4000, consoleLines: 30 });
  });

  after(async function () {
    this.timeout(60_000);
    if (server) fs.writeFileSync(path.join(ARTIFACTS_DIR, 'recv-peerchat.log'), server.vscodeLogs('Peer Chat'));
    await endRun({ peers: [bob], relay, wb, server, tmp });
  });

  it('joins as alice', async function () {
    this.timeout(3 * STEP_MS);
    await joinChat(page, 'alice', chat);
    await bob!.event('presence', (e) => e.nick === 'alice' && e.online === true, STEP_MS);
    reached.joined = true;
  });

  it('compares a received notes.md with the workspace one (diff: received vs workspace), then Save Over replaces the workspace bytes', async function () {
    this.timeout(4 * STEP_MS);
    if (!reached.joined) this.skip();
    await bobSends('notes.md', theirs.notes);
    const card = await receivedCard('notes.md');
    const compare = card.locator('[data-testid=transfer-compare]');
    await compare.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match((await compare.getAttribute('aria-label')) ?? '', /notes\.md from bob .*notes\.md in the workspace/);
    await card.locator('[data-testid=transfer-open]').waitFor({ state: 'visible' });
    await card.locator('[data-testid=transfer-reveal]').waitFor({ state: 'visible' });
    await snap('card-compare-offered');

    await compare.click();
    await diffShows('notes.md', 'Bob added this line.', 'Alice keeps her notes here.');
    await toastSettled(page, 'notes.md from bob is shown beside notes.md');
    // Nothing is saved before the user decides: the download is there, the workspace file is hers.
    assert.equal(sha256File(path.join(downloads, 'notes.md')), sha256(theirs.notes));
    assert.equal(sha256File(path.join(workspace, 'notes.md')), sha256(ours.notes));
    await snap('diff-notes-before-save-over');

    await clickToastButton(page, 'notes.md from bob is shown beside notes.md', 'Save Over');
    await until(() => sha256File(path.join(workspace, 'notes.md')) === sha256(theirs.notes), () => 'notes.md in the workspace to hold bob\'s bytes');
    // The workspace file is written first, then the download removed: never a moment without the bytes.
    await until(() => !fs.existsSync(path.join(downloads, 'notes.md')), () => 'notes.md to leave the download folder');
    const done = (await chat()).locator('[data-testid=transfer-card][data-name="notes.md"][data-resolution=savedOver]');
    await done.waitFor({ timeout: STEP_MS });
    assert.match(await done.locator('[data-testid=transfer-status]').innerText(), /Saved over the workspace file notes\.md/);
    assert.equal(await done.locator('[data-testid=transfer-compare]').count(), 0, 'no second decision');
    // The diff of a decided file closes.
    await until(async () => (await page.locator('.monaco-diff-editor').count()) === 0, () => 'the diff editor to close');
    await snap('card-saved-over');
  });

  it('Save Beside: guide.md from bob lands next to docs/guide.md as docs/guide (1).md; the original stays', async function () {
    this.timeout(4 * STEP_MS);
    if (!reached.joined) this.skip();
    await bobSends('guide.md', theirs.guide);
    const card = await receivedCard('guide.md');
    await card.locator('[data-testid=transfer-compare]').click();
    await diffShows('guide.md', 'Install Node first.', '1. Install.');
    await toastSettled(page, 'guide.md from bob is shown beside docs/guide.md');
    await snap('diff-guide-before-save-beside');
    await clickToastButton(page, 'guide.md from bob is shown beside docs/guide.md', 'Save Beside');
    const beside = path.join(workspace, 'docs', 'guide (1).md');
    // The name is claimed first (created empty, never overwriting), then the bytes are copied in:
    // wait for the bytes, not just the name (a clean-clone run once hashed the empty file).
    await until(
      () => fs.existsSync(beside) && sha256File(beside) === sha256(theirs.guide),
      () => `${beside} to hold bob's bytes (it ${fs.existsSync(beside) ? `holds ${fs.statSync(beside).size} bytes` : 'does not exist'})`,
    );
    assert.equal(sha256File(path.join(workspace, 'docs', 'guide.md')), sha256(ours.guide), 'the workspace file is untouched');
    await until(() => !fs.existsSync(path.join(downloads, 'guide.md')), () => 'guide.md to leave the download folder');
    const done = (await chat()).locator('[data-testid=transfer-card][data-name="guide.md"][data-resolution=savedBeside]');
    await done.waitFor({ timeout: STEP_MS });
    assert.match(await done.locator('[data-testid=transfer-status]').innerText(), /Saved in the workspace as guide \(1\)\.md/);
    await snap('card-saved-beside');
  });

  it('a name found in several places gives a pick: the chosen file is compared and saved over, the other stays', async function () {
    this.timeout(4 * STEP_MS);
    if (!reached.joined) this.skip();
    const bobs = 'bob\'s readme\n';
    await bobSends('readme.txt', bobs);
    const card = await receivedCard('readme.txt');
    const compare = card.locator('[data-testid=transfer-compare]');
    await compare.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await card.locator('[data-testid=transfer-status]').innerText(), /2 files named readme\.txt/);
    await compare.click();
    await waitForQuickInput(page, STEP_MS);
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name');
    await until(async () => (await rows.count()) === 2, () => 'a pick of the two readme.txt files');
    assert.deepEqual(await rows.allInnerTexts(), ['docs/readme.txt', 'src/readme.txt'], 'both, nearest the root then by path');
    await snap('pick-among-matches');
    await quickPick(page, 'src/readme.txt', { timeoutMs: STEP_MS });
    await diffShows('readme.txt', "bob's readme", 'src readme');
    await clickToastButton(page, 'readme.txt from bob is shown beside src/readme.txt', 'Save Over');
    await until(() => sha256File(path.join(workspace, 'src', 'readme.txt')) === sha256(bobs), () => 'src/readme.txt to hold bob\'s bytes');
    assert.equal(fs.readFileSync(path.join(workspace, 'docs', 'readme.txt'), 'utf8'), 'docs readme\n', 'the file not picked is untouched');
  });

  it('a workspace file changed after the diff is not overwritten: the diff is shown again; then Discard deletes only the download', async function () {
    this.timeout(5 * STEP_MS);
    if (!reached.joined) this.skip();
    await bobSends('todo.txt', theirs.todo);
    const card = await receivedCard('todo.txt');
    await card.locator('[data-testid=transfer-compare]').click();
    await diffShows('todo.txt', 'write the tests', 'fix the relay');
    // Someone edits todo.txt on disk while the question is open.
    const edited = 'buy milk\nfix the relay\nreview the PR\n';
    fs.writeFileSync(path.join(workspace, 'todo.txt'), edited);
    await clickToastButton(page, 'todo.txt from bob is shown beside todo.txt', 'Save Over');
    await toastSettled(page, 'todo.txt changed since the comparison');
    assert.equal(fs.readFileSync(path.join(workspace, 'todo.txt'), 'utf8'), edited, 'the edit was not overwritten');
    assert.equal(sha256File(path.join(downloads, 'todo.txt')), sha256(theirs.todo), 'the download is kept');
    await snap('changed-meanwhile-asks-again');

    await clickToastButton(page, 'todo.txt changed since the comparison', 'Compare Again');
    await diffShows('todo.txt', 'write the tests', 'review the PR');
    await toastSettled(page, 'todo.txt from bob is shown beside todo.txt');
    await snap('diff-todo-compared-again');
    // This time from the diff's title bar, which offers the same three decisions.
    const titleAction = (label: string) => page.locator(`.editor-group-container.active .editor-actions .action-label[aria-label^="${label}"]`).first();
    for (const label of ['Save Received File Over Workspace File', 'Save Received File Beside Workspace File', 'Discard Received File']) {
      await titleAction(label).waitFor({ state: 'visible', timeout: STEP_MS });
    }
    await titleAction('Discard Received File').click();
    await until(() => !fs.existsSync(path.join(downloads, 'todo.txt')), () => 'the download to be deleted');
    assert.equal(fs.readFileSync(path.join(workspace, 'todo.txt'), 'utf8'), edited, 'the workspace file is untouched');
    const done = (await chat()).locator('[data-testid=transfer-card][data-name="todo.txt"][data-resolution=discarded]');
    await done.waitFor({ timeout: STEP_MS });
    assert.equal(await done.locator('[data-testid=transfer-open]').count(), 0, 'nothing left to open');
    await until(async () => (await page.locator('.monaco-diff-editor').count()) === 0, () => 'the diff editor to close');
    assert.equal(await titleAction('Discard Received File').count(), 0, 'the title-bar decisions are gone with the diff');
    // The notification still on screen finds nothing left to decide.
    await clickToastButton(page, 'todo.txt from bob is shown beside todo.txt', 'Save Over');
    assert.equal(fs.readFileSync(path.join(workspace, 'todo.txt'), 'utf8'), edited);
    await snap('card-discarded');
  });

  it('a binary file named like a workspace file is not offered a text diff', async function () {
    this.timeout(3 * STEP_MS);
    if (!reached.joined) this.skip();
    const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00]), randomBytes(2048)]);
    await bobSends('data.bin', bytes);
    const card = await receivedCard('data.bin');
    await card.locator('[data-testid=transfer-open]').waitFor({ state: 'visible' });
    // The host looked at it (its log says so) and offers no comparison.
    await until(() => /data\.bin: is not a text file, so it is not compared/.test(server!.vscodeLogs('Peer Chat')), () => 'the Peer Chat log to say data.bin is not compared');
    assert.equal(await card.locator('[data-testid=transfer-compare]').count(), 0);
    assert.equal(sha256File(path.join(downloads, 'data.bin')), sha256(bytes));
  });

  it('Open and Reveal from a received card: the file opens in an editor, and the Explorer selects it', async function () {
    this.timeout(4 * STEP_MS);
    if (!reached.joined) this.skip();
    await dismissNotifications(page);
    await bobSends('hello.txt', theirs.hello);
    const card = await receivedCard('hello.txt');
    assert.equal(await card.locator('[data-testid=transfer-compare]').count(), 0, 'no workspace file of that name');
    await card.locator('[data-testid=transfer-open]').click();
    const tab = page.locator('.tabs-container .tab.active');
    await until(async () => (await tab.innerText().catch(() => '')).includes('hello.txt'), async () => `the active tab to be hello.txt (it is ${JSON.stringify(await tab.innerText().catch(() => ''))})`);
    const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    await until(async () => (await lines.innerText().catch(() => '')).replace(/\u00a0/g, ' ').includes('Hello from bob.'), () => 'the editor to show hello.txt');
    await snap('opened-received-file');

    await card.locator('[data-testid=transfer-reveal]').click();
    const row = page.locator('.explorer-folders-view .monaco-list-row.selected[aria-label^="hello.txt"], .explorer-folders-view .monaco-list-row.focused[aria-label^="hello.txt"]').first();
    await row.waitFor({ state: 'visible', timeout: STEP_MS });
    await snap('revealed-received-file');
  });
});
