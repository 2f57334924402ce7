/**
 * An event time as ISO 8601 UTC with milliseconds: from a Date, an ISO/RFC string, or epoch
 * milliseconds. Undefined when the value is not a valid time.
 */
export function toIsoTimestamp(value: unknown): string | undefined {
  let millis: number;
  if (value instanceof Date) millis = value.getTime();
  else if (typeof value === 'string') millis = Date.parse(value);
  else if (typeof value === 'number') millis = value;
  else return undefined;
  if (!Number.isFinite(millis) || Math.abs(millis) > 8.64e15) return undefined;
  return new Date(millis).toISOString();
}
