import { context, isSpanContextValid, trace, type Span } from '@opentelemetry/api';
import type { Logger, LoggerProvider } from '@opentelemetry/api-logs';
import { DEFAULTS, LIMITS } from '../config/defaults.js';
import type { AnalyticsOptions, CloseOptions } from '../config/analytics-options.js';
import { resolveBeforeSend, resolveCloseTimeout, resolveDeliveryOptions } from '../config/resolve-options.js';
import { readOptions, resolveBoolean } from '../config/validate.js';
import { resolveResource, resolveResourceKeys } from '../config/resolve-resource.js';
import type { DeliveryCounters } from '../delivery/delivery.js';
import { flushAllDeliveries } from '../delivery/exit-hook.js';
import { ErrorChannel, type ReportedError } from '../errors/error-channel.js';
import { ConfigurationError, DeliveryError, readThrown, ValidationError } from '../errors/metarouter-error.js';
import { AnalyticsEmitter } from '../otel/emit.js';
import { createCallShaping, createPipeline } from '../pipeline/create-pipeline.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Shaping } from '../pipeline/shaping.js';
import type { AnalyticsRecord, EventType } from '../translate/analytics-record.js';
import { buildRecord, isProblem } from '../translate/build-record.js';
import { pickFields, readOnce } from '../translate/pick-fields.js';
import { toMessage, type Message } from '../translate/message.js';
import { originOf, type RecordOrigin } from '../translate/record-origin.js';
import { isoTimeOf, toIsoTimestamp } from '../translate/timestamp.js';
import { LIBRARY } from '../version.js';
import type { AliasParams, GroupParams, IdentifyParams, PageParams, ScreenParams, TrackParams } from './params.js';
import { unrefTimer } from '../runtime/timers.js';

/** The user's provider's Logger for our records, checked once here so that no call meets a broken one. */
function loggerOf(provider: unknown): Logger {
  const invalid = (actual: string, cause?: unknown) =>
    new ConfigurationError('loggerProvider', `loggerProvider is invalid, expected an OpenTelemetry LoggerProvider whose getLogger() returns a Logger, actual ${actual}`, { cause });
  if (typeof provider !== 'object' || provider === null || typeof (provider as LoggerProvider).getLogger !== 'function') throw invalid(typeof provider);
  let logger: unknown;
  try {
    logger = (provider as LoggerProvider).getLogger(LIBRARY.name, LIBRARY.version);
  } catch (error) {
    throw invalid('a getLogger() that threw', error);
  }
  if (typeof logger !== 'object' || logger === null || typeof (logger as Logger).emit !== 'function') throw invalid('a getLogger() that returned no Logger');
  return logger as Logger;
}

/**
 * Records product analytics (the Segment Spec calls) through OpenTelemetry, next to the app's
 * traces, and ships them to MetaRouter in batches. Every call validates and snapshots its data,
 * then returns the messageId at once; delivery happens in the background, and its failures are
 * reported on `analytics.on('error', …)`, never thrown.
 */
export class Analytics extends ErrorChannel {
  private readonly emitter: AnalyticsEmitter;
  /** The built-in pipeline; undefined when the user's loggerProvider carries the records. */
  private readonly pipeline: Pipeline | undefined;
  private readonly userProvider: LoggerProvider | undefined;
  /** Run at each call, so that a hook sees the data as it was and the messageId returned is the one sent. */
  private readonly shaping: Shaping;
  private readonly writeKeyJson: string;
  private readonly disabled: boolean;
  /** `context.library` and `context.otel.resource` of every call, read once from the options and environment. */
  private readonly origin: RecordOrigin;
  private closePromise: Promise<void> | undefined;

  constructor(options: AnalyticsOptions = {}) {
    super();
    const given = readOptions(options);
    const config = resolveDeliveryOptions(given);
    const spanEvents = resolveBoolean('spanEvents', given.spanEvents, DEFAULTS.spanEvents);
    const { loggerProvider } = given;
    if (loggerProvider !== undefined && given.resource !== undefined) {
      throw new ConfigurationError('resource', 'resource is invalid with loggerProvider, expected no resource (the records carry the provider\'s own), actual an object');
    }
    this.origin = originOf(resolveResource(given.resource), resolveResourceKeys(given.resourceAttributeKeys));
    const beforeSend = resolveBeforeSend(given.beforeSend);
    const report = (error: ReportedError) => this.report(error);
    this.writeKeyJson = JSON.stringify(config.writeKey);
    this.disabled = config.disable;
    // The hooks and the plan run at the call, so that 'throw' can throw to the caller.
    const shaping = { beforeSend, plan: given };
    if (loggerProvider === undefined) {
      // No log record: nothing but this pipeline would read it, and the message is already serialized.
      const pipeline = createPipeline({ sending: config, shaping, report, selfMetrics: true });
      this.pipeline = pipeline;
      this.shaping = pipeline.shaping;
      this.emitter = new AnalyticsEmitter(undefined, spanEvents, report);
    } else {
      const logger = loggerOf(loggerProvider);
      this.userProvider = loggerProvider;
      this.emitter = new AnalyticsEmitter(logger, spanEvents, report);
      // No delivery of its own here (the user's pipeline has the exporter and its counters).
      this.shaping = createCallShaping(shaping, config, report);
    }
  }

  /**
   * Running totals of the built-in pipeline's delivery (accepted, delivered, dropped, retries,
   * requests). Undefined with a user's loggerProvider: the exporter in that pipeline has them.
   */
  get counters(): Readonly<DeliveryCounters> | undefined {
    return this.pipeline?.counters;
  }

  /** Records who the user is. Returns the messageId. Throws `ValidationError` for an invalid call. */
  identify(params: IdentifyParams): string {
    return this.record('identify', params);
  }

  /** Records what the user did (`event`). Returns the messageId. Throws `ValidationError` for an invalid call. */
  track(params: TrackParams): string {
    return this.record('track', params);
  }

  /** Records a page view. Returns the messageId. Throws `ValidationError` for an invalid call. */
  page(params: PageParams): string {
    return this.record('page', params);
  }

  /** Records a screen view. Returns the messageId. Throws `ValidationError` for an invalid call. */
  screen(params: ScreenParams): string {
    return this.record('screen', params);
  }

  /** Associates the user with a group (`groupId`). Returns the messageId. Throws `ValidationError` for an invalid call. */
  group(params: GroupParams): string {
    return this.record('group', params);
  }

  /** Links a previous id to a user id. Returns the messageId. Throws `ValidationError` for an invalid call. */
  alias(params: AliasParams): string {
    return this.record('alias', params);
  }

  /**
   * Resolves once the message with this id (returned by a call) got a 2xx that did not reject it;
   * rejects with the `DeliveryError` that gave it up (the one reported on the `error` channel). Ask
   * right after the call: this instance holds no record of settled messages, so that calls nobody
   * awaits cost nothing. Resolves for a message a `beforeSend` hook or the plan dropped (the
   * user's decision, not a failure; the last 1,000 such ids are remembered) and with `disable`.
   * Rejects with `MR_ERR_UNKNOWN_MESSAGE` for an id it does not hold (never sent through it, already
   * settled, refused at the call, or on disk from an earlier process), and with
   * `MR_ERR_OUTCOME_UNAVAILABLE` with a `loggerProvider` (the user's pipeline delivers).
   */
  whenDelivered(messageId: string): Promise<void> {
    if (typeof messageId !== 'string' || messageId === '') {
      return Promise.reject(new ValidationError('MR_ERR_INVALID_FIELD', 'messageId', `whenDelivered takes the messageId a call returned, actual ${typeof messageId === 'string' ? 'an empty string' : typeof messageId}`));
    }
    if (this.pipeline === undefined) {
      return Promise.reject(new DeliveryError('MR_ERR_OUTCOME_UNAVAILABLE', 'whenDelivered cannot tell a message\'s outcome with a loggerProvider: the records are exported by the provider\'s pipeline; await analytics.flush() instead', [messageId]));
    }
    if (this.disabled) return Promise.resolve();
    return this.pipeline.whenDelivered(messageId) ?? Promise.reject(new DeliveryError('MR_ERR_UNKNOWN_MESSAGE', `whenDelivered: message ${JSON.stringify(messageId)} is not held by this instance (never sent through it, already delivered or reported, refused at the call, or from an earlier process)`, [messageId]));
  }

  /**
   * Resolves once every call made before it is delivered or has finally failed (reported); with
   * `storage`, a batch on disk past its retry budget is not waited for (it stays on disk, retried). With a
   * user's loggerProvider: the provider is force-flushed, then this package's exporters send what
   * they were handed.
   */
  async flush(): Promise<void> {
    if (this.pipeline !== undefined) return this.pipeline.flush();
    await Promise.all([this.flushEvents(), this.shaping.flush()]);
  }

  private async flushEvents(): Promise<void> {
    const provider = this.userProvider as { forceFlush?: () => Promise<void> };
    if (typeof provider.forceFlush === 'function') await provider.forceFlush();
    await flushAllDeliveries();
  }

  /**
   * Flushes, then stops: later calls are reported (`MR_ERR_CLOSED`), not sent. Resolves by the
   * deadline whatever the server does; what is undelivered then is reported. Idempotent. A user's
   * own loggerProvider is flushed, not shut down: it stays the user's.
   */
  closeAndFlush(options?: CloseOptions | null): Promise<void> {
    let timeout: number;
    try {
      timeout = resolveCloseTimeout(options);
    } catch (error) {
      return Promise.reject(error);
    }
    this.closePromise ??= this.close(timeout);
    return this.closePromise;
  }

  /** The OpenTelemetry-style name of {@link Analytics.closeAndFlush}, with its default deadline. */
  shutdown(): Promise<void> {
    return this.closeAndFlush();
  }

  private async close(timeout: number): Promise<void> {
    if (this.pipeline !== undefined) return this.pipeline.shutdown(timeout);
    await Promise.all([this.closeEvents(timeout), this.shaping.shutdown(timeout)]);
  }

  private async closeEvents(timeout: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([this.flushEvents(), new Promise((resolve) => (timer = unrefTimer(setTimeout(resolve, timeout))))]);
    } finally {
      clearTimeout(timer);
    }
  }

  private record(type: EventType, params: unknown): string {
    const active = context.active();
    let record: AnalyticsRecord;
    let message: Message;
    let timeMillis: number;
    let event: string | undefined;
    let span: Span | undefined;
    try {
      if (typeof params !== 'object' || params === null) {
        throw new ValidationError('MR_ERR_INVALID_FIELD', 'params', `${type} takes one params object`);
      }
      const source = params as Record<string, unknown>;
      const picked = pickFields(source);
      if (isProblem(picked)) throw new ValidationError(picked.code, picked.field, picked.message, { cause: picked.cause });
      const timestamp = readOnce(source, 'timestamp');
      const messageId = readOnce(source, 'messageId');
      if (isProblem(timestamp)) throw new ValidationError(timestamp.code, timestamp.field, timestamp.message, { cause: timestamp.cause });
      if (isProblem(messageId)) throw new ValidationError(messageId.code, messageId.field, messageId.message, { cause: messageId.cause });
      timeMillis = timestamp.value === undefined ? Date.now() : this.timeOf(timestamp.value);
      span = trace.getSpan(active);
      const spanContext = span?.spanContext();
      const correlated = spanContext !== undefined && isSpanContextValid(spanContext);
      const built = buildRecord({
        type,
        picked,
        messageId: messageId.value === undefined ? crypto.randomUUID() : (messageId.value as string),
        timestamp: isoTimeOf(timeMillis),
        traceId: correlated ? spanContext.traceId : undefined,
        spanId: correlated ? spanContext.spanId : undefined,
        origin: this.origin,
      }, this.shaping.copies);
      if (isProblem(built)) throw new ValidationError(built.code, built.field, built.message, { cause: built.cause });
      record = built;
      message = toMessage(record, this.writeKeyJson);
      if (message.bytes > LIMITS.maxMessageBytes) {
        throw new ValidationError('MR_ERR_MESSAGE_TOO_LARGE', 'params', `${type} message is ${message.bytes} bytes of JSON, over the ${LIMITS.maxMessageBytes}-byte limit`);
      }
      event = type === 'track' ? (picked.fields.event as string) : undefined;
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      const { text, cause } = readThrown(error);
      throw new ValidationError('MR_ERR_NOT_SERIALIZABLE', 'params', `${type} params could not be read: ${text}`, { cause });
    }
    const { messageId } = message;
    if (this.closePromise !== undefined) {
      const error = new DeliveryError('MR_ERR_CLOSED', `${type} called after closeAndFlush(); not sent`, [messageId]);
      if (this.pipeline === undefined) this.report(error);
      else this.pipeline.discard(error.code, error.message, [messageId]);
      return messageId;
    }
    // At the call, so that the messageId returned is the one sent (or dropped), and what a hook
    // sees is the data as it was at the call.
    const shaped = this.shaping.shape(message, record);
    if (shaped === undefined || this.disabled) return messageId;
    if ('record' in shaped) {
      record = shaped.record;
      timeMillis = Date.parse(record.timestamp);
    }
    this.pipeline?.enqueue(shaped);
    this.emitter.emit(type, record, messageId, timeMillis, active, span, event);
    return messageId;
  }

  private timeOf(value: unknown): number {
    const iso = value instanceof Date || typeof value === 'string' ? toIsoTimestamp(value) : undefined;
    if (iso === undefined) throw new ValidationError('MR_ERR_INVALID_FIELD', 'timestamp', 'timestamp must be a valid Date or ISO 8601 string');
    return Date.parse(iso);
  }
}
