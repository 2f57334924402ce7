/**
 * What every entry of the package exports: the parts that run on every runtime (Node, Bun, Deno,
 * Cloudflare Workers, Vercel Edge), and the types of the rest. `index.ts` (Node, Bun, Deno) adds
 * the sink, the bridge and replay; `edge.ts` adds stand-ins for them that say they are Node-only.
 */
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
export type { Bridge, BridgeCounters } from './receiver/bridge.js';
export type { ReplaySummary } from './replay/replay.js';
export type { SinkFault, SinkFaultKind, SinkOptions } from './config/sink-options.js';
export type { FaultState } from './sink/fault-plan.js';
export type { BridgeOptions } from './config/bridge-options.js';
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
