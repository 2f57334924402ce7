import { resolve } from 'node:path';
import type { DeadLetterExportOptions } from '../config/replay-options.js';
import { resolveQueueOptions } from '../config/resolve-queue-options.js';
import { describe, invalid, readOptions } from '../config/validate.js';
import type { DeadLetterExport } from '../fleet/dead-letter-rows.js';

export type { DeadLetterExport } from '../fleet/dead-letter-rows.js';

/**
 * Writes what a fleet of bridges gave up (`metarouter_dead_letters` of its `queue`) to an NDJSON
 * file, for `replay()` or `metarouter-otel replay`: each message as it was to be sent, with its
 * messageId, so the endpoint can tell a resend. Throws `ConfigurationError` for a bad option;
 * rejects with `MR_ERR_QUEUE_UNAVAILABLE` when the database cannot be read, or the file-system error.
 */
export async function exportDeadLetters(options: DeadLetterExportOptions): Promise<DeadLetterExport> {
  const given = readOptions(options);
  const queue = resolveQueueOptions(given.queue);
  if (queue === undefined) throw invalid('queue', 'a postgres:// URL or queue options', 'undefined');
  if (typeof given.file !== 'string' || given.file.trim() === '' || given.file.includes('\0')) throw invalid('file', 'a non-empty path', describe(given.file));
  if (given.writeKey !== undefined && (typeof given.writeKey !== 'string' || given.writeKey === '')) throw invalid('writeKey', 'a non-empty string', typeof given.writeKey === 'string' ? 'an empty string' : describe(given.writeKey));
  if (given.remove !== undefined && typeof given.remove !== 'boolean') throw invalid('remove', 'a boolean', describe(given.remove));
  // Loaded here: only an export loads the PostgreSQL client.
  const { exportDeadLetterRows } = await import('../fleet/dead-letter-rows.js');
  return exportDeadLetterRows(queue, resolve(given.file), given.writeKey, given.remove === true);
}
