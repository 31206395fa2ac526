import * as fs from 'fs'; import * as path from 'path'; import * as os from 'os';
import { startCodeServer, openWorkbench, sleep, runCommand, waitForQuickInput } from './harness';
(async () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'scr-'));
  fs.writeFileSync(path.join(ws, 'a.txt'), 'x');
  const s = await startCodeServer({ workspaceDir: ws, name: 'scr', vsixPath: 'dist/peerchat.vsix' });
  const wb = await openWorkbench(s);
  const p = wb.page;
  try {
  await runCommand(p, 'Peer Chat: Open Chat', 60000);
  await p.keyboard.press('F1');
  const box = await waitForQuickInput(p);
  await box.fill('>Preferences: Color Theme');
  const row = p.locator('.quick-input-widget .quick-input-list .monaco-list-row', { has: p.locator('.label-name', { hasText: /^Preferences: Color Theme$/ }) });
  await row.click();
  await p.locator('.quick-input-widget .quick-input-box input[placeholder*="Theme" i]').waitFor({timeout: 30000}).catch(e=>console.log('noplaceholder', e.message));
  console.log('PH', await p.locator('.quick-input-widget .quick-input-box input').getAttribute('placeholder'));
  await sleep(1000);
  console.log('ROWS', await p.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name').allInnerTexts());
  await p.screenshot({ path: '/tmp/e2e-helper/theme.png' });
  await p.keyboard.press('Escape');
  throw new Error('done');
  await runCommand(p, 'Preferences: Open User Settings', 60000);
  await p.locator('.settings-editor').waitFor();
  await sleep(1000);
  await p.keyboard.type('peerchat.relay');
  await sleep(3000);
  const html = await p.locator('.settings-editor .settings-body').innerHTML();
  fs.writeFileSync('/tmp/e2e-helper/settings.html', html);
  await p.screenshot({ path: '/tmp/e2e-helper/settings.png' });
  } catch (e) { console.log(e); } finally {}
  await wb.close(); await s.stop();
})();
