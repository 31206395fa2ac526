/**
 * Issue 15 end to end, in the real VS Code (code-server 1.100.3 in Chromium, the packaged
 * extension): two people on one LAN go from nothing to chatting with no address typed.
 *
 *   alice: Peer Chat: Start Relay → "My network" → nickname → Copy Invitation (read back from
 *          the browser's clipboard)
 *   bob:   Join Chat lists alice's relay, found on the LAN; then Peer Chat: Open Invitation…
 *          (the UriHandler's command: a browser cannot click vscode:// links) → nickname → chat
 *   alice: Rotate Invitation; bob stays and they keep chatting.
 *
 * Each VS Code is another user (its own code-server, user data, SecretStorage) on its own
 * machine: a network namespace on one bridge (test/support/netLab.ts), with the code-server, its
 * extension host, the relay it starts and the Chromium showing it all inside. So the relay's LAN
 * address is the namespace's, and its multicast DNS stays on the lab's bridge: nothing here
 * announces or queries on this machine's own interfaces.
 *
 * Screenshots: test-artifacts/e2e/team-NN-*.png. Alone:
 *   npx mocha --no-config -r tsx/cjs --extension ts --timeout 20000 --exit test/e2e/team.test.ts
 * (root; needs dist/: npm run build). PEERCHAT_E2E_VSIX=path installs a given .vsix.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { parseInvitation } from '../../src/shared/invitation';
import { NetLab, prepareNetLab, type Host } from '../support/netLab';
import { buildVsix } from './vsix';
import { ARTIFACTS_DIR, chromiumInNamespace, ensureE2eSetup, openWorkbench, quickInput, runCommand, startCodeServer, waitForNotification, waitForQuickInput } from './harness';
import { STEP_MS, clearArtifacts, composerFrame, progressLog, reportFailure, shotNames, snapWithPanel, titleSlug, type TestWindow, until as pollUntil } from './steps';

/** The office LAN, inside the lab only (RFC 1918). */
const OFFICE_LAN = '10.62.0.0/24';

const progress = progressLog('team');

/** until() of steps.ts, polling every 250 ms (two VS Code instances at once). */
const until = <T>(cond: () => T | Promise<T>, what: () => string | Promise<string>, timeoutMs = STEP_MS) => pollUntil(cond, what, timeoutMs, 250);

/** One person: a VS Code in a namespace of its own. */
interface Person extends TestWindow {
  host: Host;
}

describe('Team in one step: Start Relay for the network, invitation, second VS Code joins (code-server in namespaces)', function () {
  let tmp = '';
  let lab: NetLab | null = null;
  const people: Person[] = [];
  let alice: Person;
  let bob: Person;
  const shotName = shotNames('team');
  let invitation = '';
  const reached = { relay: false, invitation: false, joined: false };

  const chat = (p: Person): Promise<Frame> => composerFrame(p);

  async function snap(p: Person, name: string): Promise<void> {
    await snapWithPanel(p.page, shotName(`${p.name}-${name}`), progress);
  }

  /** Types a line in the chat's composer and sends it. */
  async function say(p: Person, text: string): Promise<void> {
    await runCommand(p.page, 'Peer Chat: Open Chat', STEP_MS);
    const f = await chat(p);
    await f.locator('#composer').click();
    await p.page.keyboard.type(text, { delay: 5 });
    await p.page.keyboard.press('Enter');
    await until(async () => (await f.locator('#composer textarea').inputValue().catch(() => 'x')) === '', () => `${p.name}'s composer to clear`, 30_000);
  }

  /** Whatever the person's window shows as text (panel, notifications, quick input). */
  async function visibleText(p: Person): Promise<string> {
    const page = await p.page.locator('body').innerText().catch(() => '');
    const f = await chat(p).catch(() => undefined);
    const panel = f ? await f.locator('body').innerText().catch(() => '') : '';
    return `${page}\n${panel}`;
  }

  async function start(name: string, host: Host): Promise<Person> {
    const workspace = path.join(tmp, `${name}-project`);
    fs.mkdirSync(workspace, { recursive: true });
    fs.writeFileSync(path.join(workspace, 'README.md'), `# ${name}'s project\n`);
    const server = await startCodeServer({
      name,
      workspaceDir: workspace,
      vsixPath: vsixFile,
      prefix: lab!.execPrefix(host),
      extraSettings: {
        // Defaults for everything of issue 15: peerchat.relayServe "ask", peerchat.discovery on.
        'workbench.panel.defaultLocation': 'bottom',
        'window.commandCenter': false,
      },
    });
    const wb = await openWorkbench(server, { chromiumPath: chromiumInNamespace(host.ns, tmp) });
    const p: Person = { name, host, server, wb, page: wb.page };
    people.push(p);
    return p;
  }

  let vsixFile = '';

  before(async function () {
    this.timeout(20 * 60_000); // a fresh machine: apt, code-server, nftables
    progress.restart();
    ensureE2eSetup();
    const why = await prepareNetLab();
    if (why) throw new Error(`network lab unavailable: ${why}. Set up with \`sudo test/netlab/setup.sh\` and run the tests as root.`);
    clearArtifacts(/^team-.*\.(png|log)$/);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peerchat-e2e-team-'));
    vsixFile = buildVsix(tmp, progress);

    lab = await NetLab.create({ prefix: 'pce' });
    const office = await lab.addLan('office', { cidr: OFFICE_LAN });
    const aliceHost = await lab.addHost('alice', { segment: office });
    const bobHost = await lab.addHost('bob', { segment: office });
    [alice, bob] = await Promise.all([start('alice', aliceHost), start('bob', bobHost)]);
    progress(`alice's VS Code in ${aliceHost.ns} (${aliceHost.ip}), bob's in ${bobHost.ns} (${bobHost.ip})`);
  });

  afterEach(async function () {
    const t = this.currentTest;
    if (!t || t.state !== 'failed') return;
    for (const p of people) {
      await reportFailure(p, `team-failure-${p.name}-${titleSlug(t.title, 50)}`, { logChars: 3000, consoleLines: 15, who: p.name });
    }
  });

  after(async function () {
    this.timeout(60_000);
    for (const p of people) {
      fs.writeFileSync(path.join(ARTIFACTS_DIR, `team-${p.name}-peerchat.log`), p.server.vscodeLogs('Peer Chat'));
      await p.wb.close().catch(() => undefined);
      await p.server.stop().catch(() => undefined);
    }
    await lab?.destroy().catch(() => undefined);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('alice: Start Relay asks where to serve; "My network" serves her LAN address and she joins it', async function () {
    this.timeout(4 * STEP_MS);
    const page = alice.page;
    await runCommand(page, 'Peer Chat: Start Relay', STEP_MS); // also activates the extension
    await waitForQuickInput(page, STEP_MS);
    await until(async () => (await page.locator('.quick-input-widget .quick-input-title').innerText().catch(() => '')).includes('who should be able to join'), () => 'the "where to serve" question');
    await snap(alice, 'serve-question');
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'My network' }).first();
    await row.click();
    // Not joined yet: Start Relay joins it, asking the nickname.
    await until(async () => (await page.locator('.quick-input-widget .quick-input-title').innerText().catch(() => '')).includes('Join Peer Chat'), () => 'the nickname prompt');
    await quickInput(page, 'alice', STEP_MS);
    const f = await chat(alice);
    await f.locator('[data-testid=connection-status][data-status=registered]').waitFor({ timeout: STEP_MS });
    await f.locator('[data-testid=system-message]', { hasText: `Relay running on ${alice.host.ip}:12345 for your network` }).first().waitFor({ timeout: STEP_MS });
    await waitForNotification(page, 'serving your network', STEP_MS);
    reached.relay = true;
    await snap(alice, 'relay-for-network');
  });

  it('alice: Copy Invitation puts a link on the clipboard naming her LAN address and a secret — shown nowhere in full', async function () {
    this.timeout(3 * STEP_MS);
    if (!reached.relay) this.skip();
    const page = alice.page;
    await runCommand(page, 'Peer Chat: Copy Invitation', STEP_MS);
    await waitForNotification(page, 'Invitation copied', STEP_MS);
    await page.bringToFront();
    invitation = await until(async () => {
      const text = await page.evaluate(() => navigator.clipboard.readText()).catch(() => '');
      return text.startsWith('vscode://') ? text : undefined;
    }, () => 'the invitation on the clipboard');
    const parsed = parseInvitation(invitation);
    assert.ok(parsed.ok, invitation);
    assert.deepEqual(parsed.invitation.relays, [{ host: alice.host.ip, port: 12345 }]);
    const secret = parsed.invitation.secret ?? '';
    assert.match(secret, /^[A-Za-z0-9_-]{22}$/);
    await snap(alice, 'invitation-copied');
    // A credential: not in the chat, the notifications or the log.
    assert.ok(!(await visibleText(alice)).includes(secret), 'the secret is not on alice\'s screen');
    assert.ok(!alice.server.vscodeLogs('Peer Chat').includes(secret), 'the secret is not in the Peer Chat log');
    assert.match(alice.server.vscodeLogs('Peer Chat'), /Copied an invitation to the clipboard: vscode:\/\/peerchat\.peerchat\/join\?relay=[^ ]+&secret=•••/);
    reached.invitation = true;
  });

  it('bob: Join Chat lists alice\'s relay, found on the LAN (needs an invitation)', async function () {
    this.timeout(3 * STEP_MS);
    if (!reached.relay) this.skip();
    const page = bob.page;
    await runCommand(page, 'Peer Chat: Join Chat', STEP_MS);
    await waitForQuickInput(page, STEP_MS);
    const found = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: `${alice.host.ip}:12345` }).first();
    await found.waitFor({ timeout: STEP_MS });
    assert.match(await found.innerText(), /Needs an invitation/);
    await snap(bob, 'join-chat-lists-lan-relay');
    await page.keyboard.press('Escape');
  });

  it('bob: Open Invitation… with alice\'s link asks his nickname, joins her relay, and they chat both ways', async function () {
    this.timeout(5 * STEP_MS);
    if (!reached.invitation) this.skip();
    const page = bob.page;
    await runCommand(page, 'Peer Chat: Open Invitation…', STEP_MS);
    await waitForQuickInput(page, STEP_MS);
    await until(async () => (await page.locator('.quick-input-widget .quick-input-title').innerText().catch(() => '')).includes('Open a Peer Chat Invitation'), () => 'the invitation prompt');
    await quickInput(page, invitation, STEP_MS);
    await until(async () => (await page.locator('.quick-input-widget .quick-input-title').innerText().catch(() => '')).includes('Join Peer Chat'), () => 'bob\'s nickname prompt');
    const prompt = await page.locator('.quick-input-widget').innerText();
    assert.ok(prompt.includes(`${alice.host.ip}:12345`), `the prompt names the relay: ${prompt}`);
    await quickInput(page, 'bob', STEP_MS);
    const f = await chat(bob);
    await f.locator('[data-testid=connection-status][data-status=registered]').waitFor({ timeout: STEP_MS });
    await f.locator('button[data-testid=roster-item][data-nick=alice]').waitFor({ timeout: STEP_MS });
    reached.joined = true;

    await say(bob, 'Hi alice, bob here from the invitation');
    const a = await chat(alice);
    await a.locator('[data-testid=message][data-from=bob]', { hasText: 'Hi alice, bob here from the invitation' }).waitFor({ timeout: STEP_MS });
    await say(alice, '@bob Welcome to the team!');
    await f.locator('[data-testid=message][data-from=alice][data-private=true]', { hasText: 'Welcome to the team!' }).waitFor({ timeout: STEP_MS });
    assert.ok(!(await visibleText(bob)).includes(parseInvitation(invitation).ok ? (parseInvitation(invitation) as { ok: true; invitation: { secret: string } }).invitation.secret : 'x'));
    await snap(bob, 'joined-by-invitation');
    await snap(alice, 'bob-joined');
  });

  it('alice: Rotate Invitation makes a new one; bob, already in, stays and they keep chatting', async function () {
    this.timeout(3 * STEP_MS);
    if (!reached.joined) this.skip();
    await runCommand(alice.page, 'Peer Chat: Rotate Invitation', STEP_MS);
    await waitForNotification(alice.page, 'New invitation made', STEP_MS);
    await say(bob, 'still here after the rotation');
    const a = await chat(alice);
    await a.locator('[data-testid=message][data-from=bob]', { hasText: 'still here after the rotation' }).waitFor({ timeout: STEP_MS });
    const b = await chat(bob);
    assert.equal(await b.locator('[data-testid=connection-status][data-status=registered]').count(), 1);
    await snap(alice, 'after-rotation');
  });
});
