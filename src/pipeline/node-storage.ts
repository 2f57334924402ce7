import type { StorageConfig } from '../config/resolve-options.js';
import { DiskQueue } from '../delivery/disk-queue.js';
import type { QueueFactory } from '../delivery/delivery.js';
import { ConfigurationError, readThrown, type DeliveryError } from '../errors/metarouter-error.js';
import { DeadLetters } from '../storage/dead-letters.js';
import { DirectoryInUse } from '../storage/directory-lock.js';
import { UnsafeDirectory } from '../storage/directory-safety.js';
import { Spool } from '../storage/spool.js';
import type { SendingConfig } from './create-delivery.js';

/** Opens the spool, or explains at construction why the directory cannot serve. */
function openSpool(storage: StorageConfig, report: (error: DeliveryError) => void, io: SendingConfig['storageIo']): Spool {
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
 * The file-system parts beneath a delivery, which only the Node entry provides: with `storage`, a
 * `DiskQueue` over the spool instead of the memory queue; with `deadLetterFile`, where given-up
 * messages are kept.
 */
export function openStorage(config: SendingConfig, report: (error: DeliveryError) => void): { openQueue: QueueFactory | undefined; deadLetters: DeadLetters | undefined } {
  const deadLetters = config.deadLetterFile === undefined ? undefined : openDeadLetters(config.deadLetterFile, report);
  const { storage } = config;
  if (storage === undefined) return { openQueue: undefined, deadLetters };
  const spool = openSpool(storage, report, config.storageIo);
  return { openQueue: (host) => new DiskQueue(spool, config.maxQueueSize, storage.whenFull, host), deadLetters };
}
