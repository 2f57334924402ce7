import type { DeliveryConfig, StorageConfig } from '../config/resolve-options.js';
import { ConfigurationError, readThrown, type DeliveryError } from '../errors/metarouter-error.js';
import { DeadLetters } from '../storage/dead-letters.js';
import { DirectoryInUse } from '../storage/directory-lock.js';
import { UnsafeDirectory } from '../storage/directory-safety.js';
import { Spool, type SpoolIo } from '../storage/spool.js';
import { chooseTransport } from '../transport/choose-transport.js';
import { Delivery, type DeliverySettings } from '../delivery/delivery.js';
import { diagnosticsObserver } from '../telemetry/diagnostics.js';
import { allOf, type DeliveryObserver } from '../delivery/observer.js';
import type { QueueFactory } from '../delivery/message-queue.js';

/** Opens the spool, or explains at construction why the directory cannot serve. */
function openSpool(storage: StorageConfig, report: (error: DeliveryError) => void, io: Partial<SpoolIo> | undefined): Spool {
  try {
    return new Spool({ ...storage, io }, report);
  } catch (error) {
    const why =
      error instanceof DirectoryInUse ? `it is in use by ${error.holder}`
      : error instanceof UnsafeDirectory ? error.reason
      : `${(error as NodeJS.ErrnoException).code ?? 'error'}: ${readThrown(error).text}`;
    throw new ConfigurationError('storage.directory', `storage.directory is invalid, expected a directory this process can create, write and own alone, actual ${JSON.stringify(storage.directory)} (${why})`, { cause: error });
  }
}

function openDeadLetters(file: string, report: (error: DeliveryError) => void): DeadLetters {
  try {
    return new DeadLetters(file, report);
  } catch (error) {
    throw new ConfigurationError('deadLetterFile', `deadLetterFile is invalid, expected a file this process can append to, actual ${JSON.stringify(file)} (${(error as NodeJS.ErrnoException).code ?? readThrown(error).text})`, { cause: error });
  }
}

/**
 * The resolved options of the sending side, the seam under the spool (for fault tests), and a
 * shared queue made by its face (the bridge on PostgreSQL), which then replaces memory and storage.
 */
export type SendingConfig = DeliveryConfig & Pick<DeliverySettings, 'maxBatchBytes' | 'retryDelay'> & { storageIo?: Partial<SpoolIo>; sharedQueue?: QueueFactory };

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
  const deadLetters = config.deadLetterFile === undefined || config.disable ? undefined : openDeadLetters(config.deadLetterFile, report);
  const spool = config.sharedQueue ?? (config.storage === undefined || config.disable ? undefined : openSpool(config.storage, report, config.storageIo));
  const transport = chooseTransport({
    origin: config.origin,
    requestPath: config.requestPath,
    writeKey: config.writeKey,
    timeoutMillis: config.httpRequestTimeout,
    connections: config.maxConcurrentRequests,
    compression: config.compression,
    dispatcher: config.dispatcher,
  });
  return new Delivery(config, transport, report, allOf([diagnosticsObserver, ...observers]), spool, deadLetters);
}
