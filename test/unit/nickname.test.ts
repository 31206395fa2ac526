/**
 * Nickname rules (src/protocol/nickname.ts): shown after NFKC, compared by key
 * NFKC -> toLowerCase -> NFKC. Allowed: letters, digits, marks (not first), "_", "-", ".";
 * 1-24 characters and at most 64 UTF-8 bytes, counted after NFKC; no spaces, "@", "/",
 * control or invisible characters.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { NICK_MAX_BYTES, NICK_MAX_CHARS } from '../../src/protocol/limits';
import { checkNickname, nicknameKey } from '../../src/protocol/nickname';

const cps = (s: string): number => [...s].length;

function accepted(raw: string): { display: string; key: string } {
  const r = checkNickname(raw);
  if (!r.ok) assert.fail(`expected ${JSON.stringify(raw)} to be accepted, got: ${r.reason}`);
  return r;
}

function refused(raw: string): string {
  const r = checkNickname(raw);
  if (r.ok) assert.fail(`expected ${JSON.stringify(raw)} to be refused, got display ${JSON.stringify(r.display)}`);
  return r.reason;
}

describe('protocol/nickname', () => {
  it('limits are 24 characters and 64 UTF-8 bytes', () => {
    assert.equal(NICK_MAX_CHARS, 24);
    assert.equal(NICK_MAX_BYTES, 64);
  });

  describe('accepted (raw -> display, key)', () => {
    const table: Array<[string, string, string, string]> = [
      ['plain ASCII', 'alice', 'alice', 'alice'],
      ['mixed case kept for display', 'Alice', 'Alice', 'alice'],
      ['digits, "_", "-", "."', 'Bob_01.dev-x', 'Bob_01.dev-x', 'bob_01.dev-x'],
      ['single character', 'a', 'a', 'a'],
      ['starts with a digit', '1337', '1337', '1337'],
      ['exactly 24 ASCII characters', 'a'.repeat(24), 'a'.repeat(24), 'a'.repeat(24)],
      ['accented letters', 'José', 'José', 'josé'],
      ['accented capital', 'ÉLODIE', 'ÉLODIE', 'élodie'],
      ['decomposed é is composed for display', 'Jose\u0301', 'José', 'josé'],
      // Marks are reordered by combining class (dot below 220 before acute 230), then a+dot below composes to U+1EA1.
      ['combining marks after a letter', 'a\u0301\u0323b', '\u1EA1\u0301b', '\u1EA1\u0301b'],
      ['CJK', '李小龍', '李小龍', '李小龍'],
      ['Japanese kana', 'さくら', 'さくら', 'さくら'],
      ['Hangul', '한국어', '한국어', '한국어'],
      ['Cyrillic', 'Жора', 'Жора', 'жора'],
      ['Arabic', 'علي', 'علي', 'علي'],
      ['Devanagari with vowel signs (marks)', 'नमस्ते', 'नमस्ते', 'नमस्ते'],
      ['Arabic-Indic digit first', '٣bob', '٣bob', '٣bob'],
      ['fullwidth Latin becomes ASCII', 'ＡＬＩＣＥ', 'ALICE', 'alice'],
      ['superscript digit becomes a digit (NFKC)', 'x²', 'x2', 'x2'],
      ['Roman numeral becomes letters (NFKC)', 'Ⅻ', 'XII', 'xii'],
      ['Kelvin sign becomes K', '\u212Aelvin', 'Kelvin', 'kelvin'],
      ['ligature ﬀ becomes ff', 'o\uFB00', 'off', 'off'],
      ['titlecase digraph ǅ', 'ǅemal', 'Džemal', 'džemal'],
      ['24 two-byte letters = 48 bytes', 'é'.repeat(24), 'é'.repeat(24), 'é'.repeat(24)],
      ['21 CJK = 63 bytes', '李'.repeat(21), '李'.repeat(21), '李'.repeat(21)],
      ['16 four-byte letters = 64 bytes', '𐌰'.repeat(16), '𐌰'.repeat(16), '𐌰'.repeat(16)],
    ];
    for (const [what, raw, display, key] of table) {
      it(`${what}: ${JSON.stringify(raw)}`, () => {
        assert.deepEqual(checkNickname(raw), { ok: true, display, key });
      });
    }
  });

  describe('refused', () => {
    const table: Array<[string, string]> = [
      ['empty', ''],
      ['25 ASCII characters', 'a'.repeat(25)],
      ['22 CJK characters = 66 bytes (few chars, too many bytes)', '李'.repeat(22)],
      ['17 four-byte letters = 68 bytes', '𐌰'.repeat(17)],
      ['NFKC expansion past 24 characters (㍿ -> 株式会社)', 'a' + '㍿'.repeat(6)],
      ['space inside', 'al ice'],
      ['leading space', ' alice'],
      ['trailing space', 'alice '],
      ['only spaces', '   '],
      ['no-break space (NFKC -> space)', 'al\u00A0ice'],
      ['ideographic space', 'al\u3000ice'],
      ['tab', 'al\tice'],
      ['newline', 'alice\n'],
      ['NUL', 'al\u0000ice'],
      ['DEL', 'alice\u007F'],
      ['C1 control (NEL)', 'alice\u0085'],
      ['"@" first', '@alice'],
      ['"@" inside', 'ali@ce'],
      ['fullwidth "＠" (NFKC -> "@")', '＠alice'],
      ['"/" first', '/who'],
      ['"/" inside', 'a/b'],
      ['fullwidth "／" (NFKC -> "/")', 'a／b'],
      ['backslash', 'a\\b'],
      ['zero-width joiner', 'al\u200Dice'],
      ['zero-width non-joiner', 'al\u200Cice'],
      ['zero-width space', 'al\u200Bice'],
      ['word joiner', 'alice\u2060'],
      ['soft hyphen', 'al\u00ADice'],
      ['byte order mark', '\uFEFFalice'],
      ['right-to-left override', 'alice\u202Eevil'],
      ['leading "-"', '-alice'],
      ['leading "_"', '_alice'],
      ['leading "."', '.alice'],
      ['leading combining mark', '\u0301alice'],
      ['emoji alone', '😀'],
      ['emoji after letters', 'alice😀'],
      ['emoji with skin tone', '👍🏽'],
      ['flag', '🇫🇷'],
      ['heart with VS16', 'a❤️'],
      ['punctuation', 'alice!'],
      ['quote', 'o\'brien'],
      ['lone surrogate', 'al\uD800ice'],
    ];
    for (const [what, raw] of table) {
      it(`${what}: ${JSON.stringify(raw)}`, () => {
        refused(raw);
      });
    }

    it('says why: empty, too many characters, too many bytes, bad characters', () => {
      assert.equal(refused(''), 'A nickname cannot be empty.');
      assert.match(refused('a'.repeat(25)), /24 characters/);
      assert.match(refused('李'.repeat(22)), /64 bytes/);
      assert.match(refused('al ice'), /letters, digits/);
    });

    // BUG (src/protocol/nickname.ts): the comment promises "no control or invisible characters",
    // but NICK_PATTERN admits \p{M} and \p{L} characters that are Default_Ignorable (invisible):
    // U+034F COMBINING GRAPHEME JOINER, variation selectors U+FE00-FE0F and U+E0100-E01EF,
    // Mongolian FVS U+180B-180F, Khmer U+17B4/17B5, Hangul fillers U+115F/1160/3164/FFA0
    // (267 code points in all). "alice\u034F" looks exactly like "alice" but has another key, so
    // anyone can impersonate alice. "\u3164" alone is an accepted, entirely blank nickname.
    // Fix: also reject /\p{Default_Ignorable_Code_Point}/u after NFKC.
    it('refuses invisible (default-ignorable) characters that the pattern lets through', () => {
      const invisible: Array<[string, string]> = [
        ['combining grapheme joiner U+034F', 'alice\u034F'],
        ['variation selector-16 U+FE0F', 'alice\uFE0F'],
        ['variation selector-1 U+FE00', 'ali\uFE00ce'],
        ['variation selector-17 U+E0100', 'alice\u{E0100}'],
        ['Mongolian FVS1 U+180B', 'alice\u180B'],
        ['Khmer inherent vowel U+17B4', 'alice\u17B4'],
        ['Hangul filler U+3164 alone', '\u3164'],
        ['Hangul filler U+3164 appended', 'alice\u3164'],
        ['halfwidth Hangul filler U+FFA0', 'alice\uFFA0'],
        ['Hangul choseong filler U+115F', '\u115Falice'],
      ];
      const wronglyAccepted = invisible.filter(([, raw]) => checkNickname(raw).ok).map(([what]) => what);
      assert.deepEqual(wronglyAccepted, []);
    });

    it('an accepted nickname never contains space, "@", "/", control, format or invisible characters (property)', () => {
      const alphabet = fc.constantFrom(
        'a', 'B', 'é', '1', '_', '-', '.', '李', '\u0301', ' ', '@', '/', '＠', '／', '\u00A0', '\t', '\n', '\u0000',
        '\u200B', '\u200D', '\u00AD', '\uFEFF', '\u202E', '😀', 'ﬀ', '㍿', 'Ⅻ', 'İ', 'ß',
      );
      fc.assert(
        fc.property(fc.oneof(fc.string({ unit: alphabet, maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 })), (raw) => {
          const r = checkNickname(raw);
          if (!r.ok) return;
          assert.doesNotMatch(r.display, /[\s@/\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zs}\p{Zl}\p{Zp}]/u);
          assert.match(r.display, /^[\p{L}\p{N}]/u);
        }),
        { numRuns: 5000 },
      );
    });
  });

  describe('keys', () => {
    it('"Alice", "alice", "ALICE", "ＡＬＩＣＥ" and "ａｌｉｃｅ" share the key "alice"', () => {
      for (const raw of ['Alice', 'alice', 'ALICE', 'aLiCe', 'ＡＬＩＣＥ', 'ａｌｉｃｅ']) {
        assert.equal(accepted(raw).key, 'alice', raw);
        assert.equal(nicknameKey(raw), 'alice', raw);
      }
    });

    it('precomposed and decomposed é give the same display and key', () => {
      const a = accepted('Ren\u00E9e');
      const b = accepted('Rene\u0301e');
      assert.deepEqual(a, b);
      assert.equal(a.display, 'Ren\u00E9e');
      assert.equal(a.key, 'ren\u00E9e');
    });

    // Why the key normalises again after lower-casing: "J" + U+030C has no precomposed form, but
    // its lower case "j" + U+030C composes to U+01F0 "ǰ". Likewise Greek capital alpha + U+0342.
    it('lower-casing can denormalise: "J\\u030C" and "ǰ", "Α\\u0342" and "ᾶ" share a key', () => {
      assert.equal(accepted('J\u030Cames').key, '\u01F0ames');
      assert.equal(accepted('\u01F0ames').key, '\u01F0ames');
      assert.equal(nicknameKey('\u0391\u0342'), '\u1FB6');
      assert.equal(nicknameKey('\u1FB6'), '\u1FB6');
    });

    it('keys are remembered (nicknameKey runs per datagram) and stay right past the cache bound', () => {
      const uncached = (n: string): string => n.normalize('NFKC').toLowerCase().normalize('NFKC');
      // Three times past the cache's 1,024 entries, then the first ones again: same keys as computed afresh.
      const nicks = Array.from({ length: 3_100 }, (_, i) => `Ｕser${i}\u0391\u0342`);
      for (const n of nicks) assert.equal(nicknameKey(n), uncached(n));
      for (const n of nicks.slice(0, 50)) assert.equal(nicknameKey(n), uncached(n));
      assert.equal(nicknameKey('ALICE'), 'alice');
    });

    it('ǅ, Ǆ, ǆ and the two letters "DŽ" all share a key', () => {
      const k = nicknameKey('dž');
      for (const raw of ['ǅ', 'Ǆ', 'ǆ', 'DŽ', 'Dž', 'dz\u030C']) assert.equal(nicknameKey(raw), k, raw);
    });

    // Decision, documented: the key uses Unicode's default, locale-independent lower-casing (so
    // relay and clients agree whatever their locale). U+0130 "İ" lower-cases to "i" + U+0307
    // COMBINING DOT ABOVE, so "ALİCE" is a different nickname from "ALICE"/"alice" (the dot is
    // visible, and İ is a distinct letter in Turkish), but the same as "ali\u0307ce" typed
    // directly, which renders identically. Dotless "ı" (U+0131) likewise stays distinct.
    it('"ALİCE" (dotted capital I) is accepted with key "ali\\u0307ce": distinct from "alice", equal to "ali\\u0307ce"', () => {
      const r = accepted('ALİCE');
      assert.equal(r.display, 'ALİCE');
      assert.equal(r.key, 'ali\u0307ce');
      assert.notEqual(r.key, nicknameKey('alice'));
      assert.equal(accepted('ali\u0307ce').key, r.key);
      assert.equal(accepted('alıce').key, 'alıce');
      assert.notEqual(nicknameKey('alıce'), nicknameKey('alice'));
    });

    // Documented: lower-casing is not full case folding, so "ß" and "ss" stay distinct.
    it('"Straße" and "STRASSE" have different keys (lower-casing, not case folding)', () => {
      assert.equal(nicknameKey('Straße'), 'straße');
      assert.equal(nicknameKey('STRASSE'), 'strasse');
    });

    it('different nicknames have different keys', () => {
      assert.notEqual(nicknameKey('alice'), nicknameKey('alice1'));
      assert.notEqual(nicknameKey('alice'), nicknameKey('alicé'));
      assert.notEqual(nicknameKey('bob'), nicknameKey('bób'));
    });

    it('nicknameKey is idempotent (property, any Unicode)', () => {
      fc.assert(
        fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 10 })), (s) => {
          const k = nicknameKey(s);
          assert.equal(nicknameKey(k), k);
        }),
        { numRuns: 5000 },
      );
    });

    it('nicknameKey is idempotent for every single code point', () => {
      const bad: string[] = [];
      for (let cp = 0; cp <= 0x10ffff; cp++) {
        if (cp >= 0xd800 && cp <= 0xdfff) continue;
        const k = nicknameKey(String.fromCodePoint(cp));
        if (nicknameKey(k) !== k) bad.push(cp.toString(16));
      }
      assert.deepEqual(bad, []);
    });

    it('case does not matter for ASCII nicknames (property)', () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,23}$/), (s) => {
          const a = accepted(s);
          assert.equal(a.display, s);
          assert.equal(accepted(s.toUpperCase()).key, a.key);
          assert.equal(accepted(s.toLowerCase()).key, a.key);
          assert.equal(a.key, s.toLowerCase());
        }),
        { numRuns: 2000 },
      );
    });
  });

  describe('properties of accepted nicknames', () => {
    const candidates = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
      fc.string({ unit: fc.constantFrom('a', 'Z', 'é', 'e\u0301', '李', '𐌰', '㍿', 'ﬀ', 'Ⅻ', '1', '_', 'İ', 'ＡＢ'), minLength: 1, maxLength: 30 }),
    );

    it('display is NFKC, within 24 characters and 64 bytes; key matches; re-checking display is stable', () => {
      let okCount = 0;
      fc.assert(
        fc.property(candidates, (raw) => {
          const r = checkNickname(raw);
          if (!r.ok) return;
          okCount++;
          assert.equal(r.display, r.display.normalize('NFKC'));
          assert.ok(cps(r.display) >= 1 && cps(r.display) <= NICK_MAX_CHARS, `chars ${cps(r.display)}`);
          assert.ok(Buffer.byteLength(r.display, 'utf8') <= NICK_MAX_BYTES, `bytes ${Buffer.byteLength(r.display)}`);
          assert.equal(r.key, nicknameKey(r.display));
          assert.equal(r.key, nicknameKey(raw));
          assert.deepEqual(checkNickname(r.display), r);
        }),
        { numRuns: 5000 },
      );
      assert.ok(okCount > 100, `only ${okCount} accepted candidates: generator too weak`);
    });

    it('checkNickname never throws (property)', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (raw) => {
          const r = checkNickname(raw);
          assert.equal(typeof r.ok, 'boolean');
        }),
        { numRuns: 3000 },
      );
    });
  });
});
