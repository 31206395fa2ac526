import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  buildInvitation,
  describeInvitation,
  EXTENSION_ID,
  generateSecret,
  isLinkSafeSecret,
  maskInvitations,
  MAX_INVITATION_CHARS,
  parseEndpoint,
  parseInvitation,
  type Invitation,
} from '../../src/shared/invitation';
import { MAX_RELAY_NAME_CHARS, sanitizeRelayName } from '../../src/shared/relayName';

const ok = (link: string): Invitation => {
  const r = parseInvitation(link);
  assert.ok(r.ok, `${link}: ${r.ok ? '' : r.reason}`);
  return r.invitation;
};
const refused = (link: string): string => {
  const r = parseInvitation(link);
  assert.ok(!r.ok, `should refuse ${JSON.stringify(link)}`);
  return r.reason;
};

describe('invitation links', () => {
  it('the extension id is package.json publisher.name (what VS Code routes vscode:// links by)', () => {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { publisher: string; name: string };
    assert.equal(EXTENSION_ID, `${pkg.publisher}.${pkg.name}`);
  });

  it('builds the documented form and parses it back', () => {
    const inv: Invitation = { relays: [{ host: '10.0.0.5', port: 12345 }, { host: '192.168.1.20', port: 12345 }], secret: 'abc-DEF_123', name: 'Team room' };
    const link = buildInvitation(inv);
    assert.equal(link, 'vscode://peerchat.peerchat/join?relay=10.0.0.5:12345,192.168.1.20:12345&secret=abc-DEF_123&name=Team%20room');
    assert.deepEqual(ok(link), inv);
  });

  it('round-trips IPv6 addresses, host names, no secret and no name', () => {
    const inv: Invitation = { relays: [{ host: '::1', port: 1 }, { host: 'relay.example.org', port: 65535 }] };
    const link = buildInvitation(inv);
    assert.match(link, /relay=%5B::1%5D:1,relay\.example\.org:65535$/);
    assert.deepEqual(ok(link), inv);
  });

  it('accepts what VS Code hands the UriHandler (query already decoded), other VS Code schemes, <…> and spaces around', () => {
    assert.deepEqual(ok('vscode://peerchat.peerchat/join?relay=10.0.0.5:1,[fe80::1]:2&secret=s&name=Team room'), {
      relays: [{ host: '10.0.0.5', port: 1 }, { host: 'fe80::1', port: 2 }],
      secret: 's',
      name: 'Team room',
    });
    ok('vscode-insiders://peerchat.peerchat/join?relay=10.0.0.5:1');
    ok('  <VSCODE://PeerChat.PeerChat/join?relay=10.0.0.5:1>  ');
  });

  it('generated secrets are 128 bits of base64url, different each time, and link-safe', () => {
    const a = generateSecret();
    const b = generateSecret();
    assert.match(a, /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(a, b);
    assert.ok(isLinkSafeSecret(a));
    assert.equal(isLinkSafeSecret('has space'), false);
    assert.equal(isLinkSafeSecret('a&b'), false);
    assert.equal(isLinkSafeSecret(''), false);
    assert.throws(() => buildInvitation({ relays: [{ host: '10.0.0.1', port: 1 }], secret: 'a&relay=evil:1' }), /secret/);
  });

  describe('hostile links are refused with a reason', () => {
    const cases: Array<[string, string]> = [
      ['', 'empty'],
      ['hello', 'not a link'],
      ['https://peerchat.peerchat/join?relay=10.0.0.5:1', 'another scheme'],
      ['javascript:alert(1)//peerchat.peerchat/join?relay=10.0.0.5:1', 'javascript:'],
      ['vscode://evil.extension/join?relay=10.0.0.5:1', 'another extension'],
      ['vscode://peerchat.peerchat.evil/join?relay=10.0.0.5:1', 'a look-alike authority'],
      ['vscode://user:pw@peerchat.peerchat/join?relay=10.0.0.5:1', 'credentials in the authority'],
      ['vscode://peerchat.peerchat:99/join?relay=10.0.0.5:1', 'a port on the authority'],
      ['vscode://peerchat.peerchat/other?relay=10.0.0.5:1', 'another path'],
      ['vscode://peerchat.peerchat/join/../join2?relay=10.0.0.5:1', 'a path that normalises elsewhere'],
      ['vscode://peerchat.peerchat/join', 'no relay'],
      ['vscode://peerchat.peerchat/join?relay=', 'an empty relay'],
      ['vscode://peerchat.peerchat/join?relay=10.0.0.5:1&relay=6.6.6.6:1', 'relay twice'],
      ['vscode://peerchat.peerchat/join?relay=10.0.0.5:1&secret=a&secret=b', 'secret twice'],
      ['vscode://peerchat.peerchat/join?relay=10.0.0.5', 'no port'],
      ['vscode://peerchat.peerchat/join?relay=10.0.0.5:0', 'port 0'],
      ['vscode://peerchat.peerchat/join?relay=10.0.0.5:65536', 'port too large'],
      ['vscode://peerchat.peerchat/join?relay=10.0.0.5:+1', 'a signed port'],
      ['vscode://peerchat.peerchat/join?relay=999.0.0.5:1', 'an octet over 255'],
      ['vscode://peerchat.peerchat/join?relay=010.0.0.5:1', 'an octal-looking octet'],
      ['vscode://peerchat.peerchat/join?relay=10.0.0:1', 'three octets'],
      ['vscode://peerchat.peerchat/join?relay=-evil.com:1', 'a label starting with -'],
      ['vscode://peerchat.peerchat/join?relay=evil_host:1', 'an underscore in a host name'],
      ['vscode://peerchat.peerchat/join?relay=[::g]:1', 'bad IPv6'],
      ['vscode://peerchat.peerchat/join?relay=10.0.0.5:1%0d%0aX:1', 'CR LF in the relay'],
      ['vscode://peerchat.peerchat/join?relay=10.0.0.5:1&secret=a%20b', 'a space in the secret'],
      ['vscode://peerchat.peerchat/join?relay=10.0.0.5:1&secret=' + 'a'.repeat(257), 'a secret too long'],
      ['vscode://peerchat.peerchat/join?relay=' + Array.from({ length: 9 }, (_, i) => `10.0.0.${i + 1}:1`).join(','), 'nine relays'],
      ['vscode://peerchat.peerchat/join?relay=10.0.0.5:1&name=' + 'x'.repeat(MAX_INVITATION_CHARS), 'too long'],
    ];
    for (const [link, what] of cases) it(what, () => assert.ok(refused(link).length > 0));
  });

  it('a hostile name is shown safely: no control, bidi or query characters, bounded length', () => {
    const inv = ok(`vscode://peerchat.peerchat/join?relay=10.0.0.5:1&name=${encodeURIComponent('\u202eevil\u0007\n<b>&x=1 ' + 'A'.repeat(200))}`);
    assert.ok(inv.name !== undefined);
    assert.doesNotMatch(inv.name, /[\u202e\u0007\n<>&=]/);
    assert.ok([...inv.name].length <= MAX_RELAY_NAME_CHARS);
    assert.equal(ok('vscode://peerchat.peerchat/join?relay=10.0.0.5:1&name=%E2%80%AE%00').name, undefined, 'nothing showable: no name');
  });

  it('unknown parameters are ignored (newer links still open)', () => {
    assert.deepEqual(ok('vscode://peerchat.peerchat/join?relay=10.0.0.5:1&future=1'), { relays: [{ host: '10.0.0.5', port: 1 }] });
  });

  it('random input never throws and never yields an invitation without a valid relay', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const r = parseInvitation(s);
        if (r.ok) assert.ok(r.invitation.relays.length >= 1);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 100 }), (relay, name) => {
        const r = parseInvitation(`vscode://peerchat.peerchat/join?relay=${relay}&name=${name}`);
        if (r.ok) for (const e of r.invitation.relays) assert.ok(parseEndpoint(`${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`).ok);
      }),
      { numRuns: 500 },
    );
  });

  it('maskInvitations hides every secret in a text, and describeInvitation never shows it', () => {
    const link = buildInvitation({ relays: [{ host: '10.0.0.5', port: 1 }], secret: 'TOPSECRET', name: 'x' });
    const masked = maskInvitations(`invite: ${link} and "${link}" again; secret=ALSO`);
    assert.doesNotMatch(masked, /TOPSECRET/);
    assert.match(masked, /secret=•••&name=x/);
    const d = describeInvitation(ok(link));
    assert.doesNotMatch(d, /TOPSECRET/);
    assert.equal(d, 'x at 10.0.0.5:1, with its invitation secret');
  });
});

describe('relay names (announcements and links)', () => {
  it('keeps letters in any script, digits and a little punctuation', () => {
    assert.equal(sanitizeRelayName("Zoë's relay (3rd floor)"), "Zoë's relay (3rd floor)");
    assert.equal(sanitizeRelayName('会議室-relay_1.0'), '会議室-relay_1.0');
  });
  it('drops control, bidi, zero-width and markup characters; collapses spaces; bounds marks and length', () => {
    assert.equal(sanitizeRelayName('a\u202eb\u200dc\u0000d\r\ne<script>'), 'a b c d e script');
    assert.equal(sanitizeRelayName('Z\u0301\u0301\u0301\u0301\u0301'), 'Ź\u0301\u0301', 'NFKC composes one, two marks stay');
    assert.equal([...sanitizeRelayName('x'.repeat(1000))!].length, MAX_RELAY_NAME_CHARS);
    assert.equal(sanitizeRelayName('\u0007\u202e  '), undefined);
    assert.equal(sanitizeRelayName(42), undefined);
  });
  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'grapheme' }), (s) => {
        const once = sanitizeRelayName(s);
        if (once !== undefined) assert.equal(sanitizeRelayName(once), once);
      }),
      { numRuns: 500 },
    );
  });
});
