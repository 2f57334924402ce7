import type { DeliveryConfig } from '../config/resolve-options.js';
import type { DeliveryError } from '../errors/metarouter-error.js';
import { HttpTransport } from '../transport/http-transport.js';
import { Delivery, type DeliverySettings } from './delivery.js';
import { diagnosticsObserver } from './diagnostics.js';
import { allOf, type DeliveryObserver } from './observer.js';

/**
 * Composition root of the sending side: the HTTP transport and the delivery engine over it, observed
 * by the diagnostics channels and by whatever else the caller passes (OTel self-metrics).
 */
export function createDelivery(
  config: DeliveryConfig & Pick<DeliverySettings, 'maxBatchBytes' | 'retryDelay'>,
  report: (error: DeliveryError) => void,
  observers: readonly DeliveryObserver[] = [],
): Delivery {
  const transport = new HttpTransport({
    origin: config.origin,
    requestPath: config.requestPath,
    writeKey: config.writeKey,
    timeoutMillis: config.httpRequestTimeout,
    connections: config.maxConcurrentRequests,
    compression: config.compression,
    dispatcher: config.dispatcher,
  });
  return new Delivery(config, transport, report, allOf([diagnosticsObserver, ...observers]));
}
