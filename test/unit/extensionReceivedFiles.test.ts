/**
 * Received files against the workspace (src/extension/receivedFiles.ts): which workspace file a
 * received name matches, which files get a text diff, the name "beside", and the safety rules
 * of the three decisions — checked on real files in a temporary folder (bytes and hashes).
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  besideName,
  compareKind,
  discardReceived,
  fileCompareKind,
  matchFileName,
  matchWorkspaceFiles,
  MAX_COMPARE_BYTES,
  ReceivedFileError,
  saveBeside,
  saveOver,
  sha256File,
  TEXT_SNIFF_BYTES,
  type WorkspaceFile,
} from '../../src/extension/receivedFiles';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    assert.ok(e instanceof ReceivedFileError, `expected a ReceivedFileError, got ${String(e)}`);
    assert.match(e.message, /\S{3,}/);
    return e.code;
  }
}

describe('extension/receivedFiles: which workspace file a received name matches', () => {
  const A = '/ws/a';
  const B = '/ws/b';
  const files = (...xs: Array<[string, string]>): WorkspaceFile[] => xs.map(([folder, relPath]) => ({ folder, relPath }));

  it('no file of that name: no match', () => {
    assert.deepEqual(matchWorkspaceFiles('notes.md', files([A, 'other.md'], [A, 'src/notes.txt'])), []);
  });

  it('one file of that name anywhere: that one', () => {
    const m = matchWorkspaceFiles('notes.md', files([A, 'docs/notes.md'], [A, 'docs/other.md']));
    assert.deepEqual(m, [{ folder: A, relPath: 'docs/notes.md', rule: 'name' }]);
  });

  it('several files of that name (in several folders): all of them, nearest the root first, for a pick', () => {
    const m = matchWorkspaceFiles('notes.md', files([A, 'deep/er/notes.md'], [B, 'notes.md'], [A, 'x/notes.md'], [A, 'notes.md']));
    assert.deepEqual(
      m.map((x) => `${x.folder}:${x.relPath}`),
      ['/ws/a:notes.md', '/ws/b:notes.md', '/ws/a:x/notes.md', '/ws/a:deep/er/notes.md'],
    );
  });

  it('a sender path that exists in a folder wins over files that only share the name', () => {
    const m = matchWorkspaceFiles('docs/design.md', files([A, 'design.md'], [A, 'docs/design.md'], [B, 'old/design.md']));
    assert.deepEqual(m, [{ folder: A, relPath: 'docs/design.md', rule: 'path' }]);
    const both = matchWorkspaceFiles('docs/design.md', files([A, 'docs/design.md'], [B, 'docs/design.md']));
    assert.equal(both.length, 2, 'the same path in two folders: a pick');
    assert.ok(both.every((x) => x.rule === 'path'));
  });

  it('a sender path that no folder has falls back to the file name', () => {
    const m = matchWorkspaceFiles('docs/design.md', files([A, 'notes/design.md']));
    assert.deepEqual(m, [{ folder: A, relPath: 'notes/design.md', rule: 'name' }]);
  });

  it('names compare exactly (no case folding, no glob), as the download folder saves them', () => {
    assert.deepEqual(matchWorkspaceFiles('Notes.md', files([A, 'notes.md'])), []);
    assert.deepEqual(matchWorkspaceFiles('[ab].md', files([A, 'a.md'])), []);
    assert.equal(matchWorkspaceFiles('[ab].md', files([A, '[ab].md'])).length, 1);
    assert.equal(matchWorkspaceFiles('a*.md', files([A, 'a_.md'])).length, 1, 'saved as a_.md, so compared as a_.md');
    assert.equal(matchFileName('../../etc/passwd'), 'passwd', 'a hostile name is reduced to its last segment');
    assert.equal(matchFileName('docs/design.md'), 'design.md');
  });

  it('never matches files in the download folder or the received file itself', () => {
    const m = matchWorkspaceFiles(
      'notes.md',
      files([A, 'PeerChat Downloads/notes.md'], [A, 'incoming/notes.md'], [A, 'src/notes.md']),
      ['/ws/a/PeerChat Downloads', '/ws/a/incoming/notes.md'],
    );
    assert.deepEqual(m, [{ folder: A, relPath: 'src/notes.md', rule: 'name' }]);
  });
});

describe('extension/receivedFiles: text or not', () => {
  it('text: no NUL in the first 8 KiB and under the size bound', () => {
    assert.equal(compareKind(Buffer.from('# Notes\n'), 8), 'text');
    assert.equal(compareKind(Buffer.from('héllo ✓\r\n'), 12), 'text');
    assert.equal(compareKind(Buffer.alloc(0), 0), 'text', 'an empty file compares as text');
  });

  it('binary: a NUL byte early on; a NUL after the sniffed prefix is not looked at', () => {
    assert.equal(compareKind(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01]), 6), 'binary');
    const late = Buffer.alloc(TEXT_SNIFF_BYTES + 10, 0x61);
    late[TEXT_SNIFF_BYTES + 5] = 0;
    assert.equal(compareKind(late, late.length), 'text');
  });

  it('too large: above MAX_COMPARE_BYTES, whatever it holds', () => {
    assert.equal(compareKind(Buffer.from('abc'), MAX_COMPARE_BYTES + 1), 'tooLarge');
    assert.equal(compareKind(Buffer.from('abc'), MAX_COMPARE_BYTES), 'text');
  });

  it('reads it from disk', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'peerchat-kind-'));
    writeFileSync(path.join(dir, 't.md'), 'plain text\n');
    writeFileSync(path.join(dir, 'b.bin'), Buffer.from([1, 2, 0, 3]));
    assert.equal(await fileCompareKind(path.join(dir, 't.md')), 'text');
    assert.equal(await fileCompareKind(path.join(dir, 'b.bin')), 'binary');
  });
});

describe('extension/receivedFiles: the name beside', () => {
  it('`name (1).ext`, then the next free number, like the download folder', () => {
    const taken = new Set(['notes.md', 'notes (1).md', 'notes (2).md']);
    assert.equal(besideName('notes.md', (n) => taken.has(n)), 'notes (3).md');
    assert.equal(besideName('notes.md', () => false), 'notes (1).md');
    assert.equal(besideName('Makefile', (n) => n === 'Makefile (1)'), 'Makefile (2)');
    assert.equal(besideName('a.tar.gz', () => false), 'a.tar (1).gz');
  });

  it('gives up with NO_FREE_NAME instead of overwriting', () => {
    assert.throws(() => besideName('x.md', () => true, 5), (e: unknown) => e instanceof ReceivedFileError && e.code === 'NO_FREE_NAME');
  });
});

describe('extension/receivedFiles: the decisions and their safety rules (real files)', () => {
  let root = '';
  let ws = '';
  let downloads = '';
  const received = Buffer.from('# Notes\n\nThe version bob sent.\n');
  const original = Buffer.from('# Notes\n\nThe workspace version.\n');

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'peerchat-recv-'));
    ws = path.join(root, 'ws');
    downloads = path.join(ws, 'PeerChat Downloads');
    mkdirSync(path.join(ws, 'docs'), { recursive: true });
    mkdirSync(downloads);
    writeFileSync(path.join(ws, 'docs', 'notes.md'), original);
    writeFileSync(path.join(downloads, 'notes.md'), received);
  });

  const got = () => ({ path: path.join(downloads, 'notes.md'), sha256: sha(received) });
  const target = (): WorkspaceFile => ({ folder: ws, relPath: 'docs/notes.md' });

  it('Save over: the workspace file gets the received bytes, keeps its permissions; the download is gone', async () => {
    chmodSync(path.join(ws, 'docs', 'notes.md'), 0o640);
    const written = await saveOver(got(), target(), sha(original));
    assert.equal(written, path.join(ws, 'docs', 'notes.md'));
    assert.equal(sha(readFileSync(written)), sha(received));
    assert.equal(statSync(written).mode & 0o777, 0o640);
    assert.equal(existsSync(got().path), false, 'moved out of the download folder');
    assert.deepEqual(readdirSync(path.join(ws, 'docs')), ['notes.md'], 'no temporary file left behind');
  });

  it('Save over a workspace file changed since the diff: WORKSPACE_FILE_CHANGED, nothing written, nothing lost', async () => {
    const shown = sha(original);
    writeFileSync(path.join(ws, 'docs', 'notes.md'), 'edited meanwhile\n');
    assert.equal(await code(saveOver(got(), target(), shown)), 'WORKSPACE_FILE_CHANGED');
    assert.equal(readFileSync(path.join(ws, 'docs', 'notes.md'), 'utf8'), 'edited meanwhile\n');
    assert.equal(sha(readFileSync(got().path)), sha(received), 'the received file is still in the download folder');
    // Asked again with the new hash, it goes through.
    await saveOver(got(), target(), sha('edited meanwhile\n'));
    assert.equal(sha(readFileSync(path.join(ws, 'docs', 'notes.md'))), sha(received));
  });

  it('Save over never writes outside the workspace folder it matched (symlink out): OUTSIDE_WORKSPACE', async () => {
    const outside = path.join(root, 'outside.md');
    writeFileSync(outside, original);
    symlinkSync(outside, path.join(ws, 'docs', 'link.md'));
    const t: WorkspaceFile = { folder: ws, relPath: 'docs/link.md' };
    assert.equal(await code(saveOver(got(), t, sha(original))), 'OUTSIDE_WORKSPACE');
    assert.equal(await code(saveBeside(got(), t)), 'OUTSIDE_WORKSPACE');
    assert.equal(sha(readFileSync(outside)), sha(original), 'the file outside is untouched');
    assert.equal(existsSync(path.join(root, 'outside (1).md')), false);
    assert.ok(existsSync(got().path), 'the received file stays');
  });

  it('a path that climbs out of the folder is refused, and a folder is not a file', async () => {
    const outside = path.join(root, 'x.md');
    writeFileSync(outside, original);
    assert.equal(await code(saveOver(got(), { folder: ws, relPath: '../x.md' }, sha(original))), 'OUTSIDE_WORKSPACE');
    assert.equal(await code(saveOver(got(), { folder: ws, relPath: 'docs' }, sha(original))), 'NOT_A_FILE');
    assert.equal(await code(saveOver(got(), { folder: ws, relPath: 'gone.md' }, sha(original))), 'NOT_A_FILE');
    assert.equal(sha(readFileSync(outside)), sha(original));
  });

  it('a received file changed (or gone) in the download folder is not saved anywhere', async () => {
    writeFileSync(got().path, 'tampered\n');
    assert.equal(await code(saveOver(got(), target(), sha(original))), 'RECEIVED_FILE_CHANGED');
    assert.equal(await code(saveBeside(got(), target())), 'RECEIVED_FILE_CHANGED');
    assert.equal(sha(readFileSync(path.join(ws, 'docs', 'notes.md'))), sha(original));
    assert.deepEqual(readdirSync(path.join(ws, 'docs')), ['notes.md']);
    await discardReceived(got());
    assert.equal(await code(saveOver(got(), target(), sha(original))), 'RECEIVED_FILE_MISSING');
  });

  it('Save beside: `notes (1).md` next to the workspace file, then `notes (2).md`; the original stays', async () => {
    const first = await saveBeside(got(), target());
    assert.equal(first, path.join(ws, 'docs', 'notes (1).md'));
    assert.equal(sha(readFileSync(first)), sha(received));
    assert.equal(existsSync(got().path), false);
    writeFileSync(got().path, received);
    const second = await saveBeside(got(), target());
    assert.equal(second, path.join(ws, 'docs', 'notes (2).md'));
    assert.equal(sha(readFileSync(path.join(ws, 'docs', 'notes.md'))), sha(original));
    assert.equal(sha(readFileSync(first)), sha(received), 'the first copy was not overwritten');
  });

  it('Discard: the download is deleted, the workspace untouched', async () => {
    await discardReceived(got());
    assert.equal(existsSync(got().path), false);
    assert.equal(sha(readFileSync(path.join(ws, 'docs', 'notes.md'))), sha(original));
  });

  it('hashes files as the transfer does (SHA-256, hex)', async () => {
    assert.equal(await sha256File(got().path), sha(received));
  });
});
