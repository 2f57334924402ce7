/** Delay before the first retry. */
export const INITIAL_BACKOFF_MILLIS = 500;
/** Each further retry waits this many times longer... */
export const BACKOFF_MULTIPLIER = 2;
/** ...up to this. */
export const MAX_BACKOFF_MILLIS = 30_000;
/** Each delay is moved at random by up to this fraction, so that clients do not retry in step. */
export const JITTER = 0.2;

/**
 * Milliseconds to wait before retry number `attempt` (1 for the first retry). A server hint
 * (`Retry-After`) wins over the computed backoff. `random` returns a number in [0, 1).
 */
export function retryDelayMillis(attempt: number, retryAfterMillis: number | undefined, random: () => number = Math.random): number {
  if (retryAfterMillis !== undefined) return retryAfterMillis;
  const base = Math.min(INITIAL_BACKOFF_MILLIS * BACKOFF_MULTIPLIER ** (attempt - 1), MAX_BACKOFF_MILLIS);
  const jitter = 1 + (random() * 2 - 1) * JITTER;
  return Math.round(base * jitter);
}
