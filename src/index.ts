import type { BridgeOptions } from './config/bridge-options.js';
import type { ReplayOptions } from './config/replay-options.js';
import type { SinkOptions } from './config/sink-options.js';
import type { Bridge } from './receiver/bridge.js';
import type { ReplaySummary } from './replay/replay.js';
import type { Sink } from './sink/sink-server.js';

export { Analytics } from './api/analytics.js';
export type { AliasParams, CommonParams, GroupParams, Id, Identity, IdentifyParams, PageParams, Payload, ScreenParams, TrackParams } from './api/params.js';
export type { AnalyticsOptions, CloseOptions } from './config/analytics-options.js';
export type { Compression, DeliveryOptions, StorageOptions, StorageWhenFull } from './config/delivery-options.js';
export type { ExporterOptions } from './config/exporter-options.js';
export type { ShapingOptions } from './config/shaping-options.js';
export type { ResourceAttributes, ResourceIdentityOptions } from './config/resource-options.js';
export type { BeforeSend } from './shaping/before-send.js';
export type { MessageContext, SegmentMessage } from './shaping/segment-message.js';
export { DEFAULTS, LIMITS } from './config/defaults.js';
export { ERROR_CODES } from './errors/codes.js';
export type { ErrorCode } from './errors/codes.js';
export type { ErrorListener, ReportedError } from './errors/error-channel.js';
export { ConfigurationError, DeliveryError, MetaRouterError, ValidationError } from './errors/metarouter-error.js';
export { ATTRIBUTES, EVENT_NAMES, OBJECT_ATTRIBUTES } from './otel/convention.js';
export { MetaRouterLogRecordExporter } from './otel/log-record-exporter.js';
export { MetaRouterLogRecordProcessor } from './otel/log-record-processor.js';
export { MetaRouterSpanExporter } from './otel/span-exporter.js';
export type { SpanEventLike, SpanLike } from './otel/read-span.js';
export type { DeliveryCounters } from './delivery/delivery.js';
export type { EventType } from './translate/analytics-record.js';
export type { Sink } from './sink/sink-server.js';
export type { SinkFault, SinkFaultKind, SinkOptions } from './config/sink-options.js';
export type { FaultState } from './sink/fault-plan.js';
export type { Bridge, BridgeCounters } from './receiver/bridge.js';
export type { BridgeOptions } from './config/bridge-options.js';
export type { ReplaySummary } from './replay/replay.js';
export type { ReplayOptions, ReplayProgress, ReplayRetry } from './config/replay-options.js';
export { typedAnalytics, type PlannedEvent, type TypedAnalytics } from './api/typed-analytics.js';
export type { NamedViewFields, PlanKeys, PlannedFields, PlanRules, SchemaType } from './shaping/tracking-plan/plan-types.js';
export type { JsonSchema, SegmentLegacyEvent, SegmentLegacyPlan, SegmentRule, SegmentRuleType, SegmentRulesPlan, TrackingPlanSource } from './shaping/tracking-plan/plan-source.js';
export type { PlanEnforcementOptions, PlanViolationAction, TrackingPlanOptions, UnplannedEventAction, UnplannedPropertyAction } from './config/shaping-options.js';
export { PlanViolationError, type PlanOutcome } from './errors/plan-violation-error.js';
export type { Violation, ViolationType } from './shaping/tracking-plan/violation.js';
export { trackingPlanModule, type PlanModuleOptions } from './shaping/tracking-plan/plan-module.js';
export { createPlanEnforcer, PlanEnforcer, type CheckResult, type PlanCounters } from './shaping/tracking-plan/index.js';
export { PLAN_METRICS, PLAN_VIOLATION_CHANNEL, VIOLATION_TYPE_ATTRIBUTE, VIOLATION_GENERATED_EVENT } from './shaping/tracking-plan/index.js';

// The sink, the bridge and replay load at their first call: an app that only records analytics
// never pays for their modules (an HTTP server, OTLP decoding, NDJSON files) at its cold start.

/**
 * Starts a local MetaRouter-compatible ingestion endpoint (`POST /v1/batch`, gzip accepted) for
 * development and tests, with a live debugger page at its root. It keeps the messages it receives
 * (bounded), reports each as a readable line, and can append them to an NDJSON file. Rejects with a
 * `ConfigurationError` for a bad option or an `out` file that cannot be written.
 */
export async function startSink(options?: SinkOptions): Promise<Sink> {
  return (require('./sink/sink-server.js') as typeof import('./sink/sink-server.js')).startSink(options);
}

/**
 * Starts the OTLP/HTTP bridge: a receiver for `POST /v1/logs` and `POST /v1/traces` that takes
 * the analytics events out of OTLP log records and spans (sent by any language's OpenTelemetry
 * SDK, or by a Collector) and delivers them to MetaRouter like `Analytics` does. Rejects with a
 * `ConfigurationError` for a bad option, or when it cannot listen.
 */
export async function startBridge(options?: BridgeOptions): Promise<Bridge> {
  return (require('./receiver/bridge.js') as typeof import('./receiver/bridge.js')).startBridge(options);
}

/**
 * Sends the messages of an NDJSON file again, in order, at least once, keeping each messageId so the
 * server can deduplicate, and records what was delivered so that a second run sends only the rest
 * (see `progressFile`). Resolves with the totals; never rejects for a delivery failure (those go to
 * `onError`); rejects with a `ConfigurationError` when a file cannot serve.
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  return (require('./replay/replay.js') as typeof import('./replay/replay.js')).replay(options);
}
