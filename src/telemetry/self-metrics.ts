import { metrics, type ObservableGauge, type ObservableResult } from '@opentelemetry/api';
import type { DeliveryObserver } from '../delivery/observer.js';
import { LIBRARY } from '../version.js';

/**
 * Bucket boundaries advised for `metarouter.request.duration`, in seconds: OpenTelemetry's
 * semantic conventions for HTTP client request durations. Without advice the SDK's default
 * boundaries (0, 5, 10, … 10000, meant for milliseconds) put every request in the 0–5 s bucket,
 * and percentiles computed from it say nothing. An app's own View still overrides this.
 */
const REQUEST_DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Self-observability as OTel metrics, and the queue gauge's callback to remove at shutdown. */
export interface SelfMetrics {
  readonly observer: DeliveryObserver;
  /** Starts reporting the queue size read from `size`. */
  observeQueue(size: () => number): void;
  /** Stops the queue gauge (so a closed exporter is not kept alive by the meter). */
  stop(): void;
}

/**
 * The delivery's own metrics through the global `@opentelemetry/api` meter provider: a no-op
 * unless the app registered one before this exporter was created (the metrics API hands out
 * instruments of the provider registered at that moment). Names follow `metarouter.*`; the drop counter carries the error
 * code as `reason` (or the shaping stage's name, `beforeSend`, for messages a stage dropped).
 */
export function createSelfMetrics(): SelfMetrics {
  const meter = metrics.getMeter(LIBRARY.name, LIBRARY.version);
  const sent = meter.createCounter('metarouter.messages.sent', { description: 'Messages the server acknowledged', unit: '{message}' });
  const dropped = meter.createCounter('metarouter.messages.dropped', { description: 'Messages given up, by reason (error code)', unit: '{message}' });
  const retried = meter.createCounter('metarouter.batches.retried', { description: 'Retries scheduled for batches', unit: '{retry}' });
  const duration = meter.createHistogram('metarouter.request.duration', {
    description: 'Duration of requests to the ingestion endpoint',
    unit: 's',
    advice: { explicitBucketBoundaries: REQUEST_DURATION_BUCKETS_SECONDS },
  });
  const queue: ObservableGauge = meter.createObservableGauge('metarouter.queue.size', { description: 'Messages held: queued, in flight or waiting to retry', unit: '{message}' });
  let callback: ((result: ObservableResult) => void) | undefined;
  return {
    observer: {
      requestStarted() {},
      requestFinished(info) {
        duration.record(info.durationMillis / 1000, { outcome: info.outcome, ...(info.status === undefined ? {} : { 'http.response.status_code': info.status }) });
      },
      delivered(count) {
        sent.add(count);
      },
      dropped(messageIds, code) {
        dropped.add(messageIds.length, { reason: code });
      },
      retryScheduled() {
        retried.add(1);
      },
      filtered(_messageId, stage) {
        // Dropped by the user's own decision: the stage's name as the reason, never an error code.
        dropped.add(1, { reason: stage });
      },
    },
    observeQueue(size) {
      callback = (result) => result.observe(size());
      queue.addCallback(callback);
    },
    stop() {
      if (callback !== undefined) queue.removeCallback(callback);
      callback = undefined;
    },
  };
}
