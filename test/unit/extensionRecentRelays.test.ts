import { strict as assert } from 'node:assert';
import { addRecent, MAX_RECENT_RELAYS, readRecent } from '../../src/extension/recentRelays';

describe('extension/recentRelays (Join Chat: relays used before)', () => {
  it('most recent first, each address once, names kept unless a new one comes, at most eight', () => {
    let list = addRecent([], '10.0.0.5:12345', 'Team room', 1);
    list = addRecent(list, '127.0.0.1:12345', undefined, 2);
    list = addRecent(list, '10.0.0.5:12345', undefined, 3);
    assert.deepEqual(list, [
      { address: '10.0.0.5:12345', name: 'Team room', at: 3 },
      { address: '127.0.0.1:12345', at: 2 },
    ]);
    for (let i = 0; i < 20; i++) list = addRecent(list, `10.0.1.${i}:1`, undefined, 10 + i);
    assert.equal(list.length, MAX_RECENT_RELAYS);
    assert.equal(list[0].address, '10.0.1.19:1');
  });

  it('reads back only well-formed entries, names shown safely', () => {
    const raw = [
      { address: '10.0.0.5:12345', name: '\u202eevil\nname', at: 1 },
      { address: 'not an address', at: 2 },
      { address: '10.0.0.6:1' },
      null,
      'x',
    ];
    assert.deepEqual(readRecent(raw), [{ address: '10.0.0.5:12345', name: 'evil name', at: 1 }]);
    assert.deepEqual(readRecent(undefined), []);
    assert.deepEqual(readRecent({ address: '10.0.0.5:1' }), []);
  });
});
