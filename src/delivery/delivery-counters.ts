import type { StorageWhenFull } from '../config/delivery-options.js';
import type { RetryDelay } from './retry-policy.js';

/** What the delivery engine needs to know; see `DeliveryOptions` for each meaning. */
export interface DeliverySettings {
  readonly writeKey: string;
  readonly flushAt: number;
  readonly flushInterval: number;
  readonly maxQueueSize: number;
  readonly maxRetries: number;
  readonly maxRetryDuration: number;
  readonly maxConcurrentRequests: number;
  readonly disable: boolean;
  /** The transport's deadline per request. @default DEFAULTS.httpRequestTimeout */
  readonly httpRequestTimeout?: number;
  /** A request body stays at or below this. @default LIMITS.maxBatchBytes */
  readonly maxBatchBytes?: number;
  /** With storage: what a full directory drops. @default DEFAULTS.storageWhenFull */
  readonly storage?: { readonly whenFull: StorageWhenFull };
  /** Chooses the wait before a retry; replaceable so tests can capture delays instead of sleeping. */
  readonly retryDelay?: RetryDelay;
}

/**
 * Running totals, for tests, benchmarks, self-observability and alerts. At every moment
 * `accepted + recovered = delivered + dropped + pending`; once the queue is empty, pending is 0.
 * Every message in `dropped` or `refused` was reported on the error channel, once.
 */
export interface DeliveryCounters {
  /** Messages taken into the queue. */
  accepted: number;
  /** Accepted messages the server acknowledged (2xx, less those a 207 rejected). */
  delivered: number;
  /** Accepted messages given up later (rejected by the server, retries exhausted, close deadline). */
  dropped: number;
  /** Messages never accepted: queue full, sent after close, too large, not a valid analytics record. */
  refused: number;
  /** Messages an earlier process left in `storage.directory`, taken up by this one. */
  recovered: number;
  /** Accepted (or recovered) messages neither delivered nor dropped yet: queued, in flight, waiting to retry, or in storage. */
  pending: number;
  /** Retries scheduled. */
  retries: number;
  /** HTTP requests made. */
  requests: number;
  /** Messages a shaping stage (`beforeSend`) dropped by the user's decision: never accepted, never reported. */
  filtered: number;
  /** Of `dropped`: the oldest messages evicted from a full `storage.directory` (`storage.whenFull: 'drop_oldest'`). */
  evicted: number;
}
