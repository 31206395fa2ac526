/**
 * Manifest checks of transfer jobs (src/client/jobManifest.ts): a hostile manifest is refused as
 * a whole, with a reason, before anything is written; JOB_* messages round-trip and respect
 * their bounds (src/protocol/controlMessages.ts).
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { checkJobPath, checkManifest, decodeDone, encodeDone, jobFolderName, type ManifestEntry } from '../../src/client/jobManifest';
import { ControlType, MAX_JOB_DONE_BYTES, decodeControl, encodeControl, type ControlMessage } from '../../src/protocol/controlMessages';
import { MAX_JOB_ENTRIES, MAX_JOB_PATH_BYTES, MAX_JOB_PATH_DEPTH } from '../../src/protocol/limits';
import { MAX_MESSAGE_BYTES } from '../../src/transport/limits';

const sha = (s: string) => createHash('sha256').update(s).digest();
const entry = (p: string, bytes = 10): ManifestEntry => ({ path: p, bytes, sha256: sha(p) });
const LIMIT = 1_000_000;

describe('transfer job manifests', () => {
  it('accepts a plain folder tree and returns each path\'s components and the total', () => {
    const r = checkManifest([entry('a.txt'), entry('src/main.ts', 20), entry('src/lib/.hidden'), entry('docs/été.md')], LIMIT, 50);
    assert.ok(r.ok, !r.ok ? r.reason : '');
    assert.equal(r.totalBytes, 50);
    assert.deepEqual(r.entries.map((e) => e.segments), [['a.txt'], ['src', 'main.ts'], ['src', 'lib', '.hidden'], ['docs', 'été.md']]);
  });

  const hostilePaths: Array<[string, string, RegExp]> = [
    ['parent', '../escape.txt', /"\.\."/],
    ['parent inside', 'a/../../escape.txt', /"\.\."/],
    ['trailing parent', 'a/..', /"\.\."/],
    ['dot', 'a/./b', /"\."/],
    ['absolute', '/etc/passwd', /absolute/],
    ['drive letter', 'C:/Windows/win.ini', /drive letter/],
    ['drive-relative', 'c:evil', /drive letter/],
    ['NUL', 'a\u0000b', /NUL/],
    ['backslash', 'a\\..\\..\\x', /backslash/],
    ['UNC', '\\\\server\\share', /backslash/],
    ['control character', 'a\nb', /control or reserved/],
    ['colon (NTFS stream)', 'a.txt:stream', /control or reserved/],
    ['empty component', 'a//b', /empty component/],
    ['empty', '', /empty path/],
    ['reserved device', 'dir/CON.txt', /reserved device/],
    ['trailing dot', 'dir./x', /dot or space/],
    ['trailing space', 'x ', /dot or space/],
    ['over-long name', `${'n'.repeat(256)}.txt`, /longer than 255 bytes/],
    ['over-long path', 'abcdefgh/'.repeat(60) + 'x', new RegExp(`longer than ${MAX_JOB_PATH_BYTES} bytes`)],
    ['too deep', Array.from({ length: MAX_JOB_PATH_DEPTH + 1 }, () => 'd').join('/'), /deeper/],
  ];
  for (const [what, p, reason] of hostilePaths) {
    it(`refuses a manifest with ${what}: ${JSON.stringify(p.slice(0, 40))}`, () => {
      assert.equal(checkJobPath(p).ok, false);
      const r = checkManifest([entry('fine.txt'), entry(p)], LIMIT);
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.reason : '', reason);
    });
  }

  it('refuses duplicate paths, paths that differ only in case or normalisation, and a path that is both file and folder', () => {
    const cases: Array<[ManifestEntry[], RegExp]> = [
      [[entry('a/b.txt'), entry('a/b.txt')], /twice/],
      [[entry('a/README.md'), entry('A/readme.MD')], /twice/],
      [[entry('caf\u00e9.txt'), entry('cafe\u0301.txt')], /twice/],
      [[entry('a/b'), entry('a/b/c.txt')], /both as a file and as a folder/],
      [[entry('a/b/c.txt'), entry('a/b')], /both as a file and as a folder/],
      [[entry('x/y/z'), entry('X/Y')], /both as a file and as a folder/],
    ];
    for (const [entries, reason] of cases) {
      const r = checkManifest(entries, LIMIT);
      assert.equal(r.ok, false, JSON.stringify(entries.map((e) => e.path)));
      assert.match(!r.ok ? r.reason : '', reason);
    }
  });

  it('refuses too many entries, none at all, and sizes beyond the total limit or that do not add up', () => {
    const many = Array.from({ length: MAX_JOB_ENTRIES + 1 }, (_, i) => entry(`f${i}`, 1));
    assert.match((checkManifest(many, LIMIT) as { reason: string }).reason, /at most 1000/);
    assert.ok(checkManifest(many.slice(0, MAX_JOB_ENTRIES), LIMIT).ok);
    assert.match((checkManifest([], LIMIT) as { reason: string }).reason, /no files/);
    // Each size fits, the sum does not.
    assert.match((checkManifest([entry('a', 600_000), entry('b', 600_000)], LIMIT) as { reason: string }).reason, /more than 1000000 bytes/);
    // Sizes that would overflow a 64-bit sum: still refused against the limit, never wrapped.
    const huge = [entry('a', Number.MAX_SAFE_INTEGER), entry('b', Number.MAX_SAFE_INTEGER)];
    assert.equal(checkManifest(huge, Number.MAX_SAFE_INTEGER).ok, false);
    assert.match((checkManifest([entry('a', -1)], LIMIT) as { reason: string }).reason, /bad size/);
    assert.match((checkManifest([entry('a', 1.5)], LIMIT) as { reason: string }).reason, /bad size/);
    assert.match((checkManifest([entry('a', 10)], LIMIT, 11) as { reason: string }).reason, /not the 11 offered/);
    assert.match((checkManifest([{ path: 'a', bytes: 1, sha256: Buffer.alloc(3) }], LIMIT) as { reason: string }).reason, /SHA-256/);
  });

  it('makes the job\'s folder name safe like a file name', () => {
    assert.equal(jobFolderName('../../etc'), 'etc');
    assert.equal(jobFolderName('photos'), 'photos');
    assert.equal(jobFolderName('C:\\Users\\x\\Desktop'), 'Desktop');
    assert.equal(jobFolderName('..'), 'file');
    assert.equal(jobFolderName('  '), 'files');
    assert.equal(jobFolderName('con'), '_con');
  });

  it('done maps round-trip and ignore indices out of range', () => {
    const b = encodeDone(new Set([0, 7, 8, 999, 1000]), 1000);
    assert.equal(b.length, MAX_JOB_DONE_BYTES);
    assert.deepEqual([...decodeDone(b, 1000)].sort((x, y) => x - y), [0, 7, 8, 999]);
    assert.deepEqual([...decodeDone(Buffer.from([0xff]), 3)], [0, 1, 2]);
  });

  it('JOB_* messages round-trip, fit one MSG at their longest, and out-of-bound counts decode as invalid', () => {
    const longest: ControlMessage[] = [
      { type: ControlType.JOB_OFFER, jobId: 7, flags: 1, entries: MAX_JOB_ENTRIES, totalBytes: Number.MAX_SAFE_INTEGER, name: 'n'.repeat(255) },
      { type: ControlType.JOB_ENTRY, jobId: 7, index: 999, bytes: 2 ** 40, sha256: sha('x'), path: 'p'.repeat(MAX_JOB_PATH_BYTES) },
      { type: ControlType.JOB_ANSWER, jobId: 7, code: 3, message: 'm'.repeat(300), done: Buffer.alloc(MAX_JOB_DONE_BYTES, 0xff) },
      { type: ControlType.JOB_FILE, jobId: 7, index: 3, transferId: 0xdeadbeef, chunkSize: 1147 },
      { type: ControlType.JOB_CANCEL, jobId: 7, code: 2, message: 'm'.repeat(300) },
    ];
    for (const m of longest) {
      const buf = encodeControl(m);
      assert.ok(buf.length <= MAX_MESSAGE_BYTES, `${m.type}: ${buf.length} bytes`);
      assert.deepEqual(decodeControl(buf), m);
    }
    // Golden bytes of a JOB_FILE: type, job id, index, transfer id, chunk size.
    assert.equal(encodeControl(longest[3]).toString('hex'), '14' + '00000007' + '0003' + 'deadbeef' + '0000047b');
    const offer = encodeControl(longest[0]);
    offer.writeUInt16BE(MAX_JOB_ENTRIES + 1, 6); // entries field
    assert.equal(decodeControl(offer), null);
    offer.writeUInt16BE(0, 6);
    assert.equal(decodeControl(offer), null);
    const answer = encodeControl({ type: ControlType.JOB_ANSWER, jobId: 1, code: 0, message: '', done: Buffer.alloc(0) });
    const bad = Buffer.concat([answer.subarray(0, answer.length - 2), Buffer.from([0, MAX_JOB_DONE_BYTES + 1]), Buffer.alloc(MAX_JOB_DONE_BYTES + 1)]);
    assert.equal(decodeControl(bad), null);
    assert.throws(() => encodeControl({ ...longest[0], entries: 0 } as ControlMessage), RangeError);
  });
});
