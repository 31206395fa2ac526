/**
 * Opening a peer's snippet never reads outside the workspace folder (src/extension/confinedFile.ts),
 * also through a symlink inside the folder that points out of it.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { confinedRealPath, readConfined } from '../../src/extension/confinedFile';
import { confinedJoin } from '../../src/shared/codeLink';

describe('extension/confinedFile', () => {
  const tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'peerchat-confined-')));
  const folder = path.join(tmp, 'clone');
  mkdirSync(path.join(folder, 'src'), { recursive: true });
  writeFileSync(path.join(folder, 'src', 'x.ts'), 'inside\n');
  writeFileSync(path.join(tmp, 'secret.txt'), 'outside\n');
  symlinkSync(path.join(tmp, 'secret.txt'), path.join(folder, 'src', 'escape.ts'));
  symlinkSync(tmp, path.join(folder, 'up'));

  it('reads a file inside the folder', async () => {
    assert.deepEqual(await readConfined(path.join(folder, 'src', 'x.ts'), folder), { real: path.join(folder, 'src', 'x.ts'), text: 'inside\n' });
  });

  it('refuses a symlink that leads out of the folder, and paths through a linked directory', async () => {
    assert.equal(await readConfined(path.join(folder, 'src', 'escape.ts'), folder), undefined);
    assert.equal(await readConfined(path.join(folder, 'up', 'secret.txt'), folder), undefined);
    assert.equal(await confinedRealPath(path.join(folder, 'up', 'secret.txt'), folder), undefined);
  });

  it('a hostile snippet path never becomes a file to read', async () => {
    for (const p of ['../secret.txt', '/etc/passwd', 'src/../../secret.txt']) assert.equal(confinedJoin(folder, folder, p), undefined, p);
    // A path that passes the checks but resolves outside (a symlink) is still refused.
    const joined = confinedJoin(folder, folder, 'src/escape.ts');
    assert.equal(joined, path.join(folder, 'src', 'escape.ts'));
    assert.equal(await readConfined(joined!, folder), undefined);
  });

  it('a missing file or a directory reads as nothing', async () => {
    assert.equal(await readConfined(path.join(folder, 'nope.ts'), folder), undefined);
    assert.equal(await readConfined(path.join(folder, 'src'), folder), undefined);
  });
});
