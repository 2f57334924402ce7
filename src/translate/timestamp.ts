/** ISO 8601 / RFC 3339: a date, optionally a time with seconds, fraction and offset. */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Epoch milliseconds of an ISO 8601 string, or NaN. Stricter than Date.parse, which takes "1" for
 * 2001 and rolls "2024-02-31" over into March: such input is refused, not silently rewritten.
 */
function parseIso(text: string): number {
  const match = ISO_8601.exec(text);
  if (match === null) return Number.NaN;
  const [, year, month, day, hours = '00', minutes = '00', seconds = '00'] = match;
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (calendar.getUTCMonth() !== Number(month) - 1 || calendar.getUTCDate() !== Number(day)) return Number.NaN;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) return Number.NaN;
  return Date.parse(/[T ]/i.test(text) && !/(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) ? `${text.replace(' ', 'T')}Z` : text.replace(' ', 'T'));
}

/**
 * An event time as ISO 8601 UTC with milliseconds: from a Date, an ISO 8601 string (read as UTC
 * when it has no offset), or epoch milliseconds. Undefined when the value is not a valid time.
 */
export function toIsoTimestamp(value: unknown): string | undefined {
  let millis: number;
  if (value instanceof Date) millis = value.getTime();
  else if (typeof value === 'string') millis = parseIso(value.trim());
  else if (typeof value === 'number') millis = value;
  else return undefined;
  if (!Number.isFinite(millis) || Math.abs(millis) > 8.64e15) return undefined;
  return new Date(millis).toISOString();
}

/** The second last formatted by {@link isoTimeOf}, and its text up to the milliseconds. */
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * `new Date(millis).toISOString()` of integer epoch milliseconds, for a hot path. That builtin
 * costs about 0.7 µs, a large share of a whole call; calls within one second share its text up to
 * the milliseconds, so only those are formatted again. Throws the builtin's RangeError for NaN.
 */
export function isoTimeOf(millis: number): string {
  const second = Math.floor(millis / 1000);
  if (second !== cachedSecond) {
    cachedPrefix = new Date(millis).toISOString().slice(0, -4);
    cachedSecond = second;
  }
  const ms = millis - second * 1000;
  return `${cachedPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}
