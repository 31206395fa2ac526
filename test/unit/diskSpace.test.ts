import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import { SPACE_MARGIN_BYTES, checkSpace, isNoSpace, noSpaceMessage, statfsFreeSpace } from '../../src/client/diskSpace';

describe('client/diskSpace', () => {
  it('accepts what fits with the margin, refuses what does not, naming the folder and the sizes', () => {
    assert.deepEqual(checkSpace('a.bin', '/dl', 10, 10 + SPACE_MARGIN_BYTES), { ok: true });
    const r = checkSpace('big.bin', '/home/bob/Downloads', 32 * 1024 * 1024, 10 * 1024 * 1024);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.match(r.message, /big\.bin/);
      assert.match(r.message, /\/home\/bob\/Downloads/);
      assert.match(r.message, /needs 32(\.0)? MiB more/);
      assert.match(r.message, /only 10(\.0)? MiB is free/);
    }
    assert.equal(checkSpace('x', '/dl', SPACE_MARGIN_BYTES, SPACE_MARGIN_BYTES * 2 - 1).ok, false);
  });

  it('unknown free space never refuses (the writes will tell)', () => {
    assert.deepEqual(checkSpace('a', '/dl', 1e15, undefined), { ok: true });
  });

  it('the message for a disk that filled says it is full', () => {
    assert.match(noSpaceMessage('a.bin', '/dl', 5 * 1024 * 1024), /No room for a\.bin in \/dl: it needs 5(\.0)? MiB more and it is full/);
  });

  it('recognises ENOSPC and EDQUOT only', () => {
    assert.equal(isNoSpace(Object.assign(new Error('x'), { code: 'ENOSPC' })), true);
    assert.equal(isNoSpace({ code: 'EDQUOT' }), true);
    assert.equal(isNoSpace(Object.assign(new Error('x'), { code: 'EIO' })), false);
    assert.equal(isNoSpace(null), false);
  });

  it('statfs reports a number for a real folder and undefined for a missing one', async () => {
    const free = await statfsFreeSpace(os.tmpdir());
    assert.ok(typeof free === 'number' && free >= 0);
    assert.equal(await statfsFreeSpace('/no/such/folder/here'), undefined);
  });
});
