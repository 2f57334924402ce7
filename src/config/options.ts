import type { LoggerProvider } from '@opentelemetry/api-logs';
import type { Dispatcher } from 'undici';
import type { TrackingPlanSource } from '../shaping/tracking-plan/plan-source.js';
import type { BeforeSend } from '../shaping/before-send.js';

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

/** Options of the shaping stage (`beforeSend`, then the tracking plan), taken by `Analytics`, both exporters and `startBridge()`. */
export interface ShapingOptions extends TrackingPlanOptions {
  /**
   * Redacts, enriches or drops messages before they are queued: a function, or a list run in
   * order, each given a plain copy of the Segment message (never your objects, never the writeKey)
   * and returning the message to send (edited in place or new) or `null` to drop it (counted in
   * `counters.filtered`, not an error). Synchronous. A hook that throws, returns a Promise or
   * returns something that is not a valid message keeps the message from being sent and is
   * reported with its messageId. `type`, `messageId`, `writeKey`, `context.library` and
   * `context.otel` keep this package's values whatever a hook returns. With `Analytics` it runs
   * at the call; with an exporter, on what the user's pipeline made of each record; with the
   * bridge, on every event it receives.
   * @default no hook
   */
  beforeSend?: BeforeSend | readonly BeforeSend[];
}

/** OpenTelemetry resource attributes by name, as a `Resource` holds them. */
export type ResourceAttributes = Readonly<Record<string, string | number | boolean | readonly (string | number | boolean | null)[]>>;

/** Which attributes of the emitting resource every message carries in `context.otel.resource`. */
export interface ResourceIdentityOptions {
  /**
   * The resource attributes sent in each message's `context.otel.resource`, those the resource has,
   * in this order; `[]` sends none. Read once per resource, never per message.
   * @default ['service.name', 'service.namespace', 'service.version', 'service.instance.id', 'deployment.environment.name']
   */
  resourceAttributeKeys?: readonly string[];
}

/**
 * Options of `new MetaRouterLogRecordExporter(...)`, `new MetaRouterLogRecordProcessor(...)` and
 * `new MetaRouterSpanExporter(...)`. The resource identity comes from each record's resource.
 */
export type ExporterOptions = DeliveryOptions & ShapingOptions & ResourceIdentityOptions;

/** Options of `new Analytics(...)`. */
export interface AnalyticsOptions extends DeliveryOptions, ShapingOptions, ResourceIdentityOptions {
  /**
   * The built-in pipeline's resource: who sends (`service.name`, …), as an OpenTelemetry
   * `Resource` would say. Merged over `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_SERVICE_NAME` (which
   * wins over the former's `service.name`), as the OTel SDK reads them. Not taken with
   * `loggerProvider`, whose own resource is the one sent.
   * @default the resource the two environment variables describe, if any
   */
  resource?: ResourceAttributes;
  /**
   * Emit analytics log records into this OpenTelemetry LoggerProvider (whose pipeline holds a
   * `MetaRouterLogRecordExporter`) instead of the built-in private pipeline. `writeKey` and `host`
   * are still required (each call is size-checked as the message it becomes); the other delivery
   * options belong to that exporter.
   */
  loggerProvider?: LoggerProvider;
  /**
   * Also mark each call as a span event on the active recording span, so the trace shows it. The
   * mark is never shipped as a second message.
   * @default true
   */
  spanEvents?: boolean;
}

/** What an event that the tracking plan does not list does: sent, sent and reported, or dropped and reported. */
export type UnplannedEventAction = 'allow' | 'report' | 'drop';

/** What a property (or trait) that the tracking plan does not list does: sent, or removed from the message. Both are reported. */
export type UnplannedPropertyAction = 'keep' | 'omit';

/** What any other violation does: sent and reported, dropped and reported, or a `ValidationError` thrown at the call. */
export type PlanViolationAction = 'report' | 'drop' | 'throw';

/**
 * How a tracking plan is enforced, in the terms Segment Protocols and RudderStack use. Every
 * violation that is not allowed is reported on the `error` channel (`MR_ERR_PLAN_VIOLATION`).
 */
export interface PlanEnforcementOptions {
  /**
   * A track call whose event the plan does not list.
   * @default 'report'
   */
  unplannedEvents?: UnplannedEventAction;
  /**
   * A name in `properties` (track, page, screen) or `traits` (identify, group) that the matching
   * rule does not list.
   * @default 'keep'
   */
  unplannedProperties?: UnplannedPropertyAction;
  /**
   * A required field missing, a value of the wrong type, a name the schema forbids, a broken enum,
   * pattern, range or format. `'throw'` is for tests and development: where there is no caller to
   * throw to (exporters, the bridge), it drops and reports.
   * @default 'report'
   */
  otherViolations?: PlanViolationAction;
  /**
   * When properties are omitted, list their paths in the message's `context.protocols.omitted`,
   * as Protocols does.
   * @default true
   */
  recordOmittedProperties?: boolean;
}

/**
 * The tracking plan, taken by `Analytics` (checked at the call), both exporters and
 * `startBridge()`; it runs after `beforeSend`, on what would be sent (see docs/tracking-plans.md).
 */
export interface TrackingPlanOptions {
  /**
   * A Segment Protocols tracking plan (rules list `{ key, type, version, jsonSchema }`, or the older
   * `rules: { global, events, identify, group }`), or the path of its JSON export. Every rule is
   * compiled once, at construction; a plan that cannot be compiled throws `ConfigurationError`.
   * @default no plan: nothing is checked, at no cost
   */
  trackingPlan?: TrackingPlanSource | string;
  /** How the plan is enforced. */
  planEnforcement?: PlanEnforcementOptions;
  /**
   * Also send each violation as a `Violation Generated` track message to this writeKey (the
   * Protocols forwarding behaviour), on the same host, through a second delivery queue with the
   * same delivery options. Same rules as `writeKey`.
   * @default violations are only reported on the error channel
   */
  violationWriteKey?: string;
}

/** Options of `closeAndFlush()`. */
export interface CloseOptions {
  /**
   * Milliseconds to wait for delivery before giving up; what is left undelivered is reported with
   * `MR_ERR_SHUTDOWN_TIMEOUT`.
   * @default 30000
   */
  timeout?: number;
}

/** What the local sink answers instead of accepting a request, to watch a client's error handling. */
export type SinkFaultKind = '500' | '429' | '413' | '401' | 'slow';

/** A fault the local sink simulates for its next requests. */
export interface SinkFault {
  /**
   * `500`, `429` (with `Retry-After`), `413` and `401` answer that status and keep nothing; `slow`
   * waits `slowMillis`, then accepts the request as usual.
   */
  kind: SinkFaultKind;
  /** How many of the next `POST /v1/batch` requests get the fault. */
  count: number;
}

/** Options of `startSink()`: the local ingestion endpoint and its live debugger page. */
export interface SinkOptions {
  /**
   * Port to listen on; 0 picks a free one.
   * @default 8088
   */
  port?: number;
  /**
   * Address to listen on. Any address other than a loopback one (127.0.0.0/8, `::1`, `localhost`)
   * requires `token`, since the debugger page shows user data.
   * @default '127.0.0.1'
   */
  hostname?: string;
  /**
   * The debugger page, its event stream and its API require this token (`?token=` in the page's URL,
   * or `Authorization: Bearer`). Required when `hostname` is not a loopback address. `POST /v1/batch`
   * never needs it.
   */
  token?: string;
  /** Path of a file to append every received message to, one JSON object per line (NDJSON). It must be writable at start. */
  out?: string;
  /** Called with each message's readable line (the CLI prints it). */
  onLine?: (line: string) => void;
  /**
   * Request bodies over this many bytes (after gunzip) get 413.
   * @default 1048576 (1 MiB)
   */
  maxBodyBytes?: number;
  /**
   * Messages kept for `messages`, the debugger page and its export; the oldest go first.
   * @default 100000
   */
  maxHistory?: number;
  /**
   * A URL template that turns trace ids into links on the debugger page: `{traceId}` is replaced,
   * e.g. `http://localhost:16686/trace/{traceId}` for Jaeger.
   */
  traceUrl?: string;
  /**
   * Debugger pages (event streams) connected at once; more are answered 503.
   * @default 100
   */
  maxStreamClients?: number;
  /** A fault to simulate from the start (the page can arm others). */
  fault?: SinkFault;
  /**
   * A tracking plan (as `Analytics` takes it: a Segment Protocols plan or the path of its JSON
   * export) whose violations the debugger marks beside the Segment Spec problems, each with its
   * field path. The sink still keeps every message.
   * @default no plan
   */
  trackingPlan?: TrackingPlanSource | string;
  /**
   * Seconds of the `Retry-After` header sent with a simulated 429.
   * @default 1
   */
  retryAfterSeconds?: number;
  /**
   * Milliseconds a simulated `slow` answer waits.
   * @default 3000
   */
  slowMillis?: number;
}
