/** The longest wait a server's Retry-After can impose; longer hints are cut to this. */
export const MAX_RETRY_AFTER_MILLIS = 60_000;

/**
 * Reads a `Retry-After` header (delay in seconds, or an HTTP date) as milliseconds from `nowMillis`,
 * capped at {@link MAX_RETRY_AFTER_MILLIS}. Returns undefined when absent or unreadable.
 */
export function parseRetryAfter(header: string | string[] | undefined, nowMillis: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  let millis: number;
  if (/^\d+$/.test(trimmed)) {
    millis = Number(trimmed) * 1000;
  } else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    millis = date - nowMillis;
  }
  return Math.min(Math.max(millis, 0), MAX_RETRY_AFTER_MILLIS);
}
