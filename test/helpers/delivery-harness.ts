// The Node entry provides what only Node has (storage, undici) as it loads; the engine is built below it.
import '../../src/index.js';
import type { DeliveryOptions } from '../../src/config/delivery-options.js';
import { resolveDeliveryOptions } from '../../src/config/resolve-options.js';
import { createDelivery } from '../../src/pipeline/create-delivery.js';
import type { Delivery } from '../../src/delivery/delivery.js';
import type { DeliveryError, MetaRouterError } from '../../src/errors/metarouter-error.js';
import type { SpoolIo } from '../../src/storage/spool.js';
import { buildRecord, isProblem } from '../../src/translate/build-record.js';
import { toMessage, type Message } from '../../src/translate/message.js';
import { startIngestServer } from './ingest-server.js';

export const WRITE_KEY = 'delivery-test-key';

/** A real track message, serialized by the library's own translate layer, as the delivery queue takes it. */
export function trackMessage(event: string, properties: Record<string, unknown> = {}): Message {
  const record = buildRecord({
    type: 'track',
    picked: { fields: { userId: 'user-1', event, properties }, context: undefined },
    messageId: undefined,
    timestamp: new Date().toISOString(),
    traceId: undefined,
    spanId: undefined,
  });
  if (isProblem(record)) throw new Error(record.message);
  return toMessage(record, JSON.stringify(WRITE_KEY));
}

/** One call of the `retryDelay` setting, as the delivery engine made it. */
export interface DelayCall {
  readonly attempt: number;
  readonly retryAfterMillis: number | undefined;
}

export interface DeliveryHarness {
  readonly delivery: Delivery;
  /** Everything reported on the delivery's error channel, in order. */
  readonly errors: DeliveryError[];
  /** Every call of `retryDelay`, in order. */
  readonly delays: DelayCall[];
}

/**
 * The delivery engine over a real `HttpTransport` to `url`, configured like the library does it
 * (resolveDeliveryOptions), with `retryDelay` replaced by a recorder that waits `delayMillis`.
 */
export function deliveryTo(url: string, options: DeliveryOptions & { delayMillis?: number; maxBatchBytes?: number; storageIo?: Partial<SpoolIo> } = {}): DeliveryHarness {
  const { delayMillis = 5, maxBatchBytes, storageIo, ...deliveryOptions } = options;
  const config = resolveDeliveryOptions({ writeKey: WRITE_KEY, host: url, ...deliveryOptions });
  const errors: DeliveryError[] = [];
  const delays: DelayCall[] = [];
  const delivery = createDelivery(
    {
      ...config,
      ...(maxBatchBytes === undefined ? {} : { maxBatchBytes }),
      storageIo,
      retryDelay: (attempt, retryAfterMillis) => {
        delays.push({ attempt, retryAfterMillis });
        return delayMillis;
      },
    },
    (error) => errors.push(error),
  );
  return { delivery, errors, delays };
}

/** Collects what an `Analytics` (or exporter) reports on its `error` channel. */
export function collectErrors(channel: { on(event: 'error', listener: (error: MetaRouterError) => void): unknown }): DeliveryError[] {
  const errors: DeliveryError[] = [];
  channel.on('error', (error) => errors.push(error as DeliveryError));
  return errors;
}

/** Polls `condition` every few milliseconds; rejects naming `what` after `timeoutMillis`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMillis = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMillis} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A URL on which nothing listens: a server is started, its address noted, and it is closed. */
export async function refusingUrl(): Promise<string> {
  const server = await startIngestServer();
  await server.close();
  return server.url;
}

/** How many times each value occurs. */
export function countOf(values: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}
