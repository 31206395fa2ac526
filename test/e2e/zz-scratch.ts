import * as fs from 'fs'; import * as path from 'path'; import * as os from 'os';
import { startCodeServer, openWorkbench, sleep, runCommand, waitForQuickInput } from './harness';
(async () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'scr-'));
  fs.writeFileSync(path.join(ws, 'a.txt'), 'x');
  const s = await startCodeServer({ workspaceDir: ws, name: 'scr', vsixPath: 'dist/peerchat.vsix' });
  const wb = await openWorkbench(s);
  const p = wb.page;
  try {
  await runCommand(p, 'Preferences: Color Theme', 60000);
  const box = await waitForQuickInput(p);
  await sleep(1000);
  console.log('ROWS', await p.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name').allInnerTexts());
  await p.keyboard.press('Escape');
  await runCommand(p, 'Preferences: Open User Settings', 60000);
  await p.locator('.settings-editor').waitFor();
  await sleep(1000);
  await p.keyboard.type('peerchat.relay');
  await sleep(3000);
  const html = await p.locator('.settings-editor .settings-body').innerHTML();
  fs.writeFileSync('/tmp/scratch/settings.html', html);
  await p.screenshot({ path: '/tmp/scratch/settings.png' });
  } catch (e) { console.log(e); }
  await wb.close(); await s.stop();
})();
