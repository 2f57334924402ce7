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
   * Messages that make a full batch; a full batch is sent at once.
   * @default 100
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
   * Retries of a batch after a retryable fault (408, 429, 5xx, network error, timeout).
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
}

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

/** Options of `new MetaRouterLogRecordExporter(...)` and `new MetaRouterSpanExporter(...)`. */
export type ExporterOptions = DeliveryOptions & ShapingOptions;

/** Options of `new Analytics(...)`. */
export interface AnalyticsOptions extends DeliveryOptions, ShapingOptions {
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
