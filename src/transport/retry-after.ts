/** The longest wait a server's Retry-After can impose; longer hints are cut to this. */
export const MAX_RETRY_AFTER_MILLIS = 60_000;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d\\d):(\\d\\d):(\\d\\d)';
// The three HTTP-date forms of RFC 9110 §5.6.7, all in GMT. Anything else is unreadable: a lenient
// Date.parse would take "1.5" or "-5" for dates and turn them into "retry now".
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d\\d) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC_850 = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d\\d)-${MONTH}-(\\d\\d) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ( \\d|\\d\\d) ${TIME} (\\d{4})$`);

/** Epoch milliseconds of an HTTP-date, or undefined when `text` is not one. */
function parseHttpDate(text: string, nowMillis: number): number | undefined {
  let parts: [day: string, month: string, year: number, hours: string, minutes: string, seconds: string];
  let match: RegExpExecArray | null;
  if ((match = IMF_FIXDATE.exec(text)) !== null) {
    parts = [match[1]!, match[2]!, Number(match[3]), match[4]!, match[5]!, match[6]!];
  } else if ((match = RFC_850.exec(text)) !== null) {
    // A two-digit year more than 50 years ahead means the most recent past year with those digits.
    let year = 2000 + Number(match[3]);
    if (year > new Date(nowMillis).getUTCFullYear() + 50) year -= 100;
    parts = [match[1]!, match[2]!, year, match[4]!, match[5]!, match[6]!];
  } else if ((match = ASCTIME.exec(text)) !== null) {
    parts = [match[2]!.trim(), match[1]!, Number(match[6]), match[3]!, match[4]!, match[5]!];
  } else {
    return undefined;
  }
  const [day, month, year, hours, minutes, seconds] = parts;
  return Date.UTC(year, MONTHS.indexOf(month), Number(day), Number(hours), Number(minutes), Number(seconds));
}

/**
 * Reads a `Retry-After` header (delay in seconds, or an HTTP date) as milliseconds from `nowMillis`,
 * capped at {@link MAX_RETRY_AFTER_MILLIS}. Returns undefined when absent or unreadable, so that the
 * normal backoff applies.
 */
export function parseRetryAfter(header: string | string[] | undefined, nowMillis: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  let millis: number;
  if (/^\d+$/.test(trimmed)) {
    millis = Number(trimmed) * 1000;
  } else {
    const date = parseHttpDate(trimmed, nowMillis);
    if (date === undefined) return undefined;
    millis = date - nowMillis;
  }
  return Math.min(Math.max(millis, 0), MAX_RETRY_AFTER_MILLIS);
}
