/**
 * Text that came from a daemon is data, never control: whoever is root in a level's container
 * decides what its "daemon" answers (names, images, labels, /info Name, error messages).
 * These functions are the one place that makes such text safe to show.
 */

/** A shown daemon string never needs more: names and images are far shorter. */
export const MAX_DISPLAY_CHARS = 512;

// C0 controls but \n (handled apart), DEL, C1 controls, and the bidi controls that reorder
// what a reader sees (LRE…RLO, LRI…PDI, LRM/RLM/ALM), plus line and paragraph separators.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/**
 * A daemon-supplied string made safe for a terminal, a log line, a terminal name, the status
 * bar, a quick pick or a notification: controls are shown as visible escapes (`\x1b`, `\u202e`),
 * a newline as `⏎`, and the result is cut to `max` characters with an ellipsis.
 * Anything that is not a string (a lying daemon's number or object) is shown as its type.
 */
export function displayText(value: unknown, max = MAX_DISPLAY_CHARS): string {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : `‹${typeof value}›`;
  const cut = text.length > max * 4 ? text.slice(0, max * 4) : text;
  const safe = cut.replace(/\r?\n/g, '⏎').replace(UNSAFE, visibleEscape);
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
}

function visibleEscape(ch: string): string {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Markdown's active characters, so daemon text in a tooltip is literal text, never a link or HTML. */
export function escapeMarkdown(value: unknown, max = MAX_DISPLAY_CHARS): string {
  return displayText(value, max).replace(/[\\`*_{}[\]()<>#+\-.!|~&]/g, (ch) => `\\${ch}`);
}

/**
 * JSON for stdout that no terminal can take for control: besides JSON's own escapes, C1
 * controls, bidi controls and U+2028/2029 are written as `\u` escapes.
 */
export function terminalSafeJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
