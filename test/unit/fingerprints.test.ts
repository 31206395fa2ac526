import { strict as assert } from 'node:assert';
import { identityFingerprint } from '../../src/client/fingerprints';
import { generateIdentity } from '../../src/crypto/identity';

describe('identity fingerprints', () => {
  it('are 5 groups of 4 hex digits and stable for the same keys', () => {
    const id = generateIdentity();
    const fp = identityFingerprint(id);
    assert.match(fp, /^[0-9a-f]{4}( [0-9a-f]{4}){4}$/);
    assert.equal(identityFingerprint({ signPublic: Buffer.from(id.signPublic), dhPublic: Buffer.from(id.dhPublic) }), fp);
  });

  it('change when only the key-agreement key is swapped (a relay in the middle shows up)', () => {
    const victim = generateIdentity();
    const relayKeys = generateIdentity();
    assert.notEqual(
      identityFingerprint({ signPublic: victim.signPublic, dhPublic: relayKeys.dhPublic }),
      identityFingerprint(victim),
    );
  });
});
