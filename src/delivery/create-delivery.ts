import type { DeliveryConfig } from '../config/resolve-options.js';
import type { DeliveryError } from '../errors/metarouter-error.js';
import { HttpTransport } from '../transport/http-transport.js';
import { Delivery } from './delivery.js';

/** Composition root of the sending side: the HTTP transport and the delivery engine over it. */
export function createDelivery(config: DeliveryConfig, report: (error: DeliveryError) => void): Delivery {
  const transport = new HttpTransport({
    origin: config.origin,
    requestPath: config.requestPath,
    writeKey: config.writeKey,
    timeoutMillis: config.httpRequestTimeout,
    connections: config.maxConcurrentRequests,
    compression: config.compression,
  });
  return new Delivery(config, transport, report);
}
