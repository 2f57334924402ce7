/**
 * Text of a generated module built from a plan's own strings. A plan comes from outside (a file, an
 * API), so no string in it may end the literal or comment it is written into: what followed would
 * run as code when the module loads.
 */

/** Characters that end a line for JavaScript and TypeScript, which `JSON.stringify` leaves raw (U+2028, U+2029) or a comment cannot hold. */
const LINE_BREAKS = /[\u0000-\u001f\u007f\u2028\u2029]/g;

function escaped(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * A double-quoted string literal of `text`: JSON's escaping, plus U+2028 and U+2029, which JSON
 * leaves raw and engines before ES2019 read as line breaks inside a string.
 */
export function stringLiteral(text: string): string {
  return JSON.stringify(text).replace(/[\u2028\u2029]/g, escaped);
}

/**
 * `text` made safe inside a line or block comment: every line break and control character is
 * written as `\uXXXX`, and a `*\/` cannot close the comment.
 */
export function commentText(text: string): string {
  return text.replace(LINE_BREAKS, escaped).replace(/\*\//g, '*\\/');
}

/**
 * `value` (JSON data, as `JSON.parse` returns it) as a JavaScript expression that evaluates to an
 * equal value, indented like `JSON.stringify(value, null, 2)`. A `__proto__` key is written as a
 * computed key, which defines an own property; written plainly it would set the prototype, and the
 * schema under it would vanish from the object.
 */
export function valueLiteral(value: unknown, indent = ''): string {
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => `${inner}${valueLiteral(item, inner)}`).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const members = entries.map(([key, item]) => `${inner}${key === '__proto__' ? `[${stringLiteral(key)}]` : stringLiteral(key)}: ${valueLiteral(item, inner)}`);
  return `{\n${members.join(',\n')}\n${indent}}`;
}
