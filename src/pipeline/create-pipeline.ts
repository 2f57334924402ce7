import type { TrackingPlanOptions } from '../config/shaping-options.js';
import { resolveViolationWriteKey } from '../config/resolve-options.js';
import type { Delivery } from '../delivery/delivery.js';
import { allOf, type DeliveryObserver } from '../delivery/observer.js';
import type { ReportedError } from '../errors/error-channel.js';
import type { BeforeSend } from '../shaping/before-send.js';
import { createShaper } from '../shaping/create-shaper.js';
import type { PlanListener } from '../shaping/plan-stage.js';
import { createPlanEnforcer } from '../shaping/tracking-plan/index.js';
import { diagnosticsObserver } from '../telemetry/diagnostics.js';
import { createPlanMetrics } from '../telemetry/plan-metrics.js';
import { createSelfMetrics } from '../telemetry/self-metrics.js';
import { createDelivery, type SendingConfig } from './create-delivery.js';
import { Pipeline } from './pipeline.js';
import { Shaping, type OutcomeSink } from './shaping.js';
import { forwardViolations } from './violation-forwarder.js';

/** The `beforeSend` hooks and the tracking plan (with `violationWriteKey`) of an entry point. */
export interface ShapingConfig {
  readonly beforeSend: readonly BeforeSend[];
  readonly plan: TrackingPlanOptions;
}

/** What one entry point's pipeline is made of: resolved options, and who is told what. */
export interface PipelineSetup {
  /** Where and how to send. */
  readonly sending: SendingConfig;
  /** None: messages are queued as they come. */
  readonly shaping?: ShapingConfig | undefined;
  /** The entry point's `error` channel. */
  readonly report: (error: ReportedError) => void;
  /** The OTel self-metrics (requests, drops, queue size): `Analytics`, the exporters, the processor and the bridge have them. */
  readonly selfMetrics?: boolean;
  /** More observers of the delivery engine (replay's progress). */
  readonly observers?: readonly DeliveryObserver[];
  /** Told of each message a shaping stage dropped, beside the counters (the bridge's `partial_success`). */
  readonly filtered?: (messageId: string, stage: string) => void;
}

/**
 * The one place a pipeline is wired, as OpenTelemetry JS builds an exporter's whole stack in one
 * factory: shaping (the hooks, then the plan with its listeners), then the delivery engine (queue,
 * batcher, sender over the transport) with its observers, and, with `violationWriteKey`, the
 * second pipeline that forwards the plan's violations, made by this same function. Throws
 * `ConfigurationError` for a bad plan, setting, `violationWriteKey` or storage directory.
 */
export function createPipeline(setup: PipelineSetup): Pipeline {
  const { sending, report, filtered } = setup;
  const selfMetrics = setup.selfMetrics === true ? createSelfMetrics() : undefined;
  // Shaping first, so that a bad plan throws before a spool is opened; it settles into the engine.
  let engine: Delivery | undefined;
  const shaping = createShaping(setup.shaping, sending, report, {
    filtered: (messageId, stage) => {
      filtered?.(messageId, stage);
      engine?.filter(messageId, stage);
    },
    failed: (error) => engine?.discard(error.code, error.message, [...error.messageIds], 1, error.cause),
    report,
  });
  const delivery = createDelivery(sending, report, [...(selfMetrics === undefined ? [] : [selfMetrics.observer]), ...(setup.observers ?? [])]);
  engine = delivery;
  selfMetrics?.observeQueue(() => delivery.size);
  return new Pipeline(delivery, shaping, () => selfMetrics?.stop());
}

/**
 * The shaping at the calls of an `Analytics` whose records go into a user's logs pipeline, which
 * holds the exporter and its queue: a drop is published and measured like the exporters' own
 * (diagnostics channel, self-metrics), a failure reported. Violations are forwarded through a
 * pipeline of their own, made from `sending`.
 */
export function createCallShaping(config: ShapingConfig, sending: SendingConfig, report: (error: ReportedError) => void): Shaping {
  let observer: DeliveryObserver | undefined;
  const shaping = createShaping(config, sending, report, { filtered: (messageId, stage) => observer?.filtered?.(messageId, stage), failed: report, report });
  // Only stages drop messages: without them, no instruments are made.
  if (shaping.copies) observer = allOf([diagnosticsObserver, createSelfMetrics().observer]);
  return shaping;
}

/** Compiles the hooks and the plan (its metrics and, with `violationWriteKey`, its forwarding pipeline). */
function createShaping(config: ShapingConfig | undefined, sending: SendingConfig, report: (error: ReportedError) => void, sink: OutcomeSink): Shaping {
  if (config === undefined) return new Shaping(undefined, sink, undefined);
  const violationWriteKey = resolveViolationWriteKey(config.plan.violationWriteKey);
  const enforcer = createPlanEnforcer(config.plan);
  const listeners: PlanListener[] = [createPlanMetrics()];
  let forwarding: Pipeline | undefined;
  if (enforcer !== undefined && violationWriteKey !== undefined) {
    // Violations have a queue of their own, in memory: a shared queue holds the events' writeKey only.
    forwarding = createPipeline({ sending: { ...sending, writeKey: violationWriteKey, sharedQueue: undefined }, report });
    listeners.push(forwardViolations(forwarding, violationWriteKey));
  }
  const shaper = createShaper({ beforeSend: config.beforeSend, plan: enforcer === undefined ? undefined : { enforcer, listeners } }, JSON.stringify(sending.writeKey));
  return new Shaping(shaper, sink, forwarding);
}
