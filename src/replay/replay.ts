import { rmSync, writeFileSync } from 'node:fs';
import { LIMITS } from '../config/defaults.js';
import { resolveDeliveryOptions } from '../config/resolve-options.js';
import { invalidPath, readOptions } from '../config/validate.js';
import { resolveReplayFiles } from '../config/resolve-replay-options.js';
import type { ReplayOptions, ReplayProgress } from '../config/replay-options.js';
import type { ErrorListener, ReportedError } from '../errors/error-channel.js';
import { ConfigurationError, DeliveryError, MetaRouterError, readThrown } from '../errors/metarouter-error.js';
import type { DeliveryObserver, ResponseInfo } from '../delivery/observer.js';
import { createPipeline } from '../pipeline/create-pipeline.js';
import { DirectoryInUse, lockBeside } from '../storage/directory-lock.js';
import type { Message } from '../translate/message.js';
import { readLines, TOO_LONG } from './read-lines.js';
import { readRecord, ReplayProgressFile } from './replay-progress-file.js';

/** What a finished replay did. */
export interface ReplaySummary extends ReplayProgress {
  /** Lines that were not a JSON object with a string `messageId` of at most 100 characters, or too large. */
  readonly invalid: number;
  /** Messages this run sent, or with `dryRun` would send: lines less skipped and invalid ones. */
  readonly toSend: number;
}

/**
 * One NDJSON line as a message, its messageId kept, or undefined when it is not one. A writeKey in
 * the line is replaced by `writeKey`: a dead letter carries the key it was first sent with, which a
 * rotation may have revoked, and the key given to the replay is the one meant to go out.
 */
function messageOf(line: string | typeof TOO_LONG, writeKey: string | undefined): Message | undefined {
  if (line === TOO_LONG) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  const messageId = (parsed as { messageId?: unknown } | null)?.messageId;
  if (typeof parsed !== 'object' || Array.isArray(parsed) || typeof messageId !== 'string' || messageId === '' || messageId.length > LIMITS.maxMessageIdLength) return undefined;
  const record = parsed as Record<string, unknown>;
  const json = writeKey !== undefined && 'writeKey' in record && record.writeKey !== writeKey ? JSON.stringify({ ...record, writeKey }) : line;
  const bytes = Buffer.byteLength(json);
  return bytes > LIMITS.maxMessageBytes ? undefined : { messageId, json, bytes };
}

/**
 * Lines longer than this are not read into memory: no message is (a message is at most
 * `maxMessageBytes` once serialized; the margin is for the spaces JSON allows around it).
 */
const MAX_LINE_BYTES = 4 * LIMITS.maxMessageBytes;

/**
 * Holds the progress record for this run (`PROGRESS.lock` beside it): a second replay of it at the
 * same time would send again what the first is sending, and each would rewrite the other's failed file.
 */
function lockProgress(path: string): () => void {
  try {
    return lockBeside(path);
  } catch (error) {
    if (error instanceof DirectoryInUse) throw new ConfigurationError('progressFile', `progressFile ${JSON.stringify(path)} is in use by ${error.holder}: another replay of it is running`, { cause: error });
    throw invalidPath('progressFile', 'a file in a directory this process can write (or false)', path, error);
  }
}

function openProgress(path: string): ReplayProgressFile {
  try {
    return ReplayProgressFile.open(path);
  } catch (error) {
    throw invalidPath('progressFile', 'a file this process can read and append to (or false)', path, error);
  }
}

/** Counts acknowledged messages by id: the group's ids less those the engine gave up. */
function settledObserver(onRetry: ReplayOptions['onRetry'], lost: Set<string>): DeliveryObserver {
  let failedTry: ResponseInfo | undefined;
  return {
    requestStarted: () => {},
    requestFinished: (info) => (failedTry = info),
    delivered: () => {},
    dropped: (ids) => ids.forEach((id) => lost.add(id)),
    // The engine schedules a retry synchronously after the answer that caused it.
    retryScheduled: (delayMillis) => onRetry?.({ messageCount: failedTry?.messageCount ?? 0, attempt: failedTry?.attempt ?? 0, status: failedTry?.status, delayMillis }),
  };
}

/**
 * Sends the messages of an NDJSON file again, in order, at least once, keeping each messageId so the
 * server can deduplicate, and records what was delivered so that a second run sends only the rest
 * (see `progressFile`). Memory holds at most `maxQueueSize` messages of the file at a time, plus the
 * delivered messageIds. Resolves with the totals; never rejects for a delivery failure (those go to
 * `onError`); rejects with a `ConfigurationError` when a file cannot serve.
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const given = readOptions(options);
  const { onProgress, onRetry, onError } = given;
  const { file, progressPath, failedFile, dryRun } = resolveReplayFiles(given);
  if (dryRun) return countOnly(file, given.writeKey, progressPath === false ? new Set() : readProgress(progressPath), onError);

  const config = resolveDeliveryOptions({ ...given, storage: undefined, deadLetterFile: undefined });
  const unlock = progressPath === false ? undefined : lockProgress(progressPath);
  let record: ReplayProgressFile | undefined;
  try {
    record = progressPath === false ? undefined : openProgress(progressPath);
    if (failedFile !== undefined) {
      try {
        writeFileSync(failedFile, '', { mode: 0o600 });
      } catch (error) {
        throw invalidPath('failedFile', 'a file this process can write', failedFile, error);
      }
    }
  } catch (error) {
    record?.close();
    unlock?.();
    throw error;
  }
  const done = record?.delivered ?? new Set<string>();
  const report = (error: ReportedError) => onError?.(error);
  const lost = new Set<string>();
  const pipeline = createPipeline({ sending: { ...config, deadLetterFile: failedFile }, report, observers: [settledObserver(onRetry, lost)], selfMetrics: true });
  const totals = { lines: 0, invalid: 0, skipped: 0, toSend: 0 };
  const group = new Set<string>();
  const progress = (): ReplayProgress => ({ lines: totals.lines, delivered: pipeline.counters.delivered, failed: pipeline.counters.dropped + pipeline.counters.refused + totals.invalid, skipped: totals.skipped });
  const settle = async (): Promise<void> => {
    await pipeline.flush();
    const delivered = [...group].filter((id) => !lost.has(id));
    group.clear();
    lost.clear();
    try {
      record?.record(delivered);
    } catch (error) {
      report(new DeliveryError('MR_ERR_STORAGE_FAULT', `delivered, but could not be recorded in the progress file ${JSON.stringify(progressPath)} (${(error as NodeJS.ErrnoException).code ?? readThrown(error).text}); a later run sends them again`, delivered, { cause: error }));
    }
    delivered.forEach((id) => done.add(id));
    onProgress?.(progress());
  };
  try {
    await eachLine(file, (line, number) => {
      totals.lines++;
      const message = messageOf(line, config.writeKey);
      if (message === undefined) {
        totals.invalid++;
        report(invalidLine(file, number));
        return undefined;
      }
      if (done.has(message.messageId) || group.has(message.messageId)) {
        totals.skipped++;
        return undefined;
      }
      totals.toSend++;
      return (pipeline.hasRoomFor(1) ? Promise.resolve() : settle()).then(() => {
        group.add(message.messageId);
        pipeline.enqueue(message);
      });
    });
    await settle();
    return { ...progress(), invalid: totals.invalid, toSend: totals.toSend };
  } finally {
    await pipeline.shutdown(0);
    record?.close();
    unlock?.();
    if (failedFile !== undefined && pipeline.counters.dropped === 0) rmSync(failedFile, { force: true });
  }
}

function invalidLine(file: string, number: number): DeliveryError {
  return new DeliveryError('MR_ERR_INVALID_RECORD', `${file} line ${number} is not a message (a JSON object with a messageId, at most ${LIMITS.maxMessageBytes} bytes)`, []);
}

function readProgress(path: string): Set<string> {
  try {
    return readRecord(path).delivered;
  } catch (error) {
    throw invalidPath('progressFile', 'a readable file (or false)', path, error);
  }
}

/**
 * Calls `take` with each non-blank line (or `TOO_LONG`) and its 1-based line number in the file, waiting for what it
 * returns; a read that fails part-way is a ConfigurationError naming the file, not a raw errno error.
 */
async function eachLine(file: string, take: (line: string | typeof TOO_LONG, number: number) => Promise<void> | undefined): Promise<void> {
  let number = 0;
  try {
    for await (const raw of readLines(file, MAX_LINE_BYTES)) {
      number++;
      const line = raw === TOO_LONG ? raw : raw.trim();
      if (line !== '') await take(line, number);
    }
  } catch (error) {
    if (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && !(error instanceof MetaRouterError)) throw invalidPath('file', 'a readable NDJSON file', file, error);
    throw error;
  }
}

/** `dryRun`: what a run would send, nothing sent, recorded or written. */
async function countOnly(file: string, writeKey: string | undefined, done: ReadonlySet<string>, onError: ErrorListener | undefined): Promise<ReplaySummary> {
  const totals = { lines: 0, invalid: 0, skipped: 0, toSend: 0 };
  const seen = new Set<string>();
  await eachLine(file, (line, number) => {
    totals.lines++;
    const message = messageOf(line, writeKey);
    if (message === undefined) {
      totals.invalid++;
      onError?.(invalidLine(file, number));
    } else if (done.has(message.messageId) || seen.has(message.messageId)) totals.skipped++;
    else {
      seen.add(message.messageId);
      totals.toSend++;
    }
    return undefined;
  });
  return { lines: totals.lines, delivered: 0, failed: totals.invalid, skipped: totals.skipped, invalid: totals.invalid, toSend: totals.toSend };
}
