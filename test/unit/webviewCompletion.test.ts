/**
 * Composer completion: commands after "/", nicknames after "@" and in command arguments,
 * transfer numbers after /accept, /decline and /cancel; applying an item.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyCompletion, getCompletions, moveSelection, SLASH_COMMANDS, type CompletionContext } from '../../webview/completion';
import { parseCommand } from '../../src/client/commandLine';

const ctx: CompletionContext = {
  nicks: ['bob', 'Alice', 'albert', 'carol'],
  transfers: [
    { shortId: '3', label: 'big.bin from bob', answerable: true, running: false },
    { shortId: '4', label: 'notes.txt to carol', answerable: false, running: true },
    { shortId: '12', label: 'photo.png from carol', answerable: true, running: false },
  ],
};

const labels = (text: string, caret = text.length) => getCompletions(text, caret, ctx)?.items.map((i) => i.label);

/** Applies the first suggestion, as Tab does. */
function complete(text: string): string {
  const r = getCompletions(text, text.length, ctx);
  assert.ok(r, `no completion for ${JSON.stringify(text)}`);
  return applyCompletion(text, r, r.items[0]).text;
}

describe('webview/completion', () => {
  it('lists every command after a lone slash, and filters by prefix', () => {
    assert.deepEqual(labels('/'), SLASH_COMMANDS.map((c) => c.name));
    assert.deepEqual(labels('/re'), ['/requestfile']);
    assert.deepEqual(labels('/WH'), ['/who', '/whois']);
    assert.equal(labels('/zzz'), undefined);
  });

  it('covers the commands the parser knows, each with a description', () => {
    for (const c of SLASH_COMMANDS) {
      assert.ok(c.description.length > 0, c.name);
      const sample = `${c.name} ${c.argument === 'none' ? '' : c.argument === 'transfer' ? '3' : c.argument === 'nick' ? 'bob' : '@bob x.txt'}`;
      assert.notEqual(parseCommand(sample).kind, 'invalid', sample);
    }
  });

  it('completes nicknames after @, case-insensitively and sorted', () => {
    assert.deepEqual(labels('@al'), ['@albert', '@Alice']);
    assert.deepEqual(labels('@'), ['@albert', '@Alice', '@bob', '@carol']);
    assert.equal(complete('@b'), '@bob ');
    assert.equal(labels('@bob hello'), undefined, 'nothing once the message text starts');
  });

  it('completes @mentions inside a message, but not in addresses or commands', () => {
    assert.deepEqual(labels('thanks @al'), ['@albert', '@Alice']);
    assert.equal(complete('thanks @ca'), 'thanks @carol ');
    assert.equal(complete('> quoted\n\n@b'), '> quoted\n\n@bob ');
    assert.equal(complete('@bob look at (@ca'), '@bob look at (@carol ');
    assert.equal(getCompletions('thanks @al', 10, ctx)?.items[0].detail, 'mention');
    assert.equal(labels('mail bob@ca'), undefined, 'an e-mail address is not a mention');
    assert.equal(labels('/whois x @ca'), undefined);
  });

  it('completes the nickname argument of /sendfile, /requestfile and /whois', () => {
    assert.equal(complete('/sendfile @c'), '/sendfile @carol ');
    assert.equal(complete('/requestfile b'), '/requestfile @bob ');
    assert.equal(complete('/whois a'), '/whois albert');
    assert.equal(labels('/sendfile @bob no'), undefined, 'no completion for the path');
  });

  it('offers the transfers each command applies to', () => {
    assert.deepEqual(labels('/accept '), ['#3', '#12']);
    assert.deepEqual(labels('/decline 1'), ['#12']);
    assert.deepEqual(labels('/cancel '), ['#4']);
    assert.deepEqual(labels('/accept photo'), ['#12'], 'matches the file name too');
    assert.equal(complete('/accept 1'), '/accept 12');
  });

  it('a command word typed in full offers nothing, so Enter sends it', () => {
    assert.equal(labels('/who'), undefined);
    assert.equal(labels('/help'), undefined);
    assert.equal(labels('/whois'), undefined);
    assert.equal(labels('@bob'), undefined);
    assert.deepEqual(labels('/whoi'), ['/whois']);
  });

  it('completes where the caret is, keeping the rest of the line', () => {
    const text = '@b hello there';
    const r = getCompletions(text, 2, ctx)!;
    assert.deepEqual(r.items.map((i) => i.label), ['@bob']);
    const out = applyCompletion(text, r, r.items[0]);
    assert.equal(out.text, '@bob hello there');
    assert.equal(out.caret, 5);
  });

  it('completes a command word with a trailing space only if it takes an argument', () => {
    assert.equal(complete('/sendf'), '/sendfile ');
    assert.equal(complete('/he'), '/help');
  });

  it('moves the highlight with wrap-around', () => {
    assert.equal(moveSelection(0, 1, 3), 1);
    assert.equal(moveSelection(2, 1, 3), 0);
    assert.equal(moveSelection(0, -1, 3), 2);
    assert.equal(moveSelection(0, 1, 0), -1);
  });

  it('never throws and always proposes a range inside the text', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(), (text, caret) => {
        const r = getCompletions(text, caret, ctx);
        if (!r) return;
        assert.ok(r.from >= 0 && r.from <= r.to && r.to <= text.length);
        assert.ok(r.items.length > 0);
        const out = applyCompletion(text, r, r.items[0]);
        assert.ok(out.caret <= out.text.length);
      }),
    );
  });
});
