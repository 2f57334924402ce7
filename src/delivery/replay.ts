import { accessSync, constants, createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { LIMITS } from '../config/defaults.js';
import type { DeliveryOptions } from '../config/options.js';
import { readOptions, resolveDeliveryOptions } from '../config/resolve-options.js';
import type { ErrorListener } from '../errors/error-channel.js';
import { ConfigurationError, DeliveryError, readThrown } from '../errors/metarouter-error.js';
import type { Message } from '../translate/message.js';
import { createDelivery } from './create-delivery.js';

/** How far a replay is. */
export interface ReplayProgress {
  /** Lines read so far. */
  readonly lines: number;
  /** Messages the server acknowledged. */
  readonly delivered: number;
  /** Messages given up (reported on `onError`), and lines that were not a message. */
  readonly failed: number;
}

/** Options of `replay()`: where to send, plus the file and the callbacks. */
export interface ReplayOptions extends DeliveryOptions {
  /** An NDJSON file of Segment messages: a dead-letter file, or what the local sink wrote (`--out`). */
  file: string;
  /** Called after each group of messages settles. */
  onProgress?: (progress: ReplayProgress) => void;
  /** Called with every message given up, and every line that is not a message. */
  onError?: ErrorListener;
}

/** What a finished replay did. */
export interface ReplaySummary extends ReplayProgress {
  /** Lines that were not a JSON object with a string `messageId` of at most 100 characters, or too large. */
  readonly invalid: number;
}

/**
 * One NDJSON line as a message, its messageId kept, or undefined when it is not one. A writeKey in
 * the line is replaced by `writeKey`: a dead letter carries the key it was first sent with, which a
 * rotation may have revoked, and the key given to the replay is the one meant to go out.
 */
function messageOf(line: string, writeKey: string): Message | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  const messageId = (parsed as { messageId?: unknown } | null)?.messageId;
  if (typeof parsed !== 'object' || Array.isArray(parsed) || typeof messageId !== 'string' || messageId === '' || messageId.length > LIMITS.maxMessageIdLength) return undefined;
  const record = parsed as Record<string, unknown>;
  const json = 'writeKey' in record && record.writeKey !== writeKey ? JSON.stringify({ ...record, writeKey }) : line;
  const bytes = Buffer.byteLength(json);
  return bytes > LIMITS.maxMessageBytes ? undefined : { messageId, json, bytes };
}

/**
 * Sends the messages of an NDJSON file again, in order, at least once, keeping each messageId so the
 * server can deduplicate. Memory holds at most `maxQueueSize` messages of the file at a time.
 * Resolves with the totals; never rejects for a delivery failure (those go to `onError`).
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const given = readOptions(options);
  const { file, onProgress, onError } = given;
  if (typeof file !== 'string' || file === '') throw new ConfigurationError('file', `file is invalid, expected a path, actual ${typeof file}`);
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw new ConfigurationError('file', `file is invalid, expected a readable NDJSON file, actual ${JSON.stringify(file)} (${(error as NodeJS.ErrnoException).code ?? readThrown(error).text})`, { cause: error });
  }
  const config = resolveDeliveryOptions({ ...given, storage: undefined, deadLetterFile: undefined });
  const report = (error: DeliveryError) => onError?.(error);
  const delivery = createDelivery(config, report);
  const totals = { lines: 0, invalid: 0 };
  const progress = (): ReplayProgress => ({ lines: totals.lines, delivered: delivery.counters.delivered, failed: delivery.counters.dropped + delivery.counters.refused + totals.invalid });
  try {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const raw of lines) {
      const line = raw.trim();
      if (line === '') continue;
      totals.lines++;
      const message = messageOf(line, config.writeKey);
      if (message === undefined) {
        totals.invalid++;
        report(new DeliveryError('MR_ERR_INVALID_RECORD', `line ${totals.lines} of the file is not a message (a JSON object with a messageId, at most ${LIMITS.maxMessageBytes} bytes)`, []));
        continue;
      }
      if (!delivery.hasRoomFor(1)) {
        await delivery.flush();
        onProgress?.(progress());
      }
      delivery.enqueue(message);
    }
    await delivery.flush();
    onProgress?.(progress());
    return { ...progress(), invalid: totals.invalid };
  } finally {
    await delivery.shutdown(0);
  }
}
