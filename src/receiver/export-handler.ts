import type { DeliveryCounters } from '../delivery/delivery.js';
import { toHrTime } from '../otel/otel-compat.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Message } from '../translate/message.js';
import { readOtlpLogs } from './otlp/read-otlp-logs.js';
import type { OtlpReadResult } from './otlp/read-otlp-result.js';
import { readOtlpTraces } from './otlp/read-otlp-traces.js';
import type { PartialSuccess, Signal } from './otlp-codec.js';

/** Running totals of a bridge. */
export interface BridgeCounters {
  /** OTLP export requests POSTed to /v1/logs or /v1/traces (answered with errors included). */
  requests: number;
  /** Analytics events read from requests and taken into the delivery queue. */
  queued: number;
  /** Log records or spans answered as rejected in `partial_success` (invalid analytics events). */
  rejected: number;
  /**
   * Analytics events the tracking plan dropped (a drop or `throw` mode), also answered as
   * rejected in `partial_success`; not in `rejected`.
   */
  planRejected: number;
  /** Requests refused with 503 because the delivery queue had no room for their events (or, with `queue`, its database was unavailable). */
  throttled: number;
  /** With `queue`: analytics events not stored again because their messageId (for this writeKey) was already taken within `queue.dedupWindow`. */
  duplicates: number;
  /** The delivery queue's own totals (delivered, dropped, retries, HTTP requests). */
  readonly delivery: Readonly<DeliveryCounters>;
}

/** What became of one decoded export request. */
export type ExportOutcome =
  | { readonly kind: 'accepted'; readonly partial: PartialSuccess | undefined }
  /** No room in the queue now: retry later. */
  | { readonly kind: 'busy' }
  /** More events than the whole queue holds: no retry can succeed. */
  | { readonly kind: 'too-many'; readonly events: number }
  /** With `queue`: the database did not take the request (unreachable, restarting); retry later. */
  | { readonly kind: 'unavailable' };

/** The shared queue a fleet's bridge commits each request into (`fleet/open-fleet-queue.ts`). */
export interface SharedIngest {
  readonly ready: boolean;
  full(bytes: number): boolean;
  commit(messages: readonly Message[]): Promise<number>;
}

const ITEMS: Readonly<Record<Signal, readonly [string, string]>> = Object.freeze({ logs: ['log record', 'log records'], traces: ['span', 'spans'] });

/**
 * Turns a decoded export request into queued messages, all or none: the analytics events are
 * read (through the same otel readers as the exporters), and either the queue has room for all of
 * them or none is taken and the client is told to retry, so that its own queue keeps the data.
 */
export class ExportHandler {
  constructor(
    private readonly pipeline: Pipeline,
    private readonly writeKeyJson: string,
    private readonly maxQueueSize: number,
    private readonly counters: BridgeCounters,
    private readonly resourceKeys: readonly string[],
    /** With `queue`: where a request's events are committed, answered only once they are. */
    private readonly shared?: SharedIngest,
  ) {}

  /**
   * Throws `OtlpShapeError` when the request cannot be read (the server answers 400). With a shared
   * queue the outcome is a promise, settled once the events are committed; without, it is at once.
   */
  handle(signal: Signal, request: unknown, receivedAtMillis: number): ExportOutcome | Promise<ExportOutcome> {
    const receivedAt = toHrTime(receivedAtMillis);
    const read = signal === 'logs' ? readOtlpLogs(request, this.writeKeyJson, receivedAt, this.resourceKeys) : readOtlpTraces(request, this.writeKeyJson, receivedAt, this.resourceKeys);
    if (read.messages.length > this.maxQueueSize) return { kind: 'too-many', events: read.messages.length };
    if (this.shared !== undefined) return this.commit(this.shared, signal, read);
    if (!this.pipeline.hasRoomFor(read.messages.length)) {
      this.counters.throttled++;
      return { kind: 'busy' };
    }
    // Shaped only once the request is taken: a 503 answer makes the client send it again.
    const planRejectedBefore = this.counters.planRejected;
    for (const message of read.messages) {
      if (this.pipeline.offer(message)) this.counters.queued++;
    }
    return this.answer(signal, read, this.counters.planRejected - planRejectedBefore);
  }

  /**
   * All or none, through the shared queue: the events are shaped here (beforeSend, the plan) and
   * committed in one transaction; the client hears 200 only after the commit. A messageId already
   * taken is not stored again and still counts as taken.
   */
  private async commit(shared: SharedIngest, signal: Signal, read: OtlpReadResult): Promise<ExportOutcome> {
    if (!shared.ready) {
      this.counters.throttled++;
      return { kind: 'unavailable' };
    }
    let bytes = 0;
    for (const message of read.messages) bytes += message.bytes;
    if (shared.full(bytes)) {
      this.counters.throttled++;
      return { kind: 'busy' };
    }
    const planRejectedBefore = this.counters.planRejected;
    const shaped: Message[] = [];
    for (const message of read.messages) {
      const kept = this.pipeline.shaping.shape(message);
      if (kept !== undefined) shaped.push(kept);
    }
    const planRejected = this.counters.planRejected - planRejectedBefore;
    if (shaped.length > 0) {
      let fresh: number;
      try {
        fresh = await shared.commit(shaped);
      } catch {
        // Reported by the queue's client; nothing of this request was stored.
        this.counters.throttled++;
        return { kind: 'unavailable' };
      }
      this.counters.queued += fresh;
      this.counters.duplicates += shaped.length - fresh;
    }
    return this.answer(signal, read, planRejected);
  }

  /** The answer to a request taken: what was invalid or broke the plan goes back in `partial_success`. */
  private answer(signal: Signal, read: OtlpReadResult, planRejected: number): ExportOutcome {
    const reasons: string[] = [];
    if (read.rejected > 0) {
      this.counters.rejected += read.rejected;
      const invalid = this.describe(signal, read);
      // Counted and reported like the exporters' invalid records (the client learns it from the answer).
      this.pipeline.discard('MR_ERR_INVALID_RECORD', `OTLP ${signal} export: ${invalid}`, [], read.rejected);
      reasons.push(invalid);
    }
    // Already counted and reported, one by one, by the plan stage.
    if (planRejected > 0) reasons.push(`${planRejected} analytics ${planRejected === 1 ? 'event breaks' : 'events break'} the tracking plan and ${planRejected === 1 ? 'was' : 'were'} not taken (see the bridge's error channel, MR_ERR_PLAN_VIOLATION)`);
    if (reasons.length === 0) return { kind: 'accepted', partial: undefined };
    return { kind: 'accepted', partial: { rejected: read.rejected + planRejected, errorMessage: reasons.join('; ') } };
  }

  private describe(signal: Signal, read: OtlpReadResult): string {
    return `${read.rejected} ${ITEMS[signal][read.rejected === 1 ? 0 : 1]} held analytics events that are not valid; those events were not taken (${read.problems.join('; ')})`;
  }
}
