import { builtinModule } from '../runtime/host-process.js';

const REDACTED = '[redacted]';
const UTF8 = new TextEncoder();

/** How deep a cause chain is copied; deeper causes are cut off. */
const MAX_CAUSE_DEPTH = 8;
const NAMED_ENTITIES: Readonly<Record<string, string>> = { '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** A hex number as a pattern of any letter case, with optional leading zeros. */
function hexPattern(value: number, width: number): string {
  const digits = value.toString(16).padStart(width, '0');
  return [...digits].map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit)).join('');
}

/**
 * Every way one character of a secret may be spelled by a server that echoes it: as is; escaped in
 * JSON by any encoder (`\uXXXX` of either case, as Python's `ensure_ascii`, Go's HTML-safe
 * escaping and PHP do; `\/`; `\"`), at any nesting (one or more backslashes); percent-encoded
 * UTF-8 of either case; an HTML character reference.
 */
function characterPattern(character: string): string {
  const codePoint = character.codePointAt(0)!;
  const units = character.length === 2 ? [character.charCodeAt(0), character.charCodeAt(1)] : [codePoint];
  const forms = [
    escapeRegExp(character),
    units.map((unit) => `\\\\+u${hexPattern(unit, 4)}`).join(''),
    [...UTF8.encode(character)].map((byte) => `%${hexPattern(byte, 2)}`).join(''),
    `&#0*${codePoint};`,
    `&#[xX]0*${hexPattern(codePoint, 1)};`,
  ];
  if (character === '/' || character === '"' || character === "'") forms.push(`\\\\+${escapeRegExp(character)}`);
  if (character === '\\') forms.push('\\\\{2,}');
  if (NAMED_ENTITIES[character] !== undefined) forms.push(`&${NAMED_ENTITIES[character]};`);
  return `(?:${forms.join('|')})`;
}

/**
 * A function that replaces every occurrence of the secrets, in every escaped form a server may
 * echo them in (see `characterPattern`), by `[redacted]`. Secrets are matched whole: a key is never
 * partly shown.
 */
export function secretRedactor(secrets: readonly string[]): (text: string) => string {
  const patterns = secrets.filter((secret) => secret.length > 0).map((secret) => [...secret].map(characterPattern).join(''));
  if (patterns.length === 0) return (text) => text;
  const pattern = new RegExp(patterns.join('|'), 'g');
  // Nearly every answer is a 2xx whose body is not read: V8 compiles the pattern at its first use
  // (about 9 ms for a typical key, on the loop that serves the app), so an empty text never reaches it.
  return (text) => (text === '' ? text : text.replace(pattern, REDACTED));
}

/** A thrown object that is not an Error, as text: `util.inspect`'s where the runtime has it, else its JSON or its tag. */
function objectText(value: object): string {
  const inspect = builtinModule<typeof import('node:util')>('node:util')?.inspect;
  if (inspect !== undefined) return inspect(value, { depth: 2 });
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * A copy of an error (a dispatcher's, say) that is safe to report: message, stack and string
 * properties redacted, number and boolean properties kept (`code`, `errno`), object properties
 * (headers, bodies) left out, its cause chain copied the same way. Its `name` and `code` still say
 * what happened.
 */
export function redactError(error: unknown, redact: (text: string) => string, depth = 0): unknown {
  if (!(error instanceof Error)) return typeof error === 'object' && error !== null ? redact(objectText(error)) : typeof error === 'string' ? redact(error) : error;
  const cause = error.cause === undefined || depth >= MAX_CAUSE_DEPTH ? undefined : { cause: redactError(error.cause, redact, depth + 1) };
  const copy = new Error(redact(error.message), cause) as Error & Record<string, unknown>;
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string') copy[key] = redact(value);
    else if (typeof value === 'number' || typeof value === 'boolean') copy[key] = value;
  }
  if (error instanceof AggregateError) copy.errors = error.errors.map((item: unknown) => redactError(item, redact, depth + 1));
  Object.defineProperty(copy, 'name', { value: redact(error.name), enumerable: false, writable: true, configurable: true });
  copy.stack = redact(error.stack ?? `${copy.name}: ${copy.message}`);
  return copy;
}
