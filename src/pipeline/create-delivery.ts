import type { DeliveryConfig } from '../config/resolve-options.js';
import { ConfigurationError, type DeliveryError } from '../errors/metarouter-error.js';
import { nodeOnly } from '../runtime/node-only.js';
import type { SpoolIo } from '../storage/spool.js';
import { chooseTransport } from '../transport/choose-transport.js';
import { Delivery, type DeliverySettings, type QueueFactory } from '../delivery/delivery.js';
import { diagnosticsObserver } from '../telemetry/diagnostics.js';
import { allOf, type DeliveryObserver } from '../delivery/observer.js';
import type { openStorage } from './node-storage.js';
import { storageOpener } from './storage-source.js';

/**
 * The resolved options of the sending side, the seam under the spool (for fault tests), and a
 * shared queue made by its face (the bridge on PostgreSQL), which then replaces memory and storage.
 */
export type SendingConfig = DeliveryConfig & Pick<DeliverySettings, 'maxBatchBytes' | 'retryDelay'> & { storageIo?: Partial<SpoolIo>; sharedQueue?: QueueFactory };

/** The storage beneath a delivery, through the Node entry; a `ConfigurationError` through the edge entry. */
function openFiles(config: SendingConfig, report: (error: DeliveryError) => void): ReturnType<typeof openStorage> {
  if (config.storage === undefined && config.deadLetterFile === undefined) return { openQueue: undefined, deadLetters: undefined };
  const open = storageOpener();
  if (open !== undefined) return open(config, report);
  const option = config.storage === undefined ? 'deadLetterFile' : 'storage';
  throw new ConfigurationError(option, nodeOnly(`\`${option}\``));
}

/**
 * Composition root of the sending side: the HTTP transport and the delivery engine over it, observed
 * by the diagnostics channels and by whatever else the caller passes (OTel self-metrics); with
 * `storage`, the spool beneath it; with `deadLetterFile`, where given-up messages are kept.
 */
export function createDelivery(
  config: SendingConfig,
  report: (error: DeliveryError) => void,
  observers: readonly DeliveryObserver[] = [],
): Delivery {
  const { openQueue, deadLetters } =
    config.sharedQueue !== undefined ? { openQueue: config.sharedQueue, deadLetters: undefined }
    : config.disable ? { openQueue: undefined, deadLetters: undefined }
    : openFiles(config, report);
  const transport = chooseTransport({
    origin: config.origin,
    requestPath: config.requestPath,
    writeKey: config.writeKey,
    timeoutMillis: config.httpRequestTimeout,
    connections: config.maxConcurrentRequests,
    compression: config.compression,
    dispatcher: config.dispatcher,
  });
  return new Delivery(config, transport, report, allOf([diagnosticsObserver, ...observers]), openQueue, deadLetters);
}
