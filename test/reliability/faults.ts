import type { Analytics, AnalyticsOptions, DeliveryError, MetaRouterError } from '../../src/index.js';
import { reply, retryAfter, type Fault } from '../helpers/fault-server.js';

/** A fault the client must retry, with what it should make of the server's hint. */
export interface RetryableFault {
  readonly name: string;
  /** The failing answer, made per request (an HTTP-date must be computed when it is sent). */
  readonly make: () => Fault;
  /** Options the fault needs, such as a short httpRequestTimeout for the stalls. */
  readonly options?: Partial<AnalyticsOptions>;
  /** No server at all: the port refuses connections (the fault server is stopped). */
  readonly refused?: boolean;
  /** The `status` a DeliveryError carries when retries run out (undefined: no readable status). */
  readonly status: number | undefined;
  /** What the client must pass to retryDelay as the server's hint. */
  readonly hint: { readonly exact: number } | { readonly within: readonly [number, number] } | 'none';
}

/** Short enough to keep the suite fast, long enough for a loaded machine to answer a healthy request. */
export const STALL_TIMEOUT_MILLIS = 250;
const stalls = { httpRequestTimeout: STALL_TIMEOUT_MILLIS };
const padded = (text: string) => JSON.stringify({ error: text, padding: 'x'.repeat(400) });

/** Every retryable fault the fault server can make. */
export const RETRYABLE_FAULTS: readonly RetryableFault[] = [
  { name: '500', make: () => reply(500, { body: '{"error":"internal"}' }), status: 500, hint: 'none' },
  { name: '502', make: () => reply(502), status: 502, hint: 'none' },
  { name: '503', make: () => reply(503), status: 503, hint: 'none' },
  { name: '504', make: () => reply(504), status: 504, hint: 'none' },
  { name: '408', make: () => reply(408), status: 408, hint: 'none' },
  { name: '429 without Retry-After', make: () => reply(429), status: 429, hint: 'none' },
  { name: '429 Retry-After: 2 (seconds)', make: () => retryAfter(429, 2), status: 429, hint: { exact: 2000 } },
  { name: '503 Retry-After: 0', make: () => retryAfter(503, 0), status: 503, hint: { exact: 0 } },
  // An HTTP-date has whole seconds: 3 s ahead, truncated, read a moment later.
  { name: '503 Retry-After: an HTTP-date 3 s ahead', make: () => retryAfter(503, new Date(Date.now() + 3000)), status: 503, hint: { within: [1000, 3000] } },
  { name: '503 Retry-After: 99999 s (capped at 60 s)', make: () => retryAfter(503, 99_999), status: 503, hint: { exact: 60_000 } },
  { name: '503 Retry-After: unreadable ("soon")', make: () => retryAfter(503, 'soon'), status: 503, hint: 'none' },
  { name: 'connection reset before the body is read', make: () => ({ kind: 'reset-before-body' }), status: undefined, hint: 'none' },
  { name: 'connection reset after the body is read', make: () => ({ kind: 'reset-after-body' }), status: undefined, hint: 'none' },
  { name: 'no answer at all (stall)', make: () => ({ kind: 'stall' }), options: stalls, status: undefined, hint: 'none' },
  // A status line that arrived decides, whatever becomes of the body after it.
  { name: '503 headers, then the body stalls', make: () => ({ kind: 'headers-then-stall', status: 503 }), options: stalls, status: 503, hint: 'none' },
  {
    name: '503 body dripped slower than httpRequestTimeout',
    make: () => ({ kind: 'slow-body', status: 503, body: padded('slow'), chunkBytes: 8, intervalMillis: 40 }),
    options: stalls,
    status: 503,
    hint: 'none',
  },
  { name: '503 closed mid-response', make: () => ({ kind: 'close-mid-response', status: 503, body: padded('cut') }), status: 503, hint: 'none' },
  { name: '503 with a 50 MB body', make: () => ({ kind: 'huge-body', status: 503, bytes: 50_000_000 }), status: 503, hint: 'none' },
  { name: '503 to a gzip-compressed request', make: () => reply(503), options: { compression: 'gzip' }, status: 503, hint: 'none' },
  { name: 'connection refused', make: () => reply(200), refused: true, status: undefined, hint: 'none' },
];

/** Faults after which the server ingested the batch, but the answer broke after its 2xx status line. */
export const BROKEN_2XX_FAULTS: ReadonlyArray<{ readonly name: string; readonly make: () => Fault; readonly options?: Partial<AnalyticsOptions> }> = [
  { name: '200 closed mid-response', make: () => ({ kind: 'close-mid-response', status: 200, body: padded('ok') }) },
  { name: '200 headers, then the body stalls', make: () => ({ kind: 'headers-then-stall', status: 200 }), options: stalls },
  { name: '200 body dripped slower than httpRequestTimeout', make: () => ({ kind: 'slow-body', status: 200, body: padded('ok'), chunkBytes: 8, intervalMillis: 40 }), options: stalls },
  { name: '200 with a 50 MB body', make: () => ({ kind: 'huge-body', status: 200, bytes: 50_000_000 }) },
];

/** A fault that drops the batch at once, with the code it must be reported with. */
export interface FinalFault {
  readonly name: string;
  readonly make: () => Fault;
  readonly code: string;
  readonly status: number;
}

/** Non-retryable answers, each carrying a Retry-After that must not make them retried. */
export const FINAL_FAULTS: readonly FinalFault[] = [
  ...([
    [400, 'MR_ERR_REJECTED'],
    [409, 'MR_ERR_REJECTED'],
    [422, 'MR_ERR_REJECTED'],
    [501, 'MR_ERR_REJECTED'],
    [505, 'MR_ERR_REJECTED'],
    [401, 'MR_ERR_UNAUTHORIZED'],
    [403, 'MR_ERR_UNAUTHORIZED'],
    [404, 'MR_ERR_ENDPOINT_NOT_FOUND'],
  ] as const).map(([status, code]) => ({
    name: `${status} with Retry-After: 1`,
    make: () => reply(status, { headers: { 'retry-after': '1' }, body: `{"error":"no (${status})"}` }),
    code,
    status,
  })),
  // The status line said 400 and the body broke after it: the status decides, as a 2xx status line does.
  { name: '400 closed mid-response', make: () => ({ kind: 'close-mid-response', status: 400, body: padded('cut') }), code: 'MR_ERR_REJECTED', status: 400 },
];

/** Records (attempt, server hint, the delay the library chose) while replacing the real wait. */
export interface RetryDelayCall {
  readonly attempt: number;
  readonly retryAfterMillis: number | undefined;
  /** What the library's own backoff chose (the wait it would have made). */
  readonly chosenMillis: number;
}

interface DelaySeam {
  retryDelay: (attempt: number, retryAfterMillis: number | undefined) => number;
}

/**
 * Captures the retry delays of an `Analytics` instance's built-in pipeline without sleeping them:
 * its delivery's retry policy's `retryDelay` (the seam tests use to capture delays) is wrapped so that the
 * library's own choice is recorded and the real wait is `waitMillis` (or the choice, if shorter).
 * `Analytics` exposes no option for this, so the wrapper reaches the instance's private delivery.
 */
export function captureRetryDelays(analytics: Analytics, waitMillis: number | ((call: RetryDelayCall) => number) = 5): RetryDelayCall[] {
  const seam = (analytics as unknown as { pipeline: { delivery: { retryPolicy: DelaySeam } } }).pipeline.delivery.retryPolicy;
  const chooseDelay = seam.retryDelay;
  const calls: RetryDelayCall[] = [];
  seam.retryDelay = (attempt, retryAfterMillis) => {
    const call = { attempt, retryAfterMillis, chosenMillis: chooseDelay(attempt, retryAfterMillis) };
    calls.push(call);
    return typeof waitMillis === 'function' ? waitMillis(call) : Math.min(call.chosenMillis, waitMillis);
  };
  return calls;
}

/** Collects what an `Analytics` reports on its `error` channel. */
export function collect(analytics: Analytics): DeliveryError[] {
  const errors: DeliveryError[] = [];
  analytics.on('error', (error: MetaRouterError) => errors.push(error as DeliveryError));
  return errors;
}

/** Resolves with the promise's outcome, or with 'hung' when it has not settled after `guardMillis`. */
export async function settlesWithin<T>(promise: Promise<T>, guardMillis: number): Promise<{ settled: 'resolved'; value: T } | { settled: 'rejected'; reason: unknown } | { settled: 'hung' }> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<{ settled: 'hung' }>((resolve) => {
    timer = setTimeout(() => resolve({ settled: 'hung' }), guardMillis);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ settled: 'resolved' as const, value }),
        (reason: unknown) => ({ settled: 'rejected' as const, reason }),
      ),
      guard,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** How many times each value occurs. */
export function tally(values: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** One row of the figures the matrix produces: messages sent, delivered, reported lost, silently lost. */
export interface Figures {
  readonly suite: string;
  readonly fault: string;
  readonly sent: number;
  readonly delivered: number;
  readonly reportedLost: number;
  readonly silentlyLost: number;
  readonly duplicates: number;
  readonly requests: number;
}

const figures: Figures[] = [];

/** Keeps a row of figures; written out by {@link writeFigures} when MR_RELIABILITY_FIGURES names a file. */
export function recordFigures(row: Figures): void {
  figures.push(row);
}

/** Appends the rows, as JSON lines, to the file MR_RELIABILITY_FIGURES names (tests print nothing). */
export async function writeFigures(): Promise<void> {
  const file = process.env.MR_RELIABILITY_FIGURES;
  if (file === undefined || figures.length === 0) return;
  const { appendFile } = await import('node:fs/promises');
  await appendFile(file, figures.map((row) => JSON.stringify(row)).join('\n') + '\n');
}

/** The backoff band the library promises for retry `attempt` with no hint: 500 ms doubling, capped at 30 s, ±20 % jitter. */
export function backoffBand(attempt: number): [number, number] {
  const base = Math.min(500 * 2 ** (attempt - 1), 30_000);
  return [Math.floor(base * 0.8), Math.ceil(base * 1.2)];
}
