/**
 * The extension's manifest: package.json carries exactly what src/extension/contributes.json
 * says (the fragment the extension's code is written against), and every command the title bar
 * of a received file's diff shows is contributed (src/extension/receivedFileActions.ts).
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');
const read = (p: string) => JSON.parse(readFileSync(path.join(root, p), 'utf8')) as Record<string, any>;

// receivedFileActions.ts and contextKeys.ts import vscode; their ids are repeated here on purpose.
const COMPARING_RECEIVED = 'peerchat.comparingReceived';
const RECEIVED_COMMANDS = ['peerchat.receivedSaveOver', 'peerchat.receivedSaveBeside', 'peerchat.receivedDiscard'];

describe('extension manifest', () => {
  it('package.json contributes what src/extension/contributes.json says', () => {
    const pkg = read('package.json');
    const fragment = read('src/extension/contributes.json');
    assert.deepEqual(pkg.contributes, fragment.contributes);
    assert.deepEqual(pkg.activationEvents, fragment.activationEvents);
  });

  it('the received-file diff offers Save Over, Save Beside and Discard in its title bar, only while comparing', () => {
    const c = read('package.json').contributes;
    const ids = (c.commands as Array<{ command: string }>).map((x) => x.command);
    const title = c.menus['editor/title'] as Array<{ command: string; when: string }>;
    for (const id of RECEIVED_COMMANDS) {
      assert.ok(ids.includes(id), `${id} is a contributed command`);
      assert.equal(title.find((m) => m.command === id)?.when, COMPARING_RECEIVED);
      assert.equal((c.menus.commandPalette as Array<{ command: string; when: string }>).find((m) => m.command === id)?.when, COMPARING_RECEIVED);
    }
  });
});
