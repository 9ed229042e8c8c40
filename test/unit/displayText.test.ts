import * as assert from 'node:assert/strict';
import { displayText, escapeMarkdown, terminalSafeJson } from '../../src/core/untrusted/displayText';

describe('displayText (unit): daemon text is data', () => {
  it('shows ESC, OSC, C1, DEL and bidi controls as visible escapes', () => {
    const hostile = 'web\u001b]0;pwned\u0007\u001b[2J\u009b31m\u007f\u202egnp.exe';
    const shown = displayText(hostile);
    assert.equal(shown, 'web\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\x7f\\u202egnp.exe');
    // eslint-disable-next-line no-control-regex -- control characters are what this test looks for
    assert.doesNotMatch(shown, /[\u0000-\u001f\u007f-\u009f\u202e]/);
  });

  it('never emits a newline: it is shown as ⏎', () => {
    assert.equal(displayText('a\nwarn [levels] forged\r\nb'), 'a⏎warn [levels] forged⏎b');
  });

  it('cuts long text with an ellipsis and shows non-strings as their type', () => {
    assert.equal(displayText('x'.repeat(5000), 10), 'xxxxxxxxx…');
    assert.equal(displayText(42), '‹number›');
    assert.equal(displayText({ a: 1 }), '‹object›');
    assert.equal(displayText(undefined), '');
  });

  it('escapes markdown so a tooltip shows a link as text', () => {
    assert.equal(escapeMarkdown('[x](command:rm)'), '\\[x\\]\\(command:rm\\)');
    assert.equal(escapeMarkdown('<img src=x>'), '\\<img src=x\\>');
  });

  it('writes C1, bidi and U+2028/2029 as \\u escapes in JSON', () => {
    const out = terminalSafeJson({ name: '\u009b\u202e\u2028\u001b' });
    assert.equal(out, '{"name":"\\u009b\\u202e\\u2028\\u001b"}');
    assert.deepEqual(JSON.parse(out), { name: '\u009b\u202e\u2028\u001b' });
  });
});
