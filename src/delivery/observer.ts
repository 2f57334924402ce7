import type { ErrorCode } from '../errors/codes.js';
import type { TransportResult } from '../transport/transport-result.js';

/** One request the delivery engine makes. */
export interface RequestInfo {
  readonly messageCount: number;
  /** Request body bytes before compression. */
  readonly bytes: number;
  /** 1 for the first try of a batch, 2 for its first retry, … */
  readonly attempt: number;
}

/** How one request ended. */
export interface ResponseInfo extends RequestInfo {
  readonly outcome: TransportResult['kind'];
  readonly status: number | undefined;
  readonly durationMillis: number;
}

/**
 * Hooks into what the delivery engine does, for self-observability (OTel metrics,
 * diagnostics_channel). Called per request, batch or drop; an accepted call never reaches it.
 */
export interface DeliveryObserver {
  requestStarted(info: RequestInfo): void;
  requestFinished(info: ResponseInfo): void;
  delivered(count: number): void;
  dropped(messageIds: readonly string[], code: ErrorCode): void;
  retryScheduled(delayMillis: number): void;
  /** A shaping stage dropped a message before it was queued (the user's decision, not a loss). */
  filtered?(messageId: string, stage: string): void;
}

/** Calls every observer in turn. */
export function allOf(observers: readonly DeliveryObserver[]): DeliveryObserver {
  return {
    requestStarted: (info) => observers.forEach((observer) => observer.requestStarted(info)),
    requestFinished: (info) => observers.forEach((observer) => observer.requestFinished(info)),
    delivered: (count) => observers.forEach((observer) => observer.delivered(count)),
    dropped: (ids, code) => observers.forEach((observer) => observer.dropped(ids, code)),
    retryScheduled: (delay) => observers.forEach((observer) => observer.retryScheduled(delay)),
    filtered: (id, stage) => observers.forEach((observer) => observer.filtered?.(id, stage)),
  };
}
