import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkRequestName, isInside, numberedName, resolveInShare, sanitizeFileName } from '../../src/client/sharedFolder';

describe('path confinement (shared folders)', () => {
  it('accepts plain relative names and normalises separators and "."', () => {
    assert.deepEqual(checkRequestName('notes/todo.md'), { ok: true, segments: ['notes', 'todo.md'] });
    assert.deepEqual(checkRequestName('./notes\\todo.md'), { ok: true, segments: ['notes', 'todo.md'] });
  });

  for (const bad of ['', '/etc/passwd', '\\\\server\\share\\x', 'C:\\Windows\\win.ini', 'c:/x', '../x', 'a/../../x', 'a/..', 'a\u0000b', 'a\nb', '\u007f']) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.equal(checkRequestName(bad).ok, false);
    });
  }

  it('isInside is true for the root and below it only', () => {
    assert.equal(isInside('/a/b', '/a/b'), true);
    assert.equal(isInside('/a/b', '/a/b/c/d'), true);
    assert.equal(isInside('/a/b', '/a/bc'), false);
    assert.equal(isInside('/a/b', '/a'), false);
  });

  it('resolves real files and refuses escapes through symlinks, with codes', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'peerchat-share-'));
    const outside = mkdtempSync(path.join(os.tmpdir(), 'peerchat-outside-'));
    mkdirSync(path.join(root, 'docs'));
    writeFileSync(path.join(root, 'docs', 'a.md'), 'hello');
    writeFileSync(path.join(outside, 'secret'), 'no');
    symlinkSync(path.join(outside, 'secret'), path.join(root, 'link'));
    symlinkSync(outside, path.join(root, 'dirlink'));
    const found = await resolveInShare([root], 'docs/a.md');
    assert.equal(found.bytes, 5);
    const code = async (name: string, dirs = [root]) => {
      try {
        await resolveInShare(dirs, name);
        return 'OK';
      } catch (e) {
        return (e as { code?: string }).code;
      }
    };
    assert.equal(await code('link'), 'PATH_OUTSIDE_SHARE');
    assert.equal(await code('dirlink/secret'), 'PATH_OUTSIDE_SHARE');
    assert.equal(await code('../x'), 'PATH_OUTSIDE_SHARE');
    assert.equal(await code('docs'), 'NOT_A_FILE');
    assert.equal(await code('missing.txt'), 'FILE_NOT_FOUND');
    assert.equal(await code('docs/a.md', []), 'NO_SHARED_FOLDER');
  });
});

describe('received file names', () => {
  const cases: Array<[string, string]> = [
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\x\\evil.exe', 'evil.exe'],
    ['.bashrc', 'bashrc'],
    ['a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
    ['line\nbreak.txt', 'line_break.txt'],
    ['CON', '_CON'],
    ['nul.txt', '_nul.txt'],
    ['...', 'file'],
    ['', 'file'],
  ];
  for (const [input, expected] of cases) {
    it(`sanitises ${JSON.stringify(input)} to ${JSON.stringify(expected)}`, () => {
      assert.equal(sanitizeFileName(input), expected);
    });
  }

  it('keeps long names under 200 characters and their extension', () => {
    const out = sanitizeFileName(`${'x'.repeat(500)}.tar.gz`);
    assert.ok(out.length <= 200);
    assert.ok(out.endsWith('.gz'));
  });

  it('numbers names that are taken: name (1).ext, name (2).ext', () => {
    assert.equal(numberedName('notes.txt', 0), 'notes.txt');
    assert.equal(numberedName('notes.txt', 1), 'notes (1).txt');
    assert.equal(numberedName('Makefile', 2), 'Makefile (2)');
  });
});
