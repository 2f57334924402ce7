import type { ErrorCode } from '../errors/codes.js';
import { retryDelayMillis } from '../transport/backoff.js';
import type { TransportResult } from '../transport/transport-result.js';

/**
 * The retry policy, in one pure module: what a batch's transport result means for it, given how
 * many tries it has had and since when. It composes the transport's pure parts rather than moving
 * them: `classify-response.ts` (status → result union, read in the transport, which must never throw
 * for a status), `retry-after.ts` (the server's hint, already capped in the result) and `backoff.ts`
 * (exponential delay with jitter). No timers, no clock, no I/O: the caller passes the time and acts
 * on the decision, so every branch is testable by capturing delays, without a server or a sleep.
 */

/** Chooses the wait before retry number `attempt` (1 for the first retry); the server's hint, when given, wins. */
export type RetryDelay = (attempt: number, retryAfterMillis: number | undefined) => number;

/** How far a batch may be retried; see `DeliveryOptions` for each meaning. */
export interface RetryBudget {
  readonly maxRetries: number;
  readonly maxRetryDuration: number;
  /** @default retryDelayMillis (backoff.ts) */
  readonly retryDelay?: RetryDelay;
}

/** What the policy reads of a batch. */
export interface RetryState {
  /** Requests made for it so far, the one just answered included. */
  readonly attempts: number;
  /** When its first request started (epoch ms). */
  readonly firstAttemptAt: number;
  readonly messageCount: number;
}

/** What to do with a batch after an answer. */
export type RetryDecision =
  | { readonly action: 'settle' }
  | { readonly action: 'retry'; readonly delayMillis: number; readonly serverAsked: boolean }
  /** The budget is spent: give up, unless the caller can keep the batch elsewhere (disk) and retry it at `outlastDelayMillis()`. */
  | { readonly action: 'exhausted'; readonly reason: string; readonly outlastDelayMillis: () => number; readonly serverAsked: boolean }
  | { readonly action: 'split' }
  | { readonly action: 'give-up'; readonly code: ErrorCode; readonly reason: string };

/** Decides retries for every batch of one delivery engine. */
export class RetryPolicy {
  private readonly retryDelay: RetryDelay;

  constructor(private readonly budget: RetryBudget) {
    this.retryDelay = budget.retryDelay ?? retryDelayMillis;
  }

  /**
   * The decision for `result`, answered at `nowMillis`. A retry is within budget while the batch has
   * had at most `maxRetries` retries and the wait would end within `maxRetryDuration` of its first
   * try. The delay is chosen once per decision (an exhausted batch's only if asked for), so a
   * capturing `retryDelay` sees exactly the waits that are kept.
   */
  decide(result: TransportResult, state: RetryState, nowMillis: number): RetryDecision {
    switch (result.kind) {
      case 'success':
        return { action: 'settle' };
      case 'retryable': {
        const serverAsked = result.retryAfterMillis !== undefined;
        const delay = state.attempts > this.budget.maxRetries ? undefined : this.retryDelay(state.attempts, result.retryAfterMillis);
        if (delay !== undefined && nowMillis + delay - state.firstAttemptAt <= this.budget.maxRetryDuration) {
          return { action: 'retry', delayMillis: delay, serverAsked };
        }
        const limit = delay === undefined ? `${state.attempts} attempts` : `${state.attempts} attempts, at the ${this.budget.maxRetryDuration} ms retry deadline`;
        return {
          action: 'exhausted',
          reason: `gave up after ${limit}: ${result.reason}`,
          outlastDelayMillis: () => delay ?? this.retryDelay(state.attempts, result.retryAfterMillis),
          serverAsked,
        };
      }
      case 'too-large':
        if (state.messageCount === 1) return { action: 'give-up', code: 'MR_ERR_MESSAGE_TOO_LARGE', reason: 'server answered 413 for a single message' };
        return { action: 'split' };
      case 'failed':
        return { action: 'give-up', code: result.code, reason: result.status === undefined ? result.detail : `server answered ${result.status}: ${result.detail}` };
    }
  }
}
