import type { ErrorListener } from '../errors/error-channel.js';
import type { QueueOptions } from './bridge-options.js';
import type { DeliveryOptions } from './delivery-options.js';

/** Options of `replay()`: where to send, plus the file, its records and the callbacks. */
export interface ReplayOptions extends DeliveryOptions {
  /** An NDJSON file of Segment messages: a dead-letter file, or what the local sink wrote (`--out`). */
  file: string;
  /**
   * The progress record: the messageIds delivered, so that running the same file again sends only
   * what was not delivered yet. `false` sends every message each time.
   * @default `${file}.replay-progress`
   */
  progressFile?: string | false;
  /**
   * Where messages given up for good are written, one per line, as sent (a file to replay later).
   * Rewritten by each run, so it holds what that run could not deliver; removed when that is nothing.
   */
  failedFile?: string;
  /** Read and check the file, and count what would be sent, without sending or recording anything. */
  dryRun?: boolean;
  /** Called after each group of messages settles. */
  onProgress?: (progress: ReplayProgress) => void;
  /** Called before each wait for a retry. */
  onRetry?: (retry: ReplayRetry) => void;
  /** Called with every message given up, and every line that is not a message (named by its line number). */
  onError?: ErrorListener;
}

/** How far a replay is. */
export interface ReplayProgress {
  /** Lines read so far (blank lines not counted). */
  readonly lines: number;
  /** Messages the server acknowledged in this run. */
  readonly delivered: number;
  /** Messages given up (reported on `onError`), and lines that were not a message. */
  readonly failed: number;
  /** Messages not sent because the progress record says an earlier run (or an earlier line) delivered them. */
  readonly skipped: number;
}

/** A retry the replay is about to wait for. */
export interface ReplayRetry {
  /** Messages in the batch that will be sent again. */
  readonly messageCount: number;
  /** The try that failed: 1 for the first. */
  readonly attempt: number;
  /** The HTTP status that failed, or undefined for a network error or timeout. */
  readonly status: number | undefined;
  /** How long it waits before the next try. */
  readonly delayMillis: number;
}

/**
 * Options of `exportDeadLetters()`: which fleet queue, and the NDJSON file its dead letters are
 * written to, for `replay`.
 */
export interface DeadLetterExportOptions {
  /** The bridges' queue: a `postgres://` URL or its options (only the URL and `maxConnections` are used). */
  queue: string | QueueOptions;
  /** The file the messages are appended to, one message JSON per line (created owner-only: each line holds the writeKey). */
  file: string;
  /**
   * Only the dead letters of this writeKey.
   * @default every writeKey's
   */
  writeKey?: string;
  /**
   * Deletes the dead letters written, once the file is synced to disk.
   * @default false
   */
  remove?: boolean;
}
