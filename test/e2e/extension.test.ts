/**
 * The VS Code extension, end to end, as a user does it: a real VS Code (code-server 1.100.3)
 * in Chromium with the packaged extension installed (`npm run package`, run by this file's
 * `before` in a private copy of the sources; see vsix.ts), a relay from dist/relay.js and a
 * terminal peer `bob` (dist/cli.js --json) on the other side.
 *
 * ONE code-server for the whole file; the `it`s run in order and share state (alice joins
 * once, then chats, sends, accepts, requests, switches themes, leaves, starts her own relay).
 * A failed step skips the steps that cannot run without it instead of timing out in each.
 *
 * Every step saves screenshots under test-artifacts/e2e/ (ext-NN-name.png, plus
 * ext-NN-name-panel.png = the bottom panel with the chat view, maximized for the chat-centred
 * steps). On failure: ext-failure-<test>.png, and the Peer Chat log, bob's last events and the
 * browser console are printed. After the run: ext-peerchat.log (the extension's output channel)
 * and ext-browser-console.log.
 *
 * Alone: npx mocha --no-config -r tsx/cjs --extension ts --exit test/e2e/extension.test.ts
 * (needs dist/cli.js and dist/relay.js: npm run build). PEERCHAT_E2E_VSIX=path installs a given
 * .vsix instead of packaging one.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { CliProcess, startRelayProcess } from '../support/cliProcess';
import { ARTIFACTS_DIR, dismissNotifications, freePort, openWorkbench, quickInput, quickPick, runCommand, startCodeServer, waitForNotification, waitForQuickInput, type CodeServerHandle, type Workbench } from './harness';
import { STEP_MS, composerFrame, endRun, localRelaySettings, prepareRun, progressLog, reportFailure, runPickerCommand, shotNames, snapWithPanel, titleSlug, until, type ChatWindow } from './steps';

/** The folder sent from the Explorer as one transfer job: relative path → size. */
const ALBUM: Record<string, number> = { 'cover.bin': 40 * 1024 + 3, 'disc1/track01.bin': 220 * 1024, 'disc1/notes/liner.txt': 900, 'disc2/track01.bin': 130 * 1024 + 1 };

const progress = progressLog('e2e');

const sha256 = (buf: Buffer): string => createHash('sha256').update(buf).digest('hex');
const sha256File = (file: string): string => sha256(fs.readFileSync(file));

/** Text that must stay readable in every theme (WCAG AA: 4.5 for body text, 3 for secondary labels). */
const CONTRAST_TARGETS = [
  { sel: '[data-testid=message][data-from=bob] .msg-text', what: 'message text', min: 4.5 },
  { sel: '[data-testid=message][data-from=bob] .msg-from', what: 'sender name', min: 4.5 },
  { sel: '[data-testid=private-marker]', what: 'private marker', min: 3 },
  { sel: '[data-testid=system-message] .msg-system-text', what: 'system notice', min: 3 },
  { sel: '[data-testid=transfer-card] [data-testid=transfer-status]', what: 'transfer status line', min: 3 },
  { sel: '[data-testid=connection-status]', what: 'connection line', min: 4.5 },
];

/** WCAG contrast ratio of two CSS colours `rgb(r, g, b)` / `rgba(r, g, b, a)` (alpha blended over bg). */
function contrast(fg: string, bg: string): number {
  const parse = (c: string): number[] => {
    const hex = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(c.trim());
    if (hex) {
      const n = [0, 2, 4].map((i) => parseInt(hex[1].slice(i, i + 2), 16));
      return hex[2] ? [...n, parseInt(hex[2], 16) / 255] : n;
    }
    return (c.match(/[\d.]+/g) ?? []).map(Number);
  };
  const [br, bgc, bb] = parse(bg);
  const [fr, fgc, fb, fa = 1] = parse(fg);
  const blend = (f: number, b: number) => f * fa + b * (1 - fa);
  const lum = (r: number, g: number, b: number) => {
    const ch = [r, g, b].map((v) => {
      const x = v / 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const l1 = lum(blend(fr, br), blend(fgc, bgc), blend(fb, bb));
  const l2 = lum(br, bgc, bb);
  return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
}

describe('VS Code extension end to end (code-server + Chromium)', function () {
  let tmp = '';
  let workspace = '';
  let bobShare = '';
  let bobDownloads = '';
  /** XDG_CONFIG_HOME of alice's VS Code and of her terminal client: they share her identity. */
  let aliceConfig = '';
  let relay: Awaited<ReturnType<typeof startRelayProcess>> | undefined;
  let relayAddr = '';
  let bob: CliProcess | undefined;
  let carol: CliProcess | undefined;
  let server: CodeServerHandle | undefined;
  let wb: Workbench | undefined;
  let page: Page;
  const shotName = shotNames('ext');
  /** Steps that later steps depend on. */
  const reached = { joined: false };

  /** The chat view's document (re-found when the webview was recreated). */
  let chatFrame: Frame | undefined;
  async function chat(timeoutMs = STEP_MS): Promise<Frame> {
    const w: ChatWindow = { page, frame: chatFrame };
    chatFrame = await composerFrame(w, timeoutMs);
    return chatFrame;
  }

  /**
   * Full-window screenshot plus one of the bottom panel (the chat view); returns the paths.
   * `big`: the panel is maximized for the panel shot (and restored), so more of the chat shows.
   */
  async function snap(name: string, opts: { big?: boolean } = {}): Promise<string[]> {
    return snapWithPanel(page, shotName(name), progress, {
      big: opts.big,
      // The webview resized: let the message list settle at its end again.
      grown: async () => (await chat()).locator('#messages').evaluate((el) => el.scrollTo({ top: el.scrollHeight })),
    });
  }

  /** Sets user settings the way a user does: the Settings editor, searched by id, one text field each. */
  async function setUserSettings(values: Record<string, string>): Promise<void> {
    // The Settings editor saves a value after a debounce, and searching for the next setting can
    // drop an edit not saved yet (seen: relayListenAddress typed, then lost when the search changed
    // to relayAddress, so Start Relay listened on the old address). So each value is read back from
    // settings.json before the next one is typed.
    const file = path.join(server!.userDataDir, 'User', 'settings.json');
    const saved = (): Record<string, unknown> => {
      try {
        return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      } catch {
        return {};
      }
    };
    await runCommand(page, 'Preferences: Open User Settings', STEP_MS);
    const editor = page.locator('.settings-editor');
    await editor.waitFor({ state: 'visible', timeout: STEP_MS });
    for (const [key, value] of Object.entries(values)) {
      const search = editor.locator('.settings-header .suggest-input-container');
      const searchText = async (): Promise<string> => (await search.locator('.view-lines').innerText().catch(() => '')).trim();
      // The search box is a Monaco editor, not an <input>: click, select all, type, and check that
      // it took (a click right after a save can land before the box takes focus).
      await until(async () => {
        await search.click();
        await page.keyboard.press('Control+A');
        await page.keyboard.type(key);
        return (await searchText()) === key;
      }, async () => `the settings search to read ${key} (it reads ${JSON.stringify(await searchText())})`);
      const field = editor.locator(`.setting-item-contents[data-key="${key}"] input[aria-label="${key}"]`);
      await field.waitFor({ state: 'visible', timeout: STEP_MS });
      await field.fill(value);
      await field.press('Tab'); // commit (the editor also saves after a short debounce)
      await until(async () => (await field.inputValue()) === value, () => `${key} to read ${value} in the Settings editor`);
      await until(
        async () => saved()[key] === value,
        () => `settings.json to hold ${key} = ${value} (it holds ${JSON.stringify(saved())})`,
      );
    }
    await snap('settings-editor');
  }

  /** Waits for the open quick input (pick or input box) to carry a title containing `text`. */
  async function quickTitle(text: string): Promise<void> {
    const title = page.locator('.quick-input-widget .quick-input-title');
    await until(
      async () => (await title.innerText().catch(() => '')).includes(text),
      async () => `the quick input title to contain "${text}" (it is ${JSON.stringify(await title.innerText().catch(() => ''))})`,
    );
  }

  /** Makes sure the chat view is on screen (Open Chat focuses it). */
  async function openChat(): Promise<Frame> {
    await runCommand(page, 'Peer Chat: Open Chat', STEP_MS);
    const f = await chat();
    await f.locator('#composer').waitFor({ state: 'visible', timeout: STEP_MS });
    return f;
  }

  /** Types a line into the composer and sends it with Enter; waits for the composer to clear. */
  async function say(text: string): Promise<void> {
    const f = await openChat();
    const composer = f.locator('#composer');
    await composer.click();
    await page.keyboard.type(text, { delay: 5 });
    // As a user does: Enter right after typing. ("@bob " opens the nick completion, which must
    // be closed again by the space and the text after it, or Enter would complete, not send.)
    await page.keyboard.press('Enter');
    const inner = f.locator('#composer textarea');
    await until(async () => (await inner.inputValue().catch(() => 'x')) === '', () => `the composer to clear after sending "${text}"`, 30_000);
    const err = f.locator('[data-testid=composer-error]');
    if (await err.isVisible().catch(() => false)) {
      const t = (await err.innerText()).trim();
      if (t) throw new Error(`the composer reported an error after "${text}": ${t}`);
    }
  }

  /** Right-clicks an Explorer row whose label is `name` and clicks the context-menu item `item`. */
  async function explorerContext(name: string, item: string): Promise<void> {
    await runCommand(page, 'View: Show Explorer', STEP_MS);
    const row = page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${name}"]`).first();
    await row.waitFor({ state: 'visible', timeout: STEP_MS });
    const menu = page.locator('.context-view .monaco-menu');
    const action = page.locator(`.context-view .action-label:has-text("${item}")`).first();
    // Under load the first click on a menu that has just opened is sometimes lost (the menu
    // stays open, item highlighted): click again until the menu closes.
    for (let attempt = 1; ; attempt++) {
      if (!(await action.isVisible().catch(() => false))) {
        await row.click({ button: 'right' }); // right-click alone: a left click would open the file
        await action.waitFor({ state: 'visible', timeout: 15_000 });
      }
      await action.hover();
      await action.click();
      if (await menu.waitFor({ state: 'hidden', timeout: 3_000 }).then(() => true, () => false)) return;
      progress(`context menu still open after clicking "${item}" (attempt ${attempt})`);
      if (attempt >= 4) throw new Error(`the context menu did not run "${item}"`);
    }
  }

  before(async function () {
    this.timeout(15 * 60_000); // first run on a fresh machine: apt + code-server install
    const run = prepareRun('ext', /^ext-.*\.(png|log)$/, progress);
    tmp = run.tmp;
    const vsix = run.vsix;
    workspace = path.join(tmp, 'project');
    bobShare = path.join(tmp, 'bob-share');
    bobDownloads = path.join(tmp, 'bob-downloads');
    fs.mkdirSync(path.join(workspace, 'incoming'), { recursive: true });
    fs.mkdirSync(path.join(bobShare, 'docs'), { recursive: true });
    fs.mkdirSync(bobDownloads, { recursive: true });
    fs.writeFileSync(path.join(workspace, 'report.bin'), randomBytes(300 * 1024 + 17));
    fs.writeFileSync(path.join(workspace, 'notes.md'), '# Notes\n\nA workspace file that stays put.\n');
    // A folder for Send to Peer… (a transfer job): nested files and a symlink that must not be followed.
    for (const [rel, bytes] of Object.entries(ALBUM)) {
      fs.mkdirSync(path.dirname(path.join(workspace, 'album', rel)), { recursive: true });
      fs.writeFileSync(path.join(workspace, 'album', rel), randomBytes(bytes));
    }
    fs.symlinkSync('/etc/hostname', path.join(workspace, 'album', 'link-outside'));
    fs.writeFileSync(path.join(bobShare, 'photo.bin'), randomBytes(180 * 1024 + 5));
    fs.writeFileSync(path.join(bobShare, 'docs', 'design.md'), `# Design\n\n${'The relay forwards datagrams. '.repeat(1500)}\n`);

    relay = await startRelayProcess();
    relayAddr = `127.0.0.1:${relay.port}`;
    bob = CliProcess.start(['--relay', relayAddr, '--nick', 'bob', '--share', bobShare, '--download-dir', bobDownloads]);
    await bob.event('registered', () => true, 30_000);

    aliceConfig = path.join(tmp, 'alice-config');
    server = await startCodeServer({
      name: 'alice',
      workspaceDir: workspace,
      vsixPath: vsix,
      // Where "Use My Identity in the Terminal" writes alice's key for her terminal client.
      env: { XDG_CONFIG_HOME: aliceConfig },
      // This VS Code runs on the machine's own network: no mDNS there (discovery is tested in
      // namespaces, test/integration/lanDiscovery.test.ts and test/e2e/team.test.ts), and
      // Start Relay serves this machine only without asking.
      extraSettings: localRelaySettings(relayAddr, { 'peerchat.relayServe': 'thisMachine' }),
    });
    wb = await openWorkbench(server, { viewport: { width: 1400, height: 900 } });
    page = wb.page;
  });

  afterEach(async function () {
    const t = this.currentTest;
    if (!t || t.state !== 'failed' || !wb) return;
    await reportFailure({ page, server, wb }, `ext-failure-${titleSlug(t.title, 60)}`, {
      logChars: 4000,
      consoleLines: 30,
      extra: () => `----- bob: last events\n${bob?.events.slice(-15).map((e) => JSON.stringify(e)).join('\n')}\nstderr: ${bob?.stderr.slice(-10).join('\n')}`,
    });
  });

  after(async function () {
    this.timeout(60_000);
    if (wb) fs.writeFileSync(path.join(ARTIFACTS_DIR, 'ext-browser-console.log'), wb.console.join('\n') + '\n');
    if (server) fs.writeFileSync(path.join(ARTIFACTS_DIR, 'ext-peerchat.log'), server.vscodeLogs('Peer Chat'));
    await endRun({ peers: [carol, bob], relay, wb, server, tmp });
  });

  it('joins from the command palette (Peer Chat: Join Chat → nickname alice) and bob sees her online', async function () {
    this.timeout(3 * STEP_MS);
    await runCommand(page, 'Peer Chat: Join Chat', STEP_MS); // the first command also activates the extension
    await waitForQuickInput(page, STEP_MS);
    await quickTitle('Join Peer Chat');
    await quickInput(page, 'alice', STEP_MS);

    const f = await chat();
    await f.locator('[data-testid=connection-status][data-status=registered]').waitFor({ timeout: STEP_MS });
    await bob!.event('presence', (e) => e.nick === 'alice' && e.online === true, STEP_MS);
    // Alice's roster lists bob and herself.
    await f.locator('button[data-testid=roster-item][data-nick=bob]').waitFor({ timeout: STEP_MS });
    assert.match(await f.locator('[data-testid=roster-self]').innerText(), /alice/);
    // The join notice names the relay.
    await f.locator('[data-testid=system-message]', { hasText: `Joined ${relayAddr} as alice` }).first().waitFor({ timeout: STEP_MS });
    reached.joined = true;
    await snap('joined');
  });

  it('exchanges broadcast and private messages with bob in both directions, shown in the panel', async function () {
    this.timeout(4 * STEP_MS);
    if (!reached.joined) this.skip();
    // alice → everyone
    await say('Hello everyone!');
    const b1 = await bob!.event('message', (e) => e.from === 'alice' && e.text === 'Hello everyone!', STEP_MS);
    assert.equal(b1.private, false, 'bob got "Hello everyone!" as a broadcast');
    // alice → bob, private
    await say('@bob Hi Bob!');
    const b2 = await bob!.event('message', (e) => e.from === 'alice' && e.text === 'Hi Bob!', STEP_MS);
    assert.equal(b2.private, true, 'bob got "Hi Bob!" as a private message');
    assert.equal(bob!.all('message').filter((e) => e.from === 'alice').length, 2, 'bob got exactly the two messages alice sent');

    // bob → everyone, bob → alice private
    bob!.send('Hi all, bob from the terminal here');
    await bob!.event('message-sent', (e) => e.text === 'Hi all, bob from the terminal here', STEP_MS);
    bob!.send('@alice this one is just for you');
    await bob!.event('message-sent', (e) => e.text === 'this one is just for you' && e.to === 'alice', STEP_MS);

    const f = await chat();
    const pub = f.locator('[data-testid=message][data-from=bob]', { hasText: 'Hi all, bob from the terminal here' });
    await pub.waitFor({ timeout: STEP_MS });
    assert.equal(await pub.getAttribute('data-private'), 'false');
    assert.equal(await pub.locator('[data-testid=private-marker]').count(), 0, 'no private marker on a broadcast');
    const priv = f.locator('[data-testid=message][data-from=bob]', { hasText: 'this one is just for you' });
    await priv.waitFor({ timeout: STEP_MS });
    assert.equal(await priv.getAttribute('data-private'), 'true');
    await priv.locator('[data-testid=private-marker]').waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal((await priv.locator('.msg-text').innerText()).trim(), 'this one is just for you');

    // Alice's own two messages are in her timeline, the private one marked.
    const ownPub = f.locator('[data-testid=message][data-own=true]', { hasText: 'Hello everyone!' });
    const ownPriv = f.locator('[data-testid=message][data-own=true]', { hasText: 'Hi Bob!' });
    await ownPub.waitFor({ timeout: 10_000 });
    await ownPriv.waitFor({ timeout: 10_000 });
    assert.equal(await ownPub.getAttribute('data-private'), 'false');
    assert.equal(await ownPriv.getAttribute('data-private'), 'true');
    assert.equal(await f.locator('[data-testid=message][data-from=bob]').count(), 2, 'exactly bob\'s two messages in the panel');
    await snap('messages', { big: true });
  });

  it('a second window of the same profile joins as another device of alice: both windows and bob chat, nobody flaps', async function () {
    this.timeout(8 * STEP_MS);
    if (!reached.joined) this.skip();
    const relayLines: string[] = [];
    relay!.proc.stdout.on('data', (d: Buffer) => relayLines.push(...d.toString().split('\n').filter(Boolean)));
    const alicePresence = () => bob!.all('presence').filter((e) => e.nick === 'alice').length;
    const presenceBefore = alicePresence();
    const first = { page, frame: chatFrame };
    // Another window of the same VS Code user (same browser profile, same code-server user data):
    // its own extension host, the profile's one identity key.
    const page2 = await wb!.context.newPage();
    const target = new URL(server!.url + '/');
    target.searchParams.set('folder', workspace);
    await page2.goto(target.toString(), { waitUntil: 'domcontentloaded', timeout: STEP_MS });
    await page2.waitForSelector('.monaco-workbench .part.statusbar', { state: 'visible', timeout: STEP_MS });
    const inWindow = async (w: { page: Page; frame: Frame | undefined }, fn: () => Promise<void>): Promise<void> => {
      const saved = { page, frame: chatFrame };
      page = w.page;
      chatFrame = w.frame;
      try {
        await fn();
      } finally {
        w.frame = chatFrame;
        page = saved.page;
        chatFrame = saved.frame;
      }
    };
    const second = { page: page2, frame: undefined as Frame | undefined };
    try {
      await inWindow(second, async () => {
        await runCommand(page, 'Peer Chat: Join Chat', STEP_MS);
        await waitForQuickInput(page, STEP_MS);
        await quickTitle('Join Peer Chat');
        await quickInput(page, 'alice', STEP_MS);
        const f = await chat();
        await f.locator('[data-testid=connection-status][data-status=registered]').waitFor({ timeout: STEP_MS });
        await f.locator('[data-testid=system-message]', { hasText: 'another device of alice' }).first().waitFor({ timeout: STEP_MS });
        assert.match(await f.locator('[data-testid=roster-self]').innerText(), /alice.*2 devices/);
      });
      // bob sees one member alice, on two devices, and no leave or join for it.
      bob!.send('/who');
      await bob!.event('roster', (e) => JSON.stringify(e.members).includes('{"nick":"alice","devices":2}'), STEP_MS);
      bob!.send('Both of your windows see this');
      bob!.send('@alice privately, in both windows');
      for (const w of [first, second]) {
        await inWindow(w, async () => {
          const f = await chat();
          await f.locator('[data-testid=message][data-from=bob]', { hasText: 'Both of your windows see this' }).waitFor({ timeout: STEP_MS });
          const priv = f.locator('[data-testid=message][data-from=bob]', { hasText: 'privately, in both windows' });
          await priv.waitFor({ timeout: STEP_MS });
          assert.equal(await priv.getAttribute('data-private'), 'true');
        });
      }
      // Each window speaks; bob hears both; the other window shows it as sent from another device.
      await inWindow(second, () => say('From the second window'));
      await bob!.event('message', (e) => e.from === 'alice' && e.text === 'From the second window', STEP_MS);
      await inWindow(first, () => say('@bob and from the first window'));
      await bob!.event('message', (e) => e.from === 'alice' && e.text === 'and from the first window' && e.private === true, STEP_MS);
      for (const [w, text] of [[first, 'From the second window'], [second, 'and from the first window']] as const) {
        await inWindow(w, async () => {
          const f = await chat();
          const copy = f.locator('[data-testid=message][data-own=true]', { hasText: text });
          await copy.waitFor({ timeout: STEP_MS });
          await copy.locator('.msg-elsewhere').waitFor({ timeout: STEP_MS });
        });
      }
      // The first window's own message says it was delivered (acknowledged by bob).
      await inWindow(first, async () => {
        const f = await chat();
        const own = f.locator('[data-testid=message][data-own=true]:not(:has(.msg-elsewhere))', { hasText: 'and from the first window' });
        await own.locator('[data-testid=delivery][data-delivery=delivered]').waitFor({ timeout: STEP_MS });
      });
      await inWindow(second, () => snap('second-window').then(() => undefined));
      await snap('first-window-with-second');
      assert.equal(alicePresence(), presenceBefore, 'bob saw alice neither leave nor join');
      assert.deepEqual(relayLines.filter((l) => /\bmoved\b|\brename\b/.test(l)), [], 'the relay moved or renamed no one');
      assert.equal(bob!.all('message').filter((e) => e.from === 'alice' && /window/.test(String(e.text))).length, 2, 'each message once');
      // Alice also opens a terminal as a third device of hers: the profile's identity is written
      // as the terminal client's key for her nickname, then `peerchat --nick alice` uses it.
      await runCommand(page, 'Peer Chat: Use My Identity in the Terminal', STEP_MS);
      const keyFile = path.join(aliceConfig, 'peerchat', 'identities', 'alice', 'identity.json');
      await until(() => fs.existsSync(keyFile), () => `${keyFile} to be written`);
      const term = CliProcess.start(['--relay', relayAddr, '--nick', 'alice'], { defaultIdentity: true, env: { XDG_CONFIG_HOME: aliceConfig } });
      try {
        const reg = await term.event('registered', () => true, STEP_MS);
        assert.equal(reg.devices, 3, 'the terminal joined as alice\'s third device');
        await bob!.event('member-devices', (e) => e.nick === 'alice' && e.devices === 3, STEP_MS);
        // One identity: bob sees one fingerprint for alice, the terminal's, on three devices.
        bob!.send('/whois alice');
        const who = await bob!.event('whois', (e) => e.nick === 'alice', STEP_MS);
        assert.deepEqual([who.fingerprint, who.devices], [reg.fingerprint, 3]);
        assert.equal(bob!.all('peer-key-changed').length, 0, 'a new device is not a key change');
        term.send('and this is alice in a terminal');
        await bob!.event('message', (e) => e.from === 'alice' && e.text === 'and this is alice in a terminal', STEP_MS);
        bob!.send('@alice to all three of you');
        await term.event('message', (e) => e.from === 'bob' && e.text === 'to all three of you' && e.private === true, STEP_MS);
        await inWindow(first, async () => {
          const f = await chat();
          await f.locator('[data-testid=message][data-own=true]', { hasText: 'and this is alice in a terminal' }).locator('.msg-elsewhere').waitFor({ timeout: STEP_MS });
          await f.locator('[data-testid=message][data-from=bob]', { hasText: 'to all three of you' }).waitFor({ timeout: STEP_MS });
        });
        await snap('three-devices');
        term.send('exit');
        await term.exited;
      } finally {
        term.kill();
      }
      await bob!.event('member-devices', (e) => e.nick === 'alice' && e.devices === 2, STEP_MS);
      // The second window leaves (code-server keeps a closed window's extension host for hours,
      // so closing the tab alone would not end it): alice is still online, on one device.
      await inWindow(second, () => runCommand(page, 'Peer Chat: Leave Chat', STEP_MS));
      await bob!.event('member-devices', (e) => e.nick === 'alice' && e.devices === 1, STEP_MS);
      assert.equal(alicePresence(), presenceBefore, 'one window leaving is not alice leaving');
    } finally {
      await page2.close().catch(() => undefined);
    }
  });

  it('sends a workspace file from the Explorer context menu (Send to Peer… → bob); bob gets the same bytes', async function () {
    this.timeout(4 * STEP_MS);
    if (!reached.joined) this.skip();
    const src = path.join(workspace, 'report.bin');
    await explorerContext('report.bin', 'Send to Peer…');
    await waitForQuickInput(page, STEP_MS);
    await quickTitle('Send report.bin to');
    await snap('send-pick-peer');
    await quickPick(page, 'bob', { timeoutMs: STEP_MS });

    const offer = await bob!.event('file-offer', (e) => e.from === 'alice' && e.name === 'report.bin', STEP_MS);
    assert.equal(offer.bytes, fs.statSync(src).size, 'the offer announces the file size');
    assert.equal(offer.sha256, sha256File(src), 'the offer announces the file hash');
    bob!.send(`/accept ${String(offer.id)}`);
    const got = await bob!.event('file-received', (e) => e.id === offer.id, STEP_MS);
    const saved = String(got.path);
    assert.equal(path.dirname(saved), bobDownloads, 'saved in bob\'s download dir');
    assert.equal(fs.statSync(saved).size, fs.statSync(src).size);
    assert.equal(sha256File(saved), sha256File(src), 'SHA-256 of bob\'s copy equals the workspace file');

    const f = await chat();
    const card = f.locator('[data-testid=transfer-card][data-direction=send][data-name="report.bin"]');
    await card.first().waitFor({ timeout: STEP_MS });
    await f.locator('[data-testid=transfer-card][data-direction=send][data-name="report.bin"][data-status=done]').waitFor({ timeout: STEP_MS });
    await snap('sent-file-done', { big: true });
  });

  it('sends a folder from the Explorer (Send to Peer… on album/ → bob) as one job; bob gets the tree, the job card shows it done', async function () {
    this.timeout(4 * STEP_MS);
    if (!reached.joined) this.skip();
    await explorerContext('album', 'Send to Peer…');
    await waitForQuickInput(page, STEP_MS);
    await quickTitle('Send album to');
    await quickPick(page, 'bob', { timeoutMs: STEP_MS });

    const offer = await bob!.event('job-offer', (e) => e.from === 'alice' && e.name === 'album', STEP_MS);
    assert.equal(offer.files, Object.keys(ALBUM).length, 'every regular file, the symlink left out');
    assert.equal(offer.bytes, Object.values(ALBUM).reduce((a, b) => a + b, 0));
    const f = await chat();
    const card = f.locator('[data-testid=job-card][data-direction=send][data-name="album"]');
    await card.first().waitFor({ timeout: STEP_MS });
    bob!.send(`/accept ${String(offer.id)}`);
    const done = await bob!.event('job-done', (e) => e.id === offer.id, STEP_MS);
    const root = String(done.path);
    assert.equal(root, path.join(bobDownloads, 'album'));
    for (const rel of Object.keys(ALBUM)) {
      assert.equal(sha256File(path.join(root, rel)), sha256File(path.join(workspace, 'album', rel)), `${rel} arrived byte for byte`);
    }
    assert.equal(fs.existsSync(path.join(root, 'link-outside')), false, 'the symlink was not followed');

    const doneCard = f.locator('[data-testid=job-card][data-direction=send][data-name="album"][data-status=done]');
    await doneCard.waitFor({ timeout: STEP_MS });
    const line = doneCard.locator('[data-testid=job-recipient][data-nick=bob]');
    assert.equal(await line.getAttribute('data-status'), 'done');
    assert.match(await line.innerText(), /4 files, every SHA-256 verified/);
    assert.match(await doneCard.locator('[data-testid=job-status]').innerText(), /Delivered to 1 of 1 member \(4 files/);
    await doneCard.scrollIntoViewIfNeeded();
    await doneCard.screenshot({ path: path.join(ARTIFACTS_DIR, 'ext-job-card-done.png') });
    await snap('sent-folder-job-done', { big: true });

    // To everyone (bob and dave): bob accepts, dave declines; one card, a line for each.
    const daveDl = path.join(tmp, 'dave-downloads');
    const dave = CliProcess.start(['--relay', relayAddr, '--nick', 'dave', '--download-dir', daveDl]);
    try {
      await dave.event('registered', () => true, STEP_MS);
      await f.locator('button[data-testid=roster-item][data-nick=dave]').waitFor({ timeout: STEP_MS });
      await explorerContext('album', 'Send to Peer…');
      await waitForQuickInput(page, STEP_MS);
      await quickTitle('Send album to');
      await snap('send-folder-pick-everyone');
      await quickPick(page, 'Everyone', { timeoutMs: STEP_MS });
      const bobOffer = await bob!.event('job-offer', (e) => e.from === 'alice' && e.id !== offer.id, STEP_MS);
      const daveOffer = await dave.event('job-offer', (e) => e.from === 'alice', STEP_MS);
      dave.send(`/decline ${String(daveOffer.id)}`);
      bob!.send(`/accept ${String(bobOffer.id)}`);
      const again = await bob!.event('job-done', (e) => e.id === bobOffer.id, STEP_MS);
      assert.equal(again.path, path.join(bobDownloads, 'album (1)'), 'a second copy beside the first, never over it');
      for (const rel of Object.keys(ALBUM)) assert.equal(sha256File(path.join(String(again.path), rel)), sha256File(path.join(workspace, 'album', rel)));
      assert.ok(!fs.existsSync(daveDl) || fs.readdirSync(daveDl).length === 0, 'nothing written for dave');
      const both = f.locator('[data-testid=job-card][data-direction=send][data-name="album"]', { has: f.locator('[data-testid=job-recipient][data-nick=dave]') });
      await both.locator('[data-testid=job-recipient][data-nick=bob][data-status=done]').waitFor({ timeout: STEP_MS });
      await both.locator('[data-testid=job-recipient][data-nick=dave][data-status=declined]').waitFor({ timeout: STEP_MS });
      assert.equal(await both.getAttribute('data-status'), 'done', 'the job is done: one member got it, the other declined');
      assert.match(await both.locator('[data-testid=job-status]').innerText(), /Delivered to 1 of 2 members/);
      await both.scrollIntoViewIfNeeded();
      await both.screenshot({ path: path.join(ARTIFACTS_DIR, 'ext-job-card-everyone.png') });
      dave.send('exit');
      await dave.exited;
    } finally {
      dave.kill();
    }
    await bob!.event('presence', (e) => e.nick === 'dave' && e.online === false, STEP_MS);
  });

  it('accepts a file bob offers by clicking Accept on the transfer card; the file is on disk', async function () {
    this.timeout(4 * STEP_MS);
    if (!reached.joined) this.skip();
    await openChat();
    const src = path.join(bobShare, 'photo.bin');
    bob!.send(`/sendfile @alice ${src}`);
    const f = await chat();
    const offered = f.locator('[data-testid=transfer-card][data-direction=receive][data-name="photo.bin"][data-status=offered]');
    await offered.waitFor({ timeout: STEP_MS });
    assert.match(await offered.locator('[data-testid=transfer-status]').innerText(), /\S/, 'the card has a status line');
    await snap('incoming-offer-card');
    await offered.locator('[data-testid=transfer-accept]').click();

    const done = f.locator('[data-testid=transfer-card][data-direction=receive][data-name="photo.bin"][data-status=done]');
    await done.waitFor({ timeout: STEP_MS });
    const sent = await bob!.event('file-sent', (e) => e.to === 'alice' && e.name === 'photo.bin', STEP_MS);
    const dest = path.join(workspace, 'PeerChat Downloads', 'photo.bin');
    await until(() => fs.existsSync(dest), () => `${dest} to exist`, 30_000);
    const bytes = fs.readFileSync(dest);
    assert.equal(bytes.length, fs.statSync(src).size);
    assert.equal(sha256(bytes), sha256File(src), 'SHA-256 of the downloaded file equals bob\'s file');
    assert.equal(sent.sha256, sha256(bytes));
    // The done card offers Open and Reveal.
    await done.locator('[data-testid=transfer-open]').waitFor({ state: 'visible', timeout: 10_000 });
    await done.locator('[data-testid=transfer-reveal]').waitFor({ state: 'visible', timeout: 10_000 });
    await snap('incoming-file-done', { big: true });
  });

  it('requests a file from bob via the Explorer folder menu (Request File from Peer…); it lands in that folder', async function () {
    this.timeout(4 * STEP_MS);
    if (!reached.joined) this.skip();
    await explorerContext('incoming', 'Request File from Peer…');
    await waitForQuickInput(page, STEP_MS);
    await quickTitle('Request a file from');
    await quickPick(page, 'bob', { timeoutMs: STEP_MS });
    await quickTitle('Request a file from bob');
    const box = await waitForQuickInput(page, STEP_MS);
    await box.fill('docs/design.md');
    await snap('request-path-input');
    await box.press('Enter');

    const req = await bob!.event('file-request', (e) => e.from === 'alice', STEP_MS);
    assert.equal(req.name, 'docs/design.md', 'bob is asked for exactly the typed path');
    bob!.send(`/accept ${String(req.id)}`);
    const sent = await bob!.event('file-sent', (e) => e.to === 'alice' && e.name === 'design.md', STEP_MS);

    const f = await chat();
    await f.locator('[data-testid=transfer-card][data-origin=request][data-status=done]').waitFor({ timeout: STEP_MS });
    const dest = path.join(workspace, 'incoming', 'design.md');
    await until(() => fs.existsSync(dest), () => `${dest} to exist (incoming/ has: ${fs.readdirSync(path.join(workspace, 'incoming')).join(', ')})`, 30_000);
    assert.equal(sha256File(dest), sha256File(path.join(bobShare, 'docs', 'design.md')), 'the requested file has bob\'s bytes');
    assert.equal(sent.sha256, sha256File(dest));
    assert.ok(!fs.existsSync(path.join(workspace, 'PeerChat Downloads', 'design.md')), 'it went to the right-clicked folder, not the download folder');
    await snap('requested-file-done', { big: true });
  });

  it('with the chat hidden: unread count in the status bar, notifications for a private message and an offer (Accept), history back on reopening', async function () {
    this.timeout(5 * STEP_MS);
    if (!reached.joined) this.skip();
    await dismissNotifications(page);
    await runCommand(page, 'View: Hide Panel', STEP_MS);
    await page.locator('.monaco-workbench .part.panel').waitFor({ state: 'hidden', timeout: STEP_MS });
    // No retainContextWhenHidden: the webview document goes away with the view.
    await until(async () => {
      for (const fr of page.frames()) if (!fr.isDetached() && (await fr.$('#composer').catch(() => null))) return false;
      return true;
    }, () => 'the chat webview to be disposed after hiding the panel');

    bob!.send('anyone still here?');
    const status = page.locator('.monaco-workbench .part.statusbar .statusbar-item', { hasText: 'alice' }).first();
    await until(async () => /alice\s+1 new/.test(await status.innerText().catch(() => '')), async () => `the status bar to say "alice 1 new" (it says ${JSON.stringify(await status.innerText().catch(() => ''))})`);

    bob!.send('@alice psst, while your chat is closed');
    const note = await waitForNotification(page, 'bob (private): psst, while your chat is closed', STEP_MS);
    assert.match(note, /bob \(private\)/);
    await page.locator('.notification-toast', { hasText: 'psst, while your chat is closed' }).locator('.monaco-button', { hasText: 'Reply' }).first().waitFor({ timeout: 10_000 });
    await until(async () => /alice\s+2 new/.test(await status.innerText().catch(() => '')), () => 'the status bar to say "alice 2 new"');

    // bob offers a new photo.bin; alice already has one in PeerChat Downloads: it must not be overwritten.
    const downloads = path.join(workspace, 'PeerChat Downloads');
    const firstCopy = path.join(downloads, 'photo.bin');
    const firstHash = sha256File(firstCopy);
    const src = path.join(bobShare, 'photo.bin');
    fs.writeFileSync(src, randomBytes(64 * 1024 + 3));
    bob!.send(`/sendfile @alice ${src}`);
    const offerText = await waitForNotification(page, 'bob wants to send you photo.bin', STEP_MS);
    assert.match(offerText, /bob wants to send you photo\.bin \(64 KiB\)/, `offer notification: ${offerText}`);
    const offerToast = page.locator('.notification-toast', { hasText: 'bob wants to send you photo.bin' }).first();
    const accept = offerToast.locator('.monaco-button', { hasText: /^Accept$/ }).first();
    await accept.waitFor({ state: 'visible', timeout: 10_000 });
    // Screenshot once the toast has faded in (VS Code marks the end of its animation).
    await page
      .locator('.notification-toast-container.notification-fade-in-done', { hasText: 'bob wants to send you photo.bin' })
      .waitFor({ timeout: 10_000 })
      .catch(() => undefined);
    await snap('hidden-chat-notifications');
    await accept.click();
    const sent = await bob!.event('file-sent', (e) => e.to === 'alice' && e.name === 'photo.bin' && e.sha256 === sha256File(src), STEP_MS);
    await waitForNotification(page, 'Received photo', STEP_MS);
    assert.equal(sha256File(firstCopy), firstHash, 'the photo.bin received earlier is untouched');
    const others = fs.readdirSync(downloads).filter((n) => n !== 'photo.bin' && n.startsWith('photo'));
    assert.equal(others.length, 1, `one more photo file in ${downloads}: ${fs.readdirSync(downloads).join(', ')}`);
    assert.equal(sha256File(path.join(downloads, others[0])), sent.sha256, `${others[0]} has the bytes bob sent`);
    progress(`second photo.bin saved as ${others[0]}`);

    // The status bar item opens the chat; the history is all there and the unread count is gone.
    await status.click();
    const f = await chat();
    await f.locator('[data-testid=message][data-from=bob]', { hasText: 'anyone still here?' }).waitFor({ timeout: STEP_MS });
    await f.locator('[data-testid=message][data-from=bob][data-private=true]', { hasText: 'psst, while your chat is closed' }).waitFor({ timeout: STEP_MS });
    await f.locator('[data-testid=message][data-own=true]', { hasText: 'Hello everyone!' }).waitFor({ timeout: STEP_MS });
    await f.locator('[data-testid=transfer-card][data-name="report.bin"][data-status=done]').waitFor({ timeout: STEP_MS });
    // Both photo.bin offers are done; the second card names the copy as saved (never overwritten).
    assert.equal(await f.locator('[data-testid=transfer-card][data-name="photo.bin"][data-status=done]').count(), 1, 'the first photo.bin card is done');
    assert.equal(await f.locator(`[data-testid=transfer-card][data-name="${others[0]}"][data-status=done]`).count(), 1, `the second card is done and named ${others[0]}`);
    await until(async () => !/new/.test(await status.innerText().catch(() => 'new')), () => 'the unread count to clear once the chat is open');
    // …and so does the count on the view's tab in the panel (WebviewView.badge).
    const tabBadge = page
      .locator('.monaco-workbench .part.panel .composite-bar .action-item', { has: page.locator('.action-label[aria-label*="Peer Chat"]') })
      .locator('.badge .badge-content');
    await until(
      async () => !(await tabBadge.isVisible().catch(() => false)) || (await tabBadge.innerText().catch(() => '')).trim() === '',
      async () => `the unread badge on the Peer Chat tab to clear with the chat open (it shows "${(await tabBadge.innerText().catch(() => '?')).trim()}" while the status bar says "${(await status.innerText().catch(() => '?')).trim()}")`,
      30_000,
    );
    await dismissNotifications(page);
    await snap('chat-reopened', { big: true });
  });

  it('renders the chat panel in light, high-contrast and dark themes', async function () {
    this.timeout(4 * STEP_MS);
    if (!reached.joined) this.skip();
    await dismissNotifications(page);
    const themes: Array<[string, string, string, string]> = [
      // Labels in the theme picker of VS Code 1.100 (setting values "Default Light Modern", …).
      ['Light Modern', 'vs', 'vscode-light', 'theme-light'],
      ['Dark High Contrast', 'hc-black', 'vscode-high-contrast', 'theme-high-contrast'],
      ['Dark Modern', 'vs-dark', 'vscode-dark', 'theme-dark'],
    ];
    const backgrounds = new Map<string, string>();
    for (const [theme, wbClass, webviewClass, name] of themes) {
      await runPickerCommand(page, 'Preferences: Color Theme', /Select Color Theme/);
      progress(`theme picker open (${theme})`);
      await quickPick(page, theme, { timeoutMs: STEP_MS });
      progress(`picked ${theme}`);
      await page.locator(`.monaco-workbench.${wbClass}`).waitFor({ timeout: STEP_MS });
      progress(`workbench is ${wbClass}`);
      const f = await openChat();
      await until(
        async () => ((await f.locator('body').getAttribute('class').catch(() => '')) ?? '').split(/\s+/).includes(webviewClass),
        () => `the webview body to get class ${webviewClass}`,
      );
      // Text against what is behind it (the nearest ancestor with an opaque background).
      const measured = await f.evaluate((sels) =>
        sels.map((sel) => {
          const el = document.querySelector(sel);
          if (!el) return { sel, fg: '', bg: '' };
          // The webview document is transparent over the panel: without an opaque ancestor,
          // the panel's background (a theme variable VS Code sets on <html>) is what is behind.
          let bgEl: Element | null = el;
          let bg = getComputedStyle(document.documentElement).getPropertyValue('--vscode-panel-background').trim();
          while (bgEl) {
            const c = getComputedStyle(bgEl).backgroundColor;
            if (c && !/rgba\(.*,\s*0\)$/.test(c) && c !== 'transparent') {
              bg = c;
              break;
            }
            bgEl = bgEl.parentElement;
          }
          return { sel, fg: getComputedStyle(el).color, bg };
        }),
      CONTRAST_TARGETS.map((t) => t.sel));
      for (const m of measured) {
        const target = CONTRAST_TARGETS.find((t) => t.sel === m.sel)!;
        assert.ok(m.fg && m.bg, `${theme}: ${m.sel} is in the panel`);
        const ratio = contrast(m.fg, m.bg);
        progress(`${theme}: ${target.what} ${m.fg} on ${m.bg}: contrast ${ratio.toFixed(2)}`);
        assert.ok(ratio >= target.min, `${theme}: ${target.what} has contrast ${ratio.toFixed(2)} (< ${target.min}) — ${m.fg} on ${m.bg}`);
      }
      backgrounds.set(theme, measured[0].bg);
      await snap(name, { big: true });
    }
    assert.equal(new Set(backgrounds.values()).size, themes.length, `the chat background follows the theme: ${JSON.stringify([...backgrounds])}`);
  });

  it('leaves (Peer Chat: Leave Chat), starts a relay in VS Code (Peer Chat: Start Relay) and joins it; a terminal client sees alice there', async function () {
    this.timeout(5 * STEP_MS);
    if (!reached.joined) this.skip();
    const port = await freePort();
    const addr2 = `127.0.0.1:${port}`;
    // Changing peerchat.relayAddress while joined must raise "applies from the next join":
    // that is also our proof that the extension has the new settings. (Editing settings.json
    // behind code-server's back is not noticed by it, so this goes through the Settings editor.)
    await setUserSettings({ 'peerchat.relayListenAddress': addr2, 'peerchat.relayAddress': addr2 });
    await waitForNotification(page, 'the changed settings apply from the next join', STEP_MS);
    await runCommand(page, 'View: Close All Editors', STEP_MS);
    await dismissNotifications(page);

    await runCommand(page, 'Peer Chat: Leave Chat', STEP_MS);
    let f = await chat();
    await f.locator('[data-testid=connection-status][data-status=idle]').waitFor({ timeout: STEP_MS });
    await bob!.event('presence', (e) => e.nick === 'alice' && e.online === false, STEP_MS);
    await snap('left');

    await runCommand(page, 'Peer Chat: Start Relay', STEP_MS);
    // Not joined: it asks the nickname (prefilled with the last one) — or joins directly.
    f = await chat();
    const registered = f.locator('[data-testid=connection-status][data-status=registered]');
    const which = await until(
      async () =>
        (await page.locator('.quick-input-widget .quick-input-box input').isVisible().catch(() => false))
          ? 'prompt'
          : (await registered.count().catch(() => 0)) > 0
            ? 'registered'
            : undefined,
      () => 'a nickname prompt or a registered connection after Start Relay',
    );
    if (which === 'prompt') {
      const prompt = await page.locator('.quick-input-widget').innerText().catch(() => '');
      assert.ok(prompt.includes(addr2), `the nickname prompt names the new relay ${addr2}: ${JSON.stringify(prompt)}`);
      await snap('start-relay-nickname');
      await quickInput(page, 'alice', STEP_MS);
    }
    f = await chat();
    await f.locator('[data-testid=connection-status][data-status=registered]').waitFor({ timeout: STEP_MS });
    await f.locator('[data-testid=system-message]', { hasText: `Relay running on ${addr2}` }).first().waitFor({ timeout: STEP_MS });
    await f.locator('[data-testid=system-message]', { hasText: `Joined ${addr2} as alice` }).first().waitFor({ timeout: STEP_MS });

    carol = CliProcess.start(['--relay', addr2, '--nick', 'carol']);
    await carol.event('registered', () => true, STEP_MS);
    await carol.event('roster', (e) => Array.isArray(e.nicks) && (e.nicks as string[]).includes('alice'), STEP_MS);
    // Both ways on the new relay: carol's private message shows up in alice's panel.
    carol.send('@alice found you on your own relay');
    const m = f.locator('[data-testid=message][data-from=carol][data-private=true]', { hasText: 'found you on your own relay' });
    await m.waitFor({ timeout: STEP_MS });
    await f.locator('button[data-testid=roster-item][data-nick=carol]').waitFor({ timeout: STEP_MS });
    assert.equal(await f.locator('button[data-testid=roster-item][data-nick=bob]').count(), 0, 'bob is on the other relay, not in this roster');
    await snap('own-relay-joined', { big: true });
  });

  it('stops the relay (Peer Chat: Stop Relay): alice leaves and the terminal client loses the relay', async function () {
    this.timeout(3 * STEP_MS);
    if (!carol) this.skip();
    await runCommand(page, 'Peer Chat: Stop Relay', STEP_MS);
    const f = await chat();
    await f.locator('[data-testid=connection-status][data-status=idle]').waitFor({ timeout: STEP_MS });
    await f.locator('[data-testid=system-message]', { hasText: 'The relay in this window stopped' }).first().waitFor({ timeout: STEP_MS });
    await carol!.event('state', (e) => e.state === 'unreachable', STEP_MS);
    await snap('relay-stopped');
  });
  it('the chat webview has a strict CSP and logged no CSP violation or script error during the run', async function () {
    this.timeout(STEP_MS);
    if (!wb) this.skip();
    // Positive control: an image from elsewhere must be refused, and the refusal must reach the
    // console we watch (else "no violations" below would prove nothing).
    const f = await chat();
    await f.evaluate(() => {
      const img = document.createElement('img');
      img.src = 'https://csp-probe.invalid/probe.png';
      document.body.appendChild(img);
    });
    await until(() => wb!.console.some((l) => /csp-probe\.invalid/.test(l) && /Content Security Policy|Refused/i.test(l)), () => `a CSP refusal of the probe image in the console (last lines: ${wb!.console.slice(-5).join(' | ')})`, 30_000);
    const bad = wb!.console.filter(
      (l) => /Content Security Policy|Refused to (load|apply|execute|run|connect|frame)|\[pageerror\]/i.test(l) && !/csp-probe\.invalid/.test(l),
    );
    assert.deepEqual(bad, [], `console lines:\n${bad.join('\n')}`);
  });
});
