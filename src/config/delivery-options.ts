import type { Dispatcher } from 'undici';

/** How request bodies are encoded on the wire. */
export type Compression = 'none' | 'gzip';

/**
 * Options of the delivery side, shared by `Analytics` (built-in pipeline) and both exporters.
 * Names follow `@segment/analytics-node` so its users can switch by changing the import.
 */
export interface DeliveryOptions {
  /** The MetaRouter source ID. Required; read from `METAROUTER_WRITE_KEY` when omitted. */
  writeKey?: string;
  /** Absolute http(s) URL of the ingestion endpoint. Required; read from `METAROUTER_HOST` when omitted. */
  host?: string;
  /**
   * Path appended to `host` for batch requests. Characters other than printable ASCII are sent
   * percent-encoded as UTF-8 (as the host's own path is); `%XX` escapes are kept as written.
   * @default '/v1/batch'
   */
  path?: string;
  /**
   * Messages that make a full batch; a full batch is sent at once. Below this rate per
   * `flushInterval`, the interval sends instead. Each request costs the app's process about as much
   * CPU as a few dozen messages, so small batches make busy services pay several times over; the
   * OpenTelemetry batch processors' 512 is of the same order.
   * @default 500
   */
  flushAt?: number;
  /**
   * Milliseconds a partial batch may wait before it is sent.
   * @default 10000
   */
  flushInterval?: number;
  /**
   * Messages held in memory (queued, in flight, or waiting to retry). When full, new messages are
   * dropped and reported with `MR_ERR_QUEUE_FULL`.
   * @default 10000
   */
  maxQueueSize?: number;
  /**
   * Retries of a batch after a retryable fault (408, 429, 5xx, network error, timeout). With
   * `storage`, a batch wholly on disk is retried past this and `maxRetryDuration` (backoff capped at
   * 30 s) until delivered: the budget then only bounds how long `flush()` and close wait for it.
   * @default 10
   */
  maxRetries?: number;
  /**
   * Milliseconds a batch may spend being retried, from its first request: a retry that would start
   * later is not made, and the batch is reported (`MR_ERR_RETRIES_EXHAUSTED`). Bounds how long a
   * flush, a close or the exit of a process can wait on an endpoint that is down.
   * @default 120000
   */
  maxRetryDuration?: number;
  /**
   * Milliseconds one HTTP request may take, from send to the end of the response.
   * @default 10000
   */
  httpRequestTimeout?: number;
  /**
   * Requests in flight at once, over one keep-alive connection pool.
   * @default 4
   */
  maxConcurrentRequests?: number;
  /**
   * Request body encoding.
   * @default 'none'
   */
  compression?: Compression;
  /**
   * Allow a plain `http://` host that is not a loopback address. Off by default: the writeKey and
   * the user data would cross the network unencrypted.
   * @default false
   */
  allowInsecureHttp?: boolean;
  /**
   * The undici dispatcher that carries requests: a `ProxyAgent` for a proxy, an `Agent` with custom
   * TLS options, a `MockAgent` in tests. It stays yours: shutdown does not close it.
   * @default a keep-alive `Pool` of `maxConcurrentRequests` connections to `host`, closed at shutdown
   */
  dispatcher?: Dispatcher;
  /**
   * Validate every call but send nothing.
   * @default false
   */
  disable?: boolean;
  /**
   * Durable delivery (a persistent queue): every accepted message is written to files in a directory
   * before its call returns, and a new instance on the same directory sends what a killed one left.
   * @default undefined: messages are held in memory only
   */
  storage?: StorageOptions;
  /**
   * A file to which messages given up for good (rejected, retries exhausted, close deadline) are
   * appended, one message JSON per line, for `metarouter-otel replay`.
   * @default undefined: given-up messages are only reported
   */
  deadLetterFile?: string;
}

/**
 * Durable delivery: a spool of append-only segment files. A call returns once its message is in the
 * operating system's page cache, which survives the process being killed; `syncInterval` bounds what
 * a power loss can take. One live process per directory.
 */
export interface StorageOptions {
  /** The spool directory, created when missing (mode 0700). Its files hold the messages and the writeKey. */
  directory: string;
  /**
   * Bytes of messages the directory may hold (within one segment file, at most 8 MiB). When full, new
   * messages are dropped and reported with `MR_ERR_QUEUE_FULL`.
   * @default 268435456
   */
  maxBytes?: number;
  /**
   * Milliseconds between data syncs (`fdatasync`) of the spool, for machine crashes and power loss:
   * what was accepted in the last interval is at risk. 0 never syncs (a killed process loses nothing,
   * a power loss may).
   * @default 0
   */
  syncInterval?: number;
  /**
   * What happens when the directory holds `maxBytes`, named as Vector's `buffer.when_full`:
   * `'drop_newest'` refuses new messages (`MR_ERR_QUEUE_FULL`); `'drop_oldest'` evicts the oldest
   * segment file of undelivered messages to make room, reporting each evicted message with
   * `MR_ERR_EVICTED` and counting it in `dropped` and `evicted`.
   * @default 'drop_newest'
   */
  whenFull?: StorageWhenFull;
}

/** The policy of a full `storage.directory`: refuse the newest messages, or evict the oldest. */
export type StorageWhenFull = 'drop_newest' | 'drop_oldest';
