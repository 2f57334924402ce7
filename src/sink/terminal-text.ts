/**
 * Characters that must not reach a terminal raw: C0 controls (ESC starts colour, title and OSC 52
 * clipboard sequences; CR and BS overwrite what is shown; LF forges a line), DEL, C1 controls
 * (U+009B is a one-character CSI on some terminals), the line and paragraph separators, and the
 * bidirectional marks and overrides that make text display in another order than it is stored.
 * The backslash is escaped too, so data cannot pass for one of the escapes made here.
 */
const UNSAFE = /[\\\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Text from outside (message fields, file names, error messages quoting them) made safe to print on
 * a terminal as part of one line: every character that could move the cursor, change the terminal's
 * state, start a new line or reorder the display is shown as a visible escape (`\x1b`, `\n`,
 * `\u202e`, `\\`). Everything else, including other non-ASCII text, is kept as it is.
 */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}
